-- Sharing between operation units and the resettlement procedure.
--
-- A data sharing agreement is recorded by an admin of one unit with another unit; both units'
-- admins read it. Its purposes and the fields each may carry are JSON
-- (amparo_domain::sharing::Purpose). It holds no personal data.
CREATE TABLE sharing_agreements (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES operation_units(id),
    partner_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    title TEXT NOT NULL,
    purposes TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sharing_agreements_units ON sharing_agreements (unit_id, partner_unit_id);
CREATE INDEX sharing_agreements_partner ON sharing_agreements (partner_unit_id);

-- A person's consent to be referred: who consented, when, for which purposes (comma-separated
-- codes), and its withdrawal.
CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    individual_id TEXT NOT NULL REFERENCES individuals(id),
    given_by TEXT NOT NULL,
    given_on DATE NOT NULL,
    purposes TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    withdrawn_on DATE,
    withdrawn_by TEXT REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX consents_individual ON consents (individual_id);

-- A referral between units. The row belongs to the receiving unit (operation_unit_id): it holds
-- the copy of the fields the agreement let it carry (`shared`, a JSON object). The sending unit
-- reads only its reference, purpose, status and dates. `kind` is 'referral' (referPerson) or
-- 'biometric' (a possible duplicate found by enrolment in another unit; nothing is shared and
-- `receiving_individual_id` names the receiving unit's own enrolled person).
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    from_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    agreement_id TEXT REFERENCES sharing_agreements(id),
    purpose TEXT,
    consent_id TEXT REFERENCES consents(id),
    individual_id TEXT REFERENCES individuals(id),
    shared TEXT NOT NULL,
    note TEXT,
    status TEXT NOT NULL,
    decline_reason TEXT,
    receiving_individual_id TEXT REFERENCES individuals(id),
    referred_by TEXT NOT NULL REFERENCES users(id),
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX referrals_received ON referrals (operation_unit_id, status, created_at);
CREATE INDEX referrals_sent ON referrals (from_unit_id, created_at);
CREATE INDEX referrals_consent ON referrals (consent_id);

-- The biometric referrals enrolment made before this table existed join the same queue.
INSERT INTO referrals (id, reference, kind, operation_unit_id, from_unit_id, shared, status,
    receiving_individual_id, referred_by, version, created_at, updated_at)
SELECT r.id, r.reference, 'biometric', r.to_unit_id, r.from_unit_id, '{}', 'pending',
    e.individual_id, r.created_by, 1, r.created_at, r.created_at
FROM biometric_referrals r JOIN biometric_enrolments e ON e.id = r.candidate_enrolment_id;

-- Resettlement cases: the procedure state as JSON (amparo_domain::resettlement::ResettlementState)
-- beside the columns the step queues read. History goes to `events`
-- (record_type 'resettlement_case').
CREATE TABLE resettlement_cases (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    case_number TEXT NOT NULL,
    principal_id TEXT NOT NULL REFERENCES individuals(id),
    protection_case_id TEXT REFERENCES protection_cases(id),
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    due_on DATE,
    state TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (operation_unit_id, case_number)
);
CREATE INDEX resettlement_cases_queue ON resettlement_cases (operation_unit_id, status, due_on);
CREATE INDEX resettlement_cases_principal ON resettlement_cases (principal_id);
