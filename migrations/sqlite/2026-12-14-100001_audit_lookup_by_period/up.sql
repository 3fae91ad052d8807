-- A record's events are looked up by period of the log first (seq / 16384, `audit::PERIOD`),
-- then by record. Keyed by record alone, each read of a page put its names at random places of
-- an index that grows without end; keyed by period, a request's names land in the current
-- period's small part of the index. SQLite cannot change a table's key in place: the names are
-- moved to a table keyed by the new index.
CREATE TABLE audit_event_records_by_period (
    record_id TEXT NOT NULL,
    seq BIGINT NOT NULL
);
INSERT INTO audit_event_records_by_period (record_id, seq)
    SELECT record_id, seq FROM audit_event_records;
DROP TABLE audit_event_records;
ALTER TABLE audit_event_records_by_period RENAME TO audit_event_records;
CREATE UNIQUE INDEX audit_event_records_by_period
    ON audit_event_records ((seq / 16384), record_id, seq);
CREATE TRIGGER audit_event_records_no_update BEFORE UPDATE ON audit_event_records
BEGIN SELECT RAISE(ABORT, 'audit_event_records is append-only'); END;
CREATE TRIGGER audit_event_records_no_delete BEFORE DELETE ON audit_event_records
BEGIN SELECT RAISE(ABORT, 'audit_event_records is append-only'); END;
DROP INDEX audit_events_record;
CREATE INDEX audit_events_by_period ON audit_events ((seq / 16384), record_id, seq);
