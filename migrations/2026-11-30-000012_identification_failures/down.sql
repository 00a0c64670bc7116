ALTER TABLE card_records
    ADD COLUMN failed_proofs integer NOT NULL DEFAULT 0,
    ADD COLUMN locked_until timestamptz;
DROP TABLE identification_failures;
