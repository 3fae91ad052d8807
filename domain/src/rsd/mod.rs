//! The refugee status determination (RSD) procedure as a pure state machine.
//!
//! A case's [`CaseState`] is one JSON value in the store. The store loads it, asks
//! [`allowed_actions`] what the user may do, calls [`apply`] with the user's [`Action`], and on
//! success writes the new state and appends the [`CaseEvent`] in one transaction (comparing
//! [`CaseState::version`] so two offline edits cannot silently overwrite each other). Queue
//! columns come from [`queue_columns`]. Nothing here reads a clock or a database: time comes in
//! as `now`.
//!
//! # The state machine
//!
//! ```text
//! first instance:
//!   registered ─(admissibility on, regular/accelerated)→ admissible ─┐
//!   registered ─(no admissibility step)──────────────────────────────┼→ scheduled → interviewed
//!   registered ─(merged: interview recorded at registration)─────────────────────→ interviewed
//!   interviewed → assessed → decided → notified ─(appeal)→ appeal_lodged [stage = appeal]
//!                    └─(review sends it back)→ interviewed
//!   decided ─(notified, everyone recognised)→ closed (recognised)
//!   registered ─(inadmissible)→ closed (inadmissible)
//!   notified ─(supervisor, after the appeal grace period)→ closed (no_appeal)
//! appeal:
//!   appeal_lodged → scheduled → interviewed → assessed → decided ─(notified)→ closed (appeal_decided)
//! anywhere active: on_hold (and back), withdrawn, closed (duplicate, deceased, left_country)
//! scheduled with a missed interview and no contact: abandoned (supervisor confirms)
//! closed / withdrawn / abandoned ─(reopened)→ registered, or where an abandoned case stopped
//! ```
//!
//! Choices made here:
//! - `assessed` means "assessment submitted, awaiting review" (DOMAIN.md's `under_review`):
//!   submitting an assessment is sending it to review, so one status suffices.
//! - The appeal stage repeats `scheduled`, `interviewed`, `assessed` and `decided` with
//!   [`Stage::Appeal`]. Notifying the appeal decision closes the case (`appeal_decided`): nothing
//!   follows it in this procedure. Notifying a first-instance decision that recognises everyone
//!   closes it too (`recognised`), since there is nothing to appeal; otherwise it stays
//!   `notified` until an appeal is lodged or a supervisor closes it as `no_appeal` once the
//!   deadline and its grace period have passed.
//! - The appeal decides only on the individuals rejected or excluded at first instance.
//! - `reopened` is an event, not a status. A reopening on the ground `abandonment_reopened`
//!   (abandoned cases only) resumes the case where it stopped: waiting for an appointment at its
//!   stage (`registered`, `admissible` or `appeal_lodged`). Any other ground (changed
//!   circumstances, new evidence, improperly decided) starts a new first-instance examination
//!   at `registered`: the earlier records move into [`Reopening::past_round`] so no old interview
//!   or assessment can satisfy the new round's guards, and the decision target runs from the
//!   reopening.
//! - A missed interview keeps the case `scheduled` (with no appointment left) and starts the
//!   abandonment clock; contact stops it, a new no-show restarts it.
//! - A hold does not stop the decision clock: held cases still show as overdue.
//!
//! # Modalities
//!
//! | Modality | Steps | Default decision target |
//! |---|---|---|
//! | regular | all (admissibility where the unit has it) | 90 days |
//! | accelerated (specific needs, manifestly well-founded or unfounded) | all | 30 days |
//! | simplified | no admissibility; short-form assessment (no written assessment document required) | 60 days |
//! | merged (registration and RSD together) | no admissibility; the first-instance interview may be recorded at registration, without an appointment | 30 days |
//!
//! A case flagged [`CaseState::priority`] (specific needs) gets the accelerated target when that is
//! shorter than its modality's. In every modality the principal applicant is interviewed and
//! the assessment is reviewed by a second person: no modality skips either.
//!
//! # Who may do what
//!
//! | Role | Actions | Which cases |
//! |---|---|---|
//! | eligibility officer | decide admissibility, schedule, record interviews, no-shows and contact, submit assessments, notify, record appeals, withdraw, hold and resume, request reopening | only cases assigned to them |
//! | supervisor | everything an officer does, plus review assessments, assign, close, confirm abandonment, approve reopening | any case of the unit |
//! | registration clerk | schedule, record no-shows, contact and withdrawals | any case of the unit |
//! | protection officer, unit admin, analyst | nothing (protection officers read cases elsewhere) | — |
//!
//! # Guards
//!
//! Refusals are [`RefusalKind::Forbidden`] when the actor may not do it (role, caseload,
//! separation of duties) and [`RefusalKind::Invalid`] when the case or payload does not allow it.
//! - No assessment and no decision without a recorded interview at which the principal
//!   applicant attended, at that stage.
//! - Four eyes: review belongs to supervisors, and no one reviews at a stage where they submitted
//!   an assessment (one sent back included).
//! - Separation of duties on appeal: whoever interviewed, assessed or reviewed at first instance
//!   ([`CaseState::first_instance_officers`]) may not be scheduled for, record, assess, review or
//!   be assigned the appeal. Lodging an appeal unassigns such an officer.
//! - An appeal is accepted only against a notified first-instance rejection or exclusion, dated
//!   between notification and the deadline plus the grace period; after the deadline it is
//!   accepted and flagged `late` (in the event and in [`CaseState::appeal_late`]). The date on the
//!   appeal counts, not the day it is recorded.
//! - Abandonment: a missed interview followed by the unit's abandonment period without contact,
//!   and no appointment still to come, makes the case a candidate
//!   ([`is_abandonment_candidate`]); only a supervisor confirms it.
//! - Reopening: only from closed, withdrawn or abandoned; a ground code; an approver who is a
//!   supervisor and not the requester.
//! - Same-sex interviewer: when the applicant asked for an interviewer of a given sex, an officer
//!   of another (or unrecorded) sex is scheduled, or records the interview, only with a reason
//!   for the exception ([`interviewer_conflict`]).
//! - On hold: only resume, withdraw and assign; resuming returns to the status before the hold.
//!   Ended cases (closed, withdrawn, abandoned): only reopening.

#![warn(missing_docs)]

mod action;
mod apply;
mod guards;
mod payload;
mod rules;
mod state;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use action::{
    ACTIONS, Action, ActionInfo, ActionKind, Actor, CaseEvent, EventKind, Refusal, RefusalKind,
    Transition,
};
pub use apply::{allowed_actions, apply};
pub use guards::{InterviewerConflict, interviewer_conflict};
pub use payload::StepData;
pub use rules::{
    Deadlines, MAX_RULE_DAYS, MIN_APPEAL_DEADLINE_DAYS, QueueColumns, TargetDays, UnitRules,
    appeal_deadline_near, deadlines, decision_target_days, is_abandonment_candidate, is_overdue,
    queue_columns,
};
pub use state::{
    Admissibility, Appointment, Assessment, CaseState, Closure, ClosureReason, ExclusionClause,
    Ground, IndividualOutcome, Interview, Modality, Outcome, PastRound, RejectionReason,
    ReopenGround, Reopening, Review, Stage, StageRecord, Status,
};
