//! The cash drawer: the float a till opens the day with, cash dropped to the safe or deposited
//! during the day, and the shift report (corte X) of each clerk. The day closing (corte Z, in
//! `day_close`) expects float + cash sales − cash refunds − drops + deposits.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::day_close::{self, ByMethod};
use crate::error::{CoreError, Result};
use crate::money::format_mxn;
use crate::tx::Tx;
use crate::{ids, sales, validate};

/// The drawer a float or movement belongs to when the desk does not name one.
pub const DEFAULT_TILL: &str = "caja";

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct OpenRequest {
    pub float_cents: i64,
    /// Which drawer (default `caja`); a branch with a drawer at the desk and one at the kid bar
    /// names them.
    #[serde(default)]
    pub till: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Cash out of the drawer, to the safe or the bank.
    Drop,
    /// Cash into the drawer (more change, say).
    Deposit,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Drop => "drop",
            MovementKind::Deposit => "deposit",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MovementRequest {
    pub kind: MovementKind,
    pub amount_cents: i64,
    pub reason: String,
    #[serde(default)]
    pub till: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TillFloat {
    pub id: String,
    pub business_day: String,
    pub till: String,
    pub float_cents: i64,
    pub user_id: String,
    /// Who opened it, as the desk shows them.
    #[serde(default)]
    pub user_name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TillMovement {
    pub id: String,
    pub business_day: String,
    pub till: String,
    pub kind: MovementKind,
    pub amount_cents: i64,
    pub reason: String,
    pub user_id: String,
    #[serde(default)]
    pub user_name: String,
    pub created_at: String,
}

/// The display name of user `id` (empty when unknown).
fn name_of(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn
        .query_row("SELECT display_name FROM users WHERE id = ?1", [id], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .unwrap_or_default())
}

/// The drawers of a business day: what went in and out besides sales. No expected cash: the
/// count at closing is blind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TillDay {
    pub business_day: String,
    pub floats: Vec<TillFloat>,
    pub movements: Vec<TillMovement>,
    pub float_cents: i64,
    pub drops_cents: i64,
    pub deposits_cents: i64,
}

fn till_name(till: Option<&str>) -> Result<String> {
    let t = validate::short("till", till.unwrap_or(DEFAULT_TILL))?;
    if t.is_empty() || t.chars().count() > 40 {
        return Err(CoreError::validation(
            "till",
            "el nombre de la caja lleva de 1 a 40 caracteres",
        ));
    }
    Ok(t)
}

fn user_of(tx: &Tx<'_>) -> Result<String> {
    tx.actor()
        .user_id
        .clone()
        .ok_or_else(|| CoreError::Forbidden("la caja necesita un usuario".into()))
}

/// The business day drawer work at `now` counts on: like a sale's, the next day once today is
/// closed.
fn day_now(tx: &Tx<'_>) -> Result<NaiveDate> {
    sales::business_day_for(tx.conn, tx.branch_id(), tx.now())
}

/// Opens a drawer for the day with its float, once.
pub fn open(tx: &Tx<'_>, req: &OpenRequest) -> Result<TillFloat> {
    let user_id = user_of(tx)?;
    let amount = validate::amount("float_cents", req.float_cents)?;
    let till = till_name(req.till.as_deref())?;
    let day = day_now(tx)?;
    let taken: bool = tx.conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM till_floats WHERE branch_id = ?1 AND business_day = ?2 AND till = ?3)",
        params![tx.branch_id(), day.to_string(), till],
        |r| r.get(0),
    )?;
    if taken {
        return Err(CoreError::Conflict {
            code: "till_already_open",
            message: format!("la caja «{till}» ya se abrió el {day}"),
            field: Some("till".into()),
        });
    }
    let f = TillFloat {
        id: ids::new_id(),
        business_day: day.to_string(),
        till,
        float_cents: amount,
        user_name: name_of(tx.conn, &user_id)?,
        user_id,
        created_at: clock::to_rfc3339(tx.now()),
    };
    tx.conn.execute(
        "INSERT INTO till_floats (id, branch_id, business_day, till, float_cents, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![f.id, tx.branch_id(), f.business_day, f.till, f.float_cents, f.user_id, tx.now()],
    )?;
    tx.event("till.opened", "till_float", &f.id, &f)?;
    Ok(f)
}

/// A drop or a deposit. A drop cannot take out more cash than the day's drawers hold.
pub fn movement(tx: &Tx<'_>, req: &MovementRequest) -> Result<TillMovement> {
    let user_id = user_of(tx)?;
    if req.amount_cents <= 0 {
        return Err(CoreError::validation(
            "amount_cents",
            "el monto debe ser mayor que cero",
        ));
    }
    let amount = validate::amount("amount_cents", req.amount_cents)?;
    let reason = validate::reason("reason", &req.reason)?;
    let till = till_name(req.till.as_deref())?;
    let day = day_now(tx)?;
    if req.kind == MovementKind::Drop {
        let in_drawer = day_close::expected(tx.conn, tx.branch_id(), day)?
            .0
            .cash_cents;
        if amount > in_drawer {
            return Err(CoreError::validation(
                "amount_cents",
                format!(
                    "no se puede retirar {}: en caja hay {}",
                    format_mxn(amount),
                    format_mxn(in_drawer.max(0))
                ),
            ));
        }
    }
    let m = TillMovement {
        id: ids::new_id(),
        business_day: day.to_string(),
        till,
        kind: req.kind,
        amount_cents: amount,
        reason,
        user_name: name_of(tx.conn, &user_id)?,
        user_id,
        created_at: clock::to_rfc3339(tx.now()),
    };
    tx.conn.execute(
        "INSERT INTO till_movements (id, branch_id, business_day, till, kind, amount_cents, reason, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            m.id,
            tx.branch_id(),
            m.business_day,
            m.till,
            m.kind.as_str(),
            m.amount_cents,
            m.reason,
            m.user_id,
            tx.now()
        ],
    )?;
    tx.event("till.movement", "till_movement", &m.id, &m)?;
    Ok(m)
}

/// Floats, drops and deposits of a business day: `(float, drops, deposits)`.
pub fn sums(conn: &Connection, branch_id: &str, day: NaiveDate) -> Result<(i64, i64, i64)> {
    let d = day.to_string();
    let float: i64 = conn.query_row(
        "SELECT COALESCE(SUM(float_cents), 0) FROM till_floats WHERE branch_id = ?1 AND business_day = ?2",
        params![branch_id, d],
        |r| r.get(0),
    )?;
    let (drops, deposits): (i64, i64) = conn.query_row(
        "SELECT COALESCE(SUM(CASE WHEN kind = 'drop' THEN amount_cents END), 0),
                COALESCE(SUM(CASE WHEN kind = 'deposit' THEN amount_cents END), 0)
         FROM till_movements WHERE branch_id = ?1 AND business_day = ?2",
        params![branch_id, d],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((float, drops, deposits))
}

pub fn day(conn: &Connection, branch_id: &str, day: NaiveDate) -> Result<TillDay> {
    let d = day.to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT id, business_day, till, float_cents, user_id, created_at,
                COALESCE((SELECT display_name FROM users u WHERE u.id = user_id), '')
         FROM till_floats WHERE branch_id = ?1 AND business_day = ?2 ORDER BY created_at, id",
    )?;
    let floats = stmt
        .query_map(params![branch_id, d], |r| {
            Ok(TillFloat {
                id: r.get(0)?,
                business_day: r.get(1)?,
                till: r.get(2)?,
                float_cents: r.get(3)?,
                user_id: r.get(4)?,
                created_at: clock::to_rfc3339(r.get(5)?),
                user_name: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, business_day, till, kind, amount_cents, reason, user_id, created_at,
                COALESCE((SELECT display_name FROM users u WHERE u.id = user_id), '')
         FROM till_movements WHERE branch_id = ?1 AND business_day = ?2 ORDER BY created_at, id",
    )?;
    let movements = stmt
        .query_map(params![branch_id, d], |r| {
            let kind: String = r.get(3)?;
            Ok(TillMovement {
                id: r.get(0)?,
                business_day: r.get(1)?,
                till: r.get(2)?,
                kind: if kind == "deposit" {
                    MovementKind::Deposit
                } else {
                    MovementKind::Drop
                },
                amount_cents: r.get(4)?,
                reason: r.get(5)?,
                user_id: r.get(6)?,
                created_at: clock::to_rfc3339(r.get(7)?),
                user_name: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (float_cents, drops_cents, deposits_cents) = sums(conn, branch_id, day)?;
    Ok(TillDay {
        business_day: d,
        floats,
        movements,
        float_cents,
        drops_cents,
        deposits_cents,
    })
}

/// A clerk's shift (corte X): what they sold and gave back, by method, and the drawer work
/// they did, on one business day. It freezes nothing and can be printed any time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShiftReport {
    pub business_day: String,
    pub user_id: String,
    pub user_name: String,
    pub printed_at: String,
    pub sales_count: i64,
    /// What their sales took, by method (cash net of the change handed back).
    pub received: ByMethod,
    pub sales_total_cents: i64,
    pub discounts_cents: i64,
    pub refunds_count: i64,
    /// What their refunds gave back, by method.
    pub refunded: ByMethod,
    pub float_cents: i64,
    pub drops_cents: i64,
    pub deposits_cents: i64,
    /// Cash that went through their hands: float + cash received − cash refunded − drops +
    /// deposits.
    pub cash_net_cents: i64,
}

pub fn shift(
    conn: &Connection,
    branch_id: &str,
    user_id: &str,
    day: NaiveDate,
    now: Millis,
) -> Result<ShiftReport> {
    let d = day.to_string();
    let user_name: String = conn
        .query_row(
            "SELECT display_name FROM users WHERE id = ?1",
            [user_id],
            |r| r.get(0),
        )
        .map_err(|_| CoreError::not_found("usuario", user_id))?;
    let mut received = ByMethod::default();
    let mut stmt = conn.prepare_cached(
        "SELECT p.method, SUM(p.amount_cents) FROM sale_payments p JOIN sales s ON s.id = p.sale_id
         WHERE s.branch_id = ?1 AND s.business_day = ?2 AND s.user_id = ?3 GROUP BY p.method",
    )?;
    for row in stmt.query_map(params![branch_id, d, user_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (m, v) = row?;
        *slot(&mut received, &m) += v;
    }
    let (sales_count, sales_total_cents, change, discounts_cents): (i64, i64, i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(total_cents), 0), COALESCE(SUM(change_cents), 0),
                    COALESCE(SUM(discount_cents), 0)
             FROM sales WHERE branch_id = ?1 AND business_day = ?2 AND user_id = ?3",
            params![branch_id, d, user_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
    received.cash_cents -= change;
    let mut refunded = ByMethod::default();
    let mut stmt = conn.prepare_cached(
        "SELECT p.method, SUM(p.amount_cents) FROM refund_payments p JOIN refunds r ON r.id = p.refund_id
         WHERE r.branch_id = ?1 AND r.business_day = ?2 AND r.user_id = ?3 GROUP BY p.method",
    )?;
    for row in stmt.query_map(params![branch_id, d, user_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (m, v) = row?;
        *slot(&mut refunded, &m) += v;
    }
    let refunds_count: i64 = conn.query_row(
        "SELECT COUNT(*) FROM refunds WHERE branch_id = ?1 AND business_day = ?2 AND user_id = ?3",
        params![branch_id, d, user_id],
        |r| r.get(0),
    )?;
    let float_cents: i64 = conn.query_row(
        "SELECT COALESCE(SUM(float_cents), 0) FROM till_floats
         WHERE branch_id = ?1 AND business_day = ?2 AND user_id = ?3",
        params![branch_id, d, user_id],
        |r| r.get(0),
    )?;
    let (drops_cents, deposits_cents): (i64, i64) = conn.query_row(
        "SELECT COALESCE(SUM(CASE WHEN kind = 'drop' THEN amount_cents END), 0),
                COALESCE(SUM(CASE WHEN kind = 'deposit' THEN amount_cents END), 0)
         FROM till_movements WHERE branch_id = ?1 AND business_day = ?2 AND user_id = ?3",
        params![branch_id, d, user_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(ShiftReport {
        business_day: d,
        user_id: user_id.to_string(),
        user_name,
        printed_at: clock::to_rfc3339(now),
        sales_count,
        cash_net_cents: float_cents + received.cash_cents - refunded.cash_cents - drops_cents
            + deposits_cents,
        received,
        sales_total_cents,
        discounts_cents,
        refunds_count,
        refunded,
        float_cents,
        drops_cents,
        deposits_cents,
    })
}

fn slot<'a>(by: &'a mut ByMethod, method: &str) -> &'a mut i64 {
    match method {
        "cash" => &mut by.cash_cents,
        "card" => &mut by.card_cents,
        _ => &mut by.transfer_cents,
    }
}

/// The shift report as the desk's printer prints it, `width` characters a line; `printed_at`
/// as the branch's clock reads it.
pub fn shift_text(r: &ShiftReport, branch_name: &str, printed_at: &str, width: usize) -> String {
    let mut out = String::new();
    let line = |out: &mut String, left: &str, right: &str| {
        let pad = width.saturating_sub(left.chars().count() + right.chars().count());
        out.push_str(left);
        out.push_str(&" ".repeat(pad.max(1)));
        out.push_str(right);
        out.push('\n');
    };
    let center = |out: &mut String, s: &str| {
        let pad = width.saturating_sub(s.chars().count()) / 2;
        out.push_str(&" ".repeat(pad));
        out.push_str(s);
        out.push('\n');
    };
    let rule = "-".repeat(width);
    center(&mut out, branch_name);
    center(&mut out, "CORTE X (parcial)");
    line(&mut out, "Día", &r.business_day);
    line(&mut out, "Cajero", &r.user_name);
    line(&mut out, "Impreso", printed_at);
    out.push_str(&rule);
    out.push('\n');
    line(&mut out, "Ventas", &r.sales_count.to_string());
    line(&mut out, "Total vendido", &format_mxn(r.sales_total_cents));
    line(&mut out, "Descuentos", &format_mxn(r.discounts_cents));
    line(&mut out, "Efectivo", &format_mxn(r.received.cash_cents));
    line(&mut out, "Tarjeta", &format_mxn(r.received.card_cents));
    line(
        &mut out,
        "Transferencia",
        &format_mxn(r.received.transfer_cents),
    );
    out.push_str(&rule);
    out.push('\n');
    line(&mut out, "Devoluciones", &r.refunds_count.to_string());
    line(
        &mut out,
        "Devuelto efectivo",
        &format_mxn(r.refunded.cash_cents),
    );
    line(
        &mut out,
        "Devuelto tarjeta",
        &format_mxn(r.refunded.card_cents),
    );
    line(
        &mut out,
        "Devuelto transf.",
        &format_mxn(r.refunded.transfer_cents),
    );
    out.push_str(&rule);
    out.push('\n');
    line(&mut out, "Fondo de caja", &format_mxn(r.float_cents));
    line(&mut out, "Retiros", &format_mxn(r.drops_cents));
    line(&mut out, "Depósitos", &format_mxn(r.deposits_cents));
    line(&mut out, "Efectivo neto", &format_mxn(r.cash_net_cents));
    out
}
