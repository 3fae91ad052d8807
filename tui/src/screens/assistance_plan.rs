//! The planning of assistance, for the staff who may (`ManageAssistance`): a programme created or
//! changed with its eligibility rule, a household assessed against it, a distribution list
//! opened for a site and date, households added to a list. Each is a [`SimpleForm`] whose
//! values become a typed request in [`PlanForm::request`]; the programme is checked there with
//! the domain's own [`ProgrammeInput::check`], so a rule that would be refused is refused before
//! sending, with the same coded reason and the same words as the server's (the place in the rule
//! named by its path). Households are typed by group number.

use amparo_domain::assistance::{ProgrammeInput, ProgrammeKind, rules};
use amparo_domain::error::Reason;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::simple_form::{Field, FieldKind, FormKey, SimpleForm};
use crate::api::ApiError;
use crate::i18n::Lang;
use crate::i18n::pick;
use crate::msg::{Cmd, HouseholdNote, ListTarget, ProgrammeRow};
use crate::widgets::{bold, dim, error};

/// What a planning form does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// A new programme, or the change of one (its id and the version read).
    Programme { edit: Option<(String, i64)> },
    /// One household assessed against a programme.
    Assess { programme_id: String },
    /// A new distribution list of a programme.
    NewList { programme_id: String },
    /// Households added to a list (its id and the version read).
    AddToList { list_id: String, version: i64 },
}

/// An open planning form.
#[derive(Debug, Clone)]
pub struct PlanForm {
    pub plan: Plan,
    pub form: SimpleForm,
}

/// An example rule offered in a new programme's form.
const EXAMPLE_RULE: &str =
    r#"{"all": [{"household_size": {"min": 5}}, {"member_age": {"max": 4}}]}"#;

fn kinds(lang: Lang) -> Vec<(String, String)> {
    vec![
        ("CASH".into(), pick(lang, "efectivo", "cash").into()),
        ("IN_KIND".into(), pick(lang, "en especie", "in kind").into()),
    ]
}

fn yes_no(lang: Lang) -> Vec<(String, String)> {
    vec![
        ("yes".into(), pick(lang, "sí", "yes").into()),
        ("no".into(), pick(lang, "no", "no").into()),
    ]
}

/// An amount without a useless fraction: 120, 2.5.
pub fn amount(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Group numbers as typed: separated by commas, spaces or semicolons.
pub fn households(text: &str) -> Vec<String> {
    text.split([',', ' ', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A refusal made here, before sending, shaped as the server's.
fn refused(field: &str, reason: Reason, message: &str) -> ApiError {
    ApiError::Validation {
        field: field.to_string(),
        reason,
        message: message.to_string(),
    }
}

impl PlanForm {
    /// A new programme.
    pub fn new_programme(lang: Lang) -> Self {
        Self::programme(lang, None, None)
    }

    /// The change of programme `p`, filled with it as read.
    pub fn edit_programme(lang: Lang, p: &ProgrammeRow) -> Self {
        Self::programme(lang, Some((p.id.clone(), p.version)), Some(p))
    }

    fn programme(lang: Lang, edit: Option<(String, i64)>, p: Option<&ProgrammeRow>) -> Self {
        let mut fields = vec![
            Field::new(pick(lang, "Nombre", "Name"), FieldKind::Text),
            Field::choice(pick(lang, "Tipo", "Kind"), kinds(lang)),
            Field::new(pick(lang, "Monto/hogar", "Per household"), FieldKind::Text),
            Field::new(pick(lang, "Unidad", "Unit"), FieldKind::Text),
            Field::new(pick(lang, "Ciclos", "Cycles"), FieldKind::Text),
            Field::new(pick(lang, "Criterios", "Criteria"), FieldKind::Text),
        ];
        if edit.is_some() {
            fields.push(Field::choice(pick(lang, "Activo", "Active"), yes_no(lang)));
        }
        let title = match edit {
            None => pick(lang, "Nuevo programa", "New programme"),
            Some(_) => pick(lang, "Cambiar el programa", "Change the programme"),
        };
        let mut form = SimpleForm::new(title, fields);
        match p {
            Some(p) => {
                form = form
                    .with_text(0, &p.name)
                    .with_text(2, &amount(p.amount))
                    .with_text(3, &p.amount_unit)
                    .with_text(4, &p.cycles.to_string())
                    .with_text(5, &p.eligibility);
                if format!("{:?}", p.kind) == "IN_KIND" {
                    form.fields[1].idx = 1;
                }
                if !p.active {
                    form.fields[6].idx = 1;
                }
            }
            None => {
                form = form.with_text(4, "1").with_text(5, EXAMPLE_RULE);
            }
        }
        Self {
            plan: Plan::Programme { edit },
            form,
        }
    }

    /// A household assessed against programme `p`.
    pub fn assess(lang: Lang, p: &ProgrammeRow) -> Self {
        let title = format!(
            "{} · {}",
            pick(lang, "Evaluar un hogar", "Assess a household"),
            p.name
        );
        Self {
            plan: Plan::Assess {
                programme_id: p.id.clone(),
            },
            form: SimpleForm::new(
                title,
                vec![Field::new(
                    pick(lang, "N.º de hogar", "Household no."),
                    FieldKind::Text,
                )],
            ),
        }
    }

    /// A new list of programme `p` for `today` (the user may change the day).
    pub fn new_list(lang: Lang, p: &ProgrammeRow, today: NaiveDate) -> Self {
        let title = format!("{} · {}", pick(lang, "Nueva lista", "New list"), p.name);
        let form = SimpleForm::new(
            title,
            vec![
                Field::new(pick(lang, "Ciclo", "Cycle"), FieldKind::Text),
                Field::new(pick(lang, "Sitio", "Site"), FieldKind::Text),
                Field::new(pick(lang, "Fecha", "Date"), FieldKind::Date),
                Field::new(
                    pick(lang, "N.º de hogares", "Household nos."),
                    FieldKind::Optional,
                ),
            ],
        )
        .with_text(0, "1")
        .with_text(2, &today.to_string());
        Self {
            plan: Plan::NewList {
                programme_id: p.id.clone(),
            },
            form,
        }
    }

    /// Households added to list `list_id` read at `version`.
    pub fn add_to_list(lang: Lang, list_id: String, version: i64) -> Self {
        Self {
            plan: Plan::AddToList { list_id, version },
            form: SimpleForm::new(
                pick(
                    lang,
                    "Añadir hogares a la lista",
                    "Add households to the list",
                ),
                vec![Field::new(
                    pick(lang, "N.º de hogares", "Household nos."),
                    FieldKind::Text,
                )],
            ),
        }
    }

    /// A key for the form: `Some(cmd)` when it is to be sent, else whether it changed (None
    /// in the outer option closes it).
    pub fn key(&mut self, key: ratatui::crossterm::event::KeyEvent) -> Option<Result<Cmd, bool>> {
        match self.form.key(key) {
            FormKey::Cancel => None,
            FormKey::Changed(c) => Some(Err(c)),
            FormKey::Send { values, cmid } => match self.request(&values, cmid) {
                Ok(cmd) => Some(Ok(cmd)),
                Err(e) => {
                    // Refused here: nothing went out, and the same id serves the next send.
                    self.form.refused(e);
                    Some(Err(true))
                }
            },
        }
    }

    /// The typed request of the values typed, or the refusal the server would make.
    pub fn request(&self, values: &[String], cmid: String) -> Result<Cmd, ApiError> {
        let v = |i: usize| values.get(i).cloned().unwrap_or_default();
        match &self.plan {
            Plan::Programme { edit } => {
                let amount: f64 = v(2).replace(',', ".").parse().map_err(|_| {
                    refused(
                        "input.amount",
                        Reason::BadFormat {
                            format: "number".into(),
                        },
                        "not a number",
                    )
                })?;
                let cycles: i32 = v(4).parse().map_err(|_| {
                    refused(
                        "input.cycles",
                        Reason::BadFormat {
                            format: "number".into(),
                        },
                        "not a whole number",
                    )
                })?;
                let kind = if v(1) == "IN_KIND" {
                    ProgrammeKind::InKind
                } else {
                    ProgrammeKind::Cash
                };
                let input = ProgrammeInput {
                    name: v(0),
                    kind,
                    amount,
                    unit: v(3),
                    cycles,
                    eligibility: v(5),
                };
                // The server's own check, from the same crate: the same refusal, before sending.
                let rule = input.check().map_err(|p| {
                    let field = if p.field == "unit" {
                        "amountUnit"
                    } else {
                        p.field.as_str()
                    };
                    refused(&format!("input.{field}"), p.reason, &p.message)
                })?;
                Ok(Cmd::SaveProgramme {
                    cmid,
                    edit: edit.clone(),
                    active: edit.is_none() || v(6) != "no",
                    input: ProgrammeInput {
                        eligibility: rule.to_json(),
                        ..input
                    },
                })
            }
            Plan::Assess { programme_id } => Ok(Cmd::Assess {
                cmid,
                programme_id: programme_id.clone(),
                household: v(0),
            }),
            Plan::NewList { programme_id } => {
                let cycle: i64 = v(0).parse().map_err(|_| {
                    refused(
                        "input.cycle",
                        Reason::BadFormat {
                            format: "number".into(),
                        },
                        "not a whole number",
                    )
                })?;
                Ok(Cmd::PlanList {
                    cmid,
                    target: ListTarget::New {
                        programme_id: programme_id.clone(),
                        cycle,
                        site: v(1),
                        date: v(2),
                    },
                    households: households(&v(3)),
                })
            }
            Plan::AddToList { list_id, version } => {
                let list = households(&v(0));
                if list.is_empty() {
                    return Err(refused("input.groupIds", Reason::Required, "no household"));
                }
                Ok(Cmd::PlanList {
                    cmid,
                    target: ListTarget::Existing {
                        list_id: list_id.clone(),
                        version: *version,
                    },
                    households: list,
                })
            }
        }
    }

    /// The form, and under a programme's the rule as typed in words (or where it is wrong).
    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let rule_shown = matches!(self.plan, Plan::Programme { .. }) && self.form.focus == 5;
        if !rule_shown {
            self.form.draw(lang, frame, area);
            return;
        }
        let height = 7.min(area.height);
        self.form.draw(
            lang,
            frame,
            Rect {
                height: area.height.saturating_sub(height),
                ..area
            },
        );
        // The rule field holds more than a line shows: it is shown whole, with its meaning.
        let text = self
            .form
            .fields
            .get(5)
            .map_or("", |f| f.text.value.as_str());
        let mut lines = vec![Line::raw(format!("{text}_"))];
        match rules::parse(text) {
            Ok(r) => lines.push(Line::styled(r.describe(lang), bold())),
            Err(p) => lines.push(Line::styled(
                crate::refusals::refusal(
                    format!("eligibility.{}", p.path).trim_end_matches('.'),
                    &Reason::BadRule(Box::new(p.fault)),
                    lang,
                ),
                error(),
            )),
        }
        lines.push(Line::styled(
            pick(
                lang,
                "all/any, household_size, member_age, nationality, need, registered (README)",
                "all/any, household_size, member_age, nationality, need, registered (README)",
            ),
            dim(),
        ));
        let width = 70.min(area.width);
        let popup = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + area.height.saturating_sub(height),
            width,
            height,
        };
        frame.render_widget(Clear, popup);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(
                    " {} ",
                    pick(lang, "Criterios de elegibilidad", "Eligibility criteria")
                ))),
            popup,
        );
    }
}

/// One household's outcome in words: its number, whether it went on the list, and why.
pub fn note_line(n: &HouseholdNote, lang: Lang) -> String {
    let why = match lang {
        Lang::Es => n.why_es.clone(),
        Lang::En => n.why_en.clone(),
    };
    let why = why.unwrap_or_else(|| {
        let verdict = match (n.eligible, lang) {
            (true, Lang::Es) => "elegible",
            (true, Lang::En) => "eligible",
            (false, Lang::Es) => "no elegible",
            (false, Lang::En) => "not eligible",
        };
        format!(
            "{verdict} {}",
            pick(
                lang,
                "(el motivo nombra datos que su rol no lee)",
                "(the reason names data your role does not read)"
            )
        )
    });
    let state = if n.planned {
        pick(lang, "en la lista · ", "on the list · ")
    } else if n.elsewhere {
        pick(
            lang,
            "ya en otra lista del ciclo · ",
            "already on another list of the cycle · ",
        )
    } else {
        ""
    };
    format!("{}: {state}{why}", n.household)
}
