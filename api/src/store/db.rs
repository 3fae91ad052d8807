//! Database access: one connection type over PostgreSQL and SQLite, a pool that picks the backend
//! from the URL scheme, embedded migrations, and the bridge from async handlers to blocking diesel.

use std::path::PathBuf;
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

    fn connect_with(&self, options: &Options) -> std::result::Result<DbConn, ConnectError> {
        match self {
            Self::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                // Accepted data must survive a crash of the database server.
                conn.batch_execute("SET synchronous_commit = on; SET TIME ZONE 'UTC';")?;
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

/// The r2d2 manager: establishes connections of the backend the URL selected.
pub struct Manager {
    target: Target,
    options: Options,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> std::result::Result<DbConn, ConnectError> {
        self.target.connect_with(&self.options)
    }

    fn is_valid(&self, conn: &mut DbConn) -> std::result::Result<(), ConnectError> {
        conn.batch_execute("SELECT 1").map_err(ConnectError::from)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
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
    /// A field node's database (see `store::sync`).
    node: bool,
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
        let first = target
            .connect_with(&options)
            .map_err(|e| Error::config(format!("cannot connect to {}: {e}", target.display())))?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Manager {
                target: target.clone(),
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
            node: options.replica,
        })
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
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://amparo:s3cret@db/amparo"),
            "postgres://amparo:***@db/amparo"
        );
    }
}
