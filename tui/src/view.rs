//! Draws the [`App`] as it is; no state changes here. Screens are plain lines without borders or
//! fills: on a thin link every cell that differs between frames costs bytes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::api::individual::{IndividualIndividual, NeedStatus};
use crate::app::{App, Link, LoginError, Screen, SearchFocus};
use crate::i18n::Text;
use crate::register::{FIELDS, Field};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub(crate) fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub(crate) fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}
pub(crate) fn error() -> Style {
    Style::new().fg(Color::Red)
}
pub(crate) fn focused() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let t = app.lang.text();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!("{} ({}×{})", t.enlarge, area.width, area.height);
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(app, t, frame, header);
    let body = Rect {
        x: body.x + 1,
        width: body.width.saturating_sub(2),
        ..body
    };
    match app.screen {
        Screen::Login => draw_login(app, t, frame, body),
        Screen::Search => draw_search(app, t, frame, body),
        Screen::Individual => draw_individual(app, t, frame, body),
        Screen::Group => crate::view_group::draw_group(app, t, frame, body),
        Screen::Register => draw_register(app, t, frame, body),
        Screen::Work => crate::view_case::draw_work(app, t, frame, body),
        Screen::Supervisor => crate::view_case::draw_supervisor(app, t, frame, body),
        Screen::Case => crate::view_case::draw_case(app, t, frame, body),
        Screen::Reviews => crate::view_review::draw_reviews(app, t, frame, body),
        Screen::Review => crate::view_review::draw_review(app, t, frame, body),
    }
    draw_status(app, t, frame, status);
    if app.help {
        draw_help(app, t, frame, area);
    }
}

fn screen_name(t: &Text, s: Screen) -> &'static str {
    match s {
        Screen::Login => t.login,
        Screen::Search => t.search,
        Screen::Individual => t.individual,
        Screen::Group => t.group_screen.title,
        Screen::Register => t.register,
        Screen::Work => t.case.work,
        Screen::Supervisor => t.case.supervisor,
        Screen::Case => t.case.case,
        Screen::Reviews => t.reviews.title_list,
        Screen::Review => t.reviews.title_review,
    }
}

fn draw_header(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let left = Line::from(vec![
        Span::styled(" Amparo", bold()),
        Span::raw(" · "),
        Span::raw(screen_name(t, app.screen)),
    ]);
    frame.render_widget(left, area);
    if let Some(user) = &app.user {
        frame.render_widget(Line::from(format!("{user} ")).right_aligned(), area);
    }
}

fn draw_status(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::raw(format!(" {}", app.server))];
    if let Some(rtt) = app.rtt {
        spans.push(Span::raw(format!(" · {} ms", rtt.as_millis())));
    }
    spans.push(Span::raw(" · "));
    spans.push(match app.link {
        Link::Unknown => Span::styled(t.not_connected_yet, dim()),
        Link::Up => Span::raw(t.online),
        Link::Down => Span::styled(t.offline, error().add_modifier(Modifier::BOLD)),
    });
    if app.live {
        spans.push(Span::raw(" · "));
        spans.push(Span::raw(t.case.live));
    }
    if app.pending > 0 {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(t.waiting, bold()));
    }
    frame.render_widget(Line::from(spans), area);
    frame.render_widget(
        Line::from(format!("{} ", t.help_hint)).right_aligned(),
        area,
    );
}

fn draw_help(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let form_open = match app.screen {
        Screen::Case => app.case.form.is_some(),
        Screen::Supervisor => app.supervisor.form.is_some(),
        _ => false,
    };
    let keys = match app.screen {
        Screen::Review if app.reviews.open.form.is_some() => t.reviews.keys_form,
        _ if form_open => t.case.keys_form,
        Screen::Login => t.keys_login,
        Screen::Search => t.keys_search,
        Screen::Individual => t.keys_individual,
        Screen::Group => t.group_screen.keys,
        Screen::Register => t.keys_register,
        Screen::Work => t.case.keys_work,
        Screen::Supervisor => t.case.keys_supervisor,
        Screen::Case => t.case.keys_case,
        Screen::Reviews => t.reviews.keys_list,
        Screen::Review => t.reviews.keys_review,
    };
    // On a case, the keys of the actions the caller may take now come first.
    let mut pairs: Vec<(String, String)> = Vec::new();
    if app.screen == Screen::Case
        && !form_open
        && let Some(d) = &app.case.data
    {
        for (k, a) in &crate::work::ACTION_KEYS {
            if d.allowed_actions.contains(a) {
                pairs.push((k.to_string(), t.case.action(a).to_string()));
            }
        }
    }
    let form_open = form_open || (app.screen == Screen::Review && app.reviews.open.form.is_some());
    let global = if app.screen == Screen::Login || form_open {
        &[][..]
    } else {
        t.keys_global
    };
    let case_global = if global.is_empty() || !(app.is_officer() || app.is_supervisor()) {
        &[][..]
    } else {
        t.case.keys_global
    };
    let reviews_global = if global.is_empty() || !app.is_adjudicator() {
        &[][..]
    } else {
        t.reviews.keys_global
    };
    pairs.extend(
        keys.iter()
            .chain(case_global.iter())
            .chain(reviews_global.iter())
            .chain(global.iter())
            .map(|(k, d)| (k.to_string(), d.to_string())),
    );
    // When the keys do not fit one to a line (a case with many actions), two share a line.
    let two_columns = pairs.len() + 4 > usize::from(area.height);
    let mut lines: Vec<Line> = if two_columns {
        pairs
            .chunks(2)
            .map(|c| {
                let mut spans = Vec::new();
                for (k, d) in c {
                    let d: String = d.chars().take(17).collect();
                    spans.push(Span::styled(format!("{k:<13}"), bold()));
                    spans.push(Span::raw(format!("{d:<18}")));
                }
                Line::from(spans)
            })
            .collect()
    } else {
        pairs
            .into_iter()
            .map(|(k, d)| Line::from(vec![Span::styled(format!("{k:<13}"), bold()), Span::raw(d)]))
            .collect()
    };
    lines.push(Line::default());
    lines.push(Line::styled(t.help_close, dim()));
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(area.height)
        .min(area.height);
    let width = 64.min(area.width);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(format!(" {} ", t.help_title))),
        popup,
    );
}

fn draw_login(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let form = &app.login;
    let x = area.x + 20;
    let y = area.y + 6;
    let label_w = 14;
    let field_w = 30;
    let row = |i: u16| Rect::new(x, y + i, label_w + field_w, 1);
    frame.render_widget(Line::from(format!("{:<14}", t.username)), row(0));
    frame.render_widget(Line::from(format!("{:<14}", t.password)), row(2));
    let field = |i: u16| Rect::new(x + label_w, y + i, field_w, 1);
    // Fields are plain text: a styled cell costs colour resets on every typed character.
    frame.render_widget(Line::raw(form.username.value.as_str()), field(0));
    // The password is never drawn, not even as a count of characters.
    frame.render_widget(Line::styled(t.login_hint, dim()), row(4));
    if app.demo {
        frame.render_widget(
            Line::raw(t.demo_users),
            Rect {
                y: y - 3,
                height: 1,
                ..area
            },
        );
    }
    if app.pending > 0 {
        frame.render_widget(
            Line::raw(t.logging_in),
            Rect::new(x, y + 6, area.width - 20, 1),
        );
    } else if let Some(e) = &form.error {
        let msg = match e {
            LoginError::UsernameMissing => t.username_missing.to_string(),
            LoginError::Api(e) => t.error(e),
        };
        frame.render_widget(
            Paragraph::new(msg).style(error()).wrap(Wrap { trim: true }),
            Rect::new(x, y + 6, area.width.saturating_sub(20), 3),
        );
    }
    let cursor_x = if form.on_password {
        field(2).x
    } else {
        field(0).x + text_width(&form.username.value).min(field_w - 1)
    };
    frame.set_cursor_position((cursor_x, y + if form.on_password { 2 } else { 0 }));
}

fn text_width(s: &str) -> u16 {
    u16::try_from(Span::raw(s).width()).unwrap_or(u16::MAX)
}

/// The end of `s` that fits in `width` cells: while typing, the end is what matters.
fn tail(s: &str, width: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let skip = chars.len().saturating_sub(width);
    chars.get(skip..).unwrap_or_default().iter().collect()
}

pub(crate) fn cell(s: &str, width: usize) -> String {
    let mut out: String = s.chars().take(width).collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

fn draw_search(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let s = &app.search;
    let label = format!("{}: ", t.query);
    let qwidth = usize::from(area.width).saturating_sub(label.chars().count() + 1);
    let shown = tail(&s.query.value, qwidth);
    frame.render_widget(
        Line::from(vec![
            Span::styled(label.clone(), bold()),
            Span::raw(shown.clone()),
        ]),
        Rect { height: 1, ..area },
    );
    frame.render_widget(
        Line::styled(t.query_hint, dim()),
        Rect {
            y: area.y + 1,
            height: 1,
            ..area
        },
    );
    if s.focus == SearchFocus::Query {
        frame.set_cursor_position((area.x + text_width(&label) + text_width(&shown), area.y));
    }
    let list = Rect {
        y: area.y + 3,
        height: area.height.saturating_sub(3),
        ..area
    };
    let mut lines = Vec::new();
    if let Some(e) = &s.error {
        lines.push(Line::styled(t.error(e), error()));
    } else if s.loading && s.rows.is_empty() {
        lines.push(Line::raw(t.searching));
    } else if s.searched && s.rows.is_empty() {
        lines.push(Line::raw(t.no_results));
    }
    if !s.rows.is_empty() {
        let name_w = usize::from(area.width).saturating_sub(16 + 5 + 11 + 6 + 2);
        lines.push(Line::styled(
            format!(
                "  {}{}{}{}{}",
                cell(t.col_number, 16),
                cell(t.col_name, name_w),
                cell(t.col_sex, 5),
                cell(t.col_born, 11),
                t.col_nationality
            ),
            bold(),
        ));
        for (i, r) in s.rows.iter().enumerate() {
            let selected = s.focus == SearchFocus::Results && i == s.selected;
            let text = format!(
                "{}{}{}{}{}{}",
                if selected { "> " } else { "  " },
                cell(&r.individual_number, 16),
                cell(&r.full_name, name_w),
                cell(r.sex.as_deref().unwrap_or(""), 5),
                cell(r.date_of_birth.as_deref().unwrap_or(""), 11),
                r.nationalities.join(",")
            );
            lines.push(if selected {
                Line::styled(text, focused())
            } else {
                Line::raw(text)
            });
        }
        lines.push(Line::default());
        let mut footer = format!("{} {}", t.page, s.page + 1);
        if s.loading {
            footer.push_str(" · ");
            footer.push_str(t.searching);
        }
        lines.push(Line::raw(footer));
        lines.push(Line::styled(t.results_hint, dim()));
    }
    frame.render_widget(Paragraph::new(lines), list);
}

fn need_badge(t: &Text, status: &NeedStatus) -> (&'static str, Style) {
    match status {
        NeedStatus::PENDING_REVIEW => (t.pending_review, Style::new().fg(Color::Yellow)),
        NeedStatus::CONFIRMED => (t.confirmed, Style::new().fg(Color::Green)),
        NeedStatus::RESOLVED => (t.resolved, dim()),
        NeedStatus::Other(_) => ("?", Style::new()),
    }
}

/// `2026-01-05T14:03:09.123Z` as `2026-01-05 14:03`; anything unreadable as it came.
pub(crate) fn when(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// The individual's lines, before paging; [`crate::app`] counts them to know where pages end.
pub fn individual_lines<'a>(t: &Text, p: &'a IndividualIndividual) -> Vec<Line<'a>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(p.individual_number.as_str(), bold()),
        Span::raw("  "),
        Span::styled(p.full_name.as_str(), bold()),
    ])];
    if let Some(o) = &p.original_script_name {
        lines.push(Line::raw(format!("{}: {o}", t.original_script)));
    }
    let birth = match (&p.date_of_birth, &p.date_of_birth_precision) {
        (Some(d), Some(prec)) if prec != "exact" => format!("{d} ({prec})"),
        (Some(d), _) => d.clone(),
        (None, _) => "—".to_string(),
    };
    lines.push(Line::raw(format!(
        "{}: {}   {}: {birth}   {}: {}",
        t.sex,
        p.sex.as_deref().unwrap_or("—"),
        t.birth_date,
        t.nationalities,
        if p.nationalities.is_empty() {
            "—".to_string()
        } else {
            p.nationalities.join(", ")
        }
    )));
    lines.push(Line::raw(format!("{}: {}", t.office, p.office.name)));
    lines.push(Line::default());
    let mut needs = vec![Span::styled(format!("{}: ", t.needs), bold())];
    if p.specific_needs.is_empty() && p.withheld_specific_needs == 0 {
        needs.push(Span::raw(t.none));
    }
    for n in &p.specific_needs {
        let (label, style) = need_badge(t, &n.status);
        let code = n.sub_code.as_deref().unwrap_or(&n.code);
        needs.push(Span::styled(format!("[{code} {label}]"), style));
        needs.push(Span::raw(" "));
    }
    if p.withheld_specific_needs > 0 {
        needs.push(Span::styled(
            format!("(+{} {})", p.withheld_specific_needs, t.withheld),
            dim(),
        ));
    }
    lines.push(Line::from(needs));
    lines.push(Line::styled(format!("{}:", t.documents), bold()));
    if p.documents.is_empty() {
        lines.push(Line::raw("  —"));
    }
    for d in &p.documents {
        let country = d
            .issuing_country
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        lines.push(Line::raw(format!(
            "  {} {}{country}",
            d.document_type, d.number
        )));
    }
    if let Some(m) = &p.group_membership {
        let number = m.group.as_ref().map_or("—", |g| g.group_number.as_str());
        lines.push(Line::styled(
            format!(
                "{} {number} · {}: {}",
                t.group,
                t.relationship,
                t.relationship(&m.relationship)
            ),
            bold(),
        ));
        for gm in m.group.iter().flat_map(|g| &g.members) {
            let (num, name) = gm.individual.as_ref().map_or(("—", "—"), |i| {
                (i.individual_number.as_str(), i.full_name.as_str())
            });
            lines.push(Line::raw(format!(
                "  {}{num:<17}{name}",
                cell(t.relationship(&gm.relationship), 16)
            )));
        }
    }
    lines.push(Line::styled(format!("{}:", t.history), bold()));
    for e in &p.history {
        lines.push(Line::raw(format!(
            "  {}  {:<16}{}",
            when(&e.at),
            e.actor,
            e.kind
        )));
    }
    lines
}

fn draw_individual(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let ind = &app.individual;
    let lines = match (&ind.data, &ind.error) {
        (_, Some(e)) => vec![Line::styled(t.error(e), error())],
        (Some(p), None) => individual_lines(t, p),
        (None, None) => vec![Line::raw(t.loading)],
    };
    let height = usize::from(area.height.saturating_sub(1));
    let total = lines.len();
    let top = ind.top.min(total.saturating_sub(1));
    let mut shown: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
    if top + height < total {
        shown.push(Line::styled(t.more_below, dim()));
    } else {
        shown.push(Line::styled(t.individual_hint, dim()));
    }
    frame.render_widget(Paragraph::new(shown), area);
}

/// Column widths of the registration table; 78 cells with separators.
const WIDTHS: [(Field, u16); 6] = [
    (Field::Relationship, 15),
    (Field::GivenNames, 18),
    (Field::FamilyName, 18),
    (Field::Sex, 4),
    (Field::BirthDate, 11),
    (Field::Nationality, 4),
];

fn draw_register(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let form = &app.register;
    if let Some(saved) = &form.saved {
        let mut lines = vec![
            Line::styled(format!("{} {}", t.registered, saved.group_number), bold()),
            Line::default(),
        ];
        for m in &saved.members {
            lines.push(Line::raw(format!(
                "  {:<17}{}",
                m.individual_number, m.full_name
            )));
        }
        lines.push(Line::default());
        lines.push(Line::styled(t.saved_hint, dim()));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    frame.render_widget(
        Line::styled(t.register_title, bold()),
        Rect { height: 1, ..area },
    );
    let header = [
        t.relationship,
        t.col_given,
        t.col_family,
        t.col_sex,
        t.col_dob,
        t.col_nationality,
    ];
    let mut x = area.x + 3;
    for ((_, w), h) in WIDTHS.iter().zip(header) {
        frame.render_widget(
            Line::styled(cell(h, usize::from(*w)), bold()),
            Rect::new(x, area.y + 2, *w, 1),
        );
        x += w + 1;
    }
    let today = chrono::Local::now().date_naive();
    let mut y = area.y + 3;
    for (i, m) in form.members.iter().enumerate() {
        frame.render_widget(Line::raw(format!("{}", i + 1)), Rect::new(area.x, y, 2, 1));
        let mut x = area.x + 3;
        for (field, w) in WIDTHS {
            let rect = Rect::new(x, y, w, 1);
            let is_focus = form.row == i && form.col == field;
            let bad = m.problem(field, today, form.tried).is_some();
            // Plain unless wrong: the cursor shows the focus, and a styled cell costs colour
            // resets on every typed character.
            let mut style = if bad { error() } else { Style::new() };
            let text = match m.input(field) {
                None => {
                    let code = if i == 0 {
                        "focal_point"
                    } else {
                        crate::register::RELATIONSHIPS
                            .get(m.relationship)
                            .copied()
                            .unwrap_or("")
                    };
                    let label = t.relationship(code);
                    if i == 0 {
                        label.to_string()
                    } else {
                        format!("‹{}›", label)
                    }
                }
                Some(input) if input.value.is_empty() && field == Field::BirthDate => {
                    style = style.add_modifier(Modifier::DIM);
                    t.date_placeholder.to_string()
                }
                Some(input) => tail(&input.value, usize::from(w - 1)),
            };
            if is_focus {
                let offset = m.input(field).map_or(0, |input| {
                    text_width(&tail(&input.value, usize::from(w - 1)))
                });
                frame.set_cursor_position((x + offset, y));
            }
            frame.render_widget(Line::styled(cell(&text, usize::from(w)), style), rect);
            x += w + 1;
        }
        y += 1;
    }
    let mut lines = Vec::new();
    for (i, field, p) in form.problems(today).into_iter().take(4) {
        let name = field_name(t, field);
        lines.push(Line::styled(
            format!("{} {}, {name}: {}", t.member, i + 1, t.problem(p)),
            error(),
        ));
    }
    if form.sending {
        lines.push(Line::raw(t.sending));
    }
    if let Some(e) = &form.error {
        lines.push(Line::styled(t.error(e), error()));
        lines.push(Line::raw(t.retry_hint));
    }
    if !form.duplicates.is_empty() {
        lines.push(Line::styled(
            t.duplicates_title,
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
        for d in form.duplicates.iter().take(5) {
            lines.push(Line::raw(format!(
                "  {} {} {} {} {} {} ({}%: {})",
                t.member,
                d.member_index + 1,
                t.resembles,
                d.individual_number,
                d.full_name,
                d.date_of_birth.as_deref().unwrap_or(""),
                d.score,
                d.reasons.join(", ")
            )));
        }
        lines.push(Line::raw(t.duplicates_hint));
    }
    let below = Rect {
        y: y + 1,
        height: (area.y + area.height).saturating_sub(y + 2),
        ..area
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), below);
    frame.render_widget(
        Line::styled(t.register_hint, dim()),
        Rect {
            y: area.y + area.height.saturating_sub(1),
            height: 1,
            ..area
        },
    );
}

fn field_name(t: &Text, f: Field) -> &'static str {
    match f {
        Field::Relationship => t.relationship,
        Field::GivenNames => t.col_given,
        Field::FamilyName => t.col_family,
        Field::Sex => t.col_sex,
        Field::BirthDate => t.col_dob,
        Field::Nationality => t.col_nationality,
    }
}

/// Every column of the table is listed once, so the table and the form agree.
const _: () = assert!(WIDTHS.len() == FIELDS.len());
