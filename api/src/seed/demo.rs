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
use serde_json::json;

use super::{
    Actor, DPIN, HouseholdSpec, Site, Tenant, UNHCR, UnitSpec, create_tenant, household,
    household_size, office_staff, pick_weighted, plan_case, staff_username, working_time,
};
use crate::auth::{password, scope_for};
use crate::domain::access::Role;
use crate::domain::needs::NeedStatus;
use crate::domain::registration::GroupInput;
use crate::error::{Error, Result};
use crate::store::audit::{self, Entry};
use crate::store::registry::{self, format_number, next_number};
use crate::store::schema::{case_members, cases, events, specific_needs};
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
}

const USERS: &[DemoUser] = &[
    DemoUser {
        unit: &DPIN,
        username: "registrar",
        name: "Lucía Andrade",
        role: Role::RegistrationClerk,
        office: Some("UIO"),
        scope: "office",
    },
    DemoUser {
        unit: &DPIN,
        username: "officer",
        name: "Diego Salazar",
        role: Role::EligibilityOfficer,
        office: Some("UIO"),
        scope: "office",
    },
    DemoUser {
        unit: &DPIN,
        username: "officer2",
        name: "Gabriela Montalvo",
        role: Role::EligibilityOfficer,
        office: Some("GYE"),
        scope: "office",
    },
    DemoUser {
        unit: &DPIN,
        username: "supervisor",
        name: "Patricio Herrera",
        role: Role::Supervisor,
        office: Some("UIO"),
        scope: "unit",
    },
    DemoUser {
        unit: &DPIN,
        username: "admin",
        name: "Verónica Paredes",
        role: Role::UnitAdmin,
        office: Some("UIO"),
        scope: "unit",
    },
    DemoUser {
        unit: &DPIN,
        username: "protection",
        name: "Carmen Villacís",
        role: Role::ProtectionOfficer,
        office: Some("UIO"),
        scope: "unit",
    },
    DemoUser {
        unit: &DPIN,
        username: "analyst",
        name: "Andrés Cevallos",
        role: Role::Analyst,
        office: None,
        scope: "unit",
    },
    DemoUser {
        unit: &UNHCR,
        username: "unhcr.officer",
        name: "Sofía Benítez",
        role: Role::ProtectionOfficer,
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
        write!(
            f,
            "  UNHCR: {} individuals in {} registration groups.",
            self.unhcr_individuals, self.unhcr_groups
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
        summary.users.push(user.username.clone());
        demo_users.push(user);
    }
    let named = |name: &str| {
        demo_users
            .iter()
            .find(|u| u.username == name)
            .cloned()
            .ok_or_else(|| Error::internal(format!("demo user {name} missing")))
    };
    let supervisor = named("supervisor")?;
    let protection = scope_for(&named("protection")?, "seed")?;
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
    for (i, office) in ["UIO", "UIO", "IBR", "LGA"].into_iter().enumerate() {
        let nationality = if i % 2 == 0 { "VEN" } else { "COL" };
        let group = register(conn, &mut rng, &unhcr_staff, office, nationality, now)?;
        summary.unhcr_groups += 1;
        summary.unhcr_individuals += group.individual_ids.len();
    }
    let (needs, confirmed) = review_needs(conn, &mut rng, &protection, &registered)?;
    summary.specific_needs = needs;
    summary.confirmed_needs = confirmed;
    summary.documents = count_documents(conn, &dpin.unit.id)?;
    for group in &registered {
        if rng.random_bool(0.7) {
            open_case(conn, &mut rng, &dpin, &dpin_staff, &supervisor, group, now)?;
            summary.cases += 1;
        }
    }
    Ok(summary)
}

/// The clerk and eligibility officer of each office of a unit, by office code.
struct Staffing {
    clerks: Vec<(String, User)>,
    officers: Vec<(String, User)>,
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
        for office in &tenant.offices {
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
                if officer.password_hash.is_none() {
                    summary.staff_without_login.push(officer.username.clone());
                }
                staffing.officers.push((office.code.clone(), officer));
            }
        }
        Ok(staffing)
    }

    fn at<'a>(list: &'a [(String, User)], office: &str) -> Result<&'a User> {
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

/// Opens an RSD case for the whole group, with the history of how it reached its status.
fn open_case(
    conn: &mut DbConn,
    rng: &mut StdRng,
    tenant: &Tenant,
    staff: &Staffing,
    supervisor: &User,
    group: &Registered,
    now: NaiveDateTime,
) -> Result<()> {
    let officer = Staffing::at(&staff.officers, group.office)?;
    // The appeal goes to an officer other than the first-instance one: Quito and Guayaquil
    // review each other's decisions.
    let appeal_officer = Staffing::at(
        &staff.officers,
        if officer.username == "officer" {
            "GYE"
        } else {
            "UIO"
        },
    )?;
    let day = (now - chrono::Duration::days(rng.random_range(0..CASE_HISTORY_DAYS))).date();
    let opened_at = working_time(rng, day).min(now);
    let plan = plan_case(rng, group.nationality, opened_at, now);
    let unit = &tenant.unit.id;
    let office = tenant.office(group.office)?;
    let number = format_number(&tenant.unit.code, 'C', next_number(conn, unit, "case")?);
    let case_id = new_id();
    let assigned = match (plan.assigned(), plan.in_appeal()) {
        (false, _) => None,
        (true, false) => Some(officer.id.as_str()),
        (true, true) => Some(appeal_officer.id.as_str()),
    };
    let principal = group
        .individual_ids
        .first()
        .ok_or_else(|| Error::internal("a registered group without members"))?;
    diesel::insert_into(cases::table)
        .values((
            cases::id.eq(&case_id),
            cases::operation_unit_id.eq(unit),
            cases::office_id.eq(&office.id),
            cases::number_key.eq(crate::domain::names::normalize_identifier(&number)),
            cases::case_number.eq(&number),
            cases::procedure.eq("rsd"),
            cases::status.eq(plan.status),
            cases::stage.eq(plan.stage),
            cases::modality.eq(plan.modality),
            cases::principal_applicant_id.eq(principal),
            cases::registration_group_id.eq(&group.group_id),
            cases::assigned_officer_id.eq(assigned),
            cases::claim_summary.eq(&plan.claim_summary),
            cases::opened_at.eq(plan.opened_at),
            cases::version.eq(1 + i32::try_from(plan.transitions.len()).unwrap_or(0)),
            cases::created_at.eq(plan.opened_at),
            cases::updated_at.eq(plan.updated_at()),
        ))
        .execute(conn)?;
    let relationships: Vec<(String, String)> = {
        use crate::store::schema::group_memberships as gm;
        gm::table
            .filter(gm::group_id.eq(&group.group_id))
            .select((gm::individual_id, gm::relationship))
            .load(conn)?
    };
    for id in &group.individual_ids {
        let relationship = relationships
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, r)| r.as_str());
        diesel::insert_into(case_members::table)
            .values((
                case_members::id.eq(new_id()),
                case_members::operation_unit_id.eq(unit),
                case_members::case_id.eq(&case_id),
                case_members::individual_id.eq(id),
                case_members::role.eq(if id == principal {
                    "principal"
                } else {
                    "derivative"
                }),
                case_members::relationship.eq(relationship),
                case_members::added_at.eq(plan.opened_at),
            ))
            .execute(conn)?;
    }
    let mut history = vec![(
        group.clerk.id.as_str(),
        plan.opened_at,
        "opened",
        json!({ "procedure": "rsd", "members": group.individual_ids.len() }),
    )];
    for t in &plan.transitions {
        let actor = match t.by {
            Actor::Clerk => group.clerk.id.as_str(),
            Actor::Officer => officer.id.as_str(),
            Actor::Reviewer => supervisor.id.as_str(),
            Actor::AppealOfficer => appeal_officer.id.as_str(),
        };
        history.push((actor, t.at, "status_changed", t.data()));
    }
    for (actor, at, kind, data) in history {
        diesel::insert_into(events::table)
            .values((
                events::id.eq(new_id()),
                events::operation_unit_id.eq(unit),
                events::record_type.eq("case"),
                events::record_id.eq(&case_id),
                events::kind.eq(kind),
                events::actor_id.eq(actor),
                events::at.eq(at),
                events::data.eq(data.to_string()),
            ))
            .execute(conn)?;
    }
    let clerk_scope = scope_for(&group.clerk, "seed")?;
    audit::append(
        conn,
        &audit::Actor::from(&clerk_scope),
        &[Entry::ok("create", "case", &case_id)],
    )
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::error::ErrorCode;
    use crate::store::audit::Verdict;
    use crate::store::schema::{individuals, operation_units, users as users_table};

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
        let officer = users::user_by_username(conn, "officer")
            .expect("lookup")
            .expect("officer")
            .id;
        let officer2 = users::user_by_username(conn, "officer2")
            .expect("lookup")
            .expect("officer2")
            .id;
        let assigned: Vec<&String> = all.iter().filter_map(|c| c.4.as_ref()).collect();
        let demo_officers = assigned
            .iter()
            .filter(|a| ***a == officer || ***a == officer2)
            .count();
        assert!(
            demo_officers * 2 > assigned.len(),
            "{demo_officers} of {} cases with officer/officer2",
            assigned.len()
        );
        for (id, status, ..) in &all {
            let history: Vec<(String, String)> = events::table
                .filter(events::record_id.eq(id))
                .order(events::at.asc())
                .select((events::kind, events::data))
                .load(conn)
                .expect("history");
            assert_eq!(history.first().map(|h| h.0.as_str()), Some("opened"));
            let last = history
                .iter()
                .rev()
                .find(|h| h.0 == "status_changed")
                .map(|h| h.1.clone());
            let last_to = last
                .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                .and_then(|v| v["to"].as_str().map(str::to_string));
            assert_eq!(last_to.as_deref().unwrap_or("registered"), status);
        }
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
