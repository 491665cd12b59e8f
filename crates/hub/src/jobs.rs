//! Background jobs: long exports (menu PDF/MP4, later reports) run on a blocking thread, at most
//! a few at once, while their progress is pushed over the live feed (`job.progress`) to the
//! job's owner and to admins. The finished file waits in `<data-dir>/exports` for download;
//! only the newest few are kept, and everything there is cleared at start (jobs live in memory).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use kidyboard_core::clock::{self, now_ms};
use serde::Serialize;
use tokio::sync::Semaphore;
use utoipa::ToSchema;

use crate::live::{LiveFeed, LiveMessage};

/// Finished jobs (and their files) kept for download; older ones are forgotten and deleted.
const KEEP_FINISHED: usize = 20;
/// A finished file is deleted after this long even when fewer than `KEEP_FINISHED` exist.
const KEEP_FOR: Duration = Duration::from_secs(24 * 3600);
/// Progress pushes per job are spaced at least this far apart (the last one always goes out).
const PUSH_EVERY: Duration = Duration::from_millis(150);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a free export slot.
    Queued,
    Running,
    Done,
    Failed,
    /// Stopped on request before it finished; nothing to download.
    Cancelled,
}

impl JobState {
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Cancelled
        )
    }
}

/// Why a job failed, in the same shape as API errors.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct JobFailure {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl JobFailure {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        JobFailure {
            code: code.into(),
            message: message.into(),
            field: None,
        }
    }
}

/// A job as clients see it (`GET /api/v1/jobs/{id}` and the `job.progress` message).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobStatus {
    pub id: String,
    /// What the job makes, e.g. `menu.pdf`.
    pub kind: String,
    pub state: JobState,
    /// 0 to 1.
    pub progress: f32,
    /// What the job is busy with (e.g. `frames`), for people watching.
    pub stage: String,
    /// The download's file name.
    pub file_name: String,
    pub content_type: String,
    /// Size of the finished file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Facts about the result (pages, duration…), when the work reported some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<JobFailure>,
    /// User id of whoever started it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}

/// What a job's work is handed: where to write its file, a way to report progress, and a flag
/// raised when someone cancels the job (long work should check it and stop).
pub struct JobContext<'a> {
    pub out: &'a Path,
    pub cancel: &'a AtomicBool,
    report: &'a mut dyn FnMut(f32, &str),
}

impl JobContext<'_> {
    /// Reports `fraction` (0..1) done, busy with `stage`.
    pub fn progress(&mut self, fraction: f32, stage: &str) {
        (self.report)(fraction.clamp(0.0, 1.0), stage)
    }
}

/// The work: writes the file at `ctx.out`, answers an optional summary.
pub type JobWork =
    Box<dyn FnOnce(&mut JobContext<'_>) -> Result<Option<serde_json::Value>, JobFailure> + Send>;

struct Entry {
    status: JobStatus,
    path: PathBuf,
    finished: Option<Instant>,
    cancel: Arc<AtomicBool>,
}

/// What work answers when it saw the cancel flag.
pub const CANCELLED: &str = "cancelled";

/// The hub's jobs, shared through `AppState`.
#[derive(Clone)]
pub struct Jobs {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    dir: PathBuf,
    slots: Arc<Semaphore>,
    live: LiveFeed,
}

impl Jobs {
    /// Jobs writing into `dir` (emptied now: a restart forgets every job), running at most
    /// `parallel` at once.
    pub fn new(dir: PathBuf, parallel: usize, live: LiveFeed) -> Jobs {
        if dir.exists() {
            if let Err(e) = std::fs::remove_dir_all(&dir) {
                tracing::warn!(error = %e, dir = %dir.display(), "could not clear old exports");
            }
        }
        Jobs {
            entries: Arc::default(),
            dir,
            slots: Arc::new(Semaphore::new(parallel.max(1))),
            live,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `work`; answers the job as it starts (queued). Needs a tokio runtime.
    pub fn start(
        &self,
        kind: &str,
        owner: Option<String>,
        file_name: String,
        content_type: &str,
        work: JobWork,
    ) -> JobStatus {
        let id = kidyboard_core::ids::new_id();
        let path = self
            .dir
            .join(format!("{id}-{}", safe_file_name(&file_name)));
        let cancel = Arc::new(AtomicBool::new(false));
        let status = JobStatus {
            id: id.clone(),
            kind: kind.to_string(),
            state: JobState::Queued,
            progress: 0.0,
            stage: "queued".into(),
            file_name,
            content_type: content_type.to_string(),
            bytes: None,
            summary: None,
            error: None,
            owner,
            created_at: clock::to_rfc3339(now_ms()),
            finished_at: None,
        };
        self.lock().insert(
            id.clone(),
            Entry {
                status: status.clone(),
                path: path.clone(),
                finished: None,
                cancel: cancel.clone(),
            },
        );
        self.push(&status);
        let jobs = self.clone();
        tokio::spawn(async move { jobs.run(id, path, cancel, work).await });
        status
    }

    async fn run(self, id: String, path: PathBuf, cancel: Arc<AtomicBool>, work: JobWork) {
        let Ok(_permit) = self.slots.clone().acquire_owned().await else {
            return;
        };
        if cancel.load(Ordering::Relaxed) {
            // Cancelled while queued: already marked, never started.
            self.prune();
            return;
        }
        self.update(&id, |s| {
            s.state = JobState::Running;
            s.stage = "starting".into();
        });
        let jobs = self.clone();
        let job_id = id.clone();
        let out = path.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            if let Some(parent) = out.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| JobFailure::new("io", format!("exports folder: {e}")))?;
            }
            let mut last = Instant::now();
            let mut last_stage = String::new();
            let mut report = |fraction: f32, stage: &str| {
                // Remember every report, but push only a new stage or every PUSH_EVERY.
                let push = stage != last_stage || last.elapsed() >= PUSH_EVERY;
                if push {
                    last = Instant::now();
                    stage.clone_into(&mut last_stage);
                }
                jobs.update_quietly(&job_id, push, |s| {
                    s.progress = fraction;
                    s.stage = stage.to_string();
                });
            };
            let mut ctx = JobContext {
                out: &out,
                cancel: &cancel,
                report: &mut report,
            };
            work(&mut ctx)
        })
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "export job panicked");
            Err(JobFailure::new("internal", "ocurrió un error interno"))
        });
        let finished = Some(clock::to_rfc3339(now_ms()));
        match outcome {
            Ok(summary) => {
                let bytes = std::fs::metadata(&path).map(|m| m.len()).ok();
                self.update(&id, |s| {
                    s.state = JobState::Done;
                    s.progress = 1.0;
                    s.stage = "done".into();
                    s.bytes = bytes;
                    s.summary = summary;
                    s.finished_at = finished;
                });
            }
            Err(failure) if failure.code == CANCELLED => {
                let _ = std::fs::remove_file(&path);
                self.update(&id, |s| {
                    s.state = JobState::Cancelled;
                    s.stage = "cancelled".into();
                    s.finished_at = finished;
                });
            }
            Err(failure) => {
                let _ = std::fs::remove_file(&path);
                tracing::warn!(job = %id, code = %failure.code, "job failed: {}", failure.message);
                self.update(&id, |s| {
                    s.state = JobState::Failed;
                    s.stage = "failed".into();
                    s.error = Some(failure);
                    s.finished_at = finished;
                });
            }
        }
        self.prune();
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut JobStatus)) {
        self.update_quietly(id, true, f)
    }

    fn update_quietly(&self, id: &str, push: bool, f: impl FnOnce(&mut JobStatus)) {
        let snapshot = {
            let mut entries = self.lock();
            let Some(e) = entries.get_mut(id) else {
                return;
            };
            f(&mut e.status);
            if e.status.state.is_finished() {
                e.finished.get_or_insert_with(Instant::now);
            }
            e.status.clone()
        };
        if push {
            self.push(&snapshot);
        }
    }

    fn push(&self, status: &JobStatus) {
        self.live.publish(LiveMessage::JobProgress {
            job: Box::new(status.clone()),
        });
    }

    /// Forgets finished jobs older than `KEEP_FOR` or beyond the newest `KEEP_FINISHED`, and
    /// deletes their files. Runs after every job, so old files go as new work arrives.
    fn prune(&self) {
        let doomed: Vec<PathBuf> = {
            let mut entries = self.lock();
            // Ids are ULIDs: sorting them sorts by creation time, oldest first.
            let mut finished: Vec<(String, bool)> = entries
                .values()
                .filter_map(|e| {
                    e.finished
                        .map(|at| (e.status.id.clone(), at.elapsed() > KEEP_FOR))
                })
                .collect();
            finished.sort();
            let excess = finished.len().saturating_sub(KEEP_FINISHED);
            finished
                .into_iter()
                .enumerate()
                .filter(|(i, (_, expired))| *i < excess || *expired)
                .filter_map(|(_, (id, _))| entries.remove(&id).map(|e| e.path))
                .collect()
        };
        for p in doomed {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Asks a queued or running job to stop; a queued one is cancelled at once. Answers the
    /// job's status (unchanged when it had already finished).
    pub fn cancel(&self, id: &str) -> Option<JobStatus> {
        let queued = {
            let entries = self.lock();
            let e = entries.get(id)?;
            if e.status.state.is_finished() {
                return Some(e.status.clone());
            }
            e.cancel.store(true, Ordering::Relaxed);
            e.status.state == JobState::Queued
        };
        if queued {
            let finished = Some(clock::to_rfc3339(now_ms()));
            self.update(id, |s| {
                s.state = JobState::Cancelled;
                s.stage = "cancelled".into();
                s.finished_at = finished;
            });
        }
        self.get(id)
    }

    pub fn get(&self, id: &str) -> Option<JobStatus> {
        self.lock().get(id).map(|e| e.status.clone())
    }

    /// The finished file of a done job.
    pub fn file(&self, id: &str) -> Option<(JobStatus, PathBuf)> {
        let entries = self.lock();
        let e = entries.get(id)?;
        (e.status.state == JobState::Done).then(|| (e.status.clone(), e.path.clone()))
    }
}

/// A name safe to use as (part of) a file name and in `Content-Disposition`.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let trimmed = cleaned.trim_matches('.');
    if trimmed.is_empty() {
        "export".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape_the_folder() {
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name("Menú pared.pdf"), "Menú_pared.pdf");
        assert_eq!(safe_file_name(".."), "export");
    }

    #[tokio::test]
    async fn a_job_reports_progress_and_keeps_its_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let live = LiveFeed::default();
        let mut rx = live.subscribe();
        let jobs = Jobs::new(dir.path().join("exports"), 1, live);
        let started = jobs.start(
            "test.txt",
            Some("u1".into()),
            "hola.txt".into(),
            "text/plain",
            Box::new(|ctx| {
                ctx.progress(0.5, "writing");
                std::fs::write(ctx.out, b"hola")
                    .map_err(|e| JobFailure::new("io", e.to_string()))?;
                Ok(Some(serde_json::json!({ "lines": 1 })))
            }),
        );
        assert_eq!(started.state, JobState::Queued);
        let mut states = Vec::new();
        while let Ok(Ok(p)) = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            let json = p
                .for_role(kidyboard_core::Role::SuperAdmin)
                .expect("admins see job progress");
            let v: serde_json::Value = serde_json::from_str(json).expect("json");
            assert_eq!(v["type"], "job.progress");
            states.push(v["job"]["state"].as_str().unwrap_or("").to_string());
            if v["job"]["state"] == "done" {
                break;
            }
        }
        assert_eq!(states.first().map(String::as_str), Some("queued"));
        assert_eq!(
            states.last().map(String::as_str),
            Some("done"),
            "{states:?}"
        );
        let (status, path) = jobs.file(&started.id).expect("a done job has a file");
        assert_eq!(std::fs::read(path).expect("file"), b"hola");
        assert_eq!(status.bytes, Some(4));
        assert_eq!(status.summary, Some(serde_json::json!({ "lines": 1 })));
    }

    #[tokio::test]
    async fn a_running_job_stops_when_cancelled_and_a_queued_one_never_starts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let jobs = Jobs::new(dir.path().join("exports"), 1, LiveFeed::default());
        let slow: JobWork = Box::new(|ctx| {
            while !ctx.cancel.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(JobFailure::new(CANCELLED, "stopped"))
        });
        let running = jobs.start("t", None, "a.txt".into(), "text/plain", slow);
        let queued = jobs.start(
            "t",
            None,
            "b.txt".into(),
            "text/plain",
            Box::new(|_| panic!("a job cancelled while queued must never run")),
        );
        for _ in 0..200 {
            if jobs
                .get(&running.id)
                .is_some_and(|s| s.state == JobState::Running)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            jobs.cancel(&queued.id).map(|s| s.state),
            Some(JobState::Cancelled)
        );
        jobs.cancel(&running.id);
        for _ in 0..300 {
            if jobs.get(&running.id).is_some_and(|s| s.state.is_finished()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            jobs.get(&running.id).map(|s| s.state),
            Some(JobState::Cancelled)
        );
        assert!(jobs.file(&running.id).is_none());
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            jobs.get(&queued.id).map(|s| s.state),
            Some(JobState::Cancelled)
        );
    }

    #[tokio::test]
    async fn a_failed_job_keeps_its_error_and_no_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let jobs = Jobs::new(dir.path().join("exports"), 1, LiveFeed::default());
        let started = jobs.start(
            "test.txt",
            None,
            "x.txt".into(),
            "text/plain",
            Box::new(|_| Err(JobFailure::new("invalid_design", "mal"))),
        );
        for _ in 0..200 {
            if jobs
                .get(&started.id)
                .is_some_and(|s| s.state == JobState::Failed)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let s = jobs.get(&started.id).expect("job");
        assert_eq!(s.state, JobState::Failed);
        assert_eq!(s.error.map(|e| e.code), Some("invalid_design".into()));
        assert!(
            jobs.file(&started.id).is_none(),
            "a failed job has nothing to download"
        );
    }
}
