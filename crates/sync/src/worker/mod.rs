//! The store's sync worker, spawned by the hub: pushes the event log after the last
//! acknowledged seq in batches, pulls the organisation's catalogue feed after its cursor and
//! applies it through `kidyboard_core::sync`, and retries with back-off and a circuit breaker.
//! Cursors live in SQLite with the data, so a crash or a week offline loses nothing.
//!
//! ```ignore
//! let (handle, task) = SyncWorker::new(store.clone(), WorkerConfig::default(), hooks);
//! tokio::spawn(task);
//! handle.sync_now();            // e.g. after a sale, or from an admin button
//! let s = handle.status();      // online, pending_events, last_error…
//! ```

pub mod client;
pub mod pairing;
pub mod retry;
pub mod status;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use kidyboard_core::clock::{now_ms, to_rfc3339};
use kidyboard_core::sync::{self, Applied, Outcome, OutgoingEvent, RemoteEvent, SyncLink};
use kidyboard_core::Store;
use tokio::sync::{mpsc, watch, Notify};

use crate::error::{Result, SyncError};
use client::CloudClient;
use retry::{Breaker, RetryPolicy};
pub use status::{LastError, SyncStatus};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Events per push request.
    pub push_batch: i64,
    /// Catalogue events per pull request.
    pub pull_batch: i64,
    /// Time between rounds while everything works (a `sync_now` starts one at once).
    pub idle_interval: Duration,
    /// First back-off after a failure; doubles per failure (with jitter) up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Failures in a row that open the circuit breaker.
    pub breaker_failures: u32,
    /// How long the breaker stays open before one probe.
    pub breaker_cooldown: Duration,
    /// Limit for one HTTP request.
    pub request_timeout: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            push_batch: 500,
            pull_batch: 500,
            idle_interval: Duration::from_secs(15),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            breaker_failures: 6,
            breaker_cooldown: Duration::from_secs(300),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// A catalogue record changed by the cloud: the hub publishes `catalog.changed` for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogChange {
    /// "product", "service", "package" or "family".
    pub entity: &'static str,
    pub id: String,
}

pub type CatalogCallback = Arc<dyn Fn(&CatalogChange) + Send + Sync>;

/// The store's pictures, as the worker relays them through the cloud: a menu design names its
/// logo and background by hash, and another branch needs the bytes to draw it.
pub trait PictureRelay: Send + Sync {
    /// The original bytes of a picture this store holds.
    fn original(&self, hash: &str) -> Option<Vec<u8>>;
    /// Whether this store holds the picture.
    fn has(&self, hash: &str) -> bool;
    /// Keeps a picture that came from the cloud (checked like an upload); answers its hash.
    fn keep(&self, bytes: &[u8]) -> std::result::Result<String, String>;
}

/// How the worker tells the rest of the hub what the cloud changed.
#[derive(Clone, Default)]
pub struct SyncHooks {
    /// Called for each record the pull applied (after its transaction committed).
    pub on_catalog_change: Option<CatalogCallback>,
    /// Product image URLs the catalogue now points at, for the image cache to prefetch.
    pub image_urls: Option<mpsc::UnboundedSender<String>>,
    /// The pictures menu designs name: sent before the design, fetched before applying it.
    pub pictures: Option<Arc<dyn PictureRelay>>,
}

/// The hub's side of a running worker.
#[derive(Clone)]
pub struct SyncHandle {
    status: watch::Receiver<SyncStatus>,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
}

impl SyncHandle {
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// Changes of status, e.g. to show "sin conexión" at once.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Starts a round now (even with the breaker open: a person asked).
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    /// Something worth sending happened (a sale): start a round soon, but only while the link
    /// works. While offline or backing off, the back-off and the breaker decide, so a busy till
    /// does not hammer an unreachable cloud. Nudges during a round coalesce into one more round.
    pub fn nudge(&self) {
        let s = self.status();
        if s.paired && s.online && s.breaker == Breaker::Closed {
            self.wake.notify_one();
        }
    }

    /// Ends the worker after the request in flight, if any.
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }
}

pub struct SyncWorker {
    store: Arc<Store>,
    cfg: WorkerConfig,
    hooks: SyncHooks,
    client: CloudClient,
    status: watch::Sender<SyncStatus>,
    wake: Arc<Notify>,
    stop: watch::Receiver<bool>,
    policy: RetryPolicy,
}

enum Round {
    NotPaired,
    Done { pushed: u64, applied: u64 },
}

async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> kidyboard_core::Result<T> + Send + 'static,
) -> Result<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| SyncError::Internal(format!("store task: {e}")))?
        .map_err(SyncError::from)
}

impl SyncWorker {
    /// The handle and the future to spawn. The future ends on `handle.shutdown()`.
    // Answers (handle, future) rather than Self: the worker itself only lives inside the task.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        store: Arc<Store>,
        cfg: WorkerConfig,
        hooks: SyncHooks,
    ) -> Result<(SyncHandle, impl Future<Output = ()>)> {
        let client = CloudClient::new(cfg.request_timeout)?;
        let (status_tx, status_rx) = watch::channel(SyncStatus::default());
        let (stop_tx, stop_rx) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        let policy = RetryPolicy::new(
            cfg.backoff_base,
            cfg.backoff_max,
            cfg.breaker_failures,
            cfg.breaker_cooldown,
        );
        let worker = SyncWorker {
            store,
            cfg,
            hooks,
            client,
            status: status_tx,
            wake: wake.clone(),
            stop: stop_rx,
            policy,
        };
        let handle = SyncHandle {
            status: status_rx,
            wake,
            stop: stop_tx,
        };
        Ok((handle, worker.run()))
    }

    async fn run(mut self) {
        loop {
            if *self.stop.borrow() {
                return;
            }
            let started = now_ms();
            let result = self.round().await;
            let wait = self.settle(result, started).await;
            let next = now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
            self.status
                .send_modify(|s| s.next_attempt_at = Some(to_rfc3339(next)));
            tokio::select! {
                _ = tokio::time::sleep(wait) => self.policy.cooled_down(),
                _ = self.wake.notified() => self.policy.cooled_down(),
                _ = self.stop.changed() => return,
            }
        }
    }

    /// Records how a round went and answers how long to wait before the next one.
    async fn settle(&mut self, result: Result<Round>, started: i64) -> Duration {
        let counts = blocking(&self.store, |s| {
            s.read(|c| {
                Ok((
                    sync::pending_count(c)?,
                    sync::cursors(c)?,
                    sync::link(c)?.map(|l| l.cloud_url),
                ))
            })
        })
        .await;
        let wait = match &result {
            Ok(_) => {
                self.policy.succeeded();
                self.cfg.idle_interval
            }
            Err(e) => {
                tracing::warn!(error = %e, failures = self.policy.consecutive_failures + 1, "sync round failed");
                self.policy.failed(retry::unit_random())
            }
        };
        let policy = self.policy.clone();
        self.status.send_modify(|s| {
            s.last_attempt_at = Some(to_rfc3339(started));
            s.breaker = policy.breaker;
            s.consecutive_failures = policy.consecutive_failures;
            if let Ok((pending, cursors, paired)) = &counts {
                s.pending_events = *pending;
                s.push_cursor = cursors.push;
                s.pull_cursor = cursors.pull;
                s.paired = paired.is_some();
                s.cloud_url = paired.clone();
            }
            match &result {
                Ok(Round::NotPaired) => s.online = false,
                Ok(Round::Done { pushed, applied }) => {
                    s.online = true;
                    s.last_success_at = Some(to_rfc3339(now_ms()));
                    s.last_error = None;
                    s.pushed_since_start += pushed;
                    s.applied_since_start += applied;
                }
                Err(e) => {
                    s.online = false;
                    s.last_error = Some(LastError {
                        code: e.code().to_string(),
                        message: e.to_string(),
                        at: to_rfc3339(now_ms()),
                    });
                }
            }
        });
        if policy.breaker == Breaker::Open {
            self.cfg.breaker_cooldown
        } else {
            wait
        }
    }

    async fn round(&mut self) -> Result<Round> {
        let Some(link) = blocking(&self.store, |s| s.read(sync::link)).await? else {
            return Ok(Round::NotPaired);
        };
        let pushed = self.push_all(&link).await?;
        let applied = self.pull_all(&link).await?;
        Ok(Round::Done { pushed, applied })
    }

    async fn push_all(&mut self, link: &SyncLink) -> Result<u64> {
        let mut pushed = 0;
        loop {
            let batch = self.cfg.push_batch;
            let events =
                blocking(&self.store, move |s| s.read(|c| sync::pending(c, batch))).await?;
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok(pushed);
            };
            let n = events.len() as u64;
            self.send_pictures(link, &events).await?;
            let answer = self
                .client
                .push(&link.cloud_url, &link.device_token, events)
                .await?;
            if answer.acked_seq < last {
                return Err(SyncError::Remote(format!(
                    "the cloud acknowledged up to {} of a batch ending at {last}",
                    answer.acked_seq
                )));
            }
            blocking(&self.store, move |s| {
                sync::acknowledge_push(s, last, now_ms())
            })
            .await?;
            pushed += n;
            self.status.send_modify(|s| {
                s.push_cursor = last;
                s.pending_events = (s.pending_events - n as i64).max(0);
            });
        }
    }

    async fn pull_all(&mut self, link: &SyncLink) -> Result<u64> {
        let mut applied_total = 0;
        loop {
            let (after, pending) = blocking(&self.store, |s| {
                s.read(|c| Ok((sync::cursors(c)?.pull, sync::pending_count(c)?)))
            })
            .await?;
            let page = self
                .client
                .pull(
                    &link.cloud_url,
                    &link.device_token,
                    after,
                    self.cfg.pull_batch,
                    pending,
                )
                .await?;
            let more = page.more;
            let next = page.next_after;
            let events = page.events;
            // Before a design is applied, the pictures it names are here (a failure retries the
            // whole page next round).
            self.fetch_pictures(link, &events).await?;
            let outcomes: Vec<Applied> = if events.is_empty() && next == after {
                Vec::new()
            } else {
                blocking(&self.store, move |s| {
                    sync::apply_remote_batch(s, &events, next, now_ms())
                })
                .await?
            };
            for a in &outcomes {
                if a.outcome == Outcome::Applied {
                    applied_total += 1;
                    self.announce(a);
                } else if a.outcome == Outcome::Refused {
                    tracing::warn!(event = %a.event_id, note = %a.note, "remote catalogue event refused");
                }
            }
            self.status.send_modify(|s| s.pull_cursor = next);
            if !more {
                return Ok(applied_total);
            }
        }
    }

    /// Uploads the pictures the batch's menu designs name (the cloud keeps each once).
    async fn send_pictures(&self, link: &SyncLink, events: &[OutgoingEvent]) -> Result<()> {
        let Some(relay) = self.hooks.pictures.clone() else {
            return Ok(());
        };
        let mut hashes: Vec<String> = events
            .iter()
            .filter(|e| e.entity == "menu_design" && e.kind != "menu_design.deleted")
            .flat_map(|e| kidyboard_core::menus::pictures_of(&e.payload))
            .collect();
        hashes.sort();
        hashes.dedup();
        for hash in hashes {
            let r = relay.clone();
            let h = hash.clone();
            let bytes = tokio::task::spawn_blocking(move || r.original(&h))
                .await
                .map_err(|e| SyncError::Internal(e.to_string()))?;
            // A picture this store no longer holds: the design goes without it.
            if let Some(bytes) = bytes {
                self.client
                    .put_picture(&link.cloud_url, &link.device_token, &hash, bytes)
                    .await?;
            }
        }
        Ok(())
    }

    /// Fetches the pictures the page's menu designs name that this store lacks.
    async fn fetch_pictures(&self, link: &SyncLink, events: &[RemoteEvent]) -> Result<()> {
        let Some(relay) = self.hooks.pictures.clone() else {
            return Ok(());
        };
        for e in events
            .iter()
            .filter(|e| e.entity == "menu_design" && e.kind != "menu_design.deleted")
        {
            for hash in kidyboard_core::menus::pictures_of(&e.payload) {
                let (r, h) = (relay.clone(), hash.clone());
                let held = tokio::task::spawn_blocking(move || r.has(&h))
                    .await
                    .map_err(|e| SyncError::Internal(e.to_string()))?;
                if held {
                    continue;
                }
                let Some(bytes) = self
                    .client
                    .get_picture(&link.cloud_url, &link.device_token, &hash)
                    .await?
                else {
                    tracing::warn!(%hash, design = %e.entity_id, "a menu design's picture is not in the cloud");
                    continue;
                };
                let r = relay.clone();
                let kept = tokio::task::spawn_blocking(move || r.keep(&bytes))
                    .await
                    .map_err(|e| SyncError::Internal(e.to_string()))?;
                match kept {
                    Ok(got) if got == hash => {}
                    Ok(got) => {
                        tracing::warn!(%hash, %got, "a relayed picture is not the one named")
                    }
                    Err(err) => tracing::warn!(%hash, %err, "a relayed picture was refused"),
                }
            }
        }
        Ok(())
    }

    fn announce(&self, a: &Applied) {
        let entity = match a.entity.as_str() {
            "product" => "product",
            "service" => "service",
            "package" => "package",
            "family" => "family",
            _ => return,
        };
        if let Some(cb) = &self.hooks.on_catalog_change {
            cb(&CatalogChange {
                entity,
                id: a.entity_id.clone(),
            });
        }
        if let (Some(tx), Some(url)) = (&self.hooks.image_urls, &a.image_url) {
            let _ = tx.send(url.clone());
        }
    }
}
