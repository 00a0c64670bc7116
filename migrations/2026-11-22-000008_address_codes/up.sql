-- A one-time code that confirms a resident's e-mail address before booking, for tenants that
-- ask for it. It travels through the outbox like every message; the code is kept only until
-- the message is sent (the resident's session holds its hash).
ALTER TABLE tenant_mail_settings ADD COLUMN confirm_email boolean NOT NULL DEFAULT false;

ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('confirmation', 'change', 'cancellation', 'reminder', 'address_code'));
ALTER TABLE mail_outbox ADD COLUMN one_time_code text;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_code_kind
    CHECK (one_time_code IS NULL OR kind = 'address_code');
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_booking_kind
    CHECK ((booking_id IS NULL) = (kind = 'address_code'));
