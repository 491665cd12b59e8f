//! The `kidyboard` command line.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use kidyboard_core::clock::now_ms;
use kidyboard_core::users::{self, UserInput};
use kidyboard_core::{demo, Actor, Store};

use crate::config::Config;
use crate::server::{shutdown_signal, Hub};

#[derive(Debug, Parser)]
#[command(
    name = "kidyboard",
    version,
    about = "Kidyboard: the play centre's store hub and tools"
)]
pub struct Cli {
    /// Data directory (database, backups, caches). Default: ~/.local/share/kidyboard.
    #[arg(long, global = true, env = "KIDYBOARD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the store hub (HTTP + WebSocket API and the web UI).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080; use 0.0.0.0:8080 for the store's LAN).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Load a demo catalogue and one user per role (password "demo1234") into an empty data
        /// dir; a data dir made so keeps starting with --demo, a real store is refused.
        #[arg(long)]
        demo: bool,
        /// With --demo: the days of past a new demo store starts with (check-ins, snacks,
        /// visitors, closed days), so the dashboards and forecasts have something to show; 0 for
        /// none.
        #[arg(long, value_name = "DAYS", default_value_t = 42, value_parser = clap::value_parser!(u32).range(0..=400))]
        demo_history: u32,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent copy of the database (safe while the hub runs).
    Backup {
        /// Where to write it, uncompressed (default: <data-dir>/backups/…-manual.sqlite.gz).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Put a backup back, with the hub stopped: the backup is checked, the current database is
    /// kept aside as kidyboard.sqlite.before-restore-<time>, the backup takes its place.
    Restore {
        /// A backup file (.sqlite.gz or .sqlite), or the name of one in <data-dir>/backups.
        file: PathBuf,
    },
    /// Print the API's OpenAPI document.
    Openapi,
    /// HTTPS on the store's network, so tablets and TVs can install the web app.
    Tls {
        #[command(subcommand)]
        command: TlsCommand,
    },
    /// The cloud: pair this store with it (the service itself is `kidyboard-cloud serve`).
    Cloud {
        #[command(subcommand)]
        command: CloudCommand,
    },
    /// Picture tools.
    Image {
        #[command(subcommand)]
        command: ImageCommand,
    },
    /// Menu designs: list them, export one as PDF, MP4 or PNG.
    #[cfg(feature = "media")]
    Menu {
        #[command(subcommand)]
        command: crate::cli_menu::MenuCommand,
    },
    /// The totem's anonymous visitor counter.
    #[cfg(feature = "vision")]
    Vision {
        #[command(subcommand)]
        command: crate::vision_cli::VisionCommand,
    },
    /// The store's speakers: announcements and scheduled jingles.
    #[cfg(feature = "audio")]
    Audio {
        #[command(subcommand)]
        command: crate::audio_cli::AudioCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// Moved: the cloud service is its own program, `kidyboard-cloud serve` (same options), so
    /// the store links no PostgreSQL code. This says so and fails.
    Serve {
        /// The options meant for the cloud, repeated in the message.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Pair this store with a cloud using a pairing code made by the owner.
    Pair {
        /// The cloud's address, e.g. https://nube.example.mx
        #[arg(long)]
        url: String,
        /// The pairing code.
        #[arg(long)]
        code: String,
        /// A name for this device (default: the branch's name).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Resize (keeping the aspect ratio, never enlarging) and encode one picture.
    Optimize {
        /// The picture to read (JPEG, PNG or WebP).
        input: PathBuf,
        /// Target width in pixels.
        #[arg(long)]
        width: u32,
        /// avif, webp or jpeg.
        #[arg(long)]
        format: String,
        /// Where to write the result.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// super_admin, admin_viewer, reception, kidibar, monitor or totem.
        #[arg(long)]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (first line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// Prints a line to stdout, ignoring a closed pipe: a supervisor that stops reading our output
/// must not bring the hub down.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KIDYBOARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[derive(Debug, Subcommand)]
pub enum TlsCommand {
    /// Make the store's certificate authority (once) and the hub's certificate for its names
    /// and LAN addresses; the hub serves HTTPS from its next start.
    Init {
        /// A name or address devices use to reach the hub (repeat: e.g. --name 192.168.1.20
        /// --name recepcion.local); localhost and 127.0.0.1 are always included.
        #[arg(long = "name", value_name = "HOST")]
        names: Vec<String>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.data_dir.as_deref())?;
    match cli.command {
        Command::Serve {
            listen,
            demo,
            demo_history,
        } => {
            if let Some(l) = listen {
                config.listen = l;
            }
            init_logging(config.log_json);
            serve(config, demo.then_some(demo_history)).await
        }
        Command::User { command } => {
            init_logging(config.log_json);
            match command {
                UserCommand::Add {
                    username,
                    role,
                    display_name,
                    password_stdin,
                } => {
                    if !password_stdin {
                        bail!("pass --password-stdin and the password on standard input");
                    }
                    let mut input = String::new();
                    std::io::stdin().read_to_string(&mut input)?;
                    let password = input.lines().next().unwrap_or("").to_string();
                    let store = open_store(&config)?;
                    let user = store.change(&Actor::system(), now_ms(), |tx| {
                        users::create(
                            tx,
                            &UserInput {
                                username: Some(username),
                                password: Some(password),
                                role: Some(role),
                                display_name,
                                active: Some(true),
                                pin: None,
                            },
                        )
                    })?;
                    println!(
                        "created user {} ({}) with id {}",
                        user.username,
                        user.role.as_str(),
                        user.id
                    );
                    Ok(())
                }
            }
        }
        #[cfg(feature = "audio")]
        Command::Audio { command } => {
            init_logging(config.log_json);
            crate::audio_cli::run(&config, command).await
        }
        Command::Backup { out } => {
            let store = open_store(&config)?;
            let path = match out {
                Some(p) => {
                    store.backup_to(&p)?;
                    p
                }
                None => {
                    let b =
                        crate::backups::take(&store, &config, crate::backups::BackupKind::Manual)?;
                    config.backups_dir().join(b.name)
                }
            };
            println!("{}", path.display());
            Ok(())
        }
        Command::Restore { file } => {
            let done = crate::restore::restore_stopped(&config, &file)?;
            println!("{done}");
            Ok(())
        }
        Command::Image {
            command:
                ImageCommand::Optimize {
                    input,
                    width,
                    format,
                    output,
                },
        } => {
            let format = kidyboard_images::Format::ALL
                .into_iter()
                .find(|f| f.name().eq_ignore_ascii_case(&format))
                .ok_or_else(|| {
                    anyhow::anyhow!("unknown format {format:?}: use avif, webp or jpeg")
                })?;
            let started = std::time::Instant::now();
            let out = kidyboard_images::optimize_file(&input, &output, width, format)
                .with_context(|| format!("optimising {}", input.display()))?;
            println!(
                "{} → {} ({}×{} {}, {} bytes, {} ms)",
                input.display(),
                output.display(),
                out.width,
                out.height,
                out.format.name(),
                out.bytes.len(),
                started.elapsed().as_millis()
            );
            Ok(())
        }
        Command::Cloud {
            command: CloudCommand::Serve { args },
        } => {
            let mut command = String::from("kidyboard-cloud serve");
            for a in &args {
                command.push(' ');
                if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"')
                {
                    command.push_str(&format!("'{}'", a.replace('\'', r"'\''")));
                } else {
                    command.push_str(a);
                }
            }
            bail!(
                "the cloud service is its own program now (the store's `kidyboard` links no \
                 PostgreSQL code): run `{command}` instead; settings and KIDYBOARD_CLOUD_* \
                 variables are the same (see crates/cloud/README.md)"
            )
        }
        Command::Cloud {
            command: CloudCommand::Pair { url, code, name },
        } => {
            let store = std::sync::Arc::new(open_store(&config)?);
            let link = kidyboard_sync::worker::pairing::pair(store, &url, &code, name).await?;
            println!("paired with {url}: {link:?}");
            Ok(())
        }
        #[cfg(feature = "media")]
        Command::Menu { command } => {
            let store = open_store(&config)?;
            crate::cli_menu::run(&config, &store, command)
        }
        #[cfg(feature = "vision")]
        Command::Vision { command } => {
            init_logging(config.log_json);
            crate::vision_cli::run(command).await
        }
        Command::Tls {
            command: TlsCommand::Init { names },
        } => {
            let store = open_store(&config)?;
            let store_name = store.home_branch().map(|b| b.name).unwrap_or_default();
            drop(store);
            let issued = crate::tls::init(&config.data_dir, &names, &store_name)?;
            println!(
                "Certificado del hub para: {}\n  {}\n  {}",
                issued.names.join(", "),
                issued.cert.display(),
                issued.key.display()
            );
            if issued.new_authority {
                println!(
                    "Autoridad nueva de la tienda: {}.\nEn cada tableta o TV, abre https://<hub>/ca.crt e instálalo como certificado de CA \
                     (Android: Ajustes › Seguridad › Cifrado y credenciales › Instalar un certificado › Certificado de CA); \
                     después la app se instala desde el navegador.",
                    issued.ca_cert.display()
                );
            } else {
                println!(
                    "Firmado por la autoridad que los equipos ya confían ({}).",
                    issued.ca_cert.display()
                );
            }
            println!("Reinicia el hub: servirá HTTPS en la misma dirección.");
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::openapi::spec().to_pretty_json()?);
            Ok(())
        }
    }
}

fn open_store(config: &Config) -> anyhow::Result<Store> {
    kidyboard_core::store::make_private_dir(&config.data_dir)?;
    Store::open(&config.database_path()).map_err(|e| crate::restore::explain_open_error(config, e))
}

/// `demo`: `Some(days of history)` with `--demo`.
async fn serve(config: Config, demo: Option<u32>) -> anyhow::Result<()> {
    let hub = Hub::bind(config).await?;
    let addr = hub.local_addr()?;
    let scheme = if hub.is_https() { "https" } else { "http" };
    let base = format!("{scheme}://{addr}");
    // Before announcing anything: a real store refuses --demo and the hub does not start.
    let demo_start = if let Some(days) = demo {
        let store = hub.state.store.clone();
        let data_dir = hub.state.config.data_dir.clone();
        let (start, history) = tokio::task::spawn_blocking(move || {
            let start = demo::start(&store)?;
            // A demo store just loaded gets its past; one that already ran keeps its own.
            let history = if start.catalogue_loaded && days > 0 {
                Some(kidyboard_core::demo_history::generate(&store, days)?)
            } else {
                None
            };
            Ok::<_, kidyboard_core::CoreError>((start, history))
        })
        .await?
        .with_context(|| format!("--demo en {}", data_dir.display()))?;
        Some((start, history))
    } else {
        None
    };
    // The first line is for people and scripts alike: tests read the port from it.
    say!("Kidyboard hub listening on {base}");
    if let Some((loaded, history)) = demo_start {
        if loaded.catalogue_loaded {
            say!("Demo catalogue loaded.");
        }
        if let Some(h) = history {
            say!(
                "Demo history: {} days ({} tickets, {} children, {} visitors counted, {} days closed).",
                h.days,
                h.tickets,
                h.children,
                h.visitors,
                h.closings
            );
        }
        say!("Demo users (password \"{}\"):", demo::DEMO_PASSWORD);
        for (username, _, role) in demo::DEMO_USERS {
            say!("  {username:<10} {}", role.as_str());
        }
    }
    say!("Data: {}", hub.state.config.data_dir.display());
    if hub.state.config.ui_dir.is_none() {
        say!("Web UI not found (build it with `npm --prefix ui run build` or set KIDYBOARD_UI_DIR); the API works.");
    }
    for (role, path) in [
        ("Recepción", "/reception"),
        ("Kidibar", "/kidibar"),
        ("Monitor", "/monitor"),
        ("Tótem", "/totem"),
        ("Administración", "/admin"),
    ] {
        say!("  {role:<15} {base}{path}");
    }
    say!("  API docs        {base}/api/v1/openapi.json");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    tracing::info!(%addr, "hub started");
    hub.serve(shutdown_signal()).await
}
