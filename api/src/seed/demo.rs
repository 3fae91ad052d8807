//! The demo world: `amparo-api seed --demo`.
//!
//! Ecuador's asylum authority (DPIN) with five offices, its staff, and a few hundred Colombian,
//! Venezuelan, Afghan and Syrian refugees registered the way a clerk registers them (through
//! `registry::register_group`, so validation, search keys, history and audit are the real ones),
//! with RSD cases at every stage of the procedure; and UNHCR as a second tenant with a dozen
//! people of its own, so that isolation between operation units can be seen. Demo users share
//! the password [`DEMO_PASSWORD`]; this is the only place that ever creates a known password.

use std::fmt;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::walk::{self, Bias, CaseSpec, Cast, Diary, Interpreter, Person, Walked};
use super::{
    DPIN, HouseholdSpec, Site, Tenant, UNHCR, UnitSpec, claim_summary, create_tenant, household,
    household_size, office_staff, pick_weighted, staff_username,
};
use crate::auth::{password, scope_for};
use crate::domain::access::Role;
use crate::domain::needs::NeedStatus;
use crate::domain::registration::{GroupInput, MemberInput};
use crate::domain::rsd::{self, CaseState, Stage, Status, UnitRules};
use crate::error::{Error, Result};
use crate::store::audit::{self, Entry};
use crate::store::bulk::{Batch, WalkedCase};
use crate::store::registry::{self, format_number, next_number};
use crate::store::schema::{interpreters, specific_needs, users as users_table};
use crate::store::users::{self, NewUser, User};
use crate::store::{Database, DbConn, Scope, new_id, now};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "amparo-demo";

/// Fixed, so every demo world has the same people.
const SEED: u64 = 2026;
/// The demo world has at least this many people and groups in DPIN.
const MIN_INDIVIDUALS: usize = 210;
const MIN_GROUPS: usize = 64;
/// Cases were opened over the last eight months.
const CASE_HISTORY_DAYS: i64 = 240;

/// A demo user: username, name, role, office code (None: no office), scope level.
struct DemoUser {
    unit: &'static UnitSpec,
    username: &'static str,
    name: &'static str,
    role: Role,
    office: Option<&'static str>,
    scope: &'static str,
    /// Interviewers' sex matters to applicants who ask for an interviewer of their own.
    sex: &'static str,
}

const USERS: &[DemoUser] = &[
    DemoUser {
        unit: &DPIN,
        username: "registrar",
        sex: "F",
        name: "Lucía Andrade",
        role: Role::RegistrationClerk,
        office: Some("UIO"),
        scope: "office",
    },
    DemoUser {
        unit: &DPIN,
        username: "officer",
        sex: "M",
        name: "Diego Salazar",
        role: Role::EligibilityOfficer,
        office: Some("UIO"),
        scope: "office",
    },
    DemoUser {
        unit: &DPIN,
        username: "officer2",
        sex: "F",
        name: "Gabriela Montalvo",
        role: Role::EligibilityOfficer,
        office: Some("GYE"),
        scope: "office",
    },
    DemoUser {
        unit: &DPIN,
        username: "officer3",
        sex: "F",
        name: "Mariana Espinosa",
        role: Role::EligibilityOfficer,
        office: Some("UIO"),
        scope: "office",
    },
    DemoUser {
        unit: &DPIN,
        username: "supervisor",
        sex: "M",
        name: "Patricio Herrera",
        role: Role::Supervisor,
        office: Some("UIO"),
        scope: "unit",
    },
    DemoUser {
        unit: &DPIN,
        username: "supervisor2",
        sex: "F",
        name: "Elena Cárdenas",
        role: Role::Supervisor,
        office: Some("GYE"),
        scope: "unit",
    },
    DemoUser {
        unit: &DPIN,
        username: "admin",
        sex: "F",
        name: "Verónica Paredes",
        role: Role::UnitAdmin,
        office: Some("UIO"),
        scope: "unit",
    },
    DemoUser {
        unit: &DPIN,
        username: "protection",
        sex: "F",
        name: "Carmen Villacís",
        role: Role::ProtectionOfficer,
        office: Some("UIO"),
        scope: "unit",
    },
    DemoUser {
        unit: &DPIN,
        username: "analyst",
        sex: "M",
        name: "Andrés Cevallos",
        role: Role::Analyst,
        office: None,
        scope: "unit",
    },
    DemoUser {
        unit: &UNHCR,
        username: "unhcr.officer",
        sex: "F",
        name: "Sofía Benítez",
        role: Role::ProtectionOfficer,
        office: Some("UIO"),
        scope: "unit",
    },
    DemoUser {
        unit: &UNHCR,
        username: "unhcr.protection",
        sex: "M",
        name: "Diego Almeida",
        role: Role::ProtectionOfficer,
        office: Some("UIO"),
        scope: "unit",
    },
    DemoUser {
        unit: &UNHCR,
        username: "unhcr.supervisor",
        sex: "F",
        name: "Gabriela Moncayo",
        role: Role::Supervisor,
        office: Some("UIO"),
        scope: "unit",
    },
    DemoUser {
        unit: &UNHCR,
        username: "unhcr.assistance",
        sex: "F",
        name: "Lucía Guamán",
        role: Role::AssistanceOfficer,
        office: Some("UIO"),
        scope: "unit",
    },
];

/// Where each nationality's households register, by office code: Colombians at the northern
/// border, Venezuelans along the Pan-American highway, Afghans and Syrians (who fly in) in the cities.
fn office_for(rng: &mut StdRng, nationality: &str) -> &'static str {
    match nationality {
        "COL" => pick_weighted(
            rng,
            &[
                ("LGA", 30),
                ("ESM", 20),
                ("TUL", 15),
                ("UIO", 25),
                ("GYE", 10),
            ],
        ),
        "VEN" => pick_weighted(
            rng,
            &[
                ("UIO", 40),
                ("GYE", 30),
                ("TUL", 20),
                ("LGA", 5),
                ("ESM", 5),
            ],
        ),
        _ => pick_weighted(rng, &[("UIO", 65), ("GYE", 35)]),
    }
}

/// What the demo seed created.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    /// Units with their number of offices.
    pub units: Vec<(String, usize)>,
    /// Users who can log in with [`DEMO_PASSWORD`].
    pub users: Vec<String>,
    /// Staff accounts created without a password, as authors of records.
    pub staff_without_login: Vec<String>,
    pub individuals: usize,
    pub groups: usize,
    pub cases: usize,
    pub specific_needs: usize,
    pub confirmed_needs: usize,
    pub documents: usize,
    pub unhcr_individuals: usize,
    pub unhcr_groups: usize,
    /// UNHCR's protection cases, at several steps.
    pub protection_cases: usize,
    /// UNHCR's assistance: programmes, today's distribution lists, distributions recorded.
    pub programmes: usize,
    pub distribution_lists: usize,
    pub distributions: usize,
    /// UNHCR's resettlement cases, at every step.
    pub resettlement_cases: usize,
    /// Data sharing agreements between the units.
    pub agreements: usize,
    /// Referrals between the units, both ways.
    pub referrals: usize,
    pub elapsed: Duration,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Demo world created in {:.1} s.",
            self.elapsed.as_secs_f64()
        )?;
        let units: Vec<String> = self
            .units
            .iter()
            .map(|(u, n)| format!("{u} ({n} offices)"))
            .collect();
        writeln!(f, "  Operation units: {}.", units.join(", "))?;
        writeln!(
            f,
            "  Users (password \"{DEMO_PASSWORD}\"): {}.",
            self.users.join(", ")
        )?;
        if !self.staff_without_login.is_empty() {
            writeln!(
                f,
                "  Staff accounts without login: {}.",
                self.staff_without_login.join(", ")
            )?;
        }
        writeln!(
            f,
            "  DPIN: {} individuals in {} registration groups, {} RSD cases, {} specific needs ({} confirmed), {} documents.",
            self.individuals,
            self.groups,
            self.cases,
            self.specific_needs,
            self.confirmed_needs,
            self.documents
        )?;
        writeln!(
            f,
            "  UNHCR: {} individuals in {} registration groups, {} protection cases, {} resettlement cases.",
            self.unhcr_individuals,
            self.unhcr_groups,
            self.protection_cases,
            self.resettlement_cases
        )?;
        write!(
            f,
            "  UNHCR assistance: {} programmes, {} distribution lists today, {} distributions.\n  Between them: {} data sharing agreement, {} referrals.",
            self.programmes,
            self.distribution_lists,
            self.distributions,
            self.agreements,
            self.referrals
        )
    }
}

/// Creates the demo world in one transaction; refuses if unit DPIN (or UNHCR) already exists.
pub fn demo(db: &Database) -> Result<DemoSummary> {
    let started = Instant::now();
    {
        let mut conn = db.conn()?;
        refuse_if_seeded(&mut conn)?;
    }
    // Argon2 is slow on purpose: hash before taking the writer's transaction.
    let hashes = USERS
        .iter()
        .map(|_| password::hash(DEMO_PASSWORD))
        .collect::<Result<Vec<_>>>()?;
    let mut summary = db.write_blocking(|conn| build(conn, &hashes))?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn refuse_if_seeded(conn: &mut DbConn) -> Result<()> {
    for spec in [&DPIN, &UNHCR] {
        if users::unit_by_code(conn, spec.code)?.is_some() {
            return Err(Error::conflict(format!(
                "operation unit {} already exists, so the demo world (or other data) is already in this database; \
                 seed a new database, or add synthetic people with `seed --individuals N`",
                spec.code
            )));
        }
    }
    Ok(())
}

fn build(conn: &mut DbConn, hashes: &[String]) -> Result<DemoSummary> {
    refuse_if_seeded(conn)?;
    let now = now();
    let mut rng = StdRng::seed_from_u64(SEED);
    let dpin = create_tenant(conn, &DPIN)?;
    let unhcr = create_tenant(conn, &UNHCR)?;
    // DPIN takes pre-registrations from the public form, as it did during the pandemic.
    crate::store::prereg::set_enabled(conn, &dpin.unit.id, true)?;
    let mut summary = DemoSummary {
        units: vec![
            (DPIN.code.into(), dpin.offices.len()),
            (UNHCR.code.into(), unhcr.offices.len()),
        ],
        ..Default::default()
    };
    let mut demo_users = Vec::new();
    for (u, hash) in USERS.iter().zip(hashes) {
        let tenant = if std::ptr::eq(u.unit, &DPIN) {
            &dpin
        } else {
            &unhcr
        };
        let office = u.office.map(|code| tenant.office(code)).transpose()?;
        let user = users::create_user(
            conn,
            NewUser {
                unit_id: &tenant.unit.id,
                office_id: office.map(|o| o.id.as_str()),
                username: u.username,
                display_name: u.name,
                password_hash: Some(hash),
                roles: u.role.as_str(),
                scope_level: u.scope,
            },
        )?;
        set_sex(conn, &user.id, u.sex)?;
        summary.users.push(user.username.clone());
        demo_users.push((user, u.sex));
    }
    let named = |name: &str| {
        demo_users
            .iter()
            .find(|(u, _)| u.username == name)
            .map(|(u, sex)| Person {
                id: u.id.clone(),
                sex: Some((*sex).to_owned()),
                role: USERS
                    .iter()
                    .find(|d| d.username == name)
                    .map_or(Role::Analyst, |d| d.role),
            })
            .ok_or_else(|| Error::internal(format!("demo user {name} missing")))
    };
    let user_named = |name: &str| {
        demo_users
            .iter()
            .find(|(u, _)| u.username == name)
            .map(|(u, _)| u.clone())
            .ok_or_else(|| Error::internal(format!("demo user {name} missing")))
    };
    let protection = scope_for(&user_named("protection")?, "seed")?;
    let dpin_staff = Staffing::new(conn, &dpin, "registrar", "officer", &mut summary)?;
    let unhcr_staff = Staffing::new(conn, &unhcr, "unhcr.registrar", "", &mut summary)?;

    let mut registered = Vec::new();
    while registered.len() < MIN_GROUPS || summary.individuals < MIN_INDIVIDUALS {
        let nationality = pick_weighted(
            &mut rng,
            &[("VEN", 38), ("COL", 34), ("AFG", 14), ("SYR", 14)],
        );
        let office = office_for(&mut rng, nationality);
        let group = register(conn, &mut rng, &dpin_staff, office, nationality, now)?;
        summary.groups += 1;
        summary.individuals += group.individual_ids.len();
        registered.push(group);
    }
    let mut unhcr_registered = Vec::new();
    for (i, office) in ["UIO", "UIO", "IBR", "LGA"].into_iter().enumerate() {
        let nationality = if i % 2 == 0 { "VEN" } else { "COL" };
        let group = register(conn, &mut rng, &unhcr_staff, office, nationality, now)?;
        summary.unhcr_groups += 1;
        summary.unhcr_individuals += group.individual_ids.len();
        unhcr_registered.push(group);
    }
    summary.protection_cases = protection_cases(
        conn,
        &scope_for(&user_named("unhcr.protection")?, "seed")?,
        &scope_for(&user_named("unhcr.supervisor")?, "seed")?,
        &unhcr_registered,
    )?;
    (
        summary.programmes,
        summary.distribution_lists,
        summary.distributions,
    ) = assistance(
        conn,
        &scope_for(&user_named("unhcr.assistance")?, "seed")?,
        &unhcr_registered,
    )?;
    let (needs, confirmed) = review_needs(conn, &mut rng, &protection, &registered)?;
    summary.specific_needs = needs;
    summary.confirmed_needs = confirmed;
    summary.documents = count_documents(conn, &dpin.unit.id)?;

    let interpreters = create_interpreters(conn, &dpin)?;
    let team = Team {
        officer: named("officer")?,
        officer2: named("officer2")?,
        officer3: named("officer3")?,
        supervisor: named("supervisor")?,
        supervisor2: named("supervisor2")?,
    };
    let mut desk = Desk {
        diary: Diary::new(interpreters),
        rules: UnitRules::default(),
        now,
    };
    let mut scenarios = SCENARIOS.iter();
    for group in &registered {
        let scenario = if group.office == "UIO" {
            scenarios.next()
        } else {
            None
        };
        if scenario.is_some() || rng.random_bool(0.7) {
            open_case(
                conn,
                &mut rng,
                &dpin,
                &dpin_staff,
                &team,
                &mut desk,
                group,
                scenario,
            )?;
            summary.cases += 1;
        }
    }
    if let Some(left) = scenarios.next() {
        return Err(Error::internal(format!(
            "the demo world has too few cases in Quito for its scenario {}",
            left.name
        )));
    }
    let resettlement = super::sharing::resettlement_user(
        conn,
        &unhcr.unit.id,
        &unhcr.office("UIO")?.id,
        &super::sharing::password_hash(DEMO_PASSWORD)?,
    )?;
    summary.users.push(resettlement.username.clone());
    let quito_people: Vec<String> = registered
        .iter()
        .filter(|g| g.office == "UIO")
        .flat_map(|g| g.individual_ids.iter().take(1).cloned())
        .collect();
    let unhcr_people: Vec<String> = unhcr_registered
        .iter()
        .flat_map(|g| g.individual_ids.iter().cloned())
        .collect();
    let handed = super::sharing::open_protection_case(conn, &unhcr.unit.id, "WR")?;
    let bridge = super::sharing::world(
        conn,
        &super::sharing::Actors {
            dpin_admin: scope_for(&user_named("admin")?, "seed")?,
            dpin_officer: scope_for(&user_named("officer")?, "seed")?,
            dpin_supervisor: scope_for(&user_named("supervisor")?, "seed")?,
            unhcr_protection: scope_for(&user_named("unhcr.protection")?, "seed")?,
            unhcr_supervisor: scope_for(&user_named("unhcr.supervisor")?, "seed")?,
        },
        &resettlement,
        &quito_people,
        &unhcr_people,
        handed,
    )?;
    summary.agreements = bridge.agreements;
    summary.referrals = bridge.referrals;
    summary.resettlement_cases = bridge.resettlement_cases;
    // An accepted referral registers a person in UNHCR: count the unit's people as they stand.
    summary.unhcr_individuals = crate::store::schema::individuals::table
        .filter(crate::store::schema::individuals::operation_unit_id.eq(&unhcr.unit.id))
        .count()
        .get_result::<i64>(conn)? as usize;
    Ok(summary)
}

/// UNHCR's assistance: a multipurpose cash programme for larger households with children or
/// serious needs, and hygiene kits for households with a child under 5; today's lists at two
/// sites of Quito and Ibarra with every UNHCR household assessed, and one distribution already
/// recorded (its focal point verified by document), so `unhcr.assistance` lands on work half
/// done. Returns (programmes, lists, distributions).
fn assistance(
    conn: &mut DbConn,
    staff: &Scope,
    groups: &[Registered],
) -> Result<(usize, usize, usize)> {
    use crate::domain::assistance::{ProgrammeInput, ProgrammeKind, VerificationMethod};
    use crate::store::assistance::{self as astore, NewDistribution, NewList};
    use crate::store::schema::{documents, group_memberships};

    let programmes = [
        ProgrammeInput {
            name: "Efectivo multipropósito".into(),
            kind: ProgrammeKind::Cash,
            amount: 120.0,
            unit: "USD".into(),
            cycles: 3,
            eligibility: r#"{"all": [{"household_size": {"min": 2}}, {"any": [{"member_age": {"max": 17}}, {"need": {"codes": ["SM", "DS", "WR", "SP"]}}]}]}"#.into(),
        },
        ProgrammeInput {
            name: "Kits de higiene".into(),
            kind: ProgrammeKind::InKind,
            amount: 1.0,
            unit: "kit".into(),
            cycles: 6,
            eligibility: r#"{"any": [{"member_age": {"max": 4}}, {"need": {"codes": ["WR-LC", "SM-DP"]}}]}"#.into(),
        },
    ];
    let mut ids = Vec::new();
    for p in &programmes {
        ids.push(astore::create_programme(conn, staff, p)?);
    }
    let today = crate::store::protection::today(conn, staff)?;
    let all: Vec<String> = groups.iter().map(|g| g.group_id.clone()).collect();
    let (half, rest) = all.split_at(all.len() / 2);
    let mut lists = Vec::new();
    for (site, households) in [("Quito - La Tola", half), ("Ibarra - Centro", rest)] {
        let (id, planned) = astore::create_list(
            conn,
            staff,
            &NewList {
                programme_id: ids[0].clone(),
                cycle: 1,
                site: site.into(),
                date: today,
                group_ids: households.to_vec(),
            },
        )?;
        lists.push((id, planned));
    }
    astore::create_list(
        conn,
        staff,
        &NewList {
            programme_id: ids[1].clone(),
            cycle: 1,
            site: "Quito - La Tola".into(),
            date: today,
            group_ids: all.clone(),
        },
    )?;
    // The first household planned in Quito has already collected, its focal point's document
    // checked.
    let mut distributions = 0;
    let served = lists[0]
        .1
        .iter()
        .find(|p| p.entitlement_id.is_some())
        .map(|p| p.group_id.clone());
    if let Some(group_id) = served {
        let doc: Option<(String, String)> = group_memberships::table
            .inner_join(
                documents::table.on(documents::individual_id.eq(group_memberships::individual_id)),
            )
            .filter(group_memberships::group_id.eq(&group_id))
            .filter(group_memberships::ended_at.is_null())
            .order(group_memberships::started_at)
            .select((documents::individual_id, documents::number))
            .first(conn)
            .optional()?;
        if let Some((recipient_id, number)) = doc {
            astore::record_distribution(
                conn,
                staff,
                &NewDistribution {
                    list_id: lists[0].0.clone(),
                    group_id,
                    recipient_id,
                    method: VerificationMethod::Document,
                    document_number: Some(number),
                },
            )?;
            distributions += 1;
        }
    }
    Ok((ids.len(), lists.len() + 1, distributions))
}

/// UNHCR's protection cases, one at each step a protection officer meets: a child alone with
/// a BIA done and a follow-up due today (so `unhcr.protection` lands on it), an SGBV case at
/// high risk with a referral answered and a follow-up to come, a case just opened with its
/// first follow-up due today, and a closed one. Returns how many.
fn protection_cases(
    conn: &mut DbConn,
    officer: &Scope,
    supervisor: &Scope,
    groups: &[Registered],
) -> Result<usize> {
    use crate::domain::protection::{Action, ClosureReason, ReferralOutcome, RiskLevel};
    use crate::store::protection::{self as pstore, NewProtectionCase};

    let today = pstore::today(conn, officer)?;
    let people: Vec<(&String, Option<chrono::NaiveDate>)> = groups
        .iter()
        .flat_map(|g| {
            g.individual_ids
                .iter()
                .zip(g.members.iter().map(|m| m.person.date_of_birth))
        })
        .collect();
    let child = people
        .iter()
        .find(|(_, dob)| dob.is_some_and(|d| crate::domain::protection::age(d, today) < 18))
        .map(|p| p.0.clone())
        .ok_or_else(|| Error::internal("the UNHCR demo households have no child"))?;
    let mut adults = people
        .iter()
        .filter(|(id, dob)| {
            **id != child && dob.is_none_or(|d| crate::domain::protection::age(d, today) >= 18)
        })
        .map(|p| p.0.clone());
    let mut adult = || {
        adults
            .next()
            .ok_or_else(|| Error::internal("the UNHCR demo households have too few adults"))
    };
    let open = |conn: &mut DbConn, principal: String, category: &str, risk, summary: &str| {
        pstore::open(
            conn,
            officer,
            &NewProtectionCase {
                principal_id: principal,
                member_ids: Vec::new(),
                category: category.into(),
                sub_code: None,
                risk,
                intake_summary: summary.into(),
            },
        )
    };
    // Each action with the version it follows: intake is version 1.
    let steps = |conn: &mut DbConn, scope: &Scope, id: &str, actions: Vec<Action>| -> Result<()> {
        for (i, a) in actions.into_iter().enumerate() {
            pstore::act(conn, scope, id, i32::try_from(i + 1).unwrap_or(i32::MAX), a)?;
        }
        Ok(())
    };
    let officer_id = officer.user_id().to_string();
    let follow_up = |id: &str, due, purpose: &str| Action::ScheduleFollowUp {
        follow_up_id: id.into(),
        due,
        purpose: purpose.into(),
    };

    let c = open(
        conn,
        child.clone(),
        "CR",
        RiskLevel::High,
        "Adolescente no acompañada; llegó por Rumichaca con un grupo de adultos sin parentesco.",
    )?;
    steps(
        conn,
        officer,
        &c,
        vec![
            Action::AddPlanAction {
                action_id: "a1".into(),
                description: "Búsqueda de familiares en Colombia".into(),
                responsible_id: officer_id.clone(),
                due: today + chrono::Days::new(14),
            },
            Action::Refer {
                referral_id: "r1".into(),
                service: "family_tracing".into(),
                provider: "Cruz Roja Ecuatoriana".into(),
                consent: true,
            },
            Action::RecordBia {
                child_id: child.clone(),
                summary: "Vive en un hogar de acogida; estable; pide estudiar.".into(),
                bid_needed: true,
            },
            follow_up("f1", today, "Visita al hogar de acogida"),
        ],
    )?;

    let sv = open(
        conn,
        adult()?,
        "SV",
        RiskLevel::High,
        "Sobreviviente de violencia en el tránsito; pide atención médica y psicológica.",
    )?;
    steps(
        conn,
        officer,
        &sv,
        vec![
            Action::Refer {
                referral_id: "r1".into(),
                service: "sgbv_response".into(),
                provider: "Servicio de atención integral, Quito".into(),
                consent: true,
            },
            Action::RecordReferralOutcome {
                referral_id: "r1".into(),
                outcome: ReferralOutcome::Accepted,
                note: Some("Primera cita asignada".into()),
            },
            follow_up("f1", today + chrono::Days::new(7), "Llamada de seguimiento"),
        ],
    )?;

    let new = open(
        conn,
        adult()?,
        "WR",
        RiskLevel::Medium,
        "Madre sola con dos hijos, sin alojamiento estable.",
    )?;
    steps(
        conn,
        officer,
        &new,
        vec![follow_up("f1", today, "Confirmar alojamiento temporal")],
    )?;

    let closed = open(
        conn,
        adult()?,
        "ER",
        RiskLevel::Low,
        "Persona mayor sola; necesita apoyo para trámites.",
    )?;
    steps(
        conn,
        supervisor,
        &closed,
        vec![Action::Close {
            reason: ClosureReason::Relocated,
            note: Some("Se trasladó a Cuenca con su familia".into()),
        }],
    )?;
    Ok(4)
}

/// Records a user's sex, for the applicants' right to an interviewer of the same sex.
fn set_sex(conn: &mut DbConn, user_id: &str, sex: &str) -> Result<()> {
    diesel::update(users_table::table.find(user_id))
        .set(users_table::sex.eq(sex))
        .execute(conn)?;
    Ok(())
}

/// The interpreters of DPIN: two in Quito and Guayaquil, one in the other offices, and a remote
/// service for every language the caseload needs.
fn create_interpreters(conn: &mut DbConn, dpin: &Tenant) -> Result<Vec<Interpreter>> {
    let list: [(Option<&str>, &str, &str); 8] = [
        (Some("UIO"), "Farid Rahimi", "prs pus fas"),
        (Some("UIO"), "Layla Haddad", "ara eng fra"),
        (Some("GYE"), "Omar Nasser", "ara eng"),
        (Some("GYE"), "Zahra Karimi", "prs fas"),
        (Some("LGA"), "Rosa Tituaña", "que"),
        (Some("TUL"), "Jean-Paul Mbeki", "fra eng"),
        (Some("ESM"), "Nadia Sultani", "pus prs"),
        (
            None,
            "Servicio de interpretación remota",
            "prs pus ara fas eng fra que",
        ),
    ];
    let at = now();
    let mut out = Vec::new();
    for (office, name, languages) in list {
        let office_id = office
            .map(|c| dpin.office(c).map(|o| o.id.clone()))
            .transpose()?;
        let id = new_id();
        diesel::insert_into(interpreters::table)
            .values((
                interpreters::id.eq(&id),
                interpreters::operation_unit_id.eq(&dpin.unit.id),
                interpreters::office_id.eq(&office_id),
                interpreters::name.eq(name),
                interpreters::languages.eq(languages),
                interpreters::active.eq(true),
                interpreters::created_at.eq(at),
                interpreters::updated_at.eq(at),
            ))
            .execute(conn)?;
        out.push(Interpreter {
            id,
            office_id,
            languages: languages.split(' ').map(str::to_owned).collect(),
        });
    }
    Ok(out)
}

/// The demo users who work on cases.
struct Team {
    officer: Person,
    officer2: Person,
    officer3: Person,
    supervisor: Person,
    supervisor2: Person,
}

/// What every case of the demo shares: the diary of interviews, the unit's rules, the time.
struct Desk {
    diary: Diary,
    rules: UnitRules,
    now: NaiveDateTime,
}

/// A case of `officer` in Quito that the guided tour needs, and how to recognise it.
struct Scenario {
    name: &'static str,
    bias: Bias,
    /// Whether the case, walked until now, is what the tour shows.
    fits: fn(&CaseState, &UnitRules, NaiveDateTime) -> bool,
}

fn assigned_to_officer(s: &CaseState) -> bool {
    s.assigned_officer.is_some() && s.stage == Stage::FirstInstance
}

const STRAIGHT: Bias = Bias {
    attend: Some(true),
    contact: None,
    appeal: None,
    recognise: None,
    straight: true,
};

/// Cases for `officer`'s My work (several statuses, due soon, overdue, an interview to come, an
/// assessment to write) and for `supervisor` (reviews of `officer`'s assessments, abandonment
/// candidates, rejections near their appeal deadline).
const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "pending interview",
        bias: STRAIGHT,
        fits: |s, _, now| {
            assigned_to_officer(s)
                && s.status == Status::Scheduled
                && s.next_appointment().is_some_and(|a| a.at > now)
        },
    },
    Scenario {
        name: "awaiting assessment",
        bias: STRAIGHT,
        fits: |s, _, _| assigned_to_officer(s) && s.status == Status::Interviewed,
    },
    Scenario {
        name: "overdue",
        bias: STRAIGHT,
        fits: |s, r, now| {
            assigned_to_officer(s)
                && matches!(
                    s.status,
                    Status::Interviewed | Status::Scheduled | Status::Admissible
                )
                && rsd::is_overdue(s, r, now)
        },
    },
    Scenario {
        name: "due within a week",
        bias: STRAIGHT,
        fits: |s, r, now| {
            let d = rsd::deadlines(s, r);
            assigned_to_officer(s)
                && !s.status.is_terminal()
                && [d.decision_due, s.next_appointment().map(|a| a.at)]
                    .into_iter()
                    .flatten()
                    .min()
                    .is_some_and(|due| due > now && due <= now + chrono::Duration::days(7))
        },
    },
    Scenario {
        name: "awaiting review",
        bias: STRAIGHT,
        fits: |s, _, _| assigned_to_officer(s) && s.status == Status::Assessed,
    },
    Scenario {
        name: "awaiting review (second)",
        bias: STRAIGHT,
        fits: |s, _, _| assigned_to_officer(s) && s.status == Status::Assessed,
    },
    Scenario {
        name: "abandonment candidate",
        bias: Bias {
            attend: Some(false),
            contact: Some(false),
            appeal: None,
            recognise: None,
            straight: true,
        },
        fits: |s, r, now| rsd::is_abandonment_candidate(s, r, now),
    },
    Scenario {
        name: "rejection near its appeal deadline",
        bias: Bias {
            attend: Some(true),
            contact: None,
            appeal: Some(false),
            recognise: Some(false),
            straight: true,
        },
        fits: |s, r, now| s.status == Status::Notified && rsd::appeal_deadline_near(s, r, now),
    },
];

/// The clerk and eligibility officer of each office of a unit, by office code.
struct Staffing {
    clerks: Vec<(String, User)>,
    officers: Vec<(String, Person)>,
}

impl Staffing {
    /// Finds the office's clerk and officer among the unit's users, creating accounts without
    /// a password (`registrar.gye`, `officer.lga`) where there is none. An empty officer prefix
    /// means the unit has no RSD and needs no officers.
    fn new(
        conn: &mut DbConn,
        tenant: &Tenant,
        clerk_prefix: &str,
        officer_prefix: &str,
        summary: &mut DemoSummary,
    ) -> Result<Self> {
        let mut staffing = Self {
            clerks: Vec::new(),
            officers: Vec::new(),
        };
        for (i, office) in tenant.offices.iter().enumerate() {
            let clerk = office_staff(
                conn,
                tenant,
                office,
                Role::RegistrationClerk,
                &staff_username(clerk_prefix, office),
            )?;
            if clerk.password_hash.is_none() {
                summary.staff_without_login.push(clerk.username.clone());
            }
            staffing.clerks.push((office.code.clone(), clerk));
            if !officer_prefix.is_empty() {
                let officer = office_staff(
                    conn,
                    tenant,
                    office,
                    Role::EligibilityOfficer,
                    &staff_username(officer_prefix, office),
                )?;
                let sex: Option<String> = users_table::table
                    .find(&officer.id)
                    .select(users_table::sex)
                    .first(conn)?;
                let sex = match sex {
                    Some(s) => s,
                    None => {
                        let s = if i.is_multiple_of(2) { "F" } else { "M" };
                        set_sex(conn, &officer.id, s)?;
                        s.to_owned()
                    }
                };
                if officer.password_hash.is_none() {
                    summary.staff_without_login.push(officer.username.clone());
                }
                staffing.officers.push((
                    office.code.clone(),
                    Person {
                        id: officer.id,
                        sex: Some(sex),
                        role: Role::EligibilityOfficer,
                    },
                ));
            }
        }
        Ok(staffing)
    }

    fn at<'a, T>(list: &'a [(String, T)], office: &str) -> Result<&'a T> {
        list.iter()
            .find(|(code, _)| code == office)
            .map(|(_, u)| u)
            .ok_or_else(|| Error::internal(format!("no seeded staff at office {office}")))
    }
}

/// A registered group and where it was registered.
struct Registered {
    office: &'static str,
    nationality: &'static str,
    group_id: String,
    individual_ids: Vec<String>,
    members: Vec<MemberInput>,
    clerk: User,
}

fn site(spec: &'static UnitSpec, office: &str) -> Result<&'static Site> {
    spec.sites
        .iter()
        .find(|s| s.code == office)
        .ok_or_else(|| Error::internal(format!("no site {office} in unit {}", spec.code)))
}

fn register(
    conn: &mut DbConn,
    rng: &mut StdRng,
    staff: &Staffing,
    office: &'static str,
    nationality: &'static str,
    now: NaiveDateTime,
) -> Result<Registered> {
    let clerk = Staffing::at(&staff.clerks, office)?.clone();
    let unit_spec = if staff.officers.is_empty() {
        &UNHCR
    } else {
        &DPIN
    };
    let spec = HouseholdSpec {
        nationality,
        site: site(unit_spec, office)?,
        size: household_size(rng),
        registered_on: now.date(),
    };
    let input = GroupInput {
        members: household(rng, &spec),
    };
    let scope = scope_for(&clerk, "seed")?;
    let done = registry::register_group(conn, &scope, &input)?;
    Ok(Registered {
        office,
        nationality,
        group_id: done.group_id,
        individual_ids: done.individual_ids,
        members: input.members,
        clerk,
    })
}

/// Protection staff confirm most needs flagged at registration; the rest wait in their queue.
fn review_needs(
    conn: &mut DbConn,
    rng: &mut StdRng,
    protection: &Scope,
    groups: &[Registered],
) -> Result<(usize, usize)> {
    let ids: Vec<&String> = groups.iter().flat_map(|g| &g.individual_ids).collect();
    let mut needs: Vec<(String, i32)> = Vec::new();
    for chunk in ids.chunks(500) {
        needs.extend(
            specific_needs::table
                .filter(specific_needs::individual_id.eq_any(chunk))
                .order(specific_needs::id.asc())
                .select((specific_needs::id, specific_needs::version))
                .load::<(String, i32)>(conn)?,
        );
    }
    let mut confirmed = 0;
    for (id, version) in &needs {
        if rng.random_bool(0.6) {
            registry::review_specific_need(
                conn,
                protection,
                id,
                *version,
                NeedStatus::Confirmed,
                None,
            )?;
            confirmed += 1;
        }
    }
    Ok((needs.len(), confirmed))
}

fn count_documents(conn: &mut DbConn, unit_id: &str) -> Result<usize> {
    use crate::store::schema::documents;
    let n: i64 = documents::table
        .filter(documents::operation_unit_id.eq(unit_id))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The officers and supervisors of a case of `office`: Quito's cases go to `officer` (or
/// `officer3` when the applicant asked for a woman), Guayaquil's to `officer2`, the others to their
/// office's officer; appeals to an officer of another office, and to the other supervisor.
fn cast_for<'a>(
    team: &'a Team,
    local: &'a Person,
    office: &str,
    wants: Option<&str>,
    scenario: bool,
) -> (&'a Person, &'a Person, &'a Person, &'a Person) {
    let officer = match office {
        "UIO" if !scenario && wants == Some("F") => &team.officer3,
        "UIO" => &team.officer,
        _ => local,
    };
    let appeal_officer = match office {
        "UIO" | "TUL" | "ESM" => &team.officer2,
        _ if wants == Some("F") => &team.officer3,
        _ => &team.officer,
    };
    let (supervisor, appeal_supervisor) = match office {
        "GYE" | "LGA" => (&team.supervisor2, &team.supervisor),
        _ => (&team.supervisor, &team.supervisor2),
    };
    (officer, supervisor, appeal_officer, appeal_supervisor)
}

/// Opens an RSD case for the whole group and walks it through the procedure; a scenario case is
/// walked again from other dates until it ends where the tour needs it.
#[allow(clippy::too_many_arguments)]
fn open_case(
    conn: &mut DbConn,
    rng: &mut StdRng,
    tenant: &Tenant,
    staff: &Staffing,
    team: &Team,
    desk: &mut Desk,
    group: &Registered,
    scenario: Option<&Scenario>,
) -> Result<()> {
    let office = tenant.office(group.office)?;
    let local = Staffing::at(&staff.officers, group.office)?;
    let principal = group
        .individual_ids
        .first()
        .ok_or_else(|| Error::internal("a registered group without members"))?;
    let focal = group
        .members
        .first()
        .map(|m| &m.person)
        .ok_or_else(|| Error::internal("a registered group without members"))?;
    let wants = focal
        .same_sex_interviewer
        .then(|| focal.sex.clone())
        .flatten();
    let language = focal
        .needs_interpreter
        .then(|| {
            focal
                .languages
                .iter()
                .find(|l| l.kind == "interview")
                .or(focal.languages.first())
                .map(|l| l.language.clone())
        })
        .flatten();
    // Every need of the demo is open (pending review or confirmed).
    let priority = group
        .members
        .iter()
        .any(|m| !m.person.specific_needs.is_empty());
    let (officer, supervisor, appeal_officer, appeal_supervisor) = cast_for(
        team,
        local,
        group.office,
        wants.as_deref(),
        scenario.is_some(),
    );
    let clerk = Person {
        id: group.clerk.id.clone(),
        sex: None,
        role: Role::RegistrationClerk,
    };
    let cast = Cast {
        clerk: &clerk,
        officer,
        supervisor,
        appeal_officer,
        appeal_supervisor,
    };
    let claim = claim_summary(rng, group.nationality);
    let attempts = if scenario.is_some() { 3000 } else { 1 };
    let mut found: Option<(Walked, Diary)> = None;
    for _ in 0..attempts {
        let day =
            (desk.now - chrono::Duration::days(rng.random_range(0..CASE_HISTORY_DAYS))).date();
        let opened_at = desk.diary.office_time(rng, day).min(desk.now);
        let modality = walk::modality(rng, priority);
        let spec = CaseSpec {
            nationality: group.nationality,
            office_id: &office.id,
            principal_id: principal.clone(),
            member_ids: group.individual_ids[1..].to_vec(),
            priority,
            interviewer_sex: wants.clone(),
            language: language.clone(),
            modality,
            opened_at,
        };
        let mut diary = desk.diary.clone();
        let bias = scenario.map(|s| s.bias).unwrap_or_default();
        let walked = walk::walk(rng, &cast, &desk.rules, &mut diary, &spec, bias, desk.now)
            .map_err(|r| {
                Error::internal(format!(
                    "the demo case of group {} took a step the procedure refuses: {r}",
                    group.group_id
                ))
            })?;
        if scenario.is_none_or(|s| (s.fits)(&walked.state, &desk.rules, desk.now)) {
            found = Some((walked, diary));
            break;
        }
    }
    let Some((walked, diary)) = found else {
        return Err(Error::internal(format!(
            "no walk of the demo case of group {} fits the scenario {}",
            group.group_id,
            scenario.map_or("", |s| s.name)
        )));
    };
    desk.diary = diary;
    write_case(
        conn,
        tenant,
        office.id.as_str(),
        group,
        &claim,
        &walked,
        &desk.rules,
    )
}

/// Writes a walked case through the store's bulk loader (the same rows as the scale seeder,
/// feed entries included), numbered now, and audits its creation by the clerk.
fn write_case(
    conn: &mut DbConn,
    tenant: &Tenant,
    office_id: &str,
    group: &Registered,
    claim: &str,
    walked: &Walked,
    rules: &UnitRules,
) -> Result<()> {
    let unit = &tenant.unit.id;
    let number = format_number(&tenant.unit.code, 'C', next_number(conn, unit, "case")?);
    let relationships: Vec<(String, String)> = {
        use crate::store::schema::group_memberships as gm;
        gm::table
            .filter(gm::group_id.eq(&group.group_id))
            .select((gm::individual_id, gm::relationship))
            .load(conn)?
    };
    let id = new_id();
    let mut batch = Batch::default();
    batch.add_walked_case(
        rules,
        WalkedCase {
            id: id.clone(),
            unit,
            office: office_id,
            case_number: number,
            group_id: &group.group_id,
            members: group
                .individual_ids
                .iter()
                .map(|m| {
                    let r = relationships.iter().find(|(i, _)| i == m);
                    (m.clone(), r.map(|(_, r)| r.clone()))
                })
                .collect(),
            claim: claim.to_string(),
            state: &walked.state,
            events: &walked.events,
            status_changed_at: walked.status_changed_at,
            appointments: walked
                .appointments
                .iter()
                .map(|a| a.clone().row(unit, &id))
                .collect(),
        },
    )?;
    batch.write(conn)?;
    let clerk_scope = scope_for(&group.clerk, "seed")?;
    audit::append(
        conn,
        &audit::Actor::from(&clerk_scope),
        &[Entry::ok("create", "case", &id)],
    )
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::error::ErrorCode;
    use crate::store::audit::Verdict;
    use crate::store::schema::{
        appointments, case_members, cases, events, individuals, operation_units,
        users as users_table,
    };

    fn count_individuals(db: &Database) -> i64 {
        let mut conn = db.conn().expect("conn");
        individuals::table
            .count()
            .get_result(&mut *conn)
            .expect("count")
    }

    #[test]
    fn demo_world_is_complete_isolated_and_refuses_a_second_run() {
        let path = std::env::temp_dir().join(format!("amparo-demo-{}.db", uuid::Uuid::now_v7()));
        let db = Database::open(&format!("sqlite://{}", path.display()), 4).expect("open");
        db.migrate().expect("migrate");
        let summary = demo(&db).expect("demo");
        assert!(
            summary.individuals >= 200 && summary.groups >= 60,
            "{summary}"
        );
        assert!((8..=20).contains(&summary.unhcr_individuals), "{summary}");
        assert!(
            summary.to_string().contains("registrar, officer, officer2"),
            "{summary}"
        );

        // Running it again is refused and changes nothing.
        let before = count_individuals(&db);
        let err = demo(&db).expect_err("second demo must be refused");
        assert_eq!(err.code, ErrorCode::Conflict);
        assert!(err.message.contains("DPIN"), "{err}");
        assert_eq!(count_individuals(&db), before);

        let mut conn = db.conn().expect("conn");
        let conn: &mut DbConn = &mut conn;
        for u in USERS {
            let user = users::user_by_username(conn, u.username)
                .expect("lookup")
                .expect("demo user exists");
            assert_eq!(user.roles, u.role.as_str());
            assert_eq!(user.scope_level, u.scope);
            let unit = users::unit(conn, &user.operation_unit_id).expect("unit");
            assert_eq!(unit.code, u.unit.code);
        }
        let registrar = users::user_by_username(conn, "registrar")
            .expect("lookup")
            .expect("registrar");
        assert!(password::verify(
            DEMO_PASSWORD,
            registrar.password_hash.as_deref().unwrap_or_default()
        ));
        let no_login: Vec<Option<String>> = users_table::table
            .filter(users_table::username.eq_any(&summary.staff_without_login))
            .select(users_table::password_hash)
            .load(conn)
            .expect("staff");
        assert!(
            no_login.len() >= 4 && no_login.iter().all(Option::is_none),
            "{no_login:?}"
        );
        assert!(
            summary
                .staff_without_login
                .iter()
                .any(|u| u == "registrar.gye"),
            "{summary}"
        );

        // Each unit sees its own people only.
        let unit_of = |conn: &mut DbConn, code: &str| -> String {
            operation_units::table
                .filter(operation_units::code.eq(code))
                .select(operation_units::id)
                .first(conn)
                .expect("unit")
        };
        let (dpin, unhcr) = (unit_of(conn, "DPIN"), unit_of(conn, "UNHCR"));
        for (username, unit, expected) in [
            ("supervisor", &dpin, summary.individuals),
            ("unhcr.officer", &unhcr, summary.unhcr_individuals),
        ] {
            let user = users::user_by_username(conn, username)
                .expect("lookup")
                .expect("user");
            let scope = scope_for(&user, "test").expect("scope");
            let seen: Vec<String> = individuals::table
                .filter(scope.individuals())
                .select(individuals::operation_unit_id)
                .load(conn)
                .expect("visible");
            assert_eq!(seen.len(), expected, "{username}");
            assert!(
                seen.iter().all(|u| u == unit),
                "{username} sees another unit"
            );
        }

        // UNHCR's protection staff land on two follow-ups due (a child's case among them), with
        // one case closed; DPIN's protection officer sees none of them.
        let protection_list = |conn: &mut DbConn, username: &str, which| {
            let user = users::user_by_username(conn, username)
                .expect("lookup")
                .expect("user");
            let scope = scope_for(&user, "test").expect("scope");
            let mut reads = crate::store::audit::Reads::default();
            crate::store::protection::list(conn, &scope, &mut reads, which, 50, 0)
                .map(|(cases, _)| cases)
        };
        use crate::store::protection::ProtectionList as L;
        assert_eq!(summary.protection_cases, 4, "{summary}");
        let due = protection_list(conn, "unhcr.protection", L::FollowUpsDue).expect("due");
        assert_eq!(due.len(), 2, "{due:?}");
        assert!(due.iter().any(|c| c.row.category == "CR"
            && c.state.bias.len() == 1
            && c.state.follow_ups.len() == 1));
        let closed = protection_list(conn, "unhcr.supervisor", L::Closed).expect("closed");
        assert_eq!(closed.len(), 1);
        let open = protection_list(conn, "unhcr.supervisor", L::Open).expect("open");
        assert_eq!(open.len(), 3);
        for which in [L::Open, L::Closed, L::FollowUpsDue] {
            assert!(
                protection_list(conn, "protection", which)
                    .expect("DPIN's list")
                    .is_empty()
            );
        }

        // Four nationalities, original script and interpreters where expected.
        let people: Vec<(String, Option<String>, bool, String)> = individuals::table
            .filter(individuals::operation_unit_id.eq(&dpin))
            .select((
                individuals::nationalities,
                individuals::original_script_name,
                individuals::needs_interpreter,
                individuals::office_id,
            ))
            .load(conn)
            .expect("people");
        let mut by_nationality: BTreeMap<&str, usize> = BTreeMap::new();
        for (nats, original, interpreter, _) in &people {
            let nat = nats.split_whitespace().next().unwrap_or_default();
            *by_nationality.entry(nat).or_default() += 1;
            let far = nat == "AFG" || nat == "SYR";
            assert_eq!(original.is_some(), far, "{nat}");
            assert_eq!(*interpreter, far, "{nat}");
        }
        assert!(
            ["COL", "VEN", "AFG", "SYR"]
                .iter()
                .all(|n| by_nationality.get(n).is_some_and(|c| *c >= 10)),
            "{by_nationality:?}"
        );
        assert_eq!(
            people.iter().map(|p| &p.3).collect::<BTreeSet<_>>().len(),
            5,
            "people in every DPIN office"
        );

        // Needs both confirmed and waiting for review.
        let needs: Vec<String> = specific_needs::table
            .filter(specific_needs::operation_unit_id.eq(&dpin))
            .select(specific_needs::status)
            .load(conn)
            .expect("needs");
        assert_eq!(needs.len(), summary.specific_needs);
        assert!(
            needs.iter().any(|s| s == "confirmed") && needs.iter().any(|s| s == "pending_review"),
            "{needs:?}"
        );

        // Cases spread over the procedure, mostly with the two demo officers.
        let all: Vec<(String, String, String, String, Option<String>)> = cases::table
            .select((
                cases::id,
                cases::status,
                cases::stage,
                cases::modality,
                cases::assigned_officer_id,
            ))
            .load(conn)
            .expect("cases");
        assert_eq!(all.len(), summary.cases);
        assert!(summary.cases * 10 >= summary.groups * 5, "{summary}");
        let statuses: BTreeSet<&str> = all.iter().map(|c| c.1.as_str()).collect();
        assert!(statuses.len() >= 6, "{statuses:?}");
        assert!(all.iter().any(|c| c.2 == "appeal") && all.iter().any(|c| c.2 == "first_instance"));
        assert!(
            all.iter()
                .map(|c| c.3.as_str())
                .collect::<BTreeSet<_>>()
                .len()
                >= 2
        );
        let id_of = |conn: &mut DbConn, name: &str| {
            users::user_by_username(conn, name)
                .expect("lookup")
                .unwrap_or_else(|| panic!("{name}"))
                .id
        };
        let officer = id_of(conn, "officer");
        let officer2 = id_of(conn, "officer2");
        let officer3 = id_of(conn, "officer3");
        let supervisor = id_of(conn, "supervisor");
        let assigned: Vec<&String> = all.iter().filter_map(|c| c.4.as_ref()).collect();
        let demo_officers = assigned
            .iter()
            .filter(|a| [&officer, &officer2, &officer3].contains(a))
            .count();
        assert!(
            demo_officers * 2 > assigned.len(),
            "{demo_officers} of {} cases with officer/officer2/officer3",
            assigned.len()
        );

        // Staff of both sexes, for the same-sex interviewer preference.
        let sexes: BTreeSet<Option<String>> = users_table::table
            .filter(users_table::username.eq_any([
                "officer",
                "officer2",
                "officer3",
                "supervisor",
                "supervisor2",
            ]))
            .select(users_table::sex)
            .load(conn)
            .expect("sexes")
            .into_iter()
            .collect();
        assert_eq!(
            sexes,
            BTreeSet::from([Some("F".to_owned()), Some("M".to_owned())])
        );

        // Every case's state was reached through the workflow: it parses, its columns are its
        // own, its history has one event per transition, and someone can take the next step.
        let rules = UnitRules::default();
        let now = now();
        let staff: Vec<(String, String, Option<String>)> = users_table::table
            .filter(users_table::operation_unit_id.eq(&dpin))
            .select((users_table::id, users_table::roles, users_table::sex))
            .load(conn)
            .expect("staff");
        let actors: Vec<rsd::Actor> = staff
            .iter()
            .map(|(id, roles, sex)| rsd::Actor {
                user_id: id.clone(),
                roles: crate::domain::access::parse_roles(roles).expect("roles"),
                sex: sex.clone(),
            })
            .collect();
        type Row = (
            String,
            String,
            String,
            Option<String>,
            i32,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        );
        let rows: Vec<Row> = cases::table
            .select((
                cases::id,
                cases::status,
                cases::stage,
                cases::workflow,
                cases::version,
                cases::due_at,
                cases::next_appointment_at,
                cases::abandonment_from,
                cases::appeal_deadline_at,
            ))
            .load(conn)
            .expect("workflows");
        let mut states = Vec::new();
        for (id, status, stage, workflow, version, due, next, abandon, appeal) in rows {
            let state: CaseState =
                serde_json::from_str(workflow.as_deref().expect("every case has a workflow"))
                    .expect("the workflow parses");
            assert_eq!(state.status.as_str(), status);
            assert_eq!(state.stage.as_str(), stage);
            assert_eq!(i64::from(version), state.version as i64);
            let history: Vec<(String, String)> = events::table
                .filter(events::record_id.eq(&id))
                .filter(events::record_type.eq("case"))
                .order((events::at.asc(), events::id.asc()))
                .select((events::kind, events::data))
                .load(conn)
                .expect("history");
            assert_eq!(history.len() as u64, state.version, "case {id}");
            if let Some((kind, data)) = history.last() {
                let event: rsd::CaseEvent = serde_json::from_str(data).expect("event data");
                assert_eq!(event.kind.as_str(), kind);
                assert_eq!(event.to_status, state.status);
            }
            if !state.status.is_terminal() {
                assert!(
                    actors
                        .iter()
                        .any(|a| !rsd::allowed_actions(&state, a, &rules, now).is_empty()),
                    "nobody can act on case {id}"
                );
            }
            let pending: i64 = appointments::table
                .filter(appointments::case_id.eq(&id))
                .filter(appointments::status.eq("scheduled"))
                .count()
                .get_result(conn)
                .expect("appointments");
            assert_eq!(pending as usize, state.appointments.len());
            states.push((state, due, next, abandon, appeal));
        }

        // The officer's My work, and the supervisor's queues.
        let mine: Vec<_> = states
            .iter()
            .filter(|s| s.0.assigned_officer.as_deref() == Some(officer.as_str()))
            .collect();
        let mine_statuses: BTreeSet<&str> = mine.iter().map(|s| s.0.status.as_str()).collect();
        assert!(mine_statuses.len() >= 4, "{mine_statuses:?}");
        assert!(
            mine.iter().any(|s| s.2.is_some_and(|t| t > now)),
            "a pending interview"
        );
        assert!(
            mine.iter().any(|s| s.0.status == Status::Interviewed),
            "an assessment to write"
        );
        assert!(
            mine.iter().any(|s| rsd::is_overdue(&s.0, &rules, now)),
            "an overdue case"
        );
        assert!(
            mine.iter().any(|s| s
                .1
                .is_some_and(|d| d > now && d <= now + chrono::Duration::days(7))),
            "a case due within a week"
        );
        assert!(
            states.iter().any(|s| s.0.status == Status::Assessed
                && s.0.stage == Stage::FirstInstance
                && s.0
                    .first_instance
                    .assessment
                    .as_ref()
                    .map(|a| a.assessor_id.as_str())
                    == Some(officer.as_str())
                && rsd::allowed_actions(
                    &s.0,
                    &rsd::Actor {
                        user_id: supervisor.clone(),
                        roles: vec![Role::Supervisor],
                        sex: None
                    },
                    &rules,
                    now
                )
                .contains(&rsd::ActionKind::ReviewAssessment)),
            "a review for the supervisor"
        );
        assert!(
            states
                .iter()
                .any(|s| rsd::is_abandonment_candidate(&s.0, &rules, now)
                    && s.3.is_some_and(|t| t <= now)),
            "an abandonment candidate"
        );
        assert!(
            states
                .iter()
                .any(|s| rsd::appeal_deadline_near(&s.0, &rules, now) && s.4.is_some()),
            "a rejection near its appeal deadline"
        );
        assert!(
            states
                .iter()
                .any(|s| s.0.interviewer_sex_preference.is_some()),
            "an applicant asking for an interviewer of her sex"
        );
        let interpreters: i64 = interpreters::table
            .count()
            .get_result(conn)
            .expect("interpreters");
        assert!(interpreters >= 5);
        let members: i64 = case_members::table
            .count()
            .get_result(conn)
            .expect("case members");
        assert!(members as usize >= summary.cases);

        assert!(matches!(
            audit::verify(conn).expect("verify"),
            Verdict::Intact { .. }
        ));
        drop(db);
        let _ = std::fs::remove_file(&path);
    }
}
