DROP INDEX card_records_status;
DROP TABLE tenant_card_columns;
DROP TABLE card_imports;
DROP TABLE card_events;
ALTER TABLE card_records DROP COLUMN status_changed_at;
