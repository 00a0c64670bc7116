-- Each tenant's operation log is a hash chain: every row carries its place in the chain,
-- the hash of the row before it and its own hash over its contents. A changed, removed
-- or reordered row breaks the chain at that place (`madoguchi audit verify`).
ALTER TABLE audit_log
    ADD COLUMN chain_position bigint,
    ADD COLUMN prev_hash text,
    ADD COLUMN row_hash text;

CREATE FUNCTION audit_row_hash(
    prev text, place bigint, tenant bigint, actor text, action text, target text,
    client text, details jsonb, at timestamptz
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(chr(31),
        prev, place::text, coalesce(tenant::text, '-'), actor, action, target,
        coalesce(client, '-'), details::text,
        to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), 'UTF8')), 'hex')
$$;

-- Rows of one tenant are linked one at a time: the lock lasts until the inserting
-- transaction ends, so the next row always sees the one before it.
CREATE FUNCTION audit_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_position bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(20261130, coalesce(NEW.tenant_id, 0)::integer);
    SELECT chain_position, row_hash INTO last_position, last_hash
        FROM audit_log
        WHERE coalesce(tenant_id, 0) = coalesce(NEW.tenant_id, 0)
        ORDER BY coalesce(tenant_id, 0), chain_position DESC
        LIMIT 1;
    NEW.chain_position := coalesce(last_position, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, 'genesis');
    NEW.row_hash := audit_row_hash(NEW.prev_hash, NEW.chain_position, NEW.tenant_id,
        NEW.actor, NEW.action, NEW.target, NEW.client_addr, NEW.details, NEW.created_at);
    RETURN NEW;
END;
$$;

-- Rows written before the chain existed are linked in the order they were written.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
    r record;
    previous text;
    place bigint;
    current_tenant bigint := -1;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY coalesce(tenant_id, 0), id LOOP
        IF coalesce(r.tenant_id, 0) <> current_tenant THEN
            current_tenant := coalesce(r.tenant_id, 0);
            previous := 'genesis';
            place := 0;
        END IF;
        place := place + 1;
        UPDATE audit_log
            SET chain_position = place,
                prev_hash = previous,
                row_hash = audit_row_hash(previous, place, r.tenant_id, r.actor,
                    r.action, r.target, r.client_addr, r.details, r.created_at)
            WHERE id = r.id
            RETURNING row_hash INTO previous;
    END LOOP;
END;
$$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;

ALTER TABLE audit_log
    ALTER COLUMN chain_position SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN row_hash SET NOT NULL;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (coalesce(tenant_id, 0), chain_position);
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_chain_link();
