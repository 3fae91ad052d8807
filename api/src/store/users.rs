//! Operation units, offices, users and their sessions: the data behind identity and access.
//! None of it is personal data of applicants, so these functions take no `Scope`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::db::DbConn;
use super::schema::{offices, operation_units, sessions, users};
use super::{new_id, now};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = operation_units)]
pub struct Unit {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub modules: String,
    /// IANA time zone of the unit's head office, e.g. America/Guayaquil.
    pub time_zone: String,
}

impl Unit {
    pub fn module_list(&self) -> Vec<String> {
        self.modules
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = offices)]
pub struct Office {
    pub id: String,
    pub operation_unit_id: String,
    pub code: String,
    pub name: String,
    /// IANA time zone, e.g. America/Guayaquil or Pacific/Galapagos.
    pub time_zone: String,
    pub version: i32,
    /// JSON of the office's own working hours; empty for the unit's calendar.
    pub working_hours: String,
    /// JSON list of ISO dates the office is closed.
    pub holidays: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: Option<String>,
    pub username: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub roles: String,
    pub scope_level: String,
    pub disabled: bool,
    /// Bumped by every change of the account, so a live link notices a change of roles.
    pub version: i32,
    /// Set by an admin: the next login must choose a new password.
    pub must_change_password: bool,
    pub last_login_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub name: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn create_unit(
    conn: &mut DbConn,
    code: &str,
    name: &str,
    kind: &str,
    modules: &[&str],
) -> Result<Unit> {
    let t = now();
    let id = new_id();
    diesel::insert_into(operation_units::table)
        .values((
            operation_units::id.eq(&id),
            operation_units::code.eq(code),
            operation_units::name.eq(name),
            operation_units::kind.eq(kind),
            operation_units::modules.eq(modules.join(",")),
            operation_units::created_at.eq(t),
            operation_units::updated_at.eq(t),
        ))
        .execute(conn)?;
    unit(conn, &id)
}

pub fn unit(conn: &mut DbConn, id: &str) -> Result<Unit> {
    operation_units::table
        .find(id)
        .select(Unit::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("operation unit"))
}

pub fn unit_by_code(conn: &mut DbConn, code: &str) -> Result<Option<Unit>> {
    Ok(operation_units::table
        .filter(operation_units::code.eq(code))
        .select(Unit::as_select())
        .first(conn)
        .optional()?)
}

pub fn create_office(conn: &mut DbConn, unit_id: &str, code: &str, name: &str) -> Result<Office> {
    let t = now();
    let id = new_id();
    diesel::insert_into(offices::table)
        .values((
            offices::id.eq(&id),
            offices::operation_unit_id.eq(unit_id),
            offices::code.eq(code),
            offices::name.eq(name),
            offices::created_at.eq(t),
            offices::updated_at.eq(t),
        ))
        .execute(conn)?;
    office(conn, &id)
}

pub fn office(conn: &mut DbConn, id: &str) -> Result<Office> {
    offices::table
        .find(id)
        .select(Office::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("office"))
}

/// Finds an office of the unit by code or by name (case-insensitive), as operators type it.
pub fn find_office(conn: &mut DbConn, unit_id: &str, code_or_name: &str) -> Result<Option<Office>> {
    let all: Vec<Office> = offices::table
        .filter(offices::operation_unit_id.eq(unit_id))
        .select(Office::as_select())
        .load(conn)?;
    let wanted = crate::domain::names::normalize(code_or_name);
    Ok(all.into_iter().find(|o| {
        crate::domain::names::normalize(&o.code) == wanted
            || crate::domain::names::normalize(&o.name) == wanted
    }))
}

pub fn offices_of(conn: &mut DbConn, unit_id: &str) -> Result<Vec<Office>> {
    Ok(offices::table
        .filter(offices::operation_unit_id.eq(unit_id))
        .order(offices::name.asc())
        .select(Office::as_select())
        .load(conn)?)
}

/// What it takes to create a user.
pub struct NewUser<'a> {
    pub unit_id: &'a str,
    pub office_id: Option<&'a str>,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: Option<&'a str>,
    pub roles: &'a str,
    pub scope_level: &'a str,
}

pub fn create_user(conn: &mut DbConn, u: NewUser<'_>) -> Result<User> {
    if user_by_username(conn, u.username)?.is_some() {
        return Err(Error::conflict(format!(
            "user {:?} already exists",
            u.username
        )));
    }
    let t = now();
    let id = new_id();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::operation_unit_id.eq(u.unit_id),
            users::office_id.eq(u.office_id),
            users::username.eq(u.username),
            users::display_name.eq(u.display_name),
            users::password_hash.eq(u.password_hash),
            users::roles.eq(u.roles),
            users::scope_level.eq(u.scope_level),
            users::created_at.eq(t),
            users::updated_at.eq(t),
        ))
        .execute(conn)?;
    user(conn, &id)
}

pub fn user(conn: &mut DbConn, id: &str) -> Result<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("user"))
}

pub fn user_by_username(conn: &mut DbConn, username: &str) -> Result<Option<User>> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn users_of_unit(conn: &mut DbConn, unit_id: &str) -> Result<Vec<User>> {
    Ok(users::table
        .filter(users::operation_unit_id.eq(unit_id))
        .order(users::username.asc())
        .select(User::as_select())
        .load(conn)?)
}

/// Replaces a user's password hash and ends every session of theirs.
pub fn set_password(conn: &mut DbConn, user_id: &str, hash: &str) -> Result<()> {
    let t = now();
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(hash),
            users::must_change_password.eq(false),
            users::updated_at.eq(t),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)?;
    revoke_all_sessions(conn, user_id)
}

/// Disables a user and ends every session and API token of theirs.
pub fn disable_user(conn: &mut DbConn, user_id: &str) -> Result<()> {
    let t = now();
    diesel::update(users::table.find(user_id))
        .set((
            users::disabled.eq(true),
            users::updated_at.eq(t),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)?;
    revoke_all_sessions(conn, user_id)
}

pub fn revoke_all_sessions(conn: &mut DbConn, user_id: &str) -> Result<()> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(())
}

/// Ends the user's interactive sessions beyond the `keep` most recent ones (API tokens are
/// not counted).
pub fn keep_newest_sessions(conn: &mut DbConn, user_id: &str, keep: usize) -> Result<()> {
    let t = now();
    let open: Vec<String> = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::kind.eq("session"))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(t))
        .order(sessions::created_at.desc())
        .select(sessions::id)
        .load(conn)?;
    let old: Vec<String> = open.into_iter().skip(keep).collect();
    if !old.is_empty() {
        diesel::update(sessions::table.filter(sessions::id.eq_any(&old)))
            .set(sessions::revoked_at.eq(t))
            .execute(conn)?;
    }
    Ok(())
}

/// Notes a successful login, for the admin's list of users.
pub fn record_login(conn: &mut DbConn, user_id: &str) -> Result<()> {
    diesel::update(users::table.find(user_id))
        .set(users::last_login_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

pub fn create_session(
    conn: &mut DbConn,
    user_id: &str,
    token_hash: &str,
    kind: &str,
    name: Option<&str>,
    expires_at: NaiveDateTime,
) -> Result<Session> {
    let t = now();
    let id = new_id();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&id),
            sessions::user_id.eq(user_id),
            sessions::token_hash.eq(token_hash),
            sessions::kind.eq(kind),
            sessions::name.eq(name),
            sessions::created_at.eq(t),
            sessions::last_used_at.eq(t),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(sessions::table
        .find(&id)
        .select(Session::as_select())
        .first(conn)?)
}

pub fn session_by_token_hash(
    conn: &mut DbConn,
    token_hash: &str,
) -> Result<Option<(Session, User)>> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((Session::as_select(), User::as_select()))
        .first(conn)
        .optional()?)
}

/// A session or API token with its user and the user's unit, by the token's hash: what every
/// request's authentication reads, in one statement.
pub fn session_by_token_hash_with_unit(
    conn: &mut DbConn,
    token_hash: &str,
) -> Result<Option<(Session, User, Unit)>> {
    Ok(sessions::table
        .inner_join(users::table)
        .inner_join(operation_units::table.on(operation_units::id.eq(users::operation_unit_id)))
        .filter(sessions::token_hash.eq(token_hash))
        .select((Session::as_select(), User::as_select(), Unit::as_select()))
        .first(conn)
        .optional()?)
}

/// A session or API token and its user, by the session's id.
pub fn session_by_id(conn: &mut DbConn, session_id: &str) -> Result<Option<(Session, User)>> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .select((Session::as_select(), User::as_select()))
        .first(conn)
        .optional()?)
}

pub fn touch_session(conn: &mut DbConn, session_id: &str, at: NaiveDateTime) -> Result<()> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::last_used_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Revokes one session or API token of the user; false when there was none to revoke.
pub fn revoke_session(conn: &mut DbConn, user_id: &str, session_id: &str) -> Result<bool> {
    let n = diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn api_tokens(conn: &mut DbConn, user_id: &str) -> Result<Vec<Session>> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::kind.eq("api"))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(conn)?)
}
