//! What a user asks of a protection case, and the table that names each action for the API and
//! the client.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::state::{ClosureReason, ReferralOutcome, RiskLevel};

/// The actor and the refusal are the same as in the RSD procedure: a user with roles, and a
/// forbidden-or-invalid answer with a message and a coded reason.
pub use crate::rsd::{Actor, Refusal, RefusalKind};

/// A step of case management with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The risk was assessed again.
    UpdateRisk { level: RiskLevel, reason: String },
    /// A new action of the case plan.
    AddPlanAction {
        /// Client-chosen, unique within the case.
        action_id: String,
        description: String,
        /// The user responsible for it.
        responsible_id: String,
        due: NaiveDate,
    },
    /// A plan action was done.
    CompletePlanAction { action_id: String, outcome: String },
    /// A referral to a service, with the person's informed consent.
    Refer {
        /// Client-chosen, unique within the case.
        referral_id: String,
        /// A code of [`super::SERVICES`].
        service: String,
        provider: String,
        /// The person (or a child's caregiver) agreed to the referral and to what is shared.
        consent: bool,
    },
    /// What came of a referral.
    RecordReferralOutcome {
        referral_id: String,
        outcome: ReferralOutcome,
        note: Option<String>,
    },
    /// A follow-up on a date (today or later).
    ScheduleFollowUp {
        /// Client-chosen, unique within the case.
        follow_up_id: String,
        due: NaiveDate,
        purpose: String,
    },
    /// The follow-up took place.
    RecordFollowUp { follow_up_id: String, note: String },
    /// A Best Interests Assessment of a child member.
    RecordBia {
        child_id: String,
        summary: String,
        /// Whether a formal determination by a panel is needed.
        bid_needed: bool,
    },
    /// A Best Interests Determination panel's decision about a child.
    RecordBid {
        child_id: String,
        decision: String,
        /// The users who sat on the panel.
        panel: Vec<String>,
    },
    /// The protection officer who manages the case. The store checks the user.
    Assign { officer_id: String },
    /// The case ends.
    Close {
        reason: ClosureReason,
        note: Option<String>,
    },
    /// A closed case is taken up again.
    Reopen { reason: String },
}

/// The name of an action without its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionKind {
    UpdateRisk,
    AddPlanAction,
    CompletePlanAction,
    Refer,
    RecordReferralOutcome,
    ScheduleFollowUp,
    RecordFollowUp,
    RecordBia,
    RecordBid,
    Assign,
    Close,
    Reopen,
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::UpdateRisk { .. } => ActionKind::UpdateRisk,
            Action::AddPlanAction { .. } => ActionKind::AddPlanAction,
            Action::CompletePlanAction { .. } => ActionKind::CompletePlanAction,
            Action::Refer { .. } => ActionKind::Refer,
            Action::RecordReferralOutcome { .. } => ActionKind::RecordReferralOutcome,
            Action::ScheduleFollowUp { .. } => ActionKind::ScheduleFollowUp,
            Action::RecordFollowUp { .. } => ActionKind::RecordFollowUp,
            Action::RecordBia { .. } => ActionKind::RecordBia,
            Action::RecordBid { .. } => ActionKind::RecordBid,
            Action::Assign { .. } => ActionKind::Assign,
            Action::Close { .. } => ActionKind::Close,
            Action::Reopen { .. } => ActionKind::Reopen,
        }
    }
}

/// What a client or the API needs to name an action, one row per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionInfo {
    pub kind: ActionKind,
    /// The stable name: `allowedActions` lists it, events record it.
    pub name: &'static str,
    /// The GraphQL mutation that performs it.
    pub mutation: &'static str,
    /// The key that opens its form in the terminal client.
    pub key: char,
    pub label_es: &'static str,
    pub label_en: &'static str,
}

/// Every protection action, in the order of [`ActionKind`]'s variants.
pub const ACTIONS: [ActionInfo; 12] = [
    row(
        ActionKind::UpdateRisk,
        "UPDATE_RISK",
        "updateProtectionRisk",
        'k',
        "riesgo",
        "risk",
    ),
    row(
        ActionKind::AddPlanAction,
        "ADD_PLAN_ACTION",
        "addProtectionPlanAction",
        'p',
        "acción del plan",
        "plan action",
    ),
    row(
        ActionKind::CompletePlanAction,
        "COMPLETE_PLAN_ACTION",
        "completeProtectionPlanAction",
        'c',
        "cumplir acción",
        "complete action",
    ),
    row(
        ActionKind::Refer,
        "REFER",
        "referProtectionCase",
        'r',
        "referir",
        "refer",
    ),
    row(
        ActionKind::RecordReferralOutcome,
        "RECORD_REFERRAL_OUTCOME",
        "recordReferralOutcome",
        'o',
        "resultado",
        "outcome",
    ),
    row(
        ActionKind::ScheduleFollowUp,
        "SCHEDULE_FOLLOW_UP",
        "scheduleFollowUp",
        'f',
        "seguimiento",
        "follow-up",
    ),
    row(
        ActionKind::RecordFollowUp,
        "RECORD_FOLLOW_UP",
        "recordFollowUp",
        'h',
        "registrar seguimiento",
        "record follow-up",
    ),
    row(
        ActionKind::RecordBia,
        "RECORD_BIA",
        "recordBestInterestsAssessment",
        'b',
        "EIS (BIA)",
        "BIA",
    ),
    row(
        ActionKind::RecordBid,
        "RECORD_BID",
        "recordBestInterestsDetermination",
        'd',
        "DIS (BID)",
        "BID",
    ),
    row(
        ActionKind::Assign,
        "ASSIGN",
        "assignProtectionCase",
        'a',
        "asignar",
        "assign",
    ),
    row(
        ActionKind::Close,
        "CLOSE",
        "closeProtectionCase",
        'z',
        "cerrar",
        "close",
    ),
    row(
        ActionKind::Reopen,
        "REOPEN",
        "reopenProtectionCase",
        'u',
        "reabrir",
        "reopen",
    ),
];

const fn row(
    kind: ActionKind,
    name: &'static str,
    mutation: &'static str,
    key: char,
    label_es: &'static str,
    label_en: &'static str,
) -> ActionInfo {
    ActionInfo {
        kind,
        name,
        mutation,
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
