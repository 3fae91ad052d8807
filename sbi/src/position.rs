//! Where on the body a sample comes from, and how SBI names it.
//!
//! SBI devices name fingers and eyes with `bioSubType` strings ("Right IndexFinger", "Left");
//! Amparo's GraphQL contract names them with the `BiometricPosition` enum (`RIGHT_INDEX`,
//! `LEFT_IRIS`). Both the capture client and the server translate through this one table, so the
//! two can never disagree about which finger is which.

use serde::{Deserialize, Serialize};

/// The kind of biometric a device captures (`bioType`, `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BioType {
    Finger,
    Iris,
    Face,
}

impl BioType {
    /// The SBI name, as written in requests and responses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Finger => "Finger",
            Self::Iris => "Iris",
            Self::Face => "Face",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Finger" => Some(Self::Finger),
            "Iris" => Some(Self::Iris),
            "Face" => Some(Self::Face),
            _ => None,
        }
    }
}

/// A finger, an eye or the face: the contract's `BiometricPosition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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

/// Position, SBI `bioSubType`, command-line name, contract name.
const TABLE: [(Position, &str, &str, &str); 13] = [
    (
        Position::RightThumb,
        "Right Thumb",
        "right-thumb",
        "RIGHT_THUMB",
    ),
    (
        Position::RightIndex,
        "Right IndexFinger",
        "right-index",
        "RIGHT_INDEX",
    ),
    (
        Position::RightMiddle,
        "Right MiddleFinger",
        "right-middle",
        "RIGHT_MIDDLE",
    ),
    (
        Position::RightRing,
        "Right RingFinger",
        "right-ring",
        "RIGHT_RING",
    ),
    (
        Position::RightLittle,
        "Right LittleFinger",
        "right-little",
        "RIGHT_LITTLE",
    ),
    (
        Position::LeftThumb,
        "Left Thumb",
        "left-thumb",
        "LEFT_THUMB",
    ),
    (
        Position::LeftIndex,
        "Left IndexFinger",
        "left-index",
        "LEFT_INDEX",
    ),
    (
        Position::LeftMiddle,
        "Left MiddleFinger",
        "left-middle",
        "LEFT_MIDDLE",
    ),
    (
        Position::LeftRing,
        "Left RingFinger",
        "left-ring",
        "LEFT_RING",
    ),
    (
        Position::LeftLittle,
        "Left LittleFinger",
        "left-little",
        "LEFT_LITTLE",
    ),
    (Position::RightIris, "Right", "right-iris", "RIGHT_IRIS"),
    (Position::LeftIris, "Left", "left-iris", "LEFT_IRIS"),
    (Position::Face, "", "face", "FACE"),
];

impl Position {
    /// Every position, fingers first (right hand, then left, thumb to little), then the eyes and
    /// the face.
    pub const ALL: [Position; 13] = [
        Self::RightThumb,
        Self::RightIndex,
        Self::RightMiddle,
        Self::RightRing,
        Self::RightLittle,
        Self::LeftThumb,
        Self::LeftIndex,
        Self::LeftMiddle,
        Self::LeftRing,
        Self::LeftLittle,
        Self::RightIris,
        Self::LeftIris,
        Self::Face,
    ];

    /// The ten fingers in ISO order (position codes 1 to 10).
    pub const FINGERS: [Position; 10] = [
        Self::RightThumb,
        Self::RightIndex,
        Self::RightMiddle,
        Self::RightRing,
        Self::RightLittle,
        Self::LeftThumb,
        Self::LeftIndex,
        Self::LeftMiddle,
        Self::LeftRing,
        Self::LeftLittle,
    ];

    fn row(self) -> &'static (Position, &'static str, &'static str, &'static str) {
        // The table lists the positions in declaration order.
        &TABLE[self as usize]
    }

    pub fn bio_type(self) -> BioType {
        match self {
            Self::RightIris | Self::LeftIris => BioType::Iris,
            Self::Face => BioType::Face,
            _ => BioType::Finger,
        }
    }

    /// The SBI `bioSubType`; empty for the face, which has none.
    pub fn bio_sub_type(self) -> &'static str {
        self.row().1
    }

    /// The name used on the command line, e.g. `left-little`.
    pub fn cli_name(self) -> &'static str {
        self.row().2
    }

    /// The contract's enum value, e.g. `LEFT_LITTLE`.
    pub fn contract_name(self) -> &'static str {
        self.row().3
    }

    /// The ISO/IEC 19794-4 finger position code (1-10), `None` for eyes and face.
    pub fn iso_finger_code(self) -> Option<u8> {
        Self::FINGERS
            .iter()
            .position(|p| *p == self)
            .and_then(|i| u8::try_from(i + 1).ok())
    }

    /// The position a device meant by `bio_type` and `bio_sub_type`. `None` for `UNKNOWN` and
    /// for names the specification does not define: a sample whose finger is unknown cannot be
    /// stored as a finger.
    pub fn from_sbi(bio_type: BioType, bio_sub_type: Option<&str>) -> Option<Self> {
        match bio_type {
            BioType::Face => Some(Self::Face),
            BioType::Finger | BioType::Iris => {
                let sub = bio_sub_type?;
                Self::ALL
                    .into_iter()
                    .find(|p| p.bio_type() == bio_type && p.bio_sub_type() == sub)
            }
        }
    }

    pub fn from_cli_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.cli_name() == name)
    }

    pub fn from_contract_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.contract_name() == name)
    }

    /// The finger of an ISO/IEC 19794-4 position code (1-10).
    pub fn from_iso_finger_code(code: u8) -> Option<Self> {
        Self::FINGERS
            .get(usize::from(code.checked_sub(1)?))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_follow_declaration_order() {
        for (i, p) in Position::ALL.iter().enumerate() {
            assert_eq!(TABLE[i].0, *p);
        }
    }

    #[test]
    fn every_position_round_trips_through_every_name() {
        for p in Position::ALL {
            let sub = (p != Position::Face).then(|| p.bio_sub_type());
            assert_eq!(Position::from_sbi(p.bio_type(), sub), Some(p));
            assert_eq!(Position::from_cli_name(p.cli_name()), Some(p));
            assert_eq!(Position::from_contract_name(p.contract_name()), Some(p));
            if let Some(code) = p.iso_finger_code() {
                assert_eq!(Position::from_iso_finger_code(code), Some(p));
            }
        }
        assert_eq!(Position::RightThumb.iso_finger_code(), Some(1));
        assert_eq!(Position::LeftLittle.iso_finger_code(), Some(10));
        assert_eq!(Position::RightIris.iso_finger_code(), None);
        assert_eq!(Position::from_iso_finger_code(0), None);
        assert_eq!(Position::from_iso_finger_code(11), None);
        for p in Position::ALL {
            let json = serde_json::to_string(&p).expect("serialises");
            assert_eq!(json, format!("\"{}\"", p.contract_name()));
        }
    }

    #[test]
    fn unknown_and_cross_modality_names_are_refused() {
        assert_eq!(Position::from_sbi(BioType::Finger, Some("UNKNOWN")), None);
        assert_eq!(Position::from_sbi(BioType::Finger, None), None);
        // "Left" is an eye, never a finger.
        assert_eq!(Position::from_sbi(BioType::Finger, Some("Left")), None);
        assert_eq!(Position::from_sbi(BioType::Iris, Some("Left Thumb")), None);
        assert_eq!(
            Position::from_sbi(BioType::Iris, Some("Left")),
            Some(Position::LeftIris)
        );
    }

    #[test]
    fn iso_codes_are_one_to_ten_right_hand_first() {
        assert_eq!(Position::RightThumb.iso_finger_code(), Some(1));
        assert_eq!(Position::LeftLittle.iso_finger_code(), Some(10));
        assert_eq!(Position::LeftIris.iso_finger_code(), None);
    }
}
