//! Export jobs and the pages of records they write.
//!
//! A job is a row of `export_jobs`: who asked, for what, to which public key, and where it
//! stands. Only its requester sees it. The records are read a page at a time with the
//! requester's [`Scope`] (so only their unit, office or caseload) and the cells of each page are
//! built here from the fields the domain resolved for their roles; each page's records are
//! written to the audit log as exported, one event per record, in the same transaction that
//! counts the job's progress.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{self, Actor, Entry, Outcome};
use super::db::DbConn;
use super::rows::{CaseRow, GroupRow, IndividualRow, NeedRow};
use super::schema::{
    cases, export_jobs, group_memberships, individuals, offices, registration_groups,
    specific_needs,
};
use super::scope::Scope;
use super::{new_id, now};
use crate::domain::export::{
    ExportField, ExportFormat, ExportKind, ExportStatus, MAX_ATTEMPTS, SPECIFIC_NEEDS,
    need_exportable,
};
use crate::domain::registration::FOCAL_POINT;
use crate::error::{Error, Result};

/// A stored export job.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = export_jobs)]
pub struct ExportJobRow {
    pub id: String,
    pub operation_unit_id: String,
    pub requested_by: String,
    pub kind: String,
    pub format: String,
    pub fields: String,
    pub office_id: Option<String>,
    pub purpose: String,
    pub recipient: String,
    pub status: String,
    pub rows_total: Option<i32>,
    pub rows_done: i32,
    pub file_name: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub error: Option<String>,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

impl ExportJobRow {
    pub fn kind(&self) -> Result<ExportKind> {
        ExportKind::parse(&self.kind)
            .ok_or_else(|| Error::internal(format!("export {} has kind {}", self.id, self.kind)))
    }
    pub fn format(&self) -> Result<ExportFormat> {
        ExportFormat::parse(&self.format).ok_or_else(|| {
            Error::internal(format!("export {} has format {}", self.id, self.format))
        })
    }
    pub fn status(&self) -> ExportStatus {
        ExportStatus::parse(&self.status).unwrap_or(ExportStatus::Failed)
    }
    /// The columns, as resolved when the job was accepted.
    pub fn field_names(&self) -> Vec<String> {
        self.fields.split_whitespace().map(str::to_string).collect()
    }
}

/// What a requester asks for, already checked by the domain.
#[derive(Debug, Clone)]
pub struct NewExport {
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub fields: Vec<&'static ExportField>,
    pub office_id: Option<String>,
    pub purpose: String,
    pub recipient: String,
}

/// Accepts an export: checks the caller may read these records and that the office is theirs,
/// stores the job as queued and audits the request (with its purpose and columns).
pub fn create(conn: &mut DbConn, scope: &Scope, req: &NewExport) -> Result<ExportJobRow> {
    scope.require(req.kind.permission())?;
    if let Some(office) = &req.office_id {
        let found: i64 = offices::table
            .filter(offices::id.eq(office))
            .filter(offices::operation_unit_id.eq(scope.unit_id()))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(Error::not_found("office"));
        }
    }
    let t = now();
    let fields = req
        .fields
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(" ");
    let row = ExportJobRow {
        id: new_id(),
        operation_unit_id: scope.unit_id().to_string(),
        requested_by: scope.user_id().to_string(),
        kind: req.kind.as_str().to_string(),
        format: req.format.as_str().to_string(),
        fields: fields.clone(),
        office_id: req.office_id.clone(),
        purpose: req.purpose.clone(),
        recipient: req.recipient.clone(),
        status: ExportStatus::Queued.as_str().to_string(),
        rows_total: None,
        rows_done: 0,
        file_name: None,
        size_bytes: None,
        sha256: None,
        error: None,
        attempts: 0,
        created_at: t,
        started_at: None,
        finished_at: None,
        expires_at: None,
        deleted_at: None,
        version: 1,
        updated_at: t,
    };
    diesel::insert_into(export_jobs::table)
        .values(&row)
        .execute(conn)?;
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry {
            action: "request_export",
            record_type: Some("export_job"),
            record_id: Some(row.id.clone()),
            outcome: Outcome::Ok,
            detail: Some(format!(
                "{} as {}, columns: {fields}; office: {}; purpose: {}",
                req.kind,
                req.format.as_str(),
                req.office_id.as_deref().unwrap_or("all in scope"),
                req.purpose
            )),
        }],
    )?;
    Ok(row)
}

/// One of the caller's own export jobs; None for any other (another user's or unit's).
pub fn job(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<Option<ExportJobRow>> {
    Ok(export_jobs::table
        .filter(export_jobs::id.eq(id))
        .filter(export_jobs::operation_unit_id.eq(scope.unit_id()))
        .filter(export_jobs::requested_by.eq(scope.user_id()))
        .select(ExportJobRow::as_select())
        .first(conn)
        .optional()?)
}

/// The caller's export jobs, newest first.
pub fn jobs(conn: &mut DbConn, scope: &Scope, limit: i64) -> Result<Vec<ExportJobRow>> {
    Ok(export_jobs::table
        .filter(export_jobs::operation_unit_id.eq(scope.unit_id()))
        .filter(export_jobs::requested_by.eq(scope.user_id()))
        .order(export_jobs::id.desc())
        .limit(limit)
        .select(ExportJobRow::as_select())
        .load(conn)?)
}

/// A job by id, whoever asked (for the job runner and the download, which check the caller).
pub fn by_id(conn: &mut DbConn, id: &str) -> Result<Option<ExportJobRow>> {
    Ok(export_jobs::table
        .find(id)
        .select(ExportJobRow::as_select())
        .first(conn)
        .optional()?)
}

fn set_status(
    conn: &mut DbConn,
    id: &str,
    from: &[ExportStatus],
    to: ExportStatus,
) -> Result<bool> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let n = diesel::update(
        export_jobs::table
            .filter(export_jobs::id.eq(id))
            .filter(export_jobs::status.eq_any(from)),
    )
    .set((
        export_jobs::status.eq(to.as_str()),
        export_jobs::version.eq(export_jobs::version + 1),
        export_jobs::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Takes a queued job to running (one more attempt); false when it was not queued.
pub fn start(conn: &mut DbConn, id: &str, total: i64) -> Result<bool> {
    if !set_status(conn, id, &[ExportStatus::Queued], ExportStatus::Running)? {
        return Ok(false);
    }
    diesel::update(export_jobs::table.find(id))
        .set((
            export_jobs::attempts.eq(export_jobs::attempts + 1),
            export_jobs::started_at.eq(Some(now())),
            export_jobs::rows_done.eq(0),
            export_jobs::rows_total.eq(Some(i32::try_from(total).unwrap_or(i32::MAX))),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Counts a written page: its records are audited as exported, the job's progress moves on.
pub fn page_written(
    conn: &mut DbConn,
    job: &ExportJobRow,
    actor: &Actor,
    record_type: &'static str,
    ids: &[String],
    done: i64,
) -> Result<()> {
    let entries: Vec<Entry> = ids
        .iter()
        .map(|id| Entry {
            action: "export",
            record_type: Some(record_type),
            record_id: Some(id.clone()),
            outcome: Outcome::Ok,
            detail: Some(format!("export {}", job.id)),
        })
        .collect();
    audit::append(conn, actor, &entries)?;
    diesel::update(export_jobs::table.find(&job.id))
        .set((
            export_jobs::rows_done.eq(i32::try_from(done).unwrap_or(i32::MAX)),
            export_jobs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The file is written: the job is ready until `expires_at`.
pub fn finish(
    conn: &mut DbConn,
    id: &str,
    file_name: &str,
    size: u64,
    sha256: &str,
    expires_at: NaiveDateTime,
) -> Result<()> {
    let t = now();
    diesel::update(export_jobs::table.find(id))
        .set((
            export_jobs::status.eq(ExportStatus::Ready.as_str()),
            export_jobs::file_name.eq(Some(file_name)),
            export_jobs::size_bytes.eq(Some(i64::try_from(size).unwrap_or(i64::MAX))),
            export_jobs::sha256.eq(Some(sha256)),
            export_jobs::finished_at.eq(Some(t)),
            export_jobs::expires_at.eq(Some(expires_at)),
            export_jobs::version.eq(export_jobs::version + 1),
            export_jobs::updated_at.eq(t),
        ))
        .execute(conn)?;
    Ok(())
}

/// The job failed, for the reason given (shown to its requester).
pub fn fail(conn: &mut DbConn, id: &str, why: &str) -> Result<()> {
    let t = now();
    diesel::update(export_jobs::table.find(id))
        .set((
            export_jobs::status.eq(ExportStatus::Failed.as_str()),
            export_jobs::error.eq(Some(why)),
            export_jobs::finished_at.eq(Some(t)),
            export_jobs::version.eq(export_jobs::version + 1),
            export_jobs::updated_at.eq(t),
        ))
        .execute(conn)?;
    Ok(())
}

/// After a restart: jobs that were queued or running go back to the queue, unless they have
/// been started [`MAX_ATTEMPTS`] times already, which fails them with a reason. Returns the
/// ids of the jobs to run.
pub fn requeue_interrupted(conn: &mut DbConn) -> Result<Vec<String>> {
    let open: Vec<ExportJobRow> = export_jobs::table
        .filter(export_jobs::status.eq_any([
            ExportStatus::Queued.as_str(),
            ExportStatus::Running.as_str(),
        ]))
        .order(export_jobs::id)
        .select(ExportJobRow::as_select())
        .load(conn)?;
    let mut again = Vec::new();
    for job in open {
        if job.attempts >= MAX_ATTEMPTS {
            fail(
                conn,
                &job.id,
                &format!(
                    "the server stopped {} times while writing this export; ask for it again with fewer records (an office)",
                    job.attempts
                ),
            )?;
        } else {
            set_status(
                conn,
                &job.id,
                &[ExportStatus::Running, ExportStatus::Queued],
                ExportStatus::Queued,
            )?;
            again.push(job.id);
        }
    }
    Ok(again)
}

/// Ready jobs whose link has expired at `at`.
pub fn expired(conn: &mut DbConn, at: NaiveDateTime) -> Result<Vec<ExportJobRow>> {
    Ok(export_jobs::table
        .filter(export_jobs::status.eq(ExportStatus::Ready.as_str()))
        .filter(export_jobs::expires_at.le(at))
        .select(ExportJobRow::as_select())
        .load(conn)?)
}

/// Marks a job's file as deleted.
pub fn mark_expired(conn: &mut DbConn, id: &str) -> Result<()> {
    if set_status(conn, id, &[ExportStatus::Ready], ExportStatus::Expired)? {
        diesel::update(export_jobs::table.find(id))
            .set(export_jobs::deleted_at.eq(Some(now())))
            .execute(conn)?;
        audit::append(
            conn,
            &Actor::default(),
            &[Entry {
                action: "delete_export_file",
                record_type: Some("export_job"),
                record_id: Some(id.to_string()),
                outcome: Outcome::Ok,
                detail: Some("the download link expired".into()),
            }],
        )?;
    }
    Ok(())
}

/// Records a download (whole or a range) in the audit log.
pub fn audit_download(
    conn: &mut DbConn,
    scope: &Scope,
    job_id: &str,
    range: &str,
    outcome: Outcome,
) -> Result<()> {
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry {
            action: "download_export",
            record_type: Some("export_job"),
            record_id: Some(job_id.to_string()),
            outcome,
            detail: Some(range.to_string()),
        }],
    )
}

/// One page of an export: the records' ids (for the audit log) and their cells.
pub struct Page {
    pub ids: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// How many records the export will hold.
pub fn count(
    conn: &mut DbConn,
    scope: &Scope,
    kind: ExportKind,
    office: Option<&str>,
) -> Result<i64> {
    scope.require(kind.permission())?;
    Ok(match kind {
        ExportKind::Individuals => {
            let mut q = individuals::table.filter(scope.individuals()).into_boxed();
            if let Some(o) = office {
                q = q.filter(individuals::office_id.eq(o.to_string()));
            }
            q.count().get_result(conn)?
        }
        ExportKind::Groups => {
            let mut q = registration_groups::table
                .filter(scope.groups())
                .into_boxed();
            if let Some(o) = office {
                q = q.filter(registration_groups::office_id.eq(o.to_string()));
            }
            q.count().get_result(conn)?
        }
        ExportKind::Cases => {
            let mut q = cases::table.filter(scope.cases()).into_boxed();
            if let Some(o) = office {
                q = q.filter(cases::office_id.eq(o.to_string()));
            }
            q.count().get_result(conn)?
        }
    })
}

/// The next page of records after `after` (by id), at most `limit`, with the cells of
/// `fields`. Reads only what `scope` covers; needs outside the caller's field groups are left
/// out of the needs column.
pub fn page(
    conn: &mut DbConn,
    scope: &Scope,
    kind: ExportKind,
    fields: &[&ExportField],
    office: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Page> {
    scope.require(kind.permission())?;
    let office_codes: HashMap<String, String> = offices::table
        .filter(offices::operation_unit_id.eq(scope.unit_id()))
        .select((offices::id, offices::code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let code_of = |id: &str| office_codes.get(id).cloned().unwrap_or_default();
    match kind {
        ExportKind::Individuals => {
            let mut q = individuals::table.filter(scope.individuals()).into_boxed();
            if let Some(o) = office {
                q = q.filter(individuals::office_id.eq(o.to_string()));
            }
            if let Some(a) = after {
                q = q.filter(individuals::id.gt(a.to_string()));
            }
            let people: Vec<IndividualRow> = q
                .order(individuals::id)
                .limit(limit)
                .select(IndividualRow::as_select())
                .load(conn)?;
            let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
            let groups = current_groups(conn, &ids)?;
            let needs = needs_of(conn, scope, &ids, fields)?;
            let rows = people
                .iter()
                .map(|p| {
                    fields
                        .iter()
                        .map(|f| individual_cell(p, f.name, &code_of, &groups, &needs))
                        .collect()
                })
                .collect();
            Ok(Page { ids, rows })
        }
        ExportKind::Groups => {
            let mut q = registration_groups::table
                .filter(scope.groups())
                .into_boxed();
            if let Some(o) = office {
                q = q.filter(registration_groups::office_id.eq(o.to_string()));
            }
            if let Some(a) = after {
                q = q.filter(registration_groups::id.gt(a.to_string()));
            }
            let groups: Vec<GroupRow> = q
                .order(registration_groups::id)
                .limit(limit)
                .select(GroupRow::as_select())
                .load(conn)?;
            let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
            let members: Vec<(String, String, String)> = group_memberships::table
                .inner_join(
                    individuals::table.on(individuals::id.eq(group_memberships::individual_id)),
                )
                .filter(group_memberships::group_id.eq_any(&ids))
                .filter(group_memberships::ended_at.is_null())
                .select((
                    group_memberships::group_id,
                    group_memberships::relationship,
                    individuals::individual_number,
                ))
                .load(conn)?;
            let mut size: HashMap<&str, usize> = HashMap::new();
            let mut focal: HashMap<&str, &str> = HashMap::new();
            for (g, rel, number) in &members {
                *size.entry(g.as_str()).or_default() += 1;
                if rel == FOCAL_POINT {
                    focal.insert(g.as_str(), number.as_str());
                }
            }
            let rows = groups
                .iter()
                .map(|g| {
                    fields
                        .iter()
                        .map(|f| match f.name {
                            "id" => g.id.clone(),
                            "group_number" => g.group_number.clone(),
                            "office" => code_of(&g.office_id),
                            "status" => g.status.clone(),
                            "size" => size.get(g.id.as_str()).copied().unwrap_or(0).to_string(),
                            "focal_point_number" => focal
                                .get(g.id.as_str())
                                .map(|s| s.to_string())
                                .unwrap_or_default(),
                            "created_at" => rfc3339(g.created_at),
                            _ => String::new(),
                        })
                        .collect()
                })
                .collect();
            Ok(Page { ids, rows })
        }
        ExportKind::Cases => {
            let mut q = cases::table.filter(scope.cases()).into_boxed();
            if let Some(o) = office {
                q = q.filter(cases::office_id.eq(o.to_string()));
            }
            if let Some(a) = after {
                q = q.filter(cases::id.gt(a.to_string()));
            }
            let found: Vec<CaseRow> = q
                .order(cases::id)
                .limit(limit)
                .select(CaseRow::as_select())
                .load(conn)?;
            let ids: Vec<String> = found.iter().map(|c| c.id.clone()).collect();
            let principals: Vec<&String> =
                found.iter().map(|c| &c.principal_applicant_id).collect();
            let numbers: HashMap<String, String> = individuals::table
                .filter(individuals::id.eq_any(principals))
                .filter(individuals::operation_unit_id.eq(scope.unit_id()))
                .select((individuals::id, individuals::individual_number))
                .load::<(String, String)>(conn)?
                .into_iter()
                .collect();
            let group_ids: Vec<&String> = found
                .iter()
                .filter_map(|c| c.registration_group_id.as_ref())
                .collect();
            let group_numbers: HashMap<String, String> = registration_groups::table
                .filter(registration_groups::id.eq_any(group_ids))
                .filter(registration_groups::operation_unit_id.eq(scope.unit_id()))
                .select((registration_groups::id, registration_groups::group_number))
                .load::<(String, String)>(conn)?
                .into_iter()
                .collect();
            let rows = found
                .iter()
                .map(|c| {
                    fields
                        .iter()
                        .map(|f| match f.name {
                            "id" => c.id.clone(),
                            "case_number" => c.case_number.clone(),
                            "procedure" => c.procedure.clone(),
                            "status" => c.status.clone(),
                            "modality" => c.modality.clone(),
                            "office" => code_of(&c.office_id),
                            "principal_applicant_number" => numbers
                                .get(&c.principal_applicant_id)
                                .cloned()
                                .unwrap_or_default(),
                            "group_number" => c
                                .registration_group_id
                                .as_ref()
                                .and_then(|g| group_numbers.get(g))
                                .cloned()
                                .unwrap_or_default(),
                            "opened_at" => rfc3339(c.opened_at),
                            "priority" => c.priority.to_string(),
                            // Resolved only for roles that read claim narratives.
                            "claim_summary" => c.claim_summary.clone().unwrap_or_default(),
                            _ => String::new(),
                        })
                        .collect()
                })
                .collect();
            Ok(Page { ids, rows })
        }
    }
}

fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The group number of each individual's current membership.
fn current_groups(conn: &mut DbConn, ids: &[String]) -> Result<HashMap<String, String>> {
    Ok(group_memberships::table
        .inner_join(registration_groups::table)
        .filter(group_memberships::individual_id.eq_any(ids))
        .filter(group_memberships::ended_at.is_null())
        .select((
            group_memberships::individual_id,
            registration_groups::group_number,
        ))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// The needs column of each individual: only needs the caller's roles may read, and only when
/// the column was asked for.
fn needs_of(
    conn: &mut DbConn,
    scope: &Scope,
    ids: &[String],
    fields: &[&ExportField],
) -> Result<HashMap<String, String>> {
    if !fields.iter().any(|f| f.name == SPECIFIC_NEEDS) {
        return Ok(HashMap::new());
    }
    let rows: Vec<NeedRow> = specific_needs::table
        .filter(specific_needs::individual_id.eq_any(ids))
        .filter(specific_needs::operation_unit_id.eq(scope.unit_id()))
        .order((specific_needs::individual_id, specific_needs::id))
        .select(NeedRow::as_select())
        .load(conn)?;
    let mut out: HashMap<String, String> = HashMap::new();
    for n in rows
        .iter()
        .filter(|n| need_exportable(&n.code, scope.grants()))
    {
        let cell = out.entry(n.individual_id.clone()).or_default();
        if !cell.is_empty() {
            cell.push(' ');
        }
        cell.push_str(n.sub_code.as_deref().unwrap_or(&n.code));
        cell.push(':');
        cell.push_str(&n.status);
    }
    Ok(out)
}

fn individual_cell(
    p: &IndividualRow,
    field: &str,
    office: &dyn Fn(&str) -> String,
    groups: &HashMap<String, String>,
    needs: &HashMap<String, String>,
) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    match field {
        "id" => p.id.clone(),
        "individual_number" => p.individual_number.clone(),
        "group_number" => groups.get(&p.id).cloned().unwrap_or_default(),
        "given_names" => p.given_names.clone(),
        "middle_name" => opt(&p.middle_name),
        "family_name" => opt(&p.family_name),
        "second_family_name" => opt(&p.second_family_name),
        "original_script_name" => opt(&p.original_script_name),
        "sex" => opt(&p.sex),
        "date_of_birth" => date(p.date_of_birth),
        "date_of_birth_precision" => opt(&p.date_of_birth_precision),
        "nationalities" => p.nationalities.clone(),
        "country_of_origin" => opt(&p.country_of_origin),
        "marital_status" => opt(&p.marital_status),
        "arrival_date" => date(p.arrival_date),
        "office" => office(&p.office_id),
        "registration_date" => p.registration_date.to_string(),
        "dataset_level" => p.dataset_level.clone(),
        // The domain resolved these columns only for roles that read their groups.
        "ethnicity" => opt(&p.ethnicity),
        "religion" => opt(&p.religion),
        SPECIFIC_NEEDS => needs.get(&p.id).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}
