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

/// Sends an action as its own mutation: one arm per action, mapping the form's fields to the
/// mutation's input.
pub(super) async fn act(
    client: &Client,
    cmid: String,
    case_id: String,
    version: i64,
    input: ActInput,
) -> Result<ActDone, ApiError> {
    // `Op`, its module (which is also its answer's field) and its input with the action's
    // fields; the case, the version read and the `clientMutationId` are added here.
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
            status(d.$m.case.map(|c| (c.status, c.version)))
        }};
    }
    use ActInput as I;
    match input {
        I::NoShow => send!(RecordNoShow, record_no_show, CaseActionInput {}),
        I::Contact { channel, note } => {
            let d = client
                .post::<api::RecordContact>(api::record_contact::Variables {
                    input: api::record_contact::CaseActionInput {
                        client_mutation_id: cmid,
                        case_id,
                        version,
                    },
                    contact: Some(api::record_contact::ContactInput {
                        channel: Some(channel),
                        note,
                    }),
                })
                .await?;
            status(d.record_contact.case.map(|c| (c.status, c.version)))
        }
        I::Notify {
            notified_at,
            method,
        } => {
            let d = client
                .post::<api::NotifyDecision>(api::notify_decision::Variables {
                    input: api::notify_decision::CaseActionInput {
                        client_mutation_id: cmid,
                        case_id,
                        version,
                    },
                    notification: Some(api::notify_decision::NotificationInput {
                        notified_at,
                        method: Some(method),
                    }),
                })
                .await?;
            status(d.notify_decision.case.map(|c| (c.status, c.version)))
        }
        I::Abandon => send!(ConfirmAbandonment, confirm_abandonment, CaseActionInput {}),
        I::Resume => send!(ResumeCase, resume_case, CaseActionInput {}),
        I::Withdraw { reason } => send!(WithdrawCase, withdraw_case, CaseReasonInput { reason }),
        I::Hold { reason } => send!(PutCaseOnHold, put_case_on_hold, CaseReasonInput { reason }),
        I::Close { reason } => send!(CloseCase, close_case, CloseCaseInput { reason }),
        I::Appeal { lodged_at } => send!(LodgeAppeal, lodge_appeal, LodgeAppealInput { lodged_at }),
        I::Assign { officer_id } => send!(AssignCase, assign_case, AssignCaseInput { officer_id }),
        I::Reopen {
            ground,
            approver_id,
        } => {
            send!(
                ReopenCase,
                reopen_case,
                ReopenCaseInput {
                    ground,
                    approver_id
                }
            )
        }
        I::Admissibility { admissible, reason } => send!(
            DecideAdmissibility,
            decide_admissibility,
            DecideAdmissibilityInput { admissible, reason }
        ),
        I::Review { approve, comments } => send!(
            ReviewAssessment,
            review_assessment,
            ReviewAssessmentInput { approve, comments }
        ),
        I::Schedule {
            at,
            minutes,
            officer_id,
            language,
            reschedule,
            override_reason,
        } => send!(
            ScheduleInterview,
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
        I::Interview {
            attended,
            held_at,
            notes_ref,
            language,
            override_reason,
        } => send!(
            RecordInterview,
            record_interview,
            RecordInterviewInput {
                principal_attended: attended,
                held_at,
                notes_ref,
                interpreter_language: language,
                override_reason,
            }
        ),
        I::Assessment {
            recommendations,
            assessment_ref,
        } => send!(
            SubmitAssessment,
            submit_assessment,
            SubmitAssessmentInput {
                recommendations: recommendation_inputs(recommendations),
                assessment_ref,
            }
        ),
        I::AssignMany { cases, officer_id } => assign_many(client, cmid, cases, officer_id).await,
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
