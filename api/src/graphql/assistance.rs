//! Assistance over GraphQL: `assistanceProgrammes` with their eligibility rules, assessments of
//! households, distribution lists per site and date, `distributions` and the reconciliation of
//! planned against distributed per site. Every mutation is idempotent by clientMutationId and
//! every update checks the version read; every read of households is audited. An assessment's
//! explanation is withheld from callers whose roles lack a field group it reveals (a rule on
//! SGBV needs, say).

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::connection::{PageInfo, offset_info, offset_page};
use super::context::{GqlResult, ModuleGuard, audit_refusal, claim_of, gql, scope, scoped_read};
use super::types::utc;
use crate::domain::access::Module;
use crate::domain::assistance::{self as domain, ProgrammeInput};
use crate::store::DbConn;
use crate::store::assistance as store;
use crate::store::idempotency::run_once;

/// Cash or goods.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::assistance::ProgrammeKind")]
pub enum AssistanceKind {
    /// Cash (the amount is money).
    Cash,
    /// Goods: food, hygiene or shelter kits, and the like.
    InKind,
}

/// How the recipient of a distribution was verified.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::assistance::VerificationMethod")]
pub enum RecipientVerification {
    /// The number of a document registered to the recipient, typed at the site.
    Document,
    /// A matched 1:1 `verifyIdentity` of the recipient by you in the last 15 minutes.
    Biometric,
}

/// An assistance programme.
pub struct AssistanceProgramme(Arc<store::ProgrammeRow>);

/// An assistance programme: what a household receives per cycle and who is eligible.
#[Object]
impl AssistanceProgramme {
    /// Its identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Cash or in kind.
    async fn kind(&self) -> AssistanceKind {
        domain::ProgrammeKind::parse(&self.0.kind)
            .unwrap_or(domain::ProgrammeKind::InKind)
            .into()
    }
    /// What one household receives per cycle.
    async fn amount(&self) -> f64 {
        self.0.amount
    }
    /// The amount's unit: USD, kit, kg, ...
    async fn amount_unit(&self) -> &str {
        &self.0.amount_unit
    }
    /// How many cycles the programme runs (1 to n).
    async fn cycles(&self) -> i32 {
        self.0.cycles
    }
    /// The eligibility rule as stored (JSON; the form is in the README, "Assistance").
    async fn eligibility(&self) -> &str {
        &self.0.eligibility
    }
    /// Whether lists may still be planned.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// The version to send with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A household assessed against a programme's rule.
pub struct EligibilityAssessment {
    row: Arc<store::AssessmentRow>,
    restricted: bool,
}

impl EligibilityAssessment {
    fn new(row: store::AssessmentRow, ctx: &Context<'_>) -> Self {
        let restricted = match scope(ctx) {
            Ok(s) => row.groups().into_iter().any(|g| !s.sees(g)),
            Err(_) => true,
        };
        Self {
            row: Arc::new(row),
            restricted,
        }
    }
    fn detail<T>(&self, v: T) -> Option<T> {
        (!self.restricted).then_some(v)
    }
}

/// The outcome of a programme's rule for one household, when it was assessed.
#[Object]
impl EligibilityAssessment {
    /// Its identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// The programme.
    async fn programme_id(&self) -> ID {
        ID(self.row.programme_id.clone())
    }
    /// The household (registration group).
    async fn group_id(&self) -> ID {
        ID(self.row.group_id.clone())
    }
    /// Whether the household met the rule.
    async fn eligible(&self) -> bool {
        self.row.eligible
    }
    /// The conditions that held: household_size, member_age, nationality, need:CODE,
    /// registered (None when withheld).
    async fn criteria_met(&self) -> Option<Vec<String>> {
        self.detail(
            self.row
                .criteria_met
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        )
    }
    /// Why, in English: "eligible: household of 6 with a child under 5 and a serious medical
    /// condition" (None when withheld).
    async fn explanation_en(&self) -> Option<&str> {
        self.detail(self.row.explanation_en.as_str())
    }
    /// Why, in Spanish (None when withheld).
    async fn explanation_es(&self) -> Option<&str> {
        self.detail(self.row.explanation_es.as_str())
    }
    /// Whether the criteria and explanation are withheld because they reveal a field group
    /// (SGBV, torture, medical) your roles do not hold.
    async fn restricted(&self) -> bool {
        self.restricted
    }
    /// When.
    async fn assessed_at(&self) -> DateTime<Utc> {
        utc(self.row.assessed_at)
    }
}

/// A distribution list.
pub struct DistributionList(Arc<store::ListRow>);

/// A programme's cycle at one site on one day, with the households planned on it.
#[Object]
impl DistributionList {
    /// Its identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The programme.
    async fn programme_id(&self) -> ID {
        ID(self.0.programme_id.clone())
    }
    /// The programme's record.
    async fn programme(&self, ctx: &Context<'_>) -> GqlResult<AssistanceProgramme> {
        let id = self.0.programme_id.clone();
        let p = scoped_read(ctx, "read", None, move |c, s, _| {
            store::programme(c, s, &id)
        })
        .await?;
        Ok(AssistanceProgramme(Arc::new(p)))
    }
    /// The programme's cycle.
    async fn cycle(&self) -> i32 {
        self.0.cycle
    }
    /// Where the distribution takes place.
    async fn site(&self) -> &str {
        &self.0.site
    }
    /// The day of the distribution.
    async fn date(&self) -> NaiveDate {
        self.0.distribution_date
    }
    /// The version to send when adding households.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// How many households the list plans.
    async fn planned(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        self.counts(ctx).await.map(|c| c.0)
    }
    /// How many of them received their entitlement (here or at another site).
    async fn distributed(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        self.counts(ctx).await.map(|c| c.1)
    }
    /// The households planned on the list, by group number (each read audited).
    async fn entries(&self, ctx: &Context<'_>) -> GqlResult<Vec<DistributionListEntry>> {
        let id = self.0.id.clone();
        let rows = scoped_read(ctx, "read", Some(&self.0.id), move |c, s, r| {
            store::entries(c, s, r, &id)
        })
        .await?;
        Ok(rows.into_iter().map(DistributionListEntry::from).collect())
    }
}

impl DistributionList {
    async fn counts(&self, ctx: &Context<'_>) -> GqlResult<(i32, i32)> {
        let id = self.0.id.clone();
        let (p, d) = scoped_read(ctx, "read", None, move |c, s, _| {
            store::list_counts(c, s, &id)
        })
        .await?;
        Ok((p as i32, d as i32))
    }
}

/// A household planned on a list.
#[derive(SimpleObject)]
pub struct DistributionListEntry {
    /// The entitlement.
    pub entitlement_id: ID,
    /// The household (registration group).
    pub group_id: ID,
    /// Its group number.
    pub group_number: String,
    /// The focal point (or the first member), who usually collects.
    pub focal_point_id: Option<ID>,
    /// The focal point's name as registered.
    pub focal_point_name: Option<String>,
    /// Members of the household today.
    pub members: i32,
    /// What the household is entitled to this cycle.
    pub amount: f64,
    /// The assessment that made it eligible.
    pub assessment_id: ID,
    /// The distribution, once made (at this site or another).
    pub distribution: Option<Distribution>,
}

impl From<store::ListEntry> for DistributionListEntry {
    fn from(e: store::ListEntry) -> Self {
        Self {
            entitlement_id: ID(e.entitlement.id),
            group_id: ID(e.entitlement.group_id),
            group_number: e.group_number,
            focal_point_id: e.focal_point.as_ref().map(|f| ID(f.0.clone())),
            focal_point_name: e.focal_point.map(|(_, given, family)| match family {
                Some(f) => format!("{given} {f}"),
                None => given,
            }),
            members: e.members as i32,
            amount: e.entitlement.amount,
            assessment_id: ID(e.entitlement.assessment_id),
            distribution: e.distribution.map(Distribution::from),
        }
    }
}

/// A household's entitlement handed to a verified member.
#[derive(SimpleObject, Clone)]
pub struct Distribution {
    /// Its identifier.
    pub id: ID,
    /// The list it was recorded on.
    pub list_id: ID,
    /// The programme.
    pub programme_id: ID,
    /// The programme's cycle.
    pub cycle: i32,
    /// The household.
    pub group_id: ID,
    /// Where it was handed over.
    pub site: String,
    /// The member who collected it.
    pub recipient_id: ID,
    /// How they were verified.
    pub method: RecipientVerification,
    /// The user who recorded it.
    pub distributed_by: ID,
    /// When.
    pub distributed_at: DateTime<Utc>,
}

impl From<store::DistributionRow> for Distribution {
    fn from(d: store::DistributionRow) -> Self {
        Self {
            id: ID(d.id),
            list_id: ID(d.list_id),
            programme_id: ID(d.programme_id),
            cycle: d.cycle,
            group_id: ID(d.group_id),
            site: d.site,
            recipient_id: ID(d.recipient_id),
            method: domain::VerificationMethod::parse(&d.method)
                .unwrap_or(domain::VerificationMethod::Document)
                .into(),
            distributed_by: ID(d.distributed_by),
            distributed_at: utc(d.distributed_at),
        }
    }
}

/// A page of distributions.
#[derive(SimpleObject)]
pub struct DistributionPage {
    /// The distributions of this page, latest first.
    pub nodes: Vec<Distribution>,
    /// Paging information.
    pub page_info: PageInfo,
}

/// One site's line of a reconciliation.
#[derive(SimpleObject)]
pub struct SiteReconciliation {
    /// The site.
    pub site: String,
    /// Entitlements planned on the site's lists.
    pub planned: i32,
    /// Of them, distributed (here or at another site).
    pub distributed_of_planned: i32,
    /// Planned here and not yet distributed anywhere.
    pub outstanding: i32,
    /// Distributions recorded at the site, whatever list planned them.
    pub distributed_here: i32,
}

/// Reads of assistance.
#[derive(Default)]
pub struct AssistanceQuery;

/// Reads of assistance. Reads of households are audited.
#[Object]
impl AssistanceQuery {
    /// Your unit's assistance programmes, active ones first.
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn assistance_programmes(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<AssistanceProgramme>> {
        let rows = scoped_read(ctx, "read", None, |c, s, _| store::programmes(c, s)).await?;
        Ok(rows
            .into_iter()
            .map(|r| AssistanceProgramme(Arc::new(r)))
            .collect())
    }

    /// One programme of your unit (NOT_FOUND otherwise).
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn assistance_programme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The programme's id.")] id: ID,
    ) -> GqlResult<AssistanceProgramme> {
        let rid = id.0.clone();
        let p = scoped_read(ctx, "read", Some(&id.0), move |c, s, _| {
            store::programme(c, s, &rid)
        })
        .await?;
        Ok(AssistanceProgramme(Arc::new(p)))
    }

    /// One eligibility assessment of your unit (NOT_FOUND otherwise).
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn eligibility_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assessment's id.")] id: ID,
    ) -> GqlResult<EligibilityAssessment> {
        let rid = id.0.clone();
        let a = scoped_read(ctx, "read", Some(&id.0), move |c, s, r| {
            let a = store::assessment(c, s, &rid)?;
            r.record("eligibility_assessment", std::iter::once(a.id.clone()));
            Ok(a)
        })
        .await?;
        Ok(EligibilityAssessment::new(a, ctx))
    }

    /// The distribution lists you may see on a day (default: today in your unit), by site:
    /// the assistance staff's work of the day.
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn distribution_lists(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The day (default today).")] date: Option<NaiveDate>,
        #[graphql(desc = "Only this programme's lists.")] programme_id: Option<ID>,
    ) -> GqlResult<Vec<DistributionList>> {
        let rows = scoped_read(ctx, "read", None, move |c, s, _| {
            store::lists_on(c, s, date, programme_id.as_ref().map(|p| p.0.as_str()))
        })
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| DistributionList(Arc::new(r)))
            .collect())
    }

    /// One distribution list (NOT_FOUND if it does not exist or is outside your scope).
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn distribution_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's id.")] id: ID,
    ) -> GqlResult<DistributionList> {
        let rid = id.0.clone();
        let l = scoped_read(ctx, "read", Some(&id.0), move |c, s, _| {
            store::list(c, s, &rid)
        })
        .await?;
        Ok(DistributionList(Arc::new(l)))
    }

    /// Distributions recorded, latest first: of a list, or of a programme (and cycle). Every
    /// distribution read is audited.
    #[graphql(
        guard = "ModuleGuard(Module::Assistance)",
        complexity = "crate::graphql::page_cost(first, 20, child_complexity)"
    )]
    async fn distributions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this list's distributions.")] list_id: Option<ID>,
        #[graphql(desc = "Only this programme's distributions.")] programme_id: Option<ID>,
        #[graphql(desc = "With programmeId: only this cycle.")] cycle: Option<i32>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last page's endCursor.")] after: Option<String>,
    ) -> GqlResult<DistributionPage> {
        let (first, offset) = offset_page(first, after.as_deref()).map_err(gql)?;
        let (rows, more, read) = scoped_read(ctx, "list_distributions", None, move |c, s, r| {
            store::distributions_of(
                c,
                s,
                r,
                list_id.as_ref().map(|l| l.0.as_str()),
                programme_id.as_ref().map(|p| (p.0.as_str(), cycle)),
                first,
                offset,
            )
        })
        .await?;
        Ok(DistributionPage {
            nodes: rows.into_iter().map(Distribution::from).collect(),
            page_info: offset_info(offset, usize::try_from(read).unwrap_or(0), more),
        })
    }

    /// Planned against distributed, per site, for a programme's cycle (counts only).
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn assistance_reconciliation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The programme.")] programme_id: ID,
        #[graphql(desc = "The cycle.")] cycle: i32,
    ) -> GqlResult<Vec<SiteReconciliation>> {
        let rid = programme_id.0.clone();
        let rows = scoped_read(ctx, "read", Some(&programme_id.0), move |c, s, _| {
            store::reconciliation(c, s, &rid, cycle)
        })
        .await?;
        let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        Ok(rows
            .into_iter()
            .map(|t| SiteReconciliation {
                outstanding: n(t.outstanding()),
                site: t.site,
                planned: n(t.planned),
                distributed_of_planned: n(t.distributed_of_planned),
                distributed_here: n(t.distributed_here),
            })
            .collect())
    }
}

/// The input of `createAssistanceProgramme`.
#[derive(InputObject)]
pub struct CreateAssistanceProgrammeInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The programme's name (unique in your unit).
    pub name: String,
    /// Cash or in kind.
    pub kind: AssistanceKind,
    /// What one household receives per cycle.
    pub amount: f64,
    /// The amount's unit: USD, kit, kg, ...
    pub amount_unit: String,
    /// How many cycles (1 to 60).
    pub cycles: i32,
    /// The eligibility rule, JSON of the documented form, e.g.
    /// {"all": [{"household_size": {"min": 5}}, {"member_age": {"max": 4}}]}.
    pub eligibility: String,
}

/// The input of `updateAssistanceProgramme`.
#[derive(InputObject)]
pub struct UpdateAssistanceProgrammeInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The programme.
    pub id: ID,
    /// The version you read (CONFLICT when it moved since).
    pub version: i32,
    /// The name.
    pub name: String,
    /// Cash or in kind.
    pub kind: AssistanceKind,
    /// What one household receives per cycle (households already planned keep theirs).
    pub amount: f64,
    /// The amount's unit.
    pub amount_unit: String,
    /// How many cycles (not fewer than a cycle already planned).
    pub cycles: i32,
    /// The eligibility rule (applies to assessments from now on).
    pub eligibility: String,
    /// False closes the programme to new lists.
    pub active: bool,
}

/// After a programme was created or changed.
#[derive(Serialize, Deserialize)]
pub struct AssistanceProgrammePayload {
    client_mutation_id: String,
    programme_id: String,
}

/// After a programme was created or changed.
#[Object]
impl AssistanceProgrammePayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The programme as it is now.
    async fn programme(&self, ctx: &Context<'_>) -> GqlResult<AssistanceProgramme> {
        let id = self.programme_id.clone();
        let p = scoped_read(ctx, "read", None, move |c, s, _| {
            store::programme(c, s, &id)
        })
        .await?;
        Ok(AssistanceProgramme(Arc::new(p)))
    }
}

/// The input of `assessEligibility`.
#[derive(InputObject)]
pub struct AssessEligibilityInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The programme.
    pub programme_id: ID,
    /// The household (registration group).
    pub group_id: ID,
}

/// After an assessment.
#[derive(Serialize, Deserialize)]
pub struct AssessEligibilityPayload {
    client_mutation_id: String,
    assessment_id: String,
}

/// After an assessment.
#[Object]
impl AssessEligibilityPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The assessment recorded.
    async fn assessment(&self, ctx: &Context<'_>) -> GqlResult<EligibilityAssessment> {
        let id = self.assessment_id.clone();
        let a = scoped_read(ctx, "read", None, move |c, s, _| {
            store::assessment(c, s, &id)
        })
        .await?;
        Ok(EligibilityAssessment::new(a, ctx))
    }
}

/// The input of `createDistributionList`.
#[derive(InputObject)]
pub struct CreateDistributionListInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The programme.
    pub programme_id: ID,
    /// The programme's cycle.
    pub cycle: i32,
    /// The site (a name, e.g. "Quito - La Tola").
    pub site: String,
    /// The day of the distribution (not more than 30 days past).
    pub date: NaiveDate,
    /// Households to assess and plan (eligible ones get an entitlement on this list unless
    /// already planned in this cycle).
    #[graphql(default)]
    pub group_ids: Vec<ID>,
}

/// The input of `addToDistributionList`.
#[derive(InputObject)]
pub struct AddToDistributionListInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The list.
    pub list_id: ID,
    /// The list's version as you read it.
    pub version: i32,
    /// Households to assess and plan.
    pub group_ids: Vec<ID>,
}

/// What became of a household offered to a list.
#[derive(SimpleObject, Serialize, Deserialize, Clone)]
pub struct PlannedHousehold {
    /// The household.
    pub group_id: ID,
    /// The assessment made (its explanation says why).
    pub assessment_id: ID,
    /// The entitlement planned on this list; null when not eligible or already planned.
    pub entitlement_id: Option<ID>,
    /// The list where the household was already planned in this cycle.
    pub already_on_list_id: Option<ID>,
}

/// After a list was created or households were added.
#[derive(Serialize, Deserialize)]
pub struct DistributionListPayload {
    client_mutation_id: String,
    list_id: String,
    planned: Vec<PlannedHousehold>,
}

/// After a list was created or households were added.
#[Object]
impl DistributionListPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The list as it is now.
    async fn distribution_list(&self, ctx: &Context<'_>) -> GqlResult<DistributionList> {
        let id = self.list_id.clone();
        let l = scoped_read(ctx, "read", None, move |c, s, _| store::list(c, s, &id)).await?;
        Ok(DistributionList(Arc::new(l)))
    }
    /// What became of each household sent.
    async fn planned(&self) -> &[PlannedHousehold] {
        &self.planned
    }
}

fn planned(p: Vec<store::Planned>) -> Vec<PlannedHousehold> {
    p.into_iter()
        .map(|p| PlannedHousehold {
            group_id: ID(p.group_id),
            assessment_id: ID(p.assessment_id),
            entitlement_id: p.entitlement_id.map(ID),
            already_on_list_id: p.already_on_list.map(ID),
        })
        .collect()
}

/// The input of `recordDistribution`.
#[derive(InputObject)]
pub struct RecordDistributionInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The list of the site where you are.
    pub list_id: ID,
    /// The household.
    pub group_id: ID,
    /// The member who collects.
    pub recipient_id: ID,
    /// How you verified them.
    pub method: RecipientVerification,
    /// With DOCUMENT: the number of their document, as typed.
    pub document_number: Option<String>,
}

/// After a distribution was recorded.
#[derive(Serialize, Deserialize)]
pub struct RecordDistributionPayload {
    client_mutation_id: String,
    distribution_id: String,
}

/// After a distribution was recorded.
#[Object]
impl RecordDistributionPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The distribution's id.
    async fn distribution_id(&self) -> ID {
        ID(self.distribution_id.clone())
    }
}

/// Assistance mutations, each idempotent by clientMutationId.
#[derive(Default)]
pub struct AssistanceMutation;

fn programme_input(
    name: String,
    kind: AssistanceKind,
    amount: f64,
    unit: String,
    cycles: i32,
    eligibility: String,
) -> ProgrammeInput {
    ProgrammeInput {
        name,
        kind: kind.into(),
        amount,
        unit,
        cycles,
        eligibility,
    }
}

/// Assistance mutations.
#[Object]
impl AssistanceMutation {
    /// Create a programme with its eligibility rule (checked: the first problem is refused
    /// with VALIDATION, its path under input.eligibility).
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn create_assistance_programme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateAssistanceProgrammeInput,
    ) -> GqlResult<AssistanceProgrammePayload> {
        let claim = claim_of(
            "createAssistanceProgramme",
            &input.client_mutation_id,
            &input,
        );
        let scope = scope(ctx)?.clone();
        let st = super::context::state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let p = programme_input(
            input.name,
            input.kind,
            input.amount,
            input.amount_unit,
            input.cycles,
            input.eligibility,
        );
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            Ok(AssistanceProgrammePayload {
                client_mutation_id: cmid,
                programme_id: store::create_programme(conn, &s, &p)?,
            })
        })
        .await;
        audit_refusal(ctx, "createAssistanceProgramme", None, outcome).await
    }

    /// Change a programme (its rule applies to assessments from now on), checking the version.
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn update_assistance_programme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateAssistanceProgrammeInput,
    ) -> GqlResult<AssistanceProgrammePayload> {
        let claim = claim_of(
            "updateAssistanceProgramme",
            &input.client_mutation_id,
            &input,
        );
        let scope = scope(ctx)?.clone();
        let st = super::context::state(ctx).clone();
        let (s, cmid, id) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            input.id.0.clone(),
        );
        let (version, active) = (input.version, input.active);
        let p = programme_input(
            input.name,
            input.kind,
            input.amount,
            input.amount_unit,
            input.cycles,
            input.eligibility,
        );
        let rid = id.clone();
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            store::update_programme(conn, &s, &rid, version, &p, active)?;
            Ok(AssistanceProgrammePayload {
                client_mutation_id: cmid,
                programme_id: rid,
            })
        })
        .await;
        audit_refusal(ctx, "updateAssistanceProgramme", Some(&id), outcome).await
    }

    /// Assess a household against a programme's rule now; the assessment is recorded with the
    /// criteria met and its explanation.
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn assess_eligibility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AssessEligibilityInput,
    ) -> GqlResult<AssessEligibilityPayload> {
        let claim = claim_of("assessEligibility", &input.client_mutation_id, &input);
        let scope = scope(ctx)?.clone();
        let st = super::context::state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let (p, g) = (input.programme_id.0, input.group_id.0.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            Ok(AssessEligibilityPayload {
                client_mutation_id: cmid,
                assessment_id: store::assess(conn, &s, &p, &g, "input.groupId")?.id,
            })
        })
        .await;
        audit_refusal(ctx, "assessEligibility", Some(&input.group_id.0), outcome).await
    }

    /// Open a distribution list for a programme's cycle at a site on a day, assessing and
    /// planning the households sent.
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn create_distribution_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateDistributionListInput,
    ) -> GqlResult<DistributionListPayload> {
        let claim = claim_of("createDistributionList", &input.client_mutation_id, &input);
        let scope = scope(ctx)?.clone();
        let st = super::context::state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let new = store::NewList {
            programme_id: input.programme_id.0,
            cycle: input.cycle,
            site: input.site,
            date: input.date,
            group_ids: input.group_ids.into_iter().map(|g| g.0).collect(),
        };
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            let (id, p) = store::create_list(conn, &s, &new)?;
            Ok(DistributionListPayload {
                client_mutation_id: cmid,
                list_id: id,
                planned: planned(p),
            })
        })
        .await;
        audit_refusal(ctx, "createDistributionList", None, outcome).await
    }

    /// Assess and plan more households on a list, checking its version.
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn add_to_distribution_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddToDistributionListInput,
    ) -> GqlResult<DistributionListPayload> {
        let claim = claim_of("addToDistributionList", &input.client_mutation_id, &input);
        let scope = scope(ctx)?.clone();
        let st = super::context::state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let id = input.list_id.0.clone();
        let (lid, version) = (id.clone(), input.version);
        let groups: Vec<String> = input.group_ids.into_iter().map(|g| g.0).collect();
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            let p = store::add_to_list(conn, &s, &lid, version, &groups)?;
            Ok(DistributionListPayload {
                client_mutation_id: cmid,
                list_id: lid,
                planned: planned(p),
            })
        })
        .await;
        audit_refusal(ctx, "addToDistributionList", Some(&id), outcome).await
    }

    /// Record that a household received its entitlement at the list's site, after verifying
    /// the recipient. A household receives an entitlement once per cycle: a second time, at
    /// any site, is CONFLICT with reason ALREADY_DISTRIBUTED.
    #[graphql(guard = "ModuleGuard(Module::Assistance)")]
    async fn record_distribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordDistributionInput,
    ) -> GqlResult<RecordDistributionPayload> {
        let claim = claim_of("recordDistribution", &input.client_mutation_id, &input);
        let scope = scope(ctx)?.clone();
        let st = super::context::state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let group = input.group_id.0.clone();
        let new = store::NewDistribution {
            list_id: input.list_id.0,
            group_id: input.group_id.0,
            recipient_id: input.recipient_id.0,
            method: input.method.into(),
            document_number: input.document_number,
        };
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            Ok(RecordDistributionPayload {
                client_mutation_id: cmid,
                distribution_id: store::record_distribution(conn, &s, &new)?,
            })
        })
        .await;
        audit_refusal(ctx, "recordDistribution", Some(&group), outcome).await
    }
}
