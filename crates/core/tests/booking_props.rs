//! The booking rules on a real store, through any sequence of bookings, moves, deposits,
//! confirmations and cancellations at random times: no two parties that hold an exclusive room
//! ever overlap (cleaning buffers included), a shared zone never holds more children than its
//! capacity at any moment, every refused change leaves the store as it was, and what a booking
//! says was paid is what its sale lines took.

mod common;

use chrono::NaiveDate;
use common::at;
use kidyboard_core::bookings::rules::{BookingState, Span, MINUTE_MS};
use kidyboard_core::bookings::setup::{self, AreaInput, AreaKind, PartyPackageInput};
use kidyboard_core::bookings::{self, BookingInput, BookingPatch, CancelInput};
use kidyboard_core::money::PaymentMethod;
use kidyboard_core::sales::{self, GuardianRef, PaymentRequest, SaleItemRequest, SaleRequest};
use kidyboard_core::users::{self, UserInput};
use kidyboard_core::{Actor, CoreError, Role, Store};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Book {
        area: usize,
        package: usize,
        day: i64,
        slot: i64,
        children: i64,
    },
    Move {
        booking: usize,
        slot: i64,
        area: Option<usize>,
    },
    Pay {
        booking: usize,
    },
    Confirm {
        booking: usize,
    },
    Cancel {
        booking: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0usize..3, 0usize..3, 0i64..3, 0i64..40, 1i64..30)
            .prop_map(|(area, package, day, slot, children)| Op::Book { area, package, day, slot, children }),
        3 => (any::<usize>(), 0i64..40, prop::option::of(0usize..3))
            .prop_map(|(booking, slot, area)| Op::Move { booking, slot, area }),
        2 => any::<usize>().prop_map(|booking| Op::Pay { booking }),
        1 => any::<usize>().prop_map(|booking| Op::Confirm { booking }),
        1 => any::<usize>().prop_map(|booking| Op::Cancel { booking }),
    ]
}

/// The first party day (a Saturday) and the minute the sequence runs at: days before it.
fn party_day(d: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 7).expect("day") + chrono::Duration::days(d)
}

fn now() -> i64 {
    at(party_day(0), 8, 0) - 3 * 24 * 60 * MINUTE_MS
}

struct World {
    store: Store,
    clerk: Actor,
    areas: Vec<(String, AreaKind, i64)>,
    packages: Vec<String>,
}

fn world(tmp: &tempfile::TempDir) -> World {
    let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
    store
        .change(&Actor::system(), now(), |tx| {
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
            for (name, kind, capacity) in [
                ("Salón A", AreaKind::Room, 25),
                ("Salón B", AreaKind::Room, 25),
                ("Zona", AreaKind::Zone, 40),
            ] {
                let a = setup::create_area(
                    tx,
                    &AreaInput {
                        name: Some(name.into()),
                        kind: Some(kind),
                        capacity: Some(capacity),
                        ..Default::default()
                    },
                )?;
                areas.push((a.id, kind, capacity));
            }
            let mut packages = Vec::new();
            for (name, minutes, buffer, deposit) in [
                ("Corta", 90, 15, 30),
                ("Larga", 180, 45, 50),
                ("Libre", 120, 0, 0),
            ] {
                packages.push(
                    setup::create_party_package(
                        tx,
                        &PartyPackageInput {
                            name: Some(name.into()),
                            duration_minutes: Some(minutes),
                            price_cents: Some(200_000),
                            extra_child_price_cents: Some(10_000),
                            children_included: Some(10),
                            buffer_minutes: Some(buffer),
                            deposit_percent: Some(deposit),
                            ..Default::default()
                        },
                    )?
                    .id,
                );
            }
            Ok((u.id, areas, packages))
        })
        .map(|(uid, areas, packages)| World {
            store,
            clerk: Actor {
                user_id: Some(uid),
                role: Role::Reception,
            },
            areas,
            packages,
        })
        .expect("world")
}

/// A refusal the rules allow; anything else is a bug.
fn expected_refusal(e: &CoreError) -> bool {
    matches!(
        e,
        CoreError::Validation { .. } | CoreError::Conflict { .. } | CoreError::Forbidden(_)
    )
}

fn snapshot(store: &Store) -> String {
    store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, area_id, starts_at, ends_at, blocks_until, state, version, total_cents
                 FROM bookings ORDER BY id",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(format!(
                        "{}|{}|{}|{}|{}|{}|{}|{}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, i64>(7)?
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows.join("\n"))
        })
        .expect("snapshot")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn no_two_parties_ever_share_a_room_and_no_zone_overflows(ops in proptest::collection::vec(op(), 1..40)) {
        let tmp = tempfile::tempdir().expect("tmp");
        let w = world(&tmp);
        let mut ids: Vec<String> = Vec::new();
        let mut refused = 0;
        for (i, op) in ops.iter().enumerate() {
            let t = now() + i as i64 * MINUTE_MS;
            let before = snapshot(&w.store);
            let result: Result<(), CoreError> = w.store.change(&w.clerk, t, |tx| {
                match op {
                    Op::Book { area, package, day, slot, children } => {
                        let starts = at(party_day(*day), 9, 0) + slot * 15 * MINUTE_MS;
                        let b = bookings::create(tx, &BookingInput {
                            guardian: Some(GuardianRef { name: "Tutor Prueba".into(), phone: "55 1234 0000".into() }),
                            birthday_child: "Niño Prueba".into(),
                            area_id: Some(w.areas[*area].0.clone()),
                            package_id: Some(w.packages[*package].clone()),
                            starts_at: kidyboard_core::clock::to_rfc3339(starts),
                            expected_children: *children,
                            ..Default::default()
                        })?;
                        ids.push(b.id);
                    }
                    Op::Move { booking, slot, area } => {
                        if ids.is_empty() { return Ok(()); }
                        let id = &ids[booking % ids.len()];
                        let cur = bookings::get(tx.conn, id, tx.branch_id(), t)?;
                        let day = NaiveDate::parse_from_str(&cur.day, "%Y-%m-%d").expect("day");
                        let starts = at(day, 9, 0) + slot * 15 * MINUTE_MS;
                        bookings::update(tx, id, &BookingPatch {
                            starts_at: Some(kidyboard_core::clock::to_rfc3339(starts)),
                            area_id: area.map(|a| w.areas[a].0.clone()),
                            version: Some(cur.version),
                            ..Default::default()
                        })?;
                    }
                    Op::Pay { booking } => {
                        if ids.is_empty() { return Ok(()); }
                        let id = &ids[booking % ids.len()];
                        let cur = bookings::get(tx.conn, id, tx.branch_id(), t)?;
                        let amount = (cur.deposit_cents - cur.paid_cents).max(1).min(cur.due_cents.max(1));
                        sales::create(tx, &SaleRequest {
                            items: vec![SaleItemRequest { booking_id: Some(id.clone()), ..Default::default() }],
                            payments: vec![PaymentRequest { method: PaymentMethod::Cash, amount_cents: amount.max(cur.due_cents) }],
                            ..Default::default()
                        }, None)?;
                    }
                    Op::Confirm { booking } => {
                        if ids.is_empty() { return Ok(()); }
                        let id = &ids[booking % ids.len()];
                        bookings::update(tx, id, &BookingPatch { state: Some(BookingState::Confirmed), ..Default::default() })?;
                    }
                    Op::Cancel { booking } => {
                        if ids.is_empty() { return Ok(()); }
                        let id = &ids[booking % ids.len()];
                        bookings::cancel(tx, id, &CancelInput { reason: "prueba".into(), ..Default::default() }, None)?;
                    }
                }
                Ok(())
            });
            if let Err(e) = &result {
                prop_assert!(expected_refusal(e), "op {op:?} failed unexpectedly: {e:?}");
                prop_assert_eq!(snapshot(&w.store), before, "a refused {:?} changed nothing", op);
                refused += 1;
            }
        }
        // The sequence did something: the first party in an empty room within hours is taken.
        if let Some(Op::Book { area: 0 | 1, slot: 0..=20, children: 1..=25, .. }) = ops.first() {
            prop_assert!(!ids.is_empty(), "the first booking of an empty room is taken");
        }
        prop_assert!(refused <= ops.len());
        // The invariants, over everything that holds an area.
        let all = w.store.read(|c| {
            bookings::list(c, w.store.branch_id(), &bookings::BookingQuery {
                from: party_day(-1), to: party_day(4), area_id: None, state: None,
            }, now())
        }).expect("list");
        let paid_by_lines: Vec<(String, i64)> = w.store.read(|c| {
            let mut stmt = c.prepare("SELECT booking_id, SUM(total_cents) FROM sale_items WHERE booking_id IS NOT NULL GROUP BY booking_id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        }).expect("paid");
        for b in &all {
            let lines = paid_by_lines.iter().find(|(id, _)| id == &b.id).map_or(0, |x| x.1);
            prop_assert_eq!(b.paid_cents, lines, "what a booking says was paid is what its lines took");
            prop_assert!(b.paid_cents <= b.total_cents, "never paid beyond its total");
            if b.state == BookingState::Confirmed {
                prop_assert!(b.paid_cents >= b.deposit_cents, "confirmed means the deposit is in: {:?}", b);
            }
        }
        let span = |b: &bookings::Booking| Span {
            start: kidyboard_core::clock::parse_rfc3339("s", &b.starts_at).expect("t"),
            end: kidyboard_core::clock::parse_rfc3339("e", &b.ends_at).expect("t"),
            buffer_ms: b.buffer_minutes * MINUTE_MS,
        };
        let holding: Vec<&bookings::Booking> = all.iter().filter(|b| b.state != BookingState::Cancelled && !b.expired).collect();
        for (area, kind, capacity) in &w.areas {
            let here: Vec<&&bookings::Booking> = holding.iter().filter(|b| &b.area_id == area).collect();
            match kind {
                AreaKind::Room => {
                    for (i, a) in here.iter().enumerate() {
                        for b in &here[i + 1..] {
                            prop_assert!(!span(a).collides(&span(b)), "{} and {} share {}", a.folio, b.folio, area);
                        }
                    }
                }
                AreaKind::Zone => {
                    for a in &here {
                        let at_start: i64 = here.iter().filter(|b| {
                            let s = span(b);
                            s.start <= span(a).start && span(a).start < s.blocks_until()
                        }).map(|b| b.expected_children).sum();
                        prop_assert!(at_start <= *capacity, "the zone holds {} at {}", at_start, a.starts_at);
                    }
                }
            }
        }
    }
}

#[test]
fn a_lapsed_hold_paid_after_someone_else_took_its_slot_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let w = world(&tmp);
    let starts = kidyboard_core::clock::to_rfc3339(at(party_day(0), 12, 0));
    let book = |t: i64, who: &str| {
        w.store.change(&w.clerk, t, |tx| {
            bookings::create(
                tx,
                &BookingInput {
                    guardian: Some(GuardianRef {
                        name: format!("Tutor {who}"),
                        phone: "55 1234 0000".into(),
                    }),
                    birthday_child: format!("Niño {who}"),
                    area_id: Some(w.areas[0].0.clone()),
                    package_id: Some(w.packages[0].clone()),
                    starts_at: starts.clone(),
                    expected_children: 10,
                    ..Default::default()
                },
            )
        })
    };
    let first = book(now(), "Uno").expect("the first hold");
    assert!(
        book(now() + MINUTE_MS, "Dos").is_err(),
        "held: the slot is taken"
    );
    // Two days later the 48-hour hold has lapsed: another family takes the slot.
    let later = now() + 49 * 60 * MINUTE_MS;
    book(later, "Dos").expect("the lapsed hold frees the slot");
    let pay = w.store.change(&w.clerk, later + MINUTE_MS, |tx| {
        sales::create(
            tx,
            &SaleRequest {
                items: vec![SaleItemRequest {
                    booking_id: Some(first.id.clone()),
                    ..Default::default()
                }],
                payments: vec![PaymentRequest {
                    method: PaymentMethod::Cash,
                    amount_cents: first.deposit_cents,
                }],
                ..Default::default()
            },
            None,
        )
    });
    match pay {
        Err(CoreError::Conflict {
            code,
            message,
            field,
        }) => {
            assert_eq!(code, "slot_taken");
            assert_eq!(field.as_deref(), Some("booking_id"));
            assert!(
                message.contains("apartado venció") && message.contains("Niño Dos"),
                "{message}"
            );
        }
        other => panic!(
            "the deposit of a lapsed hold whose slot was taken is refused: {:?}",
            other.map(|o| o.sale.id)
        ),
    }
}
