//! TLS for the HTTP client and the live link: one rustls configuration for both, trusting the
//! system's certificate store and, when given, the unit's own certificate authority (a private
//! government CA is rarely in a field laptop's store). Plain `http://` needs none of this.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

/// The configuration for an `https://` server; `extra_ca` is a PEM file of certificates to trust
/// beside the system's.
pub fn client_config(extra_ca: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore::empty();
    // Unreadable entries of the system store are skipped: one bad file must not cut a field
    // office off; an empty store is caught below.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = extra_ca {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("cannot read the certificates in {}: {e}", path.display()))?;
        if certs.is_empty() {
            return Err(format!("{} holds no PEM certificate", path.display()));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| format!("{}: not a usable CA certificate: {e}", path.display()))?;
        }
    }
    if roots.is_empty() {
        return Err(
            "no certificate authority to trust: the system store is empty; give --ca-cert".into(),
        );
    }
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS set-up: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    // HTTP/1.1 only: the client keeps one keep-alive connection, and the live link upgrades
    // its own connection to a WebSocket, which HTTP/2 would not allow.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
