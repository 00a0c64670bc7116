ALTER TABLE bookings DROP COLUMN anonymised_at;
ALTER TABLE tenants DROP COLUMN operation_log_days, DROP COLUMN personal_data_days,
    DROP COLUMN file_days;
CREATE OR REPLACE FUNCTION refuse_history_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
ALTER TABLE tenants DROP COLUMN training;
