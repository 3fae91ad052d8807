-- A read of many records (a page of people) is one audit event naming them all, instead of one
-- event per record: record_ids holds the list (a JSON array) and the event's hash covers it.
-- audit_event_records is the index of those lists, to find a record's reads; it is written in
-- the same transaction as its event and is append-only like the log itself.
ALTER TABLE audit_events ADD COLUMN record_ids TEXT;

CREATE TABLE audit_event_records (
    record_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (record_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER audit_event_records_no_update BEFORE UPDATE ON audit_event_records
BEGIN SELECT RAISE(ABORT, 'audit_event_records is append-only'); END;
CREATE TRIGGER audit_event_records_no_delete BEFORE DELETE ON audit_event_records
BEGIN SELECT RAISE(ABORT, 'audit_event_records is append-only'); END;
