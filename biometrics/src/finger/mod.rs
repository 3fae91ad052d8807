//! Fingerprint engine: minutiae extraction, quality, templates, 1:1 comparison and 1:N search.
//!
//! Everything here is written from the published literature rather than from another code base:
//! Bazen & Gerez's gradient-based orientation field, Hong, Wan & Jain's oriented Gabor enhancement
//! (applied as a cascade of two oriented 1-D filters, which is what makes it fast), crossing-number
//! minutiae on a topology-preserving thinning, and Cappelli, Ferrara & Maltoni's Minutia
//! Cylinder-Code with local-similarity sort and relaxation for comparison.
//!
//! The pipeline assumes images of about 500 pixels per inch (the ISO and FBI capture resolution);
//! distances below are in pixels at that resolution.

/// Names the extractor and template format, stored beside every template the server derives so
/// that templates made by an older algorithm can be found and rebuilt from their images. Change
/// it whenever a change to extraction or to the template format would change stored templates.
pub const ALGORITHM_VERSION: &str = "amparo-finger-mcc/1";

pub mod calibration;
pub mod dedup;
mod enhance;
pub mod eval;
mod extract;
pub mod index;
pub mod matcher;
pub mod quality;
pub mod synthetic;
pub mod template;

pub use extract::{ExtractError, Extraction, extract};
pub use index::{FingerIndex, SearchHit};
pub use matcher::{Prepared, compare};
pub use template::{Minutia, MinutiaKind, Template, TemplateError};
