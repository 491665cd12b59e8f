//! The store hub: Kidyboard's HTTP + WebSocket API over the SQLite store, with the timer
//! scheduler, backups and metrics. `router` is separate from `main` so tests and the desktop
//! shell can serve it on any socket.
//!
//! The heavy parts are cargo features, all on by default: `vision` (the visitor counter),
//! `media` (menu designs and their renderer) and `audio` (the clip library and the speakers).
//! Without one, its routes and its `kidyboard` subcommands are simply absent.

pub mod app;
#[cfg(feature = "audio")]
pub mod audio_cli;
pub mod auth;
pub mod backups;
pub mod cli;
#[cfg(feature = "media")]
pub mod cli_menu;
pub mod config;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod live;
#[cfg(feature = "media")]
pub mod menu;
pub mod metrics;
pub mod notify;
pub mod openapi;
#[cfg(feature = "vision")]
pub mod previews;
pub mod restore;
pub mod routes;
pub mod scheduler;
pub mod server;
pub mod signals;
pub mod state;
pub mod throttle;
pub mod tls;
#[cfg(feature = "vision")]
pub mod vision_cli;
pub mod ws;

pub use app::router;
pub use config::Config;
pub use server::Hub;
pub use state::AppState;
