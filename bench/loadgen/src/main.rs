//! `amparo-loadgen`: open-loop load against Amparo's GraphQL endpoint on this machine.
//!
//! Prints one JSON line per run on stdout (see `bench/README.md` for the fields); errors go to
//! stderr with a non-zero exit.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use amparo_loadgen::client::GraphQlClient;
use amparo_loadgen::runner::{self, Budget, FindMaxConfig, RunConfig};
use amparo_loadgen::scenario::{self, Scenario, Workload};
use amparo_loadgen::target::Target;

#[derive(Parser)]
#[command(
    version,
    about = "Open-loop load generator for Amparo's GraphQL endpoint (loopback only)",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Log in and print a bearer token.
    Login(LoginArgs),
}

#[derive(Args)]
struct LoginArgs {
    /// GraphQL endpoint; must be on loopback.
    #[arg(long, default_value = "http://127.0.0.1:8080/graphql")]
    url: String,
    #[arg(long)]
    username: String,
    /// Password (or set AMPARO_PASSWORD).
    #[arg(long, env = "AMPARO_PASSWORD", hide_env_values = true)]
    password: String,
}

#[derive(Args)]
struct RunArgs {
    /// GraphQL endpoint; must be on loopback (127.0.0.0/8, ::1, localhost).
    #[arg(long, default_value = "http://127.0.0.1:8080/graphql")]
    url: String,
    /// Bearer token (or set AMPARO_TOKEN).
    #[arg(long, env = "AMPARO_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Workload to run.
    #[arg(long, value_enum, required = true)]
    scenario: Option<Scenario>,
    /// Requests per second (1-5000).
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// Seconds measured (at most 120).
    #[arg(long, default_value_t = 30.0)]
    duration: f64,
    /// Seconds of warm-up at the same rate before measuring, results dropped (at most 60).
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// File with one individual id per line (read scenario).
    #[arg(long)]
    ids_file: Option<PathBuf>,
    /// Most requests in flight at once; also the number of keep-alive connections kept.
    #[arg(long, default_value_t = 128)]
    connections: usize,
    /// Per-request timeout in seconds, counted from the scheduled send time.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Parallel cursor walks in the page scenario: fewer go deeper into the data.
    #[arg(long, default_value_t = 32)]
    walkers: usize,
    /// Seed for ids, names and cursor choice, so runs repeat the same requests.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Step the rate up until p99 or errors exceed their limits; report the highest passing rate.
    #[arg(long)]
    find_max: bool,
    /// --find-max: first rate and increment.
    #[arg(long, default_value_t = 100)]
    step: u32,
    /// --find-max: highest rate tried.
    #[arg(long, default_value_t = runner::MAX_RATE)]
    max_rate: u32,
    /// --find-max: p99 limit in milliseconds.
    #[arg(long, default_value_t = 150.0)]
    p99_limit_ms: f64,
    /// --find-max: error limit in percent of requests.
    #[arg(long, default_value_t = 1.0)]
    error_limit_pct: f64,
}

fn seconds(value: f64, flag: &str) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value)
        .with_context(|| format!("{flag} must be a number of seconds >= 0"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One thread: the generator shares this machine's two cores with the server and the database,
    // and one thread sends thousands of requests per second.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::Login(args)) => login(args).await,
            None => load(cli.run).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn connect(url: &str, token: Option<&str>, idle: usize) -> anyhow::Result<GraphQlClient> {
    let target = Target::parse(url)?;
    target.check_resolution().await?;
    GraphQlClient::new(target, token, idle)
}

async fn login(args: LoginArgs) -> anyhow::Result<()> {
    let client = connect(&args.url, None, 1).await?;
    let body = tokio::time::timeout(
        Duration::from_secs(30),
        client.post(scenario::login_body(&args.username, &args.password)),
    )
    .await
    .context("login got no answer within 30 s")?
    .map_err(|e| anyhow::anyhow!("login failed: {e}"))?;
    let token = scenario::login_token(&body).map_err(|e| anyhow::anyhow!("login failed: {e}"))?;
    println!("{token}");
    Ok(())
}

async fn load(args: RunArgs) -> anyhow::Result<()> {
    let Some(scenario) = args.scenario else {
        bail!("--scenario is required (read, page or search)");
    };
    let config = RunConfig {
        rate: args.rate,
        duration: seconds(args.duration, "--duration")?,
        warmup: seconds(args.warmup, "--warmup")?,
        concurrency: args.connections,
        timeout: seconds(args.timeout, "--timeout")?,
        seed: args.seed,
    };
    config.validate()?;
    let ids = match &args.ids_file {
        Some(path) => scenario::load_ids(path)?,
        None => Vec::new(),
    };
    let workload = Arc::new(Workload::new(scenario, ids, args.walkers)?);
    let client = connect(&args.url, args.token.as_deref(), args.connections).await?;
    let budget = Budget::default();
    if args.find_max {
        let search = FindMaxConfig {
            step: args.step,
            max_rate: args.max_rate,
            p99_limit_ms: args.p99_limit_ms,
            error_limit_pct: args.error_limit_pct,
        };
        let summary = runner::find_max(&client, &workload, &config, &search, &budget, |step| {
            print_json(step);
        })
        .await?;
        print_json(&summary);
    } else {
        let report = runner::run(&client, &workload, &config, &budget).await?;
        print_json(&report);
    }
    Ok(())
}

fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string(value) {
        Ok(line) => println!("{line}"),
        Err(e) => eprintln!("error: cannot encode report: {e}"),
    }
}
