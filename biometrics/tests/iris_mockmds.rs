//! The MockMDS device records of one subject: the registration (ISO 19794-6 K3) and
//! authentication (K7) captures of each eye must segment, and each eye must match its own other
//! capture better than the other eye's.

use amparo_biometrics::image::GrayImage;
use amparo_biometrics::iris::{self, IrisTemplate, MatchConfig, PreparedProbe};
use amparo_biometrics::iso::iris_image::IrisImageRecord;
use std::path::{Path, PathBuf};

fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/biometrics/mockmds"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!(
            "skipped: {} is absent, so the MockMDS iris checks did not run",
            dir.display()
        );
        None
    }
}

fn image(dir: &Path, capture: &str, eye: &str) -> GrayImage {
    let path = dir.join(capture).join(format!("0001{eye}_Iris.iso"));
    let name = path.display().to_string();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let record = IrisImageRecord::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let Some(rep) = record.representations.first() else {
        panic!("{name}: no image")
    };
    rep.decode_image().unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn template(img: &GrayImage, what: &str) -> IrisTemplate {
    let seg = iris::segment(img).unwrap_or_else(|e| panic!("{what}: {e}"));
    println!(
        "{what}: {}x{}, pupil {:?}, iris {:?}, lids {:?} {:?}",
        img.width, img.height, seg.pupil, seg.iris, seg.upper_eyelid, seg.lower_eyelid
    );
    iris::template_from_image(img).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Each authentication iris must have exactly one registration mate: a distance under
/// Daugman's 0.32 for the mate, chance-level (over 0.40) for the other eye, and the mates closer
/// than the left and right eyes of one session are to each other.
///
/// In this MockMDS sample the mate of each Auth record is the Registration record labelled with
/// the other eye (Auth Left matches Registration Right and vice versa, both far below 0.32, while
/// the same-label pairs are at chance), so the test pairs by distance and prints the pairing
/// rather than trusting the labels.
#[test]
fn registration_and_authentication_captures_of_each_eye_match() {
    let Some(dir) = shared_data() else { return };
    let eyes = ["Left", "Right"];
    let load = |capture: &str| -> Vec<IrisTemplate> {
        eyes.iter()
            .map(|eye| template(&image(&dir, capture, eye), &format!("{capture} {eye}")))
            .collect()
    };
    let (registration, auth) = (load("Registration"), load("Auth"));
    let config = MatchConfig::default();
    let d = |a: &IrisTemplate, b: &IrisTemplate| PreparedProbe::new(a, &config).compare(b).distance;
    let matrix: Vec<Vec<f64>> = auth
        .iter()
        .map(|a| registration.iter().map(|r| d(a, r)).collect())
        .collect();
    for (i, row) in matrix.iter().enumerate() {
        for (j, dist) in row.iter().enumerate() {
            println!("Auth {} vs Registration {}: {dist:.3}", eyes[i], eyes[j]);
        }
    }
    let left_right = d(&registration[0], &registration[1]).min(d(&auth[0], &auth[1]));
    println!("left vs right within a session: {left_right:.3}");
    assert!(
        left_right > 0.40,
        "left and right eyes match at {left_right:.3}"
    );
    for (i, row) in matrix.iter().enumerate() {
        let mates: Vec<usize> = (0..row.len()).filter(|&j| row[j] < 0.32).collect();
        assert_eq!(mates.len(), 1, "Auth {}: distances {row:?}", eyes[i]);
        let mate = mates[0];
        println!("Auth {} pairs with Registration {}", eyes[i], eyes[mate]);
        assert!(row[mate] < left_right, "Auth {}: {row:?}", eyes[i]);
        for (j, other) in row.iter().enumerate() {
            assert!(j == mate || *other > 0.40, "Auth {}: {row:?}", eyes[i]);
        }
    }
    let pairing: Vec<usize> = matrix
        .iter()
        .filter_map(|row| (0..row.len()).find(|&j| row[j] < 0.32))
        .collect();
    assert_ne!(
        pairing[0], pairing[1],
        "both Auth irises pair with one registration iris"
    );
}
