//! The case actions the client offers, listed once. [`ACTIONS`] gives each action its key on
//! the case screen, its name in both languages and the form it opens; the actions line, the `?`
//! help, the key dispatch and the forms all read it. The server decides which actions are
//! allowed (`allowedActions`); this table only says how the client offers them.
//!
//! The table is keyed by [`Kind`], the API's `CaseAction`. To add an action: a row here, its
//! form's fields in `screens::action_form` when it needs a new [`Form`], its [`ActInput`]
//! variant, and its mutation in `runtime::act` (its file in `graphql/actions/`).

use crate::api::case::CaseAction;
use crate::i18n::Lang;

/// The kind of a case action.
pub type Kind = CaseAction;

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

/// How the client offers one action.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    pub kind: &'static Kind,
    /// The key on the case screen.
    pub key: char,
    /// Its name in Spanish and in English.
    pub es: &'static str,
    pub en: &'static str,
    pub form: Form,
}

impl Action {
    pub fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Es => self.es,
            Lang::En => self.en,
        }
    }

    /// Whether its form offers officers, which are read on first use.
    pub fn needs_officers(&self) -> bool {
        matches!(self.form, Form::Schedule | Form::Reopen | Form::Assign)
    }
}

macro_rules! actions {
    ($($kind:ident $key:literal $form:ident $es:literal $en:literal;)*) => {
        /// Every action, in the order the actions line and the help show them.
        pub const ACTIONS: &[Action] = &[$(Action {
            kind: &CaseAction::$kind,
            key: $key,
            es: $es,
            en: $en,
            form: Form::$form,
        }),*];
    };
}

actions! {
    DECIDE_ADMISSIBILITY 'd' Admissibility "admisibilidad" "admissibility";
    SCHEDULE_INTERVIEW   's' Schedule      "agendar"       "schedule";
    RECORD_INTERVIEW     'i' Interview     "entrevista"    "interview";
    RECORD_NO_SHOW       'x' Confirm       "ausencia"      "no-show";
    RECORD_CONTACT       'c' Contact       "contacto"      "contact";
    SUBMIT_ASSESSMENT    'e' Assessment    "informe"       "assessment";
    REVIEW_ASSESSMENT    'v' Review        "revisar"       "review";
    NOTIFY_DECISION      't' Notify        "notificar"     "notify";
    LODGE_APPEAL         'l' Appeal        "apelación"     "appeal";
    WITHDRAW_CASE        'w' Reason        "desistimiento" "withdraw";
    CLOSE_CASE           'z' CloseReason   "cerrar"        "close";
    CONFIRM_ABANDONMENT  'b' Confirm       "abandono"      "abandon";
    REOPEN_CASE          'o' Reopen        "reabrir"       "reopen";
    ASSIGN_CASE          'a' Assign        "asignar"       "assign";
    PUT_CASE_ON_HOLD     'h' Reason        "en espera"     "hold";
    RESUME_CASE          'u' Confirm       "reanudar"      "resume";
}

/// The row of an action the client knows.
pub fn find(kind: &Kind) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.kind == kind)
}

/// The action a key opens.
pub fn by_key(key: char) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.key == key)
}

/// The name of an action, `?` for one this client does not know.
pub fn name(kind: &Kind, lang: Lang) -> &'static str {
    find(kind).map_or("?", |a| a.name(lang))
}

/// The allowed actions this client knows, in the table's order.
pub fn allowed(allowed: &[Kind]) -> impl Iterator<Item = &'static Action> + '_ {
    ACTIONS.iter().filter(|a| allowed.contains(a.kind))
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
        /// A code of `codes::CONTACT_CHANNELS`.
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
        /// A code of `codes::NOTIFICATION_METHODS`.
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
    fn keys_are_unique_and_every_action_is_listed_once() {
        for (i, a) in ACTIONS.iter().enumerate() {
            for b in &ACTIONS[i + 1..] {
                assert_ne!(a.key, b.key, "{:?} and {:?} share a key", a.kind, b.kind);
                assert_ne!(a.kind, b.kind);
            }
        }
    }
}
