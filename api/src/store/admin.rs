//! Unit administration: a unit admin manages the users, offices and settings of their own unit.
//!
//! Every function takes the admin's [`Scope`], requires `ManageUsers`, reaches only the admin's
//! unit (and only their office when their scope is an office), and writes its audit event, with
//! the record before and after, in the same transaction. Escalation rules are the domain's
//! (`access::check_assignment`). A user outside the admin's reach is NOT_FOUND, as records of
//! another unit are everywhere else.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::Rng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::audit::{self, Actor, Entry, Outcome};
use super::db::DbConn;
use super::page_limit::LimitInText;
use super::schema::{offices, one_time_codes, operation_units, sessions, users};
use super::scope::Scope;
use super::users::{self as accounts, Office, Session, User};
use super::workflow::{self, UnitSettings};
use super::{new_id, now};
use crate::domain::access::{
    Admin, Assignment, FieldGroup, Grants, Permission, Role, ScopeLevel, check_assignment,
    parse_roles,
};
use crate::error::{Error, Result};

/// Users of the admin's reach, by username, after the cursor's username; with the total.
pub fn list_users(
    conn: &mut DbConn,
    scope: &Scope,
    after: Option<&str>,
    first: i64,
) -> Result<(Vec<User>, bool, i64)> {
    require(scope)?;
    let mut q = users::table
        .filter(users::operation_unit_id.eq(scope.unit_id()))
        .into_boxed();
    let mut count = users::table
        .filter(users::operation_unit_id.eq(scope.unit_id()))
        .into_boxed();
    if let Some(office) = office_limit(scope)? {
        q = q.filter(users::office_id.eq(office.to_string()));
        count = count.filter(users::office_id.eq(office.to_string()));
    }
    if let Some(a) = after {
        q = q.filter(users::username.gt(a.to_string()));
    }
    let mut rows: Vec<User> = q
        .order(users::username.asc())
        .select(User::as_select())
        .limit_in_text(first + 1)
        .load(conn)?;
    let more = rows.len() as i64 > first;
    rows.truncate(first as usize);
    let total: i64 = count.count().get_result(conn)?;
    Ok((rows, more, total))
}

/// One user within the admin's reach, or NOT_FOUND.
pub fn managed_user(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<User> {
    require(scope)?;
    let u = users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?
        .filter(|u| u.operation_unit_id == scope.unit_id())
        .ok_or_else(|| Error::not_found("user"))?;
    if let Some(office) = office_limit(scope)?
        && u.office_id.as_deref() != Some(office)
    {
        return Err(Error::not_found("user"));
    }
    Ok(u)
}

/// What an admin gives a new user.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub office_id: Option<String>,
    pub level: Option<ScopeLevel>,
}

/// A code handed to one person, shown once.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub code: String,
    pub expires_at: NaiveDateTime,
}

/// Creates a user without a password and a one-time code with which they set their own.
pub fn create_user(
    conn: &mut DbConn,
    scope: &Scope,
    new: NewAccount,
) -> Result<(User, IssuedCode)> {
    require(scope)?;
    let username = new.username.trim().to_lowercase();
    check_username(&username)?;
    let display_name = check_display_name(&new.display_name)?;
    if new.roles.is_empty() {
        return Err(Error::validation(
            "input.roles",
            "give the user at least one role",
        ));
    }
    let level = new.level.unwrap_or_else(|| {
        new.roles
            .iter()
            .map(|r| r.default_scope())
            .max_by_key(|l| l.width())
            .unwrap_or(ScopeLevel::Office)
    });
    let office = checked_office(conn, scope, new.office_id.as_deref(), level)?;
    escalation(conn, scope, None, &new.roles, level, office.as_deref())?;
    let roles = join_roles(&new.roles);
    let user = accounts::create_user(
        conn,
        accounts::NewUser {
            unit_id: scope.unit_id(),
            office_id: office.as_deref(),
            username: &username,
            display_name: &display_name,
            password_hash: None,
            roles: &roles,
            scope_level: level.as_str(),
        },
    )?;
    let code = issue_code(conn, scope, &user.id, "setup")?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[changed(
            "create_user",
            &user.id,
            Value::Null,
            user_json(&user),
        )],
    )?;
    Ok((user, code))
}

/// What an admin changes on a user; None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub roles: Option<Vec<Role>>,
    /// Some(None) removes the office.
    pub office_id: Option<Option<String>>,
    pub level: Option<ScopeLevel>,
    pub force_password_change: bool,
}

/// Changes a user the admin manages, if `version` is still the stored one. A change of roles,
/// scope or office takes effect on the user's next request; forcing a password change also
/// ends their sessions.
pub fn update_user(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    version: i32,
    c: UserChanges,
) -> Result<User> {
    let before = managed_user(conn, scope, id)?;
    check_version(before.version, version, "user")?;
    let display_name = match &c.display_name {
        Some(d) => check_display_name(d)?,
        None => before.display_name.clone(),
    };
    let access_changes =
        c.roles.is_some() || c.office_id.is_some() || c.level.is_some() || c.force_password_change;
    let roles = match c.roles {
        Some(r) if r.is_empty() => {
            return Err(Error::validation(
                "input.roles",
                "give the user at least one role",
            ));
        }
        Some(r) => r,
        None => parse_roles(&before.roles).map_err(Error::internal)?,
    };
    let level = match c.level {
        Some(l) => l,
        None => ScopeLevel::parse(&before.scope_level)
            .ok_or_else(|| Error::internal("stored scope level is unknown"))?,
    };
    let office = match c.office_id {
        Some(o) => checked_office(conn, scope, o.as_deref(), level)?,
        None => checked_office(conn, scope, before.office_id.as_deref(), level)?,
    };
    if access_changes {
        escalation(conn, scope, Some(id), &roles, level, office.as_deref())?;
    }
    let n = diesel::update(users::table.find(id).filter(users::version.eq(version)))
        .set((
            users::display_name.eq(&display_name),
            users::roles.eq(join_roles(&roles)),
            users::scope_level.eq(level.as_str()),
            users::office_id.eq(office.as_deref()),
            users::must_change_password.eq(before.must_change_password || c.force_password_change),
            users::updated_at.eq(now()),
            users::version.eq(version + 1),
        ))
        .execute(conn)?;
    if n != 1 {
        return Err(stale("user"));
    }
    if c.force_password_change {
        accounts::revoke_all_sessions(conn, id)?;
    }
    let after = accounts::user(conn, id)?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[changed(
            "update_user",
            id,
            user_json(&before),
            user_json(&after),
        )],
    )?;
    Ok(after)
}

/// Disables or re-enables a user. Disabling ends every session and API token of theirs at once.
pub fn set_disabled(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    version: i32,
    disabled: bool,
) -> Result<User> {
    let before = managed_user(conn, scope, id)?;
    if id == scope.user_id() {
        return Err(Error::forbidden(
            crate::domain::access::Escalation::OwnAccount.to_string(),
        ));
    }
    check_version(before.version, version, "user")?;
    let n = diesel::update(users::table.find(id).filter(users::version.eq(version)))
        .set((
            users::disabled.eq(disabled),
            users::updated_at.eq(now()),
            users::version.eq(version + 1),
        ))
        .execute(conn)?;
    if n != 1 {
        return Err(stale("user"));
    }
    if disabled {
        accounts::revoke_all_sessions(conn, id)?;
    }
    let after = accounts::user(conn, id)?;
    let action = if disabled {
        "disable_user"
    } else {
        "enable_user"
    };
    audit::append(
        conn,
        &Actor::from(scope),
        &[changed(action, id, user_json(&before), user_json(&after))],
    )?;
    Ok(after)
}

/// Issues a new one-time code with which the user sets a new password; earlier unused codes of
/// theirs stop working.
pub fn issue_reset_code(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<(User, IssuedCode)> {
    let user = managed_user(conn, scope, id)?;
    let code = issue_code(conn, scope, id, "reset")?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry {
            detail: Some(format!("one-time code valid until {}", code.expires_at)),
            ..Entry::ok("issue_reset_code", "user", id)
        }],
    )?;
    Ok((user, code))
}

fn issue_code(
    conn: &mut DbConn,
    scope: &Scope,
    user_id: &str,
    purpose: &str,
) -> Result<IssuedCode> {
    let t = now();
    // Only one code per person stands at a time.
    diesel::update(
        one_time_codes::table
            .filter(one_time_codes::user_id.eq(user_id))
            .filter(one_time_codes::used_at.is_null())
            .filter(one_time_codes::expires_at.gt(t)),
    )
    .set(one_time_codes::expires_at.eq(t))
    .execute(conn)?;
    let settings = workflow::unit_settings(conn, scope.unit_id())?;
    let code = new_code();
    let expires_at = t + chrono::Duration::hours(i64::from(settings.access.code_hours));
    diesel::insert_into(one_time_codes::table)
        .values((
            one_time_codes::id.eq(new_id()),
            one_time_codes::user_id.eq(user_id),
            one_time_codes::code_hash.eq(hash_code(&code)),
            one_time_codes::purpose.eq(purpose),
            one_time_codes::created_by.eq(scope.user_id()),
            one_time_codes::created_at.eq(t),
            one_time_codes::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(IssuedCode { code, expires_at })
}

/// Letters and digits that cannot be mistaken for one another when read aloud or copied.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Twelve characters of a 32-letter alphabet (60 bits), shown as XXXX-XXXX-XXXX.
fn new_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..12)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The stored form of a code: as typed, without dashes, spaces or case.
pub fn hash_code(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

/// Uses a user's one-time code: true when it stood (not used, not expired, theirs); it cannot
/// work again.
pub fn redeem_code(conn: &mut DbConn, user_id: &str, code: &str) -> Result<bool> {
    let t = now();
    let n = diesel::update(
        one_time_codes::table
            .filter(one_time_codes::user_id.eq(user_id))
            .filter(one_time_codes::code_hash.eq(hash_code(code)))
            .filter(one_time_codes::used_at.is_null())
            .filter(one_time_codes::expires_at.gt(t)),
    )
    .set(one_time_codes::used_at.eq(t))
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether a one-time code of the user stands (not used, not expired), without using it.
pub fn code_stands(conn: &mut DbConn, user_id: &str, code_hash: &str) -> Result<bool> {
    let n: i64 = one_time_codes::table
        .filter(one_time_codes::user_id.eq(user_id))
        .filter(one_time_codes::code_hash.eq(code_hash))
        .filter(one_time_codes::used_at.is_null())
        .filter(one_time_codes::expires_at.gt(now()))
        .count()
        .get_result(conn)?;
    Ok(n == 1)
}

/// Open sessions and API tokens of a user the admin manages.
pub fn user_sessions(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<Vec<Session>> {
    managed_user(conn, scope, id)?;
    Ok(sessions::table
        .filter(sessions::user_id.eq(id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now()))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(conn)?)
}

/// Ends one session or API token of a user the admin manages; false when it had already ended.
pub fn end_session(conn: &mut DbConn, scope: &Scope, session_id: &str) -> Result<bool> {
    require(scope)?;
    let owner: Option<String> = sessions::table
        .find(session_id)
        .select(sessions::user_id)
        .first(conn)
        .optional()?;
    let owner = owner.ok_or_else(|| Error::not_found("session"))?;
    managed_user(conn, scope, &owner).map_err(|_| Error::not_found("session"))?;
    let ended = accounts::revoke_session(conn, &owner, session_id)?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry {
            detail: Some(format!("session of user {owner}")),
            ..Entry::ok("end_session", "session", session_id)
        }],
    )?;
    Ok(ended)
}

/// An office's fields as an admin sets them.
#[derive(Debug, Clone)]
pub struct OfficeFields {
    pub code: String,
    pub name: String,
    pub time_zone: String,
    /// JSON of working hours, or empty for the unit's calendar.
    pub working_hours: String,
    pub holidays: Vec<NaiveDate>,
}

/// Adds an office to the admin's unit (unit-scoped admins only).
pub fn create_office(conn: &mut DbConn, scope: &Scope, f: OfficeFields) -> Result<Office> {
    require_unit_wide(scope)?;
    let f = check_office(f)?;
    if accounts::offices_of(conn, scope.unit_id())?
        .iter()
        .any(|o| o.code.eq_ignore_ascii_case(&f.code))
    {
        return Err(Error::conflict(format!(
            "the unit already has an office {}",
            f.code
        )));
    }
    let o = accounts::create_office(conn, scope.unit_id(), &f.code, &f.name)?;
    write_office_fields(conn, &o.id, &f, o.version)?;
    let after = accounts::office(conn, &o.id)?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[changed(
            "create_office",
            &o.id,
            Value::Null,
            office_json(&after),
        )],
    )?;
    Ok(after)
}

/// Changes an office of the admin's unit if `version` still stands.
pub fn update_office(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    version: i32,
    f: OfficeFields,
) -> Result<Office> {
    require_unit_wide(scope)?;
    let before = accounts::office(conn, id)?;
    if before.operation_unit_id != scope.unit_id() {
        return Err(Error::not_found("office"));
    }
    check_version(before.version, version, "office")?;
    let f = check_office(f)?;
    if accounts::offices_of(conn, scope.unit_id())?
        .iter()
        .any(|o| o.id != id && o.code.eq_ignore_ascii_case(&f.code))
    {
        return Err(Error::conflict(format!(
            "the unit already has an office {}",
            f.code
        )));
    }
    write_office_fields(conn, id, &f, version)?;
    let after = accounts::office(conn, id)?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[changed(
            "update_office",
            id,
            office_json(&before),
            office_json(&after),
        )],
    )?;
    Ok(after)
}

fn write_office_fields(conn: &mut DbConn, id: &str, f: &OfficeFields, version: i32) -> Result<()> {
    let holidays = serde_json::to_string(&f.holidays)
        .map_err(|e| Error::internal(format!("holidays: {e}")))?;
    let n = diesel::update(offices::table.find(id).filter(offices::version.eq(version)))
        .set((
            offices::code.eq(&f.code),
            offices::name.eq(&f.name),
            offices::time_zone.eq(&f.time_zone),
            offices::working_hours.eq(&f.working_hours),
            offices::holidays.eq(holidays),
            offices::updated_at.eq(now()),
            offices::version.eq(version + 1),
        ))
        .execute(conn)?;
    if n != 1 {
        return Err(stale("office"));
    }
    Ok(())
}

fn check_office(mut f: OfficeFields) -> Result<OfficeFields> {
    f.code = f.code.trim().to_uppercase();
    f.name = f.name.trim().to_string();
    if f.code.is_empty() || f.code.len() > 10 || !f.code.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(Error::validation(
            "input.code",
            "an office code is 1 to 10 letters or digits, e.g. LAG",
        ));
    }
    if f.name.is_empty() || f.name.chars().count() > 100 {
        return Err(Error::validation(
            "input.name",
            "an office name has 1 to 100 characters",
        ));
    }
    f.time_zone = crate::domain::time_zone::check("input.timeZone", &f.time_zone)?;
    if !f.working_hours.is_empty() {
        let c: workflow::Calendar = serde_json::from_str(&f.working_hours)
            .map_err(|e| Error::validation("input.workingHours", format!("cannot be read: {e}")))?;
        if c.day_starts >= c.day_ends
            || c.day_ends > 24 * 60
            || c.working_days.is_empty()
            || c.working_days.iter().any(|d| !(1..=7).contains(d))
        {
            return Err(Error::validation(
                "input.workingHours",
                "the day must start before it ends, and working days are 1 (Monday) to 7",
            ));
        }
    }
    if f.holidays.len() > 366 {
        return Err(Error::validation("input.holidays", "at most 366 holidays"));
    }
    f.holidays.sort();
    f.holidays.dedup();
    Ok(f)
}

/// A unit's modules, settings and their version.
#[derive(Debug, Clone)]
pub struct SettingsView {
    pub version: i32,
    pub modules: Vec<String>,
    pub settings: UnitSettings,
}

pub fn settings(conn: &mut DbConn, scope: &Scope) -> Result<SettingsView> {
    require(scope)?;
    let unit = accounts::unit(conn, scope.unit_id())?;
    let version: i32 = operation_units::table
        .find(scope.unit_id())
        .select(operation_units::version)
        .first(conn)?;
    Ok(SettingsView {
        version,
        modules: unit.module_list(),
        settings: workflow::unit_settings(conn, scope.unit_id())?,
    })
}

/// Replaces the unit's settings if `version` still stands; the procedures read them from the
/// next request on.
pub fn update_settings(
    conn: &mut DbConn,
    scope: &Scope,
    version: i32,
    new: UnitSettings,
) -> Result<SettingsView> {
    require_unit_wide(scope)?;
    let before = settings(conn, scope)?;
    check_version(before.version, version, "unit settings")?;
    let mut problems = new.rsd.problems();
    problems.extend(new.access.problems());
    let c = &new.calendar;
    if c.day_starts >= c.day_ends || c.day_ends > 24 * 60 || c.working_days.is_empty() {
        problems.push(
            "the working day must start before it ends, with at least one working day".into(),
        );
    }
    if !problems.is_empty() {
        return Err(Error::validation("input.settings", problems.join("; ")));
    }
    let json =
        serde_json::to_string(&new).map_err(|e| Error::internal(format!("settings: {e}")))?;
    let n = diesel::update(
        operation_units::table
            .find(scope.unit_id())
            .filter(operation_units::version.eq(version)),
    )
    .set((
        operation_units::settings.eq(json),
        operation_units::updated_at.eq(now()),
        operation_units::version.eq(version + 1),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(stale("unit settings"));
    }
    let after = settings(conn, scope)?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[changed(
            "update_unit_settings",
            scope.unit_id(),
            serde_json::to_value(&before.settings).unwrap_or(Value::Null),
            serde_json::to_value(&after.settings).unwrap_or(Value::Null),
        )],
    )?;
    Ok(after)
}

/// One line of the access review: what one user can see.
#[derive(Debug, Clone)]
pub struct AccessLine {
    pub user: User,
    pub field_groups: Vec<FieldGroup>,
    pub offices: Vec<Office>,
    pub reads_persons: bool,
}

/// Who in the admin's reach can see which sensitive field groups and which offices' records.
pub fn access_review(conn: &mut DbConn, scope: &Scope) -> Result<Vec<AccessLine>> {
    require(scope)?;
    let all_offices = accounts::offices_of(conn, scope.unit_id())?;
    let (people, _, _) = list_users(conn, scope, None, 10_000)?;
    let mut out = Vec::with_capacity(people.len());
    for u in people {
        let grants = Grants::new(parse_roles(&u.roles).unwrap_or_default());
        let level = ScopeLevel::parse(&u.scope_level).unwrap_or(ScopeLevel::Own);
        let field_groups = FieldGroup::ALL
            .into_iter()
            .filter(|g| grants.sees(*g))
            .collect();
        let offices = match level {
            ScopeLevel::Unit => all_offices.clone(),
            ScopeLevel::Office | ScopeLevel::Own => all_offices
                .iter()
                .filter(|o| u.office_id.as_deref() == Some(o.id.as_str()))
                .cloned()
                .collect(),
        };
        out.push(AccessLine {
            reads_persons: !u.disabled && grants.can(Permission::ReadPersons),
            user: u,
            field_groups,
            offices,
        });
    }
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry::plain(
            "access_review",
            Outcome::Ok,
            Some(format!("{} users", out.len())),
        )],
    )?;
    Ok(out)
}

/// One change to the unit's settings or to an office, as its audit event keeps it.
#[derive(Debug, Clone)]
pub struct SettingsChange {
    /// The audit event's position, the page cursor.
    pub seq: i64,
    pub at: NaiveDateTime,
    pub username: Option<String>,
    /// `update_unit_settings`, `create_office` or `update_office`.
    pub action: String,
    /// The unit's id for settings, the office's id for an office.
    pub record_id: Option<String>,
    pub before: Value,
    pub after: Value,
}

/// The audit actions that change settings or offices: their history is read from the audit
/// log, which already keeps each one's before and after, append-only and hash-chained, so
/// there is no second copy to drift from it.
const SETTINGS_ACTIONS: [&str; 3] = ["update_unit_settings", "create_office", "update_office"];

/// Changes to the unit's settings and offices, newest first, older than `before_seq`; an
/// office-scoped admin sees the unit's settings and their own office only.
pub fn settings_history(
    conn: &mut DbConn,
    scope: &Scope,
    before_seq: Option<i64>,
    first: i64,
) -> Result<(Vec<SettingsChange>, bool)> {
    use super::schema::audit_events as ev;
    require(scope)?;
    let mut q = ev::table
        .filter(ev::operation_unit_id.eq(scope.unit_id()))
        .filter(ev::outcome.eq("ok"))
        .filter(ev::action.eq_any(SETTINGS_ACTIONS))
        .into_boxed();
    if let Some(office) = office_limit(scope)? {
        q = q.filter(
            ev::record_id
                .eq(scope.unit_id().to_string())
                .or(ev::record_id.eq(office.to_string())),
        );
    }
    if let Some(seq) = before_seq {
        q = q.filter(ev::seq.lt(seq));
    }
    let rows: Vec<audit::AuditEvent> = q
        .order(ev::seq.desc())
        .select(audit::AuditEvent::as_select())
        .limit_in_text(first + 1)
        .load(conn)?;
    let more = rows.len() as i64 > first;
    let out: Vec<SettingsChange> = rows
        .into_iter()
        .take(first as usize)
        .map(|e| {
            let detail: Value = e
                .detail
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or(Value::Null);
            SettingsChange {
                seq: e.seq,
                at: e.at,
                username: e.username,
                action: e.action,
                record_id: e.record_id,
                before: detail.get("before").cloned().unwrap_or(Value::Null),
                after: detail.get("after").cloned().unwrap_or(Value::Null),
            }
        })
        .collect();
    Ok((out, more))
}

fn require(scope: &Scope) -> Result<()> {
    scope.require(Permission::ManageUsers)
}

fn require_unit_wide(scope: &Scope) -> Result<()> {
    require(scope)?;
    if scope.level() != ScopeLevel::Unit {
        return Err(Error::forbidden(
            "only a unit admin whose scope is the whole unit changes offices and unit settings",
        ));
    }
    Ok(())
}

/// The office an office-scoped admin is limited to.
fn office_limit(scope: &Scope) -> Result<Option<&str>> {
    match scope.level() {
        ScopeLevel::Unit => Ok(None),
        _ => scope.office_id().map(Some).ok_or_else(|| {
            Error::forbidden("your account has no office; ask another admin to set one")
        }),
    }
}

fn escalation(
    conn: &mut DbConn,
    scope: &Scope,
    target: Option<&str>,
    roles: &[Role],
    level: ScopeLevel,
    office: Option<&str>,
) -> Result<()> {
    let modules = accounts::unit(conn, scope.unit_id())?.module_list();
    let admin = Admin {
        user_id: scope.user_id(),
        level: scope.level(),
        office_id: scope.office_id(),
    };
    let wanted = Assignment {
        roles,
        level,
        office_id: office,
    };
    check_assignment(&admin, target, &wanted, &modules).map_err(|e| Error::forbidden(e.to_string()))
}

/// The office id, checked to be the unit's; office and own scopes need one.
fn checked_office(
    conn: &mut DbConn,
    scope: &Scope,
    office_id: Option<&str>,
    level: ScopeLevel,
) -> Result<Option<String>> {
    match office_id {
        None if level != ScopeLevel::Unit => Err(Error::validation(
            "input.officeId",
            "a user whose scope is an office or their own cases needs an office",
        )),
        None => Ok(None),
        Some(id) => {
            let o = accounts::office(conn, id)
                .ok()
                .filter(|o| o.operation_unit_id == scope.unit_id());
            match o {
                Some(o) => Ok(Some(o.id)),
                None => Err(Error::validation(
                    "input.officeId",
                    "not an office of your unit",
                )),
            }
        }
    }
}

fn check_username(u: &str) -> Result<()> {
    let ok = (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        && u.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "input.username",
            crate::error::Reason::BadFormat {
                format: "username".into(),
            },
            "a username has 3 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit",
        ))
    }
}

fn check_display_name(d: &str) -> Result<String> {
    let d = d.trim();
    if d.is_empty() || d.chars().count() > 200 || d.chars().any(char::is_control) {
        return Err(Error::validation(
            "input.displayName",
            "a display name has 1 to 200 characters",
        ));
    }
    Ok(d.to_string())
}

fn check_version(stored: i32, sent: i32, what: &str) -> Result<()> {
    if stored != sent {
        return Err(Error::conflict(format!(
            "the {what} changed since you read it (version {sent}, now {stored}); read it again"
        )));
    }
    Ok(())
}

fn stale(what: &str) -> Error {
    Error::conflict(format!(
        "the {what} changed while you saved it; read it again"
    ))
}

fn join_roles(roles: &[Role]) -> String {
    let g = Grants::new(roles.to_vec());
    g.roles()
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn changed(action: &'static str, id: &str, before: Value, after: Value) -> Entry {
    let record_type = match action {
        "create_office" | "update_office" => "office",
        "update_unit_settings" => "operation_unit",
        _ => "user",
    };
    Entry {
        detail: Some(json!({ "before": before, "after": after }).to_string()),
        ..Entry::ok(action, record_type, id)
    }
}

fn user_json(u: &User) -> Value {
    json!({
        "username": u.username,
        "displayName": u.display_name,
        "roles": u.roles,
        "scope": u.scope_level,
        "officeId": u.office_id,
        "disabled": u.disabled,
        "mustChangePassword": u.must_change_password,
        "version": u.version,
    })
}

fn office_json(o: &Office) -> Value {
    json!({
        "code": o.code,
        "name": o.name,
        "timeZone": o.time_zone,
        "workingHours": o.working_hours,
        "holidays": o.holidays,
        "version": o.version,
    })
}
