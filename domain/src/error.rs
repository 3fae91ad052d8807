//! Refusals as data: a [`Code`] a client acts on, a [`Reason`] with its parameters a client
//! renders in its own language, the field concerned, and an English message for logs and for
//! people reading raw answers.
//!
//! The code and the reason (with its parameters) are the contract; the message is a courtesy and
//! may change. The server sends the code as GraphQL `extensions.code`, the reason as
//! `extensions.reason` and its parameters as `extensions.params`, so no client parses prose.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The codes a client can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    Unauthenticated,
    Forbidden,
    NotFound,
    Validation,
    Conflict,
    RateLimited,
    /// The database or another part the server needs is down; answered as INTERNAL.
    Unavailable,
    /// A feature this server was started without (biometric enrolment with no key): the
    /// operator can turn it on; retrying will not help until then.
    NotEnabled,
    Internal,
}

impl Code {
    /// The code as sent in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Validation => "VALIDATION",
            Self::Conflict => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::NotEnabled => "NOT_ENABLED",
            // A database that is down is still the server's failure from the client's side.
            Self::Unavailable | Self::Internal => "INTERNAL",
        }
    }
}

/// Why a request was refused, with what a translation needs. Serialized as
/// `{"reason": "TOO_LONG", "params": {"max": 200}}`, the shape of `extensions.reason` and
/// `extensions.params`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "reason",
    content = "params",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum Reason {
    /// No more specific reason is given; the code and the message are all there is.
    Unspecified,
    /// A value is required and was empty.
    Required,
    /// Longer than `max` characters.
    TooLong { max: usize },
    /// Contains control characters (other than a line break).
    ControlCharacters,
    /// `value` is not in the code list `vocabulary` (the lists are in `amparo_domain::codes`,
    /// `amparo_domain::needs`; a client that depends on this crate has them).
    UnknownCode { vocabulary: String, value: String },
    /// More than `max` items.
    TooMany { max: usize },
    /// Fewer than `min` items.
    TooFew { min: usize },
    /// Exactly `expected` items must have the value `value` (found `found`).
    ExactlyOne {
        value: String,
        expected: usize,
        found: usize,
    },
    /// A date after today.
    InFuture,
    /// A date before `min` (ISO 8601).
    TooEarly { min: String },
    /// A date before the date in the field `other`.
    BeforeOther { other: String },
    /// Not in the expected format; `format` names it (e.g. `phone`, `document_number`).
    BadFormat { format: String },
    /// A sub-code that belongs to another code (`belongs_to`).
    WrongParent { belongs_to: String },
    /// Someone already has an interview at that time (see [`BookingClash`]).
    AlreadyBooked(Box<BookingClash>),
    /// The interview at `at` (RFC 3339) falls on a day the office does not work.
    NotWorkingDay { at: String },
    /// The interview falls outside the office's working day (see [`WorkingHours`]).
    OutsideWorkingHours(Box<WorkingHours>),
    /// The unit has no interpreter for `language` (ISO 639-3).
    NoInterpreter { language: String },
    /// No interpreter for `language` is free at the time asked for.
    NoInterpreterFree { language: String },
    /// The interpreter chosen does not interpret `language`.
    NotInterpreterOf { language: String },
    /// The clientMutationId was already used for another mutation or another input; nothing
    /// was changed. Send this request with a new id.
    ClientMutationIdReused,
    /// Shorter than `min` characters (a password below the unit's policy).
    TooShort { min: usize },
    /// A password found in the list of commonly used and breached passwords.
    CommonPassword,
    /// The password is right but must be replaced before the account can be used: send a new
    /// one with it.
    PasswordChangeRequired,
    /// The caller's operation unit does not run `module` (registration, rsd, assistance,
    /// protection, resettlement), so none of its queries or mutations can be used.
    ModuleNotEnabled { module: String },
    /// The household already received this entitlement in this cycle (see [`Delivered`]).
    /// Nothing was recorded.
    AlreadyDistributed(Box<Delivered>),
    /// The household has no entitlement for the list's programme and cycle (not assessed
    /// eligible, or not planned on any list of that cycle).
    NotEntitled,
    /// The recipient could not be verified by `method` (`document`: no document registered to
    /// them has the number typed; `biometric`: no matched verifyIdentity of them by you in the
    /// last minutes).
    RecipientNotVerified { method: String },
    /// The data sharing agreement is not in force today (see [`Validity`]).
    AgreementNotInForce(Box<Validity>),
    /// The data sharing agreement does not cover referrals for `purpose`.
    PurposeNotAgreed { purpose: String },
    /// No consent of the person stands for the referral's purpose.
    ConsentMissing,
    /// The person withdrew their consent on `on` (ISO 8601); nothing more is shared.
    ConsentWithdrawn { on: String },
    /// The agreement does not let a referral for a purpose carry a field (see [`NotCarried`]).
    FieldNotCarried(Box<NotCarried>),
    /// An export asked for `field` (ethnicity, religion, claim_summary), which only roles that
    /// read its sensitive field group may have.
    FieldNotPermitted { field: String },
    /// A number outside `min` to `max` (`min` itself excluded for an amount, which must be
    /// above it).
    OutOfRange { min: i64, max: i64 },
    /// An eligibility rule that is not of the documented form or breaks one of its limits
    /// (see [`crate::assistance::rules::RuleFault`]); the field is the path in the rule.
    BadRule(Box<crate::assistance::rules::RuleFault>),
}

/// The parameters of [`Reason::AlreadyDistributed`] (boxed, so that every error stays small):
/// when (RFC 3339) and at which site the household was served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    pub at: String,
    pub site: String,
}

/// The parameters of [`Reason::AgreementNotInForce`]: the agreement runs from `from` to `until`
/// (ISO 8601 dates). Boxed, so that every error stays small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    pub from: String,
    pub until: String,
}

/// The parameters of [`Reason::FieldNotCarried`]: `field` is not one a referral for `purpose`
/// may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCarried {
    pub field: String,
    pub purpose: String,
}

/// The parameters of [`Reason::AlreadyBooked`] (boxed, so that every error stays small).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingClash {
    /// `officer` or `interpreter`.
    pub who: String,
    /// The booking in the way, as RFC 3339 instants a client shows in the office's time zone.
    pub starts: String,
    pub ends: String,
}

/// The parameters of [`Reason::OutsideWorkingHours`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    /// The interview asked for, as RFC 3339 instants.
    pub starts: String,
    pub ends: String,
    /// The office's working day, `HH:MM` in the office's local time.
    pub day_starts: String,
    pub day_ends: String,
}

impl Reason {
    /// The reason's stable name, as sent in `extensions.reason`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Unspecified => "UNSPECIFIED",
            Self::Required => "REQUIRED",
            Self::TooLong { .. } => "TOO_LONG",
            Self::ControlCharacters => "CONTROL_CHARACTERS",
            Self::UnknownCode { .. } => "UNKNOWN_CODE",
            Self::TooMany { .. } => "TOO_MANY",
            Self::TooFew { .. } => "TOO_FEW",
            Self::ExactlyOne { .. } => "EXACTLY_ONE",
            Self::InFuture => "IN_FUTURE",
            Self::TooEarly { .. } => "TOO_EARLY",
            Self::BeforeOther { .. } => "BEFORE_OTHER",
            Self::BadFormat { .. } => "BAD_FORMAT",
            Self::WrongParent { .. } => "WRONG_PARENT",
            Self::AlreadyBooked(_) => "ALREADY_BOOKED",
            Self::NotWorkingDay { .. } => "NOT_WORKING_DAY",
            Self::OutsideWorkingHours(_) => "OUTSIDE_WORKING_HOURS",
            Self::NoInterpreter { .. } => "NO_INTERPRETER",
            Self::NoInterpreterFree { .. } => "NO_INTERPRETER_FREE",
            Self::NotInterpreterOf { .. } => "NOT_INTERPRETER_OF",
            Self::ClientMutationIdReused => "CLIENT_MUTATION_ID_REUSED",
            Self::TooShort { .. } => "TOO_SHORT",
            Self::CommonPassword => "COMMON_PASSWORD",
            Self::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
            Self::ModuleNotEnabled { .. } => "MODULE_NOT_ENABLED",
            Self::AlreadyDistributed(_) => "ALREADY_DISTRIBUTED",
            Self::NotEntitled => "NOT_ENTITLED",
            Self::RecipientNotVerified { .. } => "RECIPIENT_NOT_VERIFIED",
            Self::AgreementNotInForce(_) => "AGREEMENT_NOT_IN_FORCE",
            Self::PurposeNotAgreed { .. } => "PURPOSE_NOT_AGREED",
            Self::ConsentMissing => "CONSENT_MISSING",
            Self::ConsentWithdrawn { .. } => "CONSENT_WITHDRAWN",
            Self::FieldNotCarried(_) => "FIELD_NOT_CARRIED",
            Self::FieldNotPermitted { .. } => "FIELD_NOT_PERMITTED",
            Self::OutOfRange { .. } => "OUT_OF_RANGE",
            Self::BadRule(_) => "BAD_RULE",
        }
    }

    /// The parameters as a JSON object (empty for reasons without any).
    pub fn params(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut o)) => match o.remove("params") {
                Some(serde_json::Value::Object(p)) => p,
                _ => serde_json::Map::new(),
            },
            _ => serde_json::Map::new(),
        }
    }
}

/// A refusal: its code, its reason, the field it concerns (a dotted path such as
/// `members.1.dateOfBirth`) and an English message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.describe())]
pub struct Error {
    pub code: Code,
    pub reason: Reason,
    pub field: Option<String>,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A refusal with a code and a message, and no more specific reason.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            reason: Reason::Unspecified,
            field: None,
            message: message.into(),
        }
    }

    /// A VALIDATION refusal of the input at `field` for `reason`.
    pub fn invalid(field: impl Into<String>, reason: Reason, message: impl Into<String>) -> Self {
        Self {
            code: Code::Validation,
            reason,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// A VALIDATION refusal of the input at `field`, described only by its message.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(field, Reason::Unspecified, message)
    }

    /// Prefixes the field path, so nested validation reports the full path.
    pub fn in_field(mut self, prefix: &str) -> Self {
        if let Some(field) = self.field.take() {
            self.field = Some(format!("{prefix}.{field}"));
        }
        self
    }

    fn describe(&self) -> String {
        match &self.field {
            Some(field) => format!("{field}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_serialize_as_name_and_params() {
        let r = Reason::TooLong { max: 200 };
        assert_eq!(r.name(), "TOO_LONG");
        assert_eq!(
            serde_json::to_value(&r).ok(),
            Some(serde_json::json!({ "reason": "TOO_LONG", "params": { "max": 200 } }))
        );
        assert_eq!(r.params().get("max"), Some(&serde_json::json!(200)));
        assert!(Reason::InFuture.params().is_empty());
        assert_eq!(
            serde_json::to_value(Reason::InFuture).ok(),
            Some(serde_json::json!({ "reason": "IN_FUTURE" }))
        );
    }

    #[test]
    fn every_reason_name_is_its_serialized_tag() {
        let all = [
            Reason::Unspecified,
            Reason::Required,
            Reason::TooLong { max: 1 },
            Reason::ControlCharacters,
            Reason::UnknownCode {
                vocabulary: "sex".into(),
                value: "x".into(),
            },
            Reason::TooMany { max: 1 },
            Reason::TooFew { min: 1 },
            Reason::ExactlyOne {
                value: "focal_point".into(),
                expected: 1,
                found: 2,
            },
            Reason::InFuture,
            Reason::TooEarly {
                min: "1900-01-01".into(),
            },
            Reason::BeforeOther {
                other: "issuedOn".into(),
            },
            Reason::BadFormat {
                format: "phone".into(),
            },
            Reason::WrongParent {
                belongs_to: "SC".into(),
            },
            Reason::AlreadyBooked(Box::new(BookingClash {
                who: "officer".into(),
                starts: "2026-12-15T15:00:00Z".into(),
                ends: "2026-12-15T17:00:00Z".into(),
            })),
            Reason::NotWorkingDay {
                at: "2026-12-13T15:00:00Z".into(),
            },
            Reason::OutsideWorkingHours(Box::new(WorkingHours {
                starts: "2026-12-15T23:00:00Z".into(),
                ends: "2026-12-16T01:00:00Z".into(),
                day_starts: "08:00".into(),
                day_ends: "17:00".into(),
            })),
            Reason::NoInterpreter {
                language: "prs".into(),
            },
            Reason::NoInterpreterFree {
                language: "prs".into(),
            },
            Reason::NotInterpreterOf {
                language: "prs".into(),
            },
            Reason::ClientMutationIdReused,
            Reason::TooShort { min: 12 },
            Reason::CommonPassword,
            Reason::PasswordChangeRequired,
            Reason::ModuleNotEnabled {
                module: "rsd".into(),
            },
            Reason::AlreadyDistributed(Box::new(Delivered {
                at: "2026-12-09T15:00:00Z".into(),
                site: "Quito norte".into(),
            })),
            Reason::NotEntitled,
            Reason::RecipientNotVerified {
                method: "document".into(),
            },
            Reason::FieldNotPermitted {
                field: "religion".into(),
            },
            Reason::OutOfRange { min: 1, max: 60 },
            Reason::BadRule(Box::new(crate::assistance::rules::RuleFault::UnknownNeed {
                value: "XX".into(),
            })),
            Reason::BadRule(Box::new(crate::assistance::rules::RuleFault::NoBounds)),
        ];
        for r in all {
            let v = serde_json::to_value(&r).ok();
            assert_eq!(
                v.as_ref()
                    .and_then(|v| v.get("reason"))
                    .and_then(|v| v.as_str()),
                Some(r.name())
            );
            let back: Option<Reason> = v.and_then(|v| serde_json::from_value(v).ok());
            assert_eq!(back, Some(r));
        }
    }

    #[test]
    fn nested_fields_get_their_full_path() {
        let e = Error::invalid("givenNames", Reason::Required, "a given name is required")
            .in_field("members.1");
        assert_eq!(e.field.as_deref(), Some("members.1.givenNames"));
        assert_eq!(e.code, Code::Validation);
        assert_eq!(
            e.to_string(),
            "members.1.givenNames: a given name is required"
        );
    }
}
