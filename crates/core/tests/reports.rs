//! Reports on generated data with known answers. Two weeks of sales at chosen local times in
//! Mexico City (products, play time, packages; cash with change, card, transfer, split
//! payments; one sale at 23:30 local, which is the next day in UTC), two day closings with a
//! shortage and an overage. The test keeps its own ledger of what it sold and checks every
//! report figure against it to the centavo, then checks that the per-hour sums kept with each
//! sale equal a rebuild from the raw rows.

mod common;

use common::*;
use kidyboard_core::day_close::{self, DayCloseRequest};
use kidyboard_core::reports::{closings, figures, forecast, items, rollup, utilisation};
use kidyboard_core::sales::ItemKind;
use kidyboard_core::services::{self, ServiceInput};
use kidyboard_core::users;
use kidyboard_core::{Actor, Role, Store};

fn check_figures(f: &figures::Figures, e: &Expected, what: &str) {
    assert_eq!(f.sales_count, e.count, "{what}: sales");
    assert_eq!(f.revenue_cents, e.revenue, "{what}: revenue");
    assert_eq!(
        f.ticket_average_cents,
        (e.revenue + e.count / 2) / e.count.max(1),
        "{what}: ticket"
    );
    assert_eq!(f.by_type.services_cents, e.services, "{what}: services");
    assert_eq!(f.by_type.products_cents, e.products, "{what}: products");
    assert_eq!(f.by_type.packages_cents, e.packages, "{what}: packages");
    assert_eq!(f.by_method.cash_cents, e.cash, "{what}: cash net of change");
    assert_eq!(f.by_method.card_cents, e.card, "{what}: card");
    assert_eq!(f.by_method.transfer_cents, e.transfer, "{what}: transfer");
    assert_eq!(f.checkins, e.checkins, "{what}: check-ins");
}

#[test]
fn every_figure_matches_the_ledger_to_the_centavo() {
    let w = world();
    let week2 = period(&w, 7, 13);
    let dash = w
        .store
        .read(|c| figures::dashboard(c, &week2))
        .expect("dashboard");
    let (now, before) = (total(&w.days[7..14]), total(&w.days[0..7]));
    check_figures(&dash.current, &now, "week 2");
    check_figures(&dash.previous, &before, "week 1");
    assert_eq!(dash.previous_period.from, "2026-03-02");
    assert_eq!(
        dash.revenue.current - dash.revenue.previous,
        now.revenue - before.revenue
    );
    assert_eq!(dash.sales_count.change, now.count - before.count);
    assert_eq!(dash.days.len(), 7);
    for (i, day) in dash.days.iter().enumerate() {
        let e = &w.days[7 + i];
        assert_eq!(
            day.day,
            (first_day() + chrono::Duration::days(7 + i as i64)).to_string()
        );
        assert_eq!(
            (day.revenue_cents, day.sales_count, day.checkins),
            (e.revenue, e.count, e.checkins),
            "{}",
            day.day
        );
        assert_eq!(day.by_method.cash_cents, e.cash, "{} cash", day.day);
    }
    // The sale at 23:30 on 2 March is 05:30 UTC on the 3rd but belongs to the 2nd, hour 23.
    let rev = w
        .store
        .read(|c| figures::revenue(c, &period(&w, 0, 13)))
        .expect("revenue");
    check_figures(&rev.totals, &total(&w.days), "two weeks");
    assert_eq!(rev.days[0].sales_count, w.days[0].count);
    assert_eq!(rev.days[0].revenue_cents, w.days[0].revenue);

    let heat = w
        .store
        .read(|c| figures::heatmap(c, &period(&w, 0, 13)))
        .expect("heatmap");
    assert_eq!(heat.sales[0][23], 1, "Monday 23:00 holds the late sale");
    for wd in 0..7 {
        for h in 0..24 {
            let (n, r) = w.cells.get(&(wd, h)).copied().unwrap_or((0, 0));
            assert_eq!(
                (heat.sales[wd][h], heat.revenue_cents[wd][h]),
                (n, r),
                "cell {wd} {h}"
            );
        }
    }
    assert_eq!(heat.weekdays_in_period, vec![2; 7]);

    let top = w
        .store
        .read(|c| items::top_items(c, &week2, None, 10))
        .expect("top");
    assert_eq!(
        top.revenue_cents, now.revenue,
        "all kinds add up to revenue"
    );
    let find = |id: &str| top.items.iter().find(|i| i.item_id == id).expect("listed");
    let a = find(&w.cat.a);
    assert_eq!(
        (a.kind, a.quantity),
        (ItemKind::Product, now.a_units - 2 * now.packages / P_PRICE)
    );
    assert_eq!(a.revenue_cents, a.quantity * A_PRICE);
    assert_eq!(find(&w.cat.p).revenue_cents, now.packages);
    assert_eq!(find(&w.cat.s).revenue_cents, now.services);
    assert_eq!(find(&w.cat.b).previous_quantity, before.b_units);
    assert!(
        top.items
            .windows(2)
            .all(|p| p[0].revenue_cents >= p[1].revenue_cents),
        "sorted by revenue"
    );
    let only_products = w
        .store
        .read(|c| items::top_items(c, &week2, Some(ItemKind::Product), 1))
        .expect("top products");
    assert_eq!(only_products.items.len(), 1);
    assert_eq!(only_products.revenue_cents, now.products);

    let all = total(&w.days);
    let inv = w
        .store
        .read(|c| items::inventory(c, &period(&w, 0, 13)))
        .expect("inventory");
    let a_stock = 500 - all.a_units;
    let b_stock = 60 - all.b_units;
    assert_eq!(inv.value_cents, a_stock * 1_100 + b_stock * 700);
    assert_eq!(
        inv.retail_value_cents,
        a_stock * A_PRICE + b_stock * B_PRICE
    );
    assert_eq!(inv.units, a_stock + b_stock);
    assert_eq!(
        inv.low_stock_count, 1,
        "chips are under their threshold of 50"
    );
    assert_eq!(inv.products[0].product_id, w.cat.b, "low stock first");
    let a_row = inv
        .products
        .iter()
        .find(|p| p.product_id == w.cat.a)
        .expect("juice");
    assert_eq!(
        a_row.sold, all.a_units,
        "units sold include those inside packages"
    );

    // Capacity 3 children, 10 hours open: 3 × 600 minutes per day.
    w.store
        .change(&Actor::system(), at(first_day(), 8, 0), |tx| {
            services::update(
                tx,
                &w.cat.s,
                &ServiceInput {
                    capacity: Some(3),
                    ..Default::default()
                },
            )
        })
        .expect("capacity");
    let util = w
        .store
        .read(|c| utilisation::utilisation(c, &week2, 10))
        .expect("utilisation");
    let s = util
        .services
        .iter()
        .find(|s| s.service_id == w.cat.s)
        .expect("service");
    assert_eq!(s.sessions, now.checkins);
    assert_eq!(s.played_minutes, 60 * now.checkins);
    assert_eq!(s.capacity_minutes, Some(3 * 600 * 7));
    let pct = (60.0 * now.checkins as f64 * 1000.0 / (3.0 * 600.0 * 7.0)).round() / 10.0;
    assert_eq!(s.utilisation_percent, Some(pct));
}

#[test]
fn closings_report_sums_shortages_and_overages() {
    let w = world();
    let admin = Actor {
        user_id: Some(
            w.store
                .read(users::list)
                .expect("users")
                .into_iter()
                .next()
                .expect("a user")
                .id,
        ),
        role: Role::SuperAdmin,
    };
    let end = at(first_day() + chrono::Duration::days(13), 22, 0);
    for (d, off) in [(2usize, -500i64), (4, 200)] {
        let e = w.days[d];
        w.store
            .change(&admin, end, |tx| {
                day_close::close(
                    tx,
                    &DayCloseRequest {
                        counted_cash_cents: e.cash + off,
                        business_day: Some(
                            (first_day() + chrono::Duration::days(d as i64)).to_string(),
                        ),
                        ..Default::default()
                    },
                )
            })
            .expect("close");
    }
    let r = w
        .store
        .read(|c| closings::closings(c, &period(&w, 0, 6)))
        .expect("closings");
    assert_eq!(r.items.len(), 2);
    assert_eq!(r.items[0].business_day, "2026-03-06", "newest first");
    assert_eq!(r.items[0].expected.cash_cents, w.days[4].cash);
    assert_eq!(
        (r.total_difference_cents, r.shortage_cents, r.overage_cents),
        (-300, -500, 200)
    );
    assert_eq!((r.days_short, r.days_over), (1, 1));
    assert_eq!(
        r.unclosed_days,
        vec![
            "2026-03-02",
            "2026-03-03",
            "2026-03-05",
            "2026-03-07",
            "2026-03-08"
        ]
    );
}

/// The sums kept sale by sale equal the sums recomputed from the raw rows, and the raw takings
/// used by day closing agree with the report.
#[test]
fn kept_sums_equal_a_rebuild_from_raw_rows() {
    let w = world();
    let kept = w.store.read(dump_sums).expect("kept");
    assert!(kept.len() > 30, "the sums hold rows");
    w.store.write(rollup::rebuild).expect("rebuild");
    let rebuilt = w.store.read(dump_sums).expect("rebuilt");
    assert_eq!(kept, rebuilt);
    let p = period(&w, 0, 13);
    let (by_method, count, total) = w
        .store
        .read(|c| day_close::takings(c, &p.branch_id, p.from, p.to))
        .expect("takings");
    let f = w.store.read(|c| figures::figures(c, &p)).expect("figures");
    assert_eq!(
        (f.by_method, f.sales_count, f.revenue_cents),
        (by_method, count, total)
    );
}

#[test]
fn forecast_from_two_weeks_is_limited_and_warns_over_capacity() {
    let w = world();
    let today = first_day() + chrono::Duration::days(14);
    // One child at a time for one hour a day: capacity of one check-in, which most days exceed.
    w.store
        .change(&Actor::system(), at(first_day(), 8, 0), |tx| {
            kidyboard_core::branches::update(
                tx,
                tx.branch_id(),
                &kidyboard_core::branches::BranchInput {
                    capacity: Some(1),
                    ..Default::default()
                },
            )
        })
        .expect("branch capacity");
    let f = w
        .store
        .read(|c| forecast::forecast(c, w.store.branch_id(), today, 1))
        .expect("forecast");
    assert_eq!(f.history_from.as_deref(), Some("2026-03-02"));
    assert_eq!(f.revenue.history_days, 14);
    assert_eq!(f.revenue.status, forecast::ForecastStatus::Limited);
    assert_eq!(f.revenue.points.len(), 14);
    assert_eq!(f.revenue.points[0].day, "2026-03-16");
    let cap = f.capacity.expect("a capacity");
    assert_eq!(cap.checkins, 1);
    assert_eq!(
        f.warnings.len(),
        f.visitors.points.iter().filter(|p| p.value > 1).count(),
        "one warning per day over capacity"
    );
    assert!(!f.warnings.is_empty());
    let bt = f.revenue.backtest.expect("backtest");
    assert_eq!(bt.points.len(), 7);
    assert_eq!(bt.points[0].actual, w.days[7].revenue);
    let fresh = tempfile::tempdir().expect("tmp");
    let empty = Store::open(&fresh.path().join("kb.sqlite")).expect("store");
    let none = empty
        .read(|c| forecast::forecast(c, empty.branch_id(), today, 10))
        .expect("empty forecast");
    assert_eq!(none.revenue.status, forecast::ForecastStatus::NotEnoughData);
    assert_eq!(none.history_from, None);
}
