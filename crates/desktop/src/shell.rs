//! The shell's state and its one window: which page it shows (setup, the hub's UI, the offline
//! screen), kiosk mode, and the hub it talks to.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use tauri::ipc::CapabilityBuilder;
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

use crate::device::{DeviceConfig, HubPlacement};
use crate::hub::{self, EmbeddedHub};
use crate::parts::Parts;

pub const WINDOW: &str = "main";

/// What the hub's pages may ask of the shell (see the commands' docs in `commands.rs`).
const HUB_PAGE_PERMISSIONS: &[&str] = &[
    "allow-shell-info",
    "allow-save-file",
    "allow-print-receipt",
    "allow-print-escpos",
    "allow-exit-kiosk",
    "allow-open-setup",
];

pub struct Shell {
    pub config_path: PathBuf,
    pub device: Mutex<Option<DeviceConfig>>,
    pub kiosk: AtomicBool,
    pub hub_url: Mutex<Option<String>>,
    pub embedded: tokio::sync::Mutex<Option<EmbeddedHub>>,
    /// The speaker player and visitor counter this device hosts, if its settings ask for them.
    pub parts: tokio::sync::Mutex<Option<Parts>>,
    /// Why the hub could not be started at launch (e.g. its port is taken), for the offline page.
    pub boot_error: Mutex<Option<String>>,
    /// Set by `open_setup` after the admin password was given: the setup page may save.
    pub setup_unlocked: AtomicBool,
    /// Origins already granted the hub permissions (a capability can be added once).
    granted: Mutex<Vec<String>>,
}

impl Shell {
    pub fn new(config_path: PathBuf, device: Option<DeviceConfig>) -> Shell {
        let kiosk = device.as_ref().is_some_and(DeviceConfig::kiosk);
        Shell {
            config_path,
            device: Mutex::new(device),
            kiosk: AtomicBool::new(kiosk),
            hub_url: Mutex::new(None),
            embedded: tokio::sync::Mutex::new(None),
            parts: tokio::sync::Mutex::new(None),
            boot_error: Mutex::new(None),
            setup_unlocked: AtomicBool::new(false),
            granted: Mutex::new(Vec::new()),
        }
    }

    pub fn device(&self) -> Option<DeviceConfig> {
        lock(&self.device).clone()
    }

    pub fn hub_url(&self) -> Option<String> {
        lock(&self.hub_url).clone()
    }

    pub fn is_kiosk(&self) -> bool {
        self.kiosk.load(Ordering::SeqCst)
    }

    /// Stops the hosted parts, then the embedded hub (the parts say goodbye to it first).
    pub async fn stop_services(&self) {
        if let Some(parts) = self.parts.lock().await.take() {
            parts.stop().await;
        }
        if let Some(hub) = self.embedded.lock().await.as_mut() {
            hub.stop().await;
        }
    }
}

/// A poisoned lock only means another command panicked; the data is still usable.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn device_menu_script(kiosk: bool) -> String {
    include_str!("device_menu.js").replace("__KIOSK__", if kiosk { "true" } else { "false" })
}

/// Creates the window on `url`; kiosk windows are full screen, undecorated and on top.
pub fn create_window(
    app: &AppHandle,
    url: WebviewUrl,
    kiosk: bool,
) -> tauri::Result<WebviewWindow> {
    WebviewWindowBuilder::new(app, WINDOW, url)
        .title("Kidyboard")
        .inner_size(1280.0, 800.0)
        .min_inner_size(800.0, 600.0)
        .fullscreen(kiosk)
        .decorations(!kiosk)
        .always_on_top(kiosk)
        .initialization_script(device_menu_script(kiosk))
        .build()
}

pub fn window(app: &AppHandle) -> anyhow::Result<WebviewWindow> {
    app.get_webview_window(WINDOW)
        .context("the shell's window is gone")
}

pub fn set_kiosk(app: &AppHandle, kiosk: bool) -> anyhow::Result<()> {
    let shell = app.state::<Shell>();
    shell.kiosk.store(kiosk, Ordering::SeqCst);
    let w = window(app)?;
    w.set_always_on_top(kiosk)?;
    w.set_fullscreen(kiosk)?;
    w.set_decorations(!kiosk)?;
    w.eval(format!("window.__kidyboardKiosk = {kiosk}"))?;
    Ok(())
}

/// Lets the hub's pages at `base_url` call the shell's page commands, and nothing else.
fn grant_hub(app: &AppHandle, base_url: &str) -> anyhow::Result<()> {
    let shell = app.state::<Shell>();
    let mut granted = lock(&shell.granted);
    if granted.iter().any(|g| g == base_url) {
        return Ok(());
    }
    let mut cap = CapabilityBuilder::new(format!("hub-pages-{}", granted.len()))
        .remote(format!("{base_url}/*"))
        .window(WINDOW);
    for p in HUB_PAGE_PERMISSIONS {
        cap = cap.permission(*p);
    }
    app.add_capability(cap)?;
    granted.push(base_url.to_string());
    Ok(())
}

/// Starts (or finds) the hub for this device and shows its role's page, or the offline screen.
pub async fn boot(app: &AppHandle, device: &DeviceConfig) -> anyhow::Result<WebviewUrl> {
    let shell = app.state::<Shell>();
    let base = match &device.hub {
        HubPlacement::Host { .. } => {
            let mut embedded = shell.embedded.lock().await;
            if embedded.is_none() {
                let config = hub::embedded_config(&device.hub)?;
                *embedded = Some(EmbeddedHub::start(config).await?);
            }
            embedded
                .as_ref()
                .map(|h| h.base_url.clone())
                .unwrap_or_default()
        }
        HubPlacement::Remote { url } => url.clone(),
    };
    *lock(&shell.hub_url) = Some(base.clone());
    grant_hub(app, &base)?;
    start_parts(&shell, device, &base).await;
    let page = format!("{base}{}", device.role.path());
    if matches!(device.hub, HubPlacement::Remote { .. }) {
        spawn_watchdog(app.clone(), base.clone());
        if hub::probe(&base).await.is_err() {
            return Ok(WebviewUrl::App("offline.html".into()));
        }
    }
    Ok(WebviewUrl::External(page.parse().context("the hub's URL")?))
}

/// Starts the speaker player and the visitor counter when the settings ask for them. They sign
/// in on their own, retrying while the hub is away, so this never fails the boot.
async fn start_parts(shell: &Shell, device: &DeviceConfig, base: &str) {
    if device.audio.is_none() && device.vision.is_none() {
        return;
    }
    let mut parts = shell.parts.lock().await;
    if parts.is_none() {
        let cache = dirs::cache_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("kidyboard");
        let data = dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("kidyboard/parts");
        *parts = Some(Parts::start(
            base,
            device.audio.as_ref(),
            device.vision.as_ref(),
            &cache,
            &data,
        ));
    }
}

/// Watches a remote hub: after three failed probes in a row (≈15 s) the window leaves the
/// hub's page for the offline screen, which comes back by itself when the hub answers.
fn spawn_watchdog(app: AppHandle, base: String) {
    tauri::async_runtime::spawn(async move {
        let mut failures = 0u32;
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            if hub::probe(&base).await.is_ok() {
                failures = 0;
                continue;
            }
            failures += 1;
            if failures < 3 {
                continue;
            }
            let Ok(w) = window(&app) else { return };
            let on_hub = w
                .url()
                .map(|u| u.as_str().starts_with(&base))
                .unwrap_or(false);
            if on_hub {
                tracing::warn!(hub = %base, "the hub is unreachable; showing the offline screen");
                let _ = w.navigate(shell_page("offline.html"));
            }
        }
    });
}

/// The address of one of the shell's own pages (`pages/`), served by Tauri's asset protocol.
pub fn shell_page(name: &str) -> tauri::Url {
    // Every part is a constant; a failure here is a programming error caught by the tests.
    tauri::Url::parse("tauri://localhost/")
        .and_then(|u| u.join(name))
        .expect("a shell page URL")
}

/// Sends the window to `url` (after setup, or between the hub and the offline screen).
pub fn navigate(app: &AppHandle, url: WebviewUrl) -> anyhow::Result<()> {
    let target = match url {
        WebviewUrl::External(u) => u,
        WebviewUrl::App(path) => shell_page(&path.to_string_lossy()),
        _ => anyhow::bail!("unsupported page"),
    };
    window(app)?.navigate(target)?;
    Ok(())
}
