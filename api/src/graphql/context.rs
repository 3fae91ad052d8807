//! What every resolver needs: the database, the caller, and the mapping of our errors to
//! GraphQL errors with `extensions.code`.

use std::net::IpAddr;
use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions};

use crate::auth::{Auth, Authenticated};
use crate::error::{Error, ErrorCode, Reason, Result};
use crate::store::audit::{Actor, AuditWriter, Entry, Outcome, Reads};
use crate::store::idempotency::Claim;
use crate::store::{Database, DbConn, Scope};

/// Server-wide state shared by all requests.
pub struct AppState {
    pub db: Database,
    pub auth: Auth,
    pub audit: AuditWriter,
    pub config: ApiConfig,
    /// Case transitions as they commit, through this process or another, for subscribers (see
    /// `caseEvents`).
    pub case_events: tokio::sync::broadcast::Sender<CaseSignal>,
    /// Where this process stands in the change feed, which tells it what other processes on the
    /// same database did (see `follower`).
    pub follower: crate::follower::Follower,
    /// Bumped by every case transition this process commits, and by the follower when any
    /// process changed a case; cached summaries older than it are recounted.
    pub case_generation: std::sync::atomic::AtomicU64,
    /// Recent case summaries (see `caseSummary`).
    pub summaries: crate::store::queues::SummaryCache,
    /// Biometric enrolment and matching; None when the server was started without a biometric
    /// key, and then every biometric request is refused.
    pub biometrics: Option<Arc<crate::biometric::Service>>,
    /// Certificates of the capture devices whose signed records enrolment accepts. Empty (the
    /// default) refuses every sample: a record no trusted device signed proves nothing.
    pub device_trust: Arc<amparo_sbi::TrustStore>,
    /// The deduplication operating point the gallery is built with.
    pub dedup: amparo_biometrics::finger::dedup::OperatingPoint,
    /// Set once the server was asked to stop and is draining: `/healthz` answers 503.
    pub draining: std::sync::atomic::AtomicBool,
    /// Where export files are written and how long their links last.
    pub exports: crate::export::ExportSettings,
    /// Runs field nodes' mutations (and conflict resolutions) through this schema.
    pub replayer: crate::node::central::Replayer,
}

/// What subscribers to case transitions are told.
#[derive(Debug, Clone)]
pub enum CaseSignal {
    /// A transition committed (through this process or another).
    Acted(Box<crate::store::workflow::Acted>),
    /// Transitions were missed: read your queue again.
    Reload,
}

/// How many case transitions a slow subscriber may fall behind before it is told to reload.
pub const CASE_EVENT_BACKLOG: usize = 1024;

impl AppState {
    pub fn new(db: Database, auth: crate::auth::AuthConfig, config: ApiConfig) -> Self {
        Self {
            auth: Auth::new(db.clone(), auth),
            audit: AuditWriter::start(db.clone()),
            db,
            config,
            case_events: tokio::sync::broadcast::channel(CASE_EVENT_BACKLOG).0,
            case_generation: std::sync::atomic::AtomicU64::new(0),
            follower: crate::follower::Follower::default(),
            summaries: crate::store::queues::SummaryCache::default(),
            biometrics: None,
            dedup: amparo_biometrics::finger::dedup::OperatingPoint::calibrated(),
            device_trust: Arc::new(amparo_sbi::TrustStore::new()),
            draining: std::sync::atomic::AtomicBool::new(false),
            exports: crate::export::ExportSettings::default(),
            replayer: crate::node::central::Replayer::default(),
        }
    }

    /// Writes export files with these settings (a temporary directory and 24-hour links by
    /// default).
    pub fn with_exports(mut self, exports: crate::export::ExportSettings) -> Self {
        self.exports = exports;
        self
    }

    /// Turns biometric enrolment on: builds the matcher's gallery from every stored template
    /// (opening them with `keys`) and records that read in the audit log. Blocking: call it
    /// before serving.
    /// Accepts biometric records signed by these devices (see [`AppState::device_trust`]).
    pub fn with_device_trust(mut self, trust: amparo_sbi::TrustStore) -> Self {
        self.device_trust = Arc::new(trust);
        self
    }

    /// Deduplicates with these values (the calibrated ones unless configured); call it before
    /// [`Self::with_biometrics`].
    pub fn with_dedup(mut self, op: amparo_biometrics::finger::dedup::OperatingPoint) -> Self {
        self.dedup = op;
        self
    }

    pub fn with_biometrics(mut self, keys: crate::biometric::Keyring) -> Result<Self> {
        let started = std::time::Instant::now();
        let (gallery, templates) = {
            let mut conn = self.db.conn()?;
            // Before the gallery is read, so that what is enrolled meanwhile is in the feed
            // after the follower's starting point.
            self.follower.start_at_heads(&mut conn)?;
            crate::store::biometrics::load_gallery(&mut conn, &keys, self.dedup.clone())?
        };
        let references = gallery.len();
        self.db.write_blocking(|c| {
            crate::store::audit::append(
                c,
                &Actor::default(),
                &[Entry::plain(
                    "load_biometric_gallery",
                    Outcome::Ok,
                    Some(format!(
                        "{templates} templates of {references} references opened into the matcher"
                    )),
                )],
            )
        })?;
        tracing::info!(
            references,
            templates,
            key_id = keys.key_id(),
            seconds = started.elapsed().as_secs_f64(),
            "biometric gallery loaded"
        );
        self.biometrics = Some(Arc::new(crate::biometric::Service::new(keys, gallery)));
        Ok(self)
    }

    /// Marks cached case summaries as outdated.
    pub fn cases_changed(&self) {
        self.case_generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Tells subscribers of a transition this process committed. Nobody listening is not an
    /// error.
    pub fn publish(&self, acted: crate::store::workflow::Acted) {
        self.cases_changed();
        self.follower.announced(&acted.event_id);
        let _ = self.case_events.send(CaseSignal::Acted(Box::new(acted)));
    }

    /// Tells subscribers of a transition another process committed (the follower found it).
    pub fn announce(&self, acted: crate::store::workflow::Acted) {
        let _ = self.case_events.send(CaseSignal::Acted(Box::new(acted)));
    }

    /// Tells subscribers that transitions were missed and they must read their queues again.
    pub fn reload_subscribers(&self) {
        let _ = self.case_events.send(CaseSignal::Reload);
    }
}

/// Settings of the API itself.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub api_token_lifetime: std::time::Duration,
}

/// Closes a live link from inside: a subscription whose session ended gives the reason here,
/// and the socket is closed with a close frame carrying it once the subscription's last
/// messages are out (see `server::graphql_ws`).
#[derive(Clone)]
pub struct SocketEnd(pub tokio::sync::watch::Sender<Option<String>>);

impl SocketEnd {
    pub fn close(&self, reason: &str) {
        self.0.send_replace(Some(reason.to_string()));
    }
}

/// Per-request data placed in the GraphQL context by the HTTP handler.
pub struct RequestData {
    pub request_id: String,
    pub addr: Option<IpAddr>,
    /// None without an Authorization header; an error when the header named a bad token.
    pub caller: Option<Result<Authenticated>>,
}

/// The only error a resolver can return: built from our [`Error`], so it always has a code.
///
/// It deliberately implements neither `Display` nor `std::error::Error`, and the schema is built
/// with async-graphql's `custom-error-conversion`, so neither a `?` on some other error type nor
/// async-graphql's blanket conversion can produce a resolver error without `extensions.code`.
#[derive(Debug, Clone)]
pub struct GqlError(Error);

impl From<Error> for GqlError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

impl GqlError {
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }
}

/// The one mapping of our errors to GraphQL: `extensions.code` always; `reason` and `params`
/// when a more specific reason is known; `field` for input errors. INTERNAL failures are logged
/// here, with their cause chain, inside the request's span (which carries the request id); the
/// caller sees only a generic message.
impl From<GqlError> for async_graphql::Error {
    fn from(GqlError(e): GqlError) -> Self {
        if matches!(e.code, ErrorCode::Internal | ErrorCode::Unavailable) {
            tracing::error!(code = ?e.code, cause = %e.cause_chain(), "request failed");
        }
        let params = e.reason.params();
        async_graphql::Error::new(e.message.clone()).extend_with(|_, ext| {
            ext.set("code", e.code.as_str());
            if e.reason != Reason::Unspecified {
                ext.set("reason", e.reason.name());
                if let Ok(v) = async_graphql::Value::from_json(serde_json::Value::Object(params)) {
                    ext.set("params", v);
                }
            }
            if let Some(f) = &e.field {
                ext.set("field", f.as_str());
            }
        })
    }
}

/// Turns our error into the resolvers' error type (for `map_err`).
pub fn gql(e: Error) -> GqlError {
    GqlError(e)
}

pub type GqlResult<T> = std::result::Result<T, GqlError>;

pub fn state<'a>(ctx: &Context<'a>) -> &'a Arc<AppState> {
    ctx.data_unchecked::<Arc<AppState>>()
}

pub fn request<'a>(ctx: &Context<'a>) -> &'a RequestData {
    ctx.data_unchecked::<RequestData>()
}

/// The authenticated caller, or UNAUTHENTICATED.
pub fn caller<'a>(ctx: &Context<'a>) -> Result<&'a Authenticated> {
    match &request(ctx).caller {
        Some(Ok(a)) => Ok(a),
        Some(Err(e)) => Err(e.clone()),
        None => Err(Error::unauthenticated(
            "log in first: send Authorization: Bearer <token>",
        )),
    }
}

pub fn scope<'a>(ctx: &Context<'a>) -> Result<&'a Scope> {
    caller(ctx).map(|a| &a.scope)
}

/// The one check of modules: every query, mutation and subscription of a module carries
/// `#[graphql(guard = "ModuleGuard(Module::X)")]`, so a caller whose operation unit does not run
/// that module is refused before the resolver runs: FORBIDDEN with reason MODULE_NOT_ENABLED and
/// the module as `module`, audited like any refusal. The unit's modules come with the caller's
/// scope, read when the token was checked.
pub struct ModuleGuard(pub crate::domain::access::Module);

impl async_graphql::Guard for ModuleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let scope = scope(ctx).map_err(|e| async_graphql::Error::from(gql(e)))?;
        match scope.require_module(self.0) {
            Ok(()) => Ok(()),
            Err(refused) => audit_refusal::<()>(ctx, "use_module", None, Err(refused))
                .await
                .map_err(async_graphql::Error::from),
        }
    }
}

/// Runs a scoped read of personal data and answers only once the audit events of what it read
/// are committed (inside an HTTP request: with the request's other reads, before it answers). A refusal (FORBIDDEN, or NOT_FOUND because the record is outside the caller's
/// scope) is audited too.
pub async fn scoped_read<T, F>(
    ctx: &Context<'_>,
    action: &'static str,
    record_id: Option<&str>,
    f: F,
) -> GqlResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Scope, &mut Reads) -> Result<T> + Send + 'static,
{
    let scope = scope(ctx).map_err(gql)?.clone();
    let st = state(ctx).clone();
    let s = scope.clone();
    let outcome = st
        .db
        .read(move |conn| {
            let mut reads = Reads::default();
            f(conn, &s, &mut reads).map(|v| (v, reads))
        })
        .await;
    let outcome = match outcome {
        // Within a request that collects its reads, they are appended with the rest of the
        // request's before it answers (see `batch`).
        Ok((value, reads)) => match super::reads::request_reads(ctx) {
            Some(collected) => {
                collected.add(reads);
                Ok(value)
            }
            None => st
                .audit
                .append(Actor::from(&scope), reads)
                .await
                .map(|()| value),
        },
        Err(e) => Err(e),
    };
    refusal_audited(&st, &scope, action, record_id, outcome).await
}

/// Runs a scoped write (already inside `run_once` or not) and audits refusals like reads.
pub async fn audit_refusal<T>(
    ctx: &Context<'_>,
    action: &'static str,
    record_id: Option<&str>,
    outcome: Result<T>,
) -> GqlResult<T> {
    let scope = scope(ctx).map_err(gql)?.clone();
    refusal_audited(state(ctx), &scope, action, record_id, outcome).await
}

async fn refusal_audited<T>(
    st: &Arc<AppState>,
    scope: &Scope,
    action: &'static str,
    record_id: Option<&str>,
    outcome: Result<T>,
) -> GqlResult<T> {
    match outcome {
        Err(e) if matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let entry = Entry {
                action,
                record_type: None,
                record_id: record_id.map(str::to_string),
                outcome: Outcome::Denied,
                detail: Some(e.message.clone()),
            };
            let mut reads = Reads::default();
            reads.push(entry);
            let mine = st.audit.append(Actor::from(scope), reads);
            match outside_attempt(st, scope, action, record_id).await {
                // The record's own unit is told too, in an event its supervisors read in the
                // record's audit trail; the caller's answer stays the same either way.
                Some((unit, told)) => {
                    let theirs = Actor {
                        unit_id: Some(unit),
                        ..Actor::default()
                    };
                    let (a, b) = tokio::join!(mine, st.audit.append(theirs, told));
                    a.and(b).map_err(gql)?;
                }
                None => mine.await.map_err(gql)?,
            }
            Err(gql(e))
        }
        other => other.map_err(gql),
    }
}

/// When `record_id` names a record of another unit: that unit and the event that tells it a
/// user of the caller's unit was refused there. Only the caller's unit is named, never the
/// user. A failed lookup tells nobody rather than changing the caller's answer.
async fn outside_attempt(
    st: &Arc<AppState>,
    scope: &Scope,
    action: &'static str,
    record_id: Option<&str>,
) -> Option<(String, Reads)> {
    let id = record_id?.to_string();
    let lookup = id.clone();
    let unit = st
        .db
        .read(move |c| crate::store::audit::record_unit(c, &lookup))
        .await
        .ok()
        .flatten()?;
    if unit == scope.unit_id() {
        return None;
    }
    let mut told = Reads::default();
    told.push(Entry {
        action: "refused_outside_access",
        record_type: None,
        record_id: Some(id),
        outcome: Outcome::Denied,
        detail: Some(format!(
            "a user of another operation unit ({}) was refused {action} on this record",
            scope.unit_id()
        )),
    });
    Some((unit, told))
}

/// A mutation's idempotency claim: its clientMutationId, its name and a digest of its input as
/// the schema read it (defaults filled in), without the id, so a replay matches however its
/// JSON was spelled and an id reused for another input does not.
pub fn claim_of<I: async_graphql::InputType>(
    mutation: &'static str,
    client_mutation_id: &str,
    input: &I,
) -> Claim {
    let mut value = input.to_value();
    if let async_graphql::Value::Object(fields) = &mut value {
        fields.shift_remove("clientMutationId");
    }
    let mut canonical = String::new();
    write_canonical(&value, &mut canonical);
    Claim::new(client_mutation_id, mutation, &canonical)
}

/// JSON with every object's keys sorted: one text per value.
fn write_canonical(value: &async_graphql::Value, out: &mut String) {
    use async_graphql::Value as V;
    let quoted = |s: &str| serde_json::Value::from(s).to_string();
    match value {
        V::Object(fields) => {
            let mut keys: Vec<_> = fields.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quoted(k.as_str()));
                out.push(':');
                write_canonical(&fields[k], out);
            }
            out.push('}');
        }
        V::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        V::String(s) => out.push_str(&quoted(s)),
        V::Enum(e) => out.push_str(&quoted(e.as_str())),
        V::Null => out.push_str("null"),
        V::Number(n) => out.push_str(&n.to_string()),
        V::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Binary(b) => out.push_str(&quoted(&hex::encode(b))),
    }
}
