//! RSD cases walked through the real procedure: every step a seeded case took was applied with
//! [`rsd::apply`] by a member of staff allowed to take it, at an office hour, so the stored state is
//! one the workflow could have reached and its next action works.
//!
//! A walk is pure: it reads no clock and no database. The [`Diary`] it books interviews in is the
//! seeder's, shared by all the cases of one run, so no officer or interpreter is booked twice.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;
use rand::rngs::StdRng;

use super::pick;
use crate::domain::access::Role;
use crate::domain::rsd::{
    self, Action, CaseEvent, CaseState, ClosureReason, EventKind, ExclusionClause, Ground,
    IndividualOutcome, Modality, Outcome, Refusal, RejectionReason, ReopenGround, Stage, Status,
    UnitRules,
};
use crate::store::new_id;
use crate::store::workflow::Calendar;

/// A member of staff as a walk sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    pub id: String,
    pub sex: Option<String>,
    pub role: Role,
}

impl Person {
    fn actor(&self) -> rsd::Actor {
        rsd::Actor {
            user_id: self.id.clone(),
            roles: vec![self.role],
            sex: self.sex.clone(),
        }
    }
}

/// Who works on one case. The appeal officer and supervisor must differ from the first-instance
/// ones: the procedure separates the two instances.
pub(crate) struct Cast<'a> {
    pub clerk: &'a Person,
    pub officer: &'a Person,
    pub supervisor: &'a Person,
    pub appeal_officer: &'a Person,
    pub appeal_supervisor: &'a Person,
}

/// An interpreter the diary may book.
#[derive(Debug, Clone)]
pub(crate) struct Interpreter {
    pub id: String,
    /// None: interprets remotely for every office.
    pub office_id: Option<String>,
    pub languages: Vec<String>,
}

/// Minutes after local midnight at which interviews start; each lasts [`INTERVIEW_MINUTES`],
/// with the lunch hour free.
const SLOTS: [u32; 4] = [8 * 60, 10 * 60, 13 * 60, 15 * 60];
/// How long a seeded interview is booked for.
pub(crate) const INTERVIEW_MINUTES: i64 = 120;
/// How far ahead the diary looks for a free slot before giving up on a booking.
const HORIZON_DAYS: i64 = 240;

/// The interview slots taken, per officer or interpreter and local day, as bit sets of [`SLOTS`].
#[derive(Clone)]
pub(crate) struct Diary {
    taken: HashMap<(String, NaiveDate), u8>,
    pub interpreters: Vec<Interpreter>,
    pub calendar: Calendar,
}

impl Diary {
    pub fn new(interpreters: Vec<Interpreter>) -> Self {
        Self {
            taken: HashMap::new(),
            interpreters,
            calendar: Calendar::default(),
        }
    }

    fn offset(&self) -> Duration {
        Duration::minutes(i64::from(self.calendar.utc_offset_minutes))
    }

    /// The office's local date of a UTC time.
    pub fn local_day(&self, t: NaiveDateTime) -> NaiveDate {
        (t + self.offset()).date()
    }

    fn working(&self, day: NaiveDate) -> bool {
        self.calendar
            .working_days
            .contains(&day.weekday().number_from_monday())
    }

    /// The UTC time of `minutes` after local midnight of `day`.
    fn at(&self, day: NaiveDate, minutes: u32) -> NaiveDateTime {
        day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes)) - self.offset()
    }

    /// A random moment of the office day on `day`, or on the next working day.
    pub fn office_time(&self, rng: &mut StdRng, day: NaiveDate) -> NaiveDateTime {
        let mut day = day;
        for _ in 0..7 {
            if self.working(day) {
                break;
            }
            day = day.succ_opt().unwrap_or(day);
        }
        let (start, end) = (self.calendar.day_starts, self.calendar.day_ends.max(1));
        let minute = rng.random_range(start..end.max(start + 1));
        self.at(day, minute) + Duration::seconds(rng.random_range(0..60))
    }

    /// Marks an existing booking from `starts` to `ends` as taken for `who`.
    pub fn mark(&mut self, who: &str, starts: NaiveDateTime, ends: NaiveDateTime) {
        let day = self.local_day(starts);
        for (i, s) in SLOTS.iter().enumerate() {
            let from = self.at(day, *s);
            let to = from + Duration::minutes(INTERVIEW_MINUTES);
            if from < ends && to > starts {
                *self.taken.entry((who.to_owned(), day)).or_default() |= 1 << i;
            }
        }
    }

    fn free(&self, who: &str, day: NaiveDate, slot: usize) -> bool {
        self.taken
            .get(&(who.to_owned(), day))
            .is_none_or(|bits| bits & (1 << slot) == 0)
    }

    /// The first slot from `earliest` on when the officer and, if a language is given, an
    /// interpreter for it (of the office first) are both free; both are booked.
    pub fn book(
        &mut self,
        officer: &str,
        office: &str,
        language: Option<&str>,
        earliest: NaiveDateTime,
    ) -> Option<(NaiveDateTime, Option<String>)> {
        let first = self.local_day(earliest);
        let mut speakers: Vec<&Interpreter> = self
            .interpreters
            .iter()
            .filter(|i| language.is_some_and(|l| i.languages.iter().any(|x| x == l)))
            .collect();
        speakers.sort_by_key(|i| i.office_id.as_deref() != Some(office));
        if language.is_some() && speakers.is_empty() {
            return None;
        }
        for d in 0..HORIZON_DAYS {
            let day = first + Duration::days(d);
            if !self.working(day) {
                continue;
            }
            for (slot, minutes) in SLOTS.iter().enumerate() {
                let starts = self.at(day, *minutes);
                if starts < earliest || !self.free(officer, day, slot) {
                    continue;
                }
                let interpreter = match language {
                    None => None,
                    Some(_) => match speakers.iter().find(|i| self.free(&i.id, day, slot)) {
                        Some(i) => Some(i.id.clone()),
                        None => continue,
                    },
                };
                for who in std::iter::once(officer).chain(interpreter.as_deref()) {
                    *self.taken.entry((who.to_owned(), day)).or_default() |= 1 << slot;
                }
                return Some((starts, interpreter));
            }
        }
        None
    }
}

/// An interview booked during a walk, as the appointment book keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Booked {
    pub id: String,
    pub stage: Stage,
    pub officer_id: String,
    pub interpreter_id: Option<String>,
    pub language: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    /// `scheduled` while pending, then `held`, `no_show` or `cancelled`.
    pub status: &'static str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Booked {
    /// The appointment's row for case `case_id` of `unit`.
    pub fn row(self, unit: &str, case_id: &str) -> crate::store::bulk::NewAppointment {
        crate::store::bulk::NewAppointment {
            id: self.id,
            operation_unit_id: unit.to_string(),
            case_id: case_id.to_string(),
            stage: self.stage.as_str().into(),
            officer_id: self.officer_id,
            interpreter_id: self.interpreter_id,
            language: self.language,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            status: self.status.into(),
            superseded_by: None,
            version: 1,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// What one case is, before it is walked.
pub(crate) struct CaseSpec<'a> {
    pub nationality: &'a str,
    pub office_id: &'a str,
    pub principal_id: String,
    pub member_ids: Vec<String>,
    /// Some member has an open specific need.
    pub priority: bool,
    /// The principal applicant's sex, when they asked for an interviewer of the same sex.
    pub interviewer_sex: Option<String>,
    /// The interview language, when an interpreter is needed.
    pub language: Option<String>,
    pub modality: Modality,
    pub opened_at: NaiveDateTime,
}

/// Choices a walk makes at random unless told: the demo world uses them to make sure some cases
/// end where its guided tour needs them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Bias {
    /// The applicant comes to every interview (or never does).
    pub attend: Option<bool>,
    /// After a missed interview the applicant gets in touch (or never does).
    pub contact: Option<bool>,
    /// A rejected applicant appeals (or does not).
    pub appeal: Option<bool>,
    /// The first-instance decision recognises everyone (or no one).
    pub recognise: Option<bool>,
    /// No withdrawal, hold, closure, returned assessment or reopening.
    pub straight: bool,
}

/// A walked case: its state, the events that led there and its appointments.
#[derive(Debug, Clone)]
pub(crate) struct Walked {
    pub state: CaseState,
    pub events: Vec<CaseEvent>,
    pub appointments: Vec<Booked>,
    /// When the status last changed (the opening when it never did).
    pub status_changed_at: NaiveDateTime,
}

/// The modality of a new case: priority cases mostly go the accelerated way.
pub(crate) fn modality(rng: &mut StdRng, priority: bool) -> Modality {
    let table: &[(Modality, u32)] = if priority {
        &[
            (Modality::Accelerated, 60),
            (Modality::Regular, 28),
            (Modality::Merged, 7),
            (Modality::Simplified, 5),
        ]
    } else {
        &[
            (Modality::Regular, 66),
            (Modality::Simplified, 12),
            (Modality::Merged, 12),
            (Modality::Accelerated, 10),
        ]
    };
    super::pick_weighted(rng, table)
}

/// The chance that a first-instance decision recognises the applicant, by nationality: people
/// fleeing Afghanistan and Syria are mostly recognised, Venezuelans much less often.
fn recognition_rate(nationality: &str) -> f64 {
    match nationality {
        "AFG" | "SYR" => 0.8,
        "COL" => 0.45,
        "VEN" => 0.25,
        _ => 0.2,
    }
}

/// Walks a case opened as `spec` says until `now`, or until it rests (ended, on hold, waiting
/// for a pending interview). A refusal means the walk asked for a step the procedure forbids:
/// a bug of the seed, which its tests look for.
pub(crate) fn walk(
    rng: &mut StdRng,
    cast: &Cast<'_>,
    rules: &UnitRules,
    diary: &mut Diary,
    spec: &CaseSpec<'_>,
    bias: Bias,
    now: NaiveDateTime,
) -> Result<Walked, Refusal> {
    let mut state = CaseState::new(
        spec.principal_id.clone(),
        spec.member_ids.clone(),
        spec.modality,
        spec.opened_at,
    );
    state.priority = spec.priority;
    state.interviewer_sex_preference = spec.interviewer_sex.clone();
    let pace = match spec.modality {
        Modality::Regular => 1.0,
        Modality::Simplified => 0.7,
        Modality::Accelerated | Modality::Merged => 0.5,
    } * if spec.priority { 0.8 } else { 1.0 };
    let mut w = Walker {
        rng,
        cast,
        rules,
        diary,
        spec,
        bias,
        now,
        pace,
        state,
        events: Vec::new(),
        appointments: Vec::new(),
        t: spec.opened_at,
        changed_at: spec.opened_at,
        recognised: None,
        after_no_show: None,
        resume_hold: false,
        returned: [false, false],
        reopened: false,
        no_shows: 0,
    };
    w.run()?;
    Ok(Walked {
        state: w.state,
        events: w.events,
        appointments: w.appointments,
        status_changed_at: w.changed_at,
    })
}

/// What follows a missed interview, decided when it is missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterNoShow {
    Contact,
    Reinvite,
    Abandon,
}

struct Walker<'a, 'r> {
    rng: &'r mut StdRng,
    cast: &'a Cast<'a>,
    rules: &'a UnitRules,
    diary: &'r mut Diary,
    spec: &'a CaseSpec<'a>,
    bias: Bias,
    now: NaiveDateTime,
    pace: f64,
    state: CaseState,
    events: Vec<CaseEvent>,
    appointments: Vec<Booked>,
    /// The time of the last step.
    t: NaiveDateTime,
    changed_at: NaiveDateTime,
    recognised: Option<bool>,
    after_no_show: Option<AfterNoShow>,
    resume_hold: bool,
    /// Whether an assessment was sent back, per stage.
    returned: [bool; 2],
    reopened: bool,
    no_shows: u32,
}

/// Stop walking: the next step would be after now, or the case rests.
struct Rest;

type Step = Result<Result<(), Rest>, Refusal>;

/// The time of the next step, or the walk rests here.
macro_rules! time {
    ($e:expr) => {
        match $e {
            Ok(at) => at,
            Err(rest) => return Ok(Err(rest)),
        }
    };
}
/// Takes a sub-step; if it rests, the walk rests here.
macro_rules! then {
    ($e:expr) => {
        if let Err(rest) = $e? {
            return Ok(Err(rest));
        }
    };
}

impl Walker<'_, '_> {
    fn run(&mut self) -> Result<(), Refusal> {
        // Each pass takes one step; a case of this procedure takes a few dozen at most.
        for _ in 0..80 {
            if let Err(Rest) = self.step()? {
                break;
            }
        }
        Ok(())
    }

    fn stage_officer(&self) -> &Person {
        match self.state.stage {
            Stage::FirstInstance => self.cast.officer,
            Stage::Appeal => self.cast.appeal_officer,
        }
    }

    fn stage_supervisor(&self) -> &Person {
        match self.state.stage {
            Stage::FirstInstance => self.cast.supervisor,
            Stage::Appeal => self.cast.appeal_supervisor,
        }
    }

    /// An office time `min..max` days (scaled by the case's pace) after the last step, if it
    /// is not after now.
    fn later(&mut self, min: i64, max: i64) -> Result<NaiveDateTime, Rest> {
        let days = self.rng.random_range(min..max.max(min + 1)) as f64 * self.pace;
        let day = self.diary.local_day(self.t) + Duration::days(days.round() as i64);
        let at = self.diary.office_time(self.rng, day);
        self.not_after_now(at)
    }

    /// A few minutes after the last step.
    fn shortly(&mut self, min: i64, max: i64) -> Result<NaiveDateTime, Rest> {
        let at = self.t + Duration::minutes(self.rng.random_range(min..max.max(min + 1)));
        self.not_after_now(at)
    }

    fn not_after_now(&self, at: NaiveDateTime) -> Result<NaiveDateTime, Rest> {
        let at = at.max(self.t + Duration::minutes(1));
        if at > self.now { Err(Rest) } else { Ok(at) }
    }

    fn apply(&mut self, who: &Person, action: Action, at: NaiveDateTime) -> Result<(), Refusal> {
        let tr = rsd::apply(&self.state, &who.actor(), &action, self.rules, at)?;
        if tr.event.from_status != tr.event.to_status {
            self.changed_at = at;
        }
        let settled = match tr.event.kind {
            EventKind::InterviewRecorded => "held",
            EventKind::NoShowRecorded => "no_show",
            _ => "cancelled",
        };
        for gone in self
            .state
            .appointments
            .iter()
            .filter(|a| !tr.state.appointments.iter().any(|b| b.id == a.id))
        {
            if let Some(b) = self.appointments.iter_mut().find(|b| b.id == gone.id) {
                b.status = settled;
                b.updated_at = at;
            }
        }
        self.state = tr.state;
        self.events.push(tr.event);
        self.t = at;
        Ok(())
    }

    /// Makes `who` the case's officer (a supervisor assigns), shortly after the last step.
    fn ensure_assigned(&mut self, who: &Person) -> Step {
        if self.state.assigned_officer.as_deref() == Some(who.id.as_str()) {
            return Ok(Ok(()));
        }
        let at = match self.shortly(5, 90) {
            Ok(at) => at,
            Err(rest) => return Ok(Err(rest)),
        };
        let supervisor = self.stage_supervisor().clone();
        self.apply(
            &supervisor,
            Action::Assign {
                officer_id: who.id.clone(),
            },
            at,
        )?;
        Ok(Ok(()))
    }

    fn override_for(&self, who: &Person) -> Option<String> {
        rsd::interviewer_conflict(&self.state, who.sex.as_deref()).map(|_| {
            "No officer of the requested sex is available at this office in time".to_owned()
        })
    }

    fn step(&mut self) -> Step {
        let status = self.state.status;
        if matches!(
            status,
            Status::Registered | Status::Admissible | Status::Scheduled | Status::Interviewed
        ) && !self.bias.straight
            && self.state.assigned_officer.is_some()
        {
            let roll = self.rng.random_range(0..1000);
            if roll < 17 {
                return self.detour(roll);
            }
        }
        let officer = self.stage_officer().clone();
        let supervisor = self.stage_supervisor().clone();
        match status {
            Status::Registered | Status::Admissible | Status::AppealLodged => {
                let appeal = self.state.stage == Stage::Appeal;
                if self.state.assigned_officer.as_deref() != Some(officer.id.as_str()) {
                    let at = if self.state.modality == Modality::Merged && !appeal {
                        time!(self.shortly(5, 40))
                    } else {
                        time!(self.later(0, 5))
                    };
                    self.apply(
                        &supervisor,
                        Action::Assign {
                            officer_id: officer.id.clone(),
                        },
                        at,
                    )?;
                } else if status == Status::Registered
                    && self.state.modality.interview_without_appointment()
                {
                    let at = time!(self.shortly(20, 120));
                    let override_reason = self.override_for(&officer);
                    self.apply(
                        &officer,
                        Action::RecordInterview {
                            held_at: None,
                            principal_attended: true,
                            notes_ref: Some(format!("NOTAS-{}", &new_id()[..8])),
                            interpreter_language: self.spec.language.clone(),
                            override_reason,
                        },
                        at,
                    )?;
                } else if status == Status::Registered
                    && self.rules.admissibility
                    && self.state.modality.uses_admissibility()
                {
                    let at = time!(self.later(3, 25));
                    let admissible = self.bias.straight || self.rng.random_bool(0.97);
                    self.apply(
                        &officer,
                        Action::DecideAdmissibility {
                            admissible,
                            reason: (!admissible).then(|| {
                                "La solicitud reitera otra ya resuelta sin elementos nuevos"
                                    .to_owned()
                            }),
                        },
                        at,
                    )?;
                } else {
                    then!(self.schedule(&officer));
                }
            }
            Status::Scheduled => then!(self.step_scheduled(&officer, &supervisor)),
            Status::Interviewed => {
                then!(self.ensure_assigned(&officer));
                let at = time!(self.later(5, 30));
                let recommendations = self.recommendations();
                let short =
                    self.state.modality.allows_short_assessment() && self.rng.random_bool(0.6);
                self.apply(
                    &officer,
                    Action::SubmitAssessment {
                        recommendations,
                        assessment_ref: (!short).then(|| format!("EVAL-{}", &new_id()[..8])),
                    },
                    at,
                )?;
            }
            Status::Assessed => {
                let at = time!(self.later(1, 10));
                let stage = usize::from(self.state.stage == Stage::Appeal);
                let send_back =
                    !self.bias.straight && !self.returned[stage] && self.rng.random_bool(0.1);
                self.returned[stage] |= send_back;
                self.apply(
                    &supervisor,
                    Action::ReviewAssessment {
                        approve: !send_back,
                        comments: send_back.then(|| {
                            "Analizar la credibilidad con la información del país de origen"
                                .to_owned()
                        }),
                    },
                    at,
                )?;
            }
            Status::Decided => {
                then!(self.ensure_assigned(&officer));
                let at = time!(self.later(2, 12));
                self.apply(
                    &officer,
                    Action::NotifyDecision {
                        notified_at: None,
                        method: None,
                    },
                    at,
                )?;
            }
            Status::Notified => then!(self.step_notified(&supervisor)),
            Status::OnHold => {
                if !self.resume_hold {
                    return Ok(Err(Rest));
                }
                let at = time!(self.later(10, 60));
                self.apply(&supervisor, Action::Resume, at)?;
            }
            Status::Closed | Status::Withdrawn | Status::Abandoned => then!(self.reopen(status)),
        }
        Ok(Ok(()))
    }

    /// Now and then a case leaves its course: withdrawn, put on hold or closed (`roll` below 17
    /// in a thousand picks which).
    fn detour(&mut self, roll: i32) -> Step {
        if roll < 6 {
            let at = time!(self.later(3, 40));
            let reason = pick(
                self.rng,
                &[
                    "Se trasladó a otro país con su familia",
                    "Obtuvo una visa de residencia",
                    "Decidió retornar a su país de origen",
                ],
            )
            .to_string();
            let clerk = self.cast.clerk.clone();
            self.apply(&clerk, Action::Withdraw { reason }, at)?;
            Ok(Ok(()))
        } else if roll < 14 && self.state.appointments.is_empty() {
            // Cases are paused between appointments, not with an interview still booked.
            let at = time!(self.later(2, 20));
            let reason = pick(
                self.rng,
                &[
                    "Verificación de identidad pendiente",
                    "A la espera de información sobre el país de origen",
                    "Solicitante hospitalizado",
                ],
            )
            .to_string();
            let supervisor = self.stage_supervisor().clone();
            self.resume_hold = self.rng.random_bool(0.55);
            self.apply(&supervisor, Action::PutOnHold { reason }, at)?;
            Ok(Ok(()))
        } else {
            let at = time!(self.later(5, 60));
            let reason = *pick(
                self.rng,
                &[
                    ClosureReason::Duplicate,
                    ClosureReason::LeftCountry,
                    ClosureReason::LeftCountry,
                    ClosureReason::Deceased,
                ],
            );
            let supervisor = self.stage_supervisor().clone();
            self.apply(&supervisor, Action::Close { reason }, at)?;
            Ok(Ok(()))
        }
    }

    /// A scheduled case: the interview is held or missed, and after a miss the case is
    /// contacted, rescheduled or abandoned.
    fn step_scheduled(&mut self, officer: &Person, supervisor: &Person) -> Step {
        if let Some(next) = self.state.next_appointment().cloned() {
            if next.at > self.now {
                return Ok(Err(Rest));
            }
            let attend = self.bias.attend.unwrap_or_else(|| {
                self.rng
                    .random_bool(if self.no_shows > 0 { 0.7 } else { 0.87 })
            });
            if attend {
                then!(self.ensure_assigned(officer));
                let at = next.at
                    + Duration::minutes(INTERVIEW_MINUTES)
                    + Duration::minutes(self.rng.random_range(0..45));
                let at = time!(self.not_after_now(at));
                let override_reason = self.override_for(officer);
                self.apply(
                    officer,
                    Action::RecordInterview {
                        held_at: None,
                        principal_attended: true,
                        notes_ref: Some(format!("NOTAS-{}", &new_id()[..8])),
                        interpreter_language: None,
                        override_reason,
                    },
                    at,
                )?;
            } else {
                let at = next.at + Duration::minutes(self.rng.random_range(60..1800));
                let at = time!(self.not_after_now(at));
                let clerk = self.cast.clerk.clone();
                self.no_shows += 1;
                self.after_no_show = Some(match self.bias.contact {
                    Some(true) => AfterNoShow::Contact,
                    Some(false) => AfterNoShow::Abandon,
                    None if self.no_shows > 1 => {
                        if self.rng.random_bool(0.3) {
                            AfterNoShow::Contact
                        } else {
                            AfterNoShow::Abandon
                        }
                    }
                    None => super::pick_weighted(
                        self.rng,
                        &[
                            (AfterNoShow::Contact, 50),
                            (AfterNoShow::Reinvite, 15),
                            (AfterNoShow::Abandon, 35),
                        ],
                    ),
                });
                self.apply(&clerk, Action::RecordNoShow, at)?;
            }
        } else {
            let missed = self.state.no_show_at.unwrap_or(self.t);
            let contacted = self.state.last_contact_at.is_some_and(|c| c > missed);
            match self.after_no_show.unwrap_or(AfterNoShow::Abandon) {
                AfterNoShow::Contact if !contacted => {
                    let at = time!(self.later(2, 20));
                    let clerk = self.cast.clerk.clone();
                    self.apply(
                        &clerk,
                        Action::RecordContact {
                            channel: None,
                            note: None,
                        },
                        at,
                    )?;
                }
                AfterNoShow::Contact | AfterNoShow::Reinvite => {
                    then!(self.schedule(officer));
                }
                AfterNoShow::Abandon => {
                    let from = rsd::deadlines(&self.state, self.rules)
                        .abandonment_candidate_from
                        .unwrap_or(self.t);
                    let base = self.t.max(from);
                    let day =
                        self.diary.local_day(base) + Duration::days(self.rng.random_range(1..25));
                    let at = self.diary.office_time(self.rng, day);
                    let at = time!(self.not_after_now(at));
                    self.apply(supervisor, Action::ConfirmAbandonment, at)?;
                }
            }
        }
        Ok(Ok(()))
    }

    /// A notified decision: appealed within the grace period, or closed for want of appeal.
    fn step_notified(&mut self, supervisor: &Person) -> Step {
        let appeal = self
            .bias
            .appeal
            .unwrap_or_else(|| self.rng.random_bool(0.6));
        let d = rsd::deadlines(&self.state, self.rules);
        let notified = self.state.first_instance.notified_at.unwrap_or(self.t);
        if appeal {
            // Most appeals arrive within the deadline, a few during the grace period.
            let days = if self.rng.random_bool(0.92) {
                self.rng
                    .random_range(3..i64::from(self.rules.appeal_deadline_days))
            } else {
                i64::from(self.rules.appeal_deadline_days)
                    + self
                        .rng
                        .random_range(1..i64::from(self.rules.appeal_grace_days.max(2)))
            };
            let day = self.diary.local_day(notified) + Duration::days(days);
            let lodged_at = self.diary.office_time(self.rng, day).max(notified);
            let lodged_at = match d.appeal_grace_end {
                Some(end) => lodged_at.min(end),
                None => lodged_at,
            };
            let day = self.diary.local_day(lodged_at) + Duration::days(self.rng.random_range(0..3));
            let recorded = self.diary.office_time(self.rng, day);
            let at = time!(self.not_after_now(recorded.max(lodged_at + Duration::minutes(10))));
            let recorder =
                if self.state.assigned_officer.as_deref() == Some(self.cast.officer.id.as_str()) {
                    self.cast.officer.clone()
                } else {
                    supervisor.clone()
                };
            self.apply(&recorder, Action::LodgeAppeal { lodged_at }, at)?;
        } else {
            let end = d.appeal_grace_end.unwrap_or(self.t);
            let day = self.diary.local_day(end) + Duration::days(self.rng.random_range(1..20));
            let at = self.diary.office_time(self.rng, day);
            let at = time!(self.not_after_now(at));
            self.apply(
                supervisor,
                Action::Close {
                    reason: ClosureReason::NoAppeal,
                },
                at,
            )?;
        }
        Ok(Ok(()))
    }

    /// A finished case, now and then reopened on a recognised ground.
    fn reopen(&mut self, status: Status) -> Step {
        if self.reopened || self.bias.straight {
            return Ok(Err(Rest));
        }
        self.reopened = true;
        let reason = self.state.closure.as_ref().map(|c| c.reason);
        let ground = match (status, reason) {
            (Status::Abandoned, _) if self.rng.random_bool(0.25) => {
                ReopenGround::AbandonmentReopened
            }
            (Status::Withdrawn, _) if self.rng.random_bool(0.1) => {
                ReopenGround::ChangedCircumstances
            }
            (Status::Closed, Some(ClosureReason::NoAppeal | ClosureReason::AppealDecided))
                if self.rng.random_bool(0.04) =>
            {
                ReopenGround::NewEvidence
            }
            _ => return Ok(Err(Rest)),
        };
        let at = time!(self.later(20, 150));
        let requester = [self.cast.officer, self.cast.appeal_officer]
            .into_iter()
            .find(|p| self.state.assigned_officer.as_deref() == Some(p.id.as_str()))
            .unwrap_or(self.cast.supervisor)
            .clone();
        let approver = if requester.id == self.cast.supervisor.id {
            self.cast.appeal_supervisor
        } else {
            self.cast.supervisor
        };
        self.apply(
            &requester,
            Action::Reopen {
                ground,
                approver_id: approver.id.clone(),
                approver_roles: vec![approver.role],
            },
            at,
        )?;
        self.recognised = None;
        self.returned = [false, false];
        self.no_shows = 0;
        Ok(Ok(()))
    }

    /// The clerk books the stage officer's interview a few weeks ahead.
    fn schedule(&mut self, officer: &Person) -> Step {
        let at = match self.later(1, 8) {
            Ok(at) => at,
            Err(rest) => return Ok(Err(rest)),
        };
        let wait = (self.rng.random_range(5..35) as f64 * self.pace).round() as i64;
        let earliest = at + Duration::days(wait.max(1));
        let Some((starts, interpreter)) = self.diary.book(
            &officer.id,
            self.spec.office_id,
            self.spec.language.as_deref(),
            earliest,
        ) else {
            return Ok(Err(Rest));
        };
        let id = new_id();
        let clerk = self.cast.clerk.clone();
        self.apply(
            &clerk,
            Action::ScheduleInterview {
                appointment_id: id.clone(),
                at: starts,
                officer_id: officer.id.clone(),
                officer_sex: officer.sex.clone(),
                interpreter_language: self.spec.language.clone(),
                override_reason: self.override_for(officer),
            },
            at,
        )?;
        self.appointments.push(Booked {
            id,
            stage: self.state.stage,
            officer_id: officer.id.clone(),
            interpreter_id: interpreter,
            language: self.spec.language.clone(),
            starts_at: starts,
            ends_at: starts + Duration::minutes(INTERVIEW_MINUTES),
            status: "scheduled",
            created_at: at,
            updated_at: at,
        });
        Ok(Ok(()))
    }

    /// One recommendation per individual concerned, the same for the whole family; kept across
    /// a returned assessment.
    fn recommendations(&mut self) -> Vec<IndividualOutcome> {
        let appeal = self.state.stage == Stage::Appeal;
        let recognise = match (appeal, self.recognised) {
            (false, Some(r)) => r,
            (false, None) => {
                let r = self.bias.recognise.unwrap_or_else(|| {
                    self.rng
                        .random_bool(recognition_rate(self.spec.nationality))
                });
                self.recognised = Some(r);
                r
            }
            (true, _) => self.rng.random_bool(0.25),
        };
        let cartagena = self.rules.cartagena
            && matches!(self.spec.nationality, "COL" | "VEN")
            && self.rng.random_bool(0.5);
        let excluded = !recognise && !appeal && self.rng.random_bool(0.01);
        let mut reasons = vec![*pick(self.rng, &RejectionReason::ALL)];
        if self.rng.random_bool(0.4) {
            reasons.push(*pick(self.rng, &RejectionReason::ALL));
        }
        let outcome = if recognise {
            Outcome::Recognised {
                ground: if cartagena {
                    Ground::Cartagena
                } else {
                    Ground::Convention1951
                },
            }
        } else if excluded {
            Outcome::Excluded {
                clauses: vec![ExclusionClause::Article1FB],
            }
        } else {
            Outcome::Rejected { reasons }
        };
        self.state
            .individuals_concerned()
            .into_iter()
            .map(|id| IndividualOutcome {
                individual_id: id.to_owned(),
                outcome: outcome.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use chrono::Timelike;
    use rand::SeedableRng;

    use super::*;
    use crate::store::workflow::initial_columns;

    fn person(id: &str, sex: &str, role: Role) -> Person {
        Person {
            id: id.to_owned(),
            sex: Some(sex.to_owned()),
            role,
        }
    }

    /// Walks many cases of every kind through one diary, as a seeder does.
    fn walk_many(count: u64) -> (Vec<Walked>, Diary, NaiveDateTime, Vec<Person>) {
        let now = NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(15, 30, 0))
            .unwrap_or_default();
        let staff = vec![
            person("clerk", "F", Role::RegistrationClerk),
            person("officer-a", "F", Role::EligibilityOfficer),
            person("officer-b", "M", Role::EligibilityOfficer),
            person("officer-c", "M", Role::EligibilityOfficer),
            person("supervisor-s", "M", Role::Supervisor),
            person("supervisor-t", "F", Role::Supervisor),
        ];
        let mut diary = Diary::new(vec![
            Interpreter {
                id: "interpreter-office".into(),
                office_id: Some("office".into()),
                languages: vec!["prs".into(), "pus".into()],
            },
            Interpreter {
                id: "interpreter-remote".into(),
                office_id: None,
                languages: ["prs", "pus", "ara", "fas", "eng", "fra", "que"]
                    .map(str::to_owned)
                    .to_vec(),
            },
        ]);
        let rules = UnitRules::default();
        let mut out = Vec::new();
        for i in 0..count {
            let mut rng = StdRng::seed_from_u64(i);
            let nationality = *pick(&mut rng, &["VEN", "COL", "AFG", "SYR", "CUB"]);
            let priority = rng.random_bool(0.2);
            let language = match nationality {
                "AFG" => Some("prs".to_owned()),
                "SYR" => Some("ara".to_owned()),
                _ => None,
            };
            let officer = &staff[1 + (i % 3) as usize];
            let appeal_officer = &staff[1 + ((i + 1) % 3) as usize];
            let (supervisor, appeal_supervisor) = if i % 2 == 0 {
                (&staff[4], &staff[5])
            } else {
                (&staff[5], &staff[4])
            };
            let cast = Cast {
                clerk: &staff[0],
                officer,
                supervisor,
                appeal_officer,
                appeal_supervisor,
            };
            let opened_day = diary.local_day(now) - Duration::days(rng.random_range(0..730));
            let spec = CaseSpec {
                nationality,
                office_id: "office",
                principal_id: format!("p{i}"),
                member_ids: (0..rng.random_range(0..4))
                    .map(|m| format!("p{i}-{m}"))
                    .collect(),
                priority,
                interviewer_sex: rng.random_bool(0.15).then(|| "F".to_owned()),
                language,
                modality: modality(&mut rng, priority),
                opened_at: diary.office_time(&mut rng, opened_day).min(now),
            };
            let walked = walk(
                &mut rng,
                &cast,
                &rules,
                &mut diary,
                &spec,
                Bias::default(),
                now,
            )
            .unwrap_or_else(|r| panic!("case {i}: the walk took a refused step: {r}"));
            out.push(walked);
        }
        (out, diary, now, staff)
    }

    #[test]
    fn walked_cases_are_valid_states_reached_step_by_step() {
        let (walked, diary, now, staff) = walk_many(4000);
        let rules = UnitRules::default();
        let mut statuses = BTreeSet::new();
        let mut modalities = BTreeSet::new();
        let (mut late, mut reopened, mut returned, mut appeals, mut pending) = (0, 0, 0, 0, 0);
        for w in &walked {
            let s = &w.state;
            assert_eq!(w.events.len() as u64, s.version, "{s:?}");
            let mut status = Status::Registered;
            let mut last = s.opened_at;
            for (n, e) in w.events.iter().enumerate() {
                assert_eq!(e.version, n as u64 + 1);
                assert_eq!(e.from_status, status, "{:?}", w.events);
                assert!(e.at >= last && e.at <= now, "{e:?}");
                status = e.to_status;
                last = e.at;
            }
            assert_eq!(status, s.status);
            let json = serde_json::to_string(s).expect("state to JSON");
            let back: CaseState = serde_json::from_str(&json).expect("state from JSON");
            assert_eq!(&back, s);
            let (_, q) = initial_columns(s, &rules, w.status_changed_at).expect("columns");
            assert_eq!(q.status, s.status.as_str());
            assert_eq!(q.stage, s.stage.as_str());
            if !s.status.is_terminal() {
                let anyone = staff
                    .iter()
                    .any(|p| !rsd::allowed_actions(s, &p.actor(), &rules, now).is_empty());
                assert!(anyone, "nobody can act on {s:?}");
                if let Some(officer) = staff
                    .iter()
                    .find(|p| s.assigned_officer.as_deref() == Some(p.id.as_str()))
                {
                    assert!(
                        !rsd::allowed_actions(s, &officer.actor(), &rules, now).is_empty(),
                        "the assigned officer cannot act on {s:?}"
                    );
                }
            }
            let scheduled: BTreeSet<&str> = w
                .appointments
                .iter()
                .filter(|a| a.status == "scheduled")
                .map(|a| a.id.as_str())
                .collect();
            let in_state: BTreeSet<&str> = s.appointments.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(scheduled, in_state, "{s:?}");
            for a in &w.appointments {
                let local = a.starts_at + Duration::minutes(-300);
                let minutes = local.hour() * 60 + local.minute();
                assert!(
                    (8 * 60..=15 * 60).contains(&minutes)
                        && local.weekday().number_from_monday() <= 5,
                    "{a:?} outside working hours"
                );
                // A pending appointment whose time has come belongs to a case waiting for its
                // interview to be recorded (or paused meanwhile).
                if a.status == "scheduled" {
                    assert!(
                        a.starts_at > now || matches!(s.status, Status::Scheduled | Status::OnHold),
                        "{a:?} {s:?}"
                    );
                }
            }
            pending += s.appointments.iter().filter(|a| a.at > now).count();
            statuses.insert(s.status.as_str());
            modalities.insert(s.modality.as_str());
            late += usize::from(s.appeal_late);
            reopened += usize::from(!s.reopenings.is_empty());
            returned += usize::from(!s.first_instance.returned_assessments.is_empty());
            appeals += usize::from(s.stage == Stage::Appeal);
        }
        for st in Status::ALL {
            assert!(
                statuses.contains(st.as_str()),
                "no case ended {st:?}: {statuses:?}"
            );
        }
        assert_eq!(modalities.len(), 4, "{modalities:?}");
        assert!(late > 0 && reopened > 0 && returned > 0 && appeals > 0 && pending > 0);
        // Nobody is booked twice for the same time.
        let mut by_person: BTreeMap<&str, Vec<(NaiveDateTime, NaiveDateTime)>> = BTreeMap::new();
        for a in walked.iter().flat_map(|w| &w.appointments) {
            by_person
                .entry(&a.officer_id)
                .or_default()
                .push((a.starts_at, a.ends_at));
            if let Some(i) = &a.interpreter_id {
                by_person
                    .entry(i)
                    .or_default()
                    .push((a.starts_at, a.ends_at));
            }
        }
        for (who, mut slots) in by_person {
            slots.sort();
            for pair in slots.windows(2) {
                assert!(pair[0].1 <= pair[1].0, "{who} is booked twice: {pair:?}");
            }
        }
        drop(diary);
    }

    #[test]
    fn the_diary_books_free_slots_only_in_working_hours() {
        let mut diary = Diary::new(vec![Interpreter {
            id: "i".into(),
            office_id: None,
            languages: vec!["ara".into()],
        }]);
        // A Saturday afternoon: the first slot is Monday 08:00 local, 13:00 UTC.
        let saturday = NaiveDate::from_ymd_opt(2026, 11, 28)
            .and_then(|d| d.and_hms_opt(18, 0, 0))
            .unwrap_or_default();
        let first = diary.book("o", "office", Some("ara"), saturday);
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30)
            .and_then(|d| d.and_hms_opt(13, 0, 0))
            .unwrap_or_default();
        assert_eq!(first, Some((monday, Some("i".to_owned()))));
        // Another officer needs the same interpreter, so the next slot.
        let second = diary.book("p", "office", Some("ara"), saturday);
        assert_eq!(second.map(|s| s.0), Some(monday + Duration::hours(2)));
        // Without an interpreter the other officer is free at 08:00.
        assert_eq!(
            diary.book("p", "office", None, saturday).map(|s| s.0),
            Some(monday)
        );
        assert_eq!(diary.book("o", "office", Some("xxx"), saturday), None);
    }
}
