-- A city's operation log becomes up to 16 hash chains ("strands") instead of one. A line
-- joins strand 0 when no other transaction is writing to it, and otherwise the first strand
-- that is free, so lines written one after another still form the single chain they always
-- did, while lines written at the same moment no longer wait for each other's commit: the
-- strand's lock lasts until the inserting transaction ends, its WAL flush included, and a
-- single lock made every booking of a city pass that point one at a time
-- (docs/performance.md). Each strand is linked and checked exactly as the one chain was.
ALTER TABLE audit_log ADD COLUMN chain_strand smallint NOT NULL DEFAULT 0
    CONSTRAINT audit_log_chain_strand_range CHECK (chain_strand BETWEEN 0 AND 15);

CREATE UNIQUE INDEX audit_log_chain_strand
    ON audit_log (coalesce(tenant_id, 0), chain_strand, chain_position);
-- Positions now repeat across strands; the strand index above keeps them unique per strand.
DROP INDEX audit_log_chain;

CREATE OR REPLACE FUNCTION audit_chain_link() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    chain integer := coalesce(NEW.tenant_id, 0)::integer;
    -- The strand this transaction already writes to in this chain, if any: its later rows
    -- stay there rather than taking more strands. Transaction-local, and undone with the
    -- lock when a savepoint is rolled back.
    taken text := current_setting('madoguchi.audit_strand_' || chain, true);
    strand integer;
    last_position bigint;
    last_hash text;
BEGIN
    IF taken IS NOT NULL AND taken <> '' THEN
        strand := taken::integer;
        -- Already held by this transaction: granted at once.
        PERFORM pg_advisory_xact_lock(20261130 + strand, chain);
    ELSE
        FOR candidate IN 0 .. 15 LOOP
            IF pg_try_advisory_xact_lock(20261130 + candidate, chain) THEN
                strand := candidate;
                EXIT;
            END IF;
        END LOOP;
        IF strand IS NULL THEN
            -- All busy: queue behind one of them, spread by transaction. A transaction
            -- waits only while it holds no strand of this chain.
            strand := (txid_current() % 16)::integer;
            PERFORM pg_advisory_xact_lock(20261130 + strand, chain);
        END IF;
        PERFORM set_config('madoguchi.audit_strand_' || chain, strand::text, true);
    END IF;
    SELECT chain_position, row_hash INTO last_position, last_hash
        FROM audit_log
        WHERE coalesce(tenant_id, 0) = chain AND chain_strand = strand
        ORDER BY coalesce(tenant_id, 0), chain_strand, chain_position DESC
        LIMIT 1;
    NEW.chain_strand := strand;
    NEW.chain_position := coalesce(last_position, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, 'genesis');
    NEW.row_hash := audit_row_hash(NEW.prev_hash, NEW.chain_position, NEW.tenant_id,
        NEW.actor, NEW.action, NEW.target, NEW.client_addr, NEW.details, NEW.created_at);
    RETURN NEW;
END;
$$;
