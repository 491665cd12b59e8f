//! A video file decoded by Debian's ffmpeg into raw RGB frames on a pipe: frames go from the
//! decoder's memory to ours, never to a file.

use std::io::Read;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use super::{FrameSource, ReplayClock};
use crate::error::{Result, VisionError};
use crate::frame::{Frame, MAX_PIXELS};

pub struct VideoSource {
    child: Child,
    stdout: ChildStdout,
    width: u32,
    height: u32,
    clock: ReplayClock,
}

fn probe(path: &Path) -> Result<(u32, u32)> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .map_err(|e| {
            VisionError::NoCamera(format!("ffprobe is needed to read video files: {e}"))
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.trim().split(',').map(|p| p.trim().parse::<u32>());
    match (parts.next(), parts.next()) {
        (Some(Ok(w)), Some(Ok(h))) if w > 0 && h > 0 && (w as u64 * h as u64) <= MAX_PIXELS => {
            Ok((w, h))
        }
        _ => Err(VisionError::NoCamera(format!(
            "{} is not a readable video: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
    }
}

impl VideoSource {
    pub fn open(path: &Path, clock: ReplayClock) -> Result<VideoSource> {
        if !path.is_file() {
            return Err(VisionError::NoCamera(format!(
                "no video file at {}",
                path.display()
            )));
        }
        let (width, height) = probe(path)?;
        let mut child = Command::new("ffmpeg")
            .args(["-v", "error", "-nostdin", "-i"])
            .arg(path)
            .args(["-an", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                VisionError::NoCamera(format!("ffmpeg is needed to read video files: {e}"))
            })?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| VisionError::Source("ffmpeg gave no output".into()))?;
        Ok(VideoSource {
            child,
            stdout,
            width,
            height,
            clock,
        })
    }
}

impl FrameSource for VideoSource {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        let mut rgb = vec![0u8; self.width as usize * self.height as usize * 3];
        let mut filled = 0;
        while filled < rgb.len() {
            match self.stdout.read(&mut rgb[filled..]) {
                Ok(0) => return Ok(None),
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(VisionError::Source(format!("reading the video: {e}"))),
            }
        }
        Frame::new(self.width, self.height, rgb, self.clock.tick()).map(Some)
    }
}

impl Drop for VideoSource {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
