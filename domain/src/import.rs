//! Pure rules of importing records from an earlier database: the case statuses an import may
//! bring (and the workflow state each one starts from), and the checks on a household that no
//! single registration makes (a child older than the parent).
//!
//! The server reads the source files and writes through the store; what a row means is decided
//! here, so it is tested without files or a database.

use chrono::{NaiveDate, NaiveDateTime};

use super::rsd::{Admissibility, CaseState, Closure, ClosureReason, Modality, Status};

/// The status a case had in the earlier system, as the mapping names it. Only statuses whose
/// workflow state can be told from a status and its date are accepted: a case further along
/// (interviewed, assessed, decided) carries records (interviews, assessments, reviews) the old
/// systems did not keep, so it is imported as registered with its old status in its history, or
/// mapped by the operator to one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportedStatus {
    /// Open, waiting for admissibility or an interview.
    Registered,
    /// Found admissible on the date given.
    Admissible,
    /// The applicant withdrew on the date given.
    Withdrawn,
    /// Closed on the date given, for this reason.
    Closed(ClosureReason),
}

impl ImportedStatus {
    /// Reads a mapping's target: `registered`, `admissible`, `withdrawn` or `closed:REASON`
    /// with a closure reason (`closed:duplicate`, `closed:left_country`...).
    pub fn parse(s: &str) -> Option<ImportedStatus> {
        match s.trim() {
            "registered" => Some(ImportedStatus::Registered),
            "admissible" => Some(ImportedStatus::Admissible),
            "withdrawn" => Some(ImportedStatus::Withdrawn),
            other => other
                .strip_prefix("closed:")
                .and_then(ClosureReason::parse)
                .map(ImportedStatus::Closed),
        }
    }

    /// The mapping targets accepted, for an error message.
    pub const TARGETS: &'static str = "registered, admissible, withdrawn, closed:REASON";

    /// The workflow state of an imported case: opened at `opened_at`, in this status since
    /// `status_at` (when the source has no date for it, the opening), decided or closed `by`
    /// (the import's operator, who vouches for the old record).
    pub fn state(
        self,
        principal_id: &str,
        member_ids: Vec<String>,
        opened_at: NaiveDateTime,
        status_at: Option<NaiveDateTime>,
        by: &str,
    ) -> CaseState {
        let mut state = CaseState::new(principal_id, member_ids, Modality::Regular, opened_at);
        let at = status_at.unwrap_or(opened_at).max(opened_at);
        let closure = |reason| Closure {
            reason,
            at,
            by: by.to_string(),
            note: Some("imported".to_string()),
        };
        match self {
            ImportedStatus::Registered => {}
            ImportedStatus::Admissible => {
                state.status = Status::Admissible;
                state.admissibility = Some(Admissibility {
                    admissible: true,
                    by: by.to_string(),
                    at,
                    reason: None,
                });
            }
            ImportedStatus::Withdrawn => {
                state.status = Status::Withdrawn;
                state.closure = Some(closure(ClosureReason::Withdrawn));
            }
            ImportedStatus::Closed(reason) => {
                state.status = Status::Closed;
                state.closure = Some(closure(reason));
            }
        }
        state
    }
}

/// Relationships to the focal point that make the member the focal point's child.
pub const CHILD_RELATIONSHIPS: [&str; 3] = ["son", "daughter", "stepchild"];

/// Relationships that make the member the focal point's parent.
pub const PARENT_RELATIONSHIPS: [&str; 2] = ["father", "mother"];

/// Whether a member's recorded birth date contradicts their relationship to the focal point:
/// a child born before the focal point, or a parent born after. Unknown dates contradict
/// nothing.
pub fn generation_contradiction(
    relationship: &str,
    member_birth: Option<NaiveDate>,
    focal_birth: Option<NaiveDate>,
) -> bool {
    let (Some(member), Some(focal)) = (member_birth, focal_birth) else {
        return false;
    };
    (CHILD_RELATIONSHIPS.contains(&relationship) && member <= focal)
        || (PARENT_RELATIONSHIPS.contains(&relationship) && member >= focal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn targets_are_read_strictly() {
        assert_eq!(
            ImportedStatus::parse("closed:duplicate"),
            Some(ImportedStatus::Closed(ClosureReason::Duplicate))
        );
        assert_eq!(
            ImportedStatus::parse(" admissible "),
            Some(ImportedStatus::Admissible)
        );
        assert_eq!(ImportedStatus::parse("closed:whatever"), None);
        assert_eq!(ImportedStatus::parse("decided"), None);
    }

    #[test]
    fn a_state_keeps_the_old_dates() {
        let opened = day("2019-03-01").and_hms_opt(0, 0, 0).unwrap_or_default();
        let closed = day("2020-05-02").and_hms_opt(0, 0, 0).unwrap_or_default();
        let s = ImportedStatus::Closed(ClosureReason::LeftCountry).state(
            "p",
            vec![],
            opened,
            Some(closed),
            "op",
        );
        assert_eq!(s.status, Status::Closed);
        assert_eq!(s.opened_at, opened);
        assert_eq!(s.closure.as_ref().map(|c| c.at), Some(closed));
        let s = ImportedStatus::Admissible.state("p", vec![], opened, None, "op");
        assert_eq!(s.admissibility.map(|a| a.at), Some(opened));
        // A status dated before the opening is taken as of the opening.
        let early = day("2018-01-01").and_hms_opt(0, 0, 0).unwrap_or_default();
        let s = ImportedStatus::Withdrawn.state("p", vec![], opened, Some(early), "op");
        assert_eq!(s.closure.map(|c| c.at), Some(opened));
    }

    #[test]
    fn children_are_younger_and_parents_older() {
        let focal = Some(day("1990-01-01"));
        assert!(generation_contradiction(
            "son",
            Some(day("1985-01-01")),
            focal
        ));
        assert!(!generation_contradiction(
            "son",
            Some(day("2015-01-01")),
            focal
        ));
        assert!(generation_contradiction(
            "mother",
            Some(day("1995-01-01")),
            focal
        ));
        assert!(!generation_contradiction(
            "spouse",
            Some(day("1960-01-01")),
            focal
        ));
        assert!(!generation_contradiction("son", None, focal));
    }
}
