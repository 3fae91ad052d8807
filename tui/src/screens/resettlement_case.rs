//! One resettlement case: step, priority, categories, the people, assessments and reviews,
//! submissions to states with the state's interview and decision, departure or exit, history;
//! and exactly its `allowedActions`, each opened by its key (the domain's table,
//! `amparo_domain::resettlement::ACTIONS`) into a form. The same screen, with no case yet, is
//! the hand-off of a family from a protection case (`R` on the protection case screen).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use amparo_domain::resettlement::{ACTIONS, ActionInfo, CATEGORIES, ExitReason, Priority};

use super::resettlement::{priority_name, step_name};
use super::simple_form::{Field, FieldKind, FormKey, SimpleForm, wire};
use super::{Ctx, Nav, Outcome, Screen};
use crate::api::act_on_resettlement_case::ActOnResettlementCaseInput;
use crate::api::open_resettlement_case::ResettlementPriority;
use crate::api::{ApiError, ResettlementAction as K};
use crate::i18n::pick;
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

/// Which field of `actOnResettlementCase`'s input a form's field fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Summary,
    /// `approve` (the choice `approve`) or return.
    Approve,
    Note,
    State,
    Date,
    DossierReference,
    Decision,
    ExitReason,
}

/// The fields of `kind`'s form, each with the input field it fills.
pub fn fields(kind: K, lang: Lang) -> Vec<(Slot, Field)> {
    let date = || {
        (
            Slot::Date,
            Field::new(pick(lang, "Fecha", "Date"), FieldKind::Date),
        )
    };
    let note = || {
        (
            Slot::Note,
            Field::new(pick(lang, "Nota", "Note"), FieldKind::Optional),
        )
    };
    match kind {
        K::RecordAssessment => vec![(
            Slot::Summary,
            Field::new(pick(lang, "Evaluación", "Assessment"), FieldKind::Text),
        )],
        K::ReviewAssessment => vec![
            (
                Slot::Approve,
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
            ),
            note(),
        ],
        K::Submit => vec![
            (
                Slot::State,
                Field::new(pick(lang, "Estado (ISO3)", "State (ISO3)"), FieldKind::Text),
            ),
            date(),
            (
                Slot::DossierReference,
                Field::new(pick(lang, "Expediente", "Dossier ref."), FieldKind::Text),
            ),
        ],
        K::RecordInterview | K::RecordDeparture => vec![date()],
        K::RecordDecision => vec![
            (
                Slot::Decision,
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
            ),
            date(),
        ],
        K::Exit => vec![
            (
                Slot::ExitReason,
                Field::choice(
                    pick(lang, "Motivo", "Reason"),
                    opts(ExitReason::ALL.iter().map(|r| {
                        (
                            r.as_str().to_uppercase(),
                            exit_name(r.as_str(), lang).to_string(),
                        )
                    })),
                ),
            ),
            note(),
        ],
    }
}

/// `actOnResettlementCase`'s input for `kind` on `case` (the version read), each form value
/// in the input field its slot names; empty values are left out.
pub fn step_input(
    kind: K,
    case: &ResettlementCaseData,
    filled: impl IntoIterator<Item = (Slot, String)>,
    client_mutation_id: String,
) -> ActOnResettlementCaseInput {
    let mut i = ActOnResettlementCaseInput {
        client_mutation_id,
        case_id: case.id.clone(),
        version: case.version,
        action: kind,
        summary: None,
        approve: None,
        note: None,
        state: None,
        date: None,
        dossier_reference: None,
        decision: None,
        exit_reason: None,
    };
    for (slot, v) in filled {
        if v.trim().is_empty() {
            continue;
        }
        match slot {
            Slot::Summary => i.summary = Some(v),
            Slot::Approve => i.approve = Some(v == "approve"),
            Slot::Note => i.note = Some(v),
            Slot::State => i.state = Some(v),
            Slot::Date => i.date = Some(v),
            Slot::DossierReference => i.dossier_reference = Some(v),
            Slot::Decision => i.decision = wire(&v),
            Slot::ExitReason => i.exit_reason = wire(&v),
        }
    }
    i
}

/// A history entry's kind in `lang`: the step's label, or how the case began.
fn event_name(kind: &str, lang: Lang) -> Option<&'static str> {
    super::guarded::event_label(
        kind,
        lang,
        ACTIONS.iter().map(|a| (a.name, a.label_es, a.label_en)),
    )
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
    /// The action the form is for (None: the hand-off), and the input field each of the
    /// form's fields fills.
    pub kind: Option<K>,
    pub slots: Vec<Slot>,
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
                        (_, _, Some((pc, principal))) => {
                            let [category, priority, summary] =
                                <[String; 3]>::try_from(values).unwrap_or_default();
                            ResettlementInput::Open {
                                principal_id: principal.clone(),
                                protection_case_id: Some(pc.clone()),
                                category,
                                priority: wire(&priority).unwrap_or(ResettlementPriority::NORMAL),
                                summary,
                            }
                        }
                        (Some(kind), Some(case), None) => {
                            ResettlementInput::Act(Box::new(step_input(
                                kind,
                                case,
                                self.slots.iter().copied().zip(values),
                                cmid.clone(),
                            )))
                        }
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
                let (slots, fields) = fields(a.kind, ctx.lang).into_iter().unzip();
                self.slots = slots;
                self.form = Some(SimpleForm::new(label(a, ctx.lang), fields));
                Outcome::changed(true)
            }
            _ => Outcome::none(),
        }
    }

    pub fn help(&self, lang: Lang) -> Vec<(String, String)> {
        if self.form.is_some() {
            return SimpleForm::help(lang);
        }
        super::guarded::case_help(self.allowed(lang), lang)
    }

    /// The steps the case allows now, with their keys, from the domain's table.
    fn allowed(&self, lang: Lang) -> Vec<(String, String)> {
        self.case.as_deref().map_or_else(Vec::new, |c| {
            super::guarded::allowed(
                ACTIONS.iter().map(|a| (a.kind, a.key, label(a, lang))),
                &c.allowed_actions,
            )
        })
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
        let body = self.lines(lang, usize::from(area.width));
        super::guarded::draw_case(
            frame,
            area,
            lang,
            head,
            body.into_iter().skip(self.offset).collect(),
            &self.allowed(lang),
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
