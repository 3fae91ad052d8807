-- A field node's own audit log goes up to central after its outbox (see api/src/node): the node
-- remembers the last event central took, and central the last event and hash it took from each
-- node, so the node's chain is checked to follow on from what it sent before.
ALTER TABLE node_state ADD COLUMN audit_cursor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE field_nodes ADD COLUMN audit_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE field_nodes ADD COLUMN audit_hash TEXT NOT NULL DEFAULT '';
