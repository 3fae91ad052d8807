//! TIFF decoding, for fingerprint data sets such as FVC.

use std::io::Cursor;

use tiff::ColorType;
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::{ResolutionUnit, Tag};

use super::{GrayImage, ImageError, check_dimensions, to_gray};

/// Decodes the first image of a TIFF file (greyscale, grey+alpha, RGB or RGBA; 8 or 16 bits).
pub fn decode_tiff(bytes: &[u8]) -> Result<GrayImage, ImageError> {
    let malformed = |e: tiff::TiffError| ImageError::Malformed(format!("TIFF: {e}"));
    let mut decoder = Decoder::new(Cursor::new(bytes)).map_err(malformed)?;
    let (w, h) = decoder.dimensions().map_err(malformed)?;
    let (width, height) = (w as usize, h as usize);
    check_dimensions(width, height)?;
    let channels = match decoder.colortype().map_err(malformed)? {
        ColorType::Gray(8 | 16) => 1,
        ColorType::GrayA(8 | 16) => 2,
        ColorType::RGB(8 | 16) => 3,
        ColorType::RGBA(8 | 16) => 4,
        other => {
            return Err(ImageError::Unsupported(format!(
                "TIFF colour type {other:?}"
            )));
        }
    };
    let ppi = resolution_ppi(&mut decoder);
    let samples = match decoder.read_image().map_err(malformed)? {
        DecodingResult::U8(v) => v,
        DecodingResult::U16(v) => v.into_iter().map(|s| (s >> 8) as u8).collect(),
        _ => {
            return Err(ImageError::Unsupported(
                "TIFF sample format other than unsigned integers".into(),
            ));
        }
    };
    if samples.len() != width * height * channels {
        return Err(ImageError::Malformed(format!(
            "TIFF: {} samples for a {width}x{height} image with {channels} channel(s)",
            samples.len()
        )));
    }
    let mut image = GrayImage::new(width, height, to_gray(&samples, channels)?)?;
    image.ppi = ppi;
    Ok(image)
}

/// The horizontal resolution in pixels per inch, when the file states it in a known unit.
fn resolution_ppi(decoder: &mut Decoder<Cursor<&[u8]>>) -> Option<u16> {
    let (num, den) = match decoder.find_tag(Tag::XResolution).ok()?? {
        tiff::decoder::ifd::Value::Rational(n, d) => (f64::from(n), f64::from(d)),
        _ => return None,
    };
    if den == 0.0 {
        return None;
    }
    let unit = decoder
        .find_tag_unsigned::<u16>(Tag::ResolutionUnit)
        .ok()
        .flatten()
        .and_then(ResolutionUnit::from_u16)
        .unwrap_or(ResolutionUnit::Inch);
    let per_inch = match unit {
        ResolutionUnit::Inch => num / den,
        ResolutionUnit::Centimeter => num / den * 2.54,
        _ => return None,
    };
    (per_inch >= 1.0 && per_inch <= f64::from(u16::MAX)).then(|| per_inch.round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tiff::encoder::{TiffEncoder, colortype};

    #[test]
    fn grey_and_rgb_tiffs() {
        let mut out = Cursor::new(Vec::new());
        TiffEncoder::new(&mut out)
            .expect("encoder")
            .write_image::<colortype::Gray8>(3, 2, &[0, 1, 2, 100, 200, 255])
            .expect("write");
        let img = decode_tiff(out.get_ref()).expect("grey");
        assert_eq!((img.width, img.height), (3, 2));
        assert_eq!(img.pixels, vec![0, 1, 2, 100, 200, 255]);
        let mut out = Cursor::new(Vec::new());
        TiffEncoder::new(&mut out)
            .expect("encoder")
            .write_image::<colortype::RGB8>(1, 1, &[0, 255, 0])
            .expect("write");
        assert_eq!(
            decode_tiff(out.get_ref()).expect("rgb").pixels,
            vec![super::super::luma(0, 255, 0)]
        );
        assert!(decode_tiff(&out.get_ref()[..20]).is_err());
    }

    #[test]
    fn fvc_images_decode() {
        let Some(dir) = crate::iso::tests_support::shared_data() else {
            return;
        };
        for (db, w, h) in [
            ("DB1_B", 388, 374),
            ("DB2_B", 296, 560),
            ("DB3_B", 300, 300),
            ("DB4_B", 288, 384),
        ] {
            let path = dir.join("fvc2002").join(db).join("101_1.tif");
            let img = decode_tiff(&std::fs::read(&path).expect("readable")).expect("decodes");
            assert_eq!((img.width, img.height), (w, h), "{}", path.display());
            let mean =
                img.pixels.iter().map(|&p| f64::from(p)).sum::<f64>() / img.pixels.len() as f64;
            let dark = img.pixels.iter().filter(|&&p| p < 100).count();
            assert!((60.0..250.0).contains(&mean), "{db}: mean {mean}");
            assert!(
                dark > img.pixels.len() / 50,
                "{db}: only {dark} ridge pixels"
            );
        }
    }

    proptest! {
        #[test]
        fn arbitrary_and_mutated_tiffs_never_panic(
            body in prop::collection::vec(any::<u8>(), 0..200),
            pixels in prop::collection::vec(any::<u8>(), 12),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut header = b"II*\0".to_vec();
            header.extend_from_slice(&body);
            let _ = decode_tiff(&body);
            let _ = decode_tiff(&header);
            let mut out = Cursor::new(Vec::new());
            TiffEncoder::new(&mut out)
                .expect("encoder")
                .write_image::<colortype::Gray8>(4, 3, &pixels)
                .expect("write");
            let mut bytes = out.into_inner();
            prop_assert_eq!(decode_tiff(&bytes).expect("valid TIFF").pixels, pixels);
            for (at, v) in edits {
                let i = at.index(bytes.len());
                bytes[i] = v;
            }
            let _ = decode_tiff(&bytes);
            let _ = decode_tiff(&bytes[..cut.index(bytes.len())]);
        }
    }
}
