//! Resettlement cases: identification (or the hand-off from a protection case), the guarded
//! procedure of `domain::resettlement`, the queues of each step with their deadlines. Every
//! call takes the caller's Scope; every read is audited, every write checks the version read
//! and records its history event, its audit event and its feed entry in the same transaction
//! (`guarded.rs`, shared with protection).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::audit::{self, Actor as AuditActor, Entry, Reads};
use super::db::DbConn;
use super::guarded::{self, CaseEvent, Event, Procedure, refusal};
use super::schema::{individuals, resettlement_cases};
use super::scope::Scope;
use super::{new_id, now};
use crate::domain::access::Permission;
use crate::domain::feed::RecordKind;
use crate::domain::resettlement::{self, Action, ActionKind, Priority, ResettlementState, Status};
use crate::error::{Error, Reason, Result};

/// The resettlement procedure's names in the store.
const PROCEDURE: Procedure = Procedure {
    record_type: "resettlement_case",
    step_action: "resettlement_action",
    feed_kind: RecordKind::ResettlementCase,
    noun: "resettlement case",
};

/// A resettlement case row: the queue columns and the state.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = resettlement_cases)]
pub struct ResettlementRow {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub case_number: String,
    pub principal_id: String,
    pub protection_case_id: Option<String>,
    pub status: String,
    pub priority: String,
    pub due_on: Option<NaiveDate>,
    pub state: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A case as read: its row and its parsed state.
#[derive(Debug, Clone)]
pub struct ResettlementCase {
    pub row: ResettlementRow,
    pub state: ResettlementState,
}

impl ResettlementRow {
    fn parsed(self) -> Result<ResettlementCase> {
        let state = PROCEDURE.parse(&self.state, &self.case_number)?;
        Ok(ResettlementCase { row: self, state })
    }
}

/// What identification (or a hand-off) sends: the people (the first is the principal).
#[derive(Debug, Clone)]
pub struct NewResettlementCase {
    pub principal_id: String,
    pub member_ids: Vec<String>,
    pub categories: Vec<String>,
    pub priority: Priority,
    pub summary: String,
    /// The protection case a protection officer hands the family over from.
    pub protection_case_id: Option<String>,
}

/// Opens a resettlement case for people the caller may see; returns its id. A hand-off names
/// a protection case of the caller's unit, whose members it takes when none are named.
pub fn open(conn: &mut DbConn, scope: &Scope, new: &NewResettlementCase) -> Result<String> {
    let handing_off = new.protection_case_id.is_some();
    if handing_off {
        scope.require(Permission::ManageProtection)?;
    } else {
        scope.require(Permission::ManageResettlement)?;
    }
    let office_id = scope.registering_office()?.to_string();
    let mut ids = vec![new.principal_id.clone()];
    if let Some(pc) = &new.protection_case_id {
        let mut reads = Reads::default();
        let case = super::protection::get(conn, scope, &mut reads, pc).map_err(|_| {
            Error::validation(
                "input.protectionCaseId",
                "no protection case with this id in your scope",
            )
        })?;
        audit::append(conn, &AuditActor::from(scope), &reads.into_entries())?;
        for m in &case.state.members {
            if !ids.contains(&m.individual_id) {
                ids.push(m.individual_id.clone());
            }
        }
        if !case
            .state
            .members
            .iter()
            .any(|m| m.individual_id == new.principal_id)
        {
            return Err(Error::validation(
                "input.principalId",
                "the principal is not a member of the protection case",
            ));
        }
    }
    for id in &new.member_ids {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    let found: Vec<String> = individuals::table
        .filter(individuals::id.eq_any(&ids))
        .filter(scope.individuals())
        .select(individuals::id)
        .load(conn)?;
    if let Some(missing) = ids.iter().position(|id| !found.contains(id)) {
        let field = if missing == 0 {
            "input.principalId".to_string()
        } else {
            "input.memberIds".to_string()
        };
        return Err(Error::invalid(
            field,
            Reason::Unspecified,
            "no individual with this id in your scope",
        ));
    }
    let members = ids
        .iter()
        .map(|id| resettlement::Member {
            individual_id: id.clone(),
            principal: id == &new.principal_id,
        })
        .collect();
    let me = super::workflow::actor(conn, scope)?;
    let today = super::protection::today(conn, scope)?;
    let state = resettlement::open(
        resettlement::NewCase {
            categories: new.categories.clone(),
            priority: new.priority,
            summary: new.summary.clone(),
            members,
            from_protection_case: new.protection_case_id.clone(),
        },
        &me,
        today,
    )
    .map_err(refusal)?;
    let unit = super::users::unit(conn, scope.unit_id())?;
    let number = super::registry::format_number(
        &unit.code,
        'R',
        super::registry::next_number(conn, scope.unit_id(), "resettlement_case")?,
    );
    let id = new_id();
    let at = now();
    diesel::insert_into(resettlement_cases::table)
        .values((
            resettlement_cases::id.eq(&id),
            resettlement_cases::operation_unit_id.eq(scope.unit_id()),
            resettlement_cases::office_id.eq(&office_id),
            resettlement_cases::case_number.eq(&number),
            resettlement_cases::principal_id.eq(&new.principal_id),
            resettlement_cases::protection_case_id.eq(&new.protection_case_id),
            resettlement_cases::status.eq(state.status.as_str()),
            resettlement_cases::priority.eq(state.priority.as_str()),
            resettlement_cases::due_on.eq(state.due_on()),
            resettlement_cases::state.eq(PROCEDURE.to_json(&state)?),
            resettlement_cases::version.eq(1),
            resettlement_cases::created_at.eq(at),
            resettlement_cases::updated_at.eq(at),
        ))
        .execute(conn)?;
    let kind = if handing_off {
        "handed_off"
    } else {
        "identified"
    };
    let mut entries = vec![Entry::ok("create", "resettlement_case", &id)];
    if let Some(pc) = &new.protection_case_id {
        entries.push(Entry::ok("hand_off_to_resettlement", "protection_case", pc));
    }
    PROCEDURE.record_open(
        conn,
        scope,
        &id,
        event(kind, at, &state),
        &entries,
        state.field_groups(),
    )?;
    Ok(id)
}

/// One case the caller may see, its read audited.
pub fn get(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    id: &str,
) -> Result<ResettlementCase> {
    scope.require(Permission::ManageResettlement)?;
    let row: ResettlementRow = resettlement_cases::table
        .filter(resettlement_cases::id.eq(id))
        .filter(scope.resettlement_cases())
        .select(ResettlementRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("resettlement case"))?;
    reads.record("resettlement_case", std::iter::once(row.id.clone()));
    row.parsed()
}

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResettlementList {
    /// Every case not ended, the earliest deadline first: the steps pending.
    Pending,
    /// Cases at one step, the earliest deadline first: that step's queue.
    At(Status),
    /// Cases whose step is overdue today, the most overdue first.
    Overdue,
    /// Departed and exited cases, latest first.
    Ended,
}

/// A page of cases the caller may see (each read audited) and whether more follow.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    which: ResettlementList,
    first: i64,
    offset: i64,
) -> Result<(Vec<ResettlementCase>, bool)> {
    scope.require(Permission::ManageResettlement)?;
    use resettlement_cases as r;
    let ended = [Status::Departed.as_str(), Status::Exited.as_str()];
    let mut q = r::table
        .filter(scope.resettlement_cases())
        .select(ResettlementRow::as_select())
        .into_boxed();
    q = match which {
        ResettlementList::Pending => q
            .filter(r::status.ne_all(ended))
            .order((r::due_on.asc(), r::id)),
        ResettlementList::At(status) => q
            .filter(r::status.eq(status.as_str()))
            .order((r::due_on.asc(), r::id)),
        ResettlementList::Overdue => {
            let today = super::protection::today(conn, scope)?;
            q.filter(r::status.ne_all(ended))
                .filter(r::due_on.lt(today))
                .order((r::due_on.asc(), r::id))
        }
        ResettlementList::Ended => q
            .filter(r::status.eq_any(ended))
            .order((r::updated_at.desc(), r::id)),
    };
    let (rows, more) = guarded::page(q.limit(first + 1).offset(offset).load(conn)?, first);
    reads.record("resettlement_case", rows.iter().map(|r| r.id.clone()));
    let cases = rows
        .into_iter()
        .map(ResettlementRow::parsed)
        .collect::<Result<Vec<_>>>()?;
    Ok((cases, more))
}

/// What the caller may do on the case now.
pub fn allowed(
    conn: &mut DbConn,
    scope: &Scope,
    case: &ResettlementCase,
) -> Result<Vec<ActionKind>> {
    let me = super::workflow::actor(conn, scope)?;
    Ok(resettlement::allowed_actions(&case.state, &me))
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
    let me = super::workflow::actor(conn, scope)?;
    let today = super::protection::today(conn, scope)?;
    let next = resettlement::apply(&case.state, &me, action, today).map_err(refusal)?;
    let at = now();
    let changed = diesel::update(
        resettlement_cases::table
            .filter(resettlement_cases::id.eq(&case.row.id))
            .filter(resettlement_cases::version.eq(case.row.version)),
    )
    .set((
        resettlement_cases::status.eq(next.status.as_str()),
        resettlement_cases::due_on.eq(next.due_on()),
        resettlement_cases::state.eq(PROCEDURE.to_json(&next)?),
        resettlement_cases::version.eq(case.row.version + 1),
        resettlement_cases::updated_at.eq(at),
    ))
    .execute(conn)?;
    let version = case.row.version + 1;
    let name = resettlement::info(kind).name.to_lowercase();
    PROCEDURE.record_step(
        conn,
        scope,
        changed,
        &case.row.operation_unit_id,
        &case.row.id,
        version,
        event(&name, at, &next),
        next.field_groups(),
    )?;
    Ok(version)
}

/// A case's history, oldest first (who did what when; the details are in the state).
pub fn history(conn: &mut DbConn, case_id: &str) -> Result<Vec<CaseEvent>> {
    PROCEDURE.history(conn, case_id)
}

/// The resettlement cases opened from a protection case (ids), for its screen.
pub fn from_protection_case(conn: &mut DbConn, scope: &Scope, pc: &str) -> Result<Vec<String>> {
    Ok(resettlement_cases::table
        .filter(resettlement_cases::protection_case_id.eq(pc))
        .filter(resettlement_cases::operation_unit_id.eq(scope.unit_id()))
        .select(resettlement_cases::case_number)
        .load(conn)?)
}

/// A history event: the step and the resulting status; the reasoning stays in the case,
/// under its field groups, so the history never copies sensitive text.
fn event<'a>(kind: &'a str, at: NaiveDateTime, state: &ResettlementState) -> Event<'a> {
    Event {
        kind,
        at,
        data: serde_json::json!({ "status": state.status.as_str() }),
    }
}
