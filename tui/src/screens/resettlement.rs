//! Resettlement steps pending (F4, the home of resettlement staff in units that run the
//! resettlement module): every case not ended, the earliest deadline first, with its step,
//! priority, categories (`***` when withheld from the role), deadline (`OVERDUE` once passed)
//! and principal; `l` switches to the overdue and to the ended cases. Enter opens a case.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::protection::pick;
use super::{Nav, Outcome};
use crate::api::ApiError;
use crate::api::resettlement_cases::{ResettlementCaseList, ResettlementStatus};
use crate::i18n::{self, KeyHelp, Lang};
use crate::msg::{Cmd, ResettlementRow};
use crate::widgets::{bold, cell, dim, ellipsis, error, split_hint};

/// The lists `l` goes through, the steps pending first.
pub const LISTS: [ResettlementCaseList; 3] = [
    ResettlementCaseList::PENDING,
    ResettlementCaseList::OVERDUE,
    ResettlementCaseList::ENDED,
];

fn list_name(i: usize, lang: Lang) -> &'static str {
    match i {
        0 => pick(
            lang,
            "Pasos pendientes de reasentamiento",
            "Resettlement steps pending",
        ),
        1 => pick(lang, "Pasos vencidos", "Overdue steps"),
        _ => pick(lang, "Casos terminados", "Ended cases"),
    }
}

/// A step's name, from its wire name (IDENTIFIED, ASSESSED, ...).
pub fn step_name(status: &str, lang: Lang) -> &'static str {
    match status {
        "IDENTIFIED" => pick(lang, "por evaluar", "to assess"),
        "ASSESSED" => pick(lang, "por revisar", "to review"),
        "APPROVED" => pick(lang, "por presentar", "to submit"),
        "SUBMITTED" => pick(lang, "presentado", "submitted"),
        "INTERVIEWED" => pick(lang, "entrevistado", "interviewed"),
        "ACCEPTED" => pick(lang, "aceptado", "accepted"),
        "REJECTED" => pick(lang, "rechazado", "rejected"),
        "DEPARTED" => pick(lang, "partió", "departed"),
        "EXITED" => pick(lang, "salió", "exited"),
        _ => "?",
    }
}

/// A priority's name, from its wire name.
pub fn priority_name(p: &str, lang: Lang) -> &'static str {
    match p {
        "URGENT" => pick(lang, "URGENTE", "URGENT"),
        "EMERGENCY" => pick(lang, "EMERGENCIA", "EMERGENCY"),
        _ => pick(lang, "normal", "normal"),
    }
}

fn wire(s: &ResettlementStatus) -> String {
    format!("{s:?}")
}

/// The list of resettlement cases.
#[derive(Debug, Clone, Default)]
pub struct ResettlementState {
    /// Index into [`LISTS`].
    pub list: usize,
    pub rows: Vec<ResettlementRow>,
    pub selected: usize,
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
}

impl ResettlementState {
    pub fn open(&mut self) -> Vec<Cmd> {
        vec![self.load()]
    }

    pub fn reread(&mut self) -> Vec<Cmd> {
        vec![self.load()]
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        Cmd::ResettlementCases {
            seq: self.seq,
            list: LISTS[self.list.min(LISTS.len() - 1)].clone(),
        }
    }

    pub fn reply(&mut self, seq: u64, result: Result<Vec<ResettlementRow>, ApiError>) {
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
                Some(r) => Outcome::go(Nav::ResettlementCase(r.id.clone())),
                None => Outcome::none(),
            },
            _ => Outcome::none(),
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        match lang {
            Lang::Es => &[
                ("l", "pendientes / vencidos / terminados"),
                ("↑↓ Enter", "elegir y abrir un caso"),
                ("g", "volver a leer"),
            ],
            Lang::En => &[
                ("l", "pending / overdue / ended"),
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
                    "  {}{}{}{}{}{}",
                    cell(pick(lang, "Caso", "Case"), 17),
                    cell(pick(lang, "Paso", "Step"), 14),
                    cell(pick(lang, "Prioridad", "Priority"), 11),
                    cell(pick(lang, "Categ.", "Categ."), 8),
                    cell(pick(lang, "Vence", "Due"), 12),
                    pick(lang, "Principal", "Principal"),
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
                .and_then(|m| m.individual.as_ref())
                .map_or("—", |x| x.full_name.as_str());
            let overdue = r.overdue;
            let due = match &r.due_on {
                Some(d) if overdue => format!("{d}!"),
                Some(d) => d.clone(),
                None => "—".into(),
            };
            let cats = if r.restricted {
                "***".to_string()
            } else {
                r.categories.join(",")
            };
            let text = format!(
                "{}{}{}{}{}{}{}",
                if i == self.selected { "> " } else { "  " },
                cell(&r.case_number, 17),
                cell(step_name(&wire(&r.status), lang), 14),
                cell(priority_name(&format!("{:?}", r.priority), lang), 11),
                cell(&cats, 8),
                cell(&due, 12),
                ellipsis(person, usize::from(body.width).saturating_sub(64)),
            );
            lines.push(if i == self.selected {
                Line::styled(text, bold())
            } else if overdue {
                Line::styled(text, error())
            } else {
                Line::raw(text)
            });
        }
        frame.render_widget(Paragraph::new(lines), body);
        frame.render_widget(
            Line::styled(
                pick(
                    lang,
                    " Enter abre · l lista · g vuelve a leer · ! vencido · ? ayuda",
                    " Enter opens · l list · g read again · ! overdue · ? help",
                ),
                dim(),
            ),
            hint,
        );
    }
}
