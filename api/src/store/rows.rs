//! Rows of the personal-data tables as the store reads them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::*;
use crate::domain::registration::PersonInput;

/// A row of `individuals`: what the store reads, and what the bulk loader writes as it is.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = individuals, treat_none_as_default_value = false)]
pub struct IndividualRow {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub individual_number: String,
    /// The number as search compares it; never shown.
    #[serde(skip)]
    pub number_key: String,
    pub legacy_id: Option<String>,
    pub given_names: String,
    pub middle_name: Option<String>,
    pub family_name: Option<String>,
    pub second_family_name: Option<String>,
    pub fathers_name: Option<String>,
    pub grandfathers_name: Option<String>,
    pub original_script_name: Option<String>,
    pub aliases: Option<String>,
    pub sex: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub date_of_birth_precision: Option<String>,
    pub place_of_birth: Option<String>,
    pub marital_status: Option<String>,
    pub nationalities: String,
    pub country_of_origin: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub needs_interpreter: bool,
    pub same_sex_interviewer: bool,
    pub arrival_date: Option<NaiveDate>,
    pub point_of_entry: Option<String>,
    pub registration_date: NaiveDate,
    pub registered_by: String,
    pub dataset_level: String,
    pub last_verified_at: Option<NaiveDateTime>,
    pub consent_to_contact: bool,
    pub information_given_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl IndividualRow {
    pub fn nationality_list(&self) -> Vec<String> {
        self.nationalities
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    /// The person as the domain knows it, for a patch to apply to. Only the person's own
    /// fields: languages, documents, addresses, phones and needs are records of their own.
    pub fn person(&self) -> PersonInput {
        PersonInput {
            given_names: self.given_names.clone(),
            middle_name: self.middle_name.clone(),
            family_name: self.family_name.clone(),
            second_family_name: self.second_family_name.clone(),
            fathers_name: self.fathers_name.clone(),
            grandfathers_name: self.grandfathers_name.clone(),
            original_script_name: self.original_script_name.clone(),
            aliases: self.aliases.clone(),
            sex: self.sex.clone(),
            date_of_birth: self.date_of_birth,
            date_of_birth_precision: self.date_of_birth_precision.clone(),
            place_of_birth: self.place_of_birth.clone(),
            marital_status: self.marital_status.clone(),
            nationalities: self.nationality_list(),
            country_of_origin: self.country_of_origin.clone(),
            ethnicity: self.ethnicity.clone(),
            religion: self.religion.clone(),
            needs_interpreter: self.needs_interpreter,
            same_sex_interviewer: self.same_sex_interviewer,
            arrival_date: self.arrival_date,
            point_of_entry: self.point_of_entry.clone(),
            dataset_level: Some(self.dataset_level.clone()),
            consent_to_contact: self.consent_to_contact,
            information_given: self.information_given_at.is_some(),
            legacy_id: self.legacy_id.clone(),
            ..Default::default()
        }
    }
}

/// A person's own columns of `individuals`, as registration and every edit write them: one
/// conversion from the domain's person, so the insert and the update cannot drift apart.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = individuals, treat_none_as_null = true)]
pub struct PersonColumns<'a> {
    pub legacy_id: Option<&'a str>,
    pub given_names: &'a str,
    pub middle_name: Option<&'a str>,
    pub family_name: Option<&'a str>,
    pub second_family_name: Option<&'a str>,
    pub fathers_name: Option<&'a str>,
    pub grandfathers_name: Option<&'a str>,
    pub original_script_name: Option<&'a str>,
    pub aliases: Option<&'a str>,
    pub sex: Option<&'a str>,
    pub date_of_birth: Option<NaiveDate>,
    pub date_of_birth_precision: Option<&'a str>,
    pub place_of_birth: Option<&'a str>,
    pub marital_status: Option<&'a str>,
    pub nationalities: String,
    pub country_of_origin: Option<&'a str>,
    pub ethnicity: Option<&'a str>,
    pub religion: Option<&'a str>,
    pub needs_interpreter: bool,
    pub same_sex_interviewer: bool,
    pub arrival_date: Option<NaiveDate>,
    pub point_of_entry: Option<&'a str>,
    pub dataset_level: &'a str,
    pub consent_to_contact: bool,
}

/// The data-set level of a registration that names none.
pub const DEFAULT_DATASET_LEVEL: &str = "basic";

impl<'a> From<&'a PersonInput> for PersonColumns<'a> {
    fn from(p: &'a PersonInput) -> Self {
        // Free text is stored trimmed and blank means absent; codes were checked against their
        // lists, so they are stored as given.
        let blank = |s: &'a Option<String>| s.as_deref().map(str::trim).filter(|v| !v.is_empty());
        Self {
            legacy_id: blank(&p.legacy_id),
            given_names: p.given_names.trim(),
            middle_name: blank(&p.middle_name),
            family_name: blank(&p.family_name),
            second_family_name: blank(&p.second_family_name),
            fathers_name: blank(&p.fathers_name),
            grandfathers_name: blank(&p.grandfathers_name),
            original_script_name: blank(&p.original_script_name),
            aliases: blank(&p.aliases),
            sex: p.sex.as_deref(),
            date_of_birth: p.date_of_birth,
            date_of_birth_precision: p.date_of_birth_precision.as_deref(),
            place_of_birth: blank(&p.place_of_birth),
            marital_status: p.marital_status.as_deref(),
            nationalities: p.nationalities.join(" "),
            country_of_origin: p.country_of_origin.as_deref(),
            ethnicity: blank(&p.ethnicity),
            religion: blank(&p.religion),
            needs_interpreter: p.needs_interpreter,
            same_sex_interviewer: p.same_sex_interviewer,
            arrival_date: p.arrival_date,
            point_of_entry: blank(&p.point_of_entry),
            dataset_level: p.dataset_level.as_deref().unwrap_or(DEFAULT_DATASET_LEVEL),
            consent_to_contact: p.consent_to_contact,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = registration_groups)]
pub struct GroupRow {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub group_number: String,
    pub status: String,
    pub closed_reason: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = group_memberships)]
pub struct MembershipRow {
    pub id: String,
    pub group_id: String,
    pub individual_id: String,
    pub relationship: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub end_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub case_number: String,
    pub procedure: String,
    pub status: String,
    pub stage: String,
    pub modality: String,
    pub principal_applicant_id: String,
    pub registration_group_id: Option<String>,
    pub assigned_officer_id: Option<String>,
    pub claim_summary: Option<String>,
    pub opened_at: NaiveDateTime,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub status_changed_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub decision_due_at: Option<NaiveDateTime>,
    pub appeal_deadline_at: Option<NaiveDateTime>,
    pub abandonment_from: Option<NaiveDateTime>,
    pub next_appointment_at: Option<NaiveDateTime>,
    pub priority: bool,
    pub same_sex_interviewer: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_members)]
pub struct CaseMemberRow {
    pub id: String,
    pub case_id: String,
    pub individual_id: String,
    pub role: String,
    pub relationship: Option<String>,
    pub added_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = specific_needs)]
pub struct NeedRow {
    pub id: String,
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
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: String,
    pub individual_id: String,
    pub document_type: String,
    pub number: String,
    pub issuing_country: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub verified: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = addresses)]
pub struct AddressRow {
    pub id: String,
    pub kind: String,
    pub line: String,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = phones)]
pub struct PhoneRow {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub consent_to_contact: bool,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = individual_languages)]
pub struct LanguageRow {
    pub language: String,
    pub kind: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: String,
    pub record_type: String,
    pub record_id: String,
    pub kind: String,
    pub actor_id: String,
    pub at: NaiveDateTime,
    pub data: String,
}
