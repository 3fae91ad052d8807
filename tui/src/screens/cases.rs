//! What My work, the supervisor's view and a case share: a paged list of cases, how it is
//! drawn, and the re-read a live notice starts.

mod texts;

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::api::ApiError;
use crate::cursors::Cursors;
use crate::i18n::Lang;
use crate::msg::{CasePage, CaseRow};
use crate::widgets::{bold, cell, dim, ellipsis, error, local_time, warn};
use texts::Texts;

/// A re-read started by a notice, and whether another notice came while it was out: a burst
/// of notices makes at most two reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reload {
    pub out: bool,
    pub again: bool,
}

impl Reload {
    /// Ends a re-read; true when notices came meanwhile and one more read is due.
    pub fn finish(&mut self, silent: bool) -> bool {
        if !silent {
            return false;
        }
        self.out = false;
        if self.again {
            self.again = false;
            self.out = true;
            return true;
        }
        false
    }

    /// Starts a re-read unless one is out, in which case one more follows it.
    pub fn start(&mut self) -> bool {
        if self.out {
            self.again = true;
            false
        } else {
            self.out = true;
            true
        }
    }
}

/// A paged list of cases.
#[derive(Debug, Clone, Default)]
pub struct CaseList {
    pub rows: Vec<CaseRow>,
    pub selected: usize,
    pub page: usize,
    pub cursors: Cursors,
    pub has_next: bool,
    pub seq: u64,
    pub loading: bool,
    pub loaded: bool,
    pub error: Option<ApiError>,
    pub reload: Reload,
}

impl CaseList {
    pub fn after(&self, page: usize) -> Option<String> {
        self.cursors.after(page)
    }

    /// Takes a page; false when it is the page already shown.
    pub fn take(&mut self, page: usize, result: Result<CasePage, ApiError>) -> bool {
        self.loading = false;
        match result {
            Ok(p) => {
                let same = self.loaded
                    && self.page == page
                    && self.rows == p.rows
                    && self.has_next == p.has_next
                    && self.error.is_none();
                self.cursors.arrived(page, p.end_cursor);
                if same {
                    return false;
                }
                if self.page != page || self.selected >= p.rows.len() {
                    self.selected = 0;
                }
                self.rows = p.rows;
                self.page = page;
                self.has_next = p.has_next;
                self.loaded = true;
                self.error = None;
            }
            Err(e) => {
                if self.error.as_ref() == Some(&e) {
                    return false;
                }
                self.error = Some(e);
            }
        }
        true
    }

    pub fn navigate(&mut self, key: &KeyEvent) -> Option<Option<usize>> {
        match key.code {
            KeyCode::Up if self.selected > 0 => {
                self.selected -= 1;
                Some(None)
            }
            KeyCode::Down if self.selected + 1 < self.rows.len() => {
                self.selected += 1;
                Some(None)
            }
            KeyCode::PageDown | KeyCode::Char('n') if self.has_next && !self.loading => {
                Some(Some(self.page + 1))
            }
            KeyCode::PageUp | KeyCode::Char('p') if self.page > 0 && !self.loading => {
                Some(Some(self.page - 1))
            }
            _ => None,
        }
    }
}

/// A row's badges. At 80 columns they are `compact`: the overdue badge's initial (V, O), `!` for
/// priority as its filter key, and the first need with how many more (the chosen row's line below
/// the list spells them all out).
fn badges<'a>(t: &Texts, r: &'a CaseRow, compact: bool) -> Vec<Span<'a>> {
    let mut out = Vec::new();
    if compact {
        if r.overdue {
            let initial = t.overdue_badge.chars().next().unwrap_or('!');
            out.push(Span::styled(initial.to_string(), error()));
        }
        if r.priority {
            out.push(Span::styled("!", warn()));
        }
        if !out.is_empty() {
            out.push(Span::raw(" "));
        }
        if let Some(first) = r.needs.first() {
            out.push(Span::raw(format!("[{first}]")));
            if r.needs.len() > 1 {
                out.push(Span::raw(format!("+{}", r.needs.len() - 1)));
            }
        }
        return out;
    }
    if r.overdue {
        out.push(Span::styled(format!("{} ", t.overdue_badge), error()));
    }
    if r.priority {
        out.push(Span::styled(format!("{} ", t.priority_badge), warn()));
    }
    for n in &r.needs {
        out.push(Span::raw(format!("[{n}]")));
    }
    out
}

/// The columns of a list at a width: narrow (80 columns) keeps every column that matters and
/// cuts names with an ellipsis; wide windows give names and the due time more room.
struct Columns {
    case: usize,
    status: usize,
    waiting: usize,
    principal: usize,
    officer: usize,
    due: usize,
    /// Narrow: badges in their short form, the due time as a date.
    compact: bool,
}

impl Columns {
    fn at(width: u16) -> Self {
        if width >= 120 {
            let spare = usize::from(width).saturating_sub(120);
            Self {
                case: 16,
                status: 16,
                waiting: 8,
                principal: (26 + spare / 2).min(44),
                officer: (18 + spare / 4).min(28),
                due: 17,
                compact: false,
            }
        } else {
            Self {
                case: 15,
                status: 13,
                waiting: 8,
                principal: 13,
                officer: 10,
                due: 11,
                compact: true,
            }
        }
    }
}

pub fn list_lines<'a>(
    lang: Lang,
    list: &'a CaseList,
    chosen: Option<&[(String, i64)]>,
    width: u16,
) -> Vec<Line<'a>> {
    let t = texts::get(lang);
    let c = t;
    let w = Columns::at(width);
    let mut lines = Vec::new();
    if let Some(e) = &list.error {
        lines.push(Line::styled(t.error(e), error()));
    } else if list.loading && !list.loaded {
        lines.push(Line::raw(t.loading));
    } else if list.loaded && list.rows.is_empty() {
        lines.push(Line::raw(c.no_cases));
    }
    if list.rows.is_empty() {
        return lines;
    }
    lines.push(Line::styled(
        format!(
            "  {}{}{}{}{}{}{}",
            cell(c.col_case, w.case),
            cell(c.col_status, w.status),
            cell(c.col_waiting, w.waiting),
            cell(c.col_principal, w.principal),
            cell(c.col_officer, w.officer),
            cell(c.col_due, w.due),
            c.col_badges
        ),
        bold(),
    ));
    let due = |r: &CaseRow| {
        let at = r.due.as_deref().map(local_time).unwrap_or_default();
        if w.compact {
            at.chars().take(10).collect()
        } else {
            at
        }
    };
    for (i, r) in list.rows.iter().enumerate() {
        let mark = match chosen {
            Some(ch) if ch.iter().any(|(id, _)| *id == r.id) => "*",
            _ => " ",
        };
        let sel = if i == list.selected { ">" } else { " " };
        let text = format!(
            "{sel}{mark}{}{}{}{}{}{}",
            cell(&r.case_number, w.case),
            cell(t.code(&r.status), w.status),
            cell(&format!("{} {}", r.days_waiting, c.days), w.waiting),
            cell(
                &ellipsis(r.principal.as_deref().unwrap_or("—"), w.principal - 1),
                w.principal
            ),
            cell(
                &ellipsis(r.officer.as_deref().unwrap_or("—"), w.officer - 1),
                w.officer
            ),
            cell(&due(r), w.due),
        );
        let mut spans = vec![if i == list.selected {
            Span::styled(text, Style::new().add_modifier(Modifier::REVERSED))
        } else {
            Span::raw(text)
        }];
        spans.extend(badges(t, r, w.compact));
        lines.push(Line::from(spans));
    }
    // The chosen row in full, so nothing cut in its columns is out of reach.
    if let Some(r) = list.rows.get(list.selected) {
        let mut spans = vec![Span::styled(
            format!(
                "  {} · {} · {} · {} ",
                r.case_number,
                r.principal.as_deref().unwrap_or("—"),
                r.officer.as_deref().unwrap_or("—"),
                r.due.as_deref().map(local_time).unwrap_or_default()
            ),
            dim(),
        )];
        spans.extend(badges(t, r, false));
        lines.push(Line::from(spans));
    }
    lines
}

pub fn footer(lang: Lang, list: &CaseList) -> String {
    let t = texts::get(lang);
    let mut s = format!("{} {}", t.page, list.page + 1);
    if list.has_next {
        s.push_str(" · n →");
    }
    if list.loading {
        s.push_str(" · ");
        s.push_str(t.loading);
    }
    s
}
