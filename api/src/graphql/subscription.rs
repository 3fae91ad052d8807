//! Real time: case transitions pushed to subscribers over graphql-ws, so a supervisor's queue
//! and an officer's case view change the moment a colleague acts, without polling.

use async_graphql::futures_util::Stream;
use async_graphql::futures_util::stream;
use async_graphql::{Context, ID, Subscription};
use tokio::sync::broadcast::error::RecvError;

use super::context::{GqlError, gql, scope, state};
use super::rsd::{CaseNotice, may_hear};
use crate::domain::access::Permission;
use crate::store::audit::{Actor, Entry, Outcome, Reads};

/// Pushed updates.
#[derive(Default)]
pub struct SubscriptionRoot;

/// Pushed updates.
#[Subscription]
impl SubscriptionRoot {
    /// Every transition of a case within your reach (your unit, narrowed to your office or your
    /// own caseload when your scope is), as it commits; or of one case when `caseId` is given.
    /// Each notice names the case and the transition only. When the server had to drop notices
    /// because this connection fell behind, a notice of kind `reload` says so: read your queue
    /// again.
    async fn case_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this case.")] case_id: Option<ID>,
    ) -> Result<impl Stream<Item = CaseNotice>, GqlError> {
        let scope = scope(ctx).map_err(gql)?.clone();
        scope.require(Permission::ReadCases).map_err(gql)?;
        let st = state(ctx).clone();
        // Listen before auditing, so nothing committed while the audit is written is missed.
        let rx = st.case_events.subscribe();
        let mut reads = Reads::default();
        reads.push(Entry {
            action: "subscribe",
            record_type: Some("case"),
            record_id: case_id.as_ref().map(|c| c.0.clone()),
            outcome: Outcome::Ok,
            detail: Some("caseEvents".into()),
        });
        st.audit
            .append(Actor::from(&scope), reads)
            .await
            .map_err(gql)?;
        let only = case_id.map(|c| c.0);
        Ok(stream::unfold(rx, move |mut rx| {
            let scope = scope.clone();
            let only = only.clone();
            async move {
                loop {
                    match rx.recv().await {
                        Ok(a) => {
                            if may_hear(&scope, &a)
                                && only.as_deref().is_none_or(|id| id == a.case_id)
                            {
                                return Some((CaseNotice::from(&a), rx));
                            }
                        }
                        Err(RecvError::Lagged(_)) => return Some((CaseNotice::reload(), rx)),
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
        }))
    }
}
