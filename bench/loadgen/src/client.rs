//! The HTTP side: keep-alive connections to the GraphQL endpoint, gzip, bearer token.
//!
//! One client is shared by all requests of a process; it keeps idle connections open so a run
//! measures the server, not TCP handshakes. How many requests may be in flight at once (and so how
//! many connections get opened) is limited by the runner, not here.

use std::io::Read;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use flate2::read::GzDecoder;
use http::header::{ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use http::{HeaderValue, Method, Request};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::target::Target;

/// Larger answers are refused: a 50-row page is a few tens of kilobytes.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A GraphQL-over-HTTP client for one endpoint.
#[derive(Clone)]
pub struct GraphQlClient {
    client: Client<HttpConnector, Full<Bytes>>,
    target: Target,
    authorization: Option<HeaderValue>,
}

impl GraphQlClient {
    /// A client for `target`; `token` is sent as `Authorization: Bearer`. `max_idle` is how many
    /// idle keep-alive connections to keep.
    pub fn new(target: Target, token: Option<&str>, max_idle: usize) -> anyhow::Result<Self> {
        let authorization = token
            .map(|t| HeaderValue::from_str(&format!("Bearer {t}")))
            .transpose()
            .context("the token contains characters that cannot go in an HTTP header")?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.enforce_http(true);
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(max_idle)
            .build(connector);
        Ok(Self {
            client,
            target,
            authorization,
        })
    }

    /// POSTs a JSON body and returns the (decompressed) response body, or why the exchange failed
    /// (connection error, non-2xx status, bad gzip, oversized answer).
    pub async fn post(&self, body: Bytes) -> Result<Bytes, String> {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(self.target.uri().clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header(ACCEPT_ENCODING, "gzip");
        if let Some(auth) = &self.authorization {
            request = request.header(AUTHORIZATION, auth.clone());
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| format!("cannot build request: {e}"))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("request failed: {}", error_chain(&e)))?;
        let status = response.status();
        let gzip = response
            .headers()
            .get(CONTENT_ENCODING)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
        let bytes = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| format!("reading the response failed: {e}"))?
            .to_bytes();
        if !status.is_success() {
            return Err(format!("HTTP {}", status.as_u16()));
        }
        if gzip {
            gunzip(&bytes).map(Bytes::from)
        } else {
            Ok(bytes)
        }
    }
}

fn gunzip(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len() * 4);
    GzDecoder::new(data)
        .take(MAX_RESPONSE_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("bad gzip body: {e}"))?;
    if out.len() > MAX_RESPONSE_BYTES {
        return Err(format!("response larger than {MAX_RESPONSE_BYTES} bytes"));
    }
    Ok(out)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    #[test]
    fn gzip_round_trip_and_garbage() {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(br#"{"data":{}}"#).expect("in-memory write");
        let packed = enc.finish().expect("in-memory finish");
        assert_eq!(gunzip(&packed).expect("valid gzip"), br#"{"data":{}}"#);
        assert!(gunzip(b"not gzip at all").unwrap_err().contains("bad gzip"));
    }
}
