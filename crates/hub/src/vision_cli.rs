//! `kidyboard vision …`: run the totem's visitor counter against a hub, list cameras, write a
//! demo folder of frames. The counter itself lives in `kidyboard-vision`; this only wires it to
//! the command line, the hub's API and the optional installer preview.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::error::ApiError;
use anyhow::{bail, Context};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use clap::{Args, Subcommand};
use kidyboard_core::clock;
use kidyboard_vision::hub::{forward, HubClient};
use kidyboard_vision::spool::Spool;
use kidyboard_vision::{
    preview, ModelPaths, RunnerConfig, SourceSpec, VisionHandle, VisionService,
};

// Parsed once at start: the size of the `run` options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum VisionCommand {
    /// Count visitors from a camera, video or folder and report to a hub.
    Run(RunArgs),
    /// List the cameras this machine offers.
    Devices,
    /// Write a folder of frames in which two people arrive, linger and leave (for `--source dir:`).
    DemoFrames {
        /// Where to write the frames.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// camera, camera:INDEX, camera:NAME, file:VIDEO or dir:FOLDER.
    #[arg(long, default_value = "camera")]
    pub source: String,
    /// The hub's address.
    #[arg(
        long,
        default_value = "http://127.0.0.1:8080",
        env = "KIDYBOARD_HUB_URL"
    )]
    pub hub: String,
    /// A totem user's name (the password is read from standard input).
    #[arg(long, conflicts_with = "token")]
    pub user: Option<String>,
    /// A session token instead of a user and password.
    #[arg(long, env = "KIDYBOARD_VISION_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// This camera's name in reports (default: totem).
    #[arg(long, default_value = "totem")]
    pub device_id: String,
    /// Camera resolution and frame rate asked for; for files and folders, the frame rate they play at.
    #[arg(long, default_value_t = 640)]
    pub width: u32,
    #[arg(long, default_value_t = 480)]
    pub height: u32,
    #[arg(long, default_value_t = 15)]
    pub fps: u32,
    /// Files and folders: the instant of the first frame (RFC 3339; default now).
    #[arg(long)]
    pub replay_start: Option<String>,
    /// Files and folders: play at their frame rate instead of as fast as possible.
    #[arg(long)]
    pub realtime: bool,
    /// Serve an annotated live preview to admins at this loopback or LAN address (off by default).
    #[arg(long)]
    pub preview_listen: Option<SocketAddr>,
    /// The face model (default: KIDYBOARD_VISION_MODEL or the set-up directory).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// The ONNX Runtime library (default: KIDYBOARD_ORT_LIB or the set-up directory).
    #[arg(long)]
    pub ort_lib: Option<PathBuf>,
    /// Where visits wait while the hub cannot be reached, across restarts (default: `parts` in
    /// the data directory).
    #[arg(long)]
    pub spool_dir: Option<PathBuf>,
}

pub async fn run(command: VisionCommand) -> anyhow::Result<()> {
    match command {
        VisionCommand::Devices => {
            let cameras =
                tokio::task::spawn_blocking(kidyboard_vision::source::list_cameras).await??;
            if cameras.is_empty() {
                println!("no cameras found");
            }
            for c in cameras {
                println!("{}\t{}\t{}", c.index, c.name, c.description);
            }
            Ok(())
        }
        VisionCommand::DemoFrames { out } => {
            let photos = kidyboard_vision::runtime::default_dir().join("photos");
            kidyboard_vision::demo::write_sequence(&photos, &out)
                .with_context(|| format!("writing demo frames from {}", photos.display()))?;
            println!("{}", out.display());
            Ok(())
        }
        VisionCommand::Run(args) => run_counter(args).await,
    }
}

async fn run_counter(args: RunArgs) -> anyhow::Result<()> {
    let source: SourceSpec = args.source.parse()?;
    if let Some(addr) = args.preview_listen {
        preview::check_listen(addr).map_err(anyhow::Error::msg)?;
    }
    let hub = match (&args.token, &args.user) {
        (Some(t), _) => HubClient::new(&args.hub, t.clone())?,
        (None, Some(user)) => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input)?;
            let password = input.lines().next().unwrap_or("").to_string();
            HubClient::login(&args.hub, user, &password).await?
        }
        (None, None) => bail!("pass --user (password on standard input) or --token"),
    };
    let mut config = RunnerConfig::new(source);
    let defaults = ModelPaths::from_env();
    config.model = ModelPaths {
        ort_lib: args.ort_lib.unwrap_or(defaults.ort_lib),
        model: args.model.unwrap_or(defaults.model),
    };
    config.source_options.width = args.width;
    config.source_options.height = args.height;
    config.source_options.fps = args.fps;
    config.source_options.realtime = args.realtime;
    config.source_options.replay_start = match &args.replay_start {
        Some(s) => Some(clock::parse_rfc3339("replay_start", s)?),
        None => None,
    };
    config.preview = args.preview_listen.is_some();
    let mut handle = VisionService::start(config);
    let events = handle.take_events().context("runner events")?;
    let tap = handle.preview_tap();
    let handle = Arc::new(Mutex::new(Some(handle)));
    if let Some(addr) = args.preview_listen {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!(
            "Preview for admins: http://{}/preview.jpg",
            listener.local_addr()?
        );
        let app = preview_router(handle.clone(), args.hub.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
    }
    println!("Counting visitors from {} for {}", args.source, args.hub);
    let device = args.device_id.clone();
    let spool_dir = args
        .spool_dir
        .clone()
        .unwrap_or_else(|| crate::config::default_data_dir().join("parts"));
    let spool = Spool::for_device(&spool_dir, &device);
    let mut delivery = tokio::spawn(forward(events, hub, device, Some(spool.clone()), Some(tap)));
    let delivered = tokio::select! {
        d = &mut delivery => d?,
        _ = crate::server::shutdown_signal() => {
            // Stopping ends the runner, which closes the events and lets delivery finish.
            let h = handle.lock().ok().and_then(|mut h| h.take());
            if let Some(h) = h {
                tokio::task::spawn_blocking(move || h.stop()).await?;
            }
            delivery.await?
        }
    };
    println!(
        "Visits delivered: {}; refused by the hub: {}; undelivered: {}",
        delivered.visits, delivered.refused, delivered.undelivered
    );
    if delivered.undelivered > 0 {
        bail!(
            "{} visits could not be delivered to the hub; they wait in {} for the next run",
            delivered.undelivered,
            spool.path().display()
        );
    }
    Ok(())
}

#[derive(Clone)]
struct PreviewState {
    handle: Arc<Mutex<Option<VisionHandle>>>,
    hub: String,
}

/// The installer preview: `GET /preview.jpg` with an admin's token (header or `?token=`), checked
/// with the hub on every request. The caller binds it to a loopback or LAN address only.
pub fn preview_router(handle: Arc<Mutex<Option<VisionHandle>>>, hub: String) -> Router {
    let state = PreviewState { handle, hub };
    Router::new()
        .route("/preview.jpg", get(preview_jpeg))
        .with_state(state)
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// Only admins see the camera: the token is checked with the hub on every request.
async fn is_admin(hub: &str, token: &str) -> bool {
    let Ok(client) = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
    else {
        return false;
    };
    let Ok(res) = client
        .get(format!("{}/api/v1/auth/me", hub.trim_end_matches('/')))
        .bearer_auth(token)
        .send()
        .await
    else {
        return false;
    };
    let user: serde_json::Value = res.json().await.unwrap_or_default();
    matches!(
        user["role"].as_str(),
        Some("super_admin") | Some("admin_viewer")
    )
}

async fn preview_jpeg(
    State(st): State<PreviewState>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or(q.token);
    let Some(token) = token else {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "inicia sesión como administrador",
        )
        .into_response();
    };
    if !is_admin(&st.hub, &token).await {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "solo un administrador puede ver la cámara",
        )
        .into_response();
    }
    let jpeg = st
        .handle
        .lock()
        .ok()
        .and_then(|h| h.as_ref().and_then(|h| h.preview_jpeg()));
    match jpeg {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes.as_ref().clone(),
        )
            .into_response(),
        None => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_frame",
            "todavía no hay imagen de la cámara",
        )
        .into_response(),
    }
}
