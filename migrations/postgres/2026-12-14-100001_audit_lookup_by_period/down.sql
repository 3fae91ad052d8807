DROP INDEX audit_events_by_period;
CREATE INDEX audit_events_record ON audit_events (record_id, seq);
DROP INDEX audit_event_records_by_period;
ALTER TABLE audit_event_records ADD PRIMARY KEY (record_id, seq);
