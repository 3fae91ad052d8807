//! Iris matching throughput: 1:1 with a prepared probe, and 1:N over galleries of 10^4, 10^5 and
//! 10^6 templates on one thread and on two.
//!
//! Codes are random bits and masks hide about a quarter of the bits in runs, as eyelids do; the
//! matcher's cost does not depend on the bit values.

use amparo_biometrics::iris::{IrisGallery, IrisTemplate, MatchConfig, PreparedProbe};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
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

fn one_to_one(c: &mut Criterion) {
    let mut rng = SplitMix(1);
    let probe = PreparedProbe::new(&rng.template(), &MatchConfig::default());
    let others: Vec<IrisTemplate> = (0..64).map(|_| rng.template()).collect();
    let mut group = c.benchmark_group("iris_1to1");
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

fn one_to_many(c: &mut Criterion) {
    let mut rng = SplitMix(2);
    let config = MatchConfig::default();
    let probe = PreparedProbe::new(&rng.template(), &config);
    let mut group = c.benchmark_group("iris_1toN");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    for size in [10_000usize, 100_000, 1_000_000] {
        let mut gallery = IrisGallery::with_capacity(size);
        for id in 0..size as u64 {
            gallery.push(id, rng.template());
        }
        group.throughput(Throughput::Elements(size as u64));
        for threads in [1usize, 2] {
            group.bench_with_input(
                BenchmarkId::new(format!("threads{threads}"), size),
                &gallery,
                |b, g| b.iter(|| black_box(g.search_prepared(&probe, 10, threads))),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, one_to_one, one_to_many);
criterion_main!(benches);
