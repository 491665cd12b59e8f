//! Handing children back: the pick-up code of a check-in ticket, the adults allowed to collect
//! the children on it, the checkout that stops their timers; the venue's occupancy; and the
//! messages the desk sends to the speakers.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::families::{self, fold};
use crate::roles::Permission;
use crate::timers::{self, Timer, TimerRow, TimerState};
use crate::tx::Tx;
use crate::{ids, validate};

/// A code's timers may still be checked out this long after the last of them stopped (the
/// overtime charge stops them just before the checkout is recorded).
const RECENT_STOP_MS: Millis = 2 * 60 * 60 * 1000;

/// What the desk sees for a code before handing the children over.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PickupPreview {
    pub pickup_code: String,
    pub sale_id: String,
    pub family_id: Option<String>,
    /// The children on the code, as their timers are now.
    pub children: Vec<Timer>,
    /// Who may collect them: the family's guardians and authorised adults, or the adult named
    /// on the ticket.
    pub authorised_adults: Vec<String>,
    /// Overtime to charge (or waive) before they go.
    pub overtime_due_cents: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CheckoutInput {
    pub pickup_code: String,
    /// The adult collecting the children.
    pub collected_by: String,
    /// Forgive overtime still due, with the reason (see the courtesies report).
    #[serde(default)]
    pub waive_reason: Option<String>,
    /// A super_admin's username and PIN when `collected_by` is not on the family's list.
    #[serde(default)]
    pub authorization: Option<crate::refunds::Authorization>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Checkout {
    pub id: String,
    pub pickup_code: String,
    pub sale_id: Option<String>,
    pub family_id: Option<String>,
    pub collected_by: String,
    /// The supervisor who allowed an adult not on the list, and their name.
    pub authorized_by: Option<String>,
    #[serde(default)]
    pub authorized_by_name: Option<String>,
    pub user_id: String,
    pub created_at: String,
    /// The children's timers, stopped.
    pub timers: Vec<Timer>,
}

/// The ticket a code belongs to now: the latest sale with that code that still has a child
/// inside, or whose children were stopped only just now.
fn sale_of_code(conn: &Connection, code: &str, now: Millis) -> Result<(String, Option<String>)> {
    let field = "pickup_code";
    let code = code.trim();
    if code.is_empty() || code.len() > 12 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(CoreError::validation(field, "código inválido"));
    }
    let found: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT s.id, s.family_id FROM sales s
             WHERE s.pickup_code = ?1 AND EXISTS (
                 SELECT 1 FROM timers t WHERE t.sale_id = s.id AND t.pickup_code = ?1
                   AND (t.state IN ('running', 'paused', 'expired') OR t.updated_at >= ?2))
             ORDER BY s.created_at DESC LIMIT 1",
            params![code, now - RECENT_STOP_MS],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((sale_id, family_id)) = found else {
        return Err(CoreError::validation(
            field,
            "ningún niño adentro tiene ese código",
        ));
    };
    let done: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM checkouts WHERE sale_id = ?1)",
        [&sale_id],
        |r| r.get(0),
    )?;
    let inside = timers::inside_with_code(conn, code)?
        .iter()
        .any(|t| t.sale_id.as_deref() == Some(sale_id.as_str()));
    if done && !inside {
        return Err(CoreError::Conflict {
            code: "already_checked_out",
            message: "los niños de ese código ya se entregaron".into(),
            field: Some(field.into()),
        });
    }
    Ok((sale_id, family_id))
}

fn code_timers(conn: &Connection, sale_id: &str, code: &str) -> Result<Vec<TimerRow>> {
    Ok(
        timers::of_sales(conn, &serde_json::json!([sale_id]).to_string())?
            .into_iter()
            .filter(|t| t.pickup_code.as_deref() == Some(code) && t.state != TimerState::Cancelled)
            .collect(),
    )
}

fn adults(
    conn: &Connection,
    family_id: Option<&str>,
    rows: &[TimerRow],
    branch: &str,
) -> Result<Vec<String>> {
    let mut out = match family_id {
        Some(fid) => families::get(conn, fid, branch)?.authorised_adults(),
        None => Vec::new(),
    };
    for t in rows {
        if !t.guardian_name.is_empty() && !out.iter().any(|a| fold(a) == fold(&t.guardian_name)) {
            out.push(t.guardian_name.clone());
        }
    }
    Ok(out)
}

pub fn preview(
    conn: &Connection,
    branch_id: &str,
    code: &str,
    now: Millis,
) -> Result<PickupPreview> {
    let code = code.trim();
    let (sale_id, family_id) = sale_of_code(conn, code, now)?;
    let rows = code_timers(conn, &sale_id, code)?;
    Ok(PickupPreview {
        pickup_code: code.to_string(),
        authorised_adults: adults(conn, family_id.as_deref(), &rows, branch_id)?,
        overtime_due_cents: rows.iter().map(|t| t.overtime_due_at(now)).sum(),
        children: rows.iter().map(|t| t.view(now)).collect(),
        sale_id,
        family_id,
    })
}

/// Hands the children on a code over to `collected_by`: stops their timers (overtime still due
/// must be charged first, or waived with a reason) and records who took them. An adult who is
/// not on the list needs a supervisor (`authorized_by`, whose PIN the hub checked).
pub fn checkout(
    tx: &Tx<'_>,
    input: &CheckoutInput,
    authorized_by: Option<&str>,
) -> Result<Checkout> {
    let now = tx.now();
    let user_id = tx
        .actor()
        .user_id
        .clone()
        .ok_or_else(|| CoreError::Forbidden("una entrega necesita un usuario".into()))?;
    let code = input.pickup_code.trim().to_string();
    let (sale_id, family_id) = sale_of_code(tx.conn, &code, now)?;
    let collected_by = validate::name("collected_by", &input.collected_by)?;
    let rows = code_timers(tx.conn, &sale_id, &code)?;
    let allowed = adults(tx.conn, family_id.as_deref(), &rows, tx.branch_id())?;
    let on_list = allowed.is_empty() || allowed.iter().any(|a| fold(a) == fold(&collected_by));
    let authorized_by = if on_list {
        None
    } else {
        match authorized_by {
            Some(uid) => Some(crate::users::supervisor(tx.conn, uid, Permission::AuthorizePickup)?),
            None if tx.actor().role.can(Permission::AuthorizePickup) => Some(user_id.clone()),
            None => {
                return Err(CoreError::AuthorizationRequired(format!(
                    "{collected_by} no está autorizado para recoger a estos niños: hace falta un administrador (usuario y PIN)"
                )))
            }
        }
    };
    let mut stopped = Vec::new();
    for t in &rows {
        let t = match t.state {
            TimerState::Running | TimerState::Paused | TimerState::Expired => {
                timers::stop(tx, &t.id, input.waive_reason.as_deref()).map_err(|e| match e {
                    CoreError::Conflict {
                        code: "overtime_due",
                        message,
                        ..
                    } => CoreError::Conflict {
                        code: "overtime_due",
                        message,
                        field: Some("pickup_code".into()),
                    },
                    other => other,
                })?
            }
            _ => t.clone(),
        };
        stopped.push(t.view(now));
    }
    let authorized_by_name = match &authorized_by {
        Some(uid) => Some(crate::users::get(tx.conn, uid)?.display_name),
        None => None,
    };
    let c = Checkout {
        id: ids::new_id(),
        pickup_code: code,
        sale_id: Some(sale_id),
        family_id,
        collected_by,
        authorized_by,
        authorized_by_name,
        user_id,
        created_at: clock::to_rfc3339(now),
        timers: stopped,
    };
    tx.conn.execute(
        "INSERT INTO checkouts (id, branch_id, pickup_code, sale_id, family_id, collected_by, authorized_by, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            c.id,
            tx.branch_id(),
            c.pickup_code,
            c.sale_id,
            c.family_id,
            c.collected_by,
            c.authorized_by,
            c.user_id,
            now
        ],
    )?;
    tx.event("checkout.created", "checkout", &c.id, &c)?;
    Ok(c)
}

// ----- Occupancy ------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceOccupancy {
    pub service_id: String,
    pub name: String,
    pub inside: i64,
    /// 0: no limit of its own.
    pub capacity: i64,
}

/// Places freeing up at a minute: the children whose time ends then.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FreeUp {
    pub at: String,
    pub children: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Occupancy {
    /// Children inside: playing, paused, or whose time ran out and who were not collected yet.
    pub inside: i64,
    /// The venue's capacity (0: no limit).
    pub capacity: i64,
    /// Places left (null without a limit).
    pub available: Option<i64>,
    pub full: bool,
    /// Children whose time is up and who are still inside (their places free up when collected).
    pub overdue: i64,
    pub by_service: Vec<ServiceOccupancy>,
    /// The next minutes at which running timers end, soonest first (up to 12).
    pub frees_up: Vec<FreeUp>,
    /// When the venue is full: the time by which a place should be free.
    pub next_free_at: Option<String>,
    pub at: String,
}

pub fn occupancy(conn: &Connection, branch_id: &str, now: Millis) -> Result<Occupancy> {
    let capacity = crate::branches::get(conn, branch_id)?.capacity;
    let inside = timers::inside_count(conn)?;
    let overdue: i64 = conn.query_row(
        "SELECT COUNT(*) FROM timers WHERE state = 'expired'",
        [],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.name, s.capacity,
                (SELECT COUNT(*) FROM timers t WHERE t.service_id = s.id AND t.state IN ('running', 'paused', 'expired'))
         FROM services s WHERE s.active = 1 ORDER BY s.name",
    )?;
    let by_service = stmt
        .query_map([], |r| {
            Ok(ServiceOccupancy {
                service_id: r.get(0)?,
                name: r.get(1)?,
                capacity: r.get(2)?,
                inside: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT (ends_at + 59999) / 60000 * 60000 AS m, COUNT(*) FROM timers
         WHERE state = 'running' AND ends_at > ?1 GROUP BY m ORDER BY m LIMIT 12",
    )?;
    let slots = stmt
        .query_map([now], |r| Ok((r.get::<_, Millis>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let full = capacity > 0 && inside >= capacity;
    let next_free_at = if full {
        // Overdue children are expected first, then the running ones in the order they end.
        let needed = inside - capacity + 1 - overdue;
        if needed <= 0 {
            Some(clock::to_rfc3339(now))
        } else {
            let mut acc = 0;
            slots.iter().find_map(|(at, n)| {
                acc += n;
                (acc >= needed).then(|| clock::to_rfc3339(*at))
            })
        }
    } else {
        None
    };
    Ok(Occupancy {
        inside,
        capacity,
        available: (capacity > 0).then(|| (capacity - inside).max(0)),
        full,
        overdue,
        by_service,
        frees_up: slots
            .into_iter()
            .map(|(at, n)| FreeUp {
                at: clock::to_rfc3339(at),
                children: n,
            })
            .collect(),
        next_free_at,
        at: clock::to_rfc3339(now),
    })
}

// ----- Announcements --------------------------------------------------------------------------

pub const MAX_ANNOUNCEMENT_CHARS: usize = 200;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AnnouncementInput {
    pub text: String,
}

/// A message the desk sent to the speakers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Announcement {
    pub id: String,
    pub text: String,
    pub user_id: Option<String>,
    pub created_at: String,
}

pub fn announce(tx: &Tx<'_>, input: &AnnouncementInput) -> Result<Announcement> {
    let text = validate::short("text", &input.text)?;
    if text.is_empty() || text.chars().count() > MAX_ANNOUNCEMENT_CHARS {
        return Err(CoreError::validation(
            "text",
            format!("el mensaje lleva de 1 a {MAX_ANNOUNCEMENT_CHARS} caracteres"),
        ));
    }
    let a = Announcement {
        id: ids::new_id(),
        text,
        user_id: tx.actor().user_id.clone(),
        created_at: clock::to_rfc3339(tx.now()),
    };
    tx.event("announcement.created", "announcement", &a.id, &a)?;
    Ok(a)
}

// ----- Guardian notifications (an SMS/WhatsApp gateway) -----------------------------------------

/// Where the hub posts "your child's time is nearly up" for a guardian's phone (an SMS or
/// WhatsApp gateway the owner contracts); off while the URL is empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NotifySettings {
    pub webhook_url: String,
    /// Whether a signing secret is set (the secret itself is never shown).
    pub secret_set: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NotifySettingsInput {
    /// `https://…` or `http://…`; empty turns the notifications off.
    pub webhook_url: String,
    /// Signs each body (HMAC-SHA256 in `X-Kidyboard-Signature`); absent keeps the current one.
    #[serde(default)]
    pub secret: Option<String>,
}

/// The settings and the secret, for the sender.
pub fn notify_config(conn: &Connection, branch_id: &str) -> Result<(String, String)> {
    Ok(conn
        .query_row(
            "SELECT webhook_url, secret FROM notify_settings WHERE branch_id = ?1",
            [branch_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or_default())
}

pub fn notify_settings(conn: &Connection, branch_id: &str) -> Result<NotifySettings> {
    let (webhook_url, secret) = notify_config(conn, branch_id)?;
    Ok(NotifySettings {
        webhook_url,
        secret_set: !secret.is_empty(),
    })
}

pub fn put_notify_settings(tx: &Tx<'_>, input: &NotifySettingsInput) -> Result<NotifySettings> {
    let url = validate::short("webhook_url", &input.webhook_url)?;
    if !url.is_empty() {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 500
            && url
                .split("://")
                .nth(1)
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
        if !ok {
            return Err(CoreError::validation(
                "webhook_url",
                "una dirección http:// o https:// completa",
            ));
        }
    }
    let (_, old_secret) = notify_config(tx.conn, tx.branch_id())?;
    let secret = match &input.secret {
        Some(s) => {
            let s = validate::short("secret", s)?;
            if !s.is_empty() && s.len() < 16 {
                return Err(CoreError::validation(
                    "secret",
                    "el secreto lleva al menos 16 caracteres",
                ));
            }
            s
        }
        None => old_secret,
    };
    tx.conn.execute(
        "INSERT INTO notify_settings (branch_id, webhook_url, secret, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (branch_id) DO UPDATE SET webhook_url = ?2, secret = ?3, updated_at = ?4",
        params![tx.branch_id(), url, secret, tx.now()],
    )?;
    let out = NotifySettings {
        webhook_url: url,
        secret_set: !secret.is_empty(),
    };
    tx.event(
        "notify_settings.updated",
        "notify_settings",
        tx.branch_id(),
        &out,
    )?;
    Ok(out)
}
