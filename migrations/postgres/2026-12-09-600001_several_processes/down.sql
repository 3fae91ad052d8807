DROP TRIGGER change_feed_notify ON change_feed;
DROP FUNCTION amparo_feed_notify();
DROP TABLE login_failures;
