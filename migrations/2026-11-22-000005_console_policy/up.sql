-- Where each booking change came from, and each tenant's rules for staff passwords and
-- the client addresses the console accepts.
ALTER TABLE booking_events ADD COLUMN client_addr text;

ALTER TABLE tenants
    ADD COLUMN staff_password_min_length integer NOT NULL DEFAULT 8
        CHECK (staff_password_min_length BETWEEN 8 AND 128),
    -- upper case, lower case, digit and symbol all required
    ADD COLUMN staff_password_mixed boolean NOT NULL DEFAULT true,
    -- CIDR ranges the console may be used from; empty means anywhere
    ADD COLUMN staff_networks text[] NOT NULL DEFAULT '{}';

CREATE INDEX audit_log_tenant_actor ON audit_log (tenant_id, actor, created_at);
