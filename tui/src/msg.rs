//! The messages the app runs on: what happened ([`Msg`], with the [`Reply`] of a request), the
//! requests to make ([`Cmd`]), and the data replies carry. Screens, the app and the runtime all
//! speak these, so this module depends on none of them.

use std::time::Duration;

use ratatui::crossterm::event::KeyEvent;

use crate::actions::ActRequest;
use crate::api::{self, ApiError};
use crate::widgets::{Page, PageRequest};

/// Something that happened.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// A request finished after `rtt`.
    Reply {
        rtt: Duration,
        /// Boxed: some answers are large, and every key press is a `Msg` too.
        reply: Box<Reply>,
    },
    /// The live link to the server changed or brought a notice.
    Live(LiveEvent),
}

/// What the live link (`caseEvents` over a websocket) reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    Up,
    Down,
    /// The server's port stopped taking connections (see `runtime::watch`): the link is down
    /// even for a session without a live link, and before any key is pressed.
    Unreachable,
    /// A case changed; kind `reload` means notices were lost and every screen should re-read.
    Notice {
        case_id: String,
        kind: String,
        /// The officers assigned before and after.
        officer_ids: Vec<String>,
    },
}

impl Cmd {
    /// This command, as a silent re-read when `silent`.
    pub fn silent_if(self, silent: bool) -> Cmd {
        if silent {
            Cmd::Silent(Box::new(self))
        } else {
            self
        }
    }

    /// Whether the status line counts it as a request out: silent re-reads and local
    /// commands are not counted.
    pub fn counts_as_pending(&self) -> bool {
        !matches!(
            self,
            Cmd::UseToken(_) | Cmd::Live(_) | Cmd::Silent(_) | Cmd::Logout
        )
    }
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
        result: Result<ReviewsPage, ApiError>,
    },
    /// One review; `None` when the unit's queue has none with that id.
    Review {
        seq: u64,
        result:
            Result<Option<Box<api::biometric_review::BiometricReviewBiometricReview>>, ApiError>,
    },
    Decide {
        cmid: String,
        result: Result<(), ApiError>,
    },
    /// A page of the import review list.
    ImportReviews {
        seq: u64,
        page: usize,
        result: Result<ImportReviewsPage, ApiError>,
    },
    DecideImport {
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
    /// A change to a person's record (a need, a document, their data) or a case opened for
    /// them; `Ok(Some(id))` names the case opened.
    Person {
        cmid: String,
        result: Result<Option<String>, ApiError>,
    },
    /// The reply of a command sent with [`Cmd::Silent`].
    Silent(Box<Reply>),
    /// Where the server stands (a field node's freshness), for the status line.
    SyncStatus(Result<api::sync_status::ResponseData, ApiError>),
    /// The open sync conflicts the caller may resolve.
    SyncConflicts {
        seq: u64,
        result: Result<Vec<crate::screens::conflicts::Row>, ApiError>,
    },
    /// The answer to a resolution of a sync conflict.
    ResolveConflict {
        cmid: String,
        result: Result<(), ApiError>,
    },
    AdminUsers(Result<api::users::ResponseData, ApiError>),
    /// A page of the pre-registration queue.
    PreRegs {
        seq: u64,
        page: usize,
        result: Result<PreRegPage, ApiError>,
    },
    /// `convertPreRegistration` answered (the registration form sent it).
    Convert(Result<api::convert_pre_registration::ResponseData, ApiError>),
    /// `dismissPreRegistration` answered.
    Dismiss {
        cmid: String,
        result: Result<(), ApiError>,
    },
    AdminAct {
        cmid: String,
        result: Result<AdminDone, ApiError>,
    },
    /// A read of the administration screen's other views.
    AdminRead(Result<AdminData, ApiError>),
    /// The caller's API tokens.
    Tokens(Result<api::api_tokens::ResponseData, ApiError>),
    /// Statistics read for request `seq`.
    Statistics {
        seq: u64,
        result: Result<api::statistics::ResponseData, ApiError>,
    },
    /// Data quality read for request `seq`.
    DataQuality {
        seq: u64,
        result: Result<api::data_quality::ResponseData, ApiError>,
    },
    /// A token made (`Ok(Some(secret))`, shown once) or revoked (`Ok(None)`).
    TokenAct {
        cmid: String,
        result: Result<Option<String>, ApiError>,
    },
    /// A page of a list of protection cases.
    ProtectionCases {
        seq: u64,
        page: usize,
        result: Result<Page<ProtectionRow>, ApiError>,
    },
    /// One protection case.
    ProtectionCase {
        seq: u64,
        result: Result<Box<ProtectionCaseData>, ApiError>,
    },
    /// A protection intake or action done: the case's id.
    Protection {
        cmid: String,
        result: Result<String, ApiError>,
    },
    /// The distribution lists of a day.
    DistributionLists {
        seq: u64,
        result: Result<Vec<DayList>, ApiError>,
    },
    /// The unit's assistance programmes.
    Programmes {
        seq: u64,
        result: Result<Vec<ProgrammeRow>, ApiError>,
    },
    /// Planned against distributed per site.
    Reconciliation {
        seq: u64,
        result: Result<Vec<SiteRow>, ApiError>,
    },
    /// One distribution list with its households.
    DistributionList {
        seq: u64,
        result: Result<Box<ListData>, ApiError>,
    },
    /// A distribution recorded: its id.
    Distributed {
        cmid: String,
        result: Result<String, ApiError>,
    },
    /// A programme created or changed: its id.
    ProgrammeSaved {
        cmid: String,
        result: Result<String, ApiError>,
    },
    /// A household assessed against a programme.
    Assessed {
        cmid: String,
        result: Result<HouseholdNote, ApiError>,
    },
    /// A list created or households added to one: the list and what became of each household.
    Planned {
        cmid: String,
        result: Result<PlannedList, ApiError>,
    },
    /// The recipient's fingers captured and compared 1:1 with their enrolment: whether they
    /// matched.
    BiometricChecked {
        cmid: String,
        result: Result<bool, ApiError>,
    },
    /// A page of a list of resettlement cases.
    ResettlementCases {
        seq: u64,
        page: usize,
        result: Result<Page<ResettlementRow>, ApiError>,
    },
    /// One resettlement case.
    ResettlementCase {
        seq: u64,
        result: Result<Box<ResettlementCaseData>, ApiError>,
    },
    /// A resettlement identification, hand-off or step done: the case's id.
    Resettlement {
        cmid: String,
        result: Result<String, ApiError>,
    },
    /// Referrals received or sent, with the agreements the caller's unit is party to.
    Referrals {
        seq: u64,
        result: Result<ReferralsData, ApiError>,
    },
    /// A referral sent, accepted or declined, or an agreement recorded: its reference or id.
    Sharing {
        cmid: String,
        result: Result<String, ApiError>,
    },
}

/// A row of a list of resettlement cases.
pub type ResettlementRow = api::resettlement_cases::ResettlementCasesResettlementCasesNodes;
/// A resettlement case as its screen shows it.
pub type ResettlementCaseData = api::resettlement_case::ResettlementCaseResettlementCase;
/// A referral as the referrals screen shows it.
pub type ReferralRow = api::referrals::ReferralsReferralsNodes;
/// A data sharing agreement.
pub type AgreementRow = api::agreements::AgreementsDataSharingAgreements;

/// What the referrals screen reads: one direction's referrals and the agreements.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralsData {
    /// The page of referrals asked for, and which page it is.
    pub referrals: Page<ReferralRow>,
    pub page: usize,
    pub agreements: Vec<AgreementRow>,
    /// The consents of the person being referred, when one is (latest first).
    pub consents: Vec<ConsentRow>,
}

/// A person's consent to be referred.
pub type ConsentRow = api::referral_consents::ReferralConsentsReferralConsents;

/// A resettlement identification (or hand-off) or step, in the client's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum ResettlementInput {
    /// `openResettlementCase`; a hand-off names the protection case. The runtime adds the
    /// `clientMutationId`.
    Open {
        principal_id: String,
        protection_case_id: Option<String>,
        category: String,
        priority: api::open_resettlement_case::ResettlementPriority,
        summary: String,
    },
    /// A step: `actOnResettlementCase`'s input as the case screen's form built it (case,
    /// version read, `clientMutationId` and the step's fields).
    Act(Box<api::act_on_resettlement_case::ActOnResettlementCaseInput>),
}

/// A referral or agreement write, in the client's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharingInput {
    /// `referPerson` under a consent recorded before or given now.
    Refer {
        individual_id: String,
        agreement_id: String,
        purpose: String,
        consent: ReferralConsent,
        note: Option<String>,
    },
    /// `recordReferralConsent`: who consented, when, for which purposes.
    RecordConsent {
        individual_id: String,
        given_by: String,
        given_on: String,
        purposes: Vec<String>,
    },
    /// `withdrawReferralConsent`, with the version read.
    WithdrawConsent { consent_id: String, version: i64 },
    /// `acceptReferral`, linked to a person of the unit or registering the one referred.
    Accept {
        referral_id: String,
        version: i64,
        individual_id: Option<String>,
    },
    /// `declineReferral` with its reason.
    Decline {
        referral_id: String,
        version: i64,
        reason: String,
    },
    /// `recordDataSharingAgreement` with one purpose.
    Agreement {
        partner_unit_code: String,
        title: String,
        purpose: String,
        fields: Vec<String>,
        valid_from: String,
        valid_until: String,
    },
}

/// The consent a referral rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralConsent {
    /// One recorded before (`referralConsents`).
    Recorded(String),
    /// Given now: who consented and on which day.
    GivenNow { given_by: String, given_on: String },
}

/// A distribution list as the day's view shows it.
pub type DayList = api::distribution_lists::DistributionListsDistributionLists;
/// A programme as the programmes view shows it.
pub type ProgrammeRow = api::assistance_programmes::AssistanceProgrammesAssistanceProgrammes;
/// A site's line of a reconciliation.
pub type SiteRow = api::assistance_reconciliation::AssistanceReconciliationAssistanceReconciliation;
/// A distribution list with its households.
pub type ListData = api::distribution_list::DistributionListDistributionList;

/// A row of a list of protection cases.
pub type ProtectionRow = api::protection_cases::ProtectionCasesProtectionCasesNodes;
/// A protection case as its screen shows it.
pub type ProtectionCaseData = api::protection_case::ProtectionCaseProtectionCase;

/// A protection intake or action, in the client's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum ProtectionInput {
    /// `openProtectionCase`; the runtime adds the `clientMutationId`.
    Open {
        principal_id: String,
        category: String,
        risk_level: api::open_protection_case::ProtectionRiskLevel,
        intake_summary: String,
    },
    /// An action: its own mutation as the case screen's form built it (case, version read,
    /// `clientMutationId` and the action's fields).
    Act(Box<api::ProtectionMutation>),
}

/// What a person's form sends, one variant per mutation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonInput {
    AddNeed {
        individual_id: String,
        code: String,
        sub_code: Option<String>,
        comments: Option<String>,
    },
    ReviewNeed {
        need_id: String,
        version: i64,
        /// `CONFIRMED` or `RESOLVED`.
        confirmed: bool,
        comments: Option<String>,
    },
    AddDocument {
        individual_id: String,
        document_type: String,
        number: String,
        issuing_country: Option<String>,
    },
    /// A document as it should read, with the version read.
    UpdateDocument {
        id: String,
        version: i64,
        document_type: String,
        number: String,
        issuing_country: Option<String>,
        issued_on: Option<String>,
        expires_on: Option<String>,
    },
    /// Only the fields that changed are sent; the version read guards the rest. A list
    /// (languages, addresses, phones) is sent whole when one of its entries changed.
    Update {
        id: String,
        version: i64,
        given_names: Option<String>,
        family_name: Option<String>,
        original_script_name: Option<String>,
        date_of_birth: Option<String>,
        nationalities: Option<Vec<String>>,
        languages: Option<Vec<LanguageValue>>,
        addresses: Option<Vec<AddressValue>>,
        phones: Option<Vec<PhoneValue>>,
    },
    /// Members (with their relationship to the new focal point) leave for a new group.
    Split {
        group_id: String,
        version: i64,
        members: Vec<(String, String)>,
    },
    /// Every member of the source group joins the target with their relationship to its
    /// focal point; the source closes.
    Merge {
        target_id: String,
        target_version: i64,
        source_id: String,
        source_version: i64,
        members: Vec<(String, String)>,
    },
    OpenCase {
        group_id: String,
        principal_id: String,
        member_ids: Vec<String>,
        claim_summary: Option<String>,
    },
}

/// The list households are planned on: a new one, or one read at a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListTarget {
    New {
        programme_id: String,
        cycle: i64,
        site: String,
        date: String,
    },
    Existing {
        list_id: String,
        version: i64,
    },
}

/// What became of one household assessed, or offered to a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdNote {
    /// Its group number, as typed.
    pub household: String,
    pub eligible: bool,
    /// Planned on the list just worked on.
    pub planned: bool,
    /// Already planned on another list of the cycle.
    pub elsewhere: bool,
    /// The server's explanation ("eligible: household of 6 with a child under 5"), in
    /// Spanish and English; None when it names data the user's roles do not read.
    pub why_es: Option<String>,
    pub why_en: Option<String>,
}

/// A list created or added to, and what became of the households sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedList {
    pub list_id: String,
    pub households: Vec<HouseholdNote>,
}

/// A language a person speaks, as the correction form sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageValue {
    pub language: String,
    pub kind: String,
}

/// An address, as the correction form sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressValue {
    pub kind: String,
    pub line: String,
    pub city: Option<String>,
    pub province: Option<String>,
    pub country: String,
}

/// A phone, as the correction form sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneValue {
    pub number: String,
    pub kind: String,
    pub consent_to_contact: bool,
}

/// Work for the runtime: each network command comes back as exactly one [`Msg::Reply`].
#[derive(Debug, Clone)]
pub enum Cmd {
    /// The unit's users and offices, for the administration screen.
    AdminUsers,
    /// A change by the unit admin, sent with its `clientMutationId`.
    AdminAct {
        cmid: String,
        op: AdminOp,
    },
    /// A read for one of the administration screen's views.
    AdminRead(AdminRead),
    /// The caller's own API tokens.
    Tokens,
    /// The unit's statistics for a period and an office; `seq` tells the latest request.
    Statistics {
        seq: u64,
        from_month: Option<String>,
        office: Option<String>,
    },
    /// The unit's data-quality findings, optionally in one office.
    DataQuality {
        seq: u64,
        office: Option<String>,
    },
    /// Create or revoke one of the caller's API tokens, with its `clientMutationId`.
    TokenAct {
        cmid: String,
        op: TokenOp,
    },
    /// Set a new password with a one-time code; answered as a login.
    SetPasswordWithCode {
        username: String,
        code: String,
        new_password: String,
    },
    /// A person's form, sent with its `clientMutationId`.
    Person {
        cmid: String,
        input: Box<PersonInput>,
    },
    Login {
        username: String,
        password: String,
        /// The new password, when the unit admin asked for a change.
        new_password: Option<String>,
    },
    /// End the session on the server (the client forgets it at once).
    Logout,
    /// Send this session token with every later request.
    UseToken(String),
    Search {
        seq: u64,
        page: usize,
        query: String,
        after: Option<String>,
        /// Rows to ask for.
        first: usize,
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
    /// A page of the pre-registration queue.
    PreRegs {
        seq: u64,
        page: usize,
        after: Option<String>,
    },
    /// The registration form, sent as the conversion of a pre-registration.
    Convert(api::convert_pre_registration::ConvertPreRegistrationInput),
    /// `dismissPreRegistration` with the version read and the form's `clientMutationId`.
    Dismiss {
        cmid: String,
        id: String,
        version: i64,
        reason: String,
    },
    Me,
    Reviews {
        seq: u64,
        page: usize,
        after: Option<String>,
        /// Rows to ask for.
        first: usize,
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
        decision: Decision,
        reason: String,
    },
    ImportReviews {
        seq: u64,
        page: usize,
        after: Option<String>,
    },
    /// `decideImportReview` with the version read: link (`true`) or keep separate.
    DecideImport {
        cmid: String,
        review_id: String,
        version: i64,
        link: bool,
    },
    /// Open the live link with this session token (closing any earlier one).
    Live(String),
    Work {
        seq: u64,
        page: usize,
        filter: api::my_work::WorkFilterInput,
        after: Option<String>,
        /// Rows to ask for.
        first: usize,
    },
    Queue {
        seq: u64,
        page: usize,
        list: api::case_queue::CaseList,
        after: Option<String>,
        /// Rows to ask for.
        first: usize,
    },
    Summary {
        seq: u64,
    },
    Case {
        seq: u64,
        id: String,
    },
    Officers,
    /// A page of `protectionCases` of one list.
    ProtectionCases {
        list: api::protection_cases::ProtectionCaseList,
        page: PageRequest,
    },
    ProtectionCase {
        seq: u64,
        id: String,
    },
    Protection {
        cmid: String,
        input: ProtectionInput,
    },
    /// `distributionLists` of today.
    DistributionLists {
        seq: u64,
    },
    /// `assistanceProgrammes`.
    Programmes {
        seq: u64,
    },
    /// `assistanceReconciliation` of a programme's cycle.
    Reconciliation {
        seq: u64,
        programme_id: String,
        cycle: i64,
    },
    /// `distributionList`.
    DistributionList {
        seq: u64,
        id: String,
    },
    /// `recordDistribution` after the recipient was verified: by the document number typed,
    /// or (None) by a matched `verifyIdentity` just made.
    Distribute {
        cmid: String,
        list_id: String,
        group_id: String,
        recipient_id: String,
        document_number: Option<String>,
    },
    /// `createAssistanceProgramme`, or `updateAssistanceProgramme` of `(id, version read)`.
    SaveProgramme {
        cmid: String,
        edit: Option<(String, i64)>,
        active: bool,
        input: amparo_domain::assistance::ProgrammeInput,
    },
    /// `assessEligibility` of the household with this group number.
    Assess {
        cmid: String,
        programme_id: String,
        household: String,
    },
    /// `createDistributionList` or `addToDistributionList` with the households of these group
    /// numbers.
    PlanList {
        cmid: String,
        target: ListTarget,
        households: Vec<String>,
    },
    /// Captures the recipient's fingers on the workstation's scanner and sends them to
    /// `verifyIdentity` (see `runtime::capture_setup`).
    CheckBiometrics {
        cmid: String,
        individual_id: String,
    },
    /// A page of `resettlementCases` of one list.
    ResettlementCases {
        list: api::resettlement_cases::ResettlementCaseList,
        page: PageRequest,
    },
    ResettlementCase {
        seq: u64,
        id: String,
    },
    Resettlement {
        cmid: String,
        input: ResettlementInput,
    },
    /// `referrals` of one direction, and the agreements.
    Referrals {
        direction: api::referrals::ReferralDirection,
        page: PageRequest,
        /// Also the consents of this person (the one being referred).
        person: Option<String>,
    },
    Sharing {
        cmid: String,
        input: SharingInput,
    },
    /// A case action; `cmid` is also inside the request, and names the answer.
    Act {
        cmid: String,
        request: ActRequest,
    },
    /// A re-read after a notice: no pending marker, no round-trip time shown, and a frame only
    /// if the answer differs from what is shown.
    Silent(Box<Cmd>),
    /// Asks where the server stands after waiting `after` (a field node is asked again while
    /// the session lasts, so the status line follows its syncs).
    SyncStatus {
        after: std::time::Duration,
    },
    /// The open sync conflicts.
    SyncConflicts {
        seq: u64,
    },
    /// `resolveSyncConflict` with the version read: apply mine, keep theirs, or merge
    /// `fields`.
    ResolveConflict {
        cmid: String,
        id: String,
        version: i64,
        resolution: crate::screens::conflicts::Resolve,
        fields: Option<Vec<String>>,
    },
}

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
    /// The principal applicant's name (none when outside the caller's scope).
    pub principal: Option<String>,
    /// The assigned officer's name.
    pub officer: Option<String>,
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
                    principal: r.principal_applicant.map(|p| p.full_name),
                    officer: r.assigned_officer.map(|o| o.display_name),
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

/// What an action's mutation answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActDone {
    /// The case's status after it; `None` for a bulk reassignment.
    pub status: Option<String>,
    /// How many cases a bulk reassignment moved.
    pub cases: usize,
}

/// What the adjudicator decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    SamePerson,
    DifferentPeople,
}

/// A page of the queue as the runtime hands it over.
pub type ReviewsPage = Page<api::biometric_reviews::BiometricReviewsBiometricReviewsEdgesNode>;

/// A page of the pre-registration queue as the runtime hands it over.
pub type PreRegPage = Page<api::pre_registrations::PreRegistrationsPreRegistrationsNodes>;

/// A page of the import review list as the runtime hands it over.
pub type ImportReviewsPage = Page<api::import_reviews::ImportReviewsImportReviewsEdgesNode>;

/// Replies of reads of case lists, the summary and a case.
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

/// What a unit admin changes, one variant per mutation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminOp {
    Create {
        username: String,
        display_name: String,
        roles: Vec<String>,
        office_id: Option<String>,
        scope_level: String,
    },
    Disable {
        id: String,
        version: i64,
    },
    Enable {
        id: String,
        version: i64,
    },
    ResetCode {
        id: String,
    },
    /// Roles, office and scope (all of them, as the form holds them); or only a forced
    /// password change.
    Update {
        id: String,
        version: i64,
        display_name: Option<String>,
        roles: Option<Vec<String>>,
        office_id: Option<String>,
        scope_level: Option<String>,
        force_password_change: bool,
    },
    EndSession {
        id: String,
    },
    /// An office created (`id` None) or changed.
    SaveOffice {
        id: Option<String>,
        version: Option<i64>,
        code: String,
        name: String,
        time_zone: String,
        working_hours: Option<String>,
        holidays: Vec<String>,
    },
    UpdateSettings {
        version: i64,
        settings: serde_json::Value,
    },
    /// A field node for an office of the unit; its one-time enrolment code comes back once.
    RegisterNode {
        office_code: String,
        name: String,
    },
    /// A field node revoked, as read (`version`): it stops syncing and wipes itself.
    RevokeNode {
        id: String,
        version: i64,
    },
}

/// What the administration screen reads besides the users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminRead {
    Sessions {
        user_id: String,
    },
    Offices,
    Settings,
    Review,
    /// The data sharing agreements the unit is party to.
    Agreements,
    /// The unit's field nodes, with its offices to name them.
    Nodes,
}

/// The answer to an [`AdminRead`].
#[derive(Debug, Clone, PartialEq)]
pub enum AdminData {
    Sessions {
        user_id: String,
        sessions: Vec<api::user_sessions::UserSessionsUserSessions>,
    },
    Offices(Vec<api::unit_offices::UnitOfficesUnitOffices>),
    Settings(Box<api::unit_settings::ResponseData>),
    Review(Vec<api::access_review::AccessReviewAccessReview>),
    Agreements(Vec<AgreementRow>),
    Nodes(Box<api::field_nodes::ResponseData>),
}

/// A change to the caller's API tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOp {
    Create { name: String, days: Option<i64> },
    Revoke { id: String },
}

/// A unit admin's change that the server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminDone {
    /// A one-time code to give the person, shown once.
    Code {
        username: String,
        code: String,
        expires_at: String,
    },
    /// A field node's one-time enrolment code, shown once with how to use it.
    NodeCode {
        name: String,
        code: String,
        expires_at: String,
    },
    Changed,
}
