//! Login throttling: too many failures for one username, or from one address, within a window
//! lock further attempts out until the oldest failure leaves the window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginThrottle {
    per_user: u32,
    per_address: u32,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    pub fn new(per_user: u32, per_address: u32, window: Duration) -> LoginThrottle {
        LoginThrottle {
            per_user,
            per_address,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, address: Option<&str>) -> (String, Option<String>) {
        (
            format!("user:{}", username.trim().to_lowercase()),
            address.map(|a| format!("addr:{a}")),
        )
    }

    /// `Some(wait)` when this attempt must be refused.
    pub fn check(&self, username: &str, address: Option<&str>) -> Option<Duration> {
        let now = Instant::now();
        let (user_key, addr_key) = Self::keys(username, address);
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for (key, limit) in [
            (Some(user_key), self.per_user),
            (addr_key, self.per_address),
        ] {
            let Some(key) = key else { continue };
            if let Some(list) = map.get_mut(&key) {
                list.retain(|t| now.duration_since(*t) < self.window);
                if list.len() >= limit as usize {
                    let oldest = list.first().copied().unwrap_or(now);
                    let w = self.window.saturating_sub(now.duration_since(oldest));
                    wait = Some(wait.map_or(w, |x: Duration| x.max(w)));
                }
            }
        }
        wait
    }

    pub fn fail(&self, username: &str, address: Option<&str>) {
        let now = Instant::now();
        let (user_key, addr_key) = Self::keys(username, address);
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound memory under a spray of random usernames: forget the oldest half.
        if map.len() > 10_000 {
            map.retain(|_, v| {
                v.last()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        map.entry(user_key).or_default().push(now);
        if let Some(k) = addr_key {
            map.entry(k).or_default().push(now);
        }
    }

    pub fn succeed(&self, username: &str) {
        let (user_key, _) = Self::keys(username, None);
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&user_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_a_user_after_the_limit_and_not_before() {
        let t = LoginThrottle::new(3, 100, Duration::from_secs(60));
        for _ in 0..2 {
            t.fail("ana", Some("10.0.0.1"));
        }
        assert!(
            t.check("ana", Some("10.0.0.1")).is_none(),
            "two failures are allowed"
        );
        t.fail("Ana", Some("10.0.0.1"));
        assert!(
            t.check("ana", Some("10.0.0.2")).is_some(),
            "third failure locks the user everywhere"
        );
        assert!(
            t.check("luis", Some("10.0.0.1")).is_none(),
            "other users are not locked"
        );
        t.succeed("ana");
        assert!(t.check("ana", None).is_none());
    }

    #[test]
    fn locks_an_address_spraying_usernames() {
        let t = LoginThrottle::new(100, 3, Duration::from_secs(60));
        for name in ["a", "b", "c"] {
            t.fail(name, Some("10.0.0.9"));
        }
        assert!(t.check("d", Some("10.0.0.9")).is_some());
        assert!(t.check("d", Some("10.0.0.8")).is_none());
    }
}
