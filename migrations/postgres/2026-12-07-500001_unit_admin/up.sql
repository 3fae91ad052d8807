-- Unit administration: users managed by their unit's admin, one-time codes instead of
-- passwords chosen by an admin, and offices with their own working hours and holidays.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN last_login_at TIMESTAMP;

-- A code given to one person to set their own password: only its SHA-256 is kept, it expires,
-- and it works once.
CREATE TABLE one_time_codes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX one_time_codes_user ON one_time_codes (user_id);

-- Working hours as JSON ({"day_starts": 480, "day_ends": 1020, "working_days": [1,2,3,4,5]});
-- empty means the unit's calendar. Holidays as a JSON list of ISO dates.
ALTER TABLE offices ADD COLUMN working_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE offices ADD COLUMN holidays TEXT NOT NULL DEFAULT '[]';
