//! Prometheus metrics, kept in a few atomics and maps and written out as text on `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use kidyboard_http::connections::{Admission, ConnectionObserver};

/// Upper bounds (seconds) of the latency histograms.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
pub struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, secs: f64) {
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.counts[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add((secs.max(0.0) * 1e6) as u64, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{b}\"}} {}",
                self.counts[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "{name}_sum {}\n{name}_count {count}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
    }
}

#[derive(Default)]
pub struct Metrics {
    /// (route, status) → count.
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    pub request_seconds: Histogram,
    pub sale_commit_seconds: Histogram,
    /// How late timer expiries and scheduled starts fired.
    pub timer_fire_lateness_seconds: Histogram,
    pub sales_total: AtomicU64,
    pub login_failures_total: AtomicU64,
    pub backups_total: AtomicU64,
    pub backup_failures_total: AtomicU64,
    /// Connections closed at once because their address or the hub was at its cap.
    pub connections_refused_total: AtomicU64,
    /// The listener's connection table, for the open-connections gauge.
    admission: std::sync::OnceLock<Admission>,
}

/// The listener's figures: its connection table for the gauge, and every refusal counted.
impl ConnectionObserver for Metrics {
    fn serving(&self, admission: &Admission) {
        let _ = self.admission.set(admission.clone());
    }

    fn refused(&self) {
        self.connections_refused_total
            .fetch_add(1, Ordering::Relaxed);
    }
}

impl Metrics {
    pub fn record_request(&self, route: &str, status: u16, secs: f64) {
        let mut map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *map.entry((route.to_string(), status)).or_default() += 1;
        drop(map);
        self.request_seconds.observe(secs);
    }

    pub fn render(&self, ws_clients: usize, db_ready: bool, active_timers: i64) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP kidyboard_http_requests_total HTTP requests by route and status.\n# TYPE kidyboard_http_requests_total counter"
        );
        let map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        for ((route, status), n) in map.iter() {
            let route = route.replace('\\', "\\\\").replace('"', "\\\"");
            let _ = writeln!(
                out,
                "kidyboard_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        drop(map);
        self.request_seconds.write(
            &mut out,
            "kidyboard_http_request_duration_seconds",
            "HTTP request latency.",
        );
        self.sale_commit_seconds.write(
            &mut out,
            "kidyboard_sale_commit_seconds",
            "Time to validate and commit a sale.",
        );
        self.timer_fire_lateness_seconds.write(
            &mut out,
            "kidyboard_timer_fire_lateness_seconds",
            "How late timer expiries and scheduled starts fired.",
        );
        for (name, help, v) in [
            (
                "kidyboard_sales_total",
                "Sales committed.",
                self.sales_total.load(Ordering::Relaxed),
            ),
            (
                "kidyboard_login_failures_total",
                "Failed logins.",
                self.login_failures_total.load(Ordering::Relaxed),
            ),
            (
                "kidyboard_backups_total",
                "Backups written.",
                self.backups_total.load(Ordering::Relaxed),
            ),
            (
                "kidyboard_backup_failures_total",
                "Backups that failed.",
                self.backup_failures_total.load(Ordering::Relaxed),
            ),
            (
                "kidyboard_connections_refused_total",
                "Connections closed at once: their address or the hub was at its cap.",
                self.connections_refused_total.load(Ordering::Relaxed),
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
            );
        }
        for (name, help, v) in [
            (
                "kidyboard_live_clients",
                "Open live-feed connections.",
                ws_clients as i64,
            ),
            (
                "kidyboard_database_ready",
                "1 when the database answers.",
                i64::from(db_ready),
            ),
            (
                "kidyboard_active_timers",
                "Timers running, paused or expired.",
                active_timers,
            ),
            (
                "kidyboard_connections_open",
                "Open HTTP and WebSocket connections.",
                self.admission.get().map_or(0, |a| a.open() as i64),
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        out
    }
}

/// The picture store's figures: hits and encodes since start, and the variant cache's use of
/// its byte budget.
pub fn render_images(
    stats: kidyboard_images::StoreStats,
    usage: Option<kidyboard_images::CacheUsage>,
) -> String {
    let mut out = String::new();
    for (name, help, v) in [
        (
            "kidyboard_image_cache_hits_total",
            "Picture variants served from the cache.",
            stats.hits,
        ),
        (
            "kidyboard_image_encodes_total",
            "Picture variants encoded (on demand or ahead of time).",
            stats.encodes,
        ),
    ] {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
        );
    }
    if let Some(u) = usage {
        for (name, help, v) in [
            (
                "kidyboard_image_cache_variants",
                "Picture variants in the cache.",
                u.variant_count,
            ),
            (
                "kidyboard_image_cache_bytes",
                "Bytes of picture variants in the cache.",
                u.variant_bytes,
            ),
            (
                "kidyboard_image_cache_budget_bytes",
                "The variant cache's byte budget.",
                u.budget_bytes,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
    }
    out
}
