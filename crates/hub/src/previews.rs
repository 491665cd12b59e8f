//! Camera previews relayed for admins: the counter sends frames only while an admin watches, the
//! hub keeps the newest one per camera in memory (never on disk, never in the event log) and
//! forgets it soon after nobody does.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;

/// How long one look at the preview keeps frames coming.
pub const WATCH_FOR: Duration = Duration::from_secs(15);
/// A frame older than this is not shown (the counter stopped sending).
pub const FRESH_FOR: Duration = Duration::from_secs(10);
/// The largest frame accepted (an annotated 640×480 JPEG is ~40–80 KB).
pub const MAX_FRAME_BYTES: usize = 512 * 1024;
/// Cameras followed at once: a bound on memory whatever names are sent.
const MAX_CAMERAS: usize = 16;

#[derive(Default)]
struct Camera {
    watched_until: Option<Instant>,
    frame: Option<(Instant, Bytes)>,
}

#[derive(Default)]
pub struct Previews {
    cameras: Mutex<HashMap<String, Camera>>,
}

impl Previews {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Camera>) -> T) -> T {
        let mut map = self.cameras.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // Nobody watching: the frame goes at once.
        map.retain(|_, c| c.watched_until.is_some_and(|t| t > now));
        f(&mut map)
    }

    /// An admin looks at `device`: frames are wanted for a while; the newest fresh one, if any.
    pub fn watch(&self, device: &str) -> Option<Bytes> {
        let now = Instant::now();
        self.with(|map| {
            if !map.contains_key(device) && map.len() >= MAX_CAMERAS {
                return None;
            }
            let cam = map.entry(device.to_string()).or_default();
            cam.watched_until = Some(now + WATCH_FOR);
            cam.frame
                .as_ref()
                .filter(|(at, _)| now.duration_since(*at) <= FRESH_FOR)
                .map(|(_, jpeg)| jpeg.clone())
        })
    }

    /// Whether someone watches `device` now.
    pub fn wanted(&self, device: &str) -> bool {
        self.with(|map| map.contains_key(device))
    }

    /// Keeps `jpeg` as `device`'s newest frame if someone watches; answers whether they do.
    pub fn offer(&self, device: &str, jpeg: Bytes) -> bool {
        self.with(|map| match map.get_mut(device) {
            Some(cam) => {
                cam.frame = Some((Instant::now(), jpeg));
                true
            }
            None => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_kept_only_while_someone_watches() {
        let p = Previews::default();
        assert!(
            !p.offer("totem", Bytes::from_static(b"a")),
            "nobody watches"
        );
        assert!(!p.wanted("totem"));
        assert_eq!(p.watch("totem"), None, "no frame yet");
        assert!(p.wanted("totem"));
        assert!(p.offer("totem", Bytes::from_static(b"b")));
        assert_eq!(p.watch("totem").as_deref(), Some(&b"b"[..]));
        assert!(!p.wanted("entrada"), "one camera's viewer is not another's");
    }

    #[test]
    fn the_cameras_followed_are_bounded() {
        let p = Previews::default();
        for i in 0..MAX_CAMERAS {
            p.watch(&format!("cam{i}"));
        }
        p.watch("one-too-many");
        assert!(!p.wanted("one-too-many"));
        assert!(p.wanted("cam0"));
    }
}
