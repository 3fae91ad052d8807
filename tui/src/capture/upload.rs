//! The one door a finished capture leaves by. The capture flow and the offline queue call an
//! [`Uploader`]; binding it to the `enrolBiometrics` mutation is a separate step, so the flow can
//! be tested with an uploader that only records what it got.

use std::future::Future;

use super::model::Capture;

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
}

/// Sends one capture to the server. Must be idempotent by `clientMutationId`: the queue may
/// send the same capture again after a timeout whose answer was lost.
pub trait Uploader {
    fn upload(&self, capture: &Capture) -> impl Future<Output = Result<(), UploadError>> + Send;
}

/// The uploader of `amparo capture` until `enrolBiometrics` is bound: every capture waits in the
/// encrypted queue, and `amparo capture --sync` delivers them once the binding exists.
pub struct NotYetBound;

impl Uploader for NotYetBound {
    async fn upload(&self, _capture: &Capture) -> Result<(), UploadError> {
        Err(UploadError::Transport(
            "this client cannot send enrolBiometrics yet; the capture stays queued".into(),
        ))
    }
}
