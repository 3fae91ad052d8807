//! The mapping file: which source column feeds which Amparo field, how the source's codes map
//! to ours, how its dates are written, and which unit and office receive the records. Read from
//! TOML and checked whole before any row is read, so a mistake in the mapping is one clear
//! message rather than thousands of bad rows.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::codes;
use crate::domain::import::ImportedStatus;
use crate::domain::needs;
use crate::error::{Error, Result};

/// Rows of individuals per batch unless the mapping says otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 500;
/// The largest batch: one transaction must stay short enough for the database and the operator.
pub const MAX_BATCH_SIZE: usize = 10_000;

/// A whole mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The mapping's own version, recorded on every batch ("dpin-2026-1").
    pub version: String,
    /// The earlier system's name: "imported from SOURCE" in each record's history, and the
    /// namespace of its keys.
    pub source: String,
    /// The operation unit's code (DPIN) that receives the records.
    pub unit: String,
    /// The office's code (UIO) the records are registered at.
    pub office: String,
    /// Date formats of the source, tried in order (chrono's `%d/%m/%Y`...); ISO dates
    /// (`%Y-%m-%d`) and spreadsheet date cells are always understood.
    #[serde(default)]
    pub date_formats: Vec<String>,
    /// The CSV field delimiter (`,` unless given).
    #[serde(default)]
    pub delimiter: Option<char>,
    /// Individuals per batch (one transaction each).
    #[serde(default)]
    pub batch_size: Option<usize>,
    pub individuals: IndividualsFile,
    #[serde(default)]
    pub households: Option<HouseholdsFile>,
    #[serde(default)]
    pub cases: Option<CasesFile>,
    #[serde(default)]
    pub needs: Option<NeedsFile>,
    #[serde(default)]
    pub documents: Option<DocumentsFile>,
    #[serde(default)]
    pub events: Option<EventsFile>,
    #[serde(default)]
    pub codes: Codes,
    /// SHA-256 of the mapping file's bytes, recorded on every batch.
    #[serde(skip)]
    pub digest: String,
}

/// The people: one row each, with their household and relationship to its focal point.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndividualsFile {
    pub file: String,
    #[serde(default)]
    pub sheet: Option<String>,
    pub key: String,
    pub household: String,
    pub relationship: String,
    pub given_names: String,
    #[serde(default)]
    pub middle_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    #[serde(default)]
    pub second_family_name: Option<String>,
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default)]
    pub country_of_origin: Option<String>,
    #[serde(default)]
    pub arrival_date: Option<String>,
}

/// The households or groups, to check each has a focal point among the individuals.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdsFile {
    pub file: String,
    #[serde(default)]
    pub sheet: Option<String>,
    pub key: String,
}

/// Cases: the household, the principal applicant, the old status and its dates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasesFile {
    pub file: String,
    #[serde(default)]
    pub sheet: Option<String>,
    pub key: String,
    pub household: String,
    pub principal: String,
    pub status: String,
    #[serde(default)]
    pub opened: Option<String>,
    #[serde(default)]
    pub status_date: Option<String>,
}

/// Specific needs, one row per person and need.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedsFile {
    pub file: String,
    #[serde(default)]
    pub sheet: Option<String>,
    pub person: String,
    pub code: String,
}

/// Identity documents, one row per document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentsFile {
    pub file: String,
    #[serde(default)]
    pub sheet: Option<String>,
    pub person: String,
    pub document_type: String,
    pub number: String,
    #[serde(default)]
    pub issuing_country: Option<String>,
    #[serde(default)]
    pub issued_on: Option<String>,
    #[serde(default)]
    pub expires_on: Option<String>,
}

/// The history of the cases in the earlier system, one row per event: kept as each case's
/// history after its "imported" entry, in date order, as the earlier system worded it. The
/// case's state comes from the cases file's status, never from these rows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsFile {
    pub file: String,
    #[serde(default)]
    pub sheet: Option<String>,
    /// The case's key, as in the cases file.
    pub case: String,
    pub date: String,
    /// What happened, in the earlier system's words ("Entrevista", "RESOLUCION NEGATIVA").
    pub what: String,
    /// A note the earlier system kept with it; shown only to roles that see claim narratives.
    #[serde(default)]
    pub note: Option<String>,
}

/// The source's codes and ours. Keys are compared without surrounding spaces and case; a value
/// of the source that is not a key here is reported as unmapped, never guessed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codes {
    #[serde(default)]
    pub sex: BTreeMap<String, String>,
    /// Nationalities by name or old code, to ISO 3166 alpha-3.
    #[serde(default)]
    pub nationality: BTreeMap<String, String>,
    #[serde(default)]
    pub relationship: BTreeMap<String, String>,
    /// Old specific-need codes to a current code (`SP`) or sub-code (`DS-BD`).
    #[serde(default)]
    pub need: BTreeMap<String, String>,
    #[serde(default)]
    pub document_type: BTreeMap<String, String>,
    /// Old case statuses to `registered`, `admissible`, `withdrawn` or `closed:REASON`.
    #[serde(default)]
    pub case_status: BTreeMap<String, String>,
}

/// The code lists a mapping translates, named as reports name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CodeList {
    Sex,
    Nationality,
    Relationship,
    Need,
    DocumentType,
    CaseStatus,
}

impl CodeList {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeList::Sex => "sex",
            CodeList::Nationality => "nationality",
            CodeList::Relationship => "relationship",
            CodeList::Need => "need",
            CodeList::DocumentType => "document_type",
            CodeList::CaseStatus => "case_status",
        }
    }
}

fn code_key(s: &str) -> String {
    s.trim().to_uppercase()
}

impl Codes {
    fn table(&self, list: CodeList) -> &BTreeMap<String, String> {
        match list {
            CodeList::Sex => &self.sex,
            CodeList::Nationality => &self.nationality,
            CodeList::Relationship => &self.relationship,
            CodeList::Need => &self.need,
            CodeList::DocumentType => &self.document_type,
            CodeList::CaseStatus => &self.case_status,
        }
    }

    /// Our code for a source value, if the mapping gives one.
    pub fn map(&self, list: CodeList, value: &str) -> Option<&str> {
        let key = code_key(value);
        self.table(list)
            .iter()
            .find(|(k, _)| code_key(k) == key)
            .map(|(_, v)| v.as_str())
    }

    /// Each target must be a code of ours: a mapping that points at an unknown code is refused
    /// before anything is read.
    fn check(&self) -> Result<()> {
        let lists = [
            CodeList::Sex,
            CodeList::Nationality,
            CodeList::Relationship,
            CodeList::Need,
            CodeList::DocumentType,
            CodeList::CaseStatus,
        ];
        for list in lists {
            for (from, to) in self.table(list) {
                let ok = match list {
                    CodeList::Sex => codes::SEX.contains(to),
                    CodeList::Nationality => codes::COUNTRIES.contains(to),
                    CodeList::Relationship => codes::RELATIONSHIP.contains(to),
                    CodeList::Need => {
                        let (code, sub) = need_target(to);
                        needs::validate(code, sub).is_ok()
                    }
                    CodeList::DocumentType => codes::DOCUMENT_TYPE.contains(to),
                    CodeList::CaseStatus => ImportedStatus::parse(to).is_some(),
                };
                if !ok {
                    let hint = if list == CodeList::CaseStatus {
                        format!(" (use one of {})", ImportedStatus::TARGETS)
                    } else {
                        String::new()
                    };
                    return Err(Error::validation(
                        format!("codes.{}", list.as_str()),
                        format!("{from:?} maps to {to:?}, which is not one of our codes{hint}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A need target as code and sub-code: `DS-BD` is sub-code DS-BD of DS, `SP` the code alone.
pub fn need_target(target: &str) -> (&str, Option<&str>) {
    match target.split_once('-') {
        Some((code, _)) => (code, Some(target)),
        None => (target, None),
    }
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn load(path: &std::path::Path) -> Result<Mapping> {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::config(format!("cannot read the mapping {}: {e}", path.display()))
        })?;
        Mapping::parse(&bytes)
    }

    /// Parses and checks a mapping from its bytes.
    pub fn parse(bytes: &[u8]) -> Result<Mapping> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::validation("mapping", "the mapping file is not UTF-8 text"))?;
        let mut m: Mapping = toml::from_str(text)
            .map_err(|e| Error::validation("mapping", format!("the mapping is not valid: {e}")))?;
        m.digest = hex::encode(Sha256::digest(bytes));
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<()> {
        for (field, v) in [
            ("version", &self.version),
            ("source", &self.source),
            ("unit", &self.unit),
            ("office", &self.office),
        ] {
            if v.trim().is_empty() {
                return Err(Error::validation(
                    field,
                    format!("give the mapping's {field}"),
                ));
            }
        }
        if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size()) {
            return Err(Error::validation(
                "batch_size",
                format!("a batch holds 1 to {MAX_BATCH_SIZE} individuals"),
            ));
        }
        for f in &self.date_formats {
            // A format that prints nothing of a date cannot read one either.
            let probe = NaiveDate::from_ymd_opt(2001, 2, 3)
                .map(|d| d.format(f).to_string())
                .unwrap_or_default();
            if NaiveDate::parse_from_str(&probe, f).is_err() {
                return Err(Error::validation(
                    "date_formats",
                    format!("{f:?} is not a date format (write e.g. \"%d/%m/%Y\")"),
                ));
            }
        }
        self.codes.check()
    }

    pub fn batch_size(&self) -> usize {
        self.batch_size.unwrap_or(DEFAULT_BATCH_SIZE)
    }

    /// Reads a source date: each of the mapping's formats, then ISO.
    pub fn date(&self, value: &str) -> Option<NaiveDate> {
        let v = value.trim();
        self.date_formats
            .iter()
            .map(String::as_str)
            .chain(["%Y-%m-%d"])
            .find_map(|f| NaiveDate::parse_from_str(v, f).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
version = "1"
source = "old"
unit = "DPIN"
office = "UIO"
date_formats = ["%d/%m/%Y"]
[individuals]
file = "people.csv"
key = "ID"
household = "HH"
relationship = "REL"
given_names = "NAME"
[codes.sex]
"1" = "M"
"#;

    #[test]
    fn a_mapping_reads_and_maps_codes() {
        let m = Mapping::parse(MINIMAL.as_bytes()).expect("mapping");
        assert_eq!(m.codes.map(CodeList::Sex, " 1 "), Some("M"));
        assert_eq!(m.codes.map(CodeList::Sex, "2"), None);
        assert_eq!(m.date("03/02/2001"), NaiveDate::from_ymd_opt(2001, 2, 3));
        assert_eq!(m.date("2001-02-03"), NaiveDate::from_ymd_opt(2001, 2, 3));
        assert_eq!(m.date("31/02/2001"), None);
        assert_eq!(m.digest.len(), 64);
    }

    #[test]
    fn a_target_that_is_not_ours_is_refused() {
        let bad = MINIMAL.replace("\"1\" = \"M\"", "\"1\" = \"male\"");
        let e = Mapping::parse(bad.as_bytes()).expect_err("refused");
        assert!(e.message.contains("male"), "{}", e.message);
        let bad = format!("{MINIMAL}[codes.case_status]\nX = \"decided\"\n");
        assert!(Mapping::parse(bad.as_bytes()).is_err());
        let bad = format!("{MINIMAL}[codes.need]\nX = \"DS-ZZ\"\n");
        assert!(Mapping::parse(bad.as_bytes()).is_err());
        let bad = MINIMAL.replace("given_names", "given_name");
        assert!(
            Mapping::parse(bad.as_bytes()).is_err(),
            "unknown keys refused"
        );
    }
}
