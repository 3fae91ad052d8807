//! What the per-unit change feed says about a change: which record, its new version, the kind of
//! change and the field groups it touched. Never a personal value: a consumer that needs the
//! record reads it through the store, under its own scope and field groups.
//!
//! The store writes one [`Change`] for every write to personal or case data, in the transaction
//! that makes the write (see `store::feed`); field node sync, statistics, notices across server
//! processes, cache invalidation and the biometric gallery all follow the same feed.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::access::FieldGroup;

/// The kind of record a feed entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A person, with the languages, addresses and phones registered with them.
    Individual,
    RegistrationGroup,
    GroupMembership,
    SpecificNeed,
    Document,
    /// A case with its workflow state and queue columns.
    Case,
    CaseMember,
    Appointment,
    BiometricEnrolment,
    BiometricReview,
    IndividualLink,
    /// A family's online pre-registration, until converted or deleted.
    PreRegistration,
    /// A protection case with its procedure state and queue columns.
    ProtectionCase,
    /// A possible duplicate found on import, for a registrar to decide.
    ImportReview,
    /// An assistance programme with its eligibility rule (no personal data, followed so nodes
    /// and statistics see it).
    AssistanceProgramme,
    /// A household assessed against a programme's rule.
    EligibilityAssessment,
    /// A distribution list: a programme's cycle at a site on a date.
    DistributionList,
    /// A household's entitlement for a programme's cycle, planned on a list.
    Entitlement,
    /// An entitlement handed to a verified member of the household.
    Distribution,
    /// A person's consent to be referred to another unit, and its withdrawal.
    Consent,
    /// A referral received from another unit, with the fields it carried (the receiving
    /// unit's feed).
    Referral,
    /// A resettlement case with its procedure state and queue columns.
    ResettlementCase,
}

impl RecordKind {
    /// Every kind, in the order of the table that holds it.
    pub const ALL: [RecordKind; 22] = [
        RecordKind::Individual,
        RecordKind::RegistrationGroup,
        RecordKind::GroupMembership,
        RecordKind::SpecificNeed,
        RecordKind::Document,
        RecordKind::Case,
        RecordKind::CaseMember,
        RecordKind::Appointment,
        RecordKind::BiometricEnrolment,
        RecordKind::BiometricReview,
        RecordKind::IndividualLink,
        RecordKind::PreRegistration,
        RecordKind::ProtectionCase,
        RecordKind::ImportReview,
        RecordKind::AssistanceProgramme,
        RecordKind::EligibilityAssessment,
        RecordKind::DistributionList,
        RecordKind::Entitlement,
        RecordKind::Distribution,
        RecordKind::Consent,
        RecordKind::Referral,
        RecordKind::ResettlementCase,
    ];

    /// The name stored in the feed (the record's table, singular).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Individual => "individual",
            RecordKind::RegistrationGroup => "registration_group",
            RecordKind::GroupMembership => "group_membership",
            RecordKind::SpecificNeed => "specific_need",
            RecordKind::Document => "document",
            RecordKind::Case => "case",
            RecordKind::CaseMember => "case_member",
            RecordKind::Appointment => "appointment",
            RecordKind::BiometricEnrolment => "biometric_enrolment",
            RecordKind::BiometricReview => "biometric_review",
            RecordKind::IndividualLink => "individual_link",
            RecordKind::PreRegistration => "pre_registration",
            RecordKind::ProtectionCase => "protection_case",
            RecordKind::ImportReview => "import_review",
            RecordKind::AssistanceProgramme => "assistance_programme",
            RecordKind::EligibilityAssessment => "eligibility_assessment",
            RecordKind::DistributionList => "distribution_list",
            RecordKind::Entitlement => "entitlement",
            RecordKind::Distribution => "distribution",
            RecordKind::Consent => "consent",
            RecordKind::Referral => "referral",
            RecordKind::ResettlementCase => "resettlement_case",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to the record. Nothing personal is ever deleted: a membership or a case member
/// that stops is [`Operation::End`]ed and stays in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Create,
    Update,
    End,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::End => "end",
        }
    }

    pub fn parse(s: &str) -> Option<Operation> {
        [Operation::Create, Operation::Update, Operation::End]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// One change, as the writer describes it to the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: RecordKind,
    pub record_id: String,
    /// The record's version after the change. Rows that carry no version column (memberships,
    /// case members, enrolments, links: created once, ended at most once) count 1 when created
    /// and 2 when ended.
    pub version: i32,
    pub operation: Operation,
    /// The sensitive field groups whose values the change wrote (empty: only ordinary fields).
    /// A consumer that copies records (a field node) uses them to decide what may travel.
    pub field_groups: Vec<FieldGroup>,
}

impl Change {
    pub fn create(kind: RecordKind, record_id: impl Into<String>) -> Self {
        Self {
            kind,
            record_id: record_id.into(),
            version: 1,
            operation: Operation::Create,
            field_groups: Vec::new(),
        }
    }

    pub fn update(kind: RecordKind, record_id: impl Into<String>, version: i32) -> Self {
        Self {
            kind,
            record_id: record_id.into(),
            version,
            operation: Operation::Update,
            field_groups: Vec::new(),
        }
    }

    /// A versionless row that ends (membership left, member removed).
    pub fn end(kind: RecordKind, record_id: impl Into<String>) -> Self {
        Self {
            kind,
            record_id: record_id.into(),
            version: 2,
            operation: Operation::End,
            field_groups: Vec::new(),
        }
    }

    /// Adds the field groups the change wrote, without repeats.
    pub fn touching(mut self, groups: impl IntoIterator<Item = FieldGroup>) -> Self {
        for g in groups {
            if !self.field_groups.contains(&g) {
                self.field_groups.push(g);
            }
        }
        self
    }

    /// The field groups as stored: names joined by commas, in a fixed order.
    pub fn field_groups_text(&self) -> String {
        FieldGroup::ALL
            .into_iter()
            .filter(|g| self.field_groups.contains(g))
            .map(FieldGroup::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Reads a stored field-group list; unknown names are reported rather than dropped, since a
/// consumer that skipped one could copy a sensitive value where it must not go.
pub fn parse_field_groups(s: &str) -> Result<Vec<FieldGroup>, String> {
    s.split(',')
        .filter(|g| !g.is_empty())
        .map(|g| FieldGroup::parse(g).ok_or_else(|| format!("unknown field group {g:?}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
        }
        for g in FieldGroup::ALL {
            assert_eq!(FieldGroup::parse(g.as_str()), Some(g));
        }
        let c = Change::create(RecordKind::SpecificNeed, "n1").touching([
            FieldGroup::Medical,
            FieldGroup::Sgbv,
            FieldGroup::Medical,
        ]);
        assert_eq!(c.field_groups_text(), "sgbv,medical");
        assert_eq!(
            parse_field_groups(&c.field_groups_text()),
            Ok(vec![FieldGroup::Sgbv, FieldGroup::Medical])
        );
        assert_eq!(parse_field_groups(""), Ok(vec![]));
        assert!(parse_field_groups("sgbv,nope").is_err());
    }
}
