//! The ISO 19794 record parsers (finger image, finger minutiae, iris image) and the decoding of
//! the image each record carries, as the server and the capture client run them.
use amparo_biometrics::iso::finger_image::FingerImageRecord;
use amparo_biometrics::iso::finger_minutiae::MinutiaeRecord;
use amparo_biometrics::iso::iris_image::IrisImageRecord;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(record) = FingerImageRecord::parse(data) {
            for rep in &record.representations {
                let _ = rep.decode_image();
            }
            let _ = record.to_bytes();
        }
        if let Ok(record) = IrisImageRecord::parse(data) {
            for rep in &record.representations {
                let _ = rep.decode_image();
            }
            let _ = record.to_bytes();
        }
        if let Ok(record) = MinutiaeRecord::parse(data) {
            let _ = record.to_bytes();
        }
    });
}
