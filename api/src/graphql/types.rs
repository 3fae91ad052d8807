//! The objects of the API. Each wraps a store row; nested fields load through the store with the
//! caller's scope, and sensitive fields come back null unless the caller's roles include them.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::batch::{self, Batch};
use super::context::{GqlResult, audit_refusal, gql, scope, scoped_read, state};
use crate::domain::access::FieldGroup;
use crate::store::audit::AuditEvent as AuditRow;
use crate::store::queries;
use crate::store::rows::*;
use crate::store::users;

/// What a nested list counts for in a request's complexity: lists have no `first`, so each is
/// assumed to hold this many items.
pub const LIST_COST: usize = 10;

/// Loads through the request's batch: `None` when the request has none (then the caller reads
/// one record by itself), else the loader's answer.
async fn batched<K, V>(ctx: &Context<'_>, key: K) -> Option<GqlResult<Option<V>>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Batch: async_graphql::dataloader::Loader<K, Value = Option<V>, Error = crate::error::Error>,
{
    let loader = batch::loader(ctx)?;
    Some(loader.load_one(key).await.map(Option::flatten).map_err(gql))
}

/// One individual by id, scoped and audited; None when outside the caller's scope.
pub(crate) async fn load_individual(ctx: &Context<'_>, id: &str) -> GqlResult<Option<Individual>> {
    if let Some(l) = batch::loader(ctx) {
        let found = l
            .load_one(batch::PersonKey(id.to_string()))
            .await
            .map(Option::flatten);
        return audit_refusal(ctx, "read", None, found)
            .await
            .map(|o| o.map(Individual::from));
    }
    let id = id.to_string();
    scoped_read(ctx, "read", None, move |c, s, r| {
        queries::individual(c, s, r, &id)
    })
    .await
    .map(|o| o.map(Individual::from))
}

/// One registration group by id, scoped and audited; None when outside the caller's scope.
pub(crate) async fn load_group(
    ctx: &Context<'_>,
    id: &str,
) -> GqlResult<Option<RegistrationGroup>> {
    if let Some(l) = batch::loader(ctx) {
        let found = l
            .load_one(batch::GroupKey(id.to_string()))
            .await
            .map(Option::flatten);
        return audit_refusal(ctx, "read", None, found)
            .await
            .map(|o| o.map(RegistrationGroup));
    }
    let id = id.to_string();
    scoped_read(ctx, "read", None, move |c, s, r| {
        queries::group(c, s, r, &id)
    })
    .await
    .map(|o| o.map(RegistrationGroup))
}

/// An office by id, through the request's batch when it has one.
async fn office_of(ctx: &Context<'_>, id: &str) -> GqlResult<Office> {
    if let Some(found) = batched(ctx, batch::OfficeKey(id.to_string())).await {
        return found?
            .map(Into::into)
            .ok_or_else(|| gql(crate::error::Error::not_found("office")));
    }
    let id = id.to_string();
    state(ctx)
        .db
        .read(move |c| users::office(c, &id))
        .await
        .map(Into::into)
        .map_err(gql)
}

pub(crate) fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// An operation unit: an independent tenant (a government directorate, an agency).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct OperationUnit {
    /// The unit's identifier.
    pub id: ID,
    /// Short code, e.g. DPIN.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Kind of organisation: government, unhcr, partner.
    pub kind: String,
    /// Modules enabled for the unit (registration, rsd, assistance, protection, resettlement).
    pub modules: Vec<String>,
    /// The unit's time zone (IANA name, e.g. America/Guayaquil); see also `workingHours`.
    pub time_zone: String,
}

#[async_graphql::ComplexObject]
impl OperationUnit {
    /// The unit's working hours and days, in its time zone.
    async fn working_hours(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<super::calendar::WorkingCalendar> {
        super::calendar::calendar_of(ctx, self.id.to_string(), self.time_zone.clone()).await
    }

    /// Whether a field node was ever registered for your unit (revoked ones count: the
    /// conflicts they left stay to resolve), so a client offers sync conflicts only where
    /// there can be some. False for any other unit.
    async fn has_field_nodes(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let s = scope(ctx).map_err(gql)?;
        if s.unit_id() != self.id.as_str() {
            return Ok(false);
        }
        let unit = self.id.to_string();
        state(ctx)
            .db
            .read(move |c| crate::store::sync::unit_has_nodes(c, &unit))
            .await
            .map_err(gql)
    }
}

impl From<users::Unit> for OperationUnit {
    fn from(u: users::Unit) -> Self {
        let modules = u.module_list();
        Self {
            id: ID(u.id),
            code: u.code,
            name: u.name,
            kind: u.kind,
            modules,
            time_zone: u.time_zone,
        }
    }
}

/// A location of an operation unit.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Office {
    /// The office's identifier.
    pub id: ID,
    /// Short code, e.g. UIO.
    pub code: String,
    /// Name, e.g. Quito.
    pub name: String,
    /// The office's time zone (IANA name: America/Guayaquil, Pacific/Galapagos); times the API
    /// returns are UTC and are shown to users in this zone.
    pub time_zone: String,
    #[graphql(skip)]
    pub unit_id: String,
}

impl From<users::Office> for Office {
    fn from(o: users::Office) -> Self {
        Self {
            id: ID(o.id),
            code: o.code,
            name: o.name,
            time_zone: o.time_zone,
            unit_id: o.operation_unit_id,
        }
    }
}

/// The logged-in user.
pub struct Me(pub users::User);

/// The logged-in user.
#[Object]
impl Me {
    /// The user's identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Login name.
    async fn username(&self) -> &str {
        &self.0.username
    }
    /// Name shown to colleagues.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Roles, e.g. eligibility_officer, supervisor.
    async fn roles(&self) -> Vec<String> {
        self.0
            .roles
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect()
    }
    /// How far the user's view reaches: unit, office or own (assigned cases).
    async fn scope_level(&self) -> &str {
        &self.0.scope_level
    }
    /// The user's operation unit.
    async fn operation_unit(&self, ctx: &Context<'_>) -> GqlResult<OperationUnit> {
        let id = self.0.operation_unit_id.clone();
        state(ctx)
            .db
            .read(move |c| users::unit(c, &id))
            .await
            .map(Into::into)
            .map_err(gql)
    }
    /// The user's office, if any.
    async fn office(&self, ctx: &Context<'_>) -> GqlResult<Option<Office>> {
        let Some(id) = self.0.office_id.clone() else {
            return Ok(None);
        };
        state(ctx)
            .db
            .read(move |c| users::office(c, &id))
            .await
            .map(|o| Some(o.into()))
            .map_err(gql)
    }
}

/// A named API token (its secret is shown only when created).
#[derive(SimpleObject, Clone)]
pub struct ApiToken {
    /// The token's identifier, used to revoke it.
    pub id: ID,
    /// The name its owner gave it.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<users::Session> for ApiToken {
    fn from(s: users::Session) -> Self {
        Self {
            id: ID(s.id),
            name: s.name.unwrap_or_default(),
            created_at: utc(s.created_at),
            last_used_at: utc(s.last_used_at),
            expires_at: utc(s.expires_at),
            revoked_at: s.revoked_at.map(utc),
        }
    }
}

/// A person registered with the operation unit.
#[derive(Clone)]
pub struct Individual(pub Arc<IndividualRow>);

impl From<IndividualRow> for Individual {
    fn from(r: IndividualRow) -> Self {
        Self(Arc::new(r))
    }
}

fn sees(ctx: &Context<'_>, g: FieldGroup) -> bool {
    scope(ctx).map(|s| s.sees(g)).unwrap_or(false)
}

/// A person registered with the operation unit.
#[Object]
impl Individual {
    /// The individual's identifier (UUIDv7).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Registry number, e.g. DPIN-I-0000123.
    async fn individual_number(&self) -> &str {
        &self.0.individual_number
    }
    /// Identifier in the database this record was migrated from.
    async fn legacy_id(&self) -> Option<&str> {
        self.0.legacy_id.as_deref()
    }
    /// Given name(s), in Latin script.
    async fn given_names(&self) -> &str {
        &self.0.given_names
    }
    /// Middle name.
    async fn middle_name(&self) -> Option<&str> {
        self.0.middle_name.as_deref()
    }
    /// Family name (the father's, where people carry two).
    async fn family_name(&self) -> Option<&str> {
        self.0.family_name.as_deref()
    }
    /// Second family name (the mother's, in Latin American naming).
    async fn second_family_name(&self) -> Option<&str> {
        self.0.second_family_name.as_deref()
    }
    /// Father's given name (Arabic naming).
    async fn fathers_name(&self) -> Option<&str> {
        self.0.fathers_name.as_deref()
    }
    /// Grandfather's given name (Arabic naming).
    async fn grandfathers_name(&self) -> Option<&str> {
        self.0.grandfathers_name.as_deref()
    }
    /// The full name in its original script (e.g. Arabic, Persian).
    async fn original_script_name(&self) -> Option<&str> {
        self.0.original_script_name.as_deref()
    }
    /// Other names the person is known by.
    async fn aliases(&self) -> Option<&str> {
        self.0.aliases.as_deref()
    }
    /// Given and family names joined, for display.
    async fn full_name(&self) -> String {
        [
            Some(self.0.given_names.as_str()),
            self.0.middle_name.as_deref(),
            self.0.family_name.as_deref(),
            self.0.second_family_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }
    /// Sex: F, M or X.
    async fn sex(&self) -> Option<&str> {
        self.0.sex.as_deref()
    }
    /// Date of birth; see dateOfBirthPrecision for how exact it is.
    async fn date_of_birth(&self) -> Option<NaiveDate> {
        self.0.date_of_birth
    }
    /// exact, year_only or estimated.
    async fn date_of_birth_precision(&self) -> Option<&str> {
        self.0.date_of_birth_precision.as_deref()
    }
    /// Place of birth.
    async fn place_of_birth(&self) -> Option<&str> {
        self.0.place_of_birth.as_deref()
    }
    /// Marital status.
    async fn marital_status(&self) -> Option<&str> {
        self.0.marital_status.as_deref()
    }
    /// Nationalities as ISO 3166 alpha-3 codes (XXA stateless, XXX undetermined).
    async fn nationalities(&self) -> Vec<String> {
        self.0.nationality_list()
    }
    /// Country of origin (ISO 3166 alpha-3).
    async fn country_of_origin(&self) -> Option<&str> {
        self.0.country_of_origin.as_deref()
    }
    /// Ethnicity; null unless the caller's roles include ethnicity (see restrictedFields).
    async fn ethnicity(&self, ctx: &Context<'_>) -> Option<String> {
        sees(ctx, FieldGroup::Ethnicity)
            .then(|| self.0.ethnicity.clone())
            .flatten()
    }
    /// Religion; null unless the caller's roles include religion (see restrictedFields).
    async fn religion(&self, ctx: &Context<'_>) -> Option<String> {
        sees(ctx, FieldGroup::Religion)
            .then(|| self.0.religion.clone())
            .flatten()
    }
    /// Fields withheld from this caller because of their sensitivity.
    async fn restricted_fields(&self, ctx: &Context<'_>) -> Vec<String> {
        let mut out = Vec::new();
        if !sees(ctx, FieldGroup::Ethnicity) {
            out.push("ethnicity".to_string());
        }
        if !sees(ctx, FieldGroup::Religion) {
            out.push("religion".to_string());
        }
        out
    }
    /// Whether the person needs an interpreter.
    async fn needs_interpreter(&self) -> bool {
        self.0.needs_interpreter
    }
    /// Whether the person asked for an interviewer of the same sex.
    async fn same_sex_interviewer(&self) -> bool {
        self.0.same_sex_interviewer
    }
    /// Date of arrival in the country of asylum.
    async fn arrival_date(&self) -> Option<NaiveDate> {
        self.0.arrival_date
    }
    /// Point of entry into the country of asylum.
    async fn point_of_entry(&self) -> Option<&str> {
        self.0.point_of_entry.as_deref()
    }
    /// Date of registration.
    async fn registration_date(&self) -> NaiveDate {
        self.0.registration_date
    }
    /// Data-set level: emergency, basic or comprehensive.
    async fn dataset_level(&self) -> &str {
        &self.0.dataset_level
    }
    /// When the data was last verified with the person.
    async fn last_verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_verified_at.map(utc)
    }
    /// Whether the person consents to be contacted.
    async fn consent_to_contact(&self) -> bool {
        self.0.consent_to_contact
    }
    /// When the person was informed of their rights and of how their data is used.
    async fn information_given_at(&self) -> Option<DateTime<Utc>> {
        self.0.information_given_at.map(utc)
    }
    /// The office that registered the person.
    async fn office(&self, ctx: &Context<'_>) -> GqlResult<Office> {
        office_of(ctx, &self.0.office_id).await
    }
    /// Version for optimistic concurrency: send it back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
    /// Specific needs the caller may see (SV, TR and medical needs only for roles that include them).
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn specific_needs(&self, ctx: &Context<'_>) -> GqlResult<Vec<SpecificNeed>> {
        if let Some(found) = batched(ctx, batch::NeedsOf(self.0.id.clone())).await {
            let (visible, _) = found?.unwrap_or_default();
            return Ok(visible.into_iter().map(SpecificNeed).collect());
        }
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::needs_of(c, s, &id)
        })
        .await
        .map(|(v, _)| v.into_iter().map(SpecificNeed).collect())
    }
    /// How many specific needs were withheld from this caller because of their sensitivity.
    async fn withheld_specific_needs(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        if let Some(found) = batched(ctx, batch::NeedsOf(self.0.id.clone())).await {
            return Ok(found?.map_or(0, |(_, withheld)| withheld as i32));
        }
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::needs_of(c, s, &id)
        })
        .await
        .map(|(_, n)| n as i32)
    }
    /// Individuals an adjudicator found to be the same person as this one (biometric duplicates
    /// decided SAME_PERSON): linked, never merged.
    async fn linked_individual_ids(&self, ctx: &Context<'_>) -> GqlResult<Vec<ID>> {
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            crate::store::biometrics::linked_individuals(c, s, &id)
        })
        .await
        .map(|v| v.into_iter().map(ID).collect())
    }
    /// Identity documents.
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn documents(&self, ctx: &Context<'_>) -> GqlResult<Vec<Document>> {
        if let Some(found) = batched(ctx, batch::DocumentsOf(self.0.id.clone())).await {
            return Ok(found?
                .unwrap_or_default()
                .into_iter()
                .map(Document)
                .collect());
        }
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::documents_of(c, s, &id)
        })
        .await
        .map(|v| v.into_iter().map(Document).collect())
    }
    /// Addresses, current first; validTo is set on past ones.
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn addresses(&self, ctx: &Context<'_>) -> GqlResult<Vec<Address>> {
        if let Some(found) = batched(ctx, batch::AddressesOf(self.0.id.clone())).await {
            return Ok(found?
                .unwrap_or_default()
                .into_iter()
                .map(Address)
                .collect());
        }
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::addresses_of(c, s, &id)
        })
        .await
        .map(|v| v.into_iter().map(Address).collect())
    }
    /// Current phone numbers (a removed one is kept in the history of changes).
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn phones(&self, ctx: &Context<'_>) -> GqlResult<Vec<Phone>> {
        if let Some(found) = batched(ctx, batch::PhonesOf(self.0.id.clone())).await {
            return Ok(found?.unwrap_or_default().into_iter().map(Phone).collect());
        }
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::phones_of(c, s, &id)
        })
        .await
        .map(|v| v.into_iter().map(Phone).collect())
    }
    /// Languages: mother tongue, spoken, preferred for interviews.
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn languages(&self, ctx: &Context<'_>) -> GqlResult<Vec<Language>> {
        let rows = match batched(ctx, batch::LanguagesOf(self.0.id.clone())).await {
            Some(found) => found?.unwrap_or_default(),
            None => {
                let id = self.0.id.clone();
                scoped_read(ctx, "read", None, move |c, s, _| {
                    queries::languages_of(c, s, &id)
                })
                .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|l| Language {
                language: l.language,
                kind: l.kind,
            })
            .collect())
    }
    /// The person's current registration group and their relationship to its focal point.
    async fn group_membership(&self, ctx: &Context<'_>) -> GqlResult<Option<GroupMembership>> {
        if let Some(found) = batched(ctx, batch::MembershipOf(self.0.id.clone())).await {
            return Ok(found?.map(GroupMembership));
        }
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::current_group_of(c, s, &id)
        })
        .await
        .map(|o| o.map(|(_, m)| GroupMembership(m)))
    }
    /// Cases the person is a member of, that the caller may see.
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn cases(&self, ctx: &Context<'_>) -> GqlResult<Vec<Case>> {
        if let Some(found) = batched(ctx, batch::CasesOf(self.0.id.clone())).await {
            return Ok(found?
                .unwrap_or_default()
                .into_iter()
                .map(Case::from)
                .collect());
        }
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::cases_of_individual(c, s, &id)
        })
        .await
        .map(|v| v.into_iter().map(Case::from).collect())
    }
    /// The record's history: who changed what, and when.
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn history(&self, ctx: &Context<'_>) -> GqlResult<Vec<Event>> {
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::events_of(c, s, &id)
        })
        .await
        .map(|v| v.into_iter().map(Event).collect())
    }
}

/// Status of a specific need.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum NeedStatus {
    /// Flagged, waiting for protection staff to review.
    PendingReview,
    /// Reviewed and confirmed.
    Confirmed,
    /// No longer present.
    Resolved,
}

impl NeedStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "confirmed" => Self::Confirmed,
            "resolved" => Self::Resolved,
            _ => Self::PendingReview,
        }
    }
    pub fn to_domain(self) -> crate::domain::needs::NeedStatus {
        match self {
            Self::PendingReview => crate::domain::needs::NeedStatus::PendingReview,
            Self::Confirmed => crate::domain::needs::NeedStatus::Confirmed,
            Self::Resolved => crate::domain::needs::NeedStatus::Resolved,
        }
    }
}

/// A specific need (UNHCR standardized codes).
pub struct SpecificNeed(pub NeedRow);

/// A specific need (UNHCR standardized codes).
#[Object]
impl SpecificNeed {
    /// The need's identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Code, e.g. SC (unaccompanied or separated child).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Sub-code, e.g. SC-UC.
    async fn sub_code(&self) -> Option<&str> {
        self.0.sub_code.as_deref()
    }
    /// Review status.
    async fn status(&self) -> NeedStatus {
        NeedStatus::parse(&self.0.status)
    }
    /// Comments of the person who flagged or reviewed it.
    async fn comments(&self) -> Option<&str> {
        self.0.comments.as_deref()
    }
    /// Version of the codes catalogue the need was coded with.
    async fn catalogue_version(&self) -> &str {
        &self.0.catalogue_version
    }
    /// When it was identified.
    async fn identified_at(&self) -> DateTime<Utc> {
        utc(self.0.identified_at)
    }
    /// The user who identified it.
    async fn identified_by(&self) -> ID {
        ID(self.0.identified_by.clone())
    }
    /// When it was last reviewed.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at.map(utc)
    }
    /// The user who last reviewed it.
    async fn reviewed_by(&self) -> Option<ID> {
        self.0.reviewed_by.clone().map(ID)
    }
    /// Version for optimistic concurrency.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// An identity document.
pub struct Document(pub DocumentRow);

/// An identity document.
#[Object]
impl Document {
    /// The document's identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Type: passport, national_id, cedula, birth_certificate, ...
    async fn document_type(&self) -> &str {
        &self.0.document_type
    }
    /// Number as written on the document.
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// Issuing country (ISO 3166 alpha-3).
    async fn issuing_country(&self) -> Option<&str> {
        self.0.issuing_country.as_deref()
    }
    /// Date of issue.
    async fn issued_on(&self) -> Option<NaiveDate> {
        self.0.issued_on
    }
    /// Date of expiry.
    async fn expires_on(&self) -> Option<NaiveDate> {
        self.0.expires_on
    }
    /// Whether staff verified the original.
    async fn verified(&self) -> bool {
        self.0.verified
    }
    /// Version for optimistic concurrency.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// An address, with the period it was valid.
pub struct Address(pub AddressRow);

/// An address, with the period it was valid.
#[Object]
impl Address {
    /// The address's identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Kind: current, previous (in the host country), origin or transit.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// Street and number, or a description of the place.
    async fn line(&self) -> &str {
        &self.0.line
    }
    /// City.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }
    /// Province.
    async fn province(&self) -> Option<&str> {
        self.0.province.as_deref()
    }
    /// Country (ISO 3166 alpha-3).
    async fn country(&self) -> &str {
        &self.0.country
    }
    /// First day at this address.
    async fn valid_from(&self) -> NaiveDate {
        self.0.valid_from
    }
    /// Last day at this address, for past addresses.
    async fn valid_to(&self) -> Option<NaiveDate> {
        self.0.valid_to
    }
}

/// A phone number.
pub struct Phone(pub PhoneRow);

/// A phone number.
#[Object]
impl Phone {
    /// The phone's identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// The number.
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// Kind: mobile, home, work, relative.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// Whether the person agreed to be contacted on it.
    async fn consent_to_contact(&self) -> bool {
        self.0.consent_to_contact
    }
}

/// A language the person speaks.
#[derive(SimpleObject)]
pub struct Language {
    /// ISO 639-3 code, e.g. spa, prs, ara.
    pub language: String,
    /// mother_tongue, spoken or interview.
    pub kind: String,
}

/// Membership of an individual in a registration group.
pub struct GroupMembership(pub MembershipRow);

/// Membership of an individual in a registration group.
#[Object]
impl GroupMembership {
    /// Relationship to the group's focal point (focal_point for the focal point).
    async fn relationship(&self) -> &str {
        &self.0.relationship
    }
    /// When the membership began.
    async fn started_at(&self) -> DateTime<Utc> {
        utc(self.0.started_at)
    }
    /// When it ended (split, merge), for past memberships.
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended_at.map(utc)
    }
    /// Why it ended: split or merged.
    async fn end_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }
    /// The group.
    async fn group(&self, ctx: &Context<'_>) -> GqlResult<Option<RegistrationGroup>> {
        load_group(ctx, &self.0.group_id).await
    }
    /// The member (null if outside the caller's scope).
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        load_individual(ctx, &self.0.individual_id).await
    }
}

/// A household or family registered together, with a focal point.
pub struct RegistrationGroup(pub GroupRow);

/// A household or family registered together, with a focal point.
#[Object]
impl RegistrationGroup {
    /// The group's identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Registry number, e.g. DPIN-G-0000045.
    async fn group_number(&self) -> &str {
        &self.0.group_number
    }
    /// active, or closed (e.g. after being merged into another group).
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// Why the group was closed.
    async fn closed_reason(&self) -> Option<&str> {
        self.0.closed_reason.as_deref()
    }
    /// The office that registered the group.
    async fn office(&self, ctx: &Context<'_>) -> GqlResult<Office> {
        office_of(ctx, &self.0.office_id).await
    }
    /// Members with their relationship to the focal point; with history: true, past ones too.
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false, desc = "Include past members (split or merged away).")] history: bool,
    ) -> GqlResult<Vec<GroupMembership>> {
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::memberships(c, s, &id, history)
        })
        .await
        .map(|v| v.into_iter().map(GroupMembership).collect())
    }
    /// Version for optimistic concurrency.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the group was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// The group's history (registration, splits, merges).
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn history(&self, ctx: &Context<'_>) -> GqlResult<Vec<Event>> {
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::events_of(c, s, &id)
        })
        .await
        .map(|v| v.into_iter().map(Event).collect())
    }
}

/// A procedure (RSD) opened for members of a registration group.
pub struct Case(pub Arc<CaseRow>);

impl From<CaseRow> for Case {
    fn from(r: CaseRow) -> Self {
        Self(Arc::new(r))
    }
}

/// A procedure (RSD) opened for members of a registration group.
#[Object]
impl Case {
    /// The case's identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Case number, e.g. DPIN-C-0000012.
    async fn case_number(&self) -> &str {
        &self.0.case_number
    }
    /// The procedure: rsd.
    async fn procedure(&self) -> &str {
        &self.0.procedure
    }
    /// Current status, e.g. registered, scheduled, interviewed, decided, closed.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// first_instance or appeal.
    async fn stage(&self) -> &str {
        &self.0.stage
    }
    /// Processing modality: regular, simplified, accelerated, merged.
    async fn modality(&self) -> &str {
        &self.0.modality
    }
    /// When the case was opened.
    async fn opened_at(&self) -> DateTime<Utc> {
        utc(self.0.opened_at)
    }
    /// Days since the case was opened.
    async fn days_open(&self) -> i64 {
        (Utc::now().naive_utc() - self.0.opened_at).num_days()
    }
    /// The applicant's account of the claim; null unless the caller's roles include claim narratives.
    async fn claim_summary(&self, ctx: &Context<'_>) -> Option<String> {
        sees(ctx, FieldGroup::ClaimNarrative)
            .then(|| self.0.claim_summary.clone())
            .flatten()
    }
    /// The officer the case is assigned to.
    async fn assigned_officer_id(&self) -> Option<ID> {
        self.0.assigned_officer_id.clone().map(ID)
    }
    /// The officer the case is assigned to, by name.
    async fn assigned_officer(&self, ctx: &Context<'_>) -> GqlResult<Option<StaffMember>> {
        match &self.0.assigned_officer_id {
            Some(id) => staff_member(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The principal applicant (null if outside the caller's scope).
    async fn principal_applicant(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        load_individual(ctx, &self.0.principal_applicant_id).await
    }
    /// Principal applicant and derivative members.
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn members(&self, ctx: &Context<'_>) -> GqlResult<Vec<CaseMember>> {
        if let Some(found) = batched(ctx, batch::MembersOfCase(self.0.id.clone())).await {
            return Ok(found?
                .unwrap_or_default()
                .into_iter()
                .map(CaseMember)
                .collect());
        }
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::case_members_of(c, s, &id)
        })
        .await
        .map(|v| v.into_iter().map(CaseMember).collect())
    }
    /// The case's history: every transition with who, when and why.
    #[graphql(complexity = "crate::graphql::list_cost(child_complexity)")]
    async fn events(&self, ctx: &Context<'_>) -> GqlResult<Vec<Event>> {
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::events_of(c, s, &id)
        })
        .await
        .map(|v| v.into_iter().map(Event).collect())
    }
    /// Version for optimistic concurrency.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What you may do on this case now; offer only these.
    async fn allowed_actions(&self, ctx: &Context<'_>) -> GqlResult<Vec<super::rsd::CaseAction>> {
        super::rsd::allowed_actions(ctx, &self.0.id).await
    }
    /// The case's clocks: decision target, appeal deadline, abandonment, next interview.
    async fn deadlines(&self) -> super::rsd::CaseDeadlines {
        super::rsd::deadlines_of(&self.0)
    }
    /// Whether specific needs of a member give the case priority.
    async fn priority(&self) -> bool {
        self.0.priority
    }
    /// Whether the applicant asked for an interviewer of the same sex.
    async fn same_sex_interviewer(&self) -> bool {
        self.0.same_sex_interviewer
    }
    /// Days since the case entered its current status.
    async fn days_waiting(&self) -> i64 {
        let since = self.0.status_changed_at.unwrap_or(self.0.opened_at);
        (Utc::now().naive_utc() - since).num_days()
    }
    /// The procedure's record: interviews, assessments, reviews, decisions, appeal, closure.
    async fn workflow(&self, ctx: &Context<'_>) -> GqlResult<super::rsd::CaseWorkflow> {
        super::rsd::workflow_of(ctx, &self.0.id).await
    }
    /// Specific needs codes of the case's members (principal and derivatives) still open, as
    /// badges; codes of sensitive groups your roles do not include are left out.
    async fn specific_need_codes(&self, ctx: &Context<'_>) -> GqlResult<Vec<String>> {
        if let Some(found) = batched(ctx, batch::NeedCodesOfCase(self.0.id.clone())).await {
            return found.map(Option::unwrap_or_default);
        }
        let id = self.0.id.clone();
        scoped_read(ctx, "read", None, move |c, s, _| {
            queries::open_need_codes_of_case(c, s, &id)
        })
        .await
    }
}

/// A member of a case.
pub struct CaseMember(pub CaseMemberRow);

/// A member of a case.
#[Object]
impl CaseMember {
    /// principal or derivative.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// Relationship to the principal applicant.
    async fn relationship(&self) -> Option<&str> {
        self.0.relationship.as_deref()
    }
    /// The member (null if outside the caller's scope).
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        load_individual(ctx, &self.0.individual_id).await
    }
}

/// One entry of a record's history.
pub struct Event(pub EventRow);

/// One entry of a record's history.
#[Object]
impl Event {
    /// The event's identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// What happened, e.g. registered, updated, specific_need_added, split, status_changed.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// The user who acted.
    async fn actor_id(&self) -> ID {
        ID(self.0.actor_id.clone())
    }
    /// The user's login name.
    async fn actor(&self, ctx: &Context<'_>) -> GqlResult<String> {
        if let Some(found) = batched(ctx, batch::UserKey(self.0.actor_id.clone())).await {
            return found?
                .map(|u| u.username)
                .ok_or_else(|| gql(crate::error::Error::not_found("user")));
        }
        let id = self.0.actor_id.clone();
        state(ctx)
            .db
            .read(move |c| users::user(c, &id))
            .await
            .map(|u| u.username)
            .map_err(gql)
    }
    /// When it happened.
    async fn at(&self) -> DateTime<Utc> {
        utc(self.0.at)
    }
    /// Details as JSON text (e.g. changed fields with old and new values), without the values
    /// of field groups your roles do not include (a sensitive need's code, a change of
    /// ethnicity or religion).
    async fn data(&self, ctx: &Context<'_>) -> String {
        let reader = |g: FieldGroup| sees(ctx, g);
        crate::domain::events::shown_payload(
            &self.0.record_type,
            &self.0.kind,
            &self.0.data,
            &reader,
        )
    }
}

/// An entry of the audit log.
pub struct AuditEvent(pub AuditRow);

/// An entry of the audit log.
#[Object]
impl AuditEvent {
    /// Position in the hash chain.
    async fn seq(&self) -> i64 {
        self.0.seq
    }
    /// When it happened.
    async fn at(&self) -> DateTime<Utc> {
        utc(self.0.at)
    }
    /// Who acted.
    async fn username(&self) -> Option<&str> {
        self.0.username.as_deref()
    }
    /// What was done: read, create, update, login, count, ...
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The kind of record touched.
    async fn record_type(&self) -> Option<&str> {
        self.0.record_type.as_deref()
    }
    /// The record touched, when the event touched one; empty for an event naming several (see
    /// recordIds).
    async fn record_id(&self) -> Option<&str> {
        self.0.record_id.as_deref()
    }
    /// Every record the event names: the one it touched, or each record a read of a page
    /// returned (one event for the whole page).
    async fn record_ids(&self) -> Vec<ID> {
        self.0.named_records().into_iter().map(ID).collect()
    }
    /// The request it belonged to.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// ok, denied or failed.
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
    /// Why, for refusals.
    async fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }
    /// This event's hash in the chain.
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}

/// A possible duplicate of a person being registered.
#[derive(SimpleObject, Clone, serde::Serialize, serde::Deserialize)]
pub struct PossibleDuplicate {
    /// Which member of the input (0-based) it resembles.
    pub member_index: i32,
    /// The existing individual's identifier.
    pub individual_id: ID,
    /// The existing individual's number.
    pub individual_number: String,
    /// The existing individual's name.
    pub full_name: String,
    /// The existing individual's date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// Similarity, 0-100.
    pub score: i32,
    /// What matched: similar_name, same_birth_date, near_birth_date, same_nationality, same_sex.
    pub reasons: Vec<String>,
}

/// A member of staff of the caller's unit, as case screens name them.
#[derive(SimpleObject)]
pub struct StaffMember {
    /// The user's id.
    pub id: ID,
    /// Login name.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Roles, e.g. eligibility_officer, supervisor.
    pub roles: Vec<String>,
}

/// A user of the caller's own unit; None for anyone else.
pub(crate) async fn staff_member(ctx: &Context<'_>, id: &str) -> GqlResult<Option<StaffMember>> {
    let unit = scope(ctx).map_err(gql)?.unit_id().to_string();
    if let Some(found) = batched(ctx, batch::UserKey(id.to_string())).await {
        return Ok(staff(found?, &unit));
    }
    let id = id.to_string();
    let user = state(ctx)
        .db
        .read(move |c| {
            users::user(c, &id).map(Some).or_else(|e| {
                if e.code == crate::error::ErrorCode::NotFound {
                    Ok(None)
                } else {
                    Err(e)
                }
            })
        })
        .await
        .map_err(gql)?;
    Ok(staff(user, &unit))
}

/// The user as a colleague of `unit` sees them; None for a user of another unit.
fn staff(user: Option<users::User>, unit: &str) -> Option<StaffMember> {
    user.filter(|u| u.operation_unit_id == unit)
        .map(|u| StaffMember {
            id: ID(u.id),
            username: u.username,
            display_name: u.display_name,
            roles: crate::domain::access::parse_roles(&u.roles)
                .unwrap_or_default()
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
        })
}
