//! Resettlement as a pure procedure, on the pattern of [`crate::rsd`] and [`crate::protection`].
//!
//! Resettlement moves a refugee family from the country of asylum to a third state that agreed
//! to admit them. The store keeps one [`ResettlementState`] as JSON per case, asks
//! [`allowed_actions`] what the user may do, calls [`apply`] with the user's [`Action`], and on
//! success writes the new state, the queue columns ([`ResettlementState::status`] and
//! [`ResettlementState::due_on`]) and the event in one transaction, checking the version read.
//! Time comes in as `today`.
//!
//! # The procedure (UNHCR Resettlement Handbook)
//!
//! ```text
//! identified (submission categories, priority, summary; by resettlement staff, or handed
//!   │          over from a protection case by a protection officer of the same unit)
//!   ├ assessment recorded ──→ assessed
//!   │     └ review by someone else: approved ──→ approved   | returned ──→ identified
//!   ├ submission to a state (state, date, dossier reference) ──→ submitted
//!   │     ├ the state's interview ──→ interviewed
//!   │     └ the state's decision: accepted ──→ accepted | rejected ──→ rejected
//!   │                                  (a rejected case may be submitted to another state)
//!   ├ departure ──→ departed (end)
//!   └ exit with a reason, from any step before departure ──→ exited (end)
//! ```
//!
//! # Who may do what
//!
//! | Role | Actions |
//! |---|---|
//! | resettlement officer | every action; never reviews an assessment they wrote |
//! | supervisor | every action; never reviews an assessment they wrote |
//! | protection officer | opens a case only as a hand-off from a protection case |
//! | others | nothing |
//!
//! # Deadlines
//!
//! Each step the unit owns (assessment, review, submission, departure arrangements) is due a
//! number of days after the case reached it, fewer for urgent and emergency priority
//! ([`deadline_days`]); the steps' queues list the most overdue first. Waiting for the state
//! (interview, decision) has a follow-up date instead, so a silent state is chased.

mod action;
mod apply;
mod guards;
mod state;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use action::{ACTIONS, Action, ActionInfo, ActionKind, Actor, Refusal, RefusalKind, info};
pub use apply::{allowed_actions, apply};
pub use state::{
    Assessment, CATEGORIES, Departure, ExitReason, Member, NewCase, Priority, ResettlementState,
    Review, StateDecision, Status, Submission, TEXT_MAX, category_field_group, deadline_days, open,
};
