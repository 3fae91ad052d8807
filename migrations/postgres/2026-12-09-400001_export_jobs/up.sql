-- Record-level exports run as jobs: a row per request, its state and progress kept here so a
-- restarted server resumes the jobs it was running. The file is encrypted to the requester's
-- age X25519 public key (recipient); the server keeps no secret that opens it. The checksum is
-- the SHA-256 of the encrypted file as served, so a resumed download is checked end to end.
CREATE TABLE export_jobs (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    requested_by TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    fields TEXT NOT NULL,
    office_id TEXT REFERENCES offices(id),
    purpose TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL,
    rows_total INTEGER,
    rows_done INTEGER NOT NULL DEFAULT 0,
    file_name TEXT,
    size_bytes BIGINT,
    sha256 TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    expires_at TIMESTAMP,
    deleted_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX export_jobs_requester ON export_jobs (operation_unit_id, requested_by, created_at);
CREATE INDEX export_jobs_status ON export_jobs (status, expires_at);
