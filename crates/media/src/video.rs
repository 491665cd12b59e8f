//! The slide show as H.264: each slide is drawn and converted to YUV once, held for its time,
//! then cross-faded into the next (the last fades into the first, so a looping player shows
//! no seam). Encoded with openh264 (Cisco's source, compiled in) at a constant frame rate.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use openh264::encoder::{
    Complexity, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, Profile,
    RateControlMode, UsageType, VuiConfig,
};
use openh264::OpenH264API;

use crate::error::{MediaError, Result};
use crate::mp4::Mp4Writer;
use crate::progress::{Progress, Stage};
use crate::yuv::Yuv420;

/// Frame-level settings of a video export.
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VideoOptions {
    /// Frames per second (TVs and USB players: 30 is the safe choice).
    pub fps: u32,
    /// Seconds between keyframes, so players can start or seek quickly.
    pub keyframe_seconds: f32,
}

impl Default for VideoOptions {
    fn default() -> Self {
        Self {
            fps: 30,
            keyframe_seconds: 2.0,
        }
    }
}

impl VideoOptions {
    pub(crate) fn validate(&self) -> Result<()> {
        if !(1..=60).contains(&self.fps) {
            return Err(MediaError::design("video.fps", "must be between 1 and 60"));
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

/// One encoded access unit (Annex B) and whether it is a keyframe.
struct EncodedFrame {
    annex_b: Vec<u8>,
    keyframe: bool,
}

/// Encodes the timeline of `slides` into `out` as MP4.
///
/// openh264 encodes one slice on one core, so the timeline is cut into one run of frames per
/// core, each encoded independently from its own IDR frame and joined in order: an IDR frame
/// resets the decoder, so the joined stream is exactly as valid as one encoded in a single run.
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
    let fps = options.fps;
    let keyframe_every = ((options.keyframe_seconds * fps as f32).round() as u64).max(1);
    let frames: Vec<FrameContent> = timeline(slides.len(), per_slide, fade).collect();
    let total = frames.len() as u64;

    // Runs start on keyframe boundaries so keyframes stay evenly spaced across the joins.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4) as u64;
    let run_len = (total.div_ceil(workers)).div_ceil(keyframe_every).max(1) * keyframe_every;
    let runs: Vec<&[FrameContent]> = frames.chunks(run_len as usize).collect();

    let done = AtomicU64::new(0);
    let results: Vec<Result<Vec<EncodedFrame>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .skip(1)
            .map(|run| {
                let done = &done;
                scope.spawn(move || encode_run(slides, run, options, keyframe_every, done, cancel))
            })
            .collect();
        // The calling thread encodes the first run and reports everyone's progress.
        let report_every = u64::from(fps).max(1);
        let mut last = 0;
        let mut report = |n: u64| {
            if n >= last + report_every {
                last = n;
                progress(Progress {
                    stage: Stage::Frames,
                    done: n as u32,
                    total: total as u32,
                });
            }
        };
        let first_run = runs.first().map_or(Ok(Vec::new()), |run| {
            encode_run_reporting(
                slides,
                run,
                options,
                keyframe_every,
                &done,
                cancel,
                &mut report,
            )
        });
        let mut results = vec![first_run];
        for handle in handles {
            results.push(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        results
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(MediaError::Cancelled);
    }
    let mut mp4 = Mp4Writer::new(out, w as u32, h as u32, fps)?;
    for run in results {
        for frame in run? {
            mp4.push(&frame.annex_b, frame.keyframe)?;
        }
    }
    progress(Progress {
        stage: Stage::Frames,
        done: total as u32,
        total: total as u32,
    });
    let frames = mp4.finish()?;
    Ok(EncodeStats { frames })
}

fn encode_run(
    slides: &[Yuv420],
    run: &[FrameContent],
    options: &VideoOptions,
    keyframe_every: u64,
    done: &AtomicU64,
    cancel: &AtomicBool,
) -> Result<Vec<EncodedFrame>> {
    encode_run_reporting(
        slides,
        run,
        options,
        keyframe_every,
        done,
        cancel,
        &mut |_| {},
    )
}

fn encode_run_reporting(
    slides: &[Yuv420],
    run: &[FrameContent],
    options: &VideoOptions,
    keyframe_every: u64,
    done: &AtomicU64,
    cancel: &AtomicBool,
    report: &mut dyn FnMut(u64),
) -> Result<Vec<EncodedFrame>> {
    let Some(first) = slides.first() else {
        return Ok(Vec::new());
    };
    let config = EncoderConfig::new()
        // The camera profile runs ~1.8× faster than the screen-content one on our slides at
        // the same size and quality (measured: 72 vs 40 frames/s at 1080p on one core).
        .usage_type(UsageType::CameraVideoRealTime)
        .profile(Profile::Baseline)
        .complexity(Complexity::Low)
        // Constant quantiser (26): steady quality for text, no frame skipping, and a still
        // slide costs almost nothing.
        .rate_control_mode(RateControlMode::Off)
        .max_frame_rate(FrameRate::from_hz(options.fps as f32))
        .skip_frames(false)
        .intra_frame_period(IntraFramePeriod::from_num_frames(keyframe_every as u32))
        .vui(VuiConfig::bt709());
    let mut encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
        .map_err(|e| MediaError::Encoder(e.to_string()))?;
    let mut scratch = first.clone();
    let mut out = Vec::with_capacity(run.len());
    for content in run {
        if cancel.load(Ordering::Relaxed) {
            return Err(MediaError::Cancelled);
        }
        let frame = match *content {
            FrameContent::Hold(i) => slides.get(i),
            FrameContent::Fade(a, b, t) => match (slides.get(a), slides.get(b)) {
                (Some(a), Some(b)) => {
                    a.blend_into(b, t, &mut scratch);
                    Some(&scratch)
                }
                _ => None,
            },
        };
        let frame =
            frame.ok_or_else(|| MediaError::Encoder("timeline names a missing slide".into()))?;
        let bitstream = encoder
            .encode(frame)
            .map_err(|e| MediaError::Encoder(e.to_string()))?;
        let keyframe = matches!(bitstream.frame_type(), FrameType::IDR | FrameType::I);
        let annex_b = bitstream.to_vec();
        if annex_b.is_empty() {
            return Err(MediaError::Encoder(format!(
                "frame {} came out empty",
                out.len()
            )));
        }
        out.push(EncodedFrame { annex_b, keyframe });
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        report(n);
    }
    Ok(out)
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
