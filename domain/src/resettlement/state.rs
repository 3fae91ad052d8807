//! A resettlement case as stored: identification, assessment and its review, submissions to
//! states, the state's interview and decision, departure or exit.

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::action::{Actor, Refusal};
use crate::access::{FieldGroup, Role};
use crate::error::Reason;

/// Longest free text of a case, in characters.
pub const TEXT_MAX: usize = 4000;

/// UNHCR's resettlement submission categories (Resettlement Handbook, chapter 6), by code:
/// (code, Spanish, English).
pub const CATEGORIES: [(&str, &str, &str); 7] = [
    (
        "LPN",
        "necesidades de protección legal y física",
        "legal and physical protection needs",
    ),
    (
        "SVT",
        "sobrevivientes de violencia y tortura",
        "survivors of violence and torture",
    ),
    ("MED", "necesidades médicas", "medical needs"),
    (
        "AWR",
        "mujeres y niñas en riesgo",
        "women and girls at risk",
    ),
    ("FAM", "reunificación familiar", "family reunification"),
    (
        "CAR",
        "niños, niñas y adolescentes en riesgo",
        "children and adolescents at risk",
    ),
    (
        "LAS",
        "falta de soluciones duraderas alternativas previsibles",
        "lack of foreseeable alternative durable solutions",
    ),
];

/// The sensitive field group a category's details belong to: survivors of violence and
/// torture and medical needs are read only by roles that hold those groups.
pub fn category_field_group(code: &str) -> Option<FieldGroup> {
    match code {
        "SVT" => Some(FieldGroup::Torture),
        "MED" => Some(FieldGroup::Medical),
        _ => None,
    }
}

/// Where the case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Need identified; the assessment is to be written.
    Identified,
    /// Assessment written; waiting for its review.
    Assessed,
    /// Assessment approved; to be submitted to a state.
    Approved,
    /// Submitted to a state; waiting for its interview or decision.
    Submitted,
    /// The state interviewed the family; waiting for its decision.
    Interviewed,
    /// The state accepted; departure to be arranged.
    Accepted,
    /// The state rejected; submit to another state or exit.
    Rejected,
    /// The family left for the resettlement state.
    Departed,
    /// The case left resettlement (see its exit reason).
    Exited,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Identified,
        Status::Assessed,
        Status::Approved,
        Status::Submitted,
        Status::Interviewed,
        Status::Accepted,
        Status::Rejected,
        Status::Departed,
        Status::Exited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Identified => "identified",
            Status::Assessed => "assessed",
            Status::Approved => "approved",
            Status::Submitted => "submitted",
            Status::Interviewed => "interviewed",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Departed => "departed",
            Status::Exited => "exited",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the case has ended.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Departed | Status::Exited)
    }
}

/// How fast the case must move (UNHCR: emergency within days, urgent within weeks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Normal,
    Urgent,
    Emergency,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Normal, Priority::Urgent, Priority::Emergency];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::Urgent => "urgent",
            Priority::Emergency => "emergency",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Days the unit has for the step a case is at, by priority; `None` for final steps.
pub fn deadline_days(status: Status, priority: Priority) -> Option<i64> {
    let (normal, urgent, emergency) = match status {
        Status::Identified => (30, 10, 3),
        Status::Assessed => (14, 5, 1),
        Status::Approved => (30, 7, 2),
        // Waiting for the state: the date to chase it.
        Status::Submitted | Status::Interviewed => (90, 30, 7),
        Status::Accepted => (120, 42, 7),
        Status::Rejected => (30, 10, 3),
        Status::Departed | Status::Exited => return None,
    };
    Some(match priority {
        Priority::Normal => normal,
        Priority::Urgent => urgent,
        Priority::Emergency => emergency,
    })
}

/// Why a case left resettlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// The family no longer wishes to be resettled.
    Withdrawn,
    /// The protection need was resolved.
    NeedResolved,
    /// Another durable solution: local integration or voluntary return.
    OtherDurableSolution,
    /// No state accepted the case.
    NoStateAccepted,
    LostContact,
    Deceased,
}

impl ExitReason {
    pub const ALL: [ExitReason; 6] = [
        ExitReason::Withdrawn,
        ExitReason::NeedResolved,
        ExitReason::OtherDurableSolution,
        ExitReason::NoStateAccepted,
        ExitReason::LostContact,
        ExitReason::Deceased,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::Withdrawn => "withdrawn",
            ExitReason::NeedResolved => "need_resolved",
            ExitReason::OtherDurableSolution => "other_durable_solution",
            ExitReason::NoStateAccepted => "no_state_accepted",
            ExitReason::LostContact => "lost_contact",
            ExitReason::Deceased => "deceased",
        }
    }

    pub fn parse(s: &str) -> Option<ExitReason> {
        ExitReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Someone the case is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub individual_id: String,
    pub principal: bool,
}

/// The resettlement assessment (the Resettlement Registration Form's reasoning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub summary: String,
    pub assessed_by: String,
    pub assessed_on: NaiveDate,
}

/// The second pair of eyes on an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub approved: bool,
    pub note: Option<String>,
    pub reviewed_by: String,
    pub reviewed_on: NaiveDate,
}

/// The state's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateDecision {
    Accepted,
    Rejected,
}

/// A submission of the case to a resettlement state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// ISO 3166 alpha-3 code of the state.
    pub state: String,
    pub submitted_on: NaiveDate,
    pub dossier_reference: String,
    pub submitted_by: String,
    pub interviewed_on: Option<NaiveDate>,
    pub decision: Option<StateDecision>,
    pub decided_on: Option<NaiveDate>,
}

/// The family's departure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Departure {
    pub departed_on: NaiveDate,
    pub recorded_by: String,
}

/// A resettlement case: the one value the store keeps per case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResettlementState {
    pub status: Status,
    /// Codes of [`CATEGORIES`], at least one; the first is the primary one.
    pub categories: Vec<String>,
    pub priority: Priority,
    pub summary: String,
    pub members: Vec<Member>,
    pub identified_by: String,
    pub identified_on: NaiveDate,
    /// The protection case the family was handed over from, inside the same unit.
    pub from_protection_case: Option<String>,
    /// The day the case reached its current step: deadlines count from it.
    pub since: NaiveDate,
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    #[serde(default)]
    pub reviews: Vec<Review>,
    #[serde(default)]
    pub submissions: Vec<Submission>,
    pub departure: Option<Departure>,
    pub exit_reason: Option<ExitReason>,
    pub exit_note: Option<String>,
}

impl ResettlementState {
    /// The day the current step is due (None once the case ended): the queue column.
    pub fn due_on(&self) -> Option<NaiveDate> {
        deadline_days(self.status, self.priority).map(|d| self.since + TimeDelta::days(d))
    }

    /// The sensitive field groups of the case's categories: readers without all of them see
    /// the case's steps, not its reasoning.
    pub fn field_groups(&self) -> Vec<FieldGroup> {
        let mut out = Vec::new();
        for g in self
            .categories
            .iter()
            .filter_map(|c| category_field_group(c))
        {
            if !out.contains(&g) {
                out.push(g);
            }
        }
        out
    }

    /// The latest assessment, if any.
    pub fn assessment(&self) -> Option<&Assessment> {
        self.assessments.last()
    }

    /// The submission in progress or last made.
    pub fn submission(&self) -> Option<&Submission> {
        self.submissions.last()
    }
}

/// What identification records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub categories: Vec<String>,
    pub priority: Priority,
    pub summary: String,
    /// At least one, exactly one of them the principal.
    pub members: Vec<Member>,
    /// Set when a protection officer hands the family over from a protection case.
    pub from_protection_case: Option<String>,
}

/// Opens a case, or says why not.
pub fn open(new: NewCase, actor: &Actor, today: NaiveDate) -> Result<ResettlementState, Refusal> {
    let staff = actor.has(Role::ResettlementOfficer) || actor.has(Role::Supervisor);
    if !staff {
        if !actor.has(Role::ProtectionOfficer) {
            return Err(Refusal::forbidden(
                "only resettlement staff, supervisors and, from a protection case, protection officers open resettlement cases",
            ));
        }
        if new.from_protection_case.is_none() {
            return Err(Refusal::forbidden(
                "a protection officer hands a family to resettlement from its protection case",
            ));
        }
    }
    let categories = categories(&new.categories)?;
    let summary = text(&new.summary, "summary")?;
    if new.members.is_empty() {
        return Err(Refusal::invalid("a case is for at least one person").on("members"));
    }
    let principals = new.members.iter().filter(|m| m.principal).count();
    if principals != 1 {
        return Err(Refusal::invalid(format!(
            "exactly one member is the principal (found {principals})"
        ))
        .on("members")
        .because(Reason::ExactlyOne {
            value: "principal".into(),
            expected: 1,
            found: principals,
        }));
    }
    let mut seen = std::collections::BTreeSet::new();
    if !new.members.iter().all(|m| seen.insert(&m.individual_id)) {
        return Err(Refusal::invalid("a person is named twice").on("members"));
    }
    Ok(ResettlementState {
        status: Status::Identified,
        categories,
        priority: new.priority,
        summary,
        members: new.members,
        identified_by: actor.user_id.clone(),
        identified_on: today,
        from_protection_case: new.from_protection_case,
        since: today,
        assessments: Vec::new(),
        reviews: Vec::new(),
        submissions: Vec::new(),
        departure: None,
        exit_reason: None,
        exit_note: None,
    })
}

/// Submission categories: known codes, at least one, no repeats; upper-cased.
pub(crate) fn categories(codes: &[String]) -> Result<Vec<String>, Refusal> {
    if codes.is_empty() {
        return Err(Refusal::invalid("name at least one submission category")
            .on("categories")
            .because(Reason::TooFew { min: 1 }));
    }
    let mut out: Vec<String> = Vec::new();
    for c in codes {
        let c = c.trim().to_uppercase();
        if !CATEGORIES.iter().any(|(code, ..)| *code == c) {
            return Err(Refusal::invalid(format!(
                "{c:?} is not a resettlement submission category"
            ))
            .on("categories")
            .because(Reason::UnknownCode {
                vocabulary: "resettlement_categories".into(),
                value: c,
            }));
        }
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Free text: trimmed, required, at most [`TEXT_MAX`] characters, no control characters but
/// line breaks.
pub(crate) fn text(value: &str, field: &'static str) -> Result<String, Refusal> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Refusal::invalid(format!("{field} is required"))
            .on(field)
            .because(Reason::Required));
    }
    if v.chars().count() > TEXT_MAX {
        return Err(Refusal::invalid(format!("{field} is too long"))
            .on(field)
            .because(Reason::TooLong { max: TEXT_MAX }));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Refusal::invalid(format!("{field} has control characters"))
            .on(field)
            .because(Reason::ControlCharacters));
    }
    Ok(v.to_string())
}
