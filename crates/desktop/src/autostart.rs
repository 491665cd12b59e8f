//! Starting with the session: an XDG autostart entry (`~/.config/autostart/kidyboard.desktop`),
//! which every Linux desktop and most kiosk sessions honour.

use std::path::{Path, PathBuf};

pub fn entry_path() -> PathBuf {
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("autostart/kidyboard.desktop")
}

pub fn entry(exe: &Path) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nName=Kidyboard\nComment=Kidyboard (inicio automático)\nExec=\"{}\"\nIcon=kidyboard\nX-GNOME-Autostart-enabled=true\nTerminal=false\n",
        exe.display()
    )
}

/// Writes or removes the entry so it matches `enabled`.
pub fn apply(enabled: bool, path: &Path, exe: &Path) -> std::io::Result<()> {
    if enabled {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, entry(exe))
    } else {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_is_written_and_removed() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("autostart/kidyboard.desktop");
        let exe = Path::new("/usr/bin/kidyboard-desktop");
        apply(true, &path, exe).expect("write");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with("[Desktop Entry]\n"));
        assert!(text.contains("Exec=\"/usr/bin/kidyboard-desktop\"\n"));
        apply(false, &path, exe).expect("remove");
        assert!(!path.exists());
        apply(false, &path, exe).expect("removing twice is fine");
    }
}
