//! The audit log: every read of personal data, every write, every login and every refused access.
//!
//! Append-only and hash-chained: each event's hash covers the previous event's hash and the
//! event's own fields, so changing or removing any event breaks the chain from there on, and
//! `audit_head` (the chain's tip, row-locked while appending) catches a removed tail.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::db::DbConn;
use super::schema::{audit_events, audit_head};
use super::scope::Scope;
use super::{new_id, now};
use crate::error::Result;

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// Who acted, when there may be nobody logged in yet (a failed login).
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub unit_id: Option<String>,
    pub request_id: Option<String>,
}

impl From<&Scope> for Actor {
    fn from(s: &Scope) -> Self {
        Self {
            user_id: Some(s.user_id().to_string()),
            username: Some(s.username().to_string()),
            unit_id: Some(s.unit_id().to_string()),
            request_id: Some(s.request_id().to_string()),
        }
    }
}

/// One thing to record.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: &'static str,
    pub record_type: Option<&'static str>,
    pub record_id: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

impl Entry {
    pub fn ok(
        action: &'static str,
        record_type: &'static str,
        record_id: impl Into<String>,
    ) -> Self {
        Self {
            action,
            record_type: Some(record_type),
            record_id: Some(record_id.into()),
            outcome: Outcome::Ok,
            detail: None,
        }
    }
    pub fn plain(action: &'static str, outcome: Outcome, detail: Option<String>) -> Self {
        Self {
            action,
            record_type: None,
            record_id: None,
            outcome,
            detail,
        }
    }
}

/// A stored audit event.
#[derive(Debug, Clone, Queryable, Insertable, Selectable, Serialize)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: String,
    pub at: NaiveDateTime,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub operation_unit_id: Option<String>,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub request_id: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEvent {
    fn compute_hash(&self) -> String {
        // A JSON array keeps field boundaries unambiguous.
        let fields = serde_json::json!([
            self.seq,
            self.id,
            self.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            self.user_id,
            self.username,
            self.operation_unit_id,
            self.action,
            self.record_type,
            self.record_id,
            self.request_id,
            self.outcome,
            self.detail,
        ]);
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        h.update(b"\n");
        h.update(fields.to_string().as_bytes());
        hex::encode(h.finalize())
    }
}

/// Appends entries to the chain inside the caller's transaction.
pub fn append(conn: &mut DbConn, actor: &Actor, entries: &[Entry]) -> Result<()> {
    append_batch(conn, &[(actor, entries)])
}

/// Appends the entries of several actors with one lock of the tip and one insert per 500 rows.
pub fn append_batch(conn: &mut DbConn, batch: &[(&Actor, &[Entry])]) -> Result<()> {
    let total: usize = batch.iter().map(|(_, entries)| entries.len()).sum();
    if total == 0 {
        return Ok(());
    }
    let (mut seq, mut prev): (i64, String) = match conn {
        DbConn::Pg(c) => audit_head::table
            .filter(audit_head::id.eq(1))
            .select((audit_head::seq, audit_head::hash))
            .for_update()
            .first(c)?,
        // SQLite writers are serialised by the database's writer lock already.
        DbConn::Sqlite(c) => audit_head::table
            .filter(audit_head::id.eq(1))
            .select((audit_head::seq, audit_head::hash))
            .first(c)?,
    };
    let at = now();
    let mut rows = Vec::with_capacity(total);
    for (actor, e) in batch
        .iter()
        .flat_map(|(a, es)| es.iter().map(move |e| (*a, e)))
    {
        seq += 1;
        let mut ev = AuditEvent {
            seq,
            id: new_id(),
            at,
            user_id: actor.user_id.clone(),
            username: actor.username.clone(),
            operation_unit_id: actor.unit_id.clone(),
            action: e.action.to_string(),
            record_type: e.record_type.map(str::to_string),
            record_id: e.record_id.clone(),
            request_id: actor.request_id.clone(),
            outcome: e.outcome.as_str().to_string(),
            detail: e.detail.clone(),
            prev_hash: prev,
            hash: String::new(),
        };
        ev.hash = ev.compute_hash();
        prev = ev.hash.clone();
        rows.push(ev);
    }
    // Large pages are written in chunks to stay under the backends' bind-parameter limits.
    for chunk in rows.chunks(500) {
        match conn {
            DbConn::Pg(c) => diesel::insert_into(audit_events::table)
                .values(chunk)
                .execute(c)?,
            DbConn::Sqlite(c) => diesel::insert_into(audit_events::table)
                .values(chunk)
                .execute(c)?,
        };
    }
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set((audit_head::seq.eq(seq), audit_head::hash.eq(&prev)))
        .execute(conn)?;
    Ok(())
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact { events: i64 },
    Broken { seq: i64, problem: String },
}

/// Walks the chain up to its tip and checks every link. The tip is read first: an event
/// appended while the walk runs lies beyond it and is left for the next run, so a live server
/// gives no false alarm. On PostgreSQL the whole walk also reads one snapshot.
pub fn verify(conn: &mut DbConn) -> Result<Verdict> {
    match conn {
        DbConn::Pg(c) => c
            .build_transaction()
            .repeatable_read()
            .read_only()
            .run(|c| verify_up_to_tip(&mut DbConnRef::Pg(c))),
        DbConn::Sqlite(c) => {
            // A read transaction holds one WAL snapshot for every statement in it.
            c.transaction(|c| verify_up_to_tip(&mut DbConnRef::Sqlite(c)))
        }
    }
}

/// The connection inside `verify`'s transaction.
enum DbConnRef<'a> {
    Pg(&'a mut diesel::PgConnection),
    Sqlite(&'a mut diesel::SqliteConnection),
}

impl DbConnRef<'_> {
    fn head(&mut self) -> Result<(i64, String)> {
        let q = audit_head::table
            .filter(audit_head::id.eq(1))
            .select((audit_head::seq, audit_head::hash));
        Ok(match self {
            Self::Pg(c) => q.first(*c)?,
            Self::Sqlite(c) => q.first(*c)?,
        })
    }

    fn page(&mut self, from: i64, to: i64, limit: i64) -> Result<Vec<AuditEvent>> {
        macro_rules! page {
            () => {
                audit_events::table
                    .filter(audit_events::seq.ge(from))
                    .filter(audit_events::seq.le(to))
                    .order(audit_events::seq.asc())
                    .limit(limit)
                    .select(AuditEvent::as_select())
            };
        }
        Ok(match self {
            Self::Pg(c) => page!().load(*c)?,
            Self::Sqlite(c) => page!().load(*c)?,
        })
    }
}

fn verify_up_to_tip(conn: &mut DbConnRef<'_>) -> Result<Verdict> {
    const PAGE: i64 = 5000;
    let (head_seq, head_hash) = conn.head()?;
    let mut expected_seq = 1i64;
    let mut prev = "0".repeat(64);
    while expected_seq <= head_seq {
        let page = conn.page(expected_seq, head_seq, PAGE)?;
        if page.is_empty() {
            break;
        }
        for ev in &page {
            if ev.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    problem: format!(
                        "event {expected_seq} is missing (next present is {})",
                        ev.seq
                    ),
                });
            }
            if ev.prev_hash != prev {
                return Ok(Verdict::Broken {
                    seq: ev.seq,
                    problem: "its link to the previous event does not match".into(),
                });
            }
            if ev.compute_hash() != ev.hash {
                return Ok(Verdict::Broken {
                    seq: ev.seq,
                    problem: "its content was changed after it was written".into(),
                });
            }
            prev = ev.hash.clone();
            expected_seq += 1;
        }
    }
    let events = expected_seq - 1;
    if head_seq != events || head_hash != prev {
        return Ok(Verdict::Broken {
            seq: events + 1,
            problem: format!("the log ends at event {events} but its tip records event {head_seq}"),
        });
    }
    Ok(Verdict::Intact { events })
}

/// The audit trail of one record, newest first, for supervisors.
pub fn trail(
    conn: &mut DbConn,
    unit_id: &str,
    record_id: &str,
    limit: i64,
) -> Result<Vec<AuditEvent>> {
    Ok(audit_events::table
        .filter(audit_events::record_id.eq(record_id))
        .filter(audit_events::operation_unit_id.eq(unit_id))
        .order(audit_events::seq.desc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)?)
}

/// The operation unit a record belongs to, whatever its kind; None when no record has this id.
pub fn record_unit(conn: &mut DbConn, id: &str) -> Result<Option<String>> {
    use super::schema::{
        appointments, biometric_reviews, cases, documents, individuals, registration_groups,
        specific_needs,
    };
    macro_rules! look {
        ($($t:ident),*) => {$(
            if let Some(unit) = $t::table
                .filter($t::id.eq(id))
                .select($t::operation_unit_id)
                .first::<String>(conn)
                .optional()?
            {
                return Ok(Some(unit));
            }
        )*};
    }
    look!(
        individuals,
        registration_groups,
        cases,
        specific_needs,
        documents,
        biometric_reviews,
        appointments
    );
    Ok(None)
}

/// Audit events of reads, collected while a read runs and appended once it succeeded.
#[derive(Debug, Default)]
pub struct Reads(Vec<Entry>);

impl Reads {
    pub fn record(&mut self, record_type: &'static str, ids: impl Iterator<Item = String>) {
        self.0
            .extend(ids.map(|id| Entry::ok("read", record_type, id)));
    }
    pub fn push(&mut self, entry: Entry) {
        self.0.push(entry);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The entries, to append them inside a write transaction that read them.
    pub fn into_entries(self) -> Vec<Entry> {
        self.0
    }
}

struct Job {
    actor: Actor,
    entries: Vec<Entry>,
    done: tokio::sync::oneshot::Sender<Result<()>>,
}

/// Appends the audit events of reads with group commit: one writer thread takes every batch
/// waiting and appends them in one transaction, so concurrent reads share one durable commit
/// instead of queueing for the chain's tip one by one. A read's answer is released only after
/// its events are committed.
#[derive(Clone)]
pub struct AuditWriter {
    jobs: std::sync::mpsc::Sender<Job>,
}

/// Most read batches written in one transaction.
const MAX_GROUP: usize = 256;

impl AuditWriter {
    pub fn start(db: super::Database) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut jobs = vec![first];
                    while jobs.len() < MAX_GROUP {
                        match rx.try_recv() {
                            Ok(j) => jobs.push(j),
                            Err(_) => break,
                        }
                    }
                    let batch: Vec<(&Actor, &[Entry])> = jobs
                        .iter()
                        .map(|j| (&j.actor, j.entries.as_slice()))
                        .collect();
                    let outcome = db.write_blocking(|c| append_batch(c, &batch));
                    for j in jobs {
                        let _ = j.done.send(outcome.clone());
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the audit writer");
        }
        Self { jobs: tx }
    }

    /// Appends and waits until the events are committed.
    pub async fn append(&self, actor: Actor, reads: Reads) -> Result<()> {
        if reads.is_empty() {
            return Ok(());
        }
        let (done, wait) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Job {
                actor,
                entries: reads.0,
                done,
            })
            .map_err(|_| crate::error::Error::internal("the audit log is not accepting events"))?;
        wait.await
            .map_err(|_| crate::error::Error::internal("the audit log stopped"))?
    }
}
