//! What one request read of personal data, collected while its resolvers run and appended to
//! the audit log in one batch once it has run (see `batch.rs`).

use std::sync::{Arc, Mutex};

use async_graphql::Context;

use crate::error::Result;
use crate::store::audit::{Actor, AuditWriter, Reads};

/// The audit events of one request's reads, appended together when the request has run.
#[derive(Default)]
pub struct RequestReads(Mutex<Reads>);

impl RequestReads {
    /// Adds what one resolver read.
    pub fn add(&self, reads: Reads) {
        self.lock().append(reads);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Reads> {
        // A poisoned lock only means a resolver panicked mid-push; what it holds is still valid.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends everything read to the audit log and waits until it is committed.
    pub async fn flush(&self, audit: &AuditWriter, actor: Actor) -> Result<()> {
        let reads = std::mem::take(&mut *self.lock());
        audit.append(actor, reads).await
    }
}

/// The request's reads, where the request collects them (see the module's notes).
pub(crate) fn request_reads<'a>(ctx: &Context<'a>) -> Option<&'a Arc<RequestReads>> {
    ctx.data_opt::<Arc<RequestReads>>()
}
