//! Verification error rates from genuine and impostor scores, as FVC reports them; shared by the
//! `bioeval` binary and the accuracy tests so both measure the same way.

/// Error rates in percent.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub eer: f64,
    pub fmr100: f64,
    pub fmr1000: f64,
    pub zero_fmr: f64,
}

/// Error rates in percent. A comparison is accepted when its score is at least the threshold.
pub fn error_rates(genuine: &[f32], impostor: &[f32]) -> Rates {
    let mut thresholds: Vec<f32> = genuine.iter().chain(impostor).copied().collect();
    thresholds.push(f32::INFINITY);
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    let frac = |n: usize, of: usize| {
        if of == 0 {
            0.0
        } else {
            100.0 * n as f64 / of as f64
        }
    };
    let curve: Vec<(f64, f64)> = thresholds
        .iter()
        .map(|&t| {
            let fmr = frac(impostor.iter().filter(|&&s| s >= t).count(), impostor.len());
            let fnmr = frac(genuine.iter().filter(|&&s| s < t).count(), genuine.len());
            (fmr, fnmr)
        })
        .collect();
    // FVC's EER: where the curves cross, or the midpoint of the closest pair around the crossing.
    let mut eer = 100.0f64;
    for w in curve.windows(2) {
        let ((a1, b1), (a2, b2)) = (w[0], w[1]);
        if a1 >= b1 && a2 <= b2 {
            let lo = (a1 + b1) / 2.0;
            let hi = (a2 + b2) / 2.0;
            eer = eer.min(if (a1 - b1).abs() <= (b2 - a2).abs() {
                lo
            } else {
                hi
            });
        }
    }
    let best = |limit: f64| {
        curve
            .iter()
            .filter(|c| c.0 <= limit)
            .map(|c| c.1)
            .fold(100.0f64, f64::min)
    };
    Rates {
        eer,
        fmr100: best(1.0),
        fmr1000: best(0.1),
        zero_fmr: best(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separated_scores_have_no_errors_and_identical_ones_half() {
        let r = error_rates(&[0.9, 0.8, 0.7], &[0.1, 0.2, 0.3, 0.4]);
        assert_eq!(
            (r.eer, r.fmr100, r.fmr1000, r.zero_fmr),
            (0.0, 0.0, 0.0, 0.0)
        );
        let r = error_rates(&[0.5; 10], &[0.5; 10]);
        assert!((r.eer - 50.0).abs() < 1e-9, "eer {}", r.eer);
        assert_eq!(r.zero_fmr, 100.0);
    }

    #[test]
    fn one_high_impostor_costs_fnmr_at_zero_fmr() {
        let r = error_rates(&[0.6, 0.7, 0.8, 0.9], &[0.1, 0.2, 0.75]);
        assert_eq!(r.zero_fmr, 50.0);
    }
}
