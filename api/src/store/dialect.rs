//! The SQL that differs between PostgreSQL and SQLite, one function per operation, so that no
//! other store module matches on the backend. Differences are of three kinds: placeholders in
//! hand-written SQL (`$1` against `?`), statements diesel's multi-backend connection cannot
//! build (multi-row inserts), and row locks, which only PostgreSQL needs because SQLite lets one
//! writer in at a time.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::db::DbConn;
use super::schema::*;
use crate::error::{Error, Result};

/// A value bound to hand-written SQL.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Time(chrono::NaiveDateTime),
    BigInt(i64),
}

/// Rewrites `{}` in a template into the backend's placeholders (`$1, $2, …` or `?`).
pub fn placeholders(template: &str, postgres: bool) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut n = 0;
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        n += 1;
        if postgres {
            out.push_str(&format!("${n}"));
        } else {
            out.push('?');
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// Runs a hand-written query whose placeholders are written `{}`, binding `binds` in order.
pub fn load<T>(conn: &mut DbConn, template: &str, binds: &[Bind]) -> Result<Vec<T>>
where
    T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    macro_rules! go {
        ($c:expr, $db:ty, $pg:expr) => {{
            let mut q = diesel::sql_query(placeholders(template, $pg)).into_boxed::<$db>();
            for b in binds {
                q = match b {
                    Bind::Text(s) => q.bind::<Text, _>(s.clone()),
                    Bind::Time(t) => q.bind::<Timestamp, _>(*t),
                    Bind::BigInt(n) => q.bind::<BigInt, _>(*n),
                };
            }
            q.load::<T>($c)?
        }};
    }
    Ok(match conn {
        DbConn::Pg(c) => go!(c, diesel::pg::Pg, true),
        DbConn::Sqlite(c) => go!(c, diesel::sqlite::Sqlite, false),
    })
}

/// Runs a hand-written statement whose placeholders are written `{}`; returns the rows touched.
pub fn execute(conn: &mut DbConn, template: &str, binds: &[Bind]) -> Result<usize> {
    macro_rules! go {
        ($c:expr, $db:ty, $pg:expr) => {{
            let mut q = diesel::sql_query(placeholders(template, $pg)).into_boxed::<$db>();
            for b in binds {
                q = match b {
                    Bind::Text(s) => q.bind::<Text, _>(s.clone()),
                    Bind::Time(t) => q.bind::<Timestamp, _>(*t),
                    Bind::BigInt(n) => q.bind::<BigInt, _>(*n),
                };
            }
            q.execute($c)?
        }};
    }
    Ok(match conn {
        DbConn::Pg(c) => go!(c, diesel::pg::Pg, true),
        DbConn::Sqlite(c) => go!(c, diesel::sqlite::Sqlite, false),
    })
}

#[derive(QueryableByName)]
struct CounterValue {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

/// Takes the next `count` numbers of a kind within a unit (an upsert, so the first number of a
/// unit needs no setup); returns the last one taken. The row stays locked to the transaction,
/// which keeps numbers gap-free.
pub fn take_numbers(conn: &mut DbConn, unit_id: &str, kind: &str, count: i64) -> Result<i64> {
    let template = "INSERT INTO counters (operation_unit_id, kind, value) VALUES ({}, {}, {}) \
         ON CONFLICT (operation_unit_id, kind) DO UPDATE SET value = counters.value + excluded.value \
         RETURNING value";
    let rows: Vec<CounterValue> = load(
        conn,
        template,
        &[
            Bind::Text(unit_id.to_string()),
            Bind::Text(kind.to_string()),
            Bind::BigInt(count),
        ],
    )?;
    rows.first()
        .map(|r| r.value)
        .ok_or_else(|| crate::error::Error::internal("the counter upsert returned no row"))
}

/// Inserts many rows of one table in one statement: diesel's connection over both backends has
/// no multi-row insert of its own, so the statement is built for the backend at hand.
macro_rules! insert_many {
    ($(#[$doc:meta])* $name:ident, $table:path, $row:ty) => {
        $(#[$doc])*
        pub fn $name(conn: &mut DbConn, rows: &[$row]) -> Result<usize> {
            if rows.is_empty() {
                return Ok(0);
            }
            Ok(match conn {
                DbConn::Pg(c) => diesel::insert_into($table).values(rows).execute(c)?,
                DbConn::Sqlite(c) => diesel::insert_into($table).values(rows).execute(c)?,
            })
        }
    };
}

/// A name token row: unit, token, individual.
pub type NameTokenRow = (
    diesel::dsl::Eq<name_tokens::operation_unit_id, String>,
    diesel::dsl::Eq<name_tokens::token, String>,
    diesel::dsl::Eq<name_tokens::individual_id, String>,
);

insert_many!(
    /// The search tokens of individuals.
    insert_name_tokens,
    name_tokens::table,
    NameTokenRow
);
/// Audit events, in chain order, with the records named by events of several. PostgreSQL takes
/// them by COPY: a group commit of reads is many events, and as one multi-row INSERT (sixteen
/// parameters a row) parsing and binding them was the largest part of the database's work under
/// a load of pages. SQLite takes multi-row INSERTs kept under its bind-parameter limit.
pub fn insert_audit_events(
    conn: &mut DbConn,
    rows: &[super::audit::AuditEvent],
    named: &[super::audit::NamedRecord],
) -> Result<()> {
    match conn {
        DbConn::Pg(c) => {
            if !rows.is_empty() {
                diesel::copy_from(audit_events::table)
                    .from_insertable(rows)
                    .execute(c)?;
            }
            if !named.is_empty() {
                diesel::copy_from(audit_event_records::table)
                    .from_insertable(named)
                    .execute(c)?;
            }
        }
        DbConn::Sqlite(c) => {
            for chunk in rows.chunks(2000) {
                diesel::insert_into(audit_events::table)
                    .values(chunk)
                    .execute(c)?;
            }
            for chunk in named.chunks(10_000) {
                diesel::insert_into(audit_event_records::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// The items of a JSON array kept as text in `column`, as rows with one column `value`, to join
/// against.
pub fn json_array_items(conn: &DbConn, column: &str) -> String {
    match conn {
        DbConn::Pg(_) => format!("jsonb_array_elements_text({column}::jsonb)"),
        DbConn::Sqlite(_) => format!("json_each({column})"),
    }
}

/// Change-feed rows; SQLite's trigger numbers rows one by one, so there the multi-row insert
/// is the same loop written out.
pub fn insert_feed_rows(conn: &mut DbConn, rows: &[super::feed::FeedRow<'_>]) -> Result<()> {
    match conn {
        DbConn::Pg(c) => {
            diesel::insert_into(change_feed::table)
                .values(rows)
                .execute(c)?;
        }
        DbConn::Sqlite(c) => {
            for row in rows {
                diesel::insert_into(change_feed::table)
                    .values(row.clone())
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// Runs `f` with PostgreSQL's nested-loop joins off, then on again.
///
/// A name search of two words joins the people holding the first word's key with those holding
/// the second's, in id order, to stop at a page. Expecting to stop early, the planner walks one
/// list and looks each person up in the other; when the two names rarely meet, that is tens of
/// thousands of lookups (0.6 s for "bahed tures" at a million people). Merging the two ordered
/// lists reads each once: 16 ms there, and the same 1.5-2 ms where the names often meet.
pub fn with_merged_lists<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T>,
) -> Result<T> {
    if !matches!(conn, DbConn::Pg(_)) {
        return f(conn);
    }
    conn.transaction(|c| {
        set_nested_loops(c, false)?;
        let out = f(c)?;
        // Back on for what else the caller's transaction (if any) runs.
        set_nested_loops(c, true)?;
        Ok(out)
    })
}

fn set_nested_loops(conn: &mut DbConn, on: bool) -> Result<()> {
    if let DbConn::Pg(c) = conn {
        c.batch_execute(if on {
            "SET LOCAL enable_nestloop = on"
        } else {
            "SET LOCAL enable_nestloop = off"
        })?;
    }
    Ok(())
}

/// Has PostgreSQL plan each statement of the rest of the transaction for its own parameters.
///
/// A pooled connection keeps its prepared statements, and after a few runs PostgreSQL may settle
/// on one generic plan for each, costed on the table as it was then. An import's own tables
/// (`import_records`) start empty, so the plan it settles on reads them whole; the table grows
/// by every household, and an import of 100,000 people slowed down as it went (each lookup of a
/// source key read every record imported so far). A long write of many small statements on
/// growing tables calls this first.
pub fn plan_each_statement(conn: &mut DbConn) -> Result<()> {
    if let DbConn::Pg(c) = conn {
        c.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan")?;
    }
    Ok(())
}

/// Advances a unit's feed head by `n` on PostgreSQL and returns the position before: the row
/// stays locked to the commit, as the seal at commit keeps it (see `feed::record_bulk`).
pub fn advance_feed_head(conn: &mut DbConn, unit_id: &str, n: i64) -> Result<i64> {
    let DbConn::Pg(c) = conn else {
        return Err(Error::internal("feed positions are given by SQLite itself"));
    };
    diesel::insert_into(change_feed_heads::table)
        .values((
            change_feed_heads::operation_unit_id.eq(unit_id),
            change_feed_heads::position.eq(0i64),
        ))
        .on_conflict_do_nothing()
        .execute(c)?;
    let after: i64 = diesel::update(change_feed_heads::table.find(unit_id))
        .set(change_feed_heads::position.eq(change_feed_heads::position + n))
        .returning(change_feed_heads::position)
        .get_result(c)?;
    Ok(after - n)
}

/// Copies feed entries that already have their positions (PostgreSQL only, `feed::record_bulk`).
pub fn copy_positioned_feed_rows(
    conn: &mut DbConn,
    rows: &[super::feed::FeedRow<'_>],
) -> Result<()> {
    let DbConn::Pg(c) = conn else {
        return Err(Error::internal("feed positions are given by SQLite itself"));
    };
    diesel::copy_from(change_feed::table)
        .from_insertable(rows)
        .execute(c)?;
    Ok(())
}

/// The audit chain's head, locked until the transaction ends on PostgreSQL so appends are
/// serialised; SQLite writers are serialised by the database's writer lock already.
pub fn audit_head_for_update(conn: &mut DbConn) -> Result<(i64, String)> {
    let q = audit_head::table
        .filter(audit_head::id.eq(1))
        .select((audit_head::seq, audit_head::hash));
    Ok(match conn {
        DbConn::Pg(c) => q.for_update().first(c)?,
        DbConn::Sqlite(c) => q.first(c)?,
    })
}

/// Runs `f` in a read-only transaction that sees one snapshot for every statement: repeatable
/// read on PostgreSQL; on SQLite a read transaction holds one WAL snapshot already.
pub fn in_snapshot<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T>) -> Result<T> {
    let postgres = matches!(conn, DbConn::Pg(_));
    conn.transaction(|c| {
        if postgres {
            c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        f(c)
    })
}

/// Writes a bulk load's batch: COPY on PostgreSQL, multi-row inserts on SQLite.
pub fn write_batch(conn: &mut DbConn, batch: &super::bulk::Batch) -> Result<()> {
    match conn {
        DbConn::Pg(c) => batch.copy_into(c),
        DbConn::Sqlite(c) => batch.insert_into(c),
    }
}

/// Locks a user's row until the transaction ends (PostgreSQL only: see the module's note), so two
/// schedulers booking the same officer take turns and the second sees the first booking.
pub fn lock_user(conn: &mut DbConn, user_id: &str) -> Result<()> {
    if let DbConn::Pg(c) = conn {
        users::table
            .find(user_id)
            .select(users::id)
            .for_update()
            .first::<String>(c)
            .optional()?;
    }
    Ok(())
}

/// Locks an interpreter's row until the transaction ends, as [`lock_user`] does for officers.
pub fn lock_interpreter(conn: &mut DbConn, interpreter_id: &str) -> Result<()> {
    if let DbConn::Pg(c) = conn {
        interpreters::table
            .find(interpreter_id)
            .select(interpreters::id)
            .for_update()
            .first::<String>(c)
            .optional()?;
    }
    Ok(())
}

/// Locks an office's row until the transaction ends, so two applicants booking the office's
/// registration desk take turns and the second sees the first booking.
pub fn lock_office(conn: &mut DbConn, office_id: &str) -> Result<()> {
    if let DbConn::Pg(c) = conn {
        super::schema::offices::table
            .find(office_id)
            .select(super::schema::offices::id)
            .for_update()
            .first::<String>(c)
            .optional()?;
    }
    Ok(())
}

/// Whether a notification arrived on this connection's LISTEN since the last call (taking all
/// that are waiting). SQLite has none: its one server process needs no waking.
pub fn notified(conn: &mut DbConn) -> Result<bool> {
    match conn {
        DbConn::Pg(c) => {
            let mut any = false;
            for n in c.notifications_iter() {
                n?;
                any = true;
            }
            Ok(any)
        }
        DbConn::Sqlite(_) => Ok(false),
    }
}

/// Serialises biometric enrolments across every server process until the transaction ends
/// (a transaction-scoped advisory lock on PostgreSQL). SQLite serves from one process and
/// lets one writer in at a time, which serialises them already.
pub fn enrolment_lock(conn: &mut DbConn) -> Result<()> {
    /// The lock's key: "amparo biometric enrolment", any constant the schema uses for nothing
    /// else.
    const KEY: i64 = 0x616d_7061_726f_4245;
    match conn {
        DbConn::Pg(c) => {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                .bind::<BigInt, _>(KEY)
                .execute(c)?;
        }
        DbConn::Sqlite(_) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        let t = "a = {} AND b = {}";
        assert_eq!(placeholders(t, true), "a = $1 AND b = $2");
        assert_eq!(placeholders(t, false), "a = ? AND b = ?");
    }
}
