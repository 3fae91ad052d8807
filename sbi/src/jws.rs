//! JSON Web Signatures as SBI uses them (RFC 7515, compact form).
//!
//! A signed block is `base64url(header).base64url(payload).base64url(signature)` with the header
//! `{"alg":"RS256","typ":"JWT","x5c":["<base64 DER certificate>"]}`: RSASSA-PKCS1-v1_5 over
//! SHA-256, and the signing certificate carried inside the block (the first one of `x5c`; a chain
//! after it is ignored, as the specification says). An unregistered device sends only
//! `base64url(payload)`. Nothing else is accepted: no other algorithm (so no `none` and no HMAC
//! confusion), no `crit` extensions, no keys shorter than 2048 bits.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPublicKey, sha2::Sha256};
use serde::Deserialize;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};

/// The smallest RSA modulus SBI allows for biometric signatures.
pub const MIN_RSA_BITS: usize = 2048;

/// Why a JWS could not be read or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("not a compact JWS: {0}")]
    Malformed(String),
    #[error("signature algorithm {0:?} is not the RS256 that SBI requires")]
    UnsupportedAlgorithm(String),
    #[error("the header names critical extensions {0:?} this client does not implement")]
    CriticalExtension(Vec<String>),
    #[error("the signing certificate cannot be read: {0}")]
    BadCertificate(String),
    #[error("the signing key has {bits} bits; at least {MIN_RSA_BITS} are required")]
    WeakKey { bits: usize },
    #[error("the signature does not match the signed data")]
    BadSignature,
}

/// A compact JWS taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compact {
    /// Header, payload and signature.
    Signed(SignedParts),
    /// Only a payload: an unregistered (unsigned) device.
    Unsigned { payload: Vec<u8> },
}

/// The parts of a signed JWS, decoded but not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedParts {
    /// The DER of the first certificate in `x5c`.
    pub certificate: Vec<u8>,
    pub payload: Vec<u8>,
    signing_input: String,
    signature: Vec<u8>,
}

#[derive(Deserialize)]
struct Header {
    alg: Option<String>,
    x5c: Option<serde_json::Value>,
    crit: Option<Vec<String>>,
}

/// Decodes base64url with or without padding (devices differ).
pub fn b64url_decode(s: &str) -> Result<Vec<u8>, JwsError> {
    URL_SAFE_NO_PAD
        .decode(s.trim().trim_end_matches('='))
        .map_err(|e| JwsError::Malformed(format!("bad base64url: {e}")))
}

pub fn b64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Splits and decodes a compact JWS; checks the header but not the signature.
pub fn parse(token: &str) -> Result<Compact, JwsError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    match parts.as_slice() {
        [payload] if !payload.is_empty() => Ok(Compact::Unsigned {
            payload: b64url_decode(payload)?,
        }),
        [header, payload, signature] => {
            let header_bytes = b64url_decode(header)?;
            let h: Header = serde_json::from_slice(&header_bytes)
                .map_err(|e| JwsError::Malformed(format!("header is not JSON: {e}")))?;
            match h.alg.as_deref() {
                Some("RS256") => {}
                Some(other) => return Err(JwsError::UnsupportedAlgorithm(other.to_string())),
                None => return Err(JwsError::Malformed("header has no alg".into())),
            }
            if let Some(crit) = h.crit.filter(|c| !c.is_empty()) {
                return Err(JwsError::CriticalExtension(crit));
            }
            let first = match h.x5c {
                Some(serde_json::Value::Array(certs)) => certs.into_iter().next(),
                // The specification's prose shows a bare string; accept it too.
                Some(v @ serde_json::Value::String(_)) => Some(v),
                _ => None,
            };
            let Some(serde_json::Value::String(cert_b64)) = first else {
                return Err(JwsError::Malformed(
                    "header has no x5c certificate to verify against".into(),
                ));
            };
            let certificate = STANDARD
                .decode(cert_b64.trim())
                .map_err(|e| JwsError::BadCertificate(format!("x5c is not base64: {e}")))?;
            Ok(Compact::Signed(SignedParts {
                certificate,
                payload: b64url_decode(payload)?,
                signing_input: format!("{header}.{payload}"),
                signature: b64url_decode(signature)?,
            }))
        }
        _ => Err(JwsError::Malformed(format!(
            "{} part(s) separated by dots; expected 3 (signed) or 1 (unsigned)",
            parts.len()
        ))),
    }
}

/// The RSA key of a certificate, refused if shorter than [`MIN_RSA_BITS`].
pub fn certificate_key(cert: &Certificate) -> Result<RsaPublicKey, JwsError> {
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| JwsError::BadCertificate(e.to_string()))?;
    let key = RsaPublicKey::from_public_key_der(&spki)
        .map_err(|e| JwsError::BadCertificate(format!("not an RSA key: {e}")))?;
    let bits = key.size() * 8;
    if bits < MIN_RSA_BITS {
        return Err(JwsError::WeakKey { bits });
    }
    Ok(key)
}

/// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
pub fn verify_rs256(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> Result<(), JwsError> {
    let sig = Signature::try_from(signature).map_err(|_| JwsError::BadSignature)?;
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(message, &sig)
        .map_err(|_| JwsError::BadSignature)
}

impl SignedParts {
    /// The certificate in `x5c`, parsed.
    pub fn parse_certificate(&self) -> Result<Certificate, JwsError> {
        Certificate::from_der(&self.certificate)
            .map_err(|e| JwsError::BadCertificate(e.to_string()))
    }

    /// Checks the signature with the key of the certificate in `x5c`. Whether that certificate
    /// is trusted is a separate question ([`crate::trust::TrustStore`]).
    pub fn verify_signature(&self, cert: &Certificate) -> Result<(), JwsError> {
        let key = certificate_key(cert)?;
        verify_rs256(&key, self.signing_input.as_bytes(), &self.signature)
    }
}

/// Signs `payload` as an RS256 JWS carrying `certificate_der` in `x5c`.
pub fn sign(key: &SigningKey<Sha256>, certificate_der: &[u8], payload: &[u8]) -> String {
    let header = serde_json::json!({
        "alg": "RS256",
        "typ": "JWT",
        "x5c": [STANDARD.encode(certificate_der)],
    });
    let input = format!(
        "{}.{}",
        b64url_encode(header.to_string().as_bytes()),
        b64url_encode(payload)
    );
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64url_encode(&signature.to_bytes()))
}

/// The unsigned form an unregistered device sends: only the payload.
pub fn unsigned(payload: &[u8]) -> String {
    b64url_encode(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_other_algorithms_and_shapes() {
        let h = |json: &str| b64url_encode(json.as_bytes());
        let p = b64url_encode(b"{}");
        for alg in ["none", "HS256", "ES256"] {
            let token = format!("{}.{p}.AAAA", h(&format!(r#"{{"alg":"{alg}"}}"#)));
            assert_eq!(
                parse(&token),
                Err(JwsError::UnsupportedAlgorithm(alg.into()))
            );
        }
        let crit = format!("{}.{p}.AAAA", h(r#"{"alg":"RS256","crit":["exp"]}"#));
        assert!(matches!(parse(&crit), Err(JwsError::CriticalExtension(_))));
        let no_cert = format!("{}.{p}.AAAA", h(r#"{"alg":"RS256"}"#));
        assert!(matches!(parse(&no_cert), Err(JwsError::Malformed(_))));
        assert!(matches!(parse("a.b"), Err(JwsError::Malformed(_))));
        assert!(matches!(parse(""), Err(JwsError::Malformed(_))));
        assert_eq!(
            parse(&p),
            Ok(Compact::Unsigned {
                payload: b"{}".to_vec()
            })
        );
    }

    #[test]
    fn base64url_is_read_with_or_without_padding() {
        assert_eq!(b64url_decode("YQ"), Ok(b"a".to_vec()));
        assert_eq!(b64url_decode("YQ=="), Ok(b"a".to_vec()));
        assert!(b64url_decode("Y+Q").is_err());
    }
}
