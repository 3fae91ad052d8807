//! Rows of the personal-data tables as the store reads them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = individuals)]
pub struct IndividualRow {
    pub id: String,
    pub operation_unit_id: String,
    pub office_id: String,
    pub individual_number: String,
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
