//! Idempotent mutations: the result of a mutation is stored under the caller's
//! `clientMutationId` in the mutation's own transaction, and a replay returns it unchanged.

use diesel::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::db::{Database, DbConn};
use super::now;
use super::schema::client_mutations;
use super::scope::Scope;
use crate::error::{Error, ErrorCode, Result};

/// Runs `f` once per (user, clientMutationId): the first call acts and stores its result; any
/// later call with the same id returns the stored result without acting.
pub async fn run_once<T, F>(
    db: &Database,
    scope: &Scope,
    client_mutation_id: &str,
    mutation: &'static str,
    f: F,
) -> Result<T>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
{
    check_id(client_mutation_id)?;
    let user = scope.user_id().to_string();
    let cmid = client_mutation_id.to_string();
    if let Some(done) = stored::<T>(db, &user, &cmid, mutation).await? {
        return Ok(done);
    }
    let (u, c) = (user.clone(), cmid.clone());
    let outcome = db
        .write(move |conn| {
            let result = f(conn)?;
            let json = serde_json::to_string(&result)
                .map_err(|e| Error::internal(format!("cannot store mutation result: {e}")))?;
            diesel::insert_into(client_mutations::table)
                .values((
                    client_mutations::user_id.eq(&u),
                    client_mutations::client_mutation_id.eq(&c),
                    client_mutations::mutation.eq(mutation),
                    client_mutations::result.eq(json),
                    client_mutations::created_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(result)
        })
        .await;
    match outcome {
        // A concurrent request with the same id committed first: ours rolled back, theirs stands.
        Err(e) if e.code == ErrorCode::Conflict => {
            match stored::<T>(db, &user, &cmid, mutation).await? {
                Some(done) => Ok(done),
                None => Err(e),
            }
        }
        other => other,
    }
}

fn check_id(id: &str) -> Result<()> {
    if id.trim().is_empty() || id.len() > 128 {
        return Err(Error::validation(
            "clientMutationId",
            "clientMutationId must be 1 to 128 characters, unique per mutation you send",
        ));
    }
    Ok(())
}

/// The stored result of an earlier call with this id, if there was one.
pub async fn stored<T: DeserializeOwned + Send + 'static>(
    db: &Database,
    user: &str,
    cmid: &str,
    mutation: &'static str,
) -> Result<Option<T>> {
    let (user, cmid) = (user.to_string(), cmid.to_string());
    let row: Option<(String, String)> = db
        .read(move |conn| {
            Ok(client_mutations::table
                .filter(client_mutations::user_id.eq(&user))
                .filter(client_mutations::client_mutation_id.eq(&cmid))
                .select((client_mutations::mutation, client_mutations::result))
                .first(conn)
                .optional()?)
        })
        .await?;
    match row {
        None => Ok(None),
        Some((name, _)) if name != mutation => Err(Error::validation(
            "clientMutationId",
            format!("this clientMutationId was already used for {name}; send a new one"),
        )),
        Some((_, json)) => serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| Error::internal(format!("stored mutation result unreadable: {e}"))),
    }
}
