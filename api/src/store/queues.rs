//! Case queues: an officer's My work, and for supervisors the unit's summary, workload per
//! officer, the review queue, abandonment candidates and appeals near their deadline. They read
//! only the queue columns the workflow keeps beside each case's state (see [`super::workflow`]).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::audit::Reads;
use super::db::{Db, DbConn};
use super::dialect::{Bind, load as run};
use super::page_limit::LimitInText;
use super::queries::Page;
use super::rows::CaseRow;
use super::schema::*;
use super::scope::Scope;
use crate::domain::access::{Permission, Role, ScopeLevel, parse_roles};
use crate::domain::rsd::Status;
use crate::error::Result;

/// A position in a list ordered by a time and then by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeCursor {
    pub at: NaiveDateTime,
    pub id: String,
}

const CURSOR_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6f";

impl TimeCursor {
    pub fn encode(&self) -> String {
        format!("{}|{}", self.at.format(CURSOR_TIME), self.id)
    }
    pub fn decode(s: &str) -> Option<TimeCursor> {
        let (at, id) = s.split_once('|')?;
        let at = NaiveDateTime::parse_from_str(at, CURSOR_TIME).ok()?;
        (!id.is_empty() && id.len() <= 64).then(|| TimeCursor {
            at,
            id: id.to_string(),
        })
    }
}

/// What an officer narrows My work to.
#[derive(Debug, Clone, Default)]
pub struct WorkFilter {
    pub status: Option<String>,
    pub priority_only: bool,
    pub overdue_only: bool,
}

type CasesQuery<'a> = cases::BoxedQuery<'a, Db>;

/// Cases of the caller's reach (scope) and, for office-level supervisors, office.
fn reach<'a>(scope: &Scope) -> CasesQuery<'a> {
    cases::table.into_boxed().filter(scope.cases())
}

/// The caller's open cases, what is due first on top.
pub fn my_work(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    filter: &WorkFilter,
    first: i64,
    after: Option<&TimeCursor>,
    now: NaiveDateTime,
) -> Result<Page<CaseRow>> {
    scope.require(Permission::ReadCases)?;
    let mut q = reach(scope)
        .filter(cases::assigned_officer_id.eq(scope.user_id().to_string()))
        .filter(cases::due_at.is_not_null());
    if let Some(s) = &filter.status {
        q = q.filter(cases::status.eq(s.clone()));
    }
    if filter.priority_only {
        q = q.filter(cases::priority.eq(true));
    }
    if filter.overdue_only {
        q = q.filter(cases::decision_due_at.lt(now));
    }
    if let Some(c) = after {
        q = q.filter(
            cases::due_at
                .gt(c.at)
                .or(cases::due_at.eq(c.at).and(cases::id.gt(c.id.clone()))),
        );
    }
    let items = q
        .order((cases::due_at.asc(), cases::id.asc()))
        .select(CaseRow::as_select())
        .limit_in_text(first + 1)
        .load(conn)?;
    Ok(page(reads, items, first))
}

fn page(reads: &mut Reads, mut items: Vec<CaseRow>, first: i64) -> Page<CaseRow> {
    let has_next = items.len() as i64 > first;
    items.truncate(first as usize);
    reads.record("case", items.iter().map(|c| c.id.clone()));
    Page { items, has_next }
}

/// Which supervisor list to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisorList {
    /// Assessments waiting for review, oldest first; never the caller's own.
    AwaitingReview,
    /// A missed interview and the abandonment period without contact: a supervisor may declare
    /// them abandoned. Longest silent first.
    AbandonmentCandidates,
    /// Notified rejections whose appeal deadline is within the warning period, nearest first.
    AppealsNearDeadline,
    /// Open cases past their decision target, most overdue first.
    Overdue,
    /// Open cases with specific needs, due first on top.
    Priority,
}

/// One of the supervisors' lists, ordered by its own clock.
#[allow(clippy::too_many_arguments)]
pub fn supervisor_list(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    list: SupervisorList,
    office_id: Option<&str>,
    first: i64,
    after: Option<&TimeCursor>,
    now: NaiveDateTime,
    appeal_warning_days: u32,
) -> Result<Page<CaseRow>> {
    scope.require(Permission::SuperviseCases)?;
    let mut q = reach(scope);
    if let Some(o) = office_id {
        q = q.filter(cases::office_id.eq(o.to_string()));
    }
    macro_rules! ordered_by {
        ($q:expr, $col:expr) => {{
            let mut q = $q.filter($col.is_not_null());
            if let Some(c) = after {
                q = q.filter(
                    $col.gt(c.at)
                        .or($col.eq(c.at).and(cases::id.gt(c.id.clone()))),
                );
            }
            q.order(($col.asc(), cases::id.asc()))
                .select(CaseRow::as_select())
                .limit_in_text(first + 1)
                .load::<CaseRow>(conn)?
        }};
    }
    let items = match list {
        SupervisorList::AwaitingReview => ordered_by!(
            q.filter(cases::status.eq(Status::Assessed.as_str()))
                .filter(cases::assigned_officer_id.ne(scope.user_id().to_string())),
            cases::status_changed_at
        ),
        SupervisorList::AbandonmentCandidates => ordered_by!(
            q.filter(cases::status.eq(Status::Scheduled.as_str()))
                .filter(cases::abandonment_from.le(now))
                .filter(
                    cases::next_appointment_at
                        .is_null()
                        .or(cases::next_appointment_at.lt(now))
                ),
            cases::abandonment_from
        ),
        SupervisorList::AppealsNearDeadline => {
            let until = now + TimeDelta::days(i64::from(appeal_warning_days));
            ordered_by!(
                q.filter(cases::appeal_deadline_at.ge(now))
                    .filter(cases::appeal_deadline_at.le(until)),
                cases::appeal_deadline_at
            )
        }
        SupervisorList::Overdue => ordered_by!(
            q.filter(cases::due_at.is_not_null())
                .filter(cases::decision_due_at.lt(now)),
            cases::decision_due_at
        ),
        SupervisorList::Priority => ordered_by!(
            q.filter(cases::due_at.is_not_null())
                .filter(cases::priority.eq(true)),
            cases::due_at
        ),
    };
    Ok(page(reads, items, first))
}

/// The cursor of the last row of a supervisor list page, in that list's order.
pub fn list_cursor(list: SupervisorList, row: &CaseRow) -> TimeCursor {
    let at = match list {
        SupervisorList::AwaitingReview => row.status_changed_at,
        SupervisorList::AbandonmentCandidates => row.abandonment_from,
        SupervisorList::AppealsNearDeadline => row.appeal_deadline_at,
        SupervisorList::Overdue => row.decision_due_at,
        SupervisorList::Priority => row.due_at,
    };
    TimeCursor {
        at: at.unwrap_or(row.opened_at),
        id: row.id.clone(),
    }
}

/// Counts of one office and status.
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct StatusCount {
    #[diesel(sql_type = Text)]
    pub office_id: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = BigInt)]
    pub cases: i64,
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
    #[diesel(sql_type = BigInt)]
    pub priority: i64,
    #[diesel(sql_type = BigInt)]
    pub age_0_30: i64,
    #[diesel(sql_type = BigInt)]
    pub age_31_60: i64,
    #[diesel(sql_type = BigInt)]
    pub age_61_90: i64,
    #[diesel(sql_type = BigInt)]
    pub age_over_90: i64,
    #[diesel(sql_type = BigInt)]
    pub abandonment_candidates: i64,
    #[diesel(sql_type = BigInt)]
    pub appeals_near_deadline: i64,
}

/// How many cases of one office are in one status.
#[derive(Debug, Clone, QueryableByName)]
struct OfficeStatusCount {
    #[diesel(sql_type = Text)]
    office_id: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    cases: i64,
}

/// Open cases of one officer.
#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct Workload {
    #[diesel(sql_type = Text)]
    pub officer_id: String,
    #[diesel(sql_type = BigInt)]
    pub open: i64,
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
    #[diesel(sql_type = BigInt)]
    pub awaiting_review: i64,
    #[diesel(sql_type = BigInt)]
    pub interviews_ahead: i64,
}

/// The unit's case summary as a supervisor sees it.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub by_office_status: Vec<StatusCount>,
    pub workload: Vec<Workload>,
}

/// Summaries recently computed, reused while no case has moved since (as far as this process
/// knows: a transition committed here bumps the generation) and for at most
/// [`SUMMARY_MAX_AGE`], which bounds how stale a summary can be when another server process
/// changed cases. A unit's supervisors each re-read the summary when a colleague acts; without
/// this every one of them would recount the unit.
#[derive(Default)]
pub struct SummaryCache {
    entries:
        std::sync::Mutex<std::collections::HashMap<String, (u64, std::time::Instant, Summary)>>,
}

/// How long a cached summary may be served when nothing seen here has changed.
pub const SUMMARY_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(30);
const SUMMARY_CACHE_ENTRIES: usize = 1024;

impl SummaryCache {
    /// The key of a caller's summary: everything that narrows what it counts.
    pub fn key(scope: &Scope, office_id: Option<&str>) -> String {
        let own = match scope.level() {
            ScopeLevel::Own => scope.user_id(),
            _ => "",
        };
        format!(
            "{}|{}|{}|{}|{}",
            scope.unit_id(),
            scope.level().as_str(),
            scope.office_id().unwrap_or(""),
            own,
            office_id.unwrap_or("")
        )
    }

    /// The cached summary for `key`, if computed at `generation` and young enough.
    pub fn get(&self, key: &str, generation: u64) -> Option<Summary> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(g, at, _)| *g == generation && at.elapsed() < SUMMARY_MAX_AGE)
            .map(|(_, _, s)| s.clone())
    }

    /// Keeps a summary computed at `generation`.
    pub fn put(&self, key: String, generation: u64, summary: Summary) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= SUMMARY_CACHE_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (generation, std::time::Instant::now(), summary));
    }
}

/// The WHERE clause of the caller's reach over `cases`, and its binds.
fn reach_sql(scope: &Scope, office_id: Option<&str>) -> (String, Vec<Bind>) {
    let mut sql = String::from("operation_unit_id = {}");
    let mut binds = vec![Bind::Text(scope.unit_id().to_string())];
    match (scope.level(), scope.office_id()) {
        (ScopeLevel::Unit, _) => {}
        (ScopeLevel::Office, Some(o)) => {
            sql.push_str(" AND office_id = {}");
            binds.push(Bind::Text(o.to_string()));
        }
        (ScopeLevel::Office, None) => sql.push_str(" AND 1 = 0"),
        (ScopeLevel::Own, _) => {
            sql.push_str(" AND assigned_officer_id = {}");
            binds.push(Bind::Text(scope.user_id().to_string()));
        }
    }
    if let Some(o) = office_id {
        sql.push_str(" AND office_id = {}");
        binds.push(Bind::Text(o.to_string()));
    }
    (sql, binds)
}

/// Counts by office and status (with overdue, priority, aging buckets, abandonment candidates
/// and appeals near their deadline), and the open workload of every officer. Two scans of the
/// unit's cases, whatever its size: a supervisor's screen must not wait on a thin link.
pub fn summary(
    conn: &mut DbConn,
    scope: &Scope,
    office_id: Option<&str>,
    now: NaiveDateTime,
    appeal_warning_days: u32,
) -> Result<Summary> {
    scope.require(Permission::SuperviseCases)?;
    let (reach, reach_binds) = reach_sql(scope, office_id);
    let days = |d: i64| Bind::Time(now - TimeDelta::days(d));
    let warn = Bind::Time(now + TimeDelta::days(i64::from(appeal_warning_days)));
    // Ended cases (most of a registry) are only counted, from the (unit, office, status) index;
    // the clocks are summed over open cases only, from a partial index that covers them, so
    // neither query reads the cases' rows.
    let counts: Vec<OfficeStatusCount> = run(
        conn,
        &format!(
            "SELECT office_id, status, COUNT(*) AS cases FROM cases WHERE {reach} \
             GROUP BY office_id, status"
        ),
        &reach_binds,
    )?;
    let template = format!(
        "SELECT office_id, status, COUNT(*) AS cases, \
         SUM(CASE WHEN decision_due_at < {{}} THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN priority THEN 1 ELSE 0 END) AS priority, \
         SUM(CASE WHEN opened_at >= {{}} THEN 1 ELSE 0 END) AS age_0_30, \
         SUM(CASE WHEN opened_at < {{}} AND opened_at >= {{}} THEN 1 ELSE 0 END) AS age_31_60, \
         SUM(CASE WHEN opened_at < {{}} AND opened_at >= {{}} THEN 1 ELSE 0 END) AS age_61_90, \
         SUM(CASE WHEN opened_at < {{}} THEN 1 ELSE 0 END) AS age_over_90, \
         SUM(CASE WHEN status = 'scheduled' AND abandonment_from <= {{}} \
             AND (next_appointment_at IS NULL OR next_appointment_at < {{}}) THEN 1 ELSE 0 END) AS abandonment_candidates, \
         SUM(CASE WHEN appeal_deadline_at >= {{}} AND appeal_deadline_at <= {{}} THEN 1 ELSE 0 END) AS appeals_near_deadline \
         FROM cases WHERE {reach} AND due_at IS NOT NULL GROUP BY office_id, status"
    );
    let mut binds = vec![
        Bind::Time(now),
        days(30),
        days(30),
        days(60),
        days(60),
        days(90),
        days(90),
        Bind::Time(now),
        Bind::Time(now),
        Bind::Time(now),
        warn,
    ];
    binds.extend(reach_binds.iter().cloned());
    let open_rows: Vec<StatusCount> = run(conn, &template, &binds)?;
    let mut by_office_status: Vec<StatusCount> = counts
        .into_iter()
        .map(|c| {
            open_rows
                .iter()
                .find(|o| o.office_id == c.office_id && o.status == c.status)
                .cloned()
                .map(|o| StatusCount {
                    cases: c.cases,
                    ..o
                })
                .unwrap_or(StatusCount {
                    office_id: c.office_id,
                    status: c.status,
                    cases: c.cases,
                    overdue: 0,
                    priority: 0,
                    age_0_30: 0,
                    age_31_60: 0,
                    age_61_90: 0,
                    age_over_90: 0,
                    abandonment_candidates: 0,
                    appeals_near_deadline: 0,
                })
        })
        .collect();
    by_office_status.sort_by(|a, b| (&a.office_id, &a.status).cmp(&(&b.office_id, &b.status)));

    let open = "due_at IS NOT NULL";
    let template = format!(
        "SELECT assigned_officer_id AS officer_id, COUNT(*) AS open, \
         SUM(CASE WHEN decision_due_at < {{}} THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN status = 'assessed' THEN 1 ELSE 0 END) AS awaiting_review, \
         SUM(CASE WHEN next_appointment_at >= {{}} THEN 1 ELSE 0 END) AS interviews_ahead \
         FROM cases WHERE {reach} AND {open} AND assigned_officer_id IS NOT NULL \
         GROUP BY assigned_officer_id ORDER BY assigned_officer_id"
    );
    let mut binds = vec![Bind::Time(now), Bind::Time(now)];
    binds.extend(reach_binds);
    let workload: Vec<Workload> = run(conn, &template, &binds)?;
    Ok(Summary {
        by_office_status,
        workload,
    })
}

/// Display names of users of the caller's unit, by id.
pub fn staff_names(
    conn: &mut DbConn,
    scope: &Scope,
    ids: &[String],
) -> Result<Vec<(String, String, String)>> {
    Ok(users::table
        .filter(users::operation_unit_id.eq(scope.unit_id()))
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username, users::display_name))
        .load(conn)?)
}

/// A user a case may be assigned to: id, login name, name and roles.
pub type Assignable = (String, String, String, Vec<Role>);

/// Officers of the unit a case may be assigned to (eligibility officers and supervisors who are
/// not disabled), with their roles, for the reassigning screen.
pub fn assignable_officers(conn: &mut DbConn, scope: &Scope) -> Result<Vec<Assignable>> {
    scope.require(Permission::SuperviseCases)?;
    let rows: Vec<(String, String, String, String)> = users::table
        .filter(users::operation_unit_id.eq(scope.unit_id()))
        .filter(users::disabled.eq(false))
        .order(users::username.asc())
        .select((
            users::id,
            users::username,
            users::display_name,
            users::roles,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, username, name, roles)| {
            let roles = parse_roles(&roles).ok()?;
            super::workflow::is_officer(&roles).then_some((id, username, name, roles))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_made_up_ones() {
        let c = TimeCursor {
            at: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                .and_then(|d| d.and_hms_micro_opt(9, 30, 0, 123_456))
                .expect("a time"),
            id: "019abc".into(),
        };
        assert_eq!(TimeCursor::decode(&c.encode()), Some(c));
        assert!(TimeCursor::decode("not a cursor").is_none());
        assert!(TimeCursor::decode("2026-11-26T09:30:00.000000|").is_none());
    }
}
