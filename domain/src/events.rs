//! Typed payloads of record history (individuals, groups) and the one filter that fits any
//! payload shown to a user (history, case events, audit details, notices, error messages) to the
//! field groups the user's roles open.
//!
//! Each field that mirrors a person's data declares the field group it belongs to, through
//! [`Guarded`]: a payload is filtered by walking its fields, so a new field is either guarded
//! by type or plainly not sensitive, never forgotten by a resolver. A stored payload that cannot
//! be read as its kind is shown as empty rather than passed through: the filter fails closed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::access::FieldGroup;
use super::needs;

/// Which field groups the reader's roles open.
pub trait Sees {
    fn sees(&self, group: FieldGroup) -> bool;
}

impl<F: Fn(FieldGroup) -> bool> Sees for F {
    fn sees(&self, group: FieldGroup) -> bool {
        self(group)
    }
}

/// A payload whose fields are fitted to a reader's field groups.
pub trait Redact {
    /// Removes every value of a field group `reader` does not see.
    fn redact(&mut self, reader: &dyn Sees);
}

/// The field group protecting a specific-need code, if any (SV, TR, SM, DS...).
pub fn need_group(code: &str) -> Option<FieldGroup> {
    needs::sensitivity(code).map(|s| match s {
        needs::NeedSensitivity::Sgbv => FieldGroup::Sgbv,
        needs::NeedSensitivity::Torture => FieldGroup::Torture,
        needs::NeedSensitivity::Medical => FieldGroup::Medical,
    })
}

/// A specific-need code: its field group is the one of its category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NeedCode(pub Option<String>);

impl Redact for NeedCode {
    fn redact(&mut self, reader: &dyn Sees) {
        if let Some(code) = &self.0
            && need_group(code).is_some_and(|g| !reader.sees(g))
        {
            self.0 = None;
        }
    }
}

/// A value of a fixed field group (ethnicity, religion, claim narrative), null to a reader who
/// does not see that group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Guarded<const G: u8>(pub Value);

/// The field group a [`Guarded`] value belongs to.
pub const fn group_of(tag: u8) -> FieldGroup {
    match tag {
        0 => FieldGroup::Sgbv,
        1 => FieldGroup::Torture,
        2 => FieldGroup::Medical,
        3 => FieldGroup::Ethnicity,
        4 => FieldGroup::Religion,
        _ => FieldGroup::ClaimNarrative,
    }
}

/// The [`Guarded`] tag of each fixed field group.
pub const ETHNICITY: u8 = 3;
pub const RELIGION: u8 = 4;
pub const CLAIM_NARRATIVE: u8 = 5;

impl<const G: u8> Redact for Guarded<G> {
    fn redact(&mut self, reader: &dyn Sees) {
        if !reader.sees(group_of(G)) {
            self.0 = Value::Null;
        }
    }
}

impl<T: Redact> Redact for Option<T> {
    fn redact(&mut self, reader: &dyn Sees) {
        if let Some(v) = self {
            v.redact(reader);
        }
    }
}

/// One changed field of an individual: what it was and what it became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub from: Value,
    pub to: Value,
}

/// The fields of an individual whose changes belong to a sensitive group, by their API name.
pub fn person_field_group(field: &str) -> Option<FieldGroup> {
    match field {
        "ethnicity" => Some(FieldGroup::Ethnicity),
        "religion" => Some(FieldGroup::Religion),
        _ => None,
    }
}

/// An entry of an individual's or a group's history.
// Untagged: the stored kind sits beside the payload, and payloads were stored before they had a
// type. Variants with more required fields come first, and `parse` checks the kind and that
// nothing was lost, so a payload is never read as a shorter look-alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecordEvent {
    /// An event of an imported case's history in the earlier system: its date there and what
    /// happened, in that system's words; the note may retell the claim, so it is of the claim
    /// narrative's field group.
    #[serde(rename_all = "camelCase")]
    EarlierEvent {
        source: String,
        on: chrono::NaiveDate,
        what: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The record came from an earlier database: its source, its key there and the import
    /// batch that wrote it (the first entry of an imported record's history).
    #[serde(rename_all = "camelCase")]
    Imported {
        source: String,
        source_key: String,
        batch_id: String,
    },
    /// An individual registered as a member of a group.
    #[serde(rename_all = "camelCase")]
    MemberRegistered {
        group_id: String,
        relationship: String,
    },
    /// A group registered from an online pre-registration (its reference, as the family knows it).
    #[serde(rename_all = "camelCase")]
    FromPreRegistration {
        pre_registration_id: String,
        reference: String,
    },
    /// A group created by a split.
    #[serde(rename_all = "camelCase")]
    CreatedBySplit {
        from_group_id: String,
        members: Vec<String>,
    },
    /// Members moved out of the group into a new one.
    #[serde(rename_all = "camelCase")]
    Split {
        new_group_id: String,
        moved: Vec<String>,
    },
    /// A specific need confirmed or resolved (no code: the need row keeps it).
    #[serde(rename_all = "camelCase")]
    SpecificNeedReviewed {
        need_id: String,
        from: String,
        to: String,
    },
    /// A specific need flagged; the code is of the need's field group.
    #[serde(rename_all = "camelCase")]
    SpecificNeedAdded { need_id: String, code: NeedCode },
    /// An identity document corrected: each changed field's old and new value.
    #[serde(rename_all = "camelCase")]
    DocumentUpdated {
        document_id: String,
        changes: BTreeMap<String, FieldChange>,
    },
    /// An identity document added.
    #[serde(rename_all = "camelCase")]
    DocumentAdded {
        document_id: String,
        #[serde(rename = "type")]
        document_type: String,
    },
    /// Fields of an individual changed; a change of a sensitive field is of that field's group
    /// (its values are never kept in history, only that it changed).
    Updated {
        changes: BTreeMap<String, FieldChange>,
        verified: bool,
    },
    /// A group registered with its members.
    GroupRegistered { members: Vec<String> },
    /// Another group merged into this one.
    #[serde(rename_all = "camelCase")]
    Merged { from_group_id: String },
    /// This group merged into another.
    #[serde(rename_all = "camelCase")]
    MergedInto { into_group_id: String },
    /// The import batch that created the record was rolled back: the record is gone, its
    /// history stays.
    #[serde(rename_all = "camelCase")]
    ImportRolledBack { rolled_back_batch_id: String },
    /// A registrar decided a possible duplicate found on import: `linked` (the same person as
    /// `other_individual_id`) or `kept_separate` (different people).
    #[serde(rename_all = "camelCase")]
    ImportReviewDecided {
        review_id: String,
        decision: String,
        other_individual_id: String,
    },
    /// The person consented to be referred to another unit for `purposes`.
    #[serde(rename_all = "camelCase")]
    ConsentGiven {
        consent_id: String,
        given_by: String,
        purposes: Vec<String>,
    },
    /// The person withdrew a consent: nothing more is shared under it.
    #[serde(rename_all = "camelCase")]
    ConsentWithdrawn { consent_id: String },
    /// The person was referred to another unit, carrying `fields` (names, never values).
    #[serde(rename_all = "camelCase")]
    Referred {
        referral_id: String,
        reference: String,
        purpose: String,
        fields: Vec<String>,
    },
    /// The record was created or linked when the unit accepted a referral.
    #[serde(rename_all = "camelCase")]
    FromReferral {
        referral_id: String,
        reference: String,
    },
}

impl RecordEvent {
    /// The event's kind as stored beside its payload.
    pub fn kind(&self) -> &'static str {
        match self {
            RecordEvent::MemberRegistered { .. } | RecordEvent::GroupRegistered { .. } => {
                "registered"
            }
            RecordEvent::FromPreRegistration { .. } => "from_pre_registration",
            RecordEvent::Imported { .. } => "imported",
            RecordEvent::EarlierEvent { .. } => "earlier_event",
            RecordEvent::ImportRolledBack { .. } => "import_rolled_back",
            RecordEvent::ImportReviewDecided { .. } => "import_review_decided",
            RecordEvent::ConsentGiven { .. } => "consent_given",
            RecordEvent::ConsentWithdrawn { .. } => "consent_withdrawn",
            RecordEvent::Referred { .. } => "referred",
            RecordEvent::FromReferral { .. } => "from_referral",
            RecordEvent::SpecificNeedAdded { .. } => "specific_need_added",
            RecordEvent::SpecificNeedReviewed { .. } => "specific_need_reviewed",
            RecordEvent::DocumentAdded { .. } => "document_added",
            RecordEvent::DocumentUpdated { .. } => "document_updated",
            RecordEvent::Updated { .. } => "updated",
            RecordEvent::Split { .. } => "split",
            RecordEvent::CreatedBySplit { .. } => "created_by_split",
            RecordEvent::Merged { .. } => "merged",
            RecordEvent::MergedInto { .. } => "merged_into",
        }
    }

    /// Reads a stored payload of `kind`; `None` when it is not one (the caller shows nothing).
    pub fn parse(kind: &str, data: &str) -> Option<RecordEvent> {
        let stored: Value = serde_json::from_str(data).ok()?;
        let event: RecordEvent = serde_json::from_value(stored.clone()).ok()?;
        let whole = serde_json::to_value(&event).ok()? == stored;
        (whole && event.kind() == kind).then_some(event)
    }
}

impl Redact for RecordEvent {
    fn redact(&mut self, reader: &dyn Sees) {
        match self {
            RecordEvent::SpecificNeedAdded { code, .. } => code.redact(reader),
            RecordEvent::EarlierEvent { note, .. } => {
                if !reader.sees(FieldGroup::ClaimNarrative) {
                    *note = None;
                }
            }
            RecordEvent::Updated { changes, .. } => {
                changes.retain(|field, _| person_field_group(field).is_none_or(|g| reader.sees(g)))
            }
            RecordEvent::MemberRegistered { .. }
            | RecordEvent::FromPreRegistration { .. }
            | RecordEvent::Imported { .. }
            | RecordEvent::ImportRolledBack { .. }
            | RecordEvent::ImportReviewDecided { .. }
            | RecordEvent::ConsentGiven { .. }
            | RecordEvent::ConsentWithdrawn { .. }
            | RecordEvent::Referred { .. }
            | RecordEvent::FromReferral { .. }
            | RecordEvent::GroupRegistered { .. }
            | RecordEvent::SpecificNeedReviewed { .. }
            | RecordEvent::DocumentAdded { .. }
            | RecordEvent::DocumentUpdated { .. }
            | RecordEvent::Split { .. }
            | RecordEvent::CreatedBySplit { .. }
            | RecordEvent::Merged { .. }
            | RecordEvent::MergedInto { .. } => {}
        }
    }
}

/// Case events carry no field of a sensitive group today: the claim narrative stays on the case
/// and the interview and assessment texts are references. A field added to a step's payload
/// that mirrors a person's data is declared here with its group.
impl Redact for super::rsd::CaseEvent {
    fn redact(&mut self, _reader: &dyn Sees) {}
}

/// The one filter of shown payloads: a stored history payload of `record_type` and `kind`,
/// fitted to `reader`'s field groups, as JSON text. Case events go through their own typed
/// payload ([`super::rsd::CaseEvent`]); anything unreadable is shown as `{}`.
pub fn shown_payload(record_type: &str, kind: &str, data: &str, reader: &dyn Sees) -> String {
    let fitted = match record_type {
        // A case's history is its procedure's events, after where an imported case came from
        // and its history there, and before the rollback of its import.
        "case" if !matches!(kind, "imported" | "earlier_event" | "import_rolled_back") => {
            serde_json::from_str::<super::rsd::CaseEvent>(data)
                .ok()
                .filter(|e| e.kind.as_str() == kind)
                .map(|mut e| {
                    e.redact(reader);
                    serde_json::to_value(e)
                })
        }
        _ => RecordEvent::parse(kind, data).map(|mut e| {
            e.redact(reader);
            serde_json::to_value(e)
        }),
    };
    match fitted {
        Some(Ok(v)) => v.to_string(),
        _ => "{}".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(groups: &'static [FieldGroup]) -> impl Fn(FieldGroup) -> bool {
        move |g| groups.contains(&g)
    }

    #[test]
    fn need_codes_follow_their_group() {
        let clerk = reader(&[]);
        let officer = reader(&[FieldGroup::Sgbv, FieldGroup::Torture]);
        for (code, clerk_sees, officer_sees) in [
            ("SV", false, true),
            ("TR", false, true),
            ("SM", false, false),
            ("SP", true, true),
        ] {
            let data = format!(r#"{{"needId":"n1","code":"{code}"}}"#);
            let shown = shown_payload("individual", "specific_need_added", &data, &clerk);
            assert_eq!(shown.contains(code), clerk_sees, "{code}: {shown}");
            let shown = shown_payload("individual", "specific_need_added", &data, &officer);
            assert_eq!(shown.contains(code), officer_sees, "{code}: {shown}");
        }
    }

    #[test]
    fn sensitive_changes_are_left_out() {
        let data = r#"{"changes":{"ethnicity":{"from":null,"to":"(restricted)"},"sex":{"from":"F","to":"M"}},"verified":false}"#;
        let shown = shown_payload("individual", "updated", data, &reader(&[]));
        assert!(
            !shown.contains("ethnicity") && shown.contains("sex"),
            "{shown}"
        );
        let shown = shown_payload(
            "individual",
            "updated",
            data,
            &reader(&[FieldGroup::Ethnicity]),
        );
        assert!(shown.contains("ethnicity"), "{shown}");
    }

    #[test]
    fn unreadable_payloads_show_nothing() {
        assert_eq!(
            shown_payload(
                "individual",
                "specific_need_added",
                r#"{"code":"SV"}"#,
                &reader(&[])
            ),
            "{}"
        );
        assert_eq!(
            shown_payload(
                "individual",
                "updated",
                r#"{"needId":"n","code":"SV"}"#,
                &reader(&[])
            ),
            "{}"
        );
        assert_eq!(
            shown_payload("case", "closed", "not json", &reader(&[])),
            "{}"
        );
    }

    #[test]
    fn stored_payloads_round_trip() {
        for (kind, data) in [
            ("registered", r#"{"groupId":"g","relationship":"son"}"#),
            ("registered", r#"{"members":["a","b"]}"#),
            (
                "from_pre_registration",
                r#"{"preRegistrationId":"p","reference":"ABCDE-FGHJK"}"#,
            ),
            ("specific_need_added", r#"{"needId":"n","code":"SP"}"#),
            (
                "specific_need_reviewed",
                r#"{"needId":"n","from":"pending_review","to":"confirmed"}"#,
            ),
            ("document_added", r#"{"documentId":"d","type":"passport"}"#),
            (
                "document_updated",
                r#"{"documentId":"d","changes":{"number":{"from":"P1","to":"P2"}}}"#,
            ),
            ("split", r#"{"newGroupId":"g","moved":["a"]}"#),
            ("created_by_split", r#"{"fromGroupId":"g","members":["a"]}"#),
            ("merged", r#"{"fromGroupId":"g"}"#),
            ("merged_into", r#"{"intoGroupId":"g"}"#),
            (
                "imported",
                r#"{"source":"dpin-legacy","sourceKey":"P1","batchId":"b"}"#,
            ),
            ("import_rolled_back", r#"{"rolledBackBatchId":"b"}"#),
        ] {
            let e = RecordEvent::parse(kind, data).unwrap_or_else(|| panic!("{kind} {data}"));
            let back: Value = serde_json::to_value(&e).unwrap_or_default();
            let orig: Value = serde_json::from_str(data).unwrap_or_default();
            assert_eq!(back, orig, "{kind}");
        }
    }
}
