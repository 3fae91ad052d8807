//! PNG decoding, for data sets and for ISO 19794 records that carry PNG, and encoding, for the
//! records Amparo writes itself (test fixtures, device emulation).

use std::io::Cursor;

use png::{BitDepth, ColorType, Transformations, Unit};

use super::{GrayImage, ImageError, check_dimensions, to_gray};

/// Decodes a PNG of any colour type and bit depth to 8-bit greyscale.
pub fn decode_png(bytes: &[u8]) -> Result<GrayImage, ImageError> {
    check_chunks(bytes)?;
    let malformed = |e: png::DecodingError| ImageError::Malformed(format!("PNG: {e}"));
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(Transformations::normalize_to_color8());
    let header = decoder.read_header_info().map_err(malformed)?;
    let (width, height) = (header.width as usize, header.height as usize);
    check_dimensions(width, height)?;
    let mut reader = decoder.read_info().map_err(malformed)?;
    let ppi = reader.info().pixel_dims.and_then(|d| match d.unit {
        // PNG stores pixels per metre; 0.0254 m to the inch.
        Unit::Meter => u16::try_from((u64::from(d.xppu) * 254 + 5000) / 10000).ok(),
        Unit::Unspecified => None,
    });
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| ImageError::Unsupported("PNG frame too large".into()))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(malformed)?;
    if frame.bit_depth != BitDepth::Eight {
        return Err(ImageError::Unsupported(format!(
            "PNG bit depth {:?} after expansion",
            frame.bit_depth
        )));
    }
    let channels = match frame.color_type {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        ColorType::Indexed => {
            return Err(ImageError::Unsupported(
                "PNG palette left unexpanded".into(),
            ));
        }
    };
    let row = width * channels;
    let mut samples = Vec::with_capacity(row * height);
    for line in buf.chunks(frame.line_size).take(height) {
        samples.extend_from_slice(
            line.get(..row)
                .ok_or_else(|| ImageError::Malformed("PNG row too short".into()))?,
        );
    }
    let mut image = GrayImage::new(width, height, to_gray(&samples, channels)?)?;
    image.ppi = ppi;
    Ok(image)
}

/// Walks the chunks to IEND: the decoder stops reading at the end of the image data, so a cut
/// after it or bytes after IEND would pass unseen, and a damaged capture must be refused.
fn check_chunks(bytes: &[u8]) -> Result<(), ImageError> {
    let broken = |msg: String| ImageError::Malformed(format!("PNG: {msg}"));
    let mut at = 8;
    loop {
        let header = bytes
            .get(at..at + 8)
            .ok_or_else(|| broken(format!("cut at offset {at}: no IEND chunk")))?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let end = at
            .checked_add(12)
            .and_then(|e| e.checked_add(len))
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| {
                broken(format!(
                    "chunk at offset {at} declares {len} bytes, {} remain",
                    bytes.len() - at
                ))
            })?;
        if &header[4..8] == b"IEND" {
            if end != bytes.len() {
                return Err(broken(format!(
                    "{} byte(s) after the IEND chunk",
                    bytes.len() - end
                )));
            }
            return Ok(());
        }
        at = end;
    }
}

/// Encodes an 8-bit greyscale image as PNG (lossless), with its resolution when known.
pub fn encode_png(image: &GrayImage) -> Result<Vec<u8>, ImageError> {
    let failed = |e: png::EncodingError| ImageError::Malformed(format!("PNG encoding: {e}"));
    let width = u32::try_from(image.width)
        .map_err(|_| ImageError::Unsupported(format!("{} pixels wide", image.width)))?;
    let height = u32::try_from(image.height)
        .map_err(|_| ImageError::Unsupported(format!("{} pixels high", image.height)))?;
    if image.pixels.len() != image.width * image.height {
        return Err(ImageError::Malformed(format!(
            "{} pixels for a {}x{} image",
            image.pixels.len(),
            image.width,
            image.height
        )));
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(ColorType::Grayscale);
        encoder.set_depth(BitDepth::Eight);
        if let Some(ppi) = image.ppi {
            let ppm = (u32::from(ppi) * 10000 + 127) / 254;
            encoder.set_pixel_dims(Some(png::PixelDimensions {
                xppu: ppm,
                yppu: ppm,
                unit: Unit::Meter,
            }));
        }
        let mut writer = encoder.write_header().map_err(failed)?;
        writer.write_image_data(&image.pixels).map_err(failed)?;
        writer.finish().map_err(failed)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_png_decodes_to_the_same_pixels() {
        let pixels: Vec<u8> = (0..40 * 30).map(|i| (i * 7 % 251) as u8).collect();
        let mut image = GrayImage::new(40, 30, pixels).expect("image");
        image.ppi = Some(500);
        let back = decode_png(&encode_png(&image).expect("encode")).expect("decode");
        assert_eq!(back, image);
    }
    use proptest::prelude::*;

    fn encode(width: u32, height: u32, color: ColorType, depth: BitDepth, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(color);
        enc.set_depth(depth);
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: 19685,
            yppu: 19685,
            unit: Unit::Meter,
        }));
        let mut w = enc.write_header().expect("header");
        w.write_image_data(data).expect("data");
        w.finish().expect("finish");
        out
    }

    #[test]
    fn grey_colour_and_sixteen_bit() {
        let grey = decode_png(&encode(
            3,
            2,
            ColorType::Grayscale,
            BitDepth::Eight,
            &[0, 10, 20, 30, 40, 255],
        ))
        .expect("grey");
        assert_eq!((grey.width, grey.height, grey.ppi), (3, 2, Some(500)));
        assert_eq!(grey.pixels, vec![0, 10, 20, 30, 40, 255]);
        let rgb = decode_png(&encode(
            2,
            1,
            ColorType::Rgb,
            BitDepth::Eight,
            &[255, 0, 0, 10, 200, 30],
        ))
        .expect("rgb");
        assert_eq!(
            rgb.pixels,
            vec![
                super::super::luma(255, 0, 0),
                super::super::luma(10, 200, 30)
            ]
        );
        let wide = decode_png(&encode(
            2,
            1,
            ColorType::Grayscale,
            BitDepth::Sixteen,
            &[0x12, 0x34, 0xab, 0xcd],
        ))
        .expect("16-bit");
        assert_eq!(wide.pixels, vec![0x12, 0xab]);
        let packed = decode_png(&encode(
            8,
            1,
            ColorType::Grayscale,
            BitDepth::One,
            &[0b1010_0000],
        ))
        .expect("1-bit");
        assert_eq!(packed.pixels, vec![255, 0, 255, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn encoded_greyscale_decodes_to_the_same_pixels_and_resolution() {
        let pixels: Vec<u8> = (0..35u32).map(|i| (i * 7 % 256) as u8).collect();
        let mut image = GrayImage::new(7, 5, pixels).expect("image");
        image.ppi = Some(500);
        let back = decode_png(&encode_png(&image).expect("encodes")).expect("decodes");
        assert_eq!(back, image);
    }

    #[test]
    fn truncated_png_is_an_error() {
        let bytes = encode(
            3,
            2,
            ColorType::Grayscale,
            BitDepth::Eight,
            &[1, 2, 3, 4, 5, 6],
        );
        for cut in [8, 20, bytes.len() - 13] {
            assert!(decode_png(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_and_mutated_pngs_never_panic(
            body in prop::collection::vec(any::<u8>(), 0..200),
            pixels in prop::collection::vec(any::<u8>(), 12),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let _ = decode_png(&body);
            let mut bytes = encode(4, 3, ColorType::Grayscale, BitDepth::Eight, &pixels);
            prop_assert_eq!(decode_png(&bytes).expect("valid PNG").pixels, pixels);
            for (at, v) in edits {
                let i = at.index(bytes.len());
                bytes[i] = v;
            }
            let _ = decode_png(&bytes);
            let _ = decode_png(&bytes[..cut.index(bytes.len())]);
        }
    }
}
