-- Announced stops of the service: from `starts_at` every resident page and the console show
-- the text (which says when the stop is); after `ends_at` it is gone.
CREATE TABLE maintenance_windows (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    text_ja text NOT NULL CHECK (text_ja <> ''),
    text_en text NOT NULL DEFAULT '',
    CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_windows_tenant ON maintenance_windows (tenant_id, ends_at);

ALTER TABLE maintenance_windows ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON maintenance_windows TO madoguchi_app
    USING (tenant_id = nullif(current_setting('madoguchi.tenant_id', true), '')::bigint);
