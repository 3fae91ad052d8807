//! Source files as tables of text: CSV (any delimiter) and spreadsheets (XLSX, XLS, ODS, one
//! sheet each). Every later step sees cells as trimmed text with the file's line number, so a
//! report can point at the row a person opens in their spreadsheet program.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

use crate::error::{Error, Result};

/// One source table: its name as reports show it, its header and its rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A row of a table, with the line a person finds it at (the header is line 1).
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub line: usize,
    table: &'a Table,
    cells: &'a [String],
}

impl Table {
    /// The rows, in file order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().enumerate().map(|(i, cells)| Row {
            line: i + 2,
            table: self,
            cells,
        })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn column(&self, name: &str) -> Option<usize> {
        let want = name.trim();
        self.headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(want))
    }

    /// Refuses a table that lacks any of the columns the mapping names.
    pub fn require(&self, columns: &[&str]) -> Result<()> {
        let missing: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|c| self.column(c).is_none())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(
                "mapping",
                format!(
                    "{} has no column {} (its columns: {})",
                    self.name,
                    missing.join(", "),
                    self.headers.join(", ")
                ),
            ))
        }
    }
}

impl<'a> Row<'a> {
    /// The cell of a column, trimmed; `None` when empty or absent.
    pub fn get(&self, column: &str) -> Option<&'a str> {
        let i = self.table.column(column)?;
        self.cells
            .get(i)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The cell of an optional column of the mapping.
    pub fn opt(&self, column: &Option<String>) -> Option<&'a str> {
        column.as_deref().and_then(|c| self.get(c))
    }

    pub fn table(&self) -> &'a str {
        &self.table.name
    }
}

/// Finds among the files given the one the mapping names (by file name) and reads it.
pub fn open(sources: &[PathBuf], file: &str, sheet: Option<&str>, delimiter: u8) -> Result<Table> {
    let path = sources
        .iter()
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy() == file))
        .ok_or_else(|| {
            Error::validation(
                "sources",
                format!("the mapping reads {file:?}, which is not among the files given"),
            )
        })?;
    read(path, sheet, delimiter)
}

/// Reads a file as a table: a spreadsheet by its extension, anything else as CSV.
pub fn read(path: &Path, sheet: Option<&str>, delimiter: u8) -> Result<Table> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => read_sheet(path, sheet),
        _ => read_csv(path, delimiter),
    }
}

fn cannot(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::validation("sources", format!("cannot read {}: {e}", path.display()))
}

fn read_csv(path: &Path, delimiter: u8) -> Result<Table> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_path(path)
        .map_err(|e| cannot(path, e))?;
    let headers = reader
        .headers()
        .map_err(|e| cannot(path, e))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| cannot(path, e))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(Table {
        name: display_name(path, None),
        headers,
        rows,
    })
}

fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<Table> {
    let mut book = calamine::open_workbook_auto(path).map_err(|e| cannot(path, e))?;
    let name = match sheet {
        Some(s) => s.to_string(),
        None => book
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| cannot(path, "the workbook has no sheet"))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| cannot(path, format!("sheet {name:?}: {e}")))?;
    let mut lines = range.rows().map(|r| r.iter().map(cell).collect::<Vec<_>>());
    let headers = lines.next().unwrap_or_default();
    Ok(Table {
        name: display_name(path, Some(&name)),
        headers,
        rows: lines.collect(),
    })
}

fn display_name(path: &Path, sheet: Option<&str>) -> String {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string());
    match sheet {
        Some(s) => format!("{file} [{s}]"),
        None => file,
    }
}

/// A spreadsheet cell as the text a person sees: whole numbers without a decimal point (ids
/// typed as numbers), dates as ISO dates.
fn cell(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|t| t.date().format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| dt.to_string()),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_line_and_trim_cells() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("people.csv");
        std::fs::write(&path, "\u{feff}ID;NAME\n1; Ana \n2;\n").expect("write");
        let t = read(&path, None, b';').expect("table");
        let rows: Vec<_> = t.rows().collect();
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].get("name"), Some("Ana"));
        assert_eq!(rows[1].get("NAME"), None);
        assert!(t.require(&["ID", "AGE"]).is_err());
    }
}
