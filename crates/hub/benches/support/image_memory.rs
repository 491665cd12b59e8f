//! Peak memory of the real `kidyboard` binary while four picture bombs are uploaded at once,
//! beside baselines measured in the same run: the idle hub and one ordinary photo. Each case
//! runs in a fresh hub process, so its VmHWM (the kernel's high-water mark of resident memory,
//! from /proc/<pid>/status) is that case's peak and nothing else's.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use kidyboard_testkit::bombs::{flat_png, ColorType};

const PHOTO: &[u8] = include_bytes!("../../../images/tests/data/chelsea.png");
const TARGET_MB: f64 = 500.0;

/// A hub process on a temp data dir with the demo users; killed when dropped.
struct HubProcess {
    child: Child,
    base: String,
    dir: tempfile::TempDir,
}

impl HubProcess {
    fn start() -> HubProcess {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut hub = Command::new(env!("CARGO_BIN_EXE_kidyboard"));
        hub.arg("--data-dir")
            .arg(dir.path())
            .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
            .env("KIDYBOARD_BACKUP_INTERVAL_MINUTES", "0")
            .env("RUST_LOG", "warn");
        let (child, base) = kidyboard_testkit::process::spawn_announcing(hub);
        HubProcess { child, base, dir }
    }

    /// (current RSS, peak RSS) in MB.
    fn memory_mb(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(f64::NAN, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    async fn admin_token(&self) -> String {
        crate::login(&self.base, "admin").await
    }

    /// Uploads every body at once; answers the statuses and how long the slowest took.
    async fn upload_all(&self, bodies: Vec<Vec<u8>>) -> (Vec<u16>, Duration) {
        let token = self.admin_token().await;
        let http = reqwest::Client::new();
        let started = Instant::now();
        let uploads = bodies.into_iter().map(|body| {
            http.post(format!("{}/api/v1/images", self.base))
                .bearer_auth(&token)
                .header("content-type", "application/octet-stream")
                .body(body)
                .send()
        });
        let answers = futures_util::future::join_all(uploads).await;
        let statuses = answers
            .into_iter()
            .map(|a| a.map(|r| r.status().as_u16()).unwrap_or(0))
            .collect();
        (statuses, started.elapsed())
    }

    /// Waits (up to `limit`) until `count` variant files exist: the background preparation
    /// that follows an accepted upload is part of what it costs.
    async fn wait_for_variants(&self, count: usize, limit: Duration) -> Duration {
        let started = Instant::now();
        while files_under(&self.dir.path().join("images/variants")) < count
            && started.elapsed() < limit
        {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        started.elapsed()
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn files_under(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                usize::from(path.extension().is_some_and(|x| x != "tmp"))
            }
        })
        .sum()
}

fn row(label: &str, (rss, peak): (f64, f64), note: &str) {
    println!("  {label:<52} peak {peak:>6.0} MB  now {rss:>6.0} MB  {note}");
}

fn variants_of(width: u32) -> usize {
    kidyboard_images::variants::widths_for(width).len() * kidyboard_images::Format::ALL.len()
}

/// Prints the figures and answers the bombs' peak in MB.
pub async fn run() -> f64 {
    println!("\nPicture bombs: peak memory of the real hub process (VmHWM), uploads at once:");
    let idle = HubProcess::start();
    let _ = idle.admin_token().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    row("baseline: idle hub", idle.memory_mb(), "");
    drop(idle);

    let photo = HubProcess::start();
    let (statuses, took) = photo.upload_all(vec![PHOTO.to_vec()]).await;
    let prepared = photo
        .wait_for_variants(variants_of(451), Duration::from_secs(120))
        .await;
    row(
        "baseline: one photo (451×300 PNG) + its variants",
        photo.memory_mb(),
        &format!("{statuses:?} in {took:.1?}, variants {prepared:.1?}"),
    );
    drop(photo);

    let bombs: Vec<Vec<u8>> = (0..4u8)
        .map(|i| flat_png(7071, ColorType::Rgb, 40 + i, 0))
        .collect();
    let size_kb = bombs[0].len() / 1024;
    let hub = HubProcess::start();
    let (statuses, took) = hub.upload_all(bombs).await;
    let bomb_memory = hub.memory_mb();
    row(
        &format!("4 × {size_kb} KB PNG bombs of 7071×7071 (50 MP)"),
        bomb_memory,
        &format!("{statuses:?} in {took:.1?}"),
    );
    drop(hub);

    // The worst a bomb can do once padded past the proportion check: 4 × 50 MP accepted,
    // decoded, and every variant made, under the shared decode budget.
    let padded: Vec<Vec<u8>> = (0..4u8)
        .map(|i| flat_png(7071, ColorType::Rgb, 80 + i, 600_000))
        .collect();
    let size_kb = padded[0].len() / 1024;
    let hub = HubProcess::start();
    let (statuses, took) = hub.upload_all(padded).await;
    let after_upload = hub.memory_mb();
    let prepared = hub
        .wait_for_variants(4 * variants_of(7071), Duration::from_secs(600))
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    row(
        &format!("4 × {size_kb} KB padded 50 MP PNGs: uploads"),
        after_upload,
        &format!("{statuses:?} in {took:.1?}"),
    );
    row(
        "  … and every variant of them made",
        hub.memory_mb(),
        &format!("in {prepared:.0?}"),
    );
    drop(hub);
    bomb_memory.1
}

/// One line for the targets summary.
pub fn verdict_line(bomb_peak_mb: f64) -> String {
    format!(
        "         4 picture bombs at once: hub peak < {TARGET_MB:.0} MB → {bomb_peak_mb:.0} MB {}",
        if bomb_peak_mb < TARGET_MB {
            "(met)"
        } else {
            "(MISSED)"
        }
    )
}
