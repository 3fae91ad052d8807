DROP TRIGGER change_feed_append_only ON change_feed;
DROP FUNCTION change_feed_append_only();
DROP TRIGGER change_feed_seal ON change_feed;
DROP FUNCTION change_feed_seal();
DROP TABLE change_feed_heads;
DROP TABLE change_feed;
