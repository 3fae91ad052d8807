//! Decoding cost of device records: parsing the ISO 19794 containers and decoding the WSQ and
//! JPEG 2000 images inside them, on the MockMDS sample records.
//!
//! The records live in the shared reference data beside the repository; without it the
//! benchmark says so and measures nothing.

use amparo_biometrics::image::{decode_jpeg2000, decode_wsq};
use amparo_biometrics::iso::finger_image::FingerImageRecord;
use amparo_biometrics::iso::finger_minutiae::MinutiaeRecord;
use amparo_biometrics::iso::iris_image::IrisImageRecord;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/biometrics"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!(
            "skipped: {} is absent, so no record was measured",
            dir.display()
        );
        None
    }
}

fn image_data(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).expect("readable record");
    let rec = FingerImageRecord::parse(&bytes).expect("valid record");
    rec.representations[0].image_data.clone()
}

fn records(c: &mut Criterion) {
    let Some(dir) = data_dir() else { return };
    let auth = dir.join("mockmds").join("Auth");
    let registration = dir.join("mockmds").join("Registration");

    let wsq = image_data(&auth.join("0001Left_Index.wsq.iso"));
    c.bench_function("decode WSQ 280x448 (MockMDS auth finger)", |b| {
        b.iter(|| decode_wsq(black_box(&wsq)).expect("decodes"))
    });
    let lossy = image_data(&auth.join("0001Left_Index.iso"));
    c.bench_function(
        "decode JPEG 2000 lossy 280x448 (MockMDS auth finger)",
        |b| b.iter(|| decode_jpeg2000(black_box(&lossy)).expect("decodes")),
    );
    let lossless = image_data(&registration.join("0001Left_Index.iso"));
    c.bench_function(
        "decode JPEG 2000 lossless 280x448 (MockMDS registration finger)",
        |b| b.iter(|| decode_jpeg2000(black_box(&lossless)).expect("decodes")),
    );

    let fir = std::fs::read(registration.join("0001Left_Index.iso")).expect("readable");
    c.bench_function("parse ISO 19794-4 finger record", |b| {
        b.iter(|| FingerImageRecord::parse(black_box(&fir)).expect("parses"))
    });
    let iir = std::fs::read(registration.join("0001Left_Iris.iso")).expect("readable");
    c.bench_function("parse ISO 19794-6 iris record", |b| {
        b.iter(|| IrisImageRecord::parse(black_box(&iir)).expect("parses"))
    });
    let fmr = std::fs::read(dir.join("fvc2002").join("DB1_B").join("101_1.iso")).expect("readable");
    c.bench_function("parse ISO 19794-2 minutiae record", |b| {
        b.iter(|| MinutiaeRecord::parse(black_box(&fmr)).expect("parses"))
    });
}

criterion_group!(benches, records);
criterion_main!(benches);
