//! Failed-login throttling that slows an attacker down without locking anyone else out.
//!
//! Failures are counted per (client address, username) and per client address. The first
//! `free` failures of a pair cost nothing; each further attempt must wait twice as long as the
//! last (1 s, 2 s, 4 s, ... up to `max_delay`), counted from the pair's last failure. Nothing is
//! a hard lockout: the account's owner at another address is never slowed by someone guessing
//! at theirs, and an office behind one address, where many users share it, is slowed only after
//! a much higher count of failures from it (`address_free`), by the same short delays. A success
//! clears its pair; counts are forgotten `window` after their last failure.
//!
//! Kept in memory: a restart forgets it, which gives an attacker a few free guesses more, and
//! it needs no write per attempt. Behind several server replicas each keeps its own count.

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
    free: u32,
    address_free: u32,
    window: Duration,
    max_delay: Duration,
    pairs: Mutex<HashMap<(Option<IpAddr>, String), Failures>>,
    addrs: Mutex<HashMap<IpAddr, Failures>>,
}

/// Longest delay between attempts, however many failures came before.
pub const MAX_DELAY: Duration = Duration::from_secs(5 * 60);

/// How many more failures an address may have (over all usernames) than one pair, before its
/// attempts are slowed: an office or a carrier's users share one public address.
pub const ADDRESS_FACTOR: u32 = 40;

impl Throttle {
    /// `free` failures per (address, username) before delays start; `window` after the last
    /// failure, a count is forgotten.
    pub fn new(free: u32, window: Duration) -> Self {
        Self {
            free: free.max(1),
            address_free: free.max(1).saturating_mul(ADDRESS_FACTOR),
            window,
            max_delay: MAX_DELAY,
            pairs: Mutex::default(),
            addrs: Mutex::default(),
        }
    }

    /// How long the caller must wait before its next attempt, if it must.
    pub fn blocked_for(&self, username: &str, addr: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let pair = self.wait(
            &self.pairs,
            &(addr, username.to_lowercase()),
            self.free,
            now,
        );
        let address = addr.and_then(|a| self.wait(&self.addrs, &a, self.address_free, now));
        pair.max(address)
    }

    pub fn record_failure(&self, username: &str, addr: Option<IpAddr>) {
        let now = Instant::now();
        self.bump(&self.pairs, (addr, username.to_lowercase()), now);
        if let Some(a) = addr {
            self.bump(&self.addrs, a, now);
        }
    }

    /// A correct password clears its pair (the address keeps its count: one success must not
    /// let an attacker sharing the address start again).
    pub fn record_success(&self, username: &str, addr: Option<IpAddr>) {
        if let Ok(mut m) = self.pairs.lock() {
            m.remove(&(addr, username.to_lowercase()));
        }
    }

    /// The delay owed after `count` failures when `free` are allowed.
    fn delay(&self, count: u32, free: u32) -> Duration {
        if count < free {
            return Duration::ZERO;
        }
        let doublings = (count - free).min(20);
        Duration::from_secs(1u64 << doublings).min(self.max_delay)
    }

    fn wait<K: std::hash::Hash + Eq>(
        &self,
        map: &Mutex<HashMap<K, Failures>>,
        key: &K,
        free: u32,
        now: Instant,
    ) -> Option<Duration> {
        let m = map.lock().ok()?;
        let f = m.get(key)?;
        let since = now.saturating_duration_since(f.last);
        if since >= self.window {
            return None;
        }
        let owed = self.delay(f.count, free);
        (since < owed).then(|| owed - since)
    }

    fn bump<K: std::hash::Hash + Eq>(
        &self,
        map: &Mutex<HashMap<K, Failures>>,
        key: K,
        now: Instant,
    ) {
        let Ok(mut m) = map.lock() else { return };
        // Forget stale entries now and then so the map cannot grow without bound.
        if m.len() > 100_000 {
            m.retain(|_, f| now.saturating_duration_since(f.last) < self.window);
        }
        let f = m.entry(key).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.saturating_duration_since(f.last) >= self.window {
            f.count = 0;
        }
        f.count = f.count.saturating_add(1);
        f.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTACKER: [u8; 4] = [10, 0, 0, 9];
    const OWNER: [u8; 4] = [10, 0, 0, 10];

    #[test]
    fn a_pair_is_slowed_progressively_not_locked() {
        let t = Throttle::new(3, Duration::from_secs(900));
        let ip: IpAddr = ATTACKER.into();
        for _ in 0..3 {
            assert!(t.blocked_for("Ana", Some(ip)).is_none());
            t.record_failure("ana", Some(ip));
        }
        let first = t.blocked_for("ANA", Some(ip)).expect("slowed");
        assert!(first <= Duration::from_secs(1));
        t.record_failure("ana", Some(ip));
        let second = t.blocked_for("ana", Some(ip)).expect("slowed");
        assert!(second > Duration::from_secs(1) && second <= Duration::from_secs(2));
        for _ in 0..40 {
            t.record_failure("ana", Some(ip));
        }
        assert!(t.blocked_for("ana", Some(ip)).expect("slowed") <= MAX_DELAY);
        t.record_success("ana", Some(ip));
        assert!(t.blocked_for("ana", Some(ip)).is_none());
    }

    #[test]
    fn the_owner_elsewhere_and_other_users_are_not_slowed() {
        let t = Throttle::new(3, Duration::from_secs(900));
        let attacker: IpAddr = ATTACKER.into();
        for _ in 0..50 {
            t.record_failure("ana", Some(attacker));
        }
        assert!(t.blocked_for("ana", Some(OWNER.into())).is_none());
        assert!(t.blocked_for("ana", None).is_none());
        assert!(t.blocked_for("luis", Some(attacker)).is_none());
    }

    #[test]
    fn an_address_is_slowed_only_past_a_much_higher_ceiling() {
        let t = Throttle::new(3, Duration::from_secs(900));
        let office: IpAddr = ATTACKER.into();
        for i in 0..(3 * ADDRESS_FACTOR - 1) {
            t.record_failure(&format!("made-up-{i}"), Some(office));
        }
        assert!(t.blocked_for("colleague", Some(office)).is_none());
        t.record_failure("made-up-last", Some(office));
        let wait = t.blocked_for("colleague", Some(office)).expect("slowed");
        assert!(wait <= Duration::from_secs(1));
    }
}
