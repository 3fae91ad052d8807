//! Protection cases: the lists, one case, and the intake and every action as its own mutation
//! (one per action, as the API publishes them). A form's values arrive in the order
//! `screens::protection_case::fields` gives for the action.

use serde::de::DeserializeOwned;

use crate::api::{self, ApiError, Client, ProtectionAction as K};
use crate::msg::{ProtectionCaseData, ProtectionInput, ProtectionRow};

/// How many cases a list shows: one screen's worth; the rest wait for the next follow-up done.
pub const LIST_SIZE: i64 = 50;

pub(super) async fn list(
    client: &Client,
    list: api::protection_cases::ProtectionCaseList,
) -> Result<Vec<ProtectionRow>, ApiError> {
    let d = client
        .post::<api::ProtectionCases>(api::protection_cases::Variables {
            list: Some(list),
            first: Some(LIST_SIZE),
        })
        .await?;
    Ok(d.protection_cases.nodes)
}

pub(super) async fn case(client: &Client, id: String) -> Result<Box<ProtectionCaseData>, ApiError> {
    let d = client
        .post::<api::ProtectionCase>(api::protection_case::Variables { id })
        .await?;
    Ok(Box::new(d.protection_case))
}

/// An enum of the API from its wire name (the forms offer only the API's own values).
fn wire<T: DeserializeOwned>(s: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|e| ApiError::Server(format!("unknown value {s}: {e}")))
}

/// The `i`th value of a form, empty when missing.
fn at(values: &[String], i: usize) -> String {
    values.get(i).cloned().unwrap_or_default()
}

/// The `i`th value, `None` when left empty.
fn opt(values: &[String], i: usize) -> Option<String> {
    Some(at(values, i)).filter(|v| !v.trim().is_empty())
}

pub(super) async fn send(
    client: &Client,
    cmid: String,
    input: ProtectionInput,
) -> Result<String, ApiError> {
    let (case_id, version, kind, v) = match input {
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
                        risk_level: wire(&risk_level)?,
                        intake_summary,
                    },
                })
                .await?;
            return found(d.open_protection_case.protection_case.map(|c| c.id));
        }
        ProtectionInput::Act {
            case_id,
            version,
            kind,
            values,
        } => (case_id, version, kind, values),
    };
    // Each arm: the operation, its module (also its answer's field) and its input type, with
    // the action's own fields; the case, the version read and the id are added here.
    macro_rules! send {
        ($op:ident, $m:ident, $input:ident { $($fields:tt)* }) => {{
            let d = client
                .post::<api::$op>(api::$m::Variables {
                    input: api::$m::$input {
                        client_mutation_id: cmid,
                        case_id,
                        version,
                        $($fields)*
                    },
                })
                .await?;
            found(d.$m.protection_case.map(|c| c.id))
        }};
    }
    match kind {
        K::UpdateRisk => send!(
            UpdateProtectionRisk,
            update_protection_risk,
            UpdateProtectionRiskInput {
                risk_level: wire(&at(&v, 0))?,
                reason: at(&v, 1),
            }
        ),
        K::AddPlanAction => send!(
            AddProtectionPlanAction,
            add_protection_plan_action,
            AddProtectionPlanActionInput {
                action_id: None,
                description: at(&v, 0),
                responsible_id: at(&v, 1),
                due: at(&v, 2),
            }
        ),
        K::CompletePlanAction => send!(
            CompleteProtectionPlanAction,
            complete_protection_plan_action,
            CompleteProtectionPlanActionInput {
                action_id: at(&v, 0),
                outcome: at(&v, 1),
            }
        ),
        K::Refer => send!(
            ReferProtectionCase,
            refer_protection_case,
            ReferProtectionCaseInput {
                referral_id: None,
                service: at(&v, 0),
                provider: at(&v, 1),
                consent: at(&v, 2) == "yes",
            }
        ),
        K::RecordReferralOutcome => send!(
            RecordReferralOutcome,
            record_referral_outcome,
            RecordReferralOutcomeInput {
                referral_id: at(&v, 0),
                outcome: wire(&at(&v, 1))?,
                note: opt(&v, 2),
            }
        ),
        K::ScheduleFollowUp => send!(
            ScheduleFollowUp,
            schedule_follow_up,
            ScheduleFollowUpInput {
                follow_up_id: None,
                due: at(&v, 0),
                purpose: at(&v, 1),
            }
        ),
        K::RecordFollowUp => send!(
            RecordFollowUp,
            record_follow_up,
            RecordFollowUpInput {
                follow_up_id: at(&v, 0),
                note: at(&v, 1),
            }
        ),
        K::RecordBia => send!(
            RecordBestInterestsAssessment,
            record_best_interests_assessment,
            RecordBestInterestsAssessmentInput {
                child_id: at(&v, 0),
                summary: at(&v, 1),
                bid_needed: at(&v, 2) == "yes",
            }
        ),
        K::RecordBid => send!(
            RecordBestInterestsDetermination,
            record_best_interests_determination,
            RecordBestInterestsDeterminationInput {
                child_id: at(&v, 0),
                decision: at(&v, 1),
                // The panel's members, as ids separated by commas or spaces.
                panel: at(&v, 2)
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            }
        ),
        K::Assign => send!(
            AssignProtectionCase,
            assign_protection_case,
            AssignProtectionCaseInput {
                officer_id: at(&v, 0),
            }
        ),
        K::Close => send!(
            CloseProtectionCase,
            close_protection_case,
            CloseProtectionCaseInput {
                reason: wire(&at(&v, 0))?,
                note: opt(&v, 1),
            }
        ),
        K::Reopen => send!(
            ReopenProtectionCase,
            reopen_protection_case,
            ReopenProtectionCaseInput { reason: at(&v, 0) }
        ),
    }
}

/// The case's id from a payload; a payload without one is the server's fault.
fn found(id: Option<String>) -> Result<String, ApiError> {
    id.ok_or_else(|| ApiError::Server("answer without the protection case".into()))
}
