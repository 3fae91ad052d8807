//! The one way a user chooses a code: a list of codes with their names in the user's language,
//! narrowed by typing (accents and case ignored, code or name), ↑↓ to move. Every form that
//! needs a code (a need, a document type, a country, a ground...) uses it, so no code is ever
//! typed by hand.

use amparo_domain::codes::Term;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::i18n::Lang;
use crate::widgets::{dim, ellipsis, focused};

/// A list of `(code, name)` narrowed by what was typed; the chosen one is the highlighted one
/// among those that match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    pub options: Vec<(String, String)>,
    pub filter: String,
    /// Index into the options that match the filter.
    pub idx: usize,
}

/// Lowercase without the accents Spanish writes, so `nino` finds `Niño`.
fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

impl Picker {
    /// A picker over `(code, name)` pairs, the first chosen.
    pub fn new(options: Vec<(String, String)>) -> Self {
        Self {
            options,
            filter: String::new(),
            idx: 0,
        }
    }

    /// A picker over a code list's terms, named in `lang`.
    pub fn of_terms(terms: &[Term], lang: Lang) -> Self {
        Self::new(
            terms
                .iter()
                .map(|t| (t.code.to_string(), t.label(lang).to_string()))
                .collect(),
        )
    }

    /// Indexes of the options that match the filter, in list order.
    pub fn matches(&self) -> Vec<usize> {
        let f = fold(self.filter.trim());
        self.options
            .iter()
            .enumerate()
            .filter(|(_, (code, name))| {
                f.is_empty() || fold(code).contains(&f) || fold(name).contains(&f)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The chosen option: the highlighted one among the matches.
    pub fn chosen(&self) -> Option<&(String, String)> {
        let m = self.matches();
        m.get(self.idx.min(m.len().saturating_sub(1)))
            .map(|&i| &self.options[i])
    }

    /// The chosen code.
    pub fn value(&self) -> Option<&str> {
        self.chosen().map(|(c, _)| c.as_str())
    }

    /// Chooses `code` (clearing the filter); false if the list lacks it.
    pub fn select(&mut self, code: &str) -> bool {
        self.filter.clear();
        match self.options.iter().position(|(c, _)| c == code) {
            Some(i) => {
                self.idx = i;
                true
            }
            None => false,
        }
    }

    /// Applies a key: printable characters narrow the list, Backspace widens it, ↑↓ and ←→
    /// move. Returns whether the key was the picker's.
    pub fn key(&mut self, key: &KeyEvent) -> bool {
        let count = self.matches().len();
        match key.code {
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter.push(c);
                self.idx = 0;
                true
            }
            KeyCode::Backspace => {
                self.idx = 0;
                self.filter.pop().is_some()
            }
            KeyCode::Down | KeyCode::Right if count > 0 => {
                self.idx = (self.idx + 1).min(count - 1);
                true
            }
            KeyCode::Up | KeyCode::Left => {
                self.idx = self.idx.saturating_sub(1);
                true
            }
            _ => false,
        }
    }

    /// The one-line form of the choice: its code and name, cut to `width` with an ellipsis.
    pub fn summary(&self, width: usize) -> String {
        let s = match self.chosen() {
            Some((code, name)) if code.is_empty() => name.clone(),
            // The code first, so cutting a long name never loses it.
            Some((code, name)) => format!("{code} · {name}"),
            None => "—".to_string(),
        };
        ellipsis(&s, width)
    }

    /// The list while the picker has the focus: the filter typed and up to `rows` matches
    /// around the chosen one, each cut to `width`.
    /// How many lines [`Picker::lines`] takes with `rows`, whatever is typed.
    pub fn height(&self, rows: usize) -> usize {
        1 + rows.min(self.options.len())
    }

    pub fn lines(&self, rows: usize, width: usize, filter_label: &str) -> Vec<Line<'static>> {
        let m = self.matches();
        let idx = self.idx.min(m.len().saturating_sub(1));
        let mut out = vec![Line::from(vec![
            Span::styled(format!("{filter_label}: "), dim()),
            Span::raw(format!("{}▏", self.filter)),
            Span::styled(format!("  {}/{}", m.len(), self.options.len()), dim()),
        ])];
        let start = idx
            .saturating_sub(rows / 2)
            .min(m.len().saturating_sub(rows));
        for (k, &i) in m.iter().enumerate().skip(start).take(rows) {
            let (code, name) = &self.options[i];
            let text = if code.is_empty() {
                name.clone()
            } else {
                format!("{code:<8} {name}")
            };
            let style = if k == idx { focused() } else { Style::new() };
            out.push(Line::styled(
                format!(" {}", ellipsis(&text, width - 1)),
                style,
            ));
        }
        // Always as many rows as the whole list would fill: a filter that narrows the list
        // must not shrink the form around it, or everything below (or, in a popup anchored at
        // the bottom, everything above) moves and is sent again over the link.
        out.resize(self.height(rows), Line::default());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amparo_domain::codes;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn typing_narrows_by_name_or_code_ignoring_accents() {
        let mut p = Picker::of_terms(codes::DOCUMENT_TYPE.terms(), Lang::Es);
        assert_eq!(p.value(), Some("passport"));
        for c in "cedula".chars() {
            p.key(&key(KeyCode::Char(c)));
        }
        assert_eq!(p.value(), Some("cedula"));
        p.filter.clear();
        for c in "PARTIDA".chars() {
            p.key(&key(KeyCode::Char(c)));
        }
        assert_eq!(p.value(), Some("birth_certificate"));
        p.filter = "zzz".into();
        assert_eq!(p.value(), None, "nothing matches, nothing is chosen");
        p.key(&key(KeyCode::Backspace));
        p.key(&key(KeyCode::Backspace));
        p.key(&key(KeyCode::Backspace));
        p.key(&key(KeyCode::Down));
        assert_eq!(p.value(), Some("national_id"));
        assert!(p.select("cedula") && p.value() == Some("cedula"));
    }
}
