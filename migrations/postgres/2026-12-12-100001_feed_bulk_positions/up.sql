-- A bulk load (the seed) gives its entries their positions itself, advancing the unit's head as
-- its last statement, which holds the head's row lock to the commit as the seal does (see
-- `feed::record_bulk`). The seal fires only for entries still without a position: firing once
-- per entry of a seed's batch, and rewriting each, cost as much as the load.
DROP TRIGGER change_feed_seal ON change_feed;
CREATE CONSTRAINT TRIGGER change_feed_seal AFTER INSERT ON change_feed
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.position IS NULL)
    EXECUTE FUNCTION change_feed_seal();
