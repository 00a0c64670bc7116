-- Expand only: new tables and nullable columns, so a server of the previous release keeps
-- working against this schema during a rolling deploy.

-- The first answer to a write that carried an Idempotency-Key, written in the write's own
-- transaction: a retry with the same key gets this answer instead of a second booking.
CREATE TABLE idempotency_keys (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    key text NOT NULL CHECK (length(key) BETWEEN 8 AND 200),
    -- SHA-256 of the operation, its path and its body: the same key with another request
    -- is refused rather than answered with the first request's result.
    request_hash bytea NOT NULL,
    status smallint NOT NULL,
    response jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON idempotency_keys TO madoguchi_app
    USING (tenant_id = nullif(current_setting('madoguchi.tenant_id', true), '')::bigint);

-- Every minute in which some server of the service wrote to the database: the service's own
-- record of its up time. A minute of the provided time without a row was down.
CREATE TABLE service_minutes (
    minute timestamptz PRIMARY KEY CHECK (minute = date_trunc('minute', minute)),
    beats integer NOT NULL DEFAULT 1
);

-- Stops the availability figure does not count against the service: planned stops the
-- platform operator records for every city, and stops a city caused (市起因) for one city.
CREATE TABLE availability_exclusions (
    id bigserial PRIMARY KEY,
    tenant_id bigint REFERENCES tenants (id),
    cause text NOT NULL CHECK (cause IN ('planned', 'city')),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
    reason text NOT NULL CHECK (reason <> ''),
    created_at timestamptz NOT NULL,
    CHECK (cause = 'planned' OR tenant_id IS NOT NULL)
);
CREATE INDEX availability_exclusions_span ON availability_exclusions (starts_at, ends_at);
-- A city's staff read the stops excluded for every city and their own; only the command line
-- (the owner) records them.
ALTER TABLE availability_exclusions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON availability_exclusions FOR SELECT TO madoguchi_app
    USING (tenant_id IS NULL
        OR tenant_id = nullif(current_setting('madoguchi.tenant_id', true), '')::bigint);

-- The stop a maintenance banner announces, when it announces one: the banner shows from
-- starts_at to ends_at, the stop itself is planned from stop_starts_at to stop_ends_at.
ALTER TABLE maintenance_windows
    ADD COLUMN stop_starts_at timestamptz,
    ADD COLUMN stop_ends_at timestamptz,
    ADD CONSTRAINT maintenance_windows_stop CHECK (
        (stop_starts_at IS NULL) = (stop_ends_at IS NULL)
        AND (stop_ends_at IS NULL OR stop_ends_at > stop_starts_at));

-- A server's readiness check compares the newest migration it knows with the database's.
GRANT SELECT ON __diesel_schema_migrations TO madoguchi_app;
