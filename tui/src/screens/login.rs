//! The login screen: username and password (drawn as a mask), Tab moves, Enter sends. The session
//! the answer opens is the app's; this screen only holds what was typed and why it failed.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{Ctx, Outcome};
use crate::api::ApiError;
use crate::i18n::{KeyHelp, Lang};
use crate::msg::Cmd;
use crate::widgets::{TextInput, dim, error, text_width};

#[derive(Debug, Clone, Default)]
pub struct LoginForm {
    pub username: TextInput,
    pub password: TextInput,
    pub on_password: bool,
    pub error: Option<LoginError>,
    /// Ctrl-O: the person has a one-time code from their unit admin and sets a new password
    /// (typed into `password`); `on_code` is the code field's focus.
    pub with_code: bool,
    pub code: TextInput,
    pub on_code: bool,
    /// The unit admin asked for a new password: the password typed is kept, and a new one is
    /// typed twice (`change_focus`: 0 the new one, 1 its repetition) and sent with it.
    pub must_change: bool,
    pub new_password: TextInput,
    pub repeat: TextInput,
    pub change_focus: usize,
}

/// Why the login screen refuses: the server or the link said no, or nothing was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    Api(ApiError),
    UsernameMissing,
    /// The session ended while working (expired or logged out elsewhere): not a wrong password.
    SessionEnded,
    /// The new password and its repetition differ.
    Mismatch,
}

impl LoginForm {
    pub fn key(&mut self, key: KeyEvent, ctx: &Ctx) -> Outcome {
        if key.code == KeyCode::Char('o')
            && key
                .modifiers
                .contains(ratatui::crossterm::event::KeyModifiers::CONTROL)
        {
            self.with_code = !self.with_code;
            self.on_code = false;
            self.on_password = false;
            self.password.value.clear();
            self.error = None;
            return Outcome::changed(true);
        }
        if self.with_code {
            return self.code_key(key, ctx);
        }
        if self.must_change {
            return self.change_key(key, ctx);
        }
        match key.code {
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                self.on_password = !self.on_password;
                Outcome::changed(true)
            }
            KeyCode::Enter => {
                if ctx.pending > 0 {
                    return Outcome::none();
                }
                if self.username.value.trim().is_empty() {
                    self.error = Some(LoginError::UsernameMissing);
                    self.on_password = false;
                    return Outcome::changed(true);
                }
                if !self.on_password && self.password.value.is_empty() {
                    self.on_password = true;
                    return Outcome::changed(true);
                }
                self.error = None;
                Outcome::send(vec![Cmd::Login {
                    username: self.username.value.trim().to_string(),
                    password: self.password.value.clone(),
                    new_password: None,
                }])
            }
            _ => {
                let field = if self.on_password {
                    &mut self.password
                } else {
                    &mut self.username
                };
                Outcome::changed(field.edit(&key))
            }
        }
    }

    /// Keys of the forced change: the new password twice, sent with the one typed before.
    fn change_key(&mut self, key: KeyEvent, ctx: &Ctx) -> Outcome {
        match key.code {
            KeyCode::Esc => {
                self.must_change = false;
                self.password.value.clear();
                self.new_password.value.clear();
                self.repeat.value.clear();
                self.on_password = true;
                self.error = None;
                Outcome::changed(true)
            }
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                self.change_focus = 1 - self.change_focus.min(1);
                Outcome::changed(true)
            }
            KeyCode::Enter => {
                if ctx.pending > 0 {
                    return Outcome::none();
                }
                if self.new_password.value.is_empty() {
                    self.change_focus = 0;
                    return Outcome::changed(true);
                }
                if self.change_focus == 0 && self.repeat.value.is_empty() {
                    self.change_focus = 1;
                    return Outcome::changed(true);
                }
                if self.new_password.value != self.repeat.value {
                    self.error = Some(LoginError::Mismatch);
                    self.repeat.value.clear();
                    self.change_focus = 1;
                    return Outcome::changed(true);
                }
                self.error = None;
                Outcome::send(vec![Cmd::Login {
                    username: self.username.value.trim().to_string(),
                    password: self.password.value.clone(),
                    new_password: Some(self.new_password.value.clone()),
                }])
            }
            _ => {
                let field = if self.change_focus == 0 {
                    &mut self.new_password
                } else {
                    &mut self.repeat
                };
                Outcome::changed(field.edit(&key))
            }
        }
    }

    /// Keys of the one-time code form: username, code, new password.
    fn code_key(&mut self, key: KeyEvent, ctx: &Ctx) -> Outcome {
        match key.code {
            KeyCode::Tab | KeyCode::Down => {
                (self.on_code, self.on_password) = match (self.on_code, self.on_password) {
                    (false, false) => (true, false),
                    (true, _) => (false, true),
                    (false, true) => (false, false),
                };
                Outcome::changed(true)
            }
            KeyCode::BackTab | KeyCode::Up => {
                (self.on_code, self.on_password) = match (self.on_code, self.on_password) {
                    (false, false) => (false, true),
                    (true, _) => (false, false),
                    (false, true) => (true, false),
                };
                Outcome::changed(true)
            }
            KeyCode::Enter => {
                if ctx.pending > 0 {
                    return Outcome::none();
                }
                if self.username.value.trim().is_empty() {
                    self.error = Some(LoginError::UsernameMissing);
                    (self.on_code, self.on_password) = (false, false);
                    return Outcome::changed(true);
                }
                if self.code.value.trim().is_empty() {
                    (self.on_code, self.on_password) = (true, false);
                    return Outcome::changed(true);
                }
                if self.password.value.is_empty() {
                    (self.on_code, self.on_password) = (false, true);
                    return Outcome::changed(true);
                }
                self.error = None;
                Outcome::send(vec![Cmd::SetPasswordWithCode {
                    username: self.username.value.trim().to_string(),
                    code: self.code.value.trim().to_string(),
                    new_password: self.password.value.clone(),
                }])
            }
            _ => {
                let field = if self.on_code {
                    &mut self.code
                } else if self.on_password {
                    &mut self.password
                } else {
                    &mut self.username
                };
                Outcome::changed(field.edit(&key))
            }
        }
    }

    /// The session ended: the password is asked again, with the reason.
    pub fn session_ended(&mut self, e: ApiError) {
        self.on_password = true;
        self.error = Some(match e {
            ApiError::Unauthenticated(_) => LoginError::SessionEnded,
            e => LoginError::Api(e),
        });
    }

    /// Logged in: the password is forgotten. Returns the user's name.
    pub fn succeeded(&mut self) -> String {
        self.password.value.clear();
        self.new_password.value.clear();
        self.repeat.value.clear();
        self.must_change = false;
        self.code.value.clear();
        self.with_code = false;
        self.on_code = false;
        self.error = None;
        self.username.value.trim().to_string()
    }

    pub fn failed(&mut self, e: ApiError) {
        if matches!(e, ApiError::PasswordChangeRequired(_)) && !self.with_code {
            // The password was right: keep it, and ask for the new one.
            self.must_change = true;
            self.change_focus = 0;
        }
        if self.must_change && matches!(e, ApiError::Validation { .. }) {
            // The policy refused the new one: type it again, twice.
            self.new_password.value.clear();
            self.repeat.value.clear();
            self.change_focus = 0;
        }
        self.error = Some(LoginError::Api(e));
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        t.keys_login
    }

    pub fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        if self.must_change {
            return self.draw_change(ctx, frame, area);
        }
        let t = texts::get(ctx.lang);
        let x = area.x + 20;
        let y = area.y + 6;
        let label_w = 14;
        let field_w = 30;
        let row = |i: u16| Rect::new(x, y + i, label_w + field_w, 1);
        frame.render_widget(Line::from(format!("{:<14}", t.username)), row(0));
        let password_label = if self.with_code {
            t.new_password
        } else {
            t.password
        };
        frame.render_widget(Line::from(format!("{password_label:<14}")), row(2));
        if self.with_code {
            frame.render_widget(Line::from(format!("{:<14}", t.code)), row(1));
        }
        let field = |i: u16| Rect::new(x + label_w, y + i, field_w, 1);
        // Fields are plain text: a styled cell costs colour resets on every typed character.
        frame.render_widget(Line::raw(self.username.value.as_str()), field(0));
        // A mask, one dot a character, so that on a slow link the user sees each keystroke
        // arrive; the characters themselves are never drawn.
        let dots = self
            .password
            .value
            .chars()
            .count()
            .min(usize::from(field_w) - 1);
        frame.render_widget(Line::raw("•".repeat(dots)), field(2));
        if self.with_code {
            frame.render_widget(Line::raw(self.code.value.as_str()), field(1));
        }
        let hint = if self.with_code {
            t.code_hint
        } else {
            t.login_hint
        };
        frame.render_widget(Line::styled(hint, dim()), row(4));
        if !self.with_code {
            frame.render_widget(Line::styled(t.code_offer, dim()), row(5));
        }
        if ctx.demo {
            frame.render_widget(
                Line::raw(t.demo_users),
                Rect {
                    y: y - 3,
                    height: 1,
                    ..area
                },
            );
        }
        if ctx.pending > 0 {
            frame.render_widget(
                Line::raw(t.logging_in),
                Rect::new(x, y + 6, area.width - 20, 1),
            );
        } else if let Some(e) = &self.error {
            let msg = match e {
                LoginError::UsernameMissing => t.username_missing.to_string(),
                LoginError::SessionEnded => t.session_ended_again.to_string(),
                LoginError::Api(ApiError::Unauthenticated(_)) if self.with_code => {
                    t.wrong_code.to_string()
                }
                LoginError::Api(ApiError::Unauthenticated(_)) => t.wrong_credentials.to_string(),
                LoginError::Api(ApiError::Validation { reason, .. }) if self.with_code => format!(
                    "{} {}",
                    t.weak_password,
                    crate::refusals::describe(reason, ctx.lang)
                ),
                LoginError::Mismatch => t.mismatch.to_string(),
                LoginError::Api(e) => t.error(e),
            };
            frame.render_widget(
                Paragraph::new(msg).style(error()).wrap(Wrap { trim: true }),
                Rect::new(x, y + 6, area.width.saturating_sub(20), 3),
            );
        }
        if self.with_code && self.on_code {
            frame.set_cursor_position((
                field(1).x + text_width(&self.code.value).min(field_w - 1),
                y + 1,
            ));
            return;
        }
        let cursor_x = if self.on_password {
            let dots = self
                .password
                .value
                .chars()
                .count()
                .min(usize::from(field_w) - 1);
            field(2).x + u16::try_from(dots).unwrap_or(0)
        } else {
            field(0).x + text_width(&self.username.value).min(field_w - 1)
        };
        frame.set_cursor_position((cursor_x, y + if self.on_password { 2 } else { 0 }));
    }

    /// The forced change: the username and password as typed (the password masked), the new
    /// password twice; a policy refusal says why in the user's language.
    fn draw_change(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let t = texts::get(ctx.lang);
        let (x, y, label_w, field_w) = (area.x + 12, area.y + 6, 22u16, 30u16);
        let row = |i: u16| Rect::new(x, y + i, label_w + field_w, 1);
        let field = |i: u16| Rect::new(x + label_w, y + i, field_w, 1);
        let mask =
            |v: &TextInput| "•".repeat(v.value.chars().count().min(usize::from(field_w) - 1));
        frame.render_widget(Line::styled(t.change_title, crate::widgets::bold()), row(0));
        let rows = [
            (t.username, self.username.value.clone()),
            (t.password, mask(&self.password)),
            (t.new_password, mask(&self.new_password)),
            (t.repeat_password, mask(&self.repeat)),
        ];
        for (i, (label, value)) in rows.into_iter().enumerate() {
            let i = i as u16 + 2;
            frame.render_widget(Line::from(format!("{label:<22}")), row(i));
            frame.render_widget(Line::raw(value), field(i));
        }
        frame.render_widget(Line::styled(t.change_hint, dim()), row(7));
        let msg = if ctx.pending > 0 {
            Some(t.logging_in.to_string())
        } else {
            self.error.as_ref().map(|e| match e {
                LoginError::Mismatch => t.mismatch.to_string(),
                LoginError::Api(ApiError::Validation { field, reason, .. }) => {
                    crate::refusals::refusal(field, reason, ctx.lang)
                }
                LoginError::Api(ApiError::Unauthenticated(_)) => t.wrong_credentials.to_string(),
                LoginError::Api(e) => t.error(e),
                _ => String::new(),
            })
        };
        if let Some(msg) = msg {
            frame.render_widget(
                Paragraph::new(msg).style(error()).wrap(Wrap { trim: true }),
                Rect::new(x, y + 9, area.width.saturating_sub(x + 2), 3),
            );
        }
        let (v, i) = if self.change_focus == 0 {
            (&self.new_password, 4)
        } else {
            (&self.repeat, 5)
        };
        let dots = v.value.chars().count().min(usize::from(field_w) - 1);
        frame.set_cursor_position((field(i).x + u16::try_from(dots).unwrap_or(0), y + i));
    }
}
