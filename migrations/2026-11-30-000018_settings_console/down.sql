DROP TABLE staff_notices;
ALTER TABLE mail_outbox DROP COLUMN note;
ALTER TABLE locations DROP COLUMN access_ja, DROP COLUMN access_en, DROP COLUMN map_url;
