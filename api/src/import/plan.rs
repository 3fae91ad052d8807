//! What happens to each household: created, linked to records Amparo already holds, or
//! skipped, and why. Certain matches (the same source key imported before, the same document
//! number) are linked; possible ones (registration's name keys and duplicate rules) are created
//! and listed for a registrar to review.
//!
//! A real run decides each household against the database, where the earlier batches of the
//! same run are already written. A dry run writes nothing, so it keeps what earlier batches
//! would have written in memory ([`Planned`]) and decides against both.

use std::collections::{HashMap, HashSet};

use super::candidates::NameIndex;
use super::validate::Household;
use crate::domain::import::ImportedStatus;
use crate::domain::names::{self, DuplicateMatch, DuplicateReason, PersonFacts};
use crate::domain::registration::FOCAL_POINT;
use crate::error::Result;
use crate::store::audit::Reads;
use crate::store::imports;
use crate::store::{DbConn, Scope, queries};

/// How many earlier records one person is compared with for review.
const REVIEW_CANDIDATES: usize = 3;

/// A possible duplicate of an incoming person.
#[derive(Debug, Clone)]
pub struct Possible {
    pub candidate_id: String,
    pub score: u8,
    pub reasons: Vec<String>,
    /// The candidate came from the same source (earlier in this import or an earlier run).
    pub within_import: bool,
}

/// What happens to one member of a household that is imported.
#[derive(Debug, Clone, Default)]
pub struct PersonDecision {
    /// A certain match: the record Amparo already holds for this person; nothing is created.
    pub linked_to: Option<String>,
    /// Possible duplicates, for review.
    pub possible: Vec<Possible>,
}

/// What happens to a household.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Registered, its members as decided one by one; `cases` are the indexes of its cases to
    /// open.
    Import {
        members: Vec<PersonDecision>,
        cases: Vec<usize>,
    },
    /// Every member is already in Amparo: nothing created, the source keys point at them.
    Linked { existing: Vec<String> },
    /// Nothing written, for this reason.
    Skip(Skip),
}

/// Why a household is not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Its source key was imported before (a second run, or a resumed one).
    AlreadyImported,
    /// A row of it is wrong (see the problems).
    Invalid(String),
    /// Its focal point is already in Amparo but other members are not: a registrar decides
    /// where they belong.
    FocalPointExists { number: String },
}

impl Decision {
    /// Whether the household writes anything.
    pub fn writes(&self) -> bool {
        !matches!(self, Decision::Skip(_))
    }
}

fn reason_word(r: DuplicateReason) -> &'static str {
    match r {
        DuplicateReason::SimilarName => "similar_name",
        DuplicateReason::SameBirthDate => "same_birth_date",
        DuplicateReason::NearBirthDate => "near_birth_date",
        DuplicateReason::SameNationality => "same_nationality",
        DuplicateReason::SameSex => "same_sex",
    }
}

/// What a dry run's earlier batches would have written: the records a real run finds in the
/// database when it decides a later household. Empty in a real run.
#[derive(Debug, Default)]
pub struct Planned {
    households: HashSet<String>,
    /// A person's source key: the record it would be, created or linked.
    individuals: HashMap<String, String>,
    /// A document number: the person holding it (id, and the words that name them).
    documents: HashMap<String, (String, String)>,
    people: Vec<(String, PersonFacts)>,
    /// Whole-word name keys: the people (indexes of `people`) whose names hold them, as the
    /// database's name keys find registered people.
    keys: HashMap<String, Vec<usize>>,
}

impl Planned {
    /// Keeps what a real run would write for this household.
    pub fn note(&mut self, h: &Household, d: &Decision) {
        match d {
            Decision::Skip(_) => {}
            Decision::Linked { existing } => {
                self.households.insert(h.key.clone());
                for (m, id) in h.members.iter().zip(existing) {
                    self.individuals.insert(m.key.clone(), id.clone());
                }
            }
            Decision::Import { members, .. } => {
                self.households.insert(h.key.clone());
                for (m, pd) in h.members.iter().zip(members) {
                    if let Some(id) = &pd.linked_to {
                        self.individuals.insert(m.key.clone(), id.clone());
                        continue;
                    }
                    // No id is drawn in a dry run; the source key names the person instead.
                    let id = format!("planned:{}", m.key);
                    self.individuals.insert(m.key.clone(), id.clone());
                    for doc in &m.person.documents {
                        self.documents
                            .entry(doc.number.clone())
                            .or_insert_with(|| (id.clone(), m.key.clone()));
                    }
                    let at = self.people.len();
                    for key in names::index_tokens(m.person.name_parts()) {
                        self.keys.entry(key).or_default().push(at);
                    }
                    self.people.push((id, m.person.facts()));
                }
            }
        }
    }

    /// People planned earlier who may be this one, as `queries::possible_duplicates` finds them
    /// among registered people: a key of the first given name and one of the first family name
    /// (or the second given name), then registration's duplicate score.
    fn possible(&self, facts: &PersonFacts) -> Vec<(String, DuplicateMatch)> {
        let Some((g, f)) = names::candidate_keys(facts) else {
            return Vec::new();
        };
        let holding = |keys: Vec<String>| -> HashSet<usize> {
            keys.iter()
                .filter_map(|k| self.keys.get(k))
                .flatten()
                .copied()
                .collect()
        };
        let (in_g, in_f) = (holding(g), holding(f));
        let mut found: Vec<usize> = in_g.intersection(&in_f).copied().collect();
        found.sort_unstable();
        found
            .into_iter()
            .filter_map(|i| {
                let (id, existing) = &self.people[i];
                names::duplicate_score(facts, existing).map(|m| (id.clone(), m))
            })
            .collect()
    }
}

/// Decides what happens to a household, against what the database holds now (earlier
/// households of the same run included: they were written in this transaction or before; the
/// name `index` holds them too) and, in a dry run, against what its earlier batches planned.
pub fn decide(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    source: &str,
    h: &Household,
    planned: &Planned,
    index: &NameIndex,
) -> Result<Decision> {
    if let Some(why) = &h.refused {
        return Ok(Decision::Skip(Skip::Invalid(why.clone())));
    }
    if planned.households.contains(&h.key) {
        return Ok(Decision::Skip(Skip::AlreadyImported));
    }
    for kind in [imports::HOUSEHOLD, imports::HOUSEHOLD_LINKED] {
        if imports::imported(conn, scope, source, kind, &h.key)?.is_some() {
            return Ok(Decision::Skip(Skip::AlreadyImported));
        }
    }
    let mut members = Vec::with_capacity(h.members.len());
    let mut focal_match: Option<String> = None;
    for m in &h.members {
        let linked_to = match planned.individuals.get(&m.key) {
            Some(id) => Some(id.clone()),
            None => imports::imported(conn, scope, source, imports::INDIVIDUAL, &m.key)?,
        };
        let mut d = PersonDecision {
            linked_to,
            ..PersonDecision::default()
        };
        if d.linked_to.is_none() {
            for doc in &m.person.documents {
                let holder = match planned.documents.get(&doc.number) {
                    Some(h) => Some(h.clone()),
                    None => imports::holder_of_document(conn, scope, &doc.number)?,
                };
                if let Some((id, number)) = holder {
                    if m.relationship == FOCAL_POINT {
                        focal_match = Some(number);
                    }
                    d.linked_to = Some(id);
                    break;
                }
            }
        } else if m.relationship == FOCAL_POINT {
            focal_match = Some(m.key.clone());
        }
        members.push(d);
    }
    if members.iter().all(|d| d.linked_to.is_some()) {
        return Ok(Decision::Linked {
            existing: members.into_iter().filter_map(|d| d.linked_to).collect(),
        });
    }
    if let Some(number) = focal_match {
        return Ok(Decision::Skip(Skip::FocalPointExists { number }));
    }
    for (m, d) in h.members.iter().zip(members.iter_mut()) {
        if d.linked_to.is_some() {
            continue;
        }
        let facts = m.person.facts();
        let mut found: Vec<(String, DuplicateMatch, bool)> = Vec::new();
        let candidates = index.candidates(&facts);
        for (row, matched) in queries::possible_duplicates_among(
            conn,
            scope,
            reads,
            &facts,
            &candidates,
            REVIEW_CANDIDATES,
        )? {
            let within_import = imports::imported_from(conn, scope, source, &row.id)?;
            found.push((row.id, matched, within_import));
        }
        found.extend(
            planned
                .possible(&facts)
                .into_iter()
                .map(|(id, matched)| (id, matched, true)),
        );
        // Stable: at equal scores registered people come first, as the database lists them.
        found.sort_by_key(|(_, m, _)| std::cmp::Reverse(m.score));
        found.truncate(REVIEW_CANDIDATES);
        for (candidate_id, matched, within_import) in found {
            d.possible.push(Possible {
                candidate_id,
                score: matched.score,
                reasons: matched
                    .reasons
                    .into_iter()
                    .map(|r| reason_word(r).to_string())
                    .collect(),
                within_import,
            });
        }
    }
    // A case opens for a principal created now, and one open case per principal (the later
    // ones of the source are reported as skipped).
    let mut cases = Vec::new();
    let mut open_principals: Vec<&str> = Vec::new();
    for (i, c) in h.cases.iter().enumerate() {
        let created = h
            .members
            .iter()
            .zip(&members)
            .any(|(m, d)| m.key == c.principal_key && d.linked_to.is_none());
        let open = matches!(
            c.status,
            ImportedStatus::Registered | ImportedStatus::Admissible
        );
        if !created || (open && open_principals.contains(&c.principal_key.as_str())) {
            continue;
        }
        if open {
            open_principals.push(&c.principal_key);
        }
        cases.push(i);
    }
    Ok(Decision::Import { members, cases })
}

/// The counts a report ends with: what was (or would be) created, linked, skipped, and why.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub households_created: usize,
    pub households_linked: usize,
    pub households_already_imported: usize,
    pub households_invalid: usize,
    pub households_focal_point_exists: usize,
    pub individuals_created: usize,
    pub individuals_linked: usize,
    pub individuals_skipped: usize,
    pub cases_created: usize,
    pub cases_skipped: usize,
    pub needs_created: usize,
    pub documents_created: usize,
    pub possible_duplicates: usize,
    /// Households left out, with why, in source order.
    pub skipped: Vec<(String, String)>,
}

impl Summary {
    pub fn count(&mut self, h: &Household, d: &Decision) {
        match d {
            Decision::Import { members, cases } => {
                self.households_created += 1;
                for (m, pd) in h.members.iter().zip(members) {
                    if pd.linked_to.is_some() {
                        self.individuals_linked += 1;
                    } else {
                        self.individuals_created += 1;
                        self.needs_created += m.person.specific_needs.len();
                        self.documents_created += m.person.documents.len();
                        self.possible_duplicates += pd.possible.len();
                    }
                }
                self.cases_created += cases.len();
                self.cases_skipped += h.cases.len() - cases.len();
            }
            Decision::Linked { existing } => {
                self.households_linked += 1;
                self.individuals_linked += existing.len();
                self.cases_skipped += h.cases.len();
            }
            Decision::Skip(why) => {
                self.individuals_skipped += h.members.len() + h.refused_members;
                self.cases_skipped += h.cases.len();
                let text = match why {
                    Skip::AlreadyImported => {
                        self.households_already_imported += 1;
                        return;
                    }
                    Skip::Invalid(w) => {
                        self.households_invalid += 1;
                        w.clone()
                    }
                    Skip::FocalPointExists { number } => {
                        self.households_focal_point_exists += 1;
                        format!(
                            "the focal point is already registered as {number}; add the other members to that group by hand"
                        )
                    }
                };
                self.skipped.push((h.key.clone(), text));
            }
        }
    }
}
