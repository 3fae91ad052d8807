//! The registrars' triage queue of online pre-registrations (F8): most urgent first, each
//! family's members, urgent needs, languages, booked appointment and possible duplicates among
//! the people already registered. `c` opens the registration form filled from the chosen one
//! (sent as `convertPreRegistration`), `x` sets it aside with a reason
//! (`dismissPreRegistration`), both with the version read.

pub(super) mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{Nav, Outcome};
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{Cmd, PreRegPage};
use crate::widgets::{
    ListKey, PageRequest, PagedList, TextInput, bold, cell, dim, error, focused, local_date,
    local_time,
};
use amparo_domain::needs;
use texts::Texts;

/// Pre-registrations per page: one line each, which leaves room at 80x24 for the chosen one's
/// family, needs and possible duplicates below the list.
pub const PRE_REGS_PAGE: usize = 6;

/// The longest reason the form takes; the server keeps it with the pre-registration.
pub const MAX_REASON: usize = 500;

pub type Row = api::pre_registrations::PreRegistrationsPreRegistrationsNodes;

/// The reason form of a dismissal: its `clientMutationId` is made when it opens and kept
/// across retries, so a resend after a timeout dismisses once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DismissForm {
    pub id: String,
    pub reference: String,
    pub version: i64,
    pub cmid: String,
    pub reason: TextInput,
    pub tried: bool,
    pub sending: bool,
    pub error: Option<String>,
}

/// What was last done here, shown above the list until the queue is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Dismissed(String),
    Registered(String),
    /// Someone else changed it first: the queue was read again.
    Conflict,
}

#[derive(Debug, Clone, Default)]
pub struct PreRegsState {
    /// The page shown (↑↓ n p g).
    pub list: PagedList<Row>,
    pub form: Option<DismissForm>,
    pub done: Option<Done>,
}

impl PreRegsState {
    /// Opens the queue on its first page, the most urgent.
    pub fn open(&mut self) -> Vec<Cmd> {
        self.done = None;
        self.form = None;
        vec![self.load(0)]
    }

    /// Shown again after the registration form: re-read, since it may have left the queue.
    pub fn reread(&mut self) -> Vec<Cmd> {
        vec![self.load(0)]
    }

    /// Back from a conversion: says which family was registered, and re-reads.
    pub fn converted(&mut self, reference: String) -> Vec<Cmd> {
        self.done = Some(Done::Registered(reference));
        self.reread()
    }

    fn load(&mut self, page: usize) -> Cmd {
        ask(self.list.request(page))
    }

    /// The pre-registration with this id, as last read.
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.list.rows.iter().find(|r| r.id == id)
    }

    /// Whether printable keys go into the reason.
    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        if self.form.is_some() {
            return self.form_key(key);
        }
        let r = self;
        match key.code {
            KeyCode::Char('c') | KeyCode::Enter => match r.list.current() {
                Some(row) => Outcome::go(Nav::Convert(row.id.clone())),
                None => Outcome::none(),
            },
            KeyCode::Char('x') => match r.list.current() {
                Some(row) => {
                    r.form = Some(DismissForm {
                        id: row.id.clone(),
                        reference: row.reference.clone(),
                        version: row.version,
                        cmid: uuid::Uuid::now_v7().to_string(),
                        reason: TextInput::default(),
                        tried: false,
                        sending: false,
                        error: None,
                    });
                    r.done = None;
                    Outcome::changed(true)
                }
                None => Outcome::none(),
            },
            code => match r.list.key(code) {
                ListKey::Ignored => Outcome::none(),
                ListKey::Moved => Outcome::changed(true),
                ListKey::Load(page) => Outcome::send(vec![ask(page)]),
            },
        }
    }

    fn form_key(&mut self, key: KeyEvent) -> Outcome {
        let Some(f) = self.form.as_mut() else {
            return Outcome::none();
        };
        let send = key.code == KeyCode::Enter
            || key.code == KeyCode::F(10)
            || (key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL));
        if key.code == KeyCode::Esc {
            self.form = None;
            return Outcome::changed(true);
        }
        if f.sending {
            return Outcome::none();
        }
        if send {
            f.tried = true;
            if reason_problem(f).is_some() {
                return Outcome::changed(true);
            }
            f.sending = true;
            f.error = None;
            return Outcome::send(vec![Cmd::Dismiss {
                cmid: f.cmid.clone(),
                id: f.id.clone(),
                version: f.version,
                reason: f.reason.value.trim().to_string(),
            }]);
        }
        let before = f.reason.value.clone();
        if !f.reason.edit(&key) {
            return Outcome::none();
        }
        if f.reason.value != before {
            // Another reason is another request.
            f.cmid = uuid::Uuid::now_v7().to_string();
            f.error = None;
        }
        Outcome::changed(true)
    }

    /// The server's answer to a dismissal.
    pub fn dismiss_reply(
        &mut self,
        cmid: &str,
        result: Result<(), ApiError>,
        lang: Lang,
    ) -> Option<Outcome> {
        let f = self.form.as_mut().filter(|f| f.cmid == cmid)?;
        f.sending = false;
        match result {
            Ok(()) => {
                let reference = f.reference.clone();
                self.form = None;
                self.done = Some(Done::Dismissed(reference));
                Some(Outcome::send(self.reread()))
            }
            Err(ApiError::Conflict(_)) => {
                // Read again: what was shown is no longer what the server holds.
                self.form = None;
                self.done = Some(Done::Conflict);
                Some(Outcome::send(self.reread()))
            }
            Err(e) => {
                f.error = Some(texts::get(lang).error(&e));
                Some(Outcome::changed(true))
            }
        }
    }

    pub fn reply(&mut self, seq: u64, page: usize, result: Result<PreRegPage, ApiError>) {
        self.list.answer(seq, page, result);
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
        let r = &self.list;
        let width = usize::from(area.width);
        let mut lines = vec![Line::styled(
            cell(
                &format!(
                    "{} {} {} {} {} {}",
                    cell(t.col_reference, 11),
                    cell(t.col_urgency, 3),
                    cell(t.col_office, 4),
                    cell(t.col_received, 10),
                    cell(t.col_applicant, 30),
                    t.col_duplicates
                ),
                width,
            ),
            bold(),
        )];
        match &self.done {
            Some(Done::Dismissed(reference)) => {
                lines.push(Line::styled(format!("{} {reference}", t.dismissed), bold()));
            }
            Some(Done::Registered(reference)) => {
                lines.push(Line::styled(
                    format!("{} {reference}", t.registered),
                    bold(),
                ));
            }
            Some(Done::Conflict) => lines.push(Line::styled(t.conflict_reread, error())),
            None => {}
        }
        if let Some(e) = &r.error {
            lines.push(Line::styled(t.error(e), error()));
        }
        if !r.loaded && r.error.is_none() {
            lines.push(Line::raw(t.loading));
        } else if r.loaded && r.rows.is_empty() {
            lines.push(Line::raw(t.empty));
        }
        for (i, row) in r.rows.iter().enumerate() {
            let text = cell(&row_line(row), width);
            lines.push(if i == r.selected {
                Line::styled(text, focused())
            } else {
                Line::raw(text)
            });
        }
        lines.push(Line::default());
        if let Some(row) = r.rows.get(r.selected) {
            match &self.form {
                Some(f) => form_lines(t, f, &mut lines),
                None => detail_lines(t, row, &mut lines),
            }
        }
        let mut footer = format!("{} {}", t.page, r.page + 1);
        if r.loading && r.loaded {
            footer.push_str(" · ");
            footer.push_str(t.loading);
        }
        let height = usize::from(area.height);
        let body = Rect {
            height: area.height.saturating_sub(2),
            ..area
        };
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        let hint = if self.form.is_some() {
            t.form_hint
        } else {
            t.list_hint
        };
        let bottom = vec![Line::raw(footer), Line::styled(hint, dim())];
        if height >= 2 {
            frame.render_widget(
                Paragraph::new(bottom),
                Rect {
                    y: area.y + area.height - 2,
                    height: 2,
                    ..area
                },
            );
        }
    }
}

/// The read of one page of the queue.
fn ask(page: PageRequest) -> Cmd {
    Cmd::PreRegs {
        seq: page.seq,
        page: page.page,
        after: page.after,
    }
}

/// Why the reason cannot be sent yet.
fn reason_problem(f: &DismissForm) -> Option<bool> {
    let n = f.reason.value.trim().chars().count();
    if n == 0 {
        return f.tried.then_some(true);
    }
    (n > MAX_REASON).then_some(false)
}

fn applicant(row: &Row) -> String {
    row.members
        .first()
        .map(|m| match &m.family_name {
            Some(f) => format!("{} {f}", m.given_names),
            None => m.given_names.clone(),
        })
        .unwrap_or_default()
}

/// One line of the list: reference, urgency (`!` when above nothing), office, day received,
/// applicant with the family's size, possible duplicates.
fn row_line(row: &Row) -> String {
    let size = if row.members.len() > 1 {
        format!(" +{}", row.members.len() - 1)
    } else {
        String::new()
    };
    format!(
        "{} {:>3} {} {} {} {}",
        cell(&row.reference, 11),
        row.urgency,
        cell(&row.office_id, 4),
        local_date(&row.received_at),
        cell(&format!("{}{size}", applicant(row)), 30),
        if row.possible_duplicates.is_empty() {
            String::new()
        } else {
            row.possible_duplicates.len().to_string()
        }
    )
}

fn detail_lines(t: &Texts, row: &Row, lines: &mut Vec<Line<'static>>) {
    lines.push(Line::styled(
        format!(
            "{} · {} · {}, {}",
            row.reference,
            stage_name(t, &row.stage),
            row.canton,
            row.province
        ),
        bold(),
    ));
    for (i, m) in row.members.iter().enumerate() {
        let name = match &m.family_name {
            Some(f) => format!("{} {f}", m.given_names),
            None => m.given_names.clone(),
        };
        lines.push(Line::raw(format!(
            " {} {} {} {} {} {}",
            i + 1,
            cell(t.relationship(&m.relationship), 14),
            cell(&name, 30),
            m.sex.as_deref().unwrap_or("-"),
            m.date_of_birth.as_deref().unwrap_or("----------"),
            m.nationality.as_deref().unwrap_or("")
        )));
    }
    let mut needs = row
        .urgent_needs
        .iter()
        .map(|c| format!("{c} {}", needs::label_or_code(c, t.lang)))
        .collect::<Vec<_>>()
        .join(", ");
    if row.withheld_urgent_needs > 0 {
        needs.push_str(&format!(" (+{} {})", row.withheld_urgent_needs, t.withheld));
    }
    if !needs.is_empty() {
        lines.push(Line::raw(format!("{}: {needs}", t.urgent_needs)));
    }
    let mut languages = format!("{}: {}", t.languages, row.languages.join(", "));
    if row.needs_interpreter {
        languages.push_str(" · ");
        languages.push_str(t.interpreter);
    }
    if let Some(at) = &row.appointment_at {
        languages.push_str(&format!(" · {}: {}", t.appointment, local_time(at)));
    }
    lines.push(Line::raw(languages));
    for d in &row.possible_duplicates {
        lines.push(Line::styled(
            format!(
                "{} {} {} {} {} ({}%)",
                t.member,
                d.member_index + 1,
                t.resembles,
                d.individual_number,
                d.full_name,
                d.score
            ),
            error(),
        ));
    }
}

/// A stage of the queue in the user's language; others (from a newer server) as they came.
fn stage_name<'a>(t: &Texts, stage: &'a str) -> &'a str {
    match stage {
        "received" => t.stage_received,
        "appointment_given" => t.stage_appointment,
        other => other,
    }
}

fn form_lines(t: &Texts, f: &DismissForm, lines: &mut Vec<Line<'static>>) {
    lines.push(Line::styled(
        format!("{} {}", t.dismiss_title, f.reference),
        bold(),
    ));
    lines.push(Line::raw(format!("{}: {}▏", t.reason, f.reason.value)));
    match reason_problem(f) {
        Some(true) => lines.push(Line::styled(t.reason_required, error())),
        Some(false) => lines.push(Line::styled(t.reason_too_long, error())),
        None => {}
    }
    if f.sending {
        lines.push(Line::raw(t.sending));
    }
    if let Some(e) = &f.error {
        lines.push(Line::styled(e.clone(), error()));
        lines.push(Line::raw(t.form_retry));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_limit_is_said_in_both_languages() {
        let max = MAX_REASON.to_string();
        for lang in [Lang::Es, Lang::En] {
            assert!(texts::get(lang).reason_too_long.contains(&max));
        }
    }
}
