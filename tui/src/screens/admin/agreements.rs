//! View 5 of administration: the data sharing agreements the unit is party to (recorded by
//! its admin or by the other unit's), with their purposes, the fields each carries and their
//! validity; `n` records a new one with another unit (one purpose; the fields it carries as a
//! comma-separated list, all of them when left empty).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use amparo_domain::sharing::{FIELDS, PURPOSES};

use super::super::referrals::{field_name, purpose_name};
use super::super::simple_form::{Field, FieldKind, FormKey, SimpleForm};
use crate::api::ApiError;
use crate::i18n::pick;
use crate::i18n::{self, Lang};
use crate::msg::{AgreementRow, Cmd, SharingInput};
use crate::screens::Outcome;
use crate::widgets::{bold, dim, ellipsis, error};

#[derive(Debug, Clone, Default)]
pub struct AgreementsView {
    pub rows: Vec<AgreementRow>,
    pub chosen: usize,
    pub form: Option<SimpleForm>,
    pub error: Option<ApiError>,
}

impl AgreementsView {
    pub fn set(&mut self, rows: Vec<AgreementRow>) {
        self.rows = rows;
        self.chosen = self.chosen.min(self.rows.len().saturating_sub(1));
    }

    /// `Some(true)` when the agreement was recorded, `Some(false)` when refused (the form says
    /// why), `None` when the answer is not this view's.
    pub fn reply(&mut self, cmid: &str, result: Result<String, ApiError>) -> Option<bool> {
        let form = self.form.as_mut()?;
        if form.cmid.as_deref() != Some(cmid) {
            return None;
        }
        Some(match result {
            Ok(_) => {
                self.form = None;
                true
            }
            Err(e) => {
                form.refused(e);
                false
            }
        })
    }

    fn new_form(lang: Lang) -> SimpleForm {
        SimpleForm::new(
            pick(lang, "Nuevo acuerdo", "New agreement"),
            vec![
                Field::new(pick(lang, "Otra unidad", "Other unit"), FieldKind::Text),
                Field::new(pick(lang, "Título", "Title"), FieldKind::Text),
                Field::choice(
                    pick(lang, "Propósito", "Purpose"),
                    PURPOSES
                        .iter()
                        .map(|p| (p.to_string(), purpose_name(p, lang).to_string()))
                        .collect(),
                ),
                Field::new(pick(lang, "Campos", "Fields"), FieldKind::Optional),
                Field::new(pick(lang, "Desde", "From"), FieldKind::Date),
                Field::new(pick(lang, "Hasta", "Until"), FieldKind::Date),
            ],
        )
    }

    /// Keys of the view; `reload` is the view's read, for `g`.
    pub fn key(&mut self, key: KeyEvent, reload: Vec<Cmd>, lang: Lang) -> Outcome {
        if let Some(form) = self.form.as_mut() {
            return match form.key(key) {
                FormKey::Cancel => {
                    self.form = None;
                    Outcome::changed(true)
                }
                FormKey::Changed(c) => Outcome::changed(c),
                FormKey::Send { values, cmid } => {
                    let v = |i: usize| values.get(i).cloned().unwrap_or_default();
                    let fields: Vec<String> = v(3)
                        .split(',')
                        .map(|f| f.trim().to_string())
                        .filter(|f| !f.is_empty())
                        .collect();
                    let fields = if fields.is_empty() {
                        FIELDS.iter().map(|f| f.to_string()).collect()
                    } else {
                        fields
                    };
                    Outcome::send(vec![Cmd::Sharing {
                        cmid,
                        input: SharingInput::Agreement {
                            partner_unit_code: v(0),
                            title: v(1),
                            purpose: v(2),
                            fields,
                            valid_from: v(4),
                            valid_until: v(5),
                        },
                    }])
                }
            };
        }
        match key.code {
            KeyCode::Up => {
                self.chosen = self.chosen.saturating_sub(1);
                Outcome::changed(true)
            }
            KeyCode::Down => {
                self.chosen = (self.chosen + 1).min(self.rows.len().saturating_sub(1));
                Outcome::changed(true)
            }
            KeyCode::Char('g') => Outcome::send(reload),
            KeyCode::Char('n') => {
                self.form = Some(Self::new_form(lang));
                Outcome::changed(true)
            }
            _ => Outcome::none(),
        }
    }

    pub fn help(lang: Lang) -> &'static [i18n::KeyHelp] {
        match lang {
            Lang::Es => &[
                ("↑↓", "elegir"),
                ("n", "registrar un acuerdo"),
                ("g", "volver a leer"),
            ],
            Lang::En => &[
                ("↑↓", "choose"),
                ("n", "record an agreement"),
                ("g", "read again"),
            ],
        }
    }

    pub fn hint(lang: Lang) -> &'static str {
        pick(
            lang,
            " n nuevo acuerdo · ↑↓ elegir · g vuelve a leer",
            " n new agreement · ↑↓ choose · g read again",
        )
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let width = usize::from(area.width);
        let mut lines = vec![Line::styled(
            pick(
                lang,
                "Acuerdos de intercambio de datos",
                "Data sharing agreements",
            ),
            bold(),
        )];
        if let Some(e) = &self.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        }
        if self.rows.is_empty() {
            lines.push(Line::styled(
                pick(lang, "  Ningún acuerdo.", "  No agreement."),
                dim(),
            ));
        }
        for (i, a) in self.rows.iter().enumerate() {
            let text = format!(
                "{}{} · {} · {} – {}{}",
                if i == self.chosen { "> " } else { "  " },
                a.with_unit,
                a.title,
                a.valid_from,
                a.valid_until,
                if a.in_force {
                    pick(lang, " (vigente)", " (in force)")
                } else {
                    pick(lang, " (no vigente)", " (not in force)")
                }
            );
            lines.push(if i == self.chosen {
                Line::styled(ellipsis(&text, width), bold())
            } else {
                Line::raw(ellipsis(&text, width))
            });
        }
        if let Some(a) = self.rows.get(self.chosen) {
            lines.push(Line::raw(""));
            lines.push(Line::raw(format!(
                "{}: {}",
                pick(lang, "Registrado por", "Recorded by"),
                a.recorded_by_unit
            )));
            for p in &a.purposes {
                let fields: Vec<&str> = p.fields.iter().map(|f| field_name(f, lang)).collect();
                lines.push(Line::raw(ellipsis(
                    &format!(
                        "  {}: {}",
                        purpose_name(&p.purpose, lang),
                        fields.join(", ")
                    ),
                    width,
                )));
            }
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}
