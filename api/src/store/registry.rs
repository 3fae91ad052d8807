//! Writes to the registry: registering groups, editing people, specific needs, documents,
//! splitting and merging groups. Each function runs inside the caller's write transaction,
//! records the change in the record's history (`events`) and in the audit log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::db::DbConn;
use super::dialect;
use super::feed;
use super::rows::{
    AddressRow, DocumentRow, GroupRow, IndividualRow, MembershipRow, NeedRow, PersonColumns,
    PhoneRow,
};
use super::schema::*;
use super::scope::Scope;
use super::{new_id, now};
use crate::domain::access::{FieldGroup, Permission};
use crate::domain::events::RecordEvent;
use crate::domain::feed::{Change, RecordKind};
use crate::domain::names;
use crate::domain::needs;
use crate::domain::patch::{Patched, PersonPatch, document_changes};
use crate::domain::registration::{
    AddressInput, DocumentInput, FOCAL_POINT, GroupInput, LanguageInput, NeedInput, PersonInput,
    PhoneInput,
};
use crate::error::{Error, Result};

/// What `register_group` created.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Registered {
    pub group_id: String,
    pub individual_ids: Vec<String>,
}

/// The next number of a kind within a unit (individual, group, case); gap-free per unit.
pub fn next_number(conn: &mut DbConn, unit_id: &str, kind: &str) -> Result<i64> {
    dialect::take_numbers(conn, unit_id, kind, 1)
}

/// Formats a registry number, e.g. `DPIN-I-0000123`; on a field node a provisional one,
/// e.g. `DPIN-LAG-PI-000123` (see `store::sync`).
pub fn format_number(unit_code: &str, kind_letter: char, n: i64) -> String {
    super::sync::number(
        unit_code,
        kind_letter,
        n,
        format!("{unit_code}-{kind_letter}-{n:07}"),
    )
}

fn unit_code(conn: &mut DbConn, unit_id: &str) -> Result<String> {
    Ok(operation_units::table
        .find(unit_id)
        .select(operation_units::code)
        .first(conn)?)
}

/// Appends to a record's history.
pub fn record_event(
    conn: &mut DbConn,
    scope: &Scope,
    record_type: &str,
    record_id: &str,
    kind: &str,
    data: serde_json::Value,
) -> Result<()> {
    diesel::insert_into(events::table)
        .values((
            events::id.eq(new_id()),
            events::operation_unit_id.eq(scope.unit_id()),
            events::record_type.eq(record_type),
            events::record_id.eq(record_id),
            events::kind.eq(kind),
            events::actor_id.eq(scope.user_id()),
            events::at.eq(now()),
            events::data.eq(data.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces the search keys of one individual.
pub fn index_names(
    conn: &mut DbConn,
    unit_id: &str,
    individual_id: &str,
    parts: &[&str],
) -> Result<()> {
    diesel::delete(name_tokens::table.filter(name_tokens::individual_id.eq(individual_id)))
        .execute(conn)?;
    let rows: Vec<_> = names::stored_tokens(parts.iter().copied())
        .into_iter()
        .map(|t| {
            (
                name_tokens::operation_unit_id.eq(unit_id.to_string()),
                name_tokens::token.eq(t),
                name_tokens::individual_id.eq(individual_id.to_string()),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    dialect::insert_name_tokens(conn, &rows)?;
    Ok(())
}

/// Creates an empty active group with the unit's next group number; returns its id.
fn insert_group(
    conn: &mut DbConn,
    unit_id: &str,
    unit_code: &str,
    office_id: &str,
) -> Result<String> {
    let t = now();
    let id = new_id();
    let number = format_number(unit_code, 'G', next_number(conn, unit_id, "group")?);
    diesel::insert_into(registration_groups::table)
        .values((
            registration_groups::id.eq(&id),
            registration_groups::operation_unit_id.eq(unit_id),
            registration_groups::office_id.eq(office_id),
            registration_groups::number_key.eq(names::normalize_identifier(&number)),
            registration_groups::group_number.eq(&number),
            registration_groups::status.eq("active"),
            registration_groups::created_at.eq(t),
            registration_groups::updated_at.eq(t),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Where imported records came from: the source's name, the batch writing them, and the
/// source's own keys of the group and of each member (in the order of the members).
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub source: &'a str,
    pub batch_id: &'a str,
    pub group_key: &'a str,
    pub member_keys: &'a [String],
}

impl Origin<'_> {
    /// The first history entry of an imported record.
    fn event(&self, key: &str) -> Result<serde_json::Value> {
        serde_json::to_value(RecordEvent::Imported {
            source: self.source.to_string(),
            source_key: key.to_string(),
            batch_id: self.batch_id.to_string(),
        })
        .map_err(|e| Error::internal(format!("cannot store the import event: {e}")))
    }
}

/// Registers a group and all its members in the caller's transaction.
pub fn register_group(conn: &mut DbConn, scope: &Scope, input: &GroupInput) -> Result<Registered> {
    register(conn, scope, input, None)
}

/// Registers a group brought by an import: the same write as [`register_group`] (audit, change
/// feed, search keys), with each record's history starting with where it came from.
pub fn register_imported_group(
    conn: &mut DbConn,
    scope: &Scope,
    input: &GroupInput,
    origin: &Origin,
) -> Result<Registered> {
    if origin.member_keys.len() != input.members.len() {
        return Err(Error::internal(
            "an imported group needs one source key per member",
        ));
    }
    register(conn, scope, input, Some(origin))
}

fn register(
    conn: &mut DbConn,
    scope: &Scope,
    input: &GroupInput,
    origin: Option<&Origin>,
) -> Result<Registered> {
    scope.require(Permission::WritePersons)?;
    let t = now();
    input.validate(t.date())?;
    if input
        .members
        .iter()
        .any(|m| !m.person.specific_needs.is_empty())
    {
        scope.require(Permission::AddNeeds)?;
    }
    let office = scope.registering_office()?.to_string();
    let unit = scope.unit_id().to_string();
    let code = unit_code(conn, &unit)?;
    let group_id = insert_group(conn, &unit, &code, &office)?;
    if let Some(o) = origin {
        record_event(
            conn,
            scope,
            "registration_group",
            &group_id,
            "imported",
            o.event(o.group_key)?,
        )?;
    }
    let mut individual_ids = Vec::with_capacity(input.members.len());
    let mut audit_entries = vec![Entry::ok("create", "registration_group", &group_id)];
    let mut changes = vec![Change::create(RecordKind::RegistrationGroup, &group_id)];
    for (i, m) in input.members.iter().enumerate() {
        let imported = match origin {
            Some(o) => Some(o.event(&o.member_keys[i])?),
            None => None,
        };
        let id = insert_person(
            conn,
            scope,
            &code,
            &office,
            &m.person,
            imported,
            &mut changes,
        )?;
        let membership_id = new_id();
        changes.push(Change::create(RecordKind::GroupMembership, &membership_id));
        diesel::insert_into(group_memberships::table)
            .values((
                group_memberships::id.eq(&membership_id),
                group_memberships::operation_unit_id.eq(&unit),
                group_memberships::group_id.eq(&group_id),
                group_memberships::individual_id.eq(&id),
                group_memberships::relationship.eq(&m.relationship),
                group_memberships::started_at.eq(t),
            ))
            .execute(conn)?;
        record_event(
            conn,
            scope,
            "individual",
            &id,
            "registered",
            json!({ "groupId": group_id, "relationship": m.relationship }),
        )?;
        audit_entries.push(Entry::ok("create", "individual", &id));
        individual_ids.push(id);
    }
    record_event(
        conn,
        scope,
        "registration_group",
        &group_id,
        "registered",
        json!({ "members": individual_ids }),
    )?;
    audit::append(conn, &Actor::from(scope), &audit_entries)?;
    feed::record(conn, &unit, &changes)?;
    Ok(Registered {
        group_id,
        individual_ids,
    })
}

fn insert_person(
    conn: &mut DbConn,
    scope: &Scope,
    unit_code: &str,
    office: &str,
    p: &PersonInput,
    imported: Option<serde_json::Value>,
    changes: &mut Vec<Change>,
) -> Result<String> {
    let t = now();
    let unit = scope.unit_id();
    let id = new_id();
    changes.push(
        Change::create(RecordKind::Individual, &id).touching(
            [
                (FieldGroup::Ethnicity, &p.ethnicity),
                (FieldGroup::Religion, &p.religion),
            ]
            .into_iter()
            .filter(|(_, v)| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
            .map(|(g, _)| g),
        ),
    );
    let number = format_number(unit_code, 'I', next_number(conn, unit, "individual")?);
    diesel::insert_into(individuals::table)
        .values((
            PersonColumns::from(p),
            (
                individuals::id.eq(&id),
                individuals::operation_unit_id.eq(unit),
                individuals::office_id.eq(office),
                individuals::number_key.eq(names::normalize_identifier(&number)),
                individuals::individual_number.eq(&number),
                individuals::registration_date.eq(t.date()),
                individuals::registered_by.eq(scope.user_id()),
                individuals::information_given_at.eq(p.information_given.then_some(t)),
                individuals::created_at.eq(t),
                individuals::updated_at.eq(t),
            ),
        ))
        .execute(conn)?;
    if let Some(event) = imported {
        record_event(conn, scope, "individual", &id, "imported", event)?;
    }
    index_names(conn, unit, &id, &p.name_parts())?;
    for l in &p.languages {
        insert_language(conn, unit, &id, l, t)?;
    }
    for d in &p.documents {
        let doc = insert_document(conn, scope, &id, d)?;
        changes.push(Change::create(RecordKind::Document, doc));
    }
    for a in &p.addresses {
        insert_address(conn, unit, &id, a, t)?;
    }
    for ph in &p.phones {
        insert_phone(conn, unit, &id, ph, t)?;
    }
    for n in &p.specific_needs {
        let need = insert_need(conn, scope, &id, n)?;
        changes.push(need_change(
            Change::create(RecordKind::SpecificNeed, need),
            &n.code,
        ));
    }
    Ok(id)
}

fn insert_language(
    conn: &mut DbConn,
    unit: &str,
    individual_id: &str,
    l: &LanguageInput,
    t: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(individual_languages::table)
        .values((
            individual_languages::id.eq(new_id()),
            individual_languages::operation_unit_id.eq(unit),
            individual_languages::individual_id.eq(individual_id),
            individual_languages::language.eq(&l.language),
            individual_languages::kind.eq(&l.kind),
            individual_languages::created_at.eq(t),
        ))
        .execute(conn)?;
    Ok(())
}

fn insert_address(
    conn: &mut DbConn,
    unit: &str,
    individual_id: &str,
    a: &AddressInput,
    t: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(addresses::table)
        .values((
            addresses::id.eq(new_id()),
            addresses::operation_unit_id.eq(unit),
            addresses::individual_id.eq(individual_id),
            addresses::kind.eq(&a.kind),
            addresses::line.eq(a.line.trim()),
            addresses::city.eq(&a.city),
            addresses::province.eq(&a.province),
            addresses::country.eq(&a.country),
            addresses::valid_from.eq(t.date()),
            addresses::created_at.eq(t),
        ))
        .execute(conn)?;
    Ok(())
}

fn insert_phone(
    conn: &mut DbConn,
    unit: &str,
    individual_id: &str,
    ph: &PhoneInput,
    t: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(phones::table)
        .values((
            phones::id.eq(new_id()),
            phones::operation_unit_id.eq(unit),
            phones::individual_id.eq(individual_id),
            phones::number.eq(ph.number.trim()),
            phones::kind.eq(&ph.kind),
            phones::consent_to_contact.eq(ph.consent_to_contact),
            phones::created_at.eq(t),
        ))
        .execute(conn)?;
    Ok(())
}

/// The person's current languages, addresses and phones (an ended address or a removed phone
/// is history, not part of the person a correction starts from).
fn current_lists(conn: &mut DbConn, id: &str, person: &mut PersonInput) -> Result<()> {
    person.languages = individual_languages::table
        .filter(individual_languages::individual_id.eq(id))
        .order(individual_languages::created_at.asc())
        .select((individual_languages::language, individual_languages::kind))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(language, kind)| LanguageInput { language, kind })
        .collect();
    person.addresses = addresses::table
        .filter(addresses::individual_id.eq(id))
        .filter(addresses::valid_to.is_null())
        .order(addresses::created_at.asc())
        .select(AddressRow::as_select())
        .load(conn)?
        .iter()
        .map(address_of)
        .collect();
    person.phones = phones::table
        .filter(phones::individual_id.eq(id))
        .filter(phones::removed_at.is_null())
        .order(phones::created_at.asc())
        .select(PhoneRow::as_select())
        .load(conn)?
        .iter()
        .map(phone_of)
        .collect();
    Ok(())
}

fn address_of(a: &AddressRow) -> AddressInput {
    AddressInput {
        kind: a.kind.clone(),
        line: a.line.clone(),
        city: a.city.clone(),
        province: a.province.clone(),
        country: a.country.clone(),
    }
}

fn phone_of(p: &PhoneRow) -> PhoneInput {
    PhoneInput {
        number: p.number.clone(),
        kind: p.kind.clone(),
        consent_to_contact: p.consent_to_contact,
    }
}

/// Writes the lists a correction replaced. Languages are replaced outright (history keeps the
/// old list); an address left out ends today and a phone left out is marked removed, so the
/// rows keep when each was valid; entries kept unchanged stay as they are.
fn write_lists(
    conn: &mut DbConn,
    unit: &str,
    id: &str,
    before: &PersonInput,
    after: &PersonInput,
    changed: &Patched,
    t: NaiveDateTime,
) -> Result<()> {
    if changed.changes.contains_key("languages") {
        diesel::delete(
            individual_languages::table.filter(individual_languages::individual_id.eq(id)),
        )
        .execute(conn)?;
        for l in &after.languages {
            insert_language(conn, unit, id, l, t)?;
        }
    }
    if changed.changes.contains_key("addresses") {
        let rows: Vec<AddressRow> = addresses::table
            .filter(addresses::individual_id.eq(id))
            .filter(addresses::valid_to.is_null())
            .select(AddressRow::as_select())
            .load(conn)?;
        for row in &rows {
            if !after.addresses.contains(&address_of(row)) {
                diesel::update(addresses::table.find(&row.id))
                    .set(addresses::valid_to.eq(Some(t.date())))
                    .execute(conn)?;
            }
        }
        for a in after
            .addresses
            .iter()
            .filter(|a| !before.addresses.contains(a))
        {
            insert_address(conn, unit, id, a, t)?;
        }
    }
    if changed.changes.contains_key("phones") {
        let rows: Vec<PhoneRow> = phones::table
            .filter(phones::individual_id.eq(id))
            .filter(phones::removed_at.is_null())
            .select(PhoneRow::as_select())
            .load(conn)?;
        for row in &rows {
            if !after.phones.contains(&phone_of(row)) {
                diesel::update(phones::table.find(&row.id))
                    .set(phones::removed_at.eq(Some(t)))
                    .execute(conn)?;
            }
        }
        for p in after.phones.iter().filter(|p| !before.phones.contains(p)) {
            insert_phone(conn, unit, id, p, t)?;
        }
    }
    Ok(())
}

fn insert_need(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
    n: &NeedInput,
) -> Result<String> {
    let t = now();
    let id = new_id();
    diesel::insert_into(specific_needs::table)
        .values((
            specific_needs::id.eq(&id),
            specific_needs::operation_unit_id.eq(scope.unit_id()),
            specific_needs::individual_id.eq(individual_id),
            specific_needs::code.eq(&n.code),
            specific_needs::sub_code.eq(&n.sub_code),
            specific_needs::status.eq(needs::NeedStatus::PendingReview.as_str()),
            specific_needs::comments.eq(&n.comments),
            specific_needs::catalogue_version.eq(needs::CATALOGUE_VERSION),
            specific_needs::identified_at.eq(t),
            specific_needs::identified_by.eq(scope.user_id()),
            specific_needs::created_at.eq(t),
            specific_needs::updated_at.eq(t),
        ))
        .execute(conn)?;
    // The code alone is kept in history: details of SV/TR/medical needs stay on the need row,
    // which only roles with access to that field group can read.
    record_event(
        conn,
        scope,
        "individual",
        individual_id,
        "specific_need_added",
        json!({ "needId": id, "code": n.code }),
    )?;
    Ok(id)
}

fn insert_document(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
    d: &DocumentInput,
) -> Result<String> {
    let t = now();
    let id = new_id();
    diesel::insert_into(documents::table)
        .values((
            documents::id.eq(&id),
            documents::operation_unit_id.eq(scope.unit_id()),
            documents::individual_id.eq(individual_id),
            documents::document_type.eq(&d.document_type),
            documents::number.eq(d.number.trim()),
            documents::number_key.eq(names::document_number_key(&d.number)),
            documents::issuing_country.eq(&d.issuing_country),
            documents::issued_on.eq(d.issued_on),
            documents::expires_on.eq(d.expires_on),
            documents::created_at.eq(t),
            documents::updated_at.eq(t),
        ))
        .execute(conn)?;
    record_event(
        conn,
        scope,
        "individual",
        individual_id,
        "document_added",
        json!({ "documentId": id, "type": d.document_type }),
    )?;
    Ok(id)
}

/// An individual visible to the caller, for an update (no read audit: the write is audited).
fn visible_individual(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<IndividualRow> {
    individuals::table
        .filter(individuals::id.eq(id))
        .filter(scope.individuals())
        .select(IndividualRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("individual"))
}

fn version_conflict(what: &str, expected: i32, current: i32) -> Error {
    Error::conflict(format!(
        "the {what} was changed by someone else (you had version {expected}, it is now {current}); reload and try again"
    ))
}

/// Applies a patch, checking the version the caller read.
pub fn update_individual(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    expected_version: i32,
    patch: &PersonPatch,
) -> Result<IndividualRow> {
    scope.require(Permission::WritePersons)?;
    let current = visible_individual(conn, scope, id)?;
    if current.version != expected_version {
        return Err(version_conflict(
            "individual",
            expected_version,
            current.version,
        ));
    }
    if patch.writes().any(|g| !scope.sees(g)) {
        return Err(Error::forbidden(
            "your role may not change ethnicity or religion",
        ));
    }
    let mut before = current.person();
    if patch.touches_lists() {
        current_lists(conn, id, &mut before)?;
    }
    let patched = patch.apply(&before);
    let t = now();
    patched.person.validate(t.date())?;
    if patched.is_empty() && !patch.mark_verified {
        return Ok(current);
    }
    let verified_at = if patch.mark_verified {
        Some(t)
    } else {
        current.last_verified_at
    };
    write_person(conn, id, expected_version, &patched.person, t, verified_at)?;
    write_lists(
        conn,
        scope.unit_id(),
        id,
        &before,
        &patched.person,
        &patched,
        t,
    )?;
    index_names(conn, scope.unit_id(), id, &patched.person.name_parts())?;
    record_update(
        conn,
        scope,
        id,
        expected_version + 1,
        &patched,
        patch.mark_verified,
    )?;
    visible_individual(conn, scope, id)
}

/// Writes the person's columns over the version read; CONFLICT if another write came first.
fn write_person(
    conn: &mut DbConn,
    id: &str,
    expected_version: i32,
    person: &PersonInput,
    t: NaiveDateTime,
    verified_at: Option<NaiveDateTime>,
) -> Result<()> {
    let n = diesel::update(
        individuals::table
            .filter(individuals::id.eq(id))
            .filter(individuals::version.eq(expected_version)),
    )
    .set((
        PersonColumns::from(person),
        individuals::last_verified_at.eq(verified_at),
        individuals::version.eq(expected_version + 1),
        individuals::updated_at.eq(t),
    ))
    .execute(conn)?;
    if n != 1 {
        let v: i32 = individuals::table
            .find(id)
            .select(individuals::version)
            .first(conn)?;
        return Err(version_conflict("individual", expected_version, v));
    }
    Ok(())
}

/// The feed entry, history event and audit entry of an edit, in the edit's transaction.
fn record_update(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    version: i32,
    patched: &Patched,
    verified: bool,
) -> Result<()> {
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::update(RecordKind::Individual, id, version).touching(patched.groups())],
    )?;
    record_event(
        conn,
        scope,
        "individual",
        id,
        "updated",
        json!({ "changes": patched.changes, "verified": verified }),
    )?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry::ok("update", "individual", id)],
    )
}

/// Flags a specific need on an individual (pending review by protection staff).
pub fn add_specific_need(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
    need: &NeedInput,
) -> Result<NeedRow> {
    scope.require(Permission::AddNeeds)?;
    need.validate()?;
    visible_individual(conn, scope, individual_id)?;
    let id = insert_need(conn, scope, individual_id, need)?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry::ok("create", "specific_need", &id)],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[need_change(
            Change::create(RecordKind::SpecificNeed, &id),
            &need.code,
        )],
    )?;
    Ok(specific_needs::table
        .find(&id)
        .select(NeedRow::as_select())
        .first(conn)?)
}

/// Confirms or resolves a specific need, checking the version the reviewer read.
pub fn review_specific_need(
    conn: &mut DbConn,
    scope: &Scope,
    need_id: &str,
    expected_version: i32,
    status: needs::NeedStatus,
    comments: Option<&str>,
) -> Result<NeedRow> {
    scope.require(Permission::ReviewNeeds)?;
    if let Some(c) = comments
        && c.chars().count() > crate::domain::registration::MAX_LONG_TEXT
    {
        return Err(Error::validation("comments", "comments are too long"));
    }
    let need: NeedRow = specific_needs::table
        .filter(specific_needs::id.eq(need_id))
        .filter(specific_needs::operation_unit_id.eq(scope.unit_id()))
        .select(NeedRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("specific need"))?;
    visible_individual(conn, scope, &need.individual_id)
        .map_err(|_| Error::not_found("specific need"))?;
    // A need of a group the caller cannot read does not exist for them, as in their reads: a
    // refusal naming its kind would tell them what the withheld need is.
    if let Some(group) = sensitivity_group(&need.code)
        && !scope.sees(group)
    {
        return Err(Error::not_found("specific need"));
    }
    if need.version != expected_version {
        return Err(version_conflict(
            "specific need",
            expected_version,
            need.version,
        ));
    }
    if status == needs::NeedStatus::PendingReview {
        return Err(Error::validation(
            "status",
            "a review confirms or resolves the need",
        ));
    }
    let t = now();
    diesel::update(
        specific_needs::table
            .filter(specific_needs::id.eq(need_id))
            .filter(specific_needs::version.eq(expected_version)),
    )
    .set((
        specific_needs::status.eq(status.as_str()),
        specific_needs::comments.eq(comments.map(str::to_string).or(need.comments.clone())),
        specific_needs::reviewed_at.eq(t),
        specific_needs::reviewed_by.eq(scope.user_id()),
        specific_needs::version.eq(expected_version + 1),
        specific_needs::updated_at.eq(t),
    ))
    .execute(conn)?;
    record_event(
        conn,
        scope,
        "individual",
        &need.individual_id,
        "specific_need_reviewed",
        json!({ "needId": need_id, "from": need.status, "to": status.as_str() }),
    )?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry::ok("update", "specific_need", need_id)],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[need_change(
            Change::update(RecordKind::SpecificNeed, need_id, expected_version + 1),
            &need.code,
        )],
    )?;
    Ok(specific_needs::table
        .find(need_id)
        .select(NeedRow::as_select())
        .first(conn)?)
}

/// A change to a need touches the field group its code belongs to, if any.
fn need_change(change: Change, code: &str) -> Change {
    change.touching(sensitivity_group(code))
}

/// The field group that protects a need code, if any.
pub fn sensitivity_group(code: &str) -> Option<crate::domain::access::FieldGroup> {
    use crate::domain::access::FieldGroup;
    needs::sensitivity(code).map(|s| match s {
        needs::NeedSensitivity::Sgbv => FieldGroup::Sgbv,
        needs::NeedSensitivity::Torture => FieldGroup::Torture,
        needs::NeedSensitivity::Medical => FieldGroup::Medical,
    })
}

/// Adds an identity document to an individual.
pub fn add_document(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
    doc: &DocumentInput,
) -> Result<DocumentRow> {
    scope.require(Permission::WritePersons)?;
    doc.validate(now().date())?;
    visible_individual(conn, scope, individual_id)?;
    let id = insert_document(conn, scope, individual_id, doc)?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry::ok("create", "document", &id)],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::create(RecordKind::Document, &id)],
    )?;
    Ok(documents::table
        .find(&id)
        .select(DocumentRow::as_select())
        .first(conn)?)
}

/// Corrects a document's type, number, issuing country and dates, checking the version the
/// caller read; the history of its individual keeps what changed.
pub fn update_document(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    expected_version: i32,
    doc: &DocumentInput,
) -> Result<DocumentRow> {
    scope.require(Permission::WritePersons)?;
    let current: DocumentRow = documents::table
        .filter(documents::id.eq(id))
        .filter(documents::operation_unit_id.eq(scope.unit_id()))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("document"))?;
    // The document is the caller's to change only when its person is in the caller's scope.
    visible_individual(conn, scope, &current.individual_id)?;
    if current.version != expected_version {
        return Err(version_conflict(
            "document",
            expected_version,
            current.version,
        ));
    }
    let t = now();
    doc.validate(t.date())?;
    let changes = document_changes(&document_of(&current), doc);
    if changes.is_empty() {
        return Ok(current);
    }
    let n = diesel::update(
        documents::table
            .filter(documents::id.eq(id))
            .filter(documents::version.eq(expected_version)),
    )
    .set((
        documents::document_type.eq(&doc.document_type),
        documents::number.eq(doc.number.trim()),
        documents::number_key.eq(names::document_number_key(&doc.number)),
        documents::issuing_country.eq(&doc.issuing_country),
        documents::issued_on.eq(doc.issued_on),
        documents::expires_on.eq(doc.expires_on),
        documents::version.eq(expected_version + 1),
        documents::updated_at.eq(t),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(version_conflict(
            "document",
            expected_version,
            expected_version + 1,
        ));
    }
    record_event(
        conn,
        scope,
        "individual",
        &current.individual_id,
        "document_updated",
        json!({ "documentId": id, "changes": changes }),
    )?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry::ok("update", "document", id)],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::update(
            RecordKind::Document,
            id,
            expected_version + 1,
        )],
    )?;
    Ok(documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(conn)?)
}

fn document_of(d: &DocumentRow) -> DocumentInput {
    DocumentInput {
        document_type: d.document_type.clone(),
        number: d.number.clone(),
        issuing_country: d.issuing_country.clone(),
        issued_on: d.issued_on,
        expires_on: d.expires_on,
    }
}

fn visible_group(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    expected_version: i32,
) -> Result<GroupRow> {
    let g: GroupRow = registration_groups::table
        .filter(registration_groups::id.eq(id))
        .filter(scope.groups())
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("registration group"))?;
    if g.version != expected_version {
        return Err(version_conflict(
            "registration group",
            expected_version,
            g.version,
        ));
    }
    if g.status != "active" {
        return Err(Error::validation(
            "groupId",
            format!("group {} is {}", g.group_number, g.status),
        ));
    }
    Ok(g)
}

fn current_members(conn: &mut DbConn, group_id: &str) -> Result<Vec<MembershipRow>> {
    Ok(group_memberships::table
        .filter(group_memberships::group_id.eq(group_id))
        .filter(group_memberships::ended_at.is_null())
        .select(MembershipRow::as_select())
        .load(conn)?)
}

fn bump_group(conn: &mut DbConn, g: &GroupRow, status: Option<(&str, &str)>) -> Result<()> {
    let t = now();
    let n = diesel::update(
        registration_groups::table
            .filter(registration_groups::id.eq(&g.id))
            .filter(registration_groups::version.eq(g.version)),
    )
    .set((
        registration_groups::version.eq(g.version + 1),
        registration_groups::updated_at.eq(t),
        registration_groups::status.eq(status.map(|s| s.0).unwrap_or(g.status.as_str())),
        registration_groups::closed_reason
            .eq(status.map(|s| s.1.to_string()).or(g.closed_reason.clone())),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(Error::conflict(
            "the registration group changed while you worked on it; reload and try again",
        ));
    }
    feed::record(
        conn,
        &g.operation_unit_id,
        &[Change::update(
            RecordKind::RegistrationGroup,
            &g.id,
            g.version + 1,
        )],
    )?;
    Ok(())
}

fn move_member(
    conn: &mut DbConn,
    scope: &Scope,
    m: &MembershipRow,
    to_group: &str,
    relationship: &str,
    reason: &str,
) -> Result<()> {
    let t = now();
    let joined = new_id();
    diesel::update(group_memberships::table.find(&m.id))
        .set((
            group_memberships::ended_at.eq(t),
            group_memberships::end_reason.eq(reason),
        ))
        .execute(conn)?;
    feed::record(
        conn,
        scope.unit_id(),
        &[
            Change::end(RecordKind::GroupMembership, &m.id),
            Change::create(RecordKind::GroupMembership, &joined),
        ],
    )?;
    diesel::insert_into(group_memberships::table)
        .values((
            group_memberships::id.eq(&joined),
            group_memberships::operation_unit_id.eq(scope.unit_id()),
            group_memberships::group_id.eq(to_group),
            group_memberships::individual_id.eq(&m.individual_id),
            group_memberships::relationship.eq(relationship),
            group_memberships::started_at.eq(t),
        ))
        .execute(conn)?;
    Ok(())
}

/// A member moving in a split or merge, with their relationship to the focal point they join.
#[derive(Debug, Clone)]
pub struct Move {
    pub individual_id: String,
    pub relationship: String,
}

/// Moves some members of a group into a new group; history keeps the old memberships.
pub fn split_group(
    conn: &mut DbConn,
    scope: &Scope,
    group_id: &str,
    expected_version: i32,
    moves: &[Move],
) -> Result<(String, String)> {
    use crate::domain::codes;
    scope.require(Permission::ManageGroups)?;
    let g = visible_group(conn, scope, group_id, expected_version)?;
    let members = current_members(conn, &g.id)?;
    if moves.is_empty() {
        return Err(Error::validation(
            "members",
            "name at least one member to move to the new group",
        ));
    }
    if moves.len() >= members.len() {
        return Err(Error::validation(
            "members",
            "a split must leave at least one member in the group",
        ));
    }
    let focal_count = moves
        .iter()
        .filter(|m| m.relationship == FOCAL_POINT)
        .count();
    if focal_count != 1 {
        return Err(Error::validation(
            "members",
            "exactly one moving member must become the new group's focal point",
        ));
    }
    let mut moving = Vec::new();
    for (i, mv) in moves.iter().enumerate() {
        if !codes::RELATIONSHIP.contains(&mv.relationship) {
            return Err(Error::validation(
                format!("members.{i}.relationship"),
                format!("{:?} is not a known relationship", mv.relationship),
            ));
        }
        let Some(m) = members.iter().find(|m| m.individual_id == mv.individual_id) else {
            return Err(Error::validation(
                format!("members.{i}.individualId"),
                "is not a current member of the group",
            ));
        };
        if m.relationship == FOCAL_POINT {
            return Err(Error::validation(
                format!("members.{i}.individualId"),
                "the focal point stays; split the other members out",
            ));
        }
        if moving
            .iter()
            .any(|x: &&MembershipRow| x.individual_id == m.individual_id)
        {
            return Err(Error::validation(
                format!("members.{i}.individualId"),
                "is named twice",
            ));
        }
        moving.push(m);
    }
    let code = unit_code(conn, scope.unit_id())?;
    let new_group = insert_group(conn, scope.unit_id(), &code, &g.office_id)?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::create(RecordKind::RegistrationGroup, &new_group)],
    )?;
    for (m, mv) in moving.iter().zip(moves) {
        move_member(conn, scope, m, &new_group, &mv.relationship, "split")?;
    }
    bump_group(conn, &g, None)?;
    let moved: Vec<_> = moves.iter().map(|m| m.individual_id.clone()).collect();
    record_event(
        conn,
        scope,
        "registration_group",
        &g.id,
        "split",
        json!({ "newGroupId": new_group, "moved": moved }),
    )?;
    record_event(
        conn,
        scope,
        "registration_group",
        &new_group,
        "created_by_split",
        json!({ "fromGroupId": g.id, "members": moved }),
    )?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[
            Entry::ok("split", "registration_group", &g.id),
            Entry::ok("create", "registration_group", &new_group),
        ],
    )?;
    Ok((g.id, new_group))
}

/// Moves every member of `source` into `target` and closes `source`; history keeps both.
pub fn merge_groups(
    conn: &mut DbConn,
    scope: &Scope,
    target_id: &str,
    target_version: i32,
    source_id: &str,
    source_version: i32,
    moves: &[Move],
) -> Result<String> {
    use crate::domain::codes;
    scope.require(Permission::ManageGroups)?;
    if target_id == source_id {
        return Err(Error::validation(
            "sourceGroupId",
            "a group cannot be merged into itself",
        ));
    }
    let target = visible_group(conn, scope, target_id, target_version)?;
    let source = visible_group(conn, scope, source_id, source_version)?;
    let members = current_members(conn, &source.id)?;
    for m in &members {
        if !moves.iter().any(|mv| mv.individual_id == m.individual_id) {
            return Err(Error::validation(
                "members",
                format!(
                    "give the relationship to the new focal point for every member of the source group (missing {})",
                    m.individual_id
                ),
            ));
        }
    }
    for (i, mv) in moves.iter().enumerate() {
        if !codes::RELATIONSHIP.contains(&mv.relationship) || mv.relationship == FOCAL_POINT {
            return Err(Error::validation(
                format!("members.{i}.relationship"),
                "must be a relationship other than focal point",
            ));
        }
        if !members.iter().any(|m| m.individual_id == mv.individual_id) {
            return Err(Error::validation(
                format!("members.{i}.individualId"),
                "is not a current member of the source group",
            ));
        }
    }
    for m in &members {
        let rel = moves
            .iter()
            .find(|mv| mv.individual_id == m.individual_id)
            .map(|mv| mv.relationship.as_str())
            .unwrap_or_default();
        move_member(conn, scope, m, &target.id, rel, "merged")?;
    }
    bump_group(conn, &target, None)?;
    bump_group(conn, &source, Some(("closed", "merged")))?;
    record_event(
        conn,
        scope,
        "registration_group",
        &target.id,
        "merged",
        json!({ "fromGroupId": source.id }),
    )?;
    record_event(
        conn,
        scope,
        "registration_group",
        &source.id,
        "merged_into",
        json!({ "intoGroupId": target.id }),
    )?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[
            Entry::ok("merge", "registration_group", &target.id),
            Entry::ok("close", "registration_group", &source.id),
        ],
    )?;
    Ok(target.id)
}
