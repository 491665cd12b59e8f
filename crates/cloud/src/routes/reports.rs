//! The owner's view of every branch: the summary (shaped like the hub's
//! `GET /api/v1/reports/summary`), active play timers and stock alerts, optionally for one branch.

use axum::extract::{Query, State};
use axum::Json;
use kidyboard_core::day_close::ByMethod;
use kidyboard_core::products::Product;
use kidyboard_core::reports::{ByType, Summary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Member;
use crate::error::{CloudError, Result};
use crate::state::CloudState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// First business day, YYYY-MM-DD (default: each branch's own today, in its zone).
    pub from: Option<String>,
    /// Last business day, inclusive (default: `from`).
    pub to: Option<String>,
    /// Only this branch (default: every branch of the organisation).
    pub branch_id: Option<String>,
}

fn day(field: &str, v: Option<&str>, default: chrono::NaiveDate) -> Result<chrono::NaiveDate> {
    match v {
        None => Ok(default),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| CloudError::validation(field, "fecha inválida (se espera AAAA-MM-DD)")),
    }
}

/// The branches a report covers: the one asked for (404 if not the organisation's, 403 if not
/// this person's), else every branch the person sees; each with its zone.
pub(crate) async fn covered(
    db: &deadpool_postgres::Object,
    member: &Member,
    branch_id: Option<&str>,
) -> Result<Vec<(String, chrono_tz::Tz)>> {
    member.branch_filter(db, branch_id).await?;
    let rows = db
        .query(
            "SELECT id, timezone FROM branches
             WHERE org_id = $1 AND ($2::text[] IS NULL OR id = ANY($2)) AND ($3::text IS NULL OR id = $3)
             ORDER BY id",
            &[&member.org_id, &member.scope(), &branch_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let tz = r
                .get::<_, &str>(1)
                .parse()
                .unwrap_or(chrono_tz::America::Mexico_City);
            (r.get(0), tz)
        })
        .collect())
}

fn ids(branches: &[(String, chrono_tz::Tz)]) -> Vec<String> {
    branches.iter().map(|(id, _)| id.clone()).collect()
}

/// A branch's business day now, in its own zone.
pub(crate) fn today_in(tz: chrono_tz::Tz) -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

/// The days asked for, per branch: `from`..`to` for every branch when given; otherwise the period
/// starts `days_before` each branch's own today (its business day where it is) and ends
/// `length_days` after its start.
pub(crate) struct Days {
    pub branch_ids: Vec<String>,
    /// Each branch's first and last day, as dates to reckon with…
    pub periods: Vec<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// …and as the `YYYY-MM-DD` text the tables' `business_day` columns hold, to bind.
    pub from: Vec<String>,
    pub to: Vec<String>,
}

impl Days {
    pub fn new(periods: Vec<(String, chrono::NaiveDate, chrono::NaiveDate)>) -> Days {
        let mut out = Days {
            branch_ids: Vec::new(),
            periods: Vec::new(),
            from: Vec::new(),
            to: Vec::new(),
        };
        for (id, f, t) in periods {
            out.branch_ids.push(id);
            out.from.push(f.to_string());
            out.to.push(t.to_string());
            out.periods.push((f, t));
        }
        out
    }
}

pub(crate) fn days(
    branches: &[(String, chrono_tz::Tz)],
    from: Option<&str>,
    to: Option<&str>,
    days_before: i64,
    length_days: i64,
    max_days: i64,
) -> Result<Days> {
    // Checked once even with no branch, so bad input is refused the same way.
    let start = |tz| today_in(tz) - chrono::Duration::days(days_before);
    let f = day("from", from, start(chrono_tz::America::Mexico_City))?;
    let t = day("to", to, f + chrono::Duration::days(length_days))?;
    if t < f || (t - f).num_days() > max_days {
        return Err(CloudError::validation(
            "to",
            format!("un rango de hasta {max_days} días, `to` no antes de `from`"),
        ));
    }
    let mut periods = Vec::new();
    for (id, tz) in branches {
        let f = day("from", from, start(*tz))?;
        let t = day("to", to, f + chrono::Duration::days(length_days))?;
        periods.push((id.clone(), f, t));
    }
    Ok(Days::new(periods))
}

fn text(r: &serde_json::Value, k: &str) -> String {
    r.get(k)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn int(r: &serde_json::Value, k: &str) -> i64 {
    r.get(k).and_then(|v| v.as_i64()).unwrap_or_default()
}

/// A catalogue record with one branch's stock, as the hub shows a product.
fn product(id: String, record: &serde_json::Value, stock: i64) -> Product {
    let threshold = int(record, "low_stock_threshold");
    Product {
        id,
        name: text(record, "name"),
        category: text(record, "category"),
        description: text(record, "description"),
        price_cents: int(record, "price_cents"),
        cost_cents: int(record, "cost_cents"),
        stock,
        low_stock_threshold: threshold,
        barcode: record
            .get("barcode")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        image_url: record
            .get("image_url")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        active: record
            .get("active")
            .and_then(|v| v.as_bool())
            .unwrap_or(true),
        low_stock: stock <= threshold,
        created_at: text(record, "created_at"),
        updated_at: text(record, "updated_at"),
        iva_rate: record
            .get("iva_rate")
            .and_then(|v| v.as_str())
            .map(kidyboard_core::tax::IvaRate::from_db)
            .unwrap_or_default(),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StockAlert {
    pub branch_id: String,
    pub product: Product,
}

async fn stock(db: &deadpool_postgres::Object, branch_ids: &[String]) -> Result<Vec<StockAlert>> {
    let rows = db
        .query(
            "SELECT s.branch_id, s.product_id, s.stock, c.record
             FROM stock_levels s JOIN branches b ON b.id = s.branch_id
             JOIN catalog_records c ON c.org_id = b.org_id AND c.entity = 'product' AND c.entity_id = s.product_id
             WHERE s.branch_id = ANY($1)
             ORDER BY s.stock, c.record->>'name'",
            &[&branch_ids],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| StockAlert {
            branch_id: r.get(0),
            product: product(r.get(1), &r.get::<_, serde_json::Value>(3), r.get(2)),
        })
        .collect())
}

/// Revenue, sales, ticket average, by type and method, inventory value, low stock and active
/// timers over the organisation's branches (or one).
#[utoipa::path(get, path = "/api/v1/reports/summary", params(ReportQuery),
    responses((status = 200, body = Summary), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])), tag = "reports")]
pub async fn summary(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Summary>> {
    let db = st.db().await?;
    let branches = covered(&db, &member, q.branch_id.as_deref()).await?;
    let d = days(&branches, q.from.as_deref(), q.to.as_deref(), 0, 0, 3660)?;
    let branch_ids = ids(&branches);
    let f = d
        .from
        .iter()
        .min()
        .cloned()
        .unwrap_or_else(|| today_in(chrono_tz::America::Mexico_City).to_string());
    let t = d.to.iter().max().cloned().unwrap_or_else(|| f.clone());
    let row = db
        .query_one(
            "SELECT COALESCE(SUM(sales_count), 0)::int8, COALESCE(SUM(revenue_cents), 0)::int8,
                    COALESCE(SUM(change_cents), 0)::int8, COALESCE(SUM(services_cents), 0)::int8,
                    COALESCE(SUM(products_cents), 0)::int8, COALESCE(SUM(packages_cents), 0)::int8,
                    COALESCE(SUM(cash_cents), 0)::int8, COALESCE(SUM(card_cents), 0)::int8,
                    COALESCE(SUM(transfer_cents), 0)::int8, COALESCE(SUM(refunds_cents), 0)::int8,
                    COALESCE(SUM(gross_cents), 0)::int8, COALESCE(SUM(discounts_cents), 0)::int8
             FROM sales_daily s
             JOIN unnest($1::text[], $2::text[], $3::text[]) AS d(branch_id, f, t)
               ON d.branch_id = s.branch_id AND s.business_day BETWEEN d.f AND d.t",
            &[&d.branch_ids, &d.from, &d.to],
        )
        .await?;
    let (count, revenue, change): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    let levels = stock(&db, &branch_ids).await?;
    let inventory_value_cents = levels
        .iter()
        .filter(|a| a.product.active && a.product.stock > 0)
        .map(|a| a.product.stock.saturating_mul(a.product.cost_cents))
        .fold(0i64, i64::saturating_add);
    let low_stock = levels
        .into_iter()
        .filter(|a| a.product.active && a.product.low_stock)
        .map(|a| a.product)
        .collect();
    let active_timers: i64 = db
        .query_one(
            "SELECT COUNT(*) FROM timers t
             WHERE t.branch_id = ANY($1) AND t.state IN ('running', 'paused', 'expired')",
            &[&branch_ids],
        )
        .await?
        .get(0);
    Ok(Json(Summary {
        from: f,
        to: t,
        revenue_cents: revenue,
        refunds_cents: row.get(9),
        gross_cents: row.get(10),
        discounts_cents: row.get(11),
        sales_count: count,
        ticket_average_cents: if count > 0 {
            (revenue + count / 2) / count
        } else {
            0
        },
        by_type: ByType {
            services_cents: row.get(3),
            products_cents: row.get(4),
            packages_cents: row.get(5),
        },
        // Money received by method, net of cash change (as the hub counts it).
        by_method: ByMethod {
            cash_cents: row.get::<_, i64>(6) - change,
            card_cents: row.get(7),
            transfer_cents: row.get(8),
        },
        inventory_value_cents,
        low_stock,
        active_timers,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct BranchQuery {
    /// Only this branch (default: every branch of the organisation).
    pub branch_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StockAlerts {
    pub items: Vec<StockAlert>,
}

/// Products at or below their low-stock threshold, per branch.
#[utoipa::path(get, path = "/api/v1/stock-alerts", params(BranchQuery), responses((status = 200, body = StockAlerts)),
    security(("bearer" = [])), tag = "reports")]
pub async fn stock_alerts(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<BranchQuery>,
) -> Result<Json<StockAlerts>> {
    let db = st.db().await?;
    let branches = covered(&db, &member, q.branch_id.as_deref()).await?;
    let items = stock(&db, &ids(&branches))
        .await?
        .into_iter()
        .filter(|a| a.product.active && a.product.low_stock)
        .collect();
    Ok(Json(StockAlerts { items }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimerView {
    pub branch_id: String,
    pub id: String,
    pub child_name: String,
    pub service_name: String,
    pub state: String,
    pub ends_at: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimerList {
    pub items: Vec<TimerView>,
}

/// Play timers running, paused or expired (not yet finished) in the branches, as last synced.
#[utoipa::path(get, path = "/api/v1/timers", params(BranchQuery), responses((status = 200, body = TimerList)),
    security(("bearer" = [])), tag = "reports")]
pub async fn timers(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<BranchQuery>,
) -> Result<Json<TimerList>> {
    let db = st.db().await?;
    let branches = covered(&db, &member, q.branch_id.as_deref()).await?;
    let rows = db
        .query(
            "SELECT t.branch_id, t.timer_id, t.child_name, t.service_name, t.state, t.ends_at
             FROM timers t
             WHERE t.branch_id = ANY($1) AND t.state IN ('scheduled', 'running', 'paused', 'expired')
             ORDER BY t.ends_at NULLS LAST",
            &[&ids(&branches)],
        )
        .await?;
    let items = rows
        .iter()
        .map(|r| TimerView {
            branch_id: r.get(0),
            id: r.get(1),
            child_name: r.get(2),
            service_name: r.get(3),
            state: r.get(4),
            ends_at: r.get(5),
        })
        .collect();
    Ok(Json(TimerList { items }))
}

/// A party as the owner sees it: when, where, for whom and its money (no family contact).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BookingView {
    pub branch_id: String,
    pub branch_name: String,
    pub id: String,
    pub folio: String,
    pub state: String,
    pub day: String,
    pub starts_at: String,
    pub ends_at: String,
    pub birthday_child: String,
    pub area_name: String,
    pub package_name: String,
    pub expected_children: i64,
    pub total_cents: i64,
    pub paid_cents: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BookingList {
    pub items: Vec<BookingView>,
}

/// Every branch's parties on the given local days (default: each branch's today and the next
/// 30, in its zone), as last synced, in start order.
#[utoipa::path(get, path = "/api/v1/bookings", params(ReportQuery), responses((status = 200, body = BookingList)),
    security(("bearer" = [])), tag = "reports")]
pub async fn bookings(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<ReportQuery>,
) -> Result<Json<BookingList>> {
    let db = st.db().await?;
    let branches = covered(&db, &member, q.branch_id.as_deref()).await?;
    let d = days(&branches, q.from.as_deref(), q.to.as_deref(), 0, 30, 366)?;
    let rows = db
        .query(
            "SELECT k.branch_id, k.booking_id, k.folio, k.state, k.day, k.starts_at, k.ends_at, k.birthday_child,
                    k.area_name, k.package_name, k.expected_children, k.total_cents, k.paid_cents, b.name
             FROM bookings k JOIN branches b ON b.id = k.branch_id
             JOIN unnest($1::text[], $2::text[], $3::text[]) AS d(branch_id, f, t)
               ON d.branch_id = k.branch_id AND k.day BETWEEN d.f AND d.t
             ORDER BY k.starts_at",
            &[&d.branch_ids, &d.from, &d.to],
        )
        .await?;
    let items = rows
        .iter()
        .map(|r| BookingView {
            branch_id: r.get(0),
            id: r.get(1),
            folio: r.get(2),
            state: r.get(3),
            day: r.get(4),
            starts_at: r.get(5),
            ends_at: r.get(6),
            birthday_child: r.get(7),
            area_name: r.get(8),
            package_name: r.get(9),
            expected_children: r.get(10),
            total_cents: r.get(11),
            paid_cents: r.get(12),
            branch_name: r.get(13),
        })
        .collect();
    Ok(Json(BookingList { items }))
}
