//! The root query.

use async_graphql::{Context, ID, Object};

use super::connection::*;
use super::context::ModuleGuard;
use super::context::{GqlResult, caller, gql, scope, scoped_read, state};
use super::inputs::{CaseFilter, IndividualFilter};
use super::types::*;
use crate::domain::access::Module;
use crate::domain::access::Permission;
use crate::store::{audit, queries, users};

/// Reads of the registry. Every read of personal data is scoped to the caller's operation unit
/// and audited.
#[derive(Default)]
pub struct RegistryQuery;

/// Reads of the registry.
#[Object]
impl RegistryQuery {
    /// The logged-in user.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Me> {
        Ok(Me(caller(ctx).map_err(gql)?.user.clone()))
    }

    /// Offices of the caller's operation unit.
    async fn offices(&self, ctx: &Context<'_>) -> GqlResult<Vec<Office>> {
        let unit = scope(ctx).map_err(gql)?.unit_id().to_string();
        state(ctx)
            .db
            .read(move |c| users::offices_of(c, &unit))
            .await
            .map(|v| v.into_iter().map(Into::into).collect())
            .map_err(gql)
    }

    /// One individual by id (NOT_FOUND if it does not exist or is outside your scope).
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn individual(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's id.")] id: ID,
    ) -> GqlResult<Individual> {
        let rid = id.0.clone();
        let row = scoped_read(ctx, "read", Some(&id.0), move |c, s, r| {
            queries::individual(c, s, r, &rid)?
                .ok_or_else(|| crate::error::Error::not_found("individual"))
        })
        .await?;
        Ok(row.into())
    }

    /// Individuals, optionally found by name (any order, partial, with or without accents,
    /// transliteration variants) or by number (individual, group, case, document, legacy id).
    #[graphql(
        guard = "ModuleGuard(Module::Registration)",
        complexity = "crate::graphql::page_cost(first, DEFAULT_FIRST, child_complexity)"
    )]
    async fn individuals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Names or a number, as typed.")] search: Option<String>,
        #[graphql(desc = "Narrow the list.")] filter: Option<IndividualFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> GqlResult<IndividualConnection> {
        let first = check_first(first).map_err(gql)?;
        let after = decode_cursor(after.as_deref()).map_err(gql)?;
        if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
            return Err(gql(crate::error::Error::validation(
                "search",
                "is longer than 200 characters",
            )));
        }
        let mut q: queries::IndividualQuery = filter.unwrap_or_default().into();
        q.search = search;
        let q2 = q.clone();
        let page = scoped_read(ctx, "search", None, move |c, s, r| {
            queries::individuals(c, s, r, &q2, first, after.as_deref())
        })
        .await?;
        super::batch::prime_people(ctx, &page.items).await;
        let ids: Vec<&str> = page.items.iter().map(|r| r.id.as_str()).collect();
        let page_info = page_info(&ids, page.has_next);
        Ok(IndividualConnection {
            edges: page
                .items
                .into_iter()
                .map(|r| IndividualEdge {
                    cursor: encode_cursor(&r.id),
                    node: r.into(),
                })
                .collect(),
            page_info,
            count: Counter::Individuals(q),
        })
    }

    /// One registration group by id.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn registration_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's id.")] id: ID,
    ) -> GqlResult<RegistrationGroup> {
        let rid = id.0.clone();
        scoped_read(ctx, "read", Some(&id.0), move |c, s, r| {
            queries::group(c, s, r, &rid)?
                .ok_or_else(|| crate::error::Error::not_found("registration group"))
        })
        .await
        .map(RegistrationGroup)
    }

    /// Registration groups, oldest first.
    #[graphql(
        guard = "ModuleGuard(Module::Registration)",
        complexity = "crate::graphql::page_cost(first, DEFAULT_FIRST, child_complexity)"
    )]
    async fn registration_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> GqlResult<RegistrationGroupConnection> {
        let first = check_first(first).map_err(gql)?;
        let after = decode_cursor(after.as_deref()).map_err(gql)?;
        let page = scoped_read(ctx, "list", None, move |c, s, r| {
            queries::groups(c, s, r, first, after.as_deref())
        })
        .await?;
        let ids: Vec<&str> = page.items.iter().map(|r| r.id.as_str()).collect();
        let page_info = page_info(&ids, page.has_next);
        Ok(RegistrationGroupConnection {
            edges: page
                .items
                .into_iter()
                .map(|g| RegistrationGroupEdge {
                    cursor: encode_cursor(&g.id),
                    node: RegistrationGroup(g),
                })
                .collect(),
            page_info,
            count: Counter::Groups,
        })
    }

    /// One case by id.
    #[graphql(guard = "ModuleGuard(Module::Rsd)", name = "case")]
    async fn case_by_id(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's id.")] id: ID,
    ) -> GqlResult<Case> {
        let rid = id.0.clone();
        scoped_read(ctx, "read", Some(&id.0), move |c, s, r| {
            queries::case(c, s, r, &rid)?.ok_or_else(|| crate::error::Error::not_found("case"))
        })
        .await
        .map(Case::from)
    }

    /// Cases, oldest first.
    #[graphql(
        guard = "ModuleGuard(Module::Rsd)",
        complexity = "crate::graphql::page_cost(first, DEFAULT_FIRST, child_complexity)"
    )]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list.")] filter: Option<CaseFilter>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> GqlResult<CaseConnection> {
        let first = check_first(first).map_err(gql)?;
        let after = decode_cursor(after.as_deref()).map_err(gql)?;
        let q: queries::CaseQuery = filter.unwrap_or_default().into();
        let q2 = q.clone();
        let page = scoped_read(ctx, "list", None, move |c, s, r| {
            queries::cases(c, s, r, &q2, first, after.as_deref())
        })
        .await?;
        let ids: Vec<&str> = page.items.iter().map(|r| r.id.as_str()).collect();
        let page_info = page_info(&ids, page.has_next);
        Ok(CaseConnection {
            edges: page
                .items
                .into_iter()
                .map(|c| CaseEdge {
                    cursor: encode_cursor(&c.id),
                    node: c.into(),
                })
                .collect(),
            page_info,
            count: Counter::Cases(q),
        })
    }

    /// Who read or changed a record, newest first (supervisors and unit admins).
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's id.")] record_id: ID,
        #[graphql(desc = "How many events, 1 to 100 (default 20).")] first: Option<i32>,
    ) -> GqlResult<Vec<AuditEvent>> {
        let first = check_first(first).map_err(gql)?;
        let rid = record_id.0.clone();
        scoped_read(ctx, "audit_trail", Some(&record_id.0), move |c, s, _| {
            s.require(Permission::ReadAudit)?;
            audit::trail(c, s.unit_id(), &rid, first)
        })
        .await
        .map(|v| v.into_iter().map(AuditEvent).collect())
    }

    /// Your API tokens.
    async fn api_tokens(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApiToken>> {
        let uid = caller(ctx).map_err(gql)?.user.id.clone();
        state(ctx)
            .db
            .read(move |c| users::api_tokens(c, &uid))
            .await
            .map(|v| v.into_iter().map(Into::into).collect())
            .map_err(gql)
    }
}
