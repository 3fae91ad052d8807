//! Offices' clocks by their IANA names, checked against the time zone database compiled in
//! (chrono-tz), so every name the server keeps is one the client can convert with. A name that
//! only looks right (`America/Quitto`) is refused, with the same reason in the server and in the
//! client's form.

use chrono_tz::Tz;

use crate::error::{Error, Reason};

/// The zone called `name` (exactly as the database spells it; `UTC` included).
pub fn parse(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// `name` trimmed if it is a time zone of the database, else a refusal naming `field`
/// (UNKNOWN_CODE in the vocabulary `time_zone`).
pub fn check(field: &str, name: &str) -> Result<String, Error> {
    let name = name.trim();
    match parse(name) {
        Some(tz) => Ok(tz.name().to_string()),
        None => Err(Error::invalid(
            field,
            Reason::UnknownCode {
                vocabulary: "time_zone".into(),
                value: name.chars().take(64).collect(),
            },
            "give an IANA time zone, e.g. America/Guayaquil",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_zones_pass_and_lookalikes_are_refused() {
        assert_eq!(
            check("f", " America/Guayaquil ").unwrap(),
            "America/Guayaquil"
        );
        assert_eq!(check("f", "UTC").unwrap(), "UTC");
        assert_eq!(
            check("f", "Pacific/Galapagos").unwrap(),
            "Pacific/Galapagos"
        );
        // Each of these passed the old shape check (a known area, then a place).
        for bad in [
            "America/Quitto",
            "Europe/Atlantis",
            "Etc/Nowhere",
            "america/guayaquil",
            "",
        ] {
            let e = check("input.timeZone", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("input.timeZone"));
            assert_eq!(
                e.reason,
                Reason::UnknownCode {
                    vocabulary: "time_zone".into(),
                    value: bad.trim().into()
                }
            );
        }
    }
}
