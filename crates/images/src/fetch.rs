//! Fetching pictures by address, bounded: catalogue addresses come from the cloud or an admin,
//! and `/img/remote` lets anyone on the LAN make the hub fetch one, so each fetch is limited in
//! time, size, redirects and content type, and by default may not reach the hub itself or the
//! shop's private network (router pages, other devices, cloud metadata services).

use std::collections::HashMap;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::error::{Error, Result};
use crate::prefetch::Fetch;

/// What a fetch may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Bounds each whole request: resolve, connect, headers and body.
    pub timeout: Duration,
    /// Redirects followed; every hop is held to the same address rule.
    pub max_redirects: u32,
    /// Allow loopback, private, link-local and other non-public addresses. Off by default;
    /// when off, proxies from the environment are not used either (a proxy would reach any
    /// address on our behalf).
    pub allow_private: bool,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            timeout: Duration::from_secs(20),
            max_redirects: 3,
            allow_private: false,
        }
    }
}

/// A blocking HTTP(S) fetcher on `ureq` that keeps to a [`FetchPolicy`] and a body-size cap.
pub struct UreqFetcher {
    agent: ureq::Agent,
}

impl UreqFetcher {
    /// The default policy with `timeout` for each whole request.
    pub fn new(timeout: Duration) -> Self {
        UreqFetcher::with_policy(FetchPolicy {
            timeout,
            ..FetchPolicy::default()
        })
    }

    pub fn with_policy(policy: FetchPolicy) -> Self {
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(policy.timeout))
            .max_redirects(policy.max_redirects)
            .max_response_header_size(64 * 1024);
        if !policy.allow_private {
            config = config.proxy(None);
        }
        let resolver = PublicOnlyResolver {
            allow_private: policy.allow_private,
        };
        UreqFetcher {
            agent: ureq::Agent::with_parts(config.build(), DefaultConnector::default(), resolver),
        }
    }
}

impl Default for UreqFetcher {
    fn default() -> Self {
        UreqFetcher::with_policy(FetchPolicy::default())
    }
}

impl Fetch for UreqFetcher {
    fn fetch(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>> {
        let fetch_err = |reason: String| Error::Fetch {
            url: url.to_owned(),
            reason,
        };
        let response = self
            .agent
            .get(url)
            .header("Accept", "image/jpeg, image/png, image/webp")
            .call()
            .map_err(|e| fetch_err(e.to_string()))?;
        // What the sniffer will check anyway, refused before reading a byte of an HTML page.
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let acceptable = content_type.is_empty()
            || content_type.starts_with("image/")
            || content_type.starts_with("application/octet-stream");
        if !acceptable {
            return Err(fetch_err(format!(
                "the server answered {content_type}, not a picture"
            )));
        }
        let announced = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(actual) = announced.filter(|&n| n > max_bytes) {
            return Err(Error::TooLarge {
                actual,
                limit: max_bytes,
            });
        }
        // Read one byte past the limit to tell "exactly the limit" from "over it".
        let mut body = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| fetch_err(e.to_string()))?;
        if body.len() as u64 > max_bytes {
            return Err(Error::TooLarge {
                actual: body.len() as u64,
                limit: max_bytes,
            });
        }
        Ok(body)
    }
}

/// Resolves like the default resolver, then drops the addresses the policy forbids. The
/// connection only ever uses what this returns, so a name that resolves differently the
/// second time (DNS rebinding) or a redirect to `http://127.0.0.1/` gets nowhere.
#[derive(Debug)]
struct PublicOnlyResolver {
    allow_private: bool,
}

impl Resolver for PublicOnlyResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = DefaultResolver::default().resolve(uri, config, timeout)?;
        if self.allow_private {
            return Ok(resolved);
        }
        let mut kept = self.empty();
        for addr in resolved.iter().filter(|a| is_public(a)) {
            kept.push(*addr);
        }
        if kept.is_empty() {
            return Err(ureq::Error::BadUri(format!(
                "{} is not a public internet address",
                uri.host().unwrap_or("the host")
            )));
        }
        Ok(kept)
    }
}

/// True for addresses on the public internet: not the hub itself, the LAN, link-local
/// (cloud metadata), carrier-grade NAT, multicast, documentation or reserved ranges.
pub fn is_public(addr: &SocketAddr) -> bool {
    match addr.ip() {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(&SocketAddr::new(IpAddr::V4(v4), addr.port()));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// How long an address that failed is not tried again on a screen's behalf.
const RETRY_AFTER: Duration = Duration::from_secs(5 * 60);
/// Failures remembered at most (older ones are forgotten first).
const FAILURES_KEPT: usize = 1_000;

/// Keeps strangers' requests from turning into a stream of outgoing fetches: a bounded number
/// at once, and an address that just failed is not fetched again for a while.
#[derive(Debug)]
pub(crate) struct RemoteGate {
    max_at_once: usize,
    state: Mutex<GateState>,
}

#[derive(Debug, Default)]
struct GateState {
    in_flight: usize,
    failed: HashMap<String, Instant>,
}

/// One admitted fetch; ends (freeing its place) when dropped.
pub(crate) struct Admitted<'a> {
    gate: &'a RemoteGate,
    url: String,
    ok: bool,
}

impl RemoteGate {
    pub(crate) fn new(max_at_once: usize) -> Self {
        RemoteGate {
            max_at_once: max_at_once.max(1),
            state: Mutex::default(),
        }
    }

    pub(crate) fn admit(&self, url: &str) -> Result<Admitted<'_>> {
        let refused = |reason: &str| Error::Fetch {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let mut state = self.lock();
        if let Some(at) = state.failed.get(url) {
            if at.elapsed() < RETRY_AFTER {
                return Err(refused(
                    "it failed a moment ago; it will be tried again later",
                ));
            }
        }
        if state.in_flight >= self.max_at_once {
            return Err(refused(
                "other pictures are being fetched; try again shortly",
            ));
        }
        state.in_flight += 1;
        Ok(Admitted {
            gate: self,
            url: url.to_owned(),
            ok: false,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Admitted<'_> {
    pub(crate) fn succeeded(mut self) {
        self.ok = true;
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        if self.ok {
            state.failed.remove(&self.url);
            return;
        }
        if state.failed.len() >= FAILURES_KEPT {
            state.failed.retain(|_, at| at.elapsed() < RETRY_AFTER);
        }
        if state.failed.len() < FAILURES_KEPT {
            state.failed.insert(self.url.clone(), Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1:80",
            "10.1.2.3:80",
            "192.168.1.1:80",
            "172.16.0.1:80",
            "169.254.169.254:80",
            "100.64.0.1:80",
            "0.0.0.0:80",
            "[::1]:80",
            "[fd00::1]:80",
            "[fe80::1]:80",
            "[::ffff:127.0.0.1]:80",
        ] {
            let addr: SocketAddr = private.parse().expect("address");
            assert!(!is_public(&addr), "{private} must not be reachable");
        }
        for public in ["93.184.216.34:443", "[2606:4700::1111]:443"] {
            let addr: SocketAddr = public.parse().expect("address");
            assert!(is_public(&addr), "{public} is public");
        }
    }

    #[test]
    fn a_failed_address_waits_and_fetches_are_bounded() {
        let gate = RemoteGate::new(1);
        let first = gate.admit("http://a/1.png").expect("admitted");
        assert!(gate.admit("http://a/2.png").is_err(), "one at a time");
        drop(first);
        assert!(
            gate.admit("http://a/1.png").is_err(),
            "a failure is not retried at once"
        );
        let second = gate.admit("http://a/2.png").expect("admitted");
        second.succeeded();
        assert!(gate.admit("http://a/2.png").is_ok());
    }
}
