-- Protection case management (UNHCR's protection module): one row per case, its procedure state
-- as JSON (amparo_domain::protection::ProtectionState) beside the columns the lists and the
-- follow-ups-due queue read, so no query parses JSON. History goes to `events`
-- (record_type 'protection_case'), like RSD cases.
CREATE TABLE protection_cases (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    case_number TEXT NOT NULL,
    principal_id TEXT NOT NULL REFERENCES individuals(id),
    category TEXT NOT NULL,
    risk_level TEXT NOT NULL,
    status TEXT NOT NULL,
    assigned_officer_id TEXT REFERENCES users(id),
    next_follow_up DATE,
    state TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (operation_unit_id, case_number)
);
CREATE INDEX protection_cases_follow_up ON protection_cases (operation_unit_id, status, next_follow_up);
CREATE INDEX protection_cases_principal ON protection_cases (principal_id);
CREATE INDEX protection_cases_assigned ON protection_cases (assigned_officer_id);
