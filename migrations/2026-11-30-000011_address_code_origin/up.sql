-- Which network asked for an address code (an IPv4 address or an IPv6 /64): codes are
-- limited per recipient and per requesting network, whatever sessions are used.
ALTER TABLE mail_outbox ADD COLUMN requested_from text CHECK (length(requested_from) <= 64);
CREATE INDEX mail_outbox_address_codes ON mail_outbox (created_at)
    WHERE kind = 'address_code';
