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
    pub const ALL: [Role; 6] = [
        Role::RegistrationClerk,
        Role::EligibilityOfficer,
        Role::Supervisor,
        Role::ProtectionOfficer,
        Role::UnitAdmin,
        Role::Analyst,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::RegistrationClerk => "registration_clerk",
            Role::EligibilityOfficer => "eligibility_officer",
            Role::Supervisor => "supervisor",
            Role::ProtectionOfficer => "protection_officer",
            Role::UnitAdmin => "unit_admin",
            Role::Analyst => "analyst",
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
            ],
            Role::EligibilityOfficer => &[
                ReadPersons,
                WritePersons,
                AddNeeds,
                ReadCases,
                VerifyIdentity,
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
            ],
            Role::UnitAdmin => &[ManageUsers, ReadAudit],
            Role::Analyst => &[ReadStatistics],
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
