//! When to try again: exponential back-off with jitter after each failure, and a circuit breaker
//! that stops trying for a cool-down after several failures in a row (then lets one probe
//! through). Pure and clock-free so the rules are tested without waiting.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Breaker {
    /// Normal: failures back off exponentially.
    Closed,
    /// Too many failures in a row: no attempt until the cool-down ends (or `sync_now`).
    Open,
    /// The cool-down ended: the next attempt is a probe that closes or reopens it.
    HalfOpen,
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
    pub failures_to_open: u32,
    pub cooldown: Duration,
    pub consecutive_failures: u32,
    pub breaker: Breaker,
}

impl RetryPolicy {
    pub fn new(
        base: Duration,
        max: Duration,
        failures_to_open: u32,
        cooldown: Duration,
    ) -> RetryPolicy {
        RetryPolicy {
            base,
            max,
            failures_to_open: failures_to_open.max(1),
            cooldown,
            consecutive_failures: 0,
            breaker: Breaker::Closed,
        }
    }

    pub fn succeeded(&mut self) {
        self.consecutive_failures = 0;
        self.breaker = Breaker::Closed;
    }

    /// Records a failure and answers how long to wait before the next attempt; `unit` is a
    /// random number in [0, 1) for the jitter.
    pub fn failed(&mut self, unit: f64) -> Duration {
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        if self.breaker == Breaker::HalfOpen || self.consecutive_failures >= self.failures_to_open {
            self.breaker = Breaker::Open;
            return self.cooldown;
        }
        let exp = self.consecutive_failures.saturating_sub(1).min(20);
        let full = self.base.saturating_mul(1u32 << exp).min(self.max);
        // "Equal jitter": half fixed, half random, so stores that lost the link together do not
        // all come back in the same instant, and none retries at once.
        let half = full / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }

    /// The cool-down is over: the next attempt probes.
    pub fn cooled_down(&mut self) {
        if self.breaker == Breaker::Open {
            self.breaker = Breaker::HalfOpen;
        }
    }
}

/// A random number in [0, 1) for jitter.
pub fn unit_random() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::new(
            Duration::from_secs(1),
            Duration::from_secs(60),
            5,
            Duration::from_secs(120),
        )
    }

    #[test]
    fn back_off_doubles_with_jitter_and_stays_under_the_cap() {
        let mut p = RetryPolicy::new(
            Duration::from_secs(1),
            Duration::from_secs(5),
            100,
            Duration::from_secs(120),
        );
        let waits: Vec<Duration> = (0..6).map(|_| p.failed(1.0)).collect();
        assert_eq!(waits[0], Duration::from_secs(1));
        assert_eq!(waits[1], Duration::from_secs(2));
        assert_eq!(waits[2], Duration::from_secs(4));
        assert_eq!(waits[5], Duration::from_secs(5), "capped at max");
        let mut q = policy();
        assert_eq!(
            q.failed(0.0),
            Duration::from_millis(500),
            "jitter never goes below half"
        );
    }

    #[test]
    fn breaker_opens_after_repeated_failures_and_a_probe_decides() {
        let mut p = policy();
        for _ in 0..4 {
            assert!(p.failed(0.5) < Duration::from_secs(120));
            assert_eq!(p.breaker, Breaker::Closed);
        }
        assert_eq!(
            p.failed(0.5),
            Duration::from_secs(120),
            "fifth failure opens the breaker"
        );
        assert_eq!(p.breaker, Breaker::Open);
        p.cooled_down();
        assert_eq!(p.breaker, Breaker::HalfOpen);
        assert_eq!(
            p.failed(0.5),
            Duration::from_secs(120),
            "a failed probe reopens it"
        );
        p.cooled_down();
        p.succeeded();
        assert_eq!(
            (p.breaker, p.consecutive_failures),
            (Breaker::Closed, 0),
            "a good probe closes it"
        );
    }

    #[test]
    fn jitter_is_a_unit_fraction() {
        for _ in 0..100 {
            let u = unit_random();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
