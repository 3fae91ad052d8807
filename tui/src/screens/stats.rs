//! Statistics (F4 for analysts; `s` on the supervisor's screen): the unit's figures as the
//! server aggregates them, never a person. Three views (`1` population, `2` procedure, `3`
//! staff work) with bar charts for distributions and sparklines for monthly series; `o`/`O`
//! step through the offices (all first), `p` through the periods (all, last 12 months, last 3
//! months), `g` re-reads. Each view fits 80x24 in a few kilobytes: short bars, no borders.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph, Sparkline};

use super::{Nav, Outcome, Screen};
use crate::api::statistics::{self as q, StatMeasure};
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::Cmd;
use crate::widgets::{bold, dim, error};

pub type Data = q::StatisticsStatistics;

/// Which figures are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Population,
    Procedure,
    Work,
}

/// The period counted, from the first month on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    #[default]
    All,
    Last12,
    Last3,
}

impl Period {
    fn next(self) -> Period {
        match self {
            Period::All => Period::Last12,
            Period::Last12 => Period::Last3,
            Period::Last3 => Period::All,
        }
    }

    /// The first month counted (`YYYY-MM`) when today is `today`.
    pub fn from_month(self, today: chrono::NaiveDate) -> Option<String> {
        use chrono::Datelike;
        let back = match self {
            Period::All => return None,
            Period::Last12 => 11,
            Period::Last3 => 2,
        };
        let months = today.year() * 12 + today.month0() as i32 - back;
        Some(format!("{:04}-{:02}", months / 12, months % 12 + 1))
    }
}

#[derive(Debug, Clone, Default)]
pub struct StatsState {
    pub data: Option<Data>,
    /// (code, name) of the unit's offices, once read.
    pub offices: Vec<(String, String)>,
    /// The office shown (index into `offices`), or all.
    pub office: Option<usize>,
    pub period: Period,
    pub view: View,
    pub loading: bool,
    pub error: Option<ApiError>,
    /// The latest request; older answers are dropped.
    pub seq: u64,
}

impl StatsState {
    pub fn open(&mut self) -> Vec<Cmd> {
        self.seq += 1;
        self.loading = true;
        self.error = None;
        vec![Cmd::Statistics {
            seq: self.seq,
            from_month: self.period.from_month(chrono::Utc::now().date_naive()),
            office: self
                .office
                .and_then(|i| self.offices.get(i))
                .map(|(c, _)| c.clone()),
        }]
    }

    pub fn reply(&mut self, seq: u64, result: Result<api::statistics::ResponseData, ApiError>) {
        if seq != self.seq {
            return;
        }
        self.loading = false;
        match result {
            Ok(d) => {
                self.offices = d.offices.into_iter().map(|o| (o.code, o.name)).collect();
                self.data = Some(d.statistics);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Char('1') => self.show(View::Population),
            KeyCode::Char('2') => self.show(View::Procedure),
            KeyCode::Char('3') => self.show(View::Work),
            KeyCode::Char('o') => {
                self.office = match self.office {
                    None if !self.offices.is_empty() => Some(0),
                    Some(i) if i + 1 < self.offices.len() => Some(i + 1),
                    _ => None,
                };
                Outcome::send(self.open())
            }
            KeyCode::Char('O') => {
                self.office = match self.office {
                    None => self.offices.len().checked_sub(1),
                    Some(0) => None,
                    Some(i) => Some(i - 1),
                };
                Outcome::send(self.open())
            }
            KeyCode::Char('p') => {
                self.period = self.period.next();
                Outcome::send(self.open())
            }
            KeyCode::Char('g') => Outcome::send(self.open()),
            KeyCode::Esc => Outcome::go(Nav::Back {
                fallback: Screen::Statistics,
                reread: false,
            }),
            _ => Outcome::none(),
        }
    }

    fn show(&mut self, view: View) -> Outcome {
        let changed = self.view != view;
        self.view = view;
        Outcome::changed(changed)
    }

    pub fn help(&self, lang: Lang) -> &'static [KeyHelp] {
        texts::get(lang).keys
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let office = match self.office.and_then(|i| self.offices.get(i)) {
            Some((code, name)) => format!("{name} ({code})"),
            None => t.all_offices.to_string(),
        };
        let period = match self.period {
            Period::All => t.all_time,
            Period::Last12 => t.last_12,
            Period::Last3 => t.last_3,
        };
        let views = [
            (View::Population, t.population),
            (View::Procedure, t.procedure),
            (View::Work, t.work),
        ];
        let mut head = format!("{}: {office} · {}: {period} ·", t.office, t.period);
        for (i, (v, name)) in views.iter().enumerate() {
            let mark = if *v == self.view { "*" } else { "" };
            head.push_str(&format!(" {}{mark}{name}", i + 1));
        }
        let [top, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(Line::styled(head, bold())), top);
        let foot_line = match (&self.error, self.loading) {
            (Some(e), _) => Line::styled(t.error(e), error()),
            (None, true) => Line::styled(t.loading, dim()),
            (None, false) => Line::styled(t.hint, dim()),
        };
        frame.render_widget(Paragraph::new(foot_line), foot);
        let Some(d) = &self.data else {
            return;
        };
        match self.view {
            View::Population => population(d, t, frame, body),
            View::Procedure => procedure(d, t, frame, body),
            View::Work => work(d, t, frame, body),
        }
    }
}

/// "key n · key n", largest first, `take` of them after the first `skip`.
fn label_count(rows: &[(String, i64)], skip: usize, take: usize) -> String {
    let mut v: Vec<&(String, i64)> = rows.iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.iter()
        .skip(skip)
        .take(take)
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn pairs(cells: &[impl Cell]) -> Vec<(String, i64)> {
    cells
        .iter()
        .map(|c| (c.row().to_string(), c.count()))
        .collect()
}

/// A population cell of any of the query's aliases.
trait Cell {
    fn row(&self) -> &str;
    fn count(&self) -> i64;
}

macro_rules! cell {
    ($($t:ty),*) => {$(
        impl Cell for $t {
            fn row(&self) -> &str { &self.row }
            fn count(&self) -> i64 { self.count }
        }
    )*};
}
cell!(
    q::StatisticsStatisticsByAge,
    q::StatisticsStatisticsBySex,
    q::StatisticsStatisticsByNationality,
    q::StatisticsStatisticsByNeed,
    q::StatisticsStatisticsByGroupSize,
    q::StatisticsStatisticsByMonth
);

fn bars<'a>(rows: &'a [(String, i64)]) -> BarGroup<'a> {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(k, n)| {
            Bar::default()
                .value(u64::try_from(*n).unwrap_or(0))
                .label(Line::raw(k.clone()))
        })
        .collect();
    BarGroup::default().bars(&bars)
}

fn spark(values: &[u64]) -> Sparkline<'_> {
    Sparkline::default().data(values)
}

fn population(d: &Data, t: &texts::Texts, frame: &mut Frame, area: Rect) {
    let ages = pairs(&d.by_age);
    let total: i64 = d.by_sex.iter().map(|c| c.count).sum();
    let [left, right] =
        Layout::horizontal([Constraint::Length(38), Constraint::Min(10)]).areas(area);
    let [chart, months_title, months] = Layout::vertical([
        Constraint::Max(12),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(left);
    frame.render_widget(
        Paragraph::new(Line::styled(format!("{} ({})", t.by_age, total), bold())),
        Rect { height: 1, ..chart },
    );
    frame.render_widget(
        BarChart::default()
            .data(bars(&ages))
            .bar_width(5)
            .bar_gap(1),
        Rect {
            y: chart.y + 1,
            height: chart.height.saturating_sub(1),
            ..chart
        },
    );
    let by_month: Vec<u64> = d
        .by_month
        .iter()
        .map(|c| u64::try_from(c.count).unwrap_or(0))
        .collect();
    frame.render_widget(
        Paragraph::new(Line::styled(t.registered_by_month, bold())),
        months_title,
    );
    frame.render_widget(spark(&by_month), months);
    let lines = vec![
        Line::styled(t.by_sex, bold()),
        Line::raw(label_count(&pairs(&d.by_sex), 0, 4)),
        Line::raw(""),
        Line::styled(t.by_nationality, bold()),
        Line::raw(label_count(&pairs(&d.by_nationality), 0, 3)),
        Line::raw(label_count(&pairs(&d.by_nationality), 3, 3)),
        Line::raw(""),
        Line::styled(t.by_need, bold()),
        Line::raw(label_count(&pairs(&d.by_need), 0, 4)),
        Line::raw(label_count(&pairs(&d.by_need), 4, 4)),
        Line::raw(""),
        Line::styled(t.by_group_size, bold()),
        Line::raw(
            pairs(&d.by_group_size)
                .iter()
                .map(|(k, n)| format!("{k}:{n}"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ];
    frame.render_widget(Paragraph::new(lines), right);
}

/// The sum of a measure over the period, all offices and months shown.
fn total(d: &Data, m: &StatMeasure) -> i64 {
    d.monthly
        .iter()
        .filter(|c| &c.measure == m)
        .map(|c| c.count)
        .sum()
}

/// A measure's counts by month, oldest first.
fn series(d: &Data, m: &StatMeasure) -> Vec<u64> {
    let mut by: std::collections::BTreeMap<&str, i64> = Default::default();
    for c in d.monthly.iter().filter(|c| &c.measure == m) {
        *by.entry(c.month.as_str()).or_default() += c.count;
    }
    by.values()
        .map(|n| u64::try_from(*n).unwrap_or(0))
        .collect()
}

fn percent(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{:.0}%", r * 100.0))
}

fn procedure(d: &Data, t: &texts::Texts, frame: &mut Frame, area: Rect) {
    use StatMeasure as M;
    let [counts, sparks, rest] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Length(4),
        Constraint::Min(4),
    ])
    .areas(area);
    let n = |m: M| total(d, &m);
    let lines = vec![
        Line::raw(format!(
            "{} {} · {} {} · {} {} · {} {}",
            t.applications,
            n(M::APPLICATION),
            t.admissible,
            n(M::ADMISSIBLE),
            t.inadmissible,
            n(M::INADMISSIBLE),
            t.interviews,
            n(M::INTERVIEW)
        )),
        Line::raw(format!(
            "{} {}: 1951 {} · Cartagena {} · {} {} · {} {}",
            t.decisions,
            d.decisions,
            n(M::RECOGNISED_CONVENTION),
            n(M::RECOGNISED_CARTAGENA),
            t.rejected,
            n(M::REJECTED),
            t.excluded,
            n(M::EXCLUDED),
        )),
        Line::raw(format!(
            "{}: {} · 1951 {}",
            t.rates,
            percent(d.recognition_rate),
            percent(d.refugee_recognition_rate)
        )),
        Line::raw(format!(
            "{} {} ({} {} / {} {}) · {} {}",
            t.appeals,
            n(M::APPEAL_LODGED),
            t.recognised,
            n(M::APPEAL_RECOGNISED),
            t.rejected,
            n(M::APPEAL_REJECTED),
            t.withdrawals,
            n(M::WITHDRAWAL),
        )),
        Line::raw(format!(
            "{} {} · {} {}",
            t.abandonments,
            n(M::ABANDONMENT),
            t.reopenings,
            n(M::REOPENING)
        )),
    ];
    frame.render_widget(Paragraph::new(lines), counts);
    let [a, b] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(sparks);
    let apps = series(d, &M::APPLICATION);
    let decided = series(d, &M::DECISION_DAYS);
    for (area, title, values) in [
        (a, t.applications_by_month, &apps),
        (b, t.decisions_by_month, &decided),
    ] {
        frame.render_widget(
            Paragraph::new(Line::styled(title, bold())),
            Rect { height: 1, ..area },
        );
        frame.render_widget(
            spark(values),
            Rect {
                y: area.y + 1,
                height: 2,
                ..area
            },
        );
    }
    let [times, backlog] =
        Layout::horizontal([Constraint::Length(40), Constraint::Min(10)]).areas(rest);
    let mut lines = vec![Line::styled(t.processing_times, bold())];
    for p in &d.processing_times {
        lines.push(Line::raw(format!(
            "{:<12} {:>5} {:>6} {:>6}",
            t.modality(&p.modality),
            p.decisions,
            p.median_days.map_or("–".into(), |v| v.to_string()),
            p.p90_days.map_or("–".into(), |v| v.to_string())
        )));
    }
    if d.processing_times.is_empty() {
        lines.push(Line::styled(t.none, dim()));
    }
    frame.render_widget(Paragraph::new(lines), times);
    let b = &d.backlog;
    let mut lines = vec![
        Line::styled(
            format!(
                "{} {} · {} {}",
                t.open, b.open, t.awaiting, b.awaiting_decision
            ),
            bold(),
        ),
        Line::raw(
            b.ages
                .iter()
                .take(3)
                .map(|a| format!("{}d:{}", a.days, a.count))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Line::raw(
            b.ages
                .iter()
                .skip(3)
                .map(|a| format!("{}d:{}", a.days, a.count))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Line::styled(t.overdue, bold()),
    ];
    for o in &b.overdue {
        lines.push(Line::raw(format!(
            "{:<12} {:>4}d {:>5}",
            t.modality(&o.modality),
            o.target_days,
            o.count
        )));
    }
    frame.render_widget(Paragraph::new(lines), backlog);
}

fn work(d: &Data, t: &texts::Texts, frame: &mut Frame, area: Rect) {
    use StatMeasure as M;
    let steps = [
        (M::REGISTRATION, t.registrations),
        (M::INTERVIEW, t.interviews),
        (M::ASSESSMENT, t.assessments),
        (M::REVIEW, t.reviews),
    ];
    let mut header = format!("{:<10}", t.office);
    for (_, name) in &steps {
        header.push_str(&format!(" {name:>13}"));
    }
    let mut lines = vec![Line::styled(header, bold())];
    let mut offices: Vec<&str> = d.monthly.iter().map(|c| c.office.as_str()).collect();
    offices.sort();
    offices.dedup();
    for o in offices {
        let mut row = format!("{o:<10}");
        for (m, _) in &steps {
            let n: i64 = d
                .monthly
                .iter()
                .filter(|c| c.office == o && &c.measure == m)
                .map(|c| c.count)
                .sum();
            row.push_str(&format!(" {n:>13}"));
        }
        lines.push(Line::raw(row));
    }
    if !d.team_work.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(t.team, bold()));
        let mut people: Vec<&str> = d.team_work.iter().map(|c| c.username.as_str()).collect();
        people.sort();
        people.dedup();
        for p in people {
            let mut row = format!("{:<10}", p.chars().take(10).collect::<String>());
            for (m, _) in &steps {
                let n: i64 = d
                    .team_work
                    .iter()
                    .filter(|c| c.username == p && &c.measure == m)
                    .map(|c| c.count)
                    .sum();
                row.push_str(&format!(" {n:>13}"));
            }
            lines.push(Line::raw(row));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}
