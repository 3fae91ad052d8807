//! View 6 of administration: the unit's field nodes (an office's machine that keeps working
//! with no link and syncs when it has one), with their state, last contact and what each has
//! waiting in both directions. `n` registers a node for an office and shows its one-time
//! enrolment code once, with the command that uses it; `x` revokes the chosen node after a
//! confirmation (it stops syncing and wipes its personal data on its next contact).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::super::simple_form::{Field, FieldKind, FormKey, SimpleForm};
use super::texts::Texts;
use super::{Sub, centered, chosen_line, clip};
use crate::api::{self, ApiError};
use crate::i18n::Lang;
use crate::msg::AdminOp;
use crate::widgets::{bold, dim, local_time};

pub type FieldNode = api::field_nodes::FieldNodesFieldNodes;
pub type NodeOffice = api::field_nodes::FieldNodesUnitOffices;

#[derive(Debug, Clone, Default)]
pub struct NodesView {
    pub nodes: Vec<FieldNode>,
    pub offices: Vec<NodeOffice>,
    pub chosen: usize,
    pub loaded: bool,
    pub form: Option<SimpleForm>,
    /// `x` was pressed on this node (id, version): the next key confirms or cancels.
    pub confirm: Option<(String, i64)>,
    /// An enrolment code just issued (node name, code, valid until), shown until the next key.
    pub code: Option<(String, String, String)>,
}

impl NodesView {
    pub fn set(&mut self, data: api::field_nodes::ResponseData) {
        self.nodes = data.field_nodes;
        self.offices = data.unit_offices;
        self.chosen = self.chosen.min(self.nodes.len().saturating_sub(1));
        self.loaded = true;
    }

    pub fn typing(&self) -> bool {
        self.form.is_some() || self.confirm.is_some()
    }

    /// A code came back: the form closes and the code is shown once.
    pub fn issued(&mut self, name: String, code: String, expires_at: String) {
        self.form = None;
        self.code = Some((name, code, expires_at));
    }

    /// The server refused the form's request; false when no form is open.
    pub fn refused(&mut self, e: ApiError) -> Result<(), ApiError> {
        match &mut self.form {
            Some(f) => {
                f.refused(e);
                Ok(())
            }
            None => Err(e),
        }
    }

    pub fn key(&mut self, key: KeyEvent, t: &Texts) -> Sub {
        if self.code.take().is_some() {
            return Sub::Redraw(true);
        }
        if let Some((id, version)) = self.confirm.take() {
            let yes = match t.lang() {
                Lang::Es => 's',
                Lang::En => 'y',
            };
            return if key.code == KeyCode::Char(yes) {
                Sub::Send {
                    cmid: None,
                    op: AdminOp::RevokeNode { id, version },
                }
            } else {
                Sub::Redraw(true)
            };
        }
        if let Some(form) = self.form.as_mut() {
            return match form.key(key) {
                FormKey::Cancel => {
                    self.form = None;
                    Sub::Redraw(true)
                }
                FormKey::Changed(c) => Sub::Redraw(c),
                FormKey::Send { values, cmid } => {
                    let v = |i: usize| values.get(i).cloned().unwrap_or_default();
                    Sub::Send {
                        cmid: Some(cmid),
                        op: AdminOp::RegisterNode {
                            office_code: v(0),
                            name: v(1).trim().to_string(),
                        },
                    }
                }
            };
        }
        match key.code {
            KeyCode::Up => {
                self.chosen = self.chosen.saturating_sub(1);
                Sub::Redraw(true)
            }
            KeyCode::Down => {
                self.chosen = (self.chosen + 1).min(self.nodes.len().saturating_sub(1));
                Sub::Redraw(true)
            }
            KeyCode::Char('g') => Sub::Reload,
            KeyCode::Esc => Sub::Back,
            KeyCode::Char('n') if !self.offices.is_empty() => {
                let offices = self
                    .offices
                    .iter()
                    .map(|o| (o.code.clone(), format!("{} {}", o.code, o.name)))
                    .collect();
                self.form = Some(SimpleForm::new(
                    t.node_form_title,
                    vec![
                        Field::choice(t.node_form_office, offices),
                        Field::new(t.node_form_name, FieldKind::Text),
                    ],
                ));
                Sub::Redraw(true)
            }
            KeyCode::Char('x') => match self.nodes.get(self.chosen) {
                // A node already revoked has nothing left to revoke.
                Some(n) if n.revoked_at.is_none() => {
                    self.confirm = Some((n.id.clone(), n.version));
                    Sub::Redraw(true)
                }
                _ => Sub::Redraw(false),
            },
            _ => Sub::Redraw(false),
        }
    }

    fn state(&self, t: &Texts, n: &FieldNode) -> &'static str {
        if n.wiped_at.is_some() {
            t.node_wiped
        } else if n.revoked_at.is_some() {
            t.node_revoked
        } else if n.enrolled_at.is_some() {
            t.node_enrolled
        } else if chrono::DateTime::parse_from_rfc3339(&n.enrol_expires_at)
            .is_ok_and(|d| d < chrono::Utc::now())
        {
            t.node_expired
        } else {
            t.node_awaiting_code
        }
    }

    pub fn hint(&self, t: &Texts) -> &'static str {
        if self.confirm.is_some() {
            t.node_revoke_ask
        } else {
            t.nodes_hint
        }
    }

    pub fn draw(&self, t: &Texts, frame: &mut Frame, area: Rect) {
        let row = |name: &str, office: &str, state: &str, contact: &str, up: &str, down: &str| {
            format!(
                "{:<20} {:<5} {:<14} {:<16} {:>9} {:>9}",
                clip(name, 20),
                clip(office, 5),
                clip(state, 14),
                contact,
                up,
                down
            )
        };
        let mut lines = vec![
            Line::styled(t.nodes_title, bold()),
            Line::styled(
                row(
                    t.col_node,
                    t.col_office,
                    t.col_state,
                    t.col_contact,
                    t.col_up,
                    t.col_down,
                ),
                bold(),
            ),
        ];
        if !self.loaded {
            lines.push(Line::styled(t.nodes_loading, dim()));
        } else if self.nodes.is_empty() {
            lines.push(Line::styled(t.no_nodes, dim()));
        }
        let rows = usize::from(area.height.saturating_sub(2)).max(1);
        let first = self.chosen.saturating_sub(rows - 1);
        for (i, n) in self.nodes.iter().enumerate().skip(first).take(rows) {
            let office = self
                .offices
                .iter()
                .find(|o| o.id == n.office_id)
                .map(|o| o.code.as_str())
                .unwrap_or("-");
            let contact = n
                .last_contact_at
                .as_deref()
                .map(local_time)
                .unwrap_or_else(|| "-".into());
            let text = row(
                &n.name,
                office,
                self.state(t, n),
                &contact,
                &n.backlog.to_string(),
                &n.behind.to_string(),
            );
            lines.push(chosen_line(text, i == self.chosen, area.width));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    /// The form and the code, over the whole screen's area.
    pub fn draw_popups(&self, t: &Texts, frame: &mut Frame, area: Rect) {
        if let Some(form) = &self.form {
            form.draw(t.lang(), frame, area);
        }
        if let Some((name, code, expires)) = &self.code {
            let popup = centered(area, 72, 11);
            frame.render_widget(Clear, popup);
            let lines = if code.is_empty() {
                vec![
                    Line::raw(name.clone()),
                    Line::raw(""),
                    Line::raw(t.node_code_lost),
                ]
            } else {
                vec![
                    Line::raw(t.code_for(name)),
                    Line::styled(format!("    {code}"), bold()),
                    Line::raw(t.code_until(&local_time(expires))),
                    Line::raw(""),
                    Line::raw(t.node_code_use),
                    Line::styled(
                        format!("  amparo-api node init --central URL --code {code} --data DIR"),
                        dim(),
                    ),
                    Line::styled(t.code_once, dim()),
                ]
            };
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(format!(" {} ", t.node_code_title))),
                popup,
            );
        }
    }
}
