//! The optional settings file, `$XDG_CONFIG_HOME/amparo/config.toml` (by default
//! `~/.config/amparo/config.toml`), so a field office sets its server once. It is TOML with a
//! few flat keys; an unknown key or a wrong value is an error naming the file and the line:
//!
//! ```toml
//! server = "https://amparo.example.org"
//! lang = "es"
//! ca_cert = "/etc/amparo/unit-ca.pem"
//! # amparo capture: trusted device certificates (a PEM bundle), thresholds and attempts
//! capture_trust = "/etc/amparo/devices.pem"
//! capture_finger_quality = 40
//! capture_iris_quality = 50
//! capture_face_quality = 30
//! capture_max_attempts = 3
//! ```
//!
//! Flags and environment variables override the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

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

/// The file as written: numbers may be given bare or quoted, the language only as "es" or "en".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    server: Option<String>,
    lang: Option<LangSetting>,
    ca_cert: Option<String>,
    capture_trust: Option<String>,
    capture_finger_quality: Option<Number>,
    capture_iris_quality: Option<Number>,
    capture_face_quality: Option<Number>,
    capture_max_attempts: Option<Number>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum LangSetting {
    Es,
    En,
}

/// A threshold as `40` or `"40"`; the capture command checks its range and says so.
#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Int(i64),
    Text(String),
}

impl Number {
    fn text(self) -> String {
        match self {
            Number::Int(n) => n.to_string(),
            Number::Text(t) => t,
        }
    }
}

/// Parses the file's text; an error names the line and what is wrong there.
pub fn parse(text: &str) -> Result<Config, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end().to_string();
        match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: {message}")
            }
            None => message,
        }
    })?;
    Ok(Config {
        server: file.server,
        lang: file.lang.map(|l| match l {
            LangSetting::Es => "es".to_string(),
            LangSetting::En => "en".to_string(),
        }),
        ca_cert: file.ca_cert,
        capture_trust: file.capture_trust,
        capture_finger_quality: file.capture_finger_quality.map(Number::text),
        capture_iris_quality: file.capture_iris_quality.map(Number::text),
        capture_face_quality: file.capture_face_quality.map(Number::text),
        capture_max_attempts: file.capture_max_attempts.map(Number::text),
    })
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
        let bare = parse("server = https://x\n").expect_err("an unquoted string");
        assert!(bare.starts_with("line 1: "), "{bare}");
        let lang = parse("\nlang = \"fr\"").expect_err("an unknown language");
        assert!(
            lang.starts_with("line 2: ") && lang.contains("`es`") && lang.contains("`en`"),
            "{lang}"
        );
        let unknown = parse("server = \"x\"\ncolour = \"red\"").expect_err("an unknown key");
        assert!(
            unknown.starts_with("line 2: ") && unknown.contains("colour"),
            "{unknown}"
        );
        assert!(parse("server").is_err_and(|e| e.starts_with("line 1")));
    }

    #[test]
    fn thresholds_are_numbers_or_quoted_numbers() {
        let c = parse("capture_finger_quality = 40\ncapture_max_attempts = \"3\"\n")
            .expect("valid file");
        assert_eq!(c.capture_finger_quality.as_deref(), Some("40"));
        assert_eq!(c.capture_max_attempts.as_deref(), Some("3"));
    }

    #[test]
    fn a_missing_file_is_an_empty_configuration() {
        let missing = std::env::temp_dir().join("amparo-no-such-dir/config.toml");
        assert_eq!(load(&missing), Ok(Config::default()));
    }
}
