//! Fingerprint checks on the shared reference data (`../shared/biometrics`, beside the
//! repository): an FVC2002 accuracy smoke test and the MockMDS device records. Skipped, with a
//! message, where the data is absent.

use std::path::PathBuf;

use amparo_biometrics::finger::eval::error_rates;
use amparo_biometrics::finger::{Prepared, compare, extract};
use amparo_biometrics::image::{decode, decode_tiff};
use amparo_biometrics::iso::finger_image::FingerImageRecord;

fn data_dir(sub: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/biometrics"
    ))
    .join(sub);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: reference data {} is absent", p.display());
        None
    }
}

/// FVC2002 DB2_B with the full protocol: a broken extractor or matcher lands far above the bound
/// (random scores give 50%); the figures `bioeval` reports are well below it.
#[test]
fn fvc2002_db2_accuracy_smoke() {
    let Some(dir) = data_dir("fvc2002/DB2_B") else {
        return;
    };
    let mut samples = Vec::new();
    for f in 101..=110 {
        for i in 1..=8 {
            let path = dir.join(format!("{f}_{i}.tif"));
            let bytes = std::fs::read(&path).expect("read FVC image");
            let img = decode_tiff(&bytes).expect("decode FVC image");
            let t = extract(&img).expect("extract").template;
            samples.push((f, Prepared::new(&t)));
        }
    }
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for i in 0..samples.len() {
        for j in i + 1..samples.len() {
            let s = compare(&samples[i].1, &samples[j].1);
            if samples[i].0 == samples[j].0 {
                genuine.push(s);
            } else {
                impostor.push(s);
            }
        }
    }
    assert_eq!((genuine.len(), impostor.len()), (280, 2880));
    let r = error_rates(&genuine, &impostor);
    assert!(r.eer < 15.0, "DB2_B EER {:.2}%", r.eer);
}

fn mockmds_template(path: PathBuf) -> Prepared {
    let bytes = std::fs::read(&path).expect("read MockMDS record");
    let rec = FingerImageRecord::parse(&bytes).expect("parse finger image record");
    let rep = rec.representations.first().expect("one representation");
    let img = decode(&rep.image_data).expect("decode finger image");
    Prepared::new(&extract(&img).expect("extract").template)
}

/// Registration and authentication captures of the same finger (JPEG 2000) score above every
/// pairing of different fingers.
#[test]
fn mockmds_same_finger_matches_different_fingers_do_not() {
    let Some(dir) = data_dir("mockmds") else {
        return;
    };
    let fingers = ["Right_Thumb", "Right_Index", "Left_Thumb", "Left_Index"];
    let reg: Vec<Prepared> = fingers
        .iter()
        .map(|f| mockmds_template(dir.join(format!("Registration/0001{f}.iso"))))
        .collect();
    let auth: Vec<Prepared> = fingers
        .iter()
        .map(|f| mockmds_template(dir.join(format!("Auth/0001{f}.iso"))))
        .collect();
    let mut worst_genuine = f32::MAX;
    let mut best_impostor = 0.0f32;
    for (i, r) in reg.iter().enumerate() {
        for (j, a) in auth.iter().enumerate() {
            let s = compare(r, a);
            if i == j {
                worst_genuine = worst_genuine.min(s);
            } else {
                best_impostor = best_impostor.max(s);
            }
        }
    }
    assert!(
        worst_genuine > best_impostor,
        "weakest genuine {worst_genuine:.3} vs strongest impostor {best_impostor:.3}"
    );
}
