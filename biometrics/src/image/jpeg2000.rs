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
    let declared = check_codestream(codestream_of(bytes)?)?;
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
    if (width, height) != (declared.width as usize, declared.height as usize) {
        return Err(broken(format!(
            "decoded {width}x{height} but the SIZ segment says {}x{}",
            declared.width, declared.height
        )));
    }
    // Drop the alpha channel of grey+alpha and RGB+alpha after the colour channels.
    GrayImage::new(width, height, to_gray(&samples, channels)?)
}

/// The codestream's structure, read before decoding: the decoder tolerates damage (it fills a
/// cut codestream with grey), and a damaged capture must be refused, not believed.
struct Codestream {
    width: u32,
    height: u32,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn broken(msg: impl Into<String>) -> ImageError {
    ImageError::Malformed(format!("JPEG 2000: {}", msg.into()))
}

const JP2_SIGNATURE: &[u8] = &[
    0, 0, 0, 0x0c, b'j', b'P', b' ', b' ', 0x0d, 0x0a, 0x87, 0x0a,
];

/// The codestream inside a JP2 file (its `jp2c` box), checking that the boxes tile the file
/// exactly; a bare codestream is returned as it is.
fn codestream_of(bytes: &[u8]) -> Result<&[u8], ImageError> {
    if !bytes.starts_with(JP2_SIGNATURE) {
        return Ok(bytes);
    }
    let mut at = 0usize;
    let mut codestream = None;
    while at < bytes.len() {
        let declared =
            be32(bytes, at).ok_or_else(|| broken(format!("box header cut at offset {at}")))?;
        let kind = bytes
            .get(at + 4..at + 8)
            .ok_or_else(|| broken(format!("box header cut at offset {at}")))?;
        let (header, len) = match declared {
            0 => (8, bytes.len() - at),
            1 => {
                let hi = be32(bytes, at + 8)
                    .ok_or_else(|| broken(format!("box length cut at offset {at}")))?;
                let lo = be32(bytes, at + 12)
                    .ok_or_else(|| broken(format!("box length cut at offset {at}")))?;
                let len = (u64::from(hi) << 32) | u64::from(lo);
                (16, usize::try_from(len).unwrap_or(usize::MAX))
            }
            n => (8, n as usize),
        };
        if len < header || len > bytes.len() - at {
            return Err(broken(format!(
                "box at offset {at} declares {len} bytes, {} remain",
                bytes.len() - at
            )));
        }
        if kind == b"jp2c" {
            if codestream.is_some() {
                return Err(broken("more than one codestream box"));
            }
            codestream = Some(&bytes[at + header..at + len]);
        }
        at += len;
    }
    codestream.ok_or_else(|| broken("JP2 file without a codestream box"))
}

/// Walks the codestream's marker segments and tile-parts: it must start with SOC and SIZ, every
/// segment must fit, every tile-part must hold its start-of-data marker and end where its
/// header says, and the end-of-codestream marker must close the data with nothing after it.
fn check_codestream(cs: &[u8]) -> Result<Codestream, ImageError> {
    const SOC: u16 = 0xff4f;
    const SIZ: u16 = 0xff51;
    const SOT: u16 = 0xff90;
    const SOD: u16 = 0xff93;
    const EOC: u16 = 0xffd9;
    if be16(cs, 0) != Some(SOC) || be16(cs, 2) != Some(SIZ) {
        return Err(broken("the codestream does not start with SOC and SIZ"));
    }
    let lsiz = usize::from(be16(cs, 4).ok_or_else(|| broken("SIZ segment cut"))?);
    if lsiz < 41 || 4 + lsiz > cs.len() {
        return Err(broken(format!("SIZ segment of {lsiz} bytes does not fit")));
    }
    let field = |at: usize| be32(cs, 4 + at).unwrap_or(0);
    let (xsiz, ysiz, xo, yo) = (field(4), field(8), field(12), field(16));
    let (xt, yt, xto, yto) = (field(20), field(24), field(28), field(32));
    if xo >= xsiz || yo >= ysiz || xt == 0 || yt == 0 || xto > xo || yto > yo {
        return Err(broken(
            "SIZ segment with inconsistent image or tile geometry",
        ));
    }
    let components = usize::from(be16(cs, 4 + 36).unwrap_or(0));
    if components == 0 || lsiz != 38 + 3 * components {
        return Err(broken(format!(
            "SIZ segment of {lsiz} bytes for {components} component(s)"
        )));
    }
    let tiles = u64::from((xsiz - xto).div_ceil(xt)) * u64::from((ysiz - yto).div_ceil(yt));
    // Main header: marker segments up to the first tile-part.
    let mut at = 4 + lsiz;
    loop {
        let marker =
            be16(cs, at).ok_or_else(|| broken(format!("main header cut at offset {at}")))?;
        if marker == SOT {
            break;
        }
        if marker >> 8 != 0xff || !(0xff52..=0xff8f).contains(&marker) {
            return Err(broken(format!(
                "unexpected {marker:04x} at offset {at} in the main header"
            )));
        }
        let len = usize::from(be16(cs, at + 2).unwrap_or(0));
        if len < 2 || at + 2 + len > cs.len() {
            return Err(broken(format!(
                "marker segment {marker:04x} at offset {at} does not fit"
            )));
        }
        at += 2 + len;
    }
    if tiles > u64::from(u16::MAX) + 1 {
        return Err(broken(format!(
            "{tiles} tiles, more than a codestream can index"
        )));
    }
    let mut seen = vec![false; tiles as usize];
    // Tile-parts, each `Psot` bytes long from its SOT marker, then EOC.
    loop {
        match be16(cs, at) {
            Some(SOT) => {}
            Some(EOC) if at + 2 == cs.len() => break,
            Some(EOC) => {
                return Err(broken(format!(
                    "{} byte(s) after the end of the codestream",
                    cs.len() - at - 2
                )));
            }
            Some(other) => {
                return Err(broken(format!(
                    "{other:04x} at offset {at} where a tile-part or the end was expected"
                )));
            }
            None => {
                return Err(broken(format!(
                    "the codestream is cut at offset {at}: no end-of-codestream marker"
                )));
            }
        }
        if be16(cs, at + 2) != Some(10) {
            return Err(broken(format!(
                "SOT segment at offset {at} is not 10 bytes"
            )));
        }
        let tile = be16(cs, at + 4).unwrap_or(u16::MAX);
        if u64::from(tile) >= tiles {
            return Err(broken(format!(
                "tile-part at offset {at} names tile {tile} of {tiles}"
            )));
        }
        seen[usize::from(tile)] = true;
        let psot = be32(cs, at + 6).unwrap_or(0) as usize;
        // Psot 0 means "to the end of the codestream", allowed for the last tile-part only.
        let end = if psot == 0 {
            cs.len()
                .checked_sub(2)
                .filter(|&e| e >= at + 12 && be16(cs, e) == Some(EOC))
        } else {
            at.checked_add(psot)
                .filter(|&e| psot >= 14 && e <= cs.len())
        }
        .ok_or_else(|| {
            broken(format!(
                "tile-part at offset {at} declares {psot} bytes, {} remain",
                cs.len() - at
            ))
        })?;
        // Tile-part header segments up to SOD.
        let mut p = at + 12;
        loop {
            let marker = be16(cs, p)
                .filter(|_| p + 2 <= end)
                .ok_or_else(|| broken(format!("tile-part at offset {at} has no SOD")))?;
            if marker == SOD {
                break;
            }
            if !(0xff52..=0xff8f).contains(&marker) {
                return Err(broken(format!(
                    "unexpected {marker:04x} at offset {p} in a tile-part header"
                )));
            }
            let len = usize::from(be16(cs, p + 2).unwrap_or(0));
            if len < 2 || p + 2 + len > end {
                return Err(broken(format!(
                    "marker segment {marker:04x} at offset {p} does not fit its tile-part"
                )));
            }
            p += 2 + len;
        }
        at = end;
    }
    // A tile with no data at all is a cut or spliced codestream; decoding it would also spend
    // seconds filling an image the header enlarged.
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(broken(format!(
            "tile {missing} of {tiles} has no data: the codestream is incomplete"
        )));
    }
    Ok(Codestream {
        width: xsiz - xo,
        height: ysiz - yo,
    })
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

    /// Found by the coverage-guided fuzz run: a device codestream whose SIZ was enlarged to
    /// 65518x357 (one tile of 238x357 present, 274 missing) took seconds to decode to grey.
    #[test]
    fn a_codestream_with_missing_tiles_is_refused_before_decoding() {
        let Some(stream) = mockmds_streams().first() else {
            return;
        };
        let mut bytes = stream.clone();
        let siz = bytes
            .windows(4)
            .position(|w| w == [0xff, 0x4f, 0xff, 0x51])
            .expect("SOC SIZ");
        // Xsiz: the image width in the SIZ segment; the tile stays as it was.
        let tile_width = u32::from_be_bytes(bytes[siz + 24..siz + 28].try_into().expect("XTsiz"));
        bytes[siz + 8..siz + 12].copy_from_slice(&(tile_width * 200).to_be_bytes());
        let err = decode_jpeg2000(&bytes).expect_err("missing tiles");
        assert!(err.to_string().contains("has no data"), "{err}");
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
