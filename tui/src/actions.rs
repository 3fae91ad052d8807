//! The case actions the client offers. Their names, keys and labels are the domain's table
//! ([`ACTIONS`], `amparo_domain::rsd`), the same the server lists in `allowedActions`; the
//! client adds only which form each opens ([`form`], matched without a wildcard so that a new
//! action does not build until it has one). The server decides which actions are allowed; the
//! actions line, the `?` help, the key dispatch and the forms read this module.
//!
//! To add an action on the client: its [`Form`] in [`form`] (and the form's fields in
//! `screens::action_form` when it needs a new one), its [`ActInput`] variant, and its mutation
//! in `runtime::act` (its file in `graphql/actions/`).

pub use amparo_domain::rsd::{ACTIONS, ActionInfo};

use crate::i18n::Lang;

/// The kind of a case action: the domain's, which the API's `CaseAction` enum is decoded into.
pub type Kind = amparo_domain::rsd::ActionKind;

/// Which form an action opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Admissible or not, with the reason required when not.
    Admissibility,
    /// Date, time, minutes, officer, interpreter language, appointment to move.
    Schedule,
    /// Attended, when it was held, notes, interpreter language.
    Interview,
    /// The applicant's channel (from a list) and a note.
    Contact,
    /// When and how the decision was handed over.
    Notify,
    /// Outcome and codes per member.
    Assessment,
    /// Approve or return, with comments required to return.
    Review,
    /// The date the appeal was lodged.
    Appeal,
    /// A free-text reason, required.
    Reason,
    /// A closure reason from the list.
    CloseReason,
    /// Ground and approving officer.
    Reopen,
    /// The officer to assign.
    Assign,
    /// Nothing to fill in: the form asks to confirm.
    Confirm,
}

/// The form `kind` opens.
pub fn form(kind: Kind) -> Form {
    match kind {
        Kind::DecideAdmissibility => Form::Admissibility,
        Kind::ScheduleInterview => Form::Schedule,
        Kind::RecordInterview => Form::Interview,
        Kind::RecordNoShow => Form::Confirm,
        Kind::RecordContact => Form::Contact,
        Kind::SubmitAssessment => Form::Assessment,
        Kind::ReviewAssessment => Form::Review,
        Kind::NotifyDecision => Form::Notify,
        Kind::LodgeAppeal => Form::Appeal,
        Kind::Withdraw | Kind::PutOnHold => Form::Reason,
        Kind::Close => Form::CloseReason,
        Kind::ConfirmAbandonment | Kind::Resume => Form::Confirm,
        Kind::Reopen => Form::Reopen,
        Kind::Assign => Form::Assign,
    }
}

/// Whether the form of `kind` offers officers, which are read on first use.
pub fn needs_officers(kind: Kind) -> bool {
    matches!(form(kind), Form::Schedule | Form::Reopen | Form::Assign)
}

/// The action a key opens.
pub fn by_key(key: char) -> Option<&'static ActionInfo> {
    ActionInfo::by_key(key)
}

/// The name of an action in `lang`.
pub fn name(kind: Kind, lang: Lang) -> &'static str {
    kind.info().label(lang)
}

/// The allowed actions, in the table's order.
pub fn allowed(allowed: &[Kind]) -> impl Iterator<Item = &'static ActionInfo> + '_ {
    ACTIONS.iter().filter(|a| allowed.contains(&a.kind))
}

/// The input of an action, in the client's terms; the runtime adds id, version and
/// `clientMutationId`.
#[derive(Debug, Clone, PartialEq)]
pub enum ActInput {
    Admissibility {
        admissible: bool,
        reason: Option<String>,
    },
    Schedule {
        at: String,
        minutes: i64,
        officer_id: Option<String>,
        language: Option<String>,
        reschedule: Option<String>,
        override_reason: Option<String>,
    },
    Interview {
        attended: bool,
        /// When it was held (UTC, RFC 3339); `None` lets the server take the appointment's.
        held_at: Option<String>,
        notes_ref: Option<String>,
        language: Option<String>,
        override_reason: Option<String>,
    },
    NoShow,
    Contact {
        /// A code of `amparo_domain::code_lists::CONTACT_CHANNELS`.
        channel: String,
        note: Option<String>,
    },
    Assessment {
        /// `(individual id, outcome, codes)`.
        recommendations: Vec<(String, String, Vec<String>)>,
        assessment_ref: Option<String>,
    },
    Review {
        approve: bool,
        comments: Option<String>,
    },
    Notify {
        /// When (UTC, RFC 3339); `None` is now.
        notified_at: Option<String>,
        /// A code of `amparo_domain::code_lists::NOTIFICATION_METHODS`.
        method: String,
    },
    Appeal {
        lodged_at: Option<String>,
    },
    Withdraw {
        reason: String,
    },
    Close {
        reason: String,
    },
    Abandon,
    Reopen {
        ground: String,
        approver_id: String,
    },
    Assign {
        officer_id: String,
    },
    /// `assignCases`: every case with the version read.
    AssignMany {
        cases: Vec<(String, i64)>,
        officer_id: String,
    },
    Hold {
        reason: String,
    },
    Resume,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_only_officer_forms_read_officers() {
        for (i, a) in ACTIONS.iter().enumerate() {
            for b in &ACTIONS[i + 1..] {
                assert_ne!(a.key, b.key, "{:?} and {:?} share a key", a.kind, b.kind);
            }
            assert_eq!(by_key(a.key).map(|b| b.kind), Some(a.kind));
        }
        assert!(needs_officers(Kind::Assign));
        assert!(!needs_officers(Kind::Withdraw));
        assert_eq!(name(Kind::PutOnHold, Lang::Es), "en espera");
    }
}
