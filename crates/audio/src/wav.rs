//! WAV in and out (hound): how tests listen, and how the clip library stores normalised sound.

use std::path::Path;

use crate::error::Result;
use crate::pcm::RATE;

/// Writes mono samples at [`RATE`] as 16-bit PCM (clamped to full scale).
pub fn write_mono(path: &Path, samples: &[f32]) -> Result<()> {
    let mut w = hound::WavWriter::create(path, spec())?;
    for s in samples {
        w.write_sample(to_i16(*s))?;
    }
    w.finalize()?;
    Ok(())
}

/// The same as bytes in memory.
pub fn mono_bytes(samples: &[f32]) -> Result<Vec<u8>> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut buf, spec())?;
        for s in samples {
            w.write_sample(to_i16(*s))?;
        }
        w.finalize()?;
    }
    Ok(buf.into_inner())
}

pub fn spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

pub fn to_i16(s: f32) -> i16 {
    (s.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16
}

/// Interleaved `f32` frames, channel count and rate of a WAV file.
pub fn read_frames(path: &Path) -> Result<(Vec<f32>, u16, u32)> {
    let r = hound::WavReader::open(path)?;
    let spec = r.spec();
    let frames = match spec.sample_format {
        hound::SampleFormat::Float => r.into_samples::<f32>().collect::<Result<_, _>>()?,
        hound::SampleFormat::Int => {
            let scale = (1i64 << (spec.bits_per_sample - 1)) as f32;
            r.into_samples::<i32>()
                .map(|s| s.map(|v| v as f32 / scale))
                .collect::<Result<_, _>>()?
        }
    };
    Ok((frames, spec.channels, spec.sample_rate))
}
