//! Protection case management over GraphQL: the `protectionCases` lists (the follow-ups-due
//! queue among them), one case with what it allows now, and the mutations of the procedure in
//! `domain::protection`, each idempotent by clientMutationId and checked against the version
//! read. Details of a case whose category is sensitive (SGBV, torture, medical) are withheld
//! from callers whose roles do not hold that field group.

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
use crate::domain::protection::{self as domain, Action};
use crate::store::idempotency::run_once;
use crate::store::protection::{self as store, ProtectionList};
use crate::store::{DbConn, new_id};

/// An action on a protection case, as `allowedActions` lists them.
// Mapped variant for variant from the domain: a new action not added here fails to compile.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::protection::ActionKind")]
pub enum ProtectionAction {
    /// Reassess the risk level (updateProtectionRisk).
    UpdateRisk,
    /// Add an action to the case plan (addProtectionPlanAction).
    AddPlanAction,
    /// Record a plan action as done (completeProtectionPlanAction).
    CompletePlanAction,
    /// Refer to a service (referProtectionCase).
    Refer,
    /// Record what came of a referral (recordReferralOutcome).
    RecordReferralOutcome,
    /// Plan a follow-up (scheduleFollowUp).
    ScheduleFollowUp,
    /// Record a follow-up held (recordFollowUp).
    RecordFollowUp,
    /// Record a child's Best Interests Assessment (recordBestInterestsAssessment).
    RecordBia,
    /// Record a Best Interests Determination panel's decision (recordBestInterestsDetermination).
    RecordBid,
    /// Assign the case to a protection officer (assignProtectionCase).
    Assign,
    /// Close the case with a reason (closeProtectionCase).
    Close,
    /// Reopen a closed case (reopenProtectionCase).
    Reopen,
}

/// How grave a protection risk is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::protection::RiskLevel")]
pub enum ProtectionRiskLevel {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Immediate danger to life, safety or liberty.
    Critical,
}

/// Why a protection case was closed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::protection::ClosureReason")]
pub enum ProtectionClosureReason {
    /// The plan's goals were reached (needs every plan action, referral and BID done).
    NeedsMet,
    /// A durable solution (same requirement as NEEDS_MET).
    DurableSolution,
    /// No contact despite follow-up.
    LostContact,
    /// Moved out of the area served.
    Relocated,
    /// Handed to another organisation.
    Transferred,
    /// The person died.
    Deceased,
    /// The person declined further services.
    DeclinedServices,
}

/// What came of a referral.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::protection::ReferralOutcome")]
pub enum ReferralOutcome {
    /// The service took the person on.
    Accepted,
    /// The service or the person declined.
    Declined,
    /// The service was delivered.
    Completed,
    /// The service did not answer.
    NoResponse,
}

/// Which protection cases a list shows.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum ProtectionCaseList {
    /// Open cases, latest activity first.
    #[default]
    Open,
    /// Open cases with a follow-up due today or earlier (the unit's calendar), most overdue
    /// first: the protection officers' work.
    FollowUpsDue,
    /// Closed cases, latest first.
    Closed,
}

/// A protection case: intake, plan, referrals, follow-ups, best-interests records, closure.
pub struct ProtectionCase {
    case: Arc<store::ProtectionCase>,
    /// The caller lacks the field group of the case's category: details are withheld.
    restricted: bool,
}

impl ProtectionCase {
    fn new(case: store::ProtectionCase, ctx: &Context<'_>) -> Self {
        let restricted = match (case.state.field_group(), scope(ctx)) {
            (Some(g), Ok(s)) => !s.sees(g),
            (Some(_), Err(_)) => true,
            (None, _) => false,
        };
        Self {
            case: Arc::new(case),
            restricted,
        }
    }

    /// A detail, or None when withheld.
    fn detail<T>(&self, v: T) -> Option<T> {
        (!self.restricted).then_some(v)
    }
}

/// Someone a protection case follows.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ProtectionMember {
    /// The individual.
    pub individual_id: ID,
    /// Whether the case is mainly about them.
    pub principal: bool,
    /// Whether they are under 18 today.
    pub child: bool,
}

#[async_graphql::ComplexObject]
impl ProtectionMember {
    /// The individual's record (None outside your scope).
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        load_individual(ctx, &self.individual_id.0).await
    }
}

/// An action of the case plan.
#[derive(SimpleObject)]
pub struct ProtectionPlanAction {
    /// Its identifier within the case.
    pub id: String,
    /// What is to be done (None when withheld).
    pub description: Option<String>,
    /// The user responsible.
    pub responsible_id: ID,
    /// When it is due.
    pub due: NaiveDate,
    /// When it was done.
    pub completed_on: Option<NaiveDate>,
    /// What came of it (None when withheld or not done).
    pub outcome: Option<String>,
}

/// A referral to a service.
#[derive(SimpleObject)]
pub struct ProtectionReferral {
    /// Its identifier within the case.
    pub id: String,
    /// The service: health, psychosocial, legal_aid, shelter, education, livelihoods,
    /// cash_assistance, family_tracing, child_protection, sgbv_response (None when withheld).
    pub service: Option<String>,
    /// The organisation or service point (None when withheld).
    pub provider: Option<String>,
    /// When it was made.
    pub referred_on: NaiveDate,
    /// What came of it, once known.
    pub outcome: Option<ReferralOutcome>,
    /// A note on the outcome (None when withheld).
    pub outcome_note: Option<String>,
    /// When the outcome was recorded.
    pub outcome_on: Option<NaiveDate>,
}

/// A follow-up.
#[derive(SimpleObject)]
pub struct ProtectionFollowUp {
    /// Its identifier within the case.
    pub id: String,
    /// The day it is due.
    pub due: NaiveDate,
    /// Why (None when withheld).
    pub purpose: Option<String>,
    /// When it was held.
    pub done_on: Option<NaiveDate>,
    /// What was found (None when withheld or not held).
    pub note: Option<String>,
}

/// A Best Interests Assessment of a child.
#[derive(SimpleObject)]
pub struct BestInterestsAssessment {
    /// The child.
    pub child_id: ID,
    /// Who assessed.
    pub assessed_by: ID,
    /// When.
    pub assessed_on: NaiveDate,
    /// The assessment (None when withheld).
    pub summary: Option<String>,
    /// Whether a Best Interests Determination by a panel is needed.
    pub bid_needed: bool,
}

/// A Best Interests Determination: a panel's decision about a child.
#[derive(SimpleObject)]
pub struct BestInterestsDetermination {
    /// The child.
    pub child_id: ID,
    /// The decision (None when withheld).
    pub decision: Option<String>,
    /// The users who sat on the panel.
    pub panel: Vec<ID>,
    /// Who recorded it.
    pub recorded_by: ID,
    /// When the panel decided.
    pub decided_on: NaiveDate,
}

/// How a case ended.
#[derive(SimpleObject)]
pub struct ProtectionClosure {
    /// Why.
    pub reason: ProtectionClosureReason,
    /// A note (None when withheld).
    pub note: Option<String>,
    /// Who closed it.
    pub closed_by: ID,
    /// When.
    pub closed_on: NaiveDate,
}

/// One step of a case's history.
#[derive(SimpleObject)]
pub struct ProtectionEvent {
    /// What happened: opened, update_risk, add_plan_action, refer, record_bia, close, ...
    pub kind: String,
    /// Who did it (username).
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A protection case.
#[Object]
impl ProtectionCase {
    /// The case's identifier.
    async fn id(&self) -> ID {
        ID(self.case.row.id.clone())
    }
    /// Its number, e.g. UNHCR-P-0000012.
    async fn case_number(&self) -> &str {
        &self.case.row.case_number
    }
    /// open or closed.
    async fn status(&self) -> &str {
        self.case.state.status.as_str()
    }
    /// The specific-needs code the case is about (CR, SC, WR, ER, SP, DS, SM, FU, LP, TR, SV);
    /// None when withheld.
    async fn category(&self) -> Option<&str> {
        self.detail(self.case.state.category.as_str())
    }
    /// The sub-code, if any; None when withheld.
    async fn sub_code(&self) -> Option<&str> {
        self.detail(self.case.state.sub_code.as_deref()).flatten()
    }
    /// Whether details are withheld because the category is SGBV, torture or medical and your
    /// roles do not include that field group.
    async fn restricted(&self) -> bool {
        self.restricted
    }
    /// The risk level.
    async fn risk_level(&self) -> ProtectionRiskLevel {
        self.case.state.risk.into()
    }
    /// What intake found (None when withheld).
    async fn intake_summary(&self) -> Option<&str> {
        self.detail(self.case.state.intake_summary.as_str())
    }
    /// The office the case belongs to.
    async fn office_id(&self) -> ID {
        ID(self.case.row.office_id.clone())
    }
    /// The person the case is mainly about.
    async fn principal_id(&self) -> ID {
        ID(self.case.row.principal_id.clone())
    }
    /// The people the case follows.
    async fn members(&self, ctx: &Context<'_>) -> GqlResult<Vec<ProtectionMember>> {
        let today = today(ctx).await?;
        Ok(self
            .case
            .state
            .members
            .iter()
            .map(|m| ProtectionMember {
                individual_id: ID(m.individual_id.clone()),
                principal: m.principal,
                child: m.is_child(today),
            })
            .collect())
    }
    /// The protection officer managing the case.
    async fn assigned_officer_id(&self) -> Option<ID> {
        self.case.state.assigned_officer.clone().map(ID)
    }
    /// The earliest follow-up not yet held (None when closed or none planned).
    async fn next_follow_up(&self) -> Option<NaiveDate> {
        self.case.row.next_follow_up
    }
    /// When intake took place.
    async fn opened_on(&self) -> NaiveDate {
        self.case.state.opened_on
    }
    /// The case plan.
    async fn plan(&self) -> Vec<ProtectionPlanAction> {
        self.case
            .state
            .plan
            .iter()
            .map(|a| ProtectionPlanAction {
                id: a.id.clone(),
                description: self.detail(a.description.clone()),
                responsible_id: ID(a.responsible_id.clone()),
                due: a.due,
                completed_on: a.completed_on,
                outcome: self.detail(a.outcome.clone()).flatten(),
            })
            .collect()
    }
    /// Referrals to services.
    async fn referrals(&self) -> Vec<ProtectionReferral> {
        self.case
            .state
            .referrals
            .iter()
            .map(|r| ProtectionReferral {
                id: r.id.clone(),
                service: self.detail(r.service.clone()),
                provider: self.detail(r.provider.clone()),
                referred_on: r.referred_on,
                outcome: r.outcome.map(Into::into),
                outcome_note: self.detail(r.outcome_note.clone()).flatten(),
                outcome_on: r.outcome_on,
            })
            .collect()
    }
    /// Follow-ups, planned and held.
    async fn follow_ups(&self) -> Vec<ProtectionFollowUp> {
        self.case
            .state
            .follow_ups
            .iter()
            .map(|f| ProtectionFollowUp {
                id: f.id.clone(),
                due: f.due,
                purpose: self.detail(f.purpose.clone()),
                done_on: f.done_on,
                note: self.detail(f.note.clone()).flatten(),
            })
            .collect()
    }
    /// Best Interests Assessments of the children.
    async fn best_interests_assessments(&self) -> Vec<BestInterestsAssessment> {
        self.case
            .state
            .bias
            .iter()
            .map(|b| BestInterestsAssessment {
                child_id: ID(b.child_id.clone()),
                assessed_by: ID(b.assessed_by.clone()),
                assessed_on: b.assessed_on,
                summary: self.detail(b.summary.clone()),
                bid_needed: b.bid_needed,
            })
            .collect()
    }
    /// Best Interests Determinations.
    async fn best_interests_determinations(&self) -> Vec<BestInterestsDetermination> {
        self.case
            .state
            .bids
            .iter()
            .map(|b| BestInterestsDetermination {
                child_id: ID(b.child_id.clone()),
                decision: self.detail(b.decision.clone()),
                panel: b.panel.iter().cloned().map(ID).collect(),
                recorded_by: ID(b.recorded_by.clone()),
                decided_on: b.decided_on,
            })
            .collect()
    }
    /// How the case ended, when closed.
    async fn closure(&self) -> Option<ProtectionClosure> {
        self.case.state.closure.as_ref().map(|c| ProtectionClosure {
            reason: c.reason.into(),
            note: self.detail(c.note.clone()).flatten(),
            closed_by: ID(c.closed_by.clone()),
            closed_on: c.closed_on,
        })
    }
    /// The version to send with the next action.
    async fn version(&self) -> i32 {
        self.case.row.version
    }
    /// Exactly what you may do on the case now.
    async fn allowed_actions(&self, ctx: &Context<'_>) -> GqlResult<Vec<ProtectionAction>> {
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
    async fn history(&self, ctx: &Context<'_>) -> GqlResult<Vec<ProtectionEvent>> {
        let id = self.case.row.id.clone();
        state(ctx)
            .db
            .read(move |c| store::history(c, &id))
            .await
            .map(|v| {
                v.into_iter()
                    .map(|e| ProtectionEvent {
                        kind: e.kind,
                        actor: e.actor,
                        at: utc(e.at),
                    })
                    .collect()
            })
            .map_err(gql)
    }
}

/// Today in the caller's unit.
async fn today(ctx: &Context<'_>) -> GqlResult<NaiveDate> {
    let scope = scope(ctx).map_err(gql)?.clone();
    state(ctx)
        .db
        .read(move |c| store::today(c, &scope))
        .await
        .map_err(gql)
}

/// A page of protection cases.
#[derive(SimpleObject)]
pub struct ProtectionCasePage {
    /// The cases of this page.
    pub nodes: Vec<ProtectionCase>,
    /// Paging information.
    pub page_info: PageInfo,
}

/// Reads of protection cases.
#[derive(Default)]
pub struct ProtectionQuery;

/// Reads of protection cases. Every case read is audited.
#[Object]
impl ProtectionQuery {
    /// Protection cases you may see: open ones (default), those with a follow-up due, or
    /// closed ones.
    #[graphql(
        guard = "ModuleGuard(Module::Protection)",
        complexity = "crate::graphql::page_cost(first, 20, child_complexity)"
    )]
    async fn protection_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which cases (default OPEN).")] list: Option<ProtectionCaseList>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last page's endCursor.")] after: Option<String>,
    ) -> GqlResult<ProtectionCasePage> {
        let which = match list.unwrap_or_default() {
            ProtectionCaseList::Open => ProtectionList::Open,
            ProtectionCaseList::FollowUpsDue => ProtectionList::FollowUpsDue,
            ProtectionCaseList::Closed => ProtectionList::Closed,
        };
        let (nodes, page_info) = guarded::case_page(
            ctx,
            "list_protection_cases",
            first,
            after.as_deref(),
            move |c, s, r, first, offset| store::list(c, s, r, which, first, offset),
            |c| ProtectionCase::new(c, ctx),
        )
        .await?;
        Ok(ProtectionCasePage { nodes, page_info })
    }

    /// One protection case by id (NOT_FOUND if it does not exist or is outside your scope).
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn protection_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case's id.")] id: ID,
    ) -> GqlResult<ProtectionCase> {
        guarded::one_case(ctx, &id.0, store::get, |c| ProtectionCase::new(c, ctx)).await
    }
}

/// The input of `openProtectionCase`.
#[derive(InputObject)]
pub struct OpenProtectionCaseInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The person the case is mainly about.
    pub principal_id: ID,
    /// Others the case follows (family members), if any.
    #[graphql(default)]
    pub member_ids: Vec<ID>,
    /// A specific-needs code: CR, SC, WR, ER, SP, DS, SM, FU, LP, TR or SV.
    pub category: String,
    /// A sub-code of that code, e.g. CR-LW.
    pub sub_code: Option<String>,
    /// The risk level found at intake.
    pub risk_level: ProtectionRiskLevel,
    /// What intake found, in a few sentences.
    pub intake_summary: String,
}

/// Declares an action's input: the case, the version read, the request's id and the action's
/// own fields (the case it names is its [`guarded::Target`]).
macro_rules! action_input {
    ($(#[$doc:meta])* $name:ident { $($(#[$attr:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(InputObject)]
        pub struct $name {
            /// Your id for this request; a retry with the same id acts only once.
            pub client_mutation_id: String,
            /// The case.
            pub case_id: ID,
            /// The case's version as you read it (CONFLICT when it moved since).
            pub version: i32,
            $($(#[$attr])* pub $field: $ty,)*
        }

        impl Target for $name {
            fn target(&self) -> guarded::Target {
                (self.client_mutation_id.clone(), self.case_id.0.clone(), self.version)
            }
        }
    };
}

/// The case an action's input names.
trait Target {
    fn target(&self) -> guarded::Target;
}

action_input!(
    /// The input of `updateProtectionRisk`.
    UpdateProtectionRiskInput {
        /// The new level.
        risk_level: ProtectionRiskLevel,
        /// Why it changed.
        reason: String,
    }
);
action_input!(
    /// The input of `addProtectionPlanAction`.
    AddProtectionPlanActionInput {
        /// Your identifier for the action (letters, digits, - or _); made by the server if
        /// left out.
        action_id: Option<String>,
        /// What is to be done.
        description: String,
        /// The protection officer or supervisor responsible.
        responsible_id: ID,
        /// When it is due (today or later).
        due: NaiveDate,
    }
);
action_input!(
    /// The input of `completeProtectionPlanAction`.
    CompleteProtectionPlanActionInput {
        /// The plan action.
        action_id: String,
        /// What came of it.
        outcome: String,
    }
);
action_input!(
    /// The input of `referProtectionCase`.
    ReferProtectionCaseInput {
        /// Your identifier for the referral; made by the server if left out.
        referral_id: Option<String>,
        /// health, psychosocial, legal_aid, shelter, education, livelihoods, cash_assistance,
        /// family_tracing, child_protection or sgbv_response.
        service: String,
        /// The organisation or service point.
        provider: String,
        /// The person (or a child's caregiver) gave informed consent to the referral and to
        /// what is shared; required.
        consent: bool,
    }
);
action_input!(
    /// The input of `recordReferralOutcome`.
    RecordReferralOutcomeInput {
        /// The referral.
        referral_id: String,
        /// What came of it.
        outcome: ReferralOutcome,
        /// A note.
        note: Option<String>,
    }
);
action_input!(
    /// The input of `scheduleFollowUp`.
    ScheduleFollowUpInput {
        /// Your identifier for the follow-up; made by the server if left out.
        follow_up_id: Option<String>,
        /// The day (today or later); from that day it is in the follow-ups-due list.
        due: NaiveDate,
        /// Why.
        purpose: String,
    }
);
action_input!(
    /// The input of `recordFollowUp`.
    RecordFollowUpInput {
        /// The follow-up.
        follow_up_id: String,
        /// What was found.
        note: String,
    }
);
action_input!(
    /// The input of `recordBestInterestsAssessment`.
    RecordBestInterestsAssessmentInput {
        /// A member of the case under 18.
        child_id: ID,
        /// The assessment.
        summary: String,
        /// Whether a formal determination by a panel is needed.
        bid_needed: bool,
    }
);
action_input!(
    /// The input of `recordBestInterestsDetermination`.
    RecordBestInterestsDeterminationInput {
        /// The child whose latest assessment asked for it.
        child_id: ID,
        /// The panel's decision.
        decision: String,
        /// The users who sat on the panel: at least three, not the assessor.
        panel: Vec<ID>,
    }
);
action_input!(
    /// The input of `assignProtectionCase`.
    AssignProtectionCaseInput {
        /// A protection officer of your unit.
        officer_id: ID,
    }
);
action_input!(
    /// The input of `closeProtectionCase`.
    CloseProtectionCaseInput {
        /// Why.
        reason: ProtectionClosureReason,
        /// A note.
        note: Option<String>,
    }
);
action_input!(
    /// The input of `reopenProtectionCase`.
    ReopenProtectionCaseInput {
        /// Why the case is taken up again.
        reason: String,
    }
);

/// After an action or an intake.
#[derive(Serialize, Deserialize)]
pub struct ProtectionCasePayload {
    client_mutation_id: String,
    case_id: String,
}

impl guarded::StepPayload for ProtectionCasePayload {
    fn new(client_mutation_id: String, case_id: String) -> Self {
        Self {
            client_mutation_id,
            case_id,
        }
    }
}

/// After an action or an intake.
#[Object]
impl ProtectionCasePayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The case as it is now.
    async fn protection_case(&self, ctx: &Context<'_>) -> GqlResult<Option<ProtectionCase>> {
        let id = self.case_id.clone();
        let case = scoped_read(ctx, "read", None, move |c, s, r| store::get(c, s, r, &id)).await?;
        Ok(Some(ProtectionCase::new(case, ctx)))
    }
}

/// Runs one protection action idempotently and audits a refusal. `action` builds the domain
/// action inside the transaction (so identifiers it makes are made once).
async fn step<I>(
    ctx: &Context<'_>,
    kind: domain::ActionKind,
    input: I,
    action: impl FnOnce(I) -> Action + Send + 'static,
) -> GqlResult<ProtectionCasePayload>
where
    I: Target + async_graphql::InputType + Send + 'static,
{
    let target = input.target();
    guarded::step(
        ctx,
        domain::info(kind).mutation,
        target,
        input,
        move |conn, s, id, version, input| store::act(conn, s, id, version, action(input)),
    )
    .await
}

/// An identifier a client may leave to the server.
fn or_new(id: Option<String>) -> String {
    id.map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
        .unwrap_or_else(new_id)
}

/// The protection module's mutations. Each names the case and the version read, is idempotent
/// by clientMutationId, and is refused (FORBIDDEN or VALIDATION, with the reason) unless the
/// case's allowedActions include it.
#[derive(Default)]
pub struct ProtectionMutation;

/// The protection module's mutations.
#[Object]
impl ProtectionMutation {
    /// Intake: open a protection case for people you may see, with its category, risk level
    /// and what intake found.
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn open_protection_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OpenProtectionCaseInput,
    ) -> GqlResult<ProtectionCasePayload> {
        let claim = claim_of("openProtectionCase", &input.client_mutation_id, &input);
        let new = store::NewProtectionCase {
            principal_id: input.principal_id.0,
            member_ids: input.member_ids.into_iter().map(|i| i.0).collect(),
            category: input.category.trim().to_uppercase(),
            sub_code: input
                .sub_code
                .map(|c| c.trim().to_uppercase())
                .filter(|c| !c.is_empty()),
            risk: input.risk_level.into(),
            intake_summary: input.intake_summary,
        };
        let scope = scope(ctx)?.clone();
        let st = state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            Ok(ProtectionCasePayload {
                client_mutation_id: cmid,
                case_id: store::open(conn, &s, &new)?,
            })
        })
        .await;
        audit_refusal(ctx, "openProtectionCase", None, outcome).await
    }

    /// Reassess the case's risk level, saying why.
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn update_protection_risk(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateProtectionRiskInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::UpdateRisk, input, |i| {
            Action::UpdateRisk {
                level: i.risk_level.into(),
                reason: i.reason,
            }
        })
        .await
    }

    /// Add an action to the case plan, with the person responsible and a due date.
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn add_protection_plan_action(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddProtectionPlanActionInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::AddPlanAction, input, |i| {
            Action::AddPlanAction {
                action_id: or_new(i.action_id),
                description: i.description,
                responsible_id: i.responsible_id.0,
                due: i.due,
            }
        })
        .await
    }

    /// Record a plan action as done, with what came of it.
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn complete_protection_plan_action(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CompleteProtectionPlanActionInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::CompletePlanAction, input, |i| {
            Action::CompletePlanAction {
                action_id: i.action_id,
                outcome: i.outcome,
            }
        })
        .await
    }

    /// Refer the case to a service, with the person's informed consent.
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn refer_protection_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ReferProtectionCaseInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::Refer, input, |i| Action::Refer {
            referral_id: or_new(i.referral_id),
            service: i.service.trim().to_string(),
            provider: i.provider,
            consent: i.consent,
        })
        .await
    }

    /// Record what came of a referral.
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn record_referral_outcome(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordReferralOutcomeInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::RecordReferralOutcome, input, |i| {
            Action::RecordReferralOutcome {
                referral_id: i.referral_id,
                outcome: i.outcome.into(),
                note: i.note,
            }
        })
        .await
    }

    /// Plan a follow-up on a day; from that day the case is in the follow-ups-due list.
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn schedule_follow_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ScheduleFollowUpInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::ScheduleFollowUp, input, |i| {
            Action::ScheduleFollowUp {
                follow_up_id: or_new(i.follow_up_id),
                due: i.due,
                purpose: i.purpose,
            }
        })
        .await
    }

    /// Record a follow-up held, with what was found.
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn record_follow_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordFollowUpInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::RecordFollowUp, input, |i| {
            Action::RecordFollowUp {
                follow_up_id: i.follow_up_id,
                note: i.note,
            }
        })
        .await
    }

    /// Record a child member's Best Interests Assessment.
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn record_best_interests_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordBestInterestsAssessmentInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::RecordBia, input, |i| {
            Action::RecordBia {
                child_id: i.child_id.0,
                summary: i.summary,
                bid_needed: i.bid_needed,
            }
        })
        .await
    }

    /// Record a Best Interests Determination panel's decision (supervisors).
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn record_best_interests_determination(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordBestInterestsDeterminationInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::RecordBid, input, |i| {
            Action::RecordBid {
                child_id: i.child_id.0,
                decision: i.decision,
                panel: i.panel.into_iter().map(|p| p.0).collect(),
            }
        })
        .await
    }

    /// Assign the case to a protection officer (supervisors).
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn assign_protection_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AssignProtectionCaseInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::Assign, input, |i| Action::Assign {
            officer_id: i.officer_id.0,
        })
        .await
    }

    /// Close the case with a reason (high or critical risk: supervisors).
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn close_protection_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CloseProtectionCaseInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::Close, input, |i| Action::Close {
            reason: i.reason.into(),
            note: i.note,
        })
        .await
    }

    /// Reopen a closed case (supervisors).
    #[graphql(guard = "ModuleGuard(Module::Protection)")]
    async fn reopen_protection_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ReopenProtectionCaseInput,
    ) -> GqlResult<ProtectionCasePayload> {
        step(ctx, domain::ActionKind::Reopen, input, |i| Action::Reopen {
            reason: i.reason,
        })
        .await
    }
}
