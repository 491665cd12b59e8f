//! The JSON the store and the cloud exchange, declared once: the cloud's handlers and the store's
//! client both use these types, so the two sides cannot drift apart.

use kidyboard_core::sync::{OutgoingEvent, RemoteEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/sync/push`: a batch of the store's events, oldest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    pub events: Vec<OutgoingEvent>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct PushAnswer {
    /// Every event of this device up to this seq is stored: the store may drop them from its queue.
    pub acked_seq: i64,
    /// Newly stored by this request.
    pub stored: u64,
    /// Already stored before (a retry).
    pub duplicates: u64,
}

/// `GET /api/v1/sync/catalog`: a page of the organisation's catalogue feed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CatalogPage {
    pub events: Vec<RemoteEvent>,
    /// The cursor to ask from next time (the last position in this page, or `after` if empty).
    pub next_after: i64,
    /// True when more events wait after this page.
    pub more: bool,
}

/// `POST /api/v1/devices/pair`: the store redeems the owner's pairing code.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PairRequest {
    pub code: String,
    /// The store's own device id (every event it writes carries it).
    pub device_id: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PairAnswer {
    /// The store's credential for push and pull; shown once, only its hash is kept.
    pub device_token: String,
    pub organisation_id: String,
    pub branch_id: String,
}

/// The body of every error answer (the hub's and the cloud's alike).
pub use kidyboard_http::{ErrorBody, ErrorDetail};

/// Sent with each pull: how many of the store's events still wait to be pushed.
pub const PENDING_HEADER: &str = "x-kidyboard-pending";
/// Sent with each pull: the store's program version.
pub const VERSION_HEADER: &str = "x-kidyboard-version";
