//! Several server processes on one PostgreSQL behave as one: two servers, each with its own
//! pool, caches, subscribers, login throttle, biometric gallery and feed follower, share only
//! the database, and each is driven over real HTTP. (SQLite is served by one process only, so
//! these run on PostgreSQL.)

use std::time::Duration;

use amparo_api::auth::AuthConfig;
use amparo_api::biometric::Keyring;
use amparo_api::server::HttpConfig;
use amparo_api::store::Database;
use amparo_tests::{
    Backend, TestDb, TestServer, error_code, start, start_with_http, start_with_key, test_db, world,
};
use serde_json::json;

use super::biometrics::{enrol, enrolment, pending, person, samples};
use super::sessions::{next, subscribe};
use super::workflow::{next_message, open_case, user_id};

/// Two servers on the test's PostgreSQL database, each on a pool of its own, sharing the
/// biometric key as the processes of one deployment do.
async fn two_servers(t: &TestDb, auth: AuthConfig) -> (TestServer, TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("key directory");
    let key = dir.path().join("biometric.key");
    Keyring::generate_file(&key).expect("biometric key");
    let a = start_with_key(&t.db, auth.clone(), &key).await;
    let other = Database::open(&t.url, 8).expect("a second pool");
    let b = start_with_key(&other, auth, &key).await;
    (a, b, dir)
}

fn postgres() -> Option<TestDb> {
    test_db(Backend::Postgres)
}

/// Polls `check` until it holds or `seconds` pass.
async fn within<F, Fut>(seconds: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while tokio::time::Instant::now() < until {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_on_one_process_hears_an_action_through_another() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let Some(t) = postgres() else { return };
    world(&t.db);
    let (a, b, _keys) = two_servers(&t, AuthConfig::default()).await;
    let registrar = b.login("registrar").await;
    let officer = b.login("officer").await;
    let supervisor_b = b.login("supervisor").await;
    let supervisor_a = a.login("supervisor").await;
    let officer_id = user_id(&b, &officer).await;
    let (mut case, _) = open_case(&b, &registrar, "mp-1", "Procesos").await;

    let url = format!("{}/graphql/ws", a.url.replace("http://", "ws://"));
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket");
    ws.send(Message::Text(
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {supervisor_a}") } })
            .to_string()
            .into(),
    ))
    .await
    .expect("init");
    next_message(&mut ws, |v| v["type"] == "connection_ack").await;
    ws.send(Message::Text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { caseEvents { caseId kind fromStatus toStatus version officerIds } }" } })
            .to_string()
            .into(),
    ))
    .await
    .expect("subscribe");
    // The subscription listens once process A has handled the subscribe message: record
    // (harmless) contacts through B until A's subscriber hears one.
    let mut live = false;
    for _ in 0..20 {
        case.ok(
            &b,
            &registrar,
            "recordContact",
            "CaseActionInput",
            json!({}),
        )
        .await;
        let heard = tokio::time::timeout(
            Duration::from_secs(1),
            next_message(&mut ws, |v| v["type"] == "next"),
        )
        .await;
        if heard.is_ok() {
            live = true;
            break;
        }
    }
    assert!(
        live,
        "process A's subscriber never heard an action made through B"
    );

    case.ok(
        &b,
        &supervisor_b,
        "assignCase",
        "AssignCaseInput",
        json!({ "officerId": officer_id }),
    )
    .await;
    case.ok(
        &b,
        &officer,
        "decideAdmissibility",
        "DecideAdmissibilityInput",
        json!({ "admissible": true }),
    )
    .await;
    let assigned = next_message(&mut ws, |v| {
        v["type"] == "next" && v["payload"]["data"]["caseEvents"]["kind"] == "assigned"
    })
    .await;
    assert!(
        assigned["payload"]["data"]["caseEvents"]["officerIds"]
            .as_array()
            .is_some_and(|o| o.contains(&json!(officer_id))),
        "{assigned}"
    );
    let seen = next_message(&mut ws, |v| {
        v["type"] == "next" && v["payload"]["data"]["caseEvents"]["kind"] == "admissibility_decided"
    })
    .await;
    let notice = &seen["payload"]["data"]["caseEvents"];
    assert_eq!(notice["caseId"], json!(case.id), "{seen}");
    assert_eq!(notice["fromStatus"], "registered");
    assert_eq!(notice["toStatus"], "admissible");
    assert_eq!(notice["version"], json!(case.version));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_login_stays_throttled_on_the_other_process() {
    let Some(t) = postgres() else { return };
    world(&t.db);
    let auth = AuthConfig {
        max_failures: 3,
        ..AuthConfig::default()
    };
    let (a, b, _keys) = two_servers(&t, auth).await;
    let login = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }";
    for _ in 0..3 {
        let r = a
            .gql(None, login, json!({ "u": "officer", "p": "wrong" }))
            .await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    }
    // The attacker moves to the other process: still slowed.
    let r = b
        .gql(None, login, json!({ "u": "officer", "p": "wrong" }))
        .await;
    assert_eq!(error_code(&r), Some("RATE_LIMITED"), "{r}");
    // Even the right password waits its turn there.
    let r = b
        .gql(
            None,
            login,
            json!({ "u": "officer", "p": amparo_tests::PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&r), Some("RATE_LIMITED"), "{r}");
    // Other users are not slowed on either.
    b.login("supervisor").await;
    a.login("supervisor").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enrolment_through_one_process_is_a_duplicate_through_the_other() {
    let Some(t) = postgres() else { return };
    world(&t.db);
    let (a, b, _keys) = two_servers(&t, AuthConfig::default()).await;
    let clerk_a = a.login("registrar").await;
    let clerk_b = b.login("registrar").await;
    let ana = person(&a, &clerk_a, "mp-ana", "Ana").await;
    let alias = person(&b, &clerk_b, "mp-alias", "Anita").await;
    let first = enrol(
        &a,
        &clerk_a,
        enrolment("mp-bio-1", &ana, samples(7, 1, 7, 0)),
    )
    .await;
    assert_eq!(first["status"], "CLEAR", "{first}");
    // Straight away, through the other process: its gallery may not have taken the first in
    // yet, but the enrolment compares with everything enrolled since.
    let second = enrol(
        &b,
        &clerk_b,
        enrolment("mp-bio-2", &alias, samples(7, 2, 8, 0)),
    )
    .await;
    assert_eq!(second["status"], "POSSIBLE_DUPLICATE", "{second}");
    assert_eq!(
        second["candidates"][0]["individualId"],
        json!(ana),
        "{second}"
    );

    // Two enrolments of the same fingers sent to both at the same moment find each other.
    let cruz = person(&a, &clerk_a, "mp-cruz", "Cruz").await;
    let dora = person(&b, &clerk_b, "mp-dora", "Dora").await;
    let (x, y) = tokio::join!(
        enrol(
            &a,
            &clerk_a,
            enrolment("mp-bio-3", &cruz, samples(9, 1, 9, 0))
        ),
        enrol(
            &b,
            &clerk_b,
            enrolment("mp-bio-4", &dora, samples(9, 2, 10, 0))
        ),
    );
    let flagged = [&x, &y]
        .iter()
        .filter(|e| e["status"] == "POSSIBLE_DUPLICATE")
        .count();
    assert_eq!(
        flagged, 1,
        "the later of the two finds the earlier: {x} {y}"
    );
    let supervisor = a.login("supervisor").await;
    let reviews = pending(&a, &supervisor).await;
    assert!(
        reviews.iter().any(|r| {
            let pair = [
                r["enrolled"]["individualId"].clone(),
                r["candidate"]["individualId"].clone(),
            ];
            pair.contains(&json!(cruz)) && pair.contains(&json!(dora))
        }),
        "a review pairs the two: {reviews:?}"
    );

    // A later enrolment through A finds both, whichever of the two it learnt of through its
    // gallery (the follower takes B's enrolments in within seconds) and which from the feed.
    let elena = person(&a, &clerk_a, "mp-elena", "Elena").await;
    let r = enrol(
        &a,
        &clerk_a,
        enrolment("mp-bio-5", &elena, samples(9, 3, 11, 0)),
    )
    .await;
    assert_eq!(r["status"], "POSSIBLE_DUPLICATE", "{r}");
    let found: Vec<_> = r["candidates"]
        .as_array()
        .map(|c| c.iter().map(|c| c["individualId"].clone()).collect())
        .unwrap_or_default();
    assert!(
        found.contains(&json!(cruz)) && found.contains(&json!(dora)),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reassignment_through_one_process_shows_in_the_summary_of_the_other() {
    let Some(t) = postgres() else { return };
    world(&t.db);
    let (a, b, _keys) = two_servers(&t, AuthConfig::default()).await;
    let registrar = b.login("registrar").await;
    let supervisor_a = a.login("supervisor").await;
    let supervisor_b = b.login("supervisor").await;
    let officer = user_id(&b, &b.login("officer").await).await;
    let officer2 = user_id(&b, &b.login("officer2").await).await;
    let (mut case, _) = open_case(&b, &registrar, "mp-sum", "Resumen").await;
    case.ok(
        &b,
        &supervisor_b,
        "assignCase",
        "AssignCaseInput",
        json!({ "officerId": officer }),
    )
    .await;
    let summary = "{ caseSummary { workload { username open } } }";
    let open_of = |r: &serde_json::Value, name: &str| {
        r["data"]["caseSummary"]["workload"]
            .as_array()
            .and_then(|w| w.iter().find(|x| x["username"] == name))
            .and_then(|x| x["open"].as_i64())
    };
    // Read through A until it counts the assignment (A learns of it through the feed), so its
    // summary is cached with it.
    let counted = within(10, || async {
        let r = a.gql(Some(&supervisor_a), summary, json!({})).await;
        open_of(&r, "officer") == Some(1)
    })
    .await;
    assert!(counted, "A's summary never counted the case");
    case.ok(
        &b,
        &supervisor_b,
        "assignCase",
        "AssignCaseInput",
        json!({ "officerId": officer2 }),
    )
    .await;
    let moved = within(5, || async {
        let r = a.gql(Some(&supervisor_a), summary, json!({})).await;
        open_of(&r, "officer2") == Some(1) && open_of(&r, "officer").unwrap_or(0) == 0
    })
    .await;
    assert!(
        moved,
        "the summary read through A still shows the old workload"
    );
}

/// A process started on a registry with a history takes the feed from where it stands: nothing
/// recorded before it started is announced to its subscribers as if it had just happened, and
/// it does not read the history at all. A process without a biometric gallery starts following
/// on its first read of the feed (one with a gallery, before loading it), which is the path
/// taken here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_started_later_announces_nothing_from_before_it() {
    let Some(t) = postgres() else { return };
    world(&t.db);
    let a = start(&t.db, AuthConfig::default()).await;
    let registrar = a.login("registrar").await;
    let supervisor = a.login("supervisor").await;
    let officer = user_id(&a, &a.login("officer").await).await;
    let (mut case, _) = open_case(&a, &registrar, "mp-late", "Historia").await;
    case.ok(
        &a,
        &supervisor,
        "assignCase",
        "AssignCaseInput",
        json!({ "officerId": officer }),
    )
    .await;

    let other = Database::open(&t.url, 4).expect("a second pool");
    let c = start_with_http(&other, AuthConfig::default(), HttpConfig::default()).await;
    let supervisor_c = c.login("supervisor").await;
    let mut ws = subscribe(&c, &supervisor_c).await;
    // The follower reads the feed when notified and every two seconds: five seconds cover
    // more than two reads after its first.
    let old = next(&mut ws, |v| v["type"] == "next", Duration::from_secs(5)).await;
    assert!(
        old.is_none(),
        "a process started later announced what happened before it: {old:?}"
    );
    // And it does follow: an action now, through the other process, is heard.
    let mut heard = false;
    for _ in 0..10 {
        case.ok(
            &a,
            &registrar,
            "recordContact",
            "CaseActionInput",
            json!({}),
        )
        .await;
        if next(&mut ws, |v| v["type"] == "next", Duration::from_secs(1))
            .await
            .is_some()
        {
            heard = true;
            break;
        }
    }
    assert!(heard, "the process started later never heard a new action");
}
