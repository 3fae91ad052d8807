//! Resettlement cases and referrals between units: the lists, one case, identification (and
//! the hand-off from a protection case), every step through `actOnResettlementCase`, and the
//! referral writes. A form's values arrive in the order its screen's `fields` gives.

use serde::de::DeserializeOwned;

use crate::api::{self, ApiError, Client, ResettlementAction as K};
use crate::msg::{
    ReferralsData, ResettlementCaseData, ResettlementInput, ResettlementRow, SharingInput,
};

/// How many cases or referrals a list shows: one screen's worth.
pub const LIST_SIZE: i64 = 50;

pub(super) async fn cases(
    client: &Client,
    list: api::resettlement_cases::ResettlementCaseList,
) -> Result<Vec<ResettlementRow>, ApiError> {
    let d = client
        .post::<api::ResettlementCases>(api::resettlement_cases::Variables {
            list: Some(list),
            first: Some(LIST_SIZE),
        })
        .await?;
    Ok(d.resettlement_cases.nodes)
}

pub(super) async fn case(
    client: &Client,
    id: String,
) -> Result<Box<ResettlementCaseData>, ApiError> {
    let d = client
        .post::<api::ResettlementCase>(api::resettlement_case::Variables { id })
        .await?;
    Ok(Box::new(d.resettlement_case))
}

pub(super) async fn referrals(
    client: &Client,
    direction: api::referrals::ReferralDirection,
) -> Result<ReferralsData, ApiError> {
    let r = client
        .post::<api::Referrals>(api::referrals::Variables {
            direction,
            first: Some(LIST_SIZE),
        })
        .await?;
    let a = client
        .post::<api::Agreements>(api::agreements::Variables {})
        .await?;
    Ok(ReferralsData {
        referrals: r.referrals.nodes,
        agreements: a.data_sharing_agreements,
    })
}

/// An enum of the API from its wire name (the forms offer only the API's own values).
fn wire<T: DeserializeOwned>(s: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|e| ApiError::Server(format!("unknown value {s}: {e}")))
}

fn at(values: &[String], i: usize) -> String {
    values.get(i).cloned().unwrap_or_default()
}

fn opt(values: &[String], i: usize) -> Option<String> {
    Some(at(values, i)).filter(|v| !v.trim().is_empty())
}

pub(super) async fn resettle(
    client: &Client,
    cmid: String,
    input: ResettlementInput,
) -> Result<String, ApiError> {
    match input {
        ResettlementInput::Open {
            principal_id,
            protection_case_id,
            category,
            priority,
            summary,
        } => {
            use api::open_resettlement_case as m;
            let d = client
                .post::<api::OpenResettlementCase>(m::Variables {
                    input: m::OpenResettlementCaseInput {
                        client_mutation_id: cmid,
                        principal_id,
                        member_ids: Vec::new(),
                        categories: vec![category],
                        priority: Some(wire(&priority)?),
                        summary,
                        protection_case_id,
                    },
                })
                .await?;
            Ok(d.open_resettlement_case.case_id)
        }
        ResettlementInput::Act {
            case_id,
            version,
            kind,
            values: v,
        } => {
            use api::act_on_resettlement_case as m;
            let mut i = m::ActOnResettlementCaseInput {
                client_mutation_id: cmid,
                case_id,
                version,
                action: kind,
                summary: None,
                approve: None,
                note: None,
                state: None,
                date: None,
                dossier_reference: None,
                decision: None,
                exit_reason: None,
            };
            match kind {
                K::RecordAssessment => i.summary = opt(&v, 0),
                K::ReviewAssessment => {
                    i.approve = Some(at(&v, 0) == "approve");
                    i.note = opt(&v, 1);
                }
                K::Submit => {
                    i.state = opt(&v, 0);
                    i.date = opt(&v, 1);
                    i.dossier_reference = opt(&v, 2);
                }
                K::RecordInterview | K::RecordDeparture => i.date = opt(&v, 0),
                K::RecordDecision => {
                    i.decision = Some(wire(&at(&v, 0))?);
                    i.date = opt(&v, 1);
                }
                K::Exit => {
                    i.exit_reason = Some(wire(&at(&v, 0))?);
                    i.note = opt(&v, 1);
                }
            }
            let d = client
                .post::<api::ActOnResettlementCase>(m::Variables { input: i })
                .await?;
            Ok(d.act_on_resettlement_case.case_id)
        }
    }
}

fn found(reference: Option<String>) -> Result<String, ApiError> {
    reference.ok_or_else(|| ApiError::Server("answer without the referral".into()))
}

pub(super) async fn share(
    client: &Client,
    cmid: String,
    input: SharingInput,
) -> Result<String, ApiError> {
    match input {
        SharingInput::Refer {
            individual_id,
            agreement_id,
            purpose,
            given_by,
            given_on,
            note,
        } => {
            use api::refer_person as m;
            let d = client
                .post::<api::ReferPerson>(m::Variables {
                    input: m::ReferPersonInput {
                        client_mutation_id: cmid,
                        individual_id,
                        agreement_id,
                        purpose,
                        consent_id: None,
                        consent: Some(m::ConsentGivenInput { given_by, given_on }),
                        fields: Vec::new(),
                        note,
                    },
                })
                .await?;
            found(d.refer_person.referral.map(|r| r.reference))
        }
        SharingInput::Accept {
            referral_id,
            version,
            individual_id,
        } => {
            use api::accept_referral as m;
            let d = client
                .post::<api::AcceptReferral>(m::Variables {
                    input: m::AcceptReferralInput {
                        client_mutation_id: cmid,
                        referral_id,
                        version,
                        individual_id,
                    },
                })
                .await?;
            found(d.accept_referral.referral.map(|r| r.reference))
        }
        SharingInput::Decline {
            referral_id,
            version,
            reason,
        } => {
            use api::decline_referral as m;
            let d = client
                .post::<api::DeclineReferral>(m::Variables {
                    input: m::DeclineReferralInput {
                        client_mutation_id: cmid,
                        referral_id,
                        version,
                        reason,
                    },
                })
                .await?;
            found(d.decline_referral.referral.map(|r| r.reference))
        }
        SharingInput::Agreement {
            partner_unit_code,
            title,
            purpose,
            fields,
            valid_from,
            valid_until,
        } => {
            use api::record_agreement as m;
            let d = client
                .post::<api::RecordAgreement>(m::Variables {
                    input: m::RecordDataSharingAgreementInput {
                        client_mutation_id: cmid,
                        partner_unit_code,
                        title,
                        purposes: vec![m::AgreementPurposeInput { purpose, fields }],
                        valid_from,
                        valid_until,
                    },
                })
                .await?;
            d.record_data_sharing_agreement
                .agreement
                .map(|a| a.id)
                .ok_or_else(|| ApiError::Server("answer without the agreement".into()))
        }
    }
}
