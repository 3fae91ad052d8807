//! The registration group screen: who belongs to a household now and who left it, reached with
//! `g` from a member's record; ↑↓ choose a member and Enter opens them. Paged rather than
//! scrolled, so moving the selection sends about two rows.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::group_form::{self, GroupForm, GroupRef};
use super::{Ctx, Nav, Outcome, Screen, page_lines};
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::Cmd;
use crate::widgets::{PagedLines, bold, cell, dim, focused, when};
use texts::Texts;

pub type Group = api::group::GroupRegistrationGroup;
pub type Member = api::group::GroupRegistrationGroupMembers;

#[derive(Debug, Clone, Default)]
pub struct GroupState {
    /// The group as read, paged.
    pub record: PagedLines<Group>,
    /// Index into [`members`]' order.
    pub selected: usize,
    /// The line of each member, counted when the group arrived.
    pub member_lines: Vec<usize>,
    /// Current members marked to split off (individual ids).
    pub marked: Vec<String>,
    /// A group marked to be merged into the next one opened; kept across groups.
    pub merge_source: Option<GroupRef>,
    pub form: Option<GroupForm>,
    /// What the last split or merge did, shown until the next key.
    pub done: Option<&'static str>,
}

/// Current members first, then past ones, each in the server's order (the focal point leads).
pub fn members(g: &Group) -> Vec<&Member> {
    let (current, past): (Vec<&Member>, Vec<&Member>) =
        g.members.iter().partition(|m| m.ended_at.is_none());
    current.into_iter().chain(past).collect()
}

impl GroupState {
    /// Starts reading a group.
    pub fn open(&mut self, id: String) -> Vec<Cmd> {
        let seq = self.record.open();
        self.selected = 0;
        self.member_lines.clear();
        self.marked.clear();
        self.form = None;
        vec![Cmd::Group { seq, id }]
    }

    /// Whether a form takes the keys.
    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    /// The group shown, as a reference for a split or a merge.
    fn as_ref_of(g: &Group) -> GroupRef {
        GroupRef {
            id: g.id.clone(),
            number: g.group_number.clone(),
            version: g.version,
            members: g
                .members
                .iter()
                .filter(|m| m.ended_at.is_none())
                .filter_map(|m| m.individual.as_ref())
                .map(|i| (i.id.clone(), i.full_name.clone()))
                .collect(),
        }
    }

    /// The answer to a split or a merge: done, the group to show is opened (the new one of a
    /// split, the one that stays after a merge); refused, the form stays with the reason.
    pub fn person_reply(
        &mut self,
        cmid: &str,
        result: &Result<Option<String>, ApiError>,
        lang: Lang,
    ) -> Option<Outcome> {
        let form = self.form.as_mut()?;
        if !form.answered(cmid, result.as_ref().err().cloned()) {
            return None;
        }
        let t = texts::get(lang);
        Some(match result {
            Ok(group) => {
                let merged = matches!(form.kind, group_form::Kind::Merge(_));
                let id = group.clone().unwrap_or_else(|| form.group.id.clone());
                if merged {
                    self.merge_source = None;
                }
                let cmds = self.open(id);
                self.done = Some(if merged { t.done_merge } else { t.done_split });
                Outcome::send(cmds)
            }
            Err(_) => Outcome::changed(true),
        })
    }

    /// A selection that leaves the page flips to the page that holds it.
    fn follow(&mut self, page: usize) {
        if let Some(&line) = self.member_lines.get(self.selected)
            && (line < self.record.top || line >= self.record.top + page)
        {
            self.record.top = line - line % page;
        }
    }

    pub fn key(&mut self, key: KeyEvent, ctx: &Ctx) -> Outcome {
        // Lines of the body one page holds, less the hint line.
        let page = page_lines(ctx.size, 3);
        let back = Nav::Back {
            fallback: Screen::Search,
            reread: false,
        };
        let Some(data) = self.record.data.as_ref() else {
            if key.code == KeyCode::Esc {
                return Outcome::go(back);
            }
            return Outcome::none();
        };
        if let Some(form) = self.form.as_mut() {
            return match form.handle(&key) {
                group_form::FormEvent::Close => {
                    self.form = None;
                    Outcome::changed(true)
                }
                group_form::FormEvent::Changed(c) => Outcome::changed(c),
                group_form::FormEvent::Send(cmd) => Outcome::send(vec![cmd]),
            };
        }
        self.done = None;
        let manages = ctx.me.is_some_and(|m| {
            m.roles
                .iter()
                .any(|r| r == "registration_clerk" || r == "supervisor")
        });
        let count = data.members.len();
        let ordered = members(data);
        match key.code {
            KeyCode::Char('x') if manages => {
                let Some(id) = ordered
                    .get(self.selected)
                    .filter(|m| m.ended_at.is_none())
                    .and_then(|m| m.individual.as_ref())
                    .map(|i| i.id.clone())
                else {
                    return Outcome::none();
                };
                if let Some(i) = self.marked.iter().position(|m| *m == id) {
                    self.marked.remove(i);
                } else {
                    self.marked.push(id);
                }
                Outcome::changed(true)
            }
            KeyCode::Char('s') if manages && !self.marked.is_empty() => {
                let group = Self::as_ref_of(data);
                let moving = group
                    .members
                    .iter()
                    .filter(|(id, _)| self.marked.contains(id))
                    .cloned()
                    .collect();
                self.form = Some(GroupForm::new(
                    group_form::Kind::Split,
                    group,
                    moving,
                    ctx.lang,
                ));
                Outcome::changed(true)
            }
            KeyCode::Char('m') if manages => {
                self.merge_source = Some(Self::as_ref_of(data));
                Outcome::changed(true)
            }
            KeyCode::Char('M') if manages => {
                let Some(source) = self.merge_source.clone().filter(|s| s.id != data.id) else {
                    return Outcome::none();
                };
                let moving = source.members.clone();
                self.form = Some(GroupForm::new(
                    group_form::Kind::Merge(source),
                    Self::as_ref_of(data),
                    moving,
                    ctx.lang,
                ));
                Outcome::changed(true)
            }
            KeyCode::Esc => Outcome::go(back),
            KeyCode::Down if self.selected + 1 < count => {
                self.selected += 1;
                self.follow(page);
                Outcome::changed(true)
            }
            KeyCode::Up if self.selected > 0 => {
                self.selected -= 1;
                self.follow(page);
                Outcome::changed(true)
            }
            KeyCode::Enter => {
                let id = members(data)
                    .get(self.selected)
                    .and_then(|m| m.individual.as_ref())
                    .map(|i| i.id.clone());
                match id {
                    Some(id) => Outcome::go(Nav::Individual(id)),
                    None => Outcome::none(),
                }
            }
            code => Outcome::changed(self.record.flip(code, page)),
        }
    }

    pub fn reply(
        &mut self,
        seq: u64,
        result: Result<Box<api::group::ResponseData>, ApiError>,
        ctx: &Ctx,
    ) {
        let t = texts::get(ctx.lang);
        let mut member_lines = Vec::new();
        let read = self
            .record
            .answer(seq, result.map(|d| d.registration_group), |g| {
                let (lines, members) = group_lines(t, g, self.selected, &[]);
                member_lines = members;
                lines.len()
            });
        if read {
            self.member_lines = member_lines;
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        t.keys
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let lines = self.record.body(
            |e| t.error(e),
            t.loading,
            |g| group_lines(t, g, self.selected, &self.marked).0,
        );
        let notes: Vec<Line> = self
            .done
            .map(|d| Line::styled(d, bold()))
            .into_iter()
            .chain(
                self.merge_source
                    .as_ref()
                    .filter(|s| self.record.data.as_ref().is_some_and(|d| d.id == s.id))
                    .map(|_| Line::styled(t.marked_for_merge, bold())),
            )
            .collect();
        self.record
            .draw(frame, area, lines, notes, t.more_below, t.hint);
        if let Some(form) = &self.form {
            group_form::draw(lang, form, frame, area);
        }
    }
}

/// The group's lines before paging, and the line of each member in [`members`]' order; the
/// selected member is highlighted. Their count and the members' lines are kept to page.
pub fn group_lines<'a>(
    t: &Texts,
    g: &'a Group,
    selected: usize,
    marked: &[String],
) -> (Vec<Line<'a>>, Vec<usize>) {
    let w = t;
    let status = match g.status.as_str() {
        "active" => w.active,
        "closed" => w.closed,
        other => other,
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(g.group_number.as_str(), bold()),
            Span::raw(format!("   {}: {status}", w.status)),
        ]),
        Line::raw(format!(
            "{}: {}   {}: {}",
            t.office,
            g.office.name,
            w.registered_on,
            when(&g.created_at)
        )),
    ];
    if let Some(reason) = &g.closed_reason {
        lines.push(Line::styled(format!("{}: {reason}", w.closed), dim()));
    }
    let mut member_lines = Vec::new();
    let ordered = members(g);
    for (i, m) in ordered.iter().enumerate() {
        if i == 0 || (m.ended_at.is_some() && ordered[i - 1].ended_at.is_none()) {
            let title = if m.ended_at.is_some() {
                w.past_members
            } else {
                w.members
            };
            lines.push(Line::styled(format!("{title}:"), bold()));
        }
        // 78 columns: relationship 15, number 16, name 22, then 25 for birth and needs, or for
        // when and why a past member left.
        let person = match (&m.individual, &m.ended_at) {
            (None, _) => w.out_of_scope.to_string(),
            (Some(p), Some(ended)) => format!(
                "{}{}{} {} ({})",
                cell(&p.individual_number, 16),
                cell(&p.full_name, 22),
                w.ended,
                when(ended).get(..10).unwrap_or(ended),
                m.end_reason.as_deref().unwrap_or("—")
            ),
            (Some(p), None) => {
                let needs: Vec<&str> = p
                    .specific_needs
                    .iter()
                    .map(|n| n.sub_code.as_deref().unwrap_or(&n.code))
                    .collect();
                format!(
                    "{}{}{} {:<11}{}",
                    cell(&p.individual_number, 16),
                    cell(&p.full_name, 22),
                    cell(p.sex.as_deref().unwrap_or("—"), 1),
                    p.date_of_birth.as_deref().unwrap_or("—"),
                    needs.join(" ")
                )
            }
        };
        let mark = m
            .individual
            .as_ref()
            .is_some_and(|i| marked.contains(&i.id));
        let relationship = t.relationship(&m.relationship);
        let rel = if mark {
            format!("* {relationship}")
        } else {
            relationship.to_string()
        };
        let text = format!("{}{person}", cell(&rel, 15));
        member_lines.push(lines.len());
        let style = if i == selected {
            focused()
        } else if m.ended_at.is_some() {
            dim()
        } else {
            Default::default()
        };
        lines.push(Line::styled(text, style));
    }
    lines.push(Line::styled(format!("{}:", t.history), bold()));
    for e in &g.history {
        lines.push(Line::raw(format!(
            "  {}  {:<16}{}",
            when(&e.at),
            e.actor,
            t.code(&e.kind)
        )));
    }
    (lines, member_lines)
}
