//! Organisations, branches, pairing codes and pairing: how a store gets its device credential.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kidyboard_http::ApiJson;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Access, ClientAddr, Member, Owner};
use crate::error::{CloudError, Result};
use crate::secrets;
use crate::state::CloudState;
pub use kidyboard_sync::wire::{PairAnswer, PairRequest};

pub(crate) fn check_name(field: &str, name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 120 || n.chars().any(char::is_control) {
        return Err(CloudError::validation(
            field,
            "el nombre debe tener de 1 a 120 caracteres",
        ));
    }
    Ok(n.to_string())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBranch {
    pub name: String,
    /// IANA zone; business days are counted in it (default America/Mexico_City).
    #[serde(default)]
    pub timezone: Option<String>,
}

/// A branch's name or zone (absent = unchanged).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BranchEdit {
    pub name: Option<String>,
    pub timezone: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub paired_at: String,
    pub last_seen_at: Option<String>,
    /// The store's last event seq the cloud has stored.
    pub last_acked_seq: i64,
    /// Events the store said were still waiting to be pushed, at its last pull.
    pub pending_events: i64,
    /// The version the store runs.
    pub app_version: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct BranchView {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub devices: Vec<DeviceView>,
    /// The last time any of its stores reached the cloud.
    pub last_seen_at: Option<String>,
    /// A store reached the cloud within `online_minutes` (its sync worker calls every few
    /// seconds while the link is up).
    pub online: bool,
    /// Events its stores said were still waiting to be pushed.
    pub pending_events: i64,
    /// Paired but silent for longer than the offline alert's threshold (30 minutes unless the
    /// owner changed it).
    pub silent: bool,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct BranchList {
    pub items: Vec<BranchView>,
}

fn check_timezone(timezone: &str) -> Result<String> {
    let tz = timezone.trim();
    if tz.parse::<chrono_tz::Tz>().is_err() {
        return Err(CloudError::validation(
            "timezone",
            format!("zona horaria desconocida: {tz}"),
        ));
    }
    Ok(tz.to_string())
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
    let timezone = check_timezone(req.timezone.as_deref().unwrap_or("America/Mexico_City"))?;
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
            last_seen_at: None,
            online: false,
            silent: false,
            pending_events: 0,
        }),
    ))
}

/// Renames a branch or changes its zone (owners, and managers of the branch).
#[utoipa::path(patch, path = "/api/v1/branches/{id}", request_body = BranchEdit,
    params(("id" = String, Path, description = "branch id")),
    responses((status = 200, body = BranchView), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "organisations")]
pub async fn update_branch(
    State(st): State<CloudState>,
    member: Member,
    Path(branch_id): Path<String>,
    ApiJson(req): ApiJson<BranchEdit>,
) -> Result<Json<BranchView>> {
    let db = st.db().await?;
    member.branch(&db, &branch_id, Access::Run).await?;
    let name = req
        .name
        .as_deref()
        .map(|n| check_name("name", n))
        .transpose()?;
    let timezone = req.timezone.as_deref().map(check_timezone).transpose()?;
    db.execute(
        "UPDATE branches SET name = COALESCE($2, name), timezone = COALESCE($3, timezone)
         WHERE id = $1",
        &[&branch_id, &name, &timezone],
    )
    .await?;
    let mut list = branches(&st, &db, &member, Some(&branch_id)).await?;
    list.pop()
        .map(Json)
        .ok_or(CloudError::NotFound("la sucursal"))
}

/// Every branch the person sees with its paired stores, how far each has synced and whether the
/// branch is online.
#[utoipa::path(get, path = "/api/v1/branches", responses((status = 200, body = BranchList)),
    security(("bearer" = [])), tag = "organisations")]
pub async fn list_branches(
    State(st): State<CloudState>,
    member: Member,
) -> Result<Json<BranchList>> {
    let db = st.db().await?;
    let items = branches(&st, &db, &member, None).await?;
    Ok(Json(BranchList { items }))
}

async fn branches(
    st: &CloudState,
    db: &deadpool_postgres::Object,
    member: &Member,
    only: Option<&str>,
) -> Result<Vec<BranchView>> {
    let rows = db
        .query(
            "SELECT id, name, timezone FROM branches
             WHERE org_id = $1 AND ($2::text[] IS NULL OR id = ANY($2)) AND ($3::text IS NULL OR id = $3)
             ORDER BY name",
            &[&member.org_id, &member.scope(), &only],
        )
        .await?;
    let devices = db
        .query(
            "SELECT branch_id, id, name,
                    to_char(paired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
                    to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
                    last_acked_seq,
                    COALESCE(last_seen_at > now() - make_interval(mins => $2::int4), false),
                    COALESCE(last_seen_at, paired_at) < now() - make_interval(mins =>
                        COALESCE((SELECT offline_minutes FROM alert_settings WHERE org_id = $1), 30)),
                    pending_events, app_version
             FROM devices WHERE org_id = $1 ORDER BY paired_at",
            &[&member.org_id, &st.config.online_minutes()],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id: String = r.get(0);
            let mine: Vec<_> = devices
                .iter()
                .filter(|d| d.get::<_, String>(0) == id)
                .collect();
            let last_seen_at = mine
                .iter()
                .filter_map(|d| d.get::<_, Option<String>>(4))
                .max();
            BranchView {
                pending_events: mine.iter().map(|d| d.get::<_, i64>(8)).sum(),
                online: mine.iter().any(|d| d.get::<_, bool>(6)),
                silent: !mine.is_empty() && mine.iter().all(|d| d.get::<_, bool>(7)),
                devices: mine
                    .iter()
                    .map(|d| DeviceView {
                        id: d.get(1),
                        name: d.get(2),
                        paired_at: d.get(3),
                        last_seen_at: d.get(4),
                        last_acked_seq: d.get(5),
                        pending_events: d.get(8),
                        app_version: d.get(9),
                    })
                    .collect(),
                last_seen_at,
                id,
                name: r.get(1),
                timezone: r.get(2),
            }
        })
        .collect())
}

/// Unpairs a store from its branch: its credential stops working at once (what it synced stays).
/// To sync again it pairs with a new code.
#[utoipa::path(delete, path = "/api/v1/branches/{id}/devices/{device_id}",
    params(("id" = String, Path, description = "branch id"),
        ("device_id" = String, Path, description = "device id")),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "organisations")]
pub async fn unpair_device(
    State(st): State<CloudState>,
    member: Member,
    Path((branch_id, device_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let db = st.db().await?;
    member.branch(&db, &branch_id, Access::Run).await?;
    let n = db
        .execute(
            "DELETE FROM devices WHERE id = $1 AND branch_id = $2",
            &[&device_id, &branch_id],
        )
        .await?;
    if n == 0 {
        return Err(CloudError::NotFound("el dispositivo"));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PairingCode {
    /// Typed at the store (`kidyboard cloud pair`); single use.
    pub code: String,
    pub expires_at: String,
}

/// A single-use code that pairs one store with this branch (owners, and managers of the branch).
#[utoipa::path(post, path = "/api/v1/branches/{id}/pairing-codes",
    params(("id" = String, Path, description = "branch id")),
    responses((status = 201, body = PairingCode), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "organisations")]
pub async fn create_pairing_code(
    State(st): State<CloudState>,
    member: Member,
    Path(branch_id): Path<String>,
) -> Result<(StatusCode, Json<PairingCode>)> {
    let db = st.db().await?;
    member.branch(&db, &branch_id, Access::Run).await?;
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
    ClientAddr(address): ClientAddr,
    ApiJson(req): ApiJson<PairRequest>,
) -> Result<(StatusCode, Json<PairAnswer>)> {
    crate::metrics::check(&st, &st.limits.public, &address)?;
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
