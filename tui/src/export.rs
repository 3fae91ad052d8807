//! `amparo export`: asks the server for a record-level export, follows the job, downloads the
//! encrypted file (resuming from the bytes already on disk after any cut), checks it against the
//! SHA-256 the API gives, decrypts it with the key this client made and kept, and writes the
//! plain file.
//!
//! The key is an age X25519 identity kept in the settings directory (`export-key.txt`, readable
//! by its owner only, made on first use). The server only ever sees its public half. The
//! encrypted bytes go to `OUT.JOB.part` as they arrive, so a cut (or a killed client, resumed
//! with `--job`) loses nothing that had arrived.

mod texts;

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use age::secrecy::ExposeSecret;
use clap::{Args, ValueEnum};
use sha2::{Digest, Sha256};

use crate::api::{self, ApiError, Client};
use crate::i18n::Lang;
pub use texts::{Texts, get as texts};

/// What to export.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KindArg {
    Individuals,
    Groups,
    Cases,
}

/// The file's layout.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Csv,
    Xlsx,
}

/// Ask for an export, follow it, download it (resuming after cuts), check and decrypt it.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// What to list, one row each.
    #[arg(long, value_enum, default_value = "individuals")]
    pub kind: KindArg,
    /// The file's layout.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: FormatArg,
    /// The columns, separated by commas (default: every column your role may read).
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Only records of this office (its id).
    #[arg(long)]
    pub office: Option<String>,
    /// What the export is for (kept in the audit log); required for a new export.
    #[arg(long, required_unless_present_any = ["job", "list", "list_fields"])]
    pub purpose: Option<String>,
    /// List your exports (newest first) instead of asking for one.
    #[arg(long)]
    pub list: bool,
    /// List the columns of --kind your role may export instead of asking for one.
    #[arg(long)]
    pub list_fields: bool,
    /// Where to write the decrypted file (default: the name the server suggests).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Download (or resume) an export asked for earlier, by its job id, instead of a new one.
    #[arg(long)]
    pub job: Option<String>,
    /// Your username (asked when absent); not needed with --token-file.
    #[arg(long)]
    pub username: Option<String>,
    /// Read the password from this file instead of asking for it.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// Use the API token in this file instead of logging in.
    #[arg(long, env = "AMPARO_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
    /// The key file (default: export-key.txt in the settings directory).
    #[arg(long, env = "AMPARO_EXPORT_KEY")]
    pub key: Option<PathBuf>,
    /// Give up on the download after this many minutes without any byte arriving.
    #[arg(long, default_value_t = 30)]
    pub patience_minutes: u64,
    /// Print what the download took: requests, resumes, bytes received and seconds.
    #[arg(long)]
    pub stats: bool,
}

/// What a download took.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// HTTP requests made for the file.
    pub requests: u64,
    /// Requests that resumed from bytes already held.
    pub resumes: u64,
    /// Bytes of the file received, counting any received twice.
    pub received: u64,
}

/// Runs `amparo export`; messages on standard error in `lang`.
pub async fn run(args: ExportArgs, client: &Client, lang: Lang) -> ExitCode {
    let t = texts::get(lang);
    match run_inner(args, client, t).await {
        Ok(Some(path)) => {
            eprintln!("{}", t.written(&path.display().to_string()));
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("amparo export: {e}");
            ExitCode::FAILURE
        }
    }
}

fn kind_of(
    k: KindArg,
) -> (
    api::request_export::ExportKind,
    api::export_fields::ExportKind,
) {
    use api::export_fields::ExportKind as F;
    use api::request_export::ExportKind as R;
    match k {
        KindArg::Individuals => (R::INDIVIDUALS, F::INDIVIDUALS),
        KindArg::Groups => (R::GROUPS, F::GROUPS),
        KindArg::Cases => (R::CASES, F::CASES),
    }
}

/// `--list` and `--list-fields`: what the server says, one line each.
async fn list(args: &ExportArgs, client: &Client, t: &Texts) -> Result<String, String> {
    let fail = |e: ApiError| t.failed(&e);
    if args.list_fields {
        let r = client
            .post::<api::ExportFields>(api::export_fields::Variables {
                kind: kind_of(args.kind).1,
            })
            .await
            .map_err(fail)?;
        return Ok(r
            .export_fields
            .iter()
            .map(|f| format!("{:<28} {}", f.name, f.description))
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let r = client
        .post::<api::ExportJobs>(api::export_jobs::Variables {})
        .await
        .map_err(fail)?;
    if r.export_jobs.is_empty() {
        return Ok(t.no_exports().to_string());
    }
    Ok(r.export_jobs
        .iter()
        .map(|j| {
            format!(
                "{}  {:<11}  {:<8}  {}/{}  {}  {}",
                j.id,
                j.kind
                    .as_ref()
                    .map(|k| format!("{k:?}").to_lowercase())
                    .unwrap_or_default(),
                format!("{:?}", j.status).to_lowercase(),
                j.rows_done,
                j.rows_total
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "?".into()),
                j.created_at.get(..16).unwrap_or(&j.created_at),
                j.purpose
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Returns the file written, or None after a listing.
async fn run_inner(
    args: ExportArgs,
    client: &Client,
    t: &Texts,
) -> Result<Option<PathBuf>, String> {
    if args.list || args.list_fields {
        sign_in(&args, client, t).await?;
        println!("{}", list(&args, client, t).await?);
        return Ok(None);
    }
    let key_path = match &args.key {
        Some(p) => p.clone(),
        None => default_key_path().ok_or_else(|| t.no_config_dir())?,
    };
    let identity = load_or_create_key(&key_path, t)?;
    let public = identity.to_public().to_string();
    sign_in(&args, client, t).await?;
    let fail = |e: ApiError| t.failed(&e);
    let job_id = match &args.job {
        Some(id) => id.clone(),
        None => {
            let r = client
                .post::<api::RequestExport>(api::request_export::Variables {
                    cmid: uuid::Uuid::now_v7().to_string(),
                    kind: kind_of(args.kind).0,
                    format: match args.format {
                        FormatArg::Csv => api::request_export::ExportFormat::CSV,
                        FormatArg::Xlsx => api::request_export::ExportFormat::XLSX,
                    },
                    fields: (!args.fields.is_empty()).then(|| args.fields.clone()),
                    office_id: args.office.clone(),
                    purpose: args.purpose.clone().unwrap_or_default(),
                    recipient: public.clone(),
                })
                .await
                .map_err(fail)?;
            let job = r.request_export.job;
            eprintln!("{}", t.requested(&job.id, &job.fields.join(", ")));
            job.id
        }
    };
    let job = follow(client, &job_id, t).await?;
    if job.recipient != public {
        return Err(t.other_key());
    }
    let (Some(path), Some(sha), Some(size)) = (
        job.download_path.clone(),
        job.sha256.clone(),
        job.size_bytes,
    ) else {
        return Err(t.not_ready());
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&job.suggested_file_name));
    let part = part_path(&out, &job_id);
    let url = format!("{}{}", client.base(), path);
    let size = size as u64;
    let patience = Duration::from_secs(args.patience_minutes.max(1) * 60);
    let mut checked_once = false;
    let started = std::time::Instant::now();
    let mut stats = Stats::default();
    loop {
        let file = Remote {
            url: &url,
            size,
            sha: &sha,
        };
        download(client, &file, &part, patience, &mut stats, t).await?;
        let got = file_sha256(&part).map_err(|e| t.io(&part, &e))?;
        if got == sha {
            break;
        }
        // A file that does not match is never decrypted: start again once, then give up.
        let _ = std::fs::remove_file(&part);
        if checked_once {
            return Err(t.checksum_mismatch(&sha, &got));
        }
        eprintln!("{}", t.checksum_retry());
        checked_once = true;
    }
    eprintln!("{}", t.verified(&sha));
    if args.stats {
        eprintln!("{}", t.stats(&stats, size, started.elapsed().as_secs_f64()));
    }
    let gz = matches!(job.format, Some(api::export_job::ExportFormat::CSV) | None);
    decrypt_to(&part, &out, &identity, gz, t)?;
    let _ = std::fs::remove_file(&part);
    Ok(Some(out))
}

/// The file the encrypted bytes of job `id` are kept in while they arrive.
pub fn part_path(out: &Path, id: &str) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{id}.part"));
    out.with_file_name(name)
}

/// `export-key.txt` beside the settings file.
pub fn default_key_path() -> Option<PathBuf> {
    crate::config::path().and_then(|p| p.parent().map(|d| d.join("export-key.txt")))
}

/// The client's export key: read from `path`, or made and written there (directory 0700, file
/// 0600) on first use. A key file others may read is refused.
pub fn load_or_create_key(path: &Path, t: &Texts) -> Result<age::x25519::Identity, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(path)
                    .map_err(|e| t.io(path, &e))?
                    .permissions()
                    .mode();
                if mode & 0o077 != 0 {
                    return Err(t.key_too_open(path));
                }
            }
            text.lines()
                .map(str::trim)
                .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                .and_then(|l| l.parse::<age::x25519::Identity>().ok())
                .ok_or_else(|| t.key_unreadable(path))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let identity = age::x25519::Identity::generate();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                let mut b = std::fs::DirBuilder::new();
                b.recursive(true);
                #[cfg(unix)]
                std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
                b.create(dir).map_err(|e| t.io(dir, &e))?;
            }
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(path).map_err(|e| t.io(path, &e))?;
            let text = format!(
                "# Amparo export key: exports are encrypted to its public key, {}\n# Keep this file secret; without it your exports cannot be opened.\n{}\n",
                identity.to_public(),
                identity.to_string().expose_secret()
            );
            f.write_all(text.as_bytes()).map_err(|e| t.io(path, &e))?;
            eprintln!("{}", t.key_made(path));
            Ok(identity)
        }
        Err(e) => Err(t.io(path, &e)),
    }
}

async fn sign_in(args: &ExportArgs, client: &Client, t: &Texts) -> Result<(), String> {
    if let Some(p) = &args.token_file {
        let token = std::fs::read_to_string(p).map_err(|e| t.io(p, &e))?;
        client.set_token(Some(token.trim().to_string()));
        return Ok(());
    }
    let username = match &args.username {
        Some(u) => u.clone(),
        None => {
            eprint!("{}: ", t.username);
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            line.trim().to_string()
        }
    };
    let password = match &args.password_file {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| t.io(p, &e))?
            .trim_end_matches(['\n', '\r'])
            .to_string(),
        None => rpassword::prompt_password(format!("{}: ", t.password))
            .map_err(|e| t.no_terminal(&e.to_string()))?,
    };
    let r = client
        .post::<api::Login>(api::login::Variables {
            username,
            password,
            new_password: None,
        })
        .await
        .map_err(|e| t.failed(&e))?;
    client.set_token(Some(r.login.token));
    Ok(())
}

/// Polls the job every two seconds (five while the link is down) until it is final, showing
/// its progress on one line.
async fn follow(
    client: &Client,
    id: &str,
    t: &Texts,
) -> Result<api::export_job::ExportJobExportJob, String> {
    use api::export_job::ExportStatus as S;
    let mut shown = String::new();
    loop {
        let r = client
            .post::<api::ExportJob>(api::export_job::Variables { id: id.to_string() })
            .await;
        let job = match r {
            Ok(r) => r.export_job.ok_or_else(|| t.no_such_job(id))?,
            Err(ApiError::Network(_)) => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            Err(e) => return Err(t.failed(&e)),
        };
        let line = t.progress(job.rows_done, job.rows_total);
        if line != shown {
            eprint!("\r{line}");
            let _ = std::io::stderr().flush();
            shown = line;
        }
        match job.status {
            S::READY => {
                eprintln!();
                return Ok(job);
            }
            S::FAILED => {
                eprintln!();
                return Err(t.job_failed(job.error.as_deref().unwrap_or("")));
            }
            S::EXPIRED => {
                eprintln!();
                return Err(t.expired());
            }
            _ => tokio::time::sleep(Duration::from_secs(2)).await,
        }
    }
}

/// Downloads `url` into `part` until it holds `size` bytes, resuming from what is there after
/// every cut (`Range: bytes=N-`, `If-Range` with the file's checksum so a different file is
/// never appended). Gives up after `patience` without progress.
/// The file on the server: where, how long, and its SHA-256.
struct Remote<'a> {
    url: &'a str,
    size: u64,
    sha: &'a str,
}

async fn download(
    client: &Client,
    remote: &Remote<'_>,
    part: &Path,
    patience: Duration,
    stats: &mut Stats,
    t: &Texts,
) -> Result<(), String> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(20))
        .tcp_nodelay(true);
    if let Some(tls) = client.tls() {
        builder = builder.use_preconfigured_tls(tls.as_ref().clone());
    }
    let http = builder.build().map_err(|e| e.to_string())?;
    let (url, size, sha) = (remote.url, remote.size, remote.sha);
    let token = client.bearer_token().unwrap_or_default();
    let etag = format!("\"{sha}\"");
    let mut last_progress = std::time::Instant::now();
    let mut wait = Duration::from_secs(1);
    loop {
        let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
        if have == size {
            eprintln!();
            return Ok(());
        }
        if have > size {
            let _ = std::fs::remove_file(part);
            continue;
        }
        if last_progress.elapsed() > patience {
            return Err(t.gave_up(have, size));
        }
        let mut req = http.get(url).bearer_auth(&token);
        stats.requests += 1;
        if have > 0 {
            stats.resumes += 1;
            req = req
                .header(reqwest::header::RANGE, format!("bytes={have}-"))
                .header(reqwest::header::IF_RANGE, &etag);
        }
        let resp = match tokio::time::timeout(Duration::from_secs(30), req.send()).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) | Err(_) => {
                eprint!("\r{}", t.link_down(have, size));
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(15));
                continue;
            }
        };
        let status = resp.status().as_u16();
        let append = match status {
            206 => true,
            200 => false,
            401 => return Err(t.download_refused(status)),
            404 | 409 | 410 => return Err(t.download_refused(status)),
            416 => {
                let _ = std::fs::remove_file(part);
                continue;
            }
            _ => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(15));
                continue;
            }
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true);
        if append {
            opts.append(true);
        } else {
            opts.write(true).truncate(true);
        }
        let mut f = opts.open(part).map_err(|e| t.io(part, &e))?;
        let mut got = if append { have } else { 0 };
        let mut resp = resp;
        loop {
            match tokio::time::timeout(Duration::from_secs(20), resp.chunk()).await {
                Ok(Ok(Some(bytes))) => {
                    f.write_all(&bytes).map_err(|e| t.io(part, &e))?;
                    got += bytes.len() as u64;
                    stats.received += bytes.len() as u64;
                    last_progress = std::time::Instant::now();
                    wait = Duration::from_secs(1);
                    eprint!("\r{}", t.downloaded(got, size));
                }
                Ok(Ok(None)) => break,
                Ok(Err(_)) | Err(_) => {
                    eprint!("\r{}", t.link_down(got, size));
                    break;
                }
            }
        }
        f.sync_data().map_err(|e| t.io(part, &e))?;
    }
}

/// The SHA-256 of a file, as 64 hex digits.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Decrypts `part` with `identity` (and, for CSV, decompresses it) into `out`, through a
/// temporary file renamed once complete.
pub fn decrypt_to(
    part: &Path,
    out: &Path,
    identity: &age::x25519::Identity,
    gzipped: bool,
    t: &Texts,
) -> Result<(), String> {
    let input = std::io::BufReader::new(std::fs::File::open(part).map_err(|e| t.io(part, &e))?);
    let decryptor = age::Decryptor::new(input).map_err(|_| t.not_for_this_key())?;
    let reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|_| t.not_for_this_key())?;
    let mut reader: Box<dyn Read> = if gzipped {
        Box::new(flate2::read::GzDecoder::new(reader))
    } else {
        Box::new(reader)
    };
    let mut tmp_name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    tmp_name.push(".tmp");
    let tmp = out.with_file_name(tmp_name);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut w = std::io::BufWriter::new(opts.open(&tmp).map_err(|e| t.io(&tmp, &e))?);
    std::io::copy(&mut reader, &mut w).map_err(|e| t.decrypt_failed(&e.to_string()))?;
    w.flush().map_err(|e| t.io(&tmp, &e))?;
    drop(w);
    std::fs::rename(&tmp, out).map_err(|e| t.io(out, &e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("amparo").join("export-key.txt");
        let t = texts(Lang::En);
        let made = load_or_create_key(&path, t).expect("made");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = load_or_create_key(&path, t).expect("read");
        assert_eq!(made.to_public().to_string(), again.to_public().to_string());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            assert!(load_or_create_key(&path, t).is_err());
        }
    }

    #[test]
    fn part_files_sit_beside_the_output() {
        assert_eq!(
            part_path(Path::new("/tmp/x/people.csv"), "J1"),
            PathBuf::from("/tmp/x/people.csv.J1.part")
        );
    }
}
