//! Who is calling: the operator (creates organisations), an organisation's owner (branches,
//! pairing codes, catalogue, reports) or a paired store (push and pull). Each is a bearer token
//! whose SHA-256 is looked up; the tokens themselves are never stored.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tokio_postgres::Row;

use crate::error::CloudError;
use crate::secrets;
use crate::state::CloudState;

/// The request's bearer token; none, an empty one or one longer than any we issue is refused.
fn bearer(parts: &Parts) -> Result<&str, CloudError> {
    kidyboard_http::bearer(parts)
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or(CloudError::Unauthorized)
}

/// The row `sql` finds for the SHA-256 of the request's token (`$1`), or 401.
async fn row_for_token(parts: &Parts, state: &CloudState, sql: &str) -> Result<Row, CloudError> {
    let hash = secrets::hash(bearer(parts)?);
    let db = state.db().await?;
    db.query_opt(sql, &[&hash])
        .await?
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
        let sql = "SELECT id FROM organisations WHERE owner_token_hash = $1";
        let row = row_for_token(parts, state, sql).await?;
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
        let sql = "SELECT id, org_id, branch_id FROM devices WHERE token_hash = $1";
        let row = row_for_token(parts, state, sql).await?;
        Ok(Device {
            device_id: row.get(0),
            org_id: row.get(1),
            branch_id: row.get(2),
        })
    }
}
