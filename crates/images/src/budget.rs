//! One memory budget for every decode a store runs (uploads, variants, prefetch), so four large
//! pictures arriving at once wait for each other instead of taking four times the memory.
//! Each decode reserves what its header says it will take ([`crate::Probe::decode_bytes`]) and
//! holds it as long as its pixels live; small pictures still decode side by side.

use std::sync::{Condvar, Mutex, MutexGuard};

/// Reservations of decode memory, in bytes, against a fixed total.
#[derive(Debug)]
pub(crate) struct DecodeBudget {
    total: u64,
    in_use: Mutex<u64>,
    freed: Condvar,
}

/// A reservation, given back when dropped.
#[derive(Debug)]
pub(crate) struct Reservation<'a> {
    budget: &'a DecodeBudget,
    bytes: u64,
}

/// Reservations at least this large hand their freed pages back to the system when they end.
const RETURN_MEMORY_FROM: u64 = 32 * 1024 * 1024;

impl DecodeBudget {
    pub(crate) fn new(total: u64) -> Self {
        DecodeBudget {
            total: total.max(1),
            in_use: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// Waits until `bytes` fit beside the decodes already running. A decode larger than the
    /// whole budget (the budget was set below the per-picture limit) waits to run alone.
    pub(crate) fn reserve(&self, bytes: u64) -> Reservation<'_> {
        let bytes = bytes.min(self.total);
        let mut in_use = self.lock();
        while *in_use + bytes > self.total {
            in_use = self
                .freed
                .wait(in_use)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *in_use += bytes;
        Reservation {
            budget: self,
            bytes,
        }
    }

    /// Bytes reserved right now.
    #[cfg(test)]
    pub(crate) fn in_use(&self) -> u64 {
        *self.lock()
    }

    /// The counter stays right even if a holder panicked: it is only ever added to and
    /// subtracted from under the lock.
    fn lock(&self) -> MutexGuard<'_, u64> {
        self.in_use
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        {
            let mut in_use = self.budget.lock();
            *in_use = in_use.saturating_sub(self.bytes);
        }
        self.budget.freed.notify_all();
        if self.bytes >= RETURN_MEMORY_FROM {
            return_freed_memory();
        }
    }
}

/// glibc keeps freed memory in its per-thread arenas for reuse; after a large decode that is
/// tens of megabytes of a kiosk's RAM held for nothing, on each of the blocking threads that
/// ever decoded. `malloc_trim` hands the free pages of every arena back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn return_freed_memory() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn return_freed_memory() {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    #[test]
    fn reservations_never_exceed_the_total_and_big_ones_run_alone() {
        let budget = Arc::new(DecodeBudget::new(100));
        let peak = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = [60u64, 60, 30, 30, 500]
            .into_iter()
            .map(|bytes| {
                let (budget, peak) = (budget.clone(), peak.clone());
                std::thread::spawn(move || {
                    let _held = budget.reserve(bytes);
                    peak.fetch_max(budget.in_use(), Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                })
            })
            .collect();
        for t in threads {
            t.join().expect("no panic");
        }
        assert!(
            peak.load(Ordering::SeqCst) <= 100,
            "reserved at once: {}",
            peak.load(Ordering::SeqCst)
        );
        assert_eq!(budget.in_use(), 0, "every reservation was given back");
    }
}
