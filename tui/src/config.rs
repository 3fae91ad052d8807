//! The optional settings file, `$XDG_CONFIG_HOME/amparo/config.toml` (by default
//! `~/.config/amparo/config.toml`), so a field office sets its server once. Only a few flat
//! keys exist, so a few lines of parsing replace a TOML library:
//!
//! ```toml
//! server = "https://amparo.example.org"
//! lang = "es"
//! ca_cert = "/etc/amparo/unit-ca.pem"
//! # amparo capture: trusted device certificates (a PEM bundle), thresholds and attempts
//! capture_trust = "/etc/amparo/devices.pem"
//! capture_finger_quality = "40"
//! capture_iris_quality = "50"
//! capture_face_quality = "30"
//! capture_max_attempts = "3"
//! ```
//!
//! Flags and environment variables override the file.

use std::path::{Path, PathBuf};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub server: Option<String>,
    pub lang: Option<String>,
    /// PEM certificates of the unit's own authority, trusted beside the system's.
    pub ca_cert: Option<String>,
    pub capture_trust: Option<String>,
    pub capture_finger_quality: Option<String>,
    pub capture_iris_quality: Option<String>,
    pub capture_face_quality: Option<String>,
    pub capture_max_attempts: Option<String>,
}

/// Where the file is looked for, if a home or XDG directory is known.
pub fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("amparo").join("config.toml"))
}

/// Reads the file at `path`; a missing file is an empty configuration.
pub fn load(path: &Path) -> Result<Config, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

pub fn parse(text: &str) -> Result<Config, String> {
    let mut config = Config::default();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("line {}: expected key = \"value\"", n + 1));
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| format!("line {}: put the value in double quotes", n + 1))?
            .to_string();
        match key.trim() {
            "server" => config.server = Some(value),
            "ca_cert" => config.ca_cert = Some(value),
            "lang" if matches!(value.as_str(), "es" | "en") => config.lang = Some(value),
            "lang" => return Err(format!("line {}: lang is \"es\" or \"en\"", n + 1)),
            "capture_trust" => config.capture_trust = Some(value),
            "capture_finger_quality" => config.capture_finger_quality = Some(value),
            "capture_iris_quality" => config.capture_iris_quality = Some(value),
            "capture_face_quality" => config.capture_face_quality = Some(value),
            "capture_max_attempts" => config.capture_max_attempts = Some(value),
            other => {
                return Err(format!(
                    "line {}: unknown setting {other:?} (known: server, lang, ca_cert, \
                     capture_trust, capture_finger_quality, capture_iris_quality, \
                     capture_face_quality, capture_max_attempts)",
                    n + 1
                ));
            }
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_settings_and_skips_comments() {
        let c = parse(
            "# office Lago Agrio\nserver = \"https://amparo.example.org\"\n\nlang = \"es\"\n",
        )
        .expect("valid file");
        assert_eq!(c.server.as_deref(), Some("https://amparo.example.org"));
        assert_eq!(c.lang.as_deref(), Some("es"));
    }

    #[test]
    fn malformed_lines_say_where_and_what() {
        assert_eq!(
            parse("server = https://x\n"),
            Err("line 1: put the value in double quotes".into())
        );
        assert_eq!(
            parse("\nlang = \"fr\""),
            Err("line 2: lang is \"es\" or \"en\"".into())
        );
        assert!(parse("colour = \"red\"").is_err_and(|e| e.contains("unknown setting")));
        assert!(parse("server").is_err_and(|e| e.starts_with("line 1")));
    }

    #[test]
    fn a_missing_file_is_an_empty_configuration() {
        let missing = std::env::temp_dir().join("amparo-no-such-dir/config.toml");
        assert_eq!(load(&missing), Ok(Config::default()));
    }
}
