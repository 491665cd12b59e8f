//! The hub's other reports across branches: when the branches sell (weekday × local hour) and
//! what sells (items ranked, net of refunds). Each branch counts on its own business days and its
//! own clock, so 17:00 is five in the afternoon wherever the branch is.

use axum::extract::{Query, State};
use axum::Json;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Member;
use crate::error::{CloudError, ErrorBody, Result};
use crate::routes::reports::{covered, days, Days};
use crate::state::CloudState;

/// Longest period these reports cover at once.
const MAX_DAYS: i64 = 400;

/// The branches asked for and their days: from..to, or without dates each branch's last four
/// weeks up to its own today.
async fn four_weeks(
    db: &deadpool_postgres::Object,
    member: &Member,
    branch_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Days> {
    let branches = covered(db, member, branch_id).await?;
    days(&branches, from, to, 27, 27, MAX_DAYS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeatCell {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: usize,
    pub hour: usize,
    pub sales: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Heatmap {
    pub from: String,
    pub to: String,
    /// `sales[weekday][hour]`: tickets, weekday 0 = Monday, hour 0–23 on each branch's clock.
    pub sales: Vec<Vec<i64>>,
    /// `revenue_cents[weekday][hour]`, net of the refunds made in that hour.
    pub revenue_cents: Vec<Vec<i64>>,
    /// How many of each weekday the period holds, over the branches (sums into averages).
    pub weekdays_in_period: Vec<i64>,
    /// The busiest cell by tickets; absent without sales.
    pub peak: Option<HeatCell>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HeatQuery {
    /// First business day, YYYY-MM-DD (default: each branch's last four weeks, up to its today).
    pub from: Option<String>,
    /// Last business day, inclusive.
    pub to: Option<String>,
    /// Only this branch (default: every branch the person sees).
    pub branch_id: Option<String>,
}

/// Tickets and revenue by weekday and local hour over the period, the branches added up.
#[utoipa::path(get, path = "/api/v1/reports/heatmap", params(HeatQuery),
    responses((status = 200, body = Heatmap), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "reports")]
pub async fn heatmap(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<HeatQuery>,
) -> Result<Json<Heatmap>> {
    let db = st.db().await?;
    let d = four_weeks(
        &db,
        &member,
        q.branch_id.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    let Days {
        branch_ids,
        from,
        to,
        ..
    } = &d;
    let rows = db
        .query(
            "SELECT ((EXTRACT(ISODOW FROM s.business_day::date))::int - 1), s.hour::int,
                    SUM(sales_count)::int8, (SUM(revenue_cents) - SUM(refunds_cents))::int8
             FROM sales_hourly s
             JOIN unnest($1::text[], $2::text[], $3::text[]) AS d(branch_id, f, t)
               ON d.branch_id = s.branch_id AND s.business_day BETWEEN d.f AND d.t
             GROUP BY 1, 2",
            &[branch_ids, from, to],
        )
        .await?;
    let mut sales = vec![vec![0i64; 24]; 7];
    let mut revenue = vec![vec![0i64; 24]; 7];
    for r in &rows {
        let (w, h) = (r.get::<_, i32>(0), r.get::<_, i32>(1));
        let (Ok(w), Ok(h)) = (usize::try_from(w), usize::try_from(h)) else {
            continue;
        };
        if let (Some(srow), Some(rrow)) = (sales.get_mut(w), revenue.get_mut(w)) {
            if let (Some(sc), Some(rc)) = (srow.get_mut(h), rrow.get_mut(h)) {
                *sc += r.get::<_, i64>(2);
                *rc += r.get::<_, i64>(3);
            }
        }
    }
    let mut weekdays = vec![0i64; 7];
    for (f, t) in &d.periods {
        for day in f.iter_days().take_while(|day| day <= t) {
            if let Some(n) = weekdays.get_mut(day.weekday().num_days_from_monday() as usize) {
                *n += 1;
            }
        }
    }
    let peak = sales
        .iter()
        .enumerate()
        .flat_map(|(w, row)| row.iter().enumerate().map(move |(h, n)| (w, h, *n)))
        .filter(|(_, _, n)| *n > 0)
        // The first busiest cell in week order.
        .fold(None::<HeatCell>, |best, (weekday, hour, n)| match best {
            Some(b) if b.sales >= n => Some(b),
            _ => Some(HeatCell {
                weekday,
                hour,
                sales: n,
            }),
        });
    Ok(Json(Heatmap {
        from: from.iter().min().cloned().unwrap_or_default(),
        to: to.iter().max().cloned().unwrap_or_default(),
        sales,
        revenue_cents: revenue,
        weekdays_in_period: weekdays,
        peak,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopQuery {
    /// First business day, YYYY-MM-DD (default: each branch's last four weeks).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only this branch (default: every branch the person sees).
    pub branch_id: Option<String>,
    /// `product`, `service` or `package` (default: all three).
    pub kind: Option<String>,
    /// How many (1–100, default 10).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TopItem {
    pub kind: String,
    pub item_id: String,
    pub name: String,
    /// Units sold less units refunded.
    pub quantity: i64,
    /// Paid less refunded, in centavos.
    pub revenue_cents: i64,
    /// Share of the listed kinds' revenue, in percent.
    pub share_percent: f64,
    /// Branches that sold it in the period.
    pub branches: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TopItems {
    pub from: String,
    pub to: String,
    pub items: Vec<TopItem>,
    /// Revenue of every item of the kinds asked for (the shares' whole).
    pub revenue_cents: i64,
}

/// What sells most across the branches, by revenue net of refunds.
#[utoipa::path(get, path = "/api/v1/reports/top-products", params(TopQuery),
    responses((status = 200, body = TopItems), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "reports")]
pub async fn top_products(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<TopQuery>,
) -> Result<Json<TopItems>> {
    Ok(Json(top_items(&st, &member, &q).await?))
}

/// The best sellers `q` asks for (the route's answer, and the export's table).
pub(crate) async fn top_items(st: &CloudState, member: &Member, q: &TopQuery) -> Result<TopItems> {
    let kinds: Vec<String> = match q.kind.as_deref() {
        None | Some("") => vec!["product".into(), "service".into(), "package".into()],
        Some(k @ ("product" | "service" | "package")) => vec![k.to_string()],
        Some(_) => {
            return Err(CloudError::validation(
                "kind",
                "`product`, `service` o `package`",
            ))
        }
    };
    let limit = q.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(CloudError::validation("limit", "de 1 a 100"));
    }
    let db = st.db().await?;
    let d = four_weeks(
        &db,
        member,
        q.branch_id.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    let Days {
        branch_ids,
        from,
        to,
        ..
    } = &d;
    let rows = db
        .query(
            "WITH sold AS (
                SELECT s.kind, s.item_id,
                       (array_agg(s.name ORDER BY s.business_day DESC))[1] AS name,
                       SUM(s.quantity - s.refunded_quantity)::int8 AS quantity,
                       SUM(s.revenue_cents - s.refunded_cents)::int8 AS revenue,
                       count(DISTINCT s.branch_id)::int8 AS branches
                FROM items_daily s
                JOIN unnest($1::text[], $2::text[], $3::text[]) AS d(branch_id, f, t)
                  ON d.branch_id = s.branch_id AND s.business_day BETWEEN d.f AND d.t
                WHERE s.kind = ANY($4)
                GROUP BY s.kind, s.item_id
             )
             SELECT kind, item_id, name, quantity, revenue, branches,
                    COALESCE(SUM(revenue) OVER (), 0)::int8
             FROM sold ORDER BY revenue DESC, quantity DESC, name LIMIT $5",
            &[branch_ids, from, to, &kinds, &limit],
        )
        .await?;
    let whole: i64 = rows.first().map_or(0, |r| r.get(6));
    let items = rows
        .iter()
        .map(|r| {
            let revenue: i64 = r.get(4);
            TopItem {
                kind: r.get(0),
                item_id: r.get(1),
                name: r.get(2),
                quantity: r.get(3),
                revenue_cents: revenue,
                share_percent: if whole > 0 {
                    (revenue as f64 * 1000.0 / whole as f64).round() / 10.0
                } else {
                    0.0
                },
                branches: r.get(5),
            }
        })
        .collect();
    Ok(TopItems {
        from: from.iter().min().cloned().unwrap_or_default(),
        to: to.iter().max().cloned().unwrap_or_default(),
        items,
        revenue_cents: whole,
    })
}
