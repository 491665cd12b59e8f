//! The console's dashboard across branches: each branch's figures side by side over a period
//! (each on its own business days), the days of the period summed over branches, the day
//! closings with their differences, and the same as a CSV, XLSX or PDF file.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kidyboard_exports::{Cell, Column, ColumnKind as K, Document, Format, Table};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Member;
use crate::error::{CloudError, ErrorBody, Result};
use crate::routes::reports::{covered, days, Days, ReportQuery};
use crate::state::CloudState;

/// Longest period the dashboard covers at once.
const MAX_DAYS: i64 = 400;

/// A period's figures (one branch's, or all together).
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    pub sales_count: i64,
    /// Net of discounts and refunds.
    pub revenue_cents: i64,
    pub ticket_average_cents: i64,
    pub refunds_cents: i64,
    pub discounts_cents: i64,
    /// Children checked in (one per play timer a sale started).
    pub children: i64,
    /// Day closings in the period and their differences added up (negative = missing).
    pub closings: i64,
    pub cash_difference_cents: i64,
    /// People the totem's camera counted.
    pub visitors: i64,
    /// Minutes of play sold to the children who left in the period (extensions included).
    pub played_minutes: i64,
    /// Minutes the branch could hold: its capacity × its opening minutes in the period (0 when
    /// the store has not said its capacity).
    pub capacity_minutes: i64,
    /// Played over capacity minutes, in percent (absent without a capacity).
    pub occupancy_percent: Option<f64>,
}

impl Figures {
    fn average(mut self) -> Figures {
        self.ticket_average_cents = if self.sales_count > 0 {
            (self.revenue_cents + self.sales_count / 2) / self.sales_count
        } else {
            0
        };
        self.occupancy_percent = occupancy(self.played_minutes, self.capacity_minutes);
        self
    }

    fn add(&mut self, o: &Figures) {
        self.sales_count += o.sales_count;
        self.revenue_cents += o.revenue_cents;
        self.refunds_cents += o.refunds_cents;
        self.discounts_cents += o.discounts_cents;
        self.children += o.children;
        self.closings += o.closings;
        self.cash_difference_cents += o.cash_difference_cents;
        self.visitors += o.visitors;
        self.played_minutes += o.played_minutes;
        self.capacity_minutes += o.capacity_minutes;
    }
}

/// Played over capacity minutes, in percent with one decimal.
fn occupancy(played: i64, capacity: i64) -> Option<f64> {
    (capacity > 0).then(|| (played as f64 * 1000.0 / capacity as f64).round() / 10.0)
}

/// Branches together: their sums, and the occupancy of those that said their capacity.
fn together<'a>(all: impl Iterator<Item = &'a Figures>) -> Figures {
    let mut total = Figures::default();
    let mut occupied = 0;
    for f in all {
        total.add(f);
        if f.capacity_minutes > 0 {
            occupied += f.played_minutes;
        }
    }
    let mut total = total.average();
    total.occupancy_percent = occupancy(occupied, total.capacity_minutes);
    total
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BranchFigures {
    pub branch_id: String,
    pub branch_name: String,
    pub timezone: String,
    /// The branch's own first and last business day of the period.
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub figures: Figures,
    /// The same branch over the period of the same length just before.
    pub previous: Figures,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DayFigures {
    pub day: String,
    pub sales_count: i64,
    pub revenue_cents: i64,
    pub refunds_cents: i64,
    pub children: i64,
    pub visitors: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    pub from: String,
    pub to: String,
    /// The period of the same length just before (each branch on its own days).
    pub previous_from: String,
    pub previous_to: String,
    pub branches: Vec<BranchFigures>,
    pub total: Figures,
    /// The branches together over the previous period, to compare with `total`.
    pub previous: Figures,
    /// Every day of the period with sales, summed over the branches.
    pub days: Vec<DayFigures>,
}

/// Opening minutes of `from..=to` for a week of hours (Monday first), 12 hours a day without one.
fn open_minutes(
    hours: Option<&serde_json::Value>,
    (from, to): (chrono::NaiveDate, chrono::NaiveDate),
) -> i64 {
    use chrono::Datelike;
    let week: Option<Vec<kidyboard_core::bookings::rules::DayHours>> =
        hours.and_then(|h| serde_json::from_value(h.clone()).ok());
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|d| match &week {
            Some(w) => w
                .iter()
                .find(|h| u32::from(h.weekday) == d.weekday().number_from_monday())
                .filter(|h| !h.closed && h.closes > h.opens)
                .map_or(0, |h| (h.closes - h.opens).num_minutes()),
            None => 12 * 60,
        })
        .sum()
}

/// Each branch's figures over its days in `d`, in the order of `d`.
async fn figures(db: &deadpool_postgres::Object, d: &Days) -> Result<Vec<Figures>> {
    let Days {
        branch_ids,
        from,
        to,
        ..
    } = d;
    let per_branch = |table: &str, columns: &str| {
        format!(
            "SELECT s.branch_id, {columns} FROM {table} s
             JOIN unnest($1::text[], $2::text[], $3::text[]) AS d(branch_id, f, t)
               ON d.branch_id = s.branch_id AND s.business_day BETWEEN d.f AND d.t
             GROUP BY s.branch_id"
        )
    };
    let sales = db
        .query(
            &per_branch(
                "sales_daily",
                "COALESCE(SUM(sales_count), 0)::int8, COALESCE(SUM(revenue_cents), 0)::int8,
                 COALESCE(SUM(refunds_cents), 0)::int8, COALESCE(SUM(discounts_cents), 0)::int8,
                 COALESCE(SUM(children), 0)::int8",
            ),
            &[branch_ids, from, to],
        )
        .await?;
    let closings = db
        .query(
            &per_branch(
                "day_closings",
                "count(*), COALESCE(SUM(difference_cents), 0)::int8",
            ),
            &[branch_ids, from, to],
        )
        .await?;
    let visitors = db
        .query(
            &per_branch("visitors_daily", "COALESCE(SUM(visitors), 0)::int8"),
            &[branch_ids, from, to],
        )
        .await?;
    let play = db
        .query(
            &per_branch("play_daily", "COALESCE(SUM(played_minutes), 0)::int8"),
            &[branch_ids, from, to],
        )
        .await?;
    let venues = db
        .query(
            "SELECT id, capacity, opening_hours FROM branches WHERE id = ANY($1)",
            &[branch_ids],
        )
        .await?;
    let row = |rows: &[tokio_postgres::Row], id: &str| {
        rows.iter()
            .position(|r| r.get::<_, &str>(0) == id)
            .and_then(|i| rows.get(i).cloned())
    };
    let mut out = Vec::new();
    for (i, id) in branch_ids.iter().enumerate() {
        let mut f = Figures::default();
        if let Some(r) = row(&sales, id) {
            f.sales_count = r.get(1);
            f.revenue_cents = r.get(2);
            f.refunds_cents = r.get(3);
            f.discounts_cents = r.get(4);
            f.children = r.get(5);
        }
        if let Some(r) = row(&closings, id) {
            f.closings = r.get(1);
            f.cash_difference_cents = r.get(2);
        }
        if let Some(r) = row(&visitors, id) {
            f.visitors = r.get(1);
        }
        if let Some(r) = row(&play, id) {
            f.played_minutes = r.get(1);
        }
        if let Some(r) = row(&venues, id) {
            let capacity: i64 = r.get(1);
            let hours: Option<serde_json::Value> = r.get(2);
            if let Some(period) = d.periods.get(i) {
                f.capacity_minutes = capacity * open_minutes(hours.as_ref(), *period);
            }
        }
        out.push(f);
    }
    Ok(out)
}

/// Each branch's period moved back by its own length: the period to compare with.
fn previous(d: &Days) -> Days {
    Days::new(
        d.branch_ids
            .iter()
            .zip(&d.periods)
            .map(|(id, (f, t))| {
                let len = (*t - *f).num_days() + 1;
                (
                    id.clone(),
                    *f - chrono::Duration::days(len),
                    *f - chrono::Duration::days(1),
                )
            })
            .collect(),
    )
}

async fn dashboard(st: &CloudState, member: &Member, q: &ReportQuery) -> Result<Dashboard> {
    let db = st.db().await?;
    let branches = covered(&db, member, q.branch_id.as_deref()).await?;
    let d = days(
        &branches,
        q.from.as_deref(),
        q.to.as_deref(),
        0,
        0,
        MAX_DAYS,
    )?;
    let before = previous(&d);
    let now = figures(&db, &d).await?;
    let then = figures(&db, &before).await?;
    let Days {
        branch_ids,
        from,
        to,
        ..
    } = &d;
    let per_day = db
        .query(
            "SELECT s.business_day, SUM(sales_count)::int8, SUM(revenue_cents)::int8,
                    SUM(refunds_cents)::int8, SUM(children)::int8,
                    COALESCE(SUM(v.visitors), 0)::int8
             FROM sales_daily s
             JOIN unnest($1::text[], $2::text[], $3::text[]) AS d(branch_id, f, t)
               ON d.branch_id = s.branch_id AND s.business_day BETWEEN d.f AND d.t
             LEFT JOIN visitors_daily v ON v.branch_id = s.branch_id AND v.business_day = s.business_day
             GROUP BY s.business_day ORDER BY s.business_day",
            &[branch_ids, from, to],
        )
        .await?;
    let names = db
        .query(
            "SELECT id, name FROM branches WHERE id = ANY($1)",
            &[branch_ids],
        )
        .await?;
    let mut items = Vec::new();
    for (i, (id, tz)) in branches.iter().enumerate() {
        let f = now.get(i).cloned().unwrap_or_default();
        let p = then.get(i).cloned().unwrap_or_default();
        items.push(BranchFigures {
            branch_id: id.clone(),
            branch_name: names
                .iter()
                .find(|r| r.get::<_, &str>(0) == id)
                .map(|r| r.get(1))
                .unwrap_or_default(),
            timezone: tz.name().to_string(),
            from: from.get(i).cloned().unwrap_or_default(),
            to: to.get(i).cloned().unwrap_or_default(),
            figures: f.average(),
            previous: p.average(),
        });
    }
    items.sort_by(|a, b| a.branch_name.cmp(&b.branch_name));
    Ok(Dashboard {
        from: from.iter().min().cloned().unwrap_or_default(),
        to: to.iter().max().cloned().unwrap_or_default(),
        previous_from: before.from.iter().min().cloned().unwrap_or_default(),
        previous_to: before.to.iter().max().cloned().unwrap_or_default(),
        branches: items,
        total: together(now.iter()),
        previous: together(then.iter()),
        days: per_day
            .iter()
            .map(|r| DayFigures {
                day: r.get(0),
                sales_count: r.get(1),
                revenue_cents: r.get(2),
                refunds_cents: r.get(3),
                children: r.get(4),
                visitors: r.get(5),
            })
            .collect(),
    })
}

/// Each branch's figures over the period side by side (each on its own business days: without
/// `from`, its own today), their total, and the period's days summed over the branches.
#[utoipa::path(get, path = "/api/v1/reports/branches", params(ReportQuery),
    responses((status = 200, body = Dashboard), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "reports")]
pub async fn branches(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<ReportQuery>,
) -> Result<Json<Dashboard>> {
    Ok(Json(dashboard(&st, &member, &q).await?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosingView {
    pub branch_id: String,
    pub branch_name: String,
    pub closing_id: String,
    pub business_day: String,
    pub expected_cents: i64,
    pub counted_cents: i64,
    /// Counted minus expected as the day stands (after any amendment).
    pub difference_cents: i64,
    pub amendments: i32,
    pub closed_at: String,
    pub closed_by_name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosingList {
    pub items: Vec<ClosingView>,
}

async fn closings(st: &CloudState, member: &Member, q: &ReportQuery) -> Result<Vec<ClosingView>> {
    let db = st.db().await?;
    let branches = covered(&db, member, q.branch_id.as_deref()).await?;
    // Without dates: the last month of each branch's own days, up to its own today.
    let d = days(
        &branches,
        q.from.as_deref(),
        q.to.as_deref(),
        31,
        31,
        MAX_DAYS,
    )?;
    let rows = db
        .query(
            "SELECT c.branch_id, b.name, c.closing_id, c.business_day, c.expected_cents, c.counted_cents,
                    c.difference_cents, c.amendments, c.closed_at, c.closed_by_name
             FROM day_closings c JOIN branches b ON b.id = c.branch_id
             JOIN unnest($1::text[], $2::text[], $3::text[]) AS d(branch_id, f, t)
               ON d.branch_id = c.branch_id AND c.business_day BETWEEN d.f AND d.t
             ORDER BY c.business_day DESC, b.name",
            &[&d.branch_ids, &d.from, &d.to],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| ClosingView {
            branch_id: r.get(0),
            branch_name: r.get(1),
            closing_id: r.get(2),
            business_day: r.get(3),
            expected_cents: r.get(4),
            counted_cents: r.get(5),
            difference_cents: r.get(6),
            amendments: r.get(7),
            closed_at: r.get(8),
            closed_by_name: r.get(9),
        })
        .collect())
}

/// The branches' day closings with their cash differences, newest day first (default: the last
/// month).
#[utoipa::path(get, path = "/api/v1/day-closings", params(ReportQuery),
    responses((status = 200, body = ClosingList), (status = 403, body = ErrorBody)),
    security(("bearer" = [])), tag = "reports")]
pub async fn day_closings(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<ReportQuery>,
) -> Result<Json<ClosingList>> {
    Ok(Json(ClosingList {
        items: closings(&st, &member, &q).await?,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FileQuery {
    /// `csv`, `xlsx` or `pdf`.
    pub format: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub branch_id: Option<String>,
}

/// The dashboard as a file: branches side by side, the days, and the day closings.
#[utoipa::path(get, path = "/api/v1/reports/branches/file", params(FileQuery),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "reports")]
pub async fn branches_file(
    State(st): State<CloudState>,
    member: Member,
    Query(q): Query<FileQuery>,
) -> Result<Response> {
    let format = Format::parse(&q.format)
        .ok_or_else(|| CloudError::validation("format", "csv, xlsx o pdf"))?;
    let rq = ReportQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        branch_id: q.branch_id.clone(),
    };
    let dash = dashboard(&st, &member, &rq).await?;
    let closing_rq = ReportQuery {
        from: Some(dash.from.clone()),
        to: Some(dash.to.clone()),
        branch_id: q.branch_id.clone(),
    };
    let list = closings(&st, &member, &closing_rq).await?;
    let top = crate::routes::insights::top_items(
        &st,
        &member,
        &crate::routes::insights::TopQuery {
            from: Some(dash.from.clone()),
            to: Some(dash.to.clone()),
            branch_id: q.branch_id.clone(),
            kind: None,
            limit: Some(20),
        },
    )
    .await?;
    let name = format!(
        "kidyboard-sucursales-{}_{}.{}",
        dash.from,
        dash.to,
        format.extension()
    );
    let doc = document(&dash, &list, &top);
    let bytes =
        tokio::task::spawn_blocking(move || kidyboard_exports::write(&doc, format, &mut |_| {}))
            .await
            .map_err(|e| CloudError::Internal(format!("export: {e}")))?
            .map_err(|e| CloudError::Internal(format!("export: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

fn document(
    d: &Dashboard,
    closings: &[ClosingView],
    top: &crate::routes::insights::TopItems,
) -> Document {
    let figures = |name: &str, f: &Figures| {
        vec![
            Cell::text(name),
            Cell::Integer(f.sales_count),
            Cell::Money(f.revenue_cents),
            Cell::Money(f.ticket_average_cents),
            Cell::Integer(f.children),
            Cell::Integer(f.visitors),
            f.occupancy_percent
                .map_or(Cell::Empty, |p| Cell::Percent(p / 100.0)),
            Cell::Money(f.refunds_cents),
            Cell::Money(f.discounts_cents),
            Cell::Money(f.cash_difference_cents),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = d
        .branches
        .iter()
        .map(|b| figures(&b.branch_name, &b.figures))
        .collect();
    rows.push(figures("Total", &d.total));
    rows.push(figures(
        &format!(
            "Periodo anterior ({} al {})",
            d.previous_from, d.previous_to
        ),
        &d.previous,
    ));
    Document {
        title: "Sucursales".into(),
        subtitle: format!("Del {} al {}", d.from, d.to),
        tables: vec![
            Table {
                title: "Comparativo por sucursal".into(),
                columns: vec![
                    Column::new("Sucursal", K::Text),
                    Column::new("Tickets", K::Integer),
                    Column::new("Ingresos", K::Money),
                    Column::new("Ticket promedio", K::Money),
                    Column::new("Niños", K::Integer),
                    Column::new("Visitantes", K::Integer),
                    Column::new("Ocupación", K::Percent),
                    Column::new("Devoluciones", K::Money),
                    Column::new("Descuentos", K::Money),
                    Column::new("Diferencia de caja", K::Money),
                ],
                rows,
            },
            Table {
                title: "Más vendidos".into(),
                columns: vec![
                    Column::new("Artículo", K::Text),
                    Column::new("Tipo", K::Text),
                    Column::new("Unidades", K::Integer),
                    Column::new("Ingresos", K::Money),
                    Column::new("Participación", K::Percent),
                    Column::new("Sucursales", K::Integer),
                ],
                rows: top
                    .items
                    .iter()
                    .map(|i| {
                        vec![
                            Cell::text(&i.name),
                            Cell::text(match i.kind.as_str() {
                                "product" => "Producto",
                                "service" => "Tiempo de juego",
                                _ => "Paquete",
                            }),
                            Cell::Integer(i.quantity),
                            Cell::Money(i.revenue_cents),
                            Cell::Percent(i.share_percent / 100.0),
                            Cell::Integer(i.branches),
                        ]
                    })
                    .collect(),
            },
            Table {
                title: "Por día".into(),
                columns: vec![
                    Column::new("Día", K::Date),
                    Column::new("Tickets", K::Integer),
                    Column::new("Ingresos", K::Money),
                    Column::new("Devoluciones", K::Money),
                    Column::new("Niños", K::Integer),
                    Column::new("Visitantes", K::Integer),
                ],
                rows: d
                    .days
                    .iter()
                    .map(|x| {
                        vec![
                            Cell::day(&x.day),
                            Cell::Integer(x.sales_count),
                            Cell::Money(x.revenue_cents),
                            Cell::Money(x.refunds_cents),
                            Cell::Integer(x.children),
                            Cell::Integer(x.visitors),
                        ]
                    })
                    .collect(),
            },
            Table {
                title: "Cortes de caja".into(),
                columns: vec![
                    Column::new("Día", K::Date),
                    Column::new("Sucursal", K::Text),
                    Column::new("Esperado", K::Money),
                    Column::new("Contado", K::Money),
                    Column::new("Diferencia", K::Money),
                    Column::new("Cerró", K::Text),
                ],
                rows: closings
                    .iter()
                    .map(|c| {
                        vec![
                            Cell::day(&c.business_day),
                            Cell::text(&c.branch_name),
                            Cell::Money(c.expected_cents),
                            Cell::Money(c.counted_cents),
                            Cell::Money(c.difference_cents),
                            Cell::text(&c.closed_by_name),
                        ]
                    })
                    .collect(),
            },
        ],
    }
}
