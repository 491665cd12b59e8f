//! Alerts for the owner: a store silent during business hours, a day closed with a cash
//! difference over the threshold, a product at or below its stock threshold, refunds above a
//! share of a closed day's sales. Every cloud process checks now and then; an occurrence is
//! raised once (a unique index on open alerts decides which process raises it) and that process
//! sends it by email (SMTP) and to the organisation's webhook, logging each delivery.
//!
//! An alert about something that can end (a silent store, a low product) is cleared when it
//! ends, so the next time is a new occurrence; one about a day stays, so a day alerts once.

use std::time::Duration;

use chrono::Timelike;
use hmac::{Hmac, Mac};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use sha2::Sha256;

use crate::config::CloudConfig;
use crate::error::{CloudError, Result};
use crate::state::CloudState;

/// Only recent days alert (a store syncing a month of history at once does not flood the owner).
const RECENT_DAYS: i32 = 7;

/// One alert just raised, as it is sent.
#[derive(Debug, Clone, Serialize)]
pub struct Raised {
    pub id: String,
    pub organisation_id: String,
    pub branch_id: String,
    pub branch_name: String,
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
}

impl Raised {
    /// An alert about the branch of a rule's row (organisation, branch id and name first).
    fn of(
        row: &tokio_postgres::Row,
        branch_name: String,
        kind: &'static str,
        title: String,
        detail: String,
    ) -> Raised {
        Raised {
            id: String::new(),
            organisation_id: row.get(0),
            branch_id: row.get(1),
            branch_name,
            kind,
            title,
            detail,
        }
    }
}

/// Checks every `alert_check_secs` until the process ends.
pub async fn run(st: CloudState) {
    let every = Duration::from_secs(st.config.alert_check_secs.clamp(1, 3600));
    loop {
        if let Err(e) = check(&st).await {
            tracing::warn!(error = %e, "alert check failed; trying again later");
        }
        tokio::time::sleep(every).await;
    }
}

/// One pass: clears what ended, raises what is new, sends what this process raised.
pub async fn check(st: &CloudState) -> Result<Vec<Raised>> {
    let db = st.db().await?;
    // Every organisation has its rules (the migration's defaults until the owner changes them).
    db.execute(
        "INSERT INTO alert_settings (org_id) SELECT id FROM organisations ON CONFLICT DO NOTHING",
        &[],
    )
    .await?;
    clear(&db).await?;
    let mut found = offline(&db).await?;
    found.extend(cash_differences(&db).await?);
    found.extend(low_stock(&db).await?);
    found.extend(refunds(&db).await?);
    let mut raised = Vec::new();
    for (subject, alert) in found {
        raised.extend(raise(&db, subject, alert).await?);
    }
    st.metrics.alerts_raised.fetch_add(
        u64::try_from(raised.len()).unwrap_or(0),
        std::sync::atomic::Ordering::Relaxed,
    );
    for a in &raised {
        tracing::info!(kind = a.kind, branch = %a.branch_name, title = %a.title, "alert raised");
        deliver(st, &db, a).await?;
    }
    crate::throttle::forget_old(&db).await?;
    Ok(raised)
}

async fn clear(db: &deadpool_postgres::Object) -> Result<()> {
    // A store seen again after its alert (or unpaired) is no longer silent.
    db.execute(
        "UPDATE alerts a SET cleared_at = now()
         WHERE a.kind = 'offline' AND a.cleared_at IS NULL AND NOT EXISTS (
             SELECT 1 FROM devices d WHERE d.id = a.subject
               AND COALESCE(d.last_seen_at, d.paired_at) <= a.raised_at)",
        &[],
    )
    .await?;
    // A product restocked above its threshold (or gone) is no longer low.
    db.execute(
        "UPDATE alerts a SET cleared_at = now()
         WHERE a.kind = 'low_stock' AND a.cleared_at IS NULL AND NOT EXISTS (
             SELECT 1 FROM stock_levels l
             JOIN catalog_records c ON c.org_id = a.org_id AND c.entity = 'product'
                  AND c.entity_id = l.product_id
             WHERE a.subject = l.branch_id || ':' || l.product_id
               AND l.stock <= COALESCE((c.record->>'low_stock_threshold')::bigint, 0))",
        &[],
    )
    .await?;
    Ok(())
}

/// Inserts the alert about `subject` unless one is open for the same occurrence; `Some` only
/// for the caller whose insert won (with its new id).
async fn raise(
    db: &deadpool_postgres::Object,
    subject: String,
    mut alert: Raised,
) -> Result<Option<Raised>> {
    alert.id = ulid::Ulid::new().to_string();
    let won = db
        .query_opt(
            "INSERT INTO alerts (id, org_id, branch_id, kind, subject, title, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (org_id, kind, subject) WHERE cleared_at IS NULL DO NOTHING
             RETURNING id",
            &[
                &alert.id,
                &alert.organisation_id,
                &alert.branch_id,
                &alert.kind,
                &subject,
                &alert.title,
                &alert.detail,
            ],
        )
        .await?
        .is_some();
    Ok(won.then_some(alert))
}

fn minutes_of(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `now` (minutes after midnight) within [opens, closes); a range past midnight wraps.
pub fn within_hours(now: u32, opens: &str, closes: &str) -> bool {
    match (minutes_of(opens), minutes_of(closes)) {
        (Some(o), Some(c)) if o < c => (o..c).contains(&now),
        (Some(o), Some(c)) if o > c => now >= o || now < c,
        (Some(_), Some(_)) => true,
        _ => false,
    }
}

async fn offline(db: &deadpool_postgres::Object) -> Result<Vec<(String, Raised)>> {
    let rows = db
        .query(
            "SELECT b.org_id, d.branch_id, b.name, b.timezone, d.id, d.name, s.opens_at, s.closes_at,
                    s.offline_minutes,
                    (EXTRACT(EPOCH FROM (now() - COALESCE(d.last_seen_at, d.paired_at))) / 60)::int8
             FROM devices d
             JOIN branches b ON b.id = d.branch_id
             JOIN alert_settings s ON s.org_id = b.org_id
             WHERE s.offline_enabled
               AND COALESCE(d.last_seen_at, d.paired_at) < now() - make_interval(mins => s.offline_minutes)",
            &[],
        )
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let tz: chrono_tz::Tz = r
            .get::<_, &str>(3)
            .parse()
            .unwrap_or(chrono_tz::America::Mexico_City);
        let local = chrono::Utc::now().with_timezone(&tz);
        let now = local.hour() * 60 + local.minute();
        if !within_hours(now, r.get(6), r.get(7)) {
            continue;
        }
        let branch: String = r.get(2);
        let device: String = r.get(5);
        let minutes: i64 = r.get(9);
        let title = format!("«{branch}» sin conexión");
        let detail = format!(
            "{} no se comunica con la nube desde hace {}, en horario de atención. Revisa el internet o la computadora de la sucursal.",
            if device.is_empty() {
                "Su equipo".to_string()
            } else {
                format!("El equipo «{device}»")
            },
            kidyboard_core::services::spoken_length(minutes),
        );
        out.push((r.get(4), Raised::of(&r, branch, "offline", title, detail)));
    }
    Ok(out)
}

async fn cash_differences(db: &deadpool_postgres::Object) -> Result<Vec<(String, Raised)>> {
    let rows = db
        .query(
            "SELECT b.org_id, c.branch_id, b.name, c.business_day, c.difference_cents, c.closed_by_name,
                    c.expected_cents, c.counted_cents
             FROM day_closings c
             JOIN branches b ON b.id = c.branch_id
             JOIN alert_settings s ON s.org_id = b.org_id
             WHERE s.cash_enabled AND abs(c.difference_cents) > s.cash_difference_cents
               AND c.business_day >= to_char(now() - make_interval(days => $1), 'YYYY-MM-DD')",
            &[&RECENT_DAYS],
        )
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let branch: String = r.get(2);
        let day: String = r.get(3);
        let diff: i64 = r.get(4);
        let who: String = r.get(5);
        let title = format!(
            "«{branch}» cerró el {day} con {} {}",
            kidyboard_core::money::format_mxn(diff.abs()),
            if diff < 0 { "de menos" } else { "de más" }
        );
        let detail = format!(
            "Se esperaban {} y se contaron {}{}.",
            kidyboard_core::money::format_mxn(r.get(6)),
            kidyboard_core::money::format_mxn(r.get(7)),
            if who.is_empty() {
                String::new()
            } else {
                format!(" (cerró {who})")
            }
        );
        let subject = format!("{}:{day}", r.get::<_, String>(1));
        out.push((
            subject,
            Raised::of(&r, branch, "cash_difference", title, detail),
        ));
    }
    Ok(out)
}

async fn low_stock(db: &deadpool_postgres::Object) -> Result<Vec<(String, Raised)>> {
    let rows = db
        .query(
            "SELECT b.org_id, l.branch_id, b.name, l.product_id, c.record->>'name', l.stock,
                    COALESCE((c.record->>'low_stock_threshold')::bigint, 0)
             FROM stock_levels l
             JOIN branches b ON b.id = l.branch_id
             JOIN alert_settings s ON s.org_id = b.org_id
             JOIN catalog_records c ON c.org_id = b.org_id AND c.entity = 'product' AND c.entity_id = l.product_id
             WHERE s.stock_enabled AND COALESCE((c.record->>'active')::boolean, true)
               AND l.stock <= COALESCE((c.record->>'low_stock_threshold')::bigint, 0)",
            &[],
        )
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let branch: String = r.get(2);
        let product: Option<String> = r.get(4);
        let product = product.unwrap_or_default();
        let stock: i64 = r.get(5);
        let title = if stock <= 0 {
            format!("«{branch}»: se agotó {product}")
        } else {
            format!("«{branch}»: quedan {stock} de {product}")
        };
        let detail = format!(
            "{product} está en {stock} (el mínimo es {}). Conviene surtir.",
            r.get::<_, i64>(6)
        );
        let subject = format!("{}:{}", r.get::<_, String>(1), r.get::<_, String>(3));
        out.push((subject, Raised::of(&r, branch, "low_stock", title, detail)));
    }
    Ok(out)
}

async fn refunds(db: &deadpool_postgres::Object) -> Result<Vec<(String, Raised)>> {
    // Judged on closed days: early in a day one refund of one sale would read as 100 %.
    let rows = db
        .query(
            "SELECT b.org_id, d.branch_id, b.name, d.business_day, d.refunds_cents, d.gross_cents,
                    s.refund_share_percent
             FROM sales_daily d
             JOIN branches b ON b.id = d.branch_id
             JOIN alert_settings s ON s.org_id = b.org_id
             WHERE s.refunds_enabled AND d.gross_cents > 0
               AND d.refunds_cents * 100 > d.gross_cents * s.refund_share_percent
               AND d.business_day >= to_char(now() - make_interval(days => $1), 'YYYY-MM-DD')
               AND EXISTS (SELECT 1 FROM day_closings c
                           WHERE c.branch_id = d.branch_id AND c.business_day = d.business_day)",
            &[&RECENT_DAYS],
        )
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let branch: String = r.get(2);
        let day: String = r.get(3);
        let (refunded, gross): (i64, i64) = (r.get(4), r.get(5));
        let share = refunded.saturating_mul(100) / gross.max(1);
        let title = format!("«{branch}» devolvió el {share} % de sus ventas del {day}");
        let detail = format!(
            "Devoluciones por {} de {} vendidos (el límite es {} %).",
            kidyboard_core::money::format_mxn(refunded),
            kidyboard_core::money::format_mxn(gross),
            r.get::<_, i32>(6)
        );
        let subject = format!("{}:{day}", r.get::<_, String>(1));
        out.push((subject, Raised::of(&r, branch, "refunds", title, detail)));
    }
    Ok(out)
}

/// Sends a raised alert to the organisation's addresses and webhook; each try is logged, a
/// failure included (it is not retried: an alert goes at most once).
async fn deliver(st: &CloudState, db: &deadpool_postgres::Object, a: &Raised) -> Result<()> {
    let row = db
        .query_one(
            "SELECT emails, webhook_url, webhook_secret FROM alert_settings WHERE org_id = $1",
            &[&a.organisation_id],
        )
        .await?;
    let emails: Vec<String> = row.get(0);
    let (url, secret): (String, String) = (row.get(1), row.get(2));
    let mut log: Vec<(&str, String, std::result::Result<(), String>)> = Vec::new();
    if !emails.is_empty() {
        match mailer(&st.config) {
            Some(mailer) => {
                for to in emails {
                    let sent = send_mail(&mailer, &st.config, &to, a).await;
                    log.push(("email", to, sent));
                }
            }
            None => {
                for to in emails {
                    log.push((
                        "email",
                        to,
                        Err("la nube no tiene servidor de correo (smtp_host)".into()),
                    ));
                }
            }
        }
    }
    if !url.is_empty() {
        let sent = post_webhook(&st.http, &url, &secret, a).await;
        log.push(("webhook", url, sent));
    }
    for (channel, target, sent) in log {
        if let Err(e) = &sent {
            tracing::warn!(channel, %target, error = %e, "alert not delivered");
        }
        db.execute(
            "INSERT INTO alert_deliveries (alert_id, channel, target, ok, error)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &a.id,
                &channel,
                &target,
                &sent.is_ok(),
                &sent.err().unwrap_or_default(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// The SMTP transport from the cloud's settings; `None` when no server is configured.
fn mailer(cfg: &CloudConfig) -> Option<AsyncSmtpTransport<Tokio1Executor>> {
    let host = cfg.smtp_host.trim();
    if host.is_empty() {
        return None;
    }
    let builder = match cfg.smtp_security.as_str() {
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host).ok()?,
        "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).ok()?,
    };
    let mut builder = builder
        .port(cfg.smtp_port)
        .timeout(Some(Duration::from_secs(20)));
    if !cfg.smtp_username.is_empty() {
        builder = builder.credentials(Credentials::new(
            cfg.smtp_username.clone(),
            cfg.smtp_password.clone(),
        ));
    }
    Some(builder.build())
}

async fn send_mail(
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    cfg: &CloudConfig,
    to: &str,
    a: &Raised,
) -> std::result::Result<(), String> {
    let message = Message::builder()
        .from(cfg.smtp_from.parse().map_err(|e| format!("smtp_from: {e}"))?)
        .to(to.parse().map_err(|e| format!("{to}: {e}"))?)
        .subject(format!("Kidyboard · {}", a.title))
        .header(ContentType::TEXT_PLAIN)
        .body(format!(
            "{}\n\n{}\n\nSucursal: {}\n\nAlertas de Kidyboard. Puedes cambiar qué se avisa y a quién en la consola, en Alertas.\n",
            a.title, a.detail, a.branch_name
        ))
        .map_err(|e| e.to_string())?;
    mailer
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// HMAC-SHA256 of the body with the organisation's secret, as `sha256=<hex>`.
pub fn signature(secret: &str, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    Some(format!(
        "sha256={}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

async fn post_webhook(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    a: &Raised,
) -> std::result::Result<(), String> {
    let body = serde_json::to_vec(a).map_err(|e| e.to_string())?;
    let mut req = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("x-kidyboard-event", "alert")
        .timeout(Duration::from_secs(10));
    if !secret.is_empty() {
        if let Some(sig) = signature(secret, &body) {
            req = req.header("x-kidyboard-signature", sig);
        }
    }
    let res = req.body(body).send().await.map_err(|e| e.to_string())?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("el webhook respondió {}", res.status()))
    }
}

/// A webhook address: `http(s)://host…`, at most 500 characters.
pub fn check_webhook_url(raw: &str) -> Result<String> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(String::new());
    }
    let ok = url.len() <= 500
        && reqwest::Url::parse(url)
            .ok()
            .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !ok {
        return Err(CloudError::validation(
            "webhook_url",
            "una dirección http:// o https:// válida",
        ));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_hours_include_the_opening_minute_and_wrap_past_midnight() {
        assert!(within_hours(9 * 60, "09:00", "21:00"));
        assert!(!within_hours(21 * 60, "09:00", "21:00"));
        assert!(!within_hours(8 * 60 + 59, "09:00", "21:00"));
        assert!(within_hours(30, "18:00", "02:00"));
        assert!(!within_hours(12 * 60, "18:00", "02:00"));
        assert!(!within_hours(600, "nueve", "21:00"));
    }

    #[test]
    fn the_signature_is_hmac_sha256_rfc_4231_case_2() {
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?").as_deref(),
            Some("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
    }

    #[test]
    fn webhook_addresses_are_http_urls() {
        assert!(check_webhook_url("https://hooks.example.mx/kidyboard").is_ok());
        assert_eq!(check_webhook_url("  ").ok().as_deref(), Some(""));
        for bad in [
            "ftp://x.mx/a",
            "no es url",
            "https://",
            "javascript:alert(1)",
        ] {
            assert!(check_webhook_url(bad).is_err(), "{bad}");
        }
    }
}
