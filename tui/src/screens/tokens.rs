//! The caller's own API tokens (F12, for everyone logged in), as `amparo token` lists them: name,
//! expiry, last use and state. `n` makes one (name and days) and shows its secret once, `x`
//! revokes the chosen one, `g` re-reads. The words of the columns and states are the command's
//! (`crate::token`), so both say the same.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::Outcome;
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{Cmd, TokenOp};
use crate::widgets::{TextInput, bold, dim, error, submit_key};

pub type Token = api::api_tokens::ApiTokensApiTokens;

#[derive(Debug, Clone, Default)]
pub struct TokensState {
    pub tokens: Vec<Token>,
    pub chosen: usize,
    pub loaded: bool,
    pub error: Option<ApiError>,
    pub form: Option<TokenForm>,
    /// A new token's secret, shown until the next key.
    pub secret: Option<String>,
    /// The change out, so its answer is recognised.
    pub sent: Option<String>,
    /// The day it is, for the tokens' state (set when the list is read).
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

/// A new token: what it is for, and for how many days (empty: the server's default).
#[derive(Debug, Clone, Default)]
pub struct TokenForm {
    pub name: TextInput,
    pub days: TextInput,
    pub on_days: bool,
    pub cmid: String,
    pub bad_days: bool,
    pub error: Option<ApiError>,
}

impl TokensState {
    pub fn open(&mut self) -> Vec<Cmd> {
        self.error = None;
        vec![Cmd::Tokens]
    }

    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn reply(
        &mut self,
        result: Result<api::api_tokens::ResponseData, ApiError>,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        match result {
            Ok(d) => {
                self.tokens = d.api_tokens;
                self.chosen = self.chosen.min(self.tokens.len().saturating_sub(1));
                self.loaded = true;
                self.now = Some(now);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn act_reply(&mut self, cmid: &str, result: Result<Option<String>, ApiError>) -> Outcome {
        if self.sent.as_deref() != Some(cmid) {
            return Outcome::none();
        }
        self.sent = None;
        match result {
            Ok(secret) => {
                self.form = None;
                self.secret = secret;
                Outcome::send(vec![Cmd::Tokens])
            }
            Err(e) => {
                match &mut self.form {
                    Some(f) => f.error = Some(e),
                    None => self.error = Some(e),
                }
                Outcome::changed(true)
            }
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        if self.secret.take().is_some() {
            return Outcome::changed(true);
        }
        if self.form.is_some() {
            return self.form_key(key);
        }
        match key.code {
            KeyCode::Up => {
                self.chosen = self.chosen.saturating_sub(1);
                Outcome::changed(true)
            }
            KeyCode::Down => {
                self.chosen = (self.chosen + 1).min(self.tokens.len().saturating_sub(1));
                Outcome::changed(true)
            }
            KeyCode::Char('g') => Outcome::send(self.open()),
            KeyCode::Char('n') => {
                self.form = Some(TokenForm {
                    cmid: new_cmid(),
                    ..TokenForm::default()
                });
                Outcome::changed(true)
            }
            KeyCode::Char('x') => {
                let Some(k) = self.tokens.get(self.chosen) else {
                    return Outcome::none();
                };
                if k.revoked_at.is_some() {
                    return Outcome::none();
                }
                let op = TokenOp::Revoke { id: k.id.clone() };
                self.send(new_cmid(), op)
            }
            _ => Outcome::none(),
        }
    }

    fn send(&mut self, cmid: String, op: TokenOp) -> Outcome {
        self.sent = Some(cmid.clone());
        self.error = None;
        Outcome::send(vec![Cmd::TokenAct { cmid, op }])
    }

    fn form_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(f) = &mut self.form else {
            return Outcome::none();
        };
        if submit_key(&key) || (key.code == KeyCode::Enter && f.on_days) {
            let days = match f.days.value.trim() {
                "" => None,
                d => match d.parse::<i64>() {
                    Ok(n) if (1..=365).contains(&n) => Some(n),
                    _ => {
                        f.bad_days = true;
                        return Outcome::changed(true);
                    }
                },
            };
            f.bad_days = false;
            f.error = None;
            let op = TokenOp::Create {
                name: f.name.value.trim().to_string(),
                days,
            };
            let cmid = f.cmid.clone();
            return self.send(cmid, op);
        }
        match key.code {
            KeyCode::Esc => {
                self.form = None;
                Outcome::changed(true)
            }
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down | KeyCode::Enter => {
                f.on_days = !f.on_days;
                Outcome::changed(true)
            }
            _ => {
                let field = if f.on_days { &mut f.days } else { &mut f.name };
                let changed = field.edit(&key);
                if changed {
                    // A changed form is another request.
                    f.cmid = new_cmid();
                }
                Outcome::changed(changed)
            }
        }
    }

    pub fn help(&self, lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        if self.form.is_some() {
            t.keys_form
        } else {
            t.keys_list
        }
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let words = crate::token::texts(lang);
        let mut lines = vec![Line::styled(
            format!(
                "{:<30} {:<11} {:<11} {}",
                words.name, words.expires, words.last_used, words.state
            ),
            bold(),
        )];
        if !self.loaded && self.error.is_none() {
            lines.push(Line::raw(t.loading));
        }
        if self.loaded && self.tokens.is_empty() {
            lines.push(Line::raw(words.none));
        }
        let now = self.now.unwrap_or_else(chrono::Utc::now);
        let rows = usize::from(area.height.saturating_sub(4)).max(1);
        let first = self.chosen.saturating_sub(rows - 1);
        for (i, k) in self.tokens.iter().enumerate().skip(first).take(rows) {
            let name: String = k.name.chars().take(30).collect();
            let text = format!(
                "{:<30} {:<11} {:<11} {}",
                name,
                k.expires_at.get(..10).unwrap_or(&k.expires_at),
                k.last_used_at.get(..10).unwrap_or(&k.last_used_at),
                crate::token::state(k, now, words)
            );
            lines.push(if i == self.chosen {
                Line::styled(
                    format!("{text:<w$}", w = usize::from(area.width)),
                    bold().add_modifier(ratatui::style::Modifier::REVERSED),
                )
            } else {
                Line::raw(text)
            });
        }
        frame.render_widget(
            Paragraph::new(lines),
            Rect {
                height: area.height.saturating_sub(2),
                ..area
            },
        );
        let foot = Rect::new(
            area.x,
            area.y + area.height.saturating_sub(2),
            area.width,
            2,
        );
        let foot_lines = match &self.error {
            Some(e) => vec![Line::styled(t.error(e), error())],
            None => vec![Line::raw(""), Line::styled(t.list_hint, dim())],
        };
        frame.render_widget(Paragraph::new(foot_lines).wrap(Wrap { trim: true }), foot);
        if let Some(f) = &self.form {
            let popup = centered(area, 64, 7);
            frame.render_widget(Clear, popup);
            let marker = |on: bool| if on { "›" } else { " " };
            let mut lines = vec![
                Line::from(vec![
                    Span::raw(format!("{} {:<18}", marker(!f.on_days), t.form_name)),
                    Span::raw(f.name.value.clone()),
                ]),
                Line::from(vec![
                    Span::raw(format!("{} {:<18}", marker(f.on_days), t.form_days)),
                    Span::raw(f.days.value.clone()),
                ]),
                Line::raw(""),
            ];
            lines.push(match (&f.error, f.bad_days) {
                (_, true) => Line::styled(t.bad_days, error()),
                (Some(e), false) => Line::styled(t.error(e), error()),
                (None, false) => Line::styled(t.form_hint, dim()),
            });
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: true })
                    .block(Block::bordered().title(format!(" {} ", t.form_title))),
                popup,
            );
        }
        if let Some(secret) = &self.secret {
            let popup = centered(area, 76, 8);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::raw(t.secret_intro),
                    Line::raw(""),
                    Line::styled(secret.clone(), bold()),
                    Line::raw(""),
                    Line::styled(t.secret_once, dim()),
                ])
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(" {} ", t.secret_title))),
                popup,
            );
        }
    }
}

fn new_cmid() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
