//! Originals, stored once, addressed by the sha256 of their bytes. They are kept byte-exact
//! so the hash stays verifiable (prefetch checks the cloud's hash against it) and so new
//! variants can always be made from the best source; they are never served and never evicted.
//! Everything served is re-encoded from pixels, which is what strips their metadata.

use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::index::Index;
use crate::sniff::InputFormat;

/// A stored original, as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// sha256 of the bytes, 64 lowercase hex digits.
    pub hash: String,
    pub format: InputFormat,
    /// Upright dimensions (after EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// sha256 of `bytes` as lowercase hex.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xF)]));
    }
    s
}

/// Checks that `hash` is 64 lowercase hex digits. Everything that turns a hash into a path
/// goes through here, so `../` and friends never reach the file system.
pub fn validate_hash(hash: &str) -> Result<()> {
    let ok = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidHash(hash.chars().take(80).collect()))
    }
}

/// Fans files out over 256 folders so no directory grows huge.
pub(crate) fn shard(hash: &str) -> &str {
    hash.get(..2).unwrap_or("xx")
}

pub(crate) fn original_path(root: &Path, hash: &str) -> PathBuf {
    root.join("originals").join(shard(hash)).join(hash)
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash never leaves a
/// half-written file under the final name.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })?;
    Ok(())
}

fn format_from_name(name: &str) -> InputFormat {
    match name {
        "png" => InputFormat::Png,
        "webp" => InputFormat::WebP,
        _ => InputFormat::Jpeg,
    }
}

pub(crate) fn lookup(index: &Index, hash: &str) -> Result<Option<Original>> {
    let row = index
        .conn()
        .query_row(
            "SELECT format, width, height, bytes FROM originals WHERE hash = ?1",
            params![hash],
            |r| {
                Ok(Original {
                    hash: hash.to_owned(),
                    format: format_from_name(&r.get::<_, String>(0)?),
                    width: r.get(1)?,
                    height: r.get(2)?,
                    bytes: r.get(3)?,
                })
            },
        )
        .optional()?;
    Ok(row)
}

/// Stores the file, then its row (so a row always has its file).
pub(crate) fn insert(root: &Path, index: &Index, original: &Original, bytes: &[u8]) -> Result<()> {
    let path = original_path(root, &original.hash);
    if !path.exists() {
        write_atomically(&path, bytes)?;
    }
    index.conn().execute(
        "INSERT OR IGNORE INTO originals (hash, format, width, height, bytes)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            original.hash,
            original.format.name(),
            original.width,
            original.height,
            original.bytes
        ],
    )?;
    Ok(())
}

pub(crate) fn read(root: &Path, hash: &str) -> Result<Vec<u8>> {
    match std::fs::read(original_path(root, hash)) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NotFound(hash.to_owned())),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex_and_validated() {
        let h = content_hash(b"abc");
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(validate_hash(&h).is_ok());
        for bad in [
            "",
            "../etc/passwd",
            &h.to_uppercase(),
            &h[..63],
            &format!("{h}0"),
        ] {
            assert_eq!(
                validate_hash(bad).unwrap_err().code(),
                "invalid_hash",
                "{bad:?}"
            );
        }
    }
}
