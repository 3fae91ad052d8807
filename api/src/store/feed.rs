//! The per-unit change feed: the one path by which a store write says what it changed.
//!
//! Every store function that writes personal or case data calls [`record`] in its transaction,
//! so the entry commits or rolls back with the change. The entry names the record, its new
//! version, the operation and the sensitive field groups written, never a value.
//!
//! # Order without gaps
//!
//! PostgreSQL sequences hand out numbers when transactions ask, but transactions commit in
//! another order: a reader that saw position 12 before 11 had committed would skip 11 for good.
//! Two ways out were open: serialise the writers of a unit on a head row, or hand out numbers
//! freely and let readers stop below the oldest transaction still in flight (a snapshot
//! watermark). The watermark keeps writers apart but makes every reader reason about
//! transaction ids, and a long transaction holds every reader back anyway. We serialise, but
//! only at the very end: [`record`] inserts entries without a position, and the database gives
//! them their positions at commit (a deferred constraint trigger on PostgreSQL, see the
//! migration `2026-12-06-300001_change_feed`) under the row lock of the unit's head. The lock is
//! held from the last statement to the commit, not through the transaction's work, so writers of
//! one unit overlap everywhere except in their commits; writers of different units never meet.
//! (Each write already waits far longer on the audit chain's single tip.) Holding the head until
//! commit makes positions commit in the order they are given: whoever takes the head after us
//! does so once our commit is visible, so any snapshot that sees position p sees all below p,
//! and a rollback hands its positions back with the head. SQLite has one writer at a time, so
//! positions are given at insert time there.
//!
//! A reader keeps the last position it applied and calls [`read_after`]: it never misses and
//! never repeats an entry, and needs no clock.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::db::DbConn;
use super::dialect;
use super::now;
use super::schema::{change_feed, change_feed_heads};
use crate::domain::access::FieldGroup;
use crate::domain::feed::{Change, Operation, RecordKind, parse_field_groups};
use crate::error::{Error, Result};

/// The most entries one [`read_after`] returns.
pub const MAX_PAGE: i64 = 1000;

/// Records changes of one operation unit in the caller's write transaction.
pub fn record(conn: &mut DbConn, unit_id: &str, changes: &[Change]) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows: Vec<_> = changes
        .iter()
        .map(|c| FeedRow::of(unit_id, c, at, None))
        .collect();
    // Kept under both backends' bind-parameter limits (8 per row).
    for chunk in rows.chunks(500) {
        dialect::insert_feed_rows(conn, chunk)?;
    }
    Ok(())
}

/// Records a bulk load's changes of one unit, in the caller's transaction, as its last
/// statement before the commit (the seed's batches, hundreds of thousands of entries).
///
/// On PostgreSQL the entries are given their positions here rather than by the seal at commit:
/// the unit's head is advanced by their number, which holds its row lock to the commit exactly
/// as the seal does (so positions still commit in order, and a rollback hands them back), and
/// the entries are copied in with their positions, which the seal's trigger passes over. The
/// seal fires once per entry, and at a seed's scale its firings and the rewrite of every entry
/// cost as much as the load itself. SQLite gives positions at insert time: [`record`].
pub fn record_bulk(conn: &mut DbConn, unit_id: &str, changes: &[Change]) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    if !matches!(conn, DbConn::Pg(_)) {
        return record(conn, unit_id, changes);
    }
    let at = now();
    let base = dialect::advance_feed_head(conn, unit_id, changes.len() as i64)?;
    let rows: Vec<FeedRow> = changes
        .iter()
        .zip(base + 1..)
        .map(|(c, position)| FeedRow::of(unit_id, c, at, Some(position)))
        .collect();
    dialect::copy_positioned_feed_rows(conn, &rows)
}

/// A feed entry as written. Without a position the database gives it one at commit (the
/// seal); a bulk load gives its own ([`record_bulk`]).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = change_feed, treat_none_as_default_value = false)]
pub struct FeedRow<'a> {
    pub operation_unit_id: &'a str,
    pub position: Option<i64>,
    pub record_type: &'a str,
    pub record_id: &'a str,
    pub version: i32,
    pub operation: &'a str,
    pub field_groups: String,
    pub at: NaiveDateTime,
}

impl<'a> FeedRow<'a> {
    fn of(unit_id: &'a str, c: &'a Change, at: NaiveDateTime, position: Option<i64>) -> Self {
        FeedRow {
            operation_unit_id: unit_id,
            position,
            record_type: c.kind.as_str(),
            record_id: c.record_id.as_str(),
            version: c.version,
            operation: c.operation.as_str(),
            field_groups: c.field_groups_text(),
            at,
        }
    }
}

/// One entry of the feed as a reader receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedEntry {
    pub position: i64,
    pub kind: RecordKind,
    pub record_id: String,
    pub version: i32,
    pub operation: Operation,
    pub field_groups: Vec<FieldGroup>,
    pub at: NaiveDateTime,
}

type EntryRow = (
    Option<i64>,
    String,
    String,
    i32,
    String,
    String,
    NaiveDateTime,
);

fn entry(row: EntryRow) -> Result<FeedEntry> {
    let (position, kind, record_id, version, operation, groups, at) = row;
    let bad = |what: String| Error::internal(format!("unreadable change feed entry: {what}"));
    Ok(FeedEntry {
        position: position.ok_or_else(|| bad("no position".into()))?,
        kind: RecordKind::parse(&kind).ok_or_else(|| bad(format!("record type {kind:?}")))?,
        record_id,
        version,
        operation: Operation::parse(&operation)
            .ok_or_else(|| bad(format!("operation {operation:?}")))?,
        field_groups: parse_field_groups(&groups).map_err(bad)?,
        at,
    })
}

/// The unit's entries after position `after` (0 for the start), in order, at most `limit`
/// (capped at [`MAX_PAGE`]). The entries returned are always consecutive: the next call
/// continues from the last position returned.
///
/// This is a system interface for the server's own followers (field node sync, statistics,
/// notices, caches): it carries no personal values, but a caller that shows entries to a user
/// still checks that user's scope on the records they name.
pub fn read_after(
    conn: &mut DbConn,
    unit_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<FeedEntry>> {
    if after < 0 {
        return Err(Error::validation(
            "after",
            "a feed position is never negative",
        ));
    }
    let rows: Vec<EntryRow> = change_feed::table
        .filter(change_feed::operation_unit_id.eq(unit_id))
        .filter(change_feed::position.gt(after))
        .order(change_feed::position.asc())
        .limit(limit.clamp(1, MAX_PAGE))
        .select((
            change_feed::position,
            change_feed::record_type,
            change_feed::record_id,
            change_feed::version,
            change_feed::operation,
            change_feed::field_groups,
            change_feed::at,
        ))
        .load(conn)?;
    rows.into_iter().map(entry).collect()
}

/// The unit's last committed position (0 when nothing was recorded yet): where a follower that
/// starts from a full copy read in the same snapshot begins.
pub fn head(conn: &mut DbConn, unit_id: &str) -> Result<i64> {
    Ok(change_feed_heads::table
        .find(unit_id)
        .select(change_feed_heads::position)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// The ids of the records of one kind the unit's feed names after position `after`, in order:
/// what a server process has not yet taken in of that kind (see `follower`).
pub fn records_after(
    conn: &mut DbConn,
    unit_id: &str,
    after: i64,
    kind: RecordKind,
) -> Result<Vec<String>> {
    Ok(change_feed::table
        .filter(change_feed::operation_unit_id.eq(unit_id))
        .filter(change_feed::position.gt(after))
        .filter(change_feed::record_type.eq(kind.as_str()))
        .order(change_feed::position.asc())
        .select(change_feed::record_id)
        .load(conn)?)
}
