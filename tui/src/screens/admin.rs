//! Unit administration, for unit admins (F7, and their home), in four views: `1` the unit's
//! users with role, scope, office, status and last login (`n` creates a user and shows their
//! one-time code once, `e` changes roles, office and scope, `d` disables or enables, `c` issues a
//! new one-time code, `p` forces a password change, `s` lists their sessions to end one); `2`
//! the offices; `3` the unit's settings and their history; `4` the access review; `5` the data
//! sharing agreements; `6` the field nodes (`nodes.rs`). The server
//! refuses whatever exceeds the admin's reach; this screen only shows the reason.

pub mod agreements;
mod nodes;
mod offices;
mod review;
mod settings;
mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::Outcome;
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{AdminData, AdminDone, AdminOp, AdminRead, Cmd};
use crate::widgets::{TextInput, bold, dim, error};

pub type User = api::users::UsersUsersEdgesNode;
pub type Office = api::users::UsersOffices;
pub type Session = api::user_sessions::UserSessionsUserSessions;

/// Which of the screen's lists is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    #[default]
    Users,
    /// The sessions of the user chosen in the users' list.
    Sessions,
    Offices,
    Settings,
    Review,
    /// The data sharing agreements with other units.
    Agreements,
    /// The unit's field nodes.
    Nodes,
}

/// Roles an admin can give, in the order the form cycles through them.
pub const ROLES: [&str; 8] = [
    "registration_clerk",
    "eligibility_officer",
    "supervisor",
    "protection_officer",
    "resettlement_officer",
    "analyst",
    "unit_admin",
    "assistance_officer",
];
const SCOPES: [&str; 3] = ["office", "unit", "own"];

#[derive(Debug, Clone, Default)]
pub struct AdminState {
    pub users: Vec<User>,
    pub offices: Vec<Office>,
    pub total: i64,
    pub chosen: usize,
    pub loaded: bool,
    pub error: Option<ApiError>,
    /// A one-time code just issued, shown until the next key.
    pub code: Option<(String, String, String)>,
    pub form: Option<NewUserForm>,
    /// The mutation out, so a retry keeps its clientMutationId.
    pub sent: Option<String>,
    pub view: View,
    /// The user whose sessions are shown (id, username), their sessions and the chosen one.
    pub sessions_of: Option<(String, String)>,
    pub sessions: Vec<Session>,
    pub session_chosen: usize,
    pub offices_view: offices::OfficesView,
    pub settings_view: settings::SettingsView,
    pub review_view: review::ReviewView,
    pub agreements_view: agreements::AgreementsView,
    pub nodes_view: nodes::NodesView,
}

/// A user's fields, new or changed; role, office and scope are chosen with ←/→, and Space adds
/// or removes the role shown (a user may hold several).
#[derive(Debug, Clone, Default)]
pub struct NewUserForm {
    pub username: TextInput,
    pub display_name: TextInput,
    /// The role shown in the role field.
    pub role: usize,
    /// Roles ticked with Space (indices of [`ROLES`]); none ticked means the role shown.
    pub roles: Vec<usize>,
    /// The user changed (id, version read); None for a new user.
    pub editing: Option<(String, i64)>,
    pub office: usize,
    pub scope: usize,
    pub focus: usize,
    pub cmid: String,
    pub error: Option<ApiError>,
}

impl AdminState {
    /// Shown: read the view's list.
    pub fn open(&mut self) -> Vec<Cmd> {
        self.error = None;
        self.reload()
    }

    /// The read behind the view shown.
    fn reload(&self) -> Vec<Cmd> {
        vec![match (self.view, &self.sessions_of) {
            (View::Sessions, Some((id, _))) => Cmd::AdminRead(AdminRead::Sessions {
                user_id: id.clone(),
            }),
            (View::Users | View::Sessions, _) => Cmd::AdminUsers,
            (View::Offices, _) => Cmd::AdminRead(AdminRead::Offices),
            (View::Settings, _) => Cmd::AdminRead(AdminRead::Settings),
            (View::Review, _) => Cmd::AdminRead(AdminRead::Review),
            (View::Agreements, _) => Cmd::AdminRead(AdminRead::Agreements),
            (View::Nodes, _) => Cmd::AdminRead(AdminRead::Nodes),
        }]
    }

    pub fn typing(&self) -> bool {
        self.form.is_some()
            || self.offices_view.form.is_some()
            || self.settings_view.editing.is_some()
            || self.agreements_view.form.is_some()
            || self.nodes_view.typing()
    }

    /// Changes made and not sent: settings edited but not saved.
    pub fn unsaved(&self) -> bool {
        self.settings_view.dirty
    }

    /// The answer to a read of the sessions, offices, settings or access review.
    pub fn read_reply(&mut self, result: Result<AdminData, ApiError>) {
        match result {
            Ok(AdminData::Sessions { user_id, sessions }) => {
                if self.sessions_of.as_ref().map(|s| &s.0) == Some(&user_id) {
                    self.sessions = sessions;
                    self.session_chosen = self
                        .session_chosen
                        .min(self.sessions.len().saturating_sub(1));
                    self.error = None;
                }
            }
            Ok(AdminData::Offices(list)) => {
                self.offices_view.set(list);
                self.error = None;
            }
            Ok(AdminData::Settings(data)) => {
                self.settings_view.set(*data);
                self.error = None;
            }
            Ok(AdminData::Review(lines)) => {
                self.review_view.set(lines);
                self.error = None;
            }
            Ok(AdminData::Agreements(rows)) => {
                self.agreements_view.set(rows);
                self.error = None;
            }
            Ok(AdminData::Nodes(data)) => {
                self.nodes_view.set(*data);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn chosen_user(&self) -> Option<&User> {
        self.users.get(self.chosen)
    }

    pub fn reply(&mut self, result: Result<api::users::ResponseData, ApiError>) {
        match result {
            Ok(d) => {
                self.users = d.users.edges.into_iter().map(|e| e.node).collect();
                self.total = d.users.total_count;
                self.offices = d.offices;
                self.chosen = self.chosen.min(self.users.len().saturating_sub(1));
                self.loaded = true;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// The answer to a change: a code to show, the list to read again, or the reason.
    pub fn act_reply(&mut self, cmid: &str, result: Result<AdminDone, ApiError>) -> Outcome {
        if self.sent.as_deref() != Some(cmid) {
            return Outcome::none();
        }
        self.sent = None;
        match result {
            Ok(AdminDone::Code {
                username,
                code,
                expires_at,
            }) => {
                self.form = None;
                self.code = Some((username, code, expires_at));
                Outcome::send(vec![Cmd::AdminUsers])
            }
            Ok(AdminDone::NodeCode {
                name,
                code,
                expires_at,
            }) => {
                self.nodes_view.issued(name, code, expires_at);
                Outcome::send(self.reload())
            }
            Ok(AdminDone::Changed) => {
                self.form = None;
                self.offices_view.form = None;
                self.settings_view.saved();
                Outcome::send(self.reload())
            }
            Err(e) => {
                if let Some(f) = &mut self.form {
                    f.error = Some(e);
                } else if let Some(f) = &mut self.offices_view.form {
                    f.error = Some(e);
                } else if let Err(e) = self.nodes_view.refused(e) {
                    self.error = Some(e);
                }
                Outcome::changed(true)
            }
        }
    }

    pub fn key(&mut self, key: KeyEvent, lang: Lang) -> Outcome {
        if self.code.take().is_some() {
            return Outcome::changed(true);
        }
        if self.form.is_some() {
            return self.form_key(key);
        }
        let switch = match key.code {
            KeyCode::Char('1') => Some(View::Users),
            KeyCode::Char('2') => Some(View::Offices),
            KeyCode::Char('3') => Some(View::Settings),
            KeyCode::Char('4') => Some(View::Review),
            KeyCode::Char('5') => Some(View::Agreements),
            KeyCode::Char('6') => Some(View::Nodes),
            _ => None,
        };
        if let Some(view) = switch.filter(|_| !self.typing()) {
            self.view = view;
            self.error = None;
            return Outcome::send(self.reload());
        }
        let done = match self.view {
            View::Users => None,
            View::Sessions => Some(self.sessions_key(key)),
            View::Offices => Some(self.offices_view.key(key)),
            View::Settings => Some(self.settings_view.key(key)),
            View::Review => Some(self.review_view.key(key)),
            View::Agreements => return self.agreements_view.key(key, self.reload(), lang),
            View::Nodes => Some(self.nodes_view.key(key, texts::get(lang))),
        };
        if let Some(out) = done {
            return self.carry(out);
        }
        match key.code {
            KeyCode::Up => {
                self.chosen = self.chosen.saturating_sub(1);
                Outcome::changed(true)
            }
            KeyCode::Down => {
                self.chosen = (self.chosen + 1).min(self.users.len().saturating_sub(1));
                Outcome::changed(true)
            }
            KeyCode::Char('g') => Outcome::send(self.open()),
            KeyCode::Char('n') => {
                self.form = Some(NewUserForm {
                    cmid: new_cmid(),
                    ..NewUserForm::default()
                });
                Outcome::changed(true)
            }
            KeyCode::Char('e') | KeyCode::Enter => {
                let Some(u) = self.chosen_user() else {
                    return Outcome::none();
                };
                let roles: Vec<usize> = u
                    .roles
                    .iter()
                    .filter_map(|r| ROLES.iter().position(|x| x == r))
                    .collect();
                self.form = Some(NewUserForm {
                    username: TextInput {
                        value: u.username.clone(),
                    },
                    display_name: TextInput {
                        value: u.display_name.clone(),
                    },
                    role: roles.first().copied().unwrap_or(0),
                    roles,
                    editing: Some((u.id.clone(), u.version)),
                    office: u
                        .office_id
                        .as_ref()
                        .and_then(|id| self.offices.iter().position(|o| &o.id == id))
                        .unwrap_or(0),
                    scope: SCOPES.iter().position(|s| *s == u.scope_level).unwrap_or(0),
                    focus: 1,
                    cmid: new_cmid(),
                    error: None,
                });
                Outcome::changed(true)
            }
            KeyCode::Char('s') => {
                let Some(u) = self.chosen_user() else {
                    return Outcome::none();
                };
                self.sessions_of = Some((u.id.clone(), u.username.clone()));
                self.sessions.clear();
                self.session_chosen = 0;
                self.view = View::Sessions;
                Outcome::send(self.reload())
            }
            KeyCode::Char('p') => {
                let Some(u) = self.chosen_user() else {
                    return Outcome::none();
                };
                let op = AdminOp::Update {
                    id: u.id.clone(),
                    version: u.version,
                    display_name: None,
                    roles: None,
                    office_id: None,
                    scope_level: None,
                    force_password_change: true,
                };
                self.send(op)
            }
            KeyCode::Char('d') => {
                let Some(u) = self.chosen_user() else {
                    return Outcome::none();
                };
                let op = if u.status == "DISABLED" {
                    AdminOp::Enable {
                        id: u.id.clone(),
                        version: u.version,
                    }
                } else {
                    AdminOp::Disable {
                        id: u.id.clone(),
                        version: u.version,
                    }
                };
                self.send(op)
            }
            KeyCode::Char('c') => {
                let Some(u) = self.chosen_user() else {
                    return Outcome::none();
                };
                let op = AdminOp::ResetCode { id: u.id.clone() };
                self.send(op)
            }
            _ => Outcome::none(),
        }
    }

    /// Carries out what a sub-view asked: a change to send (with a new clientMutationId unless
    /// the view keeps its own), reads, or a redraw.
    fn carry(&mut self, out: Sub) -> Outcome {
        match out {
            Sub::Redraw(changed) => Outcome::changed(changed),
            Sub::Reload => Outcome::send(self.reload()),
            Sub::Send { cmid, op } => {
                let cmid = cmid.unwrap_or_else(new_cmid);
                self.sent = Some(cmid.clone());
                self.error = None;
                Outcome::send(vec![Cmd::AdminAct { cmid, op }])
            }
            Sub::Back => {
                self.view = View::Users;
                Outcome::send(self.reload())
            }
        }
    }

    /// Keys of a user's sessions: ↑↓ choose, `x` ends the chosen one, Esc goes back.
    fn sessions_key(&mut self, key: KeyEvent) -> Sub {
        match key.code {
            KeyCode::Esc => Sub::Back,
            KeyCode::Up => {
                self.session_chosen = self.session_chosen.saturating_sub(1);
                Sub::Redraw(true)
            }
            KeyCode::Down => {
                self.session_chosen =
                    (self.session_chosen + 1).min(self.sessions.len().saturating_sub(1));
                Sub::Redraw(true)
            }
            KeyCode::Char('g') => Sub::Reload,
            KeyCode::Char('x') => match self.sessions.get(self.session_chosen) {
                Some(s) => Sub::Send {
                    cmid: None,
                    op: AdminOp::EndSession { id: s.id.clone() },
                },
                None => Sub::Redraw(false),
            },
            _ => Sub::Redraw(false),
        }
    }

    fn send(&mut self, op: AdminOp) -> Outcome {
        let cmid = new_cmid();
        self.sent = Some(cmid.clone());
        self.error = None;
        Outcome::send(vec![Cmd::AdminAct { cmid, op }])
    }

    fn form_key(&mut self, key: KeyEvent) -> Outcome {
        let offices = self.offices.len().max(1);
        let Some(f) = &mut self.form else {
            return Outcome::none();
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.form = None;
                Outcome::changed(true)
            }
            KeyCode::Char(' ') if f.focus == 2 => {
                match f.roles.iter().position(|r| *r == f.role) {
                    Some(i) => {
                        f.roles.remove(i);
                    }
                    None => {
                        f.roles.push(f.role);
                        f.roles.sort_unstable();
                    }
                }
                f.cmid = new_cmid();
                Outcome::changed(true)
            }
            KeyCode::Char('s') if ctrl => {
                let roles: Vec<String> = if f.roles.is_empty() {
                    vec![ROLES[f.role].to_string()]
                } else {
                    f.roles.iter().map(|r| ROLES[*r].to_string()).collect()
                };
                let office_id = self.offices.get(f.office).map(|o| o.id.clone());
                let op = match &f.editing {
                    Some((id, version)) => AdminOp::Update {
                        id: id.clone(),
                        version: *version,
                        display_name: Some(f.display_name.value.trim().to_string()),
                        roles: Some(roles),
                        office_id,
                        scope_level: Some(SCOPES[f.scope].to_string()),
                        force_password_change: false,
                    },
                    None => AdminOp::Create {
                        username: f.username.value.trim().to_string(),
                        display_name: f.display_name.value.trim().to_string(),
                        roles,
                        office_id,
                        scope_level: SCOPES[f.scope].to_string(),
                    },
                };
                f.error = None;
                let cmid = f.cmid.clone();
                self.sent = Some(cmid.clone());
                Outcome::send(vec![Cmd::AdminAct { cmid, op }])
            }
            KeyCode::Tab | KeyCode::Down | KeyCode::Enter => {
                f.focus = (f.focus + 1) % 5;
                Outcome::changed(true)
            }
            KeyCode::BackTab | KeyCode::Up => {
                f.focus = (f.focus + 4) % 5;
                Outcome::changed(true)
            }
            KeyCode::Left | KeyCode::Right if f.focus >= 2 => {
                let step = |i: &mut usize, n: usize| {
                    *i = if key.code == KeyCode::Right {
                        (*i + 1) % n
                    } else {
                        (*i + n - 1) % n
                    };
                };
                match f.focus {
                    2 => step(&mut f.role, ROLES.len()),
                    3 => step(&mut f.office, offices),
                    _ => step(&mut f.scope, SCOPES.len()),
                }
                // A changed form is another request.
                f.cmid = new_cmid();
                Outcome::changed(true)
            }
            _ => {
                let field = match f.focus {
                    // A username is kept for good: only a new user's is typed.
                    0 if f.editing.is_none() => &mut f.username,
                    1 => &mut f.display_name,
                    _ => return Outcome::none(),
                };
                let changed = field.edit(&key);
                if changed {
                    f.cmid = new_cmid();
                }
                Outcome::changed(changed)
            }
        }
    }

    pub fn help(&self, lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        match self.view {
            _ if self.form.is_some() => t.keys_form,
            View::Users => t.keys_list,
            View::Sessions => t.keys_sessions,
            View::Offices if self.offices_view.form.is_some() => t.keys_office_form,
            View::Offices => t.keys_offices,
            View::Settings => t.keys_settings,
            View::Review => t.keys_review,
            View::Agreements => agreements::AgreementsView::help(lang),
            View::Nodes => t.keys_nodes,
        }
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let tabs = Rect { height: 1, ..area };
        frame.render_widget(Line::styled(t.tabs(self.view), dim()), tabs);
        let area = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let foot = Rect::new(
            area.x,
            area.y + area.height.saturating_sub(2),
            area.width,
            2,
        );
        let body = Rect {
            height: area.height.saturating_sub(2),
            ..area
        };
        match self.view {
            View::Users => {}
            View::Sessions => self.draw_sessions(t, frame, body),
            View::Offices => self.offices_view.draw(t, frame, body),
            View::Settings => self.settings_view.draw(t, frame, body),
            View::Review => self.review_view.draw(t, frame, body),
            View::Agreements => self.agreements_view.draw(lang, frame, body),
            View::Nodes => self.nodes_view.draw(t, frame, body),
        }
        if self.view != View::Users {
            let hint = match self.view {
                View::Sessions => t.sessions_hint,
                View::Offices => t.offices_hint,
                View::Settings => self.settings_view.hint(t),
                View::Agreements => agreements::AgreementsView::hint(lang),
                View::Nodes => self.nodes_view.hint(t),
                _ => t.review_hint,
            };
            self.draw_foot(t, frame, foot, None, hint);
            if self.view == View::Offices {
                self.offices_view.draw_form(t, frame, area);
            }
            if let Some(form) = &self.agreements_view.form {
                form.draw(lang, frame, area);
            }
            if self.view == View::Nodes {
                self.nodes_view.draw_popups(t, frame, area);
            }
            return;
        }
        self.draw_users(t, frame, area, foot);
    }

    fn draw_foot(
        &self,
        t: &texts::Texts,
        frame: &mut Frame,
        foot: Rect,
        first: Option<String>,
        hint: &str,
    ) {
        if let Some(e) = &self.error {
            frame.render_widget(
                Paragraph::new(t.error(e))
                    .style(error())
                    .wrap(Wrap { trim: true }),
                foot,
            );
        } else {
            frame.render_widget(
                Paragraph::new(vec![
                    Line::raw(first.unwrap_or_default()),
                    Line::styled(hint.to_string(), dim()),
                ]),
                foot,
            );
        }
    }

    fn draw_sessions(&self, t: &texts::Texts, frame: &mut Frame, area: Rect) {
        let who = self
            .sessions_of
            .as_ref()
            .map(|s| s.1.as_str())
            .unwrap_or("");
        let mut lines = vec![
            Line::styled(t.sessions_of(who, self.sessions.len()), bold()),
            Line::styled(
                format!(
                    "{:<8} {:<16} {:<16} {:<16} {}",
                    t.col_kind, t.col_opened, t.col_used, t.col_expires, t.col_name
                ),
                bold(),
            ),
        ];
        for (i, s) in self.sessions.iter().enumerate() {
            let kind = if s.kind == "api" {
                t.kind_api
            } else {
                t.kind_session
            };
            let text = format!(
                "{:<8} {:<16} {:<16} {:<16} {}",
                kind,
                crate::widgets::local_time(&s.created_at),
                crate::widgets::local_time(&s.last_used_at),
                crate::widgets::local_time(&s.expires_at),
                clip(s.name.as_deref().unwrap_or("-"), 18)
            );
            lines.push(chosen_line(text, i == self.session_chosen, area.width));
        }
        if self.sessions.is_empty() {
            lines.push(Line::raw(t.no_sessions));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn draw_users(&self, t: &texts::Texts, frame: &mut Frame, area: Rect, foot: Rect) {
        let mut lines = vec![Line::styled(
            format!(
                "{:<18} {:<22} {:<7} {:<5} {:<9} {}",
                t.col_user, t.col_roles, t.col_scope, t.col_office, t.col_status, t.col_login
            ),
            bold(),
        )];
        if !self.loaded && self.error.is_none() {
            lines.push(Line::raw(t.loading));
        }
        let rows = usize::from(area.height.saturating_sub(4)).max(1);
        let first = self.chosen.saturating_sub(rows - 1);
        for (i, u) in self.users.iter().enumerate().skip(first).take(rows) {
            let office = u
                .office_id
                .as_ref()
                .and_then(|id| self.offices.iter().find(|o| &o.id == id))
                .map(|o| o.code.as_str())
                .unwrap_or("-");
            let status = match u.status.as_str() {
                "DISABLED" => t.disabled,
                "PENDING" => t.pending,
                _ => t.active,
            };
            let login = u
                .last_login_at
                .as_deref()
                .and_then(|l| l.get(..10))
                .unwrap_or("-");
            let text = format!(
                "{:<18} {:<22} {:<7} {:<5} {:<9} {}",
                clip(&u.username, 18),
                clip(
                    &u.roles
                        .iter()
                        .map(|r| t.role(r))
                        .collect::<Vec<_>>()
                        .join(","),
                    22
                ),
                t.scope(&u.scope_level),
                clip(office, 5),
                status,
                login
            );
            lines.push(chosen_line(text, i == self.chosen, area.width));
        }
        frame.render_widget(
            Paragraph::new(lines),
            Rect {
                height: area.height.saturating_sub(2),
                ..area
            },
        );
        self.draw_foot(t, frame, foot, Some(t.total(self.total)), t.list_hint);
        if let Some(f) = &self.form {
            self.draw_form(f, t, frame, area);
        }
        if let Some((user, code, expires)) = &self.code {
            // Room for the validity to wrap: the office's clock can have a long name.
            let popup = centered(area, 60, 9);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::raw(t.code_for(user)),
                    Line::raw(""),
                    Line::styled(format!("    {code}"), bold()),
                    Line::raw(""),
                    Line::raw(t.code_until(&crate::widgets::local_time(expires))),
                    Line::styled(t.code_once, dim()),
                ])
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(" {} ", t.code_title))),
                popup,
            );
        }
    }

    fn draw_form(&self, f: &NewUserForm, t: &texts::Texts, frame: &mut Frame, area: Rect) {
        let popup = centered(area, 64, 10);
        frame.render_widget(Clear, popup);
        let office = self
            .offices
            .get(f.office)
            .map(|o| format!("{} {}", o.code, o.name))
            .unwrap_or_default();
        let tick = match (f.roles.is_empty(), f.roles.contains(&f.role)) {
            (true, _) => "",
            (false, true) => " ✓",
            (false, false) => " ·",
        };
        let values = [
            f.username.value.clone(),
            f.display_name.value.clone(),
            format!("◂ {} ▸{tick}", t.role(ROLES[f.role])),
            format!("◂ {office} ▸"),
            format!("◂ {} ▸", t.scope(SCOPES[f.scope])),
        ];
        let mut lines: Vec<Line> = t
            .form_labels
            .iter()
            .zip(values)
            .enumerate()
            .map(|(i, (label, value))| {
                let marker = if i == f.focus { "›" } else { " " };
                Line::from(vec![
                    Span::raw(format!("{marker} {label:<16}")),
                    Span::raw(value),
                ])
            })
            .collect();
        if f.roles.is_empty() {
            lines.push(Line::raw(""));
        } else {
            let held: Vec<&str> = f.roles.iter().map(|r| t.role(ROLES[*r])).collect();
            lines.push(Line::styled(
                format!("  {} {}", t.roles_held, held.join(", ")),
                dim(),
            ));
        }
        match &f.error {
            Some(e) => lines.push(Line::styled(t.error(e), error())),
            None => lines.push(Line::styled(t.form_hint, dim())),
        }
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(
                    " {} ",
                    if f.editing.is_some() {
                        t.edit_title
                    } else {
                        t.form_title
                    }
                ))),
            popup,
        );
    }
}

/// What a sub-view's key asks of the screen.
pub enum Sub {
    Redraw(bool),
    Reload,
    /// A change to send; `cmid` when the view keeps its own across retries.
    Send {
        cmid: Option<String>,
        op: AdminOp,
    },
    /// Back to the users' list.
    Back,
}

/// A list row, reversed when it is the chosen one.
fn chosen_line(text: String, chosen: bool, width: u16) -> Line<'static> {
    if chosen {
        Line::styled(
            format!("{text:<w$}", w = usize::from(width)),
            bold().add_modifier(ratatui::style::Modifier::REVERSED),
        )
    } else {
        Line::raw(text)
    }
}

fn new_cmid() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(n - 1).collect();
        c.push('…');
        c
    }
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

impl AdminState {
    /// The answer to an agreement recorded from view 5; `None` if not ours.
    pub fn agreement_reply(
        &mut self,
        cmid: &str,
        result: Result<String, ApiError>,
    ) -> Option<Outcome> {
        match self.agreements_view.reply(cmid, result)? {
            true => Some(Outcome::send(self.reload())),
            false => Some(Outcome::changed(true)),
        }
    }
}
