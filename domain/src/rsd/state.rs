//! The state of one RSD case: everything the guards need, kept by the store as one JSON value.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Where a case stands. The same interview-to-decision statuses repeat at each [`Stage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// File opened; waiting for admissibility or for an interview appointment.
    Registered,
    /// Found admissible; waiting for an interview appointment.
    Admissible,
    /// Waiting for the interview of this stage (its appointments may all have been missed).
    Scheduled,
    /// The principal applicant has been interviewed at this stage; the assessment is being written.
    Interviewed,
    /// Assessment submitted and awaiting a supervisor's review (DOMAIN.md's `under_review`:
    /// submitting is sending to review, so the two are one status).
    Assessed,
    /// Review approved the assessment; the decision is taken but not yet notified.
    Decided,
    /// First-instance decision notified; a rejected applicant may still appeal.
    Notified,
    /// Appeal received; waiting for an appeal interview appointment.
    AppealLodged,
    /// Procedure ended (see [`ClosureReason`]).
    Closed,
    /// Paused; [`CaseState::status_before_hold`] says where it resumes.
    OnHold,
    /// The applicant withdrew the claim.
    Withdrawn,
    /// Declared abandoned by a supervisor after a missed interview and no contact.
    Abandoned,
}

impl Status {
    /// Every status, in procedure order.
    pub const ALL: [Status; 12] = [
        Status::Registered,
        Status::Admissible,
        Status::Scheduled,
        Status::Interviewed,
        Status::Assessed,
        Status::Decided,
        Status::Notified,
        Status::AppealLodged,
        Status::Closed,
        Status::OnHold,
        Status::Withdrawn,
        Status::Abandoned,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Admissible => "admissible",
            Status::Scheduled => "scheduled",
            Status::Interviewed => "interviewed",
            Status::Assessed => "assessed",
            Status::Decided => "decided",
            Status::Notified => "notified",
            Status::AppealLodged => "appeal_lodged",
            Status::Closed => "closed",
            Status::OnHold => "on_hold",
            Status::Withdrawn => "withdrawn",
            Status::Abandoned => "abandoned",
        }
    }

    /// The status of a stored name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the procedure has ended: only a reopening leaves these.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Closed | Status::Withdrawn | Status::Abandoned)
    }
}

/// First instance or appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Examination of the claim.
    FirstInstance,
    /// Examination of the appeal against a first-instance rejection or exclusion.
    Appeal,
}

impl Stage {
    /// Both stages.
    pub const ALL: [Stage; 2] = [Stage::FirstInstance, Stage::Appeal];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::FirstInstance => "first_instance",
            Stage::Appeal => "appeal",
        }
    }

    /// The stage of a stored name.
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How the case is processed; see the module documentation for what each changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    #[default]
    /// Every step.
    Regular,
    /// No admissibility, short-form assessment.
    Simplified,
    /// Every step on a shorter target (specific needs, manifestly well-founded or unfounded).
    Accelerated,
    /// Registration and RSD merged: the interview is held at registration.
    Merged,
}

impl Modality {
    /// Every modality.
    pub const ALL: [Modality; 4] = [
        Modality::Regular,
        Modality::Simplified,
        Modality::Accelerated,
        Modality::Merged,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Regular => "regular",
            Modality::Simplified => "simplified",
            Modality::Accelerated => "accelerated",
            Modality::Merged => "merged",
        }
    }

    /// The modality of a stored name.
    pub fn parse(s: &str) -> Option<Modality> {
        Modality::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the unit's admissibility step applies: simplified cases skip it, and merged cases
    /// are interviewed at registration, before admissibility could be examined on its own.
    pub fn uses_admissibility(self) -> bool {
        matches!(self, Modality::Regular | Modality::Accelerated)
    }

    /// Whether the assessment may be the short form, without a full written assessment document.
    pub fn allows_short_assessment(self) -> bool {
        self == Modality::Simplified
    }

    /// Whether the first-instance interview may be recorded without an appointment.
    pub fn interview_without_appointment(self) -> bool {
        self == Modality::Merged
    }
}

/// The refugee definition a recognition rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ground {
    /// Article 1A(2) of the 1951 Convention.
    #[serde(rename = "convention_1951")]
    Convention1951,
    /// The extended definition of the 1984 Cartagena Declaration (where the unit applies it).
    Cartagena,
}

impl Ground {
    /// Both grounds.
    pub const ALL: [Ground; 2] = [Ground::Convention1951, Ground::Cartagena];

    /// The ground of a stored name.
    pub fn parse(s: &str) -> Option<Ground> {
        Ground::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ground::Convention1951 => "convention_1951",
            Ground::Cartagena => "cartagena",
        }
    }
}

/// The standard reasons a rejection states (DOMAIN.md: a rejection states reasons from a list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// Material facts of the claim were not found credible.
    NotCredible,
    /// The harm feared does not amount to persecution.
    NoPersecution,
    /// The fear is not well founded: no reasonable possibility of the harm.
    NoWellFoundedFear,
    /// The harm feared is not linked to race, religion, nationality, social group or opinion.
    NoConventionGround,
    /// The authorities of the country of origin can and will protect the applicant.
    StateProtectionAvailable,
    /// A safe and reasonable part of the country of origin is available.
    InternalFlightAlternative,
    /// The circumstances of the Cartagena definition are not met.
    CartagenaCircumstancesNotMet,
    /// The applicant has the effective protection of another nationality.
    OtherNationalityProtection,
}

impl RejectionReason {
    /// Every reason, in the order letters list them.
    pub const ALL: [RejectionReason; 8] = [
        RejectionReason::NotCredible,
        RejectionReason::NoPersecution,
        RejectionReason::NoWellFoundedFear,
        RejectionReason::NoConventionGround,
        RejectionReason::StateProtectionAvailable,
        RejectionReason::InternalFlightAlternative,
        RejectionReason::CartagenaCircumstancesNotMet,
        RejectionReason::OtherNationalityProtection,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionReason::NotCredible => "not_credible",
            RejectionReason::NoPersecution => "no_persecution",
            RejectionReason::NoWellFoundedFear => "no_well_founded_fear",
            RejectionReason::NoConventionGround => "no_convention_ground",
            RejectionReason::StateProtectionAvailable => "state_protection_available",
            RejectionReason::InternalFlightAlternative => "internal_flight_alternative",
            RejectionReason::CartagenaCircumstancesNotMet => "cartagena_circumstances_not_met",
            RejectionReason::OtherNationalityProtection => "other_nationality_protection",
        }
    }

    /// The reason of a stored code.
    pub fn parse(s: &str) -> Option<RejectionReason> {
        RejectionReason::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The exclusion clauses of the 1951 Convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionClause {
    /// Article 1D: protection or assistance of another UN agency.
    #[serde(rename = "article_1d")]
    Article1D,
    /// Article 1E: rights of a national in the country of residence.
    #[serde(rename = "article_1e")]
    Article1E,
    /// Article 1F(a): crime against peace, war crime, crime against humanity.
    #[serde(rename = "article_1f_a")]
    Article1FA,
    /// Article 1F(b): serious non-political crime outside the country of refuge.
    #[serde(rename = "article_1f_b")]
    Article1FB,
    /// Article 1F(c): acts contrary to the purposes and principles of the United Nations.
    #[serde(rename = "article_1f_c")]
    Article1FC,
}

impl ExclusionClause {
    /// Every clause.
    pub const ALL: [ExclusionClause; 5] = [
        ExclusionClause::Article1D,
        ExclusionClause::Article1E,
        ExclusionClause::Article1FA,
        ExclusionClause::Article1FB,
        ExclusionClause::Article1FC,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionClause::Article1D => "article_1d",
            ExclusionClause::Article1E => "article_1e",
            ExclusionClause::Article1FA => "article_1f_a",
            ExclusionClause::Article1FB => "article_1f_b",
            ExclusionClause::Article1FC => "article_1f_c",
        }
    }

    /// The clause of a stored code.
    pub fn parse(s: &str) -> Option<ExclusionClause> {
        ExclusionClause::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What is recommended, then decided, for one individual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Recognised as a refugee on a ground.
    Recognised {
        /// The definition the recognition rests on.
        ground: Ground,
    },
    /// Rejected, with the reasons the letter states.
    Rejected {
        /// At least one standard reason.
        reasons: Vec<RejectionReason>,
    },
    /// Excluded under one or more clauses.
    Excluded {
        /// At least one clause.
        clauses: Vec<ExclusionClause>,
    },
}

impl Outcome {
    /// The stored name of the outcome.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Recognised { .. } => "recognised",
            Outcome::Rejected { .. } => "rejected",
            Outcome::Excluded { .. } => "excluded",
        }
    }

    /// Rejected or excluded: the applicant may appeal.
    pub fn is_negative(&self) -> bool {
        !matches!(self, Outcome::Recognised { .. })
    }
}

/// The outcome for one individual of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndividualOutcome {
    /// The registered individual.
    pub individual_id: String,
    #[serde(flatten)]
    /// Recommended or decided outcome.
    pub outcome: Outcome,
}

/// An interview appointment not yet held or missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// Identifier, unique within the case.
    pub id: String,
    /// When the interview takes place.
    pub at: NaiveDateTime,
    /// The officer who will hold it.
    pub officer_id: String,
    /// ISO 639-3 code of the interpreter's language, if one is needed.
    pub interpreter_language: Option<String>,
    /// Why an officer of another sex than the applicant asked for was scheduled.
    pub override_reason: Option<String>,
    /// Who scheduled it.
    pub scheduled_by: String,
}

/// One interview session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    /// Who held the interview.
    pub interviewer_id: String,
    /// When it was held (the time it was recorded, for sessions recorded before this was asked).
    pub at: NaiveDateTime,
    /// Whether the principal applicant was present; only then does it count as the stage's interview.
    pub principal_attended: bool,
    /// ISO 639-3 code of the interpreter's language, if one was used.
    pub interpreter_language: Option<String>,
    /// Reference to the interview notes kept elsewhere (they hold the claim narrative).
    pub notes_ref: Option<String>,
}

/// A submitted assessment with its recommendation for every individual concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// Who wrote it.
    pub assessor_id: String,
    /// When it was submitted.
    pub at: NaiveDateTime,
    /// One per individual the stage decides on.
    pub recommendations: Vec<IndividualOutcome>,
    /// Reference to the written assessment document; only simplified cases may omit it.
    pub assessment_ref: Option<String>,
}

/// A supervisor's review of an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The supervisor who reviewed.
    pub reviewer_id: String,
    /// The assessor of the reviewed assessment, kept so the four-eyes rule can be checked on
    /// the record itself.
    pub assessor_id: String,
    /// When.
    pub at: NaiveDateTime,
    /// Approved (the decision) or sent back.
    pub approved: bool,
    /// What must change, when sent back.
    pub comments: Option<String>,
}

/// Everything that happened at one stage.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StageRecord {
    /// Every interview session, the principal applicant present or not.
    pub interviews: Vec<Interview>,
    /// Appointments the applicant did not come to.
    pub missed_appointments: Vec<Appointment>,
    /// The assessment under review or approved.
    pub assessment: Option<Assessment>,
    /// Earlier assessments a reviewer sent back.
    pub returned_assessments: Vec<Assessment>,
    /// Every review, approving or sending back.
    pub reviews: Vec<Review>,
    /// The decision per individual; empty until a review approves an assessment.
    pub decisions: Vec<IndividualOutcome>,
    /// When the review approved the assessment.
    pub decided_at: Option<NaiveDateTime>,
    /// When the decision was notified; the appeal deadline runs from here.
    pub notified_at: Option<NaiveDateTime>,
}

impl StageRecord {
    /// Whether the principal applicant attended an interview at this stage.
    pub fn principal_interviewed(&self) -> bool {
        self.interviews.iter().any(|i| i.principal_attended)
    }

    /// Everyone who submitted an assessment at this stage, returned ones included.
    pub fn assessors(&self) -> BTreeSet<&str> {
        self.assessment
            .iter()
            .chain(&self.returned_assessments)
            .map(|a| a.assessor_id.as_str())
            .collect()
    }

    /// Everyone who reviewed an assessment at this stage.
    pub fn reviewers(&self) -> BTreeSet<&str> {
        self.reviews
            .iter()
            .map(|r| r.reviewer_id.as_str())
            .collect()
    }

    /// The supervisor whose approval made the decision.
    pub fn decided_by(&self) -> Option<&str> {
        self.reviews
            .iter()
            .rev()
            .find(|r| r.approved)
            .filter(|_| !self.decisions.is_empty())
            .map(|r| r.reviewer_id.as_str())
    }

    /// Everyone who interviewed, assessed or reviewed at this stage.
    pub fn officers(&self) -> BTreeSet<&str> {
        let mut out = self.assessors();
        out.extend(self.reviewers());
        out.extend(self.interviews.iter().map(|i| i.interviewer_id.as_str()));
        out
    }

    /// Whether someone was rejected or excluded.
    pub fn has_negative_decision(&self) -> bool {
        self.decisions.iter().any(|d| d.outcome.is_negative())
    }
}

/// An admissibility decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admissibility {
    /// Whether the claim went on to eligibility.
    pub admissible: bool,
    /// Who decided.
    pub by: String,
    /// When.
    pub at: NaiveDateTime,
    /// Why, required when inadmissible.
    pub reason: Option<String>,
}

/// Why a procedure ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    /// Everyone recognised at first instance; set on notification.
    Recognised,
    /// Found inadmissible; set by the admissibility decision.
    Inadmissible,
    /// The appeal decision was notified; set on notification.
    AppealDecided,
    /// A first-instance rejection was not appealed within the deadline and its grace period.
    NoAppeal,
    /// Set by a withdrawal.
    Withdrawn,
    /// Set by a confirmed abandonment.
    Abandoned,
    /// The case duplicates another one, which continues.
    Duplicate,
    /// The principal applicant died.
    Deceased,
    /// The applicant left the country (onward movement, return or resettlement).
    LeftCountry,
}

impl ClosureReason {
    /// Every reason.
    pub const ALL: [ClosureReason; 9] = [
        ClosureReason::Recognised,
        ClosureReason::Inadmissible,
        ClosureReason::AppealDecided,
        ClosureReason::NoAppeal,
        ClosureReason::Withdrawn,
        ClosureReason::Abandoned,
        ClosureReason::Duplicate,
        ClosureReason::Deceased,
        ClosureReason::LeftCountry,
    ];

    /// The reasons a supervisor may give to [`super::Action::Close`]; the others follow from
    /// another step.
    pub const MANUAL: [ClosureReason; 4] = [
        ClosureReason::NoAppeal,
        ClosureReason::Duplicate,
        ClosureReason::Deceased,
        ClosureReason::LeftCountry,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            ClosureReason::Recognised => "recognised",
            ClosureReason::Inadmissible => "inadmissible",
            ClosureReason::AppealDecided => "appeal_decided",
            ClosureReason::NoAppeal => "no_appeal",
            ClosureReason::Withdrawn => "withdrawn",
            ClosureReason::Abandoned => "abandoned",
            ClosureReason::Duplicate => "duplicate",
            ClosureReason::Deceased => "deceased",
            ClosureReason::LeftCountry => "left_country",
        }
    }

    /// The reason of a stored code.
    pub fn parse(s: &str) -> Option<ClosureReason> {
        ClosureReason::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How and why a procedure ended (closed, withdrawn or abandoned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// Why it ended.
    pub reason: ClosureReason,
    /// When.
    pub at: NaiveDateTime,
    /// Who ended it (for automatic closures, whoever took the step that caused it).
    pub by: String,
    /// The applicant's or officer's words (a withdrawal's reason, for instance).
    pub note: Option<String>,
}

/// The grounds on which an ended procedure may be reopened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReopenGround {
    /// The applicant's circumstances or those in the country of origin changed.
    ChangedCircumstances,
    /// New evidence shows the decision was wrong.
    NewEvidence,
    /// The claim was not decided properly (procedure not followed).
    ImproperlyDecided,
    /// An abandoned case is taken up again where it stopped.
    AbandonmentReopened,
}

impl ReopenGround {
    /// Every ground.
    pub const ALL: [ReopenGround; 4] = [
        ReopenGround::ChangedCircumstances,
        ReopenGround::NewEvidence,
        ReopenGround::ImproperlyDecided,
        ReopenGround::AbandonmentReopened,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            ReopenGround::ChangedCircumstances => "changed_circumstances",
            ReopenGround::NewEvidence => "new_evidence",
            ReopenGround::ImproperlyDecided => "improperly_decided",
            ReopenGround::AbandonmentReopened => "abandonment_reopened",
        }
    }

    /// The ground of a stored code.
    pub fn parse(s: &str) -> Option<ReopenGround> {
        ReopenGround::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What a new first-instance examination set aside, kept for the record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PastRound {
    /// The admissibility decision set aside.
    pub admissibility: Option<Admissibility>,
    /// The first-instance record set aside.
    pub first_instance: StageRecord,
    /// The appeal record set aside.
    pub appeal: StageRecord,
    /// The appeal date of the earlier round.
    pub appeal_lodged_at: Option<NaiveDateTime>,
    /// Whether that appeal was late.
    pub appeal_late: bool,
    /// How the earlier round ended.
    pub closure: Option<Closure>,
}

/// One reopening of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reopening {
    /// When it was reopened.
    pub at: NaiveDateTime,
    /// On what ground.
    pub ground: ReopenGround,
    /// Who asked.
    pub requested_by: String,
    /// The supervisor who approved.
    pub approved_by: String,
    /// The ended status it left.
    pub from_status: Status,
    /// The status it resumed at.
    pub to_status: Status,
    /// The stage it resumed at.
    pub to_stage: Stage,
    /// The records a new first-instance examination set aside; `None` when the case resumed
    /// where it stopped.
    pub past_round: Option<PastRound>,
}

/// Everything the guards need about one case. The store keeps it as JSON and derives its queue
/// columns from it ([`super::queue_columns`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    /// Where the case stands.
    pub status: Status,
    /// First instance or appeal.
    pub stage: Stage,
    #[serde(default)]
    /// How the case is processed.
    pub modality: Modality,
    /// Specific needs call for priority; set by the store from the needs of the case's members.
    #[serde(default)]
    pub priority: bool,
    /// Where a held case resumes.
    #[serde(default)]
    pub status_before_hold: Option<Status>,
    #[serde(default)]
    /// Why the case is held.
    pub hold_reason: Option<String>,
    #[serde(default)]
    /// The eligibility officer or supervisor holding the case.
    pub assigned_officer: Option<String>,
    /// The principal applicant's individual id.
    pub principal_id: String,
    /// The dependants, principal excluded.
    #[serde(default)]
    pub member_ids: Vec<String>,
    /// The sex code (`F`, `M`, `X`) of the interviewer the applicant asked for, if any.
    #[serde(default)]
    pub interviewer_sex_preference: Option<String>,
    /// When the application was registered.
    pub opened_at: NaiveDateTime,
    #[serde(default)]
    /// The admissibility decision, where the step applies.
    pub admissibility: Option<Admissibility>,
    #[serde(default)]
    /// What happened at first instance.
    pub first_instance: StageRecord,
    #[serde(default)]
    /// What happened on appeal.
    pub appeal: StageRecord,
    /// The date on the appeal, which is what the deadline is measured against.
    #[serde(default)]
    pub appeal_lodged_at: Option<NaiveDateTime>,
    /// The appeal arrived after the deadline, within the grace period.
    #[serde(default)]
    pub appeal_late: bool,
    /// Appointments of the current stage not yet held or missed.
    #[serde(default)]
    pub appointments: Vec<Appointment>,
    /// Time of the latest missed appointment, cleared by an interview of the principal.
    #[serde(default)]
    pub no_show_at: Option<NaiveDateTime>,
    #[serde(default)]
    /// The latest contact from the applicant (stops the abandonment clock).
    pub last_contact_at: Option<NaiveDateTime>,
    #[serde(default)]
    /// How the procedure ended, while it is ended.
    pub closure: Option<Closure>,
    #[serde(default)]
    /// Every reopening, oldest first.
    pub reopenings: Vec<Reopening>,
    /// Number of transitions applied; the store compares it to refuse concurrent overwrites.
    #[serde(default)]
    pub version: u64,
}

impl CaseState {
    /// A case just registered for RSD.
    pub fn new(
        principal_id: impl Into<String>,
        member_ids: Vec<String>,
        modality: Modality,
        opened_at: NaiveDateTime,
    ) -> Self {
        Self {
            status: Status::Registered,
            stage: Stage::FirstInstance,
            modality,
            priority: false,
            status_before_hold: None,
            hold_reason: None,
            assigned_officer: None,
            principal_id: principal_id.into(),
            member_ids,
            interviewer_sex_preference: None,
            opened_at,
            admissibility: None,
            first_instance: StageRecord::default(),
            appeal: StageRecord::default(),
            appeal_lodged_at: None,
            appeal_late: false,
            appointments: Vec::new(),
            no_show_at: None,
            last_contact_at: None,
            closure: None,
            reopenings: Vec::new(),
            version: 0,
        }
    }

    /// The record of a stage.
    pub fn stage_record(&self, stage: Stage) -> &StageRecord {
        match stage {
            Stage::FirstInstance => &self.first_instance,
            Stage::Appeal => &self.appeal,
        }
    }

    pub(crate) fn stage_record_mut(&mut self, stage: Stage) -> &mut StageRecord {
        match stage {
            Stage::FirstInstance => &mut self.first_instance,
            Stage::Appeal => &mut self.appeal,
        }
    }

    /// The record of the current stage.
    pub fn current(&self) -> &StageRecord {
        self.stage_record(self.stage)
    }

    /// Principal first, then dependants, each once.
    pub fn individuals(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::with_capacity(1 + self.member_ids.len());
        for id in std::iter::once(&self.principal_id).chain(&self.member_ids) {
            if !out.contains(&id.as_str()) {
                out.push(id);
            }
        }
        out
    }

    /// The individuals the current stage decides on: everyone at first instance; at appeal,
    /// those rejected or excluded at first instance.
    pub fn individuals_concerned(&self) -> Vec<&str> {
        match self.stage {
            Stage::FirstInstance => self.individuals(),
            Stage::Appeal => self
                .first_instance
                .decisions
                .iter()
                .filter(|d| d.outcome.is_negative())
                .map(|d| d.individual_id.as_str())
                .collect(),
        }
    }

    /// Who interviewed, assessed or reviewed at first instance; none of them may interview,
    /// assess or review the appeal.
    pub fn first_instance_officers(&self) -> BTreeSet<&str> {
        self.first_instance.officers()
    }

    /// The outcome that stands for an individual: the appeal decision if there is one, else the
    /// first-instance decision.
    pub fn final_outcome(&self, individual_id: &str) -> Option<&Outcome> {
        fn find<'a>(r: &'a StageRecord, id: &str) -> Option<&'a Outcome> {
            r.decisions
                .iter()
                .find(|d| d.individual_id == id)
                .map(|d| &d.outcome)
        }
        find(&self.appeal, individual_id).or_else(|| find(&self.first_instance, individual_id))
    }

    /// When the current first-instance procedure started: registration, or the latest
    /// reopening that began a new examination.
    pub fn procedure_started_at(&self) -> NaiveDateTime {
        self.reopenings
            .iter()
            .rev()
            .find(|r| r.past_round.is_some())
            .map_or(self.opened_at, |r| r.at)
    }

    /// The earliest appointment still pending.
    pub fn next_appointment(&self) -> Option<&Appointment> {
        self.appointments.iter().min_by_key(|a| a.at)
    }
}
