//! Resettlement over GraphQL: the `resettlementCases` step queues, one case with what it allows
//! now, identification (or a protection officer's hand-off from a protection case) and one
//! mutation for every step of the procedure in `domain::resettlement`, idempotent by
//! clientMutationId and checked against the version read. The reasoning of a case whose
//! categories are sensitive (survivors of violence and torture, medical needs) is withheld from
//! callers whose roles do not hold those field groups.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::connection::PageInfo;
use super::context::{
    GqlResult, ModuleGuard, audit_refusal, claim_of, gql, scope, scoped_read, state,
};
use super::guarded;
use super::types::{Individual, load_individual, utc};
use crate::domain::access::Module;
use crate::domain::resettlement::{self as domain, Action};
use crate::error::{Error, Reason};
use crate::store::DbConn;
use crate::store::idempotency::run_once;
use crate::store::resettlement::{self as store, ResettlementList};

/// A step of a resettlement case, as `allowedActions` lists them; send it as the `action` of
/// `actOnResettlementCase`.
// Mapped variant for variant from the domain: a new action not added here fails to compile.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::resettlement::ActionKind")]
pub enum ResettlementAction {
    /// Write the resettlement assessment (needs `summary`).
    RecordAssessment,
    /// Approve the assessment or return it (needs `approve`; `note` when returning). Never by
    /// its author.
    ReviewAssessment,
    /// Submit the case to a state (needs `state`, `date`, `dossierReference`).
    Submit,
    /// Record the state's interview (needs `date`).
    RecordInterview,
    /// Record the state's decision (needs `decision`, `date`).
    RecordDecision,
    /// Record the family's departure (needs `date`).
    RecordDeparture,
    /// The case leaves resettlement (needs `exitReason`; `note` optional).
    Exit,
}

/// Where a resettlement case stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::resettlement::Status")]
pub enum ResettlementStatus {
    /// Need identified; the assessment is to be written.
    Identified,
    /// Assessment written; waiting for its review.
    Assessed,
    /// Assessment approved; to be submitted to a state.
    Approved,
    /// Submitted to a state; waiting for its interview or decision.
    Submitted,
    /// Interviewed by the state; waiting for its decision.
    Interviewed,
    /// Accepted by the state; departure to be arranged.
    Accepted,
    /// Rejected by the state; submit to another state or exit.
    Rejected,
    /// The family departed.
    Departed,
    /// The case left resettlement.
    Exited,
}

/// How fast a case must move.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::resettlement::Priority")]
pub enum ResettlementPriority {
    /// Normal priority.
    Normal,
    /// Urgent: weeks.
    Urgent,
    /// Emergency: days.
    Emergency,
}

/// Why a case left resettlement.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::resettlement::ExitReason")]
pub enum ResettlementExitReason {
    /// The family no longer wishes to be resettled.
    Withdrawn,
    /// The protection need was resolved.
    NeedResolved,
    /// Local integration or voluntary return.
    OtherDurableSolution,
    /// No state accepted the case.
    NoStateAccepted,
    /// No contact with the family.
    LostContact,
    /// The principal died.
    Deceased,
}

/// A resettlement state's answer.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::resettlement::StateDecision")]
pub enum ResettlementStateDecision {
    /// The state accepted the family.
    Accepted,
    /// The state rejected the case.
    Rejected,
}

/// Which resettlement cases a list shows.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum ResettlementCaseList {
    /// Every case not ended, the earliest deadline first: the steps pending.
    #[default]
    Pending,
    /// Cases whose step is overdue, the most overdue first.
    Overdue,
    /// Departed and exited cases, latest first.
    Ended,
}

/// A resettlement case.
pub struct ResettlementCase {
    case: Arc<store::ResettlementCase>,
    /// The caller lacks a field group of the case's categories: the reasoning is withheld.
    restricted: bool,
}

impl ResettlementCase {
    fn new(case: store::ResettlementCase, ctx: &Context<'_>) -> Self {
        let groups = case.state.field_groups();
        let restricted = match scope(ctx) {
            Ok(s) => groups.iter().any(|g| !s.sees(*g)),
            Err(_) => !groups.is_empty(),
        };
        Self {
            case: Arc::new(case),
            restricted,
        }
    }

    fn detail<T>(&self, v: T) -> Option<T> {
        (!self.restricted).then_some(v)
    }
}

/// Someone a resettlement case is for.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ResettlementMember {
    /// The individual.
    pub individual_id: ID,
    /// Whether they are the principal applicant.
    pub principal: bool,
}

#[async_graphql::ComplexObject]
impl ResettlementMember {
    /// The individual's record (None outside your scope).
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        load_individual(ctx, &self.individual_id.0).await
    }
}

/// A resettlement assessment.
#[derive(SimpleObject)]
pub struct ResettlementAssessment {
    /// The reasoning (None when withheld).
    pub summary: Option<String>,
    /// Who wrote it.
    pub assessed_by: ID,
    /// When.
    pub assessed_on: NaiveDate,
}

/// A review of an assessment.
#[derive(SimpleObject)]
pub struct ResettlementReview {
    /// Approved, or returned for more work.
    pub approved: bool,
    /// What the reviewer said (None when withheld or none).
    pub note: Option<String>,
    /// Who reviewed (never the assessor).
    pub reviewed_by: ID,
    /// When.
    pub reviewed_on: NaiveDate,
}

/// A submission to a resettlement state.
#[derive(SimpleObject)]
pub struct ResettlementSubmission {
    /// The state (ISO 3166 alpha-3).
    pub state: String,
    /// When the dossier was submitted.
    pub submitted_on: NaiveDate,
    /// The dossier's reference.
    pub dossier_reference: String,
    /// When the state interviewed the family.
    pub interviewed_on: Option<NaiveDate>,
    /// The state's decision, once known.
    pub decision: Option<ResettlementStateDecision>,
    /// When the state decided.
    pub decided_on: Option<NaiveDate>,
}

/// One step of a case's history.
#[derive(SimpleObject)]
pub struct ResettlementEvent {
    /// What happened: identified, handed_off, record_assessment, review_assessment, submit, ...
    pub kind: String,
    /// Who did it (username).
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A resettlement case.
#[Object]
impl ResettlementCase {
    /// The case's identifier.
    async fn id(&self) -> ID {
        ID(self.case.row.id.clone())
    }
    /// Its number, e.g. UNHCR-R-0000004.
    async fn case_number(&self) -> &str {
        &self.case.row.case_number
    }
    /// The step the case is at.
    async fn status(&self) -> ResettlementStatus {
        self.case.state.status.into()
    }
    /// Its priority.
    async fn priority(&self) -> ResettlementPriority {
        self.case.state.priority.into()
    }
    /// UNHCR submission categories (LPN, SVT, MED, AWR, FAM, CAR, LAS), the primary first;
    /// empty when withheld.
    async fn categories(&self) -> Vec<String> {
        self.detail(self.case.state.categories.clone())
            .unwrap_or_default()
    }
    /// Whether the reasoning is withheld because a category is sensitive and your roles do not
    /// include its field group.
    async fn restricted(&self) -> bool {
        self.restricted
    }
    /// Why resettlement was identified (None when withheld).
    async fn summary(&self) -> Option<&str> {
        self.detail(self.case.state.summary.as_str())
    }
    /// The principal applicant.
    async fn principal_id(&self) -> ID {
        ID(self.case.row.principal_id.clone())
    }
    /// The people the case is for.
    async fn members(&self) -> Vec<ResettlementMember> {
        self.case
            .state
            .members
            .iter()
            .map(|m| ResettlementMember {
                individual_id: ID(m.individual_id.clone()),
                principal: m.principal,
            })
            .collect()
    }
    /// The protection case the family was handed over from, if any.
    async fn protection_case_id(&self) -> Option<ID> {
        self.case.row.protection_case_id.clone().map(ID)
    }
    /// When the need was identified.
    async fn identified_on(&self) -> NaiveDate {
        self.case.state.identified_on
    }
    /// The day the current step is due (None once ended).
    async fn due_on(&self) -> Option<NaiveDate> {
        self.case.row.due_on
    }
    /// Whether the current step's deadline has passed (the unit's calendar).
    async fn overdue(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let Some(due) = self.case.row.due_on else {
            return Ok(false);
        };
        let scope = scope(ctx).map_err(gql)?.clone();
        let today = state(ctx)
            .db
            .read(move |c| crate::store::protection::today(c, &scope))
            .await
            .map_err(gql)?;
        Ok(due < today)
    }
    /// Assessments, oldest first.
    async fn assessments(&self) -> Vec<ResettlementAssessment> {
        self.case
            .state
            .assessments
            .iter()
            .map(|a| ResettlementAssessment {
                summary: self.detail(a.summary.clone()),
                assessed_by: ID(a.assessed_by.clone()),
                assessed_on: a.assessed_on,
            })
            .collect()
    }
    /// Reviews, oldest first.
    async fn reviews(&self) -> Vec<ResettlementReview> {
        self.case
            .state
            .reviews
            .iter()
            .map(|r| ResettlementReview {
                approved: r.approved,
                note: self.detail(r.note.clone()).flatten(),
                reviewed_by: ID(r.reviewed_by.clone()),
                reviewed_on: r.reviewed_on,
            })
            .collect()
    }
    /// Submissions to states, oldest first.
    async fn submissions(&self) -> Vec<ResettlementSubmission> {
        self.case
            .state
            .submissions
            .iter()
            .map(|s| ResettlementSubmission {
                state: s.state.clone(),
                submitted_on: s.submitted_on,
                dossier_reference: s.dossier_reference.clone(),
                interviewed_on: s.interviewed_on,
                decision: s.decision.map(Into::into),
                decided_on: s.decided_on,
            })
            .collect()
    }
    /// When the family departed.
    async fn departed_on(&self) -> Option<NaiveDate> {
        self.case.state.departure.as_ref().map(|d| d.departed_on)
    }
    /// Why the case left resettlement.
    async fn exit_reason(&self) -> Option<ResettlementExitReason> {
        self.case.state.exit_reason.map(Into::into)
    }
    /// A note on the exit (None when withheld or none).
    async fn exit_note(&self) -> Option<String> {
        self.detail(self.case.state.exit_note.clone()).flatten()
    }
    /// The version to send with the next action.
    async fn version(&self) -> i32 {
        self.case.row.version
    }
    /// Exactly what you may do on the case now.
    async fn allowed_actions(&self, ctx: &Context<'_>) -> GqlResult<Vec<ResettlementAction>> {
        let scope = scope(ctx).map_err(gql)?.clone();
        let case = self.case.clone();
        state(ctx)
            .db
            .read(move |c| store::allowed(c, &scope, &case))
            .await
            .map(|v| v.into_iter().map(Into::into).collect())
            .map_err(gql)
    }
    /// The history: who did what, when.
    async fn history(&self, ctx: &Context<'_>) -> GqlResult<Vec<ResettlementEvent>> {
        let id = self.case.row.id.clone();
        state(ctx)
            .db
            .read(move |c| store::history(c, &id))
            .await
            .map(|v| {
                v.into_iter()
                    .map(|e| ResettlementEvent {
                        kind: e.kind,
                        actor: e.actor,
                        at: utc(e.at),
                    })
                    .collect()
            })
            .map_err(gql)
    }
}

/// A page of resettlement cases.
#[derive(SimpleObject)]
pub struct ResettlementCasePage {
    /// The cases of this page.
    pub nodes: Vec<ResettlementCase>,
    /// Paging information.
    pub page_info: PageInfo,
}

/// Reads of resettlement cases.
#[derive(Default)]
pub struct ResettlementQuery;

/// Reads of resettlement cases. Every case read is audited.
#[Object]
impl ResettlementQuery {
    /// Resettlement cases you may see: the steps pending (default), the overdue ones, the
    /// ended ones, or, with `step`, one step's queue; the earliest deadline first.
    #[graphql(
        guard = "ModuleGuard(Module::Resettlement)",
        complexity = "crate::graphql::page_cost(first, 20, child_complexity)"
    )]
    async fn resettlement_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which cases (default PENDING); ignored when `step` is given.")]
        list: Option<ResettlementCaseList>,
        #[graphql(desc = "Only cases at this step.")] step: Option<ResettlementStatus>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last page's endCursor.")] after: Option<String>,
    ) -> GqlResult<ResettlementCasePage> {
        let which = match (step, list.unwrap_or_default()) {
            (Some(s), _) => ResettlementList::At(s.into()),
            (None, ResettlementCaseList::Pending) => ResettlementList::Pending,
            (None, ResettlementCaseList::Overdue) => ResettlementList::Overdue,
            (None, ResettlementCaseList::Ended) => ResettlementList::Ended,
        };
        let (nodes, page_info) = guarded::case_page(
            ctx,
            "list_resettlement_cases",
            first,
            after.as_deref(),
            move |c, s, r, first, offset| store::list(c, s, r, which, first, offset),
            |c| ResettlementCase::new(c, ctx),
        )
        .await?;
        Ok(ResettlementCasePage { nodes, page_info })
    }

    /// One resettlement case by id (NOT_FOUND if it does not exist or is outside your scope).
    #[graphql(guard = "ModuleGuard(Module::Resettlement)")]
    async fn resettlement_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case's id.")] id: ID,
    ) -> GqlResult<ResettlementCase> {
        guarded::one_case(ctx, &id.0, store::get, |c| ResettlementCase::new(c, ctx)).await
    }
}

/// The input of `openResettlementCase`.
#[derive(InputObject)]
pub struct OpenResettlementCaseInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The principal applicant.
    pub principal_id: ID,
    /// Family members the case is also for (a hand-off adds the protection case's members).
    #[graphql(default)]
    pub member_ids: Vec<ID>,
    /// UNHCR submission categories: LPN, SVT, MED, AWR, FAM, CAR or LAS; the primary first.
    pub categories: Vec<String>,
    /// How fast the case must move (default NORMAL).
    pub priority: Option<ResettlementPriority>,
    /// Why resettlement is the solution, in a few sentences.
    pub summary: String,
    /// A hand-off: the protection case of your unit the family is handed over from (protection
    /// officers may open a case only this way).
    pub protection_case_id: Option<ID>,
}

/// The input of `actOnResettlementCase`: the case, the version read, the action and what it
/// needs (see `ResettlementAction`); fields an action does not use are ignored.
#[derive(InputObject)]
pub struct ActOnResettlementCaseInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The case.
    pub case_id: ID,
    /// The case's version as you read it (CONFLICT when it moved since).
    pub version: i32,
    /// The step.
    pub action: ResettlementAction,
    /// RECORD_ASSESSMENT: the assessment.
    pub summary: Option<String>,
    /// REVIEW_ASSESSMENT: approve (true) or return (false).
    pub approve: Option<bool>,
    /// REVIEW_ASSESSMENT (required when returning) and EXIT: a note.
    pub note: Option<String>,
    /// SUBMIT: the state, ISO 3166 alpha-3 (e.g. CAN).
    pub state: Option<String>,
    /// SUBMIT, RECORD_INTERVIEW, RECORD_DECISION, RECORD_DEPARTURE: the day it happened
    /// (today or earlier).
    pub date: Option<NaiveDate>,
    /// SUBMIT: the dossier's reference.
    pub dossier_reference: Option<String>,
    /// RECORD_DECISION: the state's decision.
    pub decision: Option<ResettlementStateDecision>,
    /// EXIT: why the case leaves resettlement.
    pub exit_reason: Option<ResettlementExitReason>,
}

/// After an identification, a hand-off or a step.
#[derive(Serialize, Deserialize)]
pub struct ResettlementCasePayload {
    client_mutation_id: String,
    case_id: String,
}

impl guarded::StepPayload for ResettlementCasePayload {
    fn new(client_mutation_id: String, case_id: String) -> Self {
        Self {
            client_mutation_id,
            case_id,
        }
    }
}

/// After an identification, a hand-off or a step.
#[Object]
impl ResettlementCasePayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The case's id.
    async fn case_id(&self) -> ID {
        ID(self.case_id.clone())
    }
    /// The case as it is now (None for a protection officer's hand-off: the case is
    /// resettlement staff's to read).
    async fn resettlement_case(&self, ctx: &Context<'_>) -> GqlResult<Option<ResettlementCase>> {
        let s = scope(ctx).map_err(gql)?;
        if !s
            .grants()
            .can(crate::domain::access::Permission::ManageResettlement)
        {
            return Ok(None);
        }
        let id = self.case_id.clone();
        let case = scoped_read(ctx, "read", None, move |c, s, r| store::get(c, s, r, &id)).await?;
        Ok(Some(ResettlementCase::new(case, ctx)))
    }
}

fn need<T>(v: Option<T>, field: &'static str) -> crate::error::Result<T> {
    v.ok_or_else(|| {
        Error::invalid(
            format!("input.{field}"),
            Reason::Required,
            format!("{field} is required for this action"),
        )
    })
}

fn action_of(i: ActOnResettlementCaseInput) -> crate::error::Result<Action> {
    use domain::ActionKind as K;
    Ok(match i.action.into() {
        K::RecordAssessment => Action::RecordAssessment {
            summary: need(i.summary, "summary")?,
        },
        K::ReviewAssessment => Action::ReviewAssessment {
            approve: need(i.approve, "approve")?,
            note: i.note,
        },
        K::Submit => Action::Submit {
            state: need(i.state, "state")?,
            submitted_on: need(i.date, "date")?,
            dossier_reference: need(i.dossier_reference, "dossierReference")?,
        },
        K::RecordInterview => Action::RecordInterview {
            interviewed_on: need(i.date, "date")?,
        },
        K::RecordDecision => Action::RecordDecision {
            decision: need(i.decision, "decision")?.into(),
            decided_on: need(i.date, "date")?,
        },
        K::RecordDeparture => Action::RecordDeparture {
            departed_on: need(i.date, "date")?,
        },
        K::Exit => Action::Exit {
            reason: need(i.exit_reason, "exitReason")?.into(),
            note: i.note,
        },
    })
}

/// The resettlement module's mutations.
#[derive(Default)]
pub struct ResettlementMutation;

/// The resettlement module's mutations.
#[Object]
impl ResettlementMutation {
    /// Identify a family's resettlement need (resettlement staff), or hand a family over from
    /// a protection case of your unit (protection officers, naming `protectionCaseId`).
    #[graphql(guard = "ModuleGuard(Module::Resettlement)")]
    async fn open_resettlement_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OpenResettlementCaseInput,
    ) -> GqlResult<ResettlementCasePayload> {
        let claim = claim_of("openResettlementCase", &input.client_mutation_id, &input);
        let new = store::NewResettlementCase {
            principal_id: input.principal_id.0,
            member_ids: input.member_ids.into_iter().map(|i| i.0).collect(),
            categories: input.categories,
            priority: input.priority.map_or(domain::Priority::Normal, Into::into),
            summary: input.summary,
            protection_case_id: input.protection_case_id.map(|i| i.0),
        };
        let scope = scope(ctx)?.clone();
        let st = state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            Ok(ResettlementCasePayload {
                client_mutation_id: cmid,
                case_id: store::open(conn, &s, &new)?,
            })
        })
        .await;
        audit_refusal(ctx, "openResettlementCase", None, outcome).await
    }

    /// Take one step of a resettlement case: refused (FORBIDDEN or VALIDATION, with the reason)
    /// unless the case's allowedActions include it.
    #[graphql(guard = "ModuleGuard(Module::Resettlement)")]
    async fn act_on_resettlement_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ActOnResettlementCaseInput,
    ) -> GqlResult<ResettlementCasePayload> {
        let target = (
            input.client_mutation_id.clone(),
            input.case_id.0.clone(),
            input.version,
        );
        guarded::step(
            ctx,
            "actOnResettlementCase",
            target,
            input,
            |conn, s, id, version, input| store::act(conn, s, id, version, action_of(input)?),
        )
        .await
    }
}
