//! One module per screen. Each owns its state, turns keys and replies into changes of that
//! state plus an [`Outcome`] (requests to send, where to go next), and draws itself; none
//! writes another screen's state. The app (`app.rs`) keeps the session and the stack of screens
//! and carries the outcomes out.
//!
//! To add a screen: a module here with its state, `key`, its replies, `draw`, its `help` and
//! its words (`<screen>/texts.rs`); a [`Screen`] variant; its field in [`Screens`]; a row of
//! the navigation table (`nav.rs`) if a function key opens it; and the arms in `app.rs`
//! (`on_key`, `screen_reply`, a [`Nav`] if other screens open it) and `view.rs` (`draw_body`,
//! `screen_name`, `screen_keys`).

pub mod action_form;
pub mod admin;
pub mod assistance_plan;
pub mod case;
pub mod cases;
pub mod conflicts;
pub mod decide_form;
pub mod distribution_list;
pub mod distributions;
pub mod group;
pub mod group_form;
pub mod guarded;
pub mod import_reviews;
pub mod individual;
pub mod login;
pub mod person_form;
pub mod pre_regs;
pub mod protection;
pub mod protection_case;
pub mod quality;
pub mod queue;
pub mod referrals;
pub mod register;
pub mod resettlement;
pub mod resettlement_case;
pub mod review;
pub mod reviews;
pub mod search;
pub mod simple_form;
pub mod stats;
pub mod supervisor;
pub mod tokens;
pub mod work;

use crate::api;
use crate::i18n::Lang;
use crate::msg::Cmd;

/// Which screen is shown.
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
    /// The unit admin's users.
    Admin,
    /// The caller's own API tokens.
    Tokens,
    /// The registrars' triage queue of online pre-registrations.
    PreRegs,
    /// Protection cases: follow-ups due, open, closed.
    Protection,
    /// One protection case, or the intake of one.
    ProtectionCase,
    /// The registrars' list of possible duplicates found by imports.
    ImportReviews,
    /// Assistance: the day's distribution lists, the programmes, a reconciliation.
    Distributions,
    /// One distribution list, where distributions are recorded.
    DistributionList,
    /// The unit's statistics (analysts' F4; `s` from the supervisor's screen).
    Statistics,
    /// Data quality (`q` from the supervisor's screen).
    Quality,
    /// Resettlement cases: steps pending, overdue, ended.
    Resettlement,
    /// One resettlement case, or the hand-off of a family from a protection case.
    ResettlementCase,
    /// Referrals between units, received and sent.
    Referrals,
    /// Sync conflicts: changes made on a field node that central refused.
    Conflicts,
}

/// Every screen's state; the app shows one at a time.
#[derive(Debug, Clone, Default)]
pub struct Screens {
    pub login: login::LoginForm,
    pub search: search::SearchState,
    pub individual: individual::IndividualState,
    pub group: group::GroupState,
    pub register: register::RegisterForm,
    pub work: work::WorkState,
    pub supervisor: supervisor::SupervisorState,
    pub case: case::CaseState,
    pub reviews: reviews::ReviewsState,
    pub review: review::ReviewState,
    pub admin: admin::AdminState,
    pub tokens: tokens::TokensState,
    pub pre_regs: pre_regs::PreRegsState,
    pub protection: protection::ProtectionState,
    pub protection_case: protection_case::ProtectionCaseState,
    pub import_reviews: import_reviews::ImportReviewsState,
    pub distributions: distributions::DistributionsState,
    pub distribution_list: distribution_list::DistributionListState,
    pub stats: stats::StatsState,
    pub quality: quality::QualityState,
    pub resettlement: resettlement::ResettlementState,
    pub resettlement_case: resettlement_case::ResettlementCaseState,
    pub referrals: referrals::ReferralsState,
    pub conflicts: conflicts::ConflictsState,
}

/// An officer a case may be assigned to.
pub type Officer = api::assignable_officers::AssignableOfficersAssignableOfficers;

/// What a screen may read of the session when it handles a key or a reply.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub lang: Lang,
    /// The terminal's size: screens that flip pages derive the page from it.
    pub size: (u16, u16),
    /// Requests out and not yet answered.
    pub pending: usize,
    pub me: Option<&'a api::me::MeMe>,
    /// Officers cases may be assigned to, once read.
    pub officers: Option<&'a [Officer]>,
    /// Running against `amparo demo`'s own server.
    pub demo: bool,
    /// The unit has field nodes, or this client works on one: sync conflicts can exist.
    pub field_nodes: bool,
}

impl Ctx<'_> {
    /// Whether the user's unit runs module `m` (see `amparo_domain::access::Module`).
    pub fn runs(&self, m: amparo_domain::access::Module) -> bool {
        self.me
            .is_some_and(|me| m.enabled_in(&me.operation_unit.modules))
    }

    /// `(id, username)` of the officers, once read.
    pub fn officer_pairs(&self) -> Option<Vec<(String, String)>> {
        self.officers.map(|o| {
            o.iter()
                .map(|x| (x.id.clone(), format!("{} ({})", x.display_name, x.username)))
                .collect()
        })
    }

    pub fn my_id(&self) -> Option<String> {
        self.me.map(|m| m.id.clone())
    }
}

/// Where to go after a key or a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    /// Back to the screen below on the stack (or `fallback` when there is none); `reread`
    /// re-reads a list shown again, since the action just taken may have moved it.
    Back {
        fallback: Screen,
        reread: bool,
    },
    /// Search, as F2 opens it.
    Search,
    Individual(String),
    Group(String),
    Case(String),
    Review(String),
    /// Back to the duplicates queue after a decision, re-read from its first page.
    Decided(crate::msg::Decision),
    /// The registration form, filled from this pre-registration of the queue.
    Convert(String),
    /// Back to the pre-registration queue after registering the one with this reference.
    Converted(String),
    /// One protection case.
    ProtectionCase(String),
    /// The intake of a protection case for this individual.
    ProtectionIntake(String),
    /// One distribution list.
    DistributionList(String),
    /// A list just created, with what became of the households sent to it.
    PlannedList {
        id: String,
        households: Vec<crate::msg::HouseholdNote>,
    },
    /// The unit's statistics, above the current screen.
    Statistics,
    /// Data quality, above the current screen.
    Quality,
    /// One resettlement case.
    ResettlementCase(String),
    /// The hand-off of a protection case's family to resettlement.
    HandOff {
        protection_case_id: String,
        principal_id: String,
    },
    /// The referrals screen with the referral form for this individual.
    Refer(String),
}

/// What handling a key or a reply asks of the app.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Whether what is shown changed.
    pub changed: bool,
    /// Requests to run.
    pub cmds: Vec<Cmd>,
    pub nav: Option<Nav>,
    /// The screen needs the list of officers.
    pub need_officers: bool,
}

impl Outcome {
    /// Nothing happened.
    pub fn none() -> Self {
        Self::default()
    }

    /// Only what is shown changed.
    pub fn changed(changed: bool) -> Self {
        Self {
            changed,
            ..Self::default()
        }
    }

    /// What is shown changed and these requests go out.
    pub fn send(cmds: Vec<Cmd>) -> Self {
        Self {
            changed: true,
            cmds,
            ..Self::default()
        }
    }

    /// What is shown changed and the app goes elsewhere.
    pub fn go(nav: Nav) -> Self {
        Self {
            changed: true,
            nav: Some(nav),
            ..Self::default()
        }
    }
}

/// Lines a paged record shows at this terminal height, less `chrome` lines of headers and hints.
pub fn page_lines(size: (u16, u16), chrome: u16) -> usize {
    usize::from(size.1.saturating_sub(chrome)).max(1)
}
