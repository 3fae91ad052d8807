//! The typed details of each case event: what a step recorded beyond who, when and the move
//! between statuses. Stored as the `data` object of the event, beside its `kind`; read back by
//! the kind, so a payload is never taken for another step's.
//!
//! None of these fields mirrors a value of a sensitive field group (the claim narrative stays on
//! the case; interview notes and assessments are references): the filter of shown payloads
//! (`domain::events`) passes them as they are. A field that would carry such a value must be a
//! `domain::events::Guarded` one and be redacted in `impl Redact for CaseEvent`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::ActionKind;
use super::action::{CaseEvent, EventKind};
use super::state::{IndividualOutcome, Stage, Status};

/// The details of one step, by the kind of event it records.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum StepData {
    AdmissibilityDecided {
        admissible: bool,
    },
    InterviewScheduled {
        appointment_id: String,
        at: NaiveDateTime,
        officer_id: String,
        interpreter_language: Option<String>,
        rescheduled: bool,
        interviewer_sex_override: bool,
    },
    InterviewRecorded {
        principal_attended: bool,
        /// When the interview was held; absent on events recorded before it was asked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        held_at: Option<NaiveDateTime>,
        interpreter_language: Option<String>,
        interviewer_sex_override: bool,
    },
    NoShowRecorded {
        appointment_id: String,
        appointment_at: NaiveDateTime,
    },
    ContactRecorded {
        /// A code of `contact_channels`; the note, if any, is the event's `why`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
    },
    AssessmentSubmitted {
        recommendations: Vec<IndividualOutcome>,
    },
    Decided {
        decisions: Vec<IndividualOutcome>,
        assessor_id: String,
    },
    AssessmentReturned {
        assessor_id: String,
    },
    Notified {
        /// When the applicant was notified; absent on events recorded before it was asked
        /// (then it is the event's time).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notified_at: Option<NaiveDateTime>,
        /// A code of `notification_methods`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<String>,
        /// Set when notifying closed the case (everyone recognised, or the appeal decided).
        closure_reason: Option<String>,
        appeal_deadline: Option<NaiveDateTime>,
        appeal_grace_end: Option<NaiveDateTime>,
    },
    AppealLodged {
        lodged_at: NaiveDateTime,
        late: bool,
        appeal_deadline: NaiveDateTime,
        appeal_grace_end: NaiveDateTime,
        /// The assigned officer took part at first instance and was taken off the case.
        unassigned: bool,
    },
    Withdrawn {},
    Closed {
        reason: String,
    },
    Abandoned {
        missed_at: Option<NaiveDateTime>,
        last_contact_at: Option<NaiveDateTime>,
    },
    Reopened {
        ground: String,
        approver_id: String,
        new_examination: bool,
    },
    Assigned {
        from: Option<String>,
        to: String,
    },
    PutOnHold {},
    Resumed {},
}

impl StepData {
    /// The kind of event these details belong to.
    pub fn kind(&self) -> EventKind {
        match self {
            StepData::AdmissibilityDecided { .. } => EventKind::AdmissibilityDecided,
            StepData::InterviewScheduled { .. } => EventKind::InterviewScheduled,
            StepData::InterviewRecorded { .. } => EventKind::InterviewRecorded,
            StepData::NoShowRecorded { .. } => EventKind::NoShowRecorded,
            StepData::ContactRecorded { .. } => EventKind::ContactRecorded,
            StepData::AssessmentSubmitted { .. } => EventKind::AssessmentSubmitted,
            StepData::Decided { .. } => EventKind::Decided,
            StepData::AssessmentReturned { .. } => EventKind::AssessmentReturned,
            StepData::Notified { .. } => EventKind::Notified,
            StepData::AppealLodged { .. } => EventKind::AppealLodged,
            StepData::Withdrawn {} => EventKind::Withdrawn,
            StepData::Closed { .. } => EventKind::Closed,
            StepData::Abandoned { .. } => EventKind::Abandoned,
            StepData::Reopened { .. } => EventKind::Reopened,
            StepData::Assigned { .. } => EventKind::Assigned,
            StepData::PutOnHold {} => EventKind::PutOnHold,
            StepData::Resumed {} => EventKind::Resumed,
        }
    }

    /// Reads the stored details of an event of `kind`.
    pub fn read(kind: EventKind, data: serde_json::Value) -> Result<StepData, String> {
        let tagged = serde_json::json!({ "kind": kind.as_str(), "data": data });
        serde_json::from_value(tagged).map_err(|e| format!("{} event: {e}", kind.as_str()))
    }

    /// The details as stored: the object without its kind.
    pub fn to_value(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut m)) => m
                .remove("data")
                .unwrap_or_else(|| serde_json::Value::Object(Default::default())),
            _ => serde_json::Value::Object(Default::default()),
        }
    }
}

/// A case event as stored: the kind beside an untyped `data` object.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredCaseEvent {
    kind: EventKind,
    action: ActionKind,
    actor_id: String,
    at: NaiveDateTime,
    from_status: Status,
    to_status: Status,
    from_stage: Stage,
    stage: Stage,
    version: u64,
    why: Option<String>,
    data: serde_json::Value,
}

impl TryFrom<StoredCaseEvent> for CaseEvent {
    type Error = String;

    fn try_from(s: StoredCaseEvent) -> Result<Self, String> {
        Ok(CaseEvent {
            data: StepData::read(s.kind, s.data)?,
            kind: s.kind,
            action: s.action,
            actor_id: s.actor_id,
            at: s.at,
            from_status: s.from_status,
            to_status: s.to_status,
            from_stage: s.from_stage,
            stage: s.stage,
            version: s.version,
            why: s.why,
        })
    }
}

impl From<CaseEvent> for StoredCaseEvent {
    fn from(e: CaseEvent) -> Self {
        StoredCaseEvent {
            data: e.data.to_value(),
            kind: e.kind,
            action: e.action,
            actor_id: e.actor_id,
            at: e.at,
            from_status: e.from_status,
            to_status: e.to_status,
            from_stage: e.from_stage,
            stage: e.stage,
            version: e.version,
            why: e.why,
        }
    }
}
