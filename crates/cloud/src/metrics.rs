//! What the cloud counts for Prometheus (`GET /metrics`, with the operator's token), and the
//! per-process rate limits on sign-in and sync.
//!
//! The limits are a second line behind the sign-in throttle in PostgreSQL: a token bucket per
//! client address (sign-in, invitations) and per device (sync) in this process's memory. Behind
//! a load balancer each process keeps its own buckets, so a client gets at most the limit times
//! the number of processes — still a limit, and nothing correct depends on it.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Operator;
use crate::error::CloudError;
use crate::state::CloudState;

/// (route pattern, method, status) → (count, seconds).
type RequestTable = BTreeMap<(String, String, u16), (u64, f64)>;

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<RequestTable>,
    pub events_stored: AtomicU64,
    pub events_duplicate: AtomicU64,
    pub alerts_raised: AtomicU64,
    pub rate_limited: AtomicU64,
}

impl Metrics {
    fn record(&self, route: String, method: String, status: u16, secs: f64) {
        if let Ok(mut m) = self.requests.lock() {
            let e = m.entry((route, method, status)).or_default();
            e.0 += 1;
            e.1 += secs;
        }
    }
}

/// Counts and times each request by its route pattern (never its raw path, which holds ids).
pub async fn track(State(st): State<CloudState>, req: Request, next: Next) -> Response {
    let route = kidyboard_http::layers::route_label(&req, "console");
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    st.metrics.record(
        route,
        method,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

/// The cloud's counters in Prometheus' text format (operator only).
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text"),
    (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "health")]
pub async fn metrics(State(st): State<CloudState>, _op: Operator) -> Response {
    let mut out = String::new();
    out.push_str("# HELP kidyboard_cloud_http_requests_total Requests answered, by route pattern, method and status.\n# TYPE kidyboard_cloud_http_requests_total counter\n");
    let requests = st
        .metrics
        .requests
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default();
    for ((route, method, status), (count, _)) in &requests {
        out.push_str(&format!(
            "kidyboard_cloud_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {count}\n"
        ));
    }
    out.push_str("# HELP kidyboard_cloud_http_request_seconds_sum Time spent answering, by route pattern and method.\n# TYPE kidyboard_cloud_http_request_seconds_sum counter\n");
    let mut by_route: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for ((route, method, _), (_, secs)) in &requests {
        *by_route.entry((route, method)).or_default() += secs;
    }
    for ((route, method), secs) in by_route {
        out.push_str(&format!(
            "kidyboard_cloud_http_request_seconds_sum{{route=\"{route}\",method=\"{method}\"}} {secs:.6}\n"
        ));
    }
    let m = &st.metrics;
    for (name, help, v) in [
        (
            "kidyboard_cloud_events_stored_total",
            "Store events stored (each once).",
            &m.events_stored,
        ),
        (
            "kidyboard_cloud_events_duplicate_total",
            "Store events received again and ignored.",
            &m.events_duplicate,
        ),
        (
            "kidyboard_cloud_alerts_raised_total",
            "Alerts this process raised and sent.",
            &m.alerts_raised,
        ),
        (
            "kidyboard_cloud_rate_limited_total",
            "Requests refused by a rate limit.",
            &m.rate_limited,
        ),
    ] {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
            v.load(Ordering::Relaxed)
        ));
    }
    let pool = st.pool.status();
    out.push_str(&format!(
        "# HELP kidyboard_cloud_db_connections PostgreSQL connections of this process.\n# TYPE kidyboard_cloud_db_connections gauge\nkidyboard_cloud_db_connections{{state=\"open\"}} {}\nkidyboard_cloud_db_connections{{state=\"idle\"}} {}\n",
        pool.size, pool.available
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

/// A token bucket per key: `burst` requests at once, refilled at `per_sec`.
pub struct RateLimit {
    burst: f64,
    per_sec: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// Keys remembered at most (a spray of addresses cannot grow the table without bound).
const MAX_KEYS: usize = 50_000;

impl RateLimit {
    pub fn new(burst: u32, per_sec: f64) -> RateLimit {
        RateLimit {
            burst: f64::from(burst.max(1)),
            per_sec: per_sec.max(0.001),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; when none is left, how long until one is.
    pub fn take(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            let (burst, per_sec) = (self.burst, self.per_sec);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_sec < burst
            });
        }
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_sec).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_sec))
        }
    }
}

/// The limits a process applies.
pub struct Limits {
    /// Sign-in, sign-up, invitation previews and acceptances, pairing: per client address.
    pub public: RateLimit,
    /// Push and pull: per device.
    pub sync: RateLimit,
}

impl Limits {
    pub fn new(cfg: &crate::config::CloudConfig) -> Limits {
        Limits {
            public: RateLimit::new(cfg.public_rate_burst, cfg.public_rate_per_sec),
            sync: RateLimit::new(cfg.sync_rate_burst, cfg.sync_rate_per_sec),
        }
    }
}

/// 429 `rate_limited` with `Retry-After`, counted.
pub fn check(st: &CloudState, limit: &RateLimit, key: &str) -> Result<(), CloudError> {
    limit.take(key).map_err(|wait| {
        st.metrics.rate_limited.fetch_add(1, Ordering::Relaxed);
        CloudError::RateLimited {
            retry_after_secs: i64::try_from(wait.as_secs().max(1)).unwrap_or(1),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills() {
        let limit = RateLimit::new(3, 1000.0);
        for _ in 0..3 {
            assert!(limit.take("a").is_ok());
        }
        assert!(limit.take("a").is_err(), "the burst is spent");
        assert!(limit.take("b").is_ok(), "another key has its own bucket");
        std::thread::sleep(Duration::from_millis(5));
        assert!(limit.take("a").is_ok(), "refilled");
    }
}
