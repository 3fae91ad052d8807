//! The population counters by question.
//!
//! The fine cube (`stat_population`) keys a cell by every dimension at once, so at a million
//! people it holds nearly a cell per person, and a figure summed from it reads as many rows as
//! the registry. A figure the analyst asks is one dimension or two crossed, for the whole unit
//! or one office: `stat_crossings` holds each such question's answer for everyone registered
//! so far (a few thousand rows at most), kept beside the fine cube from the same differences.
//! Age stays a birth month here too (brackets move with the date asked); a period, or a day
//! before the latest registrations, is answered from the fine cube.

use std::collections::BTreeMap;

use super::{Dimension, in_batches};
use crate::domain::stats::PersonCell;
use crate::error::Result;
use crate::store::db::DbConn;
use crate::store::dialect::{self, Bind};

/// A question the crossings answer: one dimension, or two crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Crossing {
    rows: Dimension,
    columns: Option<Dimension>,
}

impl Crossing {
    pub(super) fn single(d: Dimension) -> Self {
        Crossing {
            rows: d,
            columns: None,
        }
    }

    /// Every crossing kept: each dimension alone and each pair, in `Dimension::ALL`'s order.
    fn all() -> Vec<Crossing> {
        let dims = Dimension::ALL;
        let mut out: Vec<Crossing> = dims.iter().map(|d| Crossing::single(*d)).collect();
        for (i, a) in dims.iter().enumerate() {
            for b in &dims[i + 1..] {
                out.push(Crossing {
                    rows: *a,
                    columns: Some(*b),
                });
            }
        }
        out
    }

    /// The stored crossing that answers `rows` by `columns`, and whether its two values come
    /// in the other order.
    pub(super) fn of(rows: Dimension, columns: Option<Dimension>) -> (Crossing, bool) {
        let rank = |d: Dimension| Dimension::ALL.iter().position(|x| *x == d);
        match columns {
            Some(c) if c == rows => (Crossing::single(rows), false),
            Some(c) if rank(c) < rank(rows) => (
                Crossing {
                    rows: c,
                    columns: Some(rows),
                },
                true,
            ),
            _ => (Crossing { rows, columns }, false),
        }
    }

    /// Its key in `stat_crossings`.
    pub(super) fn name(self) -> String {
        let key = |d: Dimension| format!("{d:?}").to_lowercase();
        match self.columns {
            Some(c) => format!("{}*{}", key(self.rows), key(c)),
            None => key(self.rows),
        }
    }

    /// Counting by need category counts a person once under each category open (the cube's
    /// need rows); any other question counts each person once (their own row).
    fn by_need(self) -> bool {
        self.rows == Dimension::NeedCategory || self.columns == Some(Dimension::NeedCategory)
    }

    fn counts(self, cell: &PersonCell) -> bool {
        // A need row counts where needs are asked, an own row everywhere else.
        self.by_need() != cell.need.is_empty()
    }
}

/// A row of `stat_crossings` without its unit: (crossing, office or empty for all, a, b).
type Key = (String, String, String, String);

/// What changes of the fine cube's cells change in the crossings.
pub(super) fn differences(cells: &BTreeMap<PersonCell, i64>) -> BTreeMap<Key, i64> {
    let all = Crossing::all();
    let mut out: BTreeMap<Key, i64> = BTreeMap::new();
    for (cell, delta) in cells.iter().filter(|(_, d)| **d != 0) {
        for c in all.iter().filter(|c| c.counts(cell)) {
            let a = c.rows.value(cell);
            let b = c.columns.map(|d| d.value(cell)).unwrap_or_default();
            for office in [String::new(), cell.office_id.clone()] {
                *out.entry((c.name(), office, a.clone(), b.clone()))
                    .or_default() += delta;
            }
        }
    }
    out.retain(|_, d| *d != 0);
    out
}

/// Adds `differences` to the unit's crossings.
pub(super) fn add(conn: &mut DbConn, unit_id: &str, differences: BTreeMap<Key, i64>) -> Result<()> {
    let rows: Vec<Vec<Bind>> = differences
        .into_iter()
        .map(|((crossing, office, a, b), delta)| {
            vec![
                Bind::Text(unit_id.into()),
                Bind::Text(crossing),
                Bind::Text(office),
                Bind::Text(a),
                Bind::Text(b),
                Bind::BigInt(delta),
            ]
        })
        .collect();
    in_batches(
        conn,
        "INSERT INTO stat_crossings (operation_unit_id, crossing, office_id, a, b, people) \
         VALUES ",
        "({}, {}, {}, {}, {}, {})",
        " ON CONFLICT (operation_unit_id, crossing, office_id, a, b) DO UPDATE SET \
         people = stat_crossings.people + excluded.people",
        rows,
    )
}

/// Builds the unit's crossings afresh from its fine cube, in the database (a first build sums
/// a million cells into each crossing; done in memory it held tens of millions of keys).
pub(super) fn derive(conn: &mut DbConn, unit_id: &str) -> Result<()> {
    let unit = [Bind::Text(unit_id.into())];
    dialect::execute(
        conn,
        "DELETE FROM stat_crossings WHERE operation_unit_id = {}",
        &unit,
    )?;
    for c in Crossing::all() {
        let a = c.rows.column();
        // PostgreSQL refuses a string constant in GROUP BY: a single groups by `a` alone.
        let (b, by_b) = match c.columns {
            Some(d) => (d.column(), format!(", {}", d.column())),
            None => ("''", String::new()),
        };
        let need = if c.by_need() { "<>" } else { "=" };
        for (office, by_office) in [("''", ""), ("office_id", ", office_id")] {
            let sql = format!(
                "INSERT INTO stat_crossings (operation_unit_id, crossing, office_id, a, b, \
                 people) SELECT operation_unit_id, {{}}, {office}, {a}, {b}, SUM(people) \
                 FROM stat_population WHERE operation_unit_id = {{}} AND need {need} '' \
                 GROUP BY operation_unit_id{by_office}, {a}{by_b} HAVING SUM(people) <> 0"
            );
            dialect::execute(
                conn,
                &sql,
                &[Bind::Text(c.name()), Bind::Text(unit_id.into())],
            )?;
        }
    }
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    crossing: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    office_id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    a: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    b: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    people: i64,
}

/// The unit's crossings as stored (rows that count no one left out).
pub(super) fn stored(conn: &mut DbConn, unit_id: &str) -> Result<BTreeMap<Key, i64>> {
    let rows: Vec<Row> = dialect::load(
        conn,
        "SELECT crossing, office_id, a, b, people FROM stat_crossings \
         WHERE operation_unit_id = {} AND people <> 0",
        &[Bind::Text(unit_id.into())],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.crossing, r.office_id, r.a, r.b), r.people))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(need: &str) -> PersonCell {
        PersonCell {
            office_id: "o1".into(),
            nationality: "VEN".into(),
            sex: "F".into(),
            birth_month: "1990-04".into(),
            registration_month: "2026-11".into(),
            group_size: 3,
            need: need.into(),
        }
    }

    #[test]
    fn each_question_once_in_one_order() {
        let all = Crossing::all();
        assert_eq!(all.len(), 7 + 21);
        let (c, swapped) = Crossing::of(Dimension::AgeBracket, Some(Dimension::Nationality));
        assert!(swapped);
        assert_eq!(c.name(), "nationality*agebracket");
        assert_eq!(
            Crossing::of(Dimension::Nationality, Some(Dimension::AgeBracket)),
            (c, false)
        );
        assert_eq!(
            Crossing::of(Dimension::Sex, Some(Dimension::Sex)).0.name(),
            "sex"
        );
    }

    #[test]
    fn a_person_counts_once_per_question_and_a_need_only_where_needs_are_asked() {
        let mut cells = BTreeMap::new();
        cells.insert(cell(""), 1);
        cells.insert(cell("SV"), 1);
        let d = differences(&cells);
        let get = |c: &str, o: &str, a: &str, b: &str| {
            d.get(&(c.into(), o.into(), a.into(), b.into())).copied()
        };
        assert_eq!(get("nationality", "", "VEN", ""), Some(1));
        assert_eq!(get("nationality", "o1", "VEN", ""), Some(1));
        assert_eq!(get("needcategory", "", "SV", ""), Some(1));
        assert_eq!(get("nationality*needcategory", "", "VEN", "SV"), Some(1));
        assert_eq!(get("sex*groupsize", "", "F", "3"), Some(1));
        // Moving the person out takes every count back to nothing.
        let mut gone = BTreeMap::new();
        gone.insert(cell(""), -1);
        gone.insert(cell("SV"), -1);
        let mut both = differences(&cells);
        for (k, v) in differences(&gone) {
            *both.entry(k).or_default() += v;
        }
        both.retain(|_, v| *v != 0);
        assert!(both.is_empty());
    }
}
