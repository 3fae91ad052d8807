-- The feed's seal at commit, made linear in the transaction's entries. Every entry of a
-- transaction fires `change_feed_seal` at commit and the first firing seals them all; the
-- others used to run the pending-entries query again, and the entries the first firing updated
-- stay in the partial index `change_feed_pending` (dead, but not to this transaction) until a
-- vacuum, so each later firing walked all of them: n² index visits at the commit of n entries,
-- over a minute for one batch of the bulk seed. Now each firing first looks up its own entry by
-- its key and stops when it is sealed already.
CREATE OR REPLACE FUNCTION change_feed_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pending RECORD;
    base BIGINT;
BEGIN
    IF EXISTS (SELECT 1 FROM change_feed WHERE seq = NEW.seq AND position IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    -- Units in a fixed order, so two transactions spanning the same units cannot deadlock on
    -- their heads.
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
