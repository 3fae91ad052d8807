//! The load generator against a tiny local HTTP server that answers after a fixed delay.
//!
//! These check what the generator counts, that latency runs from the scheduled send time (so a
//! server slower than the offered rate shows up as growing latency, not as a slower client), that
//! bad answers are errors, that gzip is understood and that page requests follow returned cursors.
//! They assert only lower bounds on latency, which a slow or busy machine cannot break.

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use amparo_loadgen::client::GraphQlClient;
use amparo_loadgen::runner::{self, Budget, FindMaxConfig, RunConfig};
use amparo_loadgen::scenario::{Scenario, Workload};
use amparo_loadgen::target::Target;
use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// How the test server answers.
#[derive(Clone, Copy)]
enum Mode {
    /// `{"data":{"individual":{...}}}`, gzip-compressed when the client accepts it.
    Individual,
    /// Every other request gets a GraphQL error, the rest a good answer.
    AlternateGraphQlErrors,
    /// HTTP 500 for every request.
    ServerError,
    /// A connection page whose cursors are `cN`; the last page is `c{pages}`.
    Pages { pages: u64 },
    /// A login payload when the password is right.
    Login,
}

struct Server {
    addr: SocketAddr,
    requests: Arc<AtomicU64>,
    deepest_after: Arc<AtomicU64>,
    bearer_seen: Arc<AtomicU64>,
}

async fn start_server(mode: Mode, delay: Duration) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let requests = Arc::new(AtomicU64::new(0));
    let deepest_after = Arc::new(AtomicU64::new(0));
    let bearer_seen = Arc::new(AtomicU64::new(0));
    let (r, d, b) = (requests.clone(), deepest_after.clone(), bearer_seen.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (r, d, b) = (r.clone(), d.clone(), b.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let (r, d, b) = (r.clone(), d.clone(), b.clone());
                    async move { Ok::<_, Infallible>(answer(req, mode, delay, &r, &d, &b).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Server {
        addr,
        requests,
        deepest_after,
        bearer_seen,
    }
}

async fn answer(
    req: Request<Incoming>,
    mode: Mode,
    delay: Duration,
    requests: &AtomicU64,
    deepest_after: &AtomicU64,
    bearer_seen: &AtomicU64,
) -> Response<Full<Bytes>> {
    let n = requests.fetch_add(1, Ordering::SeqCst);
    if req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some("Bearer t0k3n")
    {
        bearer_seen.fetch_add(1, Ordering::SeqCst);
    }
    let gzip = req
        .headers()
        .get("accept-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    tokio::time::sleep(delay).await;
    let (status, json) = match mode {
        Mode::Individual => (
            StatusCode::OK,
            serde_json::json!({"data": {"individual": {"id": request["variables"]["id"], "givenNames": "Ana"}}}),
        ),
        Mode::AlternateGraphQlErrors if n.is_multiple_of(2) => (
            StatusCode::OK,
            serde_json::json!({"data": null, "errors": [{"message": "boom", "extensions": {"code": "INTERNAL"}}]}),
        ),
        Mode::AlternateGraphQlErrors => (
            StatusCode::OK,
            serde_json::json!({"data": {"individuals": {"edges": []}}}),
        ),
        Mode::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, serde_json::json!({})),
        Mode::Pages { pages } => {
            let after = request["variables"]["after"]
                .as_str()
                .and_then(|c| c.strip_prefix('c'))
                .and_then(|c| c.parse::<u64>().ok())
                .unwrap_or(0);
            deepest_after.fetch_max(after, Ordering::SeqCst);
            let next = after + 1;
            (
                StatusCode::OK,
                serde_json::json!({"data": {"individuals": {
                    "edges": [{"node": {"id": format!("row{next}")}}],
                    "pageInfo": {"endCursor": format!("c{next}"), "hasNextPage": next < pages}
                }}}),
            )
        }
        Mode::Login => {
            if request["variables"]["p"] == "amparo-demo" {
                (
                    StatusCode::OK,
                    serde_json::json!({"data": {"login": {"token": "t0k3n"}}}),
                )
            } else {
                (
                    StatusCode::OK,
                    serde_json::json!({"data": null, "errors": [{"message": "invalid credentials", "extensions": {"code": "UNAUTHENTICATED"}}]}),
                )
            }
        }
    };
    let text = json.to_string().into_bytes();
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    let payload = if gzip {
        response = response.header("content-encoding", "gzip");
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(&text).expect("in-memory gzip");
        enc.finish().expect("in-memory gzip")
    } else {
        text
    };
    response
        .body(Full::new(Bytes::from(payload)))
        .expect("valid response")
}

fn client(server: &Server, token: Option<&str>) -> GraphQlClient {
    let target = Target::parse(&format!("http://{}/graphql", server.addr)).expect("loopback");
    GraphQlClient::new(target, token, 64).expect("client")
}

fn config(rate: u32, millis: u64, concurrency: usize) -> RunConfig {
    RunConfig {
        rate,
        duration: Duration::from_millis(millis),
        warmup: Duration::ZERO,
        concurrency,
        timeout: Duration::from_secs(20),
        seed: 9,
    }
}

#[tokio::test(flavor = "current_thread")]
async fn counts_and_latency_include_the_server_delay() {
    let server = start_server(Mode::Individual, Duration::from_millis(20)).await;
    let workload = Arc::new(
        Workload::new(Scenario::Read, vec!["id-1".into(), "id-2".into()], 8).expect("ids"),
    );
    let report = runner::run(
        &client(&server, Some("t0k3n")),
        &workload,
        &config(100, 500, 64),
        &Budget::default(),
    )
    .await
    .expect("run");
    assert_eq!(report.scenario, "read");
    assert_eq!(report.sent, 50);
    assert_eq!(report.ok, 50, "{report:?}");
    assert_eq!(report.errors, 0);
    assert_eq!(server.requests.load(Ordering::SeqCst), 50);
    assert_eq!(
        server.bearer_seen.load(Ordering::SeqCst),
        50,
        "every request carries the token"
    );
    assert!(
        report.p50_ms >= 20.0,
        "latency includes the 20 ms delay: {report:?}"
    );
    assert!(report.p50_ms <= report.p90_ms && report.p90_ms <= report.p95_ms);
    assert!(report.p95_ms <= report.p99_ms && report.p99_ms <= report.max_ms);
    assert!(report.throughput_rps > 0.0);
    // Every request's latency includes its own send lag, so the lag's order statistics are lower.
    assert!(report.send_lag_p99_ms <= report.p99_ms && report.send_lag_max_ms <= report.max_ms);
}

#[tokio::test(flavor = "current_thread")]
async fn queueing_behind_a_slow_server_counts_from_the_schedule() {
    // One connection, 50 ms per answer: the server manages 20/s but is offered 40/s for 1 s.
    // The 40th request is scheduled at 975 ms and cannot finish before 40 × 50 = 2000 ms, so it
    // waited at least ~1 s. A generator timing from the actual send would report ~50 ms.
    let server = start_server(Mode::Individual, Duration::from_millis(50)).await;
    let workload = Arc::new(Workload::new(Scenario::Read, vec!["id-1".into()], 8).expect("ids"));
    let report = runner::run(
        &client(&server, None),
        &workload,
        &config(40, 1000, 1),
        &Budget::default(),
    )
    .await
    .expect("run");
    assert_eq!(report.sent, 40);
    assert_eq!(report.ok, 40, "{report:?}");
    assert!(
        report.max_ms >= 1000.0,
        "queueing must show in latency: {report:?}"
    );
    assert!(
        report.p50_ms >= 450.0,
        "half the requests queued at least ~0.5 s: {report:?}"
    );
    assert!(report.elapsed_s >= 2.0, "{report:?}");
    assert!(
        report.throughput_rps <= 21.0,
        "one connection at 50 ms gives at most 20/s: {report:?}"
    );
    // The slowest requests are named slowest first, the worst being the run's maximum; queued
    // behind one connection, the worst are the last scheduled.
    assert_eq!(report.slowest.len(), 5, "{report:?}");
    assert!(
        report.slowest.windows(2).all(|w| w[0][1] >= w[1][1]),
        "{report:?}"
    );
    assert_eq!(report.slowest[0][1], report.max_ms, "{report:?}");
    assert!(report.slowest[0][0] >= 0.9, "{report:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn graphql_errors_and_http_errors_are_errors() {
    let server = start_server(Mode::AlternateGraphQlErrors, Duration::from_millis(1)).await;
    let workload = Arc::new(Workload::new(Scenario::Search, vec![], 8).expect("search"));
    let report = runner::run(
        &client(&server, None),
        &workload,
        &config(100, 200, 1),
        &Budget::default(),
    )
    .await
    .expect("run");
    assert_eq!(
        (report.sent, report.ok, report.errors),
        (20, 10, 10),
        "{report:?}"
    );
    let sample = report.error_sample.unwrap_or_default();
    assert!(
        sample.contains("INTERNAL") && sample.contains("boom"),
        "{sample}"
    );

    let server = start_server(Mode::ServerError, Duration::ZERO).await;
    let report = runner::run(
        &client(&server, None),
        &workload,
        &config(100, 100, 8),
        &Budget::default(),
    )
    .await
    .expect("run");
    assert_eq!(
        (report.sent, report.ok, report.errors),
        (10, 0, 10),
        "{report:?}"
    );
    assert_eq!(report.error_sample.as_deref(), Some("HTTP 500"));
}

#[tokio::test(flavor = "current_thread")]
async fn unanswered_requests_time_out_and_count_as_errors() {
    let server = start_server(Mode::Individual, Duration::from_secs(30)).await;
    let workload = Arc::new(Workload::new(Scenario::Read, vec!["x".into()], 8).expect("ids"));
    let config = RunConfig {
        timeout: Duration::from_millis(300),
        ..config(50, 100, 8)
    };
    let report = runner::run(
        &client(&server, None),
        &workload,
        &config,
        &Budget::default(),
    )
    .await
    .expect("run");
    assert_eq!(
        (report.sent, report.errors, report.timeouts),
        (5, 5, 5),
        "{report:?}"
    );
    assert!(report.max_ms >= 300.0, "{report:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn page_requests_follow_returned_cursors() {
    let server = start_server(Mode::Pages { pages: 1000 }, Duration::from_millis(2)).await;
    let workload = Arc::new(Workload::new(Scenario::Page, vec![], 4).expect("page"));
    let report = runner::run(
        &client(&server, None),
        &workload,
        &config(200, 1000, 16),
        &Budget::default(),
    )
    .await
    .expect("run");
    assert_eq!((report.sent, report.ok), (200, 200), "{report:?}");
    let deepest = server.deepest_after.load(Ordering::SeqCst);
    assert!(
        deepest >= 20,
        "4 walkers over 200 pages must go deep, got {deepest}"
    );
    assert!(
        u64::from(report.deepest_page.unwrap_or(0)) >= deepest,
        "{report:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn find_max_stops_at_the_first_failing_rate_and_budget_caps_runs() {
    // One connection at 20 ms serves at most 50/s: 20/s passes, 40/s is close to saturation and
    // 60/s must fail the 150 ms p99 limit as its queue grows by 10 requests a second.
    let server = start_server(Mode::Individual, Duration::from_millis(20)).await;
    let workload = Arc::new(Workload::new(Scenario::Read, vec!["x".into()], 8).expect("ids"));
    let base = config(1, 2000, 1);
    let search = FindMaxConfig {
        step: 20,
        max_rate: 200,
        p99_limit_ms: 150.0,
        error_limit_pct: 1.0,
    };
    let mut steps = Vec::new();
    let summary = runner::find_max(
        &client(&server, None),
        &workload,
        &base,
        &search,
        &Budget::default(),
        |r| steps.push(r.rate),
    )
    .await
    .expect("find max");
    let failing = summary
        .first_failing_rate
        .expect("a rate over capacity fails");
    assert!(failing <= 60, "{summary:?}");
    assert_eq!(steps.last().copied(), Some(failing));
    assert_eq!(
        summary.max_passing_rate,
        failing.checked_sub(20).filter(|r| *r > 0)
    );
    assert!(summary.stopped_because.contains("p99"), "{summary:?}");

    let budget = Budget::new(30);
    let err = runner::run(
        &client(&server, None),
        &workload,
        &config(20, 2000, 4),
        &budget,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("request cap"), "{err}");
}

/// Runs the built binary off the async runtime so the test server keeps answering meanwhile.
async fn loadgen(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_amparo-loadgen"))
            .args(&args)
            .env_remove("AMPARO_TOKEN")
            .env_remove("AMPARO_PASSWORD")
            .output()
            .expect("run amparo-loadgen")
    })
    .await
    .expect("join")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn cli_logs_in_and_prints_one_json_line_per_run() {
    let server = start_server(Mode::Login, Duration::ZERO).await;
    let url = format!("http://{}/graphql", server.addr);
    let out = loadgen(args(&[
        "login",
        "--url",
        &url,
        "--username",
        "supervisor",
        "--password",
        "amparo-demo",
    ]))
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "t0k3n");

    let out = loadgen(args(&[
        "login",
        "--url",
        &url,
        "--username",
        "supervisor",
        "--password",
        "wrong",
    ]))
    .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid credentials") && stderr.contains("UNAUTHENTICATED"),
        "{stderr}"
    );

    let server = start_server(Mode::Individual, Duration::from_millis(2)).await;
    let url = format!("http://{}/graphql", server.addr);
    let ids = std::env::temp_dir().join(format!("loadgen-cli-ids-{}", std::process::id()));
    std::fs::write(&ids, "a\nb\nc\n").expect("write ids");
    let ids_path = ids.to_string_lossy().into_owned();
    let out = loadgen(args(&[
        "--url",
        &url,
        "--token",
        "t0k3n",
        "--scenario",
        "read",
        "--ids-file",
        &ids_path,
        "--rate",
        "50",
        "--duration",
        "1",
        "--warmup",
        "0.2",
    ]))
    .await;
    std::fs::remove_file(&ids).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(lines.first().copied().unwrap_or("")).expect("JSON line");
    assert_eq!(report["scenario"], "read");
    assert_eq!(report["rate"], 50);
    assert_eq!(report["sent"], 50);
    assert_eq!(report["ok"], 50);
    assert_eq!(report["errors"], 0);
    for field in [
        "p50_ms",
        "p90_ms",
        "p95_ms",
        "p99_ms",
        "max_ms",
        "throughput_rps",
        "duration_s",
    ] {
        assert!(
            report[field].as_f64().is_some_and(|v| v > 0.0),
            "{field} in {report}"
        );
    }
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        60,
        "warm-up 10 plus 50 measured"
    );
    assert_eq!(server.bearer_seen.load(Ordering::SeqCst), 60);
}

#[tokio::test(flavor = "current_thread")]
async fn cli_refuses_non_loopback_targets_and_out_of_bounds_runs() {
    // 0.0.0.0 is not loopback, so it is refused; and were the guard broken, it would still only
    // reach this machine.
    let local = "http://127.0.0.1:9/graphql";
    for (url, scenario, extra, expected) in [
        ("http://0.0.0.0:9/graphql", "search", None, "not loopback"),
        (local, "search", Some(["--rate", "5001"]), "--rate"),
        (local, "search", Some(["--duration", "121"]), "--duration"),
        (local, "search", Some(["--timeout", "0"]), "--timeout"),
        (local, "read", None, "--ids-file"),
    ] {
        let mut list = vec!["--url", url, "--scenario", scenario, "--warmup", "0"];
        list.extend(extra.into_iter().flatten());
        let out = loadgen(args(&list)).await;
        assert!(!out.status.success(), "{list:?} must fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{list:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = loadgen(args(&[
        "login",
        "--url",
        "http://0.0.0.0:9/graphql",
        "--username",
        "u",
        "--password",
        "p",
    ]))
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not loopback"));
}
