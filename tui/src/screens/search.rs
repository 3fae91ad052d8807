//! Search: names as typed (accents, transliterations, partial) or a number, pages of results
//! flipped with the server's cursors, Enter opens a person.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Nav, Outcome};
use crate::api::{self, ApiError};
use crate::cursors::Cursors;
use crate::i18n::{KeyHelp, Lang};
use crate::msg::Cmd;
use crate::widgets::{TextInput, bold, cell, dim, error, focused, tail, text_width};

/// Rows per page of search results on an 80x24 screen, with its headers.
pub const PAGE_SIZE: usize = 14;

/// Lines of the search screen that are not results: title, query and its hint, the column
/// headers, the footer and hints.
const CHROME: u16 = 24 - PAGE_SIZE as u16;

/// Rows per page on a terminal `height` lines tall.
pub fn page_size(height: u16) -> usize {
    crate::widgets::page_rows(height, CHROME)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchFocus {
    #[default]
    Query,
    Results,
}

#[derive(Debug, Clone, Default)]
pub struct SearchState {
    pub query: TextInput,
    pub focus: SearchFocus,
    /// The query the shown results belong to.
    pub shown_query: String,
    pub rows: Vec<api::search::SearchIndividualsEdgesNode>,
    pub selected: usize,
    pub page: usize,
    pub cursors: Cursors,
    pub has_next: bool,
    pub searched: bool,
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
    /// Rows to ask for, following the terminal's height (0: those of 80x24).
    pub page_size: usize,
}

impl SearchState {
    /// Shown again (F2, `/`): the query takes the keys.
    pub fn open(&mut self) {
        self.focus = SearchFocus::Query;
    }

    /// Whether printable keys go into the query.
    pub fn typing(&self) -> bool {
        self.focus == SearchFocus::Query
    }

    fn start(&mut self, page: usize) -> Outcome {
        self.seq += 1;
        self.loading = true;
        Outcome::send(vec![Cmd::Search {
            seq: self.seq,
            page,
            query: self.shown_query.clone(),
            after: self.cursors.after(page),
            first: if self.page_size == 0 {
                PAGE_SIZE
            } else {
                self.page_size
            },
        }])
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        let s = self;
        match (s.focus, key.code) {
            (SearchFocus::Query, KeyCode::Enter) => {
                let q = s.query.value.trim().to_string();
                if q.is_empty() {
                    return Outcome::none();
                }
                if q == s.shown_query && !s.rows.is_empty() && !s.loading {
                    s.focus = SearchFocus::Results;
                    return Outcome::changed(true);
                }
                s.shown_query = q;
                s.cursors.restart();
                s.start(0)
            }
            (SearchFocus::Query, KeyCode::Down | KeyCode::Tab | KeyCode::Esc) => {
                if s.rows.is_empty() {
                    return Outcome::none();
                }
                s.focus = SearchFocus::Results;
                Outcome::changed(true)
            }
            (SearchFocus::Query, _) => Outcome::changed(s.query.edit(&key)),
            (SearchFocus::Results, KeyCode::Up) if s.selected > 0 => {
                s.selected -= 1;
                Outcome::changed(true)
            }
            (SearchFocus::Results, KeyCode::Up | KeyCode::Tab | KeyCode::BackTab) => {
                s.focus = SearchFocus::Query;
                Outcome::changed(true)
            }
            (SearchFocus::Results, KeyCode::Down) if s.selected + 1 < s.rows.len() => {
                s.selected += 1;
                Outcome::changed(true)
            }
            (SearchFocus::Results, KeyCode::PageDown | KeyCode::Char('n')) => {
                if !s.has_next || s.loading {
                    return Outcome::none();
                }
                let next = s.page + 1;
                s.start(next)
            }
            (SearchFocus::Results, KeyCode::PageUp | KeyCode::Char('p')) => {
                if s.page == 0 || s.loading {
                    return Outcome::none();
                }
                let prev = s.page - 1;
                s.start(prev)
            }
            (SearchFocus::Results, KeyCode::Enter) => match s.rows.get(s.selected) {
                Some(row) => Outcome::go(Nav::Individual(row.id.clone())),
                None => Outcome::none(),
            },
            _ => Outcome::none(),
        }
    }

    pub fn reply(
        &mut self,
        seq: u64,
        page: usize,
        result: Result<api::search::ResponseData, ApiError>,
    ) {
        let s = self;
        if seq != s.seq {
            return;
        }
        s.loading = false;
        match result {
            Ok(data) => {
                let conn = data.individuals;
                s.rows = conn.edges.into_iter().map(|e| e.node).collect();
                s.page = page;
                s.selected = 0;
                s.has_next = conn.page_info.has_next_page;
                s.cursors.arrived(page, conn.page_info.end_cursor);
                s.searched = true;
                s.error = None;
                if !s.rows.is_empty() {
                    s.focus = SearchFocus::Results;
                }
            }
            Err(e) => s.error = Some(e),
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        t.keys_search
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let s = self;
        let label = format!("{}: ", t.query);
        let qwidth = usize::from(area.width).saturating_sub(label.chars().count() + 1);
        let shown = tail(&s.query.value, qwidth);
        frame.render_widget(
            Line::from(vec![
                Span::styled(label.clone(), bold()),
                Span::raw(shown.clone()),
            ]),
            Rect { height: 1, ..area },
        );
        frame.render_widget(
            Line::styled(t.query_hint, dim()),
            Rect {
                y: area.y + 1,
                height: 1,
                ..area
            },
        );
        if s.focus == SearchFocus::Query {
            frame.set_cursor_position((area.x + text_width(&label) + text_width(&shown), area.y));
        }
        let list = Rect {
            y: area.y + 3,
            height: area.height.saturating_sub(3),
            ..area
        };
        let mut lines = Vec::new();
        if let Some(e) = &s.error {
            lines.push(Line::styled(t.error(e), error()));
        } else if s.loading && s.rows.is_empty() {
            lines.push(Line::raw(t.searching));
        } else if s.searched && s.rows.is_empty() {
            lines.push(Line::raw(t.no_results));
        }
        if !s.rows.is_empty() {
            let name_w = usize::from(area.width).saturating_sub(16 + 5 + 11 + 6 + 2);
            lines.push(Line::styled(
                format!(
                    "  {}{}{}{}{}",
                    cell(t.col_number, 16),
                    cell(t.col_name, name_w),
                    cell(t.col_sex, 5),
                    cell(t.col_born, 11),
                    t.col_nationality
                ),
                bold(),
            ));
            for (i, r) in s.rows.iter().enumerate() {
                let selected = s.focus == SearchFocus::Results && i == s.selected;
                let text = format!(
                    "{}{}{}{}{}{}",
                    if selected { "> " } else { "  " },
                    cell(&r.individual_number, 16),
                    cell(&r.full_name, name_w),
                    cell(r.sex.as_deref().unwrap_or(""), 5),
                    cell(r.date_of_birth.as_deref().unwrap_or(""), 11),
                    r.nationalities.join(",")
                );
                lines.push(if selected {
                    Line::styled(text, focused())
                } else {
                    Line::raw(text)
                });
            }
            lines.push(Line::default());
            let mut footer = format!("{} {}", t.page, s.page + 1);
            if s.loading {
                footer.push_str(" · ");
                footer.push_str(t.searching);
            }
            lines.push(Line::raw(footer));
            lines.push(Line::styled(t.results_hint, dim()));
        }
        frame.render_widget(Paragraph::new(lines), list);
    }
}
