//! Checking an uploaded ISO record with the engine and deriving its template.
//!
//! A record is refused, with the reason in words an operator can act on, when its header is not
//! an ISO/IEC 19794 record of the declared kind, when it holds no image of the declared position,
//! when the image does not decode, or when the engine cannot make a usable template from it.

use amparo_biometrics::finger;
use amparo_biometrics::iris::{self, IrisTemplate};
use amparo_biometrics::iso::finger_image::FingerImageRecord;
use amparo_biometrics::iso::iris_image::{EyeLabel, IrisImageRecord};

use super::gallery::Template;
use super::{Modality, Position};

/// A template derived from one record, with the algorithm that made it.
pub struct Derived {
    pub template: Template,
    pub algorithm_version: &'static str,
}

/// Checks a record and derives its template; `None` for the face (kept, not matched).
pub fn derive(position: Position, record: &[u8]) -> Result<Option<Derived>, String> {
    match position.bio_type() {
        Modality::Finger => finger_template(position, record).map(Some),
        Modality::Iris => iris_template(position, record).map(Some),
        Modality::Face => {
            if record.get(..4) == Some(b"FAC\0") {
                Ok(None)
            } else {
                Err("not an ISO/IEC 19794-5 face record: it does not start with FAC".into())
            }
        }
    }
}

fn finger_template(position: Position, record: &[u8]) -> Result<Derived, String> {
    let parsed = FingerImageRecord::parse(record).map_err(|e| e.to_string())?;
    let code = position.iso_finger_code().unwrap_or(0);
    let rep = parsed
        .representations
        .iter()
        .find(|r| r.position == code)
        .or_else(|| {
            // A record of one image with an unknown position is taken as the declared finger.
            (parsed.representations.len() == 1 && parsed.representations[0].position == 0)
                .then(|| &parsed.representations[0])
        })
        .ok_or_else(|| {
            let found: Vec<String> = parsed
                .representations
                .iter()
                .map(|r| match Position::from_iso_finger_code(r.position) {
                    Some(p) => p.contract_name().to_string(),
                    None => format!("code {}", r.position),
                })
                .collect();
            format!(
                "the record holds no image of {} (it holds {})",
                position.contract_name(),
                if found.is_empty() {
                    "no image".to_string()
                } else {
                    found.join(", ")
                }
            )
        })?;
    let image = rep.decode_image().map_err(|e| e.to_string())?;
    let extraction = finger::extract(&image).map_err(|e| e.to_string())?;
    // The capture subcommand applies the same rule before sending.
    finger::quality::acceptable(&extraction.template).map_err(|e| e.to_string())?;
    Ok(Derived {
        template: Template::Finger(extraction.template),
        algorithm_version: finger::ALGORITHM_VERSION,
    })
}

fn iris_template(position: Position, record: &[u8]) -> Result<Derived, String> {
    let parsed = IrisImageRecord::parse(record).map_err(|e| e.to_string())?;
    let eye = match position {
        Position::LeftIris => EyeLabel::Left,
        _ => EyeLabel::Right,
    };
    let rep = parsed
        .representations
        .iter()
        .find(|r| r.eye == eye)
        .or_else(|| {
            (parsed.representations.len() == 1
                && parsed.representations[0].eye == EyeLabel::Unknown)
                .then(|| &parsed.representations[0])
        })
        .ok_or_else(|| {
            format!(
                "the record holds no image of the {} eye",
                if eye == EyeLabel::Left {
                    "left"
                } else {
                    "right"
                }
            )
        })?;
    let image = rep.decode_image().map_err(|e| e.to_string())?;
    let template: IrisTemplate = iris::template_from_image(&image).map_err(|e| e.to_string())?;
    Ok(Derived {
        template: Template::Iris(template),
        algorithm_version: iris::ALGORITHM_VERSION,
    })
}
