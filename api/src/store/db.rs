//! Database access: one connection type over PostgreSQL and SQLite, a pool that picks the backend
//! from the URL scheme, embedded migrations, and the bridge from async handlers to blocking diesel.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{Error, Result};

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// A connection to whichever database the server was started on.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The diesel backend of [`DbConn`], for boxed queries.
pub type Db = <DbConn as Connection>::Backend;

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Postgres(String),
    Sqlite(PathBuf),
}

impl Target {
    /// Reads `postgres://…`/`postgresql://…` or `sqlite://PATH`. Anything else is refused, so a
    /// mistyped URL never becomes a silently created empty database file.
    pub fn parse(url: &str) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(Error::config(
                    "sqlite:// needs a file path, e.g. sqlite://amparo.db",
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        Err(Error::config(format!(
            "unsupported database URL {:?}: use postgres://USER@HOST/DB or sqlite://PATH",
            redact_url(url)
        )))
    }

    /// The URL without any password, for logs and error messages.
    pub fn display(&self) -> String {
        match self {
            Self::Postgres(url) => redact_url(url),
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
        }
    }

    fn connect(
        &self,
        counts: &Arc<Counts>,
        options: &Options,
    ) -> std::result::Result<DbConn, ConnectError> {
        match self {
            Self::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                // Accepted data must survive a crash of the database server.
                conn.batch_execute("SET synchronous_commit = on; SET TIME ZONE 'UTC';")?;
                // Counted from here: the setup is once per connection, not per request.
                conn.set_instrumentation(Counting::new(counts));
                Ok(DbConn::Pg(conn))
            }
            Self::Sqlite(path) => {
                let path_str = path.to_str().ok_or_else(|| {
                    ConnectError::Other(format!("SQLite path {} is not UTF-8", path.display()))
                })?;
                let mut conn = SqliteConnection::establish(path_str)?;
                if let Some(key) = &options.key {
                    // SQLCipher: the key comes first, before anything reads the file.
                    conn.batch_execute(&format!("PRAGMA key = \"x'{key}'\";"))?;
                }
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA busy_timeout = 10000;",
                )?;
                // A field node holds a part of its unit: rows arrive before or without the
                // rows they name (a case's officer of another office), so it keeps no
                // foreign keys; central, which holds everything, keeps them.
                let fk = if options.replica { "OFF" } else { "ON" };
                conn.batch_execute(&format!("PRAGMA foreign_keys = {fk};"))?;
                conn.set_instrumentation(Counting::new(counts));
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

fn redact_url(url: &str) -> String {
    // postgres://user:secret@host/db -> postgres://user:***@host/db
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((creds, host)) = rest.split_once('@')
        && let Some((user, _)) = creds.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

/// Why a connection could not be made, with the database's own words.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("{0}")]
    Query(#[from] diesel::result::Error),
    #[error("{0}")]
    Other(String),
}

/// How connections are opened beyond the URL: a field node's database.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The database is a field node's partial copy of its unit.
    pub replica: bool,
    /// The SQLCipher key (64 hex digits) of an encrypted database.
    pub key: Option<String>,
}

/// What the server's connections have done since it started, for operators and for tests that
/// hold a request to a number of round trips.
#[derive(Debug, Default)]
pub struct Counts {
    /// Database transactions: each explicit one, and each statement run outside one (the
    /// database runs it as a transaction of its own).
    transactions: AtomicU64,
    /// Connections taken from the pool.
    checkouts: AtomicU64,
}

/// Counts the transactions of one connection from diesel's events: a BEGIN opens one (its
/// statements and its COMMIT or ROLLBACK belong to it); any other statement is one.
/// It also notes a connection the database closed, so the pool drops it rather than lending it
/// again (connections are not tested with a query of their own at each checkout: that would be
/// one more round trip, and one more transaction, for every read).
struct Counting {
    counts: Arc<Counts>,
    in_transaction: bool,
    closing: bool,
    broken: bool,
}

impl Counting {
    fn new(counts: &Arc<Counts>) -> Self {
        Self {
            counts: counts.clone(),
            in_transaction: false,
            closing: false,
            broken: false,
        }
    }
}

impl diesel::connection::Instrumentation for Counting {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::connection::InstrumentationEvent as E;
        match event {
            E::BeginTransaction { depth, .. } if depth.get() == 1 => {
                self.in_transaction = true;
                self.counts.transactions.fetch_add(1, Ordering::Relaxed);
            }
            E::CommitTransaction { depth, .. } | E::RollbackTransaction { depth, .. }
                if depth.get() == 1 =>
            {
                self.in_transaction = false;
                self.closing = true;
            }
            E::FinishQuery {
                error:
                    Some(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::ClosedConnection
                        | diesel::result::DatabaseErrorKind::UnableToSendCommand,
                        _,
                    )),
                ..
            } => {
                self.broken = true;
            }
            E::StartQuery { .. } => {
                if self.closing {
                    self.closing = false;
                } else if !self.in_transaction {
                    self.counts.transactions.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {}
        }
    }
}

/// The r2d2 manager: establishes connections of the backend the URL selected.
pub struct Manager {
    target: Target,
    counts: Arc<Counts>,
    options: Options,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> std::result::Result<DbConn, ConnectError> {
        self.target.connect(&self.counts, &self.options)
    }

    fn is_valid(&self, conn: &mut DbConn) -> std::result::Result<(), ConnectError> {
        conn.batch_execute("SELECT 1").map_err(ConnectError::from)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        let events = match conn {
            DbConn::Pg(c) => c.instrumentation(),
            DbConn::Sqlite(c) => c.instrumentation(),
        };
        events.downcast_ref::<Counting>().is_some_and(|c| c.broken)
    }
}

/// The shared database handle: a pool, and for SQLite a writer lock.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<Manager>,
    target: Target,
    /// SQLite allows one writer; taking this lock before a write transaction makes writers queue
    /// in the server instead of failing with SQLITE_BUSY when a read transaction upgrades.
    sqlite_writer: Option<Arc<Mutex<()>>>,
    counts: Arc<Counts>,
    /// A field node's database (see `store::sync`).
    node: bool,
    /// How its connections are opened (a field node's key).
    options: Options,
}

impl Database {
    /// Connects (reporting the real error if the database cannot be reached) and builds the pool.
    pub fn open(url: &str, pool_size: u32) -> Result<Self> {
        Self::open_with(url, pool_size, Options::default())
    }

    /// Opens a field node's database: SQLite at `path`, encrypted with `key` when given.
    pub fn open_node(path: &std::path::Path, key: Option<String>) -> Result<Self> {
        let url = format!("sqlite://{}", path.display());
        let options = Options { replica: true, key };
        Self::open_with(&url, 8, options)
    }

    /// Whether this is a field node's database.
    pub fn is_node(&self) -> bool {
        self.node
    }

    fn open_with(url: &str, pool_size: u32, options: Options) -> Result<Self> {
        let target = Target::parse(url)?;
        // A first connection outside the pool, so a failure reports the database's own message
        // rather than a pool timeout.
        let counts = Arc::new(Counts::default());
        let first = target
            .connect(&counts, &options)
            .map_err(|e| Error::config(format!("cannot connect to {}: {e}", target.display())))?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(Duration::from_secs(10))
            .test_on_check_out(false)
            .build(Manager {
                target: target.clone(),
                counts: counts.clone(),
                options: options.clone(),
            })
            .map_err(|e| {
                Error::config(format!("cannot open pool for {}: {e}", target.display()))
            })?;
        let sqlite_writer = matches!(target, Target::Sqlite(_)).then(|| Arc::new(Mutex::new(())));
        Ok(Self {
            pool,
            target,
            sqlite_writer,
            counts,
            node: options.replica,
            options,
        })
    }

    /// Claims the SQLite file for this server process, for as long as the returned file is kept
    /// open: SQLite is served by one process only (what a process keeps in memory, such as the
    /// biometric gallery and case notices, is not shared through it), so a second server on
    /// the same file is refused with a clear reason. Other commands (a field node's sync,
    /// `migrate`, `audit verify`) do not claim it and keep working beside the server. On
    /// PostgreSQL any number of processes may serve: nothing to claim.
    pub fn claim_sole_server(&self) -> Result<Option<std::fs::File>> {
        let Target::Sqlite(path) = &self.target else {
            return Ok(None);
        };
        let lock_path = PathBuf::from(format!("{}.server-lock", path.display()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::config(format!("cannot open {}: {e}", lock_path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::config(format!(
                "another amparo-api server is already serving {}: SQLite is served by one process only. \
                 Stop the other server first, or run several server processes on PostgreSQL \
                 (a field node's sync command may run beside the one server)",
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::config(format!(
                "cannot lock {}: {e}",
                lock_path.display()
            ))),
        }
    }

    /// A connection of its own, outside the pool (and its counts), for a task that holds one
    /// for long: the feed follower. On PostgreSQL it first LISTENs on `listen`, when given.
    pub fn dedicated(&self, listen: Option<&str>) -> Result<DbConn> {
        let mut conn = self
            .target
            .connect(&Arc::new(Counts::default()), &self.options)
            .map_err(|e| {
                Error::unavailable(format!("cannot connect to {}: {e}", self.target.display()))
            })?;
        if let (DbConn::Pg(c), Some(channel)) = (&mut conn, listen) {
            c.batch_execute(&format!("LISTEN {channel}"))?;
        }
        Ok(conn)
    }

    /// Database transactions run through this pool since it opened (see [`Counts`]).
    pub fn transactions(&self) -> u64 {
        self.counts.transactions.load(Ordering::Relaxed)
    }

    /// Connections taken from this pool since it opened.
    pub fn checkouts(&self) -> u64 {
        self.counts.checkouts.load(Ordering::Relaxed)
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.target, Target::Postgres(_))
    }

    /// Applies pending migrations of the selected backend; returns how many ran.
    pub fn migrate(&self) -> Result<usize> {
        let mut conn = self.conn()?;
        let _writer = self.writer_lock();
        let applied = match &mut *conn {
            DbConn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        };
        applied.map_err(|e| Error::internal(format!("migration failed: {e}")))
    }

    /// A pooled connection, for blocking code (CLI commands, inside [`Database::run`]).
    pub fn conn(&self) -> Result<r2d2::PooledConnection<Manager>> {
        self.counts.checkouts.fetch_add(1, Ordering::Relaxed);
        self.pool
            .get()
            .map_err(|e| Error::unavailable(format!("database unavailable: {e}")))
    }

    fn writer_lock(&self) -> Option<MutexGuard<'_, ()>> {
        // A poisoned lock only means another writer panicked; the database itself rolled back.
        self.sqlite_writer
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs a read on a pooled connection, on tokio's blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        blocking(move || {
            let mut conn = db.conn()?;
            f(&mut conn)
        })
        .await
    }

    /// Runs `f` in one write transaction: everything it does commits together or not at all.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        blocking(move || db.write_blocking(f)).await
    }

    /// The blocking form of [`Database::write`], for CLI commands.
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T>,
    {
        let mut conn = self.conn()?;
        let _writer = self.writer_lock();
        let conn: &mut DbConn = &mut conn;
        conn.transaction(f)
    }
}

/// Runs blocking work off the async runtime; a panic inside becomes an INTERNAL error instead of
/// taking the server down.
pub async fn blocking<T, F>(f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(join) => {
            tracing::error!(error = %join, "blocking database task failed");
            Err(Error::internal("the request failed inside the server"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_selects_backend() {
        assert!(matches!(
            Target::parse("postgres://u@h/db"),
            Ok(Target::Postgres(_))
        ));
        assert!(matches!(
            Target::parse("postgresql://u@h/db"),
            Ok(Target::Postgres(_))
        ));
        assert_eq!(
            Target::parse("sqlite://data/a.db").ok(),
            Some(Target::Sqlite(PathBuf::from("data/a.db")))
        );
    }

    #[test]
    fn unknown_scheme_is_refused_without_creating_a_file() {
        let dir = std::env::temp_dir().join(format!("amparo-url-{}", uuid::Uuid::now_v7()));
        let path = dir.join("amparo.db");
        let err = Target::parse(path.to_str().unwrap_or("amparo.db")).unwrap_err();
        assert!(
            err.to_string().contains("unsupported database URL"),
            "{err}"
        );
        assert!(!path.exists());
        assert!(Target::parse("mysql://x").is_err());
        assert!(Target::parse("sqlite://").is_err());
    }

    #[test]
    fn a_second_server_on_one_sqlite_file_is_refused() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("a.db").display());
        let one = Database::open(&url, 1).expect("open");
        let two = Database::open(&url, 1).expect("open");
        let held = one
            .claim_sole_server()
            .expect("the first server claims the file");
        let err = two
            .claim_sole_server()
            .expect_err("a second server is refused");
        assert!(err.message.contains("already serving"), "{err}");
        drop(held);
        assert!(
            two.claim_sole_server().is_ok(),
            "free once the first stopped"
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://amparo:s3cret@db/amparo"),
            "postgres://amparo:***@db/amparo"
        );
    }
}
