-- The population counters by question (api/src/store/stats/crossings.rs): each dimension
-- alone and each pair crossed, for the whole unit (office_id empty) and for each office, over
-- everyone registered so far. Kept by the statistics follower from the same differences as
-- stat_population, whose grain (every dimension at once) holds nearly a cell per person: a
-- figure summed from it read as many rows as the registry.
CREATE TABLE stat_crossings (
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    crossing TEXT NOT NULL,
    office_id TEXT NOT NULL,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    people BIGINT NOT NULL,
    PRIMARY KEY (operation_unit_id, crossing, office_id, a, b)
);

-- The procedure's counters as the unit's figures of today read them: without the user who did
-- the work, and a processing time or a backlog case by its day count or day but in no month
-- (domain::stats::Fact::total). stat_facts keeps both for a period and a supervisor's team.
CREATE TABLE stat_fact_totals (
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    measure TEXT NOT NULL,
    office_id TEXT NOT NULL,
    month TEXT NOT NULL,
    modality TEXT NOT NULL,
    value BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (operation_unit_id, measure, office_id, month, modality, value)
);

-- The counters are derived data: dropping them makes the follower build every unit's again,
-- crossings included, from the tables at its next start.
DELETE FROM stat_contributions;
DELETE FROM stat_population;
DELETE FROM stat_facts;
DELETE FROM stat_cursors;
