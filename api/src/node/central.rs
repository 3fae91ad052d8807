//! What central serves field nodes. Every route but enrolment needs the node's credential
//! (`Authorization: Bearer amp_n_…`); a revoked node is answered `410 revoked` on every route,
//! and wipes itself on reading it.
//!
//! A node's mutations are not applied by a second code path: each outbox entry is the
//! GraphQL request the caseworker's client sent to the node, and central executes it as that
//! user (scope, module guards, idempotency by clientMutationId, audit all as online) with the
//! node's time and provisional numbers (see `store::sync`). A refusal that is not the server's
//! own failure becomes a sync conflict; nothing is dropped.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use sha2::{Digest, Sha256};

use super::{
    AuditReply, AuditRequest, CHECKSUM_HEADER, EnrolRequest, Enrolled, Outcome, PullRequest,
    PushReply, PushRequest, REVOKED, VerifyReply, VerifyRequest,
};
use crate::auth::{Authenticated, hash_token, password, scope_for};
use crate::error::{Error, ErrorCode, Result};
use crate::graphql::{AppState, RequestData};
use crate::store::audit::{self, Actor, Entry, Outcome as AuditOutcome};
use crate::store::sync::{self, FieldNode, NewConflict, OutboxEntry, Replay};
use crate::store::users;

/// The routes central serves nodes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/node/enrol", post(enrol))
        .route("/node/pull", post(pull))
        .route("/node/push", post(push))
        .route("/node/audit", post(take_audit))
        .route("/node/verify", post(verify))
        .with_state(state)
}

/// Runs GraphQL requests on the server's own schema for code that is itself inside a request
/// (a node's push, the resolution of a conflict), on a task of its own.
#[derive(Default)]
pub struct Replayer {
    jobs: OnceLock<tokio::sync::mpsc::UnboundedSender<Job>>,
}

struct Job {
    request: async_graphql::Request,
    replay: Option<Replay>,
    reply: tokio::sync::oneshot::Sender<async_graphql::Response>,
}

impl Replayer {
    /// Executes `request` (which carries its own `AppState` and `RequestData`), as a node's
    /// write when `replay` is given.
    pub async fn execute(
        &self,
        request: async_graphql::Request,
        replay: Option<Replay>,
    ) -> Result<async_graphql::Response> {
        let jobs = self.jobs.get_or_init(start);
        let (reply, answer) = tokio::sync::oneshot::channel();
        jobs.send(Job {
            request,
            replay,
            reply,
        })
        .map_err(|_| Error::internal("the replayer stopped"))?;
        answer
            .await
            .map_err(|_| Error::internal("the replayed request failed inside the server"))
    }
}

fn start() -> tokio::sync::mpsc::UnboundedSender<Job> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(run(rx));
    tx
}

async fn run(mut rx: tokio::sync::mpsc::UnboundedReceiver<Job>) {
    let schema = crate::graphql::build_schema();
    while let Some(job) = rx.recv().await {
        let schema = schema.clone();
        tokio::spawn(async move {
            let done = schema.execute(job.request);
            let response = match job.replay {
                Some(r) => sync::REPLAY.scope(r, done).await,
                None => done.await,
            };
            let _ = job.reply.send(response);
        });
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, message.to_string()).into_response()
}

fn failed(e: Error) -> Response {
    let status = match e.code {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::Validation => StatusCode::BAD_REQUEST,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %e.cause_chain(), "node request failed");
    }
    refuse(status, &e.message)
}

/// The node a request's credential names; revoked nodes are told so (and noted as wiped).
async fn node_of(
    state: &AppState,
    headers: &HeaderMap,
) -> std::result::Result<FieldNode, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| refuse(StatusCode::UNAUTHORIZED, "send the node's credential"))?;
    let hash = hash_token(token.trim());
    let node = state
        .db
        .read(move |c| sync::node_by_token(c, &hash))
        .await
        .map_err(failed)?
        .ok_or_else(|| refuse(StatusCode::UNAUTHORIZED, "this node is not enrolled here"))?;
    if node.revoked_at.is_some() {
        let id = node.id.clone();
        let actor = node_actor(&node);
        let _ = state
            .db
            .write(move |c| {
                sync::note_wiped(c, &id)?;
                audit::append(
                    c,
                    &actor,
                    &[Entry::ok("node_told_to_wipe", "field_node", id.clone())],
                )
            })
            .await;
        return Err(refuse(StatusCode::GONE, REVOKED));
    }
    Ok(node)
}

fn node_actor(node: &FieldNode) -> Actor {
    Actor {
        user_id: None,
        username: Some(format!("node:{}", node.name)),
        unit_id: Some(node.operation_unit_id.clone()),
        request_id: Some(format!("node-{}", node.id)),
    }
}

fn json<T: serde::de::DeserializeOwned>(body: &Bytes) -> std::result::Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(refuse(
            StatusCode::BAD_REQUEST,
            &format!("the body is not what a node sends: {e}"),
        ))
    })
}

async fn enrol(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let req: EnrolRequest = match json(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let code_hash = hash_token(req.code.trim());
    let token = format!("amp_n_{}", crate::store::new_id().replace('-', ""))
        + &hash_token(&crate::store::new_id())[..32];
    let token_hash = hash_token(&token);
    let done = state
        .db
        .write(move |c| {
            let node = sync::enrol(c, &code_hash, &token_hash)?;
            let office = users::office(c, &node.office_id)?;
            audit::append(
                c,
                &node_actor(&node),
                &[Entry::ok("node_enrolled", "field_node", node.id.clone())],
            )?;
            Ok((node, office.code))
        })
        .await;
    match done {
        Ok((node, office_code)) => axum::Json(Enrolled {
            node_id: node.id,
            token,
            unit_id: node.operation_unit_id,
            office_id: node.office_id,
            office_code,
        })
        .into_response(),
        Err(e) => failed(e),
    }
}

async fn pull(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let node = match node_of(&state, &headers).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    let req: PullRequest = match json(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let (unit, office, id) = (
        node.operation_unit_id.clone(),
        node.office_id.clone(),
        node.id.clone(),
    );
    let backlog = i32::try_from(req.backlog).unwrap_or(i32::MAX);
    let chunk = state
        .db
        .read(move |c| {
            let chunk = sync::pull(c, &unit, &office, &req.cursor)?;
            sync::note_contact(c, &id, Some(req.cursor.feed), Some(backlog))?;
            Ok(chunk)
        })
        .await;
    let chunk = match chunk {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let bytes = match compress(&chunk) {
        Ok(b) => b,
        Err(e) => return failed(e),
    };
    let sum = hex::encode(Sha256::digest(&bytes));
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amparo-chunk"),
    );
    if let Ok(v) = HeaderValue::from_str(&sum) {
        h.insert(CHECKSUM_HEADER, v);
    }
    resp
}

/// How hard a chunk is compressed: zstd's level 19 made an increment of 100 people a fifth
/// smaller than gzip's best, for milliseconds of central's time a chunk.
const CHUNK_LEVEL: i32 = 19;

/// A chunk as it travels: JSON, zstd-compressed.
pub fn compress(chunk: &sync::Chunk) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(chunk)
        .map_err(|e| Error::internal(format!("cannot write a chunk: {e}")))?;
    zstd::stream::encode_all(json.as_slice(), CHUNK_LEVEL)
        .map_err(|e| Error::internal(format!("cannot compress a chunk: {e}")))
}

/// The GraphQL request of an outbox entry, as the client sent it to the node.
#[derive(serde::Deserialize)]
struct Sent {
    query: String,
    #[serde(default)]
    variables: serde_json::Value,
    #[serde(default, rename = "operationName")]
    operation_name: Option<String>,
}

async fn push(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let node = match node_of(&state, &headers).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    let req: PushRequest = match json(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let mut results = Vec::new();
    for entry in &req.entries {
        let outcome = match apply(&state, &node, entry).await {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(error = %e.cause_chain(), seq = entry.seq, "node push entry failed");
                Outcome::Retry
            }
        };
        results.push((entry.seq, outcome));
        if outcome == Outcome::Retry {
            break;
        }
    }
    let id = node.id.clone();
    let _ = state
        .db
        .write(move |c| sync::note_contact(c, &id, None, None))
        .await;
    axum::Json(PushReply { results }).into_response()
}

/// Takes the next events of a node's own audit log into central's chain (see
/// `store::sync::take_node_audit`).
async fn take_audit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let node = match node_of(&state, &headers).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    let req: AuditRequest = match json(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    match state
        .db
        .write(move |c| sync::take_node_audit(c, &node, &req.events))
        .await
    {
        Ok(through) => axum::Json(AuditReply { through }).into_response(),
        Err(e) => failed(e),
    }
}

/// Applies one outbox entry as its user, through the GraphQL schema.
async fn apply(state: &Arc<AppState>, node: &FieldNode, entry: &OutboxEntry) -> Result<Outcome> {
    let request_id = format!("node-{}-{}", node.id, entry.seq);
    let (uid, unit) = (entry.user_id.clone(), node.operation_unit_id.clone());
    let found = state
        .db
        .read(move |c| {
            let user = users::user(c, &uid)?;
            let modules = users::unit(c, &unit)?.module_list();
            Ok((user, modules))
        })
        .await;
    let refused = |code: &str, message: String, why: Why| {
        let (node, entry, code) = (node.clone(), entry.clone(), code.to_string());
        async move {
            state
                .db
                .write(move |c| {
                    sync::record_conflict(
                        c,
                        NewConflict {
                            node: &node,
                            entry: &entry,
                            error_code: &code,
                            error_message: &message,
                            error_reason: why.reason,
                            error_field: why.field,
                        },
                    )
                })
                .await
                .map(|_| Outcome::Conflict)
        }
    };
    let (user, modules) = match found {
        Ok(f) => f,
        Err(e) if e.code == ErrorCode::NotFound => {
            return refused(
                "FORBIDDEN",
                "the user is not known here".into(),
                Why::default(),
            )
            .await;
        }
        Err(e) => return Err(e),
    };
    if user.operation_unit_id != node.operation_unit_id || user.disabled {
        return refused(
            "FORBIDDEN",
            "the user no longer works in this node's unit".into(),
            Why::default(),
        )
        .await;
    }
    let sent: Sent = match serde_json::from_str(&entry.request) {
        Ok(s) => s,
        Err(e) => {
            return refused(
                "VALIDATION",
                format!("unreadable request: {e}"),
                Why::default(),
            )
            .await;
        }
    };
    let scope = scope_for(&user, &request_id)?.with_modules(modules);
    let caller = Authenticated {
        scope,
        session_id: format!("node-{}", node.id),
        user,
        interactive: false,
    };
    let mut request = async_graphql::Request::new(sent.query)
        .variables(async_graphql::Variables::from_json(sent.variables));
    if let Some(name) = sent.operation_name {
        request = request.operation_name(name);
    }
    let request = request.data(state.clone()).data(RequestData {
        request_id,
        addr: None,
        caller: Some(Ok(caller)),
    });
    let provisional: Vec<String> = serde_json::from_str(&entry.provisional).unwrap_or_default();
    let response = state
        .replayer
        .execute(
            request,
            Some(Replay {
                at_ms: entry.at_ms,
                provisional,
            }),
        )
        .await?;
    let Some(first) = response.errors.first() else {
        // A registration central holds back for possible duplicates (in offices the node does
        // not hold) saved nothing: a person decides, as for a refusal.
        if unsaved(&response.data) {
            return refused(
                "POSSIBLE_DUPLICATE",
                "central found possible duplicates of this registration; nothing was saved".into(),
                Why::default(),
            )
            .await;
        }
        return Ok(Outcome::Applied);
    };
    let code = first
        .extensions
        .as_ref()
        .and_then(|x| x.get("code"))
        .map(|v| match v {
            async_graphql::Value::String(s) => s.clone(),
            other => other.to_string().trim_matches('"').to_string(),
        })
        .unwrap_or_else(|| "INTERNAL".into());
    match code.as_str() {
        "INTERNAL" | "UNAVAILABLE" | "RATE_LIMITED" => Ok(Outcome::Retry),
        _ => refused(&code, first.message.clone(), Why::of(first)).await,
    }
}

/// A refusal's reason and field as central's answer carries them in `extensions`, kept with
/// the conflict so the client renders it in the user's language like any refusal.
#[derive(Default)]
struct Why {
    /// `{"reason": ..., "params": ...}`: the wire form of the domain's `Reason`.
    reason: Option<String>,
    field: Option<String>,
}

impl Why {
    fn of(e: &async_graphql::ServerError) -> Self {
        let text = |v: &async_graphql::Value| match v {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        };
        let Some(x) = e.extensions.as_ref() else {
            return Self::default();
        };
        let reason = x.get("reason").and_then(text).map(|name| {
            let mut wire = serde_json::json!({ "reason": name });
            if let Some(p) = x.get("params").and_then(|p| p.clone().into_json().ok()) {
                wire["params"] = p;
            }
            wire.to_string()
        });
        Self {
            reason,
            field: x.get("field").and_then(text),
        }
    }
}

/// Whether a mutation's payload says it saved nothing (`saved: false`).
fn unsaved(data: &async_graphql::Value) -> bool {
    let async_graphql::Value::Object(fields) = data else {
        return false;
    };
    fields.values().any(|payload| match payload {
        async_graphql::Value::Object(p) => {
            matches!(p.get("saved"), Some(async_graphql::Value::Boolean(false)))
        }
        _ => false,
    })
}

async fn verify(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let node = match node_of(&state, &headers).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    let req: VerifyRequest = match json(&body) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let name = req.username.trim().to_string();
    let user = match state
        .db
        .read(move |c| users::user_by_username(c, &name))
        .await
    {
        Ok(u) => u,
        Err(e) => return failed(e),
    };
    let usable = user.filter(|u| {
        !u.disabled
            && !u.must_change_password
            && u.operation_unit_id == node.operation_unit_id
            && u.office_id.as_ref().is_none_or(|o| *o == node.office_id)
    });
    let phc = usable
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_string());
    let pw = req.password.clone();
    let matches = crate::store::db::blocking(move || Ok(password::verify(&pw, &phc)))
        .await
        .unwrap_or(false);
    let ok = matches && usable.as_ref().is_some_and(|u| u.password_hash.is_some());
    let mut actor = node_actor(&node);
    actor.user_id = usable.as_ref().map(|u| u.id.clone());
    let outcome = if ok {
        AuditOutcome::Ok
    } else {
        AuditOutcome::Denied
    };
    let _ = state
        .db
        .write(move |c| {
            audit::append(
                c,
                &actor,
                &[Entry::plain("node_login_check", outcome, None)],
            )
        })
        .await;
    axum::Json(VerifyReply { ok }).into_response()
}
