DROP INDEX audit_events_by_period;
CREATE INDEX audit_events_record ON audit_events (record_id, seq);
CREATE TABLE audit_event_records_keyed (
    record_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (record_id, seq)
) WITHOUT ROWID;
INSERT INTO audit_event_records_keyed (record_id, seq) SELECT record_id, seq FROM audit_event_records;
DROP TABLE audit_event_records;
ALTER TABLE audit_event_records_keyed RENAME TO audit_event_records;
CREATE TRIGGER audit_event_records_no_update BEFORE UPDATE ON audit_event_records
BEGIN SELECT RAISE(ABORT, 'audit_event_records is append-only'); END;
CREATE TRIGGER audit_event_records_no_delete BEFORE DELETE ON audit_event_records
BEGIN SELECT RAISE(ABORT, 'audit_event_records is append-only'); END;
