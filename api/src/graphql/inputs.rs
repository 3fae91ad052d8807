//! Input objects of the API and their conversion to the domain's registration types.

use async_graphql::{ID, InputObject};
use chrono::NaiveDate;

use crate::domain::patch::PersonPatch;
use crate::domain::registration as reg;
use crate::store::registry::Move;

/// A language the person speaks.
#[derive(InputObject, Clone)]
pub struct LanguageInput {
    /// ISO 639-3 code, e.g. spa, prs, ara.
    pub language: String,
    /// mother_tongue, spoken or interview.
    pub kind: String,
}

/// An identity document.
#[derive(InputObject, Clone)]
pub struct DocumentInput {
    /// passport, national_id, cedula, birth_certificate, asylum_certificate, refugee_id, visa, driving_licence, other.
    pub document_type: String,
    /// The number as written on the document.
    pub number: String,
    /// Issuing country (ISO 3166 alpha-3).
    pub issuing_country: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Date of expiry.
    pub expires_on: Option<NaiveDate>,
}

/// An address.
#[derive(InputObject, Clone)]
pub struct AddressInput {
    /// current, previous (in the host country), origin or transit.
    pub kind: String,
    /// Street and number, or a description of the place.
    pub line: String,
    /// City.
    pub city: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Country (ISO 3166 alpha-3).
    pub country: String,
}

/// A phone number.
#[derive(InputObject, Clone)]
pub struct PhoneInput {
    /// The number (6 to 20 digits; + - ( ) . and spaces allowed).
    pub number: String,
    /// mobile, home, work, relative.
    pub kind: String,
    /// Whether the person agrees to be contacted on it.
    #[graphql(default = false)]
    pub consent_to_contact: bool,
}

/// A specific need to flag.
#[derive(InputObject, Clone)]
pub struct SpecificNeedInput {
    /// UNHCR code, e.g. SC, WR, SM.
    pub code: String,
    /// Sub-code of that code, e.g. SC-UC.
    pub sub_code: Option<String>,
    /// What the person said or staff observed.
    pub comments: Option<String>,
}

/// One person's registration data; only givenNames is required.
#[derive(InputObject, Clone)]
pub struct PersonInput {
    /// Given name(s), in Latin script.
    pub given_names: String,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Family name (the father's, where people carry two).
    pub family_name: Option<String>,
    /// Second family name (the mother's).
    pub second_family_name: Option<String>,
    /// Father's given name (Arabic naming).
    pub fathers_name: Option<String>,
    /// Grandfather's given name (Arabic naming).
    pub grandfathers_name: Option<String>,
    /// The full name in its original script.
    pub original_script_name: Option<String>,
    /// Other names the person is known by.
    pub aliases: Option<String>,
    /// F, M or X.
    pub sex: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// exact, year_only or estimated.
    pub date_of_birth_precision: Option<String>,
    /// Place of birth.
    pub place_of_birth: Option<String>,
    /// single, married, common_law, separated, divorced, widowed, unknown.
    pub marital_status: Option<String>,
    /// Nationalities, ISO 3166 alpha-3 (XXA stateless, XXX undetermined).
    #[graphql(default)]
    pub nationalities: Vec<String>,
    /// Country of origin, ISO 3166 alpha-3.
    pub country_of_origin: Option<String>,
    /// Ethnicity (sensitive).
    pub ethnicity: Option<String>,
    /// Religion (sensitive).
    pub religion: Option<String>,
    /// Whether the person needs an interpreter.
    #[graphql(default = false)]
    pub needs_interpreter: bool,
    /// Whether the person asks for an interviewer of the same sex.
    #[graphql(default = false)]
    pub same_sex_interviewer: bool,
    /// Date of arrival in the country of asylum.
    pub arrival_date: Option<NaiveDate>,
    /// Point of entry.
    pub point_of_entry: Option<String>,
    /// emergency, basic (default) or comprehensive.
    pub dataset_level: Option<String>,
    /// Whether the person consents to be contacted.
    #[graphql(default = false)]
    pub consent_to_contact: bool,
    /// Whether the person was informed of their rights and of how their data is used.
    #[graphql(default = false)]
    pub information_given: bool,
    /// Identifier in a previous database.
    pub legacy_id: Option<String>,
    /// Languages.
    #[graphql(default)]
    pub languages: Vec<LanguageInput>,
    /// Identity documents.
    #[graphql(default)]
    pub documents: Vec<DocumentInput>,
    /// Addresses.
    #[graphql(default)]
    pub addresses: Vec<AddressInput>,
    /// Phones.
    #[graphql(default)]
    pub phones: Vec<PhoneInput>,
    /// Specific needs identified at registration.
    #[graphql(default)]
    pub specific_needs: Vec<SpecificNeedInput>,
}

impl From<DocumentInput> for reg::DocumentInput {
    fn from(d: DocumentInput) -> Self {
        Self {
            document_type: d.document_type,
            number: d.number,
            issuing_country: d.issuing_country,
            issued_on: d.issued_on,
            expires_on: d.expires_on,
        }
    }
}

impl From<LanguageInput> for reg::LanguageInput {
    fn from(l: LanguageInput) -> Self {
        Self {
            language: l.language,
            kind: l.kind,
        }
    }
}

impl From<AddressInput> for reg::AddressInput {
    fn from(a: AddressInput) -> Self {
        Self {
            kind: a.kind,
            line: a.line,
            city: a.city,
            province: a.province,
            country: a.country,
        }
    }
}

impl From<PhoneInput> for reg::PhoneInput {
    fn from(ph: PhoneInput) -> Self {
        Self {
            number: ph.number,
            kind: ph.kind,
            consent_to_contact: ph.consent_to_contact,
        }
    }
}

impl From<SpecificNeedInput> for reg::NeedInput {
    fn from(n: SpecificNeedInput) -> Self {
        Self {
            code: n.code,
            sub_code: n.sub_code,
            comments: n.comments,
        }
    }
}

impl From<PersonInput> for reg::PersonInput {
    fn from(p: PersonInput) -> Self {
        Self {
            given_names: p.given_names,
            middle_name: p.middle_name,
            family_name: p.family_name,
            second_family_name: p.second_family_name,
            fathers_name: p.fathers_name,
            grandfathers_name: p.grandfathers_name,
            original_script_name: p.original_script_name,
            aliases: p.aliases,
            sex: p.sex,
            date_of_birth: p.date_of_birth,
            date_of_birth_precision: p.date_of_birth_precision,
            place_of_birth: p.place_of_birth,
            marital_status: p.marital_status,
            nationalities: p.nationalities,
            country_of_origin: p.country_of_origin,
            ethnicity: p.ethnicity,
            religion: p.religion,
            needs_interpreter: p.needs_interpreter,
            same_sex_interviewer: p.same_sex_interviewer,
            arrival_date: p.arrival_date,
            point_of_entry: p.point_of_entry,
            dataset_level: p.dataset_level,
            consent_to_contact: p.consent_to_contact,
            information_given: p.information_given,
            legacy_id: p.legacy_id,
            languages: p.languages.into_iter().map(Into::into).collect(),
            documents: p.documents.into_iter().map(Into::into).collect(),
            addresses: p.addresses.into_iter().map(Into::into).collect(),
            phones: p.phones.into_iter().map(Into::into).collect(),
            specific_needs: p.specific_needs.into_iter().map(Into::into).collect(),
        }
    }
}

/// A member of a group being registered.
#[derive(InputObject, Clone)]
pub struct MemberInput {
    /// Relationship to the focal point; exactly one member is focal_point.
    pub relationship: String,
    /// The member's data.
    pub person: PersonInput,
}

/// A group and its members, registered in one transaction.
#[derive(InputObject)]
pub struct RegisterGroupInput {
    /// Your id for this request; sending it again returns the first result instead of registering twice.
    pub client_mutation_id: String,
    /// The members; exactly one has relationship focal_point.
    pub members: Vec<MemberInput>,
    /// Register even though possible duplicates were shown (set after reviewing them).
    #[graphql(default = false)]
    pub acknowledge_duplicates: bool,
}

/// The update input is made from the domain's list of a person's editable fields, so the API
/// and the patch it becomes cannot drift apart.
macro_rules! update_individual_input {
    ($($(#[$doc:meta])* $name:ident: $ty:ty,)*) => {
        /// Changes to an individual: omitted fields stay as they are; an empty string clears an optional field.
        #[derive(InputObject)]
        pub struct UpdateIndividualInput {
            /// Your id for this request (idempotency).
            pub client_mutation_id: String,
            /// The individual to change.
            pub id: ID,
            /// The version you read; CONFLICT if someone changed the record since.
            pub version: i32,
            $($(#[$doc])* pub $name: $ty,)*
            /// The languages the person speaks (replaces the list).
            pub languages: Option<Vec<LanguageInput>>,
            /// The person's current addresses (replaces the list; an address left out ends today and
            /// stays in `addresses` with its `validTo`).
            pub addresses: Option<Vec<AddressInput>>,
            /// The person's phones (replaces the list; a phone left out is marked removed).
            pub phones: Option<Vec<PhoneInput>>,
            /// Record that the data was verified with the person today.
            #[graphql(default = false)]
            pub mark_verified: bool,
        }

        impl UpdateIndividualInput {
            fn list<I: Clone + Into<O>, O>(given: &Option<Vec<I>>) -> Option<Vec<O>> {
                given
                    .as_ref()
                    .map(|v| v.iter().cloned().map(Into::into).collect())
            }

            pub fn patch(&self) -> PersonPatch {
                PersonPatch {
                    $($name: self.$name.clone(),)*
                    languages: Self::list(&self.languages),
                    addresses: Self::list(&self.addresses),
                    phones: Self::list(&self.phones),
                    mark_verified: self.mark_verified,
                }
            }
        }
    };
}
amparo_domain::person_patch_fields!(update_individual_input! {});

/// Flag a specific need on an individual.
#[derive(InputObject)]
pub struct AddSpecificNeedInput {
    /// Your id for this request (idempotency).
    pub client_mutation_id: String,
    /// The individual.
    pub individual_id: ID,
    /// UNHCR code, e.g. SC.
    pub code: String,
    /// Sub-code, e.g. SC-UC.
    pub sub_code: Option<String>,
    /// Comments.
    pub comments: Option<String>,
}

/// Confirm or resolve a specific need.
#[derive(InputObject)]
pub struct ReviewSpecificNeedInput {
    /// Your id for this request (idempotency).
    pub client_mutation_id: String,
    /// The need.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// CONFIRMED or RESOLVED.
    pub status: super::types::NeedStatus,
    /// Comments of the review.
    pub comments: Option<String>,
}

/// Add an identity document to an individual.
#[derive(InputObject)]
pub struct AddDocumentInput {
    /// Your id for this request (idempotency).
    pub client_mutation_id: String,
    /// The individual.
    pub individual_id: ID,
    /// The document.
    pub document: DocumentInput,
}

/// Correct an identity document (its fields are replaced by the ones given).
#[derive(InputObject)]
pub struct UpdateDocumentInput {
    /// Your id for this request (idempotency).
    pub client_mutation_id: String,
    /// The document to correct.
    pub id: ID,
    /// The version you read; CONFLICT if someone changed the document since.
    pub version: i32,
    /// The document as it should read (a field left out is cleared).
    pub document: DocumentInput,
}

/// A member moving between groups, with their relationship to the focal point they join.
#[derive(InputObject, Clone)]
pub struct MoveMemberInput {
    /// The member.
    pub individual_id: ID,
    /// Relationship to the focal point of the group they join (focal_point for the new focal point of a split).
    pub relationship: String,
}

impl From<MoveMemberInput> for Move {
    fn from(m: MoveMemberInput) -> Self {
        Self {
            individual_id: m.individual_id.0,
            relationship: m.relationship,
        }
    }
}

/// Move some members of a group into a new group.
#[derive(InputObject)]
pub struct SplitGroupInput {
    /// Your id for this request (idempotency).
    pub client_mutation_id: String,
    /// The group to split.
    pub group_id: ID,
    /// The group's version you read.
    pub version: i32,
    /// Members moving to the new group; exactly one becomes its focal_point.
    pub members: Vec<MoveMemberInput>,
}

/// Move every member of one group into another and close the first.
#[derive(InputObject)]
pub struct MergeGroupsInput {
    /// Your id for this request (idempotency).
    pub client_mutation_id: String,
    /// The group that stays.
    pub target_group_id: ID,
    /// Its version you read.
    pub target_version: i32,
    /// The group that is merged and closed.
    pub source_group_id: ID,
    /// Its version you read.
    pub source_version: i32,
    /// Every member of the source group with their relationship to the target's focal point.
    pub members: Vec<MoveMemberInput>,
}

/// Username and password.
#[derive(InputObject)]
pub struct LoginInput {
    /// Login name.
    pub username: String,
    /// Password.
    #[graphql(secret)]
    pub password: String,
    /// A new password, required when your unit admin asked you to change yours (the login is
    /// refused with reason PASSWORD_CHANGE_REQUIRED without it).
    #[graphql(secret)]
    pub new_password: Option<String>,
}

/// Create a named API token for scripts and data tools.
#[derive(InputObject)]
pub struct CreateApiTokenInput {
    /// Your id for this request (idempotency; a replay does not show the secret again).
    pub client_mutation_id: String,
    /// A name that says what the token is for.
    pub name: String,
    /// Lifetime in days (1 to 365; default from the server's settings).
    pub days: Option<i32>,
}

/// Revoke one of your API tokens.
#[derive(InputObject)]
pub struct RevokeApiTokenInput {
    /// Your id for this request (idempotency).
    pub client_mutation_id: String,
    /// The token's id.
    pub id: ID,
}

/// Filters for individuals.
#[derive(InputObject, Default, Clone)]
pub struct IndividualFilter {
    /// Registered at this office.
    pub office_id: Option<ID>,
    /// Holding this nationality (ISO 3166 alpha-3).
    pub nationality: Option<String>,
    /// Of this sex (F, M, X).
    pub sex: Option<String>,
    /// With a specific need of this code (e.g. SC).
    pub specific_need_code: Option<String>,
}

/// Filters for cases.
#[derive(InputObject, Default, Clone)]
pub struct CaseFilter {
    /// In this status.
    pub status: Option<String>,
    /// At this office.
    pub office_id: Option<ID>,
    /// Only cases assigned to me.
    #[graphql(default = false)]
    pub assigned_to_me: bool,
}

impl From<IndividualFilter> for crate::store::queries::IndividualQuery {
    fn from(f: IndividualFilter) -> Self {
        Self {
            search: None,
            office_id: f.office_id.map(|i| i.0),
            nationality: f.nationality,
            sex: f.sex,
            need_code: f.specific_need_code,
        }
    }
}

impl From<CaseFilter> for crate::store::queries::CaseQuery {
    fn from(f: CaseFilter) -> Self {
        Self {
            status: f.status,
            office_id: f.office_id.map(|i| i.0),
            assigned_to_me: f.assigned_to_me,
        }
    }
}
