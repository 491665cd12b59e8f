//! Refunds and voids: who may give money back, what a refund cannot do, and — for any sequence
//! of sales and refunds — that the money and the stock add up: net = gross − refunds, no sale is
//! refunded beyond what it was paid, the stock ledger explains every unit, and the report sums
//! kept refund by refund equal a rebuild from the raw rows.

mod common;

use common::*;
use kidyboard_core::day_close;
use kidyboard_core::money::PaymentMethod;
use kidyboard_core::refunds::{self, RefundItemRequest, RefundRequest};
use kidyboard_core::reports::{figures, rollup, Period};
use kidyboard_core::sales::{self, Sale, SaleItemRequest, SaleRequest};
use kidyboard_core::timers::TimerState;
use kidyboard_core::users::{self, UserInput};
use kidyboard_core::{Actor, CoreError, Role, Store};
use proptest::prelude::*;

fn owner(store: &Store) -> Actor {
    user(store, "duena", Role::SuperAdmin)
}

fn user(store: &Store, name: &str, role: Role) -> Actor {
    let u = store
        .change(&Actor::system(), at(first_day(), 8, 1), |tx| {
            users::create(
                tx,
                &UserInput {
                    username: Some(name.into()),
                    password: Some("contraseña-segura".into()),
                    role: Some(role.as_str().into()),
                    ..Default::default()
                },
            )
        })
        .expect("user");
    Actor {
        user_id: Some(u.id),
        role,
    }
}

fn sale_of(store: &Store, clerk: &Actor, items: Vec<SaleItemRequest>, now: i64) -> Sale {
    let total: i64 = store
        .read(|c| {
            let mut t = 0;
            for it in &items {
                let price: i64 = if let Some(p) = &it.product_id {
                    c.query_row("SELECT price_cents FROM products WHERE id = ?1", [p], |r| {
                        r.get(0)
                    })?
                } else if let Some(s) = &it.service_id {
                    c.query_row("SELECT price_cents FROM services WHERE id = ?1", [s], |r| {
                        r.get(0)
                    })?
                } else {
                    c.query_row(
                        "SELECT price_cents FROM packages WHERE id = ?1",
                        [it.package_id.as_deref().unwrap_or("")],
                        |r| r.get(0),
                    )?
                };
                t += price
                    * it.quantity
                        .or(it.children.as_ref().map(|c| c.len() as i64))
                        .unwrap_or(1);
            }
            Ok(t)
        })
        .expect("prices");
    let req = SaleRequest {
        items,
        payments: vec![pay(PaymentMethod::Card, total)],
        note: None,
        ..Default::default()
    };
    store
        .change(clerk, now, |tx| sales::create(tx, &req, None))
        .expect("sale")
        .sale
}

fn product(id: &str, quantity: i64) -> SaleItemRequest {
    SaleItemRequest {
        product_id: Some(id.into()),
        quantity: Some(quantity),
        ..Default::default()
    }
}

fn refund(
    store: &Store,
    who: &Actor,
    sale: &Sale,
    req: &RefundRequest,
    authorized_by: Option<&str>,
) -> Result<refunds::Refund, CoreError> {
    store
        .change(who, at(first_day(), 12, 0), |tx| {
            refunds::create(tx, &sale.id, req, authorized_by, None)
        })
        .map(|o| o.refund)
}

fn reason(items: Option<Vec<RefundItemRequest>>) -> RefundRequest {
    RefundRequest {
        items,
        reason: "se equivocó de sabor".into(),
        ..Default::default()
    }
}

fn stock_of(store: &Store, id: &str) -> i64 {
    store
        .read(|c| {
            Ok(
                c.query_row("SELECT stock FROM products WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?,
            )
        })
        .expect("stock")
}

fn refunds_written(store: &Store) -> i64 {
    store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM refunds", [], |r| r.get(0))?))
        .expect("count")
}

#[test]
fn a_clerk_needs_a_supervisor_and_the_owner_does_not() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
    let (cat, clerk) = setup(&store);
    let boss = owner(&store);
    let viewer = user(&store, "contador", Role::AdminViewer);
    let bar = user(&store, "barra", Role::Kidibar);
    let juice = sale_of(
        &store,
        &clerk,
        vec![product(&cat.a, 3)],
        at(first_day(), 10, 0),
    );

    let one = || {
        reason(Some(vec![RefundItemRequest {
            item_id: juice.items[0].id.clone(),
            quantity: 1,
            damaged: false,
        }]))
    };
    let err = refund(&store, &clerk, &juice, &one(), None).expect_err("needs a PIN");
    assert_eq!(
        (err.code(), err.field()),
        ("authorization_required", Some("authorization"))
    );
    // Another clerk cannot authorise; the owner can.
    let err = refund(&store, &clerk, &juice, &one(), clerk.user_id.as_deref()).expect_err("clerk");
    assert_eq!(err.code(), "authorization_required");
    let err = refund(&store, &viewer, &juice, &one(), boss.user_id.as_deref()).expect_err("viewer");
    assert_eq!(err.code(), "forbidden");
    assert_eq!(
        refunds_written(&store),
        0,
        "nothing written by a refused refund"
    );

    let r = refund(&store, &clerk, &juice, &one(), boss.user_id.as_deref()).expect("authorised");
    assert_eq!(r.authorized_by, boss.user_id);
    assert_eq!(r.total_cents, A_PRICE);
    assert_eq!(r.folio, "A-D000001");
    assert_eq!(r.sale_folio, juice.folio);
    let r = refund(&store, &boss, &juice, &one(), None).expect("the owner refunds alone");
    assert_eq!((r.authorized_by, r.folio.as_str()), (None, "A-D000002"));

    // The kid bar refunds its own kind of sale (products only) with a PIN, and cannot even see
    // a play-time sale.
    let r = refund(&store, &bar, &juice, &one(), boss.user_id.as_deref()).expect("kid bar");
    assert_eq!(r.total_cents, A_PRICE);
    let play = sale_of(
        &store,
        &clerk,
        vec![SaleItemRequest {
            service_id: Some(cat.s.clone()),
            quantity: Some(1),
            child: child(),
            ..Default::default()
        }],
        at(first_day(), 10, 5),
    );
    let err =
        refund(&store, &bar, &play, &reason(None), boss.user_id.as_deref()).expect_err("kid bar");
    assert_eq!(err.code(), "not_found");
}

#[test]
fn a_branch_may_let_small_refunds_through_without_a_pin() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
    let (cat, clerk) = setup(&store);
    store
        .change(&Actor::system(), at(first_day(), 9, 0), |tx| {
            kidyboard_core::branches::update(
                tx,
                tx.branch_id(),
                &kidyboard_core::branches::BranchInput {
                    refund_free_below_cents: Some(A_PRICE + 1),
                    ..Default::default()
                },
            )
        })
        .expect("setting");
    let sale = sale_of(
        &store,
        &clerk,
        vec![product(&cat.a, 2)],
        at(first_day(), 10, 0),
    );
    let line = |q| {
        reason(Some(vec![RefundItemRequest {
            item_id: sale.items[0].id.clone(),
            quantity: q,
            damaged: false,
        }]))
    };
    let err = refund(&store, &clerk, &sale, &line(2), None).expect_err("two juices need a PIN");
    assert_eq!(err.code(), "authorization_required");
    refund(&store, &clerk, &sale, &line(1), None).expect("one juice does not");
}

#[test]
fn what_a_refund_cannot_do_is_refused_naming_the_field_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
    let (cat, clerk) = setup(&store);
    let boss = owner(&store);
    let sale = sale_of(
        &store,
        &clerk,
        vec![
            product(&cat.a, 2),
            // Two children: one line, two timers, given back whole.
            SaleItemRequest {
                service_id: Some(cat.s.clone()),
                children: Some(vec![
                    kidyboard_core::sales::ChildRef {
                        name: "Sofía".into(),
                        child_id: None,
                    },
                    kidyboard_core::sales::ChildRef {
                        name: "Leo".into(),
                        child_id: None,
                    },
                ]),
                ..Default::default()
            },
        ],
        at(first_day(), 10, 0),
    );
    let other = sale_of(
        &store,
        &clerk,
        vec![product(&cat.b, 1)],
        at(first_day(), 10, 1),
    );
    let item = |id: &str, quantity: i64| RefundItemRequest {
        item_id: id.into(),
        quantity,
        damaged: false,
    };
    let cases: Vec<(RefundRequest, &str, Option<&str>)> = vec![
        (
            reason(Some(vec![item("nope", 1)])),
            "validation",
            Some("items[0].item_id"),
        ),
        (
            reason(Some(vec![item(&other.items[0].id, 1)])),
            "validation",
            Some("items[0].item_id"),
        ),
        (
            reason(Some(vec![item(&sale.items[0].id, 3)])),
            "validation",
            Some("items[0].quantity"),
        ),
        (
            reason(Some(vec![item(&sale.items[0].id, 0)])),
            "validation",
            Some("items[0].quantity"),
        ),
        (
            reason(Some(vec![
                item(&sale.items[0].id, 1),
                item(&sale.items[0].id, 1),
            ])),
            "validation",
            Some("items[1].item_id"),
        ),
        // Play time is given back whole.
        (
            reason(Some(vec![item(&sale.items[1].id, 1)])),
            "validation",
            Some("items[0].quantity"),
        ),
        (reason(Some(vec![])), "validation", Some("items")),
        (
            RefundRequest {
                reason: "  ".into(),
                ..reason(None)
            },
            "validation",
            Some("reason"),
        ),
        (
            RefundRequest {
                refund_payments: Some(vec![pay(PaymentMethod::Cash, 1)]),
                ..reason(None)
            },
            "validation",
            Some("refund_payments"),
        ),
        (
            RefundRequest {
                refund_payments: Some(vec![pay(PaymentMethod::Cash, -5)]),
                ..reason(None)
            },
            "validation",
            Some("refund_payments[0].amount_cents"),
        ),
    ];
    for (req, code, field) in cases {
        let err =
            refund(&store, &clerk, &sale, &req, boss.user_id.as_deref()).expect_err("refused");
        assert_eq!((err.code(), err.field()), (code, field), "{req:?}");
    }
    assert_eq!(refunds_written(&store), 0);

    // The whole sale once; then nothing is left, and no line can be refunded twice.
    let void = refund(
        &store,
        &clerk,
        &sale,
        &reason(None),
        boss.user_id.as_deref(),
    )
    .expect("void");
    assert!(void.is_void);
    assert_eq!(void.total_cents, sale.total_cents);
    let err = refund(
        &store,
        &clerk,
        &sale,
        &reason(None),
        boss.user_id.as_deref(),
    )
    .expect_err("twice");
    assert_eq!(err.code(), "already_refunded");
    let err = refund(
        &store,
        &clerk,
        &sale,
        &reason(Some(vec![item(&sale.items[0].id, 1)])),
        boss.user_id.as_deref(),
    )
    .expect_err("twice");
    assert_eq!(
        (err.code(), err.field()),
        ("already_refunded", Some("items[0].item_id"))
    );
    assert_eq!(refunds_written(&store), 1);
}

#[test]
fn a_void_restocks_cancels_the_timer_and_pays_back_by_the_sales_methods() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
    let (cat, clerk) = setup(&store);
    let boss = owner(&store);
    let before = stock_of(&store, &cat.a);
    // A package (two juices and play time) and a juice, paid $50 cash (with change) + card.
    let req = SaleRequest {
        items: vec![
            SaleItemRequest {
                package_id: Some(cat.p.clone()),
                quantity: Some(1),
                child: child(),
                ..Default::default()
            },
            product(&cat.a, 1),
        ],
        payments: vec![
            pay(PaymentMethod::Cash, 10_000),
            pay(PaymentMethod::Card, P_PRICE + A_PRICE - 5_000),
        ],
        note: None,
        ..Default::default()
    };
    let sale = store
        .change(&clerk, at(first_day(), 10, 0), |tx| {
            sales::create(tx, &req, None)
        })
        .expect("sale")
        .sale;
    assert_eq!(sale.change_cents, 5_000);
    assert_eq!(stock_of(&store, &cat.a), before - 3);
    assert_eq!(sale.timers.len(), 1);

    let retry_key = "devolucion-1";
    let first = store
        .change(&clerk, at(first_day(), 11, 0), |tx| {
            refunds::create(
                tx,
                &sale.id,
                &reason(None),
                boss.user_id.as_deref(),
                Some(retry_key),
            )
        })
        .expect("void");
    assert!(!first.replayed);
    let again = store
        .change(&clerk, at(first_day(), 11, 1), |tx| {
            refunds::create(
                tx,
                &sale.id,
                &reason(None),
                boss.user_id.as_deref(),
                Some(retry_key),
            )
        })
        .expect("retry");
    assert!(again.replayed);
    assert_eq!(again.refund, first.refund);
    let changed = RefundRequest {
        reason: "otro".into(),
        ..reason(None)
    };
    let err = store
        .change(&clerk, at(first_day(), 11, 2), |tx| {
            refunds::create(
                tx,
                &sale.id,
                &changed,
                boss.user_id.as_deref(),
                Some(retry_key),
            )
        })
        .err()
        .map(|e| e.code());
    assert_eq!(err, Some("idempotency_key_reused"));

    let r = first.refund;
    assert_eq!(r.total_cents, P_PRICE + A_PRICE);
    // Cash gives back what it kept ($50), the card the rest.
    assert_eq!(
        r.payments
            .iter()
            .map(|p| (p.method, p.amount_cents))
            .collect::<Vec<_>>(),
        vec![
            (PaymentMethod::Cash, 5_000),
            (PaymentMethod::Card, P_PRICE + A_PRICE - 5_000)
        ]
    );
    assert_eq!(stock_of(&store, &cat.a), before, "every juice is back");
    let after = store
        .read(|c| sales::get(c, &sale.id, at(first_day(), 11, 5)))
        .expect("sale");
    assert_eq!(after.timers[0].state, TimerState::Cancelled);
    assert_eq!(after.refunded_cents, sale.total_cents);
    assert_eq!(after.refunds.len(), 1);
    assert!(after
        .items
        .iter()
        .all(|i| i.refunded_quantity == i.quantity));
    assert_eq!(
        after.total_cents, sale.total_cents,
        "the sale itself is never edited"
    );
}

#[test]
fn damaged_goods_come_back_through_the_ledger_and_are_written_off() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
    let (cat, clerk) = setup(&store);
    let boss = owner(&store);
    let before = stock_of(&store, &cat.b);
    let sale = sale_of(
        &store,
        &clerk,
        vec![product(&cat.b, 2)],
        at(first_day(), 10, 0),
    );
    refund(
        &store,
        &clerk,
        &sale,
        &reason(Some(vec![RefundItemRequest {
            item_id: sale.items[0].id.clone(),
            quantity: 2,
            damaged: true,
        }])),
        boss.user_id.as_deref(),
    )
    .expect("refund");
    assert_eq!(
        stock_of(&store, &cat.b),
        before - 2,
        "not back on the shelf"
    );
    let reasons: Vec<(String, i64)> = store
        .read(|c| {
            let mut st = c.prepare(
                "SELECT reason, delta FROM stock_movements WHERE product_id = ?1 ORDER BY rowid",
            )?;
            let rows = st.query_map([&cat.b], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .expect("ledger");
    let tail: Vec<(&str, i64)> = reasons
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|(r, d)| (r.as_str(), *d))
        .collect();
    assert_eq!(tail, vec![("sale", -2), ("refund", 2), ("damaged", -2)]);
}

#[derive(Debug, Clone)]
enum Op {
    /// Sell one of the four sale shapes of the common catalogue.
    Sell(usize),
    /// Refund part of an earlier sale: which sale, which line, how many (scaled to what is
    /// left), and whether the goods came back damaged.
    Refund {
        sale: usize,
        line: usize,
        share: u8,
        damaged: bool,
    },
    /// Void what is left of an earlier sale.
    Void(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..4).prop_map(Op::Sell),
        3 => (0usize..64, 0usize..3, 1u8..=4, any::<bool>())
            .prop_map(|(sale, line, share, damaged)| Op::Refund { sale, line, share, damaged }),
        1 => (0usize..64).prop_map(Op::Void),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn money_and_stock_add_up_through_any_refunds(ops in prop::collection::vec(op(), 1..40)) {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
        let (cat, clerk) = setup(&store);
        let boss = owner(&store);
        let opening = [stock_of(&store, &cat.a), stock_of(&store, &cat.b)];
        let mut sold: Vec<String> = Vec::new();
        let mut minute = 0;
        for op in &ops {
            minute += 3;
            let now = at(first_day(), 10, 0) + minute * 60_000;
            match op {
                Op::Sell(kind) => {
                    sell(&store, &clerk, &cat, *kind, now);
                    let id: String = store
                        .read(|c| Ok(c.query_row("SELECT id FROM sales ORDER BY number DESC LIMIT 1", [], |r| r.get(0))?))
                        .expect("last sale");
                    sold.push(id);
                }
                Op::Refund { sale, line, share, damaged } if !sold.is_empty() => {
                    let id = &sold[sale % sold.len()];
                    let s = store.read(|c| sales::get(c, id, now)).expect("sale");
                    let l = &s.items[line % s.items.len()];
                    let left = l.quantity - l.refunded_quantity;
                    if left == 0 {
                        continue;
                    }
                    let quantity = if l.kind == sales::ItemKind::Product {
                        ((left * i64::from(*share) + 3) / 4).clamp(1, left)
                    } else {
                        left
                    };
                    let req = reason(Some(vec![RefundItemRequest {
                        item_id: l.id.clone(),
                        quantity,
                        damaged: *damaged && l.kind != sales::ItemKind::Service,
                    }]));
                    store
                        .change(&clerk, now, |tx| refunds::create(tx, id, &req, boss.user_id.as_deref(), None))
                        .expect("a refund of what is left succeeds");
                }
                Op::Void(sale) if !sold.is_empty() => {
                    let id = &sold[sale % sold.len()];
                    let s = store.read(|c| sales::get(c, id, now)).expect("sale");
                    let result = store.change(&clerk, now, |tx| {
                        refunds::create(tx, id, &reason(None), boss.user_id.as_deref(), None)
                    });
                    if s.refunded_cents == s.total_cents {
                        prop_assert_eq!(result.err().map(|e| e.code()), Some("already_refunded"));
                    } else {
                        prop_assert!(result.is_ok());
                    }
                }
                _ => {}
            }
        }
        let sums = store.read(|c| {
            let q = |sql: &str| -> kidyboard_core::Result<i64> { Ok(c.query_row(sql, [], |r| r.get(0))?) };
            Ok([
                q("SELECT COALESCE(SUM(total_cents), 0) FROM sales")?,
                q("SELECT COALESCE(SUM(total_cents), 0) FROM refunds")?,
                q("SELECT COALESCE(SUM(amount_cents), 0) FROM refund_payments")?,
                q("SELECT COALESCE(SUM(revenue_cents), 0) FROM report_hourly")?,
                q("SELECT COALESCE(SUM(refunds_cents), 0) FROM report_hourly")?,
                q("SELECT COALESCE(SUM(refund_cash_cents + refund_card_cents + refund_transfer_cents), 0) FROM report_hourly")?,
                // No sale gave back more than it took, by line or in all.
                q("SELECT count(*) FROM sales s WHERE (SELECT COALESCE(SUM(total_cents), 0) FROM refunds WHERE sale_id = s.id) > s.total_cents")?,
                q("SELECT count(*) FROM sale_items i WHERE
                     (SELECT COALESCE(SUM(quantity), 0) FROM refund_items r WHERE r.sale_id = i.sale_id AND r.sale_position = i.position) > i.quantity
                  OR (SELECT COALESCE(SUM(total_cents), 0) FROM refund_items r WHERE r.sale_id = i.sale_id AND r.sale_position = i.position) > i.total_cents")?,
                // A line given back whole gave back exactly its total.
                q("SELECT count(*) FROM sale_items i WHERE
                     (SELECT COALESCE(SUM(quantity), 0) FROM refund_items r WHERE r.sale_id = i.sale_id AND r.sale_position = i.position) = i.quantity
                  AND (SELECT COALESCE(SUM(total_cents), 0) FROM refund_items r WHERE r.sale_id = i.sale_id AND r.sale_position = i.position) <> i.total_cents")?,
            ])
        }).expect("sums");
        let [gross, refunded, paid_back, rolled_gross, rolled_refunds, rolled_methods, over_sale, over_line, inexact] = sums;
        prop_assert_eq!(refunded, paid_back, "every refunded centavo went back by some method");
        prop_assert_eq!(rolled_gross - rolled_refunds, gross - refunded, "net = gross − refunds");
        prop_assert_eq!(rolled_refunds, rolled_methods);
        prop_assert_eq!((over_sale, over_line, inexact), (0, 0, 0));

        // The ledger explains every unit: opening + movements = stock now.
        for (i, id) in [&cat.a, &cat.b].into_iter().enumerate() {
            let moved: i64 = store
                .read(|c| Ok(c.query_row("SELECT COALESCE(SUM(delta), 0) FROM stock_movements WHERE product_id = ?1 AND reason <> 'opening'", [id], |r| r.get(0))?))
                .expect("ledger");
            prop_assert_eq!(stock_of(&store, id), opening[i] + moved);
        }

        // The sums kept refund by refund equal a rebuild from the raw rows.
        let kept = store.read(dump_sums).expect("kept");
        store.write(rollup::rebuild).expect("rebuild");
        let rebuilt = store.read(dump_sums).expect("rebuilt");
        prop_assert_eq!(kept, rebuilt);

        // The dashboard's figures (from the sums) and the day closing's takings (from the raw
        // rows) agree, both net of refunds.
        let p = store
            .read(|c| Period::new(c, store.branch_id(), first_day(), first_day() + chrono::Duration::days(3)))
            .expect("period");
        let f = store.read(|c| figures::figures(c, &p)).expect("figures");
        let (by_method, count, net) = store
            .read(|c| day_close::takings(c, store.branch_id(), p.from, p.to))
            .expect("takings");
        prop_assert_eq!((f.by_method, f.sales_count, f.revenue_cents), (by_method, count, net));
        prop_assert_eq!((f.gross_cents, f.refunds_cents), (gross, refunded));
        prop_assert_eq!(net, gross - refunded);
    }
}
