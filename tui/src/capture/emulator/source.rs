//! Where the emulator's biometrics come from: the engine's synthetic fingers and eyes, or ISO
//! files laid out like MOSIP's mock device (`<anything>Right_Thumb.iso`, `...Left_Iris.iso`,
//! `...Face.iso`).
//!
//! Synthetic people are deterministic: a subject seed fixes each finger's ridge pattern and each
//! eye's texture, and every capture renders a new impression of them (another placement, noise,
//! pupil size). Two captures of the same seed therefore match, and two seeds do not, which is
//! what the server's deduplication is tested with.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use amparo_biometrics::finger::synthetic::Finger;
use amparo_biometrics::image::GrayImage;
use amparo_biometrics::iris::synthetic::{Format, SyntheticEye};
use amparo_biometrics::iso::CaptureDateTime;
use amparo_biometrics::iso::finger_image::FingerImageRecord;
use amparo_biometrics::iso::iris_image::IrisImageRecord;
use amparo_sbi::Position;
use chrono::{Datelike, Timelike, Utc};

/// Where samples come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Synthetic people; the subject seed is set on the running emulator.
    Synthetic,
    /// ISO records in a folder, in the mock device's naming.
    Dir(PathBuf),
}

/// One sample as the device would capture it.
#[derive(Debug, Clone)]
pub struct Sample {
    pub iso: Vec<u8>,
    /// 0-100.
    pub quality: u8,
}

/// Why a sample could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("no {0} file in {1}")]
    Missing(String, String),
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("cannot write the ISO record: {0}")]
    Iso(String),
    #[error("the synthetic source has no face")]
    NoSyntheticFace,
}

impl Source {
    /// Whether this source can give a face.
    pub fn has_face(&self) -> bool {
        match self {
            Self::Synthetic => false,
            Self::Dir(dir) => find_file(dir, Position::Face).is_some(),
        }
    }

    /// The sample for `position` of subject `subject`, capture number `attempt`.
    pub fn sample(
        &self,
        subject: u64,
        position: Position,
        attempt: u64,
    ) -> Result<Sample, SourceError> {
        match self {
            Self::Synthetic => synthetic(subject, position, attempt),
            Self::Dir(dir) => from_file(dir, position),
        }
    }
}

/// The mock device's file name part for a position.
fn file_stem(position: Position) -> &'static str {
    match position {
        Position::RightThumb => "Right_Thumb",
        Position::RightIndex => "Right_Index",
        Position::RightMiddle => "Right_Middle",
        Position::RightRing => "Right_Ring",
        Position::RightLittle => "Right_Little",
        Position::LeftThumb => "Left_Thumb",
        Position::LeftIndex => "Left_Index",
        Position::LeftMiddle => "Left_Middle",
        Position::LeftRing => "Left_Ring",
        Position::LeftLittle => "Left_Little",
        Position::RightIris => "Right_Iris",
        Position::LeftIris => "Left_Iris",
        Position::Face => "Face",
    }
}

fn find_file(dir: &Path, position: Position) -> Option<PathBuf> {
    let suffix = format!("{}.iso", file_stem(position));
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(&suffix))
        })
        .collect();
    names.sort();
    names.into_iter().next()
}

fn from_file(dir: &Path, position: Position) -> Result<Sample, SourceError> {
    let path = find_file(dir, position).ok_or_else(|| {
        SourceError::Missing(file_stem(position).into(), dir.display().to_string())
    })?;
    let iso = std::fs::read(&path).map_err(|e| SourceError::Read(path.display().to_string(), e))?;
    // The record's own quality block when it has one; the mock's records carry one.
    let declared = match position.bio_type() {
        amparo_sbi::BioType::Finger => FingerImageRecord::parse(&iso)
            .ok()
            .and_then(|r| r.representations.first()?.quality.first().map(|q| q.score)),
        amparo_sbi::BioType::Iris => IrisImageRecord::parse(&iso)
            .ok()
            .and_then(|r| r.representations.first()?.quality.first().map(|q| q.score)),
        amparo_sbi::BioType::Face => None,
    };
    let quality = declared.filter(|q| *q <= 100).unwrap_or(80);
    Ok(Sample { iso, quality })
}

/// SplitMix64 of the subject and a salt: independent seeds per finger and eye.
fn mix(subject: u64, salt: u64) -> u64 {
    let mut z = subject ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Growing a finger takes a while; every emulator in the process shares the fingers grown.
fn finger(seed: u64) -> Arc<Finger> {
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<Finger>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(f) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&seed)
    {
        return f.clone();
    }
    let f = Arc::new(Finger::generate(seed));
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(seed, f.clone());
    f
}

fn now() -> CaptureDateTime {
    let t = Utc::now();
    CaptureDateTime {
        year: u16::try_from(t.year()).unwrap_or(0xffff),
        month: t.month() as u8,
        day: t.day() as u8,
        hour: t.hour() as u8,
        minute: t.minute() as u8,
        second: t.second() as u8,
        millisecond: (t.timestamp_subsec_millis() % 1000) as u16,
    }
}

fn synthetic(subject: u64, position: Position, attempt: u64) -> Result<Sample, SourceError> {
    let salt = position as u64 + 1;
    match position.bio_type() {
        amparo_sbi::BioType::Finger => {
            let f = finger(mix(subject, salt));
            let mut image = f.impression(mix(attempt, salt)).image;
            image.ppi = Some(500);
            let quality = amparo_biometrics::finger::extract(&image)
                .map(|e| e.template.quality)
                .unwrap_or(0);
            let iso = finger_record(&image, position, quality)?;
            Ok(Sample { iso, quality })
        }
        amparo_sbi::BioType::Iris => {
            let eye = SyntheticEye::new(mix(subject, salt));
            let image = eye.recapture(mix(attempt, salt), Format::K3).image;
            // A fixed, plausible score: the engine has no iris quality measure to report.
            let quality = 80 + (mix(attempt, salt) % 15) as u8;
            let iso = iris_record(&image, position, quality)?;
            Ok(Sample { iso, quality })
        }
        amparo_sbi::BioType::Face => Err(SourceError::NoSyntheticFace),
    }
}

/// An ISO/IEC 19794-4:2011 record of one plain live-scan finger, PNG inside.
pub fn finger_record(
    image: &GrayImage,
    position: Position,
    quality: u8,
) -> Result<Vec<u8>, SourceError> {
    FingerImageRecord::one_png(
        position.iso_finger_code().unwrap_or(0),
        image,
        quality,
        now(),
    )
    .map_err(|e| SourceError::Iso(e.to_string()))
}

/// An ISO/IEC 19794-6:2011 record of one eye (kind K3), PNG inside.
pub fn iris_record(
    image: &GrayImage,
    position: Position,
    quality: u8,
) -> Result<Vec<u8>, SourceError> {
    IrisImageRecord::one_png(position == Position::LeftIris, image, quality, now())
        .map_err(|e| SourceError::Iso(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_records_parse_and_decode_and_repeat_the_same_person() {
        let a = synthetic(7, Position::LeftIndex, 1).expect("sample");
        let rec = FingerImageRecord::parse(&a.iso).expect("valid ISO 19794-4");
        let rep = &rec.representations[0];
        assert_eq!(rep.position, 7);
        assert_eq!(rep.decode_image().expect("decodes").width, 320);
        // The same capture number renders the same impression; another one differs.
        assert_eq!(
            FingerImageRecord::parse(&synthetic(7, Position::LeftIndex, 1).expect("again").iso)
                .expect("valid")
                .representations[0]
                .image_data,
            rep.image_data
        );
        let iris = synthetic(7, Position::RightIris, 2).expect("iris");
        let rec = IrisImageRecord::parse(&iris.iso).expect("valid ISO 19794-6");
        assert_eq!(
            rec.representations[0].eye,
            amparo_biometrics::iso::iris_image::EyeLabel::Right
        );
        assert_eq!(
            rec.representations[0]
                .decode_image()
                .expect("decodes")
                .width,
            640
        );
        assert!(matches!(
            synthetic(7, Position::Face, 1),
            Err(SourceError::NoSyntheticFace)
        ));
    }
}
