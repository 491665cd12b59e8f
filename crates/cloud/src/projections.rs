//! Per-branch reporting tables kept up to date from newly stored events, in the push's
//! transaction: sales totals by business day (by type and payment method), the latest state of
//! each play timer, stock levels, and day closings with their differences. Each event is seen
//! here exactly once (only newly stored events reach this code), so sums never double-count a
//! retried batch.

use std::collections::BTreeMap;

use deadpool_postgres::Transaction;
use kidyboard_core::sync::OutgoingEvent;
use serde::Deserialize;

use crate::error::Result;

#[derive(Default)]
struct DayTotals {
    count: i64,
    revenue: i64,
    change: i64,
    services: i64,
    products: i64,
    packages: i64,
    cash: i64,
    card: i64,
    transfer: i64,
    refunds: i64,
    gross: i64,
    discounts: i64,
    children: i64,
}

/// A day's drawer work.
#[derive(Default)]
struct TillTotals {
    float: i64,
    drops: i64,
    deposits: i64,
}

/// A day closing as the store recorded it.
#[derive(Deserialize)]
struct ClosingFacts {
    id: String,
    business_day: String,
    expected: kidyboard_core::day_close::ByMethod,
    counted: kidyboard_core::day_close::ByMethod,
    difference_cents: i64,
    closed_at: String,
    #[serde(default)]
    closed_by_name: String,
}

/// A later count of a closed day: the day's difference is this one now.
#[derive(Deserialize)]
struct AmendmentFacts {
    closing_id: String,
    counted: kidyboard_core::day_close::ByMethod,
    difference_cents: i64,
}

#[derive(Deserialize)]
struct FloatFacts {
    business_day: String,
    float_cents: i64,
}

#[derive(Deserialize)]
struct MovementFacts {
    business_day: String,
    kind: String,
    amount_cents: i64,
}

#[derive(Deserialize)]
struct SaleFacts {
    business_day: String,
    total_cents: i64,
    /// List prices before discounts (absent from older hubs: the total).
    #[serde(default)]
    gross_cents: Option<i64>,
    #[serde(default)]
    discount_cents: i64,
    #[serde(default)]
    change_cents: i64,
    #[serde(default)]
    items: Vec<ItemFacts>,
    #[serde(default)]
    payments: Vec<PaymentFacts>,
}

/// A refund: taken off the day it was made (by type and method), never off the sale's day.
#[derive(Deserialize)]
struct RefundFacts {
    business_day: String,
    total_cents: i64,
    #[serde(default)]
    items: Vec<ItemFacts>,
    #[serde(default)]
    payments: Vec<PaymentFacts>,
}

#[derive(Deserialize)]
struct ItemFacts {
    kind: String,
    total_cents: i64,
    /// The children a play-time line checked in (one timer each).
    #[serde(default)]
    children: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct PaymentFacts {
    method: String,
    amount_cents: i64,
}

#[derive(Deserialize)]
struct TimerFacts {
    child_name: String,
    service_name: String,
    state: String,
    #[serde(default)]
    ends_at: Option<String>,
}

/// A booking as the store last announced it (its contact details stay out of the table).
#[derive(Deserialize)]
struct BookingFacts {
    folio: String,
    state: String,
    day: String,
    starts_at: String,
    ends_at: String,
    birthday_child: String,
    area_name: String,
    #[serde(default)]
    package_name: String,
    expected_children: i64,
    total_cents: i64,
    paid_cents: i64,
}

#[derive(Deserialize)]
struct StockFacts {
    stock_after: i64,
}

fn facts<T: for<'de> Deserialize<'de>>(e: &OutgoingEvent) -> Option<T> {
    match T::deserialize(&e.payload) {
        Ok(v) => Some(v),
        Err(err) => {
            // Stored all the same: the event log is the truth, a projection can be rebuilt.
            tracing::warn!(event = %e.id, kind = %e.kind, error = %err, "event payload not understood by the projections");
            None
        }
    }
}

pub async fn apply(tx: &Transaction<'_>, branch_id: &str, events: &[&OutgoingEvent]) -> Result<()> {
    let mut days: BTreeMap<String, DayTotals> = BTreeMap::new();
    let mut tills: BTreeMap<String, TillTotals> = BTreeMap::new();
    let mut timers: BTreeMap<&str, (i64, TimerFacts)> = BTreeMap::new();
    let mut stock: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut parties: BTreeMap<&str, (i64, BookingFacts)> = BTreeMap::new();
    let mut closings: Vec<ClosingFacts> = Vec::new();
    let mut amendments: Vec<AmendmentFacts> = Vec::new();
    for e in events {
        match e.kind.as_str() {
            "sale.created" => {
                let Some(s) = facts::<SaleFacts>(e) else {
                    continue;
                };
                let d = days.entry(s.business_day).or_default();
                d.count += 1;
                d.revenue += s.total_cents;
                d.gross += s.gross_cents.unwrap_or(s.total_cents);
                d.discounts += s.discount_cents;
                d.change += s.change_cents;
                for i in s.items {
                    d.children += i64::try_from(i.children.len()).unwrap_or(0);
                    match i.kind.as_str() {
                        "service" => d.services += i.total_cents,
                        // A party's deposit and balance count with the packages, as at the hub.
                        "package" | "booking" => d.packages += i.total_cents,
                        _ => d.products += i.total_cents,
                    }
                }
                for p in s.payments {
                    match p.method.as_str() {
                        "cash" => d.cash += p.amount_cents,
                        "card" => d.card += p.amount_cents,
                        _ => d.transfer += p.amount_cents,
                    }
                }
            }
            "refund.created" => {
                let Some(r) = facts::<RefundFacts>(e) else {
                    continue;
                };
                let d = days.entry(r.business_day).or_default();
                d.revenue -= r.total_cents;
                d.refunds += r.total_cents;
                for i in r.items {
                    match i.kind.as_str() {
                        "service" => d.services -= i.total_cents,
                        "package" | "booking" => d.packages -= i.total_cents,
                        _ => d.products -= i.total_cents,
                    }
                }
                for p in r.payments {
                    match p.method.as_str() {
                        "cash" => d.cash -= p.amount_cents,
                        "card" => d.card -= p.amount_cents,
                        _ => d.transfer -= p.amount_cents,
                    }
                }
            }
            "day.closed" => {
                if let Some(c) = facts::<ClosingFacts>(e) {
                    closings.push(c);
                }
            }
            "day.amended" => {
                if let Some(a) = facts::<AmendmentFacts>(e) {
                    amendments.push(a);
                }
            }
            "till.opened" => {
                let Some(f) = facts::<FloatFacts>(e) else {
                    continue;
                };
                tills.entry(f.business_day).or_default().float += f.float_cents;
            }
            "till.movement" => {
                let Some(m) = facts::<MovementFacts>(e) else {
                    continue;
                };
                let t = tills.entry(m.business_day).or_default();
                match m.kind.as_str() {
                    "drop" => t.drops += m.amount_cents,
                    _ => t.deposits += m.amount_cents,
                }
            }
            k if k.starts_with("timer.") => {
                let Some(t) = facts::<TimerFacts>(e) else {
                    continue;
                };
                let newer = timers
                    .get(e.entity_id.as_str())
                    .is_none_or(|(seq, _)| *seq < e.seq);
                if newer {
                    timers.insert(&e.entity_id, (e.seq, t));
                }
            }
            k if k.starts_with("booking.") && e.entity == "booking" => {
                let Some(b) = facts::<BookingFacts>(e) else {
                    continue;
                };
                let newer = parties
                    .get(e.entity_id.as_str())
                    .is_none_or(|(seq, _)| *seq < e.seq);
                if newer {
                    parties.insert(&e.entity_id, (e.seq, b));
                }
            }
            "stock.moved" => {
                let Some(s) = facts::<StockFacts>(e) else {
                    continue;
                };
                let newer = stock
                    .get(e.entity_id.as_str())
                    .is_none_or(|(seq, _)| *seq < e.seq);
                if newer {
                    stock.insert(&e.entity_id, (e.seq, s.stock_after));
                }
            }
            _ => {}
        }
    }
    for (day, d) in &days {
        tx.execute(
            "INSERT INTO sales_daily (branch_id, business_day, sales_count, revenue_cents, change_cents, services_cents,
                                      products_cents, packages_cents, cash_cents, card_cents, transfer_cents,
                                      refunds_cents, gross_cents, discounts_cents, children)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT (branch_id, business_day) DO UPDATE SET
                sales_count = sales_daily.sales_count + excluded.sales_count,
                revenue_cents = sales_daily.revenue_cents + excluded.revenue_cents,
                change_cents = sales_daily.change_cents + excluded.change_cents,
                services_cents = sales_daily.services_cents + excluded.services_cents,
                products_cents = sales_daily.products_cents + excluded.products_cents,
                packages_cents = sales_daily.packages_cents + excluded.packages_cents,
                cash_cents = sales_daily.cash_cents + excluded.cash_cents,
                card_cents = sales_daily.card_cents + excluded.card_cents,
                transfer_cents = sales_daily.transfer_cents + excluded.transfer_cents,
                refunds_cents = sales_daily.refunds_cents + excluded.refunds_cents,
                gross_cents = sales_daily.gross_cents + excluded.gross_cents,
                discounts_cents = sales_daily.discounts_cents + excluded.discounts_cents,
                children = sales_daily.children + excluded.children",
            &[
                &branch_id, day, &d.count, &d.revenue, &d.change, &d.services, &d.products, &d.packages, &d.cash,
                &d.card, &d.transfer, &d.refunds, &d.gross, &d.discounts, &d.children,
            ],
        )
        .await?;
    }
    for c in &closings {
        tx.execute(
            "INSERT INTO day_closings (branch_id, closing_id, business_day, expected_cents, counted_cents,
                                       difference_cents, closed_at, closed_by_name)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (branch_id, closing_id) DO NOTHING",
            &[
                &branch_id, &c.id, &c.business_day, &c.expected.total(), &c.counted.total(), &c.difference_cents,
                &c.closed_at, &c.closed_by_name,
            ],
        )
        .await?;
    }
    // In the store's order, after the closings they correct (a batch may hold both).
    for a in &amendments {
        tx.execute(
            "UPDATE day_closings SET counted_cents = $3, difference_cents = $4, amendments = amendments + 1
             WHERE branch_id = $1 AND closing_id = $2",
            &[&branch_id, &a.closing_id, &a.counted.total(), &a.difference_cents],
        )
        .await?;
    }
    for (day, t) in &tills {
        tx.execute(
            "INSERT INTO till_daily (branch_id, business_day, float_cents, drops_cents, deposits_cents)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (branch_id, business_day) DO UPDATE SET
                float_cents = till_daily.float_cents + excluded.float_cents,
                drops_cents = till_daily.drops_cents + excluded.drops_cents,
                deposits_cents = till_daily.deposits_cents + excluded.deposits_cents",
            &[&branch_id, day, &t.float, &t.drops, &t.deposits],
        )
        .await?;
    }
    for (id, (seq, t)) in &timers {
        tx.execute(
            "INSERT INTO timers (branch_id, timer_id, child_name, service_name, state, ends_at, device_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (branch_id, timer_id) DO UPDATE SET child_name = excluded.child_name,
                service_name = excluded.service_name, state = excluded.state, ends_at = excluded.ends_at,
                device_seq = excluded.device_seq
             WHERE timers.device_seq < excluded.device_seq",
            &[&branch_id, id, &t.child_name, &t.service_name, &t.state, &t.ends_at, seq],
        )
        .await?;
    }
    for (id, (seq, b)) in &parties {
        tx.execute(
            "INSERT INTO bookings (branch_id, booking_id, folio, state, day, starts_at, ends_at, birthday_child,
                                   area_name, package_name, expected_children, total_cents, paid_cents, device_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (branch_id, booking_id) DO UPDATE SET folio = excluded.folio, state = excluded.state,
                day = excluded.day, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                birthday_child = excluded.birthday_child, area_name = excluded.area_name,
                package_name = excluded.package_name, expected_children = excluded.expected_children,
                total_cents = excluded.total_cents, paid_cents = excluded.paid_cents, device_seq = excluded.device_seq
             WHERE bookings.device_seq < excluded.device_seq",
            &[
                &branch_id, id, &b.folio, &b.state, &b.day, &b.starts_at, &b.ends_at, &b.birthday_child,
                &b.area_name, &b.package_name, &b.expected_children, &b.total_cents, &b.paid_cents, seq,
            ],
        )
        .await?;
    }
    // The hub's reports (hour, item, visitors, play, the branch's capacity and hours): SQL
    // functions over the events just stored, the same that filled them for older events.
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    tx.execute("SELECT kb_project_reports($1)", &[&ids]).await?;
    tx.execute("SELECT kb_project_opening_hours($1)", &[&ids])
        .await?;
    for (id, (seq, level)) in &stock {
        tx.execute(
            "INSERT INTO stock_levels (branch_id, product_id, stock, device_seq) VALUES ($1, $2, $3, $4)
             ON CONFLICT (branch_id, product_id) DO UPDATE SET stock = excluded.stock, device_seq = excluded.device_seq
             WHERE stock_levels.device_seq < excluded.device_seq",
            &[&branch_id, id, level, seq],
        )
        .await?;
    }
    Ok(())
}
