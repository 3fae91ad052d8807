//! Runs [`Cmd`]s: each network request is a tokio task that sends exactly one [`Msg::Reply`]
//! back, with the time it took, so the screen keeps taking keys while requests are out.

use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::{self, ApiError, Client};
use crate::msg::{
    AdminData, AdminDone, AdminOp, AdminRead, CasePage, Cmd, Decision, ImportReviewsPage,
    ListReply, LiveEvent, Msg, PreRegPage, Reply, ReviewsPage, TokenOp,
};
use crate::screens::import_reviews::IMPORT_REVIEWS_PAGE;
use crate::screens::pre_regs::PRE_REGS_PAGE;

mod act;
mod assistance;
mod person;
mod protection;
mod sharing;

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
    if let Cmd::Logout = cmd {
        client.stop_live();
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
            reply: Box::new(reply),
        });
    });
}

/// How often [`watch`] knocks, and how long it waits for an answer.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Watches that the server still takes connections, so the status line turns to LINK DOWN
/// within seconds of the server going away, with no key pressed and with or without a live
/// link. It opens and closes a TCP connection: no request, no bytes of payload on a thin link.
/// It reports only the change to unreachable; the next answer (or the live link) says when the
/// server is back, since a port that answers is not yet a server that does.
pub fn watch(client: &Client, tx: &UnboundedSender<Msg>) {
    let Some(addr) = reqwest::Url::parse(client.endpoint()).ok().and_then(|u| {
        Some(format!(
            "{}:{}",
            u.host_str()?.trim_start_matches('[').trim_end_matches(']'),
            u.port_or_known_default()?
        ))
    }) else {
        return;
    };
    let tx = tx.clone();
    tokio::spawn(async move {
        let mut reachable = true;
        loop {
            tokio::time::sleep(WATCH_EVERY).await;
            let knock = tokio::net::TcpStream::connect(addr.as_str());
            let now = matches!(tokio::time::timeout(WATCH_EVERY, knock).await, Ok(Ok(_)));
            if reachable && !now && tx.send(Msg::Live(LiveEvent::Unreachable)).is_err() {
                return;
            }
            if tx.is_closed() {
                return;
            }
            reachable = now;
        }
    });
}

/// Runs one request to its reply; `None` for commands that have none.
async fn perform(client: &Client, cmd: Cmd) -> Option<Reply> {
    Some(match cmd {
        Cmd::Login {
            username,
            password,
            new_password,
        } => Reply::Login(
            client
                .post::<api::Login>(api::login::Variables {
                    username,
                    password,
                    new_password,
                })
                .await,
        ),
        Cmd::Search {
            seq,
            page,
            query,
            after,
            first,
        } => Reply::Search {
            seq,
            page,
            result: client
                .post::<api::Search>(api::search::Variables {
                    search: query,
                    first: first as i64,
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
        Cmd::Reviews {
            seq,
            page,
            after,
            first,
        } => Reply::Reviews {
            seq,
            page,
            read_at: chrono::Utc::now(),
            result: reviews_page(client, after, first).await,
        },
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
            let result = decide(client, cmid.clone(), review_id, version, decision, reason).await;
            Reply::Decide { cmid, result }
        }
        Cmd::ImportReviews { seq, page, after } => Reply::ImportReviews {
            seq,
            page,
            result: import_reviews_page(client, after).await,
        },
        Cmd::DecideImport {
            cmid,
            review_id,
            version,
            link,
        } => {
            let result = decide_import(client, cmid.clone(), review_id, version, link).await;
            Reply::DecideImport { cmid, result }
        }
        Cmd::Register(input) => Reply::Register(
            client
                .post::<api::RegisterGroup>(api::register_group::Variables { input })
                .await,
        ),
        Cmd::PreRegs { seq, page, after } => Reply::PreRegs {
            seq,
            page,
            result: pre_regs_page(client, after).await,
        },
        Cmd::Convert(input) => Reply::Convert(
            client
                .post::<api::ConvertPreRegistration>(api::convert_pre_registration::Variables {
                    input,
                })
                .await,
        ),
        Cmd::Dismiss {
            cmid,
            id,
            version,
            reason,
        } => {
            let input = api::dismiss_pre_registration::DismissPreRegistrationInput {
                client_mutation_id: cmid.clone(),
                id,
                version,
                reason,
            };
            let result = client
                .post::<api::DismissPreRegistration>(api::dismiss_pre_registration::Variables {
                    input,
                })
                .await
                .map(|_| ());
            Reply::Dismiss { cmid, result }
        }
        Cmd::Me => Reply::Me(client.post::<api::Me>(api::me::Variables {}).await),
        Cmd::AdminUsers => Reply::AdminUsers(
            client
                .post::<api::Users>(api::users::Variables { after: None })
                .await,
        ),
        Cmd::AdminAct { cmid, op } => {
            let result = admin_act(client, cmid.clone(), op).await;
            Reply::AdminAct { cmid, result }
        }
        Cmd::AdminRead(read) => Reply::AdminRead(admin_read(client, read).await),
        Cmd::Statistics {
            seq,
            from_month,
            office,
        } => Reply::Statistics {
            seq,
            result: client
                .post::<api::Statistics>(api::statistics::Variables { from_month, office })
                .await,
        },
        Cmd::DataQuality { seq, office } => Reply::DataQuality {
            seq,
            result: client
                .post::<api::DataQuality>(api::data_quality::Variables { office })
                .await,
        },
        Cmd::Tokens => Reply::Tokens(
            client
                .post::<api::ApiTokens>(api::api_tokens::Variables {})
                .await,
        ),
        Cmd::TokenAct { cmid, op } => {
            let result = token_act(client, cmid.clone(), op).await;
            Reply::TokenAct { cmid, result }
        }
        Cmd::SetPasswordWithCode {
            username,
            code,
            new_password,
        } => Reply::Login(
            client
                .post::<api::SetPasswordWithCode>(api::set_password_with_code::Variables {
                    username,
                    code,
                    new_password,
                })
                .await
                .map(|d| api::login::ResponseData {
                    login: api::login::LoginLogin {
                        token: d.set_password_with_code.token,
                    },
                }),
        ),
        Cmd::Work {
            seq,
            page,
            filter,
            after,
            first,
        } => Reply::Read(ListReply::Work {
            seq,
            page,
            result: work_page(client, filter, after, first).await,
        }),
        Cmd::Queue {
            seq,
            page,
            list,
            after,
            first,
        } => Reply::Read(ListReply::Queue {
            seq,
            page,
            result: queue_page(client, list, after, first).await,
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
        Cmd::DistributionLists { seq } => Reply::DistributionLists {
            seq,
            result: assistance::day(client).await,
        },
        Cmd::Programmes { seq } => Reply::Programmes {
            seq,
            result: assistance::programmes(client).await,
        },
        Cmd::Reconciliation {
            seq,
            programme_id,
            cycle,
        } => Reply::Reconciliation {
            seq,
            result: assistance::reconciliation(client, programme_id, cycle).await,
        },
        Cmd::DistributionList { seq, id } => Reply::DistributionList {
            seq,
            result: assistance::list(client, id).await,
        },
        Cmd::Distribute {
            cmid,
            list_id,
            group_id,
            recipient_id,
            document_number,
        } => Reply::Distributed {
            result: assistance::distribute(
                client,
                cmid.clone(),
                list_id,
                group_id,
                recipient_id,
                document_number,
            )
            .await,
            cmid,
        },
        Cmd::SaveProgramme {
            cmid,
            edit,
            active,
            input,
        } => Reply::ProgrammeSaved {
            result: assistance::save_programme(client, cmid.clone(), edit, active, input).await,
            cmid,
        },
        Cmd::Assess {
            cmid,
            programme_id,
            household,
        } => Reply::Assessed {
            result: assistance::assess(client, cmid.clone(), programme_id, household).await,
            cmid,
        },
        Cmd::PlanList {
            cmid,
            target,
            households,
        } => Reply::Planned {
            result: assistance::plan(client, cmid.clone(), target, households).await,
            cmid,
        },
        Cmd::CheckBiometrics {
            cmid,
            individual_id,
        } => Reply::BiometricChecked {
            result: assistance::check_biometrics(client, individual_id).await,
            cmid,
        },
        Cmd::ProtectionCases { list, page } => Reply::ProtectionCases {
            seq: page.seq,
            page: page.page,
            result: protection::list(client, list, page.after).await,
        },
        Cmd::ProtectionCase { seq, id } => Reply::ProtectionCase {
            seq,
            result: protection::case(client, id).await,
        },
        Cmd::Protection { cmid, input } => Reply::Protection {
            result: protection::send(client, cmid.clone(), input).await,
            cmid,
        },
        Cmd::ResettlementCases { list, page } => Reply::ResettlementCases {
            seq: page.seq,
            page: page.page,
            result: sharing::cases(client, list, page.after).await,
        },
        Cmd::ResettlementCase { seq, id } => Reply::ResettlementCase {
            seq,
            result: sharing::case(client, id).await,
        },
        Cmd::Resettlement { cmid, input } => Reply::Resettlement {
            result: sharing::resettle(client, cmid.clone(), input).await,
            cmid,
        },
        Cmd::Referrals {
            direction,
            page,
            person,
        } => Reply::Referrals {
            seq: page.seq,
            result: sharing::referrals(client, direction, page, person).await,
        },
        Cmd::Sharing { cmid, input } => Reply::Sharing {
            result: sharing::share(client, cmid.clone(), input).await,
            cmid,
        },
        Cmd::Officers => Reply::Officers(
            client
                .post::<api::AssignableOfficers>(api::assignable_officers::Variables {})
                .await,
        ),
        Cmd::Act { cmid, request } => {
            let result = act::act(client, request).await;
            Reply::Act { cmid, result }
        }
        Cmd::Logout => {
            // The session ends here whatever the server answers; a refusal changes nothing.
            let _ = client.post::<api::Logout>(api::logout::Variables {}).await;
            client.set_token(None);
            return None;
        }
        Cmd::Person { cmid, input } => {
            let result = person::send(client, cmid.clone(), *input).await;
            Reply::Person { cmid, result }
        }
        Cmd::Silent(inner) => {
            let reply = Box::pin(perform(client, *inner)).await?;
            Reply::Silent(Box::new(reply))
        }
        Cmd::SyncStatus { after } => {
            tokio::time::sleep(after).await;
            Reply::SyncStatus(
                client
                    .post::<api::SyncStatus>(api::sync_status::Variables {})
                    .await,
            )
        }
        Cmd::SyncConflicts { seq } => Reply::SyncConflicts {
            seq,
            result: client
                .post::<api::SyncConflicts>(api::sync_conflicts::Variables {})
                .await
                .map(|d| d.sync_conflicts),
        },
        Cmd::ResolveConflict {
            cmid,
            id,
            version,
            resolution,
            fields,
        } => {
            let result =
                resolve_conflict(client, cmid.clone(), id, version, resolution, fields).await;
            Reply::ResolveConflict { cmid, result }
        }
        Cmd::UseToken(_) | Cmd::Live(_) => return None,
    })
}

/// A page of the duplicates queue as the screen keeps it.
async fn pre_regs_page(client: &Client, after: Option<String>) -> Result<PreRegPage, ApiError> {
    let d = client
        .post::<api::PreRegistrations>(api::pre_registrations::Variables {
            first: PRE_REGS_PAGE as i64,
            after,
        })
        .await?;
    let p = d.pre_registrations;
    Ok(PreRegPage {
        rows: p.nodes,
        has_next: p.page_info.has_next_page,
        end_cursor: p.page_info.end_cursor,
    })
}

async fn reviews_page(
    client: &Client,
    after: Option<String>,
    first: usize,
) -> Result<ReviewsPage, ApiError> {
    let d = client
        .post::<api::BiometricReviews>(api::biometric_reviews::Variables {
            first: first as i64,
            after,
        })
        .await?;
    let c = d.biometric_reviews;
    Ok(ReviewsPage {
        rows: c.edges.into_iter().map(|e| e.node).collect(),
        has_next: c.page_info.has_next_page,
        end_cursor: c.page_info.end_cursor,
    })
}

/// `decideDuplicate` with the version read and the form's `clientMutationId`.
async fn decide(
    client: &Client,
    cmid: String,
    review_id: String,
    version: i64,
    decision: Decision,
    reason: String,
) -> Result<(), ApiError> {
    use api::decide_duplicate::{DecideDuplicateInput, DuplicateDecision, Variables};
    let decision = match decision {
        Decision::SamePerson => DuplicateDecision::SAME_PERSON,
        Decision::DifferentPeople => DuplicateDecision::DIFFERENT_PEOPLE,
    };
    let input = DecideDuplicateInput {
        client_mutation_id: cmid,
        review_id,
        version,
        decision,
        reason,
    };
    client
        .post::<api::DecideDuplicate>(Variables { input })
        .await
        .map(|_| ())
}

async fn import_reviews_page(
    client: &Client,
    after: Option<String>,
) -> Result<ImportReviewsPage, ApiError> {
    let d = client
        .post::<api::ImportReviews>(api::import_reviews::Variables {
            first: IMPORT_REVIEWS_PAGE as i64,
            after,
        })
        .await?;
    let c = d.import_reviews;
    Ok(ImportReviewsPage {
        rows: c.edges.into_iter().map(|e| e.node).collect(),
        has_next: c.page_info.has_next_page,
        end_cursor: c.page_info.end_cursor,
    })
}

/// `resolveSyncConflict` with the version read and the screen's `clientMutationId`.
async fn resolve_conflict(
    client: &Client,
    cmid: String,
    id: String,
    version: i64,
    resolution: crate::screens::conflicts::Resolve,
    fields: Option<Vec<String>>,
) -> Result<(), ApiError> {
    use crate::screens::conflicts::Resolve;
    use api::resolve_sync_conflict::{Resolution, ResolveSyncConflictInput, Variables};
    let resolution = match resolution {
        Resolve::Mine => Resolution::APPLY_MINE,
        Resolve::Theirs => Resolution::KEEP_THEIRS,
        Resolve::Merge => Resolution::MERGE,
    };
    let input = ResolveSyncConflictInput {
        client_mutation_id: cmid,
        id,
        version,
        resolution,
        fields,
    };
    client
        .post::<api::ResolveSyncConflict>(Variables { input })
        .await
        .map(|_| ())
}

/// `decideImportReview` with the version read and the list's `clientMutationId`.
async fn decide_import(
    client: &Client,
    cmid: String,
    review_id: String,
    version: i64,
    link: bool,
) -> Result<(), ApiError> {
    use api::decide_import_review::{DecideImportReviewInput, ImportReviewDecision, Variables};
    let decision = if link {
        ImportReviewDecision::LINK
    } else {
        ImportReviewDecision::KEEP_SEPARATE
    };
    let input = DecideImportReviewInput {
        client_mutation_id: cmid,
        review_id,
        version,
        decision,
    };
    client
        .post::<api::DecideImportReview>(Variables { input })
        .await
        .map(|_| ())
}

/// A page of My work.
async fn work_page(
    client: &Client,
    filter: api::my_work::WorkFilterInput,
    after: Option<String>,
    first: usize,
) -> Result<CasePage, ApiError> {
    let d = client
        .post::<api::MyWork>(api::my_work::Variables {
            filter: Some(filter),
            first: first as i64,
            after,
        })
        .await?;
    Ok(CasePage {
        has_next: d.my_work.page_info.has_next_page,
        end_cursor: d.my_work.page_info.end_cursor,
        rows: d.my_work.edges.into_iter().map(|e| e.node.into()).collect(),
    })
}

/// A page of one of the supervisor's lists.
async fn queue_page(
    client: &Client,
    list: api::case_queue::CaseList,
    after: Option<String>,
    first: usize,
) -> Result<CasePage, ApiError> {
    let d = client
        .post::<api::CaseQueue>(api::case_queue::Variables {
            list,
            first: first as i64,
            after,
        })
        .await?;
    Ok(CasePage {
        has_next: d.case_queue.page_info.has_next_page,
        end_cursor: d.case_queue.page_info.end_cursor,
        rows: d
            .case_queue
            .edges
            .into_iter()
            .map(|e| e.node.into())
            .collect(),
    })
}

/// Sends one unit-admin change; a code issued comes back to be shown once.
async fn admin_act(client: &Client, cmid: String, op: AdminOp) -> Result<AdminDone, ApiError> {
    match op {
        AdminOp::Create {
            username,
            display_name,
            roles,
            office_id,
            scope_level,
        } => {
            let d = client
                .post::<api::CreateUser>(api::create_user::Variables {
                    cmid,
                    username,
                    display_name,
                    roles,
                    office_id,
                    scope_level: Some(scope_level),
                })
                .await?
                .create_user;
            Ok(AdminDone::Code {
                username: d.user.username,
                code: d.one_time_code.unwrap_or_default(),
                expires_at: d.code_expires_at,
            })
        }
        AdminOp::Disable { id, version } => client
            .post::<api::DisableUser>(api::disable_user::Variables { cmid, id, version })
            .await
            .map(|_| AdminDone::Changed),
        AdminOp::Enable { id, version } => client
            .post::<api::EnableUser>(api::enable_user::Variables { cmid, id, version })
            .await
            .map(|_| AdminDone::Changed),
        AdminOp::Update {
            id,
            version,
            display_name,
            roles,
            office_id,
            scope_level,
            force_password_change,
        } => client
            .post::<api::UpdateUser>(api::update_user::Variables {
                cmid,
                id,
                version,
                display_name,
                roles,
                office_id,
                scope_level,
                force_password_change: Some(force_password_change),
            })
            .await
            .map(|_| AdminDone::Changed),
        AdminOp::EndSession { id } => client
            .post::<api::EndSession>(api::end_session::Variables { cmid, id })
            .await
            .map(|_| AdminDone::Changed),
        AdminOp::SaveOffice {
            id,
            version,
            code,
            name,
            time_zone,
            working_hours,
            holidays,
        } => client
            .post::<api::SaveOffice>(api::save_office::Variables {
                cmid,
                id,
                version,
                code,
                name,
                time_zone: Some(time_zone),
                working_hours,
                holidays: Some(holidays),
            })
            .await
            .map(|_| AdminDone::Changed),
        AdminOp::UpdateSettings { version, settings } => client
            .post::<api::UpdateUnitSettings>(api::update_unit_settings::Variables {
                cmid,
                version,
                settings,
            })
            .await
            .map(|_| AdminDone::Changed),
        AdminOp::RegisterNode { office_code, name } => {
            let d = client
                .post::<api::RegisterNode>(api::register_node::Variables {
                    cmid,
                    office_code,
                    name,
                })
                .await?
                .register_node;
            Ok(AdminDone::NodeCode {
                name: d.node.name,
                // A replay of the request (the answer was lost) gets no code: the screen says
                // so and the admin registers the node again.
                code: d.enrolment_code.unwrap_or_default(),
                expires_at: d.node.enrol_expires_at,
            })
        }
        AdminOp::RevokeNode { id, version } => client
            .post::<api::RevokeNode>(api::revoke_node::Variables { cmid, id, version })
            .await
            .map(|_| AdminDone::Changed),
        AdminOp::ResetCode { id } => {
            let d = client
                .post::<api::IssueResetCode>(api::issue_reset_code::Variables { cmid, id })
                .await?
                .issue_reset_code;
            Ok(AdminDone::Code {
                username: d.user.username,
                code: d.one_time_code.unwrap_or_default(),
                expires_at: d.code_expires_at,
            })
        }
    }
}

/// Reads what one of the administration screen's views shows.
async fn admin_read(client: &Client, read: AdminRead) -> Result<AdminData, ApiError> {
    Ok(match read {
        AdminRead::Sessions { user_id } => {
            let d = client
                .post::<api::UserSessions>(api::user_sessions::Variables {
                    user_id: user_id.clone(),
                })
                .await?;
            AdminData::Sessions {
                user_id,
                sessions: d.user_sessions,
            }
        }
        AdminRead::Offices => AdminData::Offices(
            client
                .post::<api::UnitOffices>(api::unit_offices::Variables {})
                .await?
                .unit_offices,
        ),
        AdminRead::Settings => AdminData::Settings(Box::new(
            client
                .post::<api::UnitSettings>(api::unit_settings::Variables {})
                .await?,
        )),
        AdminRead::Review => AdminData::Review(
            client
                .post::<api::AccessReview>(api::access_review::Variables {})
                .await?
                .access_review,
        ),
        AdminRead::Nodes => AdminData::Nodes(Box::new(
            client
                .post::<api::FieldNodes>(api::field_nodes::Variables {})
                .await?,
        )),
        AdminRead::Agreements => AdminData::Agreements(
            client
                .post::<api::Agreements>(api::agreements::Variables {})
                .await?
                .data_sharing_agreements,
        ),
    })
}

/// Creates or revokes one of the caller's API tokens; a new token's secret comes back once.
async fn token_act(client: &Client, cmid: String, op: TokenOp) -> Result<Option<String>, ApiError> {
    match op {
        TokenOp::Create { name, days } => Ok(client
            .post::<api::CreateApiToken>(api::create_api_token::Variables { cmid, name, days })
            .await?
            .create_api_token
            .token),
        TokenOp::Revoke { id } => client
            .post::<api::RevokeApiToken>(api::revoke_api_token::Variables { cmid, id })
            .await
            .map(|_| None),
    }
}
