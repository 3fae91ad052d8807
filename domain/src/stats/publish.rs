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

/// The age columns of the Refugee Data Finder's demographics table, by our brackets; people
/// whose age is not known go to its "other" column.
const RDF_AGES: [(&str, &str); 6] = [
    ("0-4", "0 - 4"),
    ("5-11", "5 - 11"),
    ("12-17", "12 - 17"),
    ("18-59", "18 - 59"),
    ("60+", "60"),
    ("unknown", "other"),
];

/// The release in the layout of UNHCR's Refugee Data Finder demographics table: one line per
/// country of origin (ISO 3166 alpha-3) with female and male counts by age bracket, their totals
/// and the total, after the metadata lines the Finder's own downloads begin with.
///
/// The release crosses sex with age for all origins together, and origin with sex only, so the
/// line of all origins (`ALL`) fills every column and a country's line its sex totals and total;
/// an age column of a country's line is `-` (not published in this release), while a withheld
/// figure is empty, as in [`csv`]. People of another or unrecorded sex count in the total only,
/// as in the Finder. `asylum` is the country of asylum (ISO alpha-3); the population type is
/// `REG`: everyone the unit registered (asylum-seekers and refugees together).
pub fn rdf_demographics(meta: &Metadata, tables: &[Table], asylum: &str) -> String {
    let find = |name: &str| tables.iter().find(|t| t.name == name);
    let count = |t: Option<&Table>, row: Option<&str>, column: Option<&str>| -> String {
        t.and_then(|t| {
            t.cells
                .iter()
                .find(|c| c.row.as_deref() == row && c.column.as_deref() == column)
        })
        .map(|c| c.count.map(|n| n.to_string()).unwrap_or_default())
        // A value the release has no cell for is a zero the crossing never met.
        .unwrap_or_else(|| "0".into())
    };
    let mut out = String::new();
    out.push_str(&format!(
        "Registered population by sex and age, unit {}, as of {}\n",
        meta.unit, meta.as_of
    ));
    out.push_str(&format!(
        "Counts under {} withheld (empty), with more withheld so none can be narrowed from the others; counts rounded to {}; '-' not published in this release\n",
        meta.threshold, meta.rounding
    ));
    out.push('\n');
    let mut header = vec![
        "Year".to_string(),
        "Country of origin (ISO)".into(),
        "Country of asylum (ISO)".into(),
        "Population type".into(),
    ];
    for (sex, word) in [("F", "Female"), ("M", "Male")] {
        for (_, col) in RDF_AGES {
            header.push(match col {
                "other" => format!("{}_other", &sex.to_lowercase()),
                c => format!("{word} {c}"),
            });
        }
        header.push(format!("{word} total"));
    }
    header.push("Total".into());
    out.push_str(&header.join(","));
    out.push('\n');
    let year = meta.as_of.format("%Y").to_string();
    let line =
        |origin: &str, ages: &dyn Fn(&str, &str) -> String, sexes: [String; 2], total: String| {
            let mut cols = vec![
                year.clone(),
                field(origin),
                field(asylum),
                "REG".to_string(),
            ];
            for (i, sex) in ["F", "M"].iter().enumerate() {
                for (bracket, _) in RDF_AGES {
                    cols.push(ages(sex, bracket));
                }
                cols.push(sexes[i].clone());
            }
            cols.push(total);
            cols.join(",") + "\n"
        };
    let sex_by_age = find("sex_by_age");
    let by_sex = find("by_sex");
    out.push_str(&line(
        "ALL",
        &|sex, bracket| count(sex_by_age, Some(sex), Some(bracket)),
        [
            count(by_sex, Some("F"), None),
            count(by_sex, Some("M"), None),
        ],
        count(find("total"), None, None),
    ));
    let by_origin = find("nationality_by_sex");
    let by_nationality = find("by_nationality");
    for origin in by_nationality
        .map(|t| {
            t.cells
                .iter()
                .filter_map(|c| c.row.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    {
        out.push_str(&line(
            &origin,
            &|_, _| "-".to_string(),
            [
                count(by_origin, Some(&origin), Some("F")),
                count(by_origin, Some(&origin), Some("M")),
            ],
            count(by_nationality, Some(&origin), None),
        ));
    }
    out
}

#[cfg(test)]
mod rdf_tests {
    use super::*;
    use crate::stats::disclosure::{Crossing, Dimension, Release, Rule, protect};

    /// Sex by age and nationality by sex, with a small cell (one Cuban man).
    fn release() -> Release {
        let d = |name: &str, v: &[&str]| Dimension {
            name: name.into(),
            values: v.iter().map(|s| s.to_string()).collect(),
        };
        let sex_age = vec![vec![20, 30, 41, 12, 10, 0], vec![25, 27, 38, 10, 11, 0]];
        let nat_sex = vec![vec![80, 70], vec![33, 40], vec![0, 1]];
        Release {
            total: 224,
            dimensions: vec![
                d("sex", &["F", "M"]),
                d("age", &["0-4", "5-11", "12-17", "18-59", "60+", "unknown"]),
                d("nationality", &["COL", "VEN", "CUB"]),
            ],
            margins: vec![
                vec![113, 111],
                vec![45, 57, 79, 22, 21, 0],
                vec![150, 73, 1],
            ],
            crossings: vec![
                Crossing {
                    name: "sex_by_age".into(),
                    rows: 0,
                    columns: 1,
                    counts: sex_age,
                },
                Crossing {
                    name: "nationality_by_sex".into(),
                    rows: 2,
                    columns: 0,
                    counts: nat_sex,
                },
            ],
        }
    }

    #[test]
    fn the_finders_layout_has_its_columns_and_our_protected_figures() {
        let r = release();
        let rule = Rule {
            threshold: 5,
            rounding: 1,
        };
        let p = protect(&r, rule).expect("protected");
        let meta = Metadata::new(
            "DPIN",
            NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            rule,
            &p,
        );
        let text = rdf_demographics(&meta, &tables(&r, &p), "ECU");
        let lines: Vec<&str> = text.lines().collect();
        let header = lines[3];
        assert!(
            header.starts_with("Year,Country of origin (ISO),Country of asylum (ISO),Population type,Female 0 - 4,Female 5 - 11,Female 12 - 17,Female 18 - 59,Female 60,f_other,Female total,Male 0 - 4"),
            "{header}"
        );
        assert!(header.ends_with("m_other,Male total,Total"), "{header}");
        let columns = header.split(',').count();
        assert_eq!(columns, 4 + 2 * 7 + 1);
        // Each column of the line of all origins is the protected figure of its sex and age.
        let ts = tables(&r, &p);
        let published = |table: &str, row: Option<&str>, column: Option<&str>| {
            ts.iter()
                .find(|t| t.name == table)
                .and_then(|t| {
                    t.cells
                        .iter()
                        .find(|c| c.row.as_deref() == row && c.column.as_deref() == column)
                })
                .map(|c| c.count.map(|n| n.to_string()).unwrap_or_default())
                .expect("a cell")
        };
        let mut want = vec!["2026".to_string(), "ALL".into(), "ECU".into(), "REG".into()];
        for sex in ["F", "M"] {
            for age in ["0-4", "5-11", "12-17", "18-59", "60+", "unknown"] {
                want.push(published("sex_by_age", Some(sex), Some(age)));
            }
            want.push(published("by_sex", Some(sex), None));
        }
        want.push(published("total", None, None));
        assert_eq!(lines[4], want.join(","));
        // Something is published there: the crossing is not withheld whole.
        assert!(lines[4].contains(",41,"), "{}", lines[4]);
        let row = |iso: &str| {
            lines
                .iter()
                .find(|l| l.split(',').nth(1) == Some(iso))
                .unwrap_or_else(|| panic!("{iso} in {text}"))
                .split(',')
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        // A country's line: its sex totals and total as the release publishes them, its age
        // columns not in this release.
        for iso in ["COL", "VEN", "CUB"] {
            let line = row(iso);
            assert_eq!(line.len(), columns);
            assert_eq!(
                line[10],
                published("nationality_by_sex", Some(iso), Some("F"))
            );
            assert_eq!(
                line[17],
                published("nationality_by_sex", Some(iso), Some("M"))
            );
            assert_eq!(line[18], published("by_nationality", Some(iso), None));
            assert!(line[4..10].iter().all(|c| c == "-"), "{line:?}");
        }
        // The one Cuban man is withheld, and so is what would give him away.
        let cub = row("CUB");
        assert!(cub[17].is_empty(), "{cub:?}");
        assert!(cub[10].is_empty() || cub[18].is_empty(), "{cub:?}");
        assert!(
            text.contains("Counts under 5 withheld"),
            "the metadata says what was done: {text}"
        );
    }
}
