//! Resettlement cases and referrals between units: the lists, one case, identification (and
//! the hand-off from a protection case), every step through `actOnResettlementCase` (whose
//! input the case screen's form built), a person's consents to be referred, and the referral
//! writes.

use crate::api::{self, ApiError, Client};
use crate::msg::{
    ReferralConsent, ReferralsData, ResettlementCaseData, ResettlementInput, ResettlementRow,
    SharingInput,
};
use crate::widgets::{Page, PageRequest};

/// How many cases or referrals a list shows: one screen's worth.
pub const LIST_SIZE: i64 = 50;

pub(super) async fn cases(
    client: &Client,
    list: api::resettlement_cases::ResettlementCaseList,
    after: Option<String>,
) -> Result<Page<ResettlementRow>, ApiError> {
    let d = client
        .post::<api::ResettlementCases>(api::resettlement_cases::Variables {
            list: Some(list),
            first: Some(LIST_SIZE),
            after,
        })
        .await?
        .resettlement_cases;
    Ok(Page {
        rows: d.nodes,
        has_next: d.page_info.has_next_page,
        end_cursor: d.page_info.end_cursor,
    })
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
    page: PageRequest,
    person: Option<String>,
) -> Result<ReferralsData, ApiError> {
    let r = client
        .post::<api::Referrals>(api::referrals::Variables {
            direction,
            first: Some(LIST_SIZE),
            after: page.after,
        })
        .await?
        .referrals;
    let a = client
        .post::<api::Agreements>(api::agreements::Variables {})
        .await?;
    let consents = match person {
        Some(individual_id) => {
            client
                .post::<api::ReferralConsents>(api::referral_consents::Variables { individual_id })
                .await?
                .referral_consents
        }
        None => Vec::new(),
    };
    Ok(ReferralsData {
        referrals: Page {
            rows: r.nodes,
            has_next: r.page_info.has_next_page,
            end_cursor: r.page_info.end_cursor,
        },
        page: page.page,
        agreements: a.data_sharing_agreements,
        consents,
    })
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
                        priority: Some(priority),
                        summary,
                        protection_case_id,
                    },
                })
                .await?;
            Ok(d.open_resettlement_case.case_id)
        }
        ResettlementInput::Act(input) => {
            let d = client
                .post::<api::ActOnResettlementCase>(api::act_on_resettlement_case::Variables {
                    input: *input,
                })
                .await?;
            Ok(d.act_on_resettlement_case.case_id)
        }
    }
}

fn found(reference: Option<String>) -> Result<String, ApiError> {
    reference.ok_or_else(|| ApiError::Server("answer without the referral".into()))
}

fn consent_of(id: Option<String>) -> Result<String, ApiError> {
    id.ok_or_else(|| ApiError::Server("answer without the consent".into()))
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
            consent,
            note,
        } => {
            use api::refer_person as m;
            let (consent_id, consent) = match consent {
                ReferralConsent::Recorded(id) => (Some(id), None),
                ReferralConsent::GivenNow { given_by, given_on } => {
                    (None, Some(m::ConsentGivenInput { given_by, given_on }))
                }
            };
            let d = client
                .post::<api::ReferPerson>(m::Variables {
                    input: m::ReferPersonInput {
                        client_mutation_id: cmid,
                        individual_id,
                        agreement_id,
                        purpose,
                        consent_id,
                        consent,
                        fields: Vec::new(),
                        note,
                    },
                })
                .await?;
            found(d.refer_person.referral.map(|r| r.reference))
        }
        SharingInput::RecordConsent {
            individual_id,
            given_by,
            given_on,
            purposes,
        } => {
            use api::record_referral_consent as m;
            let d = client
                .post::<api::RecordReferralConsent>(m::Variables {
                    input: m::RecordReferralConsentInput {
                        client_mutation_id: cmid,
                        individual_id,
                        given_by,
                        given_on,
                        purposes,
                    },
                })
                .await?;
            consent_of(d.record_referral_consent.consent.map(|c| c.id))
        }
        SharingInput::WithdrawConsent {
            consent_id,
            version,
        } => {
            use api::withdraw_referral_consent as m;
            let d = client
                .post::<api::WithdrawReferralConsent>(m::Variables {
                    input: m::WithdrawReferralConsentInput {
                        client_mutation_id: cmid,
                        consent_id,
                        version,
                    },
                })
                .await?;
            consent_of(d.withdraw_referral_consent.consent.map(|c| c.id))
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
