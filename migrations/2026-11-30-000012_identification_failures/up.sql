-- Failed identifications, counted per typed number (whether or not a card has it) and per
-- network, so that locks and budgets answer the same for unknown and known numbers and
-- one network's guessing does not lock the number for everyone else.
CREATE TABLE identification_failures (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    -- SHA-256 of the tenant and the number in its normal form; never the number itself.
    number_key text NOT NULL,
    -- The client's network (IPv4 address or IPv6 /64); NULL when staff typed it.
    network text,
    failed_at timestamptz NOT NULL
);
CREATE INDEX identification_failures_by_number
    ON identification_failures (tenant_id, number_key, failed_at);
CREATE INDEX identification_failures_by_network
    ON identification_failures (tenant_id, network, failed_at);

ALTER TABLE card_records DROP COLUMN failed_proofs, DROP COLUMN locked_until;
