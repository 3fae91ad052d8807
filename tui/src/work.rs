//! Case work: the officer's My work queue, the supervisor's view, and a case with its actions.
//! State and update only, like [`crate::app`]; `crate::view_case` draws them.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::{self, ApiError};
use crate::app::{App, Cmd, Screen};
use crate::form::{ActionForm, CaseContext};

/// Rows per page of My work at any size: fits 80x24 with its headers.
pub const WORK_PAGE: usize = 14;
/// Rows per page of a supervisor's list, below the summary.
pub const QUEUE_PAGE: usize = 8;

/// Statuses My work can be narrowed to; the first is "all".
pub const WORK_STATUSES: [&str; 10] = [
    "",
    "registered",
    "admissible",
    "scheduled",
    "interviewed",
    "assessed",
    "decided",
    "notified",
    "appeal_lodged",
    "on_hold",
];

/// A case in a list, the same whichever list brought it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: String,
    pub case_number: String,
    pub status: String,
    pub days_waiting: i64,
    pub priority: bool,
    pub needs: Vec<String>,
    pub version: i64,
    pub due: Option<String>,
    pub overdue: bool,
}

macro_rules! row_from {
    ($m:ident) => {
        impl From<api::$m::CaseRow> for CaseRow {
            fn from(r: api::$m::CaseRow) -> Self {
                Self {
                    id: r.id,
                    case_number: r.case_number,
                    status: r.status,
                    days_waiting: r.days_waiting,
                    priority: r.priority,
                    needs: r.specific_need_codes,
                    version: r.version,
                    due: r.deadlines.due,
                    overdue: r.deadlines.overdue,
                }
            }
        }
    };
}
row_from!(my_work);
row_from!(case_queue);

/// A page of cases and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasePage {
    pub rows: Vec<CaseRow>,
    pub has_next: bool,
    pub end_cursor: Option<String>,
}

/// A supervisor's list, in the order the keys 1 to 5 pick them.
pub const LISTS: [api::case_queue::CaseList; 5] = [
    api::case_queue::CaseList::AWAITING_REVIEW,
    api::case_queue::CaseList::ABANDONMENT_CANDIDATES,
    api::case_queue::CaseList::APPEALS_NEAR_DEADLINE,
    api::case_queue::CaseList::OVERDUE,
    api::case_queue::CaseList::PRIORITY,
];

/// A re-read started by a notice, and whether another notice came while it was out: a burst
/// of notices makes at most two reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reload {
    pub out: bool,
    pub again: bool,
}

/// A paged list of cases.
#[derive(Debug, Clone, Default)]
pub struct CaseList {
    pub rows: Vec<CaseRow>,
    pub selected: usize,
    pub page: usize,
    pub cursors: crate::cursors::Cursors,
    pub has_next: bool,
    pub seq: u64,
    pub loading: bool,
    pub loaded: bool,
    pub error: Option<ApiError>,
    pub reload: Reload,
}

impl CaseList {
    fn after(&self, page: usize) -> Option<String> {
        self.cursors.after(page)
    }

    /// Takes a page; false when it is the page already shown.
    fn take(&mut self, page: usize, result: Result<CasePage, ApiError>) -> bool {
        self.loading = false;
        match result {
            Ok(p) => {
                let same = self.loaded
                    && self.page == page
                    && self.rows == p.rows
                    && self.has_next == p.has_next
                    && self.error.is_none();
                self.cursors.arrived(page, p.end_cursor);
                if same {
                    return false;
                }
                if self.page != page || self.selected >= p.rows.len() {
                    self.selected = 0;
                }
                self.rows = p.rows;
                self.page = page;
                self.has_next = p.has_next;
                self.loaded = true;
                self.error = None;
            }
            Err(e) => {
                if self.error.as_ref() == Some(&e) {
                    return false;
                }
                self.error = Some(e);
            }
        }
        true
    }

    fn navigate(&mut self, key: &KeyEvent) -> Option<Option<usize>> {
        match key.code {
            KeyCode::Up if self.selected > 0 => {
                self.selected -= 1;
                Some(None)
            }
            KeyCode::Down if self.selected + 1 < self.rows.len() => {
                self.selected += 1;
                Some(None)
            }
            KeyCode::PageDown | KeyCode::Char('n') if self.has_next && !self.loading => {
                Some(Some(self.page + 1))
            }
            KeyCode::PageUp | KeyCode::Char('p') if self.page > 0 && !self.loading => {
                Some(Some(self.page - 1))
            }
            _ => None,
        }
    }
}

/// My work: the officer's open cases, what is due first on top.
#[derive(Debug, Clone, Default)]
pub struct WorkState {
    pub list: CaseList,
    /// Index into [`WORK_STATUSES`].
    pub status: usize,
    pub priority_only: bool,
    pub overdue_only: bool,
}

/// The unit at a glance and the supervisor's lists.
#[derive(Debug, Clone, Default)]
pub struct SupervisorState {
    pub summary: Option<api::case_summary::CaseSummaryCaseSummary>,
    pub summary_seq: u64,
    pub summary_error: Option<ApiError>,
    /// Index into [`LISTS`].
    pub which: usize,
    pub list: CaseList,
    /// Ids of the cases chosen for a bulk reassignment, with the version read.
    pub chosen: Vec<(String, i64)>,
    /// The reassignment form, when open.
    pub form: Option<ActionForm>,
    pub done: Option<usize>,
}

/// One case, its record and the form of the action being taken.
#[derive(Debug, Clone, Default)]
pub struct CaseState {
    pub id: String,
    pub seq: u64,
    pub loading: bool,
    pub data: Option<api::case::CaseCase>,
    pub error: Option<ApiError>,
    pub top: usize,
    pub came_from: Option<Screen>,
    pub form: Option<ActionForm>,
    pub reload: Reload,
    /// The status the last accepted action left, shown until the next one.
    pub done: Option<String>,
}

/// The key of each action on the case screen.
pub const ACTION_KEYS: [(char, api::case::CaseAction); 16] = {
    use api::case::CaseAction as A;
    [
        ('d', A::DECIDE_ADMISSIBILITY),
        ('s', A::SCHEDULE_INTERVIEW),
        ('i', A::RECORD_INTERVIEW),
        ('x', A::RECORD_NO_SHOW),
        ('c', A::RECORD_CONTACT),
        ('e', A::SUBMIT_ASSESSMENT),
        ('v', A::REVIEW_ASSESSMENT),
        ('t', A::NOTIFY_DECISION),
        ('l', A::LODGE_APPEAL),
        ('w', A::WITHDRAW_CASE),
        ('z', A::CLOSE_CASE),
        ('b', A::CONFIRM_ABANDONMENT),
        ('o', A::REOPEN_CASE),
        ('a', A::ASSIGN_CASE),
        ('h', A::PUT_CASE_ON_HOLD),
        ('u', A::RESUME_CASE),
    ]
};

/// The key that opens an action's form.
pub fn action_key(action: &api::case::CaseAction) -> Option<char> {
    ACTION_KEYS
        .iter()
        .find(|(_, a)| a == action)
        .map(|(k, _)| *k)
}

impl App {
    fn work_filter(&self) -> api::my_work::WorkFilterInput {
        let w = &self.work;
        api::my_work::WorkFilterInput {
            status: WORK_STATUSES
                .get(w.status)
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string()),
            priority_only: w.priority_only,
            overdue_only: w.overdue_only,
        }
    }

    /// Reads a page of My work; `silent` for re-reads after a notice.
    pub(crate) fn load_work(&mut self, page: usize, silent: bool, cmds: &mut Vec<Cmd>) {
        self.work.list.seq += 1;
        if !silent {
            self.work.list.loading = true;
        }
        let cmd = Cmd::Work {
            seq: self.work.list.seq,
            page,
            filter: self.work_filter(),
            after: self.work.list.after(page),
        };
        self.send_maybe_silent(cmds, cmd, silent);
    }

    /// Reads the summary and a page of the current list.
    pub(crate) fn load_supervisor(&mut self, page: usize, silent: bool, cmds: &mut Vec<Cmd>) {
        let s = &mut self.supervisor;
        s.summary_seq += 1;
        s.list.seq += 1;
        if !silent {
            s.list.loading = true;
        }
        let summary = Cmd::Summary { seq: s.summary_seq };
        let queue = Cmd::Queue {
            seq: s.list.seq,
            page,
            list: LISTS.get(s.which).cloned().unwrap_or(LISTS[0].clone()),
            after: s.list.after(page),
        };
        self.send_maybe_silent(cmds, summary, silent);
        self.send_maybe_silent(cmds, queue, silent);
    }

    pub(crate) fn load_case(&mut self, silent: bool, cmds: &mut Vec<Cmd>) {
        self.case.seq += 1;
        if !silent {
            self.case.loading = true;
        }
        let cmd = Cmd::Case {
            seq: self.case.seq,
            id: self.case.id.clone(),
        };
        self.send_maybe_silent(cmds, cmd, silent);
    }

    /// Opens My work and reads its first page.
    pub fn open_work(&mut self, cmds: &mut Vec<Cmd>) {
        self.screen = Screen::Work;
        self.work.list.cursors.restart();
        self.load_work(0, false, cmds);
    }

    /// Opens the supervisor's view and reads it.
    pub fn open_supervisor(&mut self, cmds: &mut Vec<Cmd>) {
        self.screen = Screen::Supervisor;
        self.supervisor.list.cursors.restart();
        self.load_supervisor(0, false, cmds);
    }

    /// Opens a case from a list.
    pub fn open_case(&mut self, id: String, cmds: &mut Vec<Cmd>) {
        let came_from = self.screen;
        self.case = CaseState {
            id,
            seq: self.case.seq,
            came_from: Some(came_from),
            ..CaseState::default()
        };
        self.screen = Screen::Case;
        self.load_case(false, cmds);
    }

    fn officers_list(&self) -> Option<Vec<(String, String)>> {
        self.officers.as_ref().map(|o| {
            o.iter()
                .map(|x| (x.id.clone(), x.username.clone()))
                .collect()
        })
    }

    fn need_officers(&mut self, cmds: &mut Vec<Cmd>) {
        if self.officers.is_none() && !self.officers_asked {
            self.officers_asked = true;
            self.send(cmds, Cmd::Officers);
        }
    }
}

/// My work's keys.
pub fn work_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    if let Some(nav) = app.work.list.navigate(&key) {
        if let Some(page) = nav {
            app.load_work(page, false, cmds);
        }
        return true;
    }
    let w = &mut app.work;
    match key.code {
        KeyCode::Enter => match w.list.rows.get(w.list.selected) {
            Some(r) => {
                let id = r.id.clone();
                app.open_case(id, cmds);
                true
            }
            None => false,
        },
        KeyCode::Char('f') | KeyCode::Char('F') => {
            let n = WORK_STATUSES.len();
            w.status = if key.code == KeyCode::Char('F') {
                (w.status + n - 1) % n
            } else {
                (w.status + 1) % n
            };
            app.open_work(cmds);
            true
        }
        KeyCode::Char('!') => {
            w.priority_only = !w.priority_only;
            app.open_work(cmds);
            true
        }
        KeyCode::Char('o') => {
            w.overdue_only = !w.overdue_only;
            app.open_work(cmds);
            true
        }
        KeyCode::Char('g') => {
            let page = app.work.list.page;
            app.load_work(page, false, cmds);
            true
        }
        _ => false,
    }
}

/// The supervisor view's keys.
pub fn supervisor_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    if app.supervisor.form.is_some() {
        return form_key(app, key, cmds, true);
    }
    if let Some(nav) = app.supervisor.list.navigate(&key) {
        if let Some(page) = nav {
            app.load_supervisor(page, false, cmds);
        }
        return true;
    }
    let s = &mut app.supervisor;
    match key.code {
        KeyCode::Char(c @ '1'..='5') => {
            let which = usize::from(c as u8 - b'1');
            if which == s.which {
                return false;
            }
            s.which = which;
            s.chosen.clear();
            s.list = crate::work::CaseList::default();
            app.open_supervisor(cmds);
            true
        }
        KeyCode::Enter => match s.list.rows.get(s.list.selected) {
            Some(r) => {
                let id = r.id.clone();
                app.open_case(id, cmds);
                true
            }
            None => false,
        },
        KeyCode::Char(' ') => match s.list.rows.get(s.list.selected) {
            Some(r) => {
                if let Some(i) = s.chosen.iter().position(|(id, _)| *id == r.id) {
                    s.chosen.remove(i);
                } else {
                    s.chosen.push((r.id.clone(), r.version));
                }
                if s.list.selected + 1 < s.list.rows.len() {
                    s.list.selected += 1;
                }
                true
            }
            None => false,
        },
        KeyCode::Char('a') => {
            let mut cases = s.chosen.clone();
            if cases.is_empty() {
                match s.list.rows.get(s.list.selected) {
                    Some(r) => cases.push((r.id.clone(), r.version)),
                    None => return false,
                }
            }
            let officers = app.officers_list();
            let mut form = ActionForm::new(
                api::case::CaseAction::ASSIGN_CASE,
                "",
                0,
                &CaseContext::default(),
                officers.as_deref(),
            );
            form.bulk = cases;
            app.supervisor.form = Some(form);
            app.supervisor.done = None;
            app.need_officers(cmds);
            true
        }
        KeyCode::Char('g') => {
            let page = app.supervisor.list.page;
            app.load_supervisor(page, false, cmds);
            true
        }
        _ => false,
    }
}

/// The case screen's keys: paging, and a key per allowed action.
pub fn case_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    if app.case.form.is_some() {
        return form_key(app, key, cmds, false);
    }
    // The view shows the body less the message, three action lines and the hint.
    let page = usize::from(app.size.1.saturating_sub(7)).max(1);
    let total = app.case.data.as_ref().map_or(0, |c| {
        crate::view_case::case_lines(app.lang.text(), c).len()
    });
    let c = &mut app.case;
    match key.code {
        KeyCode::Esc => {
            app.screen = c.came_from.take().unwrap_or(Screen::Work);
            match app.screen {
                Screen::Work => {
                    let page = app.work.list.page;
                    app.load_work(page, false, cmds);
                }
                Screen::Supervisor => {
                    let page = app.supervisor.list.page;
                    app.load_supervisor(page, false, cmds);
                }
                _ => {}
            }
            true
        }
        KeyCode::PageDown | KeyCode::Char('n') if c.top + page < total => {
            c.top += page;
            true
        }
        KeyCode::PageUp | KeyCode::Char('p') if c.top > 0 => {
            c.top = c.top.saturating_sub(page);
            true
        }
        KeyCode::Char('g') => {
            app.load_case(false, cmds);
            true
        }
        KeyCode::Char(k) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            let Some(data) = &c.data else { return false };
            let Some((_, action)) = ACTION_KEYS.iter().find(|(ch, _)| *ch == k) else {
                return false;
            };
            if !data.allowed_actions.contains(action) {
                return false;
            }
            let ctx = CaseContext {
                members: data
                    .members
                    .iter()
                    .filter_map(|m| {
                        m.individual
                            .as_ref()
                            .map(|i| (i.id.clone(), i.full_name.clone()))
                    })
                    .collect(),
                appointments: data
                    .workflow
                    .pending_appointments
                    .iter()
                    .map(|a| (a.id.clone(), crate::view_case::local_time(&a.at)))
                    .collect(),
                my_id: app.me.as_ref().map(|m| m.id.clone()),
            };
            let (id, version) = (data.id.clone(), data.version);
            let officers = app.officers_list();
            let form = ActionForm::new(action.clone(), &id, version, &ctx, officers.as_deref());
            app.case.form = Some(form);
            app.case.done = None;
            if matches!(
                action,
                api::case::CaseAction::SCHEDULE_INTERVIEW
                    | api::case::CaseAction::REOPEN_CASE
                    | api::case::CaseAction::ASSIGN_CASE
            ) {
                app.need_officers(cmds);
            }
            true
        }
        _ => false,
    }
}

fn form_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>, bulk: bool) -> bool {
    let submit = key.code == KeyCode::F(10)
        || (key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL));
    let form = if bulk {
        app.supervisor.form.as_mut()
    } else {
        app.case.form.as_mut()
    };
    let Some(form) = form else { return false };
    if key.code == KeyCode::Esc {
        if bulk {
            app.supervisor.form = None;
        } else {
            app.case.form = None;
        }
        return true;
    }
    let last = form.focus + 1 >= form.fields.len();
    if submit || (key.code == KeyCode::Enter && last) {
        if form.sending {
            return false;
        }
        form.tried = true;
        let Some(input) = form.input() else {
            return true;
        };
        let cmid = form
            .cmid
            .get_or_insert_with(|| uuid::Uuid::now_v7().to_string())
            .clone();
        form.sending = true;
        form.error = None;
        let cmd = Cmd::Act {
            cmid,
            case_id: form.case_id.clone(),
            version: form.version,
            input,
        };
        app.send(cmds, cmd);
        return true;
    }
    if key.code == KeyCode::Enter {
        form.focus += 1;
        return true;
    }
    if form.sending {
        return false;
    }
    form.key(&key)
}

/// What an action's mutation answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActDone {
    /// The case's status after it; `None` for a bulk reassignment.
    pub status: Option<String>,
    /// How many cases a bulk reassignment moved.
    pub cases: usize,
}

/// An action's answer: success closes the form and re-reads the screen; a refusal keeps the
/// form with the server's message so it can be fixed or retried.
pub fn act_reply(
    app: &mut App,
    cmid: &str,
    result: Result<ActDone, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    let bulk = app
        .supervisor
        .form
        .as_ref()
        .is_some_and(|f| f.cmid.as_deref() == Some(cmid));
    let form = if bulk {
        app.supervisor.form.as_mut()
    } else {
        app.case.form.as_mut()
    };
    let Some(form) = form.filter(|f| f.cmid.as_deref() == Some(cmid)) else {
        return;
    };
    form.sending = false;
    match result {
        Ok(done) => {
            if bulk {
                app.supervisor.form = None;
                app.supervisor.chosen.clear();
                app.supervisor.done = Some(done.cases);
                let page = app.supervisor.list.page;
                app.load_supervisor(page, false, cmds);
            } else {
                app.case.form = None;
                app.case.done = done.status;
                app.load_case(false, cmds);
            }
        }
        Err(e) => {
            // A timeout or a broken link leaves the outcome unknown: the id stays, so the
            // retry cannot act twice. A refusal is final for that id; the next submit of the
            // same form is a retry the server answers the same way unless something changed.
            form.error = Some(e);
        }
    }
}

/// A reply to a list, summary or case read. Returns whether the screen changed.
pub fn list_reply(app: &mut App, which: ListReply, silent: bool, cmds: &mut Vec<Cmd>) -> bool {
    match which {
        ListReply::Work { seq, page, result } => {
            let l = &mut app.work.list;
            if seq != l.seq {
                return false;
            }
            let changed = l.take(page, result);
            let again = finish_reload(&mut l.reload, silent);
            if again {
                app.load_work(page, true, cmds);
            }
            changed
        }
        ListReply::Queue { seq, page, result } => {
            let l = &mut app.supervisor.list;
            if seq != l.seq {
                return false;
            }
            let changed = l.take(page, result);
            l.selected = l.selected.min(l.rows.len().saturating_sub(1));
            let again = finish_reload(&mut l.reload, silent);
            if again {
                app.load_supervisor(page, true, cmds);
            }
            changed
        }
        ListReply::Summary { seq, result } => {
            let s = &mut app.supervisor;
            if seq != s.summary_seq {
                return false;
            }
            match result {
                Ok(d) => {
                    let changed =
                        s.summary.as_ref() != Some(&d.case_summary) || s.summary_error.is_some();
                    s.summary = Some(d.case_summary);
                    s.summary_error = None;
                    changed
                }
                Err(e) => {
                    let changed = s.summary_error.as_ref() != Some(&e);
                    s.summary_error = Some(e);
                    changed
                }
            }
        }
        ListReply::Case { seq, result } => {
            let c = &mut app.case;
            if seq != c.seq {
                return false;
            }
            c.loading = false;
            let changed = match result {
                Ok(d) => {
                    let changed = c.data.as_ref() != Some(&d.case) || c.error.is_some();
                    if let Some(form) = &mut c.form
                        && form.version != d.case.version
                        && !form.sending
                    {
                        // Someone else acted: the form now answers to what is shown.
                        form.version = d.case.version;
                    }
                    c.data = Some(d.case);
                    c.error = None;
                    changed
                }
                Err(e) => {
                    let changed = c.error.as_ref() != Some(&e);
                    c.error = Some(e);
                    changed
                }
            };
            if finish_reload(&mut c.reload, silent) {
                app.load_case(true, cmds);
            }
            changed || !silent
        }
    }
}

/// Ends a re-read; true when notices came meanwhile and one more read is due.
fn finish_reload(r: &mut Reload, silent: bool) -> bool {
    if !silent {
        return false;
    }
    r.out = false;
    if r.again {
        r.again = false;
        r.out = true;
        return true;
    }
    false
}

/// Starts a re-read unless one is out, in which case one more follows it.
fn start_reload(r: &mut Reload) -> bool {
    if r.out {
        r.again = true;
        false
    } else {
        r.out = true;
        true
    }
}

/// A notice from the live link: re-reads what is on screen if it concerns it. My work is
/// concerned when the case is listed or the caller is (or was) its officer: notices of the
/// whole office would otherwise re-read it for nothing on a thin link.
pub fn notice(
    app: &mut App,
    case_id: &str,
    kind: &str,
    officer_ids: &[String],
    cmds: &mut Vec<Cmd>,
) {
    let reload_all = kind == "reload";
    let mine = app.me.as_ref().is_some_and(|m| officer_ids.contains(&m.id))
        || app.work.list.rows.iter().any(|r| r.id == case_id);
    match app.screen {
        Screen::Case
            if (reload_all || app.case.id == case_id) && start_reload(&mut app.case.reload) =>
        {
            app.load_case(true, cmds);
        }
        Screen::Work if (reload_all || mine) && start_reload(&mut app.work.list.reload) => {
            let page = app.work.list.page;
            app.load_work(page, true, cmds);
        }
        Screen::Supervisor if start_reload(&mut app.supervisor.list.reload) => {
            let page = app.supervisor.list.page;
            app.load_supervisor(page, true, cmds);
        }
        _ => {}
    }
}

/// Replies of reads, grouped for [`list_reply`].
#[derive(Debug, Clone)]
pub enum ListReply {
    Work {
        seq: u64,
        page: usize,
        result: Result<CasePage, ApiError>,
    },
    Queue {
        seq: u64,
        page: usize,
        result: Result<CasePage, ApiError>,
    },
    Summary {
        seq: u64,
        result: Result<api::case_summary::ResponseData, ApiError>,
    },
    Case {
        seq: u64,
        result: Result<Box<api::case::ResponseData>, ApiError>,
    },
}

impl ListReply {
    /// The error, if the read failed.
    pub fn error(&self) -> Option<&ApiError> {
        match self {
            Self::Work { result, .. } | Self::Queue { result, .. } => result.as_ref().err(),
            Self::Summary { result, .. } => result.as_ref().err(),
            Self::Case { result, .. } => result.as_ref().err(),
        }
    }
}
