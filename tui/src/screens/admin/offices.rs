//! The unit's offices: code, name, time zone, working hours and holidays; `n` adds one, `e` or
//! Enter changes the chosen one (with the version read). The form checks what it can before
//! sending (the time zone against the IANA database the server uses, hours, days and dates), so
//! most mistakes are caught without a round trip; the server checks again.

use amparo_domain::time_zone;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::texts::Texts;
use super::{Sub, centered, chosen_line, clip, new_cmid};
use crate::api::{self, ApiError};
use crate::i18n::Lang;
use crate::msg::AdminOp;
use crate::widgets::{TextInput, bold, dim, error, submit_key};

pub type UnitOffice = api::unit_offices::UnitOfficesUnitOffices;

/// The form's fields, in order.
const FIELDS: usize = 7;

#[derive(Debug, Clone, Default)]
pub struct OfficesView {
    pub offices: Vec<UnitOffice>,
    pub chosen: usize,
    pub loaded: bool,
    pub form: Option<OfficeForm>,
}

/// An office's fields as typed: hours as `HH:MM`, working days as `1-5` or `1,2,3` (1 is
/// Monday), holidays as dates separated by commas. Empty hours keep the unit's calendar.
#[derive(Debug, Clone, Default)]
pub struct OfficeForm {
    /// The office changed (id, version read); None for a new one.
    pub editing: Option<(String, i64)>,
    pub fields: [TextInput; FIELDS],
    pub focus: usize,
    pub cmid: String,
    /// What the form found wrong before sending, and in which field.
    pub problem: Option<(usize, Problem)>,
    pub error: Option<ApiError>,
}

/// What the server keeps as an office's working hours (minutes after local midnight).
#[derive(serde::Serialize, serde::Deserialize)]
struct Hours {
    day_starts: u32,
    day_ends: u32,
    working_days: Vec<u32>,
}

impl OfficesView {
    pub fn set(&mut self, list: Vec<UnitOffice>) {
        self.offices = list;
        self.chosen = self.chosen.min(self.offices.len().saturating_sub(1));
        self.loaded = true;
    }

    pub fn key(&mut self, key: KeyEvent) -> Sub {
        if self.form.is_some() {
            return self.form_key(key);
        }
        match key.code {
            KeyCode::Up => {
                self.chosen = self.chosen.saturating_sub(1);
                Sub::Redraw(true)
            }
            KeyCode::Down => {
                self.chosen = (self.chosen + 1).min(self.offices.len().saturating_sub(1));
                Sub::Redraw(true)
            }
            KeyCode::Char('g') => Sub::Reload,
            KeyCode::Esc => Sub::Back,
            KeyCode::Char('n') => {
                let mut f = OfficeForm {
                    cmid: new_cmid(),
                    ..OfficeForm::default()
                };
                f.fields[2].value = "America/Guayaquil".into();
                self.form = Some(f);
                Sub::Redraw(true)
            }
            KeyCode::Char('e') | KeyCode::Enter => {
                let Some(o) = self.offices.get(self.chosen) else {
                    return Sub::Redraw(false);
                };
                self.form = Some(OfficeForm::of(o));
                Sub::Redraw(true)
            }
            _ => Sub::Redraw(false),
        }
    }

    fn form_key(&mut self, key: KeyEvent) -> Sub {
        let Some(f) = &mut self.form else {
            return Sub::Redraw(false);
        };
        if submit_key(&key) {
            return match f.op() {
                Ok(op) => {
                    f.problem = None;
                    f.error = None;
                    Sub::Send {
                        cmid: Some(f.cmid.clone()),
                        op,
                    }
                }
                Err(p) => {
                    f.focus = p.0;
                    f.problem = Some(p);
                    Sub::Redraw(true)
                }
            };
        }
        match key.code {
            KeyCode::Esc => {
                self.form = None;
                Sub::Redraw(true)
            }
            KeyCode::Tab | KeyCode::Down | KeyCode::Enter => {
                f.focus = (f.focus + 1) % FIELDS;
                Sub::Redraw(true)
            }
            KeyCode::BackTab | KeyCode::Up => {
                f.focus = (f.focus + FIELDS - 1) % FIELDS;
                Sub::Redraw(true)
            }
            _ => {
                let changed = f.fields[f.focus].edit(&key);
                if changed {
                    // A changed form is another request.
                    f.cmid = new_cmid();
                }
                Sub::Redraw(changed)
            }
        }
    }

    pub fn draw(&self, t: &Texts, frame: &mut Frame, area: Rect) {
        let mut lines = vec![Line::styled(
            format!(
                "{:<6} {:<22} {:<20} {:<11} {}",
                t.col_code, t.col_name, t.col_zone, t.col_hours, t.col_holidays
            ),
            bold(),
        )];
        if !self.loaded {
            lines.push(Line::raw(t.loading));
        }
        for (i, o) in self.offices.iter().enumerate() {
            let hours = hours_of(o.working_hours.as_deref())
                .map(|h| format!("{}-{}", hhmm(h.day_starts), hhmm(h.day_ends)))
                .unwrap_or_else(|| t.unit_calendar.to_string());
            let text = format!(
                "{:<6} {:<22} {:<20} {:<11} {}",
                clip(&o.code, 6),
                clip(&o.name, 22),
                clip(&o.time_zone, 20),
                clip(&hours, 11),
                o.holidays.len()
            );
            lines.push(chosen_line(text, i == self.chosen, area.width));
        }
        if let Some(o) = self.offices.get(self.chosen) {
            lines.push(Line::raw(""));
            let days = hours_of(o.working_hours.as_deref())
                .map(|h| days_text(&h.working_days))
                .unwrap_or_else(|| t.unit_calendar.to_string());
            lines.push(Line::raw(format!("{}: {days}", t.office_labels[5])));
            lines.push(Line::raw(clip(
                &format!("{}: {}", t.office_labels[6], o.holidays.join(", ")),
                usize::from(area.width),
            )));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    pub fn draw_form(&self, t: &Texts, frame: &mut Frame, area: Rect) {
        let Some(f) = &self.form else {
            return;
        };
        let popup = centered(area, 72, 12);
        frame.render_widget(Clear, popup);
        let mut lines: Vec<Line> = t
            .office_labels
            .iter()
            .zip(&f.fields)
            .enumerate()
            .map(|(i, (label, field))| {
                let marker = if i == f.focus { "›" } else { " " };
                Line::from(vec![
                    Span::raw(format!("{marker} {label:<20}")),
                    Span::raw(clip(&field.value, 46)),
                ])
            })
            .collect();
        lines.push(Line::raw(""));
        match (&f.problem, &f.error) {
            (Some((_, p)), _) => lines.push(Line::styled(problem_text(p, t.lang()), error())),
            (None, Some(e)) => lines.push(Line::styled(t.error(e), error())),
            (None, None) => lines.push(Line::styled(t.office_form_hint, dim())),
        }
        let title = if f.editing.is_some() {
            t.office_edit_title
        } else {
            t.office_new_title
        };
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(format!(" {title} "))),
            popup,
        );
    }
}

impl OfficeForm {
    fn of(o: &UnitOffice) -> Self {
        let mut f = OfficeForm {
            editing: Some((o.id.clone(), o.version)),
            cmid: new_cmid(),
            ..OfficeForm::default()
        };
        f.fields[0].value = o.code.clone();
        f.fields[1].value = o.name.clone();
        f.fields[2].value = o.time_zone.clone();
        if let Some(h) = hours_of(o.working_hours.as_deref()) {
            f.fields[3].value = hhmm(h.day_starts);
            f.fields[4].value = hhmm(h.day_ends);
            f.fields[5].value = days_text(&h.working_days);
        }
        f.fields[6].value = o.holidays.join(", ");
        f
    }

    /// The mutation the form asks for, or the first problem (field index and words) found
    /// before sending.
    fn op(&self) -> Result<AdminOp, (usize, Problem)> {
        let v = |i: usize| self.fields[i].value.trim().to_string();
        if v(0).is_empty() || v(0).len() > 10 || !v(0).chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err((0, Problem::Code));
        }
        if v(1).is_empty() {
            return Err((1, Problem::Name));
        }
        let zone = time_zone::check("input.timeZone", &v(2))
            .map_err(|e| (2, Problem::Refused(e.reason)))?;
        let working_hours = match (v(3).is_empty(), v(4).is_empty(), v(5).is_empty()) {
            (true, true, true) => None,
            _ => {
                let starts = parse_hhmm(&v(3)).ok_or((3, Problem::Hour))?;
                let ends = parse_hhmm(&v(4)).ok_or((4, Problem::Hour))?;
                if starts >= ends {
                    return Err((4, Problem::Order));
                }
                let days = parse_days(&v(5)).ok_or((5, Problem::Days))?;
                let json = serde_json::to_string(&Hours {
                    day_starts: starts,
                    day_ends: ends,
                    working_days: days,
                })
                .map_err(|_| (5, Problem::Days))?;
                Some(json)
            }
        };
        let mut holidays = Vec::new();
        for d in v(6).split(',').map(str::trim).filter(|d| !d.is_empty()) {
            let date = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| (6, Problem::Date))?;
            holidays.push(date.format("%Y-%m-%d").to_string());
        }
        let (id, version) = match &self.editing {
            Some((id, v)) => (Some(id.clone()), Some(*v)),
            None => (None, None),
        };
        Ok(AdminOp::SaveOffice {
            id,
            version,
            code: v(0),
            name: v(1),
            time_zone: zone,
            working_hours,
            holidays,
        })
    }
}

/// What the form finds wrong before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Code,
    Name,
    Hour,
    Order,
    Days,
    Date,
    /// The domain's refusal (a time zone not in the database), worded like the server's.
    Refused(amparo_domain::error::Reason),
}

fn hours_of(json: Option<&str>) -> Option<Hours> {
    json.and_then(|j| serde_json::from_str(j).ok())
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

/// `1-5`, `1,3,5` or a mix; each day 1 (Monday) to 7.
fn parse_days(s: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
            None => {
                let d: u32 = part.parse().ok()?;
                (d, d)
            }
        };
        if !(1..=7).contains(&a) || !(1..=7).contains(&b) || a > b {
            return None;
        }
        out.extend(a..=b);
    }
    out.sort_unstable();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// Days as typed back: runs of consecutive days as `a-b`.
fn days_text(days: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", days[i], days[j])
        } else {
            days[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

/// What is wrong with an office form's field, in `lang`. The words live here, beside the
/// problems, so the catalogue of texts does not import the screen.
fn problem_text(p: &Problem, lang: Lang) -> String {
    let es = lang == Lang::Es;
    match p {
        Problem::Code if es => "El código tiene de 1 a 10 letras o cifras, p. ej. LAG.".into(),
        Problem::Code => "The code is 1 to 10 letters or digits, e.g. LAG.".into(),
        Problem::Name if es => "Escriba el nombre de la oficina.".into(),
        Problem::Name => "Type the office's name.".into(),
        Problem::Hour if es => {
            "Hora como HH:MM, p. ej. 08:00 (vacío: el horario de la unidad).".into()
        }
        Problem::Hour => "A time as HH:MM, e.g. 08:00 (empty: the unit's calendar).".into(),
        Problem::Order if es => "La jornada debe empezar antes de terminar.".into(),
        Problem::Order => "The day must start before it ends.".into(),
        Problem::Days if es => "Días de 1 (lunes) a 7, como 1-5 o 1,3,5.".into(),
        Problem::Days => "Days 1 (Monday) to 7, as 1-5 or 1,3,5.".into(),
        Problem::Date if es => "Feriados como AAAA-MM-DD, separados por comas.".into(),
        Problem::Date => "Holidays as YYYY-MM-DD, separated by commas.".into(),
        Problem::Refused(reason) => crate::refusals::refusal("input.timeZone", reason, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_hours_read_and_write_back() {
        assert_eq!(parse_days("1-5"), Some(vec![1, 2, 3, 4, 5]));
        assert_eq!(parse_days("1,3, 5-6"), Some(vec![1, 3, 5, 6]));
        assert_eq!(parse_days("0-5"), None);
        assert_eq!(parse_days(""), None);
        assert_eq!(days_text(&[1, 2, 3, 5, 7]), "1-3,5,7");
        assert_eq!(parse_hhmm("08:30"), Some(510));
        assert_eq!(parse_hhmm("25:00"), None);
        assert_eq!(hhmm(990), "16:30");
    }
}
