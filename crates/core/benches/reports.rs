//! `cargo bench -p kidyboard-core --bench reports`: a year of a busy store (≈300,000 sales with
//! their items, payments and play timers, 365 day closings) written into a temp SQLite file
//! through the real schema, the report sums built the way a store upgrading to them builds them,
//! then the median time of the dashboard and of each report over a month and over the year.
//! Target: dashboard under 150 ms.

use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate};
use kidyboard_core::clock;
use kidyboard_core::reports::{closings, figures, forecast, items, rollup, utilisation, Period};
use kidyboard_core::Store;
use rusqlite::{params, Connection};

const PRODUCTS: usize = 40;
/// Sales a day on a weekday; weekends sell twice as much (≈ 300,000 a year).
const WEEKDAY_SALES: usize = 640;

/// A small deterministic generator so every run writes the same store.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn generate(conn: &mut Connection, branch: &str) -> rusqlite::Result<usize> {
    let tz = chrono_tz::America::Mexico_City;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
         VALUES ('U1', 'caja', 'Caja', 'reception', 'x', 0, 0)",
        [],
    )?;
    for i in 0..PRODUCTS {
        tx.execute(
            "INSERT INTO products (id, name, price_cents, cost_cents, stock, low_stock_threshold, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 10, 0, 0)",
            params![format!("P{i:02}"), format!("Producto {i}"), 1_500 + 100 * i as i64, 600 + 40 * i as i64, (i * 7 % 60) as i64],
        )?;
    }
    for (i, (minutes, price)) in [(30, 9_000), (60, 15_000), (120, 25_000), (480, 45_000)]
        .iter()
        .enumerate()
    {
        tx.execute(
            "INSERT INTO services (id, name, duration_minutes, price_cents, capacity, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 40, 0, 0)",
            params![format!("S{i}"), format!("{minutes} minutos"), minutes, price],
        )?;
    }
    tx.execute("INSERT INTO packages (id, name, price_cents, created_at, updated_at) VALUES ('K0', 'Cumpleaños', 35000, 0, 0)", [])?;
    tx.execute("INSERT INTO package_items (package_id, position, service_id, quantity) VALUES ('K0', 0, 'S1', 1)", [])?;
    tx.execute("INSERT INTO package_items (package_id, position, product_id, quantity) VALUES ('K0', 1, 'P00', 2)", [])?;
    let mut sale = tx.prepare(
        "INSERT INTO sales (id, number, branch_id, business_day, created_at, user_id, device_id, total_cents, paid_cents, change_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, 'U1', 'D1', ?6, ?7, ?8)",
    )?;
    let mut item = tx.prepare(
        "INSERT INTO sale_items (sale_id, position, kind, product_id, service_id, package_id, name, quantity, unit_price_cents, total_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut pay = tx.prepare("INSERT INTO sale_payments (sale_id, position, method, amount_cents) VALUES (?1, 0, ?2, ?3)")?;
    let mut timer = tx.prepare(
        "INSERT INTO timers (id, sale_id, branch_id, service_id, service_name, child_name, state, starts_at, ends_at, remaining_ms, duration_ms, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'Juego', 'Niño', 'finished', ?5, ?6, 0, ?7, ?5, ?6)",
    )?;
    let mut closing = tx.prepare(
        "INSERT INTO day_closings (id, branch_id, business_day, expected_cash_cents, expected_card_cents, expected_transfer_cents,
            counted_cash_cents, counted_card_cents, counted_transfer_cents, difference_cents, sales_count, total_cents, closed_by, closed_at)
         VALUES (?1, ?2, ?3, 0, 0, 0, ?4, 0, 0, ?4, 0, 0, 'U1', 0)",
    )?;
    let mut rng = Lcg(42);
    let mut n = 0usize;
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).expect("day");
    for d in 0..365 {
        let day = first + Duration::days(d);
        let weekend = day.weekday().num_days_from_monday() >= 5;
        let count = if weekend {
            2 * WEEKDAY_SALES
        } else {
            WEEKDAY_SALES
        };
        let opens = clock::day_start_ms(day, tz) + 10 * 3_600_000;
        let ds = day.to_string();
        for _ in 0..count {
            n += 1;
            let id = format!("S{n:07}");
            let at = opens + rng.next(10 * 3_600_000) as i64;
            let (kind, pid, sid, kid, name, qty, unit) = match rng.next(10) {
                0..=4 => {
                    let p = rng.next(PRODUCTS as u64) as i64;
                    (
                        "product",
                        Some(format!("P{p:02}")),
                        None,
                        None,
                        format!("Producto {p}"),
                        1 + rng.next(3) as i64,
                        1_500 + 100 * p,
                    )
                }
                5..=8 => {
                    let s = rng.next(4) as usize;
                    let price = [9_000, 15_000, 25_000, 45_000][s];
                    (
                        "service",
                        None,
                        Some(format!("S{s}")),
                        None,
                        "Juego".to_string(),
                        1,
                        price,
                    )
                }
                _ => (
                    "package",
                    None,
                    None,
                    Some("K0".to_string()),
                    "Cumpleaños".to_string(),
                    1,
                    35_000,
                ),
            };
            let total = qty * unit;
            let method = ["cash", "card", "transfer"][rng.next(3) as usize];
            let paid = if method == "cash" {
                (total + 9_999) / 10_000 * 10_000
            } else {
                total
            };
            sale.execute(params![
                id,
                n as i64,
                branch,
                ds,
                at,
                total,
                paid,
                paid - total
            ])?;
            item.execute(params![id, 0, kind, pid, sid, kid, name, qty, unit, total])?;
            pay.execute(params![id, method, paid])?;
            if kind != "product" {
                let minutes = 60 * (1 + rng.next(2) as i64);
                timer.execute(params![
                    format!("T{n:07}"),
                    id,
                    branch,
                    sid.or(Some("S1".into())),
                    at,
                    at + minutes * 60_000,
                    minutes * 60_000
                ])?;
            }
        }
        closing.execute(params![
            format!("C{d:03}"),
            branch,
            ds,
            rng.next(2_000) as i64 - 1_000
        ])?;
    }
    drop((sale, item, pay, timer, closing));
    tx.commit()?;
    Ok(n)
}

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    let median = ms[ms.len() / 2];
    println!(
        "  {label:<42} median {median:>8.2} ms  (max {:>8.2} ms, n={runs})",
        ms[ms.len() - 1]
    );
    median
}

fn main() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("year.sqlite");
    let store = Store::open(&path).expect("store");
    let branch = store.branch_id().to_string();
    drop(store);
    let mut conn = Connection::open(&path).expect("open");
    let t = Instant::now();
    let n = generate(&mut conn, &branch).expect("generate");
    println!(
        "generated {n} sales (one year) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    rollup::rebuild(&conn).expect("rebuild");
    println!(
        "report sums built from raw rows in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    conn.execute(
        "UPDATE meta SET value = 'built' WHERE key = 'report_rollup'",
        [],
    )
    .expect("meta");
    conn.execute_batch("ANALYZE").expect("analyze");
    drop(conn);
    let store = Store::open(&path).expect("reopen");
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day");
    let period = |from: &str, to: &str| {
        store
            .read(|c| Period::new(c, &branch, day(from), day(to)))
            .expect("period")
    };
    let month = period("2025-12-01", "2025-12-31");
    let year = period("2025-01-01", "2025-12-31");
    let runs = 7;
    for (name, p) in [("month", &month), ("year", &year)] {
        println!("{name} ({} to {}):", p.from, p.to);
        let dash = time("dashboard", runs, || {
            store.read(|c| figures::dashboard(c, p)).expect("dashboard")
        });
        println!(
            "  dashboard target < 150 ms: {}",
            if dash < 150.0 { "met" } else { "MISSED" }
        );
        time("revenue", runs, || {
            store.read(|c| figures::revenue(c, p)).expect("revenue")
        });
        time("heatmap", runs, || {
            store.read(|c| figures::heatmap(c, p)).expect("heatmap")
        });
        time("top products", runs, || {
            store
                .read(|c| items::top_items(c, p, None, 10))
                .expect("top")
        });
        time("inventory", runs, || {
            store.read(|c| items::inventory(c, p)).expect("inventory")
        });
        time("utilisation", runs, || {
            store
                .read(|c| utilisation::utilisation(c, p, 10))
                .expect("utilisation")
        });
        time("day closings", runs, || {
            store.read(|c| closings::closings(c, p)).expect("closings")
        });
    }
    time("forecast (a year of history)", runs, || {
        store
            .read(|c| forecast::forecast(c, &branch, day("2026-01-01"), 10))
            .expect("forecast")
    });
    time(
        "summary over the year (raw rows, for comparison)",
        3,
        || {
            store
                .read(|c| kidyboard_core::reports::summary(c, &branch, year.from, year.to))
                .expect("summary")
        },
    );
}
