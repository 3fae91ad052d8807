//! MOSIP's Secure Biometric Interface (SBI 0.9.5), as Amparo speaks it: the messages of device
//! discovery, device info and registration capture, the device signatures (RS256 JWS with the
//! certificate in `x5c`), the registration-capture hash chain, and the names of fingers and eyes.
//!
//! Pure code with no I/O: the capture client, its device emulator and the server (which
//! re-verifies every uploaded `deviceRecord`) all build on it, so the three cannot disagree about
//! what a valid record is.

pub mod chain;
pub mod jws;
pub mod messages;
pub mod position;
pub mod trust;
pub mod verify;

pub use position::{BioType, Position};
pub use trust::{DeviceIdentity, TrustError, TrustStore};
pub use verify::{RecordError, VerifiedBiometric, make_record, verify_capture, verify_record};
