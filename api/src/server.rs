//! The HTTP server: POST /graphql for the API, GET /graphql for the explorer (see `explorer`), GET /healthz.
//!
//! Responses are gzip-compressed when the client accepts it, sockets run with TCP_NODELAY, and
//! on SIGINT/SIGTERM the server stops accepting and finishes the requests in flight.

use std::net::SocketAddr;
use std::sync::Arc;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::graphql::{AppSchema, AppState, MAX_ALIASES, RequestData};
use crate::store::audit::{self, Actor, Entry, Outcome};

/// Largest request body accepted (a registration of 50 members fits many times over).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Largest body of a request whose only fields are biometric uploads (`enrolBiometrics`,
/// `verifyIdentity`): ten lossless fingers, two irises and a face, each also inside its signed
/// device record, come to several megabytes.
pub const MAX_BIOMETRIC_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Root fields allowed the larger body.
const BIOMETRIC_UPLOADS: [&str; 2] = ["enrolBiometrics", "verifyIdentity"];

#[derive(Clone)]
struct Server {
    schema: AppSchema,
    state: Arc<AppState>,
}

/// The router, for `serve` and for tests that bind their own listener.
pub fn router(state: Arc<AppState>) -> Router {
    let server = Server {
        schema: crate::graphql::build_schema(),
        state,
    };
    Router::new()
        .route("/graphql", get(crate::explorer::page).post(graphql))
        .route("/graphql/assets/{file}", get(crate::explorer::asset))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .layer(RequestBodyLimitLayer::new(MAX_BIOMETRIC_BODY_BYTES))
        .layer(CompressionLayer::new().gzip(true))
        .with_state(server)
}

/// Serves until `shutdown` resolves, then finishes requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Small GraphQL replies must not wait for Nagle's algorithm on a 700 ms satellite link.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// The certificate chain and private key (PEM files) of an HTTPS listener.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// Loads the TLS files, refusing to start with a clear reason when they cannot be used.
pub async fn tls_config(
    files: &TlsFiles,
) -> std::io::Result<axum_server::tls_rustls::RustlsConfig> {
    // One provider for the whole process, whatever else the build links.
    let _ = rustls::crypto::ring::default_provider().install_default();
    axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.cert, &files.key)
        .await
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "TLS certificate {} / key {}: {e}",
                    files.cert.display(),
                    files.key.display()
                ),
            )
        })
}

/// Like [`serve`], over HTTPS (HTTP/1.1 and HTTP/2 by ALPN); the live link is then `wss://`.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    state: Arc<AppState>,
    tls: axum_server::tls_rustls::RustlsConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        // Requests in flight finish; a live link still open after this is cut.
        stopping.graceful_shutdown(Some(std::time::Duration::from_secs(30)));
    });
    let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls).acceptor(NoDelay);
    axum_server::from_tcp(listener)?
        .acceptor(acceptor)
        .handle(handle)
        .serve(router(state).into_make_service_with_connect_info::<SocketAddr>())
        .await
}

/// Sets TCP_NODELAY on each accepted socket before the TLS handshake, as [`serve`] does.
#[derive(Clone, Copy)]
struct NoDelay;

impl<S: Send + 'static> axum_server::accept::Accept<tokio::net::TcpStream, S> for NoDelay {
    type Stream = tokio::net::TcpStream;
    type Service = S;
    type Future = std::future::Ready<std::io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
        std::future::ready(Ok((stream, service)))
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn healthz(State(s): State<Server>) -> Response {
    match s
        .state
        .db
        .read(|c| {
            use diesel::connection::SimpleConnection;
            c.batch_execute("SELECT 1")
                .map_err(crate::error::Error::from)
        })
        .await
    {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok" }))).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "error": e.message })),
        )
            .into_response(),
    }
}

fn bearer(headers: &HeaderMap) -> Option<Result<String, ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or(()),
    )
}

fn count_aliases(query: &str) -> Result<usize, ()> {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn walk(set: &SelectionSet, n: &mut usize) {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => {
                    if f.node.alias.is_some() {
                        *n += 1;
                    }
                    walk(&f.node.selection_set.node, n);
                }
                Selection::InlineFragment(f) => walk(&f.node.selection_set.node, n),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let doc = async_graphql::parser::parse_query(query).map_err(|_| ())?;
    let mut n = 0;
    for (_, op) in doc.operations.iter() {
        walk(&op.node.selection_set.node, &mut n);
    }
    for frag in doc.fragments.values() {
        walk(&frag.node.selection_set.node, &mut n);
    }
    Ok(n)
}

/// Whether every root field of every operation is a biometric upload.
fn only_biometric_uploads(query: &str) -> bool {
    use async_graphql::parser::types::Selection;
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    doc.fragments.is_empty()
        && doc.operations.iter().all(|(_, op)| {
            op.node
                .selection_set
                .node
                .items
                .iter()
                .all(|sel| match &sel.node {
                    Selection::Field(f) => BIOMETRIC_UPLOADS.contains(&f.node.name.node.as_str()),
                    _ => false,
                })
        })
}

async fn graphql(
    State(s): State<Server>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> Response {
    let request_id = crate::store::new_id();
    let mut req = req.into_inner();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) && !only_biometric_uploads(&req.query) {
        let body = serde_json::json!({ "errors": [{
            "message": format!("request body too large: at most {MAX_BODY_BYTES} bytes, except for biometric uploads alone"),
            "extensions": { "code": "VALIDATION" }
        }]});
        return with_request_id(
            (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response(),
            &request_id,
        );
    }
    if let Ok(n) = count_aliases(&req.query)
        && n > MAX_ALIASES
    {
        let body = serde_json::json!({ "errors": [{
            "message": format!("too many aliases ({n}); at most {MAX_ALIASES} per request"),
            "extensions": { "code": "VALIDATION" }
        }]});
        return with_request_id((StatusCode::OK, Json(body)).into_response(), &request_id);
    }
    let caller = match bearer(&headers) {
        None => None,
        Some(Err(())) => Some(Err(crate::error::Error::unauthenticated(
            "the Authorization header must be `Bearer <token>`",
        ))),
        Some(Ok(token)) => {
            let result = s.state.auth.authenticate(&token, &request_id).await;
            if let Err(e) = &result
                && e.code == crate::error::ErrorCode::Unauthenticated
            {
                let actor = Actor {
                    request_id: Some(request_id.clone()),
                    ..Default::default()
                };
                let entry = Entry::plain("authenticate", Outcome::Denied, Some(e.message.clone()));
                if let Err(audit_err) = s
                    .state
                    .db
                    .write(move |c| audit::append(c, &actor, &[entry]))
                    .await
                {
                    tracing::error!(error = %audit_err, "could not audit a refused token");
                }
            }
            Some(result)
        }
    };
    req = req.data(s.state.clone()).data(RequestData {
        request_id: request_id.clone(),
        addr: Some(addr.ip()),
        caller,
    });
    let mut resp = s.schema.execute(req).await;
    // Errors raised before execution (syntax, unknown fields, wrong types, impossible dates,
    // limits) carry no code of ours: nothing ran, so they are the caller's input to fix.
    for e in &mut resp.errors {
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if !has_code {
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", "VALIDATION");
        }
    }
    with_request_id(GraphQLResponse::from(resp).into_response(), &request_id)
}

/// Subscriptions over graphql-ws (and the older subscriptions-transport-ws). The session token
/// comes in the `connection_init` payload as `{"Authorization": "Bearer <token>"}` (or
/// `{"token": "<token>"}`), since browsers cannot set headers on a websocket.
async fn graphql_ws(
    State(s): State<Server>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let schema = s.schema.clone();
    let state = s.state.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = ws_token(&payload).ok_or_else(|| {
                        async_graphql::Error::new(
                            "send your session token in connection_init: {\"Authorization\": \"Bearer <token>\"}",
                        )
                    })?;
                    let request_id = crate::store::new_id();
                    let caller = state
                        .auth
                        .authenticate(&token, &request_id)
                        .await
                        .map_err(|e| async_graphql::Error::new(e.message))?;
                    let mut data = async_graphql::Data::default();
                    data.insert(state.clone());
                    data.insert(RequestData {
                        request_id,
                        addr: Some(addr.ip()),
                        caller: Some(Ok(caller)),
                    });
                    Ok(data)
                })
                .serve()
        })
}

/// The session token of a websocket's `connection_init` payload.
fn ws_token(payload: &serde_json::Value) -> Option<String> {
    let from_header = ["Authorization", "authorization"]
        .iter()
        .find_map(|k| payload.get(k).and_then(|v| v.as_str()))
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    from_header
        .or_else(|| payload.get("token").and_then(|v| v.as_str()))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty() && t.len() <= 256)
}

fn with_request_id(mut resp: Response, request_id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_counted_everywhere() {
        assert_eq!(
            count_aliases("{ a: me { username } b: me { u: username } }"),
            Ok(3)
        );
        assert_eq!(
            count_aliases("query { ...F } fragment F on QueryRoot { x: me { username } }"),
            Ok(1)
        );
        assert!(count_aliases("{ broken").is_err());
    }

    #[test]
    fn only_biometric_uploads_get_the_large_body() {
        assert!(only_biometric_uploads(
            "mutation($i: EnrolBiometricsInput!) { enrolBiometrics(input: $i) { clientMutationId } }"
        ));
        assert!(only_biometric_uploads(
            "query($i: VerifyIdentityInput!) { verifyIdentity(input: $i) { matched } }"
        ));
        assert!(!only_biometric_uploads(
            "mutation { enrolBiometrics(input: {}) { clientMutationId } me { username } }"
        ));
        assert!(!only_biometric_uploads("{ individuals { totalCount } }"));
        assert!(!only_biometric_uploads("{ broken"));
    }

    #[test]
    fn bearer_header_is_parsed_strictly() {
        let mut h = HeaderMap::new();
        assert!(bearer(&h).is_none());
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(bearer(&h), Some(Ok("abc".to_string())));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), Some(Err(())));
    }
}
