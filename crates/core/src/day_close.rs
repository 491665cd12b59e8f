//! Day closing (arqueo): freezes a business day with what was expected by payment method, what
//! was counted, and the difference. Sales after closing belong to the next day.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::tx::Tx;
use crate::{branches, ids, validate};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ByMethod {
    pub cash_cents: i64,
    pub card_cents: i64,
    pub transfer_cents: i64,
}

impl ByMethod {
    pub fn total(&self) -> i64 {
        self.cash_cents + self.card_cents + self.transfer_cents
    }
}

/// What the open day holds so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayStatus {
    pub business_day: String,
    pub closed: bool,
    pub expected: ByMethod,
    pub sales_count: i64,
    pub total_cents: i64,
    pub closing: Option<DayClosing>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DayClosing {
    pub id: String,
    pub business_day: String,
    pub expected: ByMethod,
    pub counted: ByMethod,
    /// Counted minus expected, per method.
    pub differences: ByMethod,
    /// Counted minus expected, all methods together (negative = missing money).
    pub difference_cents: i64,
    pub sales_count: i64,
    pub total_cents: i64,
    /// Bills and coins counted: value in centavos → pieces.
    pub denominations: BTreeMap<String, i64>,
    pub note: String,
    pub closed_by: String,
    pub closed_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DayCloseRequest {
    pub counted_cash_cents: i64,
    /// Card terminal total; defaults to what the sales expect.
    #[serde(default)]
    pub counted_card_cents: Option<i64>,
    #[serde(default)]
    pub counted_transfer_cents: Option<i64>,
    /// Bills and coins: value in centavos ("50000" = $500 bill) → pieces. When given, the pieces
    /// must add up to `counted_cash_cents`.
    #[serde(default)]
    pub denominations: Option<BTreeMap<String, i64>>,
    #[serde(default)]
    pub note: Option<String>,
    /// The day to close; defaults to today in the branch time zone.
    #[serde(default)]
    pub business_day: Option<String>,
}

/// The Mexican bills and coins, in centavos, that a cash count may list.
pub const MXN_DENOMINATIONS: [i64; 12] = [
    100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 10,
];

pub fn is_closed(conn: &Connection, branch_id: &str, day: NaiveDate) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM day_closings WHERE branch_id = ?1 AND business_day = ?2)",
        params![branch_id, day.to_string()],
        |r| r.get(0),
    )?)
}

/// Sales of a range of business days: money received by method (cash net of the change handed
/// back and of refunds paid out, i.e. what should be in the drawer), how many sales, and their
/// total net of refunds. Refunds count on the business day the money went back. Day closing uses
/// it for one day, reports for any range.
pub fn takings(
    conn: &Connection,
    branch_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(ByMethod, i64, i64)> {
    let (f, t) = (from.to_string(), to.to_string());
    let mut by = ByMethod::default();
    let mut stmt = conn.prepare_cached(
        "SELECT p.method, SUM(p.amount_cents) FROM sale_payments p JOIN sales s ON s.id = p.sale_id
         WHERE s.branch_id = ?1 AND s.business_day BETWEEN ?2 AND ?3 GROUP BY p.method",
    )?;
    let rows = stmt.query_map(params![branch_id, f, t], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (method, sum) = row?;
        match method.as_str() {
            "cash" => by.cash_cents = sum,
            "card" => by.card_cents = sum,
            _ => by.transfer_cents = sum,
        }
    }
    let (count, total, change): (i64, i64, i64) = conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(total_cents), 0), COALESCE(SUM(change_cents), 0)
         FROM sales WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3",
        params![branch_id, f, t],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    by.cash_cents -= change;
    let (back, refunded) = refunds(conn, branch_id, from, to)?;
    by.cash_cents -= back.cash_cents;
    by.card_cents -= back.card_cents;
    by.transfer_cents -= back.transfer_cents;
    Ok((by, count, total - refunded))
}

/// Money given back in a range of business days, by method, and in all.
pub fn refunds(
    conn: &Connection,
    branch_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(ByMethod, i64)> {
    let mut by = ByMethod::default();
    let mut stmt = conn.prepare_cached(
        "SELECT p.method, SUM(p.amount_cents) FROM refund_payments p JOIN refunds r ON r.id = p.refund_id
         WHERE r.branch_id = ?1 AND r.business_day BETWEEN ?2 AND ?3 GROUP BY p.method",
    )?;
    let rows = stmt.query_map(params![branch_id, from.to_string(), to.to_string()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (method, sum) = row?;
        match method.as_str() {
            "cash" => by.cash_cents = sum,
            "card" => by.card_cents = sum,
            _ => by.transfer_cents = sum,
        }
    }
    let total: i64 = conn.query_row(
        "SELECT COALESCE(SUM(total_cents), 0) FROM refunds
         WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3",
        params![branch_id, from.to_string(), to.to_string()],
        |r| r.get(0),
    )?;
    Ok((by, total))
}

/// Money that should be in each drawer for one day (see `takings`).
pub fn expected(
    conn: &Connection,
    branch_id: &str,
    day: NaiveDate,
) -> Result<(ByMethod, i64, i64)> {
    takings(conn, branch_id, day, day)
}

fn today(conn: &Connection, branch_id: &str, now: Millis) -> Result<NaiveDate> {
    Ok(clock::local_day(now, branches::timezone(conn, branch_id)?))
}

pub fn status(conn: &Connection, branch_id: &str, now: Millis) -> Result<DayStatus> {
    let day = today(conn, branch_id, now)?;
    let (expected, sales_count, total_cents) = expected(conn, branch_id, day)?;
    let closing = get_by_day(conn, branch_id, day)?;
    Ok(DayStatus {
        business_day: day.to_string(),
        closed: closing.is_some(),
        expected,
        sales_count,
        total_cents,
        closing,
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<DayClosing> {
    let expected = ByMethod {
        cash_cents: r.get(2)?,
        card_cents: r.get(3)?,
        transfer_cents: r.get(4)?,
    };
    let counted = ByMethod {
        cash_cents: r.get(5)?,
        card_cents: r.get(6)?,
        transfer_cents: r.get(7)?,
    };
    let denominations: String = r.get(11)?;
    Ok(DayClosing {
        id: r.get(0)?,
        business_day: r.get(1)?,
        expected,
        counted,
        differences: ByMethod {
            cash_cents: counted.cash_cents - expected.cash_cents,
            card_cents: counted.card_cents - expected.card_cents,
            transfer_cents: counted.transfer_cents - expected.transfer_cents,
        },
        difference_cents: r.get(8)?,
        sales_count: r.get(9)?,
        total_cents: r.get(10)?,
        denominations: serde_json::from_str(&denominations).unwrap_or_default(),
        note: r.get(12)?,
        closed_by: r.get(13)?,
        closed_at: clock::to_rfc3339(r.get(14)?),
    })
}

const COLUMNS: &str = "id, business_day, expected_cash_cents, expected_card_cents, expected_transfer_cents, \
     counted_cash_cents, counted_card_cents, counted_transfer_cents, difference_cents, sales_count, total_cents, \
     denominations, note, closed_by, closed_at";

fn get_by_day(conn: &Connection, branch_id: &str, day: NaiveDate) -> Result<Option<DayClosing>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM day_closings WHERE branch_id = ?1 AND business_day = ?2"
            ),
            params![branch_id, day.to_string()],
            from_row,
        )
        .optional()?)
}

pub fn list(
    conn: &Connection,
    branch_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayClosing>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM day_closings WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3
         ORDER BY business_day DESC"
    ))?;
    let rows = stmt.query_map(
        params![branch_id, from.to_string(), to.to_string()],
        from_row,
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn check_denominations(req: &DayCloseRequest) -> Result<BTreeMap<String, i64>> {
    let Some(map) = &req.denominations else {
        return Ok(BTreeMap::new());
    };
    let mut sum: i64 = 0;
    for (value, pieces) in map {
        let field = format!("denominations.{value}");
        let v: i64 = value
            .parse()
            .ok()
            .filter(|v| MXN_DENOMINATIONS.contains(v))
            .ok_or_else(|| CoreError::validation(&field, "denominación desconocida"))?;
        validate::non_negative(&field, *pieces, 100_000)?;
        sum += v * pieces;
    }
    if sum != req.counted_cash_cents {
        return Err(CoreError::validation(
            "denominations",
            format!(
                "los billetes y monedas suman {} pero el efectivo contado es {}",
                crate::money::format_mxn(sum),
                crate::money::format_mxn(req.counted_cash_cents)
            ),
        ));
    }
    Ok(map.clone())
}

/// Closes a day once. A second closing of the same day is refused.
pub fn close(tx: &Tx<'_>, req: &DayCloseRequest) -> Result<DayClosing> {
    let user_id = tx
        .actor()
        .user_id
        .clone()
        .ok_or_else(|| CoreError::Forbidden("el cierre necesita un usuario".into()))?;
    let branch = tx.branch_id().to_string();
    let today = today(tx.conn, &branch, tx.now())?;
    let day = match req.business_day.as_deref() {
        Some(d) => clock::parse_day("business_day", d)?,
        None => today,
    };
    if day > today {
        return Err(CoreError::validation(
            "business_day",
            "no se puede cerrar un día futuro",
        ));
    }
    validate::amount("counted_cash_cents", req.counted_cash_cents)?;
    let denominations = check_denominations(req)?;
    let note = validate::text("note", req.note.as_deref().unwrap_or(""))?;
    if is_closed(tx.conn, &branch, day)? {
        return Err(CoreError::Conflict {
            code: "day_already_closed",
            message: format!("el día {day} ya está cerrado"),
            field: Some("business_day".into()),
        });
    }
    let (expected, sales_count, total_cents) = expected(tx.conn, &branch, day)?;
    let counted = ByMethod {
        cash_cents: req.counted_cash_cents,
        card_cents: validate::amount(
            "counted_card_cents",
            req.counted_card_cents.unwrap_or(expected.card_cents),
        )?,
        transfer_cents: validate::amount(
            "counted_transfer_cents",
            req.counted_transfer_cents
                .unwrap_or(expected.transfer_cents),
        )?,
    };
    let difference = counted.total() - expected.total();
    let id = ids::new_id();
    tx.conn.execute(
        &format!("INSERT INTO day_closings (branch_id, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"),
        params![
            branch,
            id,
            day.to_string(),
            expected.cash_cents,
            expected.card_cents,
            expected.transfer_cents,
            counted.cash_cents,
            counted.card_cents,
            counted.transfer_cents,
            difference,
            sales_count,
            total_cents,
            serde_json::to_string(&denominations).unwrap_or_else(|_| "{}".into()),
            note,
            user_id,
            tx.now()
        ],
    )?;
    let closing = get_by_day(tx.conn, &branch, day)?
        .ok_or_else(|| CoreError::Corrupt("day closing vanished".into()))?;
    tx.event("day.closed", "day_closing", &id, &closing)?;
    Ok(closing)
}
