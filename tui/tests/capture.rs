//! The capture path end to end without hardware: the device emulator in-process on a port of
//! 4501-4600, discovery and info over real HTTP, a full capture of ten fingers and two irises
//! through every check into a `Capture`, each deliberate fault refused with its own reason and
//! nothing handed on, and the offline queue delivering a capture exactly once after a failure.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use amparo::capture::check::Problem;
use amparo::capture::cli::{deliver_retaking, device_lines};
use amparo::capture::device::{self, Device, SbiHttp};
use amparo::capture::emulator::{self, Emulator, EmulatorConfig, Fault, Source};
use amparo::capture::model::{Capture, Exception, ExceptionReason};
use amparo::capture::progress::Board;
use amparo::capture::queue::{Delivery, Queue};
use amparo::capture::session::{FingerMode, Operator, Plan, Policy, Session, SessionError, Step};
use amparo::capture::upload::{UploadError, Uploader, refused_sample};
use amparo::i18n::Lang;
use amparo_sbi::messages::ErrorCode;
use amparo_sbi::{BioType, DeviceIdentity, Position, RecordError, TrustStore, verify_record};
use base64::Engine;

fn identity(n: usize) -> DeviceIdentity {
    static IDS: OnceLock<Vec<DeviceIdentity>> = OnceLock::new();
    IDS.get_or_init(|| {
        (0..2)
            .map(|i| {
                DeviceIdentity::generate(&mut rand_core::OsRng, &format!("capture test {i}"))
                    .expect("identity")
            })
            .collect()
    })[n]
        .clone()
}

fn trusting(n: usize) -> TrustStore {
    let mut t = TrustStore::new();
    t.add_pem(&identity(n).certificate_pem().expect("pem"))
        .expect("trusted");
    t
}

async fn emulator(signed: bool, seed: u64) -> Emulator {
    Emulator::start(EmulatorConfig {
        port: None,
        source: Source::Synthetic,
        subject_seed: seed,
        identity: signed.then(|| identity(0)),
        fault: None,
    })
    .await
    .expect("emulator listens in 4501-4600")
}

/// Discovery over the whole SBI range, keeping this test's emulator: other tests (and other
/// programs) may have devices on the other ports.
async fn devices_of(emu: &Emulator, trust: &TrustStore) -> (SbiHttp, Vec<Device>) {
    let http = SbiHttp::new(Duration::from_millis(500)).expect("client");
    let found = device::discover(&http, emulator::PORTS, trust).await;
    let ours = found.into_iter().filter(|d| d.port == emu.port()).collect();
    (http, ours)
}

/// Retries while it may, never gives up a position, and remembers every problem shown.
#[derive(Default)]
struct Patient {
    problems: Vec<Problem>,
    boards: usize,
}

impl Operator for Patient {
    fn progress(&mut self, _board: &Board) {
        self.boards += 1;
    }
    fn step(&mut self, _step: &Step) {}
    fn retry(&mut self, _step: &Step, problem: &Problem, _attempt: u32, _max: u32) -> bool {
        self.problems.push(problem.clone());
        true
    }
    fn give_up(&mut self, _position: Position, _problem: &Problem) -> bool {
        false
    }
}

/// Records what it was sent; fails with a transport error while `down`.
#[derive(Default)]
struct Recorder {
    down: bool,
    got: Mutex<Vec<Capture>>,
}

impl Uploader for Recorder {
    async fn upload(&self, capture: &Capture) -> Result<(), UploadError> {
        if self.down {
            return Err(UploadError::Transport("connection refused".into()));
        }
        self.got.lock().expect("lock").push(capture.clone());
        Ok(())
    }
}

impl Recorder {
    fn count(&self) -> usize {
        self.got.lock().expect("lock").len()
    }
}

fn policy(max_attempts: u32) -> Policy {
    Policy {
        max_attempts,
        ..Policy::default()
    }
}

fn eyes_only() -> Plan {
    Plan {
        fingers: FingerMode::None,
        irises: true,
        face: false,
        exceptions: Vec::new(),
    }
}

#[tokio::test]
async fn discovery_info_and_a_full_capture_of_ten_fingers_and_two_irises() {
    let emu = emulator(true, 42).await;
    let trust = trusting(0);
    let (http, devices) = devices_of(&emu, &trust).await;
    let types: Vec<Option<BioType>> = devices.iter().map(Device::bio_type).collect();
    assert_eq!(types, vec![Some(BioType::Finger), Some(BioType::Iris)]);
    for d in &devices {
        let info = d.info.as_ref().expect("signed info verified");
        assert_eq!(info.device_status, "Ready");
        assert_eq!(info.purpose, "Registration");
    }

    let tmp = tempfile::tempdir().expect("tmp");
    let queue = Queue::open(tmp.path(), None).expect("queue");
    let uploader = Recorder::default();
    let policy = policy(3);
    let mut session = Session::new(&http, &devices, &trust, &policy);
    let mut operator = Patient::default();
    let plan = Plan {
        fingers: FingerMode::Slaps,
        irises: true,
        face: false,
        exceptions: Vec::new(),
    };
    let capture = session
        .run(&plan, "0195f000-0000-7000-8000-000000000042", &mut operator)
        .await
        .expect("a clean capture");
    assert_eq!(
        queue.deliver(&uploader, &capture).await.expect("delivered"),
        Delivery::Uploaded
    );
    let got = uploader.got.lock().expect("lock").clone();
    assert_eq!(got, vec![capture.clone()]);

    let mut positions: Vec<Position> = capture.samples.iter().map(|s| s.position).collect();
    positions.sort();
    let mut expected: Vec<Position> = Position::FINGERS.to_vec();
    expected.extend([Position::RightIris, Position::LeftIris]);
    expected.sort();
    assert_eq!(positions, expected);
    assert!(capture.exceptions.is_empty());
    assert!(!capture.client_mutation_id.is_empty());
    for s in &capture.samples {
        // The device record travels as the device sent it and still verifies alone, and its
        // bioValue is exactly the ISO record sent beside it.
        let v = verify_record(&s.device_record, &trust).expect("record verifies again");
        assert_eq!(v.position, s.position);
        assert_eq!(v.data.transaction_id, capture.transaction_id);
        let iso = base64::engine::general_purpose::STANDARD
            .decode(&s.record)
            .expect("standard base64");
        assert_eq!(iso, v.iso);
        assert!(s.quality >= 40 || s.position.bio_type() == BioType::Iris);
    }
    assert!(queue.pending().expect("list").is_empty());
    assert!(operator.boards >= 5, "progress shown after each step");
}

/// Runs an eyes-only session against an emulator misbehaving with `fault`.
async fn with_fault(fault: Fault, trust: TrustStore) -> (Result<Capture, SessionError>, Patient) {
    let emu = emulator(true, 7).await;
    emu.fail_always(Some(fault));
    let (http, devices) = devices_of(&emu, &trust).await;
    let policy = policy(2);
    let mut session = Session::new(&http, &devices, &trust, &policy);
    let mut operator = Patient::default();
    let result = session.run(&eyes_only(), "person", &mut operator).await;
    (result, operator)
}

#[tokio::test]
async fn records_that_cannot_be_believed_end_the_session_with_their_reason() {
    let (r, _) = with_fault(Fault::BadSignature, trusting(0)).await;
    assert_eq!(r, Err(SessionError::Refused(RecordError::BadSignature)));

    let (r, _) = with_fault(Fault::BrokenChain, trusting(0)).await;
    assert_eq!(
        r,
        Err(SessionError::Refused(RecordError::BrokenHashChain {
            index: 0
        }))
    );

    let (r, _) = with_fault(Fault::Unsigned, trusting(0)).await;
    assert_eq!(r, Err(SessionError::Refused(RecordError::Unsigned)));

    let (r, _) = with_fault(Fault::WrongTransaction, trusting(0)).await;
    assert!(matches!(
        r,
        Err(SessionError::Refused(
            RecordError::TransactionMismatch { .. }
        ))
    ));

    // A device signing with a certificate the office did not configure.
    let emu = emulator(true, 7).await;
    let stranger_trust = trusting(1);
    let (http, devices) = devices_of(&emu, &stranger_trust).await;
    assert!(
        devices
            .iter()
            .all(|d| d.info.is_none() && d.info_problem.is_some())
    );
    let policy = policy(2);
    let mut session = Session::new(&http, &devices, &stranger_trust, &policy);
    let r = session
        .run(&eyes_only(), "person", &mut Patient::default())
        .await;
    // Untrusted devices are never candidates, so nothing is captured from them at all.
    assert!(
        matches!(r, Err(SessionError::NoDevice(BioType::Iris))),
        "{r:?}"
    );
}

#[tokio::test]
async fn unsigned_devices_pass_only_with_the_development_allowance() {
    let emu = emulator(false, 9).await;
    let strict = trusting(0);
    let (http, devices) = devices_of(&emu, &strict).await;
    let policy = policy(2);
    let r = Session::new(&http, &devices, &strict, &policy)
        .run(&eyes_only(), "person", &mut Patient::default())
        .await;
    // An unsigned device is not trusted, so it is no candidate.
    assert!(
        matches!(r, Err(SessionError::NoDevice(BioType::Iris))),
        "{r:?}"
    );

    let mut lax = trusting(0);
    lax.set_allow_unsigned(true);
    let (http, devices) = devices_of(&emu, &lax).await;
    let capture = Session::new(&http, &devices, &lax, &policy)
        .run(&eyes_only(), "person", &mut Patient::default())
        .await
        .expect("allowed in development");
    assert_eq!(capture.samples.len(), 2);
}

#[tokio::test]
async fn samples_that_are_not_good_enough_are_retried_then_refused_with_the_reason() {
    let (r, operator) = with_fault(Fault::CorruptImage, trusting(0)).await;
    assert!(
        matches!(
            &r,
            Err(SessionError::NotCaptured {
                problem: Problem::CorruptImage(_),
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(
        operator.problems.len(),
        1,
        "asked to retry once of two attempts"
    );

    // Damaged images, correctly signed: each refused with the reason, never sent.
    for fault in [
        Fault::CutImage,
        Fault::TrailingBytes,
        Fault::WrongDimensions,
        Fault::BrokenMarker,
    ] {
        let (r, _) = with_fault(fault, trusting(0)).await;
        assert!(
            matches!(
                &r,
                Err(SessionError::NotCaptured {
                    problem: Problem::CorruptImage(_),
                    ..
                })
            ),
            "{fault:?}: {r:?}"
        );
    }

    let (r, _) = with_fault(Fault::Busy, trusting(0)).await;
    assert!(matches!(
        r,
        Err(SessionError::NotCaptured {
            problem: Problem::Device {
                code: ErrorCode::Busy,
                ..
            },
            ..
        })
    ));

    let (r, _) = with_fault(Fault::LowQuality, trusting(0)).await;
    assert!(matches!(
        r,
        Err(SessionError::NotCaptured {
            problem: Problem::LowQuality { score: 12, .. },
            ..
        })
    ));
}

#[tokio::test]
async fn a_passing_fault_is_retried_and_exceptions_are_recorded_instead_of_samples() {
    let emu = emulator(true, 11).await;
    emu.fail_next(Fault::NoObject);
    let trust = trusting(0);
    let (http, devices) = devices_of(&emu, &trust).await;
    let policy = policy(3);
    let plan = Plan {
        exceptions: vec![Exception::parse("left-iris:injured:bandaged").expect("valid")],
        ..eyes_only()
    };
    let mut operator = Patient::default();
    let capture = Session::new(&http, &devices, &trust, &policy)
        .run(&plan, "person", &mut operator)
        .await
        .expect("second attempt succeeds");
    assert!(matches!(
        operator.problems.as_slice(),
        [Problem::Device {
            code: ErrorCode::NoBiometricObject,
            ..
        }]
    ));
    assert_eq!(
        capture
            .samples
            .iter()
            .map(|s| s.position)
            .collect::<Vec<_>>(),
        vec![Position::RightIris]
    );
    assert_eq!(capture.exceptions[0].reason, ExceptionReason::Injured);
    assert_eq!(emu.captures(), 2);
}

#[tokio::test]
async fn a_capture_made_while_the_server_is_down_arrives_once_after_sync() {
    let emu = emulator(true, 5).await;
    let trust = trusting(0);
    let (http, devices) = devices_of(&emu, &trust).await;
    let policy = policy(3);
    let capture = Session::new(&http, &devices, &trust, &policy)
        .run(&eyes_only(), "person", &mut Patient::default())
        .await
        .expect("captured");

    let tmp = tempfile::tempdir().expect("tmp");
    let queue = Queue::open(tmp.path(), None).expect("queue");
    let down = Recorder {
        down: true,
        ..Recorder::default()
    };
    assert!(matches!(
        queue.deliver(&down, &capture).await.expect("kept"),
        Delivery::Queued(_)
    ));
    assert_eq!(down.count(), 0);
    assert_eq!(queue.pending().expect("list").len(), 1);

    let up = Recorder::default();
    let report = queue.sync(&up).await.expect("sync");
    assert_eq!((report.sent, report.remaining), (1, 0));
    assert_eq!(queue.sync(&up).await.expect("sync").sent, 0);
    assert_eq!(up.got.lock().expect("lock").clone(), vec![capture]);
}

/// The emulator serving MOSIP's mock device records (JPEG 2000 irises inside ISO 19794-6),
/// which live beside the repository and are never committed.
#[tokio::test]
async fn mock_device_records_from_a_folder_pass_the_same_checks() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/biometrics/mockmds/Registration");
    if !dir.is_dir() {
        println!(
            "SKIPPED: {} is absent (see ../shared/biometrics/README.md)",
            dir.display()
        );
        return;
    }
    let emu = Emulator::start(EmulatorConfig {
        port: None,
        source: Source::Dir(dir),
        subject_seed: 0,
        identity: Some(identity(0)),
        fault: None,
    })
    .await
    .expect("emulator");
    let trust = trusting(0);
    let (http, devices) = devices_of(&emu, &trust).await;
    // The folder has a face record, so a face camera is offered too.
    assert!(devices.iter().any(|d| d.bio_type() == Some(BioType::Face)));
    let policy = policy(1);
    let capture = Session::new(&http, &devices, &trust, &policy)
        .run(&eyes_only(), "person", &mut Patient::default())
        .await
        .expect("the mock device's irises pass");
    assert_eq!(capture.samples.len(), 2);
}

/// An emulator signing as `id` on the first free port above `above`, so that the order of
/// ports between two emulators of one test is known.
async fn emulator_above(above: u16, id: Option<DeviceIdentity>, seed: u64) -> Emulator {
    for port in above + 1..=*emulator::PORTS.end() {
        if let Ok(emu) = Emulator::start(EmulatorConfig {
            port: Some(port),
            source: Source::Synthetic,
            subject_seed: seed,
            identity: id.clone(),
            fault: None,
        })
        .await
        {
            return emu;
        }
    }
    panic!("no free port above {above} in 4501-4600");
}

/// Discovery over the whole range, keeping the devices of these emulators.
async fn devices_of_all(emus: &[&Emulator], trust: &TrustStore) -> (SbiHttp, Vec<Device>) {
    let http = SbiHttp::new(Duration::from_millis(500)).expect("client");
    let found = device::discover(&http, emulator::PORTS, trust).await;
    let ours = found
        .into_iter()
        .filter(|d| emus.iter().any(|e| e.port() == d.port))
        .collect();
    (http, ours)
}

/// Picks the candidate at `index` when asked, and remembers what it was offered.
struct Chooser {
    index: usize,
    offered: Vec<Vec<u16>>,
}

impl Operator for Chooser {
    fn progress(&mut self, _board: &Board) {}
    fn step(&mut self, _step: &Step) {}
    fn retry(&mut self, _step: &Step, _problem: &Problem, _attempt: u32, _max: u32) -> bool {
        true
    }
    fn give_up(&mut self, _position: Position, _problem: &Problem) -> bool {
        false
    }
    fn choose_device(&mut self, _bio_type: BioType, candidates: &[&Device]) -> Option<usize> {
        self.offered
            .push(candidates.iter().map(|d| d.port).collect());
        Some(self.index)
    }
}

#[tokio::test]
async fn an_untrusted_device_on_a_lower_port_is_listed_with_its_reason_and_the_trusted_one_used() {
    let stranger = emulator_above(4500, Some(identity(1)), 11).await;
    let ours = emulator_above(stranger.port(), Some(identity(0)), 11).await;
    assert!(stranger.port() < ours.port());
    let trust = trusting(0);
    let (http, devices) = devices_of_all(&[&stranger, &ours], &trust).await;
    assert_eq!(devices.len(), 4, "finger and iris devices on both ports");

    let refused = device::refused(&devices);
    assert_eq!(refused.len(), 2);
    for (d, reason) in &refused {
        assert_eq!(d.port, stranger.port());
        assert!(!reason.is_empty());
    }
    let lines = device_lines(&devices, amparo::i18n::capture_text(Lang::En));
    for (d, line) in devices.iter().zip(&lines) {
        if d.port == stranger.port() {
            let reason = d.info_problem.as_deref().expect("a reason");
            assert!(line.contains("refused:") && line.contains(reason), "{line}");
        } else {
            assert!(
                line.ends_with("trusted") && !line.contains("refused"),
                "{line}"
            );
        }
    }

    let policy = policy(2);
    let capture = Session::new(&http, &devices, &trust, &policy)
        .run(&eyes_only(), "person", &mut Patient::default())
        .await
        .expect("captured on the trusted device");
    assert_eq!(capture.samples.len(), 2);
    assert_eq!(
        stranger.captures(),
        0,
        "nothing asked of the untrusted device"
    );
    assert!(ours.captures() > 0);
}

#[tokio::test]
async fn with_two_trusted_devices_the_named_or_chosen_one_is_used_and_none_is_guessed() {
    let first = emulator_above(4500, Some(identity(0)), 12).await;
    let second = emulator_above(first.port(), Some(identity(0)), 12).await;
    let trust = trusting(0);
    let (http, devices) = devices_of_all(&[&first, &second], &trust).await;
    let policy = policy(2);

    // Nobody to ask and no --device: the session refuses and lists both, capturing nothing.
    let r = Session::new(&http, &devices, &trust, &policy)
        .run(&eyes_only(), "person", &mut Patient::default())
        .await;
    match r {
        Err(SessionError::DeviceChoice {
            bio_type,
            candidates,
        }) => {
            assert_eq!(bio_type, BioType::Iris);
            assert_eq!(candidates.len(), 2);
            assert!(candidates[0].contains(&format!(":{} ", first.port())));
            assert!(candidates[1].contains(&format!(":{} ", second.port())));
        }
        other => panic!("expected a request for --device, got {other:?}"),
    }
    assert_eq!(first.captures() + second.captures(), 0);

    // --device by port.
    let named = vec![second.port().to_string()];
    Session::new(&http, &devices, &trust, &policy)
        .with_devices_named(&named)
        .run(&eyes_only(), "person", &mut Patient::default())
        .await
        .expect("captured on the named device");
    assert_eq!(first.captures(), 0);
    let on_second = second.captures();
    assert!(on_second > 0);

    // --device by serial number.
    let named = vec![format!("AMPEMU-{}-iris-double", first.port())];
    Session::new(&http, &devices, &trust, &policy)
        .with_devices_named(&named)
        .run(&eyes_only(), "person", &mut Patient::default())
        .await
        .expect("captured on the device named by serial");
    assert!(first.captures() > 0);
    assert_eq!(second.captures(), on_second);

    // The operator's pick, asked once for the whole session.
    let before = (first.captures(), second.captures());
    let mut chooser = Chooser {
        index: 1,
        offered: Vec::new(),
    };
    Session::new(&http, &devices, &trust, &policy)
        .run(&eyes_only(), "person", &mut chooser)
        .await
        .expect("captured on the chosen device");
    assert_eq!(chooser.offered, vec![vec![first.port(), second.port()]]);
    assert_eq!(first.captures(), before.0);
    assert!(second.captures() > before.1);
}

/// Refuses the first capture it gets for the sample at `position`, the way the server names it
/// (`samples.N.record`), then takes what it is sent.
struct RefusesOnce {
    position: Position,
    got: Mutex<Vec<Capture>>,
}

impl Uploader for RefusesOnce {
    async fn upload(&self, capture: &Capture) -> Result<(), UploadError> {
        let mut got = self.got.lock().expect("lock");
        got.push(capture.clone());
        if got.len() > 1 {
            return Ok(());
        }
        let index = capture
            .samples
            .iter()
            .position(|s| s.position == self.position)
            .expect("the finger was sent");
        let field = format!("samples.{index}.record");
        let position = refused_sample(capture, &field).expect("the path names a sample");
        Err(UploadError::SampleRefused {
            position,
            reason: format!("{field}: the finger's quality is too low"),
        })
    }
}

#[tokio::test]
async fn a_finger_the_server_refuses_is_taken_again_alone_and_the_rest_kept() {
    let emu = emulator(true, 13).await;
    let trust = trusting(0);
    let (http, devices) = devices_of(&emu, &trust).await;
    let policy = policy(3);
    let mut session = Session::new(&http, &devices, &trust, &policy);
    let mut operator = Patient::default();
    let plan = Plan {
        fingers: FingerMode::Slaps,
        irises: false,
        face: false,
        exceptions: Vec::new(),
    };
    let capture = session
        .run(&plan, "person", &mut operator)
        .await
        .expect("a clean capture");
    let tmp = tempfile::tempdir().expect("tmp");
    let queue = Queue::open(tmp.path(), None).expect("queue");
    let server = RefusesOnce {
        position: Position::LeftRing,
        got: Mutex::new(Vec::new()),
    };
    let before = emu.captures();
    let delivery = deliver_retaking(
        &queue,
        &server,
        &mut session,
        capture.clone(),
        &mut operator,
    )
    .await
    .expect("delivered");
    assert_eq!(delivery, Delivery::Uploaded);
    assert_eq!(
        emu.captures(),
        before + 1,
        "one capture: the refused finger"
    );

    let got = server.got.lock().expect("lock").clone();
    assert_eq!(got.len(), 2);
    let (first, resent) = (&got[0], &got[1]);
    assert_eq!(first, &capture);
    assert_ne!(resent.client_mutation_id, first.client_mutation_id);
    assert_eq!(resent.transaction_id, first.transaction_id);
    assert_eq!(resent.samples.len(), first.samples.len());
    for s in &first.samples {
        let again = resent
            .samples
            .iter()
            .find(|r| r.position == s.position)
            .expect("every position sent again");
        if s.position == Position::LeftRing {
            assert_ne!(again.device_record, s.device_record, "taken anew");
            let v = verify_record(&again.device_record, &trust).expect("verifies");
            assert_eq!(v.position, Position::LeftRing);
            assert_eq!(v.data.transaction_id, resent.transaction_id);
        } else {
            assert_eq!(again, s, "kept as it was");
        }
    }
    assert!(queue.pending().expect("list").is_empty());
    assert!(queue.refused().expect("refused").is_empty());
}
