//! Property tests of the stock and money rules on a real SQLite file: whatever sequence of
//! sales and adjustments happens, stock never goes below zero (unless allowed), the ledger always
//! explains the stock, refused operations leave no trace, and sale totals are exact.

use kidyboard_core::clock::now_ms;
use kidyboard_core::money::PaymentMethod;
use kidyboard_core::products::{self, ProductInput};
use kidyboard_core::sales::{self, PaymentRequest, SaleItemRequest, SaleRequest};
use kidyboard_core::stock::{self, StockAdjustment};
use kidyboard_core::users::{self, UserInput};
use kidyboard_core::{Actor, Role, Store};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Sell {
        product: usize,
        quantity: i64,
        overpay: i64,
    },
    Adjust {
        product: usize,
        delta: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3, 1i64..8, 0i64..5_000).prop_map(|(product, quantity, overpay)| Op::Sell {
            product,
            quantity,
            overpay
        }),
        (0usize..3, -6i64..10).prop_map(|(product, delta)| Op::Adjust { product, delta }),
    ]
}

fn setup() -> (tempfile::TempDir, Store, Vec<(String, i64)>, Actor) {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
    let (products, user) = store
        .change(&Actor::system(), now_ms(), |tx| {
            let mut out = Vec::new();
            for (i, (price, stock)) in [(2_000i64, 5i64), (3_550, 0), (999, 12)].iter().enumerate()
            {
                let p = products::create(
                    tx,
                    &ProductInput {
                        name: Some(format!("Producto {i}")),
                        price_cents: Some(*price),
                        stock: Some(*stock),
                        low_stock_threshold: Some(2),
                        ..Default::default()
                    },
                )?;
                out.push((p.id, *price));
            }
            let u = users::create(
                tx,
                &UserInput {
                    username: Some("caja".into()),
                    password: Some("contraseña-segura".into()),
                    role: Some("reception".into()),
                    ..Default::default()
                },
            )?;
            Ok((out, u))
        })
        .expect("setup");
    let actor = Actor {
        user_id: Some(user.id),
        role: Role::Reception,
    };
    (tmp, store, products, actor)
}

fn stock_of(store: &Store, id: &str) -> i64 {
    store.read(|c| products::get(c, id)).expect("product").stock
}

fn count(store: &Store, sql: &str) -> i64 {
    store
        .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .expect(sql)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn stock_never_goes_negative_and_the_ledger_always_balances(ops in proptest::collection::vec(op(), 1..25)) {
        let (_tmp, store, products, actor) = setup();
        let admin = Actor { user_id: None, role: Role::SuperAdmin };
        let mut expected_sales = 0;
        for op in ops {
            let sales_before = count(&store, "SELECT COUNT(*) FROM sales");
            let events_before = count(&store, "SELECT COUNT(*) FROM events");
            match op {
                Op::Sell { product, quantity, overpay } => {
                    let (id, price) = &products[product];
                    let before = stock_of(&store, id);
                    let total = price * quantity;
                    let req = SaleRequest {
                        items: vec![SaleItemRequest { product_id: Some(id.clone()), quantity: Some(quantity), ..Default::default() }],
                        payments: vec![PaymentRequest { method: PaymentMethod::Cash, amount_cents: total + overpay }],
                        note: None,
                        ..Default::default()
                    };
                    let result = store.change(&actor, now_ms(), |tx| sales::create(tx, &req, None));
                    match result {
                        Ok(outcome) => {
                            expected_sales += 1;
                            prop_assert!(before >= quantity, "only sold what was there");
                            prop_assert_eq!(stock_of(&store, id), before - quantity);
                            prop_assert_eq!(outcome.sale.total_cents, total);
                            prop_assert_eq!(outcome.sale.change_cents, overpay);
                            prop_assert_eq!(outcome.sale.paid_cents - outcome.sale.change_cents, outcome.sale.total_cents);
                        }
                        Err(e) => {
                            prop_assert_eq!(e.code(), "insufficient_stock");
                            prop_assert!(before < quantity);
                            prop_assert_eq!(stock_of(&store, id), before, "a refused sale moves nothing");
                            prop_assert_eq!(count(&store, "SELECT COUNT(*) FROM sales"), sales_before);
                            prop_assert_eq!(count(&store, "SELECT COUNT(*) FROM events"), events_before, "and logs nothing");
                        }
                    }
                }
                Op::Adjust { product, delta } => {
                    let id = &products[product].0;
                    let before = stock_of(&store, id);
                    let r = store.change(&admin, now_ms(), |tx| stock::adjust(tx, id, &StockAdjustment { delta, reason: "conteo".into() }));
                    match r {
                        Ok(c) => prop_assert_eq!(c.product.stock, before + delta),
                        Err(_) => {
                            prop_assert!(delta == 0 || before + delta < 0);
                            prop_assert_eq!(stock_of(&store, id), before);
                        }
                    }
                }
            }
            for (id, _) in &products {
                prop_assert!(stock_of(&store, id) >= 0, "stock never below zero");
            }
            let balanced = store.read(stock::ledger_balances).expect("ledger");
            prop_assert!(balanced, "the ledger explains every unit");
        }
        prop_assert_eq!(count(&store, "SELECT COUNT(*) FROM sales"), expected_sales);
    }
}

#[test]
fn events_and_stock_movements_cannot_be_rewritten() {
    let (_tmp, store, _products, _) = setup();
    let e = store.write(|c| Ok(c.execute("UPDATE events SET type = 'x'", [])?));
    assert!(e.is_err(), "the event log is immutable");
    let e = store.write(|c| Ok(c.execute("DELETE FROM stock_movements", [])?));
    assert!(e.is_err(), "the stock ledger is append-only");
}

#[test]
fn a_branch_that_allows_negative_stock_can_sell_past_zero() {
    let (_tmp, store, products, actor) = setup();
    let branch = store.branch_id().to_string();
    store
        .change(&Actor::system(), now_ms(), |tx| {
            kidyboard_core::branches::update(
                tx,
                &branch,
                &kidyboard_core::branches::BranchInput {
                    allow_negative_stock: Some(true),
                    ..Default::default()
                },
            )
        })
        .expect("allow negative");
    let (id, price) = &products[1];
    let req = SaleRequest {
        items: vec![SaleItemRequest {
            product_id: Some(id.clone()),
            quantity: Some(2),
            ..Default::default()
        }],
        payments: vec![PaymentRequest {
            method: PaymentMethod::Card,
            amount_cents: price * 2,
        }],
        note: None,
        ..Default::default()
    };
    store
        .change(&actor, now_ms(), |tx| sales::create(tx, &req, None))
        .expect("sold on backorder");
    assert_eq!(stock_of(&store, id), -2);
}

/// Deltas at the ends of `i64` are refused as input errors naming `delta`, with or without
/// negative stock allowed: nothing wraps around, panics or reaches the ledger.
#[test]
fn extreme_adjustments_are_refused_without_wrapping() {
    let (_tmp, store, products, _actor) = setup();
    let branch = store.branch_id().to_string();
    let (id, _) = &products[0];
    let max = products::MAX_STOCK;
    for allow_negative in [false, true] {
        store
            .change(&Actor::system(), now_ms(), |tx| {
                kidyboard_core::branches::update(
                    tx,
                    &branch,
                    &kidyboard_core::branches::BranchInput {
                        allow_negative_stock: Some(allow_negative),
                        ..Default::default()
                    },
                )
            })
            .expect("branch setting");
        for delta in [i64::MIN, i64::MIN + 1, -max - 1, max + 1, i64::MAX] {
            let err = store
                .change(&Actor::system(), now_ms(), |tx| {
                    stock::adjust(
                        tx,
                        id,
                        &StockAdjustment {
                            delta,
                            reason: "conteo físico".into(),
                        },
                    )
                })
                .expect_err("an adjustment beyond the stock bound is refused");
            assert_eq!(
                err.field(),
                Some("delta"),
                "delta {delta} (negative allowed: {allow_negative}) should be refused naming delta, got {err:?}"
            );
            if delta.unsigned_abs() < 1 << 62 {
                continue;
            }
            // The ledger's own bound holds too when a caller skips `adjust` (a movement of a
            // million units is a legitimate one for `record` when stock may go negative).
            let err = store
                .change(&Actor::system(), now_ms(), |tx| {
                    stock::record(tx, id, delta, "prueba", None)
                })
                .expect_err("a movement beyond the stock bound is refused");
            assert!(
                matches!(err.field(), Some("delta" | "quantity")),
                "record({delta}) should name the field at fault, got {err:?}"
            );
        }
        assert_eq!(
            stock_of(&store, id),
            5,
            "refused adjustments leave the stock as it was"
        );
    }
}
