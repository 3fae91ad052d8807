//! One distribution list: the households planned at the site, each with its focal point, its
//! members, what it is entitled to and whether it was served (where and when). Enter on a
//! household not yet served opens the recipient's check: the focal point's document number is
//! typed, and Enter sends `recordDistribution` (the server compares it with the documents
//! registered to them). The `clientMutationId` is kept until the number changes, so a retry
//! after a timeout records once; a refusal (another site served the household a moment ago,
//! a number that matches no document) keeps the form and says why.
//!
//! Where the workstation has a trusted scanner, `b` checks the focal point by their fingers
//! instead: they are captured and compared 1:1 with their enrolment (`verifyIdentity`), and a
//! match is recorded as a BIOMETRIC distribution; no match, or no capture, says why and records
//! nothing. `a` adds households to the list (by group number; the list's version is sent), and
//! says what became of each.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::assistance_plan::{PlanForm, amount, note_line};
use super::simple_form::SimpleForm;
use super::{Nav, Outcome, Screen};
use crate::api::ApiError;
use crate::i18n::pick;
use crate::i18n::{self, Lang};
use crate::msg::{Cmd, HouseholdNote, ListData, PlannedList};
use crate::widgets::{
    TextInput, bold, cell, dim, ellipsis, error, local_time, split_hint, submit_key,
};

/// The recipient's check before a distribution is recorded.
#[derive(Debug, Clone, Default)]
pub struct VerifyForm {
    /// Index of the household in the list.
    pub entry: usize,
    pub document: TextInput,
    /// Made when first sent, kept until the number changes.
    pub cmid: Option<String>,
    pub sending: bool,
    /// A send was tried with nothing typed.
    pub empty: bool,
    pub error: Option<ApiError>,
}

/// A recipient checked by their fingers.
#[derive(Debug, Clone, Default)]
pub struct BioCheck {
    /// Index of the household in the list.
    pub entry: usize,
    /// Of the capture and `verifyIdentity` under way.
    pub check_cmid: String,
    /// Of `recordDistribution`, once the fingers matched.
    pub record_cmid: Option<String>,
    /// The fingers did not match the enrolment.
    pub no_match: bool,
    pub error: Option<ApiError>,
}

impl BioCheck {
    fn busy(&self) -> bool {
        self.error.is_none() && !self.no_match
    }
}

/// One distribution list.
#[derive(Debug, Clone, Default)]
pub struct DistributionListState {
    pub id: String,
    pub data: Option<ListData>,
    pub selected: usize,
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
    pub form: Option<VerifyForm>,
    /// The household just served, said once above the list.
    pub served: Option<String>,
    /// A check of the recipient's fingers under way or just failed.
    pub bio: Option<BioCheck>,
    /// Households may be checked by their fingers: the workstation has a trusted scanner.
    pub scanner: bool,
    /// The form adding households.
    pub add: Option<PlanForm>,
    /// What became of the households last sent to the list, said above it.
    pub planned: Vec<HouseholdNote>,
}

impl DistributionListState {
    /// Opens the list with this id.
    pub fn open(&mut self, id: String) -> Vec<Cmd> {
        *self = Self {
            id,
            seq: self.seq,
            scanner: self.scanner,
            ..Self::default()
        };
        vec![self.load()]
    }

    /// Opens a list just created, saying what became of the households sent to it.
    pub fn open_planned(&mut self, id: String, households: Vec<HouseholdNote>) -> Vec<Cmd> {
        let cmds = self.open(id);
        self.planned = households;
        cmds
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        Cmd::DistributionList {
            seq: self.seq,
            id: self.id.clone(),
        }
    }

    /// Whether printable keys are typed into the form.
    pub fn typing(&self) -> bool {
        self.form.is_some() || self.add.is_some() || self.bio.is_some()
    }

    /// Whether a form or a check is open (its keys are its own).
    pub fn form_open(&self) -> bool {
        self.typing()
    }

    pub fn reply(&mut self, seq: u64, result: Result<Box<ListData>, ApiError>) {
        if seq != self.seq {
            return;
        }
        self.loading = false;
        match result {
            Ok(d) => {
                self.selected = self.selected.min(d.entries.len().saturating_sub(1));
                self.data = Some(*d);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// The answer to `addToDistributionList`: what became of each household, and the list
    /// read again.
    pub fn planned_reply(
        &mut self,
        cmid: &str,
        result: Result<PlannedList, ApiError>,
    ) -> Option<Outcome> {
        let add = self
            .add
            .as_mut()
            .filter(|f| f.form.cmid.as_deref() == Some(cmid))?;
        match result {
            Ok(p) => {
                self.add = None;
                self.planned = p.households;
                Some(Outcome::send(vec![self.load()]))
            }
            Err(e) => {
                let conflict = matches!(e, ApiError::Conflict(_));
                add.form.refused(e);
                if conflict {
                    // Someone added meanwhile: the list and its version are read again, and
                    // the next send goes with them.
                    self.add = None;
                    return Some(Outcome::send(vec![self.load()]));
                }
                Some(Outcome::changed(true))
            }
        }
    }

    /// The answer to the capture and `verifyIdentity`: a match records the distribution.
    pub fn biometric_reply(
        &mut self,
        cmid: &str,
        result: Result<bool, ApiError>,
    ) -> Option<Outcome> {
        let bio = self.bio.as_mut().filter(|b| b.check_cmid == cmid)?;
        match result {
            Ok(true) => {
                let (list_id, entry) = self
                    .data
                    .as_ref()
                    .and_then(|d| d.entries.get(bio.entry).map(|e| (d.id.clone(), e.clone())))?;
                let recipient_id = entry.focal_point_id?;
                let record = bio
                    .record_cmid
                    .get_or_insert_with(|| uuid::Uuid::now_v7().to_string())
                    .clone();
                Some(Outcome::send(vec![Cmd::Distribute {
                    cmid: record,
                    list_id,
                    group_id: entry.group_id,
                    recipient_id,
                    document_number: None,
                }]))
            }
            Ok(false) => {
                bio.no_match = true;
                Some(Outcome::changed(true))
            }
            Err(e) => {
                bio.error = Some(e);
                Some(Outcome::changed(true))
            }
        }
    }

    /// The answer to `recordDistribution`; None when it is not this form's.
    pub fn distributed_reply(
        &mut self,
        cmid: &str,
        result: Result<String, ApiError>,
    ) -> Option<Outcome> {
        if let Some(bio) = self
            .bio
            .as_mut()
            .filter(|b| b.record_cmid.as_deref() == Some(cmid))
        {
            return Some(match result {
                Ok(_) => {
                    let entry = bio.entry;
                    self.bio = None;
                    self.served_now(entry)
                }
                Err(e) => {
                    bio.error = Some(e);
                    Outcome::changed(true)
                }
            });
        }
        let form = self.form.as_mut()?;
        if form.cmid.as_deref() != Some(cmid) {
            return None;
        }
        form.sending = false;
        match result {
            Ok(_) => {
                let entry = form.entry;
                self.form = None;
                Some(self.served_now(entry))
            }
            Err(e) => {
                form.error = Some(e);
                Some(Outcome::changed(true))
            }
        }
    }

    /// Household `entry` was served: said above the list, which is read again.
    fn served_now(&mut self, entry: usize) -> Outcome {
        self.served = self
            .data
            .as_ref()
            .and_then(|d| d.entries.get(entry))
            .map(|e| e.group_number.clone());
        self.planned.clear();
        Outcome::send(vec![self.load()])
    }

    /// The household chosen, when it may be served: not yet served, with someone to collect.
    fn servable(&self) -> Option<(usize, String)> {
        self.data
            .as_ref()
            .and_then(|d| d.entries.get(self.selected))
            .filter(|e| e.distribution.is_none())
            .and_then(|e| e.focal_point_id.clone())
            .map(|id| (self.selected, id))
    }

    /// Starts a check of the chosen household's recipient by their fingers.
    fn check_fingers(&mut self, entry: usize, individual_id: String) -> Outcome {
        let cmid = uuid::Uuid::now_v7().to_string();
        self.served = None;
        self.bio = Some(BioCheck {
            entry,
            check_cmid: cmid.clone(),
            ..BioCheck::default()
        });
        Outcome::send(vec![Cmd::CheckBiometrics {
            cmid,
            individual_id,
        }])
    }

    fn bio_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(bio) = self.bio.as_mut() else {
            return Outcome::none();
        };
        if bio.busy() {
            // The capture runs on the scanner; its answer closes or keeps the check.
            return Outcome::none();
        }
        match key.code {
            KeyCode::Esc => {
                self.bio = None;
                Outcome::changed(true)
            }
            KeyCode::Enter if bio.record_cmid.is_some() && !bio.no_match => {
                // The fingers matched and recording failed: record again, under the same id.
                bio.error = None;
                let check = bio.check_cmid.clone();
                self.biometric_reply(&check, Ok(true))
                    .unwrap_or_else(Outcome::none)
            }
            KeyCode::Enter => {
                let entry = bio.entry;
                match self
                    .data
                    .as_ref()
                    .and_then(|d| d.entries.get(entry))
                    .and_then(|e| e.focal_point_id.clone())
                {
                    Some(id) => self.check_fingers(entry, id),
                    None => Outcome::none(),
                }
            }
            _ => Outcome::none(),
        }
    }

    fn add_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(add) = self.add.as_mut() else {
            return Outcome::none();
        };
        match add.key(key) {
            None => {
                self.add = None;
                Outcome::changed(true)
            }
            Some(Ok(cmd)) => Outcome::send(vec![cmd]),
            Some(Err(changed)) => Outcome::changed(changed),
        }
    }

    pub fn key(&mut self, key: KeyEvent, lang: Lang) -> Outcome {
        if self.bio.is_some() {
            return self.bio_key(key);
        }
        if self.add.is_some() {
            return self.add_key(key);
        }
        if self.form.is_some() {
            return self.form_key(key);
        }
        match key.code {
            KeyCode::Char('b') if self.scanner => {
                return match self.servable() {
                    Some((entry, id)) => self.check_fingers(entry, id),
                    None => Outcome::none(),
                };
            }
            KeyCode::Char('a') => {
                let Some(d) = self.data.as_ref() else {
                    return Outcome::none();
                };
                self.served = None;
                self.planned.clear();
                self.add = Some(PlanForm::add_to_list(lang, d.id.clone(), d.version));
                return Outcome::changed(true);
            }
            _ => {}
        }
        let count = self.data.as_ref().map_or(0, |d| d.entries.len());
        match key.code {
            KeyCode::Esc => Outcome::go(Nav::Back {
                fallback: Screen::Distributions,
                reread: true,
            }),
            KeyCode::Char('g') => Outcome::send(vec![self.load()]),
            KeyCode::Down if self.selected + 1 < count => {
                self.selected += 1;
                Outcome::changed(true)
            }
            KeyCode::Up if self.selected > 0 => {
                self.selected -= 1;
                Outcome::changed(true)
            }
            KeyCode::Enter => {
                let open = self
                    .data
                    .as_ref()
                    .and_then(|d| d.entries.get(self.selected))
                    .is_some_and(|e| e.distribution.is_none() && e.focal_point_id.is_some());
                if open {
                    self.served = None;
                    self.form = Some(VerifyForm {
                        entry: self.selected,
                        ..VerifyForm::default()
                    });
                    Outcome::changed(true)
                } else {
                    Outcome::none()
                }
            }
            _ => Outcome::none(),
        }
    }

    fn form_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(form) = self.form.as_mut() else {
            return Outcome::none();
        };
        if key.code == KeyCode::Esc {
            self.form = None;
            return Outcome::changed(true);
        }
        if key.code == KeyCode::Enter || submit_key(&key) {
            if form.sending {
                return Outcome::none();
            }
            if form.document.value.trim().is_empty() {
                form.empty = true;
                return Outcome::changed(true);
            }
            let Some((list_id, entry)) = self
                .data
                .as_ref()
                .and_then(|d| d.entries.get(form.entry).map(|e| (d.id.clone(), e.clone())))
            else {
                return Outcome::none();
            };
            let Some(recipient_id) = entry.focal_point_id else {
                return Outcome::none();
            };
            let cmid = form
                .cmid
                .get_or_insert_with(|| uuid::Uuid::now_v7().to_string())
                .clone();
            form.sending = true;
            form.error = None;
            return Outcome::send(vec![Cmd::Distribute {
                cmid,
                list_id,
                group_id: entry.group_id,
                recipient_id,
                document_number: Some(form.document.value.trim().to_string()),
            }]);
        }
        if !form.sending && form.document.edit(&key) {
            form.cmid = None;
            form.empty = false;
            form.error = None;
            return Outcome::changed(true);
        }
        Outcome::none()
    }

    pub fn help(&self, lang: Lang) -> Vec<(String, String)> {
        if self.add.is_some() {
            return SimpleForm::help(lang);
        }
        let keys: &[(&str, &str)] = match (lang, self.form.is_some() || self.bio.is_some()) {
            (Lang::Es, false) => &[
                ("↑↓", "elegir un hogar"),
                ("Enter", "verificar el documento y registrar la entrega"),
                ("b", "verificar las huellas y registrar (con lector)"),
                ("a", "añadir hogares a la lista"),
                ("g", "volver a leer"),
                ("Esc", "volver"),
            ],
            (Lang::En, false) => &[
                ("↑↓", "choose a household"),
                ("Enter", "check the document and record the distribution"),
                ("b", "check the fingers and record (with a scanner)"),
                ("a", "add households to the list"),
                ("g", "read again"),
                ("Esc", "back"),
            ],
            (Lang::Es, true) => &[
                ("Enter Ctrl-S", "registrar la entrega (o reintentar)"),
                ("Esc", "cancelar"),
            ],
            (Lang::En, true) => &[
                ("Enter Ctrl-S", "record the distribution (or try again)"),
                ("Esc", "cancel"),
            ],
        };
        keys.iter()
            .filter(|(k, _)| self.scanner || *k != "b")
            .map(|(k, d)| (k.to_string(), d.to_string()))
            .collect()
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let [body, hint] = split_hint(area);
        let mut lines = Vec::new();
        match &self.data {
            Some(d) => {
                lines.push(Line::from(vec![
                    Span::styled(format!("{} · {}", d.site, d.date), bold()),
                    Span::raw(format!(
                        " · {} · {} {}",
                        d.programme.name,
                        pick(lang, "ciclo", "cycle"),
                        d.cycle
                    )),
                ]));
            }
            None => lines.push(Line::styled(
                pick(lang, "Lista de distribución", "Distribution list"),
                bold(),
            )),
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        }
        if let Some(g) = &self.served {
            lines.push(Line::styled(
                format!(
                    "{} {g}",
                    pick(
                        lang,
                        "Entrega registrada: hogar",
                        "Distribution recorded: household"
                    )
                ),
                bold(),
            ));
        }
        for n in &self.planned {
            lines.push(Line::raw(ellipsis(
                &note_line(n, lang),
                usize::from(body.width),
            )));
        }
        lines.push(Line::styled(
            format!(
                "  {}{}{}{}{}",
                cell(pick(lang, "Hogar", "Household"), 16),
                cell(pick(lang, "Punto focal", "Focal point"), 24),
                cell(pick(lang, "Pers.", "Size"), 6),
                cell(pick(lang, "Monto", "Amount"), 8),
                pick(lang, "Entrega", "Served"),
            ),
            dim(),
        ));
        let entries = self.data.as_ref().map_or(&[][..], |d| &d.entries[..]);
        if entries.is_empty() && self.data.is_some() {
            lines.push(Line::styled(
                pick(
                    lang,
                    "  Ningún hogar en la lista.",
                    "  No household on the list.",
                ),
                dim(),
            ));
        }
        let unit = self
            .data
            .as_ref()
            .map_or(String::new(), |d| d.programme.amount_unit.clone());
        let room = usize::from(body.height).saturating_sub(lines.len());
        let first = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, e) in entries.iter().enumerate().skip(first).take(room) {
            let served = match &e.distribution {
                Some(d) => {
                    // The list is of one day: the time says enough.
                    let at = local_time(&d.distributed_at);
                    format!("✓ {} {}", at.get(11..).unwrap_or(&at), d.site)
                }
                None => pick(lang, "pendiente", "pending").to_string(),
            };
            let text = format!(
                "{}{}{}{}{}{}",
                if i == self.selected { "> " } else { "  " },
                cell(&e.group_number, 16),
                cell(
                    &ellipsis(e.focal_point_name.as_deref().unwrap_or("—"), 23),
                    24
                ),
                cell(&e.members.to_string(), 6),
                cell(&ellipsis(&format!("{} {unit}", amount(e.amount)), 7), 8),
                ellipsis(&served, usize::from(body.width).saturating_sub(56)),
            );
            lines.push(if i == self.selected {
                Line::styled(text, bold())
            } else {
                Line::raw(text)
            });
        }
        frame.render_widget(Paragraph::new(lines), body);
        frame.render_widget(
            Line::styled(
                match (lang, self.scanner) {
                    (Lang::Es, false) => {
                        " Enter verifica y entrega · a añadir hogares · g releer · Esc · ? ayuda"
                    }
                    (Lang::En, false) => {
                        " Enter verifies and records · a add households · g reload · Esc · ? help"
                    }
                    (Lang::Es, true) => {
                        " Enter documento · b huellas · a añadir · g releer · Esc · ? ayuda"
                    }
                    (Lang::En, true) => {
                        " Enter document · b fingers · a add · g reload · Esc · ? help"
                    }
                },
                dim(),
            ),
            hint,
        );
        if let Some(form) = &self.form {
            self.draw_form(form, lang, frame, body);
        }
        if let Some(bio) = &self.bio {
            self.draw_bio(bio, lang, frame, body);
        }
        if let Some(add) = &self.add {
            add.draw(lang, frame, body);
        }
    }

    fn draw_bio(&self, bio: &BioCheck, lang: Lang, frame: &mut Frame, body: Rect) {
        let Some(entry) = self.data.as_ref().and_then(|d| d.entries.get(bio.entry)) else {
            return;
        };
        let mut lines = vec![Line::raw(format!(
            "{}: {} · {}",
            pick(lang, "Hogar", "Household"),
            entry.group_number,
            entry.focal_point_name.as_deref().unwrap_or("—")
        ))];
        if bio.no_match {
            lines.push(Line::styled(
                pick(
                    lang,
                    "Las huellas no coinciden con las registradas de esta persona: no se registró nada.",
                    "The fingers do not match this person's enrolment: nothing was recorded.",
                ),
                error(),
            ));
        } else if let Some(e) = &bio.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        } else if bio.record_cmid.is_some() {
            lines.push(Line::styled(
                pick(
                    lang,
                    "Huellas verificadas. Registrando la entrega…",
                    "Fingers verified. Recording the distribution…",
                ),
                bold(),
            ));
        } else {
            lines.push(Line::styled(
                pick(
                    lang,
                    "Pida a la persona que ponga los dedos en el lector…",
                    "Ask the person to place their fingers on the scanner…",
                ),
                bold(),
            ));
        }
        lines.push(Line::styled(
            if bio.busy() {
                pick(
                    lang,
                    "Esperando al lector y al servidor",
                    "Waiting for the scanner and the server",
                )
            } else {
                pick(
                    lang,
                    "Enter reintenta · Esc cancela",
                    "Enter tries again · Esc cancels",
                )
            },
            dim(),
        ));
        let height = (lines.len() as u16 + 2).min(body.height);
        let area = Rect {
            x: body.x,
            y: body.y + body.height.saturating_sub(height),
            width: body.width,
            height,
        };
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(
                    " {} ",
                    pick(lang, "Verificar por huellas", "Verify by fingers")
                ))),
            area,
        );
    }

    fn draw_form(&self, form: &VerifyForm, lang: Lang, frame: &mut Frame, body: Rect) {
        let Some(entry) = self.data.as_ref().and_then(|d| d.entries.get(form.entry)) else {
            return;
        };
        let unit = self
            .data
            .as_ref()
            .map_or(String::new(), |d| d.programme.amount_unit.clone());
        let mut lines = vec![
            Line::raw(format!(
                "{}: {} · {} {unit}",
                pick(lang, "Hogar", "Household"),
                entry.group_number,
                amount(entry.amount)
            )),
            Line::raw(format!(
                "{}: {}",
                pick(lang, "Recibe", "Recipient"),
                entry.focal_point_name.as_deref().unwrap_or("—")
            )),
            Line::from(vec![
                Span::raw(format!(
                    "{}: ",
                    pick(lang, "N.º de documento", "Document number")
                )),
                Span::styled(format!("{}_", form.document.value), bold()),
            ]),
        ];
        if form.empty {
            lines.push(Line::styled(
                pick(
                    lang,
                    "Escriba el número del documento que presenta la persona.",
                    "Type the number of the document the person shows.",
                ),
                error(),
            ));
        }
        if let Some(e) = &form.error {
            lines.push(Line::styled(i18n::text(lang).error(e), error()));
        }
        if form.sending {
            lines.push(Line::styled(pick(lang, "Enviando…", "Sending…"), dim()));
        }
        lines.push(Line::styled(
            pick(
                lang,
                "Enter registra · Esc cancela",
                "Enter records · Esc cancels",
            ),
            dim(),
        ));
        let height = (lines.len() as u16 + 2).min(body.height);
        let area = Rect {
            x: body.x,
            y: body.y + body.height.saturating_sub(height),
            width: body.width,
            height,
        };
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(
                    " {} ",
                    pick(lang, "Verificar y entregar", "Verify and distribute")
                ))),
            area,
        );
    }
}
