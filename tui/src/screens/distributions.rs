//! Distributions of the day (F4, the home of assistance staff in units that run the assistance
//! module): today's distribution lists by site, with how many households each plans and how
//! many were served. Enter opens a list; `p` shows the programmes with their eligibility rules
//! in words; `c` the reconciliation (planned against distributed, per site) of the chosen
//! list's programme and cycle, ←→ changing the cycle. Among the programmes the staff plan
//! (`assistance_plan`): `n` a new programme, `e` changes the chosen one, `a` assesses a
//! household against it (its explanation shown), `l` opens a list for a site and date and
//! shows it.

use amparo_domain::assistance::rules;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::assistance_plan::{PlanForm, amount, note_line};
use super::simple_form::SimpleForm;
use super::{Nav, Outcome};
use crate::api::ApiError;
use crate::i18n::pick;
use crate::i18n::{self, Lang};
use crate::msg::{Cmd, DayList, HouseholdNote, PlannedList, ProgrammeRow, SiteRow};
use crate::widgets::{bold, cell, dim, ellipsis, error, split_hint};

/// What the screen shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    /// Today's lists.
    #[default]
    Day,
    /// The unit's programmes.
    Programmes,
    /// Planned against distributed per site, for one programme's cycle.
    Reconciliation,
}

/// The programme and cycle a reconciliation is of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconFor {
    pub programme_id: String,
    pub name: String,
    pub cycle: i64,
    /// The programme's cycles, when known (the arrows stop there).
    pub cycles: Option<i64>,
}

/// The day's distributions and the views beside it.
#[derive(Debug, Clone, Default)]
pub struct DistributionsState {
    pub view: View,
    pub lists: Vec<DayList>,
    pub programmes: Vec<ProgrammeRow>,
    pub sites: Vec<SiteRow>,
    pub recon: Option<ReconFor>,
    pub selected: usize,
    pub selected_programme: usize,
    /// Answers to older reads are dropped.
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
    /// A planning form open over the programmes.
    pub form: Option<PlanForm>,
    /// What the last planning did, said once above the programmes: a programme saved, a
    /// household's assessment.
    pub note: Option<Note>,
}

/// What the last planning did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A programme created or changed.
    Saved,
    /// A household assessed.
    Assessed(HouseholdNote),
}

/// A programme's kind in words.
pub fn kind_name(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "CASH" => pick(lang, "efectivo", "cash"),
        _ => pick(lang, "en especie", "in kind"),
    }
}

impl DistributionsState {
    /// Shown as a home: reads today's lists.
    pub fn open(&mut self) -> Vec<Cmd> {
        self.view = View::Day;
        vec![self.load()]
    }

    /// Reads the view shown again, e.g. back from a list just worked on.
    pub fn reread(&mut self) -> Vec<Cmd> {
        vec![self.load()]
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        let seq = self.seq;
        match (self.view, &self.recon) {
            (View::Programmes, _) => Cmd::Programmes { seq },
            (View::Reconciliation, Some(r)) => Cmd::Reconciliation {
                seq,
                programme_id: r.programme_id.clone(),
                cycle: r.cycle,
            },
            _ => Cmd::DistributionLists { seq },
        }
    }

    fn answered(&mut self, seq: u64) -> bool {
        if seq != self.seq {
            return false;
        }
        self.loading = false;
        true
    }

    pub fn lists_reply(&mut self, seq: u64, result: Result<Vec<DayList>, ApiError>) {
        if self.answered(seq) {
            match result {
                Ok(rows) => {
                    self.lists = rows;
                    self.selected = self.selected.min(self.lists.len().saturating_sub(1));
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
    }

    pub fn programmes_reply(&mut self, seq: u64, result: Result<Vec<ProgrammeRow>, ApiError>) {
        if self.answered(seq) {
            match result {
                Ok(rows) => {
                    self.programmes = rows;
                    self.selected_programme = self
                        .selected_programme
                        .min(self.programmes.len().saturating_sub(1));
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
    }

    pub fn reconciliation_reply(&mut self, seq: u64, result: Result<Vec<SiteRow>, ApiError>) {
        if self.answered(seq) {
            match result {
                Ok(rows) => {
                    self.sites = rows;
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
    }

    fn show(&mut self, view: View) -> Outcome {
        self.view = view;
        self.error = None;
        self.note = None;
        Outcome::send(vec![self.load()])
    }

    /// Whether printable keys are typed into a form.
    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    fn form_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(form) = self.form.as_mut() else {
            return Outcome::none();
        };
        match form.key(key) {
            None => {
                self.form = None;
                Outcome::changed(true)
            }
            Some(Ok(cmd)) => Outcome::send(vec![cmd]),
            Some(Err(changed)) => Outcome::changed(changed),
        }
    }

    /// Opens a planning form over the programmes.
    fn open_form(&mut self, form: PlanForm) -> Outcome {
        self.note = None;
        self.form = Some(form);
        Outcome::changed(true)
    }

    /// The form waiting for the answer to `cmid`, if any.
    fn form_of(&mut self, cmid: &str) -> Option<&mut PlanForm> {
        self.form
            .as_mut()
            .filter(|f| f.form.cmid.as_deref() == Some(cmid))
    }

    /// The answer to `createAssistanceProgramme` or `updateAssistanceProgramme`.
    pub fn saved_reply(&mut self, cmid: &str, result: Result<String, ApiError>) -> Option<Outcome> {
        let form = self.form_of(cmid)?;
        match result {
            Ok(_) => {
                self.form = None;
                self.note = Some(Note::Saved);
                Some(Outcome::send(vec![self.load()]))
            }
            Err(e) => {
                let conflict = matches!(e, ApiError::Conflict(_));
                form.form.refused(e);
                // Someone changed it meanwhile: what they saved is read under the form.
                Some(if conflict {
                    Outcome::send(vec![self.load()])
                } else {
                    Outcome::changed(true)
                })
            }
        }
    }

    /// The answer to `assessEligibility`.
    pub fn assessed_reply(
        &mut self,
        cmid: &str,
        result: Result<HouseholdNote, ApiError>,
    ) -> Option<Outcome> {
        let form = self.form_of(cmid)?;
        match result {
            Ok(n) => {
                self.form = None;
                self.note = Some(Note::Assessed(n));
            }
            Err(e) => form.form.refused(e),
        }
        Some(Outcome::changed(true))
    }

    /// The answer to `createDistributionList`: the new list is shown, with what became of the
    /// households sent.
    pub fn planned_reply(
        &mut self,
        cmid: &str,
        result: Result<PlannedList, ApiError>,
    ) -> Option<Outcome> {
        let form = self.form_of(cmid)?;
        match result {
            Ok(p) => {
                self.form = None;
                Some(Outcome::go(Nav::PlannedList {
                    id: p.list_id,
                    households: p.households,
                }))
            }
            Err(e) => {
                form.form.refused(e);
                Some(Outcome::changed(true))
            }
        }
    }

    pub fn key(&mut self, key: KeyEvent, lang: Lang) -> Outcome {
        if self.form.is_some() {
            return self.form_key(key);
        }
        let chosen = self.programmes.get(self.selected_programme).cloned();
        match (self.view, key.code, chosen) {
            (View::Programmes, KeyCode::Char('n'), _) => {
                return self.open_form(PlanForm::new_programme(lang));
            }
            (View::Programmes, KeyCode::Char('e'), Some(p)) => {
                return self.open_form(PlanForm::edit_programme(lang, &p));
            }
            (View::Programmes, KeyCode::Char('a'), Some(p)) => {
                return self.open_form(PlanForm::assess(lang, &p));
            }
            (View::Programmes, KeyCode::Char('l'), Some(p)) if p.active => {
                let today = crate::widgets::office().now().date();
                return self.open_form(PlanForm::new_list(lang, &p, today));
            }
            _ => {}
        }
        match (self.view, key.code) {
            (_, KeyCode::Char('g')) => Outcome::send(vec![self.load()]),
            (View::Day, KeyCode::Char('p')) => self.show(View::Programmes),
            (View::Day, KeyCode::Char('c')) => match self.lists.get(self.selected) {
                Some(l) => {
                    self.recon = Some(ReconFor {
                        programme_id: l.programme.id.clone(),
                        name: l.programme.name.clone(),
                        cycle: l.cycle,
                        cycles: None,
                    });
                    self.show(View::Reconciliation)
                }
                None => Outcome::none(),
            },
            (View::Programmes, KeyCode::Char('c') | KeyCode::Enter) => {
                match self.programmes.get(self.selected_programme) {
                    Some(p) => {
                        self.recon = Some(ReconFor {
                            programme_id: p.id.clone(),
                            name: p.name.clone(),
                            cycle: 1,
                            cycles: Some(p.cycles),
                        });
                        self.show(View::Reconciliation)
                    }
                    None => Outcome::none(),
                }
            }
            (View::Reconciliation, KeyCode::Left | KeyCode::Right) => {
                let Some(r) = self.recon.as_mut() else {
                    return Outcome::none();
                };
                let next = if key.code == KeyCode::Left {
                    r.cycle - 1
                } else {
                    r.cycle + 1
                };
                if next < 1 || r.cycles.is_some_and(|c| next > c) {
                    return Outcome::none();
                }
                r.cycle = next;
                Outcome::send(vec![self.load()])
            }
            (View::Programmes | View::Reconciliation, KeyCode::Esc | KeyCode::Char('d')) => {
                self.show(View::Day)
            }
            (View::Day, KeyCode::Down) if self.selected + 1 < self.lists.len() => {
                self.selected += 1;
                Outcome::changed(true)
            }
            (View::Day, KeyCode::Up) if self.selected > 0 => {
                self.selected -= 1;
                Outcome::changed(true)
            }
            (View::Programmes, KeyCode::Down)
                if self.selected_programme + 1 < self.programmes.len() =>
            {
                self.selected_programme += 1;
                Outcome::changed(true)
            }
            (View::Programmes, KeyCode::Up) if self.selected_programme > 0 => {
                self.selected_programme -= 1;
                Outcome::changed(true)
            }
            (View::Day, KeyCode::Enter) => match self.lists.get(self.selected) {
                Some(l) => Outcome::go(Nav::DistributionList(l.id.clone())),
                None => Outcome::none(),
            },
            _ => Outcome::none(),
        }
    }

    pub fn help(&self, lang: Lang) -> Vec<(String, String)> {
        if self.form.is_some() {
            return SimpleForm::help(lang);
        }
        let keys: &[(&str, &str)] = match (lang, self.view) {
            (Lang::Es, View::Programmes) => &[
                ("↑↓", "elegir un programa"),
                ("n", "nuevo programa"),
                ("e", "cambiar el programa"),
                ("a", "evaluar un hogar"),
                ("l", "nueva lista de distribución"),
                ("c Enter", "conciliación del programa"),
                ("Esc d", "volver a las distribuciones del día"),
                ("g", "volver a leer"),
            ],
            (Lang::En, View::Programmes) => &[
                ("↑↓", "choose a programme"),
                ("n", "new programme"),
                ("e", "change the programme"),
                ("a", "assess a household"),
                ("l", "new distribution list"),
                ("c Enter", "reconciliation of the programme"),
                ("Esc d", "back to the day's distributions"),
                ("g", "read again"),
            ],
            (Lang::Es, _) => &[
                ("↑↓ Enter", "elegir y abrir una lista"),
                ("p", "programas: criterios, planificación"),
                ("c", "conciliación del programa y ciclo"),
                ("←→", "ciclo (en la conciliación)"),
                ("Esc d", "volver a las distribuciones del día"),
                ("g", "volver a leer"),
            ],
            (Lang::En, _) => &[
                ("↑↓ Enter", "choose and open a list"),
                ("p", "programmes: criteria, planning"),
                ("c", "reconciliation of programme and cycle"),
                ("←→", "cycle (in the reconciliation)"),
                ("Esc d", "back to the day's distributions"),
                ("g", "read again"),
            ],
        };
        keys.iter()
            .map(|(k, d)| (k.to_string(), d.to_string()))
            .collect()
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let [body, hint] = split_hint(area);
        let mut lines = match self.view {
            View::Day => self.day_lines(lang, body),
            View::Programmes => self.programme_lines(lang, body),
            View::Reconciliation => self.recon_lines(lang),
        };
        if let Some(e) = &self.error {
            lines.insert(1, Line::styled(i18n::text(lang).error(e), error()));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        let words = match self.view {
            View::Day => pick(
                lang,
                " Enter abre · p programas · c conciliación · g vuelve a leer · ? ayuda",
                " Enter opens · p programmes · c reconciliation · g read again · ? help",
            ),
            View::Programmes => pick(
                lang,
                " n nuevo · e cambiar · a evaluar · l lista · c conciliación · Esc · ? ayuda",
                " n new · e change · a assess · l list · c reconciliation · Esc · ? help",
            ),
            View::Reconciliation => pick(
                lang,
                " ←→ ciclo · Esc vuelve · g vuelve a leer · ? ayuda",
                " ←→ cycle · Esc back · g read again · ? help",
            ),
        };
        frame.render_widget(Line::styled(words, dim()), hint);
        if let Some(form) = &self.form {
            form.draw(lang, frame, body);
        }
    }

    fn day_lines(&self, lang: Lang, body: Rect) -> Vec<Line<'static>> {
        let mut lines = vec![
            Line::from(Span::styled(
                pick(lang, "Distribuciones de hoy", "Today's distributions"),
                bold(),
            )),
            Line::styled(
                format!(
                    "  {}{}{}{}",
                    cell(pick(lang, "Sitio", "Site"), 22),
                    cell(pick(lang, "Ciclo", "Cycle"), 6),
                    cell(pick(lang, "Entreg./Plan.", "Served/Plan."), 14),
                    pick(lang, "Programa", "Programme"),
                ),
                dim(),
            ),
        ];
        if self.lists.is_empty() && !self.loading && self.error.is_none() {
            lines.push(Line::styled(
                pick(
                    lang,
                    "  Ninguna distribución hoy. p muestra los programas.",
                    "  No distribution today. p shows the programmes.",
                ),
                dim(),
            ));
        }
        let room = usize::from(body.height).saturating_sub(lines.len());
        let first = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, l) in self.lists.iter().enumerate().skip(first).take(room) {
            let text = format!(
                "{}{}{}{}{}",
                if i == self.selected { "> " } else { "  " },
                cell(&l.site, 22),
                cell(&l.cycle.to_string(), 6),
                cell(&format!("{}/{}", l.distributed, l.planned), 14),
                ellipsis(
                    &format!(
                        "{} ({} {} {})",
                        l.programme.name,
                        amount(l.programme.amount),
                        l.programme.amount_unit,
                        kind_name(&format!("{:?}", l.programme.kind), lang)
                    ),
                    usize::from(body.width).saturating_sub(44)
                ),
            );
            lines.push(if i == self.selected {
                Line::styled(text, bold())
            } else {
                Line::raw(text)
            });
        }
        lines
    }

    fn programme_lines(&self, lang: Lang, body: Rect) -> Vec<Line<'static>> {
        let mut lines = vec![Line::from(Span::styled(
            pick(lang, "Programas de asistencia", "Assistance programmes"),
            bold(),
        ))];
        match &self.note {
            Some(Note::Saved) => lines.push(Line::styled(
                pick(lang, "Programa guardado.", "Programme saved."),
                bold(),
            )),
            Some(Note::Assessed(n)) => lines.push(Line::styled(note_line(n, lang), bold())),
            None => {}
        }
        if self.programmes.is_empty() && !self.loading && self.error.is_none() {
            lines.push(Line::styled(
                pick(lang, "  Ningún programa.", "  No programme."),
                dim(),
            ));
        }
        let width = usize::from(body.width).saturating_sub(2);
        for (i, p) in self.programmes.iter().enumerate() {
            let chosen = i == self.selected_programme;
            let text = format!(
                "{}{} · {} {} {} · {} {}{}",
                if chosen { "> " } else { "  " },
                p.name,
                amount(p.amount),
                p.amount_unit,
                kind_name(&format!("{:?}", p.kind), lang),
                p.cycles,
                pick(lang, "ciclos", "cycles"),
                if p.active {
                    ""
                } else {
                    pick(lang, " · CERRADO", " · CLOSED")
                },
            );
            lines.push(if chosen {
                Line::styled(ellipsis(&text, width + 2), bold())
            } else {
                Line::raw(ellipsis(&text, width + 2))
            });
            if chosen {
                let words = match rules::parse(&p.eligibility) {
                    Ok(r) => r.describe(lang),
                    Err(_) => p.eligibility.clone(),
                };
                lines.push(Line::raw(format!(
                    "    {}: {words}",
                    pick(lang, "Criterios", "Criteria")
                )));
            }
        }
        lines
    }

    fn recon_lines(&self, lang: Lang) -> Vec<Line<'static>> {
        let title = match &self.recon {
            Some(r) => format!(
                "{} · {} · {} {}",
                pick(lang, "Conciliación", "Reconciliation"),
                r.name,
                pick(lang, "ciclo", "cycle"),
                r.cycle
            ),
            None => pick(lang, "Conciliación", "Reconciliation").to_string(),
        };
        let mut lines = vec![
            Line::from(Span::styled(title, bold())),
            Line::styled(
                format!(
                    "  {}{}{}{}{}",
                    cell(pick(lang, "Sitio", "Site"), 24),
                    cell(pick(lang, "Plan.", "Planned"), 9),
                    cell(pick(lang, "Entreg.", "Served"), 9),
                    cell(pick(lang, "Pend.", "Outst."), 9),
                    pick(lang, "Entregado aquí", "Served here"),
                ),
                dim(),
            ),
        ];
        let mut total = (0, 0, 0, 0);
        for s in &self.sites {
            total = (
                total.0 + s.planned,
                total.1 + s.distributed_of_planned,
                total.2 + s.outstanding,
                total.3 + s.distributed_here,
            );
            lines.push(Line::raw(format!(
                "  {}{}{}{}{}",
                cell(&s.site, 24),
                cell(&s.planned.to_string(), 9),
                cell(&s.distributed_of_planned.to_string(), 9),
                cell(&s.outstanding.to_string(), 9),
                s.distributed_here
            )));
        }
        if self.sites.is_empty() && !self.loading && self.error.is_none() {
            lines.push(Line::styled(
                pick(
                    lang,
                    "  Nada planificado en este ciclo.",
                    "  Nothing planned in this cycle.",
                ),
                dim(),
            ));
        } else {
            lines.push(Line::styled(
                format!(
                    "  {}{}{}{}{}",
                    cell(pick(lang, "Total", "Total"), 24),
                    cell(&total.0.to_string(), 9),
                    cell(&total.1.to_string(), 9),
                    cell(&total.2.to_string(), 9),
                    total.3
                ),
                bold(),
            ));
        }
        lines
    }
}
