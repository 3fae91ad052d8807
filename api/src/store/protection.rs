//! Protection cases: intake, the guarded procedure of `domain::protection`, the follow-ups-due
//! queue. Every call takes the caller's Scope; every read is audited, every write checks the
//! version read and records its history event, its audit event and its feed entry in the same
//! transaction (`guarded.rs`, shared with resettlement).

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::audit::{Entry, Reads};
use super::db::DbConn;
use super::guarded::{self, CaseEvent, Event, Procedure, refusal};
use super::schema::{individuals, protection_cases, users};
use super::scope::Scope;
use super::{new_id, now};
use crate::domain::access::{Permission, Role, parse_roles};
use crate::domain::feed::RecordKind;
use crate::domain::protection::{self, Action, ActionKind, ProtectionState};
use crate::error::{Error, Reason, Result};

/// The protection procedure's names in the store.
const PROCEDURE: Procedure = Procedure {
    record_type: "protection_case",
    step_action: "protection_action",
    feed_kind: RecordKind::ProtectionCase,
    noun: "protection case",
};

/// A protection case row: the queue columns and the state.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = protection_cases)]
pub struct ProtectionRow {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub case_number: String,
    pub principal_id: String,
    pub category: String,
    pub risk_level: String,
    pub status: String,
    pub assigned_officer_id: Option<String>,
    pub next_follow_up: Option<NaiveDate>,
    pub state: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A case as read: its row and its parsed state.
#[derive(Debug, Clone)]
pub struct ProtectionCase {
    pub row: ProtectionRow,
    pub state: ProtectionState,
}

impl ProtectionRow {
    fn parsed(self) -> Result<ProtectionCase> {
        let state = PROCEDURE.parse(&self.state, &self.case_number)?;
        Ok(ProtectionCase { row: self, state })
    }
}

/// Today in the unit's local calendar (follow-ups fall due on local dates).
pub fn today(conn: &mut DbConn, scope: &Scope) -> Result<NaiveDate> {
    let settings = super::workflow::unit_settings(conn, scope.unit_id())?;
    Ok((now() + TimeDelta::minutes(i64::from(settings.calendar.utc_offset_minutes))).date())
}

/// What intake sends: the people (the first is the principal) and the intake record.
#[derive(Debug, Clone)]
pub struct NewProtectionCase {
    pub principal_id: String,
    pub member_ids: Vec<String>,
    pub category: String,
    pub sub_code: Option<String>,
    pub risk: protection::RiskLevel,
    pub intake_summary: String,
}

/// Opens a protection case for people the caller may see; returns its id.
pub fn open(conn: &mut DbConn, scope: &Scope, new: &NewProtectionCase) -> Result<String> {
    scope.require(Permission::ManageProtection)?;
    let office_id = scope.registering_office()?.to_string();
    let mut ids = vec![new.principal_id.clone()];
    for id in &new.member_ids {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    let found: Vec<(String, Option<NaiveDate>)> = individuals::table
        .filter(individuals::id.eq_any(&ids))
        .filter(scope.individuals())
        .select((individuals::id, individuals::date_of_birth))
        .load(conn)?;
    for (i, id) in ids.iter().enumerate() {
        if !found.iter().any(|f| &f.0 == id) {
            let field = if i == 0 {
                "input.principalId".to_string()
            } else {
                format!(
                    "input.memberIds.{}",
                    new.member_ids.iter().position(|m| m == id).unwrap_or(0)
                )
            };
            return Err(Error::invalid(
                field,
                Reason::Unspecified,
                "no individual with this id in your scope",
            ));
        }
    }
    let members = ids
        .iter()
        .map(|id| protection::Member {
            individual_id: id.clone(),
            date_of_birth: found.iter().find(|f| &f.0 == id).and_then(|f| f.1),
            principal: id == &new.principal_id,
        })
        .collect();
    let me = super::workflow::actor(conn, scope)?;
    let today = today(conn, scope)?;
    let state = protection::open(
        protection::NewCase {
            category: new.category.clone(),
            sub_code: new.sub_code.clone(),
            risk: new.risk,
            intake_summary: new.intake_summary.clone(),
            members,
        },
        &me,
        today,
    )
    .map_err(refusal)?;
    let unit = super::users::unit(conn, scope.unit_id())?;
    let number = super::registry::format_number(
        &unit.code,
        'P',
        super::registry::next_number(conn, scope.unit_id(), "protection_case")?,
    );
    let id = new_id();
    let at = now();
    let json = PROCEDURE.to_json(&state)?;
    diesel::insert_into(protection_cases::table)
        .values((
            protection_cases::id.eq(&id),
            protection_cases::operation_unit_id.eq(scope.unit_id()),
            protection_cases::office_id.eq(&office_id),
            protection_cases::case_number.eq(&number),
            protection_cases::principal_id.eq(&new.principal_id),
            protection_cases::category.eq(&state.category),
            protection_cases::risk_level.eq(state.risk.as_str()),
            protection_cases::status.eq(state.status.as_str()),
            protection_cases::assigned_officer_id.eq(&state.assigned_officer),
            protection_cases::next_follow_up.eq(state.next_follow_up()),
            protection_cases::state.eq(json),
            protection_cases::version.eq(1),
            protection_cases::created_at.eq(at),
            protection_cases::updated_at.eq(at),
        ))
        .execute(conn)?;
    PROCEDURE.record_open(
        conn,
        scope,
        &id,
        event("opened", at, &state),
        &[Entry::ok("create", "protection_case", &id)],
        state.field_group(),
    )?;
    Ok(id)
}

/// One case the caller may see, its read audited.
pub fn get(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    id: &str,
) -> Result<ProtectionCase> {
    scope.require(Permission::ManageProtection)?;
    let row: ProtectionRow = protection_cases::table
        .filter(protection_cases::id.eq(id))
        .filter(scope.protection_cases())
        .select(ProtectionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("protection case"))?;
    reads.record("protection_case", std::iter::once(row.id.clone()));
    row.parsed()
}

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectionList {
    /// Every open case, latest first.
    Open,
    /// Open cases with a follow-up due today or earlier, the most overdue first.
    FollowUpsDue,
    /// Closed cases, latest first.
    Closed,
}

/// A page of cases the caller may see (each read audited) and whether more follow.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    which: ProtectionList,
    first: i64,
    offset: i64,
) -> Result<(Vec<ProtectionCase>, bool)> {
    scope.require(Permission::ManageProtection)?;
    let mut q = protection_cases::table
        .filter(scope.protection_cases())
        .select(ProtectionRow::as_select())
        .into_boxed();
    q = match which {
        ProtectionList::Open => q
            .filter(protection_cases::status.eq("open"))
            .order((protection_cases::updated_at.desc(), protection_cases::id)),
        ProtectionList::Closed => q
            .filter(protection_cases::status.eq("closed"))
            .order((protection_cases::updated_at.desc(), protection_cases::id)),
        ProtectionList::FollowUpsDue => {
            let today = today(conn, scope)?;
            q.filter(protection_cases::status.eq("open"))
                .filter(protection_cases::next_follow_up.le(today))
                .order((protection_cases::next_follow_up.asc(), protection_cases::id))
        }
    };
    let (rows, more) = guarded::page(q.limit(first + 1).offset(offset).load(conn)?, first);
    reads.record("protection_case", rows.iter().map(|r| r.id.clone()));
    let cases = rows
        .into_iter()
        .map(ProtectionRow::parsed)
        .collect::<Result<Vec<_>>>()?;
    Ok((cases, more))
}

/// What the caller may do on the case now.
pub fn allowed(conn: &mut DbConn, scope: &Scope, case: &ProtectionCase) -> Result<Vec<ActionKind>> {
    let me = super::workflow::actor(conn, scope)?;
    let today = today(conn, scope)?;
    Ok(protection::allowed_actions(&case.state, &me, today))
}

/// The result of an action, kept for replays.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProtectionActed {
    pub client_mutation_id: String,
    pub case_id: String,
    pub version: i32,
}

/// Applies one action to a case the caller may see, checking the version read.
pub fn act(
    conn: &mut DbConn,
    scope: &Scope,
    case_id: &str,
    expected_version: i32,
    action: Action,
) -> Result<i32> {
    let mut reads = Reads::default();
    let case = get(conn, scope, &mut reads, case_id)?;
    guarded::check_version(case.row.version, expected_version)?;
    let kind = action.kind();
    match &action {
        Action::Assign { officer_id } => colleague_with(
            conn,
            scope,
            officer_id,
            "input.officerId",
            Role::ProtectionOfficer,
        )?,
        Action::AddPlanAction { responsible_id, .. } => colleague_with(
            conn,
            scope,
            responsible_id,
            "input.responsibleId",
            Role::ProtectionOfficer,
        )
        .or_else(|_| {
            colleague_with(
                conn,
                scope,
                responsible_id,
                "input.responsibleId",
                Role::Supervisor,
            )
        })?,
        Action::RecordBid { panel, .. } => {
            for (i, p) in panel.iter().enumerate() {
                colleague_any(conn, scope, p, &format!("input.panel.{i}"))?;
            }
        }
        _ => {}
    }
    let me = super::workflow::actor(conn, scope)?;
    let today = today(conn, scope)?;
    let next = protection::apply(&case.state, &me, action, today).map_err(refusal)?;
    let at = now();
    let changed = diesel::update(
        protection_cases::table
            .filter(protection_cases::id.eq(&case.row.id))
            .filter(protection_cases::version.eq(case.row.version)),
    )
    .set((
        protection_cases::risk_level.eq(next.risk.as_str()),
        protection_cases::status.eq(next.status.as_str()),
        protection_cases::assigned_officer_id.eq(&next.assigned_officer),
        protection_cases::next_follow_up.eq(next.next_follow_up()),
        protection_cases::state.eq(PROCEDURE.to_json(&next)?),
        protection_cases::version.eq(case.row.version + 1),
        protection_cases::updated_at.eq(at),
    ))
    .execute(conn)?;
    let version = case.row.version + 1;
    let name = protection::info(kind).name.to_lowercase();
    PROCEDURE.record_step(
        conn,
        scope,
        changed,
        &case.row.operation_unit_id,
        &case.row.id,
        version,
        event(&name, at, &next),
        next.field_group(),
    )?;
    Ok(version)
}

/// A case's history, oldest first (who did what when; the details are in the state).
pub fn history(conn: &mut DbConn, case_id: &str) -> Result<Vec<CaseEvent>> {
    PROCEDURE.history(conn, case_id)
}

/// A history event: the step, the resulting status and risk; the details stay in the case,
/// under its field group, so the history never copies sensitive text.
fn event<'a>(kind: &'a str, at: NaiveDateTime, state: &ProtectionState) -> Event<'a> {
    Event {
        kind,
        at,
        data: serde_json::json!({ "status": state.status.as_str(), "risk": state.risk.as_str() }),
    }
}

/// A user of the caller's unit who holds `role` (active).
fn colleague_with(
    conn: &mut DbConn,
    scope: &Scope,
    user_id: &str,
    field: &str,
    role: Role,
) -> Result<()> {
    let roles = colleague_any(conn, scope, user_id, field)?;
    if roles.contains(&role) {
        Ok(())
    } else {
        Err(Error::validation(
            field,
            format!("this user is not a {}", role.as_str().replace('_', " ")),
        ))
    }
}

/// The roles of an active user of the caller's unit, or VALIDATION on `field`.
fn colleague_any(
    conn: &mut DbConn,
    scope: &Scope,
    user_id: &str,
    field: &str,
) -> Result<Vec<Role>> {
    let found: Option<String> = users::table
        .filter(users::id.eq(user_id))
        .filter(users::operation_unit_id.eq(scope.unit_id()))
        .filter(users::disabled.eq(false))
        .select(users::roles)
        .first(conn)
        .optional()?;
    let roles =
        found.ok_or_else(|| Error::validation(field, "no active user of your unit has this id"))?;
    parse_roles(&roles).map_err(Error::internal)
}
