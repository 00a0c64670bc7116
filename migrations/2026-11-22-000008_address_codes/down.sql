DELETE FROM mail_outbox WHERE kind = 'address_code';
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_booking_kind;
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_code_kind;
ALTER TABLE mail_outbox DROP COLUMN one_time_code;
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('confirmation', 'change', 'cancellation', 'reminder'));
ALTER TABLE tenant_mail_settings DROP COLUMN confirm_email;
