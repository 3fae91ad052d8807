//! Applying an action: the payload checks, the new state and the event that records it.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;

use super::action::{Action, ActionKind, Actor, CaseEvent, Refusal, Transition};
use super::guards::{interviewer_conflict, precheck};
use super::payload::StepData;
use super::rules::{UnitRules, deadlines};
use super::state::{
    Admissibility, Appointment, Assessment, CaseState, Closure, ClosureReason, Ground,
    IndividualOutcome, Interview, Outcome, PastRound, ReopenGround, Reopening, Review, Stage,
    Status,
};
use crate::access::Role;
use crate::code_lists;
use crate::error::Reason;

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

    let mut s = Step {
        state,
        next: state.clone(),
        actor,
        me: actor.user_id.clone(),
        rules,
        now,
        why: None,
    };
    let data = match action {
        Action::DecideAdmissibility { admissible, reason } => {
            decide_admissibility(&mut s, admissible, reason.as_deref())?
        }

        Action::ScheduleInterview {
            appointment_id,
            at,
            officer_id,
            officer_sex,
            interpreter_language,
            override_reason,
        } => schedule_interview(
            &mut s,
            appointment_id,
            at,
            officer_id,
            officer_sex.as_deref(),
            interpreter_language.as_deref(),
            override_reason.as_deref(),
        )?,

        Action::RecordInterview {
            principal_attended,
            held_at,
            notes_ref,
            interpreter_language,
            override_reason,
        } => record_interview(
            &mut s,
            principal_attended,
            *held_at,
            notes_ref.as_deref(),
            interpreter_language.as_deref(),
            override_reason.as_deref(),
        )?,

        Action::RecordNoShow => record_no_show(&mut s)?,

        Action::RecordContact { channel, note } => {
            record_contact(&mut s, channel.as_deref(), note.as_deref())?
        }

        Action::SubmitAssessment {
            recommendations,
            assessment_ref,
        } => submit_assessment(&mut s, recommendations, assessment_ref.as_deref())?,

        Action::ReviewAssessment { approve, comments } => {
            review_assessment(&mut s, approve, comments.as_deref())?
        }

        Action::NotifyDecision {
            notified_at,
            method,
        } => notify_decision(&mut s, *notified_at, method.as_deref())?,

        Action::LodgeAppeal { lodged_at } => lodge_appeal(&mut s, lodged_at)?,

        Action::Withdraw { reason } => withdraw(&mut s, reason)?,

        Action::Close { reason } => close_case(&mut s, reason)?,

        Action::ConfirmAbandonment => {
            s.next.status = Status::Abandoned;
            s.next.appointments.clear();
            s.next.closure = Some(Closure {
                reason: ClosureReason::Abandoned,
                at: s.now,
                by: s.me.clone(),
                note: None,
            });
            StepData::Abandoned {
                missed_at: s.state.no_show_at,
                last_contact_at: s.state.last_contact_at,
            }
        }

        Action::Reopen {
            ground,
            approver_id,
            approver_roles,
        } => reopen(&mut s, ground, approver_id, approver_roles)?,

        Action::Assign { officer_id } => assign(&mut s, officer_id)?,

        Action::PutOnHold { reason } => {
            let Some(reason) = clean(Some(reason)) else {
                return Err(Refusal::invalid("Say why the case is put on hold.").on("reason"));
            };
            s.next.status_before_hold = Some(s.state.status);
            s.next.hold_reason = Some(reason.clone());
            s.next.status = Status::OnHold;
            s.why = Some(reason);
            StepData::PutOnHold {}
        }

        Action::Resume => {
            let Some(back) = s.next.status_before_hold.take() else {
                return Err(Refusal::invalid(
                    "The status before the hold was not kept, so the case cannot resume.",
                ));
            };
            s.next.status = back;
            s.next.hold_reason = None;
            StepData::Resumed {}
        }
    };

    s.next.version = s.state.version.saturating_add(1);
    let event = CaseEvent {
        kind: data.kind(),
        action: kind,
        actor_id: s.me,
        at: s.now,
        from_status: s.state.status,
        to_status: s.next.status,
        from_stage: s.state.stage,
        stage: s.next.stage,
        version: s.next.version,
        why: s.why,
        data,
    };
    Ok(Transition {
        state: s.next,
        event,
    })
}

/// What an action works on: the case as it was, the case being built, who acts, when, and the
/// reason given, which the event records as its `why`.
struct Step<'a> {
    state: &'a CaseState,
    next: CaseState,
    actor: &'a Actor,
    me: String,
    rules: &'a UnitRules,
    now: NaiveDateTime,
    why: Option<String>,
}

/// Decides admissibility; an inadmissible case closes, with the reason given to the applicant.
fn decide_admissibility(
    s: &mut Step<'_>,
    admissible: &bool,
    reason: Option<&str>,
) -> Result<StepData, Refusal> {
    let reason = clean(reason);
    if !admissible && reason.is_none() {
        return Err(Refusal::invalid(
            "Say why the case is inadmissible; the reason is given to the applicant.",
        )
        .on("reason"));
    }
    s.next.admissibility = Some(Admissibility {
        admissible: *admissible,
        by: s.me.clone(),
        at: s.now,
        reason: reason.clone(),
    });
    if *admissible {
        s.next.status = Status::Admissible;
    } else {
        close(
            &mut s.next,
            ClosureReason::Inadmissible,
            &s.me,
            s.now,
            reason.clone(),
        );
    }
    s.why = reason;
    Ok(StepData::AdmissibilityDecided {
        admissible: *admissible,
    })
}

/// Records that the applicant missed the earliest passed appointment, which starts the
/// abandonment clock.
fn record_no_show(s: &mut Step<'_>) -> Result<StepData, Refusal> {
    // The precheck guarantees a passed appointment; refuse rather than panic if not.
    let Some(index) = s
        .next
        .appointments
        .iter()
        .enumerate()
        .filter(|(_, a)| a.at <= s.now)
        .min_by_key(|(_, a)| a.at)
        .map(|(i, _)| i)
    else {
        return Err(Refusal::invalid(
            "No appointment of this case has passed yet; a no-show can be recorded only \
             after the appointment time.",
        ));
    };
    let missed = s.next.appointments.remove(index);
    s.next.no_show_at = Some(s.next.no_show_at.map_or(missed.at, |t| t.max(missed.at)));
    let data = StepData::NoShowRecorded {
        appointment_id: missed.id.clone(),
        appointment_at: missed.at,
    };
    s.next
        .stage_record_mut(s.state.stage)
        .missed_appointments
        .push(missed);
    Ok(data)
}

/// Submits the assessment with one recommendation per individual concerned, for review.
fn submit_assessment(
    s: &mut Step<'_>,
    recommendations: &[IndividualOutcome],
    assessment_ref: Option<&str>,
) -> Result<StepData, Refusal> {
    let assessment_ref = clean(assessment_ref);
    if assessment_ref.is_none() && !s.state.modality.allows_short_assessment() {
        return Err(Refusal::invalid(
            "Attach the written assessment; only simplified cases may use the short form.",
        )
        .on("assessment_ref"));
    }
    let recommendations = check_recommendations(s.state, s.rules, recommendations)?;
    s.next.stage_record_mut(s.state.stage).assessment = Some(Assessment {
        assessor_id: s.me.clone(),
        at: s.now,
        recommendations: recommendations.clone(),
        assessment_ref,
    });
    s.next.status = Status::Assessed;
    Ok(StepData::AssessmentSubmitted { recommendations })
}

/// Records that the decision was notified; closes the case when nothing is left to appeal.
fn notify_decision(
    s: &mut Step<'_>,
    notified_at: Option<NaiveDateTime>,
    method: Option<&str>,
) -> Result<StepData, Refusal> {
    let method = clean(method);
    if let Some(m) = &method
        && !code_lists::has(code_lists::NOTIFICATION_METHODS, m)
    {
        return Err(unknown_code("notification_methods", m).on("method"));
    }
    let at = notified_at.unwrap_or(s.now);
    if at > s.now {
        return Err(
            Refusal::invalid("The decision cannot be notified in the future.")
                .on("notified_at")
                .because(Reason::InFuture),
        );
    }
    if let Some(decided) = s.state.current().decided_at
        && at < decided
    {
        return Err(Refusal::invalid(format!(
            "The decision was taken on {}; it cannot have been notified before.",
            decided.date()
        ))
        .on("notified_at")
        .because(Reason::TooEarly {
            min: decided.format("%Y-%m-%dT%H:%M:%S").to_string(),
        }));
    }
    s.next.stage_record_mut(s.state.stage).notified_at = Some(at);
    let negative = s.state.current().has_negative_decision();
    let closing = match s.state.stage {
        Stage::Appeal => Some(ClosureReason::AppealDecided),
        Stage::FirstInstance if !negative => Some(ClosureReason::Recognised),
        Stage::FirstInstance => None,
    };
    match closing {
        Some(reason) => close(&mut s.next, reason, &s.me, s.now, None),
        None => s.next.status = Status::Notified,
    }
    let d = deadlines(&s.next, s.rules);
    Ok(StepData::Notified {
        notified_at: Some(at),
        method,
        closure_reason: closing.map(|c| c.as_str().to_owned()),
        appeal_deadline: d.appeal_deadline,
        appeal_grace_end: d.appeal_grace_end,
    })
}

/// Ends the case at the applicant's request, with their reason.
fn withdraw(s: &mut Step<'_>, reason: &str) -> Result<StepData, Refusal> {
    let Some(reason) = clean(Some(reason)) else {
        return Err(
            Refusal::invalid("Record the applicant's reason for withdrawing.").on("reason"),
        );
    };
    s.next.status = Status::Withdrawn;
    s.next.status_before_hold = None;
    s.next.hold_reason = None;
    s.next.appointments.clear();
    s.next.closure = Some(Closure {
        reason: ClosureReason::Withdrawn,
        at: s.now,
        by: s.me.clone(),
        note: Some(reason.clone()),
    });
    s.why = Some(reason);
    Ok(StepData::Withdrawn {})
}

/// Gives the case to another officer (never one of the first instance at appeal).
fn assign(s: &mut Step<'_>, officer_id: &str) -> Result<StepData, Refusal> {
    let Some(officer_id) = clean(Some(officer_id)) else {
        return Err(Refusal::invalid("Choose the officer to assign.").on("officer_id"));
    };
    if s.state.assigned_officer.as_deref() == Some(officer_id.as_str()) {
        return Err(
            Refusal::invalid("The case is already assigned to this officer.").on("officer_id"),
        );
    }
    if s.state.stage == Stage::Appeal
        && s.state
            .first_instance_officers()
            .contains(officer_id.as_str())
    {
        return Err(Refusal::invalid(
            "This officer took part in the first-instance decision; assign the appeal to \
             another officer.",
        )
        .on("officer_id"));
    }
    s.next.assigned_officer = Some(officer_id.clone());
    Ok(StepData::Assigned {
        from: s.state.assigned_officer.clone(),
        to: officer_id,
    })
}

/// Schedules (or moves) an interview: the officer, the time, the interpreter, and the reason for
/// an interviewer of another sex than the applicant asked for.
fn schedule_interview(
    s: &mut Step<'_>,
    appointment_id: &str,
    at: &NaiveDateTime,
    officer_id: &str,
    officer_sex: Option<&str>,
    interpreter_language: Option<&str>,
    override_reason: Option<&str>,
) -> Result<StepData, Refusal> {
    let Some(appointment_id) = clean(Some(appointment_id)) else {
        return Err(Refusal::invalid("The appointment has no identifier.").on("appointment_id"));
    };
    let Some(officer_id) = clean(Some(officer_id)) else {
        return Err(
            Refusal::invalid("Choose the officer who will hold the interview.").on("officer_id"),
        );
    };
    if *at < s.now {
        return Err(Refusal::invalid(
            "The appointment time has already passed; choose a time from now on.",
        )
        .on("at"));
    }
    if s.state.stage == Stage::Appeal
        && s.state
            .first_instance_officers()
            .contains(officer_id.as_str())
    {
        return Err(Refusal::invalid(
            "This officer took part in the first-instance decision; the appeal interview \
             needs another officer.",
        )
        .on("officer_id"));
    }
    let override_reason = clean(override_reason);
    let conflict = interviewer_conflict(s.state, officer_sex);
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
        interpreter_language: clean(interpreter_language),
        override_reason: override_reason.filter(|_| conflict.is_some()),
        scheduled_by: s.me.clone(),
    };
    let rescheduled = match s
        .next
        .appointments
        .iter_mut()
        .find(|a| a.id == appointment_id)
    {
        Some(existing) => {
            *existing = appointment.clone();
            true
        }
        None => {
            s.next.appointments.push(appointment.clone());
            false
        }
    };
    s.next.status = Status::Scheduled;
    s.why = appointment.override_reason.clone();
    Ok(StepData::InterviewScheduled {
        appointment_id: appointment.id,
        at: appointment.at,
        officer_id: appointment.officer_id,
        interpreter_language: appointment.interpreter_language,
        rescheduled,
        interviewer_sex_override: conflict.is_some(),
    })
}

/// The longest note kept with a contact.
pub const MAX_CONTACT_NOTE: usize = 1000;

/// Records that the applicant got in touch now, how, and a short note (kept as the event's why).
fn record_contact(
    s: &mut Step<'_>,
    channel: Option<&str>,
    note: Option<&str>,
) -> Result<StepData, Refusal> {
    let channel = clean(channel);
    if let Some(c) = &channel
        && !code_lists::has(code_lists::CONTACT_CHANNELS, c)
    {
        return Err(unknown_code("contact_channels", c).on("channel"));
    }
    let note = clean(note);
    if note
        .as_deref()
        .is_some_and(|n| n.chars().count() > MAX_CONTACT_NOTE)
    {
        return Err(Refusal::invalid(format!(
            "The note is longer than {MAX_CONTACT_NOTE} characters."
        ))
        .on("note")
        .because(Reason::TooLong {
            max: MAX_CONTACT_NOTE,
        }));
    }
    s.next.last_contact_at = Some(s.next.last_contact_at.map_or(s.now, |t| t.max(s.now)));
    s.why = note;
    Ok(StepData::ContactRecorded { channel })
}

fn unknown_code(vocabulary: &str, value: &str) -> Refusal {
    Refusal::invalid(format!("{value:?} is not a code of the list {vocabulary}.")).because(
        Reason::UnknownCode {
            vocabulary: vocabulary.to_owned(),
            value: value.to_owned(),
        },
    )
}

/// When an interview was held: as given, or at its appointment (now if that is still ahead or
/// there was none); never in the future nor before the appointment's day.
fn interview_time(s: &Step<'_>, held_at: Option<NaiveDateTime>) -> Result<NaiveDateTime, Refusal> {
    let appointment = s
        .state
        .appointments
        .iter()
        .filter(|a| a.officer_id == s.me)
        .min_by_key(|a| a.at)
        .or_else(|| s.state.next_appointment());
    let at = held_at.unwrap_or_else(|| appointment.map_or(s.now, |a| a.at.min(s.now)));
    if at > s.now {
        return Err(
            Refusal::invalid("An interview cannot be recorded as held in the future.")
                .on("held_at")
                .because(Reason::InFuture),
        );
    }
    // An interview held ahead of its appointment's day (the applicant came early) can only be
    // dated today: the record never places it before both.
    if let Some(a) = appointment {
        let first_day = a.at.date().min(s.now.date());
        if at.date() < first_day {
            return Err(Refusal::invalid(format!(
                "The interview was booked for {}; it cannot have been held before {first_day}.",
                a.at.date()
            ))
            .on("held_at")
            .because(Reason::TooEarly {
                min: first_day.to_string(),
            }));
        }
    }
    Ok(at)
}

/// Records an interview held by the actor; the case moves on only if the principal attended.
fn record_interview(
    s: &mut Step<'_>,
    principal_attended: &bool,
    held_at: Option<NaiveDateTime>,
    notes_ref: Option<&str>,
    interpreter_language: Option<&str>,
    override_reason: Option<&str>,
) -> Result<StepData, Refusal> {
    let override_reason = clean(override_reason);
    let held_at = interview_time(s, held_at)?;
    let conflict = interviewer_conflict(s.state, s.actor.sex.as_deref());
    let overridden_at_scheduling = s
        .state
        .appointments
        .iter()
        .any(|a| a.officer_id == s.me && a.override_reason.is_some());
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
    let interpreter = clean(interpreter_language).or_else(|| {
        s.state
            .next_appointment()
            .and_then(|a| a.interpreter_language.clone())
    });
    s.next
        .stage_record_mut(s.state.stage)
        .interviews
        .push(Interview {
            interviewer_id: s.me.clone(),
            at: held_at,
            principal_attended: *principal_attended,
            interpreter_language: interpreter.clone(),
            notes_ref: clean(notes_ref),
        });
    if *principal_attended {
        s.next.status = Status::Interviewed;
        s.next.appointments.clear();
        s.next.no_show_at = None;
    }
    s.why = override_reason.filter(|_| conflict.is_some());
    Ok(StepData::InterviewRecorded {
        principal_attended: *principal_attended,
        held_at: Some(held_at),
        interpreter_language: interpreter,
        interviewer_sex_override: conflict.is_some(),
    })
}

/// Approves the assessment awaiting review (the decision) or sends it back with comments.
fn review_assessment(
    s: &mut Step<'_>,
    approve: &bool,
    comments: Option<&str>,
) -> Result<StepData, Refusal> {
    let comments = clean(comments);
    if !approve && comments.is_none() {
        return Err(
            Refusal::invalid("Say what must change when sending an assessment back.")
                .on("comments"),
        );
    }
    if *approve && !s.state.current().principal_interviewed() {
        return Err(Refusal::invalid(
            "The principal applicant has not been interviewed at this stage; no decision \
             can be taken without an interview.",
        )
        .on("approve"));
    }
    let record = s.next.stage_record_mut(s.state.stage);
    let Some(assessment) = record.assessment.take() else {
        return Err(Refusal::invalid("There is no assessment awaiting review."));
    };
    record.reviews.push(Review {
        reviewer_id: s.me.clone(),
        assessor_id: assessment.assessor_id.clone(),
        at: s.now,
        approved: *approve,
        comments: comments.clone(),
    });
    s.why = comments;
    Ok(if *approve {
        record.decisions = assessment.recommendations.clone();
        record.decided_at = Some(s.now);
        let data = StepData::Decided {
            decisions: record.decisions.clone(),
            assessor_id: assessment.assessor_id.clone(),
        };
        record.assessment = Some(assessment);
        s.next.status = Status::Decided;
        data
    } else {
        let data = StepData::AssessmentReturned {
            assessor_id: assessment.assessor_id.clone(),
        };
        record.returned_assessments.push(assessment);
        s.next.status = Status::Interviewed;
        data
    })
}

/// Opens the appeal stage against a notified negative decision, late within the grace period.
fn lodge_appeal(s: &mut Step<'_>, lodged_at: &NaiveDateTime) -> Result<StepData, Refusal> {
    let d = deadlines(s.state, s.rules);
    let (Some(notified), Some(deadline), Some(grace_end)) = (
        s.state.first_instance.notified_at,
        d.appeal_deadline,
        d.appeal_grace_end,
    ) else {
        return Err(Refusal::invalid(
            "No appealable first-instance decision has been notified.",
        ));
    };
    if *lodged_at > s.now {
        return Err(Refusal::invalid("The appeal cannot be dated in the future.").on("lodged_at"));
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
    s.next.stage = Stage::Appeal;
    s.next.status = Status::AppealLodged;
    s.next.appeal_lodged_at = Some(*lodged_at);
    s.next.appeal_late = late;
    s.next.appointments.clear();
    s.next.no_show_at = None;
    // The appeal must go to someone new; the supervisor assigns it.
    let unassigned = s
        .state
        .assigned_officer
        .as_deref()
        .is_some_and(|o| s.state.first_instance_officers().contains(o));
    if unassigned {
        s.next.assigned_officer = None;
    }
    Ok(StepData::AppealLodged {
        lodged_at: *lodged_at,
        late,
        appeal_deadline: deadline,
        appeal_grace_end: grace_end,
        unassigned,
    })
}

/// Closes the case by a supervisor, for one of the reasons the procedure does not set itself.
fn close_case(s: &mut Step<'_>, reason: &ClosureReason) -> Result<StepData, Refusal> {
    if !ClosureReason::MANUAL.contains(reason) {
        return Err(Refusal::invalid(format!(
            "The closure reason {} is set by the procedure itself; a supervisor closes a \
             case as no_appeal, duplicate, deceased or left_country.",
            reason.as_str()
        ))
        .on("reason"));
    }
    if *reason == ClosureReason::NoAppeal {
        let grace_end = (s.state.status == Status::Notified)
            .then(|| deadlines(s.state, s.rules).appeal_grace_end)
            .flatten();
        match grace_end {
            None => {
                return Err(Refusal::invalid(
                    "No appealable decision is waiting for an appeal; no_appeal does not \
                     apply.",
                )
                .on("reason"));
            }
            Some(end) if s.now <= end => {
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
    close(&mut s.next, *reason, &s.me, s.now, None);
    Ok(StepData::Closed {
        reason: reason.as_str().to_owned(),
    })
}

/// Reopens an ended case: back where it stopped (abandonment) or a new examination.
fn reopen(
    s: &mut Step<'_>,
    ground: &ReopenGround,
    approver_id: &str,
    approver_roles: &[Role],
) -> Result<StepData, Refusal> {
    let Some(approver_id) = clean(Some(approver_id)) else {
        return Err(
            Refusal::invalid("A reopening needs the supervisor who approves it.").on("approver_id"),
        );
    };
    if approver_id == s.me {
        return Err(Refusal::forbidden(
            "You requested this reopening; another supervisor must approve it.",
        )
        .on("approver_id"));
    }
    if !approver_roles.contains(&Role::Supervisor) {
        return Err(
            Refusal::invalid("The approver of a reopening must be a supervisor.").on("approver_id"),
        );
    }
    if *ground == ReopenGround::AbandonmentReopened && s.state.status != Status::Abandoned {
        return Err(Refusal::invalid(
            "Only an abandoned case is reopened on the ground abandonment_reopened.",
        )
        .on("ground"));
    }
    let past_round = if *ground == ReopenGround::AbandonmentReopened {
        // The applicant is back: the case waits for a new appointment at its s.state.stage.
        s.next.status = match (s.state.stage, &s.state.admissibility) {
            (Stage::Appeal, _) => Status::AppealLodged,
            (Stage::FirstInstance, Some(a)) if a.admissible => Status::Admissible,
            (Stage::FirstInstance, _) => Status::Registered,
        };
        s.next.closure = None;
        s.next.last_contact_at = Some(s.now);
        None
    } else {
        // A new examination: the earlier records are kept aside, not reused by the guards.
        let past = PastRound {
            admissibility: s.next.admissibility.take(),
            first_instance: std::mem::take(&mut s.next.first_instance),
            appeal: std::mem::take(&mut s.next.appeal),
            appeal_lodged_at: s.next.appeal_lodged_at.take(),
            appeal_late: std::mem::take(&mut s.next.appeal_late),
            closure: s.next.closure.take(),
        };
        s.next.stage = Stage::FirstInstance;
        s.next.status = Status::Registered;
        Some(past)
    };
    s.next.appointments.clear();
    s.next.no_show_at = None;
    s.next.status_before_hold = None;
    s.next.hold_reason = None;
    let new_examination = past_round.is_some();
    s.next.reopenings.push(Reopening {
        at: s.now,
        ground: *ground,
        requested_by: s.me.clone(),
        approved_by: approver_id.clone(),
        from_status: s.state.status,
        to_status: s.next.status,
        to_stage: s.next.stage,
        past_round,
    });
    s.why = Some(ground.as_str().to_owned());
    Ok(StepData::Reopened {
        ground: ground.as_str().to_owned(),
        approver_id,
        new_examination,
    })
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
