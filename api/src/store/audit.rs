//! The audit log: every read of personal data, every write, every login and every refused access.
//!
//! Append-only and hash-chained: each event's hash covers the previous event's hash and the
//! event's own fields, so changing or removing any event breaks the chain from there on, and
//! `audit_head` (the chain's tip, row-locked while appending) catches a removed tail.
//!
//! Keyed: with an [`AuditKey`] (a file kept outside the database), each event's hash is an
//! HMAC-SHA256 under that key and the event carries the key's id, so someone who can write to
//! the database cannot recompute the chain after changing it. Signed checkpoints of the tip,
//! exported to a directory outside the database, catch a rewrite of the whole log (including one
//! that strips the keys). Events written before a key was used keep their plain SHA-256 hash
//! and are checked as before.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::db::{Db, DbConn};
use super::dialect;
use super::schema::{audit_event_records, audit_events, audit_head};
use super::scope::Scope;
use super::{new_id, now};
use crate::error::{Error, Result};

/// The secret that keys the chain: 32 random bytes kept in a file outside the database. Every
/// server process writing to one database uses the same key file; its id (derived from the
/// secret) is stored on each event, so after a rotation older events are checked with the
/// older key.
#[derive(Clone)]
pub struct AuditKey {
    id: String,
    secret: [u8; 32],
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id)
    }
}

impl AuditKey {
    fn from_secret(secret: [u8; 32]) -> Self {
        let mut h = Sha256::new();
        h.update(b"amparo audit key id\n");
        h.update(secret);
        Self {
            id: hex::encode(&h.finalize()[..8]),
            secret,
        }
    }

    /// A new random key, held in memory only.
    pub fn generate() -> Self {
        Self::from_secret(rand::random())
    }

    /// A new random key, written to `path` as 64 hex digits (readable by its owner only).
    pub fn generate_file(path: &std::path::Path) -> Result<Self> {
        let secret: [u8; 32] = rand::random();
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(path)
            .map_err(|e| Error::config(format!("cannot create {}: {e}", path.display())))?;
        std::io::Write::write_all(&mut f, format!("{}\n", hex::encode(secret)).as_bytes())
            .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))?;
        Ok(Self::from_secret(secret))
    }

    /// Reads a key file of 64 hex digits.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config(format!("cannot read {}: {e}", path.display())))?;
        let bytes = hex::decode(text.trim()).ok().filter(|b| b.len() == 32);
        match bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()) {
            Some(secret) => Ok(Self::from_secret(secret)),
            None => Err(Error::config(format!(
                "{} is not an audit key: it must hold 64 hex digits",
                path.display()
            ))),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        // Any length of key is accepted by HMAC; 32 bytes cannot fail.
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for p in parts {
            m.update(p);
        }
        hex::encode(m.finalize().into_bytes())
    }
}

/// The key this process appends with, set once at start.
static KEY: std::sync::OnceLock<AuditKey> = std::sync::OnceLock::new();

/// Keys every event this process appends from now on. A process has one key: installing a
/// different one later is refused.
pub fn use_key(key: AuditKey) -> Result<()> {
    let id = key.id.clone();
    let installed = KEY.get_or_init(|| key);
    if installed.id != id {
        return Err(Error::config(format!(
            "this process already keys the audit log with key {}; it cannot switch to {id}",
            installed.id
        )));
    }
    Ok(())
}

/// The key this process appends with, if one was installed.
pub fn current_key() -> Option<&'static AuditKey> {
    KEY.get()
}

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
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
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
    /// The id of the key the hash is an HMAC under; None for a plain SHA-256 (events written
    /// without a key, as all were before keys).
    pub key_id: Option<String>,
    /// The records an event names when it names more than one (a read of a page of people), as
    /// a JSON array of ids, with `record_id` empty; None for an event of one record or none, as
    /// all events were before. The hash covers it.
    pub record_ids: Option<String>,
}

/// One record an event of several names, as the lookup of a record's events finds it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_event_records, treat_none_as_default_value = false)]
pub struct NamedRecord {
    pub record_id: String,
    pub seq: i64,
}

/// An event's time as its hash covers it.
fn hashed_time(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

impl AuditEvent {
    /// The event's hash: an HMAC under `key` when the event names a key (`key` must be that
    /// key), else the plain SHA-256 of the events written before keys.
    fn compute_hash(&self, key: Option<&AuditKey>) -> String {
        self.compute_hash_at(key, &hashed_time(self.at))
    }

    /// [`AuditEvent::compute_hash`] with the event's time already written as the hash writes it
    /// (an append writes one time for all its events).
    fn compute_hash_at(&self, key: Option<&AuditKey>, at: &str) -> String {
        let fields = self.hashed_fields(at);
        match (&self.key_id, key) {
            (Some(id), Some(key)) => key.mac(&[
                id.as_bytes(),
                b"\n",
                self.prev_hash.as_bytes(),
                b"\n",
                &fields,
            ]),
            _ => {
                let mut h = Sha256::new();
                h.update(self.prev_hash.as_bytes());
                h.update(b"\n");
                h.update(&fields);
                hex::encode(h.finalize())
            }
        }
    }

    /// The fields the hash covers, as a JSON array (which keeps their boundaries unambiguous).
    /// Written straight from the fields: these are the bytes a `serde_json::Value` array of
    /// them prints (a test holds the two equal), without building the value for every event.
    /// An event naming several records adds their list as a thirteenth field; every other event
    /// hashes the twelve fields all events hashed before such lists existed, so stored chains
    /// verify as they did.
    fn hashed_fields(&self, at: &str) -> Vec<u8> {
        let twelve = (
            self.seq,
            &self.id,
            at,
            &self.user_id,
            &self.username,
            &self.operation_unit_id,
            &self.action,
            &self.record_type,
            &self.record_id,
            &self.request_id,
            &self.outcome,
            &self.detail,
        );
        // Strings, numbers and nulls only: serialising them cannot fail.
        match &self.record_ids {
            None => serde_json::to_vec(&twelve).unwrap_or_default(),
            Some(ids) => {
                let (a, b, c, d, e, f, g, h, i, j, k, l) = twelve;
                serde_json::to_vec(&(a, b, c, d, e, f, g, h, i, j, k, l, ids)).unwrap_or_default()
            }
        }
    }

    /// Every record this event names: its one record, or each of its list.
    pub fn named_records(&self) -> Vec<String> {
        match &self.record_ids {
            Some(list) => serde_json::from_str(list).unwrap_or_default(),
            None => self.record_id.iter().cloned().collect(),
        }
    }

    /// The unkeyed SHA-256 hash of this event (what events written without a key carry):
    /// anyone can compute it, which is why a keyed log does not accept it.
    pub fn unkeyed_hash(&self) -> String {
        let unkeyed = AuditEvent {
            key_id: None,
            ..self.clone()
        };
        unkeyed.compute_hash(None)
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
    let (mut seq, mut prev) = dialect::audit_head_for_update(conn)?;
    let at = now();
    let at_text = hashed_time(at);
    let key = current_key();
    if key.is_none() && seq > 0 && !ours_unkeyed(seq, &prev) {
        let last: Option<String> = audit_events::table
            .filter(audit_events::seq.eq(seq))
            .select(audit_events::key_id)
            .first(conn)
            .optional()?
            .flatten();
        if let Some(id) = last {
            return Err(Error::config(format!(
                "the audit log is keyed (key {id}): start with its key file (--audit-key-file, AMPARO_AUDIT_KEY_FILE)"
            )));
        }
    }
    let mut rows = Vec::with_capacity(total);
    let mut named = Vec::new();
    for (actor, entries) in batch {
        for run in runs(entries) {
            let e = &run[0];
            seq += 1;
            let (record_id, record_ids) = match distinct_ids(run) {
                ids if ids.len() > 1 => {
                    named.extend(ids.iter().map(|id| NamedRecord {
                        record_id: (*id).to_string(),
                        seq,
                    }));
                    // Ids are strings: serialising them cannot fail.
                    (None, Some(serde_json::to_string(&ids).unwrap_or_default()))
                }
                _ => (e.record_id.clone(), None),
            };
            let mut ev = AuditEvent {
                seq,
                id: new_id(),
                at,
                user_id: actor.user_id.clone(),
                username: actor.username.clone(),
                operation_unit_id: actor.unit_id.clone(),
                action: e.action.to_string(),
                record_type: e.record_type.map(str::to_string),
                record_id,
                request_id: actor.request_id.clone(),
                outcome: e.outcome.as_str().to_string(),
                detail: e.detail.clone(),
                prev_hash: prev,
                hash: String::new(),
                key_id: key.map(|k| k.id.clone()),
                record_ids,
            };
            ev.hash = ev.compute_hash_at(key, &at_text);
            prev = ev.hash.clone();
            rows.push(ev);
        }
    }
    dialect::insert_audit_events(conn, &rows, &named)?;
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set((audit_head::seq.eq(seq), audit_head::hash.eq(&prev)))
        .execute(conn)?;
    if key.is_none() {
        remember_unkeyed(seq, prev);
    }
    Ok(())
}

/// Actions whose entries of one request become one event naming all their records: reads (a
/// page of 50 people is one event, not 50) and a field node's events taken up to central. Writes
/// keep one event per record.
const NAMED_TOGETHER: [&str; 2] = ["read", "node_event"];

/// One actor's entries cut into the runs that become one event each: consecutive entries alike
/// in all but their record ([`NAMED_TOGETHER`] actions only), every other entry on its own.
fn runs(entries: &[Entry]) -> impl Iterator<Item = &[Entry]> {
    let together = |a: &Entry, b: &Entry| {
        NAMED_TOGETHER.contains(&a.action)
            && a.action == b.action
            && a.record_type == b.record_type
            && a.outcome == b.outcome
            && a.detail == b.detail
            && a.record_id.is_some()
            && b.record_id.is_some()
    };
    entries.chunk_by(together)
}

/// The records of a run, each once, in the order first read.
fn distinct_ids(run: &[Entry]) -> Vec<&str> {
    let mut seen = std::collections::HashSet::with_capacity(run.len());
    run.iter()
        .filter_map(|e| e.record_id.as_deref())
        .filter(|id| seen.insert(*id))
        .collect()
}

/// The tip this process last appended without a key. An append finding the chain still there
/// knows the last event is unkeyed without reading it back (the reads' writer appends many times
/// a second). A tip whose transaction rolled back is simply never found again.
static UNKEYED_TIP: std::sync::Mutex<Option<(i64, String)>> = std::sync::Mutex::new(None);

fn ours_unkeyed(seq: i64, hash: &str) -> bool {
    UNKEYED_TIP
        .lock()
        .map(|tip| tip.as_ref().is_some_and(|(s, h)| *s == seq && h == hash))
        .unwrap_or(false)
}

fn remember_unkeyed(seq: i64, hash: String) {
    if let Ok(mut tip) = UNKEYED_TIP.lock() {
        *tip = Some((seq, hash));
    }
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
    let keys: Vec<AuditKey> = current_key().into_iter().cloned().collect();
    verify_with(conn, &keys, &[])
}

/// [`verify`] with the keys of keyed events (every key used since the log began being keyed)
/// and checkpoints to hold the chain against.
pub fn verify_with(
    conn: &mut DbConn,
    keys: &[AuditKey],
    checkpoints: &[Checkpoint],
) -> Result<Verdict> {
    for cp in checkpoints {
        if let Some(problem) = cp.forged(keys)? {
            return Ok(Verdict::Broken {
                seq: cp.seq,
                problem,
            });
        }
    }
    dialect::in_snapshot(conn, |c| verify_up_to_tip(c, keys, checkpoints))
}

/// The chain's tip at one moment, signed with the audit key and kept outside the database.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: NaiveDateTime,
    pub key_id: String,
    pub mac: String,
}

impl Checkpoint {
    fn signed_text(seq: i64, hash: &str, at: NaiveDateTime) -> String {
        format!(
            "amparo audit checkpoint\n{seq}\n{hash}\n{}",
            at.format("%Y-%m-%dT%H:%M:%S%.6f")
        )
    }

    /// Why this checkpoint cannot be trusted, if it cannot.
    fn forged(&self, keys: &[AuditKey]) -> Result<Option<String>> {
        let Some(key) = keys.iter().find(|k| k.id == self.key_id) else {
            return Err(Error::config(format!(
                "checkpoint of event {} is signed with audit key {}: give that key file",
                self.seq, self.key_id
            )));
        };
        let text = Self::signed_text(self.seq, &self.hash, self.at);
        Ok((key.mac(&[text.as_bytes()]) != self.mac)
            .then(|| "a checkpoint's signature does not match: the checkpoint was changed".into()))
    }

    /// Signs the chain's current tip with `key` and writes it into `dir` as
    /// `checkpoint-<seq>.json`.
    pub fn export(
        conn: &mut DbConn,
        key: &AuditKey,
        dir: &std::path::Path,
    ) -> Result<(Checkpoint, std::path::PathBuf)> {
        let (seq, hash): (i64, String) = audit_head::table
            .filter(audit_head::id.eq(1))
            .select((audit_head::seq, audit_head::hash))
            .first(conn)?;
        let at = now();
        let mac = key.mac(&[Self::signed_text(seq, &hash, at).as_bytes()]);
        let cp = Checkpoint {
            seq,
            hash,
            at,
            key_id: key.id.clone(),
            mac,
        };
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::config(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(format!("checkpoint-{seq:012}.json"));
        let json = serde_json::to_string_pretty(&cp)
            .map_err(|e| Error::internal(format!("cannot write a checkpoint: {e}")))?;
        // Written aside and renamed, so a reader never sees half a file.
        let tmp = dir.join(format!(".checkpoint-{seq:012}.tmp"));
        std::fs::write(&tmp, json)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))?;
        Ok((cp, path))
    }

    /// Every checkpoint file of `dir`.
    pub fn load_dir(dir: &std::path::Path) -> Result<Vec<Checkpoint>> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::config(format!("cannot read {}: {e}", dir.display())))?;
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !(name.starts_with("checkpoint-") && name.ends_with(".json")) {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::config(format!("cannot read {}: {e}", path.display())))?;
            out.push(serde_json::from_str(&text).map_err(|e| {
                Error::config(format!("{} is not a checkpoint: {e}", path.display()))
            })?);
        }
        out.sort_by_key(|c: &Checkpoint| c.seq);
        Ok(out)
    }
}

fn verify_up_to_tip(
    conn: &mut DbConn,
    keys: &[AuditKey],
    checkpoints: &[Checkpoint],
) -> Result<Verdict> {
    const PAGE: i64 = 5000;
    let (head_seq, head_hash): (i64, String) = audit_head::table
        .filter(audit_head::id.eq(1))
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    if let Some(cp) = checkpoints.iter().rev().find(|c| c.seq > head_seq) {
        return Ok(Verdict::Broken {
            seq: head_seq + 1,
            problem: format!(
                "the log ends at event {head_seq} but a checkpoint of {} records event {}",
                cp.at, cp.seq
            ),
        });
    }
    let mut expected_seq = 1i64;
    let mut prev = "0".repeat(64);
    let mut keyed_since: Option<i64> = None;
    while expected_seq <= head_seq {
        let page: Vec<AuditEvent> = audit_events::table
            .filter(audit_events::seq.ge(expected_seq))
            .filter(audit_events::seq.le(head_seq))
            .order(audit_events::seq.asc())
            .limit(PAGE)
            .select(AuditEvent::as_select())
            .load(conn)?;
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
            let key = match &ev.key_id {
                Some(id) => {
                    keyed_since.get_or_insert(ev.seq);
                    match keys.iter().find(|k| &k.id == id) {
                        Some(k) => Some(k),
                        None => {
                            return Err(Error::config(format!(
                                "event {} is keyed with audit key {id}: give that key file (--audit-key-file)",
                                ev.seq
                            )));
                        }
                    }
                }
                None if keyed_since.is_some() => {
                    return Ok(Verdict::Broken {
                        seq: ev.seq,
                        problem: format!(
                            "it has no key although events from {} on are keyed: the chain was rewritten",
                            keyed_since.unwrap_or_default()
                        ),
                    });
                }
                None => None,
            };
            if ev.compute_hash(key) != ev.hash {
                return Ok(Verdict::Broken {
                    seq: ev.seq,
                    problem: "its content was changed after it was written".into(),
                });
            }
            if let Some(cp) = checkpoints.iter().find(|c| c.seq == ev.seq)
                && cp.hash != ev.hash
            {
                return Ok(Verdict::Broken {
                    seq: ev.seq,
                    problem: format!(
                        "it differs from the checkpoint of {}: the chain was rewritten",
                        cp.at
                    ),
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
    if let Some(seq) = first_misindexed(conn, head_seq)? {
        return Ok(Verdict::Broken {
            seq,
            problem: "the index of the records it names differs from its list: a read was hidden from a record's trail or one added to it".into(),
        });
    }
    Ok(Verdict::Intact { events })
}

/// The first event, up to `head`, whose list of records (hashed) and the index of those names
/// (`audit_event_records`, not hashed) disagree: the chain alone would not show a name removed
/// from the index, and the record's trail would no longer show that read.
fn first_misindexed(conn: &mut DbConn, head: i64) -> Result<Option<i64>> {
    #[derive(QueryableByName)]
    struct First {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        seq: Option<i64>,
    }
    let items = dialect::json_array_items(conn, "e.record_ids");
    let listed = format!(
        "SELECT e.seq AS seq, j.value AS record_id FROM audit_events e, {items} j \
         WHERE e.record_ids IS NOT NULL AND e.seq <= {{}}"
    );
    let indexed = "SELECT seq, record_id FROM audit_event_records WHERE seq <= {}";
    let sql = format!(
        "SELECT MIN(seq) AS seq FROM (SELECT * FROM ({listed} EXCEPT {indexed}) missing \
         UNION ALL SELECT * FROM ({indexed} EXCEPT {listed}) added) differ"
    );
    let head = dialect::Bind::BigInt(head);
    let first: Vec<First> = dialect::load(
        conn,
        &sql,
        &[head.clone(), head.clone(), head.clone(), head],
    )?;
    Ok(first.into_iter().next().and_then(|f| f.seq))
}

/// Events per period of the log: the lookups of a record's events (`audit_events_by_period`,
/// `audit_event_records_by_period`) are keyed by period first, then record. Keyed by record
/// alone, every read of a page put its fifty names at fifty random places of an index that
/// grows without end; once that index outgrew memory each name cost a page read and, after
/// every checkpoint, a full page written to the WAL (the largest part of the database's work
/// under a load of pages). Keyed by period, a request's names land in the current period's part
/// of the index, small and in memory, and a record's lookup asks each period once (a few dozen
/// descents of the index for a log of millions of events). The migrations'
/// `seq / 16384` must be this number, written out, or the lookups would not use their index
/// (`store::audit::tests::lookups_use_the_period_index` holds it).
pub const PERIOD: i64 = 16_384;

/// `seq / PERIOD`, as the indexes are built on it.
fn period_of_seq() -> diesel::expression::SqlLiteral<diesel::sql_types::BigInt> {
    diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!("seq / {PERIOD}"))
}

/// Every period of the log up to its tip, newest first.
fn periods(conn: &mut DbConn) -> Result<Vec<i64>> {
    let tip: i64 = audit_head::table
        .filter(audit_head::id.eq(1))
        .select(audit_head::seq)
        .first(conn)
        .optional()?
        .unwrap_or(0);
    Ok((0..=tip / PERIOD).rev().collect())
}

/// The events of `record_id` alone (not those naming it among others), for the caller to
/// filter further, keyed by period as their index is.
pub fn events_of_record<'a>(
    conn: &mut DbConn,
    record_id: &'a str,
) -> Result<audit_events::BoxedQuery<'a, Db>> {
    Ok(events_of_record_in(periods(conn)?, record_id))
}

fn events_of_record_in(periods: Vec<i64>, record_id: &str) -> audit_events::BoxedQuery<'_, Db> {
    audit_events::table
        .filter(period_of_seq().eq_any(periods))
        .filter(audit_events::record_id.eq(record_id))
        .into_boxed()
}

/// The audit trail of one record, newest first, for supervisors: the events of that record
/// alone and the events naming it among others (a read of a page).
pub fn trail(
    conn: &mut DbConn,
    unit_id: &str,
    record_id: &str,
    limit: i64,
) -> Result<Vec<AuditEvent>> {
    let periods = periods(conn)?;
    let mut events: Vec<AuditEvent> = events_of_record_in(periods.clone(), record_id)
        .filter(audit_events::operation_unit_id.eq(unit_id))
        .order(audit_events::seq.desc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)?;
    let among: Vec<i64> = audit_event_records::table
        .filter(period_of_seq().eq_any(periods))
        .filter(audit_event_records::record_id.eq(record_id))
        .order(audit_event_records::seq.desc())
        .limit(limit)
        .select(audit_event_records::seq)
        .load(conn)?;
    if !among.is_empty() {
        events.extend(
            audit_events::table
                .filter(audit_events::seq.eq_any(&among))
                .filter(audit_events::operation_unit_id.eq(unit_id))
                .select(AuditEvent::as_select())
                .load::<AuditEvent>(conn)?,
        );
        events.sort_by_key(|e| std::cmp::Reverse(e.seq));
        events.truncate(usize::try_from(limit).unwrap_or(0));
    }
    Ok(events)
}

/// The operation unit a record belongs to, whatever its kind; None when no record has this id.
pub fn record_unit(conn: &mut DbConn, id: &str) -> Result<Option<String>> {
    use super::schema::{
        appointments, biometric_reviews, cases, consents, documents, individuals,
        pre_registrations, protection_cases, registration_groups, resettlement_cases,
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
        appointments,
        pre_registrations,
        protection_cases,
        resettlement_cases,
        consents
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
    /// Adds another read's entries after these.
    pub fn append(&mut self, mut other: Reads) {
        self.0.append(&mut other.0);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookups filter on the very expression the migrations index: written differently
    /// (another period, another form), PostgreSQL and SQLite would not match the index and
    /// every record's trail would read the whole log.
    #[test]
    fn lookups_use_the_period_index() {
        let expression = format!("(seq / {PERIOD})");
        for (dialect, up) in [
            (
                "postgres",
                include_str!(
                    "../../../migrations/postgres/2026-12-14-100001_audit_lookup_by_period/up.sql"
                ),
            ),
            (
                "sqlite",
                include_str!(
                    "../../../migrations/sqlite/2026-12-14-100001_audit_lookup_by_period/up.sql"
                ),
            ),
        ] {
            for index in ["audit_event_records_by_period", "audit_events_by_period"] {
                let definition = up
                    .split(';')
                    .find(|statement| statement.contains(&format!("INDEX {index}")))
                    .unwrap_or_else(|| panic!("{dialect}: no index {index}"));
                assert!(
                    definition.contains(&format!("{expression}, record_id, seq")),
                    "{dialect}: {index} is not keyed by {expression}: {definition}"
                );
            }
        }
        let query = audit_events::table
            .filter(period_of_seq().eq_any(vec![0_i64]))
            .filter(audit_events::record_id.eq("r"));
        let sql = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
        assert!(
            sql.contains(&format!("seq / {PERIOD} = ANY")),
            "the lookup does not filter on the indexed period: {sql}"
        );
    }

    /// What the hash covered before it was written straight from the fields: a JSON value
    /// array, printed. Every chain already stored was hashed over these bytes.
    fn as_value_array(ev: &AuditEvent) -> String {
        serde_json::json!([
            ev.seq,
            ev.id,
            hashed_time(ev.at),
            ev.user_id,
            ev.username,
            ev.operation_unit_id,
            ev.action,
            ev.record_type,
            ev.record_id,
            ev.request_id,
            ev.outcome,
            ev.detail,
        ])
        .to_string()
    }

    #[test]
    fn reads_alike_become_one_event_and_writes_stay_one_each() {
        let read = |t, id: &str| Entry::ok("read", t, id);
        let entries = [
            read("individual", "a"),
            read("individual", "b"),
            read("individual", "a"),
            read("document", "x"),
            Entry::ok("update", "individual", "a"),
            Entry::ok("update", "individual", "b"),
            read("individual", "c"),
        ];
        let events: Vec<(&str, Vec<&str>)> = runs(&entries)
            .map(|run| (run[0].action, distinct_ids(run)))
            .collect();
        assert_eq!(
            events,
            [
                ("read", vec!["a", "b"]),
                ("read", vec!["x"]),
                ("update", vec!["a"]),
                ("update", vec!["b"]),
                ("read", vec!["c"]),
            ]
        );
    }

    #[test]
    fn the_hashed_fields_are_the_bytes_a_value_array_prints() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .and_then(|d| d.and_hms_micro_opt(13, 5, 9, 120))
            .unwrap_or_default();
        let full = AuditEvent {
            seq: 9_007_199_254_740_993,
            id: "01a2-id".into(),
            at,
            user_id: Some("u1".into()),
            username: Some("Zoë \"la jefa\" Núñez\\\n\t\u{1}".into()),
            operation_unit_id: Some("unit".into()),
            action: "read".into(),
            record_type: Some("individual".into()),
            record_id: Some("ind-1".into()),
            request_id: Some("req".into()),
            outcome: "ok".into(),
            detail: Some("{\"why\": [1, 2]} </script> 🙂".into()),
            prev_hash: "0".repeat(64),
            hash: String::new(),
            key_id: None,
            record_ids: None,
        };
        let sparse = AuditEvent {
            user_id: None,
            username: None,
            operation_unit_id: None,
            record_type: None,
            record_id: None,
            request_id: None,
            detail: None,
            seq: 1,
            ..full.clone()
        };
        for ev in [&full, &sparse] {
            let text = hashed_time(ev.at);
            assert_eq!(
                String::from_utf8(ev.hashed_fields(&text)).unwrap_or_default(),
                as_value_array(ev)
            );
        }
        // And the hash itself: SHA-256 over the previous hash, a newline and those bytes.
        let mut h = Sha256::new();
        h.update(full.prev_hash.as_bytes());
        h.update(b"\n");
        h.update(as_value_array(&full).as_bytes());
        assert_eq!(full.compute_hash(None), hex::encode(h.finalize()));
    }
}
