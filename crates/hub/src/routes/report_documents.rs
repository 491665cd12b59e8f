//! Reports laid out as export documents: Spanish headings, money as centavos in typed cells,
//! a comparison table where the report has a previous period.

use kidyboard_core::reports::{self, Delta};
use kidyboard_core::sales::ItemKind;
use kidyboard_core::tax::{IvaRate, TaxLine};
use kidyboard_exports::{Cell, Column, ColumnKind as K, Document, Table};

fn cols(spec: &[(&str, K)]) -> Vec<Column> {
    spec.iter().map(|(t, k)| Column::new(*t, *k)).collect()
}

fn table(title: &str, spec: &[(&str, K)], rows: Vec<Vec<Cell>>) -> Table {
    Table {
        title: title.to_string(),
        columns: cols(spec),
        rows,
    }
}

fn delta_row(name: &str, d: &Delta, money: bool) -> Vec<Cell> {
    let v = |n: i64| {
        if money {
            Cell::Money(n)
        } else {
            Cell::Integer(n)
        }
    };
    vec![
        Cell::text(name),
        v(d.current),
        v(d.previous),
        v(d.change),
        d.percent
            .map(|p| Cell::Percent(p / 100.0))
            .unwrap_or(Cell::Empty),
    ]
}

fn days_table(days: &[reports::figures::DayFigures]) -> Table {
    table(
        "Ingresos por día",
        &[
            ("Día", K::Date),
            ("Ventas", K::Integer),
            ("Ingresos", K::Money),
            ("Servicios", K::Money),
            ("Productos", K::Money),
            ("Paquetes", K::Money),
            ("Efectivo", K::Money),
            ("Tarjeta", K::Money),
            ("Transferencia", K::Money),
            ("Check-ins", K::Integer),
            ("Bruto", K::Money),
            ("Descuentos", K::Money),
            ("Devoluciones", K::Money),
        ],
        days.iter()
            .map(|d| {
                vec![
                    Cell::day(&d.day),
                    Cell::Integer(d.sales_count),
                    Cell::Money(d.revenue_cents),
                    Cell::Money(d.by_type.services_cents),
                    Cell::Money(d.by_type.products_cents),
                    Cell::Money(d.by_type.packages_cents),
                    Cell::Money(d.by_method.cash_cents),
                    Cell::Money(d.by_method.card_cents),
                    Cell::Money(d.by_method.transfer_cents),
                    Cell::Integer(d.checkins),
                    Cell::Money(d.gross_cents),
                    Cell::Money(d.discounts_cents),
                    Cell::Money(d.refunds_cents),
                ]
            })
            .collect(),
    )
}

const COMPARE: [(&str, K); 5] = [
    ("Cifra", K::Text),
    ("Periodo", K::Money),
    ("Periodo anterior", K::Money),
    ("Cambio", K::Money),
    ("Cambio %", K::Percent),
];

fn figures_table(now: &reports::figures::Figures, before: &reports::figures::Figures) -> Table {
    let d = |a: i64, b: i64| Delta::new(a, b);
    table(
        "Resumen",
        &COMPARE,
        vec![
            delta_row(
                "Ingresos",
                &d(now.revenue_cents, before.revenue_cents),
                true,
            ),
            delta_row("Ventas", &d(now.sales_count, before.sales_count), false),
            delta_row(
                "Ticket promedio",
                &d(now.ticket_average_cents, before.ticket_average_cents),
                true,
            ),
            delta_row(
                "Servicios",
                &d(now.by_type.services_cents, before.by_type.services_cents),
                true,
            ),
            delta_row(
                "Productos",
                &d(now.by_type.products_cents, before.by_type.products_cents),
                true,
            ),
            delta_row(
                "Paquetes",
                &d(now.by_type.packages_cents, before.by_type.packages_cents),
                true,
            ),
            delta_row(
                "Efectivo",
                &d(now.by_method.cash_cents, before.by_method.cash_cents),
                true,
            ),
            delta_row(
                "Tarjeta",
                &d(now.by_method.card_cents, before.by_method.card_cents),
                true,
            ),
            delta_row(
                "Transferencia",
                &d(
                    now.by_method.transfer_cents,
                    before.by_method.transfer_cents,
                ),
                true,
            ),
            delta_row("Check-ins", &d(now.checkins, before.checkins), false),
            delta_row(
                "Ventas brutas",
                &d(now.gross_cents, before.gross_cents),
                true,
            ),
            delta_row(
                "Descuentos",
                &d(now.discounts_cents, before.discounts_cents),
                true,
            ),
            delta_row(
                "Devoluciones",
                &d(now.refunds_cents, before.refunds_cents),
                true,
            ),
        ],
    )
}

const WEEKDAYS: [&str; 7] = [
    "Lunes",
    "Martes",
    "Miércoles",
    "Jueves",
    "Viernes",
    "Sábado",
    "Domingo",
];

fn kind_name(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Product => "Producto",
        ItemKind::Service => "Servicio",
        ItemKind::Package => "Paquete",
        ItemKind::Booking => "Fiesta",
    }
}

/// Reads the report and lays it out as a document (runs on a blocking thread).
pub(crate) fn document(
    c: &rusqlite::Connection,
    report: &str,
    p: &reports::Period,
    q: (i64, Option<ItemKind>, usize),
) -> kidyboard_core::Result<Document> {
    let info = p.info();
    let subtitle = format!(
        "{} · {} a {} ({})",
        info.branch_name, info.from, info.to, info.timezone
    );
    let (title, tables) = match report {
        "dashboard" | "revenue" => {
            let r = reports::figures::revenue(c, p)?;
            (
                "Ingresos",
                vec![figures_table(&r.totals, &r.previous), days_table(&r.days)],
            )
        }
        "heatmap" => {
            let h = reports::figures::heatmap(c, p)?;
            let mut spec: Vec<(String, K)> = vec![("Día".into(), K::Text)];
            spec.extend((0..24).map(|hour| (format!("{hour}h"), K::Integer)));
            let rows = h
                .sales
                .iter()
                .enumerate()
                .map(|(w, row)| {
                    let mut r = vec![Cell::text(WEEKDAYS[w])];
                    r.extend(row.iter().map(|n| Cell::Integer(*n)));
                    r
                })
                .collect();
            let t = Table {
                title: "Ventas por día y hora".into(),
                columns: spec
                    .iter()
                    .map(|(t, k)| Column::new(t.clone(), *k))
                    .collect(),
                rows,
            };
            ("Mapa de calor de ventas", vec![t])
        }
        "top-products" => {
            let t = reports::items::top_items(c, p, q.1, q.2)?;
            let rows = t
                .items
                .iter()
                .map(|i| {
                    vec![
                        Cell::text(kind_name(i.kind)),
                        Cell::text(&i.name),
                        Cell::Integer(i.quantity),
                        Cell::Money(i.revenue_cents),
                        Cell::Percent(i.share_percent / 100.0),
                        Cell::Integer(i.previous_quantity),
                        Cell::Money(i.previous_revenue_cents),
                    ]
                })
                .collect();
            let spec = [
                ("Tipo", K::Text),
                ("Nombre", K::Text),
                ("Cantidad", K::Integer),
                ("Ingresos", K::Money),
                ("Participación", K::Percent),
                ("Cantidad anterior", K::Integer),
                ("Ingresos anteriores", K::Money),
            ];
            ("Lo más vendido", vec![table("Lo más vendido", &spec, rows)])
        }
        "inventory" => {
            let inv = reports::items::inventory(c, p)?;
            let summary = table(
                "Resumen",
                &[("Cifra", K::Text), ("Valor", K::Money)],
                vec![
                    vec![Cell::text("Valor al costo"), Cell::Money(inv.value_cents)],
                    vec![
                        Cell::text("Valor a precio de venta"),
                        Cell::Money(inv.retail_value_cents),
                    ],
                ],
            );
            let rows = inv
                .products
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(&r.name),
                        Cell::text(&r.category),
                        Cell::Integer(r.stock),
                        Cell::Integer(r.low_stock_threshold),
                        Cell::Money(r.cost_cents),
                        Cell::Money(r.price_cents),
                        Cell::Money(r.value_cents),
                        Cell::Integer(r.sold),
                        r.days_of_cover.map(Cell::Decimal).unwrap_or(Cell::Empty),
                        Cell::text(if r.low { "Sí" } else { "" }),
                    ]
                })
                .collect();
            let spec = [
                ("Producto", K::Text),
                ("Categoría", K::Text),
                ("Existencia", K::Integer),
                ("Mínimo", K::Integer),
                ("Costo", K::Money),
                ("Precio", K::Money),
                ("Valor al costo", K::Money),
                ("Vendidos", K::Integer),
                ("Días de cobertura", K::Decimal),
                ("Bajo mínimo", K::Text),
            ];
            ("Inventario", vec![summary, table("Productos", &spec, rows)])
        }
        "utilisation" => {
            let u = reports::utilisation::utilisation(c, p, q.0)?;
            let rows = u
                .services
                .iter()
                .map(|s| {
                    vec![
                        Cell::text(&s.name),
                        Cell::Integer(s.capacity),
                        Cell::Integer(s.sessions),
                        Cell::Integer(s.played_minutes),
                        s.capacity_minutes.map(Cell::Integer).unwrap_or(Cell::Empty),
                        s.utilisation_percent
                            .map(|v| Cell::Percent(v / 100.0))
                            .unwrap_or(Cell::Empty),
                    ]
                })
                .collect();
            let spec = [
                ("Servicio", K::Text),
                ("Capacidad", K::Integer),
                ("Sesiones", K::Integer),
                ("Minutos jugados", K::Integer),
                ("Minutos de capacidad", K::Integer),
                ("Uso", K::Percent),
            ];
            (
                "Uso de la capacidad",
                vec![table(
                    &format!("Servicios ({} h abiertas al día)", u.open_hours),
                    &spec,
                    rows,
                )],
            )
        }
        "day-closings" => {
            let r = reports::closings::closings(c, p)?;
            let rows = r
                .items
                .iter()
                .map(|d| {
                    vec![
                        Cell::day(&d.business_day),
                        Cell::Money(d.expected.cash_cents),
                        Cell::Money(d.counted.cash_cents),
                        Cell::Money(d.expected.card_cents),
                        Cell::Money(d.counted.card_cents),
                        Cell::Money(d.expected.transfer_cents),
                        Cell::Money(d.counted.transfer_cents),
                        Cell::Money(d.current_difference_cents()),
                        Cell::Integer(d.sales_count),
                        Cell::text(&d.note),
                    ]
                })
                .collect();
            let spec = [
                ("Día", K::Date),
                ("Efectivo esperado", K::Money),
                ("Efectivo contado", K::Money),
                ("Tarjeta esperada", K::Money),
                ("Tarjeta contada", K::Money),
                ("Transf. esperada", K::Money),
                ("Transf. contada", K::Money),
                ("Diferencia", K::Money),
                ("Ventas", K::Integer),
                ("Nota", K::Text),
            ];
            ("Cierres de día", vec![table("Cierres", &spec, rows)])
        }
        "customers" => {
            let r = reports::customers::customers(c, p)?;
            let summary = vec![
                vec![
                    Cell::text("Familias que vinieron"),
                    Cell::Integer(r.families_visited),
                ],
                vec![Cell::text("Nuevas"), Cell::Integer(r.new_families)],
                vec![
                    Cell::text("Recurrentes"),
                    Cell::Integer(r.returning_families),
                ],
                vec![
                    Cell::text("Visitas de familias"),
                    Cell::Integer(r.family_visits),
                ],
                vec![
                    Cell::text("Visitas sin familia"),
                    Cell::Integer(r.walk_in_visits),
                ],
                vec![
                    Cell::text("Con la carta responsiva vigente"),
                    Cell::Integer(r.consent_current),
                ],
                vec![
                    Cell::text("Cobertura de la carta (%)"),
                    Cell::Integer(r.consent_coverage_percent),
                ],
            ];
            let visits = r
                .visits_per_family
                .iter()
                .map(|b| {
                    vec![
                        Cell::text(if b.visits >= 4 {
                            "4 o más".to_string()
                        } else {
                            b.visits.to_string()
                        }),
                        Cell::Integer(b.families),
                    ]
                })
                .collect();
            let birthdays = r
                .birthdays
                .iter()
                .map(|b| {
                    vec![
                        Cell::text(&b.name),
                        Cell::day(&b.birth_date),
                        Cell::Integer(b.turns),
                        Cell::text(&b.guardian_name),
                        Cell::text(&b.guardian_phone),
                    ]
                })
                .collect();
            (
                "Clientes: familias nuevas y recurrentes, cumpleaños del mes",
                vec![
                    table(
                        "Resumen",
                        &[("Dato", K::Text), ("Valor", K::Integer)],
                        summary,
                    ),
                    table(
                        "Visitas por familia",
                        &[("Visitas", K::Text), ("Familias", K::Integer)],
                        visits,
                    ),
                    table(
                        "Cumpleaños",
                        &[
                            ("Niño/a", K::Text),
                            ("Nacimiento", K::Date),
                            ("Cumple", K::Integer),
                            ("Tutor", K::Text),
                            ("Teléfono", K::Text),
                        ],
                        birthdays,
                    ),
                ],
            )
        }
        "taxes" => {
            let days = kidyboard_core::tax::days(c, &p.branch_id, p.from, p.to)?;
            let rate_cell =
                |d: &kidyboard_core::tax::TaxDay, r: IvaRate, f: fn(&TaxLine) -> i64| {
                    Cell::Money(d.rates.iter().find(|t| t.rate == r).map(f).unwrap_or(0))
                };
            let rows = days
                .iter()
                .map(|d| {
                    vec![
                        Cell::day(&d.business_day),
                        Cell::Integer(d.sales_count),
                        Cell::text(d.first_folio.as_deref().unwrap_or("")),
                        Cell::text(d.last_folio.as_deref().unwrap_or("")),
                        rate_cell(d, IvaRate::General, |t| t.subtotal_cents),
                        rate_cell(d, IvaRate::General, |t| t.iva_cents),
                        rate_cell(d, IvaRate::General, |t| t.total_cents),
                        rate_cell(d, IvaRate::Zero, |t| t.total_cents),
                        rate_cell(d, IvaRate::Exempt, |t| t.total_cents),
                        Cell::Money(d.subtotal_cents),
                        Cell::Money(d.iva_cents),
                        Cell::Money(d.total_cents),
                    ]
                })
                .collect();
            let spec = [
                ("Día", K::Date),
                ("Ventas", K::Integer),
                ("Primer folio", K::Text),
                ("Último folio", K::Text),
                ("Subtotal 16 %", K::Money),
                ("IVA 16 %", K::Money),
                ("Total 16 %", K::Money),
                ("Total tasa 0 %", K::Money),
                ("Total exento", K::Money),
                ("Subtotal", K::Money),
                ("IVA", K::Money),
                ("Total", K::Money),
            ];
            (
                "Ventas por día para contabilidad (IVA incluido, devoluciones descontadas)",
                vec![table("Ventas e IVA por día", &spec, rows)],
            )
        }
        _ => {
            let f = reports::forecast::forecast(c, &p.branch_id, p.from, q.0)?;
            let rows = f
                .revenue
                .points
                .iter()
                .zip(
                    f.visitors
                        .points
                        .iter()
                        .map(Some)
                        .chain(std::iter::repeat(None)),
                )
                .map(|(r, v)| {
                    vec![
                        Cell::day(&r.day),
                        Cell::Money(r.value),
                        Cell::Money(r.low),
                        Cell::Money(r.high),
                        v.map(|v| Cell::Integer(v.value)).unwrap_or(Cell::Empty),
                    ]
                })
                .collect();
            let spec = [
                ("Día", K::Date),
                ("Ingresos pronosticados", K::Money),
                ("Mínimo probable", K::Money),
                ("Máximo probable", K::Money),
                ("Visitantes", K::Integer),
            ];
            let mut tables = vec![table("Pronóstico", &spec, rows)];
            if let Some(bt) = &f.revenue.backtest {
                tables.push(table(
                    &format!(
                        "Prueba con días reales: error medio {} (MAPE {})",
                        kidyboard_core::money::format_mxn(bt.mae.round() as i64),
                        bt.mape_percent
                            .map(|m| format!("{m:.1} %"))
                            .unwrap_or_else(|| "—".into())
                    ),
                    &[
                        ("Día", K::Date),
                        ("Real", K::Money),
                        ("Pronosticado", K::Money),
                    ],
                    bt.points
                        .iter()
                        .map(|b| {
                            vec![
                                Cell::day(&b.day),
                                Cell::Money(b.actual),
                                Cell::Money(b.predicted),
                            ]
                        })
                        .collect(),
                ));
            }
            ("Pronóstico de 14 días", tables)
        }
    };
    Ok(Document {
        title: title.to_string(),
        subtitle,
        tables,
    })
}
