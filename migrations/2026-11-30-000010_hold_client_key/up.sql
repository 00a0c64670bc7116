-- Whose network a resident's hold came from (an IPv4 address, or an IPv6 /64), so that
-- one address cannot hold a whole day: places held at once are counted per key.
ALTER TABLE holds ADD COLUMN client_key text CHECK (length(client_key) <= 64);
CREATE INDEX holds_client_key ON holds (client_key, expires_at) WHERE client_key IS NOT NULL;
