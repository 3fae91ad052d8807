//! The popup behind a person's actions: add or review a specific need, add a document, correct
//! the data (with the version read), open a case. Codes are picked from lists with their names
//! in the user's language ([`Picker`]); the form checks what the server would refuse before
//! sending, keeps its `clientMutationId` until it changes, and keeps a refusal to show.

mod texts;

use amparo_domain::{codes, needs};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::api::ApiError;
use crate::api::individual::{IndividualIndividual, NeedStatus};
use crate::i18n::Lang;
use crate::msg::{Cmd, PersonInput};
use crate::picker::Picker;
use crate::widgets::{TextInput, bold, dim, ellipsis, error, focused, submit_key, tail};
pub use texts::Texts;

/// Longest text the server takes in a field of a person.
pub use amparo_domain::registration::MAX_TEXT as MAX_NAME;

/// Which form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AddNeed,
    ReviewNeed,
    AddDocument,
    Correct,
    OpenCase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Need,
    SubCode,
    Comments,
    Status,
    DocType,
    Number,
    Country,
    GivenNames,
    FamilyName,
    BirthDate,
    OriginalScript,
    Nationality,
    Summary,
    WithMembers,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(TextInput),
    Pick(Picker),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: Label,
    pub input: Input,
    /// The value read from the server, for the correction form: only changed fields are sent,
    /// and a conflict shows what someone else changed.
    pub base: Option<String>,
}

/// What a field's value has wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    BadDate,
    FutureDate,
    TooLong,
    NoneChosen,
}

/// What a key did to the form.
#[derive(Debug)]
pub enum FormEvent {
    Changed(bool),
    Close,
    Send(Cmd),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonForm {
    pub kind: Kind,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub tried: bool,
    pub cmid: Option<String>,
    pub sending: bool,
    pub error: Option<ApiError>,
    /// The person, the version read, their group and its other current members.
    pub individual_id: String,
    pub version: i64,
    pub group_id: Option<String>,
    pub member_ids: Vec<String>,
    /// The person's needs this form may review: `(id, version)` in the picker's order.
    pub needs: Vec<(String, i64)>,
    /// After a conflict: `(field, theirs)` that someone else changed meanwhile.
    pub changed_meanwhile: Vec<(Label, String)>,
    /// Set once the record was read again after a conflict, until the next answer.
    pub rebased: bool,
    /// The language its options are named in.
    pub lang: Lang,
}

fn text(label: Label, value: &str) -> Field {
    Field {
        label,
        input: Input::Text(TextInput {
            value: value.to_string(),
        }),
        base: None,
    }
}

fn pick(label: Label, picker: Picker) -> Field {
    Field {
        label,
        input: Input::Pick(picker),
        base: None,
    }
}

fn with_base(mut f: Field) -> Field {
    f.base = Some(value_of(&f));
    f
}

fn value_of(f: &Field) -> String {
    match &f.input {
        Input::Text(t) => t.value.trim().to_string(),
        Input::Pick(p) => p.value().unwrap_or("").to_string(),
    }
}

/// The sub-codes of a need, after a "none" choice.
fn sub_codes(code: Option<&str>, lang: Lang) -> Picker {
    let t = texts::get(lang);
    let mut options = vec![(String::new(), t.no_sub_code.to_string())];
    if let Some(n) = code.and_then(needs::find) {
        options.extend(
            n.sub_codes
                .iter()
                .map(|s| (s.code.to_string(), s.label(lang).to_string())),
        );
    }
    Picker::new(options)
}

fn countries(lang: Lang, none: Option<&str>) -> Picker {
    let mut options: Vec<(String, String)> = none
        .map(|n| (String::new(), n.to_string()))
        .into_iter()
        .collect();
    options.extend(
        codes::COUNTRIES
            .terms()
            .iter()
            .map(|t| (t.code.to_string(), t.label(lang).to_string())),
    );
    Picker::new(options)
}

impl PersonForm {
    /// The form `kind` for person `p`, as read.
    pub fn new(kind: Kind, p: &IndividualIndividual, lang: Lang) -> Option<Self> {
        let t = texts::get(lang);
        let mut needs = Vec::new();
        let fields = match kind {
            Kind::AddNeed => {
                let first = needs::catalogue().next().map(|n| n.code);
                vec![
                    pick(
                        Label::Need,
                        Picker::new(
                            needs::catalogue()
                                .map(|n| (n.code.to_string(), n.label(lang).to_string()))
                                .collect(),
                        ),
                    ),
                    pick(Label::SubCode, sub_codes(first, lang)),
                    text(Label::Comments, ""),
                ]
            }
            Kind::ReviewNeed => {
                let open: Vec<_> = p
                    .specific_needs
                    .iter()
                    .filter(|n| !matches!(n.status, NeedStatus::RESOLVED))
                    .collect();
                if open.is_empty() {
                    return None;
                }
                needs = open.iter().map(|n| (n.id.clone(), n.version)).collect();
                let options = open
                    .iter()
                    .map(|n| {
                        let code = n.sub_code.as_deref().unwrap_or(&n.code);
                        (
                            code.to_string(),
                            needs::label_or_code(code, lang).to_string(),
                        )
                    })
                    .collect();
                vec![
                    pick(Label::Need, Picker::new(options)),
                    pick(
                        Label::Status,
                        Picker::new(vec![
                            ("CONFIRMED".into(), t.confirm.into()),
                            ("RESOLVED".into(), t.resolve.into()),
                        ]),
                    ),
                    text(Label::Comments, ""),
                ]
            }
            Kind::AddDocument => vec![
                pick(
                    Label::DocType,
                    Picker::of_terms(codes::DOCUMENT_TYPE.terms(), lang),
                ),
                text(Label::Number, ""),
                pick(Label::Country, countries(lang, Some(t.no_country))),
            ],
            Kind::Correct => {
                let mut nationality = countries(lang, None);
                if let Some(n) = p.nationalities.first() {
                    nationality.select(n);
                }
                vec![
                    with_base(text(Label::GivenNames, &p.given_names)),
                    with_base(text(
                        Label::FamilyName,
                        p.family_name.as_deref().unwrap_or(""),
                    )),
                    with_base(text(
                        Label::BirthDate,
                        p.date_of_birth.as_deref().unwrap_or(""),
                    )),
                    with_base(pick(Label::Nationality, nationality)),
                    with_base(text(
                        Label::OriginalScript,
                        p.original_script_name.as_deref().unwrap_or(""),
                    )),
                ]
            }
            Kind::OpenCase => {
                p.group_membership.as_ref()?.group.as_ref()?;
                vec![
                    text(Label::Summary, ""),
                    pick(
                        Label::WithMembers,
                        Picker::new(vec![
                            ("yes".into(), t.yes.into()),
                            ("no".into(), t.no.into()),
                        ]),
                    ),
                ]
            }
        };
        let group = p.group_membership.as_ref().and_then(|m| m.group.as_ref());
        Some(Self {
            kind,
            fields,
            focus: 0,
            tried: false,
            cmid: None,
            sending: false,
            error: None,
            individual_id: p.id.clone(),
            version: p.version,
            group_id: group.map(|g| g.id.clone()),
            member_ids: group
                .map(|g| {
                    g.members
                        .iter()
                        .filter_map(|m| m.individual.as_ref().map(|i| i.id.clone()))
                        .filter(|id| *id != p.id)
                        .collect()
                })
                .unwrap_or_default(),
            needs,
            changed_meanwhile: Vec::new(),
            rebased: false,
            lang,
        })
    }

    fn get(&self, label: Label) -> Option<&Field> {
        self.fields.iter().find(|f| f.label == label)
    }

    fn value(&self, label: Label) -> Option<String> {
        self.get(label).map(value_of).filter(|v| !v.is_empty())
    }

    /// The field's problem, shown once a send was tried (malformed dates at once).
    pub fn problem(&self, f: &Field) -> Option<Problem> {
        let v = value_of(f);
        let required = matches!(
            f.label,
            Label::Need | Label::Status | Label::DocType | Label::Number | Label::GivenNames
        );
        if let Input::Pick(p) = &f.input
            && p.value().is_none()
        {
            return self.tried.then_some(Problem::NoneChosen);
        }
        if v.is_empty() {
            return (required && self.tried).then_some(Problem::Required);
        }
        if v.chars().count() > MAX_NAME {
            return Some(Problem::TooLong);
        }
        if f.label == Label::BirthDate {
            return match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
                Ok(d) if d > chrono::Local::now().date_naive() => Some(Problem::FutureDate),
                Ok(_) => None,
                Err(_) if v.len() < 10 && !self.tried => None,
                Err(_) => Some(Problem::BadDate),
            };
        }
        None
    }

    /// What the form sends, once nothing is wrong with it.
    pub fn input(&self) -> Option<PersonInput> {
        if self.fields.iter().any(|f| self.problem(f).is_some()) {
            return None;
        }
        let id = self.individual_id.clone();
        Some(match self.kind {
            Kind::AddNeed => PersonInput::AddNeed {
                individual_id: id,
                code: self.value(Label::Need)?,
                sub_code: self.value(Label::SubCode),
                comments: self.value(Label::Comments),
            },
            Kind::ReviewNeed => {
                let Input::Pick(p) = &self.get(Label::Need)?.input else {
                    return None;
                };
                let m = p.matches();
                let i = *m.get(p.idx.min(m.len().saturating_sub(1)))?;
                let (need_id, version) = self.needs.get(i)?.clone();
                PersonInput::ReviewNeed {
                    need_id,
                    version,
                    confirmed: self.value(Label::Status)? == "CONFIRMED",
                    comments: self.value(Label::Comments),
                }
            }
            Kind::AddDocument => PersonInput::AddDocument {
                individual_id: id,
                document_type: self.value(Label::DocType)?,
                number: self.value(Label::Number)?,
                issuing_country: self.value(Label::Country),
            },
            Kind::Correct => {
                let changed = |l: Label| {
                    let f = self.get(l)?;
                    let v = value_of(f);
                    (f.base.as_deref() != Some(v.as_str())).then_some(v)
                };
                let input = PersonInput::Update {
                    id,
                    version: self.version,
                    given_names: changed(Label::GivenNames),
                    family_name: changed(Label::FamilyName),
                    date_of_birth: changed(Label::BirthDate),
                    nationalities: changed(Label::Nationality).map(|n| vec![n]),
                    original_script_name: changed(Label::OriginalScript),
                };
                if input
                    == (PersonInput::Update {
                        id: self.individual_id.clone(),
                        version: self.version,
                        given_names: None,
                        family_name: None,
                        date_of_birth: None,
                        nationalities: None,
                        original_script_name: None,
                    })
                {
                    return None;
                }
                input
            }
            Kind::OpenCase => PersonInput::OpenCase {
                group_id: self.group_id.clone()?,
                principal_id: id,
                member_ids: if self.value(Label::WithMembers).as_deref() == Some("yes") {
                    self.member_ids.clone()
                } else {
                    Vec::new()
                },
                claim_summary: self.value(Label::Summary),
            },
        })
    }

    /// Whether the correction form was sent with nothing changed.
    fn unchanged(&self) -> bool {
        self.kind == Kind::Correct
            && self
                .fields
                .iter()
                .all(|f| f.base.as_deref() == Some(value_of(f).as_str()))
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormEvent {
        if key.code == KeyCode::Esc {
            return FormEvent::Close;
        }
        let last = self.focus + 1 >= self.fields.len();
        if submit_key(key) || (key.code == KeyCode::Enter && last) {
            if self.sending {
                return FormEvent::Changed(false);
            }
            self.tried = true;
            let Some(input) = self.input() else {
                return FormEvent::Changed(true);
            };
            let cmid = self
                .cmid
                .get_or_insert_with(|| uuid::Uuid::now_v7().to_string())
                .clone();
            self.sending = true;
            self.error = None;
            return FormEvent::Send(Cmd::Person { cmid, input });
        }
        if self.sending {
            return FormEvent::Changed(false);
        }
        let n = self.fields.len();
        let on_picker = matches!(
            self.fields.get(self.focus).map(|f| &f.input),
            Some(Input::Pick(_))
        );
        match key.code {
            KeyCode::Enter | KeyCode::Tab => {
                self.focus = (self.focus + 1) % n;
                return FormEvent::Changed(true);
            }
            KeyCode::BackTab => {
                self.focus = (self.focus + n - 1) % n;
                return FormEvent::Changed(true);
            }
            KeyCode::Down if !on_picker => {
                self.focus = (self.focus + 1) % n;
                return FormEvent::Changed(true);
            }
            KeyCode::Up if !on_picker => {
                self.focus = (self.focus + n - 1) % n;
                return FormEvent::Changed(true);
            }
            _ if key.modifiers.contains(KeyModifiers::CONTROL)
                && key.code != KeyCode::Char('u') =>
            {
                return FormEvent::Changed(false);
            }
            _ => {}
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormEvent::Changed(false);
        };
        let before = value_of(field);
        let changed = match &mut field.input {
            Input::Text(t) => t.edit(key),
            Input::Pick(p) => p.key(key),
        };
        if changed {
            // Any change to what would be sent makes it a new request, not a retry.
            if value_of(field) != before {
                self.cmid = None;
                if field.label == Label::Need && self.kind == Kind::AddNeed {
                    let code = value_of(field);
                    let lang = self.lang;
                    if let Some(sub) = self.fields.iter_mut().find(|f| f.label == Label::SubCode) {
                        sub.input = Input::Pick(sub_codes(Some(&code), lang));
                    }
                }
            }
        }
        FormEvent::Changed(changed)
    }

    /// The answer to this form's request, if `cmid` is its id. Returns whether it was.
    pub fn answered(&mut self, cmid: &str, error: Option<ApiError>) -> bool {
        if self.cmid.as_deref() != Some(cmid) {
            return false;
        }
        self.sending = false;
        self.rebased = false;
        self.changed_meanwhile.clear();
        if matches!(error, Some(ApiError::Conflict(_))) {
            // The record is read again and laid under the form (see `rebase`); the next send
            // is a new request against the new version.
            self.cmid = None;
        }
        self.error = error;
        true
    }

    /// The person as read again after a conflict: fields the user left as they were take the
    /// new values, fields someone else changed are listed, and the new version is sent next.
    pub fn rebase(&mut self, p: &IndividualIndividual, lang: Lang) {
        self.rebased = true;
        if self.kind != Kind::Correct {
            self.version = p.version;
            return;
        }
        let Some(fresh) = PersonForm::new(Kind::Correct, p, lang) else {
            return;
        };
        self.changed_meanwhile.clear();
        for (f, new) in self.fields.iter_mut().zip(fresh.fields) {
            let (old, theirs) = (f.base.clone(), new.base.clone());
            if old == theirs {
                continue;
            }
            if old.as_deref() == Some(value_of(f).as_str()) {
                f.input = new.input;
            }
            f.base = theirs.clone();
            self.changed_meanwhile
                .push((f.label, theirs.unwrap_or_default()));
        }
        self.version = p.version;
    }
}

pub fn title(t: &Texts, k: Kind) -> &'static str {
    match k {
        Kind::AddNeed => t.add_need,
        Kind::ReviewNeed => t.review_need,
        Kind::AddDocument => t.add_document,
        Kind::Correct => t.correct,
        Kind::OpenCase => t.open_case,
    }
}

pub fn label(t: &Texts, l: Label) -> &'static str {
    match l {
        Label::Need => t.need,
        Label::SubCode => t.sub_code,
        Label::Comments => t.comments,
        Label::Status => t.status,
        Label::DocType => t.doc_type,
        Label::Number => t.number,
        Label::Country => t.country,
        Label::GivenNames => t.given_names,
        Label::FamilyName => t.family_name,
        Label::BirthDate => t.birth_date,
        Label::OriginalScript => t.original_script,
        Label::Nationality => t.nationality,
        Label::Summary => t.summary,
        Label::WithMembers => t.with_members,
    }
}

fn problem_text(t: &Texts, p: Problem) -> &'static str {
    match p {
        Problem::Required => t.required,
        Problem::BadDate => t.bad_date,
        Problem::FutureDate => t.future_date,
        Problem::TooLong => t.too_long,
        Problem::NoneChosen => t.none_chosen,
    }
}

/// Draws the form as a popup over the lower part of `area`.
pub fn draw(lang: Lang, form: &PersonForm, frame: &mut Frame, area: Rect) {
    let t = texts::get(lang);
    let inner = usize::from(area.width.saturating_sub(2));
    let label_w = 24;
    let value_w = inner.saturating_sub(label_w + 1);
    let mut lines = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        let has_focus = i == form.focus;
        let shown = match &f.input {
            // The whole value while it has the focus (its end, where typing happens); cut
            // with an ellipsis otherwise.
            Input::Text(x) if has_focus => format!("{}▏", tail(&x.value, value_w - 1)),
            Input::Text(x) => ellipsis(&x.value, value_w),
            Input::Pick(p) => p.summary(value_w),
        };
        let style = if has_focus { focused() } else { bold() };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{:<label_w$} ",
                ellipsis(label(t, f.label), label_w)
            )),
            Span::styled(shown, style),
        ]));
        if let Some(p) = form.problem(f) {
            lines.push(Line::styled(
                format!("{:label_w$} {}", "", problem_text(t, p)),
                error(),
            ));
        }
        if has_focus && let Input::Pick(p) = &f.input {
            let rows = usize::from(area.height)
                .saturating_sub(form.fields.len() + 8)
                .clamp(3, 8);
            lines.extend(p.lines(rows, inner, t.filter));
        }
    }
    if form.rebased {
        lines.push(Line::styled(t.conflict, error()));
        for (l, theirs) in &form.changed_meanwhile {
            lines.push(Line::raw(format!("  {}: {theirs}", label(t, *l))));
        }
    } else if let Some(e) = &form.error {
        lines.push(Line::styled(t.error(e), error()));
    } else if form.tried && form.unchanged() {
        lines.push(Line::styled(t.nothing_changed, error()));
    }
    if form.sending {
        lines.push(Line::styled(t.sending, dim()));
    }
    lines.push(Line::styled(t.hint, dim()));
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(area.height)
        .min(area.height);
    let popup = Rect {
        y: area.y + area.height - height,
        height,
        ..area
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {} ", title(t, form.kind)))),
        popup,
    );
}
