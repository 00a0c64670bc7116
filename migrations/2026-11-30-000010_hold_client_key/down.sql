DROP INDEX holds_client_key;
ALTER TABLE holds DROP COLUMN client_key;
