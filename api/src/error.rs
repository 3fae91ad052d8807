//! One error type for the server, with a stable code that clients act on.
//!
//! Policy: inside a request, every failure is an [`Error`] with an [`ErrorCode`]; the GraphQL
//! layer turns it into `extensions.code` (and `extensions.field` for VALIDATION). Outside
//! requests (CLI commands) the same type is printed for the operator. Database errors are logged
//! with detail and shown to callers only as INTERNAL, so SQL never leaks to a client.

use std::fmt;

/// The codes a client can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    Validation,
    Conflict,
    RateLimited,
    Unavailable,
    /// A feature this server was started without (biometric enrolment with no key): the
    /// operator can turn it on; retrying will not help until then.
    NotEnabled,
    Internal,
}

impl ErrorCode {
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

/// A failure with its code, a message for people and, for VALIDATION, the field's path.
#[derive(Debug, Clone)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
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
            code: ErrorCode::Validation,
            message: message.into(),
            field: Some(field.into()),
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

    /// Prefixes the field path, so nested validation reports the full path.
    pub fn in_field(mut self, prefix: &str) -> Self {
        if let Some(field) = self.field.take() {
            self.field = Some(format!("{prefix}.{field}"));
        }
        self
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

impl std::error::Error for Error {}

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
            other => {
                tracing::error!(error = %other, "database error");
                Self::internal("the database could not complete the request")
            }
        }
    }
}
