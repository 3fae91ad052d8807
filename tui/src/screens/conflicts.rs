//! Sync conflicts (Ctrl-K from any screen where there can be some, see `nav.rs`): changes made
//! on a field node that central refused because the record changed there meanwhile, or because
//! a rule no longer held. The list shows the open ones the caller may resolve (their own, or the
//! unit's for a supervisor); the chosen one's fields side by side, the node's change beside
//! central's record. `m` applies the change over central's record, `t` keeps central's, and `f`
//! applies only the fields marked with space. The version sent is the one read with the list,
//! so a conflict resolved meanwhile is refused and the list read again.

pub(super) mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Nav, Outcome, Screen};
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::Cmd;
use crate::widgets::{bold, cell, dim, error, focused, when};
use texts::Texts;

pub type Row = api::sync_conflicts::SyncConflictsSyncConflicts;

/// How a conflict is resolved, as the client asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolve {
    /// Apply the node's change over central's record.
    Mine,
    /// Keep central's record; the node's change is not applied.
    Theirs,
    /// Apply only the fields chosen.
    Merge,
}

/// Rows of the list shown above the chosen conflict's fields, at 80x24.
const LIST_ROWS: usize = 5;
/// Width of a field's name, and of each side's value: 18 + 2 + 2 × 28 + 2 = 78.
const LABEL: usize = 18;
const SIDE: usize = 28;

/// Input fields that say which record and which request, not what changed.
const NOT_A_CHANGE: [&str; 3] = ["clientMutationId", "id", "version"];

/// Which part of the screen the arrows move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    List,
    Fields,
}

#[derive(Debug, Clone, Default)]
pub struct ConflictsState {
    pub rows: Vec<Row>,
    pub selected: usize,
    pub focus: Focus,
    /// The field under the cursor in the chosen conflict.
    pub field: usize,
    /// Fields marked for a merge (names of the change's input).
    pub chosen: Vec<String>,
    pub seq: u64,
    pub loading: bool,
    pub loaded: bool,
    pub error: Option<ApiError>,
    /// The resolution sent and not yet answered, by its clientMutationId.
    pub sending: Option<(String, Resolve)>,
    /// The last resolution taken here, shown until the list is left.
    pub done: Option<Resolve>,
}

/// One field of the change: its name, the node's value and central's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPair {
    pub name: String,
    pub mine: String,
    pub theirs: String,
}

impl ConflictsState {
    /// Opens the list of open conflicts.
    pub fn open(&mut self) -> Vec<Cmd> {
        self.done = None;
        self.sending = None;
        self.focus = Focus::List;
        vec![self.load()]
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        Cmd::SyncConflicts { seq: self.seq }
    }

    /// The chosen conflict's fields, the node's change beside central's record.
    pub fn fields(&self) -> Vec<FieldPair> {
        self.rows
            .get(self.selected)
            .map(field_pairs)
            .unwrap_or_default()
    }

    fn resolve(&mut self, how: Resolve) -> Outcome {
        let Some(row) = self.rows.get(self.selected) else {
            return Outcome::none();
        };
        let fields = match how {
            Resolve::Merge if self.chosen.is_empty() => return Outcome::none(),
            Resolve::Merge => Some(self.chosen.clone()),
            _ => None,
        };
        let cmid = uuid::Uuid::now_v7().to_string();
        self.sending = Some((cmid.clone(), how));
        self.error = None;
        Outcome::send(vec![Cmd::ResolveConflict {
            cmid,
            id: row.id.clone(),
            version: row.version,
            resolution: how,
            fields,
        }])
    }

    fn choose(&mut self, selected: usize) -> Outcome {
        self.selected = selected;
        self.field = 0;
        self.chosen.clear();
        Outcome::changed(true)
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        let idle = self.sending.is_none() && !self.loading;
        match (self.focus, key.code) {
            (Focus::List, KeyCode::Up) if self.selected > 0 => self.choose(self.selected - 1),
            (Focus::List, KeyCode::Down) if self.selected + 1 < self.rows.len() => {
                self.choose(self.selected + 1)
            }
            (Focus::List, KeyCode::Tab | KeyCode::Enter) if !self.fields().is_empty() => {
                self.focus = Focus::Fields;
                Outcome::changed(true)
            }
            (Focus::Fields, KeyCode::Tab | KeyCode::BackTab) => {
                self.focus = Focus::List;
                Outcome::changed(true)
            }
            (Focus::Fields, KeyCode::Up) if self.field > 0 => {
                self.field -= 1;
                Outcome::changed(true)
            }
            (Focus::Fields, KeyCode::Down) if self.field + 1 < self.fields().len() => {
                self.field += 1;
                Outcome::changed(true)
            }
            (Focus::Fields, KeyCode::Char(' ')) => {
                let Some(f) = self.fields().into_iter().nth(self.field) else {
                    return Outcome::none();
                };
                if let Some(i) = self.chosen.iter().position(|c| *c == f.name) {
                    self.chosen.remove(i);
                } else {
                    self.chosen.push(f.name);
                }
                Outcome::changed(true)
            }
            (_, KeyCode::Esc) => Outcome::go(Nav::Back {
                fallback: Screen::Search,
                reread: true,
            }),
            (_, KeyCode::Char('g')) if !self.loading => Outcome::send(vec![self.load()]),
            (_, KeyCode::Char('m')) if idle => self.resolve(Resolve::Mine),
            (_, KeyCode::Char('t')) if idle => self.resolve(Resolve::Theirs),
            (_, KeyCode::Char('f')) if idle => self.resolve(Resolve::Merge),
            _ => Outcome::none(),
        }
    }

    pub fn reply(&mut self, seq: u64, result: Result<Vec<Row>, ApiError>) {
        if seq != self.seq {
            return;
        }
        self.loading = false;
        match result {
            Ok(rows) => {
                let same = self.rows.get(self.selected).map(|r| r.id.clone());
                if rows.get(self.selected).map(|r| r.id.clone()) != same {
                    self.selected = 0;
                    self.field = 0;
                    self.chosen.clear();
                    self.focus = Focus::List;
                }
                self.rows = rows;
                self.loaded = true;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// The answer to a resolution: on success the list is read again (the conflict left it);
    /// a refusal (resolved meanwhile, central still refusing the change) is shown.
    pub fn resolve_reply(&mut self, cmid: &str, result: Result<(), ApiError>) -> Outcome {
        let Some((sent, how)) = self.sending.clone() else {
            return Outcome::none();
        };
        if sent != cmid {
            return Outcome::none();
        }
        self.sending = None;
        match result {
            Ok(()) => {
                self.done = Some(how);
                self.chosen.clear();
                self.field = 0;
                self.focus = Focus::List;
                Outcome::send(vec![self.load()])
            }
            Err(e) => {
                self.error = Some(e);
                Outcome::changed(true)
            }
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        texts::get(lang).keys
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let mut lines = vec![Line::styled(
            format!(
                "{} {} {} {}",
                cell(t.col_change, 22),
                cell(t.col_record, 14),
                cell(t.col_reason, 22),
                t.col_when
            ),
            bold(),
        )];
        if let Some(e) = &self.error {
            lines.push(Line::styled(cell(&t.error(e), 78), error()));
        } else if let Some((_, how)) = &self.sending {
            lines.push(Line::raw(format!("{} {}", t.sending, resolution(t, *how))));
        } else if let Some(how) = self.done {
            lines.push(Line::styled(
                format!("{}: {}", t.resolved, resolution(t, how)),
                bold(),
            ));
        }
        if !self.loaded && self.error.is_none() {
            lines.push(Line::raw(t.loading));
        } else if self.loaded && self.rows.is_empty() {
            lines.push(Line::raw(t.empty));
        }
        let first = self.selected.saturating_sub(LIST_ROWS - 1);
        for (i, row) in self.rows.iter().enumerate().skip(first).take(LIST_ROWS) {
            let text = format!(
                "{} {} {} {}",
                cell(&row.mutation, 22),
                cell(row.record_type.as_deref().unwrap_or("—"), 14),
                cell(&reason(t, &row.error_code), 22),
                when(&row.created_at)
            );
            lines.push(if i == self.selected && self.focus == Focus::List {
                Line::styled(text, focused())
            } else if i == self.selected {
                Line::styled(text, bold())
            } else {
                Line::raw(text)
            });
        }
        if let Some(row) = self.rows.get(self.selected) {
            lines.push(Line::default());
            lines.push(Line::styled(
                cell(&format!("{} {}", t.central_says, refused(t, lang, row)), 78),
                dim(),
            ));
            lines.push(Line::styled(
                format!(
                    "    {} {} {}",
                    cell(t.col_field, LABEL),
                    cell(t.col_mine, SIDE),
                    cell(t.col_theirs, SIDE)
                ),
                bold(),
            ));
            let height = usize::from(area.height);
            let room = height.saturating_sub(lines.len() + 1).max(1);
            let fields = self.fields();
            let skip = self.field.saturating_sub(room - 1);
            for (i, f) in fields.iter().enumerate().skip(skip).take(room) {
                let mark = if self.chosen.contains(&f.name) {
                    "[x]"
                } else {
                    "[ ]"
                };
                let differs = f.mine != f.theirs;
                let text = format!(
                    "{mark} {} {} {}",
                    cell(&f.name, LABEL),
                    cell(&f.mine, SIDE),
                    cell(&f.theirs, SIDE)
                );
                lines.push(if self.focus == Focus::Fields && i == self.field {
                    Line::styled(text, focused())
                } else if differs {
                    Line::from(vec![Span::styled(text, bold())])
                } else {
                    Line::raw(text)
                });
            }
        }
        let height = usize::from(area.height);
        lines.truncate(height.saturating_sub(1));
        lines.resize(height.saturating_sub(1), Line::default());
        lines.push(Line::styled(t.hint, dim()));
        frame.render_widget(Paragraph::new(lines), area);
    }
}

fn resolution(t: &Texts, how: Resolve) -> &'static str {
    match how {
        Resolve::Mine => t.applied_mine,
        Resolve::Theirs => t.kept_theirs,
        Resolve::Merge => t.merged,
    }
}

/// Central's refusal in the user's words, as any refusal is rendered: its reason with its
/// parameters and the field it was about; by its code alone when central recorded no reason.
fn refused(t: &Texts, lang: Lang, row: &Row) -> String {
    let why = api::reason(row.error_reason.clone(), row.error_params.clone());
    if why == amparo_domain::error::Reason::Unspecified {
        return reason(t, &row.error_code);
    }
    crate::refusals::refusal(row.error_field.as_deref().unwrap_or(""), &why, lang)
}

fn reason(t: &Texts, code: &str) -> String {
    match code {
        "CONFLICT" => t.changed_on_central.to_string(),
        "NOT_FOUND" => t.gone_from_central.to_string(),
        "FORBIDDEN" => t.no_longer_allowed.to_string(),
        other => format!("{} ({other})", t.refused),
    }
}

/// `givenNames` as central's record names it: `given_names`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn shown(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Each field the node's change sets, beside the same field of central's record.
pub fn field_pairs(row: &Row) -> Vec<FieldPair> {
    let mine: serde_json::Value = serde_json::from_str(&row.mine).unwrap_or_default();
    let theirs: serde_json::Value = row
        .theirs
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default();
    let Some(mine) = mine.as_object() else {
        return Vec::new();
    };
    mine.iter()
        .filter(|(k, _)| !NOT_A_CHANGE.contains(&k.as_str()))
        .map(|(k, v)| FieldPair {
            name: k.clone(),
            mine: shown(Some(v)),
            theirs: shown(theirs.get(snake(k)).or_else(|| theirs.get(k))),
        })
        .collect()
}
