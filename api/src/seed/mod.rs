//! Data to look at and data to measure with: the demo world ([`demo`]) and synthetic registries
//! of any size ([`scale`]).
//!
//! Both draw from the generators of this module, so a seeded registry of a million people looks
//! like the demo world, only larger: the same operation units and offices, households built from
//! the name pools of the people Ecuador receives, and RSD cases that walk the procedure of
//! DOMAIN.md with realistic delays. Everything is driven by fixed-seed random number generators,
//! so the same command on the same database gives the same people.

mod demo;
pub mod name_pools;
mod scale;
mod sharing;
mod walk;

pub use demo::{DemoSummary, demo};
pub use scale::{ScaleSummary, scale};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;
use rand::rngs::StdRng;

use self::name_pools::{ECUADOR_STREETS, Name, NamePool, Nationality};
use crate::domain::access::Role;
use crate::domain::registration::{
    AddressInput, DocumentInput, LanguageInput, MemberInput, NeedInput, PersonInput, PhoneInput,
};
use crate::error::{Error, Result};
use crate::store::DbConn;
use crate::store::users::{self, NewUser, Office, Unit, User};

// ---------------------------------------------------------------------------------------------
// Operation units and offices
// ---------------------------------------------------------------------------------------------

/// An office as the seed creates it, with what households registered there look like.
pub(crate) struct Site {
    pub code: &'static str,
    pub name: &'static str,
    pub city: &'static str,
    pub province: &'static str,
    /// Where people registered here usually crossed into Ecuador.
    pub points_of_entry: &'static [&'static str],
    pub neighbourhoods: &'static [&'static str],
}

/// An operation unit as the seed creates it.
pub(crate) struct UnitSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub modules: &'static [&'static str],
    pub sites: &'static [Site],
}

const RUMICHACA: &str = "Puente Internacional de Rumichaca";
const SAN_MIGUEL: &str = "Puente Internacional San Miguel";
const MATAJE: &str = "Mataje";
const QUITO_AIRPORT: &str = "Aeropuerto Mariscal Sucre";
const GYE_AIRPORT: &str = "Aeropuerto José Joaquín de Olmedo";
const HUAQUILLAS: &str = "Puente Internacional de Huaquillas";

/// Ecuador's government asylum authority, with the registration and RSD modules.
pub(crate) static DPIN: UnitSpec = UnitSpec {
    code: "DPIN",
    name: "Dirección de Protección Internacional",
    kind: "government",
    modules: &["registration", "rsd"],
    sites: &[
        Site {
            code: "UIO",
            name: "Quito",
            city: "Quito",
            province: "Pichincha",
            points_of_entry: &[RUMICHACA, QUITO_AIRPORT, RUMICHACA, SAN_MIGUEL],
            neighbourhoods: &[
                "La Floresta",
                "San Roque",
                "Chillogallo",
                "La Magdalena",
                "Carapungo",
                "Cotocollao",
                "La Marín",
            ],
        },
        Site {
            code: "GYE",
            name: "Guayaquil",
            city: "Guayaquil",
            province: "Guayas",
            points_of_entry: &[RUMICHACA, GYE_AIRPORT, HUAQUILLAS, RUMICHACA],
            neighbourhoods: &[
                "Bastión Popular",
                "Guasmo Sur",
                "Sauces 6",
                "La Florida",
                "Mapasingue",
                "Cristo del Consuelo",
            ],
        },
        Site {
            code: "LGA",
            name: "Lago Agrio",
            city: "Nueva Loja",
            province: "Sucumbíos",
            points_of_entry: &[SAN_MIGUEL, SAN_MIGUEL, RUMICHACA],
            neighbourhoods: &[
                "Barrio Colinas Petroleras",
                "Barrio Los Ríos",
                "Barrio 20 de Junio",
                "General Farfán",
            ],
        },
        Site {
            code: "TUL",
            name: "Tulcán",
            city: "Tulcán",
            province: "Carchi",
            points_of_entry: &[RUMICHACA, RUMICHACA, "Urbina"],
            neighbourhoods: &[
                "Barrio El Olivo",
                "Barrio San Francisco",
                "Barrio Tajamar",
                "Barrio Ejido Norte",
            ],
        },
        Site {
            code: "ESM",
            name: "Esmeraldas",
            city: "Esmeraldas",
            province: "Esmeraldas",
            points_of_entry: &[MATAJE, "San Lorenzo", RUMICHACA],
            neighbourhoods: &[
                "Barrio 50 Casas",
                "Barrio Las Palmas",
                "Barrio Propicia 1",
                "Barrio Isla Piedad",
            ],
        },
    ],
};

/// UNHCR's own tenant: assistance, protection and resettlement; it never sees DPIN's records.
pub(crate) static UNHCR: UnitSpec = UnitSpec {
    code: "UNHCR",
    name: "ACNUR Ecuador",
    kind: "unhcr",
    modules: &["assistance", "protection", "resettlement"],
    sites: &[
        Site {
            code: "UIO",
            name: "Quito",
            city: "Quito",
            province: "Pichincha",
            points_of_entry: &[RUMICHACA, QUITO_AIRPORT],
            neighbourhoods: &["La Mariscal", "El Condado", "Solanda"],
        },
        Site {
            code: "IBR",
            name: "Ibarra",
            city: "Ibarra",
            province: "Imbabura",
            points_of_entry: &[RUMICHACA],
            neighbourhoods: &["Barrio Alpachaca", "Barrio Los Ceibos", "Caranqui"],
        },
        Site {
            code: "LGA",
            name: "Lago Agrio",
            city: "Nueva Loja",
            province: "Sucumbíos",
            points_of_entry: &[SAN_MIGUEL],
            neighbourhoods: &["Barrio Aguarico", "Barrio Julio Marín"],
        },
    ],
};

/// A unit and its seeded offices, in the order of the spec's sites.
pub(crate) struct Tenant {
    pub unit: Unit,
    pub offices: Vec<Office>,
}

impl Tenant {
    /// The office of the spec's site `code`.
    pub fn office(&self, code: &str) -> Result<&Office> {
        self.offices.iter().find(|o| o.code == code).ok_or_else(|| {
            Error::internal(format!(
                "office {code} of unit {} was not seeded",
                self.unit.code
            ))
        })
    }
}

/// Creates a unit and its offices; the caller has checked that the unit does not exist.
pub(crate) fn create_tenant(conn: &mut DbConn, spec: &UnitSpec) -> Result<Tenant> {
    let unit = users::create_unit(conn, spec.code, spec.name, spec.kind, spec.modules)?;
    let offices = spec
        .sites
        .iter()
        .map(|s| users::create_office(conn, &unit.id, s.code, s.name))
        .collect::<Result<Vec<_>>>()?;
    Ok(Tenant { unit, offices })
}

/// The unit of the spec with its offices, creating whatever is missing.
pub(crate) fn ensure_tenant(conn: &mut DbConn, spec: &UnitSpec) -> Result<Tenant> {
    let Some(unit) = users::unit_by_code(conn, spec.code)? else {
        return create_tenant(conn, spec);
    };
    let existing = users::offices_of(conn, &unit.id)?;
    let mut offices = Vec::with_capacity(spec.sites.len());
    for s in spec.sites {
        let office = match existing.iter().find(|o| o.code == s.code) {
            Some(o) => o.clone(),
            None => users::create_office(conn, &unit.id, s.code, s.name)?,
        };
        offices.push(office);
    }
    Ok(Tenant { unit, offices })
}

/// A user of the unit at `office` who has `role`, or a new one called `username` without a
/// password: it exists so records have a plausible author, and nobody can log in as it.
pub(crate) fn office_staff(
    conn: &mut DbConn,
    tenant: &Tenant,
    office: &Office,
    role: Role,
    username: &str,
) -> Result<User> {
    let found = users::users_of_unit(conn, &tenant.unit.id)?
        .into_iter()
        .find(|u| {
            !u.disabled
                && u.office_id.as_deref() == Some(office.id.as_str())
                && u.roles.split(',').any(|r| r.trim() == role.as_str())
        });
    if let Some(u) = found {
        return Ok(u);
    }
    let display = format!("{} {} (seeded, no login)", role_words(role), office.name);
    users::create_user(
        conn,
        NewUser {
            unit_id: &tenant.unit.id,
            office_id: Some(&office.id),
            username,
            display_name: &display,
            password_hash: None,
            roles: role.as_str(),
            scope_level: role.default_scope().as_str(),
        },
    )
}

fn role_words(role: Role) -> &'static str {
    match role {
        Role::RegistrationClerk => "Registration clerk",
        Role::EligibilityOfficer => "Eligibility officer",
        Role::Supervisor => "Supervisor",
        Role::ProtectionOfficer => "Protection officer",
        Role::UnitAdmin => "Unit admin",
        Role::Analyst => "Analyst",
        Role::AssistanceOfficer => "Assistance officer",
        Role::ResettlementOfficer => "Resettlement officer",
    }
}

/// The username of a seeded staff member without login, e.g. `registrar.gye`.
pub(crate) fn staff_username(prefix: &str, office: &Office) -> String {
    format!("{prefix}.{}", office.code.to_lowercase())
}

// ---------------------------------------------------------------------------------------------
// Random helpers
// ---------------------------------------------------------------------------------------------

/// One item of a non-empty static table, uniformly.
pub(crate) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// One item of a non-empty static table, by weight.
pub(crate) fn pick_weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if roll < *w {
            return *item;
        }
        roll -= w;
    }
    items[items.len() - 1].0
}

/// A random moment of the offices' working day on `day` (08:00 to 17:00 local time), in UTC
/// like every stored time, at second precision.
pub(crate) fn working_time(rng: &mut StdRng, day: NaiveDate) -> NaiveDateTime {
    let calendar = crate::store::workflow::Calendar::default();
    let start = i64::from(calendar.day_starts) * 60;
    let end = (i64::from(calendar.day_ends) * 60).max(start + 1);
    let secs = rng.random_range(start..end) - i64::from(calendar.utc_offset_minutes) * 60;
    day.and_time(NaiveTime::MIN) + Duration::seconds(secs)
}

// ---------------------------------------------------------------------------------------------
// RSD cases
// ---------------------------------------------------------------------------------------------

/// A short account of the claim, as an officer would note it at registration.
pub(crate) fn claim_summary(rng: &mut StdRng, nationality: &str) -> String {
    let (templates, places): (&[&str], &[&str]) = match nationality {
        "COL" => (
            &[
                "Amenazas de un grupo armado disidente en {} tras negarse a pagar extorsiones; huyó con su familia.",
                "Reclutamiento forzado de su hijo adolescente por un grupo armado en {}; la familia salió de noche.",
                "Líder comunitario amenazado de muerte en {} por denunciar cultivos ilícitos.",
                "Desplazamiento forzado desde {} después del asesinato de un familiar por un grupo armado.",
                "Amenazas por haber sido testigo de un homicidio cometido por una banda criminal en {}.",
            ],
            &[
                "Nariño",
                "Putumayo",
                "Cauca",
                "Valle del Cauca",
                "Norte de Santander",
                "Antioquia",
                "Arauca",
            ],
        ),
        "VEN" => (
            &[
                "Detención arbitraria y malos tratos tras participar en protestas en {}.",
                "Persecución por ser activista de un partido de oposición en {}; allanamiento de su vivienda.",
                "Amenazas de colectivos armados en {} por negarse a apoyar al partido de gobierno.",
                "Despedido y hostigado en {} por denunciar corrupción en la entrega de alimentos.",
                "Periodista local de {} amenazado por sus publicaciones; su equipo fue confiscado.",
            ],
            &[
                "Táchira",
                "Zulia",
                "Carabobo",
                "Lara",
                "Caracas",
                "Mérida",
                "Bolívar",
                "Anzoátegui",
            ],
        ),
        "AFG" => (
            &[
                "Trabajó como intérprete para fuerzas internacionales en {}; buscado por los talibanes desde 2021.",
                "Maestra de niñas en {}; amenazada y obligada a dejar de enseñar.",
                "Miembro de la minoría hazara de {}; familiares detenidos y desaparecidos.",
                "Exfuncionario del gobierno anterior en {}; su casa fue registrada por los talibanes.",
            ],
            &[
                "Kabul",
                "Herat",
                "Mazar-e-Sharif",
                "Kandahar",
                "Ghazni",
                "Bamiyán",
            ],
        ),
        "SYR" => (
            &[
                "Evasión del servicio militar obligatorio; su barrio en {} fue bombardeado.",
                "Detenido y torturado en {} por su supuesta participación en manifestaciones.",
                "Huyó de {} tras la destrucción de su vivienda; vivió años en Líbano sin estatus legal.",
                "Perseguido en {} por motivos religiosos; varios familiares fueron asesinados.",
            ],
            &[
                "Homs",
                "Alepo",
                "Idlib",
                "Damasco rural",
                "Deir ez-Zor",
                "Daraa",
            ],
        ),
        _ => (
            &[
                "Amenazas de una organización criminal en {} por negarse a colaborar con ella.",
                "Persecución política en {}; teme ser detenido si regresa.",
            ],
            &["su ciudad de origen", "la capital", "su provincia"],
        ),
    };
    let place = *pick(rng, places);
    pick(rng, templates).replace("{}", place)
}

// ---------------------------------------------------------------------------------------------
// Households
// ---------------------------------------------------------------------------------------------

/// Nationalities of Ecuador's caseload, with their share of households at scale.
pub(crate) const CASELOAD: &[(&str, u32)] = &[
    ("VEN", 5500),
    ("COL", 4000),
    ("CUB", 150),
    ("PER", 150),
    ("AFG", 120),
    ("SYR", 80),
];

/// Household sizes 1 to 8 (mean about 3.2), as registries of this caseload see them.
const SIZES: &[(usize, u32)] = &[
    (1, 22),
    (2, 17),
    (3, 18),
    (4, 18),
    (5, 12),
    (6, 7),
    (7, 4),
    (8, 2),
];

/// A household size drawn from the caseload's distribution.
pub(crate) fn household_size(rng: &mut StdRng) -> usize {
    pick_weighted(rng, SIZES)
}

/// What a household looks like before it is generated.
pub(crate) struct HouseholdSpec<'a> {
    pub nationality: &'static str,
    pub site: &'a Site,
    pub size: usize,
    pub registered_on: NaiveDate,
}

/// How names are built in a country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    /// Given names, then the father's and the mother's first family names.
    Hispanic,
    /// Given name, father's name, grandfather's name, family name; Arabic script.
    Arabic,
    /// Given name, family name, father's name; Dari/Pashto in Perso-Arabic script.
    Afghan,
}

fn naming(nationality: &str) -> Naming {
    match nationality {
        "SYR" => Naming::Arabic,
        "AFG" => Naming::Afghan,
        _ => Naming::Hispanic,
    }
}

/// A member being built, with what the relatives' names derive from.
#[derive(Clone)]
struct Draft {
    relationship: &'static str,
    sex: &'static str,
    age: i64,
    given: Name,
    /// Absent for many Afghans, who carry no family or tribal name.
    family: Option<Name>,
    /// Hispanic: the mother's family name; otherwise unused.
    second_family: Option<Name>,
    /// Arabic/Afghan: the father's given name.
    father: Option<Name>,
    /// Arabic: the paternal grandfather's given name.
    grandfather: Option<Name>,
    marital: &'static str,
}

fn opposite(sex: &'static str) -> &'static str {
    if sex == "F" { "M" } else { "F" }
}

/// The members of one household, focal point first, as a registration clerk would enter them.
pub(crate) fn household(rng: &mut StdRng, spec: &HouseholdSpec<'_>) -> Vec<MemberInput> {
    let nat = spec.nationality;
    let style = naming(nat);
    let size = spec.size.clamp(1, 12);
    let drafts = family_tree(rng, nat, style, size);
    let arrival = spec.registered_on - Duration::days(rng.random_range(0..85));
    let entry = pick(rng, spec.site.points_of_entry).to_string();
    let level = pick_weighted(
        rng,
        &[("basic", 70), ("comprehensive", 25), ("emergency", 5)],
    );
    let youngest_child = drafts
        .iter()
        .filter(|d| matches!(d.relationship, "son" | "daughter"))
        .map(|d| d.age)
        .min();
    let children = drafts.iter().filter(|d| d.age < 18).count();
    let adults_with_focal = drafts.iter().filter(|d| d.age >= 18).count();
    drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let ctx = MemberContext {
                nat,
                style,
                site: spec.site,
                registered_on: spec.registered_on,
                is_focal: i == 0,
                single_parent: i == 0 && adults_with_focal == 1 && children > 0,
                youngest_child,
                household_size: size,
            };
            let mut person = person(rng, d, &ctx);
            person.arrival_date = Some(arrival.max(person.date_of_birth.unwrap_or(arrival)));
            person.point_of_entry = Some(entry.clone());
            person.dataset_level = Some(level.to_string());
            MemberInput {
                person,
                relationship: d.relationship.to_string(),
            }
        })
        .collect()
}

/// Who is in the household and how they are named.
fn family_tree(rng: &mut StdRng, nat: &str, style: Naming, size: usize) -> Vec<Draft> {
    let lone_minor = size == 1 && rng.random_bool(0.01);
    let focal_sex = match size {
        1 if rng.random_bool(0.62) => "M",
        1 => "F",
        _ if rng.random_bool(0.55) => "F",
        _ => "M",
    };
    let focal_age = if lone_minor {
        rng.random_range(14..18)
    } else if rng.random_bool(0.08) {
        rng.random_range(55..78)
    } else {
        18 + rng.random_range(0..16) + rng.random_range(0..16)
    };
    let focal = new_draft(rng, nat, style, "focal_point", focal_sex, focal_age);
    let mut out = vec![focal.clone()];
    let mut partner: Option<Draft> = None;
    if size >= 2 && !lone_minor && rng.random_bool(0.68) {
        let age = (focal_age + rng.random_range(-6..7)).max(18);
        let mut p = new_draft(rng, nat, style, "spouse", opposite(focal_sex), age);
        let married = style != Naming::Hispanic || rng.random_bool(0.45);
        p.relationship = if married { "spouse" } else { "partner" };
        p.marital = if married { "married" } else { "common_law" };
        if let Some(f) = out.first_mut() {
            f.marital = p.marital;
        }
        partner = Some(p.clone());
        out.push(p);
    } else if let Some(f) = out.first_mut() {
        f.marital = match (focal_age, rng.random_range(0..10)) {
            (..18, _) => "single",
            (60.., 0..=4) => "widowed",
            (_, 0..=4) => "single",
            (_, 5..=7) => "separated",
            (_, 8) => "divorced",
            _ => "widowed",
        };
    }
    if out.len() < size
        && (25..60).contains(&focal_age)
        && rng.random_bool(if size >= 4 { 0.15 } else { 0.04 })
    {
        let sex = if rng.random_bool(0.65) { "F" } else { "M" };
        let age = focal_age + rng.random_range(20..33);
        let mut parent = new_draft(
            rng,
            nat,
            style,
            if sex == "F" { "mother" } else { "father" },
            sex,
            age,
        );
        parent.marital = if rng.random_bool(0.5) {
            "widowed"
        } else {
            "married"
        };
        match style {
            Naming::Hispanic if sex == "M" => parent.family = focal.family,
            Naming::Hispanic => parent.family = focal.second_family.or(parent.family),
            _ if sex == "M" => {
                parent.given = focal.father.unwrap_or(parent.given);
                parent.father = focal.grandfather;
                parent.family = focal.family;
            }
            _ => {}
        }
        out.push(parent);
    }
    if out.len() < size && !lone_minor && rng.random_bool(0.07) {
        let sex = if rng.random_bool(0.5) { "F" } else { "M" };
        let age = (focal_age + rng.random_range(-8..9)).max(16);
        let mut sib = new_draft(
            rng,
            nat,
            style,
            if sex == "F" { "sister" } else { "brother" },
            sex,
            age,
        );
        sib.family = focal.family;
        sib.second_family = focal.second_family;
        sib.father = focal.father;
        sib.grandfather = focal.grandfather;
        out.push(sib);
    }
    // The rest are the focal point's children (grandchildren for older focal points).
    let father = match (focal_sex, &partner) {
        ("M", _) => Some(focal.clone()),
        (_, Some(p)) if p.sex == "M" => Some(p.clone()),
        _ => None,
    };
    let mother = match (focal_sex, &partner) {
        ("F", _) => Some(focal.clone()),
        (_, Some(p)) if p.sex == "F" => Some(p.clone()),
        _ => None,
    };
    // Children of one absent parent share that parent's names.
    let absent_father = new_draft(rng, nat, style, "father", "M", focal_age);
    let absent_mother_family = family_name(rng, nat, style);
    while out.len() < size {
        let sex = if rng.random_bool(0.5) { "F" } else { "M" };
        let grandchild = focal_age >= 52 && rng.random_bool(0.6);
        let (relationship, max_age) = if grandchild {
            ("grandchild", (focal_age - 38).clamp(0, 17))
        } else if focal_age < 16 {
            (if sex == "F" { "sister" } else { "brother" }, 17)
        } else {
            (
                if sex == "F" { "daughter" } else { "son" },
                if focal_age >= 40 && rng.random_bool(0.2) {
                    focal_age - 18
                } else {
                    (focal_age - 16).min(17)
                },
            )
        };
        let age = rng.random_range(0..=max_age.max(0));
        let mut child = new_draft(rng, nat, style, relationship, sex, age);
        child.marital = if age >= 18 && rng.random_bool(0.2) {
            "common_law"
        } else {
            "single"
        };
        let dad = if grandchild {
            &absent_father
        } else {
            father.as_ref().unwrap_or(&absent_father)
        };
        match style {
            Naming::Hispanic => {
                child.family = dad.family;
                child.second_family = match (&mother, grandchild) {
                    (Some(m), false) => m.family,
                    _ => absent_mother_family,
                };
            }
            Naming::Arabic | Naming::Afghan => {
                child.father = Some(dad.given);
                child.grandfather = dad.father;
                child.family = dad.family;
            }
        }
        if relationship == "brother" || relationship == "sister" {
            child.family = focal.family;
            child.second_family = focal.second_family;
            child.father = focal.father;
            child.grandfather = focal.grandfather;
        }
        out.push(child);
    }
    out
}

fn new_draft(
    rng: &mut StdRng,
    nat: &str,
    style: Naming,
    relationship: &'static str,
    sex: &'static str,
    age: i64,
) -> Draft {
    let hispanic = style == Naming::Hispanic;
    Draft {
        relationship,
        sex,
        age,
        given: given_name(rng, nat, sex),
        family: family_name(rng, nat, style),
        second_family: if hispanic {
            family_name(rng, nat, style)
        } else {
            None
        },
        father: (!hispanic).then(|| given_name(rng, nat, "M")),
        grandfather: (style == Naming::Arabic).then(|| given_name(rng, nat, "M")),
        marital: "single",
    }
}

/// What a member's details depend on besides their own draft.
struct MemberContext<'a> {
    nat: &'static str,
    style: Naming,
    site: &'a Site,
    registered_on: NaiveDate,
    is_focal: bool,
    single_parent: bool,
    youngest_child: Option<i64>,
    household_size: usize,
}

fn person(rng: &mut StdRng, d: &Draft, ctx: &MemberContext<'_>) -> PersonInput {
    let nat = ctx.nat;
    let adult = d.age >= 18;
    let born = ctx.registered_on - Duration::days(d.age * 365 + rng.random_range(0..365));
    let precision = match (ctx.style, rng.random_range(0..100)) {
        (Naming::Afghan, 0..=39) => "year_only",
        (Naming::Afghan, 40..=54) => "estimated",
        (Naming::Arabic, 0..=14) => "year_only",
        (Naming::Hispanic, 0..=1) => "estimated",
        _ => "exact",
    };
    let date_of_birth = match precision {
        "year_only" => NaiveDate::from_ymd_opt(born.year(), 1, 1).unwrap_or(born),
        "estimated" => NaiveDate::from_ymd_opt(born.year(), 7, 1).unwrap_or(born),
        _ => born,
    };
    let mut nationalities = vec![nat.to_string()];
    if nat == "VEN" && rng.random_bool(0.03) {
        nationalities.push("COL".to_string());
    }
    let original_script_name = match ctx.style {
        Naming::Hispanic => None,
        Naming::Arabic => join_original(&[Some(d.given), d.father, d.grandfather, d.family]),
        Naming::Afghan => join_original(&[Some(d.given), d.family]),
    };
    let speaks_spanish = ctx.style == Naming::Hispanic;
    let women_only = d.sex == "F"
        && adult
        && if speaks_spanish {
            rng.random_bool(0.08)
        } else {
            rng.random_bool(0.6)
        };
    let mut p = PersonInput {
        given_names: d.given.latin.to_string(),
        family_name: d.family.map(|n| n.latin.to_string()),
        second_family_name: d.second_family.map(|n| n.latin.to_string()),
        fathers_name: d.father.map(|n| n.latin.to_string()),
        grandfathers_name: d.grandfather.map(|n| n.latin.to_string()),
        aliases: alias(rng, d),
        original_script_name,
        sex: Some(d.sex.to_string()),
        date_of_birth: Some(date_of_birth),
        date_of_birth_precision: Some(precision.to_string()),
        place_of_birth: Some(pick(rng, birth_places(nat)).to_string()),
        marital_status: Some(d.marital.to_string()),
        nationalities,
        country_of_origin: Some(nat.to_string()),
        needs_interpreter: !speaks_spanish,
        same_sex_interviewer: women_only,
        consent_to_contact: adult && rng.random_bool(0.85),
        information_given: rng.random_bool(0.95),
        ..Default::default()
    };
    if adult && rng.random_bool(if speaks_spanish { 0.12 } else { 0.6 }) {
        let (ethnicity, religion) = identity(rng, nat, ctx.site);
        p.ethnicity = ethnicity.map(str::to_string);
        p.religion = religion.map(str::to_string);
    }
    p.languages = languages(rng, nat, d.age);
    p.documents = documents(rng, nat, d.age, ctx.registered_on);
    if ctx.is_focal {
        p.addresses = addresses(rng, ctx.site, nat);
    }
    if adult && rng.random_bool(if ctx.is_focal { 0.9 } else { 0.35 }) {
        p.phones.push(PhoneInput {
            number: format!(
                "+593 9{} {:03} {:04}",
                rng.random_range(5..10),
                rng.random_range(0..1000),
                rng.random_range(0..10_000)
            ),
            kind: "mobile".to_string(),
            consent_to_contact: p.consent_to_contact,
        });
    }
    p.specific_needs = specific_needs(rng, d, ctx);
    p
}

fn join_original(parts: &[Option<Name>]) -> Option<String> {
    let words: Vec<&str> = parts.iter().flatten().filter_map(|n| n.original).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Another spelling of the name, as found on some other document of the person.
fn alias(rng: &mut StdRng, d: &Draft) -> Option<String> {
    if d.given.variants.is_empty() || !rng.random_bool(0.2) {
        return None;
    }
    let family = d.family.map(|f| {
        if f.variants.is_empty() {
            f.latin
        } else {
            *pick(rng, f.variants)
        }
    });
    let given = *pick(rng, d.given.variants);
    Some(match family {
        Some(f) => format!("{given} {f}"),
        None => given.to_string(),
    })
}

fn pool_of(nat: &str) -> &'static NamePool {
    name_pools::pool(match nat {
        "AFG" => Nationality::Afghanistan,
        "SYR" => Nationality::Syria,
        "COL" | "PER" => Nationality::Colombia,
        _ => Nationality::Venezuela,
    })
}

fn given_name(rng: &mut StdRng, nat: &str, sex: &str) -> Name {
    let pool = pool_of(nat);
    *pick(
        rng,
        if sex == "F" {
            pool.given_female
        } else {
            pool.given_male
        },
    )
}

/// A family name; many Afghans have none.
fn family_name(rng: &mut StdRng, nat: &str, style: Naming) -> Option<Name> {
    if style == Naming::Afghan && rng.random_bool(0.35) {
        return None;
    }
    Some(*pick(rng, pool_of(nat).family))
}

fn birth_places(nat: &str) -> &'static [&'static str] {
    match nat {
        "VEN" => &[
            "Caracas",
            "Maracaibo",
            "Valencia",
            "Barquisimeto",
            "San Cristóbal",
            "Maracay",
            "Ciudad Guayana",
            "Barcelona",
            "Mérida",
            "Cumaná",
        ],
        "COL" => &[
            "Cali",
            "Pasto",
            "Tumaco",
            "Mocoa",
            "Popayán",
            "Cúcuta",
            "Medellín",
            "Bogotá",
            "Buenaventura",
            "Ipiales",
        ],
        "AFG" => &[
            "Kabul",
            "Herat",
            "Mazar-e-Sharif",
            "Kandahar",
            "Ghazni",
            "Jalalabad",
            "Bamiyan",
        ],
        "SYR" => &[
            "Aleppo",
            "Homs",
            "Damascus",
            "Idlib",
            "Hama",
            "Daraa",
            "Deir ez-Zor",
        ],
        "CUB" => &["La Habana", "Santiago de Cuba", "Camagüey", "Holguín"],
        "PER" => &["Lima", "Tumbes", "Piura", "Trujillo"],
        _ => &["—"],
    }
}

fn identity(
    rng: &mut StdRng,
    nat: &str,
    site: &Site,
) -> (Option<&'static str>, Option<&'static str>) {
    match nat {
        "AFG" => (
            Some(pick_weighted(
                rng,
                &[
                    ("Tayiko", 40),
                    ("Hazara", 30),
                    ("Pastún", 25),
                    ("Uzbeko", 5),
                ],
            )),
            Some(pick_weighted(
                rng,
                &[("Islam suní", 75), ("Islam chiíta", 25)],
            )),
        ),
        "SYR" => (
            Some(pick_weighted(
                rng,
                &[("Árabe", 85), ("Kurdo", 10), ("Armenio", 5)],
            )),
            Some(pick_weighted(
                rng,
                &[
                    ("Islam suní", 75),
                    ("Cristianismo", 15),
                    ("Islam alauí", 5),
                    ("Drusa", 5),
                ],
            )),
        ),
        "COL" if site.code == "ESM" => (
            Some(pick_weighted(
                rng,
                &[("Afrodescendiente", 70), ("Awá", 10), ("Mestizo", 20)],
            )),
            None,
        ),
        "COL" => (
            Some(pick_weighted(
                rng,
                &[("Mestizo", 80), ("Afrodescendiente", 12), ("Indígena", 8)],
            )),
            Some("Catolicismo"),
        ),
        "VEN" => (
            Some(pick_weighted(
                rng,
                &[("Mestizo", 88), ("Afrodescendiente", 8), ("Wayuu", 4)],
            )),
            Some(pick_weighted(
                rng,
                &[("Catolicismo", 70), ("Evangélica", 30)],
            )),
        ),
        _ => (None, Some("Catolicismo")),
    }
}

fn language(code: &str, kind: &str) -> LanguageInput {
    LanguageInput {
        language: code.to_string(),
        kind: kind.to_string(),
    }
}

fn languages(rng: &mut StdRng, nat: &str, age: i64) -> Vec<LanguageInput> {
    match nat {
        "AFG" => {
            let mother = if rng.random_bool(0.65) { "prs" } else { "pus" };
            let mut l = vec![
                language(mother, "mother_tongue"),
                language(mother, "interview"),
            ];
            if age >= 16 && rng.random_bool(0.2) {
                l.push(language("eng", "spoken"));
            }
            l
        }
        "SYR" => {
            let mut l = vec![
                language("apc", "mother_tongue"),
                language("ara", "interview"),
            ];
            if age >= 16 && rng.random_bool(0.15) {
                l.push(language("eng", "spoken"));
            }
            l
        }
        "VEN" if rng.random_bool(0.01) => {
            vec![language("guc", "mother_tongue"), language("spa", "spoken")]
        }
        "COL" if rng.random_bool(0.01) => {
            vec![language("kwi", "mother_tongue"), language("spa", "spoken")]
        }
        _ => vec![language("spa", "mother_tongue")],
    }
}

fn digits(rng: &mut StdRng, n: u32) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn documents(
    rng: &mut StdRng,
    nat: &str,
    age: i64,
    registered_on: NaiveDate,
) -> Vec<DocumentInput> {
    let mut docs = Vec::new();
    let issued = |rng: &mut StdRng, max_years: i64| {
        registered_on - Duration::days(rng.random_range(30..(max_years * 365).max(31)))
    };
    if age >= 18 {
        let id = match nat {
            "VEN" => Some((
                "cedula",
                format!("V-{}", rng.random_range(8_000_000..32_000_000)),
            )),
            "COL" => Some(("cedula", format!("10{}", digits(rng, 8)))),
            "PER" => Some(("national_id", digits(rng, 8))),
            "CUB" => Some(("national_id", digits(rng, 11))),
            "AFG" => Some((
                "national_id",
                format!("1400-{}-{}", digits(rng, 4), digits(rng, 5)),
            )),
            "SYR" => Some(("national_id", format!("0{}", digits(rng, 10)))),
            _ => None,
        };
        if let Some((kind, number)) = id
            && rng.random_bool(0.7)
        {
            docs.push(DocumentInput {
                document_type: kind.to_string(),
                number,
                issuing_country: Some(nat.to_string()),
                issued_on: Some(issued(rng, 15)),
                expires_on: None,
            });
        }
        if rng.random_bool(if nat == "VEN" || nat == "COL" {
            0.2
        } else {
            0.55
        }) {
            let letter = match nat {
                "SYR" => "N",
                "AFG" => "P",
                "CUB" => "K",
                _ => "",
            };
            let on = issued(rng, 12);
            docs.push(DocumentInput {
                document_type: "passport".to_string(),
                number: format!(
                    "{letter}{}",
                    digits(rng, if letter.is_empty() { 9 } else { 7 })
                ),
                issuing_country: Some(nat.to_string()),
                issued_on: Some(on),
                expires_on: Some(
                    on + Duration::days(if nat == "VEN" { 5 * 365 } else { 10 * 365 }),
                ),
            });
        }
    } else if rng.random_bool(0.55) {
        docs.push(DocumentInput {
            document_type: "birth_certificate".to_string(),
            number: digits(rng, 10),
            issuing_country: Some(nat.to_string()),
            issued_on: Some(registered_on - Duration::days(age * 365 + rng.random_range(0..200)))
                .filter(|d| *d < registered_on),
            expires_on: None,
        });
    }
    docs
}

fn addresses(rng: &mut StdRng, site: &Site, nat: &str) -> Vec<AddressInput> {
    let mut out = vec![AddressInput {
        kind: "current".to_string(),
        line: format!(
            "{} N{}-{} y {}, {}",
            pick(rng, ECUADOR_STREETS),
            rng.random_range(1..80),
            rng.random_range(10..300),
            pick(rng, ECUADOR_STREETS),
            pick(rng, site.neighbourhoods)
        ),
        city: Some(site.city.to_string()),
        province: Some(site.province.to_string()),
        country: "ECU".to_string(),
    }];
    if rng.random_bool(0.4) {
        out.push(AddressInput {
            kind: "origin".to_string(),
            line: format!("Sector {}", rng.random_range(1..40)),
            city: Some(pick(rng, birth_places(nat)).to_string()),
            province: None,
            country: nat.to_string(),
        });
    }
    out
}

fn need(code: &str, sub_code: &str, comments: Option<&str>) -> NeedInput {
    NeedInput {
        code: code.to_string(),
        sub_code: Some(sub_code.to_string()),
        comments: comments.map(str::to_string),
    }
}

const DISABILITIES: &[&str] = &["DS-BD", "DS-DF", "DS-PM", "DS-PS", "DS-MM", "DS-SD"];
const SGBV: &[&str] = &["SV-VF", "SV-VO", "SV-VA"];
const TORTURE: &[&str] = &["TR-WV", "TR-PI"];

/// Specific needs flagged at registration, in the proportions protection staff see: about one
/// person in six has at least one.
fn specific_needs(rng: &mut StdRng, d: &Draft, ctx: &MemberContext<'_>) -> Vec<NeedInput> {
    let mut out = Vec::new();
    let female = d.sex == "F";
    let fled_war = matches!(ctx.nat, "SYR" | "AFG" | "COL");
    if d.age < 18 && ctx.is_focal {
        out.push(need(
            "SC",
            if ctx.household_size == 1 {
                "SC-UC"
            } else {
                "SC-CH"
            },
            None,
        ));
    }
    if ctx.single_parent && rng.random_bool(0.35) {
        out.push(need("SP", "SP-PT", None));
    }
    if ctx.single_parent && female && rng.random_bool(0.12) {
        out.push(need("WR", "WR-SF", None));
    }
    if d.age >= 60 && rng.random_bool(0.4) {
        let sub = if ctx.household_size == 1 {
            "ER-NF"
        } else if rng.random_bool(0.3) {
            "ER-FR"
        } else {
            "ER-MC"
        };
        out.push(need("ER", sub, None));
    }
    if (6..18).contains(&d.age) && rng.random_bool(0.12) {
        out.push(need(
            "CR",
            "CR-NE",
            Some("Sin cupo escolar desde la llegada"),
        ));
    }
    if (12..18).contains(&d.age) && rng.random_bool(0.015) {
        out.push(need("CR", "CR-LO", None));
    }
    if female
        && (16..45).contains(&d.age)
        && d.relationship != "daughter"
        && ctx.youngest_child == Some(0)
        && rng.random_bool(0.3)
    {
        out.push(need("WR", "WR-LC", None));
    }
    if female && (15..45).contains(&d.age) && rng.random_bool(0.01) {
        out.push(need("SM", "SM-DP", Some("Control prenatal pendiente")));
    }
    if rng.random_bool(if d.age >= 50 { 0.08 } else { 0.02 }) {
        let comment = pick(
            rng,
            &[
                "Diabetes tipo 2, requiere insulina",
                "Hipertensión arterial",
                "VIH, en tratamiento antirretroviral",
                "Insuficiencia renal crónica",
            ],
        );
        out.push(need("SM", "SM-CI", Some(comment)));
    }
    if rng.random_bool(0.01) {
        let sub = *pick(rng, DISABILITIES);
        out.push(need("DS", sub, None));
    }
    if d.age >= 18 && rng.random_bool(if ctx.nat == "VEN" { 0.05 } else { 0.02 }) {
        out.push(need("LP", "LP-ND", None));
    }
    if d.age >= 18 && rng.random_bool(0.008) {
        out.push(need("LP", "LP-BN", None));
    }
    if d.age >= 16 && rng.random_bool(if female { 0.012 } else { 0.003 }) {
        let sub = *pick(rng, SGBV);
        out.push(need("SV", sub, None));
    }
    if d.age >= 18 && fled_war && rng.random_bool(if ctx.nat == "COL" { 0.006 } else { 0.04 }) {
        let sub = *pick(rng, TORTURE);
        out.push(need("TR", sub, None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::registration::GroupInput;
    use rand::SeedableRng;

    #[test]
    fn households_are_valid_registrations_with_realistic_families() {
        let mut rng = StdRng::seed_from_u64(11);
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let site = &DPIN.sites[0];
        let (mut people, mut groups, mut with_needs, mut with_documents, mut children) =
            (0usize, 0usize, 0usize, 0usize, 0usize);
        for i in 0..3000 {
            let nationality = CASELOAD[i % CASELOAD.len()].0;
            let size = household_size(&mut rng);
            let members = household(
                &mut rng,
                &HouseholdSpec {
                    nationality,
                    site,
                    size,
                    registered_on: today,
                },
            );
            assert_eq!(members.len(), size);
            let input = GroupInput { members };
            if let Err(e) = input.validate(today) {
                panic!("{nationality} household does not validate: {e}: {input:#?}");
            }
            let focal = &input.members[0];
            assert_eq!(focal.relationship, "focal_point");
            for m in &input.members {
                let p = &m.person;
                assert_eq!(
                    p.needs_interpreter,
                    matches!(nationality, "AFG" | "SYR"),
                    "{nationality}"
                );
                assert_eq!(
                    p.original_script_name.is_some(),
                    matches!(nationality, "AFG" | "SYR"),
                    "{p:?}"
                );
                match nationality {
                    "SYR" => assert!(
                        p.fathers_name.is_some()
                            && p.grandfathers_name.is_some()
                            && p.family_name.is_some()
                    ),
                    "COL" | "VEN" => {
                        assert!(p.family_name.is_some() && p.second_family_name.is_some())
                    }
                    _ => {}
                }
                let is_child = matches!(m.relationship.as_str(), "son" | "daughter");
                // Children carry their father's name: the focal point's when he is the father.
                if is_child && focal.person.sex.as_deref() == Some("M") {
                    match nationality {
                        "COL" | "VEN" | "PER" | "CUB" => {
                            assert_eq!(p.family_name, focal.person.family_name)
                        }
                        "SYR" | "AFG" => assert_eq!(
                            p.fathers_name.as_deref(),
                            Some(focal.person.given_names.as_str())
                        ),
                        _ => {}
                    }
                }
                people += 1;
                children += usize::from(
                    p.date_of_birth
                        .is_some_and(|d| today.years_since(d).unwrap_or(0) < 18),
                );
                with_needs += usize::from(!p.specific_needs.is_empty());
                with_documents += usize::from(!p.documents.is_empty());
            }
            groups += 1;
        }
        let mean = people as f64 / groups as f64;
        assert!((3.0..3.5).contains(&mean), "mean household size {mean}");
        let needs = with_needs as f64 / people as f64;
        assert!(
            (0.10..0.22).contains(&needs),
            "{needs} of people have a specific need"
        );
        let documents = with_documents as f64 / people as f64;
        assert!(
            (0.5..0.7).contains(&documents),
            "{documents} of people have a document"
        );
        let minors = children as f64 / people as f64;
        assert!(
            (0.3..0.5).contains(&minors),
            "{minors} of people are children"
        );
    }
}
