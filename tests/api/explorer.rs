//! The GraphQL explorer: served from the binary, under a policy that refuses other origins.

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, both_backends, start, world};

async fn explorer_is_served_from_the_binary(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let page = srv
        .http
        .get(format!("{}/graphql", srv.url))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("a Content-Security-Policy")
        .to_string();
    let html = page.text().await.expect("html");
    assert!(html.contains("graphiql.min.js"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("src=\"//"),
        "the page names no other origin: {html}"
    );
    // Only this server: no host, scheme or wildcard sources, and no eval.
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {csp}"))
            .to_string()
    };
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    for name in [
        "script-src",
        "style-src",
        "connect-src",
        "font-src",
        "img-src",
    ] {
        let d = directive(name);
        for source in d.split_whitespace().skip(1) {
            assert!(
                source == "'self'"
                    || source == "data:"
                    || source == "'unsafe-inline'" && name == "style-src"
                    || source.starts_with("'sha256-") && name == "script-src",
                "{name} allows {source}: {csp}"
            );
        }
    }
    assert!(directive("script-src").contains("'sha256-"), "{csp}");
    // The hash allows exactly the inline script served.
    let inline = html
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("the inline bootstrap");
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(inline));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");

    for (file, kind, min_len) in [
        ("graphiql.min.js", "javascript", 1_000_000),
        ("graphiql.min.css", "css", 100_000),
        ("react.production.min.js", "javascript", 5_000),
        ("react-dom.production.min.js", "javascript", 100_000),
        ("LICENSE.graphiql", "text/plain", 500),
    ] {
        assert!(html.contains(file) || file.starts_with("LICENSE"), "{file}");
        let r = srv
            .http
            .get(format!("{}/graphql/assets/{file}", srv.url))
            .send()
            .await
            .expect("asset");
        assert_eq!(r.status(), 200, "{file}");
        assert!(
            r.headers().contains_key("content-security-policy"),
            "{file}"
        );
        let content_type = r.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .to_string();
        assert!(content_type.contains(kind), "{file}: {content_type}");
        let body = r.bytes().await.expect("body");
        assert!(body.len() >= min_len, "{file}: {} bytes", body.len());
    }
    let missing = srv
        .http
        .get(format!("{}/graphql/assets/nothing.js", srv.url))
        .send()
        .await
        .expect("response");
    assert_eq!(missing.status(), 404);
}

both_backends!(explorer_is_served_from_the_binary);
