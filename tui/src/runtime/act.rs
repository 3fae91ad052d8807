//! Sends a case action: the form built the action's own mutation (the API publishes one per
//! action, and their names are part of its contract) with every variable, so sending it is
//! the same for all of them.

use crate::actions::ActRequest;
use crate::api::{self, ApiError, Client};
use crate::msg::ActDone;

pub(super) async fn act(client: &Client, request: ActRequest) -> Result<ActDone, ApiError> {
    Ok(match request {
        ActRequest::Case(m) => ActDone {
            status: m.send(client).await?.map(|c| c.0),
            cases: 1,
        },
        ActRequest::AssignMany(v) => ActDone {
            status: None,
            cases: client
                .post::<api::AssignCases>(v)
                .await?
                .assign_cases
                .events
                .len(),
        },
    })
}
