//! Synthetic fingerprints with known minutiae, so that extraction and matching can be tested
//! without any external data.
//!
//! The method follows SFinGe (Cappelli, Maio & Maltoni): an orientation field built from a core and
//! a delta (Sherlock & Monro's zero-pole model), a ridge period, and ridges grown from random
//! noise by repeatedly applying the oriented Gabor filter and saturating, until a stable ridge
//! pattern forms; minutiae appear by themselves where the field forces ridges to end or split.
//! The true minutiae are those of the noise-free ridge pattern. An impression is then rendered
//! with a random rotation and translation, blur, noise and an elliptical contact area.

use std::f32::consts::PI;

use super::enhance::{self, Orientation, Plane};
use super::extract;
use super::template::Minutia;
use crate::image::GrayImage;

/// A small deterministic generator (SplitMix64), so fixtures are identical everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }

    /// Approximately standard normal (sum of uniforms).
    pub fn normal(&mut self) -> f32 {
        (0..4).map(|_| self.unit()).sum::<f32>() * 3.0f32.sqrt() - 2.0 * 3.0f32.sqrt()
    }
}

/// A finger: its noise-free ridge pattern and the minutiae in it.
#[derive(Debug, Clone)]
pub struct Finger {
    pub width: usize,
    pub height: usize,
    /// Ridge pattern in [-1, 1]; negative on ridges.
    pattern: Vec<f32>,
    /// True minutiae in pattern coordinates.
    pub minutiae: Vec<Minutia>,
}

/// One captured impression of a finger, with the true minutiae moved into image coordinates
/// (only those inside the contact area, away from its edge).
#[derive(Debug, Clone)]
pub struct Impression {
    pub image: GrayImage,
    pub minutiae: Vec<Minutia>,
}

const SIZE: usize = 320;
const GROW_STEPS: usize = 14;
const SEEDS: usize = 40;

impl Finger {
    /// Grows a 320x320 finger (loop pattern) from a seed.
    pub fn generate(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let (w, h) = (SIZE, SIZE);
        let core = (
            rng.range(0.35, 0.65) * w as f32,
            rng.range(0.3, 0.45) * h as f32,
        );
        let delta = (
            core.0 + rng.range(-0.3, 0.3) * w as f32,
            core.1 + rng.range(0.3, 0.45) * h as f32,
        );
        let base = rng.range(-0.3, 0.3);
        let mut theta = Plane::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let (xf, yf) = (x as f32, y as f32);
                let a = (yf - core.1).atan2(xf - core.0) - (yf - delta.1).atan2(xf - delta.0);
                theta.v[y * w + x] = (base + 0.5 * a + PI / 2.0).rem_euclid(PI);
            }
        }
        let period_base = rng.range(8.0, 10.0);
        let mut period = Plane::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let u = (x as f32 / w as f32 - 0.5) * 2.0;
                period.v[y * w + x] = period_base + 0.8 * u * (y as f32 / h as f32 - 0.5);
            }
        }
        let orient = Orientation {
            theta,
            coherence: Plane {
                w,
                h,
                v: vec![1.0; w * h],
            },
            energy: Plane {
                w,
                h,
                v: vec![1.0; w * h],
            },
        };
        let mask = vec![1u8; w * h];
        // Sparse seeds rather than dense noise: ridges then grow outwards and meet, which gives
        // the minutiae density of real fingers instead of a maze.
        let mut img = Plane::new(w, h);
        for _ in 0..SEEDS {
            let i = (rng.next_u64() % (w * h) as u64) as usize;
            img.v[i] = if rng.unit() < 0.5 { -1.0 } else { 1.0 };
        }
        for _ in 0..GROW_STEPS {
            let g = enhance::gabor(&img, &orient, &period, &mask);
            let rms = (g.v.iter().map(|v| v * v).sum::<f32>() / (w * h) as f32)
                .sqrt()
                .max(1e-6);
            img.v = g.v.iter().map(|v| (3.0 * v / rms).tanh()).collect();
        }
        let ridges: Vec<u8> = img.v.iter().map(|&v| u8::from(v < 0.0)).collect();
        let minutiae = extract::minutiae_of_clean_ridges(ridges, w, h, &orient, &period);
        Self {
            width: w,
            height: h,
            pattern: img.v,
            minutiae,
        }
    }

    /// Renders an impression: the finger moved by a random rotation (up to 20 degrees) and
    /// shift (up to 15 pixels), pressed over an elliptical area, blurred and noisy.
    pub fn impression(&self, seed: u64) -> Impression {
        let mut rng = Rng::new(seed ^ 0x5eed_0f1a_9e00);
        let (w, h) = (self.width, self.height);
        let rot = rng.range(-20.0, 20.0).to_radians();
        let (tx, ty) = (rng.range(-15.0, 15.0), rng.range(-15.0, 15.0));
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        let (s, c) = rot.sin_cos();
        let (ax, ay) = (
            rng.range(0.36, 0.42) * w as f32,
            rng.range(0.42, 0.47) * h as f32,
        );
        let noise = rng.range(8.0, 18.0);
        let contrast = rng.range(60.0, 95.0);
        let inside = |x: f32, y: f32, shrink: f32| {
            let (dx, dy) = ((x - cx) / (ax - shrink), (y - cy) / (ay - shrink));
            dx * dx + dy * dy <= 1.0
        };
        let sample = |x: f32, y: f32| {
            let (x0, y0) = (x.floor(), y.floor());
            let (fx, fy) = (x - x0, y - y0);
            let at = |xi: f32, yi: f32| {
                let xi = xi.clamp(0.0, (w - 1) as f32) as usize;
                let yi = yi.clamp(0.0, (h - 1) as f32) as usize;
                self.pattern[yi * w + xi]
            };
            (1.0 - fy) * ((1.0 - fx) * at(x0, y0) + fx * at(x0 + 1.0, y0))
                + fy * ((1.0 - fx) * at(x0, y0 + 1.0) + fx * at(x0 + 1.0, y0 + 1.0))
        };
        let mut grey = Plane::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let (xf, yf) = (x as f32, y as f32);
                // Inverse transform: image point -> finger point.
                let (dx, dy) = (xf - cx - tx, yf - cy - ty);
                let (px, py) = (cx + c * dx + s * dy, cy - s * dx + c * dy);
                grey.v[y * w + x] = if inside(xf, yf, 0.0) {
                    128.0 + contrast * sample(px, py)
                } else {
                    215.0
                };
            }
        }
        let blurred = enhance::box_blur(&grey, 1);
        let pixels = blurred
            .v
            .iter()
            .map(|&v| (v + noise * rng.normal()).round().clamp(0.0, 255.0) as u8)
            .collect();
        let image = GrayImage {
            width: w,
            height: h,
            pixels,
            ppi: Some(500),
        };
        let minutiae = self
            .minutiae
            .iter()
            .filter_map(|m| {
                let (dx, dy) = (f32::from(m.x) - cx, f32::from(m.y) - cy);
                let x = cx + tx + c * dx - s * dy;
                let y = cy + ty + s * dx + c * dy;
                if !inside(x, y, 18.0) {
                    return None;
                }
                Some(Minutia {
                    x: x.round() as u16,
                    y: y.round() as u16,
                    angle: Minutia::quantise_angle(m.angle_radians() + rot),
                    ..*m
                })
            })
            .collect();
        Impression { image, minutiae }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finger::{Prepared, compare, extract};

    /// Share of `a` that has a counterpart in `b` within 12 pixels and 30 degrees (one-to-one).
    fn matched_share(a: &[Minutia], b: &[Minutia]) -> f32 {
        let mut used = vec![false; b.len()];
        let mut n = 0;
        for m in a {
            let best = b
                .iter()
                .enumerate()
                .filter(|(j, q)| {
                    let d =
                        (f32::from(q.x) - f32::from(m.x)).hypot(f32::from(q.y) - f32::from(m.y));
                    let da = (q.angle_radians() - m.angle_radians()).rem_euclid(2.0 * PI);
                    !used[*j] && d <= 12.0 && da.min(2.0 * PI - da) <= PI / 6.0
                })
                .min_by_key(|(_, q)| {
                    (i32::from(q.x) - i32::from(m.x)).pow(2)
                        + (i32::from(q.y) - i32::from(m.y)).pow(2)
                });
            if let Some((j, _)) = best {
                used[j] = true;
                n += 1;
            }
        }
        n as f32 / a.len().max(1) as f32
    }

    #[test]
    fn generation_is_deterministic_and_has_minutiae() {
        let a = Finger::generate(7);
        let b = Finger::generate(7);
        assert_eq!(a.minutiae, b.minutiae);
        assert_eq!(a.impression(1).image, b.impression(1).image);
        assert_ne!(a.impression(1).image, a.impression(2).image);
        assert!(a.minutiae.len() >= 10, "only {} minutiae", a.minutiae.len());
    }

    #[test]
    fn extraction_recall_and_precision_on_synthetic_fingers() {
        let (mut recall, mut precision) = (0.0, 0.0);
        let n = 4;
        for seed in 0..n {
            let imp = Finger::generate(100 + seed).impression(seed);
            let found = extract(&imp.image).expect("extraction").template.minutiae;
            recall += matched_share(&imp.minutiae, &found);
            precision += matched_share(&found, &imp.minutiae);
        }
        let (recall, precision) = (recall / n as f32, precision / n as f32);
        assert!(
            recall >= 0.8,
            "recall {recall:.2}, precision {precision:.2}"
        );
        assert!(
            precision >= 0.65,
            "recall {recall:.2}, precision {precision:.2}"
        );
    }

    /// Dry, noisy captures: contrast cut, strong noise and bright pores all over. The ridge
    /// period must still be found (counting grey-level minima mistakes the pores for ridges and
    /// mistunes the filter) for the impressions of one finger to outscore those of others.
    #[test]
    fn noisy_porous_impressions_still_match() {
        let mut rng = Rng::new(77);
        let mut prepared = Vec::new();
        for f in 0..4u64 {
            let finger = Finger::generate(500 + f);
            for i in 1..=3 {
                let mut img = finger.impression(i).image;
                for p in &mut img.pixels {
                    let mut v = 128.0 + (f32::from(*p) - 128.0) * 0.6 + rng.range(-80.0, 80.0);
                    if rng.unit() < 0.06 {
                        v += 80.0;
                    }
                    *p = v.clamp(0.0, 255.0) as u8;
                }
                let t = extract(&img).expect("extraction").template;
                prepared.push((f, Prepared::new(&t)));
            }
        }
        let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
        for a in 0..prepared.len() {
            for b in a + 1..prepared.len() {
                let s = compare(&prepared[a].1, &prepared[b].1);
                if prepared[a].0 == prepared[b].0 {
                    genuine.push(s);
                } else {
                    impostor.push(s);
                }
            }
        }
        let r = crate::finger::eval::error_rates(&genuine, &impostor);
        assert!(r.eer < 10.0, "EER {:.1}% on noisy synthetic fingers", r.eer);
    }

    #[test]
    fn impressions_of_one_finger_match_and_of_two_do_not() {
        let prep = |f: &Finger, s: u64| {
            Prepared::new(
                &extract(&f.impression(s).image)
                    .expect("extraction")
                    .template,
            )
        };
        let (f1, f2) = (Finger::generate(11), Finger::generate(12));
        let a = prep(&f1, 1);
        let genuine = compare(&a, &prep(&f1, 2));
        let impostor = compare(&a, &prep(&f2, 3));
        assert!(
            genuine > 4.0 * impostor,
            "genuine {genuine:.3}, impostor {impostor:.3}"
        );
    }
}
