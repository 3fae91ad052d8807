//! Biometric enrolment with deduplication, the adjudication queue, and 1:1 verification.
//!
//! An upload is checked before anything is stored: every ISO record is decoded and turned into a
//! template by the engine, off the async runtime; one bad record refuses the whole enrolment with
//! the position and the reason. Then, holding the service's enrolment lock, the gallery is
//! searched, the shortlist compared exactly against the stored templates, and the enrolment
//! committed with its reviews and referrals in one transaction; only after the commit does the
//! gallery learn the new reference. The transaction first takes the database-wide enrolment
//! lock and compares with what other server processes enrolled since this one's gallery was
//! brought up to date (from the change feed, see `follower`).

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use chrono::{DateTime, Utc};

use super::connection::{PageInfo, keyset_edges, keyset_page};
use super::context::ModuleGuard;
use super::context::{GqlResult, audit_refusal, claim_of, gql, scope, scoped_read, state};
use super::types::{Individual, load_individual, utc};
use crate::biometric::gallery::{self, Template};
use crate::biometric::{Position, Service, engine};
use crate::domain::access::Module;
use crate::error::{Error, Result};
use crate::store::biometrics::{
    self as store, CandidateResult, Decision, EnrolmentResult, EnrolmentSide, ExceptionRecord,
    NewEnrolment, NewSample, OtherUnitMatch, ReviewView, SampleMeta,
};
use crate::store::db::blocking;
use crate::store::idempotency::{run_once, stored};

/// Largest decoded ISO record accepted (a lossless 500 ppi finger or a K3 iris is far smaller).
pub const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;
/// Largest device record accepted (it carries the ISO record again, signed and encoded).
pub const MAX_DEVICE_RECORD_BYTES: usize = 8 * 1024 * 1024;

/// Where a sample was taken.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::biometric::Position")]
pub enum BiometricPosition {
    /// Right thumb (ISO finger position 1).
    RightThumb,
    /// Right index finger (2).
    RightIndex,
    /// Right middle finger (3).
    RightMiddle,
    /// Right ring finger (4).
    RightRing,
    /// Right little finger (5).
    RightLittle,
    /// Left thumb (6).
    LeftThumb,
    /// Left index finger (7).
    LeftIndex,
    /// Left middle finger (8).
    LeftMiddle,
    /// Left ring finger (9).
    LeftRing,
    /// Left little finger (10).
    LeftLittle,
    /// Right iris.
    RightIris,
    /// Left iris.
    LeftIris,
    /// Face (kept with the enrolment, not matched).
    Face,
}

/// Why a position has no sample.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BiometricExceptionReason {
    /// The finger or eye is missing (amputation, prosthesis).
    Missing,
    /// Injured or bandaged at the time of capture.
    Injured,
    /// Present, but no usable sample could be captured.
    UnableToCapture,
}

impl BiometricExceptionReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Injured => "injured",
            Self::UnableToCapture => "unable_to_capture",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "missing" => Self::Missing,
            "injured" => Self::Injured,
            _ => Self::UnableToCapture,
        }
    }
}

/// The outcome of the deduplication search.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum EnrolmentStatus {
    /// Nobody enrolled anywhere matched.
    Clear,
    /// Someone enrolled may be the same person: queued for adjudication (in your unit) or for a
    /// referral (in another unit). The enrolment is stored either way.
    PossibleDuplicate,
}

/// An adjudicator's decision on a possible duplicate.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum DuplicateDecision {
    /// The two records are the same person: they are linked (nothing is merged or deleted).
    SamePerson,
    /// Two different people who happen to match.
    DifferentPeople,
}

/// Where a review stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BiometricReviewStatus {
    /// Waiting for a decision.
    Pending,
    /// Decided: the same person.
    SamePerson,
    /// Decided: different people.
    DifferentPeople,
}

impl BiometricReviewStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::SamePerson => "same_person",
            Self::DifferentPeople => "different_people",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "same_person" => Self::SamePerson,
            "different_people" => Self::DifferentPeople,
            _ => Self::Pending,
        }
    }
}

/// One captured sample as the device returned it.
#[derive(InputObject)]
pub struct BiometricSampleInput {
    /// Which finger, eye or face.
    pub position: BiometricPosition,
    /// The ISO/IEC 19794-4 (finger) / 19794-6 (iris) / 19794-5 (face) record, base64 (standard alphabet).
    pub record: String,
    /// The exact JSON object the device returned for this biometric in its RCAPTURE response (with `data` as the device's JWS string, `hash`, `error`, ...), as a string.
    pub device_record: String,
    /// The device's quality score (0-100).
    pub quality: i32,
}

/// A position that could not be captured.
#[derive(InputObject)]
pub struct BiometricExceptionInput {
    /// The finger or eye without a sample.
    pub position: BiometricPosition,
    /// Why.
    pub reason: BiometricExceptionReason,
    /// What the operator saw, in their words.
    pub note: Option<String>,
}

/// An enrolment of one individual's captures.
#[derive(InputObject)]
pub struct EnrolBiometricsInput {
    /// Unique per enrolment you send; a retry with the same id returns the first result.
    pub client_mutation_id: String,
    /// The individual the captures belong to.
    pub individual_id: ID,
    /// The SBI transaction id of the capture session.
    pub transaction_id: String,
    /// When the capture session took place.
    pub captured_at: DateTime<Utc>,
    /// The samples, at most one per position.
    pub samples: Vec<BiometricSampleInput>,
    /// Positions without a sample, and why.
    pub exceptions: Vec<BiometricExceptionInput>,
}

/// A sample for 1:1 verification: only the ISO record is needed.
#[derive(InputObject)]
pub struct VerifySampleInput {
    /// Which finger or eye.
    pub position: BiometricPosition,
    /// The ISO/IEC 19794-4 or 19794-6 record, base64 (standard alphabet).
    pub record: String,
}

/// A 1:1 check of a person against an individual's enrolment.
#[derive(InputObject)]
pub struct VerifyIdentityInput {
    /// The individual the person says they are.
    pub individual_id: ID,
    /// The samples just captured, at most one per position.
    pub samples: Vec<VerifySampleInput>,
}

/// A decision on a possible duplicate.
#[derive(InputObject)]
pub struct DecideDuplicateInput {
    /// Unique per decision you send; a retry with the same id returns the first result.
    pub client_mutation_id: String,
    /// The review decided.
    pub review_id: ID,
    /// The review's version you read; a review changed since is refused with CONFLICT.
    pub version: i32,
    /// Same person or different people.
    pub decision: DuplicateDecision,
    /// Why (required): kept with the decision and shown to later reviewers.
    pub reason: String,
}

/// A stored sample: its position, the device's quality and the template's algorithm. Neither the
/// record nor the template is ever returned.
#[derive(SimpleObject, Clone)]
pub struct BiometricSample {
    /// Which finger, eye or face.
    pub position: BiometricPosition,
    /// The device's quality score (0-100).
    pub quality: i32,
    /// The engine algorithm that derived the stored template (null for the face, which has none).
    pub algorithm_version: Option<String>,
}

impl From<&SampleMeta> for BiometricSample {
    fn from(s: &SampleMeta) -> Self {
        Self {
            position: s.position.into(),
            quality: s.quality,
            algorithm_version: s.algorithm_version.clone(),
        }
    }
}

/// A position recorded without a sample.
#[derive(SimpleObject, Clone)]
pub struct BiometricException {
    /// The finger or eye.
    pub position: BiometricPosition,
    /// Why it has no sample.
    pub reason: BiometricExceptionReason,
    /// The operator's note.
    pub note: Option<String>,
}

impl From<&ExceptionRecord> for BiometricException {
    fn from(e: &ExceptionRecord) -> Self {
        Self {
            position: e.position.into(),
            reason: BiometricExceptionReason::parse(&e.reason),
            note: e.note.clone(),
        }
    }
}

/// How closely one position matched.
#[derive(SimpleObject, Clone)]
pub struct PositionScore {
    /// The finger or eye compared.
    pub position: BiometricPosition,
    /// Similarity from 0 to 1, higher is closer (fingers: the engine's minutiae similarity;
    /// irises: 1 minus the normalised Hamming distance).
    pub score: f64,
    /// Whether this position alone reaches its threshold (fingers 0.12, irises a distance of 0.32).
    pub matched: bool,
}

impl From<&gallery::PositionScore> for PositionScore {
    fn from(p: &gallery::PositionScore) -> Self {
        Self {
            position: p.position.into(),
            score: p.score,
            matched: p.matched,
        }
    }
}

/// Someone enrolled in your unit who may be the same person.
pub struct BiometricCandidate(CandidateResult);

/// Someone enrolled in your unit who may be the same person.
#[Object]
impl BiometricCandidate {
    /// The enrolled individual's id.
    async fn individual_id(&self) -> ID {
        ID(self.0.individual_id.clone())
    }
    /// The individual, when your scope covers them (null otherwise: ask a supervisor).
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        load_individual(ctx, &self.0.individual_id).await
    }
    /// The adjudication review queued for this pair.
    async fn review_id(&self) -> ID {
        ID(self.0.review_id.clone())
    }
    /// Fused finger and iris evidence: 1.0 at the decision threshold, higher is stronger.
    async fn score(&self) -> f64 {
        self.0.score
    }
    /// Scores per finger and eye.
    async fn position_scores(&self) -> Vec<PositionScore> {
        self.0.positions.iter().map(Into::into).collect()
    }
}

/// A possible duplicate enrolled in another operation unit. Nothing of that unit's record is
/// shown: raise a referral with the reference.
#[derive(SimpleObject, Clone)]
#[graphql(name = "OtherUnitMatch")]
pub struct OtherUnitMatchInfo {
    /// The other unit's code.
    pub unit_code: String,
    /// The reference to quote when raising the referral with that unit.
    pub referral_reference: String,
}

impl From<&OtherUnitMatch> for OtherUnitMatchInfo {
    fn from(m: &OtherUnitMatch) -> Self {
        Self {
            unit_code: m.unit_code.clone(),
            referral_reference: m.referral_reference.clone(),
        }
    }
}

/// An individual's biometric enrolment and what deduplication found.
pub struct BiometricEnrolment(Arc<EnrolmentResult>);

/// An individual's biometric enrolment and what deduplication found.
#[Object]
impl BiometricEnrolment {
    /// The enrolment's id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The biometric reference: the only id the matcher knows (it never knows names).
    async fn reference_id(&self) -> String {
        self.0.reference_id.to_string()
    }
    /// The enrolled individual's id.
    async fn individual_id(&self) -> ID {
        ID(self.0.individual_id.clone())
    }
    /// CLEAR, or POSSIBLE_DUPLICATE (stored and queued for a person to decide).
    async fn status(&self) -> EnrolmentStatus {
        if self.0.status == "clear" {
            EnrolmentStatus::Clear
        } else {
            EnrolmentStatus::PossibleDuplicate
        }
    }
    /// The SBI transaction id of the capture session.
    async fn transaction_id(&self) -> &str {
        &self.0.transaction_id
    }
    /// When the capture session took place.
    async fn captured_at(&self) -> DateTime<Utc> {
        utc(self.0.captured_at)
    }
    /// When the server stored the enrolment.
    async fn enrolled_at(&self) -> DateTime<Utc> {
        utc(self.0.enrolled_at)
    }
    /// The stored samples.
    async fn samples(&self) -> Vec<BiometricSample> {
        self.0.samples.iter().map(Into::into).collect()
    }
    /// Positions recorded without a sample.
    async fn exceptions(&self) -> Vec<BiometricException> {
        self.0.exceptions.iter().map(Into::into).collect()
    }
    /// Possible duplicates in your unit, strongest first, each queued for adjudication.
    async fn candidates(&self) -> Vec<BiometricCandidate> {
        self.0
            .candidates
            .iter()
            .cloned()
            .map(BiometricCandidate)
            .collect()
    }
    /// Possible duplicates in other units: only the unit and a referral reference.
    async fn other_unit_matches(&self) -> Vec<OtherUnitMatchInfo> {
        self.0.other_units.iter().map(Into::into).collect()
    }
}

/// The result of enrolBiometrics.
pub struct EnrolBiometricsPayload {
    client_mutation_id: String,
    enrolment: Arc<EnrolmentResult>,
}

/// The result of enrolBiometrics.
#[Object]
impl EnrolBiometricsPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The enrolment (the first one stored, on a retry).
    async fn enrolment(&self) -> BiometricEnrolment {
        BiometricEnrolment(self.enrolment.clone())
    }
}

/// The outcome of a 1:1 verification.
#[derive(SimpleObject)]
pub struct VerifyIdentityResult {
    /// Whether the samples match the individual's enrolment.
    pub matched: bool,
    /// Fused finger and iris evidence: 1.0 at the decision threshold, higher is stronger.
    pub score: f64,
    /// Scores per finger and eye compared.
    pub position_scores: Vec<PositionScore>,
}

/// One side of a review: an enrolment and, when your scope covers them, the individual.
pub struct BiometricReviewSide(EnrolmentSide);

/// One side of a review: an enrolment and, when your scope covers them, the individual.
#[Object]
impl BiometricReviewSide {
    /// The enrolment's id.
    async fn enrolment_id(&self) -> ID {
        ID(self.0.enrolment_id.clone())
    }
    /// The individual's id.
    async fn individual_id(&self) -> ID {
        ID(self.0.individual_id.clone())
    }
    /// The individual's registration record as your role and scope may see it.
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        load_individual(ctx, &self.0.individual_id).await
    }
    /// When the captures were taken.
    async fn captured_at(&self) -> DateTime<Utc> {
        utc(self.0.captured_at)
    }
    /// When the enrolment was stored.
    async fn enrolled_at(&self) -> DateTime<Utc> {
        utc(self.0.enrolled_at)
    }
    /// The positions enrolled, with quality.
    async fn samples(&self) -> Vec<BiometricSample> {
        self.0.samples.iter().map(Into::into).collect()
    }
    /// Positions recorded without a sample.
    async fn exceptions(&self) -> Vec<BiometricException> {
        self.0.exceptions.iter().map(Into::into).collect()
    }
}

/// A possible duplicate in your unit: the new enrolment and the earlier one side by side.
pub struct BiometricReview(ReviewView);

/// A possible duplicate in your unit: the new enrolment and the earlier one side by side.
#[Object]
impl BiometricReview {
    /// The review's id.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Send it back with decideDuplicate.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Pending or decided.
    async fn status(&self) -> BiometricReviewStatus {
        BiometricReviewStatus::parse(&self.0.status)
    }
    /// Fused finger and iris evidence: 1.0 at the decision threshold, higher is stronger.
    async fn score(&self) -> f64 {
        self.0.score
    }
    /// Scores per finger and eye.
    async fn position_scores(&self) -> Vec<PositionScore> {
        self.0.positions.iter().map(Into::into).collect()
    }
    /// The enrolment that raised the review.
    async fn enrolled(&self) -> BiometricReviewSide {
        BiometricReviewSide(self.0.enrolled.clone())
    }
    /// The earlier enrolment it matched.
    async fn candidate(&self) -> BiometricReviewSide {
        BiometricReviewSide(self.0.candidate.clone())
    }
    /// When the review was queued.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// The adjudicator's reason, once decided.
    async fn decision_reason(&self) -> Option<&str> {
        self.0.decision_reason.as_deref()
    }
    /// The adjudicator's user id, once decided.
    async fn decided_by(&self) -> Option<ID> {
        self.0.decided_by.clone().map(ID)
    }
    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at.map(utc)
    }
}

/// A review in a page.
#[derive(SimpleObject)]
pub struct BiometricReviewEdge {
    /// The review.
    pub node: BiometricReview,
    /// Its cursor.
    pub cursor: String,
}

/// A page of the adjudication queue.
#[derive(SimpleObject)]
pub struct BiometricReviewConnection {
    /// The reviews of this page, oldest first.
    pub edges: Vec<BiometricReviewEdge>,
    /// Paging information.
    pub page_info: PageInfo,
}

/// The result of decideDuplicate.
pub struct DecideDuplicatePayload {
    client_mutation_id: String,
    review_id: String,
}

/// The result of decideDuplicate.
#[Object]
impl DecideDuplicatePayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The review as it is now.
    async fn review(&self, ctx: &Context<'_>) -> GqlResult<Option<BiometricReview>> {
        load_review(ctx, &self.review_id).await
    }
}

async fn load_review(ctx: &Context<'_>, id: &str) -> GqlResult<Option<BiometricReview>> {
    let id = id.to_string();
    scoped_read(ctx, "read", None, move |c, s, r| {
        store::review(c, s, r, &id)
    })
    .await
    .map(|o| o.map(BiometricReview))
}

/// The biometric service, or why there is none.
fn service(ctx: &Context<'_>) -> Result<Arc<Service>> {
    state(ctx).biometrics.clone().ok_or_else(|| {
        Error::not_enabled(
            "biometric enrolment is off on this server: start it with --biometric-key-file \
             (AMPARO_BIOMETRIC_KEY_FILE)",
        )
    })
}

/// The one check of a device's record before anything of a sample is decoded or stored: the
/// record's signature (and its digital id's) against the trusted device certificates, no device
/// error, and that what the device signed is this sample: its position, the session's
/// transaction id, and byte for byte the ISO `record` sent beside it. The hash chain links
/// attempts the client may have discarded, so only the client can check it (it does).
pub fn verify_device_record(
    trust: &amparo_sbi::TrustStore,
    position: Position,
    transaction_id: &str,
    device_record: &str,
    record: &[u8],
) -> std::result::Result<(), String> {
    if trust.is_empty() && !trust.allows_unsigned() {
        return Err(
            "this server trusts no capture device: configure --trusted-devices".to_string(),
        );
    }
    let v = amparo_sbi::verify_record(device_record, trust).map_err(|e| e.to_string())?;
    if v.position != position {
        return Err(format!(
            "the device signed a {} record",
            v.position.contract_name()
        ));
    }
    if v.data.transaction_id != transaction_id {
        return Err(format!(
            "the device signed it in transaction {:?}, not {transaction_id:?}",
            v.data.transaction_id
        ));
    }
    if v.iso != record {
        return Err("the record is not the one the device signed".to_string());
    }
    Ok(())
}

fn decode_record(field: &str, b64: &str) -> Result<Vec<u8>> {
    if b64.len() > MAX_RECORD_BYTES / 3 * 4 + 4 {
        return Err(Error::validation(
            field,
            format!("the record is larger than {} MiB", MAX_RECORD_BYTES >> 20),
        ));
    }
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| Error::validation(field, format!("the record is not base64: {e}")))
}

fn check_positions<'a>(positions: impl Iterator<Item = (String, Position)> + 'a) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for (field, p) in positions {
        if !seen.insert(p) {
            return Err(Error::validation(
                field,
                format!("{} appears more than once", p.contract_name()),
            ));
        }
    }
    Ok(())
}

/// Decodes, checks and derives the templates of uploaded records on the blocking pool, spread over
/// the cores: extraction is most of an enrolment's time, and the person waits at the desk.
async fn derive_all(
    records: Vec<(String, Position, Vec<u8>)>,
) -> Result<Vec<Option<engine::Derived>>> {
    blocking(move || {
        let derive = |(field, position, bytes): &(String, Position, Vec<u8>)| {
            engine::derive(*position, bytes).map_err(|reason| {
                Error::validation(
                    field.clone(),
                    format!("{}: {reason}", position.contract_name()),
                )
            })
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, records.len().max(1));
        let chunk = records.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let workers: Vec<_> = records
                .chunks(chunk)
                .map(|part| s.spawn(move || part.iter().map(derive).collect::<Vec<_>>()))
                .collect();
            let mut out = Vec::with_capacity(records.len());
            for w in workers {
                match w.join() {
                    Ok(results) => out.extend(results),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            // The first refusal in upload order, so the error names the first bad sample.
            out.into_iter().collect()
        })
    })
    .await
}

/// Searches the gallery and compares the shortlist exactly; returns how many references were
/// compared and those that are possible duplicates, strongest first.
async fn deduplicate(
    ctx: &Context<'_>,
    svc: &Arc<Service>,
    probe: Arc<Vec<(Position, Template)>>,
) -> Result<(usize, Vec<(i64, gallery::Comparison)>)> {
    let (s, p) = (svc.clone(), probe.clone());
    let (shortlist, op): (Vec<i64>, _) = blocking(move || {
        let g = s.gallery();
        Ok((
            g.search(&p).into_iter().map(|(r, _)| r as i64).collect(),
            g.operating_point().clone(),
        ))
    })
    .await?;
    if shortlist.is_empty() {
        return Ok((0, Vec::new()));
    }
    let s = svc.clone();
    let n = shortlist.len();
    let stored = state(ctx)
        .db
        .read(move |c| store::templates_of(c, &s.keys, &shortlist))
        .await?;
    blocking(move || {
        let mut found: Vec<(i64, gallery::Comparison)> = stored
            .into_iter()
            .map(|(r, templates)| (r, gallery::compare(&probe, &templates, &op)))
            .filter(|(_, c)| c.is_duplicate())
            .collect();
        found.sort_by(|a, b| b.1.fused.total_cmp(&a.1.fused).then(a.0.cmp(&b.0)));
        Ok((n, found))
    })
    .await
}

/// Reads of the adjudication queue.
#[derive(Default)]
pub struct BiometricQuery;

#[Object]
impl BiometricQuery {
    /// The adjudication queue of your unit (supervisors and protection officers): possible
    /// duplicates side by side, oldest first. Every review read is audited.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn biometric_reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which reviews: PENDING (the default) or the decided ones.")]
        status: Option<BiometricReviewStatus>,
        #[graphql(desc = "Page size, 1-100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<BiometricReviewConnection> {
        let (first, after) = keyset_page(first, after.as_deref()).map_err(gql)?;
        let status = status.unwrap_or(BiometricReviewStatus::Pending).as_str();
        let page = scoped_read(ctx, "read", None, move |c, s, r| {
            store::reviews(c, s, r, status, first, after.as_deref())
        })
        .await?;
        let (page_info, edges) = keyset_edges(
            page.items,
            page.has_next,
            |v| &v.id,
            |cursor, v| BiometricReviewEdge {
                cursor,
                node: BiometricReview(v),
            },
        );
        Ok(BiometricReviewConnection { page_info, edges })
    }

    /// One review of your unit's adjudication queue; null when there is none with this id.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn biometric_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The review's id.")] id: ID,
    ) -> GqlResult<Option<BiometricReview>> {
        load_review(ctx, &id).await
    }

    /// Checks at a service point that a person is the individual they say (1:1 against that
    /// individual's enrolment). A read: it stores nothing but the audit event of the attempt
    /// and its outcome, so it is a query and takes no clientMutationId.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn verify_identity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The individual and the samples just captured.")]
        input: VerifyIdentityInput,
    ) -> GqlResult<VerifyIdentityResult> {
        let id = input.individual_id.0.clone();
        let outcome = verify(ctx, input).await;
        audit_refusal(ctx, "verify_identity", Some(&id), outcome).await
    }
}

async fn verify(ctx: &Context<'_>, input: VerifyIdentityInput) -> Result<VerifyIdentityResult> {
    let scope = scope(ctx)?.clone();
    let svc = service(ctx)?;
    scope.require(crate::domain::access::Permission::VerifyIdentity)?;
    if input.samples.is_empty() {
        return Err(Error::validation("samples", "send at least one sample"));
    }
    check_positions(
        input
            .samples
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("samples.{i}.position"), s.position.into())),
    )?;
    let mut records = Vec::new();
    for (i, s) in input.samples.iter().enumerate() {
        let field = format!("samples.{i}.record");
        let position: Position = s.position.into();
        if position == Position::Face {
            return Err(Error::validation(
                format!("samples.{i}.position"),
                "faces are not matched; verify with fingers or irises",
            ));
        }
        records.push((field.clone(), position, decode_record(&field, &s.record)?));
    }
    let positions: Vec<Position> = records.iter().map(|r| r.1).collect();
    let derived = derive_all(records).await?;
    let probe: Vec<(Position, Template)> = positions
        .into_iter()
        .zip(derived)
        .filter_map(|(p, d)| d.map(|d| (p, d.template)))
        .collect();
    let id = input.individual_id.0.clone();
    let v = state(ctx)
        .db
        .write(move |c| store::verify(c, &scope, &svc.keys, &svc.operating_point(), &id, &probe))
        .await?;
    Ok(VerifyIdentityResult {
        matched: v.matched,
        score: v.score,
        position_scores: v.positions.iter().map(Into::into).collect(),
    })
}

/// Biometric writes.
#[derive(Default)]
pub struct BiometricMutation;

#[Object]
impl BiometricMutation {
    /// Enrols an individual's fingerprints and irises and searches everyone enrolled, in every
    /// unit, for the same person. A bad record refuses the whole enrolment and stores nothing; a
    /// possible duplicate is stored and queued, never rejected.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn enrol_biometrics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: EnrolBiometricsInput,
    ) -> GqlResult<EnrolBiometricsPayload> {
        let id = input.individual_id.0.clone();
        let cmid = input.client_mutation_id.clone();
        let outcome = enrol(ctx, input).await;
        audit_refusal(ctx, "enrol_biometrics", Some(&id), outcome)
            .await
            .map(|r| EnrolBiometricsPayload {
                client_mutation_id: cmid,
                enrolment: Arc::new(r),
            })
    }

    /// Decides a possible duplicate of your unit: SAME_PERSON links the two individuals (both
    /// keep their records), DIFFERENT_PEOPLE closes the review. A reason is required.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn decide_duplicate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DecideDuplicateInput,
    ) -> GqlResult<DecideDuplicatePayload> {
        let claim = claim_of("decideDuplicate", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let id = input.review_id.0.clone();
        let decision = match input.decision {
            DuplicateDecision::SamePerson => Decision::SamePerson,
            DuplicateDecision::DifferentPeople => Decision::DifferentPeople,
        };
        let (s, id2, reason, version) = (scope.clone(), id.clone(), input.reason, input.version);
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            store::decide(conn, &s, &id2, version, decision, &reason).map(|v| v.id)
        })
        .await;
        audit_refusal(ctx, "decide_duplicate", Some(&id), outcome)
            .await
            .map(|review_id| DecideDuplicatePayload {
                client_mutation_id: input.client_mutation_id,
                review_id,
            })
    }
}

async fn enrol(ctx: &Context<'_>, input: EnrolBiometricsInput) -> Result<EnrolmentResult> {
    let claim = claim_of("enrolBiometrics", &input.client_mutation_id, &input);
    let scope = scope(ctx)?.clone();
    let st = state(ctx).clone();
    let svc = service(ctx)?;
    scope.require(crate::domain::access::Permission::EnrolBiometrics)?;
    // A retry (after a timeout, or from the offline queue) must not pay for extraction again.
    if let Some(done) = stored::<EnrolmentResult>(&st.db, scope.user_id(), &claim).await? {
        return Ok(done);
    }
    let transaction_id = input.transaction_id.trim().to_string();
    if transaction_id.is_empty() || transaction_id.len() > 128 {
        return Err(Error::validation(
            "transactionId",
            "the SBI transaction id must be 1 to 128 characters",
        ));
    }
    if input.samples.is_empty() {
        return Err(Error::validation(
            "samples",
            "send at least one sample; record positions without one as exceptions",
        ));
    }
    check_positions(
        input
            .samples
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("samples.{i}.position"), s.position.into()))
            .chain(
                input
                    .exceptions
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (format!("exceptions.{i}.position"), e.position.into())),
            ),
    )?;
    let mut records = Vec::with_capacity(input.samples.len());
    let mut rest = Vec::with_capacity(input.samples.len());
    for (i, s) in input.samples.into_iter().enumerate() {
        let position: Position = s.position.into();
        if !(0..=100).contains(&s.quality) {
            return Err(Error::validation(
                format!("samples.{i}.quality"),
                "quality is the device's score from 0 to 100",
            ));
        }
        if s.device_record.len() > MAX_DEVICE_RECORD_BYTES {
            return Err(Error::validation(
                format!("samples.{i}.deviceRecord"),
                format!(
                    "the device record is larger than {} MiB",
                    MAX_DEVICE_RECORD_BYTES >> 20
                ),
            ));
        }
        let field = format!("samples.{i}.record");
        let bytes = decode_record(&field, &s.record)?;
        verify_device_record(
            &st.device_trust,
            position,
            &transaction_id,
            &s.device_record,
            &bytes,
        )
        .map_err(|reason| {
            Error::validation(
                format!("samples.{i}.deviceRecord"),
                format!("{}: {reason}", position.contract_name()),
            )
        })?;
        rest.push((position, s.quality, s.device_record, bytes.clone()));
        records.push((field, position, bytes));
    }
    let exceptions: Vec<ExceptionRecord> = input
        .exceptions
        .iter()
        .map(|e| ExceptionRecord {
            position: e.position.into(),
            reason: e.reason.as_str().to_string(),
            note: e
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| n.chars().take(500).collect()),
        })
        .collect();
    // Refuse an individual out of scope or already enrolled before the costly extraction.
    let (s, individual) = (scope.clone(), input.individual_id.0.clone());
    st.db
        .read(move |c| store::check_enrolable(c, &s, &individual))
        .await?;
    let derived = derive_all(records).await?;
    let mut samples = Vec::with_capacity(rest.len());
    let mut probe = Vec::new();
    for ((position, quality, device_record, record), d) in rest.into_iter().zip(derived) {
        if let Some(d) = &d {
            probe.push((position, d.template.clone()));
        }
        samples.push(NewSample {
            position,
            quality,
            record,
            device_record,
            template: d.map(|d| (d.template, d.algorithm_version)),
        });
    }
    let probe = Arc::new(probe);
    let _one_at_a_time = svc.enrolment.lock().await;
    // Taken before the search: what was enrolled after it is compared inside the lock below.
    let mark = st.follower.gallery_mark();
    let (compared, matches) = deduplicate(ctx, &svc, probe.clone()).await?;
    let new = NewEnrolment {
        individual_id: input.individual_id.0.clone(),
        transaction_id,
        captured_at: input.captured_at.naive_utc(),
        samples,
        exceptions,
    };
    let (s, keys_svc, follower_of) = (scope.clone(), svc.clone(), st.clone());
    let searched = probe.clone();
    let result = run_once(&st.db, &scope, claim, move |conn| {
        // Enrolments through every server process queue here until commit, and each compares
        // with everything enrolled after the gallery it searched was current: two enrolments
        // of one person at the same moment, through two processes, find each other whether or
        // not the follower has meanwhile brought the gallery up to date.
        crate::store::dialect::enrolment_lock(conn)?;
        let since = follower_of
            .follower
            .enrolled_after(conn, &keys_svc.keys, &mark)?;
        let op = keys_svc.operating_point();
        let mut matches = matches;
        for (reference, templates) in &since {
            let c = gallery::compare(&searched, templates, &op);
            if c.is_duplicate() && !matches.iter().any(|(m, _)| m == reference) {
                matches.push((*reference, c));
            }
        }
        matches.sort_by(|a, b| b.1.fused.total_cmp(&a.1.fused).then(a.0.cmp(&b.0)));
        store::enrol(
            conn,
            &s,
            &keys_svc.keys,
            &new,
            compared + since.len(),
            &matches,
        )
    })
    .await?;
    let (reference, s) = (result.reference_id as u64, svc.clone());
    blocking(move || {
        s.add(reference, &probe);
        Ok(())
    })
    .await?;
    Ok(result)
}
