//! Draws the registration group screen. Like [`crate::view`]: plain lines and no fills, paged
//! rather than scrolled, so moving the selection sends about two rows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::group::{Group, members};
use crate::i18n::Text;
use crate::view::{bold, cell, dim, error, focused, when};

/// The group's lines before paging, and the line of each member in [`members`]' order; the
/// selected member is highlighted. [`crate::group`] uses the same lines to page.
pub fn group_lines<'a>(t: &Text, g: &'a Group, selected: usize) -> (Vec<Line<'a>>, Vec<usize>) {
    let w = &t.group_screen;
    let status = match g.status.as_str() {
        "active" => w.active,
        "closed" => w.closed,
        other => other,
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(g.group_number.as_str(), bold()),
            Span::raw(format!("   {}: {status}", w.status)),
        ]),
        Line::raw(format!(
            "{}: {}   {}: {}",
            t.office,
            g.office.name,
            w.registered_on,
            when(&g.created_at)
        )),
    ];
    if let Some(reason) = &g.closed_reason {
        lines.push(Line::styled(format!("{}: {reason}", w.closed), dim()));
    }
    let mut member_lines = Vec::new();
    let ordered = members(g);
    for (i, m) in ordered.iter().enumerate() {
        if i == 0 || (m.ended_at.is_some() && ordered[i - 1].ended_at.is_none()) {
            let title = if m.ended_at.is_some() {
                w.past_members
            } else {
                w.members
            };
            lines.push(Line::styled(format!("{title}:"), bold()));
        }
        // 78 columns: relationship 15, number 16, name 22, then 25 for birth and needs, or for
        // when and why a past member left.
        let person = match (&m.individual, &m.ended_at) {
            (None, _) => w.out_of_scope.to_string(),
            (Some(p), Some(ended)) => format!(
                "{}{}{} {} ({})",
                cell(&p.individual_number, 16),
                cell(&p.full_name, 22),
                w.ended,
                when(ended).get(..10).unwrap_or(ended),
                m.end_reason.as_deref().unwrap_or("—")
            ),
            (Some(p), None) => {
                let needs: Vec<&str> = p
                    .specific_needs
                    .iter()
                    .map(|n| n.sub_code.as_deref().unwrap_or(&n.code))
                    .collect();
                format!(
                    "{}{}{} {:<11}{}",
                    cell(&p.individual_number, 16),
                    cell(&p.full_name, 22),
                    cell(p.sex.as_deref().unwrap_or("—"), 1),
                    p.date_of_birth.as_deref().unwrap_or("—"),
                    needs.join(" ")
                )
            }
        };
        let text = format!("{}{person}", cell(t.relationship(&m.relationship), 15));
        member_lines.push(lines.len());
        let style = if i == selected {
            focused()
        } else if m.ended_at.is_some() {
            dim()
        } else {
            Default::default()
        };
        lines.push(Line::styled(text, style));
    }
    lines.push(Line::styled(format!("{}:", t.history), bold()));
    for e in &g.history {
        lines.push(Line::raw(format!(
            "  {}  {:<16}{}",
            when(&e.at),
            e.actor,
            e.kind
        )));
    }
    (lines, member_lines)
}

pub fn draw_group(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let g = &app.group;
    let lines = match (&g.data, &g.error) {
        (_, Some(e)) => vec![Line::styled(t.error(e), error())],
        (Some(data), None) => group_lines(t, data, g.selected).0,
        (None, None) => vec![Line::raw(t.loading)],
    };
    let height = usize::from(area.height.saturating_sub(1));
    let total = lines.len();
    let top = g.top.min(total.saturating_sub(1));
    let mut shown: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
    if top + height < total {
        shown.push(Line::styled(t.more_below, dim()));
    } else {
        shown.push(Line::styled(t.group_screen.hint, dim()));
    }
    frame.render_widget(Paragraph::new(shown), area);
}
