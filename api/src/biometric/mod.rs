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

use serde::{Deserialize, Serialize};

pub use gallery::{Comparison, Gallery, PositionScore};
pub use keys::Keyring;

/// Where a sample was taken: ten fingers, two irises, the face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Position {
    RightThumb,
    RightIndex,
    RightMiddle,
    RightRing,
    RightLittle,
    LeftThumb,
    LeftIndex,
    LeftMiddle,
    LeftRing,
    LeftLittle,
    RightIris,
    LeftIris,
    Face,
}

/// Which kind of engine a position needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    Finger,
    Iris,
    Face,
}

impl Position {
    /// Every position, fingers in ISO order first.
    pub const ALL: [Position; 13] = [
        Position::RightThumb,
        Position::RightIndex,
        Position::RightMiddle,
        Position::RightRing,
        Position::RightLittle,
        Position::LeftThumb,
        Position::LeftIndex,
        Position::LeftMiddle,
        Position::LeftRing,
        Position::LeftLittle,
        Position::RightIris,
        Position::LeftIris,
        Position::Face,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Position::RightThumb => "right_thumb",
            Position::RightIndex => "right_index",
            Position::RightMiddle => "right_middle",
            Position::RightRing => "right_ring",
            Position::RightLittle => "right_little",
            Position::LeftThumb => "left_thumb",
            Position::LeftIndex => "left_index",
            Position::LeftMiddle => "left_middle",
            Position::LeftRing => "left_ring",
            Position::LeftLittle => "left_little",
            Position::RightIris => "right_iris",
            Position::LeftIris => "left_iris",
            Position::Face => "face",
        }
    }

    pub fn parse(s: &str) -> Option<Position> {
        Position::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn modality(self) -> Modality {
        match self {
            Position::RightIris | Position::LeftIris => Modality::Iris,
            Position::Face => Modality::Face,
            _ => Modality::Finger,
        }
    }

    /// The ISO/IEC 19794-4 finger position code (1 right thumb ... 10 left little).
    pub fn iso_finger(self) -> Option<u8> {
        Position::ALL[..10]
            .iter()
            .position(|p| *p == self)
            .map(|i| i as u8 + 1)
    }

    /// The position of an ISO/IEC 19794-4 finger code.
    pub fn from_iso_finger(code: u8) -> Option<Position> {
        (1..=10)
            .contains(&code)
            .then(|| Position::ALL[usize::from(code) - 1])
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip() {
        for p in Position::ALL {
            assert_eq!(Position::parse(p.as_str()), Some(p));
            if let Some(code) = p.iso_finger() {
                assert_eq!(Position::from_iso_finger(code), Some(p));
            }
        }
        assert_eq!(Position::RightThumb.iso_finger(), Some(1));
        assert_eq!(Position::LeftLittle.iso_finger(), Some(10));
        assert_eq!(Position::RightIris.iso_finger(), None);
    }
}
