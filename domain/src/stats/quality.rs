//! Data-quality rules: what makes a record need attention. The store finds the records; the
//! rules themselves (which nationality writes names in two scripts, which family ages cannot
//! be, how long a need or a case may wait) live here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A data-quality rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// No date of birth, or only a year or an estimate.
    BirthDateMissingOrEstimated,
    /// No identity document recorded.
    NoDocument,
    /// Names only in Latin script where the nationality writes names in another script.
    NameInOneScript,
    /// A family member whose age cannot be, against the focal point's.
    ImpossibleFamilyAge,
    /// A specific need still pending review after [`NEED_REVIEW_DAYS`].
    NeedPastReview,
    /// A possible duplicate (biometric or from an import) not yet decided.
    DuplicateNotAdjudicated,
    /// A case not ended with no step for [`CASE_IDLE_DAYS`].
    CaseWithoutEvents,
}

impl Check {
    pub const ALL: [Check; 7] = [
        Check::BirthDateMissingOrEstimated,
        Check::NoDocument,
        Check::NameInOneScript,
        Check::ImpossibleFamilyAge,
        Check::NeedPastReview,
        Check::DuplicateNotAdjudicated,
        Check::CaseWithoutEvents,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Check::BirthDateMissingOrEstimated => "birth_date_missing_or_estimated",
            Check::NoDocument => "no_document",
            Check::NameInOneScript => "name_in_one_script",
            Check::ImpossibleFamilyAge => "impossible_family_age",
            Check::NeedPastReview => "need_past_review",
            Check::DuplicateNotAdjudicated => "duplicate_not_adjudicated",
            Check::CaseWithoutEvents => "case_without_events",
        }
    }

    /// Whether the records behind the rule are cases (otherwise individuals).
    pub fn is_about_cases(self) -> bool {
        self == Check::CaseWithoutEvents
    }
}

/// Days a specific need may stay pending review.
pub const NEED_REVIEW_DAYS: i64 = 30;
/// Days a case not ended may go without a step.
pub const CASE_IDLE_DAYS: i64 = 60;

/// Nationalities whose names are usually written in a script other than Latin (ISO alpha-3),
/// for which registration keeps the original script beside the transliteration.
pub const TWO_SCRIPT_NATIONALITIES: &[&str] = &[
    "AFG", "ARE", "ARM", "BGR", "BHR", "BLR", "CHN", "DZA", "EGY", "ERI", "ETH", "GEO", "GRC",
    "IRN", "IRQ", "ISR", "JOR", "JPN", "KAZ", "KGZ", "KOR", "KWT", "LBN", "LBY", "MAR", "MKD",
    "MMR", "MNG", "NPL", "OMN", "PAK", "PSE", "QAT", "RUS", "SAU", "SDN", "SRB", "SYR", "TJK",
    "THA", "TUN", "UKR", "YEM",
];

/// Whether a person of these nationalities, with or without a name in the original script,
/// breaks [`Check::NameInOneScript`].
pub fn name_in_one_script(nationalities: &[String], has_original_script: bool) -> bool {
    !has_original_script
        && nationalities
            .iter()
            .any(|n| TWO_SCRIPT_NATIONALITIES.contains(&n.as_str()))
}

/// Whether a date of birth breaks [`Check::BirthDateMissingOrEstimated`].
pub fn birth_date_weak(date: Option<NaiveDate>, precision: Option<&str>) -> bool {
    date.is_none() || precision.is_some_and(|p| p != "exact")
}

/// The least years between a parent and a child.
pub const MIN_PARENT_GAP_YEARS: i64 = 12;

/// Whether a member's birth date cannot be, given their relationship to the focal point: a
/// child (or grandchild) born less than 12 years after the focal point (24 for a grandchild),
/// or a parent (or grandparent) born less than 12 years before (24).
pub fn impossible_family_age(relationship: &str, focal: NaiveDate, member: NaiveDate) -> bool {
    let years = |a: NaiveDate, b: NaiveDate| (b - a).num_days() / 365;
    match relationship {
        "son" | "daughter" | "stepchild" => years(focal, member) < MIN_PARENT_GAP_YEARS,
        "grandchild" => years(focal, member) < 2 * MIN_PARENT_GAP_YEARS,
        "father" | "mother" => years(member, focal) < MIN_PARENT_GAP_YEARS,
        "grandparent" => years(member, focal) < 2 * MIN_PARENT_GAP_YEARS,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, 6, 1).unwrap()
    }

    #[test]
    fn family_ages_that_cannot_be() {
        assert!(impossible_family_age("son", d(1990), d(1995)));
        assert!(!impossible_family_age("son", d(1990), d(2010)));
        assert!(impossible_family_age("mother", d(1990), d(1985)));
        assert!(!impossible_family_age("mother", d(1990), d(1960)));
        assert!(!impossible_family_age("brother", d(1990), d(1960)));
    }

    #[test]
    fn scripts_and_birth_dates() {
        assert!(name_in_one_script(&["SYR".into()], false));
        assert!(!name_in_one_script(&["SYR".into()], true));
        assert!(!name_in_one_script(&["VEN".into()], false));
        assert!(birth_date_weak(None, None));
        assert!(birth_date_weak(Some(d(1990)), Some("estimated")));
        assert!(!birth_date_weak(Some(d(1990)), Some("exact")));
    }
}
