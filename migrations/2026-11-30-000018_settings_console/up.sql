-- What the settings console adds: a location's directions and map link as the city writes
-- them, the message staff send with a cancellation (shown in that resident's mail), and a
-- notice board on the console's home page.
ALTER TABLE locations
    ADD COLUMN access_ja text NOT NULL DEFAULT '',
    ADD COLUMN access_en text NOT NULL DEFAULT '',
    ADD COLUMN map_url text NOT NULL DEFAULT '';

ALTER TABLE mail_outbox ADD COLUMN note text;

CREATE TABLE staff_notices (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    body text NOT NULL CHECK (body <> ''),
    -- Shown from and until these instants; none: from now, or until removed.
    shows_from timestamptz,
    shows_until timestamptz,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    CHECK (shows_until IS NULL OR shows_from IS NULL OR shows_until > shows_from)
);
CREATE INDEX staff_notices_tenant ON staff_notices (tenant_id, created_at);

ALTER TABLE staff_notices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON staff_notices TO madoguchi_app
    USING (tenant_id = nullif(current_setting('madoguchi.tenant_id', true), '')::bigint);
