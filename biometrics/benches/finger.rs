//! Fingerprint throughput: 1:1 comparison and 1:N search at gallery sizes 10^4, 10^5, 10^6.
//!
//! Galleries are synthetic minutiae templates (random minutiae over a finger-sized area), which
//! is enough for speed; accuracy is measured by `bioeval` on real data. The 10^6 gallery needs
//! about 1 GB and a minute or two to build.

use std::hint::black_box;

use amparo_biometrics::finger::synthetic::Rng;
use amparo_biometrics::finger::{FingerIndex, Minutia, MinutiaKind, Prepared, Template, compare};
use criterion::{Criterion, criterion_group, criterion_main};

fn random_template(rng: &mut Rng) -> Template {
    let n = 30 + (rng.next_u64() % 25) as usize;
    let minutiae = (0..n)
        .map(|_| Minutia {
            x: rng.range(20.0, 280.0) as u16,
            y: rng.range(20.0, 380.0) as u16,
            angle: (rng.next_u64() % 256) as u8,
            kind: MinutiaKind::Ending,
            quality: rng.range(20.0, 100.0) as u8,
        })
        .collect();
    Template {
        width: 300,
        height: 400,
        quality: 80,
        minutiae,
    }
}

/// The same finger seen again: minutiae jittered by a few pixels and degrees, a few lost.
fn mate(t: &Template, rng: &mut Rng) -> Template {
    let mut minutiae = Vec::with_capacity(t.minutiae.len());
    for m in &t.minutiae {
        if rng.unit() < 0.1 {
            continue;
        }
        minutiae.push(Minutia {
            x: (f32::from(m.x) + rng.range(-3.0, 3.0)).clamp(0.0, 299.0) as u16,
            y: (f32::from(m.y) + rng.range(-3.0, 3.0)).clamp(0.0, 399.0) as u16,
            angle: m
                .angle
                .wrapping_add((rng.next_u64() % 7) as u8)
                .wrapping_sub(3),
            ..*m
        });
    }
    Template {
        minutiae,
        ..t.clone()
    }
}

fn one_to_one(c: &mut Criterion) {
    let mut rng = Rng::new(1);
    let a = random_template(&mut rng);
    let pa = Prepared::new(&a);
    let pm = Prepared::new(&mate(&a, &mut rng));
    let pb = Prepared::new(&random_template(&mut rng));
    c.bench_function("finger 1:1 genuine", |b| {
        b.iter(|| compare(black_box(&pa), black_box(&pm)))
    });
    c.bench_function("finger 1:1 impostor", |b| {
        b.iter(|| compare(black_box(&pa), black_box(&pb)))
    });
    c.bench_function("finger prepare", |b| {
        b.iter(|| Prepared::new(black_box(&a)))
    });
}

fn one_to_many(c: &mut Criterion) {
    let mut group = c.benchmark_group("finger 1:N");
    group.sample_size(10);
    for size in [10_000usize, 100_000, 1_000_000] {
        let mut rng = Rng::new(size as u64);
        let mut index = FingerIndex::new();
        let mut probe = None;
        for i in 0..size {
            let t = random_template(&mut rng);
            if i == size / 2 {
                probe = Some(mate(&t, &mut rng));
            }
            index.insert(i as u64, 1, t);
        }
        let Some(probe) = probe else { continue };
        let query = [(1u8, probe)];
        group.bench_function(format!("search {size}"), |b| {
            b.iter(|| black_box(index.search(black_box(&query), 10)))
        });
    }
    group.finish();
}

criterion_group!(benches, one_to_one, one_to_many);
criterion_main!(benches);
