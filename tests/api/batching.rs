//! Round trips per request: a page of people with the records under them is read in one query
//! per kind, not one per person and kind, and the request's reads are audited in one append
//! that still names every person read.

use amparo_tests::{TestDb, both_backends, start, world};
use serde_json::json;

use super::support::{NAMED_RECORDS, count_rows, family, register};

/// A page of people with the records a caseworker's list shows under each.
const PAGE: &str = r#"
query($first: Int!) {
  individuals(first: $first) {
    edges { node {
      id givenNames
      office { name }
      documents { number }
      addresses { line }
      phones { number }
      languages { language }
    } }
  }
}"#;

/// The same with everything else under a person: needs, group, cases.
const FULL_PAGE: &str = r#"
query($first: Int!) {
  individuals(first: $first) {
    edges { node {
      id givenNames
      office { name }
      documents { number }
      addresses { line }
      phones { number }
      languages { language }
      specificNeeds { code }
      withheldSpecificNeeds
      groupMembership { relationship group { groupNumber } }
      cases { caseNumber }
    } }
  }
}"#;

/// The i-th family of three, with an address for its focal point.
fn household(i: usize, name: &str) -> serde_json::Value {
    let mut f = family(&format!("{name}-{i}"), &format!("{name}{i}"));
    f["acknowledgeDuplicates"] = json!(true);
    f["members"][0]["person"]["addresses"] = json!([{
        "kind": "current", "line": format!("Calle {i}"), "city": "Quito", "country": "ECU"
    }]);
    f
}

/// How many reads of an individual the audit names, under how many request ids, in how many
/// events.
fn individual_reads(db: &amparo_api::store::Database) -> (i64, i64, i64) {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        requests: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        events: i64,
    }
    let q = diesel::sql_query(format!(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT request_id) AS requests, COUNT(DISTINCT seq) AS events \
         FROM {NAMED_RECORDS} WHERE action = 'read' AND record_type = 'individual'"
    ));
    let mut c = db.conn().expect("connection");
    let row: Row = match &mut *c {
        amparo_api::store::DbConn::Pg(pg) => q.get_result(pg),
        amparo_api::store::DbConn::Sqlite(lite) => q.get_result(lite),
    }
    .expect("count reads");
    (row.n, row.requests, row.events)
}

async fn a_page_of_fifty_costs_few_transactions(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, Default::default()).await;
    let token = srv.login("registrar").await;
    for i in 0..17 {
        register(&srv, &token, household(i, "Pagina")).await;
    }
    assert!(count_rows(&t.db, "individuals") >= 50);
    let (reads_before, requests_before, events_before) = individual_reads(&t.db);
    let before = t.db.transactions();
    let r = srv.gql(Some(&token), PAGE, json!({ "first": 50 })).await;
    let spent = t.db.transactions() - before;
    assert!(r["errors"].is_null(), "{r}");
    let edges = r["data"]["individuals"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 50);
    let with_documents = edges
        .iter()
        .filter(|e| !e["node"]["documents"].as_array().is_none_or(Vec::is_empty))
        .count();
    assert!(with_documents >= 16, "documents came back: {r}");
    assert!(
        edges.iter().all(|e| e["node"]["office"]["name"] == "Quito"),
        "{r}"
    );
    assert!(
        spent <= 10,
        "a page of 50 people with their documents, addresses, phones and languages took {spent} database transactions"
    );
    let (reads_after, requests_after, events_after) = individual_reads(&t.db);
    // With everything under a person, the cost is one query per kind: the same for a page of
    // 10 as for a page of 50.
    let cost = |first: i64| {
        let (srv, token, db) = (&srv, &token, &t.db);
        async move {
            let before = db.transactions();
            let r = srv
                .gql(Some(token), FULL_PAGE, json!({ "first": first }))
                .await;
            assert!(r["errors"].is_null(), "{r}");
            assert!(
                r["data"]["individuals"]["edges"]
                    .as_array()
                    .is_some_and(|e| e.len() as i64 == first
                        && e.iter()
                            .all(|e| e["node"]["groupMembership"]["group"]["groupNumber"]
                                .is_string())),
                "{r}"
            );
            db.transactions() - before
        }
    };
    let (ten, fifty) = (cost(10).await, cost(50).await);
    assert_eq!(
        ten, fifty,
        "the cost of a page does not grow with its people"
    );
    assert!(fifty <= 15, "a full page took {fifty} transactions");
    assert_eq!(
        reads_after - reads_before,
        50,
        "every person read is audited"
    );
    assert_eq!(
        requests_after - requests_before,
        1,
        "the page's reads are one request's append"
    );
    assert_eq!(
        events_after - events_before,
        1,
        "the page's reads are one event naming all 50"
    );
    assert!(
        matches!(
            amparo_api::store::audit::verify(&mut t.db.conn().expect("connection")),
            Ok(amparo_api::store::audit::Verdict::Intact { .. })
        ),
        "the audit chain holds"
    );
}

/// A case with its members, and the members' records, also costs a handful of transactions.
async fn cases_with_members_are_batched(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, Default::default()).await;
    let registrar = srv.login("registrar").await;
    let officer = srv.login("officer").await;
    let mut cases = 0;
    for i in 0..6 {
        let g = register(&srv, &registrar, household(i, "Caso")).await;
        let members = g["members"].as_array().expect("members").clone();
        let r = srv
            .gql(
                Some(&registrar),
                "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id } } }",
                json!({ "input": {
                    "clientMutationId": format!("open-{i}"),
                    "groupId": g["group"]["id"],
                    "principalId": members[0]["id"],
                    "memberIds": [members[1]["id"], members[2]["id"]],
                }}),
            )
            .await;
        assert!(r["errors"].is_null(), "{r}");
        cases += 1;
    }
    let before = t.db.transactions();
    let r = srv
        .gql(
            Some(&officer),
            "{ cases(first: 50) { edges { node { caseNumber assignedOfficer { username }
                members { role individual { givenNames documents { number } phones { number } languages { language } } } } } } }",
            json!({}),
        )
        .await;
    let spent = t.db.transactions() - before;
    assert!(r["errors"].is_null(), "{r}");
    let edges = r["data"]["cases"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), cases);
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["members"].as_array().map(Vec::len) == Some(3)),
        "{r}"
    );
    assert!(spent <= 10, "cases with members took {spent} transactions");
}

both_backends!(
    a_page_of_fifty_costs_few_transactions,
    cases_with_members_are_batched
);
