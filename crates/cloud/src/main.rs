//! `kidyboard-cloud`: the cloud sync service over PostgreSQL, a program of its own so the store's
//! `kidyboard` links none of it. Settings: defaults, then `--config FILE`, then `KIDYBOARD_CLOUD_*`
//! variables, then flags (see `CloudConfig`).

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use kidyboard_cloud::CloudConfig;

#[derive(Debug, Parser)]
#[command(
    name = "kidyboard-cloud",
    version,
    about = "Kidyboard's cloud: every branch's events, the catalogue feed and the owner's reports, over PostgreSQL"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the cloud sync service over PostgreSQL (migrations are applied at start).
    Serve {
        /// A TOML file of settings (see crates/cloud/README.md); KIDYBOARD_CLOUD_* variables override it.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address to listen on (default 127.0.0.1:8090).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// PostgreSQL connection string.
        #[arg(long, env = "KIDYBOARD_CLOUD_DATABASE_URL")]
        database_url: Option<String>,
        /// The console's built files (ui/dist-console); without it only the API is served.
        #[arg(long, env = "KIDYBOARD_CLOUD_CONSOLE_DIR")]
        console_dir: Option<PathBuf>,
        /// Where people reach the console (invitation links start with it).
        #[arg(long, env = "KIDYBOARD_CLOUD_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Print the cloud's OpenAPI document (what the console's typed client is generated from).
    Openapi,
}

fn load(file: Option<&Path>) -> anyhow::Result<CloudConfig> {
    let mut cloud: CloudConfig = match file {
        Some(f) => {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?
        }
        None => CloudConfig::default(),
    };
    if let Ok(v) = std::env::var("KIDYBOARD_CLOUD_LISTEN") {
        cloud.listen = v
            .parse()
            .map_err(|e| anyhow::anyhow!("KIDYBOARD_CLOUD_LISTEN: {e}"))?;
    }
    if let Ok(v) = std::env::var("KIDYBOARD_CLOUD_OPERATOR_TOKEN") {
        cloud.operator_token = v;
    }
    if let Ok(v) = std::env::var("KIDYBOARD_CLOUD_SECRET_KEY") {
        cloud.secret_key = v;
    }
    Ok(cloud)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            let doc = serde_json::to_string_pretty(&kidyboard_cloud::openapi::spec())?;
            // A closed pipe (`| head`) is the reader's choice, not an error.
            let _ = writeln!(std::io::stdout(), "{doc}");
            Ok(())
        }
        Command::Serve {
            config,
            listen,
            database_url,
            console_dir,
            public_url,
        } => {
            let filter = tracing_subscriber::EnvFilter::try_from_env("KIDYBOARD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn"));
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .init();
            let mut cloud = load(config.as_deref())?;
            if let Some(l) = listen {
                cloud.listen = l;
            }
            if let Some(d) = database_url {
                cloud.database_url = d;
            }
            if console_dir.is_some() {
                cloud.console_dir = console_dir;
            }
            if let Some(u) = public_url {
                cloud.public_url = u;
            }
            // Not println!: a closed stdout (a supervisor that stopped reading) must not panic.
            let scheme = if cloud.tls_cert_file.is_some() {
                "https"
            } else {
                "http"
            };
            let _ = writeln!(
                std::io::stdout(),
                "Kidyboard cloud listening on {scheme}://{}",
                cloud.listen
            );
            // Ctrl-C or SIGTERM (systemd, a container stop) ends it after the requests in flight.
            kidyboard_cloud::serve(cloud, kidyboard_http::shutdown_signal()).await?;
            Ok(())
        }
    }
}
