//! Loudness by EBU R128 (ITU-R BS.1770, measured with `ebur128`) and normalisation to a target:
//! one gain for the whole clip, then a peak limiter so the gain never makes it clip.

use ebur128::{EbuR128, Mode};

use crate::error::{AudioError, Result};
use crate::pcm::{Pcm, RATE};

/// Every clip, chime and voice is brought to this integrated loudness, so a jingle is not
/// louder than an announcement.
pub const TARGET_LUFS: f64 = -16.0;
/// Highest sample level after the limiter (−1 dBFS); lowered further when the peaks between
/// samples would still pass [`TRUE_PEAK_MAX_DBTP`].
pub const PEAK_CEILING: f32 = 0.891;
/// EBU R128's ceiling for the true (inter-sample) peak is −1 dBTP; we aim half a decibel under
/// it so another meter's oversampling (ffmpeg's, a DAC's) still reads −1 or less.
pub const TRUE_PEAK_MAX_DBTP: f64 = -1.5;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Loudness {
    /// Integrated loudness, LUFS.
    pub integrated_lufs: f64,
    /// True peak (4× oversampled), dBTP.
    pub true_peak_dbtp: f64,
}

/// Measures a mono clip. Silence (or a clip shorter than one 400 ms gating block) has no
/// integrated loudness and is refused as empty.
pub fn measure(pcm: &Pcm) -> Result<Loudness> {
    let mut m = EbuR128::new(1, RATE, Mode::I | Mode::TRUE_PEAK)
        .map_err(|e| AudioError::NotAudio(e.to_string()))?;
    m.add_frames_f32(pcm.samples())
        .map_err(|e| AudioError::NotAudio(e.to_string()))?;
    let lufs = m
        .loudness_global()
        .map_err(|e| AudioError::NotAudio(e.to_string()))?;
    if !lufs.is_finite() {
        return Err(AudioError::Empty);
    }
    let peak = m
        .true_peak(0)
        .map_err(|e| AudioError::NotAudio(e.to_string()))?;
    Ok(Loudness {
        integrated_lufs: lufs,
        true_peak_dbtp: 20.0 * peak.max(1e-9).log10(),
    })
}

/// The clip at [`TARGET_LUFS`], peaks held under [`PEAK_CEILING`]. Returns the measurement of
/// the input too (shown in the clip library).
pub fn normalise(pcm: &Pcm) -> Result<(Pcm, Loudness)> {
    let before = measure(pcm)?;
    let mut samples = pcm.samples().to_vec();
    let mut current = before.integrated_lufs;
    let mut ceiling = PEAK_CEILING;
    // Limiting lowers loudness a little; the next pass makes up for most of it. A true peak over
    // the maximum lowers the limiter's ceiling by the excess.
    for _ in 0..6 {
        let gain = db_to_gain(TARGET_LUFS - current);
        for s in samples.iter_mut() {
            *s *= gain;
        }
        limit(&mut samples, ceiling);
        let now = measure(&Pcm::new(samples.clone()))?;
        current = now.integrated_lufs;
        if now.true_peak_dbtp > TRUE_PEAK_MAX_DBTP {
            ceiling *= db_to_gain(TRUE_PEAK_MAX_DBTP - now.true_peak_dbtp - 0.1);
            limit(&mut samples, ceiling);
            current = measure(&Pcm::new(samples.clone()))?.integrated_lufs;
            continue;
        }
        if (current - TARGET_LUFS).abs() < 0.2 {
            break;
        }
    }
    Ok((Pcm::new(samples), before))
}

pub fn db_to_gain(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

/// Look-ahead peak limiter: the gain needed at each sample, ramped down over 5 ms before a peak
/// (backward pass) and back up over 100 ms after it (forward pass), so no sample exceeds
/// `ceiling` and the gain changes smoothly instead of clipping.
fn limit(samples: &mut [f32], ceiling: f32) {
    if samples.iter().all(|s| s.abs() <= ceiling) {
        return;
    }
    let attack = 1.0 / (RATE as f32 * 0.005);
    let release = 1.0 / (RATE as f32 * 0.100);
    let mut gain: Vec<f32> = samples
        .iter()
        .map(|s| {
            if s.abs() > ceiling {
                ceiling / s.abs()
            } else {
                1.0
            }
        })
        .collect();
    for i in (0..gain.len().saturating_sub(1)).rev() {
        gain[i] = gain[i].min(gain[i + 1] + attack);
    }
    for i in 1..gain.len() {
        gain[i] = gain[i].min(gain[i - 1] + release);
    }
    for (s, g) in samples.iter_mut().zip(gain) {
        *s *= g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, amp: f32, secs: f32) -> Pcm {
        let n = (RATE as f32 * secs) as usize;
        Pcm::new(
            (0..n)
                .map(|i| amp * (2.0 * std::f32::consts::PI * freq * i as f32 / RATE as f32).sin())
                .collect(),
        )
    }

    #[test]
    fn quiet_and_loud_clips_both_reach_the_target() {
        for amp in [0.01, 0.3, 0.99] {
            let (out, before) = normalise(&tone(440.0, amp, 3.0)).expect("normalises");
            let after = measure(&out).expect("measures");
            assert!(
                (after.integrated_lufs - TARGET_LUFS).abs() < 0.5,
                "amp {amp}: {before:?} → {after:?}"
            );
            assert!(out.samples().iter().all(|s| s.abs() <= PEAK_CEILING + 1e-6));
        }
    }

    #[test]
    fn a_peaky_clip_is_limited_instead_of_clipping() {
        let mut s = tone(220.0, 0.02, 3.0).samples().to_vec();
        for i in (0..s.len()).step_by(RATE as usize / 2) {
            s[i] = 1.0;
        }
        let (out, _) = normalise(&Pcm::new(s)).expect("normalises");
        let peak = out.samples().iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!(peak <= PEAK_CEILING + 1e-6, "peak {peak}");
    }

    #[test]
    fn silence_has_no_loudness() {
        assert!(matches!(
            measure(&Pcm::silence(2000)),
            Err(AudioError::Empty)
        ));
    }
}
