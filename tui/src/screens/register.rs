//! Registration of a group in one flow: the form, its inline validation, and the submit rules
//! that make retries safe. A submit carries a `clientMutationId` that is kept until the server
//! answers or the form changes, so resending after a timeout cannot register twice; possible
//! duplicates are shown and only a deliberate second submit (with a new id) registers anyway.
//! Nothing typed is dropped on failure: the form stays as it was.

mod texts;

use amparo_domain::registration::MAX_TEXT;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{Nav, Outcome};
use crate::api::{self, ApiError, register_group as rg};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::Cmd;
use crate::picker::Picker;
use crate::widgets::{TextInput, bold, cell, dim, error, tail, text_width};
use amparo_domain::codes;
use texts::Texts;

/// Relationships a member may have to the focal point, as the server's vocabulary spells them.
pub const RELATIONSHIPS: &[&str] = &[
    "spouse",
    "partner",
    "son",
    "daughter",
    "stepchild",
    "father",
    "mother",
    "brother",
    "sister",
    "grandchild",
    "grandparent",
    "nephew_niece",
    "uncle_aunt",
    "cousin",
    "in_law",
    "other_relative",
    "unrelated",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Relationship,
    GivenNames,
    FamilyName,
    Sex,
    BirthDate,
    Nationality,
}

pub const FIELDS: [Field; 6] = [
    Field::Relationship,
    Field::GivenNames,
    Field::FamilyName,
    Field::Sex,
    Field::BirthDate,
    Field::Nationality,
];

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    BadDate,
    FutureDate,
    BadNationality,
    /// Longer than the server takes ([`MAX_TEXT`]).
    TooLong,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberDraft {
    /// Index into [`RELATIONSHIPS`]; unused for the focal point (the first member).
    pub relationship: usize,
    pub given_names: TextInput,
    pub family_name: TextInput,
    pub sex: TextInput,
    pub birth_date: TextInput,
    pub nationality: TextInput,
    /// `estimated` for a date a pre-registration derived from an age; dropped once the date
    /// is edited, so a date typed here is sent as exact.
    pub birth_precision: Option<String>,
}

impl MemberDraft {
    pub fn input(&self, field: Field) -> Option<&TextInput> {
        match field {
            Field::Relationship => None,
            Field::GivenNames => Some(&self.given_names),
            Field::FamilyName => Some(&self.family_name),
            Field::Sex => Some(&self.sex),
            Field::BirthDate => Some(&self.birth_date),
            Field::Nationality => Some(&self.nationality),
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut TextInput> {
        match field {
            Field::Relationship => None,
            Field::GivenNames => Some(&mut self.given_names),
            Field::FamilyName => Some(&mut self.family_name),
            Field::Sex => Some(&mut self.sex),
            Field::BirthDate => Some(&mut self.birth_date),
            Field::Nationality => Some(&mut self.nationality),
        }
    }

    /// The field's problem, if any. Empty required fields count only once the user `tried` to
    /// submit, so a fresh form is not all red; malformed values show as soon as they are typed.
    pub fn problem(&self, field: Field, today: NaiveDate, tried: bool) -> Option<Problem> {
        let value = self.input(field).map(|t| t.value.trim()).unwrap_or("");
        let required = matches!(field, Field::GivenNames | Field::Sex);
        if value.is_empty() {
            return (required && tried).then_some(Problem::Required);
        }
        if value.chars().count() > MAX_TEXT {
            return Some(Problem::TooLong);
        }
        match field {
            Field::BirthDate => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(d) if d > today => Some(Problem::FutureDate),
                Ok(_) => None,
                // A partly typed date is not an error yet, only a wrong or finished one is.
                Err(_) if value.len() < 10 && !tried => None,
                Err(_) => Some(Problem::BadDate),
            },
            Field::Nationality if value.len() != 3 => Some(Problem::BadNationality),
            _ => None,
        }
    }
}

/// A submit in flight or to retry: the same id until the server answers or the form changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub client_mutation_id: String,
    pub acknowledge_duplicates: bool,
}

/// A registered member, as the server confirmed it.
#[derive(Debug, Clone)]
pub struct SavedMember {
    pub id: String,
    /// Empty after a conversion, whose answer names the members by id only.
    pub number: String,
    pub name: String,
}

/// A registered group, as the server confirmed it.
#[derive(Debug, Clone)]
pub struct Saved {
    pub group_number: String,
    pub members: Vec<SavedMember>,
    /// The pre-registration it was registered from.
    pub reference: Option<String>,
}

/// The online pre-registration a form was filled from: sent as its conversion, with the
/// version read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: String,
    pub version: i64,
    pub reference: String,
}

#[derive(Debug, Clone)]
pub struct RegisterForm {
    pub members: Vec<MemberDraft>,
    pub row: usize,
    pub col: Field,
    pub tried: bool,
    pub submission: Option<Submission>,
    pub sending: bool,
    pub duplicates: Vec<rg::RegisterGroupRegisterGroupPossibleDuplicates>,
    pub saved: Option<Saved>,
    pub error: Option<ApiError>,
    /// The list open on a relationship or nationality cell: the value is chosen from it, by
    /// name in the user's language, never typed as a code.
    pub picker: Option<Picker>,
    picker_cell: Option<(usize, Field)>,
    /// Filled from a pre-registration: the submit converts it.
    pub source: Option<Source>,
}

impl RegisterForm {
    pub fn new() -> Self {
        Self {
            picker: None,
            picker_cell: None,
            members: vec![MemberDraft::default()],
            row: 0,
            col: Field::GivenNames,
            tried: false,
            submission: None,
            sending: false,
            duplicates: Vec::new(),
            saved: None,
            error: None,
            source: None,
        }
    }

    /// The form filled from a pre-registration of the triage queue, the applicant as the
    /// focal point; the registrar checks and completes it, then Ctrl-S converts it.
    pub fn from_pre_registration(row: &super::pre_regs::Row) -> Self {
        let text = |v: Option<&str>| TextInput {
            value: v.unwrap_or("").to_string(),
        };
        let members = row
            .members
            .iter()
            .map(|m| MemberDraft {
                relationship: RELATIONSHIPS
                    .iter()
                    .position(|r| *r == m.relationship)
                    .or_else(|| RELATIONSHIPS.iter().position(|r| *r == "other_relative"))
                    .unwrap_or(0),
                given_names: text(Some(&m.given_names)),
                family_name: text(m.family_name.as_deref()),
                sex: text(m.sex.as_deref()),
                birth_date: text(m.date_of_birth.as_deref()),
                nationality: text(m.nationality.as_deref()),
                birth_precision: m.date_of_birth_precision.clone(),
            })
            .collect::<Vec<_>>();
        Self {
            members: if members.is_empty() {
                vec![MemberDraft::default()]
            } else {
                members
            },
            source: Some(Source {
                id: row.id.clone(),
                version: row.version,
                reference: row.reference.clone(),
            }),
            ..Self::new()
        }
    }

    /// The conversion of the pre-registration the form was filled from.
    pub fn convert_input(
        &self,
        source: &Source,
        submission: &Submission,
    ) -> api::convert_pre_registration::ConvertPreRegistrationInput {
        let members = self
            .input(submission)
            .members
            .into_iter()
            .filter_map(|m| serde_json::to_value(m).ok())
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect();
        api::convert_pre_registration::ConvertPreRegistrationInput {
            client_mutation_id: submission.client_mutation_id.clone(),
            id: source.id.clone(),
            version: source.version,
            members,
            acknowledge_duplicates: submission.acknowledge_duplicates,
        }
    }

    /// Every problem of the form, in reading order.
    pub fn problems(&self, today: NaiveDate) -> Vec<(usize, Field, Problem)> {
        let mut out = Vec::new();
        for (i, m) in self.members.iter().enumerate() {
            for f in FIELDS {
                if let Some(p) = m.problem(f, today, self.tried) {
                    out.push((i, f, p));
                }
            }
        }
        out
    }

    fn fields_of(row: usize) -> &'static [Field] {
        // The focal point's relationship is fixed.
        if row == 0 { &FIELDS[1..] } else { &FIELDS }
    }

    fn step(&mut self, forward: bool) {
        let fields = Self::fields_of(self.row);
        let pos = fields.iter().position(|f| *f == self.col).unwrap_or(0);
        if forward {
            if pos + 1 < fields.len() {
                self.col = fields[pos + 1];
            } else if self.row + 1 < self.members.len() {
                self.row += 1;
                self.col = Field::Relationship;
            }
        } else if pos > 0 {
            self.col = fields[pos - 1];
        } else if self.row > 0 {
            self.row -= 1;
            self.col = Field::Nationality;
        }
    }

    fn move_row(&mut self, to: usize) {
        self.row = to;
        if to == 0 && self.col == Field::Relationship {
            self.col = Field::GivenNames;
        }
    }

    /// The form changed: what the server said about the previous content no longer applies.
    fn changed(&mut self) {
        self.submission = None;
        self.duplicates.clear();
        self.error = None;
    }

    /// Opens the list of the focused cell (relationship of a member, nationality) at its
    /// value, or closes it on any other cell.
    fn sync_picker(&mut self, lang: Lang) {
        let Some(m) = self.members.get(self.row) else {
            self.picker = None;
            return;
        };
        self.picker = match self.col {
            Field::Relationship if self.row > 0 => {
                let terms: Vec<codes::Term> = codes::RELATIONSHIP
                    .terms()
                    .iter()
                    .filter(|t| RELATIONSHIPS.contains(&t.code))
                    .copied()
                    .collect();
                let mut p = Picker::of_terms(&terms, lang);
                p.select(RELATIONSHIPS.get(m.relationship).copied().unwrap_or(""));
                Some(p)
            }
            Field::Nationality => {
                let mut p = Picker::of_terms(codes::COUNTRIES.terms(), lang);
                // An empty nationality stays empty until something is typed or chosen.
                if !p.select(m.nationality.value.trim()) {
                    p.idx = 0;
                }
                Some(p)
            }
            _ => None,
        };
    }

    /// A key on an open list: the choice goes straight into the member. Backspace over an
    /// empty filter clears an optional nationality.
    fn pick_key(&mut self, key: &KeyEvent) -> Option<bool> {
        let picker = self.picker.as_mut()?;
        let clearing = key.code == KeyCode::Backspace && picker.filter.is_empty();
        if !picker.key(key) && !clearing {
            return Some(false);
        }
        let value = picker.value().map(str::to_string);
        let member = self.members.get_mut(self.row)?;
        match self.col {
            Field::Relationship => {
                if let Some(i) = value
                    .as_deref()
                    .and_then(|v| RELATIONSHIPS.iter().position(|r| *r == v))
                {
                    member.relationship = i;
                }
            }
            Field::Nationality => {
                member.nationality.value = if clearing {
                    String::new()
                } else {
                    value.unwrap_or_default()
                };
            }
            _ => return Some(false),
        }
        self.changed();
        Some(true)
    }

    fn type_key(&mut self, key: &KeyEvent) -> bool {
        if let Some(changed) = self.pick_key(key) {
            return changed;
        }
        let col = self.col;
        let Some(member) = self.members.get_mut(self.row) else {
            return false;
        };
        if col == Field::Relationship {
            let n = RELATIONSHIPS.len();
            member.relationship = match key.code {
                KeyCode::Right | KeyCode::Char(' ') => (member.relationship + 1) % n,
                KeyCode::Left => (member.relationship + n - 1) % n,
                _ => return false,
            };
            self.changed();
            return true;
        }
        let Some(input) = member.input_mut(col) else {
            return false;
        };
        let accepted = match (col, key.code) {
            (Field::Sex, KeyCode::Char(c)) => {
                let c = c.to_ascii_uppercase();
                if !matches!(c, 'F' | 'M' | 'X') {
                    return false;
                }
                input.value = c.to_string();
                true
            }
            (Field::BirthDate, KeyCode::Char(c))
                if !(c.is_ascii_digit() || c == '-') || input.value.len() >= 10 =>
            {
                false
            }
            (Field::Nationality, KeyCode::Char(c))
                if !c.is_ascii_alphabetic() || input.value.len() >= 3 =>
            {
                false
            }
            (Field::Nationality, KeyCode::Char(c))
                if !key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                input.value.push(c.to_ascii_uppercase());
                true
            }
            _ => input.edit(key),
        };
        if accepted {
            if col == Field::BirthDate
                && let Some(member) = self.members.get_mut(self.row)
            {
                member.birth_precision = None;
            }
            self.changed();
        }
        accepted
    }

    /// The request for the form as it is.
    pub fn input(&self, submission: &Submission) -> rg::RegisterGroupInput {
        let members = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| rg::MemberInput {
                relationship: if i == 0 {
                    "focal_point".to_string()
                } else {
                    RELATIONSHIPS
                        .get(m.relationship)
                        .unwrap_or(&"other_relative")
                        .to_string()
                },
                person: person(m),
            })
            .collect();
        rg::RegisterGroupInput {
            client_mutation_id: submission.client_mutation_id.clone(),
            members,
            acknowledge_duplicates: submission.acknowledge_duplicates,
        }
    }
}

impl Default for RegisterForm {
    fn default() -> Self {
        Self::new()
    }
}

fn optional(t: &TextInput) -> Option<String> {
    let v = t.value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

fn person(m: &MemberDraft) -> rg::PersonInput {
    rg::PersonInput {
        given_names: m.given_names.value.trim().to_string(),
        middle_name: None,
        family_name: optional(&m.family_name),
        second_family_name: None,
        fathers_name: None,
        grandfathers_name: None,
        original_script_name: None,
        aliases: None,
        sex: optional(&m.sex),
        date_of_birth: optional(&m.birth_date),
        date_of_birth_precision: m.birth_precision.clone(),
        place_of_birth: None,
        marital_status: None,
        nationalities: optional(&m.nationality).into_iter().collect(),
        country_of_origin: None,
        ethnicity: None,
        religion: None,
        needs_interpreter: false,
        same_sex_interviewer: false,
        arrival_date: None,
        point_of_entry: None,
        dataset_level: None,
        consent_to_contact: false,
        information_given: false,
        legacy_id: None,
        languages: Vec::new(),
        documents: Vec::new(),
        addresses: Vec::new(),
        phones: Vec::new(),
        specific_needs: Vec::new(),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

impl RegisterForm {
    /// Whether the form holds typed data not yet registered.
    pub fn unsent(&self) -> bool {
        self.saved.is_none() && self.members.iter().any(|m| *m != MemberDraft::default())
    }

    /// Whether printable keys go into the form.
    pub fn typing(&self) -> bool {
        self.saved.is_none()
    }

    fn submit(&mut self) -> Outcome {
        let form = self;
        if form.sending {
            return Outcome::none();
        }
        form.tried = true;
        if !form.problems(today()).is_empty() {
            return Outcome::changed(true);
        }
        let acknowledge = !form.duplicates.is_empty();
        let submission = match &form.submission {
            Some(s) if s.acknowledge_duplicates == acknowledge => s.clone(),
            _ => Submission {
                client_mutation_id: uuid::Uuid::now_v7().to_string(),
                acknowledge_duplicates: acknowledge,
            },
        };
        let cmd = match &form.source {
            Some(source) => Cmd::Convert(form.convert_input(source, &submission)),
            None => Cmd::Register(form.input(&submission)),
        };
        form.submission = Some(submission);
        form.sending = true;
        form.error = None;
        Outcome::send(vec![cmd])
    }

    /// Keys of the registration screen; `lang` names the codes of the lists it opens.
    pub fn key(&mut self, key: KeyEvent, lang: Lang) -> Outcome {
        let out = self.key_in(key);
        if self.saved.is_none() {
            let open = self.picker.is_some();
            let wants = matches!(self.col, Field::Nationality)
                || (self.col == Field::Relationship && self.row > 0);
            // Reopened only when the focus moved, so the filter typed survives each key.
            if open != wants || self.picker_cell != Some((self.row, self.col)) {
                self.sync_picker(lang);
                self.picker_cell = Some((self.row, self.col));
            }
        }
        out
    }

    fn key_in(&mut self, key: KeyEvent) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(saved) = &self.saved {
            return match key.code {
                KeyCode::Enter => match saved.members.first() {
                    Some(m) => Outcome::go(Nav::Individual(m.id.clone())),
                    None => Outcome::none(),
                },
                KeyCode::Char('n') => {
                    *self = RegisterForm::new();
                    Outcome::changed(true)
                }
                KeyCode::Esc => match saved.reference.clone() {
                    Some(reference) => Outcome::go(Nav::Converted(reference)),
                    None => Outcome::go(Nav::Search),
                },
                _ => Outcome::none(),
            };
        }
        let form = self;
        let changed = match key.code {
            KeyCode::Char('s') if ctrl => return form.submit(),
            KeyCode::F(10) => return form.submit(),
            KeyCode::Char('n') if ctrl => {
                form.members.push(MemberDraft::default());
                form.row = form.members.len() - 1;
                form.col = Field::Relationship;
                form.changed();
                true
            }
            KeyCode::Char('d') if ctrl => {
                if form.row == 0 || form.sending {
                    return Outcome::none();
                }
                form.members.remove(form.row);
                form.move_row(form.row - 1);
                form.changed();
                true
            }
            KeyCode::Esc if form.source.is_some() => {
                return Outcome::go(Nav::Back {
                    fallback: super::Screen::PreRegs,
                    reread: true,
                });
            }
            KeyCode::Esc => return Outcome::go(Nav::Search),
            KeyCode::Tab | KeyCode::Enter => {
                form.step(true);
                true
            }
            KeyCode::BackTab => {
                form.step(false);
                true
            }
            KeyCode::Up if form.row > 0 && form.picker.is_none() => {
                form.move_row(form.row - 1);
                true
            }
            KeyCode::Down if form.row + 1 < form.members.len() && form.picker.is_none() => {
                form.move_row(form.row + 1);
                true
            }
            _ if form.sending => false,
            _ => form.type_key(&key),
        };
        Outcome::changed(changed)
    }

    /// The server's answer to a submit.
    pub fn reply(&mut self, result: Result<api::register_group::ResponseData, ApiError>) {
        let form = self;
        form.sending = false;
        match result {
            Ok(data) => {
                let p = data.register_group;
                if p.saved {
                    *form = RegisterForm::new();
                    form.saved = Some(Saved {
                        group_number: p.group.map(|g| g.group_number).unwrap_or_default(),
                        members: p
                            .members
                            .into_iter()
                            .map(|m| SavedMember {
                                id: m.id,
                                number: m.individual_number,
                                name: m.full_name,
                            })
                            .collect(),
                        reference: None,
                    });
                } else {
                    // The next submit is a deliberate "register anyway", which needs a new id.
                    form.submission = None;
                    form.duplicates = p.possible_duplicates;
                }
            }
            Err(e) => form.error = Some(e),
        }
    }

    /// The server's answer to a conversion: like a registration's, the members named from the
    /// form since the answer gives their ids only.
    pub fn convert_reply(
        &mut self,
        result: Result<api::convert_pre_registration::ResponseData, ApiError>,
    ) {
        let form = self;
        form.sending = false;
        match result {
            Ok(data) => {
                let p = data.convert_pre_registration;
                if p.saved {
                    let reference = form.source.as_ref().map(|s| s.reference.clone());
                    let members = form
                        .members
                        .iter()
                        .zip(p.individual_ids)
                        .map(|(m, id)| SavedMember {
                            id,
                            number: String::new(),
                            name: format!(
                                "{} {}",
                                m.given_names.value.trim(),
                                m.family_name.value.trim()
                            )
                            .trim()
                            .to_string(),
                        })
                        .collect();
                    *form = RegisterForm::new();
                    form.saved = Some(Saved {
                        group_number: String::new(),
                        members,
                        reference,
                    });
                } else {
                    form.submission = None;
                    form.duplicates = p
                        .possible_duplicates
                        .into_iter()
                        .map(|d| rg::RegisterGroupRegisterGroupPossibleDuplicates {
                            member_index: d.member_index,
                            individual_number: d.individual_number,
                            full_name: d.full_name,
                            date_of_birth: d.date_of_birth,
                            score: d.score,
                            reasons: d.reasons,
                        })
                        .collect();
                }
            }
            Err(e) => form.error = Some(e),
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        t.keys_register
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let form = self;
        if let Some(saved) = &form.saved {
            let title = match &saved.reference {
                Some(reference) => format!("{} {reference}", t.converted),
                None => format!("{} {}", t.registered, saved.group_number),
            };
            let mut lines = vec![Line::styled(title, bold()), Line::default()];
            for m in &saved.members {
                lines.push(Line::raw(format!("  {:<17}{}", m.number, m.name)));
            }
            lines.push(Line::default());
            let hint = if saved.reference.is_some() {
                t.converted_hint
            } else {
                t.saved_hint
            };
            lines.push(Line::styled(hint, dim()));
            frame.render_widget(Paragraph::new(lines), area);
            return;
        }
        let title = match &form.source {
            Some(source) => format!("{} {}", t.convert_title, source.reference),
            None => t.register_title.to_string(),
        };
        frame.render_widget(Line::styled(title, bold()), Rect { height: 1, ..area });
        let header = [
            t.relationship,
            t.col_given,
            t.col_family,
            t.col_sex,
            t.col_dob,
            t.col_nationality,
        ];
        let mut x = area.x + 3;
        for ((_, w), h) in WIDTHS.iter().zip(header) {
            frame.render_widget(
                Line::styled(cell(h, usize::from(*w)), bold()),
                Rect::new(x, area.y + 2, *w, 1),
            );
            x += w + 1;
        }
        let today = chrono::Local::now().date_naive();
        let mut y = area.y + 3;
        for (i, m) in form.members.iter().enumerate() {
            frame.render_widget(Line::raw(format!("{}", i + 1)), Rect::new(area.x, y, 2, 1));
            let mut x = area.x + 3;
            for (field, w) in WIDTHS {
                let rect = Rect::new(x, y, w, 1);
                let is_focus = form.row == i && form.col == field;
                let bad = m.problem(field, today, form.tried).is_some();
                // Plain unless wrong: the cursor shows the focus, and a styled cell costs colour
                // resets on every typed character.
                let mut style = if bad { error() } else { Style::new() };
                let text = match m.input(field) {
                    None => {
                        let code = if i == 0 {
                            "focal_point"
                        } else {
                            RELATIONSHIPS.get(m.relationship).copied().unwrap_or("")
                        };
                        let label = t.relationship(code);
                        if i == 0 {
                            label.to_string()
                        } else {
                            format!("‹{}›", label)
                        }
                    }
                    Some(input) if input.value.is_empty() && field == Field::BirthDate => {
                        style = style.add_modifier(Modifier::DIM);
                        t.date_placeholder.to_string()
                    }
                    Some(input) => tail(&input.value, usize::from(w - 1)),
                };
                if is_focus {
                    let offset = m.input(field).map_or(0, |input| {
                        text_width(&tail(&input.value, usize::from(w - 1)))
                    });
                    frame.set_cursor_position((x + offset, y));
                }
                frame.render_widget(Line::styled(cell(&text, usize::from(w)), style), rect);
                x += w + 1;
            }
            y += 1;
        }
        let mut lines = Vec::new();
        if let Some(p) = &form.picker {
            lines.extend(p.lines(4, usize::from(area.width).saturating_sub(2), t.filter));
        }
        for (i, field, p) in form.problems(today).into_iter().take(4) {
            let name = field_name(t, field);
            lines.push(Line::styled(
                format!("{} {}, {name}: {}", t.member, i + 1, problem_text(t, p)),
                error(),
            ));
        }
        if form.sending {
            lines.push(Line::raw(t.sending));
        }
        if let Some(e) = &form.error {
            lines.push(Line::styled(t.error(e), error()));
            // The pre-registration changed since it was read: resending the same version
            // cannot succeed, the queue must be read again.
            let stale = form.source.is_some() && matches!(e, ApiError::Conflict(_));
            lines.push(Line::raw(if stale {
                t.convert_conflict_hint
            } else {
                t.retry_hint
            }));
        }
        if !form.duplicates.is_empty() {
            lines.push(Line::styled(
                t.duplicates_title,
                Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            ));
            for d in form.duplicates.iter().take(5) {
                lines.push(Line::raw(format!(
                    "  {} {} {} {} {} {} ({}%: {})",
                    t.member,
                    d.member_index + 1,
                    t.resembles,
                    d.individual_number,
                    d.full_name,
                    d.date_of_birth.as_deref().unwrap_or(""),
                    d.score,
                    d.reasons.join(", ")
                )));
            }
            lines.push(Line::raw(t.duplicates_hint));
        }
        let below = Rect {
            y: y + 1,
            height: (area.y + area.height).saturating_sub(y + 2),
            ..area
        };
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), below);
        frame.render_widget(
            Line::styled(t.register_hint, dim()),
            Rect {
                y: area.y + area.height.saturating_sub(1),
                height: 1,
                ..area
            },
        );
    }
}

/// Column widths of the registration table; 78 cells with separators.
const WIDTHS: [(Field, u16); 6] = [
    (Field::Relationship, 15),
    (Field::GivenNames, 18),
    (Field::FamilyName, 18),
    (Field::Sex, 4),
    (Field::BirthDate, 11),
    (Field::Nationality, 4),
];

fn field_name(t: &Texts, f: Field) -> &'static str {
    match f {
        Field::Relationship => t.relationship,
        Field::GivenNames => t.col_given,
        Field::FamilyName => t.col_family,
        Field::Sex => t.col_sex,
        Field::BirthDate => t.col_dob,
        Field::Nationality => t.col_nationality,
    }
}

/// Every column of the table is listed once, so the table and the form agree.
const _: () = assert!(WIDTHS.len() == FIELDS.len());

/// Why a member's field cannot be sent, in the user's language.
fn problem_text(t: &Texts, p: Problem) -> &'static str {
    match p {
        Problem::Required => t.required,
        Problem::BadDate => t.bad_date,
        Problem::FutureDate => t.future_date,
        Problem::BadNationality => t.bad_nationality,
        Problem::TooLong => t.too_long,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn member(given: &str, sex: &str, born: &str, nationality: &str) -> MemberDraft {
        let t = |v: &str| TextInput {
            value: v.to_string(),
        };
        MemberDraft {
            given_names: t(given),
            sex: t(sex),
            birth_date: t(born),
            nationality: t(nationality),
            ..MemberDraft::default()
        }
    }

    #[test]
    fn dates_are_checked_for_form_and_future() {
        let today = date("2026-11-25");
        let check = |born: &str, tried| {
            member("Ana", "F", born, "").problem(Field::BirthDate, today, tried)
        };
        assert_eq!(check("2026-11-25", true), None);
        assert_eq!(check("2026-11-26", false), Some(Problem::FutureDate));
        assert_eq!(check("2026-02-30", false), Some(Problem::BadDate));
        assert_eq!(check("1990-1", false), None, "still being typed");
        assert_eq!(check("1990-1", true), Some(Problem::BadDate));
        assert_eq!(check("", true), None, "the date is optional");
    }

    #[test]
    fn required_fields_show_only_after_a_submit() {
        let today = date("2026-11-25");
        let blank = member("", "", "", "");
        assert_eq!(blank.problem(Field::GivenNames, today, false), None);
        assert_eq!(
            blank.problem(Field::GivenNames, today, true),
            Some(Problem::Required)
        );
        assert_eq!(
            blank.problem(Field::Sex, today, true),
            Some(Problem::Required)
        );
        assert_eq!(blank.problem(Field::FamilyName, today, true), None);
        assert_eq!(
            member("Ana", "F", "", "VE").problem(Field::Nationality, today, false),
            Some(Problem::BadNationality)
        );
        let long = "a".repeat(MAX_TEXT + 1);
        assert_eq!(
            member(&long, "F", "", "").problem(Field::GivenNames, today, false),
            Some(Problem::TooLong)
        );
    }

    #[test]
    fn the_length_limit_is_the_servers_and_its_text_says_it() {
        let max = MAX_TEXT.to_string();
        for lang in [Lang::Es, Lang::En] {
            assert!(texts::get(lang).too_long.contains(&max));
        }
    }

    #[test]
    fn the_request_carries_the_form() {
        let mut form = RegisterForm::new();
        form.members = vec![
            member(" Ana María ", "F", "1990-01-02", "VEN"),
            MemberDraft {
                relationship: 3,
                ..member("Luis", "M", "", "")
            },
        ];
        let input = form.input(&Submission {
            client_mutation_id: "id-1".into(),
            acknowledge_duplicates: true,
        });
        assert_eq!(input.client_mutation_id, "id-1");
        assert!(input.acknowledge_duplicates);
        let [focal, child] = input.members.as_slice() else {
            panic!("two members expected");
        };
        assert_eq!(focal.relationship, "focal_point");
        assert_eq!(focal.person.given_names, "Ana María");
        assert_eq!(focal.person.date_of_birth.as_deref(), Some("1990-01-02"));
        assert_eq!(focal.person.nationalities, ["VEN"]);
        assert_eq!(child.relationship, "daughter");
        assert_eq!(child.person.date_of_birth, None);
        assert!(child.person.nationalities.is_empty());
    }
}
