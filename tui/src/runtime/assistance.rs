//! Assistance: the day's distribution lists, the programmes, a reconciliation, one list,
//! recording a distribution after the recipient was verified (document, or fingers on the
//! workstation's scanner), and the planning: programmes, assessments, lists. Households are
//! typed by group number and found through a search by number.

use amparo_domain::assistance::{ProgrammeInput, ProgrammeKind};
use amparo_domain::error::Reason;

use crate::api::{self, ApiError, Client};
use crate::msg::{
    DayList, HouseholdNote, ListData, ListTarget, PlannedList, ProgrammeRow, SiteRow,
};

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
    document_number: Option<String>,
) -> Result<String, ApiError> {
    use api::record_distribution as m;
    let method = match document_number {
        Some(_) => m::RecipientVerification::DOCUMENT,
        None => m::RecipientVerification::BIOMETRIC,
    };
    let d = client
        .post::<api::RecordDistribution>(m::Variables {
            input: m::RecordDistributionInput {
                client_mutation_id: cmid,
                list_id,
                group_id,
                recipient_id,
                method,
                document_number,
            },
        })
        .await?;
    Ok(d.record_distribution.distribution_id)
}

/// Creates a programme, or changes one at the version read; returns its id.
pub(super) async fn save_programme(
    client: &Client,
    cmid: String,
    edit: Option<(String, i64)>,
    active: bool,
    p: ProgrammeInput,
) -> Result<String, ApiError> {
    match edit {
        None => {
            use api::create_assistance_programme as m;
            let kind = match p.kind {
                ProgrammeKind::Cash => m::AssistanceKind::CASH,
                ProgrammeKind::InKind => m::AssistanceKind::IN_KIND,
            };
            let d = client
                .post::<api::CreateAssistanceProgramme>(m::Variables {
                    input: m::CreateAssistanceProgrammeInput {
                        client_mutation_id: cmid,
                        name: p.name,
                        kind,
                        amount: p.amount,
                        amount_unit: p.unit,
                        cycles: i64::from(p.cycles),
                        eligibility: p.eligibility,
                    },
                })
                .await?;
            Ok(d.create_assistance_programme.programme.id)
        }
        Some((id, version)) => {
            use api::update_assistance_programme as m;
            let kind = match p.kind {
                ProgrammeKind::Cash => m::AssistanceKind::CASH,
                ProgrammeKind::InKind => m::AssistanceKind::IN_KIND,
            };
            let d = client
                .post::<api::UpdateAssistanceProgramme>(m::Variables {
                    input: m::UpdateAssistanceProgrammeInput {
                        client_mutation_id: cmid,
                        id,
                        version,
                        name: p.name,
                        kind,
                        amount: p.amount,
                        amount_unit: p.unit,
                        cycles: i64::from(p.cycles),
                        eligibility: p.eligibility,
                        active,
                    },
                })
                .await?;
            Ok(d.update_assistance_programme.programme.id)
        }
    }
}

/// The id of the household with group number `number`, found through its members (a search
/// by number); refused as an unknown household when none in the user's scope has it.
async fn household_id(client: &Client, field: &str, number: &str) -> Result<String, ApiError> {
    let d = client
        .post::<api::HouseholdByNumber>(api::household_by_number::Variables {
            search: number.to_string(),
        })
        .await?;
    d.individuals
        .edges
        .into_iter()
        .filter_map(|e| e.node.group_membership.and_then(|m| m.group))
        .find(|g| g.group_number.eq_ignore_ascii_case(number.trim()))
        .map(|g| g.id)
        .ok_or_else(|| ApiError::Validation {
            field: field.to_string(),
            reason: Reason::UnknownCode {
                vocabulary: "household".into(),
                value: number.to_string(),
            },
            message: format!("no household numbered {number} in your scope"),
        })
}

/// One household's assessment as a note.
fn note(
    household: String,
    eligible: bool,
    es: Option<String>,
    en: Option<String>,
) -> HouseholdNote {
    HouseholdNote {
        household,
        eligible,
        planned: false,
        elsewhere: false,
        why_es: es,
        why_en: en,
    }
}

/// Assesses the household numbered `household` against a programme.
pub(super) async fn assess(
    client: &Client,
    cmid: String,
    programme_id: String,
    household: String,
) -> Result<HouseholdNote, ApiError> {
    use api::assess_eligibility as m;
    let group_id = household_id(client, "input.groupId", &household).await?;
    let d = client
        .post::<api::AssessEligibility>(m::Variables {
            input: m::AssessEligibilityInput {
                client_mutation_id: cmid,
                programme_id,
                group_id,
            },
        })
        .await?;
    let a = d.assess_eligibility.assessment;
    Ok(note(
        household,
        a.eligible,
        a.explanation_es,
        a.explanation_en,
    ))
}

/// Creates a list or adds to one, the households given by group number; then reads why each
/// household was or was not planned.
pub(super) async fn plan(
    client: &Client,
    cmid: String,
    target: ListTarget,
    households: Vec<String>,
) -> Result<PlannedList, ApiError> {
    let mut group_ids = Vec::new();
    for (i, h) in households.iter().enumerate() {
        group_ids.push(household_id(client, &format!("input.groupIds.{i}"), h).await?);
    }
    let (list_id, planned) = match target {
        ListTarget::New {
            programme_id,
            cycle,
            site,
            date,
        } => {
            use api::create_distribution_list as m;
            let d = client
                .post::<api::CreateDistributionList>(m::Variables {
                    input: m::CreateDistributionListInput {
                        client_mutation_id: cmid,
                        programme_id,
                        cycle,
                        site,
                        date,
                        group_ids: group_ids.clone(),
                    },
                })
                .await?;
            let p = d.create_distribution_list;
            let planned: Vec<_> = p
                .planned
                .into_iter()
                .map(|x| {
                    (
                        x.group_id,
                        x.assessment_id,
                        x.entitlement_id.is_some(),
                        x.already_on_list_id,
                    )
                })
                .collect();
            (p.distribution_list.id, planned)
        }
        ListTarget::Existing { list_id, version } => {
            use api::add_to_distribution_list as m;
            let d = client
                .post::<api::AddToDistributionList>(m::Variables {
                    input: m::AddToDistributionListInput {
                        client_mutation_id: cmid,
                        list_id,
                        version,
                        group_ids: group_ids.clone(),
                    },
                })
                .await?;
            let p = d.add_to_distribution_list;
            let planned: Vec<_> = p
                .planned
                .into_iter()
                .map(|x| {
                    (
                        x.group_id,
                        x.assessment_id,
                        x.entitlement_id.is_some(),
                        x.already_on_list_id,
                    )
                })
                .collect();
            (p.distribution_list.id, planned)
        }
    };
    let mut notes = Vec::new();
    for (group_id, assessment_id, on_list, elsewhere) in planned {
        let household = group_ids
            .iter()
            .position(|g| *g == group_id)
            .and_then(|i| households.get(i).cloned())
            .unwrap_or(group_id);
        let a = client
            .post::<api::EligibilityAssessment>(api::eligibility_assessment::Variables {
                id: assessment_id,
            })
            .await?
            .eligibility_assessment;
        let mut n = note(household, a.eligible, a.explanation_es, a.explanation_en);
        n.planned = on_list;
        n.elsewhere = elsewhere.is_some_and(|l| l != list_id);
        notes.push(n);
    }
    Ok(PlannedList {
        list_id,
        households: notes,
    })
}

/// Captures the recipient's fingers and asks whether they are theirs.
pub(super) async fn check_biometrics(
    client: &Client,
    individual_id: String,
) -> Result<bool, ApiError> {
    let Some(setup) = crate::capture::verify::attached(client) else {
        return Err(ApiError::Device(
            "this workstation has no trusted scanner (capture_trust)".into(),
        ));
    };
    crate::capture::verify::verify(client, &setup, &individual_id).await
}
