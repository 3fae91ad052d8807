//! Deciding whether a registration capture can be believed, and making one (for the emulator).
//!
//! [`verify_capture`] is what the capture client runs on every RCAPTURE answer: the device's
//! error code, each record's signature against the trusted certificates, the transaction id, the
//! hash chain, and that each record names a finger, eye or face. [`verify_record`] checks one
//! record alone (signature, device error, decoded ISO bytes), which is what the server can still
//! do with an uploaded `deviceRecord` long after the session: the chain needs the session's
//! other records, which the server does not receive when the client kept the best of several
//! attempts.

use serde::Serialize;

use crate::chain;
use crate::jws::{self, Compact, JwsError};
use crate::messages::{
    BiometricRecord, CaptureData, DeviceError, DigitalId, ErrorCode, RawCaptureResponse,
};
use crate::position::{BioType, Position};
use crate::trust::{DeviceIdentity, TrustStore};

/// Why a capture answer or one of its records was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// Not the JSON, JWS or base64 the specification defines.
    #[error("malformed device record: {0}")]
    Malformed(String),
    /// The device reported an error instead of a capture (busy, no finger on the scanner...).
    #[error("device error {code}: {info}", code = .code.code())]
    Device { code: ErrorCode, info: String },
    /// The record is not signed and unsigned devices are not allowed.
    #[error("the record is not signed; unsigned devices are allowed only in development")]
    Unsigned,
    /// Signed with something other than RS256, or with a key that is too short.
    #[error("unacceptable signature: {0}")]
    UnacceptableSignature(String),
    /// The signature does not match: the record was changed after the device signed it.
    #[error("bad signature: the record was changed after the device signed it")]
    BadSignature,
    /// Signed by a certificate that is not among the trusted ones.
    #[error("the signing certificate ({subject}) is not trusted")]
    UntrustedCertificate { subject: String },
    /// The record belongs to another capture session.
    #[error("transaction id {found:?} is not this session's {expected:?}")]
    TransactionMismatch { expected: String, found: String },
    /// The record's hash does not follow from the one before it.
    #[error("broken hash chain at record {index}")]
    BrokenHashChain { index: usize },
    /// The record names no finger, eye or face Amparo can store.
    #[error("unknown biometric {bio_type:?} {bio_sub_type:?}")]
    UnknownPosition {
        bio_type: String,
        bio_sub_type: Option<String>,
    },
}

impl From<JwsError> for RecordError {
    fn from(e: JwsError) -> Self {
        match e {
            JwsError::BadSignature => Self::BadSignature,
            JwsError::Malformed(m) | JwsError::BadCertificate(m) => Self::Malformed(m),
            e @ (JwsError::UnsupportedAlgorithm(_)
            | JwsError::CriticalExtension(_)
            | JwsError::WeakKey { .. }) => Self::UnacceptableSignature(e.to_string()),
        }
    }
}

/// One record that passed every check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedBiometric {
    pub position: Position,
    /// The ISO/IEC 19794 record, decoded from `bioValue`.
    #[serde(skip)]
    pub iso: Vec<u8>,
    /// The device's quality score, 0-100.
    pub quality: f64,
    pub hash: String,
    /// The signed payload.
    pub data: CaptureData,
    pub digital_id: DigitalId,
    /// The signing certificate's subject; `None` for an unsigned device that was tolerated.
    pub signer: Option<String>,
    /// The exact JSON text of this record as the device sent it.
    pub device_record: String,
}

/// The payload of a JWS whose signer is trusted (or of an unsigned block, when allowed), with
/// the signer's subject.
pub fn open_jws(token: &str, trust: &TrustStore) -> Result<(Vec<u8>, Option<String>), RecordError> {
    match jws::parse(token)? {
        Compact::Unsigned { payload } if trust.allows_unsigned() => Ok((payload, None)),
        Compact::Unsigned { .. } => Err(RecordError::Unsigned),
        Compact::Signed(parts) => {
            let cert = parts.parse_certificate()?;
            let subject = cert.tbs_certificate.subject.to_string();
            if !trust.trusts(&cert) {
                return Err(RecordError::UntrustedCertificate { subject });
            }
            parts.verify_signature(&cert)?;
            Ok((parts.payload, Some(subject)))
        }
    }
}

fn device_error(error: &DeviceError) -> Result<(), RecordError> {
    let code = error.code();
    if code.is_success() {
        Ok(())
    } else {
        Err(RecordError::Device {
            code,
            info: error.error_info.clone(),
        })
    }
}

/// Checks one biometric record alone: device error, the signature of `data` and of its digital
/// id, and that it names a known position. Returns it with its ISO bytes decoded. The hash is
/// returned as given; only [`verify_capture`] can check it against the chain.
pub fn verify_record(
    device_record: &str,
    trust: &TrustStore,
) -> Result<VerifiedBiometric, RecordError> {
    let record: BiometricRecord = serde_json::from_str(device_record)
        .map_err(|e| RecordError::Malformed(format!("record is not the SBI JSON: {e}")))?;
    device_error(&record.error)?;
    let (payload, signer) = open_jws(&record.data, trust)?;
    let data: CaptureData = serde_json::from_slice(&payload)
        .map_err(|e| RecordError::Malformed(format!("signed data is not the SBI JSON: {e}")))?;
    let bio_type = BioType::parse(&data.bio_type);
    let sub = data.bio_sub_type.as_deref().filter(|s| !s.is_empty());
    let position = bio_type
        .and_then(|t| Position::from_sbi(t, sub))
        .ok_or_else(|| RecordError::UnknownPosition {
            bio_type: data.bio_type.clone(),
            bio_sub_type: data.bio_sub_type.clone(),
        })?;
    let (digital_payload, digital_signer) = open_jws(&data.digital_id, trust)?;
    let digital_id: DigitalId = serde_json::from_slice(&digital_payload)
        .map_err(|e| RecordError::Malformed(format!("digital id is not the SBI JSON: {e}")))?;
    if signer.is_some() && digital_signer.is_none() {
        return Err(RecordError::Unsigned);
    }
    if !digital_id.device_type.is_empty() && digital_id.device_type != data.bio_type {
        return Err(RecordError::Malformed(format!(
            "a {} device returned a {} record",
            digital_id.device_type, data.bio_type
        )));
    }
    let iso = jws::b64url_decode(&data.bio_value)
        .map_err(|_| RecordError::Malformed("bioValue is not base64url".into()))?;
    if iso.is_empty() {
        return Err(RecordError::Malformed("bioValue is empty".into()));
    }
    if !(0.0..=100.0).contains(&data.quality_score) {
        return Err(RecordError::Malformed(format!(
            "quality score {} is outside 0-100",
            data.quality_score
        )));
    }
    Ok(VerifiedBiometric {
        position,
        iso,
        quality: data.quality_score,
        hash: record.hash,
        data,
        digital_id,
        signer,
        device_record: device_record.to_string(),
    })
}

/// Checks a whole RCAPTURE answer: every record as [`verify_record`] does, each one's
/// transaction id, and the hash chain starting from `previous_hash` (the `previousHash` the
/// request sent). A device error in any record refuses the answer.
pub fn verify_capture(
    response: &str,
    trust: &TrustStore,
    expected_transaction_id: &str,
    previous_hash: &str,
) -> Result<Vec<VerifiedBiometric>, RecordError> {
    let raw: RawCaptureResponse<'_> = serde_json::from_str(response)
        .map_err(|e| RecordError::Malformed(format!("answer is not the SBI JSON: {e}")))?;
    if raw.biometrics.is_empty() {
        return Err(RecordError::Malformed(
            "the answer holds no biometric".into(),
        ));
    }
    // Device errors first: a busy device sends no data to verify.
    for r in &raw.biometrics {
        let record: BiometricRecord = serde_json::from_str(r.get())
            .map_err(|e| RecordError::Malformed(format!("record is not the SBI JSON: {e}")))?;
        device_error(&record.error)?;
    }
    let verified = raw
        .biometrics
        .iter()
        .map(|r| verify_record(r.get(), trust))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(v) = verified
        .iter()
        .find(|v| v.data.transaction_id != expected_transaction_id)
    {
        return Err(RecordError::TransactionMismatch {
            expected: expected_transaction_id.to_string(),
            found: v.data.transaction_id.clone(),
        });
    }
    chain::verify(
        previous_hash,
        verified.iter().map(|v| (v.iso.as_slice(), v.hash.as_str())),
    )
    .map_err(|index| RecordError::BrokenHashChain { index })?;
    Ok(verified)
}

/// Makes one signed (or, without an identity, unsigned) record as a device would, chained after
/// `previous_hash`; returns it with its hash.
pub fn make_record(
    identity: Option<&DeviceIdentity>,
    mut data: CaptureData,
    digital_id: &DigitalId,
    iso: &[u8],
    previous_hash: &str,
) -> Result<(BiometricRecord, String), chain::BadHash> {
    let hash = chain::link(previous_hash, iso)?;
    let digital_json = serde_json::to_vec(digital_id).unwrap_or_default();
    data.digital_id = match identity {
        Some(id) => id.sign(&digital_json),
        None => jws::unsigned(&digital_json),
    };
    data.bio_value = jws::b64url_encode(iso);
    let payload = serde_json::to_vec(&data).unwrap_or_default();
    let signed = match identity {
        Some(id) => id.sign(&payload),
        None => jws::unsigned(&payload),
    };
    Ok((
        BiometricRecord {
            spec_version: serde_json::Value::String(crate::messages::SPEC_VERSION.into()),
            data: signed,
            hash: hash.clone(),
            error: DeviceError::success(),
        },
        hash,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::RCaptureResponse;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn identity(n: usize) -> &'static DeviceIdentity {
        static IDS: OnceLock<Vec<DeviceIdentity>> = OnceLock::new();
        &IDS.get_or_init(|| {
            (0..2)
                .map(|i| {
                    DeviceIdentity::generate(&mut rand_core::OsRng, &format!("test device {i}"))
                        .expect("test identity")
                })
                .collect()
        })[n]
    }

    fn trust(n: usize) -> TrustStore {
        let mut t = TrustStore::new();
        t.add_der(identity(n).certificate_der()).expect("trusted");
        t
    }

    fn digital_id(kind: &str) -> DigitalId {
        DigitalId {
            serial_no: "SN1".into(),
            make: "Amparo".into(),
            model: "Test".into(),
            device_type: kind.into(),
            device_sub_type: "Slap".into(),
            device_provider: "Amparo".into(),
            device_provider_id: "amparo".into(),
            date_time: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn data(position: Position, tx: &str) -> CaptureData {
        CaptureData {
            digital_id: String::new(),
            bio_type: position.bio_type().as_str().into(),
            device_code: "SN1".into(),
            device_service_version: "0.9.5".into(),
            bio_sub_type: Some(position.bio_sub_type().into()),
            purpose: "Registration".into(),
            env: "Developer".into(),
            bio_value: String::new(),
            transaction_id: tx.into(),
            timestamp: "2026-01-01T00:00:00Z".into(),
            requested_score: 40.0,
            quality_score: 77.0,
        }
    }

    /// A signed answer with one record per (position, iso), chained from the initial hash.
    fn answer(
        id: Option<&DeviceIdentity>,
        records: &[(Position, Vec<u8>)],
        tx: &str,
    ) -> RCaptureResponse {
        let mut prev = chain::initial_hash();
        let biometrics = records
            .iter()
            .map(|(p, iso)| {
                let (r, h) = make_record(id, data(*p, tx), &digital_id("Finger"), iso, &prev)
                    .expect("record");
                prev = h;
                r
            })
            .collect();
        RCaptureResponse { biometrics }
    }

    fn json(r: &RCaptureResponse) -> String {
        serde_json::to_string(r).expect("serialises")
    }

    fn fingers() -> Vec<(Position, Vec<u8>)> {
        vec![
            (Position::LeftIndex, b"FIR\0one".to_vec()),
            (Position::LeftMiddle, b"FIR\0two".to_vec()),
        ]
    }

    #[test]
    fn a_signed_chained_answer_verifies_with_its_exact_records() {
        let a = json(&answer(Some(identity(0)), &fingers(), "tx-0001"));
        let v = verify_capture(&a, &trust(0), "tx-0001", &chain::initial_hash()).expect("valid");
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].position, Position::LeftIndex);
        assert_eq!(v[1].iso, b"FIR\0two");
        assert_eq!(v[0].quality, 77.0);
        assert!(
            v[0].signer
                .as_deref()
                .is_some_and(|s| s.contains("test device 0"))
        );
        // Each record's text is a substring of the answer, byte for byte.
        assert!(a.contains(&v[0].device_record));
        assert_eq!(
            verify_record(&v[1].device_record, &trust(0)),
            Ok(v[1].clone())
        );
    }

    #[test]
    fn another_devices_certificate_is_untrusted() {
        let a = json(&answer(Some(identity(1)), &fingers(), "tx-0001"));
        assert!(matches!(
            verify_capture(&a, &trust(0), "tx-0001", &chain::initial_hash()),
            Err(RecordError::UntrustedCertificate { .. })
        ));
    }

    #[test]
    fn unsigned_answers_need_the_development_allowance() {
        let a = json(&answer(None, &fingers(), "tx-0001"));
        assert_eq!(
            verify_capture(&a, &trust(0), "tx-0001", &chain::initial_hash()),
            Err(RecordError::Unsigned)
        );
        let mut lax = trust(0);
        lax.set_allow_unsigned(true);
        let v = verify_capture(&a, &lax, "tx-0001", &chain::initial_hash()).expect("allowed");
        assert_eq!(v[0].signer, None);
    }

    #[test]
    fn a_tampered_signature_or_bio_value_is_a_bad_signature() {
        let r = answer(Some(identity(0)), &fingers(), "tx-0001");
        // Change the signature's first character (the last one also carries padding bits, so
        // changing it may make the base64 invalid rather than the signature wrong).
        let mut sig = r.clone();
        let d = &mut sig.biometrics[0].data;
        let at = d.rfind('.').expect("a signed JWS") + 1;
        let first = d[at..].chars().next().expect("a signature");
        d.replace_range(at..at + 1, if first == 'A' { "B" } else { "A" });
        assert_eq!(
            verify_capture(&json(&sig), &trust(0), "tx-0001", &chain::initial_hash()),
            Err(RecordError::BadSignature)
        );
        // Replace the payload by one with another bioValue, keeping header and signature.
        let mut value = r.clone();
        let parts: Vec<&str> = value.biometrics[1].data.split('.').collect();
        let mut payload: CaptureData =
            serde_json::from_slice(&jws::b64url_decode(parts[1]).expect("b64")).expect("json");
        payload.bio_value = jws::b64url_encode(b"FIR\0forged");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            jws::b64url_encode(&serde_json::to_vec(&payload).expect("json")),
            parts[2]
        );
        value.biometrics[1].data = forged;
        assert_eq!(
            verify_capture(&json(&value), &trust(0), "tx-0001", &chain::initial_hash()),
            Err(RecordError::BadSignature)
        );
    }

    #[test]
    fn wrong_transaction_and_device_errors_are_named() {
        let a = json(&answer(Some(identity(0)), &fingers(), "tx-other"));
        assert_eq!(
            verify_capture(&a, &trust(0), "tx-0001", &chain::initial_hash()),
            Err(RecordError::TransactionMismatch {
                expected: "tx-0001".into(),
                found: "tx-other".into()
            })
        );
        let busy = r#"{"biometrics":[{"specVersion":"0.9.5","data":"","hash":"",
            "error":{"errorCode":"111","errorInfo":"Device is Busy"}}]}"#;
        assert!(matches!(
            verify_capture(busy, &trust(0), "tx-0001", &chain::initial_hash()),
            Err(RecordError::Device {
                code: ErrorCode::Busy,
                ..
            })
        ));
        assert!(matches!(
            verify_capture(r#"{"biometrics":[]}"#, &trust(0), "tx", ""),
            Err(RecordError::Malformed(_))
        ));
        assert!(matches!(
            verify_capture("not json", &trust(0), "tx", ""),
            Err(RecordError::Malformed(_))
        ));
    }

    #[test]
    fn a_capture_chained_from_elsewhere_breaks_the_chain() {
        let a = json(&answer(Some(identity(0)), &fingers(), "tx-0001"));
        let elsewhere = chain::link(&chain::initial_hash(), b"earlier").expect("link");
        assert_eq!(
            verify_capture(&a, &trust(0), "tx-0001", &elsewhere),
            Err(RecordError::BrokenHashChain { index: 0 })
        );
        // Swapping two records keeps every signature but breaks the chain.
        let mut swapped = answer(Some(identity(0)), &fingers(), "tx-0001");
        swapped.biometrics.swap(0, 1);
        assert_eq!(
            verify_capture(
                &json(&swapped),
                &trust(0),
                "tx-0001",
                &chain::initial_hash()
            ),
            Err(RecordError::BrokenHashChain { index: 0 })
        );
    }

    #[test]
    fn a_certificate_issued_by_a_trusted_one_is_trusted_and_a_stranger_is_not() {
        use x509_cert::der::Decode;
        let cert = |der: &[u8]| x509_cert::Certificate::from_der(der).expect("certificate");
        let provider = identity(0);
        let device = provider
            .issue(&mut rand_core::OsRng, "issued device")
            .expect("issued");
        let t = trust(0);
        assert!(t.trusts(&cert(device.certificate_der())));
        assert!(!t.trusts(&cert(identity(1).certificate_der())));
        // Issued by the stranger: same issuer name shape, wrong key.
        let forged = identity(1)
            .issue(&mut rand_core::OsRng, "forged")
            .expect("issued");
        assert!(!t.trusts(&cert(forged.certificate_der())));
        let a = json(&answer(Some(&device), &fingers(), "tx-0001"));
        assert!(verify_capture(&a, &t, "tx-0001", &chain::initial_hash()).is_ok());
    }

    #[test]
    fn identities_survive_pem() {
        let id = identity(0);
        let again = DeviceIdentity::from_pem(
            &id.certificate_pem().expect("pem"),
            &id.private_key_pem().expect("pem"),
        )
        .expect("reloads");
        assert_eq!(again.certificate_der(), id.certificate_der());
        let mismatched = DeviceIdentity::from_pem(
            &identity(1).certificate_pem().expect("pem"),
            &id.private_key_pem().expect("pem"),
        );
        assert_eq!(
            mismatched.err(),
            Some(crate::trust::TrustError::KeyMismatch)
        );
        let mut t = TrustStore::new();
        assert_eq!(t.add_pem(&id.certificate_pem().expect("pem")), Ok(1));
        assert_eq!(
            t.add_pem("nothing"),
            Err(crate::trust::TrustError::NoCertificate)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn any_single_byte_change_to_a_record_is_refused(
            which in 0usize..2,
            at in any::<prop::sample::Index>(),
            to in any::<u8>(),
        ) {
            let r = answer(Some(identity(0)), &fingers(), "tx-0001");
            let text = json(&r);
            let mut bytes = text.clone().into_bytes();
            // Change one byte inside one record's data or hash.
            let field = if which == 0 { &r.biometrics[0].data } else { &r.biometrics[1].hash };
            let start = text.find(field.as_str()).expect("field in text");
            let i = start + at.index(field.len());
            prop_assume!(bytes[i] != to && to.is_ascii_graphic() && to != b'"' && to != b'\\');
            bytes[i] = to;
            let tampered = String::from_utf8(bytes).expect("ascii");
            let result = verify_capture(&tampered, &trust(0), "tx-0001", &chain::initial_hash());
            // Hex is read case-insensitively, so a case change of a hash digit is the same hash.
            let same_hash = which == 1 && text.as_bytes()[i].eq_ignore_ascii_case(&to);
            prop_assert!(result.is_err() || same_hash, "accepted a change at {i}");
        }
    }
}
