//! Who is calling: the operator (creates organisations), an organisation's owner (branches,
//! pairing codes, catalogue, reports) or a paired store (push and pull). Each is a bearer token
//! whose SHA-256 is looked up; the tokens themselves are never stored.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::CloudError;
use crate::secrets;
use crate::state::CloudState;

fn bearer(parts: &Parts) -> Result<&str, CloudError> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or(CloudError::Unauthorized)
}

/// The operator of this cloud, by the configured secret.
pub struct Operator;

impl FromRequestParts<CloudState> for Operator {
    type Rejection = CloudError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &CloudState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        if state.config.operator_token.is_empty()
            || !secrets::same(token, &state.config.operator_token)
        {
            return Err(CloudError::Unauthorized);
        }
        Ok(Operator)
    }
}

/// An organisation's owner.
pub struct Owner {
    pub org_id: String,
}

impl FromRequestParts<CloudState> for Owner {
    type Rejection = CloudError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &CloudState,
    ) -> Result<Self, Self::Rejection> {
        let hash = secrets::hash(bearer(parts)?);
        let db = state.db().await?;
        let row = db
            .query_opt(
                "SELECT id FROM organisations WHERE owner_token_hash = $1",
                &[&hash],
            )
            .await?
            .ok_or(CloudError::Unauthorized)?;
        Ok(Owner { org_id: row.get(0) })
    }
}

/// A paired store.
pub struct Device {
    pub device_id: String,
    pub org_id: String,
    pub branch_id: String,
}

impl FromRequestParts<CloudState> for Device {
    type Rejection = CloudError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &CloudState,
    ) -> Result<Self, Self::Rejection> {
        let hash = secrets::hash(bearer(parts)?);
        let db = state.db().await?;
        let row = db
            .query_opt(
                "SELECT id, org_id, branch_id FROM devices WHERE token_hash = $1",
                &[&hash],
            )
            .await?
            .ok_or(CloudError::Unauthorized)?;
        Ok(Device {
            device_id: row.get(0),
            org_id: row.get(1),
            branch_id: row.get(2),
        })
    }
}
