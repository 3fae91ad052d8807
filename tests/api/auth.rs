//! Logins, sessions, throttling and API tokens.

use std::time::Duration;

use amparo_api::auth::AuthConfig;
use amparo_tests::{PASSWORD, TestDb, both_backends, error_code, start, world};
use serde_json::json;

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token expiresAt } }";
const ME: &str = "{ me { username roles scopeLevel operationUnit { code } office { name } } }";

async fn login_and_me(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("officer").await;
    assert!(token.len() >= 40, "token has 256 random bits: {token}");
    let me = srv.gql(Some(&token), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["username"], "officer");
    assert_eq!(me["data"]["me"]["roles"], json!(["eligibility_officer"]));
    assert_eq!(me["data"]["me"]["operationUnit"]["code"], "DPIN");
    assert_eq!(me["data"]["me"]["office"]["name"], "Quito");
    let anon = srv.gql(None, ME, json!({})).await;
    assert_eq!(error_code(&anon), Some("UNAUTHENTICATED"));
    let forged = srv.gql(Some("amp_s_forged"), ME, json!({})).await;
    assert_eq!(error_code(&forged), Some("UNAUTHENTICATED"));
    // The token is stored hashed only.
    let stored =
        super::support::count_rows(&t.db, &format!("sessions WHERE token_hash = '{token}'"));
    assert_eq!(stored, 0);
}

async fn wrong_password_and_throttle(t: TestDb) {
    world(&t.db);
    let config = AuthConfig {
        max_failures: 3,
        ..AuthConfig::default()
    };
    let srv = start(&t.db, config).await;
    for _ in 0..3 {
        let r = srv
            .gql(None, LOGIN, json!({ "u": "officer", "p": "wrong" }))
            .await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    }
    // Even the right password is refused while throttled.
    let r = srv
        .gql(None, LOGIN, json!({ "u": "officer", "p": PASSWORD }))
        .await;
    assert_eq!(error_code(&r), Some("RATE_LIMITED"), "{r}");
    // Other users are not affected.
    srv.login("supervisor").await;
    // Unknown users get the same answer as a wrong password.
    let r = srv
        .gql(None, LOGIN, json!({ "u": "nobody", "p": "x" }))
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"));
    assert!(
        super::support::count_rows(
            &t.db,
            "audit_events WHERE action = 'login' AND outcome = 'denied'"
        ) >= 4
    );
}

async fn idle_sessions_end_and_logout_ends_them(t: TestDb) {
    world(&t.db);
    let config = AuthConfig {
        idle_timeout: Duration::from_secs(1),
        ..AuthConfig::default()
    };
    let srv = start(&t.db, config).await;
    let token = srv.login("officer").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let r = srv.gql(Some(&token), ME, json!({})).await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");

    let srv2 = start(&t.db, AuthConfig::default()).await;
    let token = srv2.login("officer").await;
    let out = srv2
        .gql(Some(&token), "mutation { logout { ok } }", json!({}))
        .await;
    assert_eq!(out["data"]["logout"]["ok"], true, "{out}");
    let r = srv2.gql(Some(&token), ME, json!({})).await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"));
}

async fn api_tokens_are_named_and_revocable(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let session = srv.login("supervisor").await;
    let create =
        "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token id expiresAt } }";
    let r = srv.gql(Some(&session), create, json!({ "i": { "clientMutationId": "tok-1", "name": "monthly statistics", "days": 30 } })).await;
    let api = r["data"]["createApiToken"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    let id = r["data"]["createApiToken"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // A replay does not create a second token nor show the secret again.
    let again = srv.gql(Some(&session), create, json!({ "i": { "clientMutationId": "tok-1", "name": "monthly statistics", "days": 30 } })).await;
    assert_eq!(again["data"]["createApiToken"]["id"], json!(id));
    assert!(again["data"]["createApiToken"]["token"].is_null());
    let me = srv.gql(Some(&api), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["username"], "supervisor");
    let list = srv
        .gql(
            Some(&session),
            "{ apiTokens { id name revokedAt } }",
            json!({}),
        )
        .await;
    assert_eq!(list["data"]["apiTokens"][0]["name"], "monthly statistics");
    assert_eq!(list["data"]["apiTokens"].as_array().map(Vec::len), Some(1));
    let revoke = srv
        .gql(
            Some(&session),
            "mutation($i: RevokeApiTokenInput!) { revokeApiToken(input: $i) { revoked } }",
            json!({ "i": { "clientMutationId": "rev-1", "id": id } }),
        )
        .await;
    assert_eq!(
        revoke["data"]["revokeApiToken"]["revoked"], true,
        "{revoke}"
    );
    let me = srv.gql(Some(&api), ME, json!({})).await;
    assert_eq!(error_code(&me), Some("UNAUTHENTICATED"));
}

/// Logs in from a given loopback address (all of 127.0.0.0/8 reaches the server).
async fn login_from(
    srv: &amparo_tests::TestServer,
    from: [u8; 4],
    user: &str,
    password: &str,
) -> serde_json::Value {
    let http = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(from))
        .build()
        .expect("client");
    http.post(format!("{}/graphql", srv.url))
        .json(&json!({ "query": LOGIN, "variables": { "u": user, "p": password } }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

/// Guessing at an account slows the guesser, not the owner elsewhere; made-up usernames from an
/// office's address do not lock its users out; delays grow and pass, they do not lock.
async fn throttling_slows_attackers_without_locking_others_out(t: TestDb) {
    world(&t.db);
    let config = AuthConfig {
        max_failures: 3,
        ..AuthConfig::default()
    };
    let srv = start(&t.db, config).await;
    let attacker = [127, 0, 0, 2];
    let mut limited = 0;
    for _ in 0..8 {
        let r = login_from(&srv, attacker, "officer", "wrong").await;
        if error_code(&r) == Some("RATE_LIMITED") {
            limited += 1;
        }
    }
    assert!(
        limited >= 4,
        "the guesser is slowed: {limited} of 8 refused"
    );
    // The owner, at their own address, logs in at once.
    let r = login_from(&srv, [127, 0, 0, 3], "officer", PASSWORD).await;
    assert!(
        r["data"]["login"]["token"].is_string(),
        "owner locked out: {r}"
    );
    // A delay passes: after the third failure the next attempt waits one second, not minutes.
    let slow = [127, 0, 0, 5];
    for _ in 0..3 {
        let r = login_from(&srv, slow, "supervisor", "wrong").await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    }
    let r = login_from(&srv, slow, "supervisor", PASSWORD).await;
    assert_eq!(error_code(&r), Some("RATE_LIMITED"), "{r}");
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let r = login_from(&srv, slow, "supervisor", PASSWORD).await;
    assert!(
        r["data"]["login"]["token"].is_string(),
        "the delay passed: {r}"
    );
    // An office's address: 40 failed logins with made-up usernames lock nobody out there.
    let office = [127, 0, 0, 4];
    for i in 0..40 {
        let r = login_from(&srv, office, &format!("made.up.{i}"), "x").await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    }
    let r = login_from(&srv, office, "registrar", PASSWORD).await;
    assert!(
        r["data"]["login"]["token"].is_string(),
        "office locked out: {r}"
    );
}

/// A token cannot mint tokens that outlive it; disabling the user ends every token.
async fn only_a_login_session_creates_api_tokens(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let session = srv.login("analyst").await;
    let create =
        "mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token id expiresAt } }";
    let r = srv
        .gql(
            Some(&session),
            create,
            json!({ "i": { "clientMutationId": "mint-1", "name": "reports", "days": 1 } }),
        )
        .await;
    let api = r["data"]["createApiToken"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    let before = super::support::count_rows(&t.db, "sessions");
    let r = srv
        .gql(
            Some(&api),
            create,
            json!({ "i": { "clientMutationId": "mint-2", "name": "child", "days": 365 } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(
        super::support::count_rows(&t.db, "sessions"),
        before,
        "no token was minted"
    );
    t.db.write_blocking(|c| {
        let u = amparo_api::store::users::user_by_username(c, "analyst")?.expect("analyst");
        amparo_api::store::users::disable_user(c, &u.id)
    })
    .expect("disable");
    for token in [&session, &api] {
        let r = srv.gql(Some(token), ME, json!({})).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    }
}

both_backends!(
    login_and_me,
    only_a_login_session_creates_api_tokens,
    wrong_password_and_throttle,
    throttling_slows_attackers_without_locking_others_out,
    idle_sessions_end_and_logout_ends_them,
    api_tokens_are_named_and_revocable
);
