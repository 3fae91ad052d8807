//! What the store of the guarded procedures other than RSD (protection, resettlement) does
//! the same way for both: the case's state kept as JSON beside the columns its lists read,
//! the version check of a step, a page of a list, and what every step writes with the case in
//! the same transaction: its history event (who did what when and the status after, never the
//! details, which stay in the state under their field groups), its audit entry and its feed
//! entry. Each procedure's module keeps its own table, columns and lists.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::audit::{self, Actor as AuditActor, Entry};
use super::db::DbConn;
use super::feed;
use super::new_id;
use super::schema::{events, users};
use super::scope::Scope;
use crate::domain::access::FieldGroup;
use crate::domain::feed::{Change, RecordKind};
use crate::domain::rsd::{Refusal, RefusalKind};
use crate::error::{Error, Reason, Result};

/// One guarded procedure's names in the store.
#[derive(Debug, Clone, Copy)]
pub struct Procedure {
    /// The record type of its events and audit entries (`protection_case`).
    pub record_type: &'static str,
    /// The audit action of a step (`protection_action`).
    pub step_action: &'static str,
    /// Its records in the change feed.
    pub feed_kind: RecordKind,
    /// How a person reads it in an error (`protection case`).
    pub noun: &'static str,
}

impl Procedure {
    /// A case's state from its column.
    pub fn parse<S: DeserializeOwned>(&self, json: &str, case_number: &str) -> Result<S> {
        serde_json::from_str(json).map_err(|e| {
            Error::internal(format!(
                "the state of {} {case_number} cannot be read: {e}",
                self.noun
            ))
        })
    }

    /// A case's state for its column.
    pub fn to_json<S: Serialize>(&self, state: &S) -> Result<String> {
        serde_json::to_string(state)
            .map_err(|e| Error::internal(format!("cannot store the {}: {e}", self.noun)))
    }

    /// The event of a case's opening (`opened`, `identified`, `handed_off`) with its audit
    /// entries and its feed entry.
    pub fn record_open(
        &self,
        conn: &mut DbConn,
        scope: &Scope,
        case_id: &str,
        event: Event<'_>,
        audit_entries: &[Entry],
        groups: impl IntoIterator<Item = FieldGroup>,
    ) -> Result<()> {
        self.append_event(conn, scope, case_id, event)?;
        audit::append(conn, &AuditActor::from(scope), audit_entries)?;
        feed::record(
            conn,
            scope.unit_id(),
            &[Change::create(self.feed_kind, case_id).touching(groups)],
        )
    }

    /// What a step writes after the case's row: refuses a row that moved meanwhile
    /// (`changed` rows updated, 1 expected), then records the event, the audit entry and the
    /// feed entry of the case's new `version` in the case's unit.
    #[allow(clippy::too_many_arguments)]
    pub fn record_step(
        &self,
        conn: &mut DbConn,
        scope: &Scope,
        changed: usize,
        unit_id: &str,
        case_id: &str,
        version: i32,
        event: Event<'_>,
        groups: impl IntoIterator<Item = FieldGroup>,
    ) -> Result<()> {
        if changed != 1 {
            return Err(Error::conflict(
                "the case was changed by someone else at the same moment; reload and try again",
            ));
        }
        self.append_event(conn, scope, case_id, event)?;
        audit::append(
            conn,
            &AuditActor::from(scope),
            &[Entry::ok(self.step_action, self.record_type, case_id)],
        )?;
        feed::record(
            conn,
            unit_id,
            &[Change::update(self.feed_kind, case_id, version).touching(groups)],
        )
    }

    fn append_event(
        &self,
        conn: &mut DbConn,
        scope: &Scope,
        case_id: &str,
        event: Event<'_>,
    ) -> Result<()> {
        diesel::insert_into(events::table)
            .values((
                events::id.eq(new_id()),
                events::operation_unit_id.eq(scope.unit_id()),
                events::record_type.eq(self.record_type),
                events::record_id.eq(case_id),
                events::kind.eq(event.kind),
                events::actor_id.eq(scope.user_id()),
                events::at.eq(event.at),
                events::data.eq(event.data.to_string()),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// A case's history, oldest first (who did what when; the details are in the state).
    pub fn history(&self, conn: &mut DbConn, case_id: &str) -> Result<Vec<CaseEvent>> {
        let rows: Vec<(String, Option<String>, NaiveDateTime)> = events::table
            .left_join(users::table.on(users::id.eq(events::actor_id)))
            .filter(events::record_type.eq(self.record_type))
            .filter(events::record_id.eq(case_id))
            .order((events::at.asc(), events::id.asc()))
            .select((events::kind, users::username.nullable(), events::at))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(kind, actor, at)| CaseEvent {
                kind,
                actor: actor.unwrap_or_default(),
                at,
            })
            .collect())
    }
}

/// A history event as written: its kind (`opened`, or the action's stable name in lower
/// case), when, and what it records (the status after, never the details).
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub kind: &'a str,
    pub at: NaiveDateTime,
    pub data: serde_json::Value,
}

/// One history entry of a case.
#[derive(Debug, Clone)]
pub struct CaseEvent {
    pub kind: String,
    pub actor: String,
    pub at: NaiveDateTime,
}

/// Refuses a step on a case read at another version than the caller's.
pub fn check_version(found: i32, expected: i32) -> Result<()> {
    if found == expected {
        return Ok(());
    }
    Err(Error::conflict(format!(
        "the case was changed by someone else (you had version {expected}, it is now {found}); reload and try again"
    )))
}

/// A page of `first` rows out of the `first + 1` read, and whether more follow.
pub fn page<R>(mut rows: Vec<R>, first: i64) -> (Vec<R>, bool) {
    let first = usize::try_from(first).unwrap_or(0);
    let more = rows.len() > first;
    rows.truncate(first);
    (rows, more)
}

/// A domain refusal as the API's error, its field under `input`.
pub fn refusal(r: Refusal) -> Error {
    match r.kind {
        RefusalKind::Forbidden => Error::forbidden(r.message),
        RefusalKind::Invalid => Error::invalid(
            r.field
                .map_or_else(|| "input".to_string(), |f| format!("input.{f}")),
            r.reason.unwrap_or(Reason::Unspecified),
            r.message,
        ),
    }
}
