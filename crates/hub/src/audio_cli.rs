//! `kidyboard audio …`: run the speaker player against a hub, list sound devices, or speak one
//! phrase to a WAV file (to hear a template before saving it).

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Subcommand;
use kidyboard_audio::hub_client::HubClient;
use kidyboard_audio::speech::{default_voice, Voice};
use kidyboard_audio::{loudness, wav, OutputChoice, PlayerConfig};

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum AudioCommand {
    /// Follow a hub: announce expired timers and play the scheduled clips.
    Run {
        /// The hub's address, e.g. http://192.168.1.10:8080
        #[arg(long, env = "KIDYBOARD_HUB_URL")]
        hub: String,
        /// An API token (or log in with --user and a password on standard input).
        #[arg(long, env = "KIDYBOARD_HUB_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// A user (reception or monitor) whose password is read from standard input.
        #[arg(long)]
        user: Option<String>,
        /// The output device's name (see `kidyboard audio devices`); default: the system's.
        #[arg(long, conflicts_with = "wav")]
        device: Option<String>,
        /// Write everything to this WAV file instead of a device.
        #[arg(long)]
        wav: Option<PathBuf>,
        /// How this player is named in the admin's status list (default: the host name).
        #[arg(long)]
        name: Option<String>,
    },
    /// List the sound devices this machine offers.
    Devices,
    /// Speak a text (chime first, unless --no-chime) into a WAV file.
    Say {
        text: String,
        #[arg(long)]
        wav: PathBuf,
        /// espeak-ng voice (default es-419).
        #[arg(long)]
        voice: Option<String>,
        #[arg(long)]
        no_chime: bool,
    },
}

pub async fn run(config: &Config, command: AudioCommand) -> anyhow::Result<()> {
    let cache = config.data_dir.join("audio-cache");
    match command {
        AudioCommand::Devices => {
            match kidyboard_audio::devices() {
                Ok(list) if list.is_empty() => println!("no hay dispositivos de sonido"),
                Ok(list) => list.iter().for_each(|d| println!("{d}")),
                Err(e) => println!("{e}"),
            }
            Ok(())
        }
        AudioCommand::Say {
            text,
            wav: out,
            voice,
            no_chime,
        } => {
            let voice = Voice::new(
                voice.as_deref().unwrap_or(default_voice("es")),
                &cache.join("speech"),
            );
            let pcm = if no_chime {
                loudness::normalise(&voice.speak(&text)?)?.0
            } else {
                voice.announcement(&text)?
            };
            wav::write_mono(&out, pcm.samples())?;
            println!("{} ({} ms)", out.display(), pcm.duration_ms());
            Ok(())
        }
        AudioCommand::Run {
            hub,
            token,
            user,
            device,
            wav,
            name,
        } => {
            let client = match (token, user) {
                (Some(t), _) => HubClient::new(&hub, &t),
                (None, Some(u)) => {
                    let mut password = String::new();
                    std::io::stdin().read_line(&mut password)?;
                    HubClient::login(&hub, &u, password.trim_end_matches(['\r', '\n'])).await?
                }
                (None, None) => bail!("pass --token or --user (password on standard input)"),
            };
            let player = kidyboard_audio::player::start(PlayerConfig {
                hub: client,
                name: kidyboard_audio::player::default_name(name),
                output: OutputChoice::from_settings(wav, device),
                cache_dir: cache,
                mixer: Default::default(),
                clock: None,
            });
            let status = player.status();
            println!("salida: {} — estado: {}", status.output, status.state);
            if let Some(e) = &status.last_error {
                println!("aviso: {e}");
            }
            crate::server::shutdown_signal().await;
            player.stop().await.context("closing the audio output")?;
            Ok(())
        }
    }
}
