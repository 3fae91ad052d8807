//! Identity: logins, sessions, API tokens, and turning a bearer token into a [`Scope`].
//!
//! Tokens are 256 random bits shown to the client once; only their SHA-256 is stored, so a copy
//! of the database does not let anyone act as a user. Interactive sessions end after an idle
//! timeout and at an absolute lifetime; API tokens are named, carry their own lifetime and can
//! be revoked.

pub mod password;
pub mod policy;
pub mod throttle;

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;
use chrono::NaiveDateTime;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::access::{Grants, ScopeLevel, parse_roles};
use crate::error::{Error, Result};
use crate::store::audit::{self, Actor, Entry, Outcome};
use crate::store::users::{self, User};
use crate::store::{Database, Scope, now};

/// Lifetimes and limits of authentication.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub idle_timeout: Duration,
    pub absolute_lifetime: Duration,
    /// Failed logins per (address, username) before each further attempt is delayed (see
    /// [`throttle`]); an address may fail 40 times as often before it is slowed.
    pub max_failures: u32,
    /// After this long without a failure, a count is forgotten.
    pub failure_window: Duration,
    pub concurrent_hashes: usize,
    /// How often a live subscription checks that its session still stands (it also checks
    /// before each notice), so a logout, an expiry or a disabled user ends it within this.
    pub session_recheck: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_lifetime: Duration::from_secs(12 * 3600),
            max_failures: 5,
            failure_window: Duration::from_secs(15 * 60),
            concurrent_hashes: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            session_recheck: Duration::from_secs(15),
        }
    }
}

/// A caller whose token checked out.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub scope: Scope,
    pub session_id: String,
    pub user: User,
    /// Whether the token is a session opened by logging in, not an API token. Only such a
    /// session may create API tokens, so a leaked token cannot mint others that outlive it.
    pub interactive: bool,
}

/// What a successful login returns.
#[derive(Debug, Clone)]
pub struct LoginResult {
    pub token: String,
    pub expires_at: NaiveDateTime,
}

/// The authentication service.
pub struct Auth {
    db: Database,
    hasher: password::Hasher,
    throttle: throttle::Throttle,
    config: AuthConfig,
}

/// Sessions are touched at most this often, so a busy client does not write on every request.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

impl Auth {
    pub fn new(db: Database, config: AuthConfig) -> Self {
        Self {
            hasher: password::Hasher::new(config.concurrent_hashes),
            throttle: throttle::Throttle::new(
                db.clone(),
                config.max_failures,
                config.failure_window,
            ),
            db,
            config,
        }
    }

    /// Logs in with a password. When an admin forced a password change, `new_password` is
    /// required (refused with PASSWORD_CHANGE_REQUIRED without it) and replaces the old one.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        new_password: Option<&str>,
        addr: Option<IpAddr>,
        request_id: &str,
    ) -> Result<LoginResult> {
        let username = username.trim().to_string();
        if username.is_empty() || username.len() > 100 || password.len() > 1024 {
            return Err(Error::validation(
                "input.username",
                "username and password are required",
            ));
        }
        if let Some(wait) = self.throttle.blocked_for(&username, addr).await? {
            self.audit_login(None, &username, request_id, Outcome::Denied, "throttled")
                .await?;
            return Err(Error::rate_limited(format!(
                "too many failed logins; try again in {} seconds",
                wait.as_secs_f64().ceil().max(1.0)
            )));
        }
        if self.db.is_node()
            && let Err(e) = crate::node::client::learn_password(&self.db, &username, password).await
        {
            tracing::warn!(error = %e, "central could not check a login on this node");
        }
        let name = username.clone();
        let user = self
            .db
            .read(move |c| users::user_by_username(c, &name))
            .await?;
        let usable = user.as_ref().filter(|u| !u.disabled);
        let phc = usable
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| password::decoy_hash().to_string());
        let matches = self.hasher.verify(password.to_string(), phc).await?;
        let Some(user) = usable
            .filter(|u| matches && u.password_hash.is_some())
            .cloned()
        else {
            self.throttle.record_failure(&username, addr).await?;
            self.audit_login(
                user.as_ref(),
                &username,
                request_id,
                Outcome::Denied,
                "wrong username or password",
            )
            .await?;
            return Err(Error::unauthenticated("wrong username or password"));
        };
        self.throttle.record_success(&username, addr).await?;
        let new_hash = if user.must_change_password {
            let Some(new_password) = new_password else {
                self.audit_login(
                    Some(&user),
                    &username,
                    request_id,
                    Outcome::Denied,
                    "password change required",
                )
                .await?;
                let mut e = Error::unauthenticated(
                    "your password must be changed: send a new password with it",
                );
                e.reason = crate::error::Reason::PasswordChangeRequired;
                return Err(e);
            };
            Some(
                self.checked_hash(&user, new_password, "input.newPassword")
                    .await?,
            )
        } else {
            None
        };
        self.open_session(user, new_hash, None, request_id).await
    }

    /// Sets a new password with a one-time code an admin issued, and logs in. The code works
    /// once and only until it expires; a wrong code counts as a failed login.
    pub async fn set_password_with_code(
        &self,
        username: &str,
        code: &str,
        new_password: &str,
        addr: Option<IpAddr>,
        request_id: &str,
    ) -> Result<LoginResult> {
        let username = username.trim().to_lowercase();
        if username.is_empty() || username.len() > 100 || code.len() > 64 {
            return Err(Error::validation(
                "input.username",
                "username and code are required",
            ));
        }
        if let Some(wait) = self.throttle.blocked_for(&username, addr).await? {
            self.audit_login(None, &username, request_id, Outcome::Denied, "throttled")
                .await?;
            return Err(Error::rate_limited(format!(
                "too many failed attempts; try again in {} seconds",
                wait.as_secs_f64().ceil().max(1.0)
            )));
        }
        let (name, hashed) = (username.clone(), crate::store::admin::hash_code(code));
        let found = self
            .db
            .read(move |c| {
                let Some(u) = users::user_by_username(c, &name)? else {
                    return Ok(None);
                };
                let live = crate::store::admin::code_stands(c, &u.id, &hashed)?;
                Ok((live && !u.disabled).then_some(u))
            })
            .await?;
        let Some(user) = found else {
            self.throttle.record_failure(&username, addr).await?;
            self.audit_login(
                None,
                &username,
                request_id,
                Outcome::Denied,
                "wrong, used or expired one-time code",
            )
            .await?;
            return Err(Error::unauthenticated(
                "the code is wrong, already used or expired; ask your unit admin for a new one",
            ));
        };
        self.throttle.record_success(&username, addr).await?;
        let hash = self
            .checked_hash(&user, new_password, "input.newPassword")
            .await?;
        self.open_session(user, Some(hash), Some(code.to_string()), request_id)
            .await
    }

    /// Checks a new password against the user's unit policy and hashes it.
    async fn checked_hash(&self, user: &User, new_password: &str, field: &str) -> Result<String> {
        let unit = user.operation_unit_id.clone();
        let settings = self
            .db
            .read(move |c| crate::store::workflow::unit_settings(c, &unit))
            .await?;
        policy::check(new_password, &user.username, &settings.access, field)?;
        self.hasher.hash(new_password.to_string()).await
    }

    /// Opens an interactive session: sets the new password and uses the code first when given,
    /// records the login, and ends the oldest sessions beyond the unit's limit.
    async fn open_session(
        &self,
        user: User,
        new_hash: Option<String>,
        code: Option<String>,
        request_id: &str,
    ) -> Result<LoginResult> {
        let token = new_token("amp_s_");
        let expires_at = now() + to_chrono(self.config.absolute_lifetime);
        let (hash, uid, rid, uname) = (
            hash_token(&token),
            user.id.clone(),
            request_id.to_string(),
            user.username.clone(),
        );
        let unit = user.operation_unit_id.clone();
        self.db
            .write(move |c| {
                if let Some(code) = &code
                    && !crate::store::admin::redeem_code(c, &uid, code)?
                {
                    return Err(Error::unauthenticated(
                        "the code is wrong, already used or expired; ask your unit admin for a new one",
                    ));
                }
                let mut entries = Vec::new();
                if let Some(h) = &new_hash {
                    users::set_password(c, &uid, h)?;
                    entries.push(Entry::ok("set_password", "user", uid.clone()));
                }
                let limit = crate::store::workflow::unit_settings(c, &unit)?
                    .access
                    .sessions_per_user;
                users::keep_newest_sessions(c, &uid, limit.saturating_sub(1) as usize)?;
                users::create_session(c, &uid, &hash, "session", None, expires_at)?;
                users::record_login(c, &uid)?;
                let actor = Actor {
                    user_id: Some(uid),
                    username: Some(uname),
                    unit_id: Some(unit),
                    request_id: Some(rid),
                };
                entries.push(Entry::plain("login", Outcome::Ok, None));
                audit::append(c, &actor, &entries)
            })
            .await?;
        Ok(LoginResult { token, expires_at })
    }

    async fn audit_login(
        &self,
        user: Option<&User>,
        username: &str,
        request_id: &str,
        outcome: Outcome,
        why: &str,
    ) -> Result<()> {
        let actor = Actor {
            user_id: user.map(|u| u.id.clone()),
            username: Some(username.chars().take(100).collect()),
            unit_id: user.map(|u| u.operation_unit_id.clone()),
            request_id: Some(request_id.to_string()),
        };
        let entry = Entry::plain("login", outcome, Some(why.to_string()));
        self.db
            .write(move |c| audit::append(c, &actor, &[entry]))
            .await
    }

    /// Checks a bearer token and builds the caller's scope.
    pub async fn authenticate(&self, token: &str, request_id: &str) -> Result<Authenticated> {
        let hash = hash_token(token);
        let found = self
            .db
            .read(move |c| {
                Ok(users::session_by_token_hash_with_unit(c, &hash)?
                    .map(|(session, user, unit)| (session, user, unit.module_list())))
            })
            .await?;
        let Some((session, user, modules)) = found else {
            return Err(Error::unauthenticated(
                "your session is not valid; log in again",
            ));
        };
        let t = now();
        if session.revoked_at.is_some() || user.disabled {
            return Err(Error::unauthenticated(
                "your session has ended; log in again",
            ));
        }
        if t >= session.expires_at {
            return Err(Error::unauthenticated(
                "your session has expired; log in again",
            ));
        }
        if session.kind == "session"
            && t - session.last_used_at > to_chrono(self.config.idle_timeout)
        {
            return Err(Error::unauthenticated(
                "your session ended after a period of inactivity; log in again",
            ));
        }
        if t - session.last_used_at > TOUCH_EVERY {
            let sid = session.id.clone();
            self.db
                .write(move |c| users::touch_session(c, &sid, t))
                .await?;
        }
        let scope = scope_for(&user, request_id)?.with_modules(modules);
        Ok(Authenticated {
            scope,
            interactive: session.kind == "session",
            session_id: session.id,
            user,
        })
    }

    /// Whether a session that authenticated earlier still stands: not logged out or revoked,
    /// its user not disabled, its lifetime not over. A live link counts as use, so the idle
    /// timeout is not applied here.
    /// `user_version` is the user's version when the link opened: a change of roles, scope or
    /// office since then ends the link too, so it never serves what the user may no longer see.
    pub async fn still_valid(&self, session_id: &str, user_version: i32) -> Result<()> {
        let id = session_id.to_string();
        let found = self.db.read(move |c| users::session_by_id(c, &id)).await?;
        let Some((session, user)) = found else {
            return Err(Error::unauthenticated(
                "your session has ended; log in again",
            ));
        };
        if user.disabled {
            return Err(Error::unauthenticated(
                "your account was disabled; the live link is closed",
            ));
        }
        if session.revoked_at.is_some() {
            return Err(Error::unauthenticated(
                "your session has ended (logged out or revoked); log in again",
            ));
        }
        if user.version != user_version {
            return Err(Error::unauthenticated(
                "your account was changed (roles, scope or office); open the live link again",
            ));
        }
        if now() >= session.expires_at {
            return Err(Error::unauthenticated(
                "your session has expired; log in again",
            ));
        }
        Ok(())
    }

    /// How often live subscriptions re-check their session.
    pub fn recheck_every(&self) -> Duration {
        self.config.session_recheck.max(Duration::from_millis(100))
    }

    pub async fn logout(&self, who: &Authenticated) -> Result<()> {
        let (uid, sid) = (who.user.id.clone(), who.session_id.clone());
        let actor = Actor::from(&who.scope);
        self.db
            .write(move |c| {
                users::revoke_session(c, &uid, &sid)?;
                audit::append(c, &actor, &[Entry::plain("logout", Outcome::Ok, None)])
            })
            .await
    }

    /// Creates a named API token for the caller; the token is returned once and never again.
    pub fn new_api_token(lifetime: Duration) -> (String, String, NaiveDateTime) {
        let token = new_token("amp_t_");
        let hash = hash_token(&token);
        (token, hash, now() + to_chrono(lifetime))
    }
}

/// The scope of a user, from their stored roles and scope level.
pub fn scope_for(user: &User, request_id: &str) -> Result<Scope> {
    let roles = parse_roles(&user.roles).map_err(Error::internal)?;
    let level = ScopeLevel::parse(&user.scope_level).ok_or_else(|| {
        Error::internal(format!("user {} has an unknown scope level", user.username))
    })?;
    Ok(Scope::new(
        user.id.clone(),
        user.username.clone(),
        user.operation_unit_id.clone(),
        user.office_id.clone(),
        level,
        Grants::new(roles),
        request_id.to_string(),
    ))
}

fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
