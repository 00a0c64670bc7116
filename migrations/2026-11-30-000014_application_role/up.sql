-- The web server works as `madoguchi_app`: it reads and writes the data but can neither
-- rewrite history (UPDATE, DELETE, TRUNCATE on the history tables) nor change the schema
-- (it owns nothing and may not create). Migrations, the command line and background jobs
-- run as the owner. Roles belong to the cluster, so the role may exist already.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'madoguchi_app') THEN
        CREATE ROLE madoguchi_app LOGIN NOINHERIT;
    END IF;
END;
$$;
-- The owner may act as it (SET ROLE) when no separate login is configured.
GRANT madoguchi_app TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO madoguchi_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO madoguchi_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO madoguchi_app;
REVOKE ALL ON __diesel_schema_migrations FROM madoguchi_app;
REVOKE UPDATE, DELETE, TRUNCATE
    ON audit_log, booking_events, card_events, card_imports FROM madoguchi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO madoguchi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO madoguchi_app;

-- Row-level security on every table that carries a tenant: the server sets
-- `madoguchi.tenant_id` when it has read the request's tenant, and a query that forgets
-- its tenant filter sees (and may write) that tenant's rows alone, or none at all.
DO $$
DECLARE
    owned text;
BEGIN
    FOR owned IN
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'
            AND t.table_type = 'BASE TABLE'
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
        EXECUTE format(
            'CREATE POLICY tenant_only ON %I TO madoguchi_app USING '
            '(tenant_id = nullif(current_setting(''madoguchi.tenant_id'', true), '''')::bigint)',
            owned);
    END LOOP;
END;
$$;

-- Linking a log row reads the tenant's last row whatever the reader may see.
ALTER FUNCTION audit_chain_link() SECURITY DEFINER SET search_path = public, pg_temp;
