//! The loopback guard: the only hosts we load are on this machine.
//!
//! Load tests of our server are allowed to reach loopback addresses only (127.0.0.0/8, ::1 and
//! `localhost`). The check runs on the URL before any connection, and a `localhost` name must also
//! resolve to loopback addresses only, so a rewritten hosts file cannot send load elsewhere.

use std::net::IpAddr;

use anyhow::{Context, bail};
use http::Uri;

/// A validated GraphQL endpoint on this machine.
#[derive(Debug, Clone)]
pub struct Target {
    uri: Uri,
}

impl Target {
    /// Parses `url` and refuses anything that is not plain HTTP to a loopback host.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let uri: Uri = url
            .parse()
            .with_context(|| format!("`{url}` is not a valid URL"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => bail!(
                "`{url}`: scheme `{other}` is not supported; use http:// to a loopback address"
            ),
            None => bail!("`{url}` has no scheme; use http://127.0.0.1:PORT/graphql"),
        }
        let host = uri.host().with_context(|| format!("`{url}` has no host"))?;
        if !is_loopback_host(host) {
            bail!(
                "refusing `{url}`: host `{host}` is not loopback; load tests may only target \
                 127.0.0.0/8, ::1 or localhost"
            );
        }
        Ok(Self { uri })
    }

    /// The endpoint's URI.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// Resolves the host and fails unless every address it resolves to is loopback.
    pub async fn check_resolution(&self) -> anyhow::Result<()> {
        let host = self.uri.host().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = self.uri.port_u16().unwrap_or(80);
        let addrs: Vec<_> = tokio::net::lookup_host((host, port))
            .await
            .with_context(|| format!("cannot resolve `{host}`"))?
            .collect();
        if addrs.is_empty() {
            bail!("`{host}` resolves to no address");
        }
        if let Some(bad) = addrs.iter().find(|a| !a.ip().is_loopback()) {
            bail!("refusing `{host}`: it resolves to {bad}, which is not a loopback address");
        }
        Ok(())
    }
}

/// True for `localhost`, any 127.0.0.0/8 address and `::1` (bracketed or not).
pub fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => v6.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_accepted() {
        for host in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.1.2.3",
            "127.255.255.254",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host} should be loopback");
        }
    }

    #[test]
    fn other_hosts_are_refused() {
        for host in [
            "10.0.0.1",
            "192.168.1.10",
            "172.16.0.1",
            "8.8.8.8",
            "0.0.0.0",
            "128.0.0.1",
            "[::]",
            "[::2]",
            "[::ffff:127.0.0.1]",
            "example.com",
            "localhost.example.com",
            "127.0.0.1.example.com",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host} must be refused");
        }
    }

    #[test]
    fn urls_are_checked_before_use() {
        assert!(Target::parse("http://127.0.0.1:8080/graphql").is_ok());
        assert!(Target::parse("http://[::1]:8080/graphql").is_ok());
        assert!(Target::parse("http://localhost/graphql").is_ok());

        let err = Target::parse("http://10.1.2.3:8080/graphql")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not loopback"), "{err}");
        let err = Target::parse("https://127.0.0.1/graphql")
            .unwrap_err()
            .to_string();
        assert!(err.contains("scheme `https`"), "{err}");
        assert!(Target::parse("127.0.0.1:8080/graphql").is_err());
        assert!(Target::parse("http://user@example.org/graphql").is_err());
        assert!(Target::parse("not a url").is_err());
    }

    #[tokio::test]
    async fn localhost_resolves_to_loopback_only() {
        let target = Target::parse("http://localhost:1/graphql").expect("valid loopback URL");
        target
            .check_resolution()
            .await
            .expect("localhost resolves to loopback on this machine");
    }
}
