//! The sound card, through rodio. The shared [`Mixer`] becomes an endless rodio `Source` that the
//! device pulls in blocks; no device (servers, CI, a kiosk with its speakers unplugged) is an
//! `AudioError::NoDevice` status, never a panic.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rodio::cpal::traits::HostTrait;
use rodio::{DeviceSinkBuilder, DeviceTrait, MixerDeviceSink, Source};

use crate::error::{AudioError, Result};
use crate::mixer::Mixer;
use crate::pcm::RATE;

/// Names of the output devices this machine offers (empty without a sound card).
pub fn list() -> Result<Vec<String>> {
    let host = rodio::cpal::default_host();
    let devices = host
        .output_devices()
        .map_err(|e| AudioError::NoDevice(e.to_string()))?;
    Ok(devices
        .filter_map(|d| d.description().ok())
        .map(|d| d.name().to_string())
        .collect())
}

/// An open sound card playing a shared mixer. Dropping it closes the device.
pub struct DeviceOutput {
    sink: MixerDeviceSink,
    pub name: String,
}

impl DeviceOutput {
    /// Opens the device called `name` (or the default one) and starts pulling from `mixer`.
    pub fn open(name: Option<&str>, mixer: Arc<Mutex<Mixer>>) -> Result<DeviceOutput> {
        let host = rodio::cpal::default_host();
        let device = match name {
            Some(wanted) => host
                .output_devices()
                .map_err(|e| AudioError::NoDevice(e.to_string()))?
                .find(|d| d.description().is_ok_and(|x| x.name() == wanted))
                .ok_or_else(|| {
                    AudioError::NoDevice(format!("no existe el dispositivo «{wanted}»"))
                })?,
            None => host.default_output_device().ok_or_else(|| {
                AudioError::NoDevice("no hay salida de audio predeterminada".into())
            })?,
        };
        let label = device
            .description()
            .map(|d| d.name().to_string())
            .unwrap_or_else(|_| "default".into());
        let mut sink = DeviceSinkBuilder::from_device(device)
            .and_then(|b| b.open_stream())
            .map_err(|e| AudioError::NoDevice(format!("{e}: {}", source_chain(&e))))?;
        sink.log_on_drop(false);
        sink.mixer().add(MixerSource::new(mixer));
        Ok(DeviceOutput { sink, name: label })
    }

    /// The rate and channels the device runs at, for the status line.
    pub fn describe(&self) -> String {
        let c = self.sink.config();
        format!(
            "{} ({} Hz, {} canales)",
            self.name,
            c.sample_rate(),
            c.channel_count()
        )
    }
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join(": ")
}

/// Block size pulled from the mixer per lock: ~23 ms, small enough for prompt starts.
const BLOCK: usize = 1024;

struct MixerSource {
    mixer: Arc<Mutex<Mixer>>,
    buf: Vec<f32>,
    pos: usize,
}

impl MixerSource {
    fn new(mixer: Arc<Mutex<Mixer>>) -> MixerSource {
        MixerSource {
            mixer,
            buf: vec![0.0; BLOCK],
            pos: BLOCK,
        }
    }
}

impl Iterator for MixerSource {
    type Item = rodio::Sample;

    fn next(&mut self) -> Option<rodio::Sample> {
        if self.pos >= self.buf.len() {
            match self.mixer.lock() {
                Ok(mut m) => m.fill(&mut self.buf),
                // A panicked writer: keep the device fed with silence rather than stop.
                Err(_) => self.buf.iter_mut().for_each(|s| *s = 0.0),
            }
            self.pos = 0;
        }
        let s = self.buf[self.pos];
        self.pos += 1;
        Some(s)
    }
}

impl Source for MixerSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }
    fn channels(&self) -> rodio::ChannelCount {
        rodio::ChannelCount::MIN
    }
    fn sample_rate(&self) -> rodio::SampleRate {
        rodio::SampleRate::new(RATE).unwrap_or(rodio::SampleRate::MIN)
    }
    fn total_duration(&self) -> Option<Duration> {
        None
    }
}
