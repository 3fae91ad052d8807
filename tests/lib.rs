//! Test harness shared by the end-to-end suites: a real database (a temporary SQLite file, or a
//! fresh PostgreSQL database), a real server on a loopback port, and a small GraphQL client.
//!
//! PostgreSQL is found at `AMPARO_TEST_PG_URL` (default `postgres://postgres@127.0.0.1/postgres`).
//! When it cannot be reached the PostgreSQL variants say so and skip, unless
//! `AMPARO_REQUIRE_POSTGRES=1` (set by `.ci/run`), where an unreachable server fails the test.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use std::path::Path;

use amparo_api::auth::{AuthConfig, password};
use amparo_api::biometric::Keyring;
use amparo_api::error::Error;
use amparo_api::graphql::{ApiConfig, AppState};
use amparo_api::server::HttpConfig;
use amparo_api::store::{Database, users};
use serde_json::{Value, json};

/// The password every fixture user has.
pub const PASSWORD: &str = "correct horse battery";

/// How many PostgreSQL-backed tests actually ran in this process (checked by `.ci/run`'s output).
pub static POSTGRES_RUNS: AtomicUsize = AtomicUsize::new(0);

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database made for one test, removed when dropped.
pub struct TestDb {
    pub db: Database,
    pub url: String,
    pub backend: Backend,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name
            && let Ok(admin) = Database::open(&pg_admin_url(), 1)
            && let Ok(mut c) = admin.conn()
        {
            use diesel::connection::SimpleConnection;
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn pg_admin_url() -> String {
    std::env::var("AMPARO_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1/postgres".to_string())
}

fn postgres_required() -> bool {
    std::env::var("AMPARO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// The audit key of this test process: every server and store call in it keys the audit log
/// with it, as a real server started with --audit-key-file does.
pub fn audit_key() -> &'static amparo_api::store::audit::AuditKey {
    static KEY: std::sync::OnceLock<amparo_api::store::audit::AuditKey> =
        std::sync::OnceLock::new();
    // A demo started in this process may have installed its own already.
    if let Some(key) = amparo_api::store::audit::current_key() {
        return key;
    }
    let key = KEY.get_or_init(amparo_api::store::audit::AuditKey::generate);
    amparo_api::store::audit::use_key(key.clone()).expect("one audit key per process");
    key
}

/// Makes a fresh migrated database, or None (with a message) when PostgreSQL is absent.
pub fn test_db(backend: Backend) -> Option<TestDb> {
    audit_key();
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", dir.path().join("amparo.db").display());
            let db = Database::open(&url, 4).expect("open sqlite");
            db.migrate().expect("migrate sqlite");
            Some(TestDb {
                db,
                url,
                backend,
                pg_name: None,
                _dir: Some(dir),
            })
        }
        Backend::Postgres => {
            let admin = pg_admin_url();
            let admin_db = match Database::open(&admin, 1) {
                Ok(db) => db,
                Err(e) if !postgres_required() => {
                    eprintln!("SKIPPED (PostgreSQL not reachable at {admin}: {e})");
                    return None;
                }
                Err(e) => panic!("PostgreSQL is required here but not reachable at {admin}: {e}"),
            };
            let name = format!("amparo_test_{}", uuid::Uuid::now_v7().simple());
            {
                use diesel::connection::SimpleConnection;
                let mut c = admin_db.conn().expect("admin connection");
                c.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
            }
            let url = match admin.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("AMPARO_TEST_PG_URL must end with /DATABASE"),
            };
            let db = Database::open(&url, 8).expect("open postgres");
            db.migrate().expect("migrate postgres");
            POSTGRES_RUNS.fetch_add(1, Ordering::SeqCst);
            Some(TestDb {
                db,
                url,
                backend,
                pg_name: Some(name),
                _dir: None,
            })
        }
    }
}

/// Ids of the fixture world.
#[derive(Debug, Clone)]
pub struct World {
    pub dpin: String,
    pub unhcr: String,
    pub quito: String,
    pub guayaquil: String,
}

/// Two units, three offices and one user per role (two eligibility officers and two supervisors,
/// for the separation of duties of the RSD procedure), all with [`PASSWORD`].
pub fn world(db: &Database) -> World {
    let hash = password::hash(PASSWORD).expect("hash");
    db.write_blocking(|c| {
        let dpin = users::create_unit(
            c,
            "DPIN",
            "Dirección de Protección Internacional",
            "government",
            &["registration", "rsd"],
        )?;
        let unhcr = users::create_unit(
            c,
            "UNHCR",
            "UNHCR Ecuador",
            "unhcr",
            &["assistance", "protection", "resettlement"],
        )?;
        let quito = users::create_office(c, &dpin.id, "UIO", "Quito")?;
        let gye = users::create_office(c, &dpin.id, "GYE", "Guayaquil")?;
        let uq = users::create_office(c, &unhcr.id, "UIO", "Quito")?;
        let people: [(&str, &str, &str, &str, &str); 11] = [
            (
                "registrar",
                &dpin.id,
                &quito.id,
                "registration_clerk",
                "office",
            ),
            (
                "registrar.gye",
                &dpin.id,
                &gye.id,
                "registration_clerk",
                "office",
            ),
            (
                "officer",
                &dpin.id,
                &quito.id,
                "eligibility_officer",
                "office",
            ),
            (
                "officer.own",
                &dpin.id,
                &quito.id,
                "eligibility_officer",
                "own",
            ),
            ("supervisor", &dpin.id, &quito.id, "supervisor", "unit"),
            (
                "officer2",
                &dpin.id,
                &quito.id,
                "eligibility_officer",
                "office",
            ),
            ("supervisor2", &dpin.id, &gye.id, "supervisor", "unit"),
            (
                "protection",
                &dpin.id,
                &quito.id,
                "protection_officer",
                "unit",
            ),
            ("admin", &dpin.id, &quito.id, "unit_admin", "unit"),
            ("analyst", &dpin.id, &quito.id, "analyst", "unit"),
            (
                "unhcr.officer",
                &unhcr.id,
                &uq.id,
                "protection_officer,registration_clerk,supervisor",
                "unit",
            ),
        ];
        for (name, unit, office, roles, scope) in people {
            users::create_user(
                c,
                users::NewUser {
                    unit_id: unit,
                    office_id: Some(office),
                    username: name,
                    display_name: name,
                    password_hash: Some(&hash),
                    roles,
                    scope_level: scope,
                },
            )?;
        }
        Ok::<_, Error>(World {
            dpin: dpin.id,
            unhcr: unhcr.id,
            quito: quito.id,
            guayaquil: gye.id,
        })
    })
    .expect("fixture world")
}

/// A server on a loopback port, stopped when dropped.
pub struct TestServer {
    pub url: String,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<()>>,
    _key_dir: Option<tempfile::TempDir>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Starts the real server on the given database, with biometric enrolment on under a key made
/// for this server in its own temporary directory.
pub async fn start(db: &Database, config: AuthConfig) -> TestServer {
    let dir = tempfile::tempdir().expect("key directory");
    let key = dir.path().join("biometric.key");
    Keyring::generate_file(&key).expect("biometric key");
    let mut srv = start_with_key(db, config, &key).await;
    srv._key_dir = Some(dir);
    srv
}

/// Starts the real server with the given biometric key file (to restart on the same data).
pub async fn start_with_key(db: &Database, config: AuthConfig, key: &Path) -> TestServer {
    let api = ApiConfig {
        api_token_lifetime: Duration::from_secs(86_400),
    };
    let ring = Keyring::from_file(key).expect("biometric key");
    let state = AppState::new(db.clone(), config, api).with_device_trust(device::trust());
    let state = tokio::task::spawn_blocking(move || state.with_biometrics(ring))
        .await
        .expect("gallery task")
        .expect("biometric gallery");
    launch(Arc::new(state), HttpConfig::default()).await
}

/// Starts the real server with these HTTP limits and without biometric enrolment (as a server
/// started with no biometric key).
pub async fn start_with_http(db: &Database, config: AuthConfig, http: HttpConfig) -> TestServer {
    let api = ApiConfig {
        api_token_lifetime: Duration::from_secs(86_400),
    };
    launch(Arc::new(AppState::new(db.clone(), config, api)), http).await
}

/// Starts the real server on a state made by the caller (a field node's, say).
pub async fn launch_state(state: Arc<AppState>, http: HttpConfig) -> TestServer {
    launch(state, http).await
}

async fn launch(state: Arc<AppState>, http: HttpConfig) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let _ = amparo_api::server::serve_with(listener, state, http, async move {
            let _ = rx.await;
        })
        .await;
    });
    TestServer {
        url: format!("http://{addr}"),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        stop: Some(tx),
        served: Some(served),
        _key_dir: None,
    }
}

/// Starts the real server over HTTPS with `tls` (its `url` is `https://127.0.0.1:PORT`, so the
/// certificate must name 127.0.0.1). `http` speaks plain HTTP and is not for this server.
pub async fn start_tls(
    db: &Database,
    config: AuthConfig,
    tls: amparo_api::server::TlsFiles,
) -> TestServer {
    let api = ApiConfig {
        api_token_lifetime: Duration::from_secs(86_400),
    };
    let state = Arc::new(AppState::new(db.clone(), config, api));
    let tls = amparo_api::server::tls_config(&tls)
        .await
        .expect("the test certificate loads");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.set_nonblocking(true).expect("non-blocking");
    let addr = listener.local_addr().expect("local addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = amparo_api::server::serve_tls(listener, state, tls, async move {
            let _ = rx.await;
        })
        .await;
    });
    TestServer {
        url: format!("https://{addr}"),
        http: reqwest::Client::new(),
        stop: Some(tx),
        served: None,
        _key_dir: None,
    }
}

impl TestServer {
    /// The server's `host:port`.
    pub fn addr(&self) -> &str {
        self.url
            .split_once("://")
            .map(|(_, a)| a)
            .unwrap_or(&self.url)
    }

    /// Asks the server to shut down and returns the task that ends when it has.
    pub fn shut_down(mut self) -> tokio::task::JoinHandle<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.served.take().unwrap_or_else(|| tokio::spawn(async {}))
    }

    /// POSTs a GraphQL request and returns the whole JSON response.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .http
            .post(format!("{}/graphql", self.url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        resp.json().await.expect("json response")
    }

    /// Logs in with the fixture password and returns the token.
    pub async fn login(&self, username: &str) -> String {
        self.login_with(username, PASSWORD).await
    }

    /// Logs in and returns the token; panics with the response if it fails.
    pub async fn login_with(&self, username: &str, password: &str) -> String {
        let r = self
            .gql(None, "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }", json!({ "u": username, "p": password }))
            .await;
        r["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login of {username} failed: {r}"))
            .to_string()
    }
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(resp: &Value) -> Option<&str> {
    resp["errors"][0]["extensions"]["code"].as_str()
}

/// Declares each listed `async fn(TestDb)` as two tests: `sqlite::NAME` and `postgres::NAME`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::test_db($crate::Backend::Sqlite) {
                        super::$name(db).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::test_db($crate::Backend::Postgres) {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}

/// ISO/IEC 19794 records made from the engine's synthetic fingers and eyes, as a device would
/// send them (images PNG-compressed, which the standard allows for both parts).
/// The capture device the test servers trust: records signed by it pass enrolment's device
/// check; anything else is refused, as on a real server.
pub mod device {
    use std::sync::OnceLock;

    use amparo_sbi::messages::{CaptureData, DigitalId};
    use amparo_sbi::{DeviceIdentity, Position, TrustStore, make_record};
    use base64::Engine;
    use serde_json::Value;

    /// One RSA identity per test process: generating it takes a moment.
    pub fn identity() -> &'static DeviceIdentity {
        static ID: OnceLock<DeviceIdentity> = OnceLock::new();
        ID.get_or_init(|| {
            DeviceIdentity::generate(&mut rand_core::OsRng, "Amparo test scanner")
                .expect("device identity")
        })
    }

    pub fn trust() -> TrustStore {
        let mut t = TrustStore::new();
        t.add_pem(&identity().certificate_pem().expect("certificate"))
            .expect("trusted");
        t
    }

    /// The device record the test device returns for `iso_b64` (standard base64) at
    /// `position` (the contract's name) in `transaction_id`.
    pub fn signed(position: &str, iso_b64: &str, transaction_id: &str) -> String {
        signed_by(identity(), position, iso_b64, transaction_id)
    }

    /// Like [`signed`], by another device.
    pub fn signed_by(
        device: &DeviceIdentity,
        position: &str,
        iso_b64: &str,
        transaction_id: &str,
    ) -> String {
        let p = Position::ALL
            .into_iter()
            .find(|p| p.contract_name() == position)
            .expect("a contract position");
        let iso = base64::engine::general_purpose::STANDARD
            .decode(iso_b64)
            .unwrap_or_default();
        let data = CaptureData {
            digital_id: String::new(),
            bio_type: p.bio_type().as_str().to_string(),
            device_code: "test-1".into(),
            device_service_version: "1.0".into(),
            bio_sub_type: Some(p.bio_sub_type().to_string()).filter(|s| !s.is_empty()),
            purpose: "Registration".into(),
            env: "Developer".into(),
            bio_value: String::new(),
            transaction_id: transaction_id.to_string(),
            timestamp: "2026-11-27T10:30:00.000Z".into(),
            requested_score: 40.0,
            quality_score: 80.0,
        };
        let digital_id = DigitalId {
            serial_no: "T-0001".into(),
            make: "Amparo".into(),
            model: "Test".into(),
            device_type: p.bio_type().as_str().to_string(),
            device_sub_type: "Single".into(),
            device_provider: "Amparo".into(),
            device_provider_id: "amparo.test".into(),
            date_time: "2026-11-27T10:30:00.000Z".into(),
        };
        let previous = amparo_sbi::chain::initial_hash();
        let (record, _) =
            make_record(Some(device), data, &digital_id, &iso, &previous).expect("record");
        serde_json::to_string(&record).expect("record json")
    }

    /// Gives every sample of an `enrolBiometrics` (or `{ "input": ... }`) its device record,
    /// signed for the input's transaction id.
    pub fn sign_samples(vars: &mut Value) {
        sign_samples_by(identity(), vars)
    }

    /// Like [`sign_samples`], by another device.
    pub fn sign_samples_by(device: &DeviceIdentity, vars: &mut Value) {
        let input = if vars.get("input").is_some() {
            &mut vars["input"]
        } else {
            vars
        };
        let tx = input["transactionId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(samples) = input["samples"].as_array_mut() {
            for s in samples {
                let record = signed_by(
                    device,
                    s["position"].as_str().unwrap_or_default(),
                    s["record"].as_str().unwrap_or_default(),
                    &tx,
                );
                s["deviceRecord"] = Value::String(record);
            }
        }
    }
}

pub mod iso {
    /// The contract's names of the ten fingers, in ISO position order (1-10).
    pub const FINGER_POSITIONS: [&str; 10] = [
        "RIGHT_THUMB",
        "RIGHT_INDEX",
        "RIGHT_MIDDLE",
        "RIGHT_RING",
        "RIGHT_LITTLE",
        "LEFT_THUMB",
        "LEFT_INDEX",
        "LEFT_MIDDLE",
        "LEFT_RING",
        "LEFT_LITTLE",
    ];

    use amparo_biometrics::image::GrayImage;
    use amparo_biometrics::iso::CaptureDateTime;
    use amparo_biometrics::iso::finger_image::FingerImageRecord;
    use amparo_biometrics::iso::iris_image::IrisImageRecord;
    use base64::Engine;

    fn when() -> CaptureDateTime {
        CaptureDateTime {
            year: 2026,
            month: 11,
            day: 27,
            hour: 10,
            minute: 30,
            second: 0,
            millisecond: 0,
        }
    }

    /// An ISO/IEC 19794-4:2011 record of one finger (position 1-10), PNG inside.
    pub fn finger_record(position: u8, image: &GrayImage) -> Vec<u8> {
        FingerImageRecord::one_png(position, image, 80, when()).expect("finger record")
    }

    /// An ISO/IEC 19794-6:2011 record of one eye (K3, PNG).
    pub fn iris_record(left: bool, image: &GrayImage) -> Vec<u8> {
        IrisImageRecord::one_png(left, image, 80, when()).expect("iris record")
    }

    /// Standard base64, as the API takes records.
    pub fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}
