-- Statistics counters, kept by a follower of each unit's change feed (api/src/store/stats.rs).
-- Writers of personal and case data never touch these tables: they only write the feed, and
-- the follower, one per unit at a time, takes each changed record's old contribution back and
-- adds its new one. So no registration waits on a counter row.

-- Where the follower of each unit stands in the unit's change feed.
CREATE TABLE stat_cursors (
    operation_unit_id TEXT PRIMARY KEY REFERENCES operation_units(id),
    position BIGINT NOT NULL
);

-- What each record (a person or a case) last contributed, as the JSON list of its counter
-- keys, so a change can take it back exactly.
CREATE TABLE stat_contributions (
    record_id TEXT PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    record_type TEXT NOT NULL,
    cells TEXT NOT NULL
);

-- People by the dimensions figures cross: birth month rather than age, since ages move with
-- the date asked. `need` is empty on a person's own row and names a need category on the
-- extra row a person has for each category of need open.
CREATE TABLE stat_population (
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    office_id TEXT NOT NULL,
    nationality TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_month TEXT NOT NULL,
    registration_month TEXT NOT NULL,
    group_size INTEGER NOT NULL,
    need TEXT NOT NULL,
    people BIGINT NOT NULL,
    PRIMARY KEY (operation_unit_id, need, office_id, registration_month, nationality, sex,
                 birth_month, group_size)
);

-- Procedure and work facts: counts by measure, office, month and modality; `value` carries the
-- days of a processing time or the opening day of a pending case; `actor` the user whose work
-- it was (empty when it is not work).
CREATE TABLE stat_facts (
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    measure TEXT NOT NULL,
    office_id TEXT NOT NULL,
    month TEXT NOT NULL,
    modality TEXT NOT NULL,
    value BIGINT NOT NULL,
    actor TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (operation_unit_id, measure, office_id, month, modality, value, actor)
);
