-- Staff accounts of a tenant and their server-side sessions (revocable, idle-limited).
CREATE TABLE staff_accounts (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    login text NOT NULL CHECK (login ~ '^[A-Za-z0-9._-]{3,40}$'),
    display_name text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'supervisor', 'counter', 'operator', 'auditor')),
    -- the locations this account works at; empty means every location of the tenant
    location_ids bigint[] NOT NULL DEFAULT '{}',
    failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until timestamptz,
    password_expires_at timestamptz,
    must_change_password boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    UNIQUE (tenant_id, login),
    UNIQUE (tenant_id, id)
);

CREATE TABLE staff_sessions (
    token text PRIMARY KEY CHECK (length(token) >= 32),
    tenant_id bigint NOT NULL,
    staff_id bigint NOT NULL,
    csrf_token text NOT NULL CHECK (length(csrf_token) >= 32),
    client_addr text,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    revoked_at timestamptz,
    FOREIGN KEY (tenant_id, staff_id) REFERENCES staff_accounts (tenant_id, id)
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

ALTER TABLE tenants
    ADD COLUMN staff_idle_minutes integer NOT NULL DEFAULT 20 CHECK (staff_idle_minutes BETWEEN 1 AND 480);
