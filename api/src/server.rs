//! The HTTP server: POST /graphql for the API, GET /graphql for the explorer (see `explorer`), GET /healthz,
//! the public pre-registration form under /pre-registration (see `preregistration`), and the
//! files of exports under /exports (see `export::http`).
//!
//! Responses are gzip-compressed when the client accepts it, sockets run with TCP_NODELAY, and
//! on SIGINT/SIGTERM the server stops accepting and finishes the requests in flight within a
//! bound. Before the schema sees a request, a pass linear in its size bounds what validation
//! would visit (fragments expanded, aliases, page sizes); the body limit holds for the bytes that
//! arrive; headers must arrive in time; one address may hold only so many connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql_axum::{GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message};
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tracing::Instrument;

use crate::graphql::batch::Batch;
use crate::graphql::connection::MAX_FIRST;
use crate::graphql::context::SocketEnd;
use crate::graphql::reads::RequestReads;
use crate::graphql::{AppSchema, AppState, MAX_ALIASES, RequestData};
use crate::store::audit::{self, Actor, Entry, Outcome};

/// Largest request body accepted (a registration of 50 members fits many times over).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Largest body of a request whose only fields are biometric uploads (`enrolBiometrics`,
/// `verifyIdentity`): ten lossless fingers, two irises and a face, each also inside its signed
/// device record, come to several megabytes.
pub const MAX_BIOMETRIC_BODY_BYTES: usize = 32 * 1024 * 1024;

/// How async-graphql begins the message of an argument it could not coerce to its type.
const ARGUMENT_COERCION: &str = "Failed to parse \"";

/// Root fields allowed the larger body.
const BIOMETRIC_UPLOADS: [&str; 2] = ["enrolBiometrics", "verifyIdentity"];

/// Limits of the HTTP front door. The defaults suit a server facing the public network.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Time a client has to send a request's headers (and the first request of a connection)
    /// before its connection is closed.
    pub header_read_timeout: Duration,
    /// Open connections one client address may hold. An office or a mobile carrier puts many
    /// users behind one public address, so this is set for hundreds of them, not for one.
    pub connections_per_address: usize,
    /// Longest a request may run; past it the caller gets UNAVAILABLE and the work is dropped.
    pub request_time_limit: Duration,
    /// How long shutdown waits for requests in flight (and live links) before cutting them.
    pub shutdown_grace: Duration,
    /// How long, once asked to stop, the server keeps serving while `/healthz` answers 503, so
    /// that a load balancer in front takes it out of rotation before it stops accepting: a
    /// restart one process at a time then drops no request. 0 (the default) stops at once.
    pub shutdown_drain: Duration,
    /// Refused tokens are audited one by one for the first of each address in this window, then
    /// counted and written as one summary row per window.
    pub refused_token_window: Duration,
    /// Whether callers without a token may introspect the schema and get field suggestions in
    /// errors. Off by default: the schema of a production server is for its users.
    pub anonymous_introspection: bool,
    /// Rate limits of the public pre-registration form (see `preregistration`).
    pub pre_registration: crate::preregistration::Limits,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            connections_per_address: 512,
            request_time_limit: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(10),
            shutdown_drain: Duration::ZERO,
            refused_token_window: Duration::from_secs(60),
            anonymous_introspection: false,
            pre_registration: crate::preregistration::Limits::default(),
        }
    }
}

/// Most fragment definitions in one request (the client sends none).
pub const MAX_FRAGMENTS: usize = 32;

/// Most fields a request may select once its fragments are expanded. Validation visits each of
/// them, so this bounds its work before it starts, whatever the fragments multiply.
pub const MAX_SELECTIONS: u64 = 4_000;

#[derive(Clone)]
struct Server {
    /// The schema for callers with a token (and for everyone when anonymous introspection is on).
    schema: AppSchema,
    /// The schema for callers without a token: no field suggestions in its errors.
    anonymous: AppSchema,
    state: Arc<AppState>,
    config: Arc<HttpConfig>,
    refused: Arc<RefusedTokens>,
}

/// The router with the default [`HttpConfig`].
pub fn router(state: Arc<AppState>) -> Router {
    router_with(state, HttpConfig::default())
}

/// The router, for `serve` and for tests that bind their own listener.
pub fn router_with(state: Arc<AppState>, config: HttpConfig) -> Router {
    let refused = Arc::new(RefusedTokens::new(config.refused_token_window));
    build_router(state, config, refused)
}

fn build_router(state: Arc<AppState>, config: HttpConfig, refused: Arc<RefusedTokens>) -> Router {
    let schema = crate::graphql::build_schema();
    let anonymous = if config.anonymous_introspection {
        schema.clone()
    } else {
        crate::graphql::build_anonymous_schema()
    };
    let form = crate::preregistration::router(state.clone(), config.pre_registration.clone());
    let exports = crate::export::http::router(state.clone());
    let server = Server {
        schema,
        anonymous,
        state,
        refused,
        config: Arc::new(config),
    };
    Router::new()
        .route("/graphql", get(crate::explorer::page).post(graphql))
        .route("/graphql/assets/{file}", get(crate::explorer::asset))
        .route("/graphql/ws", get(graphql_ws))
        .route("/healthz", get(healthz))
        .with_state(server.clone())
        .merge(form)
        .merge(crate::node::central::router(server.state.clone()))
        .layer(RequestBodyLimitLayer::new(MAX_BIOMETRIC_BODY_BYTES))
        .layer(CompressionLayer::new().gzip(true))
        // After the layers: export files are served as stored, never recompressed.
        .merge(exports)
}

/// Serves plain HTTP with the default [`HttpConfig`] until `shutdown` resolves, then finishes
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, HttpConfig::default(), shutdown).await
}

/// Serves plain HTTP until `shutdown` resolves, then finishes requests in flight for at most
/// `config.shutdown_grace` and cuts what is left.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    config: HttpConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = PerAddress::new(config.connections_per_address, NoDelay);
    let mut server = axum_server::from_tcp(listener.into_std()?)?.acceptor(acceptor);
    Running::limit_headers(&mut server, &config);
    let timeout = config.header_read_timeout;
    let running = Running::start(state, config, shutdown);
    let served = server
        .first_request_timeout(timeout)
        .handle(running.handle.clone())
        .serve(
            running
                .app
                .clone()
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    running.finish();
    served
}

/// What both listeners share: the router, the bounded shutdown and the summaries of refused
/// tokens (stopped by [`Running::finish`]).
struct Running {
    app: Router,
    handle: axum_server::Handle<SocketAddr>,
    summaries: tokio::task::JoinHandle<()>,
}

impl Running {
    fn start(
        state: Arc<AppState>,
        config: HttpConfig,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Self {
        let handle = axum_server::Handle::new();
        let stopping = handle.clone();
        let grace = config.shutdown_grace;
        let drain = config.shutdown_drain;
        let draining = state.clone();
        tokio::spawn(async move {
            shutdown.await;
            if !drain.is_zero() {
                tracing::info!(
                    seconds = drain.as_secs_f64(),
                    "stopping: /healthz now answers 503 while the load balancer moves away"
                );
                draining
                    .draining
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(drain).await;
            }
            drop(draining);
            tracing::info!("shutting down: finishing requests in flight");
            // Requests in flight and live links get `grace`; whatever is left then is cut, so a
            // stuck client cannot keep the process from stopping.
            stopping.graceful_shutdown(Some(grace));
        });
        // What other server processes on the same database do reaches this one through the
        // change feed; the follower stops by itself once the state is gone.
        if let Err(e) = crate::follower::spawn(&state) {
            tracing::error!(error = %e, "changes made through other server processes will not be seen");
        }
        let refused = Arc::new(RefusedTokens::new(config.refused_token_window));
        let summaries = tokio::spawn(summarise_refusals(
            refused.clone(),
            state.clone(),
            config.refused_token_window,
        ));
        Self {
            app: build_router(state, config, refused),
            handle,
            summaries,
        }
    }

    /// Applies the header-read limit to a server's HTTP settings.
    fn limit_headers<A: axum_server::Address, Acc>(
        server: &mut axum_server::Server<A, Acc>,
        config: &HttpConfig,
    ) {
        // A client that opens a connection and dribbles its headers holds a socket and a task:
        // it gets this long for them.
        server
            .http_builder()
            .http1()
            .header_read_timeout(config.header_read_timeout);
    }

    fn finish(self) {
        self.summaries.abort();
    }
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
    serve_tls_with(listener, state, tls, HttpConfig::default(), shutdown).await
}

/// Like [`serve_with`], over HTTPS.
pub async fn serve_tls_with(
    listener: std::net::TcpListener,
    state: Arc<AppState>,
    tls: axum_server::tls_rustls::RustlsConfig,
    config: HttpConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls)
        .handshake_timeout(config.header_read_timeout)
        .acceptor(PerAddress::new(config.connections_per_address, NoDelay));
    let mut server = axum_server::from_tcp(listener)?.acceptor(acceptor);
    Running::limit_headers(&mut server, &config);
    let timeout = config.header_read_timeout;
    let running = Running::start(state, config, shutdown);
    let served = server
        .first_request_timeout(timeout)
        .handle(running.handle.clone())
        .serve(
            running
                .app
                .clone()
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    running.finish();
    served
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
}

async fn healthz(State(s): State<Server>) -> Response {
    if s.state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "stopping" })),
        )
            .into_response();
    }
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

pub(crate) fn bearer(headers: &HeaderMap) -> Option<Result<String, ()>> {
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

/// What the cheap pass over a parsed request found, before the schema validates it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    aliases: usize,
    /// Fields selected once every fragment spread is expanded (saturating).
    selections: u64,
    /// Whether any field is `__schema` or `__type`.
    introspects: bool,
}

/// Measures a request in time linear in its text: fragments are costed once each and reused,
/// so a chain of fragments that each spread the next twice costs its length, not 2^n.
fn shape(doc: &ExecutableDocument, variables: &async_graphql::Variables) -> Result<Shape, String> {
    use async_graphql::parser::types::{FragmentDefinition, Selection, SelectionSet};
    use std::collections::HashMap;

    if doc.fragments.len() > MAX_FRAGMENTS {
        return Err(format!(
            "too many fragments ({}); at most {MAX_FRAGMENTS} per request",
            doc.fragments.len()
        ));
    }
    struct Walk<'a> {
        fragments: &'a HashMap<async_graphql::Name, async_graphql::Positioned<FragmentDefinition>>,
        /// Expanded size of each fragment; None while it is being costed (a cycle).
        cost: HashMap<&'a str, Option<u64>>,
        variables: &'a async_graphql::Variables,
        aliases: usize,
        introspects: bool,
        /// A `first` outside 1..=MAX_FIRST, checked here so that no page size (even under
        /// `@skip`) reaches the complexity arithmetic unchecked.
        bad_first: Option<String>,
    }
    impl<'a> Walk<'a> {
        fn check_first(&mut self, value: Result<async_graphql::Value, ()>) {
            let n = match value {
                Ok(async_graphql::Value::Number(n)) => n.as_i64(),
                // Absent variables and other types are the schema's to report.
                _ => return,
            };
            if n.is_none_or(|n| !(1..=i64::from(MAX_FIRST)).contains(&n)) {
                self.bad_first = Some(format!("first must be between 1 and {MAX_FIRST}"));
            }
        }
        fn set(&mut self, set: &'a SelectionSet) -> u64 {
            let mut n = 0u64;
            for sel in &set.items {
                let here = match &sel.node {
                    Selection::Field(f) => {
                        if f.node.alias.is_some() {
                            self.aliases += 1;
                        }
                        let name = f.node.name.node.as_str();
                        if name == "__schema" || name == "__type" {
                            self.introspects = true;
                        }
                        for (arg, value) in &f.node.arguments {
                            if arg.node.as_str() == "first" {
                                let vars = self.variables;
                                let value = value
                                    .node
                                    .clone()
                                    .into_const_with(|name| vars.get(&name).cloned().ok_or(()));
                                self.check_first(value);
                            }
                        }
                        1u64.saturating_add(self.set(&f.node.selection_set.node))
                    }
                    Selection::InlineFragment(f) => self.set(&f.node.selection_set.node),
                    Selection::FragmentSpread(spread) => {
                        self.fragment(spread.node.fragment_name.node.as_str())
                    }
                };
                n = n.saturating_add(here);
            }
            n
        }
        fn fragment(&mut self, name: &'a str) -> u64 {
            match self.cost.get(name) {
                Some(Some(n)) => return *n,
                // A cycle: validation refuses it; it adds nothing here.
                Some(None) => return 0,
                None => {}
            }
            let Some((key, def)) = self.fragments.get_key_value(name) else {
                return 0;
            };
            let key = key.as_str();
            self.cost.insert(key, None);
            let n = self.set(&def.node.selection_set.node);
            self.cost.insert(key, Some(n));
            n
        }
    }
    let mut walk = Walk {
        fragments: &doc.fragments,
        cost: HashMap::new(),
        variables,
        aliases: 0,
        introspects: false,
        bad_first: None,
    };
    let mut selections = 0u64;
    for (_, op) in doc.operations.iter() {
        selections = selections.saturating_add(walk.set(&op.node.selection_set.node));
    }
    if let Some(problem) = walk.bad_first {
        return Err(problem);
    }
    // Fragments are walked once each, so their aliases count once, as the client wrote them.
    Ok(Shape {
        aliases: walk.aliases,
        selections,
        introspects: walk.introspects,
    })
}

/// Whether every root field of every operation is a biometric upload.
fn only_biometric_uploads(doc: &ExecutableDocument) -> bool {
    use async_graphql::parser::types::Selection;
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

/// Whether a POST body is declared as JSON, the only body `/graphql` runs. Forms and plain text
/// are what a page on another site can make a browser send without asking.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "application/graphql-response+json"
}

/// A refusal before anything ran, in the shape of a GraphQL response.
fn refuse(status: StatusCode, code: &str, message: String, request_id: &str) -> Response {
    let body = serde_json::json!({ "errors": [{
        "message": message,
        "extensions": { "code": code }
    }]});
    with_request_id((status, Json(body)).into_response(), request_id)
}

async fn graphql(
    State(s): State<Server>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let request_id = crate::store::new_id();
    if !is_json(&headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VALIDATION",
            "send the request as Content-Type: application/json".into(),
            &request_id,
        );
    }
    // The limit holds for the bytes that arrive, whatever the headers declared: a chunked body
    // has no Content-Length to check.
    // A body that dribbles in counts against the request's time like its execution.
    let limit = s.config.request_time_limit;
    let bytes =
        match tokio::time::timeout(limit, axum::body::to_bytes(body, MAX_BIOMETRIC_BODY_BYTES))
            .await
        {
            Ok(Ok(b)) => b,
            Ok(Err(_)) => {
                return refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "VALIDATION",
                    format!("request body too large: at most {MAX_BIOMETRIC_BODY_BYTES} bytes"),
                    &request_id,
                );
            }
            Err(_) => {
                return refuse(
                    StatusCode::REQUEST_TIMEOUT,
                    "VALIDATION",
                    format!(
                        "the request body did not arrive within {} seconds",
                        limit.as_secs_f64()
                    ),
                    &request_id,
                );
            }
        };
    let mut req: async_graphql::Request = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "VALIDATION",
                format!("the body is not one GraphQL request in JSON: {e}"),
                &request_id,
            );
        }
    };
    // A syntax error is left for the schema, which reports it with its position.
    let doc = async_graphql::parser::parse_query(&req.query).ok();
    if bytes.len() > MAX_BODY_BYTES && !doc.as_ref().is_some_and(only_biometric_uploads) {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "VALIDATION",
            format!(
                "request body too large: at most {MAX_BODY_BYTES} bytes, except for biometric uploads alone"
            ),
            &request_id,
        );
    }
    let shape = match doc.as_ref().map(|d| shape(d, &req.variables)).transpose() {
        Ok(shape) => shape,
        Err(message) => return refuse(StatusCode::OK, "VALIDATION", message, &request_id),
    };
    if let Some(shape) = &shape {
        if shape.aliases > MAX_ALIASES {
            let n = shape.aliases;
            return refuse(
                StatusCode::OK,
                "VALIDATION",
                format!("too many aliases ({n}); at most {MAX_ALIASES} per request"),
                &request_id,
            );
        }
        if shape.selections > MAX_SELECTIONS {
            return refuse(
                StatusCode::OK,
                "VALIDATION",
                format!(
                    "the request selects too many fields once its fragments are expanded; at most {MAX_SELECTIONS}"
                ),
                &request_id,
            );
        }
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
                s.refused
                    .note(&s.state, addr.ip(), &request_id, &e.message)
                    .await;
            }
            Some(result)
        }
    };
    let signed_in = matches!(caller, Some(Ok(_)));
    if !signed_in
        && !s.config.anonymous_introspection
        && shape.as_ref().is_some_and(|x| x.introspects)
    {
        return refuse(
            StatusCode::OK,
            "UNAUTHENTICATED",
            "log in to read the schema: send Authorization: Bearer <token>".into(),
            &request_id,
        );
    }
    // A signed-in caller's request loads the records under its pages in batches and collects
    // its reads, appended to the audit log in one go before it answers (see `graphql::batch`).
    let reads = Arc::new(RequestReads::default());
    let reader = match &caller {
        Some(Ok(who)) => {
            let query_only = doc.as_ref().is_some_and(|d| {
                d.operations
                    .iter()
                    .all(|(_, op)| op.node.ty == async_graphql::parser::types::OperationType::Query)
            });
            req = req.data(Batch::loader(
                s.state.clone(),
                who.scope.clone(),
                reads.clone(),
                query_only,
            ));
            req = req.data(reads.clone());
            Some(Actor::from(&who.scope))
        }
        _ => None,
    };
    req = req.data(s.state.clone()).data(RequestData {
        request_id: request_id.clone(),
        addr: Some(addr.ip()),
        caller,
    });
    // Everything logged while this request runs (an INTERNAL failure's cause chain above all)
    // carries its request id, the one the caller gets in `x-request-id`.
    let span = tracing::info_span!("graphql", request_id = %request_id);
    let schema = if signed_in { &s.schema } else { &s.anonymous };
    // Parsed once: the checks above read the same document the schema runs.
    if let Some(doc) = doc {
        req.set_parsed_query(doc);
    }
    let run = schema.execute(req).instrument(span.clone());
    let run = async {
        if s.state.db.is_node() {
            // On a field node, the request as sent is what its mutations record in the outbox.
            let sent = Arc::new(String::from_utf8_lossy(&bytes).into_owned());
            crate::store::sync::NODE_REQUEST.scope(sent, run).await
        } else {
            run.await
        }
    };
    let executed = tokio::time::timeout(limit, run).await;
    if let Some(actor) = reader
        && let Err(e) = reads.flush(&s.state.audit, actor).await
    {
        let _in_request = span.enter();
        tracing::error!(cause = %e.cause_chain(), "the request's reads could not be audited");
        return refuse(
            StatusCode::OK,
            "INTERNAL",
            "the server could not record this request in its audit log; nothing was shown, try again"
                .into(),
            &request_id,
        );
    }
    let Ok(mut resp) = executed else {
        return refuse(
            StatusCode::OK,
            "UNAVAILABLE",
            format!(
                "the request ran longer than {} seconds and was stopped; ask for fewer rows",
                limit.as_secs_f64()
            ),
            &request_id,
        );
    };
    let _in_request = span.enter();
    for e in &mut resp.errors {
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if has_code {
            continue;
        }
        // Errors raised before execution (syntax, unknown fields, wrong types, limits) have no
        // path, and the framework's coercion of an argument (an impossible date) fails before
        // our resolver runs: both are the caller's input to fix. Any other error without a code
        // of ours is the server's failure (resolvers cannot return one: see `GqlError`).
        let code = if e.path.is_empty() || e.message.starts_with(ARGUMENT_COERCION) {
            "VALIDATION"
        } else {
            tracing::error!(path = ?e.path, message = %e.message, "error without a code");
            "INTERNAL"
        };
        e.extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
    with_request_id(GraphQLResponse::from(resp).into_response(), &request_id)
}

/// Audits refused tokens without letting a flood of made-up ones write a row each: the first
/// refusal from an address in each window is written as it happens, the rest are counted and
/// written as one summary row when the window ends.
struct RefusedTokens {
    window: Duration,
    state: std::sync::Mutex<RefusalWindow>,
}

#[derive(Default)]
struct RefusalWindow {
    started: Option<std::time::Instant>,
    /// Addresses already written in this window (bounded: past the cap, all are counted).
    written: std::collections::HashSet<std::net::IpAddr>,
    counted: u64,
    counted_addresses: std::collections::HashSet<std::net::IpAddr>,
}

/// Addresses written one by one per window at most; beyond, refusals are only counted.
const REFUSALS_WRITTEN_PER_WINDOW: usize = 100;

impl RefusedTokens {
    fn new(window: Duration) -> Self {
        Self {
            window: window.max(Duration::from_millis(10)),
            state: std::sync::Mutex::default(),
        }
    }

    /// Records one refusal: written now when it is the first of its address in this window.
    async fn note(&self, state: &AppState, ip: std::net::IpAddr, request_id: &str, why: &str) {
        let (write_now, summary) = {
            let Ok(mut w) = self.state.lock() else { return };
            let summary = self.roll(&mut w);
            let first = w.written.len() < REFUSALS_WRITTEN_PER_WINDOW && w.written.insert(ip);
            if !first {
                w.counted += 1;
                if w.counted_addresses.len() < 10_000 {
                    w.counted_addresses.insert(ip);
                }
            }
            (first, summary)
        };
        let mut entries = Vec::new();
        if let Some(s) = summary {
            entries.push((Actor::default(), s));
        }
        if write_now {
            let actor = Actor {
                request_id: Some(request_id.to_string()),
                ..Default::default()
            };
            entries.push((
                actor,
                Entry::plain(
                    "authenticate",
                    Outcome::Denied,
                    Some(format!("{why} (from {ip})")),
                ),
            ));
        }
        write_refusals(state, entries).await;
    }

    /// Closes the window if it has passed, returning its summary entry if anything was counted.
    fn roll(&self, w: &mut RefusalWindow) -> Option<Entry> {
        let now = std::time::Instant::now();
        let started = *w.started.get_or_insert(now);
        if now.duration_since(started) < self.window {
            return None;
        }
        let summary = (w.counted > 0).then(|| {
            Entry::plain(
                "authenticate",
                Outcome::Denied,
                Some(format!(
                    "{} further refused tokens from {} address(es) in {} s, not written one by one",
                    w.counted,
                    w.counted_addresses.len(),
                    self.window.as_secs()
                )),
            )
        });
        *w = RefusalWindow {
            started: Some(now),
            ..Default::default()
        };
        summary
    }

    /// The summary of a window that ended with nobody refused since.
    fn take_summary(&self) -> Option<Entry> {
        let mut w = self.state.lock().ok()?;
        self.roll(&mut w)
    }
}

async fn write_refusals(state: &AppState, entries: Vec<(Actor, Entry)>) {
    if entries.is_empty() {
        return;
    }
    let outcome = state
        .db
        .write(move |c| {
            let batch: Vec<(&Actor, &[Entry])> = entries
                .iter()
                .map(|(a, e)| (a, std::slice::from_ref(e)))
                .collect();
            audit::append_batch(c, &batch)
        })
        .await;
    if let Err(e) = outcome {
        tracing::error!(error = %e, "could not audit refused tokens");
    }
}

/// Writes the summary of each window that ends quietly.
async fn summarise_refusals(refused: Arc<RefusedTokens>, state: Arc<AppState>, window: Duration) {
    let mut tick = tokio::time::interval(window.max(Duration::from_millis(10)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Some(summary) = refused.take_summary() {
            write_refusals(&state, vec![(Actor::default(), summary)]).await;
        }
    }
}

/// Caps the connections one client address holds open; past the cap a new connection is closed
/// at once. The count ends with the connection (see [`Counted`]).
#[derive(Clone)]
struct PerAddress<A> {
    cap: usize,
    open: Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>,
    inner: A,
}

impl<A> PerAddress<A> {
    fn new(cap: usize, inner: A) -> Self {
        Self {
            cap: cap.max(1),
            open: Arc::default(),
            inner,
        }
    }
}

/// A connection counted against its address until dropped.
struct Counted<S> {
    stream: S,
    _slot: Slot,
}

struct Slot {
    ip: std::net::IpAddr,
    open: Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut m) = self.open.lock()
            && let Some(n) = m.get_mut(&self.ip)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

impl<A, S> axum_server::accept::Accept<tokio::net::TcpStream, S> for PerAddress<A>
where
    A: axum_server::accept::Accept<tokio::net::TcpStream, S>,
    A::Future: Send + 'static,
    A::Stream: Send + 'static,
    A::Service: Send + 'static,
{
    type Stream = Counted<A::Stream>;
    type Service = A::Service;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = std::io::Result<(Self::Stream, Self::Service)>> + Send,
        >,
    >;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        let ip = match stream.peer_addr() {
            Ok(a) => a.ip(),
            Err(e) => return Box::pin(std::future::ready(Err(e))),
        };
        let admitted = match self.open.lock() {
            Ok(mut m) => {
                let n = m.entry(ip).or_insert(0);
                if *n >= self.cap {
                    false
                } else {
                    *n += 1;
                    true
                }
            }
            Err(_) => false,
        };
        if !admitted {
            tracing::warn!(%ip, cap = self.cap, "connection refused: too many open from one address");
            return Box::pin(std::future::ready(Err(std::io::Error::other(
                "too many open connections from one address",
            ))));
        }
        let slot = Slot {
            ip,
            open: self.open.clone(),
        };
        let inner = self.inner.accept(stream, service);
        Box::pin(async move {
            let (stream, service) = inner.await?;
            Ok((
                Counted {
                    stream,
                    _slot: slot,
                },
                service,
            ))
        })
    }
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Counted<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
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
        .on_upgrade(move |socket| async move {
            use async_graphql::futures_util::{SinkExt, StreamExt};
            // The protocol's messages go through a queue, so that a subscription whose session
            // ended can close the socket itself (see `SocketEnd`).
            let (mut out, incoming) = socket.split();
            let (queue, mut queued) = tokio::sync::mpsc::unbounded_channel::<Message>();
            let (end_tx, mut end_rx) = tokio::sync::watch::channel(None::<String>);
            let end = SocketEnd(end_tx);
            let to_client = async_graphql::futures_util::sink::unfold(
                queue,
                |queue, msg: Message| async move { queue.send(msg).map(|()| queue).map_err(|_| ()) },
            );
            let end_for_init = end.clone();
            let serve = GraphQLWebSocket::new_with_pair(to_client, incoming, schema, protocol)
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
                    data.insert(end_for_init);
                    data.insert(RequestData {
                        request_id,
                        addr: Some(addr.ip()),
                        caller: Some(Ok(caller)),
                    });
                    Ok(data)
                })
                .serve();
            let forward = async move {
                let _keep_open = end;
                let mut closing: Option<String> = None;
                let mut deadline = tokio::time::Instant::now();
                loop {
                    tokio::select! {
                        msg = queued.recv() => {
                            let Some(msg) = msg else { break };
                            let last = closing.is_some() && is_complete(&msg);
                            if out.send(msg).await.is_err() {
                                return;
                            }
                            if last {
                                break;
                            }
                        }
                        Ok(()) = end_rx.changed(), if closing.is_none() => {
                            closing = end_rx.borrow().clone();
                            // The subscription's error and `complete` follow at once; a second
                            // is plenty for them.
                            deadline = tokio::time::Instant::now() + Duration::from_secs(1);
                        }
                        () = tokio::time::sleep_until(deadline), if closing.is_some() => break,
                    }
                }
                if let Some(reason) = closing {
                    let _ = out
                        .send(Message::Close(Some(CloseFrame {
                            code: SESSION_ENDED,
                            reason: close_reason(&reason).into(),
                        })))
                        .await;
                }
            };
            tokio::pin!(serve, forward);
            tokio::select! {
                // Closed by us: dropping `serve` ends the socket's other subscriptions.
                () = &mut forward => {}
                // The client left or the protocol ended: what is queued still goes out.
                () = &mut serve => forward.await,
            }
        })
}

/// The close code of a live link whose session ended (graphql-ws's "unauthorized").
const SESSION_ENDED: u16 = 4401;

/// A close frame's reason is at most 123 bytes.
fn close_reason(reason: &str) -> String {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_string()
}

/// Whether a protocol message is a subscription's `complete`.
fn is_complete(msg: &Message) -> bool {
    match msg {
        Message::Text(text) => serde_json::from_str::<serde_json::Value>(text.as_str())
            .is_ok_and(|v| v["type"] == "complete"),
        _ => false,
    }
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

    fn shape_of(query: &str) -> Result<Shape, String> {
        let doc = async_graphql::parser::parse_query(query).map_err(|e| e.to_string())?;
        shape(&doc, &async_graphql::Variables::default())
    }

    #[test]
    fn aliases_are_counted_everywhere() {
        let s = shape_of("{ a: me { username } b: me { u: username } }").expect("shape");
        assert_eq!(s.aliases, 3);
        let s = shape_of("query { ...F } fragment F on QueryRoot { x: me { username } }")
            .expect("shape");
        assert_eq!(s.aliases, 1);
        assert!(shape_of("{ broken").is_err());
    }

    #[test]
    fn fragment_fan_out_is_measured_without_expanding_it() {
        // F0 spreads F1 twice, F1 spreads F2 twice, ...: 2^30 fields once expanded.
        let mut q = String::from("query { ...F0 }\n");
        for i in 0..30 {
            q.push_str(&format!(
                "fragment F{i} on QueryRoot {{ ...F{n} ...F{n} }}\n",
                n = i + 1
            ));
        }
        q.push_str("fragment F30 on QueryRoot { me { username } }\n");
        let started = std::time::Instant::now();
        let s = shape_of(&q).expect("shape");
        assert_eq!(s.selections, 2u64.pow(30) * 2);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        let too_many: String = (0..=MAX_FRAGMENTS)
            .map(|i| format!("fragment G{i} on QueryRoot {{ me {{ username }} }}\n"))
            .collect();
        assert!(shape_of(&format!("{{ ...G0 }}\n{too_many}")).is_err());
    }

    #[test]
    fn page_sizes_are_checked_before_complexity() {
        assert!(shape_of("{ individuals(first: -5) { totalCount } }").is_err());
        assert!(shape_of("{ individuals(first: 2147483647) { totalCount } }").is_err());
        assert!(shape_of("{ individuals(first: -5) @skip(if: true) { totalCount } }").is_err());
        assert!(shape_of("{ individuals(first: 100) { totalCount } }").is_ok());
        let doc = async_graphql::parser::parse_query(
            "query($n: Int) { individuals(first: $n) { totalCount } }",
        )
        .expect("parse");
        let vars = async_graphql::Variables::from_json(serde_json::json!({ "n": -1 }));
        assert!(shape(&doc, &vars).is_err());
        let vars = async_graphql::Variables::from_json(serde_json::json!({ "n": 10 }));
        assert!(shape(&doc, &vars).is_ok());
    }

    #[test]
    fn introspection_is_noticed() {
        assert!(
            shape_of("{ __schema { types { name } } }")
                .expect("shape")
                .introspects
        );
        assert!(
            shape_of("{ __type(name: \"X\") { name } }")
                .expect("shape")
                .introspects
        );
        assert!(
            !shape_of("{ __typename me { username } }")
                .expect("shape")
                .introspects
        );
    }

    #[test]
    fn only_biometric_uploads_get_the_large_body() {
        let parse = |q: &str| async_graphql::parser::parse_query(q).expect("parse");
        assert!(only_biometric_uploads(&parse(
            "mutation($i: EnrolBiometricsInput!) { enrolBiometrics(input: $i) { clientMutationId } }"
        )));
        assert!(only_biometric_uploads(&parse(
            "query($i: VerifyIdentityInput!) { verifyIdentity(input: $i) { matched } }"
        )));
        assert!(!only_biometric_uploads(&parse(
            "mutation { enrolBiometrics(input: {}) { clientMutationId } me { username } }"
        )));
        assert!(!only_biometric_uploads(&parse(
            "{ individuals { totalCount } }"
        )));
    }

    #[test]
    fn only_json_bodies_run() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        for (ct, ok) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("Application/JSON", true),
            ("application/graphql-response+json", true),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("multipart/form-data; boundary=x", false),
        ] {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            assert_eq!(is_json(&h), ok, "{ct}");
        }
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
