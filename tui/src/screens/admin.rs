//! Unit administration, for unit admins (F7, and their home): the unit's users with role, scope,
//! office, status and last login; `n` creates a user and shows their one-time code once; `d`
//! disables or enables the chosen user; `c` issues a new one-time code. The server refuses
//! whatever exceeds the admin's reach; this screen only shows the reason.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::Outcome;
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{AdminDone, AdminOp, Cmd};
use crate::widgets::{TextInput, bold, dim, error};

pub type User = api::users::UsersUsersEdgesNode;
pub type Office = api::users::UsersOffices;

/// Roles an admin can give, in the order the form cycles through them.
pub const ROLES: [&str; 6] = [
    "registration_clerk",
    "eligibility_officer",
    "supervisor",
    "protection_officer",
    "analyst",
    "unit_admin",
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
}

/// The new user's fields; role, office and scope are chosen with ←/→.
#[derive(Debug, Clone, Default)]
pub struct NewUserForm {
    pub username: TextInput,
    pub display_name: TextInput,
    pub role: usize,
    pub office: usize,
    pub scope: usize,
    pub focus: usize,
    pub cmid: String,
    pub error: Option<ApiError>,
}

impl AdminState {
    /// Shown: read the users.
    pub fn open(&mut self) -> Vec<Cmd> {
        self.error = None;
        vec![Cmd::AdminUsers]
    }

    pub fn typing(&self) -> bool {
        self.form.is_some()
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
            Ok(AdminDone::Changed) => Outcome::send(vec![Cmd::AdminUsers]),
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
        if self.code.take().is_some() {
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
            KeyCode::Char('s') if ctrl => {
                let op = AdminOp::Create {
                    username: f.username.value.trim().to_string(),
                    display_name: f.display_name.value.trim().to_string(),
                    roles: vec![ROLES[f.role].to_string()],
                    office_id: self.offices.get(f.office).map(|o| o.id.clone()),
                    scope_level: SCOPES[f.scope].to_string(),
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
                    0 => &mut f.username,
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
        if self.form.is_some() {
            t.keys_form
        } else {
            t.keys_list
        }
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
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
                    Line::raw(t.total(self.total)),
                    Line::styled(t.list_hint, dim()),
                ]),
                foot,
            );
        }
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
        let popup = centered(area, 64, 9);
        frame.render_widget(Clear, popup);
        let office = self
            .offices
            .get(f.office)
            .map(|o| format!("{} {}", o.code, o.name))
            .unwrap_or_default();
        let values = [
            f.username.value.clone(),
            f.display_name.value.clone(),
            format!("◂ {} ▸", t.role(ROLES[f.role])),
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
        lines.push(Line::raw(""));
        match &f.error {
            Some(e) => lines.push(Line::styled(t.error(e), error())),
            None => lines.push(Line::styled(t.form_hint, dim())),
        }
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(" {} ", t.form_title))),
            popup,
        );
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
