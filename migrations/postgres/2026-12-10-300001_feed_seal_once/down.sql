CREATE OR REPLACE FUNCTION change_feed_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pending RECORD;
    base BIGINT;
BEGIN
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
