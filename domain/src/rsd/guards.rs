//! The checks that do not depend on an action's payload: role, caseload, status, separation of
//! duties and the state-level preconditions of each step. An action kind passes them exactly
//! when some payload would be accepted, which is what [`super::allowed_actions`] reports.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::action::{ActionKind, Actor, Refusal};
use super::rules::{UnitRules, is_abandonment_candidate};
use super::state::{CaseState, Stage, Status};
use crate::access::Role;

/// What a role may do, before looking at the case.
pub(crate) fn role_allows(role: Role, kind: ActionKind) -> bool {
    use ActionKind::*;
    match role {
        Role::Supervisor => true,
        Role::EligibilityOfficer => matches!(
            kind,
            DecideAdmissibility
                | ScheduleInterview
                | RecordInterview
                | RecordNoShow
                | RecordContact
                | SubmitAssessment
                | NotifyDecision
                | LodgeAppeal
                | Withdraw
                | PutOnHold
                | Resume
                | Reopen
        ),
        // Reception staff keep the calendar and the front desk's record of the applicant.
        Role::RegistrationClerk => {
            matches!(
                kind,
                ScheduleInterview | RecordNoShow | RecordContact | Withdraw
            )
        }
        Role::ProtectionOfficer
        | Role::UnitAdmin
        | Role::Analyst
        | Role::AssistanceOfficer
        | Role::ResettlementOfficer => false,
    }
}

/// Whether a role reaches this case for an action it may do: supervisors and clerks act on any
/// case of the unit, eligibility officers only on the cases assigned to them.
fn role_covers(role: Role, state: &CaseState, actor: &Actor) -> bool {
    match role {
        Role::Supervisor | Role::RegistrationClerk => true,
        Role::EligibilityOfficer => state.assigned_officer.as_deref() == Some(&actor.user_id),
        Role::ProtectionOfficer
        | Role::UnitAdmin
        | Role::Analyst
        | Role::AssistanceOfficer
        | Role::ResettlementOfficer => false,
    }
}

/// The applicant asked for an interviewer of one sex and the officer is not known to be of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterviewerConflict {
    /// The sex code the applicant asked for.
    pub requested: String,
    /// The officer's sex code, if known.
    pub officer: Option<String>,
}

/// Whether an officer of `officer_sex` would go against the applicant's interviewer preference.
/// An officer whose sex is not recorded counts as a conflict: the preference must be honoured
/// knowingly.
pub fn interviewer_conflict(
    state: &CaseState,
    officer_sex: Option<&str>,
) -> Option<InterviewerConflict> {
    let requested = state
        .interviewer_sex_preference
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())?;
    let matches = officer_sex.is_some_and(|s| s.trim().eq_ignore_ascii_case(requested));
    (!matches).then(|| InterviewerConflict {
        requested: requested.to_owned(),
        officer: officer_sex.map(|s| s.trim().to_owned()),
    })
}

const SEPARATION: &str = "You took part in the first-instance decision on this case; the appeal \
                          must be handled by another officer.";

fn status_phrase(state: &CaseState) -> String {
    let appeal = state.stage == Stage::Appeal;
    let s = match state.status {
        Status::Registered => "newly registered",
        Status::Admissible => "found admissible and waiting for an interview appointment",
        Status::Scheduled if appeal => "waiting for its appeal interview",
        Status::Scheduled => "waiting for its interview",
        Status::Interviewed if appeal => "interviewed on appeal",
        Status::Interviewed => "interviewed",
        Status::Assessed => "awaiting review of its assessment",
        Status::Decided if appeal => "decided on appeal",
        Status::Decided => "decided",
        Status::Notified => "notified of its first-instance decision",
        Status::AppealLodged => "waiting for an appeal interview appointment",
        Status::Closed => "closed",
        Status::OnHold => "on hold",
        Status::Withdrawn => "withdrawn",
        Status::Abandoned => "abandoned",
    };
    s.to_owned()
}

fn wrong_status(state: &CaseState, what: &str, hint: &str) -> Refusal {
    Refusal::invalid(format!(
        "The case is {}; {what} is not possible now: {hint}",
        status_phrase(state)
    ))
}

/// Whether the first step after registration is admissibility.
pub(crate) fn admissibility_required(state: &CaseState, rules: &UnitRules) -> bool {
    rules.admissibility && state.modality.uses_admissibility()
}

/// Everything about `kind` that does not depend on its payload.
pub(crate) fn precheck(
    state: &CaseState,
    actor: &Actor,
    kind: ActionKind,
    rules: &UnitRules,
    now: NaiveDateTime,
) -> Result<(), Refusal> {
    use ActionKind::*;

    if !actor.roles.iter().any(|r| role_allows(*r, kind)) {
        return Err(Refusal::forbidden(format!(
            "Your role does not allow {}.",
            kind_phrase(kind)
        )));
    }
    if !actor
        .roles
        .iter()
        .any(|r| role_allows(*r, kind) && role_covers(*r, state, actor))
    {
        return Err(Refusal::forbidden(match state.assigned_officer {
            Some(_) => "This case is assigned to another officer; ask a supervisor to reassign it.",
            None => "This case is not assigned to you; ask a supervisor to assign it.",
        }));
    }

    if state.status.is_terminal() && kind != Reopen {
        return Err(Refusal::invalid(format!(
            "The case is {}; it can only be reopened, on a recognised ground and with a \
             supervisor's approval.",
            status_phrase(state)
        )));
    }
    if state.status == Status::OnHold && !matches!(kind, Resume | Withdraw | Assign) {
        return Err(Refusal::invalid(
            "The case is on hold; resume it first. While on hold it can only be resumed, \
             withdrawn or reassigned.",
        ));
    }

    let appeal = state.stage == Stage::Appeal;
    let record = state.current();
    match kind {
        DecideAdmissibility => admissibility_open(state, rules),
        ScheduleInterview => match state.status {
            Status::Registered if !appeal && admissibility_required(state, rules) => {
                Err(Refusal::invalid(
                    "Admissibility must be decided before the interview is scheduled.",
                ))
            }
            Status::Registered if !appeal => Ok(()),
            Status::Admissible if !appeal => Ok(()),
            Status::AppealLodged if appeal => Ok(()),
            Status::Scheduled => Ok(()),
            _ => Err(wrong_status(
                state,
                "scheduling an interview",
                "interviews are scheduled after registration or admissibility, or after an \
                 appeal is lodged.",
            )),
        },
        RecordInterview => interview_recordable(state, actor),
        RecordNoShow => no_show_recordable(state, now),
        RecordContact | PutOnHold => Ok(()),
        SubmitAssessment => assessment_open(state, actor),
        ReviewAssessment => review_open(state, actor),
        NotifyDecision => {
            if state.status != Status::Decided || record.decisions.is_empty() {
                return Err(wrong_status(
                    state,
                    "notifying the decision",
                    "there is no decision waiting to be notified.",
                ));
            }
            Ok(())
        }
        LodgeAppeal => appeal_open(state, now),
        Withdraw | Close | Assign => Ok(()),
        ConfirmAbandonment => abandonment_open(state, rules, now),
        Reopen => {
            if !state.status.is_terminal() {
                return Err(wrong_status(
                    state,
                    "reopening",
                    "only closed, withdrawn or abandoned cases are reopened.",
                ));
            }
            Ok(())
        }
        Resume => resumable(state),
    }
}

/// Whether admissibility can be decided: once, on a newly registered case of a unit and modality
/// that have the step.
fn admissibility_open(state: &CaseState, rules: &UnitRules) -> Result<(), Refusal> {
    let appeal = state.stage == Stage::Appeal;
    if state.status != Status::Registered || appeal {
        return Err(wrong_status(
            state,
            "deciding admissibility",
            "admissibility is decided once, on a newly registered case.",
        ));
    }
    if !rules.admissibility {
        return Err(Refusal::invalid(
            "This unit has no admissibility step; schedule the interview.",
        ));
    }
    if !state.modality.uses_admissibility() {
        return Err(Refusal::invalid(format!(
            "{} cases skip admissibility; schedule the interview.",
            capitalised(state.modality.as_str())
        )));
    }
    Ok(())
}

/// Whether an interview can be recorded: once scheduled (merged cases: at registration).
fn interview_recordable(state: &CaseState, actor: &Actor) -> Result<(), Refusal> {
    let appeal = state.stage == Stage::Appeal;
    let ok = match state.status {
        Status::Scheduled | Status::Interviewed => true,
        Status::Registered => !appeal && state.modality.interview_without_appointment(),
        _ => false,
    };
    if !ok {
        return Err(wrong_status(
            state,
            "recording an interview",
            "an interview is recorded once it has been scheduled (merged cases: at \
             registration).",
        ));
    }
    separated(state, actor)
}

/// Whether a no-show can be recorded: against a scheduled interview whose time has passed.
fn no_show_recordable(state: &CaseState, now: NaiveDateTime) -> Result<(), Refusal> {
    if state.status != Status::Scheduled {
        return Err(wrong_status(
            state,
            "recording a no-show",
            "a no-show is recorded against a scheduled interview.",
        ));
    }
    if !state.appointments.iter().any(|a| a.at <= now) {
        return Err(Refusal::invalid(
            "No appointment of this case has passed yet; a no-show can be recorded only \
             after the appointment time.",
        ));
    }
    Ok(())
}

/// Whether an assessment can be submitted: once, after the principal's interview.
fn assessment_open(state: &CaseState, actor: &Actor) -> Result<(), Refusal> {
    let record = state.current();
    if matches!(
        state.status,
        Status::Registered | Status::Admissible | Status::Scheduled | Status::AppealLodged
    ) || !record.principal_interviewed()
    {
        return Err(Refusal::invalid(
            "The principal applicant has not been interviewed yet; an assessment needs \
             a recorded interview.",
        ));
    }
    if state.status != Status::Interviewed {
        return Err(wrong_status(
            state,
            "submitting an assessment",
            "an assessment is submitted once, after the interview.",
        ));
    }
    separated(state, actor)
}

/// Whether the caller may review the assessment awaiting review: never their own.
fn review_open(state: &CaseState, actor: &Actor) -> Result<(), Refusal> {
    let record = state.current();
    let Some(assessment) = record
        .assessment
        .as_ref()
        .filter(|_| state.status == Status::Assessed)
    else {
        return Err(wrong_status(
            state,
            "reviewing an assessment",
            "there is no assessment awaiting review.",
        ));
    };
    if assessment.assessor_id == actor.user_id {
        return Err(Refusal::forbidden(
            "You submitted this assessment; another supervisor must review it.",
        ));
    }
    if record.assessors().contains(actor.user_id.as_str()) {
        return Err(Refusal::forbidden(
            "You wrote an assessment of this case at this stage; another supervisor \
             must review it.",
        ));
    }
    separated(state, actor)
}

/// Whether an appeal can be lodged: against a notified negative first-instance decision.
fn appeal_open(state: &CaseState, now: NaiveDateTime) -> Result<(), Refusal> {
    let appeal = state.stage == Stage::Appeal;
    if state.status != Status::Notified || appeal {
        return Err(wrong_status(
            state,
            "lodging an appeal",
            "an appeal is lodged against a notified first-instance decision.",
        ));
    }
    if !state.first_instance.has_negative_decision() {
        return Err(Refusal::invalid(
            "Everyone in this case was recognised; there is nothing to appeal.",
        ));
    }
    match state.first_instance.notified_at {
        Some(n) if n <= now => Ok(()),
        Some(_) => Err(Refusal::invalid(
            "The decision is recorded as notified later than now; check the \
             notification date before recording the appeal.",
        )),
        None => Err(Refusal::invalid(
            "The first-instance decision has not been notified; an appeal runs from \
             notification.",
        )),
    }
}

/// Whether the case can be declared abandoned: a missed interview and the days without contact.
fn abandonment_open(
    state: &CaseState,
    rules: &UnitRules,
    now: NaiveDateTime,
) -> Result<(), Refusal> {
    if state.status != Status::Scheduled || state.no_show_at.is_none() {
        return Err(wrong_status(
            state,
            "declaring the case abandoned",
            "only a case whose interview was missed can be abandoned.",
        ));
    }
    if !is_abandonment_candidate(state, rules, now) {
        return Err(Refusal::invalid(format!(
            "The applicant missed the interview, but {} days without contact have not \
             passed since (or another appointment is still to come); the case cannot \
             be declared abandoned yet.",
            rules.abandonment_days
        )));
    }
    Ok(())
}

/// Whether a case on hold can resume: the status before the hold must be known.
fn resumable(state: &CaseState) -> Result<(), Refusal> {
    if state.status != Status::OnHold {
        return Err(wrong_status(state, "resuming", "the case is not on hold."));
    }
    match state.status_before_hold {
        Some(s) if !s.is_terminal() && s != Status::OnHold => Ok(()),
        _ => Err(Refusal::invalid(
            "The status before the hold was not kept, so the case cannot resume; ask a \
             supervisor to correct the case record.",
        )),
    }
}

/// At appeal, no one who worked on the first instance may act (separation of functions).
fn separated(state: &CaseState, actor: &Actor) -> Result<(), Refusal> {
    if state.stage == Stage::Appeal
        && state
            .first_instance_officers()
            .contains(actor.user_id.as_str())
    {
        Err(Refusal::forbidden(SEPARATION))
    } else {
        Ok(())
    }
}

/// The kind as a caseworker would say it, for messages.
pub(crate) fn kind_phrase(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::DecideAdmissibility => "deciding admissibility",
        ActionKind::ScheduleInterview => "scheduling interviews",
        ActionKind::RecordInterview => "recording interviews",
        ActionKind::RecordNoShow => "recording no-shows",
        ActionKind::RecordContact => "recording contact with the applicant",
        ActionKind::SubmitAssessment => "submitting assessments",
        ActionKind::ReviewAssessment => "reviewing assessments",
        ActionKind::NotifyDecision => "notifying decisions",
        ActionKind::LodgeAppeal => "recording appeals",
        ActionKind::Withdraw => "recording withdrawals",
        ActionKind::Close => "closing cases",
        ActionKind::ConfirmAbandonment => "declaring cases abandoned",
        ActionKind::Reopen => "reopening cases",
        ActionKind::Assign => "assigning cases",
        ActionKind::PutOnHold => "putting cases on hold",
        ActionKind::Resume => "resuming cases",
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
