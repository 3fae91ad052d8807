//! Runs [`Cmd`]s: each network request is a tokio task that sends exactly one [`Msg::Reply`]
//! back, with the time it took, so the screen keeps taking keys while requests are out.

use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::{self, ApiError, Client};
use crate::app::{Cmd, Msg, PAGE_SIZE, Reply};
use crate::form::ActInput;
use crate::review::{Decision, REVIEWS_PAGE, ReviewsPage};
use crate::work::{ActDone, CasePage, ListReply, QUEUE_PAGE, WORK_PAGE};

/// Starts `cmd`; its reply arrives on `tx`.
pub fn run(client: &Client, cmd: Cmd, tx: &UnboundedSender<Msg>) {
    if let Cmd::UseToken(token) = cmd {
        client.set_token(Some(token));
        return;
    }
    if let Cmd::Live(token) = cmd {
        let task = tokio::spawn(crate::live::run(
            client.endpoint().to_string(),
            client.tls(),
            token,
            tx.clone(),
        ));
        client.set_live(task.abort_handle());
        return;
    }
    let client = client.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        let reply = perform(&client, cmd).await;
        let Some(reply) = reply else { return };
        // The receiver is gone only when the client is quitting; the reply no longer matters.
        let _ = tx.send(Msg::Reply {
            rtt: started.elapsed(),
            reply,
        });
    });
}

/// Runs one request to its reply; `None` for commands that have none.
async fn perform(client: &Client, cmd: Cmd) -> Option<Reply> {
    Some(match cmd {
        Cmd::Login { username, password } => Reply::Login(
            client
                .post::<api::Login>(api::login::Variables { username, password })
                .await,
        ),
        Cmd::Search {
            seq,
            page,
            query,
            after,
        } => Reply::Search {
            seq,
            page,
            result: client
                .post::<api::Search>(api::search::Variables {
                    search: query,
                    first: PAGE_SIZE as i64,
                    after,
                })
                .await,
        },
        Cmd::Individual { seq, id } => Reply::Individual {
            seq,
            result: client
                .post::<api::Individual>(api::individual::Variables { id })
                .await
                .map(Box::new),
        },
        Cmd::Group { seq, id } => Reply::Group {
            seq,
            result: client
                .post::<api::Group>(api::group::Variables { id })
                .await
                .map(Box::new),
        },
        Cmd::Reviews { seq, page, after } => {
            let result = client
                .post::<api::BiometricReviews>(api::biometric_reviews::Variables {
                    first: REVIEWS_PAGE as i64,
                    after,
                })
                .await
                .map(|d| {
                    let c = d.biometric_reviews;
                    ReviewsPage {
                        rows: c.edges.into_iter().map(|e| e.node).collect(),
                        has_next: c.page_info.has_next_page,
                        end_cursor: c.page_info.end_cursor,
                    }
                });
            Reply::Reviews {
                seq,
                page,
                read_at: chrono::Utc::now(),
                result,
            }
        }
        Cmd::Review { seq, id } => Reply::Review {
            seq,
            result: client
                .post::<api::BiometricReview>(api::biometric_review::Variables { id })
                .await
                .map(|d| d.biometric_review.map(Box::new)),
        },
        Cmd::Decide {
            cmid,
            review_id,
            version,
            decision,
            reason,
        } => {
            use api::decide_duplicate::{DecideDuplicateInput, DuplicateDecision, Variables};
            let decision = match decision {
                Decision::SamePerson => DuplicateDecision::SAME_PERSON,
                Decision::DifferentPeople => DuplicateDecision::DIFFERENT_PEOPLE,
            };
            let input = DecideDuplicateInput {
                client_mutation_id: cmid.clone(),
                review_id,
                version,
                decision,
                reason,
            };
            let result = client
                .post::<api::DecideDuplicate>(Variables { input })
                .await
                .map(|_| ());
            Reply::Decide { cmid, result }
        }
        Cmd::Register(input) => Reply::Register(
            client
                .post::<api::RegisterGroup>(api::register_group::Variables { input })
                .await,
        ),
        Cmd::Me => Reply::Me(client.post::<api::Me>(api::me::Variables {}).await),
        Cmd::Work {
            seq,
            page,
            filter,
            after,
        } => Reply::Read(ListReply::Work {
            seq,
            page,
            result: client
                .post::<api::MyWork>(api::my_work::Variables {
                    filter: Some(filter),
                    first: WORK_PAGE as i64,
                    after,
                })
                .await
                .map(|d| CasePage {
                    has_next: d.my_work.page_info.has_next_page,
                    end_cursor: d.my_work.page_info.end_cursor,
                    rows: d.my_work.edges.into_iter().map(|e| e.node.into()).collect(),
                }),
        }),
        Cmd::Queue {
            seq,
            page,
            list,
            after,
        } => Reply::Read(ListReply::Queue {
            seq,
            page,
            result: client
                .post::<api::CaseQueue>(api::case_queue::Variables {
                    list,
                    first: QUEUE_PAGE as i64,
                    after,
                })
                .await
                .map(|d| CasePage {
                    has_next: d.case_queue.page_info.has_next_page,
                    end_cursor: d.case_queue.page_info.end_cursor,
                    rows: d
                        .case_queue
                        .edges
                        .into_iter()
                        .map(|e| e.node.into())
                        .collect(),
                }),
        }),
        Cmd::Summary { seq } => Reply::Read(ListReply::Summary {
            seq,
            result: client
                .post::<api::CaseSummary>(api::case_summary::Variables {})
                .await,
        }),
        Cmd::Case { seq, id } => Reply::Read(ListReply::Case {
            seq,
            result: client
                .post::<api::Case>(api::case::Variables { id })
                .await
                .map(Box::new),
        }),
        Cmd::Officers => Reply::Officers(
            client
                .post::<api::AssignableOfficers>(api::assignable_officers::Variables {})
                .await,
        ),
        Cmd::Act {
            cmid,
            case_id,
            version,
            input,
        } => {
            let result = act(client, cmid.clone(), case_id, version, input).await;
            Reply::Act { cmid, result }
        }
        Cmd::Silent(inner) => {
            let reply = Box::pin(perform(client, *inner)).await?;
            Reply::Silent(Box::new(reply))
        }
        Cmd::UseToken(_) | Cmd::Live(_) => return None,
    })
}

/// The status a case mutation left.
fn status(case: Option<(String, i64)>) -> Result<ActDone, ApiError> {
    Ok(ActDone {
        status: case.map(|c| c.0),
        cases: 1,
    })
}

/// Sends an action as its own mutation.
async fn act(
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
            let recommendations = recommendations
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
                .collect();
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
    }
}
