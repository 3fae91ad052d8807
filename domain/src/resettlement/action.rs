//! What a user asks of a resettlement case, and the table that names each action for the API
//! and the client.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::state::{ExitReason, StateDecision};

/// The actor and the refusal are the same as in the RSD procedure.
pub use crate::rsd::{Actor, Refusal, RefusalKind};

/// A step of the procedure with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The resettlement assessment, written for review.
    RecordAssessment { summary: String },
    /// Someone other than the assessor approves the assessment or returns it.
    ReviewAssessment { approve: bool, note: Option<String> },
    /// The dossier went to a resettlement state.
    Submit {
        /// ISO 3166 alpha-3 code, e.g. CAN, USA, ESP.
        state: String,
        submitted_on: NaiveDate,
        dossier_reference: String,
    },
    /// The state interviewed the family.
    RecordInterview { interviewed_on: NaiveDate },
    /// The state decided.
    RecordDecision {
        decision: StateDecision,
        decided_on: NaiveDate,
    },
    /// The family left.
    RecordDeparture { departed_on: NaiveDate },
    /// The case leaves resettlement, saying why.
    Exit {
        reason: ExitReason,
        note: Option<String>,
    },
}

/// The name of an action without its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionKind {
    RecordAssessment,
    ReviewAssessment,
    Submit,
    RecordInterview,
    RecordDecision,
    RecordDeparture,
    Exit,
}

impl ActionKind {
    pub const ALL: [ActionKind; 7] = [
        ActionKind::RecordAssessment,
        ActionKind::ReviewAssessment,
        ActionKind::Submit,
        ActionKind::RecordInterview,
        ActionKind::RecordDecision,
        ActionKind::RecordDeparture,
        ActionKind::Exit,
    ];
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::RecordAssessment { .. } => ActionKind::RecordAssessment,
            Action::ReviewAssessment { .. } => ActionKind::ReviewAssessment,
            Action::Submit { .. } => ActionKind::Submit,
            Action::RecordInterview { .. } => ActionKind::RecordInterview,
            Action::RecordDecision { .. } => ActionKind::RecordDecision,
            Action::RecordDeparture { .. } => ActionKind::RecordDeparture,
            Action::Exit { .. } => ActionKind::Exit,
        }
    }
}

/// What a client or the API needs to name an action, one row per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionInfo {
    pub kind: ActionKind,
    /// The stable name: `allowedActions` lists it, events record it.
    pub name: &'static str,
    /// The key that opens its form in the terminal client.
    pub key: char,
    pub label_es: &'static str,
    pub label_en: &'static str,
}

/// Every resettlement action, in the order of [`ActionKind`]'s variants. All are sent with the
/// one mutation `actOnResettlementCase`, naming the action.
pub const ACTIONS: [ActionInfo; 7] = [
    row(
        ActionKind::RecordAssessment,
        "RECORD_ASSESSMENT",
        'a',
        "evaluación",
        "assessment",
    ),
    row(
        ActionKind::ReviewAssessment,
        "REVIEW_ASSESSMENT",
        'v',
        "revisar evaluación",
        "review assessment",
    ),
    row(
        ActionKind::Submit,
        "SUBMIT",
        's',
        "presentar a un Estado",
        "submit to a state",
    ),
    row(
        ActionKind::RecordInterview,
        "RECORD_INTERVIEW",
        'i',
        "entrevista del Estado",
        "state interview",
    ),
    row(
        ActionKind::RecordDecision,
        "RECORD_DECISION",
        'd',
        "decisión del Estado",
        "state decision",
    ),
    row(
        ActionKind::RecordDeparture,
        "RECORD_DEPARTURE",
        'p',
        "partida",
        "departure",
    ),
    row(ActionKind::Exit, "EXIT", 'x', "salida del proceso", "exit"),
];

const fn row(
    kind: ActionKind,
    name: &'static str,
    key: char,
    label_es: &'static str,
    label_en: &'static str,
) -> ActionInfo {
    ActionInfo {
        kind,
        name,
        key,
        label_es,
        label_en,
    }
}

/// The row of an action.
pub fn info(kind: ActionKind) -> &'static ActionInfo {
    // ACTIONS is in the order of the variants (a test holds this).
    &ACTIONS[kind as usize]
}
