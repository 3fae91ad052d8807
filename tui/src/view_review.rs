//! Draws the duplicates queue, a review and its decision form. Plain lines, no fills; the
//! review fits one 80x24 screen (two 30-column records, a 70-column score table) so it is
//! never scrolled.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::api::biometric_review::{BiometricPosition, BiometricReviewStatus};
use crate::app::App;
use crate::i18n::Text;
use crate::review::{DecideForm, Review, RowSide, Side};
use crate::view::{bold, cell, dim, error, focused, when};

/// Width of one record's column; two of them and a 16-column label make 76.
const SIDE: usize = 30;

/// The index of a finger or eye in ISO order (0-9 fingers, 10-11 irises); `None` for the face.
fn position_index(p: &BiometricPosition) -> Option<usize> {
    use BiometricPosition::*;
    Some(match p {
        RIGHT_THUMB => 0,
        RIGHT_INDEX => 1,
        RIGHT_MIDDLE => 2,
        RIGHT_RING => 3,
        RIGHT_LITTLE => 4,
        LEFT_THUMB => 5,
        LEFT_INDEX => 6,
        LEFT_MIDDLE => 7,
        LEFT_RING => 8,
        LEFT_LITTLE => 9,
        RIGHT_IRIS => 10,
        LEFT_IRIS => 11,
        _ => return None,
    })
}

/// How long a review has waited, to when the page was read: `12 min`, `5 h`, `3 d`.
pub fn age(t: &Text, created_at: &str, read_at: Option<DateTime<Utc>>) -> String {
    let (Some(now), Ok(created)) = (read_at, DateTime::parse_from_rfc3339(created_at)) else {
        return "—".to_string();
    };
    let minutes = (now - created.with_timezone(&Utc)).num_minutes().max(0);
    let w = &t.reviews;
    match minutes {
        m if m < 60 => format!("{m} {}", w.minutes),
        m if m < 48 * 60 => format!("{} {}", m / 60, w.hours),
        m => format!("{} {}", m / (24 * 60), w.days),
    }
}

fn row_side(t: &Text, s: &RowSide) -> String {
    match &s.individual {
        Some(p) => cell(&format!("{} {}", p.individual_number, p.full_name), SIDE),
        None => cell(t.reviews.out_of_scope, SIDE),
    }
}

pub fn draw_reviews(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let r = &app.reviews;
    let w = &t.reviews;
    let mut lines = vec![Line::styled(
        format!(
            "{} {} {:>6}  {}",
            cell(w.col_enrolled, SIDE),
            cell(w.col_candidate, SIDE),
            w.col_score,
            w.col_age
        ),
        bold(),
    )];
    if let Some(d) = r.done {
        lines.push(Line::styled(
            format!("{}: {}", w.decided, w.decision(d)),
            bold(),
        ));
    }
    if let Some(e) = &r.error {
        lines.push(Line::styled(t.error(e), error()));
    }
    if !r.loaded && r.error.is_none() {
        lines.push(Line::raw(t.loading));
    } else if r.loaded && r.rows.is_empty() {
        lines.push(Line::raw(w.empty));
    }
    for (i, row) in r.rows.iter().enumerate() {
        let text = format!(
            "{} {} {:>6.2}  {}",
            row_side(t, &row.enrolled),
            row_side(t, &row.candidate),
            row.score,
            age(t, &row.created_at, r.read_at)
        );
        lines.push(if i == r.selected {
            Line::styled(text, focused())
        } else {
            Line::raw(text)
        });
    }
    let mut footer = format!("{} {}", t.page, r.page + 1);
    if r.loading && r.loaded {
        footer.push_str(" · ");
        footer.push_str(t.loading);
    }
    let height = usize::from(area.height);
    // The footer and hint sit on the last two lines whatever the page holds.
    lines.truncate(height.saturating_sub(2));
    lines.resize(height.saturating_sub(2), Line::default());
    lines.push(Line::raw(footer));
    lines.push(Line::styled(w.list_hint, dim()));
    frame.render_widget(Paragraph::new(lines), area);
}

/// Positions enrolled on one side, a whole hand as `R1-5`.
fn positions(t: &Text, s: &Side) -> String {
    let w = &t.reviews;
    let mut have = [false; 12];
    let mut face = false;
    for sample in &s.samples {
        match position_index(&sample.position) {
            Some(i) => have[i] = true,
            None => face = true,
        }
    }
    let mut parts: Vec<String> = Vec::new();
    for range in [0..5, 5..10] {
        let start = range.start;
        if have[range.clone()].iter().all(|h| *h) {
            let first = w.position_codes[start];
            let last = w.position_codes[start + 4];
            parts.push(format!("{first}-{}", last.get(1..).unwrap_or(last)));
        } else {
            parts.extend(
                range
                    .filter(|i| have[*i])
                    .map(|i| w.position_codes[i].into()),
            );
        }
    }
    parts.extend(
        (10..12)
            .filter(|i| have[*i])
            .map(|i| w.position_codes[i].into()),
    );
    if face {
        parts.push(w.face.into());
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(" ")
    }
}

/// The review's lines: the two records side by side, then the table of scores.
pub fn review_lines<'a>(t: &Text, r: &'a Review) -> Vec<Line<'a>> {
    let w = &t.reviews;
    let status = match r.status {
        BiometricReviewStatus::PENDING => w.pending,
        BiometricReviewStatus::SAME_PERSON => w.same_person,
        BiometricReviewStatus::DIFFERENT_PEOPLE => w.different_people,
        BiometricReviewStatus::Other(ref s) => s.as_str(),
    };
    let mut lines = vec![
        Line::raw(format!(
            "{} {}   {}: {status}",
            w.queued,
            when(&r.created_at),
            w.status
        )),
        Line::styled(
            format!(
                "{}{} {}",
                cell("", 16),
                cell(w.col_enrolled, SIDE),
                w.col_candidate
            ),
            bold(),
        ),
    ];
    type Field = fn(&Text, &Side) -> String;
    let fields: [(&str, Field); 8] = [
        (t.col_number, |_, s| {
            s.individual
                .as_ref()
                .map_or("—".into(), |p| p.individual_number.clone())
        }),
        (t.col_name, |t, s| {
            s.individual
                .as_ref()
                .map_or(t.reviews.out_of_scope.into(), |p| p.full_name.clone())
        }),
        (t.sex, |_, s| {
            s.individual
                .as_ref()
                .and_then(|p| p.sex.clone())
                .unwrap_or("—".into())
        }),
        (t.birth_date, |_, s| {
            s.individual
                .as_ref()
                .and_then(|p| p.date_of_birth.clone())
                .unwrap_or("—".into())
        }),
        (t.nationalities, |_, s| {
            s.individual
                .as_ref()
                .map_or("—".into(), |p| p.nationalities.join(", "))
        }),
        (t.office, |_, s| {
            s.individual
                .as_ref()
                .map_or("—".into(), |p| p.office.name.clone())
        }),
        (w.enrolled_at, |_, s| when(&s.enrolled_at)),
        (w.positions, positions),
    ];
    for (label, value) in fields {
        lines.push(Line::from(vec![
            Span::styled(cell(label, 16), dim()),
            Span::raw(format!(
                "{} {}",
                cell(&value(t, &r.enrolled), SIDE),
                value(t, &r.candidate)
            )),
        ]));
    }
    lines.push(Line::default());
    let mut scores: [Option<(f64, bool)>; 12] = [None; 12];
    for p in &r.position_scores {
        if let Some(i) = position_index(&p.position) {
            scores[i] = Some((p.score, p.matched));
        }
    }
    let mut head = cell(w.row_position, 10);
    let mut score = cell(w.row_score, 10);
    let mut matched = cell(w.row_match, 10);
    for (code, s) in w.position_codes.iter().zip(scores) {
        head.push_str(&format!("{code:>4} "));
        match s {
            Some((v, m)) => {
                score.push_str(&format!("{v:>4.2} "));
                matched.push_str(if m { "   ✓ " } else { "   · " });
            }
            None => {
                score.push_str("   — ");
                matched.push_str("     ");
            }
        }
    }
    lines.push(Line::styled(head, bold()));
    lines.push(Line::raw(score));
    lines.push(Line::raw(matched));
    lines.push(Line::from(vec![
        Span::styled(format!("{}: {:.2}", w.fused, r.score), bold()),
        Span::styled(format!("  {}", w.threshold), dim()),
    ]));
    // Last before the reason form, which may cover it: the least needed line.
    lines.push(Line::styled(w.legend, dim()));
    if let Some(reason) = &r.decision_reason {
        lines.push(Line::raw(format!("{}: {reason}", w.reason)));
    }
    lines
}

pub fn draw_review(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let o = &app.reviews.open;
    let w = &t.reviews;
    let mut lines = Vec::new();
    if let Some(e) = &o.notice {
        lines.push(Line::styled(t.error(e), error()));
    }
    let pending = o
        .data
        .as_ref()
        .is_some_and(|d| d.status == BiometricReviewStatus::PENDING);
    match (&o.data, &o.error) {
        (_, Some(e)) => lines.push(Line::styled(t.error(e), error())),
        (Some(data), None) => lines.extend(review_lines(t, data)),
        (None, None) => lines.push(Line::raw(t.loading)),
    }
    let height = usize::from(area.height);
    lines.truncate(height.saturating_sub(1));
    lines.resize(height.saturating_sub(1), Line::default());
    lines.push(Line::styled(
        if pending {
            w.review_hint
        } else {
            w.decided_hint
        },
        dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
    if let Some(form) = &o.form {
        draw_form(t, form, frame, area);
    }
}

/// The reason form, over the bottom of the review so the scores stay in sight.
fn draw_form(t: &Text, form: &DecideForm, frame: &mut Frame, area: Rect) {
    let w = &t.reviews;
    let width = 72.min(area.width);
    let label = format!("{}: ", w.reason);
    let mut spans = vec![Span::styled(label.clone(), bold())];
    // The end of a long reason stays in sight as it is typed.
    let room = usize::from(width.saturating_sub(3)).saturating_sub(label.chars().count());
    let typed: Vec<char> = form.reason.value.chars().collect();
    let shown: String = typed[typed.len().saturating_sub(room)..].iter().collect();
    let cursor_col = label.chars().count() + shown.chars().count();
    spans.push(Span::raw(shown));
    let mut lines = vec![Line::from(spans)];
    if let Some(p) = form.problem() {
        lines.push(Line::styled(t.form_problem(p), error()));
    }
    if form.sending {
        lines.push(Line::raw(t.sending));
    }
    if let Some(e) = &form.error {
        lines.push(Line::styled(t.error(e), error()));
        lines.push(Line::raw(t.case.form_retry));
    }
    lines.push(Line::styled(w.form_hint, dim()));
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(area.height)
        .min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + area.height.saturating_sub(height + 1),
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(
                " {}: {} ",
                w.decision_title,
                w.decision(form.decision)
            ))),
        popup,
    );
    let x = popup.x + 1 + u16::try_from(cursor_col).unwrap_or(0);
    frame.set_cursor_position((x.min(popup.x + width.saturating_sub(2)), popup.y + 1));
}
