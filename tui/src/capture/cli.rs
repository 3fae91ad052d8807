//! `amparo capture` and `amparo capture-emulator` on the command line: flags, settings, login,
//! the terminal operator, and the order of things (sync what waits, capture, deliver).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use amparo_sbi::{DeviceIdentity, Position, TrustStore};

use super::check::{Problem, Thresholds};
use super::device::{self, SbiHttp};
use super::emulator::{self, Emulator, EmulatorConfig, Fault, Source};
use super::model::Exception;
use super::progress::Board;
use super::queue::{self, Delivery, Queue};
use super::session::{FingerMode, Operator, Plan, Policy, Session, SessionError, Step};
use super::upload::{GraphqlUploader, Uploader};
use crate::api::{self, ApiError, Client};
use crate::config::Config;
use crate::i18n::{CaptureText, Lang};

/// Flags of `amparo capture`.
#[derive(Debug, clap::Args)]
pub struct CaptureArgs {
    /// The Amparo id of the person whose biometrics are captured.
    #[arg(long, required_unless_present = "sync")]
    pub individual: Option<String>,
    /// Only send the captures waiting in the offline queue.
    #[arg(long)]
    pub sync: bool,
    /// Four-finger slaps and thumbs, one finger at a time, or no fingers.
    #[arg(long, value_enum, default_value = "slaps")]
    pub fingers: FingerMode,
    /// Do not capture the irises.
    #[arg(long)]
    pub no_iris: bool,
    /// Capture the face too.
    #[arg(long)]
    pub face: bool,
    /// A position recorded with a reason instead of a sample, e.g. `left-little:injured` or
    /// `right-iris:unable:eye bandaged` (reasons: missing, injured, unable). Repeatable.
    #[arg(long = "missing", value_parser = Exception::parse)]
    pub exceptions: Vec<Exception>,
    /// A PEM file of trusted device certificates (added to `capture_trust` of the settings).
    #[arg(long = "trust")]
    pub trust: Vec<PathBuf>,
    /// The device to use where several trusted ones capture the same thing: its port (4502),
    /// device id or serial number. Repeatable (e.g. one for fingers, one for irises). Without
    /// it the operator is asked on the terminal.
    #[arg(long = "device")]
    pub devices: Vec<String>,
    /// DEVELOPMENT ONLY: accept devices that sign nothing. Their records prove nothing.
    #[arg(long)]
    pub allow_unsigned_devices: bool,
    /// Attempts per step before asking to give up (default: settings, else 3).
    #[arg(long)]
    pub max_attempts: Option<u32>,
    /// Minimum finger quality 0-100 (default: settings, else 40).
    #[arg(long)]
    pub finger_quality: Option<u8>,
    /// Minimum iris quality 0-100 (default: settings, else 50).
    #[arg(long)]
    pub iris_quality: Option<u8>,
    /// Minimum face quality 0-100 (default: settings, else 30).
    #[arg(long)]
    pub face_quality: Option<u8>,
    #[arg(long, env = "AMPARO_USERNAME")]
    pub username: Option<String>,
    /// Read the password from this file instead of asking (without echo) on the terminal.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// The queue's key file (default: capture.key in the data directory).
    #[arg(long, env = "AMPARO_CAPTURE_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

/// Flags of `amparo capture-emulator`.
#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// The port on 127.0.0.1 (SBI devices use 4501-4600).
    #[arg(long, default_value_t = 4501)]
    pub port: u16,
    /// `synthetic`, or a folder of ISO records named like MOSIP's mock device.
    #[arg(long, default_value = "synthetic")]
    pub source: String,
    /// The synthetic person: the same seed gives the same fingers and eyes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The device certificate (PEM); with --key. Without both, a development identity kept in
    /// the data directory is used (made on first use).
    #[arg(long, requires = "key")]
    pub cert: Option<PathBuf>,
    /// The device private key (PKCS#8 or PKCS#1 PEM).
    #[arg(long, requires = "cert")]
    pub key: Option<PathBuf>,
    /// Act as an unregistered device that signs nothing.
    #[arg(long, conflicts_with_all = ["cert", "key"])]
    pub unsigned: bool,
    /// Misbehave on every capture in this way.
    #[arg(long, value_enum)]
    pub fault: Option<Fault>,
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The development identity of the emulator, kept across runs so the client's trust holds.
fn dev_identity() -> Result<(DeviceIdentity, PathBuf), String> {
    let dir = queue::data_dir().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (cert_path, key_path) = (dir.join("emulator-cert.pem"), dir.join("emulator-key.pem"));
    if cert_path.exists() && key_path.exists() {
        let id = DeviceIdentity::from_pem(&read(&cert_path)?, &read(&key_path)?)
            .map_err(|e| e.to_string())?;
        return Ok((id, cert_path));
    }
    let id = DeviceIdentity::generate(&mut rand_core::OsRng, "amparo-capture-emulator")
        .map_err(|e| e.to_string())?;
    let key_pem = id.private_key_pem().map_err(|e| e.to_string())?;
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&key_path)
            .map_err(|e| format!("{}: {e}", key_path.display()))?;
        f.write_all(key_pem.as_bytes())
            .map_err(|e| format!("{}: {e}", key_path.display()))?;
    }
    std::fs::write(&cert_path, id.certificate_pem().map_err(|e| e.to_string())?)
        .map_err(|e| format!("{}: {e}", cert_path.display()))?;
    Ok((id, cert_path))
}

/// Runs the emulator until interrupted.
pub async fn run_emulator(args: EmulatorArgs) -> ExitCode {
    let identity = if args.unsigned {
        None
    } else if let (Some(c), Some(k)) = (&args.cert, &args.key) {
        match read(c)
            .and_then(|c| read(k).map(|k| (c, k)))
            .and_then(|(c, k)| DeviceIdentity::from_pem(&c, &k).map_err(|e| e.to_string()))
        {
            Ok(id) => Some(id),
            Err(e) => {
                eprintln!("amparo capture-emulator: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        match dev_identity() {
            Ok((id, path)) => {
                eprintln!(
                    "amparo capture-emulator: development identity; trust it with --trust {}",
                    path.display()
                );
                Some(id)
            }
            Err(e) => {
                eprintln!("amparo capture-emulator: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    let source = if args.source == "synthetic" {
        Source::Synthetic
    } else {
        Source::Dir(PathBuf::from(&args.source))
    };
    let config = EmulatorConfig {
        port: Some(args.port),
        source,
        subject_seed: args.seed,
        identity,
        fault: args.fault,
    };
    match Emulator::start(config).await {
        Ok(emu) => {
            eprintln!(
                "amparo capture-emulator: SBI 0.9.5 on http://127.0.0.1:{} (Ctrl-C stops)",
                emu.port()
            );
            tokio::select! {
                _ = emu.wait() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "amparo capture-emulator: cannot listen on 127.0.0.1:{}: {e}",
                args.port
            );
            ExitCode::FAILURE
        }
    }
}

/// The operator at a terminal: prints the table and problems, reads Enter to retry.
pub struct TerminalOperator {
    pub text: &'static CaptureText,
}

impl TerminalOperator {
    fn ask(&self, prompt: &str) -> String {
        print!("{prompt} ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        line.trim().to_lowercase()
    }

    fn step_name(&self, step: &Step) -> String {
        use amparo_sbi::BioType;
        match (step.bio_type, step.sub_id) {
            (BioType::Finger, 1) => self.text.step_left_slap.into(),
            (BioType::Finger, 2) => self.text.step_right_slap.into(),
            (BioType::Finger, 3) => self.text.step_thumbs.into(),
            (BioType::Finger, _) => format!(
                "{} {}",
                self.text.step_finger,
                step.positions.first().map_or("", |p| p.cli_name())
            ),
            (BioType::Iris, _) => self.text.step_irises.into(),
            (BioType::Face, _) => self.text.step_face.into(),
        }
    }
}

impl Operator for TerminalOperator {
    fn progress(&mut self, board: &Board) {
        println!("{}", board.render(self.text));
    }

    fn step(&mut self, step: &Step) {
        println!("> {}", self.step_name(step));
    }

    fn retry(&mut self, _step: &Step, problem: &Problem, attempt: u32, max: u32) -> bool {
        println!(
            "{} ({} {attempt}/{max})",
            self.text.problem(problem),
            self.text.attempt
        );
        self.ask(self.text.retry_prompt) != "x"
    }

    fn give_up(&mut self, position: Position, problem: &Problem) -> bool {
        println!("{}: {}", position.cli_name(), self.text.problem(problem));
        matches!(
            self.ask(self.text.give_up_prompt).as_str(),
            "y" | "s" | "yes" | "si" | "sí"
        )
    }

    fn choose_device(
        &mut self,
        bio_type: amparo_sbi::BioType,
        candidates: &[&device::Device],
    ) -> Option<usize> {
        use std::io::IsTerminal;
        // Without a terminal nobody can answer; the session then asks for --device.
        if !std::io::stdin().is_terminal() {
            return None;
        }
        println!(
            "{}",
            self.text.choose_device.replace("{type}", bio_type.as_str())
        );
        for (i, d) in candidates.iter().enumerate() {
            println!("  {}) {}", i + 1, device::describe(d));
        }
        loop {
            print!("> ");
            let _ = std::io::stdout().flush();
            let mut line = String::new();
            // End of input or a read error: nobody is left to answer.
            match std::io::stdin().lock().read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            match line.trim().parse::<usize>() {
                Ok(n) if (1..=candidates.len()).contains(&n) => return Some(n - 1),
                _ if line.trim().eq_ignore_ascii_case("x") => return None,
                _ => {}
            }
        }
    }
}

fn settings_number<T: std::str::FromStr>(v: Option<&str>, key: &str) -> Result<Option<T>, String> {
    v.map(|s| {
        s.parse()
            .map_err(|_| format!("setting {key} = {s:?} is not a valid number"))
    })
    .transpose()
}

/// Trust, thresholds and attempts from the flags over the settings file.
fn policy_and_trust(args: &CaptureArgs, settings: &Config) -> Result<(Policy, TrustStore), String> {
    let mut trust = TrustStore::new();
    let files = settings
        .capture_trust
        .iter()
        .map(PathBuf::from)
        .chain(args.trust.iter().cloned());
    for f in files {
        trust
            .add_pem(&read(&f)?)
            .map_err(|e| format!("{}: {e}", f.display()))?;
    }
    trust.set_allow_unsigned(args.allow_unsigned_devices);
    // Sending what is queued talks to no device, so it needs no device certificate.
    if trust.is_empty() && !args.allow_unsigned_devices && !args.sync {
        return Err(
            "no trusted device certificate: set capture_trust in the settings file or \
                    give --trust CERT.pem"
                .into(),
        );
    }
    let d = Thresholds::default();
    let thresholds = Thresholds {
        finger: args
            .finger_quality
            .or(settings_number(
                settings.capture_finger_quality.as_deref(),
                "capture_finger_quality",
            )?)
            .unwrap_or(d.finger),
        iris: args
            .iris_quality
            .or(settings_number(
                settings.capture_iris_quality.as_deref(),
                "capture_iris_quality",
            )?)
            .unwrap_or(d.iris),
        face: args
            .face_quality
            .or(settings_number(
                settings.capture_face_quality.as_deref(),
                "capture_face_quality",
            )?)
            .unwrap_or(d.face),
    };
    let max_attempts = args
        .max_attempts
        .or(settings_number(
            settings.capture_max_attempts.as_deref(),
            "capture_max_attempts",
        )?)
        .unwrap_or(3);
    Ok((
        Policy {
            thresholds,
            max_attempts,
            ..Policy::default()
        },
        trust,
    ))
}

/// Logs in as the client does; `Ok(None)` when the server is unreachable (capture goes on
/// offline and the queue keeps the result).
async fn login(
    args: &CaptureArgs,
    client: &Client,
    text: &CaptureText,
) -> Result<Option<()>, String> {
    let username = match &args.username {
        Some(u) => u.clone(),
        None => {
            print!("{}: ", text.username);
            let _ = std::io::stdout().flush();
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            line.trim().to_string()
        }
    };
    let password = match &args.password_file {
        Some(p) => read(p)?.trim_end_matches(['\n', '\r']).to_string(),
        None => rpassword::prompt_password(format!("{}: ", text.password)).map_err(|e| {
            format!("cannot read the password from the terminal ({e}); give --password-file")
        })?,
    };
    match client
        .post::<api::Login>(api::login::Variables {
            username,
            password,
            new_password: None,
        })
        .await
    {
        Ok(data) => {
            client.set_token(Some(data.login.token));
            Ok(Some(()))
        }
        Err(ApiError::Network(_)) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

fn print_sync(text: &CaptureText, r: &queue::SyncReport) {
    if r.sent + r.refused.len() + r.remaining == 0 {
        return;
    }
    println!(
        "{}",
        text.sync_report
            .replace("{sent}", &r.sent.to_string())
            .replace("{refused}", &r.refused.len().to_string())
            .replace("{remaining}", &r.remaining.to_string())
    );
    for (id, reason) in &r.refused {
        println!("  {} {id}: {reason}", text.refused_by_server);
    }
    for u in &r.unreadable {
        println!("  {u}");
    }
}

/// `amparo capture`.
pub async fn run_capture(
    args: CaptureArgs,
    server: &str,
    ca_cert: Option<&Path>,
    settings: &Config,
    lang: Lang,
) -> ExitCode {
    let text = crate::i18n::capture_text(lang);
    let fail = |e: &dyn std::fmt::Display| {
        eprintln!("amparo capture: {e}");
        ExitCode::FAILURE
    };
    let (policy, trust) = match policy_and_trust(&args, settings) {
        Ok(x) => x,
        Err(e) => return fail(&e),
    };
    if trust.allows_unsigned() {
        println!("{}", text.unsigned_banner);
    }
    let queue = match queue::data_dir().and_then(|d| Queue::open(&d, args.key_file.as_deref())) {
        Ok(q) => q,
        Err(e) => return fail(&e),
    };
    let client = match Client::with_ca(server, ca_cert) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    match login(&args, &client, text).await {
        Ok(Some(())) => {}
        Ok(None) => println!("{}", text.offline),
        Err(e) => return fail(&e),
    }
    let uploader = GraphqlUploader {
        client: client.clone(),
        text,
    };
    match queue.sync(&uploader).await {
        Ok(r) => print_sync(text, &r),
        Err(e) => return fail(&e),
    }
    if args.sync {
        return ExitCode::SUCCESS;
    }
    let Some(individual) = args.individual.clone() else {
        return fail(&"--individual is required to capture");
    };
    let individual = match resolve_individual(&client, &individual).await {
        Ok(id) => id,
        Err(e) => return fail(&e),
    };
    let http = match SbiHttp::new(Duration::from_millis(500)) {
        Ok(h) => h,
        Err(e) => return fail(&e),
    };
    let devices = device::discover(&http, emulator::PORTS, &trust).await;
    println!("{}", text.found_devices);
    for line in device_lines(&devices, text) {
        println!("  {line}");
    }
    for named in &args.devices {
        if !devices
            .iter()
            .any(|d| d.info.is_some() && device::matches(d, named))
        {
            return fail(&format!("--device {named}: {}", text.no_device_named));
        }
    }
    let plan = Plan {
        fingers: args.fingers,
        irises: !args.no_iris,
        face: args.face,
        exceptions: args.exceptions.clone(),
    };
    let mut operator = TerminalOperator { text };
    let mut session =
        Session::new(&http, &devices, &trust, &policy).with_devices_named(&args.devices);
    let capture = match session.run(&plan, &individual, &mut operator).await {
        Ok(c) => c,
        Err(SessionError::Refused(e)) => {
            return fail(&format!("{} {e}", text.refused_record));
        }
        Err(SessionError::NoDevice(t)) => {
            return fail(&format!("{} {}", text.no_device, t.as_str()));
        }
        Err(SessionError::DeviceChoice {
            bio_type,
            candidates,
        }) => {
            let mut msg = text.several_devices.replace("{type}", bio_type.as_str());
            for c in candidates {
                msg.push_str("\n  ");
                msg.push_str(&c);
            }
            return fail(&msg);
        }
        Err(e) => return fail(&e),
    };
    let delivery = deliver_retaking(&queue, &uploader, &mut session, capture, &mut operator).await;
    report_delivery(&queue, delivery, text)
}

/// Delivers the capture; while the server refuses one sample of it (e.g. for quality), tells
/// the operator why and takes only that position again, keeping the rest, then sends it anew,
/// up to the session's attempt limit. A capture still refused after that is set aside in
/// `refused/` with the reason, like any refusal.
pub async fn deliver_retaking<O: Operator>(
    queue: &Queue,
    uploader: &impl Uploader,
    session: &mut Session<'_>,
    mut capture: super::model::Capture,
    operator: &mut O,
) -> Result<Delivery, String> {
    let rounds = session.policy.max_attempts.max(1);
    for round in 1..=rounds {
        match queue
            .deliver(uploader, &capture)
            .await
            .map_err(|e| e.to_string())?
        {
            Delivery::SampleRefused { position, reason } => {
                println!("{}: {reason}", position.cli_name());
                if round == rounds {
                    let reason = format!("{}: {reason}", position.cli_name());
                    queue
                        .set_aside_capture(&capture, &reason)
                        .map_err(|e| e.to_string())?;
                    return Ok(Delivery::Refused(reason));
                }
                session
                    .retake(&mut capture, position, operator)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            other => return Ok(other),
        }
    }
    Err("nothing was sent".into())
}

/// What discovery found, one line per device: trusted ones as such, the others with the reason
/// they are no candidate.
pub fn device_lines(devices: &[device::Device], text: &CaptureText) -> Vec<String> {
    devices
        .iter()
        .map(|d| match (&d.info, &d.info_problem) {
            (Some(_), _) => format!("{} {}", device::describe(d), text.device_trusted),
            (None, problem) => format!(
                "{} {} {}",
                device::describe(d),
                text.device_refused,
                problem.as_deref().unwrap_or("the device gave no info")
            ),
        })
        .collect()
}

/// The id to enrol under. Operators type the registration number (DPIN-I-0000045); the server
/// is asked which individual carries it, and the operator sees the name before any finger is
/// touched. An id (UUID) is taken as it is, which is also how a capture is made offline.
async fn resolve_individual(client: &Client, given: &str) -> Result<String, String> {
    if uuid::Uuid::parse_str(given).is_ok() {
        return Ok(given.to_string());
    }
    let data = client
        .post::<api::Search>(api::search::Variables {
            search: given.to_string(),
            first: 5,
            after: None,
        })
        .await
        .map_err(|e| match e {
            ApiError::Network(_) => format!(
                "{given}: the server is needed to look a number up; offline, give the \
                 individual's id (UUID) instead"
            ),
            other => format!("{given}: {other}"),
        })?;
    let found = data
        .individuals
        .edges
        .into_iter()
        .map(|e| e.node)
        .find(|n| n.individual_number.eq_ignore_ascii_case(given.trim()))
        .ok_or_else(|| format!("no individual {given} in your scope"))?;
    println!("{} {}", found.individual_number, found.full_name);
    Ok(found.id)
}

fn report_delivery(
    queue: &Queue,
    delivery: Result<Delivery, String>,
    text: &CaptureText,
) -> ExitCode {
    match delivery {
        Ok(Delivery::Uploaded) => {
            println!("{}", text.uploaded);
            ExitCode::SUCCESS
        }
        Ok(Delivery::Queued(why)) => {
            println!("{} {} ({why})", text.queued, queue.dir().display());
            ExitCode::SUCCESS
        }
        Ok(Delivery::Refused(why)) => {
            println!("{} {why}", text.refused_by_server);
            ExitCode::FAILURE
        }
        Ok(Delivery::SampleRefused { position, reason }) => {
            println!(
                "{} {}: {reason}",
                text.refused_by_server,
                position.cli_name()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("amparo capture: {e}");
            ExitCode::FAILURE
        }
    }
}
