//! Iris matching throughput: 1:1 with a prepared probe, and 1:N over galleries of 10^4, 10^5 and
//! 10^6 templates on one thread and on two.
//!
//! Every benchmark runs twice: `iris_*` groups time wall-clock as usual; `iris_cpu_*` groups
//! time the CPU the process used (getrusage, all threads), so their throughput is comparisons
//! per CPU-second, i.e. per core, and stays meaningful on a machine shared with other work.
//!
//! Codes are random bits and masks hide a quarter of the bits in runs, as eyelids do; the
//! matcher's cost does not depend on the bit values.

use amparo_biometrics::iris::{IrisGallery, IrisTemplate, MatchConfig, PreparedProbe};
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn template(&mut self) -> IrisTemplate {
        let code = std::array::from_fn(|_| self.next());
        let hidden = (self.next() % 8) as usize;
        let mask = std::array::from_fn(|i| {
            if (i + hidden).is_multiple_of(4) {
                0
            } else {
                u64::MAX
            }
        });
        IrisTemplate::from_words(code, mask)
    }
}

/// CPU time of the whole process, user and system, from getrusage.
struct CpuTime {
    wall: WallTime,
}

fn process_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given; zeroed is a valid rusage.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

impl Measurement for CpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        process_cpu()
    }

    fn end(&self, start: Duration) -> Duration {
        process_cpu().saturating_sub(start)
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

/// Galleries built once and shared by the wall-clock and CPU-time runs.
fn galleries() -> &'static [IrisGallery] {
    static GALLERIES: OnceLock<Vec<IrisGallery>> = OnceLock::new();
    GALLERIES.get_or_init(|| {
        let mut rng = SplitMix(2);
        SIZES
            .iter()
            .map(|&size| {
                let mut gallery = IrisGallery::with_capacity(size);
                for id in 0..size as u64 {
                    gallery.push(id, rng.template());
                }
                gallery
            })
            .collect()
    })
}

fn one_to_one<M: Measurement>(c: &mut Criterion<M>, name: &str) {
    let mut rng = SplitMix(1);
    let probe = PreparedProbe::new(&rng.template(), &MatchConfig::default());
    let others: Vec<IrisTemplate> = (0..64).map(|_| rng.template()).collect();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(others.len() as u64));
    group.bench_function("2048bit_shift4_x64", |b| {
        b.iter(|| {
            for g in &others {
                black_box(probe.compare(black_box(g)));
            }
        })
    });
    group.finish();
}

fn one_to_many<M: Measurement>(c: &mut Criterion<M>, name: &str) {
    let mut rng = SplitMix(3);
    let probe = PreparedProbe::new(&rng.template(), &MatchConfig::default());
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    for gallery in galleries() {
        group.throughput(Throughput::Elements(gallery.len() as u64));
        for threads in [1usize, 2] {
            group.bench_with_input(
                BenchmarkId::new(format!("threads{threads}"), gallery.len()),
                gallery,
                |b, g| b.iter(|| black_box(g.search_prepared(&probe, 10, threads))),
            );
        }
    }
    group.finish();
}

fn wall(c: &mut Criterion) {
    one_to_one(c, "iris_1to1");
    one_to_many(c, "iris_1toN");
}

fn cpu(c: &mut Criterion<CpuTime>) {
    one_to_one(c, "iris_cpu_1to1");
    one_to_many(c, "iris_cpu_1toN");
}

criterion_group!(wall_clock, wall);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(CpuTime { wall: WallTime });
    targets = cpu
}
criterion_main!(wall_clock, cpu_time);
