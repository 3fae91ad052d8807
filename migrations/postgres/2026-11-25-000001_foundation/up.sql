-- Amparo foundation schema. The SQLite migration of the same version holds the same tables.
-- Ids are UUIDv7 text; every mutable row carries version, created_at and updated_at;
-- events and audit_events are append-only (enforced by triggers below).

CREATE TABLE operation_units (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    modules TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE offices (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (operation_unit_id, code)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT REFERENCES offices(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    roles TEXT NOT NULL,
    scope_level TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE individuals (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    individual_number TEXT NOT NULL,
    number_key TEXT NOT NULL,
    legacy_id TEXT,
    given_names TEXT NOT NULL,
    middle_name TEXT,
    family_name TEXT,
    second_family_name TEXT,
    fathers_name TEXT,
    grandfathers_name TEXT,
    original_script_name TEXT,
    aliases TEXT,
    sex TEXT,
    date_of_birth DATE,
    date_of_birth_precision TEXT,
    place_of_birth TEXT,
    marital_status TEXT,
    nationalities TEXT NOT NULL DEFAULT '',
    country_of_origin TEXT,
    ethnicity TEXT,
    religion TEXT,
    needs_interpreter BOOLEAN NOT NULL DEFAULT FALSE,
    same_sex_interviewer BOOLEAN NOT NULL DEFAULT FALSE,
    arrival_date DATE,
    point_of_entry TEXT,
    registration_date DATE NOT NULL,
    registered_by TEXT NOT NULL,
    dataset_level TEXT NOT NULL,
    last_verified_at TIMESTAMP,
    consent_to_contact BOOLEAN NOT NULL DEFAULT FALSE,
    information_given_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (operation_unit_id, individual_number)
);
CREATE INDEX individuals_unit_id ON individuals (operation_unit_id, id);
CREATE INDEX individuals_unit_office_id ON individuals (operation_unit_id, office_id, id);
CREATE INDEX individuals_unit_number_key ON individuals (operation_unit_id, number_key);
CREATE INDEX individuals_unit_legacy ON individuals (operation_unit_id, legacy_id);

CREATE TABLE individual_languages (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL,
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    language TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX individual_languages_individual ON individual_languages (individual_id);

-- Search keys of every word of every name part (see domain::names). The "C" collation makes a
-- prefix range scan on the btree valid whatever the database's locale.
CREATE TABLE name_tokens (
    operation_unit_id TEXT NOT NULL,
    token TEXT COLLATE "C" NOT NULL,
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    PRIMARY KEY (operation_unit_id, token, individual_id)
);
CREATE INDEX name_tokens_individual ON name_tokens (individual_id);

CREATE TABLE registration_groups (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    group_number TEXT NOT NULL,
    number_key TEXT NOT NULL,
    status TEXT NOT NULL,
    closed_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (operation_unit_id, group_number)
);
CREATE INDEX registration_groups_unit_id ON registration_groups (operation_unit_id, id);
CREATE INDEX registration_groups_unit_number_key ON registration_groups (operation_unit_id, number_key);

-- Membership history: a split or merge ends rows (ended_at) and starts new ones; nothing is deleted.
CREATE TABLE group_memberships (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL,
    group_id TEXT NOT NULL REFERENCES registration_groups(id),
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    relationship TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    end_reason TEXT
);
CREATE INDEX group_memberships_group ON group_memberships (group_id);
CREATE INDEX group_memberships_individual ON group_memberships (individual_id);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    case_number TEXT NOT NULL,
    number_key TEXT NOT NULL,
    procedure TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    modality TEXT NOT NULL,
    principal_applicant_id TEXT NOT NULL REFERENCES individuals(id),
    registration_group_id TEXT REFERENCES registration_groups(id),
    assigned_officer_id TEXT REFERENCES users(id),
    claim_summary TEXT,
    opened_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (operation_unit_id, case_number)
);
CREATE INDEX cases_unit_id ON cases (operation_unit_id, id);
CREATE INDEX cases_unit_status ON cases (operation_unit_id, status);
CREATE INDEX cases_unit_number_key ON cases (operation_unit_id, number_key);
CREATE INDEX cases_assigned ON cases (assigned_officer_id);

CREATE TABLE case_members (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    role TEXT NOT NULL,
    relationship TEXT,
    added_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);
CREATE INDEX case_members_case ON case_members (case_id);
CREATE INDEX case_members_individual ON case_members (individual_id);

CREATE TABLE specific_needs (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL,
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    code TEXT NOT NULL,
    sub_code TEXT,
    status TEXT NOT NULL,
    comments TEXT,
    catalogue_version TEXT NOT NULL,
    identified_at TIMESTAMP NOT NULL,
    identified_by TEXT NOT NULL,
    reviewed_at TIMESTAMP,
    reviewed_by TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX specific_needs_individual ON specific_needs (individual_id);
CREATE INDEX specific_needs_unit_status ON specific_needs (operation_unit_id, status);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL,
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    document_type TEXT NOT NULL,
    number TEXT NOT NULL,
    number_key TEXT NOT NULL,
    issuing_country TEXT,
    issued_on DATE,
    expires_on DATE,
    verified BOOLEAN NOT NULL DEFAULT FALSE,
    verified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_individual ON documents (individual_id);
CREATE INDEX documents_unit_number ON documents (operation_unit_id, number_key);

CREATE TABLE addresses (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL,
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    kind TEXT NOT NULL,
    line TEXT NOT NULL,
    city TEXT,
    province TEXT,
    country TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX addresses_individual ON addresses (individual_id);

CREATE TABLE phones (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL,
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    consent_to_contact BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);
CREATE INDEX phones_individual ON phones (individual_id);

-- The history of every record: who did what and when. Append-only.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX events_record ON events (record_id, at);

-- A mutation's result, stored in the mutation's own transaction so a replay returns it.
CREATE TABLE client_mutations (
    user_id TEXT NOT NULL,
    client_mutation_id TEXT NOT NULL,
    mutation TEXT NOT NULL,
    result TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, client_mutation_id)
);

CREATE TABLE counters (
    operation_unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (operation_unit_id, kind)
);

-- Hash-chained audit log: hash = sha256(prev_hash || fields). audit_head is the chain's tip and
-- its row lock serialises appends across server processes.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    user_id TEXT,
    username TEXT,
    operation_unit_id TEXT,
    action TEXT NOT NULL,
    record_type TEXT,
    record_id TEXT,
    request_id TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_record ON audit_events (record_id, seq);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION amparo_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION amparo_append_only();
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION amparo_append_only();
