//! Kidyboard's desktop and kiosk shell (Tauri 2): one window that shows this device's page of
//! the one web UI, served by the store's hub — started inside the shell when the store is
//! hosted here, or reached at a URL — plus what a web page cannot do alone (saving files,
//! receipt printers, kiosk mode, starting with the session). See `README.md` in this crate.

pub mod autostart;
pub mod commands;
pub mod device;
pub mod files;
pub mod hub;
pub mod instance;
pub mod parts;
pub mod setup;
pub mod shell;

use tauri::{Manager, RunEvent, WebviewUrl, WindowEvent};

use crate::shell::Shell;

/// Runs the shell until its window closes (or forever, in kiosk mode).
pub fn run() -> anyhow::Result<()> {
    kidyboard_hub::cli::init_logging(false);
    let config_path = device::config_path();
    let lock = match instance::acquire(&device::instance_socket_path())? {
        instance::Instance::First(lock) => lock,
        instance::Instance::AlreadyRunning => {
            tracing::info!("Kidyboard is already running on this device; brought it to the front");
            return Ok(());
        }
    };
    let device = device::DeviceConfig::load(&config_path)?;

    let app = tauri::Builder::default()
        .manage(Shell::new(config_path, device))
        .invoke_handler(tauri::generate_handler![
            commands::shell_info,
            commands::save_file,
            commands::print_receipt,
            commands::print_escpos,
            commands::exit_kiosk,
            commands::open_setup,
            commands::hub_status,
            setup::setup_state,
            setup::test_hub,
            setup::save_setup,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            let knocked = handle.clone();
            lock.serve(move || {
                if let Some(w) = knocked.get_webview_window(shell::WINDOW) {
                    let _ = w.unminimize();
                    let _ = w.show();
                    let _ = w.set_focus();
                }
            });
            let shell = handle.state::<Shell>();
            let kiosk = shell.is_kiosk();
            let page = match shell.device() {
                None => WebviewUrl::App("setup.html".into()),
                Some(device) => match tauri::async_runtime::block_on(shell::boot(&handle, &device))
                {
                    Ok(page) => page,
                    Err(e) => {
                        tracing::error!(
                            error = format!("{e:#}"),
                            "starting the store's hub failed"
                        );
                        *shell::lock(&shell.boot_error) =
                            Some(format!("No se pudo iniciar el hub de la tienda: {e:#}"));
                        WebviewUrl::App("offline.html".into())
                    }
                },
            };
            shell::create_window(&handle, page, kiosk)?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                // An unattended kiosk must not be closed by a stray touch or Alt+F4.
                if window.state::<Shell>().is_kiosk() {
                    api.prevent_close();
                }
            }
        })
        .build(tauri::generate_context!())?;

    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            let shell = handle.state::<Shell>();
            tauri::async_runtime::block_on(shell.stop_services());
        }
    });
    Ok(())
}
