//! `GET /exports/{id}`: an export's encrypted file, to its requester only, with byte ranges so
//! a download cut anywhere resumes where it stopped.
//!
//! The caller sends their bearer token. Answers: 200 with the whole file, 206 with one range
//! (`Range: bytes=A-B`, `bytes=A-` or `bytes=-N`), 416 for a range that is malformed, asks for
//! several parts or lies outside the file (with `Content-Range: bytes */SIZE`), 401 without a
//! valid token, 404 for an export that is not the caller's (whether or not it exists), 409 while
//! it is being written, 410 once its link expired or when it failed. `ETag` is the file's
//! SHA-256 (the `sha256` the API gives) and `If-Range` is honoured, so a resumed download never
//! joins parts of two different files. Each answered request is audited with its range.
//!
//! These routes sit outside the response compression: the file is encrypted (nothing to gain),
//! and compressing a byte range would break it.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::domain::export::ExportStatus;
use crate::graphql::AppState;
use crate::store::audit::Outcome;
use crate::store::exports as store;

/// The path of an export's file.
pub fn path_of(job_id: &str) -> String {
    format!("/exports/{job_id}")
}

/// The download routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/exports/{id}", get(download))
        .with_state(state)
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAsk {
    /// No range: the whole file.
    Whole,
    /// Bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// Malformed, several ranges, or outside the file.
    Unsatisfiable,
}

/// Reads a `Range` header against a file of `size` bytes. Only byte ranges, one at a time.
pub fn parse_range(value: Option<&str>, size: u64) -> RangeAsk {
    let Some(value) = value else {
        return RangeAsk::Whole;
    };
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeAsk::Unsatisfiable;
    };
    if spec.contains(',') || size == 0 {
        return RangeAsk::Unsatisfiable;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeAsk::Unsatisfiable;
    };
    let num = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (a.trim().is_empty(), num(a), num(b)) {
        // bytes=-N: the last N bytes.
        (true, _, Some(n)) if n > 0 => RangeAsk::Part {
            start: size.saturating_sub(n),
            end: size - 1,
        },
        (false, Some(start), None) if b.trim().is_empty() && start < size => RangeAsk::Part {
            start,
            end: size - 1,
        },
        (false, Some(start), Some(end)) if start <= end && start < size => RangeAsk::Part {
            start,
            end: end.min(size - 1),
        },
        _ => RangeAsk::Unsatisfiable,
    }
}

fn plain(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

async fn download(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let request_id = crate::store::new_id();
    let token = match crate::server::bearer(&headers) {
        Some(Ok(t)) => t,
        _ => {
            return plain(
                StatusCode::UNAUTHORIZED,
                "send your token: Authorization: Bearer <token>",
            );
        }
    };
    let caller = match st.auth.authenticate(&token, &request_id).await {
        Ok(c) => c,
        Err(e) => return plain(StatusCode::UNAUTHORIZED, &e.message),
    };
    let scope = caller.scope.clone();
    let lookup = id.clone();
    let s = scope.clone();
    let job = match st
        .db
        .read(move |c| {
            let mine = store::job(c, &s, &lookup)?;
            let exists = mine.is_none() && store::by_id(c, &lookup)?.is_some();
            Ok((mine, exists))
        })
        .await
    {
        Ok((Some(job), _)) => job,
        Ok((None, exists)) => {
            if exists {
                let (s, id) = (scope.clone(), id.clone());
                let _ = st
                    .db
                    .write(move |c| {
                        store::audit_download(c, &s, &id, "not the requester", Outcome::Denied)
                    })
                    .await;
            }
            return plain(StatusCode::NOT_FOUND, "no export of yours has this id");
        }
        Err(e) => {
            tracing::error!(error = %e.cause_chain(), "export lookup failed");
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server failed; try again later",
            );
        }
    };
    let expired = job.expires_at.is_some_and(|t| t <= crate::store::now());
    match job.status() {
        ExportStatus::Queued | ExportStatus::Running => {
            return plain(
                StatusCode::CONFLICT,
                "the export is still being written; follow exportJob until it is READY",
            );
        }
        ExportStatus::Failed => {
            return plain(StatusCode::GONE, "the export failed; ask for it again");
        }
        ExportStatus::Expired => {
            return plain(
                StatusCode::GONE,
                "the export's link expired and its file was deleted; ask for it again",
            );
        }
        ExportStatus::Ready if expired => {
            return plain(
                StatusCode::GONE,
                "the export's link expired; ask for it again",
            );
        }
        ExportStatus::Ready => {}
    }
    let (Some(name), Some(sha)) = (job.file_name.as_deref(), job.sha256.as_deref()) else {
        return plain(StatusCode::GONE, "the export has no file; ask for it again");
    };
    let path = st.exports.file_path(name);
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return plain(
                StatusCode::GONE,
                "the export's file is gone; ask for it again",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, path = %path.display(), "cannot open an export file");
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server failed; try again later",
            );
        }
    };
    let size = match file.metadata().await {
        Ok(m) => m.len(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read an export file's size");
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server failed; try again later",
            );
        }
    };
    let etag = format!("\"{sha}\"");
    // A range is honoured only against the same file: an If-Range naming another gets it whole.
    let range_header = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let same_file = headers
        .get(header::IF_RANGE)
        .is_none_or(|v| v.to_str().is_ok_and(|v| v.trim() == etag));
    let ask = if same_file {
        parse_range(range_header, size)
    } else {
        RangeAsk::Whole
    };
    if headers.contains_key(header::RANGE) && range_header.is_none() {
        return unsatisfiable(size);
    }
    let (status, start, len) = match ask {
        RangeAsk::Whole => (StatusCode::OK, 0, size),
        RangeAsk::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        RangeAsk::Unsatisfiable => {
            let (s, id, r) = (
                scope.clone(),
                id.clone(),
                range_header.unwrap_or("").to_string(),
            );
            let _ = st
                .db
                .write(move |c| {
                    store::audit_download(
                        c,
                        &s,
                        &id,
                        &format!("range {r} refused"),
                        Outcome::Denied,
                    )
                })
                .await;
            return unsatisfiable(size);
        }
    };
    if let Err(e) = file.seek(std::io::SeekFrom::Start(start)).await {
        tracing::error!(error = %e, "cannot seek in an export file");
        return plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed; try again later",
        );
    }
    let detail = if status == StatusCode::OK {
        format!("whole file, {size} bytes")
    } else {
        format!("bytes {start}-{} of {size}", start + len - 1)
    };
    let (s, jid) = (scope.clone(), id.clone());
    if let Err(e) = st
        .db
        .write(move |c| store::audit_download(c, &s, &jid, &detail, Outcome::Ok))
        .await
    {
        tracing::error!(error = %e.cause_chain(), "cannot audit an export download");
        return plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed; try again later",
        );
    }
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
        file.take(len),
        64 * 1024,
    ));
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    let digest = hex::decode(sha)
        .map(|b| base64::engine::general_purpose::STANDARD.encode(b))
        .unwrap_or_default();
    let disposition = format!("attachment; filename=\"{name}\"");
    for (k, v) in [
        (header::CONTENT_TYPE, "application/octet-stream".to_string()),
        (header::CONTENT_LENGTH, len.to_string()),
        (header::ACCEPT_RANGES, "bytes".to_string()),
        (header::ETAG, etag),
        (header::CACHE_CONTROL, "no-store".to_string()),
        (header::CONTENT_DISPOSITION, disposition),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&format!("sha-256=:{digest}:")) {
        h.insert("repr-digest", v);
    }
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{size}", start + len - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    resp
}

fn unsatisfiable(size: u64) -> Response {
    let mut r = plain(
        StatusCode::RANGE_NOT_SATISFIABLE,
        "ask for one byte range inside the file, e.g. Range: bytes=1000-",
    );
    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
        r.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_one_at_a_time_inside_the_file() {
        use RangeAsk::*;
        assert_eq!(parse_range(None, 10), Whole);
        assert_eq!(
            parse_range(Some("bytes=0-4"), 10),
            Part { start: 0, end: 4 }
        );
        assert_eq!(parse_range(Some("bytes=4-"), 10), Part { start: 4, end: 9 });
        assert_eq!(parse_range(Some("bytes=-3"), 10), Part { start: 7, end: 9 });
        assert_eq!(
            parse_range(Some("bytes=-30"), 10),
            Part { start: 0, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=5-50"), 10),
            Part { start: 5, end: 9 }
        );
        for bad in [
            "bytes=10-",
            "bytes=5-4",
            "bytes=-0",
            "bytes=0-1,3-4",
            "items=0-1",
            "bytes=a-b",
            "bytes=-",
            "bytes=+1-2",
        ] {
            assert_eq!(parse_range(Some(bad), 10), Unsatisfiable, "{bad}");
        }
        assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
    }
}
