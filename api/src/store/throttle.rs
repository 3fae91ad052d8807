//! The counts of failed logins that every server process shares (see `auth::throttle`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Integer;

use super::db::DbConn;
use super::dialect::{self, Bind};
use super::schema::login_failures;
use crate::error::Result;

/// The counts of these keys: (key, failures, last failure).
pub fn failures(conn: &mut DbConn, keys: &[String]) -> Result<Vec<(String, i32, NaiveDateTime)>> {
    Ok(login_failures::table
        .filter(login_failures::key.eq_any(keys))
        .select((
            login_failures::key,
            login_failures::failures,
            login_failures::last_at,
        ))
        .load(conn)?)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    #[allow(dead_code)]
    failures: i32,
}

/// Counts one more failure of each key at `at`; a count whose last failure is older than
/// `forgotten_before` starts again at one. Now and then also deletes the counts nobody needs
/// any more, so the table stays as small as the attacks of the last window.
pub fn record_failures(
    conn: &mut DbConn,
    keys: &[String],
    at: NaiveDateTime,
    forgotten_before: NaiveDateTime,
) -> Result<()> {
    // One statement per key, atomic on either backend: two processes counting the same key
    // at once both count.
    let template = "INSERT INTO login_failures (key, failures, last_at) VALUES ({}, 1, {}) \
         ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN login_failures.last_at < {} THEN 1 ELSE login_failures.failures + 1 END, \
         last_at = excluded.last_at \
         RETURNING failures";
    for key in keys {
        dialect::load::<Count>(
            conn,
            template,
            &[
                Bind::Text(key.clone()),
                Bind::Time(at),
                Bind::Time(forgotten_before),
            ],
        )?;
    }
    if rand::random::<u8>() == 0 {
        diesel::delete(login_failures::table.filter(login_failures::last_at.lt(forgotten_before)))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets the count of `key`.
pub fn clear(conn: &mut DbConn, key: &str) -> Result<()> {
    diesel::delete(login_failures::table.filter(login_failures::key.eq(key))).execute(conn)?;
    Ok(())
}
