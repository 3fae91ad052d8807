//! One distribution list: the households planned at the site, each with its focal point, its
//! members, what it is entitled to and whether it was served (where and when). Enter on a
//! household not yet served opens the recipient's check: the focal point's document number is
//! typed, and Enter sends `recordDistribution` (the server compares it with the documents
//! registered to them). The `clientMutationId` is kept until the number changes, so a retry
//! after a timeout records once; a refusal (another site served the household a moment ago,
//! a number that matches no document) keeps the form and says why.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::distributions::amount;
use super::protection::pick;
use super::{Nav, Outcome, Screen};
use crate::api::ApiError;
use crate::i18n::{self, KeyHelp, Lang};
use crate::msg::{Cmd, ListData};
use crate::widgets::{
    TextInput, bold, cell, dim, ellipsis, error, local_time, split_hint, submit_key,
};

/// The recipient's check before a distribution is recorded.
#[derive(Debug, Clone, Default)]
pub struct VerifyForm {
    /// Index of the household in the list.
    pub entry: usize,
    pub document: TextInput,
    /// Made when first sent, kept until the number changes.
    pub cmid: Option<String>,
    pub sending: bool,
    /// A send was tried with nothing typed.
    pub empty: bool,
    pub error: Option<ApiError>,
}

/// One distribution list.
#[derive(Debug, Clone, Default)]
pub struct DistributionListState {
    pub id: String,
    pub data: Option<ListData>,
    pub selected: usize,
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
    pub form: Option<VerifyForm>,
    /// The household just served, said once above the list.
    pub served: Option<String>,
}

impl DistributionListState {
    /// Opens the list with this id.
    pub fn open(&mut self, id: String) -> Vec<Cmd> {
        *self = Self {
            id,
            seq: self.seq,
            ..Self::default()
        };
        vec![self.load()]
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        Cmd::DistributionList {
            seq: self.seq,
            id: self.id.clone(),
        }
    }

    /// Whether printable keys are typed into the form.
    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn reply(&mut self, seq: u64, result: Result<Box<ListData>, ApiError>) {
        if seq != self.seq {
            return;
        }
        self.loading = false;
        match result {
            Ok(d) => {
                self.selected = self.selected.min(d.entries.len().saturating_sub(1));
                self.data = Some(*d);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// The answer to `recordDistribution`; None when it is not this form's.
    pub fn distributed_reply(
        &mut self,
        cmid: &str,
        result: Result<String, ApiError>,
    ) -> Option<Outcome> {
        let form = self.form.as_mut()?;
        if form.cmid.as_deref() != Some(cmid) {
            return None;
        }
        form.sending = false;
        match result {
            Ok(_) => {
                let entry = form.entry;
                self.form = None;
                self.served = self
                    .data
                    .as_ref()
                    .and_then(|d| d.entries.get(entry))
                    .map(|e| e.group_number.clone());
                Some(Outcome::send(vec![self.load()]))
            }
            Err(e) => {
                form.error = Some(e);
                Some(Outcome::changed(true))
            }
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        if self.form.is_some() {
            return self.form_key(key);
        }
        let count = self.data.as_ref().map_or(0, |d| d.entries.len());
        match key.code {
            KeyCode::Esc => Outcome::go(Nav::Back {
                fallback: Screen::Distributions,
                reread: true,
            }),
            KeyCode::Char('g') => Outcome::send(vec![self.load()]),
            KeyCode::Down if self.selected + 1 < count => {
                self.selected += 1;
                Outcome::changed(true)
            }
            KeyCode::Up if self.selected > 0 => {
                self.selected -= 1;
                Outcome::changed(true)
            }
            KeyCode::Enter => {
                let open = self
                    .data
                    .as_ref()
                    .and_then(|d| d.entries.get(self.selected))
                    .is_some_and(|e| e.distribution.is_none() && e.focal_point_id.is_some());
                if open {
                    self.served = None;
                    self.form = Some(VerifyForm {
                        entry: self.selected,
                        ..VerifyForm::default()
                    });
                    Outcome::changed(true)
                } else {
                    Outcome::none()
                }
            }
            _ => Outcome::none(),
        }
    }

    fn form_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(form) = self.form.as_mut() else {
            return Outcome::none();
        };
        if key.code == KeyCode::Esc {
            self.form = None;
            return Outcome::changed(true);
        }
        if key.code == KeyCode::Enter || submit_key(&key) {
            if form.sending {
                return Outcome::none();
            }
            if form.document.value.trim().is_empty() {
                form.empty = true;
                return Outcome::changed(true);
            }
            let Some((list_id, entry)) = self
                .data
                .as_ref()
                .and_then(|d| d.entries.get(form.entry).map(|e| (d.id.clone(), e.clone())))
            else {
                return Outcome::none();
            };
            let Some(recipient_id) = entry.focal_point_id else {
                return Outcome::none();
            };
            let cmid = form
                .cmid
                .get_or_insert_with(|| uuid::Uuid::now_v7().to_string())
                .clone();
            form.sending = true;
            form.error = None;
            return Outcome::send(vec![Cmd::Distribute {
                cmid,
                list_id,
                group_id: entry.group_id,
                recipient_id,
                document_number: form.document.value.trim().to_string(),
            }]);
        }
        if !form.sending && form.document.edit(&key) {
            form.cmid = None;
            form.empty = false;
            form.error = None;
            return Outcome::changed(true);
        }
        Outcome::none()
    }

    pub fn help(&self, lang: Lang) -> &'static [KeyHelp] {
        match (lang, self.form.is_some()) {
            (Lang::Es, false) => &[
                ("↑↓", "elegir un hogar"),
                ("Enter", "verificar y registrar la entrega"),
                ("g", "volver a leer"),
                ("Esc", "volver"),
            ],
            (Lang::En, false) => &[
                ("↑↓", "choose a household"),
                ("Enter", "verify and record the distribution"),
                ("g", "read again"),
                ("Esc", "back"),
            ],
            (Lang::Es, true) => &[
                ("Enter Ctrl-S", "registrar la entrega"),
                ("Esc", "cancelar"),
            ],
            (Lang::En, true) => &[
                ("Enter Ctrl-S", "record the distribution"),
                ("Esc", "cancel"),
            ],
        }
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let [body, hint] = split_hint(area);
        let mut lines = Vec::new();
        match &self.data {
            Some(d) => {
                lines.push(Line::from(vec![
                    Span::styled(format!("{} · {}", d.site, d.date), bold()),
                    Span::raw(format!(
                        " · {} · {} {}",
                        d.programme.name,
                        pick(lang, "ciclo", "cycle"),
                        d.cycle
                    )),
                ]));
            }
            None => lines.push(Line::styled(
                pick(lang, "Lista de distribución", "Distribution list"),
                bold(),
            )),
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        }
        if let Some(g) = &self.served {
            lines.push(Line::styled(
                format!(
                    "{} {g}",
                    pick(
                        lang,
                        "Entrega registrada: hogar",
                        "Distribution recorded: household"
                    )
                ),
                bold(),
            ));
        }
        lines.push(Line::styled(
            format!(
                "  {}{}{}{}{}",
                cell(pick(lang, "Hogar", "Household"), 16),
                cell(pick(lang, "Punto focal", "Focal point"), 24),
                cell(pick(lang, "Pers.", "Size"), 6),
                cell(pick(lang, "Monto", "Amount"), 8),
                pick(lang, "Entrega", "Served"),
            ),
            dim(),
        ));
        let entries = self.data.as_ref().map_or(&[][..], |d| &d.entries[..]);
        if entries.is_empty() && self.data.is_some() {
            lines.push(Line::styled(
                pick(
                    lang,
                    "  Ningún hogar en la lista.",
                    "  No household on the list.",
                ),
                dim(),
            ));
        }
        let unit = self
            .data
            .as_ref()
            .map_or(String::new(), |d| d.programme.amount_unit.clone());
        let room = usize::from(body.height).saturating_sub(lines.len());
        let first = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, e) in entries.iter().enumerate().skip(first).take(room) {
            let served = match &e.distribution {
                Some(d) => {
                    // The list is of one day: the time says enough.
                    let at = local_time(&d.distributed_at);
                    format!("✓ {} {}", at.get(11..).unwrap_or(&at), d.site)
                }
                None => pick(lang, "pendiente", "pending").to_string(),
            };
            let text = format!(
                "{}{}{}{}{}{}",
                if i == self.selected { "> " } else { "  " },
                cell(&e.group_number, 16),
                cell(
                    &ellipsis(e.focal_point_name.as_deref().unwrap_or("—"), 23),
                    24
                ),
                cell(&e.members.to_string(), 6),
                cell(&ellipsis(&format!("{} {unit}", amount(e.amount)), 7), 8),
                ellipsis(&served, usize::from(body.width).saturating_sub(56)),
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
                    " Enter verifica y entrega · g vuelve a leer · Esc vuelve · ? ayuda",
                    " Enter verifies and records · g read again · Esc back · ? help",
                ),
                dim(),
            ),
            hint,
        );
        if let Some(form) = &self.form {
            self.draw_form(form, lang, frame, body);
        }
    }

    fn draw_form(&self, form: &VerifyForm, lang: Lang, frame: &mut Frame, body: Rect) {
        let Some(entry) = self.data.as_ref().and_then(|d| d.entries.get(form.entry)) else {
            return;
        };
        let unit = self
            .data
            .as_ref()
            .map_or(String::new(), |d| d.programme.amount_unit.clone());
        let mut lines = vec![
            Line::raw(format!(
                "{}: {} · {} {unit}",
                pick(lang, "Hogar", "Household"),
                entry.group_number,
                amount(entry.amount)
            )),
            Line::raw(format!(
                "{}: {}",
                pick(lang, "Recibe", "Recipient"),
                entry.focal_point_name.as_deref().unwrap_or("—")
            )),
            Line::from(vec![
                Span::raw(format!(
                    "{}: ",
                    pick(lang, "N.º de documento", "Document number")
                )),
                Span::styled(format!("{}_", form.document.value), bold()),
            ]),
        ];
        if form.empty {
            lines.push(Line::styled(
                pick(
                    lang,
                    "Escriba el número del documento que presenta la persona.",
                    "Type the number of the document the person shows.",
                ),
                error(),
            ));
        }
        if let Some(e) = &form.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        }
        if form.sending {
            lines.push(Line::styled(pick(lang, "Enviando…", "Sending…"), dim()));
        }
        lines.push(Line::styled(
            pick(
                lang,
                "Enter registra · Esc cancela",
                "Enter records · Esc cancels",
            ),
            dim(),
        ));
        let height = (lines.len() as u16 + 2).min(body.height);
        let area = Rect {
            x: body.x,
            y: body.y + body.height.saturating_sub(height),
            width: body.width,
            height,
        };
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(
                    " {} ",
                    pick(lang, "Verificar y entregar", "Verify and distribute")
                ))),
            area,
        );
    }
}
