//! Assistance: programmes of cash or in-kind help, who is eligible, what each household is
//! entitled to, and the distributions that deliver it. Pure rules; the store
//! (`api/src/store/assistance.rs`) keeps them and enforces the one rule a database must hold.
//!
//! # The model
//!
//! ```text
//! programme (cash or in kind, an amount per household, cycles 1..=n, an eligibility rule)
//!   └ eligibility assessment per household: eligible or not, the criteria met, an explanation
//!     in English and Spanish ("eligible: household of 6 with a child under 5 and a serious
//!     medical condition")
//!   └ distribution list: one site, one date, one cycle of the programme
//!       └ entitlement: an eligible household planned on that list (one per household, programme
//!         and cycle)
//!           └ distribution: the entitlement handed to a verified member of the household,
//!             at most once per cycle, whatever the site (a unique key in the database)
//! ```
//!
//! Reconciliation compares, per site, the entitlements planned with those distributed there
//! (a household planned at one site may be served at another: it counts where served).
//!
//! # Eligibility rules
//!
//! A programme's criteria are a [`rules::Rule`], stored as JSON and written by programme staff;
//! the form is documented in [`rules`] and in the repository's README ("Assistance"). A rule is
//! checked when saved ([`rules::parse`], the first problem in words with its path) and evaluated
//! for one household at a time ([`rules::Rule::evaluate`]).
//!
//! # Verifying the recipient
//!
//! A distribution names the member who collected it and how they were verified: the number of a
//! document registered to them, typed at the site ([`document_matches`]), or a 1:1 biometric
//! match just made with `verifyIdentity` (the server looks for that match, by the same user,
//! within [`BIOMETRIC_WINDOW_MINUTES`]).

pub mod rules;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::Reason;
use crate::names::document_number_key;

/// How long a matched `verifyIdentity` stands for a distribution.
pub const BIOMETRIC_WINDOW_MINUTES: i64 = 15;
/// Most cycles a programme may have.
pub const MAX_CYCLES: i32 = 60;
/// Longest programme name and site name.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest unit of an amount (USD, kit, kg).
pub const MAX_UNIT_CHARS: usize = 20;
/// Largest amount per household and cycle.
pub const MAX_AMOUNT: f64 = 1_000_000.0;

/// Cash or goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    Cash,
    InKind,
}

impl ProgrammeKind {
    pub const ALL: [ProgrammeKind; 2] = [ProgrammeKind::Cash, ProgrammeKind::InKind];

    pub fn as_str(self) -> &'static str {
        match self {
            ProgrammeKind::Cash => "cash",
            ProgrammeKind::InKind => "in_kind",
        }
    }

    pub fn parse(s: &str) -> Option<ProgrammeKind> {
        ProgrammeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How the recipient of a distribution was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationMethod {
    /// The number of a document registered to the recipient, typed at the site.
    Document,
    /// A 1:1 biometric match with `verifyIdentity`.
    Biometric,
}

impl VerificationMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationMethod::Document => "document",
            VerificationMethod::Biometric => "biometric",
        }
    }

    pub fn parse(s: &str) -> Option<VerificationMethod> {
        [VerificationMethod::Document, VerificationMethod::Biometric]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A programme as written by its staff.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeInput {
    pub name: String,
    pub kind: ProgrammeKind,
    /// What one household receives per cycle.
    pub amount: f64,
    /// Its unit: USD, kit, kg, ...
    pub unit: String,
    pub cycles: i32,
    /// The eligibility rule as JSON.
    pub eligibility: String,
}

/// A problem with a programme: the input field, why (as data, for a client's words) and an
/// English message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeProblem {
    pub field: String,
    pub reason: Reason,
    pub message: String,
}

impl ProgrammeInput {
    /// The first problem of the programme, or its rule ready to store.
    pub fn check(&self) -> Result<rules::Rule, ProgrammeProblem> {
        let fail = |field: &str, reason: Reason, message: String| {
            Err(ProgrammeProblem {
                field: field.to_string(),
                reason,
                message,
            })
        };
        let name = self.name.trim();
        if name.is_empty() {
            return fail("name", Reason::Required, "a programme needs a name".into());
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return fail(
                "name",
                Reason::TooLong {
                    max: MAX_NAME_CHARS,
                },
                format!("at most {MAX_NAME_CHARS} characters"),
            );
        }
        if !self.amount.is_finite() || self.amount <= 0.0 || self.amount > MAX_AMOUNT {
            return fail(
                "amount",
                Reason::OutOfRange {
                    min: 0,
                    max: MAX_AMOUNT as i64,
                },
                "the amount per household must be above 0 and at most 1000000".into(),
            );
        }
        let unit = self.unit.trim();
        if unit.is_empty() || unit.chars().count() > MAX_UNIT_CHARS {
            return fail(
                "unit",
                if unit.is_empty() {
                    Reason::Required
                } else {
                    Reason::TooLong {
                        max: MAX_UNIT_CHARS,
                    }
                },
                "say in 1 to 20 characters what the amount counts (USD, kit, kg)".into(),
            );
        }
        if !(1..=MAX_CYCLES).contains(&self.cycles) {
            return fail(
                "cycles",
                Reason::OutOfRange {
                    min: 1,
                    max: i64::from(MAX_CYCLES),
                },
                format!("a programme has 1 to {MAX_CYCLES} cycles"),
            );
        }
        rules::parse(&self.eligibility).map_err(|p| ProgrammeProblem {
            field: if p.path.is_empty() {
                "eligibility".to_string()
            } else {
                format!("eligibility.{}", p.path)
            },
            message: p.to_string(),
            reason: Reason::BadRule(Box::new(p.fault)),
        })
    }
}

/// Whether `typed` is the number of one of `registered` (compared as search keys: case,
/// spaces, dots and dashes, and a letter prefix do not matter).
pub fn document_matches<'a>(typed: &str, registered: impl IntoIterator<Item = &'a str>) -> bool {
    let key = document_number_key(typed);
    !key.is_empty()
        && registered
            .into_iter()
            .any(|r| document_number_key(r) == key)
}

/// A site's line of a reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SiteTally {
    pub site: String,
    /// Entitlements planned on the site's lists.
    pub planned: u32,
    /// Of them, distributed (wherever).
    pub distributed_of_planned: u32,
    /// Distributions made at the site, whatever list planned them.
    pub distributed_here: u32,
}

impl SiteTally {
    /// Planned at the site and not yet distributed anywhere.
    pub fn outstanding(&self) -> u32 {
        self.planned.saturating_sub(self.distributed_of_planned)
    }
}
