//! Iris recognition after Daugman: find the pupil and limbus, unwrap the iris onto a fixed polar
//! grid (the rubber-sheet model), quantise the phase of log-Gabor responses into a 2048-bit code
//! with a mask of usable bits, and compare codes by masked fractional Hamming distance over a few
//! rotations.
//!
//! The pieces are separate so the capture side (segmentation, encoding) and the server side
//! (templates, 1:N search) can each use only what they need, and so the synthetic eye generator
//! can check every stage against known geometry.

/// Names the segmentation, encoding and template format, stored beside every iris code the server
/// derives so that codes made by an older algorithm can be found and rebuilt from their images.
pub const ALGORITHM_VERSION: &str = "amparo-iris-loggabor/1";

mod encode;
mod geometry;
mod matcher;
mod normalize;
mod search;
mod segment;
pub mod synthetic;
mod template;

pub use encode::encode;
pub use geometry::{Circle, Eyelid};
pub use matcher::{
    DEFAULT_MAX_SHIFT, DEFAULT_REFERENCE_BITS, MatchConfig, MatchResult, PreparedProbe,
};
pub use normalize::{ANGULAR_SAMPLES, PolarImage, RADIAL_SAMPLES, normalize};
pub use search::{Candidate, IrisGallery};
pub use segment::{Segmentation, segment};
pub use template::{CODE_BITS, CODE_WORDS, IrisTemplate, RINGS, TEMPLATE_BYTES, TemplateError};

use crate::image::GrayImage;
use thiserror::Error;

/// Why an iris image gave no template.
#[derive(Debug, Error, PartialEq)]
pub enum IrisError {
    #[error("image too small for iris segmentation: {width}x{height}, need at least {min}x{min}")]
    ImageTooSmall {
        width: usize,
        height: usize,
        min: usize,
    },
    #[error("no pupil found: no dark disc with a clear boundary")]
    NoPupil,
    #[error("no iris boundary found around the pupil")]
    NoIris,
    #[error("too little visible iris: {valid_bits} usable bits, need {min_bits}")]
    TooOccluded { valid_bits: u32, min_bits: u32 },
}

/// Segments, normalises and encodes one eye image into a template.
pub fn template_from_image(image: &GrayImage) -> Result<IrisTemplate, IrisError> {
    let seg = segment(image)?;
    let polar = normalize(image, &seg);
    let template = encode(&polar);
    let valid_bits = template.valid_bits();
    if valid_bits < MIN_VALID_BITS {
        return Err(IrisError::TooOccluded {
            valid_bits,
            min_bits: MIN_VALID_BITS,
        });
    }
    Ok(template)
}

/// Below this many usable bits a comparison says little (Daugman's typical figure is about 900
/// mutually valid bits), so such an image is rejected at capture rather than enrolled.
pub const MIN_VALID_BITS: u32 = 512;

#[cfg(test)]
mod tests {
    use super::synthetic::{Format, SyntheticEye};
    use super::*;

    fn template(image: &GrayImage) -> IrisTemplate {
        match template_from_image(image) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    /// Same eye captured twice (pupil size, position, rotation, lids and noise changed, K3
    /// against K7) against different eyes. Run with `--nocapture` to see the distributions.
    #[test]
    fn same_eye_matches_and_different_eyes_do_not() {
        let eyes: Vec<SyntheticEye> = (101..=106).map(SyntheticEye::new).collect();
        let enrolled: Vec<IrisTemplate> = eyes
            .iter()
            .map(|e| template(&e.capture(Format::K3).image))
            .collect();
        let again: Vec<IrisTemplate> = eyes
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let format = if i % 2 == 0 { Format::K3 } else { Format::K7 };
                template(&e.recapture(i as u64 + 1, format).image)
            })
            .collect();
        let config = MatchConfig::default();
        let mut genuine = Vec::new();
        let mut impostor = Vec::new();
        let mut bits = Vec::new();
        for (i, probe) in again.iter().enumerate() {
            let prepared = PreparedProbe::new(probe, &config);
            for (j, enrolled) in enrolled.iter().enumerate() {
                let result = prepared.compare(enrolled);
                bits.push(f64::from(result.compared_bits));
                let d = result.distance;
                if i == j {
                    genuine.push(d)
                } else {
                    impostor.push(d)
                }
            }
        }
        let stats = |v: &[f64]| {
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let (lo, hi) = v
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
            (mean, lo, hi)
        };
        let (gm, gl, gh) = stats(&genuine);
        let (im, il, ih) = stats(&impostor);
        let (bm, bl, bh) = stats(&bits);
        println!(
            "synthetic irises: genuine {} mean {gm:.3} [{gl:.3}, {gh:.3}], impostor {} mean {im:.3} \
             [{il:.3}, {ih:.3}], compared bits mean {bm:.0} [{bl:.0}, {bh:.0}]",
            genuine.len(),
            impostor.len()
        );
        assert!(gh < 0.25, "genuine up to {gh}");
        assert!(il > 0.38, "impostor down to {il}");
        assert!((0.42..=0.52).contains(&im), "impostor mean {im}");
    }

    #[test]
    fn templates_survive_serialisation() {
        let t = template(&SyntheticEye::new(7).capture(Format::K7).image);
        assert!(t.valid_bits() >= MIN_VALID_BITS);
        assert_eq!(IrisTemplate::from_bytes(&t.to_bytes()), Ok(t));
    }
}
