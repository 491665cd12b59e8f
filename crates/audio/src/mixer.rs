//! The deterministic engine. Queued items play one at a time — announcements before scheduled
//! clips, first come first served within a priority, a short gap between them, never
//! overlapping — over an optional background-music bed that is ducked while anything plays.
//! The same `fill` feeds the sound card (pulled by rodio) and the WAV writer, and every item's
//! start and end sample is recorded, so tests can check exactly what was heard when.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::loudness::db_to_gain;
use crate::pcm::{ms_to_samples, Pcm};

/// Lower plays first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// A child's time is up: waits for nothing but the item already playing.
    Announcement = 0,
    /// Jingles and recorded messages from the schedule.
    Scheduled = 1,
}

#[derive(Clone, Debug)]
pub struct Item {
    /// What it is, for logs and tests (e.g. the announcement's text or the clip's name).
    pub label: String,
    pub priority: Priority,
    pub pcm: Pcm,
    /// Linear gain (day-part volume).
    pub gain: f32,
}

/// Where an item was placed on the output timeline, in samples since the mixer started.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Placement {
    pub label: String,
    pub priority: Priority,
    pub start: u64,
    pub end: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct MixerConfig {
    /// Silence between two items.
    pub gap_ms: u64,
    /// How far the bed drops while an item plays (dB, negative).
    pub duck_db: f64,
    /// How long the bed takes to duck (the item waits for it) and to come back.
    pub duck_ramp_ms: u64,
    /// The bed's own level (linear).
    pub bed_gain: f32,
}

impl Default for MixerConfig {
    fn default() -> Self {
        MixerConfig {
            gap_ms: 400,
            duck_db: -15.0,
            duck_ramp_ms: 250,
            bed_gain: 0.5,
        }
    }
}

struct Queued {
    item: Item,
    seq: u64,
}

impl Ord for Queued {
    // BinaryHeap pops the greatest: the most urgent priority, then the earliest queued.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .item
            .priority
            .cmp(&self.item.priority)
            .then(other.seq.cmp(&self.seq))
    }
}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl Eq for Queued {}

struct Playing {
    item: Item,
    pos: usize,
    /// Set when its first sample is output (after the bed has ducked).
    placement: Option<usize>,
}

pub struct Mixer {
    cfg: MixerConfig,
    queue: BinaryHeap<Queued>,
    seq: u64,
    playing: Option<Playing>,
    gap_left: u64,
    bed: Option<Pcm>,
    bed_pos: usize,
    /// The bed's current ducking multiplier, ramping between 1 and the ducked level.
    duck: f32,
    duck_floor: f32,
    duck_step: f32,
    clock: u64,
    placements: Vec<Placement>,
}

impl Mixer {
    pub fn new(cfg: MixerConfig) -> Mixer {
        let ramp = ms_to_samples(cfg.duck_ramp_ms).max(1) as f32;
        let floor = db_to_gain(cfg.duck_db);
        Mixer {
            cfg,
            queue: BinaryHeap::new(),
            seq: 0,
            playing: None,
            gap_left: 0,
            bed: None,
            bed_pos: 0,
            duck: 1.0,
            duck_floor: floor,
            duck_step: (1.0 - floor) / ramp,
            clock: 0,
            placements: Vec::new(),
        }
    }

    pub fn enqueue(&mut self, item: Item) {
        self.seq += 1;
        self.queue.push(Queued {
            item,
            seq: self.seq,
        });
    }

    /// Background music, looped; `None` stops it.
    pub fn set_bed(&mut self, bed: Option<Pcm>) {
        self.bed = bed.filter(|b| !b.is_empty());
        self.bed_pos = 0;
    }

    /// Samples output so far.
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// Every item started so far, in order (an item still playing has `end` = its planned end).
    pub fn placements(&self) -> &[Placement] {
        &self.placements
    }

    /// Nothing playing, nothing waiting.
    pub fn is_idle(&self) -> bool {
        self.playing.is_none() && self.queue.is_empty() && self.gap_left == 0
    }

    pub fn queued(&self) -> usize {
        self.queue.len() + usize::from(self.playing.is_some())
    }

    /// Renders the next `out.len()` samples.
    pub fn fill(&mut self, out: &mut [f32]) {
        for o in out.iter_mut() {
            *o = self.next_sample();
        }
    }

    fn next_sample(&mut self) -> f32 {
        if self.playing.is_none() && self.gap_left == 0 {
            if let Some(q) = self.queue.pop() {
                self.playing = Some(Playing {
                    item: q.item,
                    pos: 0,
                    placement: None,
                });
            }
        }
        let busy = self.playing.is_some() || !self.queue.is_empty();
        let has_bed = self.bed.is_some();
        // The bed ducks before an item starts and stays down between queued items.
        let target = if busy && has_bed {
            self.duck_floor
        } else {
            1.0
        };
        if self.duck > target {
            self.duck = (self.duck - self.duck_step).max(target);
        } else if self.duck < target {
            self.duck = (self.duck + self.duck_step).min(target);
        }
        let mut out = 0.0;
        if let Some(bed) = &self.bed {
            out += bed.samples()[self.bed_pos] * self.cfg.bed_gain * self.duck;
            self.bed_pos = (self.bed_pos + 1) % bed.len();
        }
        if self.gap_left > 0 {
            self.gap_left -= 1;
        }
        let ducked = !has_bed || self.duck <= self.duck_floor;
        let mut finished = false;
        if let Some(p) = self.playing.as_mut().filter(|_| ducked) {
            if p.placement.is_none() {
                let len = p.item.pcm.len() as u64;
                self.placements.push(Placement {
                    label: p.item.label.clone(),
                    priority: p.item.priority,
                    start: self.clock,
                    end: self.clock + len,
                });
                p.placement = Some(self.placements.len() - 1);
            }
            if let Some(s) = p.item.pcm.samples().get(p.pos) {
                out += s * p.item.gain;
                p.pos += 1;
            }
            finished = p.pos >= p.item.pcm.len();
        }
        if finished {
            if let Some(i) = self.playing.take().and_then(|p| p.placement) {
                self.placements[i].end = self.clock + 1;
            }
            self.gap_left = ms_to_samples(self.cfg.gap_ms);
        }
        self.clock += 1;
        out.clamp(-1.0, 1.0)
    }
}

/// An item to enqueue at a given sample, for offline rendering.
#[derive(Clone, Debug)]
pub struct Cue {
    pub at: u64,
    pub item: Item,
}

/// Renders cues offline: enqueues each at its sample and runs until everything has played
/// (and the bed has come back up), or `min_len` samples, whichever is later.
pub fn render(
    cfg: MixerConfig,
    bed: Option<Pcm>,
    mut cues: Vec<Cue>,
    min_len: u64,
) -> (Vec<f32>, Vec<Placement>) {
    cues.sort_by_key(|c| c.at);
    let mut mixer = Mixer::new(cfg);
    mixer.set_bed(bed);
    let mut out = Vec::new();
    let mut next = 0;
    let tail = ms_to_samples(cfg.duck_ramp_ms + cfg.gap_ms);
    let mut idle_for = 0u64;
    loop {
        while next < cues.len() && cues[next].at <= mixer.clock() {
            mixer.enqueue(cues[next].item.clone());
            next += 1;
        }
        let mut s = [0f32];
        mixer.fill(&mut s);
        out.push(s[0]);
        idle_for = if mixer.is_idle() { idle_for + 1 } else { 0 };
        if next == cues.len() && idle_for > tail && mixer.clock() >= min_len {
            break;
        }
    }
    (out, mixer.placements().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(label: &str, priority: Priority, ms: u64) -> Item {
        Item {
            label: label.into(),
            priority,
            pcm: Pcm::new(vec![0.25; ms_to_samples(ms) as usize]),
            gain: 1.0,
        }
    }

    #[test]
    fn announcements_jump_the_queue_but_never_cut_what_plays() {
        let cues = vec![
            Cue {
                at: 0,
                item: item("jingle-1", Priority::Scheduled, 500),
            },
            Cue {
                at: 10,
                item: item("jingle-2", Priority::Scheduled, 500),
            },
            Cue {
                at: 20,
                item: item("sofia", Priority::Announcement, 300),
            },
        ];
        let (_, placed) = render(MixerConfig::default(), None, cues, 0);
        let order: Vec<&str> = placed.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(order, ["jingle-1", "sofia", "jingle-2"]);
        let gap = ms_to_samples(MixerConfig::default().gap_ms);
        for w in placed.windows(2) {
            assert!(
                w[1].start >= w[0].end + gap,
                "{w:?} overlap or lack the gap"
            );
        }
    }
}
