//! Pre-registrations sent from the public form, and the registration desk's calendar.
//!
//! The applicant has no account: what proves them is the secret of their reference, checked here
//! and nowhere else. Every write and every read of a pre-registration by its applicant is audited
//! with no user, in the pre-registration's unit and under the request's id, and every write is
//! recorded in the unit's change feed. A wrong reference and a wrong secret give the same answer
//! ([`None`]) after the same work.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::audit::{self, Actor, Entry, Outcome, Reads};
use super::db::DbConn;
use super::dialect;
use super::feed;
use super::registry::{self, Registered};
use super::schema::{offices, operation_units, pre_registrations};
use super::scope::Scope;
use super::workflow::{self, Calendar, PreRegistrationSettings};
use super::{new_id, now};
use crate::domain::access::{Permission, ScopeLevel};
use crate::domain::feed::{Change, RecordKind};
use crate::domain::prereg::{self, PreRegistrationForm, Stage};
use crate::domain::registration::GroupInput;
use crate::error::{Error, Reason, Result};

/// Most free slots a status page offers (the nearest first).
pub const MAX_OFFERED_SLOTS: usize = 60;

/// Turns a unit's pre-registration form on or off, keeping its other settings (the demo world
/// and tests; a unit admin does it with `updateUnitSettings`).
pub fn set_enabled(conn: &mut DbConn, unit_id: &str, enabled: bool) -> Result<()> {
    let mut settings = workflow::unit_settings(conn, unit_id)?;
    settings.pre_registration.enabled = enabled;
    let json = serde_json::to_string(&settings)
        .map_err(|e| Error::internal(format!("unit settings: {e}")))?;
    diesel::update(operation_units::table.find(unit_id))
        .set((
            operation_units::settings.eq(json),
            operation_units::version.eq(operation_units::version + 1),
            operation_units::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// An office that takes pre-registrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOffice {
    pub id: String,
    pub name: String,
    pub unit_id: String,
}

/// The offices of every unit whose pre-registration form is on, by name.
pub fn open_offices(conn: &mut DbConn) -> Result<Vec<OpenOffice>> {
    let units: Vec<(String, String)> = operation_units::table
        .select((operation_units::id, operation_units::settings))
        .load(conn)?;
    let open: Vec<String> = units
        .into_iter()
        .filter(|(_, raw)| {
            serde_json::from_str::<workflow::UnitSettings>(raw)
                .is_ok_and(|s| s.pre_registration.enabled)
        })
        .map(|(id, _)| id)
        .collect();
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, String)> = offices::table
        .filter(offices::operation_unit_id.eq_any(&open))
        .order((offices::name.asc(), offices::id.asc()))
        .select((offices::id, offices::name, offices::operation_unit_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, unit_id)| OpenOffice { id, name, unit_id })
        .collect())
}

/// The answer to a form sent: its reference, and whether it had been sent before with the same
/// token (a double tap), in which case nothing new was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub id: String,
    pub reference: String,
    pub replayed: bool,
}

fn public_actor(unit_id: &str, request_id: &str) -> Actor {
    Actor {
        user_id: None,
        username: None,
        unit_id: Some(unit_id.to_string()),
        request_id: Some(request_id.to_string()),
    }
}

/// Stores a form sent with `token` to `office_id`. A token already used returns the first
/// pre-registration unchanged, whatever this form says.
pub fn submit(
    conn: &mut DbConn,
    office_id: &str,
    token: &str,
    form: &PreRegistrationForm,
    lang: &str,
    request_id: &str,
) -> Result<Submitted> {
    if !prereg::is_form_token(token) {
        return Err(Error::invalid(
            "token",
            Reason::BadFormat {
                format: "form_token".into(),
            },
            "the form's token is damaged; open the form again",
        ));
    }
    let reference = prereg::reference_of(token);
    let existing: Option<String> = pre_registrations::table
        .filter(pre_registrations::reference.eq(&reference))
        .select(pre_registrations::id)
        .first(conn)
        .optional()?;
    if let Some(id) = existing {
        return Ok(Submitted {
            id,
            reference,
            replayed: true,
        });
    }
    let unit_id = open_office_unit(conn, office_id)?;
    let t = now();
    form.validate(t.date())?;
    let id = new_id();
    let json = serde_json::to_string(form)
        .map_err(|e| Error::internal(format!("pre-registration form: {e}")))?;
    let urgency = i32::try_from(form.urgency(t.date())).unwrap_or(i32::MAX);
    diesel::insert_into(pre_registrations::table)
        .values((
            pre_registrations::id.eq(&id),
            pre_registrations::operation_unit_id.eq(&unit_id),
            pre_registrations::office_id.eq(office_id),
            pre_registrations::reference.eq(&reference),
            pre_registrations::secret_hash.eq(prereg::secret_hash(&prereg::secret_of(token))),
            pre_registrations::form.eq(&json),
            pre_registrations::lang.eq(lang),
            pre_registrations::urgency.eq(urgency),
            pre_registrations::stage.eq(Stage::Received.as_str()),
            pre_registrations::version.eq(1),
            pre_registrations::created_at.eq(t),
            pre_registrations::updated_at.eq(t),
        ))
        .execute(conn)?;
    feed::record(
        conn,
        &unit_id,
        &[Change::create(RecordKind::PreRegistration, &id)],
    )?;
    audit::append(
        conn,
        &public_actor(&unit_id, request_id),
        &[Entry::ok("pre_register", "pre_registration", &id)],
    )?;
    Ok(Submitted {
        id,
        reference,
        replayed: false,
    })
}

/// The unit of an office whose unit takes pre-registrations; the same refusal for an office
/// that does not exist and one whose unit has the form off.
fn open_office_unit(conn: &mut DbConn, office_id: &str) -> Result<String> {
    let unit: Option<String> = offices::table
        .find(office_id)
        .select(offices::operation_unit_id)
        .first(conn)
        .optional()?;
    let refuse = || {
        Error::invalid(
            "office",
            Reason::UnknownCode {
                vocabulary: "office".into(),
                value: office_id.chars().take(64).collect(),
            },
            "choose one of the offices offered",
        )
    };
    let unit = unit.ok_or_else(refuse)?;
    if !workflow::unit_settings(conn, &unit)?
        .pre_registration
        .enabled
    {
        return Err(refuse());
    }
    Ok(unit)
}

/// What the applicant's status page shows, and nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub id: String,
    pub reference: String,
    pub unit_id: String,
    pub office_id: String,
    pub office_name: String,
    pub stage: Stage,
    /// UTC.
    pub appointment_at: Option<NaiveDateTime>,
    /// The office's offset from UTC, in minutes, to show the appointment in its local time.
    pub utc_offset_minutes: i32,
}

type StatusRow = (
    String,
    String,
    String,
    String,
    String,
    Option<NaiveDateTime>,
    String,
);

/// The pre-registration proved by `reference` and `secret` (as typed), with its reading
/// audited; None when either is wrong, after the same work. A wrong secret for a reference that
/// exists is audited as a refusal in its unit.
pub fn status(
    conn: &mut DbConn,
    reference: &str,
    secret: &str,
    request_id: &str,
) -> Result<Option<Status>> {
    let status = verify(conn, reference, secret, request_id)?;
    if let Some(s) = &status {
        audit::append(
            conn,
            &public_actor(&s.unit_id, request_id),
            &[Entry {
                detail: Some("status page".into()),
                ..Entry::ok("read", "pre_registration", &s.id)
            }],
        )?;
    }
    Ok(status)
}

fn verify(
    conn: &mut DbConn,
    reference: &str,
    secret: &str,
    request_id: &str,
) -> Result<Option<Status>> {
    let reference = prereg::normalize(reference).unwrap_or_default();
    let hash = prereg::secret_hash(secret);
    let secret_shaped = prereg::normalize(secret).is_some_and(|s| s.len() > 11);
    let row: Option<StatusRow> = pre_registrations::table
        .filter(pre_registrations::reference.eq(&reference))
        .select((
            pre_registrations::id,
            pre_registrations::operation_unit_id,
            pre_registrations::office_id,
            pre_registrations::secret_hash,
            pre_registrations::stage,
            pre_registrations::appointment_at,
            pre_registrations::reference,
        ))
        .first(conn)
        .optional()?;
    // The hash is compared whether or not the reference exists, so timing tells nothing.
    let stored = row.as_ref().map_or("", |r| r.3.as_str());
    let matches = prereg::same(stored, &hash) && secret_shaped;
    let Some((id, unit_id, office_id, _, stage, appointment_at, reference)) = row else {
        return Ok(None);
    };
    if !matches {
        audit::append(
            conn,
            &public_actor(&unit_id, request_id),
            &[Entry {
                outcome: Outcome::Denied,
                detail: Some("wrong secret".into()),
                ..Entry::ok("read", "pre_registration", &id)
            }],
        )?;
        return Ok(None);
    }
    let office_name: String = offices::table
        .find(&office_id)
        .select(offices::name)
        .first(conn)?;
    let settings = workflow::unit_settings(conn, &unit_id)?;
    let stage = Stage::parse(&stage)
        .ok_or_else(|| Error::internal(format!("pre-registration {id} has stage {stage:?}")))?;
    Ok(Some(Status {
        id,
        reference,
        unit_id,
        office_id,
        office_name,
        stage,
        appointment_at,
        utc_offset_minutes: settings.calendar.utc_offset_minutes,
    }))
}

/// The registration desk's slots (UTC) from the day after `now` for `days_ahead` days: every
/// `slot_minutes` within the working hours of working days that are not holidays.
pub fn desk_slots(
    calendar: &Calendar,
    holidays: &[NaiveDate],
    desk: &PreRegistrationSettings,
    now: NaiveDateTime,
) -> Vec<NaiveDateTime> {
    let offset = TimeDelta::minutes(i64::from(calendar.utc_offset_minutes));
    let today = (now + offset).date();
    let step = desk.slot_minutes.max(5);
    let mut out = Vec::new();
    for ahead in 1..=i64::from(desk.days_ahead) {
        let day = today + TimeDelta::days(ahead);
        if !calendar
            .working_days
            .contains(&day.weekday().number_from_monday())
            || holidays.contains(&day)
        {
            continue;
        }
        let mut m = calendar.day_starts;
        while m + step <= calendar.day_ends {
            let local = day.and_time(chrono::NaiveTime::MIN) + TimeDelta::minutes(i64::from(m));
            out.push(local - offset);
            m += step;
        }
    }
    out
}

/// The free slots of the pre-registration's office, nearest first (its own booking counts as
/// free to it, so it can stay or move).
pub fn free_slots(conn: &mut DbConn, status: &Status) -> Result<Vec<NaiveDateTime>> {
    let settings = workflow::unit_settings(conn, &status.unit_id)?;
    let office = workflow::office_calendar(conn, &status.office_id, &settings)?;
    let t = now();
    let taken: Vec<NaiveDateTime> = pre_registrations::table
        .filter(pre_registrations::office_id.eq(&status.office_id))
        .filter(pre_registrations::stage.eq(Stage::AppointmentGiven.as_str()))
        .filter(pre_registrations::appointment_at.gt(t))
        .filter(pre_registrations::id.ne(&status.id))
        .select(pre_registrations::appointment_at.assume_not_null())
        .load(conn)?;
    let mut count: HashMap<NaiveDateTime, u32> = HashMap::new();
    for at in taken {
        *count.entry(at).or_default() += 1;
    }
    let desks = settings.pre_registration.desks;
    Ok(desk_slots(
        &office.hours,
        &office.holidays,
        &settings.pre_registration,
        t,
    )
    .into_iter()
    .filter(|s| count.get(s).copied().unwrap_or(0) < desks)
    .collect())
}

/// Books (or moves) the registration appointment of the pre-registration proved by `reference`
/// and `secret` to `at`, if that slot is still free. None when reference or secret is wrong.
pub fn book(
    conn: &mut DbConn,
    reference: &str,
    secret: &str,
    at: NaiveDateTime,
    request_id: &str,
) -> Result<Option<Status>> {
    let Some(status) = verify(conn, reference, secret, request_id)? else {
        return Ok(None);
    };
    if !status.stage.bookable() {
        return Err(Error::invalid(
            "slot",
            Reason::Unspecified,
            "this pre-registration is no longer waiting for an appointment",
        ));
    }
    // Applicants booking the same desk take turns, so two never take its last place.
    dialect::lock_office(conn, &status.office_id)?;
    if !free_slots(conn, &status)?.contains(&at) {
        return Err(Error::invalid(
            "slot",
            Reason::Unspecified,
            "that time is no longer free; choose another",
        ));
    }
    let t = now();
    let version: i32 = diesel::update(pre_registrations::table.find(&status.id))
        .set((
            pre_registrations::appointment_at.eq(Some(at)),
            pre_registrations::stage.eq(Stage::AppointmentGiven.as_str()),
            pre_registrations::version.eq(pre_registrations::version + 1),
            pre_registrations::updated_at.eq(t),
        ))
        .returning(pre_registrations::version)
        .get_result(conn)?;
    feed::record(
        conn,
        &status.unit_id,
        &[Change::update(
            RecordKind::PreRegistration,
            &status.id,
            version,
        )],
    )?;
    audit::append(
        conn,
        &public_actor(&status.unit_id, request_id),
        &[Entry {
            detail: Some(format!("registration appointment at {at}")),
            ..Entry::ok("book", "pre_registration", &status.id)
        }],
    )?;
    Ok(Some(Status {
        stage: Stage::AppointmentGiven,
        appointment_at: Some(at),
        ..status
    }))
}

/// A pre-registration as a registrar's triage queue shows it.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub id: String,
    pub reference: String,
    pub office_id: String,
    pub stage: Stage,
    pub urgency: i32,
    pub appointment_at: Option<NaiveDateTime>,
    pub received_at: NaiveDateTime,
    pub version: i32,
    pub form: PreRegistrationForm,
}

type QueueRow = (
    String,
    String,
    String,
    String,
    i32,
    Option<NaiveDateTime>,
    NaiveDateTime,
    i32,
    String,
);

fn queue_item(row: QueueRow) -> Result<QueueItem> {
    let (id, reference, office_id, stage, urgency, appointment_at, received_at, version, form) =
        row;
    let stage = Stage::parse(&stage)
        .ok_or_else(|| Error::internal(format!("pre-registration {id} has stage {stage:?}")))?;
    let form = serde_json::from_str(&form)
        .map_err(|e| Error::internal(format!("pre-registration {id} form: {e}")))?;
    Ok(QueueItem {
        id,
        reference,
        office_id,
        stage,
        urgency,
        appointment_at,
        received_at,
        version,
        form,
    })
}

/// The offices whose pre-registrations this caller may see: the unit's (or one of them) for a
/// unit scope, their own for an office scope, none for a caseload of their own cases.
fn office_filter(scope: &Scope, office: Option<&str>) -> Option<Option<String>> {
    match (scope.level(), scope.office_id()) {
        (ScopeLevel::Unit, _) => Some(office.map(str::to_string)),
        (ScopeLevel::Office, Some(own)) if office.is_none_or(|o| o == own) => {
            Some(Some(own.to_string()))
        }
        _ => None,
    }
}

/// Pre-registrations waiting for a registrar (received or with an appointment), of the caller's
/// unit and offices, most urgent first, then oldest first; every one returned is audited as read.
pub fn queue(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    office: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<QueueItem>, bool)> {
    scope.require(Permission::WritePersons)?;
    let Some(office) = office_filter(scope, office) else {
        return Ok((Vec::new(), false));
    };
    let mut q = pre_registrations::table
        .filter(pre_registrations::operation_unit_id.eq(scope.unit_id()))
        .filter(
            pre_registrations::stage
                .eq_any([Stage::Received.as_str(), Stage::AppointmentGiven.as_str()]),
        )
        .into_boxed();
    if let Some(o) = office {
        q = q.filter(pre_registrations::office_id.eq(o));
    }
    let rows: Vec<QueueRow> = q
        .order((
            pre_registrations::urgency.desc(),
            pre_registrations::created_at.asc(),
            pre_registrations::id.asc(),
        ))
        .offset(offset)
        .limit(limit + 1)
        .select((
            pre_registrations::id,
            pre_registrations::reference,
            pre_registrations::office_id,
            pre_registrations::stage,
            pre_registrations::urgency,
            pre_registrations::appointment_at,
            pre_registrations::created_at,
            pre_registrations::version,
            pre_registrations::form,
        ))
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(queue_item)
        .collect::<Result<Vec<_>>>()?;
    reads.record("pre_registration", items.iter().map(|i| i.id.clone()));
    Ok((items, more))
}

/// One pre-registration of the caller's scope, locked for a change on PostgreSQL, with its
/// version checked; NOT_FOUND when the caller may not see it (the same as for none).
fn for_change(conn: &mut DbConn, scope: &Scope, id: &str, version: i32) -> Result<QueueItem> {
    scope.require(Permission::WritePersons)?;
    let row: Option<QueueRow> = pre_registrations::table
        .find(id)
        .filter(pre_registrations::operation_unit_id.eq(scope.unit_id()))
        .select((
            pre_registrations::id,
            pre_registrations::reference,
            pre_registrations::office_id,
            pre_registrations::stage,
            pre_registrations::urgency,
            pre_registrations::appointment_at,
            pre_registrations::created_at,
            pre_registrations::version,
            pre_registrations::form,
        ))
        .first(conn)
        .optional()?;
    let item = row
        .map(queue_item)
        .transpose()?
        .filter(|i| office_filter(scope, Some(&i.office_id)).is_some())
        .ok_or_else(|| Error::not_found("pre-registration"))?;
    if item.version != version {
        return Err(Error::conflict(format!(
            "the pre-registration changed since you read it (version {version}, now {}); read it again",
            item.version
        )));
    }
    if !item.stage.bookable() {
        return Err(Error::invalid(
            "id",
            Reason::Unspecified,
            format!(
                "the pre-registration is already {}; nothing more can be done with it",
                item.stage.as_str()
            ),
        ));
    }
    Ok(item)
}

fn set_stage(
    conn: &mut DbConn,
    scope: &Scope,
    item: &QueueItem,
    stage: Stage,
    group_id: Option<&str>,
    reason: Option<&str>,
) -> Result<i32> {
    let version: Option<i32> = diesel::update(
        pre_registrations::table
            .find(&item.id)
            .filter(pre_registrations::version.eq(item.version)),
    )
    .set((
        pre_registrations::stage.eq(stage.as_str()),
        pre_registrations::group_id.eq(group_id),
        pre_registrations::dismissed_reason.eq(reason),
        pre_registrations::version.eq(pre_registrations::version + 1),
        pre_registrations::updated_at.eq(now()),
    ))
    .returning(pre_registrations::version)
    .get_result(conn)
    .optional()?;
    let version = version.ok_or_else(|| {
        Error::conflict("the pre-registration changed while you saved it; read it again")
    })?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::update(
            RecordKind::PreRegistration,
            &item.id,
            version,
        )],
    )?;
    Ok(version)
}

/// Registers the family of a pre-registration from `group` (the registrar's form, which
/// started from the pre-registration and may have been corrected), links the new group to it
/// in the group's history and marks it registered, all in one transaction.
pub fn convert(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    version: i32,
    group: &GroupInput,
) -> Result<Registered> {
    let item = for_change(conn, scope, id, version)?;
    let registered = registry::register_group(conn, scope, group)?;
    set_stage(
        conn,
        scope,
        &item,
        Stage::Registered,
        Some(&registered.group_id),
        None,
    )?;
    registry::record_event(
        conn,
        scope,
        "registration_group",
        &registered.group_id,
        "from_pre_registration",
        serde_json::json!({ "preRegistrationId": item.id, "reference": item.reference }),
    )?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry {
            detail: Some(format!("registered as group {}", registered.group_id)),
            ..Entry::ok("convert", "pre_registration", &item.id)
        }],
    )?;
    Ok(registered)
}

/// Longest reason for dismissing a pre-registration, in characters.
pub const MAX_REASON: usize = 500;

/// Sets a pre-registration aside with a reason (a duplicate of a registered family, a test, an
/// abuse); the applicant's status page then asks them to come to the office.
pub fn dismiss(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    version: i32,
    reason: &str,
) -> Result<i32> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(
            "reason",
            Reason::Required,
            "say why the pre-registration is dismissed",
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(Error::invalid(
            "reason",
            Reason::TooLong { max: MAX_REASON },
            format!("must be at most {MAX_REASON} characters"),
        ));
    }
    let item = for_change(conn, scope, id, version)?;
    let version = set_stage(conn, scope, &item, Stage::Dismissed, None, Some(reason))?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry {
            detail: Some("dismissed".into()),
            ..Entry::ok("dismiss", "pre_registration", &item.id)
        }],
    )?;
    Ok(version)
}

/// Deletes the pre-registrations never converted (received, booked or dismissed) that are older
/// than their unit's `retention_days`, each deletion audited in its unit and recorded in the
/// feed as the record's end. Converted ones stay: the registered group's history names them.
pub fn purge_expired(conn: &mut DbConn, at: NaiveDateTime) -> Result<usize> {
    let units: Vec<String> = operation_units::table
        .select(operation_units::id)
        .load(conn)?;
    let mut deleted = 0;
    for unit in units {
        let days = workflow::unit_settings(conn, &unit)?
            .pre_registration
            .retention_days;
        let cutoff = at - TimeDelta::days(i64::from(days));
        let expired: Vec<String> = pre_registrations::table
            .filter(pre_registrations::operation_unit_id.eq(&unit))
            .filter(pre_registrations::stage.ne(Stage::Registered.as_str()))
            .filter(pre_registrations::created_at.lt(cutoff))
            .select(pre_registrations::id)
            .load(conn)?;
        if expired.is_empty() {
            continue;
        }
        diesel::delete(pre_registrations::table.filter(pre_registrations::id.eq_any(&expired)))
            .execute(conn)?;
        let changes: Vec<Change> = expired
            .iter()
            .map(|id| Change::end(RecordKind::PreRegistration, id))
            .collect();
        feed::record(conn, &unit, &changes)?;
        let entries: Vec<Entry> = expired
            .iter()
            .map(|id| Entry {
                detail: Some(format!("retention of {days} days ended")),
                ..Entry::ok("delete", "pre_registration", id)
            })
            .collect();
        let actor = Actor {
            unit_id: Some(unit.clone()),
            ..Actor::default()
        };
        audit::append(conn, &actor, &entries)?;
        deleted += expired.len();
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desk_slots_follow_working_days_hours_and_holidays() {
        let calendar = Calendar::default();
        let desk = PreRegistrationSettings {
            slot_minutes: 60,
            days_ahead: 7,
            ..PreRegistrationSettings::default()
        };
        // Friday 2026-12-04 at 15:00 UTC (10:00 in Quito).
        let now = NaiveDate::from_ymd_opt(2026, 12, 4)
            .and_then(|d| d.and_hms_opt(15, 0, 0))
            .unwrap_or_default();
        let holiday = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default();
        let slots = desk_slots(&calendar, &[holiday], &desk, now);
        // Monday, Wednesday, Thursday, Friday (Tuesday is a holiday): 9 slots of an hour each.
        assert_eq!(slots.len(), 4 * 9);
        // The first is Monday 08:00 in Quito, 13:00 UTC.
        assert_eq!(slots[0].to_string(), "2026-12-07 13:00:00");
        assert!(slots.iter().all(|s| s.date() != holiday));
    }
}
