//! The MP4 container: H.264 Annex B access units in, a fast-start MP4 out (muxide).

use std::io::Write;

use muxide::api::{Muxer, MuxerBuilder, VideoCodec};

use crate::error::{MediaError, Result};

pub(crate) struct Mp4Writer<W: Write> {
    muxer: Muxer<W>,
    fps: f64,
    frames: u64,
}

impl<W: Write> Mp4Writer<W> {
    pub fn new(out: W, width: u32, height: u32, fps: u32) -> Result<Self> {
        let muxer = MuxerBuilder::new(out)
            .video(VideoCodec::H264, width, height, f64::from(fps))
            .with_fast_start(true)
            .build()
            .map_err(|e| MediaError::Mux(e.to_string()))?;
        Ok(Self {
            muxer,
            fps: f64::from(fps),
            frames: 0,
        })
    }

    /// Appends the next frame (one access unit, Annex B, SPS/PPS included on keyframes).
    pub fn push(&mut self, annex_b: &[u8], keyframe: bool) -> Result<()> {
        let pts = self.frames as f64 / self.fps;
        self.muxer
            .write_video(pts, annex_b, keyframe)
            .map_err(|e| MediaError::Mux(e.to_string()))?;
        self.frames += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<u64> {
        self.muxer
            .finish()
            .map_err(|e| MediaError::Mux(e.to_string()))?;
        Ok(self.frames)
    }
}
