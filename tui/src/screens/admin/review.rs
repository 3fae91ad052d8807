//! The access review, for the periodic check a data sharing agreement asks for: each user of the
//! unit with their roles, scope, the offices whose records they reach, the sensitive field groups
//! they see, whether they read personal data at all, their status and last login. The chosen
//! user's line is spelt out in full below the list.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::texts::Texts;
use super::{Sub, chosen_line, clip};
use crate::api;

pub type ReviewLine = api::access_review::AccessReviewAccessReview;

#[derive(Debug, Clone, Default)]
pub struct ReviewView {
    pub lines: Vec<ReviewLine>,
    pub chosen: usize,
    pub loaded: bool,
}

impl ReviewView {
    pub fn set(&mut self, lines: Vec<ReviewLine>) {
        self.lines = lines;
        self.chosen = self.chosen.min(self.lines.len().saturating_sub(1));
        self.loaded = true;
    }

    pub fn key(&mut self, key: KeyEvent) -> Sub {
        match key.code {
            KeyCode::Up => {
                self.chosen = self.chosen.saturating_sub(1);
                Sub::Redraw(true)
            }
            KeyCode::Down => {
                self.chosen = (self.chosen + 1).min(self.lines.len().saturating_sub(1));
                Sub::Redraw(true)
            }
            KeyCode::Char('g') => Sub::Reload,
            KeyCode::Esc => Sub::Back,
            _ => Sub::Redraw(false),
        }
    }

    pub fn draw(&self, t: &Texts, frame: &mut Frame, area: Rect) {
        let mut lines = vec![Line::styled(
            format!(
                "{:<16} {:<20} {:<8} {:<9} {:<5} {}",
                t.col_user, t.col_roles, t.col_scope, t.col_offices, t.col_reads, t.col_groups
            ),
            crate::widgets::bold(),
        )];
        if !self.loaded {
            lines.push(Line::raw(t.loading));
        }
        let detail: u16 = 5;
        let rows = usize::from(area.height.saturating_sub(1 + detail)).max(1);
        let first = self.chosen.saturating_sub(rows - 1);
        for (i, l) in self.lines.iter().enumerate().skip(first).take(rows) {
            let text = format!(
                "{:<16} {:<20} {:<8} {:<9} {:<5} {}",
                clip(&l.user.username, 16),
                clip(&roles(t, &l.user.roles), 20),
                t.scope(&l.user.scope_level),
                clip(&l.office_codes.join(","), 9),
                t.yes_no(l.reads_persons),
                clip(&groups(t, &l.field_groups), 17)
            );
            lines.push(chosen_line(text, i == self.chosen, area.width));
        }
        frame.render_widget(Paragraph::new(lines), area);
        let Some(l) = self.lines.get(self.chosen) else {
            return;
        };
        let status = match l.user.status.as_str() {
            "DISABLED" => t.disabled,
            "PENDING" => t.pending,
            _ => t.active,
        };
        let login = l
            .user
            .last_login_at
            .as_deref()
            .map(crate::widgets::local_time)
            .unwrap_or_else(|| "-".into());
        let text = vec![
            Line::raw(format!(
                "{} · {} · {} {login}",
                l.user.username, status, t.col_login
            )),
            Line::raw(format!("{}: {}", t.col_roles, roles(t, &l.user.roles))),
            Line::raw(format!(
                "{}: {}",
                t.col_offices,
                if l.office_codes.is_empty() {
                    "-".to_string()
                } else {
                    l.office_codes.join(", ")
                }
            )),
            Line::raw(format!(
                "{}: {}",
                t.col_groups,
                if l.field_groups.is_empty() {
                    "-".to_string()
                } else {
                    groups(t, &l.field_groups)
                }
            )),
        ];
        let at = Rect {
            y: area.y + area.height.saturating_sub(detail - 1),
            height: (detail - 1).min(area.height),
            ..area
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), at);
    }
}

fn roles(t: &Texts, roles: &[String]) -> String {
    roles
        .iter()
        .map(|r| t.role(r))
        .collect::<Vec<_>>()
        .join(",")
}

fn groups(t: &Texts, groups: &[String]) -> String {
    groups
        .iter()
        .map(|g| t.field_group(g))
        .collect::<Vec<_>>()
        .join(",")
}
