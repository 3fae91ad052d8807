//! The adjudication queue of possible biometric duplicates (F6, supervisors and protection
//! officers): pages of pending reviews, one review with both records side by side and the scores
//! per finger and eye, and the small form that decides it with a required reason. State, keys
//! and replies; [`crate::view_review`] draws them.
//!
//! The list asks only what its rows show; opening a review reads it whole, so the version sent
//! with the decision is the one the adjudicator looked at.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::{self, ApiError};
use crate::app::{App, Cmd, Screen, TextInput};
use crate::form::Problem;

/// Reviews per page: one line each, which leaves room at 80x24 for the headers and hints.
pub const REVIEWS_PAGE: usize = 16;

pub type Row = api::biometric_reviews::BiometricReviewsBiometricReviewsEdgesNode;
pub type RowSide = api::biometric_reviews::ReviewRowSide;
pub type Review = api::biometric_review::BiometricReviewBiometricReview;
pub type Side = api::biometric_review::ReviewSide;

/// What the adjudicator decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    SamePerson,
    DifferentPeople,
}

/// A page of the queue as the runtime hands it over.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewsPage {
    pub rows: Vec<Row>,
    pub has_next: bool,
    pub end_cursor: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ReviewsState {
    pub rows: Vec<Row>,
    pub selected: usize,
    pub page: usize,
    pub cursors: crate::cursors::Cursors,
    pub has_next: bool,
    pub seq: u64,
    pub loading: bool,
    pub loaded: bool,
    pub error: Option<ApiError>,
    /// When the shown page was read: ages are counted to then, so the list does not change
    /// (nor repaint) by itself.
    pub read_at: Option<DateTime<Utc>>,
    /// The last decision taken here, shown above the list until the queue is left.
    pub done: Option<Decision>,
    pub open: OpenReview,
}

/// The review being looked at.
#[derive(Debug, Clone, Default)]
pub struct OpenReview {
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

/// The reason form behind `s` and `d`.
#[derive(Debug, Clone)]
pub struct DecideForm {
    pub decision: Decision,
    pub reason: TextInput,
    /// Made when the form opens and kept until it closes: a retry after a lost answer is the
    /// same decision to the server, never a second one.
    pub cmid: String,
    pub review_id: String,
    pub version: i64,
    /// A send was tried: from then on an empty reason is shown as a problem.
    pub tried: bool,
    pub sending: bool,
    pub error: Option<ApiError>,
}

impl DecideForm {
    /// Why the form cannot be sent, once a send was tried.
    pub fn problem(&self) -> Option<Problem> {
        (self.tried && self.reason.value.trim().is_empty()).then_some(Problem::Required)
    }
}

impl App {
    /// Whether the user adjudicates possible duplicates.
    pub fn is_adjudicator(&self) -> bool {
        self.me.as_ref().is_some_and(|m| {
            m.roles
                .iter()
                .any(|r| r == "supervisor" || r == "protection_officer")
        })
    }

    /// Opens the queue on its first page, which holds the oldest reviews.
    pub fn open_reviews(&mut self, cmds: &mut Vec<Cmd>) {
        self.screen = Screen::Reviews;
        self.reviews.done = None;
        load(self, 0, cmds);
    }
}

fn load(app: &mut App, page: usize, cmds: &mut Vec<Cmd>) {
    let r = &mut app.reviews;
    if page == 0 {
        r.cursors.restart();
    }
    r.seq += 1;
    r.loading = true;
    let cmd = Cmd::Reviews {
        seq: r.seq,
        page,
        after: r.cursors.after(page),
    };
    app.send(cmds, cmd);
}

fn load_review(app: &mut App, cmds: &mut Vec<Cmd>) {
    let o = &mut app.reviews.open;
    o.seq += 1;
    o.loading = true;
    let cmd = Cmd::Review {
        seq: o.seq,
        id: o.id.clone(),
    };
    app.send(cmds, cmd);
}

fn open(app: &mut App, id: String, cmds: &mut Vec<Cmd>) {
    app.reviews.open = OpenReview {
        seq: app.reviews.open.seq,
        id,
        ..OpenReview::default()
    };
    app.screen = Screen::Review;
    load_review(app, cmds);
}

pub fn list_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    let r = &mut app.reviews;
    match key.code {
        KeyCode::Up if r.selected > 0 => {
            r.selected -= 1;
            true
        }
        KeyCode::Down if r.selected + 1 < r.rows.len() => {
            r.selected += 1;
            true
        }
        KeyCode::PageDown | KeyCode::Char('n') if r.has_next && !r.loading => {
            let next = r.page + 1;
            load(app, next, cmds);
            true
        }
        KeyCode::PageUp | KeyCode::Char('p') if r.page > 0 && !r.loading => {
            let prev = r.page - 1;
            load(app, prev, cmds);
            true
        }
        KeyCode::Char('g') if !r.loading => {
            let page = r.page;
            load(app, page, cmds);
            true
        }
        KeyCode::Enter => match r.rows.get(r.selected) {
            Some(row) => {
                let id = row.id.clone();
                open(app, id, cmds);
                true
            }
            None => false,
        },
        _ => false,
    }
}

pub fn review_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    if app.reviews.open.form.is_some() {
        return form_key(app, key, cmds);
    }
    let o = &mut app.reviews.open;
    match key.code {
        KeyCode::Esc => {
            app.screen = Screen::Reviews;
            true
        }
        KeyCode::Char('g') if !o.loading => {
            o.notice = None;
            load_review(app, cmds);
            true
        }
        KeyCode::Char(c @ ('s' | 'd')) => {
            let Some(data) = o.data.as_ref() else {
                return false;
            };
            if data.status != api::biometric_review::BiometricReviewStatus::PENDING {
                return false;
            }
            o.notice = None;
            o.form = Some(DecideForm {
                decision: if c == 's' {
                    Decision::SamePerson
                } else {
                    Decision::DifferentPeople
                },
                reason: TextInput::default(),
                cmid: uuid::Uuid::now_v7().to_string(),
                review_id: data.id.clone(),
                version: data.version,
                tried: false,
                sending: false,
                error: None,
            });
            true
        }
        _ => false,
    }
}

fn form_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    let o = &mut app.reviews.open;
    let Some(form) = o.form.as_mut() else {
        return false;
    };
    let submit = key.code == KeyCode::F(10)
        || key.code == KeyCode::Enter
        || (key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL));
    if key.code == KeyCode::Esc {
        o.form = None;
        return true;
    }
    if form.sending {
        return false;
    }
    if submit {
        form.tried = true;
        if form.problem().is_some() {
            return true;
        }
        form.sending = true;
        form.error = None;
        let cmd = Cmd::Decide {
            cmid: form.cmid.clone(),
            review_id: form.review_id.clone(),
            version: form.version,
            decision: form.decision,
            reason: form.reason.value.trim().to_string(),
        };
        app.send(cmds, cmd);
        return true;
    }
    form.reason.edit(&key)
}

pub fn list_reply(
    app: &mut App,
    seq: u64,
    page: usize,
    read_at: DateTime<Utc>,
    result: Result<ReviewsPage, ApiError>,
) {
    let r = &mut app.reviews;
    if seq != r.seq {
        return;
    }
    r.loading = false;
    match result {
        Ok(p) => {
            if r.page != page || r.selected >= p.rows.len() {
                r.selected = 0;
            }
            r.rows = p.rows;
            r.page = page;
            r.has_next = p.has_next;
            r.cursors.arrived(page, p.end_cursor);
            r.read_at = Some(read_at);
            r.loaded = true;
            r.error = None;
        }
        Err(e) => r.error = Some(e),
    }
}

pub fn review_reply(app: &mut App, seq: u64, result: Result<Option<Review>, ApiError>) {
    let o = &mut app.reviews.open;
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

/// A decision's answer: success goes back to the re-read list; a conflict closes the form and
/// re-reads the review, whose new state decides whether deciding still makes sense; anything
/// else keeps the form, so a retry sends the same id.
pub fn decide_reply(app: &mut App, cmid: &str, result: Result<(), ApiError>, cmds: &mut Vec<Cmd>) {
    let o = &mut app.reviews.open;
    let Some(form) = o.form.as_mut().filter(|f| f.cmid == cmid) else {
        return;
    };
    form.sending = false;
    match result {
        Ok(()) => {
            let decision = form.decision;
            o.form = None;
            app.reviews.done = Some(decision);
            if app.screen == Screen::Review {
                app.screen = Screen::Reviews;
            }
            load(app, 0, cmds);
        }
        Err(e @ ApiError::Conflict(_)) => {
            o.form = None;
            o.notice = Some(e);
            load_review(app, cmds);
        }
        Err(e) => form.error = Some(e),
    }
}
