//! The store hub: Kidyboard's HTTP + WebSocket API over the SQLite store, with the timer
//! scheduler, backups and metrics. `router` is separate from `main` so tests and the desktop
//! shell can serve it on any socket.

pub mod app;
pub mod audio_cli;
pub mod auth;
pub mod backups;
pub mod cli;
pub mod cli_menu;
pub mod config;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod live;
pub mod menu;
pub mod metrics;
pub mod openapi;
pub mod restore;
pub mod routes;
pub mod scheduler;
pub mod server;
pub mod state;
pub mod throttle;
pub mod vision_cli;
pub mod ws;

pub use app::router;
pub use config::Config;
pub use server::Hub;
pub use state::AppState;
