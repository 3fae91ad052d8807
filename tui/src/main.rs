//! `amparo`: parses the command line, sets up the terminal and runs the event loop. The loop
//! sleeps until a key, a resize or a network reply arrives and draws only when that changed
//! something: an idle client sends nothing.

use std::process::ExitCode;

use amparo::api::Client;
use amparo::app::{App, update};
use amparo::capture::cli::{CaptureArgs, EmulatorArgs};
#[cfg(feature = "demo")]
use amparo::demo;
use amparo::i18n::Lang;
use amparo::{capture, config, runtime, term, token};
use clap::{Parser, Subcommand, ValueEnum};
use tokio::sync::mpsc;

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Es,
    En,
}

/// Amparo's terminal client for registration and case work.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The Amparo server, e.g. https://amparo.example.org (default: from the settings file, else
    /// http://127.0.0.1:8080).
    #[arg(long, env = "AMPARO_SERVER", global = true)]
    server: Option<String>,
    /// Also trust the certificate authorities in this PEM file for an https:// server (e.g. the
    /// unit's own CA); the system's store is always trusted.
    #[arg(long, env = "AMPARO_CA_CERT", global = true)]
    ca_cert: Option<std::path::PathBuf>,
    /// Language of the interface (default: from the settings file, else LC_ALL or LANG; Spanish
    /// if it starts with "es").
    #[arg(long, value_enum, global = true)]
    lang: Option<LangArg>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start a server with the demo world on a temporary SQLite database and open the client on
    /// it; its GraphQL address is shown so you can query the same server meanwhile.
    #[cfg(feature = "demo")]
    Demo {
        /// Keep the database directory when the client quits (its path is printed), instead
        /// of removing it.
        #[arg(long)]
        keep: bool,
    },
    /// Capture fingerprints, irises and face from the attached SBI devices for one person, or
    /// send the captures waiting in the offline queue (`--sync`).
    Capture(CaptureArgs),
    /// API tokens for scripts: `token create NAME`, `token list`, `token revoke ID` (you log
    /// in first).
    Token(token::TokenArgs),
    /// Export records (individuals, groups or cases) to a file: asks the server, follows the
    /// job, downloads it (resuming after cuts), checks its checksum and decrypts it with your
    /// export key.
    Export(amparo::export::ExportArgs),
    /// A development SBI device on 127.0.0.1 that serves synthetic or recorded biometrics.
    #[command(hide = true)]
    CaptureEmulator(EmulatorArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let settings = match config::path().map(|p| config::load(&p)).transpose() {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => {
            eprintln!("amparo: {e}");
            return ExitCode::FAILURE;
        }
    };
    let lang = match (args.lang, settings.lang.as_deref()) {
        (Some(LangArg::Es), _) => Lang::Es,
        (Some(LangArg::En), _) => Lang::En,
        (None, Some(l)) => amparo::i18n::lang_from_locale(Some(l)),
        (None, None) => amparo::i18n::lang_from_env(),
    };
    let ca_cert = args
        .ca_cert
        .clone()
        .or(settings.ca_cert.clone().map(std::path::PathBuf::from));
    let server: Option<DemoRun> = match args.command {
        Some(Command::CaptureEmulator(e)) => return capture::cli::run_emulator(e).await,
        Some(Command::Token(t)) => {
            let base = args
                .server
                .or(settings.server.clone())
                .unwrap_or_else(|| "http://127.0.0.1:8080".to_string());
            return match Client::with_ca(&base, ca_cert.as_deref()) {
                Ok(client) => token::run(t, &client, lang).await,
                Err(e) => {
                    eprintln!("amparo: cannot set up the HTTP client: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(Command::Export(x)) => {
            let base = args
                .server
                .or(settings.server.clone())
                .unwrap_or_else(|| "http://127.0.0.1:8080".to_string());
            return match Client::with_ca(&base, ca_cert.as_deref()) {
                Ok(client) => amparo::export::run(x, &client, lang).await,
                Err(e) => {
                    eprintln!("amparo: cannot set up the HTTP client: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(Command::Capture(c)) => {
            let base = args
                .server
                .or(settings.server.clone())
                .unwrap_or_else(|| "http://127.0.0.1:8080".to_string());
            return capture::cli::run_capture(c, &base, ca_cert.as_deref(), &settings, lang).await;
        }
        #[cfg(feature = "demo")]
        Some(Command::Demo { keep }) => {
            eprintln!("amparo demo: loading the demo world…");
            match demo::start(keep).await {
                Ok(server) => {
                    eprintln!(
                        "amparo demo: the database is in {}; {}",
                        server.dir.join("amparo.db").display(),
                        if keep {
                            "it is kept after you quit"
                        } else {
                            "it is removed when you quit (amparo demo --keep keeps it)"
                        }
                    );
                    if let Some(cert) = &server.device_cert {
                        // Shown before the client takes the screen, and again when it leaves it.
                        eprintln!(
                            "amparo demo: a simulated scanner is attached; in another terminal:\n  \
                             amparo capture --server {} --trust {} --username registrar \
                             --individual ID",
                            server.url,
                            cert.display()
                        );
                    }
                    Some(DemoRun {
                        url: server.url.clone(),
                        db: server.dir.join("amparo.db").display().to_string(),
                        keep,
                        device_cert: server.device_cert.clone(),
                        _server: server,
                    })
                }
                Err(e) => {
                    eprintln!("amparo demo: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        None => None,
    };
    let base = match &server {
        Some(s) => s.url.clone(),
        None => args
            .server
            .or(settings.server)
            .unwrap_or_else(|| "http://127.0.0.1:8080".to_string()),
    };
    let client = match Client::with_ca(&base, ca_cert.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("amparo: cannot set up the HTTP client: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut app = App::new(lang, &base, (80, 24));
    // A trusted scanner on this workstation (the settings', else the demo's) lets recipients
    // be checked by their fingers.
    let scanner = settings
        .capture_trust
        .as_ref()
        .map(std::path::PathBuf::from)
        .or_else(|| server.as_ref().and_then(|s| s.device_cert.clone()));
    if let Some(path) = scanner {
        match capture::verify::Setup::from_pem_file(&path) {
            Ok(setup) => {
                capture::verify::attach(&client, setup);
                app.scanner = true;
            }
            Err(e) => eprintln!("amparo: no 1:1 checks by fingers: {e}"),
        }
    }
    if let Some(s) = &server {
        // The developer's address for GraphiQL or curl while the client runs.
        app.server = format!("{base}/graphql");
        app.demo = true;
        app.demo_db = Some((s.db.clone(), s.keep));
    }
    let result = run(app, &client).await;
    let restored = term::restore();
    if let Some(s) = &server {
        if s.keep {
            eprintln!(
                "amparo demo: the server at {base}/graphql stopped; its database is kept in {}",
                s.db
            );
        } else {
            eprintln!(
                "amparo demo: the server at {base}/graphql stopped and its database was removed"
            );
        }
    }
    match result.and(restored) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("amparo: terminal error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The demo server while the client runs on it; dropping it stops the server.
struct DemoRun {
    url: String,
    db: String,
    keep: bool,
    /// The demo scanner's certificate: the client trusts it for 1:1 checks.
    device_cert: Option<std::path::PathBuf>,
    #[cfg(feature = "demo")]
    _server: demo::DemoServer,
}

async fn run(mut app: App, client: &Client) -> std::io::Result<()> {
    let mut terminal = term::setup()?;
    let size = terminal.size()?;
    app.resize((size.width, size.height));
    let (tx, mut rx) = mpsc::unbounded_channel();
    term::spawn_input(tx.clone());
    runtime::watch(client, &tx);
    loop {
        if app.dirty {
            term::draw(&mut terminal, &app)?;
            app.dirty = false;
        }
        if app.quit {
            return Ok(());
        }
        let Some(msg) = rx.recv().await else {
            return Ok(());
        };
        // Everything already queued (a paste, keys typed during a slow frame) makes one frame.
        let mut batch = vec![msg];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        for msg in batch {
            for cmd in update(&mut app, msg) {
                runtime::run(client, cmd, &tx);
            }
        }
    }
}
