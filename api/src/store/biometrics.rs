//! Biometric samples, enrolments, the adjudication queue and 1:1 verification.
//!
//! Samples are stored apart from the rest of the record: `biometric_samples` names only an opaque
//! reference id, and its ISO record, device record and template are sealed (see
//! `biometric::keys`). `biometric_enrolments` is the only link from a reference to an individual
//! and an operation unit, and only this module reads it. Every function that reads biometric data
//! on a caller's behalf appends its audit events in the same transaction.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::audit::{self, Actor, Entry, Outcome, Reads};
use super::db::DbConn;
use super::feed;
use super::queries::Page;
use super::schema::{
    biometric_enrolments, biometric_referrals, biometric_reviews, biometric_samples,
    individual_links, individuals, operation_units,
};
use super::scope::Scope;
use super::{new_id, now};
use crate::biometric::gallery::{self, Comparison, PositionScore, Template};
use crate::biometric::{Gallery, Keyring, Position, keys};
use crate::domain::access::Permission;
use crate::domain::feed::{Change, RecordKind};
use crate::error::{Error, Result};
use amparo_biometrics::finger::dedup::OperatingPoint;

/// `origin` of samples a device captured.
pub const ORIGIN_CAPTURE: &str = "capture";
/// `origin` of generated benchmark samples.
pub const ORIGIN_SYNTHETIC: &str = "synthetic";

/// A sample to store, already checked by the engine.
pub struct NewSample {
    pub position: Position,
    pub quality: i32,
    /// The ISO record as uploaded.
    pub record: Vec<u8>,
    /// The device's own record for this sample, exactly as uploaded.
    pub device_record: String,
    /// The derived template and the algorithm that made it (none for the face).
    pub template: Option<(Template, &'static str)>,
}

/// A position that could not be captured, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExceptionRecord {
    pub position: Position,
    /// missing, injured or unable_to_capture.
    pub reason: String,
    pub note: Option<String>,
}

/// An enrolment to store.
pub struct NewEnrolment {
    pub individual_id: String,
    pub transaction_id: String,
    pub captured_at: NaiveDateTime,
    pub samples: Vec<NewSample>,
    pub exceptions: Vec<ExceptionRecord>,
}

/// A stored sample as the caller may see it: no record, no template.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleMeta {
    pub position: Position,
    pub quality: i32,
    pub algorithm_version: Option<String>,
}

/// A possible duplicate in the caller's own unit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CandidateResult {
    pub individual_id: String,
    pub review_id: String,
    /// Fused evidence, 1.0 at the decision threshold.
    pub score: f64,
    pub positions: Vec<PositionScore>,
}

/// A possible duplicate in another unit: nothing but the unit and a referral reference.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherUnitMatch {
    pub unit_code: String,
    pub referral_reference: String,
}

/// What an enrolment stored and found; kept as the mutation's idempotent result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrolmentResult {
    pub id: String,
    pub reference_id: i64,
    pub individual_id: String,
    /// clear or possible_duplicate.
    pub status: String,
    pub transaction_id: String,
    pub captured_at: NaiveDateTime,
    pub enrolled_at: NaiveDateTime,
    pub samples: Vec<SampleMeta>,
    pub exceptions: Vec<ExceptionRecord>,
    pub candidates: Vec<CandidateResult>,
    pub other_units: Vec<OtherUnitMatch>,
}

/// Refuses unless the individual is in the caller's scope and not enrolled yet; cheap, so the
/// GraphQL layer calls it before the costly template extraction.
pub fn check_enrolable(conn: &mut DbConn, scope: &Scope, individual_id: &str) -> Result<()> {
    scope.require(Permission::EnrolBiometrics)?;
    visible_individual(conn, scope, individual_id)?;
    let enrolled: Option<String> = biometric_enrolments::table
        .filter(biometric_enrolments::individual_id.eq(individual_id))
        .select(biometric_enrolments::id)
        .first(conn)
        .optional()?;
    if enrolled.is_some() {
        return Err(Error::validation(
            "individualId",
            "this individual is already enrolled; biometrics are enrolled once per individual",
        ));
    }
    Ok(())
}

fn visible_individual(conn: &mut DbConn, scope: &Scope, id: &str) -> Result<()> {
    individuals::table
        .filter(individuals::id.eq(id))
        .filter(scope.individuals())
        .select(individuals::id)
        .first::<String>(conn)
        .optional()?
        .map(|_| ())
        .ok_or_else(|| Error::not_found("individual"))
}

/// A new random reference id: positive, 63 bits, so it fits BIGINT and says nothing of order.
fn new_reference() -> i64 {
    (rand::rng().next_u64() >> 1) as i64
}

fn referral_reference() -> String {
    let mut b = [0u8; 5];
    rand::rng().fill_bytes(&mut b);
    format!("BR-{}", hex::encode_upper(b))
}

/// Seals and inserts one sample row.
#[allow(clippy::too_many_arguments)]
fn insert_sample(
    conn: &mut DbConn,
    keys: &Keyring,
    reference_id: i64,
    position: Position,
    quality: i32,
    origin: &str,
    record: &[u8],
    device_record: &[u8],
    template: Option<(&[u8], &str)>,
) -> Result<()> {
    let p = position.contract_name();
    let sealed_template = template
        .map(|(t, _)| keys.seal(&keys::aad(reference_id, p, "template"), t))
        .transpose()?;
    diesel::insert_into(biometric_samples::table)
        .values((
            biometric_samples::id.eq(new_id()),
            biometric_samples::reference_id.eq(reference_id),
            biometric_samples::position.eq(p),
            biometric_samples::quality.eq(quality),
            biometric_samples::origin.eq(origin),
            biometric_samples::key_id.eq(keys.key_id()),
            biometric_samples::record.eq(keys.seal(&keys::aad(reference_id, p, "record"), record)?),
            biometric_samples::device_record
                .eq(keys.seal(&keys::aad(reference_id, p, "device_record"), device_record)?),
            biometric_samples::template.eq(sealed_template),
            biometric_samples::algorithm_version.eq(template.map(|(_, v)| v.to_string())),
            biometric_samples::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores an enrolment with its samples and the possible duplicates found for it (`matches`, out
/// of `compared` shortlisted references whose templates were opened): a review for each one in
/// the caller's unit, a referral for each one in another unit. Nothing is rejected: a possible
/// duplicate is enrolled and queued for a person to decide.
pub fn enrol(
    conn: &mut DbConn,
    scope: &Scope,
    keys: &Keyring,
    input: &NewEnrolment,
    compared: usize,
    matches: &[(i64, Comparison)],
) -> Result<EnrolmentResult> {
    check_enrolable(conn, scope, &input.individual_id)?;
    let reference_id = new_reference();
    let mut samples = Vec::with_capacity(input.samples.len());
    for s in &input.samples {
        let template = s.template.as_ref().map(|(t, v)| (t.to_bytes(), *v));
        insert_sample(
            conn,
            keys,
            reference_id,
            s.position,
            s.quality,
            ORIGIN_CAPTURE,
            &s.record,
            s.device_record.as_bytes(),
            template.as_ref().map(|(t, v)| (t.as_slice(), *v)),
        )?;
        samples.push(SampleMeta {
            position: s.position,
            quality: s.quality,
            algorithm_version: s.template.as_ref().map(|(_, v)| v.to_string()),
        });
    }
    let id = new_id();
    let t = now();
    let refs: Vec<i64> = matches.iter().map(|(r, _)| *r).collect();
    // Synthetic benchmark references have no enrolment and so produce no candidate.
    let linked: Vec<(String, i64, String, String, String)> = biometric_enrolments::table
        .inner_join(
            operation_units::table
                .on(operation_units::id.eq(biometric_enrolments::operation_unit_id)),
        )
        .filter(biometric_enrolments::reference_id.eq_any(&refs))
        .select((
            biometric_enrolments::id,
            biometric_enrolments::reference_id,
            biometric_enrolments::operation_unit_id,
            operation_units::code,
            biometric_enrolments::individual_id,
        ))
        .load(conn)?;
    let status = if linked.is_empty() {
        "clear"
    } else {
        "possible_duplicate"
    };
    diesel::insert_into(biometric_enrolments::table)
        .values((
            biometric_enrolments::id.eq(&id),
            biometric_enrolments::reference_id.eq(reference_id),
            biometric_enrolments::operation_unit_id.eq(scope.unit_id()),
            biometric_enrolments::individual_id.eq(&input.individual_id),
            biometric_enrolments::transaction_id.eq(&input.transaction_id),
            biometric_enrolments::captured_at.eq(input.captured_at),
            biometric_enrolments::status.eq(status),
            biometric_enrolments::exceptions.eq(serde_json::to_string(&input.exceptions)
                .map_err(|e| Error::internal(format!("cannot store exceptions: {e}")))?),
            biometric_enrolments::enrolled_by.eq(scope.user_id()),
            biometric_enrolments::created_at.eq(t),
        ))
        .execute(conn)?;
    let mut audit_entries = vec![
        Entry::ok("enrol_biometrics", "biometric_enrolment", &id),
        Entry::ok("update", "individual", &input.individual_id),
        Entry {
            action: "search_biometrics",
            record_type: Some("biometric_enrolment"),
            record_id: Some(id.clone()),
            outcome: Outcome::Ok,
            detail: Some(format!(
                "opened the templates of {compared} shortlisted reference(s) to compare"
            )),
        },
    ];
    let mut changes = vec![Change::create(RecordKind::BiometricEnrolment, &id)];
    let mut candidates = Vec::new();
    let mut other_units = Vec::new();
    for (reference, comparison) in matches {
        let Some((cand_enrolment, _, unit_id, unit_code, cand_individual)) =
            linked.iter().find(|l| l.1 == *reference)
        else {
            continue;
        };
        let positions = serde_json::to_string(&comparison.positions)
            .map_err(|e| Error::internal(format!("cannot store scores: {e}")))?;
        if unit_id == scope.unit_id() {
            let review_id = new_id();
            diesel::insert_into(biometric_reviews::table)
                .values((
                    biometric_reviews::id.eq(&review_id),
                    biometric_reviews::operation_unit_id.eq(scope.unit_id()),
                    biometric_reviews::enrolment_id.eq(&id),
                    biometric_reviews::candidate_enrolment_id.eq(cand_enrolment),
                    biometric_reviews::score.eq(comparison.fused),
                    biometric_reviews::calibration_version.eq(&comparison.calibration),
                    biometric_reviews::position_scores.eq(positions),
                    biometric_reviews::status.eq("pending"),
                    biometric_reviews::version.eq(1),
                    biometric_reviews::created_at.eq(t),
                    biometric_reviews::updated_at.eq(t),
                ))
                .execute(conn)?;
            audit_entries.push(Entry::ok(
                "match_biometrics",
                "biometric_enrolment",
                cand_enrolment,
            ));
            audit_entries.push(Entry::ok("create", "biometric_review", &review_id));
            changes.push(Change::create(RecordKind::BiometricReview, &review_id));
            candidates.push(CandidateResult {
                individual_id: cand_individual.clone(),
                review_id,
                score: comparison.fused,
                positions: comparison.positions.clone(),
            });
        } else {
            let referral_id = new_id();
            let reference = referral_reference();
            diesel::insert_into(biometric_referrals::table)
                .values((
                    biometric_referrals::id.eq(&referral_id),
                    biometric_referrals::reference.eq(&reference),
                    biometric_referrals::from_unit_id.eq(scope.unit_id()),
                    biometric_referrals::to_unit_id.eq(unit_id),
                    biometric_referrals::enrolment_id.eq(&id),
                    biometric_referrals::candidate_enrolment_id.eq(cand_enrolment),
                    biometric_referrals::score.eq(comparison.fused),
                    biometric_referrals::calibration_version.eq(&comparison.calibration),
                    biometric_referrals::created_by.eq(scope.user_id()),
                    biometric_referrals::created_at.eq(t),
                ))
                .execute(conn)?;
            // The other unit finds it in its referral queue, naming its own enrolled person.
            super::sharing::biometric(
                conn,
                scope,
                &referral_id,
                &reference,
                unit_id,
                cand_individual,
            )?;
            // The caller's unit's trail names the referral, never the other unit's record.
            audit_entries.push(Entry::ok(
                "match_biometrics",
                "biometric_referral",
                &referral_id,
            ));
            other_units.push(OtherUnitMatch {
                unit_code: unit_code.clone(),
                referral_reference: reference,
            });
        }
    }
    audit::append(conn, &Actor::from(scope), &audit_entries)?;
    feed::record(conn, scope.unit_id(), &changes)?;
    Ok(EnrolmentResult {
        id,
        reference_id,
        individual_id: input.individual_id.clone(),
        status: status.to_string(),
        transaction_id: input.transaction_id.clone(),
        captured_at: input.captured_at,
        enrolled_at: t,
        samples,
        exceptions: input.exceptions.clone(),
        candidates,
        other_units,
    })
}

/// Opens the stored templates of the given references, for exact comparison by the server. The
/// caller audits on whose behalf (see `enrol`).
pub fn templates_of(
    conn: &mut DbConn,
    keys: &Keyring,
    references: &[i64],
) -> Result<HashMap<i64, Vec<(Position, Template)>>> {
    let rows: Vec<(i64, String, String, Option<Vec<u8>>)> = biometric_samples::table
        .filter(biometric_samples::reference_id.eq_any(references))
        .filter(biometric_samples::template.is_not_null())
        .select((
            biometric_samples::reference_id,
            biometric_samples::position,
            biometric_samples::key_id,
            biometric_samples::template,
        ))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<(Position, Template)>> = HashMap::new();
    for (reference, position, key_id, sealed) in rows {
        if let Some((p, t)) = open_template(keys, reference, &position, &key_id, sealed)? {
            out.entry(reference).or_default().push((p, t));
        }
    }
    Ok(out)
}

fn open_template(
    keys: &Keyring,
    reference: i64,
    position: &str,
    key_id: &str,
    sealed: Option<Vec<u8>>,
) -> Result<Option<(Position, Template)>> {
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let p = Position::from_contract_name(position)
        .ok_or_else(|| Error::internal(format!("stored sample has unknown position {position}")))?;
    let bytes = keys.open(key_id, &keys::aad(reference, position, "template"), &sealed)?;
    let t = Template::from_bytes(p, &bytes)
        .map_err(|e| Error::internal(format!("stored template unreadable: {e}")))?;
    Ok(Some((p, t)))
}

/// Sample id, reference, position, key id and sealed template.
type SealedTemplateRow = (String, i64, String, String, Option<Vec<u8>>);

/// Builds the matcher's gallery from every stored template, a batch at a time. Returns the
/// gallery and the number of templates in it.
pub fn load_gallery(
    conn: &mut DbConn,
    keys: &Keyring,
    op: OperatingPoint,
) -> Result<(Gallery, usize)> {
    let mut gallery = Gallery::with_operating_point(op);
    let mut after = String::new();
    let mut n = 0;
    loop {
        let rows: Vec<SealedTemplateRow> = biometric_samples::table
            .filter(biometric_samples::id.gt(&after))
            .filter(biometric_samples::template.is_not_null())
            .order(biometric_samples::id)
            .limit(5000)
            .select((
                biometric_samples::id,
                biometric_samples::reference_id,
                biometric_samples::position,
                biometric_samples::key_id,
                biometric_samples::template,
            ))
            .load(conn)?;
        let Some(last) = rows.last().map(|r| r.0.clone()) else {
            break;
        };
        for (_, reference, position, key_id, sealed) in rows {
            if let Some((p, t)) = open_template(keys, reference, &position, &key_id, sealed)? {
                gallery.insert(reference as u64, p, &t);
                n += 1;
            }
        }
        after = last;
    }
    Ok((gallery, n))
}

/// Stores `count` synthetic people (ten fingers and two irises each, templates only), seeds
/// `first_seed..`, for benchmark galleries. Returns their reference ids.
pub fn seed_synthetic(
    conn: &mut DbConn,
    keys: &Keyring,
    first_seed: u64,
    count: u64,
) -> Result<Vec<i64>> {
    let mut refs = Vec::with_capacity(count as usize);
    for seed in first_seed..first_seed + count {
        let reference = new_reference();
        for (position, template) in crate::biometric::synthetic::person(seed) {
            let version = match position.bio_type() {
                crate::biometric::Modality::Iris => amparo_biometrics::iris::ALGORITHM_VERSION,
                _ => amparo_biometrics::finger::ALGORITHM_VERSION,
            };
            insert_sample(
                conn,
                keys,
                reference,
                position,
                0,
                ORIGIN_SYNTHETIC,
                b"",
                b"",
                Some((&template.to_bytes(), version)),
            )?;
        }
        refs.push(reference);
    }
    Ok(refs)
}

/// What `rebuild-templates` did.
#[derive(Debug, Default)]
pub struct Rebuilt {
    pub rebuilt: usize,
    pub current: usize,
    pub failed: Vec<String>,
}

/// Re-derives, from the stored ISO records, every captured template whose algorithm version is
/// not the engine's current one (or every one with `all`), re-sealing with the current key.
pub fn rebuild_templates(conn: &mut DbConn, keys: &Keyring, all: bool) -> Result<Rebuilt> {
    type Row = (String, i64, String, String, Vec<u8>, Option<String>);
    let rows: Vec<Row> = biometric_samples::table
        .filter(biometric_samples::origin.eq(ORIGIN_CAPTURE))
        .select((
            biometric_samples::id,
            biometric_samples::reference_id,
            biometric_samples::position,
            biometric_samples::key_id,
            biometric_samples::record,
            biometric_samples::algorithm_version,
        ))
        .load(conn)?;
    let mut out = Rebuilt::default();
    for (id, reference, position, key_id, sealed, version) in rows {
        let Some(p) = Position::from_contract_name(&position) else {
            out.failed
                .push(format!("{id}: unknown position {position}"));
            continue;
        };
        let record = keys.open(&key_id, &keys::aad(reference, &position, "record"), &sealed)?;
        let derived = match crate::biometric::engine::derive(p, &record) {
            Ok(Some(d)) => d,
            Ok(None) => continue,
            Err(e) => {
                out.failed.push(format!("{id} ({position}): {e}"));
                continue;
            }
        };
        if !all && version.as_deref() == Some(derived.algorithm_version) {
            out.current += 1;
            continue;
        }
        // Re-sealing every field keeps one key id per row after a key rotation.
        let device: Vec<u8> = biometric_samples::table
            .find(&id)
            .select(biometric_samples::device_record)
            .first(conn)?;
        let device = keys.open(
            &key_id,
            &keys::aad(reference, &position, "device_record"),
            &device,
        )?;
        diesel::update(biometric_samples::table.find(&id))
            .set((
                biometric_samples::key_id.eq(keys.key_id()),
                biometric_samples::record
                    .eq(keys.seal(&keys::aad(reference, &position, "record"), &record)?),
                biometric_samples::device_record
                    .eq(keys.seal(&keys::aad(reference, &position, "device_record"), &device)?),
                biometric_samples::template.eq(Some(keys.seal(
                    &keys::aad(reference, &position, "template"),
                    &derived.template.to_bytes(),
                )?)),
                biometric_samples::algorithm_version.eq(Some(derived.algorithm_version)),
            ))
            .execute(conn)?;
        out.rebuilt += 1;
    }
    let actor = Actor::default();
    audit::append(
        conn,
        &actor,
        &[Entry::plain(
            "rebuild_templates",
            Outcome::Ok,
            Some(format!(
                "{} rebuilt, {} current, {} failed",
                out.rebuilt,
                out.current,
                out.failed.len()
            )),
        )],
    )?;
    Ok(out)
}

/// A review with the enrolments on both sides.
#[derive(Debug, Clone)]
pub struct ReviewView {
    pub id: String,
    pub status: String,
    pub score: f64,
    pub positions: Vec<PositionScore>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub enrolled: EnrolmentSide,
    pub candidate: EnrolmentSide,
}

/// One side of a review: the enrolment, without any biometric data.
#[derive(Debug, Clone)]
pub struct EnrolmentSide {
    pub enrolment_id: String,
    pub individual_id: String,
    pub captured_at: NaiveDateTime,
    pub enrolled_at: NaiveDateTime,
    pub samples: Vec<SampleMeta>,
    pub exceptions: Vec<ExceptionRecord>,
}

/// A review as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = biometric_reviews)]
struct ReviewRow {
    id: String,
    enrolment_id: String,
    candidate_enrolment_id: String,
    score: f64,
    position_scores: String,
    status: String,
    version: i32,
    created_at: NaiveDateTime,
    decision_reason: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<NaiveDateTime>,
}

fn sides(conn: &mut DbConn, ids: &[&String]) -> Result<HashMap<String, EnrolmentSide>> {
    let rows: Vec<(String, i64, String, NaiveDateTime, NaiveDateTime, String)> =
        biometric_enrolments::table
            .filter(biometric_enrolments::id.eq_any(ids))
            .select((
                biometric_enrolments::id,
                biometric_enrolments::reference_id,
                biometric_enrolments::individual_id,
                biometric_enrolments::captured_at,
                biometric_enrolments::created_at,
                biometric_enrolments::exceptions,
            ))
            .load(conn)?;
    let refs: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let samples: Vec<(i64, String, i32, Option<String>)> = biometric_samples::table
        .filter(biometric_samples::reference_id.eq_any(&refs))
        .select((
            biometric_samples::reference_id,
            biometric_samples::position,
            biometric_samples::quality,
            biometric_samples::algorithm_version,
        ))
        .load(conn)?;
    let mut out = HashMap::new();
    for (id, reference, individual_id, captured_at, enrolled_at, exceptions) in rows {
        let mut metas: Vec<SampleMeta> = samples
            .iter()
            .filter(|s| s.0 == reference)
            .filter_map(|s| {
                Some(SampleMeta {
                    position: Position::from_contract_name(&s.1)?,
                    quality: s.2,
                    algorithm_version: s.3.clone(),
                })
            })
            .collect();
        metas.sort_by_key(|m| m.position);
        out.insert(
            id.clone(),
            EnrolmentSide {
                enrolment_id: id,
                individual_id,
                captured_at,
                enrolled_at,
                samples: metas,
                exceptions: serde_json::from_str(&exceptions).unwrap_or_default(),
            },
        );
    }
    Ok(out)
}

fn views(conn: &mut DbConn, rows: Vec<ReviewRow>) -> Result<Vec<ReviewView>> {
    let ids: Vec<&String> = rows
        .iter()
        .flat_map(|r| [&r.enrolment_id, &r.candidate_enrolment_id])
        .collect();
    let sides = sides(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            let side = |id: &String| {
                sides
                    .get(id)
                    .cloned()
                    .ok_or_else(|| Error::internal("review names a missing enrolment"))
            };
            Ok(ReviewView {
                enrolled: side(&r.enrolment_id)?,
                candidate: side(&r.candidate_enrolment_id)?,
                positions: serde_json::from_str(&r.position_scores).map_err(|e| {
                    Error::internal(format!("review {}: stored scores unreadable: {e}", r.id))
                })?,
                id: r.id,
                score: r.score,
                status: r.status,
                version: r.version,
                created_at: r.created_at,
                decision_reason: r.decision_reason,
                decided_by: r.decided_by,
                decided_at: r.decided_at,
            })
        })
        .collect()
}

/// A page of the caller's unit's reviews in a status, oldest first.
pub fn reviews(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    status: &str,
    first: i64,
    after: Option<&str>,
) -> Result<Page<ReviewView>> {
    scope.require(Permission::AdjudicateBiometrics)?;
    let mut q = biometric_reviews::table
        .filter(biometric_reviews::operation_unit_id.eq(scope.unit_id()))
        .filter(biometric_reviews::status.eq(status))
        .order(biometric_reviews::id)
        .limit(first + 1)
        .select(ReviewRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(biometric_reviews::id.gt(a.to_string()));
    }
    let mut rows: Vec<ReviewRow> = q.load(conn)?;
    let has_next = rows.len() as i64 > first;
    rows.truncate(first as usize);
    reads.record("biometric_review", rows.iter().map(|r| r.id.clone()));
    Ok(Page {
        items: views(conn, rows)?,
        has_next,
    })
}

/// One review of the caller's unit.
pub fn review(
    conn: &mut DbConn,
    scope: &Scope,
    reads: &mut Reads,
    id: &str,
) -> Result<Option<ReviewView>> {
    scope.require(Permission::AdjudicateBiometrics)?;
    let rows: Vec<ReviewRow> = biometric_reviews::table
        .filter(biometric_reviews::id.eq(id))
        .filter(biometric_reviews::operation_unit_id.eq(scope.unit_id()))
        .select(ReviewRow::as_select())
        .load(conn)?;
    reads.record("biometric_review", rows.iter().map(|r| r.id.clone()));
    Ok(views(conn, rows)?.into_iter().next())
}

/// An adjudicator's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    SamePerson,
    DifferentPeople,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::SamePerson => "same_person",
            Decision::DifferentPeople => "different_people",
        }
    }
}

/// Decides a pending review. "Same person" links the two individuals (a row on each); nothing
/// is merged or deleted, and both references stay in the matcher's gallery: they are one person's,
/// so a later enrolment that matches either is shown with both, and the link tells the reviewer.
pub fn decide(
    conn: &mut DbConn,
    scope: &Scope,
    id: &str,
    expected_version: i32,
    decision: Decision,
    reason: &str,
) -> Result<ReviewView> {
    scope.require(Permission::AdjudicateBiometrics)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::validation(
            "reason",
            "say why you decided so: the reason is kept with the decision",
        ));
    }
    if reason.chars().count() > 2000 {
        return Err(Error::validation("reason", "at most 2000 characters"));
    }
    let mut reads = Reads::default();
    let view =
        review(conn, scope, &mut reads, id)?.ok_or_else(|| Error::not_found("biometric review"))?;
    if view.version != expected_version {
        return Err(Error::conflict(format!(
            "the review was changed by someone else (you had version {expected_version}, it is \
             now {}); reload and try again",
            view.version
        )));
    }
    if view.status != "pending" {
        return Err(Error::validation(
            "reviewId",
            format!("this review was already decided: {}", view.status),
        ));
    }
    let t = now();
    let n = diesel::update(
        biometric_reviews::table
            .filter(biometric_reviews::id.eq(id))
            .filter(biometric_reviews::version.eq(expected_version)),
    )
    .set((
        biometric_reviews::status.eq(decision.as_str()),
        biometric_reviews::decision_reason.eq(reason),
        biometric_reviews::decided_by.eq(scope.user_id()),
        biometric_reviews::decided_at.eq(t),
        biometric_reviews::version.eq(expected_version + 1),
        biometric_reviews::updated_at.eq(t),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(Error::conflict(
            "the review was changed by someone else; reload and try again",
        ));
    }
    let mut changes = vec![Change::update(
        RecordKind::BiometricReview,
        id,
        expected_version + 1,
    )];
    let mut entries = vec![Entry {
        action: "decide_duplicate",
        record_type: Some("biometric_review"),
        record_id: Some(id.to_string()),
        outcome: Outcome::Ok,
        detail: Some(decision.as_str().to_string()),
    }];
    if decision == Decision::SamePerson {
        let (a, b) = (&view.enrolled.individual_id, &view.candidate.individual_id);
        for (from, to) in [(a, b), (b, a)] {
            let link_id = new_id();
            changes.push(Change::create(RecordKind::IndividualLink, &link_id));
            diesel::insert_into(individual_links::table)
                .values((
                    individual_links::id.eq(&link_id),
                    individual_links::operation_unit_id.eq(scope.unit_id()),
                    individual_links::individual_id.eq(from),
                    individual_links::linked_individual_id.eq(to),
                    individual_links::kind.eq("same_person"),
                    individual_links::review_id.eq(id),
                    individual_links::reason.eq(reason),
                    individual_links::created_by.eq(scope.user_id()),
                    individual_links::created_at.eq(t),
                ))
                .execute(conn)?;
            entries.push(Entry::ok("link", "individual", from.as_str()));
        }
    }
    audit::append(conn, &Actor::from(scope), &entries)?;
    feed::record(conn, scope.unit_id(), &changes)?;
    let mut reads = Reads::default();
    review(conn, scope, &mut reads, id)?.ok_or_else(|| Error::not_found("biometric review"))
}

/// Individuals an adjudicator found to be the same person as this one.
pub fn linked_individuals(
    conn: &mut DbConn,
    scope: &Scope,
    individual_id: &str,
) -> Result<Vec<String>> {
    Ok(individual_links::table
        .filter(individual_links::individual_id.eq(individual_id))
        .filter(individual_links::operation_unit_id.eq(scope.unit_id()))
        .order(individual_links::created_at)
        .select(individual_links::linked_individual_id)
        .load(conn)?)
}

/// The outcome of a 1:1 verification.
#[derive(Debug, Clone)]
pub struct Verification {
    pub matched: bool,
    pub score: f64,
    pub positions: Vec<PositionScore>,
}

/// Compares a probe with an individual's enrolled templates. Stores nothing but the audit event
/// of the attempt and its outcome.
pub fn verify(
    conn: &mut DbConn,
    scope: &Scope,
    keys: &Keyring,
    op: &OperatingPoint,
    individual_id: &str,
    probe: &[(Position, Template)],
) -> Result<Verification> {
    scope.require(Permission::VerifyIdentity)?;
    visible_individual(conn, scope, individual_id)?;
    let reference: i64 = biometric_enrolments::table
        .filter(biometric_enrolments::individual_id.eq(individual_id))
        .filter(biometric_enrolments::operation_unit_id.eq(scope.unit_id()))
        .select(biometric_enrolments::reference_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            Error::validation(
                "individualId",
                "this individual has no biometric enrolment to verify against",
            )
        })?;
    let enrolled = templates_of(conn, keys, &[reference])?
        .remove(&reference)
        .unwrap_or_default();
    let c = gallery::compare(probe, &enrolled, op);
    if c.positions.is_empty() {
        return Err(Error::validation(
            "samples",
            "none of the samples is of a position this individual has enrolled",
        ));
    }
    let v = Verification {
        matched: c.verifies(op),
        score: c.fused,
        positions: c.positions,
    };
    audit::append(
        conn,
        &Actor::from(scope),
        &[Entry {
            action: "verify_identity",
            record_type: Some("individual"),
            record_id: Some(individual_id.to_string()),
            outcome: Outcome::Ok,
            detail: Some(format!(
                "{} (score {:.2}, calibration {})",
                if v.matched { "matched" } else { "not matched" },
                v.score,
                c.calibration
            )),
        }],
    )?;
    Ok(v)
}
