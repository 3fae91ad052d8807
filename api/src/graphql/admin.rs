//! Unit administration over GraphQL: users, their sessions and one-time codes, offices, unit
//! settings and the access review. Everything is for unit admins (FORBIDDEN for anyone else),
//! reaches only the admin's unit, is audited with before and after, and every mutation is
//! idempotent by `clientMutationId`; updates name the `version` they read.

use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::connection::{PageInfo, check_first, decode_cursor, encode_cursor};
use super::context::{GqlResult, audit_refusal, claim_of, gql, request, scope, scoped_read, state};
use super::mutation::LoginPayload;
use super::types::utc;
use crate::domain::access::{Role, ScopeLevel};
use crate::error::{Error, Result};
use crate::store::admin::{self, NewAccount, OfficeFields, UserChanges};
use crate::store::audit::Entry;
use crate::store::idempotency::{Claim, run_once};
use crate::store::users;
use crate::store::workflow::UnitSettings;

/// Queries of unit administration.
#[derive(Default)]
pub struct AdminQuery;

/// Mutations of unit administration.
#[derive(Default)]
pub struct AdminMutation;

/// A user of the unit as its admin sees them.
#[derive(SimpleObject, Clone, Serialize, Deserialize)]
pub struct UnitUser {
    /// The user's identifier.
    pub id: ID,
    /// Login name.
    pub username: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Roles, e.g. registration_clerk, supervisor.
    pub roles: Vec<String>,
    /// How far their view reaches: unit, office or own.
    pub scope_level: String,
    /// Their office, if any.
    pub office_id: Option<ID>,
    /// ACTIVE, DISABLED, or PENDING (no password set yet: they have a one-time code).
    pub status: String,
    /// Whether their next login must choose a new password.
    pub must_change_password: bool,
    /// When they last logged in.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Send it back with an update.
    pub version: i32,
}

impl From<users::User> for UnitUser {
    fn from(u: users::User) -> Self {
        let status = if u.disabled {
            "DISABLED"
        } else if u.password_hash.is_none() {
            "PENDING"
        } else {
            "ACTIVE"
        };
        Self {
            id: ID(u.id),
            username: u.username,
            display_name: u.display_name,
            roles: u
                .roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            scope_level: u.scope_level,
            office_id: u.office_id.map(ID),
            status: status.to_string(),
            must_change_password: u.must_change_password,
            last_login_at: u.last_login_at.map(utc),
            version: u.version,
        }
    }
}

/// One user in a page of users.
#[derive(SimpleObject)]
pub struct UnitUserEdge {
    /// The user.
    pub node: UnitUser,
    /// Where this edge is, for `after`.
    pub cursor: String,
}

/// A page of the unit's users, by username.
#[derive(SimpleObject)]
pub struct UnitUserConnection {
    /// The users of this page.
    pub edges: Vec<UnitUserEdge>,
    /// Whether there are more.
    pub page_info: PageInfo,
    /// How many users the admin manages in all.
    pub total_count: i64,
}

/// An open session or API token of a user.
#[derive(SimpleObject, Clone)]
pub struct UserSession {
    /// The session's identifier, to end it.
    pub id: ID,
    /// `session` (a login) or `api` (an API token).
    pub kind: String,
    /// The API token's name.
    pub name: Option<String>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: DateTime<Utc>,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
}

impl From<users::Session> for UserSession {
    fn from(s: users::Session) -> Self {
        Self {
            id: ID(s.id),
            kind: s.kind,
            name: s.name,
            created_at: utc(s.created_at),
            last_used_at: utc(s.last_used_at),
            expires_at: utc(s.expires_at),
        }
    }
}

/// An office of the unit with everything its admin sets.
#[derive(SimpleObject, Clone, Serialize, Deserialize)]
pub struct UnitOffice {
    /// The office's identifier.
    pub id: ID,
    /// Short code, e.g. LAG.
    pub code: String,
    /// Name, e.g. Lago Agrio.
    pub name: String,
    /// IANA time zone.
    pub time_zone: String,
    /// The office's own working hours as JSON (`day_starts`/`day_ends` in minutes after
    /// local midnight, `working_days` 1 = Monday), or null when it keeps the unit's calendar.
    pub working_hours: Option<String>,
    /// Days the office is closed.
    pub holidays: Vec<NaiveDate>,
    /// Send it back with an update.
    pub version: i32,
}

impl From<users::Office> for UnitOffice {
    fn from(o: users::Office) -> Self {
        Self {
            id: ID(o.id),
            code: o.code,
            name: o.name,
            time_zone: o.time_zone,
            working_hours: Some(o.working_hours).filter(|w| !w.is_empty()),
            holidays: serde_json::from_str(&o.holidays).unwrap_or_default(),
            version: o.version,
        }
    }
}

/// The unit's settings, which the procedures read.
#[derive(SimpleObject, Clone, Serialize, Deserialize)]
pub struct UnitSettingsView {
    /// Modules the unit runs (set by the server's operator): registration, rsd, assistance,
    /// protection, resettlement. They decide which roles the unit can give.
    pub modules: Vec<String>,
    /// The settings as JSON: `rsd` (deadlines and thresholds of the RSD procedure), `calendar`
    /// (the working day), `access` (minimum password length, sessions per user, hours a
    /// one-time code lasts). Absent fields take Ecuador's defaults.
    pub settings: Json<serde_json::Value>,
    /// Send it back with an update.
    pub version: i32,
}

impl From<admin::SettingsView> for UnitSettingsView {
    fn from(v: admin::SettingsView) -> Self {
        Self {
            modules: v.modules,
            settings: Json(serde_json::to_value(&v.settings).unwrap_or_default()),
            version: v.version,
        }
    }
}

/// One change to the unit's settings or to an office: who made it, when, and the record
/// before and after (from the audit log).
#[derive(SimpleObject)]
pub struct SettingsChange {
    /// When it was saved.
    pub at: DateTime<Utc>,
    /// Who saved it.
    pub username: Option<String>,
    /// UNIT_SETTINGS, OFFICE_CREATED or OFFICE_CHANGED.
    pub kind: String,
    /// The office's id for an office change; null for the unit's settings.
    pub office_id: Option<ID>,
    /// The record before (null when an office was created), as JSON.
    pub before: Json<serde_json::Value>,
    /// The record after, as JSON.
    pub after: Json<serde_json::Value>,
}

/// One change in a page of changes.
#[derive(SimpleObject)]
pub struct SettingsChangeEdge {
    /// The change.
    pub node: SettingsChange,
    /// Where this edge is, for `after`.
    pub cursor: String,
}

/// A page of changes to the unit's settings and offices, newest first.
#[derive(SimpleObject)]
pub struct SettingsChangeConnection {
    /// The changes of this page.
    pub edges: Vec<SettingsChangeEdge>,
    /// Whether there are older ones.
    pub page_info: PageInfo,
}

/// What one user can see, for the periodic access review.
#[derive(SimpleObject)]
pub struct AccessReviewLine {
    /// The user.
    pub user: UnitUser,
    /// Sensitive field groups their roles open: sgbv, torture, medical, ethnicity, religion,
    /// claim_narrative.
    pub field_groups: Vec<String>,
    /// Codes of the offices whose records they reach.
    pub office_codes: Vec<String>,
    /// Whether they can read personal data at all (an enabled user with a role that reads).
    pub reads_persons: bool,
}

/// A user, and the one-time code they set their password with.
#[derive(SimpleObject, Serialize, Deserialize)]
pub struct UserCodePayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// The user.
    pub user: UnitUser,
    /// The one-time code, shown once: give it to the person. Null on a replay.
    pub one_time_code: Option<String>,
    /// When the code stops working.
    pub code_expires_at: DateTime<Utc>,
}

/// A changed user.
#[derive(SimpleObject, Serialize, Deserialize)]
pub struct UserPayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// The user as saved.
    pub user: UnitUser,
}

/// The result of endSession.
#[derive(SimpleObject, Serialize, Deserialize)]
pub struct EndSessionPayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// Whether a session was ended by this request (false if it had already ended).
    pub ended: bool,
}

/// A saved office.
#[derive(SimpleObject, Serialize, Deserialize)]
pub struct OfficePayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// The office as saved.
    pub office: UnitOffice,
}

/// Saved unit settings.
#[derive(SimpleObject, Serialize, Deserialize)]
pub struct UnitSettingsPayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// The settings as saved.
    pub settings: UnitSettingsView,
}

/// A new user of your unit.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Unique per mutation you send; a replay returns the first result.
    pub client_mutation_id: String,
    /// Login name: 3 to 64 lowercase letters, digits, dots, dashes or underscores.
    pub username: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Roles, e.g. ["registration_clerk"].
    pub roles: Vec<String>,
    /// Their office (required for scope office or own).
    pub office_id: Option<ID>,
    /// unit, office or own; by default the widest default of their roles.
    pub scope_level: Option<String>,
}

/// Changes to a user; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// Unique per mutation you send; a replay returns the first result.
    pub client_mutation_id: String,
    /// The user.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// New display name.
    pub display_name: Option<String>,
    /// New roles (all of them).
    pub roles: Option<Vec<String>>,
    /// New office.
    pub office_id: Option<ID>,
    /// New scope: unit, office or own.
    pub scope_level: Option<String>,
    /// True: their next login must choose a new password; their sessions end now.
    pub force_password_change: Option<bool>,
}

/// A user to disable or enable.
#[derive(InputObject)]
pub struct UserStatusInput {
    /// Unique per mutation you send; a replay returns the first result.
    pub client_mutation_id: String,
    /// The user.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// A user who needs a new one-time code.
#[derive(InputObject)]
pub struct IssueResetCodeInput {
    /// Unique per mutation you send; a replay returns the first result.
    pub client_mutation_id: String,
    /// The user.
    pub id: ID,
}

/// A session or API token to end.
#[derive(InputObject)]
pub struct EndSessionInput {
    /// Unique per mutation you send; a replay returns the first result.
    pub client_mutation_id: String,
    /// The session's id (from userSessions).
    pub id: ID,
}

/// An office's fields.
#[derive(InputObject)]
pub struct OfficeInput {
    /// Unique per mutation you send; a replay returns the first result.
    pub client_mutation_id: String,
    /// The office to change; absent to create one.
    pub id: Option<ID>,
    /// The version you read (required with id).
    pub version: Option<i32>,
    /// Short code, 1 to 10 letters or digits.
    pub code: String,
    /// Name.
    pub name: String,
    /// IANA time zone; America/Guayaquil when absent.
    pub time_zone: Option<String>,
    /// Working hours as JSON (see UnitOffice.workingHours); absent for the unit's calendar.
    pub working_hours: Option<String>,
    /// Days the office is closed.
    pub holidays: Option<Vec<NaiveDate>>,
}

/// New unit settings.
#[derive(InputObject)]
pub struct UpdateUnitSettingsInput {
    /// Unique per mutation you send; a replay returns the first result.
    pub client_mutation_id: String,
    /// The version you read.
    pub version: i32,
    /// The whole settings object, as unitSettings returns it.
    pub settings: Json<serde_json::Value>,
}

/// A one-time code and the password it sets.
#[derive(InputObject)]
pub struct SetPasswordWithCodeInput {
    /// Login name.
    pub username: String,
    /// The one-time code your unit admin gave you (dashes and case do not matter).
    #[graphql(secret)]
    pub code: String,
    /// Your new password: at least your unit's minimum length, not a common one.
    #[graphql(secret)]
    pub new_password: String,
}

#[Object]
impl AdminQuery {
    /// Users of your unit (of your office if your scope is an office), by username. Unit
    /// admins only.
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last user of the previous page.")] after: Option<
            String,
        >,
    ) -> GqlResult<UnitUserConnection> {
        let first = check_first(first).map_err(gql)?;
        let after = decode_cursor(after.as_deref()).map_err(gql)?;
        let (rows, more, total) = scoped_read(ctx, "list_users", None, move |c, s, r| {
            let out = admin::list_users(c, s, after.as_deref(), first)?;
            r.record("user", out.0.iter().map(|u| u.id.clone()));
            Ok(out)
        })
        .await?;
        let edges: Vec<UnitUserEdge> = rows
            .into_iter()
            .map(|u| UnitUserEdge {
                cursor: encode_cursor(&u.username),
                node: u.into(),
            })
            .collect();
        Ok(UnitUserConnection {
            page_info: PageInfo {
                has_next_page: more,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: total,
        })
    }

    /// Open sessions and API tokens of a user of your unit. Unit admins only.
    async fn user_sessions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user.")] user_id: ID,
    ) -> GqlResult<Vec<UserSession>> {
        let id = user_id.0;
        let rid = id.clone();
        scoped_read(ctx, "user_sessions", Some(&rid), move |c, s, r| {
            let out = admin::user_sessions(c, s, &id)?;
            r.push(Entry::ok("read", "user_sessions", id));
            Ok(out)
        })
        .await
        .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// Offices of your unit with their hours and holidays. Unit admins only.
    async fn unit_offices(&self, ctx: &Context<'_>) -> GqlResult<Vec<UnitOffice>> {
        scoped_read(ctx, "unit_offices", None, |c, s, _| {
            s.require(crate::domain::access::Permission::ManageUsers)?;
            users::offices_of(c, s.unit_id())
        })
        .await
        .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// Your unit's modules and settings. Unit admins only.
    async fn unit_settings(&self, ctx: &Context<'_>) -> GqlResult<UnitSettingsView> {
        scoped_read(ctx, "unit_settings", None, |c, s, _| admin::settings(c, s))
            .await
            .map(Into::into)
    }

    /// Changes to your unit's settings and offices, newest first: who, when, before and after.
    /// An admin whose scope is an office sees the unit's settings and their office. Unit admins
    /// only.
    async fn unit_settings_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last change of the previous page.")] after: Option<
            String,
        >,
    ) -> GqlResult<SettingsChangeConnection> {
        let first = check_first(first).map_err(gql)?;
        let before_seq = match decode_cursor(after.as_deref()).map_err(gql)? {
            Some(c) => Some(c.parse::<i64>().map_err(|_| {
                gql(Error::invalid(
                    "after",
                    crate::error::Reason::BadFormat {
                        format: "cursor".into(),
                    },
                    "not a cursor of this list",
                ))
            })?),
            None => None,
        };
        let (rows, more) = scoped_read(ctx, "unit_settings_history", None, move |c, s, r| {
            let out = admin::settings_history(c, s, before_seq, first)?;
            r.push(Entry {
                detail: Some(format!("{} changes", out.0.len())),
                ..Entry::ok("read", "settings_history", s.unit_id())
            });
            Ok(out)
        })
        .await?;
        let edges: Vec<SettingsChangeEdge> = rows
            .into_iter()
            .map(|c| {
                let office = c.action != "update_unit_settings";
                SettingsChangeEdge {
                    cursor: encode_cursor(&c.seq.to_string()),
                    node: SettingsChange {
                        at: utc(c.at),
                        username: c.username,
                        kind: match c.action.as_str() {
                            "create_office" => "OFFICE_CREATED",
                            "update_office" => "OFFICE_CHANGED",
                            _ => "UNIT_SETTINGS",
                        }
                        .to_string(),
                        office_id: c.record_id.filter(|_| office).map(ID),
                        before: Json(c.before),
                        after: Json(c.after),
                    },
                }
            })
            .collect();
        Ok(SettingsChangeConnection {
            page_info: PageInfo {
                has_next_page: more,
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
        })
    }

    /// Who in your unit can see which sensitive field groups and which offices' records, for
    /// the periodic access review. Unit admins only.
    async fn access_review(&self, ctx: &Context<'_>) -> GqlResult<Vec<AccessReviewLine>> {
        let lines = scoped_read(ctx, "access_review", None, |c, s, _| {
            admin::access_review(c, s)
        })
        .await?;
        Ok(lines
            .into_iter()
            .map(|l| AccessReviewLine {
                field_groups: l
                    .field_groups
                    .iter()
                    .map(|g| g.as_str().to_string())
                    .collect(),
                office_codes: l.offices.into_iter().map(|o| o.code).collect(),
                reads_persons: l.reads_persons,
                user: l.user.into(),
            })
            .collect())
    }
}

fn roles(list: &[String], field: &str) -> Result<Vec<Role>> {
    list.iter()
        .map(|r| {
            Role::parse(r.trim()).ok_or_else(|| {
                Error::invalid(
                    field,
                    crate::error::Reason::UnknownCode {
                        vocabulary: "role".into(),
                        value: r.clone(),
                    },
                    format!("unknown role {r:?}"),
                )
            })
        })
        .collect()
}

fn level(s: Option<&str>) -> Result<Option<ScopeLevel>> {
    s.map(|l| {
        ScopeLevel::parse(l.trim()).ok_or_else(|| {
            Error::invalid(
                "input.scopeLevel",
                crate::error::Reason::UnknownCode {
                    vocabulary: "scope_level".into(),
                    value: l.to_string(),
                },
                "a scope is unit, office or own",
            )
        })
    })
    .transpose()
}

/// Runs an admin mutation once per clientMutationId and audits its refusals.
async fn once<T, F>(ctx: &Context<'_>, claim: Claim, record: Option<&str>, f: F) -> GqlResult<T>
where
    T: Serialize + serde::de::DeserializeOwned + Send + 'static,
    F: FnOnce(&mut crate::store::DbConn, &crate::store::Scope) -> Result<T> + Send + 'static,
{
    let mutation = claim.mutation();
    let s = scope(ctx).map_err(gql)?.clone();
    // Refused before anything is stored, so a non-admin's replay is refused too.
    let outcome = match s.require(crate::domain::access::Permission::ManageUsers) {
        Err(e) => Err(e),
        Ok(()) => {
            let s2 = s.clone();
            run_once(&state(ctx).db, &s, claim, move |c| f(c, &s2)).await
        }
    };
    audit_refusal(ctx, mutation, record, outcome).await
}

/// Only the request that made a code may show it: a replay of the same clientMutationId
/// returns the stored payload, which never holds the code.
#[derive(Serialize, Deserialize)]
struct Stored {
    payload: UserCodePayload,
    code_hash: String,
}

#[Object]
impl AdminMutation {
    /// Create a user of your unit with roles, office and scope. They get no password: give
    /// them the one-time code returned (once) and they set their own with
    /// `setPasswordWithCode`. Refused with FORBIDDEN for a role your unit lacks or a scope
    /// wider than yours.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateUserInput,
    ) -> GqlResult<UserCodePayload> {
        let claim = claim_of("createUser", &input.client_mutation_id, &input);
        let roles = roles(&input.roles, "input.roles").map_err(gql)?;
        let level = level(input.scope_level.as_deref()).map_err(gql)?;
        let new = NewAccount {
            username: input.username,
            display_name: input.display_name,
            roles,
            office_id: input.office_id.map(|o| o.0),
            level,
        };
        let cmid = input.client_mutation_id.clone();
        coded(ctx, claim, None, move |c, s| {
            let (u, code) = admin::create_user(c, s, new)?;
            Ok((cmid, u, code))
        })
        .await
    }

    /// Change a user's name, roles, office or scope, or force a password change. Takes effect
    /// on their next request; live links notice at once. You cannot change your own access.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateUserInput,
    ) -> GqlResult<UserPayload> {
        let claim = claim_of("updateUser", &input.client_mutation_id, &input);
        let changes = UserChanges {
            display_name: input.display_name,
            roles: input
                .roles
                .as_deref()
                .map(|r| roles(r, "input.roles"))
                .transpose()
                .map_err(gql)?,
            office_id: input.office_id.map(|o| Some(o.0)),
            level: level(input.scope_level.as_deref()).map_err(gql)?,
            force_password_change: input.force_password_change.unwrap_or(false),
        };
        let (id, version, cmid) = (
            input.id.0.clone(),
            input.version,
            input.client_mutation_id.clone(),
        );
        let rid = id.clone();
        once(ctx, claim, Some(&rid), move |c, s| {
            let u = admin::update_user(c, s, &id, version, changes)?;
            Ok(UserPayload {
                client_mutation_id: cmid,
                user: u.into(),
            })
        })
        .await
    }

    /// Disable a user: their sessions, API tokens and live links end at once.
    async fn disable_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UserStatusInput,
    ) -> GqlResult<UserPayload> {
        status(ctx, input, true).await
    }

    /// Enable a disabled user again.
    async fn enable_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UserStatusInput,
    ) -> GqlResult<UserPayload> {
        status(ctx, input, false).await
    }

    /// Issue a one-time code (returned once) with which the user sets a new password; it
    /// expires after the unit's `access.codeHours` and works once. Earlier codes stop working.
    async fn issue_reset_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: IssueResetCodeInput,
    ) -> GqlResult<UserCodePayload> {
        let claim = claim_of("issueResetCode", &input.client_mutation_id, &input);
        let (id, cmid) = (input.id.0.clone(), input.client_mutation_id.clone());
        let rid = id.clone();
        coded(ctx, claim, Some(&rid), move |c, s| {
            let (u, code) = admin::issue_reset_code(c, s, &id)?;
            Ok((cmid, u, code))
        })
        .await
    }

    /// End one session or API token of a user of your unit.
    async fn end_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: EndSessionInput,
    ) -> GqlResult<EndSessionPayload> {
        let claim = claim_of("endSession", &input.client_mutation_id, &input);
        let (id, cmid) = (input.id.0.clone(), input.client_mutation_id.clone());
        let rid = id.clone();
        once(ctx, claim, Some(&rid), move |c, s| {
            Ok(EndSessionPayload {
                client_mutation_id: cmid,
                ended: admin::end_session(c, s, &id)?,
            })
        })
        .await
    }

    /// Create an office of your unit (without `id`) or change one (with `id` and `version`).
    async fn save_office(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OfficeInput,
    ) -> GqlResult<OfficePayload> {
        let claim = claim_of("saveOffice", &input.client_mutation_id, &input);
        let fields = OfficeFields {
            code: input.code,
            name: input.name,
            time_zone: input
                .time_zone
                .unwrap_or_else(|| "America/Guayaquil".to_string()),
            working_hours: input.working_hours.unwrap_or_default(),
            holidays: input.holidays.unwrap_or_default(),
        };
        let target = match (input.id, input.version) {
            (Some(id), Some(v)) => Some((id.0, v)),
            (None, _) => None,
            (Some(_), None) => {
                return Err(gql(Error::validation(
                    "input.version",
                    "send the version you read to change an office",
                )));
            }
        };
        let cmid = input.client_mutation_id.clone();
        let rid = target.as_ref().map(|t| t.0.clone());
        once(ctx, claim, rid.as_deref(), move |c, s| {
            let o = match target {
                Some((id, v)) => admin::update_office(c, s, &id, v, fields)?,
                None => admin::create_office(c, s, fields)?,
            };
            Ok(OfficePayload {
                client_mutation_id: cmid,
                office: o.into(),
            })
        })
        .await
    }

    /// Replace your unit's settings (deadlines, thresholds, calendar, password policy). Checked
    /// as a whole; refused with VALIDATION listing every problem.
    async fn update_unit_settings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateUnitSettingsInput,
    ) -> GqlResult<UnitSettingsPayload> {
        let claim = claim_of("updateUnitSettings", &input.client_mutation_id, &input);
        let new: UnitSettings = serde_json::from_value(input.settings.0).map_err(|e| {
            gql(Error::validation(
                "input.settings",
                format!("the settings cannot be read: {e}"),
            ))
        })?;
        let (version, cmid) = (input.version, input.client_mutation_id.clone());
        once(ctx, claim, None, move |c, s| {
            Ok(UnitSettingsPayload {
                client_mutation_id: cmid,
                settings: admin::update_settings(c, s, version, new)?.into(),
            })
        })
        .await
    }

    /// Set your password with the one-time code your unit admin gave you, and log in. The code
    /// works once and expires; no login is needed to call this.
    async fn set_password_with_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SetPasswordWithCodeInput,
    ) -> GqlResult<LoginPayload> {
        let req = request(ctx);
        let r = state(ctx)
            .auth
            .set_password_with_code(
                &input.username,
                &input.code,
                &input.new_password,
                req.addr,
                &req.request_id,
            )
            .await
            .map_err(gql)?;
        Ok(LoginPayload {
            token: r.token,
            expires_at: r.expires_at.and_utc(),
        })
    }
}

async fn status(
    ctx: &Context<'_>,
    input: UserStatusInput,
    disabled: bool,
) -> GqlResult<UserPayload> {
    let name = if disabled {
        "disableUser"
    } else {
        "enableUser"
    };
    let claim = claim_of(name, &input.client_mutation_id, &input);
    let (id, version, cmid) = (
        input.id.0.clone(),
        input.version,
        input.client_mutation_id.clone(),
    );
    let rid = id.clone();
    once(ctx, claim, Some(&rid), move |c, s| {
        let u = admin::set_disabled(c, s, &id, version, disabled)?;
        Ok(UserPayload {
            client_mutation_id: cmid,
            user: u.into(),
        })
    })
    .await
}

/// Runs a mutation that issues a one-time code: the stored result keeps the code's hash, never
/// the code, and the code is returned only to the request that made it.
async fn coded<F>(
    ctx: &Context<'_>,
    claim: Claim,
    record: Option<&str>,
    f: F,
) -> GqlResult<UserCodePayload>
where
    F: FnOnce(
            &mut crate::store::DbConn,
            &crate::store::Scope,
        ) -> Result<(String, users::User, admin::IssuedCode)>
        + Send
        + 'static,
{
    let made = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let slot = made.clone();
    let stored = once(ctx, claim, record, move |c, s| {
        let (cmid, u, code) = f(c, s)?;
        let code_hash = admin::hash_code(&code.code);
        if let Ok(mut m) = slot.lock() {
            *m = Some(code.code);
        }
        Ok(Stored {
            payload: UserCodePayload {
                client_mutation_id: cmid,
                user: u.into(),
                one_time_code: None,
                code_expires_at: utc(code.expires_at),
            },
            code_hash,
        })
    })
    .await?;
    let mut payload = stored.payload;
    let code = made.lock().ok().and_then(|mut m| m.take());
    if let Some(code) = code.filter(|c| admin::hash_code(c) == stored.code_hash) {
        payload.one_time_code = Some(code);
    }
    Ok(payload)
}
