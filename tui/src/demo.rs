//! `amparo demo`: the newcomer's one command. It starts the real server in-process on a fresh
//! SQLite database in a temporary directory, loads the demo world, and hands its address to the
//! client; the same server answers GraphQL (and GraphiQL in a browser) while the client runs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use amparo_api::auth::AuthConfig;
use amparo_api::graphql::{ApiConfig, AppState};
use amparo_api::store::Database;
use tokio::sync::oneshot;

/// A running demo server; dropping it stops the server and removes its database.
pub struct DemoServer {
    /// Base address, e.g. `http://127.0.0.1:43117`.
    pub url: String,
    dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Creates the database, loads the demo world and starts serving on a free loopback port.
pub async fn start() -> Result<DemoServer, String> {
    let dir = std::env::temp_dir().join(format!("amparo-demo-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let url = format!("sqlite://{}", dir.join("amparo.db").display());
    let db = tokio::task::spawn_blocking(move || {
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
    let state = Arc::new(AppState::new(db, AuthConfig::default(), api));
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
        dir,
        stop: Some(stop),
    })
}
