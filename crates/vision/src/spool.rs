//! Visits the hub has not taken yet, kept in a small file next to the counter's other state, so a
//! restart of the totem or the shell during a long hub outage loses none of them.
//!
//! The file is one JSON visit per line, rewritten whole (to a temporary file, synced, then renamed
//! over) whenever the queue changes: a crash leaves either the old queue or the new one, never half
//! of one. Delivery is at least once: the hub stores a visit id once and counts a repeat as a
//! duplicate, so a visit delivered just before a crash and sent again after it is harmless.

use crate::tracker::FinishedVisit;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The most visits kept waiting: weeks of a busy entrance. Past it the oldest are dropped (with a
/// warning) rather than letting an unreachable hub fill the disk.
pub const MAX_SPOOLED: usize = 100_000;

/// The spool file of one counter.
#[derive(Debug, Clone)]
pub struct Spool {
    path: PathBuf,
}

impl Spool {
    pub fn new(path: impl Into<PathBuf>) -> Spool {
        Spool { path: path.into() }
    }

    /// The spool of the counter named `device_id`, in `dir` (a data directory, not a cache: what
    /// is in it has not been stored anywhere else yet).
    pub fn for_device(dir: &Path, device_id: &str) -> Spool {
        let name: String = device_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Spool::new(dir.join(format!("visits-{name}.jsonl")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The visits left by an earlier run; none if there is no file. A line that does not read
    /// (a disk error, a hand edit) is skipped with a warning, not allowed to block the others.
    pub fn load(&self) -> Vec<FinishedVisit> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(e) => {
                tracing::warn!("vision: cannot read the spool {}: {e}", self.path.display());
                return Vec::new();
            }
        };
        let mut visits = Vec::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            match serde_json::from_str::<FinishedVisit>(line) {
                Ok(v) => visits.push(v),
                Err(e) => tracing::warn!(
                    "vision: spool {} line {} skipped: {e}",
                    self.path.display(),
                    n + 1
                ),
            }
        }
        visits
    }

    /// Replaces the file's contents with `pending`; removes the file when nothing waits.
    pub fn save(&self, pending: &[FinishedVisit]) -> std::io::Result<()> {
        if pending.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        for v in pending {
            serde_json::to_writer(&mut out, v)?;
            out.write_all(b"\n")?;
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &self.path)
    }
}

/// Keeps at most [`MAX_SPOOLED`] visits, dropping the oldest; answers how many were dropped.
pub fn cap(pending: &mut Vec<FinishedVisit>) -> usize {
    let over = pending.len().saturating_sub(MAX_SPOOLED);
    if over > 0 {
        pending.drain(..over);
    }
    over
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(i: i64) -> FinishedVisit {
        FinishedVisit {
            id: format!("01JD{i:022}"),
            started_at: 1_700_000_000_000 + i * 1000,
            ended_at: 1_700_000_005_000 + i * 1000,
        }
    }

    #[test]
    fn round_trips_and_removes_the_file_when_empty() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("state/visits.jsonl"));
        assert!(spool.load().is_empty(), "no file, no visits");
        let visits: Vec<_> = (0..3).map(visit).collect();
        spool.save(&visits).unwrap();
        assert_eq!(spool.load(), visits);
        assert!(!dir.path().join("state/visits.jsonl.tmp").exists());
        spool.save(&[]).unwrap();
        assert!(!spool.path().exists());
        spool.save(&[]).unwrap();
    }

    #[test]
    fn one_file_per_counter_whatever_its_name() {
        let dir = Path::new("/data");
        assert_eq!(
            Spool::for_device(dir, "totem-entrada").path(),
            Path::new("/data/visits-totem-entrada.jsonl")
        );
        assert_eq!(
            Spool::for_device(dir, "../Caja 2").path(),
            Path::new("/data/visits-___Caja_2.jsonl")
        );
    }

    #[test]
    fn a_damaged_line_does_not_lose_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("visits.jsonl"));
        let (a, b) = (visit(1), visit(2));
        let text = format!(
            "{}\n{{\"id\": 12\n\n{}",
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        std::fs::write(spool.path(), text).unwrap();
        assert_eq!(spool.load(), vec![a, b]);
    }

    #[test]
    fn the_cap_drops_the_oldest() {
        let mut pending: Vec<_> = (0..(MAX_SPOOLED as i64 + 2)).map(visit).collect();
        assert_eq!(cap(&mut pending), 2);
        assert_eq!(pending.len(), MAX_SPOOLED);
        assert_eq!(pending[0], visit(2));
    }
}
