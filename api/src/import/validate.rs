//! Reads the source tables through the mapping into households ready to register, and lists
//! every row that cannot be imported with what is wrong and where. Nothing here touches the
//! database: deduplication and writing happen in [`super::run`].
//!
//! A household is imported whole or not at all: a member whose row is wrong keeps the whole
//! household out (registering the rest would split a family the source kept together). A need,
//! document or case row that is wrong is left out alone.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};

use super::mapping::{
    CasesFile, CodeList, DocumentsFile, EventsFile, HouseholdsFile, Mapping, NeedsFile, need_target,
};
use super::source::{self, Row, Table};
use crate::domain::import::{ImportedStatus, generation_contradiction};
use crate::domain::registration::{DocumentInput, FOCAL_POINT, NeedInput, PersonInput};
use crate::error::Result;

/// What kind of problem a row has, as the report groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// A required value is empty.
    Missing,
    /// A date that is not a date in the mapping's formats, or cannot be (in the future, before
    /// 1900, arrival before birth).
    ImpossibleDate,
    /// A source code the mapping does not translate.
    UnknownCode,
    /// A child born before the focal point, or a parent after.
    ChildOlderThanParent,
    /// A household or group with no focal point (or more than one).
    NoFocalPoint,
    /// A case whose principal applicant is missing or not in its household.
    CaseWithoutPrincipal,
    /// A row naming a person, household or case that is not in the source.
    UnknownReference,
    /// A key that appears twice.
    RepeatedKey,
    /// Any other value our rules refuse (too long, a bad document number...).
    Invalid,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Missing => "missing value",
            ProblemKind::ImpossibleDate => "impossible date",
            ProblemKind::UnknownCode => "unmapped code",
            ProblemKind::ChildOlderThanParent => "child older than the parent",
            ProblemKind::NoFocalPoint => "group without a focal point",
            ProblemKind::CaseWithoutPrincipal => "case without a principal applicant",
            ProblemKind::UnknownReference => "unknown reference",
            ProblemKind::RepeatedKey => "repeated key",
            ProblemKind::Invalid => "invalid value",
        }
    }
}

/// One thing wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub table: String,
    pub line: usize,
    pub key: Option<String>,
    pub field: String,
    pub kind: ProblemKind,
    pub what: String,
}

/// A member ready to register.
#[derive(Debug, Clone)]
pub struct Member {
    pub key: String,
    pub line: usize,
    pub relationship: String,
    pub person: PersonInput,
}

/// A case ready to open for its household.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub key: String,
    pub line: usize,
    pub principal_key: String,
    pub status: ImportedStatus,
    pub opened_at: Option<NaiveDateTime>,
    pub status_at: Option<NaiveDateTime>,
    /// Its history in the earlier system, oldest first.
    pub events: Vec<EarlierEvent>,
}

/// One event of a case's history in the earlier system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierEvent {
    pub on: NaiveDate,
    pub what: String,
    pub note: Option<String>,
}

/// The longest event description and note kept (longer ones are reported, not cut).
const EVENT_WHAT_MAX: usize = 200;
const EVENT_NOTE_MAX: usize = 4000;

/// A household of the source, with why it cannot be imported if it cannot.
#[derive(Debug, Clone)]
pub struct Household {
    pub key: String,
    pub members: Vec<Member>,
    pub cases: Vec<CaseRecord>,
    pub refused: Option<String>,
    /// Members whose own rows are wrong (not among `members`).
    pub refused_members: usize,
}

impl Household {
    /// The lines of its members in the individuals file.
    pub fn lines(&self) -> (usize, usize) {
        let lines = self.members.iter().map(|m| m.line);
        (
            lines.clone().min().unwrap_or_default(),
            lines.max().unwrap_or_default(),
        )
    }
}

/// The source read through the mapping.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// In the order of their first member in the individuals file.
    pub households: Vec<Household>,
    pub problems: Vec<Problem>,
    /// Source values no mapping translates, with how many rows carry them.
    pub unmapped: BTreeMap<(CodeList, String), usize>,
    /// Rows read per table.
    pub rows: Vec<(String, usize)>,
    /// The files read, for the batch record.
    pub files: Vec<String>,
}

struct Checker<'m> {
    mapping: &'m Mapping,
    today: NaiveDate,
    problems: Vec<Problem>,
    unmapped: BTreeMap<(CodeList, String), usize>,
}

impl Checker<'_> {
    fn problem(
        &mut self,
        row: &Row,
        key: Option<&str>,
        field: &str,
        kind: ProblemKind,
        what: String,
    ) {
        self.problems.push(Problem {
            table: row.table().to_string(),
            line: row.line,
            key: key.map(str::to_string),
            field: field.to_string(),
            kind,
            what,
        });
    }

    fn required<'r>(&mut self, row: &Row<'r>, key: Option<&str>, column: &str) -> Option<&'r str> {
        let v = row.get(column);
        if v.is_none() {
            self.problem(row, key, column, ProblemKind::Missing, "is empty".into());
        }
        v
    }

    fn code(
        &mut self,
        row: &Row,
        key: Option<&str>,
        column: &str,
        list: CodeList,
        value: &str,
    ) -> Option<String> {
        match self.mapping.codes.map(list, value) {
            Some(c) => Some(c.to_string()),
            None => {
                *self.unmapped.entry((list, value.to_string())).or_default() += 1;
                self.problem(
                    row,
                    key,
                    column,
                    ProblemKind::UnknownCode,
                    format!(
                        "{value:?} is not in the mapping's [codes.{}]",
                        list.as_str()
                    ),
                );
                None
            }
        }
    }

    fn opt_code(
        &mut self,
        row: &Row,
        key: Option<&str>,
        column: &Option<String>,
        list: CodeList,
    ) -> Result<Option<String>, ()> {
        match (column, row.opt(column)) {
            (Some(c), Some(v)) => self.code(row, key, c, list, v).map(Some).ok_or(()),
            _ => Ok(None),
        }
    }

    fn date(
        &mut self,
        row: &Row,
        key: Option<&str>,
        column: &Option<String>,
    ) -> Result<Option<NaiveDate>, ()> {
        let (Some(c), Some(v)) = (column, row.opt(column)) else {
            return Ok(None);
        };
        match self.mapping.date(v) {
            Some(d) if d > self.today => {
                self.problem(
                    row,
                    key,
                    c,
                    ProblemKind::ImpossibleDate,
                    format!("{v:?} is in the future"),
                );
                Err(())
            }
            Some(d) if d.year_ce().1 < 1900 => {
                self.problem(
                    row,
                    key,
                    c,
                    ProblemKind::ImpossibleDate,
                    format!("{v:?} is before 1900"),
                );
                Err(())
            }
            Some(d) => Ok(Some(d)),
            None => {
                let formats = self.mapping.date_formats.join(", ");
                self.problem(
                    row,
                    key,
                    c,
                    ProblemKind::ImpossibleDate,
                    format!("{v:?} is not a date (formats: {formats}, %Y-%m-%d)"),
                );
                Err(())
            }
        }
    }
}

use chrono::Datelike;

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).unwrap_or_default()
}

/// A table's columns to require: the mapping's required ones and those of its optional ones
/// it names.
fn required_columns<'a, const R: usize, const O: usize>(
    required: [&'a String; R],
    optional: [&'a Option<String>; O],
) -> Vec<&'a str> {
    let named = optional.into_iter().flatten();
    required
        .into_iter()
        .chain(named)
        .map(String::as_str)
        .collect()
}

/// Reads every table the mapping names from `sources` and prepares the households.
pub fn prepare(mapping: &Mapping, sources: &[PathBuf], today: NaiveDate) -> Result<Prepared> {
    let tables = Tables::open(mapping, sources)?;
    let mut b = Builder::new(mapping, today);
    b.read_people(&tables.people);
    if let (Some(t), Some(m)) = (&tables.needs, &mapping.needs) {
        b.read_needs(t, m);
    }
    if let (Some(t), Some(m)) = (&tables.documents, &mapping.documents) {
        b.read_documents(t, m);
    }
    // After needs and documents: a member is checked as they will be registered, with them.
    b.check_households(&tables.people);
    if let (Some(t), Some(m)) = (&tables.households, &mapping.households) {
        b.check_household_keys(t, m);
    }
    // After the household rules: a household already refused is not searched for a principal.
    if let (Some(t), Some(m)) = (&tables.cases, &mapping.cases) {
        b.read_cases(t, m);
    }
    if let (Some(t), Some(m)) = (&tables.events, &mapping.events) {
        b.read_events(t, m);
    }
    let (rows, files) = tables.counts();
    Ok(Prepared {
        households: b.households,
        problems: b.ck.problems,
        unmapped: b.ck.unmapped,
        rows,
        files,
    })
}

/// The tables the mapping names, each holding every column the mapping reads from it.
struct Tables {
    people: Table,
    households: Option<Table>,
    needs: Option<Table>,
    documents: Option<Table>,
    cases: Option<Table>,
    events: Option<Table>,
}

impl Tables {
    /// Opens every table, refusing a missing file or column before any row is read.
    fn open(mapping: &Mapping, sources: &[PathBuf]) -> Result<Tables> {
        let delimiter = mapping.delimiter.map_or(b',', |c| c as u8);
        let open = |file: &str, sheet: &Option<String>| {
            source::open(sources, file, sheet.as_deref(), delimiter)
        };
        let ind = &mapping.individuals;
        let people = open(&ind.file, &ind.sheet)?;
        people.require(&required_columns(
            [
                &ind.key,
                &ind.household,
                &ind.relationship,
                &ind.given_names,
            ],
            [
                &ind.middle_name,
                &ind.family_name,
                &ind.second_family_name,
                &ind.sex,
                &ind.date_of_birth,
                &ind.nationality,
                &ind.country_of_origin,
                &ind.arrival_date,
            ],
        ))?;
        let households = match &mapping.households {
            Some(h) => {
                let t = open(&h.file, &h.sheet)?;
                t.require(&[&h.key])?;
                Some(t)
            }
            None => None,
        };
        let needs = match &mapping.needs {
            Some(n) => {
                let t = open(&n.file, &n.sheet)?;
                t.require(&[&n.person, &n.code])?;
                Some(t)
            }
            None => None,
        };
        let documents = match &mapping.documents {
            Some(d) => {
                let t = open(&d.file, &d.sheet)?;
                t.require(&required_columns(
                    [&d.person, &d.document_type, &d.number],
                    [&d.issuing_country, &d.issued_on, &d.expires_on],
                ))?;
                Some(t)
            }
            None => None,
        };
        let cases = match &mapping.cases {
            Some(c) => {
                let t = open(&c.file, &c.sheet)?;
                t.require(&required_columns(
                    [&c.key, &c.household, &c.principal, &c.status],
                    [&c.opened, &c.status_date],
                ))?;
                Some(t)
            }
            None => None,
        };
        let events = match &mapping.events {
            Some(e) => {
                let t = open(&e.file, &e.sheet)?;
                t.require(&required_columns([&e.case, &e.date, &e.what], [&e.note]))?;
                Some(t)
            }
            None => None,
        };
        Ok(Tables {
            people,
            households,
            needs,
            documents,
            cases,
            events,
        })
    }

    /// The rows read per table and the files read, the individuals first, for the batch record.
    fn counts(&self) -> (Vec<(String, usize)>, Vec<String>) {
        let mut rows = vec![(self.people.name.clone(), self.people.len())];
        let mut files = vec![self.people.name.clone()];
        for t in [
            &self.households,
            &self.needs,
            &self.documents,
            &self.cases,
            &self.events,
        ]
        .into_iter()
        .flatten()
        {
            rows.push((t.name.clone(), t.len()));
            files.push(t.name.clone());
        }
        (rows, files)
    }
}

/// The households as the tables are read into them, with where each household and person is
/// so a later table's rows find theirs.
struct Builder<'m> {
    ck: Checker<'m>,
    households: Vec<Household>,
    household_at: HashMap<String, usize>,
    /// Where each person is: household index and member index, or None when their row is bad.
    person_at: HashMap<String, Option<(usize, usize)>>,
}

impl<'m> Builder<'m> {
    /// Nothing read yet.
    fn new(mapping: &'m Mapping, today: NaiveDate) -> Builder<'m> {
        Builder {
            ck: Checker {
                mapping,
                today,
                problems: Vec::new(),
                unmapped: BTreeMap::new(),
            },
            households: Vec::new(),
            household_at: HashMap::new(),
            person_at: HashMap::new(),
        }
    }

    /// Reads the individuals into households; a member whose row is wrong refuses their household.
    fn read_people(&mut self, people: &Table) {
        let ck = &mut self.ck;
        let ind = &ck.mapping.individuals;
        for row in people.rows() {
            let key = ck.required(&row, None, &ind.key).map(str::to_string);
            let k = key.as_deref();
            let household = ck.required(&row, k, &ind.household).map(str::to_string);
            if let Some(k) = k
                && self.person_at.contains_key(k)
            {
                ck.problem(
                    &row,
                    Some(k),
                    &ind.key,
                    ProblemKind::RepeatedKey,
                    format!("person {k} appears twice"),
                );
                continue;
            }
            let (Some(key), Some(household)) = (key, household) else {
                continue;
            };
            let households = &mut self.households;
            let h = *self
                .household_at
                .entry(household.clone())
                .or_insert_with(|| {
                    households.push(Household {
                        key: household.clone(),
                        members: Vec::new(),
                        cases: Vec::new(),
                        refused: None,
                        refused_members: 0,
                    });
                    households.len() - 1
                });
            match person(ck, &row, &key) {
                Some(member) => {
                    self.person_at
                        .insert(key, Some((h, households[h].members.len())));
                    households[h].members.push(member);
                }
                None => {
                    self.person_at.insert(key.clone(), None);
                    households[h].refused_members += 1;
                    households[h].refused.get_or_insert(format!(
                        "member {key} ({} line {}) has errors",
                        row.table(),
                        row.line
                    ));
                }
            }
        }
    }

    /// Adds each need to the person its row names.
    fn read_needs(&mut self, t: &Table, m: &NeedsFile) {
        for row in t.rows() {
            let ck = &mut self.ck;
            let Some(who) = ck.required(&row, None, &m.person) else {
                continue;
            };
            let Some(code) = ck.required(&row, Some(who), &m.code) else {
                continue;
            };
            let Some(target) = ck.code(&row, Some(who), &m.code, CodeList::Need, code) else {
                continue;
            };
            let (code, sub) = need_target(&target);
            let need = NeedInput {
                code: code.to_string(),
                sub_code: sub.map(str::to_string),
                comments: None,
            };
            self.attach(&row, &m.person, who, |p| p.specific_needs.push(need));
        }
    }

    /// Adds each document to the person its row names, checked as registration checks it.
    fn read_documents(&mut self, t: &Table, m: &DocumentsFile) {
        for row in t.rows() {
            let ck = &mut self.ck;
            let Some(who) = ck.required(&row, None, &m.person) else {
                continue;
            };
            let Some(kind) = ck.required(&row, Some(who), &m.document_type) else {
                continue;
            };
            let Some(number) = ck.required(&row, Some(who), &m.number) else {
                continue;
            };
            let Some(document_type) = ck.code(
                &row,
                Some(who),
                &m.document_type,
                CodeList::DocumentType,
                kind,
            ) else {
                continue;
            };
            let Ok(issuing_country) =
                ck.opt_code(&row, Some(who), &m.issuing_country, CodeList::Nationality)
            else {
                continue;
            };
            let (Ok(issued_on), Ok(expires_on)) = (
                ck.date(&row, Some(who), &m.issued_on),
                ck.date_any(&row, Some(who), &m.expires_on),
            ) else {
                continue;
            };
            let doc = DocumentInput {
                document_type,
                number: number.to_string(),
                issuing_country,
                issued_on,
                expires_on,
            };
            if let Err(e) = doc.validate(ck.today) {
                ck.problem(
                    &row,
                    Some(who),
                    e.field.as_deref().unwrap_or(&m.number),
                    ProblemKind::Invalid,
                    e.message,
                );
                continue;
            }
            self.attach(&row, &m.person, who, |p| p.documents.push(doc));
        }
    }

    /// Adds a need or document to the person a row names, or reports the row.
    fn attach(&mut self, row: &Row, column: &str, who: &str, add: impl FnOnce(&mut PersonInput)) {
        match self.person_at.get(who) {
            Some(Some((h, m))) => add(&mut self.households[*h].members[*m].person),
            // The person's own row is wrong and already reported; their household stays out.
            Some(None) => {}
            None => self.ck.problem(
                row,
                Some(who),
                column,
                ProblemKind::UnknownReference,
                format!("person {who} is not in the individuals file"),
            ),
        }
    }

    /// Refuses households without one focal point or with a member registration would refuse.
    fn check_households(&mut self, people: &Table) {
        let ind = &self.ck.mapping.individuals;
        let today = self.ck.today;
        let problems = &mut self.ck.problems;
        for h in self.households.iter_mut() {
            let focal: Vec<&Member> = h
                .members
                .iter()
                .filter(|m| m.relationship == FOCAL_POINT)
                .collect();
            if h.refused.is_none() && focal.len() != 1 {
                let (first, _) = h.lines();
                problems.push(Problem {
                    table: people.name.clone(),
                    line: first,
                    key: Some(h.key.clone()),
                    field: ind.relationship.clone(),
                    kind: ProblemKind::NoFocalPoint,
                    what: format!(
                        "household {} has {} focal points; it needs exactly one",
                        h.key,
                        focal.len()
                    ),
                });
                h.refused = Some(format!("household {} has no single focal point", h.key));
                continue;
            }
            let focal_birth = focal.first().and_then(|f| f.person.date_of_birth);
            let mut refused = None;
            for m in &h.members {
                if generation_contradiction(&m.relationship, m.person.date_of_birth, focal_birth) {
                    problems.push(Problem {
                        table: people.name.clone(),
                        line: m.line,
                        key: Some(m.key.clone()),
                        field: ind.date_of_birth.clone().unwrap_or_default(),
                        kind: ProblemKind::ChildOlderThanParent,
                        what: format!(
                            "{} ({}) is born {} but the focal point {}",
                            m.key,
                            m.relationship,
                            m.person
                                .date_of_birth
                                .map(|d| d.to_string())
                                .unwrap_or_default(),
                            focal_birth.map(|d| d.to_string()).unwrap_or_default()
                        ),
                    });
                    refused.get_or_insert(format!(
                        "member {} contradicts the focal point's age",
                        m.key
                    ));
                }
                if let Err(e) = m.person.validate(today) {
                    let kind = match e.reason {
                        crate::domain::error::Reason::InFuture
                        | crate::domain::error::Reason::TooEarly { .. }
                        | crate::domain::error::Reason::BeforeOther { .. } => {
                            ProblemKind::ImpossibleDate
                        }
                        _ => ProblemKind::Invalid,
                    };
                    problems.push(Problem {
                        table: people.name.clone(),
                        line: m.line,
                        key: Some(m.key.clone()),
                        field: e.field.clone().unwrap_or_default(),
                        kind,
                        what: e.message.clone(),
                    });
                    refused.get_or_insert(format!("member {} has errors", m.key));
                }
            }
            if h.refused.is_none() {
                h.refused = refused;
            }
        }
    }

    /// Reports each household of the households table that has no members in the individuals.
    fn check_household_keys(&mut self, t: &Table, m: &HouseholdsFile) {
        for row in t.rows() {
            let Some(key) = self.ck.required(&row, None, &m.key) else {
                continue;
            };
            if !self.household_at.contains_key(key) {
                self.ck.problem(
                    &row,
                    Some(key),
                    &m.key,
                    ProblemKind::NoFocalPoint,
                    format!("household {key} has no members, so no focal point"),
                );
            }
        }
    }

    /// Gives each household its cases; a case whose principal is not a member is left out.
    fn read_cases(&mut self, t: &Table, m: &CasesFile) {
        let ck = &mut self.ck;
        let households = &mut self.households;
        let mut seen: HashMap<String, ()> = HashMap::new();
        for row in t.rows() {
            let Some(key) = ck.required(&row, None, &m.key) else {
                continue;
            };
            if seen.insert(key.to_string(), ()).is_some() {
                ck.problem(
                    &row,
                    Some(key),
                    &m.key,
                    ProblemKind::RepeatedKey,
                    format!("case {key} appears twice"),
                );
                continue;
            }
            let Some(household) = ck.required(&row, Some(key), &m.household) else {
                continue;
            };
            let Some(&h) = self.household_at.get(household) else {
                ck.problem(
                    &row,
                    Some(key),
                    &m.household,
                    ProblemKind::UnknownReference,
                    format!("household {household} is not in the individuals file"),
                );
                continue;
            };
            let Some(principal) = row.get(&m.principal) else {
                ck.problem(
                    &row,
                    Some(key),
                    &m.principal,
                    ProblemKind::CaseWithoutPrincipal,
                    format!("case {key} names no principal applicant"),
                );
                continue;
            };
            if households[h].refused.is_none()
                && !households[h].members.iter().any(|x| x.key == principal)
            {
                ck.problem(&row, Some(key), &m.principal, ProblemKind::CaseWithoutPrincipal, format!("the principal applicant {principal} is not a member of household {household}"));
                continue;
            }
            let Some(status) = ck.required(&row, Some(key), &m.status) else {
                continue;
            };
            let Some(target) = ck.code(&row, Some(key), &m.status, CodeList::CaseStatus, status)
            else {
                continue;
            };
            let Some(status) = ImportedStatus::parse(&target) else {
                continue;
            };
            let (Ok(opened), Ok(status_at)) = (
                ck.date(&row, Some(key), &m.opened),
                ck.date(&row, Some(key), &m.status_date),
            ) else {
                continue;
            };
            households[h].cases.push(CaseRecord {
                key: key.to_string(),
                line: row.line,
                principal_key: principal.to_string(),
                status,
                opened_at: opened.map(midnight),
                status_at: status_at.map(midnight),
                events: Vec::new(),
            });
        }
    }

    /// Gives each case read well its earlier history, oldest first.
    fn read_events(&mut self, t: &Table, m: &EventsFile) {
        let ck = &mut self.ck;
        let households = &mut self.households;
        // Where each case read well is: household and case index.
        let case_at: HashMap<String, (usize, usize)> = households
            .iter()
            .enumerate()
            .flat_map(|(h, hh)| {
                hh.cases
                    .iter()
                    .enumerate()
                    .map(move |(c, case)| (case.key.clone(), (h, c)))
            })
            .collect();
        for row in t.rows() {
            let Some(case) = ck.required(&row, None, &m.case) else {
                continue;
            };
            let Some(&(h, c)) = case_at.get(case) else {
                ck.problem(
                    &row,
                    Some(case),
                    &m.case,
                    ProblemKind::UnknownReference,
                    format!("case {case} is not in the cases file (or its row is wrong)"),
                );
                continue;
            };
            let date_column = Some(m.date.clone());
            let Ok(on) = ck.date(&row, Some(case), &date_column) else {
                continue;
            };
            let Some(on) = on else {
                ck.problem(
                    &row,
                    Some(case),
                    &m.date,
                    ProblemKind::Missing,
                    "the event has no date".to_string(),
                );
                continue;
            };
            let Some(what) = ck.required(&row, Some(case), &m.what) else {
                continue;
            };
            let note = row.opt(&m.note).map(str::to_string);
            let too_long = [
                (&m.what, Some(what), EVENT_WHAT_MAX),
                (
                    m.note.as_ref().unwrap_or(&m.what),
                    note.as_deref(),
                    EVENT_NOTE_MAX,
                ),
            ]
            .into_iter()
            .find(|(_, v, max)| v.is_some_and(|v| v.chars().count() > *max));
            if let Some((column, _, max)) = too_long {
                ck.problem(
                    &row,
                    Some(case),
                    column,
                    ProblemKind::Invalid,
                    format!("longer than {max} characters"),
                );
                continue;
            }
            let opened = households[h].cases[c].opened_at.map(|o| o.date());
            if opened.is_some_and(|o| on < o) {
                ck.problem(
                    &row,
                    Some(case),
                    &m.date,
                    ProblemKind::ImpossibleDate,
                    format!("{on} is before the case was opened"),
                );
                continue;
            }
            households[h].cases[c].events.push(EarlierEvent {
                on,
                what: what.to_string(),
                note,
            });
        }
        for case in households.iter_mut().flat_map(|h| h.cases.iter_mut()) {
            // Oldest first; the source's order breaks ties.
            case.events.sort_by_key(|e| e.on);
        }
    }
}

impl Checker<'_> {
    /// A date that may lie in the future (an expiry).
    fn date_any(
        &mut self,
        row: &Row,
        key: Option<&str>,
        column: &Option<String>,
    ) -> Result<Option<NaiveDate>, ()> {
        let (Some(c), Some(v)) = (column, row.opt(column)) else {
            return Ok(None);
        };
        match self.mapping.date(v) {
            Some(d) => Ok(Some(d)),
            None => {
                self.problem(
                    row,
                    key,
                    c,
                    ProblemKind::ImpossibleDate,
                    format!("{v:?} is not a date"),
                );
                Err(())
            }
        }
    }
}

/// One individuals row as a member, or `None` after reporting what is wrong with it.
fn person(ck: &mut Checker, row: &Row, key: &str) -> Option<Member> {
    let ind = &ck.mapping.individuals;
    let before = ck.problems.len();
    let k = Some(key);
    let given = ck.required(row, k, &ind.given_names).map(str::to_string);
    let relationship = ck
        .required(row, k, &ind.relationship)
        .and_then(|v| ck.code(row, k, &ind.relationship.clone(), CodeList::Relationship, v));
    let sex = ck
        .opt_code(row, k, &ind.sex.clone(), CodeList::Sex)
        .ok()
        .flatten();
    let nationality = ck
        .opt_code(row, k, &ind.nationality.clone(), CodeList::Nationality)
        .ok()
        .flatten();
    let origin = ck
        .opt_code(
            row,
            k,
            &ind.country_of_origin.clone(),
            CodeList::Nationality,
        )
        .ok()
        .flatten();
    let birth = ck.date(row, k, &ind.date_of_birth.clone()).ok().flatten();
    let arrival = ck.date(row, k, &ind.arrival_date.clone()).ok().flatten();
    if ck.problems.len() > before {
        return None;
    }
    let text = |c: &Option<String>| row.opt(c).map(str::to_string);
    Some(Member {
        key: key.to_string(),
        line: row.line,
        relationship: relationship?,
        person: PersonInput {
            given_names: given?,
            middle_name: text(&ind.middle_name),
            family_name: text(&ind.family_name),
            second_family_name: text(&ind.second_family_name),
            sex,
            date_of_birth: birth,
            nationalities: nationality.into_iter().collect(),
            country_of_origin: origin,
            arrival_date: arrival,
            legacy_id: Some(key.to_string()),
            ..PersonInput::default()
        },
    })
}
