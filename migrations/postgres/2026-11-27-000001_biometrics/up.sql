-- Biometric enrolment (issue 6). Samples live apart from the rest of the record: a sample row
-- names only an opaque biometric reference (a random 63-bit number, the only id the in-memory
-- matcher knows), never a person. The ISO record, the exact device record and the derived
-- template are each sealed with AES-256-GCM (12-byte nonce followed by the ciphertext and tag)
-- under the key named by key_id, so keys can rotate row by row. `origin` is 'capture' for
-- samples a device produced, 'synthetic' for generated benchmark galleries (no image behind
-- them, never rebuilt). Face samples are kept but have no template.
CREATE TABLE biometric_samples (
    id TEXT PRIMARY KEY,
    reference_id BIGINT NOT NULL,
    position TEXT NOT NULL,
    quality INTEGER NOT NULL,
    origin TEXT NOT NULL,
    key_id TEXT NOT NULL,
    record BYTEA NOT NULL,
    device_record BYTEA NOT NULL,
    template BYTEA,
    algorithm_version TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (reference_id, position)
);

-- The only link from a biometric reference to a person and an operation unit; only the store
-- reads it. One enrolment per individual.
CREATE TABLE biometric_enrolments (
    id TEXT PRIMARY KEY,
    reference_id BIGINT NOT NULL UNIQUE,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    individual_id TEXT NOT NULL UNIQUE REFERENCES individuals(id),
    transaction_id TEXT NOT NULL,
    captured_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    exceptions TEXT NOT NULL,
    enrolled_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX biometric_enrolments_unit ON biometric_enrolments (operation_unit_id);

-- Possible duplicates inside one unit, waiting for (or carrying) a human decision.
CREATE TABLE biometric_reviews (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    enrolment_id TEXT NOT NULL REFERENCES biometric_enrolments(id),
    candidate_enrolment_id TEXT NOT NULL REFERENCES biometric_enrolments(id),
    score DOUBLE PRECISION NOT NULL,
    position_scores TEXT NOT NULL,
    status TEXT NOT NULL,
    decision_reason TEXT,
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX biometric_reviews_queue ON biometric_reviews (operation_unit_id, status, id);

-- Possible duplicates in another unit: the enrolling unit learns only that one exists and this
-- reference, to raise a referral through the units' agreed channel.
CREATE TABLE biometric_referrals (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    from_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    to_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    enrolment_id TEXT NOT NULL REFERENCES biometric_enrolments(id),
    candidate_enrolment_id TEXT NOT NULL REFERENCES biometric_enrolments(id),
    score DOUBLE PRECISION NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);

-- Records an adjudicator found to be the same person, one row on each individual; nothing is
-- merged or deleted.
CREATE TABLE individual_links (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    linked_individual_id TEXT NOT NULL REFERENCES individuals(id),
    kind TEXT NOT NULL,
    review_id TEXT NOT NULL REFERENCES biometric_reviews(id),
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX individual_links_individual ON individual_links (individual_id);
