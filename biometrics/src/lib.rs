//! Amparo's biometric engine: pure algorithms with no database and no network.
//!
//! The capture subcommand and the server's deduplication both build on this crate, so every
//! parser here treats its input as hostile: malformed bytes give an error, never a panic.

pub mod finger;
pub mod image;
pub mod iris;
pub mod iso;
