//! The operator commands of `amparo-api`, run as a person would run them.

use std::io::Write;
use std::process::{Command, Stdio};

fn amparo(db_url: &str, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_amparo-api"))
        .args(args)
        .env("AMPARO_DATABASE_URL", db_url)
        .env("AMPARO_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run amparo-api");
    if let Some(input) = stdin
        && let Some(mut s) = child.stdin.take()
    {
        s.write_all(input.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn schema_command_prints_the_sdl() {
    let (ok, out, _) = amparo("sqlite://unused.db", &["schema"], None);
    assert!(ok);
    assert_eq!(out, amparo_api::graphql::sdl());
    assert!(
        !std::path::Path::new("unused.db").exists(),
        "schema touches no database"
    );
}

#[test]
fn mistyped_database_urls_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("amparo.db");
    let (ok, _, err) = amparo(path.to_str().expect("utf-8"), &["migrate"], None);
    assert!(!ok);
    assert!(err.contains("unsupported database URL"), "{err}");
    assert!(!path.exists(), "no file is created from a bad URL");
}

#[test]
fn users_are_managed_and_the_audit_log_verified() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("amparo.db").display());
    let (ok, out, err) = amparo(&url, &["seed", "--demo"], None);
    assert!(ok, "{out}{err}");
    let (ok, out, err) = amparo(
        &url,
        &[
            "user",
            "add",
            "ana",
            "--unit",
            "DPIN",
            "--office",
            "Tulcán",
            "--role",
            "registration_clerk",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("password (shown once): "),
        "a random password is printed once: {out}"
    );
    let (ok, _, err) = amparo(
        &url,
        &[
            "user",
            "add",
            "ana",
            "--unit",
            "DPIN",
            "--office",
            "tulcan",
            "--role",
            "registration_clerk",
        ],
        None,
    );
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = amparo(
        &url,
        &["user", "add", "bo", "--unit", "NOPE", "--role", "analyst"],
        None,
    );
    assert!(!ok && err.contains("no operation unit"), "{err}");
    let (ok, _, err) = amparo(
        &url,
        &["user", "add", "bo", "--unit", "DPIN", "--role", "wizard"],
        None,
    );
    assert!(!ok && err.contains("unknown role"), "{err}");
    let (ok, out, err) = amparo(
        &url,
        &["user", "passwd", "ana", "--password-stdin"],
        Some("a long enough password\n"),
    );
    assert!(ok, "{err}");
    assert!(!out.contains("shown once"));
    let (ok, _, err) = amparo(
        &url,
        &["user", "passwd", "ana", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!ok && err.contains("at least 10"), "{err}");
    let (ok, _, err) = amparo(&url, &["user", "disable", "ana"], None);
    assert!(ok, "{err}");
    let (ok, out, err) = amparo(&url, &["audit", "verify"], None);
    assert!(ok, "{err}");
    assert!(out.contains("audit log intact"), "{out}");
}

/// The demo's public release in the Refugee Data Finder's layout: its header, the line of all
/// origins adding up to the CSV release's total, a line per nationality, and a bad country of
/// asylum refused in words.
#[test]
fn the_public_release_comes_in_the_refugee_data_finders_layout() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("amparo.db").display());
    let (ok, out, err) = amparo(&url, &["seed", "--demo"], None);
    assert!(ok, "{out}{err}");
    let export = |format: &str, asylum: &str| {
        amparo(
            &url,
            &[
                "stats",
                "export",
                "--public",
                "--unit",
                "DPIN",
                "--format",
                format,
                "--asylum-country",
                asylum,
            ],
            None,
        )
    };
    let (ok, rdf, err) = export("rdf-csv", "ecu");
    assert!(ok, "{err}");
    let lines: Vec<&str> = rdf.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("Year,Country of origin (ISO)"))
        .unwrap_or_else(|| panic!("no header in {rdf}"));
    assert!(lines[header].ends_with("Male total,Total"), "{rdf}");
    let all: Vec<&str> = lines[header + 1].split(',').collect();
    assert_eq!(&all[1..4], ["ALL", "ECU", "REG"], "{rdf}");
    let (ok, csv, err) = export("csv", "ECU");
    assert!(ok, "{err}");
    let total = csv
        .lines()
        .find(|l| l.starts_with("total,"))
        .and_then(|l| l.rsplit(',').next())
        .unwrap_or_else(|| panic!("no total in {csv}"));
    assert_eq!(all.last().copied(), Some(total), "{rdf}");
    let nationalities = csv
        .lines()
        .filter(|l| l.starts_with("by_nationality,"))
        .count();
    assert!(nationalities > 1, "{csv}");
    assert_eq!(lines.len(), header + 2 + nationalities, "{rdf}");
    let (ok, _, err) = export("rdf-csv", "Ecuador");
    assert!(!ok);
    assert!(err.contains("ISO 3166 alpha-3"), "{err}");
}
