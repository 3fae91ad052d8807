DROP TRIGGER change_feed_no_delete;
DROP TRIGGER change_feed_no_update;
DROP TRIGGER change_feed_position;
DROP TABLE change_feed_heads;
DROP TABLE change_feed;
