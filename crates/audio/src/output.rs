//! Where the mixer's samples go: the sound card (pulled by the device), a WAV file (written at
//! wall-clock pace by a thread, how tests and servers listen), or nowhere (no device: drained at
//! the same pace so the queue and its timeline behave exactly as if someone were listening).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{AudioError, Result};
use crate::mixer::Mixer;
use crate::pcm::RATE;

/// What the player should output to.
#[derive(Clone, Debug)]
pub enum OutputChoice {
    /// A named device, or the default one.
    Device(Option<String>),
    /// Write everything to this WAV file (mono, 44.1 kHz, 16-bit).
    Wav(PathBuf),
}

impl OutputChoice {
    /// A WAV file when one is named, otherwise the named sound device (or the default one).
    pub fn from_settings(wav: Option<PathBuf>, device: Option<String>) -> OutputChoice {
        match wav {
            Some(path) => OutputChoice::Wav(path),
            None => OutputChoice::Device(device),
        }
    }
}

/// The output actually open, kept alive for as long as the player runs.
pub enum Output {
    #[cfg(feature = "device")]
    Device(crate::device::DeviceOutput),
    /// A pacing thread writing to a WAV file or draining into nothing.
    Paced(PacedOutput),
}

impl Output {
    /// Opens `choice`. A missing device is returned as the error beside a draining output, so the
    /// caller can report it and keep running.
    pub fn open(choice: &OutputChoice, mixer: Arc<Mutex<Mixer>>) -> (Output, Option<AudioError>) {
        match choice {
            OutputChoice::Wav(path) => {
                match PacedOutput::start(Some(path.clone()), mixer.clone()) {
                    Ok(o) => (Output::Paced(o), None),
                    Err(e) => (Output::Paced(PacedOutput::drain(mixer)), Some(e)),
                }
            }
            #[cfg(feature = "device")]
            OutputChoice::Device(name) => {
                match crate::device::DeviceOutput::open(name.as_deref(), mixer.clone()) {
                    Ok(d) => (Output::Device(d), None),
                    Err(e) => (Output::Paced(PacedOutput::drain(mixer)), Some(e)),
                }
            }
            #[cfg(not(feature = "device"))]
            OutputChoice::Device(_) => (
                Output::Paced(PacedOutput::drain(mixer)),
                Some(AudioError::NoDevice(
                    "compilado sin soporte de tarjeta de sonido".into(),
                )),
            ),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            #[cfg(feature = "device")]
            Output::Device(d) => d.describe(),
            Output::Paced(p) => match &p.path {
                Some(path) => format!("WAV {}", path.display()),
                None => "sin salida".into(),
            },
        }
    }

    /// Stops the output; a WAV file is finished (header written) before this returns.
    pub fn close(self) -> Result<()> {
        match self {
            #[cfg(feature = "device")]
            Output::Device(_) => Ok(()),
            Output::Paced(p) => p.stop(),
        }
    }
}

pub struct PacedOutput {
    path: Option<PathBuf>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<()>>>,
}

/// How often the pacing thread catches up with the clock.
const TICK: Duration = Duration::from_millis(20);

impl PacedOutput {
    fn start(path: Option<PathBuf>, mixer: Arc<Mutex<Mixer>>) -> Result<PacedOutput> {
        let mut writer = match &path {
            Some(p) => Some(hound::WavWriter::create(p, crate::wav::spec())?),
            None => None,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("audio-output".into())
            .spawn(move || -> Result<()> {
                let started = Instant::now();
                let mut written: u64 = 0;
                let mut buf = Vec::new();
                loop {
                    let stopping = flag.load(Ordering::Acquire);
                    let due = (started.elapsed().as_secs_f64() * RATE as f64) as u64;
                    if due > written {
                        buf.resize((due - written) as usize, 0.0);
                        match mixer.lock() {
                            Ok(mut m) => m.fill(&mut buf),
                            Err(_) => buf.iter_mut().for_each(|s| *s = 0.0),
                        }
                        if let Some(w) = writer.as_mut() {
                            for s in &buf {
                                w.write_sample(crate::wav::to_i16(*s))?;
                            }
                        }
                        written = due;
                    }
                    if stopping {
                        break;
                    }
                    std::thread::sleep(TICK);
                }
                if let Some(w) = writer {
                    w.finalize()?;
                }
                Ok(())
            })?;
        Ok(PacedOutput {
            path,
            stop,
            thread: Some(thread),
        })
    }

    fn drain(mixer: Arc<Mutex<Mixer>>) -> PacedOutput {
        // Without a file nothing can fail but spawning; a failed spawn only means no draining.
        PacedOutput::start(None, mixer).unwrap_or(PacedOutput {
            path: None,
            stop: Arc::new(AtomicBool::new(true)),
            thread: None,
        })
    }

    fn stop(mut self) -> Result<()> {
        self.stop.store(true, Ordering::Release);
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(AudioError::Io(std::io::Error::other(
                "el hilo de salida falló",
            ))),
            None => Ok(()),
        }
    }
}
