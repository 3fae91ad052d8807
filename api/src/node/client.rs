//! The node's side of sync: enrolment, one sync (push the outbox in order, then pull chunks
//! until central has nothing more), the loop `node serve` runs, and learning a user's password
//! when they log in while central answers.
//!
//! A chunk is applied only whole: its bytes are checked against the checksum central sent, and
//! it is written with its cursor in one transaction, so a transfer cut at any byte resumes from
//! the last chunk applied and never applies half of one. An outbox entry leaves the outbox only
//! when central answered for it.

use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::{
    AuditReply, AuditRequest, CHECKSUM_HEADER, EnrolRequest, Enrolled, Outcome, PullRequest,
    PushReply, PushRequest, REVOKED, VerifyReply, VerifyRequest,
};
use crate::error::{Error, ErrorCode, Result};
use crate::store::Database;
use crate::store::sync::{self, Chunk, NodeState};

/// What the node's status line shows.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// Central answered at the last attempt.
    pub online: bool,
    /// A sync is under way, this far (0-100).
    pub syncing: Option<u8>,
}

static STATUS: Mutex<Status> = Mutex::new(Status {
    online: false,
    syncing: None,
});

/// The node's sync status in this process.
pub fn status() -> Status {
    STATUS.lock().map(|s| s.clone()).unwrap_or_default()
}

fn set_status(f: impl FnOnce(&mut Status)) {
    if let Ok(mut s) = STATUS.lock() {
        f(&mut s);
    }
}

/// What one sync did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    pub pushed: usize,
    pub conflicts: usize,
    pub chunks: usize,
    pub rows: usize,
    pub removed: usize,
    /// Compressed bytes received.
    pub bytes: usize,
    /// Everything went up and came down.
    pub complete: bool,
}

fn http() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_gzip()
        .connect_timeout(Duration::from_secs(20))
        .timeout(Duration::from_secs(300))
        .build()
        .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))
}

fn url(central: &str, path: &str) -> String {
    format!("{}{path}", central.trim_end_matches('/'))
}

fn offline(e: reqwest::Error) -> Error {
    Error::unavailable(format!("central did not answer: {e}"))
}

/// POSTs JSON with the node's credential; a revoked node wipes itself here.
async fn post(
    db: &Database,
    state: &NodeState,
    path: &str,
    body: &impl Serialize,
) -> Result<reqwest::Response> {
    let resp = http()?
        .post(url(&state.central_url, path))
        .bearer_auth(&state.token)
        .json(body)
        .send()
        .await
        .map_err(offline)?;
    if resp.status() == reqwest::StatusCode::GONE {
        db.write(sync::wipe).await?;
        return Err(Error::forbidden(format!(
            "central answered `{REVOKED}`: this node was revoked; its personal data is wiped"
        )));
    }
    if !resp.status().is_success() {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        return Err(match status {
            reqwest::StatusCode::UNAUTHORIZED => {
                Error::unauthenticated(format!("central refused this node's credential: {text}"))
            }
            s if s.is_server_error() => Error::unavailable(format!("central failed: {text}")),
            _ => Error::validation("node", format!("central refused: {text}")),
        });
    }
    Ok(resp)
}

async fn read_json<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
    let bytes = resp.bytes().await.map_err(offline)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::unavailable(format!("central's answer was cut or unreadable: {e}")))
}

/// Enrols this database as a node with the code an admin was given, and records where it
/// syncs from. The first sync is [`sync_once`].
pub async fn enrol(db: &Database, central: &str, code: &str) -> Result<NodeState> {
    if db.read(sync::node_state).await?.is_some() {
        return Err(Error::config(
            "this data directory already holds a node; use `node serve` or `node sync`",
        ));
    }
    let resp = http()?
        .post(url(central, "/node/enrol"))
        .json(&EnrolRequest {
            code: code.trim().to_string(),
        })
        .send()
        .await
        .map_err(offline)?;
    if !resp.status().is_success() {
        let text = resp.text().await.unwrap_or_default();
        return Err(Error::unauthenticated(format!(
            "central refused the enrolment: {text}"
        )));
    }
    let e: Enrolled = read_json(resp).await?;
    let state = NodeState {
        node_id: e.node_id,
        central_url: central.trim_end_matches('/').to_string(),
        token: e.token,
        operation_unit_id: e.unit_id,
        office_id: e.office_id,
        office_code: e.office_code,
        feed_cursor: sync::FIRST_COPY,
        snapshot_table: None,
        snapshot_after: None,
        snapshot_head: None,
        last_contact_at: None,
        offline_since: None,
    };
    let s = state.clone();
    db.write(move |c| sync::init_node(c, &s)).await?;
    Ok(state)
}

/// Syncs once: pushes the outbox, then pulls until central has nothing more. `progress` hears
/// the pull's percentage. Central not answering is UNAVAILABLE (and noted as offline).
pub async fn sync_once(db: &Database, progress: &(dyn Fn(u8) + Sync)) -> Result<Report> {
    let state = db
        .read(sync::node_state)
        .await?
        .ok_or_else(|| Error::config("this database is not a node's: run `node init` first"))?;
    if state.token.is_empty() {
        return Err(Error::forbidden(
            "this node was revoked and wiped; enrol a new one",
        ));
    }
    set_status(|s| s.syncing = Some(0));
    let result = run_sync(db, &state, progress).await;
    set_status(|s| {
        s.syncing = None;
        s.online = !matches!(&result, Err(e) if e.code == ErrorCode::Unavailable);
    });
    if let Err(e) = &result
        && e.code == ErrorCode::Unavailable
    {
        db.write(sync::note_offline).await?;
    }
    result
}

async fn run_sync(
    db: &Database,
    state: &NodeState,
    progress: &(dyn Fn(u8) + Sync),
) -> Result<Report> {
    let mut report = Report::default();
    push(db, state, &mut report).await?;
    push_audit(db, state).await?;
    let pushed_all = db.read(sync::outbox_len).await? == 0;
    loop {
        let current = db
            .read(sync::node_state)
            .await?
            .ok_or_else(|| Error::config("the node's settings vanished"))?;
        let digest = db.read(sync::reference_digest).await?;
        let backlog = db.read(sync::outbox_len).await?;
        let chunk = fetch(
            db,
            state,
            &PullRequest {
                cursor: current.cursor(digest),
                backlog,
            },
            &mut report,
        )
        .await?;
        report.chunks += 1;
        report.rows += chunk.rows.len();
        report.removed += chunk.removals.len();
        // Roots that entered the office's scope came with only their recent history: they are
        // fetched whole first, and applied with the chunk in one transaction.
        let partial = chunk.partial.clone();
        let want = db.read(move |c| sync::missing_roots(c, &partial)).await?;
        let whole = if want.is_empty() {
            None
        } else {
            let mut cursor = current.cursor(db.read(sync::reference_digest).await?);
            cursor.want = want;
            let whole = fetch(db, state, &PullRequest { cursor, backlog }, &mut report).await?;
            report.chunks += 1;
            report.rows += whole.rows.len();
            Some(whole)
        };
        let (done, percent) = (chunk.done && chunk.next.snapshot.is_none(), chunk.percent);
        db.write(move |c| {
            if let Some(whole) = &whole {
                sync::apply_rows(c, whole)?;
            }
            sync::apply(c, &chunk)
        })
        .await?;
        set_status(|s| s.syncing = Some(percent));
        progress(percent);
        if done {
            break;
        }
    }
    report.complete = pushed_all;
    Ok(report)
}

/// Fetches the next chunk and checks it whole before anything reads it.
async fn fetch(
    db: &Database,
    state: &NodeState,
    req: &PullRequest,
    report: &mut Report,
) -> Result<Chunk> {
    let resp = post(db, state, "/node/pull", req).await?;
    let sum = resp
        .headers()
        .get(CHECKSUM_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| Error::unavailable("central sent a chunk without its checksum"))?;
    let bytes = resp.bytes().await.map_err(offline)?;
    report.bytes += bytes.len();
    decode(&bytes, &sum)
}

/// The most a chunk may hold once decompressed (a chunk of 200 people with their history is a
/// few megabytes); more is cut and then refused as unreadable.
const MAX_CHUNK: u64 = 256 * 1024 * 1024;

/// A chunk from its compressed bytes, refused unless they match the checksum.
pub fn decode(bytes: &[u8], sum: &str) -> Result<Chunk> {
    if hex::encode(Sha256::digest(bytes)) != sum {
        return Err(Error::unavailable(
            "a chunk arrived incomplete or damaged; it was not applied and will be fetched again",
        ));
    }
    let mut json = Vec::new();
    zstd::stream::read::Decoder::new(bytes)
        .and_then(|d| d.take(MAX_CHUNK).read_to_end(&mut json))
        .map_err(|e| Error::unavailable(format!("a chunk could not be decompressed: {e}")))?;
    serde_json::from_slice(&json)
        .map_err(|e| Error::internal(format!("a chunk could not be read: {e}")))
}

/// Sends the outbox in order, in batches; stops at the first entry central could not decide.
async fn push(db: &Database, state: &NodeState, report: &mut Report) -> Result<()> {
    loop {
        let entries = db.read(|c| sync::outbox(c, 50)).await?;
        if entries.is_empty() {
            return Ok(());
        }
        let n = entries.len();
        let resp = post(db, state, "/node/push", &PushRequest { entries }).await?;
        let reply: PushReply = read_json(resp).await?;
        let answered: Vec<i64> = reply
            .results
            .iter()
            .filter(|(_, o)| *o != Outcome::Retry)
            .map(|(seq, _)| *seq)
            .collect();
        report.pushed += reply
            .results
            .iter()
            .filter(|(_, o)| *o == Outcome::Applied)
            .count();
        report.conflicts += reply
            .results
            .iter()
            .filter(|(_, o)| *o == Outcome::Conflict)
            .count();
        let acked = answered.len();
        db.write(move |c| sync::acknowledge(c, &answered)).await?;
        if acked < n {
            return Err(Error::unavailable(
                "central could not apply a change now; it stays in the outbox for the next sync",
            ));
        }
    }
}

/// Sends the node's own audit log after the outbox, in batches, oldest first; central chains
/// each event into its own log, attributed to the node.
async fn push_audit(db: &Database, state: &NodeState) -> Result<()> {
    loop {
        let events = db.read(|c| sync::node_audit_pending(c, 500)).await?;
        let Some(last) = events.last().map(|e| e.seq) else {
            return Ok(());
        };
        let resp = post(db, state, "/node/audit", &AuditRequest { events }).await?;
        let reply: AuditReply = read_json(resp).await?;
        let through = reply.through;
        db.write(move |c| sync::node_audit_taken(c, through))
            .await?;
        if through < last {
            return Err(Error::unavailable(
                "central did not take the node's audit log whole; the rest goes at the next sync",
            ));
        }
    }
}

/// Syncs whenever central answers: at once, then every `every`, until the process ends.
pub async fn run(db: Database, every: Duration) {
    loop {
        match sync_once(&db, &|_| {}).await {
            Ok(r) => tracing::debug!(?r, "node synced"),
            Err(e) if e.code == ErrorCode::Forbidden => {
                tracing::error!(error = %e, "node sync stopped");
                return;
            }
            Err(e) => tracing::info!(error = %e, "node sync postponed"),
        }
        tokio::time::sleep(every).await;
    }
}

/// When a user logs in on the node while central answers, asks central whether the password
/// is theirs and keeps a verifier of the node's own (inside the node's encrypted database);
/// offline, the node checks the verifier it learnt. A password central no longer accepts
/// loses its verifier here too.
pub async fn learn_password(db: &Database, username: &str, password: &str) -> Result<()> {
    let Some(state) = db.read(sync::node_state).await? else {
        return Ok(());
    };
    if state.token.is_empty() {
        return Ok(());
    }
    let req = VerifyRequest {
        username: username.to_string(),
        password: password.to_string(),
    };
    // A login waits on this: central gets a few seconds, then the node decides alone.
    let asked = tokio::time::timeout(
        Duration::from_secs(5),
        post(db, &state, "/node/verify", &req),
    )
    .await
    .unwrap_or_else(|_| Err(Error::unavailable("central did not answer in time")));
    let reply = match asked {
        Ok(r) => read_json::<VerifyReply>(r).await?,
        Err(e) if e.code == ErrorCode::Unavailable => return Ok(()),
        Err(e) => return Err(e),
    };
    let name = username.to_string();
    let Some(user) = db
        .read(move |c| crate::store::users::user_by_username(c, &name))
        .await?
    else {
        return Ok(());
    };
    if reply.ok {
        let pw = password.to_string();
        let phc = crate::store::db::blocking(move || crate::auth::password::hash(&pw)).await?;
        db.write(move |c| crate::store::users::set_password(c, &user.id, &phc))
            .await?;
    } else if user.password_hash.is_some() {
        db.write(move |c| sync::forget_password(c, &user.id))
            .await?;
    }
    Ok(())
}

/// When the node last heard from central, and since when it has not.
pub fn freshness(state: &NodeState) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
    (state.last_contact_at, state.offline_since)
}
