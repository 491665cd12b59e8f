//! Turns per-frame face boxes into visitors. A box is matched to the track it overlaps most
//! (IoU, or a near centre for a quick head turn); a track becomes a visitor only after
//! `min_hits` sightings (so a one-frame false detection counts nobody), and it ends only after
//! `max_missed_ms` without a sighting (so a brief occlusion does not count the same person twice).
//! Dwell is last seen − first seen, in frame time.

use kidyboard_core::clock::Millis;

use crate::detector::{iou, Detection};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackerOptions {
    /// Least overlap for a box to continue a track.
    pub iou_threshold: f32,
    /// Failing overlap, a box whose centre is within this fraction of the track's size continues it.
    pub max_center_shift: f32,
    /// Sightings before a track counts as a visitor.
    pub min_hits: u32,
    /// Time without a sighting after which a visitor has left.
    pub max_missed_ms: i64,
}

impl Default for TrackerOptions {
    fn default() -> Self {
        TrackerOptions {
            iou_threshold: 0.3,
            max_center_shift: 0.5,
            min_hits: 3,
            max_missed_ms: 2_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub id: u64,
    pub bbox: [f32; 4],
    pub first_seen: Millis,
    pub last_seen: Millis,
    pub hits: u32,
    pub confirmed: bool,
}

/// A visitor who has left: what the hub stores (no picture, no descriptor).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FinishedVisit {
    /// A ULID stamped with the first sighting, so retries of the same visit keep its id.
    pub id: String,
    pub started_at: Millis,
    pub ended_at: Millis,
}

impl FinishedVisit {
    pub fn dwell_ms(&self) -> i64 {
        self.ended_at - self.started_at
    }
}

#[derive(Debug, Default)]
pub struct Tracker {
    options: TrackerOptions,
    tracks: Vec<Track>,
    next_id: u64,
    visitors: u64,
}

impl Tracker {
    pub fn new(options: TrackerOptions) -> Tracker {
        Tracker {
            options,
            ..Tracker::default()
        }
    }

    /// People in front of the camera now: confirmed tracks that have not left.
    pub fn in_view(&self) -> usize {
        self.tracks.iter().filter(|t| t.confirmed).count()
    }

    /// Visitors counted since the tracker started (left or still here).
    pub fn visitors(&self) -> u64 {
        self.visitors
    }

    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// Feeds one frame's detections taken at `now`; returns the visitors who left.
    pub fn update(&mut self, detections: &[Detection], now: Millis) -> Vec<FinishedVisit> {
        let o = self.options;
        // Those gone too long leave first, so someone new at the same spot is a new visitor.
        let left = self.expire(|t| now - t.last_seen > o.max_missed_ms);
        // Every plausible (track, detection) pair, best first; overlap beats a near centre.
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (ti, t) in self.tracks.iter().enumerate() {
            let [tx, ty, tw, th] = t.bbox;
            for (di, d) in detections.iter().enumerate() {
                let overlap = iou(tx, ty, tw, th, d.x, d.y, d.w, d.h);
                if overlap >= o.iou_threshold {
                    pairs.push((1.0 + overlap, ti, di));
                    continue;
                }
                let (cx, cy) = d.center();
                let shift =
                    ((cx - (tx + tw / 2.0)).powi(2) + (cy - (ty + th / 2.0)).powi(2)).sqrt();
                let limit = o.max_center_shift * tw.max(th).max(d.w).max(d.h);
                if shift < limit {
                    pairs.push((1.0 - shift / limit, ti, di));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut track_used = vec![false; self.tracks.len()];
        let mut det_used = vec![false; detections.len()];
        for (_, ti, di) in pairs {
            if track_used[ti] || det_used[di] {
                continue;
            }
            track_used[ti] = true;
            det_used[di] = true;
            let d = &detections[di];
            let t = &mut self.tracks[ti];
            t.bbox = [d.x, d.y, d.w, d.h];
            t.last_seen = now;
            t.hits += 1;
            if !t.confirmed && t.hits >= o.min_hits {
                t.confirmed = true;
                self.visitors += 1;
            }
        }
        for (di, d) in detections.iter().enumerate() {
            if !det_used[di] {
                self.next_id += 1;
                let confirmed = o.min_hits <= 1;
                if confirmed {
                    self.visitors += 1;
                }
                self.tracks.push(Track {
                    id: self.next_id,
                    bbox: [d.x, d.y, d.w, d.h],
                    first_seen: now,
                    last_seen: now,
                    hits: 1,
                    confirmed,
                });
            }
        }
        left
    }

    /// Ends every track (the source ended or the camera was lost): confirmed ones become visits.
    pub fn finish(&mut self) -> Vec<FinishedVisit> {
        self.expire(|_| true)
    }

    fn expire(&mut self, gone: impl Fn(&Track) -> bool) -> Vec<FinishedVisit> {
        let mut left = Vec::new();
        self.tracks.retain(|t| {
            if !gone(t) {
                return true;
            }
            if t.confirmed {
                left.push(FinishedVisit {
                    id: ulid::Ulid::from_parts(
                        t.first_seen.max(0) as u64,
                        ulid::Ulid::new().random(),
                    )
                    .to_string(),
                    started_at: t.first_seen,
                    ended_at: t.last_seen,
                });
            }
            false
        });
        left.sort_by_key(|v| (v.started_at, v.ended_at));
        left
    }
}
