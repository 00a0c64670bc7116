-- A procedure's own change/cancel deadline, where the city wants one (an application may
-- close earlier than a pickup); both empty: the city's deadline.
ALTER TABLE procedures
    ADD COLUMN change_days_before integer CHECK (change_days_before BETWEEN 0 AND 30),
    ADD COLUMN change_at time,
    ADD CONSTRAINT procedures_change_deadline_whole
        CHECK ((change_days_before IS NULL) = (change_at IS NULL));
