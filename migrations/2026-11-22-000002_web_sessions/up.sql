-- Server-side sessions of residents going through the booking pages without JavaScript:
-- the cookie carries only the random token; the answers so far live here.
CREATE TABLE web_sessions (
    token text PRIMARY KEY CHECK (length(token) >= 32),
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    csrf_token text NOT NULL CHECK (length(csrf_token) >= 32),
    state jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (created_at < expires_at)
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
