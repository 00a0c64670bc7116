CREATE OR REPLACE FUNCTION audit_chain_link() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
-- Going back to one chain needs one place number per row again; rows of other strands
-- would collide, so the down migration refuses when there are any.
LOCK TABLE audit_log IN EXCLUSIVE MODE;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_log WHERE chain_strand <> 0) THEN
        RAISE EXCEPTION 'audit_log has rows outside strand 0; one chain cannot hold them';
    END IF;
END;
$$;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (coalesce(tenant_id, 0), chain_position);
DROP INDEX audit_log_chain_strand;
ALTER TABLE audit_log DROP COLUMN chain_strand;
