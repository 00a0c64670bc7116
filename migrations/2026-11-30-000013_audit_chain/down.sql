DROP TRIGGER audit_log_chain ON audit_log;
DROP INDEX audit_log_chain;
DROP FUNCTION audit_chain_link();
ALTER TABLE audit_log DROP COLUMN chain_position, DROP COLUMN prev_hash, DROP COLUMN row_hash;
DROP FUNCTION audit_row_hash(text, bigint, bigint, text, text, text, text, jsonb, timestamptz);
