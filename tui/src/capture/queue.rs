//! The encrypted offline queue: captures the server could not take yet, kept on the workstation
//! until `amparo capture --sync` (or the next capture) delivers them, in the order they were made.
//!
//! Layout under the data directory (`$XDG_DATA_HOME/amparo`, else `~/.local/share/amparo`):
//! `capture.key` (32 random bytes, mode 0600, made on first use; `AMPARO_CAPTURE_KEY_FILE` names
//! another file), `capture-queue/<clientMutationId>.cap` waiting to be sent, and
//! `capture-queue/refused/` with what the server refused, each beside a `.reason.txt`. UUID v7 ids
//! sort by creation time, so the file names give the order.
//!
//! Each file is `AMPQ1\n`, a 24-byte random nonce and the capture's JSON sealed with
//! XChaCha20-Poly1305, the file's id as associated data (a file renamed onto another id does not
//! open). Writes go to a temporary file that is synced, renamed into place, and the directory
//! synced, so a crash leaves either the whole capture or none.
//!
//! What this protects against, and what not: a copied queue folder, a backup or a stolen disk
//! image without the key file shows nothing and cannot be altered unnoticed. Anyone who can read
//! the operator's account (and so the key file beside it) can read the queue: putting the key
//! on another medium with `AMPARO_CAPTURE_KEY_FILE`, or full-disk encryption, is the answer to
//! that. Losing the key file loses the queued captures: they must then be captured again.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::model::Capture;
use super::upload::{UploadError, Uploader};

const MAGIC: &[u8] = b"AMPQ1\n";
const NONCE_LEN: usize = 24;
const EXT: &str = "cap";

/// Why the queue could not be used.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{0} can be read by other users; make it private with chmod 600, or the queue is not secret"
    )]
    KeyExposed(String),
    #[error("{0} is not a 32-byte capture key")]
    BadKey(String),
    #[error("{0} cannot be opened with this key (another workstation's key, or a damaged file)")]
    Undecryptable(String),
    #[error("{0}: {1}")]
    Format(String, String),
    #[error("neither XDG_DATA_HOME nor HOME is set, so there is no place for the capture queue")]
    NoDataDir,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> QueueError + '_ {
    move |source| QueueError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// `$XDG_DATA_HOME/amparo`, else `~/.local/share/amparo`.
pub fn data_dir() -> Result<PathBuf, QueueError> {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map(|p| p.join("amparo"))
        .ok_or(QueueError::NoDataDir)
}

/// What happened to one capture handed to [`Queue::deliver`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Uploaded,
    /// Kept in the queue; the reason is the transport error.
    Queued(String),
    /// Kept aside in `refused/` with the server's reason.
    Refused(String),
    /// The server refused one sample; nothing is stored, since the session that made the
    /// capture can take that position again and send the capture anew.
    SampleRefused {
        position: amparo_sbi::Position,
        reason: String,
    },
}

/// What a sync did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub sent: usize,
    pub refused: Vec<(String, String)>,
    /// Still waiting (the server went away during the sync, or a file could not be opened).
    pub remaining: usize,
    /// Files that could not be opened, with why; they stay where they are.
    pub unreadable: Vec<String>,
    /// The transport error that stopped the sync, if one did.
    pub stopped_by: Option<String>,
}

/// The queue folder and its key.
pub struct Queue {
    dir: PathBuf,
    cipher: XChaCha20Poly1305,
}

impl Queue {
    /// Opens (creating on first use) the queue under `data_dir`, with the key from `key_file`
    /// or `data_dir/capture.key`.
    pub fn open(data_dir: &Path, key_file: Option<&Path>) -> Result<Self, QueueError> {
        let dir = data_dir.join("capture-queue");
        for d in [data_dir, dir.as_path(), dir.join("refused").as_path()] {
            fs::create_dir_all(d).map_err(io(d))?;
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(io(&dir))?;
        let default_key = data_dir.join("capture.key");
        let key = load_or_create_key(key_file.unwrap_or(&default_key))?;
        Ok(Self {
            dir,
            cipher: XChaCha20Poly1305::new(&key.into()),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Seals `capture` into the queue.
    pub fn push(&self, capture: &Capture) -> Result<PathBuf, QueueError> {
        let id = file_id(&capture.client_mutation_id)?;
        let plain = serde_json::to_vec(capture)
            .map_err(|e| QueueError::Format(id.clone(), e.to_string()))?;
        let sealed = self.seal(&id, &plain)?;
        let path = self.dir.join(format!("{id}.{EXT}"));
        write_atomic(&self.dir, &path, &sealed)?;
        Ok(path)
    }

    /// The waiting files, oldest first.
    pub fn pending(&self) -> Result<Vec<PathBuf>, QueueError> {
        let mut files: Vec<PathBuf> = fs::read_dir(&self.dir)
            .map_err(io(&self.dir))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == EXT))
            .collect();
        files.sort();
        Ok(files)
    }

    /// The refused captures' ids and reasons.
    pub fn refused(&self) -> Result<Vec<(String, String)>, QueueError> {
        let dir = self.dir.join("refused");
        let mut out = Vec::new();
        for e in fs::read_dir(&dir).map_err(io(&dir))?.filter_map(Result::ok) {
            let p = e.path();
            if p.extension().is_some_and(|x| x == EXT)
                && let Some(id) = p.file_stem().and_then(|s| s.to_str())
            {
                let reason =
                    fs::read_to_string(dir.join(format!("{id}.reason.txt"))).unwrap_or_default();
                out.push((id.to_string(), reason.trim().to_string()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Opens one queued file.
    pub fn read(&self, path: &Path) -> Result<Capture, QueueError> {
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| QueueError::Format(path.display().to_string(), "no id".into()))?;
        let bytes = fs::read(path).map_err(io(path))?;
        let plain = self.open_sealed(id, &bytes, path)?;
        serde_json::from_slice(&plain)
            .map_err(|e| QueueError::Format(path.display().to_string(), e.to_string()))
    }

    /// Uploads `capture`; if the server cannot be reached it goes into the queue, and if the
    /// server refuses it, it is kept aside with the reason. Nothing is ever dropped.
    pub async fn deliver<U: Uploader>(
        &self,
        uploader: &U,
        capture: &Capture,
    ) -> Result<Delivery, QueueError> {
        match uploader.upload(capture).await {
            Ok(()) => Ok(Delivery::Uploaded),
            Err(UploadError::SampleRefused { position, reason }) => {
                Ok(Delivery::SampleRefused { position, reason })
            }
            Err(UploadError::Refused(reason)) => {
                let path = self.push(capture)?;
                self.set_aside(&path, &reason)?;
                Ok(Delivery::Refused(reason))
            }
            Err(e @ (UploadError::Transport(_) | UploadError::Unauthenticated(_))) => {
                self.push(capture)?;
                Ok(Delivery::Queued(e.to_string()))
            }
        }
    }

    /// Sends the waiting captures in order, removing each only once the server took it. A
    /// transport error stops the sync (the rest keep their order for next time); a refusal sets
    /// that capture aside and goes on.
    pub async fn sync<U: Uploader>(&self, uploader: &U) -> Result<SyncReport, QueueError> {
        let mut report = SyncReport::default();
        let files = self.pending()?;
        for (i, path) in files.iter().enumerate() {
            let capture = match self.read(path) {
                Ok(c) => c,
                Err(e) => {
                    report.unreadable.push(e.to_string());
                    report.remaining += 1;
                    continue;
                }
            };
            match uploader.upload(&capture).await {
                Ok(()) => {
                    fs::remove_file(path).map_err(io(path))?;
                    sync_dir(&self.dir)?;
                    report.sent += 1;
                }
                // A queued capture has no session left to take the sample again.
                Err(e @ UploadError::SampleRefused { .. }) => {
                    let reason = e.to_string();
                    self.set_aside(path, &reason)?;
                    report
                        .refused
                        .push((capture.client_mutation_id.clone(), reason));
                }
                Err(UploadError::Refused(reason)) => {
                    self.set_aside(path, &reason)?;
                    report
                        .refused
                        .push((capture.client_mutation_id.clone(), reason));
                }
                Err(e @ (UploadError::Transport(_) | UploadError::Unauthenticated(_))) => {
                    report.remaining += files.len() - i;
                    report.stopped_by = Some(e.to_string());
                    break;
                }
            }
        }
        Ok(report)
    }

    /// Keeps a capture the server refused in `refused/` with the reason, for the record.
    pub fn set_aside_capture(&self, capture: &Capture, reason: &str) -> Result<(), QueueError> {
        let path = self.push(capture)?;
        self.set_aside(&path, reason)
    }

    fn set_aside(&self, path: &Path, reason: &str) -> Result<(), QueueError> {
        let refused = self.dir.join("refused");
        let name = path
            .file_name()
            .ok_or_else(|| QueueError::Format(path.display().to_string(), "no name".into()))?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("capture");
        write_atomic(
            &refused,
            &refused.join(format!("{stem}.reason.txt")),
            format!("{reason}\n").as_bytes(),
        )?;
        let target = refused.join(name);
        fs::rename(path, &target).map_err(io(path))?;
        sync_dir(&refused)?;
        sync_dir(&self.dir)
    }

    fn seal(&self, id: &str, plain: &[u8]) -> Result<Vec<u8>, QueueError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| QueueError::Format(id.into(), format!("no randomness: {e}")))?;
        let aad = [MAGIC, id.as_bytes()].concat();
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| QueueError::Format(id.into(), "encryption failed".into()))?;
        Ok([MAGIC, &nonce, &sealed].concat())
    }

    fn open_sealed(&self, id: &str, bytes: &[u8], path: &Path) -> Result<Vec<u8>, QueueError> {
        let name = || path.display().to_string();
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| QueueError::Format(name(), "not a queued capture".into()))?;
        if rest.len() < NONCE_LEN {
            return Err(QueueError::Format(name(), "truncated".into()));
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let aad = [MAGIC, id.as_bytes()].concat();
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| QueueError::Undecryptable(name()))
    }
}

/// The id as a safe file name: the clientMutationId is ours (a UUID), but a file name is never
/// built from text that could hold a slash.
fn file_id(id: &str) -> Result<String, QueueError> {
    if !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        Ok(id.to_string())
    } else {
        Err(QueueError::Format(
            id.into(),
            "clientMutationId is not a UUID".into(),
        ))
    }
}

fn load_or_create_key(path: &Path) -> Result<[u8; 32], QueueError> {
    match fs::metadata(path) {
        Ok(meta) => {
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(QueueError::KeyExposed(path.display().to_string()));
            }
            let bytes = fs::read(path).map_err(io(path))?;
            bytes
                .try_into()
                .map_err(|_| QueueError::BadKey(path.display().to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| QueueError::Io {
                path: path.display().to_string(),
                source: std::io::Error::other(e.to_string()),
            })?;
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(io(parent))?;
            }
            // create_new: two captures starting at once never overwrite each other's key.
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(io(path))?;
            f.write_all(&key).map_err(io(path))?;
            f.sync_all().map_err(io(path))?;
            if let Some(parent) = path.parent() {
                sync_dir(parent)?;
            }
            Ok(key)
        }
        Err(e) => Err(io(path)(e)),
    }
}

fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), QueueError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("capture");
    let tmp = dir.join(format!(".tmp-{name}"));
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    drop(f);
    fs::rename(&tmp, path).map_err(io(path))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), QueueError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::model::Sample;
    use amparo_sbi::Position;
    use std::sync::Mutex;

    fn capture(n: u32) -> Capture {
        Capture {
            client_mutation_id: uuid::Uuid::now_v7().to_string(),
            individual_id: format!("person-{n}"),
            transaction_id: format!("tx-{n:04}"),
            captured_at: "2026-01-01T00:00:00Z".into(),
            samples: vec![Sample {
                position: Position::LeftIndex,
                record: "RklSAA==".into(),
                device_record: "{}".into(),
                quality: 70,
            }],
            exceptions: Vec::new(),
        }
    }

    /// Answers from a script, one per call, and records what it was sent.
    struct Scripted {
        answers: Mutex<Vec<Result<(), UploadError>>>,
        got: Mutex<Vec<Capture>>,
    }

    impl Scripted {
        fn new(mut answers: Vec<Result<(), UploadError>>) -> Self {
            answers.reverse();
            Self {
                answers: Mutex::new(answers),
                got: Mutex::new(Vec::new()),
            }
        }
        fn got(&self) -> Vec<String> {
            self.got
                .lock()
                .expect("lock")
                .iter()
                .map(|c| c.individual_id.clone())
                .collect()
        }
    }

    impl Uploader for Scripted {
        async fn upload(&self, capture: &Capture) -> Result<(), UploadError> {
            self.got.lock().expect("lock").push(capture.clone());
            self.answers.lock().expect("lock").pop().unwrap_or(Ok(()))
        }
    }

    fn down() -> Result<(), UploadError> {
        Err(UploadError::Transport("connection refused".into()))
    }

    #[tokio::test]
    async fn a_failed_upload_is_queued_encrypted_and_synced_in_order_exactly_once() {
        let tmp = tempfile::tempdir().expect("tmp");
        let q = Queue::open(tmp.path(), None).expect("queue");
        let offline = Scripted::new(vec![down(), down()]);
        let (a, b) = (capture(1), capture(2));
        assert!(matches!(
            q.deliver(&offline, &a).await,
            Ok(Delivery::Queued(_))
        ));
        assert!(matches!(
            q.deliver(&offline, &b).await,
            Ok(Delivery::Queued(_))
        ));
        assert_eq!(q.pending().expect("list").len(), 2);
        // The file shows nothing of the capture.
        let raw = fs::read(&q.pending().expect("list")[0]).expect("read");
        assert!(!String::from_utf8_lossy(&raw).contains("person-1"));
        let key_mode = fs::metadata(tmp.path().join("capture.key"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(key_mode & 0o777, 0o600);

        // The link comes back during the sync, then goes again: the first goes, the second stays.
        let flaky = Scripted::new(vec![Ok(()), down()]);
        let report = q.sync(&flaky).await.expect("sync");
        assert_eq!((report.sent, report.remaining), (1, 1));
        assert!(report.stopped_by.is_some());
        assert_eq!(flaky.got(), vec!["person-1", "person-2"]);

        let online = Scripted::new(vec![]);
        let report = q.sync(&online).await.expect("sync");
        assert_eq!((report.sent, report.remaining), (1, 0));
        assert_eq!(online.got(), vec!["person-2"]);
        // Nothing left, nothing sent twice.
        let again = Scripted::new(vec![]);
        assert_eq!(q.sync(&again).await.expect("sync").sent, 0);
        assert!(again.got().is_empty());
        // The same client mutation id travelled every time.
        assert_eq!(
            flaky.got.lock().expect("lock")[1].client_mutation_id,
            b.client_mutation_id
        );
    }

    #[tokio::test]
    async fn a_refusal_is_kept_aside_with_its_reason_and_the_rest_goes_on() {
        let tmp = tempfile::tempdir().expect("tmp");
        let q = Queue::open(tmp.path(), None).expect("queue");
        let offline = Scripted::new(vec![down(), down()]);
        let (a, b) = (capture(1), capture(2));
        q.deliver(&offline, &a).await.expect("queued");
        q.deliver(&offline, &b).await.expect("queued");
        let server = Scripted::new(vec![
            Err(UploadError::Refused("unknown individual".into())),
            Ok(()),
        ]);
        let report = q.sync(&server).await.expect("sync");
        assert_eq!(report.sent, 1);
        assert_eq!(
            report.refused,
            vec![(a.client_mutation_id.clone(), "unknown individual".into())]
        );
        assert_eq!(
            q.refused().expect("refused"),
            vec![(a.client_mutation_id.clone(), "unknown individual".into())]
        );
        assert!(q.pending().expect("list").is_empty());
        // Refused at once on a direct delivery too.
        let direct = Scripted::new(vec![Err(UploadError::Refused("no".into()))]);
        assert_eq!(
            q.deliver(&direct, &capture(3)).await.expect("aside"),
            Delivery::Refused("no".into())
        );
        assert_eq!(q.refused().expect("refused").len(), 2);
    }

    #[test]
    fn another_key_or_a_renamed_file_does_not_open_and_an_exposed_key_is_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let q = Queue::open(tmp.path(), None).expect("queue");
        let path = q.push(&capture(1)).expect("push");
        assert_eq!(q.read(&path).expect("opens").individual_id, "person-1");

        let other_key = tmp.path().join("other.key");
        let q2 = Queue::open(tmp.path(), Some(&other_key)).expect("queue with another key");
        assert!(matches!(q2.read(&path), Err(QueueError::Undecryptable(_))));

        let renamed = q.dir().join(format!("{}.{EXT}", uuid::Uuid::now_v7()));
        fs::copy(&path, &renamed).expect("copy");
        assert!(matches!(
            q.read(&renamed),
            Err(QueueError::Undecryptable(_))
        ));

        fs::set_permissions(&other_key, fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(
            Queue::open(tmp.path(), Some(&other_key)),
            Err(QueueError::KeyExposed(_))
        ));
    }
}
