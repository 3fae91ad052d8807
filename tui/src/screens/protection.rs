//! Protection follow-ups (F8, the home of protection staff in units that run the protection
//! module): the cases with a follow-up due today or earlier, most overdue first; `l` switches
//! to the open cases and to the closed ones. Enter opens a case.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Nav, Outcome};
use crate::api::ApiError;
use crate::api::protection_cases::ProtectionCaseList;
use crate::i18n::{self, KeyHelp, Lang};
use crate::msg::{Cmd, ProtectionRow};
use crate::widgets::{bold, cell, dim, ellipsis, error, split_hint};

/// The lists `l` goes through, the protection officers' work first.
pub const LISTS: [ProtectionCaseList; 3] = [
    ProtectionCaseList::FOLLOW_UPS_DUE,
    ProtectionCaseList::OPEN,
    ProtectionCaseList::CLOSED,
];

/// Words in both languages.
pub fn pick(lang: Lang, es: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Es => es,
        Lang::En => en,
    }
}

/// The name of a list, as the title and the help show it.
fn list_name(i: usize, lang: Lang) -> &'static str {
    match i {
        0 => pick(lang, "Seguimientos pendientes", "Follow-ups due"),
        1 => pick(lang, "Casos abiertos", "Open cases"),
        _ => pick(lang, "Casos cerrados", "Closed cases"),
    }
}

/// The name of a risk level.
pub fn risk_name(risk: &str, lang: Lang) -> &'static str {
    match risk {
        "LOW" => pick(lang, "bajo", "low"),
        "MEDIUM" => pick(lang, "medio", "medium"),
        "HIGH" => pick(lang, "ALTO", "HIGH"),
        "CRITICAL" => pick(lang, "CRÍTICO", "CRITICAL"),
        _ => "?",
    }
}

/// The list of protection cases.
#[derive(Debug, Clone, Default)]
pub struct ProtectionState {
    /// Index into [`LISTS`].
    pub list: usize,
    pub rows: Vec<ProtectionRow>,
    pub selected: usize,
    /// Answers to older reads are dropped.
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
}

impl ProtectionState {
    /// Shown as a home: reads the list shown.
    pub fn open(&mut self) -> Vec<Cmd> {
        vec![self.load()]
    }

    /// Reads the list again, e.g. when coming back from a case just acted on.
    pub fn reread(&mut self) -> Vec<Cmd> {
        vec![self.load()]
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        Cmd::ProtectionCases {
            seq: self.seq,
            list: LISTS[self.list.min(LISTS.len() - 1)].clone(),
        }
    }

    pub fn reply(&mut self, seq: u64, result: Result<Vec<ProtectionRow>, ApiError>) {
        if seq != self.seq {
            return;
        }
        self.loading = false;
        match result {
            Ok(rows) => {
                self.rows = rows;
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Char('l') => {
                self.list = (self.list + 1) % LISTS.len();
                self.selected = 0;
                self.rows.clear();
                Outcome::send(vec![self.load()])
            }
            KeyCode::Char('g') => Outcome::send(vec![self.load()]),
            KeyCode::Down if self.selected + 1 < self.rows.len() => {
                self.selected += 1;
                Outcome::changed(true)
            }
            KeyCode::Up if self.selected > 0 => {
                self.selected -= 1;
                Outcome::changed(true)
            }
            KeyCode::Enter => match self.rows.get(self.selected) {
                Some(r) => Outcome::go(Nav::ProtectionCase(r.id.clone())),
                None => Outcome::none(),
            },
            _ => Outcome::none(),
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        match lang {
            Lang::Es => &[
                ("l", "seguimientos / abiertos / cerrados"),
                ("↑↓ Enter", "elegir y abrir un caso"),
                ("g", "volver a leer"),
            ],
            Lang::En => &[
                ("l", "follow-ups due / open / closed"),
                ("↑↓ Enter", "choose and open a case"),
                ("g", "read again"),
            ],
        }
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let [body, hint] = split_hint(area);
        let mut lines = vec![
            Line::from(vec![
                Span::styled(list_name(self.list, lang), bold()),
                Span::styled(
                    pick(lang, "  (l cambia la lista)", "  (l switches the list)"),
                    dim(),
                ),
            ]),
            Line::styled(
                format!(
                    "  {}{}{}{}{}",
                    cell(pick(lang, "Caso", "Case"), 17),
                    cell(pick(lang, "Riesgo", "Risk"), 9),
                    cell(pick(lang, "Categ.", "Categ."), 7),
                    cell(pick(lang, "Seguim.", "Follow-up"), 11),
                    pick(lang, "Persona", "Person"),
                ),
                dim(),
            ),
        ];
        if let Some(e) = &self.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        } else if self.rows.is_empty() && !self.loading {
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
        let first = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, r) in self.rows.iter().enumerate().skip(first).take(room) {
            let person = r
                .members
                .iter()
                .find(|m| m.principal)
                .map(|m| {
                    let name = m
                        .individual
                        .as_ref()
                        .map_or("—", |x| x.full_name.as_str())
                        .to_string();
                    if r.members.iter().any(|m| m.child) {
                        format!("{name} [{}]", pick(lang, "NNA", "CHILD"))
                    } else {
                        name
                    }
                })
                .unwrap_or_default();
            let risk = format!("{:?}", r.risk_level);
            let text = format!(
                "{}{}{}{}{}{}",
                if i == self.selected { "> " } else { "  " },
                cell(&r.case_number, 17),
                cell(risk_name(&risk, lang), 9),
                cell(r.category.as_deref().unwrap_or("***"), 7),
                cell(r.next_follow_up.as_deref().unwrap_or("—"), 11),
                ellipsis(&person, usize::from(body.width).saturating_sub(46)),
            );
            lines.push(if i == self.selected {
                Line::styled(text, bold())
            } else {
                Line::raw(text)
            });
        }
        frame.render_widget(Paragraph::new(lines), body);
        frame.render_widget(
            Line::styled(
                pick(
                    lang,
                    " Enter abre · l lista · g vuelve a leer · ? ayuda",
                    " Enter opens · l list · g read again · ? help",
                ),
                dim(),
            ),
            hint,
        );
    }
}
