//! Single-flight: when many requests want the same missing variant at once, one computes it
//! and the rest wait for it, instead of all encoding the same AVIF side by side.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// One lock per key in flight. Callers hold the key's lock while they check the cache and
/// compute; whoever comes second finds the result in the cache once the lock is theirs.
pub(crate) struct SingleFlight<K> {
    in_flight: Mutex<HashMap<K, Arc<Mutex<()>>>>,
}

impl<K: Eq + Hash + Clone> SingleFlight<K> {
    pub(crate) fn new() -> Self {
        SingleFlight {
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    /// Runs `work` while holding `key`'s lock: at most one `work` per key at a time.
    pub(crate) fn run<T>(&self, key: &K, work: impl FnOnce() -> T) -> T {
        let lock = {
            let mut map = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(map.entry(key.clone()).or_default())
        };
        let result = {
            let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            work()
        };
        // Last one out removes the entry, so the map only holds keys in flight.
        let mut map = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if Arc::strong_count(&lock) == 2 {
            map.remove(key);
        }
        result
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.in_flight.lock().map(|m| m.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn only_one_worker_per_key_at_a_time() {
        let flight = SingleFlight::new();
        let running = AtomicUsize::new(0);
        let max_seen = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    flight.run(&"k", || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        max_seen.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                });
            }
        });
        assert_eq!(
            max_seen.load(Ordering::SeqCst),
            1,
            "two workers ran for one key at once"
        );
        assert_eq!(
            flight.len(),
            0,
            "finished keys should leave the in-flight map"
        );
    }
}
