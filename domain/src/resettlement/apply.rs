//! Applying an action: the guards, then the payload's checks, then the new state.

use chrono::NaiveDate;

use super::action::{ACTIONS, Action, ActionKind, Actor, Refusal};
use super::guards::check;
use super::state::{
    Assessment, Departure, ResettlementState, Review, StateDecision, Status, Submission, text,
};
use crate::error::Reason;

/// What `actor` may do on `state` now, in the order of [`ACTIONS`].
pub fn allowed_actions(state: &ResettlementState, actor: &Actor) -> Vec<ActionKind> {
    ACTIONS
        .iter()
        .map(|a| a.kind)
        .filter(|k| check(state, actor, *k).is_ok())
        .collect()
}

/// The state after `action`, or why it is refused. The state given is never changed.
pub fn apply(
    state: &ResettlementState,
    actor: &Actor,
    action: Action,
    today: NaiveDate,
) -> Result<ResettlementState, Refusal> {
    check(state, actor, action.kind())?;
    let mut next = state.clone();
    let me = actor.user_id.clone();
    match action {
        Action::RecordAssessment { summary } => {
            let summary = text(&summary, "summary")?;
            next.assessments.push(Assessment {
                summary,
                assessed_by: me,
                assessed_on: today,
            });
            next.status = Status::Assessed;
        }
        Action::ReviewAssessment { approve, note } => {
            let note = optional_text(note, "note")?;
            if !approve && note.is_none() {
                return Err(
                    Refusal::invalid("say what the assessment needs when returning it")
                        .on("note")
                        .because(Reason::Required),
                );
            }
            next.reviews.push(Review {
                approved: approve,
                note,
                reviewed_by: me,
                reviewed_on: today,
            });
            next.status = if approve {
                Status::Approved
            } else {
                Status::Identified
            };
        }
        Action::Submit {
            state: country,
            submitted_on,
            dossier_reference,
        } => {
            let country = country.trim().to_uppercase();
            if country.len() != 3 || !country.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(Refusal::invalid(
                    "the state is its three-letter ISO 3166 code, e.g. CAN",
                )
                .on("state")
                .because(Reason::BadFormat {
                    format: "iso3166_alpha3".into(),
                }));
            }
            if state
                .submissions
                .iter()
                .any(|s| s.state == country && s.decision == Some(StateDecision::Rejected))
            {
                return Err(Refusal::invalid(format!(
                    "{country} already rejected this case; submit it to another state"
                ))
                .on("state"));
            }
            past_or_today(submitted_on, today, "submittedOn")?;
            not_before(submitted_on, state.since, "submittedOn", "the approval")?;
            let dossier_reference = text(&dossier_reference, "dossierReference")?;
            next.submissions.push(Submission {
                state: country,
                submitted_on,
                dossier_reference,
                submitted_by: me,
                interviewed_on: None,
                decision: None,
                decided_on: None,
            });
            next.status = Status::Submitted;
        }
        Action::RecordInterview { interviewed_on } => {
            past_or_today(interviewed_on, today, "interviewedOn")?;
            let Some(s) = next.submissions.last_mut() else {
                return Err(Refusal::invalid("the case was never submitted"));
            };
            not_before(
                interviewed_on,
                s.submitted_on,
                "interviewedOn",
                "the submission",
            )?;
            s.interviewed_on = Some(interviewed_on);
            next.status = Status::Interviewed;
        }
        Action::RecordDecision {
            decision,
            decided_on,
        } => {
            past_or_today(decided_on, today, "decidedOn")?;
            let Some(s) = next.submissions.last_mut() else {
                return Err(Refusal::invalid("the case was never submitted"));
            };
            let after = s.interviewed_on.unwrap_or(s.submitted_on);
            not_before(
                decided_on,
                after,
                "decidedOn",
                "the submission or interview",
            )?;
            s.decision = Some(decision);
            s.decided_on = Some(decided_on);
            next.status = match decision {
                StateDecision::Accepted => Status::Accepted,
                StateDecision::Rejected => Status::Rejected,
            };
        }
        Action::RecordDeparture { departed_on } => {
            past_or_today(departed_on, today, "departedOn")?;
            let decided = state
                .submission()
                .and_then(|s| s.decided_on)
                .unwrap_or(state.since);
            not_before(departed_on, decided, "departedOn", "the state's decision")?;
            next.departure = Some(Departure {
                departed_on,
                recorded_by: me,
            });
            next.status = Status::Departed;
        }
        Action::Exit { reason, note } => {
            next.exit_note = optional_text(note, "note")?;
            next.exit_reason = Some(reason);
            next.status = Status::Exited;
        }
    }
    next.since = today;
    Ok(next)
}

fn optional_text(v: Option<String>, field: &'static str) -> Result<Option<String>, Refusal> {
    v.filter(|n| !n.trim().is_empty())
        .map(|n| text(&n, field))
        .transpose()
}

fn past_or_today(date: NaiveDate, today: NaiveDate, field: &'static str) -> Result<(), Refusal> {
    if date > today {
        Err(Refusal::invalid("the date is in the future")
            .on(field)
            .because(Reason::InFuture))
    } else {
        Ok(())
    }
}

fn not_before(
    date: NaiveDate,
    earliest: NaiveDate,
    field: &'static str,
    what: &str,
) -> Result<(), Refusal> {
    if date < earliest {
        Err(Refusal::invalid(format!("the date is before {what}"))
            .on(field)
            .because(Reason::TooEarly {
                min: earliest.to_string(),
            }))
    } else {
        Ok(())
    }
}
