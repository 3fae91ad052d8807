//! The popup behind a person's actions: add or review a specific need, add or correct a
//! document, correct the data (names, birth, nationality, address, phone, language, with the
//! version read), open a case. Codes are picked from lists with their names
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
use crate::api::individual::{IndividualIndividual, IndividualIndividualDocuments, NeedStatus};
use crate::i18n::Lang;
use crate::msg::{AddressValue, Cmd, LanguageValue, PersonInput, PhoneValue};
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
    EditDocument,
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
    Document,
    ExpiresOn,
    Address,
    City,
    AddressCountry,
    Phone,
    Language,
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
    BadPhone,
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
    /// The person's documents as read, for the form that corrects one.
    pub documents: Vec<IndividualIndividualDocuments>,
    /// The person's languages, current addresses and phones as read: the correction form
    /// edits the first of each and sends the whole list when it changed.
    pub lists: Lists,
    /// After a conflict: `(field, theirs)` that someone else changed meanwhile.
    pub changed_meanwhile: Vec<(Label, String)>,
    /// Set once the record was read again after a conflict, until the next answer.
    pub rebased: bool,
    /// The language its options are named in.
    pub lang: Lang,
}

/// The kind of address the correction form edits.
const CURRENT: &str = "current";

/// A person's lists, as read (addresses: those not ended).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lists {
    pub languages: Vec<LanguageValue>,
    pub addresses: Vec<AddressValue>,
    pub phones: Vec<PhoneValue>,
}

impl Lists {
    fn of(p: &IndividualIndividual) -> Self {
        Self {
            languages: p
                .languages
                .iter()
                .map(|l| LanguageValue {
                    language: l.language.clone(),
                    kind: l.kind.clone(),
                })
                .collect(),
            addresses: p
                .addresses
                .iter()
                .filter(|a| a.valid_to.is_none())
                .map(|a| AddressValue {
                    kind: a.kind.clone(),
                    line: a.line.clone(),
                    city: a.city.clone(),
                    province: a.province.clone(),
                    country: a.country.clone(),
                })
                .collect(),
            phones: p
                .phones
                .iter()
                .map(|ph| PhoneValue {
                    number: ph.number.clone(),
                    kind: ph.kind.clone(),
                    consent_to_contact: ph.consent_to_contact,
                })
                .collect(),
        }
    }
}

/// The label a document goes by in the list of the person's documents.
fn document_name(d: &IndividualIndividualDocuments, lang: Lang) -> String {
    format!(
        "{} {}",
        codes::label_or_code(codes::DOCUMENT_TYPE.terms(), &d.document_type, lang),
        d.number
    )
}

/// The fields of the document correction form, filled with `d` as read.
fn document_fields(d: &IndividualIndividualDocuments, lang: Lang) -> Vec<Field> {
    let t = texts::get(lang);
    let mut kind = Picker::of_terms(codes::DOCUMENT_TYPE.terms(), lang);
    kind.select(&d.document_type);
    let mut country = countries(lang, Some(t.no_country));
    country.select(d.issuing_country.as_deref().unwrap_or(""));
    vec![
        with_base(pick(Label::DocType, kind)),
        with_base(text(Label::Number, &d.number)),
        with_base(pick(Label::Country, country)),
        with_base(text(
            Label::ExpiresOn,
            d.expires_on.as_deref().unwrap_or(""),
        )),
    ]
}

fn languages(lang: Lang, none: &str) -> Picker {
    let mut options = vec![(String::new(), none.to_string())];
    options.extend(
        codes::LANGUAGES
            .terms()
            .iter()
            .map(|t| (t.code.to_string(), t.label(lang).to_string())),
    );
    Picker::new(options)
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
            Kind::EditDocument => {
                let first = p.documents.first()?;
                // Listed by their place (1, 2...), which reads better than an id.
                let chosen = Picker::new(
                    p.documents
                        .iter()
                        .enumerate()
                        .map(|(i, d)| ((i + 1).to_string(), document_name(d, lang)))
                        .collect(),
                );
                let mut fields = vec![with_base(pick(Label::Document, chosen))];
                fields.extend(document_fields(first, lang));
                fields
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
                let mut fields = vec![
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
                ];
                let lists = Lists::of(p);
                let address = lists.addresses.iter().find(|a| a.kind == CURRENT);
                let mut address_country = countries(lang, Some(t.no_country));
                address_country.select(address.map(|a| a.country.as_str()).unwrap_or(""));
                let mut language = languages(lang, t.no_language);
                language.select(
                    lists
                        .languages
                        .first()
                        .map(|l| l.language.as_str())
                        .unwrap_or(""),
                );
                fields.extend([
                    with_base(text(
                        Label::Address,
                        address.map(|a| a.line.as_str()).unwrap_or(""),
                    )),
                    with_base(text(
                        Label::City,
                        address.and_then(|a| a.city.as_deref()).unwrap_or(""),
                    )),
                    with_base(pick(Label::AddressCountry, address_country)),
                    with_base(text(
                        Label::Phone,
                        lists
                            .phones
                            .first()
                            .map(|p| p.number.as_str())
                            .unwrap_or(""),
                    )),
                    with_base(pick(Label::Language, language)),
                ]);
                fields
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
            documents: p.documents.clone(),
            lists: Lists::of(p),
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
        // The country of an address is needed once there is an address.
        if f.label == Label::AddressCountry && v.is_empty() {
            let has_address = self.value(Label::Address).is_some();
            return (has_address && self.tried).then_some(Problem::NoneChosen);
        }
        if v.is_empty() {
            return (required && self.tried).then_some(Problem::Required);
        }
        if v.chars().count() > MAX_NAME {
            return Some(Problem::TooLong);
        }
        if f.label == Label::Phone {
            let phone = amparo_domain::registration::PhoneInput {
                number: v,
                kind: "mobile".into(),
                consent_to_contact: false,
            };
            return (phone.validate().is_err() && self.tried).then_some(Problem::BadPhone);
        }
        if matches!(f.label, Label::BirthDate | Label::ExpiresOn) {
            return match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
                Ok(d) if f.label == Label::BirthDate && d > chrono::Local::now().date_naive() => {
                    Some(Problem::FutureDate)
                }
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
            Kind::EditDocument => {
                if self.unchanged() {
                    return None;
                }
                let doc = self.chosen_document()?;
                PersonInput::UpdateDocument {
                    id: doc.id.clone(),
                    version: doc.version,
                    document_type: self.value(Label::DocType)?,
                    number: self.value(Label::Number)?,
                    issuing_country: self.value(Label::Country),
                    issued_on: doc.issued_on.clone(),
                    expires_on: self.value(Label::ExpiresOn),
                }
            }
            Kind::Correct => {
                if self.unchanged() {
                    return None;
                }
                let changed = |l: Label| {
                    let f = self.get(l)?;
                    let v = value_of(f);
                    (f.base.as_deref() != Some(v.as_str())).then_some(v)
                };
                let any = |ls: &[Label]| ls.iter().any(|l| changed(*l).is_some());
                PersonInput::Update {
                    id,
                    version: self.version,
                    given_names: changed(Label::GivenNames),
                    family_name: changed(Label::FamilyName),
                    date_of_birth: changed(Label::BirthDate),
                    nationalities: changed(Label::Nationality).map(|n| vec![n]),
                    original_script_name: changed(Label::OriginalScript),
                    languages: changed(Label::Language).map(|_| self.languages_sent()),
                    addresses: any(&[Label::Address, Label::City, Label::AddressCountry])
                        .then(|| self.addresses_sent()),
                    phones: changed(Label::Phone).map(|_| self.phones_sent()),
                }
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

    /// The document chosen in the document correction form, as read.
    fn chosen_document(&self) -> Option<&IndividualIndividualDocuments> {
        let place: usize = self.value(Label::Document)?.parse().ok()?;
        self.documents.get(place.checked_sub(1)?)
    }

    /// The languages to send: the first replaced by the one chosen (removed for "none"), the
    /// others as read.
    fn languages_sent(&self) -> Vec<LanguageValue> {
        let mut rest = self.lists.languages.clone();
        let first = (!rest.is_empty()).then(|| rest.remove(0));
        let chosen = self.value(Label::Language).map(|language| LanguageValue {
            language,
            kind: first.map_or_else(|| "mother_tongue".into(), |l| l.kind),
        });
        chosen.into_iter().chain(rest).collect()
    }

    /// The addresses to send: the current one as the form has it (none when its line was
    /// emptied), the others (origin, transit...) as read.
    fn addresses_sent(&self) -> Vec<AddressValue> {
        let mut all = self.lists.addresses.clone();
        let at = all.iter().position(|a| a.kind == CURRENT);
        let first = at.map(|i| all.remove(i));
        let chosen = self.value(Label::Address).map(|line| AddressValue {
            kind: CURRENT.into(),
            line,
            city: self.value(Label::City),
            province: first.as_ref().and_then(|a| a.province.clone()),
            country: self.value(Label::AddressCountry).unwrap_or_default(),
        });
        if let Some(a) = chosen {
            all.insert(at.unwrap_or(0), a);
        }
        all
    }

    /// The phones to send: the first with the number the form has (none when emptied).
    fn phones_sent(&self) -> Vec<PhoneValue> {
        let mut rest = self.lists.phones.clone();
        let first = (!rest.is_empty()).then(|| rest.remove(0));
        let chosen = self.value(Label::Phone).map(|number| PhoneValue {
            number,
            kind: first
                .as_ref()
                .map_or_else(|| "mobile".into(), |p| p.kind.clone()),
            consent_to_contact: first.as_ref().is_some_and(|p| p.consent_to_contact),
        });
        chosen.into_iter().chain(rest).collect()
    }

    /// Whether a correction form was sent with nothing changed.
    fn unchanged(&self) -> bool {
        matches!(self.kind, Kind::Correct | Kind::EditDocument)
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
            return FormEvent::Send(Cmd::Person {
                cmid,
                input: Box::new(input),
            });
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
                let (label, code) = (field.label, value_of(field));
                if label == Label::Document {
                    field.base = Some(code.clone());
                }
                if label == Label::Need && self.kind == Kind::AddNeed {
                    let lang = self.lang;
                    if let Some(sub) = self.fields.iter_mut().find(|f| f.label == Label::SubCode) {
                        sub.input = Input::Pick(sub_codes(Some(&code), lang));
                    }
                }
                if label == Label::Document {
                    // Another document chosen: the form now shows and corrects that one.
                    if let Some(d) = self.chosen_document().cloned() {
                        self.fields.truncate(1);
                        self.fields.extend(document_fields(&d, self.lang));
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
        if !matches!(self.kind, Kind::Correct | Kind::EditDocument) {
            self.version = p.version;
            return;
        }
        let Some(mut fresh) = PersonForm::new(self.kind, p, lang) else {
            return;
        };
        if self.kind == Kind::EditDocument {
            // The same document read again (gone if someone removed it: nothing to lay under).
            let Some((at, d)) = self.chosen_document().and_then(|mine| {
                p.documents
                    .iter()
                    .enumerate()
                    .find(|(_, d)| d.id == mine.id)
            }) else {
                return;
            };
            let place = (at + 1).to_string();
            fresh.fields.truncate(1);
            if let Some(first) = fresh.fields.first_mut() {
                if let Input::Pick(chosen) = &mut first.input {
                    chosen.select(&place);
                }
                first.base = Some(place);
            }
            fresh.fields.extend(document_fields(d, lang));
        }
        self.documents = fresh.documents.clone();
        self.lists = fresh.lists.clone();
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
        Kind::EditDocument => t.edit_document,
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
        Label::Document => t.document,
        Label::ExpiresOn => t.expires_on,
        Label::Address => t.address,
        Label::City => t.city,
        Label::AddressCountry => t.address_country,
        Label::Phone => t.phone,
        Label::Language => t.language,
    }
}

fn problem_text(t: &Texts, p: Problem) -> &'static str {
    match p {
        Problem::Required => t.required,
        Problem::BadDate => t.bad_date,
        Problem::FutureDate => t.future_date,
        Problem::TooLong => t.too_long,
        Problem::NoneChosen => t.none_chosen,
        Problem::BadPhone => t.bad_phone,
    }
}

/// Draws the form as a popup over the lower part of `area`.
pub fn draw(lang: Lang, form: &PersonForm, frame: &mut Frame, area: Rect) {
    let t = texts::get(lang);
    let inner = usize::from(area.width.saturating_sub(2));
    let label_w = 24;
    let value_w = inner.saturating_sub(label_w + 1);
    let mut lines = Vec::new();
    let rows = usize::from(area.height)
        .saturating_sub(form.fields.len() + 8)
        .clamp(3, 8);
    // Room for the tallest list whichever field has the focus, so moving between fields or
    // sending never resizes the popup: anchored at the bottom, a change of height would move
    // every line of it and send the whole popup again over the link.
    let list_room = form
        .fields
        .iter()
        .filter_map(|f| match &f.input {
            Input::Pick(p) => Some(p.height(rows)),
            Input::Text(_) => None,
        })
        .max()
        .unwrap_or(0);
    let mut list_shown = 0;
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
            let list = p.lines(rows, inner, t.filter);
            list_shown = list.len();
            lines.extend(list);
        }
    }
    lines.resize(
        lines.len() + list_room.saturating_sub(list_shown),
        Line::default(),
    );
    let before_status = lines.len();
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
    // One status line kept even when empty, for the same reason.
    if lines.len() == before_status {
        lines.push(Line::default());
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
