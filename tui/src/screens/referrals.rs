//! Referrals between units (F10, everyone whose role may refer): those received by the unit and
//! those it sent (`d` switches), latest first. A received referral shows exactly the fields
//! its agreement let it carry, the sender's note and whether the person withdrew consent;
//! `a` accepts it (registering the person from those fields, or linking a record of the unit)
//! and `x` declines it with a reason. A sent one shows its outcome and nothing else of the other
//! unit. `R` on an individual opens this screen with the referral form: agreement and purpose
//! (from the agreements in force), who consented and when, a note.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::protection::pick;
use super::simple_form::{Field, FieldKind, FormKey, SimpleForm};
use super::{Nav, Outcome};
use crate::api::ApiError;
use crate::api::referrals::{ReferralDirection, ReferralKind, ReferralStatus};
use crate::i18n::{self, KeyHelp, Lang};
use crate::msg::{AgreementRow, Cmd, ReferralRow, ReferralsData, SharingInput};
use crate::widgets::{bold, cell, dim, ellipsis, error, local_time, split_hint};

/// A shareable field's name.
pub fn field_name(f: &str, lang: Lang) -> &'static str {
    match f {
        "individual_number" => pick(lang, "número", "number"),
        "given_names" => pick(lang, "nombres", "given names"),
        "family_name" => pick(lang, "apellido", "family name"),
        "second_family_name" => pick(lang, "segundo apellido", "second family name"),
        "sex" => pick(lang, "sexo", "sex"),
        "date_of_birth" => pick(lang, "nacimiento", "date of birth"),
        "nationalities" => pick(lang, "nacionalidades", "nationalities"),
        "country_of_origin" => pick(lang, "país de origen", "country of origin"),
        "marital_status" => pick(lang, "estado civil", "marital status"),
        _ => "?",
    }
}

/// A purpose's name.
pub fn purpose_name(p: &str, lang: Lang) -> &'static str {
    match p {
        "assistance" => pick(lang, "asistencia", "assistance"),
        "resettlement" => pick(lang, "reasentamiento", "resettlement"),
        "asylum" => pick(lang, "asilo", "asylum"),
        "protection" => pick(lang, "protección", "protection"),
        _ => "?",
    }
}

fn status_name(s: &ReferralStatus, lang: Lang) -> &'static str {
    match s {
        ReferralStatus::PENDING => pick(lang, "pendiente", "pending"),
        ReferralStatus::ACCEPTED => pick(lang, "ACEPTADA", "ACCEPTED"),
        ReferralStatus::DECLINED => pick(lang, "rechazada", "declined"),
        ReferralStatus::Other(_) => "?",
    }
}

/// What the open form does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormFor {
    Refer(String),
    Accept { id: String, version: i64 },
    Decline { id: String, version: i64 },
}

/// The referrals screen.
#[derive(Debug, Clone, Default)]
pub struct ReferralsState {
    /// Showing the referrals the unit sent (else those it received).
    pub sent: bool,
    pub rows: Vec<ReferralRow>,
    pub agreements: Vec<AgreementRow>,
    pub selected: usize,
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
    pub form: Option<(FormFor, SimpleForm)>,
    /// A referral form waits for the agreements to be read.
    pub refer_waiting: Option<String>,
    /// Said after a write went through: the reference.
    pub done: Option<String>,
}

impl ReferralsState {
    pub fn open(&mut self) -> Vec<Cmd> {
        self.done = None;
        vec![self.load()]
    }

    /// Opened from an individual: the sent list and the referral form for that person.
    pub fn refer(&mut self, individual_id: String) -> Vec<Cmd> {
        self.sent = true;
        self.selected = 0;
        self.done = None;
        self.refer_waiting = Some(individual_id);
        vec![self.load()]
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        Cmd::Referrals {
            seq: self.seq,
            direction: if self.sent {
                ReferralDirection::SENT
            } else {
                ReferralDirection::RECEIVED
            },
        }
    }

    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn reply(&mut self, seq: u64, result: Result<ReferralsData, ApiError>, lang: Lang) {
        if seq != self.seq {
            return;
        }
        self.loading = false;
        match result {
            Ok(d) => {
                self.rows = d.referrals;
                self.agreements = d.agreements;
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                self.error = None;
                if let Some(person) = self.refer_waiting.take() {
                    self.form = Some((FormFor::Refer(person), self.refer_form(lang)));
                }
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn refer_form(&self, lang: Lang) -> SimpleForm {
        let choices: Vec<(String, String)> = self
            .agreements
            .iter()
            .filter(|a| a.in_force)
            .flat_map(|a| {
                a.purposes.iter().map(move |p| {
                    (
                        format!("{}|{}", a.id, p.purpose),
                        format!("{} · {}", a.with_unit, purpose_name(&p.purpose, lang)),
                    )
                })
            })
            .collect();
        SimpleForm::new(
            pick(lang, "Referir a otra unidad", "Refer to another unit"),
            vec![
                Field::choice(pick(lang, "Acuerdo", "Agreement"), choices),
                Field::new(pick(lang, "Consintió", "Consent by"), FieldKind::Text),
                Field::new(
                    pick(lang, "Fecha consent.", "Consent date"),
                    FieldKind::Date,
                ),
                Field::new(pick(lang, "Nota", "Note"), FieldKind::Optional),
            ],
        )
        .with_text(1, pick(lang, "la persona", "the person"))
    }

    /// The answer to a write sent from this screen; `None` if not ours.
    pub fn act_reply(&mut self, cmid: &str, result: Result<String, ApiError>) -> Option<Outcome> {
        let (_, form) = self.form.as_mut()?;
        if form.cmid.as_deref() != Some(cmid) {
            return None;
        }
        Some(match result {
            Ok(reference) => {
                self.form = None;
                self.done = Some(reference);
                Outcome::send(vec![self.load()])
            }
            Err(e) => {
                form.refused(e);
                Outcome::changed(true)
            }
        })
    }

    pub fn key(&mut self, key: KeyEvent, lang: Lang) -> Outcome {
        if let Some((what, form)) = self.form.as_mut() {
            return match form.key(key) {
                FormKey::Cancel => {
                    self.form = None;
                    Outcome::changed(true)
                }
                FormKey::Changed(c) => Outcome::changed(c),
                FormKey::Send { values, cmid } => {
                    let v = |i: usize| values.get(i).cloned().unwrap_or_default();
                    let input = match what.clone() {
                        FormFor::Refer(person) => {
                            let choice = v(0);
                            let (agreement, purpose) = choice.split_once('|').unwrap_or(("", ""));
                            SharingInput::Refer {
                                individual_id: person,
                                agreement_id: agreement.to_string(),
                                purpose: purpose.to_string(),
                                given_by: v(1),
                                given_on: v(2),
                                note: Some(v(3)).filter(|n| !n.is_empty()),
                            }
                        }
                        FormFor::Accept { id, version } => SharingInput::Accept {
                            referral_id: id,
                            version,
                            individual_id: Some(v(0)).filter(|n| !n.is_empty()),
                        },
                        FormFor::Decline { id, version } => SharingInput::Decline {
                            referral_id: id,
                            version,
                            reason: v(0),
                        },
                    };
                    Outcome::send(vec![Cmd::Sharing { cmid, input }])
                }
            };
        }
        let pending_received = self
            .rows
            .get(self.selected)
            .filter(|r| !self.sent && r.status == ReferralStatus::PENDING)
            .map(|r| (r.id.clone(), r.version));
        match key.code {
            KeyCode::Char('d') => {
                self.sent = !self.sent;
                self.selected = 0;
                self.rows.clear();
                self.done = None;
                Outcome::send(vec![self.load()])
            }
            KeyCode::Char('g') => Outcome::send(vec![self.load()]),
            KeyCode::Down if self.selected + 1 < self.rows.len() => {
                self.selected += 1;
                Outcome::changed(true)
            }
            KeyCode::Up if self.selected > 0 => {
                self.selected -= 1;
                Outcome::changed(true)
            }
            KeyCode::Char('a') => match pending_received {
                Some((id, version)) => {
                    self.done = None;
                    self.form = Some((
                        FormFor::Accept { id, version },
                        SimpleForm::new(
                            pick(lang, "Aceptar referencia", "Accept referral"),
                            vec![Field::new(
                                pick(lang, "Vincular a (id)", "Link to (id)"),
                                FieldKind::Optional,
                            )],
                        ),
                    ));
                    Outcome::changed(true)
                }
                None => Outcome::none(),
            },
            KeyCode::Char('x') => match pending_received {
                Some((id, version)) => {
                    self.done = None;
                    self.form = Some((
                        FormFor::Decline { id, version },
                        SimpleForm::new(
                            pick(lang, "Rechazar referencia", "Decline referral"),
                            vec![Field::new(pick(lang, "Motivo", "Reason"), FieldKind::Text)],
                        ),
                    ));
                    Outcome::changed(true)
                }
                None => Outcome::none(),
            },
            KeyCode::Enter => match self
                .rows
                .get(self.selected)
                .and_then(|r| r.individual.as_ref().and(r.individual_id.clone()))
            {
                Some(id) => Outcome::go(Nav::Individual(id)),
                None => Outcome::none(),
            },
            _ => Outcome::none(),
        }
    }

    pub fn help(&self, lang: Lang) -> Vec<(String, String)> {
        if self.form.is_some() {
            return SimpleForm::help(lang);
        }
        let keys: &[KeyHelp] = match lang {
            Lang::Es => &[
                ("d", "recibidas / enviadas"),
                ("↑↓", "elegir"),
                ("a", "aceptar (recibida pendiente)"),
                ("x", "rechazar con motivo"),
                ("Enter", "abrir la persona de su unidad"),
                ("g", "volver a leer"),
            ],
            Lang::En => &[
                ("d", "received / sent"),
                ("↑↓", "choose"),
                ("a", "accept (received, pending)"),
                ("x", "decline with a reason"),
                ("Enter", "open your unit's person"),
                ("g", "read again"),
            ],
        };
        keys.iter()
            .map(|(k, d)| (k.to_string(), d.to_string()))
            .collect()
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let [body, hint] = split_hint(area);
        let width = usize::from(body.width);
        let mut lines = vec![Line::from(vec![
            Span::styled(
                if self.sent {
                    pick(lang, "Referencias enviadas", "Referrals sent")
                } else {
                    pick(lang, "Referencias recibidas", "Referrals received")
                },
                bold(),
            ),
            Span::styled(pick(lang, "  (d cambia)", "  (d switches)"), dim()),
        ])];
        if let Some(r) = &self.done {
            lines.push(Line::styled(
                format!("{} {r}", pick(lang, "Hecho:", "Done:")),
                bold(),
            ));
        }
        lines.push(Line::styled(
            format!(
                "  {}{}{}{}{}",
                cell(pick(lang, "Referencia", "Reference"), 15),
                cell(pick(lang, "Unidad", "Unit"), 7),
                cell(pick(lang, "Propósito", "Purpose"), 15),
                cell(pick(lang, "Estado", "Status"), 11),
                pick(lang, "Fecha", "Date"),
            ),
            dim(),
        ));
        if let Some(e) = &self.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        } else if self.rows.is_empty() && !self.loading {
            lines.push(Line::styled(
                pick(lang, "  Ninguna referencia.", "  No referral."),
                dim(),
            ));
        }
        // Half the body for the list, the rest for the chosen referral.
        let room = (usize::from(body.height) / 2)
            .saturating_sub(lines.len())
            .max(3);
        let first = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, r) in self.rows.iter().enumerate().skip(first).take(room) {
            let purpose = match (&r.kind, &r.purpose) {
                (ReferralKind::BIOMETRIC, _) => pick(lang, "biométrica", "biometric"),
                (_, Some(p)) => purpose_name(p, lang),
                _ => "—",
            };
            let text = format!(
                "{}{}{}{}{}{}",
                if i == self.selected { "> " } else { "  " },
                cell(&r.reference, 15),
                cell(&r.other_unit, 7),
                cell(purpose, 15),
                cell(status_name(&r.status, lang), 11),
                ellipsis(&local_time(&r.created_at), width.saturating_sub(50)),
            );
            lines.push(if i == self.selected {
                Line::styled(text, bold())
            } else {
                Line::raw(text)
            });
        }
        if let Some(r) = self.rows.get(self.selected) {
            lines.push(Line::raw(""));
            lines.extend(self.detail(r, lang, width));
        }
        frame.render_widget(Paragraph::new(lines), body);
        frame.render_widget(
            Line::styled(
                if self.sent {
                    pick(
                        lang,
                        " d recibidas · g vuelve a leer · R en una persona refiere · ? ayuda",
                        " d received · g read again · R on a person refers · ? help",
                    )
                } else {
                    pick(
                        lang,
                        " a acepta · x rechaza · d enviadas · g vuelve a leer · ? ayuda",
                        " a accepts · x declines · d sent · g read again · ? help",
                    )
                },
                dim(),
            ),
            hint,
        );
        if let Some((_, form)) = &self.form {
            form.draw(lang, frame, area);
        }
    }

    fn detail(&self, r: &ReferralRow, lang: Lang, width: usize) -> Vec<Line<'static>> {
        let mut l = Vec::new();
        let person = r
            .individual
            .as_ref()
            .map(|i| format!("{} {}", i.individual_number, i.full_name));
        if self.sent {
            l.push(Line::raw(ellipsis(
                &format!(
                    "{}: {}",
                    pick(lang, "Persona", "Person"),
                    person.unwrap_or_else(|| "—".into())
                ),
                width,
            )));
            l.push(Line::raw(match &r.decided_at {
                Some(d) => format!("{} {}", status_name(&r.status, lang), local_time(d)),
                None => pick(lang, "Sin respuesta todavía.", "No answer yet.").to_string(),
            }));
            return l;
        }
        if r.kind == ReferralKind::BIOMETRIC {
            l.push(Line::raw(ellipsis(
                &format!(
                    "{} {}",
                    pick(
                        lang,
                        "Posible duplicado biométrico de:",
                        "Possible biometric duplicate of:"
                    ),
                    person.clone().unwrap_or_else(|| "—".into())
                ),
                width,
            )));
        } else if r.consent_withdrawn && r.status == ReferralStatus::PENDING {
            l.push(Line::styled(
                pick(
                    lang,
                    "La persona retiró su consentimiento: no se comparte nada.",
                    "The person withdrew consent: nothing is shared.",
                ),
                error(),
            ));
        }
        for f in &r.shared_fields {
            l.push(Line::raw(ellipsis(
                &format!("  {:<18}{}", field_name(&f.field, lang), f.value),
                width,
            )));
        }
        if let Some(n) = &r.note {
            l.push(Line::raw(ellipsis(
                &format!("{}: {n}", pick(lang, "Nota", "Note")),
                width,
            )));
        }
        if let Some(reason) = &r.decline_reason {
            l.push(Line::raw(ellipsis(
                &format!("{}: {reason}", pick(lang, "Rechazada", "Declined")),
                width,
            )));
        } else if r.status == ReferralStatus::ACCEPTED
            && let Some(p) = person
        {
            l.push(Line::raw(ellipsis(
                &format!("{}: {p}", pick(lang, "Registrada como", "Recorded as")),
                width,
            )));
        }
        l
    }
}

/// Whether the user's roles may refer people and answer referrals (the domain's
/// `Permission::ReferPersons`).
pub fn may_refer(ctx: &super::Ctx) -> bool {
    use amparo_domain::access::{Permission, Role};
    ctx.me.is_some_and(|m| {
        m.roles.iter().any(|r| {
            Role::parse(r).is_some_and(|r| r.permissions().contains(&Permission::ReferPersons))
        })
    })
}
