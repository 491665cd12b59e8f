//! A store with a small catalogue and a sale factory that returns what each sale should add to
//! the reports, for tests that check report figures against their own ledger.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::America::Mexico_City;
use kidyboard_core::money::PaymentMethod;
use kidyboard_core::packages::{self, PackageInput, PackageItemInput};
use kidyboard_core::products::{self, ProductInput};
use kidyboard_core::reports::Period;
use kidyboard_core::sales::{self, Child, PaymentRequest, SaleItemRequest, SaleRequest};
use kidyboard_core::services::{self, ServiceInput};
use kidyboard_core::users::{self, UserInput};
use kidyboard_core::{Actor, Role, Store};

pub const A_PRICE: i64 = 2_500;
pub const B_PRICE: i64 = 1_800;
pub const S_PRICE: i64 = 15_000;
pub const P_PRICE: i64 = 30_000;

pub struct Catalogue {
    pub a: String,
    pub b: String,
    pub s: String,
    pub p: String,
}

/// What the test sold on one day, by its own arithmetic.
#[derive(Default, Debug, Clone, Copy, PartialEq)]
pub struct Expected {
    pub count: i64,
    pub revenue: i64,
    pub services: i64,
    pub products: i64,
    pub packages: i64,
    pub cash: i64,
    pub card: i64,
    pub transfer: i64,
    pub checkins: i64,
    pub a_units: i64,
    pub b_units: i64,
}

pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).expect("a Monday")
}

pub fn at(day: NaiveDate, hour: u32, minute: u32) -> i64 {
    Mexico_City
        .from_local_datetime(&day.and_hms_opt(hour, minute, 0).expect("time"))
        .single()
        .expect("unambiguous")
        .timestamp_millis()
}

pub fn setup(store: &Store) -> (Catalogue, Actor) {
    store
        .change(&Actor::system(), at(first_day(), 8, 0), |tx| {
            let product = |name: &str, price, cost, stock, low| {
                products::create(
                    tx,
                    &ProductInput {
                        name: Some(name.into()),
                        price_cents: Some(price),
                        cost_cents: Some(cost),
                        stock: Some(stock),
                        low_stock_threshold: Some(low),
                        ..Default::default()
                    },
                )
            };
            let a = product("Jugo de manzana", A_PRICE, 1_100, 500, 10)?;
            let b = product("Papas «fritas»", B_PRICE, 700, 60, 50)?;
            // No capacity while selling (the core has no scheduler to end timers); set below.
            let s = services::create(
                tx,
                &ServiceInput {
                    name: Some("1 hora de juego".into()),
                    duration_minutes: Some(60),
                    price_cents: Some(S_PRICE),
                    ..Default::default()
                },
            )?;
            let p = packages::create(
                tx,
                &PackageInput {
                    name: Some("Cumpleaños".into()),
                    price_cents: Some(P_PRICE),
                    items: Some(vec![
                        PackageItemInput {
                            service_id: Some(s.id.clone()),
                            product_id: None,
                            quantity: 1,
                        },
                        PackageItemInput {
                            product_id: Some(a.id.clone()),
                            service_id: None,
                            quantity: 2,
                        },
                    ]),
                    ..Default::default()
                },
            )?;
            let u = users::create(
                tx,
                &UserInput {
                    username: Some("caja".into()),
                    password: Some("contraseña-segura".into()),
                    role: Some("reception".into()),
                    ..Default::default()
                },
            )?;
            Ok((
                Catalogue {
                    a: a.id,
                    b: b.id,
                    s: s.id,
                    p: p.id,
                },
                Actor {
                    user_id: Some(u.id),
                    role: Role::Reception,
                },
            ))
        })
        .expect("catalogue")
}

pub fn pay(method: PaymentMethod, amount_cents: i64) -> PaymentRequest {
    PaymentRequest {
        method,
        amount_cents,
    }
}

pub fn child() -> Option<Child> {
    Some(Child {
        name: "Sofía".into(),
        ..Default::default()
    })
}

/// Sells sale number `n` of a plan and returns its expected contribution.
pub fn sell(store: &Store, actor: &Actor, cat: &Catalogue, kind: usize, now: i64) -> Expected {
    let item = |product_id: Option<&String>,
                service_id: Option<&String>,
                package_id: Option<&String>,
                quantity: i64,
                kid: bool| SaleItemRequest {
        product_id: product_id.cloned(),
        service_id: service_id.cloned(),
        package_id: package_id.cloned(),
        quantity: Some(quantity),
        child: if kid { child() } else { None },
        ..Default::default()
    };
    let (req, e) = match kind {
        // Two juices paid with a $100 bill: $50 change.
        0 => (
            SaleRequest {
                items: vec![item(Some(&cat.a), None, None, 2, false)],
                payments: vec![pay(PaymentMethod::Cash, 10_000)],
                note: None,
                ..Default::default()
            },
            Expected {
                products: 2 * A_PRICE,
                cash: 2 * A_PRICE,
                a_units: 2,
                ..Default::default()
            },
        ),
        1 => (
            SaleRequest {
                items: vec![item(None, Some(&cat.s), None, 1, true)],
                payments: vec![pay(PaymentMethod::Card, S_PRICE)],
                note: None,
                ..Default::default()
            },
            Expected {
                services: S_PRICE,
                card: S_PRICE,
                checkins: 1,
                ..Default::default()
            },
        ),
        2 => (
            SaleRequest {
                items: vec![item(None, None, Some(&cat.p), 1, true)],
                payments: vec![pay(PaymentMethod::Transfer, P_PRICE)],
                note: None,
                ..Default::default()
            },
            Expected {
                packages: P_PRICE,
                transfer: P_PRICE,
                checkins: 1,
                a_units: 2,
                ..Default::default()
            },
        ),
        // Juice and chips, split: $20.00 cash + the rest by card.
        _ => (
            SaleRequest {
                items: vec![
                    item(Some(&cat.a), None, None, 1, false),
                    item(Some(&cat.b), None, None, 1, false),
                ],
                payments: vec![
                    pay(PaymentMethod::Cash, 2_000),
                    pay(PaymentMethod::Card, A_PRICE + B_PRICE - 2_000),
                ],
                note: None,
                ..Default::default()
            },
            Expected {
                products: A_PRICE + B_PRICE,
                cash: 2_000,
                card: A_PRICE + B_PRICE - 2_000,
                a_units: 1,
                b_units: 1,
                ..Default::default()
            },
        ),
    };
    store
        .change(actor, now, |tx| sales::create(tx, &req, None))
        .expect("sale");
    Expected {
        count: 1,
        revenue: e.services + e.products + e.packages,
        ..e
    }
}

pub fn add(a: &mut Expected, b: &Expected) {
    a.count += b.count;
    a.revenue += b.revenue;
    a.services += b.services;
    a.products += b.products;
    a.packages += b.packages;
    a.cash += b.cash;
    a.card += b.card;
    a.transfer += b.transfer;
    a.checkins += b.checkins;
    a.a_units += b.a_units;
    a.b_units += b.b_units;
}

pub struct World {
    pub _tmp: tempfile::TempDir,
    pub store: Store,
    pub cat: Catalogue,
    pub days: Vec<Expected>,
    /// (weekday Monday=0, local hour) → (sales, revenue)
    pub cells: BTreeMap<(usize, usize), (i64, i64)>,
}

/// 14 days from Monday 2 March 2026; day d has (d·7+3) mod 5 + 1 sales at local hours
/// 10 + (3n + d) mod 10, kinds cycling with (d + n) mod 4; plus a juice sale at 23:30 on day 0.
pub fn world() -> World {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
    let (cat, actor) = setup(&store);
    let mut days = vec![Expected::default(); 14];
    let mut cells = BTreeMap::new();
    for (d, expected) in days.iter_mut().enumerate() {
        let day = first_day() + chrono::Duration::days(d as i64);
        let mut plan: Vec<(usize, u32, u32)> = (0..(d * 7 + 3) % 5 + 1)
            .map(|n| ((d + n) % 4, 10 + ((3 * n + d) % 10) as u32, (n * 7) as u32))
            .collect();
        if d == 0 {
            plan.push((0, 23, 30));
        }
        for (kind, hour, minute) in plan {
            let e = sell(&store, &actor, &cat, kind, at(day, hour, minute));
            add(expected, &e);
            let cell = cells
                .entry((day.weekday().num_days_from_monday() as usize, hour as usize))
                .or_insert((0, 0));
            cell.0 += 1;
            cell.1 += e.revenue;
        }
    }
    World {
        _tmp: tmp,
        store,
        cat,
        days,
        cells,
    }
}

pub fn period(w: &World, from: usize, to: usize) -> Period {
    let d = |i: usize| first_day() + chrono::Duration::days(i as i64);
    w.store
        .read(|c| Period::new(c, w.store.branch_id(), d(from), d(to)))
        .expect("period")
}

pub fn total(days: &[Expected]) -> Expected {
    let mut t = Expected::default();
    for d in days {
        add(&mut t, d);
    }
    t
}

/// Every row of the report sums, as text, in key order.
pub fn dump_sums(c: &rusqlite::Connection) -> kidyboard_core::Result<Vec<String>> {
    let mut out = Vec::new();
    for table in ["report_hourly", "report_items_daily"] {
        let mut stmt = c.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2, 3, 4"))?;
        let n = stmt.column_count();
        let rows = stmt.query_map([], |r| {
            let mut s = String::new();
            for i in 0..n {
                s.push_str(&format!("{:?}|", r.get_ref(i)?));
            }
            Ok(s)
        })?;
        for r in rows {
            out.push(r?);
        }
    }
    Ok(out)
}
