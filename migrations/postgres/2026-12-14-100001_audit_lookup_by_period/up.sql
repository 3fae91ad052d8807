-- A record's events are looked up by period of the log first (seq / 16384, `audit::PERIOD`),
-- then by record. Keyed by record alone, each read of a page put its names at random places of
-- an index that grows without end: once it outgrew memory, every name cost a page read and,
-- after each checkpoint, a whole page written to the WAL. Keyed by period, a request's names
-- land in the current period's small part of the index.
ALTER TABLE audit_event_records DROP CONSTRAINT audit_event_records_pkey;
CREATE UNIQUE INDEX audit_event_records_by_period
    ON audit_event_records ((seq / 16384), record_id, seq);
DROP INDEX audit_events_record;
CREATE INDEX audit_events_by_period ON audit_events ((seq / 16384), record_id, seq);
