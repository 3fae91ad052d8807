//! Password hashing with Argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
//!
//! Each hash costs tens of milliseconds and 19 MiB, so concurrent hashing is capped by a
//! semaphore: a burst of logins waits its turn (or is told to retry) instead of exhausting the
//! CPU and memory that caseworkers' requests need.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

fn argon2() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (salt and parameters included).
pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash every failed lookup is checked against, so an unknown username costs the same time
/// as a wrong password and does not reveal which usernames exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password that matches nothing").unwrap_or_default())
}

/// Runs password work on the blocking pool with at most `permits` hashes at once.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    pub fn new(concurrent: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
        }
    }

    /// Hashes on the blocking pool, within the same limit as verifying.
    pub async fn hash(&self, password: String) -> Result<String> {
        let permit =
            tokio::time::timeout(Duration::from_secs(5), self.permits.clone().acquire_owned())
                .await
                .map_err(|_| {
                    Error::rate_limited(
                        "the server is busy with other logins; try again in a few seconds",
                    )
                })?
                .map_err(|_| Error::internal("password hashing stopped"))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            hash(&password)
        })
        .await
        .map_err(|_| Error::internal("password hashing failed"))?
    }

    /// Verifies on the blocking pool; RATE_LIMITED when the hashing queue stays full for seconds.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool> {
        let permit =
            tokio::time::timeout(Duration::from_secs(5), self.permits.clone().acquire_owned())
                .await
                .map_err(|_| {
                    Error::rate_limited(
                        "the server is busy with other logins; try again in a few seconds",
                    )
                })?
                .map_err(|_| Error::internal("password hashing stopped"))?;
        let ok = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            verify(&password, &phc)
        })
        .await
        .map_err(|_| Error::internal("password check failed"))?;
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse", &h));
        assert!(!verify("correct horse", "not a hash"));
    }
}
