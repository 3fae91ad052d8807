//! The bulk loader: many rows of registry and case data written in one transaction per batch,
//! with COPY on PostgreSQL and multi-row inserts on SQLite, for `seed --individuals N`. The
//! store owns it because it writes the store's tables: it gives every row it loads its entry in
//! the unit's change feed in the same transaction, as every other store write does, so a feed
//! follower sees a bulk load like any registration. It writes no audit events: it reads no
//! personal data, and it creates synthetic people, not records of anyone.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::db::DbConn;
pub use super::rows::IndividualRow;
use super::schema::*;
use super::workflow::QueueRow;
use super::{dialect, feed};
use crate::domain::access::FieldGroup;
use crate::domain::feed::{Change, RecordKind};
use crate::domain::rsd::{CaseEvent, CaseState, UnitRules};
use crate::error::{Error, Result};

/// Rows per multi-row INSERT on SQLite, kept under its 32,766 bind parameters.
const SQLITE_BIND_LIMIT: usize = 32_000;
/// The same for PostgreSQL's 65,535.
const PG_BIND_LIMIT: usize = 65_000;

#[derive(Insertable)]
#[diesel(table_name = name_tokens, treat_none_as_default_value = false)]
pub struct NewToken {
    pub operation_unit_id: String,
    pub token: String,
    pub individual_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = individual_languages, treat_none_as_default_value = false)]
pub struct NewLanguage {
    pub id: String,
    pub operation_unit_id: String,
    pub individual_id: String,
    pub language: String,
    pub kind: String,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = registration_groups, treat_none_as_default_value = false)]
pub struct NewGroup {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub group_number: String,
    pub number_key: String,
    pub status: String,
    pub closed_reason: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = group_memberships, treat_none_as_default_value = false)]
pub struct NewMembership {
    pub id: String,
    pub operation_unit_id: String,
    pub group_id: String,
    pub individual_id: String,
    pub relationship: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub end_reason: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
pub struct NewCase {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub case_number: String,
    pub number_key: String,
    pub procedure: String,
    pub principal_applicant_id: String,
    pub registration_group_id: Option<String>,
    pub claim_summary: Option<String>,
    pub opened_at: NaiveDateTime,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub workflow: Option<String>,

    /// The queue columns, from the one writer of them.
    #[diesel(embed)]
    pub queue: QueueRow,
}

#[derive(Insertable)]
#[diesel(table_name = appointments, treat_none_as_default_value = false)]
pub struct NewAppointment {
    pub id: String,
    pub operation_unit_id: String,
    pub case_id: String,
    pub stage: String,
    pub officer_id: String,
    pub interpreter_id: Option<String>,
    pub language: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub status: String,
    pub superseded_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = case_members, treat_none_as_default_value = false)]
pub struct NewCaseMember {
    pub id: String,
    pub operation_unit_id: String,
    pub case_id: String,
    pub individual_id: String,
    pub role: String,
    pub relationship: Option<String>,
    pub added_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = specific_needs, treat_none_as_default_value = false)]
pub struct NewNeed {
    pub id: String,
    pub operation_unit_id: String,
    pub individual_id: String,
    pub code: String,
    pub sub_code: Option<String>,
    pub status: String,
    pub comments: Option<String>,
    pub catalogue_version: String,
    pub identified_at: NaiveDateTime,
    pub identified_by: String,
    pub reviewed_at: Option<NaiveDateTime>,
    pub reviewed_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = documents, treat_none_as_default_value = false)]
pub struct NewDocument {
    pub id: String,
    pub operation_unit_id: String,
    pub individual_id: String,
    pub document_type: String,
    pub number: String,
    pub number_key: String,
    pub issuing_country: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub verified: bool,
    pub verified_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = addresses, treat_none_as_default_value = false)]
pub struct NewAddress {
    pub id: String,
    pub operation_unit_id: String,
    pub individual_id: String,
    pub kind: String,
    pub line: String,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = phones, treat_none_as_default_value = false)]
pub struct NewPhone {
    pub id: String,
    pub operation_unit_id: String,
    pub individual_id: String,
    pub number: String,
    pub kind: String,
    pub consent_to_contact: bool,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
pub struct NewEvent {
    pub id: String,
    pub operation_unit_id: String,
    pub record_type: String,
    pub record_id: String,
    pub kind: String,
    pub actor_id: String,
    pub at: NaiveDateTime,
    pub data: String,
}

/// Everything one transaction of a bulk load writes.
#[derive(Default)]
pub struct Batch {
    pub individuals: Vec<IndividualRow>,
    pub tokens: Vec<NewToken>,
    pub languages: Vec<NewLanguage>,
    pub groups: Vec<NewGroup>,
    pub memberships: Vec<NewMembership>,
    pub cases: Vec<NewCase>,
    pub appointments: Vec<NewAppointment>,
    pub case_members: Vec<NewCaseMember>,
    pub needs: Vec<NewNeed>,
    pub documents: Vec<NewDocument>,
    pub addresses: Vec<NewAddress>,
    pub phones: Vec<NewPhone>,
    pub events: Vec<NewEvent>,
}

/// Writes each table of a batch on PostgreSQL with COPY, on SQLite with multi-row INSERTs;
/// parents before children, for the foreign keys.
// Cases go by multi-row INSERT on both backends: COPY cannot take the embedded queue columns,
// and cases are a third of the rows at most.
macro_rules! each_table {
    ($batch:expr, $write:ident, $insert:ident) => {{
        let b = $batch;
        $write!(individuals::table, b.individuals, 36);
        $write!(name_tokens::table, b.tokens, 3);
        $write!(individual_languages::table, b.languages, 6);
        $write!(registration_groups::table, b.groups, 10);
        $write!(group_memberships::table, b.memberships, 8);
        $insert!(cases::table, b.cases, 26);
        $write!(appointments::table, b.appointments, 14);
        $write!(case_members::table, b.case_members, 8);
        $write!(specific_needs::table, b.needs, 15);
        $write!(documents::table, b.documents, 14);
        $write!(addresses::table, b.addresses, 11);
        $write!(phones::table, b.phones, 8);
        $write!(events::table, b.events, 8);
    }};
}

/// A case walked through the procedure by a seeder, to be written as it stands: its row with
/// the workflow state and queue columns, its members, one history event per transition and its
/// appointments. Both seeders write their cases through this one function.
pub struct WalkedCase<'a> {
    pub id: String,
    pub unit: &'a str,
    pub office: &'a str,
    /// Empty for a loader that numbers its batch after generating it.
    pub case_number: String,
    pub group_id: &'a str,
    /// Each member with their relationship in the group; the state names the principal.
    pub members: Vec<(String, Option<String>)>,
    pub claim: String,
    pub state: &'a CaseState,
    pub events: &'a [CaseEvent],
    /// When the status last changed (the opening when it never did).
    pub status_changed_at: NaiveDateTime,
    /// The case's appointments, already made out to `id`.
    pub appointments: Vec<NewAppointment>,
}

impl Batch {
    /// Adds a walked case's rows.
    pub fn add_walked_case(&mut self, rules: &UnitRules, c: WalkedCase<'_>) -> Result<()> {
        let state = c.state;
        let (workflow, queue) =
            super::workflow::initial_columns(state, rules, c.status_changed_at)?;
        let version = i32::try_from(state.version)
            .map_err(|_| Error::internal("a seeded case with too many transitions"))?;
        let updated_at = c.events.last().map_or(state.opened_at, |e| e.at);
        let unit = c.unit.to_string();
        self.cases.push(NewCase {
            id: c.id.clone(),
            operation_unit_id: unit.clone(),
            office_id: c.office.to_string(),
            number_key: crate::domain::names::normalize_identifier(&c.case_number),
            case_number: c.case_number,
            procedure: "rsd".into(),
            principal_applicant_id: state.principal_id.clone(),
            registration_group_id: Some(c.group_id.to_string()),
            claim_summary: Some(c.claim),
            opened_at: state.opened_at,
            version,
            created_at: state.opened_at,
            updated_at,
            workflow: Some(workflow),
            queue,
        });
        for (individual_id, relationship) in c.members {
            let role = if individual_id == state.principal_id {
                "principal"
            } else {
                "derivative"
            };
            self.case_members.push(NewCaseMember {
                id: super::new_id(),
                operation_unit_id: unit.clone(),
                case_id: c.id.clone(),
                individual_id,
                role: role.into(),
                relationship,
                added_at: state.opened_at,
                removed_at: None,
            });
        }
        for e in c.events {
            let data = serde_json::to_string(e)
                .map_err(|err| Error::internal(format!("cannot store the case event: {err}")))?;
            self.events.push(NewEvent {
                id: super::new_id(),
                operation_unit_id: unit.clone(),
                record_type: "case".into(),
                record_id: c.id.clone(),
                kind: e.kind.as_str().into(),
                actor_id: e.actor_id.clone(),
                at: e.at,
                data,
            });
        }
        self.appointments.extend(c.appointments);
        Ok(())
    }

    pub fn rows(&self) -> u64 {
        [
            self.individuals.len(),
            self.tokens.len(),
            self.languages.len(),
            self.groups.len(),
            self.memberships.len(),
            self.cases.len(),
            self.appointments.len(),
            self.case_members.len(),
            self.needs.len(),
            self.documents.len(),
            self.addresses.len(),
            self.phones.len(),
            self.events.len(),
        ]
        .iter()
        .map(|n| *n as u64)
        .sum()
    }

    pub(super) fn copy_into(&self, c: &mut diesel::PgConnection) -> Result<()> {
        macro_rules! copy {
            ($table:expr, $rows:expr, $cols:expr) => {
                if !$rows.is_empty() {
                    diesel::copy_from($table)
                        .from_insertable(&$rows)
                        .execute(c)?;
                }
            };
        }
        macro_rules! insert {
            ($table:expr, $rows:expr, $cols:expr) => {
                for chunk in $rows.chunks(PG_BIND_LIMIT / $cols) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            };
        }
        each_table!(self, copy, insert);
        Ok(())
    }

    pub(super) fn insert_into(&self, c: &mut diesel::SqliteConnection) -> Result<()> {
        macro_rules! insert {
            ($table:expr, $rows:expr, $cols:expr) => {
                for chunk in $rows.chunks(SQLITE_BIND_LIMIT / $cols) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            };
        }
        each_table!(self, insert, insert);
        Ok(())
    }
}

impl Batch {
    /// Writes the batch and its change-feed entries in the caller's transaction.
    pub fn write(&self, conn: &mut DbConn) -> Result<()> {
        dialect::write_batch(conn, self)?;
        let mut by_unit: BTreeMap<&str, Vec<Change>> = BTreeMap::new();
        for (unit, change) in self.changes() {
            by_unit.entry(unit).or_default().push(change);
        }
        for (unit, changes) in by_unit {
            feed::record_bulk(conn, unit, &changes)?;
        }
        Ok(())
    }

    /// What the batch creates, as the feed names it, with each row's unit.
    fn changes(&self) -> impl Iterator<Item = (&str, Change)> {
        let created = |kind, id: &str, version| Change {
            version,
            ..Change::create(kind, id)
        };
        let individuals = self.individuals.iter().map(move |r| {
            let groups = [
                (FieldGroup::Ethnicity, r.ethnicity.is_some()),
                (FieldGroup::Religion, r.religion.is_some()),
            ];
            let change = created(RecordKind::Individual, &r.id, r.version)
                .touching(groups.into_iter().filter_map(|(g, set)| set.then_some(g)));
            (r.operation_unit_id.as_str(), change)
        });
        let groups = self.groups.iter().map(move |r| {
            let c = created(RecordKind::RegistrationGroup, &r.id, r.version);
            (r.operation_unit_id.as_str(), c)
        });
        let memberships = self.memberships.iter().map(move |r| {
            let c = created(RecordKind::GroupMembership, &r.id, 1);
            (r.operation_unit_id.as_str(), c)
        });
        let cases = self.cases.iter().map(move |r| {
            let c = created(RecordKind::Case, &r.id, r.version).touching(
                r.claim_summary
                    .is_some()
                    .then_some(FieldGroup::ClaimNarrative),
            );
            (r.operation_unit_id.as_str(), c)
        });
        let appointments = self.appointments.iter().map(move |r| {
            let c = created(RecordKind::Appointment, &r.id, r.version);
            (r.operation_unit_id.as_str(), c)
        });
        let case_members = self.case_members.iter().map(move |r| {
            let c = created(RecordKind::CaseMember, &r.id, 1);
            (r.operation_unit_id.as_str(), c)
        });
        let needs = self.needs.iter().map(move |r| {
            let c = created(RecordKind::SpecificNeed, &r.id, r.version)
                .touching(super::registry::sensitivity_group(&r.code));
            (r.operation_unit_id.as_str(), c)
        });
        let documents = self.documents.iter().map(move |r| {
            let c = created(RecordKind::Document, &r.id, r.version);
            (r.operation_unit_id.as_str(), c)
        });
        individuals
            .chain(groups)
            .chain(memberships)
            .chain(cases)
            .chain(appointments)
            .chain(case_members)
            .chain(needs)
            .chain(documents)
    }
}

/// The tables a bulk load writes, whose secondary indexes can wait until it is done.
const LOADED_TABLES: [&str; 14] = [
    "individuals",
    "name_tokens",
    "individual_languages",
    "registration_groups",
    "group_memberships",
    "cases",
    "appointments",
    "case_members",
    "specific_needs",
    "documents",
    "addresses",
    "phones",
    "events",
    "change_feed",
];

/// Secondary indexes and foreign keys set aside for a bulk load into an empty (or nearly empty)
/// registry, to be put back once the rows are in: one sort per index instead of one insert per
/// row and index, and one join per foreign key instead of a lookup (and a lock on the row
/// referred to) per row.
#[derive(Debug, Default)]
pub struct Deferred {
    /// `(name, definition)` as `pg_get_indexdef` gives them.
    indexes: Vec<(String, String)>,
    /// `(table, name, definition)` as `pg_get_constraintdef` gives them.
    foreign_keys: Vec<(String, String, String)>,
}

/// The most individuals a registry may hold for a bulk load to set its indexes aside: a demo
/// world (a few hundred people), never a registry in use.
pub const NEARLY_EMPTY: i64 = 1_000;

#[derive(QueryableByName)]
struct ForeignKeyDef {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

#[derive(QueryableByName)]
struct Held {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct IndexDef {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

impl Deferred {
    /// On PostgreSQL, when the registry holds at most [`NEARLY_EMPTY`] individuals (none, or a
    /// demo world seeded first to have its users) and `loading` is at least a hundred times
    /// that, drops the secondary indexes of the loaded tables (never a primary key or an index
    /// behind a constraint) and remembers them; anywhere else changes nothing, so a load into a
    /// live registry keeps every index as it is.
    pub fn set_aside(conn: &mut DbConn, loading: u64) -> Result<Self> {
        let DbConn::Pg(c) = conn else {
            return Ok(Self::default());
        };
        // Counts no further than the bound, so a large registry is not scanned to learn it is.
        let held: i64 = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM individuals LIMIT {}) AS held",
            NEARLY_EMPTY + 1
        ))
        .get_result::<Held>(c)?
        .n;
        if held > NEARLY_EMPTY || (held as u64).saturating_mul(100) > loading {
            return Ok(Self::default());
        }
        let tables = LOADED_TABLES
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let indexes: Vec<IndexDef> = diesel::sql_query(format!(
            "SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition \
             FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = current_schema() AND t.relname IN ({tables}) \
               AND NOT x.indisprimary \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) \
             ORDER BY i.relname"
        ))
        .load(c)?;
        let foreign_keys: Vec<ForeignKeyDef> = diesel::sql_query(format!(
            "SELECT t.relname AS table_name, k.conname AS name, pg_get_constraintdef(k.oid) AS definition \
             FROM pg_constraint k \
             JOIN pg_class t ON t.oid = k.conrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = current_schema() AND t.relname IN ({tables}) AND k.contype = 'f' \
             ORDER BY t.relname, k.conname"
        ))
        .load(c)?;
        // All in one transaction: a failure part way leaves every index and key in place.
        c.transaction(|c| {
            for fk in &foreign_keys {
                diesel::connection::SimpleConnection::batch_execute(
                    c,
                    &format!(
                        "ALTER TABLE \"{}\" DROP CONSTRAINT \"{}\"",
                        fk.table_name, fk.name
                    ),
                )?;
            }
            for ix in &indexes {
                diesel::connection::SimpleConnection::batch_execute(
                    c,
                    &format!("DROP INDEX IF EXISTS \"{}\"", ix.name),
                )?;
            }
            Ok::<_, Error>(())
        })?;
        Ok(Self {
            indexes: indexes
                .into_iter()
                .map(|i| (i.name, i.definition))
                .collect(),
            foreign_keys: foreign_keys
                .into_iter()
                .map(|k| (k.table_name, k.name, k.definition))
                .collect(),
        })
    }

    /// How many indexes and foreign keys wait to be put back.
    pub fn len(&self) -> usize {
        self.indexes.len() + self.foreign_keys.len()
    }

    /// Whether none does.
    pub fn is_empty(&self) -> bool {
        self.indexes.is_empty() && self.foreign_keys.is_empty()
    }

    /// Builds the indexes set aside again (with more memory for the sorts; a unique one checks
    /// the loaded rows as it is built), then adds the foreign keys back, each checking every
    /// loaded row in one join: a row that refers to nothing fails the restore, as it would
    /// have failed its insert.
    pub fn restore(self, conn: &mut DbConn) -> Result<()> {
        let DbConn::Pg(c) = conn else {
            return Ok(());
        };
        if self.is_empty() {
            return Ok(());
        }
        diesel::connection::SimpleConnection::batch_execute(
            c,
            "SET maintenance_work_mem = '256MB'",
        )?;
        for (_, definition) in &self.indexes {
            diesel::connection::SimpleConnection::batch_execute(c, definition)?;
        }
        for (table, name, definition) in &self.foreign_keys {
            diesel::connection::SimpleConnection::batch_execute(
                c,
                &format!("ALTER TABLE \"{table}\" ADD CONSTRAINT \"{name}\" {definition}"),
            )?;
        }
        diesel::connection::SimpleConnection::batch_execute(c, "RESET maintenance_work_mem")?;
        Ok(())
    }
}
