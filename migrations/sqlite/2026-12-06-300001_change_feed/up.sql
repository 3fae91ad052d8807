-- The per-unit change feed (see the PostgreSQL migration of the same version for its purpose).
-- SQLite has one writer at a time, holding the database's write lock from its first write to
-- its commit, so a position taken from the unit's head at insert time already commits in order
-- and a rollback hands it back: no deferral is needed.
CREATE TABLE change_feed (
    seq INTEGER PRIMARY KEY,
    operation_unit_id TEXT NOT NULL REFERENCES operation_units(id),
    position BIGINT,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    operation TEXT NOT NULL,
    field_groups TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    UNIQUE (operation_unit_id, position)
);
CREATE INDEX change_feed_pending ON change_feed (operation_unit_id) WHERE position IS NULL;
CREATE INDEX change_feed_record ON change_feed (record_id);

CREATE TABLE change_feed_heads (
    operation_unit_id TEXT PRIMARY KEY REFERENCES operation_units(id),
    position BIGINT NOT NULL
);
INSERT INTO change_feed_heads (operation_unit_id, position) SELECT id, 0 FROM operation_units;

CREATE TRIGGER change_feed_position AFTER INSERT ON change_feed WHEN NEW.position IS NULL
BEGIN
    INSERT OR IGNORE INTO change_feed_heads (operation_unit_id, position)
        VALUES (NEW.operation_unit_id, 0);
    UPDATE change_feed_heads SET position = position + 1
        WHERE operation_unit_id = NEW.operation_unit_id;
    UPDATE change_feed SET position =
        (SELECT position FROM change_feed_heads WHERE operation_unit_id = NEW.operation_unit_id)
        WHERE seq = NEW.seq;
END;

CREATE TRIGGER change_feed_no_update BEFORE UPDATE ON change_feed WHEN OLD.position IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'change_feed is append-only');
END;
CREATE TRIGGER change_feed_no_delete BEFORE DELETE ON change_feed
BEGIN
    SELECT RAISE(ABORT, 'change_feed is append-only');
END;
