//! Fingerprint image quality, 0 (unusable) to 100 (excellent).
//!
//! The capture subcommand uses it to ask for a recapture, so it must predict how well an image
//! will match. NFIQ 2 (ISO/IEC 29794-4) is the reference: it learns a score from local features
//! of which the strongest are orientation certainty, ridge clarity, ridge frequency consistency,
//! foreground area and minutiae count. We compute those same features and combine them with fixed
//! weights instead of a trained model:
//!
//! - orientation certainty: mean coherence of the squared-gradient field over the foreground
//!   (NFIQ 2's OCL), weight 0.40;
//! - ridge frequency: share of the foreground whose local ridge period lies in the 5-13 pixel
//!   band of real fingers at 500 ppi (NFIQ 2's FDA / RVU consistency), weight 0.20;
//! - foreground area: segmented fingerprint area against a full 250x250 pixel contact
//!   (NFIQ 2's FingerJetFX ROI area), weight 0.20;
//! - minutiae count: minutiae found against 40, the count of a full good impression (NFIQ 2's
//!   FingerJetFX minutia count), weight 0.20.

use super::enhance::{Orientation, Plane};

const FULL_AREA: f32 = 250.0 * 250.0;
const FULL_MINUTIAE: f32 = 40.0;

/// The quality score from the extraction's intermediate images.
pub(crate) fn score(orient: &Orientation, mask: &[u8], period: &Plane, minutiae: usize) -> u8 {
    let mut area = 0usize;
    let mut coh = 0.0f64;
    let mut good_period = 0usize;
    for (i, &m) in mask.iter().enumerate() {
        if m == 0 {
            continue;
        }
        area += 1;
        coh += f64::from(orient.coherence.v[i]);
        if (5.0..=13.0).contains(&period.v[i]) {
            good_period += 1;
        }
    }
    if area == 0 {
        return 0;
    }
    let ocl = (coh / area as f64) as f32;
    let freq = good_period as f32 / area as f32;
    let area_share = (area as f32 / FULL_AREA).min(1.0);
    let count = (minutiae as f32 / FULL_MINUTIAE).min(1.0);
    // Coherence of real ridges rarely exceeds 0.8 even on perfect images; rescale to reach 1.
    let ocl = (ocl / 0.8).min(1.0);
    let q = 0.4 * ocl + 0.2 * freq + 0.2 * area_share + 0.2 * count;
    (100.0 * q).round().clamp(0.0, 100.0) as u8
}

/// Fewer minutiae than this say too little for deduplication.
pub const MIN_MINUTIAE: usize = 12;
/// Engine quality below which a finger is captured again (NFIQ 2 scale: matching suffers below).
pub const MIN_QUALITY: u8 = 40;

/// Why a finger's template is not good enough to enrol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    TooFewMinutiae { found: usize, needed: usize },
    LowQuality { score: u8, threshold: u8 },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooFewMinutiae { found, needed } => write!(
                f,
                "only {found} minutiae found (at least {needed} are needed): capture the finger again"
            ),
            Refusal::LowQuality { score, threshold } => write!(
                f,
                "quality {score} is below {threshold}: capture the finger again"
            ),
        }
    }
}

/// The one rule that decides whether a finger's template is good enough to enrol: the capture
/// subcommand and the server both call it on the same extraction of the same image, so a capture
/// the client accepts is never refused by the server for quality.
pub fn acceptable(template: &super::Template) -> Result<(), Refusal> {
    if template.minutiae.len() < MIN_MINUTIAE {
        return Err(Refusal::TooFewMinutiae {
            found: template.minutiae.len(),
            needed: MIN_MINUTIAE,
        });
    }
    if template.quality < MIN_QUALITY {
        return Err(Refusal::LowQuality {
            score: template.quality,
            threshold: MIN_QUALITY,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::finger::extract;
    use crate::finger::synthetic::{Finger, Rng};
    use crate::image::GrayImage;

    #[test]
    fn blank_image_scores_zero_and_noise_lowers_quality() {
        let blank = GrayImage {
            width: 200,
            height: 200,
            pixels: vec![128; 40_000],
            ppi: None,
        };
        let e = extract(&blank).expect("extraction of a blank image");
        assert_eq!(e.template.quality, 0);
        assert!(e.template.minutiae.is_empty());

        let clean = Finger::generate(31).impression(1).image;
        let mut rng = Rng::new(9);
        let mut noisy = clean.clone();
        for p in &mut noisy.pixels {
            *p = (f32::from(*p) + rng.range(-110.0, 110.0)).clamp(0.0, 255.0) as u8;
        }
        let q_clean = extract(&clean).expect("clean").template.quality;
        let q_noisy = extract(&noisy).expect("noisy").template.quality;
        assert!(q_clean >= 60, "clean synthetic finger quality {q_clean}");
        assert!(
            q_noisy + 15 <= q_clean,
            "noisy {q_noisy} vs clean {q_clean}"
        );
    }
}
