DROP INDEX mail_outbox_address_codes;
ALTER TABLE mail_outbox DROP COLUMN requested_from;
