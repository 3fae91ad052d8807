//! Sends a case action as its own mutation (the API publishes one per action, and their names
//! are part of its contract): the form's [`ActInput`] becomes that mutation's input with the
//! case, the version read and the `clientMutationId`.

use crate::actions::ActInput;
use crate::api::{self, ApiError, Client};
use crate::msg::ActDone;

/// The status a case mutation left.
fn status(case: Option<(String, i64)>) -> Result<ActDone, ApiError> {
    Ok(ActDone {
        status: case.map(|c| c.0),
        cases: 1,
    })
}

/// Sends an action as its own mutation.
pub(super) async fn act(
    client: &Client,
    cmid: String,
    case_id: String,
    version: i64,
    input: ActInput,
) -> Result<ActDone, ApiError> {
    macro_rules! simple {
        ($op:ident, $m:ident, $field:ident, $input:ident { $($extra:tt)* }) => {{
            let d = client
                .post::<api::$op>(api::$m::Variables {
                    input: api::$m::$input {
                        client_mutation_id: cmid,
                        case_id,
                        version,
                        $($extra)*
                    },
                })
                .await?;
            status(d.$field.case.map(|c| (c.status, c.version)))
        }};
    }
    match input {
        ActInput::Admissibility { admissible, reason } => simple!(
            DecideAdmissibility,
            decide_admissibility,
            decide_admissibility,
            DecideAdmissibilityInput { admissible, reason }
        ),
        ActInput::Schedule {
            at,
            minutes,
            officer_id,
            language,
            reschedule,
            override_reason,
        } => simple!(
            ScheduleInterview,
            schedule_interview,
            schedule_interview,
            ScheduleInterviewInput {
                at,
                minutes: Some(minutes),
                officer_id,
                language,
                // The server books a free interpreter for the language; choosing one by name
                // is left to the unit's interpreter roster, which the API does not list yet.
                interpreter_id: None,
                override_reason,
                reschedule_appointment_id: reschedule,
            }
        ),
        ActInput::Interview {
            attended,
            notes_ref,
            language,
            override_reason,
        } => simple!(
            RecordInterview,
            record_interview,
            record_interview,
            RecordInterviewInput {
                principal_attended: attended,
                notes_ref,
                interpreter_language: language,
                override_reason,
            }
        ),
        ActInput::NoShow => simple!(
            RecordNoShow,
            record_no_show,
            record_no_show,
            CaseActionInput {}
        ),
        ActInput::Contact => simple!(
            RecordContact,
            record_contact,
            record_contact,
            CaseActionInput {}
        ),
        ActInput::Assessment {
            recommendations,
            assessment_ref,
        } => {
            let recommendations = recommendation_inputs(recommendations);
            simple!(
                SubmitAssessment,
                submit_assessment,
                submit_assessment,
                SubmitAssessmentInput {
                    recommendations,
                    assessment_ref,
                }
            )
        }
        ActInput::Review { approve, comments } => simple!(
            ReviewAssessment,
            review_assessment,
            review_assessment,
            ReviewAssessmentInput { approve, comments }
        ),
        ActInput::Notify => simple!(
            NotifyDecision,
            notify_decision,
            notify_decision,
            CaseActionInput {}
        ),
        ActInput::Appeal { lodged_at } => simple!(
            LodgeAppeal,
            lodge_appeal,
            lodge_appeal,
            LodgeAppealInput { lodged_at }
        ),
        ActInput::Withdraw { reason } => simple!(
            WithdrawCase,
            withdraw_case,
            withdraw_case,
            CaseReasonInput { reason }
        ),
        ActInput::Close { reason } => {
            simple!(CloseCase, close_case, close_case, CloseCaseInput { reason })
        }
        ActInput::Abandon => simple!(
            ConfirmAbandonment,
            confirm_abandonment,
            confirm_abandonment,
            CaseActionInput {}
        ),
        ActInput::Reopen {
            ground,
            approver_id,
        } => simple!(
            ReopenCase,
            reopen_case,
            reopen_case,
            ReopenCaseInput {
                ground,
                approver_id,
            }
        ),
        ActInput::Assign { officer_id } => simple!(
            AssignCase,
            assign_case,
            assign_case,
            AssignCaseInput { officer_id }
        ),
        ActInput::Hold { reason } => simple!(
            PutCaseOnHold,
            put_case_on_hold,
            put_case_on_hold,
            CaseReasonInput { reason }
        ),
        ActInput::Resume => simple!(ResumeCase, resume_case, resume_case, CaseActionInput {}),
        ActInput::AssignMany { cases, officer_id } => {
            assign_many(client, cmid, cases, officer_id).await
        }
    }
}

/// An assessment's recommendations as the API takes them: the codes are a ground, reasons or
/// clauses according to the outcome.
fn recommendation_inputs(
    recommendations: Vec<(String, String, Vec<String>)>,
) -> Vec<api::submit_assessment::RecommendationInput> {
    recommendations
        .into_iter()
        .map(|(individual_id, outcome, codes)| {
            let (ground, reasons, clauses) = match outcome.as_str() {
                "recognised" => (codes.into_iter().next(), Vec::new(), Vec::new()),
                "rejected" => (None, codes, Vec::new()),
                _ => (None, Vec::new(), codes),
            };
            api::submit_assessment::RecommendationInput {
                individual_id,
                outcome,
                ground,
                reasons,
                clauses,
            }
        })
        .collect()
}

/// `assignCases`: every case with the version read, in one request.
async fn assign_many(
    client: &Client,
    cmid: String,
    cases: Vec<(String, i64)>,
    officer_id: String,
) -> Result<ActDone, ApiError> {
    let d = client
        .post::<api::AssignCases>(api::assign_cases::Variables {
            input: api::assign_cases::AssignCasesInput {
                client_mutation_id: cmid,
                cases: cases
                    .into_iter()
                    .map(|(case_id, version)| api::assign_cases::CaseVersionInput {
                        case_id,
                        version,
                    })
                    .collect(),
                officer_id,
            },
        })
        .await?;
    Ok(ActDone {
        status: None,
        cases: d.assign_cases.events.len(),
    })
}
