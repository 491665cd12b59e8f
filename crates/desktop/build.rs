//! Tauri's build step. Declaring the shell's commands makes Tauri generate an `allow-<command>`
//! permission for each and refuse any command a capability does not grant: the setup screen
//! (a local page) and the hub's pages (a remote origin, granted at run time) get different sets.

const COMMANDS: &[&str] = &[
    "shell_info",
    "save_file",
    "print_receipt",
    "print_escpos",
    "exit_kiosk",
    "open_setup",
    "setup_state",
    "test_hub",
    "save_setup",
    "hub_status",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
