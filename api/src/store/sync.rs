//! Field node sync, the database side: what central sends a node (pull), what a node keeps
//! waiting for central (its outbox), and the identities and numbers an offline write leaves.
//!
//! A node is the same server on SQLite with the same schema, so a record travels as its row:
//! central reads rows of the office's scope as JSON (`row_to_json` on PostgreSQL, `json_object`
//! on SQLite) and the node writes them back column by column. Which rows belong to an office,
//! and which children travel with each, is the table [`ROOTS`]; the change feed says which
//! roots changed since a node's cursor (`feed::read_after`), and a root that is no longer in
//! the office's scope is sent as a removal.
//!
//! # Offline writes
//!
//! A mutation on a node runs the same store code as on central and is replayed on central
//! later. Two things must come out the same both times, so they are drawn from the mutation
//! rather than from the clock or a counter: the identifiers it creates ([`new_id`](super::new_id)
//! derives them from the caller, the `clientMutationId` and the time the node acted), and the
//! registration numbers, which a node gives provisionally (`DPIN-LAG-PI-000123`) and central
//! replaces, keeping the provisional one as an alias.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::db::DbConn;
use super::dialect::{self, Bind};
use super::feed;
use super::now;
use super::schema::{field_nodes, node_outbox, node_state, number_aliases, sync_conflicts};
use crate::domain::access::{FieldGroup, Grants, parse_roles};
use crate::domain::events::need_group;
use crate::domain::feed::RecordKind;
use crate::domain::registration::NAME_FIELDS;
use crate::error::{Error, Result};

// ---------------------------------------------------------------------------------------------
// Offline writes: identifiers and numbers
// ---------------------------------------------------------------------------------------------

tokio::task_local! {
    /// On a field node: the GraphQL request being served (JSON: query, variables,
    /// operationName), which its mutations record in the outbox.
    pub static NODE_REQUEST: std::sync::Arc<String>;
    /// On central: the node's write being replayed.
    pub static REPLAY: Replay;
}

/// A node's write as central replays it: when the node acted and the provisional numbers it
/// gave, in order.
#[derive(Debug, Clone)]
pub struct Replay {
    pub at_ms: i64,
    pub provisional: Vec<String>,
}

/// How numbers are given inside an offline write or its replay.
#[derive(Debug, Clone)]
pub enum Numbers {
    /// On a node: provisional numbers that say so, `UNIT-OFFICE-PI-000123`.
    Provisional { office_code: String },
    /// On central, replaying a node's mutation: final numbers, each remembered with the
    /// provisional number the node gave in the same place.
    Final { provisional: VecDeque<String> },
}

/// What makes a write repeatable: who acted, under which clientMutationId, and when the node
/// acted.
#[derive(Debug, Clone)]
pub struct Origin {
    pub user_id: String,
    pub client_mutation_id: String,
    pub at_ms: i64,
    pub numbers: Numbers,
}

/// What an offline write or its replay gave: (final or provisional number, the provisional
/// number it replaces when central gave a final one).
#[derive(Debug, Default)]
pub struct Trail {
    pub numbers: Vec<(String, Option<String>)>,
}

struct Active {
    seed: [u8; 32],
    at_ms: i64,
    n: u32,
    numbers: Numbers,
    trail: Trail,
}

thread_local! {
    static ACTIVE: RefCell<Option<Active>> = const { RefCell::new(None) };
}

/// Makes identifiers and numbers of the write that runs on this thread repeatable until the
/// guard is finished (or dropped).
pub fn begin(origin: Origin) -> WriteGuard {
    let mut h = Sha256::new();
    h.update(origin.user_id.as_bytes());
    h.update(b"\n");
    h.update(origin.client_mutation_id.as_bytes());
    let seed: [u8; 32] = h.finalize().into();
    ACTIVE.with(|a| {
        *a.borrow_mut() = Some(Active {
            seed,
            at_ms: origin.at_ms,
            n: 0,
            numbers: origin.numbers,
            trail: Trail::default(),
        })
    });
    WriteGuard { done: false }
}

/// Ends the repeatable write on drop; [`WriteGuard::finish`] returns what it gave.
pub struct WriteGuard {
    done: bool,
}

impl WriteGuard {
    pub fn finish(mut self) -> Trail {
        self.done = true;
        ACTIVE
            .with(|a| a.borrow_mut().take())
            .map(|a| a.trail)
            .unwrap_or_default()
    }
}

impl Drop for WriteGuard {
    fn drop(&mut self) {
        if !self.done {
            ACTIVE.with(|a| a.borrow_mut().take());
        }
    }
}

/// The next identifier of the repeatable write on this thread, if one is running: a UUIDv7
/// whose time is when the node acted and whose other bits come from the write's seed and
/// count, so central's replay creates the same rows under the same ids.
pub fn repeatable_id() -> Option<String> {
    ACTIVE.with(|a| {
        let mut a = a.borrow_mut();
        let a = a.as_mut()?;
        a.n += 1;
        let mut h = Sha256::new();
        h.update(a.seed);
        h.update(a.n.to_be_bytes());
        let bytes: [u8; 32] = h.finalize().into();
        let mut rand = [0u8; 10];
        rand.copy_from_slice(&bytes[..10]);
        let ms = u64::try_from(a.at_ms).unwrap_or(0);
        Some(
            uuid::Builder::from_unix_timestamp_millis(ms, &rand)
                .into_uuid()
                .to_string(),
        )
    })
}

/// A registration number, provisional on a node (`DPIN-LAG-PI-000123`: P for provisional,
/// then the kind's letter, so an individual's and a group's never meet); `normal` is the number
/// central's own scheme gives (`DPIN-I-0000123`).
pub fn number(unit_code: &str, kind_letter: char, n: i64, normal: String) -> String {
    ACTIVE.with(|a| {
        let mut a = a.borrow_mut();
        let Some(a) = a.as_mut() else {
            return normal;
        };
        match &mut a.numbers {
            Numbers::Provisional { office_code } => {
                let p = format!("{unit_code}-{office_code}-P{kind_letter}-{n:06}");
                a.trail.numbers.push((p.clone(), None));
                p
            }
            Numbers::Final { provisional } => {
                let alias = provisional.pop_front();
                a.trail.numbers.push((normal.clone(), alias));
                normal
            }
        }
    })
}

/// Whether this thread is running a node's write (its numbers are provisional).
pub fn is_provisional() -> bool {
    ACTIVE.with(|a| {
        matches!(
            a.borrow().as_ref().map(|a| &a.numbers),
            Some(Numbers::Provisional { .. })
        )
    })
}

/// Records, on central, the provisional numbers a replayed write replaced, each as an alias of
/// the record that now carries the final number.
pub fn keep_aliases(conn: &mut DbConn, unit_id: &str, trail: &Trail) -> Result<()> {
    for (number, alias) in &trail.numbers {
        let Some(alias) = alias else { continue };
        let Some((record_type, record_id)) = record_by_number(conn, unit_id, number)? else {
            continue;
        };
        let row = (
            number_aliases::operation_unit_id.eq(unit_id),
            number_aliases::alias.eq(alias),
            number_aliases::record_type.eq(record_type),
            number_aliases::record_id.eq(&record_id),
            number_aliases::number.eq(number),
            number_aliases::created_at.eq(now()),
        );
        match conn {
            DbConn::Pg(c) => diesel::insert_into(number_aliases::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c)?,
            DbConn::Sqlite(c) => diesel::insert_into(number_aliases::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c)?,
        };
    }
    Ok(())
}

/// Which record carries a registration number.
fn record_by_number(
    conn: &mut DbConn,
    unit_id: &str,
    number: &str,
) -> Result<Option<(&'static str, String)>> {
    for (table, column) in NUMBERED {
        let sql = format!(
            "SELECT id AS j FROM {table} WHERE operation_unit_id = {{}} AND {column} = {{}}"
        );
        let found: Vec<JsonRow> = dialect::load(
            conn,
            &sql,
            &[Bind::Text(unit_id.into()), Bind::Text(number.into())],
        )?;
        if let Some(row) = found.into_iter().next() {
            return Ok(Some((table, row.j)));
        }
    }
    Ok(None)
}

/// The tables whose rows carry a registration number, and its column.
const NUMBERED: [(&str, &str); 4] = [
    ("individuals", "individual_number"),
    ("registration_groups", "group_number"),
    ("cases", "case_number"),
    ("protection_cases", "case_number"),
];

/// The final number a provisional one became, for search.
pub fn number_for_alias(conn: &mut DbConn, unit_id: &str, alias: &str) -> Result<Option<String>> {
    Ok(number_aliases::table
        .filter(number_aliases::operation_unit_id.eq(unit_id))
        .filter(number_aliases::alias.eq(alias))
        .select(number_aliases::number)
        .first(conn)
        .optional()?)
}

// ---------------------------------------------------------------------------------------------
// What an office's node holds
// ---------------------------------------------------------------------------------------------

/// A table whose rows belong to an office by a column of their own, with the tables whose rows
/// travel with each of them (by the column naming the parent).
pub struct Root {
    pub table: &'static str,
    /// The office's rows: `:u` is the unit, `:o` the office; the table is aliased `t`.
    pub scope: &'static str,
    pub children: &'static [(&'static str, &'static str)],
    /// Tables the node computes from the root's row rather than receive (by the column naming
    /// the parent): removed with the root.
    pub derived: &'static [(&'static str, &'static str)],
}

impl Root {
    /// Every table whose rows hang from this root on a node, sent or derived.
    fn dependents(&self) -> impl Iterator<Item = &(&'static str, &'static str)> {
        self.children.iter().chain(self.derived)
    }
}

const HISTORY: (&str, &str) = ("events", "record_id");
const ALIASES: (&str, &str) = ("number_aliases", "record_id");

/// The office's working set, in the order a first copy sends it.
pub const ROOTS: [Root; 4] = [
    Root {
        table: "individuals",
        scope: "t.operation_unit_id = :u AND t.office_id = :o",
        children: &[
            ("individual_languages", "individual_id"),
            ("addresses", "individual_id"),
            ("phones", "individual_id"),
            ("specific_needs", "individual_id"),
            ("documents", "individual_id"),
            HISTORY,
            ALIASES,
        ],
        // Twenty-odd search keys a person, rebuilt from the names (`NAME_FIELDS`).
        derived: &[("name_tokens", "individual_id")],
    },
    Root {
        table: "registration_groups",
        scope: "t.operation_unit_id = :u AND t.office_id = :o",
        children: &[("group_memberships", "group_id"), HISTORY, ALIASES],
        derived: &[],
    },
    Root {
        table: "cases",
        scope: "t.operation_unit_id = :u AND t.office_id = :o",
        children: &[
            ("case_members", "case_id"),
            ("appointments", "case_id"),
            HISTORY,
            ALIASES,
        ],
        derived: &[],
    },
    Root {
        table: "protection_cases",
        scope: "t.operation_unit_id = :u AND t.office_id = :o",
        children: &[HISTORY, ALIASES],
        derived: &[],
    },
];

/// Reference tables a node holds whole (as far as the office reaches): sent again only when
/// they changed, and rows no longer in them are removed from the node.
pub const REFERENCE: [(&str, &str); 5] = [
    ("operation_units", "t.id = :u"),
    ("offices", "t.operation_unit_id = :u"),
    (
        "users",
        "t.operation_unit_id = :u AND (t.office_id = :o OR t.office_id IS NULL)",
    ),
    ("interpreters", "t.operation_unit_id = :u"),
    ("sync_conflicts", "t.office_id = :o"),
];

/// Columns central never sends: a user's password verifier stays on central (a node learns
/// its own when the user logs in there while central answers).
const NEVER_SENT: [(&str, &str); 1] = [("users", "password_hash")];

/// The root a feed entry's record belongs to, and how to find the root's id from the record's.
fn root_of(kind: RecordKind) -> Option<(usize, Option<(&'static str, &'static str)>)> {
    Some(match kind {
        RecordKind::Individual => (0, None),
        RecordKind::SpecificNeed => (0, Some(("specific_needs", "individual_id"))),
        RecordKind::Document => (0, Some(("documents", "individual_id"))),
        RecordKind::RegistrationGroup => (1, None),
        RecordKind::GroupMembership => (1, Some(("group_memberships", "group_id"))),
        RecordKind::Case => (2, None),
        RecordKind::CaseMember => (2, Some(("case_members", "case_id"))),
        RecordKind::Appointment => (2, Some(("appointments", "case_id"))),
        RecordKind::ProtectionCase => (3, None),
        // Biometrics need central; the rest is not an office's field work.
        RecordKind::BiometricEnrolment
        | RecordKind::BiometricReview
        | RecordKind::IndividualLink
        | RecordKind::PreRegistration
        | RecordKind::ImportReview => return None,
        // Assistance stays on central: a household receives once per cycle across every
        // site of the unit, which only central's unique key guarantees. Resettlement cases,
        // consents and referrals are worked by central teams, and a referral crosses units
        // under an agreement central checks (see the README's field nodes).
        RecordKind::AssistanceProgramme
        | RecordKind::EligibilityAssessment
        | RecordKind::DistributionList
        | RecordKind::Entitlement
        | RecordKind::Distribution
        | RecordKind::Consent
        | RecordKind::Referral
        | RecordKind::ResettlementCase => return None,
    })
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    j: String,
}

/// `:u`/`:o` in a scope become placeholders bound in order.
fn bound(template: &str, unit: &str, office: &str) -> (String, Vec<Bind>) {
    let mut out = String::new();
    let mut binds = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(':') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        if let Some(t) = tail.strip_prefix('u') {
            binds.push(Bind::Text(unit.to_string()));
            out.push_str("{}");
            rest = t;
        } else if let Some(t) = tail.strip_prefix('o') {
            binds.push(Bind::Text(office.to_string()));
            out.push_str("{}");
            rest = t;
        } else {
            out.push(':');
            rest = tail;
        }
    }
    out.push_str(rest);
    (out, binds)
}

/// The expression that reads a row of `t` as one JSON object.
fn row_json(conn: &mut DbConn, table: &str) -> Result<String> {
    match conn {
        DbConn::Pg(_) => Ok("row_to_json(t)::text".into()),
        DbConn::Sqlite(_) => {
            let cols = columns(conn, table)?;
            let pairs: Vec<String> = cols
                .iter()
                .map(|c| format!("'{}', t.\"{}\"", c.name, c.name))
                .collect();
            Ok(format!("json_object({})", pairs.join(", ")))
        }
    }
}

/// A column of a SQLite table.
#[derive(QueryableByName, Debug, Clone)]
pub struct Column {
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Integer)]
    pub pk: i32,
}

fn columns(conn: &mut DbConn, table: &str) -> Result<Vec<Column>> {
    check_table(table)?;
    let sql = format!("SELECT name, type AS kind, pk FROM pragma_table_info('{table}')");
    let cols: Vec<Column> = match conn {
        DbConn::Sqlite(c) => diesel::sql_query(sql).load(c)?,
        DbConn::Pg(_) => return Err(Error::internal("column lists are read on SQLite only")),
    };
    if cols.is_empty() {
        return Err(Error::internal(format!("no table {table} on this node")));
    }
    Ok(cols)
}

/// Table names come from the constants above or from central's chunk: only those are accepted.
fn check_table(table: &str) -> Result<()> {
    let known = ROOTS
        .iter()
        .flat_map(|r| std::iter::once(r.table).chain(r.dependents().map(|c| c.0)))
        .chain(REFERENCE.iter().map(|r| r.0))
        .any(|t| t == table);
    if known {
        Ok(())
    } else {
        Err(Error::validation(
            "table",
            format!("{table:?} is not a table a node holds"),
        ))
    }
}

fn select_rows(
    conn: &mut DbConn,
    table: &str,
    where_sql: &str,
    binds: &[Bind],
    tail: &str,
) -> Result<Vec<serde_json::Value>> {
    let expr = row_json(conn, table)?;
    let sql = format!("SELECT {expr} AS j FROM {table} t WHERE {where_sql} {tail}");
    let rows: Vec<JsonRow> = dialect::load(conn, &sql, binds)?;
    rows.into_iter()
        .map(|r| {
            let mut v: serde_json::Value = serde_json::from_str(&r.j)
                .map_err(|e| Error::internal(format!("row of {table} unreadable: {e}")))?;
            for (t, col) in NEVER_SENT {
                if t == table
                    && let Some(o) = v.as_object_mut()
                {
                    o.insert(col.to_string(), serde_json::Value::Null);
                }
            }
            Ok(v)
        })
        .collect()
}

/// One row as it travels.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// Its table.
    pub t: String,
    /// Its columns.
    pub r: serde_json::Value,
}

/// Rows on the wire by runs of one table and one set of columns: the column names once per
/// run, each row its values in that order. As objects, every row repeated its sixty-odd column
/// names, and even compressed those were a large part of an increment over a 2G link.
mod columnar {
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Row;

    #[derive(Serialize, Deserialize)]
    struct Run {
        t: String,
        c: Vec<String>,
        r: Vec<Vec<serde_json::Value>>,
    }

    pub fn serialize<S: Serializer>(rows: &[Row], s: S) -> Result<S::Ok, S::Error> {
        let mut runs: Vec<Run> = Vec::new();
        for row in rows {
            let Some(obj) = row.r.as_object() else {
                return Err(S::Error::custom(format!(
                    "a row of {} is not an object",
                    row.t
                )));
            };
            let continues = runs.last().is_some_and(|run| {
                run.t == row.t
                    && run.c.len() == obj.len()
                    && run.c.iter().all(|c| obj.contains_key(c))
            });
            if !continues {
                runs.push(Run {
                    t: row.t.clone(),
                    c: obj.keys().cloned().collect(),
                    r: Vec::new(),
                });
            }
            if let Some(run) = runs.last_mut() {
                let values = run.c.iter().map(|c| obj[c].clone()).collect();
                run.r.push(values);
            }
        }
        runs.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Row>, D::Error> {
        let mut rows = Vec::new();
        for run in Vec::<Run>::deserialize(d)? {
            for values in run.r {
                if values.len() != run.c.len() {
                    return Err(D::Error::custom(format!(
                        "a row of {} has {} values for {} columns",
                        run.t,
                        values.len(),
                        run.c.len()
                    )));
                }
                let obj: serde_json::Map<String, serde_json::Value> =
                    run.c.iter().cloned().zip(values).collect();
                rows.push(Row {
                    t: run.t.clone(),
                    r: serde_json::Value::Object(obj),
                });
            }
        }
        Ok(rows)
    }
}

/// A root no longer in the office's scope (or gone): the node removes it and its children.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Removal {
    pub t: String,
    pub id: String,
}

/// Where a node stands in its pull.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Cursor {
    /// The last feed position applied; [`FIRST_COPY`] before the first copy was made.
    pub feed: i64,
    /// A first copy under way: the root table's index, the last root id copied, and the feed
    /// position the copy started at (where the feed resumes once it is done).
    pub snapshot: Option<(usize, String, i64)>,
    /// The digest of the reference tables the node holds.
    pub reference: String,
    /// Roots the node asks for whole, with all their history: ones an increment sent with
    /// only their recent history that the node did not hold (they entered its scope).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub want: Vec<(usize, String)>,
}

/// How long before its change feed entry a transaction may have written a record's history:
/// an increment sends a root's history from this long before the earliest entry that touched
/// it. A request is stopped at 60 s and an import batch runs under a minute; five minutes
/// leaves room for the clocks of several servers. A longer margin resent the history of
/// everyone registered within it (an hour sent a day's edits twice over a 2G link).
const HISTORY_MARGIN_MINUTES: i64 = 5;

/// The feed cursor of a node that has not made its first copy yet.
pub const FIRST_COPY: i64 = -1;

/// One chunk of a pull, applied by the node in one transaction with `next`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Chunk {
    /// Reference tables, whole, when they changed: (table, rows).
    pub reference: Option<Vec<(String, Vec<serde_json::Value>)>>,
    #[serde(with = "columnar")]
    pub rows: Vec<Row>,
    pub removals: Vec<Removal>,
    pub next: Cursor,
    /// Nothing more to send now.
    pub done: bool,
    /// How far the pull has come (0-100), for a progress bar.
    pub percent: u8,
    /// Roots sent with only their recent history (an increment): a node that does not hold
    /// one of them asks for it whole ([`Cursor::want`]) before it applies this chunk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial: Vec<(usize, String)>,
}

/// Roots read per chunk of a first copy, and feed entries per chunk of an increment.
pub const ROOTS_PER_CHUNK: i64 = 200;
pub const ENTRIES_PER_CHUNK: i64 = 500;

/// The next chunk of an office's pull after `cursor` (on central).
pub fn pull(conn: &mut DbConn, unit: &str, office: &str, cursor: &Cursor) -> Result<Chunk> {
    dialect::in_snapshot(conn, |conn| {
        let mut chunk = Chunk::default();
        let (reference, digest) = reference(conn, unit, office)?;
        let snapshot = match &cursor.snapshot {
            Some(s) => Some(s.clone()),
            None if cursor.feed < 0 => Some((0, String::new(), feed::head(conn, unit)?)),
            None => None,
        };
        let hidden = hidden_groups(&reference, office);
        if digest != cursor.reference {
            chunk.reference = Some(reference);
        }
        chunk.next = Cursor {
            feed: cursor.feed,
            snapshot: None,
            reference: digest,
            want: Vec::new(),
        };
        if !cursor.want.is_empty() {
            // Only the roots asked for, whole; the cursor stays where it was.
            chunk.next.snapshot = cursor.snapshot.clone();
            for (root, id) in &cursor.want {
                let Some(r) = ROOTS.get(*root) else { continue };
                let rows = root_row(conn, r, unit, office, id)?;
                with_children(conn, r, rows, &mut chunk.rows, &Touch::Whole)?;
            }
            redact(&mut chunk.rows, &hidden);
            return Ok(chunk);
        }
        if let Some((mut root, after, head)) = snapshot {
            let r = &ROOTS[root.min(ROOTS.len() - 1)];
            let (scope, mut binds) = bound(r.scope, unit, office);
            binds.push(Bind::Text(after));
            let rows = select_rows(
                conn,
                r.table,
                &format!("{scope} AND t.id > {{}}"),
                &binds,
                &format!("ORDER BY t.id LIMIT {ROOTS_PER_CHUNK}"),
            )?;
            let last = rows
                .last()
                .and_then(|v| v.get("id"))
                .and_then(|v| v.as_str())
                .map(str::to_string);
            let full = rows.len() as i64 == ROOTS_PER_CHUNK;
            with_children(conn, r, rows, &mut chunk.rows, &Touch::Whole)?;
            chunk.next.snapshot = match (full, last) {
                (true, Some(last)) => Some((root, last, head)),
                _ => {
                    root += 1;
                    (root < ROOTS.len()).then(|| (root, String::new(), head))
                }
            };
            if chunk.next.snapshot.is_none() {
                chunk.next.feed = head;
            }
            chunk.percent = ((root * 100) / ROOTS.len()).min(99) as u8;
            redact(&mut chunk.rows, &hidden);
            return Ok(chunk);
        }
        let entries = feed::read_after(conn, unit, cursor.feed, ENTRIES_PER_CHUNK)?;
        let head = feed::head(conn, unit)?;
        let mut touched: BTreeMap<(usize, String), Touch> = BTreeMap::new();
        for e in &entries {
            chunk.next.feed = e.position;
            let Some((root, via)) = root_of(e.kind) else {
                continue;
            };
            let id = match via {
                None => Some(e.record_id.clone()),
                Some((table, column)) => {
                    let sql = format!("SELECT {column} AS j FROM {table} WHERE id = {{}}");
                    let found: Vec<JsonRow> =
                        dialect::load(conn, &sql, &[Bind::Text(e.record_id.clone())])?;
                    found.into_iter().next().map(|r| r.j)
                }
            };
            if let Some(id) = id {
                touched
                    .entry((root, id))
                    .or_insert_with(|| Touch::Since {
                        at: e.at,
                        kinds: Vec::new(),
                    })
                    .add(e.kind, e.at);
            }
        }
        for ((root, id), touch) in touched {
            let r = &ROOTS[root];
            let rows = root_row(conn, r, unit, office, &id)?;
            if rows.is_empty() {
                chunk.removals.push(Removal {
                    t: r.table.to_string(),
                    id,
                });
            } else {
                with_children(conn, r, rows, &mut chunk.rows, &touch)?;
                chunk.partial.push((root, id));
            }
        }
        redact(&mut chunk.rows, &hidden);
        chunk.done = chunk.next.feed >= head;
        chunk.percent = if head == 0 {
            100
        } else {
            ((chunk.next.feed.max(0) * 100) / head).clamp(0, 100) as u8
        };
        Ok(chunk)
    })
}

/// A root's row if it is in the office's scope (none otherwise).
fn root_row(
    conn: &mut DbConn,
    r: &Root,
    unit: &str,
    office: &str,
    id: &str,
) -> Result<Vec<serde_json::Value>> {
    let (scope, mut binds) = bound(r.scope, unit, office);
    binds.push(Bind::Text(id.to_string()));
    select_rows(
        conn,
        r.table,
        &format!("{scope} AND t.id = {{}}"),
        &binds,
        "",
    )
}

/// What of a root an increment's entries changed: the kinds of record written and the
/// earliest time; or the whole root (a first copy, a root asked for).
#[derive(Debug, Clone)]
enum Touch {
    Whole,
    Since {
        at: NaiveDateTime,
        kinds: Vec<RecordKind>,
    },
}

impl Touch {
    fn add(&mut self, kind: RecordKind, at: NaiveDateTime) {
        if let Touch::Since { at: first, kinds } = self {
            *first = (*first).min(at);
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }

    /// Whether a child table travels: the ones written with the root's own row always (its
    /// row is sent and replaces them), the ones with records of their own only when one of
    /// those changed.
    fn sends(&self, table: &str) -> bool {
        let Touch::Since { kinds, .. } = self else {
            return true;
        };
        match child_kind(table) {
            Some(kind) => kinds.contains(&kind),
            None => true,
        }
    }

    /// The condition on a root's history rows: all of it, or what was written from a margin
    /// before the earliest entry (by its time, or by its UUIDv7 id's time for rows whose time
    /// is the act's rather than the write's).
    fn history(&self) -> Option<(String, Vec<Bind>)> {
        let Touch::Since { at, .. } = self else {
            return None;
        };
        let from = *at - chrono::Duration::minutes(HISTORY_MARGIN_MINUTES);
        let ms = u64::try_from(from.and_utc().timestamp_millis()).unwrap_or(0);
        let floor = uuid::Builder::from_unix_timestamp_millis(ms, &[0; 10])
            .into_uuid()
            .to_string();
        Some((
            "(t.at >= {} OR t.id >= {})".into(),
            vec![Bind::Time(from), Bind::Text(floor)],
        ))
    }
}

/// The record kind whose own feed entries change a child table, for the tables that have one.
fn child_kind(table: &str) -> Option<RecordKind> {
    Some(match table {
        "specific_needs" => RecordKind::SpecificNeed,
        "documents" => RecordKind::Document,
        "group_memberships" => RecordKind::GroupMembership,
        "case_members" => RecordKind::CaseMember,
        "appointments" => RecordKind::Appointment,
        _ => return None,
    })
}

fn with_children(
    conn: &mut DbConn,
    root: &Root,
    rows: Vec<serde_json::Value>,
    out: &mut Vec<Row>,
    touch: &Touch,
) -> Result<()> {
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
        .collect();
    out.extend(rows.into_iter().map(|r| Row {
        t: root.table.to_string(),
        r,
    }));
    if ids.is_empty() {
        return Ok(());
    }
    for (table, column) in root.children {
        if !touch.sends(table) {
            continue;
        }
        let since = if (*table, *column) == HISTORY {
            touch.history()
        } else {
            None
        };
        for part in ids.chunks(200) {
            let marks = vec!["{}"; part.len()].join(", ");
            let mut binds: Vec<Bind> = part.iter().map(|i| Bind::Text(i.clone())).collect();
            let mut condition = format!("t.{column} IN ({marks})");
            if let Some((sql, more)) = &since {
                condition.push_str(&format!(" AND {sql}"));
                binds.extend(more.iter().cloned());
            }
            let rows = select_rows(conn, table, &condition, &binds, "")?;
            out.extend(rows.into_iter().map(|r| Row {
                t: table.to_string(),
                r,
            }));
        }
    }
    Ok(())
}

type Reference = Vec<(String, Vec<serde_json::Value>)>;

/// The sensitive field groups none of the office's own users may read: they never travel to
/// the node (a person's ethnicity and religion, needs of those groups, a case's claim summary).
/// Unit-wide users (no office) reach the node too, but the office's roles decide.
fn hidden_groups(reference: &Reference, office: &str) -> Vec<FieldGroup> {
    let mut seen: BTreeSet<&'static str> = BTreeSet::new();
    let users = reference.iter().find(|(t, _)| t == "users");
    for u in users.map(|(_, rows)| rows.as_slice()).unwrap_or_default() {
        let roles = u.get("roles").and_then(|r| r.as_str()).unwrap_or_default();
        let disabled = matches!(u.get("disabled"), Some(serde_json::Value::Bool(true)))
            || u.get("disabled").and_then(|d| d.as_i64()) == Some(1);
        if disabled || u.get("office_id").and_then(|o| o.as_str()) != Some(office) {
            continue;
        }
        if let Ok(roles) = parse_roles(roles) {
            let grants = Grants::new(roles);
            for g in FieldGroup::ALL {
                if grants.sees(g) {
                    seen.insert(g.as_str());
                }
            }
        }
    }
    FieldGroup::ALL
        .into_iter()
        .filter(|g| !seen.contains(g.as_str()))
        .collect()
}

/// Takes out of rows what the hidden field groups protect.
fn redact(rows: &mut Vec<Row>, hidden: &[FieldGroup]) {
    if hidden.is_empty() {
        return;
    }
    let hides = |g: FieldGroup| hidden.contains(&g);
    rows.retain(|row| {
        row.t != "specific_needs"
            || !row
                .r
                .get("code")
                .and_then(|c| c.as_str())
                .and_then(need_group)
                .is_some_and(hides)
    });
    for row in rows.iter_mut() {
        let Some(o) = row.r.as_object_mut() else {
            continue;
        };
        let mut clear = |col: &str| {
            if o.contains_key(col) {
                o.insert(col.to_string(), serde_json::Value::Null);
            }
        };
        match row.t.as_str() {
            "individuals" => {
                if hides(FieldGroup::Ethnicity) {
                    clear("ethnicity");
                }
                if hides(FieldGroup::Religion) {
                    clear("religion");
                }
            }
            "cases" if hides(FieldGroup::ClaimNarrative) => clear("claim_summary"),
            _ => {}
        }
    }
}

fn reference(conn: &mut DbConn, unit: &str, office: &str) -> Result<(Reference, String)> {
    let mut out = Vec::new();
    let mut h = Sha256::new();
    for (table, scope) in REFERENCE {
        let (sql, binds) = bound(scope, unit, office);
        let rows = select_rows(conn, table, &sql, &binds, "ORDER BY t.id")?;
        h.update(table.as_bytes());
        for r in &rows {
            h.update(r.get("id").map(|v| v.to_string()).unwrap_or_default());
            h.update(r.get("version").map(|v| v.to_string()).unwrap_or_default());
            h.update(r.get("status").map(|v| v.to_string()).unwrap_or_default());
        }
        out.push((table.to_string(), rows));
    }
    Ok((out, hex::encode(h.finalize())))
}

// ---------------------------------------------------------------------------------------------
// On the node: applying chunks, the cursor, the outbox
// ---------------------------------------------------------------------------------------------

/// The node's own settings (one row).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = node_state)]
pub struct NodeState {
    pub node_id: String,
    pub central_url: String,
    pub token: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub office_code: String,
    pub feed_cursor: i64,
    pub snapshot_table: Option<String>,
    pub snapshot_after: Option<String>,
    pub snapshot_head: Option<i64>,
    pub last_contact_at: Option<NaiveDateTime>,
    pub offline_since: Option<NaiveDateTime>,
}

const STATE_ID: &str = "node";

impl NodeState {
    /// The pull cursor this state holds (the reference digest is kept beside it).
    pub fn cursor(&self, reference: String) -> Cursor {
        let snapshot = match (
            &self.snapshot_table,
            &self.snapshot_after,
            self.snapshot_head,
        ) {
            (Some(t), Some(a), Some(h)) => ROOTS
                .iter()
                .position(|r| r.table == t)
                .map(|i| (i, a.clone(), h)),
            _ => None,
        };
        Cursor {
            feed: self.feed_cursor,
            snapshot,
            reference,
            want: Vec::new(),
        }
    }
}

/// The node's settings, if this database is a node's.
pub fn node_state(conn: &mut DbConn) -> Result<Option<NodeState>> {
    Ok(node_state::table
        .find(STATE_ID)
        .select(NodeState::as_select())
        .first(conn)
        .optional()?)
}

/// Makes this database a node's: its settings, and the node-only adjustments (history rows of
/// records that leave the office's scope may be removed here; central keeps them).
pub fn init_node(conn: &mut DbConn, s: &NodeState) -> Result<()> {
    conn.batch_execute("DROP TRIGGER IF EXISTS events_no_delete;")?;
    diesel::insert_into(node_state::table)
        .values((
            node_state::id.eq(STATE_ID),
            node_state::node_id.eq(&s.node_id),
            node_state::central_url.eq(&s.central_url),
            node_state::token.eq(&s.token),
            node_state::operation_unit_id.eq(&s.operation_unit_id),
            node_state::office_id.eq(&s.office_id),
            node_state::office_code.eq(&s.office_code),
            node_state::feed_cursor.eq(FIRST_COPY),
            node_state::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The digest of the reference tables the node holds.
pub fn reference_digest(conn: &mut DbConn) -> Result<String> {
    Ok(node_state::table
        .find(STATE_ID)
        .select(node_state::reference_digest)
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

/// The roots of `partial` this node does not hold (on the node): they came with only their
/// recent history, and are asked for whole.
pub fn missing_roots(
    conn: &mut DbConn,
    partial: &[(usize, String)],
) -> Result<Vec<(usize, String)>> {
    let mut out = Vec::new();
    for (root, id) in partial {
        let Some(r) = ROOTS.get(*root) else {
            return Err(Error::validation(
                "chunk",
                format!("root {root} is not a root"),
            ));
        };
        let sql = format!("SELECT id AS j FROM {} WHERE id = {{}}", r.table);
        let found: Vec<JsonRow> = dialect::load(conn, &sql, &[Bind::Text(id.clone())])?;
        if found.is_empty() {
            out.push((*root, id.clone()));
        }
    }
    Ok(out)
}

/// Applies one chunk and its cursor in one transaction (the caller's).
pub fn apply(conn: &mut DbConn, chunk: &Chunk) -> Result<()> {
    let mut cache: BTreeMap<String, Vec<Column>> = BTreeMap::new();
    if let Some(reference) = &chunk.reference {
        for (table, rows) in reference {
            check_table(table)?;
            let keep: Vec<String> = rows
                .iter()
                .filter_map(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_string))
                .collect();
            for r in rows {
                upsert(conn, &mut cache, table, r)?;
            }
            // Rows no longer in the office's reach leave the node (the digest row stays).
            let sql = if keep.is_empty() {
                format!("DELETE FROM {table}")
            } else {
                format!(
                    "DELETE FROM {table} WHERE id NOT IN ({})",
                    vec!["?"; keep.len()].join(", ")
                )
            };
            exec(conn, &sql, &keep)?;
        }
    }
    rows_of(conn, &mut cache, chunk)?;
    for removal in &chunk.removals {
        remove(conn, removal)?;
    }
    let (table, after, head) = match &chunk.next.snapshot {
        Some((i, after, head)) => (
            ROOTS.get(*i).map(|r| r.table.to_string()),
            Some(after.clone()),
            Some(*head),
        ),
        None => (None, None, None),
    };
    diesel::update(node_state::table.find(STATE_ID))
        .set((
            node_state::feed_cursor.eq(chunk.next.feed),
            node_state::snapshot_table.eq(table),
            node_state::snapshot_after.eq(after),
            node_state::snapshot_head.eq(head),
            node_state::last_contact_at.eq(Some(now())),
            node_state::offline_since.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    if chunk.reference.is_some() {
        diesel::update(node_state::table.find(STATE_ID))
            .set(node_state::reference_digest.eq(&chunk.next.reference))
            .execute(conn)?;
    }
    Ok(())
}

/// A person's search keys on the node, from the names in the row central sent (the same keys
/// registration writes: `NAME_FIELDS` are the parts it indexes).
fn index_names(conn: &mut DbConn, row: &serde_json::Value) -> Result<()> {
    let text = |k: &str| row.get(k).and_then(|v| v.as_str());
    let (Some(id), Some(unit)) = (text("id"), text("operation_unit_id")) else {
        return Err(Error::validation(
            "chunk",
            "a row of individuals has no id or unit",
        ));
    };
    let parts: Vec<&str> = NAME_FIELDS.iter().filter_map(|f| text(f)).collect();
    super::registry::index_names(conn, unit, id, &parts)
}

/// Applies only a chunk's rows (on the node): the roots asked for whole, applied in the same
/// transaction as the chunk that named them.
pub fn apply_rows(conn: &mut DbConn, chunk: &Chunk) -> Result<()> {
    rows_of(conn, &mut BTreeMap::new(), chunk)
}

fn rows_of(
    conn: &mut DbConn,
    cache: &mut BTreeMap<String, Vec<Column>>,
    chunk: &Chunk,
) -> Result<()> {
    for row in &chunk.rows {
        check_table(&row.t)?;
        upsert(conn, cache, &row.t, &row.r)?;
        if row.t == "individuals" {
            index_names(conn, &row.r)?;
            // Central rewrites a person's languages whole (new rows, new ids): the ones that
            // follow this row are all of them, and the node's older ones would linger.
            if let Some(id) = row.r.get("id").and_then(|v| v.as_str()) {
                exec(
                    conn,
                    "DELETE FROM individual_languages WHERE individual_id = ?",
                    &[id.to_string()],
                )?;
            }
        }
    }
    Ok(())
}

/// Tables whose rows never change once written.
const APPEND_ONLY: [&str; 1] = ["events"];

/// Runs a statement on the node's SQLite with text parameters bound in order (`?`).
fn exec(conn: &mut DbConn, sql: &str, binds: &[String]) -> Result<usize> {
    match conn {
        DbConn::Sqlite(c) => {
            let mut q = diesel::sql_query(sql).into_boxed::<diesel::sqlite::Sqlite>();
            for b in binds {
                q = q.bind::<Text, _>(b.clone());
            }
            Ok(q.execute(c)?)
        }
        DbConn::Pg(_) => Err(Error::internal("node statements run on a node's SQLite")),
    }
}

fn upsert(
    conn: &mut DbConn,
    cache: &mut BTreeMap<String, Vec<Column>>,
    table: &str,
    row: &serde_json::Value,
) -> Result<()> {
    if !cache.contains_key(table) {
        let cols = columns(conn, table)?;
        cache.insert(table.to_string(), cols);
    }
    let cols = &cache[table];
    let obj = row
        .as_object()
        .ok_or_else(|| Error::validation("chunk", format!("a row of {table} is not an object")))?;
    let present: Vec<&Column> = cols.iter().filter(|c| obj.contains_key(&c.name)).collect();
    let names: Vec<String> = present.iter().map(|c| format!("\"{}\"", c.name)).collect();
    let values: Vec<String> = present
        .iter()
        .map(|c| {
            let e = format!("json_extract(?1, '$.\"{}\"')", c.name);
            if c.kind.eq_ignore_ascii_case("TIMESTAMP") {
                format!("replace({e}, 'T', ' ')")
            } else {
                e
            }
        })
        .collect();
    let keys: Vec<String> = cols
        .iter()
        .filter(|c| c.pk > 0)
        .map(|c| format!("\"{}\"", c.name))
        .collect();
    let kept: Vec<&str> = NEVER_SENT
        .iter()
        .filter(|(t, _)| *t == table)
        .map(|(_, c)| *c)
        .collect();
    let sets: Vec<String> = present
        .iter()
        .filter(|c| c.pk == 0 && !kept.contains(&c.name.as_str()))
        .map(|c| format!("\"{0}\" = excluded.\"{0}\"", c.name))
        .collect();
    // History is append-only: an event the node holds already (made here, or pulled before)
    // is the same event.
    let action = if sets.is_empty() || APPEND_ONLY.contains(&table) {
        "DO NOTHING".to_string()
    } else {
        format!("DO UPDATE SET {}", sets.join(", "))
    };
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) {action}",
        names.join(", "),
        values.join(", "),
        keys.join(", ")
    );
    let text = row.to_string();
    match conn {
        DbConn::Sqlite(c) => {
            diesel::sql_query(sql)
                .bind::<Text, _>(text)
                .execute(c)
                .map_err(|e| Error::internal(format!("cannot apply a row of {table}: {e}")))?;
        }
        DbConn::Pg(_) => return Err(Error::internal("chunks are applied on a node's SQLite")),
    }
    Ok(())
}

/// Removes a root and the rows that travel with it.
fn remove(conn: &mut DbConn, removal: &Removal) -> Result<()> {
    let root = ROOTS
        .iter()
        .find(|r| r.table == removal.t)
        .ok_or_else(|| Error::validation("chunk", format!("{:?} is not a root", removal.t)))?;
    for (table, column) in root.dependents() {
        exec(
            conn,
            &format!("DELETE FROM {table} WHERE {column} = ?"),
            std::slice::from_ref(&removal.id),
        )?;
    }
    exec(
        conn,
        &format!("DELETE FROM {} WHERE id = ?", root.table),
        std::slice::from_ref(&removal.id),
    )?;
    Ok(())
}

/// Forgets a node's verifier of a user's password (central no longer accepts it).
pub fn forget_password(conn: &mut DbConn, user_id: &str) -> Result<()> {
    use super::schema::users;
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(None::<String>))
        .execute(conn)?;
    Ok(())
}

/// Wipes a revoked node's personal data (and its credential): every table of the office's
/// working set, the sessions, the outbox.
pub fn wipe(conn: &mut DbConn) -> Result<()> {
    let mut tables: Vec<&str> = Vec::new();
    for r in &ROOTS {
        tables.extend(r.dependents().map(|c| c.0));
        tables.push(r.table);
    }
    tables.extend([
        "sync_conflicts",
        "node_outbox",
        "sessions",
        "client_mutations",
    ]);
    let mut sql = String::from("PRAGMA foreign_keys = OFF;");
    let mut seen = BTreeSet::new();
    for t in tables {
        if seen.insert(t) {
            sql.push_str(&format!("DELETE FROM {t};"));
        }
    }
    sql.push_str("UPDATE users SET password_hash = NULL;");
    sql.push_str("UPDATE node_state SET token = '';");
    conn.batch_execute(&sql)?;
    Ok(())
}

/// One mutation waiting for central.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = node_outbox)]
pub struct OutboxEntry {
    pub seq: i64,
    pub user_id: String,
    pub client_mutation_id: String,
    pub mutation: String,
    /// The GraphQL request as JSON (query, variables, operationName).
    pub request: String,
    pub at_ms: i64,
    /// The provisional numbers the mutation gave, in order (JSON list).
    pub provisional: String,
}

/// Records a node's mutation in its outbox, in the mutation's transaction.
pub fn enqueue(
    conn: &mut DbConn,
    origin: &Origin,
    mutation: &str,
    request: &str,
    trail: &Trail,
) -> Result<()> {
    let provisional: Vec<&str> = trail.numbers.iter().map(|(n, _)| n.as_str()).collect();
    diesel::insert_into(node_outbox::table)
        .values((
            node_outbox::user_id.eq(&origin.user_id),
            node_outbox::client_mutation_id.eq(&origin.client_mutation_id),
            node_outbox::mutation.eq(mutation),
            node_outbox::request.eq(request),
            node_outbox::at_ms.eq(origin.at_ms),
            node_outbox::provisional.eq(serde_json::Value::from(provisional).to_string()),
            node_outbox::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The oldest entries of the outbox, in order.
pub fn outbox(conn: &mut DbConn, limit: i64) -> Result<Vec<OutboxEntry>> {
    Ok(node_outbox::table
        .order(node_outbox::seq.asc())
        .limit(limit)
        .select(OutboxEntry::as_select())
        .load(conn)?)
}

/// How many entries wait.
pub fn outbox_len(conn: &mut DbConn) -> Result<i64> {
    Ok(node_outbox::table.count().get_result(conn)?)
}

/// Removes entries central acknowledged (applied, or kept as a conflict).
pub fn acknowledge(conn: &mut DbConn, seqs: &[i64]) -> Result<()> {
    diesel::delete(node_outbox::table.filter(node_outbox::seq.eq_any(seqs))).execute(conn)?;
    Ok(())
}

/// Notes that central did not answer.
pub fn note_offline(conn: &mut DbConn) -> Result<()> {
    diesel::update(
        node_state::table
            .find(STATE_ID)
            .filter(node_state::offline_since.is_null()),
    )
    .set(node_state::offline_since.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// On central: nodes and conflicts
// ---------------------------------------------------------------------------------------------

/// A node as central knows it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = field_nodes)]
pub struct FieldNode {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub name: String,
    pub enrol_expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub enrolled_at: Option<NaiveDateTime>,
    pub last_contact_at: Option<NaiveDateTime>,
    pub feed_cursor: i64,
    pub backlog: i32,
    pub revoked_at: Option<NaiveDateTime>,
    pub wiped_at: Option<NaiveDateTime>,
    pub version: i32,
}

/// Registers a node for an office; the enrolment code (shown once) is stored as its digest.
pub fn register_node(
    conn: &mut DbConn,
    unit_id: &str,
    office_id: &str,
    name: &str,
    created_by: Option<&str>,
    code_hash: &str,
    expires_at: NaiveDateTime,
) -> Result<FieldNode> {
    let id = super::new_id();
    diesel::insert_into(field_nodes::table)
        .values((
            field_nodes::id.eq(&id),
            field_nodes::operation_unit_id.eq(unit_id),
            field_nodes::office_id.eq(office_id),
            field_nodes::name.eq(name),
            field_nodes::enrol_code_hash.eq(Some(code_hash)),
            field_nodes::enrol_expires_at.eq(expires_at),
            field_nodes::created_by.eq(created_by),
            field_nodes::created_at.eq(now()),
            field_nodes::feed_cursor.eq(0i64),
            field_nodes::backlog.eq(0),
            field_nodes::version.eq(1),
        ))
        .execute(conn)?;
    node_by_id(conn, &id)?.ok_or_else(|| Error::internal("node vanished after insert"))
}

pub fn node_by_id(conn: &mut DbConn, id: &str) -> Result<Option<FieldNode>> {
    Ok(field_nodes::table
        .find(id)
        .select(FieldNode::as_select())
        .first(conn)
        .optional()?)
}

/// The unit's nodes, newest first.
pub fn nodes_of(conn: &mut DbConn, unit_id: &str) -> Result<Vec<FieldNode>> {
    Ok(field_nodes::table
        .filter(field_nodes::operation_unit_id.eq(unit_id))
        .order(field_nodes::created_at.desc())
        .select(FieldNode::as_select())
        .load(conn)?)
}

/// Exchanges an enrolment code for the node's credential (its digest stored): works once,
/// before the code expires, for a node not revoked.
pub fn enrol(conn: &mut DbConn, code_hash: &str, token_hash: &str) -> Result<FieldNode> {
    let node: Option<FieldNode> = field_nodes::table
        .filter(field_nodes::enrol_code_hash.eq(code_hash))
        .select(FieldNode::as_select())
        .first(conn)
        .optional()?;
    let refused = || {
        Error::unauthenticated(
            "this enrolment code is not valid (used, expired or mistyped); ask your unit admin for a new one",
        )
    };
    let node = node.ok_or_else(refused)?;
    if node.revoked_at.is_some() || node.enrol_expires_at < now() {
        return Err(refused());
    }
    diesel::update(field_nodes::table.find(&node.id))
        .set((
            field_nodes::enrol_code_hash.eq(None::<String>),
            field_nodes::token_hash.eq(Some(token_hash)),
            field_nodes::enrolled_at.eq(Some(now())),
            field_nodes::last_contact_at.eq(Some(now())),
            field_nodes::version.eq(node.version + 1),
        ))
        .execute(conn)?;
    node_by_id(conn, &node.id)?.ok_or_else(refused)
}

/// The node a credential belongs to (revoked ones included: the caller tells them to wipe).
pub fn node_by_token(conn: &mut DbConn, token_hash: &str) -> Result<Option<FieldNode>> {
    Ok(field_nodes::table
        .filter(field_nodes::token_hash.eq(token_hash))
        .select(FieldNode::as_select())
        .first(conn)
        .optional()?)
}

/// Notes a node's contact: its cursor, its backlog.
pub fn note_contact(
    conn: &mut DbConn,
    node_id: &str,
    cursor: Option<i64>,
    backlog: Option<i32>,
) -> Result<()> {
    let t = now();
    diesel::update(field_nodes::table.find(node_id))
        .set(field_nodes::last_contact_at.eq(Some(t)))
        .execute(conn)?;
    if let Some(c) = cursor {
        diesel::update(field_nodes::table.find(node_id))
            .set(field_nodes::feed_cursor.eq(c))
            .execute(conn)?;
    }
    if let Some(b) = backlog {
        diesel::update(field_nodes::table.find(node_id))
            .set(field_nodes::backlog.eq(b))
            .execute(conn)?;
    }
    Ok(())
}

/// Notes that a revoked node was told to wipe itself.
pub fn note_wiped(conn: &mut DbConn, node_id: &str) -> Result<()> {
    diesel::update(
        field_nodes::table
            .find(node_id)
            .filter(field_nodes::wiped_at.is_null()),
    )
    .set(field_nodes::wiped_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}

/// Revokes a node of the unit: it can no longer sync and wipes itself on its next contact.
pub fn revoke(
    conn: &mut DbConn,
    unit_id: &str,
    node_id: &str,
    version: i32,
    by: &str,
) -> Result<FieldNode> {
    let node = node_by_id(conn, node_id)?
        .filter(|n| n.operation_unit_id == unit_id)
        .ok_or_else(|| Error::not_found("no such node in your unit"))?;
    if node.revoked_at.is_none() {
        if node.version != version {
            return Err(Error::conflict(
                "the node changed since you read it (it was enrolled or revoked); read it again",
            ));
        }
        diesel::update(field_nodes::table.find(node_id))
            .set((
                field_nodes::revoked_at.eq(Some(now())),
                field_nodes::revoked_by.eq(Some(by)),
                field_nodes::enrol_code_hash.eq(None::<String>),
                field_nodes::version.eq(node.version + 1),
            ))
            .execute(conn)?;
    }
    node_by_id(conn, node_id)?.ok_or_else(|| Error::not_found("no such node"))
}

/// Every operation unit (for the operator's commands).
pub fn units(conn: &mut DbConn) -> Result<Vec<super::users::Unit>> {
    use super::schema::operation_units;
    Ok(operation_units::table
        .order(operation_units::code.asc())
        .select(super::users::Unit::as_select())
        .load(conn)?)
}

/// Revokes a node by the operator's command.
pub fn revoke_by_operator(conn: &mut DbConn, node_id: &str) -> Result<FieldNode> {
    let node = node_by_id(conn, node_id)?.ok_or_else(|| Error::not_found("node"))?;
    if node.revoked_at.is_none() {
        diesel::update(field_nodes::table.find(node_id))
            .set((
                field_nodes::revoked_at.eq(Some(now())),
                field_nodes::enrol_code_hash.eq(None::<String>),
                field_nodes::version.eq(node.version + 1),
            ))
            .execute(conn)?;
    }
    node_by_id(conn, node_id)?.ok_or_else(|| Error::not_found("node"))
}

/// A sync conflict.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = sync_conflicts)]
pub struct Conflict {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub node_id: String,
    pub user_id: String,
    pub client_mutation_id: String,
    pub mutation: String,
    pub request: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub theirs: Option<String>,
    pub error_code: String,
    pub error_message: String,
    pub status: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolution: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    /// Central's reason with its parameters, as JSON `{"reason": ..., "params": ...}`.
    pub error_reason: Option<String>,
    /// The input field the refusal was about.
    pub error_field: Option<String>,
}

/// What a conflict is about when it is recorded.
pub struct NewConflict<'a> {
    pub node: &'a FieldNode,
    pub entry: &'a OutboxEntry,
    pub error_code: &'a str,
    pub error_message: &'a str,
    /// The refusal's reason and parameters (`{"reason": ..., "params": ...}`), when it has one.
    pub error_reason: Option<String>,
    pub error_field: Option<String>,
}

/// Records a conflict (once per node, user and clientMutationId) with the record as central
/// holds it now.
pub fn record_conflict(conn: &mut DbConn, c: NewConflict<'_>) -> Result<String> {
    let existing: Option<String> = sync_conflicts::table
        .filter(sync_conflicts::node_id.eq(&c.node.id))
        .filter(sync_conflicts::user_id.eq(&c.entry.user_id))
        .filter(sync_conflicts::client_mutation_id.eq(&c.entry.client_mutation_id))
        .select(sync_conflicts::id)
        .first(conn)
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let target = target_of(&c.entry.request);
    let theirs = match &target {
        Some(id) => current_row(conn, &c.node.operation_unit_id, id)?,
        None => None,
    };
    let id = super::new_id();
    diesel::insert_into(sync_conflicts::table)
        .values((
            sync_conflicts::id.eq(&id),
            sync_conflicts::operation_unit_id.eq(&c.node.operation_unit_id),
            sync_conflicts::office_id.eq(&c.node.office_id),
            sync_conflicts::node_id.eq(&c.node.id),
            sync_conflicts::user_id.eq(&c.entry.user_id),
            sync_conflicts::client_mutation_id.eq(&c.entry.client_mutation_id),
            sync_conflicts::mutation.eq(&c.entry.mutation),
            sync_conflicts::request.eq(&c.entry.request),
            sync_conflicts::record_type.eq(theirs.as_ref().map(|t| t.0)),
            sync_conflicts::record_id.eq(target.as_deref()),
            sync_conflicts::theirs.eq(theirs.map(|t| t.1.to_string())),
            sync_conflicts::error_code.eq(c.error_code),
            sync_conflicts::error_message.eq(c.error_message),
            sync_conflicts::error_reason.eq(c.error_reason),
            sync_conflicts::error_field.eq(c.error_field),
            sync_conflicts::status.eq("OPEN"),
            sync_conflicts::version.eq(1),
            sync_conflicts::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The name of the variable holding a mutation's input in a request's variables: `input` when
/// there is one, else the object carrying a clientMutationId.
pub fn input_variable(variables: &serde_json::Value) -> Option<String> {
    let vars = variables.as_object()?;
    if vars.get("input").is_some_and(|v| v.is_object()) {
        return Some("input".into());
    }
    vars.iter()
        .find(|(_, v)| v.get("clientMutationId").is_some())
        .or_else(|| vars.iter().find(|(_, v)| v.is_object()))
        .map(|(k, _)| k.clone())
}

/// A mutation's input in a stored request (JSON: query, variables).
pub fn input_of(request: &str) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(request).ok()?;
    let vars = v.get("variables")?;
    vars.get(input_variable(vars)?).cloned()
}

/// The record a mutation names: the first `id`-like field of its input.
pub fn target_of(request: &str) -> Option<String> {
    let input = input_of(request)?;
    ["id", "individualId", "caseId", "groupId"]
        .iter()
        .find_map(|k| input.get(*k).and_then(|x| x.as_str()).map(str::to_string))
}

/// A record of the unit as central holds it now, by id, from the office's root tables.
pub fn current_row(
    conn: &mut DbConn,
    unit_id: &str,
    id: &str,
) -> Result<Option<(&'static str, serde_json::Value)>> {
    for root in &ROOTS {
        let rows = select_rows(
            conn,
            root.table,
            "t.operation_unit_id = {} AND t.id = {}",
            &[Bind::Text(unit_id.into()), Bind::Text(id.into())],
            "",
        )?;
        if let Some(r) = rows.into_iter().next() {
            return Ok(Some((root.table, r)));
        }
    }
    Ok(None)
}

/// Conflicts of the unit (of one office when given), open ones first, newest first.
pub fn conflicts(
    conn: &mut DbConn,
    unit_id: &str,
    office_id: Option<&str>,
    open_only: bool,
) -> Result<Vec<Conflict>> {
    let mut q = sync_conflicts::table
        .filter(sync_conflicts::operation_unit_id.eq(unit_id))
        .into_boxed();
    if let Some(o) = office_id {
        q = q.filter(sync_conflicts::office_id.eq(o.to_string()));
    }
    if open_only {
        q = q.filter(sync_conflicts::status.eq("OPEN"));
    }
    Ok(q.order(sync_conflicts::created_at.desc())
        .limit(200)
        .select(Conflict::as_select())
        .load(conn)?)
}

pub fn conflict_by_id(conn: &mut DbConn, unit_id: &str, id: &str) -> Result<Option<Conflict>> {
    Ok(sync_conflicts::table
        .find(id)
        .filter(sync_conflicts::operation_unit_id.eq(unit_id))
        .select(Conflict::as_select())
        .first(conn)
        .optional()?)
}

/// Closes a conflict with the resolution chosen, checking the version read.
pub fn close_conflict(
    conn: &mut DbConn,
    unit_id: &str,
    id: &str,
    version: i32,
    status: &str,
    by: &str,
    resolution: &str,
) -> Result<Conflict> {
    let n = diesel::update(
        sync_conflicts::table
            .find(id)
            .filter(sync_conflicts::operation_unit_id.eq(unit_id))
            .filter(sync_conflicts::version.eq(version))
            .filter(sync_conflicts::status.eq("OPEN")),
    )
    .set((
        sync_conflicts::status.eq(status),
        sync_conflicts::resolved_by.eq(Some(by)),
        sync_conflicts::resolved_at.eq(Some(now())),
        sync_conflicts::resolution.eq(Some(resolution)),
        sync_conflicts::version.eq(version + 1),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(Error::conflict(
            "this conflict was resolved or changed since you read it; reload it",
        ));
    }
    conflict_by_id(conn, unit_id, id)?.ok_or_else(|| Error::not_found("no such conflict"))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Whether any field node was ever registered for the unit.
pub fn unit_has_nodes(conn: &mut DbConn, unit_id: &str) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        field_nodes::table.filter(field_nodes::operation_unit_id.eq(unit_id)),
    ))
    .get_result(conn)?)
}

/// Open conflicts of an office (what a node's status line counts).
pub fn open_conflicts(conn: &mut DbConn, office_id: &str) -> Result<i64> {
    let rows: Vec<Count> = dialect::load(
        conn,
        "SELECT COUNT(*) AS n FROM sync_conflicts WHERE office_id = {} AND status = 'OPEN'",
        &[Bind::Text(office_id.into())],
    )?;
    Ok(rows.first().map(|c| c.n).unwrap_or(0))
}

// ---------------------------------------------------------------------------------------------
// A node's own audit log, on its way to central
// ---------------------------------------------------------------------------------------------

/// One event of a node's own audit log (reads and writes made on the node), as it goes up to
/// central with its place in the node's chain.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize, PartialEq)]
#[diesel(table_name = super::schema::audit_events)]
pub struct NodeAuditEvent {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub request_id: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// The records an event of several names (a read of a page), as a JSON array; a node of an
    /// earlier version sends none.
    #[serde(default)]
    pub record_ids: Option<String>,
}

/// On a node: the next events of its audit log that central has not taken yet, oldest first.
pub fn node_audit_pending(conn: &mut DbConn, limit: i64) -> Result<Vec<NodeAuditEvent>> {
    use super::schema::audit_events;
    let after: i64 = node_state::table
        .find(STATE_ID)
        .select(node_state::audit_cursor)
        .first(conn)
        .optional()?
        .unwrap_or(0);
    Ok(audit_events::table
        .filter(audit_events::seq.gt(after))
        .order(audit_events::seq.asc())
        .limit(limit)
        .select(NodeAuditEvent::as_select())
        .load(conn)?)
}

/// On a node: central took its audit events up to `seq`.
pub fn node_audit_taken(conn: &mut DbConn, seq: i64) -> Result<()> {
    diesel::update(node_state::table.find(STATE_ID))
        .set(node_state::audit_cursor.eq(seq))
        .execute(conn)?;
    Ok(())
}

/// On central: appends a node's audit events to central's own chain, each attributed to the
/// node (`node-<id>-audit-<seq>`) and to the user who acted there, with the node's hash in its
/// detail, once the events are shown to follow on from what the node sent before. Events sent
/// again are skipped. Returns the last event taken.
pub fn take_node_audit(
    conn: &mut DbConn,
    node: &FieldNode,
    events: &[NodeAuditEvent],
) -> Result<i64> {
    use super::audit::{self, Actor, Entry, Outcome};
    let (mut last_seq, mut last_hash): (i64, String) = field_nodes::table
        .find(&node.id)
        .select((field_nodes::audit_seq, field_nodes::audit_hash))
        .first(conn)?;
    let mut taken: Vec<(Actor, Vec<Entry>)> = Vec::new();
    let already = last_seq;
    for e in events.iter().filter(|e| e.seq > already) {
        let follows = if last_seq == 0 {
            e.seq == 1
        } else {
            e.seq == last_seq + 1 && e.prev_hash == last_hash
        };
        if !follows {
            return Err(Error::validation(
                "audit",
                format!(
                    "the node's audit log does not follow on from event {last_seq}: event {} does not chain to it",
                    e.seq
                ),
            ));
        }
        let outcome = match e.outcome.as_str() {
            "ok" => Outcome::Ok,
            "denied" => Outcome::Denied,
            _ => Outcome::Failed,
        };
        let detail = serde_json::json!({
            "node": node.id,
            "seq": e.seq,
            "at": e.at.and_utc().to_rfc3339(),
            "action": e.action,
            "recordType": e.record_type,
            "requestId": e.request_id,
            "detail": e.detail,
            "prevHash": e.prev_hash,
            "hash": e.hash,
            "recordIds": e.record_ids,
        });
        let actor = Actor {
            user_id: e.user_id.clone(),
            username: e.username.clone(),
            unit_id: Some(node.operation_unit_id.clone()),
            request_id: Some(format!("node-{}-audit-{}", node.id, e.seq)),
        };
        // An event naming several records stays one event naming them all at central: its
        // entries, alike but for the record, are appended as one (see audit::append_batch).
        let records: Vec<Option<String>> = match &e.record_ids {
            Some(list) => serde_json::from_str::<Vec<String>>(list)
                .map_err(|_| {
                    Error::validation(
                        "audit",
                        format!("the node's audit event {} names no readable records", e.seq),
                    )
                })?
                .into_iter()
                .map(Some)
                .collect(),
            None => vec![e.record_id.clone()],
        };
        let detail = detail.to_string();
        taken.push((
            actor,
            records
                .into_iter()
                .map(|record_id| Entry {
                    action: "node_event",
                    record_type: None,
                    record_id,
                    outcome,
                    detail: Some(detail.clone()),
                })
                .collect(),
        ));
        last_seq = e.seq;
        last_hash = e.hash.clone();
    }
    if taken.is_empty() {
        return Ok(last_seq);
    }
    let batch: Vec<(&Actor, &[Entry])> = taken.iter().map(|(a, e)| (a, e.as_slice())).collect();
    audit::append_batch(conn, &batch)?;
    diesel::update(field_nodes::table.find(&node.id))
        .set((
            field_nodes::audit_seq.eq(last_seq),
            field_nodes::audit_hash.eq(&last_hash),
        ))
        .execute(conn)?;
    Ok(last_seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_travel_in_runs_and_come_back_as_they_were() {
        let row = |t: &str, r: serde_json::Value| Row { t: t.into(), r };
        let rows = vec![
            row(
                "individuals",
                serde_json::json!({ "id": "a", "given_names": "Ana", "sex": null }),
            ),
            row(
                "individuals",
                serde_json::json!({ "id": "b", "given_names": "Luz", "sex": "F" }),
            ),
            // Another column set (a redacted row) starts a run of its own.
            row(
                "individuals",
                serde_json::json!({ "id": "c", "given_names": "Eva" }),
            ),
            row(
                "documents",
                serde_json::json!({ "id": "d", "individual_id": "a" }),
            ),
            row(
                "individuals",
                serde_json::json!({ "id": "e", "given_names": "Rosa", "sex": "F" }),
            ),
        ];
        let chunk = Chunk {
            rows: rows.clone(),
            ..Chunk::default()
        };
        let wire = serde_json::to_value(&chunk).expect("serialise");
        let runs = wire["rows"].as_array().expect("runs");
        assert_eq!(runs.len(), 4, "{wire}");
        assert_eq!(runs[0]["r"].as_array().map(Vec::len), Some(2));
        let back: Chunk = serde_json::from_value(wire).expect("deserialise");
        let pairs: Vec<(String, serde_json::Value)> =
            back.rows.into_iter().map(|r| (r.t, r.r)).collect();
        let want: Vec<(String, serde_json::Value)> = rows.into_iter().map(|r| (r.t, r.r)).collect();
        assert_eq!(pairs, want);
        // A run whose rows do not match its columns is refused, not guessed.
        let bad = serde_json::json!({ "reference": null, "rows": [{ "t": "individuals", "c": ["id", "sex"], "r": [["a"]] }],
            "removals": [], "next": { "feed": 0, "snapshot": null, "reference": "" }, "done": true, "percent": 100 });
        assert!(serde_json::from_value::<Chunk>(bad).is_err());
    }

    #[test]
    fn scopes_bind_unit_and_office_in_order() {
        let (sql, binds) = bound("t.a = :u AND (t.b = :o OR t.c = :u)", "U", "O");
        assert_eq!(sql, "t.a = {} AND (t.b = {} OR t.c = {})");
        let texts: Vec<String> = binds
            .into_iter()
            .map(|b| match b {
                Bind::Text(t) => t,
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(texts, ["U", "O", "U"]);
    }

    #[test]
    fn repeatable_ids_repeat_and_differ_by_mutation() {
        let origin = |cmid: &str| Origin {
            user_id: "u".into(),
            client_mutation_id: cmid.into(),
            at_ms: 1_765_000_000_000,
            numbers: Numbers::Provisional {
                office_code: "LAG".into(),
            },
        };
        let take = |cmid: &str| {
            let g = begin(origin(cmid));
            let ids = [repeatable_id(), repeatable_id()];
            let n = number("DPIN", 'I', 123, "DPIN-I-0000123".into());
            let trail = g.finish();
            (ids, n, trail.numbers.len())
        };
        let (a, n, issued) = take("m1");
        let (b, _, _) = take("m1");
        let (c, _, _) = take("m2");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a[0], a[1]);
        assert_eq!(n, "DPIN-LAG-PI-000123");
        assert_eq!(issued, 1);
        assert!(
            repeatable_id().is_none(),
            "nothing repeatable outside a write"
        );
        let id = a[0].clone().unwrap_or_default();
        assert_eq!(
            uuid::Uuid::parse_str(&id).map(|u| u.get_version_num()).ok(),
            Some(7)
        );
    }

    #[test]
    fn replay_gives_final_numbers_and_remembers_the_provisional_ones() {
        let g = begin(Origin {
            user_id: "u".into(),
            client_mutation_id: "m".into(),
            at_ms: 1,
            numbers: Numbers::Final {
                provisional: VecDeque::from(["DPIN-LAG-P-000001".to_string()]),
            },
        });
        let n = number("DPIN", 'I', 9, "DPIN-I-0000009".into());
        let trail = g.finish();
        assert_eq!(n, "DPIN-I-0000009");
        assert_eq!(
            trail.numbers,
            vec![(
                "DPIN-I-0000009".to_string(),
                Some("DPIN-LAG-P-000001".to_string())
            )]
        );
    }

    #[test]
    fn only_a_nodes_tables_are_accepted_from_a_chunk() {
        assert!(check_table("individuals").is_ok());
        assert!(check_table("users").is_ok());
        assert!(check_table("audit_events").is_err());
        assert!(check_table("individuals; DROP TABLE x").is_err());
    }
}
