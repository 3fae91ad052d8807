DROP TABLE audit_event_records;
ALTER TABLE audit_events DROP COLUMN record_ids;
