//! The popup that splits members off a group or merges a marked group into the one shown: one
//! relationship a member, picked from the list with its name in the user's language, sent with
//! the groups' versions read and a `clientMutationId` kept until the form changes.

mod texts;

use amparo_domain::codes;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::api::ApiError;
use crate::i18n::Lang;
use crate::msg::{Cmd, PersonInput};
use crate::picker::Picker;
use crate::widgets::{bold, dim, ellipsis, error, focused, submit_key};

/// A group as read, for a merge started on it and finished on another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    pub id: String,
    pub number: String,
    pub version: i64,
    /// Its current members: `(individual id, name)`.
    pub members: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Split,
    /// The marked group (the source) joins the one shown.
    Merge(GroupRef),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupForm {
    pub kind: Kind,
    /// The group shown: split from, or merged into.
    pub group: GroupRef,
    /// Each member moving, `(id, name, relationship)`.
    pub rows: Vec<(String, String, Picker)>,
    pub focus: usize,
    pub tried: bool,
    pub cmid: Option<String>,
    pub sending: bool,
    pub error: Option<ApiError>,
}

/// What a key did to the form.
#[derive(Debug)]
pub enum FormEvent {
    Changed(bool),
    Close,
    Send(Cmd),
}

impl GroupForm {
    /// Members `moving` (id, name) leave `group` (split) or join it from `Merge`'s source; in
    /// a split the first becomes the new group's focal point.
    pub fn new(kind: Kind, group: GroupRef, moving: Vec<(String, String)>, lang: Lang) -> Self {
        let split = kind == Kind::Split;
        let rows = moving
            .into_iter()
            .enumerate()
            .map(|(i, (id, name))| {
                let terms: Vec<_> = codes::RELATIONSHIP
                    .terms()
                    .iter()
                    .filter(|t| split || t.code != "focal_point")
                    .copied()
                    .collect();
                let mut p = Picker::of_terms(&terms, lang);
                p.select(if split && i == 0 {
                    "focal_point"
                } else {
                    "other_relative"
                });
                (id, name, p)
            })
            .collect();
        Self {
            kind,
            group,
            rows,
            focus: 0,
            tried: false,
            cmid: None,
            sending: false,
            error: None,
        }
    }

    /// Whether a split names exactly one new focal point (a merge keeps the target's).
    pub fn focal_points_ok(&self) -> bool {
        let n = self
            .rows
            .iter()
            .filter(|(_, _, p)| p.value() == Some("focal_point"))
            .count();
        match self.kind {
            Kind::Split => n == 1,
            Kind::Merge(_) => n == 0,
        }
    }

    pub fn input(&self) -> Option<PersonInput> {
        if !self.focal_points_ok() {
            return None;
        }
        let members = self
            .rows
            .iter()
            .map(|(id, _, p)| Some((id.clone(), p.value()?.to_string())))
            .collect::<Option<Vec<_>>>()?;
        Some(match &self.kind {
            Kind::Split => PersonInput::Split {
                group_id: self.group.id.clone(),
                version: self.group.version,
                members,
            },
            Kind::Merge(source) => PersonInput::Merge {
                target_id: self.group.id.clone(),
                target_version: self.group.version,
                source_id: source.id.clone(),
                source_version: source.version,
                members,
            },
        })
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormEvent {
        if key.code == KeyCode::Esc {
            return FormEvent::Close;
        }
        if submit_key(key) {
            if self.sending {
                return FormEvent::Changed(false);
            }
            self.tried = true;
            let Some(input) = self.input() else {
                return FormEvent::Changed(true);
            };
            let cmid = self
                .cmid
                .get_or_insert_with(|| uuid::Uuid::now_v7().to_string())
                .clone();
            self.sending = true;
            self.error = None;
            return FormEvent::Send(Cmd::Person {
                cmid,
                input: Box::new(input),
            });
        }
        if self.sending || self.rows.is_empty() {
            return FormEvent::Changed(false);
        }
        let n = self.rows.len();
        match key.code {
            KeyCode::Tab | KeyCode::Enter => {
                self.focus = (self.focus + 1) % n;
                FormEvent::Changed(true)
            }
            KeyCode::BackTab => {
                self.focus = (self.focus + n - 1) % n;
                FormEvent::Changed(true)
            }
            _ => {
                let Some((_, _, p)) = self.rows.get_mut(self.focus) else {
                    return FormEvent::Changed(false);
                };
                let before = p.value().map(str::to_string);
                let changed = p.key(key);
                if p.value().map(str::to_string) != before {
                    self.cmid = None;
                }
                FormEvent::Changed(changed)
            }
        }
    }

    /// The answer to this form's request, if `cmid` is its id.
    pub fn answered(&mut self, cmid: &str, error: Option<ApiError>) -> bool {
        if self.cmid.as_deref() != Some(cmid) {
            return false;
        }
        self.sending = false;
        self.error = error;
        true
    }
}

pub fn draw(lang: Lang, form: &GroupForm, frame: &mut Frame, area: Rect) {
    let t = texts::get(lang);
    let inner = usize::from(area.width.saturating_sub(2));
    let name_w = 28;
    let mut lines = vec![Line::styled(t.relationship_to, dim())];
    for (i, (_, name, p)) in form.rows.iter().enumerate() {
        let style = if i == form.focus { focused() } else { bold() };
        lines.push(Line::from(vec![
            Span::raw(format!("{:<name_w$} ", ellipsis(name, name_w))),
            Span::styled(p.summary(inner.saturating_sub(name_w + 1)), style),
        ]));
        if i == form.focus {
            lines.extend(p.lines(5, inner, t.filter));
        }
    }
    if form.tried && !form.focal_points_ok() && form.kind == Kind::Split {
        lines.push(Line::styled(t.one_focal_point, error()));
    }
    if let Some(e) = &form.error {
        lines.push(Line::styled(t.error(e), error()));
    }
    if form.sending {
        lines.push(Line::styled(t.sending, dim()));
    }
    lines.push(Line::styled(t.hint, dim()));
    let title = match &form.kind {
        Kind::Split => format!(" {} · {} ", t.split, form.group.number),
        Kind::Merge(source) => format!(" {}: {} → {} ", t.merge, source.number, form.group.number),
    };
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(area.height)
        .min(area.height);
    let popup = Rect {
        y: area.y + area.height - height,
        height,
        ..area
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        popup,
    );
}
