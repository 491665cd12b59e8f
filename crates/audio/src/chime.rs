//! The chime before every announcement: two soft bell tones (E5 then C5, a falling major third,
//! the "ding-dong" people recognise as "attention, please"), synthesised so nothing is bundled.

use crate::pcm::{Pcm, RATE};

/// The chime, not yet normalised (announcements normalise it with the voice).
pub fn chime() -> Pcm {
    let mut out = Vec::new();
    for (freq, secs) in [(659.25f32, 0.45f32), (523.25, 0.75)] {
        let n = (RATE as f32 * secs) as usize;
        for i in 0..n {
            let t = i as f32 / RATE as f32;
            // Fast attack, exponential decay, and a quiet octave partial for a bell colour.
            let attack = (t / 0.01).min(1.0);
            let env = attack * (-t * 4.0).exp();
            let w = 2.0 * std::f32::consts::PI * freq * t;
            out.push(0.5 * env * (w.sin() + 0.25 * (2.0 * w).sin()));
        }
    }
    Pcm::new(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_chime_is_about_a_second_and_never_clips() {
        let c = super::chime();
        assert!((1100..1300).contains(&c.duration_ms()));
        assert!(c.samples().iter().all(|s| s.abs() < 1.0));
    }
}
