//! The in-memory matcher: every enrolled finger and iris, by biometric reference id only, and the
//! one decision that fuses finger and iris evidence.
//!
//! Fingers go into the engine's [`FingerIndex`] (hashing to a shortlist, then full comparison),
//! irises into one [`IrisGallery`] per eye (exhaustive scan). A search returns references whose
//! fused evidence passes the engine's gate; the store then compares the probe with each
//! shortlisted reference's stored templates position by position ([`compare`]), and that exact
//! comparison decides.
//!
//! # The decision and its thresholds
//!
//! Fingers decide by the engine's calibrated rule ([`amparo_biometrics::finger::dedup`]): a
//! reference is a possible duplicate when at least `fused_fingers` of the positions compared
//! score at or above `finger_threshold`; the index's gate and shortlist are the engine's too, so
//! `bioeval calibrate` measures exactly this code on real prints (see biometrics/README.md). The
//! values come from the server's configuration ([`OperatingPoint`], calibrated defaults), and the
//! calibration version goes with every decision stored.
//!
//! Irises are NOT calibrated (there is no real iris data to calibrate on): [`IRIS_THRESHOLD`]
//! was measured on synthetic eyes only. So that an uncalibrated score can never outweigh the
//! fingers, a matching iris counts as one agreeing finger at most; irises decide alone only for
//! a probe and reference that share no finger position.
//!
//! Fused evidence is the number of agreeing fingers (plus the iris vote) over `fused_fingers`,
//! 1.0 exactly at the decision.

use std::collections::HashMap;

use amparo_biometrics::finger::dedup::{self, OperatingPoint};
use amparo_biometrics::finger::{self, FingerIndex, Prepared};
use amparo_biometrics::iris::{IrisGallery, IrisTemplate, MatchConfig, PreparedProbe};

use super::{Modality, Position};

/// Evidence at which a reference is a possible duplicate.
pub const DUPLICATE_EVIDENCE: f64 = 1.0;

/// Normalised Hamming distance at which an iris agrees. UNCALIBRATED: measured on synthetic eyes
/// only (mates 0.00-0.24, strangers 0.41-0.50 over 132 pairs; 0.32 is Daugman's classic decision
/// point). See the module doc for how little weight it is given because of that.
pub const IRIS_THRESHOLD: f64 = 0.32;

/// A template of either engine.
// An iris code is 512 bytes beside a finger template's 32, but templates live a dozen at a time
// in a probe, and the gallery keeps the engines' own types, so boxing would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Template {
    Finger(finger::Template),
    Iris(IrisTemplate),
}

impl Template {
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Template::Finger(t) => t.to_bytes(),
            Template::Iris(t) => t.to_bytes(),
        }
    }

    /// Reads the stored bytes of a template of `position`.
    pub fn from_bytes(position: Position, bytes: &[u8]) -> Result<Self, String> {
        match position.bio_type() {
            Modality::Finger => finger::Template::from_bytes(bytes)
                .map(Template::Finger)
                .map_err(|e| e.to_string()),
            Modality::Iris => IrisTemplate::from_bytes(bytes)
                .map(Template::Iris)
                .map_err(|e| e.to_string()),
            Modality::Face => Err("face samples have no template".into()),
        }
    }
}

/// One position's score in a comparison: similarity 0-1, higher is closer (for irises
/// `1 - normalised Hamming distance`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PositionScore {
    pub position: Position,
    pub score: f64,
    /// Whether this position alone reaches its modality's threshold.
    pub matched: bool,
}

/// The exact comparison of a probe with one enrolled person.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub positions: Vec<PositionScore>,
    /// Fused evidence (1.0 at the decision threshold).
    pub fused: f64,
    /// The calibration the decision was made with.
    pub calibration: String,
    /// Finger positions compared, and how many of them agree.
    pub fingers_compared: usize,
    pub fingers_agreeing: usize,
}

impl Comparison {
    pub fn is_duplicate(&self) -> bool {
        self.fused >= DUPLICATE_EVIDENCE
    }

    /// The 1:1 decision: one claimed person, not a million, so fewer fingers than the 1:N
    /// decision needs may verify when every one of them agrees (the per-finger false match rate
    /// then applies, see biometrics/README.md).
    pub fn verifies(&self, op: &OperatingPoint) -> bool {
        if self.fingers_compared == 0 {
            return self.is_duplicate();
        }
        self.fingers_agreeing >= op.fused_fingers.min(self.fingers_compared)
    }
}

fn iris_evidence(distance: f64) -> f64 {
    ((0.5 - distance) / (0.5 - IRIS_THRESHOLD)).max(0.0)
}

/// Compares a probe with a person's enrolled templates position by position, deciding with `op`.
pub fn compare(
    probe: &[(Position, Template)],
    enrolled: &[(Position, Template)],
    op: &OperatingPoint,
) -> Comparison {
    let config = MatchConfig::default();
    let mut positions = Vec::new();
    let mut finger_scores = Vec::new();
    let mut best_iris: Option<f64> = None;
    for (position, probe_t) in probe {
        let Some((_, stored)) = enrolled.iter().find(|(p, _)| p == position) else {
            continue;
        };
        match (probe_t, stored) {
            (Template::Finger(a), Template::Finger(b)) => {
                let s = finger::compare(&Prepared::new(a), &Prepared::new(b));
                finger_scores.push(s);
                positions.push(PositionScore {
                    position: *position,
                    score: f64::from(s),
                    matched: s >= op.finger_threshold,
                });
            }
            (Template::Iris(a), Template::Iris(b)) => {
                let d = PreparedProbe::new(a, &config).compare(b).distance;
                best_iris = Some(best_iris.map_or(d, |x: f64| x.min(d)));
                positions.push(PositionScore {
                    position: *position,
                    score: 1.0 - d,
                    matched: d <= IRIS_THRESHOLD,
                });
            }
            _ => {}
        }
    }
    let fused = if finger_scores.is_empty() {
        best_iris.map_or(0.0, iris_evidence)
    } else {
        let iris_vote = usize::from(best_iris.is_some_and(|d| d <= IRIS_THRESHOLD));
        (op.agreeing(&finger_scores) + iris_vote) as f64 / op.fused_fingers as f64
    };
    Comparison {
        positions,
        fused,
        calibration: op.version.clone(),
        fingers_compared: finger_scores.len(),
        fingers_agreeing: op.agreeing(&finger_scores),
    }
}

/// What a reference has enrolled, so a search knows which modalities it could have compared.
#[derive(Debug, Clone, Copy, Default)]
struct Enrolled {
    fingers: bool,
    right_iris: bool,
    left_iris: bool,
}

/// Every enrolled template, by reference id.
pub struct Gallery {
    fingers: FingerIndex,
    right: IrisGallery,
    left: IrisGallery,
    enrolled: HashMap<u64, Enrolled>,
    op: OperatingPoint,
}

impl Default for Gallery {
    fn default() -> Self {
        Self::new()
    }
}

impl Gallery {
    /// An empty gallery at the calibrated operating point.
    pub fn new() -> Self {
        Self::with_operating_point(OperatingPoint::calibrated())
    }

    /// An empty gallery deciding with `op`.
    pub fn with_operating_point(op: OperatingPoint) -> Self {
        Self {
            fingers: FingerIndex::new(),
            right: IrisGallery::new(),
            left: IrisGallery::new(),
            enrolled: HashMap::new(),
            op,
        }
    }

    /// The values this gallery decides with.
    pub fn operating_point(&self) -> &OperatingPoint {
        &self.op
    }

    /// How many references are enrolled.
    pub fn len(&self) -> usize {
        self.enrolled.len()
    }

    pub fn is_empty(&self) -> bool {
        self.enrolled.is_empty()
    }

    /// Whether a reference is in the gallery.
    pub fn contains(&self, reference: u64) -> bool {
        self.enrolled.contains_key(&reference)
    }

    /// Adds one template of a reference.
    pub fn insert(&mut self, reference: u64, position: Position, template: &Template) {
        let e = self.enrolled.entry(reference).or_default();
        match (template, position) {
            (Template::Finger(t), _) => {
                if let Some(code) = position.iso_finger_code() {
                    self.fingers.insert(reference, code, t.clone());
                    e.fingers = true;
                }
            }
            (Template::Iris(t), Position::RightIris) => {
                self.right.push(reference, t.clone());
                e.right_iris = true;
            }
            (Template::Iris(t), Position::LeftIris) => {
                self.left.push(reference, t.clone());
                e.left_iris = true;
            }
            _ => {}
        }
    }

    /// References worth comparing in full with `probe`, best first (at most the operating
    /// point's shortlist): those the engine's finger gate lets through, then those with an iris
    /// within its threshold. The second value is the gate's evidence.
    pub fn search(&self, probe: &[(Position, Template)]) -> Vec<(u64, f64)> {
        let finger_query: Vec<(u8, finger::Template)> = probe
            .iter()
            .filter_map(|(p, t)| match t {
                Template::Finger(t) => Some((p.iso_finger_code()?, t.clone())),
                Template::Iris(_) => None,
            })
            .collect();
        let mut hits: Vec<(u64, f64)> = Vec::new();
        if !finger_query.is_empty() && !self.fingers.is_empty() {
            for c in dedup::shortlist(&self.fingers, &finger_query, &self.op) {
                hits.push((c.person, c.agreeing as f64 / self.op.fused_fingers as f64));
            }
        }
        let config = MatchConfig::default();
        let mut iris_distances: HashMap<u64, f64> = HashMap::new();
        for (position, t) in probe {
            let (Template::Iris(t), gallery) = (
                t,
                match position {
                    Position::RightIris => &self.right,
                    Position::LeftIris => &self.left,
                    _ => continue,
                },
            ) else {
                continue;
            };
            for c in gallery.search(t, &config, self.op.shortlist, 1) {
                let d = iris_distances.entry(c.id).or_insert(c.result.distance);
                *d = d.min(c.result.distance);
            }
        }
        let mut irises: Vec<(u64, f64)> = iris_distances
            .into_iter()
            .filter(|(r, d)| *d <= IRIS_THRESHOLD && !hits.iter().any(|h| h.0 == *r))
            .map(|(r, d)| (r, iris_evidence(d)))
            .collect();
        irises.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.extend(irises);
        hits.truncate(self.op.shortlist);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amparo_biometrics::finger::synthetic::Finger;
    use amparo_biometrics::iris::synthetic::{Format, SyntheticEye};

    fn finger_templates(seed: u64) -> (finger::Template, finger::Template) {
        let f = Finger::generate(seed);
        let a = finger::extract(&f.impression(1).image)
            .expect("extract")
            .template;
        let b = finger::extract(&f.impression(2).image)
            .expect("extract")
            .template;
        (a, b)
    }

    fn eye_templates(seed: u64) -> (IrisTemplate, IrisTemplate) {
        let e = SyntheticEye::new(seed);
        let a = amparo_biometrics::iris::template_from_image(&e.capture(Format::K3).image)
            .expect("iris");
        let b = amparo_biometrics::iris::template_from_image(&e.recapture(9, Format::K3).image)
            .expect("iris");
        (a, b)
    }

    #[test]
    fn the_gallery_finds_a_mate_and_not_a_stranger() {
        let people: Vec<Vec<(Position, Template)>> = (0..3u64)
            .map(|p| {
                (0..3u64)
                    .map(|k| {
                        let (a, _) = finger_templates(50 + p * 3 + k);
                        (Position::ALL[k as usize], Template::Finger(a))
                    })
                    .collect()
            })
            .collect();
        let mut g = Gallery::new();
        for (i, person) in people.iter().enumerate() {
            for (pos, t) in person {
                g.insert(100 + i as u64, *pos, t);
            }
        }
        assert_eq!(g.len(), 3);
        let probe: Vec<(Position, Template)> = (0..3u64)
            .map(|k| {
                let (_, b) = finger_templates(50 + 3 + k);
                (Position::ALL[k as usize], Template::Finger(b))
            })
            .collect();
        let hits = g.search(&probe);
        assert_eq!(hits.first().map(|h| h.0), Some(101), "{hits:?}");
        let op = OperatingPoint::calibrated();
        let exact = compare(&probe, &people[1], &op);
        assert!(exact.is_duplicate(), "{exact:?}");
        assert_eq!(exact.positions.len(), 3);
        assert!(!compare(&probe, &people[0], &op).is_duplicate());
        assert_eq!(exact.calibration, op.version);
    }

    /// An uncalibrated iris match beside fingers that disagree does not flag; alone (no finger
    /// in common) it still does.
    #[test]
    fn an_iris_never_outweighs_the_fingers() {
        let op = OperatingPoint::calibrated();
        let (eye_a, eye_b) = eye_templates(2001);
        let enrolled: Vec<(Position, Template)> = (0..3u64)
            .map(|k| {
                let (a, _) = finger_templates(70 + k);
                (Position::ALL[k as usize], Template::Finger(a))
            })
            .chain([(Position::RightIris, Template::Iris(eye_a))])
            .collect();
        let strangers: Vec<(Position, Template)> = (0..3u64)
            .map(|k| {
                let (_, b) = finger_templates(80 + k);
                (Position::ALL[k as usize], Template::Finger(b))
            })
            .collect();
        let mut probe = strangers.clone();
        probe.push((Position::RightIris, Template::Iris(eye_b.clone())));
        let c = compare(&probe, &enrolled, &op);
        assert!(
            c.positions
                .iter()
                .any(|p| p.position == Position::RightIris && p.matched),
            "{c:?}"
        );
        assert!(!c.is_duplicate(), "{c:?}");
        let iris_only = compare(
            &[(Position::RightIris, Template::Iris(eye_b))],
            &enrolled,
            &op,
        );
        assert!(iris_only.is_duplicate(), "{iris_only:?}");
    }
}
