//! The store's side of Kidyboard's cloud sync: the worker the hub spawns (`worker::SyncWorker`),
//! pairing a store with a cloud (`worker::pairing`), and the wire types the store and the cloud
//! both speak (`wire`). No server and no PostgreSQL code lives here: the hub and the desktop shell
//! depend on this crate, the cloud (`kidyboard-cloud`) only for the wire types.

pub mod error;
pub mod wire;
pub mod worker;

pub use error::{Result, SyncError};
pub use worker::{PictureRelay, SyncHandle, SyncHooks, SyncStatus, SyncWorker, WorkerConfig};
