DROP TABLE node_outbox;
DROP TABLE node_state;
DROP TABLE number_aliases;
DROP TABLE sync_conflicts;
DROP TABLE field_nodes;
