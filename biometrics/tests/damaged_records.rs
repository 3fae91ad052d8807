//! Damaged device records are refused, never believed: a cut image, bytes after its end, a
//! broken marker segment or dimensions that disagree with the ISO header, over every real
//! MockMDS finger and iris record; and random damage never panics.

use amparo_biometrics::iso::finger_image::{FingerCompression, FingerImageRecord};
use amparo_biometrics::iso::iris_image::IrisImageRecord;
use proptest::prelude::*;
use std::path::PathBuf;

fn shared_data() -> Option<PathBuf> {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = here
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared").join("biometrics").join("mockmds"))
        .find(|d| d.is_dir());
    if found.is_none() {
        eprintln!("skipped: no shared/biometrics/mockmds beside the repository or its parents");
    }
    found
}

/// Every MockMDS record with a JPEG 2000 or WSQ image, as (name, bytes).
fn records() -> Vec<(String, Vec<u8>)> {
    let Some(dir) = shared_data() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for sub in ["Registration", "Auth"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
            .expect("mockmds folder")
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let n = p.to_string_lossy();
                (n.contains("Left_") || n.contains("Right_")) && n.ends_with(".iso")
            })
            .collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).expect("readable");
            out.push((p.display().to_string(), bytes));
        }
    }
    out
}

/// A record's image data, and a function rebuilding the record around other image data (and
/// optionally other dimensions).
enum Record {
    Finger(FingerImageRecord),
    Iris(IrisImageRecord),
}

impl Record {
    fn parse(bytes: &[u8]) -> Record {
        FingerImageRecord::parse(bytes)
            .map(Record::Finger)
            .or_else(|_| IrisImageRecord::parse(bytes).map(Record::Iris))
            .expect("a MockMDS record parses")
    }

    fn data(&self) -> &[u8] {
        match self {
            Record::Finger(r) => &r.representations[0].image_data,
            Record::Iris(r) => &r.representations[0].image_data,
        }
    }

    fn is_jpeg2000(&self) -> bool {
        match self {
            Record::Finger(r) => matches!(
                r.representations[0].compression,
                FingerCompression::Jpeg2000Lossless | FingerCompression::Jpeg2000Lossy
            ),
            Record::Iris(_) => true,
        }
    }

    /// The error decoding the record rebuilt with `data` and `grow` added to its width, read
    /// back from bytes as the server and the client would.
    fn decode_with(&self, data: Vec<u8>, grow: u16) -> Result<(), String> {
        let bytes = match self {
            Record::Finger(r) => {
                let mut r = r.clone();
                r.representations[0].image_data = data;
                r.representations[0].width += grow;
                r.to_bytes()
            }
            Record::Iris(r) => {
                let mut r = r.clone();
                r.representations[0].image_data = data;
                r.representations[0].width += grow;
                r.to_bytes()
            }
        }
        .map_err(|e| e.to_string())?;
        match Record::parse_any(&bytes)? {
            Record::Finger(r) => r.representations[0]
                .decode_image()
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Record::Iris(r) => r.representations[0]
                .decode_image()
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }

    fn parse_any(bytes: &[u8]) -> Result<Record, String> {
        FingerImageRecord::parse(bytes)
            .map(Record::Finger)
            .or_else(|_| IrisImageRecord::parse(bytes).map(Record::Iris))
            .map_err(|e| e.to_string())
    }
}

/// The offset of the first marker segment after the start marker: SIZ in JPEG 2000, the first
/// table in WSQ, both `marker (2) length (2)`.
fn first_segment(data: &[u8]) -> usize {
    let at = data
        .windows(2)
        .position(|w| w == [0xff, 0x4f] || w == [0xff, 0xa0])
        .expect("start marker");
    at + 2
}

#[test]
fn each_kind_of_damage_is_refused_with_its_reason() {
    let records = records();
    if records.is_empty() {
        return;
    }
    assert_eq!(
        records.len(),
        10 + 2 + 10 + 10 + 2,
        "every finger and iris record"
    );
    for (name, bytes) in &records {
        let rec = Record::parse(bytes);
        let data = rec.data().to_vec();
        rec.decode_with(data.clone(), 0)
            .unwrap_or_else(|e| panic!("{name}: the intact record must decode: {e}"));

        // Cut: the end dropped, or (what a failing transfer leaves) zeroed.
        for keep in [
            data.len() - 1,
            data.len() - 2,
            data.len() * 3 / 4,
            data.len() / 2,
        ] {
            let err = rec
                .decode_with(data[..keep].to_vec(), 0)
                .expect_err(&format!("{name}: cut at {keep} accepted"));
            assert!(!err.is_empty());
        }
        let mut zeroed = data.clone();
        let n = zeroed.len();
        zeroed[n - 16..].fill(0);
        let err = rec
            .decode_with(zeroed, 0)
            .expect_err(&format!("{name}: zeroed tail accepted"));
        assert!(
            err.contains("end") || err.contains("cut") || err.contains("unexpected"),
            "{name}: {err}"
        );

        // Trailing garbage after the image's end marker.
        let mut longer = data.clone();
        longer.extend_from_slice(b"garbage");
        let err = rec
            .decode_with(longer, 0)
            .expect_err(&format!("{name}: trailing bytes accepted"));
        assert!(err.contains("after"), "{name}: {err}");

        // A marker segment whose length runs past the data.
        let mut broken = data.clone();
        let seg = first_segment(&broken);
        broken[seg + 2] = 0xff;
        broken[seg + 3] = 0xff;
        rec.decode_with(broken, 0)
            .expect_err(&format!("{name}: broken marker segment accepted"));

        // Dimensions that disagree with the ISO header.
        let err = rec
            .decode_with(data.clone(), 1)
            .expect_err(&format!("{name}: wrong header width accepted"));
        assert!(err.contains("record says"), "{name}: {err}");

        if rec.is_jpeg2000() {
            // The case: the end-of-codestream marker gone.
            let mut no_eoc = data.clone();
            let n = no_eoc.len();
            no_eoc[n - 2..].fill(0);
            let err = rec.decode_with(no_eoc, 0).expect_err("EOC removed");
            assert!(err.contains("JPEG 2000"), "{name}: {err}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random damage of a real record: never a panic; a cut or an extension is always refused.
    #[test]
    fn mutated_real_records_never_panic_and_cuts_are_refused(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        tail in prop::collection::vec(any::<u8>(), 1..40),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let records = records();
        if records.is_empty() {
            return Ok(());
        }
        let (name, bytes) = which.get(&records);
        let rec = Record::parse(bytes);
        let data = rec.data().to_vec();
        let keep = cut.index(data.len());
        prop_assert!(rec.decode_with(data[..keep].to_vec(), 0).is_err(), "{} cut at {}", name, keep);
        let mut longer = data.clone();
        longer.extend_from_slice(&tail);
        prop_assert!(rec.decode_with(longer, 0).is_err(), "{} extended", name);
        let mut edited = data.clone();
        for (at, v) in &edits {
            let i = at.index(edited.len());
            edited[i] = *v;
        }
        let _ = rec.decode_with(edited, 0);
        let mut raw = bytes.clone();
        for (at, v) in &edits {
            let i = at.index(raw.len());
            raw[i] = *v;
        }
        if let Ok(r) = Record::parse_any(&raw[..cut.index(raw.len()).max(1)]) {
            let _ = match r {
                Record::Finger(r) => r.representations.first().map(|x| x.decode_image().is_ok()),
                Record::Iris(r) => r.representations.first().map(|x| x.decode_image().is_ok()),
            };
        }
    }
}
