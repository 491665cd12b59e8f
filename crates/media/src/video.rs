//! The slide show as H.264: each slide is drawn and converted to YUV once, held for its time,
//! then cross-faded into the next (the last fades into the first, so a looping player shows
//! no seam). Encoded with openh264 (Cisco's source, compiled in) at a constant frame rate.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, Profile,
    RateControlMode, UsageType, VuiConfig,
};
use openh264::OpenH264API;

use crate::error::{MediaError, Result};
use crate::mp4::Mp4Writer;
use crate::progress::{Progress, Stage};
use crate::yuv::Yuv420;

/// Frame-level settings of a video export.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VideoOptions {
    /// Frames per second (TVs and USB players: 30 is the safe choice).
    pub fps: u32,
    /// Target bit rate; `None` picks one from the resolution (about 4 Mbit/s at 1080p).
    pub bitrate_bps: Option<u32>,
    /// Seconds between keyframes, so players can start or seek quickly.
    pub keyframe_seconds: f32,
}

impl Default for VideoOptions {
    fn default() -> Self {
        Self {
            fps: 30,
            bitrate_bps: None,
            keyframe_seconds: 2.0,
        }
    }
}

impl VideoOptions {
    pub(crate) fn validate(&self) -> Result<()> {
        if !(1..=60).contains(&self.fps) {
            return Err(MediaError::design("video.fps", "must be between 1 and 60"));
        }
        if self
            .bitrate_bps
            .is_some_and(|b| !(100_000..=100_000_000).contains(&b))
        {
            return Err(MediaError::design(
                "video.bitrate_bps",
                "must be between 100000 and 100000000",
            ));
        }
        if !(self.keyframe_seconds.is_finite() && (0.5..=60.0).contains(&self.keyframe_seconds)) {
            return Err(MediaError::design(
                "video.keyframe_seconds",
                "must be between 0.5 and 60",
            ));
        }
        Ok(())
    }
}

/// Which slide (or pair of slides and fade amount) frame `n` shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FrameContent {
    Hold(usize),
    /// From slide, to slide, amount of the second in 1..=255 of 256.
    Fade(usize, usize, u32),
}

/// The frame-by-frame timeline of `slides` slides of `per_slide` frames each, the last
/// `fade` frames of each slide fading into the next.
pub(crate) fn timeline(
    slides: usize,
    per_slide: u64,
    fade: u64,
) -> impl Iterator<Item = FrameContent> {
    let fade = if slides > 1 {
        fade.min(per_slide / 2)
    } else {
        0
    };
    (0..slides as u64 * per_slide).map(move |n| {
        let slide = (n / per_slide) as usize;
        let f = n % per_slide;
        let fade_start = per_slide - fade;
        if f >= fade_start {
            let step = f - fade_start + 1;
            let t = (step * 256 / (fade + 1)) as u32;
            FrameContent::Fade(slide, (slide + 1) % slides, t.clamp(1, 255))
        } else {
            FrameContent::Hold(slide)
        }
    })
}

pub(crate) struct EncodeStats {
    pub frames: u64,
}

/// Encodes the timeline of `slides` into `out` as MP4.
pub(crate) fn encode_slideshow<W: Write>(
    slides: &[Yuv420],
    per_slide: u64,
    fade: u64,
    options: &VideoOptions,
    out: W,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<EncodeStats> {
    let first = slides
        .first()
        .ok_or_else(|| MediaError::Encoder("no slides to encode".into()))?;
    let (w, h) = (first.width, first.height);
    let pixels = (w * h) as u64;
    let bitrate = options
        .bitrate_bps
        .unwrap_or_else(|| (pixels * 2).clamp(1_000_000, 40_000_000) as u32);
    let fps = options.fps;
    let config = EncoderConfig::new()
        .usage_type(UsageType::ScreenContentRealTime)
        .profile(Profile::Baseline)
        .complexity(Complexity::Low)
        .rate_control_mode(RateControlMode::Bitrate)
        .bitrate(BitRate::from_bps(bitrate))
        .max_frame_rate(FrameRate::from_hz(fps as f32))
        // Every frame must come out: a constant frame rate is what TVs play smoothly.
        .skip_frames(false)
        .intra_frame_period(IntraFramePeriod::from_num_frames(
            (options.keyframe_seconds * fps as f32).round() as u32,
        ))
        .num_threads(2)
        .vui(VuiConfig::bt709());
    let mut encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
        .map_err(|e| MediaError::Encoder(e.to_string()))?;
    let mut mp4 = Mp4Writer::new(out, w as u32, h as u32, fps)?;
    let total = slides.len() as u64 * per_slide;
    let report_every = u64::from(fps).max(1);
    let mut scratch = first.clone();
    let mut annex_b = Vec::with_capacity(1 << 20);
    for (n, content) in timeline(slides.len(), per_slide, fade).enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(MediaError::Cancelled);
        }
        let frame = match content {
            FrameContent::Hold(i) => &slides[i],
            FrameContent::Fade(a, b, t) => {
                slides[a].blend_into(&slides[b], t, &mut scratch);
                &scratch
            }
        };
        let bitstream = encoder
            .encode(frame)
            .map_err(|e| MediaError::Encoder(e.to_string()))?;
        let keyframe = matches!(bitstream.frame_type(), FrameType::IDR | FrameType::I);
        annex_b.clear();
        bitstream.write_vec(&mut annex_b);
        if annex_b.is_empty() {
            return Err(MediaError::Encoder(format!("frame {n} came out empty")));
        }
        mp4.push(&annex_b, keyframe)?;
        let done = n as u64 + 1;
        if done.is_multiple_of(report_every) || done == total {
            progress(Progress {
                stage: Stage::Frames,
                done: done as u32,
                total: total as u32,
            });
        }
    }
    let frames = mp4.finish()?;
    Ok(EncodeStats { frames })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_holds_then_fades_into_the_next_slide_and_loops() {
        let t: Vec<_> = timeline(2, 6, 2).collect();
        assert_eq!(t.len(), 12);
        assert_eq!(t[0], FrameContent::Hold(0));
        assert_eq!(t[3], FrameContent::Hold(0));
        assert!(matches!(t[4], FrameContent::Fade(0, 1, x) if x < 128));
        assert!(matches!(t[5], FrameContent::Fade(0, 1, x) if x > 128));
        assert_eq!(t[6], FrameContent::Hold(1));
        assert!(
            matches!(t[11], FrameContent::Fade(1, 0, _)),
            "the last slide fades back into the first"
        );
    }

    #[test]
    fn one_slide_never_fades() {
        assert!(timeline(1, 5, 3).all(|f| f == FrameContent::Hold(0)));
    }
}
