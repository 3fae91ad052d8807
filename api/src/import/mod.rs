//! Imports from earlier databases (`amparo-api import`): source files (CSV, spreadsheets) read
//! through a mapping, checked row by row, deduplicated against Amparo and against themselves,
//! and written in batches through the store's one write path, each batch recorded so that it can
//! be rolled back.
//!
//! - [`mapping`]: the TOML mapping (columns, codes, dates, unit and office), checked whole;
//! - [`source`]: CSV and spreadsheet files as tables of text;
//! - [`validate`]: rows into households, with the report's problems;
//! - [`candidates`]: the unit's people by name key, in memory for one run;
//! - [`plan`]: create, link or skip, and possible duplicates for review;
//! - [`run`]: batches, dry runs, progress;
//! - [`sample`]: realistic source files of two kinds of earlier systems, with their mappings.

pub mod candidates;
pub mod mapping;
pub mod plan;
pub mod run;
pub mod sample;
pub mod source;
pub mod validate;

use std::fmt::Write as _;

pub use run::{Options, Outcome, rollback, run};

/// The validation report: every problem by row, the unmapped codes, and the summary of what
/// was (or, dry, would be) created, linked and skipped, and why. Plain text for a person.
pub fn report(mapping: &mapping::Mapping, outcome: &Outcome, dry_run: bool) -> String {
    let p = &outcome.prepared;
    let s = &outcome.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Import from {} (mapping {} sha256:{}){}",
        mapping.source,
        mapping.version,
        &mapping.digest[..12.min(mapping.digest.len())],
        if dry_run {
            ": DRY RUN, nothing written"
        } else {
            ""
        }
    );
    for (table, n) in &p.rows {
        let _ = writeln!(out, "  {table}: {n} rows");
    }
    let _ = writeln!(out, "\nProblems ({}):", p.problems.len());
    for pr in &p.problems {
        let _ = writeln!(
            out,
            "  {} line {}{}: {} [{}]: {}",
            pr.table,
            pr.line,
            pr.key
                .as_deref()
                .map(|k| format!(" ({k})"))
                .unwrap_or_default(),
            pr.field,
            pr.kind.as_str(),
            pr.what
        );
    }
    let _ = writeln!(
        out,
        "\nUnmapped codes (add them to the mapping; none is guessed):"
    );
    if p.unmapped.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for ((list, value), n) in &p.unmapped {
        let _ = writeln!(out, "  [codes.{}] {value:?}: {n} row(s)", list.as_str());
    }
    let verb = if dry_run { "would be" } else { "were" };
    let _ = writeln!(out, "\nSummary ({verb}):");
    let lines = [
        ("households created", s.households_created),
        (
            "households linked to existing records (all members already in Amparo)",
            s.households_linked,
        ),
        (
            "households skipped: already imported",
            s.households_already_imported,
        ),
        ("households skipped: rows with errors", s.households_invalid),
        (
            "households skipped: focal point already registered",
            s.households_focal_point_exists,
        ),
        ("individuals created", s.individuals_created),
        (
            "individuals merged: linked to an existing record (same document or source key)",
            s.individuals_linked,
        ),
        ("individuals skipped", s.individuals_skipped),
        ("cases created", s.cases_created),
        ("cases skipped", s.cases_skipped),
        ("specific needs created", s.needs_created),
        ("documents created", s.documents_created),
        (
            "possible duplicates for a registrar to review",
            s.possible_duplicates,
        ),
    ];
    for (what, n) in lines {
        let _ = writeln!(out, "  {n:>8}  {what}");
    }
    if !s.skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped households and why:");
        for (key, why) in &s.skipped {
            let _ = writeln!(out, "  {key}: {why}");
        }
    }
    if !dry_run {
        let _ = writeln!(out, "\nBatches committed ({}):", outcome.batches.len());
        for b in &outcome.batches {
            let _ = writeln!(out, "  {b}");
        }
    }
    out
}
