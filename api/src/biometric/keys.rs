//! Sealing biometric data at rest with AES-256-GCM.
//!
//! Every ISO record, device record and template is sealed on its own with a fresh random 96-bit
//! nonce; the stored value is the nonce followed by the ciphertext and its tag. The associated
//! data names the reference, the position and the field, so a sealed value copied into another
//! row or column does not open. Each row stores the id of the key that sealed it, so a new key
//! can be introduced while older rows still open with the previous keys given alongside.

use std::path::Path;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

const NONCE_BYTES: usize = 12;
/// The length of a key file: 32 raw bytes (or the same as 64 hexadecimal digits).
pub const KEY_BYTES: usize = 32;

struct Key {
    id: String,
    cipher: Aes256Gcm,
}

impl Key {
    fn new(bytes: &[u8; KEY_BYTES]) -> Self {
        // The id is derived from the key so the same file always gets the same id, and says
        // nothing useful about the key itself.
        let mut h = Sha256::new();
        h.update(b"amparo biometric key id\n");
        h.update(bytes);
        let id = hex::encode(&h.finalize()[..8]);
        Self {
            id,
            cipher: Aes256Gcm::new(bytes.into()),
        }
    }
}

/// The current sealing key and any previous keys still needed to open older rows.
pub struct Keyring {
    current: Key,
    previous: Vec<Key>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current.id)
            .field(
                "previous",
                &self.previous.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Keyring {
    /// A keyring from raw key bytes (tests and tools).
    pub fn from_bytes(bytes: &[u8; KEY_BYTES]) -> Self {
        Self {
            current: Key::new(bytes),
            previous: Vec::new(),
        }
    }

    /// Reads a key file: exactly 32 bytes, or 64 hexadecimal digits with an optional newline.
    pub fn from_file(path: &Path) -> Result<Self> {
        Ok(Self::from_bytes(&read_key(path)?))
    }

    /// Adds a previous key, for rows sealed before the current key was introduced.
    pub fn with_previous(mut self, path: &Path) -> Result<Self> {
        let key = Key::new(&read_key(path)?);
        if key.id != self.current.id && !self.previous.iter().any(|k| k.id == key.id) {
            self.previous.push(key);
        }
        Ok(self)
    }

    /// Writes a new random key file readable only by its owner; refuses to overwrite one.
    pub fn generate_file(path: &Path) -> Result<()> {
        let mut key = [0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut key);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| {
            Error::config(format!(
                "cannot create the biometric key file {}: {e}",
                path.display()
            ))
        })?;
        std::io::Write::write_all(&mut file, &key).map_err(|e| {
            Error::config(format!(
                "cannot write the biometric key file {}: {e}",
                path.display()
            ))
        })
    }

    /// The id of the key new rows are sealed with.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain` with the current key.
    pub fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
            .map_err(|_| Error::internal("biometric sealing failed"))?;
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a value sealed with the key `key_id`.
    pub fn open(&self, key_id: &str, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or_else(|| {
                Error::config(format!(
                    "biometric data sealed with key {key_id} cannot be opened: give that key \
                     with --biometric-previous-key-file"
                ))
            })?;
        if sealed.len() < NONCE_BYTES {
            return Err(Error::internal("sealed biometric value is truncated"));
        }
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        key.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
            .map_err(|_| {
                Error::internal(format!(
                    "sealed biometric value does not open with key {key_id}: changed or moved"
                ))
            })
    }
}

/// The associated data of one sealed field.
pub fn aad(reference_id: i64, position: &str, field: &str) -> Vec<u8> {
    format!("amparo/biometric/{reference_id}/{position}/{field}").into_bytes()
}

fn read_key(path: &Path) -> Result<[u8; KEY_BYTES]> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "cannot read the biometric key file {}: {e}",
            path.display()
        ))
    })?;
    let raw = if bytes.len() == KEY_BYTES {
        bytes
    } else {
        let text = std::str::from_utf8(&bytes).unwrap_or_default().trim();
        match hex::decode(text) {
            Ok(b) if b.len() == KEY_BYTES => b,
            _ => {
                return Err(Error::config(format!(
                    "the biometric key file {} must hold exactly {KEY_BYTES} bytes (or {} \
                     hexadecimal digits); it holds {} bytes",
                    path.display(),
                    KEY_BYTES * 2,
                    bytes.len()
                )));
            }
        }
    };
    let mut key = [0u8; KEY_BYTES];
    key.copy_from_slice(&raw);
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_where_they_were_sealed() {
        let ring = Keyring::from_bytes(&[7; KEY_BYTES]);
        let a = aad(42, "right_thumb", "record");
        let sealed = ring.seal(&a, b"FIR\0 record").expect("seal");
        assert_ne!(&sealed[NONCE_BYTES..], b"FIR\0 record");
        assert_eq!(
            ring.open(ring.key_id(), &a, &sealed).expect("open"),
            b"FIR\0 record"
        );
        let elsewhere = aad(43, "right_thumb", "record");
        assert!(ring.open(ring.key_id(), &elsewhere, &sealed).is_err());
        let mut flipped = sealed.clone();
        flipped[NONCE_BYTES] ^= 1;
        assert!(ring.open(ring.key_id(), &a, &flipped).is_err());
        assert!(ring.open("0000", &a, &sealed).is_err());
    }

    #[test]
    fn rotated_keys_still_open_old_rows() {
        let dir = tempfile::tempdir().expect("dir");
        let (old, new) = (dir.path().join("old.key"), dir.path().join("new.key"));
        Keyring::generate_file(&old).expect("old key");
        Keyring::generate_file(&new).expect("new key");
        assert!(Keyring::generate_file(&new).is_err(), "never overwritten");
        let before = Keyring::from_file(&old).expect("old ring");
        let a = aad(1, "left_iris", "template");
        let sealed = before.seal(&a, b"code").expect("seal");
        let after = Keyring::from_file(&new)
            .expect("new ring")
            .with_previous(&old)
            .expect("previous");
        assert_ne!(after.key_id(), before.key_id());
        assert_eq!(
            after.open(before.key_id(), &a, &sealed).expect("open"),
            b"code"
        );
        std::fs::write(dir.path().join("short.key"), b"too short").expect("write");
        let err = Keyring::from_file(&dir.path().join("short.key")).unwrap_err();
        assert!(err.message.contains("exactly 32 bytes"), "{}", err.message);
    }
}
