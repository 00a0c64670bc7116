-- The language of a message sent before any booking exists (an address code): the page's
-- language when the resident asked for it. Messages about a booking use the booking's.
ALTER TABLE mail_outbox ADD COLUMN lang text
    CHECK (lang IS NULL OR lang ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})?$');
