//! The RSD workflow in the store: loads a case's workflow state, lets the pure rules of
//! [`crate::domain::rsd`] decide, and writes the new state, its queue columns, the appointment
//! book and the case history in the caller's transaction.
//!
//! The state is one JSON value in `cases.workflow`; the queue columns beside it are rewritten
//! from it on every transition, so queues never read the JSON. An update names the case version
//! the caller read and is refused with CONFLICT when the case moved since, and the row is
//! updated only where that version still stands, so two officers acting at once cannot both
//! win.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::audit::{self, Actor as AuditActor, Entry};
use super::db::DbConn;
use super::dialect;
use super::feed;
use super::rows::CaseRow;
use super::schema::*;
use super::scope::Scope;
use super::{new_id, now};
use crate::domain::access::{Permission, Role, parse_roles};
use crate::domain::error::{BookingClash, WorkingHours};
use crate::domain::feed::{Change, RecordKind};
use crate::domain::rsd::{
    self, Action, ActionKind, CaseEvent, CaseState, Modality, RefusalKind, ReopenGround, Stage,
    Status, UnitRules,
};
use crate::error::{Error, Reason, Result};

/// How long an interview is booked for unless the scheduler says otherwise.
pub const DEFAULT_INTERVIEW_MINUTES: u32 = 120;
/// The shortest and longest bookable interview.
pub const INTERVIEW_MINUTES: std::ops::RangeInclusive<u32> = 30..=480;

/// A unit's settings as stored in `operation_units.settings`: the procedure's rules and the
/// office calendar. Every field has Ecuador's value as its default, so a unit stores only what
/// differs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitSettings {
    pub rsd: UnitRules,
    pub calendar: Calendar,
    /// Passwords, sessions and one-time codes.
    pub access: crate::domain::access::AccessSettings,
    /// The public pre-registration form and its registration-desk calendar.
    pub pre_registration: PreRegistrationSettings,
    /// Disclosure control of published statistics: threshold and rounding.
    pub statistics: crate::domain::stats::disclosure::Rule,
}

/// Whether the unit takes pre-registrations from the public form, how long one never converted
/// is kept, and the registration desk's calendar: slots of `slot_minutes` in each office's
/// working hours, `desks` applicants per slot, bookable `days_ahead` days ahead. The desk is
/// not the officers' interview capacity (appointments of cases): the two never share a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PreRegistrationSettings {
    pub enabled: bool,
    pub retention_days: u32,
    pub slot_minutes: u32,
    pub desks: u32,
    pub days_ahead: u32,
}

impl Default for PreRegistrationSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            retention_days: 90,
            slot_minutes: 30,
            desks: 2,
            days_ahead: 14,
        }
    }
}

/// When interviews may be booked. Times in the database are UTC; the working day is the
/// offices' local time, which `utc_offset_minutes` gives (Ecuador keeps UTC-5 all year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Calendar {
    pub utc_offset_minutes: i32,
    /// Minutes after local midnight.
    pub day_starts: u32,
    pub day_ends: u32,
    /// ISO weekdays, Monday = 1.
    pub working_days: Vec<u32>,
}

impl Default for Calendar {
    fn default() -> Self {
        Self {
            utc_offset_minutes: -300,
            day_starts: 8 * 60,
            day_ends: 17 * 60,
            working_days: vec![1, 2, 3, 4, 5],
        }
    }
}

impl Calendar {
    /// Refuses a booking outside the working day, in words for the scheduler; local time is
    /// the unit's offset from UTC.
    #[cfg(test)]
    fn check(&self, starts: NaiveDateTime, minutes: u32) -> Result<()> {
        let offset = TimeDelta::minutes(i64::from(self.utc_offset_minutes));
        self.check_local(starts, starts + offset, minutes)
    }

    /// Refuses a booking at `starts` (UTC), which is `local` on the office's clock, outside the
    /// working day.
    fn check_local(&self, starts: NaiveDateTime, local: NaiveDateTime, minutes: u32) -> Result<()> {
        let start = local.hour() * 60 + local.minute();
        let weekday = local.weekday().number_from_monday();
        if !self.working_days.contains(&weekday) {
            return Err(Error::invalid(
                "at",
                Reason::NotWorkingDay {
                    at: rfc3339(starts),
                },
                format!(
                    "{} is not a working day; book interviews on working days only",
                    local.format("%A %Y-%m-%d")
                ),
            ));
        }
        if start < self.day_starts || start + minutes > self.day_ends {
            let hhmm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
            return Err(Error::invalid(
                "at",
                Reason::OutsideWorkingHours(Box::new(WorkingHours {
                    starts: rfc3339(starts),
                    ends: rfc3339(starts + TimeDelta::minutes(i64::from(minutes))),
                    day_starts: hhmm(self.day_starts),
                    day_ends: hhmm(self.day_ends),
                })),
                format!(
                    "the interview ({}–{} local time) falls outside working hours ({:02}:{:02}–{:02}:{:02})",
                    local.format("%H:%M"),
                    (local + TimeDelta::minutes(i64::from(minutes))).format("%H:%M"),
                    self.day_starts / 60,
                    self.day_starts % 60,
                    self.day_ends / 60,
                    self.day_ends % 60
                ),
            ));
        }
        Ok(())
    }
}

/// One office's working calendar: its own working hours (else its unit's), its holidays and its
/// clock (its own time zone, else its unit's). Interviews and the registration desk are both
/// booked against it, so an admin's change to an office's hours or holidays holds everywhere.
#[derive(Debug, Clone)]
pub struct OfficeCalendar {
    /// Hours and days; `utc_offset_minutes` is the office clock's offset now, for the desk's
    /// slot arithmetic (Ecuador's zones keep one offset all year).
    pub hours: Calendar,
    pub holidays: Vec<NaiveDate>,
    pub zone: chrono_tz::Tz,
}

impl OfficeCalendar {
    /// A UTC time on the office's clock.
    pub fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        use chrono::TimeZone;
        self.zone.from_utc_datetime(&utc).naive_local()
    }

    /// Refuses an interview at `starts` (UTC) for `minutes` on a holiday, on a day the office
    /// does not work, or outside its hours, in words for the scheduler.
    pub fn check(&self, starts: NaiveDateTime, minutes: u32) -> Result<()> {
        let local = self.local(starts);
        if self.holidays.contains(&local.date()) {
            return Err(Error::invalid(
                "at",
                Reason::NotWorkingDay {
                    at: rfc3339(starts),
                },
                format!(
                    "{} is a holiday at this office; book interviews on working days only",
                    local.format("%A %Y-%m-%d")
                ),
            ));
        }
        self.hours.check_local(starts, local, minutes)
    }
}

/// The calendar of `office_id`, whose unit's settings are `unit`.
pub fn office_calendar(
    conn: &mut DbConn,
    office_id: &str,
    unit: &UnitSettings,
) -> Result<OfficeCalendar> {
    let (hours, holidays, office_zone, unit_id): (String, String, String, String) = offices::table
        .filter(offices::id.eq(office_id))
        .select((
            offices::working_hours,
            offices::holidays,
            offices::time_zone,
            offices::operation_unit_id,
        ))
        .first(conn)?;
    let unit_zone: String = operation_units::table
        .find(&unit_id)
        .select(operation_units::time_zone)
        .first(conn)?;
    let mut calendar: Calendar = if hours.is_empty() {
        unit.calendar.clone()
    } else {
        serde_json::from_str(&hours)
            .map_err(|e| Error::config(format!("office {office_id} working hours: {e}")))?
    };
    let zone = [office_zone.as_str(), unit_zone.as_str()]
        .into_iter()
        .find_map(crate::domain::time_zone::parse)
        .unwrap_or(chrono_tz::America::Guayaquil);
    let now_there = {
        use chrono::{Offset, TimeZone};
        zone.offset_from_utc_datetime(&now())
            .fix()
            .local_minus_utc()
            / 60
    };
    calendar.utc_offset_minutes = now_there;
    let holidays = if holidays.is_empty() {
        Vec::new()
    } else {
        serde_json::from_str(&holidays)
            .map_err(|e| Error::config(format!("office {office_id} holidays: {e}")))?
    };
    Ok(OfficeCalendar {
        hours: calendar,
        holidays,
        zone,
    })
}

/// A unit's settings; a unit that stored none gets the defaults.
pub fn unit_settings(conn: &mut DbConn, unit_id: &str) -> Result<UnitSettings> {
    let raw: String = operation_units::table
        .find(unit_id)
        .select(operation_units::settings)
        .first(conn)?;
    serde_json::from_str(&raw).map_err(|e| {
        Error::config(format!(
            "the settings of operation unit {unit_id} cannot be read: {e}"
        ))
    })
}

/// What a caller asks of a case. Two steps need what only the store may know: a booking (the
/// appointment's id, the officer's sex, the calendar) and a reopening (the approver's roles, read
/// from the user records, never from the client). Every other step is the domain's action as is.
#[derive(Debug, Clone)]
pub enum Request {
    ScheduleInterview(Booking),
    Reopen {
        ground: ReopenGround,
        approver_id: String,
    },
    Step(Action),
}

/// An interview to book, or an appointment to move.
#[derive(Debug, Clone)]
pub struct Booking {
    pub at: NaiveDateTime,
    pub minutes: u32,
    /// The interviewing officer; the caller when absent.
    pub officer_id: Option<String>,
    /// The language to interpret, when the applicant needs an interpreter.
    pub language: Option<String>,
    /// A particular interpreter; otherwise a free one for the language is chosen.
    pub interpreter_id: Option<String>,
    /// Why an officer of another sex than the applicant asked for is booked.
    pub override_reason: Option<String>,
    /// The pending appointment to move instead of booking a new one.
    pub reschedule: Option<String>,
}

/// What an accepted action changed, for the payload and for subscribers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Acted {
    pub case_id: String,
    pub case_number: String,
    pub office_id: String,
    pub operation_unit_id: String,
    pub event_id: String,
    pub kind: String,
    pub from_status: String,
    pub to_status: String,
    pub stage: String,
    pub actor_id: String,
    pub at: NaiveDateTime,
    pub version: i32,
    /// Officers assigned before and after, so each one's queue can be told.
    pub officers: Vec<String>,
}

/// The case row and its workflow state, as an action finds them.
pub struct Loaded {
    pub row: CaseRow,
    pub state: CaseState,
}

/// A case the caller may see, with its workflow state.
pub fn load(conn: &mut DbConn, scope: &Scope, case_id: &str) -> Result<Loaded> {
    scope.require(Permission::ReadCases)?;
    let found: Option<(CaseRow, Option<String>)> = cases::table
        .filter(cases::id.eq(case_id))
        .filter(scope.cases())
        .select((CaseRow::as_select(), cases::workflow))
        .first(conn)
        .optional()?;
    let (row, workflow) = found.ok_or_else(|| Error::not_found("case"))?;
    let state = match workflow {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            Error::internal(format!(
                "the workflow state of case {} cannot be read: {e}",
                row.case_number
            ))
        })?,
        None => state_from_columns(conn, &row)?,
    };
    Ok(Loaded { row, state })
}

/// The state of a case opened before the workflow was stored: a fresh case in its recorded
/// status, with its members and officer.
fn state_from_columns(conn: &mut DbConn, row: &CaseRow) -> Result<CaseState> {
    let members: Vec<String> = case_members::table
        .filter(case_members::case_id.eq(&row.id))
        .filter(case_members::removed_at.is_null())
        .filter(case_members::individual_id.ne(&row.principal_applicant_id))
        .order(case_members::added_at.asc())
        .select(case_members::individual_id)
        .load(conn)?;
    let modality = Modality::parse(&row.modality).unwrap_or_default();
    let mut state = CaseState::new(
        row.principal_applicant_id.clone(),
        members,
        modality,
        row.opened_at,
    );
    state.status = Status::parse(&row.status).unwrap_or(Status::Registered);
    state.stage = Stage::parse(&row.stage).unwrap_or(Stage::FirstInstance);
    state.assigned_officer = row.assigned_officer_id.clone();
    Ok(state)
}

/// The facts about the case that come from other records: priority from the members' open
/// specific needs, the interviewer preference from the principal applicant.
fn refresh_facts(conn: &mut DbConn, state: &mut CaseState) -> Result<()> {
    let ids: Vec<String> = state
        .individuals()
        .into_iter()
        .map(str::to_string)
        .collect();
    let open_needs: i64 = specific_needs::table
        .filter(specific_needs::individual_id.eq_any(&ids))
        .filter(specific_needs::status.ne("resolved"))
        .count()
        .get_result(conn)?;
    state.priority = open_needs > 0;
    let principal: Option<(Option<String>, bool)> = individuals::table
        .find(&state.principal_id)
        .select((individuals::sex, individuals::same_sex_interviewer))
        .first(conn)
        .optional()?;
    state.interviewer_sex_preference = match principal {
        Some((Some(sex), true)) => Some(sex),
        _ => None,
    };
    Ok(())
}

/// The workflow's view of the caller.
pub fn actor(conn: &mut DbConn, scope: &Scope) -> Result<rsd::Actor> {
    let sex: Option<String> = users::table
        .find(scope.user_id())
        .select(users::sex)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    Ok(rsd::Actor {
        user_id: scope.user_id().to_string(),
        roles: scope.grants().roles().to_vec(),
        sex,
    })
}

/// What the caller may do on the case now.
pub fn allowed(
    conn: &mut DbConn,
    scope: &Scope,
    loaded: &Loaded,
    settings: &UnitSettings,
) -> Result<Vec<ActionKind>> {
    let me = actor(conn, scope)?;
    Ok(rsd::allowed_actions(
        &loaded.state,
        &me,
        &settings.rsd,
        now(),
    ))
}

/// A colleague of the caller's unit named in a request, with their roles and sex.
struct Colleague {
    roles: Vec<Role>,
    sex: Option<String>,
}

fn colleague(conn: &mut DbConn, scope: &Scope, user_id: &str, field: &str) -> Result<Colleague> {
    let found: Option<(String, bool, Option<String>)> = users::table
        .filter(users::id.eq(user_id))
        .filter(users::operation_unit_id.eq(scope.unit_id()))
        .select((users::roles, users::disabled, users::sex))
        .first(conn)
        .optional()?;
    let Some((roles, disabled, sex)) = found else {
        return Err(Error::validation(
            field,
            "no such user in your operation unit",
        ));
    };
    if disabled {
        return Err(Error::validation(field, "that user's account is disabled"));
    }
    let roles = parse_roles(&roles).map_err(|e| Error::internal(format!("stored roles: {e}")))?;
    Ok(Colleague { roles, sex })
}

/// Whether roles allow holding interviews and being assigned cases.
pub(crate) fn is_officer(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| matches!(r, Role::EligibilityOfficer | Role::Supervisor))
}

/// Applies one request to a case the caller may see, checking the version they read. Runs in
/// the caller's write transaction: the state, the queue columns, the appointment book, the case
/// history and the audit log change together or not at all.
pub fn act(
    conn: &mut DbConn,
    scope: &Scope,
    case_id: &str,
    expected_version: i32,
    request: Request,
) -> Result<Acted> {
    let loaded = load(conn, scope, case_id)?;
    if loaded.row.version != expected_version {
        return Err(Error::conflict(format!(
            "the case was changed by someone else (you had version {expected_version}, it is now {}); reload and try again",
            loaded.row.version
        )));
    }
    let settings = unit_settings(conn, scope.unit_id())?;
    let at = now();
    let mut state = loaded.state.clone();
    refresh_facts(conn, &mut state)?;
    let me = actor(conn, scope)?;

    let mut booking: Option<(Booking, String)> = None;
    let action = match request {
        Request::ScheduleInterview(b) => {
            let officer_id = b
                .officer_id
                .clone()
                .unwrap_or_else(|| scope.user_id().to_string());
            let officer = colleague(conn, scope, &officer_id, "input.officerId")?;
            if !is_officer(&officer.roles) {
                return Err(Error::validation(
                    "input.officerId",
                    "interviews are held by eligibility officers or supervisors",
                ));
            }
            let appointment_id = match &b.reschedule {
                Some(id) => {
                    if !state.appointments.iter().any(|a| &a.id == id) {
                        return Err(Error::validation(
                            "input.rescheduleAppointmentId",
                            "that appointment is not pending on this case",
                        ));
                    }
                    id.clone()
                }
                None => new_id(),
            };
            let action = Action::ScheduleInterview {
                appointment_id: appointment_id.clone(),
                at: b.at,
                officer_id,
                officer_sex: officer.sex,
                interpreter_language: b.language.clone(),
                override_reason: b.override_reason.clone(),
            };
            booking = Some((b, appointment_id));
            action
        }
        Request::Reopen {
            ground,
            approver_id,
        } => {
            let approver = colleague(conn, scope, &approver_id, "input.approverId")?;
            Action::Reopen {
                ground,
                approver_id,
                approver_roles: approver.roles,
            }
        }
        Request::Step(Action::Assign { officer_id }) => {
            let officer = colleague(conn, scope, &officer_id, "input.officerId")?;
            if !is_officer(&officer.roles) {
                return Err(Error::validation(
                    "input.officerId",
                    "cases are assigned to eligibility officers or supervisors",
                ));
            }
            Action::Assign { officer_id }
        }
        Request::Step(action) => action,
    };

    let transition = rsd::apply(&state, &me, &action, &settings.rsd, at).map_err(|r| {
        let e = match r.kind {
            RefusalKind::Forbidden => Error::forbidden(r.message),
            RefusalKind::Invalid => Error::invalid(
                camel_case(r.field.unwrap_or("input")),
                r.reason.unwrap_or(crate::error::Reason::Unspecified),
                r.message,
            ),
        };
        e.in_field("input")
    })?;

    if let Some((b, appointment_id)) = &booking {
        book(
            conn,
            scope,
            &loaded.row,
            &settings,
            b,
            appointment_id,
            &transition.state,
        )?;
    }
    settle_appointments(conn, &state, &transition.state, &transition.event)?;
    let version = store_state(conn, &loaded.row, &transition.state, &settings.rsd, at)?;
    feed::record(
        conn,
        &loaded.row.operation_unit_id,
        &[Change::update(RecordKind::Case, &loaded.row.id, version)],
    )?;
    let event_id = append_event(conn, scope, &loaded.row, &transition.event)?;
    audit::append(
        conn,
        &AuditActor::from(scope),
        &[Entry::ok(
            transition.event.kind.as_str(),
            "case",
            &loaded.row.id,
        )],
    )?;
    let mut officers: Vec<String> = Vec::new();
    for o in [
        loaded.row.assigned_officer_id.clone(),
        transition.state.assigned_officer.clone(),
    ]
    .into_iter()
    .flatten()
    {
        if !officers.contains(&o) {
            officers.push(o);
        }
    }
    Ok(Acted {
        case_id: loaded.row.id.clone(),
        case_number: loaded.row.case_number.clone(),
        office_id: loaded.row.office_id.clone(),
        operation_unit_id: loaded.row.operation_unit_id.clone(),
        event_id,
        kind: transition.event.kind.as_str().to_string(),
        from_status: transition.event.from_status.as_str().to_string(),
        to_status: transition.event.to_status.as_str().to_string(),
        stage: transition.event.stage.as_str().to_string(),
        actor_id: scope.user_id().to_string(),
        at,
        version,
        officers,
    })
}

/// Writes the state and its queue columns where the version read still stands; returns the new
/// version.
pub(crate) fn store_state(
    conn: &mut DbConn,
    row: &CaseRow,
    state: &CaseState,
    rules: &UnitRules,
    at: NaiveDateTime,
) -> Result<i32> {
    let q = QueueRow::of(state, rules, row, at);
    let json = serde_json::to_string(state)
        .map_err(|e| Error::internal(format!("cannot store the workflow state: {e}")))?;
    let changed = diesel::update(
        cases::table
            .filter(cases::id.eq(&row.id))
            .filter(cases::version.eq(row.version)),
    )
    .set((
        &q,
        cases::workflow.eq(json),
        cases::version.eq(row.version + 1),
        cases::updated_at.eq(at),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(Error::conflict(
            "the case was changed by someone else at the same moment; reload and try again",
        ));
    }
    Ok(row.version + 1)
}

/// The queue columns of a case, derived from its state. The one writer of these columns: every
/// insert or update of a case (the workflow, both seeders) writes this struct whole.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(
    table_name = cases,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub struct QueueRow {
    pub status: String,
    pub stage: String,
    pub modality: String,
    pub assigned_officer_id: Option<String>,
    pub status_changed_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub decision_due_at: Option<NaiveDateTime>,
    pub appeal_deadline_at: Option<NaiveDateTime>,
    pub abandonment_from: Option<NaiveDateTime>,
    pub next_appointment_at: Option<NaiveDateTime>,
    pub priority: bool,
    pub same_sex_interviewer: bool,
}

impl QueueRow {
    /// `row` is the case before the transition, `at` its time.
    pub(crate) fn of(
        state: &CaseState,
        rules: &UnitRules,
        row: &CaseRow,
        at: NaiveDateTime,
    ) -> Self {
        let c = rsd::queue_columns(state, rules);
        let status_changed_at = if row.status == c.status.as_str() {
            row.status_changed_at.or(Some(row.opened_at))
        } else {
            Some(at)
        };
        Self::from_columns(state, c, status_changed_at)
    }

    pub(crate) fn from_columns(
        state: &CaseState,
        c: rsd::QueueColumns,
        status_changed_at: Option<NaiveDateTime>,
    ) -> Self {
        let active = !c.status.is_terminal();
        // What is due next orders My work: the next interview, the appeal deadline, the
        // abandonment date or the decision target, whichever comes first. An active case with
        // none of them (at appeal stage, say) is due a year after it last moved, so it still
        // sorts after everything that has a date.
        let due_at = active.then(|| {
            [
                c.next_appointment_at,
                c.appeal_deadline,
                c.abandonment_candidate_from,
                c.decision_due,
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or_else(|| status_changed_at.unwrap_or(state.opened_at) + TimeDelta::days(365))
        });
        Self {
            status: c.status.as_str().to_string(),
            stage: c.stage.as_str().to_string(),
            modality: c.modality.as_str().to_string(),
            assigned_officer_id: c.assigned_officer,
            status_changed_at,
            due_at,
            decision_due_at: c.decision_due,
            appeal_deadline_at: c.appeal_deadline,
            abandonment_from: c.abandonment_candidate_from,
            next_appointment_at: c.next_appointment_at,
            priority: c.priority,
            same_sex_interviewer: state.interviewer_sex_preference.is_some(),
        }
    }
}

/// Appends the transition to the case history.
fn append_event(
    conn: &mut DbConn,
    scope: &Scope,
    row: &CaseRow,
    event: &CaseEvent,
) -> Result<String> {
    let id = new_id();
    let data = serde_json::to_value(event)
        .map_err(|e| Error::internal(format!("cannot store the case event: {e}")))?;
    diesel::insert_into(events::table)
        .values((
            events::id.eq(&id),
            events::operation_unit_id.eq(scope.unit_id()),
            events::record_type.eq("case"),
            events::record_id.eq(&row.id),
            events::kind.eq(event.kind.as_str()),
            events::actor_id.eq(scope.user_id()),
            events::at.eq(event.at),
            events::data.eq(data.to_string()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Books (or moves) the appointment the transition scheduled, after checking the calendar, the
/// officer's and the interpreter's other bookings.
fn book(
    conn: &mut DbConn,
    scope: &Scope,
    row: &CaseRow,
    settings: &UnitSettings,
    b: &Booking,
    appointment_id: &str,
    next: &CaseState,
) -> Result<()> {
    if !INTERVIEW_MINUTES.contains(&b.minutes) {
        return Err(Error::validation(
            "input.minutes",
            format!(
                "an interview lasts {} to {} minutes",
                INTERVIEW_MINUTES.start(),
                INTERVIEW_MINUTES.end()
            ),
        ));
    }
    if b.at <= now() {
        return Err(Error::validation(
            "input.at",
            "an interview is booked for a time still to come",
        ));
    }
    office_calendar(conn, &row.office_id, settings)?
        .check(b.at, b.minutes)
        .map_err(|e| e.in_field("input"))?;
    let Some(appointment) = next.appointments.iter().find(|a| a.id == appointment_id) else {
        return Err(Error::internal("the scheduled appointment is missing"));
    };
    let ends = b.at + TimeDelta::minutes(i64::from(b.minutes));
    let officer_id = appointment.officer_id.clone();
    // Two schedulers booking the same officer at once would each see the slot free; taking
    // the officer's row first makes the second wait and then see the first booking.
    dialect::lock_user(conn, &officer_id)?;
    if let Some(clash) = clash(
        conn,
        appointments::officer_id.eq(officer_id.clone()),
        b.at,
        ends,
        appointment_id,
    )? {
        return Err(booked("input.at", "officer", clash));
    }
    let interpreter_id = match &b.language {
        None => None,
        Some(language) => Some(interpreter_for(
            conn,
            scope,
            &row.office_id,
            language,
            b.interpreter_id.as_deref(),
            b.at,
            ends,
            appointment_id,
        )?),
    };
    let at = now();
    let existing: Option<Booked> = appointments::table
        .find(appointment_id)
        .select((
            appointments::stage,
            appointments::officer_id,
            appointments::interpreter_id,
            appointments::language,
            appointments::starts_at,
            appointments::ends_at,
            appointments::version,
        ))
        .first(conn)
        .optional()?;
    match existing {
        Some((stage, officer, interpreter, language, starts, old_ends, version)) => {
            // The booking as it was stays in the book, pointing at the appointment that
            // replaced it.
            let kept = new_id();
            feed::record(
                conn,
                &row.operation_unit_id,
                &[
                    Change::create(RecordKind::Appointment, &kept),
                    Change::update(RecordKind::Appointment, appointment_id, version + 1),
                ],
            )?;
            diesel::insert_into(appointments::table)
                .values((
                    appointments::id.eq(&kept),
                    appointments::operation_unit_id.eq(&row.operation_unit_id),
                    appointments::case_id.eq(&row.id),
                    appointments::stage.eq(stage),
                    appointments::officer_id.eq(officer),
                    appointments::interpreter_id.eq(interpreter),
                    appointments::language.eq(language),
                    appointments::starts_at.eq(starts),
                    appointments::ends_at.eq(old_ends),
                    appointments::status.eq("rescheduled"),
                    appointments::superseded_by.eq(appointment_id),
                    appointments::created_at.eq(at),
                    appointments::updated_at.eq(at),
                ))
                .execute(conn)?;
            diesel::update(appointments::table.find(appointment_id))
                .set((
                    appointments::officer_id.eq(&officer_id),
                    appointments::interpreter_id.eq(&interpreter_id),
                    appointments::language.eq(&b.language),
                    appointments::starts_at.eq(b.at),
                    appointments::ends_at.eq(ends),
                    appointments::status.eq("scheduled"),
                    appointments::version.eq(version + 1),
                    appointments::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        None => {
            feed::record(
                conn,
                &row.operation_unit_id,
                &[Change::create(RecordKind::Appointment, appointment_id)],
            )?;
            diesel::insert_into(appointments::table)
                .values((
                    appointments::id.eq(appointment_id),
                    appointments::operation_unit_id.eq(&row.operation_unit_id),
                    appointments::case_id.eq(&row.id),
                    appointments::stage.eq(next.stage.as_str()),
                    appointments::officer_id.eq(&officer_id),
                    appointments::interpreter_id.eq(&interpreter_id),
                    appointments::language.eq(&b.language),
                    appointments::starts_at.eq(b.at),
                    appointments::ends_at.eq(ends),
                    appointments::status.eq("scheduled"),
                    appointments::created_at.eq(at),
                    appointments::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// An appointment as booked: stage, officer, interpreter, language, start, end, version.
type Booked = (
    String,
    String,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    i32,
);

type AppointmentFilter = Box<
    dyn BoxableExpression<appointments::table, super::db::Db, SqlType = diesel::sql_types::Bool>,
>;

/// A UTC time as RFC 3339, the form refusals carry times in (a client shows them in the
/// office's time zone).
fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The refusal of a booking because `who` is taken over `(starts, ends)`.
fn booked(field: &str, who: &str, (starts, ends): (NaiveDateTime, NaiveDateTime)) -> Error {
    Error::invalid(
        field,
        Reason::AlreadyBooked(Box::new(BookingClash {
            who: who.to_string(),
            starts: rfc3339(starts),
            ends: rfc3339(ends),
        })),
        format!(
            "the {who} is already booked from {} to {} UTC",
            starts.format("%Y-%m-%d %H:%M"),
            ends.format("%H:%M")
        ),
    )
}

/// The first scheduled appointment matching `who` that overlaps `[starts, ends)`, other than
/// `except`: its start and end.
fn clash(
    conn: &mut DbConn,
    who: impl BoxableExpression<appointments::table, super::db::Db, SqlType = diesel::sql_types::Bool>
    + 'static,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    except: &str,
) -> Result<Option<(NaiveDateTime, NaiveDateTime)>> {
    let who: AppointmentFilter = Box::new(who);
    appointments::table
        .filter(who)
        .filter(appointments::status.eq("scheduled"))
        .filter(appointments::id.ne(except))
        .filter(appointments::starts_at.lt(ends))
        .filter(appointments::ends_at.gt(starts))
        .select((appointments::starts_at, appointments::ends_at))
        .first(conn)
        .optional()
        .map_err(Error::from)
}

/// An interpreter of the unit for `language`, free at the time: the one asked for, or the first
/// free one, preferring the case's office.
#[allow(clippy::too_many_arguments)]
fn interpreter_for(
    conn: &mut DbConn,
    scope: &Scope,
    office_id: &str,
    language: &str,
    wanted: Option<&str>,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    except: &str,
) -> Result<String> {
    let candidates: Vec<(String, Option<String>, String)> = interpreters::table
        .filter(interpreters::operation_unit_id.eq(scope.unit_id()))
        .filter(interpreters::active.eq(true))
        .order(interpreters::name.asc())
        .select((
            interpreters::id,
            interpreters::office_id,
            interpreters::languages,
        ))
        .load(conn)?;
    let speaks = |langs: &str| langs.split_whitespace().any(|l| l == language);
    if let Some(id) = wanted {
        let Some((id, _, langs)) = candidates.iter().find(|c| c.0 == id) else {
            return Err(Error::validation(
                "input.interpreterId",
                "no such active interpreter in your operation unit",
            ));
        };
        if !speaks(langs) {
            return Err(Error::invalid(
                "input.interpreterId",
                Reason::NotInterpreterOf {
                    language: language.to_string(),
                },
                format!("that interpreter does not interpret {language}"),
            ));
        }
        dialect::lock_interpreter(conn, id)?;
        if let Some(c) = clash(
            conn,
            appointments::interpreter_id
                .eq(id.clone())
                .assume_not_null(),
            starts,
            ends,
            except,
        )? {
            return Err(booked("input.interpreterId", "interpreter", c));
        }
        return Ok(id.clone());
    }
    let mut ordered: Vec<&(String, Option<String>, String)> =
        candidates.iter().filter(|c| speaks(&c.2)).collect();
    ordered.sort_by_key(|c| c.1.as_deref() != Some(office_id));
    if ordered.is_empty() {
        return Err(Error::invalid(
            "input.language",
            Reason::NoInterpreter {
                language: language.to_string(),
            },
            format!("your unit has no interpreter for {language}"),
        ));
    }
    for (id, _, _) in ordered {
        dialect::lock_interpreter(conn, id)?;
        if clash(
            conn,
            appointments::interpreter_id
                .eq(id.clone())
                .assume_not_null(),
            starts,
            ends,
            except,
        )?
        .is_none()
        {
            return Ok(id.clone());
        }
    }
    Err(Error::invalid(
        "input.at",
        Reason::NoInterpreterFree {
            language: language.to_string(),
        },
        format!("no interpreter for {language} is free at that time; choose another time"),
    ))
}

/// Marks the appointments the transition took off the case: held at an interview, missed at a
/// no-show, cancelled otherwise (withdrawal, closure, abandonment).
fn settle_appointments(
    conn: &mut DbConn,
    before: &CaseState,
    after: &CaseState,
    event: &CaseEvent,
) -> Result<()> {
    let gone: Vec<&str> = before
        .appointments
        .iter()
        .filter(|a| !after.appointments.iter().any(|b| b.id == a.id))
        .map(|a| a.id.as_str())
        .collect();
    if gone.is_empty() {
        return Ok(());
    }
    let status = match event.kind {
        rsd::EventKind::InterviewRecorded => "held",
        rsd::EventKind::NoShowRecorded => "no_show",
        _ => "cancelled",
    };
    let settled: Vec<(String, String, i32)> = appointments::table
        .filter(appointments::id.eq_any(&gone))
        .filter(appointments::status.eq("scheduled"))
        .select((
            appointments::id,
            appointments::operation_unit_id,
            appointments::version,
        ))
        .load(conn)?;
    diesel::update(
        appointments::table
            .filter(appointments::id.eq_any(&gone))
            .filter(appointments::status.eq("scheduled")),
    )
    .set((
        appointments::status.eq(status),
        appointments::version.eq(appointments::version + 1),
        appointments::updated_at.eq(now()),
    ))
    .execute(conn)?;
    for (id, unit, version) in settled {
        feed::record(
            conn,
            &unit,
            &[Change::update(RecordKind::Appointment, id, version + 1)],
        )?;
    }
    Ok(())
}

/// The state of a case, serialised, with its queue columns: what a seeder writes for a case it
/// walked through the workflow.
pub fn initial_columns(
    state: &CaseState,
    rules: &UnitRules,
    status_changed_at: NaiveDateTime,
) -> Result<(String, QueueRow)> {
    let json = serde_json::to_string(state)
        .map_err(|e| Error::internal(format!("cannot store the workflow state: {e}")))?;
    Ok((
        json,
        QueueRow::from_columns(
            state,
            rsd::queue_columns(state, rules),
            Some(status_changed_at),
        ),
    ))
}

/// A new RSD case: who it is for and how it will be processed.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub group_id: String,
    pub principal_id: String,
    /// Derivative members; all must be current members of the group.
    pub member_ids: Vec<String>,
    pub modality: Modality,
    pub claim_summary: Option<String>,
}

/// Opens an RSD case for members of a registration group (registration for RSD): a case number,
/// the members with their relationship to the group's focal point, and a fresh workflow state.
/// Refused when the unit does not run the RSD module, when someone named is not a current
/// member of the group, or when the principal applicant already has an open RSD case.
pub fn open_case(conn: &mut DbConn, scope: &Scope, new: &NewCase) -> Result<String> {
    open(conn, scope, new, None)
}

/// A case brought from an earlier database: when it was opened there, the status it had and
/// since when, and where it came from (the first entry of its history).
#[derive(Debug, Clone)]
pub struct ImportedCase {
    pub status: crate::domain::import::ImportedStatus,
    pub opened_at: NaiveDateTime,
    pub status_at: Option<NaiveDateTime>,
    /// The earlier system, the case's key there and the import batch writing it.
    pub source: String,
    pub source_key: String,
    pub batch_id: String,
    /// Its history in the earlier system (`RecordEvent::EarlierEvent`s), oldest first.
    pub history: Vec<crate::domain::events::RecordEvent>,
}

/// Opens a case brought by an import, with the same checks and writes as [`open_case`] (case
/// number, members, audit, change feed), in the state its old status and dates give.
pub fn open_imported_case(
    conn: &mut DbConn,
    scope: &Scope,
    new: &NewCase,
    imported: &ImportedCase,
) -> Result<String> {
    open(conn, scope, new, Some(imported))
}

fn open(
    conn: &mut DbConn,
    scope: &Scope,
    new: &NewCase,
    imported: Option<&ImportedCase>,
) -> Result<String> {
    scope.require(Permission::WritePersons)?;
    let unit = super::users::unit(conn, scope.unit_id())?;
    if !unit.module_list().iter().any(|m| m == "rsd") {
        return Err(Error::forbidden(
            "your operation unit does not run refugee status determination",
        ));
    }
    let group: Option<(String, String)> = registration_groups::table
        .filter(registration_groups::id.eq(&new.group_id))
        .filter(scope.groups())
        .select((registration_groups::id, registration_groups::office_id))
        .first(conn)
        .optional()?;
    let Some((group_id, office_id)) = group else {
        return Err(Error::not_found("registration group"));
    };
    let members: Vec<(String, String)> = group_memberships::table
        .filter(group_memberships::group_id.eq(&group_id))
        .filter(group_memberships::ended_at.is_null())
        .select((
            group_memberships::individual_id,
            group_memberships::relationship,
        ))
        .load(conn)?;
    let relationship = |id: &str| members.iter().find(|m| m.0 == id).map(|m| m.1.clone());
    if relationship(&new.principal_id).is_none() {
        return Err(Error::validation(
            "input.principalId",
            "the principal applicant must be a current member of the group",
        ));
    }
    let mut derivatives: Vec<String> = Vec::new();
    for (i, id) in new.member_ids.iter().enumerate() {
        if relationship(id).is_none() {
            return Err(Error::validation(
                format!("input.memberIds.{i}"),
                "every member of the case must be a current member of the group",
            ));
        }
        if id != &new.principal_id && !derivatives.contains(id) {
            derivatives.push(id.clone());
        }
    }
    let open: Option<String> = cases::table
        .inner_join(case_members::table)
        .filter(cases::operation_unit_id.eq(scope.unit_id()))
        .filter(cases::procedure.eq("rsd"))
        .filter(cases::due_at.is_not_null())
        .filter(case_members::individual_id.eq(&new.principal_id))
        .filter(case_members::removed_at.is_null())
        .select(cases::case_number)
        .first(conn)
        .optional()?;
    if let Some(number) = open {
        return Err(Error::validation(
            "input.principalId",
            format!("the principal applicant is already in the open RSD case {number}"),
        ));
    }
    let claim = new
        .claim_summary
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if claim.is_some_and(|c| c.chars().count() > 4000) {
        return Err(Error::validation(
            "input.claimSummary",
            "keep the summary under 4000 characters; the full account goes in the interview notes",
        ));
    }
    let at = imported.map_or_else(now, |i| i.opened_at);
    let number = super::registry::format_number(
        &unit.code,
        'C',
        super::registry::next_number(conn, scope.unit_id(), "case")?,
    );
    let case_id = new_id();
    let mut changes = vec![
        Change::create(RecordKind::Case, &case_id)
            .touching(claim.map(|_| crate::domain::access::FieldGroup::ClaimNarrative)),
    ];
    let (mut state, changed_at) = match imported {
        None => (
            CaseState::new(
                new.principal_id.clone(),
                derivatives.clone(),
                new.modality,
                at,
            ),
            at,
        ),
        Some(i) => {
            let state = i.status.state(
                &new.principal_id,
                derivatives.clone(),
                at,
                i.status_at,
                scope.user_id(),
            );
            let changed = state
                .closure
                .as_ref()
                .map(|c| c.at)
                .or(state.admissibility.as_ref().map(|a| a.at));
            (state, changed.unwrap_or(at))
        }
    };
    refresh_facts(conn, &mut state)?;
    let settings = unit_settings(conn, scope.unit_id())?;
    let (json, q) = initial_columns(&state, &settings.rsd, changed_at)?;
    diesel::insert_into(cases::table)
        .values((
            cases::id.eq(&case_id),
            cases::operation_unit_id.eq(scope.unit_id()),
            cases::office_id.eq(&office_id),
            cases::case_number.eq(&number),
            cases::number_key.eq(crate::domain::names::normalize_identifier(&number)),
            cases::procedure.eq("rsd"),
            cases::principal_applicant_id.eq(&new.principal_id),
            cases::registration_group_id.eq(&group_id),
            cases::claim_summary.eq(claim),
            cases::opened_at.eq(at),
            cases::version.eq(1),
            cases::created_at.eq(at),
            cases::updated_at.eq(at),
            cases::workflow.eq(json),
            &q,
        ))
        .execute(conn)?;
    for id in std::iter::once(&new.principal_id).chain(&derivatives) {
        let member_id = new_id();
        changes.push(Change::create(RecordKind::CaseMember, &member_id));
        diesel::insert_into(case_members::table)
            .values((
                case_members::id.eq(&member_id),
                case_members::operation_unit_id.eq(scope.unit_id()),
                case_members::case_id.eq(&case_id),
                case_members::individual_id.eq(id),
                case_members::role.eq(if id == &new.principal_id {
                    "principal"
                } else {
                    "derivative"
                }),
                case_members::relationship.eq(relationship(id)),
                case_members::added_at.eq(at),
            ))
            .execute(conn)?;
    }
    if let Some(i) = imported {
        // The history of an imported case starts where it came from, as its people's do.
        let data = serde_json::to_value(crate::domain::events::RecordEvent::Imported {
            source: i.source.clone(),
            source_key: i.source_key.clone(),
            batch_id: i.batch_id.clone(),
        })
        .map_err(|e| Error::internal(format!("cannot store the import event: {e}")))?;
        super::registry::record_event(conn, scope, "case", &case_id, "imported", data)?;
        // Written now, after the import's entry, each keeping its own date in its payload.
        for e in &i.history {
            let data = serde_json::to_value(e)
                .map_err(|e| Error::internal(format!("cannot store an earlier event: {e}")))?;
            super::registry::record_event(conn, scope, "case", &case_id, e.kind(), data)?;
        }
    }
    audit::append(
        conn,
        &AuditActor::from(scope),
        &[Entry::ok("create", "case", &case_id)],
    )?;
    feed::record(conn, scope.unit_id(), &changes)?;
    Ok(case_id)
}

/// A payload field as clients name it: the domain's `officer_id` is the API's `officerId`.
fn camel_case(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_fields_are_named_as_clients_send_them() {
        assert_eq!(camel_case("officer_id"), "officerId");
        assert_eq!(camel_case("reason"), "reason");
        assert_eq!(camel_case("recommendations"), "recommendations");
    }

    #[test]
    fn the_working_day_is_checked_in_local_time() {
        let cal = Calendar::default();
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        // Thursday 26 November 2026, 10:00 in Quito is 15:00 UTC.
        assert!(cal.check(at("2026-11-26 15:00"), 120).is_ok());
        // 07:30 in Quito.
        assert!(cal.check(at("2026-11-26 12:30"), 60).is_err());
        // Ends 17:30 in Quito.
        assert!(cal.check(at("2026-11-26 21:30"), 60).is_err());
        // Saturday.
        assert!(cal.check(at("2026-11-28 15:00"), 60).is_err());
        // Friday 23:00 UTC is still Friday 18:00 in Quito: after hours, not a weekend.
        let e = cal
            .check(at("2026-11-27 23:00"), 30)
            .expect_err("after hours");
        assert!(e.message.contains("working hours"), "{}", e.message);
    }
}
