//! The client's whole state and the one function that changes it. Keys, resizes and network
//! replies all arrive as a [`Msg`]; [`update`] changes the [`App`] and returns the [`Cmd`]s
//! (network requests) to run. Nothing here blocks, draws or touches the network, so tests drive
//! exactly the path real keys take.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::api::{self, ApiError};
use crate::form::ActInput;
use crate::i18n::Lang;
use crate::register::RegisterForm;
use crate::work::{ActDone, CaseState, ListReply, SupervisorState, WorkState};

/// Rows per page of search results: fits an 80x24 screen with its headers.
pub const PAGE_SIZE: usize = 14;

/// Something that happened.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// A request finished after `rtt`.
    Reply {
        rtt: Duration,
        reply: Reply,
    },
    /// The live link to the server changed or brought a notice.
    Live(LiveEvent),
}

/// What the live link (`caseEvents` over a websocket) reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    Up,
    Down,
    /// A case changed; kind `reload` means notices were lost and every screen should re-read.
    Notice {
        case_id: String,
        kind: String,
        /// The officers assigned before and after.
        officer_ids: Vec<String>,
    },
}

/// The answer to a [`Cmd`], successful or not.
#[derive(Debug, Clone)]
pub enum Reply {
    Login(Result<api::login::ResponseData, ApiError>),
    Search {
        seq: u64,
        page: usize,
        result: Result<api::search::ResponseData, ApiError>,
    },
    Individual {
        seq: u64,
        /// Boxed: a whole record is far larger than the other replies.
        result: Result<Box<api::individual::ResponseData>, ApiError>,
    },
    Group {
        seq: u64,
        result: Result<Box<api::group::ResponseData>, ApiError>,
    },
    Register(Result<api::register_group::ResponseData, ApiError>),
    Me(Result<api::me::ResponseData, ApiError>),
    /// A page of the duplicates queue, read at `read_at` (the ages shown count to then).
    Reviews {
        seq: u64,
        page: usize,
        read_at: chrono::DateTime<chrono::Utc>,
        result: Result<crate::review::ReviewsPage, ApiError>,
    },
    /// One review; `None` when the unit's queue has none with that id.
    Review {
        seq: u64,
        result: Result<Option<Box<crate::review::Review>>, ApiError>,
    },
    Decide {
        cmid: String,
        result: Result<(), ApiError>,
    },
    /// A read of a case list, the summary or a case.
    Read(ListReply),
    Officers(Result<api::assignable_officers::ResponseData, ApiError>),
    Act {
        cmid: String,
        result: Result<ActDone, ApiError>,
    },
    /// The reply of a command sent with [`Cmd::Silent`].
    Silent(Box<Reply>),
}

/// Work for the runtime: each network command comes back as exactly one [`Msg::Reply`].
#[derive(Debug, Clone)]
pub enum Cmd {
    Login {
        username: String,
        password: String,
    },
    /// Send this session token with every later request.
    UseToken(String),
    Search {
        seq: u64,
        page: usize,
        query: String,
        after: Option<String>,
    },
    Individual {
        seq: u64,
        id: String,
    },
    Group {
        seq: u64,
        id: String,
    },
    Register(api::register_group::RegisterGroupInput),
    Me,
    Reviews {
        seq: u64,
        page: usize,
        after: Option<String>,
    },
    Review {
        seq: u64,
        id: String,
    },
    /// `decideDuplicate` with the version read and the form's `clientMutationId`.
    Decide {
        cmid: String,
        review_id: String,
        version: i64,
        decision: crate::review::Decision,
        reason: String,
    },
    /// Open the live link with this session token (closing any earlier one).
    Live(String),
    Work {
        seq: u64,
        page: usize,
        filter: api::my_work::WorkFilterInput,
        after: Option<String>,
    },
    Queue {
        seq: u64,
        page: usize,
        list: api::case_queue::CaseList,
        after: Option<String>,
    },
    Summary {
        seq: u64,
    },
    Case {
        seq: u64,
        id: String,
    },
    Officers,
    Act {
        cmid: String,
        case_id: String,
        version: i64,
        input: ActInput,
    },
    /// A re-read after a notice: no pending marker, no round-trip time shown, and a frame only
    /// if the answer differs from what is shown.
    Silent(Box<Cmd>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Login,
    Search,
    Individual,
    Group,
    Register,
    Work,
    Case,
    Supervisor,
    /// The queue of possible biometric duplicates.
    Reviews,
    /// One possible duplicate, both records side by side.
    Review,
}

/// What the client last learned about its link to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Unknown,
    Up,
    Down,
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

#[derive(Debug, Clone, Default)]
pub struct LoginForm {
    pub username: TextInput,
    pub password: TextInput,
    pub on_password: bool,
    pub error: Option<LoginError>,
}

/// Why the login screen refuses: the server or the link said no, or nothing was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    Api(ApiError),
    UsernameMissing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchFocus {
    #[default]
    Query,
    Results,
}

#[derive(Debug, Clone, Default)]
pub struct SearchState {
    pub query: TextInput,
    pub focus: SearchFocus,
    /// The query the shown results belong to.
    pub shown_query: String,
    pub rows: Vec<api::search::SearchIndividualsEdgesNode>,
    pub selected: usize,
    pub page: usize,
    pub cursors: crate::cursors::Cursors,
    pub has_next: bool,
    pub searched: bool,
    pub seq: u64,
    pub loading: bool,
    pub error: Option<ApiError>,
}

#[derive(Debug, Clone, Default)]
pub struct IndividualState {
    pub seq: u64,
    pub loading: bool,
    pub data: Option<api::individual::IndividualIndividual>,
    pub error: Option<ApiError>,
    /// First line shown: the view flips by whole pages.
    pub top: usize,
    pub came_from: Option<Screen>,
}

pub struct App {
    pub lang: Lang,
    pub server: String,
    pub screen: Screen,
    pub help: bool,
    pub size: (u16, u16),
    /// Requests out and not yet answered.
    pub pending: usize,
    pub rtt: Option<Duration>,
    pub link: Link,
    pub user: Option<String>,
    /// Where to return after logging in again when a session ended.
    pub resume: Option<Screen>,
    pub login: LoginForm,
    pub search: SearchState,
    pub individual: IndividualState,
    pub group: crate::group::GroupState,
    pub register: RegisterForm,
    pub reviews: crate::review::ReviewsState,
    /// Set when a message changed what is on screen; the main loop draws and clears it.
    pub dirty: bool,
    pub quit: bool,
    /// Running against `amparo demo`'s own server: the login screen names the demo users.
    pub demo: bool,
    /// Who is logged in, once `me` answered.
    pub me: Option<api::me::MeMe>,
    pub token: Option<String>,
    /// Whether the live link is up.
    pub live: bool,
    /// Whether it was ever up in this run: a later Up is a reconnection.
    pub live_before: bool,
    pub work: WorkState,
    pub supervisor: SupervisorState,
    pub case: CaseState,
    /// Officers cases may be assigned to; empty when the caller may not list them.
    pub officers: Option<Vec<api::assignable_officers::AssignableOfficersAssignableOfficers>>,
    pub officers_asked: bool,
}

impl App {
    pub fn new(lang: Lang, server: &str, size: (u16, u16)) -> Self {
        Self {
            lang,
            server: server.to_string(),
            screen: Screen::Login,
            help: false,
            size,
            pending: 0,
            rtt: None,
            link: Link::Unknown,
            user: None,
            resume: None,
            login: LoginForm::default(),
            search: SearchState::default(),
            individual: IndividualState::default(),
            group: crate::group::GroupState::default(),
            register: RegisterForm::new(),
            reviews: crate::review::ReviewsState::default(),
            dirty: true,
            quit: false,
            demo: false,
            me: None,
            token: None,
            live: false,
            live_before: false,
            work: WorkState::default(),
            supervisor: SupervisorState::default(),
            case: CaseState::default(),
            officers: None,
            officers_asked: false,
        }
    }

    /// Whether the focused widget takes printable characters as text.
    fn typing(&self) -> bool {
        match self.screen {
            Screen::Login => true,
            Screen::Search => self.search.focus == SearchFocus::Query,
            Screen::Individual | Screen::Group => false,
            Screen::Register => self.register.saved.is_none(),
            Screen::Work => false,
            // A form is modal: its keys never reach the screens behind it.
            Screen::Supervisor => self.supervisor.form.is_some(),
            Screen::Case => self.case.form.is_some(),
            Screen::Reviews => false,
            Screen::Review => self.reviews.open.form.is_some(),
        }
    }

    /// Queues a command; network ones count as pending until their reply arrives.
    pub(crate) fn send(&mut self, cmds: &mut Vec<Cmd>, cmd: Cmd) {
        if !matches!(cmd, Cmd::UseToken(_)) {
            self.pending += 1;
        }
        cmds.push(cmd);
    }

    /// Queues a command, as a silent re-read when `silent`.
    pub(crate) fn send_maybe_silent(&mut self, cmds: &mut Vec<Cmd>, cmd: Cmd, silent: bool) {
        if silent {
            cmds.push(Cmd::Silent(Box::new(cmd)));
        } else {
            self.send(cmds, cmd);
        }
    }

    /// Whether the user may use the supervisors' view.
    pub fn is_supervisor(&self) -> bool {
        self.me
            .as_ref()
            .is_some_and(|m| m.roles.iter().any(|r| r == "supervisor"))
    }

    /// Whether the user works cases (and so has My work).
    pub fn is_officer(&self) -> bool {
        self.me
            .as_ref()
            .is_some_and(|m| m.roles.iter().any(|r| r == "eligibility_officer"))
    }

    /// The screen the user starts on: the supervisor's view, My work, or search.
    pub fn go_home(&mut self, cmds: &mut Vec<Cmd>) {
        if self.is_supervisor() {
            self.open_supervisor(cmds);
        } else if self.is_officer() {
            self.open_work(cmds);
        } else {
            self.open_search();
        }
    }

    pub fn open_search(&mut self) {
        self.screen = Screen::Search;
        self.search.focus = SearchFocus::Query;
    }

    pub fn open_individual(&mut self, id: String, cmds: &mut Vec<Cmd>) {
        self.individual.came_from = Some(self.screen);
        self.individual.seq += 1;
        self.individual.loading = true;
        self.individual.data = None;
        self.individual.error = None;
        self.individual.top = 0;
        self.screen = Screen::Individual;
        let seq = self.individual.seq;
        self.send(cmds, Cmd::Individual { seq, id });
    }
}

/// Applies one message; returns the requests to start.
pub fn update(app: &mut App, msg: Msg) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    let changed = match msg {
        Msg::Key(key) => key.kind != KeyEventKind::Release && on_key(app, key, &mut cmds),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            true
        }
        Msg::Reply {
            reply: Reply::Silent(reply),
            ..
        } => on_silent_reply(app, *reply, &mut cmds),
        Msg::Reply { rtt, reply } => {
            on_reply(app, rtt, reply, &mut cmds);
            true
        }
        Msg::Live(event) => on_live(app, event, &mut cmds),
    };
    app.dirty |= changed;
    cmds
}

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.code == KeyCode::Char(c) && key.modifiers.contains(KeyModifiers::CONTROL)
}

fn on_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    if ctrl(&key, 'c') || ctrl(&key, 'q') {
        app.quit = true;
        return true;
    }
    if app.help {
        app.help = false;
        return true;
    }
    let password_focused = app.screen == Screen::Login && app.login.on_password;
    if key.code == KeyCode::F(1) || (key.code == KeyCode::Char('?') && !password_focused) {
        app.help = true;
        return true;
    }
    if app.screen != Screen::Login {
        match key.code {
            KeyCode::F(4) if app.is_officer() || app.is_supervisor() => {
                if app.is_officer() {
                    app.open_work(cmds);
                } else {
                    app.open_supervisor(cmds);
                }
                return true;
            }
            KeyCode::F(5) if app.is_supervisor() => {
                app.open_supervisor(cmds);
                return true;
            }
            KeyCode::F(6) if app.is_adjudicator() => {
                app.open_reviews(cmds);
                return true;
            }
            KeyCode::F(2) => {
                app.open_search();
                return true;
            }
            KeyCode::F(3) => {
                app.screen = Screen::Register;
                return true;
            }
            KeyCode::Char('/') if !app.typing() => {
                app.open_search();
                return true;
            }
            KeyCode::Char('r') if !app.typing() && app.screen != Screen::Register => {
                app.screen = Screen::Register;
                return true;
            }
            _ => {}
        }
    }
    match app.screen {
        Screen::Login => login_key(app, key, cmds),
        Screen::Search => search_key(app, key, cmds),
        Screen::Individual => individual_key(app, key, cmds),
        Screen::Group => crate::group::key(app, key, cmds),
        Screen::Register => crate::register::key(app, key, cmds),
        Screen::Work => crate::work::work_key(app, key, cmds),
        Screen::Supervisor => crate::work::supervisor_key(app, key, cmds),
        Screen::Case => crate::work::case_key(app, key, cmds),
        Screen::Reviews => crate::review::list_key(app, key, cmds),
        Screen::Review => crate::review::review_key(app, key, cmds),
    }
}

fn login_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    let form = &mut app.login;
    match key.code {
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
            form.on_password = !form.on_password;
            true
        }
        KeyCode::Enter => {
            if app.pending > 0 {
                return false;
            }
            if form.username.value.trim().is_empty() {
                form.error = Some(LoginError::UsernameMissing);
                form.on_password = false;
                return true;
            }
            if !form.on_password && form.password.value.is_empty() {
                form.on_password = true;
                return true;
            }
            form.error = None;
            let cmd = Cmd::Login {
                username: form.username.value.trim().to_string(),
                password: form.password.value.clone(),
            };
            app.send(cmds, cmd);
            true
        }
        _ => {
            let field = if form.on_password {
                &mut form.password
            } else {
                &mut form.username
            };
            field.edit(&key)
        }
    }
}

fn start_search(app: &mut App, page: usize, cmds: &mut Vec<Cmd>) {
    let s = &mut app.search;
    s.seq += 1;
    s.loading = true;
    let after = s.cursors.after(page);
    let cmd = Cmd::Search {
        seq: s.seq,
        page,
        query: s.shown_query.clone(),
        after,
    };
    app.send(cmds, cmd);
}

fn search_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    let s = &mut app.search;
    match (s.focus, key.code) {
        (SearchFocus::Query, KeyCode::Enter) => {
            let q = s.query.value.trim().to_string();
            if q.is_empty() {
                return false;
            }
            if q == s.shown_query && !s.rows.is_empty() && !s.loading {
                s.focus = SearchFocus::Results;
                return true;
            }
            s.shown_query = q;
            s.cursors.restart();
            start_search(app, 0, cmds);
            true
        }
        (SearchFocus::Query, KeyCode::Down | KeyCode::Tab | KeyCode::Esc) => {
            if s.rows.is_empty() {
                return false;
            }
            s.focus = SearchFocus::Results;
            true
        }
        (SearchFocus::Query, _) => s.query.edit(&key),
        (SearchFocus::Results, KeyCode::Up) if s.selected > 0 => {
            s.selected -= 1;
            true
        }
        (SearchFocus::Results, KeyCode::Up | KeyCode::Tab | KeyCode::BackTab) => {
            s.focus = SearchFocus::Query;
            true
        }
        (SearchFocus::Results, KeyCode::Down) if s.selected + 1 < s.rows.len() => {
            s.selected += 1;
            true
        }
        (SearchFocus::Results, KeyCode::PageDown | KeyCode::Char('n')) => {
            if !s.has_next || s.loading {
                return false;
            }
            let next = s.page + 1;
            start_search(app, next, cmds);
            true
        }
        (SearchFocus::Results, KeyCode::PageUp | KeyCode::Char('p')) => {
            if s.page == 0 || s.loading {
                return false;
            }
            let prev = s.page - 1;
            start_search(app, prev, cmds);
            true
        }
        (SearchFocus::Results, KeyCode::Enter) => match s.rows.get(s.selected) {
            Some(row) => {
                let id = row.id.clone();
                app.open_individual(id, cmds);
                true
            }
            None => false,
        },
        _ => false,
    }
}

fn individual_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    let ind = &mut app.individual;
    // The view shows the body (all rows but the header and status lines) less one hint line.
    let page = usize::from(app.size.1.saturating_sub(3)).max(1);
    let total = ind.data.as_ref().map_or(0, |p| {
        crate::view::individual_lines(app.lang.text(), p).len()
    });
    match key.code {
        KeyCode::Esc => {
            app.screen = ind.came_from.take().unwrap_or(Screen::Search);
            true
        }
        KeyCode::Char('g') => {
            let group = ind.data.as_ref().and_then(|p| {
                let m = p.group_membership.as_ref()?;
                Some(m.group.as_ref()?.id.clone())
            });
            match group {
                Some(id) => {
                    crate::group::open(app, id, cmds);
                    true
                }
                None => false,
            }
        }
        KeyCode::PageDown | KeyCode::Char('n') | KeyCode::Char(' ') if ind.top + page < total => {
            ind.top += page;
            true
        }
        KeyCode::PageUp | KeyCode::Char('p') if ind.top > 0 => {
            ind.top = ind.top.saturating_sub(page);
            true
        }
        _ => false,
    }
}

fn on_reply(app: &mut App, rtt: Duration, reply: Reply, cmds: &mut Vec<Cmd>) {
    app.pending = app.pending.saturating_sub(1);
    app.rtt = Some(rtt);
    let failure = error_of(&reply);
    app.link = if failure.is_some_and(|e| matches!(e, ApiError::Network(_))) {
        Link::Down
    } else {
        Link::Up
    };
    if let Some(e @ ApiError::Unauthenticated(_)) = failure
        && app.screen != Screen::Login
    {
        // The session ended: log in again, then come back to the same screen with everything
        // typed so far (a half-filled registration included) as it was.
        app.resume = Some(app.screen);
        app.screen = Screen::Login;
        app.login.on_password = true;
        app.login.error = Some(LoginError::Api(e.clone()));
        app.user = None;
    }
    match reply {
        Reply::Login(Ok(data)) => {
            app.user = Some(app.login.username.value.trim().to_string());
            app.login.password.value.clear();
            app.login.error = None;
            app.token = Some(data.login.token.clone());
            app.send(cmds, Cmd::UseToken(data.login.token));
            match app.resume.take() {
                Some(screen) => {
                    app.screen = screen;
                    if app.is_officer() || app.is_supervisor() {
                        // The old link closed with the old session.
                        if let Some(token) = app.token.clone() {
                            cmds.push(Cmd::Live(token));
                        }
                    }
                }
                None => {
                    app.me = None;
                    app.officers = None;
                    app.officers_asked = false;
                    app.send(cmds, Cmd::Me);
                }
            }
        }
        Reply::Login(Err(e)) => {
            app.login.error = Some(LoginError::Api(e));
        }
        Reply::Search { seq, page, result } => {
            let s = &mut app.search;
            if seq != s.seq {
                return;
            }
            s.loading = false;
            match result {
                Ok(data) => {
                    let conn = data.individuals;
                    s.rows = conn.edges.into_iter().map(|e| e.node).collect();
                    s.page = page;
                    s.selected = 0;
                    s.has_next = conn.page_info.has_next_page;
                    s.cursors.arrived(page, conn.page_info.end_cursor);
                    s.searched = true;
                    s.error = None;
                    if !s.rows.is_empty() {
                        s.focus = SearchFocus::Results;
                    }
                }
                Err(e) => s.error = Some(e),
            }
        }
        Reply::Individual { seq, result } => {
            let ind = &mut app.individual;
            if seq != ind.seq {
                return;
            }
            ind.loading = false;
            match result {
                Ok(data) => ind.data = Some(data.individual),
                Err(e) => ind.error = Some(e),
            }
        }
        Reply::Group { seq, result } => crate::group::reply(app, seq, result),
        Reply::Register(result) => crate::register::reply(app, result),
        Reply::Reviews {
            seq,
            page,
            read_at,
            result,
        } => crate::review::list_reply(app, seq, page, read_at, result),
        Reply::Review { seq, result } => {
            crate::review::review_reply(app, seq, result.map(|r| r.map(|b| *b)));
        }
        Reply::Decide { cmid, result } => crate::review::decide_reply(app, &cmid, result, cmds),
        Reply::Me(Ok(data)) => {
            app.me = Some(data.me);
            app.go_home(cmds);
            if (app.is_officer() || app.is_supervisor())
                && let Some(token) = app.token.clone()
            {
                cmds.push(Cmd::Live(token));
            }
        }
        // Without knowing who logged in there is no home to choose: stay on the login screen
        // with the reason, and Enter tries again.
        Reply::Me(Err(e)) => app.login.error = Some(LoginError::Api(e)),
        Reply::Read(read) => {
            crate::work::list_reply(app, read, false, cmds);
        }
        Reply::Officers(result) => {
            // Only supervisors may list officers; for others the forms offer "me" alone.
            let list = result.map(|d| d.assignable_officers).unwrap_or_default();
            let pairs: Vec<(String, String)> = list
                .iter()
                .map(|o| (o.id.clone(), o.username.clone()))
                .collect();
            let my_id = app.me.as_ref().map(|m| m.id.clone());
            for form in [app.case.form.as_mut(), app.supervisor.form.as_mut()]
                .into_iter()
                .flatten()
            {
                form.set_officers(&pairs, my_id.as_deref());
            }
            app.officers = Some(list);
        }
        Reply::Act { cmid, result } => crate::work::act_reply(app, &cmid, result, cmds),
        Reply::Silent(inner) => {
            on_silent_reply(app, *inner, cmds);
        }
    }
}

/// A re-read after a notice: it changes nothing on screen unless the answer differs, and an
/// ended session is left for the next request the user makes.
fn on_silent_reply(app: &mut App, reply: Reply, cmds: &mut Vec<Cmd>) -> bool {
    match reply {
        Reply::Read(read) => crate::work::list_reply(app, read, true, cmds),
        _ => false,
    }
}

fn on_live(app: &mut App, event: LiveEvent, cmds: &mut Vec<Cmd>) -> bool {
    match event {
        LiveEvent::Up => {
            let was_up = std::mem::replace(&mut app.live, true);
            if !was_up && std::mem::replace(&mut app.live_before, true) {
                // Notices sent while the link was down are lost: re-read what is shown.
                crate::work::notice(app, "", "reload", &[], cmds);
            }
            !was_up
        }
        LiveEvent::Down => std::mem::replace(&mut app.live, false),
        LiveEvent::Notice {
            case_id,
            kind,
            officer_ids,
        } => {
            crate::work::notice(app, &case_id, &kind, &officer_ids, cmds);
            false
        }
    }
}

fn error_of(reply: &Reply) -> Option<&ApiError> {
    match reply {
        Reply::Login(Err(e)) | Reply::Register(Err(e)) => Some(e),
        Reply::Search { result: Err(e), .. } | Reply::Individual { result: Err(e), .. } => Some(e),
        Reply::Group { result: Err(e), .. } => Some(e),
        Reply::Reviews { result: Err(e), .. } | Reply::Review { result: Err(e), .. } => Some(e),
        Reply::Decide { result: Err(e), .. } => Some(e),
        Reply::Me(Err(e)) | Reply::Act { result: Err(e), .. } => Some(e),
        Reply::Read(r) => r.error(),
        _ => None,
    }
}
