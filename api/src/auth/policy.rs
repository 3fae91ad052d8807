//! The password policy of NIST SP 800-63B: a length the unit sets and a check against passwords
//! known from breaches; no composition rules, no periodic expiry.
//!
//! The list is the 10,000 most common passwords of a public corpus of breached passwords
//! (`assets/common-passwords.txt.gz`, see `assets/README.md`), compressed into the binary and
//! read once.

use std::collections::HashSet;
use std::io::Read;
use std::sync::OnceLock;

use crate::domain::access::{AccessSettings, MAX_PASSWORD_CHARS};
use crate::error::{Error, Reason, Result};

static COMPRESSED: &[u8] = include_bytes!("../../assets/common-passwords.txt.gz");

fn common() -> &'static HashSet<String> {
    static LIST: OnceLock<HashSet<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut text = String::new();
        // The asset is part of the binary; a failure here is a broken build, and an empty list
        // only weakens the check, so it is logged rather than fatal.
        if let Err(e) = flate2::read::GzDecoder::new(COMPRESSED).read_to_string(&mut text) {
            tracing::error!(error = %e, "the list of common passwords cannot be read");
        }
        text.lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// How many passwords the shipped list holds.
pub fn common_count() -> usize {
    common().len()
}

/// Refuses a new password that breaks the unit's policy, at `field`.
pub fn check(password: &str, username: &str, policy: &AccessSettings, field: &str) -> Result<()> {
    let chars = password.chars().count();
    let min = policy.min_password_length as usize;
    if chars < min {
        return Err(Error::invalid(
            field,
            Reason::TooShort { min },
            format!("the password must have at least {min} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Error::invalid(
            field,
            Reason::TooLong {
                max: MAX_PASSWORD_CHARS,
            },
            format!("the password may have at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let lower = password.to_lowercase();
    if common().contains(&lower) || lower == username.to_lowercase() {
        return Err(Error::invalid(
            field,
            Reason::CommonPassword,
            "this password is among the most used and breached ones (or is your username); choose another",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_shipped_and_checked() {
        // 10,000 entries, fewer once case is folded.
        assert!(common_count() > 9_000, "{}", common_count());
        let policy = AccessSettings::default();
        let too_short = check("short", "ana", &policy, "p").unwrap_err();
        assert_eq!(too_short.reason, Reason::TooShort { min: 12 });
        let common = check("1q2w3e4r5t6y", "ana", &policy, "p").unwrap_err();
        assert_eq!(common.reason, Reason::CommonPassword);
        assert!(check("lago agrio en invierno", "ana", &policy, "p").is_ok());
        let same = check("ana.maria.lopez", "Ana.Maria.Lopez", &policy, "p").unwrap_err();
        assert_eq!(same.reason, Reason::CommonPassword);
    }
}
