//! The registration group screen: who belongs to a household now and who left it, reached with
//! `g` from a member's record. State, keys and replies; [`crate::view_group`] draws it.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::api::{self, ApiError};
use crate::app::{App, Cmd, Screen};

pub type Group = api::group::GroupRegistrationGroup;
pub type Member = api::group::GroupRegistrationGroupMembers;

#[derive(Debug, Clone, Default)]
pub struct GroupState {
    pub seq: u64,
    pub loading: bool,
    pub data: Option<Group>,
    pub error: Option<ApiError>,
    /// Index into [`members`]' order.
    pub selected: usize,
    /// First line shown: the view flips by whole pages.
    pub top: usize,
    pub came_from: Option<Screen>,
}

/// Current members first, then past ones, each in the server's order (the focal point leads).
pub fn members(g: &Group) -> Vec<&Member> {
    let (current, past): (Vec<&Member>, Vec<&Member>) =
        g.members.iter().partition(|m| m.ended_at.is_none());
    current.into_iter().chain(past).collect()
}

pub fn open(app: &mut App, id: String, cmds: &mut Vec<Cmd>) {
    // Esc goes back to where the group was opened from, not to the group's previous origin.
    if app.screen != Screen::Group {
        app.group.came_from = Some(app.screen);
    }
    app.group.seq += 1;
    app.group.loading = true;
    app.group.data = None;
    app.group.error = None;
    app.group.selected = 0;
    app.group.top = 0;
    app.screen = Screen::Group;
    let seq = app.group.seq;
    app.send(cmds, Cmd::Group { seq, id });
}

/// Lines of the body one page holds, less the hint line.
fn page(app: &App) -> usize {
    usize::from(app.size.1.saturating_sub(3)).max(1)
}

pub fn key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    let page = page(app);
    let t = app.lang.text();
    let g = &mut app.group;
    let Some(data) = g.data.as_ref() else {
        if key.code == KeyCode::Esc {
            app.screen = g.came_from.take().unwrap_or(Screen::Search);
            return true;
        }
        return false;
    };
    let count = data.members.len();
    let (lines, member_lines) = crate::view_group::group_lines(t, data, g.selected);
    let total = lines.len();
    let follow = |g: &mut GroupState| {
        // A selection that leaves the page flips to the page that holds it.
        if let Some(&line) = member_lines.get(g.selected)
            && (line < g.top || line >= g.top + page)
        {
            g.top = line - line % page;
        }
    };
    match key.code {
        KeyCode::Esc => {
            app.screen = g.came_from.take().unwrap_or(Screen::Search);
            true
        }
        KeyCode::Down if g.selected + 1 < count => {
            g.selected += 1;
            follow(g);
            true
        }
        KeyCode::Up if g.selected > 0 => {
            g.selected -= 1;
            follow(g);
            true
        }
        KeyCode::PageDown | KeyCode::Char('n') | KeyCode::Char(' ') if g.top + page < total => {
            g.top += page;
            true
        }
        KeyCode::PageUp | KeyCode::Char('p') if g.top > 0 => {
            g.top = g.top.saturating_sub(page);
            true
        }
        KeyCode::Enter => {
            let id = members(data)
                .get(g.selected)
                .and_then(|m| m.individual.as_ref())
                .map(|i| i.id.clone());
            match id {
                Some(id) => {
                    app.open_individual(id, cmds);
                    true
                }
                None => false,
            }
        }
        _ => false,
    }
}

pub fn reply(app: &mut App, seq: u64, result: Result<Box<api::group::ResponseData>, ApiError>) {
    let g = &mut app.group;
    if seq != g.seq {
        return;
    }
    g.loading = false;
    match result {
        Ok(data) => g.data = Some(data.registration_group),
        Err(e) => g.error = Some(e),
    }
}
