//! Data quality (`q` on the supervisor's screen): each rule with the records that break it,
//! the count by office and a monthly trace (by month of registration), and below, for the
//! chosen rule, the users whose records break it most and the records themselves (those the
//! supervisor may read; the server audits each one listed). ↑↓ choose the rule, `o`/`O` the
//! office (all first), `g` re-reads.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Nav, Outcome, Screen};
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::Cmd;
use crate::widgets::{bold, dim, error};

pub type Rule = api::data_quality::DataQualityDataQuality;

#[derive(Debug, Clone, Default)]
pub struct QualityState {
    pub rules: Vec<Rule>,
    pub loaded: bool,
    pub offices: Vec<(String, String)>,
    pub office: Option<usize>,
    pub chosen: usize,
    pub loading: bool,
    pub error: Option<ApiError>,
    pub seq: u64,
}

/// A monthly trace as one character a month, oldest first (the last 12 months shown).
pub fn trace(counts: &[i64]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let shown = &counts[counts.len().saturating_sub(12)..];
    let max = shown.iter().copied().max().unwrap_or(0).max(1);
    shown
        .iter()
        .map(|n| {
            if *n <= 0 {
                ' '
            } else {
                LEVELS[((*n * 7) / max).clamp(0, 7) as usize]
            }
        })
        .collect()
}

impl QualityState {
    pub fn open(&mut self) -> Vec<Cmd> {
        self.seq += 1;
        self.loading = true;
        self.error = None;
        vec![Cmd::DataQuality {
            seq: self.seq,
            office: self
                .office
                .and_then(|i| self.offices.get(i))
                .map(|(c, _)| c.clone()),
        }]
    }

    pub fn reply(&mut self, seq: u64, result: Result<api::data_quality::ResponseData, ApiError>) {
        if seq != self.seq {
            return;
        }
        self.loading = false;
        match result {
            Ok(d) => {
                self.offices = d.offices.into_iter().map(|o| (o.code, o.name)).collect();
                self.rules = d.data_quality;
                self.chosen = self.chosen.min(self.rules.len().saturating_sub(1));
                self.loaded = true;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        match key.code {
            KeyCode::Up => {
                let before = self.chosen;
                self.chosen = self.chosen.saturating_sub(1);
                Outcome::changed(before != self.chosen)
            }
            KeyCode::Down => {
                let before = self.chosen;
                self.chosen = (self.chosen + 1).min(self.rules.len().saturating_sub(1));
                Outcome::changed(before != self.chosen)
            }
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
            KeyCode::Char('g') => Outcome::send(self.open()),
            KeyCode::Esc => Outcome::go(Nav::Back {
                fallback: Screen::Supervisor,
                reread: false,
            }),
            _ => Outcome::none(),
        }
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
        let rows = self.rules.len() as u16 + 2;
        let [top, table, detail, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(rows),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(Line::styled(format!("{}: {office}", t.office), bold())),
            top,
        );
        let foot_line = match (&self.error, self.loading && !self.loaded) {
            (Some(e), _) => Line::styled(t.error(e), error()),
            (None, true) => Line::styled(t.loading, dim()),
            (None, false) => Line::styled(t.hint, dim()),
        };
        frame.render_widget(Paragraph::new(foot_line), foot);
        if !self.loaded {
            return;
        }
        let mut lines = vec![Line::styled(
            format!(
                "{:<34} {:>6} {:<12} {}",
                t.rule, t.count, t.trace, t.by_office
            ),
            bold(),
        )];
        for (i, r) in self.rules.iter().enumerate() {
            let months: Vec<i64> = r.by_month.iter().map(|k| k.count).collect();
            let mut offices: Vec<&api::data_quality::DataQualityDataQualityByOffice> =
                r.by_office.iter().collect();
            offices.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
            let by_office = offices
                .iter()
                .take(3)
                .map(|k| format!("{} {}", k.key, k.count))
                .collect::<Vec<_>>()
                .join(" ");
            let text = format!(
                "{:<34} {:>6} {:<12} {}",
                t.rule_name(&r.rule),
                r.count,
                trace(&months),
                by_office
            );
            let text: String = text.chars().take(usize::from(area.width)).collect();
            lines.push(if i == self.chosen {
                Line::styled(text, bold().add_modifier(Modifier::REVERSED))
            } else {
                Line::raw(text)
            });
        }
        frame.render_widget(Paragraph::new(lines), table);
        let Some(r) = self.rules.get(self.chosen) else {
            return;
        };
        let mut users: Vec<&api::data_quality::DataQualityDataQualityByUser> =
            r.by_user.iter().collect();
        users.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        let who = if r.about_cases {
            t.by_officer
        } else {
            t.by_registrar
        };
        let mut lines = vec![Line::raw(format!(
            "{who}: {}",
            users
                .iter()
                .take(4)
                .map(|k| format!(
                    "{} {}",
                    if k.key.is_empty() { "–" } else { &k.key },
                    k.count
                ))
                .collect::<Vec<_>>()
                .join(" · ")
        ))];
        if r.records.is_empty() && r.count > 0 {
            lines.push(Line::styled(t.no_records, dim()));
        }
        let room = usize::from(detail.height.saturating_sub(1));
        for rec in r.records.iter().take(room) {
            let name: String = rec.name.chars().take(36).collect();
            lines.push(Line::raw(format!(
                "{:<16} {:<36} {:<5} {}",
                rec.number, name, rec.office, rec.month
            )));
        }
        frame.render_widget(Paragraph::new(lines), detail);
    }
}
