//! ISO/IEC 19794-6:2011 iris image records (format identifier `IIR`, version `020`).
//!
//! Iris cameras deliver each eye as one of these records. Registration devices send kind K3
//! (cropped around the iris), authentication devices often K7 (cropped, with eyelids and sclera
//! masked to a constant grey), in both cases compressed as JPEG 2000 or PNG. Layout (big-endian):
//!
//! - general header, 16 bytes: `IIR\0`, `020\0`, record length (4), number of representations
//!   (2), certification flag (1), number of eyes represented (1);
//! - per representation: representation length (4), capture date and time (9), capture device
//!   technology (1), vendor (2) and type (2), quality blocks (1 + 5 each), certification blocks
//!   (1 + 3 each, only when the certification flag is set), representation number (2), eye label
//!   (1), image type (1), image format (1), image properties (1), width and height (2 + 2), bit
//!   depth (1), range (2), roll angle and its uncertainty (2 + 2), smallest and largest iris
//!   centre x and y (4 x 2), smallest and largest iris diameter (2 + 2), image length (4), image.
//!
//! The MOSIP device records were checked byte by byte against this layout (the representation
//! number there is two bytes wide, and the compression history sits in the top two bits of the
//! image properties).

use super::{
    CaptureDateTime, CertificationBlock, IsoError, QualityBlock, Reader, fit, framed,
    read_certification_blocks, read_quality_blocks, representation_slice,
    write_certification_blocks, write_quality_blocks,
};
use crate::image::{self, GrayImage, ImageError};

const MAGIC: &[u8; 4] = b"IIR\0";
const VERSION: &[u8; 4] = b"020\0";
const HEADER_LEN: usize = 16;

/// An iris image record: one or more images of one or both eyes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrisImageRecord {
    /// Whether every representation carries certification blocks.
    pub certified: bool,
    /// The number of eyes the record covers, as the writer declared it.
    pub eyes: u8,
    /// The captured images, usually one per eye.
    pub representations: Vec<IrisImageRepresentation>,
}

/// Which eye an image shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EyeLabel {
    Unknown,
    Right,
    Left,
}

/// The kind of iris image, which says how it was cropped and masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IrisImageType {
    /// K1: the camera's whole frame.
    Uncropped,
    /// K2: 640x480.
    Vga,
    /// K3: cropped around the iris with standard margins.
    Cropped,
    /// K7: cropped, with the region outside the iris masked.
    CroppedMasked,
}

/// How the image data is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IrisImageFormat {
    /// Uncompressed monochrome samples.
    MonoRaw,
    /// JPEG 2000 (JP2 or codestream).
    Jpeg2000,
    /// PNG.
    Png,
}

/// One iris image with its capture and geometry metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrisImageRepresentation {
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
    /// Distinguishes several representations of the same eye.
    pub representation_number: u16,
    /// Which eye this is.
    pub eye: EyeLabel,
    /// How the image was cropped and masked (K1, K2, K3 or K7).
    pub image_type: IrisImageType,
    /// How `image_data` is encoded.
    pub format: IrisImageFormat,
    /// Bits 0-1 horizontal orientation, 2-3 vertical orientation, 6-7 compression history; see
    /// the accessor methods.
    pub properties: u8,
    /// Image width in pixels.
    pub width: u16,
    /// Image height in pixels.
    pub height: u16,
    /// Bits per pixel (8 for every device Amparo meets).
    pub bit_depth: u8,
    /// Camera-to-eye distance in centimetres; 0 unknown.
    pub range: u16,
    /// Roll of the eye in units of 360/65536 degrees; 0xffff undefined.
    pub roll_angle: u16,
    /// Uncertainty of `roll_angle`, same units; 0xffff undefined.
    pub roll_uncertainty: u16,
    /// Smallest and largest estimate of the iris centre column; 0 unknown.
    pub iris_center_x: (u16, u16),
    /// Smallest and largest estimate of the iris centre row; 0 unknown.
    pub iris_center_y: (u16, u16),
    /// Smallest and largest estimate of the iris diameter in pixels; 0 unknown.
    pub iris_diameter: (u16, u16),
    /// The encoded image exactly as stored.
    pub image_data: Vec<u8>,
}

/// How the image was compressed before this record, from the image properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompressionHistory {
    /// Not stated.
    Undefined,
    /// Never compressed, or only losslessly.
    LosslessOrNone,
    /// Compressed lossily at some point.
    Lossy,
    /// A value the standard reserves.
    Reserved,
}

impl IrisImageRepresentation {
    /// Horizontal orientation: 0 undefined, 1 base, 2 flipped.
    pub fn horizontal_orientation(&self) -> u8 {
        self.properties & 0b11
    }

    /// Vertical orientation: 0 undefined, 1 base, 2 flipped.
    pub fn vertical_orientation(&self) -> u8 {
        (self.properties >> 2) & 0b11
    }

    pub fn compression_history(&self) -> CompressionHistory {
        match self.properties >> 6 {
            0 => CompressionHistory::Undefined,
            1 => CompressionHistory::LosslessOrNone,
            2 => CompressionHistory::Lossy,
            _ => CompressionHistory::Reserved,
        }
    }

    /// Decodes the embedded image to 8-bit greyscale and checks it against the header.
    pub fn decode_image(&self) -> Result<GrayImage, IsoError> {
        let (width, height) = (usize::from(self.width), usize::from(self.height));
        let img = match self.format {
            IrisImageFormat::MonoRaw if self.bit_depth == 8 => {
                image::check_dimensions(width, height)?;
                GrayImage::new(width, height, self.image_data.clone())?
            }
            IrisImageFormat::MonoRaw => {
                return Err(ImageError::Unsupported(format!(
                    "raw iris image at bit depth {}",
                    self.bit_depth
                ))
                .into());
            }
            IrisImageFormat::Jpeg2000 => image::decode_jpeg2000(&self.image_data)?,
            IrisImageFormat::Png => image::decode_png(&self.image_data)?,
        };
        if (img.width, img.height) != (width, height) {
            return Err(ImageError::Malformed(format!(
                "image is {}x{} but the record says {width}x{height}",
                img.width, img.height
            ))
            .into());
        }
        Ok(img)
    }
}

impl IrisImageRecord {
    /// Reads a record; bytes after the declared record length are ignored.
    pub fn parse(bytes: &[u8]) -> Result<Self, IsoError> {
        let mut r = Reader::new(bytes);
        r.expect_header("iris image (ISO 19794-6:2011)", MAGIC, VERSION)?;
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
        let eyes = r.u8("number of eyes represented")?;
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
            eyes,
            representations,
        })
    }

    /// The record of one eye (kind K3, cropped), the image inside as lossless PNG: what a
    /// device emulator and test fixtures send.
    pub fn one_png(
        left: bool,
        image: &GrayImage,
        quality: u8,
        captured: CaptureDateTime,
    ) -> Result<Vec<u8>, IsoError> {
        Self {
            certified: false,
            eyes: 1,
            representations: vec![IrisImageRepresentation {
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
                representation_number: 1,
                eye: if left {
                    EyeLabel::Left
                } else {
                    EyeLabel::Right
                },
                image_type: IrisImageType::Cropped,
                format: IrisImageFormat::Png,
                // Base orientation both ways; never compressed lossily.
                properties: 0b0100_0101,
                width: fit(image.width, "width", u64::from(u16::MAX))?,
                height: fit(image.height, "height", u64::from(u16::MAX))?,
                bit_depth: 8,
                range: 0,
                roll_angle: 0xffff,
                roll_uncertainty: 0xffff,
                iris_center_x: (0, 0),
                iris_center_y: (0, 0),
                iris_diameter: (0, 0),
                image_data: image::encode_png(image)?,
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
        out.push(self.eyes);
        out.extend_from_slice(&body);
        Ok(out)
    }
}

fn invalid(field: &'static str, offset: usize, code: u8) -> IsoError {
    IsoError::InvalidField {
        field,
        offset,
        reason: format!("unknown code {code}"),
    }
}

fn read_representation(
    outer: &mut Reader<'_>,
    certified: bool,
) -> Result<IrisImageRepresentation, IsoError> {
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
    let representation_number = r.u16("representation number")?;
    let offset = r.pos();
    let eye = match r.u8("eye label")? {
        0 => EyeLabel::Unknown,
        1 => EyeLabel::Right,
        2 => EyeLabel::Left,
        c => return Err(invalid("eye label", offset, c)),
    };
    let offset = r.pos();
    let image_type = match r.u8("image type")? {
        1 => IrisImageType::Uncropped,
        2 => IrisImageType::Vga,
        3 => IrisImageType::Cropped,
        7 => IrisImageType::CroppedMasked,
        c => return Err(invalid("image type", offset, c)),
    };
    let offset = r.pos();
    let format = match r.u8("image format")? {
        2 => IrisImageFormat::MonoRaw,
        10 => IrisImageFormat::Jpeg2000,
        14 => IrisImageFormat::Png,
        c => return Err(invalid("image format", offset, c)),
    };
    let properties = r.u8("image properties")?;
    let width = r.u16("image width")?;
    let height = r.u16("image height")?;
    let bit_depth = r.u8("bit depth")?;
    let range = r.u16("range")?;
    let roll_angle = r.u16("roll angle")?;
    let roll_uncertainty = r.u16("roll angle uncertainty")?;
    let iris_center_x = (
        r.u16("iris centre smallest x")?,
        r.u16("iris centre largest x")?,
    );
    let iris_center_y = (
        r.u16("iris centre smallest y")?,
        r.u16("iris centre largest y")?,
    );
    let iris_diameter = (
        r.u16("iris diameter smallest")?,
        r.u16("iris diameter largest")?,
    );
    let len_offset = r.pos();
    let data_len = r.u32("image length")?;
    if data_len as usize != r.remaining() {
        return Err(IsoError::LengthMismatch {
            field: "image length",
            offset: len_offset,
            declared: data_len.into(),
            actual: r.remaining() as u64,
        });
    }
    let image_data = r.take(data_len as usize, "image data")?.to_vec();
    Ok(IrisImageRepresentation {
        capture_time,
        device_technology,
        device_vendor,
        device_type,
        quality,
        certifications,
        representation_number,
        eye,
        image_type,
        format,
        properties,
        width,
        height,
        bit_depth,
        range,
        roll_angle,
        roll_uncertainty,
        iris_center_x,
        iris_center_y,
        iris_diameter,
        image_data,
    })
}

fn write_representation(
    rep: &IrisImageRepresentation,
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
    b.extend_from_slice(&rep.representation_number.to_be_bytes());
    b.push(match rep.eye {
        EyeLabel::Unknown => 0,
        EyeLabel::Right => 1,
        EyeLabel::Left => 2,
    });
    b.push(match rep.image_type {
        IrisImageType::Uncropped => 1,
        IrisImageType::Vga => 2,
        IrisImageType::Cropped => 3,
        IrisImageType::CroppedMasked => 7,
    });
    b.push(match rep.format {
        IrisImageFormat::MonoRaw => 2,
        IrisImageFormat::Jpeg2000 => 10,
        IrisImageFormat::Png => 14,
    });
    b.push(rep.properties);
    b.extend_from_slice(&rep.width.to_be_bytes());
    b.extend_from_slice(&rep.height.to_be_bytes());
    b.push(rep.bit_depth);
    for v in [
        rep.range,
        rep.roll_angle,
        rep.roll_uncertainty,
        rep.iris_center_x.0,
        rep.iris_center_x.1,
        rep.iris_center_y.0,
        rep.iris_center_y.1,
        rep.iris_diameter.0,
        rep.iris_diameter.1,
    ] {
        b.extend_from_slice(&v.to_be_bytes());
    }
    let n = fit::<u32>(rep.image_data.len(), "image length", u32::MAX.into())?;
    b.extend_from_slice(&n.to_be_bytes());
    b.extend_from_slice(&rep.image_data);
    let total = fit::<u32>(b.len() + 4, "representation length", u32::MAX.into())?;
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&b);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_png_eye_reads_back_as_written() {
        let image = GrayImage {
            width: 64,
            height: 48,
            pixels: (0..3072u32).map(|i| (i * 13 % 251) as u8).collect(),
            ppi: None,
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
        let bytes = IrisImageRecord::one_png(true, &image, 90, when).expect("written");
        let rec = IrisImageRecord::parse(&bytes).expect("parsed");
        let rep = &rec.representations[0];
        assert_eq!(rep.eye, EyeLabel::Left);
        assert_eq!(rep.decode_image().expect("decoded").pixels, image.pixels);
    }
    use crate::iso::tests_support::{capture_time, certification, quality};
    use proptest::prelude::*;

    fn representation(certified: bool) -> impl Strategy<Value = IrisImageRepresentation> {
        (
            (capture_time(), any::<u8>(), any::<u16>(), any::<u16>()),
            prop::collection::vec(quality(), 0..3),
            prop::collection::vec(certification(), if certified { 0..3 } else { 0..1 }),
            (any::<u16>(), 0usize..3, 0usize..4, 0usize..3, any::<u8>()),
            (any::<u16>(), any::<u16>(), any::<u8>(), [any::<u16>(); 9]),
            prop::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(
                |(
                    (capture_time, device_technology, device_vendor, device_type),
                    quality,
                    certifications,
                    (representation_number, eye, kind, format, properties),
                    (width, height, bit_depth, v),
                    image_data,
                )| IrisImageRepresentation {
                    capture_time,
                    device_technology,
                    device_vendor,
                    device_type,
                    quality,
                    certifications,
                    representation_number,
                    eye: [EyeLabel::Unknown, EyeLabel::Right, EyeLabel::Left][eye],
                    image_type: [
                        IrisImageType::Uncropped,
                        IrisImageType::Vga,
                        IrisImageType::Cropped,
                        IrisImageType::CroppedMasked,
                    ][kind],
                    format: [
                        IrisImageFormat::MonoRaw,
                        IrisImageFormat::Jpeg2000,
                        IrisImageFormat::Png,
                    ][format],
                    properties,
                    width,
                    height,
                    bit_depth,
                    range: v[0],
                    roll_angle: v[1],
                    roll_uncertainty: v[2],
                    iris_center_x: (v[3], v[4]),
                    iris_center_y: (v[5], v[6]),
                    iris_diameter: (v[7], v[8]),
                    image_data,
                },
            )
    }

    fn record() -> impl Strategy<Value = IrisImageRecord> {
        any::<bool>().prop_flat_map(|certified| {
            (
                any::<u8>(),
                prop::collection::vec(representation(certified), 0..3),
            )
                .prop_map(move |(eyes, representations)| IrisImageRecord {
                    certified,
                    eyes,
                    representations,
                })
        })
    }

    proptest! {
        #[test]
        fn round_trip(rec in record()) {
            let bytes = rec.to_bytes().expect("generated records fit");
            prop_assert_eq!(IrisImageRecord::parse(&bytes).expect("own output parses"), rec);
        }

        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = IrisImageRecord::parse(&body);
            let mut bytes = b"IIR\x00020\x00".to_vec();
            bytes.extend_from_slice(&((body.len() + 12) as u32).to_be_bytes());
            bytes.extend_from_slice(&body);
            if let Ok(rec) = IrisImageRecord::parse(&bytes) {
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
            if let Ok(rec) = IrisImageRecord::parse(&bytes) {
                for rep in &rec.representations {
                    let _ = rep.decode_image();
                }
            }
            let _ = IrisImageRecord::parse(&bytes[..cut.index(bytes.len())]);
        }
    }

    #[test]
    fn properties_bits() {
        let mut rep = IrisImageRecord::parse(&sample_record())
            .expect("parses")
            .representations
            .remove(0);
        rep.properties = 0b1000_0110;
        assert_eq!(rep.horizontal_orientation(), 2);
        assert_eq!(rep.vertical_orientation(), 1);
        assert_eq!(rep.compression_history(), CompressionHistory::Lossy);
        let img = rep.decode_image().expect("raw decodes");
        assert_eq!(
            (img.width, img.height, img.pixels.as_slice()),
            (2, 2, &[9u8, 8, 7, 6][..])
        );
    }

    fn sample_record() -> Vec<u8> {
        IrisImageRecord {
            certified: false,
            eyes: 1,
            representations: vec![IrisImageRepresentation {
                capture_time: CaptureDateTime {
                    year: 2022,
                    month: 12,
                    day: 22,
                    hour: 14,
                    minute: 38,
                    second: 22,
                    millisecond: 994,
                },
                device_technology: 1,
                device_vendor: 0,
                device_type: 0,
                quality: vec![],
                certifications: vec![],
                representation_number: 1,
                eye: EyeLabel::Left,
                image_type: IrisImageType::Cropped,
                format: IrisImageFormat::MonoRaw,
                properties: 0x40,
                width: 2,
                height: 2,
                bit_depth: 8,
                range: 0,
                roll_angle: 0xffff,
                roll_uncertainty: 0xffff,
                iris_center_x: (0, 0),
                iris_center_y: (0, 0),
                iris_diameter: (0, 0),
                image_data: vec![9, 8, 7, 6],
            }],
        }
        .to_bytes()
        .expect("fits")
    }

    #[test]
    fn mockmds_iris_records_parse_decode_and_rewrite() {
        let Some(dir) = crate::iso::tests_support::shared_data() else {
            return;
        };
        for (sub, kind, history) in [
            (
                "Registration",
                IrisImageType::Cropped,
                CompressionHistory::LosslessOrNone,
            ),
            (
                "Auth",
                IrisImageType::CroppedMasked,
                CompressionHistory::Lossy,
            ),
        ] {
            for (eye, label) in [("Left", EyeLabel::Left), ("Right", EyeLabel::Right)] {
                let path = dir
                    .join("mockmds")
                    .join(sub)
                    .join(format!("0001{eye}_Iris.iso"));
                let name = path.display().to_string();
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
                let rec = IrisImageRecord::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    rec.to_bytes().expect("fits"),
                    bytes,
                    "{name}: rewrite differs"
                );
                let rep = &rec.representations[0];
                assert_eq!(
                    (rep.eye, rep.image_type, rep.format),
                    (label, kind, IrisImageFormat::Jpeg2000),
                    "{name}"
                );
                assert_eq!(rep.compression_history(), history, "{name}");
                let img = rep.decode_image().unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(
                    img.width >= 300 && img.height >= 250,
                    "{name}: {}x{}",
                    img.width,
                    img.height
                );
                // An iris image has a dark pupil and lighter sclera or skin.
                let dark = img.pixels.iter().filter(|&&p| p < 60).count();
                let light = img.pixels.iter().filter(|&&p| p > 120).count();
                assert!(
                    dark > 500 && light > 5000,
                    "{name}: {dark} dark and {light} light pixels"
                );
            }
        }
    }
}
