-- The per-unit change feed: one row per change to personal or case data, written in the
-- transaction of the change, read by position after a cursor (field node sync, statistics,
-- notices across server processes, cache invalidation, the biometric gallery).
--
-- Order. A sequence would hand out numbers in the order transactions start, but they commit in
-- another order, and a reader that saw 12 committed before 11 would step over 11 for good. So a
-- change is inserted without a position, and a deferred constraint trigger gives the
-- transaction's entries their positions at commit time, under the row lock of the unit's head:
-- the head row is locked only for the last moment of the transaction (after every statement of
-- the caller ran), and a second writer of the same unit waits on it until the first has
-- committed or rolled back. Positions therefore commit in the order they are handed out, with
-- no gap (a rollback hands its numbers back with the head), and any snapshot that sees position
-- p sees every position below it. Writers of different units never meet on the head; writers
-- of one unit already wait on each other longer on the audit chain's tip.
CREATE TABLE change_feed (
    -- Insertion order inside a transaction only; the feed's order is `position`.
    seq BIGSERIAL PRIMARY KEY,
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
-- Entries still waiting for their position: only ever the committing transaction's own.
CREATE INDEX change_feed_pending ON change_feed (operation_unit_id) WHERE position IS NULL;
CREATE INDEX change_feed_record ON change_feed (record_id);

CREATE TABLE change_feed_heads (
    operation_unit_id TEXT PRIMARY KEY REFERENCES operation_units(id),
    position BIGINT NOT NULL
);
INSERT INTO change_feed_heads (operation_unit_id, position) SELECT id, 0 FROM operation_units;

CREATE FUNCTION change_feed_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pending RECORD;
    base BIGINT;
BEGIN
    -- The first firing at commit seals every pending entry of the transaction; the others find
    -- nothing. Units in a fixed order, so two transactions spanning the same units cannot
    -- deadlock on their heads.
    FOR pending IN
        SELECT operation_unit_id AS unit, count(*) AS n FROM change_feed
        WHERE position IS NULL GROUP BY operation_unit_id ORDER BY operation_unit_id
    LOOP
        INSERT INTO change_feed_heads (operation_unit_id, position) VALUES (pending.unit, 0)
            ON CONFLICT (operation_unit_id) DO NOTHING;
        UPDATE change_feed_heads SET position = position + pending.n
            WHERE operation_unit_id = pending.unit
            RETURNING position - pending.n INTO base;
        UPDATE change_feed f SET position = base + o.rn
            FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS rn FROM change_feed
                  WHERE position IS NULL AND operation_unit_id = pending.unit) o
            WHERE f.seq = o.seq;
    END LOOP;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER change_feed_seal AFTER INSERT ON change_feed
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_feed_seal();

-- The feed is history: an entry is never changed once it has its position, nor removed.
CREATE FUNCTION change_feed_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.position IS NOT NULL THEN
        RAISE EXCEPTION 'change_feed is append-only';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER change_feed_append_only BEFORE UPDATE OR DELETE ON change_feed
    FOR EACH ROW EXECUTE FUNCTION change_feed_append_only();
