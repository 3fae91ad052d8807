//! 1:N search: compare one probe with every enrolled iris and keep the closest few.
//!
//! An exhaustive scan is the right index for iris codes: a comparison costs tens of nanoseconds,
//! so a million templates take milliseconds per core, and there is no shortlist that could miss
//! the true mate. The gallery is read-only while searched, so any number of searches may run at
//! once from shared references; each splits the gallery across the requested threads.

use super::matcher::{Counts, MatchConfig, MatchResult, PreparedProbe};
use super::template::IrisTemplate;

/// A gallery entry close to the probe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The caller's identifier given at [`IrisGallery::push`].
    pub id: u64,
    pub result: MatchResult,
}

/// Enrolled templates with the caller's identifiers.
#[derive(Debug, Clone, Default)]
pub struct IrisGallery {
    templates: Vec<IrisTemplate>,
    ids: Vec<u64>,
}

impl IrisGallery {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        Self {
            templates: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, id: u64, template: IrisTemplate) {
        self.templates.push(template);
        self.ids.push(id);
    }

    pub fn len(&self) -> usize {
        self.templates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// The `limit` entries closest to `probe`, best first, using up to `threads` threads.
    pub fn search(
        &self,
        probe: &IrisTemplate,
        config: &MatchConfig,
        limit: usize,
        threads: usize,
    ) -> Vec<Candidate> {
        let prepared = PreparedProbe::new(probe, config);
        self.search_prepared(&prepared, limit, threads)
    }

    /// As [`IrisGallery::search`] with a probe prepared once for several galleries.
    pub fn search_prepared(
        &self,
        probe: &PreparedProbe,
        limit: usize,
        threads: usize,
    ) -> Vec<Candidate> {
        if limit == 0 || self.templates.is_empty() {
            return Vec::new();
        }
        let threads = threads.clamp(1, self.templates.len());
        let chunk = self.templates.len().div_ceil(threads);
        let mut best: Vec<Hit> = if threads == 1 {
            top(probe, &self.templates, 0, limit)
        } else {
            std::thread::scope(|s| {
                let workers: Vec<_> = self
                    .templates
                    .chunks(chunk)
                    .enumerate()
                    .map(|(i, part)| s.spawn(move || top(probe, part, i * chunk, limit)))
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| match w.join() {
                        Ok(hits) => hits,
                        Err(panic) => std::panic::resume_unwind(panic),
                    })
                    .collect()
            })
        };
        best.sort_by(|a, b| a.score.total_cmp(&b.score).then(a.index.cmp(&b.index)));
        best.truncate(limit);
        best.into_iter()
            .filter_map(|h| {
                let id = *self.ids.get(h.index)?;
                Some(Candidate {
                    id,
                    result: probe.result(h.counts),
                })
            })
            .collect()
    }
}

#[derive(Clone, Copy)]
struct Hit {
    score: f64,
    index: usize,
    counts: Counts,
}

/// The `limit` best of `part`, unsorted; indices offset by `base`.
fn top(probe: &PreparedProbe, part: &[IrisTemplate], base: usize, limit: usize) -> Vec<Hit> {
    let mut hits: Vec<Hit> = Vec::with_capacity(limit + 1);
    let mut worst = f64::INFINITY;
    probe.scan(part, |i, counts| {
        let (_, score) = probe.distance(counts);
        if hits.len() < limit || score < worst {
            if hits.len() == limit
                && let Some(pos) = hits.iter().position(|h| h.score == worst)
            {
                hits.swap_remove(pos);
            }
            hits.push(Hit {
                score,
                index: base + i,
                counts,
            });
            worst = if hits.len() == limit {
                hits.iter()
                    .map(|h| h.score)
                    .fold(f64::NEG_INFINITY, f64::max)
            } else {
                f64::INFINITY
            };
        }
    });
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iris::template::CODE_WORDS;

    fn random_template(seed: u64) -> IrisTemplate {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let code = std::array::from_fn(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        });
        IrisTemplate::from_words(code, [u64::MAX; CODE_WORDS])
    }

    #[test]
    fn finds_the_enrolled_mate_among_many() {
        let mut gallery = IrisGallery::new();
        for i in 0..2000u64 {
            gallery.push(1000 + i, random_template(i + 1));
        }
        let mut probe = random_template(1234 + 1);
        probe.code.0[0] ^= 0xFF;
        probe.code = probe.code.rotate_columns(-2);
        let config = MatchConfig::default();
        let single = gallery.search(&probe, &config, 5, 1);
        let parallel = gallery.search(&probe, &config, 5, 2);
        assert_eq!(single, parallel);
        assert_eq!(single.len(), 5);
        assert_eq!(single[0].id, 1000 + 1234);
        assert_eq!(single[0].result.shift, 2);
        assert!(single[0].result.distance < 0.01);
        assert!(single[1].result.distance > 0.4, "{:?}", single[1]);
        assert!(
            single
                .windows(2)
                .all(|w| w[0].result.distance <= w[1].result.distance)
        );
    }

    #[test]
    fn small_galleries_and_zero_limits() {
        let mut gallery = IrisGallery::new();
        let config = MatchConfig::default();
        assert!(
            gallery
                .search(&random_template(1), &config, 3, 2)
                .is_empty()
        );
        gallery.push(7, random_template(1));
        assert!(
            gallery
                .search(&random_template(1), &config, 0, 2)
                .is_empty()
        );
        let hits = gallery.search(&random_template(1), &config, 3, 4);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, 7);
    }
}
