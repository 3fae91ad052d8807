//! The one door a finished capture leaves by. The capture flow and the offline queue call an
//! [`Uploader`]; binding it to the `enrolBiometrics` mutation is a separate step, so the flow can
//! be tested with an uploader that only records what it got.

use std::future::Future;

use amparo_sbi::Position;

use super::model::Capture;
use crate::api::{ApiError, Client, EnrolBiometrics, enrol_biometrics};
use crate::i18n::CaptureText;

/// Why an upload did not land.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// The server was not reached or did not answer: keep the capture and try again later.
    #[error("the server could not be reached: {0}")]
    Transport(String),
    /// The session ended: keep the capture, log in again, then sync.
    #[error("not logged in: {0}")]
    Unauthenticated(String),
    /// The server refused the capture itself (validation): retrying will not help.
    #[error("the server refused the capture: {0}")]
    Refused(String),
    /// The server refused one sample (e.g. its quality): the rest stand, and taking that
    /// position again on the workstation can fix it.
    #[error("the server refused {position:?}: {reason}")]
    SampleRefused { position: Position, reason: String },
}

/// The sample a server refusal is about, from its input path (`samples.4.record`).
pub fn refused_sample(capture: &Capture, field: &str) -> Option<Position> {
    let rest = field.strip_prefix("samples.")?;
    let index: usize = rest.split('.').next()?.parse().ok()?;
    capture.samples.get(index).map(|s| s.position)
}

/// Sends one capture to the server. Must be idempotent by `clientMutationId`: the queue may
/// send the same capture again after a timeout whose answer was lost.
pub trait Uploader {
    fn upload(&self, capture: &Capture) -> impl Future<Output = Result<(), UploadError>> + Send;
}

/// The uploader of `amparo capture`: the `enrolBiometrics` mutation over the client's one
/// connection. It tells the operator what the server found, since only the server can say
/// whether this person was already enrolled.
pub struct GraphqlUploader {
    pub client: Client,
    pub text: &'static CaptureText,
}

impl Uploader for GraphqlUploader {
    async fn upload(&self, capture: &Capture) -> Result<(), UploadError> {
        // The queue's record is the contract's input by construction (same names and shapes).
        let input = serde_json::to_value(capture)
            .and_then(serde_json::from_value)
            .map_err(|e| UploadError::Refused(format!("capture does not fit the contract: {e}")))?;
        let data = self
            .client
            .post::<EnrolBiometrics>(enrol_biometrics::Variables { input })
            .await
            .map_err(|e| match e {
                // Nothing the server decided: keep the capture and send it again later.
                ApiError::Network(m) | ApiError::Server(m) | ApiError::RateLimited(m) => {
                    UploadError::Transport(m)
                }
                ApiError::Unauthenticated(m) | ApiError::PasswordChangeRequired(m) => {
                    UploadError::Unauthenticated(m)
                }
                ApiError::Validation { field, message, .. } => {
                    match refused_sample(capture, &field) {
                        Some(position) => UploadError::SampleRefused {
                            position,
                            reason: format!("{field}: {message}"),
                        },
                        None => UploadError::Refused(format!("{field}: {message}")),
                    }
                }
                other => UploadError::Refused(other.to_string()),
            })?;
        println!("{}", outcome(self.text, &data.enrol_biometrics.enrolment));
        Ok(())
    }
}

/// What the operator reads after an upload: the reference, and any possible duplicate (in this
/// unit by name, in another only by the referral reference to quote).
pub fn outcome(
    text: &CaptureText,
    e: &enrol_biometrics::EnrolBiometricsEnrolBiometricsEnrolment,
) -> String {
    let mut out = format!("{} {}", text.reference, e.reference_id);
    if matches!(e.status, enrol_biometrics::EnrolmentStatus::CLEAR) {
        out.push_str(&format!(" · {}", text.no_duplicate));
        return out;
    }
    out.push_str(&format!(" · {}", text.possible_duplicate));
    for c in &e.candidates {
        let who = c.individual.as_ref().map_or_else(
            || text.outside_scope.to_string(),
            |i| format!("{} {}", i.individual_number, i.full_name),
        );
        out.push_str(&format!("\n  {who} ({:.2})", c.score));
    }
    for m in &e.other_unit_matches {
        out.push_str(&format!(
            "\n  {} {}: {} {}",
            text.other_unit, m.unit_code, text.referral, m.referral_reference
        ));
    }
    out
}
