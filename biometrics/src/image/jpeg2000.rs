//! JPEG 2000 decoding (JP2 files and raw codestreams), as carried by ISO 19794-4 and 19794-6
//! device records.
//!
//! Decoding is delegated to `hayro-jpeg2000`, a memory-safe pure-Rust decoder, so no C library is
//! needed to build or deploy. Its output is checked against OpenJPEG in the tests; that check
//! found version 0.3 off by up to 47 grey levels on the lossy MockMDS fingers, so 0.5 (which
//! agrees with OpenJPEG to within 1) is the minimum. Device records
//! come from outside the system: the header is read first so that absurd dimensions are refused
//! before anything is allocated, and a panic inside the third-party decoder is turned into an
//! error rather than taking the caller down.

use std::panic::{AssertUnwindSafe, catch_unwind};

use hayro_jpeg2000::{ColorSpace, DecodeSettings, DecoderContext, Image};

use super::{GrayImage, ImageError, check_dimensions, to_gray};

/// Decodes a JPEG 2000 image (JP2 box format or J2K codestream) to 8-bit greyscale.
pub fn decode_jpeg2000(bytes: &[u8]) -> Result<GrayImage, ImageError> {
    let settings = DecodeSettings::default();
    let (width, height, channels, samples) = catch_unwind(AssertUnwindSafe(|| {
        let image = Image::new(bytes, &settings)
            .map_err(|e| ImageError::Malformed(format!("JPEG 2000: {e:?}")))?;
        let (width, height) = (image.width() as usize, image.height() as usize);
        check_dimensions(width, height)?;
        let colour = match image.color_space() {
            ColorSpace::Gray => 1,
            ColorSpace::RGB => 3,
            ColorSpace::Icc {
                num_channels: n @ (1 | 3),
                ..
            } => usize::from(*n),
            other => {
                return Err(ImageError::Unsupported(format!(
                    "JPEG 2000 colour space {other:?}"
                )));
            }
        };
        let alpha = usize::from(image.has_alpha());
        let mut context = DecoderContext::default();
        let samples = image
            .decode(&mut context)
            .map_err(|e| ImageError::Malformed(format!("JPEG 2000: {e:?}")))?
            .data_u8();
        Ok((width, height, colour + alpha, samples))
    }))
    .map_err(|_| {
        ImageError::Malformed("JPEG 2000: the decoder failed on inconsistent data".into())
    })??;
    if samples.len() != width * height * channels {
        return Err(ImageError::Malformed(format!(
            "JPEG 2000: {} samples for a {width}x{height} image with {channels} channel(s)",
            samples.len()
        )));
    }
    // Drop the alpha channel of grey+alpha and RGB+alpha after the colour channels.
    GrayImage::new(width, height, to_gray(&samples, channels)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iso::finger_image::{FingerCompression, FingerImageRecord};
    use crate::iso::iris_image::IrisImageRecord;
    use proptest::prelude::*;
    use std::path::Path;
    use std::process::Command;

    /// Decodes with OpenJPEG's command-line tool into a binary PGM and reads it back.
    fn openjpeg(bytes: &[u8], tag: &str) -> Option<GrayImage> {
        let dir = std::env::temp_dir().join(format!("amparo-j2k-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let (input, output) = (dir.join("in.jp2"), dir.join("out.pgm"));
        std::fs::write(&input, bytes).ok()?;
        let status = Command::new("opj_decompress")
            .arg("-i")
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .arg("-quiet")
            .status()
            .ok()?;
        assert!(status.success(), "opj_decompress failed on {tag}");
        let pgm = std::fs::read(&output).expect("opj_decompress wrote its output");
        std::fs::remove_dir_all(&dir).ok();
        Some(parse_pgm(&pgm))
    }

    fn parse_pgm(pgm: &[u8]) -> GrayImage {
        let mut fields = Vec::new();
        let mut i = 0;
        while fields.len() < 4 {
            while pgm[i].is_ascii_whitespace() {
                i += 1;
            }
            if pgm[i] == b'#' {
                while pgm[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            let start = i;
            while !pgm[i].is_ascii_whitespace() {
                i += 1;
            }
            fields.push(String::from_utf8_lossy(&pgm[start..i]).into_owned());
        }
        assert_eq!(
            (fields[0].as_str(), fields[3].as_str()),
            ("P5", "255"),
            "8-bit binary PGM"
        );
        let (w, h): (usize, usize) = (
            fields[1].parse().expect("width"),
            fields[2].parse().expect("height"),
        );
        GrayImage::new(w, h, pgm[i + 1..].to_vec()).expect("PGM size matches")
    }

    fn opj_available() -> bool {
        let found = Command::new("opj_decompress").arg("-h").output().is_ok();
        if !found {
            eprintln!(
                "skipped: opj_decompress (Debian libopenjp2-tools) is not installed, so JPEG 2000 was not cross-checked"
            );
        }
        found
    }

    /// Every MockMDS JPEG 2000 image: lossless ones must match OpenJPEG exactly; lossy ones
    /// (irreversible 9/7 wavelet in floating point) may differ by rounding only.
    #[test]
    fn matches_openjpeg_on_device_records() {
        let Some(dir) = crate::iso::tests_support::shared_data() else {
            return;
        };
        if !opj_available() {
            return;
        }
        let mut checked = 0;
        for sub in ["Registration", "Auth"] {
            let mut paths: Vec<_> = std::fs::read_dir(dir.join("mockmds").join(sub))
                .expect("mockmds folder")
                .flatten()
                .map(|e| e.path())
                .collect();
            paths.sort();
            for path in paths {
                let bytes = std::fs::read(&path).expect("readable");
                let (data, lossless) = if let Ok(rec) = FingerImageRecord::parse(&bytes) {
                    let rep = &rec.representations[0];
                    match rep.compression {
                        FingerCompression::Jpeg2000Lossless => (rep.image_data.clone(), true),
                        FingerCompression::Jpeg2000Lossy => (rep.image_data.clone(), false),
                        _ => continue,
                    }
                } else if let Ok(rec) = IrisImageRecord::parse(&bytes) {
                    (
                        rec.representations[0].image_data.clone(),
                        sub == "Registration",
                    )
                } else {
                    continue;
                };
                compare(&path, &data, lossless);
                checked += 1;
            }
        }
        assert_eq!(
            checked,
            10 + 2 + 10 + 2,
            "every finger and iris JPEG 2000 record was compared"
        );
    }

    fn compare(path: &Path, data: &[u8], lossless: bool) {
        let name = path.display().to_string();
        let ours = decode_jpeg2000(data).unwrap_or_else(|e| panic!("{name}: {e}"));
        let tag = path.file_name().and_then(|n| n.to_str()).unwrap_or("image");
        let Some(theirs) = openjpeg(data, tag) else {
            return;
        };
        assert_eq!(
            (ours.width, ours.height),
            (theirs.width, theirs.height),
            "{name}"
        );
        let diffs: Vec<u8> = ours
            .pixels
            .iter()
            .zip(&theirs.pixels)
            .map(|(a, b)| a.abs_diff(*b))
            .collect();
        let max = diffs.iter().copied().max().unwrap_or(0);
        let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len() as f64;
        if lossless {
            assert_eq!(
                max, 0,
                "{name}: lossless image differs from OpenJPEG (mean {mean:.4})"
            );
        } else {
            assert!(
                max <= 2 && mean < 0.1,
                "{name}: max difference {max}, mean {mean:.4}"
            );
        }
    }

    /// The smallest lossy device image, when the reference data is present.
    fn mockmds_streams() -> &'static [Vec<u8>] {
        static STREAMS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
        STREAMS.get_or_init(|| {
            let Some(dir) = crate::iso::tests_support::shared_data() else {
                return Vec::new();
            };
            std::fs::read(
                dir.join("mockmds")
                    .join("Auth")
                    .join("0001Right_Middle.iso"),
            )
            .into_iter()
            .filter_map(|bytes| FingerImageRecord::parse(&bytes).ok())
            .map(|rec| rec.representations[0].image_data.clone())
            .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        #[test]
        fn arbitrary_and_mutated_jpeg2000_never_panics(
            body in prop::collection::vec(any::<u8>(), 0..300),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
            which in any::<prop::sample::Index>(),
        ) {
            let mut codestream = vec![0xff, 0x4f, 0xff, 0x51];
            codestream.extend_from_slice(&body);
            let _ = decode_jpeg2000(&body);
            let _ = decode_jpeg2000(&codestream);
            let streams = mockmds_streams();
            if !streams.is_empty() {
                let mut bytes = which.get(streams).clone();
                for (at, v) in edits {
                    let i = at.index(bytes.len());
                    bytes[i] = v;
                }
                let _ = decode_jpeg2000(&bytes);
                let _ = decode_jpeg2000(&bytes[..cut.index(bytes.len())]);
            }
        }
    }
}
