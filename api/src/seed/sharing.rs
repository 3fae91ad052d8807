//! The demo world's bridge between its units and UNHCR's resettlement work: the data sharing
//! agreement DPIN's admin recorded with UNHCR, referrals both ways (pending, accepted,
//! declined), the resettlement officer `unhcr.resettlement`, and resettlement cases at each step
//! of the procedure, one of them handed over from a protection case.

use chrono::{Days, NaiveDate};

use crate::auth::{password, scope_for};
use crate::domain::access::Role;
use crate::domain::resettlement::{Action, ExitReason, Priority, StateDecision};
use crate::domain::sharing::{Purpose, Terms};
use crate::error::{Error, Result};
use crate::store::resettlement::{self as rstore, NewResettlementCase};
use crate::store::sharing::{self as sstore, ConsentChoice, NewAgreement, NewReferral};
use crate::store::users::{self, NewUser, User};
use crate::store::{DbConn, Scope};

/// The resettlement officer's username.
pub const RESETTLEMENT_USER: &str = "unhcr.resettlement";

/// What the bridge added.
#[derive(Debug, Clone, Default)]
pub struct SharingSummary {
    pub agreements: usize,
    pub referrals: usize,
    pub resettlement_cases: usize,
}

/// The staff who act in this part of the world.
pub struct Actors {
    pub dpin_admin: Scope,
    pub dpin_officer: Scope,
    pub dpin_supervisor: Scope,
    pub unhcr_protection: Scope,
    pub unhcr_supervisor: Scope,
}

/// Creates `unhcr.resettlement` (password `password_hash`) in UNHCR's Quito office.
pub fn resettlement_user(
    conn: &mut DbConn,
    unhcr_unit: &str,
    quito: &str,
    password_hash: &str,
) -> Result<User> {
    users::create_user(
        conn,
        NewUser {
            unit_id: unhcr_unit,
            office_id: Some(quito),
            username: RESETTLEMENT_USER,
            display_name: "Tomás Guerrero",
            password_hash: Some(password_hash),
            roles: Role::ResettlementOfficer.as_str(),
            scope_level: "unit",
        },
    )
}

/// The hash of the demo password for the one user this part adds.
pub fn password_hash(pw: &str) -> Result<String> {
    password::hash(pw)
}

fn day(today: NaiveDate, back: u64) -> NaiveDate {
    today - Days::new(back)
}

/// The agreement, the referrals and the resettlement cases. `dpin_people` are DPIN individuals
/// of the officer's office; `unhcr_people` UNHCR's; `protection_case` one of UNHCR's open
/// protection cases (with its principal) to hand over.
pub fn world(
    conn: &mut DbConn,
    who: &Actors,
    resettlement: &User,
    dpin_people: &[String],
    unhcr_people: &[String],
    protection_case: Option<(String, String)>,
) -> Result<SharingSummary> {
    let mut out = SharingSummary::default();
    let today = crate::store::protection::today(conn, &who.dpin_admin)?;
    let fields = |f: &[&str]| f.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let agreement = sstore::record_agreement(
        conn,
        &who.dpin_admin,
        &NewAgreement {
            partner_unit_code: "UNHCR".into(),
            title: "Acuerdo de intercambio de datos DPIN–ACNUR 2026".into(),
            terms: Terms {
                purposes: vec![
                    Purpose {
                        code: "assistance".into(),
                        fields: fields(&[
                            "given_names",
                            "family_name",
                            "sex",
                            "date_of_birth",
                            "nationalities",
                        ]),
                    },
                    Purpose {
                        code: "resettlement".into(),
                        fields: fields(&[
                            "individual_number",
                            "given_names",
                            "family_name",
                            "second_family_name",
                            "sex",
                            "date_of_birth",
                            "nationalities",
                            "country_of_origin",
                            "marital_status",
                        ]),
                    },
                    Purpose {
                        code: "asylum".into(),
                        fields: fields(&[
                            "given_names",
                            "family_name",
                            "sex",
                            "date_of_birth",
                            "nationalities",
                            "country_of_origin",
                        ]),
                    },
                ],
                valid_from: day(today, 180),
                valid_until: today + Days::new(365),
            },
        },
    )?;
    out.agreements = 1;
    let person = |list: &[String], i: usize| {
        list.get(i)
            .cloned()
            .ok_or_else(|| Error::internal("the demo world has too few people to refer"))
    };
    let refer =
        |conn: &mut DbConn, scope: &Scope, individual: String, purpose: &str, note: &str| {
            sstore::refer(
                conn,
                scope,
                &NewReferral {
                    individual_id: individual,
                    agreement_id: agreement.clone(),
                    purpose: purpose.into(),
                    consent: Some(ConsentChoice::GivenNow {
                        given_by: "la persona".into(),
                        given_on: today,
                    }),
                    fields: Vec::new(),
                    note: Some(note.into()),
                },
            )
        };
    // DPIN to UNHCR: one waiting in UNHCR's queue, one accepted (registered by UNHCR).
    refer(
        conn,
        &who.dpin_officer,
        person(dpin_people, 0)?,
        "assistance",
        "Refugiada reconocida; familia sin ingresos desde hace dos meses.",
    )?;
    let accepted = refer(
        conn,
        &who.dpin_officer,
        person(dpin_people, 1)?,
        "resettlement",
        "Refugiado reconocido con amenazas persistentes en Ecuador.",
    )?;
    sstore::accept(conn, &who.unhcr_supervisor, &accepted.id, 1, None)?;
    // UNHCR to DPIN: one waiting in DPIN's queue, one declined.
    refer(
        conn,
        &who.unhcr_protection,
        person(unhcr_people, 0)?,
        "asylum",
        "Desea solicitar asilo; llegó hace tres semanas.",
    )?;
    let declined = refer(
        conn,
        &who.unhcr_protection,
        person(unhcr_people, 1)?,
        "asylum",
        "Pidió orientación sobre la solicitud de asilo.",
    )?;
    sstore::decline(
        conn,
        &who.dpin_supervisor,
        &declined.id,
        1,
        "Ya tiene una solicitud en trámite en Guayaquil.",
    )?;
    out.referrals = 4;

    let officer = scope_for(resettlement, "seed")?;
    let open = |conn: &mut DbConn, principal: String, cats: &[&str], priority, summary: &str| {
        rstore::open(
            conn,
            &officer,
            &NewResettlementCase {
                principal_id: principal,
                member_ids: Vec::new(),
                categories: cats.iter().map(|c| c.to_string()).collect(),
                priority,
                summary: summary.into(),
                protection_case_id: None,
            },
        )
    };
    let assess = Action::RecordAssessment {
        summary: "Cumple los criterios de la categoría; no hay perspectiva de integración local."
            .into(),
    };
    let approve = Action::ReviewAssessment {
        approve: true,
        note: None,
    };
    let submit = |n: u32| Action::Submit {
        state: if n.is_multiple_of(2) { "CAN" } else { "ESP" }.into(),
        submitted_on: today,
        dossier_reference: format!("ECU-RST-26-{n:03}"),
    };
    // Each case walks from identification: (steps by the officer, then by the supervisor...).
    let walk = |conn: &mut DbConn, id: &str, steps: Vec<(bool, Action)>| -> Result<()> {
        for (i, (by_supervisor, a)) in steps.into_iter().enumerate() {
            let scope = if by_supervisor {
                &who.unhcr_supervisor
            } else {
                &officer
            };
            rstore::act(conn, scope, id, i32::try_from(i + 1).unwrap_or(i32::MAX), a)?;
        }
        Ok(())
    };
    let specs: [(&[&str], Priority, &str, usize); 8] = [
        (
            &["LPN"],
            Priority::Urgent,
            "Amenazas de un grupo armado que la siguió desde Nariño.",
            0,
        ),
        (
            &["AWR", "LPN"],
            Priority::Normal,
            "Mujer sola con hijas, hostigada en el barrio.",
            1,
        ),
        (
            &["CAR"],
            Priority::Normal,
            "Adolescente en riesgo de reclutamiento.",
            2,
        ),
        (
            &["LAS"],
            Priority::Normal,
            "Sin soluciones duraderas alternativas previsibles.",
            3,
        ),
        (
            &["FAM"],
            Priority::Normal,
            "Reunificación con su esposo reasentado en Canadá.",
            4,
        ),
        (
            &["SVT"],
            Priority::Urgent,
            "Sobreviviente de tortura; necesita tratamiento especializado.",
            5,
        ),
        (
            &["MED"],
            Priority::Emergency,
            "Enfermedad que no puede tratarse en Ecuador.",
            6,
        ),
        (
            &["LPN"],
            Priority::Normal,
            "Amenazas; la familia encontró otra solución.",
            7,
        ),
    ];
    for (n, (cats, priority, summary, k)) in specs.into_iter().enumerate() {
        let who_ = person(unhcr_people, k % unhcr_people.len().max(1))?;
        let id = open(conn, who_, cats, priority, summary)?;
        let n = u32::try_from(n).unwrap_or(0);
        let steps: Vec<(bool, Action)> = match k {
            0 => vec![],
            1 => vec![(false, assess.clone())],
            2 => vec![(false, assess.clone()), (true, approve.clone())],
            3 => vec![
                (false, assess.clone()),
                (true, approve.clone()),
                (false, submit(n)),
            ],
            4 => vec![
                (false, assess.clone()),
                (true, approve.clone()),
                (false, submit(n)),
                (
                    false,
                    Action::RecordInterview {
                        interviewed_on: today,
                    },
                ),
            ],
            5 => vec![
                (false, assess.clone()),
                (true, approve.clone()),
                (false, submit(n)),
                (
                    false,
                    Action::RecordDecision {
                        decision: StateDecision::Accepted,
                        decided_on: today,
                    },
                ),
            ],
            6 => vec![
                (false, assess.clone()),
                (true, approve.clone()),
                (false, submit(n)),
                (
                    false,
                    Action::RecordDecision {
                        decision: StateDecision::Accepted,
                        decided_on: today,
                    },
                ),
                (false, Action::RecordDeparture { departed_on: today }),
            ],
            _ => vec![(
                false,
                Action::Exit {
                    reason: ExitReason::OtherDurableSolution,
                    note: Some("Integración local con empleo formal.".into()),
                },
            )],
        };
        walk(conn, &id, steps)?;
        out.resettlement_cases += 1;
    }
    if let Some((pc, principal)) = protection_case {
        rstore::open(
            conn,
            &who.unhcr_protection,
            &NewResettlementCase {
                principal_id: principal,
                member_ids: Vec::new(),
                categories: vec!["AWR".into()],
                priority: Priority::Urgent,
                summary:
                    "Riesgo persistente pese al plan de protección; se propone reasentamiento."
                        .into(),
                protection_case_id: Some(pc),
            },
        )?;
        out.resettlement_cases += 1;
    }
    Ok(out)
}

/// An open protection case of `unit` in `category`, with its principal: the family handed over.
pub fn open_protection_case(
    conn: &mut DbConn,
    unit: &str,
    category: &str,
) -> Result<Option<(String, String)>> {
    use crate::store::schema::protection_cases as p;
    use diesel::prelude::*;
    Ok(p::table
        .filter(p::operation_unit_id.eq(unit))
        .filter(p::category.eq(category))
        .filter(p::status.eq("open"))
        .select((p::id, p::principal_id))
        .first(conn)
        .optional()?)
}
