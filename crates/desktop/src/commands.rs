//! The shell's commands, the only things a page can ask of the device beyond the browser's
//! abilities. The hub's pages may call `shell_info`, `save_file`, `print_receipt`,
//! `print_escpos`, `exit_kiosk` and `open_setup`; the shell's own pages (setup, offline) also the setup ones.
//! Errors reach the page as `{ code, message }`, the message in Spanish.

use std::sync::atomic::Ordering;

use kidyboard_receipt::{PrintOutcome, Printer, ReceiptHeader};
use serde::Serialize;
use tauri::{AppHandle, State, WebviewUrl};

use crate::parts::{Parts, PartsInfo};
use crate::shell::{self, Shell};

#[derive(Debug, Serialize)]
pub struct ShellError {
    pub code: &'static str,
    pub message: String,
}

impl ShellError {
    pub fn new(code: &'static str, message: impl Into<String>) -> ShellError {
        ShellError {
            code,
            message: message.into(),
        }
    }
}

impl From<anyhow::Error> for ShellError {
    fn from(e: anyhow::Error) -> ShellError {
        tracing::error!(error = format!("{e:#}"), "shell command failed");
        ShellError::new("shell_error", format!("{e:#}"))
    }
}

impl From<kidyboard_receipt::ReceiptError> for ShellError {
    fn from(e: kidyboard_receipt::ReceiptError) -> ShellError {
        ShellError::new(e.code(), e.to_string())
    }
}

pub type CommandResult<T> = Result<T, ShellError>;

#[derive(Debug, Serialize)]
pub struct ShellInfo {
    pub version: &'static str,
    /// This device's role, `null` before setup.
    pub role: Option<&'static str>,
    /// The hub's base URL the window uses.
    pub hub_url: Option<String>,
    /// Whether this device hosts the store (the hub runs inside the shell).
    pub hosting: bool,
    pub kiosk: bool,
    /// Whether a receipt printer is set up (otherwise receipts go to the system printer).
    pub receipt_printer: bool,
    /// The speaker player and visitor counter hosted here (`null` when not set up).
    pub parts: PartsInfo,
}

/// What the page should know about the device it runs on.
#[tauri::command]
pub async fn shell_info(shell: State<'_, Shell>) -> CommandResult<ShellInfo> {
    let device = shell.device();
    let parts = shell
        .parts
        .lock()
        .await
        .as_ref()
        .map(Parts::info)
        .unwrap_or_default();
    Ok(ShellInfo {
        version: env!("CARGO_PKG_VERSION"),
        role: device.as_ref().map(|d| d.role.as_str()),
        hub_url: shell.hub_url(),
        hosting: device
            .as_ref()
            .is_some_and(|d| matches!(d.hub, crate::device::HubPlacement::Host { .. })),
        kiosk: shell.is_kiosk(),
        receipt_printer: device
            .and_then(|d| d.printer().ok())
            .is_some_and(|p| p.target != kidyboard_receipt::PrinterTarget::None),
        parts,
    })
}

/// Saves an exported file (PDF, MP4, CSV…) where the user chooses: `name` is the suggested
/// file name, `data` the file in base64 (the IPC of a page served over http carries JSON only).
/// Returns the path, or `null` when the user cancelled.
#[tauri::command]
pub async fn save_file(name: String, data: String) -> CommandResult<Option<String>> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|_| ShellError::new("bad_request", "el archivo no llegó completo"))?;
    let name = crate::files::safe_file_name(&name);
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_title("Guardar archivo")
        .set_file_name(&name);
    if let Some(dir) = dirs::document_dir().or_else(dirs::home_dir) {
        dialog = dialog.set_directory(dir);
    }
    if let Some((label, ext)) = crate::files::filter_for(&name) {
        dialog = dialog.add_filter(label, &[ext]);
    }
    let Some(handle) = dialog.save_file().await else {
        return Ok(None);
    };
    let path = handle.path().to_path_buf();
    let written = path.clone();
    tauri::async_runtime::spawn_blocking(move || crate::files::write_atomically(&written, &bytes))
        .await
        .map_err(|e| ShellError::new("shell_error", e.to_string()))?
        .map_err(|e| ShellError::new("save_failed", format!("No se pudo guardar: {e}")))?;
    Ok(Some(path.display().to_string()))
}

/// Prints a sale (as `GET /api/v1/sales/{id}` returns it) on this device's receipt printer.
#[tauri::command]
pub async fn print_receipt(
    shell: State<'_, Shell>,
    sale: serde_json::Value,
    header: ReceiptHeader,
) -> CommandResult<PrintOutcome> {
    let settings = printer_settings(&shell)?;
    let printer = Printer::new(settings);
    tauri::async_runtime::spawn_blocking(move || printer.print_sale(&sale, &header))
        .await
        .map_err(|e| ShellError::new("shell_error", e.to_string()))?
        .map_err(ShellError::from)
}

/// Prints bytes the hub already encoded as ESC/POS (a receipt copy: `GET /sales/{id}/receipt?
/// format=escpos`), `data` in base64, on this device's receipt printer as they are.
#[tauri::command]
pub async fn print_escpos(shell: State<'_, Shell>, data: String) -> CommandResult<PrintOutcome> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|_| ShellError::new("bad_request", "el recibo no llegó completo"))?;
    if bytes.is_empty() || bytes.len() > MAX_ESCPOS_BYTES {
        return Err(ShellError::new(
            "bad_request",
            "el recibo está vacío o es demasiado grande",
        ));
    }
    let printer = Printer::new(printer_settings(&shell)?);
    tauri::async_runtime::spawn_blocking(move || printer.print_bytes(&bytes))
        .await
        .map_err(|e| ShellError::new("shell_error", e.to_string()))?
        .map_err(ShellError::from)
}

/// A receipt is a few kilobytes; anything near this is not one.
const MAX_ESCPOS_BYTES: usize = 256 * 1024;

/// The `[printer]` settings, read from the file at each print so a technician's edit applies at
/// once.
fn printer_settings(shell: &Shell) -> CommandResult<kidyboard_receipt::PrinterSettings> {
    let device = crate::device::DeviceConfig::load(&shell.config_path)
        .ok()
        .flatten()
        .or_else(|| shell.device());
    match device {
        Some(d) => Ok(d.printer()?),
        None => Err(ShellError::new(
            "not_set_up",
            "el equipo no está configurado",
        )),
    }
}

fn check_password(shell: &Shell, password: &str) -> CommandResult<()> {
    match shell.device() {
        Some(d) if d.check_admin_password(password) => Ok(()),
        Some(_) => Err(ShellError::new("wrong_password", "Contraseña incorrecta")),
        None => Ok(()),
    }
}

/// Leaves kiosk mode (normal window, can be closed) with the admin password.
#[tauri::command]
pub fn exit_kiosk(app: AppHandle, shell: State<'_, Shell>, password: String) -> CommandResult<()> {
    check_password(&shell, &password)?;
    shell::set_kiosk(&app, false)?;
    Ok(())
}

/// Opens the setup screen to change this device's settings, with the admin password.
#[tauri::command]
pub fn open_setup(app: AppHandle, shell: State<'_, Shell>, password: String) -> CommandResult<()> {
    check_password(&shell, &password)?;
    shell.setup_unlocked.store(true, Ordering::SeqCst);
    shell::set_kiosk(&app, false)?;
    shell::navigate(&app, WebviewUrl::App("setup.html".into()))?;
    Ok(())
}

/// For the offline screen: when the hub answers again, the window goes back to its page
/// (returned); otherwise an `unreachable` error says why.
#[tauri::command]
pub async fn hub_status(app: AppHandle, shell: State<'_, Shell>) -> CommandResult<String> {
    if let Some(message) = shell::lock(&shell.boot_error).clone() {
        return Err(ShellError::new("hub_failed", message));
    }
    let (Some(base), Some(device)) = (shell.hub_url(), shell.device()) else {
        return Err(ShellError::new(
            "not_set_up",
            "el equipo no está configurado",
        ));
    };
    crate::hub::probe(&base)
        .await
        .map_err(|m| ShellError::new("unreachable", m))?;
    let page = format!("{base}{}", device.role.path());
    let url = page
        .parse()
        .map_err(|_| ShellError::new("bad_url", "la dirección del hub no es válida"))?;
    shell::navigate(&app, WebviewUrl::External(url))?;
    Ok(page)
}
