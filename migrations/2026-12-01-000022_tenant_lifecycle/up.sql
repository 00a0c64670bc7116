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
