//! A popup form of labelled fields (text, optional text, date, choice), for the resettlement
//! and referral screens: Tab/↑↓ move, ←→ or Space change an option, Enter on the last field or
//! Ctrl-S sends, Esc cancels. It checks required fields and dates before sending and keeps its
//! `clientMutationId` until the form changes, so a retry acts only once.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::api::ApiError;
use crate::i18n::pick;
use crate::i18n::{self, Lang};
use crate::widgets::{TextInput, bold, dim, ellipsis, error, focused, submit_key};

/// What a field takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Optional text.
    Optional,
    /// `YYYY-MM-DD`.
    Date,
    /// `(value, label)`; ←→ or Space choose.
    Choice(Vec<(String, String)>),
}

/// One line of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub kind: FieldKind,
    pub text: TextInput,
    pub idx: usize,
}

impl Field {
    pub fn new(label: &'static str, kind: FieldKind) -> Self {
        Self {
            label,
            kind,
            text: TextInput::default(),
            idx: 0,
        }
    }

    pub fn choice(label: &'static str, options: Vec<(String, String)>) -> Self {
        Self::new(label, FieldKind::Choice(options))
    }

    /// What is sent.
    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Choice(o) => o.get(self.idx).map(|x| x.0.clone()).unwrap_or_default(),
            _ => self.text.value.trim().to_string(),
        }
    }

    /// Why the value cannot be sent, in `lang`.
    pub fn problem(&self, lang: Lang) -> Option<&'static str> {
        let v = self.value();
        match &self.kind {
            FieldKind::Optional => None,
            _ if v.is_empty() => Some(pick(lang, "obligatorio", "required")),
            FieldKind::Date if NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_err() => {
                Some(pick(lang, "fecha AAAA-MM-DD", "date YYYY-MM-DD"))
            }
            _ => None,
        }
    }
}

/// An enum of the API from its wire name: a choice offers only the API's own values, and the
/// generated enums keep any other as `Other`.
pub fn wire<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

/// An open form.
#[derive(Debug, Clone)]
pub struct SimpleForm {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub tried: bool,
    /// Kept until the server answers or the form changes.
    pub cmid: Option<String>,
    pub sending: bool,
    pub error: Option<ApiError>,
}

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKey {
    /// Esc: the caller closes it.
    Cancel,
    /// Everything checks: send these values under this `clientMutationId`.
    Send { values: Vec<String>, cmid: String },
    /// Whether what is shown changed.
    Changed(bool),
}

impl SimpleForm {
    pub fn new(title: impl Into<String>, fields: Vec<Field>) -> Self {
        Self {
            title: title.into(),
            fields,
            focus: 0,
            tried: false,
            cmid: None,
            sending: false,
            error: None,
        }
    }

    /// Sets the text of field `i` (a default the user may change).
    pub fn with_text(mut self, i: usize, value: &str) -> Self {
        if let Some(f) = self.fields.get_mut(i) {
            f.text.value = value.to_string();
        }
        self
    }

    pub fn key(&mut self, key: KeyEvent) -> FormKey {
        if key.code == KeyCode::Esc {
            return FormKey::Cancel;
        }
        let last = self.fields.len().saturating_sub(1);
        if submit_key(&key) || (key.code == KeyCode::Enter && self.focus == last) {
            self.tried = true;
            if self.sending || self.fields.iter().any(|f| f.problem(Lang::En).is_some()) {
                return FormKey::Changed(true);
            }
            let cmid = self
                .cmid
                .get_or_insert_with(|| uuid::Uuid::now_v7().to_string())
                .clone();
            self.sending = true;
            self.error = None;
            return FormKey::Send {
                values: self.fields.iter().map(Field::value).collect(),
                cmid,
            };
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormKey::Changed(false);
        };
        let changed = match (key.code, &field.kind) {
            (KeyCode::Tab | KeyCode::Down | KeyCode::Enter, _) => {
                self.focus = (self.focus + 1).min(last);
                return FormKey::Changed(true);
            }
            (KeyCode::BackTab | KeyCode::Up, _) => {
                self.focus = self.focus.saturating_sub(1);
                return FormKey::Changed(true);
            }
            (KeyCode::Right | KeyCode::Char(' '), FieldKind::Choice(o)) if !o.is_empty() => {
                field.idx = (field.idx + 1) % o.len();
                true
            }
            (KeyCode::Left, FieldKind::Choice(o)) if !o.is_empty() => {
                field.idx = (field.idx + o.len() - 1) % o.len();
                true
            }
            (_, FieldKind::Choice(_)) => false,
            _ => field.text.edit(&key),
        };
        if changed {
            self.cmid = None;
            self.error = None;
        }
        FormKey::Changed(changed)
    }

    /// The server refused: the form stays with the reason; a conflict makes the next send a
    /// new request.
    pub fn refused(&mut self, e: ApiError) {
        self.sending = false;
        if matches!(e, ApiError::Conflict(_)) {
            self.cmid = None;
        }
        self.error = Some(e);
    }

    pub fn help(lang: Lang) -> Vec<(String, String)> {
        [
            ("Tab ↑↓", pick(lang, "campo", "field")),
            ("←→ Espacio", pick(lang, "elegir opción", "choose option")),
            ("Enter Ctrl-S", pick(lang, "enviar", "send")),
            ("Esc", pick(lang, "cancelar", "cancel")),
        ]
        .into_iter()
        .map(|(k, d)| (k.to_string(), d.to_string()))
        .collect()
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let width = 70.min(area.width);
        let inner = usize::from(width.saturating_sub(2));
        let mut lines = Vec::new();
        for (i, f) in self.fields.iter().enumerate() {
            let value = match &f.kind {
                FieldKind::Choice(o) if o.is_empty() => {
                    pick(lang, "(ninguna)", "(none)").to_string()
                }
                FieldKind::Choice(o) => {
                    format!("◂ {} ▸", o.get(f.idx).map_or("", |x| x.1.as_str()))
                }
                _ if i == self.focus => format!("{}_", f.text.value),
                _ => f.text.value.clone(),
            };
            let style = if i == self.focus {
                focused()
            } else {
                Style::default()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<16}", f.label), bold()),
                Span::styled(ellipsis(&value, inner.saturating_sub(17)), style),
            ]));
            if self.tried
                && let Some(p) = f.problem(lang)
            {
                lines.push(Line::styled(format!("{:<16}{p}", ""), error()));
            }
        }
        if let Some(e) = &self.error {
            // The reason in full, over as many lines as it takes.
            let text = i18n::text(lang).error(e);
            let mut line = String::new();
            for word in text.split(' ') {
                if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > inner {
                    lines.push(Line::styled(std::mem::take(&mut line), error()));
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
            lines.push(Line::styled(line, error()));
        }
        lines.push(Line::styled(
            if self.sending {
                pick(lang, "Enviando…", "Sending…")
            } else {
                pick(
                    lang,
                    "Enter/Ctrl-S envía · Tab campo · ←→ opción · Esc cancela",
                    "Enter/Ctrl-S sends · Tab field · ←→ option · Esc cancels",
                )
            },
            dim(),
        ));
        let height = (u16::try_from(lines.len()).unwrap_or(10) + 2).min(area.height);
        let popup = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + (area.height.saturating_sub(height)) / 2,
            width,
            height,
        };
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines).block(Block::bordered().title(format!(" {} ", self.title))),
            popup,
        );
    }
}
