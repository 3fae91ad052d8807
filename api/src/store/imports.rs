//! What imports from earlier databases wrote: batches, the records each created or linked (with
//! the source's key and the version written), the possible duplicates waiting for a registrar,
//! and the rollback of a batch. The records themselves are written by `registry` and
//! `workflow`, the one write path of every registration.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{self, Actor, Entry, Reads};
use super::db::DbConn;
use super::feed;
use super::queries::Page;
use super::schema::*;
use super::scope::Scope;
use super::{new_id, now};
use crate::domain::access::Permission;
use crate::domain::events::RecordEvent;
use crate::domain::feed::{Change, RecordKind};
use crate::domain::names;
use crate::domain::registration::PersonInput;
use crate::error::{Error, Result};

/// Kinds of import records.
pub const HOUSEHOLD: &str = "registration_group";
pub const INDIVIDUAL: &str = "individual";
pub const CASE: &str = "case";
/// A household none of whose members was created: all were certain matches.
pub const HOUSEHOLD_LINKED: &str = "household_linked";

/// A batch as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = import_batches)]
pub struct BatchRow {
    pub id: String,
    pub operation_unit_id: String,
    pub source: String,
    pub source_files: String,
    pub first_row: i32,
    pub last_row: i32,
    pub mapping_version: String,
    pub mapping_digest: String,
    pub operator_id: String,
    pub individuals_created: i32,
    pub groups_created: i32,
    pub cases_created: i32,
    pub needs_created: i32,
    pub documents_created: i32,
    pub linked: i32,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub rolled_back_at: Option<NaiveDateTime>,
}

/// What a batch is, before its counts are known.
#[derive(Debug, Clone)]
pub struct NewBatch<'a> {
    pub source: &'a str,
    pub source_files: &'a str,
    pub mapping_version: &'a str,
    pub mapping_digest: &'a str,
}

/// What a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub first_row: usize,
    pub last_row: usize,
    pub individuals: usize,
    pub groups: usize,
    pub cases: usize,
    pub needs: usize,
    pub documents: usize,
    pub linked: usize,
}

impl Counts {
    pub fn wrote_anything(&self) -> bool {
        self.individuals + self.groups + self.cases + self.linked > 0
    }
}

fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Opens a batch in the caller's transaction; its counts are written by [`finish_batch`].
pub fn start_batch(conn: &mut DbConn, scope: &Scope, b: &NewBatch) -> Result<String> {
    let id = new_id();
    let t = now();
    diesel::insert_into(import_batches::table)
        .values((
            import_batches::id.eq(&id),
            import_batches::operation_unit_id.eq(scope.unit_id()),
            import_batches::source.eq(b.source),
            import_batches::source_files.eq(b.source_files),
            import_batches::first_row.eq(0),
            import_batches::last_row.eq(0),
            import_batches::mapping_version.eq(b.mapping_version),
            import_batches::mapping_digest.eq(b.mapping_digest),
            import_batches::operator_id.eq(scope.user_id()),
            import_batches::individuals_created.eq(0),
            import_batches::groups_created.eq(0),
            import_batches::cases_created.eq(0),
            import_batches::needs_created.eq(0),
            import_batches::documents_created.eq(0),
            import_batches::linked.eq(0),
            import_batches::status.eq("committed"),
            import_batches::created_at.eq(t),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Writes a batch's counts. Its time becomes the end of its writes: a history entry later than
/// it was written by someone after the import.
pub fn finish_batch(conn: &mut DbConn, batch_id: &str, c: &Counts) -> Result<()> {
    diesel::update(import_batches::table.find(batch_id))
        .set((
            import_batches::first_row.eq(int(c.first_row)),
            import_batches::last_row.eq(int(c.last_row)),
            import_batches::individuals_created.eq(int(c.individuals)),
            import_batches::groups_created.eq(int(c.groups)),
            import_batches::cases_created.eq(int(c.cases)),
            import_batches::needs_created.eq(int(c.needs)),
            import_batches::documents_created.eq(int(c.documents)),
            import_batches::linked.eq(int(c.linked)),
            import_batches::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Notes a record a batch created (`version` as written) or linked to (`version` 0: it
/// existed before and a rollback leaves it).
pub fn note(
    conn: &mut DbConn,
    scope: &Scope,
    batch_id: &str,
    source: &str,
    (kind, key): (&str, &str),
    record_id: &str,
    version: i32,
) -> Result<()> {
    diesel::insert_into(import_records::table)
        .values((
            import_records::id.eq(new_id()),
            import_records::batch_id.eq(batch_id),
            import_records::operation_unit_id.eq(scope.unit_id()),
            import_records::source.eq(source),
            import_records::source_key.eq(key),
            import_records::record_kind.eq(kind),
            import_records::record_id.eq(record_id),
            import_records::version.eq(version),
            import_records::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The record a source key of a kind was imported as, if it was.
pub fn imported(
    conn: &mut DbConn,
    scope: &Scope,
    source: &str,
    kind: &str,
    key: &str,
) -> Result<Option<String>> {
    Ok(import_records::table
        .filter(import_records::operation_unit_id.eq(scope.unit_id()))
        .filter(import_records::source.eq(source))
        .filter(import_records::record_kind.eq(kind))
        .filter(import_records::source_key.eq(key))
        .select(import_records::record_id)
        .first(conn)
        .optional()?)
}

/// Whether a record was imported from `source` (by any batch).
pub fn imported_from(
    conn: &mut DbConn,
    scope: &Scope,
    source: &str,
    record_id: &str,
) -> Result<bool> {
    // By the record alone (a record has one or two import rows), then its unit and source here:
    // asked with all three, the planner may walk the (unit, source) index instead, every record
    // of the source, which an import asks once per candidate as the source's records grow.
    let from: Vec<(String, String)> = import_records::table
        .filter(import_records::record_id.eq(record_id))
        .select((import_records::operation_unit_id, import_records::source))
        .load(conn)?;
    Ok(from
        .iter()
        .any(|(unit, s)| unit == scope.unit_id() && s == source))
}

/// The individual of the caller's unit who holds a document number (by its key), with their
/// number: a certain match for someone arriving with the same document.
pub fn holder_of_document(
    conn: &mut DbConn,
    scope: &Scope,
    number: &str,
) -> Result<Option<(String, String)>> {
    Ok(documents::table
        .inner_join(individuals::table.on(individuals::id.eq(documents::individual_id)))
        .filter(documents::operation_unit_id.eq(scope.unit_id()))
        .filter(documents::number_key.eq(names::document_number_key(number)))
        .select((individuals::id, individuals::individual_number))
        .first(conn)
        .optional()?)
}

/// A person's name columns (those registration indexes, [`crate::domain::registration::NAME_FIELDS`])
/// and birth date: what an import's name index keeps of everyone of the unit.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = individuals)]
pub struct NameRow {
    pub id: String,
    pub given_names: String,
    pub middle_name: Option<String>,
    pub family_name: Option<String>,
    pub second_family_name: Option<String>,
    pub fathers_name: Option<String>,
    pub grandfathers_name: Option<String>,
    pub original_script_name: Option<String>,
    pub aliases: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
}

impl NameRow {
    /// The id and the person as the domain knows them (names and birth date only), so that
    /// the name parts are read by the domain's one list of them (`PersonInput::name_parts`).
    pub fn into_person(self) -> (String, PersonInput) {
        let person = PersonInput {
            given_names: self.given_names,
            middle_name: self.middle_name,
            family_name: self.family_name,
            second_family_name: self.second_family_name,
            fathers_name: self.fathers_name,
            grandfathers_name: self.grandfathers_name,
            original_script_name: self.original_script_name,
            aliases: self.aliases,
            date_of_birth: self.date_of_birth,
            ..PersonInput::default()
        };
        (self.id, person)
    }
}

/// The unit's people after `after_id` in id order, `limit` of them: an import's name index is
/// read page by page, so no single result holds a million people.
///
/// One audit entry says the unit's names were read for duplicate search; the people an
/// incoming record is then compared with are audited one by one as they are scored.
pub fn names_page(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    after_id: &str,
    limit: i64,
) -> Result<Vec<NameRow>> {
    scope.require(Permission::ReadPersons)?;
    let rows = individuals::table
        .filter(individuals::operation_unit_id.eq(scope.unit_id()))
        .filter(individuals::id.gt(after_id))
        .order(individuals::id.asc())
        .limit(limit)
        .select(NameRow::as_select())
        .load(conn)?;
    if after_id.is_empty() {
        reads.push(Entry::plain(
            "duplicate_index",
            audit::Outcome::Ok,
            Some("individuals".into()),
        ));
    }
    Ok(rows)
}

/// The names of these people of the unit (those the change feed says were written since an
/// index was read).
pub fn names_of(conn: &mut DbConn, scope: &Scope, ids: &[String]) -> Result<Vec<NameRow>> {
    scope.require(Permission::ReadPersons)?;
    let mut out = Vec::with_capacity(ids.len());
    // Bounded lists: a statement's parameters are limited (SQLite's to 32,766).
    for chunk in ids.chunks(1000) {
        out.extend(
            individuals::table
                .filter(individuals::operation_unit_id.eq(scope.unit_id()))
                .filter(individuals::id.eq_any(chunk))
                .select(NameRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// A possible duplicate for a registrar to decide.
#[derive(Debug, Clone)]
pub struct NewReview<'a> {
    pub individual_id: &'a str,
    pub candidate_id: &'a str,
    pub score: u8,
    pub reasons: &'a [String],
    pub within_import: bool,
}

pub fn add_review(conn: &mut DbConn, scope: &Scope, batch_id: &str, r: &NewReview) -> Result<()> {
    let id = new_id();
    diesel::insert_into(import_reviews::table)
        .values((
            import_reviews::id.eq(&id),
            import_reviews::operation_unit_id.eq(scope.unit_id()),
            import_reviews::batch_id.eq(batch_id),
            import_reviews::individual_id.eq(r.individual_id),
            import_reviews::candidate_id.eq(r.candidate_id),
            import_reviews::score.eq(i32::from(r.score)),
            import_reviews::reasons.eq(r.reasons.join(" ")),
            import_reviews::within_import.eq(r.within_import),
            import_reviews::status.eq("open"),
            import_reviews::version.eq(1),
            import_reviews::created_at.eq(now()),
        ))
        .execute(conn)?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::create(RecordKind::ImportReview, &id)],
    )?;
    Ok(())
}

/// A review as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = import_reviews)]
pub struct ReviewRow {
    pub id: String,
    pub operation_unit_id: String,
    pub batch_id: String,
    pub individual_id: String,
    pub candidate_id: String,
    pub score: i32,
    pub reasons: String,
    pub within_import: bool,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
}

/// A batch of the unit by id.
pub fn batch(conn: &mut DbConn, id: &str) -> Result<BatchRow> {
    import_batches::table
        .find(id)
        .select(BatchRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("import batch"))
}

/// A record a rollback would remove but may not, because someone changed it since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub kind: String,
    pub number: String,
    pub what: String,
}

/// What a rollback removed.
#[derive(Debug, Clone, Default)]
pub struct RolledBack {
    pub individuals: usize,
    pub groups: usize,
    pub cases: usize,
}

/// Removes exactly what a batch created, in the caller's transaction, as `scope` (the
/// operator). Refused with the list of records changed since the import (a newer version, or
/// history written after the batch): those are a caseworker's work now and stay.
pub fn rollback(
    conn: &mut DbConn,
    scope: &Scope,
    batch_id: &str,
) -> std::result::Result<RolledBack, RollbackRefusal> {
    rollback_inner(conn, scope, batch_id)
}

/// Why a rollback did nothing.
#[derive(Debug)]
pub enum RollbackRefusal {
    /// Records changed since the import.
    Changed(Vec<Changed>),
    /// Anything else (no such batch, already rolled back, a database failure).
    Failed(Error),
}

impl From<Error> for RollbackRefusal {
    fn from(e: Error) -> Self {
        RollbackRefusal::Failed(e)
    }
}

impl From<diesel::result::Error> for RollbackRefusal {
    fn from(e: diesel::result::Error) -> Self {
        RollbackRefusal::Failed(e.into())
    }
}

fn rollback_inner(
    conn: &mut DbConn,
    scope: &Scope,
    batch_id: &str,
) -> std::result::Result<RolledBack, RollbackRefusal> {
    scope.require(Permission::WritePersons)?;
    let b = batch(conn, batch_id)?;
    if b.operation_unit_id != scope.unit_id() {
        return Err(Error::not_found("import batch").into());
    }
    if b.status != "committed" {
        return Err(Error::validation(
            "batch",
            format!("batch {batch_id} was already rolled back"),
        )
        .into());
    }
    let records: Vec<(String, String, i32)> = import_records::table
        .filter(import_records::batch_id.eq(batch_id))
        .select((
            import_records::record_kind,
            import_records::record_id,
            import_records::version,
        ))
        .load(conn)?;
    let created = |kind: &str| -> Vec<(String, i32)> {
        records
            .iter()
            .filter(|r| r.0 == kind && r.2 > 0)
            .map(|r| (r.1.clone(), r.2))
            .collect()
    };
    let people = created(INDIVIDUAL);
    let groups = created(HOUSEHOLD);
    let cases_made = created(CASE);
    let ids = |v: &[(String, i32)]| v.iter().map(|r| r.0.clone()).collect::<Vec<_>>();
    let (people_ids, group_ids, case_ids) = (ids(&people), ids(&groups), ids(&cases_made));

    let mut changed = Vec::new();
    let now_people: Vec<(String, String, i32)> = individuals::table
        .filter(individuals::id.eq_any(&people_ids))
        .select((
            individuals::id,
            individuals::individual_number,
            individuals::version,
        ))
        .load(conn)?;
    let now_groups: Vec<(String, String, i32)> = registration_groups::table
        .filter(registration_groups::id.eq_any(&group_ids))
        .select((
            registration_groups::id,
            registration_groups::group_number,
            registration_groups::version,
        ))
        .load(conn)?;
    let now_cases: Vec<(String, String, i32)> = cases::table
        .filter(cases::id.eq_any(&case_ids))
        .select((cases::id, cases::case_number, cases::version))
        .load(conn)?;
    let later: Vec<(String, String)> = events::table
        .filter(events::record_id.eq_any(people_ids.iter().chain(&group_ids).chain(&case_ids)))
        .filter(events::at.gt(b.created_at))
        .select((events::record_id, events::kind))
        .load(conn)?;
    let enrolled: Vec<String> = biometric_enrolments::table
        .filter(biometric_enrolments::individual_id.eq_any(&people_ids))
        .select(biometric_enrolments::individual_id)
        .load(conn)?;
    for (kind, written, now_rows) in [
        ("individual", &people, &now_people),
        ("registration group", &groups, &now_groups),
        ("case", &cases_made, &now_cases),
    ] {
        for (id, number, version) in now_rows {
            let was = written.iter().find(|w| &w.0 == id).map_or(0, |w| w.1);
            let mut what = Vec::new();
            if *version != was {
                what.push(format!("version {was} is now {version}"));
            }
            what.extend(
                later
                    .iter()
                    .filter(|e| &e.0 == id)
                    .map(|e| format!("{} since the import", e.1)),
            );
            if enrolled.contains(id) {
                what.push("biometrics enrolled".to_string());
            }
            if !what.is_empty() {
                changed.push(Changed {
                    kind: kind.to_string(),
                    number: number.clone(),
                    what: what.join(", "),
                });
            }
        }
    }
    if !changed.is_empty() {
        return Err(RollbackRefusal::Changed(changed));
    }

    let need_ids: Vec<String> = specific_needs::table
        .filter(specific_needs::individual_id.eq_any(&people_ids))
        .select(specific_needs::id)
        .load(conn)?;
    let doc_ids: Vec<String> = documents::table
        .filter(documents::individual_id.eq_any(&people_ids))
        .select(documents::id)
        .load(conn)?;
    let membership_ids: Vec<String> = group_memberships::table
        .filter(group_memberships::individual_id.eq_any(&people_ids))
        .select(group_memberships::id)
        .load(conn)?;
    let case_member_ids: Vec<String> = case_members::table
        .filter(case_members::case_id.eq_any(&case_ids))
        .select(case_members::id)
        .load(conn)?;

    diesel::delete(
        import_reviews::table.filter(
            import_reviews::individual_id
                .eq_any(&people_ids)
                .or(import_reviews::candidate_id.eq_any(&people_ids)),
        ),
    )
    .execute(conn)?;
    diesel::delete(import_reviews::table.filter(import_reviews::batch_id.eq(batch_id)))
        .execute(conn)?;
    diesel::delete(import_records::table.filter(import_records::batch_id.eq(batch_id)))
        .execute(conn)?;
    diesel::delete(case_members::table.filter(case_members::case_id.eq_any(&case_ids)))
        .execute(conn)?;
    diesel::delete(cases::table.filter(cases::id.eq_any(&case_ids))).execute(conn)?;
    diesel::delete(
        group_memberships::table.filter(group_memberships::individual_id.eq_any(&people_ids)),
    )
    .execute(conn)?;
    diesel::delete(registration_groups::table.filter(registration_groups::id.eq_any(&group_ids)))
        .execute(conn)?;
    diesel::delete(name_tokens::table.filter(name_tokens::individual_id.eq_any(&people_ids)))
        .execute(conn)?;
    diesel::delete(
        individual_languages::table.filter(individual_languages::individual_id.eq_any(&people_ids)),
    )
    .execute(conn)?;
    diesel::delete(documents::table.filter(documents::individual_id.eq_any(&people_ids)))
        .execute(conn)?;
    diesel::delete(addresses::table.filter(addresses::individual_id.eq_any(&people_ids)))
        .execute(conn)?;
    diesel::delete(phones::table.filter(phones::individual_id.eq_any(&people_ids)))
        .execute(conn)?;
    diesel::delete(specific_needs::table.filter(specific_needs::individual_id.eq_any(&people_ids)))
        .execute(conn)?;
    // History is append-only: the removed records' history stays, closed by the rollback.
    let ended = serde_json::to_value(RecordEvent::ImportRolledBack {
        rolled_back_batch_id: batch_id.to_string(),
    })
    .map_err(|e| Error::internal(format!("cannot store the rollback event: {e}")))?;
    for id in &people_ids {
        super::registry::record_event(
            conn,
            scope,
            "individual",
            id,
            "import_rolled_back",
            ended.clone(),
        )?;
    }
    for id in &group_ids {
        super::registry::record_event(
            conn,
            scope,
            "registration_group",
            id,
            "import_rolled_back",
            ended.clone(),
        )?;
    }
    for id in &case_ids {
        super::registry::record_event(
            conn,
            scope,
            "case",
            id,
            "import_rolled_back",
            ended.clone(),
        )?;
    }
    diesel::delete(individuals::table.filter(individuals::id.eq_any(&people_ids))).execute(conn)?;
    diesel::update(import_batches::table.find(batch_id))
        .set((
            import_batches::status.eq("rolled_back"),
            import_batches::rolled_back_at.eq(now()),
        ))
        .execute(conn)?;

    // A removed record ends, as far as anyone following the feed is concerned.
    let mut changes = Vec::new();
    let mut ends = |kind: RecordKind, ids: &[String], versions: &[(String, String, i32)]| {
        for id in ids {
            let v = versions.iter().find(|r| &r.0 == id).map_or(1, |r| r.2);
            let mut c = Change::end(kind, id);
            c.version = v + 1;
            changes.push(c);
        }
    };
    ends(RecordKind::CaseMember, &case_member_ids, &[]);
    ends(RecordKind::Case, &case_ids, &now_cases);
    ends(RecordKind::GroupMembership, &membership_ids, &[]);
    ends(RecordKind::RegistrationGroup, &group_ids, &now_groups);
    ends(RecordKind::SpecificNeed, &need_ids, &[]);
    ends(RecordKind::Document, &doc_ids, &[]);
    ends(RecordKind::Individual, &people_ids, &now_people);
    feed::record(conn, scope.unit_id(), &changes)?;
    let mut entries = vec![Entry::ok("rollback", "import_batch", batch_id)];
    entries.extend(case_ids.iter().map(|id| Entry::ok("delete", "case", id)));
    entries.extend(
        group_ids
            .iter()
            .map(|id| Entry::ok("delete", "registration_group", id)),
    );
    entries.extend(
        people_ids
            .iter()
            .map(|id| Entry::ok("delete", "individual", id)),
    );
    audit::append(conn, &Actor::from(scope), &entries)?;
    Ok(RolledBack {
        individuals: people_ids.len(),
        groups: group_ids.len(),
        cases: case_ids.len(),
    })
}

/// Where a review stands, as stored.
pub const REVIEW_OPEN: &str = "open";

/// A registrar's decision on a possible duplicate found on import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    /// The same person: the imported individual is linked to the earlier one.
    Link,
    /// Different people: both records stay as they are.
    KeepSeparate,
}

impl ReviewDecision {
    /// The review's status once decided so.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Link => "linked",
            ReviewDecision::KeepSeparate => "kept_separate",
        }
    }
}

/// A page of the caller's reviews in a status (`open`, `linked` or `kept_separate`), oldest
/// first. Each review read is audited; the individuals beside it are read (and audited) by
/// whoever shows them.
pub fn reviews(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    status: &str,
    first: i64,
    after: Option<&str>,
) -> Result<Page<ReviewRow>> {
    scope.require(Permission::WritePersons)?;
    let visible: Vec<String> = individuals::table
        .filter(scope.individuals())
        .filter(
            individuals::id.eq_any(
                import_reviews::table
                    .filter(import_reviews::operation_unit_id.eq(scope.unit_id()))
                    .filter(import_reviews::status.eq(status))
                    .select(import_reviews::individual_id),
            ),
        )
        .select(individuals::id)
        .load(conn)?;
    let mut q = import_reviews::table
        .filter(import_reviews::operation_unit_id.eq(scope.unit_id()))
        .filter(import_reviews::status.eq(status))
        .filter(import_reviews::individual_id.eq_any(visible))
        .order(import_reviews::id)
        .limit(first + 1)
        .select(ReviewRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(import_reviews::id.gt(a.to_string()));
    }
    let mut rows: Vec<ReviewRow> = q.load(conn)?;
    let has_next = rows.len() as i64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(0));
    reads.record("import_review", rows.iter().map(|r| r.id.clone()));
    Ok(Page {
        items: rows,
        has_next,
    })
}

/// One review the caller may see, audited; None when there is none in their scope.
pub fn review(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    id: &str,
) -> Result<Option<ReviewRow>> {
    scope.require(Permission::WritePersons)?;
    let row: Option<ReviewRow> = import_reviews::table
        .filter(import_reviews::id.eq(id))
        .filter(import_reviews::operation_unit_id.eq(scope.unit_id()))
        .select(ReviewRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let seen: i64 = individuals::table
        .filter(scope.individuals())
        .filter(individuals::id.eq(&row.individual_id))
        .count()
        .get_result(conn)?;
    if seen == 0 {
        return Ok(None);
    }
    reads.record("import_review", std::iter::once(row.id.clone()));
    Ok(Some(row))
}

/// Decides an open review at the version the registrar read. Linking records the same person
/// in both individuals' histories; keeping separate in the imported one's. Nothing is merged
/// or deleted: a wrong decision is seen in the history and the records are intact.
pub fn decide(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    expected_version: i32,
    decision: ReviewDecision,
) -> Result<ReviewRow> {
    scope.require(Permission::WritePersons)?;
    let mut reads = Reads::default();
    let row =
        review(conn, scope, &mut reads, id)?.ok_or_else(|| Error::not_found("import review"))?;
    if row.version != expected_version {
        return Err(Error::conflict(format!(
            "the review was changed by someone else (you had version {expected_version}, it is \
             now {}); reload and try again",
            row.version
        )));
    }
    if row.status != REVIEW_OPEN {
        return Err(Error::validation(
            "reviewId",
            format!("this review was already decided: {}", row.status),
        ));
    }
    let t = now();
    let n = diesel::update(
        import_reviews::table
            .filter(import_reviews::id.eq(id))
            .filter(import_reviews::version.eq(expected_version)),
    )
    .set((
        import_reviews::status.eq(decision.as_str()),
        import_reviews::decided_by.eq(scope.user_id()),
        import_reviews::decided_at.eq(t),
        import_reviews::version.eq(expected_version + 1),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(Error::conflict(
            "the review was changed by someone else; reload and try again",
        ));
    }
    let mut sides = vec![(&row.individual_id, &row.candidate_id)];
    if decision == ReviewDecision::Link {
        sides.push((&row.candidate_id, &row.individual_id));
    }
    let mut entries = vec![Entry {
        action: "decide_import_review",
        record_type: Some("import_review"),
        record_id: Some(id.to_string()),
        outcome: audit::Outcome::Ok,
        detail: Some(decision.as_str().to_string()),
    }];
    for (on, other) in sides {
        let event = serde_json::to_value(RecordEvent::ImportReviewDecided {
            review_id: id.to_string(),
            decision: decision.as_str().to_string(),
            other_individual_id: other.clone(),
        })
        .map_err(|e| Error::internal(format!("cannot store the decision event: {e}")))?;
        super::registry::record_event(
            conn,
            scope,
            "individual",
            on,
            "import_review_decided",
            event,
        )?;
        entries.push(Entry::ok("decide_import_review", "individual", on.as_str()));
    }
    audit::append(conn, &Actor::from(scope), &entries)?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::update(
            RecordKind::ImportReview,
            id,
            expected_version + 1,
        )],
    )?;
    let mut reads = Reads::default();
    review(conn, scope, &mut reads, id)?.ok_or_else(|| Error::not_found("import review"))
}
