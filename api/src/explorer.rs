//! The GraphQL explorer at `GET /graphql`, served entirely from the binary.
//!
//! The page loads GraphiQL and React from `/graphql/assets/`, files vendored from their npm
//! packages in `api/assets/graphiql/` and embedded at build time, so it works in an office without
//! internet and runs no third-party script next to the bearer tokens typed into it. Every response
//! carries a Content-Security-Policy that allows scripts, styles and connections from this server
//! only; the one inline script (the bootstrap below) is allowed by its SHA-256 hash, computed once
//! from the very text that is served.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

/// Where the assets are served; the page refers to them by this path only.
pub const ASSETS_PATH: &str = "/graphql/assets";

/// The vendored files: name, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graphiql/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "LICENSE.graphiql",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/graphiql/LICENSE.graphiql"),
    ),
    (
        "LICENSE.react",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/graphiql/LICENSE.react"),
    ),
    (
        "LICENSE.react-dom",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/graphiql/LICENSE.react-dom"),
    ),
];

/// Starts the explorer against this server's endpoints, whatever host and scheme it is reached by.
const BOOTSTRAP: &str = r#"
  const ws = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql/ws';
  const fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql', subscriptionUrl: ws });
  ReactDOM.createRoot(document.getElementById('graphiql'))
    .render(React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: 'headers' }));
"#;

/// The page and its policy, built once.
struct Page {
    html: String,
    policy: HeaderValue,
}

static PAGE: LazyLock<Page> = LazyLock::new(|| {
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Amparo GraphQL</title>
  <link rel="stylesheet" href="{ASSETS_PATH}/graphiql.min.css">
  <style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
  <div id="graphiql">Loading the explorer…</div>
  <script src="{ASSETS_PATH}/react.production.min.js"></script>
  <script src="{ASSETS_PATH}/react-dom.production.min.js"></script>
  <script src="{ASSETS_PATH}/graphiql.min.js"></script>
  <script>{BOOTSTRAP}</script>
</body>
</html>
"#
    );
    let policy = HeaderValue::from_str(&content_security_policy())
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    Page { html, policy }
});

/// The `sha256-…` source that allows exactly the bootstrap script.
pub fn bootstrap_hash() -> String {
    let digest = Sha256::digest(BOOTSTRAP.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Everything from this server only. Styles may be inline because GraphiQL's editor positions
/// its elements with style attributes; the fonts are data URLs inside the vendored stylesheet.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src 'self' {}; style-src 'self' 'unsafe-inline'; \
         font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'",
        bootstrap_hash()
    )
}

fn protected(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, PAGE.policy.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `GET /graphql`: the explorer page.
pub async fn page() -> Response {
    protected(
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            PAGE.html.clone(),
        )
            .into_response(),
    )
}

/// `GET /graphql/assets/{file}`: one vendored file.
pub async fn asset(Path(file): Path<String>) -> Response {
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return protected((StatusCode::NOT_FOUND, "no such file").into_response());
    };
    protected(
        (
            [
                (header::CONTENT_TYPE, *content_type),
                // The files change only with the binary; a day saves the 4 MB on every reload.
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_nothing_from_elsewhere() {
        let html = &PAGE.html;
        assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"));
        for (name, _, bytes) in ASSETS {
            assert!(!bytes.is_empty(), "{name}");
        }
        for src in html
            .split("src=\"")
            .skip(1)
            .chain(html.split("href=\"").skip(1))
        {
            let path = src.split('"').next().unwrap_or_default();
            let name = path.strip_prefix(&format!("{ASSETS_PATH}/")).unwrap_or("");
            assert!(ASSETS.iter().any(|(n, _, _)| *n == name), "{path}");
        }
        assert_eq!(
            html.matches("<script>").count(),
            1,
            "one inline script, hashed"
        );
        assert!(html.contains(&format!("<script>{BOOTSTRAP}</script>")));
    }

    #[test]
    fn the_policy_allows_this_server_and_the_bootstrap_only() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"));
        assert!(csp.contains(&bootstrap_hash()));
        assert!(!csp.contains("unsafe-eval") && !csp.contains('*') && !csp.contains("http"));
        // The hash of the text served, in the CSP's base64 form.
        let hash = bootstrap_hash();
        assert!(
            hash.starts_with("'sha256-") && hash.ends_with("='"),
            "{hash}"
        );
        assert_eq!(hash.len(), "'sha256-'".len() + 44);
    }
}
