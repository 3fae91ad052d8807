//! One resettlement case: step, priority, categories, the people, assessments and reviews,
//! submissions to states with the state's interview and decision, departure or exit, history;
//! and exactly its `allowedActions`, each opened by its key (the domain's table,
//! `amparo_domain::resettlement::ACTIONS`) into a form. The same screen, with no case yet, is
//! the hand-off of a family from a protection case (`R` on the protection case screen).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use amparo_domain::resettlement::{ACTIONS, ActionInfo, CATEGORIES, ExitReason, Priority};

use super::protection::pick;
use super::resettlement::{priority_name, step_name};
use super::simple_form::{Field, FieldKind, FormKey, SimpleForm};
use super::{Ctx, Nav, Outcome, Screen};
use crate::api::{ApiError, ResettlementAction as K};
use crate::i18n::{self, Lang};
use crate::msg::{Cmd, ResettlementCaseData, ResettlementInput};
use crate::widgets::{bold, dim, ellipsis, error, local_time};

fn opts(items: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    items.into_iter().collect()
}

/// A submission category's name.
pub fn category_name(code: &str, lang: Lang) -> String {
    CATEGORIES.iter().find(|(c, ..)| *c == code).map_or_else(
        || code.to_string(),
        |(c, es, en)| format!("{c} {}", pick(lang, es, en)),
    )
}

fn exit_name(r: &str, lang: Lang) -> &'static str {
    match r {
        "withdrawn" | "WITHDRAWN" => pick(lang, "desistió", "withdrawn"),
        "need_resolved" | "NEED_RESOLVED" => pick(lang, "necesidad resuelta", "need resolved"),
        "other_durable_solution" | "OTHER_DURABLE_SOLUTION" => {
            pick(lang, "otra solución duradera", "other durable solution")
        }
        "no_state_accepted" | "NO_STATE_ACCEPTED" => {
            pick(lang, "ningún Estado aceptó", "no state accepted")
        }
        "lost_contact" | "LOST_CONTACT" => pick(lang, "sin contacto", "lost contact"),
        "deceased" | "DECEASED" => pick(lang, "falleció", "deceased"),
        _ => "?",
    }
}

/// The fields of the hand-off form, in the order `ResettlementInput::Open` takes them.
fn handoff_fields(lang: Lang) -> Vec<Field> {
    vec![
        Field::choice(
            pick(lang, "Categoría", "Category"),
            opts(
                CATEGORIES
                    .iter()
                    .map(|(c, ..)| (c.to_string(), category_name(c, lang))),
            ),
        ),
        Field::choice(
            pick(lang, "Prioridad", "Priority"),
            opts(Priority::ALL.iter().map(|p| {
                let wire = p.as_str().to_uppercase();
                let label = priority_name(&wire, lang).to_string();
                (wire, label)
            })),
        ),
        Field::new(pick(lang, "Motivo", "Why"), FieldKind::Text),
    ]
}

/// The fields of `kind`'s form, in the order the runtime reads them
/// (`runtime::sharing::resettle`).
pub fn fields(kind: K, lang: Lang) -> Vec<Field> {
    let date = || Field::new(pick(lang, "Fecha", "Date"), FieldKind::Date);
    match kind {
        K::RecordAssessment => vec![Field::new(
            pick(lang, "Evaluación", "Assessment"),
            FieldKind::Text,
        )],
        K::ReviewAssessment => vec![
            Field::choice(
                pick(lang, "Decisión", "Decision"),
                opts([
                    (
                        "approve".to_string(),
                        pick(lang, "aprobar", "approve").to_string(),
                    ),
                    (
                        "return".to_string(),
                        pick(lang, "devolver", "return").to_string(),
                    ),
                ]),
            ),
            Field::new(pick(lang, "Nota", "Note"), FieldKind::Optional),
        ],
        K::Submit => vec![
            Field::new(pick(lang, "Estado (ISO3)", "State (ISO3)"), FieldKind::Text),
            date(),
            Field::new(pick(lang, "Expediente", "Dossier ref."), FieldKind::Text),
        ],
        K::RecordInterview | K::RecordDeparture => vec![date()],
        K::RecordDecision => vec![
            Field::choice(
                pick(lang, "Decisión", "Decision"),
                opts([
                    (
                        "ACCEPTED".to_string(),
                        pick(lang, "aceptado", "accepted").to_string(),
                    ),
                    (
                        "REJECTED".to_string(),
                        pick(lang, "rechazado", "rejected").to_string(),
                    ),
                ]),
            ),
            date(),
        ],
        K::Exit => vec![
            Field::choice(
                pick(lang, "Motivo", "Reason"),
                opts(ExitReason::ALL.iter().map(|r| {
                    (
                        r.as_str().to_uppercase(),
                        exit_name(r.as_str(), lang).to_string(),
                    )
                })),
            ),
            Field::new(pick(lang, "Nota", "Note"), FieldKind::Optional),
        ],
    }
}

/// A history entry's kind in `lang`: the step's label, or how the case began.
fn event_name(kind: &str, lang: Lang) -> Option<&'static str> {
    match kind {
        "identified" => Some(pick(lang, "identificado", "identified")),
        "handed_off" => Some(pick(
            lang,
            "pasado desde protección",
            "handed over from protection",
        )),
        other => ACTIONS
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(other))
            .map(|a| label(a, lang)),
    }
}

/// An action's name in `lang`.
pub fn label(a: &ActionInfo, lang: Lang) -> &'static str {
    pick(lang, a.label_es, a.label_en)
}

/// The resettlement case screen.
#[derive(Debug, Clone, Default)]
pub struct ResettlementCaseState {
    pub id: Option<String>,
    pub case: Option<Box<ResettlementCaseData>>,
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
    pub offset: usize,
    pub form: Option<SimpleForm>,
    /// The action the form is for (None: the hand-off).
    pub kind: Option<K>,
    /// A hand-off: (protection case, principal).
    pub handoff: Option<(String, String)>,
    /// Said after an action went through.
    pub done: Option<&'static str>,
}

impl ResettlementCaseState {
    pub fn open(&mut self, id: String) -> Vec<Cmd> {
        *self = Self {
            seq: self.seq,
            ..Self::default()
        };
        self.id = Some(id);
        vec![self.load()]
    }

    /// The hand-off form for a protection case's family, with no case read yet.
    pub fn hand_off(&mut self, protection_case_id: String, principal_id: String, lang: Lang) {
        *self = Self {
            seq: self.seq,
            ..Self::default()
        };
        self.handoff = Some((protection_case_id, principal_id));
        self.form = Some(SimpleForm::new(
            pick(lang, "Pasar a reasentamiento", "Hand over to resettlement"),
            handoff_fields(lang),
        ));
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        Cmd::ResettlementCase {
            seq: self.seq,
            id: self.id.clone().unwrap_or_default(),
        }
    }

    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn reply(&mut self, seq: u64, result: Result<Box<ResettlementCaseData>, ApiError>) {
        if seq != self.seq {
            return;
        }
        self.loading = false;
        match result {
            Ok(c) => {
                self.case = Some(c);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// The answer to a hand-off or an action sent from this screen; `None` if not ours.
    pub fn act_reply(
        &mut self,
        cmid: &str,
        result: Result<String, ApiError>,
        ctx: &Ctx,
    ) -> Option<Outcome> {
        let form = self.form.as_mut()?;
        if form.cmid.as_deref() != Some(cmid) {
            return None;
        }
        form.sending = false;
        Some(match result {
            Ok(id) => {
                self.form = None;
                let handed = self.handoff.take().is_some();
                if handed && !reads_resettlement(ctx) {
                    // The case is resettlement staff's to read: the hand-off is confirmed and
                    // Esc goes back to the protection case.
                    self.done = Some("handed");
                    return Some(Outcome::changed(true));
                }
                self.done = Some(if handed { "handed" } else { "done" });
                self.id = Some(id);
                Outcome::send(vec![self.load()])
            }
            Err(e) => {
                let conflict = matches!(e, ApiError::Conflict(_));
                form.refused(e);
                if conflict && self.id.is_some() {
                    Outcome::send(vec![self.load()])
                } else {
                    Outcome::changed(true)
                }
            }
        })
    }

    pub fn key(&mut self, key: KeyEvent, ctx: &Ctx) -> Outcome {
        if let Some(form) = self.form.as_mut() {
            return match form.key(key) {
                FormKey::Cancel => {
                    self.form = None;
                    if self.handoff.take().is_some() {
                        return Outcome::go(Nav::Back {
                            fallback: Screen::Protection,
                            reread: false,
                        });
                    }
                    Outcome::changed(true)
                }
                FormKey::Changed(c) => Outcome::changed(c),
                FormKey::Send { values, cmid } => {
                    let input = match (self.kind, self.case.as_deref(), &self.handoff) {
                        (_, _, Some((pc, principal))) => ResettlementInput::Open {
                            principal_id: principal.clone(),
                            protection_case_id: Some(pc.clone()),
                            category: values.first().cloned().unwrap_or_default(),
                            priority: values.get(1).cloned().unwrap_or_default(),
                            summary: values.get(2).cloned().unwrap_or_default(),
                        },
                        (Some(kind), Some(case), None) => ResettlementInput::Act {
                            case_id: case.id.clone(),
                            version: case.version,
                            kind,
                            values,
                        },
                        _ => return Outcome::none(),
                    };
                    Outcome::send(vec![Cmd::Resettlement { cmid, input }])
                }
            };
        }
        let page = super::page_lines(ctx.size, 6);
        match key.code {
            KeyCode::Esc => Outcome::go(Nav::Back {
                fallback: if self.case.is_some() {
                    Screen::Resettlement
                } else {
                    Screen::Protection
                },
                reread: true,
            }),
            KeyCode::Char('g') => Outcome::send(vec![self.load()]),
            KeyCode::PageDown => {
                self.offset += page;
                Outcome::changed(true)
            }
            KeyCode::PageUp => {
                self.offset = self.offset.saturating_sub(page);
                Outcome::changed(true)
            }
            KeyCode::Char(c) => {
                let Some(case) = self.case.as_deref() else {
                    return Outcome::none();
                };
                let Some(a) = ACTIONS
                    .iter()
                    .find(|a| a.key == c && case.allowed_actions.contains(&a.kind))
                else {
                    return Outcome::none();
                };
                self.done = None;
                self.kind = Some(a.kind);
                self.form = Some(SimpleForm::new(
                    label(a, ctx.lang),
                    fields(a.kind, ctx.lang),
                ));
                Outcome::changed(true)
            }
            _ => Outcome::none(),
        }
    }

    pub fn help(&self, lang: Lang) -> Vec<(String, String)> {
        if self.form.is_some() {
            return SimpleForm::help(lang);
        }
        let mut out: Vec<(String, String)> = Vec::new();
        if let Some(case) = self.case.as_deref() {
            for a in ACTIONS
                .iter()
                .filter(|a| case.allowed_actions.contains(&a.kind))
            {
                out.push((a.key.to_string(), label(a, lang).to_string()));
            }
        }
        for (k, d) in [
            ("PgDn PgUp", pick(lang, "página", "page")),
            ("g", pick(lang, "volver a leer", "read again")),
            ("Esc", pick(lang, "volver", "back")),
        ] {
            out.push((k.into(), d.into()));
        }
        out
    }

    fn lines(&self, lang: Lang, width: usize) -> Vec<Line<'static>> {
        let Some(c) = self.case.as_deref() else {
            return Vec::new();
        };
        let t = i18n::text(lang);
        let hidden = || "***".to_string();
        let mut l = vec![Line::from(vec![
            Span::styled(c.case_number.clone(), bold()),
            Span::raw(format!(
                "  {}  {}: {}",
                step_name(&format!("{:?}", c.status), lang),
                pick(lang, "prioridad", "priority"),
                priority_name(&format!("{:?}", c.priority), lang),
            )),
        ])];
        l.push(Line::raw(format!(
            "{}: {}  {}: {}{}",
            pick(lang, "Identificado", "Identified"),
            c.identified_on,
            pick(lang, "Vence", "Due"),
            c.due_on.clone().unwrap_or_else(|| "—".into()),
            if c.overdue {
                pick(lang, "  VENCIDO", "  OVERDUE")
            } else {
                ""
            }
        )));
        l.push(Line::raw(ellipsis(
            &format!(
                "{}: {}",
                pick(lang, "Categorías", "Categories"),
                if c.restricted {
                    pick(lang, "reservadas", "restricted").to_string()
                } else {
                    c.categories
                        .iter()
                        .map(|x| category_name(x, lang))
                        .collect::<Vec<_>>()
                        .join("; ")
                }
            ),
            width,
        )));
        if let Some(s) = &c.summary {
            l.push(Line::raw(ellipsis(
                &format!("{}: {s}", pick(lang, "Motivo", "Why")),
                width,
            )));
        }
        if c.protection_case_id.is_some() {
            l.push(Line::styled(
                pick(
                    lang,
                    "Pasado desde un caso de protección",
                    "Handed over from a protection case",
                ),
                dim(),
            ));
        }
        let section = |name: &'static str| Line::styled(name, bold());
        l.push(section(pick(lang, "Personas", "People")));
        for m in &c.members {
            let (num, name) = m.individual.as_ref().map_or_else(
                || {
                    (
                        "—".to_string(),
                        pick(lang, "fuera de su alcance", "outside your scope").to_string(),
                    )
                },
                |i| (i.individual_number.clone(), i.full_name.clone()),
            );
            let tag = if m.principal {
                pick(lang, " principal", " principal")
            } else {
                ""
            };
            l.push(Line::raw(ellipsis(&format!("  {num} {name}{tag}"), width)));
        }
        l.push(section(pick(
            lang,
            "Evaluación y revisión",
            "Assessment and review",
        )));
        for a in &c.assessments {
            l.push(Line::raw(ellipsis(
                &format!(
                    "  {} {}",
                    a.assessed_on,
                    a.summary.clone().unwrap_or_else(hidden)
                ),
                width,
            )));
        }
        for r in &c.reviews {
            l.push(Line::raw(ellipsis(
                &format!(
                    "  {} {}{}",
                    r.reviewed_on,
                    if r.approved {
                        pick(lang, "aprobada", "approved")
                    } else {
                        pick(lang, "devuelta", "returned")
                    },
                    r.note
                        .as_ref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                ),
                width,
            )));
        }
        l.push(section(pick(lang, "Presentaciones", "Submissions")));
        for s in &c.submissions {
            let decision = match (&s.decision, &s.decided_on) {
                (Some(d), Some(on)) => format!(" · {} {on}", step_name(&format!("{d:?}"), lang)),
                _ => String::new(),
            };
            let interview = s
                .interviewed_on
                .as_ref()
                .map(|d| format!(" · {} {d}", pick(lang, "entrevista", "interview")))
                .unwrap_or_default();
            l.push(Line::raw(ellipsis(
                &format!(
                    "  {} {} {}{interview}{decision}",
                    s.state, s.submitted_on, s.dossier_reference
                ),
                width,
            )));
        }
        if let Some(d) = &c.departed_on {
            l.push(Line::raw(format!(
                "{}: {d}",
                pick(lang, "Partida", "Departed")
            )));
        }
        if let Some(r) = &c.exit_reason {
            l.push(Line::raw(ellipsis(
                &format!(
                    "{}: {}{}",
                    pick(lang, "Salida", "Exit"),
                    exit_name(&format!("{r:?}"), lang),
                    c.exit_note
                        .as_ref()
                        .map(|n| format!(" — {n}"))
                        .unwrap_or_default()
                ),
                width,
            )));
        }
        l.push(section(pick(lang, "Historial", "History")));
        for h in c.history.iter().rev() {
            l.push(Line::styled(
                ellipsis(
                    &format!(
                        "  {} {} {}",
                        local_time(&h.at),
                        h.actor,
                        event_name(&h.kind, lang).unwrap_or_else(|| t.code(&h.kind))
                    ),
                    width,
                ),
                dim(),
            ));
        }
        l
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let width = usize::from(area.width);
        let mut head = Vec::new();
        if let Some(e) = &self.error {
            head.push(Line::styled(i18n::text(lang).error(e), error()));
        }
        if let Some(done) = self.done {
            head.push(Line::styled(
                match done {
                    "handed" => pick(
                        lang,
                        "Pasado a reasentamiento.",
                        "Handed over to resettlement.",
                    ),
                    _ => pick(lang, "Hecho.", "Done."),
                },
                bold(),
            ));
        }
        let actions: Vec<String> = self.case.as_deref().map_or_else(Vec::new, |c| {
            ACTIONS
                .iter()
                .filter(|a| c.allowed_actions.contains(&a.kind))
                .map(|a| format!("{} {}", a.key, label(a, lang)))
                .collect()
        });
        let foot_chars = actions.iter().map(|a| a.chars().count() + 3).sum::<usize>();
        let foot = Paragraph::new(Line::styled(
            if actions.is_empty() {
                pick(
                    lang,
                    "Esc vuelve · g vuelve a leer",
                    "Esc back · g read again",
                )
                .to_string()
            } else {
                actions.join(" · ")
            },
            dim(),
        ))
        .wrap(Wrap { trim: true });
        let foot_h = u16::try_from(foot_chars / width.max(1) + 1)
            .unwrap_or(1)
            .clamp(1, 3);
        let body_h = area.height.saturating_sub(foot_h);
        let lines: Vec<Line> = head
            .into_iter()
            .chain(self.lines(lang, width).into_iter().skip(self.offset))
            .collect();
        frame.render_widget(
            Paragraph::new(lines),
            Rect {
                height: body_h,
                ..area
            },
        );
        frame.render_widget(
            foot,
            Rect {
                y: area.y + body_h,
                height: foot_h,
                ..area
            },
        );
        if let Some(form) = &self.form {
            form.draw(lang, frame, area);
        }
    }
}

/// Whether the user reads resettlement cases (resettlement staff and supervisors).
pub fn reads_resettlement(ctx: &Ctx) -> bool {
    ctx.me.is_some_and(|m| {
        m.roles
            .iter()
            .any(|r| r == "resettlement_officer" || r == "supervisor")
    })
}
