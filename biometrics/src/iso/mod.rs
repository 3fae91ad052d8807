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

pub mod finger_minutiae;

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

/// The directory of the shared reference data, when a test run has it.
#[cfg(test)]
pub(crate) fn shared_data() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/biometrics"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!(
            "skipped: {} is absent, so the reference-data checks did not run",
            dir.display()
        );
        None
    }
}
