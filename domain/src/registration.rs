//! Registration data as it arrives from a caller, and the rules it must meet before anything is
//! written. Required fields are kept to the minimum DOMAIN.md asks for (a given name and the
//! relationship to the focal point); everything else is optional but, when given, must be valid.

use chrono::NaiveDate;

use super::codes;
use super::names;
use super::needs;
use crate::error::{Error, Reason, Result};

/// Longest free-text field we accept, in characters.
pub const MAX_TEXT: usize = 200;
/// Longest comment or narrative, in characters.
pub const MAX_LONG_TEXT: usize = 4000;
/// Most members one registration may bring.
pub const MAX_MEMBERS: usize = 50;

/// The fields [`PersonInput::name_parts`] reads, in its order, as the store names its columns:
/// a field node rebuilds a person's search keys from the row it receives rather than receive
/// the keys (about twenty rows a person) over a thin link.
pub const NAME_FIELDS: [&str; 8] = [
    "given_names",
    "middle_name",
    "family_name",
    "second_family_name",
    "fathers_name",
    "grandfathers_name",
    "original_script_name",
    "aliases",
];

/// One person's registration data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonInput {
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
    pub nationalities: Vec<String>,
    pub country_of_origin: Option<String>,
    pub ethnicity: Option<String>,
    pub religion: Option<String>,
    pub needs_interpreter: bool,
    pub same_sex_interviewer: bool,
    pub arrival_date: Option<NaiveDate>,
    pub point_of_entry: Option<String>,
    pub dataset_level: Option<String>,
    pub consent_to_contact: bool,
    pub information_given: bool,
    pub legacy_id: Option<String>,
    pub languages: Vec<LanguageInput>,
    pub documents: Vec<DocumentInput>,
    pub addresses: Vec<AddressInput>,
    pub phones: Vec<PhoneInput>,
    pub specific_needs: Vec<NeedInput>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LanguageInput {
    pub language: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentInput {
    pub document_type: String,
    pub number: String,
    pub issuing_country: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressInput {
    pub kind: String,
    pub line: String,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneInput {
    pub number: String,
    pub kind: String,
    pub consent_to_contact: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NeedInput {
    pub code: String,
    pub sub_code: Option<String>,
    pub comments: Option<String>,
}

/// A member of a group being registered.
#[derive(Debug, Clone)]
pub struct MemberInput {
    pub person: PersonInput,
    pub relationship: String,
}

/// A whole registration: a group and its members; exactly one member is the focal point.
#[derive(Debug, Clone)]
pub struct GroupInput {
    pub members: Vec<MemberInput>,
}

/// The relationship of a group's focal point to itself.
pub const FOCAL_POINT: &str = "focal_point";

/// The kinds of language a person has.
pub const LANGUAGE_KINDS: [&str; 3] = ["mother_tongue", "spoken", "interview"];

fn text(field: &str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(Error::invalid(
            field,
            Reason::TooLong { max },
            format!("must be at most {max} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid(
            field,
            Reason::ControlCharacters,
            "must not contain control characters",
        ));
    }
    Ok(())
}

fn opt_text(field: &str, value: &Option<String>, max: usize) -> Result<()> {
    value.as_deref().map_or(Ok(()), |v| text(field, v, max))
}

/// A code list as a refusal names it: a stable id for clients and words for people.
struct Vocab {
    id: &'static str,
    what: &'static str,
}

const SEX: Vocab = Vocab {
    id: "sex",
    what: "sex code",
};
const DATE_PRECISION: Vocab = Vocab {
    id: "date_precision",
    what: "date precision",
};
const MARITAL_STATUS: Vocab = Vocab {
    id: "marital_status",
    what: "marital status",
};
const COUNTRY: Vocab = Vocab {
    id: "country",
    what: "country code (ISO 3166 alpha-3)",
};
const DATA_SET_LEVEL: Vocab = Vocab {
    id: "data_set_level",
    what: "data-set level",
};
const LANGUAGE: Vocab = Vocab {
    id: "language",
    what: "language code (ISO 639-3)",
};
const LANGUAGE_KIND: Vocab = Vocab {
    id: "language_kind",
    what: "language kind",
};
const DOCUMENT_TYPE: Vocab = Vocab {
    id: "document_type",
    what: "document type",
};
const ADDRESS_KIND: Vocab = Vocab {
    id: "address_kind",
    what: "address kind",
};
const PHONE_KIND: Vocab = Vocab {
    id: "phone_kind",
    what: "phone kind",
};
const RELATIONSHIP: Vocab = Vocab {
    id: "relationship",
    what: "relationship",
};

fn vocab(field: &str, value: &str, ok: bool, vocabulary: Vocab) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            Reason::UnknownCode {
                vocabulary: vocabulary.id.to_string(),
                value: value.to_string(),
            },
            format!("{value:?} is not a known {}", vocabulary.what),
        ))
    }
}

fn opt_vocab(
    field: &str,
    value: &Option<String>,
    check: fn(&str) -> bool,
    vocabulary: Vocab,
) -> Result<()> {
    match value.as_deref() {
        Some(v) => vocab(field, v, check(v), vocabulary),
        None => Ok(()),
    }
}

fn not_future(field: &str, d: Option<NaiveDate>, today: NaiveDate) -> Result<()> {
    match d {
        Some(d) if d > today => Err(Error::invalid(
            field,
            Reason::InFuture,
            "cannot be in the future",
        )),
        Some(d) if d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) => {
            Err(Error::invalid(
                field,
                Reason::TooEarly {
                    min: "1900-01-01".into(),
                },
                "is before 1900",
            ))
        }
        _ => Ok(()),
    }
}

impl PersonInput {
    /// Checks every field; the error names the first invalid one.
    pub fn validate(&self, today: NaiveDate) -> Result<()> {
        if self.given_names.trim().is_empty() {
            return Err(Error::invalid(
                "givenNames",
                Reason::Required,
                "a given name is required",
            ));
        }
        text("givenNames", &self.given_names, MAX_TEXT)?;
        for (f, v) in [
            ("middleName", &self.middle_name),
            ("familyName", &self.family_name),
            ("secondFamilyName", &self.second_family_name),
            ("fathersName", &self.fathers_name),
            ("grandfathersName", &self.grandfathers_name),
            ("originalScriptName", &self.original_script_name),
            ("aliases", &self.aliases),
            ("placeOfBirth", &self.place_of_birth),
            ("ethnicity", &self.ethnicity),
            ("religion", &self.religion),
            ("pointOfEntry", &self.point_of_entry),
            ("legacyId", &self.legacy_id),
        ] {
            opt_text(f, v, MAX_TEXT)?;
        }
        opt_vocab("sex", &self.sex, |c| codes::SEX.contains(c), SEX)?;
        opt_vocab(
            "dateOfBirthPrecision",
            &self.date_of_birth_precision,
            |c| codes::DATE_OF_BIRTH_PRECISION.contains(c),
            DATE_PRECISION,
        )?;
        opt_vocab(
            "maritalStatus",
            &self.marital_status,
            |c| codes::MARITAL_STATUS.contains(c),
            MARITAL_STATUS,
        )?;
        opt_vocab(
            "countryOfOrigin",
            &self.country_of_origin,
            |c| codes::COUNTRIES.contains(c),
            COUNTRY,
        )?;
        opt_vocab(
            "datasetLevel",
            &self.dataset_level,
            |c| codes::DATA_SET_LEVEL.contains(c),
            DATA_SET_LEVEL,
        )?;
        if self.nationalities.len() > 5 {
            return Err(Error::invalid(
                "nationalities",
                Reason::TooMany { max: 5 },
                "at most 5 nationalities",
            ));
        }
        for (i, n) in self.nationalities.iter().enumerate() {
            vocab(
                &format!("nationalities.{i}"),
                n,
                codes::COUNTRIES.contains(n),
                COUNTRY,
            )?;
        }
        not_future("dateOfBirth", self.date_of_birth, today)?;
        not_future("arrivalDate", self.arrival_date, today)?;
        if let (Some(b), Some(a)) = (self.date_of_birth, self.arrival_date)
            && a < b
        {
            return Err(Error::invalid(
                "arrivalDate",
                Reason::BeforeOther {
                    other: "dateOfBirth".into(),
                },
                "is before the date of birth",
            ));
        }
        for (i, l) in self.languages.iter().enumerate() {
            let f = format!("languages.{i}");
            vocab(
                &format!("{f}.language"),
                &l.language,
                codes::is_valid_language_code(&l.language),
                LANGUAGE,
            )?;
            vocab(
                &format!("{f}.kind"),
                &l.kind,
                LANGUAGE_KINDS.contains(&l.kind.as_str()),
                LANGUAGE_KIND,
            )?;
        }
        for (i, d) in self.documents.iter().enumerate() {
            d.validate(today)
                .map_err(|e| e.in_field(&format!("documents.{i}")))?;
        }
        for (i, a) in self.addresses.iter().enumerate() {
            a.validate()
                .map_err(|e| e.in_field(&format!("addresses.{i}")))?;
        }
        for (i, p) in self.phones.iter().enumerate() {
            p.validate()
                .map_err(|e| e.in_field(&format!("phones.{i}")))?;
        }
        for (i, n) in self.specific_needs.iter().enumerate() {
            n.validate()
                .map_err(|e| e.in_field(&format!("specificNeeds.{i}")))?;
        }
        Ok(())
    }

    /// Every name part, Latin and original script, for the search index (the fields of
    /// [`NAME_FIELDS`], in its order).
    pub fn name_parts(&self) -> Vec<&str> {
        [
            Some(self.given_names.as_str()),
            self.middle_name.as_deref(),
            self.family_name.as_deref(),
            self.second_family_name.as_deref(),
            self.fathers_name.as_deref(),
            self.grandfathers_name.as_deref(),
            self.original_script_name.as_deref(),
            self.aliases.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The facts duplicate detection compares.
    pub fn facts(&self) -> names::PersonFacts {
        names::PersonFacts {
            given_names: self.given_names.clone(),
            family_names: [
                self.family_name.as_deref(),
                self.second_family_name.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
            date_of_birth: self.date_of_birth,
            sex: self.sex.clone(),
            nationalities: self.nationalities.clone(),
        }
    }
}

impl DocumentInput {
    pub fn validate(&self, today: NaiveDate) -> Result<()> {
        vocab(
            "documentType",
            &self.document_type,
            codes::DOCUMENT_TYPE.contains(&self.document_type),
            DOCUMENT_TYPE,
        )?;
        if names::normalize_identifier(&self.number).is_empty() {
            return Err(Error::invalid(
                "number",
                Reason::Required,
                "a document number needs letters or digits",
            ));
        }
        text("number", &self.number, 64)?;
        opt_vocab(
            "issuingCountry",
            &self.issuing_country,
            codes::is_country,
            COUNTRY,
        )?;
        not_future("issuedOn", self.issued_on, today)?;
        if let (Some(i), Some(e)) = (self.issued_on, self.expires_on)
            && e < i
        {
            return Err(Error::invalid(
                "expiresOn",
                Reason::BeforeOther {
                    other: "issuedOn".into(),
                },
                "is before the issue date",
            ));
        }
        Ok(())
    }
}

impl AddressInput {
    pub fn validate(&self) -> Result<()> {
        vocab(
            "kind",
            &self.kind,
            codes::ADDRESS_TYPE.contains(&self.kind),
            ADDRESS_KIND,
        )?;
        if self.line.trim().is_empty() {
            return Err(Error::invalid(
                "line",
                Reason::Required,
                "an address line is required",
            ));
        }
        text("line", &self.line, MAX_TEXT)?;
        opt_text("city", &self.city, MAX_TEXT)?;
        opt_text("province", &self.province, MAX_TEXT)?;
        vocab(
            "country",
            &self.country,
            codes::is_country(&self.country),
            COUNTRY,
        )
    }
}

impl PhoneInput {
    pub fn validate(&self) -> Result<()> {
        vocab(
            "kind",
            &self.kind,
            codes::PHONE_TYPE.contains(&self.kind),
            PHONE_KIND,
        )?;
        let digits = self.number.chars().filter(char::is_ascii_digit).count();
        let allowed = self
            .number
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !allowed || !(6..=20).contains(&digits) {
            return Err(Error::invalid(
                "number",
                Reason::BadFormat {
                    format: "phone".into(),
                },
                "a phone number has 6 to 20 digits (and + - ( ) . spaces)",
            ));
        }
        Ok(())
    }
}

impl NeedInput {
    pub fn validate(&self) -> Result<()> {
        needs::validate(&self.code, self.sub_code.as_deref()).map_err(|e| {
            let message = e.to_string();
            match e {
                needs::NeedError::UnknownCode(value) => Error::invalid(
                    "code",
                    Reason::UnknownCode {
                        vocabulary: "specific_need".into(),
                        value,
                    },
                    message,
                ),
                needs::NeedError::UnknownSubCode { sub_code, .. } => Error::invalid(
                    "subCode",
                    Reason::UnknownCode {
                        vocabulary: "specific_need_sub_code".into(),
                        value: sub_code,
                    },
                    message,
                ),
                needs::NeedError::SubCodeOfOtherCode { belongs_to, .. } => Error::invalid(
                    "subCode",
                    Reason::WrongParent {
                        belongs_to: belongs_to.into(),
                    },
                    message,
                ),
            }
        })?;
        opt_text("comments", &self.comments, MAX_LONG_TEXT)
    }
}

impl GroupInput {
    pub fn validate(&self, today: NaiveDate) -> Result<()> {
        if self.members.is_empty() {
            return Err(Error::invalid(
                "members",
                Reason::TooFew { min: 1 },
                "a registration needs at least one member",
            ));
        }
        if self.members.len() > MAX_MEMBERS {
            return Err(Error::invalid(
                "members",
                Reason::TooMany { max: MAX_MEMBERS },
                format!("at most {MAX_MEMBERS} members per registration"),
            ));
        }
        let focal = self
            .members
            .iter()
            .filter(|m| m.relationship == FOCAL_POINT)
            .count();
        if focal != 1 {
            return Err(Error::invalid(
                "members",
                Reason::ExactlyOne {
                    value: FOCAL_POINT.into(),
                    expected: 1,
                    found: focal,
                },
                format!(
                    "exactly one member must have relationship {:?} (found {focal})",
                    FOCAL_POINT
                ),
            ));
        }
        for (i, m) in self.members.iter().enumerate() {
            vocab(
                &format!("members.{i}.relationship"),
                &m.relationship,
                codes::RELATIONSHIP.contains(&m.relationship),
                RELATIONSHIP,
            )?;
            m.person
                .validate(today)
                .map_err(|e| e.in_field(&format!("members.{i}")))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node indexes names from the columns `NAME_FIELDS` lists, so it must list exactly what
    /// registration indexes, in the same order.
    #[test]
    fn name_fields_are_the_parts_registration_indexes() {
        let p = PersonInput {
            given_names: "given_names".into(),
            middle_name: Some("middle_name".into()),
            family_name: Some("family_name".into()),
            second_family_name: Some("second_family_name".into()),
            fathers_name: Some("fathers_name".into()),
            grandfathers_name: Some("grandfathers_name".into()),
            original_script_name: Some("original_script_name".into()),
            aliases: Some("aliases".into()),
            ..PersonInput::default()
        };
        assert_eq!(p.name_parts(), NAME_FIELDS.to_vec());
    }
}
