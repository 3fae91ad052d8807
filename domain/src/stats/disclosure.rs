//! Statistical disclosure control for figures that leave the unit.
//!
//! A release is a set of linked tables: a grand total, one margin per dimension (the count for
//! each of its values) and two-way crossings of dimensions whose rows and columns add up to the
//! margins they share. Every figure is a cell; the release's structure is a set of equalities
//! (the parts of a total add up to it), so a reader who knows some cells can narrow the others.
//!
//! [`protect`] applies, in order: primary suppression (a count from 1 to the threshold minus
//! one is withheld), rounding of every published count to the nearest multiple of the rounding
//! base, and secondary suppression driven by [`audit`]: while a withheld small cell can be
//! narrowed, from every published figure of the whole release at once, to an interval narrower
//! than the threshold, one more cell beside it (the smallest count sharing a sum with it) is
//! withheld. The audit is a linear-programming interval check: for each withheld cell, the least
//! and the greatest value it can take given every equality of the release, each published
//! figure within its rounding, and every count at least zero.

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use serde::{Deserialize, Serialize};

/// The unit's disclosure rules (a unit setting: `statistics` in the unit's settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rule {
    /// Counts from 1 to `threshold - 1` are withheld, and no withheld count may be narrowed to an
    /// interval narrower than this.
    pub threshold: u64,
    /// Published counts are rounded to the nearest multiple of this (1: not rounded).
    pub rounding: u64,
}

impl Default for Rule {
    fn default() -> Self {
        Self {
            threshold: 5,
            rounding: 5,
        }
    }
}

/// One dimension of a release and its values, in the order figures list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    pub values: Vec<String>,
}

/// A two-way table: `counts[row][column]`, rows the values of `dimensions[rows]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crossing {
    pub name: String,
    pub rows: usize,
    pub columns: usize,
    pub counts: Vec<Vec<u64>>,
}

/// Every table published together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub total: u64,
    pub dimensions: Vec<Dimension>,
    /// `margins[d][v]`: the count for value `v` of dimension `d`.
    pub margins: Vec<Vec<u64>>,
    pub crossings: Vec<Crossing>,
}

/// Where a cell of a release sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cell {
    Total,
    /// Dimension and value.
    Margin(usize, usize),
    /// Crossing, row and column.
    Crossed(usize, usize, usize),
}

/// What happened to a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// Published, rounded.
    Published,
    /// Withheld because it is small.
    Primary,
    /// Withheld so that a small cell cannot be worked out from the others.
    Secondary,
}

/// The release as a list of cells and the sums that tie them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub cells: Vec<Cell>,
    pub values: Vec<u64>,
    /// Each (parts, whole): the parts add up to the whole.
    pub sums: Vec<(Vec<usize>, usize)>,
}

impl Release {
    /// The cells and the sums of the release. Fails when the tables do not add up (a release
    /// built from one set of counters always does).
    pub fn layout(&self) -> Result<Layout, String> {
        let mut cells = vec![Cell::Total];
        let mut values = vec![self.total];
        let mut margin_index = Vec::new();
        if self.margins.len() != self.dimensions.len() {
            return Err("one margin per dimension is needed".into());
        }
        for (d, m) in self.margins.iter().enumerate() {
            if m.len() != self.dimensions[d].values.len() {
                return Err(format!(
                    "margin {} has the wrong length",
                    self.dimensions[d].name
                ));
            }
            let mut idx = Vec::new();
            for (v, n) in m.iter().enumerate() {
                idx.push(cells.len());
                cells.push(Cell::Margin(d, v));
                values.push(*n);
            }
            margin_index.push(idx);
        }
        let mut sums: Vec<(Vec<usize>, usize)> = margin_index
            .iter()
            .map(|idx| (idx.clone(), 0usize))
            .collect();
        for (t, c) in self.crossings.iter().enumerate() {
            let (Some(rows), Some(cols)) = (margin_index.get(c.rows), margin_index.get(c.columns))
            else {
                return Err(format!("crossing {} names an unknown dimension", c.name));
            };
            if c.counts.len() != rows.len() || c.counts.iter().any(|r| r.len() != cols.len()) {
                return Err(format!("crossing {} has the wrong shape", c.name));
            }
            let mut grid = vec![vec![0usize; cols.len()]; rows.len()];
            for (i, row) in c.counts.iter().enumerate() {
                for (j, n) in row.iter().enumerate() {
                    grid[i][j] = cells.len();
                    cells.push(Cell::Crossed(t, i, j));
                    values.push(*n);
                }
            }
            for (i, whole) in rows.iter().enumerate() {
                sums.push((grid[i].clone(), *whole));
            }
            for (j, whole) in cols.iter().enumerate() {
                sums.push((grid.iter().map(|r| r[j]).collect(), *whole));
            }
        }
        for (parts, whole) in &sums {
            let s: u64 = parts.iter().map(|&p| values[p]).sum();
            if s != values[*whole] {
                return Err("the tables of the release do not add up".into());
            }
        }
        Ok(Layout {
            cells,
            values,
            sums,
        })
    }
}

/// A count rounded to the nearest multiple of `base`.
pub fn round(n: u64, base: u64) -> u64 {
    if base <= 1 {
        return n;
    }
    (n + base / 2) / base * base
}

/// The true values a rounded figure `p` can stand for.
fn bounds_of(p: u64, base: u64) -> (f64, f64) {
    if base <= 1 {
        return (p as f64, p as f64);
    }
    let low = p.saturating_sub(base / 2);
    (low as f64, (p + (base - 1) / 2) as f64)
}

/// The release after disclosure control: each cell's treatment and its published value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    pub layout: Layout,
    pub treatment: Vec<Treatment>,
    /// `None` where withheld; otherwise the rounded count.
    pub published: Vec<Option<u64>>,
}

impl Protected {
    /// The published value of a cell, `None` when withheld or unknown.
    pub fn value(&self, cell: Cell) -> Option<u64> {
        let i = self.layout.cells.iter().position(|c| *c == cell)?;
        self.published[i]
    }

    /// The treatment of a cell.
    pub fn treatment_of(&self, cell: Cell) -> Option<Treatment> {
        let i = self.layout.cells.iter().position(|c| *c == cell)?;
        Some(self.treatment[i])
    }

    /// How many cells were withheld for each reason: (primary, secondary).
    pub fn suppressed(&self) -> (usize, usize) {
        let n = |t| self.treatment.iter().filter(|x| **x == t).count();
        (n(Treatment::Primary), n(Treatment::Secondary))
    }
}

/// The interval a withheld cell can be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub cell: usize,
    pub low: f64,
    /// `f64::INFINITY` when nothing bounds it.
    pub high: f64,
}

impl Interval {
    pub fn width(&self) -> f64 {
        self.high - self.low
    }
}

/// Applies disclosure control to a release (see the module's documentation).
pub fn protect(release: &Release, rule: Rule) -> Result<Protected, String> {
    let layout = release.layout()?;
    let n = layout.values.len();
    let mut treatment: Vec<Treatment> = layout
        .values
        .iter()
        .map(|&v| {
            if v > 0 && v < rule.threshold {
                Treatment::Primary
            } else {
                Treatment::Published
            }
        })
        .collect();
    // Which sums each cell takes part in, as a part or as the whole.
    let mut sums_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (s, (parts, whole)) in layout.sums.iter().enumerate() {
        for &p in parts {
            sums_of[p].push(s);
        }
        sums_of[*whole].push(s);
    }
    // Adding a withheld cell only widens every interval, so a cell found safe stays safe.
    let mut safe = vec![false; n];
    loop {
        let published = publish(&layout, &treatment, rule);
        let mut narrow = None;
        for c in 0..n {
            if treatment[c] != Treatment::Primary || safe[c] {
                continue;
            }
            let iv = interval(&layout, &published, rule, c)?;
            if iv.width() + 1e-6 >= rule.threshold as f64 {
                safe[c] = true;
            } else {
                narrow = Some(c);
                break;
            }
        }
        let Some(c) = narrow else {
            return Ok(Protected {
                layout,
                treatment,
                published,
            });
        };
        let beside = sums_of[c]
            .iter()
            .flat_map(|&s| {
                let (parts, whole) = &layout.sums[s];
                parts.iter().copied().chain(std::iter::once(*whole))
            })
            .filter(|&o| treatment[o] == Treatment::Published && layout.values[o] > 0)
            .min_by_key(|&o| (layout.values[o], o));
        let anywhere = || {
            (0..n)
                .filter(|&o| treatment[o] == Treatment::Published && layout.values[o] > 0)
                .min_by_key(|&o| (layout.values[o], o))
        };
        match beside.or_else(anywhere) {
            Some(o) => treatment[o] = Treatment::Secondary,
            // Everything that could hide it is hidden already.
            None => safe[c] = true,
        }
    }
}

fn publish(layout: &Layout, treatment: &[Treatment], rule: Rule) -> Vec<Option<u64>> {
    layout
        .values
        .iter()
        .zip(treatment)
        .map(|(&v, t)| (*t == Treatment::Published).then(|| round(v, rule.rounding)))
        .collect()
}

/// The intervals of every withheld cell of a published release, read only from what is
/// published (the figures, the structure and the rule).
pub fn audit(
    layout: &Layout,
    published: &[Option<u64>],
    rule: Rule,
) -> Result<Vec<Interval>, String> {
    (0..published.len())
        .filter(|&c| published[c].is_none())
        .map(|c| interval(layout, published, rule, c))
        .collect()
}

fn interval(
    layout: &Layout,
    published: &[Option<u64>],
    rule: Rule,
    cell: usize,
) -> Result<Interval, String> {
    let low = extreme(
        layout,
        published,
        rule,
        cell,
        OptimizationDirection::Minimize,
    )?;
    let high = extreme(
        layout,
        published,
        rule,
        cell,
        OptimizationDirection::Maximize,
    )?;
    Ok(Interval {
        cell,
        low: low.unwrap_or(0.0),
        high: high.unwrap_or(f64::INFINITY),
    })
}

/// The least or greatest value of `cell`; `None` when unbounded.
fn extreme(
    layout: &Layout,
    published: &[Option<u64>],
    rule: Rule,
    cell: usize,
    direction: OptimizationDirection,
) -> Result<Option<f64>, String> {
    let mut p = Problem::new(direction);
    let vars: Vec<_> = published
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let objective = if i == cell { 1.0 } else { 0.0 };
            let bounds = match v {
                Some(v) => bounds_of(*v, rule.rounding),
                None => (0.0, f64::INFINITY),
            };
            p.add_var(objective, bounds)
        })
        .collect();
    for (parts, whole) in &layout.sums {
        let mut terms: Vec<_> = parts.iter().map(|&i| (vars[i], 1.0)).collect();
        terms.push((vars[*whole], -1.0));
        p.add_constraint(terms, ComparisonOp::Eq, 0.0);
    }
    match p.solve() {
        Ok(microlp::SolveOutcome::Solution(s)) => Ok(Some(s.objective())),
        Ok(_) => Err("the disclosure audit did not finish".into()),
        Err(microlp::Error::Unbounded) => Ok(None),
        Err(e) => Err(format!("the disclosure audit failed: {e}")),
    }
}
