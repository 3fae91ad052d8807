//! A biometric device service that speaks SBI 0.9.5 over HTTP on 127.0.0.1, so the whole
//! capture path runs without hardware: `amparo capture-emulator` for people, [`Emulator::start`]
//! for tests.
//!
//! It offers a finger slap scanner (sub-ids 1 left slap, 2 right slap, 3 thumbs), a double iris
//! camera and, when the source has one, a face camera, all behind one port. It answers MOSIPDISC
//! `/device`, MOSIPDINFO `/info` and RCAPTURE `/capture`, signs with a [`DeviceIdentity`] (or
//! not at all, as an unregistered device) and chains the hashes as a registration device must.
//!
//! Faults make it misbehave on purpose so the client's refusals can be tested: for every request
//! ([`Emulator::fail_always`]), for the next ones ([`Emulator::fail_next`]), or for one request
//! through `customOpts: {"amparoFault": "bad-signature"}`.

pub mod source;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use amparo_sbi::chain;
use amparo_sbi::messages::{
    self, ANY_DEVICE, BioRequest, BiometricRecord, CaptureData, DeviceError, DeviceInfo, DigitalId,
    DiscoverRequest, DiscoveredDevice, ErrorCode, InfoEntry, RCaptureRequest, RCaptureResponse,
    SPEC_VERSION,
};
use amparo_sbi::{BioType, DeviceIdentity, Position, jws, make_record};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub use source::Source;

/// The ports SBI devices listen on.
pub const PORTS: std::ops::RangeInclusive<u16> = 4501..=4600;

/// A deliberate misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Fault {
    /// Answer error 111, device busy.
    Busy,
    /// Answer error 101, no finger or eye in front of the device.
    NoObject,
    /// Change the signature of the first record after signing.
    BadSignature,
    /// Chain the hashes from the wrong previous hash.
    BrokenChain,
    /// Damage the image inside the ISO record, then sign and chain it properly.
    CorruptImage,
    /// Send the records unsigned, as an unregistered device.
    Unsigned,
    /// Put another transaction id in the records.
    WrongTransaction,
    /// Report a quality score of 12.
    LowQuality,
    /// Cut the image inside the record as a failing transfer does (its last bytes zeroed, the
    /// end marker gone), then sign it properly.
    CutImage,
    /// Append bytes after the image's end, then sign it properly.
    TrailingBytes,
    /// Give the image dimensions in the ISO header that disagree with the image.
    WrongDimensions,
    /// Break the image's first marker segment (a JPEG 2000 or WSQ segment length, a PNG chunk
    /// length) so that it claims more bytes than the image holds, then sign it properly.
    BrokenMarker,
}

impl Fault {
    fn parse(s: &str) -> Option<Self> {
        <Self as clap::ValueEnum>::from_str(s, true).ok()
    }
}

/// How to run an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The port; `None` takes the first free one in [`PORTS`].
    pub port: Option<u16>,
    pub source: Source,
    /// The synthetic person captured, until [`Emulator::set_subject`] changes it.
    pub subject_seed: u64,
    /// `None`: an unregistered device that signs nothing.
    pub identity: Option<DeviceIdentity>,
    /// A fault on every request from the start.
    pub fault: Option<Fault>,
}

#[derive(Default)]
struct Faults {
    always: Option<Fault>,
    next: VecDeque<Fault>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    FingerSlap,
    IrisDouble,
    Face,
}

impl Kind {
    fn device_id(self) -> &'static str {
        match self {
            Self::FingerSlap => "finger-slap",
            Self::IrisDouble => "iris-double",
            Self::Face => "face",
        }
    }

    fn bio_type(self) -> BioType {
        match self {
            Self::FingerSlap => BioType::Finger,
            Self::IrisDouble => BioType::Iris,
            Self::Face => BioType::Face,
        }
    }

    fn sub_type(self) -> &'static str {
        match self {
            Self::FingerSlap => "Slap",
            Self::IrisDouble => "Double",
            Self::Face => "Full face",
        }
    }

    fn sub_ids(self) -> Vec<u8> {
        match self {
            Self::FingerSlap | Self::IrisDouble => vec![1, 2, 3],
            Self::Face => vec![0],
        }
    }
}

struct Device {
    kind: Kind,
    busy: AtomicBool,
}

struct Shared {
    port: u16,
    source: Source,
    identity: Option<DeviceIdentity>,
    subject: AtomicU64,
    captures: AtomicU64,
    faults: Mutex<Faults>,
    devices: Vec<Device>,
}

/// A running emulator; dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Emulator {
    /// Binds 127.0.0.1 (never another address: SBI devices are local) and serves in a task.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Self> {
        let listener = match config.port {
            Some(port) => tokio::net::TcpListener::bind(("127.0.0.1", port)).await?,
            None => bind_in_range().await?,
        };
        let addr = listener.local_addr()?;
        let mut kinds = vec![Kind::FingerSlap, Kind::IrisDouble];
        if config.source.has_face() {
            kinds.push(Kind::Face);
        }
        let shared = Arc::new(Shared {
            port: addr.port(),
            source: config.source,
            identity: config.identity,
            subject: AtomicU64::new(config.subject_seed),
            captures: AtomicU64::new(0),
            faults: Mutex::new(Faults {
                always: config.fault,
                next: VecDeque::new(),
            }),
            devices: kinds
                .into_iter()
                .map(|kind| Device {
                    kind,
                    busy: AtomicBool::new(false),
                })
                .collect(),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            // The listener only fails when the process is going down anyway.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, shared, task })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Misbehave in this way on every request (`None`: behave).
    pub fn fail_always(&self, fault: Option<Fault>) {
        self.faults().always = fault;
    }

    /// Misbehave in this way on the next capture request only (queued after earlier ones).
    pub fn fail_next(&self, fault: Fault) {
        self.faults().next.push_back(fault);
    }

    /// Capture another synthetic person from now on.
    pub fn set_subject(&self, seed: u64) {
        self.shared.subject.store(seed, Ordering::SeqCst);
    }

    /// How many capture requests were answered.
    pub fn captures(&self) -> u64 {
        self.shared.captures.load(Ordering::SeqCst)
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Serves until the task ends (for the command line).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

async fn bind_in_range() -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for port in PORTS {
        match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port in 4501-4600")))
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let Ok(body) = axum::body::to_bytes(req.into_body(), 1 << 20).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request too large").into_response();
    };
    match (method.as_str(), path.as_str()) {
        ("MOSIPDISC", "/device") => json(&shared, &discover(&shared, &body)),
        ("MOSIPDINFO", "/info") => json(&shared, &info(&shared)),
        ("RCAPTURE", "/capture") => {
            let answer = capture(shared.clone(), body).await;
            json(&shared, &answer)
        }
        (_, "/device" | "/info" | "/capture") => (
            StatusCode::METHOD_NOT_ALLOWED,
            "use MOSIPDISC, MOSIPDINFO or RCAPTURE",
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "not an SBI endpoint").into_response(),
    }
}

fn json<T: Serialize>(shared: &Shared, body: &T) -> Response {
    let mut resp = axum::Json(body).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("http://127.0.0.1:{}", shared.port)) {
        headers.insert(header::LOCATION, v);
    }
    resp
}

fn digital_id(shared: &Shared, kind: Kind) -> DigitalId {
    DigitalId {
        serial_no: format!("AMPEMU-{}-{}", shared.port, kind.device_id()),
        make: "Amparo".into(),
        model: "Emulator".into(),
        device_type: kind.bio_type().as_str().into(),
        device_sub_type: kind.sub_type().into(),
        device_provider: "Amparo development".into(),
        device_provider_id: "amparo.dev".into(),
        date_time: Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

use chrono::Utc;

fn status(device: &Device) -> &'static str {
    if device.busy.load(Ordering::SeqCst) {
        "Busy"
    } else {
        "Ready"
    }
}

fn purpose(shared: &Shared) -> &'static str {
    if shared.identity.is_some() {
        "Registration"
    } else {
        ""
    }
}

fn discover(shared: &Shared, body: &Bytes) -> Vec<DiscoveredDevice> {
    let wanted = serde_json::from_slice::<DiscoverRequest>(body)
        .map(|r| r.device_type)
        .unwrap_or_else(|_| ANY_DEVICE.to_string());
    shared
        .devices
        .iter()
        .filter(|d| wanted == ANY_DEVICE || wanted == d.kind.bio_type().as_str())
        .map(|d| {
            let id = serde_json::to_vec(&digital_id(shared, d.kind)).unwrap_or_default();
            DiscoveredDevice {
                device_id: d.kind.device_id().into(),
                device_status: status(d).into(),
                certification: "L0".into(),
                service_version: SPEC_VERSION.into(),
                device_sub_id: d.kind.sub_ids(),
                callback_id: format!("http://127.0.0.1:{}/", shared.port),
                digital_id: jws::unsigned(&id),
                device_code: digital_id(shared, d.kind).serial_no,
                spec_version: vec![SPEC_VERSION.into()],
                purpose: purpose(shared).into(),
                error: DeviceError::success(),
            }
        })
        .collect()
}

fn sign(shared: &Shared, payload: &[u8]) -> String {
    match &shared.identity {
        Some(id) => id.sign(payload),
        None => jws::unsigned(payload),
    }
}

fn info(shared: &Shared) -> Vec<InfoEntry> {
    shared
        .devices
        .iter()
        .map(|d| {
            let digital = serde_json::to_vec(&digital_id(shared, d.kind)).unwrap_or_default();
            let info = DeviceInfo {
                device_status: status(d).into(),
                device_id: d.kind.device_id().into(),
                firmware: env!("CARGO_PKG_VERSION").into(),
                certification: "L0".into(),
                service_version: SPEC_VERSION.into(),
                device_sub_id: d.kind.sub_ids(),
                callback_id: format!("http://127.0.0.1:{}/", shared.port),
                digital_id: sign(shared, &digital),
                device_code: digital_id(shared, d.kind).serial_no,
                env: if shared.identity.is_some() {
                    "Developer".into()
                } else {
                    "None".into()
                },
                purpose: purpose(shared).into(),
                spec_version: vec![SPEC_VERSION.into()],
            };
            InfoEntry {
                device_info: sign(shared, &serde_json::to_vec(&info).unwrap_or_default()),
                error: if shared.identity.is_some() {
                    DeviceError::success()
                } else {
                    DeviceError::from_code(ErrorCode::NotRegistered)
                },
            }
        })
        .collect()
}

fn error_answer(code: ErrorCode, info: &str) -> RCaptureResponse {
    RCaptureResponse {
        biometrics: vec![BiometricRecord {
            spec_version: serde_json::Value::String(SPEC_VERSION.into()),
            data: String::new(),
            hash: String::new(),
            error: DeviceError {
                error_code: code.code().to_string(),
                error_info: info.to_string(),
            },
        }],
    }
}

/// Which positions a request asks a device for, without the exceptions.
fn positions(kind: Kind, bio: &BioRequest) -> Vec<Position> {
    let named: Vec<Position> = bio
        .bio_sub_type
        .iter()
        .filter_map(|s| Position::from_sbi(kind.bio_type(), Some(s)))
        .collect();
    let all = if !named.is_empty() {
        named
    } else {
        use Position::*;
        match (kind, bio.device_sub_id) {
            (Kind::FingerSlap, 1) => vec![LeftIndex, LeftMiddle, LeftRing, LeftLittle],
            (Kind::FingerSlap, 2) => vec![RightIndex, RightMiddle, RightRing, RightLittle],
            (Kind::FingerSlap, _) => vec![LeftThumb, RightThumb],
            (Kind::IrisDouble, 1) => vec![LeftIris],
            (Kind::IrisDouble, 2) => vec![RightIris],
            (Kind::IrisDouble, _) => vec![RightIris, LeftIris],
            (Kind::Face, _) => vec![Face],
        }
    };
    let excluded: Vec<Position> = bio
        .exception
        .iter()
        .filter_map(|s| Position::from_sbi(kind.bio_type(), Some(s)))
        .collect();
    all.into_iter().filter(|p| !excluded.contains(p)).collect()
}

/// Clears a device's busy flag however the capture ends.
struct BusyGuard<'a>(&'a AtomicBool);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

async fn capture(shared: Arc<Shared>, body: Bytes) -> RCaptureResponse {
    let request: RCaptureRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error_answer(ErrorCode::Vendor(501), &format!("Invalid request: {e}")),
    };
    shared.captures.fetch_add(1, Ordering::SeqCst);
    let fault = {
        let mut f = shared.faults.lock().unwrap_or_else(PoisonError::into_inner);
        let per_request = request
            .custom_opts
            .as_ref()
            .and_then(|o| o.get("amparoFault"))
            .and_then(|v| v.as_str())
            .and_then(Fault::parse);
        per_request.or_else(|| f.next.pop_front()).or(f.always)
    };
    if !messages::valid_transaction_id(&request.transaction_id) {
        return error_answer(
            ErrorCode::InvalidTransactionId,
            ErrorCode::InvalidTransactionId.message(),
        );
    }
    let Some(bio) = request.bio.first() else {
        return error_answer(ErrorCode::CountNotSupported, "No biometric requested");
    };
    let Some(device) = shared
        .devices
        .iter()
        .find(|d| d.kind.device_id() == bio.device_id)
    else {
        return error_answer(
            ErrorCode::DeviceNotFound,
            ErrorCode::DeviceNotFound.message(),
        );
    };
    match fault {
        Some(Fault::Busy) => return error_answer(ErrorCode::Busy, ErrorCode::Busy.message()),
        Some(Fault::NoObject) => {
            return error_answer(
                ErrorCode::NoBiometricObject,
                ErrorCode::NoBiometricObject.message(),
            );
        }
        _ => {}
    }
    if device
        .busy
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return error_answer(ErrorCode::Busy, ErrorCode::Busy.message());
    }
    let _guard = BusyGuard(&device.busy);
    let wanted = positions(device.kind, bio);
    if wanted.is_empty() {
        return error_answer(
            ErrorCode::CountNotSupported,
            "Every requested position is an exception",
        );
    }
    let subject = shared.subject.load(Ordering::SeqCst);
    let attempt = shared.captures.load(Ordering::SeqCst);
    let worker = shared.clone();
    let samples = tokio::task::spawn_blocking(move || {
        wanted
            .into_iter()
            .map(|p| worker.source.sample(subject, p, attempt).map(|s| (p, s)))
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    let samples = match samples {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return error_answer(ErrorCode::ExtractionError, &e.to_string()),
        Err(e) => return error_answer(ErrorCode::ExtractionError, &e.to_string()),
    };
    let identity = match fault {
        Some(Fault::Unsigned) => None,
        _ => shared.identity.as_ref(),
    };
    let mut previous = match fault {
        Some(Fault::BrokenChain) => {
            chain::link(&chain::initial_hash(), b"another session").unwrap_or_default()
        }
        _ => bio.previous_hash.clone(),
    };
    let timestamp = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let digital = digital_id(&shared, device.kind);
    let mut biometrics = Vec::new();
    for (position, sample) in samples {
        let mut iso = sample.iso;
        match fault {
            Some(Fault::CorruptImage) => corrupt(&mut iso),
            Some(
                f @ (Fault::CutImage
                | Fault::TrailingBytes
                | Fault::WrongDimensions
                | Fault::BrokenMarker),
            ) => {
                iso = damage_image(f, iso);
            }
            _ => {}
        }
        let data = CaptureData {
            digital_id: String::new(),
            bio_type: position.bio_type().as_str().into(),
            device_code: digital.serial_no.clone(),
            device_service_version: SPEC_VERSION.into(),
            bio_sub_type: (position != Position::Face).then(|| position.bio_sub_type().into()),
            purpose: "Registration".into(),
            env: "Developer".into(),
            bio_value: String::new(),
            transaction_id: if fault == Some(Fault::WrongTransaction) {
                "another-transaction".into()
            } else {
                request.transaction_id.clone()
            },
            timestamp: timestamp.clone(),
            requested_score: bio.requested_score,
            quality_score: if fault == Some(Fault::LowQuality) {
                12.0
            } else {
                f64::from(sample.quality)
            },
        };
        match make_record(identity, data, &digital, &iso, &previous) {
            Ok((record, hash)) => {
                biometrics.push(record);
                previous = hash;
            }
            Err(_) => {
                return error_answer(ErrorCode::Vendor(502), "previousHash is not a SHA-256 hash");
            }
        }
    }
    if fault == Some(Fault::BadSignature)
        && let Some(first) = biometrics.first_mut()
    {
        // The signature's first character: the last also carries padding bits, and changing
        // it could make the base64 invalid instead of the signature wrong.
        if let Some(dot) = first.data.rfind('.')
            && let Some(c) = first.data[dot + 1..].chars().next()
        {
            let at = dot + 1;
            first
                .data
                .replace_range(at..at + c.len_utf8(), if c == 'A' { "B" } else { "A" });
        }
    }
    RCaptureResponse { biometrics }
}

/// Damages the image inside a finger or iris record and rewrites the record around it, so that
/// only the image (or the header's dimensions) is wrong.
fn damage_image(fault: Fault, iso: Vec<u8>) -> Vec<u8> {
    use amparo_biometrics::iso::finger_image::FingerImageRecord;
    use amparo_biometrics::iso::iris_image::IrisImageRecord;
    fn apply(fault: Fault, data: &mut Vec<u8>, width: &mut u16) {
        match fault {
            Fault::CutImage => {
                let n = data.len();
                data[n.saturating_sub(16)..].fill(0);
            }
            Fault::TrailingBytes => data.extend_from_slice(b"trailing garbage"),
            Fault::BrokenMarker => break_first_segment(data),
            _ => *width = width.wrapping_add(1),
        }
    }
    if let Ok(mut r) = FingerImageRecord::parse(&iso) {
        for rep in &mut r.representations {
            apply(fault, &mut rep.image_data, &mut rep.width);
        }
        return r.to_bytes().unwrap_or(iso);
    }
    if let Ok(mut r) = IrisImageRecord::parse(&iso) {
        for rep in &mut r.representations {
            apply(fault, &mut rep.image_data, &mut rep.width);
        }
        return r.to_bytes().unwrap_or(iso);
    }
    iso
}

/// Makes the first length-prefixed segment of an image claim the most bytes it can.
fn break_first_segment(data: &mut [u8]) {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if data.starts_with(PNG) {
        // The first chunk's length follows the signature.
        if let Some(len) = data.get_mut(8..12) {
            len.fill(0xff);
        }
        return;
    }
    // A JPEG 2000 codestream (SOC, then SIZ) or a WSQ file (SOI, then a table or comment): the
    // second marker's segment length sits 4 bytes after the start of the codestream. A JP2 file
    // wraps its codestream in boxes, so look for the codestream's start.
    let start = data
        .windows(4)
        .position(|w| w == [0xff, 0x4f, 0xff, 0x51])
        .or_else(|| data.starts_with(&[0xff, 0xa0]).then_some(0));
    if let Some(len) = start.and_then(|at| data.get_mut(at + 4..at + 6)) {
        len.fill(0xff);
    }
}

/// Damages the middle of the record, where the compressed image lies, leaving the header.
fn corrupt(iso: &mut [u8]) {
    let mid = iso.len() / 2;
    let end = (mid + 256).min(iso.len());
    for b in &mut iso[mid..end] {
        *b = 0x5a;
    }
}
