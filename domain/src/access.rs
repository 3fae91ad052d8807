//! Who may do what: roles, the permissions they grant, the sensitive field groups they open and
//! how far their view reaches. Pure data; the store enforces it through `Scope`.

use std::fmt;

/// A role as the operation unit's admin assigns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    RegistrationClerk,
    EligibilityOfficer,
    Supervisor,
    ProtectionOfficer,
    UnitAdmin,
    Analyst,
    /// Runs assistance programmes: eligibility, distribution lists, distributions.
    AssistanceOfficer,
    /// Resettlement staff: identify, assess, submit and follow families through resettlement.
    ResettlementOfficer,
}

/// An action on the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See individuals, groups and their registration data.
    ReadPersons,
    /// Register groups and members, edit registration data, add documents.
    WritePersons,
    /// Flag a specific need.
    AddNeeds,
    /// Confirm or resolve a specific need.
    ReviewNeeds,
    /// Split and merge registration groups.
    ManageGroups,
    /// See cases and their history.
    ReadCases,
    /// Query the audit trail.
    ReadAudit,
    /// See the unit's case queues and workload, and reassign cases.
    SuperviseCases,
    /// Create and disable users of the unit.
    ManageUsers,
    /// Aggregated statistics (never individuals).
    ReadStatistics,
    /// Enrol an individual's fingerprints and irises (and run the deduplication search).
    EnrolBiometrics,
    /// Decide possible biometric duplicates: same person or different people.
    AdjudicateBiometrics,
    /// Check at a service point that a person is the enrolled individual (1:1).
    VerifyIdentity,
    /// See and manage protection cases (the protection module).
    ManageProtection,
    /// Run assistance: programmes, eligibility, distribution lists and distributions.
    ManageAssistance,
    /// See and manage resettlement cases (the resettlement module).
    ManageResettlement,
    /// Refer a person to another unit under a data sharing agreement, record their consent,
    /// and answer referrals received.
    ReferPersons,
    /// Record the unit's data sharing agreements with other units.
    ManageAgreements,
}

/// Fields so sensitive that only roles that need them may read them (DOMAIN.md, data protection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldGroup {
    /// Specific needs coded SV and their details.
    Sgbv,
    /// Specific needs coded TR.
    Torture,
    /// Specific needs coded SM and DS.
    Medical,
    Ethnicity,
    Religion,
    /// The applicant's account of the claim on a case.
    ClaimNarrative,
}

impl FieldGroup {
    pub const ALL: [FieldGroup; 6] = [
        FieldGroup::Sgbv,
        FieldGroup::Torture,
        FieldGroup::Medical,
        FieldGroup::Ethnicity,
        FieldGroup::Religion,
        FieldGroup::ClaimNarrative,
    ];

    /// The name used in stored lists (the change feed) and in the API's reason codes.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldGroup::Sgbv => "sgbv",
            FieldGroup::Torture => "torture",
            FieldGroup::Medical => "medical",
            FieldGroup::Ethnicity => "ethnicity",
            FieldGroup::Religion => "religion",
            FieldGroup::ClaimNarrative => "claim_narrative",
        }
    }

    pub fn parse(s: &str) -> Option<FieldGroup> {
        FieldGroup::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// How far a user's view of personal data reaches inside the operation unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeLevel {
    /// Every record of the unit.
    Unit,
    /// Records registered at the user's office.
    Office,
    /// Members of cases assigned to the user.
    Own,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::RegistrationClerk,
        Role::EligibilityOfficer,
        Role::Supervisor,
        Role::ProtectionOfficer,
        Role::UnitAdmin,
        Role::Analyst,
        Role::AssistanceOfficer,
        Role::ResettlementOfficer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::RegistrationClerk => "registration_clerk",
            Role::EligibilityOfficer => "eligibility_officer",
            Role::Supervisor => "supervisor",
            Role::ProtectionOfficer => "protection_officer",
            Role::UnitAdmin => "unit_admin",
            Role::Analyst => "analyst",
            Role::AssistanceOfficer => "assistance_officer",
            Role::ResettlementOfficer => "resettlement_officer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::RegistrationClerk => &[
                ReadPersons,
                WritePersons,
                AddNeeds,
                ManageGroups,
                ReadCases,
                EnrolBiometrics,
                VerifyIdentity,
                ReferPersons,
            ],
            Role::EligibilityOfficer => &[
                ReadPersons,
                WritePersons,
                AddNeeds,
                ReadCases,
                VerifyIdentity,
                ReferPersons,
            ],
            Role::Supervisor => &[
                ReadPersons,
                WritePersons,
                AddNeeds,
                ReviewNeeds,
                ManageGroups,
                ReadCases,
                ReadAudit,
                ReadStatistics,
                SuperviseCases,
                EnrolBiometrics,
                AdjudicateBiometrics,
                VerifyIdentity,
                ManageProtection,
                ManageAssistance,
                ManageResettlement,
                ReferPersons,
            ],
            // Protection staff adjudicate possible duplicates because a wrong "same person" can
            // take a refugee's identity away; they do not enrol.
            Role::ProtectionOfficer => &[
                ReadPersons,
                AddNeeds,
                ReviewNeeds,
                ReadCases,
                AdjudicateBiometrics,
                VerifyIdentity,
                ManageProtection,
                ReferPersons,
            ],
            Role::UnitAdmin => &[ManageUsers, ReadAudit, ReadStatistics, ManageAgreements],
            Role::Analyst => &[ReadStatistics],
            // Assistance staff read households to assess them and verify recipients at the
            // site; they neither edit registration data nor see protection cases.
            Role::AssistanceOfficer => &[ReadPersons, VerifyIdentity, ManageAssistance],
            Role::ResettlementOfficer => &[
                ReadPersons,
                AddNeeds,
                ReadCases,
                VerifyIdentity,
                ManageResettlement,
                ReferPersons,
            ],
        }
    }

    /// Sensitive field groups the role needs for its work. Eligibility officers and supervisors
    /// assess persecution grounds (religion, ethnicity, torture, SGBV); protection staff follow
    /// up specific needs; clerks record needs but do not read sensitive ones back.
    pub fn field_groups(self) -> &'static [FieldGroup] {
        use FieldGroup::*;
        match self {
            Role::EligibilityOfficer | Role::Supervisor => {
                &[Sgbv, Torture, Ethnicity, Religion, ClaimNarrative]
            }
            Role::ProtectionOfficer => &[Sgbv, Torture, Medical, Ethnicity, Religion],
            // Programmes target serious medical conditions and disabilities.
            Role::AssistanceOfficer => &[Medical],
            Role::ResettlementOfficer => &[Sgbv, Torture, Medical],
            Role::RegistrationClerk | Role::UnitAdmin | Role::Analyst => &[],
        }
    }

    /// The scope a new user with this role gets unless the admin says otherwise.
    pub fn default_scope(self) -> ScopeLevel {
        match self {
            Role::RegistrationClerk | Role::EligibilityOfficer => ScopeLevel::Office,
            _ => ScopeLevel::Unit,
        }
    }
}

impl Role {
    /// The modules of which a unit needs at least one to give this role; empty means any unit
    /// may. A unit does not hand out the work of a procedure it does not run.
    pub fn needs_any_module(self) -> &'static [&'static str] {
        match self {
            // Partners register the people they meet, so units running assistance or
            // protection register too.
            Role::RegistrationClerk => &["registration", "assistance", "protection"],
            Role::EligibilityOfficer => &["rsd"],
            Role::ProtectionOfficer => &["rsd", "protection"],
            Role::AssistanceOfficer => &["assistance"],
            Role::ResettlementOfficer => &["resettlement"],
            Role::Supervisor | Role::UnitAdmin | Role::Analyst => &[],
        }
    }

    /// Whether a unit with these modules may give this role.
    pub fn offered_by(self, modules: &[String]) -> bool {
        let needs = self.needs_any_module();
        needs.is_empty() || needs.iter().any(|m| modules.iter().any(|u| u == m))
    }
}

/// A body of work an operation unit may run. The server's operator sets a unit's modules; a
/// query or mutation of a module the unit does not run is refused (FORBIDDEN, reason
/// MODULE_NOT_ENABLED), and the client does not offer its screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Module {
    /// Registration of individuals and groups, their needs, documents and biometrics.
    Registration,
    /// Refugee status determination: cases, their procedure and queues.
    Rsd,
    Assistance,
    Protection,
    Resettlement,
}

impl Module {
    pub const ALL: [Module; 5] = [
        Module::Registration,
        Module::Rsd,
        Module::Assistance,
        Module::Protection,
        Module::Resettlement,
    ];

    /// The name stored in the unit's module list and sent as the refusal's `module` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Module::Registration => "registration",
            Module::Rsd => "rsd",
            Module::Assistance => "assistance",
            Module::Protection => "protection",
            Module::Resettlement => "resettlement",
        }
    }

    pub fn parse(s: &str) -> Option<Module> {
        Module::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// Whether a unit running `modules` (as stored) may use this module. Partners register the
    /// people they meet (the government never registered many of them), so a unit running
    /// assistance or protection has the registration screens too, as it can give the clerk's
    /// role (see [`Role::needs_any_module`]).
    pub fn enabled_in<S: AsRef<str>>(self, modules: &[S]) -> bool {
        let runs = |m: Module| modules.iter().any(|u| u.as_ref() == m.as_str());
        match self {
            Module::Registration => {
                runs(Module::Registration) || runs(Module::Assistance) || runs(Module::Protection)
            }
            m => runs(m),
        }
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A unit's rules for passwords and sessions, stored among its settings (`access`).
/// NIST SP 800-63B: a minimum length and a check against breached passwords, no composition rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AccessSettings {
    /// Fewest characters in a password.
    pub min_password_length: u32,
    /// Most interactive sessions a user may hold at once; logging in beyond it ends the oldest.
    pub sessions_per_user: u32,
    /// Hours a one-time code for setting a password stays valid.
    pub code_hours: u32,
}

impl Default for AccessSettings {
    fn default() -> Self {
        Self {
            min_password_length: 12,
            sessions_per_user: 3,
            code_hours: 72,
        }
    }
}

/// Passwords shorter than this are refused whatever a unit sets (NIST SP 800-63B's floor).
pub const MIN_PASSWORD_FLOOR: u32 = 8;
/// Longest password accepted; NIST asks that at least 64 be allowed.
pub const MAX_PASSWORD_CHARS: usize = 256;

impl AccessSettings {
    /// Problems with the settings, one sentence each; empty when they can be used.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !(MIN_PASSWORD_FLOOR..=64).contains(&self.min_password_length) {
            out.push(format!(
                "the minimum password length must be between {MIN_PASSWORD_FLOOR} and 64"
            ));
        }
        if !(1..=20).contains(&self.sessions_per_user) {
            out.push("sessions per user must be between 1 and 20".to_string());
        }
        if !(1..=720).contains(&self.code_hours) {
            out.push("one-time codes must last between 1 and 720 hours".to_string());
        }
        out
    }
}

/// Why a unit admin may not give a user what they asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Escalation {
    /// Admins do not change their own roles, scope, office or status.
    OwnAccount,
    /// The unit does not run a module the role belongs to.
    RoleNotOffered(Role),
    /// A scope wider than the admin's own.
    WiderScope { asked: ScopeLevel, own: ScopeLevel },
    /// An office-scoped admin manages only users of their own office.
    OtherOffice,
}

impl fmt::Display for Escalation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Escalation::OwnAccount => {
                f.write_str("you cannot change your own roles, scope, office or status; ask another admin of your unit")
            }
            Escalation::RoleNotOffered(r) => {
                write!(f, "your unit does not run the work of the role {r}, so it cannot give it")
            }
            Escalation::WiderScope { asked, own } => write!(
                f,
                "you cannot give the scope {} because your own is {}",
                asked.as_str(),
                own.as_str()
            ),
            Escalation::OtherOffice => {
                f.write_str("your scope is your office: you manage only its users")
            }
        }
    }
}

/// What an admin wants a user to hold.
#[derive(Debug, Clone)]
pub struct Assignment<'a> {
    pub roles: &'a [Role],
    pub level: ScopeLevel,
    pub office_id: Option<&'a str>,
}

/// Who is asking, as far as escalation is concerned.
#[derive(Debug, Clone)]
pub struct Admin<'a> {
    pub user_id: &'a str,
    pub level: ScopeLevel,
    pub office_id: Option<&'a str>,
}

/// Whether `admin` may give `target_user_id` (None for a new user) what `wanted` says, in a unit
/// with `modules`. The caller has already checked that the admin holds `ManageUsers`.
pub fn check_assignment(
    admin: &Admin<'_>,
    target_user_id: Option<&str>,
    wanted: &Assignment<'_>,
    modules: &[String],
) -> Result<(), Escalation> {
    if target_user_id == Some(admin.user_id) {
        return Err(Escalation::OwnAccount);
    }
    if let Some(r) = wanted.roles.iter().find(|r| !r.offered_by(modules)) {
        return Err(Escalation::RoleNotOffered(*r));
    }
    if wanted.level.width() > admin.level.width() {
        return Err(Escalation::WiderScope {
            asked: wanted.level,
            own: admin.level,
        });
    }
    if admin.level != ScopeLevel::Unit && wanted.office_id != admin.office_id {
        return Err(Escalation::OtherOffice);
    }
    Ok(())
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ScopeLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeLevel::Unit => "unit",
            ScopeLevel::Office => "office",
            ScopeLevel::Own => "own",
        }
    }
    /// How much of the unit the level sees: own caseload 0, office 1, unit 2.
    pub fn width(self) -> u8 {
        match self {
            ScopeLevel::Own => 0,
            ScopeLevel::Office => 1,
            ScopeLevel::Unit => 2,
        }
    }

    pub fn parse(s: &str) -> Option<ScopeLevel> {
        [ScopeLevel::Unit, ScopeLevel::Office, ScopeLevel::Own]
            .into_iter()
            .find(|l| l.as_str() == s)
    }
}

/// Parses a comma-separated role list as stored on a user.
pub fn parse_roles(s: &str) -> Result<Vec<Role>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| Role::parse(r).ok_or_else(|| format!("unknown role {r:?}")))
        .collect()
}

/// The combined rights of a set of roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    roles: Vec<Role>,
}

impl Grants {
    pub fn new(mut roles: Vec<Role>) -> Self {
        roles.sort();
        roles.dedup();
        Self { roles }
    }
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }
    pub fn can(&self, p: Permission) -> bool {
        self.roles.iter().any(|r| r.permissions().contains(&p))
    }
    pub fn sees(&self, g: FieldGroup) -> bool {
        self.roles.iter().any(|r| r.field_groups().contains(&g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_round_trip_and_registration_comes_with_partner_work() {
        for m in Module::ALL {
            assert_eq!(Module::parse(m.as_str()), Some(m));
            assert!(m.enabled_in(&[m.as_str()]));
        }
        let unhcr = ["assistance", "protection", "resettlement"];
        assert!(Module::Registration.enabled_in(&unhcr));
        assert!(Module::Protection.enabled_in(&unhcr));
        assert!(!Module::Rsd.enabled_in(&unhcr));
        let dpin = ["registration", "rsd"];
        assert!(!Module::Protection.enabled_in(&dpin));
        assert!(!Module::Assistance.enabled_in(&dpin));
        assert!(!Module::Registration.enabled_in(&["resettlement"]));
        assert!(!Module::Rsd.enabled_in::<&str>(&[]));
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert!(parse_roles("supervisor, nobody").is_err());
    }

    #[test]
    fn sensitive_groups_follow_roles() {
        let clerk = Grants::new(vec![Role::RegistrationClerk]);
        assert!(clerk.can(Permission::WritePersons));
        assert!(!clerk.sees(FieldGroup::Sgbv));
        let protection = Grants::new(vec![Role::ProtectionOfficer]);
        assert!(protection.sees(FieldGroup::Medical));
        assert!(!protection.can(Permission::WritePersons));
        let analyst = Grants::new(vec![Role::Analyst]);
        assert!(!analyst.can(Permission::ReadPersons));
        let admin = Grants::new(vec![Role::UnitAdmin]);
        assert!(!admin.can(Permission::ReadPersons));
        assert!(!admin.can(Permission::EnrolBiometrics));
    }

    #[test]
    fn admins_cannot_escalate() {
        let modules = vec!["registration".to_string()];
        let admin = Admin {
            user_id: "a",
            level: ScopeLevel::Office,
            office_id: Some("uio"),
        };
        let clerk = Assignment {
            roles: &[Role::RegistrationClerk],
            level: ScopeLevel::Office,
            office_id: Some("uio"),
        };
        assert_eq!(check_assignment(&admin, None, &clerk, &modules), Ok(()));
        assert_eq!(
            check_assignment(&admin, Some("a"), &clerk, &modules),
            Err(Escalation::OwnAccount)
        );
        let officer = Assignment {
            roles: &[Role::EligibilityOfficer],
            ..clerk.clone()
        };
        assert_eq!(
            check_assignment(&admin, None, &officer, &modules),
            Err(Escalation::RoleNotOffered(Role::EligibilityOfficer))
        );
        let wide = Assignment {
            level: ScopeLevel::Unit,
            ..clerk.clone()
        };
        assert!(matches!(
            check_assignment(&admin, None, &wide, &modules),
            Err(Escalation::WiderScope { .. })
        ));
        let elsewhere = Assignment {
            office_id: Some("gye"),
            ..clerk
        };
        assert_eq!(
            check_assignment(&admin, None, &elsewhere, &modules),
            Err(Escalation::OtherOffice)
        );
    }

    #[test]
    fn biometric_duties_are_separated() {
        let clerk = Grants::new(vec![Role::RegistrationClerk]);
        assert!(clerk.can(Permission::EnrolBiometrics));
        assert!(!clerk.can(Permission::AdjudicateBiometrics));
        for adjudicator in [Role::Supervisor, Role::ProtectionOfficer] {
            assert!(Grants::new(vec![adjudicator]).can(Permission::AdjudicateBiometrics));
        }
        let officer = Grants::new(vec![Role::EligibilityOfficer]);
        assert!(officer.can(Permission::VerifyIdentity));
        assert!(!officer.can(Permission::AdjudicateBiometrics));
    }
}
