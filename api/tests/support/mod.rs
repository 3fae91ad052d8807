//! What the tests of `amparo-api` as operating-system processes share: the binary, a database
//! of their own (a fresh PostgreSQL one dropped at the end, or a SQLite file), and a server
//! process on a loopback port, killed when dropped.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use amparo_api::store::Database;
use diesel::connection::SimpleConnection;

/// The binary, quiet, and with no node passphrase inherited from the environment.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_amparo-api"));
    c.env("AMPARO_LOG", "warn")
        .env_remove("AMPARO_NODE_PASSPHRASE");
    c
}

/// Runs one command on `db_url` to its end; its failure fails the test with its output.
pub fn run(db_url: &str, args: &[&str]) -> Output {
    let out = bin()
        .env("AMPARO_DATABASE_URL", db_url)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run amparo-api");
    assert!(
        out.status.success(),
        "amparo-api {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A database of the test's own.
pub struct Db {
    pub url: String,
    drop_pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.drop_pg
            && let Ok(db) = Database::open(admin, 1)
            && let Ok(mut c) = db.conn()
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// A fresh PostgreSQL database named after `prefix`; `None` (the test skips) where none is
/// reachable, unless `AMPARO_REQUIRE_POSTGRES=1` makes that a failure.
pub fn postgres(prefix: &str) -> Option<Db> {
    let admin_url = std::env::var("AMPARO_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1/postgres".into());
    let Ok(admin) = Database::open(&admin_url, 1) else {
        assert!(
            std::env::var("AMPARO_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "PostgreSQL is required here but not reachable at {admin_url}"
        );
        eprintln!("SKIPPED: PostgreSQL is not reachable at {admin_url}");
        return None;
    };
    let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    admin
        .conn()
        .expect("admin connection")
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    let (base, _) = admin_url.rsplit_once('/').expect("database part");
    Some(Db {
        url: format!("{base}/{name}"),
        drop_pg: Some((admin_url.clone(), name)),
        _dir: tempfile::tempdir().expect("dir"),
    })
}

/// A SQLite file in a directory removed at the end.
pub fn sqlite() -> Db {
    let dir = tempfile::tempdir().expect("dir");
    Db {
        url: format!("sqlite://{}", dir.path().join("amparo.db").display()),
        drop_pg: None,
        _dir: dir,
    }
}

/// One `amparo-api serve` process on a loopback port; killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts a server on `db_url` and waits until `/healthz` answers (or the process exits: then
/// its output comes back as the error).
pub fn serve(db_url: &str) -> Result<Server, String> {
    let port = free_port();
    // Its log goes to a file, never to a pipe nobody reads while it serves.
    let log = tempfile::NamedTempFile::new().expect("a log file");
    let mut child = bin()
        .env("AMPARO_DATABASE_URL", db_url)
        .env("AMPARO_LISTEN", format!("127.0.0.1:{port}"))
        // Each process a pool of its own, small enough that two fit the database's limit.
        .env("AMPARO_POOL_SIZE", "8")
        .arg("serve")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log.reopen().expect("the log file"))
        .spawn()
        .expect("start a server");
    let url = format!("http://127.0.0.1:{port}");
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            return Err(std::fs::read_to_string(log.path()).unwrap_or_default());
        }
        if healthy(port) {
            return Ok(Server { child, url });
        }
        assert!(Instant::now() < until, "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `GET /healthz` answered 200, over a plain socket (no client library needed for one line).
fn healthy(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}
