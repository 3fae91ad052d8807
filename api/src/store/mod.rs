//! The database store: diesel queries over PostgreSQL or SQLite. Knows nothing of GraphQL.
//!
//! Every function that touches personal data takes a [`Scope`] and writes the audit events of
//! what it read or changed in the same transaction.

pub mod admin;
pub mod assistance;
pub mod audit;
pub mod batched;
pub mod biometrics;
pub mod bulk;
pub mod db;
pub mod dialect;
pub mod exports;
pub mod feed;
pub mod guarded;
pub mod idempotency;
pub mod imports;
pub mod page_limit;
pub mod prereg;
pub mod protection;
pub mod quality;
pub mod queries;
pub mod queues;
pub mod registry;
pub mod resettlement;
pub mod rows;
pub mod schema;
pub mod scope;
pub mod sharing;
pub mod stats;
pub mod sync;
pub mod throttle;
pub mod users;
pub mod workflow;

pub use db::{Database, DbConn};
pub use scope::Scope;

use chrono::{NaiveDateTime, Timelike, Utc};

/// A new UUIDv7 identifier, as text. Inside a field node's write (or central's replay of one)
/// it is derived from the mutation, so both create the same rows (see [`sync`]).
pub fn new_id() -> String {
    sync::repeatable_id().unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// The current UTC time at microsecond precision, the finest both backends keep, so a value
/// read back equals the value written (the audit chain hashes timestamps).
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}
