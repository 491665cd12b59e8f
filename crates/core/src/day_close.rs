//! Day closing (arqueo, corte Z): freezes a business day with what was expected by payment
//! method, what was counted, and the difference. Cash expected = the drawers' floats + cash sales
//! − cash refunds − drops + deposits. The count is blind (the clerk sees the expected money only
//! after counting), and a difference beyond the branch's threshold is counted again once before
//! it is accepted. A closed day is corrected only by a super_admin's amendment, a new record.
//! Sales after closing belong to the next day.

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

/// What the open day holds so far. The money expected is shown only to roles that read
/// reports: the desk counts blind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayStatus {
    pub business_day: String,
    pub closed: bool,
    pub expected: Option<ByMethod>,
    pub sales_count: i64,
    pub total_cents: Option<i64>,
    pub float_cents: i64,
    pub drops_cents: i64,
    pub deposits_cents: i64,
    /// The count was too far off once already: the next one is accepted.
    pub recount_pending: bool,
    pub closing: Option<DayClosing>,
}

/// A super_admin's correction of a closed day's count, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Amendment {
    pub id: String,
    pub closing_id: String,
    pub business_day: String,
    pub counted: ByMethod,
    /// The corrected count minus what the closing expected.
    pub difference_cents: i64,
    pub reason: String,
    pub user_id: String,
    #[serde(default)]
    pub user_name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AmendRequest {
    pub counted_cash_cents: i64,
    #[serde(default)]
    pub counted_card_cents: Option<i64>,
    #[serde(default)]
    pub counted_transfer_cents: Option<i64>,
    pub reason: String,
}

/// What a closing request came to.
#[derive(Debug, Clone)]
pub enum CloseOutcome {
    Closed(Box<DayClosing>),
    /// The count is further off than the branch's threshold: count again (the attempt is
    /// recorded; the next count is accepted).
    RecountRequired {
        business_day: String,
    },
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
    /// Who closed it, as the desk shows them.
    #[serde(default)]
    pub closed_by_name: String,
    pub closed_at: String,
    /// The drawers' floats, drops and deposits the expected cash includes.
    #[serde(default)]
    pub float_cents: i64,
    #[serde(default)]
    pub drops_cents: i64,
    #[serde(default)]
    pub deposits_cents: i64,
    /// The first count, when the clerk was asked to count again.
    #[serde(default)]
    pub first_count_cash_cents: Option<i64>,
    /// Later corrections, oldest first; the last one is the day's count now.
    #[serde(default)]
    pub amendments: Vec<Amendment>,
}

impl DayClosing {
    /// The difference as the day stands: the last amendment's, or the closing's.
    pub fn current_difference_cents(&self) -> i64 {
        self.amendments
            .last()
            .map(|a| a.difference_cents)
            .unwrap_or(self.difference_cents)
    }
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

/// Money that should be in the drawers for one day: `takings` plus the cash floats, less the
/// drops, plus the deposits. `(by method, sales, total of sales)`.
pub fn expected(
    conn: &Connection,
    branch_id: &str,
    day: NaiveDate,
) -> Result<(ByMethod, i64, i64)> {
    let (mut by, count, total) = takings(conn, branch_id, day, day)?;
    let (float, drops, deposits) = crate::till::sums(conn, branch_id, day)?;
    by.cash_cents += float - drops + deposits;
    Ok((by, count, total))
}

fn today(conn: &Connection, branch_id: &str, now: Millis) -> Result<NaiveDate> {
    Ok(clock::local_day(now, branches::timezone(conn, branch_id)?))
}

fn recount_pending(conn: &Connection, branch_id: &str, day: NaiveDate) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT counted_cash_cents FROM cash_counts WHERE branch_id = ?1 AND business_day = ?2
             ORDER BY created_at LIMIT 1",
            params![branch_id, day.to_string()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Today's status; `show_expected` is for the roles that see the money before it is counted.
pub fn status(
    conn: &Connection,
    branch_id: &str,
    now: Millis,
    show_expected: bool,
) -> Result<DayStatus> {
    let day = today(conn, branch_id, now)?;
    let (expected, sales_count, total_cents) = expected(conn, branch_id, day)?;
    let (float_cents, drops_cents, deposits_cents) = crate::till::sums(conn, branch_id, day)?;
    let closing = get_by_day(conn, branch_id, day)?;
    Ok(DayStatus {
        business_day: day.to_string(),
        closed: closing.is_some(),
        expected: show_expected.then_some(expected),
        sales_count,
        total_cents: show_expected.then_some(total_cents),
        float_cents,
        drops_cents,
        deposits_cents,
        recount_pending: recount_pending(conn, branch_id, day)?.is_some(),
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
        float_cents: r.get(15)?,
        drops_cents: r.get(16)?,
        deposits_cents: r.get(17)?,
        first_count_cash_cents: r.get(18)?,
        closed_by_name: r.get(19)?,
        amendments: Vec::new(),
    })
}

fn with_amendments(conn: &Connection, mut c: DayClosing) -> Result<DayClosing> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, closing_id, business_day, counted_cash_cents, counted_card_cents,
                counted_transfer_cents, difference_cents, reason, user_id, created_at,
                COALESCE((SELECT display_name FROM users u WHERE u.id = user_id), '')
         FROM day_closing_amendments WHERE closing_id = ?1 ORDER BY created_at, id",
    )?;
    c.amendments = stmt
        .query_map([&c.id], |r| {
            Ok(Amendment {
                id: r.get(0)?,
                closing_id: r.get(1)?,
                business_day: r.get(2)?,
                counted: ByMethod {
                    cash_cents: r.get(3)?,
                    card_cents: r.get(4)?,
                    transfer_cents: r.get(5)?,
                },
                difference_cents: r.get(6)?,
                reason: r.get(7)?,
                user_id: r.get(8)?,
                created_at: clock::to_rfc3339(r.get(9)?),
                user_name: r.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(c)
}

const COLUMNS: &str = "id, business_day, expected_cash_cents, expected_card_cents, expected_transfer_cents, \
     counted_cash_cents, counted_card_cents, counted_transfer_cents, difference_cents, sales_count, total_cents, \
     denominations, note, closed_by, closed_at, float_cents, drops_cents, deposits_cents, \
     first_count_cash_cents";

/// The columns read back: the stored ones and the closer's name.
const READ_COLUMNS: &str = "id, business_day, expected_cash_cents, expected_card_cents, expected_transfer_cents, \
     counted_cash_cents, counted_card_cents, counted_transfer_cents, difference_cents, sales_count, total_cents, \
     denominations, note, closed_by, closed_at, float_cents, drops_cents, deposits_cents, \
     first_count_cash_cents, COALESCE((SELECT display_name FROM users u WHERE u.id = closed_by), '')";

fn get_by_day(conn: &Connection, branch_id: &str, day: NaiveDate) -> Result<Option<DayClosing>> {
    let found = conn
        .query_row(
            &format!(
                "SELECT {READ_COLUMNS} FROM day_closings WHERE branch_id = ?1 AND business_day = ?2"
            ),
            params![branch_id, day.to_string()],
            from_row,
        )
        .optional()?;
    found.map(|c| with_amendments(conn, c)).transpose()
}

pub fn get(conn: &Connection, branch_id: &str, id: &str) -> Result<DayClosing> {
    let c = conn
        .query_row(
            &format!("SELECT {READ_COLUMNS} FROM day_closings WHERE branch_id = ?1 AND id = ?2"),
            params![branch_id, id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("cierre", id))?;
    with_amendments(conn, c)
}

pub fn list(
    conn: &Connection,
    branch_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayClosing>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {READ_COLUMNS} FROM day_closings WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3
         ORDER BY business_day DESC"
    ))?;
    let rows = stmt.query_map(
        params![branch_id, from.to_string(), to.to_string()],
        from_row,
    )?;
    rows.map(|c| with_amendments(conn, c?))
        .collect::<Result<Vec<_>>>()
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

/// Closes a day once. A second closing of the same day is refused. A count further from the
/// expected money than the branch's threshold is recorded and sent back to be counted again;
/// the next count is accepted, whatever it says, and the first stays on the closing.
pub fn close(tx: &Tx<'_>, req: &DayCloseRequest) -> Result<CloseOutcome> {
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
    let first_count = recount_pending(tx.conn, &branch, day)?;
    let threshold = branches::get(tx.conn, &branch)?.recount_threshold_cents;
    if first_count.is_none() && difference.abs() > threshold {
        let count_id = ids::new_id();
        tx.conn.execute(
            "INSERT INTO cash_counts (id, branch_id, business_day, counted_cash_cents, difference_cents, user_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![count_id, branch, day.to_string(), counted.cash_cents, difference, user_id, tx.now()],
        )?;
        tx.event(
            "day.recount_required",
            "cash_count",
            &count_id,
            &serde_json::json!({
                "business_day": day.to_string(),
                "counted": counted,
                "difference_cents": difference,
                "threshold_cents": threshold,
            }),
        )?;
        return Ok(CloseOutcome::RecountRequired {
            business_day: day.to_string(),
        });
    }
    let (float, drops, deposits) = crate::till::sums(tx.conn, &branch, day)?;
    let id = ids::new_id();
    tx.conn.execute(
        &format!("INSERT INTO day_closings (branch_id, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"),
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
            tx.now(),
            float,
            drops,
            deposits,
            first_count
        ],
    )?;
    let closing = get_by_day(tx.conn, &branch, day)?
        .ok_or_else(|| CoreError::Corrupt("day closing vanished".into()))?;
    tx.event("day.closed", "day_closing", &id, &closing)?;
    Ok(CloseOutcome::Closed(Box::new(closing)))
}

/// Corrects a closed day's count: a super_admin's, with a reason, as a new record. The closing
/// keeps what was counted then; reports use the last amendment.
pub fn amend(tx: &Tx<'_>, closing_id: &str, req: &AmendRequest) -> Result<DayClosing> {
    tx.actor()
        .role
        .require(crate::roles::Permission::AmendClosings)?;
    let user_id = tx
        .actor()
        .user_id
        .clone()
        .ok_or_else(|| CoreError::Forbidden("la corrección necesita un usuario".into()))?;
    let closing = get(tx.conn, tx.branch_id(), closing_id)?;
    let reason = validate::short("reason", &req.reason)?;
    if reason.is_empty() {
        return Err(CoreError::validation("reason", "escribe el motivo"));
    }
    let current = closing
        .amendments
        .last()
        .map(|a| a.counted)
        .unwrap_or(closing.counted);
    let counted = ByMethod {
        cash_cents: validate::amount("counted_cash_cents", req.counted_cash_cents)?,
        card_cents: validate::amount(
            "counted_card_cents",
            req.counted_card_cents.unwrap_or(current.card_cents),
        )?,
        transfer_cents: validate::amount(
            "counted_transfer_cents",
            req.counted_transfer_cents.unwrap_or(current.transfer_cents),
        )?,
    };
    let difference = counted.total() - closing.expected.total();
    let id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO day_closing_amendments (id, closing_id, branch_id, business_day, counted_cash_cents,
                counted_card_cents, counted_transfer_cents, difference_cents, reason, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            closing.id,
            tx.branch_id(),
            closing.business_day,
            counted.cash_cents,
            counted.card_cents,
            counted.transfer_cents,
            difference,
            reason,
            user_id,
            tx.now()
        ],
    )?;
    let after = get(tx.conn, tx.branch_id(), closing_id)?;
    if let Some(a) = after.amendments.last() {
        tx.event("day.amended", "day_closing_amendment", &a.id, a)?;
    }
    Ok(after)
}
