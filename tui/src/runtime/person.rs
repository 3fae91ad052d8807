//! Sends a person's form as its own mutation (the API publishes one per change), with the
//! form's `clientMutationId` so a retry acts only once.

use crate::api::{self, ApiError, Client};
use crate::msg::PersonInput;

/// Sends `input`; `Ok(Some(id))` names the case opened or the group to show after a split
/// (the new one) or a merge (the one that stays).
pub(super) async fn send(
    client: &Client,
    cmid: String,
    input: PersonInput,
) -> Result<Option<String>, ApiError> {
    match input {
        PersonInput::AddNeed {
            individual_id,
            code,
            sub_code,
            comments,
        } => {
            use api::add_specific_need as m;
            client
                .post::<api::AddSpecificNeed>(m::Variables {
                    input: m::AddSpecificNeedInput {
                        client_mutation_id: cmid,
                        individual_id,
                        code,
                        sub_code,
                        comments,
                    },
                })
                .await?;
        }
        PersonInput::ReviewNeed {
            need_id,
            version,
            confirmed,
            comments,
        } => {
            use api::review_specific_need as m;
            client
                .post::<api::ReviewSpecificNeed>(m::Variables {
                    input: m::ReviewSpecificNeedInput {
                        client_mutation_id: cmid,
                        id: need_id,
                        version,
                        status: if confirmed {
                            m::NeedStatus::CONFIRMED
                        } else {
                            m::NeedStatus::RESOLVED
                        },
                        comments,
                    },
                })
                .await?;
        }
        PersonInput::AddDocument {
            individual_id,
            document_type,
            number,
            issuing_country,
        } => {
            use api::add_document as m;
            client
                .post::<api::AddDocument>(m::Variables {
                    input: m::AddDocumentInput {
                        client_mutation_id: cmid,
                        individual_id,
                        document: m::DocumentInput {
                            document_type,
                            number,
                            issuing_country,
                            issued_on: None,
                            expires_on: None,
                        },
                    },
                })
                .await?;
        }
        PersonInput::UpdateDocument {
            id,
            version,
            document_type,
            number,
            issuing_country,
            issued_on,
            expires_on,
        } => {
            use api::update_document as m;
            client
                .post::<api::UpdateDocument>(m::Variables {
                    input: m::UpdateDocumentInput {
                        client_mutation_id: cmid,
                        id,
                        version,
                        document: m::DocumentInput {
                            document_type,
                            number,
                            issuing_country,
                            issued_on,
                            expires_on,
                        },
                    },
                })
                .await?;
        }
        PersonInput::Update {
            id,
            version,
            given_names,
            family_name,
            original_script_name,
            date_of_birth,
            nationalities,
            languages,
            addresses,
            phones,
        } => {
            use api::update_individual as m;
            client
                .post::<api::UpdateIndividual>(m::Variables {
                    input: m::UpdateIndividualInput {
                        client_mutation_id: cmid,
                        id,
                        version,
                        given_names,
                        middle_name: None,
                        family_name,
                        second_family_name: None,
                        fathers_name: None,
                        grandfathers_name: None,
                        original_script_name,
                        aliases: None,
                        sex: None,
                        date_of_birth,
                        date_of_birth_precision: None,
                        place_of_birth: None,
                        marital_status: None,
                        nationalities,
                        country_of_origin: None,
                        ethnicity: None,
                        religion: None,
                        needs_interpreter: None,
                        same_sex_interviewer: None,
                        arrival_date: None,
                        point_of_entry: None,
                        consent_to_contact: None,
                        languages: languages.map(|v| {
                            v.into_iter()
                                .map(|l| m::LanguageInput {
                                    language: l.language,
                                    kind: l.kind,
                                })
                                .collect()
                        }),
                        addresses: addresses.map(|v| {
                            v.into_iter()
                                .map(|a| m::AddressInput {
                                    kind: a.kind,
                                    line: a.line,
                                    city: a.city,
                                    province: a.province,
                                    country: a.country,
                                })
                                .collect()
                        }),
                        phones: phones.map(|v| {
                            v.into_iter()
                                .map(|p| m::PhoneInput {
                                    number: p.number,
                                    kind: p.kind,
                                    consent_to_contact: p.consent_to_contact,
                                })
                                .collect()
                        }),
                        mark_verified: false,
                    },
                })
                .await?;
        }
        PersonInput::Split {
            group_id,
            version,
            members,
        } => {
            use api::split_group as m;
            let d = client
                .post::<api::SplitGroup>(m::Variables {
                    input: m::SplitGroupInput {
                        client_mutation_id: cmid,
                        group_id,
                        version,
                        members: members
                            .into_iter()
                            .map(|(individual_id, relationship)| m::MoveMemberInput {
                                individual_id,
                                relationship,
                            })
                            .collect(),
                    },
                })
                .await?;
            return Ok(d.split_group.new_group.map(|g| g.id));
        }
        PersonInput::Merge {
            target_id,
            target_version,
            source_id,
            source_version,
            members,
        } => {
            use api::merge_groups as m;
            let d = client
                .post::<api::MergeGroups>(m::Variables {
                    input: m::MergeGroupsInput {
                        client_mutation_id: cmid,
                        target_group_id: target_id,
                        target_version,
                        source_group_id: source_id,
                        source_version,
                        members: members
                            .into_iter()
                            .map(|(individual_id, relationship)| m::MoveMemberInput {
                                individual_id,
                                relationship,
                            })
                            .collect(),
                    },
                })
                .await?;
            return Ok(d.merge_groups.group.map(|g| g.id));
        }
        PersonInput::OpenCase {
            group_id,
            principal_id,
            member_ids,
            claim_summary,
        } => {
            use api::open_case as m;
            let d = client
                .post::<api::OpenCase>(m::Variables {
                    input: m::OpenCaseInput {
                        client_mutation_id: cmid,
                        group_id,
                        principal_id,
                        member_ids,
                        modality: None,
                        claim_summary,
                    },
                })
                .await?;
            return Ok(d.open_case.case.map(|c| c.id));
        }
    }
    Ok(None)
}
