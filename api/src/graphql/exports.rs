//! Record-level exports: `requestExport` accepts a job and returns at once; `exportJob` and
//! `exportJobs` follow it; the file is downloaded from `downloadPath` with the bearer token (see
//! `export::http`). No SQL here: the store and the job runner in `export` do the work.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::context::{
    GqlResult, ModuleGuard, audit_refusal, claim_of, gql, scope, scoped_read, state,
};
use super::types::utc;
use crate::domain::access::Module;
use crate::domain::export as rules;
use crate::store::exports::{self as store, ExportJobRow, NewExport};
use crate::store::idempotency::run_once;

/// What an export lists, one row each.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::export::ExportKind")]
pub enum ExportKind {
    /// Individuals (registration module).
    Individuals,
    /// Registration groups (registration module).
    Groups,
    /// RSD cases (rsd module).
    Cases,
}

/// The file's layout.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::export::ExportFormat")]
pub enum ExportFormat {
    /// Comma-separated values with a header row, UTF-8, gzip-compressed before encryption.
    Csv,
    /// An Excel workbook with one sheet.
    Xlsx,
}

/// Where an export job stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::domain::export::ExportStatus")]
pub enum ExportStatus {
    /// Accepted, waiting to start (or to start again after the server restarted).
    Queued,
    /// Being written: see rowsDone and rowsTotal.
    Running,
    /// Written: download it from downloadPath until expiresAt.
    Ready,
    /// It could not be written: see error.
    Failed,
    /// The link expired and the file was deleted.
    Expired,
}

/// A column an export can have.
#[derive(SimpleObject)]
pub struct ExportFieldInfo {
    /// The column's name, as given in requestExport's fields.
    pub name: String,
    /// What it holds.
    pub description: String,
    /// The sensitive field group it belongs to, if any (only fields your roles may read are
    /// listed).
    pub field_group: Option<String>,
}

/// An export job of yours: what it holds, where it stands, and its file once ready.
pub struct ExportJob(ExportJobRow);

/// An export job of yours: what it holds, where it stands, and its file once ready.
#[Object]
impl ExportJob {
    /// The job's id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// What it lists.
    async fn kind(&self) -> Option<ExportKind> {
        self.0.kind().ok().map(Into::into)
    }
    /// The file's layout.
    async fn format(&self) -> Option<ExportFormat> {
        self.0.format().ok().map(Into::into)
    }
    /// The columns, in order.
    async fn fields(&self) -> Vec<String> {
        self.0.field_names()
    }
    /// The office it was limited to, if any.
    async fn office_id(&self) -> Option<ID> {
        self.0.office_id.clone().map(ID)
    }
    /// What it is for, as stated when asked.
    async fn purpose(&self) -> &str {
        &self.0.purpose
    }
    /// The age X25519 public key the file is encrypted to.
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }
    /// Where it stands.
    async fn status(&self) -> ExportStatus {
        self.0.status().into()
    }
    /// Records to write, once the job started.
    async fn rows_total(&self) -> Option<i32> {
        self.0.rows_total
    }
    /// Records written so far.
    async fn rows_done(&self) -> i32 {
        self.0.rows_done
    }
    /// Why it failed, when it did.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// The encrypted file's size in bytes, once ready.
    async fn size_bytes(&self) -> Option<f64> {
        self.0.size_bytes.map(|n| n as f64)
    }
    /// The SHA-256 of the encrypted file (64 hex digits), once ready: check the downloaded
    /// bytes against it before decrypting.
    async fn sha256(&self) -> Option<&str> {
        self.0.sha256.as_deref()
    }
    /// The path to GET the file from on this server, with your bearer token; byte ranges
    /// (`Range: bytes=N-`) resume a cut download. Null until ready and after expiry.
    async fn download_path(&self) -> Option<String> {
        (self.0.status() == rules::ExportStatus::Ready)
            .then(|| crate::export::http::path_of(&self.0.id))
    }
    /// A name for the decrypted file, e.g. `individuals-2026-12-09.csv`.
    async fn suggested_file_name(&self) -> String {
        let ext = self.0.format().map(|f| f.extension()).unwrap_or("csv");
        format!(
            "{}-{}.{ext}",
            self.0.kind,
            self.0.created_at.format("%Y-%m-%d")
        )
    }
    /// When it was asked for.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// When it (last) started.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at.map(utc)
    }
    /// When it finished or failed.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at.map(utc)
    }
    /// When the download link expires and the file is deleted.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at.map(utc)
    }
}

/// Reads of your export jobs.
#[derive(Default)]
pub struct ExportQuery;

#[Object]
impl ExportQuery {
    /// One of your export jobs; null for an id that is not yours.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn export_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job's id, from requestExport.")] id: ID,
    ) -> GqlResult<Option<ExportJob>> {
        let id = id.0;
        scoped_read(ctx, "read_export_job", None, move |c, s, _| {
            store::job(c, s, &id)
        })
        .await
        .map(|o| o.map(ExportJob))
    }

    /// Your export jobs, newest first (at most `first`, 1-100, default 20).
    #[graphql(
        complexity = "crate::graphql::page_cost(first, 20, child_complexity)",
        guard = "ModuleGuard(Module::Registration)"
    )]
    async fn export_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, 1-100 (default 20).")] first: Option<i32>,
    ) -> GqlResult<Vec<ExportJob>> {
        let first = super::connection::check_first(first).map_err(gql)?;
        scoped_read(ctx, "read_export_jobs", None, move |c, s, _| {
            store::jobs(c, s, first)
        })
        .await
        .map(|v| v.into_iter().map(ExportJob).collect())
    }

    /// The columns an export of `kind` may have for you: only those your roles may read.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn export_fields(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What the export lists.")] kind: ExportKind,
    ) -> GqlResult<Vec<ExportFieldInfo>> {
        let s = scope(ctx).map_err(gql)?;
        Ok(rules::permitted_fields(kind.into(), s.grants())
            .into_iter()
            .map(|f| ExportFieldInfo {
                name: f.name.to_string(),
                description: f.description.to_string(),
                field_group: f.group.map(|g| g.as_str().to_string()),
            })
            .collect())
    }
}

/// An export to write.
#[derive(InputObject)]
pub struct RequestExportInput {
    /// Unique per request you send; a retry with the same id returns the first job.
    pub client_mutation_id: String,
    /// What to list.
    pub kind: ExportKind,
    /// The file's layout (default CSV).
    #[graphql(default_with = "ExportFormat::Csv")]
    pub format: ExportFormat,
    /// The columns, by name (see exportFields); empty or absent: every column your roles may
    /// read. A column of a sensitive field group your roles lack is refused (FORBIDDEN,
    /// FIELD_NOT_PERMITTED), never dropped silently.
    pub fields: Option<Vec<String>>,
    /// Only records of this office of your unit (default: all your scope covers).
    pub office_id: Option<ID>,
    /// What the export is for; kept with the job and in the audit log.
    pub purpose: String,
    /// The age X25519 public key (`age1...`) to encrypt the file to. Keep its secret key on
    /// your side: the server never has it and cannot open the file.
    pub recipient: String,
}

/// The result of requestExport.
#[derive(SimpleObject)]
pub struct RequestExportPayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// The job, queued; follow it with exportJob.
    pub job: ExportJob,
}

/// Exports.
#[derive(Default)]
pub struct ExportMutation;

#[Object]
impl ExportMutation {
    /// Asks for a record-level export (individuals or groups: registration; cases: rsd) and
    /// returns at once with the queued job. The server writes the file in the background with
    /// exactly the columns your roles may read and the records your scope covers, encrypts it
    /// to `recipient`, and counts every record exported in the audit log. Follow it with
    /// exportJob; download it from its downloadPath before expiresAt (24 hours by default).
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn request_export(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RequestExportInput,
    ) -> GqlResult<RequestExportPayload> {
        let claim = claim_of("requestExport", &input.client_mutation_id, &input);
        let sc = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let kind: rules::ExportKind = input.kind.into();
        let checked = (|| {
            if kind == rules::ExportKind::Cases {
                sc.require_module(Module::Rsd)?;
            }
            sc.require(kind.permission())?;
            let fields =
                rules::resolve_fields(kind, input.fields.as_deref().unwrap_or(&[]), sc.grants())?;
            Ok::<_, crate::error::Error>(NewExport {
                kind,
                format: input.format.into(),
                fields,
                office_id: input.office_id.as_ref().map(|o| o.0.clone()),
                purpose: rules::check_purpose(&input.purpose)?,
                recipient: crate::export::check_recipient(&input.recipient)?,
            })
        })();
        let req = match checked {
            Ok(r) => r,
            Err(e) => return audit_refusal(ctx, "request_export", None, Err(e)).await,
        };
        let s = sc.clone();
        let outcome = run_once(&st.db, &sc, claim, move |conn| {
            store::create(conn, &s, &req).map(|r| r.id)
        })
        .await;
        let id = audit_refusal(ctx, "request_export", None, outcome).await?;
        let (s, lookup) = (sc.clone(), id.clone());
        let job = st
            .db
            .read(move |c| store::job(c, &s, &lookup))
            .await
            .map_err(gql)?
            .ok_or_else(|| gql(crate::error::Error::not_found("export")))?;
        if job.status() == rules::ExportStatus::Queued {
            crate::export::spawn(st.clone(), id);
        }
        Ok(RequestExportPayload {
            client_mutation_id: input.client_mutation_id,
            job: ExportJob(job),
        })
    }
}
