//! The RSD procedure over GraphQL: what a case allows now, its workflow record, the mutations
//! that move it, and the notices subscribers receive. The rules themselves live in
//! `domain::rsd`; the store applies them (`store::workflow`).

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::context::ModuleGuard;
use super::context::{GqlResult, audit_refusal, claim_of, gql, scope, scoped_read, state};
use super::types::Case;
use crate::domain::access::Module;
use crate::domain::rsd::{self as domain};
use crate::error::{Error, Result};
use crate::store::idempotency::run_once;
use crate::store::workflow::{self, Acted, Booking, Request};
use crate::store::{DbConn, Scope, queries};

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// An action on a case, as `allowedActions` lists them.
// The domain's list, mapped variant for variant: a new action that is not added here fails to
// compile.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::rsd::ActionKind")]
pub enum CaseAction {
    /// Decide whether the claim is admissible (decideAdmissibility).
    DecideAdmissibility,
    /// Book or move an interview (scheduleInterview).
    ScheduleInterview,
    /// Record an interview held now (recordInterview).
    RecordInterview,
    /// Record that the applicant missed an interview (recordNoShow).
    RecordNoShow,
    /// Record that the applicant got in touch (recordContact).
    RecordContact,
    /// Submit the assessment with a recommendation per individual (submitAssessment).
    SubmitAssessment,
    /// Approve or return an assessment; approval is the decision (reviewAssessment).
    ReviewAssessment,
    /// Record that the decision was handed to the applicant in writing (notifyDecision).
    NotifyDecision,
    /// Record the applicant's appeal (lodgeAppeal).
    LodgeAppeal,
    /// Record the applicant's withdrawal (withdrawCase).
    #[graphql(name = "WITHDRAW_CASE")]
    Withdraw,
    /// Close the case with a reason (closeCase).
    #[graphql(name = "CLOSE_CASE")]
    Close,
    /// Declare an abandonment candidate abandoned (confirmAbandonment).
    ConfirmAbandonment,
    /// Reopen a closed, withdrawn or abandoned case (reopenCase).
    #[graphql(name = "REOPEN_CASE")]
    Reopen,
    /// Assign or reassign the case (assignCase, assignCases).
    #[graphql(name = "ASSIGN_CASE")]
    Assign,
    /// Put the case on hold (putCaseOnHold).
    #[graphql(name = "PUT_CASE_ON_HOLD")]
    PutOnHold,
    /// Resume a case on hold (resumeCase).
    #[graphql(name = "RESUME_CASE")]
    Resume,
}

/// The case's workflow state and unit settings, read with the caller's scope.
async fn loaded(
    ctx: &Context<'_>,
    case_id: &str,
) -> GqlResult<(workflow::Loaded, workflow::UnitSettings, domain::Actor)> {
    let id = case_id.to_string();
    scoped_read(ctx, "read", Some(case_id), move |c, s, _| {
        let l = workflow::load(c, s, &id)?;
        let settings = workflow::unit_settings(c, s.unit_id())?;
        let me = workflow::actor(c, s)?;
        Ok((l, settings, me))
    })
    .await
}

/// `Case.allowedActions`.
pub(crate) async fn allowed_actions(
    ctx: &Context<'_>,
    case_id: &str,
) -> GqlResult<Vec<CaseAction>> {
    let (l, settings, me) = loaded(ctx, case_id).await?;
    Ok(
        domain::allowed_actions(&l.state, &me, &settings.rsd, crate::store::now())
            .into_iter()
            .map(CaseAction::from)
            .collect(),
    )
}

/// `Case.workflow`.
pub(crate) async fn workflow_of(ctx: &Context<'_>, case_id: &str) -> GqlResult<CaseWorkflow> {
    let (l, settings, _) = loaded(ctx, case_id).await?;
    let sees_narrative = scope(ctx)
        .map_err(gql)?
        .sees(crate::domain::access::FieldGroup::ClaimNarrative);
    Ok(CaseWorkflow {
        state: Arc::new(l.state),
        settings: Arc::new(settings),
        sees_narrative,
    })
}

/// The clocks of a case, from its queue columns.
pub(crate) fn deadlines_of(row: &crate::store::rows::CaseRow) -> CaseDeadlines {
    let now = crate::store::now();
    CaseDeadlines {
        decision_due: row.decision_due_at.map(utc),
        overdue: row.decision_due_at.is_some_and(|d| d < now),
        appeal_deadline: row.appeal_deadline_at.map(utc),
        abandonment_candidate_from: row.abandonment_from.map(utc),
        abandonment_candidate: row.status == domain::Status::Scheduled.as_str()
            && row.abandonment_from.is_some_and(|a| a <= now)
            && row.next_appointment_at.is_none_or(|n| n < now),
        next_interview: row.next_appointment_at.map(utc),
        due: row.due_at.map(utc),
    }
}

/// The clocks of a case.
#[derive(SimpleObject)]
pub struct CaseDeadlines {
    /// Target date of the first-instance decision (null once decided or closed).
    pub decision_due: Option<DateTime<Utc>>,
    /// Whether the decision target has passed without a decision.
    pub overdue: bool,
    /// Last day of the ordinary appeal period after a notified rejection (null otherwise).
    pub appeal_deadline: Option<DateTime<Utc>>,
    /// When the case becomes an abandonment candidate after a missed interview.
    pub abandonment_candidate_from: Option<DateTime<Utc>>,
    /// Whether a supervisor may now declare the case abandoned.
    pub abandonment_candidate: bool,
    /// The next booked interview.
    pub next_interview: Option<DateTime<Utc>>,
    /// What is due next of all the above; My work is ordered by it. Null for ended cases.
    pub due: Option<DateTime<Utc>>,
}

/// The procedure's record of a case: interviews, assessments, reviews, decisions, appeal and
/// closure.
pub struct CaseWorkflow {
    state: Arc<domain::CaseState>,
    settings: Arc<workflow::UnitSettings>,
    sees_narrative: bool,
}

/// The procedure's record of a case: interviews, assessments, reviews, decisions, appeal and
/// closure.
#[Object]
impl CaseWorkflow {
    /// The processing modality: regular, simplified, accelerated or merged.
    async fn modality(&self) -> &str {
        self.state.modality.as_str()
    }
    /// Whether specific needs of a member give the case priority.
    async fn priority(&self) -> bool {
        self.state.priority
    }
    /// The sex code (F, M, X) of the interviewer the applicant asked for, if any.
    async fn interviewer_sex_preference(&self) -> Option<&str> {
        self.state.interviewer_sex_preference.as_deref()
    }
    /// Why the case is on hold, while it is.
    async fn hold_reason(&self) -> Option<&str> {
        self.state.hold_reason.as_deref()
    }
    /// The admissibility decision, where the unit has that step.
    async fn admissibility(&self) -> Option<AdmissibilityRecord> {
        self.state
            .admissibility
            .as_ref()
            .map(|a| AdmissibilityRecord {
                admissible: a.admissible,
                by_id: ID(a.by.clone()),
                at: utc(a.at),
                reason: a.reason.clone(),
            })
    }
    /// Interview appointments still to be held.
    async fn pending_appointments(&self) -> Vec<PendingAppointment> {
        self.state
            .appointments
            .iter()
            .map(|a| PendingAppointment {
                id: ID(a.id.clone()),
                at: utc(a.at),
                officer_id: ID(a.officer_id.clone()),
                interpreter_language: a.interpreter_language.clone(),
                override_reason: a.override_reason.clone(),
            })
            .collect()
    }
    /// First instance, then appeal (once lodged).
    async fn stages(&self) -> Vec<StageView> {
        let mut out = vec![StageView::new(
            domain::Stage::FirstInstance,
            &self.state.first_instance,
            self.sees_narrative,
        )];
        if self.state.stage == domain::Stage::Appeal || self.state.appeal_lodged_at.is_some() {
            out.push(StageView::new(
                domain::Stage::Appeal,
                &self.state.appeal,
                self.sees_narrative,
            ));
        }
        out
    }
    /// The date on the appeal, if one was lodged.
    async fn appeal_lodged_at(&self) -> Option<DateTime<Utc>> {
        self.state.appeal_lodged_at.map(utc)
    }
    /// Whether the appeal arrived after the deadline, within the grace period.
    async fn appeal_late(&self) -> bool {
        self.state.appeal_late
    }
    /// Why and when the case ended.
    async fn closure_reason(&self) -> Option<&str> {
        self.state.closure.as_ref().map(|c| c.reason.as_str())
    }
    /// How many times the case was reopened.
    async fn reopenings(&self) -> i32 {
        self.state.reopenings.len() as i32
    }
    /// The unit's appeal deadline in days after notification.
    async fn appeal_deadline_days(&self) -> i32 {
        self.settings.rsd.appeal_deadline_days as i32
    }
    /// The decision target in days that applies to this case.
    async fn decision_target_days(&self) -> i32 {
        domain::decision_target_days(&self.state, &self.settings.rsd) as i32
    }
}

/// An admissibility decision.
#[derive(SimpleObject)]
pub struct AdmissibilityRecord {
    /// Admissible or not.
    pub admissible: bool,
    /// Who decided.
    pub by_id: ID,
    /// When.
    pub at: DateTime<Utc>,
    /// The reason (required when inadmissible).
    pub reason: Option<String>,
}

/// A booked interview not yet held.
#[derive(SimpleObject)]
pub struct PendingAppointment {
    /// The appointment's id (pass it as rescheduleAppointmentId to move it).
    pub id: ID,
    /// When, in UTC.
    pub at: DateTime<Utc>,
    /// The interviewing officer.
    pub officer_id: ID,
    /// The language interpreted, if any.
    pub interpreter_language: Option<String>,
    /// Why an officer of another sex than the applicant asked for was booked.
    pub override_reason: Option<String>,
}

/// What happened at one stage of the procedure.
#[derive(SimpleObject)]
pub struct StageView {
    /// first_instance or appeal.
    pub stage: String,
    /// Interview sessions, oldest first.
    pub interviews: Vec<InterviewRecord>,
    /// How many appointments the applicant missed.
    pub missed_appointments: i32,
    /// The assessment under review or approved.
    pub assessment: Option<AssessmentRecord>,
    /// How many assessments a reviewer sent back.
    pub returned_assessments: i32,
    /// Reviews, oldest first.
    pub reviews: Vec<ReviewRecord>,
    /// The decision per individual (empty until a review approves an assessment).
    pub decisions: Vec<DecisionRecord>,
    /// When the decision was taken.
    pub decided_at: Option<DateTime<Utc>>,
    /// When the applicant was notified.
    pub notified_at: Option<DateTime<Utc>>,
}

impl StageView {
    fn new(stage: domain::Stage, r: &domain::StageRecord, narrative: bool) -> Self {
        Self {
            stage: stage.as_str().to_string(),
            interviews: r
                .interviews
                .iter()
                .map(|i| InterviewRecord {
                    interviewer_id: ID(i.interviewer_id.clone()),
                    at: utc(i.at),
                    principal_attended: i.principal_attended,
                    interpreter_language: i.interpreter_language.clone(),
                    notes_ref: if narrative { i.notes_ref.clone() } else { None },
                })
                .collect(),
            missed_appointments: r.missed_appointments.len() as i32,
            assessment: r.assessment.as_ref().map(|a| AssessmentRecord {
                assessor_id: ID(a.assessor_id.clone()),
                at: utc(a.at),
                recommendations: if narrative {
                    a.recommendations.iter().map(DecisionRecord::from).collect()
                } else {
                    Vec::new()
                },
                assessment_ref: if narrative {
                    a.assessment_ref.clone()
                } else {
                    None
                },
            }),
            returned_assessments: r.returned_assessments.len() as i32,
            reviews: r
                .reviews
                .iter()
                .map(|v| ReviewRecord {
                    reviewer_id: ID(v.reviewer_id.clone()),
                    at: utc(v.at),
                    approved: v.approved,
                    comments: if narrative { v.comments.clone() } else { None },
                })
                .collect(),
            decisions: r.decisions.iter().map(DecisionRecord::from).collect(),
            decided_at: r.decided_at.map(utc),
            notified_at: r.notified_at.map(utc),
        }
    }
}

/// An interview session.
#[derive(SimpleObject)]
pub struct InterviewRecord {
    /// Who interviewed.
    pub interviewer_id: ID,
    /// When.
    pub at: DateTime<Utc>,
    /// Whether the principal applicant attended (only then does it count as the interview).
    pub principal_attended: bool,
    /// The language interpreted, if any.
    pub interpreter_language: Option<String>,
    /// Reference to the interview notes; null unless your roles include claim narratives.
    pub notes_ref: Option<String>,
}

/// An assessment.
#[derive(SimpleObject)]
pub struct AssessmentRecord {
    /// Who wrote it.
    pub assessor_id: ID,
    /// When it was submitted.
    pub at: DateTime<Utc>,
    /// The recommendation per individual; empty unless your roles include claim narratives.
    pub recommendations: Vec<DecisionRecord>,
    /// Reference to the written assessment; null unless your roles include claim narratives.
    pub assessment_ref: Option<String>,
}

/// A review of an assessment.
#[derive(SimpleObject)]
pub struct ReviewRecord {
    /// The supervisor who reviewed.
    pub reviewer_id: ID,
    /// When.
    pub at: DateTime<Utc>,
    /// Approved (the decision) or returned.
    pub approved: bool,
    /// The reviewer's comments; null unless your roles include claim narratives.
    pub comments: Option<String>,
}

/// A decision or recommendation for one individual.
#[derive(SimpleObject)]
pub struct DecisionRecord {
    /// The individual.
    pub individual_id: ID,
    /// recognised, rejected or excluded.
    pub outcome: String,
    /// For recognition: convention_1951 or cartagena.
    pub ground: Option<String>,
    /// For rejection: the reason codes given to the applicant.
    pub reasons: Vec<String>,
    /// For exclusion: the clauses applied.
    pub clauses: Vec<String>,
}

impl From<&domain::IndividualOutcome> for DecisionRecord {
    fn from(o: &domain::IndividualOutcome) -> Self {
        let (ground, reasons, clauses) = match &o.outcome {
            domain::Outcome::Recognised { ground } => {
                (Some(ground.as_str().to_string()), vec![], vec![])
            }
            domain::Outcome::Rejected { reasons } => (
                None,
                reasons.iter().map(|r| r.as_str().to_string()).collect(),
                vec![],
            ),
            domain::Outcome::Excluded { clauses } => (
                None,
                vec![],
                clauses.iter().map(|c| c.as_str().to_string()).collect(),
            ),
        };
        Self {
            individual_id: ID(o.individual_id.clone()),
            outcome: o.outcome.as_str().to_string(),
            ground,
            reasons,
            clauses,
        }
    }
}

/// What a case mutation stored: enough to answer a replay with the same payload.
#[derive(Serialize, Deserialize, Clone)]
pub struct CaseActed {
    client_mutation_id: String,
    acted: Vec<Acted>,
}

/// A case after an action.
pub struct CasePayload(CaseActed);

/// A case after an action.
#[Object]
impl CasePayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.0.client_mutation_id
    }
    /// The case as it is now.
    async fn case(&self, ctx: &Context<'_>) -> GqlResult<Option<Case>> {
        match self.0.acted.first() {
            Some(a) => load_case(ctx, &a.case_id).await,
            None => Ok(None),
        }
    }
    /// The transition recorded in the case's history.
    async fn event(&self) -> Option<CaseNotice> {
        self.0.acted.first().map(CaseNotice::from)
    }
}

/// Cases after a bulk reassignment.
pub struct CasesPayload(CaseActed);

/// Cases after a bulk reassignment.
#[Object]
impl CasesPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.0.client_mutation_id
    }
    /// The transitions recorded, one per case, in the order sent.
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn events(&self) -> Vec<CaseNotice> {
        self.0.acted.iter().map(CaseNotice::from).collect()
    }
}

async fn load_case(ctx: &Context<'_>, id: &str) -> GqlResult<Option<Case>> {
    let id = id.to_string();
    scoped_read(ctx, "read", None, move |c, s, r| {
        queries::case(c, s, r, &id)
    })
    .await
    .map(|o| o.map(Case::from))
}

/// What changed on a case: sent to subscribers and returned by case mutations. It names the
/// case and the transition only, never a person, so it is light enough for a thin link and
/// reveals nothing a subscriber's queue does not already show.
#[derive(SimpleObject, Clone)]
pub struct CaseNotice {
    /// The case.
    pub case_id: ID,
    /// Its number.
    pub case_number: String,
    /// The office it belongs to.
    pub office_id: ID,
    /// The history event's id (a client that got it twice can tell).
    pub event_id: ID,
    /// What happened, e.g. interview_scheduled, assessment_submitted, decided, assigned.
    pub kind: String,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Stage after: first_instance or appeal.
    pub stage: String,
    /// Who acted.
    pub actor_id: ID,
    /// When.
    pub at: DateTime<Utc>,
    /// The case's version after the transition.
    pub version: i32,
    /// The officer assigned before and after, when there is one.
    pub officer_ids: Vec<ID>,
}

impl CaseNotice {
    /// Tells a subscriber that fell behind to read its queue again.
    pub(crate) fn reload() -> Self {
        Self {
            case_id: ID(String::new()),
            case_number: String::new(),
            office_id: ID(String::new()),
            event_id: ID(String::new()),
            kind: "reload".into(),
            from_status: String::new(),
            to_status: String::new(),
            stage: String::new(),
            actor_id: ID(String::new()),
            at: chrono::Utc::now(),
            version: 0,
            officer_ids: Vec::new(),
        }
    }
}

impl From<&Acted> for CaseNotice {
    fn from(a: &Acted) -> Self {
        Self {
            case_id: ID(a.case_id.clone()),
            case_number: a.case_number.clone(),
            office_id: ID(a.office_id.clone()),
            event_id: ID(a.event_id.clone()),
            kind: a.kind.clone(),
            from_status: a.from_status.clone(),
            to_status: a.to_status.clone(),
            stage: a.stage.clone(),
            actor_id: ID(a.actor_id.clone()),
            at: utc(a.at),
            version: a.version,
            officer_ids: a.officers.iter().cloned().map(ID).collect(),
        }
    }
}

/// Whether a subscriber with `scope` may hear of `a`: their unit, and within it their office or
/// their own caseload when their scope is that narrow.
pub(crate) fn may_hear(scope: &Scope, a: &Acted) -> bool {
    use crate::domain::access::{Permission, ScopeLevel};
    if a.operation_unit_id != scope.unit_id() || scope.require(Permission::ReadCases).is_err() {
        return false;
    }
    match scope.level() {
        ScopeLevel::Unit => true,
        ScopeLevel::Office => scope.office_id() == Some(a.office_id.as_str()),
        ScopeLevel::Own => a.officers.iter().any(|o| o == scope.user_id()),
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// Input of openCase.
#[derive(InputObject)]
pub struct OpenCaseInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The registration group the applicants belong to.
    pub group_id: ID,
    /// The principal applicant.
    pub principal_id: ID,
    /// Derivative family members (current members of the group).
    #[graphql(default)]
    pub member_ids: Vec<ID>,
    /// regular (default), simplified, accelerated or merged.
    pub modality: Option<String>,
    /// A short summary of the claim (the account itself goes in the interview notes).
    pub claim_summary: Option<String>,
}

/// The result of openCase.
#[derive(Serialize, Deserialize, Clone)]
pub struct OpenCasePayload {
    client_mutation_id: String,
    case_id: String,
}

/// The result of openCase.
#[Object]
impl OpenCasePayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The new case.
    async fn case(&self, ctx: &Context<'_>) -> GqlResult<Option<Case>> {
        load_case(ctx, &self.case_id).await
    }
}

/// Identifies the case and the version you read.
#[derive(InputObject)]
pub struct CaseActionInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it (CONFLICT when it moved since).
    pub version: i32,
}

/// Input of scheduleInterview.
#[derive(InputObject)]
pub struct ScheduleInterviewInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// When the interview starts (UTC). It must fall in the unit's working hours.
    pub at: DateTime<Utc>,
    /// How long to book, 30 to 480 minutes (default 120).
    pub minutes: Option<i32>,
    /// The interviewing officer (default: you).
    pub officer_id: Option<ID>,
    /// The language to interpret (ISO 639-3), when the applicant needs an interpreter.
    pub language: Option<String>,
    /// A particular interpreter; otherwise a free one for the language is booked.
    pub interpreter_id: Option<ID>,
    /// Why an officer of another sex than the applicant asked for is booked.
    pub override_reason: Option<String>,
    /// A pending appointment to move instead of booking another one.
    pub reschedule_appointment_id: Option<ID>,
}

/// Input of recordInterview.
#[derive(InputObject)]
pub struct RecordInterviewInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// Whether the principal applicant attended (only then does the interview count).
    pub principal_attended: bool,
    /// When the interview was held (default: its appointment's time if that has passed, else
    /// now). Refused in the future (IN_FUTURE) or before the appointment's day (TOO_EARLY).
    pub held_at: Option<DateTime<Utc>>,
    /// Reference to the interview notes, kept with the claim narrative.
    pub notes_ref: Option<String>,
    /// The language interpreted (default: the appointment's).
    pub interpreter_language: Option<String>,
    /// Why you interview although the applicant asked for an interviewer of another sex.
    pub override_reason: Option<String>,
}

/// How and when a decision was notified (notifyDecision's details).
#[derive(InputObject, Default)]
pub struct NotificationInput {
    /// When the applicant received the decision (default: now); the appeal deadline runs from
    /// here. Refused in the future (IN_FUTURE) or before the decision (TOO_EARLY).
    pub notified_at: Option<DateTime<Utc>>,
    /// How: a code of the code list `notification_methods` (in_person, email, phone, postal,
    /// messaging, legal_representative).
    pub method: Option<String>,
}

/// How the applicant got in touch (recordContact's details).
#[derive(InputObject, Default)]
pub struct ContactInput {
    /// How: a code of the code list `contact_channels` (in_person, phone, email, messaging,
    /// postal, outreach, third_party).
    pub channel: Option<String>,
    /// What was said or agreed, at most 1000 characters; shown as the event's why.
    pub note: Option<String>,
}

/// Input of decideAdmissibility.
#[derive(InputObject)]
pub struct DecideAdmissibilityInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// Admissible or not.
    pub admissible: bool,
    /// The reason; required when inadmissible.
    pub reason: Option<String>,
}

/// One individual's recommendation.
#[derive(InputObject)]
pub struct RecommendationInput {
    /// The individual (principal or derivative of the case).
    pub individual_id: ID,
    /// recognised, rejected or excluded.
    pub outcome: String,
    /// For recognised: convention_1951 or cartagena.
    pub ground: Option<String>,
    /// For rejected, one or more of: not_credible, no_persecution, no_well_founded_fear,
    /// no_convention_ground, state_protection_available, internal_flight_alternative,
    /// cartagena_circumstances_not_met, other_nationality_protection.
    #[graphql(default)]
    pub reasons: Vec<String>,
    /// For excluded, one or more of: article_1d, article_1e, article_1f_a, article_1f_b,
    /// article_1f_c.
    #[graphql(default)]
    pub clauses: Vec<String>,
}

/// Input of submitAssessment.
#[derive(InputObject)]
pub struct SubmitAssessmentInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// One recommendation per individual the stage decides on.
    pub recommendations: Vec<RecommendationInput>,
    /// Reference to the written assessment (only simplified cases may omit it).
    pub assessment_ref: Option<String>,
}

/// Input of reviewAssessment.
#[derive(InputObject)]
pub struct ReviewAssessmentInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// Approve (this makes the decision) or return for rewriting.
    pub approve: bool,
    /// Comments; required when returning.
    pub comments: Option<String>,
}

/// Input of lodgeAppeal.
#[derive(InputObject)]
pub struct LodgeAppealInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// The date on the appeal, which the deadline is measured against (default: now).
    pub lodged_at: Option<DateTime<Utc>>,
}

/// Input of withdrawCase and putCaseOnHold.
#[derive(InputObject)]
pub struct CaseReasonInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// Why, in words.
    pub reason: String,
}

/// Input of closeCase.
#[derive(InputObject)]
pub struct CloseCaseInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// no_appeal, duplicate, deceased or left_country (the other closures follow from the
    /// procedure itself).
    pub reason: String,
}

/// Input of reopenCase.
#[derive(InputObject)]
pub struct ReopenCaseInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// changed_circumstances, new_evidence, improperly_decided or abandonment_reopened.
    pub ground: String,
    /// The supervisor who approves the reopening (not you).
    pub approver_id: ID,
}

/// Input of assignCase.
#[derive(InputObject)]
pub struct AssignCaseInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
    /// The eligibility officer or supervisor to assign.
    pub officer_id: ID,
}

/// A case and the version you read.
#[derive(InputObject)]
pub struct CaseVersionInput {
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it.
    pub version: i32,
}

/// Input of assignCases.
#[derive(InputObject)]
pub struct AssignCasesInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The cases (1 to 100), each with the version you read. All are reassigned or none.
    pub cases: Vec<CaseVersionInput>,
    /// The eligibility officer or supervisor to assign.
    pub officer_id: ID,
}

fn parse_code<T>(field: &str, value: &str, parse: fn(&str) -> Option<T>, known: &str) -> Result<T> {
    parse(value.trim()).ok_or_else(|| {
        Error::validation(
            field,
            format!("unknown code {value:?}; use one of: {known}"),
        )
    })
}

fn recommendation(i: usize, r: RecommendationInput) -> Result<domain::IndividualOutcome> {
    let field = |f: &str| format!("input.recommendations.{i}.{f}");
    let outcome = match r.outcome.trim() {
        "recognised" => domain::Outcome::Recognised {
            ground: match r.ground.as_deref() {
                Some(g) => parse_code(
                    &field("ground"),
                    g,
                    domain::Ground::parse,
                    "convention_1951, cartagena",
                )?,
                None => {
                    return Err(Error::validation(
                        field("ground"),
                        "a recognition needs its ground: convention_1951 or cartagena",
                    ));
                }
            },
        },
        "rejected" => domain::Outcome::Rejected {
            reasons: r
                .reasons
                .iter()
                .map(|c| {
                    parse_code(
                        &field("reasons"),
                        c,
                        domain::RejectionReason::parse,
                        "not_credible, no_persecution, no_well_founded_fear, no_convention_ground, state_protection_available, internal_flight_alternative, cartagena_circumstances_not_met, other_nationality_protection",
                    )
                })
                .collect::<Result<_>>()?,
        },
        "excluded" => domain::Outcome::Excluded {
            clauses: r
                .clauses
                .iter()
                .map(|c| {
                    parse_code(
                        &field("clauses"),
                        c,
                        domain::ExclusionClause::parse,
                        "article_1d, article_1e, article_1f_a, article_1f_b, article_1f_c",
                    )
                })
                .collect::<Result<_>>()?,
        },
        other => {
            return Err(Error::validation(
                field("outcome"),
                format!("unknown outcome {other:?}; use recognised, rejected or excluded"),
            ));
        }
    };
    Ok(domain::IndividualOutcome {
        individual_id: r.individual_id.0,
        outcome,
    })
}

fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// The fields every single-case action's input starts with.
trait CaseTarget {
    fn target(&self) -> (String, ID, i32);
}

macro_rules! case_targets {
    ($($input:ty),* $(,)?) => {
        $(impl CaseTarget for $input {
            fn target(&self) -> (String, ID, i32) {
                (self.client_mutation_id.clone(), self.case_id.clone(), self.version)
            }
        })*
    };
}

case_targets!(
    CaseActionInput,
    ScheduleInterviewInput,
    RecordInterviewInput,
    DecideAdmissibilityInput,
    SubmitAssessmentInput,
    ReviewAssessmentInput,
    LodgeAppealInput,
    CaseReasonInput,
    CloseCaseInput,
    ReopenCaseInput,
    AssignCaseInput,
);

/// Runs one case action idempotently, audits a refusal, and tells subscribers: the whole of
/// every single-case mutation but the reading of its input (`request`, refused with VALIDATION
/// before anything runs). The mutation's name comes from the domain's action table.
async fn step<I: CaseTarget + async_graphql::InputType>(
    ctx: &Context<'_>,
    kind: domain::ActionKind,
    input: I,
    request: impl FnOnce(I) -> Result<Request>,
) -> GqlResult<CasePayload> {
    let mutation = kind.info().mutation;
    let (cmid, case_id, version) = input.target();
    let claim = claim_of(mutation, &cmid, &input);
    let request = request(input)?;
    let scope = scope(ctx)?.clone();
    let st = state(ctx).clone();
    let (s, id, c2) = (scope.clone(), case_id.0.clone(), cmid.clone());
    let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
        let acted = workflow::act(conn, &s, &id, version, request)?;
        Ok(CaseActed {
            client_mutation_id: c2,
            acted: vec![acted],
        })
    })
    .await;
    let done = audit_refusal(ctx, mutation, Some(&case_id.0), outcome).await?;
    for a in &done.acted {
        st.publish(a.clone());
    }
    Ok(CasePayload(done))
}

/// The RSD procedure's mutations. Each names the case and the version read, is idempotent by
/// clientMutationId, and is refused (FORBIDDEN or VALIDATION, with the reason in words) unless
/// the case's allowedActions include it.
#[derive(Default)]
pub struct CaseMutation;

/// The RSD procedure's mutations.
#[Object]
impl CaseMutation {
    /// Register members of a group for RSD: opens a case with a principal applicant and
    /// derivatives, waiting to be assigned and scheduled.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn open_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OpenCaseInput,
    ) -> GqlResult<OpenCasePayload> {
        let claim = claim_of("openCase", &input.client_mutation_id, &input);
        let modality = match input.modality.as_deref().map(str::trim) {
            None | Some("") => domain::Modality::Regular,
            Some(m) => parse_code(
                "input.modality",
                m,
                domain::Modality::parse,
                "regular, simplified, accelerated, merged",
            )
            .map_err(gql)?,
        };
        let new = workflow::NewCase {
            group_id: input.group_id.0,
            principal_id: input.principal_id.0,
            member_ids: input.member_ids.into_iter().map(|i| i.0).collect(),
            modality,
            claim_summary: input.claim_summary,
        };
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let (s, c2) = (scope.clone(), input.client_mutation_id.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            Ok(OpenCasePayload {
                client_mutation_id: c2,
                case_id: workflow::open_case(conn, &s, &new)?,
            })
        })
        .await;
        let opened = audit_refusal(ctx, "openCase", None, outcome).await?;
        st.cases_changed();
        Ok(opened)
    }

    /// Decide whether the claim is admissible; an inadmissible case is closed.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn decide_admissibility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DecideAdmissibilityInput,
    ) -> GqlResult<CasePayload> {
        step(
            ctx,
            domain::ActionKind::DecideAdmissibility,
            input,
            |input| {
                Ok(Request::Step(domain::Action::DecideAdmissibility {
                    admissible: input.admissible,
                    reason: input.reason,
                }))
            },
        )
        .await
    }

    /// Book an interview against the officer's and an interpreter's availability, or move a
    /// pending one (the earlier booking stays in the history).
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn schedule_interview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScheduleInterviewInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::ScheduleInterview, input, |input| {
            let minutes = match input.minutes {
                None => workflow::DEFAULT_INTERVIEW_MINUTES,
                Some(m) if m > 0 => m as u32,
                Some(_) => {
                    return Err(Error::validation(
                        "input.minutes",
                        "an interview lasts 30 to 480 minutes",
                    ));
                }
            };
            Ok(Request::ScheduleInterview(Booking {
                at: naive(input.at),
                minutes,
                officer_id: input.officer_id.map(|i| i.0),
                language: input
                    .language
                    .map(|l| l.trim().to_lowercase())
                    .filter(|l| !l.is_empty()),
                interpreter_id: input.interpreter_id.map(|i| i.0),
                override_reason: input.override_reason,
                reschedule: input.reschedule_appointment_id.map(|i| i.0),
            }))
        })
        .await
    }

    /// Record the interview you held now.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn record_interview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordInterviewInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::RecordInterview, input, |input| {
            Ok(Request::Step(domain::Action::RecordInterview {
                principal_attended: input.principal_attended,
                held_at: input.held_at.map(naive),
                notes_ref: input.notes_ref,
                interpreter_language: input.interpreter_language,
                override_reason: input.override_reason,
            }))
        })
        .await
    }

    /// Record that the applicant missed the earliest past appointment; this starts the
    /// abandonment clock.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn record_no_show(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CaseActionInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::RecordNoShow, input, |_| {
            Ok(Request::Step(domain::Action::RecordNoShow))
        })
        .await
    }

    /// Record that the applicant got in touch, how, and a note; this stops the abandonment
    /// clock.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn record_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CaseActionInput,
        #[graphql(desc = "The channel and a note (both optional).")] contact: Option<ContactInput>,
    ) -> GqlResult<CasePayload> {
        let contact = contact.unwrap_or_default();
        step(ctx, domain::ActionKind::RecordContact, input, |_| {
            Ok(Request::Step(domain::Action::RecordContact {
                channel: contact.channel,
                note: contact.note,
            }))
        })
        .await
    }

    /// Submit the assessment for review, with a recommendation per individual.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn submit_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SubmitAssessmentInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::SubmitAssessment, input, |input| {
            let recommendations = input
                .recommendations
                .into_iter()
                .enumerate()
                .map(|(i, r)| recommendation(i, r))
                .collect::<Result<Vec<_>>>()?;
            Ok(Request::Step(domain::Action::SubmitAssessment {
                recommendations,
                assessment_ref: input.assessment_ref,
            }))
        })
        .await
    }

    /// Approve an assessment (the decision) or return it with comments. Never your own.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn review_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ReviewAssessmentInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::ReviewAssessment, input, |input| {
            Ok(Request::Step(domain::Action::ReviewAssessment {
                approve: input.approve,
                comments: input.comments,
            }))
        })
        .await
    }

    /// Record that the decision was handed to the applicant in writing; a rejection starts the
    /// appeal clock.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn notify_decision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CaseActionInput,
        #[graphql(desc = "When and how the applicant was notified (both optional).")]
        notification: Option<NotificationInput>,
    ) -> GqlResult<CasePayload> {
        let notification = notification.unwrap_or_default();
        step(ctx, domain::ActionKind::NotifyDecision, input, |_| {
            Ok(Request::Step(domain::Action::NotifyDecision {
                notified_at: notification.notified_at.map(naive),
                method: notification.method,
            }))
        })
        .await
    }

    /// Record the applicant's appeal against a notified rejection, within the deadline and its
    /// grace period.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn lodge_appeal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: LodgeAppealInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::LodgeAppeal, input, |input| {
            Ok(Request::Step(domain::Action::LodgeAppeal {
                lodged_at: input.lodged_at.map(naive).unwrap_or_else(crate::store::now),
            }))
        })
        .await
    }

    /// Record the applicant's withdrawal.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn withdraw_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CaseReasonInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::Withdraw, input, |input| {
            Ok(Request::Step(domain::Action::Withdraw {
                reason: input.reason,
            }))
        })
        .await
    }

    /// Close the case (supervisors).
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn close_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CloseCaseInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::Close, input, |input| {
            let reason = parse_code(
                "input.reason",
                &input.reason,
                domain::ClosureReason::parse,
                "no_appeal, duplicate, deceased, left_country",
            )?;
            Ok(Request::Step(domain::Action::Close { reason }))
        })
        .await
    }

    /// Declare an abandonment candidate abandoned (supervisors).
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn confirm_abandonment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CaseActionInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::ConfirmAbandonment, input, |_| {
            Ok(Request::Step(domain::Action::ConfirmAbandonment))
        })
        .await
    }

    /// Reopen a closed, withdrawn or abandoned case, on a ground, approved by another
    /// supervisor.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn reopen_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ReopenCaseInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::Reopen, input, |input| {
            let ground = parse_code(
                "input.ground",
                &input.ground,
                domain::ReopenGround::parse,
                "changed_circumstances, new_evidence, improperly_decided, abandonment_reopened",
            )?;
            Ok(Request::Reopen {
                ground,
                approver_id: input.approver_id.0,
            })
        })
        .await
    }

    /// Assign or reassign the case (supervisors).
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn assign_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AssignCaseInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::Assign, input, |input| {
            Ok(Request::Step(domain::Action::Assign {
                officer_id: input.officer_id.0,
            }))
        })
        .await
    }

    /// Reassign many cases to one officer in one transaction: all or none (supervisors).
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn assign_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AssignCasesInput,
    ) -> GqlResult<CasesPayload> {
        let claim = claim_of("assignCases", &input.client_mutation_id, &input);
        if input.cases.is_empty() || input.cases.len() > 100 {
            return Err(gql(Error::validation(
                "input.cases",
                "reassign 1 to 100 cases at a time",
            )));
        }
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let (s, c2, officer) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            input.officer_id.0.clone(),
        );
        let cases: Vec<(String, i32)> = input
            .cases
            .into_iter()
            .map(|c| (c.case_id.0, c.version))
            .collect();
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            let mut acted = Vec::with_capacity(cases.len());
            for (i, (id, version)) in cases.iter().enumerate() {
                let a = workflow::act(
                    conn,
                    &s,
                    id,
                    *version,
                    Request::Step(domain::Action::Assign {
                        officer_id: officer.clone(),
                    }),
                )
                .map_err(|e| e.in_field(&format!("cases.{i}")))?;
                acted.push(a);
            }
            Ok(CaseActed {
                client_mutation_id: c2,
                acted,
            })
        })
        .await;
        let done = audit_refusal(ctx, "assignCases", None, outcome).await?;
        for a in &done.acted {
            st.publish(a.clone());
        }
        Ok(CasesPayload(done))
    }

    /// Put the case on hold, saying why.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn put_case_on_hold(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CaseReasonInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::PutOnHold, input, |input| {
            Ok(Request::Step(domain::Action::PutOnHold {
                reason: input.reason,
            }))
        })
        .await
    }

    /// Resume a case on hold where it stood.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn resume_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CaseActionInput,
    ) -> GqlResult<CasePayload> {
        step(ctx, domain::ActionKind::Resume, input, |_| {
            Ok(Request::Step(domain::Action::Resume))
        })
        .await
    }
}
