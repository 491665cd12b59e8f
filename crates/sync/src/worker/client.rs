//! The store's HTTP client for the cloud: push a batch, pull a page of the catalogue feed,
//! redeem a pairing code. Cloud errors come back as `SyncError::Refused` with the cloud's code.

use std::time::Duration;

use kidyboard_core::sync::OutgoingEvent;
use serde::de::DeserializeOwned;

use crate::error::{Result, SyncError};
use crate::wire::{CatalogPage, ErrorBody, PairAnswer, PairRequest, PushAnswer, PushRequest};

#[derive(Clone)]
pub struct CloudClient {
    http: reqwest::Client,
}

fn url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

async fn answer<T: DeserializeOwned>(res: reqwest::Result<reqwest::Response>) -> Result<T> {
    let res = res.map_err(|e| SyncError::Remote(e.to_string()))?;
    let status = res.status();
    if status.is_success() {
        return res
            .json::<T>()
            .await
            .map_err(|e| SyncError::Remote(format!("reading the answer: {e}")));
    }
    let text = res.text().await.unwrap_or_default();
    let (code, message) = match serde_json::from_str::<ErrorBody>(&text) {
        Ok(b) => (b.error.code, b.error.message),
        Err(_) => (
            format!("http_{}", status.as_u16()),
            text.chars().take(200).collect(),
        ),
    };
    Err(SyncError::Refused {
        status: status.as_u16(),
        code,
        message,
    })
}

impl CloudClient {
    pub fn new(timeout: Duration) -> Result<CloudClient> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| SyncError::Internal(format!("http client: {e}")))?;
        Ok(CloudClient { http })
    }

    pub async fn push(
        &self,
        base: &str,
        token: &str,
        events: Vec<OutgoingEvent>,
    ) -> Result<PushAnswer> {
        let body = PushRequest { events };
        answer(
            self.http
                .post(url(base, "/api/v1/sync/push"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await,
        )
        .await
    }

    /// A page of the catalogue feed; the store says with it how many of its events still wait
    /// to be pushed and which version it runs, for the owner's view of its health.
    pub async fn pull(
        &self,
        base: &str,
        token: &str,
        after: i64,
        limit: i64,
        pending: i64,
    ) -> Result<CatalogPage> {
        answer(
            self.http
                .get(url(base, "/api/v1/sync/catalog"))
                .bearer_auth(token)
                .header(crate::wire::PENDING_HEADER, pending.to_string())
                .header(crate::wire::VERSION_HEADER, env!("CARGO_PKG_VERSION"))
                .query(&[("after", after), ("limit", limit)])
                .send()
                .await,
        )
        .await
    }

    /// Hands the cloud a picture a menu design names (kept once per organisation).
    pub async fn put_picture(
        &self,
        base: &str,
        token: &str,
        hash: &str,
        bytes: Vec<u8>,
    ) -> Result<serde_json::Value> {
        answer(
            self.http
                .put(url(base, &format!("/api/v1/sync/pictures/{hash}")))
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(bytes)
                .send()
                .await,
        )
        .await
    }

    /// A picture another branch's design names; `None` when the cloud does not have it.
    pub async fn get_picture(
        &self,
        base: &str,
        token: &str,
        hash: &str,
    ) -> Result<Option<Vec<u8>>> {
        let res = self
            .http
            .get(url(base, &format!("/api/v1/sync/pictures/{hash}")))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| SyncError::Remote(e.to_string()))?;
        if res.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !res.status().is_success() {
            return answer::<serde_json::Value>(Ok(res)).await.map(|_| None);
        }
        let bytes = res
            .bytes()
            .await
            .map_err(|e| SyncError::Remote(format!("reading a picture: {e}")))?;
        Ok(Some(bytes.to_vec()))
    }

    pub async fn pair(&self, base: &str, req: &PairRequest) -> Result<PairAnswer> {
        answer(
            self.http
                .post(url(base, "/api/v1/devices/pair"))
                .json(req)
                .send()
                .await,
        )
        .await
    }
}
