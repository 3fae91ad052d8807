//! Referrals between units (F10, everyone whose role may refer): those received by the unit and
//! those it sent (`d` switches), latest first. A received referral shows exactly the fields
//! its agreement let it carry, the sender's note and whether the person withdrew consent;
//! `a` accepts it (registering the person from those fields, or linking a record of the unit)
//! and `x` declines it with a reason. A sent one shows its outcome and nothing else of the other
//! unit. `R` on an individual opens this screen with the referral form: agreement and purpose
//! (from the agreements in force), the consent it rests on, a note. Opened so, the screen also
//! shows the person's consents to be referred: `c` records one (who consented, when, for which
//! purposes), `w` withdraws one (nothing more is shared under it), `R` opens the referral
//! form again. The referral form offers the consents standing; with none, it records the
//! consent given now (who, when) with the referral.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::simple_form::{Field, FieldKind, FormKey, SimpleForm};
use super::{Nav, Outcome};
use crate::api::ApiError;
use crate::api::referrals::{ReferralDirection, ReferralKind, ReferralStatus};
use crate::i18n::pick;
use crate::i18n::{self, KeyHelp, Lang};
use crate::msg::{
    AgreementRow, Cmd, ConsentRow, ReferralConsent, ReferralRow, ReferralsData, SharingInput,
};
use crate::widgets::{
    ListKey, PageRequest, PagedList, bold, cell, dim, ellipsis, error, local_time, split_hint,
};

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

/// The purposes a referral (and so a consent) may be for.
pub const PURPOSES: [&str; 4] = ["assistance", "resettlement", "asylum", "protection"];

/// What the open form does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormFor {
    /// A referral of the person; `recorded`: under a consent recorded before (else the form
    /// asks who consented and when).
    Refer {
        person: String,
        recorded: bool,
    },
    Accept {
        id: String,
        version: i64,
    },
    Decline {
        id: String,
        version: i64,
    },
    /// A consent of the person: who, when, one yes/no per purpose.
    Consent(String),
    /// The withdrawal of one of the person's consents.
    Withdraw,
}

/// What went through last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// A referral sent, accepted or declined: its reference.
    Referral(String),
    ConsentRecorded,
    ConsentWithdrawn,
}

fn consent_line(c: &ConsentRow, lang: Lang) -> String {
    let purposes: Vec<&str> = c.purposes.iter().map(|p| purpose_name(p, lang)).collect();
    format!("{} {} · {}", c.given_on, c.given_by, purposes.join(", "))
}

/// The referrals screen.
#[derive(Debug, Clone, Default)]
pub struct ReferralsState {
    /// Showing the referrals the unit sent (else those it received).
    pub sent: bool,
    /// The page of referrals shown (↑↓ n p g).
    pub list: PagedList<ReferralRow>,
    pub agreements: Vec<AgreementRow>,
    pub form: Option<(FormFor, SimpleForm)>,
    /// The person being referred (opened with `R` on an individual): their consents show.
    pub person: Option<String>,
    pub consents: Vec<ConsentRow>,
    /// A referral form waits for the agreements and consents to be read.
    pub refer_waiting: bool,
    /// Said after a write went through.
    pub done: Option<Done>,
}

impl ReferralsState {
    pub fn open(&mut self) -> Vec<Cmd> {
        self.done = None;
        self.person = None;
        self.consents.clear();
        let page = self.list.request(0);
        vec![self.load(page)]
    }

    /// Opened from an individual: the sent list, the person's consents and the referral form
    /// for that person.
    pub fn refer(&mut self, individual_id: String) -> Vec<Cmd> {
        self.sent = true;
        self.done = None;
        self.person = Some(individual_id);
        self.consents.clear();
        self.refer_waiting = true;
        let page = self.list.restart();
        vec![self.load(page)]
    }

    /// The consents not withdrawn.
    fn standing(&self) -> impl Iterator<Item = &ConsentRow> {
        self.consents.iter().filter(|c| c.withdrawn_on.is_none())
    }

    fn load(&self, page: PageRequest) -> Cmd {
        Cmd::Referrals {
            page,
            direction: if self.sent {
                ReferralDirection::SENT
            } else {
                ReferralDirection::RECEIVED
            },
            person: self.person.clone(),
        }
    }

    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn reply(&mut self, seq: u64, result: Result<ReferralsData, ApiError>, lang: Lang) {
        let (page, result) = match result {
            Ok(d) => {
                let page = d.page;
                if seq == self.list.seq {
                    self.agreements = d.agreements;
                    self.consents = d.consents;
                }
                (page, Ok(d.referrals))
            }
            Err(e) => (self.list.page, Err(e)),
        };
        if self.list.answer(seq, page, result)
            && self.list.error.is_none()
            && std::mem::take(&mut self.refer_waiting)
        {
            self.form = self.refer_form(lang);
        }
    }

    /// The referral form for the person, under a consent standing if there is one.
    fn refer_form(&self, lang: Lang) -> Option<(FormFor, SimpleForm)> {
        let person = self.person.clone()?;
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
        let title = pick(lang, "Referir a otra unidad", "Refer to another unit");
        let agreement = Field::choice(pick(lang, "Acuerdo", "Agreement"), choices);
        let note = Field::new(pick(lang, "Nota", "Note"), FieldKind::Optional);
        let recorded: Vec<(String, String)> = self
            .standing()
            .map(|c| (c.id.clone(), consent_line(c, lang)))
            .collect();
        Some(if recorded.is_empty() {
            (
                FormFor::Refer {
                    person,
                    recorded: false,
                },
                SimpleForm::new(
                    title,
                    vec![
                        agreement,
                        Field::new(pick(lang, "Consintió", "Consent by"), FieldKind::Text),
                        Field::new(
                            pick(lang, "Fecha consent.", "Consent date"),
                            FieldKind::Date,
                        ),
                        note,
                    ],
                )
                .with_text(1, pick(lang, "la persona", "the person")),
            )
        } else {
            (
                FormFor::Refer {
                    person,
                    recorded: true,
                },
                SimpleForm::new(
                    title,
                    vec![
                        agreement,
                        Field::choice(pick(lang, "Consentimiento", "Consent"), recorded),
                        note,
                    ],
                ),
            )
        })
    }

    /// The form recording a consent of the person.
    fn consent_form(lang: Lang) -> SimpleForm {
        let yes_no = || {
            vec![
                ("no".to_string(), pick(lang, "no", "no").to_string()),
                ("yes".to_string(), pick(lang, "sí", "yes").to_string()),
            ]
        };
        let mut fields = vec![
            Field::new(pick(lang, "Consintió", "Consent by"), FieldKind::Text),
            Field::new(pick(lang, "Fecha", "Date"), FieldKind::Date),
        ];
        fields.extend(
            PURPOSES
                .iter()
                .map(|p| Field::choice(purpose_name(p, lang), yes_no())),
        );
        SimpleForm::new(
            pick(lang, "Registrar consentimiento", "Record consent"),
            fields,
        )
        .with_text(0, pick(lang, "la persona", "the person"))
    }

    /// The input `what`'s form sends with `values` (in the order its fields are listed).
    fn input(&self, what: FormFor, values: Vec<String>) -> SharingInput {
        let v = |i: usize| values.get(i).cloned().unwrap_or_default();
        let note = |i: usize| Some(v(i)).filter(|n| !n.is_empty());
        match what {
            FormFor::Refer { person, recorded } => {
                let choice = v(0);
                let (agreement, purpose) = choice.split_once('|').unwrap_or(("", ""));
                let (consent, note) = if recorded {
                    (ReferralConsent::Recorded(v(1)), note(2))
                } else {
                    let given = ReferralConsent::GivenNow {
                        given_by: v(1),
                        given_on: v(2),
                    };
                    (given, note(3))
                };
                SharingInput::Refer {
                    individual_id: person,
                    agreement_id: agreement.to_string(),
                    purpose: purpose.to_string(),
                    consent,
                    note,
                }
            }
            FormFor::Accept { id, version } => SharingInput::Accept {
                referral_id: id,
                version,
                individual_id: note(0),
            },
            FormFor::Decline { id, version } => SharingInput::Decline {
                referral_id: id,
                version,
                reason: v(0),
            },
            FormFor::Consent(person) => SharingInput::RecordConsent {
                individual_id: person,
                given_by: v(0),
                given_on: v(1),
                purposes: PURPOSES
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| v(i + 2) == "yes")
                    .map(|(_, p)| p.to_string())
                    .collect(),
            },
            FormFor::Withdraw => {
                let chosen = v(0);
                let version = self
                    .consents
                    .iter()
                    .find(|c| c.id == chosen)
                    .map_or(0, |c| c.version);
                SharingInput::WithdrawConsent {
                    consent_id: chosen,
                    version,
                }
            }
        }
    }

    /// The answer to a write sent from this screen; `None` if not ours.
    pub fn act_reply(&mut self, cmid: &str, result: Result<String, ApiError>) -> Option<Outcome> {
        let (what, form) = self.form.as_mut()?;
        if form.cmid.as_deref() != Some(cmid) {
            return None;
        }
        Some(match result {
            Ok(reference) => {
                self.done = Some(match what {
                    FormFor::Consent(_) => Done::ConsentRecorded,
                    FormFor::Withdraw => Done::ConsentWithdrawn,
                    _ => Done::Referral(reference),
                });
                self.form = None;
                let page = self.list.reread();
                Outcome::send(vec![self.load(page)])
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
                    let what = what.clone();
                    let input = self.input(what, values);
                    Outcome::send(vec![Cmd::Sharing { cmid, input }])
                }
            };
        }
        let pending_received = self
            .list
            .current()
            .filter(|r| !self.sent && r.status == ReferralStatus::PENDING)
            .map(|r| (r.id.clone(), r.version));
        match key.code {
            KeyCode::Char('d') => {
                self.sent = !self.sent;
                self.done = None;
                let page = self.list.restart();
                Outcome::send(vec![self.load(page)])
            }
            KeyCode::Char('c') => match self.person.clone() {
                Some(person) => {
                    self.done = None;
                    self.form = Some((FormFor::Consent(person), Self::consent_form(lang)));
                    Outcome::changed(true)
                }
                None => Outcome::none(),
            },
            KeyCode::Char('w') if self.person.is_some() => {
                let standing: Vec<(String, String)> = self
                    .standing()
                    .map(|c| (c.id.clone(), consent_line(c, lang)))
                    .collect();
                if standing.is_empty() {
                    return Outcome::none();
                }
                self.done = None;
                self.form = Some((
                    FormFor::Withdraw,
                    SimpleForm::new(
                        pick(lang, "Retirar consentimiento", "Withdraw consent"),
                        vec![Field::choice(
                            pick(lang, "Consentimiento", "Consent"),
                            standing,
                        )],
                    ),
                ));
                Outcome::changed(true)
            }
            KeyCode::Char('R') => match self.refer_form(lang) {
                Some(form) => {
                    self.done = None;
                    self.form = Some(form);
                    Outcome::changed(true)
                }
                None => Outcome::none(),
            },
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
                .list
                .current()
                .and_then(|r| r.individual.as_ref().and(r.individual_id.clone()))
            {
                Some(id) => Outcome::go(Nav::Individual(id)),
                None => Outcome::none(),
            },
            code => match self.list.key(code) {
                ListKey::Ignored => Outcome::none(),
                ListKey::Moved => Outcome::changed(true),
                ListKey::Load(page) => Outcome::send(vec![self.load(page)]),
            },
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
                ("n p", "página siguiente / anterior"),
                ("a", "aceptar (recibida pendiente)"),
                ("x", "rechazar con motivo"),
                ("Enter", "abrir la persona de su unidad"),
                ("g", "volver a leer"),
            ],
            Lang::En => &[
                ("d", "received / sent"),
                ("↑↓", "choose"),
                ("n p", "next / previous page"),
                ("a", "accept (received, pending)"),
                ("x", "decline with a reason"),
                ("Enter", "open your unit's person"),
                ("g", "read again"),
            ],
        };
        let person: &[KeyHelp] = match lang {
            Lang::Es => &[
                ("R", "referir a la persona"),
                ("c", "registrar su consentimiento"),
                ("w", "retirar un consentimiento"),
            ],
            Lang::En => &[
                ("R", "refer the person"),
                ("c", "record their consent"),
                ("w", "withdraw a consent"),
            ],
        };
        let person = if self.person.is_some() { person } else { &[] };
        keys.iter()
            .chain(person)
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
        if let Some(done) = &self.done {
            lines.push(Line::styled(
                match done {
                    Done::Referral(r) => format!("{} {r}", pick(lang, "Hecho:", "Done:")),
                    Done::ConsentRecorded => {
                        pick(lang, "Consentimiento registrado.", "Consent recorded.").into()
                    }
                    Done::ConsentWithdrawn => {
                        pick(lang, "Consentimiento retirado.", "Consent withdrawn.").into()
                    }
                },
                bold(),
            ));
        }
        if self.person.is_some() {
            lines.extend(self.consent_lines(lang, width));
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
        if let Some(e) = &self.list.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        } else if self.list.rows.is_empty() && !self.list.loading {
            lines.push(Line::styled(
                pick(lang, "  Ninguna referencia.", "  No referral."),
                dim(),
            ));
        }
        // Half the body for the list, the rest for the chosen referral.
        let room = (usize::from(body.height) / 2)
            .saturating_sub(lines.len())
            .max(3);
        for (chosen, r) in self.list.window(room) {
            let purpose = match (&r.kind, &r.purpose) {
                (ReferralKind::BIOMETRIC, _) => pick(lang, "biométrica", "biometric"),
                (_, Some(p)) => purpose_name(p, lang),
                _ => "—",
            };
            let text = format!(
                "{}{}{}{}{}{}",
                if chosen { "> " } else { "  " },
                cell(&r.reference, 15),
                cell(&r.other_unit, 7),
                cell(purpose, 15),
                cell(status_name(&r.status, lang), 11),
                ellipsis(&local_time(&r.created_at), width.saturating_sub(50)),
            );
            lines.push(if chosen {
                Line::styled(text, bold())
            } else {
                Line::raw(text)
            });
        }
        if let Some(r) = self.list.current() {
            lines.push(Line::raw(""));
            lines.extend(self.detail(r, lang, width));
        }
        frame.render_widget(Paragraph::new(lines), body);
        frame.render_widget(
            Line::styled(
                if self.person.is_some() {
                    pick(
                        lang,
                        " R refiere · c consentimiento · w lo retira · d recibidas · ? ayuda",
                        " R refers · c consent · w withdraws it · d received · ? help",
                    )
                } else if self.sent {
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

    /// The person's consents to be referred, latest first.
    fn consent_lines(&self, lang: Lang, width: usize) -> Vec<Line<'static>> {
        let mut l = vec![Line::styled(
            pick(
                lang,
                "Consentimientos de la persona",
                "The person's consents",
            ),
            bold(),
        )];
        if self.consents.is_empty() {
            l.push(Line::styled(
                pick(
                    lang,
                    "  Ninguno registrado (c registra uno).",
                    "  None recorded (c records one).",
                ),
                dim(),
            ));
        }
        for c in &self.consents {
            let text = ellipsis(
                &format!(
                    "  {}{}",
                    consent_line(c, lang),
                    c.withdrawn_on
                        .as_ref()
                        .map(|d| format!(" · {} {d}", pick(lang, "retirado el", "withdrawn on")))
                        .unwrap_or_default()
                ),
                width,
            );
            l.push(if c.withdrawn_on.is_some() {
                Line::styled(text, dim())
            } else {
                Line::raw(text)
            });
        }
        l
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
