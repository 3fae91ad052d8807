DROP TABLE audit_event_records;
ALTER TABLE audit_events DROP COLUMN record_ids;
ALTER TABLE audit_events RESET (toast_tuple_target);
