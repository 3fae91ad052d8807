-- Assistance (UNHCR's assistance module): programmes with their eligibility rule (JSON, the
-- form of amparo_domain::assistance::rules), assessments of households against it, distribution
-- lists per site and date, the entitlement of each household planned on a list, and the
-- distributions that deliver them.
CREATE TABLE assistance_programmes (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount DOUBLE PRECISION NOT NULL,
    amount_unit TEXT NOT NULL,
    cycles INTEGER NOT NULL,
    eligibility TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (operation_unit_id, name)
);

-- Append-only: the latest assessment of a household for a programme is the one in force.
CREATE TABLE eligibility_assessments (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    programme_id TEXT NOT NULL REFERENCES assistance_programmes(id),
    group_id TEXT NOT NULL REFERENCES registration_groups(id),
    eligible BOOLEAN NOT NULL,
    criteria_met TEXT NOT NULL,
    explanation_en TEXT NOT NULL,
    explanation_es TEXT NOT NULL,
    field_groups TEXT NOT NULL,
    assessed_by TEXT NOT NULL REFERENCES users(id),
    assessed_at TIMESTAMP NOT NULL
);
CREATE INDEX eligibility_assessments_group ON eligibility_assessments (programme_id, group_id, assessed_at);

CREATE TABLE distribution_lists (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    programme_id TEXT NOT NULL REFERENCES assistance_programmes(id),
    cycle INTEGER NOT NULL,
    site TEXT NOT NULL,
    distribution_date DATE NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (programme_id, cycle, site, distribution_date)
);
CREATE INDEX distribution_lists_day ON distribution_lists (operation_unit_id, distribution_date);

-- One entitlement per household, programme and cycle, planned on one list.
CREATE TABLE entitlements (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    programme_id TEXT NOT NULL REFERENCES assistance_programmes(id),
    cycle INTEGER NOT NULL,
    group_id TEXT NOT NULL REFERENCES registration_groups(id),
    list_id TEXT NOT NULL REFERENCES distribution_lists(id),
    assessment_id TEXT NOT NULL REFERENCES eligibility_assessments(id),
    amount DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (programme_id, cycle, group_id)
);
CREATE INDEX entitlements_list ON entitlements (list_id);

-- A household receives an entitlement at most once per cycle, whatever the site: the unique
-- keys hold it even for two sites recording at the same moment.
CREATE TABLE distributions (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    entitlement_id TEXT NOT NULL UNIQUE REFERENCES entitlements(id),
    programme_id TEXT NOT NULL REFERENCES assistance_programmes(id),
    cycle INTEGER NOT NULL,
    group_id TEXT NOT NULL REFERENCES registration_groups(id),
    list_id TEXT NOT NULL REFERENCES distribution_lists(id),
    site TEXT NOT NULL,
    recipient_id TEXT NOT NULL REFERENCES individuals(id),
    method TEXT NOT NULL,
    document_id TEXT REFERENCES documents(id),
    distributed_by TEXT NOT NULL REFERENCES users(id),
    distributed_at TIMESTAMP NOT NULL,
    CONSTRAINT distributions_once_per_cycle UNIQUE (programme_id, cycle, group_id)
);
CREATE INDEX distributions_list ON distributions (list_id);
