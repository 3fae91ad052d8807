//! The reason form behind `s` and `d` on a review: the reason is required, and the
//! `clientMutationId` made when the form opens is kept across retries.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::reviews::decision_name;
use super::reviews::texts;
use crate::api::ApiError;
use crate::i18n::Lang;
use crate::msg::{Cmd, Decision};
use crate::widgets::{TextInput, bold, dim, error, submit_key};

/// What a key did to the form.
#[derive(Debug)]
pub enum FormEvent {
    Close,
    Send(Cmd),
    Changed(bool),
}

#[derive(Debug, Clone)]
pub struct DecideForm {
    pub decision: Decision,
    pub reason: TextInput,
    /// Made when the form opens and kept until it closes: a retry after a lost answer is the
    /// same decision to the server, never a second one.
    pub cmid: String,
    pub review_id: String,
    pub version: i64,
    /// A send was tried: from then on an empty reason is shown as a problem.
    pub tried: bool,
    pub sending: bool,
    pub error: Option<ApiError>,
}

impl DecideForm {
    pub fn new(decision: Decision, review_id: String, version: i64) -> Self {
        Self {
            decision,
            reason: TextInput::default(),
            cmid: uuid::Uuid::now_v7().to_string(),
            review_id,
            version,
            tried: false,
            sending: false,
            error: None,
        }
    }

    /// Whether a send was tried without a reason.
    pub fn reason_missing(&self) -> bool {
        self.tried && self.reason.value.trim().is_empty()
    }

    /// Esc closes; Enter, Ctrl-S or F10 sends once a reason is typed; other keys edit it.
    pub fn handle(&mut self, key: &KeyEvent) -> FormEvent {
        if key.code == KeyCode::Esc {
            return FormEvent::Close;
        }
        if self.sending {
            return FormEvent::Changed(false);
        }
        if submit_key(key) || key.code == KeyCode::Enter {
            self.tried = true;
            if self.reason_missing() {
                return FormEvent::Changed(true);
            }
            self.sending = true;
            self.error = None;
            return FormEvent::Send(Cmd::Decide {
                cmid: self.cmid.clone(),
                review_id: self.review_id.clone(),
                version: self.version,
                decision: self.decision,
                reason: self.reason.value.trim().to_string(),
            });
        }
        FormEvent::Changed(self.reason.edit(key))
    }

    /// The reason form, over the bottom of the review so the scores stay in sight.
    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let form = self;
        let w = t;
        let width = 72.min(area.width);
        let label = format!("{}: ", w.reason);
        let mut spans = vec![Span::styled(label.clone(), bold())];
        // The end of a long reason stays in sight as it is typed.
        let room = usize::from(width.saturating_sub(3)).saturating_sub(label.chars().count());
        let typed: Vec<char> = form.reason.value.chars().collect();
        let shown: String = typed[typed.len().saturating_sub(room)..].iter().collect();
        let cursor_col = label.chars().count() + shown.chars().count();
        spans.push(Span::raw(shown));
        let mut lines = vec![Line::from(spans)];
        if form.reason_missing() {
            lines.push(Line::styled(t.required, error()));
        }
        if form.sending {
            lines.push(Line::raw(t.sending));
        }
        if let Some(e) = &form.error {
            lines.push(Line::styled(t.error(e), error()));
            lines.push(Line::raw(t.form_retry));
        }
        lines.push(Line::styled(w.form_hint, dim()));
        let height = u16::try_from(lines.len() + 2)
            .unwrap_or(area.height)
            .min(area.height);
        let popup = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + area.height.saturating_sub(height + 1),
            width,
            height,
        };
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(
                    " {}: {} ",
                    w.decision_title,
                    decision_name(t, form.decision)
                ))),
            popup,
        );
        let x = popup.x + 1 + u16::try_from(cursor_col).unwrap_or(0);
        frame.set_cursor_position((x.min(popup.x + width.saturating_sub(2)), popup.y + 1));
    }
}
