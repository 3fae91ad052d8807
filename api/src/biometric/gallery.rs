//! The in-memory matcher: every enrolled finger and iris, by biometric reference id only, and the
//! one decision that fuses finger and iris evidence.
//!
//! Fingers go into the engine's [`FingerIndex`] (hashing to a shortlist, then full comparison),
//! irises into one [`IrisGallery`] per eye (exhaustive scan). A search returns references whose
//! fused evidence reaches [`SHORTLIST_EVIDENCE`]; the store then compares the probe with each
//! shortlisted reference's stored templates position by position ([`compare`]), and that exact
//! comparison decides.
//!
//! # The decision and its thresholds
//!
//! Each modality's score is turned into *evidence* that is 1.0 exactly at that modality's
//! threshold: fingers `mean score / FINGER_THRESHOLD` (the mean over the probe's fingers of the
//! engine's 0-1 similarity), irises `(0.5 - distance) / (0.5 - IRIS_THRESHOLD)` (the best eye's
//! normalised Hamming distance, 0.5 being chance). The fused evidence is the larger of the two,
//! and a reference is a possible duplicate when it reaches 1.0. Taking the larger (an "or" of
//! the modalities) is deliberate: deduplication must not miss a person who enrols with the same
//! fingers and someone else's eyes, or whose fingers are worn, and every flag goes to a human
//! anyway, so a false flag costs a review, a missed one an identity.
//!
//! The thresholds were measured on the engine's synthetic data (`threshold_survey` below, run
//! with `cargo test -p amparo-api threshold_survey -- --ignored --nocapture`; the engine is
//! optimised in every profile): 24
//! synthetic fingers, two impressions each, through the real extractor and comparator; 12
//! synthetic eyes, a capture and a recapture each, through the real segmentation and encoder.
//! See the constants for what was measured and why each value was chosen.

use std::collections::HashMap;

use amparo_biometrics::finger::{self, FingerIndex, Prepared};
use amparo_biometrics::iris::{IrisGallery, IrisTemplate, MatchConfig, PreparedProbe};

use super::{Modality, Position};

/// Evidence at which a reference is a possible duplicate.
pub const DUPLICATE_EVIDENCE: f64 = 1.0;

/// Mean finger similarity at which fingers alone flag a possible duplicate. Measured (see the
/// module doc): single-finger mates scored 0.34-0.74 (median 0.55), strangers at most 0.040
/// (99th percentile 0.033) over 552 pairs; the ten-finger mean of a mate hand was 0.52-0.59, of a
/// stranger hand about 0.02. 0.12 is three times the highest stranger score, so chance alone
/// does not reach it, and a quarter of the lowest mate hand, so a person who enrols with only
/// three of their ten fingers (the others missing, injured or someone else's) is still flagged.
pub const FINGER_THRESHOLD: f64 = 0.12;

/// Similarity at which one finger pair is shown as matching (per-position display only): the
/// same value, between the highest stranger (0.040) and the lowest mate (0.34) measured.
pub const FINGER_POSITION_THRESHOLD: f64 = 0.12;

/// Normalised Hamming distance at which an iris alone flags a possible duplicate. Measured:
/// mates (capture against recapture) 0.00-0.24, strangers 0.41-0.50 (median 0.46) over 132
/// pairs. 0.32 is Daugman's classic decision point and sits in the middle of that gap.
pub const IRIS_THRESHOLD: f64 = 0.32;

/// References whose gallery evidence reaches this are compared in full. Lower than the decision
/// so that a mate the index scored a little low (the finger index compares only a shortlist) is
/// still decided on the exact comparison.
pub const SHORTLIST_EVIDENCE: f64 = 0.5;

/// How many references a search hands on for exact comparison at most.
pub const SHORTLIST: usize = 20;

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
}

impl Comparison {
    pub fn is_duplicate(&self) -> bool {
        self.fused >= DUPLICATE_EVIDENCE
    }
}

fn finger_evidence(mean: f64) -> f64 {
    mean / FINGER_THRESHOLD
}

fn iris_evidence(distance: f64) -> f64 {
    ((0.5 - distance) / (0.5 - IRIS_THRESHOLD)).max(0.0)
}

/// Compares a probe with a person's enrolled templates position by position.
pub fn compare(probe: &[(Position, Template)], enrolled: &[(Position, Template)]) -> Comparison {
    let config = MatchConfig::default();
    let mut positions = Vec::new();
    let (mut finger_sum, mut fingers) = (0.0, 0usize);
    let mut best_iris: Option<f64> = None;
    for (position, probe_t) in probe {
        let Some((_, stored)) = enrolled.iter().find(|(p, _)| p == position) else {
            continue;
        };
        match (probe_t, stored) {
            (Template::Finger(a), Template::Finger(b)) => {
                let s = f64::from(finger::compare(&Prepared::new(a), &Prepared::new(b)));
                finger_sum += s;
                fingers += 1;
                positions.push(PositionScore {
                    position: *position,
                    score: s,
                    matched: s >= FINGER_POSITION_THRESHOLD,
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
    let finger = (fingers > 0).then(|| finger_evidence(finger_sum / fingers as f64));
    let iris = best_iris.map(iris_evidence);
    Comparison {
        positions,
        fused: finger.unwrap_or(0.0).max(iris.unwrap_or(0.0)),
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
}

impl Default for Gallery {
    fn default() -> Self {
        Self::new()
    }
}

impl Gallery {
    pub fn new() -> Self {
        Self {
            fingers: FingerIndex::new(),
            right: IrisGallery::new(),
            left: IrisGallery::new(),
            enrolled: HashMap::new(),
        }
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

    /// References worth comparing in full with `probe`, best first (at most [`SHORTLIST`]).
    pub fn search(&self, probe: &[(Position, Template)]) -> Vec<(u64, f64)> {
        let finger_query: Vec<(u8, finger::Template)> = probe
            .iter()
            .filter_map(|(p, t)| match t {
                Template::Finger(t) => Some((p.iso_finger_code()?, t.clone())),
                Template::Iris(_) => None,
            })
            .collect();
        let mut finger_scores: HashMap<u64, f64> = HashMap::new();
        if !finger_query.is_empty() && !self.fingers.is_empty() {
            for hit in self.fingers.search(&finger_query, SHORTLIST) {
                finger_scores.insert(hit.person, f64::from(hit.score));
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
            for c in gallery.search(t, &config, SHORTLIST, 1) {
                let d = iris_distances.entry(c.id).or_insert(c.result.distance);
                *d = d.min(c.result.distance);
            }
        }
        let mut hits: Vec<(u64, f64)> = finger_scores
            .keys()
            .chain(iris_distances.keys())
            .copied()
            .collect::<std::collections::HashSet<u64>>()
            .into_iter()
            .map(|reference| {
                let f = finger_scores.get(&reference).copied().map(finger_evidence);
                let i = iris_distances.get(&reference).copied().map(iris_evidence);
                (reference, f.unwrap_or(0.0).max(i.unwrap_or(0.0)))
            })
            .filter(|(_, evidence)| *evidence >= SHORTLIST_EVIDENCE)
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.truncate(SHORTLIST);
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

    /// Measures the score distributions the thresholds above were chosen from.
    #[test]
    #[ignore = "a measurement, not a check: run it in release mode to see the distributions"]
    fn threshold_survey() {
        let fingers: Vec<_> = (0..24).map(|s| finger_templates(1000 + s)).collect();
        let prepared: Vec<_> = fingers
            .iter()
            .map(|(a, b)| (Prepared::new(a), Prepared::new(b)))
            .collect();
        let mut mates: Vec<f32> = prepared
            .iter()
            .map(|(a, b)| finger::compare(a, b))
            .collect();
        let mut strangers = Vec::new();
        for i in 0..prepared.len() {
            for j in 0..prepared.len() {
                if i != j {
                    strangers.push(finger::compare(&prepared[i].0, &prepared[j].1));
                }
            }
        }
        mates.sort_by(f32::total_cmp);
        strangers.sort_by(f32::total_cmp);
        println!("finger mates {:?}", mates);
        println!(
            "finger strangers max {:?} p99 {:?}",
            strangers.last(),
            strangers[strangers.len() * 99 / 100]
        );
        // Hands of ten: fingers 0-9 and 10-19 as two people, 4-13 as a stranger to both.
        let hand = |range: std::ops::Range<usize>, second: bool| -> Vec<(Position, Template)> {
            range
                .enumerate()
                .map(|(k, i)| {
                    let t = if second {
                        fingers[i].1.clone()
                    } else {
                        fingers[i].0.clone()
                    };
                    (Position::ALL[k], Template::Finger(t))
                })
                .collect()
        };
        for (a, b) in [
            (0..10, 0..10),
            (10..20, 10..20),
            (0..10, 10..20),
            (4..14, 0..10),
        ] {
            let c = compare(&hand(a.clone(), false), &hand(b.clone(), true));
            println!("hand {a:?} vs {b:?}: fused {:.2}", c.fused);
        }
        let eyes: Vec<_> = (0..12).map(|s| eye_templates(2000 + s)).collect();
        let config = MatchConfig::default();
        let mut iris_mates = Vec::new();
        let mut iris_strangers = Vec::new();
        for (i, (a, _)) in eyes.iter().enumerate() {
            let p = PreparedProbe::new(a, &config);
            for (j, (_, b)) in eyes.iter().enumerate() {
                let d = p.compare(b).distance;
                if i == j {
                    iris_mates.push(d);
                } else {
                    iris_strangers.push(d);
                }
            }
        }
        iris_mates.sort_by(f64::total_cmp);
        iris_strangers.sort_by(f64::total_cmp);
        println!("iris mates {:?}", iris_mates);
        println!(
            "iris strangers min {:?} median {:?}",
            iris_strangers.first(),
            iris_strangers[iris_strangers.len() / 2]
        );
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
        let exact = compare(&probe, &people[1]);
        assert!(exact.is_duplicate(), "{exact:?}");
        assert_eq!(exact.positions.len(), 3);
        assert!(!compare(&probe, &people[0]).is_duplicate());
    }
}
