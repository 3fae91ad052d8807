//! Requests the suites share.

use amparo_tests::TestServer;
use serde_json::{Value, json};

pub const REGISTER: &str = r#"
mutation($input: RegisterGroupInput!) {
  registerGroup(input: $input) {
    clientMutationId saved
    group { id groupNumber version members { relationship individual { id } } }
    members { id individualNumber givenNames familyName version }
    possibleDuplicates { memberIndex individualId score reasons }
  }
}"#;

/// A family of three as a clerk types it.
pub fn family(cmid: &str, family_name: &str) -> Value {
    json!({
        "clientMutationId": cmid,
        "members": [
            { "relationship": "focal_point", "person": {
                "givenNames": "María José", "familyName": family_name, "secondFamilyName": "Núñez",
                "sex": "F", "dateOfBirth": "1988-04-12", "nationalities": ["VEN"],
                "documents": [{ "documentType": "cedula", "number": "V-18.555.321", "issuingCountry": "VEN" }],
                "phones": [{ "number": "+593 99 123 4567", "kind": "mobile", "consentToContact": true }],
                "languages": [{ "language": "spa", "kind": "mother_tongue" }],
                "specificNeeds": [{ "code": "SP", "subCode": "SP-PT" }]
            }},
            { "relationship": "son", "person": { "givenNames": "Luis", "familyName": family_name, "sex": "M", "dateOfBirth": "2015-09-01", "nationalities": ["VEN"] } },
            { "relationship": "daughter", "person": { "givenNames": "Ana", "familyName": family_name, "sex": "F", "dateOfBirth": "2019-01-20", "nationalities": ["VEN"] } }
        ]
    })
}

/// Registers a group and returns the payload, failing the test on errors.
pub async fn register(srv: &TestServer, token: &str, input: Value) -> Value {
    let r = srv
        .gql(Some(token), REGISTER, json!({ "input": input }))
        .await;
    assert!(r["errors"].is_null(), "registerGroup failed: {r}");
    r["data"]["registerGroup"].clone()
}

/// Registers a one-person group with the given names.
pub async fn register_person(srv: &TestServer, token: &str, cmid: &str, person: Value) -> Value {
    let input = json!({ "clientMutationId": cmid, "acknowledgeDuplicates": true, "members": [{ "relationship": "focal_point", "person": person }] });
    register(srv, token, input).await
}

/// The records audit events name, one row each with its event's columns (`named` is the
/// record): an event naming several records (a read of a page) gives a row for each, any other
/// event one row. Counted like a table: `count_rows(db, &format!("{NAMED_RECORDS} WHERE ..."))`.
pub const NAMED_RECORDS: &str = "(SELECT e.*, e.record_id AS named FROM audit_events e \
     WHERE e.record_ids IS NULL UNION ALL SELECT e.*, r.record_id AS named \
     FROM audit_events e JOIN audit_event_records r ON r.seq = e.seq) named_records";

/// Counts rows of a table straight from the database, to prove nothing was written.
pub fn count_rows(db: &amparo_api::store::Database, table: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut c = db.conn().expect("connection");
    let q = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"));
    let row: N = match &mut *c {
        amparo_api::store::DbConn::Pg(pg) => q.get_result(pg),
        amparo_api::store::DbConn::Sqlite(lite) => q.get_result(lite),
    }
    .expect("count");
    row.n
}

/// Runs one statement straight on the database (a test's own changes of time and modules).
pub fn exec(db: &amparo_api::store::Database, sql: &str) {
    use diesel::prelude::*;
    let mut c = db.conn().expect("connection");
    let q = diesel::sql_query(sql);
    match &mut *c {
        amparo_api::store::DbConn::Pg(pg) => q.execute(pg),
        amparo_api::store::DbConn::Sqlite(lite) => q.execute(lite),
    }
    .expect(sql);
}

/// Runs one statement straight on the database and returns what the database said (to prove
/// a constraint refuses it).
pub fn try_exec(db: &amparo_api::store::Database, sql: &str) -> Result<usize, String> {
    use diesel::prelude::*;
    let mut c = db.conn().expect("connection");
    let q = diesel::sql_query(sql);
    match &mut *c {
        amparo_api::store::DbConn::Pg(pg) => q.execute(pg),
        amparo_api::store::DbConn::Sqlite(lite) => q.execute(lite),
    }
    .map_err(|e| e.to_string())
}
