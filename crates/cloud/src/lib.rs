//! Kidyboard's cloud: an axum API over PostgreSQL that stores every branch's events exactly once,
//! serves each organisation's catalogue feed and the owner's reports (`serve`, `router`); and
//! the store-side sync worker the hub spawns (`worker::SyncWorker`). See README.md.

pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod feed;
pub mod ingest;
pub mod openapi;
pub mod projections;
pub mod routes;
pub mod secrets;
pub mod server;
pub mod state;
pub mod worker;

pub use config::CloudConfig;
pub use error::{CloudError, Result};
pub use server::{connect, router, serve, serve_on};
pub use state::CloudState;
pub use worker::{SyncHandle, SyncHooks, SyncStatus, SyncWorker, WorkerConfig};
