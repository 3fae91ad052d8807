-- The id of the key an event's hash is an HMAC under (outside the database); NULL for the
-- plain SHA-256 of events written without a key, which are checked as before.
ALTER TABLE audit_events ADD COLUMN key_id TEXT;
