//! The statistics behind the operating point: a generalised Pareto model of the impostor score
//! tail, bootstrap bounds, binomial tails for the k-of-n fusion, and binomial confidence
//! intervals. `bioeval calibrate` puts them together; see [`super::dedup`] for the fusion model.
//!
//! The rates deduplication needs (about 1e-4 per finger, 1e-10 per person) lie far below what a
//! few thousand impostor pairs can show, so the tail above a high quantile `u` is modelled by the
//! generalised Pareto distribution (Pickands-Balkema-de Haan): `P(S >= x) = z (1 + xi (x - u) /
//! sigma)^(-1/xi)` for `x >= u`, with `z` the fraction of scores above `u`. Shape and scale are
//! estimated by probability-weighted moments (Hosking & Wallis 1987), which stay stable on a few
//! hundred exceedances where maximum likelihood often does not converge.

use super::synthetic::Rng;

/// A generalised Pareto fit of the scores above a threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TailFit {
    /// The threshold `u` (an empirical quantile of the scores).
    pub u: f64,
    /// Fraction of all scores above `u`.
    pub rate: f64,
    /// Shape `xi` (negative: bounded tail, ending at `u - sigma / xi`).
    pub shape: f64,
    /// Scale `sigma`.
    pub scale: f64,
    /// Number of scores above `u`.
    pub exceedances: usize,
}

impl TailFit {
    /// Fits the scores above their `1 - tail_fraction` quantile; `None` when fewer than 20
    /// scores lie above it or they are all equal.
    pub fn fit(scores: &[f64], tail_fraction: f64) -> Option<Self> {
        let mut sorted: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let k = ((n as f64) * tail_fraction).round() as usize;
        if k < 20 || k >= n {
            return None;
        }
        let u = sorted[n - k - 1];
        let excess: Vec<f64> = sorted[n - k..].iter().map(|s| s - u).collect();
        let m = excess.len() as f64;
        // Probability-weighted moments a0 = E[Y], a1 = E[Y (1 - F(Y))] with plotting positions.
        let a0 = excess.iter().sum::<f64>() / m;
        let a1 = excess
            .iter()
            .enumerate()
            .map(|(i, y)| (1.0 - (i as f64 + 0.65) / m) * y)
            .sum::<f64>()
            / m;
        let d = a0 - 2.0 * a1;
        if a0 <= 0.0 || d <= 0.0 {
            return None;
        }
        let shape = 2.0 - a0 / d;
        let scale = 2.0 * a0 * a1 / d;
        (scale > 0.0).then_some(Self {
            u,
            rate: excess.len() as f64 / n as f64,
            shape,
            scale,
            exceedances: excess.len(),
        })
    }

    /// Modelled `P(S >= x)` for `x >= u`.
    pub fn tail(&self, x: f64) -> f64 {
        let y = (x - self.u).max(0.0);
        if self.shape.abs() < 1e-9 {
            return self.rate * (-y / self.scale).exp();
        }
        let t = 1.0 + self.shape * y / self.scale;
        if t <= 0.0 {
            0.0
        } else {
            self.rate * t.powf(-1.0 / self.shape)
        }
    }

    /// The score whose modelled tail probability is `p` (for `p` below `rate`).
    pub fn quantile(&self, p: f64) -> f64 {
        let r = (p / self.rate).min(1.0);
        if self.shape.abs() < 1e-9 {
            self.u - self.scale * r.ln()
        } else {
            self.u + self.scale / self.shape * (r.powf(-self.shape) - 1.0)
        }
    }
}

/// `statistic` of [`TailFit`]s of `rounds` bootstrap resamples of `scores` (resamples whose fit
/// fails are skipped), sorted.
pub fn bootstrap(
    scores: &[f64],
    tail_fraction: f64,
    rounds: usize,
    seed: u64,
    statistic: impl Fn(&TailFit) -> f64,
) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    let mut out: Vec<f64> = (0..rounds)
        .filter_map(|_| {
            let resample: Vec<f64> = (0..scores.len())
                .map(|_| scores[(rng.next_u64() % scores.len() as u64) as usize])
                .collect();
            TailFit::fit(&resample, tail_fraction).map(|f| statistic(&f))
        })
        .collect();
    out.sort_by(f64::total_cmp);
    out
}

/// The `q` quantile (0-1) of sorted values, `NaN` when there are none.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `P(Bin(n, p) >= k)`.
pub fn binomial_tail(n: usize, k: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    (k..=n)
        .map(|i| choose(n, i) * p.powi(i as i32) * (1.0 - p).powi((n - i) as i32))
        .sum()
}

/// The binomial coefficient as a float.
pub fn choose(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// A two-sided 95% confidence interval for a proportion of `x` in `n`: Wilson's score
/// interval, with the exact (Clopper-Pearson) bound at the ends, where Wilson's is too narrow.
pub fn proportion_interval(x: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let nf = n as f64;
    if x == 0 {
        return (0.0, 1.0 - 0.025f64.powf(1.0 / nf));
    }
    if x == n {
        return (0.025f64.powf(1.0 / nf), 1.0);
    }
    let z = 1.959_964;
    let p = x as f64 / nf;
    let centre = (p + z * z / (2.0 * nf)) / (1.0 + z * z / nf);
    let half = z / (1.0 + z * z / nf) * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exponential scores have shape 0 and a known tail: the fit must find both.
    #[test]
    fn fits_a_known_tail() {
        let mut rng = Rng::new(7);
        let scores: Vec<f64> = (0..20_000)
            .map(|_| {
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                -(1.0 - u).ln() / 10.0
            })
            .collect();
        let fit = TailFit::fit(&scores, 0.05).expect("fit");
        assert!(fit.shape.abs() < 0.1, "{fit:?}");
        // P(S >= 1.0) = e^-10 = 4.5e-5
        let p = fit.tail(1.0);
        assert!(p > 2e-5 && p < 1e-4, "{p}");
        assert!((fit.tail(fit.quantile(1e-4)) - 1e-4).abs() < 1e-9);
    }

    #[test]
    fn binomial_and_intervals() {
        assert!((binomial_tail(10, 3, 1e-4) - 120.0 * 1e-12).abs() < 1e-13);
        assert_eq!(binomial_tail(2, 3, 0.5), 0.0);
        assert!((choose(10, 3) - 120.0).abs() < 1e-9);
        let (lo, hi) = proportion_interval(0, 100);
        assert!(lo == 0.0 && (hi - 0.0362).abs() < 1e-3, "{hi}");
        let (lo, hi) = proportion_interval(50, 100);
        assert!(lo < 0.5 && hi > 0.5);
    }
}
