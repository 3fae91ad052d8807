//! Iris code from the polar image: each ring is filtered around the circle with a 1-D log-Gabor
//! filter (Field's log-Gabor as used by Masek), and the quadrant of each complex response's phase
//! gives two bits. Phase, not amplitude, so contrast and illumination do not matter. A bit is
//! masked where its samples were occluded or where its response is too close to zero for its
//! sign to survive noise (a "fragile" bit).

use super::normalize::{ANGULAR_SAMPLES, PolarImage, RADIAL_SAMPLES};
use super::template::{BITS_PER_COLUMN, Bits, CODE_COLUMNS, IrisTemplate, RINGS};
use std::f64::consts::TAU;

/// Centre wavelength of the filter in polar samples (of [`ANGULAR_SAMPLES`] around the circle).
const WAVELENGTH: f64 = 16.0;
/// Bandwidth: ratio of the Gaussian's width to the centre frequency on a log axis.
const SIGMA_ON_F: f64 = 0.5;
/// A response component smaller than this fraction of the ring's RMS amplitude gives a masked bit.
const FRAGILE: f64 = 0.05;
/// Fewer valid rows than this of a ring's rows at a column and the column is masked there.
const MIN_VALID_ROWS: usize = 2;

const ROWS_PER_RING: usize = RADIAL_SAMPLES / RINGS;
const STRIDE: usize = ANGULAR_SAMPLES / CODE_COLUMNS;

/// Encodes a polar iris image into a template.
pub fn encode(polar: &PolarImage) -> IrisTemplate {
    let filter = log_gabor();
    let mut code = Bits::ZERO;
    let mut mask = Bits::ZERO;
    for ring in 0..RINGS {
        let mut signal = [0f64; ANGULAR_SAMPLES];
        let mut ok = [false; ANGULAR_SAMPLES];
        for j in 0..ANGULAR_SAMPLES {
            let (mut sum, mut n) = (0.0, 0);
            for row in ring * ROWS_PER_RING..(ring + 1) * ROWS_PER_RING {
                let k = row * ANGULAR_SAMPLES + j;
                if let (Some(true), Some(v)) = (polar.valid.get(k), polar.values.get(k)) {
                    sum += f64::from(*v);
                    n += 1;
                }
            }
            if n >= MIN_VALID_ROWS {
                signal[j] = sum / n as f64;
                ok[j] = true;
            }
        }
        let count = ok.iter().filter(|v| **v).count();
        if count == 0 {
            continue;
        }
        // Occluded samples take the ring's mean so they add no edge of their own.
        let mean = signal
            .iter()
            .zip(&ok)
            .filter(|(_, o)| **o)
            .map(|(s, _)| s)
            .sum::<f64>()
            / count as f64;
        let mut z: Vec<(f64, f64)> = signal
            .iter()
            .zip(&ok)
            .map(|(s, o)| if *o { (s - mean, 0.0) } else { (0.0, 0.0) })
            .collect();
        fft(&mut z, false);
        for (v, g) in z.iter_mut().zip(&filter) {
            *v = (v.0 * g, v.1 * g);
        }
        fft(&mut z, true);
        let rms = (z
            .iter()
            .zip(&ok)
            .filter(|(_, o)| **o)
            .map(|(v, _)| v.0 * v.0 + v.1 * v.1)
            .sum::<f64>()
            / count as f64)
            .sqrt();
        let fragile = FRAGILE * rms;
        for col in 0..CODE_COLUMNS {
            let j = col * STRIDE;
            let usable = ok[j]
                && ok[(j + 1) % ANGULAR_SAMPLES]
                && ok[(j + ANGULAR_SAMPLES - 1) % ANGULAR_SAMPLES];
            let (re, im) = z[j];
            let base = col * BITS_PER_COLUMN + ring * 2;
            code.set(base, re >= 0.0);
            code.set(base + 1, im >= 0.0);
            mask.set(base, usable && re.abs() >= fragile);
            mask.set(base + 1, usable && im.abs() >= fragile);
        }
    }
    IrisTemplate::from_words(code.0, mask.0)
}

/// One-sided log-Gabor transfer function on the FFT bins: positive frequencies only, so the
/// filtered signal is analytic and its phase well defined.
fn log_gabor() -> [f64; ANGULAR_SAMPLES] {
    let f0 = 1.0 / WAVELENGTH;
    let denom = 2.0 * SIGMA_ON_F.ln().powi(2);
    std::array::from_fn(|k| {
        if k == 0 || k >= ANGULAR_SAMPLES / 2 {
            0.0
        } else {
            let f = k as f64 / ANGULAR_SAMPLES as f64;
            (-(f / f0).ln().powi(2) / denom).exp()
        }
    })
}

/// In-place radix-2 FFT of a power-of-two length; `inverse` also divides by the length.
fn fft(z: &mut [(f64, f64)], inverse: bool) {
    let n = z.len();
    debug_assert!(n.is_power_of_two());
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if j > i {
            z.swap(i, j);
        }
    }
    let sign = if inverse { 1.0 } else { -1.0 };
    let mut len = 2;
    while len <= n {
        let (ws, wc) = (sign * TAU / len as f64).sin_cos();
        for start in (0..n).step_by(len) {
            let (mut cr, mut ci) = (1.0, 0.0);
            for k in 0..len / 2 {
                let (ar, ai) = z[start + k];
                let (br, bi) = z[start + k + len / 2];
                let (tr, ti) = (br * cr - bi * ci, br * ci + bi * cr);
                z[start + k] = (ar + tr, ai + ti);
                z[start + k + len / 2] = (ar - tr, ai - ti);
                (cr, ci) = (cr * wc - ci * ws, cr * ws + ci * wc);
            }
        }
        len *= 2;
    }
    if inverse {
        for v in z.iter_mut() {
            *v = (v.0 / n as f64, v.1 / n as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fft_matches_a_direct_transform() {
        let x: Vec<(f64, f64)> = (0..16)
            .map(|i| ((i as f64 * 0.7).sin(), (i * i % 5) as f64))
            .collect();
        let mut y = x.clone();
        fft(&mut y, false);
        for (k, v) in y.iter().enumerate() {
            let (mut re, mut im) = (0.0, 0.0);
            for (t, (a, b)) in x.iter().enumerate() {
                let (s, c) = (-TAU * (k * t) as f64 / 16.0).sin_cos();
                re += a * c - b * s;
                im += a * s + b * c;
            }
            assert!(
                (v.0 - re).abs() < 1e-9 && (v.1 - im).abs() < 1e-9,
                "bin {k}"
            );
        }
        fft(&mut y, true);
        for (a, b) in x.iter().zip(&y) {
            assert!((a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9);
        }
    }

    #[test]
    fn phase_follows_a_rotated_texture() {
        let texture = |j: usize| {
            ((j as f64) * TAU / 16.0).sin() * 20.0 + ((j as f64) * TAU / 23.0).cos() * 15.0
        };
        let polar = |shift: usize| PolarImage {
            values: (0..RADIAL_SAMPLES * ANGULAR_SAMPLES)
                .map(|k| 100.0 + texture((k % ANGULAR_SAMPLES + shift) % ANGULAR_SAMPLES) as f32)
                .collect(),
            valid: vec![true; RADIAL_SAMPLES * ANGULAR_SAMPLES],
        };
        let a = encode(&polar(0));
        let b = encode(&polar(2 * STRIDE));
        assert!(a.valid_bits() > 1800);
        assert_eq!(
            a.code
                .rotate_columns(2)
                .0
                .iter()
                .zip(&b.code.0)
                .filter(|(x, y)| x != y)
                .count(),
            0
        );
        let blank = PolarImage {
            values: vec![0.0; RADIAL_SAMPLES * ANGULAR_SAMPLES],
            valid: vec![false; RADIAL_SAMPLES * ANGULAR_SAMPLES],
        };
        assert_eq!(encode(&blank).valid_bits(), 0);
    }
}
