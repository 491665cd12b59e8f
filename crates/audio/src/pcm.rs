//! Sound as the engine holds it: mono `f32` samples at one fixed rate, decoded from WAV, MP3,
//! OGG or FLAC through rodio's (symphonia) decoders, with limits checked while decoding so a
//! hostile file cannot make us hold hours of audio.

use std::io::Cursor;
use std::sync::Arc;

use rodio::Source;

use crate::error::{AudioError, Result};

/// The engine's sample rate. espeak-ng speaks at 22 050 Hz, an exact half, so speech is
/// upsampled without fractional positions.
pub const RATE: u32 = 44_100;

/// Mono samples at [`RATE`], shared cheaply between the queue, the cache and the output.
#[derive(Clone, Debug, Default)]
pub struct Pcm {
    samples: Arc<[f32]>,
}

impl Pcm {
    pub fn new(samples: Vec<f32>) -> Pcm {
        Pcm {
            samples: samples.into(),
        }
    }

    pub fn silence(ms: u64) -> Pcm {
        Pcm::new(vec![0.0; ms_to_samples(ms) as usize])
    }

    pub fn samples(&self) -> &[f32] {
        &self.samples
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    pub fn duration_ms(&self) -> u64 {
        self.samples.len() as u64 * 1000 / RATE as u64
    }

    /// These clips one after another.
    pub fn concat(parts: &[&Pcm]) -> Pcm {
        let mut out = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
        for p in parts {
            out.extend_from_slice(p.samples());
        }
        Pcm::new(out)
    }

    /// Interleaved frames at any rate → mono at [`RATE`].
    pub fn from_interleaved(frames: &[f32], channels: u16, rate: u32) -> Pcm {
        let mono = downmix(frames, channels.max(1));
        Pcm::new(resample(&mono, rate, RATE))
    }
}

pub fn ms_to_samples(ms: u64) -> u64 {
    ms * RATE as u64 / 1000
}

/// Limits for decoding untrusted uploads.
#[derive(Clone, Copy, Debug)]
pub struct DecodeLimits {
    pub max_bytes: u64,
    pub max_seconds: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_bytes: 30 * 1024 * 1024,
            max_seconds: 10 * 60,
        }
    }
}

/// Decodes a WAV/MP3/OGG/FLAC file. Refuses what is not audio, what holds no sound, and what
/// exceeds the limits — before holding more than the limit in memory.
pub fn decode(bytes: &[u8], limits: DecodeLimits) -> Result<Pcm> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(AudioError::TooBig {
            bytes: bytes.len() as u64,
            max: limits.max_bytes,
        });
    }
    // symphonia would try to decode plain text as MP3 frames; a quick look at the signature
    // refuses obvious non-audio with a clear message.
    if sniff_format(bytes).is_none() {
        return Err(AudioError::NotAudio("formato no reconocido".into()));
    }
    let decoder = rodio::Decoder::new(Cursor::new(bytes.to_vec()))
        .map_err(|e| AudioError::NotAudio(e.to_string()))?;
    let channels = decoder.channels().get();
    let rate = decoder.sample_rate().get();
    let max_samples = limits.max_seconds * rate as u64 * channels as u64;
    let mut frames = Vec::new();
    for s in decoder {
        if frames.len() as u64 >= max_samples {
            return Err(AudioError::TooLong {
                seconds: limits.max_seconds + 1,
                max: limits.max_seconds,
            });
        }
        if !s.is_finite() {
            return Err(AudioError::NotAudio("muestras inválidas".into()));
        }
        frames.push(s);
    }
    if frames.len() < channels as usize * (rate as usize / 100) {
        // Less than 10 ms: a header with no body, or a file cut right after it.
        return Err(AudioError::Empty);
    }
    Ok(Pcm::from_interleaved(&frames, channels, rate))
}

/// The format by its magic number (WAV, FLAC, OGG, MP3 with or without an ID3 tag), if any.
pub fn sniff_format(b: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| b.len() >= m.len() && &b[..m.len()] == m;
    let mp3_sync = b.len() >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0;
    if starts(b"RIFF") && b.len() >= 12 && &b[8..12] == b"WAVE" {
        Some("wav")
    } else if starts(b"fLaC") {
        Some("flac")
    } else if starts(b"OggS") {
        Some("ogg")
    } else if starts(b"ID3") || mp3_sync {
        Some("mp3")
    } else {
        None
    }
}

fn downmix(frames: &[f32], channels: u16) -> Vec<f32> {
    if channels == 1 {
        return frames.to_vec();
    }
    let c = channels as usize;
    frames
        .chunks_exact(c)
        .map(|f| f.iter().sum::<f32>() / c as f32)
        .collect()
}

/// Linear interpolation on exact rational positions: output sample `n` sits at input position
/// `n·from/to`, so for `to = 2·from` every even output sample is an input sample unchanged.
pub fn resample(input: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || input.is_empty() {
        return input.to_vec();
    }
    let (from, to) = (from as u64, to as u64);
    let out_len = (input.len() as u64 * to).div_ceil(from);
    let mut out = Vec::with_capacity(out_len as usize);
    for n in 0..out_len {
        let pos = n * from;
        let i = (pos / to) as usize;
        let frac = (pos % to) as f32 / to as f32;
        let a = input.get(i).copied().unwrap_or(0.0);
        let b = input.get(i + 1).copied().unwrap_or(a);
        out.push(a + (b - a) * frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubling_the_rate_keeps_every_input_sample() {
        let input: Vec<f32> = (0..100).map(|i| (i as f32 * 0.1).sin()).collect();
        let out = resample(&input, 22_050, 44_100);
        assert_eq!(out.len(), 200);
        for (k, s) in input.iter().enumerate() {
            assert_eq!(out[2 * k], *s, "even samples are the input's");
        }
    }

    #[test]
    fn text_and_truncated_headers_are_refused() {
        let limits = DecodeLimits::default();
        assert!(matches!(
            decode(b"hola, esto no es audio", limits),
            Err(AudioError::NotAudio(_))
        ));
        assert!(decode(b"RIFF\0\0\0\0WAVEfmt ", limits).is_err());
    }
}
