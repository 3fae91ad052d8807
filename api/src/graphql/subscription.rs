//! Real time: case transitions pushed to subscribers over graphql-ws, so a supervisor's queue
//! and an officer's case view change the moment a colleague acts, without polling.
//!
//! A subscription outlives the request that opened it, so it re-checks its session: when it
//! starts, before each notice, and on a short timer. Once the session is logged out, revoked,
//! expired, its user disabled or their roles, scope or office changed, the subscriber gets one
//! UNAUTHENTICATED error saying so, the subscription ends and the socket is closed (code 4401,
//! the same reason in the close frame).

use async_graphql::futures_util::Stream;
use async_graphql::futures_util::stream;
use async_graphql::{Context, ID, Subscription};
use tokio::sync::broadcast::error::RecvError;

use super::context::ModuleGuard;
use super::context::{CaseSignal, GqlError, SocketEnd, caller, gql, scope, state};
use super::rsd::{CaseNotice, may_hear};
use crate::domain::access::Module;
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
    /// Each notice names the case and the transition only, whichever server process it was
    /// made through. When the server had to drop notices because this connection fell behind
    /// (or more were made through other processes at once than it announces one by one), a
    /// notice of kind `reload` says so: read your queue again.
    #[graphql(guard = "ModuleGuard(Module::Rsd)")]
    async fn case_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this case.")] case_id: Option<ID>,
    ) -> Result<impl Stream<Item = async_graphql::Result<CaseNotice>>, GqlError> {
        let scope = scope(ctx).map_err(gql)?.clone();
        scope.require(Permission::ReadCases).map_err(gql)?;
        let st = state(ctx).clone();
        // The socket authenticated when it opened; this subscribe may come much later.
        let who = caller(ctx).map_err(gql)?;
        let (session, version) = (who.session_id.clone(), who.user.version);
        st.auth.still_valid(&session, version).await.map_err(gql)?;
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
        let end = ctx.data_opt::<SocketEnd>().cloned();
        let ended = move |e: crate::error::Error| {
            if let Some(end) = &end {
                end.close(&e.message);
            }
            Some((Err(gql(e).into()), None))
        };
        let mut timer = tokio::time::interval(st.auth.recheck_every());
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Ok(stream::unfold(Some((rx, timer)), move |live| {
            let scope = scope.clone();
            let only = only.clone();
            let st = st.clone();
            let session = session.clone();
            let ended = ended.clone();
            async move {
                let (mut rx, mut timer) = live?;
                loop {
                    let notice = tokio::select! {
                        got = rx.recv() => match got {
                            Ok(CaseSignal::Acted(a)) => {
                                if !(may_hear(&scope, &a)
                                    && only.as_deref().is_none_or(|id| id == a.case_id))
                                {
                                    continue;
                                }
                                CaseNotice::from(&*a)
                            }
                            Ok(CaseSignal::Reload) | Err(RecvError::Lagged(_)) => {
                                CaseNotice::reload()
                            }
                            Err(RecvError::Closed) => return None,
                        },
                        _ = timer.tick() => {
                            match st.auth.still_valid(&session, version).await {
                                Ok(()) => continue,
                                Err(e) => return ended(e),
                            }
                        }
                    };
                    return match st.auth.still_valid(&session, version).await {
                        Ok(()) => Some((Ok(notice), Some((rx, timer)))),
                        Err(e) => ended(e),
                    };
                }
            }
        }))
    }
}
