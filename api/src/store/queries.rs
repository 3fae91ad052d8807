//! Reads of personal data. Each function filters by the caller's [`Scope`] and appends an audit
//! event for every person, group or case it returns, in the same transaction as the read.

use diesel::prelude::*;

use super::audit::{Entry, Outcome, Reads};
use super::db::DbConn;
use super::dialect::{self, Bind};
use super::page_limit::LimitInText;
use super::rows::*;
use super::schema::*;
use super::scope::Scope;
use crate::domain::access::Permission;
use crate::domain::names::{self, DuplicateMatch, PersonFacts};
use crate::error::{Error, Result};

/// One page of a keyset-paginated list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
}

/// What a caller looks for among individuals.
#[derive(Debug, Clone, Default)]
pub struct IndividualQuery {
    /// Names as typed, or a number (individual, group, case, document, legacy id).
    pub search: Option<String>,
    pub office_id: Option<String>,
    pub nationality: Option<String>,
    pub sex: Option<String>,
    pub need_code: Option<String>,
}

type IndividualsQuery<'a> = individuals::BoxedQuery<'a, super::db::Db>;

/// How a name search reaches the database.
enum NameFilter {
    /// Each typed word as a subquery on `name_tokens` (one word, or a count).
    Subqueries,
    /// The caller already narrowed the ids (several words, see [`name_candidates`]).
    Ids(Vec<String>),
}

/// The name-search words of a query, when it is a name search.
fn name_words(q: &IndividualQuery) -> Vec<String> {
    match q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(search) if names::identifier_query(search).is_none() => names::query_tokens(search),
        _ => Vec::new(),
    }
}

fn filtered<'a>(scope: &Scope, q: &IndividualQuery, names_by: NameFilter) -> IndividualsQuery<'a> {
    let unit = scope.unit_id().to_string();
    let mut query = individuals::table.into_boxed().filter(scope.individuals());
    if let Some(search) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if let Some(key) = names::identifier_query(search) {
            let docs = documents::table
                .filter(documents::operation_unit_id.eq(unit.clone()))
                .filter(documents::number_key.eq(names::document_number_key(&key)))
                .select(documents::individual_id);
            let groups = group_memberships::table
                .inner_join(registration_groups::table)
                .filter(registration_groups::operation_unit_id.eq(unit.clone()))
                .filter(registration_groups::number_key.eq(key.clone()))
                .filter(group_memberships::ended_at.is_null())
                .select(group_memberships::individual_id);
            let cases_q = case_members::table
                .inner_join(cases::table)
                .filter(cases::operation_unit_id.eq(unit.clone()))
                .filter(cases::number_key.eq(key.clone()))
                .filter(case_members::removed_at.is_null())
                .select(case_members::individual_id);
            // A provisional number given on a field node finds the record that now carries
            // its final number.
            let aliases = number_aliases::table
                .filter(number_aliases::operation_unit_id.eq(unit.clone()))
                .filter(number_aliases::alias.eq(search.to_uppercase()))
                .select(number_aliases::record_id);
            query = query.filter(
                individuals::number_key
                    .eq(key)
                    .or(individuals::legacy_id.eq(search.to_string()))
                    .or(individuals::id.eq_any(aliases))
                    .or(individuals::id.eq_any(docs))
                    .or(individuals::id.eq_any(groups))
                    .or(individuals::id.eq_any(cases_q)),
            );
        } else if let NameFilter::Ids(ids) = names_by {
            query = query.filter(individuals::id.eq_any(ids));
        } else {
            // Every typed word must match the start of some name key of the person.
            for token in names::query_tokens(search) {
                query = query.filter(
                    individuals::id.eq_any(
                        name_tokens::table
                            .filter(name_tokens::operation_unit_id.eq(unit.clone()))
                            .filter(name_tokens::token.eq(names::prefix_token(&token)))
                            .select(name_tokens::individual_id),
                    ),
                );
            }
        }
    }
    if let Some(office) = &q.office_id {
        query = query.filter(individuals::office_id.eq(office.clone()));
    }
    if let Some(n) = &q.nationality {
        query = query.filter(
            individuals::nationalities
                .eq(n.clone())
                .or(individuals::nationalities.like(format!("{n} %")))
                .or(individuals::nationalities.like(format!("% {n}")))
                .or(individuals::nationalities.like(format!("% {n} %"))),
        );
    }
    if let Some(s) = &q.sex {
        query = query.filter(individuals::sex.eq(s.clone()));
    }
    if let Some(code) = &q.need_code {
        query = query.filter(
            individuals::id.eq_any(
                specific_needs::table
                    .filter(specific_needs::operation_unit_id.eq(unit))
                    .filter(specific_needs::code.eq(code.clone()))
                    .select(specific_needs::individual_id),
            ),
        );
    }
    query
}

/// One individual, if the caller may see them.
pub fn individual(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    id: &str,
) -> Result<Option<IndividualRow>> {
    scope.require(Permission::ReadPersons)?;
    let row = individuals::table
        .filter(individuals::id.eq(id))
        .filter(scope.individuals())
        .select(IndividualRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(r) = &row {
        reads.record("individual", std::iter::once(r.id.clone()));
    }
    Ok(row)
}

/// Individuals the caller may see, by id, in the order given (for members of groups and cases).
pub fn individuals_by_ids(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    ids: &[String],
) -> Result<Vec<IndividualRow>> {
    scope.require(Permission::ReadPersons)?;
    let rows: Vec<IndividualRow> = individuals::table
        .filter(individuals::id.eq_any(ids))
        .filter(scope.individuals())
        .select(IndividualRow::as_select())
        .load(conn)?;
    reads.record("individual", rows.iter().map(|r| r.id.clone()));
    let mut ordered = Vec::with_capacity(rows.len());
    for id in ids {
        if let Some(r) = rows.iter().find(|r| &r.id == id) {
            ordered.push(r.clone());
        }
    }
    Ok(ordered)
}

/// A filter on a field group the caller cannot read is refused: answering it, even with a
/// count or an empty page, would tell who has a withheld specific need.
fn check_filter(scope: &Scope, q: &IndividualQuery) -> Result<()> {
    if let Some(code) = &q.need_code
        && let Some(group) = super::registry::sensitivity_group(code)
        && !scope.sees(group)
    {
        return Err(Error::forbidden(format!(
            "your role may not filter on specific needs of the {} group",
            group.as_str()
        )));
    }
    Ok(())
}

/// A page of individuals matching the query, oldest registration first.
pub fn individuals(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    q: &IndividualQuery,
    first: i64,
    after: Option<&str>,
) -> Result<Page<IndividualRow>> {
    individuals_in_chunks(conn, scope, reads, q, first, after, CANDIDATE_CHUNK)
}

/// [`individuals`], with the size of a name search's first candidate chunk as a parameter so
/// tests can make every page cross many chunks.
fn individuals_in_chunks(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    q: &IndividualQuery,
    first: i64,
    after: Option<&str>,
    chunk: i64,
) -> Result<Page<IndividualRow>> {
    scope.require(Permission::ReadPersons)?;
    check_filter(scope, q)?;
    let words = name_words(q);
    let mut items: Vec<IndividualRow> = Vec::new();
    if words.is_empty() {
        let mut query = filtered(scope, q, NameFilter::Subqueries);
        if let Some(a) = after {
            query = query.filter(individuals::id.gt(a.to_string()));
        }
        items = query
            .order(individuals::id.asc())
            .select(IndividualRow::as_select())
            .limit_in_text(first + 1)
            .load(conn)?;
    } else {
        // Left to itself the planner, assuming the words independent of each other and of the
        // other filters, walks the whole registry in id order looking for the few people who
        // match. Taking the words' ids first, from the index in id order and in bounded chunks,
        // keeps each query to a page's worth of index rows. Chunks grow while the other filters
        // (office, scope, nationality) keep rejecting candidates.
        let mut from = after.map(str::to_string);
        let mut size = chunk.max(first + 1);
        loop {
            let ids = name_candidates(conn, scope.unit_id(), &words, from.as_deref(), size)?;
            let exhausted = (ids.len() as i64) < size;
            from = ids.last().cloned();
            if ids.is_empty() {
                break;
            }
            let want = first + 1 - items.len() as i64;
            items.extend(
                filtered(scope, q, NameFilter::Ids(ids))
                    .order(individuals::id.asc())
                    .limit(want)
                    .select(IndividualRow::as_select())
                    .load::<IndividualRow>(conn)?,
            );
            if exhausted || items.len() as i64 > first {
                break;
            }
            size = (size * 4).min(MAX_CANDIDATE_CHUNK);
        }
    }
    let has_next = items.len() as i64 > first;
    items.truncate(first as usize);
    reads.record("individual", items.iter().map(|r| r.id.clone()));
    Ok(Page { items, has_next })
}

/// How many candidate ids the first round of a name search takes at least (a page's worth is
/// taken when that is more).
const CANDIDATE_CHUNK: i64 = 50;
/// The most candidate ids one round of a name search takes, however many rounds went before.
const MAX_CANDIDATE_CHUNK: i64 = 2_000;

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = diesel::sql_types::Text)]
    individual_id: String,
}

/// The next ids (after `from`, in id order, at most `chunk`) of the unit's people who have a
/// name key starting with every one of `words`.
///
/// One index row per word and person (see [`names::stored_tokens`]): the first word's rows are
/// read in id order and every other word is a join on the same person, so the database can merge
/// the ordered lists and stop at `chunk`.
fn name_candidates(
    conn: &mut DbConn,
    unit_id: &str,
    words: &[String],
    from: Option<&str>,
    chunk: i64,
) -> Result<Vec<String>> {
    // Placeholders are bound in the order they appear in the text.
    let mut binds: Vec<Bind> = Vec::new();
    let mut joins = String::new();
    for (i, w) in words.iter().enumerate().skip(1) {
        joins.push_str(&format!(
            " JOIN name_tokens t{i} ON t{i}.operation_unit_id = t0.operation_unit_id \
             AND t{i}.individual_id = t0.individual_id AND t{i}.token = {{}}"
        ));
        binds.push(Bind::Text(names::prefix_token(w)));
    }
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    binds.extend([
        Bind::Text(unit_id.to_string()),
        Bind::Text(names::prefix_token(first)),
        Bind::Text(from.unwrap_or("").to_string()),
        Bind::BigInt(chunk),
    ]);
    let template = format!(
        "SELECT t0.individual_id AS individual_id FROM name_tokens t0{joins} \
         WHERE t0.operation_unit_id = {{}} AND t0.token = {{}} AND t0.individual_id > {{}} \
         ORDER BY t0.individual_id LIMIT {{}}"
    );
    let rows: Vec<Candidate> = if words.len() > 1 {
        dialect::with_merged_lists(conn, |c| dialect::load(c, &template, &binds))?
    } else {
        dialect::load(conn, &template, &binds)?
    };
    Ok(rows.into_iter().map(|r| r.individual_id).collect())
}

/// How many individuals match; a count reveals no one, but is still audited as a query.
pub fn count_individuals(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    q: &IndividualQuery,
) -> Result<i64> {
    scope.require(Permission::ReadPersons)?;
    check_filter(scope, q)?;
    let n = filtered(scope, q, NameFilter::Subqueries)
        .count()
        .get_result(conn)?;
    reads.push(Entry::plain(
        "count",
        Outcome::Ok,
        Some("individuals".into()),
    ));
    Ok(n)
}

/// People of the caller's unit who may be the same person as `facts`, best first. This looks
/// across the whole unit, not only the caller's office: a duplicate registered elsewhere is
/// exactly what the clerk must see before confirming.
pub fn possible_duplicates(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    facts: &PersonFacts,
    limit: usize,
) -> Result<Vec<(IndividualRow, DuplicateMatch)>> {
    scope.require(Permission::ReadPersons)?;
    // Whole-word keys, compared exactly: a duplicate shares complete names, not prefixes.
    // Each word by any of the keys it may stand for ("Al-Hassan" by "alhassan" and "hassan").
    let Some((g, f)) = names::candidate_keys(facts) else {
        return Ok(Vec::new());
    };
    let with_token = |keys: Vec<String>| {
        name_tokens::table
            .filter(name_tokens::operation_unit_id.eq(scope.unit_id().to_string()))
            .filter(name_tokens::token.eq_any(keys))
            .select(name_tokens::individual_id)
    };
    let mut query = individuals::table
        .filter(individuals::operation_unit_id.eq(scope.unit_id()))
        .filter(individuals::id.eq_any(with_token(g)))
        .filter(individuals::id.eq_any(with_token(f)))
        .into_boxed();
    // People born too far apart are never a match; left out before the cap, so a busy name
    // does not crowd out those born near this person.
    if let Some(born) = facts.date_of_birth {
        let near = chrono::Days::new(names::NEAR_BIRTH_DATE_DAYS as u64);
        query = query.filter(
            individuals::date_of_birth
                .is_null()
                .or(individuals::date_of_birth.between(born - near, born + near)),
        );
    }
    let candidates: Vec<IndividualRow> = query
        .limit(CANDIDATE_CAP)
        .select(IndividualRow::as_select())
        .load(conn)?;
    Ok(scored_duplicates(reads, facts, candidates, limit))
}

/// How many people sharing the name keys are scored at most, for one person.
pub const CANDIDATE_CAP: i64 = 200;

/// Of the people with these ids in the caller's unit, those who may be the same person as
/// `facts`, best first: [`possible_duplicates`] for candidates found elsewhere (an import's
/// name index). Ids of people no longer held are passed over.
pub fn possible_duplicates_among(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    facts: &PersonFacts,
    ids: &[String],
    limit: usize,
) -> Result<Vec<(IndividualRow, DuplicateMatch)>> {
    scope.require(Permission::ReadPersons)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let candidates: Vec<IndividualRow> = individuals::table
        .filter(individuals::operation_unit_id.eq(scope.unit_id()))
        .filter(individuals::id.eq_any(ids))
        .order(individuals::id.asc())
        .select(IndividualRow::as_select())
        .load(conn)?;
    Ok(scored_duplicates(reads, facts, candidates, limit))
}

/// Registration's duplicate score of each candidate, the `limit` best kept (their reads
/// audited).
fn scored_duplicates(
    reads: &mut Reads,
    facts: &PersonFacts,
    candidates: Vec<IndividualRow>,
    limit: usize,
) -> Vec<(IndividualRow, DuplicateMatch)> {
    let mut scored: Vec<(IndividualRow, DuplicateMatch)> = candidates
        .into_iter()
        .filter_map(|row| {
            let existing = row.person().facts();
            names::duplicate_score(facts, &existing).map(|m| (row, m))
        })
        .collect();
    scored.sort_by_key(|(_, m)| std::cmp::Reverse(m.score));
    scored.truncate(limit);
    reads.record("individual", scored.iter().map(|(r, _)| r.id.clone()));
    scored
}

/// Specific needs of an individual the caller can see, and how many were withheld because
/// they belong to a field group the caller's roles do not include.
pub fn needs_of(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
) -> Result<(Vec<NeedRow>, usize)> {
    let all: Vec<NeedRow> = specific_needs::table
        .filter(specific_needs::operation_unit_id.eq(scope.unit_id()))
        .filter(specific_needs::individual_id.eq(individual_id))
        .order(specific_needs::identified_at.asc())
        .select(NeedRow::as_select())
        .load(conn)?;
    let total = all.len();
    let visible: Vec<NeedRow> = all
        .into_iter()
        .filter(|n| super::registry::sensitivity_group(&n.code).is_none_or(|g| scope.sees(g)))
        .collect();
    let withheld = total - visible.len();
    Ok((visible, withheld))
}

pub fn documents_of(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
) -> Result<Vec<DocumentRow>> {
    Ok(documents::table
        .filter(documents::operation_unit_id.eq(scope.unit_id()))
        .filter(documents::individual_id.eq(individual_id))
        .order(documents::created_at.asc())
        .select(DocumentRow::as_select())
        .load(conn)?)
}

pub fn addresses_of(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
) -> Result<Vec<AddressRow>> {
    Ok(addresses::table
        .filter(addresses::operation_unit_id.eq(scope.unit_id()))
        .filter(addresses::individual_id.eq(individual_id))
        .order(addresses::valid_from.desc())
        .select(AddressRow::as_select())
        .load(conn)?)
}

pub fn phones_of(conn: &mut DbConn, scope: &Scope, individual_id: &str) -> Result<Vec<PhoneRow>> {
    Ok(phones::table
        .filter(phones::operation_unit_id.eq(scope.unit_id()))
        .filter(phones::individual_id.eq(individual_id))
        .filter(phones::removed_at.is_null())
        .order(phones::created_at.asc())
        .select(PhoneRow::as_select())
        .load(conn)?)
}

pub fn languages_of(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
) -> Result<Vec<LanguageRow>> {
    Ok(individual_languages::table
        .filter(individual_languages::operation_unit_id.eq(scope.unit_id()))
        .filter(individual_languages::individual_id.eq(individual_id))
        .order(individual_languages::created_at.asc())
        .select(LanguageRow::as_select())
        .load(conn)?)
}

/// The history of a record, oldest first.
pub fn events_of(conn: &mut DbConn, scope: &Scope, record_id: &str) -> Result<Vec<EventRow>> {
    Ok(events::table
        .filter(events::operation_unit_id.eq(scope.unit_id()))
        .filter(events::record_id.eq(record_id))
        .order((events::at.asc(), events::id.asc()))
        .select(EventRow::as_select())
        .load(conn)?)
}

/// The group an individual belongs to now, with their membership.
pub fn current_group_of(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
) -> Result<Option<(GroupRow, MembershipRow)>> {
    Ok(group_memberships::table
        .inner_join(registration_groups::table)
        .filter(registration_groups::operation_unit_id.eq(scope.unit_id()))
        .filter(group_memberships::individual_id.eq(individual_id))
        .filter(group_memberships::ended_at.is_null())
        .select((GroupRow::as_select(), MembershipRow::as_select()))
        .first(conn)
        .optional()?)
}

/// One registration group, if the caller may see it.
pub fn group(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    id: &str,
) -> Result<Option<GroupRow>> {
    scope.require(Permission::ReadPersons)?;
    let row = registration_groups::table
        .filter(registration_groups::id.eq(id))
        .filter(scope.groups())
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(g) = &row {
        reads.record("registration_group", std::iter::once(g.id.clone()));
    }
    Ok(row)
}

/// A page of registration groups, oldest first.
pub fn groups(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    first: i64,
    after: Option<&str>,
) -> Result<Page<GroupRow>> {
    scope.require(Permission::ReadPersons)?;
    let mut query = registration_groups::table
        .into_boxed()
        .filter(scope.groups());
    if let Some(a) = after {
        query = query.filter(registration_groups::id.gt(a.to_string()));
    }
    let mut items: Vec<GroupRow> = query
        .order(registration_groups::id.asc())
        .select(GroupRow::as_select())
        .limit_in_text(first + 1)
        .load(conn)?;
    let has_next = items.len() as i64 > first;
    items.truncate(first as usize);
    reads.record("registration_group", items.iter().map(|g| g.id.clone()));
    Ok(Page { items, has_next })
}

pub fn count_groups(conn: &mut DbConn, scope: &Scope, reads: &mut Reads) -> Result<i64> {
    scope.require(Permission::ReadPersons)?;
    let n = registration_groups::table
        .filter(scope.groups())
        .count()
        .get_result(conn)?;
    reads.push(Entry::plain(
        "count",
        Outcome::Ok,
        Some("registration_groups".into()),
    ));
    Ok(n)
}

/// Memberships of a group: current ones, or the whole history.
pub fn memberships(
    conn: &mut DbConn,
    scope: &Scope,
    group_id: &str,
    history: bool,
) -> Result<Vec<MembershipRow>> {
    let mut q = group_memberships::table
        .filter(group_memberships::operation_unit_id.eq(scope.unit_id()))
        .filter(group_memberships::group_id.eq(group_id))
        .into_boxed();
    if !history {
        q = q.filter(group_memberships::ended_at.is_null());
    }
    Ok(q.order((
        group_memberships::started_at.asc(),
        group_memberships::id.asc(),
    ))
    .select(MembershipRow::as_select())
    .load(conn)?)
}

/// What a caller looks for among cases.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub status: Option<String>,
    pub office_id: Option<String>,
    pub assigned_to_me: bool,
}

type CasesQuery<'a> = cases::BoxedQuery<'a, super::db::Db>;

fn filtered_cases<'a>(scope: &Scope, q: &CaseQuery) -> CasesQuery<'a> {
    let mut query = cases::table.into_boxed().filter(scope.cases());
    if let Some(s) = &q.status {
        query = query.filter(cases::status.eq(s.clone()));
    }
    if let Some(o) = &q.office_id {
        query = query.filter(cases::office_id.eq(o.clone()));
    }
    if q.assigned_to_me {
        query = query.filter(cases::assigned_officer_id.eq(scope.user_id().to_string()));
    }
    query
}

pub fn case(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    id: &str,
) -> Result<Option<CaseRow>> {
    scope.require(Permission::ReadCases)?;
    let row = cases::table
        .filter(cases::id.eq(id))
        .filter(scope.cases())
        .select(CaseRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(c) = &row {
        reads.record("case", std::iter::once(c.id.clone()));
    }
    Ok(row)
}

pub fn cases(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    q: &CaseQuery,
    first: i64,
    after: Option<&str>,
) -> Result<Page<CaseRow>> {
    scope.require(Permission::ReadCases)?;
    let mut query = filtered_cases(scope, q);
    if let Some(a) = after {
        query = query.filter(cases::id.gt(a.to_string()));
    }
    let mut items: Vec<CaseRow> = query
        .order(cases::id.asc())
        .select(CaseRow::as_select())
        .limit_in_text(first + 1)
        .load(conn)?;
    let has_next = items.len() as i64 > first;
    items.truncate(first as usize);
    reads.record("case", items.iter().map(|c| c.id.clone()));
    Ok(Page { items, has_next })
}

pub fn count_cases(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    q: &CaseQuery,
) -> Result<i64> {
    scope.require(Permission::ReadCases)?;
    let n = filtered_cases(scope, q).count().get_result(conn)?;
    reads.push(Entry::plain("count", Outcome::Ok, Some("cases".into())));
    Ok(n)
}

pub fn case_members_of(
    conn: &mut DbConn,
    scope: &Scope,
    case_id: &str,
) -> Result<Vec<CaseMemberRow>> {
    Ok(case_members::table
        .filter(case_members::operation_unit_id.eq(scope.unit_id()))
        .filter(case_members::case_id.eq(case_id))
        .filter(case_members::removed_at.is_null())
        .order(case_members::added_at.asc())
        .select(CaseMemberRow::as_select())
        .load(conn)?)
}

/// Cases an individual is a member of, that the caller may see.
pub fn cases_of_individual(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
) -> Result<Vec<CaseRow>> {
    if scope.require(Permission::ReadCases).is_err() {
        return Ok(Vec::new());
    }
    Ok(cases::table
        .filter(scope.cases())
        .filter(
            cases::id.eq_any(
                case_members::table
                    .filter(case_members::individual_id.eq(individual_id.to_string()))
                    .filter(case_members::removed_at.is_null())
                    .select(case_members::case_id),
            ),
        )
        .order(cases::opened_at.asc())
        .select(CaseRow::as_select())
        .load(conn)?)
}

/// Codes of the open (not resolved) specific needs of a case's current members, each once,
/// without those of sensitive groups the caller's roles do not include.
pub fn open_need_codes_of_case(
    conn: &mut DbConn,
    scope: &Scope,
    case_id: &str,
) -> Result<Vec<String>> {
    scope.require(Permission::ReadCases)?;
    let members = case_members::table
        .filter(case_members::case_id.eq(case_id))
        .filter(case_members::removed_at.is_null())
        .select(case_members::individual_id);
    let codes: Vec<String> = specific_needs::table
        .filter(specific_needs::operation_unit_id.eq(scope.unit_id()))
        .filter(specific_needs::individual_id.eq_any(members))
        .filter(specific_needs::status.ne("resolved"))
        .select(specific_needs::code)
        .distinct()
        .order(specific_needs::code.asc())
        .load(conn)?;
    Ok(codes
        .into_iter()
        .filter(|c| super::registry::sensitivity_group(c).is_none_or(|g| scope.sees(g)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Database, users};

    fn all_pages(db: &Database, scope: &Scope, q: &IndividualQuery, chunk: i64) -> Vec<String> {
        let mut conn = db.conn().expect("connection");
        let (mut after, mut ids) = (None::<String>, Vec::new());
        loop {
            let mut reads = Reads::default();
            let page =
                individuals_in_chunks(&mut conn, scope, &mut reads, q, 3, after.as_deref(), chunk)
                    .expect("page");
            ids.extend(page.items.iter().map(|r| r.id.clone()));
            if !page.has_next {
                return ids;
            }
            after = page.items.last().map(|r| r.id.clone());
        }
    }

    /// Several-word searches must give the same people, in the same order, whether one chunk
    /// of candidates holds them all or every page crosses many chunks; and as many as the count.
    #[test]
    fn several_word_search_is_the_same_across_chunk_sizes() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(
            &format!("sqlite://{}", dir.path().join("a.db").display()),
            2,
        )
        .expect("open");
        db.migrate().expect("migrate");
        crate::seed::demo(&db).expect("demo");
        crate::seed::scale(&db, 600, false).expect("scale");
        let mut conn = db.conn().expect("connection");
        // A broad two-word query: of the first people's given and family names cut to three
        // letters, the pair that matches most.
        let supervisor = users::user_by_username(&mut conn, "supervisor")
            .expect("query")
            .expect("demo user");
        let unit_scope = crate::auth::scope_for(&supervisor, "test").expect("scope");
        let word = |s: &str| s.chars().take(3).collect::<String>();
        let (sample, search) = individuals::table
            .filter(individuals::family_name.is_not_null())
            .limit(60)
            .select(IndividualRow::as_select())
            .load(&mut conn)
            .expect("people")
            .into_iter()
            .map(|p| {
                let search = format!(
                    "{} {}",
                    word(&p.given_names),
                    word(p.family_name.as_deref().unwrap_or(""))
                );
                (p, search)
            })
            .filter(|(_, search)| {
                let q = IndividualQuery {
                    search: Some(search.clone()),
                    ..Default::default()
                };
                name_words(&q).len() >= 2
            })
            .max_by_key(|(_, search)| {
                let q = IndividualQuery {
                    search: Some(search.clone()),
                    ..Default::default()
                };
                count_individuals(&mut conn, &unit_scope, &mut Reads::default(), &q).unwrap_or(0)
            })
            .expect("a query");
        let q = IndividualQuery {
            search: Some(search.clone()),
            ..Default::default()
        };
        assert!(
            name_words(&q).len() >= 2,
            "{search:?} is a several-word search"
        );
        for username in ["supervisor", "registrar"] {
            let user = users::user_by_username(&mut conn, username)
                .expect("query")
                .expect("demo user");
            let scope = crate::auth::scope_for(&user, "test").expect("scope");
            let one_chunk = all_pages(&db, &scope, &q, 10_000);
            let many_chunks = all_pages(&db, &scope, &q, 2);
            assert_eq!(one_chunk, many_chunks, "{username}: {search:?}");
            let count =
                count_individuals(&mut conn, &scope, &mut Reads::default(), &q).expect("count");
            assert_eq!(
                one_chunk.len() as i64,
                count,
                "{username}: pages add up to the count"
            );
            assert!(
                one_chunk.windows(2).all(|w| w[0] < w[1]),
                "in order, once each"
            );
            if username == "supervisor" {
                assert!(
                    one_chunk.contains(&sample.id),
                    "the sampled person is found"
                );
                assert!(
                    one_chunk.len() > 6,
                    "the query spans several pages of 3: {}",
                    one_chunk.len()
                );
            }
        }
    }
}
