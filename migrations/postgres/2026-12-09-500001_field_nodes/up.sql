-- Field nodes: an office's own amparo-api on SQLite that holds the office's working set and
-- syncs with this server (see api/src/node). Central keeps the nodes it enrolled, the sync
-- conflicts their pushes met, and the provisional numbers records carried before sync.
CREATE TABLE field_nodes (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    name TEXT NOT NULL,
    -- The one-time enrolment code (its SHA-256), until the node used it or it expired.
    enrol_code_hash TEXT,
    enrol_expires_at TIMESTAMP NOT NULL,
    -- The node's credential (its SHA-256), given once at enrolment.
    token_hash TEXT UNIQUE,
    -- The admin who registered it (null: the operator, with `amparo-api node enrol`).
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    enrolled_at TIMESTAMP,
    last_contact_at TIMESTAMP,
    -- The feed position the node last acknowledged, and the changes it said were waiting.
    feed_cursor BIGINT NOT NULL DEFAULT 0,
    backlog INTEGER NOT NULL DEFAULT 0,
    revoked_at TIMESTAMP,
    revoked_by TEXT REFERENCES users(id),
    wiped_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX field_nodes_unit ON field_nodes (operation_unit_id);

-- A node's change that central refused because the record moved here (CONFLICT) or a guard no
-- longer held: kept with both versions until a person resolves it.
CREATE TABLE sync_conflicts (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    node_id TEXT NOT NULL REFERENCES field_nodes(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    client_mutation_id TEXT NOT NULL,
    mutation TEXT NOT NULL,
    -- The node's request as the caseworker sent it (GraphQL document and variables, JSON).
    request TEXT NOT NULL,
    record_type TEXT,
    record_id TEXT,
    -- The record as central holds it when the conflict was found (JSON).
    theirs TEXT,
    error_code TEXT NOT NULL,
    error_message TEXT NOT NULL,
    status TEXT NOT NULL,
    resolved_by TEXT REFERENCES users(id),
    resolved_at TIMESTAMP,
    resolution TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (node_id, user_id, client_mutation_id)
);
CREATE INDEX sync_conflicts_open ON sync_conflicts (operation_unit_id, status);

-- Provisional numbers given offline, kept as aliases of the final number after sync.
CREATE TABLE number_aliases (
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    alias TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    number TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (operation_unit_id, alias)
);
CREATE INDEX number_aliases_record ON number_aliases (record_id);

-- On a node only: where it syncs from, its credential and its cursor (one row).
CREATE TABLE node_state (
    id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL,
    central_url TEXT NOT NULL,
    token TEXT NOT NULL,
    operation_unit_id TEXT NOT NULL,
    office_id TEXT NOT NULL,
    office_code TEXT NOT NULL,
    feed_cursor BIGINT NOT NULL,
    -- A first copy under way: the table and the last id copied of it.
    snapshot_table TEXT,
    snapshot_after TEXT,
    snapshot_head BIGINT,
    last_contact_at TIMESTAMP,
    offline_since TIMESTAMP,
    -- The digest of the reference tables (unit, offices, users, code lists) last received.
    reference_digest TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

-- On a node only: its mutations waiting for central, in order.
CREATE TABLE node_outbox (
    seq BIGSERIAL PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_mutation_id TEXT NOT NULL,
    mutation TEXT NOT NULL,
    request TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    provisional TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
