//! The adjudication queue of possible biometric duplicates (F6, supervisors and protection
//! officers): pages of pending reviews, oldest first; Enter opens one. The list asks only what
//! its rows show; opening a review reads it whole.

pub(super) mod texts;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Nav, Outcome};
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{Cmd, Decision, ReviewsPage};
use crate::widgets::{ListKey, PageRequest, PagedList, bold, cell, dim, error, focused};
use texts::Texts;

/// Reviews per page: one line each, which leaves room at 80x24 for the headers and hints.
pub const REVIEWS_PAGE: usize = 16;

/// Rows per page on a terminal `height` lines tall: what is not headers and hints.
pub fn page_size(height: u16) -> usize {
    crate::widgets::page_rows(height, 24 - REVIEWS_PAGE as u16)
}

pub type Row = api::biometric_reviews::BiometricReviewsBiometricReviewsEdgesNode;
pub type RowSide = api::biometric_reviews::ReviewRowSide;

/// Width of one record's column; two of them and a 16-column label make 76.
pub const SIDE: usize = 30;

#[derive(Debug, Clone, Default)]
pub struct ReviewsState {
    /// The page shown (↑↓ n p g).
    pub list: PagedList<Row>,
    /// When the shown page was read: ages are counted to then, so the list does not change
    /// (nor repaint) by itself.
    pub read_at: Option<DateTime<Utc>>,
    /// The last decision taken here, shown above the list until the queue is left.
    pub done: Option<Decision>,
    /// Rows to ask for, following the terminal's height (0: those of 80x24).
    pub page_size: usize,
}

impl ReviewsState {
    /// Opens the queue on its first page, which holds the oldest reviews.
    pub fn open(&mut self) -> Vec<Cmd> {
        self.done = None;
        vec![self.load(0)]
    }

    /// Back after a decision: says which, and re-reads from the first page.
    pub fn decided(&mut self, decision: Decision) -> Vec<Cmd> {
        self.done = Some(decision);
        vec![self.load(0)]
    }

    fn load(&mut self, page: usize) -> Cmd {
        let asked = self.list.request(page);
        self.ask(asked)
    }

    fn ask(&self, page: PageRequest) -> Cmd {
        Cmd::Reviews {
            seq: page.seq,
            page: page.page,
            after: page.after,
            first: if self.page_size == 0 {
                REVIEWS_PAGE
            } else {
                self.page_size
            },
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Enter => match self.list.current() {
                Some(row) => Outcome::go(Nav::Review(row.id.clone())),
                None => Outcome::none(),
            },
            code => match self.list.key(code) {
                ListKey::Ignored => Outcome::none(),
                ListKey::Moved => Outcome::changed(true),
                ListKey::Load(page) => Outcome::send(vec![self.ask(page)]),
            },
        }
    }

    pub fn reply(
        &mut self,
        seq: u64,
        page: usize,
        read_at: DateTime<Utc>,
        result: Result<ReviewsPage, ApiError>,
    ) {
        let arrived = result.is_ok();
        if self.list.answer(seq, page, result) && arrived {
            self.read_at = Some(read_at);
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        t.keys_list
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let r = &self.list;
        let w = t;
        let mut lines = vec![Line::styled(
            format!(
                "{} {} {:>6}  {}",
                cell(w.col_enrolled, SIDE),
                cell(w.col_candidate, SIDE),
                w.col_score,
                w.col_age
            ),
            bold(),
        )];
        if let Some(d) = self.done {
            lines.push(Line::styled(
                format!("{}: {}", w.decided, decision_name(t, d)),
                bold(),
            ));
        }
        if let Some(e) = &r.error {
            lines.push(Line::styled(t.error(e), error()));
        }
        if !r.loaded && r.error.is_none() {
            lines.push(Line::raw(t.loading));
        } else if r.loaded && r.rows.is_empty() {
            lines.push(Line::raw(w.empty));
        }
        for (i, row) in r.rows.iter().enumerate() {
            let text = format!(
                "{} {} {:>6.2}  {}",
                row_side(t, &row.enrolled),
                row_side(t, &row.candidate),
                row.score,
                age(t, &row.created_at, self.read_at)
            );
            lines.push(if i == r.selected {
                Line::styled(text, focused())
            } else {
                Line::raw(text)
            });
        }
        let mut footer = format!("{} {}", t.page, r.page + 1);
        if r.loading && r.loaded {
            footer.push_str(" · ");
            footer.push_str(t.loading);
        }
        let height = usize::from(area.height);
        // The footer and hint sit on the last two lines whatever the page holds.
        lines.truncate(height.saturating_sub(2));
        lines.resize(height.saturating_sub(2), Line::default());
        lines.push(Line::raw(footer));
        lines.push(Line::styled(w.list_hint, dim()));
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// The name of a decision in the user's language.
pub fn decision_name(t: &Texts, d: Decision) -> &'static str {
    match d {
        Decision::SamePerson => t.same_person,
        Decision::DifferentPeople => t.different_people,
    }
}

/// How long a review has waited, to when the page was read: `12 min`, `5 h`, `3 d`.
pub fn age(t: &Texts, created_at: &str, read_at: Option<DateTime<Utc>>) -> String {
    let (Some(now), Ok(created)) = (read_at, DateTime::parse_from_rfc3339(created_at)) else {
        return "—".to_string();
    };
    let minutes = (now - created.with_timezone(&Utc)).num_minutes().max(0);
    let w = t;
    match minutes {
        m if m < 60 => format!("{m} {}", w.minutes),
        m if m < 48 * 60 => format!("{} {}", m / 60, w.hours),
        m => format!("{} {}", m / (24 * 60), w.days),
    }
}

fn row_side(t: &Texts, s: &RowSide) -> String {
    match &s.individual {
        Some(p) => cell(&format!("{} {}", p.individual_number, p.full_name), SIDE),
        None => cell(t.out_of_scope, SIDE),
    }
}
