//! The case actions the client offers. Their names, keys and labels are the domain's table
//! ([`ACTIONS`], `amparo_domain::rsd`), the same the server lists in `allowedActions`; the
//! client adds only each action's form (`screens::action_form`, matched without a wildcard so
//! that a new action does not build until it has one). The server decides which actions are allowed; the
//! actions line, the `?` help, the key dispatch and the forms read this module.
//!
//! To add an action on the client: its form, in `screens::action_form` (which [`Form`] it
//! opens, in `form`, and the mutation it sends, in `ActionForm::request`), and that mutation's
//! file in `graphql/actions/`, named in `api::case_mutations!`.

pub use amparo_domain::rsd::{ACTIONS, ActionInfo};

use crate::i18n::Lang;

/// The kind of a case action: the domain's, which the API's `CaseAction` enum is decoded into.
pub type Kind = amparo_domain::rsd::ActionKind;

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

/// What an action's form sends: the action's own mutation with all its variables, or
/// `assignCases` for a bulk reassignment.
#[derive(Debug, Clone, PartialEq)]
pub enum ActRequest {
    Case(Box<crate::api::CaseMutation>),
    AssignMany(crate::api::assign_cases::Variables),
}

impl ActRequest {
    /// The variables as they go on the wire.
    pub fn variables(&self) -> serde_json::Value {
        match self {
            Self::Case(m) => m.variables(),
            Self::AssignMany(v) => serde_json::to_value(v).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        for (i, a) in ACTIONS.iter().enumerate() {
            for b in &ACTIONS[i + 1..] {
                assert_ne!(a.key, b.key, "{:?} and {:?} share a key", a.kind, b.kind);
            }
            assert_eq!(by_key(a.key).map(|b| b.kind), Some(a.kind));
        }
        assert_eq!(name(Kind::PutOnHold, Lang::Es), "en espera");
    }
}
