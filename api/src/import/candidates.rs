//! The unit's people by whole-word name key, held in memory for one import run.
//!
//! Registration finds the people who may be a newcomer with one query: those holding a key of
//! the first given name and a key of the first family name ([`names::candidate_keys`]). At a
//! million people a common name holds tens of thousands of keys, and that query costs a quarter
//! of a second; an import asks it once per incoming person. So an import reads the unit's names
//! once, page by page, keeps the people of the keys its incoming people will ask for (and their
//! birth dates), intersects in memory, and lets the database score only the few candidates left,
//! from their current rows, by the same rule as registration
//! ([`queries::possible_duplicates_among`]).
//!
//! The index is kept current from the unit's change feed: before each batch it takes in the
//! people written since it was read (by anyone, on any process), from the feed position read
//! before the names were. The records a batch writes are added as they are written, since the
//! feed gives its entries positions only at commit. A person whose name changed is added again
//! with the new keys; the old entry may still name them, but candidates are scored from the row
//! as it is now, so a stale key at most costs one extra row read. Memory: a string id and a date
//! per person holding a wanted key, and four bytes per (key, person).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::validate::Household;
use crate::domain::feed::RecordKind;
use crate::domain::names::{self, PersonFacts};
use crate::domain::registration::PersonInput;
use crate::error::Result;
use crate::store::audit::Reads;
use crate::store::imports::{self, NameRow};
use crate::store::{DbConn, Scope, feed, queries};

/// People read per page when the index is built.
const PAGE: i64 = 20_000;

#[derive(Debug, Default)]
pub struct NameIndex {
    /// The unit's change feed is taken in up to here.
    after: i64,
    ids: Vec<String>,
    born: Vec<Option<NaiveDate>>,
    /// Wanted key: the entries (indexes of `ids`) holding it, in increasing order.
    postings: HashMap<String, Vec<u32>>,
    /// The keys some incoming person looks candidates up by; no other key is kept.
    wanted: HashSet<String>,
}

impl NameIndex {
    /// Reads the unit's people holding a key the incoming `households` will look up.
    pub fn load(
        conn: &mut DbConn,
        scope: &Scope,
        reads: &mut Reads,
        households: &[Household],
    ) -> Result<Self> {
        let wanted: HashSet<String> = households
            .iter()
            .filter(|h| h.refused.is_none())
            .flat_map(|h| &h.members)
            .filter_map(|m| names::candidate_keys(&m.person.facts()))
            .flat_map(|(g, f)| g.into_iter().chain(f))
            .collect();
        // The position first: whatever commits after it is in the feed after it, so a person
        // the pages miss is taken in by the first catch-up.
        let after = feed::head(conn, scope.unit_id())?;
        let mut index = NameIndex {
            after,
            wanted,
            ..NameIndex::default()
        };
        if index.wanted.is_empty() {
            return Ok(index);
        }
        let mut last = String::new();
        loop {
            let page = imports::names_page(conn, scope, reads, &last, PAGE)?;
            let Some(end) = page.last() else { break };
            last = end.id.clone();
            let full = page.len() as i64 == PAGE;
            for row in page {
                index.add_row(row);
            }
            if !full {
                break;
            }
        }
        Ok(index)
    }

    /// Takes in the people the unit's feed says were written since the index last looked.
    pub fn catch_up(&mut self, conn: &mut DbConn, scope: &Scope) -> Result<()> {
        if self.wanted.is_empty() {
            return Ok(());
        }
        let head = feed::head(conn, scope.unit_id())?;
        if head <= self.after {
            return Ok(());
        }
        let mut ids =
            feed::records_after(conn, scope.unit_id(), self.after, RecordKind::Individual)?;
        ids.sort_unstable();
        ids.dedup();
        for row in imports::names_of(conn, scope, &ids)? {
            self.add_row(row);
        }
        // Entries past `head` read above are taken in now and again next time: harmless.
        self.after = head;
        Ok(())
    }

    /// A person written by this import, before the feed shows them.
    pub fn add(&mut self, id: &str, person: &PersonInput) {
        self.add_keys(
            id,
            person.date_of_birth,
            names::index_tokens(person.name_parts()),
        );
    }

    fn add_row(&mut self, row: NameRow) {
        let (id, person) = row.into_person();
        self.add(&id, &person);
    }

    fn add_keys(&mut self, id: &str, born: Option<NaiveDate>, keys: Vec<String>) {
        let kept: Vec<String> = keys
            .into_iter()
            .filter(|k| self.wanted.contains(k))
            .collect();
        if kept.is_empty() {
            return;
        }
        self.ids.push(id.to_string());
        self.born.push(born);
        let at = (self.ids.len() - 1) as u32;
        for key in kept {
            self.postings.entry(key).or_default().push(at);
        }
    }

    /// The people who may be `facts` by registration's candidate rule (a key of each of the two
    /// groups, birth dates not more than a year apart when both are known), at most
    /// [`queries::CANDIDATE_CAP`], each once.
    pub fn candidates(&self, facts: &PersonFacts) -> Vec<String> {
        let Some((g, f)) = names::candidate_keys(facts) else {
            return Vec::new();
        };
        let (in_g, in_f) = (self.holding(&g), self.holding(&f));
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for at in intersect(&in_g, &in_f) {
            let at = at as usize;
            if names::birth_dates_rule_out(facts.date_of_birth, self.born[at]) {
                continue;
            }
            let id = &self.ids[at];
            if seen.insert(id.as_str()) {
                out.push(id.clone());
                if out.len() as i64 >= queries::CANDIDATE_CAP {
                    break;
                }
            }
        }
        out
    }

    /// The entries holding any of `keys`, in increasing order, each once: the key's own list
    /// when only one key is held (the usual case; no copy of tens of thousands of entries).
    fn holding(&self, keys: &[String]) -> Cow<'_, [u32]> {
        let lists: Vec<&Vec<u32>> = keys.iter().filter_map(|k| self.postings.get(k)).collect();
        match lists.as_slice() {
            [] => Cow::Borrowed(&[]),
            [one] => Cow::Borrowed(one.as_slice()),
            many => {
                let mut all: Vec<u32> = many.iter().flat_map(|l| l.iter().copied()).collect();
                all.sort_unstable();
                all.dedup();
                Cow::Owned(all)
            }
        }
    }

    /// How many people the index holds (a person added again counts again).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.ids.len()
    }
}

/// The values in both increasing lists.
fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(given: &str, family: &str, born: Option<&str>) -> PersonInput {
        PersonInput {
            given_names: given.into(),
            family_name: Some(family.into()),
            date_of_birth: born.map(|d| d.parse().unwrap()),
            ..PersonInput::default()
        }
    }

    fn index_of(wanted: &[&PersonInput], people: &[(&str, &PersonInput)]) -> NameIndex {
        let mut index = NameIndex {
            wanted: wanted
                .iter()
                .filter_map(|p| names::candidate_keys(&p.facts()))
                .flat_map(|(g, f)| g.into_iter().chain(f))
                .collect(),
            ..NameIndex::default()
        };
        for (id, p) in people {
            index.add(id, p);
        }
        index
    }

    #[test]
    fn finds_people_sharing_both_keys_born_near() {
        let new = person("Fatima Zahra", "Al-Hassan", Some("1990-05-01"));
        let index = index_of(
            &[&new],
            &[
                ("a", &person("Fatima", "Hassan", Some("1990-06-01"))),
                ("b", &person("Fatima", "Hassan", Some("1980-06-01"))),
                ("c", &person("Fatima", "Haddad", Some("1990-05-01"))),
                ("d", &person("Zahra Fatima", "Alhassan", None)),
                ("e", &person("Omar", "Hassan", Some("1990-05-01"))),
            ],
        );
        // b: born ten years apart; c, e: only one of the two keys.
        assert_eq!(index.candidates(&new.facts()), vec!["a", "d"]);
    }

    #[test]
    fn keeps_only_wanted_keys_and_names_a_person_added_twice_once() {
        let new = person("Ana", "Quispe", None);
        let mut index = index_of(&[&new], &[("x", &person("Luis", "Mamani", None))]);
        assert_eq!(index.len(), 0, "no wanted key: nobody kept");
        index.add("y", &person("Ana Maria", "Quispe", None));
        index.add("y", &person("Ana", "Quispe Mamani", None));
        assert_eq!(index.len(), 2);
        assert_eq!(index.candidates(&new.facts()), vec!["y"]);
    }

    #[test]
    fn intersects_increasing_lists() {
        assert_eq!(intersect(&[1, 3, 5, 9], &[2, 3, 4, 9, 10]), vec![3, 9]);
        assert!(intersect(&[], &[1]).is_empty());
    }
}
