//! This device's settings, chosen at first run on the device itself and kept in
//! `$XDG_CONFIG_HOME/kidyboard/device.toml`: its role, where the store's hub is (here, or at a
//! URL), kiosk and autostart, the receipt printer, and the admin password that guards changes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use kidyboard_receipt::PrinterSettings;
use serde::{Deserialize, Serialize};

use crate::parts::{AudioTable, VisionTable};

/// What this device is for; each role opens its own page of the one UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    Reception,
    Kidibar,
    Monitor,
    Totem,
    Admin,
}

impl DeviceRole {
    pub fn parse(s: &str) -> Option<DeviceRole> {
        Some(match s {
            "reception" => DeviceRole::Reception,
            "kidibar" => DeviceRole::Kidibar,
            "monitor" => DeviceRole::Monitor,
            "totem" => DeviceRole::Totem,
            "admin" => DeviceRole::Admin,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceRole::Reception => "reception",
            DeviceRole::Kidibar => "kidibar",
            DeviceRole::Monitor => "monitor",
            DeviceRole::Totem => "totem",
            DeviceRole::Admin => "admin",
        }
    }

    /// The UI page this device opens.
    pub fn path(self) -> &'static str {
        match self {
            DeviceRole::Reception => "/reception",
            DeviceRole::Kidibar => "/kidibar",
            DeviceRole::Monitor => "/monitor",
            DeviceRole::Totem => "/totem",
            DeviceRole::Admin => "/admin",
        }
    }

    /// Wall monitors and totems stand unattended in the play area: full screen, nothing to close.
    pub fn kiosk_by_default(self) -> bool {
        matches!(self, DeviceRole::Monitor | DeviceRole::Totem)
    }
}

/// Where the store's hub runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum HubPlacement {
    /// In this process; the store's data lives in this device's data dir.
    Host {
        /// Address the other devices reach it on (e.g. `0.0.0.0:8080` for the store's LAN).
        listen: SocketAddr,
        /// Data dir; the OS default (`~/.local/share/kidyboard`) when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data_dir: Option<PathBuf>,
    },
    /// Another device's hub, e.g. `http://192.168.1.10:8080`.
    Remote { url: String },
}

#[derive(Clone, Serialize, Deserialize)]
pub struct DeviceConfig {
    pub role: DeviceRole,
    /// Full screen without decorations; absent = the role's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kiosk: Option<bool>,
    /// Start with the session (an XDG autostart entry).
    #[serde(default)]
    pub autostart: bool,
    /// Argon2 hash of the password that leaves kiosk mode and changes these settings.
    pub admin_password_hash: String,
    // Tables last: TOML writes plain values before tables.
    pub hub: HubPlacement,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printer: Option<PrinterTable>,
    /// This device plays the store's announcements (see `parts.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<AudioTable>,
    /// This device counts visitors with its camera.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vision: Option<VisionTable>,
}

/// The `[printer]` table, kept as written so saving the file does not reorder a technician's
/// hand edits into defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PrinterTable(pub toml::Table);

impl PrinterTable {
    pub fn settings(&self) -> anyhow::Result<PrinterSettings> {
        Ok(toml::Value::Table(self.0.clone()).try_into()?)
    }
}

impl std::fmt::Debug for DeviceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceConfig")
            .field("role", &self.role)
            .field("hub", &self.hub)
            .field("kiosk", &self.kiosk)
            .field("autostart", &self.autostart)
            .field("audio", &self.audio)
            .field("vision", &self.vision)
            .finish_non_exhaustive()
    }
}

impl DeviceConfig {
    pub fn kiosk(&self) -> bool {
        self.kiosk.unwrap_or_else(|| self.role.kiosk_by_default())
    }

    pub fn printer(&self) -> anyhow::Result<PrinterSettings> {
        match &self.printer {
            Some(t) => t.settings(),
            None => Ok(PrinterSettings::default()),
        }
    }

    pub fn check_admin_password(&self, password: &str) -> bool {
        PasswordHash::new(&self.admin_password_hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    /// `None` when the device has not been set up yet.
    pub fn load(path: &Path) -> anyhow::Result<Option<DeviceConfig>> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .map(Some)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
        }
    }

    /// Writes through a temporary file and a rename, so a power cut never leaves half a file.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = format!(
            "# This device's Kidyboard settings (written by the setup screen).\n{}",
            toml::to_string(self)?
        );
        let tmp = path.with_extension("toml.tmp");
        let _ = std::fs::remove_file(&tmp);
        // Owner-only from the first byte: the file holds the parts' account passwords.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

/// `$XDG_CONFIG_HOME/kidyboard`, where this device's settings and its instance lock live.
pub fn config_dir() -> PathBuf {
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("kidyboard")
}

pub fn config_path() -> PathBuf {
    config_dir().join("device.toml")
}

/// The single-instance socket (see `instance`).
pub fn instance_socket_path() -> PathBuf {
    config_dir().join("desktop.sock")
}

/// Accepts `host`, `host:port` or a full `http(s)://` URL; returns the hub's base URL.
pub fn normalize_hub_url(input: &str) -> Result<String, &'static str> {
    let s = input.trim().trim_end_matches('/');
    if s.is_empty() {
        return Err("Escribe la dirección del hub");
    }
    let url = if s.starts_with("http://") || s.starts_with("https://") {
        s.to_string()
    } else {
        format!("http://{s}")
    };
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or("");
    if rest.is_empty() || rest.contains(char::is_whitespace) || rest.contains('/') {
        return Err("La dirección debe ser como 192.168.1.10:8080");
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DeviceConfig {
        DeviceConfig {
            role: DeviceRole::Monitor,
            hub: HubPlacement::Remote {
                url: "http://192.168.1.10:8080".into(),
            },
            kiosk: None,
            autostart: true,
            admin_password_hash: kidyboard_core::users::hash_password("clave-segura")
                .expect("hash"),
            printer: None,
            audio: None,
            vision: None,
        }
    }

    #[test]
    fn settings_survive_a_save_and_load() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sub/device.toml");
        assert!(
            DeviceConfig::load(&path).expect("load").is_none(),
            "not set up yet"
        );
        sample().save(&path).expect("save");
        let back = DeviceConfig::load(&path).expect("load").expect("present");
        assert_eq!(back.role, DeviceRole::Monitor);
        assert_eq!(back.hub, sample().hub);
        assert!(back.kiosk(), "a monitor is a kiosk unless told otherwise");
        assert!(back.check_admin_password("clave-segura"));
        assert!(!back.check_admin_password("otra"));
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.contains("clave-segura"), "only the hash is stored");
    }

    #[test]
    fn a_printer_table_is_read_with_defaults() {
        let text = r#"
role = "reception"
admin_password_hash = "x"
[hub]
mode = "host"
listen = "0.0.0.0:8080"
[printer]
paper = "58"
[printer.target]
kind = "device"
path = "/dev/usb/lp0"
"#;
        let cfg: DeviceConfig = toml::from_str(text).expect("parses");
        assert!(!cfg.kiosk(), "reception has a normal window");
        let printer = cfg.printer().expect("printer settings");
        assert_eq!(printer.escpos.paper.columns(), 32);
        assert!(printer.escpos.cut);
    }

    #[test]
    fn audio_and_vision_tables_are_read_with_defaults_and_kept_out_of_logs() {
        let text = r#"
role = "totem"
admin_password_hash = "x"
[hub]
mode = "remote"
url = "http://192.168.1.10:8080"
[audio]
user = "monitor"
password = "clave-de-bocinas"
[vision]
user = "totem"
password = "clave-de-camara"
"#;
        let cfg: DeviceConfig = toml::from_str(text).expect("parses");
        let audio = cfg.audio.as_ref().expect("audio table");
        assert_eq!(
            (audio.user.as_str(), audio.device.as_ref()),
            ("monitor", None)
        );
        let vision = cfg.vision.as_ref().expect("vision table");
        assert_eq!(
            (vision.source.as_str(), vision.device_id.as_str()),
            ("camera", "totem")
        );
        let logged = format!("{cfg:?}");
        assert!(logged.contains("monitor") && logged.contains("camera"));
        assert!(
            !logged.contains("clave-de-bocinas") && !logged.contains("clave-de-camara"),
            "no password in the logs: {logged}"
        );

        // Saving keeps both tables as they were.
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("device.toml");
        cfg.save(&path).expect("save");
        let back = DeviceConfig::load(&path).expect("load").expect("present");
        assert_eq!((back.audio, back.vision), (cfg.audio, cfg.vision));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner reads the passwords");
        }
    }

    #[test]
    fn hub_addresses_are_normalized() {
        assert_eq!(
            normalize_hub_url("192.168.1.10:8080/").as_deref(),
            Ok("http://192.168.1.10:8080")
        );
        assert_eq!(
            normalize_hub_url("https://hub.local").as_deref(),
            Ok("https://hub.local")
        );
        assert!(normalize_hub_url("  ").is_err());
        assert!(normalize_hub_url("http://a b").is_err());
        assert!(normalize_hub_url("http://host/path").is_err());
    }
}
