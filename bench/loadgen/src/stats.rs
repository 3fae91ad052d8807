//! Latency percentiles for a run.
//!
//! Every latency of a run is kept (a run is bounded, so this is at most a few megabytes) and the
//! percentiles are exact, by the nearest-rank method: the p-th percentile is the smallest recorded
//! value such that at least p % of all values are at or below it. No interpolation, so a reported
//! p99 is a latency some request really had.

use std::time::Duration;

/// Exact order statistics over a run's latencies.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    sorted_us: Vec<u64>,
}

impl Latencies {
    /// Builds the statistics from latencies in any order.
    pub fn new(latencies: impl IntoIterator<Item = Duration>) -> Self {
        let mut sorted_us: Vec<u64> = latencies
            .into_iter()
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
            .collect();
        sorted_us.sort_unstable();
        Self { sorted_us }
    }

    /// Number of latencies.
    pub fn len(&self) -> usize {
        self.sorted_us.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.sorted_us.is_empty()
    }

    /// Nearest-rank percentile in microseconds; `None` for an empty run. `p` is clamped to 0..=100,
    /// and the 0th percentile is the minimum.
    pub fn percentile_us(&self, p: f64) -> Option<u64> {
        let n = self.sorted_us.len();
        if n == 0 {
            return None;
        }
        let p = if p.is_nan() {
            100.0
        } else {
            p.clamp(0.0, 100.0)
        };
        // Rank in 1..=n; computed in integers of hundredths of a percent so that e.g. p99 of 100
        // values is exactly rank 99 and not 99.00000000000001 rounded up to 100.
        let p_hundredths = (p * 100.0).round() as u128;
        let rank = (p_hundredths * n as u128).div_ceil(10_000).max(1);
        let index = usize::try_from(rank - 1).unwrap_or(n - 1).min(n - 1);
        self.sorted_us.get(index).copied()
    }

    /// Nearest-rank percentile in milliseconds, rounded to 0.01 ms; 0 for an empty run.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        self.percentile_us(p).map(us_to_ms).unwrap_or(0.0)
    }

    /// The largest latency in milliseconds; 0 for an empty run.
    pub fn max_ms(&self) -> f64 {
        self.sorted_us.last().copied().map(us_to_ms).unwrap_or(0.0)
    }
}

fn us_to_ms(us: u64) -> f64 {
    (us as f64 / 10.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Latencies {
        Latencies::new(values.iter().map(|&v| Duration::from_millis(v)))
    }

    #[test]
    fn empty_run_has_no_percentiles() {
        let l = ms(&[]);
        assert!(l.is_empty());
        assert_eq!(l.percentile_us(50.0), None);
        assert_eq!(l.percentile_ms(99.0), 0.0);
        assert_eq!(l.max_ms(), 0.0);
    }

    #[test]
    fn single_value_is_every_percentile() {
        let l = ms(&[7]);
        for p in [0.0, 1.0, 50.0, 99.9, 100.0] {
            assert_eq!(l.percentile_ms(p), 7.0, "p{p}");
        }
    }

    #[test]
    fn nearest_rank_on_one_to_hundred() {
        // Shuffled input: the order the samples arrive in must not matter.
        let mut values: Vec<u64> = (1..=100).collect();
        values.reverse();
        values.swap(3, 70);
        let l = ms(&values);
        assert_eq!(l.len(), 100);
        assert_eq!(l.percentile_ms(0.0), 1.0);
        assert_eq!(l.percentile_ms(50.0), 50.0);
        assert_eq!(l.percentile_ms(90.0), 90.0);
        assert_eq!(l.percentile_ms(95.0), 95.0);
        assert_eq!(l.percentile_ms(99.0), 99.0);
        assert_eq!(l.percentile_ms(99.5), 100.0);
        assert_eq!(l.percentile_ms(100.0), 100.0);
        assert_eq!(l.max_ms(), 100.0);
    }

    #[test]
    fn nearest_rank_rounds_the_rank_up() {
        // n = 10: p50 -> rank 5, p55 -> rank 5.5 -> 6, p99 -> rank 9.9 -> 10.
        let l = ms(&[10, 20, 30, 40, 50, 60, 70, 80, 90, 1000]);
        assert_eq!(l.percentile_ms(50.0), 50.0);
        assert_eq!(l.percentile_ms(55.0), 60.0);
        assert_eq!(l.percentile_ms(90.0), 90.0);
        assert_eq!(l.percentile_ms(99.0), 1000.0);
    }

    #[test]
    fn one_slow_request_in_a_thousand_is_above_p99_but_is_the_max() {
        let mut values = vec![5u64; 999];
        values.push(900);
        let l = ms(&values);
        assert_eq!(l.percentile_ms(99.0), 5.0);
        assert_eq!(l.percentile_ms(99.9), 5.0);
        assert_eq!(l.percentile_ms(99.95), 900.0);
        assert_eq!(l.max_ms(), 900.0);
    }

    #[test]
    fn out_of_range_percentiles_are_clamped() {
        let l = ms(&[1, 2, 3]);
        assert_eq!(l.percentile_ms(-5.0), 1.0);
        assert_eq!(l.percentile_ms(250.0), 3.0);
        assert_eq!(l.percentile_ms(f64::NAN), 3.0);
    }

    #[test]
    fn sub_millisecond_values_keep_two_decimals() {
        let l = Latencies::new([Duration::from_micros(1234), Duration::from_micros(56)]);
        assert_eq!(l.percentile_ms(100.0), 1.23);
        assert_eq!(l.percentile_ms(0.0), 0.06);
    }
}
