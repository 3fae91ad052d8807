//! Sharing between operation units: data sharing agreements (recorded by a unit admin, read by
//! both units), consent records, and referrals. A referral row belongs to the receiving unit and
//! holds exactly the fields its agreement let it carry; the sending unit reads only its
//! reference, purpose, status and dates. Every referral and every field shared is audited in
//! both units; the biometric referrals of enrolment sit in the same table (kind `biometric`).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::audit::{self, Actor as AuditActor, Entry, Outcome, Reads};
use super::db::DbConn;
use super::feed;
use super::registry::record_event;
use super::rows::IndividualRow;
use super::schema::{consents, individuals, operation_units, referrals, sharing_agreements};
use super::scope::Scope;
use super::{new_id, now};
use crate::domain::access::Permission;
use crate::domain::events::RecordEvent;
use crate::domain::feed::{Change, RecordKind};
use crate::domain::registration::{FOCAL_POINT, GroupInput, MemberInput, PersonInput};
use crate::domain::sharing::{self, Consent, NOTE_MAX, PURPOSES, Problem, Purpose, Terms};
use crate::error::{Error, Reason, Result};

/// A stored agreement.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sharing_agreements)]
pub struct AgreementRow {
    pub id: String,
    pub unit_id: String,
    pub partner_unit_id: String,
    pub title: String,
    pub purposes: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub recorded_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An agreement as read: the row, its terms and both units' codes.
#[derive(Debug, Clone)]
pub struct Agreement {
    pub row: AgreementRow,
    pub terms: Terms,
    pub unit_code: String,
    pub partner_code: String,
}

/// A stored consent.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = consents)]
pub struct ConsentRow {
    pub id: String,
    pub operation_unit_id: String,
    pub individual_id: String,
    pub given_by: String,
    pub given_on: NaiveDate,
    pub purposes: String,
    pub recorded_by: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ConsentRow {
    pub fn consent(&self) -> Consent {
        Consent {
            given_by: self.given_by.clone(),
            given_on: self.given_on,
            purposes: self.purposes.split(',').map(str::to_string).collect(),
            withdrawn_on: self.withdrawn_on,
        }
    }
}

/// A stored referral.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = referrals)]
pub struct ReferralRow {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub operation_unit_id: String,
    pub from_unit_id: String,
    pub agreement_id: Option<String>,
    pub purpose: Option<String>,
    pub consent_id: Option<String>,
    pub individual_id: Option<String>,
    pub shared: String,
    pub note: Option<String>,
    pub status: String,
    pub decline_reason: Option<String>,
    pub receiving_individual_id: Option<String>,
    pub referred_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which side of a referral the caller's unit is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Received,
    Sent,
}

/// A referral as its reader may see it: the receiving unit sees the fields carried (unless the
/// consent was withdrawn before it decided) and its own answer; the sending unit sees only the
/// outcome and its own person.
#[derive(Debug, Clone)]
pub struct Referral {
    pub row: ReferralRow,
    pub direction: Direction,
    /// The other unit's code.
    pub other_unit: String,
    /// The fields carried, in the agreement's order; empty for the sender or after withdrawal.
    pub shared: Vec<(String, String)>,
    /// The consent was withdrawn: nothing more is shared.
    pub consent_withdrawn: bool,
}

pub const PENDING: &str = "pending";
pub const ACCEPTED: &str = "accepted";
pub const DECLINED: &str = "declined";

/// What an admin records.
#[derive(Debug, Clone)]
pub struct NewAgreement {
    pub partner_unit_code: String,
    pub title: String,
    pub terms: Terms,
}

fn problem(p: Problem) -> Error {
    Error::invalid(format!("input.{}", p.field), p.reason, p.message)
}

fn unit_code(conn: &mut DbConn, id: &str) -> Result<String> {
    Ok(operation_units::table
        .find(id)
        .select(operation_units::code)
        .first(conn)?)
}

/// Records an agreement between the caller's unit and another; both units' trails name it.
pub fn record_agreement(conn: &mut DbConn, scope: &Scope, new: &NewAgreement) -> Result<String> {
    scope.require(Permission::ManageAgreements)?;
    let code = new.partner_unit_code.trim().to_uppercase();
    let partner: Option<String> = operation_units::table
        .filter(operation_units::code.eq(&code))
        .select(operation_units::id)
        .first(conn)
        .optional()?;
    let partner = partner.ok_or_else(|| {
        Error::validation("input.partnerUnitCode", "no operation unit has this code")
    })?;
    if partner == scope.unit_id() {
        return Err(Error::validation(
            "input.partnerUnitCode",
            "an agreement is with another unit",
        ));
    }
    let title = new.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(Error::invalid(
            "input.title",
            if title.is_empty() {
                Reason::Required
            } else {
                Reason::TooLong { max: 200 }
            },
            "the agreement needs a title of at most 200 characters",
        ));
    }
    let terms = new.terms.clone().checked().map_err(problem)?;
    let purposes = serde_json::to_string(&terms.purposes)
        .map_err(|e| Error::internal(format!("cannot store the purposes: {e}")))?;
    let id = new_id();
    let at = now();
    diesel::insert_into(sharing_agreements::table)
        .values((
            sharing_agreements::id.eq(&id),
            sharing_agreements::unit_id.eq(scope.unit_id()),
            sharing_agreements::partner_unit_id.eq(&partner),
            sharing_agreements::title.eq(title),
            sharing_agreements::purposes.eq(purposes),
            sharing_agreements::valid_from.eq(terms.valid_from),
            sharing_agreements::valid_until.eq(terms.valid_until),
            sharing_agreements::recorded_by.eq(scope.user_id()),
            sharing_agreements::version.eq(1),
            sharing_agreements::created_at.eq(at),
            sharing_agreements::updated_at.eq(at),
        ))
        .execute(conn)?;
    let mine = AuditActor::from(scope);
    let theirs = AuditActor {
        unit_id: Some(partner),
        ..AuditActor::default()
    };
    let told = [Entry {
        detail: Some(format!("recorded by the unit {}", scope.unit_id())),
        ..Entry::ok("agreement_recorded", "sharing_agreement", &id)
    }];
    audit::append_batch(
        conn,
        &[
            (&mine, &[Entry::ok("create", "sharing_agreement", &id)][..]),
            (&theirs, &told[..]),
        ],
    )?;
    Ok(id)
}

/// Agreements the caller's unit is party to, latest first.
pub fn agreements(conn: &mut DbConn, scope: &Scope) -> Result<Vec<Agreement>> {
    if !(scope.grants().can(Permission::ManageAgreements)
        || scope.grants().can(Permission::ReferPersons))
    {
        scope.require(Permission::ReferPersons)?;
    }
    let rows: Vec<AgreementRow> = sharing_agreements::table
        .filter(
            sharing_agreements::unit_id
                .eq(scope.unit_id())
                .or(sharing_agreements::partner_unit_id.eq(scope.unit_id())),
        )
        .order((
            sharing_agreements::created_at.desc(),
            sharing_agreements::id,
        ))
        .select(AgreementRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|r| agreement(conn, r)).collect()
}

fn agreement(conn: &mut DbConn, row: AgreementRow) -> Result<Agreement> {
    let purposes: Vec<Purpose> = serde_json::from_str(&row.purposes)
        .map_err(|e| Error::internal(format!("the agreement {} cannot be read: {e}", row.id)))?;
    let terms = Terms {
        purposes,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
    };
    let unit_code = unit_code(conn, &row.unit_id)?;
    let partner_code = unit_code_of(conn, &row.partner_unit_id)?;
    Ok(Agreement {
        row,
        terms,
        unit_code,
        partner_code,
    })
}

fn unit_code_of(conn: &mut DbConn, id: &str) -> Result<String> {
    unit_code(conn, id)
}

/// What a consent record says.
#[derive(Debug, Clone)]
pub struct NewConsent {
    pub individual_id: String,
    pub given_by: String,
    pub given_on: NaiveDate,
    pub purposes: Vec<String>,
}

fn visible_individual(conn: &mut DbConn, scope: &Scope, id: &str, field: &str) -> Result<()> {
    individuals::table
        .filter(individuals::id.eq(id))
        .filter(scope.individuals())
        .select(individuals::id)
        .first::<String>(conn)
        .optional()?
        .map(|_| ())
        .ok_or_else(|| Error::validation(field, "no individual with this id in your scope"))
}

/// Records a person's consent to be referred; returns its id.
pub fn record_consent(conn: &mut DbConn, scope: &Scope, new: &NewConsent) -> Result<String> {
    scope.require(Permission::ReferPersons)?;
    visible_individual(conn, scope, &new.individual_id, "input.individualId")?;
    let given_by = new.given_by.trim();
    if given_by.is_empty() || given_by.chars().count() > 200 {
        return Err(Error::invalid(
            "input.givenBy",
            if given_by.is_empty() {
                Reason::Required
            } else {
                Reason::TooLong { max: 200 }
            },
            "say who consented (the person, or a parent or guardian), in at most 200 characters",
        ));
    }
    let today = super::protection::today(conn, scope)?;
    if new.given_on > today {
        return Err(Error::invalid(
            "input.givenOn",
            Reason::InFuture,
            "consent is recorded once given",
        ));
    }
    let mut purposes: Vec<String> = Vec::new();
    for p in &new.purposes {
        let p = p.trim().to_lowercase();
        if !PURPOSES.contains(&p.as_str()) {
            return Err(Error::invalid(
                "input.purposes",
                Reason::UnknownCode {
                    vocabulary: "referral_purposes".into(),
                    value: p,
                },
                "not a referral purpose",
            ));
        }
        if !purposes.contains(&p) {
            purposes.push(p);
        }
    }
    if purposes.is_empty() {
        return Err(Error::invalid(
            "input.purposes",
            Reason::TooFew { min: 1 },
            "name what the person consented to",
        ));
    }
    let id = new_id();
    let at = now();
    diesel::insert_into(consents::table)
        .values((
            consents::id.eq(&id),
            consents::operation_unit_id.eq(scope.unit_id()),
            consents::individual_id.eq(&new.individual_id),
            consents::given_by.eq(given_by),
            consents::given_on.eq(new.given_on),
            consents::purposes.eq(purposes.join(",")),
            consents::recorded_by.eq(scope.user_id()),
            consents::version.eq(1),
            consents::created_at.eq(at),
            consents::updated_at.eq(at),
        ))
        .execute(conn)?;
    let event = serde_json::to_value(RecordEvent::ConsentGiven {
        consent_id: id.clone(),
        given_by: given_by.to_string(),
        purposes,
    })
    .map_err(|e| Error::internal(format!("cannot store the consent event: {e}")))?;
    record_event(
        conn,
        scope,
        "individual",
        &new.individual_id,
        "consent_given",
        event,
    )?;
    audit::append(
        conn,
        &AuditActor::from(scope),
        &[Entry::ok("create", "consent", &id)],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::create(RecordKind::Consent, &id)],
    )?;
    Ok(id)
}

/// Withdraws a consent (version checked): nothing more is shared under it, and referrals not yet
/// answered stop showing what they carried.
pub fn withdraw_consent(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    version: i32,
) -> Result<ConsentRow> {
    scope.require(Permission::ReferPersons)?;
    let row = consent(conn, scope, id)?;
    if row.withdrawn_on.is_some() {
        return Err(Error::validation(
            "input.consentId",
            "the consent is already withdrawn",
        ));
    }
    if row.version != version {
        return Err(Error::conflict(format!(
            "the consent was changed by someone else (you had version {version}, it is now {}); reload and try again",
            row.version
        )));
    }
    let today = super::protection::today(conn, scope)?;
    let at = now();
    let changed = diesel::update(
        consents::table
            .filter(consents::id.eq(id))
            .filter(consents::version.eq(version)),
    )
    .set((
        consents::withdrawn_on.eq(today),
        consents::withdrawn_by.eq(scope.user_id()),
        consents::version.eq(version + 1),
        consents::updated_at.eq(at),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(Error::conflict(
            "the consent was changed at the same moment; reload and try again",
        ));
    }
    let event = serde_json::to_value(RecordEvent::ConsentWithdrawn {
        consent_id: id.to_string(),
    })
    .map_err(|e| Error::internal(format!("cannot store the consent event: {e}")))?;
    record_event(
        conn,
        scope,
        "individual",
        &row.individual_id,
        "consent_withdrawn",
        event,
    )?;
    // The units holding referrals not yet answered under this consent are told.
    let pending: Vec<(String, String)> = referrals::table
        .filter(referrals::consent_id.eq(id))
        .filter(referrals::status.eq(PENDING))
        .select((referrals::id, referrals::operation_unit_id))
        .load(conn)?;
    let mine = AuditActor::from(scope);
    let mut batch_theirs: Vec<(AuditActor, Vec<Entry>)> = Vec::new();
    for (rid, unit) in &pending {
        batch_theirs.push((
            AuditActor {
                unit_id: Some(unit.clone()),
                ..AuditActor::default()
            },
            vec![Entry {
                detail: Some("the person withdrew consent; the fields carried are withheld".into()),
                ..Entry::ok("consent_withdrawn", "referral", rid)
            }],
        ));
    }
    let own = [Entry::ok("withdraw_consent", "consent", id)];
    let mut batch: Vec<(&AuditActor, &[Entry])> = vec![(&mine, &own[..])];
    for (a, e) in &batch_theirs {
        batch.push((a, e.as_slice()));
    }
    audit::append_batch(conn, &batch)?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::update(RecordKind::Consent, id, version + 1)],
    )?;
    for (rid, unit) in &pending {
        let v: i32 = referrals::table
            .find(rid)
            .select(referrals::version)
            .first(conn)?;
        diesel::update(referrals::table.find(rid))
            .set((referrals::version.eq(v + 1), referrals::updated_at.eq(at)))
            .execute(conn)?;
        feed::record(
            conn,
            unit,
            &[Change::update(RecordKind::Referral, rid, v + 1)],
        )?;
    }
    consent(conn, scope, id)
}

/// One consent of a person the caller may see.
pub fn consent(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<ConsentRow> {
    let row: ConsentRow = consents::table
        .filter(consents::id.eq(id))
        .filter(consents::operation_unit_id.eq(scope.unit_id()))
        .select(ConsentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("consent"))?;
    visible_individual(conn, scope, &row.individual_id, "input.consentId")
        .map_err(|_| Error::not_found("consent"))?;
    Ok(row)
}

/// A person's consents, latest first.
pub fn consents_of(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    individual_id: &str,
) -> Result<Vec<ConsentRow>> {
    scope.require(Permission::ReferPersons)?;
    visible_individual(conn, scope, individual_id, "individualId")
        .map_err(|_| Error::not_found("individual"))?;
    let rows: Vec<ConsentRow> = consents::table
        .filter(consents::individual_id.eq(individual_id))
        .filter(consents::operation_unit_id.eq(scope.unit_id()))
        .order((consents::created_at.desc(), consents::id))
        .select(ConsentRow::as_select())
        .load(conn)?;
    reads.record("consent", rows.iter().map(|r| r.id.clone()));
    Ok(rows)
}

/// The consent a referral rests on: one already recorded, or one given now.
#[derive(Debug, Clone)]
pub enum ConsentChoice {
    Recorded(String),
    GivenNow {
        given_by: String,
        given_on: NaiveDate,
    },
}

/// What a caseworker sends to refer a person.
#[derive(Debug, Clone)]
pub struct NewReferral {
    pub individual_id: String,
    pub agreement_id: String,
    pub purpose: String,
    pub consent: Option<ConsentChoice>,
    /// Fields asked for; empty: every field the purpose carries.
    pub fields: Vec<String>,
    pub note: Option<String>,
}

/// What a referral sent returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sent {
    pub id: String,
    pub reference: String,
}

fn new_reference(prefix: &str) -> String {
    let mut b = [0u8; 5];
    rand::rng().fill_bytes(&mut b);
    format!("{prefix}-{}", hex::encode_upper(b))
}

/// The value of one shareable field of a person.
fn field_value(p: &IndividualRow, field: &str) -> Option<String> {
    match field {
        "individual_number" => Some(p.individual_number.clone()),
        "given_names" => Some(p.given_names.clone()),
        "family_name" => p.family_name.clone(),
        "second_family_name" => p.second_family_name.clone(),
        "sex" => p.sex.clone(),
        "date_of_birth" => p.date_of_birth.map(|d| d.to_string()),
        "nationalities" => Some(p.nationalities.clone()).filter(|n| !n.is_empty()),
        "country_of_origin" => p.country_of_origin.clone(),
        "marital_status" => p.marital_status.clone(),
        _ => None,
    }
}

/// Refers a person of the caller's scope to the other unit of an agreement: the agreement must
/// be in force and cover the purpose, the consent must stand, and only fields the purpose
/// carries travel. Audited in both units, field by field.
pub fn refer(conn: &mut DbConn, scope: &Scope, new: &NewReferral) -> Result<Sent> {
    scope.require(Permission::ReferPersons)?;
    let person: IndividualRow = individuals::table
        .filter(individuals::id.eq(&new.individual_id))
        .filter(scope.individuals())
        .select(IndividualRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            Error::validation(
                "input.individualId",
                "no individual with this id in your scope",
            )
        })?;
    let row: AgreementRow = sharing_agreements::table
        .filter(sharing_agreements::id.eq(&new.agreement_id))
        .filter(
            sharing_agreements::unit_id
                .eq(scope.unit_id())
                .or(sharing_agreements::partner_unit_id.eq(scope.unit_id())),
        )
        .select(AgreementRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            Error::invalid(
                "input.agreementId",
                Reason::Unspecified,
                "your unit is party to no agreement with this id",
            )
        })?;
    let to_unit = if row.unit_id == scope.unit_id() {
        row.partner_unit_id.clone()
    } else {
        row.unit_id.clone()
    };
    let agreement = agreement(conn, row)?;
    let today = super::protection::today(conn, scope)?;
    let purpose = new.purpose.trim().to_lowercase();
    let fields: Vec<String> = new.fields.iter().map(|f| f.trim().to_lowercase()).collect();
    let note = new
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(Error::invalid(
            "input.note",
            Reason::TooLong { max: NOTE_MAX },
            "the note is too long",
        ));
    }
    // Check what can be checked before a consent given now is recorded.
    let existing = match &new.consent {
        Some(ConsentChoice::Recorded(id)) => {
            let c = consent(conn, scope, id)
                .map_err(|_| Error::validation("input.consentId", "no consent with this id"))?;
            if c.individual_id != person.id {
                return Err(Error::validation(
                    "input.consentId",
                    "this consent is another person's",
                ));
            }
            Some(c)
        }
        _ => None,
    };
    let probe = match (&new.consent, &existing) {
        (Some(ConsentChoice::GivenNow { given_by, given_on }), _) => Some(Consent {
            given_by: given_by.clone(),
            given_on: *given_on,
            purposes: vec![purpose.clone()],
            withdrawn_on: None,
        }),
        (_, Some(c)) => Some(c.consent()),
        _ => None,
    };
    let carried =
        sharing::check_referral(&agreement.terms, probe.as_ref(), &purpose, &fields, today)
            .map_err(problem)?;
    let consent_id = match (&new.consent, existing) {
        (Some(ConsentChoice::GivenNow { given_by, given_on }), _) => record_consent(
            conn,
            scope,
            &NewConsent {
                individual_id: person.id.clone(),
                given_by: given_by.clone(),
                given_on: *given_on,
                purposes: vec![purpose.clone()],
            },
        )?,
        (_, Some(c)) => c.id,
        _ => {
            return Err(Error::internal(
                "a referral without consent passed the check",
            ));
        }
    };
    let shared: BTreeMap<String, String> = carried
        .iter()
        .filter_map(|f| field_value(&person, f).map(|v| (f.clone(), v)))
        .collect();
    let shared_json = serde_json::to_string(&shared)
        .map_err(|e| Error::internal(format!("cannot store the referral: {e}")))?;
    let id = new_id();
    let reference = new_reference("RF");
    let at = now();
    diesel::insert_into(referrals::table)
        .values((
            referrals::id.eq(&id),
            referrals::reference.eq(&reference),
            referrals::kind.eq("referral"),
            referrals::operation_unit_id.eq(&to_unit),
            referrals::from_unit_id.eq(scope.unit_id()),
            referrals::agreement_id.eq(&agreement.row.id),
            referrals::purpose.eq(&purpose),
            referrals::consent_id.eq(&consent_id),
            referrals::individual_id.eq(&person.id),
            referrals::shared.eq(shared_json),
            referrals::note.eq(&note),
            referrals::status.eq(PENDING),
            referrals::referred_by.eq(scope.user_id()),
            referrals::version.eq(1),
            referrals::created_at.eq(at),
            referrals::updated_at.eq(at),
        ))
        .execute(conn)?;
    let event = serde_json::to_value(RecordEvent::Referred {
        referral_id: id.clone(),
        reference: reference.clone(),
        purpose: purpose.clone(),
        fields: shared.keys().cloned().collect(),
    })
    .map_err(|e| Error::internal(format!("cannot store the referral event: {e}")))?;
    record_event(conn, scope, "individual", &person.id, "referred", event)?;
    let to_code = unit_code(conn, &to_unit)?;
    let from_code = unit_code(conn, scope.unit_id())?;
    let mut mine = vec![Entry::ok("refer", "referral", &id)];
    let mut theirs = vec![Entry {
        detail: Some(format!(
            "referral {reference} received from {from_code} for {purpose}"
        )),
        ..Entry::ok("referral_received", "referral", &id)
    }];
    for f in shared.keys() {
        mine.push(Entry {
            detail: Some(format!(
                "{f} shared with {to_code} under referral {reference}"
            )),
            ..Entry::ok("share_field", "individual", &person.id)
        });
        theirs.push(Entry {
            detail: Some(format!(
                "{f} received from {from_code} under referral {reference}"
            )),
            ..Entry::ok("field_received", "referral", &id)
        });
    }
    let receiver = AuditActor {
        unit_id: Some(to_unit.clone()),
        ..AuditActor::default()
    };
    audit::append_batch(
        conn,
        &[
            (&AuditActor::from(scope), &mine[..]),
            (&receiver, &theirs[..]),
        ],
    )?;
    feed::record(conn, &to_unit, &[Change::create(RecordKind::Referral, &id)])?;
    Ok(Sent { id, reference })
}

/// A biometric possible duplicate in another unit joins that unit's referral queue: nothing is
/// shared, and the receiving unit's own enrolled person is named. Called by enrolment in its
/// transaction, with the id and reference of its `biometric_referrals` row.
pub fn biometric(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    reference: &str,
    to_unit: &str,
    their_individual: &str,
) -> Result<()> {
    let at = now();
    diesel::insert_into(referrals::table)
        .values((
            referrals::id.eq(id),
            referrals::reference.eq(reference),
            referrals::kind.eq("biometric"),
            referrals::operation_unit_id.eq(to_unit),
            referrals::from_unit_id.eq(scope.unit_id()),
            referrals::shared.eq("{}"),
            referrals::status.eq(PENDING),
            referrals::receiving_individual_id.eq(their_individual),
            referrals::referred_by.eq(scope.user_id()),
            referrals::version.eq(1),
            referrals::created_at.eq(at),
            referrals::updated_at.eq(at),
        ))
        .execute(conn)?;
    let receiver = AuditActor {
        unit_id: Some(to_unit.to_string()),
        ..AuditActor::default()
    };
    audit::append(
        conn,
        &receiver,
        &[Entry {
            detail: Some(format!(
                "biometric referral {reference}: a person enrolled in another unit may be this unit's"
            )),
            ..Entry::ok("referral_received", "referral", id)
        }],
    )?;
    feed::record(conn, to_unit, &[Change::create(RecordKind::Referral, id)])
}

fn referral_view(conn: &mut DbConn, scope: &Scope, row: ReferralRow) -> Result<Referral> {
    let direction = if row.operation_unit_id == scope.unit_id() {
        Direction::Received
    } else {
        Direction::Sent
    };
    let other = match direction {
        Direction::Received => row.from_unit_id.clone(),
        Direction::Sent => row.operation_unit_id.clone(),
    };
    let other_unit = unit_code(conn, &other)?;
    let consent_withdrawn = match &row.consent_id {
        Some(c) => consents::table
            .find(c)
            .select(consents::withdrawn_on)
            .first::<Option<NaiveDate>>(conn)
            .optional()?
            .flatten()
            .is_some(),
        None => false,
    };
    // After withdrawal nothing more is shared: a referral not yet answered stops showing what
    // it carried (one accepted before keeps what the receiving unit recorded in its own record).
    let shows = direction == Direction::Received && !(consent_withdrawn && row.status == PENDING);
    let shared = if shows {
        let map: BTreeMap<String, String> = serde_json::from_str(&row.shared).map_err(|e| {
            Error::internal(format!(
                "the referral {} cannot be read: {e}",
                row.reference
            ))
        })?;
        sharing::FIELDS
            .iter()
            .filter_map(|f| map.get(*f).map(|v| (f.to_string(), v.clone())))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Referral {
        row,
        direction,
        other_unit,
        shared,
        consent_withdrawn,
    })
}

/// A page of referrals received by or sent from the caller's unit, latest first, and whether
/// more follow. Reads of received ones (with their fields) are audited.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    direction: Direction,
    status: Option<&str>,
    first: i64,
    offset: i64,
) -> Result<(Vec<Referral>, bool)> {
    scope.require(Permission::ReferPersons)?;
    let mut q = referrals::table
        .select(ReferralRow::as_select())
        .into_boxed();
    q = match direction {
        Direction::Received => q.filter(referrals::operation_unit_id.eq(scope.unit_id())),
        Direction::Sent => q.filter(referrals::from_unit_id.eq(scope.unit_id())),
    };
    if let Some(s) = status {
        q = q.filter(referrals::status.eq(s.to_string()));
    }
    let mut rows: Vec<ReferralRow> = q
        .order((referrals::created_at.desc(), referrals::id))
        .limit(first + 1)
        .offset(offset)
        .load(conn)?;
    let more = rows.len() as i64 > first;
    rows.truncate(first as usize);
    reads.record("referral", rows.iter().map(|r| r.id.clone()));
    let out = rows
        .into_iter()
        .map(|r| referral_view(conn, scope, r))
        .collect::<Result<Vec<_>>>()?;
    Ok((out, more))
}

/// One referral of the caller's unit (either side), its read audited.
pub fn get(conn: &mut DbConn, scope: &Scope, reads: &mut Reads, id: &str) -> Result<Referral> {
    scope.require(Permission::ReferPersons)?;
    let row: ReferralRow = referrals::table
        .filter(referrals::id.eq(id))
        .filter(
            referrals::operation_unit_id
                .eq(scope.unit_id())
                .or(referrals::from_unit_id.eq(scope.unit_id())),
        )
        .select(ReferralRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("referral"))?;
    reads.record("referral", std::iter::once(row.id.clone()));
    referral_view(conn, scope, row)
}

fn received_pending(conn: &mut DbConn, scope: &Scope, id: &str, version: i32) -> Result<Referral> {
    let mut reads = Reads::default();
    let r = get(conn, scope, &mut reads, id)?;
    if r.direction != Direction::Received {
        return Err(Error::forbidden(
            "only the unit a referral was sent to answers it",
        ));
    }
    if r.row.status != PENDING {
        return Err(Error::validation(
            "input.referralId",
            format!("the referral was already {}", r.row.status),
        ));
    }
    if r.row.version != version {
        return Err(Error::conflict(format!(
            "the referral was changed (you had version {version}, it is now {}); reload and try again",
            r.row.version
        )));
    }
    Ok(r)
}

/// Accepts a referral received: links it to a person of the caller's scope, or registers the
/// person from the fields it carried. Both units' trails record the outcome.
pub fn accept(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    version: i32,
    link_to: Option<&str>,
) -> Result<()> {
    let r = received_pending(conn, scope, id, version)?;
    let individual = match (link_to, &r.row.receiving_individual_id) {
        (Some(i), _) => {
            visible_individual(conn, scope, i, "input.individualId")?;
            i.to_string()
        }
        (None, Some(own)) if r.row.kind == "biometric" => {
            visible_individual(conn, scope, own, "input.individualId")?;
            own.clone()
        }
        (None, _) => {
            if r.consent_withdrawn {
                return Err(Error::invalid(
                    "input.individualId",
                    Reason::ConsentWithdrawn { on: String::new() },
                    "the person withdrew consent: nothing was shared to register; link a record of yours instead",
                ));
            }
            let get = |k: &str| {
                r.shared
                    .iter()
                    .find(|(f, _)| f == k)
                    .map(|(_, v)| v.clone())
            };
            let Some(given_names) = get("given_names") else {
                return Err(Error::validation(
                    "input.individualId",
                    "the referral carried no name to register; link a record of yours",
                ));
            };
            let person = PersonInput {
                given_names,
                family_name: get("family_name"),
                second_family_name: get("second_family_name"),
                sex: get("sex"),
                date_of_birth: get("date_of_birth").and_then(|d| d.parse().ok()),
                nationalities: get("nationalities")
                    .map(|n| n.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                country_of_origin: get("country_of_origin"),
                marital_status: get("marital_status"),
                ..PersonInput::default()
            };
            let reg = super::registry::register_group(
                conn,
                scope,
                &GroupInput {
                    members: vec![MemberInput {
                        person,
                        relationship: FOCAL_POINT.to_string(),
                    }],
                },
            )?;
            reg.individual_ids
                .into_iter()
                .next()
                .ok_or_else(|| Error::internal("registering the referred person made no record"))?
        }
    };
    decide(conn, scope, &r, ACCEPTED, None, Some(&individual))?;
    let event = serde_json::to_value(RecordEvent::FromReferral {
        referral_id: r.row.id.clone(),
        reference: r.row.reference.clone(),
    })
    .map_err(|e| Error::internal(format!("cannot store the referral event: {e}")))?;
    record_event(
        conn,
        scope,
        "individual",
        &individual,
        "from_referral",
        event,
    )
}

/// Declines a referral received, with a reason kept in the receiving unit.
pub fn decline(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    version: i32,
    reason: &str,
) -> Result<()> {
    let r = received_pending(conn, scope, id, version)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > NOTE_MAX {
        return Err(Error::invalid(
            "input.reason",
            if reason.is_empty() {
                Reason::Required
            } else {
                Reason::TooLong { max: NOTE_MAX }
            },
            "say why the referral is declined",
        ));
    }
    decide(conn, scope, &r, DECLINED, Some(reason), None)
}

fn decide(
    conn: &mut DbConn,
    scope: &Scope,
    r: &Referral,
    status: &str,
    reason: Option<&str>,
    individual: Option<&str>,
) -> Result<()> {
    let at = now();
    let changed = diesel::update(
        referrals::table
            .filter(referrals::id.eq(&r.row.id))
            .filter(referrals::version.eq(r.row.version)),
    )
    .set((
        referrals::status.eq(status),
        referrals::decline_reason.eq(reason),
        referrals::receiving_individual_id
            .eq(individual.or(r.row.receiving_individual_id.as_deref())),
        referrals::decided_by.eq(scope.user_id()),
        referrals::decided_at.eq(at),
        referrals::version.eq(r.row.version + 1),
        referrals::updated_at.eq(at),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(Error::conflict(
            "the referral was answered at the same moment; reload",
        ));
    }
    let sender = AuditActor {
        unit_id: Some(r.row.from_unit_id.clone()),
        ..AuditActor::default()
    };
    let action = if status == ACCEPTED {
        "accept_referral"
    } else {
        "decline_referral"
    };
    let told = [Entry {
        detail: Some(format!("the referral {} was {status}", r.row.reference)),
        outcome: Outcome::Ok,
        ..Entry::ok("referral_outcome", "referral", &r.row.id)
    }];
    audit::append_batch(
        conn,
        &[
            (
                &AuditActor::from(scope),
                &[Entry::ok(action, "referral", &r.row.id)][..],
            ),
            (&sender, &told[..]),
        ],
    )?;
    feed::record(
        conn,
        scope.unit_id(),
        &[Change::update(
            RecordKind::Referral,
            &r.row.id,
            r.row.version + 1,
        )],
    )
}
