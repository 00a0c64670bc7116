ALTER FUNCTION audit_chain_link() SECURITY INVOKER RESET search_path;
DO $$
DECLARE
    owned text;
BEGIN
    FOR owned IN
        SELECT tablename FROM pg_policies
        WHERE schemaname = 'public' AND policyname = 'tenant_only'
    LOOP
        EXECUTE format('DROP POLICY tenant_only ON %I', owned);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', owned);
    END LOOP;
END;
$$;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM madoguchi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM madoguchi_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM madoguchi_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM madoguchi_app;
REVOKE USAGE ON SCHEMA public FROM madoguchi_app;
