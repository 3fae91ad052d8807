//! The popup behind a case's actions, and each action's client form: which [`Form`] it opens
//! ([`form`]), its fields with inline validation, the `clientMutationId` kept across retries, and
//! the action's own mutation it sends ([`ActionForm::request`]). The case screen and the supervisor's view (for
//! a bulk reassignment) each hold one while it is open.

mod texts;

use amparo_domain::code_lists;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::actions::{self, ActRequest, Kind};
use crate::api::ApiError;
use crate::i18n::Lang;
use crate::msg::Cmd;
use crate::picker::Picker;
use crate::widgets::{TextInput, bold, cell, dim, ellipsis, error, submit_key};
use texts::Texts;

/// What a key did to an open form.
#[derive(Debug)]
pub enum FormEvent {
    /// Esc: the form closes.
    Close,
    /// The form is sent with this request.
    Send(Cmd),
    /// Whether what is shown changed.
    Changed(bool),
}
/// Which form an action opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Admissible or not, with the reason required when not.
    Admissibility,
    /// Date, time, minutes, officer, interpreter language, appointment to move.
    Schedule,
    /// Attended, when it was held, notes, interpreter language.
    Interview,
    /// The applicant's channel (from a list) and a note.
    Contact,
    /// When and how the decision was handed over.
    Notify,
    /// Outcome and codes per member.
    Assessment,
    /// Approve or return, with comments required to return.
    Review,
    /// The date the appeal was lodged.
    Appeal,
    /// A free-text reason, required.
    Reason,
    /// A closure reason from the list.
    CloseReason,
    /// Ground and approving officer.
    Reopen,
    /// The officer to assign.
    Assign,
    /// Nothing to fill in: the form asks to confirm.
    Confirm,
}

/// The form `kind` opens.
pub fn form(kind: Kind) -> Form {
    match kind {
        Kind::DecideAdmissibility => Form::Admissibility,
        Kind::ScheduleInterview => Form::Schedule,
        Kind::RecordInterview => Form::Interview,
        Kind::RecordNoShow => Form::Confirm,
        Kind::RecordContact => Form::Contact,
        Kind::SubmitAssessment => Form::Assessment,
        Kind::ReviewAssessment => Form::Review,
        Kind::NotifyDecision => Form::Notify,
        Kind::LodgeAppeal => Form::Appeal,
        Kind::Withdraw | Kind::PutOnHold => Form::Reason,
        Kind::Close => Form::CloseReason,
        Kind::ConfirmAbandonment | Kind::Resume => Form::Confirm,
        Kind::Reopen => Form::Reopen,
        Kind::Assign => Form::Assign,
    }
}

/// Whether the form of `kind` offers officers, which are read on first use.
pub fn needs_officers(kind: Kind) -> bool {
    matches!(form(kind), Form::Schedule | Form::Reopen | Form::Assign)
}

/// When a decision handed over on an earlier day is dated if no time is typed: the close of
/// a working day, after any decision taken that day.
const CLOSE_OF_DAY: u32 = 17;

/// Closure reasons a supervisor may choose; the others follow from the procedure.
pub const CLOSE_REASONS: [&str; 4] = ["no_appeal", "duplicate", "deceased", "left_country"];
/// Grounds on which a case may be reopened.
pub const REOPEN_GROUNDS: [&str; 4] = [
    "changed_circumstances",
    "new_evidence",
    "improperly_decided",
    "abandonment_reopened",
];
/// Outcomes of a recommendation.
pub const OUTCOMES: [&str; 3] = ["recognised", "rejected", "excluded"];
/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(TextInput),
    /// `(value, label)`: the label is a code the view translates, or a name shown as it is.
    Choice {
        options: Vec<(String, String)>,
        idx: usize,
    },
    /// A code from a list with its names, narrowed by typing.
    Pick(Picker),
}

/// Which label a field has, translated by the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Admissible,
    Reason,
    Date,
    Time,
    Minutes,
    Officer,
    Language,
    Appointment,
    Attended,
    NotesRef,
    /// A member's outcome; the string is the member's name.
    Outcome(String),
    /// Ground, reasons or clauses of the member's outcome just above.
    Codes,
    AssessmentRef,
    Decision,
    Comments,
    LodgedOn,
    Ground,
    Approver,
    /// Why an interviewer of another sex than the applicant asked for acts anyway.
    Override,
    /// The day an interview was held or a decision handed over (local).
    HeldOn,
    /// The local time it was held.
    HeldAt,
    /// How the decision was handed over.
    Method,
    /// How the applicant got in touch.
    Channel,
    /// A short note of the contact.
    Note,
}

/// One line of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: Label,
    pub input: Input,
    /// For assessment fields: the member it is about.
    pub member: Option<String>,
}

/// Why a field's value cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    BadDate,
    BadTime,
    OutsideHours,
    BadMinutes,
    /// A day or time still to come.
    InFuture,
    /// Before the day of the interview's appointment.
    BeforeAppointment,
    TooLong,
}

/// The longest contact note the server keeps.
pub const MAX_NOTE: usize = 1000;

/// What the form needs to know of the case.
#[derive(Debug, Clone, Default)]
pub struct CaseContext {
    /// `(individual id, name)` of each member.
    pub members: Vec<(String, String)>,
    /// `(appointment id, when)` of pending appointments.
    pub appointments: Vec<(String, String)>,
    pub my_id: Option<String>,
    /// What a reviewer reads before deciding: the assessment (assessor, each member's
    /// recommendation with its grounds, reasons or clauses) and the interview record.
    pub assessment: Vec<String>,
}

/// An open action form.
#[derive(Debug, Clone)]
pub struct ActionForm {
    pub action: Kind,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Set once a submit was tried: problems show from then on.
    pub tried: bool,
    /// Kept until the server answers or the form changes, so a retry acts only once.
    pub cmid: Option<String>,
    pub sending: bool,
    pub error: Option<ApiError>,
    pub case_id: String,
    pub version: i64,
    /// Set for a bulk reassignment from a supervisor's list.
    pub bulk: Vec<(String, i64)>,
    /// The language the pickers' names are in.
    pub lang: Lang,
    /// Lines shown above the fields (the assessment under review).
    pub context: Vec<String>,
    /// The earliest pending appointment, local `YYYY-MM-DD HH:MM` (empty when none).
    pub booked: String,
}

/// The office's clock now.
fn local_now() -> NaiveDateTime {
    crate::widgets::office().now()
}

/// The codes a member's outcome takes: a ground when recognised, a reason when rejected, a
/// clause when excluded; named in `lang`.
pub fn outcome_codes(outcome: &str, lang: Lang) -> Picker {
    let list = match outcome {
        "recognised" => code_lists::GROUNDS,
        "rejected" => code_lists::REJECTION_REASONS,
        _ => code_lists::EXCLUSION_CLAUSES,
    };
    Picker::of_terms(list, lang)
}

fn text() -> Input {
    Input::Text(TextInput::default())
}

fn choice<S: Into<String> + Clone>(codes: &[S]) -> Input {
    Input::Choice {
        options: codes
            .iter()
            .map(|c| (c.clone().into(), c.clone().into()))
            .collect(),
        idx: 0,
    }
}

fn field(label: Label, input: Input) -> Field {
    Field {
        label,
        input,
        member: None,
    }
}

/// The officers a form offers; `None` until `assignableOfficers` answered.
pub fn officer_options(
    officers: Option<&[(String, String)]>,
    me: Option<&str>,
    with_me: bool,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if with_me {
        out.push((String::new(), "me".to_string()));
    }
    for (id, name) in officers.unwrap_or_default() {
        if with_me && Some(id.as_str()) == me {
            continue;
        }
        out.push((id.clone(), name.clone()));
    }
    out
}

/// The interpreter's language, picked by name from the domain's list; the first choice is none.
fn interpreter_languages(lang: Lang) -> Picker {
    let none = match lang {
        Lang::Es => "— sin intérprete",
        Lang::En => "— no interpreter",
    };
    let mut options = vec![(String::new(), none.to_string())];
    options.extend(
        amparo_domain::codes::LANGUAGES
            .terms()
            .iter()
            .map(|t| (t.code.to_string(), t.label(lang).to_string())),
    );
    Picker::new(options)
}

impl ActionForm {
    /// A new form for `action` on the case read at `version`.
    pub fn new(
        action: Kind,
        case_id: &str,
        version: i64,
        ctx: &CaseContext,
        officers: Option<&[(String, String)]>,
        lang: Lang,
    ) -> Self {
        let form = form(action);
        let context = if action == Kind::ReviewAssessment {
            ctx.assessment.clone()
        } else {
            Vec::new()
        };
        let mut fields = match form {
            Form::Admissibility => vec![
                field(Label::Admissible, choice(&["yes", "no"])),
                field(Label::Reason, text()),
            ],
            Form::Schedule => {
                let mut f = vec![
                    field(Label::Date, text()),
                    field(Label::Time, text()),
                    field(
                        Label::Minutes,
                        Input::Text(TextInput {
                            value: "120".into(),
                        }),
                    ),
                    field(
                        Label::Officer,
                        Input::Choice {
                            options: officer_options(officers, ctx.my_id.as_deref(), true),
                            idx: 0,
                        },
                    ),
                    field(Label::Language, Input::Pick(interpreter_languages(lang))),
                ];
                if !ctx.appointments.is_empty() {
                    let mut options = vec![(String::new(), "new".to_string())];
                    options.extend(ctx.appointments.iter().cloned());
                    f.push(field(Label::Appointment, Input::Choice { options, idx: 0 }));
                }
                f.push(field(Label::Override, text()));
                f
            }
            Form::Interview => {
                // The record defaults to the appointment's time, which the officer corrects
                // when the interview was held at another hour.
                let booked = ctx.appointments.iter().map(|(_, at)| at.as_str()).min();
                let (day, hour) = booked
                    .and_then(|b| b.split_once(' '))
                    .map_or((String::new(), String::new()), |(d, h)| {
                        (d.to_string(), h.to_string())
                    });
                vec![
                    field(Label::Attended, choice(&["yes", "no"])),
                    field(Label::HeldOn, Input::Text(TextInput { value: day })),
                    field(Label::HeldAt, Input::Text(TextInput { value: hour })),
                    field(Label::NotesRef, text()),
                    field(Label::Language, Input::Pick(interpreter_languages(lang))),
                    field(Label::Override, text()),
                ]
            }
            Form::Contact => vec![
                field(
                    Label::Channel,
                    Input::Pick(Picker::of_terms(code_lists::CONTACT_CHANNELS, lang)),
                ),
                field(Label::Note, text()),
            ],
            Form::Notify => vec![
                field(Label::HeldOn, text()),
                field(
                    Label::Method,
                    Input::Pick(Picker::of_terms(code_lists::NOTIFICATION_METHODS, lang)),
                ),
            ],
            Form::Assessment => {
                let mut f = Vec::new();
                for (id, name) in &ctx.members {
                    f.push(Field {
                        label: Label::Outcome(name.clone()),
                        input: choice(&OUTCOMES),
                        member: Some(id.clone()),
                    });
                    f.push(Field {
                        label: Label::Codes,
                        input: Input::Pick(outcome_codes(OUTCOMES[0], lang)),
                        member: Some(id.clone()),
                    });
                }
                f.push(field(Label::AssessmentRef, text()));
                f
            }
            Form::Review => vec![
                field(Label::Decision, choice(&["approve", "return"])),
                field(Label::Comments, text()),
            ],
            Form::Appeal => vec![field(Label::LodgedOn, text())],
            Form::Reason => vec![field(Label::Reason, text())],
            Form::CloseReason => vec![field(Label::Reason, choice(&CLOSE_REASONS))],
            Form::Reopen => vec![
                field(Label::Ground, choice(&REOPEN_GROUNDS)),
                field(
                    Label::Approver,
                    Input::Choice {
                        options: officer_options(officers, ctx.my_id.as_deref(), false)
                            .into_iter()
                            .filter(|(id, _)| Some(id.as_str()) != ctx.my_id.as_deref())
                            .collect(),
                        idx: 0,
                    },
                ),
            ],
            Form::Assign => vec![field(
                Label::Officer,
                Input::Choice {
                    options: officer_options(officers, None, false),
                    idx: 0,
                },
            )],
            Form::Confirm => Vec::new(),
        };
        fields.shrink_to_fit();
        Self {
            action,
            fields,
            focus: 0,
            tried: false,
            cmid: None,
            sending: false,
            error: None,
            case_id: case_id.to_string(),
            version,
            bulk: Vec::new(),
            lang,
            context,
            booked: ctx
                .appointments
                .iter()
                .map(|(_, at)| at.clone())
                .min()
                .unwrap_or_default(),
        }
    }

    /// Fills the officer choices once `assignableOfficers` answered.
    pub fn set_officers(&mut self, officers: &[(String, String)], my_id: Option<&str>) {
        for f in &mut self.fields {
            let options = match f.label {
                Label::Officer if self.action == Kind::ScheduleInterview => {
                    officer_options(Some(officers), my_id, true)
                }
                Label::Officer => officer_options(Some(officers), None, false),
                Label::Approver => officer_options(Some(officers), None, false)
                    .into_iter()
                    .filter(|(id, _)| Some(id.as_str()) != my_id)
                    .collect(),
                _ => continue,
            };
            f.input = Input::Choice { options, idx: 0 };
        }
    }

    fn choice_value(&self, label: &Label) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| &f.label == label)
            .and_then(|f| match &f.input {
                Input::Choice { options, idx } => options.get(*idx).map(|(v, _)| v.as_str()),
                Input::Text(_) | Input::Pick(_) => None,
            })
    }

    fn pick_value(&self, label: &Label) -> Option<String> {
        self.fields
            .iter()
            .find(|f| &f.label == label)
            .and_then(|f| match &f.input {
                Input::Pick(p) => p.value().map(str::to_string),
                Input::Text(_) | Input::Choice { .. } => None,
            })
    }

    fn text_value(&self, label: &Label) -> &str {
        self.fields
            .iter()
            .find(|f| &f.label == label)
            .and_then(|f| match &f.input {
                Input::Text(t) => Some(t.value.trim()),
                Input::Choice { .. } | Input::Pick(_) => None,
            })
            .unwrap_or("")
    }

    /// The problems of each field, by index.
    pub fn problems(&self) -> Vec<(usize, Problem)> {
        let mut out = Vec::new();
        for (i, f) in self.fields.iter().enumerate() {
            let value = match &f.input {
                Input::Text(t) => t.value.trim(),
                Input::Pick(p) => {
                    if p.value().is_none() {
                        out.push((i, Problem::Required));
                    }
                    continue;
                }
                Input::Choice { options, .. } => {
                    if options.is_empty() {
                        out.push((i, Problem::Required));
                    }
                    continue;
                }
            };
            let problem = match f.label {
                Label::Reason => {
                    let needed = match self.action {
                        Kind::DecideAdmissibility => {
                            self.choice_value(&Label::Admissible) == Some("no")
                        }
                        _ => true,
                    };
                    (needed && value.is_empty()).then_some(Problem::Required)
                }
                Label::Comments => (self.choice_value(&Label::Decision) == Some("return")
                    && value.is_empty())
                .then_some(Problem::Required),
                Label::Date => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                    _ if value.is_empty() => Some(Problem::Required),
                    Err(_) => Some(Problem::BadDate),
                    Ok(_) => None,
                },
                Label::LodgedOn => (!value.is_empty()
                    && NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err())
                .then_some(Problem::BadDate),
                Label::HeldOn => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                    _ if value.is_empty() => None,
                    Err(_) => Some(Problem::BadDate),
                    Ok(d) if d > local_now().date() => Some(Problem::InFuture),
                    Ok(d) if self.first_day().is_some_and(|first| d < first) => {
                        Some(Problem::BeforeAppointment)
                    }
                    Ok(_) => None,
                },
                Label::HeldAt => match NaiveTime::parse_from_str(value, "%H:%M") {
                    _ if value.is_empty() => None,
                    Err(_) => Some(Problem::BadTime),
                    Ok(_) => match self.held_local() {
                        Some(at) if at > local_now() => Some(Problem::InFuture),
                        _ => None,
                    },
                },
                Label::Note => (value.chars().count() > MAX_NOTE).then_some(Problem::TooLong),
                Label::Time => match NaiveTime::parse_from_str(value, "%H:%M") {
                    _ if value.is_empty() => Some(Problem::Required),
                    Err(_) => Some(Problem::BadTime),
                    Ok(_) => self.slot().err(),
                },
                Label::Minutes => match value.parse::<i64>() {
                    Ok(m) if (30..=480).contains(&m) => None,
                    _ => Some(Problem::BadMinutes),
                },
                _ => None,
            };
            if let Some(p) = problem {
                out.push((i, p));
            }
        }
        out
    }

    /// The first day an interview may be dated: its appointment's, or today when it is held
    /// ahead of it (the server's rule).
    fn first_day(&self) -> Option<NaiveDate> {
        if self.action != Kind::RecordInterview {
            return None;
        }
        let booked = NaiveDate::parse_from_str(self.booked.get(..10)?, "%Y-%m-%d").ok()?;
        Some(booked.min(local_now().date()))
    }

    /// The day and time typed (local); a day without a time is the close of the working day for
    /// a notification and noon otherwise. `None` when the day is empty or malformed.
    fn held_local(&self) -> Option<NaiveDateTime> {
        let day = NaiveDate::parse_from_str(self.text_value(&Label::HeldOn), "%Y-%m-%d").ok()?;
        let time = match self.text_value(&Label::HeldAt) {
            // A decision handed over on an earlier day is dated at the close of that day,
            // after any decision taken the same day.
            "" if self.action == Kind::NotifyDecision => {
                NaiveTime::from_hms_opt(CLOSE_OF_DAY, 0, 0)?
            }
            "" => NaiveTime::from_hms_opt(12, 0, 0)?,
            t => NaiveTime::parse_from_str(t, "%H:%M").ok()?,
        };
        Some(NaiveDateTime::new(day, time))
    }

    /// What was typed as when it happened, in UTC (RFC 3339); `None` leaves the default to the
    /// server. A notification dated today is sent as now, not at noon.
    fn held_utc(&self) -> Option<String> {
        let local = self.held_local()?;
        if self.action == Kind::NotifyDecision && local.date() == local_now().date() {
            return None;
        }
        crate::widgets::office().to_utc(local)
    }

    /// The interview's start in UTC (RFC 3339), checked against the unit's working hours.
    fn slot(&self) -> Result<String, Problem> {
        let date = NaiveDate::parse_from_str(self.text_value(&Label::Date), "%Y-%m-%d")
            .map_err(|_| Problem::BadDate)?;
        let time = NaiveTime::parse_from_str(self.text_value(&Label::Time), "%H:%M")
            .map_err(|_| Problem::BadTime)?;
        let minutes = self
            .text_value(&Label::Minutes)
            .parse::<u32>()
            .unwrap_or(120);
        let office = crate::widgets::office();
        let start = NaiveDateTime::new(date, time);
        if !office.hours.fits(start, minutes) {
            return Err(Problem::OutsideHours);
        }
        office.to_utc(start).ok_or(Problem::BadTime)
    }

    /// The request this form sends with `cmid`, or `None` while a field has a problem: the
    /// action's own mutation with the case, the version read and every field.
    pub fn request(&self, cmid: &str) -> Option<ActRequest> {
        use crate::api::{self as q, CaseMutation as M};
        use Kind as A;
        if !self.problems().is_empty() {
            return None;
        }
        let opt = |label: Label| {
            let v = self.text_value(&label);
            (!v.is_empty()).then(|| v.to_string())
        };
        let pick = |label: Label| self.choice_value(&label).map(str::to_string);
        let (client_mutation_id, case_id, version) =
            (cmid.to_string(), self.case_id.clone(), self.version);
        // The mutation `$m`'s variables: its `input` of type `$input` with the case, the
        // version and the id, plus the action's fields, and any other variable after it.
        macro_rules! m {
            ($op:ident, $m:ident, $input:ident { $($field:ident: $value:expr),* $(,)? } $(, $var:ident: $v:expr)*) => {
                M::$op(q::$m::Variables {
                    input: q::$m::$input {
                        client_mutation_id,
                        case_id,
                        version,
                        $($field: $value,)*
                    },
                    $($var: $v,)*
                })
            };
        }
        if !self.bulk.is_empty() {
            return Some(ActRequest::AssignMany(q::assign_cases::Variables {
                input: q::assign_cases::AssignCasesInput {
                    client_mutation_id,
                    cases: self
                        .bulk
                        .iter()
                        .map(|(case_id, version)| q::assign_cases::CaseVersionInput {
                            case_id: case_id.clone(),
                            version: *version,
                        })
                        .collect(),
                    officer_id: pick(Label::Officer)?,
                },
            }));
        }
        let language = || self.pick_value(&Label::Language).filter(|l| !l.is_empty());
        Some(ActRequest::Case(Box::new(match &self.action {
            A::DecideAdmissibility => m!(
                DecideAdmissibility,
                decide_admissibility,
                DecideAdmissibilityInput {
                    admissible: self.choice_value(&Label::Admissible) == Some("yes"),
                    reason: opt(Label::Reason),
                }
            ),
            A::ScheduleInterview => m!(
                ScheduleInterview,
                schedule_interview,
                ScheduleInterviewInput {
                    at: self.slot().ok()?,
                    minutes: Some(self.text_value(&Label::Minutes).parse().ok()?),
                    officer_id: pick(Label::Officer).filter(|s| !s.is_empty()),
                    language: language(),
                    // The server books a free interpreter for the language; choosing one by name
                    // is left to the unit's interpreter roster, which the API does not list yet.
                    interpreter_id: None,
                    override_reason: opt(Label::Override),
                    reschedule_appointment_id: pick(Label::Appointment).filter(|s| !s.is_empty()),
                }
            ),
            A::RecordInterview => m!(
                RecordInterview,
                record_interview,
                RecordInterviewInput {
                    principal_attended: self.choice_value(&Label::Attended) == Some("yes"),
                    held_at: self.held_utc(),
                    notes_ref: opt(Label::NotesRef),
                    interpreter_language: language(),
                    override_reason: opt(Label::Override),
                }
            ),
            A::RecordNoShow => m!(RecordNoShow, record_no_show, CaseActionInput {}),
            A::RecordContact => m!(RecordContact, record_contact, CaseActionInput {},
            contact: Some(q::record_contact::ContactInput {
                channel: Some(self.pick_value(&Label::Channel)?),
                note: opt(Label::Note),
            })),
            A::SubmitAssessment => m!(
                SubmitAssessment,
                submit_assessment,
                SubmitAssessmentInput {
                    recommendations: self.recommendations()?,
                    assessment_ref: opt(Label::AssessmentRef),
                }
            ),
            A::ReviewAssessment => m!(
                ReviewAssessment,
                review_assessment,
                ReviewAssessmentInput {
                    approve: self.choice_value(&Label::Decision) == Some("approve"),
                    comments: opt(Label::Comments),
                }
            ),
            A::NotifyDecision => m!(NotifyDecision, notify_decision, CaseActionInput {},
            notification: Some(q::notify_decision::NotificationInput {
                notified_at: self.held_utc(),
                method: Some(self.pick_value(&Label::Method)?),
            })),
            A::LodgeAppeal => m!(
                LodgeAppeal,
                lodge_appeal,
                LodgeAppealInput {
                    lodged_at: opt(Label::LodgedOn).map(|d| format!("{d}T{:02}:00:00Z", 12)),
                }
            ),
            A::Withdraw => m!(
                WithdrawCase,
                withdraw_case,
                CaseReasonInput {
                    reason: opt(Label::Reason)?,
                }
            ),
            A::PutOnHold => m!(
                PutCaseOnHold,
                put_case_on_hold,
                CaseReasonInput {
                    reason: opt(Label::Reason)?,
                }
            ),
            A::Close => m!(
                CloseCase,
                close_case,
                CloseCaseInput {
                    reason: pick(Label::Reason)?,
                }
            ),
            A::ConfirmAbandonment => {
                m!(ConfirmAbandonment, confirm_abandonment, CaseActionInput {})
            }
            A::Reopen => m!(
                ReopenCase,
                reopen_case,
                ReopenCaseInput {
                    ground: pick(Label::Ground)?,
                    approver_id: pick(Label::Approver)?,
                }
            ),
            A::Assign => m!(
                AssignCase,
                assign_case,
                AssignCaseInput {
                    officer_id: pick(Label::Officer)?,
                }
            ),
            A::Resume => m!(ResumeCase, resume_case, CaseActionInput {}),
        })))
    }

    /// Each member's recommendation as the API takes it: the codes picked are a ground,
    /// reasons or clauses according to the outcome.
    fn recommendations(&self) -> Option<Vec<crate::api::submit_assessment::RecommendationInput>> {
        let mut out = Vec::new();
        for pair in self.fields.chunks(2) {
            if let [outcome, codes] = pair
                && let (Some(id), Input::Choice { options, idx }, Input::Pick(p)) =
                    (&outcome.member, &outcome.input, &codes.input)
            {
                let outcome = options.get(*idx).map(|(v, _)| v.clone())?;
                let code = p.value()?.to_string();
                let (ground, reasons, clauses) = match outcome.as_str() {
                    "recognised" => (Some(code), Vec::new(), Vec::new()),
                    "rejected" => (None, vec![code], Vec::new()),
                    _ => (None, Vec::new(), vec![code]),
                };
                out.push(crate::api::submit_assessment::RecommendationInput {
                    individual_id: id.clone(),
                    outcome,
                    ground,
                    reasons,
                    clauses,
                });
            }
        }
        Some(out)
    }

    /// Handles a key while the form is open: Esc closes it, Ctrl-S/F10 (or Enter on the last
    /// field) sends it once nothing is wrong, other keys edit the fields.
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
            let cmid = self
                .cmid
                .clone()
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            let Some(request) = self.request(&cmid) else {
                return FormEvent::Changed(true);
            };
            self.cmid = Some(cmid.clone());
            self.sending = true;
            self.error = None;
            return FormEvent::Send(Cmd::Act { cmid, request });
        }
        if key.code == KeyCode::Enter {
            self.focus += 1;
            return FormEvent::Changed(true);
        }
        if self.sending {
            return FormEvent::Changed(false);
        }
        FormEvent::Changed(self.key(key))
    }

    /// The answer to this form's request, if `cmid` is its id: the form stops sending and keeps
    /// a refusal to show. Returns whether the request was this form's.
    pub fn answered(&mut self, cmid: &str, error: Option<ApiError>) -> bool {
        if self.cmid.as_deref() != Some(cmid) {
            return false;
        }
        self.sending = false;
        // A timeout or a broken link leaves the outcome unknown: the id stays, so the retry
        // cannot act twice. A refusal is final for that id; the next submit of the same form
        // is a retry the server answers the same way unless something changed.
        self.error = error;
        true
    }

    /// Applies a key meant for the form's fields; true when something changed. Any change to
    /// a value starts a new request id: it is no longer a retry of the same submit.
    fn key(&mut self, key: &KeyEvent) -> bool {
        let n = self.fields.len();
        // A picker takes every key but Tab: typing narrows it, ↑↓ ←→ move in it.
        if key.code != KeyCode::Tab
            && key.code != KeyCode::BackTab
            && !(key.modifiers.contains(KeyModifiers::CONTROL) && key.code != KeyCode::Char('u'))
            && let Some(Input::Pick(p)) = self.fields.get_mut(self.focus).map(|f| &mut f.input)
        {
            let before = p.value().map(str::to_string);
            let changed = p.key(key);
            if p.value().map(str::to_string) != before {
                self.cmid = None;
            }
            return changed;
        }
        match key.code {
            KeyCode::Tab | KeyCode::Down if n > 0 => {
                self.focus = (self.focus + 1) % n;
                true
            }
            KeyCode::BackTab | KeyCode::Up if n > 0 => {
                self.focus = (self.focus + n - 1) % n;
                true
            }
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') => {
                let forward = key.code != KeyCode::Left;
                match self.fields.get_mut(self.focus).map(|f| &mut f.input) {
                    Some(Input::Choice { options, idx }) if !options.is_empty() => {
                        let len = options.len();
                        *idx = if forward {
                            (*idx + 1) % len
                        } else {
                            (*idx + len - 1) % len
                        };
                        let outcome = options[*idx].0.clone();
                        self.cmid = None;
                        // A member's codes follow their outcome: ground, reason or clause.
                        if matches!(self.fields[self.focus].label, Label::Outcome(_))
                            && let Some(next) = self.fields.get_mut(self.focus + 1)
                            && next.label == Label::Codes
                        {
                            next.input = Input::Pick(outcome_codes(&outcome, self.lang));
                        }
                        true
                    }
                    Some(Input::Text(t)) if key.code == KeyCode::Char(' ') => {
                        self.cmid = None;
                        t.edit(key)
                    }
                    _ => false,
                }
            }
            _ if key.modifiers.contains(KeyModifiers::CONTROL)
                && key.code != KeyCode::Char('u') =>
            {
                false
            }
            _ => match self.fields.get_mut(self.focus).map(|f| &mut f.input) {
                Some(Input::Text(t)) => {
                    let changed = t.edit(key);
                    if changed {
                        self.cmid = None;
                    }
                    changed
                }
                _ => false,
            },
        }
    }
}

/// The time fields' label, naming the office's clock the time is typed in.
fn time_label(t: &Texts) -> String {
    crate::widgets::time_field_label(t.lang, LABEL_WIDTH - 1)
}

/// Cells of a field's label; the value starts after it.
const LABEL_WIDTH: usize = 24;

/// The label of a form field in the caller's language.
pub fn label(t: &Texts, l: &Label) -> String {
    let c = t;
    match l {
        Label::Admissible => c.f_admissible.into(),
        Label::Reason => c.f_reason.into(),
        Label::Date => c.f_date.into(),
        Label::Time => time_label(t),
        Label::Minutes => c.f_minutes.into(),
        Label::Officer => c.f_officer.into(),
        Label::Language => c.f_language.into(),
        Label::Appointment => c.f_appointment.into(),
        Label::Attended => c.f_attended.into(),
        Label::NotesRef => c.f_notes.into(),
        Label::Outcome(name) => name.clone(),
        Label::Codes => c.f_codes.into(),
        Label::AssessmentRef => c.f_assessment_ref.into(),
        Label::Decision => c.f_decision.into(),
        Label::Comments => c.f_comments.into(),
        Label::LodgedOn => c.f_lodged.into(),
        Label::Ground => c.f_ground.into(),
        Label::Approver => c.f_approver.into(),
        Label::Override => c.f_override.into(),
        Label::HeldOn => c.f_held_on.into(),
        Label::HeldAt => time_label(t),
        Label::Method => c.f_method.into(),
        Label::Channel => c.f_channel.into(),
        Label::Note => c.f_note.into(),
    }
}

/// Why a form field cannot be sent.
pub fn problem_text(lang: Lang, p: Problem) -> std::borrow::Cow<'static, str> {
    let t = texts::get(lang);
    std::borrow::Cow::Borrowed(match p {
        Problem::Required => t.required,
        Problem::BadDate => t.bad_date,
        Problem::BadTime => t.p_bad_time,
        Problem::OutsideHours => {
            // The office's own week, as the server will check it.
            let hours = crate::widgets::office().hours.describe(lang);
            return format!("{} ({hours})", t.p_outside_hours).into();
        }
        Problem::BadMinutes => t.p_minutes,
        Problem::InFuture => t.p_future,
        Problem::BeforeAppointment => t.p_before_appointment,
        Problem::TooLong => t.p_too_long,
    })
}

/// An action's form as a box over the screen.
pub fn draw(lang: Lang, form: &ActionForm, frame: &mut Frame, area: Rect) {
    let t = texts::get(lang);
    let c = t;
    let problems = form.problems();
    let width = 72.min(area.width);
    let max_fields = usize::from(area.height.saturating_sub(8)).max(1);
    let first = form.focus.saturating_sub(max_fields.saturating_sub(1));
    let mut lines = Vec::new();
    if !form.bulk.is_empty() {
        lines.push(Line::raw(format!("{} {}", form.bulk.len(), c.chosen)));
    }
    // One line each, cut with an ellipsis, so the fields and keys below always show.
    for l in &form.context {
        lines.push(Line::raw(ellipsis(l, usize::from(width).saturating_sub(2))));
    }
    if form.fields.is_empty() {
        lines.push(Line::raw(c.confirm));
    }
    let mut cursor = None;
    let mut list_shown = 0;
    for (i, f) in form.fields.iter().enumerate().skip(first).take(max_fields) {
        let focus = i == form.focus;
        let name = cell(&label(t, &f.label), LABEL_WIDTH);
        let value = match &f.input {
            Input::Text(v) => v.value.clone(),
            Input::Pick(p) => p.summary(usize::from(width).saturating_sub(30)),
            Input::Choice { options, idx } => match options.get(*idx) {
                Some((_, l)) if l == "me" => format!("‹{}›", c.me),
                Some((_, l)) => format!("‹{}›", t.code(l)),
                None => format!("‹{}›", t.loading),
            },
        };
        let mut spans = vec![
            Span::raw(if focus { "> " } else { "  " }),
            Span::styled(name, if focus { bold() } else { Style::new() }),
            Span::raw(value.clone()),
        ];
        if focus && matches!(f.input, Input::Text(_)) {
            cursor = Some((lines.len(), 26 + value.chars().count()));
        }
        if let Some((_, p)) = problems.iter().find(|(j, _)| *j == i)
            && (form.tried || !matches!(p, Problem::Required))
            && (!matches!(f.input, Input::Text(ref v) if v.value.is_empty()) || form.tried)
        {
            spans.push(Span::styled(
                format!("  {}", problem_text(lang, *p)),
                error(),
            ));
        }
        lines.push(Line::from(spans));
        if focus && let Input::Pick(p) = &f.input {
            let list = p.lines(4, usize::from(width).saturating_sub(4), c.filter);
            list_shown = list.len();
            lines.extend(list);
        }
    }
    // Room for the tallest list whichever field has the focus, and one status line even
    // when empty: the box is centred, so a change of height would move all of it and send
    // it again over the link.
    let list_room = form
        .fields
        .iter()
        .filter_map(|f| match &f.input {
            Input::Pick(p) => Some(p.height(4)),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    lines.resize(
        lines.len() + list_room.saturating_sub(list_shown),
        Line::default(),
    );
    let before_status = lines.len();
    if form.sending {
        lines.push(Line::raw(t.sending));
    }
    if let Some(e) = &form.error {
        lines.push(Line::styled(t.error(e), error()));
        lines.push(Line::raw(c.form_retry));
    }
    if lines.len() == before_status {
        lines.push(Line::default());
    }
    lines.push(Line::styled(c.form_hint, dim()));
    // A refusal in words may wrap: count the rows the lines take, so the hint stays in.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = u16::try_from(rows + 2)
        .unwrap_or(area.height)
        .min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let title = if form.bulk.is_empty() {
        actions::name(form.action, lang).to_string()
    } else {
        c.reassign.to_string()
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {title} "))),
        popup,
    );
    if let Some((row, col)) = cursor {
        let x = popup.x + 1 + u16::try_from(col).unwrap_or(0).min(width.saturating_sub(3));
        let y = popup.y + 1 + u16::try_from(row).unwrap_or(0);
        frame.set_cursor_position((x, y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_officer_forms_read_officers() {
        assert!(needs_officers(Kind::Assign));
        assert!(!needs_officers(Kind::Withdraw));
    }
}
