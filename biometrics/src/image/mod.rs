//! Greyscale images as the algorithms see them, and the decoders that produce them.
//!
//! Fingerprint and iris algorithms work on 8-bit greyscale, while images arrive as PNG or TIFF
//! (data sets), WSQ (fingerprint scanners and archives) or JPEG 2000 (ISO 19794 device records).
//! [`decode`] recognises the format from its first bytes so callers need not know it; the
//! per-format functions are there for callers that do. Colour input is reduced to luma
//! (ITU-R BT.601 weights), higher bit depths to 8 bits.

mod jpeg2000;
mod png_image;
mod tiff_image;
mod wsq;

pub use jpeg2000::decode_jpeg2000;
pub use png_image::{decode_png, encode_png};
pub use tiff_image::decode_tiff;
pub use wsq::decode_wsq;

use thiserror::Error;

/// The largest image any decoder will allocate, in pixels: far above any finger or iris capture,
/// far below what would exhaust memory when a header lies.
pub const MAX_PIXELS: usize = 1 << 26;

/// An 8-bit greyscale image, row-major, one byte per pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
    /// Resolution in pixels per inch when the source said so.
    pub ppi: Option<u16>,
}

/// Why an image could not be decoded.
#[derive(Debug, Error)]
pub enum ImageError {
    #[error("unsupported image: {0}")]
    Unsupported(String),
    #[error("malformed image: {0}")]
    Malformed(String),
}

impl GrayImage {
    /// Builds an image, checking that the pixel buffer matches the dimensions.
    pub fn new(width: usize, height: usize, pixels: Vec<u8>) -> Result<Self, ImageError> {
        if width.checked_mul(height) != Some(pixels.len()) {
            return Err(ImageError::Malformed(format!(
                "{width}x{height} image with {} pixels",
                pixels.len()
            )));
        }
        Ok(Self {
            width,
            height,
            pixels,
            ppi: None,
        })
    }

    /// The pixel at (x, y); callers keep coordinates inside the image.
    #[inline]
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }
}

/// The image formats [`decode`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Tiff,
    Wsq,
    /// A JPEG 2000 codestream (J2K) or a JP2 file.
    Jpeg2000,
}

/// Recognises the format from the signature at the start of the data.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    const JP2_SIGNATURE: &[u8] = &[
        0, 0, 0, 0x0c, b'j', b'P', b' ', b' ', 0x0d, 0x0a, 0x87, 0x0a,
    ];
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
        || bytes.starts_with(b"II+\0")
        || bytes.starts_with(b"MM\0+")
    {
        Some(ImageFormat::Tiff)
    } else if bytes.starts_with(&[0xff, 0xa0]) {
        Some(ImageFormat::Wsq)
    } else if bytes.starts_with(JP2_SIGNATURE) || bytes.starts_with(&[0xff, 0x4f, 0xff, 0x51]) {
        Some(ImageFormat::Jpeg2000)
    } else {
        None
    }
}

/// Decodes a PNG, TIFF, WSQ or JPEG 2000 image to 8-bit greyscale, whichever it is.
pub fn decode(bytes: &[u8]) -> Result<GrayImage, ImageError> {
    match sniff(bytes) {
        Some(ImageFormat::Png) => decode_png(bytes),
        Some(ImageFormat::Tiff) => decode_tiff(bytes),
        Some(ImageFormat::Jpeg2000) => decode_jpeg2000(bytes),
        Some(ImageFormat::Wsq) => decode_wsq(bytes),
        None => Err(ImageError::Unsupported(format!(
            "unrecognised image signature {:02x?}",
            &bytes[..bytes.len().min(8)]
        ))),
    }
}

/// Checks dimensions from a header before anything is allocated for them.
pub(crate) fn check_dimensions(width: usize, height: usize) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Malformed(format!(
            "empty image {width}x{height}"
        )));
    }
    match width.checked_mul(height) {
        Some(n) if n <= MAX_PIXELS => Ok(()),
        _ => Err(ImageError::Unsupported(format!(
            "{width}x{height} image exceeds the limit of {MAX_PIXELS} pixels"
        ))),
    }
}

/// BT.601 luma, the conventional weighting for turning colour captures into grey.
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000) as u8
}

/// Reduces interleaved 8-bit samples (grey, grey+alpha, RGB or RGBA) to grey, ignoring alpha.
pub(crate) fn to_gray(samples: &[u8], channels: usize) -> Result<Vec<u8>, ImageError> {
    match channels {
        1 => Ok(samples.to_vec()),
        2 => Ok(samples.chunks_exact(2).map(|p| p[0]).collect()),
        3 | 4 => Ok(samples
            .chunks_exact(channels)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect()),
        n => Err(ImageError::Unsupported(format!("{n} channels per pixel"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_recognises_each_format() {
        let mut png_bytes = Vec::new();
        let mut enc = png::Encoder::new(&mut png_bytes, 2, 1);
        enc.set_color(png::ColorType::Grayscale);
        let mut w = enc.write_header().expect("header");
        w.write_image_data(&[7, 9]).expect("data");
        w.finish().expect("finish");
        assert_eq!(sniff(&png_bytes), Some(ImageFormat::Png));
        assert_eq!(decode(&png_bytes).expect("PNG").pixels, vec![7, 9]);

        let mut tiff_bytes = std::io::Cursor::new(Vec::new());
        tiff::encoder::TiffEncoder::new(&mut tiff_bytes)
            .expect("encoder")
            .write_image::<tiff::encoder::colortype::Gray8>(1, 2, &[3, 4])
            .expect("write");
        assert_eq!(sniff(tiff_bytes.get_ref()), Some(ImageFormat::Tiff));
        assert_eq!(
            decode(tiff_bytes.get_ref()).expect("TIFF").pixels,
            vec![3, 4]
        );

        assert_eq!(sniff(&[0xff, 0xa0, 0xff, 0xa8]), Some(ImageFormat::Wsq));
        assert!(decode(&[0xff, 0xa0, 0xff, 0xa8]).is_err());
        assert_eq!(
            sniff(&[0xff, 0x4f, 0xff, 0x51, 0]),
            Some(ImageFormat::Jpeg2000)
        );
        assert_eq!(
            sniff(&[
                0, 0, 0, 0x0c, b'j', b'P', b' ', b' ', 0x0d, 0x0a, 0x87, 0x0a
            ]),
            Some(ImageFormat::Jpeg2000)
        );
        let err = decode(b"GIF89a").expect_err("unknown format");
        assert!(
            err.to_string().contains("unrecognised image signature"),
            "{err}"
        );
        assert!(decode(&[]).is_err());
    }

    #[test]
    fn oversized_headers_are_refused_before_allocation() {
        assert!(check_dimensions(1 << 16, 1 << 16).is_err());
        assert!(check_dimensions(0, 10).is_err());
        assert!(check_dimensions(500, 800).is_ok());
    }
}
