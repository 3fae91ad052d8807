//! Draws My work, the supervisor's view, a case and its action forms. Like [`crate::view`]:
//! plain lines, no fills, so a frame that changes one row sends about one row.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::api::case::CaseCase;
use crate::app::App;
use crate::form::{ActionForm, Input, label};
use crate::i18n::Text;
use crate::work::{ACTION_KEYS, CaseList, CaseRow, LISTS, WORK_STATUSES};

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}
fn error() -> Style {
    Style::new().fg(Color::Red)
}
fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}

fn cell(s: &str, width: usize) -> String {
    let mut out: String = s.chars().take(width).collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

/// A UTC time as the unit's office clock shows it (`YYYY-MM-DD HH:MM`); unreadable as it came.
pub fn local_time(at: &str) -> String {
    let offset = chrono::FixedOffset::east_opt(
        i32::try_from(crate::form::UNIT_UTC_OFFSET_HOURS * 3600).unwrap_or(0),
    );
    match (chrono::DateTime::parse_from_rfc3339(at), offset) {
        (Ok(d), Some(o)) => d.with_timezone(&o).format("%Y-%m-%d %H:%M").to_string(),
        _ => at.to_string(),
    }
}

/// Only the date of a UTC time, in the unit's clock.
fn local_date(at: &str) -> String {
    local_time(at).chars().take(10).collect()
}

fn badges<'a>(t: &Text, r: &'a CaseRow) -> Vec<Span<'a>> {
    let mut out = Vec::new();
    if r.overdue {
        out.push(Span::styled(format!("{} ", t.case.overdue_badge), error()));
    }
    if r.priority {
        out.push(Span::styled(format!("{} ", t.case.priority_badge), warn()));
    }
    for n in &r.needs {
        out.push(Span::raw(format!("[{n}]")));
    }
    out
}

fn list_lines<'a>(t: &Text, list: &'a CaseList, chosen: Option<&[(String, i64)]>) -> Vec<Line<'a>> {
    let c = &t.case;
    let mut lines = Vec::new();
    if let Some(e) = &list.error {
        lines.push(Line::styled(t.error(e), error()));
    } else if list.loading && !list.loaded {
        lines.push(Line::raw(t.loading));
    } else if list.loaded && list.rows.is_empty() {
        lines.push(Line::raw(c.no_cases));
    }
    if list.rows.is_empty() {
        return lines;
    }
    lines.push(Line::styled(
        format!(
            "  {}{}{}{}{}",
            cell(c.col_case, 16),
            cell(c.col_status, 15),
            cell(c.col_waiting, 8),
            cell(c.col_due, 17),
            c.col_badges
        ),
        bold(),
    ));
    for (i, r) in list.rows.iter().enumerate() {
        let mark = match chosen {
            Some(ch) if ch.iter().any(|(id, _)| *id == r.id) => "*",
            _ => " ",
        };
        let sel = if i == list.selected { ">" } else { " " };
        let text = format!(
            "{sel}{mark}{}{}{}{}",
            cell(&r.case_number, 16),
            cell(t.code(&r.status), 15),
            cell(&format!("{} {}", r.days_waiting, c.days), 8),
            cell(&r.due.as_deref().map(local_time).unwrap_or_default(), 17),
        );
        let mut spans = vec![if i == list.selected {
            Span::styled(text, Style::new().add_modifier(Modifier::REVERSED))
        } else {
            Span::raw(text)
        }];
        spans.extend(badges(t, r));
        lines.push(Line::from(spans));
    }
    lines
}

fn footer(t: &Text, list: &CaseList) -> String {
    let mut s = format!("{} {}", t.page, list.page + 1);
    if list.has_next {
        s.push_str(" · n →");
    }
    if list.loading {
        s.push_str(" · ");
        s.push_str(t.loading);
    }
    s
}

/// My work.
pub fn draw_work(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let c = &t.case;
    let w = &app.work;
    let status = WORK_STATUSES
        .get(w.status)
        .filter(|s| !s.is_empty())
        .map_or(c.all_statuses, |s| t.code(s));
    let tick = |b: bool| if b { "[x]" } else { "[ ]" };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{}: ", c.filter_status), bold()),
            Span::raw(format!("‹{status}›   ")),
            Span::raw(format!("{} {}   ", tick(w.priority_only), c.priority_only)),
            Span::raw(format!("{} {}", tick(w.overdue_only), c.overdue_only)),
        ]),
        Line::default(),
    ];
    lines.extend(list_lines(t, &w.list, None));
    lines.push(Line::default());
    lines.push(Line::raw(footer(t, &w.list)));
    let [body, hint] = split_hint(area);
    frame.render_widget(Paragraph::new(lines), body);
    frame.render_widget(Line::styled(c.work_hint, dim()), hint);
}

fn split_hint(area: Rect) -> [Rect; 2] {
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

/// The supervisor's view: the summary, then one list.
pub fn draw_supervisor(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let c = &t.case;
    let s = &app.supervisor;
    let mut lines = Vec::new();
    if let Some(e) = &s.summary_error {
        lines.push(Line::styled(t.error(e), error()));
    }
    match &s.summary {
        None if s.summary_error.is_none() => lines.push(Line::raw(t.loading)),
        None => {}
        Some(sum) => {
            lines.push(Line::from(vec![
                Span::styled(format!("{} {}", c.open, sum.open), bold()),
                Span::raw(format!(
                    " · {} {} · {} {} · {} {}",
                    c.overdue, sum.overdue, c.priority, sum.priority, c.unassigned, sum.unassigned
                )),
            ]));
            lines.push(Line::raw(format!(
                "{} {} · {} {} · {} {}",
                c.awaiting_review,
                sum.awaiting_review,
                c.abandonment,
                sum.abandonment_candidates,
                c.appeals_near,
                sum.appeals_near_deadline
            )));
            let aging: Vec<String> = sum
                .aging
                .iter()
                .map(|a| format!("{} {}: {}", a.label, c.days, a.cases))
                .collect();
            lines.push(Line::raw(format!("{}: {}", c.aging, aging.join(" · "))));
            let mut offices: Vec<(&str, Vec<String>)> = Vec::new();
            for row in &sum.by_office_and_status {
                let entry = format!("{} {}", t.code(&row.status), row.cases);
                match offices.iter_mut().find(|(o, _)| *o == row.office_name) {
                    Some((_, v)) => v.push(entry),
                    None => offices.push((&row.office_name, vec![entry])),
                }
            }
            for (office, counts) in offices.iter().take(2) {
                lines.push(Line::raw(format!("{office}: {}", counts.join(", "))));
            }
            let load: Vec<String> = sum
                .workload
                .iter()
                .map(|w| {
                    format!(
                        "{} {}/{}/{}",
                        w.username, w.open, w.overdue, w.awaiting_review
                    )
                })
                .collect();
            lines.push(Line::raw(format!("{}: {}", c.workload, load.join(" · "))));
        }
    }
    lines.push(Line::default());
    let mut tabs = Vec::new();
    for (i, _) in LISTS.iter().enumerate() {
        let name = c.lists.get(i).copied().unwrap_or("");
        let text = format!("{} {name}", i + 1);
        tabs.push(if i == s.which {
            Span::styled(text, Style::new().add_modifier(Modifier::REVERSED))
        } else {
            Span::raw(text)
        });
        tabs.push(Span::raw("  "));
    }
    lines.push(Line::from(tabs));
    lines.extend(list_lines(t, &s.list, Some(&s.chosen)));
    lines.push(Line::default());
    let mut foot = footer(t, &s.list);
    if !s.chosen.is_empty() {
        foot.push_str(&format!(" · {} {}", s.chosen.len(), c.chosen));
    }
    if let Some(n) = s.done {
        foot.push_str(&format!(" · {} {n}", c.reassigned));
    }
    lines.push(Line::raw(foot));
    let [body, hint] = split_hint(area);
    frame.render_widget(Paragraph::new(lines), body);
    frame.render_widget(Line::styled(c.supervisor_hint, dim()), hint);
    if let Some(form) = &s.form {
        draw_form(t, form, frame, area);
    }
}

/// The case's lines, before paging; [`crate::work`] counts them to know where pages end.
pub fn case_lines<'a>(t: &Text, k: &'a CaseCase) -> Vec<Line<'a>> {
    let c = &t.case;
    let mut head = vec![
        Span::styled(k.case_number.as_str(), bold()),
        Span::raw(format!(
            "  {} · {} · {} · {} {}",
            t.code(&k.status),
            t.code(&k.stage),
            t.code(&k.modality),
            k.days_waiting,
            c.days
        )),
    ];
    if k.priority {
        head.push(Span::styled(format!("  {}", c.priority_badge), warn()));
    }
    let mut lines = vec![Line::from(head)];
    let mut needs = vec![Span::styled(format!("{}: ", t.needs), bold())];
    if k.specific_need_codes.is_empty() {
        needs.push(Span::raw(t.none));
    }
    for n in &k.specific_need_codes {
        needs.push(Span::styled(format!("[{n}] "), warn()));
    }
    lines.push(Line::from(needs));
    let d = &k.deadlines;
    let mut due = vec![Span::raw(format!(
        "{}: {}",
        c.decision_due,
        d.decision_due.as_deref().map_or("—".into(), local_date)
    ))];
    if d.overdue {
        due.push(Span::styled(format!(" {}", c.overdue_badge), error()));
    }
    due.push(Span::raw(format!(
        " · {}: {}",
        c.appeal_deadline,
        d.appeal_deadline.as_deref().map_or("—".into(), local_date)
    )));
    lines.push(Line::from(due));
    let mut next = format!(
        "{}: {}",
        c.next_interview,
        d.next_interview.as_deref().map_or("—".into(), local_time)
    );
    if let Some(a) = &d.abandonment_candidate_from {
        next.push_str(&format!(" · {}: {}", c.abandonment_from, local_date(a)));
    }
    lines.push(Line::raw(next));
    lines.push(Line::styled(format!("{}:", c.members), bold()));
    let name_of = |id: &str| {
        k.members
            .iter()
            .filter_map(|m| m.individual.as_ref())
            .find(|i| i.id == id)
            .map_or(id.to_string(), |i| i.full_name.clone())
    };
    for m in &k.members {
        let (num, name) = m.individual.as_ref().map_or(("—", "—"), |i| {
            (i.individual_number.as_str(), i.full_name.as_str())
        });
        let rel = match (m.role.as_str(), &m.relationship) {
            ("principal", _) => c.principal.to_string(),
            (_, Some(r)) => t.relationship(r).to_string(),
            (role, None) => t.code(role).to_string(),
        };
        lines.push(Line::raw(format!("  {}{num:<17}{name}", cell(&rel, 16))));
    }
    let w = &k.workflow;
    lines.push(Line::styled(format!("{}:", c.workflow), bold()));
    if let Some(a) = &w.admissibility {
        let verdict = if a.admissible {
            c.admissible
        } else {
            c.inadmissible
        };
        let reason = a
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        lines.push(Line::raw(format!(
            "  {}: {verdict}{reason}",
            c.admissibility
        )));
    }
    if let Some(h) = &w.hold_reason {
        lines.push(Line::styled(format!("  {}: {h}", c.on_hold), warn()));
    }
    for a in &w.pending_appointments {
        let lang = a
            .interpreter_language
            .as_deref()
            .map(|l| format!(" ({} {l})", c.interpreter))
            .unwrap_or_default();
        lines.push(Line::raw(format!(
            "  {}: {}{lang}",
            c.appointment,
            local_time(&a.at)
        )));
    }
    for s in &w.stages {
        let attended = s.interviews.iter().filter(|i| i.principal_attended).count();
        let mut text = format!(
            "  {}: {} {}/{} · {} {}",
            t.code(&s.stage),
            c.interviews,
            attended,
            s.interviews.len(),
            c.missed,
            s.missed_appointments
        );
        if let Some(a) = &s.assessment {
            text.push_str(&format!(" · {} {}", c.assessed_on, local_date(&a.at)));
        }
        if s.returned_assessments > 0 {
            text.push_str(&format!(" · {} {}", c.returned, s.returned_assessments));
        }
        if let Some(at) = &s.decided_at {
            text.push_str(&format!(" · {} {}", c.decided_on, local_date(at)));
        }
        if let Some(at) = &s.notified_at {
            text.push_str(&format!(" · {} {}", c.notified_on, local_date(at)));
        }
        lines.push(Line::raw(text));
        for d in &s.decisions {
            let codes: Vec<&str> = d
                .ground
                .iter()
                .map(String::as_str)
                .chain(d.reasons.iter().map(String::as_str))
                .chain(d.clauses.iter().map(String::as_str))
                .collect();
            lines.push(Line::raw(format!(
                "    {}: {} ({})",
                name_of(&d.individual_id),
                t.code(&d.outcome),
                codes.join(", ")
            )));
        }
    }
    if let Some(at) = &w.appeal_lodged_at {
        lines.push(Line::raw(format!(
            "  {}: {}",
            c.appeal_lodged,
            local_date(at)
        )));
    }
    if let Some(r) = &w.closure_reason {
        lines.push(Line::raw(format!("  {}: {}", c.closure, t.code(r))));
    }
    if w.reopenings > 0 {
        lines.push(Line::raw(format!("  {}: {}", c.reopenings, w.reopenings)));
    }
    lines.push(Line::styled(format!("{}:", t.history), bold()));
    for e in &k.events {
        lines.push(Line::raw(format!(
            "  {}  {:<14}{}",
            local_time(&e.at),
            e.actor,
            t.code(&e.kind)
        )));
    }
    lines
}

/// The allowed actions with their keys, in the order of [`ACTION_KEYS`].
pub fn action_line<'a>(t: &Text, k: &CaseCase) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for (key, action) in &ACTION_KEYS {
        if k.allowed_actions.contains(action) {
            spans.push(Span::styled(format!("{key}"), bold()));
            spans.push(Span::raw(format!(" {}  ", t.case.action(action))));
        }
    }
    spans
}

/// A case: the record, paged, with the allowed actions below.
pub fn draw_case(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let c = &t.case;
    let k = &app.case;
    let lines = match (&k.data, &k.error) {
        (_, Some(e)) if k.data.is_none() => vec![Line::styled(t.error(e), error())],
        (Some(d), _) => case_lines(t, d),
        (None, _) => vec![Line::raw(t.loading)],
    };
    let height = usize::from(area.height.saturating_sub(5));
    let total = lines.len();
    let top = k.top.min(total.saturating_sub(1));
    let shown: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
    frame.render_widget(
        Paragraph::new(shown),
        Rect {
            height: area.height.saturating_sub(5),
            ..area
        },
    );
    let bottom = area.y + area.height.saturating_sub(5);
    let mut msg = Vec::new();
    if top + height < total {
        msg.push(Span::styled(format!("{}  ", t.more_below), dim()));
    }
    if let Some(s) = &k.done {
        msg.push(Span::styled(
            format!("{} {}", c.done, t.code(s)),
            Style::new().fg(Color::Green),
        ));
    }
    if let (Some(e), Some(_)) = (&k.error, &k.data) {
        msg.push(Span::styled(t.error(e), error()));
    }
    frame.render_widget(Line::from(msg), Rect::new(area.x, bottom, area.width, 1));
    let actions = match &k.data {
        Some(d) if d.allowed_actions.is_empty() => {
            vec![Span::styled(c.no_actions, dim())]
        }
        Some(d) => {
            let mut s = vec![Span::styled(format!("{}: ", c.actions), bold())];
            s.extend(action_line(t, d));
            s
        }
        None => Vec::new(),
    };
    frame.render_widget(
        Paragraph::new(Line::from(actions)).wrap(Wrap { trim: true }),
        Rect::new(area.x, bottom + 1, area.width, 3),
    );
    frame.render_widget(
        Line::styled(c.case_hint, dim()),
        Rect::new(area.x, bottom + 4, area.width, 1),
    );
    if let Some(form) = &k.form {
        draw_form(t, form, frame, area);
    }
}

/// An action's form as a box over the screen.
pub fn draw_form(t: &Text, form: &ActionForm, frame: &mut Frame, area: Rect) {
    let c = &t.case;
    let problems = form.problems();
    let width = 72.min(area.width);
    let max_fields = usize::from(area.height.saturating_sub(8)).max(1);
    let first = form.focus.saturating_sub(max_fields.saturating_sub(1));
    let mut lines = Vec::new();
    if !form.bulk.is_empty() {
        lines.push(Line::raw(format!("{} {}", form.bulk.len(), c.chosen)));
    }
    if form.fields.is_empty() {
        lines.push(Line::raw(c.confirm));
    }
    let mut cursor = None;
    for (i, f) in form.fields.iter().enumerate().skip(first).take(max_fields) {
        let focus = i == form.focus;
        let name = cell(&label(t, &f.label), 24);
        let value = match &f.input {
            Input::Text(v) => v.value.clone(),
            Input::Choice { options, idx } => match options.get(*idx) {
                Some((_, l)) if l == "me" => format!("‹{}›", c.me),
                Some((_, l)) => format!("‹{}›", t.code(l)),
                None => format!("‹{}›", t.loading),
            },
        };
        let mut spans = vec![
            Span::raw(if focus { "> " } else { "  " }),
            Span::styled(name, if focus { bold() } else { Style::new() }),
            Span::raw(value.clone()),
        ];
        if focus && matches!(f.input, Input::Text(_)) {
            cursor = Some((lines.len(), 26 + value.chars().count()));
        }
        if let Some((_, p)) = problems.iter().find(|(j, _)| *j == i)
            && (form.tried || !matches!(p, crate::form::Problem::Required))
            && (!matches!(f.input, Input::Text(ref v) if v.value.is_empty()) || form.tried)
        {
            spans.push(Span::styled(format!("  {}", t.form_problem(*p)), error()));
        }
        lines.push(Line::from(spans));
    }
    if form
        .fields
        .iter()
        .any(|f| f.label == crate::form::Label::Codes)
        && let Some(f) = form.fields.get(form.focus)
        && f.label == crate::form::Label::Codes
    {
        lines.push(Line::styled(c.codes_hint, dim()));
    }
    if form.sending {
        lines.push(Line::raw(t.sending));
    }
    if let Some(e) = &form.error {
        lines.push(Line::styled(t.error(e), error()));
        lines.push(Line::raw(c.form_retry));
    }
    lines.push(Line::styled(c.form_hint, dim()));
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(area.height)
        .min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let title = if form.bulk.is_empty() {
        c.action(&form.action).to_string()
    } else {
        c.reassign.to_string()
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {title} "))),
        popup,
    );
    if let Some((row, col)) = cursor {
        let x = popup.x + 1 + u16::try_from(col).unwrap_or(0).min(width.saturating_sub(3));
        let y = popup.y + 1 + u16::try_from(row).unwrap_or(0);
        frame.set_cursor_position((x, y));
    }
}
