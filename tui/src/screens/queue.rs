//! A queue of cases of a guarded procedure other than RSD (protection, resettlement): the
//! lists `l` goes through, a page of one of them in the paged list (↑↓ n p g), Enter opens the
//! case chosen. What differs between procedures (their lists, columns, request and case
//! screen) is their [`Queue`]; the screen is the same.

use std::marker::PhantomData;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Nav, Outcome};
use crate::api::ApiError;
use crate::i18n::pick;
use crate::i18n::{self, KeyHelp, Lang};
use crate::msg::Cmd;
use crate::widgets::{ListKey, Page, PageRequest, PagedList, bold, cell, dim, error, split_hint};

/// What one procedure's queue is made of.
pub trait Queue {
    type Row: std::fmt::Debug + Clone;
    /// The API's name of a list.
    type List: Clone + 'static;
    /// The lists `l` goes through, the first shown first, each with its name in Spanish and
    /// English.
    const LISTS: &'static [(Self::List, &'static str, &'static str)];
    /// The read of a page of `list`.
    fn load(list: Self::List, page: PageRequest) -> Cmd;
    /// Where Enter on a row goes.
    fn open(row: &Self::Row) -> Nav;
    /// The columns' titles in Spanish and English, with the widths [`Queue::line`] uses (the
    /// last column takes the rest of the line).
    const COLUMNS: &'static [(&'static str, &'static str, usize)];
    /// A row's line, `width` wide (without the mark of the row chosen), and whether it is
    /// overdue.
    fn line(row: &Self::Row, lang: Lang, width: usize) -> (String, bool);
    /// The screen's own keys in the help, besides those of the list.
    fn help(lang: Lang) -> &'static [KeyHelp];
    /// The hint on the last line.
    fn hint(lang: Lang) -> &'static str;
}

/// The queue screen of procedure `Q`.
#[derive(Debug, Clone)]
pub struct QueueState<Q: Queue> {
    /// Which of the `Q::LISTS` lists is shown.
    pub list: usize,
    pub cases: PagedList<Q::Row>,
    procedure: PhantomData<Q>,
}

impl<Q: Queue> Default for QueueState<Q> {
    fn default() -> Self {
        Self {
            list: 0,
            cases: PagedList::default(),
            procedure: PhantomData,
        }
    }
}

impl<Q: Queue> QueueState<Q> {
    /// The read of a page of the list shown.
    fn load(&self, page: PageRequest) -> Cmd {
        let (list, ..) = &Q::LISTS[self.list.min(Q::LISTS.len() - 1)];
        Q::load(list.clone(), page)
    }

    /// The name of the list shown.
    fn list_name(&self, lang: Lang) -> &'static str {
        let &(_, es, en) = &Q::LISTS[self.list.min(Q::LISTS.len() - 1)];
        pick(lang, es, en)
    }

    /// Shown as a home: reads the first page of the list shown.
    pub fn open(&mut self) -> Vec<Cmd> {
        let page = self.cases.request(0);
        vec![self.load(page)]
    }

    /// Reads the page shown again, e.g. when coming back from a case just acted on.
    pub fn reread(&mut self) -> Vec<Cmd> {
        let page = self.cases.reread();
        vec![self.load(page)]
    }

    pub fn reply(&mut self, seq: u64, page: usize, result: Result<Page<Q::Row>, ApiError>) {
        self.cases.answer(seq, page, result);
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Char('l') => {
                self.list = (self.list + 1) % Q::LISTS.len();
                let page = self.cases.restart();
                Outcome::send(vec![self.load(page)])
            }
            KeyCode::Enter => match self.cases.current() {
                Some(r) => Outcome::go(Q::open(r)),
                None => Outcome::none(),
            },
            code => match self.cases.key(code) {
                ListKey::Ignored => Outcome::none(),
                ListKey::Moved => Outcome::changed(true),
                ListKey::Load(page) => Outcome::send(vec![self.load(page)]),
            },
        }
    }

    /// The screen's keys and those of the list.
    pub fn help(lang: Lang) -> Vec<(String, String)> {
        let list: &[KeyHelp] = match lang {
            Lang::Es => &[
                ("↑↓ Enter", "elegir y abrir un caso"),
                ("n p", "página siguiente / anterior"),
                ("g", "volver a leer"),
            ],
            Lang::En => &[
                ("↑↓ Enter", "choose and open a case"),
                ("n p", "next / previous page"),
                ("g", "read again"),
            ],
        };
        Q::help(lang)
            .iter()
            .chain(list)
            .map(|(k, d)| (k.to_string(), d.to_string()))
            .collect()
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let [body, hint] = split_hint(area);
        let width = usize::from(body.width);
        let mut title = vec![
            Span::styled(self.list_name(lang), bold()),
            Span::styled(
                pick(lang, "  (l cambia la lista)", "  (l switches the list)"),
                dim(),
            ),
        ];
        if self.cases.page > 0 || self.cases.has_next {
            title.push(Span::styled(
                format!(
                    "  {} {}{}",
                    pick(lang, "pág.", "page"),
                    self.cases.page + 1,
                    if self.cases.has_next { " n→" } else { "" }
                ),
                dim(),
            ));
        }
        let mut lines = vec![
            Line::from(title),
            Line::styled(format!("  {}", header::<Q>(lang)), dim()),
        ];
        if let Some(e) = &self.cases.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        } else if self.cases.rows.is_empty() && !self.cases.loading {
            lines.push(Line::styled(
                pick(
                    lang,
                    "  Ningún caso en esta lista.",
                    "  No case in this list.",
                ),
                dim(),
            ));
        }
        let room = usize::from(body.height).saturating_sub(lines.len());
        for (chosen, r) in self.cases.window(room) {
            let (text, overdue) = Q::line(r, lang, width.saturating_sub(2));
            let text = format!("{}{text}", if chosen { "> " } else { "  " });
            lines.push(if chosen {
                Line::styled(text, bold())
            } else if overdue {
                Line::styled(text, error())
            } else {
                Line::raw(text)
            });
        }
        frame.render_widget(Paragraph::new(lines), body);
        frame.render_widget(Line::styled(Q::hint(lang), dim()), hint);
    }
}

/// The columns' titles of `Q`'s rows.
fn header<Q: Queue>(lang: Lang) -> String {
    let last = Q::COLUMNS.len().saturating_sub(1);
    Q::COLUMNS
        .iter()
        .enumerate()
        .map(|(i, &(es, en, width))| {
            if i == last {
                pick(lang, es, en).to_string()
            } else {
                cell(pick(lang, es, en), width)
            }
        })
        .collect()
}
