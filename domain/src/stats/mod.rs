//! Statistics: what people and cases are counted by, and how a count becomes a figure.
//!
//! The server keeps counters per operation unit, maintained by a follower of the unit's change
//! feed (`store::stats`): each record contributes a list of counter keys, and a change takes the
//! record's old keys back and adds its new ones. This module decides those keys (pure functions
//! of a person's or a case's state) and the rules applied at query time: age brackets for the
//! date asked (ages move with the calendar, not with a transaction, so only the birth month is
//! counted), group sizes, rates, medians. Disclosure control for published figures is in
//! [`disclosure`].

pub mod disclosure;
pub mod publish;
pub mod quality;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::rsd::{CaseState, ClosureReason, Ground, Outcome, PastRound, StageRecord};

/// A month as stored in counters: `YYYY-MM`.
pub fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Parses a stored month (`YYYY-MM`) into its first day.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.split_once('-')?;
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

/// UNHCR's age brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBracket {
    From0To4,
    From5To11,
    From12To17,
    From18To59,
    From60,
    /// No date of birth recorded.
    Unknown,
}

impl AgeBracket {
    /// Every bracket, youngest first, unknown last.
    pub const ALL: [AgeBracket; 6] = [
        AgeBracket::From0To4,
        AgeBracket::From5To11,
        AgeBracket::From12To17,
        AgeBracket::From18To59,
        AgeBracket::From60,
        AgeBracket::Unknown,
    ];

    /// The label used in figures and files.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBracket::From0To4 => "0-4",
            AgeBracket::From5To11 => "5-11",
            AgeBracket::From12To17 => "12-17",
            AgeBracket::From18To59 => "18-59",
            AgeBracket::From60 => "60+",
            AgeBracket::Unknown => "unknown",
        }
    }

    /// The bracket of an age in whole years.
    pub fn of_age(years: i32) -> AgeBracket {
        match years {
            i32::MIN..=4 => AgeBracket::From0To4,
            5..=11 => AgeBracket::From5To11,
            12..=17 => AgeBracket::From12To17,
            18..=59 => AgeBracket::From18To59,
            _ => AgeBracket::From60,
        }
    }

    /// The bracket on `as_of` of someone born in the month `birth_month` (`YYYY-MM`, empty when
    /// unknown). Only the month is kept, so a birthday is taken as reached from the first day of
    /// its month.
    pub fn at(birth_month: &str, as_of: NaiveDate) -> AgeBracket {
        match parse_month(birth_month) {
            None => AgeBracket::Unknown,
            Some(b) => {
                let mut years = as_of.year() - b.year();
                if as_of.month() < b.month() {
                    years -= 1;
                }
                AgeBracket::of_age(years)
            }
        }
    }
}

/// Registration groups are counted by size up to this many members; larger ones share "6+".
pub const GROUP_SIZE_CAP: i32 = 6;

/// The label of a group size in figures.
pub fn group_size_label(size: i32) -> String {
    if size >= GROUP_SIZE_CAP {
        format!("{GROUP_SIZE_CAP}+")
    } else {
        size.max(1).to_string()
    }
}

/// What one person contributes to the population counters: one cell of the cube, and one more
/// for each category of specific need they have open (so a person with needs in two categories
/// counts once in the population and once under each category).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PersonCell {
    pub office_id: String,
    /// The first nationality recorded (`UNK` when none).
    pub nationality: String,
    /// `F`, `M`, `X` or `U` (not recorded).
    pub sex: String,
    /// `YYYY-MM`, empty when unknown.
    pub birth_month: String,
    pub registration_month: String,
    /// Members of the person's current registration group (1 when alone).
    pub group_size: i32,
    /// Empty for the person's own row; a need category (`SV`, `CR`, ...) for a need row.
    pub need: String,
}

/// The person's facts as the counters need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub office_id: String,
    pub nationalities: Vec<String>,
    pub sex: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub registration_date: NaiveDate,
    pub registered_by: String,
    pub group_size: i32,
    /// Codes of the person's needs not resolved, any order, duplicates allowed.
    pub open_need_categories: Vec<String>,
}

impl PersonFacts {
    /// The person's cells: their own row first, then one per need category.
    pub fn cells(&self) -> Vec<PersonCell> {
        let base = PersonCell {
            office_id: self.office_id.clone(),
            nationality: self
                .nationalities
                .first()
                .cloned()
                .unwrap_or_else(|| "UNK".into()),
            sex: self.sex.clone().unwrap_or_else(|| "U".into()),
            birth_month: self.date_of_birth.map(month_of).unwrap_or_default(),
            registration_month: month_of(self.registration_date),
            group_size: self.group_size.clamp(1, GROUP_SIZE_CAP),
            need: String::new(),
        };
        let mut needs: Vec<String> = self
            .open_need_categories
            .iter()
            .map(|c| c.split('-').next().unwrap_or(c).to_string())
            .collect();
        needs.sort();
        needs.dedup();
        let mut out = vec![base.clone()];
        out.extend(needs.into_iter().map(|need| PersonCell {
            need,
            ..base.clone()
        }));
        out
    }

    /// The person's registration, as work of the registering user.
    pub fn work(&self) -> Fact {
        Fact {
            office_id: self.office_id.clone(),
            measure: Measure::Registration,
            month: month_of(self.registration_date),
            modality: String::new(),
            value: 0,
            actor: self.registered_by.clone(),
        }
    }
}

/// What a case (or a registration) is counted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A person registered (work of the registering user).
    Registration,
    /// An RSD application (a case opened).
    Application,
    Admissible,
    Inadmissible,
    Interview,
    Assessment,
    Review,
    /// A first-instance decision for one person: recognised under the 1951 Convention.
    RecognisedConvention,
    /// Recognised under the Cartagena definition.
    RecognisedCartagena,
    Rejected,
    Excluded,
    AppealLodged,
    /// An appeal decision for one person, recognising them.
    AppealRecognised,
    /// An appeal decision for one person, rejecting or excluding them.
    AppealRejected,
    Withdrawal,
    Abandonment,
    Reopening,
    /// Days from application to the first first-instance decision (`value`), in the month of
    /// that decision.
    DecisionDays,
    /// A case not ended, by the day it was opened (`value`: days since 1970-01-01).
    Open,
    /// A case not ended and without a first-instance decision, by the day it was opened.
    AwaitingDecision,
}

impl Measure {
    pub const ALL: [Measure; 20] = [
        Measure::Registration,
        Measure::Application,
        Measure::Admissible,
        Measure::Inadmissible,
        Measure::Interview,
        Measure::Assessment,
        Measure::Review,
        Measure::RecognisedConvention,
        Measure::RecognisedCartagena,
        Measure::Rejected,
        Measure::Excluded,
        Measure::AppealLodged,
        Measure::AppealRecognised,
        Measure::AppealRejected,
        Measure::Withdrawal,
        Measure::Abandonment,
        Measure::Reopening,
        Measure::DecisionDays,
        Measure::Open,
        Measure::AwaitingDecision,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Registration => "registration",
            Measure::Application => "application",
            Measure::Admissible => "admissible",
            Measure::Inadmissible => "inadmissible",
            Measure::Interview => "interview",
            Measure::Assessment => "assessment",
            Measure::Review => "review",
            Measure::RecognisedConvention => "recognised_convention",
            Measure::RecognisedCartagena => "recognised_cartagena",
            Measure::Rejected => "rejected",
            Measure::Excluded => "excluded",
            Measure::AppealLodged => "appeal_lodged",
            Measure::AppealRecognised => "appeal_recognised",
            Measure::AppealRejected => "appeal_rejected",
            Measure::Withdrawal => "withdrawal",
            Measure::Abandonment => "abandonment",
            Measure::Reopening => "reopening",
            Measure::DecisionDays => "decision_days",
            Measure::Open => "open",
            Measure::AwaitingDecision => "awaiting_decision",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Measures whose value is a day count or a day (processing times, the backlog's cases):
    /// the unit's totals keep them by value and without their month.
    pub fn carries_value(self) -> bool {
        matches!(
            self,
            Measure::DecisionDays | Measure::Open | Measure::AwaitingDecision
        )
    }

    /// Steps of staff work: counted per office and month, and per person for a supervisor.
    pub fn is_work(self) -> bool {
        matches!(
            self,
            Measure::Registration
                | Measure::Admissible
                | Measure::Inadmissible
                | Measure::Interview
                | Measure::Assessment
                | Measure::Review
        )
    }
}

/// One counted fact: a measure in an office and a month, for a modality, with a value for the
/// measures that carry one (days, a day) and the user who did the work, where it is work.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fact {
    pub office_id: String,
    pub measure: Measure,
    pub month: String,
    /// The case's modality; empty for registrations.
    pub modality: String,
    pub value: i64,
    /// The user who did the work; empty for facts that are not work.
    pub actor: String,
}

impl Fact {
    /// The fact as the unit's totals count it: whoever did the work, and a value-bearing
    /// measure in any month (the figures of today ask neither; a processing time per month,
    /// office, modality and day count was most of the counters' rows).
    pub fn total(&self) -> Fact {
        Fact {
            month: if self.measure.carries_value() {
                String::new()
            } else {
                self.month.clone()
            },
            actor: String::new(),
            ..self.clone()
        }
    }
}

/// Days since 1970-01-01.
pub fn day_number(d: NaiveDate) -> i64 {
    d.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN))
        .num_days()
}

/// The facts a case contributes, from its whole history: every round a reopening set aside
/// counts as it happened, so a reopening adds to the figures and never takes a decision back.
pub fn case_facts(state: &CaseState, office_id: &str) -> Vec<Fact> {
    let modality = state.modality.as_str().to_string();
    let fact = |measure: Measure, at: NaiveDateTime, value: i64, actor: &str| Fact {
        office_id: office_id.to_string(),
        measure,
        month: month_of(at.date()),
        modality: modality.clone(),
        value,
        actor: if measure.is_work() {
            actor.to_string()
        } else {
            String::new()
        },
    };
    let mut out = vec![fact(Measure::Application, state.opened_at, 0, "")];
    let mut rounds: Vec<PastRound> = state
        .reopenings
        .iter()
        .filter_map(|r| r.past_round.clone())
        .collect();
    rounds.push(PastRound {
        admissibility: state.admissibility.clone(),
        first_instance: state.first_instance.clone(),
        appeal: state.appeal.clone(),
        appeal_lodged_at: state.appeal_lodged_at,
        appeal_late: state.appeal_late,
        closure: state.closure.clone(),
    });
    let mut first_decision: Option<NaiveDateTime> = None;
    for round in &rounds {
        if let Some(a) = &round.admissibility {
            let m = if a.admissible {
                Measure::Admissible
            } else {
                Measure::Inadmissible
            };
            out.push(fact(m, a.at, 0, &a.by));
        }
        stage_facts(&round.first_instance, false, &fact, &mut out);
        if let Some(at) = round.first_instance.decided_at {
            first_decision = Some(first_decision.map_or(at, |f| f.min(at)));
        }
        if let Some(at) = round.appeal_lodged_at {
            out.push(fact(Measure::AppealLodged, at, 0, ""));
        }
        stage_facts(&round.appeal, true, &fact, &mut out);
        if let Some(c) = &round.closure {
            match c.reason {
                ClosureReason::Withdrawn => out.push(fact(Measure::Withdrawal, c.at, 0, "")),
                ClosureReason::Abandoned => out.push(fact(Measure::Abandonment, c.at, 0, "")),
                _ => {}
            }
        }
    }
    for r in &state.reopenings {
        out.push(fact(Measure::Reopening, r.at, 0, ""));
    }
    if let Some(at) = first_decision {
        let days = (at - state.opened_at).num_days().max(0);
        out.push(fact(Measure::DecisionDays, at, days, ""));
    }
    if !state.status.is_terminal() {
        let opened = day_number(state.opened_at.date());
        out.push(fact(Measure::Open, state.opened_at, opened, ""));
        if first_decision.is_none() {
            out.push(fact(Measure::AwaitingDecision, state.opened_at, opened, ""));
        }
    }
    out.sort();
    out
}

fn stage_facts(
    stage: &StageRecord,
    appeal: bool,
    fact: &impl Fn(Measure, NaiveDateTime, i64, &str) -> Fact,
    out: &mut Vec<Fact>,
) {
    for i in &stage.interviews {
        out.push(fact(Measure::Interview, i.at, 0, &i.interviewer_id));
    }
    let assessments = stage.returned_assessments.iter().chain(&stage.assessment);
    for a in assessments {
        out.push(fact(Measure::Assessment, a.at, 0, &a.assessor_id));
    }
    for r in &stage.reviews {
        out.push(fact(Measure::Review, r.at, 0, &r.reviewer_id));
    }
    if let Some(at) = stage.decided_at {
        for d in &stage.decisions {
            let m = match (&d.outcome, appeal) {
                (Outcome::Recognised { .. }, true) => Measure::AppealRecognised,
                (_, true) => Measure::AppealRejected,
                (Outcome::Recognised { ground }, false) => match ground {
                    Ground::Convention1951 => Measure::RecognisedConvention,
                    Ground::Cartagena => Measure::RecognisedCartagena,
                },
                (Outcome::Rejected { .. }, false) => Measure::Rejected,
                (Outcome::Excluded { .. }, false) => Measure::Excluded,
            };
            out.push(fact(m, at, 0, ""));
        }
    }
}

/// The value below which `share` (0 to 1) of a histogram's weight lies: medians and 90th
/// percentiles of processing times from counts per number of days. `None` when empty.
pub fn percentile(histogram: &[(i64, i64)], share: f64) -> Option<i64> {
    let mut h: Vec<(i64, i64)> = histogram.iter().copied().filter(|(_, n)| *n > 0).collect();
    h.sort();
    let total: i64 = h.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // The smallest value whose cumulative count reaches the rank (nearest-rank method).
    let rank = ((share * total as f64).ceil() as i64).max(1);
    let mut seen = 0;
    for (v, n) in h {
        seen += n;
        if seen >= rank {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests;
