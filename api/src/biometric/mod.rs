//! Biometric enrolment on the server: positions, the keys that seal samples at rest, the engine
//! calls that check records and derive templates, and the in-memory matcher.
//!
//! Nothing here touches the database or GraphQL. The store seals and links samples
//! (`store::biometrics`); the GraphQL layer decodes uploads and runs the CPU-heavy parts off the
//! async runtime. The matcher knows only biometric reference ids (opaque u64), never a person.

pub mod engine;
pub mod gallery;
pub mod keys;
pub mod synthetic;

pub use gallery::{Comparison, Gallery, PositionScore};
pub use keys::Keyring;

/// Where a sample was taken, and which engine it needs: the device protocol's own positions,
/// shared with `amparo capture`. Stored and audited by their contract name (`LEFT_LITTLE`).
pub use amparo_sbi::{BioType as Modality, Position};

/// The server's biometric service: the sealing keys and the live gallery.
///
/// The gallery sits behind an `RwLock` so searches share it while an enrolment that has committed
/// adds to it. `enrolment` serialises the span from search to commit to gallery insert: two
/// enrolments of the same person arriving together must see each other, and enrolments come at
/// the pace of people standing at a capture desk, so one at a time costs nothing.
pub struct Service {
    pub keys: Keyring,
    gallery: std::sync::RwLock<Gallery>,
    pub enrolment: tokio::sync::Mutex<()>,
}

impl Service {
    pub fn new(keys: Keyring, gallery: Gallery) -> Self {
        Self {
            keys,
            gallery: std::sync::RwLock::new(gallery),
            enrolment: tokio::sync::Mutex::new(()),
        }
    }

    /// The gallery for searching. A poisoned lock means a panic while adding; the gallery is
    /// still a valid index of what was added before it.
    pub fn gallery(&self) -> std::sync::RwLockReadGuard<'_, Gallery> {
        self.gallery.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The values the gallery decides with.
    pub fn operating_point(&self) -> amparo_biometrics::finger::dedup::OperatingPoint {
        self.gallery().operating_point().clone()
    }

    /// Adds a committed enrolment's templates.
    pub fn add(&self, reference: u64, templates: &[(Position, gallery::Template)]) {
        let mut g = self.gallery.write().unwrap_or_else(|p| p.into_inner());
        if g.contains(reference) {
            return;
        }
        for (p, t) in templates {
            g.insert(reference, *p, t);
        }
    }
}
