ALTER TABLE offices DROP COLUMN holidays;
ALTER TABLE offices DROP COLUMN working_hours;
DROP TABLE one_time_codes;
ALTER TABLE users DROP COLUMN last_login_at;
ALTER TABLE users DROP COLUMN must_change_password;
