-- Online pre-registration: what a family sent from the public form before coming to an office,
-- found again by its reference and proved by a secret of which only the hash is kept. The form is
-- kept as sent (JSON) until a registrar converts it into a registration or dismisses it; the
-- booking at the office's registration desk is the row's appointment (one per reference).
CREATE TABLE pre_registrations (
    id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL REFERENCES offices(id),
    reference TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    form TEXT NOT NULL,
    lang TEXT NOT NULL,
    urgency INTEGER NOT NULL,
    stage TEXT NOT NULL,
    appointment_at TIMESTAMP,
    dismissed_reason TEXT,
    group_id TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX pre_registrations_queue ON pre_registrations (operation_unit_id, stage, urgency);
CREATE INDEX pre_registrations_desk ON pre_registrations (office_id, appointment_at);
