//! The deduplication decision over fingers, shared by the server and `bioeval` so that what is
//! measured is what runs.
//!
//! # Fusion model
//!
//! A probe and an enrolled person are compared finger position by finger position. A finger
//! *agrees* when its comparison score reaches the per-finger threshold; the person is a
//! possible duplicate when at least [`OperatingPoint::fused_fingers`] fingers agree ("k of n").
//! Impostor scores of different finger positions are treated as independent (different fingers
//! of two unrelated people share no ridge structure, and each position is compared on its own),
//! so for `n` compared fingers and a per-finger false match rate `p` the person-level false match
//! rate is the binomial tail `P(Bin(n, p) >= k)`, at most `C(n, k) p^k`. A person with fewer than
//! `k` comparable fingers cannot reach the target rate on fingers and is never flagged by them.
//!
//! The 1:N search first asks the finger index for candidates: for each probe finger the index
//! hands on the enrolled fingers of the same position with the most shared hash keys
//! ([`OperatingPoint::index_candidates`] at most) and compares them in full. A person passes the
//! shortlist gate when at least [`OperatingPoint::gate_fingers`] (fewer than `k`) of those
//! scores reach the threshold, so a mate with a finger the index missed is still decided on the
//! exact comparison of every position.
//!
//! The values are calibrated on real prints by `bioeval calibrate` (see the crate README).

use std::collections::HashMap;

use super::index::FingerIndex;
use super::matcher::{Prepared, compare};
use super::template::Template;

/// The operating values of finger deduplication.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatingPoint {
    /// Score at which one finger comparison agrees.
    pub finger_threshold: f32,
    /// Agreeing fingers needed to flag a possible duplicate (the fused threshold).
    pub fused_fingers: usize,
    /// Agreeing fingers among the index's candidates needed to reach the exact comparison.
    pub gate_fingers: usize,
    /// Enrolled fingers per probe finger the index compares in full.
    pub index_candidates: usize,
    /// People handed on for exact comparison at most.
    pub shortlist: usize,
    /// Names the calibration these values come from; recorded with every decision.
    pub version: String,
}

/// Names the calibration of [`OperatingPoint::CALIBRATED`].
pub const CALIBRATION_VERSION: &str = "fvc2002-db1-3/2026-12-06";

impl OperatingPoint {
    /// The values `bioeval calibrate` derives from FVC2002 DB1-DB3 (see the crate README).
    pub fn calibrated() -> Self {
        Self {
            finger_threshold: 0.039,
            fused_fingers: 3,
            gate_fingers: 1,
            index_candidates: 200,
            shortlist: 20,
            version: CALIBRATION_VERSION.to_string(),
        }
    }

    /// Checks values read from a configuration.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.finger_threshold > 0.0 && self.finger_threshold <= 1.0) {
            return Err(format!(
                "finger threshold {} is not in (0, 1]",
                self.finger_threshold
            ));
        }
        if self.fused_fingers == 0 || self.fused_fingers > 10 {
            return Err(format!(
                "fused fingers {} is not between 1 and 10",
                self.fused_fingers
            ));
        }
        if self.gate_fingers == 0 || self.gate_fingers > self.fused_fingers {
            return Err(format!(
                "gate fingers {} is not between 1 and the fused fingers ({})",
                self.gate_fingers, self.fused_fingers
            ));
        }
        if self.index_candidates == 0 || self.shortlist == 0 {
            return Err("index candidates and shortlist must be at least 1".into());
        }
        if self.version.trim().is_empty() {
            return Err("the calibration version is empty".into());
        }
        Ok(())
    }

    /// How many of `scores` agree.
    pub fn agreeing(&self, scores: &[f32]) -> usize {
        scores
            .iter()
            .filter(|&&s| s >= self.finger_threshold)
            .count()
    }

    /// Finger evidence: agreeing fingers over those needed, 1.0 exactly at the decision.
    pub fn evidence(&self, scores: &[f32]) -> f64 {
        self.agreeing(scores) as f64 / self.fused_fingers as f64
    }

    /// Whether per-position exact scores flag a possible duplicate.
    pub fn is_duplicate(&self, scores: &[f32]) -> bool {
        self.agreeing(scores) >= self.fused_fingers
    }
}

/// One person the gate let through, with the index-stage scores per probe finger.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub person: u64,
    /// Probe fingers whose best index-stage score reached the threshold.
    pub agreeing: usize,
    /// Sum of the best index-stage scores, to order candidates with equal `agreeing`.
    pub total: f32,
}

/// The gate: people whose index-stage scores have at least `gate_fingers` agreeing fingers, most
/// agreeing first, at most `shortlist` of them.
pub fn shortlist(
    index: &FingerIndex,
    query: &[(u8, Template)],
    op: &OperatingPoint,
) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = index
        .search_fingers(query, op.index_candidates)
        .into_iter()
        .map(|(person, scores)| Candidate {
            person,
            agreeing: op.agreeing(&scores),
            total: scores.iter().sum(),
        })
        .filter(|c| c.agreeing >= op.gate_fingers)
        .collect();
    out.sort_by(|a, b| {
        b.agreeing
            .cmp(&a.agreeing)
            .then(b.total.total_cmp(&a.total))
            .then(a.person.cmp(&b.person))
    });
    out.truncate(op.shortlist);
    out
}

/// Exact scores of a probe against one person's enrolled fingers, position by position
/// (positions the person lacks are skipped).
pub fn exact_scores(probe: &[(u8, Template)], enrolled: &[(u8, Template)]) -> Vec<(u8, f32)> {
    let by_position: HashMap<u8, &Template> = enrolled.iter().map(|(p, t)| (*p, t)).collect();
    probe
        .iter()
        .filter_map(|(p, t)| {
            let e = by_position.get(p)?;
            Some((*p, compare(&Prepared::new(t), &Prepared::new(e))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_n_and_validation() {
        let op = OperatingPoint::calibrated();
        op.validate().expect("calibrated values are valid");
        let t = op.finger_threshold;
        assert!(!op.is_duplicate(&[t, t, 0.0, 0.9 * t]));
        assert!(op.is_duplicate(&[t, t, t, 0.0]));
        assert!((op.evidence(&[t, t, t]) - 1.0).abs() < 1e-12);
        let bad = OperatingPoint {
            gate_fingers: 4,
            ..OperatingPoint::calibrated()
        };
        assert!(bad.validate().is_err());
        let bad = OperatingPoint {
            finger_threshold: f32::NAN,
            ..OperatingPoint::calibrated()
        };
        assert!(bad.validate().is_err());
    }
}
