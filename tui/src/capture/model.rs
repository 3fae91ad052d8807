//! What a capture session produces: the value the upload sends as `EnrolBiometricsInput` and the
//! offline queue keeps until the server has it.

use amparo_sbi::Position;
use serde::{Deserialize, Serialize};

/// One finished capture of one person, exactly as `enrolBiometrics` takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capture {
    /// Made once, when the capture finished: every retry and every sync of this capture sends
    /// the same id, so the server enrols it once however often it arrives.
    pub client_mutation_id: String,
    pub individual_id: String,
    /// The SBI transaction id of the session.
    pub transaction_id: String,
    /// RFC 3339, UTC.
    pub captured_at: String,
    pub samples: Vec<Sample>,
    pub exceptions: Vec<Exception>,
}

/// One accepted sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    pub position: Position,
    /// The ISO/IEC 19794 record, standard base64.
    pub record: String,
    /// The exact JSON object the device returned for this biometric.
    pub device_record: String,
    /// The device's quality score, 0-100.
    pub quality: u8,
}

/// A finger or eye recorded with a reason instead of a sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exception {
    pub position: Position,
    pub reason: ExceptionReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The contract's `BiometricExceptionReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExceptionReason {
    Missing,
    Injured,
    #[value(name = "unable")]
    UnableToCapture,
}

impl Exception {
    /// Reads the command line's `left-little:injured` or `right-iris:unable:bandaged eye`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut parts = s.splitn(3, ':');
        let pos = parts.next().unwrap_or_default();
        let position = Position::from_cli_name(pos).ok_or_else(|| {
            let names: Vec<&str> = Position::ALL.iter().map(|p| p.cli_name()).collect();
            format!("unknown position {pos:?}; one of {}", names.join(", "))
        })?;
        let reason = match parts.next() {
            None | Some("missing") => ExceptionReason::Missing,
            Some("injured") => ExceptionReason::Injured,
            Some("unable") => ExceptionReason::UnableToCapture,
            Some(other) => {
                return Err(format!(
                    "unknown reason {other:?}; one of missing, injured, unable"
                ));
            }
        };
        let note = parts
            .next()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from);
        Ok(Self {
            position,
            reason,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_read_from_the_command_line() {
        assert_eq!(
            Exception::parse("left-little:injured"),
            Ok(Exception {
                position: Position::LeftLittle,
                reason: ExceptionReason::Injured,
                note: None
            })
        );
        let e = Exception::parse("right-iris:unable:bandaged").expect("valid");
        assert_eq!(e.reason, ExceptionReason::UnableToCapture);
        assert_eq!(e.note.as_deref(), Some("bandaged"));
        assert_eq!(
            Exception::parse("left-thumb").map(|e| e.reason),
            Ok(ExceptionReason::Missing)
        );
        assert!(Exception::parse("left-toe:injured").is_err());
        assert!(Exception::parse("left-thumb:lost").is_err());
    }

    #[test]
    fn serialises_as_the_contract_names_it() {
        let e = Exception {
            position: Position::LeftLittle,
            reason: ExceptionReason::UnableToCapture,
            note: None,
        };
        assert_eq!(
            serde_json::to_string(&e).expect("json"),
            r#"{"position":"LEFT_LITTLE","reason":"UNABLE_TO_CAPTURE"}"#
        );
    }
}
