//! Masked fractional Hamming distance between iris codes, minimised over rotations.
//!
//! Deduplication compares every new iris with the whole gallery, so this is the hot loop of the
//! server. The probe's rotated copies are computed once ([`PreparedProbe`]); one comparison is then
//! XOR, AND and popcount over 32 words per rotation, with no allocation. Where the CPU has
//! AVX-512 VPOPCNTDQ (detected at run time, so release builds stay portable) a 2048-bit code is
//! four vector registers.

use super::template::{Bits, CODE_COLUMNS, CODE_WORDS, IrisTemplate};

/// Rotations tried either way by default, in code columns of 360/128 degrees: +-11.25 degrees of
/// head tilt or camera roll.
pub const DEFAULT_MAX_SHIFT: usize = 4;

/// The number of mutually valid bits at which [`MatchConfig::reference_bits`] leaves a distance
/// unchanged by default. It is the typical count between two captures of our encoder with
/// ordinary eyelid occlusion; Daugman's 911 is the same idea for his code.
pub const DEFAULT_REFERENCE_BITS: f64 = 1400.0;

/// How two codes are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchConfig {
    /// Rotations tried each way, in code columns (capped at half the code).
    pub max_shift: usize,
    /// Daugman's score normalisation: a raw distance `hd` over `n` compared bits becomes
    /// `0.5 - (0.5 - hd) * sqrt(n / reference_bits)` (kept within 0..=1), so a low distance
    /// resting on few bits is pulled towards chance. `None` reports the raw distance.
    pub reference_bits: Option<f64>,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            max_shift: DEFAULT_MAX_SHIFT,
            reference_bits: Some(DEFAULT_REFERENCE_BITS),
        }
    }
}

/// The outcome of one comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchResult {
    /// The score to decide on: normalised distance (or the raw one when normalisation is off).
    /// About 0.5 for different eyes; Daugman's usual decision threshold is 0.32.
    pub distance: f64,
    /// Fraction of mutually valid bits that disagree at the best rotation (0.5 when no bit was
    /// comparable).
    pub raw_distance: f64,
    /// Columns the probe was rotated by at the best match.
    pub shift: i32,
    /// Bits valid in both codes at that rotation.
    pub compared_bits: u32,
}

/// Disagreeing and compared bit counts at the best rotation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) disagree: u32,
    pub(crate) compared: u32,
    pub(crate) rotation: u32,
}

impl Counts {
    const NONE: Counts = Counts {
        disagree: 1,
        compared: 0,
        rotation: 0,
    };

    /// Whether `disagree / compared` is below `best`'s, in integers so no division is needed.
    #[inline(always)]
    fn better_than(&self, best: &Counts) -> bool {
        u64::from(self.disagree) * u64::from(best.compared)
            < u64::from(best.disagree) * u64::from(self.compared)
    }
}

#[derive(Clone, Copy, Debug)]
enum Kernel {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Popcnt,
    Portable,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
            {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("popcnt") {
                return Kernel::Popcnt;
            }
        }
        Kernel::Portable
    }
}

#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub(crate) struct Rotation {
    code: Bits,
    mask: Bits,
}

/// A probe template with its rotated copies, ready to compare against many templates.
#[derive(Clone, Debug)]
pub struct PreparedProbe {
    rotations: Vec<Rotation>,
    max_shift: i32,
    reference_bits: Option<f64>,
    kernel: Kernel,
}

impl PreparedProbe {
    pub fn new(probe: &IrisTemplate, config: &MatchConfig) -> Self {
        let max_shift = config.max_shift.min(CODE_COLUMNS / 2) as i32;
        let rotations = (-max_shift..=max_shift)
            .map(|s| Rotation {
                code: probe.code.rotate_columns(s),
                mask: probe.mask.rotate_columns(s),
            })
            .collect();
        Self {
            rotations,
            max_shift,
            reference_bits: config.reference_bits,
            kernel: Kernel::detect(),
        }
    }

    /// Compares with one template.
    pub fn compare(&self, gallery: &IrisTemplate) -> MatchResult {
        let mut out = None;
        self.scan(std::slice::from_ref(gallery), |_, c| out = Some(c));
        self.result(out.unwrap_or(Counts::NONE))
    }

    /// Calls `visit(index, counts)` for every template of `gallery`, with the kernel this CPU
    /// supports.
    #[inline]
    pub(crate) fn scan<F: FnMut(usize, Counts)>(&self, gallery: &[IrisTemplate], mut visit: F) {
        // Batches keep the vector kernel's loop free of calls back into scalar code (each call
        // would also cost a vzeroupper).
        let mut counts = [Counts::NONE; BATCH];
        for (b, chunk) in gallery.chunks(BATCH).enumerate() {
            let out = &mut counts[..chunk.len()];
            match self.kernel {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the kernel was chosen only after detecting these CPU features.
                Kernel::Avx512 => unsafe { counts_avx512(&self.rotations, chunk, out) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: as above.
                Kernel::Popcnt => unsafe { counts_popcnt(&self.rotations, chunk, out) },
                Kernel::Portable => counts_with(&self.rotations, chunk, out, best_portable),
            }
            for (i, c) in out.iter().enumerate() {
                visit(b * BATCH + i, *c);
            }
        }
    }

    pub(crate) fn result(&self, c: Counts) -> MatchResult {
        let (raw, distance) = self.distance(c);
        MatchResult {
            distance,
            raw_distance: raw,
            shift: c.rotation as i32 - self.max_shift,
            compared_bits: c.compared,
        }
    }

    /// (raw, decision) distances of `c`.
    #[inline]
    pub(crate) fn distance(&self, c: Counts) -> (f64, f64) {
        if c.compared == 0 {
            return (0.5, 0.5);
        }
        let n = f64::from(c.compared);
        let raw = f64::from(c.disagree) / n;
        let score = match self.reference_bits {
            Some(r) if r > 0.0 => (0.5 - (0.5 - raw) * (n / r).sqrt()).clamp(0.0, 1.0),
            _ => raw,
        };
        (raw, score)
    }
}

/// Templates compared per call of a kernel.
const BATCH: usize = 64;

#[inline(always)]
fn counts_with<K>(rotations: &[Rotation], gallery: &[IrisTemplate], out: &mut [Counts], kernel: K)
where
    K: Fn(&IrisTemplate, &[Rotation]) -> Counts,
{
    for (o, g) in out.iter_mut().zip(gallery) {
        *o = kernel(g, rotations);
    }
}

#[inline(always)]
fn best_portable(g: &IrisTemplate, rotations: &[Rotation]) -> Counts {
    let mut best = Counts::NONE;
    for (k, r) in rotations.iter().enumerate() {
        let mut disagree = 0;
        let mut compared = 0;
        for i in 0..CODE_WORDS {
            let m = g.mask.0[i] & r.mask.0[i];
            disagree += ((g.code.0[i] ^ r.code.0[i]) & m).count_ones();
            compared += m.count_ones();
        }
        let c = Counts {
            disagree,
            compared,
            rotation: k as u32,
        };
        if c.better_than(&best) {
            best = c;
        }
    }
    best
}

/// The portable loop compiled with the POPCNT instruction instead of a bit-twiddling popcount.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn counts_popcnt(rotations: &[Rotation], gallery: &[IrisTemplate], out: &mut [Counts]) {
    counts_with(rotations, gallery, out, best_portable)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq")]
fn counts_avx512(rotations: &[Rotation], gallery: &[IrisTemplate], out: &mut [Counts]) {
    counts_with(rotations, gallery, out, |g, r| best_avx512(g, r))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq")]
#[inline]
fn best_avx512(g: &IrisTemplate, rotations: &[Rotation]) -> Counts {
    use std::arch::x86_64::*;
    const LANES: usize = 8;
    const VECTORS: usize = CODE_WORDS / LANES;
    let load = |words: &[u64; CODE_WORDS], v: usize| -> __m512i {
        // SAFETY: v < VECTORS, so the eight words v*8..v*8+8 lie inside the array.
        unsafe { _mm512_loadu_si512(words.as_ptr().add(v * LANES).cast()) }
    };
    let gc: [__m512i; VECTORS] = std::array::from_fn(|v| load(&g.code.0, v));
    let gm: [__m512i; VECTORS] = std::array::from_fn(|v| load(&g.mask.0, v));
    let mut best = Counts::NONE;
    for (k, r) in rotations.iter().enumerate() {
        let mut disagree = _mm512_setzero_si512();
        let mut compared = _mm512_setzero_si512();
        for v in 0..VECTORS {
            let m = _mm512_and_si512(gm[v], load(&r.mask.0, v));
            // 0x28 = (A ^ B) & C in the three-input truth table (A = 0xF0, B = 0xCC, C = 0xAA).
            let x = _mm512_ternarylogic_epi64::<0x28>(gc[v], load(&r.code.0, v), m);
            disagree = _mm512_add_epi64(disagree, _mm512_popcnt_epi64(x));
            compared = _mm512_add_epi64(compared, _mm512_popcnt_epi64(m));
        }
        // Both totals fit in 32 bits, so one horizontal sum carries them side by side.
        let both = _mm512_add_epi64(disagree, _mm512_slli_epi64::<32>(compared));
        let total = _mm512_reduce_add_epi64(both) as u64;
        let c = Counts {
            disagree: total as u32,
            compared: (total >> 32) as u32,
            rotation: k as u32,
        };
        if c.better_than(&best) {
            best = c;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iris::template::{BITS_PER_COLUMN, CODE_BITS};

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn words(&mut self) -> [u64; CODE_WORDS] {
            std::array::from_fn(|_| self.next())
        }
    }

    /// Straightforward bit-by-bit reference of the masked distance at one rotation.
    fn reference(a: &IrisTemplate, b: &IrisTemplate, shift: i32) -> (u32, u32) {
        let (mut d, mut n) = (0, 0);
        for i in 0..CODE_BITS {
            let j = (i as i64 + i64::from(shift) * BITS_PER_COLUMN as i64)
                .rem_euclid(CODE_BITS as i64) as usize;
            if a.mask.get(i) && b.mask.get(j) {
                n += 1;
                if a.code.get(i) != b.code.get(j) {
                    d += 1;
                }
            }
        }
        (d, n)
    }

    #[test]
    fn every_kernel_agrees_with_the_bitwise_reference() {
        let mut rng = Rng(7);
        let ratio = |(d, n): (u32, u32)| f64::from(d) / f64::from(n);
        // 1, 7, 9 and 17 rotations.
        for max_shift in [0usize, 3, 4, 8] {
            let config = MatchConfig {
                max_shift,
                reference_bits: None,
            };
            let s = max_shift as i32;
            for _ in 0..8 {
                let a = IrisTemplate::from_words(rng.words(), rng.words());
                let b = IrisTemplate::from_words(rng.words(), rng.words());
                let probe = PreparedProbe::new(&b, &config);
                let best = (-s..=s)
                    .map(|shift| ratio(reference(&a, &b, shift)))
                    .fold(f64::INFINITY, f64::min);
                let mut kernels = vec![Kernel::Portable, Kernel::detect()];
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("popcnt") {
                    kernels.push(Kernel::Popcnt);
                }
                for kernel in kernels {
                    let p = PreparedProbe {
                        kernel,
                        ..probe.clone()
                    };
                    let r = p.compare(&a);
                    let at_shift = reference(&a, &b, r.shift);
                    assert_eq!(r.compared_bits, at_shift.1, "{kernel:?} shift {}", r.shift);
                    assert!(
                        (r.raw_distance - ratio(at_shift)).abs() < 1e-12,
                        "{kernel:?}"
                    );
                    assert!(
                        (r.raw_distance - best).abs() < 1e-12,
                        "{kernel:?} {max_shift}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_rotated_code_matches_at_its_rotation() {
        let mut rng = Rng(11);
        let a = IrisTemplate::from_words(rng.words(), [u64::MAX; CODE_WORDS]);
        let rotated = IrisTemplate {
            code: a.code.rotate_columns(3),
            mask: a.mask.rotate_columns(3),
        };
        let r = PreparedProbe::new(&a, &MatchConfig::default()).compare(&rotated);
        assert_eq!(r.raw_distance, 0.0);
        assert_eq!(r.shift, 3);
        let far = IrisTemplate {
            code: a.code.rotate_columns(9),
            mask: a.mask,
        };
        let r = PreparedProbe::new(&a, &MatchConfig::default()).compare(&far);
        assert!(r.raw_distance > 0.4, "{r:?}");
    }

    #[test]
    fn normalisation_pulls_scores_on_few_bits_towards_chance() {
        let mut rng = Rng(5);
        let code = rng.words();
        let mut sparse = [0u64; CODE_WORDS];
        sparse[..4].copy_from_slice(&[u64::MAX; 4]);
        let a = IrisTemplate::from_words(code, sparse);
        let mut flipped = code;
        flipped[0] ^= 0xFFFF_FFFF;
        let b = IrisTemplate::from_words(flipped, sparse);
        let config = MatchConfig {
            max_shift: 0,
            reference_bits: Some(1000.0),
        };
        let r = PreparedProbe::new(&a, &config).compare(&b);
        assert_eq!(r.compared_bits, 256);
        assert!((r.raw_distance - 0.125).abs() < 1e-12);
        let expected = 0.5 - (0.5 - 0.125) * (256.0f64 / 1000.0).sqrt();
        assert!((r.distance - expected).abs() < 1e-12, "{r:?}");
        assert!(r.distance > r.raw_distance);
    }

    #[test]
    fn no_common_bits_is_chance() {
        let mut rng = Rng(9);
        let a = IrisTemplate::from_words(rng.words(), [0; CODE_WORDS]);
        let b = IrisTemplate::from_words(rng.words(), [u64::MAX; CODE_WORDS]);
        let r = PreparedProbe::new(&a, &MatchConfig::default()).compare(&b);
        assert_eq!((r.distance, r.compared_bits), (0.5, 0));
    }
}
