//! Which devices are believed, and the identity a device signs with.
//!
//! A [`TrustStore`] holds the certificates an office has configured. A signature counts only if
//! the certificate in its `x5c` is one of them, or was issued by one of them (one level: the
//! device provider's certificate that issued the device's). Expiry is not checked here: the server
//! re-verifies records long after capture, when a device key rotated on its 30-day schedule would
//! otherwise make honest records fail.
//!
//! [`DeviceIdentity`] is the signing side, for the device emulator and for tests: an RSA-2048 key
//! and a certificate, loaded from PEM or generated as a self-signed development identity.

use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::rand_core::CryptoRngCore;
use rsa::{RsaPrivateKey, RsaPublicKey, sha2::Sha256};
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{Decode, DecodePem, Encode, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

use crate::jws::{self, JwsError};

/// sha256WithRSAEncryption, the only certificate signature an issuer check accepts.
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";

/// Why a certificate or key could not be loaded or made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("no certificate found in the PEM text")]
    NoCertificate,
    #[error("cannot read the certificate: {0}")]
    Certificate(String),
    #[error("cannot read the private key: {0}")]
    Key(String),
    #[error("the private key does not belong to the certificate")]
    KeyMismatch,
    #[error("cannot make the development identity: {0}")]
    Generate(String),
}

struct Anchor {
    der: Vec<u8>,
    subject: Vec<u8>,
    key: Option<RsaPublicKey>,
}

/// The certificates whose devices are believed, and whether unsigned devices are tolerated.
#[derive(Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
    allow_unsigned: bool,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field("certificates", &self.anchors.len())
            .field("allow_unsigned", &self.allow_unsigned)
            .finish()
    }
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every certificate of a PEM text (a bundle may hold several); returns how many.
    pub fn add_pem(&mut self, pem: &str) -> Result<usize, TrustError> {
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(TrustError::NoCertificate);
        }
        let certs = Certificate::load_pem_chain(pem.as_bytes())
            .map_err(|e| TrustError::Certificate(e.to_string()))?;
        if certs.is_empty() {
            return Err(TrustError::NoCertificate);
        }
        let n = certs.len();
        for cert in certs {
            self.add(&cert)?;
        }
        Ok(n)
    }

    pub fn add_der(&mut self, der: &[u8]) -> Result<(), TrustError> {
        let cert =
            Certificate::from_der(der).map_err(|e| TrustError::Certificate(e.to_string()))?;
        self.add(&cert)
    }

    fn add(&mut self, cert: &Certificate) -> Result<(), TrustError> {
        let der = cert
            .to_der()
            .map_err(|e| TrustError::Certificate(e.to_string()))?;
        let subject = cert
            .tbs_certificate
            .subject
            .to_der()
            .map_err(|e| TrustError::Certificate(e.to_string()))?;
        // A certificate whose key is not RSA can still be pinned, but issues nothing we verify.
        let key = jws::certificate_key(cert).ok();
        self.anchors.push(Anchor { der, subject, key });
        Ok(())
    }

    /// Tolerate unsigned devices (development only: their records prove nothing).
    pub fn set_allow_unsigned(&mut self, allow: bool) {
        self.allow_unsigned = allow;
    }

    pub fn allows_unsigned(&self) -> bool {
        self.allow_unsigned
    }

    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Whether `cert` is configured, or was issued and signed by a configured certificate.
    pub fn trusts(&self, cert: &Certificate) -> bool {
        let Ok(der) = cert.to_der() else {
            return false;
        };
        if self.anchors.iter().any(|a| a.der == der) {
            return true;
        }
        let Ok(issuer) = cert.tbs_certificate.issuer.to_der() else {
            return false;
        };
        if cert.signature_algorithm.oid.to_string() != SHA256_WITH_RSA {
            return false;
        }
        let (Ok(tbs), Some(sig)) = (cert.tbs_certificate.to_der(), cert.signature.as_bytes())
        else {
            return false;
        };
        self.anchors
            .iter()
            .filter(|a| a.subject == issuer)
            .filter_map(|a| a.key.as_ref())
            .any(|key| jws::verify_rs256(key, &tbs, sig).is_ok())
    }
}

/// A device's signing key and certificate.
#[derive(Clone)]
pub struct DeviceIdentity {
    key: SigningKey<Sha256>,
    certificate: Certificate,
    certificate_der: Vec<u8>,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("subject", &self.subject())
            .finish_non_exhaustive()
    }
}

impl DeviceIdentity {
    /// A new RSA-2048 key and a self-signed certificate for `common_name`, valid ten years. For
    /// development and tests: a real device's certificate comes from its provider.
    pub fn generate(rng: &mut impl CryptoRngCore, common_name: &str) -> Result<Self, TrustError> {
        Self::make(rng, common_name, None)
    }

    fn make(
        rng: &mut impl CryptoRngCore,
        common_name: &str,
        issuer: Option<(Name, &SigningKey<Sha256>)>,
    ) -> Result<Self, TrustError> {
        let gen_err = |e: &dyn std::fmt::Display| TrustError::Generate(e.to_string());
        let private = RsaPrivateKey::new(rng, jws::MIN_RSA_BITS).map_err(|e| gen_err(&e))?;
        let key = SigningKey::<Sha256>::new(private.clone());
        let public_der = RsaPublicKey::from(&private)
            .to_public_key_der()
            .map_err(|e| gen_err(&e))?;
        let spki =
            SubjectPublicKeyInfoOwned::from_der(public_der.as_bytes()).map_err(|e| gen_err(&e))?;
        let cn: String = common_name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || " -.".contains(*c))
            .collect();
        let subject: Name = format!("CN={cn},O=Amparo development device")
            .parse()
            .map_err(|e| gen_err(&e))?;
        let mut serial = [0u8; 16];
        rng.fill_bytes(&mut serial);
        serial[0] &= 0x7f;
        let serial = SerialNumber::new(&serial).map_err(|e| gen_err(&e))?;
        let validity = Validity::from_now(std::time::Duration::from_secs(10 * 365 * 86_400))
            .map_err(|e| gen_err(&e))?;
        let (profile, signer) = match issuer {
            None => (Profile::Root, &key),
            Some((issuer, signer)) => (
                Profile::Leaf {
                    issuer,
                    enable_key_agreement: false,
                    enable_key_encipherment: false,
                },
                signer,
            ),
        };
        let builder = CertificateBuilder::new(profile, serial, validity, subject, spki, signer)
            .map_err(|e| gen_err(&e))?;
        let certificate = builder
            .build::<rsa::pkcs1v15::Signature>()
            .map_err(|e| gen_err(&e))?;
        Self::from_parts(key, certificate)
    }

    /// A new device identity whose certificate this one issues and signs, as a device
    /// provider's certificate issues its devices'. For tests of the one-level trust rule.
    pub fn issue(
        &self,
        rng: &mut impl CryptoRngCore,
        common_name: &str,
    ) -> Result<Self, TrustError> {
        let issuer = self.certificate.tbs_certificate.subject.clone();
        Self::make(rng, common_name, Some((issuer, &self.key)))
    }

    /// Loads a certificate (PEM) and its private key (PKCS#8 or PKCS#1 PEM).
    pub fn from_pem(certificate_pem: &str, key_pem: &str) -> Result<Self, TrustError> {
        let certificate = Certificate::from_pem(certificate_pem.as_bytes())
            .map_err(|e| TrustError::Certificate(e.to_string()))?;
        let private = RsaPrivateKey::from_pkcs8_pem(key_pem)
            .or_else(|_| {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                RsaPrivateKey::from_pkcs1_pem(key_pem)
            })
            .map_err(|e| TrustError::Key(e.to_string()))?;
        let cert_key = jws::certificate_key(&certificate)
            .map_err(|e: JwsError| TrustError::Certificate(e.to_string()))?;
        if cert_key != RsaPublicKey::from(&private) {
            return Err(TrustError::KeyMismatch);
        }
        Self::from_parts(SigningKey::<Sha256>::new(private), certificate)
    }

    fn from_parts(key: SigningKey<Sha256>, certificate: Certificate) -> Result<Self, TrustError> {
        let certificate_der = certificate
            .to_der()
            .map_err(|e| TrustError::Certificate(e.to_string()))?;
        Ok(Self {
            key,
            certificate,
            certificate_der,
        })
    }

    /// Signs `payload` as the RS256 JWS SBI expects.
    pub fn sign(&self, payload: &[u8]) -> String {
        jws::sign(&self.key, &self.certificate_der, payload)
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    pub fn certificate_pem(&self) -> Result<String, TrustError> {
        self.certificate
            .to_pem(LineEnding::LF)
            .map_err(|e| TrustError::Certificate(e.to_string()))
    }

    /// The private key as PKCS#8 PEM, to keep a development identity across runs.
    pub fn private_key_pem(&self) -> Result<String, TrustError> {
        let private: &RsaPrivateKey = self.key.as_ref();
        private
            .to_pkcs8_pem(LineEnding::LF)
            .map(|s| s.to_string())
            .map_err(|e| TrustError::Key(e.to_string()))
    }

    /// The certificate's subject, e.g. `CN=amparo-emulator,O=...`.
    pub fn subject(&self) -> String {
        self.certificate.tbs_certificate.subject.to_string()
    }
}
