//! The owner's alert rules and the alerts raised, with what was sent for each.

use axum::extract::{Query, State};
use axum::Json;
use kidyboard_http::ApiJson;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::alerts::check_webhook_url;
use crate::auth::{Member, Owner};
use crate::error::{CloudError, ErrorBody, Result};
use crate::routes::accounts::check_email;
use crate::routes::reports::covered;
use crate::state::CloudState;

/// The organisation's alert rules, and where alerts go.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertSettings {
    /// Addresses every alert is mailed to.
    pub emails: Vec<String>,
    /// Posted a JSON body per alert, signed `X-Kidyboard-Signature: sha256=<HMAC>` when a
    /// secret is set.
    pub webhook_url: String,
    /// Whether a webhook secret is set (the secret itself is never answered).
    pub webhook_secret_set: bool,
    /// A store silent for `offline_minutes` between `opens_at` and `closes_at` (each branch's
    /// own time).
    pub offline_enabled: bool,
    pub offline_minutes: i32,
    pub opens_at: String,
    pub closes_at: String,
    /// A day closed with a difference larger than this (either way).
    pub cash_enabled: bool,
    pub cash_difference_cents: i64,
    /// A product at or below its low-stock threshold.
    pub stock_enabled: bool,
    /// A closed day whose refunds exceed this share of its sales.
    pub refunds_enabled: bool,
    pub refund_share_percent: i32,
    /// Whether this cloud can send mail at all (its SMTP server is configured).
    pub email_available: bool,
}

/// Changes to the rules (absent = unchanged).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertSettingsEdit {
    pub emails: Option<Vec<String>>,
    pub webhook_url: Option<String>,
    /// A new secret ("" removes it).
    pub webhook_secret: Option<String>,
    pub offline_enabled: Option<bool>,
    pub offline_minutes: Option<i32>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub cash_enabled: Option<bool>,
    pub cash_difference_cents: Option<i64>,
    pub stock_enabled: Option<bool>,
    pub refunds_enabled: Option<bool>,
    pub refund_share_percent: Option<i32>,
}

const COLUMNS: &str = "emails, webhook_url, webhook_secret <> '', offline_enabled, offline_minutes,
    opens_at, closes_at, cash_enabled, cash_difference_cents, stock_enabled, refunds_enabled,
    refund_share_percent";

async fn read(
    st: &CloudState,
    db: &deadpool_postgres::Object,
    org_id: &str,
) -> Result<AlertSettings> {
    db.execute(
        "INSERT INTO alert_settings (org_id) VALUES ($1) ON CONFLICT DO NOTHING",
        &[&org_id],
    )
    .await?;
    let r = db
        .query_one(
            &format!("SELECT {COLUMNS} FROM alert_settings WHERE org_id = $1"),
            &[&org_id],
        )
        .await?;
    Ok(AlertSettings {
        emails: r.get(0),
        webhook_url: r.get(1),
        webhook_secret_set: r.get(2),
        offline_enabled: r.get(3),
        offline_minutes: r.get(4),
        opens_at: r.get(5),
        closes_at: r.get(6),
        cash_enabled: r.get(7),
        cash_difference_cents: r.get(8),
        stock_enabled: r.get(9),
        refunds_enabled: r.get(10),
        refund_share_percent: r.get(11),
        email_available: !st.config.smtp_host.trim().is_empty(),
    })
}

/// The organisation's alert rules (owner only).
#[utoipa::path(get, path = "/api/v1/alert-settings", responses((status = 200, body = AlertSettings)),
    security(("bearer" = [])), tag = "alerts")]
pub async fn get_settings(
    State(st): State<CloudState>,
    owner: Owner,
) -> Result<Json<AlertSettings>> {
    let db = st.db().await?;
    Ok(Json(read(&st, &db, &owner.org_id).await?))
}

fn hhmm(field: &str, v: &str) -> Result<String> {
    let ok = v.len() == 5
        && v.as_bytes().get(2) == Some(&b':')
        && v[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && v[3..].parse::<u32>().is_ok_and(|m| m < 60);
    if ok {
        Ok(v.to_string())
    } else {
        Err(CloudError::validation(field, "una hora HH:MM"))
    }
}

/// Changes the alert rules and where alerts go (owner only).
#[utoipa::path(put, path = "/api/v1/alert-settings", request_body = AlertSettingsEdit,
    responses((status = 200, body = AlertSettings), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "alerts")]
pub async fn put_settings(
    State(st): State<CloudState>,
    owner: Owner,
    ApiJson(req): ApiJson<AlertSettingsEdit>,
) -> Result<Json<AlertSettings>> {
    let emails = match &req.emails {
        Some(list) => {
            if list.len() > 20 {
                return Err(CloudError::validation("emails", "a lo más 20 direcciones"));
            }
            let mut out: Vec<String> = Vec::new();
            for (i, e) in list.iter().enumerate() {
                let e = check_email(&format!("emails[{i}]"), e)?;
                if !out.contains(&e) {
                    out.push(e);
                }
            }
            Some(out)
        }
        None => None,
    };
    let webhook_url = req
        .webhook_url
        .as_deref()
        .map(check_webhook_url)
        .transpose()?;
    if let Some(s) = &req.webhook_secret {
        if s.len() > 200 || s.chars().any(char::is_control) {
            return Err(CloudError::validation(
                "webhook_secret",
                "a lo más 200 caracteres",
            ));
        }
    }
    if let Some(m) = req.offline_minutes {
        if !(5..=24 * 60).contains(&m) {
            return Err(CloudError::validation(
                "offline_minutes",
                "de 5 a 1440 minutos",
            ));
        }
    }
    let opens_at = req
        .opens_at
        .as_deref()
        .map(|v| hhmm("opens_at", v))
        .transpose()?;
    let closes_at = req
        .closes_at
        .as_deref()
        .map(|v| hhmm("closes_at", v))
        .transpose()?;
    if let Some(c) = req.cash_difference_cents {
        if !(0..=100_000_000).contains(&c) {
            return Err(CloudError::validation(
                "cash_difference_cents",
                "monto fuera de rango",
            ));
        }
    }
    if let Some(p) = req.refund_share_percent {
        if !(1..=100).contains(&p) {
            return Err(CloudError::validation("refund_share_percent", "de 1 a 100"));
        }
    }
    let db = st.db().await?;
    read(&st, &db, &owner.org_id).await?;
    db.execute(
        "UPDATE alert_settings SET
            emails = COALESCE($2, emails), webhook_url = COALESCE($3, webhook_url),
            webhook_secret = COALESCE($4, webhook_secret),
            offline_enabled = COALESCE($5, offline_enabled), offline_minutes = COALESCE($6, offline_minutes),
            opens_at = COALESCE($7, opens_at), closes_at = COALESCE($8, closes_at),
            cash_enabled = COALESCE($9, cash_enabled),
            cash_difference_cents = COALESCE($10, cash_difference_cents),
            stock_enabled = COALESCE($11, stock_enabled), refunds_enabled = COALESCE($12, refunds_enabled),
            refund_share_percent = COALESCE($13, refund_share_percent), updated_at = now()
         WHERE org_id = $1",
        &[
            &owner.org_id,
            &emails,
            &webhook_url,
            &req.webhook_secret,
            &req.offline_enabled,
            &req.offline_minutes,
            &opens_at,
            &closes_at,
            &req.cash_enabled,
            &req.cash_difference_cents,
            &req.stock_enabled,
            &req.refunds_enabled,
            &req.refund_share_percent,
        ],
    )
    .await?;
    Ok(Json(read(&st, &db, &owner.org_id).await?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryView {
    /// `email` or `webhook`.
    pub channel: String,
    pub target: String,
    pub ok: bool,
    pub error: String,
    pub sent_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertView {
    pub id: String,
    pub branch_id: String,
    pub branch_name: String,
    /// `offline`, `cash_difference`, `low_stock` or `refunds`.
    pub kind: String,
    pub title: String,
    pub detail: String,
    pub raised_at: String,
    /// When what it was about ended (a store back online, a product restocked).
    pub cleared_at: Option<String>,
    pub deliveries: Vec<DeliveryView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertList {
    pub items: Vec<AlertView>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AlertQuery {
    /// Only this branch (default: every branch the person sees).
    pub branch_id: Option<String>,
    /// Only alerts still open.
    #[serde(default)]
    pub open: bool,
    /// At most this many, newest first (1..=500, default 100).
    pub limit: Option<i64>,
}

/// The alerts of the branches the person sees, newest first, each with what was sent where.
#[utoipa::path(get, path = "/api/v1/alerts", params(AlertQuery),
    responses((status = 200, body = AlertList), (status = 403, body = ErrorBody)),
    security(("bearer" = [])), tag = "alerts")]
pub async fn list_alerts(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<AlertQuery>,
) -> Result<Json<AlertList>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(CloudError::validation("limit", "de 1 a 500"));
    }
    let db = st.db().await?;
    let branches: Vec<String> = covered(&db, &member, q.branch_id.as_deref())
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let ts =
        |c: &str| format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
    let rows = db
        .query(
            &format!(
                "SELECT a.id, a.branch_id, b.name, a.kind, a.title, a.detail, {}, {}
                 FROM alerts a JOIN branches b ON b.id = a.branch_id
                 WHERE a.org_id = $1 AND a.branch_id = ANY($2) AND (NOT $3 OR a.cleared_at IS NULL)
                 ORDER BY a.raised_at DESC LIMIT $4",
                ts("a.raised_at"),
                ts("a.cleared_at")
            ),
            &[&member.org_id, &branches, &q.open, &limit],
        )
        .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let deliveries = db
        .query(
            &format!(
                "SELECT alert_id, channel, target, ok, error, {} FROM alert_deliveries
                 WHERE alert_id = ANY($1) ORDER BY id",
                ts("sent_at")
            ),
            &[&ids],
        )
        .await?;
    let items = rows
        .iter()
        .map(|r| {
            let id: String = r.get(0);
            AlertView {
                deliveries: deliveries
                    .iter()
                    .filter(|d| d.get::<_, &str>(0) == id)
                    .map(|d| DeliveryView {
                        channel: d.get(1),
                        target: d.get(2),
                        ok: d.get(3),
                        error: d.get(4),
                        sent_at: d.get(5),
                    })
                    .collect(),
                id,
                branch_id: r.get(1),
                branch_name: r.get(2),
                kind: r.get(3),
                title: r.get(4),
                detail: r.get(5),
                raised_at: r.get(6),
                cleared_at: r.get(7),
            }
        })
        .collect();
    Ok(Json(AlertList { items }))
}
