ALTER TABLE procedures DROP COLUMN phone_only;
