//! Reporting to the hub: finished visits in batches (idempotent by visit id, so a retry after a
//! lost reply stores nothing twice) and the runner's status. A hub that is down only delays
//! delivery: visits wait in memory and are retried with back-off.

use std::time::Duration;

use kidyboard_core::clock;
use kidyboard_core::vision::{VisionStatusInput, VisitBatch, VisitInput, MAX_BATCH};
use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::error::{Result, VisionError};
use crate::runner::{PreviewTap, RunnerEvent, RunnerStatus};
use crate::spool::{self, Spool};
use crate::tracker::FinishedVisit;

/// The vision runner's calls to the hub, on the one hub client.
#[derive(Clone, Debug)]
pub struct HubClient {
    hub: kidyboard_client::HubClient,
}

impl HubClient {
    pub fn new(base: &str, token: String) -> Result<HubClient> {
        Ok(HubClient {
            hub: kidyboard_client::HubClient::with_token(base, &token)?,
        })
    }

    /// Signs in with a user's name and password (a `totem` account).
    pub async fn login(base: &str, username: &str, password: &str) -> Result<HubClient> {
        Ok(HubClient {
            hub: kidyboard_client::HubClient::login(base, username, password).await?,
        })
    }

    pub async fn post_visits(&self, device_id: &str, visits: &[FinishedVisit]) -> Result<Value> {
        let batch = VisitBatch {
            device_id: device_id.to_string(),
            visits: visits
                .iter()
                .map(|v| VisitInput {
                    id: v.id.clone(),
                    started_at: clock::to_rfc3339(v.started_at),
                    ended_at: clock::to_rfc3339(v.ended_at),
                })
                .collect(),
        };
        Ok(self.hub.post_json("/api/v1/vision/visits", &batch).await?)
    }

    pub async fn put_status(&self, device_id: &str, s: &RunnerStatus) -> Result<Value> {
        let body = VisionStatusInput {
            device_id: device_id.to_string(),
            state: s.state,
            message: s.message.chars().take(2_000).collect(),
            source: s.source.chars().take(120).collect(),
            in_view: s.in_view as i64,
            fps: (s.fps * 10.0).round() / 10.0,
            last_frame_at: s.last_frame_at.map(clock::to_rfc3339),
        };
        Ok(self.hub.put_json("/api/v1/vision/status", &body).await?)
    }

    /// Hands the hub one preview frame for the admin watching; answers whether they still are.
    pub async fn put_preview(&self, device_id: &str, jpeg: Vec<u8>) -> Result<bool> {
        let path = format!(
            "/api/v1/vision/preview/{}",
            kidyboard_client::path_segment(device_id)
        );
        let reply: Value = self.hub.put_bytes(&path, "image/jpeg", jpeg).await?;
        Ok(reply["preview_wanted"].as_bool().unwrap_or(false))
    }
}

/// How often a watched preview is sent: enough to aim a camera, little for the network.
const PREVIEW_SEND_EVERY: Duration = Duration::from_millis(700);

/// While the hub says an admin is watching, sends the runner's newest preview frame (each frame
/// once) until the hub says nobody is.
async fn relay_previews(hub: HubClient, device_id: String, tap: PreviewTap) {
    let mut tick = tokio::time::interval(PREVIEW_SEND_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_sent: Option<std::sync::Arc<Vec<u8>>> = None;
    loop {
        tick.tick().await;
        if !tap.wanted() {
            last_sent = None;
            continue;
        }
        let Some(frame) = tap.latest() else { continue };
        if last_sent
            .as_ref()
            .is_some_and(|l| std::sync::Arc::ptr_eq(l, &frame))
        {
            continue;
        }
        match hub.put_preview(&device_id, frame.as_ref().clone()).await {
            Ok(still) => tap.want(still),
            Err(e) => tracing::debug!("vision: preview not delivered: {e}"),
        }
        last_sent = Some(frame);
    }
}

/// What the forwarder delivered, for the command's summary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub visits: usize,
    /// Visits the hub refused as invalid (e.g. a clock far ahead); dropped, not retried.
    pub refused: usize,
    pub undelivered: usize,
}

/// Forwards the runner's events to the hub until the runner ends, then tries a few more times to
/// deliver what is left. With a [`Spool`], visits left by an earlier run are delivered first and
/// every visit waiting for the hub is kept in that file until the hub has it.
///
/// With a [`PreviewTap`], the hub's answers to the status say when an admin watches the camera;
/// frames then go to the hub (in memory there too) until nobody does.
pub async fn forward(
    mut events: UnboundedReceiver<RunnerEvent>,
    hub: HubClient,
    device_id: String,
    spool: Option<Spool>,
    tap: Option<PreviewTap>,
) -> Delivered {
    let relay = tap.clone().map(|tap| {
        let (hub, device_id) = (hub.clone(), device_id.clone());
        AbortOnDrop(tokio::spawn(relay_previews(hub, device_id, tap)))
    });
    let mut pending: Vec<FinishedVisit> = spool.as_ref().map(Spool::load).unwrap_or_default();
    if !pending.is_empty() {
        tracing::info!(
            "vision: {} visits from an earlier run wait for the hub",
            pending.len()
        );
    }
    // Visits only join at the back and leave from the front, so the queue changed since the file
    // was last written exactly when its length did: a retry that moved nothing writes nothing.
    let mut saved = pending.len();
    let mut keep = |pending: &mut Vec<FinishedVisit>| {
        if pending.len() == saved {
            return;
        }
        let dropped = spool::cap(pending);
        if dropped > 0 {
            tracing::warn!(
                "vision: the hub has been away too long; the {dropped} oldest visits were dropped"
            );
        }
        saved = pending.len();
        if let Some(spool) = &spool {
            if let Err(e) = spool.save(pending) {
                tracing::warn!(
                    "vision: cannot write the spool {}: {e}",
                    spool.path().display()
                );
            }
        }
    };
    let mut delivered = 0;
    let mut refused = 0;
    let mut backoff = Duration::from_millis(500);
    // Visits from an earlier run go out at once.
    let mut retry_at = (!pending.is_empty()).then(tokio::time::Instant::now);
    loop {
        let event = match retry_at {
            Some(at) => tokio::select! {
                e = events.recv() => e,
                // Time to retry: an empty batch wakes the delivery below.
                _ = tokio::time::sleep_until(at) => { retry_at = None; Some(RunnerEvent::Visits(Vec::new())) }
            },
            None => events.recv().await,
        };
        match event {
            Some(RunnerEvent::Visits(v)) if !v.is_empty() => {
                pending.extend(v);
                keep(&mut pending);
            }
            Some(RunnerEvent::Visits(_)) => {}
            Some(RunnerEvent::Status(s)) => match hub.put_status(&device_id, &s).await {
                Ok(reply) => {
                    if let Some(tap) = &tap {
                        tap.want(reply["preview_wanted"].as_bool().unwrap_or(false));
                    }
                }
                Err(e) => tracing::warn!("vision: status not delivered: {e}"),
            },
            None => break,
        }
        if retry_at.is_none() && !pending.is_empty() {
            let result = send(&hub, &device_id, &mut pending, &mut refused).await;
            keep(&mut pending);
            match result {
                Ok(n) => {
                    delivered += n;
                    backoff = Duration::from_millis(500);
                }
                Err(e) => {
                    tracing::warn!("vision: {} visits wait for the hub: {e}", pending.len());
                    retry_at = Some(tokio::time::Instant::now() + backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
    }
    for attempt in 0..5u32 {
        if pending.is_empty() {
            break;
        }
        let result = send(&hub, &device_id, &mut pending, &mut refused).await;
        keep(&mut pending);
        match result {
            Ok(n) => delivered += n,
            Err(e) => {
                tracing::warn!("vision: final delivery attempt {attempt} failed: {e}");
                tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
            }
        }
    }
    drop(relay);
    Delivered {
        visits: delivered,
        refused,
        undelivered: pending.len(),
    }
}

/// Stops the preview relay when delivery ends, however it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Sends pending visits in batches; what was accepted leaves the queue. A batch the hub refuses
/// as invalid is dropped (with a warning) so it cannot block the visits behind it forever.
async fn send(
    hub: &HubClient,
    device_id: &str,
    pending: &mut Vec<FinishedVisit>,
    refused: &mut usize,
) -> Result<usize> {
    let mut sent = 0;
    while !pending.is_empty() {
        let n = pending.len().min(MAX_BATCH);
        match hub.post_visits(device_id, &pending[..n]).await {
            Ok(_) => sent += n,
            Err(VisionError::Hub(e)) if e.is_invalid_input() => {
                tracing::warn!("vision: the hub refused {n} visits, dropped: {e}");
                *refused += n;
            }
            Err(e) => return Err(e),
        }
        pending.drain(..n);
    }
    Ok(sent)
}
