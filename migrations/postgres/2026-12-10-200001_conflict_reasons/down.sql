ALTER TABLE sync_conflicts DROP COLUMN error_field;
ALTER TABLE sync_conflicts DROP COLUMN error_reason;
