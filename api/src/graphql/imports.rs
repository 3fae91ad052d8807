//! The registrar's review list of possible duplicates found by imports from earlier databases,
//! and the decision on each. The individuals beside a review are read through the registry's
//! scoped, audited and field-group-filtered path, like every other read of a person.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::connection::{PageInfo, keyset_edges, keyset_page};
use super::context::{
    GqlResult, ModuleGuard, audit_refusal, claim_of, gql, scope, scoped_read, state,
};
use super::types::{Individual, load_individual, utc};
use crate::domain::access::Module;
use crate::store::idempotency::run_once;
use crate::store::imports::{self as store, ReviewDecision, ReviewRow};

/// Where a possible duplicate found on import stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ImportReviewStatus {
    /// Waiting for a registrar.
    Open,
    /// Decided: the same person, linked.
    Linked,
    /// Decided: different people.
    KeptSeparate,
}

impl ImportReviewStatus {
    fn as_str(self) -> &'static str {
        match self {
            ImportReviewStatus::Open => store::REVIEW_OPEN,
            ImportReviewStatus::Linked => ReviewDecision::Link.as_str(),
            ImportReviewStatus::KeptSeparate => ReviewDecision::KeepSeparate.as_str(),
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "linked" => ImportReviewStatus::Linked,
            "kept_separate" => ImportReviewStatus::KeptSeparate,
            _ => ImportReviewStatus::Open,
        }
    }
}

/// What a possible duplicate rests on.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ImportMatchReason {
    /// The names agree (in any order, transliterations and small spelling differences allowed).
    SimilarName,
    /// The same date of birth.
    SameBirthDate,
    /// Dates of birth within a year.
    NearBirthDate,
    /// A nationality in common.
    SameNationality,
    /// The same sex.
    SameSex,
}

impl ImportMatchReason {
    fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "similar_name" => ImportMatchReason::SimilarName,
            "same_birth_date" => ImportMatchReason::SameBirthDate,
            "near_birth_date" => ImportMatchReason::NearBirthDate,
            "same_nationality" => ImportMatchReason::SameNationality,
            "same_sex" => ImportMatchReason::SameSex,
            _ => return None,
        })
    }
}

/// A registrar's decision on a possible duplicate found on import.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ImportReviewDecision {
    /// The same person: the two records are linked in both histories (nothing is merged or
    /// deleted).
    Link,
    /// Different people: both records stay as they are.
    KeepSeparate,
}

/// A possible duplicate found on import: the imported individual beside the earlier one.
pub struct ImportReview(ReviewRow);

/// A possible duplicate found on import: the imported individual beside the earlier one.
#[Object]
impl ImportReview {
    /// The review's id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Send it back with decideImportReview.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Open or decided.
    async fn status(&self) -> ImportReviewStatus {
        ImportReviewStatus::parse(&self.0.status)
    }
    /// How alike the two are, 0 to 100 (60 and above are listed).
    async fn score(&self) -> i32 {
        self.0.score
    }
    /// What the match rests on.
    async fn reasons(&self) -> Vec<ImportMatchReason> {
        self.0
            .reasons
            .split_whitespace()
            .filter_map(ImportMatchReason::parse)
            .collect()
    }
    /// Whether the earlier record came from the same source (a duplicate within the import).
    async fn within_import(&self) -> bool {
        self.0.within_import
    }
    /// The import batch that found it.
    async fn batch_id(&self) -> ID {
        ID(self.0.batch_id.clone())
    }
    /// The imported individual's id.
    async fn imported_id(&self) -> ID {
        ID(self.0.individual_id.clone())
    }
    /// The imported individual as your role and scope may see them.
    async fn imported(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        load_individual(ctx, &self.0.individual_id).await
    }
    /// The earlier individual's id.
    async fn existing_id(&self) -> ID {
        ID(self.0.candidate_id.clone())
    }
    /// The earlier individual as your role and scope may see them (null outside your scope).
    async fn existing(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        load_individual(ctx, &self.0.candidate_id).await
    }
    /// When the review was listed.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// The registrar's user id, once decided.
    async fn decided_by(&self) -> Option<ID> {
        self.0.decided_by.clone().map(ID)
    }
    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at.map(utc)
    }
}

/// A review in a page.
#[derive(SimpleObject)]
pub struct ImportReviewEdge {
    /// The review.
    pub node: ImportReview,
    /// Its cursor.
    pub cursor: String,
}

/// A page of the import review list.
#[derive(SimpleObject)]
pub struct ImportReviewConnection {
    /// The reviews of this page, oldest first.
    pub edges: Vec<ImportReviewEdge>,
    /// Paging information.
    pub page_info: PageInfo,
}

async fn load_review(ctx: &Context<'_>, id: &str) -> GqlResult<Option<ImportReview>> {
    let id = id.to_string();
    scoped_read(ctx, "read", None, move |c, s, r| {
        store::review(c, s, r, &id)
    })
    .await
    .map(|o| o.map(ImportReview))
}

/// Reads of the import review list.
#[derive(Default)]
pub struct ImportQuery;

#[Object]
impl ImportQuery {
    /// Possible duplicates found by imports (registrars): the imported individual beside the
    /// earlier one, oldest first, of the individuals your scope covers. Every review read is
    /// audited.
    #[graphql(
        complexity = "crate::graphql::page_cost(first, 20, child_complexity)",
        guard = "ModuleGuard(Module::Registration)"
    )]
    async fn import_reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which reviews: OPEN (the default) or the decided ones.")] status: Option<
            ImportReviewStatus,
        >,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<ImportReviewConnection> {
        let (first, after) = keyset_page(first, after.as_deref()).map_err(gql)?;
        let status = status.unwrap_or(ImportReviewStatus::Open).as_str();
        let page = scoped_read(ctx, "read", None, move |c, s, r| {
            store::reviews(c, s, r, status, first, after.as_deref())
        })
        .await?;
        let (page_info, edges) = keyset_edges(
            page.items,
            page.has_next,
            |v| &v.id,
            |cursor, v| ImportReviewEdge {
                cursor,
                node: ImportReview(v),
            },
        );
        Ok(ImportReviewConnection { page_info, edges })
    }

    /// One import review in your scope; null when there is none with this id.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn import_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The review's id.")] id: ID,
    ) -> GqlResult<Option<ImportReview>> {
        load_review(ctx, &id).await
    }
}

/// A decision on a possible duplicate found on import.
#[derive(InputObject)]
pub struct DecideImportReviewInput {
    /// Unique per decision you send; a retry with the same id returns the first result.
    pub client_mutation_id: String,
    /// The review decided.
    pub review_id: ID,
    /// The review's version you read; a review changed since is refused with CONFLICT.
    pub version: i32,
    /// Link (the same person) or keep separate.
    pub decision: ImportReviewDecision,
}

/// The result of decideImportReview.
pub struct DecideImportReviewPayload {
    client_mutation_id: String,
    review_id: String,
}

/// The result of decideImportReview.
#[Object]
impl DecideImportReviewPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The review as it is now.
    async fn review(&self, ctx: &Context<'_>) -> GqlResult<Option<ImportReview>> {
        load_review(ctx, &self.review_id).await
    }
}

/// Decisions on the import review list.
#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Decides a possible duplicate found on import (registrars): LINK records the two as the
    /// same person in both histories, KEEP_SEPARATE closes the review. Nothing is merged or
    /// deleted.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn decide_import_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DecideImportReviewInput,
    ) -> GqlResult<DecideImportReviewPayload> {
        let claim = claim_of("decideImportReview", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let id = input.review_id.0.clone();
        let decision = match input.decision {
            ImportReviewDecision::Link => ReviewDecision::Link,
            ImportReviewDecision::KeepSeparate => ReviewDecision::KeepSeparate,
        };
        let (s, id2, version) = (scope.clone(), id.clone(), input.version);
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            store::decide(conn, &s, &id2, version, decision).map(|v| v.id)
        })
        .await;
        audit_refusal(ctx, "decide_import_review", Some(&id), outcome)
            .await
            .map(|review_id| DecideImportReviewPayload {
                client_mutation_id: input.client_mutation_id,
                review_id,
            })
    }
}
