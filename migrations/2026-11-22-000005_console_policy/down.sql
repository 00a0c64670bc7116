DROP INDEX audit_log_tenant_actor;
ALTER TABLE tenants
    DROP COLUMN staff_networks,
    DROP COLUMN staff_password_mixed,
    DROP COLUMN staff_password_min_length;
ALTER TABLE booking_events DROP COLUMN client_addr;
