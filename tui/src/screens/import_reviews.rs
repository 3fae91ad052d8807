//! The registrar's list of possible duplicates found by imports from earlier databases (F11):
//! pages of open reviews, oldest first; the chosen one's imported person beside the existing
//! one, with what the match rests on. `l` links them (the same person), `k` keeps them separate;
//! the version sent is the one read with the page, so a review decided meanwhile is refused.

pub(super) mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Outcome;
use crate::api::import_reviews::ImportMatchReason;
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{Cmd, ImportReviewsPage};
use crate::widgets::{ListKey, PageRequest, PagedList, bold, cell, dim, error, focused};
use texts::Texts;

/// Reviews per page: one line each above the chosen one's details, at 80x24.
pub const IMPORT_REVIEWS_PAGE: usize = 8;

pub type Row = api::import_reviews::ImportReviewsImportReviewsEdgesNode;
pub type Side = api::import_reviews::ImportSide;

/// Width of one person's column; a 16-column label and two of them make 76.
const SIDE: usize = 30;

#[derive(Debug, Clone, Default)]
pub struct ImportReviewsState {
    /// The page shown (↑↓ n p g); its error is also a decision's refusal.
    pub list: PagedList<Row>,
    /// The decision sent and not yet answered: its clientMutationId, so a retry of the same
    /// decision is recognised by the server, and the key is not taken twice.
    pub sending: Option<(String, bool)>,
    /// The last decision taken here (`true`: linked), shown until the list is left.
    pub done: Option<bool>,
}

impl ImportReviewsState {
    /// Opens the list on its first page.
    pub fn open(&mut self) -> Vec<Cmd> {
        self.done = None;
        self.sending = None;
        vec![self.load(0)]
    }

    fn load(&mut self, page: usize) -> Cmd {
        ask(self.list.request(page))
    }

    fn decide(&mut self, link: bool) -> Outcome {
        let Some(row) = self.list.current() else {
            return Outcome::none();
        };
        let (review_id, version) = (row.id.clone(), row.version);
        let cmid = uuid::Uuid::now_v7().to_string();
        self.sending = Some((cmid.clone(), link));
        self.list.error = None;
        Outcome::send(vec![Cmd::DecideImport {
            cmid,
            review_id,
            version,
            link,
        }])
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        let r = self;
        match key.code {
            KeyCode::Char('l') if r.sending.is_none() && !r.list.loading => r.decide(true),
            KeyCode::Char('k') if r.sending.is_none() && !r.list.loading => r.decide(false),
            code => match r.list.key(code) {
                ListKey::Ignored => Outcome::none(),
                ListKey::Moved => Outcome::changed(true),
                ListKey::Load(page) => Outcome::send(vec![ask(page)]),
            },
        }
    }

    pub fn reply(&mut self, seq: u64, page: usize, result: Result<ImportReviewsPage, ApiError>) {
        self.list.answer(seq, page, result);
    }

    /// The answer to a decision: on success the list is re-read (the review left it); a refusal
    /// (decided meanwhile, a changed version) is shown and the list stays as it was read.
    pub fn decide_reply(&mut self, cmid: &str, result: Result<(), ApiError>) -> Outcome {
        let Some((sent, link)) = self.sending.clone() else {
            return Outcome::none();
        };
        if sent != cmid {
            return Outcome::none();
        }
        self.sending = None;
        match result {
            Ok(()) => {
                self.done = Some(link);
                Outcome::send(vec![ask(self.list.reread())])
            }
            Err(e) => {
                self.list.error = Some(e);
                Outcome::changed(true)
            }
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        texts::get(lang).keys
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let r = &self.list;
        let mut lines = vec![Line::styled(
            format!(
                "{} {} {:>5}",
                cell(t.col_imported, SIDE + 5),
                cell(t.col_existing, SIDE + 5),
                t.col_score
            ),
            bold(),
        )];
        if let Some(e) = &r.error {
            lines.push(Line::styled(t.error(e), error()));
        } else if let Some((_, link)) = &self.sending {
            lines.push(Line::raw(format!("{} {}", t.sending, decision(t, *link))));
        } else if let Some(link) = self.done {
            lines.push(Line::styled(
                format!("{}: {}", t.decided, decision(t, link)),
                bold(),
            ));
        }
        if !r.loaded && r.error.is_none() {
            lines.push(Line::raw(t.loading));
        } else if r.loaded && r.rows.is_empty() {
            lines.push(Line::raw(t.empty));
        }
        for (i, row) in r.rows.iter().enumerate() {
            let text = format!(
                "{} {} {:>5}",
                row_side(t, row.imported.as_ref()),
                row_side(t, row.existing.as_ref()),
                row.score
            );
            lines.push(if i == r.selected {
                Line::styled(text, focused())
            } else {
                Line::raw(text)
            });
        }
        let height = usize::from(area.height);
        let mut detail = match r.rows.get(r.selected) {
            Some(row) => detail_lines(t, row),
            None => Vec::new(),
        };
        let mut footer = format!("{} {}", t.page, r.page + 1);
        if r.loading && r.loaded {
            footer.push_str(" · ");
            footer.push_str(t.loading);
        }
        // The details, the footer and the hint sit at the bottom whatever the page holds.
        let bottom = detail.len() + 2;
        lines.truncate(height.saturating_sub(bottom));
        lines.resize(height.saturating_sub(bottom), Line::default());
        lines.append(&mut detail);
        lines.push(Line::raw(footer));
        lines.push(Line::styled(t.hint, dim()));
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// The read of one page of the list.
fn ask(page: PageRequest) -> Cmd {
    Cmd::ImportReviews {
        seq: page.seq,
        page: page.page,
        after: page.after,
    }
}

fn decision(t: &Texts, link: bool) -> &'static str {
    if link { t.linked } else { t.kept_separate }
}

fn row_side(t: &Texts, s: Option<&Side>) -> String {
    match s {
        Some(p) => cell(
            &format!("{} {}", p.individual_number, p.full_name),
            SIDE + 5,
        ),
        None => cell(t.out_of_scope, SIDE + 5),
    }
}

fn reason_name(t: &Texts, r: &ImportMatchReason) -> &'static str {
    match r {
        ImportMatchReason::SIMILAR_NAME => t.similar_name,
        ImportMatchReason::SAME_BIRTH_DATE => t.same_birth_date,
        ImportMatchReason::NEAR_BIRTH_DATE => t.near_birth_date,
        ImportMatchReason::SAME_NATIONALITY => t.same_nationality,
        ImportMatchReason::SAME_SEX => t.same_sex,
        ImportMatchReason::Other(_) => "?",
    }
}

/// The chosen review: both people side by side and what the match rests on.
fn detail_lines<'a>(t: &Texts, row: &'a Row) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::default(),
        Line::styled(
            format!(
                "{}{} {}",
                cell("", 16),
                cell(t.col_imported, SIDE),
                t.col_existing
            ),
            bold(),
        ),
    ];
    type Field = fn(&Texts, Option<&Side>) -> String;
    let fields: [(&str, Field); 5] = [
        (t.col_number, |_, s| {
            s.map_or("—".into(), |p| p.individual_number.clone())
        }),
        (t.col_name, |t, s| {
            s.map_or(t.out_of_scope.into(), |p| p.full_name.clone())
        }),
        (t.sex, |_, s| {
            s.and_then(|p| p.sex.clone()).unwrap_or("—".into())
        }),
        (t.birth_date, |_, s| {
            s.and_then(|p| p.date_of_birth.clone())
                .unwrap_or("—".into())
        }),
        (t.nationalities, |_, s| {
            s.map_or("—".into(), |p| p.nationalities.join(", "))
        }),
    ];
    for (label, value) in fields {
        lines.push(Line::from(vec![
            Span::styled(cell(label, 16), dim()),
            Span::raw(format!(
                "{} {}",
                cell(&value(t, row.imported.as_ref()), SIDE),
                cell(&value(t, row.existing.as_ref()), SIDE)
            )),
        ]));
    }
    let reasons: Vec<&str> = row.reasons.iter().map(|r| reason_name(t, r)).collect();
    lines.push(Line::from(vec![
        Span::styled(cell(t.reasons, 16), dim()),
        Span::raw(cell(&reasons.join(", "), 60)),
    ]));
    lines.push(Line::from(vec![
        Span::styled(cell(t.source, 16), dim()),
        Span::raw(if row.within_import {
            t.within_import
        } else {
            t.against_existing
        }),
    ]));
    lines
}
