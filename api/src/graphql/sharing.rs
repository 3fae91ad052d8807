//! Sharing between operation units over GraphQL: data sharing agreements (recorded by a unit
//! admin, read by both units), consent records, and referrals: `referPerson` under an agreement
//! in force with the person's consent, `referrals(direction: RECEIVED | SENT)`, and the
//! receiving unit's `acceptReferral` / `declineReferral`. These belong to no module: every unit
//! may refer and be referred to. The sending unit sees the outcome and nothing else of the
//! other unit.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::connection::{PageInfo, offset_info, offset_page};
use super::context::{GqlResult, audit_refusal, claim_of, gql, scope, scoped_read, state};
use super::types::{Individual, load_individual, utc};
use crate::domain::sharing::{Purpose, Terms};
use crate::error::Error;
use crate::store::DbConn;
use crate::store::idempotency::run_once;
use crate::store::sharing::{self as store, ConsentChoice, Direction};

/// One purpose of an agreement and the fields a referral for it may carry.
#[derive(SimpleObject)]
pub struct AgreementPurpose {
    /// assistance, resettlement, asylum or protection.
    pub purpose: String,
    /// The fields it carries: individual_number, given_names, family_name,
    /// second_family_name, sex, date_of_birth, nationalities, country_of_origin, marital_status.
    pub fields: Vec<String>,
}

/// A data sharing agreement between two operation units.
#[derive(SimpleObject)]
pub struct DataSharingAgreement {
    /// Its identifier; name it in `referPerson`.
    pub id: ID,
    /// Its title, e.g. "DPIN-UNHCR data sharing agreement 2026".
    pub title: String,
    /// The unit whose admin recorded it.
    pub recorded_by_unit: String,
    /// The other unit of the agreement, as seen from yours.
    pub with_unit: String,
    /// What referrals it covers, and what each may carry.
    pub purposes: Vec<AgreementPurpose>,
    /// First day in force.
    pub valid_from: NaiveDate,
    /// Last day in force.
    pub valid_until: NaiveDate,
    /// Whether it is in force today.
    pub in_force: bool,
    /// Its version.
    pub version: i32,
}

fn agreement_out(a: store::Agreement, my_unit: &str, today: NaiveDate) -> DataSharingAgreement {
    let with_unit = if a.row.unit_id == my_unit {
        a.partner_code.clone()
    } else {
        a.unit_code.clone()
    };
    DataSharingAgreement {
        id: ID(a.row.id.clone()),
        title: a.row.title.clone(),
        recorded_by_unit: a.unit_code.clone(),
        with_unit,
        purposes: a
            .terms
            .purposes
            .iter()
            .map(|p| AgreementPurpose {
                purpose: p.code.clone(),
                fields: p.fields.clone(),
            })
            .collect(),
        valid_from: a.terms.valid_from,
        valid_until: a.terms.valid_until,
        in_force: a.terms.in_force(today),
        version: a.row.version,
    }
}

/// A person's consent to be referred.
#[derive(SimpleObject)]
pub struct ReferralConsent {
    /// Its identifier; name it in `referPerson` or `withdrawReferralConsent`.
    pub id: ID,
    /// Who consented: the person, or a parent or guardian.
    pub given_by: String,
    /// When.
    pub given_on: NaiveDate,
    /// The purposes consented to.
    pub purposes: Vec<String>,
    /// When it was withdrawn; nothing more is shared under it from then.
    pub withdrawn_on: Option<NaiveDate>,
    /// Its version (send it with `withdrawConsent`).
    pub version: i32,
}

impl From<store::ConsentRow> for ReferralConsent {
    fn from(c: store::ConsentRow) -> Self {
        Self {
            id: ID(c.id),
            given_by: c.given_by,
            given_on: c.given_on,
            purposes: c.purposes.split(',').map(str::to_string).collect(),
            withdrawn_on: c.withdrawn_on,
            version: c.version,
        }
    }
}

/// Which side of referrals to list.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReferralDirection {
    /// Referrals other units sent to yours.
    Received,
    /// Referrals your unit sent.
    Sent,
}

/// Where a referral stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReferralStatus {
    /// Waiting for the receiving unit.
    Pending,
    /// The receiving unit took the person on.
    Accepted,
    /// The receiving unit declined.
    Declined,
}

impl ReferralStatus {
    fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Pending => store::PENDING,
            ReferralStatus::Accepted => store::ACCEPTED,
            ReferralStatus::Declined => store::DECLINED,
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            store::ACCEPTED => ReferralStatus::Accepted,
            store::DECLINED => ReferralStatus::Declined,
            _ => ReferralStatus::Pending,
        }
    }
}

/// How a referral came about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReferralKind {
    /// A caseworker referred the person under a data sharing agreement.
    Referral,
    /// Enrolment found a possible biometric duplicate of one of your unit's people in another
    /// unit; nothing is shared.
    Biometric,
}

/// One field a referral carried.
#[derive(SimpleObject)]
pub struct SharedField {
    /// The field's name (see AgreementPurpose.fields).
    pub field: String,
    /// Its value as the sending unit held it.
    pub value: String,
}

/// A referral between units, as your side sees it.
pub struct Referral(store::Referral);

/// A referral between units. The receiving unit sees the fields carried and its answer; the
/// sending unit sees only the outcome.
#[Object]
impl Referral {
    /// Its identifier.
    async fn id(&self) -> ID {
        ID(self.0.row.id.clone())
    }
    /// The reference both units quote, e.g. RF-3FA91C0D22.
    async fn reference(&self) -> &str {
        &self.0.row.reference
    }
    /// How it came about.
    async fn kind(&self) -> ReferralKind {
        if self.0.row.kind == "biometric" {
            ReferralKind::Biometric
        } else {
            ReferralKind::Referral
        }
    }
    /// Whether your unit received or sent it.
    async fn direction(&self) -> ReferralDirection {
        match self.0.direction {
            Direction::Received => ReferralDirection::Received,
            Direction::Sent => ReferralDirection::Sent,
        }
    }
    /// The other unit's code.
    async fn other_unit(&self) -> &str {
        &self.0.other_unit
    }
    /// Why: assistance, resettlement, asylum or protection (None for biometric referrals).
    async fn purpose(&self) -> Option<&str> {
        self.0.row.purpose.as_deref()
    }
    /// Where it stands.
    async fn status(&self) -> ReferralStatus {
        ReferralStatus::parse(&self.0.row.status)
    }
    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.row.created_at)
    }
    /// When the receiving unit answered.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.decided_at.map(utc)
    }
    /// The fields it carried, exactly those the agreement lets its purpose carry (received
    /// referrals only; empty once the person withdrew consent before it was answered).
    async fn shared_fields(&self) -> Vec<SharedField> {
        self.0
            .shared
            .iter()
            .map(|(f, v)| SharedField {
                field: f.clone(),
                value: v.clone(),
            })
            .collect()
    }
    /// The person withdrew the consent it rests on.
    async fn consent_withdrawn(&self) -> bool {
        self.0.consent_withdrawn
    }
    /// The sender's note (received referrals only).
    async fn note(&self) -> Option<&str> {
        match self.0.direction {
            Direction::Received => self.0.row.note.as_deref(),
            Direction::Sent => None,
        }
    }
    /// Why your unit declined it (received referrals only).
    async fn decline_reason(&self) -> Option<&str> {
        match self.0.direction {
            Direction::Received => self.0.row.decline_reason.as_deref(),
            Direction::Sent => None,
        }
    }
    /// Your unit's person: the one referred (sent), or the one created or linked on
    /// acceptance, or the enrolled one a biometric referral names (received).
    async fn individual_id(&self) -> Option<ID> {
        match self.0.direction {
            Direction::Received => self.0.row.receiving_individual_id.clone().map(ID),
            Direction::Sent => self.0.row.individual_id.clone().map(ID),
        }
    }
    /// That person's record (None outside your scope).
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        let id = match self.0.direction {
            Direction::Received => self.0.row.receiving_individual_id.clone(),
            Direction::Sent => self.0.row.individual_id.clone(),
        };
        match id {
            Some(id) => load_individual(ctx, &id).await,
            None => Ok(None),
        }
    }
    /// The version to send with acceptReferral or declineReferral.
    async fn version(&self) -> i32 {
        self.0.row.version
    }
}

/// A page of referrals.
#[derive(SimpleObject)]
pub struct ReferralPage {
    /// The referrals of this page.
    pub nodes: Vec<Referral>,
    /// Paging information.
    pub page_info: PageInfo,
}

async fn today(ctx: &Context<'_>) -> GqlResult<NaiveDate> {
    let scope = scope(ctx).map_err(gql)?.clone();
    state(ctx)
        .db
        .read(move |c| crate::store::protection::today(c, &scope))
        .await
        .map_err(gql)
}

/// Reads of agreements, consents and referrals.
#[derive(Default)]
pub struct SharingQuery;

/// Reads of agreements, consents and referrals.
#[Object]
impl SharingQuery {
    /// The data sharing agreements your unit is party to (recorded by your admin or the other
    /// unit's), latest first.
    async fn data_sharing_agreements(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<DataSharingAgreement>> {
        let today = today(ctx).await?;
        let rows = scoped_read(ctx, "list_agreements", None, |c, s, _| {
            store::agreements(c, s)
        })
        .await?;
        let unit = scope(ctx).map_err(gql)?.unit_id().to_string();
        Ok(rows
            .into_iter()
            .map(|a| agreement_out(a, &unit, today))
            .collect())
    }

    /// A person's consents to be referred, latest first.
    async fn referral_consents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person.")] individual_id: ID,
    ) -> GqlResult<Vec<ReferralConsent>> {
        let id = individual_id.0.clone();
        let rows = scoped_read(
            ctx,
            "list_consents",
            Some(&individual_id.0),
            move |c, s, r| store::consents_of(c, s, r, &id),
        )
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Referrals your unit received or sent, latest first. Every read is audited.
    #[graphql(complexity = "crate::graphql::page_cost(first, 20, child_complexity)")]
    async fn referrals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "RECEIVED or SENT.")] direction: ReferralDirection,
        #[graphql(desc = "Only referrals in this state.")] status: Option<ReferralStatus>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last page's endCursor.")] after: Option<String>,
    ) -> GqlResult<ReferralPage> {
        let (first, offset) = offset_page(first, after.as_deref()).map_err(gql)?;
        let dir = match direction {
            ReferralDirection::Received => Direction::Received,
            ReferralDirection::Sent => Direction::Sent,
        };
        let status = status.map(ReferralStatus::as_str);
        let (rows, more) = scoped_read(ctx, "list_referrals", None, move |c, s, r| {
            store::list(c, s, r, dir, status, first, offset)
        })
        .await?;
        Ok(ReferralPage {
            page_info: offset_info(offset, rows.len(), more),
            nodes: rows.into_iter().map(Referral).collect(),
        })
    }

    /// One referral of your unit, received or sent (NOT_FOUND otherwise).
    async fn referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral's id.")] id: ID,
    ) -> GqlResult<Referral> {
        let rid = id.0.clone();
        scoped_read(ctx, "read", Some(&id.0), move |c, s, r| {
            store::get(c, s, r, &rid)
        })
        .await
        .map(Referral)
    }
}

/// A purpose of an agreement being recorded.
#[derive(InputObject)]
pub struct AgreementPurposeInput {
    /// assistance, resettlement, asylum or protection.
    pub purpose: String,
    /// The fields a referral for it may carry (see AgreementPurpose.fields).
    pub fields: Vec<String>,
}

/// The input of `recordDataSharingAgreement`.
#[derive(InputObject)]
pub struct RecordDataSharingAgreementInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The other unit's code, e.g. UNHCR.
    pub partner_unit_code: String,
    /// A title, at most 200 characters.
    pub title: String,
    /// What referrals it covers and what each may carry.
    pub purposes: Vec<AgreementPurposeInput>,
    /// First day in force.
    pub valid_from: NaiveDate,
    /// Last day in force.
    pub valid_until: NaiveDate,
}

/// The input of `recordReferralConsent`.
#[derive(InputObject)]
pub struct RecordReferralConsentInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The person.
    pub individual_id: ID,
    /// Who consented: the person, or a parent or guardian.
    pub given_by: String,
    /// When (today or earlier).
    pub given_on: NaiveDate,
    /// The purposes consented to: assistance, resettlement, asylum, protection.
    pub purposes: Vec<String>,
}

/// The input of `withdrawReferralConsent`.
#[derive(InputObject)]
pub struct WithdrawReferralConsentInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The consent.
    pub consent_id: ID,
    /// Its version as you read it.
    pub version: i32,
}

/// A consent given now, recorded with the referral.
#[derive(InputObject)]
pub struct ConsentGivenInput {
    /// Who consented: the person, or a parent or guardian.
    pub given_by: String,
    /// When (today or earlier).
    pub given_on: NaiveDate,
}

/// The input of `referPerson`.
#[derive(InputObject)]
pub struct ReferPersonInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The person, in your scope.
    pub individual_id: ID,
    /// The data sharing agreement (in force) with the unit referred to.
    pub agreement_id: ID,
    /// assistance, resettlement, asylum or protection: one the agreement covers.
    pub purpose: String,
    /// A consent already recorded for this purpose; or give `consent`.
    pub consent_id: Option<ID>,
    /// The consent given now for this purpose; or name `consentId`.
    pub consent: Option<ConsentGivenInput>,
    /// The fields to carry; every one must be carried by the purpose. Empty: all of them.
    #[graphql(default)]
    pub fields: Vec<String>,
    /// A note for the receiving unit.
    pub note: Option<String>,
}

/// The input of `acceptReferral`.
#[derive(InputObject)]
pub struct AcceptReferralInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The referral received.
    pub referral_id: ID,
    /// Its version as you read it.
    pub version: i32,
    /// A person of your unit to link it to; left out, the person is registered from the
    /// fields carried (a biometric referral links to your enrolled person).
    pub individual_id: Option<ID>,
}

/// The input of `declineReferral`.
#[derive(InputObject)]
pub struct DeclineReferralInput {
    /// Your id for this request; a retry with the same id acts only once.
    pub client_mutation_id: String,
    /// The referral received.
    pub referral_id: ID,
    /// Its version as you read it.
    pub version: i32,
    /// Why (kept in your unit).
    pub reason: String,
}

/// After an agreement was recorded.
#[derive(Serialize, Deserialize)]
pub struct AgreementPayload {
    client_mutation_id: String,
    agreement_id: String,
}

/// After an agreement was recorded.
#[Object]
impl AgreementPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The agreement.
    async fn agreement(&self, ctx: &Context<'_>) -> GqlResult<Option<DataSharingAgreement>> {
        let today = today(ctx).await?;
        let rows = scoped_read(ctx, "list_agreements", None, |c, s, _| {
            store::agreements(c, s)
        })
        .await?;
        let unit = scope(ctx).map_err(gql)?.unit_id().to_string();
        Ok(rows
            .into_iter()
            .find(|a| a.row.id == self.agreement_id)
            .map(|a| agreement_out(a, &unit, today)))
    }
}

/// After a consent was recorded or withdrawn.
#[derive(Serialize, Deserialize)]
pub struct ConsentPayload {
    client_mutation_id: String,
    consent_id: String,
}

/// After a consent was recorded or withdrawn.
#[Object]
impl ConsentPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The consent as it is now.
    async fn consent(&self, ctx: &Context<'_>) -> GqlResult<Option<ReferralConsent>> {
        let id = self.consent_id.clone();
        let row = scoped_read(ctx, "read", None, move |c, s, r| {
            let row = store::consent(c, s, &id)?;
            r.record("consent", std::iter::once(row.id.clone()));
            Ok(row)
        })
        .await?;
        Ok(Some(row.into()))
    }
}

/// After a referral was sent, accepted or declined.
#[derive(Serialize, Deserialize)]
pub struct ReferralPayload {
    client_mutation_id: String,
    referral_id: String,
}

/// After a referral was sent, accepted or declined.
#[Object]
impl ReferralPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// The referral as your side sees it now.
    async fn referral(&self, ctx: &Context<'_>) -> GqlResult<Option<Referral>> {
        let id = self.referral_id.clone();
        scoped_read(ctx, "read", None, move |c, s, r| store::get(c, s, r, &id))
            .await
            .map(|r| Some(Referral(r)))
    }
}

/// Writes of agreements, consents and referrals.
#[derive(Default)]
pub struct SharingMutation;

/// Writes of agreements, consents and referrals.
#[Object]
impl SharingMutation {
    /// Record a data sharing agreement with another unit (unit admins); both units see it.
    async fn record_data_sharing_agreement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordDataSharingAgreementInput,
    ) -> GqlResult<AgreementPayload> {
        let claim = claim_of(
            "recordDataSharingAgreement",
            &input.client_mutation_id,
            &input,
        );
        let new = store::NewAgreement {
            partner_unit_code: input.partner_unit_code,
            title: input.title,
            terms: Terms {
                purposes: input
                    .purposes
                    .into_iter()
                    .map(|p| Purpose {
                        code: p.purpose,
                        fields: p.fields,
                    })
                    .collect(),
                valid_from: input.valid_from,
                valid_until: input.valid_until,
            },
        };
        let scope = scope(ctx)?.clone();
        let st = state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            Ok(AgreementPayload {
                client_mutation_id: cmid,
                agreement_id: store::record_agreement(conn, &s, &new)?,
            })
        })
        .await;
        audit_refusal(ctx, "recordDataSharingAgreement", None, outcome).await
    }

    /// Record a person's consent to be referred for some purposes.
    async fn record_referral_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RecordReferralConsentInput,
    ) -> GqlResult<ConsentPayload> {
        let claim = claim_of("recordReferralConsent", &input.client_mutation_id, &input);
        let new = store::NewConsent {
            individual_id: input.individual_id.0.clone(),
            given_by: input.given_by,
            given_on: input.given_on,
            purposes: input.purposes,
        };
        let scope = scope(ctx)?.clone();
        let st = state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            Ok(ConsentPayload {
                client_mutation_id: cmid,
                consent_id: store::record_consent(conn, &s, &new)?,
            })
        })
        .await;
        audit_refusal(
            ctx,
            "recordReferralConsent",
            Some(&input.individual_id.0),
            outcome,
        )
        .await
    }

    /// Withdraw a consent: nothing more is shared under it, and referrals not yet answered
    /// stop showing what they carried.
    async fn withdraw_referral_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: WithdrawReferralConsentInput,
    ) -> GqlResult<ConsentPayload> {
        let claim = claim_of("withdrawReferralConsent", &input.client_mutation_id, &input);
        let scope = scope(ctx)?.clone();
        let st = state(ctx).clone();
        let (s, cmid, id, version) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            input.consent_id.0.clone(),
            input.version,
        );
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            store::withdraw_consent(conn, &s, &id, version)?;
            Ok(ConsentPayload {
                client_mutation_id: cmid,
                consent_id: id,
            })
        })
        .await;
        audit_refusal(
            ctx,
            "withdrawReferralConsent",
            Some(&input.consent_id.0),
            outcome,
        )
        .await
    }

    /// Refer a person to the other unit of a data sharing agreement: refused unless the
    /// agreement is in force and covers the purpose, the person's consent stands (named or given
    /// now), and every field asked for is one the purpose carries.
    async fn refer_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ReferPersonInput,
    ) -> GqlResult<ReferralPayload> {
        let claim = claim_of("referPerson", &input.client_mutation_id, &input);
        let consent = match (input.consent_id, input.consent) {
            (Some(_), Some(_)) => {
                return Err(gql(Error::validation(
                    "input.consent",
                    "name a recorded consent or give one now, not both",
                )));
            }
            (Some(id), None) => Some(ConsentChoice::Recorded(id.0)),
            (None, Some(c)) => Some(ConsentChoice::GivenNow {
                given_by: c.given_by,
                given_on: c.given_on,
            }),
            (None, None) => None,
        };
        let new = store::NewReferral {
            individual_id: input.individual_id.0.clone(),
            agreement_id: input.agreement_id.0,
            purpose: input.purpose,
            consent,
            fields: input.fields,
            note: input.note,
        };
        let scope = scope(ctx)?.clone();
        let st = state(ctx).clone();
        let (s, cmid) = (scope.clone(), input.client_mutation_id.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            Ok(ReferralPayload {
                client_mutation_id: cmid,
                referral_id: store::refer(conn, &s, &new)?.id,
            })
        })
        .await;
        audit_refusal(ctx, "referPerson", Some(&input.individual_id.0), outcome).await
    }

    /// Accept a referral received: link it to a person of your unit, or register the person
    /// from the fields it carried. The sending unit sees that it was accepted.
    async fn accept_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AcceptReferralInput,
    ) -> GqlResult<ReferralPayload> {
        let claim = claim_of("acceptReferral", &input.client_mutation_id, &input);
        let scope = scope(ctx)?.clone();
        let st = state(ctx).clone();
        let (s, cmid, id, version, link) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            input.referral_id.0.clone(),
            input.version,
            input.individual_id.map(|i| i.0),
        );
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            store::accept(conn, &s, &id, version, link.as_deref())?;
            Ok(ReferralPayload {
                client_mutation_id: cmid,
                referral_id: id,
            })
        })
        .await;
        audit_refusal(ctx, "acceptReferral", Some(&input.referral_id.0), outcome).await
    }

    /// Decline a referral received, saying why (the reason stays in your unit; the sending
    /// unit sees that it was declined).
    async fn decline_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeclineReferralInput,
    ) -> GqlResult<ReferralPayload> {
        let claim = claim_of("declineReferral", &input.client_mutation_id, &input);
        let scope = scope(ctx)?.clone();
        let st = state(ctx).clone();
        let (s, cmid, id, version, reason) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            input.referral_id.0.clone(),
            input.version,
            input.reason.clone(),
        );
        let outcome = run_once(&st.db, &scope, claim, move |conn: &mut DbConn| {
            store::decline(conn, &s, &id, version, &reason)?;
            Ok(ReferralPayload {
                client_mutation_id: cmid,
                referral_id: id,
            })
        })
        .await;
        audit_refusal(ctx, "declineReferral", Some(&input.referral_id.0), outcome).await
    }
}
