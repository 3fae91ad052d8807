-- A read of many records (a page of people) is one audit event naming them all, instead of one
-- event per record: record_ids holds the list (a JSON array) and the event's hash covers it.
-- audit_event_records is the index of those lists, to find a record's reads; it is written in
-- the same transaction as its event and is append-only like the log itself.
ALTER TABLE audit_events ADD COLUMN record_ids TEXT;
-- A page's list (50 ids, about 2 kB) would push its row past the 2 kB at which PostgreSQL starts
-- compressing it, on every page read; rows up to a whole page stay as they are.
ALTER TABLE audit_events SET (toast_tuple_target = 8160);

CREATE TABLE audit_event_records (
    record_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (record_id, seq)
);
CREATE TRIGGER audit_event_records_append_only BEFORE UPDATE OR DELETE ON audit_event_records
    FOR EACH ROW EXECUTE FUNCTION amparo_append_only();
