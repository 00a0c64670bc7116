REVOKE SELECT ON __diesel_schema_migrations FROM madoguchi_app;
ALTER TABLE maintenance_windows
    DROP CONSTRAINT maintenance_windows_stop,
    DROP COLUMN stop_ends_at,
    DROP COLUMN stop_starts_at;
DROP TABLE availability_exclusions;
DROP TABLE service_minutes;
DROP TABLE idempotency_keys;
