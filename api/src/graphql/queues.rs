//! Case queues over GraphQL: My work for officers, and the supervisor's summary, lists and
//! workload. Pages are keyset-paginated by each list's own clock.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use super::connection::{PageInfo, check_first, decode_cursor, encode_cursor};
use super::context::ModuleGuard;
use super::context::{GqlResult, gql, scoped_read, state};
use super::types::Case;
use crate::domain::access::Module;
use crate::store::audit::{Entry, Outcome};
use crate::store::queues::{self, SupervisorList, TimeCursor, WorkFilter};
use crate::store::workflow;

/// Narrows My work.
#[derive(InputObject, Default)]
pub struct WorkFilterInput {
    /// Only cases in this status (e.g. scheduled, interviewed, assessed).
    pub status: Option<String>,
    /// Only cases with specific needs.
    #[graphql(default)]
    pub priority_only: bool,
    /// Only cases past their decision target.
    #[graphql(default)]
    pub overdue_only: bool,
}

/// A supervisor's list of cases.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CaseList {
    /// Assessments waiting for review (never your own), oldest first.
    AwaitingReview,
    /// Missed interview and no contact for the abandonment period, longest silent first.
    AbandonmentCandidates,
    /// Notified rejections whose appeal deadline is near, nearest first.
    AppealsNearDeadline,
    /// Open cases past their decision target, most overdue first.
    Overdue,
    /// Open cases with specific needs, due first on top.
    Priority,
}

impl From<CaseList> for SupervisorList {
    fn from(l: CaseList) -> Self {
        match l {
            CaseList::AwaitingReview => SupervisorList::AwaitingReview,
            CaseList::AbandonmentCandidates => SupervisorList::AbandonmentCandidates,
            CaseList::AppealsNearDeadline => SupervisorList::AppealsNearDeadline,
            CaseList::Overdue => SupervisorList::Overdue,
            CaseList::Priority => SupervisorList::Priority,
        }
    }
}

/// A case in a queue page.
#[derive(SimpleObject)]
pub struct QueueEdge {
    /// The case.
    pub node: Case,
    /// Its cursor in this list.
    pub cursor: String,
}

/// A page of a case queue.
#[derive(SimpleObject)]
pub struct QueueConnection {
    /// The cases of this page.
    pub edges: Vec<QueueEdge>,
    /// Paging information.
    pub page_info: PageInfo,
}

/// A list's cursor as a client sent it back; a made-up one is refused.
fn time_cursor(after: Option<&str>) -> crate::error::Result<Option<TimeCursor>> {
    decode_cursor(after)?
        .map(|raw| {
            TimeCursor::decode(&raw).ok_or_else(|| {
                crate::error::Error::validation("after", "is not a cursor this list returned")
            })
        })
        .transpose()
}

fn connection(
    items: Vec<crate::store::rows::CaseRow>,
    has_next: bool,
    cursor: impl Fn(&crate::store::rows::CaseRow) -> TimeCursor,
) -> QueueConnection {
    let edges: Vec<QueueEdge> = items
        .into_iter()
        .map(|row| QueueEdge {
            cursor: encode_cursor(&cursor(&row).encode()),
            node: Case::from(row),
        })
        .collect();
    QueueConnection {
        page_info: PageInfo {
            has_next_page: has_next,
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
    }
}

/// Cases of one office in one status.
#[derive(SimpleObject)]
pub struct StatusCount {
    /// The office.
    pub office_id: ID,
    /// The office's name.
    pub office_name: String,
    /// The status.
    pub status: String,
    /// How many cases.
    pub cases: i64,
    /// Of them, open and past their decision target.
    pub overdue: i64,
    /// Of them, open with specific needs.
    pub priority: i64,
    /// Of them, abandonment candidates.
    pub abandonment_candidates: i64,
    /// Of them, notified rejections near their appeal deadline.
    pub appeals_near_deadline: i64,
}

/// Open cases by time since the application.
#[derive(SimpleObject)]
pub struct AgingBucket {
    /// 0-30, 31-60, 61-90 or 90+ days.
    pub label: String,
    /// How many open cases.
    pub cases: i64,
}

/// One officer's open cases.
#[derive(SimpleObject)]
pub struct OfficerWorkload {
    /// The officer.
    pub officer_id: ID,
    /// Their login name.
    pub username: String,
    /// Their name.
    pub display_name: String,
    /// Open cases assigned to them.
    pub open: i64,
    /// Of them, past their decision target.
    pub overdue: i64,
    /// Of them, with an assessment awaiting review.
    pub awaiting_review: i64,
    /// Of them, with an interview booked ahead.
    pub interviews_ahead: i64,
}

/// The unit's cases at a glance, for supervisors.
#[derive(SimpleObject)]
pub struct CaseSummary {
    /// Counts by office and status (every status, ended ones included).
    pub by_office_and_status: Vec<StatusCount>,
    /// Open cases by time since the application.
    pub aging: Vec<AgingBucket>,
    /// Open cases.
    pub open: i64,
    /// Open cases past their decision target.
    pub overdue: i64,
    /// Open cases with specific needs.
    pub priority: i64,
    /// Cases a supervisor may now declare abandoned.
    pub abandonment_candidates: i64,
    /// Notified rejections near their appeal deadline.
    pub appeals_near_deadline: i64,
    /// Assessments waiting for review.
    pub awaiting_review: i64,
    /// Open cases per assigned officer.
    pub workload: Vec<OfficerWorkload>,
    /// Open cases nobody is assigned to.
    pub unassigned: i64,
    /// The unit's decision target for regular cases, in days.
    pub decision_target_days: i32,
}

/// An officer a case may be assigned to.
#[derive(SimpleObject)]
pub struct AssignableOfficer {
    /// The officer's id.
    pub id: ID,
    /// Login name.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Roles (a reopening needs a supervisor's approval).
    pub roles: Vec<String>,
}

/// Queue reads.
#[derive(Default)]
pub struct QueueQuery;

/// Queue reads.
#[Object]
impl QueueQuery {
    /// Your open cases, what is due first on top (the next interview, the appeal deadline, the
    /// abandonment date or the decision target).
    #[graphql(
        guard = "ModuleGuard(Module::Rsd)",
        complexity = "crate::graphql::page_cost(first, 20, child_complexity)"
    )]
    async fn my_work(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrow the list.")] filter: Option<WorkFilterInput>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> GqlResult<QueueConnection> {
        let first = check_first(first).map_err(gql)?;
        let after = time_cursor(after.as_deref()).map_err(gql)?;
        let f = filter.unwrap_or_default();
        let filter = WorkFilter {
            status: f.status,
            priority_only: f.priority_only,
            overdue_only: f.overdue_only,
        };
        let page = scoped_read(ctx, "my_work", None, move |c, s, r| {
            queues::my_work(c, s, r, &filter, first, after.as_ref(), crate::store::now())
        })
        .await?;
        Ok(connection(page.items, page.has_next, |row| TimeCursor {
            at: row.due_at.unwrap_or(row.opened_at),
            id: row.id.clone(),
        }))
    }

    /// One of the supervisors' lists (supervisors).
    #[graphql(
        guard = "ModuleGuard(Module::Rsd)",
        complexity = "crate::graphql::page_cost(first, 20, child_complexity)"
    )]
    async fn case_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which list.")] list: CaseList,
        #[graphql(desc = "Only this office.")] office_id: Option<ID>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> GqlResult<QueueConnection> {
        let first = check_first(first).map_err(gql)?;
        let after = time_cursor(after.as_deref()).map_err(gql)?;
        let which = SupervisorList::from(list);
        let office = office_id.map(|o| o.0);
        let page = scoped_read(ctx, "case_queue", None, move |c, s, r| {
            let settings = workflow::unit_settings(c, s.unit_id())?;
            queues::supervisor_list(
                c,
                s,
                r,
                which,
                office.as_deref(),
                first,
                after.as_ref(),
                crate::store::now(),
                settings.rsd.appeal_warning_days,
            )
        })
        .await?;
        Ok(connection(page.items, page.has_next, |row| {
            queues::list_cursor(which, row)
        }))
    }

    /// The unit's cases at a glance: counts by office and status, aging, overdue, workload per
    /// officer (supervisors). Counts reveal no one.
    #[graphql(
        guard = "ModuleGuard(Module::Rsd)",
        complexity = "crate::graphql::list_cost(child_complexity)"
    )]
    async fn case_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this office.")] office_id: Option<ID>,
    ) -> GqlResult<CaseSummary> {
        let office = office_id.map(|o| o.0);
        let st = state(ctx).clone();
        let generation = st.case_generation.load(std::sync::atomic::Ordering::SeqCst);
        scoped_read(ctx, "case_summary", None, move |c, s, r| {
            s.require(crate::domain::access::Permission::SuperviseCases)?;
            let settings = workflow::unit_settings(c, s.unit_id())?;
            let key = queues::SummaryCache::key(s, office.as_deref());
            let sum = match st.summaries.get(&key, generation) {
                Some(cached) => cached,
                None => {
                    let fresh = queues::summary(
                        c,
                        s,
                        office.as_deref(),
                        crate::store::now(),
                        settings.rsd.appeal_warning_days,
                    )?;
                    st.summaries.put(key, generation, fresh.clone());
                    fresh
                }
            };
            let mut ids: Vec<String> = sum.workload.iter().map(|w| w.officer_id.clone()).collect();
            let offices: Vec<(String, String)> = crate::store::users::offices_of(c, s.unit_id())?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect();
            ids.sort();
            let names = queues::staff_names(c, s, &ids)?;
            r.push(Entry::plain("case_summary", Outcome::Ok, None));
            Ok(build_summary(sum, &names, &offices, &settings))
        })
        .await
    }

    /// Officers a case may be assigned to (supervisors).
    #[graphql(
        guard = "ModuleGuard(Module::Rsd)",
        complexity = "crate::graphql::list_cost(child_complexity)"
    )]
    async fn assignable_officers(&self, ctx: &Context<'_>) -> GqlResult<Vec<AssignableOfficer>> {
        scoped_read(ctx, "assignable_officers", None, |c, s, _| {
            queues::assignable_officers(c, s)
        })
        .await
        .map(|v| {
            v.into_iter()
                .map(|(id, username, display_name, roles)| AssignableOfficer {
                    id: ID(id),
                    username,
                    display_name,
                    roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
                })
                .collect()
        })
    }
}

fn build_summary(
    sum: queues::Summary,
    names: &[(String, String, String)],
    offices: &[(String, String)],
    settings: &workflow::UnitSettings,
) -> CaseSummary {
    let open_rows = || {
        sum.by_office_status.iter().filter(|c| {
            crate::domain::rsd::Status::parse(&c.status).is_some_and(|s| !s.is_terminal())
        })
    };
    let total = |f: fn(&queues::StatusCount) -> i64| -> i64 { open_rows().map(f).sum() };
    let aging = vec![
        ("0-30", total(|c| c.age_0_30)),
        ("31-60", total(|c| c.age_31_60)),
        ("61-90", total(|c| c.age_61_90)),
        ("90+", total(|c| c.age_over_90)),
    ];
    let open = open_rows().map(|c| c.cases).sum::<i64>();
    let assigned: i64 = sum.workload.iter().map(|w| w.open).sum();
    CaseSummary {
        aging: aging
            .into_iter()
            .map(|(label, cases)| AgingBucket {
                label: label.to_string(),
                cases,
            })
            .collect(),
        open,
        overdue: total(|c| c.overdue),
        priority: total(|c| c.priority),
        abandonment_candidates: sum
            .by_office_status
            .iter()
            .map(|c| c.abandonment_candidates)
            .sum(),
        appeals_near_deadline: sum
            .by_office_status
            .iter()
            .map(|c| c.appeals_near_deadline)
            .sum(),
        awaiting_review: sum
            .by_office_status
            .iter()
            .filter(|c| c.status == crate::domain::rsd::Status::Assessed.as_str())
            .map(|c| c.cases)
            .sum(),
        unassigned: (open - assigned).max(0),
        workload: sum
            .workload
            .iter()
            .map(|w| {
                let (username, display_name) = names
                    .iter()
                    .find(|n| n.0 == w.officer_id)
                    .map(|n| (n.1.clone(), n.2.clone()))
                    .unwrap_or_default();
                OfficerWorkload {
                    officer_id: ID(w.officer_id.clone()),
                    username,
                    display_name,
                    open: w.open,
                    overdue: w.overdue,
                    awaiting_review: w.awaiting_review,
                    interviews_ahead: w.interviews_ahead,
                }
            })
            .collect(),
        by_office_and_status: sum
            .by_office_status
            .into_iter()
            .map(|c| StatusCount {
                office_name: offices
                    .iter()
                    .find(|o| o.0 == c.office_id)
                    .map(|o| o.1.clone())
                    .unwrap_or_default(),
                office_id: ID(c.office_id),
                status: c.status,
                cases: c.cases,
                overdue: c.overdue,
                priority: c.priority,
                abandonment_candidates: c.abandonment_candidates,
                appeals_near_deadline: c.appeals_near_deadline,
            })
            .collect(),
        decision_target_days: settings.rsd.decision_target_days.regular as i32,
    }
}
