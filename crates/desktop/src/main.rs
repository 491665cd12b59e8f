// No console window on Windows release builds; on Linux this has no effect.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> anyhow::Result<()> {
    kidyboard_desktop::run()
}
