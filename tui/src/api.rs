//! The only way the client talks to the server: typed GraphQL operations generated from the
//! `.graphql` files in `tui/graphql/` against the root `schema.graphql`, sent by one generic
//! [`Client::post`] that owns transport (one compressed keep-alive connection) and maps the
//! server's `extensions.code` to [`ApiError`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use amparo_domain::error::Reason;
/// The case's `allowedActions` decode into the domain's action kinds, so keys and labels come
/// from its table.
pub use amparo_domain::rsd::ActionKind as CaseAction;
use graphql_client::GraphQLQuery;
use serde::Deserialize;

/// graphql_client's derive does not watch the schema file; this makes cargo rebuild the crate
/// (and so regenerate every operation) whenever the contract changes.
const _SCHEMA: &str = include_str!("../../schema.graphql");

/// `YYYY-MM-DD`, kept as the server wrote it.
pub type NaiveDate = String;
/// RFC 3339, kept as the server wrote it and formatted for display by the view.
pub type DateTime = String;
/// The JSON scalar (unit settings and their history), kept as a value to edit and send back.
#[allow(clippy::upper_case_acronyms)]
pub type JSON = serde_json::Value;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/login.graphql",
    response_derives = "Debug, Clone"
)]
pub struct Login;

/// Where the server stands: central, or a field node and how fresh it is (the status line).
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sync_status.graphql",
    response_derives = "Debug, Clone"
)]
pub struct SyncStatus;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/search.graphql",
    response_derives = "Debug, Clone"
)]
pub struct Search;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/individual.graphql",
    response_derives = "Debug, Clone, PartialEq, Eq"
)]
pub struct Individual;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/person/split_group.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct SplitGroup;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/person/merge_groups.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct MergeGroups;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/logout.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct Logout;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/person/add_specific_need.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct AddSpecificNeed;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/person/review_specific_need.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct ReviewSpecificNeed;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/person/add_document.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct AddDocument;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/person/update_document.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct UpdateDocument;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/person/update_individual.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct UpdateIndividual;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/person/open_case.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct OpenCase;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/create_api_token.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct CreateApiToken;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/stats/statistics.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Statistics;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/stats/data_quality.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct DataQuality;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/api_tokens.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct ApiTokens;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/revoke_api_token.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct RevokeApiToken;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/export/request_export.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct RequestExport;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/export/export_job.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct ExportJob;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/export/export_jobs.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct ExportJobs;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/export/export_fields.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct ExportFields;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/set_password_with_code.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct SetPasswordWithCode;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/users.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Users;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/create_user.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct CreateUser;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/set_user_status.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct DisableUser;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/set_user_status.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct EnableUser;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/set_user_status.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct IssueResetCode;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/update_user.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct UpdateUser;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/user_sessions.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct UserSessions;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/end_session.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct EndSession;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/unit_offices.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct UnitOffices;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/save_office.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct SaveOffice;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/field_nodes.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct FieldNodes;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/register_node.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct RegisterNode;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/revoke_node.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct RevokeNode;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/unit_settings.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct UnitSettings;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/update_unit_settings.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct UpdateUnitSettings;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/admin/access_review.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct AccessReview;

/// A finished capture's enrolment, sent by `amparo capture` (and its offline queue).
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/enrol_biometrics.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone, Deserialize"
)]
pub struct EnrolBiometrics;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/group.graphql",
    response_derives = "Debug, Clone"
)]
pub struct Group;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/biometric_reviews.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct BiometricReviews;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/biometric_review.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct BiometricReview;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/decide_duplicate.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct DecideDuplicate;

/// Changes made on a field node that central refused, with both versions.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sync_conflicts.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct SyncConflicts;

/// A sync conflict resolved: apply mine, keep theirs, or merge the chosen fields.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/resolve_sync_conflict.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct ResolveSyncConflict;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/import_reviews.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct ImportReviews;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/decide_import_review.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct DecideImportReview;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/register_group.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct RegisterGroup;

/// The registrars' triage queue of online pre-registrations.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/prereg/pre_registrations.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct PreRegistrations;

/// Registers a pre-registration's family from the registration form.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/prereg/convert_pre_registration.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone, Deserialize"
)]
pub struct ConvertPreRegistration;

/// Sets a pre-registration aside with a reason.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/prereg/dismiss_pre_registration.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone"
)]
pub struct DismissPreRegistration;

// Reads derive PartialEq so a re-read that brings nothing new draws nothing.
/// The `Me` operation of `graphql/me.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/me.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct Me;

/// The `MyWork` operation of its file.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/my_work.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct MyWork;

/// The `CaseQueue` operation of its file.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/case_queue.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct CaseQueue;

/// The `CaseSummary` operation of `graphql/case_summary.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/case_summary.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct CaseSummary;

/// The `AssignableOfficers` operation of `graphql/officers.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/officers.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct AssignableOfficers;

/// The `Case` operation of `graphql/case.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/case.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq",
    extern_enums("CaseAction")
)]
pub struct Case;

/// A protection case's `allowedActions` decode into the domain's action kinds, so keys and
/// labels come from its table (`amparo_domain::protection::ACTIONS`).
pub use amparo_domain::protection::ActionKind as ProtectionAction;

/// The `ProtectionCases` operation of `graphql/protection/protection_cases.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/protection/protection_cases.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct ProtectionCases;

/// The `ProtectionCase` operation of `graphql/protection/protection_case.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/protection/protection_case.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq",
    extern_enums("ProtectionAction")
)]
pub struct ProtectionCase;

/// The `OpenProtectionCase` operation of `graphql/protection/open_protection_case.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/protection/open_protection_case.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct OpenProtectionCase;

/// The `CaseEvents` operation of `graphql/case_events.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/case_events.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct CaseEvents;

/// Declares a set of action mutations (one `.graphql` file each, all answering the same
/// shape) and an enum `$set`, one of them with its variables, which an action's form builds
/// and the runtime sends as it is; `send` reads the answer with `$answer` (the payload named
/// `$payload`).
macro_rules! mutation_set {
    (
        $(#[$doc:meta])* $set:ident -> $out:ty, |$payload:ident| $answer:expr;
        $($op:ident $module:ident $path:tt,)*
    ) => {
        $(
            #[doc = concat!("The `", stringify!($op), "` operation of an action's file.")]
            #[derive(GraphQLQuery)]
            #[graphql(
                schema_path = "../schema.graphql",
                query_path = $path,
                response_derives = "Debug, Clone, PartialEq",
                variables_derives = "Debug, Clone, PartialEq"
            )]
            pub struct $op;
        )*

        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $set {
            $(
                #[doc = concat!("`", stringify!($module), "`.")]
                $op($module::Variables),
            )*
        }

        impl $set {
            /// Sends it and reads what the caller needs of the answer.
            pub async fn send(self, client: &Client) -> Result<$out, ApiError> {
                Ok(match self {
                    $(Self::$op(v) => {
                        let $payload = client.post::<$op>(v).await?.$module;
                        $answer
                    })*
                })
            }

            /// The variables as they go on the wire, for a reader (and the tests) to inspect.
            pub fn variables(&self) -> serde_json::Value {
                match self {
                    $(Self::$op(v) => serde_json::to_value(v).unwrap_or_default(),)*
                }
            }
        }
    };
}

mutation_set! {
    /// An RSD case action's mutation with everything it sends (case, version read,
    /// `clientMutationId` and the action's fields); the case's status and version after it.
    CaseMutation -> Option<(String, i64)>, |p| p.case.map(|c| (c.status, c.version));
    DecideAdmissibility decide_admissibility "graphql/actions/decide_admissibility.graphql",
    ScheduleInterview schedule_interview "graphql/actions/schedule_interview.graphql",
    RecordInterview record_interview "graphql/actions/record_interview.graphql",
    RecordNoShow record_no_show "graphql/actions/record_no_show.graphql",
    RecordContact record_contact "graphql/actions/record_contact.graphql",
    SubmitAssessment submit_assessment "graphql/actions/submit_assessment.graphql",
    ReviewAssessment review_assessment "graphql/actions/review_assessment.graphql",
    NotifyDecision notify_decision "graphql/actions/notify_decision.graphql",
    LodgeAppeal lodge_appeal "graphql/actions/lodge_appeal.graphql",
    WithdrawCase withdraw_case "graphql/actions/withdraw_case.graphql",
    CloseCase close_case "graphql/actions/close_case.graphql",
    ConfirmAbandonment confirm_abandonment "graphql/actions/confirm_abandonment.graphql",
    ReopenCase reopen_case "graphql/actions/reopen_case.graphql",
    AssignCase assign_case "graphql/actions/assign_case.graphql",
    PutCaseOnHold put_case_on_hold "graphql/actions/put_case_on_hold.graphql",
    ResumeCase resume_case "graphql/actions/resume_case.graphql",
}

mutation_set! {
    /// A protection action's mutation (one per action, as the API publishes them) with the
    /// case, the version read, the `clientMutationId` and the action's fields, built by the
    /// case screen's form; the case's id after it.
    ProtectionMutation -> Option<String>, |p| p.protection_case.map(|c| c.id);
    UpdateProtectionRisk update_protection_risk "graphql/protection/update_protection_risk.graphql",
    AddProtectionPlanAction add_protection_plan_action "graphql/protection/add_protection_plan_action.graphql",
    CompleteProtectionPlanAction complete_protection_plan_action "graphql/protection/complete_protection_plan_action.graphql",
    ReferProtectionCase refer_protection_case "graphql/protection/refer_protection_case.graphql",
    RecordReferralOutcome record_referral_outcome "graphql/protection/record_referral_outcome.graphql",
    ScheduleFollowUp schedule_follow_up "graphql/protection/schedule_follow_up.graphql",
    RecordFollowUp record_follow_up "graphql/protection/record_follow_up.graphql",
    RecordBestInterestsAssessment record_best_interests_assessment "graphql/protection/record_best_interests_assessment.graphql",
    RecordBestInterestsDetermination record_best_interests_determination "graphql/protection/record_best_interests_determination.graphql",
    AssignProtectionCase assign_protection_case "graphql/protection/assign_protection_case.graphql",
    CloseProtectionCase close_protection_case "graphql/protection/close_protection_case.graphql",
    ReopenProtectionCase reopen_protection_case "graphql/protection/reopen_protection_case.graphql",
}

/// The `AssignCases` operation of an action's file.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/actions/assign_cases.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct AssignCases;

/// Why a request failed, in terms the screens act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The server could not be reached or the connection broke: the link is down.
    #[error("no connection to the server: {0}")]
    Network(String),
    /// Wrong credentials, or the session ended.
    #[error("not authenticated: {0}")]
    Unauthenticated(String),
    /// The password was right, but the unit admin asked for a new one: log in again with it.
    #[error("a new password is required: {0}")]
    PasswordChangeRequired(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The caller's unit does not run the module (named here) the operation belongs to.
    #[error("module not enabled: {0}")]
    ModuleNotEnabled(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// Input the server refused; `field` is the input path, e.g. `members.1.dateOfBirth`, and
    /// `reason` what the client renders (the English `message` is for logs only).
    #[error("invalid {field}: {message}")]
    Validation {
        field: String,
        reason: Reason,
        message: String,
    },
    #[error("conflict: {0}")]
    Conflict(String),
    /// A conflict with a reason the client renders (a household already served this cycle):
    /// not a record that moved, so nothing is to be reloaded.
    #[error("refused: {message}")]
    Refused { reason: Reason, message: String },
    #[error("too many attempts: {0}")]
    RateLimited(String),
    /// The server answered but failed, or answered something this client cannot read.
    #[error("server error: {0}")]
    Server(String),
    /// The workstation's scanner could not capture (none trusted is attached, a record that
    /// cannot be believed, a finger never good enough); nothing was sent.
    #[error("scanner: {0}")]
    Device(String),
}

#[derive(Deserialize)]
struct Extensions {
    code: Option<String>,
    field: Option<String>,
    reason: Option<String>,
    params: Option<serde_json::Value>,
}

/// The reason of `extensions.reason` with its `params`; one this client does not know (from a
/// newer server) or cannot read is `Unspecified`.
pub fn reason(name: Option<String>, params: Option<serde_json::Value>) -> Reason {
    let Some(name) = name else {
        return Reason::Unspecified;
    };
    let mut wire = serde_json::json!({ "reason": name });
    if let Some(p) = params.filter(|p| p.as_object().is_some_and(|o| !o.is_empty())) {
        wire["params"] = p;
    }
    serde_json::from_value(wire).unwrap_or(Reason::Unspecified)
}

#[derive(Deserialize)]
struct WireError {
    message: String,
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct WireResponse<T> {
    data: Option<T>,
    errors: Option<Vec<WireError>>,
}

impl From<WireError> for ApiError {
    fn from(e: WireError) -> Self {
        let (code, field, why) = match e.extensions {
            Some(x) => (
                x.code.unwrap_or_default(),
                x.field,
                reason(x.reason, x.params),
            ),
            None => (String::new(), None, Reason::Unspecified),
        };
        let m = e.message;
        match code.as_str() {
            "UNAUTHENTICATED" if why == Reason::PasswordChangeRequired => {
                Self::PasswordChangeRequired(m)
            }
            "UNAUTHENTICATED" => Self::Unauthenticated(m),
            "FORBIDDEN" => match why {
                Reason::ModuleNotEnabled { module } => Self::ModuleNotEnabled(module),
                // A refused export column is rendered like refused input, in the user's words.
                Reason::FieldNotPermitted { .. } => Self::Validation {
                    field: field.unwrap_or_default(),
                    reason: why,
                    message: m,
                },
                _ => Self::Forbidden(m),
            },
            "NOT_FOUND" => Self::NotFound(m),
            "VALIDATION" => Self::Validation {
                field: field.unwrap_or_default(),
                reason: why,
                message: m,
            },
            "CONFLICT" if why != Reason::Unspecified => Self::Refused {
                reason: why,
                message: m,
            },
            "CONFLICT" => Self::Conflict(m),
            "RATE_LIMITED" => Self::RateLimited(m),
            _ => Self::Server(m),
        }
    }
}

/// What the workstation has attached for 1:1 checks, as the runtime reads it back.
pub type Scanner = Arc<dyn std::any::Any + Send + Sync>;

/// One HTTP client for the whole session, with the session token once logged in.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    token: Arc<Mutex<Option<String>>>,
    /// The live link's task, stopped when a new session opens another.
    live: Arc<Mutex<Option<tokio::task::AbortHandle>>>,
    /// For an `https://` server, the TLS configuration the live link uses too.
    tls: Option<Arc<rustls::ClientConfig>>,
    /// The workstation's trusted scanner, where it has one: 1:1 checks of recipients (a
    /// `capture::verify::Setup`, kept opaque so this module needs none of the capture's).
    capture: Arc<Mutex<Option<Scanner>>>,
}

impl Client {
    /// `server` is the base address, e.g. `http://127.0.0.1:8080`; `/graphql` is added. An
    /// `https://` server is trusted through the system's certificate store.
    pub fn new(server: &str) -> Result<Self, ApiError> {
        Self::with_ca(server, None)
    }

    /// Like [`Client::new`], also trusting the certificate authorities in the PEM file `ca`.
    pub fn with_ca(server: &str, ca: Option<&std::path::Path>) -> Result<Self, ApiError> {
        let tls = if server.starts_with("https://") {
            Some(crate::tls::client_config(ca).map_err(ApiError::Network)?)
        } else {
            None
        };
        let mut builder = reqwest::Client::builder();
        if let Some(config) = &tls {
            builder = builder.use_preconfigured_tls(config.as_ref().clone());
        }
        let http = builder
            .gzip(true)
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(600))
            .tcp_keepalive(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ApiError::Network(e.to_string()))?;
        Ok(Self {
            http,
            endpoint: format!("{}/graphql", server.trim_end_matches('/')),
            token: Arc::new(Mutex::new(None)),
            live: Arc::new(Mutex::new(None)),
            tls,
            capture: Arc::new(Mutex::new(None)),
        })
    }

    /// Lets the client capture on the workstation's trusted scanner (a
    /// `capture::verify::Setup`; see `capture::verify::attach`).
    pub fn set_capture(&self, setup: Option<Scanner>) {
        *self.capture.lock().unwrap_or_else(PoisonError::into_inner) = setup;
    }

    /// The workstation's scanner, where it has one.
    pub fn capture(&self) -> Option<Scanner> {
        self.capture
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The TLS configuration for an `https://` server.
    pub fn tls(&self) -> Option<Arc<rustls::ClientConfig>> {
        self.tls.clone()
    }

    pub fn set_token(&self, token: Option<String>) {
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = token;
    }

    /// The GraphQL address, e.g. `http://127.0.0.1:8080/graphql`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Keeps `task` as the one live link, stopping the one before.
    /// Closes the live link, if one is open (after logging out).
    pub fn stop_live(&self) {
        let old = self
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(old) = old {
            old.abort();
        }
    }

    pub fn set_live(&self, task: tokio::task::AbortHandle) {
        let old = self
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(task);
        if let Some(old) = old {
            old.abort();
        }
    }

    /// The server's base address, e.g. `http://127.0.0.1:8080` (for paths the API gives, such
    /// as an export's download path).
    pub fn base(&self) -> &str {
        self.endpoint.trim_end_matches("/graphql")
    }

    /// The session's bearer token, once logged in (for downloads outside GraphQL).
    pub fn bearer_token(&self) -> Option<String> {
        self.token()
    }

    fn token(&self) -> Option<String> {
        self.token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends one operation and returns its data, or the first error the server gave.
    pub async fn post<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, ApiError> {
        let body = Q::build_query(variables);
        let mut req = self.http.post(&self.endpoint).json(&body);
        if let Some(t) = self.token() {
            req = req.bearer_auth(t);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        let wire: WireResponse<Q::ResponseData> = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::Server(format!("HTTP {status}, unreadable answer ({e})")))?;
        if let Some(e) = wire.errors.and_then(|v| v.into_iter().next()) {
            return Err(e.into());
        }
        wire.data
            .ok_or_else(|| ApiError::Server(format!("HTTP {status}, answer without data")))
    }
}

/// The `DistributionLists` operation of `graphql/assistance/distribution_lists.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/distribution_lists.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct DistributionLists;

/// The `DistributionList` operation of `graphql/assistance/distribution_list.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/distribution_list.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct DistributionList;

/// The `AssistanceProgrammes` operation of `graphql/assistance/assistance_programmes.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/assistance_programmes.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct AssistanceProgrammes;

/// The `AssistanceReconciliation` operation of
/// `graphql/assistance/assistance_reconciliation.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/assistance_reconciliation.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct AssistanceReconciliation;

/// The `RecordDistribution` operation of `graphql/assistance/record_distribution.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/record_distribution.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct RecordDistribution;

/// The `CreateAssistanceProgramme` operation of `graphql/assistance/create_assistance_programme.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/create_assistance_programme.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct CreateAssistanceProgramme;

/// The `UpdateAssistanceProgramme` operation of `graphql/assistance/update_assistance_programme.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/update_assistance_programme.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct UpdateAssistanceProgramme;

/// The `AssessEligibility` operation of `graphql/assistance/assess_eligibility.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/assess_eligibility.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct AssessEligibility;

/// The `EligibilityAssessment` operation of `graphql/assistance/eligibility_assessment.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/eligibility_assessment.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct EligibilityAssessment;

/// The `CreateDistributionList` operation of `graphql/assistance/create_distribution_list.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/create_distribution_list.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct CreateDistributionList;

/// The `AddToDistributionList` operation of `graphql/assistance/add_to_distribution_list.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/add_to_distribution_list.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct AddToDistributionList;

/// The `HouseholdByNumber` operation of `graphql/assistance/household_by_number.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/household_by_number.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct HouseholdByNumber;

/// The `VerifyIdentity` operation of `graphql/assistance/verify_identity.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/assistance/verify_identity.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct VerifyIdentity;
/// A resettlement case's `allowedActions` decode into the domain's action kinds, so keys and
/// labels come from its table (`amparo_domain::resettlement::ACTIONS`).
pub use amparo_domain::resettlement::ActionKind as ResettlementAction;

/// The `ResettlementCases` operation of `graphql/resettlement/resettlement_cases.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/resettlement/resettlement_cases.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct ResettlementCases;

/// The `ResettlementCase` operation of `graphql/resettlement/resettlement_case.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/resettlement/resettlement_case.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq",
    extern_enums("ResettlementAction")
)]
pub struct ResettlementCase;

/// The `OpenResettlementCase` operation of `graphql/resettlement/open_resettlement_case.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/resettlement/open_resettlement_case.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct OpenResettlementCase;

/// The `ActOnResettlementCase` operation of `graphql/resettlement/act_on_resettlement_case.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/resettlement/act_on_resettlement_case.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq",
    extern_enums("ResettlementAction")
)]
pub struct ActOnResettlementCase;

/// The `Referrals` operation of `graphql/sharing/referrals.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sharing/referrals.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct Referrals;

/// The `Agreements` operation of `graphql/sharing/agreements.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sharing/agreements.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct Agreements;

/// The `ReferPerson` operation of `graphql/sharing/refer_person.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sharing/refer_person.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct ReferPerson;

/// The `AcceptReferral` operation of `graphql/sharing/accept_referral.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sharing/accept_referral.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct AcceptReferral;

/// The `DeclineReferral` operation of `graphql/sharing/decline_referral.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sharing/decline_referral.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct DeclineReferral;

/// The `RecordAgreement` operation of `graphql/sharing/record_agreement.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sharing/record_agreement.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct RecordAgreement;

/// The `ReferralConsents` operation of `graphql/sharing/referral_consents.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sharing/referral_consents.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct ReferralConsents;

/// The `RecordReferralConsent` operation of `graphql/sharing/record_referral_consent.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sharing/record_referral_consent.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct RecordReferralConsent;

/// The `WithdrawReferralConsent` operation of `graphql/sharing/withdraw_referral_consent.graphql`.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/sharing/withdraw_referral_consent.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone, PartialEq"
)]
pub struct WithdrawReferralConsent;
