//! The JSON bodies of SBI 0.9.5: discovery (MOSIPDISC), device info (MOSIPDINFO) and
//! registration capture (RCAPTURE), the digital id, and the error codes.
//!
//! Devices in the field do not all follow the published schemas to the letter (MOSIP's own mock
//! sends device sub-ids and scores as strings where the schema says numbers), so numbers are read
//! from either form; everything Amparo writes follows the schema.

use serde::{Deserialize, Deserializer, Serialize};

/// The version of the specification this crate speaks.
pub const SPEC_VERSION: &str = "0.9.5";

/// `error` in every SBI answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeviceError {
    #[serde(default, deserialize_with = "string_or_number")]
    pub error_code: String,
    #[serde(default)]
    pub error_info: String,
}

impl DeviceError {
    pub fn success() -> Self {
        Self::from_code(ErrorCode::Success)
    }

    pub fn from_code(code: ErrorCode) -> Self {
        Self {
            error_code: code.code().to_string(),
            error_info: code.message().to_string(),
        }
    }

    /// The code as the specification defines it; an empty code counts as success.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::parse(&self.error_code)
    }
}

/// The error codes of SBI 0.9.5 (section "Error Codes", plus 202 from the schemas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Success,
    NotRegistered,
    NoBiometricObject,
    ExtractionError,
    TamperDetected,
    ManagementServerUnreachable,
    OrientationError,
    DeviceNotFound,
    DeviceKeyExpired,
    DomainKeyMissing,
    CountNotSupported,
    NotReady,
    Busy,
    InvalidTransactionId,
    NoDeviceConnected,
    /// 5xx: the device provider's own errors.
    Vendor(u16),
    /// A code the specification does not define.
    Other(u16),
    /// Not a number at all.
    Unreadable,
}

impl ErrorCode {
    pub fn parse(code: &str) -> Self {
        let code = code.trim();
        if code.is_empty() {
            return Self::Success;
        }
        let Ok(n) = code.parse::<u16>() else {
            return Self::Unreadable;
        };
        match n {
            0 => Self::Success,
            100 => Self::NotRegistered,
            101 => Self::NoBiometricObject,
            102 => Self::ExtractionError,
            103 => Self::TamperDetected,
            104 => Self::ManagementServerUnreachable,
            105 => Self::OrientationError,
            106 => Self::DeviceNotFound,
            107 => Self::DeviceKeyExpired,
            108 => Self::DomainKeyMissing,
            109 => Self::CountNotSupported,
            110 => Self::NotReady,
            111 => Self::Busy,
            112 => Self::InvalidTransactionId,
            202 => Self::NoDeviceConnected,
            500..=599 => Self::Vendor(n),
            other => Self::Other(other),
        }
    }

    /// The numeric code; `Unreadable` has none and writes as 0 only if someone insists.
    pub fn code(self) -> u16 {
        match self {
            Self::Success | Self::Unreadable => 0,
            Self::NotRegistered => 100,
            Self::NoBiometricObject => 101,
            Self::ExtractionError => 102,
            Self::TamperDetected => 103,
            Self::ManagementServerUnreachable => 104,
            Self::OrientationError => 105,
            Self::DeviceNotFound => 106,
            Self::DeviceKeyExpired => 107,
            Self::DomainKeyMissing => 108,
            Self::CountNotSupported => 109,
            Self::NotReady => 110,
            Self::Busy => 111,
            Self::InvalidTransactionId => 112,
            Self::NoDeviceConnected => 202,
            Self::Vendor(n) | Self::Other(n) => n,
        }
    }

    /// The specification's message for the code.
    pub fn message(self) -> &'static str {
        match self {
            Self::Success => "Success",
            Self::NotRegistered => "Device not registered",
            Self::NoBiometricObject => "Unable to detect a biometric object",
            Self::ExtractionError => "Technical error during extraction",
            Self::TamperDetected => "Device tamper detected",
            Self::ManagementServerUnreachable => "Unable to connect to the management server",
            Self::OrientationError => "Image orientation error",
            Self::DeviceNotFound => "Device not found",
            Self::DeviceKeyExpired => "Device public key expired",
            Self::DomainKeyMissing => "Domain public key missing",
            Self::CountNotSupported => "Requested number of biometric (Finger/IRIS) not supported",
            Self::NotReady => "Device is not ready",
            Self::Busy => "Device is Busy",
            Self::InvalidTransactionId => "Invalid Transaction ID",
            Self::NoDeviceConnected => "No device connected",
            Self::Vendor(_) => "Device provider error",
            Self::Other(_) => "Unknown error",
            Self::Unreadable => "Unreadable error code",
        }
    }

    pub fn is_success(self) -> bool {
        self == Self::Success
    }
}

/// The MOSIPDISC request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoverRequest {
    /// "Biometric Device" (any), "Finger", "Face" or "Iris".
    #[serde(rename = "type")]
    pub device_type: String,
}

/// The special discovery type that matches every device.
pub const ANY_DEVICE: &str = "Biometric Device";

/// One entry of the MOSIPDISC answer (an array of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredDevice {
    #[serde(default)]
    pub device_id: String,
    /// "Ready", "Busy", "Not Ready" or "Not Registered".
    #[serde(default)]
    pub device_status: String,
    #[serde(default)]
    pub certification: String,
    #[serde(default)]
    pub service_version: String,
    #[serde(default, deserialize_with = "sub_ids")]
    pub device_sub_id: Vec<u8>,
    #[serde(default)]
    pub callback_id: String,
    /// The unsigned digital id: base64url of the [`DigitalId`] JSON.
    #[serde(default)]
    pub digital_id: String,
    #[serde(default)]
    pub device_code: String,
    #[serde(default)]
    pub spec_version: Vec<String>,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub error: DeviceError,
}

/// One entry of the MOSIPDINFO answer: `deviceInfo` is a JWS of [`DeviceInfo`] (or, for an
/// unregistered device, only its base64url payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InfoEntry {
    #[serde(default)]
    pub device_info: String,
    #[serde(default)]
    pub error: DeviceError,
}

/// The device description inside [`InfoEntry::device_info`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    #[serde(default)]
    pub device_status: String,
    #[serde(default)]
    pub device_id: String,
    #[serde(default)]
    pub firmware: String,
    #[serde(default)]
    pub certification: String,
    #[serde(default)]
    pub service_version: String,
    #[serde(default, deserialize_with = "sub_ids")]
    pub device_sub_id: Vec<u8>,
    #[serde(default)]
    pub callback_id: String,
    /// The signed digital id (a JWS of [`DigitalId`]).
    #[serde(default)]
    pub digital_id: String,
    #[serde(default)]
    pub device_code: String,
    #[serde(default)]
    pub env: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub spec_version: Vec<String>,
}

/// The identity of a device, as printed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigitalId {
    #[serde(default)]
    pub serial_no: String,
    #[serde(default)]
    pub make: String,
    #[serde(default)]
    pub model: String,
    /// "Finger", "Iris" or "Face".
    #[serde(rename = "type", default)]
    pub device_type: String,
    /// "Slap", "Single", "Touchless", "Double" or "Full face".
    #[serde(default)]
    pub device_sub_type: String,
    #[serde(default)]
    pub device_provider: String,
    #[serde(default)]
    pub device_provider_id: String,
    #[serde(default)]
    pub date_time: String,
}

/// The RCAPTURE request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RCaptureRequest {
    pub env: String,
    pub purpose: String,
    pub spec_version: String,
    /// Milliseconds the caller waits.
    #[serde(deserialize_with = "number_or_string_u64")]
    pub timeout: u64,
    pub capture_time: String,
    pub transaction_id: String,
    pub bio: Vec<BioRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_opts: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One modality asked for in an RCAPTURE request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BioRequest {
    #[serde(rename = "type")]
    pub bio_type: String,
    #[serde(deserialize_with = "number_or_string_u64")]
    pub count: u64,
    #[serde(default)]
    pub bio_sub_type: Vec<String>,
    /// Fingers or eyes the device must leave out (missing, injured).
    #[serde(default)]
    pub exception: Vec<String>,
    #[serde(deserialize_with = "number_or_string_f64")]
    pub requested_score: f64,
    pub device_id: String,
    #[serde(deserialize_with = "number_or_string_u64")]
    pub device_sub_id: u64,
    /// Upper-case hex SHA-256 of the previous capture; see [`crate::chain`].
    pub previous_hash: String,
}

/// The RCAPTURE answer as it travels. Kept raw per biometric, so the exact JSON of each
/// record can be stored and sent on unchanged.
#[derive(Debug, Deserialize)]
pub struct RawCaptureResponse<'a> {
    #[serde(borrow)]
    pub biometrics: Vec<&'a serde_json::value::RawValue>,
}

/// The RCAPTURE answer, as a device writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RCaptureResponse {
    pub biometrics: Vec<BiometricRecord>,
}

/// One captured biometric: `data` is a JWS of [`CaptureData`], `hash` the chain value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BiometricRecord {
    #[serde(default)]
    pub spec_version: serde_json::Value,
    #[serde(default)]
    pub data: String,
    #[serde(default)]
    pub hash: String,
    #[serde(default)]
    pub error: DeviceError,
}

/// The signed payload of one captured biometric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureData {
    #[serde(default)]
    pub digital_id: String,
    pub bio_type: String,
    #[serde(default)]
    pub device_code: String,
    #[serde(default)]
    pub device_service_version: String,
    /// Absent (or empty) for the face.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio_sub_type: Option<String>,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub env: String,
    /// base64url of the ISO 19794 record.
    pub bio_value: String,
    pub transaction_id: String,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default, deserialize_with = "number_or_string_f64")]
    pub requested_score: f64,
    #[serde(deserialize_with = "number_or_string_f64")]
    pub quality_score: f64,
}

/// Whether `id` is a transaction id the specification allows: 4 to 50 letters, digits and
/// hyphens.
pub fn valid_transaction_id(id: &str) -> bool {
    (4..=50).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrString {
    U(u64),
    F(f64),
    S(String),
}

fn number_or_string_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match NumOrString::deserialize(d)? {
        NumOrString::U(u) => Ok(u as f64),
        NumOrString::F(f) => Ok(f),
        NumOrString::S(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not a number"))),
    }
}

fn number_or_string_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match NumOrString::deserialize(d)? {
        NumOrString::U(u) => Ok(u),
        NumOrString::F(f) if f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64 => Ok(f as u64),
        NumOrString::F(f) => Err(serde::de::Error::custom(format!(
            "{f} is not a whole number"
        ))),
        NumOrString::S(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not a whole number"))),
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match NumOrString::deserialize(d)? {
        NumOrString::U(u) => u.to_string(),
        NumOrString::F(f) => f.to_string(),
        NumOrString::S(s) => s,
    })
}

fn sub_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    Vec::<NumOrString>::deserialize(d)?
        .into_iter()
        .map(|v| {
            let n = match v {
                NumOrString::U(u) => u,
                NumOrString::F(f) if f.fract() == 0.0 && f >= 0.0 => f as u64,
                NumOrString::S(s) => s.trim().parse().map_err(|_| {
                    serde::de::Error::custom(format!("device sub id {s:?} is not a number"))
                })?,
                NumOrString::F(f) => {
                    return Err(serde::de::Error::custom(format!("device sub id {f}")));
                }
            };
            u8::try_from(n).map_err(|_| serde::de::Error::custom(format!("device sub id {n}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_round_trip_and_unknowns_stay_distinct() {
        for n in [
            0u16, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 202,
        ] {
            assert_eq!(ErrorCode::parse(&n.to_string()).code(), n);
        }
        assert_eq!(ErrorCode::parse("111"), ErrorCode::Busy);
        assert_eq!(ErrorCode::parse(""), ErrorCode::Success);
        assert_eq!(ErrorCode::parse("512"), ErrorCode::Vendor(512));
        assert_eq!(ErrorCode::parse("7"), ErrorCode::Other(7));
        assert_eq!(ErrorCode::parse("busy"), ErrorCode::Unreadable);
    }

    #[test]
    fn reads_numbers_written_as_strings_like_the_mosip_mock() {
        let d: DiscoveredDevice = serde_json::from_str(
            r#"{"deviceId":"1","deviceStatus":"Ready","deviceSubId":["1","2",3],
                "specVersion":["0.9.5"],"error":{"errorCode":0,"errorInfo":"Success"}}"#,
        )
        .expect("mock discovery entry");
        assert_eq!(d.device_sub_id, vec![1, 2, 3]);
        assert!(d.error.code().is_success());
        let b: BioRequest = serde_json::from_str(
            r#"{"type":"Finger","count":"4","requestedScore":"40","deviceId":"1",
                "deviceSubId":"1","previousHash":""}"#,
        )
        .expect("mock bio request");
        assert_eq!((b.count, b.device_sub_id), (4, 1));
        assert_eq!(b.requested_score, 40.0);
    }

    #[test]
    fn transaction_ids_follow_the_specification() {
        assert!(valid_transaction_id("0195-abcd"));
        assert!(!valid_transaction_id("abc"));
        assert!(!valid_transaction_id(&"a".repeat(51)));
        assert!(!valid_transaction_id("abc_def"));
    }
}
