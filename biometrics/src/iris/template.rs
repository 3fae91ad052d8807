//! The stored form of an iris: a 2048-bit phase code and a 2048-bit mask of usable bits.
//!
//! Bits are laid out column by column (one column = one angular position), each column holding
//! [`RINGS`] rings of two phase bits. A rotation of the eye is then a rotation of the whole bit
//! string by a multiple of [`BITS_PER_COLUMN`], which the matcher precomputes with plain word
//! shifts.

use thiserror::Error;

/// Concentric rings of the polar grid that carry code bits.
pub const RINGS: usize = 8;
/// Phase bits per ring and column (the signs of the real and imaginary responses).
pub const BITS_PER_SAMPLE: usize = 2;
/// Bits per angular column.
pub const BITS_PER_COLUMN: usize = RINGS * BITS_PER_SAMPLE;
/// Angular columns in the code.
pub const CODE_COLUMNS: usize = 128;
/// Bits in a code (and in its mask).
pub const CODE_BITS: usize = CODE_COLUMNS * BITS_PER_COLUMN;
/// 64-bit words in a code.
pub const CODE_WORDS: usize = CODE_BITS / 64;

const MAGIC: [u8; 4] = *b"AIRC";
const VERSION: u8 = 1;
const HEADER_BYTES: usize = 8;
/// Length of [`IrisTemplate::to_bytes`] output.
pub const TEMPLATE_BYTES: usize = HEADER_BYTES + 2 * CODE_WORDS * 8;

/// A code or mask, aligned so the vector kernels load whole cache lines.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(C, align(64))]
pub(crate) struct Bits(pub(crate) [u64; CODE_WORDS]);

impl Bits {
    pub(crate) const ZERO: Bits = Bits([0; CODE_WORDS]);

    #[cfg(test)]
    pub(crate) fn get(&self, bit: usize) -> bool {
        self.0
            .get(bit / 64)
            .is_some_and(|w| (w >> (bit % 64)) & 1 == 1)
    }

    #[inline]
    pub(crate) fn set(&mut self, bit: usize, value: bool) {
        if let Some(w) = self.0.get_mut(bit / 64) {
            let m = 1u64 << (bit % 64);
            if value {
                *w |= m;
            } else {
                *w &= !m;
            }
        }
    }

    /// The bit string rotated so that column `c` of the result is column `c + columns` of `self`
    /// (indices modulo [`CODE_COLUMNS`]).
    pub(crate) fn rotate_columns(&self, columns: i32) -> Bits {
        let n = CODE_BITS as i64;
        let shift = (i64::from(columns) * BITS_PER_COLUMN as i64).rem_euclid(n) as usize;
        let words = shift / 64;
        let bits = shift % 64;
        let mut out = Bits::ZERO;
        for (i, o) in out.0.iter_mut().enumerate() {
            let lo = self.0[(i + words) % CODE_WORDS];
            let hi = self.0[(i + words + 1) % CODE_WORDS];
            *o = if bits == 0 {
                lo
            } else {
                (lo >> bits) | (hi << (64 - bits))
            };
        }
        out
    }

    pub(crate) fn count_ones(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
}

/// An iris code with its mask: bit `i` of `code` counts only where bit `i` of `mask` is set.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IrisTemplate {
    pub(crate) code: Bits,
    pub(crate) mask: Bits,
}

/// Why bytes are not a template.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("iris template is {0} bytes, expected {TEMPLATE_BYTES}")]
    Length(usize),
    #[error("not an iris template (bad magic)")]
    Magic,
    #[error("iris template version {0} is not supported (this build reads version {VERSION})")]
    Version(u8),
    #[error(
        "iris template geometry {rings} rings x {columns} columns, expected {RINGS} x {CODE_COLUMNS}"
    )]
    Geometry { rings: u8, columns: u16 },
}

impl IrisTemplate {
    /// Builds a template from code and mask words ([`CODE_WORDS`] each, bit `i` of the string is
    /// bit `i % 64` of word `i / 64`). Code bits outside the mask are cleared so equal irises
    /// serialise equally.
    pub fn from_words(code: [u64; CODE_WORDS], mask: [u64; CODE_WORDS]) -> Self {
        let mut c = Bits(code);
        for (w, m) in c.0.iter_mut().zip(mask.iter()) {
            *w &= m;
        }
        Self {
            code: c,
            mask: Bits(mask),
        }
    }

    pub fn code_words(&self) -> &[u64; CODE_WORDS] {
        &self.code.0
    }

    pub fn mask_words(&self) -> &[u64; CODE_WORDS] {
        &self.mask.0
    }

    /// Number of usable bits.
    pub fn valid_bits(&self) -> u32 {
        self.mask.count_ones()
    }

    /// Serialises as magic `AIRC`, version, ring count, column count (u16 LE), one reserved byte,
    /// then the code and mask words little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TEMPLATE_BYTES);
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        out.push(RINGS as u8);
        out.push(CODE_COLUMNS as u8);
        out.push(0);
        for w in self.code.0.iter().chain(self.mask.0.iter()) {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Parses [`IrisTemplate::to_bytes`] output.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TemplateError> {
        if bytes.len() != TEMPLATE_BYTES {
            return Err(TemplateError::Length(bytes.len()));
        }
        let (header, body) = bytes.split_at(HEADER_BYTES);
        if header[..4] != MAGIC {
            return Err(TemplateError::Magic);
        }
        if header[4] != VERSION {
            return Err(TemplateError::Version(header[4]));
        }
        if usize::from(header[5]) != RINGS || usize::from(header[6]) != CODE_COLUMNS {
            return Err(TemplateError::Geometry {
                rings: header[5],
                columns: u16::from(header[6]),
            });
        }
        let mut words = body.chunks_exact(8).map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            u64::from_le_bytes(b)
        });
        let mut code = [0u64; CODE_WORDS];
        let mut mask = [0u64; CODE_WORDS];
        for w in code.iter_mut().chain(mask.iter_mut()) {
            *w = words.next().unwrap_or(0);
        }
        Ok(Self::from_words(code, mask))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(seed: u64) -> [u64; CODE_WORDS] {
        let mut s = seed;
        std::array::from_fn(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s ^ (s >> 29)
        })
    }

    #[test]
    fn bytes_round_trip() {
        let t = IrisTemplate::from_words(pattern(1), pattern(2));
        let bytes = t.to_bytes();
        assert_eq!(bytes.len(), TEMPLATE_BYTES);
        assert_eq!(IrisTemplate::from_bytes(&bytes), Ok(t));
    }

    #[test]
    fn malformed_bytes_are_rejected() {
        let good = IrisTemplate::from_words(pattern(3), pattern(4)).to_bytes();
        assert_eq!(
            IrisTemplate::from_bytes(&good[..10]),
            Err(TemplateError::Length(10))
        );
        let mut bad = good.clone();
        bad[0] = b'X';
        assert_eq!(IrisTemplate::from_bytes(&bad), Err(TemplateError::Magic));
        let mut bad = good.clone();
        bad[4] = 9;
        assert_eq!(
            IrisTemplate::from_bytes(&bad),
            Err(TemplateError::Version(9))
        );
        let mut bad = good;
        bad[5] = 4;
        assert_eq!(
            IrisTemplate::from_bytes(&bad),
            Err(TemplateError::Geometry {
                rings: 4,
                columns: CODE_COLUMNS as u16
            })
        );
    }

    #[test]
    fn column_rotation_moves_whole_columns() {
        let mut b = Bits::ZERO;
        let col = 5;
        for bit in 0..BITS_PER_COLUMN {
            b.set(col * BITS_PER_COLUMN + bit, bit % 3 == 0);
        }
        for shift in [-4i32, -1, 1, 3, 130] {
            let r = b.rotate_columns(shift);
            let dest = (col as i32 - shift).rem_euclid(CODE_COLUMNS as i32) as usize;
            for bit in 0..BITS_PER_COLUMN {
                assert_eq!(
                    r.get(dest * BITS_PER_COLUMN + bit),
                    bit % 3 == 0,
                    "shift {shift}"
                );
            }
            assert_eq!(r.count_ones(), b.count_ones());
        }
    }
}
