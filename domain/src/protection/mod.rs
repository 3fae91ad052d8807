//! Protection case management as a pure procedure, on the pattern of [`crate::rsd`].
//!
//! A protection case follows an individual or a family with a protection risk: a child at risk,
//! a survivor of SGBV or torture, a person with a serious medical condition, someone without
//! legal documentation, and the other categories of the specific-needs catalogue
//! ([`crate::needs`]). The store keeps one [`ProtectionState`] as JSON per case, asks
//! [`allowed_actions`] what the user may do, calls [`apply`] with the user's [`Action`], and on
//! success writes the new state, the queue column [`ProtectionState::next_follow_up`] and the
//! event in one transaction, checking the version read. Time comes in as `today`.
//!
//! # The procedure
//!
//! ```text
//! open (intake: category, risk level, summary, members)
//!   ├ risk level reassessed at any time while open
//!   ├ case plan: actions with a responsible person and a due date, then completed with outcome
//!   ├ referrals to services (health, legal aid, shelter, psychosocial, ...) with consent,
//!   │   then their outcome (accepted, declined, completed, no response)
//!   ├ follow-ups on a date; due ones fall into the follow-ups-due queue until recorded
//!   ├ children: a Best Interests Assessment (BIA) per child; when it finds a formal
//!   │   determination needed, a Best Interests Determination (BID) panel decision
//!   └ closed (reason) ─(supervisor reopens)→ open
//! ```
//!
//! # Who may do what
//!
//! | Role | Actions |
//! |---|---|
//! | protection officer | everything on open cases but assigning, recording a BID panel's decision and closing a high or critical risk case |
//! | supervisor | everything, including assignment, BID decisions, closing any case and reopening |
//! | others | nothing |
//!
//! # Guards
//!
//! - A closed case accepts only reopening (by a supervisor, with a reason).
//! - A BIA only for a member who is a child (under 18) today.
//! - A BID only for a child whose latest BIA recommends one; the panel has at least
//!   [`BID_PANEL_MIN`] distinct members and none of them wrote that BIA (the assessor presents,
//!   the panel decides).
//! - A referral needs the person's informed consent recorded.
//! - Closing as `needs_met` or `durable_solution` needs every plan action completed, every
//!   referral with an outcome and, for each child whose BIA asked for a BID, its BID; closing
//!   for `lost_contact`, `relocated`, `transferred`, `deceased` or `declined_services` does not.
//! - Follow-ups are dated today or later; a plan action's identifier, a referral's and a
//!   follow-up's are unique within the case.

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
    BID_PANEL_MIN, Bia, Bid, Closure, ClosureReason, FollowUp, ID_MAX, Member, NewCase, PlanAction,
    ProtectionState, Referral, ReferralOutcome, RiskLevel, SERVICES, Status, TEXT_MAX, age, open,
};
