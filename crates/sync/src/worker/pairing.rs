//! Pairing a store with the cloud: redeem the owner's code for a device credential and keep it
//! with the store's data (`kidyboard cloud pair --url … --code …`).

use std::sync::Arc;
use std::time::Duration;

use kidyboard_core::sync::{self, SyncLink};
use kidyboard_core::Store;

use super::client::CloudClient;
use crate::error::{Result, SyncError};
use crate::wire::PairRequest;

/// Redeems `code` at `cloud_url` and stores the link; the worker uses it from its next round.
pub async fn pair(
    store: Arc<Store>,
    cloud_url: &str,
    code: &str,
    name: Option<String>,
) -> Result<SyncLink> {
    let url = cloud_url.trim().trim_end_matches('/').to_string();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(SyncError::validation(
            "url",
            "la dirección de la nube empieza con http:// o https://",
        ));
    }
    let client = CloudClient::new(Duration::from_secs(30))?;
    let answer = client
        .pair(
            &url,
            &PairRequest {
                code: code.to_string(),
                device_id: store.device_id().to_string(),
                name,
            },
        )
        .await?;
    let link = SyncLink {
        cloud_url: url,
        organisation_id: answer.organisation_id,
        cloud_branch_id: answer.branch_id,
        device_token: answer.device_token,
        paired_at: kidyboard_core::clock::now_ms(),
    };
    let saved = link.clone();
    tokio::task::spawn_blocking(move || sync::save_link(&store, &saved))
        .await
        .map_err(|e| SyncError::Internal(format!("store task: {e}")))??;
    Ok(link)
}
