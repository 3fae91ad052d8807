//! The open-loop driver and the search for the highest passing rate.
//!
//! Request `i` of a phase is scheduled at `start + i / rate` and leaves on its own task at that
//! time whether or not earlier requests have been answered. Its latency runs from that scheduled
//! instant to the end of the answer, so waiting for a free connection, for the loop to catch up or
//! behind a slow server all count. In-flight requests are capped (`concurrency`, roughly the
//! connection pool size) the way a real client fleet is; requests over the cap wait, on the clock.
//!
//! Everything is bounded: rate, duration, warm-up, a per-request timeout (from the scheduled time,
//! so every phase ends at most `timeout` after its last send) and a hard cap on the requests one
//! process may send.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::bail;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;

use crate::client::GraphQlClient;
use crate::scenario::{Scenario, Workload};
use crate::stats::Latencies;

/// Highest request rate accepted, per second.
pub const MAX_RATE: u32 = 5000;
/// Longest measured phase.
pub const MAX_DURATION: Duration = Duration::from_secs(120);
/// Longest warm-up phase.
pub const MAX_WARMUP: Duration = Duration::from_secs(60);
/// Longest per-request timeout.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);
/// Hard cap on the requests one process sends, warm-ups and all `--find-max` steps included.
pub const MAX_TOTAL_REQUESTS: u64 = 2_000_000;

/// One run: a warm-up whose results are dropped, then the measured phase.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Requests per second.
    pub rate: u32,
    /// Length of the measured phase.
    pub duration: Duration,
    /// Length of the warm-up at the same rate.
    pub warmup: Duration,
    /// Most requests in flight at once.
    pub concurrency: usize,
    /// Per-request limit, counted from the scheduled send time.
    pub timeout: Duration,
    /// Seed for the choice of ids, names and cursors.
    pub seed: u64,
}

impl RunConfig {
    /// Refuses settings outside the limits.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.rate == 0 || self.rate > MAX_RATE {
            bail!(
                "--rate must be 1..={MAX_RATE} requests per second, not {}",
                self.rate
            );
        }
        if self.duration.is_zero() || self.duration > MAX_DURATION {
            bail!(
                "--duration must be more than 0 and at most {} s",
                MAX_DURATION.as_secs()
            );
        }
        if self.warmup > MAX_WARMUP {
            bail!("--warmup must be at most {} s", MAX_WARMUP.as_secs());
        }
        if self.timeout.is_zero() || self.timeout > MAX_TIMEOUT {
            bail!(
                "--timeout must be more than 0 and at most {} s",
                MAX_TIMEOUT.as_secs()
            );
        }
        if self.concurrency == 0 || self.concurrency > 10_000 {
            bail!("--connections must be 1..=10000");
        }
        Ok(())
    }

    fn requests(&self, phase: Duration) -> u64 {
        requests_in(self.rate, phase)
    }
}

fn requests_in(rate: u32, phase: Duration) -> u64 {
    u64::try_from(u128::from(rate) * phase.as_nanos() / 1_000_000_000).unwrap_or(u64::MAX)
}

/// The process-wide request allowance.
#[derive(Debug)]
pub struct Budget {
    remaining: AtomicU64,
}

impl Budget {
    /// A budget of `total` requests.
    pub fn new(total: u64) -> Self {
        Self {
            remaining: AtomicU64::new(total),
        }
    }

    /// Reserves `n` requests or fails without reserving any.
    pub fn take(&self, n: u64) -> anyhow::Result<()> {
        self.remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(n)
            })
            .map(|_| ())
            .map_err(|left| {
                anyhow::anyhow!("request cap reached: {n} more requests asked, {left} left")
            })
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self::new(MAX_TOTAL_REQUESTS)
    }
}

/// How many of the slowest requests a report names.
const SLOWEST: usize = 5;

/// The JSON line printed for one run. Latencies are milliseconds from the scheduled send time,
/// over every measured request (answered or failed); `throughput_rps` counts good answers only.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub scenario: &'static str,
    pub rate: u32,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub sent: u64,
    pub ok: u64,
    pub errors: u64,
    /// Part of `errors`: requests not answered within the timeout.
    pub timeouts: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub throughput_rps: f64,
    /// From the first scheduled send to the last answer, and at least the duration.
    pub elapsed_s: f64,
    /// How late the generator itself handed requests to their tasks (p99 and max). Large values
    /// mean the machine was too busy to keep the schedule; the latencies include that delay.
    pub send_lag_p99_ms: f64,
    pub send_lag_max_ms: f64,
    /// The slowest requests as `[scheduled second of the run, latency ms]`, slowest first: one
    /// stall and a slow run look alike in percentiles and not here.
    pub slowest: Vec<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_sample: Option<String>,
    /// Page scenario: the deepest page a cursor was handed out for (0 = first page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deepest_page: Option<u32>,
}

impl RunReport {
    /// Errors as a percentage of requests sent.
    pub fn error_pct(&self) -> f64 {
        if self.sent == 0 {
            0.0
        } else {
            self.errors as f64 * 100.0 / self.sent as f64
        }
    }
}

enum Outcome {
    Ok,
    Failed(String),
    TimedOut,
}

struct Sample {
    /// When it was scheduled, from the start of its phase.
    at: Duration,
    latency: Duration,
    outcome: Outcome,
}

/// Runs a warm-up (if any) and a measured phase at a fixed rate and reports the measured one.
pub async fn run(
    client: &GraphQlClient,
    workload: &Arc<Workload>,
    config: &RunConfig,
    budget: &Budget,
) -> anyhow::Result<RunReport> {
    config.validate()?;
    budget.take(config.requests(config.warmup) + config.requests(config.duration))?;
    if !config.warmup.is_zero() {
        phase(
            client,
            workload,
            config,
            config.warmup,
            config.seed ^ 0x5eed,
        )
        .await;
    }
    let Phase {
        samples,
        lags,
        elapsed,
    } = phase(client, workload, config, config.duration, config.seed).await;

    let mut ok = 0;
    let mut errors = 0;
    let mut timeouts = 0;
    let mut error_sample = None;
    for s in &samples {
        match &s.outcome {
            Outcome::Ok => ok += 1,
            Outcome::Failed(reason) => {
                errors += 1;
                error_sample.get_or_insert_with(|| reason.clone());
            }
            Outcome::TimedOut => {
                errors += 1;
                timeouts += 1;
                error_sample.get_or_insert_with(|| {
                    format!("no answer within {} ms", config.timeout.as_millis())
                });
            }
        }
    }
    let latencies = Latencies::new(samples.iter().map(|s| s.latency));
    let elapsed_s = elapsed.as_secs_f64();
    let mut by_latency: Vec<&Sample> = samples.iter().collect();
    by_latency.sort_by_key(|s| std::cmp::Reverse(s.latency));
    let slowest = by_latency
        .iter()
        .take(SLOWEST)
        .map(|s| {
            [
                (s.at.as_secs_f64() * 1000.0).round() / 1000.0,
                (s.latency.as_secs_f64() * 100_000.0).round() / 100.0,
            ]
        })
        .collect();
    Ok(RunReport {
        scenario: workload.scenario().name(),
        rate: config.rate,
        duration_s: config.duration.as_secs_f64(),
        warmup_s: config.warmup.as_secs_f64(),
        sent: samples.len() as u64,
        ok,
        errors,
        timeouts,
        p50_ms: latencies.percentile_ms(50.0),
        p90_ms: latencies.percentile_ms(90.0),
        p95_ms: latencies.percentile_ms(95.0),
        p99_ms: latencies.percentile_ms(99.0),
        max_ms: latencies.max_ms(),
        throughput_rps: if elapsed_s > 0.0 {
            (ok as f64 / elapsed_s * 10.0).round() / 10.0
        } else {
            0.0
        },
        elapsed_s: (elapsed_s * 1000.0).round() / 1000.0,
        send_lag_p99_ms: lags.percentile_ms(99.0),
        send_lag_max_ms: lags.max_ms(),
        slowest,
        error_sample,
        deepest_page: (workload.scenario() == Scenario::Page)
            .then(|| workload.cursors().deepest_page()),
    })
}

/// What one phase produced.
struct Phase {
    samples: Vec<Sample>,
    /// Scheduled time to hand-over to the request's task, per request.
    lags: Latencies,
    elapsed: Duration,
}

/// Sends `rate × length` requests on schedule and waits for all of them to end.
async fn phase(
    client: &GraphQlClient,
    workload: &Arc<Workload>,
    config: &RunConfig,
    length: Duration,
    seed: u64,
) -> Phase {
    let count = config.requests(length);
    let rate = u64::from(config.rate);
    let slots = Arc::new(Semaphore::new(config.concurrency));
    let (tx, mut rx) = mpsc::unbounded_channel::<Sample>();
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut lags = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let at = move |i: u64| Duration::from_nanos(i.saturating_mul(1_000_000_000) / rate);
    let start = Instant::now();
    // The sends are paced by a thread of their own: tokio's timer fires on whole milliseconds,
    // so a request paced by it left up to a millisecond after its scheduled time and that delay
    // (the generator's, not the server's) counted in its latency. A thread's sleep is precise to
    // tens of microseconds. Behind schedule, the channel holds the requests due and they leave at
    // once, as before; latency still runs from the scheduled time.
    let (due_tx, mut due) = mpsc::unbounded_channel::<u64>();
    let paced_from = start.into_std();
    std::thread::spawn(move || {
        for i in 0..count {
            let scheduled = paced_from + at(i);
            let now = std::time::Instant::now();
            if scheduled > now {
                std::thread::sleep(scheduled - now);
            }
            if due_tx.send(i).is_err() {
                return;
            }
        }
    });
    while let Some(i) = due.recv().await {
        let scheduled = start + at(i);
        lags.push(Instant::now().saturating_duration_since(scheduled));
        let prepared = workload.prepare(&mut rng);
        let client = client.clone();
        let workload = Arc::clone(workload);
        let slots = Arc::clone(&slots);
        let tx = tx.clone();
        let deadline = scheduled + config.timeout;
        tokio::spawn(async move {
            let exchange = async {
                let _slot = slots
                    .acquire()
                    .await
                    .map_err(|_| "connection slots closed".to_owned())?;
                let body = client.post(prepared.body.clone()).await?;
                workload.check(&prepared, &body)
            };
            let outcome = match tokio::time::timeout_at(deadline, exchange).await {
                Ok(Ok(())) => Outcome::Ok,
                Ok(Err(reason)) => Outcome::Failed(reason),
                Err(_) => Outcome::TimedOut,
            };
            let latency = Instant::now().saturating_duration_since(scheduled);
            // The receiver outlives every sender, so this cannot fail.
            let _ = tx.send(Sample {
                at: at(i),
                latency,
                outcome,
            });
        });
    }
    drop(tx);
    let mut samples = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    while let Some(sample) = rx.recv().await {
        samples.push(sample);
    }
    // Never shorter than the schedule, so a fast last answer cannot inflate the throughput.
    Phase {
        samples,
        lags: Latencies::new(lags),
        elapsed: start.elapsed().max(length),
    }
}

/// Settings of the search for the highest rate that still meets the latency and error limits.
#[derive(Debug, Clone)]
pub struct FindMaxConfig {
    /// First rate tried and the increment between steps.
    pub step: u32,
    /// Highest rate tried.
    pub max_rate: u32,
    /// A step fails when its p99 is above this.
    pub p99_limit_ms: f64,
    /// A step fails when more than this percentage of its requests fail.
    pub error_limit_pct: f64,
}

/// The JSON line printed at the end of `--find-max`.
#[derive(Debug, Clone, Serialize)]
pub struct FindMaxReport {
    pub scenario: &'static str,
    pub find_max: bool,
    /// Highest rate whose step met both limits; `None` when even the first did not.
    pub max_passing_rate: Option<u32>,
    /// Good answers per second achieved at that rate.
    pub max_passing_throughput_rps: Option<f64>,
    pub first_failing_rate: Option<u32>,
    pub stopped_because: String,
    pub p99_limit_ms: f64,
    pub error_limit_pct: f64,
}

/// Steps the rate up by `step` from `step` until a step misses a limit, `max_rate` is passed or the
/// request cap is reached. `on_step` sees each step's report as it finishes.
pub async fn find_max(
    client: &GraphQlClient,
    workload: &Arc<Workload>,
    base: &RunConfig,
    search: &FindMaxConfig,
    budget: &Budget,
    mut on_step: impl FnMut(&RunReport),
) -> anyhow::Result<FindMaxReport> {
    if search.step == 0 || search.step > MAX_RATE {
        bail!("--step must be 1..={MAX_RATE}");
    }
    if search.max_rate < search.step || search.max_rate > MAX_RATE {
        bail!("--max-rate must be between --step and {MAX_RATE}");
    }
    let mut best: Option<(u32, f64)> = None;
    let mut failing = None;
    let mut rate = search.step;
    let stopped_because = loop {
        if rate > search.max_rate {
            break format!("reached --max-rate {}", search.max_rate);
        }
        let config = RunConfig {
            rate,
            seed: base.seed.wrapping_add(u64::from(rate)),
            ..base.clone()
        };
        let report = match run(client, workload, &config, budget).await {
            Ok(r) => r,
            Err(e) if best.is_some() => break e.to_string(),
            Err(e) => return Err(e),
        };
        on_step(&report);
        if report.p99_ms > search.p99_limit_ms {
            failing = Some(rate);
            break format!(
                "p99 {} ms > {} ms at {rate}/s",
                report.p99_ms, search.p99_limit_ms
            );
        }
        if report.error_pct() > search.error_limit_pct {
            failing = Some(rate);
            break format!(
                "errors {:.2} % > {} % at {rate}/s",
                report.error_pct(),
                search.error_limit_pct
            );
        }
        best = Some((rate, report.throughput_rps));
        rate = rate.saturating_add(search.step);
    };
    Ok(FindMaxReport {
        scenario: workload.scenario().name(),
        find_max: true,
        max_passing_rate: best.map(|b| b.0),
        max_passing_throughput_rps: best.map(|b| b.1),
        first_failing_rate: failing,
        stopped_because,
        p99_limit_ms: search.p99_limit_ms,
        error_limit_pct: search.error_limit_pct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> RunConfig {
        RunConfig {
            rate: 200,
            duration: Duration::from_secs(30),
            warmup: Duration::from_secs(5),
            concurrency: 64,
            timeout: Duration::from_secs(10),
            seed: 1,
        }
    }

    #[test]
    fn limits_are_enforced() {
        assert!(config().validate().is_ok());
        for bad in [
            RunConfig {
                rate: 0,
                ..config()
            },
            RunConfig {
                rate: MAX_RATE + 1,
                ..config()
            },
            RunConfig {
                duration: Duration::ZERO,
                ..config()
            },
            RunConfig {
                duration: Duration::from_secs(121),
                ..config()
            },
            RunConfig {
                warmup: Duration::from_secs(61),
                ..config()
            },
            RunConfig {
                timeout: Duration::ZERO,
                ..config()
            },
            RunConfig {
                concurrency: 0,
                ..config()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn request_counts_follow_rate_and_length() {
        assert_eq!(requests_in(200, Duration::from_secs(30)), 6000);
        assert_eq!(requests_in(3, Duration::from_millis(500)), 1);
        assert_eq!(requests_in(MAX_RATE, MAX_DURATION), 600_000);
    }

    #[test]
    fn budget_is_a_hard_cap() {
        let budget = Budget::new(10);
        budget.take(6).expect("within the cap");
        let err = budget.take(5).unwrap_err().to_string();
        assert!(err.contains("request cap"), "{err}");
        budget.take(4).expect("a refused take reserves nothing");
        assert!(budget.take(1).is_err());
    }
}
