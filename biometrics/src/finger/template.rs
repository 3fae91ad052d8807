//! The stored form of a fingerprint: a compact, versioned minutiae list.
//!
//! The server keeps templates, not images, and rebuilds the matcher's working form from them
//! (`Prepared`), so the byte format is small (7 bytes per minutia) and carries a version tag that
//! lets a later format coexist with stored ones.

use std::f32::consts::PI;

use thiserror::Error;

/// What kind of ridge event a minutia is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinutiaKind {
    Ending,
    Bifurcation,
    /// The source did not say (ISO type "other").
    Other,
}

/// One minutia in image coordinates (pixels at about 500 ppi, origin top-left).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minutia {
    pub x: u16,
    pub y: u16,
    /// Direction in units of 2*pi/256, measured from the x axis towards the y axis in image
    /// coordinates (y points down, so clockwise as displayed; ISO 19794-2 angles run the other
    /// way). Points from the ridge out through an ending, and towards the stem of a bifurcation,
    /// so that an ending and the bifurcation that noise can turn it into agree.
    pub angle: u8,
    pub kind: MinutiaKind,
    /// 1 (poor) to 100 (excellent); 0 when unknown.
    pub quality: u8,
}

impl Minutia {
    /// The direction in radians, in [0, 2*pi).
    pub fn angle_radians(&self) -> f32 {
        f32::from(self.angle) * (2.0 * PI / 256.0)
    }

    /// Rounds an angle in radians (any range) to the stored unit.
    pub fn quantise_angle(radians: f32) -> u8 {
        let u = (radians.rem_euclid(2.0 * PI) * (256.0 / (2.0 * PI))).round() as u32;
        (u % 256) as u8
    }
}

/// A fingerprint template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub width: u16,
    pub height: u16,
    /// Image quality 0-100 (see `finger::quality`).
    pub quality: u8,
    pub minutiae: Vec<Minutia>,
}

/// Why bytes could not be read as a template.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("not a fingerprint template (bad magic)")]
    BadMagic,
    #[error("unsupported fingerprint template version {0}")]
    Version(u8),
    #[error("fingerprint template truncated: {needed} bytes needed, {got} present")]
    Truncated { needed: usize, got: usize },
    #[error("fingerprint template has {0} trailing bytes")]
    Trailing(usize),
    #[error("minutia {index} has unknown kind {kind}")]
    Kind { index: usize, kind: u8 },
    #[error("minutia {index} at ({x}, {y}) lies outside the {width}x{height} image")]
    OutOfImage {
        index: usize,
        x: u16,
        y: u16,
        width: u16,
        height: u16,
    },
    #[error("minutia {index} has quality {quality} (at most 100)")]
    Quality { index: usize, quality: u8 },
    #[error("record has {views} finger views; view {view} requested")]
    NoView { view: usize, views: usize },
    #[error("template quality {0} exceeds 100")]
    TemplateQuality(u8),
}

const MAGIC: &[u8; 3] = b"AFT";
/// Version 1: magic, version, width u16, height u16, quality u8, count u16, then per minutia
/// x u16, y u16, angle u8, kind u8, quality u8. All integers little-endian.
const VERSION: u8 = 1;
const HEADER: usize = 11;
const PER_MINUTIA: usize = 7;

impl Template {
    /// Serialises to the versioned byte format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.minutiae.len().min(u16::MAX as usize);
        let mut out = Vec::with_capacity(HEADER + PER_MINUTIA * n);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&self.width.to_le_bytes());
        out.extend_from_slice(&self.height.to_le_bytes());
        out.push(self.quality);
        out.extend_from_slice(&(n as u16).to_le_bytes());
        for m in &self.minutiae[..n] {
            out.extend_from_slice(&m.x.to_le_bytes());
            out.extend_from_slice(&m.y.to_le_bytes());
            out.push(m.angle);
            out.push(match m.kind {
                MinutiaKind::Ending => 1,
                MinutiaKind::Bifurcation => 2,
                MinutiaKind::Other => 0,
            });
            out.push(m.quality);
        }
        out
    }

    /// Reads the byte format, checking every field.
    pub fn from_bytes(b: &[u8]) -> Result<Self, TemplateError> {
        if b.len() < 3 || &b[..3] != MAGIC {
            return Err(if MAGIC.starts_with(b) {
                TemplateError::Truncated {
                    needed: HEADER,
                    got: b.len(),
                }
            } else {
                TemplateError::BadMagic
            });
        }
        if b.len() < HEADER {
            return Err(TemplateError::Truncated {
                needed: HEADER,
                got: b.len(),
            });
        }
        if b[3] != VERSION {
            return Err(TemplateError::Version(b[3]));
        }
        let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let (width, height, quality) = (u16_at(4), u16_at(6), b[8]);
        if quality > 100 {
            return Err(TemplateError::TemplateQuality(quality));
        }
        let n = u16_at(9) as usize;
        let needed = HEADER + n * PER_MINUTIA;
        if b.len() < needed {
            return Err(TemplateError::Truncated {
                needed,
                got: b.len(),
            });
        }
        if b.len() > needed {
            return Err(TemplateError::Trailing(b.len() - needed));
        }
        let mut minutiae = Vec::with_capacity(n);
        for (index, r) in b[HEADER..].chunks_exact(PER_MINUTIA).enumerate() {
            let x = u16::from_le_bytes([r[0], r[1]]);
            let y = u16::from_le_bytes([r[2], r[3]]);
            let kind = match r[5] {
                0 => MinutiaKind::Other,
                1 => MinutiaKind::Ending,
                2 => MinutiaKind::Bifurcation,
                kind => return Err(TemplateError::Kind { index, kind }),
            };
            if x >= width || y >= height {
                return Err(TemplateError::OutOfImage {
                    index,
                    x,
                    y,
                    width,
                    height,
                });
            }
            if r[6] > 100 {
                return Err(TemplateError::Quality {
                    index,
                    quality: r[6],
                });
            }
            minutiae.push(Minutia {
                x,
                y,
                angle: r[4],
                kind,
                quality: r[6],
            });
        }
        Ok(Self {
            width,
            height,
            quality,
            minutiae,
        })
    }
}

impl Template {
    /// Converts one view of an ISO/IEC 19794-2 record. ISO angles run counter-clockwise as
    /// displayed; ours run the other way, so they are mirrored. Minutiae outside the declared
    /// image are an error rather than silently dropped.
    pub fn from_iso(
        record: &crate::iso::finger_minutiae::MinutiaeRecord,
        view: usize,
    ) -> Result<Self, TemplateError> {
        use crate::iso::finger_minutiae::MinutiaKind as Iso;
        let Some(v) = record.views.get(view) else {
            return Err(TemplateError::NoView {
                view,
                views: record.views.len(),
            });
        };
        let (width, height) = (record.width, record.height);
        let mut minutiae = Vec::with_capacity(v.minutiae.len());
        for (index, m) in v.minutiae.iter().enumerate() {
            if m.x >= width || m.y >= height {
                return Err(TemplateError::OutOfImage {
                    index,
                    x: m.x,
                    y: m.y,
                    width,
                    height,
                });
            }
            minutiae.push(Minutia {
                x: m.x,
                y: m.y,
                angle: 0u8.wrapping_sub(m.angle),
                kind: match m.kind {
                    Iso::RidgeEnding => MinutiaKind::Ending,
                    Iso::Bifurcation => MinutiaKind::Bifurcation,
                    Iso::Other => MinutiaKind::Other,
                },
                quality: m.quality.min(100),
            });
        }
        Ok(Self {
            width,
            height,
            quality: v.quality.min(100),
            minutiae,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Template {
        Template {
            width: 300,
            height: 400,
            quality: 77,
            minutiae: (0..40)
                .map(|i| Minutia {
                    x: i * 7,
                    y: 399 - i * 5,
                    angle: (i * 37 % 256) as u8,
                    kind: if i % 3 == 0 {
                        MinutiaKind::Ending
                    } else {
                        MinutiaKind::Bifurcation
                    },
                    quality: (i * 2 + 10) as u8,
                })
                .collect(),
        }
    }

    #[test]
    fn bytes_round_trip() {
        let t = sample();
        let b = t.to_bytes();
        assert_eq!(b.len(), HEADER + 40 * PER_MINUTIA);
        assert_eq!(Template::from_bytes(&b), Ok(t));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let b = sample().to_bytes();
        for n in 0..b.len() {
            assert!(
                Template::from_bytes(&b[..n]).is_err(),
                "prefix {n} accepted"
            );
        }
    }

    #[test]
    fn malformed_fields_are_named() {
        let good = sample().to_bytes();
        let mut b = good.clone();
        b[0] = b'X';
        assert_eq!(Template::from_bytes(&b), Err(TemplateError::BadMagic));
        let mut b = good.clone();
        b[3] = 9;
        assert_eq!(Template::from_bytes(&b), Err(TemplateError::Version(9)));
        let mut b = good.clone();
        b[HEADER + 5] = 7;
        assert_eq!(
            Template::from_bytes(&b),
            Err(TemplateError::Kind { index: 0, kind: 7 })
        );
        let mut b = good.clone();
        b.push(0);
        assert_eq!(Template::from_bytes(&b), Err(TemplateError::Trailing(1)));
        let mut b = good;
        b[HEADER..HEADER + 2].copy_from_slice(&500u16.to_le_bytes());
        assert!(matches!(
            Template::from_bytes(&b),
            Err(TemplateError::OutOfImage { index: 0, .. })
        ));
    }

    #[test]
    fn angles_quantise_both_ways() {
        for u in 0..=255u8 {
            let m = Minutia {
                x: 0,
                y: 0,
                angle: u,
                kind: MinutiaKind::Other,
                quality: 0,
            };
            assert_eq!(Minutia::quantise_angle(m.angle_radians()), u);
        }
        assert_eq!(Minutia::quantise_angle(-PI / 2.0), 192);
    }
}
