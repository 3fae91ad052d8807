//! A synthetic registry of any size, for load tests and benchmarks: `amparo-api seed --individuals N`.
//!
//! Households come from the same generator as the demo world, in the proportions of Ecuador's
//! caseload; about 70% of them have an RSD case, walked through the workflow by the office's staff
//! ([`super::walk`]) and stored with its state, queue columns, history and appointments. Each
//! office gets enough eligibility officers for its load (so interviews are booked weeks ahead,
//! not years), a supervisor, and interpreters; appeals go to the next office's officers and
//! supervisor. Rows are written in large batches rather than through `register_group`, by the
//! store's bulk loader ([`crate::store::bulk`]: COPY on PostgreSQL, multi-row inserts on SQLite,
//! one transaction per batch, change-feed entries included). Each batch first takes its numbers
//! from the unit's `counters` in a short transaction of its own, so the database is consistent
//! after every commit and registrations made later (or concurrently) continue the numbering.
//! Generation runs on its own thread; on PostgreSQL two batches are written at once.
//!
//! The history of every record (`events`) is written as usual; case queue columns come from
//! `QueueRow`, the one writer of them.

use std::fmt;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::walk::{self, Bias, CaseSpec, Cast, Diary, Interpreter, Person};
use super::{
    CASELOAD, DPIN, HouseholdSpec, Tenant, claim_summary, ensure_tenant, household, household_size,
    office_staff, pick_weighted, staff_username, working_time,
};
use crate::domain::access::Role;
use crate::domain::names;
use crate::domain::needs::{CATALOGUE_VERSION, NeedStatus};
use crate::domain::registration::MemberInput;
use crate::domain::rsd::UnitRules;
use crate::error::{Error, Result};
use crate::store::bulk::*;
use crate::store::registry::format_number;
use crate::store::schema::*;
use crate::store::{Database, DbConn, new_id, now};

/// Households per transaction are added until a batch holds this many individuals.
/// (Smaller in tests, so that their few thousand people make several batches, written at once.)
const BATCH_INDIVIDUALS: usize = if cfg!(test) { 400 } else { 10_000 };

/// What `seed --individuals N` created.
#[derive(Debug, Clone, Default)]
pub struct ScaleSummary {
    pub unit: String,
    pub individuals: u64,
    pub groups: u64,
    pub cases: u64,
    pub specific_needs: u64,
    pub documents: u64,
    pub name_tokens: u64,
    pub events: u64,
    /// Every row written, index tables included.
    pub rows: u64,
    pub elapsed: Duration,
}

impl fmt::Display for ScaleSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        writeln!(
            f,
            "Seeded unit {}: {} individuals in {} registration groups, {} RSD cases.",
            self.unit, self.individuals, self.groups, self.cases
        )?;
        writeln!(
            f,
            "  {} specific needs, {} documents, {} name search keys, {} history events; {} rows in all.",
            self.specific_needs, self.documents, self.name_tokens, self.events, self.rows
        )?;
        write!(
            f,
            "  {:.1} s: {:.0} individuals/s, {:.0} rows/s.",
            secs,
            self.individuals as f64 / secs,
            self.rows as f64 / secs
        )
    }
}

impl ScaleSummary {
    fn add(&mut self, b: &Batch) {
        self.individuals += b.individuals.len() as u64;
        self.groups += b.groups.len() as u64;
        self.cases += b.cases.len() as u64;
        self.specific_needs += b.needs.len() as u64;
        self.documents += b.documents.len() as u64;
        self.name_tokens += b.tokens.len() as u64;
        self.events += b.events.len() as u64;
        self.rows += b.rows();
    }
}

/// Seeds `n` synthetic individuals into unit DPIN (created with its offices if missing).
pub fn scale(db: &Database, n: u64, progress: bool) -> Result<ScaleSummary> {
    let started = Instant::now();
    let (staff, first_individual) = db.write_blocking(|conn| {
        let staff = Staff::ensure(conn, n)?;
        let next = counter(conn, &staff.unit_id, "individual")?;
        Ok((staff, next))
    })?;
    let bar = if progress {
        ProgressBar::new(n)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {elapsed_precise} [{wide_bar}] {human_pos}/{human_len} individuals ({per_sec}, {eta} left) {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    let mut summary = ScaleSummary {
        unit: DPIN.code.to_string(),
        ..Default::default()
    };
    // A different seed after every earlier load, so a second run adds other families.
    let seed = 0x416d_7061_726f ^ first_individual as u64;
    let generated_at = now();
    // Into an empty registry (or one holding only the demo world), secondary indexes are built
    // and foreign keys checked once after the load rather than row by row; a live registry
    // keeps both throughout.
    let deferred = {
        let mut conn = db.conn()?;
        Deferred::set_aside(&mut conn, n)?
    };
    let loaded = std::thread::scope(|s| -> Result<()> {
        let (tx, rx) = sync_channel::<Result<Batch>>(PG_WRITERS);
        let staff_ref = &staff;
        s.spawn(move || generate(staff_ref, n, seed, generated_at, tx));
        write_all(db, &staff, rx, &mut summary, &bar)
    });
    if !deferred.is_empty() {
        bar.set_message(format!("putting back {} indexes and keys", deferred.len()));
        let mut conn = db.conn()?;
        // Built again whether or not the load finished, so the database is never left without
        // them.
        deferred.restore(&mut conn)?;
    }
    loaded?;
    if db.is_postgres() {
        bar.set_message("analyzing");
        let mut conn = db.conn()?;
        conn.batch_execute("ANALYZE")?;
    }
    bar.finish_and_clear();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Batches written at once on PostgreSQL. The load is bound by the database's work on one
/// connection (generation takes a fraction of a core), so a second connection writing the next
/// batch meanwhile uses the machine's second core. SQLite has one writer.
const PG_WRITERS: usize = 2;

fn write_all(
    db: &Database,
    staff: &Staff,
    rx: Receiver<Result<Batch>>,
    summary: &mut ScaleSummary,
    bar: &ProgressBar,
) -> Result<()> {
    let writers = if db.is_postgres() { PG_WRITERS } else { 1 };
    let rx = std::sync::Mutex::new(rx);
    let done = std::sync::Mutex::new(std::mem::take(summary));
    let failed = std::sync::atomic::AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        let handles: Vec<_> = (0..writers)
            .map(|_| {
                s.spawn(|| -> Result<()> {
                    loop {
                        if failed.load(std::sync::atomic::Ordering::Relaxed) {
                            return Ok(());
                        }
                        // The lock is held only to take the next batch.
                        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok(batch) = next else { return Ok(()) };
                        let written = batch.and_then(|mut batch| {
                            // Numbers are taken in a transaction of their own, so that the unit's
                            // counters are not locked while the batch is written (the other writer
                            // takes its numbers meanwhile). A batch that then fails leaves its
                            // numbers unused: a gap, never a number given twice.
                            db.write_blocking(|conn| number(conn, staff, &mut batch))?;
                            db.write_blocking(|conn| batch.write(conn))?;
                            Ok(batch)
                        });
                        match written {
                            Ok(batch) => {
                                done.lock().unwrap_or_else(|p| p.into_inner()).add(&batch);
                                bar.inc(batch.individuals.len() as u64);
                            }
                            Err(e) => {
                                // The other writer stops too, rather than load on after a failure.
                                failed.store(true, std::sync::atomic::Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                })
            })
            .collect();
        let mut first_error = Ok(());
        for h in handles {
            let r = h
                .join()
                .unwrap_or_else(|_| Err(Error::internal("a seed writer panicked")));
            if first_error.is_ok() {
                first_error = r;
            }
        }
        first_error
    });
    *summary = done.into_inner().unwrap_or_else(|p| p.into_inner());
    result
}

/// The unit, its offices and the users records are attributed to.
struct Staff {
    unit_id: String,
    unit_code: String,
    office_ids: Vec<String>,
    clerks: Vec<Person>,
    /// Per office, enough eligibility officers for the load.
    officers: Vec<Vec<Person>>,
    /// One per office; appeals go to the next office's.
    supervisors: Vec<Person>,
    /// Who reviews specific needs.
    reviewer: String,
    interpreters: Vec<Interpreter>,
    /// Interviews already booked in the unit, as (officer or interpreter, start, end).
    booked: Vec<(String, NaiveDateTime, NaiveDateTime)>,
}

/// Individuals registered at an office per eligibility officer seeded there (at least two, at most
/// eighty per office): a million people give Quito, with 30% of them, fifty officers.
const INDIVIDUALS_PER_OFFICER: u64 = 6000;

impl Staff {
    fn ensure(conn: &mut DbConn, n: u64) -> Result<Self> {
        let tenant: Tenant = ensure_tenant(conn, &DPIN)?;
        let mut clerks = Vec::new();
        let mut officers = Vec::new();
        let mut supervisors = Vec::new();
        for (i, office) in tenant.offices.iter().enumerate() {
            let clerk = office_staff(
                conn,
                &tenant,
                office,
                Role::RegistrationClerk,
                &staff_username("registrar", office),
            )?;
            clerks.push(person(conn, clerk.id, Role::RegistrationClerk, i)?);
            let share = OFFICE_SHARE
                .iter()
                .find(|(at, _)| *at == i)
                .map_or(10, |(_, s)| u64::from(*s));
            let wanted = (n * share / 100)
                .div_ceil(INDIVIDUALS_PER_OFFICER)
                .clamp(2, 80);
            let first = office_staff(
                conn,
                &tenant,
                office,
                Role::EligibilityOfficer,
                &staff_username("officer", office),
            )?;
            let mut pool = vec![person(conn, first.id, Role::EligibilityOfficer, i)?];
            for k in 2..=wanted {
                let username = format!("{}.{k}", staff_username("officer", office));
                let user = match crate::store::users::user_by_username(conn, &username)? {
                    Some(u) => u,
                    None => crate::store::users::create_user(
                        conn,
                        crate::store::users::NewUser {
                            unit_id: &tenant.unit.id,
                            office_id: Some(&office.id),
                            username: &username,
                            display_name: &format!(
                                "Eligibility officer {} {k} (seeded, no login)",
                                office.name
                            ),
                            password_hash: None,
                            roles: Role::EligibilityOfficer.as_str(),
                            scope_level: Role::EligibilityOfficer.default_scope().as_str(),
                        },
                    )?,
                };
                pool.push(person(
                    conn,
                    user.id,
                    Role::EligibilityOfficer,
                    i + k as usize,
                )?);
            }
            officers.push(pool);
            let supervisor = office_staff(
                conn,
                &tenant,
                office,
                Role::Supervisor,
                &staff_username("supervisor", office),
            )?;
            supervisors.push(person(conn, supervisor.id, Role::Supervisor, i + 1)?);
        }
        let reviewer = supervisors
            .first()
            .map(|p| p.id.clone())
            .ok_or_else(|| Error::internal("unit DPIN has no offices"))?;
        let interpreters = ensure_interpreters(conn, &tenant)?;
        let booked = appointments::table
            .filter(appointments::operation_unit_id.eq(&tenant.unit.id))
            .filter(appointments::status.eq("scheduled"))
            .select((
                appointments::officer_id,
                appointments::interpreter_id,
                appointments::starts_at,
                appointments::ends_at,
            ))
            .load::<(String, Option<String>, NaiveDateTime, NaiveDateTime)>(conn)?
            .into_iter()
            .flat_map(|(o, i, s, e)| std::iter::once((o, s, e)).chain(i.map(|i| (i, s, e))))
            .collect();
        Ok(Self {
            unit_id: tenant.unit.id.clone(),
            unit_code: tenant.unit.code.clone(),
            office_ids: tenant.offices.iter().map(|o| o.id.clone()).collect(),
            clerks,
            officers,
            supervisors,
            reviewer,
            interpreters,
            booked,
        })
    }
}

/// A seeded user as a walk's person, giving them a sex (alternating) if none is recorded.
fn person(conn: &mut DbConn, id: String, role: Role, i: usize) -> Result<Person> {
    let sex: Option<String> = users::table.find(&id).select(users::sex).first(conn)?;
    let sex = match sex {
        Some(s) => s,
        None => {
            let s = if i.is_multiple_of(2) { "F" } else { "M" };
            diesel::update(users::table.find(&id))
                .set(users::sex.eq(s))
                .execute(conn)?;
            s.to_owned()
        }
    };
    Ok(Person {
        id,
        sex: Some(sex),
        role,
    })
}

/// The unit's interpreters; where it has none, two per office and a remote service.
fn ensure_interpreters(conn: &mut DbConn, tenant: &Tenant) -> Result<Vec<Interpreter>> {
    let existing: Vec<(String, Option<String>, String)> = interpreters::table
        .filter(interpreters::operation_unit_id.eq(&tenant.unit.id))
        .filter(interpreters::active.eq(true))
        .select((
            interpreters::id,
            interpreters::office_id,
            interpreters::languages,
        ))
        .load(conn)?;
    let mut rows = existing;
    if rows.is_empty() {
        let at = now();
        let mut planned: Vec<(Option<String>, String, &str)> = Vec::new();
        for office in &tenant.offices {
            planned.push((
                Some(office.id.clone()),
                format!("Intérprete de dari y pastún, {}", office.name),
                "prs pus fas",
            ));
            planned.push((
                Some(office.id.clone()),
                format!("Intérprete de árabe, {}", office.name),
                "ara eng fra",
            ));
        }
        planned.push((
            None,
            "Servicio de interpretación remota".to_owned(),
            "prs pus ara fas eng fra que",
        ));
        for (office, name, languages) in planned {
            let id = new_id();
            diesel::insert_into(interpreters::table)
                .values((
                    interpreters::id.eq(&id),
                    interpreters::operation_unit_id.eq(&tenant.unit.id),
                    interpreters::office_id.eq(&office),
                    interpreters::name.eq(&name),
                    interpreters::languages.eq(languages),
                    interpreters::active.eq(true),
                    interpreters::created_at.eq(at),
                    interpreters::updated_at.eq(at),
                ))
                .execute(conn)?;
            rows.push((id, office, languages.to_owned()));
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, office_id, languages)| Interpreter {
            id,
            office_id,
            languages: languages.split_whitespace().map(str::to_owned).collect(),
        })
        .collect())
}

/// The last number of `kind` given in the unit (0 when none).
fn counter(conn: &mut DbConn, unit_id: &str, kind: &str) -> Result<i64> {
    Ok(counters::table
        .filter(counters::operation_unit_id.eq(unit_id))
        .filter(counters::kind.eq(kind))
        .select(counters::value)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Reserves `count` numbers of `kind` in the unit; returns the first.
fn reserve(conn: &mut DbConn, unit_id: &str, kind: &str, count: usize) -> Result<i64> {
    let count = i64::try_from(count).map_err(|_| Error::internal("batch too large"))?;
    let last = crate::store::dialect::take_numbers(conn, unit_id, kind, count)?;
    Ok(last - count + 1)
}

/// Gives the batch's individuals, groups and cases their registry numbers.
fn number(conn: &mut DbConn, staff: &Staff, b: &mut Batch) -> Result<()> {
    let code = staff.unit_code.as_str();
    let first = reserve(conn, &staff.unit_id, "individual", b.individuals.len())?;
    for (n, i) in (first..).zip(&mut b.individuals) {
        i.individual_number = format_number(code, 'I', n);
        i.number_key = names::normalize_identifier(&i.individual_number);
    }
    let first = reserve(conn, &staff.unit_id, "group", b.groups.len())?;
    for (n, g) in (first..).zip(&mut b.groups) {
        g.group_number = format_number(code, 'G', n);
        g.number_key = names::normalize_identifier(&g.group_number);
    }
    if !b.cases.is_empty() {
        let first = reserve(conn, &staff.unit_id, "case", b.cases.len())?;
        for (n, c) in (first..).zip(&mut b.cases) {
            c.case_number = format_number(code, 'C', n);
            c.number_key = names::normalize_identifier(&c.case_number);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/// Share of households per DPIN office, in the order of `DPIN.sites`.
const OFFICE_SHARE: &[(usize, u32)] = &[(0, 30), (1, 25), (2, 15), (3, 18), (4, 12)];
/// Share of households with an RSD case.
const CASE_RATE: f64 = 0.7;
/// Registrations go back this far, more of them recent.
const HISTORY_DAYS: f64 = 2.0 * 365.0;

/// Produces batches of households until `n` individuals are generated or the writer stops.
fn generate(staff: &Staff, n: u64, seed: u64, now: NaiveDateTime, tx: SyncSender<Result<Batch>>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut desk = Desk {
        diary: Diary::new(staff.interpreters.clone()),
        rules: UnitRules::default(),
    };
    for (who, starts, ends) in &staff.booked {
        desk.diary.mark(who, *starts, *ends);
    }
    let mut left = n;
    while left > 0 {
        let mut b = Batch::default();
        let mut failed = None;
        while b.individuals.len() < BATCH_INDIVIDUALS && left > 0 {
            let size = household_size(&mut rng).min(usize::try_from(left).unwrap_or(usize::MAX));
            if let Err(e) = add_household(&mut rng, staff, &mut desk, &mut b, size, now) {
                failed = Some(e);
                break;
            }
            left = left.saturating_sub(size as u64);
        }
        let stop = failed.is_some();
        if tx.send(failed.map_or(Ok(b), Err)).is_err() || stop {
            return;
        }
    }
}

/// What the cases of one run share: the diary of interviews and the unit's rules.
struct Desk {
    diary: Diary,
    rules: UnitRules,
}

/// An officer of the pool, of the sex the applicant asked for when there is one.
fn choose<'a>(rng: &mut StdRng, pool: &'a [Person], wants: Option<&str>) -> Option<&'a Person> {
    let start = rng.random_range(0..pool.len().max(1));
    let rotated = pool[start.min(pool.len())..]
        .iter()
        .chain(&pool[..start.min(pool.len())]);
    let mut first = None;
    for p in rotated {
        if wants.is_none() || p.sex.as_deref() == wants {
            return Some(p);
        }
        first = first.or(Some(p));
    }
    first
}

fn add_household(
    rng: &mut StdRng,
    staff: &Staff,
    desk: &mut Desk,
    b: &mut Batch,
    size: usize,
    now: NaiveDateTime,
) -> Result<()> {
    let nationality = pick_weighted(rng, CASELOAD);
    let at = pick_weighted(rng, OFFICE_SHARE).min(staff.office_ids.len().saturating_sub(1));
    let next = (at + 1) % staff.office_ids.len().max(1);
    let (Some(site), Some(office), Some(clerk), Some(pool), Some(supervisor)) = (
        DPIN.sites.get(at),
        staff.office_ids.get(at),
        staff.clerks.get(at),
        staff.officers.get(at),
        staff.supervisors.get(at),
    ) else {
        return Ok(());
    };
    let (Some(appeal_pool), Some(appeal_supervisor)) =
        (staff.officers.get(next), staff.supervisors.get(next))
    else {
        return Ok(());
    };
    let clerk_id = clerk.id.as_str();
    let (registered_on, registered_at) = registration_time(rng, desk.diary.local_day(now), now);
    let members = household(
        rng,
        &HouseholdSpec {
            nationality,
            site,
            size,
            registered_on,
        },
    );
    let unit = &staff.unit_id;
    let (group_id, ids, priority) = add_group(
        rng,
        staff,
        b,
        &members,
        office,
        clerk_id,
        registered_at,
        now,
    );
    if !rng.random_bool(CASE_RATE) {
        return Ok(());
    }
    let (Some(principal), Some(focal)) = (ids.first(), members.first().map(|m| &m.person)) else {
        return Ok(());
    };
    let wants = focal
        .same_sex_interviewer
        .then(|| focal.sex.clone())
        .flatten();
    let language = focal
        .needs_interpreter
        .then(|| {
            focal
                .languages
                .iter()
                .find(|l| l.kind == "interview")
                .or(focal.languages.first())
                .map(|l| l.language.clone())
        })
        .flatten();
    let (Some(officer), Some(appeal_officer)) = (
        choose(rng, pool, wants.as_deref()),
        choose(rng, appeal_pool, wants.as_deref()),
    ) else {
        return Ok(());
    };
    let cast = Cast {
        clerk,
        officer,
        supervisor,
        appeal_officer,
        appeal_supervisor,
    };
    let wait = chrono::Duration::days(rng.random_range(0..15));
    let mut opened_at = working_time(rng, registered_on + wait);
    if opened_at > now {
        opened_at = registered_at;
    }
    let opened_at = opened_at.max(registered_at);
    let spec = CaseSpec {
        nationality,
        office_id: office,
        principal_id: principal.clone(),
        member_ids: ids[1..].to_vec(),
        priority,
        interviewer_sex: wants,
        language,
        modality: walk::modality(rng, priority),
        opened_at,
    };
    let claim = claim_summary(rng, nationality);
    let walked = walk::walk(
        rng,
        &cast,
        &desk.rules,
        &mut desk.diary,
        &spec,
        Bias::default(),
        now,
    )
    .map_err(|r| {
        Error::internal(format!(
            "a seeded case took a step the procedure refuses: {r}"
        ))
    })?;
    let rows = CaseRows {
        unit,
        office,
        group_id: &group_id,
        ids: &ids,
        members: &members,
        claim,
    };
    add_case(b, &desk.rules, &rows, walked)
}

/// When a household registered: a day up to two years back (more of them recent), in office
/// hours, and never later than `now`.
fn registration_time(
    rng: &mut StdRng,
    today: NaiveDate,
    now: NaiveDateTime,
) -> (NaiveDate, NaiveDateTime) {
    let ago = (rng.random::<f64>().powf(1.6) * HISTORY_DAYS) as i64;
    let mut registered_on = today - chrono::Duration::days(ago);
    let mut registered_at = working_time(rng, registered_on);
    // Today's office hours may not have come yet: such people registered on an earlier day.
    for _ in 0..7 {
        if registered_at <= now {
            break;
        }
        registered_on -= chrono::Duration::days(1);
        registered_at = working_time(rng, registered_on);
    }
    let registered_at = registered_at.min(now);
    (registered_on, registered_at)
}

/// The household's group, its members and their memberships and history; returns the group,
/// the members' ids (focal point first) and whether any has an open need (a priority case).
#[allow(clippy::too_many_arguments)]
fn add_group(
    rng: &mut StdRng,
    staff: &Staff,
    b: &mut Batch,
    members: &[MemberInput],
    office: &str,
    clerk_id: &str,
    registered_at: NaiveDateTime,
    now: NaiveDateTime,
) -> (String, Vec<String>, bool) {
    let unit = &staff.unit_id;
    let group_id = new_id();
    b.groups.push(NewGroup {
        id: group_id.clone(),
        operation_unit_id: unit.clone(),
        office_id: office.to_string(),
        group_number: String::new(),
        number_key: String::new(),
        status: "active".into(),
        closed_reason: None,
        version: 1,
        created_at: registered_at,
        updated_at: registered_at,
    });
    let mut ids = Vec::with_capacity(members.len());
    let mut priority = false;
    for m in members {
        let (id, open_need) = add_person(rng, staff, b, m, office, clerk_id, registered_at, now);
        priority |= open_need;
        b.memberships.push(NewMembership {
            id: new_id(),
            operation_unit_id: unit.clone(),
            group_id: group_id.clone(),
            individual_id: id.clone(),
            relationship: m.relationship.clone(),
            started_at: registered_at,
            ended_at: None,
            end_reason: None,
        });
        b.events.push(event(
            unit,
            "individual",
            &id,
            "registered",
            clerk_id,
            registered_at,
            json!({ "groupId": group_id, "relationship": m.relationship }),
        ));
        ids.push(id);
    }
    b.events.push(event(
        unit,
        "registration_group",
        &group_id,
        "registered",
        clerk_id,
        registered_at,
        json!({ "members": ids }),
    ));
    (group_id, ids, priority)
}

/// What a walked case is stored with besides its walk.
struct CaseRows<'a> {
    unit: &'a str,
    office: &'a str,
    group_id: &'a str,
    ids: &'a [String],
    members: &'a [MemberInput],
    claim: String,
}

/// The rows of a walked case, numbered later with the rest of the batch.
fn add_case(
    b: &mut Batch,
    rules: &UnitRules,
    r: &CaseRows<'_>,
    walked: walk::Walked,
) -> Result<()> {
    if r.ids.is_empty() {
        return Ok(());
    }
    let id = new_id();
    let appointments = walked
        .appointments
        .into_iter()
        .map(|a| a.row(r.unit, &id))
        .collect();
    b.add_walked_case(
        rules,
        WalkedCase {
            id,
            unit: r.unit,
            office: r.office,
            case_number: String::new(),
            group_id: r.group_id,
            members: r
                .ids
                .iter()
                .zip(r.members)
                .map(|(id, m)| (id.clone(), Some(m.relationship.clone())))
                .collect(),
            claim: r.claim.clone(),
            state: &walked.state,
            events: &walked.events,
            status_changed_at: walked.status_changed_at,
            appointments,
        },
    )
}

fn event(
    unit: &str,
    record_type: &str,
    record_id: &str,
    kind: &str,
    actor: &str,
    at: NaiveDateTime,
    data: serde_json::Value,
) -> NewEvent {
    NewEvent {
        id: new_id(),
        operation_unit_id: unit.to_string(),
        record_type: record_type.to_string(),
        record_id: record_id.to_string(),
        kind: kind.to_string(),
        actor_id: actor.to_string(),
        at,
        data: data.to_string(),
    }
}

/// Adds one person's rows; returns the new individual's id and whether a specific need of theirs
/// is still open (which makes their case a priority).
#[allow(clippy::too_many_arguments)]
fn add_person(
    rng: &mut StdRng,
    staff: &Staff,
    b: &mut Batch,
    m: &MemberInput,
    office: &str,
    clerk: &str,
    at: NaiveDateTime,
    now: NaiveDateTime,
) -> (String, bool) {
    let p = &m.person;
    let needs_before = b.needs.len();
    let unit = &staff.unit_id;
    let id = new_id();
    for token in names::stored_tokens(p.name_parts()) {
        b.tokens.push(NewToken {
            operation_unit_id: unit.clone(),
            token,
            individual_id: id.clone(),
        });
    }
    for l in &p.languages {
        b.languages.push(NewLanguage {
            id: new_id(),
            operation_unit_id: unit.clone(),
            individual_id: id.clone(),
            language: l.language.clone(),
            kind: l.kind.clone(),
            created_at: at,
        });
    }
    for d in &p.documents {
        let verified = rng.random_bool(0.4);
        b.documents.push(NewDocument {
            id: new_id(),
            operation_unit_id: unit.clone(),
            individual_id: id.clone(),
            document_type: d.document_type.clone(),
            number: d.number.clone(),
            number_key: names::document_number_key(&d.number),
            issuing_country: d.issuing_country.clone(),
            issued_on: d.issued_on,
            expires_on: d.expires_on,
            verified,
            verified_by: verified.then(|| clerk.to_string()),
            version: 1,
            created_at: at,
            updated_at: at,
        });
    }
    for a in &p.addresses {
        b.addresses.push(NewAddress {
            id: new_id(),
            operation_unit_id: unit.clone(),
            individual_id: id.clone(),
            kind: a.kind.clone(),
            line: a.line.clone(),
            city: a.city.clone(),
            province: a.province.clone(),
            country: a.country.clone(),
            valid_from: at.date(),
            valid_to: None,
            created_at: at,
        });
    }
    for ph in &p.phones {
        b.phones.push(NewPhone {
            id: new_id(),
            operation_unit_id: unit.clone(),
            individual_id: id.clone(),
            number: ph.number.clone(),
            kind: ph.kind.clone(),
            consent_to_contact: ph.consent_to_contact,
            created_at: at,
            removed_at: None,
        });
    }
    for n in &p.specific_needs {
        let status = pick_weighted(
            rng,
            &[
                (NeedStatus::PendingReview, 35),
                (NeedStatus::Confirmed, 55),
                (NeedStatus::Resolved, 10),
            ],
        );
        let review_day = (at + chrono::Duration::days(rng.random_range(1..30))).date();
        let reviewed_at = (status != NeedStatus::PendingReview)
            .then(|| working_time(rng, review_day))
            .filter(|t| *t <= now);
        let status = if reviewed_at.is_some() {
            status
        } else {
            NeedStatus::PendingReview
        };
        b.needs.push(NewNeed {
            id: new_id(),
            operation_unit_id: unit.clone(),
            individual_id: id.clone(),
            code: n.code.clone(),
            sub_code: n.sub_code.clone(),
            status: status.as_str().into(),
            comments: n.comments.clone(),
            catalogue_version: CATALOGUE_VERSION.into(),
            identified_at: at,
            identified_by: clerk.to_string(),
            reviewed_at,
            reviewed_by: reviewed_at.map(|_| staff.reviewer.clone()),
            version: if reviewed_at.is_some() { 2 } else { 1 },
            created_at: at,
            updated_at: reviewed_at.unwrap_or(at),
        });
    }
    b.individuals.push(IndividualRow {
        id: id.clone(),
        operation_unit_id: unit.clone(),
        office_id: office.to_string(),
        individual_number: String::new(),
        number_key: String::new(),
        legacy_id: None,
        given_names: p.given_names.clone(),
        middle_name: p.middle_name.clone(),
        family_name: p.family_name.clone(),
        second_family_name: p.second_family_name.clone(),
        fathers_name: p.fathers_name.clone(),
        grandfathers_name: p.grandfathers_name.clone(),
        original_script_name: p.original_script_name.clone(),
        aliases: p.aliases.clone(),
        sex: p.sex.clone(),
        date_of_birth: p.date_of_birth,
        date_of_birth_precision: p.date_of_birth_precision.clone(),
        place_of_birth: p.place_of_birth.clone(),
        marital_status: p.marital_status.clone(),
        nationalities: p.nationalities.join(" "),
        country_of_origin: p.country_of_origin.clone(),
        ethnicity: p.ethnicity.clone(),
        religion: p.religion.clone(),
        needs_interpreter: p.needs_interpreter,
        same_sex_interviewer: p.same_sex_interviewer,
        arrival_date: p.arrival_date,
        point_of_entry: p.point_of_entry.clone(),
        registration_date: at.date(),
        registered_by: clerk.to_string(),
        dataset_level: p.dataset_level.clone().unwrap_or_else(|| "basic".into()),
        last_verified_at: None,
        consent_to_contact: p.consent_to_contact,
        information_given_at: p.information_given.then_some(at),
        version: 1,
        created_at: at,
        updated_at: at,
    });
    let open_need = b.needs[needs_before..]
        .iter()
        .any(|n| n.status != NeedStatus::Resolved.as_str());
    (id, open_need)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::store::registry;

    fn sqlite() -> (Database, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("amparo-scale-{}.db", uuid::Uuid::now_v7()));
        let db = Database::open(&format!("sqlite://{}", path.display()), 4).expect("open sqlite");
        db.migrate().expect("migrate");
        (db, path)
    }

    /// A fresh PostgreSQL database, or None (with a message) when no server is reachable.
    fn postgres() -> Option<(Database, String, String)> {
        let admin_url = std::env::var("AMPARO_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1/postgres".into());
        let Ok(admin) = Database::open(&admin_url, 1) else {
            // CI sets this so an unreachable server fails instead of skipping.
            assert!(
                std::env::var("AMPARO_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "PostgreSQL is required here but not reachable at {admin_url}"
            );
            eprintln!(
                "SKIPPED: PostgreSQL is not reachable at {admin_url} (set AMPARO_TEST_PG_URL)"
            );
            return None;
        };
        let name = format!("amparo_seed_test_{}", uuid::Uuid::now_v7().simple());
        admin
            .conn()
            .ok()?
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let url = match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("AMPARO_TEST_PG_URL has no database part: {admin_url}"),
        };
        let db = Database::open(&url, 4).expect("open test database");
        db.migrate().expect("migrate");
        Some((db, admin_url, name))
    }

    fn drop_database(admin_url: &str, name: &str) {
        if let Ok(admin) = Database::open(admin_url, 1)
            && let Ok(mut conn) = admin.conn()
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }

    /// Every index and constraint of the database with its definition, one per line.
    fn indexes_and_keys(db: &Database) -> String {
        #[derive(QueryableByName)]
        struct Listed {
            #[diesel(sql_type = diesel::sql_types::Text)]
            listed: String,
        }
        let mut conn = db.conn().expect("conn");
        let DbConn::Pg(c) = &mut *conn else {
            panic!("not PostgreSQL")
        };
        let listed = diesel::sql_query(
            "SELECT string_agg(d, E'\\n' ORDER BY d) AS listed FROM ( \
             SELECT indexdef AS d FROM pg_indexes WHERE schemaname = current_schema() \
             UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE connamespace = current_schema()::regnamespace) all_of_them",
        )
        .get_result::<Listed>(c)
        .expect("list indexes and keys")
        .listed;
        assert!(listed.contains("FOREIGN KEY"), "{listed}");
        listed
    }

    macro_rules! count {
        ($conn:expr, $table:expr) => {
            $table.count().get_result::<i64>($conn).expect("count") as u64
        };
    }

    /// An individual's id and name parts, as stored.
    type Names = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );

    /// Checks that everything `scale` wrote agrees with itself and with the summary.
    fn check_consistency(db: &Database, summary: &ScaleSummary, expected: u64) {
        let mut conn = db.conn().expect("conn");
        let conn: &mut DbConn = &mut conn;
        assert_eq!(summary.individuals, expected);
        assert_eq!(count!(conn, individuals::table), expected);
        assert_eq!(count!(conn, registration_groups::table), summary.groups);
        assert_eq!(count!(conn, cases::table), summary.cases);
        assert_eq!(count!(conn, name_tokens::table), summary.name_tokens);
        assert_eq!(count!(conn, specific_needs::table), summary.specific_needs);
        assert_eq!(count!(conn, documents::table), summary.documents);
        assert_eq!(count!(conn, events::table), summary.events);

        // The feed names every person, and its positions run from 1 without a gap (on
        // PostgreSQL the load gives them itself, `feed::record_bulk`).
        let positions: Vec<Option<i64>> = change_feed::table
            .order(change_feed::seq.asc())
            .select(change_feed::position)
            .load(conn)
            .expect("feed");
        let mut sorted: Vec<i64> = positions.iter().map(|p| p.expect("sealed")).collect();
        sorted.sort_unstable();
        assert!(sorted.iter().copied().eq(1..=sorted.len() as i64));
        let named: i64 = change_feed::table
            .filter(change_feed::record_type.eq("individual"))
            .count()
            .get_result(conn)
            .expect("feed count");
        assert!(named as u64 >= expected);

        // Realistic proportions: households of about 3.2, most with a case, some needs, most
        // people with documents.
        let mean = expected as f64 / summary.groups as f64;
        assert!((2.8..3.7).contains(&mean), "mean household size {mean}");
        let with_case = summary.cases as f64 / summary.groups as f64;
        assert!(
            (0.6..0.8).contains(&with_case),
            "{with_case} of groups have a case"
        );

        // Every individual is in exactly one group, and its name keys are those of its names.
        let people: Vec<Names> = individuals::table
            .select((
                individuals::id,
                individuals::given_names,
                individuals::family_name,
                individuals::second_family_name,
                individuals::fathers_name,
                individuals::grandfathers_name,
                individuals::original_script_name,
                individuals::aliases,
            ))
            .load(conn)
            .expect("people");
        let mut tokens: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (token, id) in name_tokens::table
            .select((name_tokens::token, name_tokens::individual_id))
            .load::<(String, String)>(conn)
            .expect("tokens")
        {
            tokens.entry(id).or_default().push(token);
        }
        for (id, given, family, second, father, grandfather, original, aliases) in &people {
            let parts: Vec<&str> = [
                Some(given),
                family.as_ref(),
                second.as_ref(),
                father.as_ref(),
                grandfather.as_ref(),
                original.as_ref(),
                aliases.as_ref(),
            ]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
            let mut stored = tokens.remove(id).unwrap_or_default();
            stored.sort();
            assert_eq!(
                stored,
                names::stored_tokens(parts),
                "keys of {given} {family:?}"
            );
        }
        assert!(tokens.is_empty(), "keys of unknown individuals");
        let members: Vec<(String, String)> = group_memberships::table
            .select((
                group_memberships::individual_id,
                group_memberships::group_id,
            ))
            .load(conn)
            .expect("memberships");
        assert_eq!(members.len() as u64, expected);
        assert_eq!(
            members.iter().map(|m| &m.0).collect::<BTreeSet<_>>().len() as u64,
            expected
        );
        assert_eq!(
            members.iter().map(|m| &m.1).collect::<BTreeSet<_>>().len() as u64,
            summary.groups
        );

        // A case holds its whole group, the focal point as principal.
        let case_groups: Vec<(String, Option<String>, String)> = cases::table
            .select((
                cases::id,
                cases::registration_group_id,
                cases::principal_applicant_id,
            ))
            .load(conn)
            .expect("cases");
        let case_member_rows: Vec<(String, String, String)> = case_members::table
            .select((
                case_members::case_id,
                case_members::individual_id,
                case_members::role,
            ))
            .load(conn)
            .expect("case members");
        let group_size: BTreeMap<&String, usize> =
            members.iter().fold(BTreeMap::new(), |mut m, (_, g)| {
                *m.entry(g).or_default() += 1;
                m
            });
        for (case, group, principal) in &case_groups {
            let in_case: Vec<_> = case_member_rows.iter().filter(|r| &r.0 == case).collect();
            assert_eq!(
                Some(&in_case.len()),
                group.as_ref().and_then(|g| group_size.get(g))
            );
            assert!(
                in_case
                    .iter()
                    .any(|r| &r.1 == principal && r.2 == "principal")
            );
            assert_eq!(in_case.iter().filter(|r| r.2 == "principal").count(), 1);
        }

        // Numbers are unique, their keys are normalised, and the counters continue after them.
        let numbers: Vec<(String, String)> = individuals::table
            .select((individuals::individual_number, individuals::number_key))
            .load(conn)
            .expect("numbers");
        assert_eq!(
            numbers.iter().map(|n| &n.0).collect::<BTreeSet<_>>().len() as u64,
            expected
        );
        assert!(
            numbers
                .iter()
                .all(|(n, k)| &names::normalize_identifier(n) == k)
        );
        let unit: String = operation_units::table
            .filter(operation_units::code.eq("DPIN"))
            .select(operation_units::id)
            .first(conn)
            .expect("unit");
        assert_eq!(
            counter(conn, &unit, "individual").expect("counter") as u64,
            expected
        );
        assert_eq!(
            counter(conn, &unit, "group").expect("counter") as u64,
            summary.groups
        );
        assert_eq!(
            counter(conn, &unit, "case").expect("counter") as u64,
            summary.cases
        );

        // Every case's workflow parses, its columns are its own, and its history has one event
        // per transition; pending appointments are the state's, and nobody is booked twice.
        let rows: Vec<(String, String, String, Option<String>, i32)> = cases::table
            .select((
                cases::id,
                cases::status,
                cases::stage,
                cases::workflow,
                cases::version,
            ))
            .load(conn)
            .expect("cases");
        let mut per_case: BTreeMap<String, u64> = BTreeMap::new();
        for id in events::table
            .filter(events::record_type.eq("case"))
            .select(events::record_id)
            .load::<String>(conn)
            .expect("events")
        {
            *per_case.entry(id).or_default() += 1;
        }
        let mut pending_in_states = 0;
        let mut statuses = BTreeSet::new();
        for (id, status, stage, workflow, version) in &rows {
            let state: crate::domain::rsd::CaseState =
                serde_json::from_str(workflow.as_deref().expect("a workflow"))
                    .expect("the workflow parses");
            assert_eq!(state.status.as_str(), status);
            assert_eq!(state.stage.as_str(), stage);
            assert_eq!(i64::from(*version), state.version as i64);
            assert_eq!(
                per_case.get(id).copied().unwrap_or(0),
                state.version,
                "case {id}"
            );
            pending_in_states += state.appointments.len();
            statuses.insert(state.status.as_str());
        }
        assert!(statuses.len() >= 8, "{statuses:?}");
        let booked: Vec<(String, Option<String>, NaiveDateTime, NaiveDateTime)> =
            appointments::table
                .filter(appointments::status.eq("scheduled"))
                .select((
                    appointments::officer_id,
                    appointments::interpreter_id,
                    appointments::starts_at,
                    appointments::ends_at,
                ))
                .load(conn)
                .expect("appointments");
        assert_eq!(booked.len(), pending_in_states);
        let mut by_person: BTreeMap<&str, Vec<(NaiveDateTime, NaiveDateTime)>> = BTreeMap::new();
        for (officer, interpreter, starts, ends) in &booked {
            by_person.entry(officer).or_default().push((*starts, *ends));
            if let Some(i) = interpreter {
                by_person.entry(i).or_default().push((*starts, *ends));
            }
        }
        for (who, mut slots) in by_person {
            slots.sort();
            for pair in slots.windows(2) {
                assert!(pair[0].1 <= pair[1].0, "{who} is booked twice: {pair:?}");
            }
        }
    }

    /// After a bulk load, a registration through the store continues the numbering.
    fn check_numbering_continues(db: &Database, loaded: u64) {
        let clerk = db
            .write_blocking(|c| crate::store::users::user_by_username(c, "registrar.uio"))
            .expect("clerk lookup")
            .expect("the seeded clerk of Quito");
        let scope = crate::auth::scope_for(&clerk, "test").expect("scope");
        let input = crate::domain::registration::GroupInput {
            members: vec![MemberInput {
                person: crate::domain::registration::PersonInput {
                    given_names: "Nueva".into(),
                    ..Default::default()
                },
                relationship: "focal_point".into(),
            }],
        };
        let done = db
            .write_blocking(|c| registry::register_group(c, &scope, &input))
            .expect("register");
        let id = done.individual_ids.first().cloned().unwrap_or_default();
        let mut conn = db.conn().expect("conn");
        let number: String = individuals::table
            .find(&id)
            .select(individuals::individual_number)
            .first(&mut *conn)
            .expect("number");
        assert_eq!(number, format_number("DPIN", 'I', loaded as i64 + 1));
    }

    #[test]
    fn scale_on_sqlite_is_consistent_and_continues_numbering() {
        let (db, path) = sqlite();
        let first = scale(&db, 1500, false).expect("scale");
        check_consistency(&db, &first, 1500);
        let second = scale(&db, 500, false).expect("second scale");
        assert_eq!(second.individuals, 500);
        let total = ScaleSummary {
            individuals: 2000,
            groups: first.groups + second.groups,
            cases: first.cases + second.cases,
            specific_needs: first.specific_needs + second.specific_needs,
            documents: first.documents + second.documents,
            name_tokens: first.name_tokens + second.name_tokens,
            events: first.events + second.events,
            ..Default::default()
        };
        check_consistency(&db, &total, 2000);
        check_numbering_continues(&db, 2000);
        assert!(first.to_string().contains("1500 individuals"), "{first}");
        drop(db);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn scale_on_postgres_is_consistent_and_continues_numbering() {
        let Some((db, admin_url, name)) = postgres() else {
            return;
        };
        let before = indexes_and_keys(&db);
        let summary = scale(&db, 2000, false).expect("scale");
        // Into an empty database the load set its indexes and foreign keys aside: all are back.
        assert_eq!(indexes_and_keys(&db), before);
        check_consistency(&db, &summary, 2000);
        check_numbering_continues(&db, 2000);
        drop(db);
        drop_database(&admin_url, &name);
    }

    /// The load figure: `AMPARO_SEED_URL=postgres://postgres@127.0.0.1/amparo_seed cargo test
    /// --release -p amparo-api --lib seed::scale::tests::load_a_million -- --ignored --nocapture`
    /// (`AMPARO_SEED_N` changes the count).
    #[test]
    #[ignore = "loads a million individuals; run by hand for the figure"]
    fn load_a_million() {
        let url = std::env::var("AMPARO_SEED_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1/amparo_seed".into());
        let n = std::env::var("AMPARO_SEED_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000);
        let db = Database::open(&url, 2).expect("open");
        db.migrate().expect("migrate");
        let summary = scale(&db, n, true).expect("scale");
        println!("{summary}");
    }
}
