//! `cargo bench -p kidyboard-core --bench bookings`: a year of parties (≈2,000 bookings in three
//! rooms, half of them with their deposit paid through a sale) made through the real rules into
//! a temp SQLite file, then the median time of the calendar's month view (six weeks, as the
//! month grid shows them) and of a week, beside a baseline measured in the same run: reading the
//! same rows with a bare SELECT. Target: the month view under 50 ms.

use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveTime};
use kidyboard_core::bookings::setup::{self, AreaInput, AreaKind, PartyPackageInput};
use kidyboard_core::bookings::{self, BookingInput, BookingQuery};
use kidyboard_core::money::PaymentMethod;
use kidyboard_core::sales::{self, GuardianRef, PaymentRequest, SaleItemRequest, SaleRequest};
use kidyboard_core::users::{self, UserInput};
use kidyboard_core::{clock, Actor, Role, Store};

const TARGET_MS: f64 = 50.0;

fn median_ms(runs: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    (times[runs / 2], n)
}

fn main() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).expect("day");
    let start_ms = clock::day_start_ms(first, chrono_tz::America::Mexico_City) - 86_400_000;
    let (clerk, areas, package) = store
        .change(&Actor::system(), start_ms, |tx| {
            let u = users::create(
                tx,
                &UserInput {
                    username: Some("recepcion".into()),
                    password: Some("contraseña-segura".into()),
                    role: Some("reception".into()),
                    ..Default::default()
                },
            )?;
            let mut areas = Vec::new();
            for name in ["Salón A", "Salón B", "Salón C"] {
                areas.push(
                    setup::create_area(
                        tx,
                        &AreaInput {
                            name: Some(name.into()),
                            kind: Some(AreaKind::Room),
                            capacity: Some(30),
                            ..Default::default()
                        },
                    )?
                    .id,
                );
            }
            let p = setup::create_party_package(
                tx,
                &PartyPackageInput {
                    name: Some("Fiesta".into()),
                    duration_minutes: Some(180),
                    price_cents: Some(350_000),
                    buffer_minutes: Some(30),
                    deposit_percent: Some(30),
                    ..Default::default()
                },
            )?;
            Ok((u.id, areas, p.id))
        })
        .expect("setup");
    let clerk = Actor {
        user_id: Some(clerk),
        role: Role::Reception,
    };
    let t = Instant::now();
    let mut made = 0;
    // Two parties a day in each room on weekends, one on weekdays: ≈2,000 in the year.
    for d in 0..365 {
        let day = first + Duration::days(d);
        let weekend = matches!(
            chrono::Datelike::weekday(&day),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        );
        let slots: &[u32] = if weekend { &[10, 14, 18] } else { &[16, 10] };
        store
            .change(&clerk, start_ms, |tx| {
                let cal = setup::calendar(tx.conn, tx.branch_id())?;
                for (i, hour) in slots.iter().enumerate() {
                    for (a, area) in areas.iter().enumerate() {
                        let starts = cal.at(
                            day,
                            NaiveTime::from_hms_opt(*hour, 0, 0).unwrap_or_default(),
                        );
                        let b = bookings::create(
                            tx,
                            &BookingInput {
                                guardian: Some(GuardianRef {
                                    name: format!("Tutor {d} {i} {a}"),
                                    phone: "55 1234 5678".into(),
                                }),
                                birthday_child: format!("Niño {d} {i}"),
                                area_id: Some(area.clone()),
                                package_id: Some(package.clone()),
                                starts_at: clock::to_rfc3339(starts),
                                expected_children: 12,
                                notes: Some("Tema: dinosaurios".into()),
                                ..Default::default()
                            },
                        )?;
                        made += 1;
                        if made % 2 == 0 {
                            sales::create(
                                tx,
                                &SaleRequest {
                                    items: vec![SaleItemRequest {
                                        booking_id: Some(b.id),
                                        ..Default::default()
                                    }],
                                    payments: vec![PaymentRequest {
                                        method: PaymentMethod::Cash,
                                        amount_cents: b.deposit_cents,
                                    }],
                                    ..Default::default()
                                },
                                None,
                            )?;
                        }
                    }
                }
                Ok(())
            })
            .expect("a day of parties");
    }
    println!(
        "wrote {made} bookings (half with their deposit paid) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let branch = store.branch_id().to_string();
    let now = start_ms;
    // The month grid of June: Monday 2026-06-01 to Sunday 2026-07-12 (six weeks).
    let month = BookingQuery {
        from: NaiveDate::from_ymd_opt(2026, 6, 1).expect("day"),
        to: NaiveDate::from_ymd_opt(2026, 7, 12).expect("day"),
        area_id: None,
        state: None,
    };
    let week = BookingQuery {
        to: NaiveDate::from_ymd_opt(2026, 6, 7).expect("day"),
        ..month.clone()
    };
    let (from, to) = (
        clock::day_start_ms(month.from, chrono_tz::America::Mexico_City),
        clock::day_start_ms(
            month.to + Duration::days(1),
            chrono_tz::America::Mexico_City,
        ),
    );
    let (base, base_n) = median_ms(21, || {
        store
            .read(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT * FROM bookings WHERE branch_id = ?1 AND starts_at >= ?2 AND starts_at < ?3",
                )?;
                let n = stmt
                    .query_map(rusqlite::params![branch, from, to], |_| Ok(()))?
                    .count();
                Ok(n)
            })
            .expect("baseline")
    });
    let (month_ms, month_n) = median_ms(21, || {
        store
            .read(|c| bookings::list(c, &branch, &month, now))
            .expect("month")
            .len()
    });
    let (week_ms, week_n) = median_ms(21, || {
        store
            .read(|c| bookings::list(c, &branch, &week, now))
            .expect("week")
            .len()
    });
    println!("bookings month view ({month_n} bookings, six weeks)   {month_ms:>8.2} ms   target < {TARGET_MS} ms");
    println!("bookings week view ({week_n} bookings)                 {week_ms:>8.2} ms");
    println!("baseline: bare SELECT of the month's rows ({base_n})   {base:>8.2} ms");
    println!(
        "month view: {}",
        if month_ms < TARGET_MS {
            "within target"
        } else {
            "OVER TARGET"
        }
    );
}
