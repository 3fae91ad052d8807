//! ISO/IEC 19794 biometric data interchange records.
//!
//! Capture devices, other registries and test data sets exchange fingers and irises as ISO/IEC
//! 19794 records, so Amparo must read them from the devices and write them back when it hands
//! data on. Each submodule handles one part of the standard:
//!
//! - [`finger_minutiae`]: 19794-2:2005 finger minutiae templates (`FMR`);
//! - [`finger_image`]: 19794-4:2011 finger image records (`FIR`);
//! - [`iris_image`]: 19794-6:2011 iris image records (`IIR`), kinds K3 and K7.
//!
//! All fields are big-endian. Records come from outside the system, so every read is bounds-checked
//! and a malformed record yields an [`IsoError`] naming the field and its byte offset.

pub mod finger_image;
pub mod finger_minutiae;
pub mod iris_image;

use thiserror::Error;

use crate::image::ImageError;

/// Why an ISO record could not be read or written.
#[derive(Debug, Error)]
pub enum IsoError {
    /// The record ends before a field it needs.
    #[error(
        "truncated record: {field} needs {needed} byte(s) at offset {offset}, only {available} left"
    )]
    Truncated {
        field: &'static str,
        offset: usize,
        needed: usize,
        available: usize,
    },
    /// The first four bytes are not the format identifier of this record type.
    #[error("not a {format} record: format identifier is {found:02x?}, expected {expected:?}")]
    BadMagic {
        format: &'static str,
        expected: &'static str,
        found: [u8; 4],
    },
    /// The version field names a version this parser does not read.
    #[error("unsupported {format} version {found:02x?}, expected {expected:?}")]
    UnsupportedVersion {
        format: &'static str,
        expected: &'static str,
        found: [u8; 4],
    },
    /// A length field disagrees with the bytes actually present.
    #[error("{field} at offset {offset} says {declared} byte(s) but {actual} are available")]
    LengthMismatch {
        field: &'static str,
        offset: usize,
        declared: u64,
        actual: u64,
    },
    /// A field holds a value the standard does not allow.
    #[error("invalid {field} at offset {offset}: {reason}")]
    InvalidField {
        field: &'static str,
        offset: usize,
        reason: String,
    },
    /// A value is too large to be written in its field.
    #[error("cannot write {field}: {value} exceeds the maximum {max}")]
    TooLarge {
        field: &'static str,
        value: u64,
        max: u64,
    },
    /// The record is well formed but its embedded image could not be decoded.
    #[error("embedded image: {0}")]
    Image(#[from] ImageError),
}

/// A bounds-checked big-endian cursor over a record.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// The offset of the next byte to be read.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], IsoError> {
        let available = self.remaining();
        if n > available {
            return Err(IsoError::Truncated {
                field,
                offset: self.pos,
                needed: n,
                available,
            });
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], IsoError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, IsoError> {
        Ok(self.array::<1>(field)?[0])
    }

    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, IsoError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, IsoError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    /// Checks the format identifier and version that open every 19794 record.
    pub(crate) fn expect_header(
        &mut self,
        format: &'static str,
        magic: &'static [u8; 4],
        version: &'static [u8; 4],
    ) -> Result<(), IsoError> {
        let found = self.array::<4>("format identifier")?;
        if &found != magic {
            return Err(IsoError::BadMagic {
                format,
                expected: printable(magic),
                found,
            });
        }
        let found = self.array::<4>("version number")?;
        if &found != version {
            return Err(IsoError::UnsupportedVersion {
                format,
                expected: printable(version),
                found,
            });
        }
        Ok(())
    }
}

/// The identifiers are ASCII with a trailing NUL; error messages show them without it.
fn printable(id: &'static [u8; 4]) -> &'static str {
    match id {
        b"FMR\0" => "FMR",
        b"FIR\0" => "FIR",
        b"IIR\0" => "IIR",
        b" 20\0" => " 20",
        b"020\0" => "020",
        _ => "?",
    }
}

/// Converts a length to the width of its field, or says which field overflowed.
pub(crate) fn fit<T: TryFrom<usize>>(
    value: usize,
    field: &'static str,
    max: u64,
) -> Result<T, IsoError> {
    T::try_from(value).map_err(|_| IsoError::TooLarge {
        field,
        value: value as u64,
        max,
    })
}

/// A quality block shared by the 2011 finger and iris image records: a score from one algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityBlock {
    /// 0-100, 254 when the algorithm failed, 255 when not computed.
    pub score: u8,
    /// Registered identifier of the algorithm's vendor (CBEFF).
    pub vendor_id: u16,
    /// The vendor's identifier of the algorithm.
    pub algorithm_id: u16,
}

/// A certification block of the 2011 image records: who certified the capture device, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificationBlock {
    /// The certification authority, as registered.
    pub authority_id: u16,
    /// The authority's certification scheme (e.g. Appendix F, PIV).
    pub scheme_id: u8,
}

/// Capture date and time as written in the 2011 records; fields set to all ones mean "unknown".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureDateTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub millisecond: u16,
}

impl CaptureDateTime {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, IsoError> {
        Ok(Self {
            year: r.u16("capture year")?,
            month: r.u8("capture month")?,
            day: r.u8("capture day")?,
            hour: r.u8("capture hour")?,
            minute: r.u8("capture minute")?,
            second: r.u8("capture second")?,
            millisecond: r.u16("capture millisecond")?,
        })
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.year.to_be_bytes());
        out.extend_from_slice(&[self.month, self.day, self.hour, self.minute, self.second]);
        out.extend_from_slice(&self.millisecond.to_be_bytes());
    }
}

pub(crate) fn read_quality_blocks(r: &mut Reader<'_>) -> Result<Vec<QualityBlock>, IsoError> {
    let n = r.u8("number of quality blocks")?;
    (0..n)
        .map(|_| {
            Ok(QualityBlock {
                score: r.u8("quality score")?,
                vendor_id: r.u16("quality algorithm vendor")?,
                algorithm_id: r.u16("quality algorithm")?,
            })
        })
        .collect()
}

pub(crate) fn write_quality_blocks(
    blocks: &[QualityBlock],
    out: &mut Vec<u8>,
) -> Result<(), IsoError> {
    out.push(fit::<u8>(blocks.len(), "number of quality blocks", 255)?);
    for b in blocks {
        out.push(b.score);
        out.extend_from_slice(&b.vendor_id.to_be_bytes());
        out.extend_from_slice(&b.algorithm_id.to_be_bytes());
    }
    Ok(())
}

pub(crate) fn read_certification_blocks(
    r: &mut Reader<'_>,
) -> Result<Vec<CertificationBlock>, IsoError> {
    let n = r.u8("number of certification blocks")?;
    (0..n)
        .map(|_| {
            Ok(CertificationBlock {
                authority_id: r.u16("certification authority")?,
                scheme_id: r.u8("certification scheme")?,
            })
        })
        .collect()
}

pub(crate) fn write_certification_blocks(
    blocks: &[CertificationBlock],
    out: &mut Vec<u8>,
) -> Result<(), IsoError> {
    out.push(fit::<u8>(
        blocks.len(),
        "number of certification blocks",
        255,
    )?);
    for b in blocks {
        out.extend_from_slice(&b.authority_id.to_be_bytes());
        out.push(b.scheme_id);
    }
    Ok(())
}

/// Restricts the reader to the record length that follows the format identifier and version.
pub(crate) fn framed<'a>(
    mut r: Reader<'a>,
    bytes: &'a [u8],
    min: usize,
) -> Result<Reader<'a>, IsoError> {
    let offset = r.pos();
    let declared = r.u32("record length")?;
    if (declared as usize) < min || u64::from(declared) > bytes.len() as u64 {
        return Err(IsoError::LengthMismatch {
            field: "record length",
            offset,
            declared: declared.into(),
            actual: bytes.len() as u64,
        });
    }
    Ok(Reader {
        bytes: &bytes[..declared as usize],
        pos: r.pos(),
    })
}

/// Cuts the next representation out of a 2011 image record by its declared length; the returned
/// reader starts after the length field and keeps offsets relative to the whole record.
pub(crate) fn representation_slice<'a>(r: &mut Reader<'a>) -> Result<Reader<'a>, IsoError> {
    let start = r.pos();
    let len = r.u32("representation length")? as usize;
    let available = r.remaining() + 4;
    if len < 4 || len > available {
        return Err(IsoError::LengthMismatch {
            field: "representation length",
            offset: start,
            declared: len as u64,
            actual: available as u64,
        });
    }
    r.take(len - 4, "representation")?;
    Ok(Reader {
        bytes: &r.bytes[..start + len],
        pos: start + 4,
    })
}

/// Test helpers: proptest strategies for the blocks the 2011 image records share, and where the
/// reference data is.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::{CaptureDateTime, CertificationBlock, QualityBlock};
    use proptest::prelude::*;

    pub(crate) fn capture_time() -> impl Strategy<Value = CaptureDateTime> {
        (
            any::<u16>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u16>(),
        )
            .prop_map(|(year, month, day, hour, minute, second, millisecond)| {
                CaptureDateTime {
                    year,
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    millisecond,
                }
            })
    }

    pub(crate) fn quality() -> impl Strategy<Value = QualityBlock> {
        (any::<u8>(), any::<u16>(), any::<u16>()).prop_map(|(score, vendor_id, algorithm_id)| {
            QualityBlock {
                score,
                vendor_id,
                algorithm_id,
            }
        })
    }

    pub(crate) fn certification() -> impl Strategy<Value = CertificationBlock> {
        (any::<u16>(), any::<u8>()).prop_map(|(authority_id, scheme_id)| CertificationBlock {
            authority_id,
            scheme_id,
        })
    }

    /// The directory of the shared reference data, when a test run has it: `shared/biometrics`
    /// beside the repository or beside one of its parent folders (a worktree).
    pub(crate) fn shared_data() -> Option<std::path::PathBuf> {
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let found = here
            .ancestors()
            .skip(1)
            .map(|a| a.join("shared").join("biometrics"))
            .find(|d| d.is_dir());
        if found.is_none() {
            eprintln!(
                "skipped: no shared/biometrics beside {} or its parents, so the reference-data checks did not run",
                here.display()
            );
        }
        found
    }
}
