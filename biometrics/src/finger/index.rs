//! 1:N search: locality-sensitive hashing of binary cylinders to a shortlist, then full
//! comparison, then fusion over the fingers of each person.
//!
//! After Cappelli, Ferrara & Maltoni, "Fingerprint indexing based on Minutia Cylinder-Code"
//! (PAMI 2011): a cylinder of the same minutia in two impressions agrees on most of its bits, so
//! keys made of a few sampled bits collide far more often for mates than for strangers. Each
//! enrolled finger puts its best cylinders into several hash tables; a query votes for every
//! finger sharing a key, and only the fingers with the most votes are compared in full. The
//! index holds compact templates, not prepared ones, so a million fingers fit in memory; the
//! shortlist is prepared on demand.
//!
//! Searches take `&self` and allocate their own vote buffers, so any number of them can run at
//! once (the index is `Send + Sync`; put it behind an `RwLock` to enrol while serving).

use std::collections::HashMap;

use super::matcher::{Prepared, compare};
use super::synthetic::Rng;
use super::template::Template;

/// Hash tables, bits per key, and cylinders indexed per enrolled finger.
const TABLES: usize = 6;
const KEY_BITS: usize = 16;
const CYLINDERS_PER_FINGER: usize = 20;
/// Keys with fewer set (or clear) bits than this say little and are not used.
const MIN_KEY_ONES: u32 = 2;

/// A person's result and its fused score.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub person: u64,
    /// Mean over the query's fingers of the best comparison score of that finger (0-1).
    pub score: f32,
}

/// The sampled (direction word, cell) positions that make one table's key.
type KeyBits = [(u8, u8); KEY_BITS];
/// Enrolled finger ids per key.
type Buckets = Vec<Vec<u32>>;

struct Enrolled {
    person: u64,
    /// ISO finger position (1-10), 0 when unknown.
    position: u8,
    template: Template,
}

/// The gallery.
pub struct FingerIndex {
    entries: Vec<Enrolled>,
    /// Per table: the sampled bit positions (direction word, cell) and the buckets.
    tables: Vec<(KeyBits, Buckets)>,
    shortlist: usize,
}

impl Default for FingerIndex {
    fn default() -> Self {
        Self::new()
    }
}

/// Cells whose centre lies within 60% of the cylinder radius: valid for nearly every minutia,
/// so keys rarely depend on where the print ends.
fn inner_cells() -> Vec<u8> {
    (0..64u8)
        .filter(|c| {
            let i = f32::from(c % 8) + 0.5 - 4.0;
            let j = f32::from(c / 8) + 0.5 - 4.0;
            (i * i + j * j).sqrt() <= 0.6 * 4.0
        })
        .collect()
}

/// A key bit is set when the cell holds a neighbour in any of three adjacent direction bins (half
/// the circle): single bins are mostly empty, and keys of empty bits would all collide.
fn key(bits: &[u64; 6], valid: u64, sel: &KeyBits) -> Option<u32> {
    let mut k = 0u32;
    for (n, &(word, cell)) in sel.iter().enumerate() {
        let w = word as usize;
        let any = bits[w] | bits[(w + 1) % 6] | bits[(w + 2) % 6];
        let b = (any & valid) >> cell & 1;
        k |= (b as u32) << n;
    }
    (k.count_ones() >= MIN_KEY_ONES && k.count_zeros() - (32 - KEY_BITS as u32) >= MIN_KEY_ONES)
        .then_some(k)
}

impl FingerIndex {
    /// An empty index that compares the 200 best-voted fingers per query finger in full.
    pub fn new() -> Self {
        let mut rng = Rng::new(0x1dec5);
        let cells = inner_cells();
        let tables = (0..TABLES)
            .map(|_| {
                let mut sel: KeyBits = [(0, 0); KEY_BITS];
                for s in &mut sel {
                    let word = (rng.next_u64() % 6) as u8;
                    let cell = cells[(rng.next_u64() % cells.len() as u64) as usize];
                    *s = (word, cell);
                }
                (sel, vec![Vec::new(); 1 << KEY_BITS])
            })
            .collect();
        Self {
            entries: Vec::new(),
            tables,
            shortlist: 200,
        }
    }

    /// Sets how many fingers per query finger are compared in full (at least 1).
    pub fn with_shortlist(mut self, n: usize) -> Self {
        self.shortlist = n.max(1);
        self
    }

    /// Number of enrolled fingers.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Enrols one finger of a person. `position` is the ISO finger position (0 = unknown).
    pub fn insert(&mut self, person: u64, position: u8, template: Template) {
        let id = self.entries.len() as u32;
        let p = Prepared::build(&template, CYLINDERS_PER_FINGER);
        for (bits, valid) in p.cylinder_words() {
            for (sel, buckets) in &mut self.tables {
                let Some(k) = key(bits, valid, sel) else {
                    continue;
                };
                let b = &mut buckets[k as usize];
                if b.last() != Some(&id) {
                    b.push(id);
                }
            }
        }
        self.entries.push(Enrolled {
            person,
            position,
            template,
        });
    }

    /// The enrolled fingers most likely to match `template`, best first, by votes.
    fn candidates(&self, query: &Prepared, position: u8) -> Vec<u32> {
        self.candidates_n(query, position, self.shortlist)
    }

    fn candidates_n(&self, query: &Prepared, position: u8, shortlist: usize) -> Vec<u32> {
        let mut votes = vec![0u16; self.entries.len()];
        for (bits, valid) in query.cylinder_words() {
            for (sel, buckets) in &self.tables {
                let Some(k) = key(bits, valid, sel) else {
                    continue;
                };
                for &id in &buckets[k as usize] {
                    let v = &mut votes[id as usize];
                    *v = v.saturating_add(1);
                }
            }
        }
        let mut ids: Vec<u32> = (0..self.entries.len() as u32)
            .filter(|&i| {
                let e = &self.entries[i as usize];
                votes[i as usize] > 0
                    && (position == 0 || e.position == 0 || e.position == position)
            })
            .collect();
        let k = shortlist.min(ids.len());
        if k < ids.len() {
            ids.select_nth_unstable_by_key(k, |&i| std::cmp::Reverse(votes[i as usize]));
            ids.truncate(k);
        }
        ids
    }

    /// The best full-comparison score of each query finger against each person among the
    /// index's `candidates` best-voted fingers of that position (0 where the person had none),
    /// per person in no particular order: what the deduplication gate decides on.
    pub fn search_fingers(
        &self,
        query: &[(u8, Template)],
        candidates: usize,
    ) -> Vec<(u64, Vec<f32>)> {
        let mut per_person: HashMap<u64, Vec<f32>> = HashMap::new();
        for (qi, (position, t)) in query.iter().enumerate() {
            let q = Prepared::new(t);
            for id in self.candidates_n(&q, *position, candidates.max(1)) {
                let e = &self.entries[id as usize];
                let s = compare(&q, &Prepared::new(&e.template));
                let slot = per_person
                    .entry(e.person)
                    .or_insert_with(|| vec![0.0; query.len()]);
                slot[qi] = slot[qi].max(s);
            }
        }
        per_person.into_iter().collect()
    }

    /// Searches with one or more fingers of one person (`(position, template)`, position 0 when
    /// unknown) and returns up to `top` people, best first. A person's score is the mean over
    /// the query fingers of that person's best comparison score for the finger.
    pub fn search(&self, query: &[(u8, Template)], top: usize) -> Vec<SearchHit> {
        if query.is_empty() {
            return Vec::new();
        }
        let mut per_person: HashMap<u64, Vec<f32>> = HashMap::new();
        for (qi, (position, t)) in query.iter().enumerate() {
            let q = Prepared::new(t);
            for id in self.candidates(&q, *position) {
                let e = &self.entries[id as usize];
                let s = compare(&q, &Prepared::new(&e.template));
                let slot = per_person
                    .entry(e.person)
                    .or_insert_with(|| vec![0.0; query.len()]);
                slot[qi] = slot[qi].max(s);
            }
        }
        let mut hits: Vec<SearchHit> = per_person
            .into_iter()
            .map(|(person, s)| SearchHit {
                person,
                score: s.iter().sum::<f32>() / s.len() as f32,
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.person.cmp(&b.person)));
        hits.truncate(top);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finger::extract;
    use crate::finger::synthetic::Finger;

    #[test]
    fn index_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<FingerIndex>();
    }

    #[test]
    fn finds_the_enrolled_person_among_synthetic_fingers_concurrently() {
        let fingers: Vec<Finger> = (0..6).map(|s| Finger::generate(500 + s)).collect();
        let mut index = FingerIndex::new().with_shortlist(3);
        for (p, f) in fingers.iter().enumerate() {
            let t = extract(&f.impression(1).image)
                .expect("extraction")
                .template;
            index.insert(p as u64, 2, t);
        }
        let queries: Vec<Template> = fingers
            .iter()
            .map(|f| {
                extract(&f.impression(2).image)
                    .expect("extraction")
                    .template
            })
            .collect();
        std::thread::scope(|s| {
            let handles: Vec<_> = queries
                .iter()
                .enumerate()
                .map(|(p, q)| {
                    let index = &index;
                    s.spawn(move || (p, index.search(&[(2, q.clone())], 1)))
                })
                .collect();
            for h in handles {
                let (p, hits) = h.join().expect("search thread");
                assert_eq!(
                    hits.first().map(|h| h.person),
                    Some(p as u64),
                    "person {p}: {hits:?}"
                );
            }
        });
        // A different finger position is never compared.
        assert!(index.search(&[(7, queries[0].clone())], 1).is_empty());
    }
}
