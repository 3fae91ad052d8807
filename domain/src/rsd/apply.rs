//! Applying an action: the payload checks, the new state and the event that records it.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use serde_json::json;

use super::action::{Action, ActionKind, Actor, CaseEvent, EventKind, Refusal, Transition};
use super::guards::{interviewer_conflict, precheck};
use super::rules::{UnitRules, deadlines};
use super::state::{
    Admissibility, Appointment, Assessment, CaseState, Closure, ClosureReason, Ground,
    IndividualOutcome, Interview, Outcome, PastRound, ReopenGround, Reopening, Review, Stage,
    Status,
};
use crate::access::Role;

/// The action kinds `actor` may perform on the case now: exactly those [`apply`] accepts for
/// some payload. Clients show these as the case's buttons.
pub fn allowed_actions(
    state: &CaseState,
    actor: &Actor,
    rules: &UnitRules,
    now: NaiveDateTime,
) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|k| precheck(state, actor, *k, rules, now).is_ok())
        .collect()
}

/// Applies `action` by `actor` at `now`. On success the store writes the returned state and
/// appends the returned event in one transaction; on refusal nothing changes.
pub fn apply(
    state: &CaseState,
    actor: &Actor,
    action: &Action,
    rules: &UnitRules,
    now: NaiveDateTime,
) -> Result<Transition, Refusal> {
    let kind = action.kind();
    precheck(state, actor, kind, rules, now)?;

    let mut next = state.clone();
    let mut why: Option<String> = None;
    let stage = state.stage;
    let me = actor.user_id.clone();

    let (event_kind, data) = match action {
        Action::DecideAdmissibility { admissible, reason } => {
            let reason = clean(reason.as_deref());
            if !admissible && reason.is_none() {
                return Err(Refusal::invalid(
                    "Say why the case is inadmissible; the reason is given to the applicant.",
                )
                .on("reason"));
            }
            next.admissibility = Some(Admissibility {
                admissible: *admissible,
                by: me.clone(),
                at: now,
                reason: reason.clone(),
            });
            if *admissible {
                next.status = Status::Admissible;
            } else {
                close(
                    &mut next,
                    ClosureReason::Inadmissible,
                    &me,
                    now,
                    reason.clone(),
                );
            }
            why = reason;
            (
                EventKind::AdmissibilityDecided,
                json!({ "admissible": admissible }),
            )
        }

        Action::ScheduleInterview {
            appointment_id,
            at,
            officer_id,
            officer_sex,
            interpreter_language,
            override_reason,
        } => {
            let Some(appointment_id) = clean(Some(appointment_id)) else {
                return Err(
                    Refusal::invalid("The appointment has no identifier.").on("appointment_id")
                );
            };
            let Some(officer_id) = clean(Some(officer_id)) else {
                return Err(
                    Refusal::invalid("Choose the officer who will hold the interview.")
                        .on("officer_id"),
                );
            };
            if *at < now {
                return Err(Refusal::invalid(
                    "The appointment time has already passed; choose a time from now on.",
                )
                .on("at"));
            }
            if stage == Stage::Appeal
                && state
                    .first_instance_officers()
                    .contains(officer_id.as_str())
            {
                return Err(Refusal::invalid(
                    "This officer took part in the first-instance decision; the appeal interview \
                     needs another officer.",
                )
                .on("officer_id"));
            }
            let override_reason = clean(override_reason.as_deref());
            let conflict = interviewer_conflict(state, officer_sex.as_deref());
            if let Some(c) = &conflict
                && override_reason.is_none()
            {
                return Err(Refusal::invalid(format!(
                    "The applicant asked for an interviewer of sex {}; choose such an officer, \
                     or give the reason for the exception.",
                    c.requested
                ))
                .on("override_reason"));
            }
            let appointment = Appointment {
                id: appointment_id.clone(),
                at: *at,
                officer_id: officer_id.clone(),
                interpreter_language: clean(interpreter_language.as_deref()),
                override_reason: override_reason.filter(|_| conflict.is_some()),
                scheduled_by: me.clone(),
            };
            let rescheduled = match next
                .appointments
                .iter_mut()
                .find(|a| a.id == appointment_id)
            {
                Some(existing) => {
                    *existing = appointment.clone();
                    true
                }
                None => {
                    next.appointments.push(appointment.clone());
                    false
                }
            };
            next.status = Status::Scheduled;
            why = appointment.override_reason.clone();
            (
                EventKind::InterviewScheduled,
                json!({
                    "appointment_id": appointment.id,
                    "at": appointment.at,
                    "officer_id": appointment.officer_id,
                    "interpreter_language": appointment.interpreter_language,
                    "rescheduled": rescheduled,
                    "interviewer_sex_override": conflict.is_some(),
                }),
            )
        }

        Action::RecordInterview {
            principal_attended,
            notes_ref,
            interpreter_language,
            override_reason,
        } => {
            let override_reason = clean(override_reason.as_deref());
            let conflict = interviewer_conflict(state, actor.sex.as_deref());
            let overridden_at_scheduling = state
                .appointments
                .iter()
                .any(|a| a.officer_id == me && a.override_reason.is_some());
            if let Some(c) = &conflict
                && override_reason.is_none()
                && !overridden_at_scheduling
            {
                return Err(Refusal::invalid(format!(
                    "The applicant asked for an interviewer of sex {}; an interview by another \
                     officer needs the reason for the exception.",
                    c.requested
                ))
                .on("override_reason"));
            }
            let interpreter = clean(interpreter_language.as_deref()).or_else(|| {
                state
                    .next_appointment()
                    .and_then(|a| a.interpreter_language.clone())
            });
            next.stage_record_mut(stage).interviews.push(Interview {
                interviewer_id: me.clone(),
                at: now,
                principal_attended: *principal_attended,
                interpreter_language: interpreter.clone(),
                notes_ref: clean(notes_ref.as_deref()),
            });
            if *principal_attended {
                next.status = Status::Interviewed;
                next.appointments.clear();
                next.no_show_at = None;
            }
            why = override_reason.filter(|_| conflict.is_some());
            (
                EventKind::InterviewRecorded,
                json!({
                    "principal_attended": principal_attended,
                    "interpreter_language": interpreter,
                    "interviewer_sex_override": conflict.is_some(),
                }),
            )
        }

        Action::RecordNoShow => {
            // The precheck guarantees a passed appointment; refuse rather than panic if not.
            let Some(index) = next
                .appointments
                .iter()
                .enumerate()
                .filter(|(_, a)| a.at <= now)
                .min_by_key(|(_, a)| a.at)
                .map(|(i, _)| i)
            else {
                return Err(Refusal::invalid(
                    "No appointment of this case has passed yet; a no-show can be recorded only \
                     after the appointment time.",
                ));
            };
            let missed = next.appointments.remove(index);
            next.no_show_at = Some(next.no_show_at.map_or(missed.at, |t| t.max(missed.at)));
            let data = json!({ "appointment_id": missed.id, "appointment_at": missed.at });
            next.stage_record_mut(stage)
                .missed_appointments
                .push(missed);
            (EventKind::NoShowRecorded, data)
        }

        Action::RecordContact => {
            next.last_contact_at = Some(next.last_contact_at.map_or(now, |t| t.max(now)));
            (EventKind::ContactRecorded, json!({}))
        }

        Action::SubmitAssessment {
            recommendations,
            assessment_ref,
        } => {
            let assessment_ref = clean(assessment_ref.as_deref());
            if assessment_ref.is_none() && !state.modality.allows_short_assessment() {
                return Err(Refusal::invalid(
                    "Attach the written assessment; only simplified cases may use the short form.",
                )
                .on("assessment_ref"));
            }
            let recommendations = check_recommendations(state, rules, recommendations)?;
            next.stage_record_mut(stage).assessment = Some(Assessment {
                assessor_id: me.clone(),
                at: now,
                recommendations: recommendations.clone(),
                assessment_ref,
            });
            next.status = Status::Assessed;
            (
                EventKind::AssessmentSubmitted,
                json!({ "recommendations": recommendations }),
            )
        }

        Action::ReviewAssessment { approve, comments } => {
            let comments = clean(comments.as_deref());
            if !approve && comments.is_none() {
                return Err(Refusal::invalid(
                    "Say what must change when sending an assessment back.",
                )
                .on("comments"));
            }
            if *approve && !state.current().principal_interviewed() {
                return Err(Refusal::invalid(
                    "The principal applicant has not been interviewed at this stage; no decision \
                     can be taken without an interview.",
                )
                .on("approve"));
            }
            let record = next.stage_record_mut(stage);
            let Some(assessment) = record.assessment.take() else {
                return Err(Refusal::invalid("There is no assessment awaiting review."));
            };
            record.reviews.push(Review {
                reviewer_id: me.clone(),
                assessor_id: assessment.assessor_id.clone(),
                at: now,
                approved: *approve,
                comments: comments.clone(),
            });
            why = comments;
            if *approve {
                record.decisions = assessment.recommendations.clone();
                record.decided_at = Some(now);
                let data =
                    json!({ "decisions": record.decisions, "assessor_id": assessment.assessor_id });
                record.assessment = Some(assessment);
                next.status = Status::Decided;
                (EventKind::Decided, data)
            } else {
                let data = json!({ "assessor_id": assessment.assessor_id });
                record.returned_assessments.push(assessment);
                next.status = Status::Interviewed;
                (EventKind::AssessmentReturned, data)
            }
        }

        Action::NotifyDecision => {
            next.stage_record_mut(stage).notified_at = Some(now);
            let negative = state.current().has_negative_decision();
            let closing = match stage {
                Stage::Appeal => Some(ClosureReason::AppealDecided),
                Stage::FirstInstance if !negative => Some(ClosureReason::Recognised),
                Stage::FirstInstance => None,
            };
            match closing {
                Some(reason) => close(&mut next, reason, &me, now, None),
                None => next.status = Status::Notified,
            }
            let d = deadlines(&next, rules);
            (
                EventKind::Notified,
                json!({
                    "closure_reason": closing.map(ClosureReason::as_str),
                    "appeal_deadline": d.appeal_deadline,
                    "appeal_grace_end": d.appeal_grace_end,
                }),
            )
        }

        Action::LodgeAppeal { lodged_at } => {
            let d = deadlines(state, rules);
            let (Some(notified), Some(deadline), Some(grace_end)) = (
                state.first_instance.notified_at,
                d.appeal_deadline,
                d.appeal_grace_end,
            ) else {
                return Err(Refusal::invalid(
                    "No appealable first-instance decision has been notified.",
                ));
            };
            if *lodged_at > now {
                return Err(
                    Refusal::invalid("The appeal cannot be dated in the future.").on("lodged_at"),
                );
            }
            if *lodged_at < notified {
                return Err(Refusal::invalid(
                    "The appeal is dated before the decision was notified; check the date.",
                )
                .on("lodged_at"));
            }
            if *lodged_at > grace_end {
                return Err(Refusal::invalid(format!(
                    "The appeal was lodged on {}, after the deadline of {} and the grace period \
                     that ended on {}; it cannot be accepted.",
                    lodged_at.date(),
                    deadline.date(),
                    grace_end.date()
                ))
                .on("lodged_at"));
            }
            let late = *lodged_at > deadline;
            next.stage = Stage::Appeal;
            next.status = Status::AppealLodged;
            next.appeal_lodged_at = Some(*lodged_at);
            next.appeal_late = late;
            next.appointments.clear();
            next.no_show_at = None;
            // The appeal must go to someone new; the supervisor assigns it.
            let unassigned = state
                .assigned_officer
                .as_deref()
                .is_some_and(|o| state.first_instance_officers().contains(o));
            if unassigned {
                next.assigned_officer = None;
            }
            (
                EventKind::AppealLodged,
                json!({
                    "lodged_at": lodged_at,
                    "late": late,
                    "appeal_deadline": deadline,
                    "appeal_grace_end": grace_end,
                    "unassigned": unassigned,
                }),
            )
        }

        Action::Withdraw { reason } => {
            let Some(reason) = clean(Some(reason)) else {
                return Err(
                    Refusal::invalid("Record the applicant's reason for withdrawing.").on("reason"),
                );
            };
            next.status = Status::Withdrawn;
            next.status_before_hold = None;
            next.hold_reason = None;
            next.appointments.clear();
            next.closure = Some(Closure {
                reason: ClosureReason::Withdrawn,
                at: now,
                by: me.clone(),
                note: Some(reason.clone()),
            });
            why = Some(reason);
            (EventKind::Withdrawn, json!({}))
        }

        Action::Close { reason } => {
            if !ClosureReason::MANUAL.contains(reason) {
                return Err(Refusal::invalid(format!(
                    "The closure reason {} is set by the procedure itself; a supervisor closes a \
                     case as no_appeal, duplicate, deceased or left_country.",
                    reason.as_str()
                ))
                .on("reason"));
            }
            if *reason == ClosureReason::NoAppeal {
                let grace_end = (state.status == Status::Notified)
                    .then(|| deadlines(state, rules).appeal_grace_end)
                    .flatten();
                match grace_end {
                    None => {
                        return Err(Refusal::invalid(
                            "No appealable decision is waiting for an appeal; no_appeal does not \
                             apply.",
                        )
                        .on("reason"));
                    }
                    Some(end) if now <= end => {
                        return Err(Refusal::invalid(format!(
                            "The appeal period and its grace period run until {}; the case \
                             cannot be closed for lack of an appeal before then.",
                            end.date()
                        ))
                        .on("reason"));
                    }
                    Some(_) => {}
                }
            }
            close(&mut next, *reason, &me, now, None);
            (EventKind::Closed, json!({ "reason": reason.as_str() }))
        }

        Action::ConfirmAbandonment => {
            next.status = Status::Abandoned;
            next.appointments.clear();
            next.closure = Some(Closure {
                reason: ClosureReason::Abandoned,
                at: now,
                by: me.clone(),
                note: None,
            });
            (
                EventKind::Abandoned,
                json!({ "missed_at": state.no_show_at, "last_contact_at": state.last_contact_at }),
            )
        }

        Action::Reopen {
            ground,
            approver_id,
            approver_roles,
        } => {
            let Some(approver_id) = clean(Some(approver_id)) else {
                return Err(
                    Refusal::invalid("A reopening needs the supervisor who approves it.")
                        .on("approver_id"),
                );
            };
            if approver_id == me {
                return Err(Refusal::forbidden(
                    "You requested this reopening; another supervisor must approve it.",
                )
                .on("approver_id"));
            }
            if !approver_roles.contains(&Role::Supervisor) {
                return Err(
                    Refusal::invalid("The approver of a reopening must be a supervisor.")
                        .on("approver_id"),
                );
            }
            if *ground == ReopenGround::AbandonmentReopened && state.status != Status::Abandoned {
                return Err(Refusal::invalid(
                    "Only an abandoned case is reopened on the ground abandonment_reopened.",
                )
                .on("ground"));
            }
            let past_round = if *ground == ReopenGround::AbandonmentReopened {
                // The applicant is back: the case waits for a new appointment at its stage.
                next.status = match (state.stage, &state.admissibility) {
                    (Stage::Appeal, _) => Status::AppealLodged,
                    (Stage::FirstInstance, Some(a)) if a.admissible => Status::Admissible,
                    (Stage::FirstInstance, _) => Status::Registered,
                };
                next.closure = None;
                next.last_contact_at = Some(now);
                None
            } else {
                // A new examination: the earlier records are kept aside, not reused by the guards.
                let past = PastRound {
                    admissibility: next.admissibility.take(),
                    first_instance: std::mem::take(&mut next.first_instance),
                    appeal: std::mem::take(&mut next.appeal),
                    appeal_lodged_at: next.appeal_lodged_at.take(),
                    appeal_late: std::mem::take(&mut next.appeal_late),
                    closure: next.closure.take(),
                };
                next.stage = Stage::FirstInstance;
                next.status = Status::Registered;
                Some(past)
            };
            next.appointments.clear();
            next.no_show_at = None;
            next.status_before_hold = None;
            next.hold_reason = None;
            let new_examination = past_round.is_some();
            next.reopenings.push(Reopening {
                at: now,
                ground: *ground,
                requested_by: me.clone(),
                approved_by: approver_id.clone(),
                from_status: state.status,
                to_status: next.status,
                to_stage: next.stage,
                past_round,
            });
            why = Some(ground.as_str().to_owned());
            (
                EventKind::Reopened,
                json!({
                    "ground": ground.as_str(),
                    "approver_id": approver_id,
                    "new_examination": new_examination,
                }),
            )
        }

        Action::Assign { officer_id } => {
            let Some(officer_id) = clean(Some(officer_id)) else {
                return Err(Refusal::invalid("Choose the officer to assign.").on("officer_id"));
            };
            if state.assigned_officer.as_deref() == Some(officer_id.as_str()) {
                return Err(
                    Refusal::invalid("The case is already assigned to this officer.")
                        .on("officer_id"),
                );
            }
            if stage == Stage::Appeal
                && state
                    .first_instance_officers()
                    .contains(officer_id.as_str())
            {
                return Err(Refusal::invalid(
                    "This officer took part in the first-instance decision; assign the appeal to \
                     another officer.",
                )
                .on("officer_id"));
            }
            next.assigned_officer = Some(officer_id.clone());
            (
                EventKind::Assigned,
                json!({ "from": state.assigned_officer, "to": officer_id }),
            )
        }

        Action::PutOnHold { reason } => {
            let Some(reason) = clean(Some(reason)) else {
                return Err(Refusal::invalid("Say why the case is put on hold.").on("reason"));
            };
            next.status_before_hold = Some(state.status);
            next.hold_reason = Some(reason.clone());
            next.status = Status::OnHold;
            why = Some(reason);
            (EventKind::PutOnHold, json!({}))
        }

        Action::Resume => {
            let Some(back) = next.status_before_hold.take() else {
                return Err(Refusal::invalid(
                    "The status before the hold was not kept, so the case cannot resume.",
                ));
            };
            next.status = back;
            next.hold_reason = None;
            (EventKind::Resumed, json!({}))
        }
    };

    next.version = state.version.saturating_add(1);
    let event = CaseEvent {
        kind: event_kind,
        action: kind,
        actor_id: me,
        at: now,
        from_status: state.status,
        to_status: next.status,
        from_stage: state.stage,
        stage: next.stage,
        version: next.version,
        why,
        data,
    };
    Ok(Transition { state: next, event })
}

/// Trimmed text, `None` when empty.
fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn close(
    state: &mut CaseState,
    reason: ClosureReason,
    by: &str,
    at: NaiveDateTime,
    note: Option<String>,
) {
    state.status = Status::Closed;
    state.appointments.clear();
    state.closure = Some(Closure {
        reason,
        at,
        by: by.to_owned(),
        note,
    });
}

/// One recommendation per individual the stage decides on, each complete; returned with reason
/// lists sorted and without repeats so letters list them once.
fn check_recommendations(
    state: &CaseState,
    rules: &UnitRules,
    given: &[IndividualOutcome],
) -> Result<Vec<IndividualOutcome>, Refusal> {
    let concerned: BTreeSet<&str> = state.individuals_concerned().into_iter().collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(given.len());
    let refuse = |m: String| Err(Refusal::invalid(m).on("recommendations"));
    for rec in given {
        let id = rec.individual_id.as_str();
        if !concerned.contains(id) {
            return refuse(format!(
                "{id} is not among the individuals this stage decides on."
            ));
        }
        if !seen.insert(id) {
            return refuse(format!(
                "{id} has two recommendations; give one per individual."
            ));
        }
        let outcome = match &rec.outcome {
            Outcome::Recognised { ground } => {
                if *ground == Ground::Cartagena && !rules.cartagena {
                    return refuse(format!(
                        "This unit does not apply the Cartagena definition; recognise {id} under \
                         the 1951 Convention or give another recommendation."
                    ));
                }
                Outcome::Recognised { ground: *ground }
            }
            Outcome::Rejected { reasons } => {
                let mut reasons = reasons.clone();
                reasons.sort_by_key(|r| r.as_str());
                reasons.dedup();
                if reasons.is_empty() {
                    return refuse(format!(
                        "The rejection of {id} must state at least one reason from the standard \
                         list."
                    ));
                }
                Outcome::Rejected { reasons }
            }
            Outcome::Excluded { clauses } => {
                let mut clauses = clauses.clone();
                clauses.sort_by_key(|c| c.as_str());
                clauses.dedup();
                if clauses.is_empty() {
                    return refuse(format!(
                        "The exclusion of {id} must name the clause of the Convention it rests on."
                    ));
                }
                Outcome::Excluded { clauses }
            }
        };
        out.push(IndividualOutcome {
            individual_id: rec.individual_id.clone(),
            outcome,
        });
    }
    let missing: Vec<&str> = concerned.difference(&seen).copied().collect();
    if !missing.is_empty() {
        return refuse(format!(
            "Give a recommendation for every individual concerned; missing: {}.",
            missing.join(", ")
        ));
    }
    Ok(out)
}
