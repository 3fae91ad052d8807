//! Writes prepared households in batches, one transaction each, deciding for each household
//! and person whether it is created, linked to a record Amparo already holds, or skipped, and
//! why. A dry run makes every decision the same way and writes nothing: batch by batch it decides
//! against the database and against what its earlier batches would have written (kept in
//! memory, [`Planned`]), so its summary is what a real run would do. It holds no lock a
//! registration waits for (a real batch takes the unit's number and feed counters until it
//! commits; a dry run takes none), and what it read to find duplicates is audited and kept, like
//! any read of personal data.

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::candidates::NameIndex;
use super::mapping::Mapping;
use super::plan::{Decision, Planned, Summary, decide};
use super::validate::{Household, Prepared, prepare};
use crate::domain::events::RecordEvent;
use crate::domain::registration::{GroupInput, MemberInput};
use crate::domain::rsd::Modality;
use crate::error::{Error, Result};
use crate::store::imports::{self, Counts, NewBatch, NewReview};
use crate::store::registry::{self, Origin};
use crate::store::workflow::{self, ImportedCase, NewCase};
use crate::store::{Database, DbConn, Scope, audit, dialect, now, users};

/// How to run an import.
#[derive(Debug, Clone)]
pub struct Options {
    pub mapping: Mapping,
    pub sources: Vec<PathBuf>,
    /// The user the import acts as: the audit log and each record's history name them.
    pub operator: String,
    pub dry_run: bool,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
}

/// What an import did or, dry, would do.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub prepared: Prepared,
    pub summary: Summary,
    /// The batches committed, in order.
    pub batches: Vec<String>,
}

/// Reads, checks and imports; `on_batch` hears each committed batch's id as soon as it commits.
pub fn run(db: &Database, opts: &Options, mut on_batch: impl FnMut(&str)) -> Result<Outcome> {
    let today = now().date();
    let prepared = prepare(&opts.mapping, &opts.sources, today)?;
    let scope = db.write_blocking(|c| operator_scope(c, &opts.mapping, &opts.operator))?;
    let mut summary = Summary::default();
    let batches_of = batches(&prepared.households, opts.mapping.batch_size());
    let total: u64 = prepared
        .households
        .iter()
        .map(|h| h.members.len() as u64)
        .sum();
    let bar = if opts.progress {
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} people  {per_sec}  {elapsed_precise} elapsed, {eta} left {msg}",
        )
        .map_err(|e| Error::internal(format!("progress bar: {e}")))?,
    );
    let files = prepared.files.join(", ");
    let batch = NewBatch {
        source: &opts.mapping.source,
        source_files: &files,
        mapping_version: &opts.mapping.version,
        mapping_digest: &opts.mapping.digest,
    };
    let mut batches = Vec::new();
    bar.set_message("reading the unit's names");
    let mut index = db.write_blocking(|c| {
        let mut reads = audit::Reads::default();
        let index = NameIndex::load(c, &scope, &mut reads, &prepared.households)?;
        if !reads.is_empty() {
            audit::append(c, &audit::Actor::from(&scope), &reads.into_entries())?;
        }
        Ok(index)
    })?;
    bar.set_message("");
    if opts.dry_run {
        let mut planned = Planned::default();
        for hs in &batches_of {
            db.write_blocking(|c| {
                index.catch_up(c, &scope)?;
                let mut reads = audit::Reads::default();
                for h in hs {
                    let d = decide(
                        c,
                        &scope,
                        &mut reads,
                        &opts.mapping.source,
                        h,
                        &planned,
                        &index,
                    )?;
                    summary.count(h, &d);
                    // Noted at once: the next household of this batch sees it, as it would
                    // see it written in a real run.
                    planned.note(h, &d);
                }
                if !reads.is_empty() {
                    audit::append(c, &audit::Actor::from(&scope), &reads.into_entries())?;
                }
                Ok(())
            })?;
            bar.inc(people(hs));
        }
    } else {
        for hs in &batches_of {
            let mut s = summary.clone();
            let written = db.write_blocking(|c| {
                // The tables this run writes grow under it (a dry run writes none).
                dialect::plan_each_statement(c)?;
                index.catch_up(c, &scope)?;
                write_batch(c, &scope, &opts.mapping, &batch, hs, &mut s, &mut index)
            })?;
            summary = s;
            if let Some((id, _)) = written {
                on_batch(&id);
                batches.push(id);
            }
            bar.inc(people(hs));
        }
    }
    bar.finish_and_clear();
    Ok(Outcome {
        prepared,
        summary,
        batches,
    })
}

fn people(households: &[&Household]) -> u64 {
    households.iter().map(|h| h.members.len() as u64).sum()
}

/// Households grouped so that each batch holds about `size` people (a household is never split).
fn batches(households: &[Household], size: usize) -> Vec<Vec<&Household>> {
    let mut out: Vec<Vec<&Household>> = Vec::new();
    let mut current: Vec<&Household> = Vec::new();
    let mut people = 0;
    for h in households {
        current.push(h);
        people += h.members.len().max(1);
        if people >= size {
            out.push(std::mem::take(&mut current));
            people = 0;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The operator's scope inside the mapping's unit, registering at the mapping's office.
fn operator_scope(conn: &mut DbConn, mapping: &Mapping, operator: &str) -> Result<Scope> {
    let user = users::user_by_username(conn, operator)?
        .ok_or_else(|| Error::validation("operator", format!("no user {operator:?}")))?;
    if user.disabled {
        return Err(Error::validation(
            "operator",
            format!("user {operator} is disabled"),
        ));
    }
    let unit = users::unit_by_code(conn, &mapping.unit)?.ok_or_else(|| {
        Error::validation("unit", format!("no operation unit {:?}", mapping.unit))
    })?;
    if user.operation_unit_id != unit.id {
        return Err(Error::forbidden(format!(
            "{operator} is not a user of {}; import as one of its users",
            mapping.unit
        )));
    }
    let office = users::find_office(conn, &unit.id, &mapping.office)?.ok_or_else(|| {
        Error::validation(
            "office",
            format!("no office {:?} in {}", mapping.office, mapping.unit),
        )
    })?;
    let base = crate::auth::scope_for(&user, &format!("import:{}", crate::store::new_id()))?;
    Ok(base.registering_at(office.id))
}

/// Writes one batch in the caller's transaction; returns its id and counts, or `None` when it
/// had nothing new (a second run, or the committed part of a resumed one): then no batch is
/// recorded.
fn write_batch(
    conn: &mut DbConn,
    scope: &Scope,
    mapping: &Mapping,
    batch: &NewBatch,
    households: &[&Household],
    summary: &mut Summary,
    index: &mut NameIndex,
) -> Result<Option<(String, Counts)>> {
    let mut reads = audit::Reads::default();
    let mut counts = Counts::default();
    let mut batch_id: Option<String> = None;
    // Household by household, so each is checked against those written before it, in this
    // batch too.
    for h in households {
        // Earlier batches are written: the database holds all a real run decides against.
        let decision = decide(
            conn,
            scope,
            &mut reads,
            &mapping.source,
            h,
            &Planned::default(),
            index,
        )?;
        summary.count(h, &decision);
        if !decision.writes() {
            continue;
        }
        let id = match &batch_id {
            Some(id) => id.clone(),
            None => imports::start_batch(conn, scope, batch)?,
        };
        let into = Target {
            source: &mapping.source,
            batch_id: &id,
        };
        write_household(conn, scope, into, h, &decision, &mut counts, index)?;
        batch_id = Some(id);
    }
    if !reads.is_empty() {
        audit::append(conn, &audit::Actor::from(scope), &reads.into_entries())?;
    }
    match batch_id {
        Some(id) => {
            imports::finish_batch(conn, &id, &counts)?;
            Ok(Some((id, counts)))
        }
        None => Ok(None),
    }
}

/// Where a household's records go: the source they come from and the batch recording them.
struct Target<'a> {
    source: &'a str,
    batch_id: &'a str,
}

fn write_household(
    conn: &mut DbConn,
    scope: &Scope,
    into: Target,
    h: &Household,
    decision: &Decision,
    counts: &mut Counts,
    index: &mut NameIndex,
) -> Result<()> {
    let Target { source, batch_id } = into;
    let Decision::Import { members, cases } = decision else {
        if let Decision::Linked { existing } = decision {
            for (m, existing) in h.members.iter().zip(existing) {
                imports::note(
                    conn,
                    scope,
                    batch_id,
                    source,
                    (imports::INDIVIDUAL, &m.key),
                    existing,
                    0,
                )?;
                counts.linked += 1;
            }
            imports::note(
                conn,
                scope,
                batch_id,
                source,
                (imports::HOUSEHOLD_LINKED, &h.key),
                &existing[0],
                0,
            )?;
        }
        return Ok(());
    };
    let (first, last) = h.lines();
    counts.first_row = if counts.first_row == 0 {
        first
    } else {
        counts.first_row.min(first)
    };
    counts.last_row = counts.last_row.max(last);
    let new: Vec<(usize, &super::plan::PersonDecision)> = members
        .iter()
        .enumerate()
        .filter(|(_, d)| d.linked_to.is_none())
        .collect();
    let input = GroupInput {
        members: new
            .iter()
            .map(|(i, _)| MemberInput {
                person: h.members[*i].person.clone(),
                relationship: h.members[*i].relationship.clone(),
            })
            .collect(),
    };
    let keys: Vec<String> = new.iter().map(|(i, _)| h.members[*i].key.clone()).collect();
    let origin = Origin {
        source,
        batch_id,
        group_key: &h.key,
        member_keys: &keys,
    };
    let done = registry::register_imported_group(conn, scope, &input, &origin)?;
    imports::note(
        conn,
        scope,
        batch_id,
        source,
        (imports::HOUSEHOLD, &h.key),
        &done.group_id,
        1,
    )?;
    counts.groups += 1;
    let mut id_of: Vec<(String, String)> = Vec::new();
    for ((i, d), id) in new.iter().zip(&done.individual_ids) {
        let m = &h.members[*i];
        // The next household of this batch looks for it: the feed names it only at commit.
        index.add(id, &m.person);
        imports::note(
            conn,
            scope,
            batch_id,
            source,
            (imports::INDIVIDUAL, &m.key),
            id,
            1,
        )?;
        counts.individuals += 1;
        counts.needs += m.person.specific_needs.len();
        counts.documents += m.person.documents.len();
        id_of.push((m.key.clone(), id.clone()));
        for c in &d.possible {
            imports::add_review(
                conn,
                scope,
                batch_id,
                &NewReview {
                    individual_id: id,
                    candidate_id: &c.candidate_id,
                    score: c.score,
                    reasons: &c.reasons,
                    within_import: c.within_import,
                },
            )?;
        }
    }
    for (m, d) in h.members.iter().zip(members) {
        if let Some(existing) = &d.linked_to {
            imports::note(
                conn,
                scope,
                batch_id,
                source,
                (imports::INDIVIDUAL, &m.key),
                existing,
                0,
            )?;
            counts.linked += 1;
        }
    }
    for case in cases.iter().map(|&i| &h.cases[i]) {
        let Some(principal) = id_of
            .iter()
            .find(|(k, _)| k == &case.principal_key)
            .map(|(_, id)| id.clone())
        else {
            continue;
        };
        let new_case = NewCase {
            group_id: done.group_id.clone(),
            principal_id: principal.clone(),
            member_ids: id_of
                .iter()
                .map(|(_, id)| id.clone())
                .filter(|id| id != &principal)
                .collect(),
            modality: Modality::Regular,
            claim_summary: None,
        };
        let imported = ImportedCase {
            status: case.status,
            opened_at: case.opened_at.unwrap_or_else(now),
            status_at: case.status_at,
            source: source.to_string(),
            source_key: case.key.clone(),
            batch_id: batch_id.to_string(),
            history: case
                .events
                .iter()
                .map(|e| RecordEvent::EarlierEvent {
                    source: source.to_string(),
                    on: e.on,
                    what: e.what.clone(),
                    note: e.note.clone(),
                })
                .collect(),
        };
        let id = workflow::open_imported_case(conn, scope, &new_case, &imported)?;
        imports::note(
            conn,
            scope,
            batch_id,
            source,
            (imports::CASE, &case.key),
            &id,
            1,
        )?;
        counts.cases += 1;
    }
    Ok(())
}

/// Rolls a batch back as `operator`: `Ok(Err(list))` when records changed since the import
/// (nothing is removed then).
pub fn rollback(
    db: &Database,
    batch_id: &str,
    operator: &str,
) -> Result<std::result::Result<imports::RolledBack, Vec<imports::Changed>>> {
    let mut refused = None;
    let done = db.write_blocking(|c| {
        let user = users::user_by_username(c, operator)?
            .ok_or_else(|| Error::validation("operator", format!("no user {operator:?}")))?;
        if user.disabled {
            return Err(Error::validation(
                "operator",
                format!("user {operator} is disabled"),
            ));
        }
        let scope = crate::auth::scope_for(&user, &format!("import-rollback:{batch_id}"))?;
        match imports::rollback(c, &scope, batch_id) {
            Ok(done) => Ok(Some(done)),
            Err(imports::RollbackRefusal::Changed(list)) => {
                refused = Some(list);
                // Nothing to keep: the refusal itself wrote nothing.
                Ok(None)
            }
            Err(imports::RollbackRefusal::Failed(e)) => Err(e),
        }
    })?;
    Ok(match (done, refused) {
        (Some(d), _) => Ok(d),
        (None, Some(list)) => Err(list),
        (None, None) => Err(Vec::new()),
    })
}
