//! ISO/IEC 19794-2:2005 finger minutiae records (format identifier `FMR`, version ` 20`).
//!
//! Other registries and commercial extractors hand over templates in this form, and the FVC
//! reference data carries one beside each image so that the matcher can be measured apart from
//! our extractor. Layout (big-endian):
//!
//! - record header, 24 bytes: `FMR\0`, ` 20\0`, record length (4), capture equipment (2),
//!   image width and height (2 + 2), horizontal and vertical resolution in pixels per centimetre
//!   (2 + 2), number of finger views (1), reserved (1);
//! - per view: finger position (1), view number (high 4 bits) and impression type (low 4 bits),
//!   finger quality (1), number of minutiae (1), 6 bytes per minutia, then the length of the
//!   extended data (2) and that many bytes of extended data blocks;
//! - per minutia: type (2 high bits) and x (14 bits), reserved (2 bits) and y (14 bits), angle in
//!   units of 360/256 degrees (1), quality (1).
//!
//! Extended data (ridge counts, cores and deltas, vendor data) is checked for size and skipped:
//! the matchers use minutiae only. Capture equipment identifiers are not kept and are written as 0.

use super::{IsoError, Reader, fit, framed};

const MAGIC: &[u8; 4] = b"FMR\0";
const VERSION: &[u8; 4] = b" 20\0";
const HEADER_LEN: usize = 24;
const VIEW_HEADER_LEN: usize = 4;
const MINUTIA_LEN: usize = 6;
/// x and y share their 16-bit fields with 2 other bits.
const MAX_COORD: u16 = 0x3fff;

/// A finger minutiae record: the image geometry and one or more views of fingers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutiaeRecord {
    /// Width of the image the minutiae were taken from, in pixels.
    pub width: u16,
    /// Height of that image, in pixels.
    pub height: u16,
    /// Horizontal resolution in pixels per centimetre (197 for 500 ppi).
    pub x_res: u16,
    /// Vertical resolution in pixels per centimetre.
    pub y_res: u16,
    /// The finger views, usually one.
    pub views: Vec<FingerView>,
}

/// One impression of one finger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerView {
    /// ISO finger position code: 0 unknown, 1-5 right thumb to little, 6-10 left thumb to little.
    pub finger_position: u8,
    /// Distinguishes several views of the same finger; 0-15.
    pub view_number: u8,
    /// ISO impression type: 0 live-scan plain, 1 live-scan rolled, 2-3 non-live-scan, ...; 0-15.
    pub impression_type: u8,
    /// Finger quality 0-100.
    pub quality: u8,
    /// The minutiae of this view, at most 255.
    pub minutiae: Vec<IsoMinutia>,
}

/// One minutia as stored in the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoMinutia {
    /// Ridge ending, bifurcation or other.
    pub kind: MinutiaKind,
    /// Column in pixels, 0-16383.
    pub x: u16,
    /// Row in pixels, 0-16383.
    pub y: u16,
    /// Ridge direction in ISO units of 1.40625 degrees (360/256), counter-clockwise from the x axis.
    pub angle: u8,
    /// Minutia quality 0-100; 0 when the extractor gives none.
    pub quality: u8,
}

/// The type of a minutia.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinutiaKind {
    /// Type 00: neither, or not determined.
    Other,
    /// Type 01.
    RidgeEnding,
    /// Type 10.
    Bifurcation,
}

impl MinutiaKind {
    fn code(self) -> u16 {
        match self {
            Self::Other => 0,
            Self::RidgeEnding => 1,
            Self::Bifurcation => 2,
        }
    }
}

impl IsoMinutia {
    /// The angle in radians, in [0, 2π).
    pub fn angle_radians(&self) -> f32 {
        f32::from(self.angle) * (std::f32::consts::TAU / 256.0)
    }

    /// The nearest ISO angle unit for an angle in radians (any value; it is taken modulo 2π),
    /// for writing our own minutiae into a record.
    pub fn angle_from_radians(radians: f32) -> u8 {
        let units =
            (radians.rem_euclid(std::f32::consts::TAU) * (256.0 / std::f32::consts::TAU)).round();
        // 2π - ε rounds up to 256, which is angle 0 again.
        (units as u32 % 256) as u8
    }
}

impl MinutiaeRecord {
    /// Reads a record. Bytes after the declared record length are ignored.
    pub fn parse(bytes: &[u8]) -> Result<Self, IsoError> {
        let mut r = Reader::new(bytes);
        r.expect_header("finger minutiae (ISO 19794-2:2005)", MAGIC, VERSION)?;
        let mut r = framed(r, bytes, HEADER_LEN)?;
        r.u16("capture equipment")?;
        let width = r.u16("image width")?;
        let height = r.u16("image height")?;
        let x_res = r.u16("horizontal resolution")?;
        let y_res = r.u16("vertical resolution")?;
        let n_views = r.u8("number of finger views")?;
        r.u8("reserved byte")?;
        let views = (0..n_views)
            .map(|_| read_view(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        if r.remaining() != 0 {
            return Err(IsoError::InvalidField {
                field: "record length",
                offset: 8,
                reason: format!("{} byte(s) left after the last finger view", r.remaining()),
            });
        }
        Ok(Self {
            width,
            height,
            x_res,
            y_res,
            views,
        })
    }

    /// Writes the record, with no extended data.
    pub fn to_bytes(&self) -> Result<Vec<u8>, IsoError> {
        let n_views = fit::<u8>(self.views.len(), "number of finger views", 255)?;
        let body: usize = self
            .views
            .iter()
            .map(|v| VIEW_HEADER_LEN + MINUTIA_LEN * v.minutiae.len() + 2)
            .sum();
        let total = fit::<u32>(HEADER_LEN + body, "record length", u32::MAX.into())?;
        let mut out = Vec::with_capacity(HEADER_LEN + body);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(VERSION);
        out.extend_from_slice(&total.to_be_bytes());
        out.extend_from_slice(&0u16.to_be_bytes());
        for v in [self.width, self.height, self.x_res, self.y_res] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.push(n_views);
        out.push(0);
        for view in &self.views {
            write_view(view, &mut out)?;
        }
        Ok(out)
    }
}

fn read_view(r: &mut Reader<'_>) -> Result<FingerView, IsoError> {
    let position_offset = r.pos();
    let finger_position = r.u8("finger position")?;
    if finger_position > 10 {
        return Err(IsoError::InvalidField {
            field: "finger position",
            offset: position_offset,
            reason: format!("{finger_position} is not a finger (0-10)"),
        });
    }
    let view_impression = r.u8("view number and impression type")?;
    let quality = r.u8("finger quality")?;
    let n = r.u8("number of minutiae")?;
    let mut minutiae = Vec::with_capacity(n.into());
    for _ in 0..n {
        let offset = r.pos();
        let xk = r.u16("minutia x")?;
        let y = r.u16("minutia y")? & MAX_COORD;
        let angle = r.u8("minutia angle")?;
        let quality = r.u8("minutia quality")?;
        let kind = match xk >> 14 {
            0 => MinutiaKind::Other,
            1 => MinutiaKind::RidgeEnding,
            2 => MinutiaKind::Bifurcation,
            _ => {
                return Err(IsoError::InvalidField {
                    field: "minutia type",
                    offset,
                    reason: "type bits 11 are reserved".into(),
                });
            }
        };
        minutiae.push(IsoMinutia {
            kind,
            x: xk & MAX_COORD,
            y,
            angle,
            quality,
        });
    }
    let ext_len = r.u16("extended data length")?;
    r.take(ext_len.into(), "extended data")?;
    Ok(FingerView {
        finger_position,
        view_number: view_impression >> 4,
        impression_type: view_impression & 0x0f,
        quality,
        minutiae,
    })
}

fn write_view(view: &FingerView, out: &mut Vec<u8>) -> Result<(), IsoError> {
    if view.view_number > 15 {
        return Err(IsoError::TooLarge {
            field: "view number",
            value: view.view_number.into(),
            max: 15,
        });
    }
    if view.impression_type > 15 {
        return Err(IsoError::TooLarge {
            field: "impression type",
            value: view.impression_type.into(),
            max: 15,
        });
    }
    if view.finger_position > 10 {
        return Err(IsoError::TooLarge {
            field: "finger position",
            value: view.finger_position.into(),
            max: 10,
        });
    }
    out.push(view.finger_position);
    out.push(view.view_number << 4 | view.impression_type);
    out.push(view.quality);
    out.push(fit::<u8>(view.minutiae.len(), "number of minutiae", 255)?);
    for m in &view.minutiae {
        for (field, v) in [("minutia x", m.x), ("minutia y", m.y)] {
            if v > MAX_COORD {
                return Err(IsoError::TooLarge {
                    field,
                    value: v.into(),
                    max: MAX_COORD.into(),
                });
            }
        }
        out.extend_from_slice(&(m.kind.code() << 14 | m.x).to_be_bytes());
        out.extend_from_slice(&m.y.to_be_bytes());
        out.push(m.angle);
        out.push(m.quality);
    }
    out.extend_from_slice(&0u16.to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn minutia() -> impl Strategy<Value = IsoMinutia> {
        (0u8..3, 0..=MAX_COORD, 0..=MAX_COORD, any::<u8>(), 0u8..=100).prop_map(
            |(k, x, y, angle, quality)| IsoMinutia {
                kind: [
                    MinutiaKind::Other,
                    MinutiaKind::RidgeEnding,
                    MinutiaKind::Bifurcation,
                ][k as usize],
                x,
                y,
                angle,
                quality,
            },
        )
    }

    fn record() -> impl Strategy<Value = MinutiaeRecord> {
        let view = (
            0u8..=10,
            0u8..16,
            0u8..16,
            0u8..=100,
            prop::collection::vec(minutia(), 0..80),
        )
            .prop_map(
                |(finger_position, view_number, impression_type, quality, minutiae)| FingerView {
                    finger_position,
                    view_number,
                    impression_type,
                    quality,
                    minutiae,
                },
            );
        (
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            prop::collection::vec(view, 0..4),
        )
            .prop_map(|(width, height, x_res, y_res, views)| MinutiaeRecord {
                width,
                height,
                x_res,
                y_res,
                views,
            })
    }

    proptest! {
        #[test]
        fn round_trip(rec in record()) {
            let bytes = rec.to_bytes().expect("generated records fit their fields");
            prop_assert_eq!(MinutiaeRecord::parse(&bytes).expect("own output parses"), rec);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = MinutiaeRecord::parse(&bytes);
        }

        #[test]
        fn arbitrary_bytes_after_header_never_panic(body in prop::collection::vec(any::<u8>(), 0..300)) {
            let mut bytes = b"FMR\0 20\0".to_vec();
            bytes.extend_from_slice(&((body.len() + 12) as u32).to_be_bytes());
            bytes.extend_from_slice(&body);
            let _ = MinutiaeRecord::parse(&bytes);
        }

        #[test]
        fn mutated_records_never_panic(rec in record(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
            let mut bytes = rec.to_bytes().expect("generated records fit their fields");
            for (at, v) in edits {
                let i = at.index(bytes.len());
                bytes[i] = v;
            }
            let _ = MinutiaeRecord::parse(&bytes);
            let _ = MinutiaeRecord::parse(&bytes[..cut.index(bytes.len())]);
        }
    }

    #[test]
    fn reads_known_bytes_and_skips_extended_data() {
        let mut bytes = b"FMR\0 20\0".to_vec();
        bytes.extend_from_slice(&(24u32 + 4 + 12 + 2 + 5).to_be_bytes());
        bytes.extend_from_slice(&[0, 0, 0x01, 0x2c, 0x01, 0x90, 0, 197, 0, 197, 1, 0]);
        bytes.extend_from_slice(&[3, 0x21, 60, 2]);
        bytes.extend_from_slice(&[0x40 | 0x01, 0x02, 0x00, 0x30, 64, 90]);
        bytes.extend_from_slice(&[0x80, 0x10, 0x3f, 0xff, 255, 0]);
        bytes.extend_from_slice(&[0, 5, 0, 1, 0, 5, 9]);
        let rec = MinutiaeRecord::parse(&bytes).expect("valid record");
        assert_eq!(
            (rec.width, rec.height, rec.x_res, rec.y_res),
            (300, 400, 197, 197)
        );
        let v = &rec.views[0];
        assert_eq!(
            (
                v.finger_position,
                v.view_number,
                v.impression_type,
                v.quality
            ),
            (3, 2, 1, 60)
        );
        assert_eq!(
            v.minutiae,
            vec![
                IsoMinutia {
                    kind: MinutiaKind::RidgeEnding,
                    x: 0x102,
                    y: 0x30,
                    angle: 64,
                    quality: 90
                },
                IsoMinutia {
                    kind: MinutiaKind::Bifurcation,
                    x: 0x10,
                    y: 0x3fff,
                    angle: 255,
                    quality: 0
                },
            ]
        );
        assert!((v.minutiae[0].angle_radians() - std::f32::consts::FRAC_PI_2).abs() < 1e-6);
        assert_eq!(
            IsoMinutia::angle_from_radians(std::f32::consts::FRAC_PI_2),
            64
        );
        assert_eq!(
            IsoMinutia::angle_from_radians(-std::f32::consts::FRAC_PI_2),
            192
        );
        assert_eq!(
            IsoMinutia::angle_from_radians(std::f32::consts::TAU - 1e-4),
            0
        );
        for a in 0..=255u8 {
            let m = IsoMinutia {
                angle: a,
                ..v.minutiae[0]
            };
            assert_eq!(IsoMinutia::angle_from_radians(m.angle_radians()), a);
        }
    }

    #[test]
    fn rejects_with_specific_errors() {
        let good = MinutiaeRecord {
            width: 10,
            height: 10,
            x_res: 197,
            y_res: 197,
            views: vec![FingerView {
                finger_position: 1,
                view_number: 0,
                impression_type: 0,
                quality: 50,
                minutiae: vec![IsoMinutia {
                    kind: MinutiaKind::Other,
                    x: 1,
                    y: 2,
                    angle: 3,
                    quality: 4,
                }],
            }],
        }
        .to_bytes()
        .expect("valid");
        let mut bad = good.clone();
        bad[0] = b'X';
        assert!(matches!(
            MinutiaeRecord::parse(&bad),
            Err(IsoError::BadMagic { .. })
        ));
        let mut bad = good.clone();
        bad[5] = b'3';
        assert!(matches!(
            MinutiaeRecord::parse(&bad),
            Err(IsoError::UnsupportedVersion { .. })
        ));
        assert!(matches!(
            MinutiaeRecord::parse(&good[..good.len() - 1]),
            Err(IsoError::LengthMismatch { .. })
        ));
        let mut bad = good.clone();
        bad[28] = 0xc0;
        let err = MinutiaeRecord::parse(&bad).expect_err("reserved type");
        assert!(err.to_string().contains("offset 28"), "{err}");
        let mut bad = good.clone();
        bad[24] = 11;
        assert!(matches!(
            MinutiaeRecord::parse(&bad),
            Err(IsoError::InvalidField {
                field: "finger position",
                ..
            })
        ));
    }

    #[test]
    fn fvc_templates_parse_and_rewrite() {
        let Some(dir) = crate::iso::tests_support::shared_data() else {
            return;
        };
        let mut count = 0;
        for db in ["DB1_B", "DB2_B", "DB3_B", "DB4_B"] {
            let Ok(entries) = std::fs::read_dir(dir.join("fvc2002").join(db)) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().is_none_or(|x| x != "iso") {
                    continue;
                }
                let bytes = std::fs::read(&path).expect("readable");
                let rec = MinutiaeRecord::parse(&bytes)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(rec.views.len(), 1, "{}", path.display());
                let n = rec.views[0].minutiae.len();
                assert!((5..=120).contains(&n), "{}: {n} minutiae", path.display());
                for m in &rec.views[0].minutiae {
                    assert!(
                        m.x < rec.width && m.y < rec.height,
                        "{}: {m:?} outside image",
                        path.display()
                    );
                    assert_ne!(m.kind, MinutiaKind::Other);
                }
                assert_eq!(
                    MinutiaeRecord::parse(&rec.to_bytes().expect("fits")).expect("parses"),
                    rec
                );
                count += 1;
            }
        }
        assert_eq!(count, 320, "expected 4 databases x 80 templates");
    }
}
