//! Organisations, branches, pairing codes and pairing: how a store gets its device credential.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kidyboard_http::ApiJson;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Operator, Owner};
use crate::error::{CloudError, Result};
use crate::secrets;
use crate::state::CloudState;
pub use kidyboard_sync::wire::{PairAnswer, PairRequest};

#[derive(Deserialize, ToSchema)]
pub struct NewOrganisation {
    pub name: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CreatedOrganisation {
    pub id: String,
    pub name: String,
    /// Shown once: the owner's credential for every owner route. Only its hash is kept.
    pub owner_token: String,
}

fn check_name(field: &str, name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 120 || n.chars().any(char::is_control) {
        return Err(CloudError::validation(
            field,
            "el nombre debe tener de 1 a 120 caracteres",
        ));
    }
    Ok(n.to_string())
}

/// Creates an organisation and its owner credential (operator only).
#[utoipa::path(post, path = "/api/v1/organisations", request_body = NewOrganisation,
    responses((status = 201, body = CreatedOrganisation), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "organisations")]
pub async fn create_organisation(
    State(st): State<CloudState>,
    _op: Operator,
    ApiJson(req): ApiJson<NewOrganisation>,
) -> Result<(StatusCode, Json<CreatedOrganisation>)> {
    let name = check_name("name", &req.name)?;
    let id = ulid::Ulid::new().to_string();
    let owner_token = secrets::new_token("own")?;
    st.db()
        .await?
        .execute(
            "INSERT INTO organisations (id, name, owner_token_hash) VALUES ($1, $2, $3)",
            &[&id, &name, &secrets::hash(&owner_token)],
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedOrganisation {
            id,
            name,
            owner_token,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewBranch {
    pub name: String,
    /// IANA zone; business days are counted in it (default America/Mexico_City).
    #[serde(default)]
    pub timezone: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub last_seen_at: Option<String>,
    /// The store's last event seq the cloud has stored.
    pub last_acked_seq: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct BranchView {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub devices: Vec<DeviceView>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct BranchList {
    pub items: Vec<BranchView>,
}

/// Adds a branch to the owner's organisation.
#[utoipa::path(post, path = "/api/v1/branches", request_body = NewBranch,
    responses((status = 201, body = BranchView), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "organisations")]
pub async fn create_branch(
    State(st): State<CloudState>,
    owner: Owner,
    ApiJson(req): ApiJson<NewBranch>,
) -> Result<(StatusCode, Json<BranchView>)> {
    let name = check_name("name", &req.name)?;
    let timezone = req.timezone.unwrap_or_else(|| "America/Mexico_City".into());
    if timezone.parse::<chrono_tz::Tz>().is_err() {
        return Err(CloudError::validation(
            "timezone",
            format!("zona horaria desconocida: {timezone}"),
        ));
    }
    let id = ulid::Ulid::new().to_string();
    st.db()
        .await?
        .execute(
            "INSERT INTO branches (id, org_id, name, timezone) VALUES ($1, $2, $3, $4)",
            &[&id, &owner.org_id, &name, &timezone],
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(BranchView {
            id,
            name,
            timezone,
            devices: Vec::new(),
        }),
    ))
}

/// Every branch of the organisation with its paired stores and how far each has synced.
#[utoipa::path(get, path = "/api/v1/branches", responses((status = 200, body = BranchList)),
    security(("bearer" = [])), tag = "organisations")]
pub async fn list_branches(State(st): State<CloudState>, owner: Owner) -> Result<Json<BranchList>> {
    let db = st.db().await?;
    let rows = db
        .query(
            "SELECT id, name, timezone FROM branches WHERE org_id = $1 ORDER BY name",
            &[&owner.org_id],
        )
        .await?;
    let devices = db
        .query(
            "SELECT branch_id, id, name, to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), last_acked_seq
             FROM devices WHERE org_id = $1 ORDER BY paired_at",
            &[&owner.org_id],
        )
        .await?;
    let items = rows
        .iter()
        .map(|r| {
            let id: String = r.get(0);
            BranchView {
                devices: devices
                    .iter()
                    .filter(|d| d.get::<_, String>(0) == id)
                    .map(|d| DeviceView {
                        id: d.get(1),
                        name: d.get(2),
                        last_seen_at: d.get(3),
                        last_acked_seq: d.get(4),
                    })
                    .collect(),
                id,
                name: r.get(1),
                timezone: r.get(2),
            }
        })
        .collect();
    Ok(Json(BranchList { items }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PairingCode {
    /// Typed at the store (`kidyboard cloud pair`); single use.
    pub code: String,
    pub expires_at: String,
}

/// A single-use code that pairs one store with this branch.
#[utoipa::path(post, path = "/api/v1/branches/{id}/pairing-codes",
    params(("id" = String, Path, description = "branch id")),
    responses((status = 201, body = PairingCode), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "organisations")]
pub async fn create_pairing_code(
    State(st): State<CloudState>,
    owner: Owner,
    Path(branch_id): Path<String>,
) -> Result<(StatusCode, Json<PairingCode>)> {
    let db = st.db().await?;
    db.query_opt(
        "SELECT 1 FROM branches WHERE id = $1 AND org_id = $2",
        &[&branch_id, &owner.org_id],
    )
    .await?
    .ok_or(CloudError::NotFound("la sucursal"))?;
    let code = secrets::new_pairing_code()?;
    let minutes = i32::try_from(st.config.pairing_code_minutes.clamp(1, 7 * 24 * 60)).unwrap_or(30);
    let row = db
        .query_one(
            "INSERT INTO pairing_codes (code_hash, branch_id, expires_at)
             VALUES ($1, $2, now() + make_interval(mins => $3::int4))
             RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
            &[
                &secrets::hash(&secrets::normalise_code(&code)),
                &branch_id,
                &minutes,
            ],
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PairingCode {
            code,
            expires_at: row.get(0),
        }),
    ))
}

/// Redeems a pairing code: the store gets its device credential.
#[utoipa::path(post, path = "/api/v1/devices/pair", request_body = PairRequest,
    responses((status = 201, body = PairAnswer), (status = 422, body = crate::error::ErrorBody)),
    tag = "sync")]
pub async fn pair(
    State(st): State<CloudState>,
    ApiJson(req): ApiJson<PairRequest>,
) -> Result<(StatusCode, Json<PairAnswer>)> {
    if !kidyboard_core::ids::is_valid(&req.device_id) {
        return Err(CloudError::validation(
            "device_id",
            "id de dispositivo inválido",
        ));
    }
    let name = req
        .name
        .as_deref()
        .map(|n| check_name("name", n))
        .transpose()?
        .unwrap_or_default();
    let code_hash = secrets::hash(&secrets::normalise_code(&req.code));
    let mut db = st.db().await?;
    let tx = db.transaction().await?;
    let row = tx
        .query_opt(
            "UPDATE pairing_codes SET redeemed_at = now(), device_id = $2
             WHERE code_hash = $1 AND redeemed_at IS NULL AND expires_at > now()
             RETURNING branch_id",
            &[&code_hash, &req.device_id],
        )
        .await?
        .ok_or_else(|| CloudError::validation("code", "el código no existe, ya se usó o expiró"))?;
    let branch_id: String = row.get(0);
    let org_id: String = tx
        .query_one("SELECT org_id FROM branches WHERE id = $1", &[&branch_id])
        .await?
        .get(0);
    let token = secrets::new_token("dev")?;
    // Pairing again (a reinstall, a lost token) replaces the device's credential.
    tx.execute(
        "INSERT INTO devices (id, org_id, branch_id, token_hash, name) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, branch_id = excluded.branch_id,
            token_hash = excluded.token_hash, name = excluded.name, paired_at = now()",
        &[
            &req.device_id,
            &org_id,
            &branch_id,
            &secrets::hash(&token),
            &name,
        ],
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(PairAnswer {
            device_token: token,
            organisation_id: org_id,
            branch_id,
        }),
    ))
}
