//! Who is calling: the operator (creates organisations), a person of an organisation signed in
//! with a session (owner, manager or viewer) or a paired store (push and pull). Each credential is
//! a bearer token whose SHA-256 is looked up; the tokens themselves are never stored.
//!
//! What a person may do:
//! - `owner`: everything in the organisation (people, branches, the central catalogue, alerts);
//! - `manager`: reads and runs the branches given to them (pairing, devices, the branch's
//!   settings and price overrides), reads the catalogue;
//! - `viewer`: reads the branches given to them (or every branch), changes nothing.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use utoipa::ToSchema;

use crate::error::{CloudError, Result};
use crate::secrets;
use crate::state::CloudState;

/// The request's bearer token; none, an empty one or one longer than any we issue is refused.
fn bearer(parts: &Parts) -> Result<&str> {
    kidyboard_http::bearer(parts)
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or(CloudError::Unauthorized)
}

/// The row `sql` finds for the SHA-256 of the request's token (`$1`), or 401.
async fn row_for_token(parts: &Parts, state: &CloudState, sql: &str) -> Result<Row> {
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

/// A person's role in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CloudRole {
    Owner,
    Manager,
    Viewer,
}

impl CloudRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CloudRole::Owner => "owner",
            CloudRole::Manager => "manager",
            CloudRole::Viewer => "viewer",
        }
    }

    pub fn from_db(s: &str) -> CloudRole {
        match s {
            "owner" => CloudRole::Owner,
            "manager" => CloudRole::Manager,
            _ => CloudRole::Viewer,
        }
    }
}

/// What a route does to a branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reports, devices, bookings.
    Read,
    /// Pairing, unpairing, the branch's settings and price overrides.
    Run,
}

/// A signed-in person of an organisation.
#[derive(Debug, Clone)]
pub struct Member {
    pub session_id: String,
    pub user_id: String,
    pub org_id: String,
    pub role: CloudRole,
    /// `None`: every branch of the organisation; otherwise only these.
    pub branches: Option<Vec<String>>,
}

/// The session behind a token; expired, revoked or a disabled person's: none. Its last use is
/// written at most once a minute, so a console that polls does not rewrite the row every call.
const SESSION_SQL: &str = "
    WITH s AS (
        SELECT id, user_id, last_used_at FROM sessions
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()),
    touched AS (
        UPDATE sessions SET last_used_at = now() FROM s
        WHERE sessions.id = s.id AND s.last_used_at < now() - interval '1 minute')
    SELECT s.id, u.id, u.org_id, u.role, u.all_branches,
           ARRAY(SELECT branch_id FROM user_branches WHERE user_id = u.id ORDER BY branch_id)
    FROM s JOIN users u ON u.id = s.user_id
    WHERE u.disabled_at IS NULL";

impl FromRequestParts<CloudState> for Member {
    type Rejection = CloudError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &CloudState,
    ) -> Result<Self, Self::Rejection> {
        let row = row_for_token(parts, state, SESSION_SQL).await?;
        let role = CloudRole::from_db(row.get::<_, &str>(3));
        let all: bool = row.get(4);
        Ok(Member {
            session_id: row.get(0),
            user_id: row.get(1),
            org_id: row.get(2),
            role,
            branches: (role != CloudRole::Owner && !all).then(|| row.get(5)),
        })
    }
}

impl Member {
    /// The branches this person may see, for `branch_id = ANY($n)` (`None`: all of them).
    pub fn scope(&self) -> Option<&[String]> {
        self.branches.as_deref()
    }

    pub fn sees(&self, branch_id: &str) -> bool {
        self.branches
            .as_ref()
            .is_none_or(|b| b.iter().any(|x| x == branch_id))
    }

    /// 403 unless an owner.
    pub fn require_owner(&self) -> Result<()> {
        if self.role == CloudRole::Owner {
            Ok(())
        } else {
            Err(CloudError::Forbidden(
                "solo un dueño de la organización puede hacer esto".into(),
            ))
        }
    }

    /// The branch exists in the organisation (else 404) and this person may `access` it (else
    /// 403): every role reads the branches it sees; owners and their managers run them.
    pub async fn branch(
        &self,
        db: &deadpool_postgres::Object,
        branch_id: &str,
        access: Access,
    ) -> Result<()> {
        db.query_opt(
            "SELECT 1 FROM branches WHERE id = $1 AND org_id = $2",
            &[&branch_id, &self.org_id],
        )
        .await?
        .ok_or(CloudError::NotFound("la sucursal"))?;
        if !self.sees(branch_id) {
            return Err(CloudError::Forbidden(
                "esta sucursal no está entre las tuyas".into(),
            ));
        }
        if access == Access::Run && self.role == CloudRole::Viewer {
            return Err(CloudError::Forbidden("tu cuenta es de solo lectura".into()));
        }
        Ok(())
    }

    /// `branch(…, Read)` when a report asks for one branch; nothing to check for "all mine".
    pub async fn branch_filter(
        &self,
        db: &deadpool_postgres::Object,
        branch_id: Option<&str>,
    ) -> Result<()> {
        match branch_id {
            Some(b) => self.branch(db, b, Access::Read).await,
            None => Ok(()),
        }
    }
}

/// An organisation's owner (403 for its managers and viewers).
pub struct Owner {
    pub org_id: String,
    pub user_id: String,
}

impl FromRequestParts<CloudState> for Owner {
    type Rejection = CloudError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &CloudState,
    ) -> Result<Self, Self::Rejection> {
        let member = Member::from_request_parts(parts, state).await?;
        member.require_owner()?;
        Ok(Owner {
            org_id: member.org_id,
            user_id: member.user_id,
        })
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

/// The client's address: the connection's peer, or behind a trusted proxy the last address the
/// proxy appended to `X-Forwarded-For`.
pub struct ClientAddr(pub String);

impl FromRequestParts<CloudState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &CloudState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default();
        let forwarded = state
            .config
            .behind_proxy
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit(',').next())
                    .map(|v| v.trim().to_string())
                    .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
            })
            .flatten();
        Ok(ClientAddr(forwarded.unwrap_or(peer)))
    }
}
