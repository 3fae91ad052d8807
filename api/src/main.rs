//! `amparo-api`: the server and its operator commands.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use amparo_api::auth::{AuthConfig, password};
use amparo_api::biometric::Keyring;
use amparo_api::domain::access::{Role, ScopeLevel, parse_roles};
use amparo_api::error::{Error, Result};
use amparo_api::graphql::{ApiConfig, AppState};
use amparo_api::store::{Database, audit, biometrics, users};

#[derive(Parser)]
#[command(
    name = "amparo-api",
    version,
    about = "Amparo's registration and case management server"
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    audit_keys: AuditKeyArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct AuditKeyArgs {
    /// The audit log's key (64 hex digits; create it with `audit new-key`), kept outside the
    /// database: every event appended is an HMAC under it and names its id. Every process
    /// writing to one database (servers, and commands like `user add`) needs the same file.
    #[arg(long, env = "AMPARO_AUDIT_KEY_FILE", global = true)]
    audit_key_file: Option<std::path::PathBuf>,
    /// Earlier audit keys, to verify events written before the last rotation (comma-separated
    /// in the environment).
    #[arg(
        long,
        env = "AMPARO_AUDIT_PREVIOUS_KEY_FILES",
        value_delimiter = ',',
        global = true
    )]
    audit_previous_key_file: Vec<std::path::PathBuf>,
}

impl AuditKeyArgs {
    /// Keys this process's appends with the current key, if one was given.
    fn install(&self) -> Result<Option<audit::AuditKey>> {
        let Some(path) = &self.audit_key_file else {
            return Ok(None);
        };
        let key = audit::AuditKey::from_file(path)?;
        audit::use_key(key.clone())?;
        Ok(Some(key))
    }

    /// Every key given, current first, for verifying.
    fn all(&self) -> Result<Vec<audit::AuditKey>> {
        self.audit_key_file
            .iter()
            .chain(&self.audit_previous_key_file)
            .map(|p| audit::AuditKey::from_file(p))
            .collect()
    }
}

#[derive(Args)]
struct DbArgs {
    /// Database: postgres://USER@HOST/DB (TLS with ?sslmode=require) or sqlite://PATH.
    #[arg(
        long,
        env = "AMPARO_DATABASE_URL",
        default_value = "sqlite://amparo.db",
        global = true
    )]
    database_url: String,
    /// Connections in the pool.
    #[arg(long, env = "AMPARO_POOL_SIZE", default_value_t = 16, global = true)]
    pool_size: u32,
}

#[derive(Subcommand)]
enum Command {
    /// Run the GraphQL server (migrates the database first).
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations.
    Migrate,
    /// Print the GraphQL schema (SDL); schema.graphql in the repository is this output.
    Schema,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Load data: the demo world, or synthetic data at scale.
    Seed(SeedArgs),
    /// Delete the pre-registrations never converted whose unit's retention period has ended
    /// (the server also does it hourly); each deletion is audited.
    PurgePreRegistrations,
    /// Import records from an earlier database (CSV or spreadsheet files and a mapping).
    #[command(subcommand)]
    Import(ImportCommand),
    /// A unit's statistics.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Field nodes: an office's own server that works with no link and syncs over a thin one.
    #[command(subcommand)]
    Node(NodeCommand),
    /// Re-derive stored biometric templates from their ISO records: those made by an older
    /// engine algorithm (or all of them), re-sealed with the current key.
    RebuildTemplates {
        #[command(flatten)]
        keys: BiometricKeyArgs,
        /// Rebuild every captured template, not only those of an older algorithm.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum NodeCommand {
    /// On central: register a node for an office and print its one-time enrolment code.
    Enrol {
        /// The office's code (e.g. LAG).
        #[arg(long)]
        office: String,
        /// The unit's code, when several units have an office of that code.
        #[arg(long)]
        unit: Option<String>,
        /// A name for people (default: "<office> node").
        #[arg(long)]
        name: Option<String>,
    },
    /// On central: list the nodes (last contact, backlog, revoked).
    List,
    /// On central: revoke a node; it stops syncing and wipes its personal data on next contact.
    Revoke {
        /// The node's id (see `node list`).
        id: String,
    },
    /// On the office's machine: create the node's encrypted database in DIR, enrol it with the
    /// code, and make the first sync.
    Init {
        /// Central's address, e.g. https://amparo.example.org
        #[arg(long)]
        central: String,
        /// The enrolment code from `node enrol` or `registerNode`.
        #[arg(long)]
        code: String,
        #[command(flatten)]
        place: NodePlace,
    },
    /// Serve the same GraphQL API on AMPARO_LISTEN from the node, syncing in the background
    /// whenever central answers.
    Serve {
        #[command(flatten)]
        place: NodePlace,
        /// Address to listen on.
        #[arg(long, env = "AMPARO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Seconds between sync attempts.
        #[arg(long, default_value_t = 30)]
        sync_seconds: u64,
    },
    /// Sync once now with a progress bar; exit 0 when everything went up and came down.
    Sync {
        #[command(flatten)]
        place: NodePlace,
    },
}

#[derive(Args)]
struct NodePlace {
    /// The node's data directory.
    #[arg(long)]
    data: std::path::PathBuf,
    /// The database's key file, outside DIR (`node init` creates it, mode 0600, if absent).
    /// Without it the key comes from a passphrase: AMPARO_NODE_PASSPHRASE, or asked.
    #[arg(long)]
    key_file: Option<std::path::PathBuf>,
}

impl NodePlace {
    fn open(&self, create: bool) -> Result<Database> {
        if create {
            std::fs::create_dir_all(&self.data).map_err(|e| {
                Error::config(format!("cannot create {}: {e}", self.data.display()))
            })?;
        } else if !amparo_api::node::key::database_path(&self.data).exists() {
            return Err(Error::config(format!(
                "no node in {}: run `amparo-api node init` first",
                self.data.display()
            )));
        }
        let key = amparo_api::node::key::resolve(&self.data, self.key_file.as_deref(), create)?;
        let db = Database::open_node(&amparo_api::node::key::database_path(&self.data), Some(key))
            .map_err(|e| {
                Error::config(format!(
                    "cannot open the node's database (wrong key or passphrase?): {}",
                    e.message
                ))
            })?;
        db.migrate()?;
        Ok(db)
    }
}

#[derive(Args, Clone)]
struct BiometricKeyArgs {
    /// The 32-byte key that seals biometric samples at rest (raw, or 64 hex digits). Without it
    /// the server runs with biometric enrolment off.
    #[arg(long, env = "AMPARO_BIOMETRIC_KEY_FILE")]
    biometric_key_file: Option<std::path::PathBuf>,
    /// Earlier keys still needed to open rows sealed before the last rotation (comma-separated
    /// in the environment).
    #[arg(
        long,
        env = "AMPARO_BIOMETRIC_PREVIOUS_KEY_FILES",
        value_delimiter = ','
    )]
    biometric_previous_key_file: Vec<std::path::PathBuf>,
    /// DEVELOPMENT ONLY: without --biometric-key-file, use (creating it if absent) the key file
    /// amparo-biometric-dev.key in the current directory.
    #[arg(long)]
    insecure_dev_biometric_key: bool,
}

impl BiometricKeyArgs {
    /// The keyring, if a key was given (or the development key allowed).
    fn keyring(&self) -> Result<Option<Keyring>> {
        let path = match (&self.biometric_key_file, self.insecure_dev_biometric_key) {
            (Some(p), _) => p.clone(),
            (None, true) => {
                let p = std::path::PathBuf::from(DEV_KEY_FILE);
                if !p.exists() {
                    Keyring::generate_file(&p)?;
                }
                eprintln!(
                    "WARNING: biometric samples are sealed with the DEVELOPMENT key {DEV_KEY_FILE}; \
                     never use --insecure-dev-biometric-key with real people's data"
                );
                p
            }
            (None, false) => return Ok(None),
        };
        let mut ring = Keyring::from_file(&path)?;
        for previous in &self.biometric_previous_key_file {
            ring = ring.with_previous(previous)?;
        }
        Ok(Some(ring))
    }

    fn required(&self) -> Result<Keyring> {
        self.keyring()?.ok_or_else(|| {
            Error::config(
                "give the biometric key: --biometric-key-file PATH (AMPARO_BIOMETRIC_KEY_FILE)",
            )
        })
    }
}

/// Where --insecure-dev-biometric-key keeps its key.
const DEV_KEY_FILE: &str = "amparo-biometric-dev.key";

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "AMPARO_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key. Without it the server
    /// speaks plain HTTP, for loopback or behind a TLS-terminating proxy.
    #[arg(long, env = "AMPARO_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "AMPARO_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// PEM certificates of the capture devices (or of the authority that issued theirs) whose
    /// signed records enrolment accepts; repeatable (comma-separated in the environment).
    /// Without any, every biometric sample is refused.
    #[arg(long, env = "AMPARO_TRUSTED_DEVICES", value_delimiter = ',')]
    trusted_devices: Vec<std::path::PathBuf>,
    /// DEVELOPMENT ONLY: also accept records from devices that sign nothing.
    #[arg(long)]
    allow_unsigned_devices: bool,
    /// Deduplication: score at which one finger comparison agrees (default: the calibrated
    /// value, see biometrics/README.md).
    #[arg(long, env = "AMPARO_FINGER_THRESHOLD")]
    finger_threshold: Option<f32>,
    /// Deduplication: agreeing fingers that flag a possible duplicate (default: calibrated).
    #[arg(long, env = "AMPARO_FUSED_FINGERS")]
    fused_fingers: Option<usize>,
    /// Deduplication: agreeing fingers among the index's candidates that reach the exact
    /// comparison (default: calibrated).
    #[arg(long, env = "AMPARO_GATE_FINGERS")]
    gate_fingers: Option<usize>,
    /// Deduplication: enrolled fingers per probe finger the index compares (default: calibrated).
    #[arg(long, env = "AMPARO_INDEX_CANDIDATES")]
    index_candidates: Option<usize>,
    /// Names the calibration the values above come from; recorded with every decision.
    /// Required when any of them is changed.
    #[arg(long, env = "AMPARO_CALIBRATION_VERSION")]
    calibration_version: Option<String>,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "AMPARO_SESSION_IDLE_MINUTES", default_value_t = 30)]
    session_idle_minutes: u64,
    /// Hours after which a session ends however active it is.
    #[arg(long, env = "AMPARO_SESSION_HOURS", default_value_t = 12)]
    session_hours: u64,
    /// Default lifetime of API tokens, in days.
    #[arg(long, env = "AMPARO_API_TOKEN_DAYS", default_value_t = 90)]
    api_token_days: u64,
    /// Load the demo world first if the database does not have it yet.
    #[arg(long)]
    demo: bool,
    /// Seconds a client has to send a request's headers before its connection is closed.
    #[arg(long, env = "AMPARO_HEADER_TIMEOUT_SECONDS", default_value_t = 10)]
    header_timeout_seconds: u64,
    /// Connections one client address may hold open. Offices and mobile carriers put many users
    /// behind one address: keep this in the hundreds.
    #[arg(long, env = "AMPARO_CONNECTIONS_PER_ADDRESS", default_value_t = 512)]
    connections_per_address: usize,
    /// Seconds a request may run before it is stopped (UNAVAILABLE).
    #[arg(long, env = "AMPARO_REQUEST_TIME_LIMIT_SECONDS", default_value_t = 60)]
    request_time_limit_seconds: u64,
    /// Seconds shutdown waits for requests in flight and live links before cutting them.
    #[arg(long, env = "AMPARO_SHUTDOWN_GRACE_SECONDS", default_value_t = 10)]
    shutdown_grace_seconds: u64,
    /// Seconds to keep serving after SIGTERM while /healthz answers 503, so a load balancer
    /// takes this process out of rotation first (several processes: see the README).
    #[arg(long, env = "AMPARO_SHUTDOWN_DRAIN_SECONDS", default_value_t = 0)]
    shutdown_drain_seconds: u64,
    /// Let callers without a token introspect the schema and see field suggestions in errors
    /// (off by default: developers send their token from GraphiQL).
    #[arg(long, env = "AMPARO_ANONYMOUS_INTROSPECTION")]
    anonymous_introspection: bool,
    /// Write a signed checkpoint of the audit chain's tip into this directory (needs
    /// --audit-key-file); `audit verify --checkpoints DIR` holds the log against them.
    #[arg(long, env = "AMPARO_AUDIT_CHECKPOINT_DIR")]
    audit_checkpoint_dir: Option<std::path::PathBuf>,
    /// Minutes between those checkpoints.
    #[arg(long, env = "AMPARO_AUDIT_CHECKPOINT_MINUTES", default_value_t = 60)]
    audit_checkpoint_minutes: u64,
    /// Directory of export files (encrypted to their requesters; created when missing).
    #[arg(long, env = "AMPARO_EXPORT_DIR", default_value = "exports")]
    export_dir: std::path::PathBuf,
    /// Hours an export's download link lasts; its file is deleted after.
    #[arg(long, env = "AMPARO_EXPORT_LINK_HOURS", default_value_t = amparo_api::export::DEFAULT_LINK_HOURS)]
    export_link_hours: u64,
    #[command(flatten)]
    keys: BiometricKeyArgs,
}

#[derive(Args)]
struct SeedArgs {
    /// Create the demo world (units DPIN and UNHCR, offices, demo users, 200+ people).
    #[arg(long, conflicts_with = "individuals")]
    demo: bool,
    /// Create this many synthetic individuals (in families, with needs, documents and cases).
    #[arg(long)]
    individuals: Option<u64>,
    /// Add this many synthetic biometric people (ten fingers and two irises each, templates
    /// generated directly, stored as origin 'synthetic') to the gallery, for benchmarks.
    #[arg(long, conflicts_with_all = ["demo", "individuals"])]
    biometric_gallery: Option<u64>,
    #[command(flatten)]
    keys: BiometricKeyArgs,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. Without --password-stdin a random password is generated and printed once.
    Add {
        username: String,
        /// Operation unit code, e.g. DPIN.
        #[arg(long)]
        unit: String,
        /// Office code or name.
        #[arg(long)]
        office: Option<String>,
        /// Role (repeat for several): registration_clerk, eligibility_officer, supervisor,
        /// protection_officer, unit_admin, analyst.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// unit, office or own; by default the widest scope the roles imply.
        #[arg(long)]
        scope: Option<String>,
        /// Name shown to colleagues.
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (ends the user's sessions).
    Passwd {
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user (ends their sessions and API tokens).
    Disable { username: String },
}

#[derive(Subcommand)]
enum StatsCommand {
    /// Print a unit's publishable figures to standard output: population by sex, age,
    /// nationality and office and their crossings, after disclosure control (the unit's
    /// threshold, secondary suppression and rounding), with their metadata.
    Export {
        /// The public release (figures after disclosure control): the only one this command
        /// writes.
        #[arg(long, required = true)]
        public: bool,
        /// The operation unit's code, e.g. DPIN.
        #[arg(long)]
        unit: String,
        /// csv (the first column names the table; a withheld count is empty), json (null), or
        /// rdf-csv: the population in the layout of UNHCR's Refugee Data Finder demographics
        /// table (a line per country of origin, female and male by age bracket).
        #[arg(long, value_parser = ["csv", "json", "rdf-csv"], default_value = "csv")]
        format: String,
        /// The country of asylum the rdf-csv layout names (ISO 3166 alpha-3).
        #[arg(long, default_value = "ECU")]
        asylum_country: String,
        /// The date figures are as of, YYYY-MM-DD (default today).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import SOURCE files through a mapping, in batches (one transaction each); prints each
    /// committed batch's id. Running it again creates nothing already imported, and a run
    /// stopped half-way continues at the first batch not committed.
    Run {
        /// The mapping file (TOML; see the README).
        #[arg(long)]
        mapping: std::path::PathBuf,
        /// Check and decide everything, write nothing, and report.
        #[arg(long)]
        dry_run: bool,
        /// Write the validation report (problems by row, unmapped codes, summary) to FILE.
        #[arg(long)]
        report: Option<std::path::PathBuf>,
        /// The user the import acts as (a user of the mapping's unit who may register): the
        /// audit log and each record's history name them.
        #[arg(long, env = "AMPARO_IMPORT_OPERATOR")]
        operator: String,
        /// The source files the mapping names (by file name).
        #[arg(required = true)]
        sources: Vec<std::path::PathBuf>,
    },
    /// Remove exactly what a batch created; refused, with the list, where a record was changed
    /// since the import.
    Rollback {
        batch: String,
        /// The user the rollback acts as (recorded in the audit log).
        #[arg(long, env = "AMPARO_IMPORT_OPERATOR")]
        operator: String,
    },
    /// Write realistic source files of an earlier system and their mapping (DIR/mapping.toml).
    Sample {
        /// registration-system (CSV files) or partner-agency (one XLSX workbook).
        #[arg(long)]
        kind: String,
        /// About how many people.
        #[arg(long)]
        people: usize,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain; exits non-zero if any event was changed or removed. Keyed events
    /// need their key files (--audit-key-file, --audit-previous-key-file).
    Verify {
        /// Also hold the chain against the signed checkpoints in this directory: this catches
        /// a rewrite of the whole log, even one that strips the keys.
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
    },
    /// Sign the chain's current tip with the audit key and write it into DIR (keep DIR off
    /// the database's machine, or copy it away).
    Checkpoint {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Create a new audit key file (readable by its owner only).
    NewKey {
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AMPARO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", e.cause_chain());
            ExitCode::FAILURE
        }
    }
}

fn open(db: &DbArgs) -> Result<Database> {
    Database::open(&db.database_url, db.pool_size)
}

fn run(cli: Cli) -> Result<ExitCode> {
    // Whatever appends to the log appends with its key; `audit` commands read keys themselves.
    if !matches!(cli.command, Command::Audit(_)) {
        cli.audit_keys.install()?;
    }
    match cli.command {
        Command::Schema => {
            print!("{}", amparo_api::graphql::sdl());
        }
        Command::Migrate => {
            let db = open(&cli.db)?;
            let n = db.migrate()?;
            println!("{} migration(s) applied to {}", n, db.target().display());
        }
        Command::Serve(args) => serve(&cli.db, &cli.audit_keys, *args)?,
        Command::PurgePreRegistrations => {
            let db = open(&cli.db)?;
            db.migrate()?;
            cli.audit_keys.install()?;
            let at = amparo_api::store::now();
            let n = db.write_blocking(|c| amparo_api::store::prereg::purge_expired(c, at))?;
            println!("{n} expired pre-registration(s) deleted");
        }
        Command::Seed(args) => seed(&cli.db, args)?,
        Command::User(cmd) => user(&cli.db, cmd)?,
        Command::Import(cmd) => return import(&cli.db, cmd),
        Command::Stats(StatsCommand::Export {
            public: _,
            unit,
            format,
            asylum_country,
            as_of,
        }) => stats_export(&cli.db, &unit, &format, &asylum_country, as_of)?,
        Command::Node(cmd) => return node(&cli.db, cmd),
        Command::RebuildTemplates { keys, all } => {
            let ring = keys.required()?;
            let db = open(&cli.db)?;
            db.migrate()?;
            let done = db.write_blocking(|c| biometrics::rebuild_templates(c, &ring, all))?;
            println!(
                "{} template(s) rebuilt, {} already current, {} failed",
                done.rebuilt,
                done.current,
                done.failed.len()
            );
            for f in &done.failed {
                eprintln!("  failed: {f}");
            }
        }
        Command::Audit(AuditCommand::NewKey { out }) => {
            let key = audit::AuditKey::generate_file(&out)?;
            println!("audit key {} written to {}", key.id(), out.display());
        }
        Command::Audit(AuditCommand::Checkpoint { out }) => {
            let key = cli.audit_keys.install()?.ok_or_else(|| {
                Error::config("a checkpoint is signed with the audit key: give --audit-key-file")
            })?;
            let db = open(&cli.db)?;
            let mut conn = db.conn()?;
            let (cp, path) = audit::Checkpoint::export(&mut conn, &key, &out)?;
            println!(
                "checkpoint of event {} written to {}",
                cp.seq,
                path.display()
            );
        }
        Command::Audit(AuditCommand::Verify { checkpoints }) => {
            let keys = cli.audit_keys.all()?;
            let checkpoints = match &checkpoints {
                Some(dir) => audit::Checkpoint::load_dir(dir)?,
                None => Vec::new(),
            };
            let db = open(&cli.db)?;
            let mut conn = db.conn()?;
            match audit::verify_with(&mut conn, &keys, &checkpoints)? {
                audit::Verdict::Intact { events } => {
                    println!(
                        "audit log intact: {events} events, chain and tip verified{}",
                        if checkpoints.is_empty() {
                            String::new()
                        } else {
                            format!(" against {} checkpoint(s)", checkpoints.len())
                        }
                    )
                }
                audit::Verdict::Broken { seq, problem } => {
                    eprintln!("audit log BROKEN at event {seq}: {problem}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(db_args: &DbArgs, audit_keys: &AuditKeyArgs, args: ServeArgs) -> Result<()> {
    let db = open(db_args)?;
    // Held until the process ends: a second server on the same SQLite file is refused.
    let _sole_server = db.claim_sole_server()?;
    let applied = db.migrate()?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    let audit_key = audit_keys.install()?;
    if audit_key.is_none() {
        eprintln!(
            "the audit log is NOT keyed: no --audit-key-file (AMPARO_AUDIT_KEY_FILE) given; anyone who can write to the database could rewrite it"
        );
    }
    if args.demo
        && db
            .write_blocking(|c| users::unit_by_code(c, "DPIN"))?
            .is_none()
    {
        eprintln!("{}", amparo_api::seed::demo(&db)?);
        eprintln!(
            "demo users: registrar, officer, officer2, supervisor, admin, protection, analyst (DPIN) and unhcr.officer (UNHCR); password amparo-demo"
        );
    }
    let checkpoints = match (audit_key, args.audit_checkpoint_dir.clone()) {
        (Some(key), Some(dir)) => Some((key, dir)),
        (None, Some(_)) => {
            return Err(Error::config(
                "--audit-checkpoint-dir needs the audit key to sign with: give --audit-key-file",
            ));
        }
        (_, None) => None,
    };
    let auth = AuthConfig {
        idle_timeout: Duration::from_secs(args.session_idle_minutes.max(1) * 60),
        absolute_lifetime: Duration::from_secs(args.session_hours.max(1) * 3600),
        ..AuthConfig::default()
    };
    let api = ApiConfig {
        api_token_lifetime: Duration::from_secs(args.api_token_days.clamp(1, 365) * 86_400),
    };
    let exports = amparo_api::export::ExportSettings::new(
        args.export_dir.clone(),
        Duration::from_secs(args.export_link_hours.clamp(1, 24 * 30) * 3600),
    );
    let mut state = AppState::new(db.clone(), auth, api)
        .with_exports(exports.clone())
        .with_device_trust(device_trust(&args)?)
        .with_dedup(dedup_values(&args)?);
    match args.keys.keyring()? {
        Some(ring) => state = state.with_biometrics(ring)?,
        None => eprintln!(
            "biometric enrolment is OFF: no --biometric-key-file (AMPARO_BIOMETRIC_KEY_FILE) given"
        ),
    }
    let state = Arc::new(state);
    let http = amparo_api::server::HttpConfig {
        header_read_timeout: Duration::from_secs(args.header_timeout_seconds.max(1)),
        connections_per_address: args.connections_per_address.max(1),
        request_time_limit: Duration::from_secs(args.request_time_limit_seconds.max(1)),
        shutdown_grace: Duration::from_secs(args.shutdown_grace_seconds),
        shutdown_drain: Duration::from_secs(args.shutdown_drain_seconds.min(3600)),
        anonymous_introspection: args.anonymous_introspection,
        ..Default::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::config(format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| Error::config(format!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::config(e.to_string()))?;
        let tls = match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => Some(
                amparo_api::server::tls_config(&amparo_api::server::TlsFiles { cert, key })
                    .await
                    .map_err(|e| Error::config(e.to_string()))?,
            ),
            _ => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        eprintln!(
            "amparo-api listening on {scheme}://{addr}/graphql (GraphiQL in a browser), database {}",
            db.target().display()
        );
        if let Some((key, dir)) = checkpoints {
            let every = Duration::from_secs(args.audit_checkpoint_minutes.max(1) * 60);
            let db = db.clone();
            tokio::spawn(async move {
                let mut timer = tokio::time::interval(every);
                loop {
                    timer.tick().await;
                    let (key, dir) = (key.clone(), dir.clone());
                    match db
                        .read(move |c| audit::Checkpoint::export(c, &key, &dir))
                        .await
                    {
                        Ok((cp, path)) => {
                            tracing::info!(seq = cp.seq, path = %path.display(), "audit checkpoint written")
                        }
                        Err(e) => tracing::error!(error = %e, "audit checkpoint failed"),
                    }
                }
            });
        }
        // Pre-registrations never converted are deleted once their unit's retention ends;
        // the first pass runs at start, then hourly.
        {
            let db = db.clone();
            tokio::spawn(async move {
                let mut timer = tokio::time::interval(Duration::from_secs(3600));
                loop {
                    timer.tick().await;
                    let at = amparo_api::store::now();
                    match db
                        .write(move |c| amparo_api::store::prereg::purge_expired(c, at))
                        .await
                    {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(deleted = n, "expired pre-registrations deleted"),
                        Err(e) => tracing::error!(error = %e, "pre-registration retention failed"),
                    }
                }
            });
        }
        // The statistics counters follow each unit's change feed every few seconds, so that a
        // query finds little left to apply (queries also catch up before answering).
        {
            let db = db.clone();
            tokio::spawn(async move {
                let mut timer = tokio::time::interval(Duration::from_secs(5));
                loop {
                    timer.tick().await;
                    let db2 = db.clone();
                    let done = amparo_api::store::db::blocking(move || {
                        amparo_api::store::stats::follow_all(&db2)
                    })
                    .await;
                    if let Err(e) = done {
                        tracing::error!(error = %e, "statistics follower failed");
                    }
                }
            });
        }
        // Exports interrupted by the last stop start again; expired files are deleted at start
        // and every ten minutes.
        match amparo_api::export::resume(state.clone()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "interrupted exports started again"),
            Err(e) => tracing::error!(error = %e, "cannot resume interrupted exports"),
        }
        amparo_api::export::start_sweeper(db.clone(), exports, Duration::from_secs(600));
        let served = match tls {
            Some(tls) => {
                let listener = listener
                    .into_std()
                    .map_err(|e| Error::config(e.to_string()))?;
                amparo_api::server::serve_tls_with(
                    listener,
                    state,
                    tls,
                    http,
                    amparo_api::server::shutdown_signal(),
                )
                .await
            }
            None => {
                amparo_api::server::serve_with(
                    listener,
                    state,
                    http,
                    amparo_api::server::shutdown_signal(),
                )
                .await
            }
        };
        served.map_err(|e| Error::internal(format!("server failed: {e}")))
    })
}

/// The deduplication operating point: the calibrated values with any configured overrides.
fn dedup_values(args: &ServeArgs) -> Result<amparo_biometrics::finger::dedup::OperatingPoint> {
    let mut op = amparo_biometrics::finger::dedup::OperatingPoint::calibrated();
    let changed = args.finger_threshold.is_some()
        || args.fused_fingers.is_some()
        || args.gate_fingers.is_some()
        || args.index_candidates.is_some();
    op.finger_threshold = args.finger_threshold.unwrap_or(op.finger_threshold);
    op.fused_fingers = args.fused_fingers.unwrap_or(op.fused_fingers);
    op.gate_fingers = args.gate_fingers.unwrap_or(op.gate_fingers);
    op.index_candidates = args.index_candidates.unwrap_or(op.index_candidates);
    match &args.calibration_version {
        Some(v) => op.version = v.clone(),
        None if changed => {
            return Err(Error::config(
                "deduplication values changed without --calibration-version: name the calibration they come from",
            ));
        }
        None => {}
    }
    op.validate()
        .map_err(|e| Error::config(format!("deduplication: {e}")))?;
    Ok(op)
}

/// The devices enrolment believes, from --trusted-devices and --allow-unsigned-devices.
fn device_trust(args: &ServeArgs) -> Result<amparo_sbi::TrustStore> {
    let mut trust = amparo_sbi::TrustStore::new();
    for path in &args.trusted_devices {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| Error::config(format!("cannot read {}: {e}", path.display())))?;
        let added = trust
            .add_pem(&pem)
            .map_err(|e| Error::config(format!("{}: {e}", path.display())))?;
        eprintln!(
            "trusting {added} capture device certificate(s) from {}",
            path.display()
        );
    }
    if args.allow_unsigned_devices {
        trust.set_allow_unsigned(true);
        eprintln!(
            "WARNING: --allow-unsigned-devices: biometric records no device signed are accepted; \
             never with real people's data"
        );
    }
    if trust.is_empty() && !trust.allows_unsigned() {
        eprintln!("no --trusted-devices given: every biometric sample will be refused");
    }
    Ok(trust)
}

fn seed(db_args: &DbArgs, args: SeedArgs) -> Result<()> {
    let db = open(db_args)?;
    db.migrate()?;
    if let Some(n) = args.biometric_gallery {
        let ring = args.keys.required()?;
        let started = std::time::Instant::now();
        // Batches keep each transaction short and show progress on large galleries.
        let mut done = 0u64;
        let first_seed = db.write_blocking(|c| {
            use amparo_api::store::schema::biometric_samples;
            use diesel::prelude::*;
            biometric_samples::table
                .count()
                .get_result::<i64>(c)
                .map_err(Error::from)
        })? as u64;
        while done < n {
            let batch = (n - done).min(1000);
            db.write_blocking(|c| biometrics::seed_synthetic(c, &ring, first_seed + done, batch))?;
            done += batch;
            if std::io::stderr().is_terminal() {
                eprint!("\r{done}/{n} synthetic people");
            }
        }
        println!(
            "{n} synthetic biometric people (10 fingers, 2 irises) added in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    match (args.demo, args.individuals) {
        (true, _) => println!("{}", amparo_api::seed::demo(&db)?),
        (false, Some(n)) => println!(
            "{}",
            amparo_api::seed::scale(&db, n, std::io::stderr().is_terminal())?
        ),
        (false, None) => {
            return Err(Error::validation(
                "seed",
                "say what to seed: --demo or --individuals N",
            ));
        }
    }
    Ok(())
}

fn stats_export(
    db_args: &DbArgs,
    unit: &str,
    format: &str,
    asylum_country: &str,
    as_of: Option<chrono::NaiveDate>,
) -> Result<()> {
    use amparo_api::domain::stats::publish;
    let asylum = asylum_country.trim().to_uppercase();
    if asylum.len() != 3 || !asylum.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(Error::validation(
            "asylum-country",
            format!("not an ISO 3166 alpha-3 code: {asylum_country:?} (e.g. ECU)"),
        ));
    }
    use amparo_api::store::{stats, users};
    let db = open(db_args)?;
    db.migrate()?;
    let code = unit.trim().to_string();
    let found = db.write_blocking(|c| users::unit_by_code(c, &code))?;
    let unit = found.ok_or_else(|| {
        Error::validation("unit", format!("no operation unit has the code {code:?}"))
    })?;
    stats::catch_up(&db, &unit.id)?;
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let (meta, tables) = db.write_blocking(|c| stats::protected_release(c, &unit.id, as_of))?;
    let out = match format {
        "json" => {
            let v = publish::json(&meta, &tables);
            serde_json::to_string_pretty(&v)
                .map_err(|e| Error::internal(format!("the release as JSON: {e}")))?
                + "\n"
        }
        "rdf-csv" => publish::rdf_demographics(&meta, &tables, &asylum),
        _ => publish::csv(&meta, &tables),
    };
    use std::io::Write;
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| Error::internal(format!("writing to standard output: {e}")))?;
    Ok(())
}

fn import(db_args: &DbArgs, cmd: ImportCommand) -> Result<ExitCode> {
    use amparo_api::import;
    match cmd {
        ImportCommand::Sample { kind, people, out } => {
            let kind = import::sample::Kind::parse(&kind).ok_or_else(|| {
                Error::validation("kind", "use registration-system or partner-agency")
            })?;
            let w = import::sample::write(kind, people, &out)?;
            println!(
                "{} people in {} households, {} cases, written to {}",
                w.people,
                w.households,
                w.cases,
                out.display()
            );
            for f in &w.files {
                println!("  {f}");
            }
        }
        ImportCommand::Run {
            mapping,
            dry_run,
            report,
            operator,
            sources,
        } => {
            let mapping = import::mapping::Mapping::load(&mapping)?;
            let db = open(db_args)?;
            db.migrate()?;
            let started = std::time::Instant::now();
            let opts = import::Options {
                mapping: mapping.clone(),
                sources,
                operator,
                dry_run,
                progress: std::io::stderr().is_terminal(),
            };
            let outcome = import::run(&db, &opts, |batch| println!("{batch}"))?;
            let text = import::report(&mapping, &outcome, dry_run);
            match &report {
                Some(path) => std::fs::write(path, &text).map_err(|e| {
                    Error::config(format!("cannot write the report {}: {e}", path.display()))
                })?,
                None if dry_run => print!("{text}"),
                None => {}
            }
            let people: usize = outcome.prepared.rows.first().map_or(0, |r| r.1);
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "{} rows of people in {secs:.1} s ({:.0} rows/s): {} created, {} linked, {} skipped, {} problem(s), {} possible duplicate(s) for review{}",
                people,
                people as f64 / secs.max(0.001),
                outcome.summary.individuals_created,
                outcome.summary.individuals_linked,
                outcome.summary.individuals_skipped,
                outcome.prepared.problems.len(),
                outcome.summary.possible_duplicates,
                if dry_run {
                    " (dry run: nothing written)"
                } else {
                    ""
                }
            );
        }
        ImportCommand::Rollback { batch, operator } => {
            let db = open(db_args)?;
            db.migrate()?;
            match import::rollback(&db, &batch, &operator)? {
                Ok(done) => println!(
                    "batch {batch} rolled back: {} individual(s), {} group(s), {} case(s) removed",
                    done.individuals, done.groups, done.cases
                ),
                Err(changed) => {
                    eprintln!(
                        "batch {batch} NOT rolled back: {} record(s) were changed since the import:",
                        changed.len()
                    );
                    for c in &changed {
                        eprintln!("  {} {}: {}", c.kind, c.number, c.what);
                    }
                    return Ok(ExitCode::from(2));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Error::config(format!("cannot read the password: {e}")))?;
        let pw = line.trim_end_matches(['\r', '\n']).to_string();
        if pw.chars().count() < 10 {
            return Err(Error::validation("password", "use at least 10 characters"));
        }
        return Ok((pw, false));
    }
    // No known password is ever created outside the demo seed: generate one and show it once.
    let mut bytes = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    Ok((hex::encode(bytes), true))
}

fn user(db_args: &DbArgs, cmd: UserCommand) -> Result<()> {
    let db = open(db_args)?;
    db.migrate()?;
    match cmd {
        UserCommand::Add {
            username,
            unit,
            office,
            roles,
            scope,
            display_name,
            password_stdin,
        } => {
            let parsed = parse_roles(&roles.join(",")).map_err(|e| Error::validation("role", e))?;
            let level = match scope {
                Some(s) => ScopeLevel::parse(&s)
                    .ok_or_else(|| Error::validation("scope", "use unit, office or own"))?,
                None => widest(&parsed),
            };
            let (pw, generated) = read_password(password_stdin)?;
            let hash = password::hash(&pw)?;
            let created = db.write_blocking(|c| {
                let u = users::unit_by_code(c, &unit)?.ok_or_else(|| {
                    Error::validation("unit", format!("no operation unit {unit:?}"))
                })?;
                let office_id = match &office {
                    Some(o) => Some(
                        users::find_office(c, &u.id, o)?
                            .ok_or_else(|| {
                                Error::validation("office", format!("no office {o:?} in {unit}"))
                            })?
                            .id,
                    ),
                    None => None,
                };
                if level == ScopeLevel::Office && office_id.is_none() {
                    return Err(Error::validation(
                        "office",
                        "an office-scoped user needs --office",
                    ));
                }
                let roles_text: Vec<&str> = parsed.iter().map(|r| r.as_str()).collect();
                users::create_user(
                    c,
                    users::NewUser {
                        unit_id: &u.id,
                        office_id: office_id.as_deref(),
                        username: &username,
                        display_name: display_name.as_deref().unwrap_or(&username),
                        password_hash: Some(&hash),
                        roles: &roles_text.join(","),
                        scope_level: level.as_str(),
                    },
                )
            })?;
            println!(
                "created user {} ({}, scope {})",
                created.username, created.roles, created.scope_level
            );
            if generated {
                println!("password (shown once): {pw}");
            }
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let (pw, generated) = read_password(password_stdin)?;
            let hash = password::hash(&pw)?;
            db.write_blocking(|c| {
                let u = users::user_by_username(c, &username)?
                    .ok_or_else(|| Error::not_found("user"))?;
                users::set_password(c, &u.id, &hash)
            })?;
            println!("password of {username} changed; their sessions were ended");
            if generated {
                println!("password (shown once): {pw}");
            }
        }
        UserCommand::Disable { username } => {
            db.write_blocking(|c| {
                let u = users::user_by_username(c, &username)?
                    .ok_or_else(|| Error::not_found("user"))?;
                users::disable_user(c, &u.id)
            })?;
            println!("user {username} disabled; their sessions and API tokens were ended");
        }
    }
    Ok(())
}

fn widest(roles: &[Role]) -> ScopeLevel {
    if roles.iter().any(|r| r.default_scope() == ScopeLevel::Unit) {
        ScopeLevel::Unit
    } else {
        ScopeLevel::Office
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::config(format!("cannot start the runtime: {e}")))
}

fn node(db_args: &DbArgs, cmd: NodeCommand) -> Result<ExitCode> {
    use amparo_api::node::client;
    use amparo_api::store::sync;
    match cmd {
        NodeCommand::Enrol { office, unit, name } => {
            let db = open(db_args)?;
            db.migrate()?;
            let code = amparo_api::graphql::nodes::new_enrolment_code();
            let node = db.write_blocking(|c| {
                let units = match &unit {
                    Some(u) => vec![
                        users::unit_by_code(c, u)?
                            .ok_or_else(|| Error::validation("unit", format!("no unit {u}")))?,
                    ],
                    None => sync::units(c)?,
                };
                let mut found = Vec::new();
                for u in units {
                    if let Some(o) = users::find_office(c, &u.id, &office)? {
                        found.push((u, o));
                    }
                }
                let (u, o) = match found.len() {
                    1 => found.remove(0),
                    0 => return Err(Error::validation("office", format!("no office {office}"))),
                    _ => {
                        return Err(Error::validation(
                            "office",
                            format!("several units have an office {office}: give --unit"),
                        ));
                    }
                };
                let name = name.clone().unwrap_or_else(|| format!("{} node", o.code));
                let expires = amparo_api::store::now() + chrono::Duration::days(7);
                let node = sync::register_node(
                    c,
                    &u.id,
                    &o.id,
                    &name,
                    None,
                    &amparo_api::auth::hash_token(&code),
                    expires,
                )?;
                audit::append(
                    c,
                    &audit::Actor {
                        user_id: None,
                        username: Some("operator".into()),
                        unit_id: Some(u.id.clone()),
                        request_id: None,
                    },
                    &[audit::Entry::ok(
                        "register_node",
                        "field_node",
                        node.id.clone(),
                    )],
                )?;
                Ok(node)
            })?;
            println!("node {} ({}) registered", node.id, node.name);
            println!("enrolment code (works once, for 7 days): {code}");
            println!(
                "on the office's machine: amparo-api node init --central URL --code {code} --data DIR --key-file PATH"
            );
        }
        NodeCommand::List => {
            let db = open(db_args)?;
            let nodes = db.write_blocking(|c| {
                let mut all = Vec::new();
                for u in sync::units(c)? {
                    all.extend(sync::nodes_of(c, &u.id)?);
                }
                Ok(all)
            })?;
            for n in nodes {
                let state = match (n.revoked_at, n.enrolled_at) {
                    (Some(_), _) => "revoked",
                    (None, Some(_)) => "enrolled",
                    (None, None) => "waiting for enrolment",
                };
                println!(
                    "{}  {}  {}  last contact {}  backlog {}  cursor {}",
                    n.id,
                    n.name,
                    state,
                    n.last_contact_at
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "never".into()),
                    n.backlog,
                    n.feed_cursor
                );
            }
        }
        NodeCommand::Revoke { id } => {
            let db = open(db_args)?;
            let node = db.write_blocking(|c| {
                let n = sync::node_by_id(c, &id)?
                    .ok_or_else(|| Error::validation("id", format!("no node {id}")))?;
                let n = sync::revoke_by_operator(c, &n.id)?;
                audit::append(
                    c,
                    &audit::Actor {
                        user_id: None,
                        username: Some("operator".into()),
                        unit_id: Some(n.operation_unit_id.clone()),
                        request_id: None,
                    },
                    &[audit::Entry::ok("revoke_node", "field_node", n.id.clone())],
                )?;
                Ok(n)
            })?;
            println!(
                "node {} revoked: it can no longer sync, and wipes its personal data on its next contact",
                node.id
            );
        }
        NodeCommand::Init {
            central,
            code,
            place,
        } => {
            if amparo_api::node::key::database_path(&place.data).exists() {
                return Err(Error::config(format!(
                    "{} already holds a node",
                    place.data.display()
                )));
            }
            let db = place.open(true)?;
            let rt = runtime()?;
            rt.block_on(async {
                let state = client::enrol(&db, &central, &code).await?;
                eprintln!(
                    "enrolled as node {} of office {}; first sync...",
                    state.node_id, state.office_code
                );
                sync_with_bar(&db).await
            })?;
        }
        NodeCommand::Sync { place } => {
            let db = place.open(false)?;
            let complete = runtime()?.block_on(sync_with_bar(&db))?;
            if !complete {
                return Ok(ExitCode::FAILURE);
            }
        }
        NodeCommand::Serve {
            place,
            listen,
            sync_seconds,
        } => {
            let db = place.open(false)?;
            // One server per node database, as for any SQLite; `node sync` may run beside it.
            let _sole_server = db.claim_sole_server()?;
            if db.write_blocking(sync::node_state)?.is_none() {
                return Err(Error::config("this directory holds no enrolled node"));
            }
            let state = Arc::new(AppState::new(
                db.clone(),
                AuthConfig::default(),
                ApiConfig {
                    api_token_lifetime: Duration::from_secs(30 * 86_400),
                },
            ));
            runtime()?.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .map_err(|e| Error::config(format!("cannot listen on {listen}: {e}")))?;
                eprintln!("amparo-api node listening on http://{listen}/graphql");
                tokio::spawn(client::run(db, Duration::from_secs(sync_seconds.max(1))));
                amparo_api::server::serve_with(
                    listener,
                    state,
                    amparo_api::server::HttpConfig::default(),
                    amparo_api::server::shutdown_signal(),
                )
                .await
                .map_err(|e| Error::internal(format!("server failed: {e}")))
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One sync with a progress bar on the terminal; true when everything went up and came down.
async fn sync_with_bar(db: &Database) -> Result<bool> {
    let bar = indicatif::ProgressBar::new(100);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}%")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("sync");
    let b = bar.clone();
    let report =
        amparo_api::node::client::sync_once(db, &move |p| b.set_position(u64::from(p))).await;
    bar.finish_and_clear();
    let report = report?;
    eprintln!(
        "sync: {} changes up ({} conflicts), {} chunks down ({} bytes), {} records, {} removed",
        report.pushed, report.conflicts, report.chunks, report.bytes, report.rows, report.removed
    );
    Ok(report.complete)
}
