use super::*;
use crate::products::{self, ProductInput};
use crate::roles::Actor;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("store.db")).expect("store opens");
    (dir, store)
}

fn make_product(store: &Store, at: Millis, name: &str) -> String {
    store
        .change(&Actor::system(), at, |tx| {
            products::create(
                tx,
                &ProductInput {
                    name: Some(name.into()),
                    price_cents: Some(2_500),
                    stock: Some(10),
                    ..Default::default()
                },
            )
        })
        .expect("product created")
        .id
}

fn rename(store: &Store, id: &str, at: Millis, name: &str) {
    store
        .change(&Actor::system(), at, |tx| {
            products::update(
                tx,
                id,
                &ProductInput {
                    name: Some(name.into()),
                    ..Default::default()
                },
            )
        })
        .expect("product renamed");
}

fn remote_rename(id: &str, name: &str, hlc: Hlc, device: &str, feed_seq: i64) -> RemoteEvent {
    RemoteEvent {
        feed_seq,
        id: ids::new_id(),
        branch_id: "cloud".into(),
        device_id: device.into(),
        user_id: None,
        kind: "product.updated".into(),
        entity: "product".into(),
        entity_id: id.into(),
        payload: serde_json::json!({
            "id": id, "name": name, "price_cents": 3_000, "stock": 999,
            "image_url": "https://img.example/p.png"
        }),
        created_at: hlc.wall_ms,
        hlc,
    }
}

fn name_of(store: &Store, id: &str) -> (String, i64) {
    store
        .read(|c| products::get(c, id))
        .map(|p| (p.name, p.stock))
        .expect("product readable")
}

const T0: Millis = 1_800_000_000_000;

#[test]
fn local_catalogue_edits_are_stamped_and_queued_with_their_clock() {
    let (_d, store) = store();
    let id = make_product(&store, T0, "Jugo");
    rename(&store, &id, T0, "Jugo de uva");
    let pending = store.read(|c| pending(c, 100)).expect("pending");
    let clocks: Vec<Hlc> = pending
        .iter()
        .filter(|e| e.entity_id == id && is_catalog_event(&e.kind))
        .filter_map(|e| e.hlc)
        .collect();
    assert_eq!(clocks.len(), 2, "create and update both carry a clock");
    assert!(
        clocks[1] > clocks[0],
        "two edits in the same millisecond still get increasing clocks"
    );
    assert!(
        pending
            .iter()
            .any(|e| e.kind == "stock.moved" && e.hlc.is_none()),
        "non-catalogue events are queued too, without a clock"
    );
    let count = store.read(pending_count).expect("count");
    assert_eq!(count as usize, pending.len());
    let last = pending.last().map(|e| e.seq).unwrap_or(0);
    acknowledge_push(&store, last, T0).expect("ack");
    assert_eq!(
        store.read(pending_count).expect("count"),
        0,
        "acknowledged events leave the queue"
    );
    acknowledge_push(&store, 1, T0).expect("late ack");
    assert_eq!(
        store.read(cursors).expect("cursors").push,
        last,
        "the push cursor never goes back"
    );
}

#[test]
fn newer_remote_edit_wins_older_one_keeps_local_and_neither_is_pushed_back() {
    let (_d, store) = store();
    let id = make_product(&store, T0, "Jugo");
    rename(&store, &id, T0 + 1_000, "Jugo local");
    let older = remote_rename(
        &id,
        "Jugo viejo",
        Hlc {
            wall_ms: T0 + 500,
            counter: 0,
        },
        "ZZZ",
        1,
    );
    let newer = remote_rename(
        &id,
        "Jugo nuevo",
        Hlc {
            wall_ms: T0 + 2_000,
            counter: 0,
        },
        "AAA",
        2,
    );
    let out = apply_remote_batch(&store, &[older, newer.clone()], 2, T0 + 3_000).expect("applied");
    assert_eq!(
        out[0].outcome,
        Outcome::KeptLocal,
        "an older remote edit loses to the local one"
    );
    assert_eq!(out[1].outcome, Outcome::Applied, "a newer remote edit wins");
    assert_eq!(
        out[1].image_url.as_deref(),
        Some("https://img.example/p.png")
    );
    assert_eq!(
        name_of(&store, &id),
        ("Jugo nuevo".into(), 10),
        "name taken, local stock kept"
    );
    let again = apply_remote_batch(&store, &[newer], 2, T0 + 3_000).expect("applied again");
    assert_eq!(
        again[0].outcome,
        Outcome::Duplicate,
        "the same event twice changes nothing"
    );
    let pushed = store.read(|c| pending(c, 1_000)).expect("pending");
    assert!(
        pushed.iter().all(|e| e.device_id == store.device_id()),
        "events that came from the cloud are never pushed back"
    );
    assert_eq!(store.read(cursors).expect("cursors").pull, 2);
    // The clock has seen the remote edit: a local edit stamped at an earlier wall time still wins.
    rename(&store, &id, T0 + 1_500, "Jugo después");
    let v = store
        .read(|c| record_version(c, "product", &id))
        .expect("version")
        .expect("stamped");
    assert!(
        v.hlc
            > Hlc {
                wall_ms: T0 + 2_000,
                counter: 0
            },
        "local clock moved past the remote one"
    );
}

#[test]
fn ties_are_broken_by_device_id_and_far_future_clocks_are_refused() {
    let (_d, store) = store();
    let id = make_product(&store, T0, "Jugo");
    let hlc = Hlc {
        wall_ms: T0 + 10_000,
        counter: 3,
    };
    let a = remote_rename(&id, "De A", hlc, "01AAAA", 1);
    let b = remote_rename(&id, "De B", hlc, "01BBBB", 2);
    // Order of arrival does not matter: B's device id is greater, so B wins both ways.
    apply_remote_batch(&store, &[b, a], 2, T0 + 20_000).expect("applied");
    assert_eq!(name_of(&store, &id).0, "De B");
    let future = remote_rename(
        &id,
        "Del futuro",
        Hlc {
            wall_ms: T0 + 3_600_000,
            counter: 0,
        },
        "01CCCC",
        3,
    );
    let out = apply_remote_batch(&store, &[future], 3, T0 + 20_000).expect("applied");
    assert_eq!(out[0].outcome, Outcome::Refused, "an hour ahead is refused");
    assert_eq!(name_of(&store, &id).0, "De B");
    assert!(
        store.read(hlc_now).expect("hlc").wall_ms < T0 + 3_600_000,
        "a refused clock does not move ours"
    );
}

#[test]
fn a_broken_remote_record_is_refused_without_stalling_the_feed() {
    let (_d, store) = store();
    let mut bad = remote_rename(
        &ids::new_id(),
        "",
        Hlc {
            wall_ms: T0,
            counter: 0,
        },
        "01AAAA",
        1,
    );
    bad.payload = serde_json::json!({"name": "", "price_cents": -5});
    let good_id = ids::new_id();
    let mut good = remote_rename(
        &good_id,
        "Nuevo",
        Hlc {
            wall_ms: T0,
            counter: 0,
        },
        "01AAAA",
        2,
    );
    good.kind = "product.created".into();
    let out = apply_remote_batch(&store, &[bad, good], 2, T0).expect("page applied");
    assert_eq!(out[0].outcome, Outcome::Refused);
    assert_eq!(out[1].outcome, Outcome::Applied);
    assert_eq!(
        name_of(&store, &good_id),
        ("Nuevo".into(), 0),
        "a new remote product starts with no stock here"
    );
    assert_eq!(
        store.read(cursors).expect("cursors").pull,
        2,
        "the cursor moved past the bad event"
    );
}

#[test]
fn the_store_stamps_every_shared_kind_it_makes_itself() {
    let (_dir, store) = store();
    let stamped: std::collections::BTreeSet<String> = store
        .read(|c| {
            let mut q = c.prepare("SELECT type FROM sync_stamped_types")?;
            let rows = q.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<std::result::Result<_, _>>()?)
        })
        .expect("stamped types");
    let shared: std::collections::BTreeSet<String> = CATALOG_EVENT_TYPES
        .iter()
        .filter(|t| **t != "catalog_override.set")
        .map(|t| t.to_string())
        .collect();
    assert_eq!(
        stamped, shared,
        "the trigger's table and the catalogue feed name the same kinds (overrides come only from the cloud)"
    );
}
