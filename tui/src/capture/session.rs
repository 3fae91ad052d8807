//! One capture session: the steps (slaps or single fingers, both eyes, the face), an RCAPTURE per
//! attempt, every answer verified and checked, the best acceptable sample of each position kept,
//! and a [`Capture`] at the end.
//!
//! Two kinds of failure are told apart. A record that fails verification (bad or missing
//! signature, untrusted device, another transaction, broken hash chain) means the device or the
//! link cannot be believed: the session stops, and nothing of it is kept or sent. A record that
//! verifies but is not good enough (busy device, no finger, corrupt image, low quality) asks the
//! operator to try again, up to the attempt limit.

use std::collections::BTreeMap;

use amparo_sbi::messages::{BioRequest, RCaptureRequest, SPEC_VERSION};
use amparo_sbi::{BioType, Position, RecordError, TrustStore, chain, verify_capture};

use super::check::{self, Checked, Problem, Thresholds};
use super::device::{self, Device, SbiHttp};
use super::model::{Capture, Exception, ExceptionReason, Sample};
use super::progress::{Board, Cell};

/// How fingers are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FingerMode {
    /// Left four, right four, both thumbs.
    Slaps,
    /// One finger at a time.
    Single,
    /// No fingers.
    None,
}

/// What to capture.
#[derive(Debug, Clone)]
pub struct Plan {
    pub fingers: FingerMode,
    pub irises: bool,
    pub face: bool,
    pub exceptions: Vec<Exception>,
}

/// How strict to be.
#[derive(Debug, Clone)]
pub struct Policy {
    pub thresholds: Thresholds,
    /// Attempts per step before the operator is asked to give up on a position.
    pub max_attempts: u32,
    /// Milliseconds a device may take for one capture.
    pub timeout_ms: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            thresholds: Thresholds::default(),
            max_attempts: 3,
            timeout_ms: 10_000,
        }
    }
}

/// One device call of the session: which positions, on which device sub-id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub bio_type: BioType,
    pub sub_id: u64,
    pub positions: Vec<Position>,
    /// Positions of this step recorded as exceptions, which the device is told to leave out.
    pub excepted: Vec<Position>,
}

/// The operator at the workstation: sees progress and problems, decides on retries.
pub trait Operator {
    /// The progress table changed.
    fn progress(&mut self, board: &Board);
    /// A step is about to be captured.
    fn step(&mut self, step: &Step);
    /// An attempt failed with `problem`; return false to stop retrying this step.
    fn retry(&mut self, step: &Step, problem: &Problem, attempt: u32, max: u32) -> bool;
    /// The attempts for `position` are used up; return true to record it as unable to capture
    /// instead of ending the session.
    fn give_up(&mut self, position: Position, problem: &Problem) -> bool;
    /// Several trusted devices capture `bio_type` and `--device` named none of them: which one
    /// (an index into `candidates`)? `None` when nobody can be asked, e.g. without a terminal.
    fn choose_device(&mut self, _bio_type: BioType, _candidates: &[&Device]) -> Option<usize> {
        None
    }
}

/// Why a session ended without a capture.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SessionError {
    #[error("no {0:?} device was found")]
    NoDevice(BioType),
    /// A record could not be believed; nothing of the session is kept.
    #[error("record refused: {0}")]
    Refused(RecordError),
    /// A position never gave an acceptable sample and the operator did not record an exception.
    #[error("{position:?} not captured: {problem:?}")]
    NotCaptured {
        position: Position,
        problem: Problem,
    },
    #[error("nothing to capture")]
    Empty,
    /// Several trusted devices could capture and nobody chose one.
    #[error("several trusted {bio_type:?} devices; name one with --device: {candidates:?}")]
    DeviceChoice {
        bio_type: BioType,
        candidates: Vec<String>,
    },
}

/// The steps of a plan, without the positions recorded as exceptions.
pub fn steps(plan: &Plan) -> Vec<Step> {
    use Position::*;
    let excepted = |p: &Position| plan.exceptions.iter().any(|e| e.position == *p);
    let mut raw: Vec<Step> = Vec::new();
    match plan.fingers {
        FingerMode::Slaps => {
            for (sub_id, positions) in [
                (1, vec![LeftIndex, LeftMiddle, LeftRing, LeftLittle]),
                (2, vec![RightIndex, RightMiddle, RightRing, RightLittle]),
                (3, vec![LeftThumb, RightThumb]),
            ] {
                raw.push(Step {
                    bio_type: BioType::Finger,
                    sub_id,
                    positions,
                    excepted: Vec::new(),
                });
            }
        }
        FingerMode::Single => {
            for p in Position::FINGERS {
                raw.push(Step {
                    bio_type: BioType::Finger,
                    sub_id: 0,
                    positions: vec![p],
                    excepted: Vec::new(),
                });
            }
        }
        FingerMode::None => {}
    }
    if plan.irises {
        raw.push(Step {
            bio_type: BioType::Iris,
            sub_id: 3,
            positions: vec![RightIris, LeftIris],
            excepted: Vec::new(),
        });
    }
    if plan.face {
        raw.push(Step {
            bio_type: BioType::Face,
            sub_id: 0,
            positions: vec![Face],
            excepted: Vec::new(),
        });
    }
    raw.into_iter()
        .map(|mut s| {
            s.excepted = s
                .positions
                .iter()
                .copied()
                .filter(|p| excepted(p))
                .collect();
            s.positions.retain(|p| !excepted(p));
            s
        })
        .filter(|s| !s.positions.is_empty())
        .collect()
}

/// A running session.
pub struct Session<'a> {
    pub http: &'a SbiHttp,
    pub devices: &'a [Device],
    pub trust: &'a TrustStore,
    pub policy: &'a Policy,
    pub transaction_id: String,
    previous_hash: String,
    /// `--device` values: ports, device ids or serial numbers the operator named.
    selectors: Vec<String>,
    /// The device chosen for each type, so the operator is asked once per session.
    chosen: Vec<(BioType, &'a Device)>,
}

impl<'a> Session<'a> {
    pub fn new(
        http: &'a SbiHttp,
        devices: &'a [Device],
        trust: &'a TrustStore,
        policy: &'a Policy,
    ) -> Self {
        Self {
            http,
            devices,
            trust,
            policy,
            transaction_id: uuid::Uuid::now_v7().to_string(),
            previous_hash: chain::initial_hash(),
            selectors: Vec::new(),
            chosen: Vec::new(),
        }
    }

    /// Devices named with `--device` (port, device id or serial number) are used where several
    /// trusted devices could capture the same thing.
    pub fn with_devices_named(mut self, selectors: &[String]) -> Self {
        self.selectors = selectors.to_vec();
        self
    }

    /// The device for `bio_type`: the only trusted one, else the one named with `--device`,
    /// else the one the operator picks.
    fn device_for(
        &mut self,
        bio_type: BioType,
        operator: &mut impl Operator,
    ) -> Result<&'a Device, SessionError> {
        if let Some((_, d)) = self.chosen.iter().find(|(t, _)| *t == bio_type) {
            return Ok(d);
        }
        let devices: &'a [Device] = self.devices;
        let mut candidates = device::candidates(devices, bio_type);
        if candidates.is_empty() {
            return Err(SessionError::NoDevice(bio_type));
        }
        let named: Vec<&'a Device> = candidates
            .iter()
            .copied()
            .filter(|d| self.selectors.iter().any(|s| device::matches(d, s)))
            .collect();
        if !named.is_empty() {
            candidates = named;
        }
        let picked = if candidates.len() == 1 {
            candidates[0]
        } else {
            match operator.choose_device(bio_type, &candidates) {
                Some(i) if i < candidates.len() => candidates[i],
                _ => {
                    return Err(SessionError::DeviceChoice {
                        bio_type,
                        candidates: candidates.iter().map(|d| device::describe(d)).collect(),
                    });
                }
            }
        };
        self.chosen.push((bio_type, picked));
        Ok(picked)
    }

    /// Runs the whole plan for `individual_id`.
    pub async fn run(
        &mut self,
        plan: &Plan,
        individual_id: &str,
        operator: &mut impl Operator,
    ) -> Result<Capture, SessionError> {
        let steps = steps(plan);
        if steps.is_empty() && plan.exceptions.is_empty() {
            return Err(SessionError::Empty);
        }
        let mut exceptions = plan.exceptions.clone();
        let mut board = Board::new(
            steps
                .iter()
                .flat_map(|s| s.positions.iter().copied())
                .chain(exceptions.iter().map(|e| e.position)),
            self.trust.allows_unsigned(),
        );
        for e in &exceptions {
            board.set(e.position, Cell::Exception(e.reason));
        }
        operator.progress(&board);
        let mut samples = Vec::new();
        for step in &steps {
            let device = self.device_for(step.bio_type, operator)?;
            operator.step(step);
            let (kept, failed) = self
                .capture_step(device, step, &mut board, operator)
                .await?;
            // The step already showed the board after its last attempt; show it again only if
            // giving up changed it (each board costs a few hundred bytes on a thin link).
            let gave_up = !failed.is_empty();
            for (position, problem) in failed {
                if operator.give_up(position, &problem) {
                    exceptions.push(Exception {
                        position,
                        reason: ExceptionReason::UnableToCapture,
                        note: None,
                    });
                    board.set(position, Cell::Exception(ExceptionReason::UnableToCapture));
                } else {
                    return Err(SessionError::NotCaptured { position, problem });
                }
            }
            samples.extend(kept.into_values().map(sample));
            if gave_up {
                operator.progress(&board);
            }
        }
        Ok(Capture {
            client_mutation_id: uuid::Uuid::now_v7().to_string(),
            individual_id: individual_id.to_string(),
            transaction_id: self.transaction_id.clone(),
            captured_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            samples,
            exceptions,
        })
    }

    /// Takes `position` again after the server refused its sample, keeping every other sample
    /// of `capture`. The new sample replaces the refused one, or, if the operator gives up, the
    /// position is recorded as unable to capture. The capture gets a new `clientMutationId`,
    /// since it is no longer what was sent.
    pub async fn retake(
        &mut self,
        capture: &mut Capture,
        position: Position,
        operator: &mut impl Operator,
    ) -> Result<(), SessionError> {
        let bio_type = position.bio_type();
        let sub_id = match position {
            Position::LeftIris => 1,
            Position::RightIris => 2,
            _ => 0,
        };
        let step = Step {
            bio_type,
            sub_id,
            positions: vec![position],
            excepted: Vec::new(),
        };
        let device = self.device_for(bio_type, operator)?;
        let mut board = Board::new([position], self.trust.allows_unsigned());
        operator.step(&step);
        let (mut kept, failed) = self
            .capture_step(device, &step, &mut board, operator)
            .await?;
        capture.samples.retain(|s| s.position != position);
        if let Some(c) = kept.remove(&position) {
            capture.samples.push(sample(c));
        } else if let Some((_, problem)) = failed.into_iter().next() {
            if !operator.give_up(position, &problem) {
                return Err(SessionError::NotCaptured { position, problem });
            }
            capture.exceptions.push(Exception {
                position,
                reason: ExceptionReason::UnableToCapture,
                note: None,
            });
        }
        capture.client_mutation_id = uuid::Uuid::now_v7().to_string();
        Ok(())
    }

    fn request(&self, device: &Device, step: &Step) -> RCaptureRequest {
        let excepted: Vec<String> = step
            .excepted
            .iter()
            .map(|p| p.bio_sub_type().to_string())
            .collect();
        RCaptureRequest {
            env: device
                .info
                .as_ref()
                .map(|i| i.env.clone())
                .filter(|e| !e.is_empty() && e != "None")
                .unwrap_or_else(|| "Developer".into()),
            purpose: "Registration".into(),
            spec_version: SPEC_VERSION.into(),
            timeout: self.policy.timeout_ms,
            capture_time: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            transaction_id: self.transaction_id.clone(),
            bio: vec![BioRequest {
                bio_type: step.bio_type.as_str().into(),
                count: step.positions.len() as u64,
                bio_sub_type: if step.bio_type == BioType::Face {
                    Vec::new()
                } else {
                    step.positions
                        .iter()
                        .map(|p| p.bio_sub_type().to_string())
                        .collect()
                },
                exception: excepted,
                requested_score: f64::from(self.policy.thresholds.for_type(step.bio_type)),
                device_id: device.discovered.device_id.clone(),
                device_sub_id: step.sub_id,
                previous_hash: self.previous_hash.clone(),
            }],
            custom_opts: None,
        }
    }

    /// Attempts one step until every position has an acceptable sample or the attempts run
    /// out. Returns the best sample per position and the last problem of the ones left.
    async fn capture_step(
        &mut self,
        device: &Device,
        step: &Step,
        board: &mut Board,
        operator: &mut impl Operator,
    ) -> Result<(BTreeMap<Position, Checked>, Vec<(Position, Problem)>), SessionError> {
        let mut best: BTreeMap<Position, Checked> = BTreeMap::new();
        let mut last_problem: BTreeMap<Position, Problem> = BTreeMap::new();
        let max = self.policy.max_attempts.max(1);
        for attempt in 1..=max {
            let request = self.request(device, step);
            let problem = match self.http.rcapture(device.port, &request).await {
                Err(e) => Some(Problem::Unreachable(e.to_string())),
                Ok(answer) => {
                    match verify_capture(
                        &answer,
                        self.trust,
                        &self.transaction_id,
                        &self.previous_hash,
                    ) {
                        Err(RecordError::Device { code, info }) => {
                            Some(Problem::Device { code, info })
                        }
                        Err(e) => return Err(SessionError::Refused(e)),
                        Ok(records) => {
                            if let Some(last) = records.last() {
                                self.previous_hash = last.hash.clone();
                            }
                            self.judge(step, records, &mut best, &mut last_problem)
                        }
                    }
                }
            };
            if let Some(p) = &problem {
                for pos in &step.positions {
                    if !best.contains_key(pos) {
                        last_problem.entry(*pos).or_insert_with(|| p.clone());
                        if !matches!(p, Problem::LowQuality { .. }) {
                            last_problem.insert(*pos, p.clone());
                        }
                    }
                }
            }
            for (pos, c) in &best {
                board.set(*pos, Cell::Done(c.device_quality));
            }
            operator.progress(board);
            let open: Vec<&Position> = step
                .positions
                .iter()
                .filter(|p| !best.contains_key(p))
                .collect();
            if open.is_empty() {
                break;
            }
            let shown = problem
                .or_else(|| open.first().and_then(|p| last_problem.get(p)).cloned())
                .unwrap_or(Problem::NotReturned);
            if attempt == max || !operator.retry(step, &shown, attempt, max) {
                break;
            }
        }
        let failed = step
            .positions
            .iter()
            .filter(|p| !best.contains_key(p))
            .map(|p| {
                (
                    *p,
                    last_problem.get(p).cloned().unwrap_or(Problem::NotReturned),
                )
            })
            .collect();
        Ok((best, failed))
    }

    /// Checks the records of one attempt, keeping each position's best. Returns the problem
    /// to show when a position of the step is still without a sample.
    fn judge(
        &self,
        step: &Step,
        records: Vec<amparo_sbi::VerifiedBiometric>,
        best: &mut BTreeMap<Position, Checked>,
        last_problem: &mut BTreeMap<Position, Problem>,
    ) -> Option<Problem> {
        let mut returned = Vec::new();
        for r in records {
            let position = r.position;
            if !step.positions.contains(&position) {
                continue;
            }
            returned.push(position);
            match check::check(r, &self.policy.thresholds) {
                Ok(c) => {
                    let better = best
                        .get(&position)
                        .is_none_or(|b| c.judged_quality > b.judged_quality);
                    if better {
                        best.insert(position, c);
                    }
                }
                Err(p) => {
                    last_problem.insert(position, p);
                }
            }
        }
        for p in &step.positions {
            if !returned.contains(p) && !best.contains_key(p) {
                last_problem.insert(*p, Problem::NotReturned);
            }
        }
        step.positions
            .iter()
            .filter(|p| !best.contains_key(p))
            .find_map(|p| last_problem.get(p).cloned())
    }
}

fn sample(c: Checked) -> Sample {
    use base64::Engine;
    Sample {
        position: c.biometric.position,
        record: base64::engine::general_purpose::STANDARD.encode(&c.biometric.iso),
        device_record: c.biometric.device_record,
        quality: c.device_quality,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(fingers: FingerMode, exceptions: Vec<Exception>) -> Plan {
        Plan {
            fingers,
            irises: true,
            face: false,
            exceptions,
        }
    }

    #[test]
    fn slaps_then_eyes_and_exceptions_leave_their_step() {
        let s = steps(&plan(FingerMode::Slaps, vec![]));
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].sub_id, 1);
        assert_eq!(
            s[3].positions,
            vec![Position::RightIris, Position::LeftIris]
        );
        let injured = Exception::parse("left-little:injured").expect("valid");
        let s = steps(&plan(FingerMode::Slaps, vec![injured]));
        assert_eq!(s[0].positions.len(), 3);
        assert!(!s[0].positions.contains(&Position::LeftLittle));
        // A whole step of exceptions is no step.
        let both: Vec<Exception> = ["right-iris", "left-iris"]
            .iter()
            .map(|p| Exception::parse(p).expect("valid"))
            .collect();
        assert_eq!(steps(&plan(FingerMode::None, both)).len(), 0);
        assert_eq!(steps(&plan(FingerMode::Single, vec![])).len(), 11);
    }
}
