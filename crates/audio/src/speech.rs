//! Offline speech: espeak-ng (Debian) renders the announcement text to WAV; each rendering is
//! kept in a cache by hash(voice, text), so the tenth "Se terminó el tiempo de Sofía" costs a
//! file read. Announcement text comes from a template per language with the child's name.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::chime::chime;
use crate::error::{AudioError, Result};
use crate::loudness::normalise;
use crate::pcm::{Pcm, RATE};
use crate::wav;

/// The default templates; `{name}` is replaced by the child's name.
pub const TEMPLATE_ES: &str = "Se terminó el tiempo de {name}";
pub const TEMPLATE_EN: &str = "{name}'s time is up";
/// The call before the end: `{name}` and `{minutes}` are replaced.
pub const WARNING_ES: &str = "A {name} le quedan {minutes} minutos de juego";
pub const WARNING_EN: &str = "{name} has {minutes} minutes of play left";

/// A child's first name, as the speakers call them (never the surname).
pub fn first_name(name: &str) -> String {
    name.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The phrase for a child whose time is nearly up.
pub fn warning_text(language: &str, child_name: &str, minutes: i64) -> String {
    let template = if language.starts_with("en") {
        WARNING_EN
    } else {
        WARNING_ES
    };
    let name: String = first_name(child_name)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    template
        .replace("{name}", &name)
        .replace("{minutes}", &minutes.to_string())
        .chars()
        .take(MAX_TEXT_CHARS)
        .collect()
}

/// A message typed at the desk, as spoken: control characters out, cut to the longest text.
pub fn free_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(MAX_TEXT_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Longest text spoken (a template with a very long name is cut, not refused).
const MAX_TEXT_CHARS: usize = 300;
/// Silence between the chime and the voice.
const CHIME_GAP_MS: u64 = 250;

/// The phrase for a child's expiry in `language` ("es" or "en"), from `template` when given.
pub fn announcement_text(template: Option<&str>, language: &str, child_name: &str) -> String {
    let template = match template.filter(|t| t.contains("{name}")) {
        Some(t) => t,
        None if language.starts_with("en") => TEMPLATE_EN,
        None => TEMPLATE_ES,
    };
    let name: String = child_name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string();
    template
        .replace("{name}", &name)
        .chars()
        .take(MAX_TEXT_CHARS)
        .collect()
}

/// The espeak-ng voice for a language: Latin-American Spanish for the stores in Mexico.
pub fn default_voice(language: &str) -> &'static str {
    if language.starts_with("en") {
        "en-us"
    } else {
        "es-419"
    }
}

/// Renders speech with espeak-ng, through a cache directory.
#[derive(Clone, Debug)]
pub struct Voice {
    pub voice: String,
    pub cache_dir: PathBuf,
    /// The espeak-ng program (default `espeak-ng` on PATH).
    pub program: PathBuf,
}

impl Voice {
    pub fn new(voice: &str, cache_dir: &Path) -> Voice {
        Voice {
            voice: voice.to_string(),
            cache_dir: cache_dir.to_path_buf(),
            program: PathBuf::from("espeak-ng"),
        }
    }

    /// espeak-ng's own WAV for `text` (from the cache when present).
    pub fn render_file(&self, text: &str) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.cache_dir)?;
        let path = self
            .cache_dir
            .join(format!("{}.wav", cache_key(&self.voice, text)));
        if path.exists() {
            return Ok(path);
        }
        // Written beside, then renamed: a crash mid-render never leaves a half file in the cache.
        let tmp = path.with_extension("wav.part");
        let out = Command::new(&self.program)
            .arg("-v")
            .arg(&self.voice)
            .arg("-w")
            .arg(&tmp)
            .arg("--")
            .arg(text)
            .output()
            .map_err(|e| AudioError::Speech(format!("{}: {e}", self.program.display())))?;
        if !out.status.success() {
            let _ = std::fs::remove_file(&tmp);
            return Err(AudioError::Speech(
                String::from_utf8_lossy(&out.stderr).trim().to_string(),
            ));
        }
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }

    /// The spoken text as engine samples (not normalised).
    pub fn speak(&self, text: &str) -> Result<Pcm> {
        let path = self.render_file(text)?;
        let (frames, channels, rate) = wav::read_frames(&path)?;
        Ok(Pcm::from_interleaved(&frames, channels, rate))
    }

    /// Chime, a short pause, then the voice; normalised together to the target loudness.
    pub fn announcement(&self, text: &str) -> Result<Pcm> {
        let speech = self.speak(text)?;
        let whole = Pcm::concat(&[&chime(), &Pcm::silence(CHIME_GAP_MS), &speech]);
        Ok(normalise(&whole)?.0)
    }
}

/// Where the voice starts inside an [`Voice::announcement`] (samples from its start).
pub fn speech_offset() -> usize {
    chime().len() + (CHIME_GAP_MS * RATE as u64 / 1000) as usize
}

fn cache_key(voice: &str, text: &str) -> String {
    let mut h = Sha256::new();
    h.update(voice.as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_put_the_name_in_its_place() {
        assert_eq!(
            announcement_text(None, "es", " Sofía\n"),
            "Se terminó el tiempo de Sofía"
        );
        assert_eq!(announcement_text(None, "en", "Leo"), "Leo's time is up");
        assert_eq!(
            announcement_text(Some("{name}, te esperan en recepción"), "es", "Ana"),
            "Ana, te esperan en recepción"
        );
        // A template without the placeholder would never say who: the default is used.
        assert_eq!(
            announcement_text(Some("Atención"), "es", "Ana"),
            "Se terminó el tiempo de Ana"
        );
    }

    #[test]
    fn the_cache_key_depends_on_voice_and_text() {
        assert_ne!(cache_key("es", "a"), cache_key("en", "a"));
        assert_ne!(cache_key("es", "ab"), cache_key("es", "a"));
        assert_eq!(cache_key("es", "a"), cache_key("es", "a"));
    }
}
