//! Failed-login throttling per username and per client address.
//!
//! After `max_failures` failures within `window`, further attempts for that username or from
//! that address are refused (RATE_LIMITED) until the window has passed since the last failure.
//! Kept in memory: a restart forgets it, which only gives an attacker one more window, and it
//! needs no write per attempt. Behind several server replicas each keeps its own count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

/// The throttle state.
#[derive(Debug)]
pub struct Throttle {
    max_failures: u32,
    window: Duration,
    users: Mutex<HashMap<String, Failures>>,
    addrs: Mutex<HashMap<IpAddr, Failures>>,
}

impl Throttle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            users: Mutex::default(),
            addrs: Mutex::default(),
        }
    }

    /// How long the caller must wait, if it must.
    pub fn blocked_for(&self, username: &str, addr: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let user_wait = Self::wait(
            &self.users,
            &username.to_lowercase(),
            self.max_failures,
            self.window,
            now,
        );
        let addr_wait = addr.and_then(|a| {
            // An office behind one NAT shares an address: allow it more failures than one user.
            Self::wait(
                &self.addrs,
                &a,
                self.max_failures.saturating_mul(4),
                self.window,
                now,
            )
        });
        user_wait.max(addr_wait)
    }

    pub fn record_failure(&self, username: &str, addr: Option<IpAddr>) {
        let now = Instant::now();
        Self::bump(&self.users, username.to_lowercase(), self.window, now);
        if let Some(a) = addr {
            Self::bump(&self.addrs, a, self.window, now);
        }
    }

    pub fn record_success(&self, username: &str) {
        if let Ok(mut m) = self.users.lock() {
            m.remove(&username.to_lowercase());
        }
    }

    fn wait<K: std::hash::Hash + Eq>(
        map: &Mutex<HashMap<K, Failures>>,
        key: &K,
        max: u32,
        window: Duration,
        now: Instant,
    ) -> Option<Duration> {
        let m = map.lock().ok()?;
        let f = m.get(key)?;
        let since = now.saturating_duration_since(f.last);
        (f.count >= max && since < window).then(|| window - since)
    }

    fn bump<K: std::hash::Hash + Eq>(
        map: &Mutex<HashMap<K, Failures>>,
        key: K,
        window: Duration,
        now: Instant,
    ) {
        let Ok(mut m) = map.lock() else { return };
        // Forget stale entries now and then so the map cannot grow without bound.
        if m.len() > 100_000 {
            m.retain(|_, f| now.saturating_duration_since(f.last) < window);
        }
        let f = m.entry(key).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.saturating_duration_since(f.last) >= window {
            f.count = 0;
        }
        f.count += 1;
        f.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_per_user() {
        let t = Throttle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.blocked_for("Ana", None).is_none());
            t.record_failure("ana", None);
        }
        assert!(t.blocked_for("ANA", None).is_some());
        assert!(t.blocked_for("other", None).is_none());
        t.record_success("ana");
        assert!(t.blocked_for("ana", None).is_none());
    }

    #[test]
    fn blocks_an_address_trying_many_users() {
        let t = Throttle::new(2, Duration::from_secs(60));
        let ip: IpAddr = [10, 0, 0, 9].into();
        for i in 0..8 {
            t.record_failure(&format!("user{i}"), Some(ip));
        }
        assert!(t.blocked_for("fresh", Some(ip)).is_some());
        assert!(t.blocked_for("fresh", None).is_none());
    }
}
