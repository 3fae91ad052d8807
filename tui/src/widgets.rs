//! Pieces every screen uses: the one-line text field, the few styles, cell padding and the
//! unit's clock. Screens are plain lines without borders or fills: on a thin link every cell
//! that differs between frames costs bytes.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

/// Hours the unit's office clock is behind UTC: Quito keeps UTC-5 all year.
pub const UNIT_UTC_OFFSET_HOURS: i64 = -5;

/// A one-line text field; editing happens at the end, which is how forms are typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub value: String,
}

impl TextInput {
    /// Applies an editing key; false if the key is not an editing key.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.value.clear();
                true
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.value.push(c);
                true
            }
            KeyCode::Backspace => self.value.pop().is_some(),
            _ => false,
        }
    }
}

/// Whether the key is Ctrl plus `c`.
pub fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.code == KeyCode::Char(c) && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// Ctrl-S or F10: send the form.
pub fn submit_key(key: &KeyEvent) -> bool {
    key.code == KeyCode::F(10) || ctrl(key, 's')
}

pub fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}
pub fn error() -> Style {
    Style::new().fg(Color::Red)
}
pub fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn focused() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn text_width(s: &str) -> u16 {
    u16::try_from(Span::raw(s).width()).unwrap_or(u16::MAX)
}

/// The end of `s` that fits in `width` cells: while typing, the end is what matters.
pub fn tail(s: &str, width: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let skip = chars.len().saturating_sub(width);
    chars.get(skip..).unwrap_or_default().iter().collect()
}

/// `s` cut or padded to `width` characters.
pub fn cell(s: &str, width: usize) -> String {
    let mut out: String = s.chars().take(width).collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

/// `2026-01-05T14:03:09.123Z` as `2026-01-05 14:03`; anything unreadable as it came.
pub fn when(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// A UTC time as the unit's office clock shows it (`YYYY-MM-DD HH:MM`); unreadable as it came.
pub fn local_time(at: &str) -> String {
    let offset =
        chrono::FixedOffset::east_opt(i32::try_from(UNIT_UTC_OFFSET_HOURS * 3600).unwrap_or(0));
    match (chrono::DateTime::parse_from_rfc3339(at), offset) {
        (Ok(d), Some(o)) => d.with_timezone(&o).format("%Y-%m-%d %H:%M").to_string(),
        _ => at.to_string(),
    }
}

/// Only the date of a UTC time, in the unit's clock.
pub fn local_date(at: &str) -> String {
    local_time(at).chars().take(10).collect()
}

/// The area less its last line, and that line (for the hint).
pub fn split_hint(area: Rect) -> [Rect; 2] {
    let h = area.height.saturating_sub(1);
    [
        Rect { height: h, ..area },
        Rect {
            y: area.y + h,
            height: 1,
            ..area
        },
    ]
}

/// `s` cut to `width` characters, its last one an ellipsis when something was cut.
pub fn ellipsis(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}
