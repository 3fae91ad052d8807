//! The domain's own refusal type: a rule that input breaks, with the field it concerns.
//! The server maps it to its own error (and a GraphQL code); the domain knows neither.

use thiserror::Error;

/// A rule the input breaks, on the field at `field` (dotted path, e.g. `members.1.dateOfBirth`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct Error {
    pub field: String,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Prefixes the field path, so nested validation reports the full path.
    pub fn in_field(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}
