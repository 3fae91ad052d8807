//! Field nodes: an office's own `amparo-api` on SQLite that holds the office's working set,
//! serves the same GraphQL API to the office's clients, and syncs with the central server when
//! a link is up.
//!
//! - [`central`]: what central serves nodes over HTTP (`/node/enrol`, `/node/pull`,
//!   `/node/push`, `/node/audit`, `/node/verify`), and the replayer that runs a node's mutations through the
//!   same GraphQL code path as an online request.
//! - [`client`]: the node's side: enrolment, one sync (push the outbox, then pull chunks), the
//!   background loop, offline login.
//! - [`key`]: the key of the node's encrypted database.
//!
//! The database side (scope of an office, chunks, outbox, conflicts) is `store::sync`.

pub mod central;
pub mod client;
pub mod key;

use serde::{Deserialize, Serialize};

use crate::store::sync::{Cursor, NodeAuditEvent, OutboxEntry};

/// Asked by `node init`: the enrolment code an admin was given.
#[derive(Debug, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub code: String,
}

/// Central's answer to an enrolment: the node's credential (shown once) and what it serves.
#[derive(Debug, Serialize, Deserialize)]
pub struct Enrolled {
    pub node_id: String,
    pub token: String,
    pub unit_id: String,
    pub office_id: String,
    pub office_code: String,
}

/// A node asking for its next chunk.
#[derive(Debug, Serialize, Deserialize)]
pub struct PullRequest {
    pub cursor: Cursor,
    /// Changes waiting in the node's outbox, for the admins' view.
    pub backlog: i64,
}

/// A node sending its outbox, oldest first.
#[derive(Debug, Serialize, Deserialize)]
pub struct PushRequest {
    pub entries: Vec<OutboxEntry>,
}

/// What became of one outbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Central applied it (or had applied it before: the replay answered from its record).
    Applied,
    /// Central refused it; it is kept as a sync conflict for a person to resolve.
    Conflict,
    /// Central could not decide now (it failed, or is busy): send it again later, and nothing
    /// after it.
    Retry,
}

/// Central's answer to a push, entry by entry in order (it stops at the first retry).
#[derive(Debug, Serialize, Deserialize)]
pub struct PushReply {
    pub results: Vec<(i64, Outcome)>,
}

/// A node sending the next events of its own audit log, oldest first.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditRequest {
    pub events: Vec<NodeAuditEvent>,
}

/// The last of the node's audit events central has taken.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditReply {
    pub through: i64,
}

/// Asked by a node when one of its users logs in while central answers.
#[derive(Debug, Serialize, Deserialize)]
pub struct VerifyRequest {
    pub username: String,
    pub password: String,
}

/// Whether the password is the user's on central.
#[derive(Debug, Serialize, Deserialize)]
pub struct VerifyReply {
    pub ok: bool,
}

/// The header carrying a chunk's SHA-256 (hex) over its compressed bytes.
pub const CHECKSUM_HEADER: &str = "x-amparo-chunk-sha256";

/// The body of every refusal to a revoked node: it wipes itself on reading it.
pub const REVOKED: &str = "revoked";
