//! Statistics counters and the follower of the change feed that keeps them.
//!
//! Writers of personal and case data never touch the counters: they write the unit's change
//! feed (`feed.rs`), and [`catch_up`] reads it after the unit's cursor, works out which people
//! and cases changed, computes what each now contributes (`domain::stats`) and applies the
//! difference with what it contributed before (kept in `stat_contributions`). Because a record's
//! contribution is recomputed from its current state, applying an entry twice, or an entry
//! whose record has changed again since, leaves the counters exact: the follower may start from
//! a copy of the tables ([`rebuild`]) and replay entries that copy already saw.
//!
//! One follower per unit runs at a time (the cursor row is locked on PostgreSQL; SQLite has one
//! writer), so registrations never wait on a counter row. Queries read the counters, never the
//! people: the population cube is small (cells, not persons) and procedure figures are counts
//! by measure, office, month and modality.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::{Deserialize, Serialize};

mod crossings;

use super::db::DbConn;
use super::dialect::{self, Bind};
use super::feed;
use super::schema::{
    appointments, case_members, cases, group_memberships, individuals, specific_needs,
    stat_contributions, stat_cursors,
};
use crate::domain::feed::RecordKind;
use crate::domain::rsd::CaseState;
use crate::domain::stats::{Fact, Measure, PersonCell, PersonFacts, case_facts};
use crate::error::{Error, Result};
use crossings::Crossing;

/// What one record contributes to the counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Contribution {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cells: Vec<PersonCell>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    facts: Vec<Fact>,
}

/// Entries applied per transaction while catching up.
const PAGE: i64 = 1000;

/// Brings the unit's counters up to the feed's head. Returns the position reached. Runs in its
/// own transactions, one per page of the feed.
pub fn catch_up(db: &super::Database, unit_id: &str) -> Result<i64> {
    loop {
        let unit = unit_id.to_string();
        let (position, more) = db.write_blocking(move |c| step(c, &unit))?;
        if !more {
            return Ok(position);
        }
    }
}

/// Brings every unit's counters up to its feed.
pub fn follow_all(db: &super::Database) -> Result<()> {
    use super::schema::operation_units;
    let units: Vec<String> = {
        let mut c = db.conn()?;
        operation_units::table
            .select(operation_units::id)
            .load(&mut *c)?
    };
    for u in units {
        catch_up(db, &u)?;
    }
    Ok(())
}

/// One page of the feed; `true` when there may be more.
fn step(conn: &mut DbConn, unit_id: &str) -> Result<(i64, bool)> {
    let Some(after) = lock_cursor(conn, unit_id)? else {
        let head = rebuild(conn, unit_id)?;
        return Ok((head, true));
    };
    let entries = feed::read_after(conn, unit_id, after, PAGE)?;
    let Some(last) = entries.last().map(|e| e.position) else {
        return Ok((after, false));
    };
    let mut people: HashSet<String> = HashSet::new();
    let mut groups: HashSet<String> = HashSet::new();
    let mut memberships: HashSet<String> = HashSet::new();
    let mut needs: HashSet<String> = HashSet::new();
    let mut case_ids: HashSet<String> = HashSet::new();
    let mut case_member_ids: HashSet<String> = HashSet::new();
    let mut appointment_ids: HashSet<String> = HashSet::new();
    for e in entries {
        match e.kind {
            RecordKind::Individual => people.insert(e.record_id),
            RecordKind::RegistrationGroup => groups.insert(e.record_id),
            RecordKind::GroupMembership => memberships.insert(e.record_id),
            RecordKind::SpecificNeed => needs.insert(e.record_id),
            RecordKind::Case => case_ids.insert(e.record_id),
            RecordKind::CaseMember => case_member_ids.insert(e.record_id),
            RecordKind::Appointment => appointment_ids.insert(e.record_id),
            RecordKind::Document
            | RecordKind::BiometricEnrolment
            | RecordKind::BiometricReview
            | RecordKind::IndividualLink
            | RecordKind::PreRegistration
            | RecordKind::ProtectionCase
            | RecordKind::ImportReview
            | RecordKind::AssistanceProgramme
            | RecordKind::EligibilityAssessment
            | RecordKind::DistributionList
            | RecordKind::Entitlement
            | RecordKind::Distribution
            | RecordKind::Consent
            | RecordKind::Referral
            | RecordKind::ResettlementCase => false,
        };
    }
    for chunk in ids(&needs).chunks(500) {
        people.extend(
            specific_needs::table
                .filter(specific_needs::id.eq_any(chunk))
                .select(specific_needs::individual_id)
                .load::<String>(conn)?,
        );
    }
    for chunk in ids(&memberships).chunks(500) {
        let rows: Vec<(String, String)> = group_memberships::table
            .filter(group_memberships::id.eq_any(chunk))
            .select((
                group_memberships::group_id,
                group_memberships::individual_id,
            ))
            .load(conn)?;
        for (g, i) in rows {
            groups.insert(g);
            people.insert(i);
        }
    }
    for chunk in ids(&groups).chunks(500) {
        people.extend(
            group_memberships::table
                .filter(group_memberships::group_id.eq_any(chunk))
                .filter(group_memberships::ended_at.is_null())
                .select(group_memberships::individual_id)
                .load::<String>(conn)?,
        );
    }
    for chunk in ids(&case_member_ids).chunks(500) {
        case_ids.extend(
            case_members::table
                .filter(case_members::id.eq_any(chunk))
                .select(case_members::case_id)
                .load::<String>(conn)?,
        );
    }
    for chunk in ids(&appointment_ids).chunks(500) {
        case_ids.extend(
            appointments::table
                .filter(appointments::id.eq_any(chunk))
                .select(appointments::case_id)
                .load::<String>(conn)?,
        );
    }
    let mut fresh: HashMap<String, Contribution> = HashMap::new();
    for chunk in ids(&people).chunks(500) {
        let facts = person_facts(conn, unit_id, Some(chunk))?;
        for id in chunk {
            let c = facts.get(id).map(person_contribution).unwrap_or_default();
            fresh.insert(id.clone(), c);
        }
    }
    for chunk in ids(&case_ids).chunks(500) {
        let states = case_contributions(conn, unit_id, Some(chunk))?;
        for id in chunk {
            fresh.insert(id.clone(), states.get(id).cloned().unwrap_or_default());
        }
    }
    apply(conn, unit_id, fresh, Crossings::Add)?;
    set_cursor(conn, unit_id, last)?;
    Ok((last, true))
}

fn ids(set: &HashSet<String>) -> Vec<String> {
    let mut v: Vec<String> = set.iter().cloned().collect();
    v.sort();
    v
}

/// The follower's position, its row locked until the transaction ends; `None` when the unit has
/// no counters yet.
fn lock_cursor(conn: &mut DbConn, unit_id: &str) -> Result<Option<i64>> {
    let q = stat_cursors::table
        .find(unit_id)
        .select(stat_cursors::position);
    Ok(match conn {
        DbConn::Pg(c) => q.for_update().first(c).optional()?,
        DbConn::Sqlite(c) => q.first(c).optional()?,
    })
}

fn set_cursor(conn: &mut DbConn, unit_id: &str, position: i64) -> Result<()> {
    dialect::execute(
        conn,
        "INSERT INTO stat_cursors (operation_unit_id, position) VALUES ({}, {}) \
         ON CONFLICT (operation_unit_id) DO UPDATE SET position = excluded.position",
        &[Bind::Text(unit_id.into()), Bind::BigInt(position)],
    )?;
    Ok(())
}

/// Builds the unit's counters from its tables, as a first follower does, and places the cursor
/// at the feed's head read before the tables were: entries after it are applied again later,
/// which is harmless (see the module's note). Returns that head.
pub fn rebuild(conn: &mut DbConn, unit_id: &str) -> Result<i64> {
    let head = feed::head(conn, unit_id)?;
    if let DbConn::Pg(c) = conn {
        // Two first followers of one unit take turns here; the second finds the cursor set.
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<Text, _>(unit_id)
            .execute(c)?;
    }
    if lock_cursor(conn, unit_id)?.is_some() {
        return Ok(head);
    }
    let mut fresh: HashMap<String, Contribution> = HashMap::new();
    for (id, f) in person_facts(conn, unit_id, None)? {
        fresh.insert(id, person_contribution(&f));
    }
    fresh.extend(case_contributions(conn, unit_id, None)?);
    apply(conn, unit_id, fresh, Crossings::DeriveAfter)?;
    crossings::derive(conn, unit_id)?;
    set_cursor(conn, unit_id, head)?;
    Ok(head)
}

fn person_contribution(f: &PersonFacts) -> Contribution {
    Contribution {
        cells: f.cells(),
        facts: vec![f.work()],
    }
}

type PersonRow = (
    String,
    String,
    String,
    Option<String>,
    Option<NaiveDate>,
    NaiveDate,
    String,
);

/// The facts of the unit's people named (all of them with `None`).
fn person_facts(
    conn: &mut DbConn,
    unit_id: &str,
    only: Option<&[String]>,
) -> Result<HashMap<String, PersonFacts>> {
    let mut q = individuals::table
        .filter(individuals::operation_unit_id.eq(unit_id))
        .select((
            individuals::id,
            individuals::office_id,
            individuals::nationalities,
            individuals::sex,
            individuals::date_of_birth,
            individuals::registration_date,
            individuals::registered_by,
        ))
        .into_boxed();
    if let Some(ids) = only {
        q = q.filter(individuals::id.eq_any(ids.to_vec()));
    }
    let rows: Vec<PersonRow> = q.load(conn)?;
    let mut mq = group_memberships::table
        .filter(group_memberships::operation_unit_id.eq(unit_id))
        .filter(group_memberships::ended_at.is_null())
        .select((
            group_memberships::group_id,
            group_memberships::individual_id,
        ))
        .into_boxed();
    if let Some(ids) = only {
        mq = mq.filter(group_memberships::individual_id.eq_any(ids.to_vec()));
    }
    let member_of: HashMap<String, String> = mq
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(g, i)| (i, g))
        .collect();
    let mut group_ids: Vec<String> = member_of.values().cloned().collect();
    group_ids.sort();
    group_ids.dedup();
    let mut sizes: HashMap<String, i32> = HashMap::new();
    let count_members = |conn: &mut DbConn, gs: Option<&[String]>| -> Result<Vec<String>> {
        let mut q = group_memberships::table
            .filter(group_memberships::operation_unit_id.eq(unit_id))
            .filter(group_memberships::ended_at.is_null())
            .select(group_memberships::group_id)
            .into_boxed();
        if let Some(gs) = gs {
            q = q.filter(group_memberships::group_id.eq_any(gs.to_vec()));
        }
        Ok(q.load::<String>(conn)?)
    };
    let members = match only {
        None => count_members(conn, None)?,
        Some(_) => {
            let mut all = Vec::new();
            for chunk in group_ids.chunks(500) {
                all.extend(count_members(conn, Some(chunk))?);
            }
            all
        }
    };
    for g in members {
        *sizes.entry(g).or_insert(0) += 1;
    }
    let mut nq = specific_needs::table
        .filter(specific_needs::operation_unit_id.eq(unit_id))
        .filter(specific_needs::status.ne("resolved"))
        .select((specific_needs::individual_id, specific_needs::code))
        .into_boxed();
    if let Some(ids) = only {
        nq = nq.filter(specific_needs::individual_id.eq_any(ids.to_vec()));
    }
    let mut needs: HashMap<String, Vec<String>> = HashMap::new();
    for (i, code) in nq.load::<(String, String)>(conn)? {
        needs.entry(i).or_default().push(code);
    }
    Ok(rows
        .into_iter()
        .map(|(id, office, nats, sex, dob, reg, by)| {
            let group_size = member_of
                .get(&id)
                .and_then(|g| sizes.get(g))
                .copied()
                .unwrap_or(1);
            let facts = PersonFacts {
                office_id: office,
                nationalities: nats.split_whitespace().map(str::to_string).collect(),
                sex,
                date_of_birth: dob,
                registration_date: reg,
                registered_by: by,
                group_size,
                open_need_categories: needs.remove(&id).unwrap_or_default(),
            };
            (id, facts)
        })
        .collect())
}

/// The contributions of the unit's RSD cases named (all of them with `None`).
fn case_contributions(
    conn: &mut DbConn,
    unit_id: &str,
    only: Option<&[String]>,
) -> Result<HashMap<String, Contribution>> {
    let mut q = cases::table
        .filter(cases::operation_unit_id.eq(unit_id))
        .filter(cases::procedure.eq("rsd"))
        .select((cases::id, cases::office_id, cases::workflow))
        .into_boxed();
    if let Some(ids) = only {
        q = q.filter(cases::id.eq_any(ids.to_vec()));
    }
    let rows: Vec<(String, String, Option<String>)> = q.load(conn)?;
    let mut out = HashMap::new();
    for (id, office, workflow) in rows {
        let Some(raw) = workflow else { continue };
        let state: CaseState = serde_json::from_str(&raw)
            .map_err(|e| Error::internal(format!("case {id}: unreadable state: {e}")))?;
        out.insert(
            id,
            Contribution {
                cells: Vec::new(),
                facts: case_facts(&state, &office),
            },
        );
    }
    Ok(out)
}

/// Whether [`apply`] adds its differences to the crossings too, or leaves them to be derived
/// from the fine cube afterwards (a first build).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Crossings {
    Add,
    DeriveAfter,
}

/// Replaces what each record contributed with its fresh contribution.
fn apply(
    conn: &mut DbConn,
    unit_id: &str,
    fresh: HashMap<String, Contribution>,
    crossings: Crossings,
) -> Result<()> {
    let mut ids: Vec<String> = fresh.keys().cloned().collect();
    ids.sort();
    let mut old: HashMap<String, Contribution> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = stat_contributions::table
            .filter(stat_contributions::record_id.eq_any(chunk))
            .select((stat_contributions::record_id, stat_contributions::cells))
            .load(conn)?;
        for (id, raw) in rows {
            let c: Contribution = serde_json::from_str(&raw)
                .map_err(|e| Error::internal(format!("statistics contribution {id}: {e}")))?;
            old.insert(id, c);
        }
    }
    let mut cells: BTreeMap<PersonCell, i64> = BTreeMap::new();
    let mut facts: BTreeMap<Fact, i64> = BTreeMap::new();
    let mut changed: Vec<(String, &'static str, Option<String>)> = Vec::new();
    for id in &ids {
        let new = &fresh[id];
        let before = old.remove(id);
        if before.as_ref() == Some(new) || (before.is_none() && *new == Contribution::default()) {
            continue;
        }
        if let Some(b) = &before {
            for c in &b.cells {
                *cells.entry(c.clone()).or_default() -= 1;
            }
            for f in &b.facts {
                *facts.entry(f.clone()).or_default() -= 1;
            }
        }
        for c in &new.cells {
            *cells.entry(c.clone()).or_default() += 1;
        }
        for f in &new.facts {
            *facts.entry(f.clone()).or_default() += 1;
        }
        let kind = if new.cells.is_empty() && before.as_ref().is_none_or(|b| b.cells.is_empty()) {
            "case"
        } else {
            "individual"
        };
        let json = (*new != Contribution::default())
            .then(|| serde_json::to_string(new))
            .transpose()
            .map_err(|e| Error::internal(format!("statistics contribution: {e}")))?;
        changed.push((id.clone(), kind, json));
    }
    if crossings == Crossings::Add {
        crossings::add(conn, unit_id, crossings::differences(&cells))?;
    }
    // Many rows to a statement: a first build writes a row per person and per counter cell,
    // and with one statement each a first build of 1,000,000 people ran over seven minutes.
    let population: Vec<Vec<Bind>> = cells
        .into_iter()
        .filter(|(_, d)| *d != 0)
        .map(|(cell, delta)| {
            vec![
                Bind::Text(unit_id.into()),
                Bind::Text(cell.office_id),
                Bind::Text(cell.nationality),
                Bind::Text(cell.sex),
                Bind::Text(cell.birth_month),
                Bind::Text(cell.registration_month),
                Bind::BigInt(i64::from(cell.group_size)),
                Bind::Text(cell.need),
                Bind::BigInt(delta),
            ]
        })
        .collect();
    in_batches(
        conn,
        "INSERT INTO stat_population (operation_unit_id, office_id, nationality, sex, \
         birth_month, registration_month, group_size, need, people) VALUES ",
        "({}, {}, {}, {}, {}, {}, CAST({} AS INTEGER), {}, {})",
        " ON CONFLICT (operation_unit_id, need, office_id, registration_month, nationality, \
         sex, birth_month, group_size) DO UPDATE SET people = stat_population.people + \
         excluded.people",
        population,
    )?;
    let mut totals: BTreeMap<Fact, i64> = BTreeMap::new();
    for (fact, delta) in &facts {
        *totals.entry(fact.total()).or_default() += delta;
    }
    let totals: Vec<Vec<Bind>> = totals
        .into_iter()
        .filter(|(_, d)| *d != 0)
        .map(|(fact, delta)| fact_row(unit_id, fact, false, delta))
        .collect();
    in_batches(
        conn,
        "INSERT INTO stat_fact_totals (operation_unit_id, measure, office_id, month, modality, \
         value, n) VALUES ",
        "({}, {}, {}, {}, {}, {}, {})",
        " ON CONFLICT (operation_unit_id, measure, office_id, month, modality, value) \
         DO UPDATE SET n = stat_fact_totals.n + excluded.n",
        totals,
    )?;
    let counted: Vec<Vec<Bind>> = facts
        .into_iter()
        .filter(|(_, d)| *d != 0)
        .map(|(fact, delta)| fact_row(unit_id, fact, true, delta))
        .collect();
    in_batches(
        conn,
        "INSERT INTO stat_facts (operation_unit_id, measure, office_id, month, modality, \
         value, actor, n) VALUES ",
        "({}, {}, {}, {}, {}, {}, {}, {})",
        " ON CONFLICT (operation_unit_id, measure, office_id, month, modality, value, actor) \
         DO UPDATE SET n = stat_facts.n + excluded.n",
        counted,
    )?;
    let mut kept: Vec<Vec<Bind>> = Vec::new();
    let mut gone: Vec<String> = Vec::new();
    for (id, kind, json) in changed {
        match json {
            Some(json) => kept.push(vec![
                Bind::Text(id),
                Bind::Text(unit_id.into()),
                Bind::Text(kind.into()),
                Bind::Text(json),
            ]),
            None => gone.push(id),
        }
    }
    in_batches(
        conn,
        "INSERT INTO stat_contributions (record_id, operation_unit_id, record_type, cells) \
         VALUES ",
        "({}, {}, {}, {})",
        " ON CONFLICT (record_id) DO UPDATE SET cells = excluded.cells",
        kept,
    )?;
    for chunk in gone.chunks(500) {
        diesel::delete(
            stat_contributions::table.filter(stat_contributions::record_id.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// The values of a fact counter's row in column order: unit, measure, office, month, modality,
/// value, the actor where the table keeps one, and the difference.
fn fact_row(unit_id: &str, fact: Fact, with_actor: bool, delta: i64) -> Vec<Bind> {
    let mut row = vec![
        Bind::Text(unit_id.into()),
        Bind::Text(fact.measure.as_str().into()),
        Bind::Text(fact.office_id),
        Bind::Text(fact.month),
        Bind::Text(fact.modality),
        Bind::BigInt(fact.value),
    ];
    if with_actor {
        row.push(Bind::Text(fact.actor));
    }
    row.push(Bind::BigInt(delta));
    row
}

/// Most values bound to one statement: under SQLite's oldest limit (999).
const MAX_BINDS: usize = 900;

/// Writes `rows` with `head`, one `row` template per row joined by commas, then `tail`, as few
/// statements as the bind limit allows. Each row's key appears once in `rows` (a statement may
/// not upsert one row twice).
fn in_batches(
    conn: &mut DbConn,
    head: &str,
    row: &str,
    tail: &str,
    rows: Vec<Vec<Bind>>,
) -> Result<()> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for chunk in rows.chunks((MAX_BINDS / width.max(1)).max(1)) {
        let values: Vec<&str> = chunk.iter().map(|_| row).collect();
        let sql = format!("{head}{}{tail}", values.join(", "));
        let binds: Vec<Bind> = chunk.iter().flatten().cloned().collect();
        dialect::execute(conn, &sql, &binds)?;
    }
    Ok(())
}

/// A dimension people are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Nationality,
    Sex,
    AgeBracket,
    Office,
    RegistrationMonth,
    NeedCategory,
    GroupSize,
}

impl Dimension {
    /// Every dimension, in the order a crossing names its two.
    pub const ALL: [Dimension; 7] = [
        Dimension::Nationality,
        Dimension::Sex,
        Dimension::AgeBracket,
        Dimension::Office,
        Dimension::RegistrationMonth,
        Dimension::NeedCategory,
        Dimension::GroupSize,
    ];

    /// The stored value of a cell in this dimension (as [`Dimension::column`] reads it).
    fn value(self, cell: &PersonCell) -> String {
        match self {
            Dimension::Nationality => cell.nationality.clone(),
            Dimension::Sex => cell.sex.clone(),
            Dimension::AgeBracket => cell.birth_month.clone(),
            Dimension::Office => cell.office_id.clone(),
            Dimension::RegistrationMonth => cell.registration_month.clone(),
            Dimension::NeedCategory => cell.need.clone(),
            Dimension::GroupSize => cell.group_size.to_string(),
        }
    }

    fn column(self) -> &'static str {
        match self {
            Dimension::Nationality => "nationality",
            Dimension::Sex => "sex",
            Dimension::AgeBracket => "birth_month",
            Dimension::Office => "office_id",
            Dimension::RegistrationMonth => "registration_month",
            Dimension::NeedCategory => "need",
            Dimension::GroupSize => "CAST(group_size AS TEXT)",
        }
    }

    /// Where a label sorts among this dimension's: age brackets from the youngest and group
    /// sizes by size (as labels, "12-17" would come before "5-11" and "10" before "2"); other
    /// labels alphabetically, after this rank.
    fn rank(self, label: &str) -> usize {
        use crate::domain::stats::AgeBracket;
        match self {
            Dimension::AgeBracket => AgeBracket::ALL
                .iter()
                .position(|b| b.as_str() == label)
                .unwrap_or(AgeBracket::ALL.len()),
            Dimension::GroupSize => label.trim_end_matches('+').parse().unwrap_or(usize::MAX),
            _ => 0,
        }
    }

    /// The figure's label of a stored value (age brackets at `as_of`, offices by code).
    fn label(self, raw: &str, as_of: NaiveDate, offices: &HashMap<String, String>) -> String {
        use crate::domain::stats::{AgeBracket, group_size_label};
        match self {
            Dimension::Office => offices.get(raw).cloned().unwrap_or_else(|| raw.to_string()),
            Dimension::AgeBracket => AgeBracket::at(raw, as_of).as_str().to_string(),
            Dimension::GroupSize => group_size_label(raw.parse().unwrap_or(1)),
            _ => raw.to_string(),
        }
    }
}

/// Which people a population figure counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Registered up to the end of this day's month, with ages on this day.
    pub as_of: NaiveDate,
    /// Registered in this month (`YYYY-MM`) or later.
    pub from_month: Option<String>,
    pub office_id: Option<String>,
}

#[derive(QueryableByName)]
struct CellRow {
    #[diesel(sql_type = Text)]
    a: String,
    #[diesel(sql_type = Text)]
    b: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// People counted by one or two dimensions: (row value, column value or empty, count), sorted.
/// Counting by need category counts a person once under each category they have open.
pub fn population(
    conn: &mut DbConn,
    unit_id: &str,
    filter: &Filter,
    rows: Dimension,
    columns: Option<Dimension>,
) -> Result<Vec<(String, String, i64)>> {
    let offices = office_codes(conn, unit_id)?;
    let found = if crossings_answer(conn, unit_id, filter)? {
        by_crossing(conn, unit_id, filter, rows, columns)?
    } else if columns.is_none() {
        by_registration_months(conn, unit_id, filter, rows)?
    } else {
        by_cells(conn, unit_id, filter, rows, columns)?
    };
    let mut out: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in found {
        let a = rows.label(&r.a, filter.as_of, &offices);
        let b = columns.map_or(String::new(), |c| c.label(&r.b, filter.as_of, &offices));
        *out.entry((a, b)).or_default() += r.n;
    }
    let mut out: Vec<(String, String, i64)> =
        out.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    out.sort_by_key(|(a, b, _)| {
        let b_rank = columns.map(|c| c.rank(b));
        (rows.rank(a), a.clone(), b_rank, b.clone())
    });
    Ok(out)
}

/// Whether the crossings answer a question about `filter`'s people: they count everyone
/// registered so far.
fn crossings_answer(conn: &mut DbConn, unit_id: &str, filter: &Filter) -> Result<bool> {
    counts_everyone(
        conn,
        filter,
        "SELECT MAX(a) AS m FROM stat_crossings WHERE operation_unit_id = {} \
         AND crossing = {} AND office_id = '' AND people <> 0",
        &[
            Bind::Text(unit_id.into()),
            Bind::Text(Crossing::single(Dimension::RegistrationMonth).name()),
        ],
    )
}

/// Whether counters over every month so far answer `filter`: no period narrows it, and
/// nothing was counted in a month after the day asked (`latest` selects that month as `m`).
fn counts_everyone(
    conn: &mut DbConn,
    filter: &Filter,
    latest: &str,
    binds: &[Bind],
) -> Result<bool> {
    if filter.from_month.is_some() {
        return Ok(false);
    }
    #[derive(QueryableByName)]
    struct Latest {
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        m: Option<String>,
    }
    let found: Vec<Latest> = dialect::load(conn, latest, binds)?;
    let latest = found.into_iter().next().and_then(|l| l.m);
    Ok(latest.is_none_or(|m| m <= crate::domain::stats::month_of(filter.as_of)))
}

/// The fact rows [`procedure`] reads for `filter`: every month up to the day asked (the period
/// narrows them there, since the backlog counts today's cases whatever the period), from the
/// unit's totals when they answer, else from the counters by month and worker.
pub fn procedure_facts(conn: &mut DbConn, unit_id: &str, filter: &Filter) -> Result<Vec<FactRow>> {
    if !totals_answer(conn, unit_id, filter)? {
        let all = Filter {
            from_month: None,
            ..filter.clone()
        };
        return facts(conn, unit_id, &all, false);
    }
    let mut sql = String::from(
        "SELECT measure, office_id, month, modality, value, '' AS actor, n \
         FROM stat_fact_totals WHERE operation_unit_id = {} AND n <> 0",
    );
    let mut binds = vec![Bind::Text(unit_id.into())];
    if let Some(o) = &filter.office_id {
        sql.push_str(" AND office_id = {}");
        binds.push(Bind::Text(o.clone()));
    }
    dialect::load(conn, &sql, &binds)
}

/// Whether the unit's fact totals answer `filter`: they hold every month.
fn totals_answer(conn: &mut DbConn, unit_id: &str, filter: &Filter) -> Result<bool> {
    counts_everyone(
        conn,
        filter,
        "SELECT MAX(month) AS m FROM stat_fact_totals WHERE operation_unit_id = {} \
         AND month <> '' AND n <> 0",
        &[Bind::Text(unit_id.into())],
    )
}

/// One figure's cells from the crossing that answers it (stored values, not labels).
fn by_crossing(
    conn: &mut DbConn,
    unit_id: &str,
    filter: &Filter,
    rows: Dimension,
    columns: Option<Dimension>,
) -> Result<Vec<CellRow>> {
    let (crossing, swapped) = Crossing::of(rows, columns);
    let found: Vec<CellRow> = dialect::load(
        conn,
        "SELECT a, b, people AS n FROM stat_crossings WHERE operation_unit_id = {} \
         AND crossing = {} AND office_id = {} AND people <> 0",
        &[
            Bind::Text(unit_id.into()),
            Bind::Text(crossing.name()),
            Bind::Text(filter.office_id.clone().unwrap_or_default()),
        ],
    )?;
    Ok(if swapped {
        found
            .into_iter()
            .map(|r| CellRow {
                a: r.b,
                b: r.a,
                n: r.n,
            })
            .collect()
    } else {
        found
    })
}

/// One dimension for a period or an earlier day, from its crossing with the registration
/// month (the months asked summed; ages still at the day asked): a few thousand rows where the
/// fine cube has a million.
fn by_registration_months(
    conn: &mut DbConn,
    unit_id: &str,
    filter: &Filter,
    rows: Dimension,
) -> Result<Vec<CellRow>> {
    let (crossing, swapped) = Crossing::of(rows, Some(Dimension::RegistrationMonth));
    // The registration month is `b` of the crossing, or `a` when it comes first (or alone).
    let (value, month) = match (rows == Dimension::RegistrationMonth, swapped) {
        (true, _) => ("a", "a"),
        (false, false) => ("a", "b"),
        (false, true) => ("b", "a"),
    };
    let mut sql = format!(
        "SELECT {value} AS a, '' AS b, CAST(SUM(people) AS BIGINT) AS n FROM stat_crossings \
         WHERE operation_unit_id = {{}} AND crossing = {{}} AND office_id = {{}} \
         AND {month} <= {{}}"
    );
    let mut binds = vec![
        Bind::Text(unit_id.into()),
        Bind::Text(crossing.name()),
        Bind::Text(filter.office_id.clone().unwrap_or_default()),
        Bind::Text(crate::domain::stats::month_of(filter.as_of)),
    ];
    if let Some(m) = &filter.from_month {
        sql.push_str(&format!(" AND {month} >= {{}}"));
        binds.push(Bind::Text(m.clone()));
    }
    sql.push_str(&format!(" GROUP BY {value} HAVING SUM(people) <> 0"));
    dialect::load(conn, &sql, &binds)
}

/// One figure's cells summed from the fine cube, for a period or a day before the latest
/// registrations (stored values, not labels).
fn by_cells(
    conn: &mut DbConn,
    unit_id: &str,
    filter: &Filter,
    rows: Dimension,
    columns: Option<Dimension>,
) -> Result<Vec<CellRow>> {
    let needs = rows == Dimension::NeedCategory || columns == Some(Dimension::NeedCategory);
    let b = columns.map_or("''", Dimension::column);
    let mut sql = format!(
        "SELECT {} AS a, {} AS b, CAST(SUM(people) AS BIGINT) AS n FROM stat_population \
         WHERE operation_unit_id = {{}} AND need {} '' AND registration_month <= {{}}",
        rows.column(),
        b,
        if needs { "<>" } else { "=" },
    );
    let mut binds = vec![
        Bind::Text(unit_id.into()),
        Bind::Text(crate::domain::stats::month_of(filter.as_of)),
    ];
    if let Some(m) = &filter.from_month {
        sql.push_str(" AND registration_month >= {}");
        binds.push(Bind::Text(m.clone()));
    }
    if let Some(o) = &filter.office_id {
        sql.push_str(" AND office_id = {}");
        binds.push(Bind::Text(o.clone()));
    }
    let group = match columns {
        Some(c) => format!("{}, {}", rows.column(), c.column()),
        None => rows.column().to_string(),
    };
    sql.push_str(&format!(" GROUP BY {group} HAVING SUM(people) <> 0"));
    dialect::load(conn, &sql, &binds)
}

/// One row of the fact counters.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct FactRow {
    #[diesel(sql_type = Text)]
    pub measure: String,
    #[diesel(sql_type = Text)]
    pub office_id: String,
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = Text)]
    pub modality: String,
    #[diesel(sql_type = BigInt)]
    pub value: i64,
    #[diesel(sql_type = Text)]
    pub actor: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// The unit's fact counters up to `as_of`'s month, from `from_month` on, optionally in one
/// office; `by_actor` keeps the user of each step (otherwise summed over users, actor empty).
pub fn facts(
    conn: &mut DbConn,
    unit_id: &str,
    filter: &Filter,
    by_actor: bool,
) -> Result<Vec<FactRow>> {
    let actor = if by_actor { "actor" } else { "''" };
    let mut sql = format!(
        "SELECT measure, office_id, month, modality, value, {actor} AS actor, \
         CAST(SUM(n) AS BIGINT) AS n FROM stat_facts \
         WHERE operation_unit_id = {{}} AND month <= {{}}"
    );
    let mut binds = vec![
        Bind::Text(unit_id.into()),
        Bind::Text(crate::domain::stats::month_of(filter.as_of)),
    ];
    if let Some(m) = &filter.from_month {
        sql.push_str(" AND month >= {}");
        binds.push(Bind::Text(m.clone()));
    }
    if let Some(o) = &filter.office_id {
        sql.push_str(" AND office_id = {}");
        binds.push(Bind::Text(o.clone()));
    }
    if by_actor {
        sql.push_str(" AND actor <> ''");
    }
    sql.push_str(" GROUP BY measure, office_id, month, modality, value");
    if by_actor {
        sql.push_str(", actor");
    }
    sql.push_str(" HAVING SUM(n) <> 0");
    dialect::load(conn, &sql, &binds)
}

/// The unit's office codes by id.
pub fn office_codes(conn: &mut DbConn, unit_id: &str) -> Result<HashMap<String, String>> {
    use super::schema::offices;
    Ok(offices::table
        .filter(offices::operation_unit_id.eq(unit_id))
        .select((offices::id, offices::code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// The id of the unit's office with this code (VALIDATION when there is none).
pub fn office_by_code(conn: &mut DbConn, unit_id: &str, code: &str) -> Result<String> {
    office_codes(conn, unit_id)?
        .into_iter()
        .find(|(_, c)| c.eq_ignore_ascii_case(code.trim()))
        .map(|(id, _)| id)
        .ok_or_else(|| {
            Error::validation(
                "office",
                format!("no office of your unit has the code {code:?}"),
            )
        })
}

/// One count of a measure in a month and an office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    pub month: String,
    pub office: String,
    pub measure: Measure,
    pub count: i64,
}

/// Processing times of one modality: days from application to first decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingTime {
    pub modality: String,
    pub decisions: i64,
    pub median_days: Option<i64>,
    pub p90_days: Option<i64>,
}

/// Open cases by how long they have waited, and those past their modality's target.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Backlog {
    pub open: i64,
    pub awaiting_decision: i64,
    /// (label, cases) for 0-30, 31-90, 91-180, 181-365 and over 365 days since application.
    pub ages: Vec<(String, i64)>,
    /// (modality, target days, cases awaiting a first decision past it).
    pub overdue: Vec<(String, i64, i64)>,
}

/// The procedure's figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Procedure {
    /// Every non-zero count of a measure by month and office (registrations and steps included).
    pub monthly: Vec<MonthCount>,
    pub decisions: i64,
    pub recognised: i64,
    pub recognised_convention: i64,
    pub processing_times: Vec<ProcessingTime>,
    pub backlog: Backlog,
}

const AGE_EDGES: [(i64, &str); 5] = [
    (30, "0-30"),
    (90, "31-90"),
    (180, "91-180"),
    (365, "181-365"),
    (i64::MAX, "366+"),
];

/// The procedure's figures from the fact counters (read without a period: the period narrows
/// the monthly counts, decisions and processing times; the backlog is always today's cases,
/// aged at `as_of`).
pub fn procedure(
    rows: &[FactRow],
    offices: &HashMap<String, String>,
    filter: &Filter,
    targets: &crate::domain::rsd::TargetDays,
) -> Procedure {
    use crate::domain::rsd::Modality;
    use crate::domain::stats::{day_number, percentile};
    let in_period = |m: &str| filter.from_month.as_deref().is_none_or(|f| m >= f);
    let mut monthly: BTreeMap<(String, String, Measure), i64> = BTreeMap::new();
    let mut times: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    let mut p = Procedure::default();
    let today = day_number(filter.as_of);
    let mut ages = vec![0i64; AGE_EDGES.len()];
    let mut overdue: BTreeMap<String, i64> = BTreeMap::new();
    for r in rows {
        let Some(measure) = Measure::parse(&r.measure) else {
            continue;
        };
        match measure {
            Measure::Open => {
                p.backlog.open += r.n;
                let age = today - r.value;
                let i = AGE_EDGES.iter().position(|(e, _)| age <= *e).unwrap_or(0);
                ages[i] += r.n;
                continue;
            }
            Measure::AwaitingDecision => {
                p.backlog.awaiting_decision += r.n;
                if let Some(m) = Modality::parse(&r.modality)
                    && today - r.value > i64::from(targets.of(m))
                {
                    *overdue.entry(r.modality.clone()).or_default() += r.n;
                }
                continue;
            }
            _ => {}
        }
        if !in_period(&r.month) {
            continue;
        }
        if measure == Measure::DecisionDays {
            times
                .entry(r.modality.clone())
                .or_default()
                .push((r.value, r.n));
            continue;
        }
        match measure {
            Measure::RecognisedConvention => {
                p.recognised_convention += r.n;
                p.recognised += r.n;
                p.decisions += r.n;
            }
            Measure::RecognisedCartagena => {
                p.recognised += r.n;
                p.decisions += r.n;
            }
            Measure::Rejected | Measure::Excluded => p.decisions += r.n,
            _ => {}
        }
        let office = offices
            .get(&r.office_id)
            .cloned()
            .unwrap_or_else(|| r.office_id.clone());
        *monthly
            .entry((r.month.clone(), office, measure))
            .or_default() += r.n;
    }
    p.monthly = monthly
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|((month, office, measure), count)| MonthCount {
            month,
            office,
            measure,
            count,
        })
        .collect();
    p.processing_times = Modality::ALL
        .iter()
        .filter_map(|m| {
            let h = times.get(m.as_str())?;
            Some(ProcessingTime {
                modality: m.as_str().to_string(),
                decisions: h.iter().map(|(_, n)| n).sum(),
                median_days: percentile(h, 0.5),
                p90_days: percentile(h, 0.9),
            })
        })
        .collect();
    p.backlog.ages = AGE_EDGES
        .iter()
        .zip(ages)
        .map(|((_, l), n)| (l.to_string(), n))
        .collect();
    p.backlog.overdue = Modality::ALL
        .iter()
        .map(|m| {
            (
                m.as_str().to_string(),
                i64::from(targets.of(*m)),
                overdue.get(m.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    p
}

/// The public release of the unit's population on `as_of`, before disclosure control: the total,
/// margins by sex, age bracket, nationality and office, and the crossings sex by age,
/// nationality by sex and office by sex (Refugee Data Finder's demographics: origin, sex and age).
pub fn public_release(
    conn: &mut DbConn,
    unit_id: &str,
    as_of: NaiveDate,
) -> Result<crate::domain::stats::disclosure::Release> {
    use crate::domain::stats::disclosure::{Crossing, Dimension as Dim, Release};
    use crate::domain::stats::{AgeBracket, month_of};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        sex: String,
        #[diesel(sql_type = Text)]
        birth_month: String,
        #[diesel(sql_type = Text)]
        nationality: String,
        #[diesel(sql_type = Text)]
        office_id: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let offices = office_codes(conn, unit_id)?;
    let rows: Vec<Row> = dialect::load(
        conn,
        "SELECT sex, birth_month, nationality, office_id, CAST(SUM(people) AS BIGINT) AS n \
         FROM stat_population WHERE operation_unit_id = {} AND need = '' \
         AND registration_month <= {} GROUP BY sex, birth_month, nationality, office_id",
        &[Bind::Text(unit_id.into()), Bind::Text(month_of(as_of))],
    )?;
    let mut people: Vec<([String; 4], u64)> = Vec::new();
    for r in rows {
        let office = offices.get(&r.office_id).cloned().unwrap_or(r.office_id);
        let age = AgeBracket::at(&r.birth_month, as_of).as_str().to_string();
        people.push((
            [r.sex, age, r.nationality, office],
            u64::try_from(r.n).unwrap_or(0),
        ));
    }
    let names = ["sex", "age", "nationality", "office"];
    let values: Vec<Vec<String>> = (0..4)
        .map(|d| {
            if d == 1 {
                return AgeBracket::ALL
                    .iter()
                    .map(|a| a.as_str().to_string())
                    .collect();
            }
            let mut v: Vec<String> = people.iter().map(|(k, _)| k[d].clone()).collect();
            v.sort();
            v.dedup();
            v
        })
        .collect();
    let index = |d: usize, v: &str| values[d].iter().position(|x| x == v).unwrap_or(0);
    let mut margins: Vec<Vec<u64>> = values.iter().map(|v| vec![0; v.len()]).collect();
    let pairs = [
        (0usize, 1usize, "sex_by_age"),
        (2, 0, "nationality_by_sex"),
        (3, 0, "office_by_sex"),
    ];
    let mut crossings: Vec<Crossing> = pairs
        .iter()
        .map(|(r, c, name)| Crossing {
            name: name.to_string(),
            rows: *r,
            columns: *c,
            counts: vec![vec![0; values[*c].len()]; values[*r].len()],
        })
        .collect();
    let mut total = 0;
    for (k, n) in &people {
        total += n;
        for d in 0..4 {
            margins[d][index(d, &k[d])] += n;
        }
        for (t, (r, c, _)) in pairs.iter().enumerate() {
            crossings[t].counts[index(*r, &k[*r])][index(*c, &k[*c])] += n;
        }
    }
    Ok(Release {
        total,
        dimensions: names
            .iter()
            .zip(values)
            .map(|(n, values)| Dim {
                name: n.to_string(),
                values,
            })
            .collect(),
        margins,
        crossings,
    })
}

/// The unit's public release on `as_of` after disclosure control by the unit's settings: its
/// metadata and tables (also behind `amparo-api stats export --public`).
pub fn protected_release(
    conn: &mut DbConn,
    unit_id: &str,
    as_of: NaiveDate,
) -> Result<(
    crate::domain::stats::publish::Metadata,
    Vec<crate::domain::stats::publish::Table>,
)> {
    use super::schema::operation_units;
    use crate::domain::stats::{disclosure, publish};
    let code: String = operation_units::table
        .find(unit_id)
        .select(operation_units::code)
        .first(conn)?;
    let rule = super::workflow::unit_settings(conn, unit_id)?.statistics;
    let release = public_release(conn, unit_id, as_of)?;
    let protected = disclosure::protect(&release, rule).map_err(Error::internal)?;
    let meta = publish::Metadata::new(&code, as_of, rule, &protected);
    let tables = publish::tables(&release, &protected);
    Ok((meta, tables))
}

/// How the unit's counters differ from a count made afresh from its tables, one line per
/// differing cell; empty when they agree. A check for tests and operators: it reads every
/// person and case of the unit.
pub fn drift(conn: &mut DbConn, unit_id: &str) -> Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct PopRow {
        #[diesel(sql_type = Text)]
        office_id: String,
        #[diesel(sql_type = Text)]
        nationality: String,
        #[diesel(sql_type = Text)]
        sex: String,
        #[diesel(sql_type = Text)]
        birth_month: String,
        #[diesel(sql_type = Text)]
        registration_month: String,
        #[diesel(sql_type = BigInt)]
        group_size: i64,
        #[diesel(sql_type = Text)]
        need: String,
        #[diesel(sql_type = BigInt)]
        people: i64,
    }
    let mut want_cells: BTreeMap<PersonCell, i64> = BTreeMap::new();
    let mut want_facts: BTreeMap<Fact, i64> = BTreeMap::new();
    for f in person_facts(conn, unit_id, None)?.values() {
        for c in f.cells() {
            *want_cells.entry(c).or_default() += 1;
        }
        *want_facts.entry(f.work()).or_default() += 1;
    }
    for c in case_contributions(conn, unit_id, None)?.into_values() {
        for f in c.facts {
            *want_facts.entry(f).or_default() += 1;
        }
    }
    let rows: Vec<PopRow> = dialect::load(
        conn,
        "SELECT office_id, nationality, sex, birth_month, registration_month, \
         CAST(group_size AS BIGINT) AS group_size, need, people FROM stat_population \
         WHERE operation_unit_id = {} AND people <> 0",
        &[Bind::Text(unit_id.into())],
    )?;
    let have_cells: BTreeMap<PersonCell, i64> = rows
        .into_iter()
        .map(|r| {
            (
                PersonCell {
                    office_id: r.office_id,
                    nationality: r.nationality,
                    sex: r.sex,
                    birth_month: r.birth_month,
                    registration_month: r.registration_month,
                    group_size: i32::try_from(r.group_size).unwrap_or(0),
                    need: r.need,
                },
                r.people,
            )
        })
        .collect();
    let facts: Vec<FactRow> = dialect::load(
        conn,
        "SELECT measure, office_id, month, modality, value, actor, n FROM stat_facts \
         WHERE operation_unit_id = {} AND n <> 0",
        &[Bind::Text(unit_id.into())],
    )?;
    let have_facts = fact_counts(facts)?;
    let want_crossings = crossings::differences(&want_cells);
    let mut want_totals: BTreeMap<Fact, i64> = BTreeMap::new();
    for (f, n) in &want_facts {
        *want_totals.entry(f.total()).or_default() += n;
    }
    want_totals.retain(|_, n| *n != 0);
    let totals: Vec<FactRow> = dialect::load(
        conn,
        "SELECT measure, office_id, month, modality, value, '' AS actor, n \
         FROM stat_fact_totals WHERE operation_unit_id = {} AND n <> 0",
        &[Bind::Text(unit_id.into())],
    )?;
    let have_totals = fact_counts(totals)?;
    let mut out = Vec::new();
    diff(&want_cells, &have_cells, &mut out);
    diff(&want_facts, &have_facts, &mut out);
    diff(&want_totals, &have_totals, &mut out);
    diff(
        &want_crossings,
        &crossings::stored(conn, unit_id)?,
        &mut out,
    );
    Ok(out)
}

/// Stored fact rows by the fact they count.
fn fact_counts(rows: Vec<FactRow>) -> Result<BTreeMap<Fact, i64>> {
    let mut out = BTreeMap::new();
    for r in rows {
        let Some(measure) = Measure::parse(&r.measure) else {
            return Err(Error::internal(format!("unknown measure {:?}", r.measure)));
        };
        let fact = Fact {
            office_id: r.office_id,
            measure,
            month: r.month,
            modality: r.modality,
            value: r.value,
            actor: r.actor,
        };
        out.insert(fact, r.n);
    }
    Ok(out)
}

fn diff<K: Ord + std::fmt::Debug>(
    want: &BTreeMap<K, i64>,
    have: &BTreeMap<K, i64>,
    out: &mut Vec<String>,
) {
    for (k, n) in want {
        let h = have.get(k).copied().unwrap_or(0);
        if h != *n {
            out.push(format!("{k:?}: counted {h}, should be {n}"));
        }
    }
    for (k, h) in have {
        if !want.contains_key(k) {
            out.push(format!("{k:?}: counted {h}, should be 0"));
        }
    }
}
