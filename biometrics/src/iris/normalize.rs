//! Daugman's rubber-sheet model: the iris annulus resampled onto a fixed polar grid, so pupil
//! size, image scale and a limbus that is not concentric with the pupil all map to the same
//! grid. Rows run from the pupil outwards, columns clockwise from the right of the pupil; a
//! rotation of the eye is then a circular shift of the columns.

use super::geometry::sample;
use super::segment::Segmentation;
use crate::image::GrayImage;
use std::f64::consts::TAU;

/// Rows of the polar grid, pupil to limbus.
pub const RADIAL_SAMPLES: usize = 32;
/// Columns of the polar grid, around the circle.
pub const ANGULAR_SAMPLES: usize = 256;
/// The grid spans this part of the annulus (0 = pupil boundary, 1 = limbus): the last few percent
/// either side blur into the boundaries and carry little texture.
const RHO_INNER: f64 = 0.05;
const RHO_OUTER: f64 = 0.9;
/// Samples this far from the iris's median grey level (and more than 3.5 robust standard
/// deviations) are eyelashes, eyelid skin or K7 fill rather than iris.
const OUTLIER_MIN_STEP: f64 = 40.0;

/// The unwrapped iris: `values[row * ANGULAR_SAMPLES + column]`, with `valid` false where the
/// sample is occluded or outside the image.
#[derive(Debug, Clone, PartialEq)]
pub struct PolarImage {
    pub values: Vec<f32>,
    pub valid: Vec<bool>,
}

/// Resamples the iris of `image` found by `seg` onto the polar grid.
pub fn normalize(image: &GrayImage, seg: &Segmentation) -> PolarImage {
    let n = RADIAL_SAMPLES * ANGULAR_SAMPLES;
    let mut values = vec![0f32; n];
    let mut valid = vec![false; n];
    let (pupil, iris) = (&seg.pupil, &seg.iris);
    for j in 0..ANGULAR_SAMPLES {
        let angle = TAU * j as f64 / ANGULAR_SAMPLES as f64;
        let (s, c) = angle.sin_cos();
        let limbus = pupil.ray_to(iris, angle).max(pupil.r);
        for i in 0..RADIAL_SAMPLES {
            let rho =
                RHO_INNER + (RHO_OUTER - RHO_INNER) * (i as f64 + 0.5) / RADIAL_SAMPLES as f64;
            let d = pupil.r + rho * (limbus - pupil.r);
            let (x, y) = (pupil.x + d * c, pupil.y + d * s);
            if seg.occluded(x, y) {
                continue;
            }
            if let Some(v) = sample(image, x, y) {
                values[i * ANGULAR_SAMPLES + j] = v as f32;
                valid[i * ANGULAR_SAMPLES + j] = true;
            }
        }
    }
    mask_outliers(&values, &mut valid);
    PolarImage { values, valid }
}

fn mask_outliers(values: &[f32], valid: &mut [bool]) {
    let mut v: Vec<f32> = values
        .iter()
        .zip(valid.iter())
        .filter(|(_, ok)| **ok)
        .map(|(v, _)| *v)
        .collect();
    if v.len() < 16 {
        return;
    }
    let median = median_of(&mut v);
    let mut dev: Vec<f32> = v.iter().map(|x| (x - median).abs()).collect();
    let sigma = 1.4826 * f64::from(median_of(&mut dev));
    let limit = (3.5 * sigma).max(OUTLIER_MIN_STEP);
    for (x, ok) in values.iter().zip(valid.iter_mut()) {
        if f64::from((x - median).abs()) > limit {
            *ok = false;
        }
    }
}

fn median_of(v: &mut [f32]) -> f32 {
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    *m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iris::segment::segment;
    use crate::iris::synthetic::{Format, SyntheticEye};

    #[test]
    fn unwraps_the_iris_and_masks_the_lids() {
        let c = SyntheticEye::new(8).capture(Format::K3);
        let Ok(seg) = segment(&c.image) else {
            panic!("no segmentation")
        };
        let polar = normalize(&c.image, &seg);
        let valid = polar.valid.iter().filter(|v| **v).count();
        // Most of the annulus is visible; the top, under the upper lid, is not.
        assert!(valid > RADIAL_SAMPLES * ANGULAR_SAMPLES / 2, "{valid}");
        let top = 3 * ANGULAR_SAMPLES / 4;
        let outer_top = (RADIAL_SAMPLES - 1) * ANGULAR_SAMPLES + top;
        assert!(!polar.valid[outer_top]);
        // Valid samples are iris, not pupil (about 14) or sclera (about 200).
        let mean = polar
            .values
            .iter()
            .zip(&polar.valid)
            .filter(|(_, v)| **v)
            .map(|(x, _)| f64::from(*x))
            .sum::<f64>()
            / valid as f64;
        assert!((70.0..170.0).contains(&mean), "{mean}");
    }

    #[test]
    fn outliers_are_masked() {
        let mut values = vec![100f32; 64];
        values[3] = 20.0;
        values[9] = 128.0;
        values[10] = 200.0;
        let mut valid = vec![true; 64];
        mask_outliers(&values, &mut valid);
        assert_eq!(valid.iter().filter(|v| !**v).count(), 2);
        assert!(!valid[3] && valid[9] && !valid[10]);
    }
}
