ALTER TABLE procedures
    DROP CONSTRAINT procedures_change_deadline_whole,
    DROP COLUMN change_at,
    DROP COLUMN change_days_before;
