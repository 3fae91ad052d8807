//! What a user asks of a case, who asks it, and what comes back: a transition or a refusal.

use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::state::{CaseState, ClosureReason, IndividualOutcome, ReopenGround, Stage, Status};
use crate::access::Role;
use crate::codes::Lang;

/// The user acting, as the store knows them from their session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Identifier of the user in the unit's user records.
    pub user_id: String,
    /// The user's roles in the operation unit.
    pub roles: Vec<Role>,
    /// Sex code (`F`, `M`, `X`) of the user, for the same-sex interviewer preference.
    pub sex: Option<String>,
}

impl Actor {
    /// Whether the actor holds a role.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A step of the procedure with what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Admissible or not; an inadmissible case is closed and needs a reason.
    DecideAdmissibility {
        /// Whether the claim may go on to eligibility.
        admissible: bool,
        /// Required when inadmissible; given to the applicant.
        reason: Option<String>,
    },
    /// Add an appointment, or move it when `appointment_id` is already pending.
    ScheduleInterview {
        /// Client-chosen identifier, unique within the case.
        appointment_id: String,
        /// When the interview takes place.
        at: NaiveDateTime,
        /// The officer who will hold the interview.
        officer_id: String,
        /// Sex code of the officer, checked against the applicant's preference.
        officer_sex: Option<String>,
        /// ISO 639-3 code of the interpreter's language, if one is needed.
        interpreter_language: Option<String>,
        /// Required when the officer's sex differs from the one the applicant asked for.
        override_reason: Option<String>,
    },
    /// The actor interviewed the case now. Without the principal applicant the session is kept
    /// but does not count as the stage's interview.
    RecordInterview {
        /// Whether the principal applicant was present.
        principal_attended: bool,
        /// When the interview was held (default: the time of the appointment it was booked
        /// for, or now). Not in the future, nor before the appointment's day.
        held_at: Option<NaiveDateTime>,
        /// Reference to the interview notes kept elsewhere.
        notes_ref: Option<String>,
        /// Defaults to the interpreter of the next appointment.
        interpreter_language: Option<String>,
        /// Required when the actor's sex differs from the one the applicant asked for and no
        /// appointment of the actor carries an override.
        override_reason: Option<String>,
    },
    /// The applicant missed the earliest appointment whose time has passed.
    RecordNoShow,
    /// The applicant got in touch (this stops the abandonment clock).
    RecordContact {
        /// How: a code of [`crate::code_lists::CONTACT_CHANNELS`].
        channel: Option<String>,
        /// What was said or agreed, in a few words.
        note: Option<String>,
    },
    /// The assessment with one recommendation per individual concerned.
    SubmitAssessment {
        /// One per individual the stage decides on.
        recommendations: Vec<IndividualOutcome>,
        /// The written assessment document; only simplified cases may omit it.
        assessment_ref: Option<String>,
    },
    /// Approval turns the recommendations into the decision; otherwise the assessment goes back
    /// to be rewritten and `comments` must say why.
    ReviewAssessment {
        /// Approve (the decision follows) or send back.
        approve: bool,
        /// Required when sending back.
        comments: Option<String>,
    },
    /// The decision was handed to the applicant in writing.
    NotifyDecision {
        /// When (default: now); the appeal deadline runs from here. Not in the future, nor
        /// before the decision.
        notified_at: Option<NaiveDateTime>,
        /// How: a code of [`crate::code_lists::NOTIFICATION_METHODS`].
        method: Option<String>,
    },
    /// The applicant's appeal, dated as received.
    LodgeAppeal {
        /// The date on the appeal, which the deadline is measured against.
        lodged_at: NaiveDateTime,
    },
    /// The applicant withdraws the claim; the case ends.
    Withdraw {
        /// The applicant's reason, as recorded.
        reason: String,
    },
    /// A supervisor ends the procedure for a reason of [`ClosureReason::MANUAL`].
    Close {
        /// Why the case is closed.
        reason: ClosureReason,
    },
    /// A supervisor declares an abandonment candidate abandoned.
    ConfirmAbandonment,
    /// The actor requests; `approver_id` approves. The store fills `approver_roles` from its
    /// user records, never from the client.
    Reopen {
        /// Why the case is reopened.
        ground: ReopenGround,
        /// The supervisor who approves; not the actor.
        approver_id: String,
        /// The approver's roles, from the store's user records.
        approver_roles: Vec<Role>,
    },
    /// The store checks that `officer_id` is an eligibility officer or supervisor of the unit.
    Assign {
        /// The eligibility officer or supervisor who takes the case.
        officer_id: String,
    },
    /// Pause the case; it resumes where it was.
    PutOnHold {
        /// Why the case is paused.
        reason: String,
    },
    /// Take a held case up again where it was.
    Resume,
}

/// The name of an action without its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionKind {
    /// See [`Action::DecideAdmissibility`].
    DecideAdmissibility,
    /// See [`Action::ScheduleInterview`].
    ScheduleInterview,
    /// See [`Action::RecordInterview`].
    RecordInterview,
    /// See [`Action::RecordNoShow`].
    RecordNoShow,
    /// See [`Action::RecordContact`].
    RecordContact,
    /// See [`Action::SubmitAssessment`].
    SubmitAssessment,
    /// See [`Action::ReviewAssessment`].
    ReviewAssessment,
    /// See [`Action::NotifyDecision`].
    NotifyDecision,
    /// See [`Action::LodgeAppeal`].
    LodgeAppeal,
    #[serde(rename = "WITHDRAW_CASE")]
    /// See [`Action::Withdraw`].
    Withdraw,
    #[serde(rename = "CLOSE_CASE")]
    /// See [`Action::Close`].
    Close,
    /// See [`Action::ConfirmAbandonment`].
    ConfirmAbandonment,
    #[serde(rename = "REOPEN_CASE")]
    /// See [`Action::Reopen`].
    Reopen,
    #[serde(rename = "ASSIGN_CASE")]
    /// See [`Action::Assign`].
    Assign,
    #[serde(rename = "PUT_CASE_ON_HOLD")]
    /// See [`Action::PutOnHold`].
    PutOnHold,
    #[serde(rename = "RESUME_CASE")]
    /// See [`Action::Resume`].
    Resume,
}

/// What a client or the API needs to name a case action, in one row per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionInfo {
    /// The action this row names.
    pub kind: ActionKind,
    /// The stable name: `allowedActions` lists it, events record it.
    pub name: &'static str,
    /// The GraphQL mutation that performs it (`assignCases` also performs ASSIGN_CASE).
    pub mutation: &'static str,
    /// The key that opens its form in the terminal client.
    pub key: char,
    /// Short label in Spanish, as the client's action bar shows it.
    pub label_es: &'static str,
    /// Short label in English.
    pub label_en: &'static str,
}

/// Every case action, in the order of [`ActionKind`]'s variants (and of `allowedActions`).
/// Adding an action: a variant of [`Action`] and of [`ActionKind`], a row here, its rules in
/// `guards.rs` and `apply.rs`; the compiler then points at the GraphQL enum.
pub const ACTIONS: [ActionInfo; 16] = [
    ActionInfo {
        kind: ActionKind::DecideAdmissibility,
        name: "DECIDE_ADMISSIBILITY",
        mutation: "decideAdmissibility",
        key: 'd',
        label_es: "admisibilidad",
        label_en: "admissibility",
    },
    ActionInfo {
        kind: ActionKind::ScheduleInterview,
        name: "SCHEDULE_INTERVIEW",
        mutation: "scheduleInterview",
        key: 's',
        label_es: "agendar",
        label_en: "schedule",
    },
    ActionInfo {
        kind: ActionKind::RecordInterview,
        name: "RECORD_INTERVIEW",
        mutation: "recordInterview",
        key: 'i',
        label_es: "entrevista",
        label_en: "interview",
    },
    ActionInfo {
        kind: ActionKind::RecordNoShow,
        name: "RECORD_NO_SHOW",
        mutation: "recordNoShow",
        key: 'x',
        label_es: "ausencia",
        label_en: "no-show",
    },
    ActionInfo {
        kind: ActionKind::RecordContact,
        name: "RECORD_CONTACT",
        mutation: "recordContact",
        key: 'c',
        label_es: "contacto",
        label_en: "contact",
    },
    ActionInfo {
        kind: ActionKind::SubmitAssessment,
        name: "SUBMIT_ASSESSMENT",
        mutation: "submitAssessment",
        key: 'e',
        label_es: "informe",
        label_en: "assessment",
    },
    ActionInfo {
        kind: ActionKind::ReviewAssessment,
        name: "REVIEW_ASSESSMENT",
        mutation: "reviewAssessment",
        key: 'v',
        label_es: "revisar",
        label_en: "review",
    },
    ActionInfo {
        kind: ActionKind::NotifyDecision,
        name: "NOTIFY_DECISION",
        mutation: "notifyDecision",
        key: 't',
        label_es: "notificar",
        label_en: "notify",
    },
    ActionInfo {
        kind: ActionKind::LodgeAppeal,
        name: "LODGE_APPEAL",
        mutation: "lodgeAppeal",
        key: 'l',
        label_es: "apelación",
        label_en: "appeal",
    },
    ActionInfo {
        kind: ActionKind::Withdraw,
        name: "WITHDRAW_CASE",
        mutation: "withdrawCase",
        key: 'w',
        label_es: "desistimiento",
        label_en: "withdraw",
    },
    ActionInfo {
        kind: ActionKind::Close,
        name: "CLOSE_CASE",
        mutation: "closeCase",
        key: 'z',
        label_es: "cerrar",
        label_en: "close",
    },
    ActionInfo {
        kind: ActionKind::ConfirmAbandonment,
        name: "CONFIRM_ABANDONMENT",
        mutation: "confirmAbandonment",
        key: 'b',
        label_es: "abandono",
        label_en: "abandon",
    },
    ActionInfo {
        kind: ActionKind::Reopen,
        name: "REOPEN_CASE",
        mutation: "reopenCase",
        key: 'o',
        label_es: "reabrir",
        label_en: "reopen",
    },
    ActionInfo {
        kind: ActionKind::Assign,
        name: "ASSIGN_CASE",
        mutation: "assignCase",
        key: 'a',
        label_es: "asignar",
        label_en: "assign",
    },
    ActionInfo {
        kind: ActionKind::PutOnHold,
        name: "PUT_CASE_ON_HOLD",
        mutation: "putCaseOnHold",
        key: 'h',
        label_es: "en espera",
        label_en: "hold",
    },
    ActionInfo {
        kind: ActionKind::Resume,
        name: "RESUME_CASE",
        mutation: "resumeCase",
        key: 'u',
        label_es: "reanudar",
        label_en: "resume",
    },
];

impl ActionInfo {
    /// The short label in `lang`.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Es => self.label_es,
            Lang::En => self.label_en,
        }
    }

    /// The row whose client key is `key`.
    pub fn by_key(key: char) -> Option<&'static ActionInfo> {
        ACTIONS.iter().find(|a| a.key == key)
    }
}

impl ActionKind {
    /// Every kind, in the order [`super::allowed_actions`] lists them.
    pub const ALL: [ActionKind; 16] = {
        let mut all = [ActionKind::DecideAdmissibility; 16];
        let mut i = 0;
        while i < ACTIONS.len() {
            all[i] = ACTIONS[i].kind;
            i += 1;
        }
        all
    };

    /// This action's row of [`ACTIONS`].
    pub fn info(self) -> &'static ActionInfo {
        // The table follows the variants' order (checked by a test).
        &ACTIONS[self as usize]
    }

    /// The name clients see.
    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    /// The kind of a client name.
    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Action {
    /// The kind of this action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::DecideAdmissibility { .. } => ActionKind::DecideAdmissibility,
            Action::ScheduleInterview { .. } => ActionKind::ScheduleInterview,
            Action::RecordInterview { .. } => ActionKind::RecordInterview,
            Action::RecordNoShow => ActionKind::RecordNoShow,
            Action::RecordContact { .. } => ActionKind::RecordContact,
            Action::SubmitAssessment { .. } => ActionKind::SubmitAssessment,
            Action::ReviewAssessment { .. } => ActionKind::ReviewAssessment,
            Action::NotifyDecision { .. } => ActionKind::NotifyDecision,
            Action::LodgeAppeal { .. } => ActionKind::LodgeAppeal,
            Action::Withdraw { .. } => ActionKind::Withdraw,
            Action::Close { .. } => ActionKind::Close,
            Action::ConfirmAbandonment => ActionKind::ConfirmAbandonment,
            Action::Reopen { .. } => ActionKind::Reopen,
            Action::Assign { .. } => ActionKind::Assign,
            Action::PutOnHold { .. } => ActionKind::PutOnHold,
            Action::Resume => ActionKind::Resume,
        }
    }
}

/// What a transition was, as the audit trail and the case history name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Admissible or inadmissible (the latter closes the case).
    AdmissibilityDecided,
    /// An appointment was added or moved.
    InterviewScheduled,
    /// An interview session was held.
    InterviewRecorded,
    /// The applicant missed an appointment.
    NoShowRecorded,
    /// The applicant got in touch.
    ContactRecorded,
    /// An assessment went to review.
    AssessmentSubmitted,
    /// A review approved the assessment: the decision.
    Decided,
    /// A review sent the assessment back.
    AssessmentReturned,
    /// The decision was notified (closing the case when nothing can follow).
    Notified,
    /// An appeal was accepted; the case moves to the appeal stage.
    AppealLodged,
    /// The applicant withdrew.
    Withdrawn,
    /// A supervisor closed the case.
    Closed,
    /// A supervisor declared the case abandoned.
    Abandoned,
    /// An ended case was reopened.
    Reopened,
    /// The case changed hands.
    Assigned,
    /// The case was paused.
    PutOnHold,
    /// The case was taken up again.
    Resumed,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 17] = [
        EventKind::AdmissibilityDecided,
        EventKind::InterviewScheduled,
        EventKind::InterviewRecorded,
        EventKind::NoShowRecorded,
        EventKind::ContactRecorded,
        EventKind::AssessmentSubmitted,
        EventKind::Decided,
        EventKind::AssessmentReturned,
        EventKind::Notified,
        EventKind::AppealLodged,
        EventKind::Withdrawn,
        EventKind::Closed,
        EventKind::Abandoned,
        EventKind::Reopened,
        EventKind::Assigned,
        EventKind::PutOnHold,
        EventKind::Resumed,
    ];

    /// The kind of a stored name.
    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::AdmissibilityDecided => "admissibility_decided",
            EventKind::InterviewScheduled => "interview_scheduled",
            EventKind::InterviewRecorded => "interview_recorded",
            EventKind::NoShowRecorded => "no_show_recorded",
            EventKind::ContactRecorded => "contact_recorded",
            EventKind::AssessmentSubmitted => "assessment_submitted",
            EventKind::Decided => "decided",
            EventKind::AssessmentReturned => "assessment_returned",
            EventKind::Notified => "notified",
            EventKind::AppealLodged => "appeal_lodged",
            EventKind::Withdrawn => "withdrawn",
            EventKind::Closed => "closed",
            EventKind::Abandoned => "abandoned",
            EventKind::Reopened => "reopened",
            EventKind::Assigned => "assigned",
            EventKind::PutOnHold => "put_on_hold",
            EventKind::Resumed => "resumed",
        }
    }
}

/// One transition as the case history records it: who, when, from where to where, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "super::payload::StoredCaseEvent",
    into = "super::payload::StoredCaseEvent"
)]
pub struct CaseEvent {
    /// What happened.
    pub kind: EventKind,
    /// The action that caused it.
    pub action: ActionKind,
    /// Who did it.
    pub actor_id: String,
    /// When it was applied.
    pub at: NaiveDateTime,
    /// Status before.
    pub from_status: Status,
    /// Status after.
    pub to_status: Status,
    /// Stage before.
    pub from_stage: Stage,
    /// The stage the case is at after the transition.
    pub stage: Stage,
    /// The state's version after the transition (1 for the first event of a case).
    pub version: u64,
    /// A reason or comment given by the actor.
    pub why: Option<String>,
    /// Details of the step (appointment, recommendations, lateness of an appeal...); always of
    /// the event's `kind`.
    pub data: super::payload::StepData,
}

/// An accepted action: the state to store and the event to append, together.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The state to store.
    pub state: CaseState,
    /// The event to append.
    pub event: CaseEvent,
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// The actor may not do this (role, caseload or separation of duties).
    Forbidden,
    /// The case is not in a state for it, or the request is incomplete or inconsistent.
    Invalid,
}

/// A refused action, with a message for the caseworker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Forbidden or invalid.
    pub kind: RefusalKind,
    /// The payload field at fault, if one is.
    pub field: Option<&'static str>,
    /// What went wrong and what to do, for the caseworker.
    pub message: String,
    /// The coded reason a client renders in its own language, when there is one.
    pub reason: Option<crate::error::Reason>,
}

impl Refusal {
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self {
            kind: RefusalKind::Forbidden,
            field: None,
            message: message.into(),
            reason: None,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            kind: RefusalKind::Invalid,
            field: None,
            message: message.into(),
            reason: None,
        }
    }

    pub(crate) fn on(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    pub(crate) fn because(mut self, reason: crate::error::Reason) -> Self {
        self.reason = Some(reason);
        self
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}
