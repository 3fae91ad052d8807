//! The GraphQL plumbing of the guarded procedures other than RSD (protection, resettlement):
//! a page of a case list read with the caller's scope (every case read audited), one case by id
//! read the same way, and one step
//! run once per `clientMutationId`, checked against the version read, its refusal audited.
//! Each procedure keeps its own types, inputs and operation names.

use async_graphql::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::connection::{PageInfo, offset_info, offset_page};
use super::context::{GqlResult, audit_refusal, claim_of, gql, scope, scoped_read, state};
use crate::error::Result;
use crate::store::DbConn;
use crate::store::audit::Reads;
use crate::store::idempotency::run_once;
use crate::store::scope::Scope;

/// A page of cases: `read` lists `first` of them from an offset (and says whether more
/// follow), audited as `operation`; `node` makes each one's GraphQL object.
pub async fn case_page<R, T, F>(
    ctx: &Context<'_>,
    operation: &'static str,
    first: Option<i32>,
    after: Option<&str>,
    read: F,
    node: impl Fn(R) -> T,
) -> GqlResult<(Vec<T>, PageInfo)>
where
    R: Send + 'static,
    F: FnOnce(&mut DbConn, &Scope, &mut Reads, i64, i64) -> Result<(Vec<R>, bool)> + Send + 'static,
{
    let (first, offset) = offset_page(first, after).map_err(gql)?;
    let (rows, more) = scoped_read(ctx, operation, None, move |c, s, r| {
        read(c, s, r, first, offset)
    })
    .await?;
    let info = offset_info(offset, rows.len(), more);
    Ok((rows.into_iter().map(node).collect(), info))
}

/// One case by id: `get` reads it with the caller's scope (audited as a read of it; NOT_FOUND
/// when it does not exist or is outside the scope), `node` makes its GraphQL object.
pub async fn one_case<R, T, F>(
    ctx: &Context<'_>,
    id: &str,
    get: F,
    node: impl FnOnce(R) -> T,
) -> GqlResult<T>
where
    R: Send + 'static,
    F: FnOnce(&mut DbConn, &Scope, &mut Reads, &str) -> Result<R> + Send + 'static,
{
    let rid = id.to_string();
    let case = scoped_read(ctx, "read", Some(id), move |c, s, r| get(c, s, r, &rid)).await?;
    Ok(node(case))
}

/// What a step answers: the request's id and the case's.
pub trait StepPayload: Serialize + DeserializeOwned + Send + 'static {
    fn new(client_mutation_id: String, case_id: String) -> Self;
}

/// The case a step's input names: (clientMutationId, case id, version read).
pub type Target = (String, String, i32);

/// Runs one step of `mutation` on the case `target` names: `act` applies `input` to it in
/// one transaction, claimed once by the `clientMutationId` (a retry answers the same);
/// a refusal is audited on the case.
pub async fn step<I, P, F>(
    ctx: &Context<'_>,
    mutation: &'static str,
    target: Target,
    input: I,
    act: F,
) -> GqlResult<P>
where
    I: async_graphql::InputType + Send + 'static,
    P: StepPayload,
    F: FnOnce(&mut DbConn, &Scope, &str, i32, I) -> Result<i32> + Send + 'static,
{
    let (cmid, case_id, version) = target;
    let claim = claim_of(mutation, &cmid, &input);
    let scope = scope(ctx)?.clone();
    let st = state(ctx).clone();
    let (s, id) = (scope.clone(), case_id.clone());
    let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
        act(conn, &s, &id, version, input)?;
        Ok(P::new(cmid, id))
    })
    .await;
    audit_refusal(ctx, mutation, Some(&case_id), outcome).await
}
