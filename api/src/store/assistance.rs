//! Assistance: programmes and their eligibility rules, assessments of households, distribution
//! lists per site and date, entitlements and distributions (the rules are in
//! `domain::assistance`). Every call takes the caller's Scope; reads of households are audited;
//! every write records its audit event and its feed entry in the same transaction.
//!
//! A household receives an entitlement at most once per cycle: `distributions` has a unique key
//! on (programme, cycle, household), so two sites recording the same household at the same
//! moment cannot both commit. The loser is answered CONFLICT with reason ALREADY_DISTRIBUTED,
//! naming when and where the other was recorded.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::audit::{self, Actor as AuditActor, Entry, Reads};
use super::db::DbConn;
use super::feed;
use super::schema::{
    assistance_programmes as programmes, audit_events, distribution_lists as lists, distributions,
    documents, eligibility_assessments as assessments, entitlements, group_memberships,
    individuals, registration_groups, specific_needs,
};
use super::scope::Scope;
use super::{new_id, now};
use crate::domain::access::{FieldGroup, Permission};
use crate::domain::assistance::rules::{self, Household, HouseholdMember, HouseholdNeed};
use crate::domain::assistance::{
    self, BIOMETRIC_WINDOW_MINUTES, MAX_NAME_CHARS, ProgrammeInput, SiteTally, VerificationMethod,
};
use crate::domain::feed::{Change, RecordKind, parse_field_groups};
use crate::error::{Error, Reason, Result};

/// A programme as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = programmes)]
pub struct ProgrammeRow {
    pub id: String,
    pub operation_unit_id: String,
    pub name: String,
    pub kind: String,
    pub amount: f64,
    pub amount_unit: String,
    pub cycles: i32,
    pub eligibility: String,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An assessment as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assessments)]
pub struct AssessmentRow {
    pub id: String,
    pub operation_unit_id: String,
    pub programme_id: String,
    pub group_id: String,
    pub eligible: bool,
    pub criteria_met: String,
    pub explanation_en: String,
    pub explanation_es: String,
    pub field_groups: String,
    pub assessed_by: String,
    pub assessed_at: NaiveDateTime,
}

impl AssessmentRow {
    /// The sensitive field groups the explanation reveals.
    pub fn groups(&self) -> Vec<FieldGroup> {
        parse_field_groups(&self.field_groups).unwrap_or_else(|_| FieldGroup::ALL.to_vec())
    }
}

/// A distribution list as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = lists)]
pub struct ListRow {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub programme_id: String,
    pub cycle: i32,
    pub site: String,
    pub distribution_date: NaiveDate,
    pub created_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An entitlement as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = entitlements)]
pub struct EntitlementRow {
    pub id: String,
    pub operation_unit_id: String,
    pub programme_id: String,
    pub cycle: i32,
    pub group_id: String,
    pub list_id: String,
    pub assessment_id: String,
    pub amount: f64,
    pub created_at: NaiveDateTime,
}

/// A distribution as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = distributions)]
pub struct DistributionRow {
    pub id: String,
    pub operation_unit_id: String,
    pub entitlement_id: String,
    pub programme_id: String,
    pub cycle: i32,
    pub group_id: String,
    pub list_id: String,
    pub site: String,
    pub recipient_id: String,
    pub method: String,
    pub document_id: Option<String>,
    pub distributed_by: String,
    pub distributed_at: NaiveDateTime,
}

/// A refusal of a programme's input, its field under `input`.
fn programme_problem(p: assistance::ProgrammeProblem) -> Error {
    // The domain's `unit` is the input's `amountUnit`.
    let field = match p.field.as_str() {
        "unit" => "amountUnit",
        f => f,
    };
    Error::invalid(format!("input.{field}"), p.reason, p.message)
}

/// Creates a programme of the caller's unit; returns its id.
pub fn create_programme(
    conn: &mut DbConn,
    scope: &Scope,
    input: &ProgrammeInput,
) -> Result<String> {
    scope.require(Permission::ManageAssistance)?;
    let rule = input.check().map_err(programme_problem)?;
    let name = input.name.trim();
    name_free(conn, scope, name, None)?;
    let id = new_id();
    let at = now();
    diesel::insert_into(programmes::table)
        .values((
            programmes::id.eq(&id),
            programmes::operation_unit_id.eq(scope.unit_id()),
            programmes::name.eq(name),
            programmes::kind.eq(input.kind.as_str()),
            programmes::amount.eq(input.amount),
            programmes::amount_unit.eq(input.unit.trim()),
            programmes::cycles.eq(input.cycles),
            programmes::eligibility.eq(rule.to_json()),
            programmes::active.eq(true),
            programmes::version.eq(1),
            programmes::created_at.eq(at),
            programmes::updated_at.eq(at),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        &AuditActor::from(scope),
        &[Entry::ok("create", "assistance_programme", &id)],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::create(RecordKind::AssistanceProgramme, &id)],
    )?;
    Ok(id)
}

/// Rewrites a programme the caller's unit runs, checking the version read; returns the new
/// version.
pub fn update_programme(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    expected_version: i32,
    input: &ProgrammeInput,
    active: bool,
) -> Result<i32> {
    scope.require(Permission::ManageAssistance)?;
    let row = programme(conn, scope, id)?;
    if row.version != expected_version {
        return Err(Error::conflict(format!(
            "the programme was changed by someone else (you had version {expected_version}, it is now {}); reload and try again",
            row.version
        )));
    }
    let rule = input.check().map_err(programme_problem)?;
    let name = input.name.trim();
    name_free(conn, scope, name, Some(id))?;
    let planned: i32 = entitlements::table
        .filter(entitlements::programme_id.eq(id))
        .select(diesel::dsl::max(entitlements::cycle))
        .first::<Option<i32>>(conn)?
        .unwrap_or(0);
    if input.cycles < planned {
        return Err(Error::validation(
            "input.cycles",
            format!(
                "households are already planned in cycle {planned}: keep at least {planned} cycles"
            ),
        ));
    }
    let version = row.version + 1;
    let changed = diesel::update(
        programmes::table
            .filter(programmes::id.eq(id))
            .filter(programmes::version.eq(row.version)),
    )
    .set((
        programmes::name.eq(name),
        programmes::kind.eq(input.kind.as_str()),
        programmes::amount.eq(input.amount),
        programmes::amount_unit.eq(input.unit.trim()),
        programmes::cycles.eq(input.cycles),
        programmes::eligibility.eq(rule.to_json()),
        programmes::active.eq(active),
        programmes::version.eq(version),
        programmes::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(Error::conflict(
            "the programme was changed by someone else at the same moment; reload and try again",
        ));
    }
    audit::append(
        conn,
        &AuditActor::from(scope),
        &[Entry::ok("update", "assistance_programme", id)],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::update(RecordKind::AssistanceProgramme, id, version)],
    )?;
    Ok(version)
}

fn name_free(conn: &mut DbConn, scope: &Scope, name: &str, except: Option<&str>) -> Result<()> {
    let taken: Option<String> = programmes::table
        .filter(programmes::operation_unit_id.eq(scope.unit_id()))
        .filter(programmes::name.eq(name))
        .select(programmes::id)
        .first(conn)
        .optional()?;
    match taken {
        Some(other) if Some(other.as_str()) != except => Err(Error::validation(
            "input.name",
            "your unit already has a programme with this name",
        )),
        _ => Ok(()),
    }
}

/// One programme of the caller's unit.
pub fn programme(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<ProgrammeRow> {
    scope.require(Permission::ManageAssistance)?;
    programmes::table
        .filter(programmes::id.eq(id))
        .filter(programmes::operation_unit_id.eq(scope.unit_id()))
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("assistance programme"))
}

/// The caller's unit's programmes, active ones first, by name.
pub fn programmes(conn: &mut DbConn, scope: &Scope) -> Result<Vec<ProgrammeRow>> {
    scope.require(Permission::ManageAssistance)?;
    Ok(programmes::table
        .filter(programmes::operation_unit_id.eq(scope.unit_id()))
        .order((programmes::active.desc(), programmes::name, programmes::id))
        .limit(200)
        .select(ProgrammeRow::as_select())
        .load(conn)?)
}

fn rule_of(p: &ProgrammeRow) -> Result<rules::Rule> {
    rules::parse(&p.eligibility).map_err(|e| {
        Error::internal(format!(
            "the stored eligibility rule of programme {} cannot be read: {e}",
            p.name
        ))
    })
}

/// A household the caller may see, as the rules read it (its members today).
fn household(conn: &mut DbConn, scope: &Scope, group_id: &str, field: &str) -> Result<Household> {
    let created: Option<NaiveDateTime> = registration_groups::table
        .filter(registration_groups::id.eq(group_id))
        .filter(scope.groups())
        .select(registration_groups::created_at)
        .first(conn)
        .optional()?;
    let created = created
        .ok_or_else(|| Error::validation(field, "no household with this id in your scope"))?;
    let people: Vec<(String, Option<NaiveDate>, String)> = group_memberships::table
        .inner_join(individuals::table.on(individuals::id.eq(group_memberships::individual_id)))
        .filter(group_memberships::group_id.eq(group_id))
        .filter(group_memberships::ended_at.is_null())
        .select((
            individuals::id,
            individuals::date_of_birth,
            individuals::nationalities,
        ))
        .load(conn)?;
    let ids: Vec<&String> = people.iter().map(|p| &p.0).collect();
    let needs: Vec<(String, String, Option<String>, String, NaiveDateTime)> = specific_needs::table
        .filter(specific_needs::individual_id.eq_any(ids))
        .select((
            specific_needs::individual_id,
            specific_needs::code,
            specific_needs::sub_code,
            specific_needs::status,
            specific_needs::identified_at,
        ))
        .load(conn)?;
    Ok(Household {
        registered_on: created.date(),
        members: people
            .iter()
            .map(|(id, born, nats)| HouseholdMember {
                date_of_birth: *born,
                nationalities: nats.split_whitespace().map(str::to_string).collect(),
                needs: needs
                    .iter()
                    .filter(|n| &n.0 == id)
                    .map(|n| HouseholdNeed {
                        code: n.1.clone(),
                        sub_code: n.2.clone(),
                        identified_on: n.4.date(),
                        resolved: n.3 == "resolved",
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// Assesses a household against a programme's rule now and records the assessment.
pub fn assess(
    conn: &mut DbConn,
    scope: &Scope,
    programme_id: &str,
    group_id: &str,
    field: &str,
) -> Result<AssessmentRow> {
    let p = programme(conn, scope, programme_id)?;
    let rule = rule_of(&p)?;
    let h = household(conn, scope, group_id, field)?;
    let today = super::protection::today(conn, scope)?;
    let a = rule.evaluate(&h, today);
    let groups =
        Change::create(RecordKind::EligibilityAssessment, "").touching(rule.field_groups());
    let row = AssessmentRow {
        id: new_id(),
        operation_unit_id: scope.unit_id().to_string(),
        programme_id: p.id.clone(),
        group_id: group_id.to_string(),
        eligible: a.eligible,
        criteria_met: a.criteria_met.join(" "),
        explanation_en: a.explanation_en,
        explanation_es: a.explanation_es,
        field_groups: groups.field_groups_text(),
        assessed_by: scope.user_id().to_string(),
        assessed_at: now(),
    };
    diesel::insert_into(assessments::table)
        .values((
            assessments::id.eq(&row.id),
            assessments::operation_unit_id.eq(&row.operation_unit_id),
            assessments::programme_id.eq(&row.programme_id),
            assessments::group_id.eq(&row.group_id),
            assessments::eligible.eq(row.eligible),
            assessments::criteria_met.eq(&row.criteria_met),
            assessments::explanation_en.eq(&row.explanation_en),
            assessments::explanation_es.eq(&row.explanation_es),
            assessments::field_groups.eq(&row.field_groups),
            assessments::assessed_by.eq(&row.assessed_by),
            assessments::assessed_at.eq(row.assessed_at),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        &AuditActor::from(scope),
        &[Entry::ok(
            "assess_eligibility",
            "registration_group",
            group_id,
        )],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[
            Change::create(RecordKind::EligibilityAssessment, &row.id)
                .touching(rule.field_groups()),
        ],
    )?;
    Ok(row)
}

/// One assessment of the caller's unit.
pub fn assessment(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<AssessmentRow> {
    scope.require(Permission::ManageAssistance)?;
    assessments::table
        .filter(assessments::id.eq(id))
        .filter(assessments::operation_unit_id.eq(scope.unit_id()))
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("eligibility assessment"))
}

/// What a new list names.
#[derive(Debug, Clone)]
pub struct NewList {
    pub programme_id: String,
    pub cycle: i32,
    pub site: String,
    pub date: NaiveDate,
    pub group_ids: Vec<String>,
}

/// What became of a household offered to a list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Planned {
    pub group_id: String,
    pub assessment_id: String,
    /// The entitlement planned on this list; None when not eligible or already planned in
    /// this cycle.
    pub entitlement_id: Option<String>,
    /// The list where the household was already planned in this cycle.
    pub already_on_list: Option<String>,
}

/// Opens a distribution list for a programme's cycle at a site on a date, assessing and
/// planning the households given; returns its id and what became of each household.
pub fn create_list(
    conn: &mut DbConn,
    scope: &Scope,
    new: &NewList,
) -> Result<(String, Vec<Planned>)> {
    let p = programme(conn, scope, &new.programme_id)?;
    if !p.active {
        return Err(Error::validation(
            "input.programmeId",
            "this programme is closed: reopen it before planning distributions",
        ));
    }
    if !(1..=p.cycles).contains(&new.cycle) {
        return Err(Error::validation(
            "input.cycle",
            format!("the programme has cycles 1 to {}", p.cycles),
        ));
    }
    let site = new.site.trim();
    if site.is_empty() || site.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "input.site",
            if site.is_empty() {
                Reason::Required
            } else {
                Reason::TooLong {
                    max: MAX_NAME_CHARS,
                }
            },
            "name the site in 1 to 120 characters",
        ));
    }
    let today = super::protection::today(conn, scope)?;
    if new.date < today - TimeDelta::days(30) {
        return Err(Error::invalid(
            "input.date",
            Reason::TooEarly {
                min: (today - TimeDelta::days(30)).to_string(),
            },
            "a list is for a distribution today, to come, or of the last 30 days",
        ));
    }
    let office_id = scope.registering_office()?.to_string();
    let clash: Option<String> = lists::table
        .filter(lists::programme_id.eq(&p.id))
        .filter(lists::cycle.eq(new.cycle))
        .filter(lists::site.eq(site))
        .filter(lists::distribution_date.eq(new.date))
        .select(lists::id)
        .first(conn)
        .optional()?;
    if clash.is_some() {
        return Err(Error::validation(
            "input.site",
            "this programme already has a list for this cycle at this site on this day; add households to it",
        ));
    }
    let id = new_id();
    let at = now();
    diesel::insert_into(lists::table)
        .values((
            lists::id.eq(&id),
            lists::operation_unit_id.eq(scope.unit_id()),
            lists::office_id.eq(&office_id),
            lists::programme_id.eq(&p.id),
            lists::cycle.eq(new.cycle),
            lists::site.eq(site),
            lists::distribution_date.eq(new.date),
            lists::created_by.eq(scope.user_id()),
            lists::version.eq(1),
            lists::created_at.eq(at),
            lists::updated_at.eq(at),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        &AuditActor::from(scope),
        &[Entry::ok("create", "distribution_list", &id)],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::create(RecordKind::DistributionList, &id)],
    )?;
    let list = list(conn, scope, &id)?;
    let planned = plan(conn, scope, &p, &list, &new.group_ids)?;
    Ok((id, planned))
}

/// Assesses and plans more households on a list, checking the list's version read.
pub fn add_to_list(
    conn: &mut DbConn,
    scope: &Scope,
    list_id: &str,
    expected_version: i32,
    group_ids: &[String],
) -> Result<Vec<Planned>> {
    let l = list(conn, scope, list_id)?;
    if l.version != expected_version {
        return Err(Error::conflict(format!(
            "the list was changed by someone else (you had version {expected_version}, it is now {}); reload and try again",
            l.version
        )));
    }
    let p = programme(conn, scope, &l.programme_id)?;
    let version = l.version + 1;
    let changed = diesel::update(
        lists::table
            .filter(lists::id.eq(list_id))
            .filter(lists::version.eq(l.version)),
    )
    .set((lists::version.eq(version), lists::updated_at.eq(now())))
    .execute(conn)?;
    if changed != 1 {
        return Err(Error::conflict(
            "the list was changed by someone else at the same moment; reload and try again",
        ));
    }
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::update(
            RecordKind::DistributionList,
            list_id,
            version,
        )],
    )?;
    plan(conn, scope, &p, &l, group_ids)
}

fn plan(
    conn: &mut DbConn,
    scope: &Scope,
    p: &ProgrammeRow,
    l: &ListRow,
    group_ids: &[String],
) -> Result<Vec<Planned>> {
    if group_ids.len() > 500 {
        return Err(Error::invalid(
            "input.groupIds",
            Reason::TooMany { max: 500 },
            "plan at most 500 households at a time",
        ));
    }
    let mut out = Vec::new();
    for (i, g) in group_ids.iter().enumerate() {
        if out.iter().any(|o: &Planned| &o.group_id == g) {
            continue;
        }
        let a = assess(conn, scope, &p.id, g, &format!("input.groupIds.{i}"))?;
        let existing: Option<String> = entitlements::table
            .filter(entitlements::programme_id.eq(&p.id))
            .filter(entitlements::cycle.eq(l.cycle))
            .filter(entitlements::group_id.eq(g))
            .select(entitlements::list_id)
            .first(conn)
            .optional()?;
        let mut planned = Planned {
            group_id: g.clone(),
            assessment_id: a.id.clone(),
            entitlement_id: None,
            already_on_list: existing.clone(),
        };
        if a.eligible && existing.is_none() {
            let id = new_id();
            diesel::insert_into(entitlements::table)
                .values((
                    entitlements::id.eq(&id),
                    entitlements::operation_unit_id.eq(scope.unit_id()),
                    entitlements::programme_id.eq(&p.id),
                    entitlements::cycle.eq(l.cycle),
                    entitlements::group_id.eq(g),
                    entitlements::list_id.eq(&l.id),
                    entitlements::assessment_id.eq(&a.id),
                    entitlements::amount.eq(p.amount),
                    entitlements::created_at.eq(now()),
                ))
                .execute(conn)?;
            audit::append(
                conn,
                &AuditActor::from(scope),
                &[Entry::ok("plan_entitlement", "registration_group", g)],
            )?;
            feed::record(
                conn,
                scope.unit_id(),
                &[Change::create(RecordKind::Entitlement, &id)],
            )?;
            planned.entitlement_id = Some(id);
        }
        out.push(planned);
    }
    Ok(out)
}

/// One list the caller may see.
pub fn list(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<ListRow> {
    scope.require(Permission::ManageAssistance)?;
    lists::table
        .filter(lists::id.eq(id))
        .filter(scope.distribution_lists())
        .select(ListRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("distribution list"))
}

/// The lists the caller may see on a day (default: today in the unit), optionally of one
/// programme, by site.
pub fn lists_on(
    conn: &mut DbConn,
    scope: &Scope,
    day: Option<NaiveDate>,
    programme_id: Option<&str>,
) -> Result<Vec<ListRow>> {
    scope.require(Permission::ManageAssistance)?;
    let day = match day {
        Some(d) => d,
        None => super::protection::today(conn, scope)?,
    };
    let mut q = lists::table
        .filter(scope.distribution_lists())
        .filter(lists::distribution_date.eq(day))
        .select(ListRow::as_select())
        .into_boxed();
    if let Some(p) = programme_id {
        q = q.filter(lists::programme_id.eq(p.to_string()));
    }
    Ok(q.order((lists::site, lists::id)).limit(200).load(conn)?)
}

/// How many households a list plans and how many of them were served (anywhere): counts
/// only, no one named.
pub fn list_counts(conn: &mut DbConn, scope: &Scope, list_id: &str) -> Result<(i64, i64)> {
    let l = list(conn, scope, list_id)?;
    let planned: i64 = entitlements::table
        .filter(entitlements::list_id.eq(&l.id))
        .count()
        .get_result(conn)?;
    let served: i64 = entitlements::table
        .inner_join(distributions::table.on(distributions::entitlement_id.eq(entitlements::id)))
        .filter(entitlements::list_id.eq(&l.id))
        .count()
        .get_result(conn)?;
    Ok((planned, served))
}

/// A household planned on a list, as the list shows it.
#[derive(Debug, Clone)]
pub struct ListEntry {
    pub entitlement: EntitlementRow,
    pub group_number: String,
    /// The focal point (or the first member): id, given names, family name.
    pub focal_point: Option<(String, String, Option<String>)>,
    pub members: i64,
    pub distribution: Option<DistributionRow>,
}

/// The households planned on a list (each read audited), by group number.
pub fn entries(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    list_id: &str,
) -> Result<Vec<ListEntry>> {
    let l = list(conn, scope, list_id)?;
    let planned: Vec<EntitlementRow> = entitlements::table
        .filter(entitlements::list_id.eq(&l.id))
        .select(EntitlementRow::as_select())
        .load(conn)?;
    let planned_groups: Vec<&String> = planned.iter().map(|e| &e.group_id).collect();
    // Only the households the caller may see (an office-scoped user sees their office's).
    let numbers: Vec<(String, String)> = registration_groups::table
        .filter(registration_groups::id.eq_any(planned_groups))
        .filter(scope.groups())
        .select((registration_groups::id, registration_groups::group_number))
        .load(conn)?;
    let mut rows: Vec<(EntitlementRow, String)> = planned
        .into_iter()
        .filter_map(|e| {
            let number = numbers.iter().find(|n| n.0 == e.group_id)?.1.clone();
            Some((e, number))
        })
        .collect();
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    let group_ids: Vec<String> = rows.iter().map(|r| r.0.group_id.clone()).collect();
    let people: Vec<(String, String, String, String, Option<String>)> = group_memberships::table
        .inner_join(individuals::table.on(individuals::id.eq(group_memberships::individual_id)))
        .filter(group_memberships::group_id.eq_any(&group_ids))
        .filter(group_memberships::ended_at.is_null())
        .select((
            group_memberships::group_id,
            group_memberships::relationship,
            individuals::id,
            individuals::given_names,
            individuals::family_name,
        ))
        .load(conn)?;
    let ent_ids: Vec<String> = rows.iter().map(|r| r.0.id.clone()).collect();
    let done: Vec<DistributionRow> = distributions::table
        .filter(distributions::entitlement_id.eq_any(&ent_ids))
        .select(DistributionRow::as_select())
        .load(conn)?;
    reads.record("registration_group", group_ids.into_iter());
    Ok(rows
        .into_iter()
        .map(|(e, number)| {
            let members: Vec<_> = people.iter().filter(|p| p.0 == e.group_id).collect();
            let focal = members
                .iter()
                .find(|p| p.1 == "focal_point")
                .or(members.first())
                .map(|p| (p.2.clone(), p.3.clone(), p.4.clone()));
            ListEntry {
                group_number: number,
                focal_point: focal,
                members: members.len() as i64,
                distribution: done.iter().find(|d| d.entitlement_id == e.id).cloned(),
                entitlement: e,
            }
        })
        .collect())
}

/// What a site records.
#[derive(Debug, Clone)]
pub struct NewDistribution {
    pub list_id: String,
    pub group_id: String,
    pub recipient_id: String,
    pub method: VerificationMethod,
    /// The document number typed (method document).
    pub document_number: Option<String>,
}

/// Records that a household received its entitlement of the list's programme and cycle at the
/// list's site, after verifying the recipient; returns the distribution's id.
pub fn record_distribution(
    conn: &mut DbConn,
    scope: &Scope,
    new: &NewDistribution,
) -> Result<String> {
    let l = list(conn, scope, &new.list_id)?;
    let member: i64 = group_memberships::table
        .filter(group_memberships::group_id.eq(&new.group_id))
        .filter(group_memberships::individual_id.eq(&new.recipient_id))
        .filter(group_memberships::ended_at.is_null())
        .filter(group_memberships::operation_unit_id.eq(scope.unit_id()))
        .count()
        .get_result(conn)?;
    let visible: i64 = individuals::table
        .filter(individuals::id.eq(&new.recipient_id))
        .filter(scope.individuals())
        .count()
        .get_result(conn)?;
    if member == 0 || visible == 0 {
        return Err(Error::validation(
            "input.recipientId",
            "the recipient must be a member of the household in your scope",
        ));
    }
    let entitlement: Option<EntitlementRow> = entitlements::table
        .filter(entitlements::programme_id.eq(&l.programme_id))
        .filter(entitlements::cycle.eq(l.cycle))
        .filter(entitlements::group_id.eq(&new.group_id))
        .filter(entitlements::operation_unit_id.eq(scope.unit_id()))
        .select(EntitlementRow::as_select())
        .first(conn)
        .optional()?;
    let Some(entitlement) = entitlement else {
        return Err(Error::invalid(
            "input.groupId",
            Reason::NotEntitled,
            "this household has no entitlement for this programme and cycle",
        ));
    };
    if let Some(done) = already(conn, &entitlement.id)? {
        return Err(done);
    }
    let document_id = verify(conn, scope, new)?;
    let id = new_id();
    let at = now();
    let inserted = conn.transaction(|c| {
        diesel::insert_into(distributions::table)
            .values((
                distributions::id.eq(&id),
                distributions::operation_unit_id.eq(scope.unit_id()),
                distributions::entitlement_id.eq(&entitlement.id),
                distributions::programme_id.eq(&l.programme_id),
                distributions::cycle.eq(l.cycle),
                distributions::group_id.eq(&new.group_id),
                distributions::list_id.eq(&l.id),
                distributions::site.eq(&l.site),
                distributions::recipient_id.eq(&new.recipient_id),
                distributions::method.eq(new.method.as_str()),
                distributions::document_id.eq(&document_id),
                distributions::distributed_by.eq(scope.user_id()),
                distributions::distributed_at.eq(at),
            ))
            .execute(c)
    });
    match inserted {
        Ok(_) => {}
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {
            // Another site committed the same household a moment ago: the savepoint is rolled
            // back, so its row can be read and named.
            return Err(already(conn, &entitlement.id)?.unwrap_or_else(|| {
                Error::conflict("this household already received this assistance in this cycle")
            }));
        }
        Err(e) => return Err(e.into()),
    }
    audit::append(
        conn,
        &AuditActor::from(scope),
        &[Entry::ok(
            "record_distribution",
            "individual",
            &new.recipient_id,
        )],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::create(RecordKind::Distribution, &id)],
    )?;
    Ok(id)
}

/// The refusal for an entitlement already distributed, if it is.
fn already(conn: &mut DbConn, entitlement_id: &str) -> Result<Option<Error>> {
    let done: Option<(NaiveDateTime, String)> = distributions::table
        .filter(distributions::entitlement_id.eq(entitlement_id))
        .select((distributions::distributed_at, distributions::site))
        .first(conn)
        .optional()?;
    Ok(done.map(|(at, site)| Error {
        reason: Reason::AlreadyDistributed(Box::new(crate::domain::error::Delivered {
            at: at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            site: site.clone(),
        })),
        ..Error::conflict(format!(
            "this household already received this assistance in this cycle, at {site}; nothing was recorded"
        ))
    }))
}

/// Checks the recipient as the method says; returns the document that matched.
fn verify(conn: &mut DbConn, scope: &Scope, new: &NewDistribution) -> Result<Option<String>> {
    match new.method {
        VerificationMethod::Document => {
            let typed = new.document_number.as_deref().unwrap_or_default();
            if typed.trim().is_empty() {
                return Err(Error::invalid(
                    "input.documentNumber",
                    Reason::Required,
                    "type the number of the recipient's document",
                ));
            }
            let docs: Vec<(String, String)> = documents::table
                .filter(documents::individual_id.eq(&new.recipient_id))
                .filter(documents::operation_unit_id.eq(scope.unit_id()))
                .select((documents::id, documents::number))
                .load(conn)?;
            docs.iter()
                .find(|(_, n)| assistance::document_matches(typed, [n.as_str()]))
                .map(|(id, _)| Some(id.clone()))
                .ok_or_else(|| {
                    Error::invalid(
                        "input.documentNumber",
                        Reason::RecipientNotVerified {
                            method: "document".into(),
                        },
                        "no document registered to the recipient has this number",
                    )
                })
        }
        VerificationMethod::Biometric => {
            let since = now() - TimeDelta::minutes(BIOMETRIC_WINDOW_MINUTES);
            let matched: i64 = audit::events_of_record(conn, &new.recipient_id)?
                .filter(audit_events::action.eq("verify_identity"))
                .filter(audit_events::user_id.eq(scope.user_id()))
                .filter(audit_events::outcome.eq("ok"))
                .filter(audit_events::detail.like("matched%"))
                .filter(audit_events::at.ge(since))
                .count()
                .get_result(conn)?;
            if matched == 0 {
                return Err(Error::invalid(
                    "input.method",
                    Reason::RecipientNotVerified {
                        method: "biometric".into(),
                    },
                    format!(
                        "no matched verifyIdentity of the recipient by you in the last {BIOMETRIC_WINDOW_MINUTES} minutes; verify and send again"
                    ),
                ));
            }
            Ok(None)
        }
    }
}

/// Distributions the caller may see, of a list or of a programme's cycle, latest first (each
/// read audited), whether more follow, and how many rows the page consumed (the next offset
/// moves by it).
pub fn distributions_of(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    list_id: Option<&str>,
    programme: Option<(&str, Option<i32>)>,
    first: i64,
    offset: i64,
) -> Result<(Vec<DistributionRow>, bool, i64)> {
    scope.require(Permission::ManageAssistance)?;
    let mut q = distributions::table
        .filter(distributions::operation_unit_id.eq(scope.unit_id()))
        .select(DistributionRow::as_select())
        .into_boxed();
    if let Some(l) = list_id {
        q = q.filter(distributions::list_id.eq(l.to_string()));
    }
    if let Some((p, cycle)) = programme {
        q = q.filter(distributions::programme_id.eq(p.to_string()));
        if let Some(c) = cycle {
            q = q.filter(distributions::cycle.eq(c));
        }
    }
    let mut rows: Vec<DistributionRow> = q
        .order((distributions::distributed_at.desc(), distributions::id))
        .limit(first + 1)
        .offset(offset)
        .load(conn)?;
    let more = rows.len() as i64 > first;
    rows.truncate(first as usize);
    let read = rows.len() as i64;
    // A caller scoped to an office sees the distributions of its households only (a page may
    // then hold fewer rows; the cursor still moves by the rows read).
    let groups: Vec<&String> = rows.iter().map(|r| &r.group_id).collect();
    let visible: Vec<String> = registration_groups::table
        .filter(registration_groups::id.eq_any(groups))
        .filter(scope.groups())
        .select(registration_groups::id)
        .load(conn)?;
    rows.retain(|r| visible.contains(&r.group_id));
    reads.record("distribution", rows.iter().map(|r| r.id.clone()));
    Ok((rows, more, read))
}

/// Planned against distributed, per site, for a programme's cycle (counts only).
pub fn reconciliation(
    conn: &mut DbConn,
    scope: &Scope,
    programme_id: &str,
    cycle: i32,
) -> Result<Vec<SiteTally>> {
    let p = programme(conn, scope, programme_id)?;
    let planned: Vec<(String, String)> = entitlements::table
        .inner_join(lists::table.on(lists::id.eq(entitlements::list_id)))
        .filter(entitlements::programme_id.eq(&p.id))
        .filter(entitlements::cycle.eq(cycle))
        .select((lists::site, entitlements::id))
        .load(conn)?;
    let done: Vec<(String, String)> = distributions::table
        .filter(distributions::programme_id.eq(&p.id))
        .filter(distributions::cycle.eq(cycle))
        .select((distributions::site, distributions::entitlement_id))
        .load(conn)?;
    let mut sites: Vec<SiteTally> = Vec::new();
    let mut at = |site: &str| -> usize {
        match sites.iter().position(|s| s.site == site) {
            Some(i) => i,
            None => {
                sites.push(SiteTally {
                    site: site.to_string(),
                    ..SiteTally::default()
                });
                sites.len() - 1
            }
        }
    };
    let mut tallies = Vec::new();
    for (site, ent) in &planned {
        let i = at(site);
        let served = done.iter().any(|d| &d.1 == ent);
        tallies.push((i, 1, u32::from(served), 0));
    }
    for (site, _) in &done {
        let i = at(site);
        tallies.push((i, 0, 0, 1));
    }
    for (i, planned, of_planned, here) in tallies {
        sites[i].planned += planned;
        sites[i].distributed_of_planned += of_planned;
        sites[i].distributed_here += here;
    }
    sites.sort_by(|a, b| a.site.cmp(&b.site));
    Ok(sites)
}
