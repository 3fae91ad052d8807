//! ISO/IEC 19794-4:2011 finger image records (format identifier `FIR`, version `020`).
//!
//! Fingerprint scanners (MOSIP SBI devices among them) deliver each capture as one of these
//! records, with the image compressed as WSQ, JPEG 2000 or PNG. Layout (big-endian):
//!
//! - general header, 16 bytes: `FIR\0`, `020\0`, record length (4), number of representations
//!   (2), certification flag (1), number of distinct finger positions (1);
//! - per representation: representation length (4), capture date and time (9), capture device
//!   technology (1), vendor (2) and type (2), quality blocks (1 + 5 each), certification blocks
//!   (1 + 3 each, only when the certification flag is set), finger position (1), representation
//!   number (1), scale units (1), capture and image sampling rates (4 x 2), bit depth (1),
//!   compression (1), impression type (1), width and height (2 + 2), image data length (4), image
//!   data, then extended data blocks (type (2), length including these 4 bytes (2), data) up to the
//!   end of the representation.

use super::{
    CaptureDateTime, CertificationBlock, IsoError, QualityBlock, Reader, fit, framed,
    read_certification_blocks, read_quality_blocks, representation_slice,
    write_certification_blocks, write_quality_blocks,
};
use crate::image::{self, GrayImage, ImageError};

const MAGIC: &[u8; 4] = b"FIR\0";
const VERSION: &[u8; 4] = b"020\0";
const HEADER_LEN: usize = 16;

/// A finger image record: one or more captured images of fingers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerImageRecord {
    /// Whether every representation carries certification blocks.
    pub certified: bool,
    /// The number of distinct finger positions the record covers, as the writer declared it.
    pub distinct_positions: u8,
    /// The captured images, usually one per finger.
    pub representations: Vec<FingerImageRepresentation>,
}

/// How the image data of a representation is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FingerCompression {
    /// Uncompressed, one sample per byte or two.
    Raw,
    /// Uncompressed, samples packed at the bit depth.
    RawPacked,
    /// FBI WSQ.
    Wsq,
    /// Baseline JPEG (not decoded here).
    Jpeg,
    /// JPEG 2000 with the irreversible wavelet.
    Jpeg2000Lossy,
    /// JPEG 2000 with the reversible wavelet.
    Jpeg2000Lossless,
    /// PNG.
    Png,
}

impl FingerCompression {
    fn from_code(code: u8, offset: usize) -> Result<Self, IsoError> {
        Ok(match code {
            0 => Self::Raw,
            1 => Self::RawPacked,
            2 => Self::Wsq,
            3 => Self::Jpeg,
            4 => Self::Jpeg2000Lossy,
            5 => Self::Jpeg2000Lossless,
            6 => Self::Png,
            _ => {
                return Err(IsoError::InvalidField {
                    field: "compression algorithm",
                    offset,
                    reason: format!("unknown code {code}"),
                });
            }
        })
    }

    fn code(self) -> u8 {
        match self {
            Self::Raw => 0,
            Self::RawPacked => 1,
            Self::Wsq => 2,
            Self::Jpeg => 3,
            Self::Jpeg2000Lossy => 4,
            Self::Jpeg2000Lossless => 5,
            Self::Png => 6,
        }
    }
}

/// An extended data block kept verbatim: 1 segmentation, 2 annotation, 3 comment, others vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedBlock {
    /// 1 segmentation, 2 annotation, 3 comment; other values are vendor-defined.
    pub block_type: u16,
    /// The block's content after its 4-byte header.
    pub data: Vec<u8>,
}

/// One captured finger image with its capture and image metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerImageRepresentation {
    /// When the image was captured (UTC).
    pub capture_time: CaptureDateTime,
    /// Capture device technology code (finger: 0 unknown, 1 white-light optical, 4 capacitive...; iris: 0 unknown, 1 CMOS/CCD).
    pub device_technology: u8,
    /// Capture device vendor, as registered with the IBIA (CBEFF); 0 unreported.
    pub device_vendor: u16,
    /// The vendor's model identifier; 0 unreported.
    pub device_type: u16,
    /// Quality scores, one per algorithm that rated the image.
    pub quality: Vec<QualityBlock>,
    /// Present only when the record's `certified` flag is set.
    pub certifications: Vec<CertificationBlock>,
    /// ISO finger position: 0 unknown, 1-5 right thumb to little, 6-10 left thumb to little,
    /// 11-15 plain captures of several fingers.
    pub position: u8,
    /// Distinguishes several representations of the same finger.
    pub representation_number: u8,
    /// 1: sampling rates in pixels per inch; 2: pixels per centimetre.
    pub scale_units: u8,
    /// Horizontal sampling rate of the capture device, in `scale_units`.
    pub capture_res_x: u16,
    /// Vertical sampling rate of the capture device, in `scale_units`.
    pub capture_res_y: u16,
    /// Horizontal sampling rate of the stored image, in `scale_units`.
    pub image_res_x: u16,
    /// Vertical sampling rate of the stored image, in `scale_units`.
    pub image_res_y: u16,
    /// Bits per pixel of the image (8 for every device Amparo meets).
    pub bit_depth: u8,
    /// How `image_data` is encoded.
    pub compression: FingerCompression,
    /// ISO impression type: 0 live-scan plain, 1 live-scan rolled, 2-3 non-live-scan, 20-29 other capture methods.
    pub impression_type: u8,
    /// Image width in pixels.
    pub width: u16,
    /// Image height in pixels.
    pub height: u16,
    /// The encoded image exactly as stored.
    pub image_data: Vec<u8>,
    /// Extended data blocks that follow the image, kept verbatim.
    pub extended: Vec<ExtendedBlock>,
}

impl FingerImageRecord {
    /// Reads a record; bytes after the declared record length are ignored.
    pub fn parse(bytes: &[u8]) -> Result<Self, IsoError> {
        let mut r = Reader::new(bytes);
        r.expect_header("finger image (ISO 19794-4:2011)", MAGIC, VERSION)?;
        let mut r = framed(r, bytes, HEADER_LEN)?;
        let n = r.u16("number of representations")?;
        let flag_offset = r.pos();
        let certified = match r.u8("certification flag")? {
            0 => false,
            1 => true,
            other => {
                return Err(IsoError::InvalidField {
                    field: "certification flag",
                    offset: flag_offset,
                    reason: format!("{other} is neither 0 nor 1"),
                });
            }
        };
        let distinct_positions = r.u8("number of distinct finger positions")?;
        let representations = (0..n)
            .map(|_| read_representation(&mut r, certified))
            .collect::<Result<Vec<_>, _>>()?;
        if r.remaining() != 0 {
            return Err(IsoError::InvalidField {
                field: "record length",
                offset: 8,
                reason: format!(
                    "{} byte(s) left after the last representation",
                    r.remaining()
                ),
            });
        }
        Ok(Self {
            certified,
            distinct_positions,
            representations,
        })
    }

    /// The record of one plain live-scan finger at `position` (ISO code 1-10), the image inside
    /// as lossless PNG at its resolution (500 ppi when it has none): what a device emulator and
    /// test fixtures send.
    pub fn one_png(
        position: u8,
        image: &GrayImage,
        quality: u8,
        captured: CaptureDateTime,
    ) -> Result<Vec<u8>, IsoError> {
        let ppi = image.ppi.unwrap_or(500);
        Self {
            certified: false,
            distinct_positions: 1,
            representations: vec![FingerImageRepresentation {
                capture_time: captured,
                device_technology: 1,
                device_vendor: 0,
                device_type: 0,
                quality: vec![QualityBlock {
                    score: quality,
                    vendor_id: 0,
                    algorithm_id: 0,
                }],
                certifications: Vec::new(),
                position,
                representation_number: 1,
                scale_units: 1,
                capture_res_x: ppi,
                capture_res_y: ppi,
                image_res_x: ppi,
                image_res_y: ppi,
                bit_depth: 8,
                compression: FingerCompression::Png,
                impression_type: 0,
                width: fit(image.width, "width", u64::from(u16::MAX))?,
                height: fit(image.height, "height", u64::from(u16::MAX))?,
                image_data: image::encode_png(image)?,
                extended: Vec::new(),
            }],
        }
        .to_bytes()
    }

    /// Writes the record.
    pub fn to_bytes(&self) -> Result<Vec<u8>, IsoError> {
        let mut body = Vec::new();
        for rep in &self.representations {
            write_representation(rep, self.certified, &mut body)?;
        }
        let mut out = Vec::with_capacity(HEADER_LEN + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(VERSION);
        let total = fit::<u32>(HEADER_LEN + body.len(), "record length", u32::MAX.into())?;
        out.extend_from_slice(&total.to_be_bytes());
        let n = fit::<u16>(
            self.representations.len(),
            "number of representations",
            u16::MAX.into(),
        )?;
        out.extend_from_slice(&n.to_be_bytes());
        out.push(u8::from(self.certified));
        out.push(self.distinct_positions);
        out.extend_from_slice(&body);
        Ok(out)
    }
}

impl FingerImageRepresentation {
    /// Decodes the embedded image to 8-bit greyscale and checks it against the header. WSQ,
    /// JPEG 2000, PNG and 8-bit raw images are decoded; baseline JPEG and raw images of other
    /// bit depths give [`ImageError::Unsupported`].
    pub fn decode_image(&self) -> Result<GrayImage, IsoError> {
        let (width, height) = (usize::from(self.width), usize::from(self.height));
        let mut img = match self.compression {
            FingerCompression::Raw | FingerCompression::RawPacked if self.bit_depth == 8 => {
                image::check_dimensions(width, height)?;
                GrayImage::new(width, height, self.image_data.clone())?
            }
            FingerCompression::Wsq => image::decode_wsq(&self.image_data)?,
            FingerCompression::Jpeg2000Lossy | FingerCompression::Jpeg2000Lossless => {
                image::decode_jpeg2000(&self.image_data)?
            }
            FingerCompression::Png => image::decode_png(&self.image_data)?,
            other => {
                return Err(ImageError::Unsupported(format!(
                    "{other:?} finger image at bit depth {}",
                    self.bit_depth
                ))
                .into());
            }
        };
        if (img.width, img.height) != (width, height) {
            return Err(ImageError::Malformed(format!(
                "image is {}x{} but the record says {width}x{height}",
                img.width, img.height
            ))
            .into());
        }
        img.ppi = match self.scale_units {
            1 => Some(self.image_res_x),
            2 => u16::try_from((u32::from(self.image_res_x) * 254 + 50) / 100).ok(),
            _ => None,
        };
        Ok(img)
    }
}

fn read_representation(
    outer: &mut Reader<'_>,
    certified: bool,
) -> Result<FingerImageRepresentation, IsoError> {
    let mut r = representation_slice(outer)?;
    let capture_time = CaptureDateTime::read(&mut r)?;
    let device_technology = r.u8("capture device technology")?;
    let device_vendor = r.u16("capture device vendor")?;
    let device_type = r.u16("capture device type")?;
    let quality = read_quality_blocks(&mut r)?;
    let certifications = if certified {
        read_certification_blocks(&mut r)?
    } else {
        Vec::new()
    };
    let position = r.u8("finger position")?;
    let representation_number = r.u8("representation number")?;
    let scale_units = r.u8("scale units")?;
    let capture_res_x = r.u16("capture sampling rate (horizontal)")?;
    let capture_res_y = r.u16("capture sampling rate (vertical)")?;
    let image_res_x = r.u16("image sampling rate (horizontal)")?;
    let image_res_y = r.u16("image sampling rate (vertical)")?;
    let bit_depth = r.u8("bit depth")?;
    let compression_offset = r.pos();
    let compression =
        FingerCompression::from_code(r.u8("compression algorithm")?, compression_offset)?;
    let impression_type = r.u8("impression type")?;
    let width = r.u16("horizontal line length")?;
    let height = r.u16("vertical line length")?;
    let len_offset = r.pos();
    let data_len = r.u32("image data length")?;
    if data_len as usize > r.remaining() {
        return Err(IsoError::LengthMismatch {
            field: "image data length",
            offset: len_offset,
            declared: data_len.into(),
            actual: r.remaining() as u64,
        });
    }
    let image_data = r.take(data_len as usize, "image data")?.to_vec();
    let mut extended = Vec::new();
    while r.remaining() > 0 {
        let offset = r.pos();
        let block_type = r.u16("extended data block type")?;
        let len = r.u16("extended data block length")?;
        if len < 4 {
            return Err(IsoError::InvalidField {
                field: "extended data block length",
                offset: offset + 2,
                reason: format!("{len} is shorter than the block header"),
            });
        }
        let data = r
            .take(usize::from(len) - 4, "extended data block")?
            .to_vec();
        extended.push(ExtendedBlock { block_type, data });
    }
    Ok(FingerImageRepresentation {
        capture_time,
        device_technology,
        device_vendor,
        device_type,
        quality,
        certifications,
        position,
        representation_number,
        scale_units,
        capture_res_x,
        capture_res_y,
        image_res_x,
        image_res_y,
        bit_depth,
        compression,
        impression_type,
        width,
        height,
        image_data,
        extended,
    })
}

fn write_representation(
    rep: &FingerImageRepresentation,
    certified: bool,
    out: &mut Vec<u8>,
) -> Result<(), IsoError> {
    if !certified && !rep.certifications.is_empty() {
        return Err(IsoError::InvalidField {
            field: "certification blocks",
            offset: out.len(),
            reason: "a record without the certification flag cannot carry certification blocks"
                .into(),
        });
    }
    let mut b = Vec::with_capacity(64 + rep.image_data.len());
    rep.capture_time.write(&mut b);
    b.push(rep.device_technology);
    b.extend_from_slice(&rep.device_vendor.to_be_bytes());
    b.extend_from_slice(&rep.device_type.to_be_bytes());
    write_quality_blocks(&rep.quality, &mut b)?;
    if certified {
        write_certification_blocks(&rep.certifications, &mut b)?;
    }
    b.extend_from_slice(&[rep.position, rep.representation_number, rep.scale_units]);
    for v in [
        rep.capture_res_x,
        rep.capture_res_y,
        rep.image_res_x,
        rep.image_res_y,
    ] {
        b.extend_from_slice(&v.to_be_bytes());
    }
    b.extend_from_slice(&[rep.bit_depth, rep.compression.code(), rep.impression_type]);
    b.extend_from_slice(&rep.width.to_be_bytes());
    b.extend_from_slice(&rep.height.to_be_bytes());
    let n = fit::<u32>(rep.image_data.len(), "image data length", u32::MAX.into())?;
    b.extend_from_slice(&n.to_be_bytes());
    b.extend_from_slice(&rep.image_data);
    for block in &rep.extended {
        let len = fit::<u16>(
            block.data.len() + 4,
            "extended data block length",
            u16::MAX.into(),
        )?;
        b.extend_from_slice(&block.block_type.to_be_bytes());
        b.extend_from_slice(&len.to_be_bytes());
        b.extend_from_slice(&block.data);
    }
    let total = fit::<u32>(b.len() + 4, "representation length", u32::MAX.into())?;
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&b);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_png_finger_reads_back_as_written() {
        let image = GrayImage {
            width: 40,
            height: 30,
            pixels: (0..1200u32).map(|i| (i * 7 % 251) as u8).collect(),
            ppi: Some(500),
        };
        let when = CaptureDateTime {
            year: 2026,
            month: 11,
            day: 27,
            hour: 10,
            minute: 30,
            second: 0,
            millisecond: 0,
        };
        let bytes = FingerImageRecord::one_png(7, &image, 66, when).expect("written");
        let rec = FingerImageRecord::parse(&bytes).expect("parsed");
        let rep = &rec.representations[0];
        assert_eq!((rep.position, rep.quality[0].score), (7, 66));
        assert_eq!(rep.decode_image().expect("decoded").pixels, image.pixels);
    }
    use crate::iso::tests_support::{capture_time, certification, quality};
    use proptest::prelude::*;

    fn compression() -> impl Strategy<Value = FingerCompression> {
        (0u8..7).prop_map(|c| FingerCompression::from_code(c, 0).expect("valid code"))
    }

    fn extended() -> impl Strategy<Value = ExtendedBlock> {
        (any::<u16>(), prop::collection::vec(any::<u8>(), 0..20))
            .prop_map(|(block_type, data)| ExtendedBlock { block_type, data })
    }

    fn representation(certified: bool) -> impl Strategy<Value = FingerImageRepresentation> {
        (
            (capture_time(), any::<u8>(), any::<u16>(), any::<u16>()),
            prop::collection::vec(quality(), 0..3),
            prop::collection::vec(certification(), if certified { 0..3 } else { 0..1 }),
            (any::<u8>(), any::<u8>(), any::<u8>(), [any::<u16>(); 4]),
            (
                any::<u8>(),
                compression(),
                any::<u8>(),
                any::<u16>(),
                any::<u16>(),
            ),
            prop::collection::vec(any::<u8>(), 0..64),
            prop::collection::vec(extended(), 0..3),
        )
            .prop_map(
                |(
                    (capture_time, device_technology, device_vendor, device_type),
                    quality,
                    certifications,
                    (position, representation_number, scale_units, res),
                    (bit_depth, compression, impression_type, width, height),
                    image_data,
                    extended,
                )| FingerImageRepresentation {
                    capture_time,
                    device_technology,
                    device_vendor,
                    device_type,
                    quality,
                    certifications,
                    position,
                    representation_number,
                    scale_units,
                    capture_res_x: res[0],
                    capture_res_y: res[1],
                    image_res_x: res[2],
                    image_res_y: res[3],
                    bit_depth,
                    compression,
                    impression_type,
                    width,
                    height,
                    image_data,
                    extended,
                },
            )
    }

    fn record() -> impl Strategy<Value = FingerImageRecord> {
        any::<bool>().prop_flat_map(|certified| {
            (
                any::<u8>(),
                prop::collection::vec(representation(certified), 0..3),
            )
                .prop_map(move |(distinct_positions, representations)| {
                    FingerImageRecord {
                        certified,
                        distinct_positions,
                        representations,
                    }
                })
        })
    }

    proptest! {
        #[test]
        fn round_trip(rec in record()) {
            let bytes = rec.to_bytes().expect("generated records fit");
            prop_assert_eq!(FingerImageRecord::parse(&bytes).expect("own output parses"), rec);
        }

        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = FingerImageRecord::parse(&body);
            let mut bytes = b"FIR\x00020\x00".to_vec();
            bytes.extend_from_slice(&((body.len() + 12) as u32).to_be_bytes());
            bytes.extend_from_slice(&body);
            if let Ok(rec) = FingerImageRecord::parse(&bytes) {
                for rep in &rec.representations {
                    let _ = rep.decode_image();
                }
            }
        }

        #[test]
        fn mutated_records_never_panic(rec in record(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
            let mut bytes = rec.to_bytes().expect("generated records fit");
            for (at, v) in edits {
                let i = at.index(bytes.len());
                bytes[i] = v;
            }
            if let Ok(rec) = FingerImageRecord::parse(&bytes) {
                for rep in &rec.representations {
                    let _ = rep.decode_image();
                }
            }
            let _ = FingerImageRecord::parse(&bytes[..cut.index(bytes.len())]);
        }
    }

    #[test]
    fn raw_image_decodes_and_wrong_dimensions_are_caught() {
        let mut rec = FingerImageRecord {
            certified: false,
            distinct_positions: 1,
            representations: vec![FingerImageRepresentation {
                capture_time: CaptureDateTime {
                    year: 2024,
                    month: 1,
                    day: 2,
                    hour: 3,
                    minute: 4,
                    second: 5,
                    millisecond: 6,
                },
                device_technology: 0,
                device_vendor: 0,
                device_type: 0,
                quality: vec![],
                certifications: vec![],
                position: 2,
                representation_number: 0,
                scale_units: 2,
                capture_res_x: 197,
                capture_res_y: 197,
                image_res_x: 197,
                image_res_y: 197,
                bit_depth: 8,
                compression: FingerCompression::Raw,
                impression_type: 0,
                width: 3,
                height: 2,
                image_data: vec![1, 2, 3, 4, 5, 6],
                extended: vec![],
            }],
        };
        let parsed = FingerImageRecord::parse(&rec.to_bytes().expect("fits")).expect("parses");
        let img = parsed.representations[0]
            .decode_image()
            .expect("raw decodes");
        assert_eq!((img.width, img.height, img.ppi), (3, 2, Some(500)));
        assert_eq!(img.pixels, vec![1, 2, 3, 4, 5, 6]);
        rec.representations[0].width = 4;
        assert!(rec.representations[0].decode_image().is_err());
    }

    #[test]
    fn mockmds_finger_records_parse_decode_and_rewrite() {
        let Some(dir) = crate::iso::tests_support::shared_data() else {
            return;
        };
        let mut seen = 0;
        for sub in ["Registration", "Auth"] {
            let Ok(entries) = std::fs::read_dir(dir.join("mockmds").join(sub)) else {
                continue;
            };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                let bytes = std::fs::read(&path).expect("readable");
                if !bytes.starts_with(MAGIC) {
                    continue;
                }
                let name = path.display().to_string();
                let rec =
                    FingerImageRecord::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    rec.to_bytes().expect("fits"),
                    bytes,
                    "{name}: rewrite differs"
                );
                let rep = &rec.representations[0];
                let expected = if name.ends_with(".wsq.iso") {
                    FingerCompression::Wsq
                } else if sub == "Registration" {
                    FingerCompression::Jpeg2000Lossless
                } else {
                    FingerCompression::Jpeg2000Lossy
                };
                assert_eq!(rep.compression, expected, "{name}");
                assert!(
                    (1..=10).contains(&rep.position),
                    "{name}: position {}",
                    rep.position
                );
                assert_eq!((rep.bit_depth, rep.image_res_x), (8, 500), "{name}");
                let img = rep.decode_image().unwrap_or_else(|e| panic!("{name}: {e}"));
                let dark = img.pixels.iter().filter(|&&p| p < 128).count() as f64
                    / img.pixels.len() as f64;
                assert!(
                    (0.05..0.8).contains(&dark),
                    "{name}: {dark:.2} of pixels are dark"
                );
                seen += 1;
            }
        }
        assert_eq!(
            seen,
            10 + 10 + 10,
            "expected 10 registration, 10 JPEG 2000 and 10 WSQ finger records"
        );
    }
}
