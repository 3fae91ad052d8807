//! My work, the home of eligibility officers: their open cases, what is due next on top,
//! narrowed by status, priority or overdue, in pages of the server's cursors.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::cases::{CaseList, footer, list_lines};
use super::{Nav, Outcome};
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{CasePage, Cmd};
use crate::widgets::{bold, dim, split_hint};

/// Rows per page of My work at any size: fits 80x24 with its headers.
pub const WORK_PAGE: usize = 14;

/// Lines of My work that are not cases: title, filter line, column headers, footer, hints.
const CHROME: u16 = 24 - WORK_PAGE as u16;

/// Rows per page on a terminal `height` lines tall.
pub fn page_size(height: u16) -> usize {
    crate::widgets::page_rows(height, CHROME)
}

/// Statuses My work can be narrowed to; the first is "all".
pub const WORK_STATUSES: [&str; 10] = [
    "",
    "registered",
    "admissible",
    "scheduled",
    "interviewed",
    "assessed",
    "decided",
    "notified",
    "appeal_lodged",
    "on_hold",
];

/// My work: the officer's open cases, what is due first on top.
#[derive(Debug, Clone, Default)]
pub struct WorkState {
    pub list: CaseList,
    /// Index into [`WORK_STATUSES`].
    pub status: usize,
    pub priority_only: bool,
    pub overdue_only: bool,
    /// Rows to ask for, following the terminal's height (0: those of 80x24).
    pub page_size: usize,
}

impl WorkState {
    fn filter(&self) -> api::my_work::WorkFilterInput {
        api::my_work::WorkFilterInput {
            status: WORK_STATUSES
                .get(self.status)
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string()),
            priority_only: self.priority_only,
            overdue_only: self.overdue_only,
        }
    }

    /// Reads a page; `silent` for re-reads after a notice.
    pub fn load(&mut self, page: usize, silent: bool) -> Cmd {
        self.list.seq += 1;
        if !silent {
            self.list.loading = true;
            // This read supersedes a silent one still out (its answer will be stale and
            // dropped), so that one must not hold back the re-reads of later notices.
            self.list.reload = Default::default();
        }
        Cmd::Work {
            seq: self.list.seq,
            page,
            filter: self.filter(),
            after: self.list.after(page),
            first: if self.page_size == 0 {
                WORK_PAGE
            } else {
                self.page_size
            },
        }
        .silent_if(silent)
    }

    /// Shown from its first page.
    pub fn open(&mut self) -> Vec<Cmd> {
        self.list.cursors.restart();
        vec![self.load(0, false)]
    }

    /// Shown again after a case: the same page, re-read.
    pub fn reread(&mut self) -> Vec<Cmd> {
        let page = self.list.page;
        vec![self.load(page, false)]
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        if let Some(nav) = self.list.navigate(&key) {
            return match nav {
                Some(page) => Outcome::send(vec![self.load(page, false)]),
                None => Outcome::changed(true),
            };
        }
        match key.code {
            KeyCode::Enter => match self.list.rows.get(self.list.selected) {
                Some(r) => Outcome::go(Nav::Case(r.id.clone())),
                None => Outcome::none(),
            },
            KeyCode::Char('f') | KeyCode::Char('F') => {
                let n = WORK_STATUSES.len();
                self.status = if key.code == KeyCode::Char('F') {
                    (self.status + n - 1) % n
                } else {
                    (self.status + 1) % n
                };
                Outcome::send(self.open())
            }
            KeyCode::Char('!') => {
                self.priority_only = !self.priority_only;
                Outcome::send(self.open())
            }
            KeyCode::Char('o') => {
                self.overdue_only = !self.overdue_only;
                Outcome::send(self.open())
            }
            KeyCode::Char('g') => Outcome::send(self.reread()),
            _ => Outcome::none(),
        }
    }

    /// A page read; a silent one changes the screen only if it differs.
    pub fn reply(
        &mut self,
        seq: u64,
        page: usize,
        result: Result<CasePage, ApiError>,
        silent: bool,
    ) -> Outcome {
        let l = &mut self.list;
        if seq != l.seq {
            return Outcome::none();
        }
        let changed = l.take(page, result);
        let mut out = Outcome::changed(changed);
        if l.reload.finish(silent) {
            out.cmds.push(self.load(page, true));
        }
        out
    }

    /// A live notice: re-read when the case is listed or the caller is (or was) its officer,
    /// since notices of the whole office would otherwise re-read it for nothing on a thin link.
    pub fn notice(
        &mut self,
        my_id: Option<&str>,
        case_id: &str,
        kind: &str,
        officer_ids: &[String],
    ) -> Vec<Cmd> {
        let mine = my_id.is_some_and(|id| officer_ids.iter().any(|o| o == id))
            || self.list.rows.iter().any(|r| r.id == case_id);
        if (kind == "reload" || mine) && self.list.reload.start() {
            let page = self.list.page;
            vec![self.load(page, true)]
        } else {
            Vec::new()
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        t.keys_work
    }

    /// My work.
    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let c = t;
        let w = self;
        let status = WORK_STATUSES
            .get(w.status)
            .filter(|s| !s.is_empty())
            .map_or(c.all_statuses, |s| t.code(s));
        let tick = |b: bool| if b { "[x]" } else { "[ ]" };
        let mut lines = vec![
            Line::from(vec![
                Span::styled(format!("{}: ", c.filter_status), bold()),
                Span::raw(format!("‹{status}›   ")),
                Span::raw(format!("{} {}   ", tick(w.priority_only), c.priority_only)),
                Span::raw(format!("{} {}", tick(w.overdue_only), c.overdue_only)),
            ]),
            Line::default(),
        ];
        lines.extend(list_lines(lang, &w.list, None, area.width));
        lines.push(Line::default());
        lines.push(Line::raw(footer(lang, &w.list)));
        let [body, hint] = split_hint(area);
        frame.render_widget(Paragraph::new(lines), body);
        frame.render_widget(Line::styled(c.work_hint, dim()), hint);
    }
}
