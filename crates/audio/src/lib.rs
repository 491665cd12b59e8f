//! Kidyboard's sound: when a child's time is up, a chime and a spoken announcement ("Se terminó
//! el tiempo de Sofía"); between them, the store's scheduled jingles and messages over optional
//! background music that ducks while anything is said.
//!
//! - [`mixer`]: the deterministic engine (priorities, no overlaps, ducking, a timeline of what
//!   played when). The same engine feeds the sound card and the WAV writer.
//! - [`speech`]: espeak-ng offline, templates per language, a cache of renderings.
//! - [`loudness`]: EBU R128 measurement and normalisation to −16 LUFS.
//! - [`pcm`]: decoding WAV/MP3/OGG/FLAC (rodio/symphonia) with limits for untrusted uploads.
//! - [`player`]: the live player that follows a hub (timer expiries, schedules) — what
//!   `kidyboard audio run` and the desktop shell host.

pub mod chime;
#[cfg(feature = "device")]
pub mod device;
pub mod error;
pub mod hub_client;
pub mod loudness;
pub mod mixer;
pub mod output;
pub mod pcm;
pub mod player;
pub mod speech;
pub mod wav;

pub use error::{AudioError, Result};
pub use mixer::{Item, Mixer, MixerConfig, Placement, Priority};
pub use output::OutputChoice;
pub use pcm::{Pcm, RATE};
pub use player::{PlayerConfig, PlayerHandle, PlayerStatus};

/// Output device names, or why there are none.
pub fn devices() -> Result<Vec<String>> {
    #[cfg(feature = "device")]
    {
        device::list()
    }
    #[cfg(not(feature = "device"))]
    {
        Err(AudioError::NoDevice(
            "compilado sin soporte de tarjeta de sonido".into(),
        ))
    }
}
