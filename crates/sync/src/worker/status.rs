//! What the sync worker tells the hub (and the owner's screen in the store): whether it is
//! online, when it last succeeded, how much waits, and the last error — never a silent stall.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::retry::Breaker;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LastError {
    /// The cloud's error code (`unauthorized`, `validation`…) or `offline`.
    pub code: String,
    pub message: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SyncStatus {
    /// The store has a device credential (it was paired with a cloud).
    pub paired: bool,
    /// The cloud this store is paired with.
    pub cloud_url: Option<String>,
    /// The last attempt reached the cloud and finished.
    pub online: bool,
    pub breaker: Breaker,
    pub consecutive_failures: u32,
    pub last_success_at: Option<String>,
    pub last_attempt_at: Option<String>,
    pub next_attempt_at: Option<String>,
    /// Local events the cloud has not acknowledged yet.
    pub pending_events: i64,
    /// Last event seq the cloud acknowledged.
    pub push_cursor: i64,
    /// Last catalogue-feed position applied.
    pub pull_cursor: i64,
    pub last_error: Option<LastError>,
    /// Events pushed and catalogue events applied since the worker started.
    pub pushed_since_start: u64,
    pub applied_since_start: u64,
}

impl Default for SyncStatus {
    fn default() -> Self {
        SyncStatus {
            paired: false,
            cloud_url: None,
            online: false,
            breaker: Breaker::Closed,
            consecutive_failures: 0,
            last_success_at: None,
            last_attempt_at: None,
            next_attempt_at: None,
            pending_events: 0,
            push_cursor: 0,
            pull_cursor: 0,
            last_error: None,
            pushed_since_start: 0,
            applied_since_start: 0,
        }
    }
}
