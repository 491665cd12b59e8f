//! The visitor counter as a service: a thread that opens the source and the model, runs the
//! detector and tracker on every frame, and sends finished visits and status changes over a
//! channel. It never panics the host: a missing camera or model, or a camera unplugged mid-run,
//! becomes a status with a message and a retry with back-off. The desktop shell and the
//! `kidyboard vision run` command both host it through [`VisionService::start`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kidyboard_core::clock::Millis;
use kidyboard_core::vision::VisionState;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::detector::{DetectorOptions, FaceDetector};
use crate::error::VisionError;
use crate::preview;
use crate::runtime::ModelPaths;
use crate::source::{self, FrameSource, SourceOptions, SourceSpec};
use crate::tracker::{FinishedVisit, Tracker, TrackerOptions};

#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub source: SourceSpec,
    pub source_options: SourceOptions,
    pub model: ModelPaths,
    pub detector: DetectorOptions,
    pub tracker: TrackerOptions,
    /// Keep an annotated JPEG of the latest frame in memory for the installer's preview.
    pub preview: bool,
    /// First and longest wait between retries.
    pub retry_min: Duration,
    pub retry_max: Duration,
}

impl RunnerConfig {
    pub fn new(source: SourceSpec) -> RunnerConfig {
        RunnerConfig {
            source,
            source_options: SourceOptions::default(),
            model: ModelPaths::from_env(),
            detector: DetectorOptions::default(),
            tracker: TrackerOptions::default(),
            preview: false,
            retry_min: Duration::from_secs(1),
            retry_max: Duration::from_secs(30),
        }
    }
}

/// What the runner is doing, for the hub and the admin.
#[derive(Debug, Clone, PartialEq)]
pub struct RunnerStatus {
    pub state: VisionState,
    pub message: String,
    pub source: String,
    pub in_view: u32,
    /// Visitors counted since the runner started.
    pub visitors: u64,
    pub frames: u64,
    pub fps: f64,
    pub last_frame_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunnerEvent {
    /// Visitors who left (or were still in view when the source ended).
    Visits(Vec<FinishedVisit>),
    /// The status changed, or a periodic heartbeat.
    Status(RunnerStatus),
}

struct Shared {
    status: Mutex<RunnerStatus>,
    stop: AtomicBool,
    wake: (Mutex<bool>, Condvar),
    preview: Mutex<Option<Arc<Vec<u8>>>>,
    /// An admin is watching the preview through the hub (see [`PreviewTap`]).
    preview_wanted: AtomicBool,
}

pub struct VisionService;

impl VisionService {
    /// Starts the runner thread. Returns at once; the status says when it is counting.
    pub fn start(config: RunnerConfig) -> VisionHandle {
        let shared = Arc::new(Shared {
            status: Mutex::new(RunnerStatus {
                state: VisionState::Starting,
                message: String::new(),
                source: config.source.to_string(),
                in_view: 0,
                visitors: 0,
                frames: 0,
                fps: 0.0,
                last_frame_at: None,
            }),
            stop: AtomicBool::new(false),
            wake: (Mutex::new(false), Condvar::new()),
            preview: Mutex::new(None),
            preview_wanted: AtomicBool::new(false),
        });
        let (tx, rx) = unbounded_channel();
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("vision-runner".into())
            .spawn(move || {
                Runner {
                    config,
                    shared: thread_shared,
                    events: tx,
                }
                .run()
            })
            .ok();
        VisionHandle {
            shared,
            thread,
            events: Some(rx),
        }
    }
}

/// The host's side of a running counter.
pub struct VisionHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    events: Option<UnboundedReceiver<RunnerEvent>>,
}

impl VisionHandle {
    pub fn status(&self) -> RunnerStatus {
        lock(&self.shared.status).clone()
    }

    /// The events (visits, status); can be taken once.
    pub fn take_events(&mut self) -> Option<UnboundedReceiver<RunnerEvent>> {
        self.events.take()
    }

    /// The latest annotated frame as JPEG, when the preview is on. In memory only.
    pub fn preview_jpeg(&self) -> Option<Arc<Vec<u8>>> {
        lock(&self.shared.preview).clone()
    }

    /// The hub's side of the preview: whether someone watches, and the latest frame to send.
    pub fn preview_tap(&self) -> PreviewTap {
        PreviewTap {
            shared: self.shared.clone(),
        }
    }

    /// Cuts the current back-off short (the admin pressed "retry").
    pub fn retry_now(&self) {
        let (flag, cv) = &self.shared.wake;
        *lock(flag) = true;
        cv.notify_all();
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Stops the runner and waits for it (in-view visitors are sent as finished visits).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.retry_now();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for VisionHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The preview as the hub relays it: frames are drawn only while an admin watches (the hub says
/// so in its answers), kept in memory only, and dropped when nobody does.
#[derive(Clone)]
pub struct PreviewTap {
    shared: Arc<Shared>,
}

impl PreviewTap {
    /// Whether an admin is watching; when they stop, the last frame is forgotten.
    pub fn want(&self, wanted: bool) {
        let was = self.shared.preview_wanted.swap(wanted, Ordering::SeqCst);
        if was && !wanted {
            *lock(&self.shared.preview) = None;
        }
    }

    pub fn wanted(&self) -> bool {
        self.shared.preview_wanted.load(Ordering::SeqCst)
    }

    /// The latest annotated frame (JPEG), if one was drawn.
    pub fn latest(&self) -> Option<Arc<Vec<u8>>> {
        lock(&self.shared.preview).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// How often a status heartbeat is sent while counting.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// How often the preview JPEG is refreshed.
const PREVIEW_EVERY: Duration = Duration::from_millis(200);

struct Runner {
    config: RunnerConfig,
    shared: Arc<Shared>,
    events: UnboundedSender<RunnerEvent>,
}

enum Ended {
    /// The file or folder was read to its end.
    Finished,
    Stopped,
    /// Worth another try after a pause (state and message already set); `counted` when frames
    /// were read before the failure.
    Retry {
        counted: bool,
    },
}

impl Runner {
    fn stopping(&self) -> bool {
        self.shared.stop.load(Ordering::SeqCst)
    }

    fn set(&self, state: VisionState, message: impl Into<String>) {
        let snapshot = {
            let mut s = lock(&self.shared.status);
            s.state = state;
            s.message = message.into();
            if state != VisionState::Ok {
                s.in_view = 0;
                s.fps = 0.0;
            }
            s.clone()
        };
        match state {
            VisionState::Ok
            | VisionState::Starting
            | VisionState::Finished
            | VisionState::Stopped => {
                tracing::info!(state = state.as_str(), "vision: {}", snapshot.message)
            }
            _ => tracing::warn!(state = state.as_str(), "vision: {}", snapshot.message),
        }
        let _ = self.events.send(RunnerEvent::Status(snapshot));
    }

    fn fail(&self, e: &VisionError) {
        self.set(e.state(), e.to_string());
    }

    /// Waits `d` or until stopped or asked to retry now.
    fn pause(&self, d: Duration) {
        let (flag, cv) = &self.shared.wake;
        let mut woken = lock(flag);
        let deadline = Instant::now() + d;
        while !*woken && !self.stopping() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            woken = cv
                .wait_timeout(woken, left)
                .map(|r| r.0)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        *woken = false;
    }

    fn run(self) {
        let mut backoff = self.config.retry_min;
        let mut tracker = Tracker::new(self.config.tracker);
        let mut detector: Option<FaceDetector> = None;
        loop {
            if self.stopping() {
                break;
            }
            let ended = self.attempt(
                &mut detector,
                &mut tracker,
                backoff == self.config.retry_min,
            );
            let left = tracker.finish();
            if !left.is_empty() {
                let _ = self.events.send(RunnerEvent::Visits(left));
            }
            match ended {
                Ended::Finished => {
                    self.set(
                        VisionState::Finished,
                        "the source ended; every visit was counted",
                    );
                    return;
                }
                Ended::Stopped => break,
                Ended::Retry { counted } => {
                    // A camera that worked for a while and then failed is retried quickly again.
                    if counted {
                        backoff = self.config.retry_min;
                    }
                    self.pause(backoff);
                    backoff = (backoff * 2).min(self.config.retry_max);
                }
            }
        }
        self.set(VisionState::Stopped, "stopped");
    }

    /// One go: load the model if needed, open the source, count until it ends or fails.
    fn attempt(
        &self,
        detector: &mut Option<FaceDetector>,
        tracker: &mut Tracker,
        first: bool,
    ) -> Ended {
        // Retries keep showing the error the admin must act on rather than flashing "starting".
        if first {
            self.set(
                VisionState::Starting,
                format!("opening {}", self.config.source),
            );
        }
        if detector.is_none() {
            match FaceDetector::load(&self.config.model, self.config.detector) {
                Ok(d) => *detector = Some(d),
                Err(e) => {
                    self.fail(&e);
                    return Ended::Retry { counted: false };
                }
            }
        }
        let Some(det) = detector.as_mut() else {
            return Ended::Retry { counted: false };
        };
        let mut source: Box<dyn FrameSource> =
            match source::open(&self.config.source, &self.config.source_options) {
                Ok(s) => s,
                Err(e) => {
                    self.fail(&e);
                    return Ended::Retry { counted: false };
                }
            };
        self.set(
            VisionState::Ok,
            format!("counting visitors from {}", self.config.source),
        );
        let mut last_heartbeat = Instant::now();
        let mut last_preview: Option<Instant> = None;
        let mut last_frame = Instant::now();
        let mut counted = false;
        loop {
            if self.stopping() {
                return Ended::Stopped;
            }
            let frame = match source.next_frame() {
                Ok(Some(f)) => {
                    counted = true;
                    f
                }
                Ok(None) => return Ended::Finished,
                Err(e) => {
                    let state = if self.config.source.is_live() {
                        VisionState::Unplugged
                    } else {
                        e.state()
                    };
                    self.set(state, format!("{e} — retrying"));
                    return Ended::Retry { counted };
                }
            };
            let faces = match det.detect(&frame) {
                Ok(f) => f,
                Err(e) => {
                    self.fail(&e);
                    return Ended::Retry { counted };
                }
            };
            let left = tracker.update(&faces, frame.captured_at);
            if !left.is_empty() {
                let _ = self.events.send(RunnerEvent::Visits(left));
            }
            let drawing = self.config.preview || self.shared.preview_wanted.load(Ordering::SeqCst);
            if drawing && last_preview.is_none_or(|t| t.elapsed() >= PREVIEW_EVERY) {
                last_preview = Some(Instant::now());
                if let Some(jpeg) = preview::annotate(&frame, &faces, tracker) {
                    *lock(&self.shared.preview) = Some(Arc::new(jpeg));
                }
            }
            let now = Instant::now();
            let dt = now.duration_since(last_frame).as_secs_f64();
            last_frame = now;
            let heartbeat = {
                let mut s = lock(&self.shared.status);
                s.frames += 1;
                s.in_view = tracker.in_view() as u32;
                s.visitors = tracker.visitors();
                s.last_frame_at = Some(frame.captured_at);
                if dt > 0.0 {
                    let inst = 1.0 / dt;
                    s.fps = if s.fps == 0.0 {
                        inst
                    } else {
                        0.9 * s.fps + 0.1 * inst
                    };
                }
                (last_heartbeat.elapsed() >= HEARTBEAT).then(|| s.clone())
            };
            if let Some(snapshot) = heartbeat {
                last_heartbeat = Instant::now();
                let _ = self.events.send(RunnerEvent::Status(snapshot));
            }
            // The frame is dropped here: nothing of it outlives this iteration.
        }
    }
}
