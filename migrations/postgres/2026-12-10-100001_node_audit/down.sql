ALTER TABLE field_nodes DROP COLUMN audit_hash;
ALTER TABLE field_nodes DROP COLUMN audit_seq;
ALTER TABLE node_state DROP COLUMN audit_cursor;
