//! The parts the shell hosts beside the window: the speaker player (`kidyboard-audio`, timer
//! announcements and scheduled clips) and the visitor counter (`kidyboard-vision`, the totem's
//! camera). Each is switched on by its table in `device.toml` and signs in to the store's hub
//! with the device account named there, exactly as `kidyboard audio run` / `kidyboard vision run`
//! do. A hub that is not reachable yet, a refused account, a missing sound card or camera: each
//! is a status (shown by `shell_info`) and a retry, never a failure of the shell.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kidyboard_audio::{OutputChoice, PlayerConfig, PlayerHandle};
use kidyboard_vision::spool::Spool;
use kidyboard_vision::{ModelPaths, RunnerConfig, SourceSpec, VisionHandle, VisionService};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// The `[audio]` table: this device owns the store's speakers.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AudioTable {
    /// A staff account allowed to follow the timers (e.g. `monitor` or `recepcion`).
    pub user: String,
    pub password: String,
    /// The output device's name (`kidyboard audio devices`); the system's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Render everything into this WAV file instead of a sound card (installers' checks, tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wav: Option<PathBuf>,
    /// How the player appears in the admin's audio status (default: the host name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The `[vision]` table: this device counts visitors with its camera.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VisionTable {
    /// A `totem` account.
    pub user: String,
    pub password: String,
    /// `camera`, `camera:INDEX`, `camera:NAME`, `file:VIDEO` or `dir:FOLDER`.
    #[serde(default = "default_source")]
    pub source: String,
    /// This camera's name in the reports.
    #[serde(default = "default_device_id")]
    pub device_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fps: Option<u32>,
    /// The face model and ONNX Runtime library; the set-up directory's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ort_lib: Option<PathBuf>,
}

fn default_source() -> String {
    "camera".into()
}

fn default_device_id() -> String {
    "totem".into()
}

// Passwords stay out of logs.
impl std::fmt::Debug for AudioTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioTable")
            .field("user", &self.user)
            .field("device", &self.device)
            .field("wav", &self.wav)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for VisionTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisionTable")
            .field("user", &self.user)
            .field("source", &self.source)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// One part's state as the page sees it (`shell_info().parts`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PartInfo {
    /// `signing_in` (waiting for the hub or the account), `stopped`, or the part's own state:
    /// the player's `ok` / `no_device` / `error`, the counter's `starting` / `ok` /
    /// `no_camera` / … (see `VisionState`).
    pub state: String,
    /// What a person should know: the last error, or what the part is using.
    pub message: String,
    /// Audio: following the hub's live feed. Vision: counting frames.
    pub connected: bool,
    /// Audio: the last phrase announced. Vision: visitors counted since the start.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct PartsInfo {
    pub audio: Option<PartInfo>,
    pub vision: Option<PartInfo>,
}

/// What a part is doing right now.
enum Phase<H> {
    SigningIn(String),
    Running(H),
    Stopped(String),
}

struct Slot<H>(Mutex<Phase<H>>);

impl<H> Slot<H> {
    fn new() -> Arc<Slot<H>> {
        Arc::new(Slot(Mutex::new(Phase::SigningIn(String::new()))))
    }

    fn set(&self, phase: Phase<H>) -> Option<H> {
        match std::mem::replace(&mut *lock(&self.0), phase) {
            Phase::Running(h) => Some(h),
            _ => None,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The running parts; [`Parts::stop`] ends them (a WAV output is complete afterwards).
pub struct Parts {
    stop: watch::Sender<bool>,
    audio: Option<Arc<Slot<PlayerHandle>>>,
    vision: Option<Arc<Slot<VisionHandle>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// The longest wait between two sign-in attempts.
const RETRY_MAX: Duration = Duration::from_secs(30);

impl Parts {
    /// Starts the parts the tables ask for against the hub at `hub_url`; `cache_dir` keeps
    /// rendered speech and downloaded clips, `data_dir` the visits the hub has not taken yet.
    /// Must run inside the async runtime.
    pub fn start(
        hub_url: &str,
        audio: Option<&AudioTable>,
        vision: Option<&VisionTable>,
        cache_dir: &Path,
        data_dir: &Path,
    ) -> Parts {
        let (stop, stopped) = watch::channel(false);
        let mut parts = Parts {
            stop,
            audio: None,
            vision: None,
            tasks: Vec::new(),
        };
        if let Some(table) = audio {
            let slot = Slot::new();
            parts.audio = Some(slot.clone());
            parts.tasks.push(tokio::spawn(run_audio(
                hub_url.to_string(),
                table.clone(),
                cache_dir.join("audio"),
                slot,
                stopped.clone(),
            )));
        }
        if let Some(table) = vision {
            let slot = Slot::new();
            parts.vision = Some(slot.clone());
            parts.tasks.push(tokio::spawn(run_vision(
                hub_url.to_string(),
                table.clone(),
                Spool::for_device(data_dir, &table.device_id),
                slot,
                stopped,
            )));
        }
        parts
    }

    pub fn info(&self) -> PartsInfo {
        PartsInfo {
            audio: self.audio.as_ref().map(|s| match &*lock(&s.0) {
                Phase::SigningIn(e) => signing_in(e),
                Phase::Stopped(why) => stopped(why),
                Phase::Running(player) => {
                    let st = player.status();
                    PartInfo {
                        message: st.last_error.clone().unwrap_or(st.output.clone()),
                        state: st.state,
                        connected: st.connected,
                        detail: st.last_announcement,
                    }
                }
            }),
            vision: self.vision.as_ref().map(|s| match &*lock(&s.0) {
                Phase::SigningIn(e) => signing_in(e),
                Phase::Stopped(why) => stopped(why),
                Phase::Running(counter) => {
                    let st = counter.status();
                    PartInfo {
                        state: st.state.as_str().into(),
                        message: if st.message.is_empty() {
                            st.source
                        } else {
                            st.message
                        },
                        connected: st.frames > 0,
                        detail: Some(format!("{} visitantes", st.visitors)),
                    }
                }
            }),
        }
    }

    /// Stops every part and waits for it to close its output, camera and deliveries.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .is_err()
            {
                tracing::warn!("a part did not stop within 10 s");
            }
        }
    }
}

fn signing_in(error: &str) -> PartInfo {
    PartInfo {
        state: "signing_in".into(),
        message: if error.is_empty() {
            "Conectando con el hub…".into()
        } else {
            error.into()
        },
        connected: false,
        detail: None,
    }
}

fn stopped(why: &str) -> PartInfo {
    PartInfo {
        state: "stopped".into(),
        message: why.into(),
        connected: false,
        detail: None,
    }
}

/// Returns once the parts are told to stop (or the sender is gone).
async fn until_stopped(stopped: &mut watch::Receiver<bool>) {
    // The borrow `wait_for` returns is not `Send`: drop it here, not across the caller's awaits.
    let _ = stopped.wait_for(|s| *s).await.is_ok();
}

/// Signs in until it works or the parts stop (`None`), with back-off; each failure is shown.
async fn sign_in<H, T, E, Fut>(
    mut attempt: impl FnMut() -> Fut,
    slot: &Slot<H>,
    stopped: &mut watch::Receiver<bool>,
) -> Option<T>
where
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let mut wait = Duration::from_secs(1);
    loop {
        if *stopped.borrow() {
            return None;
        }
        match attempt().await {
            Ok(client) => return Some(client),
            Err(e) => {
                tracing::warn!(error = %e, "a part could not sign in to the hub; retrying");
                slot.set(Phase::SigningIn(format!(
                    "No se pudo iniciar sesión en el hub: {e}"
                )));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped.changed() => return None,
        }
        wait = (wait * 2).min(RETRY_MAX);
    }
}

async fn run_audio(
    hub: String,
    table: AudioTable,
    cache_dir: PathBuf,
    slot: Arc<Slot<PlayerHandle>>,
    mut stopped: watch::Receiver<bool>,
) {
    use kidyboard_audio::hub_client::HubClient;
    let Some(client) = sign_in(
        || HubClient::login(&hub, &table.user, &table.password),
        &slot,
        &mut stopped,
    )
    .await
    else {
        slot.set(Phase::Stopped(String::new()));
        return;
    };
    let player = kidyboard_audio::player::start(PlayerConfig {
        hub: client,
        name: kidyboard_audio::player::default_name(table.name.clone()),
        output: OutputChoice::from_settings(table.wav.clone(), table.device.clone()),
        cache_dir,
        mixer: Default::default(),
        clock: None,
    });
    tracing::info!(output = %player.status().output, "speaker player started");
    slot.set(Phase::Running(player));
    until_stopped(&mut stopped).await;
    if let Some(player) = slot.set(Phase::Stopped(String::new())) {
        if let Err(e) = player.stop().await {
            tracing::warn!(error = %e, "closing the audio output");
        }
    }
}

async fn run_vision(
    hub: String,
    table: VisionTable,
    spool: Spool,
    slot: Arc<Slot<VisionHandle>>,
    mut stopped: watch::Receiver<bool>,
) {
    use kidyboard_vision::hub::{forward, HubClient};
    let source: SourceSpec = match table.source.parse() {
        Ok(s) => s,
        Err(e) => {
            slot.set(Phase::Stopped(format!(
                "La cámara configurada no es válida ({}): {e}",
                table.source
            )));
            return;
        }
    };
    let Some(client) = sign_in(
        || HubClient::login(&hub, &table.user, &table.password),
        &slot,
        &mut stopped,
    )
    .await
    else {
        slot.set(Phase::Stopped(String::new()));
        return;
    };
    let mut config = RunnerConfig::new(source);
    let defaults = ModelPaths::from_env();
    config.model = ModelPaths {
        ort_lib: table.ort_lib.clone().unwrap_or(defaults.ort_lib),
        model: table.model.clone().unwrap_or(defaults.model),
    };
    let o = &mut config.source_options;
    o.width = table.width.unwrap_or(o.width);
    o.height = table.height.unwrap_or(o.height);
    o.fps = table.fps.unwrap_or(o.fps);
    let mut counter = VisionService::start(config);
    let Some(events) = counter.take_events() else {
        slot.set(Phase::Stopped("el contador no dio sus eventos".into()));
        return;
    };
    let tap = counter.preview_tap();
    slot.set(Phase::Running(counter));
    let mut delivery = tokio::spawn(forward(
        events,
        client,
        table.device_id.clone(),
        Some(spool),
        Some(tap),
    ));
    let delivered = tokio::select! {
        d = &mut delivery => d,
        _ = until_stopped(&mut stopped) => {
            // Stopping the counter sends who is still in view and closes the events, which
            // lets the delivery finish.
            if let Some(counter) = slot.set(Phase::Stopped(String::new())) {
                let _ = tokio::task::spawn_blocking(move || counter.stop()).await;
            }
            delivery.await
        }
    };
    let summary = match delivered {
        Ok(d) => format!(
            "Visitas entregadas: {}; rechazadas: {}; sin entregar: {}",
            d.visits, d.refused, d.undelivered
        ),
        Err(e) => format!("la entrega de visitas falló: {e}"),
    };
    tracing::info!(%summary, "visitor counter ended");
    // A folder or video that ran out ends here; the summary stays visible.
    drop(slot.set(Phase::Stopped(summary)));
}
