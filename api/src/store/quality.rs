//! Data-quality monitoring: the records that break each rule of `domain::stats::quality`,
//! counted per office, per registering user (for cases: the assigned officer) and per month of
//! registration (of opening, for cases), with the records behind each count for a caller
//! allowed to read them: only those inside the caller's scope, each read audited.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::audit::Reads;
use super::db::DbConn;
use super::schema::{
    biometric_enrolments, biometric_reviews, cases, documents, group_memberships, import_reviews,
    individuals, specific_needs, users,
};
use super::scope::Scope;
use crate::domain::access::Permission;
use crate::domain::stats::month_of;
use crate::domain::stats::quality::{
    CASE_IDLE_DAYS, Check, NEED_REVIEW_DAYS, birth_date_weak, impossible_family_age,
    name_in_one_script,
};
use crate::error::Result;

/// A record that breaks a rule, as listed to a caller who may read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged {
    pub id: String,
    /// The individual's or the case's number.
    pub number: String,
    /// The individual's name (the principal applicant's for a case).
    pub name: String,
    pub office: String,
    pub month: String,
}

/// One rule's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFigures {
    pub check: Check,
    pub count: i64,
    pub by_office: Vec<(String, i64)>,
    pub by_user: Vec<(String, i64)>,
    pub by_month: Vec<(String, i64)>,
    /// The first records behind the count, oldest first; empty for a caller who may not read
    /// them.
    pub records: Vec<Flagged>,
}

struct Person {
    number: String,
    name: String,
    office_id: String,
    registered_by: String,
    month: String,
}

type PersonRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<String>,
    String,
    Option<String>,
);

/// The unit's data-quality figures on `today`, optionally in one office, with up to
/// `records` records behind each rule.
pub fn data_quality(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    today: NaiveDate,
    office_id: Option<&str>,
    records: usize,
) -> Result<Vec<RuleFigures>> {
    scope.require(Permission::ReadStatistics)?;
    let unit = scope.unit_id().to_string();
    let offices = super::stats::office_codes(conn, &unit)?;
    let usernames: HashMap<String, String> = users::table
        .filter(users::operation_unit_id.eq(&unit))
        .select((users::id, users::username))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut q = individuals::table
        .filter(individuals::operation_unit_id.eq(&unit))
        .select((
            individuals::id,
            individuals::individual_number,
            individuals::given_names,
            individuals::family_name,
            individuals::office_id,
            individuals::registered_by,
            individuals::registration_date,
            individuals::date_of_birth,
            individuals::date_of_birth_precision,
            individuals::nationalities,
            individuals::original_script_name,
        ))
        .into_boxed();
    if let Some(o) = office_id {
        q = q.filter(individuals::office_id.eq(o.to_string()));
    }
    let rows: Vec<PersonRow> = q.load(conn)?;
    let mut people: HashMap<String, Person> = HashMap::new();
    let mut births: HashMap<String, NaiveDate> = HashMap::new();
    let mut flagged: BTreeMap<Check, Vec<String>> = BTreeMap::new();
    for (id, number, given, family, office, by, reg, dob, precision, nats, script) in rows {
        let nats: Vec<String> = nats.split_whitespace().map(str::to_string).collect();
        if birth_date_weak(dob, precision.as_deref()) {
            flagged
                .entry(Check::BirthDateMissingOrEstimated)
                .or_default()
                .push(id.clone());
        }
        if name_in_one_script(&nats, script.is_some_and(|s| !s.trim().is_empty())) {
            flagged
                .entry(Check::NameInOneScript)
                .or_default()
                .push(id.clone());
        }
        if let Some(d) = dob {
            births.insert(id.clone(), d);
        }
        people.insert(
            id,
            Person {
                number,
                name: [Some(given), family]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
                office_id: office,
                registered_by: by,
                month: month_of(reg),
            },
        );
    }
    let documented: HashSet<String> = documents::table
        .filter(documents::operation_unit_id.eq(&unit))
        .select(documents::individual_id)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut undocumented: Vec<String> = people
        .keys()
        .filter(|id| !documented.contains(*id))
        .cloned()
        .collect();
    undocumented.sort();
    flagged.insert(Check::NoDocument, undocumented);
    // Families: each current member against the group's focal point.
    let members: Vec<(String, String, String)> = group_memberships::table
        .filter(group_memberships::operation_unit_id.eq(&unit))
        .filter(group_memberships::ended_at.is_null())
        .select((
            group_memberships::group_id,
            group_memberships::individual_id,
            group_memberships::relationship,
        ))
        .load(conn)?;
    let focal: HashMap<&str, &str> = members
        .iter()
        .filter(|(_, _, r)| r == "focal_point")
        .map(|(g, i, _)| (g.as_str(), i.as_str()))
        .collect();
    let mut odd_ages = Vec::new();
    for (g, i, rel) in &members {
        let Some(f) = focal.get(g.as_str()) else {
            continue;
        };
        if let (Some(fd), Some(md)) = (births.get(*f), births.get(i))
            && people.contains_key(i)
            && impossible_family_age(rel, *fd, *md)
        {
            odd_ages.push(i.clone());
        }
    }
    flagged.insert(Check::ImpossibleFamilyAge, odd_ages);
    let overdue_since = (today - chrono::Duration::days(NEED_REVIEW_DAYS)).and_hms_opt(0, 0, 0);
    let mut late: Vec<String> = specific_needs::table
        .filter(specific_needs::operation_unit_id.eq(&unit))
        .filter(specific_needs::status.eq("pending_review"))
        .filter(specific_needs::identified_at.lt(overdue_since.unwrap_or(NaiveDateTime::MIN)))
        .select(specific_needs::individual_id)
        .load(conn)?;
    late.retain(|i| people.contains_key(i));
    late.sort();
    late.dedup();
    flagged.insert(Check::NeedPastReview, late);
    let mut dups: Vec<String> = import_reviews::table
        .filter(import_reviews::operation_unit_id.eq(&unit))
        .filter(import_reviews::status.eq("open"))
        .select(import_reviews::individual_id)
        .load(conn)?;
    dups.extend(
        biometric_reviews::table
            .inner_join(
                biometric_enrolments::table
                    .on(biometric_enrolments::id.eq(biometric_reviews::enrolment_id)),
            )
            .filter(biometric_reviews::operation_unit_id.eq(&unit))
            .filter(biometric_reviews::status.eq("pending"))
            .select(biometric_enrolments::individual_id)
            .load::<String>(conn)?,
    );
    dups.retain(|i| people.contains_key(i));
    dups.sort();
    dups.dedup();
    flagged.insert(Check::DuplicateNotAdjudicated, dups);

    let may_read_people = scope.grants().can(Permission::ReadPersons);
    let visible: HashSet<String> = if may_read_people {
        individuals::table
            .filter(scope.individuals())
            .select(individuals::id)
            .load::<String>(conn)?
            .into_iter()
            .collect()
    } else {
        HashSet::new()
    };
    let mut out = Vec::new();
    for check in Check::ALL {
        if check.is_about_cases() {
            out.push(idle_cases(
                conn, scope, reads, today, office_id, records, &offices, &usernames, &people,
            )?);
            continue;
        }
        let ids = flagged.remove(&check).unwrap_or_default();
        let mut fig = count(
            check,
            ids.iter().filter_map(|id| {
                people.get(id).map(|p| {
                    (
                        offices.get(&p.office_id).cloned().unwrap_or_default(),
                        usernames.get(&p.registered_by).cloned().unwrap_or_default(),
                        p.month.clone(),
                    )
                })
            }),
        );
        let mut shown: Vec<(&String, &Person)> = ids
            .iter()
            .filter(|id| visible.contains(*id))
            .filter_map(|id| people.get(id).map(|p| (id, p)))
            .collect();
        shown.sort_by(|a, b| (&a.1.month, &a.1.number).cmp(&(&b.1.month, &b.1.number)));
        shown.truncate(records);
        reads.record("individual", shown.iter().map(|(id, _)| (*id).clone()));
        fig.records = shown
            .into_iter()
            .map(|(id, p)| Flagged {
                id: id.clone(),
                number: p.number.clone(),
                name: p.name.clone(),
                office: offices.get(&p.office_id).cloned().unwrap_or_default(),
                month: p.month.clone(),
            })
            .collect();
        out.push(fig);
    }
    Ok(out)
}

fn count(check: Check, keys: impl Iterator<Item = (String, String, String)>) -> RuleFigures {
    let mut by_office: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_user: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_month: BTreeMap<String, i64> = BTreeMap::new();
    let mut n = 0;
    for (o, u, m) in keys {
        n += 1;
        *by_office.entry(o).or_default() += 1;
        *by_user.entry(u).or_default() += 1;
        *by_month.entry(m).or_default() += 1;
    }
    RuleFigures {
        check,
        count: n,
        by_office: by_office.into_iter().collect(),
        by_user: by_user.into_iter().collect(),
        by_month: by_month.into_iter().collect(),
        records: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn idle_cases(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    today: NaiveDate,
    office_id: Option<&str>,
    records: usize,
    offices: &HashMap<String, String>,
    usernames: &HashMap<String, String>,
    people: &HashMap<String, Person>,
) -> Result<RuleFigures> {
    let since = (today - chrono::Duration::days(CASE_IDLE_DAYS))
        .and_hms_opt(0, 0, 0)
        .unwrap_or(NaiveDateTime::MIN);
    let mut q = cases::table
        .filter(cases::operation_unit_id.eq(scope.unit_id().to_string()))
        .filter(cases::procedure.eq("rsd"))
        .filter(cases::status.ne_all(["closed", "withdrawn", "abandoned"]))
        .filter(cases::updated_at.lt(since))
        .select((
            cases::id,
            cases::case_number,
            cases::office_id,
            cases::assigned_officer_id,
            cases::opened_at,
            cases::principal_applicant_id,
        ))
        .into_boxed();
    if let Some(o) = office_id {
        q = q.filter(cases::office_id.eq(o.to_string()));
    }
    let rows: Vec<(
        String,
        String,
        String,
        Option<String>,
        NaiveDateTime,
        String,
    )> = q.order(cases::opened_at.asc()).load(conn)?;
    let mut fig = count(
        Check::CaseWithoutEvents,
        rows.iter().map(|(_, _, o, a, at, _)| {
            (
                offices.get(o).cloned().unwrap_or_default(),
                a.as_ref()
                    .and_then(|a| usernames.get(a).cloned())
                    .unwrap_or_default(),
                month_of(at.date()),
            )
        }),
    );
    if scope.grants().can(Permission::ReadCases) {
        let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let mut visible: HashSet<String> = HashSet::new();
        for chunk in ids.chunks(500) {
            visible.extend(
                cases::table
                    .filter(scope.cases())
                    .filter(cases::id.eq_any(chunk))
                    .select(cases::id)
                    .load::<String>(conn)?,
            );
        }
        let shown: Vec<Flagged> = rows
            .iter()
            .filter(|r| visible.contains(&r.0))
            .take(records)
            .map(|(id, number, o, _, at, principal)| Flagged {
                id: id.clone(),
                number: number.clone(),
                name: people
                    .get(principal)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                office: offices.get(o).cloned().unwrap_or_default(),
                month: month_of(at.date()),
            })
            .collect();
        reads.record("case", shown.iter().map(|f| f.id.clone()));
        fig.records = shown;
    }
    Ok(fig)
}
