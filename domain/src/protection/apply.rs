//! Applying an action: the guards, then the payload's checks, then the new state.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::action::{ACTIONS, Action, ActionKind, Actor, Refusal};
use super::guards::check;
use super::state::{
    BID_PANEL_MIN, Bia, Bid, Closure, FollowUp, PlanAction, ProtectionState, Referral, SERVICES,
    Status, client_id, text,
};
use crate::error::Reason;

/// What `actor` may do on `state` now, in the order of [`ACTIONS`].
pub fn allowed_actions(
    state: &ProtectionState,
    actor: &Actor,
    today: NaiveDate,
) -> Vec<ActionKind> {
    ACTIONS
        .iter()
        .map(|a| a.kind)
        .filter(|k| check(state, actor, *k, today).is_ok())
        .collect()
}

/// The state after `action`, or why it is refused. The state given is never changed.
pub fn apply(
    state: &ProtectionState,
    actor: &Actor,
    action: Action,
    today: NaiveDate,
) -> Result<ProtectionState, Refusal> {
    check(state, actor, action.kind(), today)?;
    let mut next = state.clone();
    let me = actor.user_id.clone();
    match action {
        Action::UpdateRisk { level, reason } => {
            text(&reason, "reason")?;
            if level == state.risk {
                return Err(
                    Refusal::invalid(format!("the risk is already {}", level.as_str())).on("level"),
                );
            }
            next.risk = level;
        }
        Action::AddPlanAction {
            action_id,
            description,
            responsible_id,
            due,
        } => {
            let id = client_id(&action_id, "actionId")?;
            if state.plan.iter().any(|a| a.id == id) {
                return Err(taken("actionId", &id));
            }
            let description = text(&description, "description")?;
            let responsible_id = text(&responsible_id, "responsibleId")?;
            not_past(due, today, "due")?;
            next.plan.push(PlanAction {
                id,
                description,
                responsible_id,
                due,
                added_by: me,
                added_on: today,
                completed_on: None,
                outcome: None,
            });
        }
        Action::CompletePlanAction { action_id, outcome } => {
            let outcome = text(&outcome, "outcome")?;
            let Some(a) = next
                .plan
                .iter_mut()
                .find(|a| a.id == action_id && a.completed_on.is_none())
            else {
                return Err(unknown("actionId", "plan action waiting to be completed"));
            };
            a.completed_on = Some(today);
            a.outcome = Some(outcome);
        }
        Action::Refer {
            referral_id,
            service,
            provider,
            consent,
        } => {
            let id = client_id(&referral_id, "referralId")?;
            if state.referrals.iter().any(|r| r.id == id) {
                return Err(taken("referralId", &id));
            }
            if !SERVICES.contains(&service.as_str()) {
                return Err(Refusal::invalid(format!("{service:?} is not a service"))
                    .on("service")
                    .because(Reason::UnknownCode {
                        vocabulary: "protection_services".into(),
                        value: service,
                    }));
            }
            let provider = text(&provider, "provider")?;
            if !consent {
                return Err(Refusal::invalid(
                    "a referral needs the person's informed consent, recorded first",
                )
                .on("consent")
                .because(Reason::Required));
            }
            next.referrals.push(Referral {
                id,
                service,
                provider,
                referred_by: me,
                referred_on: today,
                outcome: None,
                outcome_note: None,
                outcome_on: None,
            });
        }
        Action::RecordReferralOutcome {
            referral_id,
            outcome,
            note,
        } => {
            let note = note
                .filter(|n| !n.trim().is_empty())
                .map(|n| text(&n, "note"))
                .transpose()?;
            let Some(r) = next
                .referrals
                .iter_mut()
                .find(|r| r.id == referral_id && r.outcome.is_none())
            else {
                return Err(unknown("referralId", "referral waiting for its outcome"));
            };
            r.outcome = Some(outcome);
            r.outcome_note = note;
            r.outcome_on = Some(today);
        }
        Action::ScheduleFollowUp {
            follow_up_id,
            due,
            purpose,
        } => {
            let id = client_id(&follow_up_id, "followUpId")?;
            if state.follow_ups.iter().any(|f| f.id == id) {
                return Err(taken("followUpId", &id));
            }
            not_past(due, today, "due")?;
            let purpose = text(&purpose, "purpose")?;
            next.follow_ups.push(FollowUp {
                id,
                due,
                purpose,
                scheduled_by: me,
                done_on: None,
                done_by: None,
                note: None,
            });
        }
        Action::RecordFollowUp { follow_up_id, note } => {
            let note = text(&note, "note")?;
            let Some(f) = next
                .follow_ups
                .iter_mut()
                .find(|f| f.id == follow_up_id && f.done_on.is_none())
            else {
                return Err(unknown("followUpId", "planned follow-up"));
            };
            f.done_on = Some(today);
            f.done_by = Some(me);
            f.note = Some(note);
        }
        Action::RecordBia {
            child_id,
            summary,
            bid_needed,
        } => {
            if !state.children(today).any(|m| m.individual_id == child_id) {
                return Err(unknown("childId", "member under 18"));
            }
            let summary = text(&summary, "summary")?;
            if state.bids.iter().any(|b| b.child_id == child_id) {
                return Err(Refusal::invalid(
                    "a BID already decided on this child; a new assessment does not reopen it",
                )
                .on("childId"));
            }
            next.bias.push(Bia {
                child_id,
                assessed_by: me,
                assessed_on: today,
                summary,
                bid_needed,
            });
        }
        Action::RecordBid {
            child_id,
            decision,
            panel,
        } => {
            let Some(bia) = state
                .latest_bia(&child_id)
                .filter(|_| state.bids_pending().contains(&child_id.as_str()))
            else {
                return Err(unknown("childId", "child whose BIA asks for a BID"));
            };
            let decision = text(&decision, "decision")?;
            let members: BTreeSet<&str> = panel
                .iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
                .collect();
            if members.len() < BID_PANEL_MIN || members.len() != panel.len() {
                return Err(Refusal::invalid(format!(
                    "a BID panel has at least {BID_PANEL_MIN} different members"
                ))
                .on("panel")
                .because(Reason::TooFew { min: BID_PANEL_MIN }));
            }
            if members.contains(bia.assessed_by.as_str()) {
                return Err(Refusal::invalid(
                    "whoever wrote the BIA presents it to the panel and does not sit on it",
                )
                .on("panel"));
            }
            next.bids.push(Bid {
                child_id,
                decision,
                panel: members.into_iter().map(str::to_string).collect(),
                recorded_by: me,
                decided_on: today,
            });
        }
        Action::Assign { officer_id } => {
            let officer_id = text(&officer_id, "officerId")?;
            if state.assigned_officer.as_deref() == Some(officer_id.as_str()) {
                return Err(Refusal::invalid("the case is already theirs").on("officerId"));
            }
            next.assigned_officer = Some(officer_id);
        }
        Action::Close { reason, note } => {
            let note = note
                .filter(|n| !n.trim().is_empty())
                .map(|n| text(&n, "note"))
                .transpose()?;
            if reason.claims_completion() {
                let pending = state.pending_work();
                if !pending.is_empty() {
                    return Err(Refusal::invalid(format!(
                        "the case cannot close as {} while {}",
                        reason.as_str(),
                        pending.join("; ")
                    ))
                    .on("reason"));
                }
            }
            next.status = Status::Closed;
            next.closure = Some(Closure {
                reason,
                note,
                closed_by: me,
                closed_on: today,
            });
        }
        Action::Reopen { reason } => {
            let reason = text(&reason, "reason")?;
            next.status = Status::Open;
            next.closure = None;
            next.reopenings.push(reason);
        }
    }
    Ok(next)
}

fn taken(field: &'static str, id: &str) -> Refusal {
    Refusal::invalid(format!("{id} is already used in this case")).on(field)
}

fn unknown(field: &'static str, what: &str) -> Refusal {
    Refusal::invalid(format!("no {what} has this identifier")).on(field)
}

fn not_past(date: NaiveDate, today: NaiveDate, field: &'static str) -> Result<(), Refusal> {
    if date < today {
        Err(Refusal::invalid("the date has passed")
            .on(field)
            .because(Reason::TooEarly {
                min: today.to_string(),
            }))
    } else {
        Ok(())
    }
}
