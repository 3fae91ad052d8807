//! `amparo capture`: biometric capture on the workstation the devices are attached to.
//!
//! It finds SBI 0.9.5 devices on 127.0.0.1:4501-4600, captures fingers, eyes and face, believes a
//! record only after its signature, transaction, hash chain, ISO header, image and quality have
//! been checked, and hands the finished [`model::Capture`] to an [`upload::Uploader`]; when the
//! server cannot be reached the capture waits in an encrypted [`queue`]. The device
//! [`emulator`] speaks the same protocol so the whole path is tested without hardware.
//!
//! One job per file: `device` talks to devices, `check` judges a record, `session` runs the
//! steps and retries, `progress` draws the table, `model` is what is produced, `upload` is the
//! door out, `queue` the offline store, `cli` the command line.

pub mod check;
pub mod cli;
pub mod device;
pub mod emulator;
pub mod model;
pub mod progress;
pub mod queue;
pub mod session;
pub mod upload;
pub mod verify;
