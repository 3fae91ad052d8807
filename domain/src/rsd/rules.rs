//! Per-unit configuration of the procedure, and the clocks computed from it.

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::state::{CaseState, Modality, Stage, Status};

/// Decision targets per modality, in days from the start of the first-instance procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetDays {
    /// Every step; Ecuador's three months.
    pub regular: u32,
    /// Admissibility skipped, shortened assessment.
    pub simplified: u32,
    /// Specific needs, manifestly well-founded or unfounded claims.
    pub accelerated: u32,
    /// Registration and RSD interview held together.
    pub merged: u32,
}

impl Default for TargetDays {
    fn default() -> Self {
        Self {
            regular: 90,
            simplified: 60,
            accelerated: 30,
            merged: 30,
        }
    }
}

impl TargetDays {
    /// The target of one modality.
    pub fn of(&self, modality: Modality) -> u32 {
        match modality {
            Modality::Regular => self.regular,
            Modality::Simplified => self.simplified,
            Modality::Accelerated => self.accelerated,
            Modality::Merged => self.merged,
        }
    }
}

/// The rules one operation unit applies. Every field has Ecuador's value as its default, so a
/// unit's stored configuration only names what differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitRules {
    /// Whether an admissibility step precedes eligibility (regular and accelerated cases only).
    pub admissibility: bool,
    /// Whether recognition under the Cartagena definition is available.
    pub cartagena: bool,
    /// Decision targets per modality.
    pub decision_target_days: TargetDays,
    /// Days after notification of a first-instance rejection to lodge an appeal.
    pub appeal_deadline_days: u32,
    /// Days after the appeal deadline during which a late appeal is still accepted.
    pub appeal_grace_days: u32,
    /// Days after a missed interview without contact before the case may be declared abandoned.
    pub abandonment_days: u32,
    /// Days before the appeal deadline from which the case is flagged as near its deadline.
    pub appeal_warning_days: u32,
}

impl Default for UnitRules {
    fn default() -> Self {
        Self {
            admissibility: true,
            cartagena: true,
            decision_target_days: TargetDays::default(),
            appeal_deadline_days: 30,
            appeal_grace_days: 42,
            abandonment_days: 42,
            appeal_warning_days: 7,
        }
    }
}

/// The longest period any rule may set: ten years. Longer values are configuration mistakes.
pub const MAX_RULE_DAYS: u32 = 3650;

/// The standard's floor for the appeal period (DOMAIN.md: at least 30 days).
pub const MIN_APPEAL_DEADLINE_DAYS: u32 = 30;

impl UnitRules {
    /// Problems with a unit's configuration, one sentence each; empty when it can be used.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut days = |name: &str, value: u32, min: u32| {
            if value < min || value > MAX_RULE_DAYS {
                out.push(format!(
                    "{name} must be between {min} and {MAX_RULE_DAYS} days, not {value}."
                ));
            }
        };
        days(
            "The regular decision target",
            self.decision_target_days.regular,
            1,
        );
        days(
            "The simplified decision target",
            self.decision_target_days.simplified,
            1,
        );
        days(
            "The accelerated decision target",
            self.decision_target_days.accelerated,
            1,
        );
        days(
            "The merged decision target",
            self.decision_target_days.merged,
            1,
        );
        days(
            "The appeal deadline",
            self.appeal_deadline_days,
            MIN_APPEAL_DEADLINE_DAYS,
        );
        days("The appeal grace period", self.appeal_grace_days, 0);
        days("The abandonment period", self.abandonment_days, 1);
        days("The appeal warning period", self.appeal_warning_days, 0);
        out
    }
}

/// `t` plus `days`, saturating at the latest representable time so no configuration can make
/// the clocks overflow.
pub(crate) fn add_days(t: NaiveDateTime, days: u32) -> NaiveDateTime {
    TimeDelta::try_days(i64::from(days))
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(NaiveDateTime::MAX)
}

/// The clocks of a case. `None` when the clock does not run in the case's current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// Target for the first-instance decision; runs until that decision is taken.
    pub decision_due: Option<NaiveDateTime>,
    /// Last day of the ordinary appeal period; set once a first-instance rejection or exclusion
    /// has been notified and no appeal has been lodged.
    pub appeal_deadline: Option<NaiveDateTime>,
    /// End of the grace period after the appeal deadline.
    pub appeal_grace_end: Option<NaiveDateTime>,
    /// When a case whose interview was missed becomes an abandonment candidate.
    pub abandonment_candidate_from: Option<NaiveDateTime>,
}

/// The clocks of a case under a unit's rules. Time-independent, so the store can index them and
/// compare with the current time in its queries.
pub fn deadlines(state: &CaseState, rules: &UnitRules) -> Deadlines {
    let open = !state.status.is_terminal();
    let decision_due =
        (open && state.stage == Stage::FirstInstance && state.first_instance.decisions.is_empty())
            .then(|| {
                add_days(
                    state.procedure_started_at(),
                    decision_target_days(state, rules),
                )
            });

    let appeal_open = open
        && state.stage == Stage::FirstInstance
        && state.appeal_lodged_at.is_none()
        && state.first_instance.has_negative_decision();
    let appeal_deadline = state
        .first_instance
        .notified_at
        .filter(|_| appeal_open)
        .map(|n| add_days(n, rules.appeal_deadline_days));
    let appeal_grace_end = appeal_deadline.map(|d| add_days(d, rules.appeal_grace_days));

    let abandonment_candidate_from = (state.status == Status::Scheduled)
        .then_some(state.no_show_at)
        .flatten()
        .filter(|missed| state.last_contact_at.is_none_or(|c| c <= *missed))
        .map(|missed| add_days(missed, rules.abandonment_days));

    Deadlines {
        decision_due,
        appeal_deadline,
        appeal_grace_end,
        abandonment_candidate_from,
    }
}

/// The decision target that applies: the modality's, or the accelerated one when the case is a
/// priority (specific needs) and that is shorter.
pub fn decision_target_days(state: &CaseState, rules: &UnitRules) -> u32 {
    let own = rules.decision_target_days.of(state.modality);
    if state.priority {
        own.min(rules.decision_target_days.accelerated)
    } else {
        own
    }
}

/// Whether the first-instance decision is past its target. A hold does not stop this clock:
/// held cases stay visible as late.
pub fn is_overdue(state: &CaseState, rules: &UnitRules, now: NaiveDateTime) -> bool {
    deadlines(state, rules)
        .decision_due
        .is_some_and(|due| now > due)
}

/// Whether a notified first-instance rejection is within the warning period before its appeal
/// deadline, so the officer can remind the applicant of the right to appeal.
pub fn appeal_deadline_near(state: &CaseState, rules: &UnitRules, now: NaiveDateTime) -> bool {
    let Some(deadline) = deadlines(state, rules).appeal_deadline else {
        return false;
    };
    let warn_from = TimeDelta::try_days(i64::from(rules.appeal_warning_days))
        .and_then(|d| deadline.checked_sub_signed(d))
        .unwrap_or(NaiveDateTime::MIN);
    now >= warn_from && now <= deadline
}

/// Whether a missed interview followed by the abandonment period without contact makes the case
/// eligible for a supervisor to declare it abandoned. An appointment still to come keeps the case
/// out of the queue: the applicant has been invited again.
pub fn is_abandonment_candidate(state: &CaseState, rules: &UnitRules, now: NaiveDateTime) -> bool {
    deadlines(state, rules)
        .abandonment_candidate_from
        .is_some_and(|from| now >= from)
        && !state.appointments.iter().any(|a| a.at > now)
}

/// The columns a store indexes for the case queues, all derived from the state and the rules
/// (never from the clock, so they stay valid until the next transition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueColumns {
    /// Current status.
    pub status: Status,
    /// Current stage.
    pub stage: Stage,
    /// Processing modality.
    pub modality: Modality,
    /// Specific needs call for priority.
    pub priority: bool,
    /// The officer holding the case.
    pub assigned_officer: Option<String>,
    /// Set while an assessment awaits review: its assessor, who may not review it.
    pub assessor_awaiting_review: Option<String>,
    /// The earliest pending appointment.
    pub next_appointment_at: Option<NaiveDateTime>,
    /// See [`Deadlines::decision_due`].
    pub decision_due: Option<NaiveDateTime>,
    /// See [`Deadlines::appeal_deadline`].
    pub appeal_deadline: Option<NaiveDateTime>,
    /// See [`Deadlines::appeal_grace_end`].
    pub appeal_grace_end: Option<NaiveDateTime>,
    /// See [`Deadlines::abandonment_candidate_from`].
    pub abandonment_candidate_from: Option<NaiveDateTime>,
}

/// The queue columns of a case.
pub fn queue_columns(state: &CaseState, rules: &UnitRules) -> QueueColumns {
    let d = deadlines(state, rules);
    QueueColumns {
        status: state.status,
        stage: state.stage,
        modality: state.modality,
        priority: state.priority,
        assigned_officer: state.assigned_officer.clone(),
        assessor_awaiting_review: (state.status == Status::Assessed)
            .then(|| state.current().assessment.as_ref())
            .flatten()
            .map(|a| a.assessor_id.clone()),
        next_appointment_at: state.next_appointment().map(|a| a.at),
        decision_due: d.decision_due,
        appeal_deadline: d.appeal_deadline,
        appeal_grace_end: d.appeal_grace_end,
        abandonment_candidate_from: d.abandonment_candidate_from,
    }
}
