//! Field nodes over GraphQL: unit admins register, list and revoke their offices' nodes; the
//! sync conflicts a node's changes met are listed for the caseworker who made them and their
//! supervisors and resolved by a person; every client reads the sync status of the server it
//! talks to (central, or a node) for its status line.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::RequestData;
use super::context::{GqlResult, audit_refusal, caller, claim_of, gql, scope, scoped_read, state};
use super::types::utc;
use crate::auth::hash_token;
use crate::domain::access::Permission;
use crate::error::{Error, Result};
use crate::store::audit::Entry;
use crate::store::idempotency::run_once;
use crate::store::sync::{self, Conflict, FieldNode};
use crate::store::{DbConn, Scope, feed, users};

/// Queries of field nodes and sync.
#[derive(Default)]
pub struct NodeQuery;

/// Mutations of field nodes and sync.
#[derive(Default)]
pub struct NodeMutation;

/// A field node as its unit's admins see it.
#[derive(SimpleObject, Clone, Serialize, Deserialize)]
pub struct FieldNodeView {
    /// The node's identifier.
    pub id: ID,
    /// A name for people (the office's machine).
    pub name: String,
    /// The office whose working set it holds.
    pub office_id: ID,
    /// When it exchanged its enrolment code (null until then).
    pub enrolled_at: Option<DateTime<Utc>>,
    /// When the enrolment code stops working.
    pub enrol_expires_at: DateTime<Utc>,
    /// When it last reached this server.
    pub last_contact_at: Option<DateTime<Utc>>,
    /// Changes it said were waiting to come up, at its last contact.
    pub backlog: i32,
    /// Changes of the unit it has not pulled yet (feed positions after its cursor; an upper
    /// bound: other offices' changes count too).
    pub behind: i64,
    /// When it was revoked (null while it may sync).
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was told to wipe itself after its revocation.
    pub wiped_at: Option<DateTime<Utc>>,
    /// The version read.
    pub version: i32,
}

fn view(n: FieldNode, head: i64) -> FieldNodeView {
    FieldNodeView {
        id: ID(n.id),
        name: n.name,
        office_id: ID(n.office_id),
        enrolled_at: n.enrolled_at.map(utc),
        enrol_expires_at: utc(n.enrol_expires_at),
        last_contact_at: n.last_contact_at.map(utc),
        backlog: n.backlog,
        behind: (head - n.feed_cursor).max(0),
        revoked_at: n.revoked_at.map(utc),
        wiped_at: n.wiped_at.map(utc),
        version: n.version,
    }
}

/// How a sync conflict was (or is to be) resolved.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Serialize, Deserialize, Debug)]
pub enum Resolution {
    /// Apply the node's change over what central holds now.
    ApplyMine,
    /// Keep central's record; the node's change is not applied.
    KeepTheirs,
    /// Apply only the fields chosen from the node's change.
    Merge,
}

/// A change made on a field node that central refused, kept until a person resolves it.
#[derive(SimpleObject, Clone)]
pub struct SyncConflictView {
    /// The conflict's identifier.
    pub id: ID,
    /// The office (and node) it came from.
    pub office_id: ID,
    /// The node it came from.
    pub node_id: ID,
    /// Who made the change on the node.
    pub user_id: ID,
    /// The mutation the change was (e.g. updateIndividual).
    pub mutation: String,
    /// The change as made on the node: the mutation's input (JSON).
    pub mine: String,
    /// The record as central held it when the conflict was found (JSON; null if it has none).
    pub theirs: Option<String>,
    /// The record the change was about.
    pub record_id: Option<ID>,
    /// Its kind (individuals, cases, ...).
    pub record_type: Option<String>,
    /// Why central refused: the error code (CONFLICT, VALIDATION, FORBIDDEN, ...).
    pub error_code: String,
    /// Central's words, in English, for logs; a client renders `errorReason`.
    pub error_message: String,
    /// Why central refused, as every refusal's `extensions.reason` names it (STALE_VERSION,
    /// NOT_WORKING_DAY, ...); null for refusals recorded without one.
    pub error_reason: Option<String>,
    /// The reason's parameters, as `extensions.params` carries them.
    pub error_params: Option<async_graphql::Json<serde_json::Value>>,
    /// The input field the refusal was about, as `extensions.field` names it.
    pub error_field: Option<String>,
    /// OPEN, APPLIED_MINE, KEPT_THEIRS or MERGED.
    pub status: String,
    /// Who resolved it.
    pub resolved_by: Option<ID>,
    /// When.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was found.
    pub created_at: DateTime<Utc>,
    /// Send it back with the resolution.
    pub version: i32,
}

/// The change's input, from the stored request.
fn mine(request: &str) -> String {
    sync::input_of(request)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

fn conflict_view(c: Conflict) -> SyncConflictView {
    let wire: Option<serde_json::Value> = c
        .error_reason
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    let error_reason = wire
        .as_ref()
        .and_then(|w| w["reason"].as_str())
        .map(str::to_string);
    let error_params = wire
        .and_then(|mut w| w.get_mut("params").map(serde_json::Value::take))
        .map(async_graphql::Json);
    SyncConflictView {
        error_reason,
        error_params,
        error_field: c.error_field,
        id: ID(c.id),
        office_id: ID(c.office_id),
        node_id: ID(c.node_id),
        user_id: ID(c.user_id),
        mutation: c.mutation,
        mine: mine(&c.request),
        theirs: c.theirs,
        record_id: c.record_id.map(ID),
        record_type: c.record_type,
        error_code: c.error_code,
        error_message: c.error_message,
        status: c.status,
        resolved_by: c.resolved_by.map(ID),
        resolved_at: c.resolved_at.map(utc),
        created_at: utc(c.created_at),
        version: c.version,
    }
}

/// Where the server the client talks to stands: central, or a node and how fresh it is.
#[derive(SimpleObject)]
pub struct SyncStatusView {
    /// True on a field node; false on the central server.
    pub node: bool,
    /// Whether central answered at the node's last attempt (always true on central).
    pub online: bool,
    /// Since when central has not answered (null when online).
    pub offline_since: Option<DateTime<Utc>>,
    /// When the node last heard from central.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// A sync under way, this far (0-100); null when none is.
    pub syncing_percent: Option<i32>,
    /// Changes waiting on the node to go up to central.
    pub waiting: i32,
    /// Open sync conflicts of the caller's office (of the node's office on a node).
    pub conflicts: i32,
}

/// Who may see a conflict: whoever made the change, and the unit's supervisors and admins.
fn may_see(s: &Scope, c: &Conflict) -> bool {
    c.user_id == s.user_id()
        || s.grants().can(Permission::SuperviseCases)
        || s.grants().can(Permission::ManageUsers)
}

#[Object]
impl NodeQuery {
    /// Your unit's field nodes: last contact, backlog, how far behind. Unit admins only.
    async fn field_nodes(&self, ctx: &Context<'_>) -> GqlResult<Vec<FieldNodeView>> {
        scoped_read(ctx, "field_nodes", None, |c, s, _| {
            s.require(Permission::ManageUsers)?;
            let head = feed::head(c, s.unit_id())?;
            Ok(sync::nodes_of(c, s.unit_id())?
                .into_iter()
                .map(|n| view(n, head))
                .collect())
        })
        .await
    }

    /// Sync conflicts: changes made on a field node that central refused, with both
    /// versions. Yours, or all of your unit's if you supervise cases or administer the unit.
    async fn sync_conflicts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those still open (default true).")] open_only: Option<bool>,
    ) -> GqlResult<Vec<SyncConflictView>> {
        let open_only = open_only.unwrap_or(true);
        scoped_read(ctx, "sync_conflicts", None, move |c, s, r| {
            let list: Vec<Conflict> = sync::conflicts(c, s.unit_id(), None, open_only)?
                .into_iter()
                .filter(|x| may_see(s, x))
                .collect();
            r.record("sync_conflict", list.iter().map(|x| x.id.clone()));
            Ok(list.into_iter().map(conflict_view).collect())
        })
        .await
    }

    /// The sync status of the server you talk to, for a status line.
    async fn sync_status(&self, ctx: &Context<'_>) -> GqlResult<SyncStatusView> {
        status(ctx).await
    }

    /// The field node you talk to and how fresh it is; null on the central server (a client
    /// asks for it with `me` and follows `syncStatus` only when it talks to a node).
    async fn field_node(&self, ctx: &Context<'_>) -> GqlResult<Option<SyncStatusView>> {
        if !state(ctx).db.is_node() {
            scope(ctx).map_err(gql)?;
            return Ok(None);
        }
        status(ctx).await.map(Some)
    }
}

/// Where the server stands, for `syncStatus` and `fieldNode`.
async fn status(ctx: &Context<'_>) -> GqlResult<SyncStatusView> {
    let s = scope(ctx).map_err(gql)?.clone();
    let st = state(ctx);
    let node = st.db.is_node();
    let live = crate::node::client::status();
    let office = s.office_id().map(str::to_string);
    let (state_row, waiting, conflicts) = st
        .db
        .read(move |c| {
            let row = sync::node_state(c)?;
            let waiting = sync::outbox_len(c)?;
            let office = row
                .as_ref()
                .map(|r| r.office_id.clone())
                .or(office)
                .unwrap_or_default();
            Ok((row, waiting, sync::open_conflicts(c, &office)?))
        })
        .await
        .map_err(gql)?;
    let offline_since = state_row.as_ref().and_then(|r| r.offline_since);
    Ok(SyncStatusView {
        node,
        online: !node || (offline_since.is_none() && state_row.is_some()),
        offline_since: offline_since.map(utc),
        last_sync_at: state_row.and_then(|r| r.last_contact_at).map(utc),
        syncing_percent: live.syncing.map(i32::from),
        waiting: i32::try_from(waiting).unwrap_or(i32::MAX),
        conflicts: i32::try_from(conflicts).unwrap_or(i32::MAX),
    })
}

/// Input of `registerNode`.
#[derive(InputObject, Serialize)]
pub struct RegisterNodeInput {
    /// Makes the request idempotent: a replay returns the node without the code.
    pub client_mutation_id: String,
    /// The office's code (e.g. LAG) whose working set the node will hold.
    pub office_code: String,
    /// A name for people, e.g. "Lago Agrio laptop 1".
    pub name: String,
}

/// A node registered, with its enrolment code.
#[derive(SimpleObject, Serialize, Deserialize, Clone)]
pub struct RegisterNodePayload {
    /// The input's clientMutationId.
    pub client_mutation_id: String,
    /// The node.
    pub node: FieldNodeView,
    /// The one-time enrolment code for `amparo-api node init --code` (valid 7 days). Shown
    /// once: a replay of the request returns null here.
    pub enrolment_code: Option<String>,
}

/// Input of `revokeNode`.
#[derive(InputObject, Serialize)]
pub struct RevokeNodeInput {
    /// Makes the request idempotent.
    pub client_mutation_id: String,
    /// The node.
    pub id: ID,
    /// The node's version as you read it: CONFLICT when it changed since (it was enrolled,
    /// or another admin revoked it), so you revoke what you looked at. Revoking a node already
    /// revoked changes nothing.
    pub version: i32,
}

/// A node revoked.
#[derive(SimpleObject, Serialize, Deserialize, Clone)]
pub struct RevokeNodePayload {
    /// The input's clientMutationId.
    pub client_mutation_id: String,
    /// The node, revoked: it can no longer sync and wipes its personal data on its next
    /// contact.
    pub node: FieldNodeView,
}

/// Input of `resolveSyncConflict`.
#[derive(InputObject, Serialize)]
pub struct ResolveSyncConflictInput {
    /// Makes the request idempotent.
    pub client_mutation_id: String,
    /// The conflict.
    pub id: ID,
    /// The conflict's version read.
    pub version: i32,
    /// Apply mine, keep theirs, or merge the chosen fields.
    pub resolution: Resolution,
    /// With MERGE: the fields of the node's change to apply (names of the mutation's input).
    pub fields: Option<Vec<String>>,
}

/// A conflict resolved.
#[derive(SimpleObject, Serialize, Deserialize, Clone)]
pub struct ResolveSyncConflictPayload {
    /// The input's clientMutationId.
    pub client_mutation_id: String,
    /// The conflict's id.
    pub id: ID,
    /// Its status now.
    pub status: String,
}

/// Days an enrolment code works.
const ENROL_DAYS: i64 = 7;

/// A new one-time enrolment code: 20 characters from an unambiguous alphabet, in groups.
pub fn new_enrolment_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Registers a node for an office of the scope's unit (the CLI's `node enrol` too).
pub fn register(
    conn: &mut DbConn,
    s: &Scope,
    office_code: &str,
    name: &str,
    code: &str,
) -> Result<FieldNode> {
    s.require(Permission::ManageUsers)?;
    let office = users::find_office(conn, s.unit_id(), office_code)?
        .ok_or_else(|| Error::validation("input.officeCode", "no such office in your unit"))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::validation(
            "input.name",
            "give the node a name of 1 to 100 characters",
        ));
    }
    let expires = crate::store::now() + chrono::Duration::days(ENROL_DAYS);
    let node = sync::register_node(
        conn,
        s.unit_id(),
        &office.id,
        name,
        Some(s.user_id()),
        &hash_token(code),
        expires,
    )?;
    crate::store::audit::append(
        conn,
        &crate::store::audit::Actor::from(s),
        &[Entry::ok("register_node", "field_node", node.id.clone())],
    )?;
    Ok(node)
}

#[derive(Serialize, Deserialize)]
struct Registered {
    payload: RegisterNodePayload,
    code_hash: String,
}

#[Object]
impl NodeMutation {
    /// Register a field node for an office of your unit; returns its one-time enrolment code
    /// (once). Unit admins only.
    async fn register_node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RegisterNodeInput,
    ) -> GqlResult<RegisterNodePayload> {
        let claim = claim_of("registerNode", &input.client_mutation_id, &input);
        let s = scope(ctx).map_err(gql)?.clone();
        let code = new_enrolment_code();
        let code_hash = hash_token(&code);
        let (office, name, cmid, h) = (
            input.office_code.clone(),
            input.name.clone(),
            input.client_mutation_id.clone(),
            code_hash.clone(),
        );
        let s2 = s.clone();
        let c2 = code.clone();
        let outcome = run_once(&state(ctx).db, &s, claim, move |c| {
            let node = register(c, &s2, &office, &name, &c2)?;
            let head = feed::head(c, s2.unit_id())?;
            Ok(Registered {
                payload: RegisterNodePayload {
                    client_mutation_id: cmid,
                    node: view(node, head),
                    enrolment_code: None,
                },
                code_hash: h,
            })
        })
        .await;
        let done = audit_refusal(ctx, "registerNode", None, outcome).await?;
        let mut payload = done.payload;
        if done.code_hash == code_hash {
            payload.enrolment_code = Some(code);
        }
        Ok(payload)
    }

    /// Revoke a field node: it can no longer sync, and wipes its personal data on its next
    /// contact. Unit admins only.
    async fn revoke_node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RevokeNodeInput,
    ) -> GqlResult<RevokeNodePayload> {
        let claim = claim_of("revokeNode", &input.client_mutation_id, &input);
        let s = scope(ctx).map_err(gql)?.clone();
        let (id, cmid) = (input.id.0.clone(), input.client_mutation_id.clone());
        let version = input.version;
        let rid = id.clone();
        let s2 = s.clone();
        let outcome = run_once(&state(ctx).db, &s, claim, move |c| {
            s2.require(Permission::ManageUsers)?;
            let node = sync::revoke(c, s2.unit_id(), &id, version, s2.user_id())?;
            crate::store::audit::append(
                c,
                &crate::store::audit::Actor::from(&s2),
                &[Entry::ok("revoke_node", "field_node", id.clone())],
            )?;
            let head = feed::head(c, s2.unit_id())?;
            Ok(RevokeNodePayload {
                client_mutation_id: cmid,
                node: view(node, head),
            })
        })
        .await;
        audit_refusal(ctx, "revokeNode", Some(&rid), outcome).await
    }

    /// Resolve a sync conflict: apply the node's change over central's record (APPLY_MINE),
    /// keep central's (KEEP_THEIRS), or apply the fields you choose (MERGE). Applying goes
    /// through the same checks as any change, as you; the decision is audited. The change's
    /// author or a supervisor of the unit.
    async fn resolve_sync_conflict(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ResolveSyncConflictInput,
    ) -> GqlResult<ResolveSyncConflictPayload> {
        let claim = claim_of("resolveSyncConflict", &input.client_mutation_id, &input);
        let s = scope(ctx).map_err(gql)?.clone();
        let st = state(ctx).clone();
        let id = input.id.0.clone();
        let (unit, cid) = (s.unit_id().to_string(), id.clone());
        let found = st
            .db
            .read(move |c| sync::conflict_by_id(c, &unit, &cid))
            .await
            .map_err(gql)?;
        let conflict = match found {
            Some(c) if may_see(&s, &c) => c,
            _ => {
                return audit_refusal(
                    ctx,
                    "resolveSyncConflict",
                    Some(&id),
                    Err(Error::not_found("sync conflict")),
                )
                .await;
            }
        };
        if conflict.status != "OPEN" || conflict.version != input.version {
            return Err(gql(Error::conflict(
                "this conflict was resolved or changed since you read it; reload it",
            )));
        }
        let status = match input.resolution {
            Resolution::KeepTheirs => "KEPT_THEIRS",
            Resolution::ApplyMine => "APPLIED_MINE",
            Resolution::Merge => "MERGED",
        };
        // On central, the node's change is applied now, as the person resolving; on a node the
        // resolution goes up with the outbox and is applied when central replays it.
        if input.resolution != Resolution::KeepTheirs && !st.db.is_node() {
            let who = caller(ctx).map_err(gql)?.clone();
            let request = rewritten(&st, &conflict, input.resolution, input.fields.as_deref())
                .await
                .map_err(gql)?;
            let request = request.data(st.clone()).data(RequestData {
                request_id: s.request_id().to_string(),
                addr: None,
                caller: Some(Ok(who)),
            });
            let response = st.replayer.execute(request, None).await.map_err(gql)?;
            if let Some(e) = response.errors.first() {
                return Err(gql(Error::conflict(format!(
                    "central still refuses this change: {}; keep theirs, or merge other fields",
                    e.message
                ))));
            }
        }
        let resolution = serde_json::json!({
            "resolution": status,
            "fields": input.fields,
        })
        .to_string();
        let (cmid, version, s2) = (input.client_mutation_id.clone(), input.version, s.clone());
        let outcome = run_once(&st.db, &s, claim, move |c| {
            let done = sync::close_conflict(
                c,
                s2.unit_id(),
                &id,
                version,
                status,
                s2.user_id(),
                &resolution,
            )?;
            crate::store::audit::append(
                c,
                &crate::store::audit::Actor::from(&s2),
                &[Entry::ok(
                    "resolve_sync_conflict",
                    "sync_conflict",
                    id.clone(),
                )],
            )?;
            Ok(ResolveSyncConflictPayload {
                client_mutation_id: cmid,
                id: ID(done.id),
                status: done.status,
            })
        })
        .await;
        audit_refusal(ctx, "resolveSyncConflict", None, outcome).await
    }
}

/// The node's request made applicable now: the version of the record as central holds it, a
/// clientMutationId of its own, and with MERGE only the fields chosen.
async fn rewritten(
    st: &std::sync::Arc<super::AppState>,
    c: &Conflict,
    resolution: Resolution,
    fields: Option<&[String]>,
) -> Result<async_graphql::Request> {
    let mut sent: serde_json::Value = serde_json::from_str(&c.request)
        .map_err(|e| Error::internal(format!("stored request unreadable: {e}")))?;
    let current = match &c.record_id {
        Some(id) => {
            let (unit, id) = (c.operation_unit_id.clone(), id.clone());
            st.db
                .read(move |conn| sync::current_row(conn, &unit, &id))
                .await?
        }
        None => None,
    };
    let query = sent
        .get("query")
        .and_then(|q| q.as_str())
        .unwrap_or_default()
        .to_string();
    let operation = sent
        .get("operationName")
        .and_then(|q| q.as_str())
        .map(str::to_string);
    let name = sent
        .get("variables")
        .and_then(sync::input_variable)
        .unwrap_or_else(|| "input".into());
    let input = sent
        .get_mut("variables")
        .and_then(|v| v.get_mut(&name))
        .and_then(|v| v.as_object_mut())
        .ok_or_else(|| Error::validation("id", "this change has no input to apply; keep theirs"))?;
    if let Some(fields) = fields.filter(|_| resolution == Resolution::Merge) {
        input.retain(|k, _| {
            fields.iter().any(|f| f == k)
                || k == "id"
                || k == "version"
                || k == "clientMutationId"
                || k.ends_with("Id")
        });
    }
    if let Some(v) = current.as_ref().and_then(|(_, row)| row.get("version")) {
        input.insert("version".into(), v.clone());
    }
    let cmid = format!("{}~resolved-{}", c.client_mutation_id, c.version);
    input.insert("clientMutationId".into(), serde_json::Value::String(cmid));
    let variables = sent.get("variables").cloned().unwrap_or_default();
    let mut request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    if let Some(o) = operation {
        request = request.operation_name(o);
    }
    Ok(request)
}
