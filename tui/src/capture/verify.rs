//! A 1:1 check of one person at a service point (a distribution, say): the person's fingers are
//! captured on the workstation's trusted scanner, with every check of a capture session, and
//! sent to `verifyIdentity` against their enrolment. Nothing is stored on the workstation.
//!
//! The terminal client offers it where the workstation has a trusted device certificate
//! (`capture_trust` in the settings file, or the simulated scanner of `amparo demo`).

use std::sync::Arc;
use std::time::Duration;

use amparo_sbi::{Position, TrustStore};

use super::check::Problem;
use super::device::{self, SbiHttp};
use super::emulator;
use super::progress::Board;
use super::session::{FingerMode, Operator, Plan, Policy, Session, SessionError, Step};
use crate::api::{self, ApiError, Client};

/// What a workstation needs to check a person's fingers.
pub struct Setup {
    pub trust: TrustStore,
    pub policy: Policy,
    /// Ports, device ids or serial numbers of the devices to use (`--device`), where several
    /// trusted ones are attached.
    pub devices: Vec<String>,
}

impl Setup {
    /// A setup trusting the devices certified in the PEM bundle at `path`.
    pub fn from_pem_file(path: &std::path::Path) -> Result<Arc<Self>, String> {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut trust = TrustStore::new();
        trust
            .add_pem(&pem)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Arc::new(Self {
            trust,
            policy: Policy::default(),
            devices: Vec::new(),
        }))
    }
}

/// Lets `client` check people on this setup's scanner.
pub fn attach(client: &Client, setup: Arc<Setup>) {
    client.set_capture(Some(setup));
}

/// The setup `client` was given, if any.
pub fn attached(client: &Client) -> Option<Arc<Setup>> {
    client.capture().and_then(|s| s.downcast::<Setup>().ok())
}

/// Retries as the policy allows and never records a finger as missing: a check either matches
/// on what was captured or says why it could not be made.
struct Unattended;

impl Operator for Unattended {
    fn progress(&mut self, _board: &Board) {}
    fn step(&mut self, _step: &Step) {}
    fn retry(&mut self, _step: &Step, _problem: &Problem, _attempt: u32, _max: u32) -> bool {
        true
    }
    fn give_up(&mut self, _position: Position, _problem: &Problem) -> bool {
        false
    }
}

/// Captures the ten fingers of the person before the scanner and asks the server whether they
/// are `individual_id`'s. A capture that cannot be made is [`ApiError::Device`].
pub async fn verify(client: &Client, setup: &Setup, individual_id: &str) -> Result<bool, ApiError> {
    let http = SbiHttp::new(Duration::from_millis(500)).map_err(ApiError::Device)?;
    let devices = device::discover(&http, emulator::PORTS, &setup.trust).await;
    let plan = Plan {
        fingers: FingerMode::Slaps,
        irises: false,
        face: false,
        exceptions: Vec::new(),
    };
    let capture = Session::new(&http, &devices, &setup.trust, &setup.policy)
        .with_devices_named(&setup.devices)
        .run(&plan, individual_id, &mut Unattended)
        .await
        .map_err(|e| match e {
            SessionError::NoDevice(_) => ApiError::Device("no trusted fingerprint scanner".into()),
            e => ApiError::Device(e.to_string()),
        })?;
    use api::verify_identity as q;
    let mut samples = Vec::new();
    for s in capture.samples {
        let position: q::BiometricPosition =
            serde_json::from_value(serde_json::json!(s.position.contract_name()))
                .map_err(|e| ApiError::Device(format!("position: {e}")))?;
        samples.push(q::VerifySampleInput {
            position,
            record: s.record,
        });
    }
    let d = client
        .post::<api::VerifyIdentity>(q::Variables {
            input: q::VerifyIdentityInput {
                individual_id: individual_id.to_string(),
                samples,
            },
        })
        .await?;
    Ok(d.verify_identity.matched)
}
