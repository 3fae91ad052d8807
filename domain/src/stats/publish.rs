//! A protected release as files: CSV (the first column names the table, a withheld cell is
//! empty) and JSON (a withheld cell is null), each with its metadata: the unit, the date the
//! figures are as of, what they count and the disclosure control applied.

use chrono::NaiveDate;
use serde::Serialize;

use super::disclosure::{Cell, Protected, Release, Rule, Treatment};

/// What a release says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    pub unit: String,
    /// People registered up to the end of this date's month, with ages on this date.
    pub as_of: NaiveDate,
    pub definitions: Vec<(String, String)>,
    pub threshold: u64,
    pub rounding: u64,
    pub primary_suppressed: usize,
    pub secondary_suppressed: usize,
}

impl Metadata {
    pub fn new(unit: &str, as_of: NaiveDate, rule: Rule, protected: &Protected) -> Self {
        let (primary, secondary) = protected.suppressed();
        let def = |k: &str, v: &str| (k.to_string(), v.to_string());
        Metadata {
            unit: unit.to_string(),
            as_of,
            definitions: vec![
                def(
                    "people",
                    "individuals registered by the unit up to the end of the month of as_of",
                ),
                def(
                    "age",
                    "age on as_of from the month of birth (UNHCR brackets); unknown when no date of birth",
                ),
                def(
                    "nationality",
                    "first nationality recorded (ISO 3166 alpha-3; UNK when none)",
                ),
                def("sex", "F female, M male, X other, U not recorded"),
                def(
                    "suppression",
                    "counts from 1 to threshold-1 withheld; more withheld so that no withheld count can be narrowed below the threshold from the published figures",
                ),
                def(
                    "rounding",
                    "published counts rounded to the nearest multiple of rounding",
                ),
            ],
            threshold: rule.threshold,
            rounding: rule.rounding,
            primary_suppressed: primary,
            secondary_suppressed: secondary,
        }
    }
}

/// One published table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub name: String,
    pub row_dimension: Option<String>,
    pub column_dimension: Option<String>,
    pub cells: Vec<TableCell>,
}

/// One published figure; `count` is `None` when withheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCell {
    pub row: Option<String>,
    pub column: Option<String>,
    pub count: Option<u64>,
    pub treatment: Treatment,
}

/// The tables of a protected release: the total, one per dimension, then the crossings.
pub fn tables(release: &Release, p: &Protected) -> Vec<Table> {
    let cell = |c: Cell, row: Option<&String>, column: Option<&String>| TableCell {
        row: row.cloned(),
        column: column.cloned(),
        count: p.value(c),
        treatment: p.treatment_of(c).unwrap_or(Treatment::Primary),
    };
    let mut out = vec![Table {
        name: "total".into(),
        row_dimension: None,
        column_dimension: None,
        cells: vec![cell(Cell::Total, None, None)],
    }];
    for (d, dim) in release.dimensions.iter().enumerate() {
        out.push(Table {
            name: format!("by_{}", dim.name),
            row_dimension: Some(dim.name.clone()),
            column_dimension: None,
            cells: dim
                .values
                .iter()
                .enumerate()
                .map(|(v, value)| cell(Cell::Margin(d, v), Some(value), None))
                .collect(),
        });
    }
    for (t, c) in release.crossings.iter().enumerate() {
        let rows = &release.dimensions[c.rows];
        let cols = &release.dimensions[c.columns];
        let mut cells = Vec::new();
        for (i, r) in rows.values.iter().enumerate() {
            for (j, col) in cols.values.iter().enumerate() {
                cells.push(cell(Cell::Crossed(t, i, j), Some(r), Some(col)));
            }
        }
        out.push(Table {
            name: c.name.clone(),
            row_dimension: Some(rows.name.clone()),
            column_dimension: Some(cols.name.clone()),
            cells,
        });
    }
    out
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The release as CSV: metadata rows first (table `metadata`), then one line per figure:
/// `table,row_dimension,row,column_dimension,column,count`.
pub fn csv(meta: &Metadata, tables: &[Table]) -> String {
    let mut out = String::from("table,row_dimension,row,column_dimension,column,count\n");
    let mut line = |cols: [&str; 6]| {
        let v: Vec<String> = cols.iter().map(|c| field(c)).collect();
        out.push_str(&v.join(","));
        out.push('\n');
    };
    let as_of = meta.as_of.to_string();
    let threshold = meta.threshold.to_string();
    let rounding = meta.rounding.to_string();
    let primary = meta.primary_suppressed.to_string();
    let secondary = meta.secondary_suppressed.to_string();
    line(["metadata", "unit", &meta.unit, "", "", ""]);
    line(["metadata", "as_of", &as_of, "", "", ""]);
    line(["metadata", "threshold", &threshold, "", "", ""]);
    line(["metadata", "rounding", &rounding, "", "", ""]);
    line(["metadata", "primary_suppressed", &primary, "", "", ""]);
    line(["metadata", "secondary_suppressed", &secondary, "", "", ""]);
    for (k, v) in &meta.definitions {
        line(["metadata", &format!("definition:{k}"), v, "", "", ""]);
    }
    for t in tables {
        for c in &t.cells {
            let count = c.count.map(|n| n.to_string()).unwrap_or_default();
            line([
                &t.name,
                t.row_dimension.as_deref().unwrap_or(""),
                c.row.as_deref().unwrap_or(""),
                t.column_dimension.as_deref().unwrap_or(""),
                c.column.as_deref().unwrap_or(""),
                &count,
            ]);
        }
    }
    out
}

/// The release as JSON: `{"metadata": ..., "tables": [...]}`, a withheld count as null.
pub fn json(meta: &Metadata, tables: &[Table]) -> serde_json::Value {
    serde_json::json!({ "metadata": meta, "tables": tables })
}
