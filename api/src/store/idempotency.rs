//! Idempotent mutations: the result of a mutation is stored under the caller's
//! `clientMutationId` in the mutation's own transaction, and a replay returns it unchanged.
//!
//! The id is claimed at the start of that transaction, before anything is read: a copy of the
//! request sent while the first is still running waits on the claim (PostgreSQL's unique key,
//! SQLite's single writer) and then answers from the stored result, instead of acting, or
//! checking for duplicates, a second time. A digest of the mutation's name and input is kept
//! with the result, so an id reused for another input is refused instead of being answered with
//! the first input's result.

use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::db::{Database, DbConn};
use super::now;
use super::schema::client_mutations;
use super::scope::Scope;
use super::sync;
use crate::error::{Error, ErrorCode, Reason, Result};

/// What a mutation claims: the caller's id for it, the mutation's name and the digest of its
/// input (without the id).
#[derive(Debug, Clone)]
pub struct Claim {
    client_mutation_id: String,
    mutation: &'static str,
    digest: String,
}

impl Claim {
    /// `input` is the canonical serialisation of the mutation's input without the
    /// clientMutationId (see `graphql::context::claim`).
    pub fn new(client_mutation_id: &str, mutation: &'static str, input: &str) -> Self {
        let mut h = Sha256::new();
        h.update(mutation.as_bytes());
        h.update(b"\n");
        h.update(input.as_bytes());
        Self {
            client_mutation_id: client_mutation_id.to_string(),
            mutation,
            digest: hex::encode(h.finalize()),
        }
    }

    pub fn client_mutation_id(&self) -> &str {
        &self.client_mutation_id
    }

    /// The mutation this claim is for, as its refusals are audited.
    pub fn mutation(&self) -> &'static str {
        self.mutation
    }

    fn check_id(&self) -> Result<()> {
        let id = &self.client_mutation_id;
        if id.trim().is_empty() || id.len() > 128 {
            return Err(Error::validation(
                "clientMutationId",
                "clientMutationId must be 1 to 128 characters, unique per mutation you send",
            ));
        }
        Ok(())
    }
}

/// Runs `f` once per (user, clientMutationId): the first call acts and stores its result; any
/// later call with the same id and input returns the stored result without acting.
pub async fn run_once<T, F>(db: &Database, scope: &Scope, claim: Claim, f: F) -> Result<T>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
{
    run_once_keeping(db, scope, claim, |_: &T| true, f).await
}

/// [`run_once`], but a result `keep` turns down is not stored: the claim is given up in the
/// same transaction (whatever else `f` wrote still commits), so the id can be sent again.
/// registerGroup uses it for "possible duplicates, nothing saved".
pub async fn run_once_keeping<T, F, K>(
    db: &Database,
    scope: &Scope,
    claim: Claim,
    keep: K,
    f: F,
) -> Result<T>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    K: FnOnce(&T) -> bool + Send + 'static,
{
    claim.check_id()?;
    let user = scope.user_id().to_string();
    if let Some(done) = stored::<T>(db, &user, &claim).await? {
        return Ok(done);
    }
    let (u, c) = (user.clone(), claim.clone());
    let offline = Offline::of(db, scope);
    let outcome = db
        .write(move |conn| {
            if !take_claim(conn, &u, &c)? {
                // Another copy of this request held the claim and committed while we waited.
                return match stored_row(conn, &u, &c.client_mutation_id)? {
                    Some(row) => decode(row, &c),
                    None => Err(Error::conflict(
                        "this clientMutationId is in use by a request still running; send again",
                    )),
                };
            }
            let origin = offline.origin(conn, &u, &c.client_mutation_id)?;
            let guard = origin.clone().map(sync::begin);
            let result = f(conn);
            let trail = guard.map(sync::WriteGuard::finish);
            let result = result?;
            let kept = keep(&result);
            if let (Some(origin), Some(trail)) = (&origin, &trail)
                && kept
            {
                offline.after(conn, origin, c.mutation, trail)?;
            }
            let key = client_mutations::table
                .filter(client_mutations::user_id.eq(&u))
                .filter(client_mutations::client_mutation_id.eq(&c.client_mutation_id));
            if kept {
                let json = serde_json::to_string(&result)
                    .map_err(|e| Error::internal(format!("cannot store mutation result: {e}")))?;
                diesel::update(key)
                    .set(client_mutations::result.eq(json))
                    .execute(conn)?;
            } else {
                diesel::delete(key).execute(conn)?;
            }
            Ok(result)
        })
        .await;
    match outcome {
        // A concurrent request with the same id committed first: ours rolled back, theirs stands.
        Err(e) if e.code == ErrorCode::Conflict => match stored::<T>(db, &user, &claim).await? {
            Some(done) => Ok(done),
            None => Err(e),
        },
        other => other,
    }
}

/// What makes a write repeatable when it runs on a field node (then it also goes to the node's
/// outbox) or when central replays a node's write (then provisional numbers become aliases).
struct Offline {
    node_request: Option<std::sync::Arc<String>>,
    replay: Option<sync::Replay>,
    unit_id: String,
}

impl Offline {
    fn of(db: &Database, scope: &Scope) -> Self {
        Self {
            node_request: db
                .is_node()
                .then(|| sync::NODE_REQUEST.try_with(|r| r.clone()).ok())
                .flatten(),
            replay: sync::REPLAY.try_with(|r| r.clone()).ok(),
            unit_id: scope.unit_id().to_string(),
        }
    }

    fn origin(&self, conn: &mut DbConn, user: &str, cmid: &str) -> Result<Option<sync::Origin>> {
        let numbers = if self.node_request.is_some() {
            let office_code = sync::node_state(conn)?
                .map(|s| s.office_code)
                .unwrap_or_default();
            (
                sync::Numbers::Provisional { office_code },
                chrono::Utc::now().timestamp_millis(),
            )
        } else if let Some(r) = &self.replay {
            (
                sync::Numbers::Final {
                    provisional: r.provisional.iter().cloned().collect(),
                },
                r.at_ms,
            )
        } else {
            return Ok(None);
        };
        Ok(Some(sync::Origin {
            user_id: user.to_string(),
            client_mutation_id: cmid.to_string(),
            at_ms: numbers.1,
            numbers: numbers.0,
        }))
    }

    fn after(
        &self,
        conn: &mut DbConn,
        origin: &sync::Origin,
        mutation: &str,
        trail: &sync::Trail,
    ) -> Result<()> {
        match &self.node_request {
            Some(request) => sync::enqueue(conn, origin, mutation, request, trail),
            None => sync::keep_aliases(conn, &self.unit_id, trail),
        }
    }
}

/// Inserts the claim row (its result filled in before commit). False when the row exists: on
/// PostgreSQL the insert first waits for a transaction that inserted the same key to end.
fn take_claim(conn: &mut DbConn, user: &str, claim: &Claim) -> Result<bool> {
    let row = (
        client_mutations::user_id.eq(user),
        client_mutations::client_mutation_id.eq(&claim.client_mutation_id),
        client_mutations::mutation.eq(claim.mutation),
        client_mutations::result.eq(""),
        client_mutations::input_digest.eq(Some(claim.digest.as_str())),
        client_mutations::created_at.eq(now()),
    );
    let inserted = match conn {
        DbConn::Pg(c) => diesel::insert_into(client_mutations::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(client_mutations::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(inserted == 1)
}

type Row = (String, Option<String>, String);

fn stored_row(conn: &mut DbConn, user: &str, cmid: &str) -> Result<Option<Row>> {
    Ok(client_mutations::table
        .filter(client_mutations::user_id.eq(user))
        .filter(client_mutations::client_mutation_id.eq(cmid))
        .select((
            client_mutations::mutation,
            client_mutations::input_digest,
            client_mutations::result,
        ))
        .first(conn)
        .optional()?)
}

/// The stored result, if the stored request is this one; an id used for another mutation or
/// another input is refused.
fn decode<T: DeserializeOwned>((name, digest, json): Row, claim: &Claim) -> Result<T> {
    if name != claim.mutation {
        return Err(Error::invalid(
            "clientMutationId",
            Reason::ClientMutationIdReused,
            format!("this clientMutationId was already used for {name}; send a new one"),
        ));
    }
    // Results stored before digests were kept have none and are matched by name alone.
    if digest.is_some_and(|d| d != claim.digest) {
        return Err(Error::invalid(
            "clientMutationId",
            Reason::ClientMutationIdReused,
            format!(
                "this clientMutationId was already used for another {name}; nothing was changed: send this one with a new id"
            ),
        ));
    }
    serde_json::from_str(&json)
        .map_err(|e| Error::internal(format!("stored mutation result unreadable: {e}")))
}

/// The stored result of an earlier call with this claim's id, if there was one.
pub async fn stored<T: DeserializeOwned + Send + 'static>(
    db: &Database,
    user: &str,
    claim: &Claim,
) -> Result<Option<T>> {
    let (user, c) = (user.to_string(), claim.clone());
    db.read(
        move |conn| match stored_row(conn, &user, &c.client_mutation_id)? {
            None => Ok(None),
            Some(row) => decode(row, &c).map(Some),
        },
    )
    .await
}
