//! The live player: follows a hub's live feed and plays each timer's expiry (chime + voice) and
//! the scheduled clips, through one [`Mixer`] into the chosen output. It keeps running without a
//! sound device (status `no_device`) and through hub outages (reconnects with back-off; the
//! schedule keeps playing from what it last fetched). `kidyboard audio run` and the desktop shell
//! host it through [`start`] and the returned [`PlayerHandle`].

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDateTime;
use kidyboard_core::audio::{plan, AudioClip, AudioSchedule, AudioSettings};
use tokio::sync::watch;

use crate::error::{AudioError, Result};
use crate::hub_client::{HubClient, LiveStream};
use crate::mixer::{Item, Mixer, MixerConfig, Placement, Priority};
use crate::output::{Output, OutputChoice};
use crate::pcm::Pcm;
use crate::speech::{announcement_text, default_voice, first_name, free_text, warning_text, Voice};

/// The name a player shows in the admin's list when none was set: the computer's name.
pub fn default_name(name: Option<String>) -> String {
    let given = |n: &String| !n.trim().is_empty();
    name.filter(given)
        .or_else(|| std::env::var("HOSTNAME").ok().filter(given))
        .unwrap_or_else(|| "altavoces".into())
}

#[derive(Clone)]
pub struct PlayerConfig {
    pub hub: HubClient,
    /// How this player appears in the admin's status list (e.g. the PC's name).
    pub name: String,
    pub output: OutputChoice,
    /// Rendered speech and downloaded clips.
    pub cache_dir: PathBuf,
    pub mixer: MixerConfig,
    /// The wall clock the schedule follows (UTC); `None` is the system clock. Tests put the
    /// player just before a scheduled time instead of waiting for it.
    pub clock: Option<Clock>,
}

pub type Clock = Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

/// What the player is doing, as reported to the hub and shown by the CLI (the hub reads the
/// same type).
pub use kidyboard_core::audio::PlayerStatus;

struct Shared {
    status: Mutex<PlayerStatus>,
    mixer: Arc<Mutex<Mixer>>,
    announced: Mutex<Vec<String>>,
}

pub struct PlayerHandle {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<()>>,
}

impl PlayerHandle {
    pub fn status(&self) -> PlayerStatus {
        let mut s = lock(&self.shared.status).clone();
        s.queued = lock(&self.shared.mixer).queued();
        s
    }

    /// Every item placed on the output so far (label, priority, start and end sample).
    pub fn placements(&self) -> Vec<Placement> {
        lock(&self.shared.mixer).placements().to_vec()
    }

    /// The texts announced so far, in order.
    pub fn announced(&self) -> Vec<String> {
        lock(&self.shared.announced).clone()
    }

    /// Stops following the hub and closes the output (a WAV file is complete afterwards).
    pub async fn stop(self) -> Result<()> {
        let _ = self.stop.send(true);
        self.task
            .await
            .map_err(|e| AudioError::Io(std::io::Error::other(e.to_string())))?
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opens the output and starts following the hub.
pub fn start(cfg: PlayerConfig) -> PlayerHandle {
    let mixer = Arc::new(Mutex::new(Mixer::new(cfg.mixer)));
    let (output, device_error) = Output::open(&cfg.output, mixer.clone());
    let status = PlayerStatus {
        state: if device_error.is_some() {
            "no_device"
        } else {
            "ok"
        }
        .into(),
        output: output.describe(),
        connected: false,
        last_error: device_error.as_ref().map(|e| e.to_string()),
        ..PlayerStatus::default()
    };
    if let Some(e) = &device_error {
        tracing::warn!(error = %e, "no sound device: announcements are queued but not heard");
    }
    let shared = Arc::new(Shared {
        status: Mutex::new(status),
        mixer,
        announced: Mutex::new(Vec::new()),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(run(cfg, shared.clone(), output, stop_rx));
    PlayerHandle {
        shared,
        stop: stop_tx,
        task,
    }
}

/// What the player last fetched from the hub.
#[derive(Default)]
struct Plan {
    settings: AudioSettings,
    schedules: Vec<AudioSchedule>,
    clips: HashMap<String, AudioClip>,
    sounds: HashMap<String, Pcm>,
    tz: Option<chrono_tz::Tz>,
    /// The background clip now looping in the mixer, if any.
    bed: Option<String>,
}

const RECONNECT_MIN: Duration = Duration::from_millis(500);
const RECONNECT_MAX: Duration = Duration::from_secs(30);
const REPORT_EVERY_TICKS: u32 = 30;
/// Expiries older than this when they reach us (a hub restart after hours) are not announced.
const ANNOUNCE_WITHIN_MS: i64 = 10 * 60 * 1000;

async fn run(
    cfg: PlayerConfig,
    shared: Arc<Shared>,
    output: Output,
    mut stop: watch::Receiver<bool>,
) -> Result<()> {
    let mut plan = Plan::default();
    let mut live: Option<LiveStream> = None;
    let mut backoff = RECONNECT_MIN;
    let mut reconnect_at = tokio::time::Instant::now();
    let mut seen: HashSet<String> = HashSet::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut ticks = 0u32;
    let mut last_local: Option<NaiveDateTime> = None;
    let mut last_reported: Option<PlayerStatus> = None;
    loop {
        if live.is_none() && tokio::time::Instant::now() >= reconnect_at {
            match connect(&cfg, &mut plan).await {
                Ok(stream) => {
                    live = Some(stream);
                    backoff = RECONNECT_MIN;
                    set_connected(&shared, true, None);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "audio player cannot reach the hub");
                    set_connected(&shared, false, Some(e.to_string()));
                    reconnect_at = tokio::time::Instant::now() + backoff;
                    backoff = (backoff * 2).min(RECONNECT_MAX);
                }
            }
        }
        tokio::select! {
            _ = stop.changed() => break,
            msg = next_message(&mut live) => match msg {
                Ok(Some(m)) => {
                    if let Err(e) = on_message(&cfg, &shared, &mut plan, &mut seen, &m).await {
                        tracing::warn!(error = %e, "audio player could not handle a message");
                        lock(&shared.status).last_error = Some(e.to_string());
                    }
                }
                Ok(None) | Err(_) => {
                    live = None;
                    set_connected(&shared, false, Some("el hub cerró el canal en vivo".into()));
                    reconnect_at = tokio::time::Instant::now() + backoff;
                }
            },
            _ = tick.tick() => {
                let now = local_now(&plan, &cfg.clock);
                if let Some(prev) = last_local {
                    play_due(&cfg, &shared, &mut plan, prev, now).await;
                }
                update_bed(&shared, &mut plan, now);
                last_local = Some(now);
                ticks += 1;
                let status = PlayerStatus { queued: lock(&shared.mixer).queued(), ..lock(&shared.status).clone() };
                let changed = last_reported.as_ref().is_none_or(|r| r.state != status.state || r.connected != status.connected || r.last_announcement != status.last_announcement);
                if live.is_some() && (changed || ticks.is_multiple_of(REPORT_EVERY_TICKS)) {
                    match cfg.hub.report(&cfg.name, &status).await {
                        Ok(()) => last_reported = Some(status),
                        Err(e) => tracing::debug!(error = %e, "status report failed"),
                    }
                }
            }
        }
    }
    let closed = tokio::task::spawn_blocking(move || output.close()).await;
    match closed {
        Ok(r) => r,
        Err(e) => Err(AudioError::Io(std::io::Error::other(e.to_string()))),
    }
}

async fn next_message(live: &mut Option<LiveStream>) -> Result<Option<serde_json::Value>> {
    match live {
        Some(s) => Ok(s.next().await?),
        // Not connected: wait for the tick (the select's other branches) instead.
        None => std::future::pending().await,
    }
}

fn set_connected(shared: &Shared, connected: bool, error: Option<String>) {
    let mut s = lock(&shared.status);
    s.connected = connected;
    if error.is_some() {
        s.last_error = error;
    }
}

async fn connect(cfg: &PlayerConfig, plan: &mut Plan) -> Result<LiveStream> {
    let (stream, hello) = cfg.hub.live().await?;
    plan.tz = hello["branch"]["timezone"]
        .as_str()
        .and_then(|t| t.parse().ok());
    refresh(cfg, plan).await?;
    Ok(stream)
}

/// Fetches settings, schedules and clip sounds (downloaded once, by content hash).
async fn refresh(cfg: &PlayerConfig, plan: &mut Plan) -> Result<()> {
    plan.settings = cfg.hub.settings().await?;
    plan.schedules = cfg.hub.schedules().await?;
    let clips = cfg.hub.clips().await?;
    plan.clips = clips.into_iter().map(|c| (c.id.clone(), c)).collect();
    plan.sounds.retain(|id, _| plan.clips.contains_key(id));
    let dir = cfg.cache_dir.join("clips");
    let wanted = plan
        .schedules
        .iter()
        .filter(|s| s.enabled)
        .map(|s| s.clip_id.clone())
        .chain(plan.settings.background_clip_id.clone())
        .collect::<Vec<_>>();
    for id in wanted {
        let Some(clip) = plan.clips.get(&id) else {
            continue;
        };
        if plan.sounds.contains_key(&clip.id) {
            continue;
        }
        // One clip that cannot be fetched must not keep the player from announcing expiries:
        // it is skipped (and logged) and tried again at the next refresh.
        match load_clip(cfg, clip, &dir).await {
            Ok(pcm) => {
                plan.sounds.insert(clip.id.clone(), pcm);
            }
            Err(e) => tracing::warn!(error = %e, clip = %clip.name, "clip sound not available"),
        }
    }
    Ok(())
}

async fn load_clip(cfg: &PlayerConfig, clip: &AudioClip, dir: &std::path::Path) -> Result<Pcm> {
    let path = cfg.hub.clip_file(clip, dir).await?;
    tokio::task::spawn_blocking(move || -> Result<Pcm> {
        let (frames, channels, rate) = crate::wav::read_frames(&path)?;
        Ok(Pcm::from_interleaved(&frames, channels, rate))
    })
    .await
    .map_err(|e| AudioError::Io(std::io::Error::other(e.to_string())))?
}

fn local_now(plan: &Plan, clock: &Option<Clock>) -> NaiveDateTime {
    let utc = clock.as_ref().map_or_else(chrono::Utc::now, |c| c());
    match plan.tz {
        Some(tz) => utc.with_timezone(&tz).naive_local(),
        None => utc.naive_utc(),
    }
}

async fn on_message(
    cfg: &PlayerConfig,
    shared: &Shared,
    plan: &mut Plan,
    seen: &mut HashSet<String>,
    m: &serde_json::Value,
) -> Result<()> {
    match m["type"].as_str() {
        Some("timer.updated") if m["timer"]["state"] == "expired" => {
            let timer = &m["timer"];
            let key = format!("{}@{}", timer["id"], timer["ends_at"]);
            if !plan.settings.announce_expiry || !seen.insert(key) {
                return Ok(());
            }
            let ends_ms = timer["ends_at"]
                .as_str()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.timestamp_millis());
            if ends_ms
                .is_some_and(|e| chrono::Utc::now().timestamp_millis() - e > ANNOUNCE_WITHIN_MS)
            {
                return Ok(());
            }
            let name = first_name(timer["child_name"].as_str().unwrap_or_default());
            let s = &plan.settings;
            let text = announcement_text(Some(s.template.as_str()), &s.language, &name);
            speak(cfg, shared, plan, text).await
        }
        Some("timer.warning") => {
            let timer = &m["timer"];
            let key = format!("warn:{}@{}", timer["id"], timer["ends_at"]);
            if !plan.settings.announce_expiry || !seen.insert(key) {
                return Ok(());
            }
            let name = timer["child_name"].as_str().unwrap_or_default();
            let minutes = m["minutes_left"].as_i64().unwrap_or(5);
            let text = warning_text(&plan.settings.language, name, minutes);
            speak(cfg, shared, plan, text).await
        }
        Some("announcement") => {
            let a = &m["announcement"];
            let text = free_text(a["text"].as_str().unwrap_or_default());
            if text.is_empty() || !seen.insert(format!("say:{}", a["id"])) {
                return Ok(());
            }
            speak(cfg, shared, plan, text).await
        }
        Some("catalog.changed") if m["entity"].as_str().is_some_and(|e| e.starts_with("audio")) => {
            refresh(cfg, plan).await
        }
        Some("resync") => refresh(cfg, plan).await,
        _ => Ok(()),
    }
}

/// Synthesises and queues an announcement (a child's time, or the desk's message).
async fn speak(cfg: &PlayerConfig, shared: &Shared, plan: &Plan, text: String) -> Result<()> {
    let s = &plan.settings;
    let voice_name = if s.voice.is_empty() {
        default_voice(&s.language).to_string()
    } else {
        s.voice.clone()
    };
    let voice = Voice::new(&voice_name, &cfg.cache_dir.join("speech"));
    let t = text.clone();
    let pcm = tokio::task::spawn_blocking(move || voice.announcement(&t))
        .await
        .map_err(|e| AudioError::Speech(e.to_string()))??;
    let volume = plan::day_part_volume(s, local_now(plan, &cfg.clock).time());
    tracing::info!(%text, volume, "announcing");
    lock(&shared.mixer).enqueue(Item {
        label: text.clone(),
        priority: Priority::Announcement,
        pcm,
        gain: volume as f32 / 100.0,
    });
    lock(&shared.announced).push(text.clone());
    lock(&shared.status).last_announcement = Some(text);
    Ok(())
}

/// Queues every scheduled clip due in (`after`, `now`], unless it is quiet time.
async fn play_due(
    _cfg: &PlayerConfig,
    shared: &Shared,
    plan: &mut Plan,
    after: NaiveDateTime,
    now: NaiveDateTime,
) {
    if plan::is_quiet(&plan.settings, now.time()) {
        return;
    }
    let part = plan::day_part_volume(&plan.settings, now.time()) as f32 / 100.0;
    for s in &plan.schedules {
        if plan::occurrences(s, after, now).is_empty() {
            continue;
        }
        let Some(pcm) = plan.sounds.get(&s.clip_id) else {
            tracing::warn!(schedule = %s.name, "clip sound not available");
            continue;
        };
        tracing::info!(schedule = %s.name, "playing scheduled clip");
        lock(&shared.mixer).enqueue(Item {
            label: s.name.clone(),
            priority: Priority::Scheduled,
            pcm: pcm.clone(),
            gain: part * s.volume as f32 / 100.0,
        });
    }
}

/// Starts, changes or stops the background music to match the settings and quiet hours.
fn update_bed(shared: &Shared, plan: &mut Plan, now: NaiveDateTime) {
    let s = &plan.settings;
    let wanted = s
        .background_clip_id
        .clone()
        .filter(|id| plan.sounds.contains_key(id) && s.background_volume > 0)
        .filter(|_| !plan::is_quiet(s, now.time()));
    // Keyed by clip and level, so a volume change restarts it at the new level.
    let level =
        s.background_volume as f32 / 100.0 * plan::day_part_volume(s, now.time()) as f32 / 100.0;
    let key = wanted.as_ref().map(|id| format!("{id}@{level}"));
    if key == plan.bed {
        return;
    }
    let bed = wanted
        .and_then(|id| plan.sounds.get(&id))
        .map(|pcm| Pcm::new(pcm.samples().iter().map(|x| x * level).collect()));
    lock(&shared.mixer).set_bed(bed);
    plan.bed = key;
}
