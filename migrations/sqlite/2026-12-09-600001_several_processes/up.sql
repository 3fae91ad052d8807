-- Failed logins, counted in the database so that every server process on it slows an attacker
-- the same way (see api/src/auth/throttle.rs). One row per (address, username) pair and per
-- address; a row is forgotten once its window has passed.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_last_at ON login_failures (last_at);
