//! Protection cases: the lists, one case, the intake, and every action as its own mutation
//! (one per action, as the API publishes them), which the case screen's form built.

use crate::api::{self, ApiError, Client};
use crate::msg::{ProtectionCaseData, ProtectionInput, ProtectionRow};
use crate::widgets::Page;

/// How many cases a page of a list holds (the screen shows those that fit around the one
/// chosen).
pub const LIST_SIZE: i64 = 50;

pub(super) async fn list(
    client: &Client,
    list: api::protection_cases::ProtectionCaseList,
    after: Option<String>,
) -> Result<Page<ProtectionRow>, ApiError> {
    let d = client
        .post::<api::ProtectionCases>(api::protection_cases::Variables {
            list: Some(list),
            first: Some(LIST_SIZE),
            after,
        })
        .await?
        .protection_cases;
    Ok(Page {
        rows: d.nodes,
        has_next: d.page_info.has_next_page,
        end_cursor: d.page_info.end_cursor,
    })
}

pub(super) async fn case(client: &Client, id: String) -> Result<Box<ProtectionCaseData>, ApiError> {
    let d = client
        .post::<api::ProtectionCase>(api::protection_case::Variables { id })
        .await?;
    Ok(Box::new(d.protection_case))
}

pub(super) async fn send(
    client: &Client,
    cmid: String,
    input: ProtectionInput,
) -> Result<String, ApiError> {
    match input {
        ProtectionInput::Open {
            principal_id,
            category,
            risk_level,
            intake_summary,
        } => {
            use api::open_protection_case as m;
            let d = client
                .post::<api::OpenProtectionCase>(m::Variables {
                    input: m::OpenProtectionCaseInput {
                        client_mutation_id: cmid,
                        principal_id,
                        member_ids: Vec::new(),
                        category,
                        sub_code: None,
                        risk_level,
                        intake_summary,
                    },
                })
                .await?;
            found(d.open_protection_case.protection_case.map(|c| c.id))
        }
        ProtectionInput::Act(m) => found(m.send(client).await?),
    }
}

/// The case's id from a payload; a payload without one is the server's fault.
fn found(id: Option<String>) -> Result<String, ApiError> {
    id.ok_or_else(|| ApiError::Server("answer without the protection case".into()))
}
