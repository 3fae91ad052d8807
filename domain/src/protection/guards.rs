//! The checks that do not depend on an action's payload: role, status and what the case holds.
//! An action kind passes them exactly when some payload would be accepted, which is what
//! [`super::allowed_actions`] reports.

use chrono::NaiveDate;

use super::action::{ActionKind, Actor, Refusal};
use super::state::{ProtectionState, RiskLevel, Status};
use crate::access::Role;

/// What a role may do, before looking at the case.
pub(crate) fn role_allows(role: Role, kind: ActionKind) -> bool {
    use ActionKind::*;
    match role {
        Role::Supervisor => true,
        Role::ProtectionOfficer => !matches!(kind, RecordBid | Assign | Reopen),
        Role::RegistrationClerk
        | Role::EligibilityOfficer
        | Role::UnitAdmin
        | Role::Analyst
        | Role::AssistanceOfficer
        | Role::ResettlementOfficer => false,
    }
}

/// Whether `actor` may do `kind` on `state` now, for some payload.
pub(crate) fn check(
    state: &ProtectionState,
    actor: &Actor,
    kind: ActionKind,
    today: NaiveDate,
) -> Result<(), Refusal> {
    use ActionKind::*;
    if !actor.roles.iter().any(|r| role_allows(*r, kind)) {
        return Err(Refusal::forbidden(match kind {
            RecordBid => "only a supervisor records a BID panel's decision",
            Assign => "only a supervisor assigns protection cases",
            Reopen => "only a supervisor reopens a protection case",
            _ => "your role does not manage protection cases",
        }));
    }
    match (state.status, kind) {
        (Status::Closed, Reopen) => return Ok(()),
        (Status::Closed, _) => {
            return Err(Refusal::invalid(
                "the case is closed; a supervisor can reopen it",
            ));
        }
        (Status::Open, Reopen) => return Err(Refusal::invalid("the case is open")),
        (Status::Open, _) => {}
    }
    match kind {
        CompletePlanAction if state.plan.iter().all(|a| a.completed_on.is_some()) => Err(
            Refusal::invalid("no plan action is waiting to be completed"),
        ),
        RecordReferralOutcome if state.referrals.iter().all(|r| r.outcome.is_some()) => {
            Err(Refusal::invalid("no referral is waiting for its outcome"))
        }
        RecordFollowUp if state.follow_ups.iter().all(|f| f.done_on.is_some()) => {
            Err(Refusal::invalid("no follow-up is planned"))
        }
        RecordBia
            if !state
                .children(today)
                .any(|m| !state.bids.iter().any(|b| b.child_id == m.individual_id)) =>
        {
            Err(Refusal::invalid(
                "a Best Interests Assessment is for a child without a determination, and no member is one",
            ))
        }
        RecordBid if state.bids_pending().is_empty() => Err(Refusal::invalid(
            "no child's Best Interests Assessment asks for a determination",
        )),
        Close if state.risk >= RiskLevel::High && !actor.roles.contains(&Role::Supervisor) => Err(
            Refusal::forbidden("a case at high or critical risk is closed by a supervisor"),
        ),
        _ => Ok(()),
    }
}
