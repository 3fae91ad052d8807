//! The session and the stack of screens. Keys, resizes, replies and live notices all arrive
//! as a [`Msg`]; [`update`] hands each to the screen it concerns, carries out the
//! [`Outcome`] that screen returns (requests to run, where to go) and returns the [`Cmd`]s to
//! run. Nothing here blocks, draws or touches the network, so tests drive exactly the path real
//! keys take.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use amparo_domain::access::Module;

use crate::api::{self, ApiError};
use crate::i18n::{self, Lang};
use crate::msg::{AdminData, ListReply};
pub use crate::msg::{Cmd, LiveEvent, Msg, Reply};
pub use crate::screens::Screen;
use crate::screens::{Ctx, Nav, Officer, Outcome, Screens};
use crate::widgets::ctrl;

/// What the client last learned about its link to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Unknown,
    Up,
    Down,
}

pub struct App {
    pub lang: Lang,
    pub server: String,
    /// The screens shown, the current one last; Esc goes back to the one below.
    pub stack: Vec<Screen>,
    /// The help (`?`) shown, at this page (it takes several where the terminal is short).
    pub help: Option<usize>,
    pub size: (u16, u16),
    /// Requests out and not yet answered.
    pub pending: usize,
    pub rtt: Option<Duration>,
    pub link: Link,
    pub user: Option<String>,
    /// Running against `amparo demo`'s own server: the login screen names the demo users.
    pub demo: bool,
    /// Who is logged in, once `me` answered.
    pub me: Option<api::me::MeMe>,
    pub token: Option<String>,
    /// Whether the live link is up.
    pub live: bool,
    /// Whether it was ever up in this run: a later Up is a reconnection.
    pub live_before: bool,
    /// Officers cases may be assigned to; empty when the caller may not list them.
    pub officers: Option<Vec<Officer>>,
    pub officers_asked: bool,
    /// Set when a message changed what is on screen; the main loop draws and clears it.
    pub dirty: bool,
    pub quit: bool,
    /// Ctrl-C or Ctrl-Q asked to quit while something would be lost: the question is shown.
    pub quit_asked: bool,
    /// The question is about logging out (F9), not quitting.
    pub logout_asked: bool,
    /// Where `amparo demo` keeps its database, and whether it is kept after quitting.
    pub demo_db: Option<(String, bool)>,
    pub screens: Screens,
    /// The clock of the user's office: times are shown and typed in it (see `widgets::with_clock`).
    pub clock: crate::widgets::OfficeClock,
    /// The workstation has a trusted scanner: recipients may be checked by their fingers.
    pub scanner: bool,
    /// Where the server stands when it is a field node (nothing on central).
    pub node: crate::node_status::NodeStatus,
}

impl App {
    pub fn new(lang: Lang, server: &str, size: (u16, u16)) -> Self {
        let mut app = Self {
            lang,
            server: server.to_string(),
            stack: vec![Screen::Login],
            help: None,
            size,
            pending: 0,
            rtt: None,
            link: Link::Unknown,
            user: None,
            demo: false,
            me: None,
            token: None,
            live: false,
            live_before: false,
            officers: None,
            officers_asked: false,
            dirty: true,
            quit: false,
            quit_asked: false,
            logout_asked: false,
            demo_db: None,
            screens: Screens::default(),
            clock: crate::widgets::OfficeClock::default(),
            scanner: false,
            node: Default::default(),
        };
        app.resize(size);
        app
    }

    /// A new terminal size: lists ask for as many rows as now fit.
    pub fn resize(&mut self, size: (u16, u16)) {
        self.size = size;
        self.screens.search.page_size = crate::screens::search::page_size(size.1);
        self.screens.work.page_size = crate::screens::work::page_size(size.1);
        self.screens.supervisor.page_size = crate::screens::supervisor::page_size(size.1);
        self.screens.reviews.page_size = crate::screens::reviews::page_size(size.1);
    }

    /// The screen shown.
    pub fn screen(&self) -> Screen {
        self.stack.last().copied().unwrap_or(Screen::Login)
    }

    /// What a screen may read of the session.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            lang: self.lang,
            size: self.size,
            pending: self.pending,
            me: self.me.as_ref(),
            officers: self.officers.as_deref(),
            demo: self.demo,
            field_nodes: self.field_nodes(),
        }
    }

    /// Whether sync conflicts can exist for this user: their unit has field nodes, or this
    /// client works on one.
    fn field_nodes(&self) -> bool {
        self.node.on_node()
            || self
                .me
                .as_ref()
                .is_some_and(|m| m.operation_unit.has_field_nodes)
    }

    /// The session for a screen to read, and the screens to change.
    fn split(&mut self) -> (Ctx<'_>, &mut Screens) {
        let field_nodes = self.field_nodes();
        let ctx = Ctx {
            lang: self.lang,
            size: self.size,
            pending: self.pending,
            me: self.me.as_ref(),
            officers: self.officers.as_deref(),
            demo: self.demo,
            field_nodes,
        };
        (ctx, &mut self.screens)
    }

    /// Whether the user's unit runs module `m`; the server refuses the module's operations
    /// otherwise, so its screens are not offered.
    pub fn runs(&self, m: Module) -> bool {
        self.ctx().runs(m)
    }

    /// Whether the navigation table gives the user a key to `screen`.
    pub fn reaches(&self, screen: Screen) -> bool {
        crate::nav::reaches(&self.ctx(), screen)
    }

    /// Whether the user may use the supervisors' view (of RSD cases).
    pub fn is_supervisor(&self) -> bool {
        self.reaches(Screen::Supervisor)
    }

    /// Whether the user works RSD cases (and so has My work).
    pub fn is_officer(&self) -> bool {
        self.reaches(Screen::Work)
    }

    /// Whether the user works protection cases (protection officers and supervisors of a unit
    /// that runs the protection module).
    pub fn does_protection(&self) -> bool {
        self.reaches(Screen::Protection)
    }

    /// Whether a form is open on the screen shown (its keys, F10 among them, are the form's).
    pub fn form_open(&self) -> bool {
        let s = &self.screens;
        match self.screen() {
            Screen::Case => s.case.form.is_some(),
            Screen::Supervisor => s.supervisor.form.is_some(),
            Screen::Review => s.review.form.is_some(),
            Screen::Individual => s.individual.form.is_some(),
            Screen::Group => s.group.form.is_some(),
            Screen::PreRegs => s.pre_regs.form.is_some(),
            Screen::ProtectionCase => s.protection_case.form.is_some(),
            Screen::Distributions => s.distributions.form.is_some(),
            Screen::DistributionList => s.distribution_list.form_open(),
            Screen::ResettlementCase => s.resettlement_case.form.is_some(),
            Screen::Referrals => s.referrals.form.is_some(),
            Screen::Register => true,
            _ => false,
        }
    }

    /// What quitting now would lose, named for the question asked before quitting.
    pub fn unsent_work(&self) -> Vec<&'static str> {
        let t = i18n::text(self.lang);
        let s = &self.screens;
        let mut out = Vec::new();
        if s.register.unsent() {
            out.push(t.unsent_register);
        }
        if s.case.form.is_some()
            || s.supervisor.form.is_some()
            || s.protection_case.form.is_some()
            || s.distribution_list.form.is_some()
            || s.distribution_list.add.is_some()
            || s.distributions.form.is_some()
            || s.resettlement_case.form.is_some()
            || s.referrals.form.is_some()
        {
            out.push(t.unsent_action);
        }
        if s.review.form.is_some() {
            out.push(t.unsent_decision);
        }
        if s.individual.unsent() || s.group.form.is_some() {
            out.push(t.unsent_individual);
        }
        if s.admin.unsaved() {
            out.push(t.unsent_settings);
        }
        out
    }

    /// Whether quitting needs a question first: work would be lost, or the demo's server
    /// (and with it, unless kept, its database) would stop.
    pub fn must_ask_before_quitting(&self) -> bool {
        self.demo || !self.unsent_work().is_empty()
    }

    /// Whether the focused widget takes printable characters as text.
    fn typing(&self) -> bool {
        let s = &self.screens;
        match self.screen() {
            Screen::Login => true,
            Screen::Search => s.search.typing(),
            Screen::Individual => s.individual.typing(),
            Screen::Group => s.group.typing(),
            Screen::Work
            | Screen::Reviews
            | Screen::Protection
            | Screen::ImportReviews
            | Screen::Statistics
            | Screen::Quality
            | Screen::Resettlement
            | Screen::Conflicts => false,
            Screen::Distributions => s.distributions.typing(),
            Screen::DistributionList => s.distribution_list.typing(),
            Screen::ProtectionCase => s.protection_case.typing(),
            Screen::ResettlementCase => s.resettlement_case.typing(),
            Screen::Referrals => s.referrals.typing(),
            Screen::Admin => s.admin.typing(),
            Screen::Tokens => s.tokens.typing(),
            Screen::PreRegs => s.pre_regs.typing(),
            Screen::Register => s.register.typing(),
            // A form is modal: its keys never reach the screens behind it.
            Screen::Supervisor => s.supervisor.typing(),
            Screen::Case => s.case.typing(),
            Screen::Review => s.review.typing(),
        }
    }

    /// Queues commands; network ones count as pending until their reply arrives.
    fn send(&mut self, cmds: &mut Vec<Cmd>, new: Vec<Cmd>) {
        self.pending += new.iter().filter(|c| c.counts_as_pending()).count();
        cmds.extend(new);
    }

    /// Shows `screen` as the first of a new stack (F-keys, home).
    fn switch(&mut self, screen: Screen, cmds: &mut Vec<Cmd>) {
        self.stack = vec![screen];
        let new = self.open(screen);
        self.send(cmds, new);
    }

    /// Readies a screen reached by a key: what it reads as it opens.
    fn open(&mut self, screen: Screen) -> Vec<Cmd> {
        match screen {
            Screen::Search => {
                self.screens.search.open();
                Vec::new()
            }
            Screen::Work => self.screens.work.open(),
            Screen::Supervisor => self.screens.supervisor.open(),
            Screen::Reviews => self.screens.reviews.open(),
            Screen::Admin => self.screens.admin.open(),
            Screen::Tokens => self.screens.tokens.open(),
            Screen::PreRegs => self.screens.pre_regs.open(),
            Screen::Protection => self.screens.protection.open(),
            Screen::ImportReviews => self.screens.import_reviews.open(),
            Screen::Distributions => self.screens.distributions.open(),
            Screen::Statistics => self.screens.stats.open(),
            Screen::Quality => self.screens.quality.open(),
            Screen::Resettlement => self.screens.resettlement.open(),
            Screen::Referrals => self.screens.referrals.open(),
            Screen::Conflicts => self.screens.conflicts.open(),
            _ => Vec::new(),
        }
    }

    /// Shows `screen` above the current one.
    fn push(&mut self, screen: Screen) {
        self.stack.push(screen);
    }

    /// The screen the user starts on: their work, as the navigation table ranks it.
    fn go_home(&mut self, cmds: &mut Vec<Cmd>) {
        let home = crate::nav::home(&self.ctx());
        self.switch(home, cmds);
    }

    /// Opens a person's record above the current screen.
    pub fn open_individual(&mut self, id: String, cmds: &mut Vec<Cmd>) {
        let new = self.screens.individual.open(id);
        self.push(Screen::Individual);
        self.send(cmds, new);
    }

    /// Opens a case above the current screen.
    pub fn open_case(&mut self, id: String, cmds: &mut Vec<Cmd>) {
        let new = self.screens.case.open(id);
        self.push(Screen::Case);
        self.send(cmds, new);
    }

    /// Carries out what a screen asked.
    fn apply(&mut self, out: Outcome, cmds: &mut Vec<Cmd>) -> bool {
        self.send(cmds, out.cmds);
        if out.need_officers && self.officers.is_none() && !self.officers_asked {
            self.officers_asked = true;
            self.send(cmds, vec![Cmd::Officers]);
        }
        if let Some(nav) = out.nav {
            self.navigate(nav, cmds);
        }
        out.changed
    }

    fn navigate(&mut self, nav: Nav, cmds: &mut Vec<Cmd>) {
        match nav {
            Nav::Back { fallback, reread } => {
                self.stack.pop();
                if self.stack.is_empty() {
                    self.stack.push(fallback);
                }
                if reread {
                    let new = match self.screen() {
                        Screen::Work => self.screens.work.reread(),
                        Screen::Supervisor => self.screens.supervisor.reread(),
                        Screen::PreRegs => self.screens.pre_regs.reread(),
                        Screen::Protection => self.screens.protection.reread(),
                        Screen::Distributions => self.screens.distributions.reread(),
                        Screen::Resettlement => self.screens.resettlement.reread(),
                        _ => Vec::new(),
                    };
                    self.send(cmds, new);
                }
            }
            Nav::Search => self.switch(Screen::Search, cmds),
            Nav::Individual(id) => self.open_individual(id, cmds),
            Nav::Group(id) => {
                let new = self.screens.group.open(id);
                // Esc goes back to where the group was opened from.
                if self.screen() != Screen::Group {
                    self.push(Screen::Group);
                }
                self.send(cmds, new);
            }
            Nav::Case(id) => self.open_case(id, cmds),
            Nav::Review(id) => {
                let new = self.screens.review.open(id);
                self.push(Screen::Review);
                self.send(cmds, new);
            }
            Nav::ProtectionCase(id) => {
                self.screens.protection_case.handoff_offered =
                    self.does_protection() && self.runs(Module::Resettlement);
                let new = self.screens.protection_case.open(id);
                self.push(Screen::ProtectionCase);
                self.send(cmds, new);
            }
            Nav::ProtectionIntake(individual_id) => {
                self.screens
                    .protection_case
                    .intake(individual_id, self.lang);
                self.push(Screen::ProtectionCase);
            }
            Nav::DistributionList(id) => {
                self.screens.distribution_list.scanner = self.scanner;
                let new = self.screens.distribution_list.open(id);
                self.push(Screen::DistributionList);
                self.send(cmds, new);
            }
            Nav::PlannedList { id, households } => {
                self.screens.distribution_list.scanner = self.scanner;
                let new = self.screens.distribution_list.open_planned(id, households);
                self.push(Screen::DistributionList);
                self.send(cmds, new);
            }
            Nav::Statistics => {
                let new = self.screens.stats.open();
                self.push(Screen::Statistics);
                self.send(cmds, new);
            }
            Nav::Quality => {
                let new = self.screens.quality.open();
                self.push(Screen::Quality);
                self.send(cmds, new);
            }
            Nav::ResettlementCase(id) => {
                let new = self.screens.resettlement_case.open(id);
                self.push(Screen::ResettlementCase);
                self.send(cmds, new);
            }
            Nav::HandOff {
                protection_case_id,
                principal_id,
            } => {
                self.screens.resettlement_case.hand_off(
                    protection_case_id,
                    principal_id,
                    self.lang,
                );
                self.push(Screen::ResettlementCase);
            }
            Nav::Refer(individual_id) => {
                self.stack = vec![Screen::Referrals];
                let new = self.screens.referrals.refer(individual_id);
                self.send(cmds, new);
            }
            Nav::Decided(decision) => {
                if self.screen() == Screen::Review {
                    self.stack.pop();
                    if self.stack.is_empty() {
                        self.stack.push(Screen::Reviews);
                    }
                }
                let new = self.screens.reviews.decided(decision);
                self.send(cmds, new);
            }
            Nav::Convert(id) => {
                if let Some(row) = self.screens.pre_regs.row(&id) {
                    self.screens.register =
                        crate::screens::register::RegisterForm::from_pre_registration(row);
                    self.push(Screen::Register);
                }
            }
            Nav::Converted(reference) => {
                if self.screen() == Screen::Register {
                    self.stack.pop();
                }
                if self.screen() != Screen::PreRegs {
                    self.stack = vec![Screen::PreRegs];
                }
                // The form's work is done: F3 opens a new one.
                self.screens.register = crate::screens::register::RegisterForm::new();
                let new = self.screens.pre_regs.converted(reference);
                self.send(cmds, new);
            }
        }
    }
}

/// Lines of keys one page of the help holds in a terminal `height` rows high (borders, a blank
/// line and the closing line aside).
pub fn help_page_size(height: u16) -> usize {
    usize::from(height).saturating_sub(4).max(1)
}

impl App {
    /// The keys of the screen shown, for `?`.
    fn screen_keys(&self) -> Vec<(String, String)> {
        use crate::screens::{
            group::GroupState, import_reviews::ImportReviewsState, individual::IndividualState,
            login::LoginForm, protection::ProtectionState, register::RegisterForm,
            resettlement::ResettlementState, reviews::ReviewsState, search::SearchState,
            work::WorkState,
        };
        let (s, lang) = (&self.screens, self.lang);
        let fixed = match self.screen() {
            Screen::Login => LoginForm::help(lang),
            Screen::Search => SearchState::help(lang),
            Screen::Individual => IndividualState::help(lang),
            Screen::Group => GroupState::help(lang),
            Screen::Register => RegisterForm::help(lang),
            Screen::Work => WorkState::help(lang),
            Screen::Supervisor => s.supervisor.help(lang),
            Screen::Case => return s.case.help(lang),
            Screen::Reviews => ReviewsState::help(lang),
            Screen::Review => s.review.help(lang),
            Screen::Admin => s.admin.help(lang),
            Screen::Tokens => s.tokens.help(lang),
            Screen::PreRegs => s.pre_regs.help(lang),
            Screen::Protection => return ProtectionState::help(lang),
            Screen::ProtectionCase => return s.protection_case.help(lang),
            Screen::ImportReviews => ImportReviewsState::help(lang),
            Screen::Distributions => return s.distributions.help(lang),
            Screen::DistributionList => return s.distribution_list.help(lang),
            Screen::Statistics => s.stats.help(lang),
            Screen::Quality => s.quality.help(lang),
            Screen::Resettlement => return ResettlementState::help(lang),
            Screen::ResettlementCase => return s.resettlement_case.help(lang),
            Screen::Referrals => return s.referrals.help(lang),
            Screen::Conflicts => crate::screens::conflicts::ConflictsState::help(lang),
        };
        fixed
            .iter()
            .map(|(k, d)| (k.to_string(), d.to_string()))
            .collect()
    }

    /// The lines of the help (`?`): the screen's keys, then (outside forms and the login) the
    /// keys that open screens, from the navigation table, and those of every screen.
    pub fn help_lines(&self) -> Vec<(String, String)> {
        let t = i18n::text(self.lang);
        let mut pairs = self.screen_keys();
        let form_open = self.form_open() && self.screen() != Screen::Register;
        if self.screen() != Screen::Login && !form_open {
            pairs.extend(crate::nav::help(&self.ctx(), self.lang));
            pairs.extend(
                t.keys_global
                    .iter()
                    .map(|(k, d)| (k.to_string(), d.to_string())),
            );
        }
        pairs
    }

    /// How many pages the help takes at the terminal's height.
    pub fn help_pages(&self) -> usize {
        self.help_lines()
            .len()
            .div_ceil(help_page_size(self.size.1))
            .max(1)
    }
}

/// Applies one message; returns the requests to start.
pub fn update(app: &mut App, msg: Msg) -> Vec<Cmd> {
    let clock = app.clock.clone();
    crate::widgets::with_clock(&clock, || apply(app, msg))
}

fn apply(app: &mut App, msg: Msg) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    let changed = match msg {
        Msg::Key(key) => key.kind != KeyEventKind::Release && on_key(app, key, &mut cmds),
        Msg::Resize(w, h) => {
            app.resize((w, h));
            true
        }
        Msg::Reply { rtt, reply } => match *reply {
            Reply::Silent(reply) => on_silent_reply(app, *reply, &mut cmds),
            reply => {
                on_reply(app, rtt, reply, &mut cmds);
                true
            }
        },
        Msg::Live(event) => on_live(app, event, &mut cmds),
    };
    app.dirty |= changed;
    cmds
}

fn on_key(app: &mut App, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    let quit_key = ctrl(&key, 'c') || ctrl(&key, 'q');
    if app.quit_asked {
        // Only a deliberate yes quits; a second Ctrl-C typed in haste keeps the question.
        if !quit_key {
            app.quit_asked = false;
            let yes = matches!(key.code, KeyCode::Char('y' | 'Y' | 's' | 'S'));
            if std::mem::take(&mut app.logout_asked) {
                if yes {
                    log_out(app, cmds);
                }
            } else {
                app.quit = yes;
            }
        }
        return true;
    }
    if key.code == KeyCode::F(9) && app.token.is_some() {
        if app.unsent_work().is_empty() {
            log_out(app, cmds);
        } else {
            app.quit_asked = true;
            app.logout_asked = true;
        }
        return true;
    }
    if quit_key {
        if app.must_ask_before_quitting() {
            app.quit_asked = true;
        } else {
            app.quit = true;
        }
        return true;
    }
    if let Some(page) = app.help {
        // The help's own keys turn its pages; any other closes it.
        let pages = app.help_pages();
        app.help = match key.code {
            KeyCode::PageDown | KeyCode::Right | KeyCode::Char(' ' | 'n') if page + 1 < pages => {
                Some(page + 1)
            }
            KeyCode::PageUp | KeyCode::Left | KeyCode::Char('p') if page > 0 => Some(page - 1),
            _ => None,
        };
        return true;
    }
    let screen = app.screen();
    let password_focused = screen == Screen::Login && app.screens.login.on_password;
    if key.code == KeyCode::F(1) || (key.code == KeyCode::Char('?') && !password_focused) {
        app.help = Some(0);
        return true;
    }
    if screen != Screen::Login {
        let now = crate::nav::Moment {
            typing: app.typing(),
            form_open: app.form_open(),
        };
        // A letter does not reopen the screen shown (`r` on the registration form is the
        // form's).
        let reopen = matches!(key.code, KeyCode::Char('r')) && screen == Screen::Register;
        if let Some(row) = crate::nav::row_for(&app.ctx(), &key, now)
            && !reopen
        {
            if row.above {
                // Opened above what is shown (a form stays as it was); Esc comes back to it.
                if screen != row.screen {
                    let new = app.open(row.screen);
                    app.push(row.screen);
                    app.send(cmds, new);
                }
            } else {
                app.switch(row.screen, cmds);
            }
            return true;
        }
    }
    let out = {
        let (ctx, s) = app.split();
        match screen {
            Screen::Login => s.login.key(key, &ctx),
            Screen::Search => s.search.key(key),
            Screen::Individual => s.individual.key(key, &ctx),
            Screen::Group => s.group.key(key, &ctx),
            Screen::Register => s.register.key(key, ctx.lang),
            Screen::Work => s.work.key(key),
            Screen::Supervisor => s.supervisor.key(key, &ctx),
            Screen::Case => s.case.key(key, &ctx),
            Screen::Reviews => s.reviews.key(key),
            Screen::Review => s.review.key(key),
            Screen::Admin => s.admin.key(key, ctx.lang),
            Screen::Tokens => s.tokens.key(key),
            Screen::PreRegs => s.pre_regs.key(key),
            Screen::Protection => s.protection.key(key),
            Screen::ProtectionCase => s.protection_case.key(key, &ctx),
            Screen::ImportReviews => s.import_reviews.key(key),
            Screen::Distributions => s.distributions.key(key, ctx.lang),
            Screen::DistributionList => s.distribution_list.key(key, ctx.lang),
            Screen::Statistics => s.stats.key(key),
            Screen::Quality => s.quality.key(key),
            Screen::Resettlement => s.resettlement.key(key),
            Screen::ResettlementCase => s.resettlement_case.key(key, &ctx),
            Screen::Referrals => s.referrals.key(key, ctx.lang),
            Screen::Conflicts => s.conflicts.key(key),
        }
    };
    app.apply(out, cmds)
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
        && app.screen() != Screen::Login
    {
        // The session ended: log in again, then come back to the same screen with everything
        // typed so far (a half-filled registration included) as it was.
        app.screens.login.session_ended(e.clone());
        app.push(Screen::Login);
        app.user = None;
    }
    match reply {
        Reply::Login(Ok(data)) => logged_in(app, data.login.token, cmds),
        Reply::Login(Err(e)) => app.screens.login.failed(e),
        Reply::Me(Ok(data)) => {
            app.clock = session_clock(&data.me).unwrap_or_default();
            app.me = Some(data.me);
            // A field node says so with `me`, and is then asked again while the session
            // lasts; central answers null and is not asked again.
            let ask = app.node.from_me(data.field_node, &app.clock);
            app.go_home(cmds);
            cmds.extend(ask);
            if (app.is_officer() || app.is_supervisor())
                && let Some(token) = app.token.clone()
            {
                cmds.push(Cmd::Live(token));
            }
        }
        // Without knowing who logged in there is no home to choose: stay on the login screen
        // with the reason, and Enter tries again.
        Reply::Me(Err(e)) => app.screens.login.failed(e),
        Reply::Officers(result) => {
            // Only supervisors may list officers; for others the forms offer "me" alone.
            let list = result.map(|d| d.assignable_officers).unwrap_or_default();
            let pairs: Vec<(String, String)> = list
                .iter()
                .map(|o| (o.id.clone(), o.username.clone()))
                .collect();
            let my_id = app.me.as_ref().map(|m| m.id.clone());
            app.screens.case.set_officers(&pairs, my_id.as_deref());
            app.screens
                .supervisor
                .set_officers(&pairs, my_id.as_deref());
            app.officers = Some(list);
            let (ctx, s) = app.split();
            s.case.refresh_context(&ctx);
            s.protection_case.refresh_officers(&ctx);
        }
        Reply::Act { cmid, result } => {
            let s = &mut app.screens;
            let out = match s.supervisor.act_reply(&cmid, result.clone()) {
                Some(out) => Some(out),
                None => s.case.act_reply(&cmid, result),
            };
            if let Some(out) = out {
                app.apply(out, cmds);
            }
        }
        Reply::Person { cmid, result } => {
            let lang = app.lang;
            let out = match app.screens.group.person_reply(&cmid, &result, lang) {
                Some(out) => out,
                None => app.screens.individual.person_reply(&cmid, result),
            };
            app.apply(out, cmds);
        }
        Reply::Decide { cmid, result } => {
            let out = app.screens.review.decide_reply(&cmid, result);
            app.apply(out, cmds);
        }
        Reply::DecideImport { cmid, result } => {
            let out = app.screens.import_reviews.decide_reply(&cmid, result);
            app.apply(out, cmds);
        }
        Reply::AdminAct { cmid, result } => {
            let out = app.screens.admin.act_reply(&cmid, result);
            app.apply(out, cmds);
        }
        Reply::AdminUsers(result) => app.screens.admin.reply(result),
        Reply::AdminRead(result) => {
            // A node registered since login makes conflicts possible now, not at the next
            // login: the unit's flag follows the list the admin just read.
            if let (Ok(AdminData::Nodes(data)), Some(me)) = (&result, app.me.as_mut())
                && !data.field_nodes.is_empty()
            {
                me.operation_unit.has_field_nodes = true;
            }
            app.screens.admin.read_reply(result)
        }
        Reply::Tokens(result) => app.screens.tokens.reply(result, chrono::Utc::now()),
        Reply::Statistics { seq, result } => app.screens.stats.reply(seq, result),
        Reply::DataQuality { seq, result } => app.screens.quality.reply(seq, result),
        Reply::TokenAct { cmid, result } => {
            let out = app.screens.tokens.act_reply(&cmid, result);
            app.apply(out, cmds);
        }
        Reply::Dismiss { cmid, result } => {
            let lang = app.lang;
            if let Some(out) = app.screens.pre_regs.dismiss_reply(&cmid, result, lang) {
                app.apply(out, cmds);
            }
        }
        Reply::Convert(result) => app.screens.register.convert_reply(result),
        Reply::ProtectionCases { seq, page, result } => {
            app.screens.protection.reply(seq, page, result)
        }
        Reply::ProtectionCase { seq, result } => app.screens.protection_case.reply(seq, result),
        Reply::Protection { cmid, result } => {
            if let Some(out) = app.screens.protection_case.act_reply(&cmid, result) {
                app.apply(out, cmds);
            }
        }
        Reply::DistributionLists { seq, result } => {
            app.screens.distributions.lists_reply(seq, result)
        }
        Reply::Programmes { seq, result } => {
            app.screens.distributions.programmes_reply(seq, result)
        }
        Reply::Reconciliation { seq, result } => {
            app.screens.distributions.reconciliation_reply(seq, result)
        }
        Reply::DistributionList { seq, result } => app.screens.distribution_list.reply(seq, result),
        Reply::Distributed { cmid, result } => {
            if let Some(out) = app
                .screens
                .distribution_list
                .distributed_reply(&cmid, result)
            {
                app.apply(out, cmds);
            }
        }
        Reply::ProgrammeSaved { cmid, result } => {
            if let Some(out) = app.screens.distributions.saved_reply(&cmid, result) {
                app.apply(out, cmds);
            }
        }
        Reply::Assessed { cmid, result } => {
            if let Some(out) = app.screens.distributions.assessed_reply(&cmid, result) {
                app.apply(out, cmds);
            }
        }
        Reply::Planned { cmid, result } => {
            let s = &mut app.screens;
            let out = match s.distributions.planned_reply(&cmid, result.clone()) {
                Some(out) => Some(out),
                None => s.distribution_list.planned_reply(&cmid, result),
            };
            if let Some(out) = out {
                app.apply(out, cmds);
            }
        }
        Reply::BiometricChecked { cmid, result } => {
            if let Some(out) = app.screens.distribution_list.biometric_reply(&cmid, result) {
                app.apply(out, cmds);
            }
        }
        Reply::ResettlementCases { seq, page, result } => {
            app.screens.resettlement.reply(seq, page, result)
        }
        Reply::ResettlementCase { seq, result } => app.screens.resettlement_case.reply(seq, result),
        Reply::Resettlement { cmid, result } => {
            let out = {
                let (ctx, s) = app.split();
                s.resettlement_case.act_reply(&cmid, result, &ctx)
            };
            if let Some(out) = out {
                app.apply(out, cmds);
            }
        }
        Reply::Referrals { seq, result } => {
            let lang = app.lang;
            app.screens.referrals.reply(seq, result, lang);
        }
        Reply::Sharing { cmid, result } => {
            let out = app.screens.admin.agreement_reply(&cmid, result.clone());
            let out = out.or_else(|| app.screens.referrals.act_reply(&cmid, result));
            if let Some(out) = out {
                app.apply(out, cmds);
            }
        }
        Reply::ResolveConflict { cmid, result } => {
            let out = app.screens.conflicts.resolve_reply(&cmid, result);
            app.apply(out, cmds);
        }
        Reply::SyncConflicts { seq, result } => app.screens.conflicts.reply(seq, result),
        Reply::Silent(inner) => {
            on_silent_reply(app, *inner, cmds);
        }
        reply => {
            screen_reply(app, reply, false, cmds);
        }
    }
}

/// Ends the session: the server forgets the token, the client forgets the user, every screen's
/// state (what another user must not see) and the live link, and shows the login screen.
fn log_out(app: &mut App, cmds: &mut Vec<Cmd>) {
    cmds.push(Cmd::Logout);
    app.token = None;
    app.me = None;
    app.user = None;
    app.officers = None;
    app.officers_asked = false;
    app.live = false;
    app.live_before = false;
    app.help = None;
    app.node.forget();
    app.screens = Screens::default();
    app.stack = vec![Screen::Login];
}

/// Logged in: the token goes with every later request, and the app either returns to where
/// the session ended or asks who logged in to choose a home.
fn logged_in(app: &mut App, token: String, cmds: &mut Vec<Cmd>) {
    app.user = Some(app.screens.login.succeeded());
    app.token = Some(token.clone());
    app.send(cmds, vec![Cmd::UseToken(token)]);
    if app.stack.len() > 1 && app.screen() == Screen::Login {
        app.stack.pop();
        if app.is_officer() || app.is_supervisor() {
            // The old link closed with the old session.
            if let Some(token) = app.token.clone() {
                cmds.push(Cmd::Live(token));
            }
        }
    } else {
        app.me = None;
        app.officers = None;
        app.officers_asked = false;
        app.send(cmds, vec![Cmd::Me]);
    }
}

/// A reply that belongs to one screen's state. Returns whether what is shown changed.
fn screen_reply(app: &mut App, reply: Reply, silent: bool, cmds: &mut Vec<Cmd>) -> bool {
    let (ctx, s) = app.split();
    let out = match reply {
        Reply::Search { seq, page, result } => {
            s.search.reply(seq, page, result);
            Outcome::changed(true)
        }
        Reply::Individual { seq, result } => {
            s.individual.reply(seq, result, &ctx);
            Outcome::changed(true)
        }
        Reply::Group { seq, result } => {
            s.group.reply(seq, result, &ctx);
            Outcome::changed(true)
        }
        Reply::Register(result) => {
            s.register.reply(result);
            Outcome::changed(true)
        }
        Reply::PreRegs { seq, page, result } => {
            s.pre_regs.reply(seq, page, result);
            Outcome::changed(true)
        }
        Reply::Reviews {
            seq,
            page,
            read_at,
            result,
        } => {
            s.reviews.reply(seq, page, read_at, result);
            Outcome::changed(true)
        }
        Reply::ImportReviews { seq, page, result } => {
            s.import_reviews.reply(seq, page, result);
            Outcome::changed(true)
        }
        Reply::Review { seq, result } => {
            s.review.reply(seq, result.map(|r| r.map(|b| *b)));
            Outcome::changed(true)
        }
        Reply::Read(ListReply::Work { seq, page, result }) => {
            s.work.reply(seq, page, result, silent)
        }
        Reply::Read(ListReply::Queue { seq, page, result }) => {
            s.supervisor.queue_reply(seq, page, result, silent)
        }
        Reply::Read(ListReply::Summary { seq, result }) => {
            Outcome::changed(s.supervisor.summary_reply(seq, result))
        }
        Reply::Read(ListReply::Case { seq, result }) => s.case.reply(seq, result, silent, &ctx),
        _ => Outcome::none(),
    };
    app.apply(out, cmds)
}

/// A re-read after a notice: it changes nothing on screen unless the answer differs, and an
/// ended session is left for the next request the user makes.
fn on_silent_reply(app: &mut App, reply: Reply, cmds: &mut Vec<Cmd>) -> bool {
    match reply {
        Reply::Read(_) => screen_reply(app, reply, true, cmds),
        Reply::SyncStatus(result) => on_sync_status(app, result, cmds),
        _ => false,
    }
}

/// Where the field node stands, for the status line; asked again while the session lasts.
fn on_sync_status(
    app: &mut App,
    result: Result<api::sync_status::ResponseData, ApiError>,
    cmds: &mut Vec<Cmd>,
) -> bool {
    let (changed, next) = app.node.reply(result, &app.clock, app.token.is_some());
    cmds.extend(next);
    changed
}

fn on_live(app: &mut App, event: LiveEvent, cmds: &mut Vec<Cmd>) -> bool {
    match event {
        LiveEvent::Up => {
            let was_up = std::mem::replace(&mut app.live, true);
            app.link = Link::Up;
            if !was_up && std::mem::replace(&mut app.live_before, true) {
                // Notices sent while the link was down are lost: re-read what is shown.
                notice(app, "", "reload", &[], cmds);
            }
            !was_up
        }
        LiveEvent::Down => {
            // The live link dropping is the first sign the server is gone: the status line
            // says so now, not at the next key.
            let was = std::mem::replace(&mut app.live, false);
            let link = std::mem::replace(&mut app.link, Link::Down);
            was || link != Link::Down
        }
        LiveEvent::Unreachable => std::mem::replace(&mut app.link, Link::Down) != Link::Down,
        LiveEvent::Notice {
            case_id,
            kind,
            officer_ids,
        } => {
            notice(app, &case_id, &kind, &officer_ids, cmds);
            false
        }
    }
}

/// A notice from the live link goes to the screen shown, which re-reads if it concerns it.
fn notice(app: &mut App, case_id: &str, kind: &str, officer_ids: &[String], cmds: &mut Vec<Cmd>) {
    let my_id = app.me.as_ref().map(|m| m.id.as_str());
    let s = &mut app.screens;
    let new = match app.stack.last() {
        Some(Screen::Case) => s.case.notice(case_id, kind),
        Some(Screen::Work) => s.work.notice(my_id, case_id, kind, officer_ids),
        Some(Screen::Supervisor) => s.supervisor.notice(),
        _ => Vec::new(),
    };
    app.send(cmds, new);
}

fn error_of(reply: &Reply) -> Option<&ApiError> {
    match reply {
        Reply::Login(Err(e)) | Reply::Register(Err(e)) => Some(e),
        Reply::Search { result: Err(e), .. } | Reply::Individual { result: Err(e), .. } => Some(e),
        Reply::Group { result: Err(e), .. } => Some(e),
        Reply::Reviews { result: Err(e), .. } | Reply::Review { result: Err(e), .. } => Some(e),
        Reply::Decide { result: Err(e), .. } => Some(e),
        Reply::ImportReviews { result: Err(e), .. }
        | Reply::DecideImport { result: Err(e), .. } => Some(e),
        Reply::SyncConflicts { result: Err(e), .. }
        | Reply::ResolveConflict { result: Err(e), .. } => Some(e),
        Reply::Me(Err(e)) | Reply::Act { result: Err(e), .. } => Some(e),
        Reply::Person { result: Err(e), .. } | Reply::Officers(Err(e)) => Some(e),
        Reply::AdminUsers(Err(e)) | Reply::AdminAct { result: Err(e), .. } => Some(e),
        Reply::AdminRead(Err(e)) | Reply::Tokens(Err(e)) => Some(e),
        Reply::TokenAct { result: Err(e), .. } => Some(e),
        Reply::Read(r) => r.error(),
        Reply::Convert(Err(e)) => Some(e),
        Reply::PreRegs { result: Err(e), .. } | Reply::Dismiss { result: Err(e), .. } => Some(e),
        Reply::ProtectionCases { result: Err(e), .. } => Some(e),
        Reply::ProtectionCase { result: Err(e), .. } => Some(e),
        Reply::Protection { result: Err(e), .. } => Some(e),
        Reply::DistributionLists { result: Err(e), .. }
        | Reply::Programmes { result: Err(e), .. }
        | Reply::Reconciliation { result: Err(e), .. }
        | Reply::DistributionList { result: Err(e), .. }
        | Reply::Distributed { result: Err(e), .. }
        | Reply::ProgrammeSaved { result: Err(e), .. }
        | Reply::Planned { result: Err(e), .. }
        | Reply::BiometricChecked { result: Err(e), .. }
        | Reply::Assessed { result: Err(e), .. } => Some(e),
        Reply::Statistics { result: Err(e), .. } | Reply::DataQuality { result: Err(e), .. } => {
            Some(e)
        }
        Reply::ResettlementCases { result: Err(e), .. }
        | Reply::ResettlementCase { result: Err(e), .. }
        | Reply::Resettlement { result: Err(e), .. } => Some(e),
        Reply::Referrals { result: Err(e), .. } | Reply::Sharing { result: Err(e), .. } => Some(e),
        _ => None,
    }
}

/// The clock of the session's office, else of its unit (named after the zone's city).
fn session_clock(me: &api::me::MeMe) -> Option<crate::widgets::OfficeClock> {
    use crate::widgets::{OfficeClock, OfficeHours};
    me.office
        .as_ref()
        .and_then(|o| {
            let h = &o.working_hours;
            let mut clock = OfficeClock::new(&o.time_zone, Some(&o.name))?;
            if let Some(hours) =
                OfficeHours::parse(&h.day_starts, &h.day_ends, &h.working_days, &h.holidays)
            {
                clock.hours = hours;
            }
            Some(clock)
        })
        .or_else(|| OfficeClock::new(&me.operation_unit.time_zone, None))
}

#[cfg(test)]
mod tests {
    use super::session_clock;
    use crate::api::me::MeMe;

    fn me(office: serde_json::Value) -> MeMe {
        serde_json::from_value(serde_json::json!({
            "id": "u", "username": "u", "roles": [], "office": office,
            "operationUnit": { "timeZone": "America/Guayaquil", "modules": ["registration", "rsd"], "hasFieldNodes": false },
        }))
        .expect("a me")
    }

    #[test]
    fn the_sessions_office_sets_the_clock_else_its_unit() {
        let gps = me(
            serde_json::json!({ "name": "Galápagos", "timeZone": "Pacific/Galapagos", "workingHours": { "dayStarts": "08:00", "dayEnds": "17:00", "workingDays": [1, 2, 3, 4, 5], "holidays": [] } }),
        );
        let clock = session_clock(&gps).expect("a clock");
        assert_eq!(clock.zone, chrono_tz::Pacific::Galapagos);
        assert_eq!(clock.place, "Galápagos");
        let none = session_clock(&me(serde_json::Value::Null)).expect("the unit's clock");
        assert_eq!(none.zone, chrono_tz::America::Guayaquil);
        assert_eq!(none.place, "Guayaquil");
        // An office whose zone the client does not know falls back to the unit's.
        let odd = me(
            serde_json::json!({ "name": "X", "timeZone": "Nowhere/Else", "workingHours": { "dayStarts": "08:00", "dayEnds": "17:00", "workingDays": [1, 2, 3, 4, 5], "holidays": [] } }),
        );
        assert_eq!(
            session_clock(&odd).map(|c| c.place).as_deref(),
            Some("Guayaquil")
        );
    }

    #[test]
    fn the_sessions_office_sets_the_working_week_forms_check() {
        use amparo_domain::codes::Lang;
        let lago = me(
            serde_json::json!({ "name": "Lago Agrio", "timeZone": "America/Guayaquil",
            "workingHours": { "dayStarts": "09:00", "dayEnds": "13:30", "workingDays": [1, 2, 3, 4],
                "holidays": ["2026-12-24"] } }),
        );
        let hours = session_clock(&lago).expect("a clock").hours;
        let at =
            |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time");
        // Tuesday 22 December 2026.
        assert!(hours.fits(at("2026-12-22 09:00"), 270));
        assert!(!hours.fits(at("2026-12-22 09:00"), 271), "ends after 13:30");
        assert!(!hours.fits(at("2026-12-22 08:30"), 30), "before 09:00");
        assert!(!hours.fits(at("2026-12-24 10:00"), 30), "a holiday");
        assert!(
            !hours.fits(at("2026-12-25 10:00"), 30),
            "Friday is not worked"
        );
        assert_eq!(hours.describe(Lang::Es), "lun-jue 9-13:30");
        assert_eq!(hours.describe(Lang::En), "Mon-Thu 9-13:30");
        // Hours that do not read keep Ecuador's public week rather than refusing every slot.
        let odd = me(
            serde_json::json!({ "name": "X", "timeZone": "America/Guayaquil",
            "workingHours": { "dayStarts": "25:00", "dayEnds": "13:00", "workingDays": [1],
                "holidays": [] } }),
        );
        let hours = session_clock(&odd).expect("a clock").hours;
        assert_eq!(hours.describe(Lang::En), "Mon-Fri 8-17");
    }
}
