//! The error contract: every error has `extensions.code`; input errors name the field and give
//! a reason with its parameters; a failure of the server is INTERNAL and tells nothing of why.

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, both_backends, error_code, start, world};
use serde_json::json;

use super::support::{REGISTER, family};

async fn validation_answers_carry_field_reason_and_params(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let mut input = family("err-long", "Pérez");
    input["members"][0]["person"]["givenNames"] = json!("x".repeat(201));
    let r = srv
        .gql(Some(&token), REGISTER, json!({ "input": input }))
        .await;
    let ext = &r["errors"][0]["extensions"];
    assert_eq!(ext["code"], "VALIDATION", "{r}");
    assert_eq!(ext["field"], "members.0.givenNames", "{r}");
    assert_eq!(ext["reason"], "TOO_LONG", "{r}");
    assert_eq!(ext["params"], json!({ "max": 200 }), "{r}");

    let mut input = family("err-code", "Pérez");
    input["members"][1]["person"]["nationalities"] = json!(["VEN", "ZZZ"]);
    let r = srv
        .gql(Some(&token), REGISTER, json!({ "input": input }))
        .await;
    let ext = &r["errors"][0]["extensions"];
    assert_eq!(ext["field"], "members.1.nationalities.1", "{r}");
    assert_eq!(ext["reason"], "UNKNOWN_CODE", "{r}");
    assert_eq!(
        ext["params"],
        json!({ "vocabulary": "country", "value": "ZZZ" }),
        "{r}"
    );

    let mut input = family("err-focal", "Pérez");
    input["members"][2]["relationship"] = json!("focal_point");
    let r = srv
        .gql(Some(&token), REGISTER, json!({ "input": input }))
        .await;
    let ext = &r["errors"][0]["extensions"];
    assert_eq!(ext["reason"], "EXACTLY_ONE", "{r}");
    assert_eq!(
        ext["params"],
        json!({ "value": "focal_point", "expected": 1, "found": 2 }),
        "{r}"
    );

    // A request the server cannot even parse is the caller's to fix, and has no reason.
    let r = srv.gql(Some(&token), "{ individuals { ", json!({})).await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    assert!(r["errors"][0]["extensions"]["reason"].is_null(), "{r}");
}

async fn an_internal_failure_answers_internal_and_hides_its_cause(t: TestDb) {
    use diesel::RunQueryDsl;
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let read = "{ individuals(first: 5) { totalCount } }";
    let ok = srv.gql(Some(&token), read, json!({})).await;
    assert!(ok["errors"].is_null(), "{ok}");
    // The table the read needs disappears under the server: its failure, not the caller's.
    {
        let mut c = t.db.conn().expect("connection");
        let q = diesel::sql_query("ALTER TABLE individuals RENAME TO individuals_gone");
        match &mut *c {
            amparo_api::store::DbConn::Pg(pg) => q.execute(pg),
            amparo_api::store::DbConn::Sqlite(lite) => q.execute(lite),
        }
        .expect("rename");
    }
    let r = srv.gql(Some(&token), read, json!({})).await;
    assert_eq!(error_code(&r), Some("INTERNAL"), "{r}");
    let message = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("individuals"), "no SQL detail: {r}");
    assert!(r["errors"][0]["extensions"]["field"].is_null(), "{r}");
}

both_backends!(
    validation_answers_carry_field_reason_and_params,
    an_internal_failure_answers_internal_and_hides_its_cause,
);
