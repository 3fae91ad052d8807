//! `amparo demo`: the newcomer's one command. It starts the real server in-process on a fresh
//! SQLite database in a temporary directory, loads the demo world, and hands its address to the
//! client; the same server answers GraphQL (and GraphiQL in a browser) while the client runs.
//!
//! Biometric enrolment is on, with a sealing key made in that directory, and a simulated
//! scanner (the device emulator, signing as a device the server trusts) listens on a port of
//! the SBI range, so `amparo capture` can be tried from a second terminal.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use amparo_api::auth::AuthConfig;
use amparo_api::biometric::Keyring;
use amparo_api::graphql::{ApiConfig, AppState};
use amparo_api::store::Database;
use tokio::sync::oneshot;

/// A running demo server; dropping it stops the server and removes its database unless it
/// was started to keep it.
pub struct DemoServer {
    /// Base address, e.g. `http://127.0.0.1:43117`.
    pub url: String,
    /// The demo scanner's certificate, for `amparo capture --trust`; None when no port of the
    /// SBI range was free for the scanner.
    pub device_cert: Option<PathBuf>,
    /// The directory of its database (`amparo.db`), keys and scanner certificate.
    pub dir: PathBuf,
    /// Whether the directory stays after the server stops (`amparo demo --keep`).
    pub keep: bool,
    stop: Option<oneshot::Sender<()>>,
    _scanner: Option<crate::capture::emulator::Emulator>,
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Creates the database, loads the demo world and starts serving on a free loopback port.
/// With `keep`, the directory (and so the database) stays after the server stops.
pub async fn start(keep: bool) -> Result<DemoServer, String> {
    let dir = std::env::temp_dir().join(format!("amparo-demo-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let url = format!("sqlite://{}", dir.join("amparo.db").display());
    let audit_key = dir.join("audit.key");
    let db = tokio::task::spawn_blocking(move || {
        // The demo keys its audit log like a real server; a process keeps its first key.
        if amparo_api::store::audit::current_key().is_none() {
            let key = amparo_api::store::audit::AuditKey::generate_file(&audit_key)
                .map_err(|e| e.to_string())?;
            let _ = amparo_api::store::audit::use_key(key);
        }
        let db = Database::open(&url, 8).map_err(|e| e.to_string())?;
        db.migrate().map_err(|e| e.to_string())?;
        amparo_api::seed::demo(&db).map_err(|e| e.to_string())?;
        Ok::<_, String>(db)
    })
    .await
    .map_err(|e| format!("loading the demo world failed: {e}"))??;
    let api = ApiConfig {
        api_token_lifetime: Duration::from_secs(90 * 86_400),
    };
    let key = dir.join("biometric.key");
    let scanner_dir = dir.clone();
    let (state, identity) = tokio::task::spawn_blocking(move || {
        let device =
            amparo_sbi::DeviceIdentity::generate(&mut rand_core::OsRng, "Amparo demo scanner")
                .map_err(|e| e.to_string())?;
        let cert = device.certificate_pem().map_err(|e| e.to_string())?;
        std::fs::write(scanner_dir.join("device.pem"), &cert).map_err(|e| e.to_string())?;
        let mut trust = amparo_sbi::TrustStore::new();
        trust.add_pem(&cert).map_err(|e| e.to_string())?;
        Keyring::generate_file(&key).map_err(|e| e.to_string())?;
        let ring = Keyring::from_file(&key).map_err(|e| e.to_string())?;
        let state = AppState::new(db, AuthConfig::default(), api)
            .with_device_trust(trust)
            .with_biometrics(ring)
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((state, device))
    })
    .await
    .map_err(|e| format!("starting biometrics failed: {e}"))??;
    let state = Arc::new(state);
    // A demo without its scanner is still a demo: the SBI ports may all be taken.
    let scanner =
        crate::capture::emulator::Emulator::start(crate::capture::emulator::EmulatorConfig {
            port: None,
            source: crate::capture::emulator::Source::Synthetic,
            subject_seed: 1,
            identity: Some(identity),
            fault: None,
        })
        .await
        .ok();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen on a loopback port: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = amparo_api::server::serve(listener, state, async move {
            let _ = stopped.await;
        })
        .await;
    });
    Ok(DemoServer {
        url: format!("http://{addr}"),
        device_cert: scanner.as_ref().map(|_| dir.join("device.pem")),
        dir,
        keep,
        stop: Some(stop),
        _scanner: scanner,
    })
}
