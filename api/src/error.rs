//! One error type for the server, with a stable code that clients act on.
//!
//! Policy: inside a request, every failure is an [`Error`] with an [`ErrorCode`] and, where a
//! client can translate it, a [`Reason`] with parameters (both defined in `amparo-domain`, so the
//! client shares them); the GraphQL layer turns it into `extensions.code`, `reason`, `params` and
//! `field` in one place (`graphql::context::GqlError`). Outside requests (CLI commands) the same
//! type is printed for the operator. Database errors keep their cause, which is logged with the
//! request id and never shown: callers see only INTERNAL, so SQL never leaks to a client.

use std::fmt;
use std::sync::Arc;

pub use crate::domain::error::{Code as ErrorCode, Reason};

/// A failure with its code, its reason (and parameters), a message for people and, for
/// VALIDATION, the field's path. An INTERNAL or UNAVAILABLE failure keeps its cause for the log;
/// the cause never reaches a client.
#[derive(Debug, Clone)]
pub struct Error {
    pub code: ErrorCode,
    pub reason: Reason,
    pub message: String,
    pub field: Option<String>,
    pub cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            reason: Reason::Unspecified,
            message: message.into(),
            field: None,
            cause: None,
        }
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    /// A VALIDATION error on the input field at `field` (dotted path, e.g. `members.1.dateOfBirth`).
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::new(ErrorCode::Validation, message)
        }
    }
    /// A VALIDATION error on `field` for a reason a client can translate.
    pub fn invalid(field: impl Into<String>, reason: Reason, message: impl Into<String>) -> Self {
        Self {
            reason,
            ..Self::validation(field, message)
        }
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }
    pub fn rate_limited(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::RateLimited, message)
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message)
    }
    pub fn not_enabled(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotEnabled, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
    /// A configuration or start-up problem the operator must fix.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// Keeps `cause` for the log (see [`Error::cause_chain`]).
    pub fn caused_by(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.cause = Some(Arc::new(cause));
        self
    }

    /// Prefixes the field path, so nested validation reports the full path.
    pub fn in_field(mut self, prefix: &str) -> Self {
        if let Some(field) = self.field.take() {
            self.field = Some(format!("{prefix}.{field}"));
        }
        self
    }

    /// The message followed by each cause, outermost first, for the log.
    pub fn cause_chain(&self) -> String {
        let mut out = self.to_string();
        let mut next: Option<&(dyn std::error::Error + 'static)> = match &self.cause {
            Some(c) => Some(c.as_ref()),
            None => None,
        };
        while let Some(c) = next {
            out.push_str(": ");
            out.push_str(&c.to_string());
            next = c.source();
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Some(c) => Some(c.as_ref()),
            None => None,
        }
    }
}

impl From<crate::domain::error::Error> for Error {
    fn from(e: crate::domain::error::Error) -> Self {
        Self {
            code: e.code,
            reason: e.reason,
            message: e.message,
            field: e.field,
            cause: None,
        }
    }
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::new(ErrorCode::NotFound, "record not found"),
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                info,
            ) => {
                tracing::warn!(detail = info.message(), "unique violation");
                Self::conflict("a record with the same identifier already exists")
            }
            // Logged where the request's span is (see `graphql::context`), not here: this
            // may run on a blocking thread outside it.
            other => Self::internal("the database could not complete the request").caused_by(other),
        }
    }
}
