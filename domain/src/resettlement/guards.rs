//! The checks that do not depend on an action's payload: role, step and, for the review, who
//! wrote the assessment. An action kind passes them exactly when some payload would be
//! accepted, which is what [`super::allowed_actions`] reports.

use super::action::{ActionKind, Actor, Refusal};
use super::state::{ResettlementState, Status};
use crate::access::Role;

/// What a role may do, before looking at the case.
pub(crate) fn role_allows(role: Role, _kind: ActionKind) -> bool {
    match role {
        Role::ResettlementOfficer | Role::Supervisor => true,
        Role::RegistrationClerk
        | Role::EligibilityOfficer
        | Role::ProtectionOfficer
        | Role::UnitAdmin
        | Role::Analyst
        | Role::AssistanceOfficer => false,
    }
}

/// Whether `actor` may do `kind` on `state` now, for some payload.
pub(crate) fn check(
    state: &ResettlementState,
    actor: &Actor,
    kind: ActionKind,
) -> Result<(), Refusal> {
    use ActionKind::*;
    if !actor.roles.iter().any(|r| role_allows(*r, kind)) {
        return Err(Refusal::forbidden(
            "your role does not manage resettlement cases",
        ));
    }
    if state.status.is_final() {
        return Err(Refusal::invalid(format!(
            "the case has ended ({})",
            state.status.as_str()
        )));
    }
    let at = state.status;
    let fits = match kind {
        RecordAssessment => at == Status::Identified,
        ReviewAssessment => at == Status::Assessed,
        Submit => matches!(at, Status::Approved | Status::Rejected),
        RecordInterview => at == Status::Submitted,
        RecordDecision => matches!(at, Status::Submitted | Status::Interviewed),
        RecordDeparture => at == Status::Accepted,
        Exit => true,
    };
    if !fits {
        return Err(Refusal::invalid(format!(
            "this step does not follow from {}",
            at.as_str()
        )));
    }
    if kind == ReviewAssessment
        && state
            .assessment()
            .is_some_and(|a| a.assessed_by == actor.user_id)
    {
        return Err(Refusal::forbidden(
            "four eyes: the assessment is reviewed by someone other than its author",
        ));
    }
    Ok(())
}
