// No console window on Windows release builds; on Linux this has no effect.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> anyhow::Result<()> {
    // WebKitGTK's DMA-BUF renderer leaves the window frozen after its first frame where the GPU
    // path is missing (virtual machines, Xvfb, some kiosk PCs); the shared-memory path always
    // paints. Set WEBKIT_DISABLE_DMABUF_RENDERER=0 to use the GPU path on a device known to work.
    // Done first, before any thread exists, as changing the environment requires.
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
    kidyboard_desktop::run()
}
