//! `amparo-api serve` as separate operating-system processes on one database, as an operation
//! runs it behind a load balancer: each process has only its own memory, and they share the
//! database alone. On PostgreSQL a login throttled through one process stays throttled through
//! the other, and a reassignment made through one shows in the case summary read through the
//! other; on SQLite a second server on the same file is refused with a clear message.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;
use support::{Server, run, serve};

const PASSWORD: &str = "amparo-demo";

async fn gql(srv: &Server, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{}/graphql", srv.url))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON")
}

const LOGIN: &str =
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }";

fn code(r: &Value) -> Option<&str> {
    r["errors"][0]["extensions"]["code"].as_str()
}

async fn login(srv: &Server, user: &str) -> String {
    let r = gql(srv, None, LOGIN, json!({ "u": user, "p": PASSWORD })).await;
    r["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login {user}: {r}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_share_the_throttle_and_the_case_summary() {
    let Some(pg) = support::postgres("amparo_serve_proc") else {
        return;
    };
    run(&pg.url, &["migrate"]);
    run(&pg.url, &["seed", "--demo"]);
    let a = serve(&pg.url).expect("server A");
    let b = serve(&pg.url).expect("server B");

    // Wrong passwords through A until it slows the account; B slows it too, even for the right
    // password, and leaves other users alone.
    let mut throttled = false;
    for _ in 0..10 {
        let r = gql(&a, None, LOGIN, json!({ "u": "officer3", "p": "wrong" })).await;
        if code(&r) == Some("RATE_LIMITED") {
            throttled = true;
            break;
        }
        assert_eq!(code(&r), Some("UNAUTHENTICATED"), "{r}");
    }
    assert!(throttled, "A never slowed the attempts");
    let r = gql(&b, None, LOGIN, json!({ "u": "officer3", "p": PASSWORD })).await;
    assert_eq!(code(&r), Some("RATE_LIMITED"), "through B: {r}");
    login(&b, "registrar").await;

    // A supervisor's summary read (and kept) through A; a case moved from officer to officer2
    // through B; A's summary shows the move within seconds.
    let sup_a = login(&a, "supervisor").await;
    let sup_b = login(&b, "supervisor").await;
    let officer = login(&b, "officer").await;
    let summary = "{ caseSummary { workload { username open } } }";
    let open_of = |r: &Value, name: &str| {
        r["data"]["caseSummary"]["workload"]
            .as_array()
            .and_then(|w| w.iter().find(|x| x["username"] == name))
            .and_then(|x| x["open"].as_i64())
            .unwrap_or(0)
    };
    let before = gql(&a, Some(&sup_a), summary, json!({})).await;
    let (of_officer, of_officer2) = (open_of(&before, "officer"), open_of(&before, "officer2"));
    assert!(of_officer > 0, "the demo gives officer cases: {before}");
    let work = gql(
        &b,
        Some(&officer),
        "{ myWork(first: 1) { edges { node { id version } } } }",
        json!({}),
    )
    .await;
    let case = &work["data"]["myWork"]["edges"][0]["node"];
    let officers = gql(
        &b,
        Some(&sup_b),
        "{ assignableOfficers { id username } }",
        json!({}),
    )
    .await;
    let officer2 = officers["data"]["assignableOfficers"]
        .as_array()
        .and_then(|o| o.iter().find(|x| x["username"] == "officer2"))
        .map(|x| x["id"].clone())
        .unwrap_or_else(|| panic!("officer2 among {officers}"));
    let moved = gql(
        &b,
        Some(&sup_b),
        "mutation($i: AssignCaseInput!) { assignCase(input: $i) { case { id } } }",
        json!({ "i": { "clientMutationId": "proc-move", "caseId": case["id"], "version": case["version"], "officerId": officer2 } }),
    )
    .await;
    assert!(moved["errors"].is_null(), "{moved}");
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let now = gql(&a, Some(&sup_a), summary, json!({})).await;
        if open_of(&now, "officer") == of_officer - 1
            && open_of(&now, "officer2") == of_officer2 + 1
        {
            break;
        }
        assert!(
            Instant::now() < until,
            "A's summary still shows the old workload: {now}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn a_second_server_on_one_sqlite_file_is_refused() {
    let db = support::sqlite();
    let url = db.url.clone();
    run(&url, &["migrate"]);
    run(&url, &["seed", "--demo"]);
    let _first = serve(&url).expect("the first server");
    let second = serve(&url);
    let Err(said) = second else {
        panic!("a second server on the same SQLite file started")
    };
    assert!(
        said.contains("another amparo-api server is already serving"),
        "{said}"
    );
}
