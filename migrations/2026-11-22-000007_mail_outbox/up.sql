-- Mail to send, written in the same transaction as the booking change it tells about, so that
-- nothing is lost when the mail server is down; `dedupe_key` makes every message exist once.
CREATE TABLE mail_outbox (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    booking_id bigint,
    kind text NOT NULL CHECK (kind IN ('confirmation', 'change', 'cancellation', 'reminder')),
    recipient text NOT NULL CHECK (recipient <> ''),
    dedupe_key text NOT NULL,
    -- skipped: a reminder whose booking was cancelled before it went out
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- a pending row is due from this time; a claimed row is leased until it
    next_attempt_at timestamptz NOT NULL,
    last_error text,
    message_id text,
    sent_at timestamptz,
    created_at timestamptz NOT NULL,
    UNIQUE (tenant_id, dedupe_key),
    FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id)
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_outbox_failed ON mail_outbox (tenant_id, created_at) WHERE status = 'failed';

-- Each tenant's mail settings: the hour of the day-before reminder (local time).
CREATE TABLE tenant_mail_settings (
    tenant_id bigint PRIMARY KEY REFERENCES tenants (id),
    reminder_hour integer NOT NULL DEFAULT 9 CHECK (reminder_hour BETWEEN 0 AND 23)
);

-- A tenant's own text for one kind of message about one procedure, replacing the default.
CREATE TABLE mail_templates (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    procedure_id bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('confirmation', 'change', 'cancellation', 'reminder')),
    subject text NOT NULL,
    body_text text NOT NULL,
    body_html text NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, procedure_id, kind),
    FOREIGN KEY (tenant_id, procedure_id) REFERENCES procedures (tenant_id, id)
);

-- Keys the server signs links with (the manage-my-booking link in e-mails), made on first
-- use and shared by every server process.
CREATE TABLE signing_keys (
    name text PRIMARY KEY,
    key bytea NOT NULL CHECK (length(key) >= 32)
);
