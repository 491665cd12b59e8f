//! Kidyboard's cloud: an axum API over PostgreSQL that stores every branch's events exactly once,
//! serves each organisation's catalogue feed and the owner's reports (`serve`, `router`); run by
//! the `kidyboard-cloud` binary (`src/main.rs`). The store's side (the sync worker, pairing) and
//! the wire types both sides speak live in `kidyboard-sync`. See README.md.

pub mod alerts;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod feed;
pub mod ingest;
pub mod metrics;
pub mod openapi;
pub mod projections;
pub mod routes;
pub mod sealed;
pub mod secrets;
pub mod server;
pub mod state;
pub mod throttle;
pub mod totp;

pub use config::CloudConfig;
pub use error::{CloudError, Result};
pub use server::{connect, router, serve, serve_on};
pub use state::CloudState;
