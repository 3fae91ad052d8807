//! One protection case: state, risk, members, plan actions, referrals, follow-ups, BIA and
//! BID, closure and history, and exactly its `allowedActions`, each opened by its key (the
//! domain's table, `amparo_domain::protection::ACTIONS`) into a form. The same form, with no
//! case yet, is the intake opened from an individual (`P`). Every action sends the version
//! read and a `clientMutationId` kept until the form changes, so a retry acts only once.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use amparo_domain::protection::{ACTIONS, ActionInfo, ClosureReason, RiskLevel, SERVICES};

use super::guarded;
use super::protection::risk_name;
use super::simple_form::{Field, FieldKind, FormKey, SimpleForm, wire};
use super::{Ctx, Nav, Outcome, Screen};
use crate::api::open_protection_case::ProtectionRiskLevel;
use crate::api::{ApiError, ProtectionAction as K, ProtectionMutation};
use crate::i18n::pick;
use crate::i18n::{self, Lang};
use crate::msg::{Cmd, ProtectionCaseData, ProtectionInput};
use crate::widgets::{bold, dim, ellipsis, error, local_time};

/// The specific-needs categories a protection case is opened for.
pub const CATEGORIES: [&str; 11] = [
    "CR", "SC", "WR", "ER", "SP", "DS", "SM", "FU", "LP", "TR", "SV",
];

/// Referral outcomes, as the API names them.
const REFERRAL_OUTCOMES: [&str; 4] = ["ACCEPTED", "DECLINED", "COMPLETED", "NO_RESPONSE"];

fn opts<'a>(items: impl IntoIterator<Item = (&'a str, String)>) -> Vec<(String, String)> {
    items.into_iter().map(|(v, l)| (v.to_string(), l)).collect()
}

fn yes_no(lang: Lang) -> Vec<(String, String)> {
    opts([
        ("no", pick(lang, "no", "no").to_string()),
        ("yes", pick(lang, "sí", "yes").to_string()),
    ])
}

fn risks(lang: Lang) -> Vec<(String, String)> {
    RiskLevel::ALL
        .iter()
        .map(|r| {
            let wire = r.as_str().to_uppercase();
            let label = risk_name(&wire, lang).to_string();
            (wire, label)
        })
        .collect()
}

/// The fields of the intake form, in the order `ProtectionInput::Open` takes them.
fn intake_fields(lang: Lang) -> Vec<Field> {
    vec![
        Field::choice(
            pick(lang, "Categoría", "Category"),
            CATEGORIES
                .iter()
                .map(|c| (c.to_string(), c.to_string()))
                .collect(),
        ),
        Field::choice(pick(lang, "Riesgo", "Risk"), risks(lang)),
        Field::new(pick(lang, "Hallazgos", "Findings"), FieldKind::Text),
    ]
}

/// The fields of `kind`'s form, in the order [`request`] reads them.
pub fn fields(kind: K, case: &ProtectionCaseData, ctx: &Ctx) -> Vec<Field> {
    let lang = ctx.lang;
    let name_of = |id: &str| {
        case.members
            .iter()
            .find(|m| m.individual_id == id)
            .and_then(|m| m.individual.as_ref())
            .map_or_else(|| id.to_string(), |i| i.full_name.clone())
    };
    let children: Vec<(String, String)> = case
        .members
        .iter()
        .filter(|m| m.child)
        .map(|m| (m.individual_id.clone(), name_of(&m.individual_id)))
        .collect();
    // Officers once read (supervisors); otherwise the user alone.
    let officers = ctx
        .officer_pairs()
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| {
            ctx.me
                .map(|m| vec![(m.id.clone(), m.username.clone())])
                .unwrap_or_default()
        });
    let text = |l| Field::new(l, FieldKind::Text);
    match kind {
        K::UpdateRisk => vec![
            Field::choice(pick(lang, "Riesgo", "Risk"), risks(lang)),
            text(pick(lang, "Motivo", "Reason")),
        ],
        K::AddPlanAction => vec![
            text(pick(lang, "Acción", "Action")),
            Field::choice(pick(lang, "Responsable", "Responsible"), officers),
            Field::new(pick(lang, "Vence", "Due"), FieldKind::Date),
        ],
        K::CompletePlanAction => vec![
            Field::choice(
                pick(lang, "Acción", "Action"),
                case.plan
                    .iter()
                    .filter(|a| a.completed_on.is_none())
                    .map(|a| {
                        let d = a.description.clone().unwrap_or_else(|| "***".into());
                        (a.id.clone(), format!("{} {d}", a.due))
                    })
                    .collect(),
            ),
            text(pick(lang, "Resultado", "Outcome")),
        ],
        K::Refer => vec![
            Field::choice(
                pick(lang, "Servicio", "Service"),
                SERVICES
                    .iter()
                    .map(|s| (s.to_string(), s.replace('_', " ")))
                    .collect(),
            ),
            text(pick(lang, "Proveedor", "Provider")),
            Field::choice(pick(lang, "Consentimiento", "Consent"), yes_no(lang)),
        ],
        K::RecordReferralOutcome => vec![
            Field::choice(
                pick(lang, "Referencia", "Referral"),
                case.referrals
                    .iter()
                    .filter(|r| r.outcome.is_none())
                    .map(|r| {
                        let s = r.service.clone().unwrap_or_else(|| "***".into());
                        (r.id.clone(), format!("{} {s}", r.referred_on))
                    })
                    .collect(),
            ),
            Field::choice(
                pick(lang, "Resultado", "Outcome"),
                REFERRAL_OUTCOMES
                    .iter()
                    .map(|o| (o.to_string(), outcome_name(o, lang).to_string()))
                    .collect(),
            ),
            Field::new(pick(lang, "Nota", "Note"), FieldKind::Optional),
        ],
        K::ScheduleFollowUp => vec![
            Field::new(pick(lang, "Fecha", "Date"), FieldKind::Date),
            text(pick(lang, "Propósito", "Purpose")),
        ],
        K::RecordFollowUp => vec![
            Field::choice(
                pick(lang, "Seguimiento", "Follow-up"),
                case.follow_ups
                    .iter()
                    .filter(|f| f.done_on.is_none())
                    .map(|f| {
                        let p = f.purpose.clone().unwrap_or_else(|| "***".into());
                        (f.id.clone(), format!("{} {p}", f.due))
                    })
                    .collect(),
            ),
            text(pick(lang, "Hallazgos", "Findings")),
        ],
        K::RecordBia => vec![
            Field::choice(pick(lang, "Niño/a", "Child"), children),
            text(pick(lang, "Resumen", "Summary")),
            Field::choice(pick(lang, "¿Requiere DIS?", "BID needed?"), yes_no(lang)),
        ],
        K::RecordBid => {
            // The panel: three different members, a fourth if one sat; each offered from
            // the unit's officers, the first three preselected differently.
            let member = |label: &'static str, idx: usize, options: Vec<(String, String)>| Field {
                idx: idx.min(options.len().saturating_sub(1)),
                ..Field::choice(label, options)
            };
            let mut fourth = vec![(String::new(), "—".to_string())];
            fourth.extend(officers.iter().cloned());
            vec![
                Field::choice(pick(lang, "Niño/a", "Child"), children),
                text(pick(lang, "Decisión", "Decision")),
                member(pick(lang, "Panel 1", "Panel 1"), 0, officers.clone()),
                member(pick(lang, "Panel 2", "Panel 2"), 1, officers.clone()),
                member(pick(lang, "Panel 3", "Panel 3"), 2, officers),
                member(pick(lang, "Panel 4", "Panel 4"), 0, fourth),
            ]
        }
        K::Assign => vec![Field::choice(pick(lang, "Oficial", "Officer"), officers)],
        K::Close => vec![
            Field::choice(
                pick(lang, "Motivo", "Reason"),
                ClosureReason::ALL
                    .iter()
                    .map(|r| {
                        let wire = r.as_str().to_uppercase();
                        let label = i18n::text(lang).code(r.as_str()).replace('_', " ");
                        (wire, label)
                    })
                    .collect(),
            ),
            Field::new(pick(lang, "Nota", "Note"), FieldKind::Optional),
        ],
        K::Reopen => vec![text(pick(lang, "Motivo", "Reason"))],
    }
}

/// `kind`'s own mutation on `case` (the version read) from its form's values, in the order
/// [`fields`] lists them; `None` when a choice has nothing to offer.
pub fn request(
    kind: K,
    case: &ProtectionCaseData,
    values: &[String],
    client_mutation_id: String,
) -> Option<ProtectionMutation> {
    use crate::api::{self as q, ProtectionMutation as M};
    let at = |i: usize| values.get(i).cloned().unwrap_or_default();
    let opt = |i: usize| Some(at(i)).filter(|v| !v.is_empty());
    let (case_id, version) = (case.id.clone(), case.version);
    // The mutation `$op` of module `$m`: its input `$input` with the case, the version read
    // and the id, plus the action's own fields.
    macro_rules! m {
        ($op:ident, $m:ident, $input:ident { $($field:ident: $value:expr),* $(,)? }) => {
            M::$op(q::$m::Variables {
                input: q::$m::$input {
                    client_mutation_id,
                    case_id,
                    version,
                    $($field: $value,)*
                },
            })
        };
    }
    Some(match kind {
        K::UpdateRisk => m!(
            UpdateProtectionRisk,
            update_protection_risk,
            UpdateProtectionRiskInput {
                risk_level: wire(&at(0))?,
                reason: at(1),
            }
        ),
        K::AddPlanAction => m!(
            AddProtectionPlanAction,
            add_protection_plan_action,
            AddProtectionPlanActionInput {
                action_id: None,
                description: at(0),
                responsible_id: opt(1)?,
                due: at(2),
            }
        ),
        K::CompletePlanAction => m!(
            CompleteProtectionPlanAction,
            complete_protection_plan_action,
            CompleteProtectionPlanActionInput {
                action_id: opt(0)?,
                outcome: at(1),
            }
        ),
        K::Refer => m!(
            ReferProtectionCase,
            refer_protection_case,
            ReferProtectionCaseInput {
                referral_id: None,
                service: at(0),
                provider: at(1),
                consent: at(2) == "yes",
            }
        ),
        K::RecordReferralOutcome => m!(
            RecordReferralOutcome,
            record_referral_outcome,
            RecordReferralOutcomeInput {
                referral_id: opt(0)?,
                outcome: wire(&at(1))?,
                note: opt(2),
            }
        ),
        K::ScheduleFollowUp => m!(
            ScheduleFollowUp,
            schedule_follow_up,
            ScheduleFollowUpInput {
                follow_up_id: None,
                due: at(0),
                purpose: at(1),
            }
        ),
        K::RecordFollowUp => m!(
            RecordFollowUp,
            record_follow_up,
            RecordFollowUpInput {
                follow_up_id: opt(0)?,
                note: at(1),
            }
        ),
        K::RecordBia => m!(
            RecordBestInterestsAssessment,
            record_best_interests_assessment,
            RecordBestInterestsAssessmentInput {
                child_id: opt(0)?,
                summary: at(1),
                bid_needed: at(2) == "yes",
            }
        ),
        K::RecordBid => m!(
            RecordBestInterestsDetermination,
            record_best_interests_determination,
            RecordBestInterestsDeterminationInput {
                child_id: opt(0)?,
                decision: at(1),
                panel: (2..6).filter_map(opt).collect(),
            }
        ),
        K::Assign => m!(
            AssignProtectionCase,
            assign_protection_case,
            AssignProtectionCaseInput {
                officer_id: opt(0)?
            }
        ),
        K::Close => m!(
            CloseProtectionCase,
            close_protection_case,
            CloseProtectionCaseInput {
                reason: wire(&at(0))?,
                note: opt(1),
            }
        ),
        K::Reopen => m!(
            ReopenProtectionCase,
            reopen_protection_case,
            ReopenProtectionCaseInput { reason: at(0) }
        ),
    })
}

/// An action's name in `lang`.
pub fn label(a: &ActionInfo, lang: Lang) -> &'static str {
    pick(lang, a.label_es, a.label_en)
}

fn outcome_name(o: &str, lang: Lang) -> &'static str {
    match o {
        "ACCEPTED" => pick(lang, "aceptada", "accepted"),
        "DECLINED" => pick(lang, "rechazada", "declined"),
        "COMPLETED" => pick(lang, "prestado", "delivered"),
        "NO_RESPONSE" => pick(lang, "sin respuesta", "no response"),
        _ => "?",
    }
}

/// The protection case screen.
#[derive(Debug, Clone, Default)]
pub struct ProtectionCaseState {
    pub id: Option<String>,
    pub case: Option<Box<ProtectionCaseData>>,
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
    /// First line shown (PgDn/PgUp).
    pub offset: usize,
    pub form: Option<SimpleForm>,
    /// The action the form is for (None: the intake).
    pub kind: Option<K>,
    /// The person an intake is for.
    pub intake_for: Option<String>,
    /// Said after an action went through.
    pub done: Option<&'static str>,
    /// The unit runs resettlement: `R` hands an open case's family over to it.
    pub handoff_offered: bool,
}

impl ProtectionCaseState {
    pub fn open(&mut self, id: String) -> Vec<Cmd> {
        *self = Self {
            seq: self.seq,
            handoff_offered: self.handoff_offered,
            ..Self::default()
        };
        self.id = Some(id);
        vec![self.load()]
    }

    /// The intake form for `individual_id`, with no case read yet.
    pub fn intake(&mut self, individual_id: String, lang: Lang) {
        *self = Self {
            seq: self.seq,
            ..Self::default()
        };
        self.intake_for = Some(individual_id);
        self.kind = None;
        self.form = Some(SimpleForm::new(
            pick(lang, "Abrir caso de protección", "Open a protection case"),
            intake_fields(lang),
        ));
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        Cmd::ProtectionCase {
            seq: self.seq,
            id: self.id.clone().unwrap_or_default(),
        }
    }

    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn reply(&mut self, seq: u64, result: Result<Box<ProtectionCaseData>, ApiError>) {
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

    /// The answer to an intake or an action sent from this screen; `None` if not ours.
    pub fn act_reply(&mut self, cmid: &str, result: Result<String, ApiError>) -> Option<Outcome> {
        let form = self.form.as_mut()?;
        if form.cmid.as_deref() != Some(cmid) {
            return None;
        }
        form.sending = false;
        Some(match result {
            Ok(id) => {
                let intake = self.kind.is_none();
                self.form = None;
                self.done = Some(if intake { "opened" } else { "done" });
                self.id = Some(id);
                Outcome::send(vec![self.load()])
            }
            Err(e) => {
                // Someone acted first: the case is read again and the next send is a new
                // request with the new version.
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
        if self.form.is_some() {
            return self.form_key(key);
        }
        let page = super::page_lines(ctx.size, 6);
        match key.code {
            KeyCode::Esc => Outcome::go(Nav::Back {
                fallback: Screen::Protection,
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
            // A protection officer hands the family to resettlement inside the unit.
            KeyCode::Char('R')
                if self.handoff_offered
                    && self.case.as_deref().is_some_and(|c| c.status == "open") =>
            {
                let Some(case) = self.case.as_deref() else {
                    return Outcome::none();
                };
                Outcome::go(Nav::HandOff {
                    protection_case_id: case.id.clone(),
                    principal_id: case.principal_id.clone(),
                })
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
                let mut out = Outcome::changed(true);
                out.need_officers = matches!(a.kind, K::Assign | K::AddPlanAction | K::RecordBid);
                self.kind = Some(a.kind);
                self.form = Some(SimpleForm::new(
                    label(a, ctx.lang),
                    fields(a.kind, case, ctx),
                ));
                out
            }
            _ => Outcome::none(),
        }
    }

    /// Refreshes an open form's officer choices once the officers are read.
    pub fn refresh_officers(&mut self, ctx: &Ctx) {
        let (Some(form), Some(case)) = (self.form.as_mut(), self.case.as_deref()) else {
            return;
        };
        if let Some(k @ (K::Assign | K::AddPlanAction | K::RecordBid)) = self.kind {
            let fresh = fields(k, case, ctx);
            for (f, n) in form.fields.iter_mut().zip(fresh) {
                if matches!(f.kind, FieldKind::Choice(_)) && f.kind != n.kind {
                    f.kind = n.kind;
                    f.idx = n.idx;
                }
            }
        }
    }

    fn form_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(form) = self.form.as_mut() else {
            return Outcome::none();
        };
        match form.key(key) {
            FormKey::Cancel => {
                self.form = None;
                if self.case.is_none() {
                    // An intake cancelled: back to the person.
                    return Outcome::go(Nav::Back {
                        fallback: Screen::Protection,
                        reread: false,
                    });
                }
                Outcome::changed(true)
            }
            FormKey::Changed(c) => Outcome::changed(c),
            FormKey::Send { values, cmid } => {
                let input = match (self.kind, self.case.as_deref(), &self.intake_for) {
                    (Some(kind), Some(case), _) => {
                        match request(kind, case, &values, cmid.clone()) {
                            Some(m) => ProtectionInput::Act(Box::new(m)),
                            None => {
                                // A value the API does not know: nothing goes out.
                                form.sending = false;
                                return Outcome::changed(true);
                            }
                        }
                    }
                    (None, _, Some(person)) => {
                        let [category, risk, intake_summary] =
                            <[String; 3]>::try_from(values).unwrap_or_default();
                        ProtectionInput::Open {
                            principal_id: person.clone(),
                            category,
                            risk_level: wire(&risk).unwrap_or(ProtectionRiskLevel::MEDIUM),
                            intake_summary,
                        }
                    }
                    _ => return Outcome::none(),
                };
                Outcome::send(vec![Cmd::Protection { cmid, input }])
            }
        }
    }

    pub fn help(&self, lang: Lang) -> Vec<(String, String)> {
        if self.form.is_some() {
            return SimpleForm::help(lang);
        }
        let mut own = self.allowed(lang);
        if self.handoff_offered {
            own.push((
                "R".into(),
                pick(lang, "pasar a reasentamiento", "hand over to resettlement").into(),
            ));
        }
        guarded::case_help(own, lang)
    }

    /// The actions the case allows now, with their keys, from the domain's table.
    fn allowed(&self, lang: Lang) -> Vec<(String, String)> {
        self.case.as_deref().map_or_else(Vec::new, |c| {
            guarded::allowed(
                ACTIONS.iter().map(|a| (a.kind, a.key, label(a, lang))),
                &c.allowed_actions,
            )
        })
    }

    /// The case as lines.
    fn lines(&self, lang: Lang, width: usize) -> Vec<Line<'static>> {
        let Some(c) = self.case.as_deref() else {
            return Vec::new();
        };
        let t = i18n::text(lang);
        let risk = format!("{:?}", c.risk_level);
        let mut l = vec![Line::from(vec![
            Span::styled(c.case_number.clone(), bold()),
            Span::raw(format!(
                "  {}  {}: {}  {}: {}",
                match c.status.as_str() {
                    "open" => pick(lang, "abierto", "open"),
                    "closed" => pick(lang, "cerrado", "closed"),
                    other => t.code(other),
                },
                pick(lang, "riesgo", "risk"),
                risk_name(&risk, lang),
                pick(lang, "categoría", "category"),
                if c.restricted {
                    pick(lang, "reservada", "restricted").to_string()
                } else {
                    format!(
                        "{}{}",
                        c.category.clone().unwrap_or_default(),
                        c.sub_code
                            .as_ref()
                            .map(|s| format!("/{s}"))
                            .unwrap_or_default()
                    )
                }
            )),
        ])];
        l.push(Line::raw(format!(
            "{}: {}  {}: {}",
            pick(lang, "Abierto", "Opened"),
            c.opened_on,
            pick(lang, "Próximo seguimiento", "Next follow-up"),
            c.next_follow_up.clone().unwrap_or_else(|| "—".into())
        )));
        if let Some(s) = &c.intake_summary {
            l.push(Line::raw(ellipsis(
                &format!("{}: {s}", pick(lang, "Ingreso", "Intake")),
                width,
            )));
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
            let mut tags = Vec::new();
            if m.principal {
                tags.push(pick(lang, "principal", "principal"));
            }
            if m.child {
                tags.push(pick(lang, "NNA", "child"));
            }
            l.push(Line::raw(ellipsis(
                &format!("  {num} {name} {}", tags.join(", ")),
                width,
            )));
        }
        let hidden = || "***".to_string();
        l.push(section(pick(lang, "Plan", "Plan")));
        for a in &c.plan {
            let state = match &a.completed_on {
                Some(d) => format!(
                    "{} {d}: {}",
                    pick(lang, "hecha", "done"),
                    a.outcome.clone().unwrap_or_else(hidden)
                ),
                None => pick(lang, "pendiente", "pending").to_string(),
            };
            l.push(Line::raw(ellipsis(
                &format!(
                    "  {} {} — {state}",
                    a.due,
                    a.description.clone().unwrap_or_else(hidden)
                ),
                width,
            )));
        }
        l.push(section(pick(lang, "Referencias", "Referrals")));
        for r in &c.referrals {
            let outcome = r.outcome.as_ref().map_or_else(
                || pick(lang, "sin resultado", "no outcome yet").to_string(),
                |o| outcome_name(&format!("{o:?}"), lang).to_string(),
            );
            l.push(Line::raw(ellipsis(
                &format!(
                    "  {} {} ({}) — {outcome}",
                    r.referred_on,
                    r.service.clone().unwrap_or_else(hidden).replace('_', " "),
                    r.provider.clone().unwrap_or_else(hidden)
                ),
                width,
            )));
        }
        l.push(section(pick(lang, "Seguimientos", "Follow-ups")));
        for f in &c.follow_ups {
            let state = match &f.done_on {
                Some(d) => format!(
                    "{} {d}: {}",
                    pick(lang, "hecho", "held"),
                    f.note.clone().unwrap_or_else(hidden)
                ),
                None => pick(lang, "pendiente", "due").to_string(),
            };
            l.push(Line::raw(ellipsis(
                &format!(
                    "  {} {} — {state}",
                    f.due,
                    f.purpose.clone().unwrap_or_else(hidden)
                ),
                width,
            )));
        }
        let name_of = |id: &str| {
            c.members
                .iter()
                .find(|m| m.individual_id == id)
                .and_then(|m| m.individual.as_ref())
                .map_or_else(|| id.to_string(), |i| i.full_name.clone())
        };
        if !c.best_interests_assessments.is_empty() || !c.best_interests_determinations.is_empty() {
            l.push(section(pick(lang, "EIS / DIS (BIA / BID)", "BIA / BID")));
        }
        for b in &c.best_interests_assessments {
            l.push(Line::raw(ellipsis(
                &format!(
                    "  EIS {} {}: {}{}",
                    b.assessed_on,
                    name_of(&b.child_id),
                    b.summary.clone().unwrap_or_else(hidden),
                    if b.bid_needed {
                        pick(lang, " (requiere DIS)", " (BID needed)")
                    } else {
                        ""
                    }
                ),
                width,
            )));
        }
        for d in &c.best_interests_determinations {
            l.push(Line::raw(ellipsis(
                &format!(
                    "  DIS {} {}: {} ({} {})",
                    d.decided_on,
                    name_of(&d.child_id),
                    d.decision.clone().unwrap_or_else(hidden),
                    pick(lang, "panel de", "panel of"),
                    d.panel.len()
                ),
                width,
            )));
        }
        if let Some(z) = &c.closure {
            l.push(Line::raw(ellipsis(
                &format!(
                    "{} {}: {}{}",
                    pick(lang, "Cerrado el", "Closed on"),
                    z.closed_on,
                    format!("{:?}", z.reason).to_lowercase().replace('_', " "),
                    z.note
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
                        super::guarded::event_label(
                            &h.kind,
                            lang,
                            ACTIONS.iter().map(|a| (a.name, a.label_es, a.label_en)),
                        )
                        .unwrap_or_else(|| t.code(&h.kind))
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
                    "opened" => pick(lang, "Caso abierto.", "Case opened."),
                    _ => pick(lang, "Hecho.", "Done."),
                },
                bold(),
            ));
        }
        let mut actions = self.allowed(lang);
        if self.handoff_offered && self.case.as_deref().is_some_and(|c| c.status == "open") {
            actions.push((
                "R".into(),
                pick(lang, "reasentamiento", "resettlement").into(),
            ));
        }
        let body = self.lines(lang, usize::from(area.width));
        guarded::draw_case(
            frame,
            area,
            lang,
            head,
            body.into_iter().skip(self.offset).collect(),
            &actions,
        );
        if let Some(form) = &self.form {
            form.draw(lang, frame, area);
        }
    }
}
