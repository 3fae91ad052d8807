//! Record-level exports: what may be exported, field by field, and the life of an export job.
//!
//! Each exportable field names the sensitive field group that protects it (if any), so an export
//! carries exactly what the requester's roles may read on screen, never more. The specific needs
//! column is filtered per need: a need whose code belongs to a group the requester lacks (SV, TR,
//! SM, DS) is left out of the cell, as it is left out of the individual's record on screen.

use std::fmt;

use crate::access::{FieldGroup, Grants, Permission};
use crate::error::{Code, Error, Reason};

/// What an export lists, one row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportKind {
    Individuals,
    Groups,
    Cases,
}

impl ExportKind {
    pub const ALL: [ExportKind; 3] = [
        ExportKind::Individuals,
        ExportKind::Groups,
        ExportKind::Cases,
    ];

    /// The name stored on the job and used in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Individuals => "individuals",
            ExportKind::Groups => "groups",
            ExportKind::Cases => "cases",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The permission reading these records needs.
    pub fn permission(self) -> Permission {
        match self {
            ExportKind::Individuals | ExportKind::Groups => Permission::ReadPersons,
            ExportKind::Cases => Permission::ReadCases,
        }
    }

    /// The record type written in the audit log for each exported row.
    pub fn record_type(self) -> &'static str {
        match self {
            ExportKind::Individuals => "individual",
            ExportKind::Groups => "registration_group",
            ExportKind::Cases => "case",
        }
    }

    /// Every field of this kind, in the order of the file's columns.
    pub fn fields(self) -> &'static [ExportField] {
        match self {
            ExportKind::Individuals => INDIVIDUAL_FIELDS,
            ExportKind::Groups => GROUP_FIELDS,
            ExportKind::Cases => CASE_FIELDS,
        }
    }
}

impl fmt::Display for ExportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The file's layout before compression and encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8, one header row; gzip-compressed.
    Csv,
    /// An Excel workbook (already zip-compressed), one sheet.
    Xlsx,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ExportFormat::Csv, ExportFormat::Xlsx]
            .into_iter()
            .find(|f| f.as_str() == s)
    }

    /// The name of the plain file inside, once decrypted (and, for CSV, decompressed).
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// The extension of the file as served: what it is before decryption.
    pub fn served_extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv.gz.age",
            ExportFormat::Xlsx => "xlsx.age",
        }
    }
}

/// One exportable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportField {
    /// The column's name in the file and in `requestExport(fields:)`.
    pub name: &'static str,
    /// The sensitive field group a reader needs, if any.
    pub group: Option<FieldGroup>,
    /// What the column holds, for the API's documentation and the client's list.
    pub description: &'static str,
}

const fn field(name: &'static str, description: &'static str) -> ExportField {
    ExportField {
        name,
        group: None,
        description,
    }
}

const fn guarded(name: &'static str, group: FieldGroup, description: &'static str) -> ExportField {
    ExportField {
        name,
        group: Some(group),
        description,
    }
}

/// The specific needs column of individuals: filtered need by need (see the module's note).
pub const SPECIFIC_NEEDS: &str = "specific_needs";

const INDIVIDUAL_FIELDS: &[ExportField] = &[
    field("id", "the individual's id"),
    field("individual_number", "the individual's registration number"),
    field(
        "group_number",
        "the number of the individual's current group",
    ),
    field("given_names", "given names"),
    field("middle_name", "middle name"),
    field("family_name", "family name"),
    field("second_family_name", "second family name"),
    field("original_script_name", "the name in its original script"),
    field("sex", "sex code"),
    field("date_of_birth", "date of birth, YYYY-MM-DD"),
    field(
        "date_of_birth_precision",
        "exact, year_only or estimated_from_age",
    ),
    field("nationalities", "nationality codes, separated by spaces"),
    field("country_of_origin", "country of origin code"),
    field("marital_status", "marital status code"),
    field("arrival_date", "date of arrival, YYYY-MM-DD"),
    field(
        "office",
        "code of the office that registered the individual",
    ),
    field("registration_date", "date of registration, YYYY-MM-DD"),
    field("dataset_level", "emergency, basic or comprehensive"),
    guarded("ethnicity", FieldGroup::Ethnicity, "ethnicity (sensitive)"),
    guarded("religion", FieldGroup::Religion, "religion (sensitive)"),
    field(
        SPECIFIC_NEEDS,
        "specific needs as code or sub-code and status, separated by spaces; needs of a sensitive category only for roles that may read it",
    ),
];

const GROUP_FIELDS: &[ExportField] = &[
    field("id", "the group's id"),
    field("group_number", "the group's registration number"),
    field("office", "code of the office of the group"),
    field("status", "active or closed"),
    field("size", "number of current members"),
    field(
        "focal_point_number",
        "the registration number of the focal point",
    ),
    field("created_at", "when the group was registered, RFC 3339"),
];

const CASE_FIELDS: &[ExportField] = &[
    field("id", "the case's id"),
    field("case_number", "the case number"),
    field("procedure", "the procedure (rsd)"),
    field("status", "the case's status"),
    field("modality", "the processing modality"),
    field("office", "code of the office of the case"),
    field(
        "principal_applicant_number",
        "the registration number of the principal applicant",
    ),
    field(
        "group_number",
        "the number of the case's registration group",
    ),
    field("opened_at", "when the case was opened, RFC 3339"),
    field("priority", "true when the case is prioritised"),
    guarded(
        "claim_summary",
        FieldGroup::ClaimNarrative,
        "the applicant's account of the claim (sensitive)",
    ),
];

/// The fields of `kind` that `grants` may read, in column order.
pub fn permitted_fields(kind: ExportKind, grants: &Grants) -> Vec<&'static ExportField> {
    kind.fields()
        .iter()
        .filter(|f| f.group.is_none_or(|g| grants.sees(g)))
        .collect()
}

/// The columns of an export: those asked for (every permitted one when `asked` is empty), in
/// the catalogue's order, without repeats. An unknown field is VALIDATION (UNKNOWN_CODE), a
/// field whose group the roles lack is FORBIDDEN (FIELD_NOT_PERMITTED): an export never drops
/// a column silently.
pub fn resolve_fields(
    kind: ExportKind,
    asked: &[String],
    grants: &Grants,
) -> Result<Vec<&'static ExportField>, Error> {
    if asked.is_empty() {
        return Ok(permitted_fields(kind, grants));
    }
    for name in asked {
        let Some(f) = kind.fields().iter().find(|f| f.name == name.trim()) else {
            return Err(Error::invalid(
                "fields",
                Reason::UnknownCode {
                    vocabulary: format!("export_fields_{}", kind.as_str()),
                    value: name.clone(),
                },
                format!(
                    "{name:?} is not a field of {kind}; the fields are: {}",
                    kind.fields()
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        if let Some(g) = f.group.filter(|g| !grants.sees(*g)) {
            return Err(Error {
                code: Code::Forbidden,
                reason: Reason::FieldNotPermitted {
                    field: f.name.to_string(),
                },
                field: Some("fields".into()),
                message: format!(
                    "your role may not read {} ({}); leave it out of the export",
                    f.name,
                    g.as_str()
                ),
            });
        }
    }
    Ok(kind
        .fields()
        .iter()
        .filter(|f| asked.iter().any(|a| a.trim() == f.name))
        .collect())
}

/// Whether a need with this code may go into the specific needs column for `grants`.
pub fn need_exportable(code: &str, grants: &Grants) -> bool {
    match crate::needs::sensitivity(code) {
        None => true,
        Some(crate::needs::NeedSensitivity::Sgbv) => grants.sees(FieldGroup::Sgbv),
        Some(crate::needs::NeedSensitivity::Torture) => grants.sees(FieldGroup::Torture),
        Some(crate::needs::NeedSensitivity::Medical) => grants.sees(FieldGroup::Medical),
    }
}

/// Where an export job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportStatus {
    /// Accepted, waiting for the server to start it (or to restart it after a restart).
    Queued,
    /// Being written; `rows_done` of `rows_total` so far.
    Running,
    /// Written: the file can be downloaded until the link expires.
    Ready,
    /// It could not be written; the job says why.
    Failed,
    /// The link expired and the file was deleted.
    Expired,
}

impl ExportStatus {
    pub const ALL: [ExportStatus; 5] = [
        ExportStatus::Queued,
        ExportStatus::Running,
        ExportStatus::Ready,
        ExportStatus::Failed,
        ExportStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportStatus::Queued => "queued",
            ExportStatus::Running => "running",
            ExportStatus::Ready => "ready",
            ExportStatus::Failed => "failed",
            ExportStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the job will change no more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ExportStatus::Ready | ExportStatus::Failed | ExportStatus::Expired
        )
    }
}

/// How many times a job interrupted by a restart is started again before it is failed.
pub const MAX_ATTEMPTS: i32 = 3;

/// Longest purpose accepted, in characters.
pub const MAX_PURPOSE_CHARS: usize = 500;

/// Checks the stated purpose of an export (exports are purpose-bound): required, bounded.
pub fn check_purpose(purpose: &str) -> Result<String, Error> {
    let p = purpose.trim();
    if p.is_empty() {
        return Err(Error::invalid(
            "purpose",
            Reason::Required,
            "say what the export is for; it is kept in the audit log",
        ));
    }
    if p.chars().count() > MAX_PURPOSE_CHARS {
        return Err(Error::invalid(
            "purpose",
            Reason::TooLong {
                max: MAX_PURPOSE_CHARS,
            },
            format!("the purpose may have at most {MAX_PURPOSE_CHARS} characters"),
        ));
    }
    if p.chars().any(char::is_control) {
        return Err(Error::invalid(
            "purpose",
            Reason::ControlCharacters,
            "the purpose may not hold control characters",
        ));
    }
    Ok(p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;

    fn names(fields: &[&ExportField]) -> Vec<&'static str> {
        fields.iter().map(|f| f.name).collect()
    }

    #[test]
    fn a_clerk_exports_no_sensitive_column_and_protection_staff_do() {
        let clerk = Grants::new(vec![Role::RegistrationClerk]);
        let protection = Grants::new(vec![Role::ProtectionOfficer]);
        let c = names(&permitted_fields(ExportKind::Individuals, &clerk));
        assert!(!c.contains(&"ethnicity") && !c.contains(&"religion"));
        assert!(c.contains(&SPECIFIC_NEEDS));
        let p = names(&permitted_fields(ExportKind::Individuals, &protection));
        assert!(p.contains(&"ethnicity") && p.contains(&"religion"));
        assert!(
            !names(&permitted_fields(ExportKind::Cases, &protection)).contains(&"claim_summary")
        );
    }

    #[test]
    fn asking_for_a_field_outside_the_role_is_refused_not_dropped() {
        let clerk = Grants::new(vec![Role::RegistrationClerk]);
        let e = resolve_fields(ExportKind::Individuals, &["religion".into()], &clerk)
            .expect_err("refused");
        assert_eq!(e.code, Code::Forbidden);
        assert_eq!(e.reason.name(), "FIELD_NOT_PERMITTED");
        let e = resolve_fields(ExportKind::Groups, &["nope".into()], &clerk).expect_err("unknown");
        assert_eq!(e.reason.name(), "UNKNOWN_CODE");
        let ok = resolve_fields(
            ExportKind::Individuals,
            &["sex".into(), "id".into(), "sex".into()],
            &clerk,
        )
        .expect("permitted");
        assert_eq!(names(&ok), ["id", "sex"]);
    }

    #[test]
    fn sensitive_needs_follow_their_group() {
        let clerk = Grants::new(vec![Role::RegistrationClerk]);
        let protection = Grants::new(vec![Role::ProtectionOfficer]);
        let officer = Grants::new(vec![Role::EligibilityOfficer]);
        assert!(need_exportable("CR", &clerk));
        assert!(!need_exportable("SV", &clerk));
        assert!(need_exportable("SM", &protection));
        assert!(!need_exportable("SM", &officer));
        assert!(need_exportable("TR", &officer));
    }

    #[test]
    fn a_purpose_is_required_and_bounded() {
        assert!(check_purpose("  ").is_err());
        assert!(check_purpose(&"x".repeat(501)).is_err());
        assert_eq!(check_purpose(" census ").ok().as_deref(), Some("census"));
    }

    #[test]
    fn names_round_trip() {
        for k in ExportKind::ALL {
            assert_eq!(ExportKind::parse(k.as_str()), Some(k));
        }
        for s in ExportStatus::ALL {
            assert_eq!(ExportStatus::parse(s.as_str()), Some(s));
        }
    }
}
