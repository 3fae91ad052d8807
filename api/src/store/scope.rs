//! The caller's reach. Every store function that touches personal data takes a [`Scope`], and a
//! `Scope` can only be made from an authenticated user (or by the seeder for its own unit), so
//! isolation between operation units is a property of the types rather than of remembering a
//! WHERE clause.

use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::db::Db;
use super::schema::{
    case_members, cases, distribution_lists, individuals, protection_cases, registration_groups,
    resettlement_cases,
};
use crate::domain::access::{FieldGroup, Grants, Module, Permission, ScopeLevel};
use crate::error::{Error, Result};

/// An authenticated caller inside one operation unit.
#[derive(Debug, Clone)]
pub struct Scope {
    user_id: String,
    username: String,
    unit_id: String,
    office_id: Option<String>,
    level: ScopeLevel,
    grants: Grants,
    request_id: String,
    /// The modules the caller's unit runs, as read when the caller was authenticated.
    modules: Vec<String>,
}

type Filter<T> = Box<dyn BoxableExpression<T, Db, SqlType = Bool>>;

impl Scope {
    /// Only the authentication layer and the seeder build scopes.
    pub(crate) fn new(
        user_id: String,
        username: String,
        unit_id: String,
        office_id: Option<String>,
        level: ScopeLevel,
        grants: Grants,
        request_id: String,
    ) -> Self {
        Self {
            user_id,
            username,
            unit_id,
            office_id,
            level,
            grants,
            request_id,
            modules: Vec::new(),
        }
    }

    /// The same caller in a unit that runs `modules` (the unit's stored list).
    pub(crate) fn with_modules(mut self, modules: Vec<String>) -> Self {
        self.modules = modules;
        self
    }

    /// The modules the caller's unit runs.
    pub fn modules(&self) -> &[String] {
        &self.modules
    }

    /// Refuses with FORBIDDEN (reason MODULE_NOT_ENABLED) unless the caller's unit runs `m`.
    pub fn require_module(&self, m: Module) -> Result<()> {
        if m.enabled_in(&self.modules) {
            Ok(())
        } else {
            Err(Error {
                reason: crate::error::Reason::ModuleNotEnabled {
                    module: m.as_str().to_string(),
                },
                ..Error::forbidden(format!(
                    "your operation unit does not run the {m} module; ask the operator of the server to enable it for your unit"
                ))
            })
        }
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    pub fn username(&self) -> &str {
        &self.username
    }
    pub fn unit_id(&self) -> &str {
        &self.unit_id
    }
    pub fn office_id(&self) -> Option<&str> {
        self.office_id.as_deref()
    }
    pub fn level(&self) -> ScopeLevel {
        self.level
    }
    pub fn grants(&self) -> &Grants {
        &self.grants
    }
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
    pub fn sees(&self, group: FieldGroup) -> bool {
        self.grants.sees(group)
    }

    /// Refuses with FORBIDDEN unless the caller's roles grant `p`.
    pub fn require(&self, p: Permission) -> Result<()> {
        if self.grants.can(p) {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "your role does not allow this ({})",
                permission_words(p)
            )))
        }
    }

    /// The same caller registering at another office of their unit (an import names the office
    /// that receives its records).
    pub(crate) fn registering_at(mut self, office_id: String) -> Self {
        self.office_id = Some(office_id);
        self
    }

    /// The office new records are registered at: the caller's own.
    pub fn registering_office(&self) -> Result<&str> {
        self.office_id.as_deref().ok_or_else(|| {
            Error::forbidden("your account has no office; ask your unit admin to set one")
        })
    }

    /// Individuals this caller may see.
    pub fn individuals(&self) -> Filter<individuals::table> {
        let unit = individuals::operation_unit_id.eq(self.unit_id.clone());
        match (self.level, &self.office_id) {
            (ScopeLevel::Unit, _) => Box::new(unit),
            (ScopeLevel::Office, Some(office)) => {
                Box::new(unit.and(individuals::office_id.eq(office.clone())))
            }
            (ScopeLevel::Office, None) => Box::new(unit.and(individuals::id.ne(individuals::id))),
            (ScopeLevel::Own, _) => Box::new(
                unit.and(
                    individuals::id.eq_any(
                        case_members::table
                            .inner_join(cases::table)
                            .filter(cases::assigned_officer_id.eq(self.user_id.clone()))
                            .filter(case_members::removed_at.is_null())
                            .select(case_members::individual_id),
                    ),
                ),
            ),
        }
    }

    /// Registration groups this caller may see.
    pub fn groups(&self) -> Filter<registration_groups::table> {
        let unit = registration_groups::operation_unit_id.eq(self.unit_id.clone());
        match (self.level, &self.office_id) {
            (ScopeLevel::Unit, _) => Box::new(unit),
            (ScopeLevel::Office, Some(office)) => {
                Box::new(unit.and(registration_groups::office_id.eq(office.clone())))
            }
            (ScopeLevel::Office, None) => {
                Box::new(unit.and(registration_groups::id.ne(registration_groups::id)))
            }
            (ScopeLevel::Own, _) => Box::new(
                unit.and(
                    registration_groups::id
                        .nullable()
                        .eq_any(
                            cases::table
                                .filter(cases::assigned_officer_id.eq(self.user_id.clone()))
                                .select(cases::registration_group_id),
                        )
                        .assume_not_null(),
                ),
            ),
        }
    }

    /// Cases this caller may see.
    pub fn cases(&self) -> Filter<cases::table> {
        let unit = cases::operation_unit_id.eq(self.unit_id.clone());
        match (self.level, &self.office_id) {
            (ScopeLevel::Unit, _) => Box::new(unit),
            (ScopeLevel::Office, Some(office)) => {
                Box::new(unit.and(cases::office_id.eq(office.clone())))
            }
            (ScopeLevel::Office, None) => Box::new(unit.and(cases::id.ne(cases::id))),
            (ScopeLevel::Own, _) => Box::new(
                unit.and(
                    cases::assigned_officer_id
                        .eq(self.user_id.clone())
                        .assume_not_null(),
                ),
            ),
        }
    }

    /// Protection cases this caller may see: the unit's, the office's, or those assigned to
    /// the caller.
    pub fn protection_cases(&self) -> Filter<protection_cases::table> {
        use protection_cases as p;
        let unit = p::operation_unit_id.eq(self.unit_id.clone());
        match (self.level, &self.office_id) {
            (ScopeLevel::Unit, _) => Box::new(unit),
            (ScopeLevel::Office, Some(office)) => {
                Box::new(unit.and(p::office_id.eq(office.clone())))
            }
            (ScopeLevel::Office, None) => Box::new(unit.and(p::id.ne(p::id))),
            (ScopeLevel::Own, _) => Box::new(
                unit.and(
                    p::assigned_officer_id
                        .eq(self.user_id.clone())
                        .assume_not_null(),
                ),
            ),
        }
    }

    /// Resettlement cases this caller may see: the unit's or the office's (a case has no
    /// single assignee, so an own-cases scope sees none).
    pub fn resettlement_cases(&self) -> Filter<resettlement_cases::table> {
        use resettlement_cases as r;
        let unit = r::operation_unit_id.eq(self.unit_id.clone());
        match (self.level, &self.office_id) {
            (ScopeLevel::Unit, _) => Box::new(unit),
            (ScopeLevel::Office, Some(office)) => {
                Box::new(unit.and(r::office_id.eq(office.clone())))
            }
            (ScopeLevel::Office, None) | (ScopeLevel::Own, _) => {
                Box::new(unit.and(r::id.ne(r::id)))
            }
        }
    }
}

impl Scope {
    /// Distribution lists this caller may see: the unit's, the office's, or those the caller
    /// made.
    pub fn distribution_lists(&self) -> Filter<distribution_lists::table> {
        use distribution_lists as l;
        let unit = l::operation_unit_id.eq(self.unit_id.clone());
        match (self.level, &self.office_id) {
            (ScopeLevel::Unit, _) => Box::new(unit),
            (ScopeLevel::Office, Some(office)) => {
                Box::new(unit.and(l::office_id.eq(office.clone())))
            }
            (ScopeLevel::Office, None) => Box::new(unit.and(l::id.ne(l::id))),
            (ScopeLevel::Own, _) => Box::new(unit.and(l::created_by.eq(self.user_id.clone()))),
        }
    }
}

fn permission_words(p: Permission) -> &'static str {
    match p {
        Permission::ReadPersons => "reading personal data",
        Permission::WritePersons => "registering or editing personal data",
        Permission::AddNeeds => "recording specific needs",
        Permission::ReviewNeeds => "reviewing specific needs",
        Permission::ManageGroups => "splitting or merging groups",
        Permission::ReadCases => "reading cases",
        Permission::ReadAudit => "reading the audit trail",
        Permission::SuperviseCases => "supervising case queues and reassigning cases",
        Permission::ManageUsers => "managing users",
        Permission::ReadStatistics => "reading statistics",
        Permission::EnrolBiometrics => "enrolling biometrics",
        Permission::AdjudicateBiometrics => "deciding possible biometric duplicates",
        Permission::VerifyIdentity => "verifying identities biometrically",
        Permission::ManageProtection => "protection case management",
        Permission::ManageAssistance => "assistance programmes and distributions",
        Permission::ManageResettlement => "resettlement case management",
        Permission::ReferPersons => "referring people to other units",
        Permission::ManageAgreements => "recording data sharing agreements",
    }
}
