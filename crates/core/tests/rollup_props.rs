//! Whatever sequence of sales and day closings happens (closings push later sales of the same
//! date to the next business day; sales run late into the night), the report sums kept sale by
//! sale equal the sums rebuilt from the raw rows, and the report's money equals day closing's
//! raw takings over the same days.

mod common;

use common::*;
use kidyboard_core::day_close::{self, DayCloseRequest};
use kidyboard_core::reports::{figures, rollup, Period};
use kidyboard_core::Store;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// Wait `minutes`, then sell one of the four sale shapes.
    Sell { kind: usize, minutes: i64 },
    /// Close today's business day with the expected cash.
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..4, 0i64..400).prop_map(|(kind, minutes)| Op::Sell { kind, minutes }),
        1 => Just(Op::Close),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn kept_sums_equal_a_rebuild_for_any_sequence(ops in prop::collection::vec(op(), 1..40)) {
        let tmp = tempfile::tempdir().expect("tmp");
        let store = Store::open(&tmp.path().join("kb.sqlite")).expect("store");
        let (cat, actor) = setup(&store);
        let mut now = at(first_day(), 20, 0);
        for op in &ops {
            match op {
                Op::Sell { kind, minutes } => {
                    now += minutes * 60_000;
                    sell(&store, &actor, &cat, *kind, now);
                }
                Op::Close => {
                    let status = store
                        .read(|c| day_close::status(c, store.branch_id(), now, true))
                        .expect("status");
                    if !status.closed {
                        store
                            .change(&actor, now, |tx| {
                                day_close::close(tx, &DayCloseRequest {
                                    counted_cash_cents: status.expected.map_or(0, |e| e.cash_cents.max(0)),
                                    ..Default::default()
                                })
                            })
                            .expect("close");
                    }
                }
            }
        }
        let kept = store.read(dump_sums).expect("kept");
        store.write(rollup::rebuild).expect("rebuild");
        prop_assert_eq!(&kept, &store.read(dump_sums).expect("rebuilt"));
        let last = first_day() + chrono::Duration::days(40);
        let p = store.read(|c| Period::new(c, store.branch_id(), first_day(), last)).expect("period");
        let f = store.read(|c| figures::figures(c, &p)).expect("figures");
        let (by_method, count, total) = store
            .read(|c| day_close::takings(c, store.branch_id(), p.from, p.to))
            .expect("takings");
        prop_assert_eq!((f.by_method, f.sales_count, f.revenue_cents), (by_method, count, total));
    }
}
