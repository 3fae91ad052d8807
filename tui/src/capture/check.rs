//! The checks a record must pass after its signature, transaction and chain verified: the ISO
//! header names the finger or eye it claims, the image inside decodes, and its quality reaches
//! the threshold. Failing here means "capture again", not "this device lies", so each failure is
//! a [`Problem`] the operator is shown.
//!
//! The quality compared is the lower of the device's score and the engine's own (for fingers):
//! a device that overrates its captures does not get weak prints enrolled.

use amparo_biometrics::finger;
use amparo_biometrics::iris;
use amparo_biometrics::iso::finger_image::FingerImageRecord;
use amparo_biometrics::iso::iris_image::{EyeLabel, IrisImageRecord};
use amparo_sbi::messages::ErrorCode;
use amparo_sbi::{BioType, Position, VerifiedBiometric};

/// Minimum quality (0-100) per modality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub finger: u8,
    pub iris: u8,
    pub face: u8,
}

impl Default for Thresholds {
    /// Fingers 40 (NFIQ 2 scale: below this matching suffers), irises 50, faces 30.
    fn default() -> Self {
        Self {
            finger: 40,
            iris: 50,
            face: 30,
        }
    }
}

impl Thresholds {
    pub fn for_type(&self, t: BioType) -> u8 {
        match t {
            BioType::Finger => self.finger,
            BioType::Iris => self.iris,
            BioType::Face => self.face,
        }
    }
}

/// Why an attempt did not give a usable sample; each has an operator's explanation in i18n.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The device reported an error (busy, nothing on the scanner...).
    Device {
        code: ErrorCode,
        info: String,
    },
    /// The device did not answer.
    Unreachable(String),
    /// The ISO record's header is not a valid 19794 record.
    BadRecord(String),
    /// The image inside the record does not decode.
    CorruptImage(String),
    /// The record is of another finger or eye than the device said.
    WrongPosition {
        claimed: Position,
    },
    /// The device did not return this finger or eye at all.
    NotReturned,
    /// No fingerprint ridges or no iris found in the image.
    NothingFound(String),
    LowQuality {
        score: u8,
        threshold: u8,
    },
}

/// A record that passed, with the quality it was judged by.
#[derive(Debug, Clone)]
pub struct Checked {
    pub biometric: VerifiedBiometric,
    /// The device's score, as the contract stores it.
    pub device_quality: u8,
    /// The score compared with the threshold (lower of device and engine).
    pub judged_quality: u8,
}

fn device_quality(v: &VerifiedBiometric) -> u8 {
    v.quality.round().clamp(0.0, 100.0) as u8
}

/// Runs every check on one verified record.
pub fn check(v: VerifiedBiometric, thresholds: &Thresholds) -> Result<Checked, Problem> {
    let device = device_quality(&v);
    let judged = match v.position.bio_type() {
        BioType::Finger => check_finger(&v, device)?,
        BioType::Iris => check_iris(&v, device)?,
        BioType::Face => {
            if !v.iso.starts_with(b"FAC\0") {
                return Err(Problem::BadRecord("not an ISO 19794-5 face record".into()));
            }
            device
        }
    };
    let threshold = thresholds.for_type(v.position.bio_type());
    if judged < threshold {
        return Err(Problem::LowQuality {
            score: judged,
            threshold,
        });
    }
    Ok(Checked {
        biometric: v,
        device_quality: device,
        judged_quality: judged,
    })
}

fn check_finger(v: &VerifiedBiometric, device: u8) -> Result<u8, Problem> {
    let record = FingerImageRecord::parse(&v.iso).map_err(|e| Problem::BadRecord(e.to_string()))?;
    let rep = match record.representations.as_slice() {
        [one] => one,
        other => {
            return Err(Problem::BadRecord(format!(
                "{} images in a single-finger record",
                other.len()
            )));
        }
    };
    // 0 is "unknown position", which a device may write; anything else must agree.
    if rep.position != 0 && Some(rep.position) != v.position.iso_finger_code() {
        let claimed = Position::FINGERS
            .get(usize::from(rep.position).wrapping_sub(1))
            .copied()
            .unwrap_or(v.position);
        return Err(Problem::WrongPosition { claimed });
    }
    let image = rep
        .decode_image()
        .map_err(|e| Problem::CorruptImage(e.to_string()))?;
    let extraction = finger::extract(&image).map_err(|e| Problem::NothingFound(e.to_string()))?;
    // The server's rule, so that what is sent here is not refused there for quality.
    match finger::quality::acceptable(&extraction.template) {
        Ok(()) => {}
        Err(finger::quality::Refusal::LowQuality { score, threshold }) => {
            return Err(Problem::LowQuality { score, threshold });
        }
        Err(other) => return Err(Problem::NothingFound(other.to_string())),
    }
    Ok(device.min(extraction.template.quality))
}

fn check_iris(v: &VerifiedBiometric, device: u8) -> Result<u8, Problem> {
    let record = IrisImageRecord::parse(&v.iso).map_err(|e| Problem::BadRecord(e.to_string()))?;
    let rep = match record.representations.as_slice() {
        [one] => one,
        other => {
            return Err(Problem::BadRecord(format!(
                "{} images in a single-eye record",
                other.len()
            )));
        }
    };
    let expected = if v.position == Position::LeftIris {
        EyeLabel::Left
    } else {
        EyeLabel::Right
    };
    if rep.eye != EyeLabel::Unknown && rep.eye != expected {
        let claimed = if rep.eye == EyeLabel::Left {
            Position::LeftIris
        } else {
            Position::RightIris
        };
        return Err(Problem::WrongPosition { claimed });
    }
    let image = rep
        .decode_image()
        .map_err(|e| Problem::CorruptImage(e.to_string()))?;
    iris::template_from_image(&image).map_err(|e| Problem::NothingFound(e.to_string()))?;
    Ok(device)
}
