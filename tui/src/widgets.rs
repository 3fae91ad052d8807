//! Pieces every screen uses: the one-line text field, the few styles, cell padding, the
//! unit's clock, the paged record and the paged list (`paged_list.rs`). Screens are plain lines without borders or fills: on a thin link every cell
//! that differs between frames costs bytes.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::ApiError;

mod paged_list;
pub use paged_list::{ListKey, Page, PageRequest, PagedList};

/// The clock the user's times are read and typed in: the zone of the session's office (else of
/// its unit), as the API names it, and the place the label names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeClock {
    pub zone: chrono_tz::Tz,
    pub place: String,
    /// When the office works, as the server books interviews.
    pub hours: OfficeHours,
}

/// An office's working day on its own clock: the hours and days interviews may be booked in,
/// and the holidays it is closed, as the API's `office.workingHours` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    /// Minutes after local midnight.
    pub starts: u32,
    pub ends: u32,
    /// ISO weekdays, Monday = 1.
    pub days: Vec<u32>,
    pub holidays: Vec<chrono::NaiveDate>,
}

impl Default for OfficeHours {
    /// Ecuador's public offices until the API has said otherwise: Monday to Friday, 08:00-17:00.
    fn default() -> Self {
        Self {
            starts: 8 * 60,
            ends: 17 * 60,
            days: vec![1, 2, 3, 4, 5],
            holidays: Vec::new(),
        }
    }
}

impl OfficeHours {
    /// The hours as the API sends them ("HH:MM", ISO weekdays, "YYYY-MM-DD"); `None` when a
    /// time does not read or the day would end before it starts.
    pub fn parse(starts: &str, ends: &str, days: &[i64], holidays: &[String]) -> Option<Self> {
        let minutes = |t: &str| {
            chrono::NaiveTime::parse_from_str(t, "%H:%M")
                .ok()
                .map(|t| chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t))
        };
        let (starts, ends) = (minutes(starts)?, minutes(ends)?);
        (starts < ends).then(|| Self {
            starts,
            ends,
            days: days.iter().filter_map(|d| u32::try_from(*d).ok()).collect(),
            holidays: holidays
                .iter()
                .filter_map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .collect(),
        })
    }

    /// Whether an interview of `minutes` from `start` (local) fits the office's working day.
    pub fn fits(&self, start: chrono::NaiveDateTime, minutes: u32) -> bool {
        use chrono::{Datelike, Timelike};
        let from = start.hour() * 60 + start.minute();
        self.days.contains(&start.weekday().number_from_monday())
            && !self.holidays.contains(&start.date())
            && from >= self.starts
            && from + minutes <= self.ends
    }

    /// The working week in words: "lun-vie 8-17", "Mon-Thu 9-13:30".
    pub fn describe(&self, lang: amparo_domain::codes::Lang) -> String {
        const ES: [&str; 7] = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let names = match lang {
            amparo_domain::codes::Lang::Es => ES,
            amparo_domain::codes::Lang::En => EN,
        };
        let name = |d: u32| names[(d.clamp(1, 7) - 1) as usize];
        let mut days: Vec<u32> = self.days.clone();
        days.sort_unstable();
        days.dedup();
        // A run of consecutive days reads as "first-last"; anything else is listed.
        let consecutive = days.windows(2).all(|w| w[1] == w[0] + 1);
        let days = match (days.first(), days.last()) {
            (Some(a), Some(b)) if consecutive && a != b => format!("{}-{}", name(*a), name(*b)),
            _ => days.iter().map(|d| name(*d)).collect::<Vec<_>>().join(","),
        };
        // Short, for a problem beside a field: whole hours without minutes ("8-17", "9-13:30").
        let hour = |m: u32| match m % 60 {
            0 => format!("{}", m / 60),
            min => format!("{}:{min:02}", m / 60),
        };
        format!("{days} {}-{}", hour(self.starts), hour(self.ends))
    }
}

impl OfficeClock {
    /// The clock of `zone` (an IANA name), labelled with `place`, else with the zone's city;
    /// `None` when the zone is not one the database knows.
    pub fn new(zone: &str, place: Option<&str>) -> Option<Self> {
        let zone = amparo_domain::time_zone::parse(zone)?;
        let place = place
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| zone_city(zone));
        Some(Self {
            zone,
            place,
            hours: OfficeHours::default(),
        })
    }

    /// A UTC time (RFC 3339) as this clock shows it, `YYYY-MM-DD HH:MM`; unreadable as it came.
    pub fn local_time(&self, at: &str) -> String {
        chrono::DateTime::parse_from_rfc3339(at)
            .map(|d| {
                d.with_timezone(&self.zone)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|_| at.to_string())
    }

    /// A time typed on this clock in UTC (RFC 3339 with `Z`); in a daylight-saving gap,
    /// `None`; when the clock goes back and the hour comes twice, the first.
    pub fn to_utc(&self, local: chrono::NaiveDateTime) -> Option<String> {
        use chrono::TimeZone;
        let at = self.zone.from_local_datetime(&local).earliest()?;
        Some(format!("{}Z", at.naive_utc().format("%Y-%m-%dT%H:%M:%S")))
    }

    /// This clock's time now.
    pub fn now(&self) -> chrono::NaiveDateTime {
        chrono::Utc::now().with_timezone(&self.zone).naive_local()
    }

    /// The clock's name as times are labelled: "hora de Quito", "Quito time".
    pub fn name(&self, lang: amparo_domain::codes::Lang) -> String {
        match lang {
            amparo_domain::codes::Lang::Es => format!("hora de {}", self.place),
            amparo_domain::codes::Lang::En => format!("{} time", self.place),
        }
    }
}

impl OfficeClock {
    /// The clock's short name, for a field's label: "Hora Quito", "Quito time".
    pub fn short_name(&self, lang: amparo_domain::codes::Lang) -> String {
        match lang {
            amparo_domain::codes::Lang::Es => format!("Hora {}", self.place),
            amparo_domain::codes::Lang::En => format!("{} time", self.place),
        }
    }
}

impl Default for OfficeClock {
    /// Ecuador's mainland until the API has said which office the user works in.
    fn default() -> Self {
        let zone = chrono_tz::America::Guayaquil;
        Self {
            zone,
            place: zone_city(zone),
            hours: OfficeHours::default(),
        }
    }
}

/// `America/Argentina/Buenos_Aires` as `Buenos Aires`.
fn zone_city(zone: chrono_tz::Tz) -> String {
    let name = zone.name();
    name.rsplit('/').next().unwrap_or(name).replace('_', " ")
}

std::thread_local! {
    /// The clock of the session being updated or drawn on this thread. The session (`App`)
    /// owns its clock; `update` and `view` lend it here for their (synchronous) run, so that the
    /// many places that show a time need not carry it, and two sessions in one process (the
    /// tests' officer and supervisor) each keep their own.
    static CLOCK: std::cell::RefCell<Option<OfficeClock>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `clock` as the clock times are shown and read in.
pub fn with_clock<R>(clock: &OfficeClock, f: impl FnOnce() -> R) -> R {
    /// Puts the previous clock back however `f` ends.
    struct Restore(Option<OfficeClock>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CLOCK.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CLOCK.with(|c| c.borrow_mut().replace(clock.clone()));
    let _restore = Restore(previous);
    f()
}

/// The clock of the session being updated or drawn (Ecuador's mainland outside of one).
pub fn office() -> OfficeClock {
    CLOCK.with(|c| c.borrow().clone()).unwrap_or_default()
}

/// A one-line text field; editing happens at the end, which is how forms are typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub value: String,
}

impl TextInput {
    /// Applies an editing key; false if the key is not an editing key.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.value.clear();
                true
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.value.push(c);
                true
            }
            KeyCode::Backspace => self.value.pop().is_some(),
            _ => false,
        }
    }
}

/// Whether the key is Ctrl plus `c`.
pub fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.code == KeyCode::Char(c) && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// Ctrl-S or F10: send the form.
pub fn submit_key(key: &KeyEvent) -> bool {
    key.code == KeyCode::F(10) || ctrl(key, 's')
}

pub fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}
pub fn error() -> Style {
    Style::new().fg(Color::Red)
}
pub fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn focused() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn text_width(s: &str) -> u16 {
    u16::try_from(Span::raw(s).width()).unwrap_or(u16::MAX)
}

/// The end of `s` that fits in `width` cells: while typing, the end is what matters.
pub fn tail(s: &str, width: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let skip = chars.len().saturating_sub(width);
    chars.get(skip..).unwrap_or_default().iter().collect()
}

/// `s` cut or padded to `width` characters.
pub fn cell(s: &str, width: usize) -> String {
    let mut out: String = s.chars().take(width).collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

/// `2026-01-05T14:03:09.123Z` as `2026-01-05 09:03` on the office's clock, as the status line
/// and every other time is shown (a history in UTC read five hours off in Quito); anything
/// unreadable as it came.
pub fn when(at: &str) -> String {
    local_time(at)
}

/// The name of the clock [`local_time`] shows, as every time is labelled.
pub fn office_clock(lang: amparo_domain::codes::Lang) -> String {
    office().name(lang)
}

/// The label of a field where a time is typed on the office's clock, in `width` cells:
/// "Hora Quito (HH:MM)", the format left out when the place's name is long.
pub fn time_field_label(lang: amparo_domain::codes::Lang, width: usize) -> String {
    let name = office().short_name(lang);
    let full = format!("{name} (HH:MM)");
    if full.chars().count() <= width {
        full
    } else {
        ellipsis(&name, width)
    }
}

/// A UTC time as the session's office clock shows it (`YYYY-MM-DD HH:MM`); unreadable as it came.
pub fn local_time(at: &str) -> String {
    office().local_time(at)
}

/// Only the date of a UTC time, in the unit's clock.
pub fn local_date(at: &str) -> String {
    local_time(at).chars().take(10).collect()
}

/// The API's largest page: `first` is capped at 100.
pub const API_MAX_PAGE: usize = 100;

/// Rows of a list's page on a terminal `height` lines tall, of which `chrome` are the screen's
/// other lines: a taller window asks for more rows at once, never more than the API gives.
pub fn page_rows(height: u16, chrome: u16) -> usize {
    usize::from(height.saturating_sub(chrome)).clamp(1, API_MAX_PAGE)
}

/// The area less its last line, and that line (for the hint).
pub fn split_hint(area: Rect) -> [Rect; 2] {
    let h = area.height.saturating_sub(1);
    [
        Rect { height: h, ..area },
        Rect {
            y: area.y + h,
            height: 1,
            ..area
        },
    ]
}

/// `s` cut to `width` characters, its last one an ellipsis when something was cut.
pub fn ellipsis(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A record read from the server and shown a page at a time, as the individual and group
/// screens show theirs: which request's answer counts, the record or the refusal, and where
/// the page starts. Pages flip whole rather than scroll, so a key costs the lines that change.
#[derive(Debug, Clone)]
pub struct PagedLines<T> {
    /// The request whose answer is awaited; earlier answers are dropped.
    pub seq: u64,
    pub loading: bool,
    pub data: Option<T>,
    pub error: Option<ApiError>,
    /// First line shown.
    pub top: usize,
    /// How many lines the record takes, counted when it arrived.
    pub lines: usize,
}

impl<T> Default for PagedLines<T> {
    fn default() -> Self {
        Self {
            seq: 0,
            loading: false,
            data: None,
            error: None,
            top: 0,
            lines: 0,
        }
    }
}

impl<T> PagedLines<T> {
    /// Forgets what is shown and starts reading afresh; the request's sequence number.
    pub fn open(&mut self) -> u64 {
        *self = Self {
            seq: self.seq + 1,
            loading: true,
            ..Self::default()
        };
        self.seq
    }

    /// Reads again, keeping what is shown until the answer arrives; the sequence number.
    pub fn reread(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Takes the answer to request `seq` (an older one is dropped), counting the lines of a
    /// record with `count`. Returns whether a record was taken.
    pub fn answer(
        &mut self,
        seq: u64,
        result: Result<T, ApiError>,
        count: impl FnOnce(&T) -> usize,
    ) -> bool {
        if seq != self.seq {
            return false;
        }
        self.loading = false;
        match result {
            Ok(data) => {
                self.lines = count(&data);
                self.error = None;
                self.data = Some(data);
                true
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    /// PgDn, `n` or Space and PgUp or `p` flip by `page` lines; whether the page moved.
    pub fn flip(&mut self, code: KeyCode, page: usize) -> bool {
        match code {
            KeyCode::PageDown | KeyCode::Char('n') | KeyCode::Char(' ')
                if self.top + page < self.lines =>
            {
                self.top += page;
                true
            }
            KeyCode::PageUp | KeyCode::Char('p') if self.top > 0 => {
                self.top = self.top.saturating_sub(page);
                true
            }
            _ => false,
        }
    }

    /// The lines of the record (from `lines`), or the refusal in words (from `words`), or
    /// `loading`.
    pub fn body<'a>(
        &'a self,
        words: impl FnOnce(&ApiError) -> String,
        loading: &str,
        lines: impl FnOnce(&'a T) -> Vec<Line<'a>>,
    ) -> Vec<Line<'a>> {
        match (&self.data, &self.error) {
            (_, Some(e)) => vec![Line::styled(words(e), error())],
            (Some(data), None) => lines(data),
            (None, None) => vec![Line::raw(loading.to_string())],
        }
    }

    /// Draws the page of `lines` that starts at `top`, `notes` at its foot (they take the
    /// place of record lines), and on the last line "more below" or, on the last page, `hint`.
    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        lines: Vec<Line>,
        notes: Vec<Line>,
        more: &str,
        hint: &str,
    ) {
        let height = usize::from(area.height.saturating_sub(1));
        let total = lines.len();
        let top = self.top.min(total.saturating_sub(1));
        let mut shown: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
        if !notes.is_empty() {
            shown.truncate(height.saturating_sub(notes.len()));
            shown.extend(notes);
        }
        let foot = if top + height < total { more } else { hint };
        shown.push(Line::styled(foot.to_string(), dim()));
        frame.render_widget(Paragraph::new(shown), area);
    }
}

#[cfg(test)]
mod tests {
    use super::OfficeClock;
    use amparo_domain::codes::Lang;

    #[test]
    fn the_demo_offices_keep_ecuadors_mainland_clock() {
        let quito = OfficeClock::new("America/Guayaquil", Some("Quito")).expect("a known zone");
        assert_eq!(quito.local_time("2026-12-15T15:00:00Z"), "2026-12-15 10:00");
        assert_eq!(quito.name(Lang::Es), "hora de Quito");
        assert_eq!(quito.name(Lang::En), "Quito time");
        let typed = chrono::NaiveDate::from_ymd_opt(2026, 12, 15)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("a date");
        assert_eq!(quito.to_utc(typed).as_deref(), Some("2026-12-15T15:00:00Z"));
    }

    #[test]
    fn another_office_shows_and_reads_times_in_its_own_zone() {
        // The Galápagos keep UTC-6: an hour behind the mainland.
        let gps = OfficeClock::new("Pacific/Galapagos", Some("Puerto Ayora")).expect("a zone");
        assert_eq!(gps.local_time("2026-12-15T15:00:00Z"), "2026-12-15 09:00");
        assert_eq!(gps.name(Lang::Es), "hora de Puerto Ayora");
        let typed = chrono::NaiveDate::from_ymd_opt(2026, 12, 15)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("a date");
        assert_eq!(gps.to_utc(typed).as_deref(), Some("2026-12-15T15:00:00Z"));
        // Without an office name, the zone's city names the clock.
        let unit = OfficeClock::new("Pacific/Galapagos", None).expect("a zone");
        assert_eq!(unit.name(Lang::En), "Galapagos time");
    }

    #[test]
    fn a_zone_with_daylight_saving_follows_the_season() {
        let madrid = OfficeClock::new("Europe/Madrid", None).expect("a zone");
        assert_eq!(
            madrid.local_time("2026-01-15T09:00:00Z"),
            "2026-01-15 10:00"
        );
        assert_eq!(
            madrid.local_time("2026-07-15T09:00:00Z"),
            "2026-07-15 11:00"
        );
        // 02:30 on the night the clocks go forward does not exist there.
        let gap = chrono::NaiveDate::from_ymd_opt(2026, 3, 29)
            .and_then(|d| d.and_hms_opt(2, 30, 0))
            .expect("a date");
        assert_eq!(madrid.to_utc(gap), None);
    }

    #[test]
    fn an_unknown_zone_is_no_clock() {
        assert_eq!(OfficeClock::new("Mars/Olympus_Mons", Some("x")), None);
        assert_eq!(OfficeClock::new("UTC-5", None), None);
    }
}
