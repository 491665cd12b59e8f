//! Refunds and voids: money given back for some lines of a sale (or all of it), as a record and
//! an event of their own; the sale itself is never edited. Products come back to stock through
//! the ledger (or are written off as damaged), refunded play time ends its timer, and the money
//! goes back by the sale's own methods unless the clerk says otherwise. A refund never gives
//! back more than a line was paid, nor a line twice.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::money::{self, PaymentMethod};
use crate::roles::{Permission, Role};
use crate::sales::{self, ItemKind, Payment, PaymentRequest, Sale};
use crate::stock::{self, StockChange};
use crate::timers::{self, TimerRow};
use crate::tx::Tx;
use crate::{branches, ids, packages, users, validate};

/// `POST /sales/{id}/refunds`: without `items`, the whole sale (a void).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RefundRequest {
    #[serde(default)]
    pub items: Option<Vec<RefundItemRequest>>,
    /// Why the money goes back (shown on the refund and in the reports).
    pub reason: String,
    /// How the money goes back; absent: by the sale's own methods.
    #[serde(default)]
    pub refund_payments: Option<Vec<PaymentRequest>>,
    /// A supervisor's username and PIN, entered on the same screen (never stored: the request's
    /// hash for retries leaves the PIN out).
    #[serde(default)]
    pub authorization: Option<Authorization>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RefundItemRequest {
    /// A line's `id` from the sale.
    pub item_id: String,
    pub quantity: i64,
    /// The product came back unfit to sell: written off instead of restocked.
    #[serde(default)]
    pub damaged: bool,
}

/// Who authorises: a super_admin's username and PIN. Never logged.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Authorization {
    pub username: String,
    pub pin: String,
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorization")
            .field("username", &self.username)
            .field("pin", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RefundItem {
    pub item_id: String,
    pub kind: ItemKind,
    pub product_id: Option<String>,
    pub name: String,
    pub quantity: i64,
    pub total_cents: i64,
    pub damaged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Refund {
    pub id: String,
    pub number: i64,
    /// As printed: `A-D000007`.
    pub folio: String,
    pub sale_id: String,
    pub sale_folio: String,
    /// The business day the money went back (not the sale's).
    pub business_day: String,
    pub created_at: String,
    /// The clerk who gave the money back.
    pub user_id: String,
    /// Their name as the desk shows it.
    #[serde(default)]
    pub user_name: String,
    /// The supervisor whose PIN authorised it, when one was needed or given.
    pub authorized_by: Option<String>,
    #[serde(default)]
    pub authorized_by_name: Option<String>,
    pub reason: String,
    pub total_cents: i64,
    /// The whole sale was refunded at once.
    pub is_void: bool,
    pub items: Vec<RefundItem>,
    pub payments: Vec<Payment>,
}

/// What a refund did, for its answer.
pub struct RefundOutcome {
    pub refund: Refund,
    pub stock_changes: Vec<StockChange>,
    pub timers: Vec<TimerRow>,
    /// True when this answers a retry of an earlier request with the same key.
    pub replayed: bool,
}

pub const MAX_REASON_LEN: usize = 200;

/// The folio of refund `number`: the branch's prefix, `-D` and six digits.
pub fn folio(prefix: &str, number: i64) -> String {
    format!("{prefix}-D{number:06}")
}

fn request_hash(sale_id: &str, req: &RefundRequest) -> String {
    let mut h = Sha256::new();
    h.update(sale_id.as_bytes());
    let without_pin = RefundRequest {
        authorization: None,
        ..req.clone()
    };
    h.update(serde_json::to_vec(&without_pin).unwrap_or_default());
    if let Some(a) = &req.authorization {
        h.update(a.username.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A line of the sale and what is left of it to refund.
struct LineState {
    position: i64,
    kind: ItemKind,
    product_id: Option<String>,
    package_id: Option<String>,
    name: String,
    quantity: i64,
    total_cents: i64,
    refunded_quantity: i64,
    refunded_cents: i64,
    /// An extension sold for this timer, of these minutes.
    extension: Option<(String, i64)>,
}

fn lines(conn: &Connection, sale: &Sale) -> Result<Vec<LineState>> {
    let mut refunded: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT sale_position, SUM(quantity), SUM(total_cents) FROM refund_items
         WHERE sale_id = ?1 GROUP BY sale_position",
    )?;
    for row in stmt.query_map([&sale.id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))? {
        let (p, q) = row?;
        refunded.insert(p, q);
    }
    Ok(sale
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let position = i as i64;
            let (rq, rc) = refunded.get(&position).copied().unwrap_or((0, 0));
            LineState {
                position,
                kind: it.kind,
                product_id: it.product_id.clone(),
                package_id: it.package_id.clone(),
                name: it.name.clone(),
                quantity: it.quantity,
                total_cents: it.total_cents,
                refunded_quantity: rq,
                refunded_cents: rc,
                extension: match (&it.timer_id, it.extra, it.extra_minutes) {
                    (Some(t), Some(sales::ExtraKind::Extension), Some(m)) => Some((t.clone(), m)),
                    _ => None,
                },
            }
        })
        .collect())
}

/// What `quantity` more units of `line` give back: their share of the line's total, the last
/// units taking whatever rounding left, so a line refunded in parts gives back exactly its total.
fn share(line: &LineState, quantity: i64) -> i64 {
    if line.refunded_quantity + quantity >= line.quantity {
        return line.total_cents - line.refunded_cents;
    }
    let part = i128::from(line.total_cents) * i128::from(quantity) / i128::from(line.quantity);
    i64::try_from(part).unwrap_or(0)
}

/// What each method may still give back: what it took (cash less the change handed back) less
/// what earlier refunds gave back by it. In the order of the sale's payments.
fn method_room(conn: &Connection, sale: &Sale) -> Result<Vec<(PaymentMethod, i64)>> {
    let mut room: Vec<(PaymentMethod, i64)> = Vec::new();
    for p in &sale.payments {
        match room.iter_mut().find(|(m, _)| *m == p.method) {
            Some((_, a)) => *a += p.amount_cents,
            None => room.push((p.method, p.amount_cents)),
        }
    }
    if let Some((_, cash)) = room.iter_mut().find(|(m, _)| *m == PaymentMethod::Cash) {
        *cash -= sale.change_cents;
    }
    let mut stmt = conn.prepare_cached(
        "SELECT p.method, SUM(p.amount_cents) FROM refund_payments p
         JOIN refunds r ON r.id = p.refund_id WHERE r.sale_id = ?1 GROUP BY p.method",
    )?;
    for row in stmt.query_map([&sale.id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (m, given) = row?;
        let m = PaymentMethod::from_db(&m);
        if let Some((_, a)) = room.iter_mut().find(|(x, _)| *x == m) {
            *a -= given;
        }
    }
    Ok(room)
}

/// The refund's money, by method: as the clerk said, or by the sale's own methods.
fn refund_payments(
    conn: &Connection,
    sale: &Sale,
    req: &RefundRequest,
    total: i64,
) -> Result<Vec<(PaymentMethod, i64)>> {
    let Some(given) = &req.refund_payments else {
        let mut left = total;
        let mut out = Vec::new();
        for (method, room) in method_room(conn, sale)? {
            let take = left.min(room.max(0));
            if take > 0 {
                out.push((method, take));
                left -= take;
            }
        }
        if left > 0 {
            // Only reachable if the ledger disagrees with itself; never give back more.
            return Err(CoreError::conflict(
                "refund_exceeds_payment",
                "la devolución supera lo que se pagó",
            ));
        }
        return Ok(out);
    };
    if given.len() > sales::MAX_PAYMENTS {
        return Err(CoreError::validation(
            "refund_payments",
            format!(
                "una devolución lleva a lo más {} pagos",
                sales::MAX_PAYMENTS
            ),
        ));
    }
    let mut out: Vec<(PaymentMethod, i64)> = Vec::new();
    for (i, p) in given.iter().enumerate() {
        let field = format!("refund_payments[{i}].amount_cents");
        if p.amount_cents <= 0 {
            return Err(CoreError::validation(
                field,
                "el monto debe ser mayor que cero",
            ));
        }
        let amount = validate::amount(&field, p.amount_cents)?;
        match out.iter_mut().find(|(m, _)| *m == p.method) {
            Some((_, a)) => *a = validate::plus(&field, *a, amount)?,
            None => out.push((p.method, amount)),
        }
    }
    let sum = money::sum("refund_payments", out.iter().map(|(_, a)| *a))?;
    if sum != total {
        return Err(CoreError::validation(
            "refund_payments",
            format!(
                "los montos devueltos suman {} y la devolución es de {}",
                money::format_mxn(sum),
                money::format_mxn(total)
            ),
        ));
    }
    Ok(out)
}

/// Refunds lines of `sale_id` (all that is left of them, without `items`). `authorized_by` is
/// the user whose PIN the caller has already verified (slow hashing happens outside the write
/// lock); it must be an active super_admin. Retrying with the same key answers the first refund.
pub fn create(
    tx: &Tx<'_>,
    sale_id: &str,
    req: &RefundRequest,
    authorized_by: Option<&str>,
    idempotency_key: Option<&str>,
) -> Result<RefundOutcome> {
    let actor = tx.actor().clone();
    actor.role.require(Permission::RefundSales)?;
    let user_id = actor
        .user_id
        .clone()
        .ok_or_else(|| CoreError::Forbidden("una devolución necesita un usuario".into()))?;
    let hash = request_hash(sale_id, req);
    if let Some(key) = idempotency_key {
        let earlier: Option<(String, String)> = tx
            .conn
            .query_row(
                "SELECT request_hash, refund_id FROM refund_keys WHERE user_id = ?1 AND key = ?2",
                params![user_id, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((earlier_hash, refund_id)) = earlier {
            if earlier_hash != hash {
                return Err(CoreError::IdempotencyKeyReused);
            }
            return Ok(RefundOutcome {
                refund: get(tx.conn, &refund_id)?,
                stock_changes: Vec::new(),
                timers: Vec::new(),
                replayed: true,
            });
        }
    }

    let now = tx.now();
    let sale = visible_sale(tx.conn, tx.branch_id(), sale_id, actor.role, now)?;
    let reason = validate::short("reason", &req.reason)?;
    if reason.is_empty() {
        return Err(CoreError::validation(
            "reason",
            "escribe el motivo de la devolución",
        ));
    }
    if reason.chars().count() > MAX_REASON_LEN {
        return Err(CoreError::validation(
            "reason",
            format!("el motivo lleva a lo más {MAX_REASON_LEN} caracteres"),
        ));
    }

    // Which lines, how many of each, and what they give back.
    let state = lines(tx.conn, &sale)?;
    let mut picked: BTreeMap<i64, (i64, bool)> = BTreeMap::new();
    let is_void = req.items.is_none();
    match &req.items {
        None => {
            for l in &state {
                if l.refunded_quantity < l.quantity {
                    picked.insert(l.position, (l.quantity - l.refunded_quantity, false));
                }
            }
            if picked.is_empty() {
                return Err(CoreError::Conflict {
                    code: "already_refunded",
                    message: format!("la venta {} ya se devolvió completa", sale.folio),
                    field: None,
                });
            }
        }
        Some(items) => {
            if items.is_empty() || items.len() > sales::MAX_ITEMS {
                return Err(CoreError::validation(
                    "items",
                    format!(
                        "una devolución lleva de 1 a {} artículos (sin artículos: toda la venta)",
                        sales::MAX_ITEMS
                    ),
                ));
            }
            for (i, it) in items.iter().enumerate() {
                let field = format!("items[{i}]");
                let line = it
                    .item_id
                    .strip_prefix(&format!("{}.", sale.id))
                    .and_then(|p| p.parse::<i64>().ok())
                    .and_then(|p| state.iter().find(|l| l.position == p))
                    .ok_or_else(|| {
                        CoreError::validation(
                            format!("{field}.item_id"),
                            "no es un artículo de esta venta",
                        )
                    })?;
                if picked.contains_key(&line.position) {
                    return Err(CoreError::validation(
                        format!("{field}.item_id"),
                        "el artículo se repite en la devolución",
                    ));
                }
                let left = line.quantity - line.refunded_quantity;
                if left == 0 {
                    return Err(CoreError::Conflict {
                        code: "already_refunded",
                        message: format!("«{}» ya se devolvió", line.name),
                        field: Some(format!("{field}.item_id")),
                    });
                }
                let quantity = validate::quantity(&format!("{field}.quantity"), it.quantity)?;
                if quantity > left {
                    return Err(CoreError::validation(
                        format!("{field}.quantity"),
                        format!("de «{}» quedan {left} por devolver", line.name),
                    ));
                }
                if line.kind != ItemKind::Product && quantity != left {
                    return Err(CoreError::validation(
                        format!("{field}.quantity"),
                        format!(
                            "«{}» se devuelve completo ({left}): el tiempo de juego y los paquetes no se parten",
                            line.name
                        ),
                    ));
                }
                if it.damaged && line.kind == ItemKind::Service {
                    return Err(CoreError::validation(
                        format!("{field}.damaged"),
                        "el tiempo de juego no se daña: solo productos",
                    ));
                }
                picked.insert(line.position, (quantity, it.damaged));
            }
        }
    }
    let mut items = Vec::with_capacity(picked.len());
    for (position, (quantity, damaged)) in &picked {
        let Some(line) = state.iter().find(|l| l.position == *position) else {
            continue;
        };
        items.push((line, *quantity, *damaged, share(line, *quantity)));
    }
    let total = money::sum("items", items.iter().map(|(_, _, _, c)| *c))?;
    if total > sale.total_cents - sale.refunded_cents {
        return Err(CoreError::conflict(
            "refund_exceeds_payment",
            "la devolución supera lo que se pagó",
        ));
    }
    let payments = refund_payments(tx.conn, &sale, req, total)?;

    // Who may give this money back.
    let branch = branches::get(tx.conn, tx.branch_id())?;
    let supervisor = match authorized_by {
        Some(id) => Some(users::supervisor(
            tx.conn,
            id,
            Permission::AuthorizeRefunds,
        )?),
        None => None,
    };
    let free =
        actor.role.can(Permission::AuthorizeRefunds) || total < branch.refund_free_below_cents;
    if !free && supervisor.is_none() {
        return Err(CoreError::AuthorizationRequired(
            "la devolución necesita la autorización de un administrador (usuario y PIN)".into(),
        ));
    }

    // The record.
    let number: i64 = tx.conn.query_row(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM refunds",
        [],
        |r| r.get(0),
    )?;
    let refund_id = ids::new_id();
    let day = sales::business_day_for(tx.conn, tx.branch_id(), now)?;
    tx.conn.execute(
        "INSERT INTO refunds (id, number, folio, sale_id, branch_id, business_day, created_at, user_id,
                              authorized_by, device_id, reason, total_cents, is_void)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            refund_id,
            number,
            folio(&branch.folio_prefix, number),
            sale.id,
            tx.branch_id(),
            day.to_string(),
            now,
            user_id,
            supervisor,
            tx.ctx.device_id,
            reason,
            total,
            is_void
        ],
    )?;
    let mut stock_changes = Vec::new();
    let mut ended = Vec::new();
    for (pos, (line, quantity, damaged, cents)) in items.iter().enumerate() {
        tx.conn.execute(
            "INSERT INTO refund_items (refund_id, position, sale_id, sale_position, quantity, total_cents, damaged)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![refund_id, pos as i64, sale.id, line.position, quantity, cents, damaged],
        )?;
        // Stock: what the line took comes back; damaged goods come back and are written off,
        // so the ledger shows both.
        let mut units: Vec<(String, i64)> = Vec::new();
        if let Some(pid) = &line.product_id {
            units.push((pid.clone(), *quantity));
        }
        if let Some(kid) = &line.package_id {
            for it in packages::get(tx.conn, kid)?.items {
                if let Some(pid) = it.product_id {
                    let field = format!("items[{pos}].quantity");
                    units.push((pid, validate::times(&field, it.quantity, *quantity)?));
                }
            }
        }
        for (pid, q) in units {
            stock_changes.push(stock::record(tx, &pid, q, "refund", Some(&sale.id))?);
            if *damaged {
                stock_changes.push(stock::record(tx, &pid, -q, "damaged", Some(&sale.id))?);
            }
        }
        if let Some((timer_id, minutes)) = &line.extension {
            ended.push(timers::take_back(tx, timer_id, *minutes, &refund_id)?);
        } else if line.kind != ItemKind::Product {
            ended.extend(timers::cancel_refunded(
                tx,
                &sale.id,
                line.position,
                &refund_id,
            )?);
        }
    }
    for (pos, (method, amount)) in payments.iter().enumerate() {
        tx.conn.execute(
            "INSERT INTO refund_payments (refund_id, position, method, amount_cents) VALUES (?1, ?2, ?3, ?4)",
            params![refund_id, pos as i64, method.as_str(), amount],
        )?;
    }
    if let Some(key) = idempotency_key {
        tx.conn.execute(
            "INSERT INTO refund_keys (user_id, key, request_hash, refund_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user_id, key, hash, refund_id, now],
        )?;
    }
    crate::reports::rollup::add_refund(tx.conn, tx.branch_id(), &refund_id)?;
    let refund = get(tx.conn, &refund_id)?;
    tx.event("refund.created", "refund", &refund_id, &refund)?;
    Ok(RefundOutcome {
        refund,
        stock_changes,
        timers: ended,
        replayed: false,
    })
}

/// A sale of this branch that `role` may read: the kid bar sees only sales made of products
/// alone; anything else is "not found", as over `GET /sales/{id}`.
pub fn visible_sale(
    conn: &Connection,
    branch_id: &str,
    sale_id: &str,
    role: Role,
    now: Millis,
) -> Result<Sale> {
    let here: Option<String> = conn
        .query_row(
            "SELECT branch_id FROM sales WHERE id = ?1",
            [sale_id],
            |r| r.get(0),
        )
        .optional()?;
    if here.as_deref() != Some(branch_id) {
        return Err(CoreError::not_found("venta", sale_id));
    }
    let sale = sales::get(conn, sale_id, now)?;
    if !role.can(Permission::ReadAllSales) && sale.items.iter().any(|i| i.kind != ItemKind::Product)
    {
        return Err(CoreError::not_found("venta", sale_id));
    }
    Ok(sale)
}

pub fn get(conn: &Connection, id: &str) -> Result<Refund> {
    let mut refund = conn
        .query_row(
            "SELECT r.id, r.number, r.folio, r.sale_id, COALESCE(s.folio, ''), r.business_day,
                    r.created_at, r.user_id, r.authorized_by, r.reason, r.total_cents, r.is_void,
                    (SELECT display_name FROM users WHERE id = r.user_id),
                    (SELECT display_name FROM users WHERE id = r.authorized_by)
             FROM refunds r JOIN sales s ON s.id = r.sale_id WHERE r.id = ?1",
            [id],
            |r| {
                Ok(Refund {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    folio: r.get(2)?,
                    sale_id: r.get(3)?,
                    sale_folio: r.get(4)?,
                    business_day: r.get(5)?,
                    created_at: clock::to_rfc3339(r.get(6)?),
                    user_id: r.get(7)?,
                    authorized_by: r.get(8)?,
                    reason: r.get(9)?,
                    total_cents: r.get(10)?,
                    is_void: r.get(11)?,
                    user_name: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
                    authorized_by_name: r.get(13)?,
                    items: Vec::new(),
                    payments: Vec::new(),
                })
            },
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("devolución", id))?;
    let mut stmt = conn.prepare_cached(
        "SELECT ri.sale_id, ri.sale_position, si.kind, si.product_id, si.name, ri.quantity,
                ri.total_cents, ri.damaged
         FROM refund_items ri
         JOIN sale_items si ON si.sale_id = ri.sale_id AND si.position = ri.sale_position
         WHERE ri.refund_id = ?1 ORDER BY ri.position",
    )?;
    let items = stmt.query_map([id], |r| {
        let kind: String = r.get(2)?;
        Ok(RefundItem {
            item_id: sales::item_id(&r.get::<_, String>(0)?, r.get(1)?),
            kind: match kind.as_str() {
                "service" => ItemKind::Service,
                "package" => ItemKind::Package,
                "booking" => ItemKind::Booking,
                _ => ItemKind::Product,
            },
            product_id: r.get(3)?,
            name: r.get(4)?,
            quantity: r.get(5)?,
            total_cents: r.get(6)?,
            damaged: r.get(7)?,
        })
    })?;
    refund.items = items.collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT method, amount_cents FROM refund_payments WHERE refund_id = ?1 ORDER BY position",
    )?;
    let payments = stmt.query_map([id], |r| {
        Ok(Payment {
            method: PaymentMethod::from_db(&r.get::<_, String>(0)?),
            amount_cents: r.get(1)?,
        })
    })?;
    refund.payments = payments.collect::<Result<Vec<_>, _>>()?;
    Ok(refund)
}
