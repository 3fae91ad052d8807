//! Assistance: the day's distribution lists, the programmes, a reconciliation, one list and
//! recording a distribution after the recipient's document was checked.

use crate::api::{self, ApiError, Client};
use crate::msg::{DayList, ListData, ProgrammeRow, SiteRow};

pub(super) async fn day(client: &Client) -> Result<Vec<DayList>, ApiError> {
    let d = client
        .post::<api::DistributionLists>(api::distribution_lists::Variables { date: None })
        .await?;
    Ok(d.distribution_lists)
}

pub(super) async fn programmes(client: &Client) -> Result<Vec<ProgrammeRow>, ApiError> {
    let d = client
        .post::<api::AssistanceProgrammes>(api::assistance_programmes::Variables {})
        .await?;
    Ok(d.assistance_programmes)
}

pub(super) async fn reconciliation(
    client: &Client,
    programme_id: String,
    cycle: i64,
) -> Result<Vec<SiteRow>, ApiError> {
    let d = client
        .post::<api::AssistanceReconciliation>(api::assistance_reconciliation::Variables {
            programme_id,
            cycle,
        })
        .await?;
    Ok(d.assistance_reconciliation)
}

pub(super) async fn list(client: &Client, id: String) -> Result<Box<ListData>, ApiError> {
    let d = client
        .post::<api::DistributionList>(api::distribution_list::Variables { id })
        .await?;
    Ok(Box::new(d.distribution_list))
}

pub(super) async fn distribute(
    client: &Client,
    cmid: String,
    list_id: String,
    group_id: String,
    recipient_id: String,
    document_number: String,
) -> Result<String, ApiError> {
    use api::record_distribution as m;
    let d = client
        .post::<api::RecordDistribution>(m::Variables {
            input: m::RecordDistributionInput {
                client_mutation_id: cmid,
                list_id,
                group_id,
                recipient_id,
                method: m::RecipientVerification::DOCUMENT,
                document_number: Some(document_number),
            },
        })
        .await?;
    Ok(d.record_distribution.distribution_id)
}
