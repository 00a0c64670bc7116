-- A city being set up and trained on: every page and mail says so, and its practice data can
-- be wiped before go-live (`madoguchi tenant wipe --training-data`).
ALTER TABLE tenants ADD COLUMN training boolean NOT NULL DEFAULT false;

-- History stays append-only for everyone, with one exception: the owner's `tenant wipe` and
-- `tenant dispose` name the one city whose rows they erase (the setting lasts for their
-- transaction). The application role has no DELETE on these tables in the first place.
CREATE OR REPLACE FUNCTION refuse_history_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.tenant_id IS NOT NULL
        AND OLD.tenant_id::text = current_setting('madoguchi.erasing_tenant', true) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

-- Retention, per city (docs/data-lifecycle.md): the operation log is kept at least a year
-- (a contract may say longer, never shorter); the personal data of past bookings is erased
-- after `personal_data_days` (NULL: kept); kept uploads and notice files go after `file_days`.
ALTER TABLE tenants
    ADD COLUMN operation_log_days integer NOT NULL DEFAULT 366
        CHECK (operation_log_days >= 366),
    ADD COLUMN personal_data_days integer DEFAULT 1095
        CHECK (personal_data_days >= 1),
    ADD COLUMN file_days integer NOT NULL DEFAULT 30 CHECK (file_days >= 1);
-- When a booking's contact details were erased; the booking itself stays for the reports.
ALTER TABLE bookings ADD COLUMN anonymised_at timestamptz;
