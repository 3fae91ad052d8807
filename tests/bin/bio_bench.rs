//! `amparo-bio-bench`: times `enrolBiometrics` with deduplication over HTTP against a running
//! server (see bench/bio-enrol.sh).
//!
//! For each request it registers a new individual (not timed), then enrols ten fingers and two
//! irises rendered from new synthetic seeds (records made before the clock starts), one request
//! at a time: an enrolment is a person at a capture desk, and the server serialises the
//! search-to-commit span anyway. Bounded by `--requests` and `--max-seconds`, whichever comes
//! first. Prints one JSON line: counts, p50/p90/p95/p99/max in milliseconds, statuses.

use std::time::{Duration, Instant};

use amparo_biometrics::finger::synthetic::Finger;
use amparo_biometrics::iris::synthetic::{Format, SyntheticEye};
use amparo_sbi::DeviceIdentity;
use amparo_tests::iso::{b64, finger_record, iris_record};
use serde_json::{Value, json};

const FINGERS: [&str; 10] = amparo_tests::iso::FINGER_POSITIONS;

struct Args {
    url: String,
    username: String,
    password: String,
    requests: usize,
    max_seconds: u64,
    seed: u64,
    /// Where the bench's capture device keeps its certificate and key (the server is started
    /// trusting `device.pem` there).
    device_dir: Option<std::path::PathBuf>,
    /// Only make the device's identity (if absent) and stop.
    prepare_device: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        url: "http://127.0.0.1:8080/graphql".into(),
        username: "registrar".into(),
        password: "amparo-demo".into(),
        requests: 50,
        max_seconds: 300,
        // New people every run, so a reused database's earlier enrolments are not found again.
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() * 1000),
        device_dir: None,
        prepare_device: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => a.url = value()?,
            "--username" => a.username = value()?,
            "--password" => a.password = value()?,
            "--requests" => {
                a.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?
            }
            "--max-seconds" => {
                a.max_seconds = value()?
                    .parse()
                    .map_err(|e| format!("--max-seconds: {e}"))?
            }
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--device-dir" => a.device_dir = Some(value()?.into()),
            "--prepare-device" => a.prepare_device = true,
            other => return Err(format!("unknown flag {other}; see bench/README.md")),
        }
    }
    Ok(a)
}

/// The bench's capture device: made once and kept in `dir`, so the server can trust it.
fn device(dir: &std::path::Path) -> Result<DeviceIdentity, String> {
    let (cert, key) = (dir.join("device.pem"), dir.join("device.key"));
    if cert.exists() && key.exists() {
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
        };
        return DeviceIdentity::from_pem(&read(&cert)?, &read(&key)?).map_err(|e| e.to_string());
    }
    let id = DeviceIdentity::generate(&mut rand_core::OsRng, "Amparo bench scanner")
        .map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(&cert, id.certificate_pem().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    std::fs::write(&key, id.private_key_pem().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    Ok(id)
}

fn samples(seed: u64) -> Vec<Value> {
    let mut out: Vec<Value> = FINGERS
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let image = Finger::generate(seed * 16 + k as u64).impression(1).image;
            json!({ "position": p, "record": b64(&finger_record(k as u8 + 1, &image)), "quality": 80 })
        })
        .collect();
    for (p, left) in [("RIGHT_IRIS", false), ("LEFT_IRIS", true)] {
        let image = SyntheticEye::new(seed * 16 + 10 + u64::from(left))
            .capture(Format::K3)
            .image;
        out.push(
            json!({ "position": p, "record": b64(&iris_record(left, &image)), "quality": 90 }),
        );
    }
    out
}

async fn post(
    http: &reqwest::Client,
    a: &Args,
    token: Option<&str>,
    body: Value,
) -> Result<Value, String> {
    let mut req = http.post(&a.url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.map_err(|e| e.to_string())?;
    let v: Value = resp.json().await.map_err(|e| e.to_string())?;
    if !v["errors"].is_null() {
        return Err(v["errors"].to_string());
    }
    Ok(v)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let a = args()?;
    let device_dir = a
        .device_dir
        .clone()
        .ok_or("--device-dir DIR is needed: the server must trust the bench's device")?;
    let device = device(&device_dir)?;
    if a.prepare_device {
        return Ok(());
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())?;
    let login = post(&http, &a, None, json!({ "query": "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }", "variables": { "u": a.username, "p": a.password } })).await?;
    let token = login["data"]["login"]["token"]
        .as_str()
        .ok_or("login gave no token")?
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(a.max_seconds);
    let run = format!("{}", std::process::id());
    let mut latencies = Vec::new();
    let (mut clear, mut duplicates, mut errors) = (0, 0, 0);
    for i in 0..a.requests {
        if Instant::now() >= deadline {
            break;
        }
        let seed = a.seed + i as u64;
        let person = post(&http, &a, Some(&token), json!({
            "query": "mutation($i: RegisterGroupInput!) { registerGroup(input: $i) { members { id } } }",
            "variables": { "i": { "clientMutationId": format!("bench-reg-{run}-{i}"), "acknowledgeDuplicates": true, "members": [{ "relationship": "focal_point", "person": {
                "givenNames": format!("Bench {seed}"), "familyName": "Biometric", "sex": "F", "dateOfBirth": "1990-01-01", "nationalities": ["COL"] } }] } }
        })).await?;
        let individual = person["data"]["registerGroup"]["members"][0]["id"].clone();
        let mut body = json!({
            "query": "mutation($i: EnrolBiometricsInput!) { enrolBiometrics(input: $i) { enrolment { status candidates { score } otherUnitMatches { unitCode } } } }",
            "variables": { "i": { "clientMutationId": format!("bench-bio-{run}-{i}"), "individualId": individual, "transactionId": format!("bench-{seed}"), "capturedAt": "2026-11-27T10:00:00Z", "samples": samples(seed), "exceptions": [] } }
        });
        amparo_tests::device::sign_samples_by(&device, &mut body["variables"]["i"]);
        let started = Instant::now();
        let outcome = post(&http, &a, Some(&token), body).await;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match outcome {
            Ok(v) => {
                latencies.push(ms);
                match v["data"]["enrolBiometrics"]["enrolment"]["status"].as_str() {
                    Some("CLEAR") => clear += 1,
                    _ => duplicates += 1,
                }
            }
            Err(e) => {
                errors += 1;
                eprintln!("request {i}: {e}");
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "{}",
        json!({
            "scenario": "enrol", "sent": latencies.len() + errors, "ok": latencies.len(), "errors": errors,
            "clear": clear, "possible_duplicate": duplicates,
            "p50_ms": percentile(&latencies, 50.0).round(), "p90_ms": percentile(&latencies, 90.0).round(),
            "p95_ms": percentile(&latencies, 95.0).round(), "p99_ms": percentile(&latencies, 99.0).round(),
            "max_ms": latencies.last().copied().unwrap_or(0.0).round(),
        })
    );
    Ok(())
}
