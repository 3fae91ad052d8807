//! The unit's settings (deadlines and thresholds of the procedure, the working day, the password
//! policy and sessions), each on its own line with its value; ↑↓ choose, Enter changes the
//! chosen value (a yes/no flips), Ctrl-S saves them all with the version read. `h` shows the
//! history of the settings and offices: who changed what, when, before and after. The modules
//! are shown, not changed: the server's operator sets them.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use serde_json::Value;

use super::texts::Texts;
use super::{Sub, chosen_line, clip, new_cmid};
use crate::api;
use crate::msg::AdminOp;
use crate::widgets::{TextInput, bold, error, local_time, submit_key};

pub type Change = api::unit_settings::UnitSettingsUnitSettingsHistoryEdgesNode;

#[derive(Debug, Clone, Default)]
pub struct SettingsView {
    pub loaded: bool,
    pub version: i64,
    pub modules: Vec<String>,
    /// The settings as read, then as changed here until saved.
    pub draft: Value,
    pub chosen: usize,
    /// The chosen value being typed.
    pub editing: Option<TextInput>,
    /// Whether the draft differs from what was read.
    pub dirty: bool,
    /// Kept across retries of the same draft.
    pub cmid: String,
    /// A typed value that does not fit the setting (its path).
    pub bad_value: Option<String>,
    pub history: Vec<Change>,
    /// Office codes by id, to name an office's changes.
    pub offices: Vec<(String, String)>,
    pub show_history: bool,
    pub history_chosen: usize,
}

impl SettingsView {
    pub fn set(&mut self, d: api::unit_settings::ResponseData) {
        self.version = d.unit_settings.version;
        self.modules = d.unit_settings.modules;
        self.draft = d.unit_settings.settings;
        self.history = d
            .unit_settings_history
            .edges
            .into_iter()
            .map(|e| e.node)
            .collect();
        self.offices = d.unit_offices.into_iter().map(|o| (o.id, o.code)).collect();
        self.dirty = false;
        self.editing = None;
        self.bad_value = None;
        self.loaded = true;
        self.chosen = self.chosen.min(leaves(&self.draft).len().saturating_sub(1));
    }

    /// The save was accepted: nothing is left unsaved (the re-read follows).
    pub fn saved(&mut self) {
        self.dirty = false;
    }

    pub fn key(&mut self, key: KeyEvent) -> Sub {
        if let Some(input) = &mut self.editing {
            return match key.code {
                KeyCode::Esc => {
                    self.editing = None;
                    Sub::Redraw(true)
                }
                KeyCode::Enter => {
                    let typed = input.value.clone();
                    self.accept(&typed);
                    Sub::Redraw(true)
                }
                _ => Sub::Redraw(input.edit(&key)),
            };
        }
        if submit_key(&key) {
            if !self.dirty {
                return Sub::Redraw(false);
            }
            return Sub::Send {
                cmid: Some(self.cmid.clone()),
                op: AdminOp::UpdateSettings {
                    version: self.version,
                    settings: self.draft.clone(),
                },
            };
        }
        let n = if self.show_history {
            self.history.len()
        } else {
            leaves(&self.draft).len()
        };
        let chosen = if self.show_history {
            &mut self.history_chosen
        } else {
            &mut self.chosen
        };
        match key.code {
            KeyCode::Up => {
                *chosen = chosen.saturating_sub(1);
                Sub::Redraw(true)
            }
            KeyCode::Down => {
                *chosen = (*chosen + 1).min(n.saturating_sub(1));
                Sub::Redraw(true)
            }
            KeyCode::Char('h') => {
                self.show_history = !self.show_history;
                Sub::Redraw(true)
            }
            // Re-reading drops what was changed and not saved.
            KeyCode::Char('g') => Sub::Reload,
            KeyCode::Esc if self.show_history => {
                self.show_history = false;
                Sub::Redraw(true)
            }
            KeyCode::Esc => Sub::Back,
            KeyCode::Enter | KeyCode::Char(' ') if !self.show_history => {
                let Some((path, value)) = leaves(&self.draft).into_iter().nth(self.chosen) else {
                    return Sub::Redraw(false);
                };
                match value {
                    Value::Bool(b) => self.put(&path, Value::Bool(!b)),
                    v => self.editing = Some(TextInput { value: shown(&v) }),
                }
                Sub::Redraw(true)
            }
            _ => Sub::Redraw(false),
        }
    }

    /// The typed value replaces the chosen setting if it has the setting's kind.
    fn accept(&mut self, typed: &str) {
        let Some((path, old)) = leaves(&self.draft).into_iter().nth(self.chosen) else {
            return;
        };
        let typed = typed.trim();
        let new = match &old {
            Value::Number(n) if n.is_u64() => typed.parse::<u64>().ok().map(Value::from),
            Value::Number(n) if n.is_i64() => typed.parse::<i64>().ok().map(Value::from),
            Value::Number(_) => typed.parse::<f64>().ok().map(Value::from),
            Value::Array(_) => typed
                .split(',')
                .map(|p| p.trim().parse::<u64>().ok().map(Value::from))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array),
            Value::String(_) => Some(Value::String(typed.to_string())),
            _ => None,
        };
        match new {
            Some(v) => {
                self.editing = None;
                self.bad_value = None;
                if v != old {
                    self.put(&path, v);
                }
            }
            None => self.bad_value = Some(path),
        }
    }

    fn put(&mut self, path: &str, v: Value) {
        let mut at = &mut self.draft;
        for part in path.split('.') {
            at = &mut at[part];
        }
        *at = v;
        self.dirty = true;
        // A changed draft is another request.
        self.cmid = new_cmid();
    }

    pub fn hint<'a>(&self, t: &'a Texts) -> &'a str {
        match (self.show_history, self.editing.is_some()) {
            (true, _) => t.history_hint,
            (false, true) => t.setting_edit_hint,
            (false, false) if self.dirty => t.settings_dirty_hint,
            (false, false) => t.settings_hint,
        }
    }

    pub fn draw(&self, t: &Texts, frame: &mut Frame, area: Rect) {
        if !self.loaded {
            frame.render_widget(Line::raw(t.loading), area);
            return;
        }
        if self.show_history {
            return self.draw_history(t, frame, area);
        }
        let mut lines = vec![Line::raw(clip(
            &format!(
                "{}: {} · v{}",
                t.modules_label,
                self.modules.join(", "),
                self.version
            ),
            usize::from(area.width),
        ))];
        let list = leaves(&self.draft);
        let rows = usize::from(area.height.saturating_sub(2)).max(1);
        let first = self.chosen.saturating_sub(rows - 1);
        for (i, (path, value)) in list.iter().enumerate().skip(first).take(rows) {
            let value = match (&self.editing, i == self.chosen) {
                (Some(input), true) => format!("› {}_", input.value),
                _ => shown_in(value, t),
            };
            let text = format!("{:<52} {}", clip(&t.setting_label(path), 52), value);
            lines.push(chosen_line(text, i == self.chosen, area.width));
        }
        if let Some(path) = &self.bad_value {
            lines.push(Line::styled(t.bad_setting(&t.setting_label(path)), error()));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    /// Each change: when, who and what, then what it changed (before → after), the chosen
    /// change first.
    fn draw_history(&self, t: &Texts, frame: &mut Frame, area: Rect) {
        let width = usize::from(area.width);
        let mut lines = vec![Line::styled(t.history_title, bold())];
        if self.history.is_empty() {
            lines.push(Line::raw(t.no_history));
        }
        for (i, c) in self.history.iter().enumerate().skip(self.history_chosen) {
            let what = match c.kind.as_str() {
                "OFFICE_CREATED" | "OFFICE_CHANGED" => {
                    let code = c
                        .office_id
                        .as_ref()
                        .and_then(|id| self.offices.iter().find(|o| &o.0 == id))
                        .map(|o| o.1.as_str())
                        .or_else(|| c.after["code"].as_str())
                        .unwrap_or("?");
                    t.office_change(code, c.kind == "OFFICE_CREATED")
                }
                _ => t.settings_change.to_string(),
            };
            let head = format!(
                "{} · {} · {what}",
                local_time(&c.at),
                c.username.as_deref().unwrap_or("-")
            );
            lines.push(chosen_line(
                clip(&head, width),
                i == self.history_chosen,
                area.width,
            ));
            let diffs = diff(&c.before, &c.after);
            for (path, before, after) in diffs.iter().take(4) {
                lines.push(Line::raw(clip(
                    &format!(
                        "   {}: {} → {}",
                        t.setting_label(path),
                        shown_in(before, t),
                        shown_in(after, t)
                    ),
                    width,
                )));
            }
            if diffs.len() > 4 {
                lines.push(Line::raw(format!("   {}", t.more_changes(diffs.len() - 4))));
            }
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// Every setting as (dotted path, value), in the order the server's object lists them.
pub fn leaves(v: &Value) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&path, v, out);
                }
            }
            v => out.push((prefix.to_string(), v.clone())),
        }
    }
    let mut out = Vec::new();
    if v.is_object() {
        walk("", v, &mut out);
    }
    out
}

/// What changed between two records: (path, before, after); a record created has all of its
/// values after nothing.
pub fn diff(before: &Value, after: &Value) -> Vec<(String, Value, Value)> {
    let old = leaves(before);
    let new = leaves(after);
    let mut out: Vec<(String, Value, Value)> = new
        .iter()
        .filter(|(path, _)| path != "version")
        .filter_map(|(path, v)| {
            let was = old
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null);
            (was != *v).then(|| (path.clone(), was, v.clone()))
        })
        .collect();
    for (path, v) in old {
        if path != "version" && !new.iter().any(|(p, _)| *p == path) {
            out.push((path, v, Value::Null));
        }
    }
    out
}

/// A value as it is typed.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(shown).collect::<Vec<_>>().join(","),
        Value::Null => "-".into(),
        v => v.to_string(),
    }
}

/// A value as it is shown: yes/no in the user's language.
fn shown_in(v: &Value, t: &Texts) -> String {
    match v {
        Value::Bool(b) => t.yes_no(*b).to_string(),
        v => shown(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaves_and_changes_are_listed_by_path() {
        let before = json!({ "access": { "code_hours": 72, "min_password_length": 12 }, "rsd": { "cartagena": true } });
        let after = json!({ "access": { "code_hours": 72, "min_password_length": 14 }, "rsd": { "cartagena": false } });
        assert_eq!(leaves(&before).len(), 3);
        assert_eq!(
            diff(&before, &after),
            vec![
                ("access.min_password_length".into(), json!(12), json!(14)),
                ("rsd.cartagena".into(), json!(true), json!(false)),
            ]
        );
        let created = diff(&Value::Null, &json!({ "code": "LAG", "version": 1 }));
        assert_eq!(created, vec![("code".into(), Value::Null, json!("LAG"))]);
    }
}
