//! The root mutation. Every mutation takes one `input` with a `clientMutationId` and returns a
//! payload; a replay of the same id returns the first result and acts no second time.

use async_graphql::{Context, ID, Object, SimpleObject};
use serde::{Deserialize, Serialize};

use super::context::ModuleGuard;
use super::context::{
    GqlResult, audit_refusal, caller, claim_of, gql, request, scope, scoped_read, state,
};
use super::inputs::*;
use super::types::*;
use crate::domain::access::Module;
use crate::domain::registration as reg;
use crate::error::{Error, Result};
use crate::store::idempotency::{run_once, run_once_keeping};
use crate::store::{queries, registry, users};

/// Writes to the registry.
#[derive(Default)]
pub struct RegistryMutation;

/// What a mutation stored: the ids it touched, resolved afresh when the payload is read.
#[derive(Serialize, Deserialize, Clone)]
pub struct Touched {
    client_mutation_id: String,
    ids: Vec<String>,
}

/// The result of registerGroup.
#[derive(Serialize, Deserialize, Clone)]
pub struct RegisterGroupPayload {
    client_mutation_id: String,
    saved: bool,
    group_id: Option<String>,
    individual_ids: Vec<String>,
    possible_duplicates: Vec<PossibleDuplicate>,
}

/// The result of registerGroup.
#[Object]
impl RegisterGroupPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }
    /// Whether the group was registered. False when possible duplicates were found and not
    /// acknowledged: review them, then send again with acknowledgeDuplicates and a new clientMutationId.
    async fn saved(&self) -> bool {
        self.saved
    }
    /// The registered group.
    async fn group(&self, ctx: &Context<'_>) -> GqlResult<Option<RegistrationGroup>> {
        match &self.group_id {
            Some(id) => load_group(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The registered members, in the order sent.
    async fn members(&self, ctx: &Context<'_>) -> GqlResult<Vec<Individual>> {
        let ids = self.individual_ids.clone();
        scoped_read(ctx, "read", None, move |c, s, r| {
            queries::individuals_by_ids(c, s, r, &ids)
        })
        .await
        .map(|v| v.into_iter().map(Individual::from).collect())
    }
    /// People already registered in your unit who may be the same as a member.
    async fn possible_duplicates(&self) -> &[PossibleDuplicate] {
        &self.possible_duplicates
    }
}

/// An individual after a change.
pub struct IndividualPayload(Touched);

/// An individual after a change.
#[Object]
impl IndividualPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.0.client_mutation_id
    }
    /// The individual as it is now.
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        match self.0.ids.first() {
            Some(id) => load_individual(ctx, id).await,
            None => Ok(None),
        }
    }
}

/// A specific need after a change.
pub struct SpecificNeedPayload(Touched);

/// A specific need after a change.
#[Object]
impl SpecificNeedPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.0.client_mutation_id
    }
    /// The individual the need belongs to, as it is now.
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        match self.0.ids.get(1) {
            Some(id) => load_individual(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The need's id.
    async fn specific_need_id(&self) -> Option<ID> {
        self.0.ids.first().cloned().map(ID)
    }
}

/// A document after it was added or corrected.
pub struct DocumentPayload(Touched);

/// A document after it was added or corrected.
#[Object]
impl DocumentPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.0.client_mutation_id
    }
    /// The document's id.
    async fn document_id(&self) -> Option<ID> {
        self.0.ids.first().cloned().map(ID)
    }
    /// The individual, with their documents.
    async fn individual(&self, ctx: &Context<'_>) -> GqlResult<Option<Individual>> {
        match self.0.ids.get(1) {
            Some(id) => load_individual(ctx, id).await,
            None => Ok(None),
        }
    }
}

/// Groups after a split or merge.
pub struct GroupsPayload(Touched);

/// Groups after a split or merge.
#[Object]
impl GroupsPayload {
    /// The id you sent.
    async fn client_mutation_id(&self) -> &str {
        &self.0.client_mutation_id
    }
    /// The group that stays (the split group, or the merge target).
    async fn group(&self, ctx: &Context<'_>) -> GqlResult<Option<RegistrationGroup>> {
        match self.0.ids.first() {
            Some(id) => load_group(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The new group of a split.
    async fn new_group(&self, ctx: &Context<'_>) -> GqlResult<Option<RegistrationGroup>> {
        match self.0.ids.get(1) {
            Some(id) => load_group(ctx, id).await,
            None => Ok(None),
        }
    }
}

/// A session token.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send it as `Authorization: Bearer <token>`. It ends after inactivity and at expiresAt.
    pub token: String,
    /// When the session ends at the latest.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The result of logout.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// True once the session is ended.
    pub ok: bool,
}

/// A new API token.
#[derive(Serialize, Deserialize, SimpleObject)]
pub struct CreateApiTokenPayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// The secret, shown once: store it now. Null on a replay of the same clientMutationId.
    pub token: Option<String>,
    /// The token's id, to revoke it.
    pub id: ID,
    /// When it stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The result of revokeApiToken.
#[derive(Serialize, Deserialize, SimpleObject)]
pub struct RevokeApiTokenPayload {
    /// The id you sent.
    pub client_mutation_id: String,
    /// Whether a token was revoked by this request.
    pub revoked: bool,
}

fn touched(cmid: &str, ids: Vec<String>) -> Touched {
    Touched {
        client_mutation_id: cmid.to_string(),
        ids,
    }
}

/// Writes to the registry.
#[Object]
impl RegistryMutation {
    /// Log in with username and password; returns a session token.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: LoginInput,
    ) -> GqlResult<LoginPayload> {
        let req = request(ctx);
        let r = state(ctx)
            .auth
            .login(
                &input.username,
                &input.password,
                input.new_password.as_deref(),
                req.addr,
                &req.request_id,
            )
            .await
            .map_err(gql)?;
        Ok(LoginPayload {
            token: r.token,
            expires_at: r.expires_at.and_utc(),
        })
    }

    /// End the current session.
    async fn logout(&self, ctx: &Context<'_>) -> GqlResult<LogoutPayload> {
        let who = caller(ctx).map_err(gql)?;
        state(ctx).auth.logout(who).await.map_err(gql)?;
        Ok(LogoutPayload { ok: true })
    }

    /// Register a group and its members in one transaction. Possible duplicates in your unit
    /// are returned first and nothing is saved until you acknowledge them.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn register_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RegisterGroupInput,
    ) -> GqlResult<RegisterGroupPayload> {
        let claim = claim_of("registerGroup", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let cmid = input.client_mutation_id.clone();
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
        // The duplicate check runs inside the write transaction, after the clientMutationId is
        // claimed: a copy of this request racing the first waits for it and gets its stored
        // result, instead of finding the members the first one just registered.
        let (s, c2, acknowledged) = (scope.clone(), cmid.clone(), input.acknowledge_duplicates);
        let actor = crate::store::audit::Actor::from(&scope);
        let outcome = run_once_keeping(
            &st.db,
            &scope,
            claim,
            // "Not saved" is not stored: the clerk may send the same id again once reviewed.
            |p: &RegisterGroupPayload| p.saved,
            move |conn| {
                let mut reads = crate::store::audit::Reads::default();
                let duplicates = possible_duplicates(conn, &s, &mut reads, &group)?;
                crate::store::audit::append(conn, &actor, &reads.into_entries())?;
                if !duplicates.is_empty() && !acknowledged {
                    return Ok(RegisterGroupPayload {
                        client_mutation_id: c2,
                        saved: false,
                        group_id: None,
                        individual_ids: vec![],
                        possible_duplicates: duplicates,
                    });
                }
                let r = registry::register_group(conn, &s, &group)?;
                Ok(RegisterGroupPayload {
                    client_mutation_id: c2,
                    saved: true,
                    group_id: Some(r.group_id),
                    individual_ids: r.individual_ids,
                    possible_duplicates: duplicates,
                })
            },
        )
        .await;
        audit_refusal(ctx, "register", None, outcome).await
    }

    /// Change an individual's registration data (checked against the version you read).
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn update_individual(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateIndividualInput,
    ) -> GqlResult<IndividualPayload> {
        let claim = claim_of("updateIndividual", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let (patch, id, version, cmid) = (
            input.patch(),
            input.id.0.clone(),
            input.version,
            input.client_mutation_id.clone(),
        );
        let (s, c2, id2) = (scope.clone(), cmid.clone(), id.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            let row = registry::update_individual(conn, &s, &id2, version, &patch)?;
            Ok(touched(&c2, vec![row.id]))
        })
        .await;
        audit_refusal(ctx, "update", Some(&id), outcome)
            .await
            .map(IndividualPayload)
    }

    /// Flag a specific need on an individual; it waits for review by protection staff.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn add_specific_need(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddSpecificNeedInput,
    ) -> GqlResult<SpecificNeedPayload> {
        let claim = claim_of("addSpecificNeed", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let id = input.individual_id.0.clone();
        let need = reg::NeedInput {
            code: input.code,
            sub_code: input.sub_code,
            comments: input.comments,
        };
        let (s, c2, id2) = (scope.clone(), input.client_mutation_id.clone(), id.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            let row = registry::add_specific_need(conn, &s, &id2, &need)?;
            Ok(touched(&c2, vec![row.id, row.individual_id]))
        })
        .await;
        audit_refusal(ctx, "add_specific_need", Some(&id), outcome)
            .await
            .map(SpecificNeedPayload)
    }

    /// Confirm or resolve a specific need (protection officers and supervisors).
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn review_specific_need(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ReviewSpecificNeedInput,
    ) -> GqlResult<SpecificNeedPayload> {
        let claim = claim_of("reviewSpecificNeed", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let id = input.id.0.clone();
        let (s, c2, id2, version, status, comments) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            id.clone(),
            input.version,
            input.status.to_domain(),
            input.comments,
        );
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            let row = registry::review_specific_need(
                conn,
                &s,
                &id2,
                version,
                status,
                comments.as_deref(),
            )?;
            Ok(touched(&c2, vec![row.id, row.individual_id]))
        })
        .await;
        audit_refusal(ctx, "review_specific_need", Some(&id), outcome)
            .await
            .map(SpecificNeedPayload)
    }

    /// Add an identity document to an individual.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn add_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddDocumentInput,
    ) -> GqlResult<DocumentPayload> {
        let claim = claim_of("addDocument", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let id = input.individual_id.0.clone();
        let doc: reg::DocumentInput = input.document.into();
        let (s, c2, id2) = (scope.clone(), input.client_mutation_id.clone(), id.clone());
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            let row = registry::add_document(conn, &s, &id2, &doc)?;
            Ok(touched(&c2, vec![row.id, row.individual_id]))
        })
        .await;
        audit_refusal(ctx, "add_document", Some(&id), outcome)
            .await
            .map(DocumentPayload)
    }

    /// Correct an identity document (checked against the version you read); the individual's
    /// history keeps each changed field's old and new value.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn update_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateDocumentInput,
    ) -> GqlResult<DocumentPayload> {
        let claim = claim_of("updateDocument", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let id = input.id.0.clone();
        let doc: reg::DocumentInput = input.document.into();
        let (s, c2, id2, version) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            id.clone(),
            input.version,
        );
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            let row = registry::update_document(conn, &s, &id2, version, &doc)?;
            Ok(touched(&c2, vec![row.id, row.individual_id]))
        })
        .await;
        audit_refusal(ctx, "update_document", Some(&id), outcome)
            .await
            .map(DocumentPayload)
    }

    /// Move some members of a group into a new group (history keeps the old memberships).
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn split_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: SplitGroupInput,
    ) -> GqlResult<GroupsPayload> {
        let claim = claim_of("splitGroup", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let id = input.group_id.0.clone();
        let moves: Vec<registry::Move> = input.members.into_iter().map(Into::into).collect();
        let (s, c2, id2, version) = (
            scope.clone(),
            input.client_mutation_id.clone(),
            id.clone(),
            input.version,
        );
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            let (old, new) = registry::split_group(conn, &s, &id2, version, &moves)?;
            Ok(touched(&c2, vec![old, new]))
        })
        .await;
        audit_refusal(ctx, "split_group", Some(&id), outcome)
            .await
            .map(GroupsPayload)
    }

    /// Move every member of the source group into the target group and close the source.
    #[graphql(guard = "ModuleGuard(Module::Registration)")]
    async fn merge_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: MergeGroupsInput,
    ) -> GqlResult<GroupsPayload> {
        let claim = claim_of("mergeGroups", &input.client_mutation_id, &input);
        let scope = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let id = input.target_group_id.0.clone();
        let moves: Vec<registry::Move> = input.members.into_iter().map(Into::into).collect();
        let (s, c2) = (scope.clone(), input.client_mutation_id.clone());
        let (target, tv, source, sv) = (
            id.clone(),
            input.target_version,
            input.source_group_id.0,
            input.source_version,
        );
        let outcome = run_once(&st.db, &scope, claim, move |conn| {
            let kept = registry::merge_groups(conn, &s, &target, tv, &source, sv, &moves)?;
            Ok(touched(&c2, vec![kept]))
        })
        .await;
        audit_refusal(ctx, "merge_groups", Some(&id), outcome)
            .await
            .map(GroupsPayload)
    }

    /// Create a named API token for scripts and data tools.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: CreateApiTokenInput,
    ) -> GqlResult<CreateApiTokenPayload> {
        let claim = claim_of("createApiToken", &input.client_mutation_id, &input);
        let who = caller(ctx).map_err(gql)?;
        if !who.interactive {
            return Err(gql(Error::forbidden(
                "an API token cannot create API tokens; log in and create it from that session",
            )));
        }
        let st = state(ctx).clone();
        let name = input.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(gql(Error::validation(
                "name",
                "give the token a name of 1 to 100 characters",
            )));
        }
        let lifetime = match input.days {
            None => st.config.api_token_lifetime,
            Some(d) if (1..=365).contains(&d) => std::time::Duration::from_secs(d as u64 * 86_400),
            Some(_) => return Err(gql(Error::validation("days", "must be between 1 and 365"))),
        };
        let (token, hash, expires_at) = crate::auth::Auth::new_api_token(lifetime);
        let (uid, cmid) = (who.user.id.clone(), input.client_mutation_id.clone());
        let actor = crate::store::audit::Actor::from(&who.scope);
        let stored: Result<CreateApiTokenPayload> =
            run_once(&st.db, &who.scope, claim, move |conn| {
                let s = users::create_session(conn, &uid, &hash, "api", Some(&name), expires_at)?;
                crate::store::audit::append(
                    conn,
                    &actor,
                    &[crate::store::audit::Entry::ok("create", "api_token", &s.id)],
                )?;
                // The stored result never holds the secret.
                Ok(CreateApiTokenPayload {
                    client_mutation_id: cmid,
                    token: None,
                    id: ID(s.id),
                    expires_at: expires_at.and_utc(),
                })
            })
            .await;
        let mut payload = stored.map_err(gql)?;
        // Only the request that created the token knows its secret.
        let created_now = crate::auth::hash_token(&token);
        let pid = payload.id.0.clone();
        let is_ours =
            st.db
                .read(move |c| {
                    Ok(users::session_by_token_hash(c, &created_now)?
                        .is_some_and(|(s, _)| s.id == pid))
                })
                .await
                .map_err(gql)?;
        if is_ours {
            payload.token = Some(token);
        }
        Ok(payload)
    }

    /// Revoke one of your API tokens.
    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RevokeApiTokenInput,
    ) -> GqlResult<RevokeApiTokenPayload> {
        let claim = claim_of("revokeApiToken", &input.client_mutation_id, &input);
        let who = caller(ctx).map_err(gql)?;
        let st = state(ctx).clone();
        let (uid, tid, cmid) = (
            who.user.id.clone(),
            input.id.0.clone(),
            input.client_mutation_id.clone(),
        );
        let actor = crate::store::audit::Actor::from(&who.scope);
        run_once(&st.db, &who.scope, claim, move |conn| {
            let revoked = users::revoke_session(conn, &uid, &tid)?;
            crate::store::audit::append(
                conn,
                &actor,
                &[crate::store::audit::Entry::ok("revoke", "api_token", &tid)],
            )?;
            Ok(RevokeApiTokenPayload {
                client_mutation_id: cmid,
                revoked,
            })
        })
        .await
        .map_err(gql)
    }
}

/// People of the caller's unit who may be the same as a member of `group`.
pub(crate) fn possible_duplicates(
    conn: &mut crate::store::DbConn,
    scope: &crate::store::Scope,
    reads: &mut crate::store::audit::Reads,
    group: &reg::GroupInput,
) -> Result<Vec<PossibleDuplicate>> {
    let mut out = Vec::new();
    for (i, member) in group.members.iter().enumerate() {
        for (row, m) in queries::possible_duplicates(conn, scope, reads, &member.person.facts(), 5)?
        {
            out.push(PossibleDuplicate {
                member_index: i as i32,
                individual_id: ID(row.id.clone()),
                individual_number: row.individual_number.clone(),
                full_name: [
                    Some(row.given_names.as_str()),
                    row.family_name.as_deref(),
                    row.second_family_name.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
                date_of_birth: row.date_of_birth,
                score: m.score as i32,
                reasons: m
                    .reasons
                    .iter()
                    .map(|r| format!("{r:?}"))
                    .map(|r| snake(&r))
                    .collect(),
            });
        }
    }
    Ok(out)
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(ch.to_lowercase());
    }
    out
}
