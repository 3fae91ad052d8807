//! The registrars' side of online pre-registration: the triage queue, converting a
//! pre-registration into a registration, and dismissing one with a reason.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::connection::{PageInfo, encode_cursor, offset_page};
use super::context::{
    GqlResult, ModuleGuard, audit_refusal, claim_of, gql, scope, scoped_read, state,
};
use super::inputs::MemberInput;
use super::mutation::possible_duplicates;
use super::types::PossibleDuplicate;
use crate::domain::access::Module;
use crate::domain::prereg::{self, PreRegistrationForm};
use crate::domain::registration as reg;
use crate::store::idempotency::{run_once, run_once_keeping};
use crate::store::prereg as store;
use crate::store::registry;

/// A person of a pre-registration, as the applicant gave them (dates from an age are estimated).
#[derive(SimpleObject, Clone)]
pub struct PreRegisteredMember {
    /// Relationship to the applicant (focal_point for the applicant).
    pub relationship: String,
    /// Given names.
    pub given_names: String,
    /// Family names.
    pub family_name: Option<String>,
    /// The name in its own script.
    pub original_script_name: Option<String>,
    /// Sex code (F, M, X).
    pub sex: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// exact, or estimated when only an age was given.
    pub date_of_birth_precision: Option<String>,
    /// Nationality (ISO 3166 alpha-3).
    pub nationality: Option<String>,
}

/// A family's online pre-registration waiting for a registrar.
#[derive(SimpleObject, Clone)]
pub struct PreRegistration {
    /// Its identifier.
    pub id: ID,
    /// The reference the family knows it by (XXXXX-XXXXX).
    pub reference: String,
    /// The office the family chose.
    pub office_id: ID,
    /// received or appointment_given (registered and dismissed ones leave the queue).
    pub stage: String,
    /// How urgent: the sum of the weights of its urgent needs and vulnerable ages (higher first).
    pub urgency: i32,
    /// Specific-need sub-codes its urgent needs map to, of the field groups you may read.
    pub urgent_needs: Vec<String>,
    /// How many urgent needs were left out because of your field groups.
    pub withheld_urgent_needs: i32,
    /// The registration appointment the family booked, if any.
    pub appointment_at: Option<DateTime<Utc>>,
    /// When it was sent.
    pub received_at: DateTime<Utc>,
    /// Send it back with convertPreRegistration or dismissPreRegistration.
    pub version: i32,
    /// The applicant first, then the family members present.
    pub members: Vec<PreRegisteredMember>,
    /// Phone given.
    pub phone: Option<String>,
    /// E-mail given.
    pub email: Option<String>,
    /// Province where they are.
    pub province: String,
    /// Canton where they are.
    pub canton: String,
    /// Languages (ISO 639-3), the mother tongue first.
    pub languages: Vec<String>,
    /// Whether they asked for an interpreter.
    pub needs_interpreter: bool,
    /// People already registered in your unit who may be a member (the registration's rules).
    pub possible_duplicates: Vec<PossibleDuplicate>,
}

/// A page of the triage queue.
#[derive(SimpleObject)]
pub struct PreRegistrationPage {
    /// The pre-registrations, most urgent first, then oldest first.
    pub nodes: Vec<PreRegistration>,
    /// Where the page stands.
    pub page_info: PageInfo,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn members(form: &PreRegistrationForm) -> Vec<PreRegisteredMember> {
    let today = crate::store::now().date();
    let group = form.to_group(today).ok();
    form.members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let person = group.as_ref().and_then(|g| g.members.get(i));
            PreRegisteredMember {
                relationship: person
                    .map(|p| p.relationship.clone())
                    .unwrap_or_else(|| m.relationship.clone()),
                given_names: m.given_names.trim().to_string(),
                family_name: opt(&m.family_name),
                original_script_name: opt(&m.original_script_name),
                sex: opt(&m.sex),
                date_of_birth: person.and_then(|p| p.person.date_of_birth),
                date_of_birth_precision: person
                    .and_then(|p| p.person.date_of_birth_precision.clone()),
                nationality: opt(&m.nationality),
            }
        })
        .collect()
}

fn shown(
    item: store::QueueItem,
    scope: &crate::store::Scope,
    duplicates: Vec<PossibleDuplicate>,
) -> PreRegistration {
    let (seen, withheld): (Vec<_>, Vec<_>) = item
        .form
        .urgent
        .iter()
        .filter_map(|k| prereg::urgent_need(k))
        .partition(|n| registry::sensitivity_group(n.code).is_none_or(|g| scope.sees(g)));
    PreRegistration {
        id: ID(item.id),
        reference: item.reference,
        office_id: ID(item.office_id),
        stage: item.stage.as_str().to_string(),
        urgency: item.urgency,
        urgent_needs: seen
            .iter()
            .map(|n: &&prereg::UrgentNeed| n.sub_code.to_string())
            .collect(),
        withheld_urgent_needs: withheld.len() as i32,
        appointment_at: item.appointment_at.map(|t| t.and_utc()),
        received_at: item.received_at.and_utc(),
        version: item.version,
        members: members(&item.form),
        phone: opt(&item.form.phone),
        email: opt(&item.form.email),
        province: item.form.province.clone(),
        canton: item.form.canton.clone(),
        languages: item.form.languages.clone(),
        needs_interpreter: item.form.needs_interpreter,
        possible_duplicates: duplicates,
    }
}

/// The triage queue.
#[derive(Default)]
pub struct PreRegistrationQuery;

#[Object]
impl PreRegistrationQuery {
    /// Pre-registrations from the public form waiting for a registrar, of your unit (or your
    /// office, with an office scope), most urgent first; each with possible duplicates among
    /// the people already registered in your unit. Registrars (who register) only.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn pre_registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this office's (within your scope).")] office_id: Option<ID>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The endCursor of the previous page.")] after: Option<String>,
    ) -> GqlResult<PreRegistrationPage> {
        let (limit, offset) = offset_page(first, after.as_deref()).map_err(gql)?;
        let office = office_id.map(|o| o.0);
        scoped_read(ctx, "read", None, move |c, s, reads| {
            let (items, more) = store::queue(c, s, reads, office.as_deref(), offset, limit)?;
            let today = crate::store::now().date();
            let mut nodes = Vec::with_capacity(items.len());
            for item in items {
                let duplicates = match item.form.to_group(today) {
                    Ok(group) => possible_duplicates(c, s, reads, &group)?,
                    Err(_) => Vec::new(),
                };
                nodes.push(shown(item, s, duplicates));
            }
            let end = offset + nodes.len() as i64;
            Ok(PreRegistrationPage {
                nodes,
                page_info: PageInfo {
                    has_next_page: more,
                    end_cursor: Some(encode_cursor(&end.to_string())),
                },
            })
        })
        .await
    }
}

/// Register the family of a pre-registration.
#[derive(InputObject)]
pub struct ConvertPreRegistrationInput {
    /// Your id for this request; sending it again returns the first result.
    pub client_mutation_id: String,
    /// The pre-registration.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The members as you register them (start from the pre-registration's; exactly one is
    /// focal_point).
    pub members: Vec<MemberInput>,
    /// Register even though possible duplicates were shown (set after reviewing them).
    #[graphql(default = false)]
    pub acknowledge_duplicates: bool,
}

/// The result of convertPreRegistration.
#[derive(SimpleObject, Serialize, Deserialize, Clone)]
pub struct ConvertPreRegistrationPayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// Whether the family was registered; false when possible duplicates were found and not
    /// acknowledged (nothing was saved: send again with acknowledgeDuplicates and a new id).
    pub saved: bool,
    /// The registered group.
    pub group_id: Option<ID>,
    /// The registered members, in the order sent.
    pub individual_ids: Vec<ID>,
    /// People already registered in your unit who may be a member.
    pub possible_duplicates: Vec<PossibleDuplicate>,
}

/// Set a pre-registration aside.
#[derive(InputObject)]
pub struct DismissPreRegistrationInput {
    /// Your id for this request; sending it again returns the first result.
    pub client_mutation_id: String,
    /// The pre-registration.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// Why (kept with it; the applicant is only asked to come to the office).
    pub reason: String,
}

/// The result of dismissPreRegistration.
#[derive(SimpleObject, Serialize, Deserialize, Clone)]
pub struct DismissPreRegistrationPayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// The pre-registration.
    pub id: ID,
    /// Its new version.
    pub version: i32,
}

/// Registrars' writes on pre-registrations.
#[derive(Default)]
pub struct PreRegistrationMutation;

#[Object]
impl PreRegistrationMutation {
    /// Register the family of a pre-registration in one transaction: the group and its members
    /// are registered as registerGroup does (possible duplicates first), the group's history
    /// names the pre-registration, and the pre-registration becomes registered (its status page
    /// says so). Checked against the version you read.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn convert_pre_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ConvertPreRegistrationInput,
    ) -> GqlResult<ConvertPreRegistrationPayload> {
        let claim = claim_of("convertPreRegistration", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let group = reg::GroupInput {
            members: input
                .members
                .into_iter()
                .map(|m| reg::MemberInput {
                    relationship: m.relationship,
                    person: m.person.into(),
                })
                .collect(),
        };
        group
            .validate(crate::store::now().date())
            .map_err(|e| gql(e.into()))?;
        let (s, cmid, id, version) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            input.id.0.clone(),
            input.version,
        );
        let acknowledged = input.acknowledge_duplicates;
        let actor = crate::store::audit::Actor::from(&scope);
        let outcome = run_once_keeping(
            &st.db,
            &scope,
            claim,
            |p: &ConvertPreRegistrationPayload| p.saved,
            move |conn| {
                let mut reads = crate::store::audit::Reads::default();
                let duplicates = possible_duplicates(conn, &s, &mut reads, &group)?;
                crate::store::audit::append(conn, &actor, &reads.into_entries())?;
                if !duplicates.is_empty() && !acknowledged {
                    return Ok(ConvertPreRegistrationPayload {
                        client_mutation_id: cmid,
                        saved: false,
                        group_id: None,
                        individual_ids: vec![],
                        possible_duplicates: duplicates,
                    });
                }
                let r = store::convert(conn, &s, &id, version, &group)?;
                Ok(ConvertPreRegistrationPayload {
                    client_mutation_id: cmid,
                    saved: true,
                    group_id: Some(ID(r.group_id)),
                    individual_ids: r.individual_ids.into_iter().map(ID).collect(),
                    possible_duplicates: duplicates,
                })
            },
        )
        .await;
        audit_refusal(ctx, "convert", Some(&input.id.0), outcome).await
    }

    /// Set a pre-registration aside with a reason; the family's status page asks them to come
    /// to the office. Checked against the version you read.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn dismiss_pre_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DismissPreRegistrationInput,
    ) -> GqlResult<DismissPreRegistrationPayload> {
        let claim = claim_of("dismissPreRegistration", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let (s, cmid, id, version, reason) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            input.id.0.clone(),
            input.version,
            input.reason.clone(),
        );
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            let version = store::dismiss(conn, &s, &id, version, &reason)?;
            Ok(DismissPreRegistrationPayload {
                client_mutation_id: cmid,
                id: ID(id),
                version,
            })
        })
        .await;
        audit_refusal(ctx, "dismiss", Some(&input.id.0), outcome).await
    }
}
