//! A protection case as stored: intake, plan, referrals, follow-ups, best-interests records,
//! closure.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::action::{Actor, Refusal};
use crate::access::{FieldGroup, Role};
use crate::needs::{self, NeedSensitivity};

/// Fewest members of a Best Interests Determination panel (UNHCR's BID guidelines ask for at
/// least three people with child-protection expertise).
pub const BID_PANEL_MIN: usize = 3;

/// Longest free text of a case (summaries, outcomes, notes), in characters.
pub const TEXT_MAX: usize = 4000;

/// Longest identifier a client may choose for a plan action, referral or follow-up.
pub const ID_MAX: usize = 64;

/// Services a case can be referred to (stable codes).
pub const SERVICES: [&str; 10] = [
    "health",
    "psychosocial",
    "legal_aid",
    "shelter",
    "education",
    "livelihoods",
    "cash_assistance",
    "family_tracing",
    "child_protection",
    "sgbv_response",
];

/// Where the case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }
}

/// How grave the risk is, as assessed at intake and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    /// Immediate danger: life, safety or liberty.
    Critical,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
        RiskLevel::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<RiskLevel> {
        RiskLevel::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Why a case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    /// The plan's goals were reached.
    NeedsMet,
    /// Resettled, integrated locally or returned in safety and dignity.
    DurableSolution,
    /// No contact despite follow-up.
    LostContact,
    /// Moved out of the area the unit serves.
    Relocated,
    /// Handed to another organisation that now manages the case.
    Transferred,
    Deceased,
    /// The person declined further services.
    DeclinedServices,
}

impl ClosureReason {
    pub const ALL: [ClosureReason; 7] = [
        ClosureReason::NeedsMet,
        ClosureReason::DurableSolution,
        ClosureReason::LostContact,
        ClosureReason::Relocated,
        ClosureReason::Transferred,
        ClosureReason::Deceased,
        ClosureReason::DeclinedServices,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClosureReason::NeedsMet => "needs_met",
            ClosureReason::DurableSolution => "durable_solution",
            ClosureReason::LostContact => "lost_contact",
            ClosureReason::Relocated => "relocated",
            ClosureReason::Transferred => "transferred",
            ClosureReason::Deceased => "deceased",
            ClosureReason::DeclinedServices => "declined_services",
        }
    }

    pub fn parse(s: &str) -> Option<ClosureReason> {
        ClosureReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the reason says the work is done, so nothing may be left pending; the others
    /// end a case whatever stands open.
    pub fn claims_completion(self) -> bool {
        matches!(
            self,
            ClosureReason::NeedsMet | ClosureReason::DurableSolution
        )
    }
}

/// What came of a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralOutcome {
    Accepted,
    Declined,
    Completed,
    NoResponse,
}

impl ReferralOutcome {
    pub const ALL: [ReferralOutcome; 4] = [
        ReferralOutcome::Accepted,
        ReferralOutcome::Declined,
        ReferralOutcome::Completed,
        ReferralOutcome::NoResponse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralOutcome::Accepted => "accepted",
            ReferralOutcome::Declined => "declined",
            ReferralOutcome::Completed => "completed",
            ReferralOutcome::NoResponse => "no_response",
        }
    }

    pub fn parse(s: &str) -> Option<ReferralOutcome> {
        ReferralOutcome::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Someone the case follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub individual_id: String,
    /// From the registration record, to know who is a child.
    pub date_of_birth: Option<NaiveDate>,
    /// The person the case is mainly about.
    pub principal: bool,
}

impl Member {
    /// Whether the member is under 18 on `today` (unknown birth dates are not children here:
    /// a BIA needs a known age).
    pub fn is_child(&self, today: NaiveDate) -> bool {
        self.date_of_birth.is_some_and(|dob| age(dob, today) < 18)
    }
}

/// Whole years from `dob` to `today`.
pub fn age(dob: NaiveDate, today: NaiveDate) -> i32 {
    let mut years = today.year() - dob.year();
    if (today.month(), today.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// One action of the case plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAction {
    pub id: String,
    pub description: String,
    /// The user responsible for it.
    pub responsible_id: String,
    pub due: NaiveDate,
    pub added_by: String,
    pub added_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub outcome: Option<String>,
}

/// A referral to a service, with the person's consent and, later, its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: String,
    /// A code of [`SERVICES`].
    pub service: String,
    /// The organisation or service point referred to.
    pub provider: String,
    pub referred_by: String,
    pub referred_on: NaiveDate,
    pub outcome: Option<ReferralOutcome>,
    pub outcome_note: Option<String>,
    pub outcome_on: Option<NaiveDate>,
}

/// A follow-up planned for a date; due ones are the protection officers' queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: String,
    pub due: NaiveDate,
    pub purpose: String,
    pub scheduled_by: String,
    pub done_on: Option<NaiveDate>,
    pub done_by: Option<String>,
    pub note: Option<String>,
}

/// A Best Interests Assessment of one child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bia {
    pub child_id: String,
    pub assessed_by: String,
    pub assessed_on: NaiveDate,
    pub summary: String,
    /// Whether a formal Best Interests Determination by a panel is needed.
    pub bid_needed: bool,
}

/// A Best Interests Determination: a panel's decision about one child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bid {
    pub child_id: String,
    pub decision: String,
    /// The users who sat on the panel.
    pub panel: Vec<String>,
    pub recorded_by: String,
    pub decided_on: NaiveDate,
}

/// How the case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub reason: ClosureReason,
    pub note: Option<String>,
    pub closed_by: String,
    pub closed_on: NaiveDate,
}

/// A protection case: the one value the store keeps per case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectionState {
    pub status: Status,
    /// A specific-needs code (CR, SC, WR, ER, SP, DS, SM, FU, LP, TR, SV).
    pub category: String,
    pub sub_code: Option<String>,
    pub risk: RiskLevel,
    pub intake_summary: String,
    pub members: Vec<Member>,
    pub opened_by: String,
    pub opened_on: NaiveDate,
    pub assigned_officer: Option<String>,
    #[serde(default)]
    pub plan: Vec<PlanAction>,
    #[serde(default)]
    pub referrals: Vec<Referral>,
    #[serde(default)]
    pub follow_ups: Vec<FollowUp>,
    #[serde(default)]
    pub bias: Vec<Bia>,
    #[serde(default)]
    pub bids: Vec<Bid>,
    pub closure: Option<Closure>,
    /// Reasons of every reopening, oldest first.
    #[serde(default)]
    pub reopenings: Vec<String>,
}

impl ProtectionState {
    /// The earliest follow-up not yet recorded: the queue column of the follow-ups-due list.
    pub fn next_follow_up(&self) -> Option<NaiveDate> {
        if self.status == Status::Closed {
            return None;
        }
        self.follow_ups
            .iter()
            .filter(|f| f.done_on.is_none())
            .map(|f| f.due)
            .min()
    }

    /// The sensitive field group the case's details belong to (from its category): readers
    /// without it see that the case exists, not what it is about.
    pub fn field_group(&self) -> Option<FieldGroup> {
        needs::sensitivity(&self.category).map(|s| match s {
            NeedSensitivity::Sgbv => FieldGroup::Sgbv,
            NeedSensitivity::Torture => FieldGroup::Torture,
            NeedSensitivity::Medical => FieldGroup::Medical,
        })
    }

    /// Members who are children on `today`.
    pub fn children(&self, today: NaiveDate) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(move |m| m.is_child(today))
    }

    /// The latest BIA of a child.
    pub fn latest_bia(&self, child_id: &str) -> Option<&Bia> {
        self.bias.iter().rev().find(|b| b.child_id == child_id)
    }

    /// Children whose latest BIA asks for a BID that is not recorded yet.
    pub fn bids_pending(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for b in &self.bias {
            let latest = self
                .latest_bia(&b.child_id)
                .is_some_and(|l| std::ptr::eq(l, b));
            if latest && b.bid_needed && !self.bids.iter().any(|d| d.child_id == b.child_id) {
                out.push(&b.child_id);
            }
        }
        out
    }

    /// What would stop a closure that claims the work is done, one sentence each.
    pub fn pending_work(&self) -> Vec<String> {
        let mut out = Vec::new();
        for a in self.plan.iter().filter(|a| a.completed_on.is_none()) {
            out.push(format!("plan action {} is not completed", a.id));
        }
        for r in self.referrals.iter().filter(|r| r.outcome.is_none()) {
            out.push(format!("referral {} has no outcome", r.id));
        }
        for c in self.bids_pending() {
            out.push(format!(
                "the BIA of {c} asks for a BID that is not recorded"
            ));
        }
        out
    }
}

/// What intake records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub category: String,
    pub sub_code: Option<String>,
    pub risk: RiskLevel,
    pub intake_summary: String,
    /// At least one, exactly one of them the principal.
    pub members: Vec<Member>,
}

/// Opens a case at intake, or says why not.
pub fn open(new: NewCase, actor: &Actor, today: NaiveDate) -> Result<ProtectionState, Refusal> {
    if !(actor.has(Role::ProtectionOfficer) || actor.has(Role::Supervisor)) {
        return Err(Refusal::forbidden(
            "only protection officers and supervisors open protection cases",
        ));
    }
    if let Err(e) = needs::validate(&new.category, new.sub_code.as_deref()) {
        let field = if matches!(e, needs::NeedError::UnknownCode(_)) {
            "category"
        } else {
            "subCode"
        };
        return Err(Refusal::invalid(e.to_string()).on(field));
    }
    let summary = text(&new.intake_summary, "intakeSummary")?;
    if new.members.is_empty() {
        return Err(Refusal::invalid("a case follows at least one person").on("members"));
    }
    let principals = new.members.iter().filter(|m| m.principal).count();
    if principals != 1 {
        return Err(Refusal::invalid(format!(
            "exactly one member is the principal (found {principals})"
        ))
        .on("members")
        .because(crate::error::Reason::ExactlyOne {
            value: "principal".into(),
            expected: 1,
            found: principals,
        }));
    }
    let mut seen = std::collections::BTreeSet::new();
    if !new.members.iter().all(|m| seen.insert(&m.individual_id)) {
        return Err(Refusal::invalid("a person is named twice").on("members"));
    }
    Ok(ProtectionState {
        status: Status::Open,
        category: new.category,
        sub_code: new.sub_code,
        risk: new.risk,
        intake_summary: summary,
        members: new.members,
        opened_by: actor.user_id.clone(),
        opened_on: today,
        assigned_officer: actor
            .has(Role::ProtectionOfficer)
            .then(|| actor.user_id.clone()),
        plan: Vec::new(),
        referrals: Vec::new(),
        follow_ups: Vec::new(),
        bias: Vec::new(),
        bids: Vec::new(),
        closure: None,
        reopenings: Vec::new(),
    })
}

/// Free text: trimmed, required, at most [`TEXT_MAX`] characters, no control characters but
/// line breaks.
pub(crate) fn text(value: &str, field: &'static str) -> Result<String, Refusal> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Refusal::invalid(format!("{field} is required"))
            .on(field)
            .because(crate::error::Reason::Required));
    }
    if v.chars().count() > TEXT_MAX {
        return Err(Refusal::invalid(format!("{field} is too long"))
            .on(field)
            .because(crate::error::Reason::TooLong { max: TEXT_MAX }));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Refusal::invalid(format!("{field} has control characters"))
            .on(field)
            .because(crate::error::Reason::ControlCharacters));
    }
    Ok(v.to_string())
}

/// An identifier a client chose: 1 to [`ID_MAX`] letters, digits, `-` or `_`.
pub(crate) fn client_id(value: &str, field: &'static str) -> Result<String, Refusal> {
    let ok = !value.is_empty()
        && value.len() <= ID_MAX
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(value.to_string())
    } else {
        Err(Refusal::invalid(format!(
            "{field} must be 1 to {ID_MAX} letters, digits, - or _"
        ))
        .on(field)
        .because(crate::error::Reason::BadFormat {
            format: "identifier".into(),
        }))
    }
}
