//! The commit observer hears every committed change's events, in the order they were written,
//! once the change is on disk; a change that fails tells it nothing.

mod common;

use std::sync::{Arc, Mutex};

use common::{at, first_day, pay, sell, setup};
use kidyboard_core::events::Recorded;
use kidyboard_core::money::PaymentMethod;
use kidyboard_core::products::{self, ProductInput};
use kidyboard_core::sales::{self, SaleItemRequest, SaleRequest};
use kidyboard_core::{Actor, CoreError, Store};

type Heard = Arc<Mutex<Vec<Vec<(String, String, i64)>>>>;

/// A store whose observer writes down each change's events with the number of committed
/// events the database held when it was told (so "after the commit" is checked, not assumed).
fn observed_store() -> (tempfile::TempDir, Store, Heard) {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("k.sqlite")).expect("open");
    let heard: Heard = Arc::default();
    let sink = heard.clone();
    let installed = store.observe_commits(Box::new(move |store: &Store, rec: &[Recorded]| {
        let on_disk: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?))
            .expect("count events");
        let mut h = sink.lock().expect("lock");
        h.push(
            rec.iter()
                .map(|r| (r.kind.clone(), r.entity_id.clone(), on_disk))
                .collect(),
        );
    }));
    assert!(installed);
    assert!(
        !store.observe_commits(Box::new(|_: &Store, _: &[Recorded]| {})),
        "a second observer is refused"
    );
    (dir, store, heard)
}

#[test]
fn every_committed_change_is_heard_once_with_its_events_in_order() {
    let (_dir, store, heard) = observed_store();
    let (cat, clerk) = setup(&store);
    let setup_events = heard.lock().expect("lock").clone();
    assert_eq!(setup_events.len(), 1, "one change, one call");
    let kinds: Vec<&str> = setup_events[0].iter().map(|(k, _, _)| k.as_str()).collect();
    assert!(kinds.contains(&"product.created"), "{kinds:?}");
    assert!(kinds.contains(&"user.created"), "{kinds:?}");

    heard.lock().expect("lock").clear();
    sell(&store, &clerk, &cat, 0, at(first_day(), 10, 0));
    let calls = heard.lock().expect("lock").clone();
    assert_eq!(calls.len(), 1);
    let kinds: Vec<&str> = calls[0].iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(kinds.last(), Some(&"sale.created"), "{kinds:?}");
    let total: i64 = store
        .read(|c| Ok(c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?))
        .expect("count");
    for (kind, _, on_disk) in &calls[0] {
        assert_eq!(*on_disk, total, "{kind} was told after its commit");
    }
}

#[test]
fn a_failed_change_tells_the_observer_nothing() {
    let (_dir, store, heard) = observed_store();
    let (cat, clerk) = setup(&store);
    heard.lock().expect("lock").clear();

    // A change that wrote events and then failed is rolled back whole, and is not heard.
    let failed: Result<(), CoreError> = store.change(&Actor::system(), 1, |tx| {
        products::create(
            tx,
            &ProductInput {
                name: Some("Se deshace".into()),
                price_cents: Some(1_000),
                ..Default::default()
            },
        )?;
        Err(CoreError::conflict("test", "se deshace"))
    });
    assert!(failed.is_err());
    // A sale refused for lack of stock writes nothing and is not heard either.
    let refused = store.change(&clerk, at(first_day(), 11, 0), |tx| {
        sales::create(
            tx,
            &SaleRequest {
                items: vec![SaleItemRequest {
                    product_id: Some(cat.a.clone()),
                    quantity: Some(1_000_000),
                    ..Default::default()
                }],
                payments: vec![pay(PaymentMethod::Cash, 1_000_000 * common::A_PRICE)],
                ..Default::default()
            },
            None,
        )
    });
    assert!(refused.is_err());
    assert!(heard.lock().expect("lock").is_empty());
}
