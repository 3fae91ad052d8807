//! The supervisor's view: the unit at a glance (open, overdue, priority, unassigned, awaiting
//! review, abandonment candidates, appeals near deadline, aging, counts by office and status,
//! workload per officer) above one of five lists, whose cases can be reassigned in bulk.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::action_form::{self, ActionForm, CaseContext, FormEvent};
use super::cases::{CaseList, footer, list_lines};
use super::{Ctx, Nav, Outcome};
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{ActDone, CasePage, Cmd};
use crate::widgets::{bold, dim, error, split_hint};

/// Rows per page of a supervisor's list, below the summary.
pub const QUEUE_PAGE: usize = 8;

/// Rows per page on a terminal `height` lines tall: what the summary, headers and hints leave.
pub fn page_size(height: u16) -> usize {
    crate::widgets::page_rows(height, 24 - QUEUE_PAGE as u16)
}

/// A supervisor's list, in the order the keys 1 to 5 pick them.
pub const LISTS: [api::case_queue::CaseList; 5] = [
    api::case_queue::CaseList::AWAITING_REVIEW,
    api::case_queue::CaseList::ABANDONMENT_CANDIDATES,
    api::case_queue::CaseList::APPEALS_NEAR_DEADLINE,
    api::case_queue::CaseList::OVERDUE,
    api::case_queue::CaseList::PRIORITY,
];

/// The unit at a glance and the supervisor's lists.
#[derive(Debug, Clone, Default)]
pub struct SupervisorState {
    pub summary: Option<api::case_summary::CaseSummaryCaseSummary>,
    pub summary_seq: u64,
    pub summary_error: Option<ApiError>,
    /// Index into [`LISTS`].
    pub which: usize,
    pub list: CaseList,
    /// Ids of the cases chosen for a bulk reassignment, with the version read.
    pub chosen: Vec<(String, i64)>,
    /// The reassignment form, when open.
    pub form: Option<ActionForm>,
    pub done: Option<usize>,
    /// Rows to ask for, following the terminal's height (0: those of 80x24).
    pub page_size: usize,
}

impl SupervisorState {
    /// Reads the summary and a page of the current list; `silent` for re-reads after a notice.
    pub fn load(&mut self, page: usize, silent: bool) -> Vec<Cmd> {
        self.summary_seq += 1;
        self.list.seq += 1;
        if !silent {
            self.list.loading = true;
            // This read supersedes a silent one still out (its answer will be stale and
            // dropped), so that one must not hold back the re-reads of later notices.
            self.list.reload = Default::default();
        }
        let summary = Cmd::Summary {
            seq: self.summary_seq,
        };
        let queue = Cmd::Queue {
            seq: self.list.seq,
            page,
            list: LISTS.get(self.which).cloned().unwrap_or(LISTS[0].clone()),
            after: self.list.after(page),
            first: if self.page_size == 0 {
                QUEUE_PAGE
            } else {
                self.page_size
            },
        };
        vec![summary.silent_if(silent), queue.silent_if(silent)]
    }

    /// Shown from the first page of its list.
    pub fn open(&mut self) -> Vec<Cmd> {
        self.list.cursors.restart();
        self.load(0, false)
    }

    /// Shown again after a case: the same page, re-read.
    pub fn reread(&mut self) -> Vec<Cmd> {
        let page = self.list.page;
        self.load(page, false)
    }

    /// Whether a form takes the keys.
    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn key(&mut self, key: KeyEvent, ctx: &Ctx) -> Outcome {
        if let Some(form) = self.form.as_mut() {
            return match form.handle(&key) {
                FormEvent::Close => {
                    self.form = None;
                    Outcome::changed(true)
                }
                FormEvent::Send(cmd) => Outcome::send(vec![cmd]),
                FormEvent::Changed(changed) => Outcome::changed(changed),
            };
        }
        if let Some(nav) = self.list.navigate(&key) {
            return match nav {
                Some(page) => Outcome::send(self.load(page, false)),
                None => Outcome::changed(true),
            };
        }
        let s = self;
        match key.code {
            KeyCode::Char(c @ '1'..='5') => {
                let which = usize::from(c as u8 - b'1');
                if which == s.which {
                    return Outcome::none();
                }
                s.which = which;
                s.chosen.clear();
                s.list = CaseList::default();
                Outcome::send(s.open())
            }
            KeyCode::Enter => match s.list.rows.get(s.list.selected) {
                Some(r) => Outcome::go(Nav::Case(r.id.clone())),
                None => Outcome::none(),
            },
            KeyCode::Char(' ') => match s.list.rows.get(s.list.selected) {
                Some(r) => {
                    if let Some(i) = s.chosen.iter().position(|(id, _)| *id == r.id) {
                        s.chosen.remove(i);
                    } else {
                        s.chosen.push((r.id.clone(), r.version));
                    }
                    if s.list.selected + 1 < s.list.rows.len() {
                        s.list.selected += 1;
                    }
                    Outcome::changed(true)
                }
                None => Outcome::none(),
            },
            KeyCode::Char('a') => {
                let mut cases = s.chosen.clone();
                if cases.is_empty() {
                    match s.list.rows.get(s.list.selected) {
                        Some(r) => cases.push((r.id.clone(), r.version)),
                        None => return Outcome::none(),
                    }
                }
                let officers = ctx.officer_pairs();
                let mut form = ActionForm::new(
                    crate::actions::Kind::Assign,
                    "",
                    0,
                    &CaseContext::default(),
                    officers.as_deref(),
                    ctx.lang,
                );
                form.bulk = cases;
                s.form = Some(form);
                s.done = None;
                Outcome {
                    changed: true,
                    need_officers: true,
                    ..Outcome::default()
                }
            }
            KeyCode::Char('g') => Outcome::send(s.reread()),
            KeyCode::Char('s') => Outcome::go(Nav::Statistics),
            KeyCode::Char('q') => Outcome::go(Nav::Quality),
            _ => Outcome::none(),
        }
    }

    /// Fills the open form's officer choices.
    pub fn set_officers(&mut self, officers: &[(String, String)], my_id: Option<&str>) {
        if let Some(form) = self.form.as_mut() {
            form.set_officers(officers, my_id);
        }
    }

    /// The answer to a reassignment, if it was this view's (`None` otherwise): success closes
    /// the form and re-reads the list; a refusal keeps the form with the server's message.
    pub fn act_reply(&mut self, cmid: &str, result: Result<ActDone, ApiError>) -> Option<Outcome> {
        let form = self.form.as_mut()?;
        let error = result.as_ref().err().cloned();
        if !form.answered(cmid, error) {
            return None;
        }
        Some(match result {
            Ok(done) => {
                self.form = None;
                self.chosen.clear();
                self.done = Some(done.cases);
                let page = self.list.page;
                Outcome::send(self.load(page, false))
            }
            Err(_) => Outcome::changed(true),
        })
    }

    /// A page of the list read; a silent one changes the screen only if it differs.
    pub fn queue_reply(
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
        l.selected = l.selected.min(l.rows.len().saturating_sub(1));
        let mut out = Outcome::changed(changed);
        if l.reload.finish(silent) {
            out.cmds = self.load(page, true);
        }
        out
    }

    /// The summary read; true when it differs from what is shown.
    pub fn summary_reply(
        &mut self,
        seq: u64,
        result: Result<api::case_summary::ResponseData, ApiError>,
    ) -> bool {
        if seq != self.summary_seq {
            return false;
        }
        match result {
            Ok(d) => {
                let changed =
                    self.summary.as_ref() != Some(&d.case_summary) || self.summary_error.is_some();
                self.summary = Some(d.case_summary);
                self.summary_error = None;
                changed
            }
            Err(e) => {
                let changed = self.summary_error.as_ref() != Some(&e);
                self.summary_error = Some(e);
                changed
            }
        }
    }

    /// A live notice: any change in the unit may move the counts, so the view re-reads.
    pub fn notice(&mut self) -> Vec<Cmd> {
        if self.list.reload.start() {
            let page = self.list.page;
            self.load(page, true)
        } else {
            Vec::new()
        }
    }

    pub fn help(&self, lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        if self.form.is_some() {
            t.keys_form
        } else {
            t.keys_supervisor
        }
    }

    /// The supervisor's view: the summary, then one list.
    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let c = t;
        let s = self;
        let mut lines = Vec::new();
        if let Some(e) = &s.summary_error {
            lines.push(Line::styled(t.error(e), error()));
        }
        match &s.summary {
            None if s.summary_error.is_none() => lines.push(Line::raw(t.loading)),
            None => {}
            Some(sum) => {
                lines.push(Line::from(vec![
                    Span::styled(format!("{} {}", c.open, sum.open), bold()),
                    Span::raw(format!(
                        " · {} {} · {} {} · {} {}",
                        c.overdue,
                        sum.overdue,
                        c.priority,
                        sum.priority,
                        c.unassigned,
                        sum.unassigned
                    )),
                ]));
                lines.push(Line::raw(format!(
                    "{} {} · {} {} · {} {}",
                    c.awaiting_review,
                    sum.awaiting_review,
                    c.abandonment,
                    sum.abandonment_candidates,
                    c.appeals_near,
                    sum.appeals_near_deadline
                )));
                let aging: Vec<String> = sum
                    .aging
                    .iter()
                    .map(|a| format!("{} {}: {}", a.label, c.days, a.cases))
                    .collect();
                lines.push(Line::raw(format!("{}: {}", c.aging, aging.join(" · "))));
                let mut offices: Vec<(&str, Vec<String>)> = Vec::new();
                for row in &sum.by_office_and_status {
                    let entry = format!("{} {}", t.code(&row.status), row.cases);
                    match offices.iter_mut().find(|(o, _)| *o == row.office_name) {
                        Some((_, v)) => v.push(entry),
                        None => offices.push((&row.office_name, vec![entry])),
                    }
                }
                for (office, counts) in offices.iter().take(2) {
                    lines.push(Line::raw(format!("{office}: {}", counts.join(", "))));
                }
                let load: Vec<String> = sum
                    .workload
                    .iter()
                    .map(|w| {
                        format!(
                            "{} {}/{}/{}",
                            w.username, w.open, w.overdue, w.awaiting_review
                        )
                    })
                    .collect();
                lines.push(Line::raw(format!("{}: {}", c.workload, load.join(" · "))));
            }
        }
        lines.push(Line::default());
        let mut tabs = Vec::new();
        for (i, _) in LISTS.iter().enumerate() {
            let name = c.lists.get(i).copied().unwrap_or("");
            let text = format!("{} {name}", i + 1);
            tabs.push(if i == s.which {
                Span::styled(text, Style::new().add_modifier(Modifier::REVERSED))
            } else {
                Span::raw(text)
            });
            tabs.push(Span::raw("  "));
        }
        lines.push(Line::from(tabs));
        lines.extend(list_lines(lang, &s.list, Some(&s.chosen), area.width));
        lines.push(Line::default());
        let mut foot = footer(lang, &s.list);
        if !s.chosen.is_empty() {
            foot.push_str(&format!(" · {} {}", s.chosen.len(), c.chosen));
        }
        if let Some(n) = s.done {
            foot.push_str(&format!(" · {} {n}", c.reassigned));
        }
        lines.push(Line::raw(foot));
        let [body, hint] = split_hint(area);
        frame.render_widget(Paragraph::new(lines), body);
        frame.render_widget(Line::styled(c.supervisor_hint, dim()), hint);
        if let Some(form) = &s.form {
            action_form::draw(lang, form, frame, area);
        }
    }
}
