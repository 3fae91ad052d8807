//! One possible duplicate: the two records side by side (number, name, sex, birth,
//! nationalities, office, when enrolled and the positions enrolled), the score and match of each
//! finger and eye, and the fused score. `s` and `d` open the reason form; the version sent with
//! the decision is the one read here. It fits one 80x24 screen, so it is never scrolled.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::decide_form::{DecideForm, FormEvent};
use super::reviews::SIDE;
use super::reviews::texts::{self, Texts};
use super::{Nav, Outcome, Screen};
use crate::api::biometric_review::{BiometricPosition, BiometricReviewStatus};
use crate::api::{self, ApiError};
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{Cmd, Decision};
use crate::widgets::{bold, cell, dim, error, when};

pub type Review = api::biometric_review::BiometricReviewBiometricReview;
pub type Side = api::biometric_review::ReviewSide;

/// The review being looked at.
#[derive(Debug, Clone, Default)]
pub struct ReviewState {
    pub seq: u64,
    pub id: String,
    pub loading: bool,
    pub data: Option<Review>,
    pub error: Option<ApiError>,
    /// Why a decision was refused in a way that closed its form (someone else changed the
    /// review meanwhile); shown above the re-read review.
    pub notice: Option<ApiError>,
    pub form: Option<DecideForm>,
}

impl ReviewState {
    /// Opens a review, forgetting the one shown before.
    pub fn open(&mut self, id: String) -> Vec<Cmd> {
        *self = ReviewState {
            seq: self.seq,
            id,
            ..ReviewState::default()
        };
        vec![self.load()]
    }

    fn load(&mut self) -> Cmd {
        self.seq += 1;
        self.loading = true;
        Cmd::Review {
            seq: self.seq,
            id: self.id.clone(),
        }
    }

    /// Whether the reason form takes the keys.
    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        if let Some(form) = self.form.as_mut() {
            return match form.handle(&key) {
                FormEvent::Close => {
                    self.form = None;
                    Outcome::changed(true)
                }
                FormEvent::Send(cmd) => Outcome::send(vec![cmd]),
                FormEvent::Changed(changed) => Outcome::changed(changed),
            };
        }
        match key.code {
            KeyCode::Esc => Outcome::go(Nav::Back {
                fallback: Screen::Reviews,
                reread: false,
            }),
            KeyCode::Char('g') if !self.loading => {
                self.notice = None;
                Outcome::send(vec![self.load()])
            }
            KeyCode::Char(c @ ('s' | 'd')) => {
                let Some(data) = self.data.as_ref() else {
                    return Outcome::none();
                };
                if data.status != BiometricReviewStatus::PENDING {
                    return Outcome::none();
                }
                let decision = if c == 's' {
                    Decision::SamePerson
                } else {
                    Decision::DifferentPeople
                };
                self.form = Some(DecideForm::new(decision, data.id.clone(), data.version));
                self.notice = None;
                Outcome::changed(true)
            }
            _ => Outcome::none(),
        }
    }

    pub fn reply(&mut self, seq: u64, result: Result<Option<Review>, ApiError>) {
        let o = self;
        if seq != o.seq {
            return;
        }
        o.loading = false;
        match result {
            Ok(Some(data)) => {
                o.data = Some(data);
                o.error = None;
            }
            // Decided and gone from the unit's queue, or never in it.
            Ok(None) => {
                o.data = None;
                o.error = Some(ApiError::NotFound(o.id.clone()));
            }
            Err(e) => o.error = Some(e),
        }
    }

    /// A decision's answer: success goes back to the re-read list; a conflict closes the form
    /// and re-reads the review, whose new state decides whether deciding still makes sense;
    /// anything else keeps the form, so a retry sends the same id.
    pub fn decide_reply(&mut self, cmid: &str, result: Result<(), ApiError>) -> Outcome {
        let o = self;
        let Some(form) = o.form.as_mut().filter(|f| f.cmid == cmid) else {
            return Outcome::none();
        };
        form.sending = false;
        match result {
            Ok(()) => {
                let decision = form.decision;
                o.form = None;
                Outcome::go(Nav::Decided(decision))
            }
            Err(e @ ApiError::Conflict(_)) => {
                o.form = None;
                o.notice = Some(e);
                Outcome::send(vec![o.load()])
            }
            Err(e) => {
                form.error = Some(e);
                Outcome::changed(true)
            }
        }
    }

    pub fn help(&self, lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        if self.form.is_some() {
            t.keys_form
        } else {
            t.keys_review
        }
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let o = self;
        let w = t;
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
            form.draw(lang, frame, area);
        }
    }
}

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

/// Positions enrolled on one side, a whole hand as `R1-5`.
fn positions(t: &Texts, s: &Side) -> String {
    let w = t;
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
pub fn review_lines<'a>(t: &Texts, r: &'a Review) -> Vec<Line<'a>> {
    let w = t;
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
    type Field = fn(&Texts, &Side) -> String;
    let fields: [(&str, Field); 8] = [
        (t.col_number, |_, s| {
            s.individual
                .as_ref()
                .map_or("—".into(), |p| p.individual_number.clone())
        }),
        (t.col_name, |t, s| {
            s.individual
                .as_ref()
                .map_or(t.out_of_scope.into(), |p| p.full_name.clone())
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
