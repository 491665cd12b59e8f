//! Sales: items (products, play time, packages) and split payments, committed whole or not at
//! all, together with their stock movements, their timers and their events.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::money::{self, PaymentMethod};
use crate::roles::Permission;
use crate::stock::{self, StockChange};
use crate::tax::{IvaRate, TaxLine};
use crate::timers::{self, NewTimer, Timer, TimerRow};
use crate::tx::Tx;
use crate::{branches, day_close, families, ids, packages, products, services, validate};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SaleRequest {
    pub items: Vec<SaleItemRequest>,
    /// How it is paid; may be empty only when discounts bring the total to zero.
    pub payments: Vec<PaymentRequest>,
    #[serde(default)]
    pub note: Option<String>,
    /// A discount on the whole ticket (after the lines' own), shared among the lines in
    /// proportion to what each costs.
    #[serde(default)]
    pub discount: Option<Discount>,
    /// Why (required with any discount).
    #[serde(default)]
    pub discount_reason: Option<String>,
    /// A super_admin's username and PIN when the discounts exceed the branch's limit for the
    /// clerk's role, or to let children in over the venue's capacity (never stored; the retry
    /// hash leaves the PIN out).
    #[serde(default)]
    pub authorization: Option<crate::refunds::Authorization>,
    /// The family checking in: its first guardian goes on the ticket and its children may be
    /// named by `child_id`.
    #[serde(default)]
    pub family_id: Option<String>,
    /// The adult bringing the children when they are not checked in from a family.
    #[serde(default)]
    pub guardian: Option<GuardianRef>,
    /// Let the children in even though the venue is at its capacity (a super_admin, or with a
    /// super_admin's `authorization`; recorded on the sale).
    #[serde(default)]
    pub capacity_override: bool,
}

/// The adult who brings the children (and is called when their time is up).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GuardianRef {
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

/// A child on a play-time or package line: a name, or a child of the family by id (its name
/// then comes from the family's record when left out).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChildRef {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub child_id: Option<String>,
}

/// A child a line checked in, with the timer it got.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItemChild {
    pub name: String,
    pub child_id: Option<String>,
    pub timer_id: String,
}

/// A discount: a percent (1–100) or an amount, one of the two.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Discount {
    #[serde(default)]
    pub percent: Option<i64>,
    #[serde(default)]
    pub amount_cents: Option<i64>,
}

/// One line: exactly one of `product_id`, `service_id`, `package_id`, or extra time for a
/// running or run-out timer: `{timer_id, extend_minutes}` (an extension, in whole blocks of its
/// service's `extra_block_minutes`) or `{timer_id, overtime: true}` (the overtime due now, which
/// stops the timer).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SaleItemRequest {
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub service_id: Option<String>,
    #[serde(default)]
    pub package_id: Option<String>,
    #[serde(default)]
    pub timer_id: Option<String>,
    /// With `timer_id`: minutes of extra time to sell.
    #[serde(default)]
    pub extend_minutes: Option<i64>,
    /// With `timer_id`: charge the overtime played (and stop the timer).
    #[serde(default)]
    pub overtime: bool,
    /// How many (default 1, or the number of `children`; extra time is always 1 line, priced by
    /// its blocks). Never lengthens one child's time: each child has a timer of the service's
    /// length.
    #[serde(default)]
    pub quantity: Option<i64>,
    /// Play time for one child: whose timer it is (with `quantity` 1).
    #[serde(default)]
    pub child: Option<Child>,
    /// Play time or a package for several children: one timer each, of the service's length. On
    /// a package of N × a service, the children not named yet are "Invitado 2…N".
    #[serde(default)]
    pub children: Option<Vec<ChildRef>>,
    /// Play time that starts later (RFC 3339); absent starts now.
    #[serde(default)]
    pub start_at: Option<String>,
    /// This line's own discount.
    #[serde(default)]
    pub discount: Option<Discount>,
    /// A payment toward a booking: `{booking_id, amount_cents?}` (without an amount, the deposit
    /// still due, or the balance once the deposit is in).
    #[serde(default)]
    pub booking_id: Option<String>,
    #[serde(default)]
    pub amount_cents: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Child {
    pub name: String,
    #[serde(default)]
    pub guardian_name: Option<String>,
    #[serde(default)]
    pub guardian_phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentRequest {
    pub method: PaymentMethod,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Product,
    Service,
    Package,
    /// Money toward a booking (its deposit or balance), or the party's check-in line.
    Booking,
}

/// Extra time a line sells for a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtraKind {
    /// Bought ahead, for a running, paused or run-out timer.
    Extension,
    /// Played past the end, charged when the timer was stopped.
    Overtime,
}

impl ExtraKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExtraKind::Extension => "extension",
            ExtraKind::Overtime => "overtime",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SaleItem {
    /// This line's id, for refunds (`<sale id>.<position>`).
    #[serde(default)]
    pub id: String,
    pub kind: ItemKind,
    pub product_id: Option<String>,
    pub service_id: Option<String>,
    pub package_id: Option<String>,
    pub name: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub total_cents: i64,
    pub child: Option<Child>,
    /// The children this line checked in, each with their timer.
    #[serde(default)]
    pub children: Vec<ItemChild>,
    /// How many of `quantity` were refunded since.
    #[serde(default)]
    pub refunded_quantity: i64,
    /// Extra time (kind `service`): the timer it was sold for, whether it was an extension or
    /// overtime, and how many minutes (`quantity` counts its blocks).
    #[serde(default)]
    pub timer_id: Option<String>,
    #[serde(default)]
    pub extra: Option<ExtraKind>,
    #[serde(default)]
    pub extra_minutes: Option<i64>,
    /// Unit price × quantity; `total_cents` = gross − `discount_cents` (the line's own discount
    /// and its share of the ticket's): what was paid for the line.
    #[serde(default)]
    pub gross_cents: i64,
    #[serde(default)]
    pub discount_cents: i64,
    /// The IVA rate of the line and the IVA included in its total.
    #[serde(default)]
    pub iva_rate: IvaRate,
    #[serde(default)]
    pub iva_cents: i64,
    /// The booking a `booking` line pays toward or checked in.
    #[serde(default)]
    pub booking_id: Option<String>,
}

impl SaleItem {
    /// A line of `kind` at `unit_price_cents` each, `total_cents` in all, with nothing else set
    /// (no product, child, timer or discount yet).
    fn line(
        kind: ItemKind,
        name: String,
        quantity: i64,
        unit_price_cents: i64,
        total_cents: i64,
        iva_rate: IvaRate,
    ) -> SaleItem {
        SaleItem {
            id: String::new(),
            kind,
            product_id: None,
            service_id: None,
            package_id: None,
            name,
            quantity,
            unit_price_cents,
            total_cents,
            child: None,
            children: Vec::new(),
            refunded_quantity: 0,
            timer_id: None,
            extra: None,
            extra_minutes: None,
            gross_cents: 0,
            discount_cents: 0,
            iva_rate,
            iva_cents: 0,
            booking_id: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub method: PaymentMethod,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Sale {
    pub id: String,
    /// Consecutive ticket number at this store.
    pub number: i64,
    /// The number as printed, with the branch's prefix: `A-000123`.
    #[serde(default)]
    pub folio: String,
    pub business_day: String,
    pub created_at: String,
    /// The clerk who sold it, and their name as the desk and the receipt show it.
    pub user_id: String,
    #[serde(default)]
    pub user_name: String,
    pub total_cents: i64,
    pub paid_cents: i64,
    pub change_cents: i64,
    pub note: String,
    pub items: Vec<SaleItem>,
    pub payments: Vec<Payment>,
    /// Timers this sale started or scheduled, or sold extra time for, as they are now.
    pub timers: Vec<Timer>,
    /// Money given back since, by its refunds (never more than `total_cents`).
    #[serde(default)]
    pub refunded_cents: i64,
    #[serde(default)]
    pub refunds: Vec<RefundSummary>,
    /// Before discounts; `total_cents` = gross − `discount_cents`.
    #[serde(default)]
    pub gross_cents: i64,
    #[serde(default)]
    pub discount_cents: i64,
    #[serde(default)]
    pub discount_reason: String,
    /// The supervisor whose PIN allowed a discount beyond the clerk's limit.
    #[serde(default)]
    pub discount_authorized_by: Option<String>,
    /// IVA included, by rate (of the sale as sold; refunds are records of their own).
    #[serde(default)]
    pub taxes: Vec<TaxLine>,
    /// The code the adult collecting the children gives at the desk (a check-in ticket's).
    #[serde(default)]
    pub pickup_code: Option<String>,
    #[serde(default)]
    pub family_id: Option<String>,
    /// The supervisor who let the children in over the venue's capacity.
    #[serde(default)]
    pub capacity_override_by: Option<String>,
}

/// A refund as its sale lists it (the whole record is `GET /refunds/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RefundSummary {
    pub id: String,
    pub folio: String,
    pub created_at: String,
    pub total_cents: i64,
    pub reason: String,
    pub is_void: bool,
}

/// The id a sale's line is known by.
pub fn item_id(sale_id: &str, position: i64) -> String {
    format!("{sale_id}.{position}")
}

/// A folio as printed: the branch's prefix, a dash, and the number on six digits.
pub fn folio(prefix: &str, number: i64) -> String {
    format!("{prefix}-{number:06}")
}

/// What a sale did, for the live feed.
pub struct SaleOutcome {
    pub sale: Sale,
    pub stock_changes: Vec<StockChange>,
    pub timers: Vec<TimerRow>,
    /// True when this answers a retry of an earlier request with the same key.
    pub replayed: bool,
}

pub const MAX_ITEMS: usize = 100;
pub const MAX_PAYMENTS: usize = 10;
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 200;
/// Play time can be booked up to a week ahead.
pub const MAX_SCHEDULE_AHEAD_MS: Millis = 7 * 24 * 60 * 60 * 1000;
/// Children on one line (a party package of up to 40 guests fits).
pub const MAX_CHILDREN_PER_LINE: usize = 40;

fn request_hash(req: &SaleRequest) -> String {
    let without_pin = SaleRequest {
        authorization: req
            .authorization
            .as_ref()
            .map(|a| crate::refunds::Authorization {
                username: a.username.clone(),
                pin: String::new(),
            }),
        ..req.clone()
    };
    let body = serde_json::to_vec(&without_pin).unwrap_or_default();
    Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The business day a sale made at `now` belongs to: the branch's local date, moved to the next
/// day while that day is already closed.
pub fn business_day_for(conn: &Connection, branch_id: &str, now: Millis) -> Result<NaiveDate> {
    let tz = branches::timezone(conn, branch_id)?;
    let mut day = clock::local_day(now, tz);
    while day_close::is_closed(conn, branch_id, day)? {
        day = day.succ_opt().unwrap_or(day);
    }
    Ok(day)
}

/// A child a line checks in: its name, and its family record when it has one.
#[derive(Clone)]
struct Entrant {
    name: String,
    child_id: Option<String>,
    family_id: Option<String>,
    notes: String,
}

/// A timer a line starts: the service it is named after, its minutes and start, and the child.
struct LineTimer {
    name: String,
    minutes: i64,
    start_at: Option<Millis>,
    service_id: Option<String>,
    child: Entrant,
    /// A party's timers end with the party, whenever each child came in.
    ends_at: Option<Millis>,
    booking_id: Option<String>,
    group: String,
}

struct Line {
    item: SaleItem,
    stock: Vec<(String, i64)>,
    timers: Vec<LineTimer>,
    /// What the sale's extra time line does to an existing timer: `(timer id, minutes, kind)`.
    extra_time: Option<(String, i64, ExtraKind)>,
}

fn child_of(field: &str, child: Option<&Child>) -> Result<Child> {
    let c = child.ok_or_else(|| {
        CoreError::validation(
            format!("{field}.child"),
            "el tiempo de juego necesita el nombre del niño o niña",
        )
    })?;
    Ok(Child {
        name: validate::name(&format!("{field}.child.name"), &c.name)?,
        guardian_name: match c.guardian_name.as_deref() {
            Some(g) => Some(validate::short(&format!("{field}.child.guardian_name"), g)?),
            None => None,
        },
        guardian_phone: match c.guardian_phone.as_deref() {
            Some(p) => {
                let p = validate::short(&format!("{field}.child.guardian_phone"), p)?;
                if !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) || p.len() > 20 {
                    return Err(CoreError::validation(
                        format!("{field}.child.guardian_phone"),
                        "teléfono inválido",
                    ));
                }
                Some(p)
            }
            None => None,
        },
    })
}

/// The children named on line `field`, each checked against the family when given by id.
fn entrants(
    tx: &Tx<'_>,
    field: &str,
    children: &[ChildRef],
    family_id: Option<&str>,
) -> Result<Vec<Entrant>> {
    if children.is_empty() || children.len() > MAX_CHILDREN_PER_LINE {
        return Err(CoreError::validation(
            format!("{field}.children"),
            format!("una línea lleva de 1 a {MAX_CHILDREN_PER_LINE} niños"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    children
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let cf = format!("{field}.children[{j}]");
            match &c.child_id {
                Some(cid) => {
                    let (fid, child) = families::child(tx.conn, &format!("{cf}.child_id"), cid)?;
                    if family_id.is_some_and(|f| f != fid) || !seen.insert(cid.clone()) {
                        return Err(CoreError::validation(
                            format!("{cf}.child_id"),
                            "ese niño o niña no es de la familia del ticket (o va dos veces)",
                        ));
                    }
                    let name = if c.name.trim().is_empty() {
                        child.name
                    } else {
                        validate::name(&format!("{cf}.name"), &c.name)?
                    };
                    Ok(Entrant {
                        name,
                        child_id: Some(child.id),
                        family_id: Some(fid),
                        notes: child.notes,
                    })
                }
                None => Ok(Entrant {
                    name: validate::name(&format!("{cf}.name"), &c.name)?,
                    child_id: None,
                    family_id: None,
                    notes: String::new(),
                }),
            }
        })
        .collect()
}

fn walk_in(child: &Child) -> Entrant {
    Entrant {
        name: child.name.clone(),
        child_id: None,
        family_id: None,
        notes: String::new(),
    }
}

/// `unit × quantity` for line `field`, refused naming its quantity rather than wrapping.
fn line_total(field: &str, unit_cents: i64, quantity: i64) -> Result<i64> {
    validate::times(&format!("{field}.quantity"), unit_cents, quantity)
}

fn resolve(tx: &Tx<'_>, i: usize, req: &SaleItemRequest, family_id: Option<&str>) -> Result<Line> {
    let field = format!("items[{i}]");
    if req.children.is_some() && req.child.is_some() {
        return Err(CoreError::validation(
            format!("{field}.children"),
            "indica child (un niño) o children (varios), no los dos",
        ));
    }
    let quantity = validate::quantity(&format!("{field}.quantity"), req.quantity.unwrap_or(1))?;
    let start_at = match req.start_at.as_deref() {
        Some(s) => {
            let at = clock::parse_rfc3339(&format!("{field}.start_at"), s)?;
            if at > tx.now() + MAX_SCHEDULE_AHEAD_MS {
                return Err(CoreError::validation(
                    format!("{field}.start_at"),
                    "se puede programar hasta con 7 días de anticipación",
                ));
            }
            Some(at)
        }
        None => None,
    };
    let role = tx.actor().role;
    let not_found =
        |what: &str| CoreError::validation(format!("{field}.{what}"), "no existe o no está activo");
    if let Some(booking_id) = &req.booking_id {
        if req.product_id.is_some()
            || req.service_id.is_some()
            || req.package_id.is_some()
            || req.timer_id.is_some()
            || req.children.is_some()
            || req.child.is_some()
            || req.quantity.is_some_and(|q| q != 1)
        {
            return Err(CoreError::validation(
                field,
                "el pago de una reserva lleva booking_id (y amount_cents), nada más",
            ));
        }
        role.require(Permission::SellServicesAndPackages)?;
        let (name, amount, iva_rate) =
            crate::bookings::payment_line(tx, &field, booking_id, req.amount_cents)?;
        return Ok(Line {
            item: SaleItem {
                booking_id: Some(booking_id.clone()),
                ..SaleItem::line(ItemKind::Booking, name, 1, amount, amount, iva_rate)
            },
            stock: Vec::new(),
            timers: Vec::new(),
            extra_time: None,
        });
    }
    if req.amount_cents.is_some() {
        return Err(CoreError::validation(
            format!("{field}.amount_cents"),
            "amount_cents va solo con booking_id",
        ));
    }
    if let Some(timer_id) = &req.timer_id {
        if req.product_id.is_some() || req.service_id.is_some() || req.package_id.is_some() {
            return Err(CoreError::validation(
                field,
                "el tiempo extra lleva timer_id sin product_id, service_id ni package_id",
            ));
        }
        role.require(Permission::SellServicesAndPackages)?;
        return extra_time_line(tx, &field, timer_id, req);
    }
    match (&req.product_id, &req.service_id, &req.package_id) {
        (Some(pid), None, None) => {
            role.require(Permission::SellProducts)?;
            let p = products::get(tx.conn, pid).map_err(|_| not_found("product_id"))?;
            if !p.active {
                return Err(not_found("product_id"));
            }
            if req.children.is_some() || req.child.is_some() {
                return Err(CoreError::validation(
                    format!("{field}.children"),
                    "un producto no lleva niños",
                ));
            }
            Ok(Line {
                item: SaleItem {
                    product_id: Some(p.id.clone()),
                    ..SaleItem::line(
                        ItemKind::Product,
                        p.name,
                        quantity,
                        p.price_cents,
                        line_total(&field, p.price_cents, quantity)?,
                        p.iva_rate,
                    )
                },
                stock: vec![(p.id, quantity)],
                timers: Vec::new(),
                extra_time: None,
            })
        }
        (None, Some(sid), None) => {
            role.require(Permission::SellServicesAndPackages)?;
            let s = services::get(tx.conn, sid).map_err(|_| not_found("service_id"))?;
            if !s.active {
                return Err(not_found("service_id"));
            }
            // Each child gets the service's own length: quantity counts children, never time.
            let (kids, child, quantity) = match &req.children {
                Some(list) => {
                    let kids = entrants(tx, &field, list, family_id)?;
                    let n = kids.len() as i64;
                    if req.quantity.is_some_and(|q| q != n) {
                        return Err(CoreError::validation(
                            format!("{field}.quantity"),
                            format!("la cantidad ({quantity}) no coincide con los niños ({n})"),
                        ));
                    }
                    (kids, None, n)
                }
                None => {
                    let child = child_of(&field, req.child.as_ref())?;
                    if quantity != 1 {
                        return Err(CoreError::validation(
                            format!("{field}.quantity"),
                            "cada niño tiene su propio tiempo: para varios niños usa children, para más tiempo otro servicio o tiempo extra",
                        ));
                    }
                    (vec![walk_in(&child)], Some(child), 1)
                }
            };
            let timers = kids
                .into_iter()
                .map(|k| LineTimer {
                    name: s.name.clone(),
                    minutes: s.duration_minutes,
                    start_at,
                    service_id: Some(s.id.clone()),
                    child: k,
                    ends_at: None,
                    booking_id: None,
                    group: String::new(),
                })
                .collect();
            Ok(Line {
                item: SaleItem {
                    service_id: Some(s.id.clone()),
                    child,
                    ..SaleItem::line(
                        ItemKind::Service,
                        s.name.clone(),
                        quantity,
                        s.price_cents,
                        line_total(&field, s.price_cents, quantity)?,
                        s.iva_rate,
                    )
                },
                stock: Vec::new(),
                timers,
                extra_time: None,
            })
        }
        (None, None, Some(kid)) => {
            role.require(Permission::SellServicesAndPackages)?;
            let p = packages::get(tx.conn, kid).map_err(|_| not_found("package_id"))?;
            if !p.active {
                return Err(not_found("package_id"));
            }
            let mut stock = Vec::new();
            // Play time: the k-th child gets one unit of every service the package holds at
            // least k units of ("10 × 2 horas" is ten children of two hours each).
            let mut per_child: Vec<(i64, String, String)> = Vec::new();
            let qty_field = format!("{field}.quantity");
            for it in &p.items {
                let units = validate::times(&qty_field, it.quantity, quantity)?;
                if let Some(pid) = &it.product_id {
                    stock.push((pid.clone(), units));
                }
                if let Some(sid) = &it.service_id {
                    let s = services::get(tx.conn, sid)?;
                    if units > MAX_CHILDREN_PER_LINE as i64 {
                        return Err(CoreError::validation(
                            qty_field.clone(),
                            format!("a lo más {MAX_CHILDREN_PER_LINE} niños por línea"),
                        ));
                    }
                    for k in 0..units as usize {
                        match per_child.get_mut(k) {
                            Some(c) => c.0 = validate::plus(&qty_field, c.0, s.duration_minutes)?,
                            None => {
                                per_child.push((s.duration_minutes, s.id.clone(), s.name.clone()))
                            }
                        }
                    }
                }
            }
            let (mut kids, child) = match (&req.children, per_child.is_empty()) {
                (_, true) => (Vec::new(), None),
                (Some(list), false) => (entrants(tx, &field, list, family_id)?, None),
                (None, false) => {
                    let child = child_of(&field, req.child.as_ref())?;
                    (vec![walk_in(&child)], Some(child))
                }
            };
            if kids.len() > per_child.len() {
                return Err(CoreError::validation(
                    format!("{field}.children"),
                    format!(
                        "el paquete es para {} niños y se nombraron {}",
                        per_child.len(),
                        kids.len()
                    ),
                ));
            }
            for k in kids.len()..per_child.len() {
                kids.push(Entrant {
                    name: format!("Invitado {}", k + 1),
                    child_id: None,
                    family_id: None,
                    notes: String::new(),
                });
            }
            let timers = per_child
                .into_iter()
                .zip(kids)
                .map(|((minutes, sid, _), k)| LineTimer {
                    name: p.name.clone(),
                    minutes,
                    start_at,
                    service_id: Some(sid),
                    child: k,
                    ends_at: None,
                    booking_id: None,
                    group: String::new(),
                })
                .collect();
            Ok(Line {
                item: SaleItem {
                    package_id: Some(p.id.clone()),
                    child,
                    ..SaleItem::line(
                        ItemKind::Package,
                        p.name.clone(),
                        quantity,
                        p.price_cents,
                        line_total(&field, p.price_cents, quantity)?,
                        p.iva_rate,
                    )
                },
                stock,
                timers,
                extra_time: None,
            })
        }
        _ => Err(CoreError::validation(
            field,
            "cada artículo lleva uno (y solo uno) de product_id, service_id o package_id",
        )),
    }
}

/// A line of extra time for an existing timer: an extension priced in whole blocks, or the
/// overtime due at this instant. The timer changes with the sale (see `create`).
fn extra_time_line(
    tx: &Tx<'_>,
    field: &str,
    timer_id: &str,
    req: &SaleItemRequest,
) -> Result<Line> {
    if req.quantity.is_some_and(|q| q != 1) || req.children.is_some() || req.child.is_some() {
        return Err(CoreError::validation(
            format!("{field}.quantity"),
            "el tiempo extra va en una línea (quantity 1), sin niños: es del temporizador",
        ));
    }
    let (t, kind, minutes, blocks, price) = match (req.extend_minutes, req.overtime) {
        (Some(minutes), false) => {
            let (t, blocks, price) = timers::price_extension(tx.conn, field, timer_id, minutes)?;
            (t, ExtraKind::Extension, minutes, blocks, price)
        }
        (None, true) => {
            let t = timers::get(tx.conn, timer_id).map_err(|_| {
                CoreError::validation(format!("{field}.timer_id"), "no existe ese temporizador")
            })?;
            let now = tx.now();
            let price = t.overtime_due_at(now);
            if price == 0 {
                return Err(CoreError::validation(
                    format!("{field}.overtime"),
                    format!("{} no tiene tiempo extra por cobrar", t.child_name),
                ));
            }
            let minutes = t.overtime_minutes_at(now);
            let blocks = t.extra.blocks_for(minutes);
            (t, ExtraKind::Overtime, minutes, blocks, price)
        }
        _ => {
            return Err(CoreError::validation(
                format!("{field}.extend_minutes"),
                "con timer_id, indica extend_minutes o overtime: true (uno de los dos)",
            ))
        }
    };
    let name = match kind {
        ExtraKind::Extension => format!("Tiempo extra {minutes} min · {}", t.child_name),
        ExtraKind::Overtime => format!("Tiempo excedido {minutes} min · {}", t.child_name),
    };
    Ok(Line {
        item: SaleItem {
            service_id: t.service_id.clone(),
            child: Some(Child {
                name: t.child_name.clone(),
                guardian_name: (!t.guardian_name.is_empty()).then(|| t.guardian_name.clone()),
                guardian_phone: (!t.guardian_phone.is_empty()).then(|| t.guardian_phone.clone()),
            }),
            timer_id: Some(t.id.clone()),
            extra: Some(kind),
            extra_minutes: Some(minutes),
            ..SaleItem::line(
                ItemKind::Service,
                name,
                blocks.max(1),
                t.extra.block_price_cents,
                price,
                match &t.service_id {
                    Some(sid) => services::get(tx.conn, sid)
                        .map(|s| s.iva_rate)
                        .unwrap_or_default(),
                    None => IvaRate::default(),
                },
            )
        },
        stock: Vec::new(),
        timers: Vec::new(),
        extra_time: Some((t.id, minutes, kind)),
    })
}

/// Records a sale. With an idempotency key, a retry of the same request answers the first
/// sale again instead of selling twice; the key is stored in the same transaction as the sale.
pub fn create(
    tx: &Tx<'_>,
    req: &SaleRequest,
    idempotency_key: Option<&str>,
) -> Result<SaleOutcome> {
    create_authorized(tx, req, idempotency_key, None)
}

/// Half up to the centavo: `base × percent / 100`.
fn percent_of(base: i64, percent: i64) -> i64 {
    let v = (i128::from(base) * i128::from(percent) * 2 + 100) / 200;
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// What one discount takes off `base`, checked: a percent of 1–100 or an amount up to the base.
fn discount_off(field: &str, d: &Discount, base: i64) -> Result<i64> {
    match (d.percent, d.amount_cents) {
        (Some(p), None) => {
            if !(1..=100).contains(&p) {
                return Err(CoreError::validation(
                    format!("{field}.percent"),
                    "el descuento va de 1 a 100 %",
                ));
            }
            Ok(percent_of(base, p))
        }
        (None, Some(a)) => {
            if a <= 0 || a > base {
                return Err(CoreError::validation(
                    format!("{field}.amount_cents"),
                    format!(
                        "el descuento va de $0.01 a {}",
                        money::format_mxn(base.max(0))
                    ),
                ));
            }
            Ok(a)
        }
        _ => Err(CoreError::validation(
            field,
            "un descuento es un porcentaje o un monto (uno de los dos)",
        )),
    }
}

/// Each line's discount: its own, plus its share of the ticket's discount in proportion to what
/// the line costs after its own, the centavos left by rounding going to the largest remainders
/// (ties: the first lines). The shares add up to the ticket's discount exactly.
pub fn line_discounts(
    gross: &[i64],
    own: &[Option<Discount>],
    ticket: Option<&Discount>,
) -> Result<Vec<i64>> {
    let mut off = Vec::with_capacity(gross.len());
    for (i, g) in gross.iter().enumerate() {
        off.push(match own.get(i).copied().flatten() {
            Some(d) => discount_off(&format!("items[{i}].discount"), &d, *g)?,
            None => 0,
        });
    }
    let Some(t) = ticket else {
        return Ok(off);
    };
    let bases: Vec<i64> = gross.iter().zip(&off).map(|(g, o)| g - o).collect();
    let base: i64 = bases.iter().sum();
    let d = discount_off("discount", t, base)?;
    if base == 0 || d == 0 {
        return Ok(off);
    }
    let mut given = 0i64;
    let mut rests: Vec<(i128, usize)> = Vec::with_capacity(bases.len());
    for (i, b) in bases.iter().enumerate() {
        let exact = i128::from(d) * i128::from(*b);
        let share = i64::try_from(exact / i128::from(base)).unwrap_or(0);
        off[i] += share;
        given += share;
        rests.push((exact % i128::from(base), i));
    }
    rests.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rests
        .into_iter()
        .take(usize::try_from(d - given).unwrap_or(0))
    {
        off[i] += 1;
    }
    Ok(off)
}

/// The discount (percent of the ticket) `role` may give without a supervisor; `None`: no limit.
fn discount_limit(branch: &branches::Branch, role: crate::roles::Role) -> Option<i64> {
    use crate::roles::Role;
    match role {
        Role::Reception => Some(branch.discount_limit_reception_percent),
        Role::Kidibar => Some(branch.discount_limit_kidibar_percent),
        r if r.can(Permission::AuthorizeDiscounts) => None,
        _ => Some(0),
    }
}

/// As [`create`], with the supervisor whose PIN the caller verified (for a discount beyond the
/// clerk's limit).
pub fn create_authorized(
    tx: &Tx<'_>,
    req: &SaleRequest,
    idempotency_key: Option<&str>,
    authorized_by: Option<&str>,
) -> Result<SaleOutcome> {
    create_inner(tx, req, idempotency_key, authorized_by, None)
}

/// A party's check-in, which the bookings module adds to the party's ticket: a line with a timer
/// per child until the party's end, grouped under the party, and the products the party includes
/// (no charge: they are in its price).
pub(crate) struct PartyCheckIn {
    pub booking_id: String,
    /// The line's name: "Fiesta de Sofía · Salón Arcoíris".
    pub name: String,
    /// What the wall shows the children under: "Fiesta de Sofía".
    pub group: String,
    pub children: Vec<ChildRef>,
    pub ends_at: Millis,
    pub products: Vec<(String, i64)>,
}

/// The ticket of a party's check-in (see [`PartyCheckIn`]), with any balance paid in `req`.
pub(crate) fn create_party(
    tx: &Tx<'_>,
    req: &SaleRequest,
    authorized_by: Option<&str>,
    party: &PartyCheckIn,
) -> Result<SaleOutcome> {
    create_inner(tx, req, None, authorized_by, Some(party))
}

fn party_lines(tx: &Tx<'_>, party: &PartyCheckIn, family_id: Option<&str>) -> Result<Vec<Line>> {
    let kids = entrants(tx, "children", &party.children, family_id)?;
    let n = kids.len() as i64;
    let mut lines = vec![Line {
        item: SaleItem {
            booking_id: Some(party.booking_id.clone()),
            ..SaleItem::line(
                ItemKind::Booking,
                party.name.clone(),
                n,
                0,
                0,
                IvaRate::default(),
            )
        },
        stock: Vec::new(),
        timers: kids
            .into_iter()
            .map(|k| LineTimer {
                name: party.name.clone(),
                minutes: 0,
                start_at: None,
                service_id: None,
                child: k,
                ends_at: Some(party.ends_at),
                booking_id: Some(party.booking_id.clone()),
                group: party.group.clone(),
            })
            .collect(),
        extra_time: None,
    }];
    for (pid, q) in &party.products {
        let name = products::get(tx.conn, pid)
            .map(|p| format!("{} (incluido en la fiesta)", p.name))
            .unwrap_or_else(|_| "Incluido en la fiesta".into());
        lines.push(Line {
            item: SaleItem {
                product_id: Some(pid.clone()),
                ..SaleItem::line(ItemKind::Product, name, *q, 0, 0, IvaRate::default())
            },
            stock: vec![(pid.clone(), *q)],
            timers: Vec::new(),
            extra_time: None,
        });
    }
    Ok(lines)
}

fn create_inner(
    tx: &Tx<'_>,
    req: &SaleRequest,
    idempotency_key: Option<&str>,
    authorized_by: Option<&str>,
    party: Option<&PartyCheckIn>,
) -> Result<SaleOutcome> {
    let user_id = tx
        .actor()
        .user_id
        .clone()
        .ok_or_else(|| CoreError::Forbidden("una venta necesita un usuario".into()))?;
    let hash = request_hash(req);
    if let Some(key) = idempotency_key {
        if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_LEN {
            return Err(CoreError::validation(
                "Idempotency-Key",
                format!("la clave debe tener de 1 a {MAX_IDEMPOTENCY_KEY_LEN} caracteres"),
            ));
        }
        let earlier: Option<(String, String)> = tx
            .conn
            .query_row(
                "SELECT request_hash, sale_id FROM idempotency_keys WHERE user_id = ?1 AND key = ?2",
                params![user_id, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((earlier_hash, sale_id)) = earlier {
            if earlier_hash != hash {
                return Err(CoreError::IdempotencyKeyReused);
            }
            return Ok(SaleOutcome {
                sale: get(tx.conn, &sale_id, tx.now())?,
                stock_changes: Vec::new(),
                timers: Vec::new(),
                replayed: true,
            });
        }
    }

    if (req.items.is_empty() && party.is_none()) || req.items.len() > MAX_ITEMS {
        return Err(CoreError::validation(
            "items",
            format!("una venta lleva de 1 a {MAX_ITEMS} artículos"),
        ));
    }
    if req.payments.len() > MAX_PAYMENTS {
        return Err(CoreError::validation(
            "payments",
            format!("una venta lleva de 1 a {MAX_PAYMENTS} pagos"),
        ));
    }
    let note = validate::text("note", req.note.as_deref().unwrap_or(""))?;
    let mut payments = Vec::with_capacity(req.payments.len());
    for (i, p) in req.payments.iter().enumerate() {
        let field = format!("payments[{i}].amount_cents");
        if p.amount_cents <= 0 {
            return Err(CoreError::validation(
                field,
                "el monto debe ser mayor que cero",
            ));
        }
        payments.push((p.method, validate::amount(&field, p.amount_cents)?));
    }
    let family = match &req.family_id {
        Some(id) => Some(families::live(tx.conn, "family_id", id, tx.branch_id())?),
        None => None,
    };
    let mut lines = req
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| resolve(tx, i, it, req.family_id.as_deref()))
        .collect::<Result<Vec<_>>>()?;
    if let Some(p) = party {
        lines.extend(party_lines(tx, p, req.family_id.as_deref())?);
    }
    // The family: the one named, or the one whose children were named by id.
    // A party's ticket belongs to no family: its guests are collected by their own adults.
    let family_id = match &family {
        Some(f) => Some(f.id.clone()),
        None if party.is_some() => None,
        None => {
            let mut named = lines
                .iter()
                .flat_map(|l| l.timers.iter().filter_map(|t| t.child.family_id.clone()));
            let first = named.next();
            if first.is_some() && named.any(|f| Some(&f) != first.as_ref()) {
                return Err(CoreError::validation(
                    "family_id",
                    "los niños de un ticket son de una familia: indica family_id",
                ));
            }
            first
        }
    };
    let guardian = match (&req.guardian, &family_id) {
        (Some(g), _) => Some(GuardianRef {
            name: validate::name("guardian.name", &g.name)?,
            phone: if g.phone.trim().is_empty() {
                String::new()
            } else {
                families::phone("guardian.phone", &g.phone)?
            },
        }),
        (None, Some(fid)) => families::get(tx.conn, fid, tx.branch_id())?
            .guardians
            .first()
            .map(|g| GuardianRef {
                name: g.name.clone(),
                phone: g.phone.clone(),
            }),
        (None, None) => None,
    };
    let mut extra_timers = std::collections::HashSet::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some((timer_id, _, _)) = &l.extra_time {
            if !extra_timers.insert(timer_id.clone()) {
                return Err(CoreError::validation(
                    format!("items[{i}].timer_id"),
                    "el mismo temporizador va una sola vez en la venta",
                ));
            }
        }
    }
    // Discounts: the lines' own, then the ticket's shared among them; each line keeps what was
    // paid for it and the IVA inside that.
    let gross: Vec<i64> = lines.iter().map(|l| l.item.total_cents).collect();
    let own: Vec<Option<Discount>> = (0..lines.len())
        .map(|i| req.items.get(i).and_then(|it| it.discount))
        .collect();
    let off = line_discounts(&gross, &own, req.discount.as_ref())?;
    for (l, o) in lines.iter_mut().zip(&off) {
        l.item.gross_cents = l.item.total_cents;
        l.item.discount_cents = *o;
        l.item.total_cents -= o;
        l.item.iva_cents = l.item.iva_rate.included_in(l.item.total_cents);
    }
    let gross_total = money::sum("items", gross.iter().copied())?;
    let discount_total: i64 = off.iter().sum();
    let mut discount_reason = String::new();
    let mut discount_by = None;
    if discount_total > 0 {
        discount_reason = validate::short(
            "discount_reason",
            req.discount_reason.as_deref().unwrap_or(""),
        )?;
        if discount_reason.is_empty() || discount_reason.chars().count() > 200 {
            return Err(CoreError::validation(
                "discount_reason",
                "escribe el motivo del descuento (hasta 200 caracteres)",
            ));
        }
        let branch = branches::get(tx.conn, tx.branch_id())?;
        if let Some(limit) = discount_limit(&branch, tx.actor().role) {
            let over =
                i128::from(discount_total) * 100 > i128::from(limit) * i128::from(gross_total);
            if over {
                match authorized_by {
                    Some(uid) => {
                        discount_by = Some(crate::users::supervisor(
                            tx.conn,
                            uid,
                            Permission::AuthorizeDiscounts,
                        )?);
                    }
                    None => {
                        return Err(CoreError::AuthorizationRequired(format!(
                            "un descuento de más del {limit} % necesita la autorización de un administrador (usuario y PIN)"
                        )))
                    }
                }
            }
        }
    }
    let total = money::sum("items", lines.iter().map(|l| l.item.total_cents))?;
    if payments.is_empty() && total > 0 {
        return Err(CoreError::validation(
            "payments",
            format!("una venta lleva de 1 a {MAX_PAYMENTS} pagos"),
        ));
    }
    let settlement = money::settle(total, &payments)?;

    let now = tx.now();
    let branch = branches::get(tx.conn, tx.branch_id())?;
    // The venue's capacity counts every child inside, whatever they play.
    let entering = lines
        .iter()
        .flat_map(|l| &l.timers)
        .filter(|t| t.start_at.is_none_or(|s| s <= now))
        .count() as i64;
    // Over a capacity (the venue's or a service's), only with a supervisor's override.
    let mut capacity_override_by: Option<String> = None;
    let mut override_capacity = |message: String, field: String| -> Result<()> {
        if capacity_override_by.is_some() {
            return Ok(());
        }
        if !req.capacity_override {
            return Err(CoreError::Conflict {
                code: "capacity_full",
                message,
                field: Some(field),
            });
        }
        capacity_override_by = Some(match authorized_by {
            Some(uid) => crate::users::supervisor(tx.conn, uid, Permission::OverrideCapacity)?,
            None if tx.actor().role.can(Permission::OverrideCapacity) => user_id.clone(),
            None => {
                return Err(CoreError::AuthorizationRequired(
                    "dejar entrar con el lugar lleno necesita la autorización de un administrador (usuario y PIN)".into(),
                ))
            }
        });
        Ok(())
    };
    if branch.capacity > 0 && entering > 0 {
        let inside = timers::inside_count(tx.conn)?;
        if inside + entering > branch.capacity {
            override_capacity(
                format!(
                    "el local está lleno: {inside} de {} niños adentro; entrarían {entering}",
                    branch.capacity
                ),
                "items".into(),
            )?;
        }
    }
    // Each service's own limit, counting the children this sale brings to it.
    let mut per_service: BTreeMap<String, (i64, usize)> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        for t in l
            .timers
            .iter()
            .filter(|t| t.start_at.is_none_or(|s| s <= now))
        {
            if let Some(sid) = &t.service_id {
                per_service.entry(sid.clone()).or_insert((0, i)).0 += 1;
            }
        }
    }
    for (sid, (n, line)) in &per_service {
        let service = services::get(tx.conn, sid)?;
        if service.capacity > 0
            && timers::active_count_for_service(tx.conn, sid)? + n > service.capacity
        {
            override_capacity(
                format!(
                    "«{}» está a su capacidad máxima ({})",
                    service.name, service.capacity
                ),
                format!("items[{line}]"),
            )?;
        }
    }
    let pickup_code = if lines.iter().any(|l| !l.timers.is_empty()) {
        Some(new_pickup_code(tx.conn)?)
    } else {
        None
    };
    let day = business_day_for(tx.conn, tx.branch_id(), now)?;
    let number: i64 =
        tx.conn
            .query_row("SELECT COALESCE(MAX(number), 0) + 1 FROM sales", [], |r| {
                r.get(0)
            })?;
    let sale_id = ids::new_id();
    let prefix = branches::get(tx.conn, tx.branch_id())?.folio_prefix;
    tx.conn.execute(
        "INSERT INTO sales (id, number, folio, branch_id, business_day, created_at, user_id, device_id,
                            total_cents, paid_cents, change_cents, note, gross_cents, discount_cents,
                            discount_reason, discount_authorized_by, pickup_code, family_id,
                            capacity_override_by)
         VALUES (?1, ?2, ?12, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        params![
            sale_id,
            number,
            tx.branch_id(),
            day.to_string(),
            now,
            user_id,
            tx.ctx.device_id,
            total,
            settlement.paid_cents,
            settlement.change_cents,
            note,
            folio(&prefix, number),
            gross_total,
            discount_total,
            discount_reason,
            discount_by,
            pickup_code,
            family_id,
            capacity_override_by
        ],
    )?;
    if let Some(fid) = &family_id {
        families::record_visit(tx, fid)?;
    }
    for (pos, l) in lines.iter().enumerate() {
        let it = &l.item;
        let kind = match it.kind {
            ItemKind::Product => "product",
            ItemKind::Service => "service",
            ItemKind::Package => "package",
            ItemKind::Booking => "booking",
        };
        tx.conn.execute(
            "INSERT INTO sale_items (sale_id, position, kind, product_id, service_id, package_id, name, quantity,
                                     unit_price_cents, total_cents, child_name, guardian_name, guardian_phone,
                                     timer_id, extra, extra_minutes, gross_cents, discount_cents, iva_rate, iva_cents,
                                     booking_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
            params![
                sale_id,
                pos as i64,
                kind,
                it.product_id,
                it.service_id,
                it.package_id,
                it.name,
                it.quantity,
                it.unit_price_cents,
                it.total_cents,
                it.child.as_ref().map(|c| &c.name),
                it.child.as_ref().and_then(|c| c.guardian_name.as_ref()),
                it.child.as_ref().and_then(|c| c.guardian_phone.as_ref()),
                it.timer_id,
                it.extra.map(ExtraKind::as_str),
                it.extra_minutes,
                it.gross_cents,
                it.discount_cents,
                it.iva_rate.as_str(),
                it.iva_cents,
                it.booking_id
            ],
        )?;
    }
    for (pos, (method, amount)) in payments.iter().enumerate() {
        tx.conn.execute(
            "INSERT INTO sale_payments (sale_id, position, method, amount_cents) VALUES (?1, ?2, ?3, ?4)",
            params![sale_id, pos as i64, method.as_str(), amount],
        )?;
    }

    // Stock: one movement per product, the quantities of every line that uses it added up, so
    // the refusal message speaks of the whole sale's demand.
    let mut demand: BTreeMap<String, (i64, usize)> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        for (pid, q) in &l.stock {
            let e = demand.entry(pid.clone()).or_insert((0, i));
            e.0 = validate::plus(&format!("items[{i}].quantity"), e.0, *q)?;
        }
    }
    let mut stock_changes = Vec::new();
    for (pid, (q, line)) in demand {
        let change = stock::record(tx, &pid, -q, "sale", Some(&sale_id)).map_err(|e| match e {
            CoreError::InsufficientStock { message, .. } => CoreError::InsufficientStock {
                field: format!("items[{line}].quantity"),
                message,
            },
            other => other,
        })?;
        stock_changes.push(change);
    }

    let mut started = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        // A single child's line may name its own guardian; otherwise the ticket's.
        let (g_name, g_phone) = match &l.item.child {
            Some(c) if c.guardian_name.is_some() || c.guardian_phone.is_some() => (
                c.guardian_name.clone().unwrap_or_default(),
                c.guardian_phone.clone().unwrap_or_default(),
            ),
            _ => guardian
                .as_ref()
                .map(|g| (g.name.clone(), g.phone.clone()))
                .unwrap_or_default(),
        };
        for lt in &l.timers {
            let mut extra = timers::ExtraTime::default();
            if let Some(sid) = &lt.service_id {
                let service = services::get(tx.conn, sid)?;
                extra = timers::ExtraTime {
                    block_minutes: service.extra_block_minutes,
                    block_price_cents: service.extra_block_price_cents,
                    grace_minutes: service.grace_minutes,
                };
            }
            started.push(timers::create(
                tx,
                &NewTimer {
                    sale_id: Some(&sale_id),
                    service_id: lt.service_id.as_deref(),
                    service_name: &lt.name,
                    child_name: &lt.child.name,
                    guardian_name: &g_name,
                    guardian_phone: &g_phone,
                    duration_ms: match lt.ends_at {
                        Some(end) => (end - now).max(60_000),
                        None => {
                            validate::times(&format!("items[{i}].quantity"), lt.minutes, 60_000)?
                        }
                    },
                    start_at: lt.start_at,
                    sale_position: Some(i as i64),
                    extra,
                    pickup_code: pickup_code.as_deref(),
                    family_id: lt.child.family_id.as_deref().or(family_id.as_deref()),
                    child_id: lt.child.child_id.as_deref(),
                    child_notes: &lt.child.notes,
                    full_public_name: branch.monitor_full_names,
                    booking_id: lt.booking_id.as_deref(),
                    group_name: &lt.group,
                },
            )?);
        }
    }
    for l in &lines {
        let Some((timer_id, minutes, kind)) = &l.extra_time else {
            continue;
        };
        started.push(match kind {
            ExtraKind::Extension => timers::extend_paid(tx, timer_id, *minutes, &sale_id)?,
            ExtraKind::Overtime => timers::charge_overtime(tx, timer_id, &sale_id)?,
        });
    }

    if let Some(key) = idempotency_key {
        tx.conn.execute(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, sale_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user_id, key, hash, sale_id, now],
        )?;
    }
    crate::reports::rollup::add_sale(tx.conn, tx.branch_id(), &sale_id)?;
    let mut paid_bookings: Vec<&str> = lines
        .iter()
        .filter(|l| l.item.total_cents > 0)
        .filter_map(|l| l.item.booking_id.as_deref())
        .collect();
    paid_bookings.sort_unstable();
    paid_bookings.dedup();
    let sale = get(tx.conn, &sale_id, now)?;
    tx.event("sale.created", "sale", &sale_id, &sale)?;
    for b in paid_bookings {
        crate::bookings::after_payment(tx, b)?;
    }
    Ok(SaleOutcome {
        sale,
        stock_changes,
        timers: started,
        replayed: false,
    })
}

const SALE_COLUMNS: &str =
    "id, number, business_day, created_at, user_id, total_cents, paid_cents, \
     change_cents, note, COALESCE(folio, ''), \
     COALESCE((SELECT display_name FROM users u WHERE u.id = user_id), ''), \
     COALESCE(gross_cents, total_cents), discount_cents, discount_reason, discount_authorized_by, \
     pickup_code, family_id, capacity_override_by";

/// A code a stranger would try first: one digit four times, or a run such as 1234 or 9876.
fn guessable(code: &str) -> bool {
    let d: Vec<i32> = code
        .bytes()
        .map(|b| i32::from(b) - i32::from(b'0'))
        .collect();
    let steps: Vec<i32> = d.windows(2).map(|w| w[1] - w[0]).collect();
    steps.iter().all(|s| *s == 0) || steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1)
}

/// A pick-up code: four digits no child inside (or booked to start) has, and not one a stranger
/// would guess first.
fn new_pickup_code(conn: &Connection) -> Result<String> {
    for _ in 0..200 {
        let mut b = [0u8; 4];
        getrandom::getrandom(&mut b)
            .map_err(|e| CoreError::Corrupt(format!("no randomness: {e}")))?;
        let code = format!("{:04}", u32::from_le_bytes(b) % 10_000);
        if guessable(&code) {
            continue;
        }
        let taken: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM timers WHERE pickup_code = ?1
                 AND state IN ('scheduled', 'running', 'paused', 'expired'))",
            [&code],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(code);
        }
    }
    Err(CoreError::conflict(
        "pickup_codes_exhausted",
        "no quedan códigos de recogida libres",
    ))
}

fn sale_header(r: &rusqlite::Row<'_>) -> rusqlite::Result<Sale> {
    Ok(Sale {
        id: r.get(0)?,
        number: r.get(1)?,
        business_day: r.get(2)?,
        created_at: clock::to_rfc3339(r.get(3)?),
        user_id: r.get(4)?,
        total_cents: r.get(5)?,
        paid_cents: r.get(6)?,
        change_cents: r.get(7)?,
        note: r.get(8)?,
        folio: r.get(9)?,
        user_name: r.get(10)?,
        gross_cents: r.get(11)?,
        discount_cents: r.get(12)?,
        discount_reason: r.get(13)?,
        discount_authorized_by: r.get(14)?,
        pickup_code: r.get(15)?,
        family_id: r.get(16)?,
        capacity_override_by: r.get(17)?,
        taxes: Vec::new(),
        items: Vec::new(),
        payments: Vec::new(),
        timers: Vec::new(),
        refunded_cents: 0,
        refunds: Vec::new(),
    })
}

/// Fills in the items, payments, refunds and timers of `sales`: four queries however many sales.
fn attach_details(conn: &Connection, sales: &mut [Sale], now: Millis) -> Result<()> {
    if sales.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = sales.iter().map(|s| s.id.as_str()).collect();
    let ids = serde_json::to_string(&ids).map_err(|e| CoreError::Corrupt(e.to_string()))?;
    let position: std::collections::HashMap<String, usize> = sales
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT sale_id, kind, product_id, service_id, package_id, name, quantity, unit_price_cents,
                total_cents, child_name, guardian_name, guardian_phone, position,
                (SELECT COALESCE(SUM(r.quantity), 0) FROM refund_items r
                 WHERE r.sale_id = i.sale_id AND r.sale_position = i.position),
                timer_id, extra, extra_minutes, COALESCE(gross_cents, total_cents), discount_cents,
                iva_rate, iva_cents, booking_id
         FROM sale_items i WHERE sale_id IN (SELECT value FROM json_each(?1)) ORDER BY sale_id, position",
    )?;
    let items = stmt.query_map([&ids], |r| {
        let kind: String = r.get(1)?;
        let child_name: Option<String> = r.get(9)?;
        let sale_id: String = r.get(0)?;
        let item = SaleItem {
            id: item_id(&sale_id, r.get(12)?),
            kind: match kind.as_str() {
                "service" => ItemKind::Service,
                "package" => ItemKind::Package,
                "booking" => ItemKind::Booking,
                _ => ItemKind::Product,
            },
            product_id: r.get(2)?,
            service_id: r.get(3)?,
            package_id: r.get(4)?,
            name: r.get(5)?,
            quantity: r.get(6)?,
            unit_price_cents: r.get(7)?,
            total_cents: r.get(8)?,
            child: match child_name {
                Some(name) => Some(Child {
                    name,
                    guardian_name: r.get(10)?,
                    guardian_phone: r.get(11)?,
                }),
                None => None,
            },
            children: Vec::new(),
            refunded_quantity: r.get(13)?,
            timer_id: r.get(14)?,
            extra: match r.get::<_, Option<String>>(15)?.as_deref() {
                Some("extension") => Some(ExtraKind::Extension),
                Some("overtime") => Some(ExtraKind::Overtime),
                _ => None,
            },
            extra_minutes: r.get(16)?,
            gross_cents: r.get(17)?,
            discount_cents: r.get(18)?,
            iva_rate: IvaRate::from_db(&r.get::<_, String>(19)?),
            iva_cents: r.get(20)?,
            booking_id: r.get(21)?,
        };
        Ok((sale_id, item))
    })?;
    for row in items {
        let (sale_id, item) = row?;
        if let Some(i) = position.get(&sale_id) {
            sales[*i].items.push(item);
        }
    }
    for sale in sales.iter_mut() {
        sale.taxes = crate::tax::breakdown(
            sale.items
                .iter()
                .map(|i| (i.iva_rate, i.total_cents, i.iva_cents)),
        );
    }
    let mut stmt = conn.prepare_cached(
        "SELECT sale_id, method, amount_cents FROM sale_payments
         WHERE sale_id IN (SELECT value FROM json_each(?1)) ORDER BY sale_id, position",
    )?;
    let payments = stmt.query_map([&ids], |r| {
        let m: String = r.get(1)?;
        Ok((
            r.get::<_, String>(0)?,
            Payment {
                method: PaymentMethod::from_db(&m),
                amount_cents: r.get(2)?,
            },
        ))
    })?;
    for row in payments {
        let (sale_id, payment) = row?;
        if let Some(i) = position.get(&sale_id) {
            sales[*i].payments.push(payment);
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT sale_id, id, folio, created_at, total_cents, reason, is_void FROM refunds
         WHERE sale_id IN (SELECT value FROM json_each(?1)) ORDER BY sale_id, number",
    )?;
    let refunds = stmt.query_map([&ids], |r| {
        Ok((
            r.get::<_, String>(0)?,
            RefundSummary {
                id: r.get(1)?,
                folio: r.get(2)?,
                created_at: clock::to_rfc3339(r.get(3)?),
                total_cents: r.get(4)?,
                reason: r.get(5)?,
                is_void: r.get(6)?,
            },
        ))
    })?;
    for row in refunds {
        let (sale_id, refund) = row?;
        if let Some(i) = position.get(&sale_id) {
            sales[*i].refunded_cents += refund.total_cents;
            sales[*i].refunds.push(refund);
        }
    }
    for t in timers::of_sales(conn, &ids)? {
        if let Some(i) = t.sale_id.as_ref().and_then(|id| position.get(id)) {
            sales[*i].timers.push(t.view(now));
        }
    }
    // Each line's children, in the order the sale started their timers.
    let mut stmt = conn.prepare_cached(
        "SELECT sale_id, sale_position, id, child_name, child_id FROM timers
         WHERE sale_id IN (SELECT value FROM json_each(?1)) AND sale_position IS NOT NULL
         ORDER BY sale_id, sale_position, rowid",
    )?;
    let kids = stmt.query_map([&ids], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            ItemChild {
                timer_id: r.get(2)?,
                name: r.get(3)?,
                child_id: r.get(4)?,
            },
        ))
    })?;
    for row in kids {
        let (sale_id, pos, child) = row?;
        if let Some(i) = position.get(&sale_id) {
            let wanted = item_id(&sale_id, pos);
            if let Some(item) = sales[*i].items.iter_mut().find(|it| it.id == wanted) {
                item.children.push(child);
            }
        }
    }
    // Timers a sale's extra time was for (extended, or stopped by charging their overtime).
    for sale in sales.iter_mut() {
        for item in &sale.items {
            if let Some(tid) = &item.timer_id {
                if !sale.timers.iter().any(|t| &t.id == tid) {
                    sale.timers.push(timers::get(conn, tid)?.view(now));
                }
            }
        }
    }
    Ok(())
}

pub fn get(conn: &Connection, id: &str, now: Millis) -> Result<Sale> {
    let sale = conn
        .query_row(
            &format!("SELECT {SALE_COLUMNS} FROM sales WHERE id = ?1"),
            [id],
            sale_header,
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("venta", id))?;
    let mut one = [sale];
    attach_details(conn, &mut one, now)?;
    let [sale] = one;
    Ok(sale)
}

/// Which sales a page holds.
#[derive(Debug, Clone)]
pub struct SaleQuery {
    pub branch_id: String,
    /// Business days `from..=to`.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Only sales with a smaller ticket number (the previous page's cursor).
    pub before_number: Option<i64>,
    pub limit: usize,
    /// Only sales made of products alone (what the kid bar may see).
    pub products_only: bool,
    /// What the clerk typed to find a sale (see [`SaleSearch`]).
    pub search: Option<SaleSearch>,
}

/// A search over past sales, read from what the clerk typed in one field: a folio (`A-000123`),
/// a ticket number (`123`), an amount (`$150`, `150.50`), a payment method (`efectivo`,
/// `tarjeta`, `transferencia`), or else part of a child's or guardian's name.
#[derive(Debug, Clone, PartialEq)]
pub enum SaleSearch {
    Folio(String),
    /// A number matches the ticket number or the total in pesos.
    Number(i64),
    Amount(i64),
    Method(PaymentMethod),
    Name(String),
}

impl SaleSearch {
    pub fn parse(q: &str) -> Result<Option<SaleSearch>> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(None);
        }
        if q.chars().count() > 60 {
            return Err(CoreError::validation(
                "q",
                "la búsqueda lleva a lo más 60 caracteres",
            ));
        }
        let lower = q.to_lowercase();
        let method = match lower.as_str() {
            "efectivo" | "cash" => Some(PaymentMethod::Cash),
            "tarjeta" | "card" => Some(PaymentMethod::Card),
            "transferencia" | "transfer" => Some(PaymentMethod::Transfer),
            _ => None,
        };
        if let Some(m) = method {
            return Ok(Some(SaleSearch::Method(m)));
        }
        let upper = q.to_uppercase();
        if let Some((prefix, digits)) = upper.split_once('-') {
            if !prefix.is_empty()
                && prefix.bytes().all(|b| b.is_ascii_uppercase())
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                let n: i64 = digits.parse().unwrap_or(0);
                return Ok(Some(SaleSearch::Folio(folio(prefix, n))));
            }
        }
        let amount = q.trim_start_matches('$').replace(',', "");
        if !amount.is_empty() && amount.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = amount.parse::<i64>() {
                if n <= 1_000_000_000 {
                    return Ok(Some(SaleSearch::Number(n)));
                }
            }
        }
        if let Some((pesos, centavos)) = amount.split_once('.') {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if digits(pesos) && digits(centavos) && centavos.len() <= 2 && pesos.len() <= 9 {
                let p: i64 = pesos.parse().unwrap_or(0);
                let c: i64 = format!("{centavos:0<2}").parse().unwrap_or(0);
                return Ok(Some(SaleSearch::Amount(p * 100 + c)));
            }
        }
        Ok(Some(SaleSearch::Name(crate::validate::short("q", q)?)))
    }

    /// The SQL condition on `s` (a row of `sales`) and its one parameter.
    fn condition(&self) -> (&'static str, rusqlite::types::Value) {
        use rusqlite::types::Value;
        match self {
            SaleSearch::Folio(f) => ("s.folio = ?7", Value::Text(f.clone())),
            SaleSearch::Number(n) => (
                "(s.number = ?7 OR s.total_cents = ?7 * 100)",
                Value::Integer(*n),
            ),
            SaleSearch::Amount(c) => ("s.total_cents = ?7", Value::Integer(*c)),
            SaleSearch::Method(m) => (
                "EXISTS (SELECT 1 FROM sale_payments p WHERE p.sale_id = s.id AND p.method = ?7)",
                Value::Text(m.as_str().into()),
            ),
            SaleSearch::Name(n) => (
                "EXISTS (SELECT 1 FROM sale_items i WHERE i.sale_id = s.id
                    AND (i.child_name LIKE ?7 ESCAPE '\\' OR i.guardian_name LIKE ?7 ESCAPE '\\'))",
                Value::Text(format!(
                    "%{}%",
                    n.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )),
            ),
        }
    }
}

/// Most sales one page may hold.
pub const MAX_PAGE: usize = 500;

/// One page of sales, newest first, and the cursor of the next page when there is one: five
/// queries per page, however many sales it holds.
pub fn page(conn: &Connection, q: &SaleQuery, now: Millis) -> Result<(Vec<Sale>, Option<i64>)> {
    let limit = q.limit.clamp(1, MAX_PAGE);
    let (search, value) = match &q.search {
        Some(s) => s.condition(),
        None => ("?7 IS NULL", rusqlite::types::Value::Null),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SALE_COLUMNS} FROM sales s
         WHERE branch_id = ?1 AND business_day BETWEEN ?2 AND ?3 AND number < ?4
           AND (?5 = 0 OR NOT EXISTS (
                SELECT 1 FROM sale_items i WHERE i.sale_id = s.id AND i.kind <> 'product'))
           AND {search}
         ORDER BY number DESC LIMIT ?6"
    ))?;
    let mut sales = stmt
        .query_map(
            params![
                q.branch_id,
                q.from.to_string(),
                q.to.to_string(),
                q.before_number.unwrap_or(i64::MAX),
                q.products_only,
                (limit + 1) as i64,
                value
            ],
            sale_header,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let next = if sales.len() > limit {
        sales.truncate(limit);
        sales.last().map(|s| s.number)
    } else {
        None
    };
    attach_details(conn, &mut sales, now)?;
    Ok((sales, next))
}

#[cfg(test)]
mod tests {
    use super::guessable;

    #[test]
    fn codes_a_stranger_would_try_first_are_never_given() {
        for c in ["0000", "7777", "1234", "6789", "9876", "3210"] {
            assert!(guessable(c), "{c}");
        }
        for c in ["4821", "1235", "0101", "9870"] {
            assert!(!guessable(c), "{c}");
        }
    }
}
