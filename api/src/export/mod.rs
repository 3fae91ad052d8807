//! Record-level exports as jobs on the server, and their files.
//!
//! `requestExport` stores a job and returns at once; [`spawn`] runs it on a tokio task: the
//! records are read a page at a time with the requester's scope (rebuilt from their account when
//! the job runs, so a role taken away meanwhile is respected), written as CSV (gzip-compressed)
//! or XLSX, and encrypted as they are written to the age X25519 recipient the requesting client
//! sent. The server never holds a key that opens the file. The SHA-256 of the encrypted file is
//! kept on the job, and the file is served by [`http`] with byte ranges until the link expires;
//! [`sweep`] deletes it then. A job that was queued or running when the server stopped is started
//! again by [`resume`] (at most `MAX_ATTEMPTS` times, then failed with a reason).

pub mod http;
mod write;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::export::ExportStatus;
use crate::error::{Error, Result};
use crate::graphql::AppState;
use crate::store::audit::Actor;
use crate::store::exports::{self as store, ExportJobRow};
use crate::store::{Database, users};

/// Where export files are kept and for how long.
#[derive(Debug, Clone)]
pub struct ExportSettings {
    /// The directory of export files (created when missing; only the server should read it).
    pub dir: PathBuf,
    /// How long a finished export can be downloaded; then its file is deleted.
    pub link_lifetime: Duration,
    /// Records read, written and audited together.
    pub page_size: i64,
    /// Exports written at once; the others wait their turn.
    pub workers: Arc<tokio::sync::Semaphore>,
}

/// The default link lifetime: 24 hours.
pub const DEFAULT_LINK_HOURS: u64 = 24;

impl Default for ExportSettings {
    fn default() -> Self {
        Self::new(
            std::env::temp_dir().join("amparo-exports"),
            Duration::from_secs(DEFAULT_LINK_HOURS * 3600),
        )
    }
}

impl ExportSettings {
    pub fn new(dir: PathBuf, link_lifetime: Duration) -> Self {
        Self {
            dir,
            link_lifetime,
            page_size: 1000,
            workers: Arc::new(tokio::sync::Semaphore::new(2)),
        }
    }

    /// The path of a finished export's file.
    pub fn file_path(&self, file_name: &str) -> PathBuf {
        self.dir.join(file_name)
    }
}

/// Checks that `recipient` is an age X25519 public key (`age1...`), the only kind of key an
/// export is encrypted to.
pub fn check_recipient(recipient: &str) -> Result<String> {
    let r = recipient.trim();
    r.parse::<age::x25519::Recipient>()
        .map(|_| r.to_string())
        .map_err(|_| {
            Error::invalid(
                "recipient",
                crate::error::Reason::BadFormat {
                    format: "age_x25519_recipient".into(),
                },
                "the recipient must be an age X25519 public key (age1...); `amparo export` makes one and keeps its secret",
            )
        })
}

/// Starts the job on a task of its own (it waits for a free worker). A job already started
/// elsewhere is left alone.
pub fn spawn(state: Arc<AppState>, job_id: String) {
    tokio::spawn(async move {
        let Ok(_permit) = state.exports.workers.clone().acquire_owned().await else {
            return;
        };
        let (db, settings, id) = (state.db.clone(), state.exports.clone(), job_id.clone());
        let outcome =
            crate::store::db::blocking(move || run(&db, &settings, &id).map(|_| ())).await;
        if let Err(e) = outcome {
            tracing::error!(job = %job_id, error = %e.cause_chain(), "export failed");
            let why = match e.code {
                crate::error::ErrorCode::Internal | crate::error::ErrorCode::Unavailable => {
                    "the server could not write the export; ask for it again, and tell the server's operator if it keeps failing".to_string()
                }
                _ => e.message.clone(),
            };
            let id = job_id.clone();
            let _ = state.db.write(move |c| store::fail(c, &id, &why)).await;
            let _ = std::fs::remove_file(state.exports.dir.join(write::part_name(&job_id)));
        }
    });
}

/// Writes the job's file; returns false when the job was not queued (taken by another run).
pub fn run(db: &Database, settings: &ExportSettings, job_id: &str) -> Result<bool> {
    let job = {
        let mut c = db.conn()?;
        store::by_id(&mut c, job_id)?.ok_or_else(|| Error::not_found("export"))?
    };
    if job.status() != ExportStatus::Queued {
        return Ok(false);
    }
    let (user, modules) = {
        let mut c = db.conn()?;
        let user = users::user(&mut c, &job.requested_by)?;
        let modules = users::unit(&mut c, &user.operation_unit_id)?.module_list();
        (user, modules)
    };
    if user.disabled {
        return Err(Error::forbidden(
            "the account that asked for this export was disabled before it was written",
        ));
    }
    let scope = crate::auth::scope_for(&user, &format!("export:{}", job.id))?.with_modules(modules);
    let kind = job.kind()?;
    // Checked again as the job runs: the requester's roles may have changed since.
    let fields = crate::domain::export::resolve_fields(kind, &job.field_names(), scope.grants())
        .map_err(Error::from)?;
    let office = job.office_id.clone();
    let total = {
        let mut c = db.conn()?;
        store::count(&mut c, &scope, kind, office.as_deref())?
    };
    if !db.write_blocking(|c| store::start(c, &job.id, total))? {
        return Ok(false);
    }
    std::fs::create_dir_all(&settings.dir).map_err(|e| {
        Error::internal(format!(
            "cannot create the export directory {}: {e}",
            settings.dir.display()
        ))
    })?;
    let actor = Actor::from(&scope);
    let written = write::write_file(
        settings,
        &job,
        |after| {
            let mut c = db.conn()?;
            store::page(
                &mut c,
                &scope,
                kind,
                &fields,
                office.as_deref(),
                after,
                settings.page_size,
            )
        },
        |ids, done| {
            let (job, actor, ids) = (job.clone(), actor.clone(), ids.to_vec());
            db.write_blocking(move |c| {
                store::page_written(c, &job, &actor, kind.record_type(), &ids, done)
            })
        },
        &fields,
    )?;
    let expires = crate::store::now()
        + chrono::Duration::from_std(settings.link_lifetime)
            .unwrap_or_else(|_| chrono::Duration::hours(24));
    let (id, name, sha) = (
        job.id.clone(),
        written.file_name.clone(),
        written.sha256.clone(),
    );
    db.write_blocking(move |c| store::finish(c, &id, &name, written.size, &sha, expires))?;
    tracing::info!(job = %job.id, rows = written.rows, bytes = written.size, "export written");
    Ok(true)
}

/// After a restart: every job that was queued or running starts again (or fails, past its
/// attempts). Returns how many were started.
pub async fn resume(state: Arc<AppState>) -> Result<usize> {
    let again = state.db.write(store::requeue_interrupted).await?;
    let n = again.len();
    for id in again {
        let _ = std::fs::remove_file(state.exports.dir.join(write::part_name(&id)));
        spawn(state.clone(), id);
    }
    Ok(n)
}

/// Deletes the files of exports whose link has expired and marks them expired. Returns how
/// many were deleted.
pub async fn sweep(db: &Database, settings: &ExportSettings) -> Result<usize> {
    let at = crate::store::now();
    let due: Vec<ExportJobRow> = db.read(move |c| store::expired(c, at)).await?;
    let mut n = 0;
    for job in due {
        if let Some(name) = &job.file_name {
            match std::fs::remove_file(settings.file_path(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::error!(job = %job.id, error = %e, "cannot delete an expired export file");
                    continue;
                }
            }
        }
        let id = job.id.clone();
        db.write(move |c| store::mark_expired(c, &id)).await?;
        n += 1;
    }
    Ok(n)
}

/// Runs [`sweep`] now and then every `every`, for the life of the process.
pub fn start_sweeper(db: Database, settings: ExportSettings, every: Duration) {
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(every);
        loop {
            timer.tick().await;
            match sweep(&db, &settings).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "expired export files deleted"),
                Err(e) => tracing::error!(error = %e, "export sweep failed"),
            }
        }
    });
}
