//! First-run setup on the device (and changes later, behind the admin password): the shell's
//! own page `pages/setup.html` calls these commands.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use crate::commands::{CommandResult, ShellError};
use crate::device::{normalize_hub_url, DeviceConfig, DeviceRole, HubPlacement};
use crate::parts::{AudioTable, VisionTable};
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
    /// The hosted parts' accounts (never their passwords).
    pub audio: Option<PartState>,
    pub vision: Option<PartState>,
}

#[derive(Debug, Serialize)]
pub struct PartState {
    pub user: String,
    /// The camera (vision only).
    pub source: Option<String>,
}

#[tauri::command]
pub fn setup_state(shell: State<'_, Shell>) -> SetupState {
    let device = shell.device();
    let (mode, listen, url) = match device.as_ref().map(|d| &d.hub) {
        Some(HubPlacement::Remote { url }) => ("remote", DEFAULT_LISTEN.to_string(), url.clone()),
        Some(HubPlacement::Host { listen, .. }) => ("host", listen.to_string(), String::new()),
        // Started beside a running hub (scripts/start.sh): offer to connect to it.
        None => match std::env::var("KIDYBOARD_SETUP_HUB_URL") {
            Ok(url) if !url.trim().is_empty() => ("remote", DEFAULT_LISTEN.to_string(), url),
            _ => ("host", DEFAULT_LISTEN.to_string(), String::new()),
        },
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
        audio: device
            .as_ref()
            .and_then(|d| d.audio.as_ref())
            .map(|a| PartState {
                user: a.user.clone(),
                source: None,
            }),
        vision: device
            .as_ref()
            .and_then(|d| d.vision.as_ref())
            .map(|v| PartState {
                user: v.user.clone(),
                source: Some(v.source.clone()),
            }),
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
    /// Play the store's announcements on this device, signed in as this account.
    #[serde(default)]
    pub audio: Option<PartForm>,
    /// Count visitors with this device's camera, signed in as this (totem) account.
    #[serde(default)]
    pub vision: Option<PartForm>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PartForm {
    pub user: String,
    /// May be left empty when changing settings: the same account keeps its password.
    #[serde(default)]
    pub password: String,
    /// The camera (vision only): `camera`, `camera:INDEX`, `camera:NAME`…
    #[serde(default)]
    pub source: Option<String>,
}

/// This machine's name, which names its camera in the reports (two totems, two names).
fn device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "totem".into())
}

/// The `[audio]` and `[vision]` tables the form asks for. Settings the form does not show (the
/// sound device, a WAV output, image size…) are kept from the previous tables.
pub fn part_tables(
    form: &SetupForm,
    previous: Option<&DeviceConfig>,
) -> CommandResult<(Option<AudioTable>, Option<VisionTable>)> {
    let account = |part: &PartForm, field: &'static str, old: Option<(&str, &str)>| {
        let user = part.user.trim();
        if user.is_empty() || user.chars().count() > 64 {
            return Err(ShellError::new(
                "bad_account",
                format!("Escribe el usuario con el que {field} inicia sesión en el hub"),
            ));
        }
        let password = match (part.password.as_str(), old) {
            ("", Some((old_user, old_password))) if old_user == user => old_password.to_string(),
            ("", _) => {
                return Err(ShellError::new(
                    "bad_account",
                    format!("Escribe la contraseña del usuario de {field}"),
                ))
            }
            (p, _) => p.to_string(),
        };
        Ok((user.to_string(), password))
    };
    let old_audio = previous.and_then(|p| p.audio.clone());
    let audio = match &form.audio {
        None => None,
        Some(part) => {
            let (user, password) = account(
                part,
                "las bocinas",
                old_audio
                    .as_ref()
                    .map(|a| (a.user.as_str(), a.password.as_str())),
            )?;
            Some(match old_audio {
                Some(old) => AudioTable {
                    user,
                    password,
                    ..old
                },
                None => AudioTable {
                    user,
                    password,
                    device: None,
                    wav: None,
                    name: None,
                },
            })
        }
    };
    let old_vision = previous.and_then(|p| p.vision.clone());
    let vision = match &form.vision {
        None => None,
        Some(part) => {
            let (user, password) = account(
                part,
                "la cámara",
                old_vision
                    .as_ref()
                    .map(|v| (v.user.as_str(), v.password.as_str())),
            )?;
            let source = part
                .source
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or("camera")
                .to_string();
            if let Err(e) = source.parse::<kidyboard_vision::SourceSpec>() {
                return Err(ShellError::new(
                    "bad_camera",
                    format!("La cámara debe ser «camera», «camera:0» o el nombre de una: {e}"),
                ));
            }
            Some(match old_vision {
                Some(old) => VisionTable {
                    user,
                    password,
                    source,
                    ..old
                },
                None => VisionTable {
                    user,
                    password,
                    source,
                    device_id: device_name(),
                    width: None,
                    height: None,
                    fps: None,
                    model: None,
                    ort_lib: None,
                },
            })
        }
    };
    Ok((audio, vision))
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
    let (audio, vision) = part_tables(&form, previous.as_ref())?;
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
        audio,
        vision,
    };
    let exe = std::env::current_exe().map_err(anyhow::Error::from)?;
    crate::autostart::apply(form.autostart, &crate::autostart::entry_path(), &exe)
        .map_err(anyhow::Error::from)?;

    if previous.is_some() {
        device.save(&shell.config_path)?;
        // The new process must find the hub's port free and must not take this (exiting)
        // process for a running instance.
        shell.stop_services().await;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn form(parts: serde_json::Value) -> SetupForm {
        let mut f = serde_json::json!({ "role": "totem", "mode": "remote" });
        if let (Some(f), Some(p)) = (f.as_object_mut(), parts.as_object()) {
            f.extend(p.clone());
        }
        serde_json::from_value(f).expect("a setup form")
    }

    fn previous() -> DeviceConfig {
        toml::from_str(
            r#"
role = "totem"
admin_password_hash = "x"
[hub]
mode = "remote"
url = "http://192.168.1.10:8080"
[audio]
user = "monitor"
password = "clave-bocinas"
device = "USB Audio"
[vision]
user = "totem"
password = "clave-camara"
source = "camera:1"
device_id = "totem-entrada"
fps = 10
"#,
        )
        .expect("previous settings")
    }

    #[test]
    fn unchecked_parts_are_switched_off() {
        let (audio, vision) =
            part_tables(&form(serde_json::json!({})), Some(&previous())).expect("valid");
        assert!(audio.is_none() && vision.is_none());
    }

    #[test]
    fn a_new_part_needs_an_account_and_a_valid_camera() {
        let err = part_tables(&form(serde_json::json!({"audio": {"user": " "}})), None)
            .expect_err("no user");
        assert_eq!(err.code, "bad_account");
        let err = part_tables(
            &form(serde_json::json!({"audio": {"user": "monitor"}})),
            None,
        )
        .expect_err("no password");
        assert_eq!(err.code, "bad_account");
        let err = part_tables(
            &form(
                serde_json::json!({"vision": {"user": "totem", "password": "p", "source": "tv:3"}}),
            ),
            None,
        )
        .expect_err("bad camera");
        assert_eq!(err.code, "bad_camera");
        let (audio, vision) = part_tables(
            &form(serde_json::json!({
                "audio": {"user": "monitor", "password": "demo1234"},
                "vision": {"user": "totem", "password": "demo1234", "source": ""}
            })),
            None,
        )
        .expect("valid");
        let audio = audio.expect("audio on");
        assert_eq!(
            (audio.user.as_str(), audio.password.as_str()),
            ("monitor", "demo1234")
        );
        assert_eq!(audio.device, None, "the system's sound device");
        let vision = vision.expect("vision on");
        assert_eq!(vision.source, "camera", "the first camera unless told");
        assert!(!vision.device_id.is_empty());
    }

    #[test]
    fn changing_settings_keeps_passwords_and_hand_edits() {
        let (audio, vision) = part_tables(
            &form(serde_json::json!({
                "audio": {"user": "monitor"},
                "vision": {"user": "totem", "source": "camera:0"}
            })),
            Some(&previous()),
        )
        .expect("valid");
        let audio = audio.expect("audio on");
        assert_eq!(
            audio.password, "clave-bocinas",
            "same account, same password"
        );
        assert_eq!(
            audio.device.as_deref(),
            Some("USB Audio"),
            "hand edits survive"
        );
        let vision = vision.expect("vision on");
        assert_eq!(
            (
                vision.password.as_str(),
                vision.source.as_str(),
                vision.device_id.as_str(),
                vision.fps
            ),
            ("clave-camara", "camera:0", "totem-entrada", Some(10))
        );
        // Another account must come with its password.
        let err = part_tables(
            &form(serde_json::json!({"audio": {"user": "recepcion"}})),
            Some(&previous()),
        )
        .expect_err("a new account without its password");
        assert_eq!(err.code, "bad_account");
    }
}
