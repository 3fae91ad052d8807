-- Imports from earlier databases. A batch is one committed transaction of `amparo-api import
-- run`; each record it created (or linked to an existing one) is listed with the source's own
-- key and the version it wrote, so a rollback removes exactly that and sees later changes.
CREATE TABLE import_batches (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    source TEXT NOT NULL,
    source_files TEXT NOT NULL,
    first_row INTEGER NOT NULL,
    last_row INTEGER NOT NULL,
    mapping_version TEXT NOT NULL,
    mapping_digest TEXT NOT NULL,
    operator_id TEXT NOT NULL REFERENCES users(id),
    individuals_created INTEGER NOT NULL,
    groups_created INTEGER NOT NULL,
    cases_created INTEGER NOT NULL,
    needs_created INTEGER NOT NULL,
    documents_created INTEGER NOT NULL,
    linked INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    rolled_back_at TIMESTAMP
);
CREATE INDEX import_batches_unit ON import_batches (operation_unit_id, created_at);

CREATE TABLE import_records (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES import_batches(id),
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    source TEXT NOT NULL,
    source_key TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- One source key of one kind is imported once per unit: a second run finds it and creates nothing.
CREATE UNIQUE INDEX import_records_key ON import_records (operation_unit_id, source, record_kind, source_key);
CREATE INDEX import_records_batch ON import_records (batch_id);
CREATE INDEX import_records_record ON import_records (record_id);

-- Possible duplicates found on import, for a registrar to decide: the same person (linked) or
-- different people (kept separate).
CREATE TABLE import_reviews (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    batch_id TEXT NOT NULL REFERENCES import_batches(id),
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    candidate_id TEXT NOT NULL REFERENCES individuals(id),
    score INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    within_import BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX import_reviews_open ON import_reviews (operation_unit_id, status, created_at);
