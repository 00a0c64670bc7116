-- The card's life: every status change and import change as an event, the history of
-- imports, and each tenant's names for the columns of its J-LIS files.
ALTER TABLE card_records ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE card_events (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL,
    card_id bigint NOT NULL,
    -- imported: a new card; changed: a re-import changed its data; status: a status change
    kind text NOT NULL CHECK (kind IN ('imported', 'changed', 'status')),
    from_status text,
    to_status text,
    actor text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    FOREIGN KEY (tenant_id, card_id) REFERENCES card_records (tenant_id, id)
);
CREATE INDEX card_events_card ON card_events (card_id, id);
CREATE TRIGGER card_events_append_only BEFORE UPDATE OR DELETE ON card_events
    FOR EACH ROW EXECUTE FUNCTION refuse_history_rewrite();

CREATE TABLE card_imports (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    actor text NOT NULL,
    file_name text NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    encoding text NOT NULL,
    rows_read integer NOT NULL,
    new_cards integer NOT NULL,
    changed_cards integer NOT NULL,
    unchanged_cards integer NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX card_imports_tenant ON card_imports (tenant_id, created_at);
CREATE TRIGGER card_imports_append_only BEFORE UPDATE OR DELETE ON card_imports
    FOR EACH ROW EXECUTE FUNCTION refuse_history_rewrite();

-- the header names a tenant's files use for standard columns, e.g. 氏名カナ → カナ氏名
CREATE TABLE tenant_card_columns (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    standard_name text NOT NULL,
    file_name text NOT NULL CHECK (file_name <> ''),
    PRIMARY KEY (tenant_id, standard_name)
);

CREATE INDEX card_records_status ON card_records (tenant_id, status, location_id);
