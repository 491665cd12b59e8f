//! Login throttling that slows guessing down without letting a stranger lock staff out.
//!
//! - An attempt is *reserved* before its password is checked: one attempt at a time per
//!   username and address, a few at a time per address, so a burst of concurrent guesses gets
//!   one check, not sixty.
//! - Repeated failures of one username from one address are delayed (1 s, doubling, at most
//!   `max_delay`), keyed by the pair: failures from another device never slow the real user down.
//! - Each address has a ceiling of failures per window (at most a minute), whatever usernames it
//!   tries, so spraying names is slowed as well.
//!
//! Nothing here locks an account: the longest anyone waits is the window (≤ 60 s).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Attempts one address may have in flight at once (different usernames).
const IN_FLIGHT_PER_ADDRESS: usize = 2;
/// The address window never exceeds this, so nobody is kept out longer.
const LONGEST_WINDOW: Duration = Duration::from_secs(60);
/// Entries this old without a failure are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Bound on remembered pairs and addresses under a spray of random usernames.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
pub struct ThrottleRules {
    /// Failures of one username from one address after which each next try is delayed.
    pub free_failures: u32,
    /// The longest delay between tries of one username from one address.
    pub max_delay: Duration,
    /// Failures one address may make within `window`, whatever the usernames.
    pub failures_per_address: u32,
    pub window: Duration,
}

#[derive(Default)]
struct Pair {
    failures: u32,
    not_before: Option<Instant>,
    last_failure: Option<Instant>,
    in_flight: bool,
}

#[derive(Default)]
struct Address {
    failures: VecDeque<Instant>,
    in_flight: usize,
}

#[derive(Default)]
struct Tables {
    pairs: HashMap<(String, String), Pair>,
    addresses: HashMap<String, Address>,
}

pub struct LoginThrottle {
    rules: ThrottleRules,
    tables: Arc<Mutex<Tables>>,
}

/// A reserved attempt. Say how it went with [`Attempt::failed`] or [`Attempt::succeeded`];
/// dropped without either (an error, a cancelled request), it just frees its place.
pub struct Attempt {
    key: (String, String),
    tables: Arc<Mutex<Tables>>,
    rules: ThrottleRules,
}

fn key(username: &str, address: Option<&str>) -> (String, String) {
    let user: String = username.trim().to_lowercase().chars().take(100).collect();
    (user, address.unwrap_or("unknown").to_string())
}

impl LoginThrottle {
    pub fn new(rules: ThrottleRules) -> LoginThrottle {
        LoginThrottle {
            rules: ThrottleRules {
                window: rules.window.min(LONGEST_WINDOW),
                ..rules
            },
            tables: Arc::default(),
        }
    }

    /// Reserves an attempt, or answers how long to wait before the next one may be made.
    pub fn reserve(&self, username: &str, address: Option<&str>) -> Result<Attempt, Duration> {
        let now = Instant::now();
        let key = key(username, address);
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        if t.pairs.len() + t.addresses.len() > MAX_ENTRIES {
            forget_old(&mut t, now, self.rules.window);
        }
        let window = self.rules.window;
        let limit = self.rules.failures_per_address as usize;
        let addr = t.addresses.entry(key.1.clone()).or_default();
        while addr
            .failures
            .front()
            .is_some_and(|f| now.duration_since(*f) >= window)
        {
            addr.failures.pop_front();
        }
        if addr.failures.len() >= limit.max(1) {
            let oldest = addr.failures.front().copied().unwrap_or(now);
            return Err(window.saturating_sub(now.duration_since(oldest)));
        }
        if addr.in_flight >= IN_FLIGHT_PER_ADDRESS {
            return Err(Duration::from_secs(1));
        }
        let pair = t.pairs.entry(key.clone()).or_default();
        if pair.in_flight {
            return Err(Duration::from_secs(1));
        }
        if let Some(wait) = pair
            .not_before
            .map(|nb| nb.saturating_duration_since(now))
            .filter(|w| !w.is_zero())
        {
            return Err(wait);
        }
        pair.in_flight = true;
        if let Some(a) = t.addresses.get_mut(&key.1) {
            a.in_flight += 1;
        }
        Ok(Attempt {
            key,
            tables: self.tables.clone(),
            rules: self.rules,
        })
    }
}

fn forget_old(t: &mut Tables, now: Instant, window: Duration) {
    t.pairs.retain(|_, p| {
        p.in_flight
            || p.last_failure
                .is_some_and(|f| now.duration_since(f) < FORGET_AFTER)
    });
    t.addresses.retain(|_, a| {
        a.in_flight > 0
            || a.failures
                .back()
                .is_some_and(|f| now.duration_since(*f) < window)
    });
}

impl Attempt {
    /// Wrong credentials: the pair's next try is delayed, the address's failure counted.
    pub fn failed(self) {
        let now = Instant::now();
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pair) = t.pairs.get_mut(&self.key) {
            if pair
                .last_failure
                .is_some_and(|f| now.duration_since(f) >= FORGET_AFTER)
            {
                pair.failures = 0;
            }
            pair.failures += 1;
            pair.last_failure = Some(now);
            pair.not_before = delay(self.rules, pair.failures).map(|d| now + d);
        }
        if let Some(a) = t.addresses.get_mut(&self.key.1) {
            a.failures.push_back(now);
        }
    }

    /// Right credentials: the pair starts afresh.
    pub fn succeeded(self) {
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pair) = t.pairs.get_mut(&self.key) {
            *pair = Pair {
                in_flight: pair.in_flight,
                ..Pair::default()
            };
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pair) = t.pairs.get_mut(&self.key) {
            pair.in_flight = false;
        }
        if let Some(a) = t.addresses.get_mut(&self.key.1) {
            a.in_flight = a.in_flight.saturating_sub(1);
        }
    }
}

/// The wait after the `failures`-th failure of a pair: none before the `free_failures`-th,
/// then 1 s, 2 s, 4 s … up to `max_delay`.
fn delay(rules: ThrottleRules, failures: u32) -> Option<Duration> {
    let over = failures.checked_sub(rules.free_failures)?;
    let secs = 1u64.checked_shl(over.min(30)).unwrap_or(u64::MAX);
    Some(Duration::from_secs(secs).min(rules.max_delay))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> ThrottleRules {
        ThrottleRules {
            free_failures: 2,
            max_delay: Duration::from_secs(30),
            failures_per_address: 5,
            window: Duration::from_secs(60),
        }
    }

    #[test]
    fn one_attempt_at_a_time_per_user_and_address() {
        let t = LoginThrottle::new(rules());
        let a = t.reserve("ana", Some("10.0.0.1")).expect("first");
        assert!(
            t.reserve("Ana", Some("10.0.0.1")).is_err(),
            "a concurrent guess for the same pair waits"
        );
        assert!(
            t.reserve("ana", Some("10.0.0.2")).is_ok(),
            "another device is not held up"
        );
        drop(a);
        assert!(t.reserve("ana", Some("10.0.0.1")).is_ok());
    }

    #[test]
    fn failures_slow_the_pair_down_up_to_the_cap_and_never_other_devices() {
        let t = LoginThrottle::new(rules());
        t.reserve("ana", Some("10.0.0.1")).expect("first").failed();
        assert!(
            t.reserve("ana", Some("10.0.0.1")).is_ok(),
            "one failure costs no wait"
        );
        t.reserve("ana", Some("10.0.0.1")).expect("second").failed();
        let wait = t.reserve("ana", Some("10.0.0.1")).err().expect("delayed");
        assert!(
            wait <= Duration::from_secs(1),
            "after the free failures the first delay is 1 s: {wait:?}"
        );
        assert!(
            t.reserve("ana", Some("10.0.0.9")).is_ok(),
            "the owner at another device is not kept out"
        );
        for n in 1..=40 {
            assert!(delay(rules(), n).unwrap_or_default() <= Duration::from_secs(30));
        }
        assert_eq!(delay(rules(), 1), None);
        assert_eq!(delay(rules(), 2), Some(Duration::from_secs(1)));
        assert_eq!(delay(rules(), 4), Some(Duration::from_secs(4)));
        assert_eq!(delay(rules(), 40), Some(Duration::from_secs(30)));
    }

    #[test]
    fn an_address_spraying_usernames_hits_its_ceiling_for_at_most_the_window() {
        let t = LoginThrottle::new(ThrottleRules {
            window: Duration::from_secs(900),
            ..rules()
        });
        for name in ["a", "b", "c", "d", "e"] {
            t.reserve(name, Some("10.0.0.9"))
                .expect("under ceiling")
                .failed();
        }
        let wait = t.reserve("f", Some("10.0.0.9")).err().expect("ceiling");
        assert!(wait <= LONGEST_WINDOW, "never more than a minute: {wait:?}");
        assert!(t.reserve("f", Some("10.0.0.8")).is_ok());
    }

    #[test]
    fn success_clears_the_pair() {
        let t = LoginThrottle::new(rules());
        t.reserve("ana", Some("10.0.0.1")).expect("free").failed();
        t.reserve("ana", Some("10.0.0.1")).expect("ok").succeeded();
        t.reserve("ana", Some("10.0.0.1"))
            .expect("counted afresh")
            .failed();
        assert!(
            t.reserve("ana", Some("10.0.0.1")).is_ok(),
            "one failure after a success costs no wait"
        );
    }
}
