//! The key of a node's database (SQLCipher), which never lies beside the data and never goes
//! to central: either a key file outside the data directory (on a removable device, say), or a
//! passphrase given when the node starts, stretched with Argon2id and a salt kept in the data
//! directory (the salt alone opens nothing).

use std::io::Write;
use std::path::{Path, PathBuf};

use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The environment variable a service gives its passphrase in.
pub const PASSPHRASE_ENV: &str = "AMPARO_NODE_PASSPHRASE";

/// The database file inside the data directory.
pub fn database_path(dir: &Path) -> PathBuf {
    dir.join("node.db")
}

fn salt_path(dir: &Path) -> PathBuf {
    dir.join("node.salt")
}

/// Whether `path` lies inside `dir` (both as they resolve on disk; a file not yet created
/// resolves through its parent).
pub fn is_inside(path: &Path, dir: &Path) -> bool {
    let resolve = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = p.canonicalize() {
            return Some(c);
        }
        let parent = p.parent().filter(|x| !x.as_os_str().is_empty())?;
        let parent = parent.canonicalize().ok()?;
        Some(parent.join(p.file_name()?))
    };
    match (resolve(path), dir.canonicalize().ok()) {
        (Some(p), Some(d)) => p.starts_with(d),
        // Cannot tell: refuse rather than risk the key beside the data.
        _ => true,
    }
}

/// The key (64 hex digits) from a key file: its contents are the key material. `create` makes
/// a new random one (mode 0600) when the file does not exist yet.
pub fn from_file(path: &Path, dir: &Path, create: bool) -> Result<String> {
    if is_inside(path, dir) {
        return Err(Error::validation(
            "keyFile",
            format!(
                "the key file {} is inside the data directory {}: keep it elsewhere (a removable device), or a stolen disk carries its own key",
                path.display(),
                dir.display()
            ),
        ));
    }
    if !path.exists() {
        if !create {
            return Err(Error::config(format!(
                "the key file {} does not exist; give the one `node init` used",
                path.display()
            )));
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        write_private(path, hex::encode(bytes).as_bytes())?;
    }
    let material = std::fs::read(path)
        .map_err(|e| Error::config(format!("cannot read the key file {}: {e}", path.display())))?;
    if material.len() < 16 {
        return Err(Error::config(format!(
            "the key file {} holds too little key material (at least 16 bytes)",
            path.display()
        )));
    }
    Ok(hex::encode(Sha256::digest(&material)))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| Error::config(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))
}

/// The key from a passphrase, with the data directory's salt (made by `node init`).
pub fn from_passphrase(passphrase: &str, dir: &Path, create: bool) -> Result<String> {
    if passphrase.chars().count() < 12 {
        return Err(Error::validation(
            "passphrase",
            "the node's passphrase must be at least 12 characters",
        ));
    }
    let salt_file = salt_path(dir);
    if !salt_file.exists() {
        if !create {
            return Err(Error::config(format!(
                "{} is missing: this directory was not made by `node init`",
                salt_file.display()
            )));
        }
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        write_private(&salt_file, hex::encode(salt).as_bytes())?;
    }
    let salt = std::fs::read(&salt_file)
        .map_err(|e| Error::config(format!("cannot read {}: {e}", salt_file.display())))?;
    let mut key = [0u8; 32];
    Argon2::default()
        .hash_password_into(passphrase.as_bytes(), &salt, &mut key)
        .map_err(|e| Error::config(format!("cannot derive the key: {e}")))?;
    Ok(hex::encode(key))
}

/// The key as the operator gives it: `--key-file`, else the passphrase from the environment,
/// else asked on the terminal.
pub fn resolve(dir: &Path, key_file: Option<&Path>, create: bool) -> Result<String> {
    if let Some(path) = key_file {
        return from_file(path, dir, create);
    }
    let passphrase = match std::env::var(PASSPHRASE_ENV) {
        Ok(p) if !p.is_empty() => p,
        _ => ask("Passphrase of the node's database: ")?,
    };
    from_passphrase(&passphrase, dir, create)
}

fn ask(prompt: &str) -> Result<String> {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() {
        return Err(Error::config(format!(
            "the node's database is encrypted: give --key-file or set {PASSPHRASE_ENV}"
        )));
    }
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::config(format!("cannot read the passphrase: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_inside_the_data_directory_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let inside = dir.path().join("sub").join("..").join("node.key");
        let err = from_file(&inside, dir.path(), true).expect_err("refused");
        assert!(err.message.contains("inside the data directory"), "{err}");
        assert!(!inside.exists());
    }

    #[test]
    fn a_new_key_file_is_private_and_gives_the_same_key_again() {
        let data = tempfile::tempdir().expect("dir");
        let keys = tempfile::tempdir().expect("dir");
        let path = keys.path().join("node.key");
        let a = from_file(&path, data.path(), true).expect("created");
        let b = from_file(&path, data.path(), false).expect("read");
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_passphrase_needs_the_directorys_salt() {
        let data = tempfile::tempdir().expect("dir");
        assert!(from_passphrase("correct horse battery", data.path(), false).is_err());
        let a = from_passphrase("correct horse battery", data.path(), true).expect("made");
        let b = from_passphrase("correct horse battery", data.path(), false).expect("again");
        let c = from_passphrase("another horse battery", data.path(), false).expect("other");
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
