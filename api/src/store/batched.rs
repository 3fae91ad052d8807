//! Reads of the records under many people, cases or groups at once: one query per kind for a
//! whole page, instead of one per record and kind. Each takes the caller's [`Scope`] and filters
//! exactly as its one-record counterpart in `queries.rs` does (same unit, same order, the same
//! withheld needs), so a page answered in bulk says what the same records read one by one say.
//! People read here are recorded in `reads` like any read of a person.

use std::collections::HashMap;

use diesel::prelude::*;

use super::audit::Reads;
use super::db::DbConn;
use super::rows::*;
use super::schema::*;
use super::scope::Scope;
use super::users;
use crate::domain::access::Permission;
use crate::error::Result;

/// Most ids bound in one statement (well under either backend's limit of parameters).
const CHUNK: usize = 500;

/// Groups `(key, value)` rows by key, keeping their order.
fn grouped<T>(rows: impl IntoIterator<Item = (String, T)>) -> HashMap<String, Vec<T>> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for (k, v) in rows {
        out.entry(k).or_default().push(v);
    }
    out
}

/// Individuals the caller may see, by id; those outside the scope are simply absent.
pub fn individuals(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    ids: &[String],
) -> Result<HashMap<String, IndividualRow>> {
    scope.require(Permission::ReadPersons)?;
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<IndividualRow> = individuals::table
            .filter(individuals::id.eq_any(chunk))
            .filter(scope.individuals())
            .select(IndividualRow::as_select())
            .load(conn)?;
        reads.record("individual", rows.iter().map(|r| r.id.clone()));
        out.extend(rows.into_iter().map(|r| (r.id.clone(), r)));
    }
    Ok(out)
}

/// Registration groups the caller may see, by id.
pub fn groups(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    ids: &[String],
) -> Result<HashMap<String, GroupRow>> {
    scope.require(Permission::ReadPersons)?;
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<GroupRow> = registration_groups::table
            .filter(registration_groups::id.eq_any(chunk))
            .filter(scope.groups())
            .select(GroupRow::as_select())
            .load(conn)?;
        reads.record("registration_group", rows.iter().map(|r| r.id.clone()));
        out.extend(rows.into_iter().map(|r| (r.id.clone(), r)));
    }
    Ok(out)
}

/// Documents of each person, oldest first.
pub fn documents(
    conn: &mut DbConn,
    scope: &Scope,
    ids: &[String],
) -> Result<HashMap<String, Vec<DocumentRow>>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            documents::table
                .filter(documents::operation_unit_id.eq(scope.unit_id()))
                .filter(documents::individual_id.eq_any(chunk))
                .order((documents::created_at.asc(), documents::id.asc()))
                .select(DocumentRow::as_select())
                .load::<DocumentRow>(conn)?,
        );
    }
    Ok(grouped(
        rows.into_iter().map(|r| (r.individual_id.clone(), r)),
    ))
}

/// Addresses of each person, current first.
pub fn addresses(
    conn: &mut DbConn,
    scope: &Scope,
    ids: &[String],
) -> Result<HashMap<String, Vec<AddressRow>>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            addresses::table
                .filter(addresses::operation_unit_id.eq(scope.unit_id()))
                .filter(addresses::individual_id.eq_any(chunk))
                .order((addresses::valid_from.desc(), addresses::id.asc()))
                .select((addresses::individual_id, AddressRow::as_select()))
                .load::<(String, AddressRow)>(conn)?,
        );
    }
    Ok(grouped(rows))
}

/// Current phones of each person, oldest first.
pub fn phones(
    conn: &mut DbConn,
    scope: &Scope,
    ids: &[String],
) -> Result<HashMap<String, Vec<PhoneRow>>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            phones::table
                .filter(phones::operation_unit_id.eq(scope.unit_id()))
                .filter(phones::individual_id.eq_any(chunk))
                .filter(phones::removed_at.is_null())
                .order((phones::created_at.asc(), phones::id.asc()))
                .select((phones::individual_id, PhoneRow::as_select()))
                .load::<(String, PhoneRow)>(conn)?,
        );
    }
    Ok(grouped(rows))
}

/// Languages of each person, in the order registered.
pub fn languages(
    conn: &mut DbConn,
    scope: &Scope,
    ids: &[String],
) -> Result<HashMap<String, Vec<LanguageRow>>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            individual_languages::table
                .filter(individual_languages::operation_unit_id.eq(scope.unit_id()))
                .filter(individual_languages::individual_id.eq_any(chunk))
                .order((
                    individual_languages::created_at.asc(),
                    individual_languages::id.asc(),
                ))
                .select((
                    individual_languages::individual_id,
                    LanguageRow::as_select(),
                ))
                .load::<(String, LanguageRow)>(conn)?,
        );
    }
    Ok(grouped(rows))
}

/// Specific needs of each person the caller may see, and how many were withheld (see
/// `queries::needs_of`).
pub fn needs(
    conn: &mut DbConn,
    scope: &Scope,
    ids: &[String],
) -> Result<HashMap<String, (Vec<NeedRow>, usize)>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            specific_needs::table
                .filter(specific_needs::operation_unit_id.eq(scope.unit_id()))
                .filter(specific_needs::individual_id.eq_any(chunk))
                .order((
                    specific_needs::identified_at.asc(),
                    specific_needs::id.asc(),
                ))
                .select(NeedRow::as_select())
                .load::<NeedRow>(conn)?,
        );
    }
    let mut out: HashMap<String, (Vec<NeedRow>, usize)> = HashMap::new();
    for n in rows {
        let entry = out.entry(n.individual_id.clone()).or_default();
        if super::registry::sensitivity_group(&n.code).is_none_or(|g| scope.sees(g)) {
            entry.0.push(n);
        } else {
            entry.1 += 1;
        }
    }
    Ok(out)
}

/// The current group membership of each person.
pub fn current_memberships(
    conn: &mut DbConn,
    scope: &Scope,
    ids: &[String],
) -> Result<HashMap<String, MembershipRow>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<MembershipRow> = group_memberships::table
            .inner_join(registration_groups::table)
            .filter(registration_groups::operation_unit_id.eq(scope.unit_id()))
            .filter(group_memberships::individual_id.eq_any(chunk))
            .filter(group_memberships::ended_at.is_null())
            .select(MembershipRow::as_select())
            .load(conn)?;
        out.extend(rows.into_iter().map(|m| (m.individual_id.clone(), m)));
    }
    Ok(out)
}

/// The cases each person is a current member of, that the caller may see, oldest first.
pub fn cases_of_individuals(
    conn: &mut DbConn,
    scope: &Scope,
    ids: &[String],
) -> Result<HashMap<String, Vec<CaseRow>>> {
    if scope.require(Permission::ReadCases).is_err() {
        return Ok(HashMap::new());
    }
    let mut members: Vec<(String, String)> = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        members.extend(
            case_members::table
                .filter(case_members::individual_id.eq_any(chunk))
                .filter(case_members::removed_at.is_null())
                .select((case_members::case_id, case_members::individual_id))
                .load::<(String, String)>(conn)?,
        );
    }
    let case_ids: Vec<String> = {
        let mut v: Vec<String> = members.iter().map(|(c, _)| c.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let mut visible: Vec<CaseRow> = Vec::new();
    for chunk in case_ids.chunks(CHUNK) {
        visible.extend(
            cases::table
                .filter(cases::id.eq_any(chunk))
                .filter(scope.cases())
                .select(CaseRow::as_select())
                .load::<CaseRow>(conn)?,
        );
    }
    visible.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then(a.id.cmp(&b.id)));
    let mut out: HashMap<String, Vec<CaseRow>> = HashMap::new();
    for case in visible {
        for (_, person) in members.iter().filter(|(c, _)| *c == case.id) {
            out.entry(person.clone()).or_default().push(case.clone());
        }
    }
    Ok(out)
}

/// Current members of each case, in the order they were added.
pub fn case_members(
    conn: &mut DbConn,
    scope: &Scope,
    case_ids: &[String],
) -> Result<HashMap<String, Vec<CaseMemberRow>>> {
    let mut rows = Vec::new();
    for chunk in case_ids.chunks(CHUNK) {
        rows.extend(
            case_members::table
                .filter(case_members::operation_unit_id.eq(scope.unit_id()))
                .filter(case_members::case_id.eq_any(chunk))
                .filter(case_members::removed_at.is_null())
                .order((case_members::added_at.asc(), case_members::id.asc()))
                .select(CaseMemberRow::as_select())
                .load::<CaseMemberRow>(conn)?,
        );
    }
    Ok(grouped(rows.into_iter().map(|m| (m.case_id.clone(), m))))
}

/// Offices by id (not personal data; any unit's, as `users::office` answers).
pub fn offices(conn: &mut DbConn, ids: &[String]) -> Result<HashMap<String, users::Office>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<users::Office> = offices::table
            .filter(offices::id.eq_any(chunk))
            .select(users::Office::as_select())
            .load(conn)?;
        out.extend(rows.into_iter().map(|o| (o.id.clone(), o)));
    }
    Ok(out)
}

/// Users by id (for the names of staff on case screens).
pub fn users(conn: &mut DbConn, ids: &[String]) -> Result<HashMap<String, users::User>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<users::User> = super::schema::users::table
            .filter(super::schema::users::id.eq_any(chunk))
            .select(users::User::as_select())
            .load(conn)?;
        out.extend(rows.into_iter().map(|u| (u.id.clone(), u)));
    }
    Ok(out)
}

/// The codes of the open specific needs of each case's current members, each once and in
/// order, without those of field groups the caller's roles do not include (see
/// `queries::open_need_codes_of_case`).
pub fn open_need_codes_of_cases(
    conn: &mut DbConn,
    scope: &Scope,
    case_ids: &[String],
) -> Result<HashMap<String, Vec<String>>> {
    scope.require(Permission::ReadCases)?;
    let mut rows: Vec<(String, String)> = Vec::new();
    for chunk in case_ids.chunks(CHUNK) {
        rows.extend(
            case_members::table
                .inner_join(
                    specific_needs::table
                        .on(specific_needs::individual_id.eq(case_members::individual_id)),
                )
                .filter(case_members::case_id.eq_any(chunk))
                .filter(case_members::removed_at.is_null())
                .filter(specific_needs::operation_unit_id.eq(scope.unit_id()))
                .filter(specific_needs::status.ne("resolved"))
                .select((case_members::case_id, specific_needs::code))
                .distinct()
                .order((case_members::case_id.asc(), specific_needs::code.asc()))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(grouped(rows.into_iter().filter(|(_, code)| {
        super::registry::sensitivity_group(code).is_none_or(|g| scope.sees(g))
    })))
}
