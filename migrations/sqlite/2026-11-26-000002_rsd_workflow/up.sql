-- The RSD workflow (api/src/domain/rsd). A case's whole workflow state is kept as JSON in
-- `workflow`; the columns after it are derived from that state on every transition so that queues
-- (My work, the supervisor's summary, overdue, appeals near their deadline, abandonment candidates)
-- are answered from indexes without reading the JSON. A NULL `workflow` (a case opened before
-- this version) is read as a fresh case in its recorded status.
ALTER TABLE cases ADD COLUMN workflow TEXT;
ALTER TABLE cases ADD COLUMN status_changed_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN due_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN decision_due_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN appeal_deadline_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN abandonment_from TIMESTAMP;
ALTER TABLE cases ADD COLUMN next_appointment_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN priority BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN same_sex_interviewer BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX cases_officer_due ON cases (assigned_officer_id, due_at, id);
CREATE INDEX cases_unit_office_status ON cases (operation_unit_id, office_id, status);
CREATE INDEX cases_unit_appeal_deadline ON cases (operation_unit_id, appeal_deadline_at);
CREATE INDEX cases_unit_abandonment ON cases (operation_unit_id, abandonment_from);
-- The supervisor's summary and workload read only these two partial indexes of open cases (and
-- cases_unit_office_status for the counts of ended ones), never the cases' rows.
CREATE INDEX cases_open_summary ON cases (operation_unit_id, office_id, status, decision_due_at,
    priority, opened_at, abandonment_from, next_appointment_at, appeal_deadline_at)
    WHERE due_at IS NOT NULL;
CREATE INDEX cases_open_workload ON cases (operation_unit_id, assigned_officer_id, status,
    decision_due_at, next_appointment_at)
    WHERE due_at IS NOT NULL;

-- Interviewers' sex, for the applicant's right to an interviewer of the same sex.
ALTER TABLE users ADD COLUMN sex TEXT;

-- Interpreters of a unit and the languages they interpret (space-separated ISO 639-3 codes).
CREATE TABLE interpreters (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT REFERENCES offices(id),
    name TEXT NOT NULL,
    languages TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX interpreters_unit ON interpreters (operation_unit_id);

-- Interview appointments. An appointment keeps its id when it is moved (the workflow state refers
-- to it); the booking it had before is kept as a row of status 'rescheduled' whose superseded_by
-- names it, so the history of bookings is never lost.
CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    stage TEXT NOT NULL,
    officer_id TEXT NOT NULL REFERENCES users(id),
    interpreter_id TEXT REFERENCES interpreters(id),
    language TEXT,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    superseded_by TEXT REFERENCES appointments(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX appointments_officer ON appointments (officer_id, starts_at);
CREATE INDEX appointments_interpreter ON appointments (interpreter_id, starts_at);
CREATE INDEX appointments_case ON appointments (case_id, starts_at);
CREATE INDEX appointments_superseded_by ON appointments (superseded_by);
