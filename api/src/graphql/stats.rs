//! Statistics over GraphQL: aggregate figures for analysts, supervisors and unit admins (never
//! a row about a person), the public release after disclosure control, and data quality.
//!
//! Every answer first brings the unit's counters up to its change feed (`store::stats`), so
//! figures include every committed change.

use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject};
use chrono::NaiveDate;

use super::context::{GqlResult, caller, gql, scoped_read, state};
use crate::domain::access::Permission;
use crate::domain::stats::disclosure::Treatment;
use crate::domain::stats::{Measure, publish};
use crate::error::Error;
use crate::store::stats::{self as store_stats, Dimension, Filter};
use crate::store::{Database, quality, workflow};

/// A dimension people are counted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "Dimension")]
pub enum StatDimension {
    /// First nationality recorded (UNK when none).
    Nationality,
    /// F, M, X, or U when not recorded.
    Sex,
    /// UNHCR's brackets (0-4, 5-11, 12-17, 18-59, 60+, unknown) on the date asked.
    AgeBracket,
    /// The registering office, by code.
    Office,
    /// Month of registration (YYYY-MM).
    RegistrationMonth,
    /// Category of specific need open (SV, CR, ...): a person counts once per category.
    NeedCategory,
    /// Members of the person's registration group (1 to 5, then 6+).
    GroupSize,
}

/// What a procedure or work count counts.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "Measure")]
pub enum StatMeasure {
    /// People registered.
    Registration,
    /// RSD applications (cases opened).
    Application,
    /// Found admissible.
    Admissible,
    /// Found inadmissible.
    Inadmissible,
    /// Interviews held (first instance and appeal).
    Interview,
    /// Assessments submitted.
    Assessment,
    /// Assessment reviews.
    Review,
    /// People recognised at first instance under the 1951 Convention.
    RecognisedConvention,
    /// People recognised at first instance under the Cartagena definition.
    RecognisedCartagena,
    /// People rejected at first instance.
    Rejected,
    /// People excluded at first instance.
    Excluded,
    /// Appeals lodged.
    AppealLodged,
    /// People recognised on appeal.
    AppealRecognised,
    /// People rejected or excluded on appeal.
    AppealRejected,
    /// Claims withdrawn.
    Withdrawal,
    /// Cases declared abandoned.
    Abandonment,
    /// Cases reopened.
    Reopening,
    /// First decisions (their processing times are in processingTimes).
    DecisionDays,
    /// Cases open (see backlog).
    Open,
    /// Cases awaiting a first decision (see backlog).
    AwaitingDecision,
}

/// People counted in one cell.
#[derive(SimpleObject)]
pub struct PopulationCell {
    /// The value of the rows' dimension.
    pub row: String,
    /// The value of the columns' dimension; empty when counting by one dimension.
    pub column: String,
    /// People.
    pub count: i64,
}

/// One count in a month and an office.
#[derive(SimpleObject)]
pub struct MonthCount {
    /// YYYY-MM.
    pub month: String,
    /// The office's code.
    pub office: String,
    /// What is counted.
    pub measure: StatMeasure,
    /// How many.
    pub count: i64,
}

/// A team member's steps in one month (a supervisor's own team only).
#[derive(SimpleObject)]
pub struct TeamCount {
    /// The user's name.
    pub username: String,
    /// YYYY-MM.
    pub month: String,
    /// The step.
    pub measure: StatMeasure,
    /// How many.
    pub count: i64,
}

/// Days from application to the first decision, for one modality.
#[derive(SimpleObject)]
pub struct ProcessingTime {
    /// regular, simplified, accelerated or merged.
    pub modality: String,
    /// First decisions in the period.
    pub decisions: i64,
    /// Median days.
    pub median_days: Option<i64>,
    /// 90th percentile of days.
    pub p90_days: Option<i64>,
}

/// Open cases by how long since their application.
#[derive(SimpleObject)]
pub struct AgeCount {
    /// Days since application: 0-30, 31-90, 91-180, 181-365, 366+.
    pub days: String,
    /// Cases.
    pub count: i64,
}

/// Cases awaiting a first decision past a modality's target.
#[derive(SimpleObject)]
pub struct OverdueCount {
    /// The modality.
    pub modality: String,
    /// Its decision target in days (the unit's setting).
    pub target_days: i64,
    /// Cases past it on the date asked.
    pub count: i64,
}

/// Open cases on the date asked.
#[derive(SimpleObject)]
pub struct Backlog {
    /// Cases not ended.
    pub open: i64,
    /// Of which without a first-instance decision.
    pub awaiting_decision: i64,
    /// Open cases by age.
    pub ages: Vec<AgeCount>,
    /// Overdue against each modality's target.
    pub overdue: Vec<OverdueCount>,
}

/// Aggregate figures of the caller's operation unit; never a row about a person.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Statistics {
    /// The date figures are as of: people registered up to the end of its month, ages on it.
    pub as_of: NaiveDate,
    /// The first month counted (YYYY-MM), when the period is narrowed.
    pub from_month: Option<String>,
    /// The office counted, when narrowed to one.
    pub office: Option<String>,
    /// Procedure and work counts by month and office (registrations, applications, steps,
    /// decisions by ground, appeals and their outcomes, withdrawals, abandonments, reopenings).
    pub monthly: Vec<MonthCount>,
    /// First-instance decisions for people in the period.
    pub decisions: i64,
    /// Share of those decisions that recognised (either ground), 0 to 1; null without decisions.
    pub recognition_rate: Option<f64>,
    /// Share that recognised under the 1951 Convention (the refugee recognition rate).
    pub refugee_recognition_rate: Option<f64>,
    /// Processing times by modality.
    pub processing_times: Vec<ProcessingTime>,
    /// Open cases, their age and overdue ones.
    pub backlog: Backlog,
    /// Steps per person of the caller's own team (supervisors only; empty otherwise).
    pub team_work: Vec<TeamCount>,
    #[graphql(skip)]
    unit_id: String,
    #[graphql(skip)]
    filter: Filter,
}

#[ComplexObject]
impl Statistics {
    /// People by one dimension, or two crossed.
    async fn population(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The rows' dimension.")] rows: StatDimension,
        #[graphql(desc = "The columns' dimension, to cross two.")] columns: Option<StatDimension>,
    ) -> GqlResult<Vec<PopulationCell>> {
        if Some(rows) == columns {
            return Err(gql(Error::validation(
                "columns",
                "cross two different dimensions",
            )));
        }
        let unit = self.unit_id.clone();
        let filter = self.filter.clone();
        let cells = state(ctx)
            .db
            .read(move |c| {
                store_stats::population(c, &unit, &filter, rows.into(), columns.map(Into::into))
            })
            .await
            .map_err(gql)?;
        Ok(cells
            .into_iter()
            .map(|(row, column, count)| PopulationCell { row, column, count })
            .collect())
    }
}

/// A published figure; count null when withheld.
#[derive(SimpleObject)]
pub struct PublicCell {
    /// The row's value; null in the total.
    pub row: Option<String>,
    /// The column's value; null outside crossings.
    pub column: Option<String>,
    /// Rounded count; null when withheld.
    pub count: Option<i64>,
    /// Whether it was withheld, and why.
    pub suppression: Suppression,
}

/// Why a figure is or is not published.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "Treatment")]
pub enum Suppression {
    /// Published, rounded.
    Published,
    /// Withheld: below the threshold.
    Primary,
    /// Withheld so a small figure cannot be worked out from the others.
    Secondary,
}

/// One published table.
#[derive(SimpleObject)]
pub struct PublicTable {
    /// total, by_sex, by_age, by_nationality, by_office, sex_by_age, nationality_by_sex,
    /// office_by_sex.
    pub name: String,
    /// The rows' dimension.
    pub row_dimension: Option<String>,
    /// The columns' dimension.
    pub column_dimension: Option<String>,
    /// The figures.
    pub cells: Vec<PublicCell>,
}

/// Figures fit to leave the unit: every table published together, after disclosure control.
#[derive(SimpleObject)]
pub struct PublicStatistics {
    /// The unit's code.
    pub unit: String,
    /// People registered up to the end of this date's month, ages on this date.
    pub as_of: NaiveDate,
    /// Counts below this are withheld (a unit setting).
    pub threshold: i64,
    /// Counts are rounded to a multiple of this (a unit setting).
    pub rounding: i64,
    /// Figures withheld for being small.
    pub primary_suppressed: i64,
    /// Figures withheld to protect small ones.
    pub secondary_suppressed: i64,
    /// The tables.
    pub tables: Vec<PublicTable>,
    /// The same release as CSV (first column the table; a withheld count empty).
    pub csv: String,
}

/// A count by one key (an office, a user, a month).
#[derive(SimpleObject)]
pub struct KeyCount {
    /// The office code, username or month (YYYY-MM).
    pub key: String,
    /// Records.
    pub count: i64,
}

/// A record that needs attention.
#[derive(SimpleObject)]
pub struct FlaggedRecord {
    /// The individual's or the case's id.
    pub id: async_graphql::ID,
    /// Its number.
    pub number: String,
    /// The individual's name (the principal applicant's for a case).
    pub name: String,
    /// The office's code.
    pub office: String,
    /// Month of registration (of opening, for a case).
    pub month: String,
}

/// One data-quality rule's findings.
#[derive(SimpleObject)]
pub struct QualityRule {
    /// birth_date_missing_or_estimated, no_document, name_in_one_script,
    /// impossible_family_age, need_past_review, duplicate_not_adjudicated,
    /// case_without_events.
    pub rule: String,
    /// Whether the records are cases (otherwise individuals).
    pub about_cases: bool,
    /// Records that break it.
    pub count: i64,
    /// By office.
    pub by_office: Vec<KeyCount>,
    /// By registering user (for cases: the assigned officer).
    pub by_user: Vec<KeyCount>,
    /// By month of registration (of opening, for cases).
    pub by_month: Vec<KeyCount>,
    /// The first records behind the count that you may read (none without the right to read
    /// people); each is audited.
    pub records: Vec<FlaggedRecord>,
}

/// Statistics, published figures and data quality.
#[derive(Default)]
pub struct StatisticsQuery;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn check_month(field: &str, m: &Option<String>) -> crate::error::Result<()> {
    match m {
        Some(s) if crate::domain::stats::parse_month(s).is_none() || s.len() != 7 => Err(
            Error::validation(field, format!("{s:?} is not a month written YYYY-MM")),
        ),
        _ => Ok(()),
    }
}

async fn caught_up(db: &Database, unit: &str) -> crate::error::Result<()> {
    let db2 = db.clone();
    let unit = unit.to_string();
    crate::store::db::blocking(move || store_stats::catch_up(&db2, &unit).map(|_| ())).await
}

#[Object]
impl StatisticsQuery {
    /// Figures of your operation unit (analysts, supervisors, unit admins): population,
    /// procedure, processing times, backlog and staff work. Never a row about a person.
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date figures are as of (default today).")] as_of: Option<NaiveDate>,
        #[graphql(desc = "The first month counted, YYYY-MM (default: from the start).")]
        from_month: Option<String>,
        #[graphql(desc = "Only this office (its code).")] office: Option<String>,
    ) -> GqlResult<Statistics> {
        let who = caller(ctx).map_err(gql)?;
        let scope = who.scope.clone();
        check_month("fromMonth", &from_month).map_err(gql)?;
        let st = state(ctx);
        let unit = scope.unit_id().to_string();
        if let Err(e) = scope.require(Permission::ReadStatistics) {
            return super::context::audit_refusal(ctx, "statistics", None, Err(e)).await;
        }
        caught_up(&st.db, &unit).await.map_err(gql)?;
        let as_of = as_of.unwrap_or_else(today);
        let supervisor = scope.grants().can(Permission::SuperviseCases);
        let my_office = scope.office_id().map(str::to_string);
        let office_code = office.clone();
        let st2 = st.clone();
        let unit2 = unit.clone();
        let (filter, procedure, team) = st2
            .db
            .read(move |c| {
                let office_id = office_code
                    .as_deref()
                    .map(|code| store_stats::office_by_code(c, &unit2, code))
                    .transpose()?;
                let filter = Filter {
                    as_of,
                    from_month,
                    office_id,
                };
                let rows = store_stats::procedure_facts(c, &unit2, &filter)?;
                let offices = store_stats::office_codes(c, &unit2)?;
                let rules = workflow::unit_settings(c, &unit2)?.rsd;
                let procedure =
                    store_stats::procedure(&rows, &offices, &filter, &rules.decision_target_days);
                let team = match (supervisor, my_office) {
                    (true, Some(office)) => team_work(c, &unit2, &filter, &office)?,
                    _ => Vec::new(),
                };
                Ok((filter, procedure, team))
            })
            .await
            .map_err(gql)?;
        let rate =
            |n: i64| (procedure.decisions > 0).then(|| n as f64 / procedure.decisions as f64);
        Ok(Statistics {
            as_of,
            from_month: filter.from_month.clone(),
            office,
            monthly: procedure
                .monthly
                .iter()
                .map(|m| MonthCount {
                    month: m.month.clone(),
                    office: m.office.clone(),
                    measure: m.measure.into(),
                    count: m.count,
                })
                .collect(),
            decisions: procedure.decisions,
            recognition_rate: rate(procedure.recognised),
            refugee_recognition_rate: rate(procedure.recognised_convention),
            processing_times: procedure
                .processing_times
                .iter()
                .map(|p| ProcessingTime {
                    modality: p.modality.clone(),
                    decisions: p.decisions,
                    median_days: p.median_days,
                    p90_days: p.p90_days,
                })
                .collect(),
            backlog: Backlog {
                open: procedure.backlog.open,
                awaiting_decision: procedure.backlog.awaiting_decision,
                ages: procedure
                    .backlog
                    .ages
                    .iter()
                    .map(|(days, count)| AgeCount {
                        days: days.clone(),
                        count: *count,
                    })
                    .collect(),
                overdue: procedure
                    .backlog
                    .overdue
                    .iter()
                    .map(|(modality, target_days, count)| OverdueCount {
                        modality: modality.clone(),
                        target_days: *target_days,
                        count: *count,
                    })
                    .collect(),
            },
            team_work: team,
            unit_id: unit,
            filter,
        })
    }

    /// Your unit's figures fit to publish: population by sex, age, nationality and office and
    /// their crossings, all audited together, small counts withheld (with secondary
    /// suppression) and every count rounded, by the unit's disclosure settings.
    async fn public_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date figures are as of (default today).")] as_of: Option<NaiveDate>,
    ) -> GqlResult<PublicStatistics> {
        let scope = caller(ctx).map_err(gql)?.scope.clone();
        if let Err(e) = scope.require(Permission::ReadStatistics) {
            return super::context::audit_refusal(ctx, "public_statistics", None, Err(e)).await;
        }
        let st = state(ctx);
        let unit = scope.unit_id().to_string();
        caught_up(&st.db, &unit).await.map_err(gql)?;
        let as_of = as_of.unwrap_or_else(today);
        let release = st
            .db
            .read(move |c| public_release(c, &unit, as_of))
            .await
            .map_err(gql)?;
        Ok(release)
    }

    /// Records that need attention, by rule, with counts per office, registering user and
    /// month; the records behind each count for callers who may read them (scoped, audited).
    async fn data_quality(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this office (its code).")] office: Option<String>,
        #[graphql(desc = "Records listed per rule, 0 to 100 (default 20).")] records: Option<i32>,
    ) -> GqlResult<Vec<QualityRule>> {
        let records = match records.unwrap_or(20) {
            n @ 0..=100 => n as usize,
            _ => {
                return Err(gql(Error::validation(
                    "records",
                    "list from 0 to 100 records per rule",
                )));
            }
        };
        let day = today();
        let found = scoped_read(ctx, "data_quality", None, move |c, s, r| {
            let office_id = office
                .as_deref()
                .map(|code| store_stats::office_by_code(c, s.unit_id(), code))
                .transpose()?;
            quality::data_quality(c, s, r, day, office_id.as_deref(), records)
        })
        .await?;
        let keys = |v: Vec<(String, i64)>| {
            v.into_iter()
                .map(|(key, count)| KeyCount { key, count })
                .collect()
        };
        Ok(found
            .into_iter()
            .map(|f| QualityRule {
                rule: f.check.as_str().to_string(),
                about_cases: f.check.is_about_cases(),
                count: f.count,
                by_office: keys(f.by_office),
                by_user: keys(f.by_user),
                by_month: keys(f.by_month),
                records: f
                    .records
                    .into_iter()
                    .map(|r| FlaggedRecord {
                        id: r.id.into(),
                        number: r.number,
                        name: r.name,
                        office: r.office,
                        month: r.month,
                    })
                    .collect(),
            })
            .collect())
    }
}

fn team_work(
    c: &mut crate::store::DbConn,
    unit: &str,
    filter: &Filter,
    office: &str,
) -> crate::error::Result<Vec<TeamCount>> {
    use crate::store::schema::users;
    use diesel::prelude::*;
    let team: std::collections::HashMap<String, String> = users::table
        .filter(users::operation_unit_id.eq(unit))
        .filter(users::office_id.eq(office))
        .select((users::id, users::username))
        .load::<(String, String)>(c)?
        .into_iter()
        .collect();
    let rows = store_stats::facts(c, unit, filter, true)?;
    let mut out: std::collections::BTreeMap<(String, String, Measure), i64> = Default::default();
    for r in rows {
        let (Some(name), Some(m)) = (team.get(&r.actor), Measure::parse(&r.measure)) else {
            continue;
        };
        *out.entry((name.clone(), r.month.clone(), m)).or_default() += r.n;
    }
    Ok(out
        .into_iter()
        .map(|((username, month, m), count)| TeamCount {
            username,
            month,
            measure: m.into(),
            count,
        })
        .collect())
}

/// The protected release of a unit on a date, as the API answers it.
fn public_release(
    c: &mut crate::store::DbConn,
    unit_id: &str,
    as_of: NaiveDate,
) -> crate::error::Result<PublicStatistics> {
    let (meta, tables) = store_stats::protected_release(c, unit_id, as_of)?;
    let csv = publish::csv(&meta, &tables);
    Ok(PublicStatistics {
        unit: meta.unit,
        as_of,
        threshold: meta.threshold as i64,
        rounding: meta.rounding as i64,
        primary_suppressed: meta.primary_suppressed as i64,
        secondary_suppressed: meta.secondary_suppressed as i64,
        tables: tables
            .into_iter()
            .map(|t| PublicTable {
                name: t.name,
                row_dimension: t.row_dimension,
                column_dimension: t.column_dimension,
                cells: t
                    .cells
                    .into_iter()
                    .map(|c| PublicCell {
                        row: c.row,
                        column: c.column,
                        count: c.count.map(|n| n as i64),
                        suppression: c.treatment.into(),
                    })
                    .collect(),
            })
            .collect(),
        csv,
    })
}
