//! Iris recognition after Daugman: find the pupil and limbus, unwrap the iris onto a fixed polar
//! grid (the rubber-sheet model), quantise the phase of log-Gabor responses into a 2048-bit code
//! with a mask of usable bits, and compare codes by masked fractional Hamming distance over a few
//! rotations.
//!
//! The pieces are separate so the capture side (segmentation, encoding) and the server side
//! (templates, 1:N search) can each use only what they need, and so the synthetic eye generator
//! can check every stage against known geometry.

mod geometry;
mod matcher;
mod search;
mod template;

pub use geometry::Circle;
pub use matcher::{DEFAULT_MAX_SHIFT, DEFAULT_REFERENCE_BITS, MatchConfig, MatchResult, PreparedProbe};
pub use search::{Candidate, IrisGallery};
pub use template::{CODE_BITS, CODE_WORDS, IrisTemplate, TEMPLATE_BYTES, TemplateError};
