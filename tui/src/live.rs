//! The live link: `caseEvents` over graphql-ws (`graphql-transport-ws`) at `/graphql/ws`. It
//! reports [`LiveEvent`]s to the loop and reconnects with a growing pause when it drops. It
//! sends nothing on its own: an idle link costs only what the server sends.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use graphql_client::GraphQLQuery;
use serde::Deserialize;
use tokio::sync::mpsc::UnboundedSender;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::api::{CaseEvents, case_events};
use crate::msg::{LiveEvent, Msg};

/// The first pause before reconnecting; it doubles on each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest pause between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    payload: Option<serde_json::Value>,
}

/// `http://host:port/graphql` becomes `ws://host:port/graphql/ws`.
pub fn ws_url(endpoint: &str) -> String {
    let url = endpoint
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    format!("{}/ws", url.trim_end_matches('/'))
}

/// Keeps the link open for as long as the task lives; `tls` is the HTTP client's configuration
/// for a `wss://` link.
pub async fn run(
    endpoint: String,
    tls: Option<Arc<rustls::ClientConfig>>,
    token: String,
    tx: UnboundedSender<Msg>,
) {
    let url = ws_url(&endpoint);
    let mut backoff = FIRST_BACKOFF;
    loop {
        // A link that was up drops for a reason unrelated to the last wait: try again soon.
        if session(&url, tls.clone(), &token, &tx).await.is_ok() {
            backoff = FIRST_BACKOFF;
        }
        if tx.send(Msg::Live(LiveEvent::Down)).is_err() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection: Ok once it was acknowledged and later closed, Err if it never came up.
async fn session(
    url: &str,
    tls: Option<Arc<rustls::ClientConfig>>,
    token: &str,
    tx: &UnboundedSender<Msg>,
) -> Result<(), String> {
    let mut req = url.into_client_request().map_err(|e| e.to_string())?;
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws"
            .parse()
            .map_err(|_| "bad header".to_string())?,
    );
    // Without a configuration of ours the library would trust the system store alone.
    let connector = tls.map(tokio_tungstenite::Connector::Rustls);
    let (mut ws, _) = tokio_tungstenite::connect_async_tls_with_config(req, None, true, connector)
        .await
        .map_err(|e| e.to_string())?;
    let init = serde_json::json!({
        "type": "connection_init",
        "payload": { "Authorization": format!("Bearer {token}") },
    });
    ws.send(Message::Text(init.to_string().into()))
        .await
        .map_err(|e| e.to_string())?;
    let mut acked = false;
    while let Some(msg) = ws.next().await {
        let text = match msg {
            Ok(Message::Text(t)) => t,
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => continue,
        };
        let Ok(frame) = serde_json::from_str::<Frame>(&text) else {
            continue;
        };
        match frame.kind.as_str() {
            "connection_ack" => {
                acked = true;
                let body = CaseEvents::build_query(case_events::Variables {});
                let sub = serde_json::json!({ "id": "1", "type": "subscribe", "payload": body });
                ws.send(Message::Text(sub.to_string().into()))
                    .await
                    .map_err(|e| e.to_string())?;
                if tx.send(Msg::Live(LiveEvent::Up)).is_err() {
                    return Ok(());
                }
            }
            "ping" => {
                let pong = serde_json::json!({ "type": "pong" });
                ws.send(Message::Text(pong.to_string().into()))
                    .await
                    .map_err(|e| e.to_string())?;
            }
            "next" => {
                let data = frame
                    .payload
                    .and_then(|p| p.get("data").cloned())
                    .and_then(|d| serde_json::from_value::<case_events::ResponseData>(d).ok());
                if let Some(d) = data {
                    let event = LiveEvent::Notice {
                        case_id: d.case_events.case_id,
                        kind: d.case_events.kind,
                        officer_ids: d.case_events.officer_ids,
                    };
                    if tx.send(Msg::Live(event)).is_err() {
                        return Ok(());
                    }
                }
            }
            "error" | "complete" => break,
            _ => {}
        }
    }
    if acked {
        Ok(())
    } else {
        Err("closed before it was acknowledged".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::ws_url;

    #[test]
    fn the_websocket_sits_under_the_graphql_endpoint() {
        assert_eq!(
            ws_url("http://127.0.0.1:8080/graphql"),
            "ws://127.0.0.1:8080/graphql/ws"
        );
        assert_eq!(
            ws_url("https://a.example/graphql/"),
            "wss://a.example/graphql/ws"
        );
    }
}
