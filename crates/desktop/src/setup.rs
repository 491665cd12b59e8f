//! First-run setup on the device (and changes later, behind the admin password): the shell's
//! own page `pages/setup.html` calls these commands.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use crate::commands::{CommandResult, ShellError};
use crate::device::{normalize_hub_url, DeviceConfig, DeviceRole, HubPlacement};
use crate::shell::{self, Shell};

/// The port other devices use to reach a store hosted here, unless changed.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8080";

#[derive(Debug, Serialize)]
pub struct SetupState {
    pub configured: bool,
    pub role: Option<&'static str>,
    pub mode: &'static str,
    pub listen: String,
    pub url: String,
    pub kiosk: Option<bool>,
    pub autostart: bool,
    /// Where a store hosted here keeps its data.
    pub data_dir: String,
}

#[tauri::command]
pub fn setup_state(shell: State<'_, Shell>) -> SetupState {
    let device = shell.device();
    let (mode, listen, url) = match device.as_ref().map(|d| &d.hub) {
        Some(HubPlacement::Remote { url }) => ("remote", DEFAULT_LISTEN.to_string(), url.clone()),
        Some(HubPlacement::Host { listen, .. }) => ("host", listen.to_string(), String::new()),
        None => ("host", DEFAULT_LISTEN.to_string(), String::new()),
    };
    SetupState {
        configured: device.is_some(),
        role: device.as_ref().map(|d| d.role.as_str()),
        mode,
        listen,
        url,
        kiosk: device.as_ref().and_then(|d| d.kiosk),
        autostart: device.as_ref().is_some_and(|d| d.autostart),
        data_dir: kidyboard_hub::config::default_data_dir()
            .display()
            .to_string(),
    }
}

/// Checks that a Kidyboard hub answers at `url`; returns the normalized address.
#[tauri::command]
pub async fn test_hub(url: String) -> CommandResult<String> {
    let url = normalize_hub_url(&url).map_err(|m| ShellError::new("bad_url", m))?;
    crate::hub::probe(&url)
        .await
        .map_err(|m| ShellError::new("unreachable", m))?;
    Ok(url)
}

#[derive(Deserialize)]
pub struct SetupForm {
    pub role: String,
    /// "host" (the store's hub runs here) or "remote".
    pub mode: String,
    #[serde(default)]
    pub listen: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// The new admin password; may be left empty when changing settings (keeps the old one).
    #[serde(default)]
    pub admin_password: String,
    /// Load the demo catalogue and staff (password `demo1234`) into a new store.
    #[serde(default)]
    pub demo: bool,
    #[serde(default)]
    pub kiosk: Option<bool>,
    #[serde(default)]
    pub autostart: bool,
}

/// Validates and stores the settings, then shows the role's page. On first run the hub starts
/// here at once; a change of settings restarts the shell so nothing of the old setup lingers.
#[tauri::command]
pub async fn save_setup(
    app: AppHandle,
    shell: State<'_, Shell>,
    form: SetupForm,
) -> CommandResult<()> {
    let previous = shell.device();
    if previous.is_some() && !shell.setup_unlocked.load(Ordering::SeqCst) {
        return Err(ShellError::new(
            "locked",
            "Abre la configuración con la contraseña de administración",
        ));
    }
    let role = DeviceRole::parse(&form.role)
        .ok_or_else(|| ShellError::new("bad_role", "Elige la función de este equipo"))?;
    let hub = match form.mode.as_str() {
        "host" => {
            let listen: SocketAddr = form
                .listen
                .as_deref()
                .unwrap_or(DEFAULT_LISTEN)
                .trim()
                .parse()
                .map_err(|_| {
                    ShellError::new("bad_listen", "La dirección debe ser como 0.0.0.0:8080")
                })?;
            HubPlacement::Host {
                listen,
                data_dir: None,
            }
        }
        "remote" => {
            let url = test_hub(form.url.unwrap_or_default()).await?;
            HubPlacement::Remote { url }
        }
        _ => return Err(ShellError::new("bad_mode", "Elige dónde está el hub")),
    };
    let admin_password_hash = match (&previous, form.admin_password.as_str()) {
        (Some(p), "") => p.admin_password_hash.clone(),
        (_, pw) => {
            let n = pw.chars().count();
            if !(kidyboard_core::users::MIN_PASSWORD_LEN..=256).contains(&n) {
                return Err(ShellError::new(
                    "weak_password",
                    "La contraseña debe tener al menos 8 caracteres",
                ));
            }
            kidyboard_core::users::hash_password(pw)
                .map_err(|e| ShellError::new("shell_error", e.to_string()))?
        }
    };
    let device = DeviceConfig {
        role,
        hub,
        kiosk: form.kiosk,
        autostart: form.autostart,
        admin_password_hash,
        printer: previous.as_ref().and_then(|p| p.printer.clone()),
    };
    let exe = std::env::current_exe().map_err(anyhow::Error::from)?;
    crate::autostart::apply(form.autostart, &crate::autostart::entry_path(), &exe)
        .map_err(anyhow::Error::from)?;

    if previous.is_some() {
        device.save(&shell.config_path)?;
        // The new process must find the hub's port free and must not take this (exiting)
        // process for a running instance.
        if let Some(hub) = shell.embedded.lock().await.as_mut() {
            hub.stop().await;
        }
        let _ = std::fs::remove_file(crate::device::instance_socket_path());
        app.restart();
    }
    *shell::lock(&shell.device) = Some(device.clone());
    let page = match shell::boot(&app, &device).await {
        Ok(page) => page,
        Err(e) => {
            *shell::lock(&shell.device) = None;
            return Err(ShellError::new("hub_failed", format!("{e:#}")));
        }
    };
    if matches!(device.hub, HubPlacement::Host { .. }) {
        let store = shell
            .embedded
            .lock()
            .await
            .as_ref()
            .map(|h| h.store.clone());
        if let Some(store) = store {
            let password = form.admin_password.clone();
            let demo = form.demo;
            tauri::async_runtime::spawn_blocking(move || {
                crate::hub::prepare_store(&store, &password, demo)
            })
            .await
            .map_err(|e| ShellError::new("shell_error", e.to_string()))??;
        }
    }
    device.save(&shell.config_path)?;
    shell::set_kiosk(&app, device.kiosk())?;
    shell::navigate(&app, page)?;
    Ok(())
}
