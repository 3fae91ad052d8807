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
//! The counts live in the database (`login_failures`), so every server process on it slows the
//! same attacker alike: spreading guesses over processes gains nothing, and a restart forgets
//! nothing. It costs one small write per failed attempt and one read per attempt. Processes
//! compare times taken from their own clocks, which must agree (NTP) to within a second or so.

use std::net::IpAddr;
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::error::Result;
use crate::store::{Database, now};

/// Longest delay between attempts, however many failures came before.
pub const MAX_DELAY: Duration = Duration::from_secs(5 * 60);

/// How many more failures an address may have (over all usernames) than one pair, before its
/// attempts are slowed: an office or a carrier's users share one public address.
pub const ADDRESS_FACTOR: u32 = 40;

/// The throttle: its rules, and the database that keeps the counts.
pub struct Throttle {
    free: u32,
    address_free: u32,
    window: Duration,
    max_delay: Duration,
    db: Database,
}

/// The key of an (address, username) pair.
fn pair_key(username: &str, addr: Option<IpAddr>) -> String {
    let at = addr.map_or_else(|| "-".to_string(), |a| a.to_string());
    format!("pair {at} {}", username.to_lowercase())
}

/// The key of an address.
fn address_key(addr: IpAddr) -> String {
    format!("address {addr}")
}

/// How long an attempt must still wait after `count` failures when `free` are allowed, the
/// last `since` ago; None when it need not wait.
fn owed(
    count: u32,
    free: u32,
    since: Duration,
    window: Duration,
    max: Duration,
) -> Option<Duration> {
    if since >= window || count < free {
        return None;
    }
    let doublings = (count - free).min(20);
    let owed = Duration::from_secs(1u64 << doublings).min(max);
    (since < owed).then(|| owed - since)
}

impl Throttle {
    /// `free` failures per (address, username) before delays start; `window` after the last
    /// failure, a count is forgotten.
    pub fn new(db: Database, free: u32, window: Duration) -> Self {
        Self {
            free: free.max(1),
            address_free: free.max(1).saturating_mul(ADDRESS_FACTOR),
            window,
            max_delay: MAX_DELAY,
            db,
        }
    }

    fn wait(
        &self,
        found: Option<(i32, NaiveDateTime)>,
        free: u32,
        t: NaiveDateTime,
    ) -> Option<Duration> {
        let (count, last) = found?;
        let since = (t - last).to_std().unwrap_or(Duration::ZERO);
        owed(
            count.max(0) as u32,
            free,
            since,
            self.window,
            self.max_delay,
        )
    }

    /// How long the caller must wait before its next attempt, if it must.
    pub async fn blocked_for(
        &self,
        username: &str,
        addr: Option<IpAddr>,
    ) -> Result<Option<Duration>> {
        let pair = pair_key(username, addr);
        let address = addr.map(address_key);
        let keys: Vec<String> = std::iter::once(pair.clone())
            .chain(address.clone())
            .collect();
        let found = self
            .db
            .read(move |c| crate::store::throttle::failures(c, &keys))
            .await?;
        let t = now();
        let of = |k: &str| found.iter().find(|f| f.0 == k).map(|f| (f.1, f.2));
        let pair_wait = self.wait(of(&pair), self.free, t);
        let address_wait = address.and_then(|a| self.wait(of(&a), self.address_free, t));
        Ok(pair_wait.max(address_wait))
    }

    /// Counts a failed attempt of the pair and of the address.
    pub async fn record_failure(&self, username: &str, addr: Option<IpAddr>) -> Result<()> {
        let keys: Vec<String> = std::iter::once(pair_key(username, addr))
            .chain(addr.map(address_key))
            .collect();
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        self.db
            .write(move |c| {
                let t = now();
                let forgotten_before = t.checked_sub_signed(window).unwrap_or(NaiveDateTime::MIN);
                crate::store::throttle::record_failures(c, &keys, t, forgotten_before)
            })
            .await
    }

    /// A correct password clears its pair (the address keeps its count: one success must not
    /// let an attacker sharing the address start again).
    pub async fn record_success(&self, username: &str, addr: Option<IpAddr>) -> Result<()> {
        let key = pair_key(username, addr);
        self.db
            .write(move |c| crate::store::throttle::clear(c, &key))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTACKER: [u8; 4] = [10, 0, 0, 9];
    const OWNER: [u8; 4] = [10, 0, 0, 10];

    fn throttle() -> (Throttle, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Database::open(&url, 2).expect("open");
        db.migrate().expect("migrate");
        (Throttle::new(db, 3, Duration::from_secs(900)), dir)
    }

    #[tokio::test]
    async fn a_pair_is_slowed_progressively_not_locked() {
        let (t, _dir) = throttle();
        let ip: IpAddr = ATTACKER.into();
        for _ in 0..3 {
            assert!(t.blocked_for("Ana", Some(ip)).await.unwrap().is_none());
            t.record_failure("ana", Some(ip)).await.unwrap();
        }
        let first = t
            .blocked_for("ANA", Some(ip))
            .await
            .unwrap()
            .expect("slowed");
        assert!(first <= Duration::from_secs(1));
        t.record_failure("ana", Some(ip)).await.unwrap();
        let second = t
            .blocked_for("ana", Some(ip))
            .await
            .unwrap()
            .expect("slowed");
        assert!(second > Duration::from_secs(1) && second <= Duration::from_secs(2));
        for _ in 0..40 {
            t.record_failure("ana", Some(ip)).await.unwrap();
        }
        let most = t
            .blocked_for("ana", Some(ip))
            .await
            .unwrap()
            .expect("slowed");
        assert!(most <= MAX_DELAY);
        t.record_success("ana", Some(ip)).await.unwrap();
        assert!(t.blocked_for("ana", Some(ip)).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn the_owner_elsewhere_and_other_users_are_not_slowed() {
        let (t, _dir) = throttle();
        let attacker: IpAddr = ATTACKER.into();
        for _ in 0..50 {
            t.record_failure("ana", Some(attacker)).await.unwrap();
        }
        assert!(
            t.blocked_for("ana", Some(OWNER.into()))
                .await
                .unwrap()
                .is_none()
        );
        assert!(t.blocked_for("ana", None).await.unwrap().is_none());
        assert!(
            t.blocked_for("luis", Some(attacker))
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn an_address_is_slowed_only_past_a_much_higher_ceiling() {
        let (t, _dir) = throttle();
        let office: IpAddr = ATTACKER.into();
        for i in 0..(3 * ADDRESS_FACTOR - 1) {
            t.record_failure(&format!("made-up-{i}"), Some(office))
                .await
                .unwrap();
        }
        assert!(
            t.blocked_for("colleague", Some(office))
                .await
                .unwrap()
                .is_none()
        );
        t.record_failure("made-up-last", Some(office))
            .await
            .unwrap();
        let wait = t
            .blocked_for("colleague", Some(office))
            .await
            .unwrap()
            .expect("slowed");
        assert!(wait <= Duration::from_secs(1));
    }

    #[test]
    fn a_count_is_forgotten_after_its_window() {
        let w = Duration::from_secs(900);
        assert!(owed(30, 3, Duration::from_secs(10), w, MAX_DELAY).is_some());
        assert!(owed(30, 3, w, w, MAX_DELAY).is_none());
    }
}
