//! Talking to SBI devices over HTTP on 127.0.0.1: discovery across the port range, device info,
//! and registration capture. SBI uses its own HTTP methods (MOSIPDISC, MOSIPDINFO, RCAPTURE),
//! which reqwest sends like any other.

use std::ops::RangeInclusive;
use std::time::Duration;

use amparo_sbi::messages::{
    ANY_DEVICE, DeviceInfo, DigitalId, DiscoverRequest, DiscoveredDevice, InfoEntry,
    RCaptureRequest,
};
use amparo_sbi::verify::open_jws;
use amparo_sbi::{BioType, TrustStore, jws};
use reqwest::Method;

/// Why a device call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceCallError {
    #[error("no answer from 127.0.0.1:{port}: {reason}")]
    Unreachable { port: u16, reason: String },
    #[error("127.0.0.1:{port} answered HTTP {status}")]
    Status { port: u16, status: u16 },
    #[error("127.0.0.1:{port} answered something that is not SBI: {reason}")]
    NotSbi { port: u16, reason: String },
}

/// A device found by discovery, with what its info said.
#[derive(Debug, Clone)]
pub struct Device {
    pub port: u16,
    pub discovered: DiscoveredDevice,
    /// The device's own description from MOSIPDINFO, when its signature verified.
    pub info: Option<DeviceInfo>,
    /// Why the info could not be believed (unsigned, untrusted...), when it could not.
    pub info_problem: Option<String>,
    pub digital_id: Option<DigitalId>,
}

impl Device {
    /// What the device captures, from its digital id.
    pub fn bio_type(&self) -> Option<BioType> {
        self.digital_id
            .as_ref()
            .and_then(|d| BioType::parse(&d.device_type))
    }
}

/// An HTTP client for devices: short timeouts for discovery, the capture's own for RCAPTURE.
#[derive(Clone)]
pub struct SbiHttp {
    http: reqwest::Client,
    probe_timeout: Duration,
}

impl SbiHttp {
    pub fn new(probe_timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(probe_timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            http,
            probe_timeout,
        })
    }

    async fn call(
        &self,
        port: u16,
        method: &'static str,
        path: &str,
        body: Option<String>,
        timeout: Duration,
    ) -> Result<String, DeviceCallError> {
        let method =
            Method::from_bytes(method.as_bytes()).map_err(|e| DeviceCallError::NotSbi {
                port,
                reason: e.to_string(),
            })?;
        let mut req = self
            .http
            .request(method, format!("http://127.0.0.1:{port}{path}"))
            .header("EXT", "amparo")
            .timeout(timeout);
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        let unreachable = |e: reqwest::Error| DeviceCallError::Unreachable {
            port,
            reason: e.to_string(),
        };
        let resp = req.send().await.map_err(unreachable)?;
        if !resp.status().is_success() {
            return Err(DeviceCallError::Status {
                port,
                status: resp.status().as_u16(),
            });
        }
        resp.text().await.map_err(unreachable)
    }

    /// MOSIPDISC on one port.
    pub async fn discover(&self, port: u16) -> Result<Vec<DiscoveredDevice>, DeviceCallError> {
        let body = serde_json::to_string(&DiscoverRequest {
            device_type: ANY_DEVICE.into(),
        })
        .unwrap_or_default();
        let text = self
            .call(port, "MOSIPDISC", "/device", Some(body), self.probe_timeout)
            .await?;
        serde_json::from_str(&text).map_err(|e| DeviceCallError::NotSbi {
            port,
            reason: e.to_string(),
        })
    }

    /// MOSIPDINFO on one port.
    pub async fn info(&self, port: u16) -> Result<Vec<InfoEntry>, DeviceCallError> {
        let text = self
            .call(port, "MOSIPDINFO", "/info", None, self.probe_timeout * 4)
            .await?;
        serde_json::from_str(&text).map_err(|e| DeviceCallError::NotSbi {
            port,
            reason: e.to_string(),
        })
    }

    /// RCAPTURE; returns the answer's text untouched, since records are kept byte for byte.
    pub async fn rcapture(
        &self,
        port: u16,
        request: &RCaptureRequest,
    ) -> Result<String, DeviceCallError> {
        let body = serde_json::to_string(request).unwrap_or_default();
        // The device may take the whole capture timeout, plus a margin to send the answer.
        let timeout = Duration::from_millis(request.timeout) + Duration::from_secs(5);
        self.call(port, "RCAPTURE", "/capture", Some(body), timeout)
            .await
    }
}

/// Asks every port of `ports` at once and reads the info of each device that answered. Ports
/// where nothing listens fail fast (connection refused) or within the probe timeout.
pub async fn discover(
    http: &SbiHttp,
    ports: RangeInclusive<u16>,
    trust: &TrustStore,
) -> Vec<Device> {
    let mut probes = tokio::task::JoinSet::new();
    for port in ports {
        let http = http.clone();
        probes.spawn(async move { (port, http.discover(port).await) });
    }
    let mut found: Vec<(u16, Vec<DiscoveredDevice>)> = Vec::new();
    while let Some(joined) = probes.join_next().await {
        if let Ok((port, Ok(devices))) = joined
            && !devices.is_empty()
        {
            found.push((port, devices));
        }
    }
    found.sort_by_key(|(port, _)| *port);
    let mut out = Vec::new();
    for (port, devices) in found {
        let infos = http.info(port).await.unwrap_or_default();
        let opened: Vec<Result<DeviceInfo, String>> = infos
            .iter()
            .map(|entry| {
                let (payload, _) =
                    open_jws(&entry.device_info, trust).map_err(|e| e.to_string())?;
                serde_json::from_slice(&payload).map_err(|e| e.to_string())
            })
            .collect();
        for d in devices {
            let digital_id = jws::b64url_decode(&d.digital_id)
                .ok()
                .and_then(|b| serde_json::from_slice::<DigitalId>(&b).ok());
            let info = opened
                .iter()
                .find_map(|i| i.as_ref().ok().filter(|i| i.device_id == d.device_id))
                .cloned();
            let info_problem = if info.is_some() {
                None
            } else {
                Some(
                    opened
                        .iter()
                        .find_map(|i| i.as_ref().err().cloned())
                        .unwrap_or_else(|| "the device gave no info".into()),
                )
            };
            out.push(Device {
                port,
                discovered: d,
                info,
                info_problem,
                digital_id,
            });
        }
    }
    out
}

/// Whether `selector` (a `--device` value) names `device`: its port (`4502` or
/// `127.0.0.1:4502`), its device id, or the serial number of its digital id.
pub fn matches(device: &Device, selector: &str) -> bool {
    let s = selector.trim();
    let port = s.strip_prefix("127.0.0.1:").unwrap_or(s);
    port.parse::<u16>().ok() == Some(device.port)
        || device.discovered.device_id == s
        || device.digital_id.as_ref().is_some_and(|d| d.serial_no == s)
}

/// The devices that may capture `bio_type`: those whose signed info this office trusts. An
/// untrusted device answering on a lower port must never be picked and then refused.
pub fn candidates(devices: &[Device], bio_type: BioType) -> Vec<&Device> {
    devices
        .iter()
        .filter(|d| d.bio_type() == Some(bio_type) && d.info.is_some())
        .collect()
}

/// The devices that are no candidate, each with why (unsigned, untrusted certificate...).
pub fn refused(devices: &[Device]) -> Vec<(&Device, &str)> {
    devices
        .iter()
        .filter(|d| d.info.is_none())
        .map(|d| {
            (
                d,
                d.info_problem
                    .as_deref()
                    .unwrap_or("the device gave no info"),
            )
        })
        .collect()
}

/// One line naming a device for the operator: where it answers, its id, type and serial.
pub fn describe(device: &Device) -> String {
    let id = device.digital_id.as_ref();
    format!(
        "127.0.0.1:{} {} {} {}",
        device.port,
        device.discovered.device_id,
        id.map_or("?", |i| i.device_type.as_str()),
        id.map_or("?", |i| i.serial_no.as_str()),
    )
}
