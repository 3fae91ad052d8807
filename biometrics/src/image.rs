//! Greyscale images as the algorithms see them, and the decoders that produce them.

use thiserror::Error;

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
        Ok(Self { width, height, pixels, ppi: None })
    }

    /// The pixel at (x, y); callers keep coordinates inside the image.
    #[inline]
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }
}
