ALTER TABLE tenants DROP COLUMN staff_idle_minutes;
DROP TABLE staff_sessions;
DROP TABLE staff_accounts;
