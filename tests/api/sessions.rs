//! Sessions after they end: a live subscription must not outlive its logout, its user's
//! disabling or its token's revocation.

use std::time::Duration;

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, TestServer, both_backends, start, world};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the live link with `token` and subscribes to every case event.
pub(crate) async fn subscribe(srv: &TestServer, token: &str) -> Ws {
    let url = format!("{}/graphql/ws", srv.url.replace("http://", "ws://"));
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket");
    ws.send(Message::Text(
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })
            .to_string()
            .into(),
    ))
    .await
    .expect("init");
    next(
        &mut ws,
        |v| v["type"] == "connection_ack",
        Duration::from_secs(10),
    )
    .await
    .expect("ack");
    ws.send(Message::Text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { caseEvents { caseId kind } }" } })
            .to_string()
            .into(),
    ))
    .await
    .expect("subscribe");
    ws
}

/// The next message that satisfies `want` within `wait`, or None.
pub(crate) async fn next(
    ws: &mut Ws,
    want: impl Fn(&Value) -> bool,
    wait: Duration,
) -> Option<Value> {
    let read = async {
        while let Some(Ok(msg)) = ws.next().await {
            if let Message::Text(text) = msg {
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if want(&v) {
                    return Some(v);
                }
            }
        }
        None
    };
    tokio::time::timeout(wait, read).await.ok().flatten()
}

pub(crate) fn unauthenticated(v: &Value) -> bool {
    v["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        || v["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
}

async fn subscriptions_end_with_their_session(t: TestDb) {
    world(&t.db);
    let config = AuthConfig {
        session_recheck: Duration::from_millis(300),
        ..AuthConfig::default()
    };
    let srv = start(&t.db, config).await;

    // Logout.
    let token = srv.login("supervisor").await;
    let mut ws = subscribe(&srv, &token).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = srv
        .gql(Some(&token), "mutation { logout { ok } }", json!({}))
        .await;
    assert!(r["errors"].is_null(), "logout: {r}");
    let told = next(&mut ws, unauthenticated, Duration::from_secs(5)).await;
    let told = told.expect("the subscriber is told its session ended");
    assert!(
        told.to_string().contains("log in again"),
        "a clear reason: {told}"
    );
    assert!(
        next(&mut ws, |v| v["type"] == "complete", Duration::from_secs(5))
            .await
            .is_some(),
        "the subscription ends"
    );
    // The socket itself is closed, with a close frame that says why.
    let (code, reason) = close_frame(&mut ws).await.expect("a close frame");
    assert_eq!(code, 4401);
    assert!(reason.contains("log in again"), "a clear reason: {reason}");
    // The ended token cannot open a new link either.
    let url = format!("{}/graphql/ws", srv.url.replace("http://", "ws://"));
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut again, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket");
    again
        .send(Message::Text(
            json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })
                .to_string()
                .into(),
        ))
        .await
        .expect("init");
    assert!(
        next(
            &mut again,
            |v| v["type"] == "connection_ack",
            Duration::from_secs(3)
        )
        .await
        .is_none(),
        "no link for an ended session"
    );

    // A disabled user.
    let token = srv.login("officer").await;
    let mut ws = subscribe(&srv, &token).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    t.db.write_blocking(|c| {
        let u = amparo_api::store::users::user_by_username(c, "officer")?.expect("officer");
        amparo_api::store::users::disable_user(c, &u.id)
    })
    .expect("disable");
    let told = next(&mut ws, unauthenticated, Duration::from_secs(5)).await;
    assert!(
        told.is_some_and(|v| v.to_string().contains("disabled")),
        "a disabled user's subscription ends"
    );
    let (code, reason) = close_frame(&mut ws).await.expect("a close frame");
    assert_eq!(code, 4401);
    assert!(reason.contains("disabled"), "{reason}");
}

/// The close frame the server ends the socket with (code and reason), skipping other messages.
async fn close_frame(ws: &mut Ws) -> Option<(u16, String)> {
    let read = async {
        while let Some(Ok(msg)) = ws.next().await {
            if let Message::Close(frame) = msg {
                return frame.map(|f| (u16::from(f.code), f.reason.to_string()));
            }
        }
        None
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()
        .flatten()
}

both_backends!(subscriptions_end_with_their_session);
