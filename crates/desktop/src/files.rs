//! Saving exported files: the name the page suggests, made safe, and a write that never
//! leaves half a file behind.

use std::io::Write;
use std::path::Path;

/// A file name without folders or characters file systems refuse; never empty.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(200)
        .collect::<String>();
    if trimmed.is_empty() {
        "kidyboard".to_string()
    } else {
        trimmed
    }
}

/// The save dialog's filter for the exports the UI makes.
pub fn filter_for(name: &str) -> Option<(&'static str, &'static str)> {
    let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => ("PDF", "pdf"),
        "mp4" => ("Video MP4", "mp4"),
        "csv" => ("CSV", "csv"),
        "png" => ("Imagen PNG", "png"),
        _ => return None,
    })
}

/// Writes next to the target and renames, so a full disk or a crash keeps the old file.
pub fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.part"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(data)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_page_are_made_safe() {
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name("   "), "kidyboard");
        assert_eq!(safe_file_name("ventas:2026.csv"), "ventas_2026.csv");
    }

    #[test]
    fn exports_get_a_filter_and_are_written_whole() {
        assert_eq!(filter_for("menu.PDF"), Some(("PDF", "pdf")));
        assert_eq!(filter_for("corte.csv"), Some(("CSV", "csv")));
        assert_eq!(filter_for("sin-extension"), None);
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("menú.mp4");
        std::fs::write(&path, b"old").expect("old");
        write_atomically(&path, b"\x00\x00\x00\x18ftypmp42").expect("write");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"\x00\x00\x00\x18ftypmp42"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left");
    }
}
