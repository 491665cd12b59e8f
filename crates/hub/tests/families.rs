//! Families and the children they bring, on the real hub: a party of ten makes ten two-hour
//! timers; siblings share one ticket and one payment; returning families are found by phone or
//! name; the venue's capacity holds under concurrent check-ins; a pick-up code stops exactly its
//! children's timers and only for the adults on the list; consent is signed per version; the
//! retention period erases names and keeps the money; the wall never sees who a child is.

mod common;

use std::time::Duration;

use common::TestHub;
use kidyboard_core::demo::DEMO_PIN;
use kidyboard_core::sales::{self, SaleRequest};
use kidyboard_core::{Actor, Role};
use serde_json::{json, Value};

const HOUR: i64 = 60 * 60_000;

async fn family_by_phone(c: &common::Client, q: &str) -> Value {
    let found = c.get(&format!("/families?q={q}")).await;
    assert_eq!(found.status, 200, "{}", found.body);
    found.body["items"][0].clone()
}

fn child_refs(family: &Value) -> Vec<Value> {
    family["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|c| json!({"child_id": c["id"]}))
        .collect()
}

async fn counts(hub: &TestHub) -> (i64, i64) {
    let store = hub.state.store.clone();
    tokio::task::spawn_blocking(move || {
        store.read(|c| {
            Ok((
                c.query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0))?,
                c.query_row("SELECT COUNT(*) FROM timers", [], |r| r.get(0))?,
            ))
        })
    })
    .await
    .expect("task")
    .expect("counts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_party_of_ten_makes_ten_timers_of_two_hours() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let party = rec.id_of("packages", "Fiesta 10 niños").await;
    let names: Vec<String> = (1..=10).map(|i| format!("Niña {i} Ruiz")).collect();
    let kids: Vec<Value> = names.iter().map(|n| json!({"name": n})).collect();
    let sale = rec
        .post("/sales", json!({"items": [{"package_id": party, "children": kids}], "guardian": {"name": "Laura Ruiz", "phone": "+52 55 2222 3333"}, "payments": [{"method": "card", "amount_cents": 250_000}]}))
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    let timers = sale.body["timers"].as_array().expect("timers");
    assert_eq!(timers.len(), 10, "ten children, ten timers");
    let code = sale.body["pickup_code"].as_str().expect("a pick-up code");
    for (t, name) in timers.iter().zip(&names) {
        assert_eq!(t["child_name"], name.as_str());
        assert_eq!(
            t["duration_ms"],
            2 * HOUR,
            "each child plays two hours, not twenty"
        );
        assert_eq!(t["pickup_code"], code);
        assert_eq!(t["guardian_phone"], "5522223333");
    }
    assert_eq!(sale.body["items"][0]["quantity"], 1);
    assert_eq!(
        sale.body["items"][0]["children"]
            .as_array()
            .expect("children")
            .len(),
        10
    );
    // The receipt and the wristbands carry the code; one label per child.
    let sale_id = sale.body["id"].as_str().expect("id");
    let receipt = rec.text(&format!("/sales/{sale_id}/receipt")).await;
    assert!(
        receipt.contains("Código de recogida") && receipt.contains(code),
        "{receipt}"
    );
    let labels = rec.text(&format!("/sales/{sale_id}/wristbands")).await;
    assert_eq!(
        labels.matches(&format!("Código {code}")).count(),
        10,
        "{labels}"
    );

    // Only the birthday child named: the guests are «Invitado 2…10» until named at the desk.
    let one = rec
        .post("/sales", json!({"items": [{"package_id": party, "children": [{"name": "Pablo Soto"}]}], "payments": [{"method": "card", "amount_cents": 250_000}]}))
        .await;
    assert_eq!(one.status, 201, "{}", one.body);
    let t = one.body["timers"].as_array().expect("timers");
    assert_eq!(t.len(), 10);
    assert_eq!(t[0]["child_name"], "Pablo Soto");
    assert_eq!(t[1]["child_name"], "Invitado 2");
    assert_eq!(t[9]["child_name"], "Invitado 10");
    let named = rec
        .patch(
            &format!("/timers/{}", t[1]["id"].as_str().expect("id")),
            json!({"child_name": "Lía Campos"}),
        )
        .await;
    assert_eq!(named.status, 200, "{}", named.body);
    assert_eq!(named.body["child_name"], "Lía Campos");

    // Eleven names for ten places: refused, nothing written.
    let before = counts(&hub).await;
    let eleven: Vec<Value> = (1..=11)
        .map(|i| json!({"name": format!("Niño {i}")}))
        .collect();
    let over = rec
        .post("/sales", json!({"items": [{"package_id": party, "children": eleven}], "payments": [{"method": "card", "amount_cents": 250_000}]}))
        .await;
    assert_eq!(over.status, 422, "{}", over.body);
    assert_eq!(over.body["error"]["field"], "items[0].children");
    assert_eq!(counts(&hub).await, before);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn siblings_share_one_ticket_and_returning_families_are_found_as_typed() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    // Found by phone in any format, and by names without accents.
    for q in [
        "5512345678",
        "55%201234%205678",
        "%2B52%2055%201234%205678",
        "45678",
        "sofia",
        "LOPEZ%20ana",
        "mateo",
    ] {
        let f = family_by_phone(&rec, q).await;
        assert_eq!(f["guardians"][0]["name"], "Ana López", "{q}");
    }
    let none = rec.get("/families?q=zzzz").await;
    assert_eq!(none.body["items"].as_array().map(Vec::len), Some(0));
    let family = family_by_phone(&rec, "5512345678").await;
    assert_eq!(
        family["consent"]["current"], false,
        "nobody signed the demo consent yet"
    );
    let sale = rec
        .post("/sales", json!({"family_id": family["id"], "items": [{"service_id": hour, "children": child_refs(&family)}], "payments": [{"method": "cash", "amount_cents": 30_000}]}))
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    let b = &sale.body;
    assert_eq!(
        b["payments"].as_array().map(Vec::len),
        Some(1),
        "one payment"
    );
    assert_eq!(b["total_cents"], 30_000);
    assert_eq!(b["items"][0]["quantity"], 2);
    assert_eq!(b["family_id"], family["id"]);
    let timers = b["timers"].as_array().expect("timers");
    assert_eq!(timers.len(), 2);
    assert_eq!(timers[0]["child_name"], "Sofía López");
    assert_eq!(timers[0]["child_notes"], "Alergia al cacahuate");
    assert_eq!(timers[0]["guardian_name"], "Ana López");
    assert_eq!(timers[1]["child_name"], "Mateo López");
    assert!(timers.iter().all(|t| t["duration_ms"] == HOUR));
    assert_eq!(timers[0]["pickup_code"], timers[1]["pickup_code"]);
    assert_eq!(timers[0]["pickup_code"], b["pickup_code"]);
    let after = rec
        .get(&format!("/families/{}", family["id"].as_str().expect("id")))
        .await;
    assert_eq!(after.body["visits"], 1);
    assert!(after.body["last_visit_at"].is_string());

    // What is refused, naming the field, writing nothing.
    let other = family_by_phone(&rec, "3387654321").await;
    let before = counts(&hub).await;
    let cases = [
        (
            json!({"items": [{"service_id": hour, "quantity": 3, "children": [{"name": "A"}, {"name": "B"}]}]}),
            "items[0].quantity",
        ),
        (
            json!({"items": [{"service_id": hour, "quantity": 2, "child": {"name": "Leo"}}]}),
            "items[0].quantity",
        ),
        (
            json!({"items": [{"service_id": hour, "children": [{"child_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}]}]}),
            "items[0].children[0].child_id",
        ),
        (
            json!({"family_id": family["id"], "items": [{"service_id": hour, "children": child_refs(&other)}]}),
            "items[0].children[0].child_id",
        ),
        (
            json!({"family_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "items": [{"service_id": hour, "children": [{"name": "Leo"}]}]}),
            "family_id",
        ),
        (
            json!({"items": [{"service_id": hour, "children": []}]}),
            "items[0].children",
        ),
        (
            json!({"items": [{"service_id": hour, "children": [{"name": "  "}]}]}),
            "items[0].children[0].name",
        ),
        (
            json!({"guardian": {"name": "Ana", "phone": "12"}, "items": [{"service_id": hour, "children": [{"name": "Leo"}]}]}),
            "guardian.phone",
        ),
    ];
    for (mut body, field) in cases {
        body["payments"] = json!([{"method": "cash", "amount_cents": 100_000}]);
        let r = rec.post("/sales", body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(r.body["error"]["field"], field, "{body}");
    }
    let bad = rec
        .post(
            "/families",
            json!({"guardians": [{"name": "Eva", "phone": "555"}], "children": [{"name": "Iker"}]}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["error"]["field"], "guardians[0].phone");
    let future = rec
        .post("/families", json!({"guardians": [{"name": "Eva", "phone": "8112345678"}], "children": [{"name": "Iker", "birth_date": "2999-01-01"}]}))
        .await;
    assert_eq!(future.body["error"]["field"], "children[0].birth_date");
    assert_eq!(counts(&hub).await, before);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_venue_capacity_counts_every_child_and_holds_under_concurrent_checkins() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let branch = admin.get("/branches").await.body["items"][0]["id"]
        .as_str()
        .expect("branch")
        .to_string();
    let set = admin
        .patch(&format!("/branches/{branch}"), json!({"capacity": 5}))
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let hour = rec.id_of("services", "1 hora de juego").await;
    let half = rec.id_of("services", "30 minutos de juego").await;
    // Eight clerks' check-ins at once, across two services: five get in, never one more.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = rec.clone();
        let service = if i % 2 == 0 {
            hour.clone()
        } else {
            half.clone()
        };
        tasks.push(tokio::spawn(async move {
            c.post("/sales", json!({"items": [{"service_id": service, "children": [{"name": format!("Niño {i}")}]}], "payments": [{"method": "cash", "amount_cents": 15_000}]}))
                .await
        }));
    }
    let mut ok = 0;
    let mut full = 0;
    for t in tasks {
        let r = t.await.expect("task");
        match r.status {
            201 => ok += 1,
            409 => {
                assert_eq!(r.body["error"]["code"], "capacity_full", "{}", r.body);
                full += 1;
            }
            s => panic!("unexpected {s}: {}", r.body),
        }
    }
    assert_eq!((ok, full), (5, 3));
    let occ = rec.get("/occupancy").await;
    assert_eq!(occ.status, 200, "{}", occ.body);
    assert_eq!(occ.body["inside"], 5);
    assert_eq!(occ.body["full"], true);
    assert_eq!(occ.body["available"], 0);
    assert!(occ.body["next_free_at"].is_string(), "{}", occ.body);
    // A supervisor lets one more in; it is recorded on the sale.
    let body = json!({"capacity_override": true, "items": [{"service_id": half, "children": [{"name": "Extra"}]}], "payments": [{"method": "cash", "amount_cents": 9_000}]});
    let refused = rec.post("/sales", body.clone()).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let mut with_pin = body.clone();
    with_pin["authorization"] = json!({"username": "admin", "pin": DEMO_PIN});
    let let_in = rec.post("/sales", with_pin).await;
    assert_eq!(let_in.status, 201, "{}", let_in.body);
    let admin_id = admin.get("/auth/me").await.body["id"].clone();
    assert_eq!(let_in.body["capacity_override_by"], admin_id);
    assert_eq!(rec.get("/occupancy").await.body["inside"], 6);
    // A service at its own limit (as many as play in it now, whichever check-ins got in): the
    // same override lets a child in.
    let playing = rec.get("/occupancy").await.body["by_service"]
        .as_array()
        .expect("services")
        .iter()
        .find(|s| s["service_id"] == hour.as_str())
        .and_then(|s| s["inside"].as_i64())
        .expect("the hour's count");
    assert!(
        playing >= 1,
        "at least one of the four hour check-ins got in"
    );
    let hour_full = admin
        .patch(&format!("/services/{hour}"), json!({"capacity": playing}))
        .await;
    assert_eq!(hour_full.status, 200, "{}", hour_full.body);
    admin
        .patch(&format!("/branches/{branch}"), json!({"capacity": 0}))
        .await;
    let body = json!({"capacity_override": true, "items": [{"service_id": hour, "children": [{"name": "Otra"}]}], "payments": [{"method": "cash", "amount_cents": 15_000}]});
    let mut plain = body.clone();
    plain["capacity_override"] = json!(false);
    let refused = rec.post("/sales", plain).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.body["error"]["field"], "items[0]");
    let mut with_pin = body;
    with_pin["authorization"] = json!({"username": "admin", "pin": DEMO_PIN});
    let let_in = rec.post("/sales", with_pin).await;
    assert_eq!(let_in.status, 201, "{}", let_in.body);
    assert_eq!(let_in.body["capacity_override_by"], admin_id);
    // A monitor reads occupancy too.
    let monitor = hub.login("monitor").await;
    assert_eq!(monitor.get("/occupancy").await.status, 200);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pickup_code_stops_exactly_its_childrens_timers() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let family = family_by_phone(&rec, "5512345678").await;
    let siblings = rec
        .post("/sales", json!({"family_id": family["id"], "items": [{"service_id": hour, "children": child_refs(&family)}], "payments": [{"method": "cash", "amount_cents": 30_000}]}))
        .await;
    assert_eq!(siblings.status, 201, "{}", siblings.body);
    let other = rec
        .post("/sales", json!({"guardian": {"name": "Rosa Díaz", "phone": "8181818181"}, "items": [{"service_id": hour, "children": [{"name": "Iker Díaz"}]}], "payments": [{"method": "cash", "amount_cents": 15_000}]}))
        .await;
    assert_eq!(other.status, 201, "{}", other.body);
    let code = siblings.body["pickup_code"]
        .as_str()
        .expect("code")
        .to_string();
    assert_ne!(Some(code.as_str()), other.body["pickup_code"].as_str());

    let preview = rec.get(&format!("/checkouts/{code}")).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(preview.body["children"].as_array().map(Vec::len), Some(2));
    assert_eq!(preview.body["authorised_adults"], json!(["Ana López"]));
    // Someone not on the list needs a supervisor.
    let stranger = rec
        .post(
            "/checkouts",
            json!({"pickup_code": code, "collected_by": "Juan Nadie"}),
        )
        .await;
    assert_eq!(stranger.status, 403, "{}", stranger.body);
    assert_eq!(stranger.body["error"]["field"], "authorization");
    // An adult the family adds is allowed.
    let fid = family["id"].as_str().expect("id");
    let added = rec
        .patch(
            &format!("/families/{fid}"),
            json!({"pickup_adults": [{"name": "Abuela Carmen", "relation": "Abuela"}]}),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let out = rec
        .post(
            "/checkouts",
            json!({"pickup_code": code, "collected_by": "abuela carmen"}),
        )
        .await;
    assert_eq!(out.status, 201, "{}", out.body);
    assert!(out.body["authorized_by"].is_null());
    let stopped: Vec<&str> = out.body["timers"]
        .as_array()
        .expect("timers")
        .iter()
        .map(|t| t["state"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(stopped, ["finished", "finished"]);
    // Exactly those two: Iker is still playing.
    let iker = other.body["timers"][0]["id"].as_str().expect("id");
    assert_eq!(
        rec.get(&format!("/timers/{iker}")).await.body["state"],
        "running"
    );
    let again = rec
        .post(
            "/checkouts",
            json!({"pickup_code": code, "collected_by": "Ana López"}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.body["error"]["code"], "already_checked_out");
    let nobody = rec
        .post(
            "/checkouts",
            json!({"pickup_code": "0000x", "collected_by": "Ana"}),
        )
        .await;
    assert_eq!(nobody.status, 422);
    assert_eq!(nobody.body["error"]["field"], "pickup_code");
    // The walk-in's adult is the one on its ticket; another name with the owner's PIN.
    let other_code = other.body["pickup_code"].as_str().expect("code");
    let with_pin = rec
        .post("/checkouts", json!({"pickup_code": other_code, "collected_by": "Tío Pepe", "authorization": {"username": "admin", "pin": DEMO_PIN}}))
        .await;
    assert_eq!(with_pin.status, 201, "{}", with_pin.body);
    assert!(with_pin.body["authorized_by"].is_string());
    assert_eq!(rec.get("/occupancy").await.body["inside"], 0);
    hub.stop().await;
}

fn signature() -> Value {
    json!({"width": 600, "height": 200, "strokes": [[[20, 150], [80, 60], [140, 140], [220, 50]], [[260, 120], [380, 110]]]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_is_signed_per_version() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let family = family_by_phone(&rec, "3387654321").await;
    let fid = family["id"].as_str().expect("id");
    let current = rec.get("/consents/current").await;
    assert_eq!(current.status, 200, "{}", current.body);
    let v = current.body["version"].as_i64().expect("version");
    let path = format!("/families/{fid}/consents");
    let bad = [
        (
            json!({"version": 99, "signer_name": "Carlos", "signature": signature(), "privacy_accepted": true}),
            "version",
        ),
        (
            json!({"version": v, "signer_name": "Carlos", "signature": signature(), "privacy_accepted": false}),
            "privacy_accepted",
        ),
        (
            json!({"version": v, "signer_name": "Carlos", "signature": {"width": 600, "height": 200, "strokes": [[[5, 5], [6, 6]]]}, "privacy_accepted": true}),
            "signature",
        ),
        (
            json!({"version": v, "signer_name": "Carlos", "signature": {"width": 600, "height": 200, "strokes": [[[5, 5], [900, 6]]]}, "privacy_accepted": true}),
            "signature",
        ),
        (
            json!({"version": v, "signer_name": "", "signature": signature(), "privacy_accepted": true}),
            "signer_name",
        ),
    ];
    for (body, field) in bad {
        let r = rec.post(&path, body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(r.body["error"]["field"], field);
    }
    let signed = rec
        .post(&path, json!({"version": v, "signer_name": "Carlos Pérez", "signature": signature(), "privacy_accepted": true}))
        .await;
    assert_eq!(signed.status, 201, "{}", signed.body);
    let f = rec.get(&format!("/families/{fid}")).await.body;
    assert_eq!(f["consent"]["current"], true);
    assert_eq!(f["consent"]["signer_name"], "Carlos Pérez");
    // A new text asks again.
    let v2 = admin
        .post("/consents", json!({"consent_text": "Nueva carta responsiva con reglas de calcetas y alimentos.", "privacy_notice": "Nuevo aviso de privacidad: datos para cuidar a los menores."}))
        .await;
    assert_eq!(v2.status, 201, "{}", v2.body);
    assert_eq!(v2.body["version"], v + 1);
    let f = rec.get(&format!("/families/{fid}")).await.body;
    assert_eq!(f["consent"]["current"], false);
    assert_eq!(f["consent"]["accepted_version"], v);
    // The owner exports everything held, signature strokes included; then erases on request.
    let export = admin.get(&format!("/families/{fid}/export")).await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(
        export.body["consents"][0]["signature"]["strokes"][0][0],
        json!([20, 150])
    );
    let erased = admin
        .post(
            &format!("/families/{fid}/erase"),
            json!({"reason": "solicitud del titular"}),
        )
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(erased.body["guardians"], json!([]));
    assert!(erased.body["erased_at"].is_string());
    let gone = rec.get("/families?q=3387654321").await;
    assert_eq!(gone.body["items"].as_array().map(Vec::len), Some(0));
    let export = admin.get(&format!("/families/{fid}/export")).await.body;
    assert!(!export.to_string().contains("Carlos"), "{export}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retention_period_erases_what_it_must_and_reports_still_add_up() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let me = rec.get("/auth/me").await.body["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Twenty-six months ago (retention: 24): a family registered and came once, and a walk-in
    // left a guardian's phone; both through the store at that time.
    let long_ago = kidyboard_core::clock::now_ms() - 26 * 31 * 24 * HOUR;
    let store = hub.state.store.clone();
    let hour2 = hour.clone();
    let (old_family, old_sale, walk_in) = tokio::task::spawn_blocking(move || {
        let actor = Actor {
            user_id: Some(me),
            role: Role::Reception,
        };
        store
            .change(&actor, long_ago, |tx| {
                let f = kidyboard_core::families::create(
                    tx,
                    &serde_json::from_value(json!({"guardians": [{"name": "Olga Viejo", "phone": "9991112233"}], "children": [{"name": "Bruno Viejo", "notes": "Asma"}]}))
                        .expect("input"),
                )?;
                let req: SaleRequest = serde_json::from_value(json!({"family_id": f.id, "items": [{"service_id": hour2, "children": [{"child_id": f.children[0].id}]}], "payments": [{"method": "cash", "amount_cents": 15_000}]})).expect("req");
                let s = sales::create(tx, &req, None)?;
                let req: SaleRequest = serde_json::from_value(json!({"items": [{"service_id": hour2, "child": {"name": "Zoe Paso", "guardian_name": "Raúl Paso", "guardian_phone": "5544332211"}}], "payments": [{"method": "cash", "amount_cents": 15_000}]})).expect("req");
                let w = sales::create(tx, &req, None)?;
                Ok((f.id, s.sale, w.sale))
            })
            .expect("old visit")
    })
    .await
    .expect("task");
    let day = old_sale.business_day.clone();
    let summary_before = admin
        .get(&format!("/reports/summary?from={day}&to={day}"))
        .await
        .body;
    let run = admin.post("/privacy/retention", json!({})).await;
    assert_eq!(run.status, 200, "{}", run.body);
    assert_eq!(run.body["families_erased"], 1, "{}", run.body);
    assert_eq!(run.body["sales_anonymised"], 1, "{}", run.body);
    let f = admin.get(&format!("/families/{old_family}")).await.body;
    assert!(f["erased_at"].is_string());
    assert_eq!(f["children"][0]["name"], "Niño/a");
    for sale in [&old_sale, &walk_in] {
        let s = admin.get(&format!("/sales/{}", sale.id)).await.body;
        let text = s.to_string();
        for private in [
            "Bruno",
            "Olga",
            "9991112233",
            "Zoe",
            "Raúl",
            "5544332211",
            "Asma",
        ] {
            assert!(!text.contains(private), "{private} still in {text}");
        }
        assert_eq!(s["total_cents"], 15_000, "the money stays");
    }
    let events = admin.get("/events?limit=500").await.body.to_string();
    for private in [
        "Bruno",
        "Olga Viejo",
        "9991112233",
        "Zoe Paso",
        "5544332211",
    ] {
        assert!(
            !events.contains(private),
            "{private} still in the event log"
        );
    }
    let summary_after = admin
        .get(&format!("/reports/summary?from={day}&to={day}"))
        .await
        .body;
    assert_eq!(summary_before, summary_after, "reports still add up");
    // Recent families are kept; a second run erases nothing more.
    assert_eq!(
        family_by_phone(&rec, "5512345678").await["guardians"][0]["name"],
        "Ana López"
    );
    let again = admin.post("/privacy/retention", json!({})).await.body;
    assert_eq!(
        (
            again["families_erased"].clone(),
            again["sales_anonymised"].clone()
        ),
        (json!(0), json!(0))
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wall_and_the_kid_bar_never_see_who_a_child_is() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let family = family_by_phone(&rec, "5512345678").await;
    let sale = rec
        .post("/sales", json!({"family_id": family["id"], "items": [{"service_id": hour, "children": child_refs(&family)}], "payments": [{"method": "cash", "amount_cents": 30_000}]}))
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    let code = sale.body["pickup_code"].as_str().expect("code").to_string();
    let monitor = hub.login("monitor").await;
    let wall = monitor.get("/timers").await.body;
    let names: Vec<&str> = wall["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["child_name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(
        names.contains(&"Sofía L.") && names.contains(&"Mateo L."),
        "{names:?}"
    );
    for role in ["monitor", "kidibar", "totem"] {
        let c = hub.login(role).await;
        for path in [
            "/timers",
            "/sales",
            &format!("/sales/{}", sale.body["id"].as_str().expect("id")),
            "/families?q=55",
            "/occupancy",
            &format!("/checkouts/{code}"),
        ] {
            let r = c.get(path).await;
            let text = r.body.to_string();
            for private in [
                "Ana López",
                "5512345678",
                "Alergia",
                "López\"",
                &format!("\"{code}\""),
            ] {
                assert!(
                    !text.contains(private),
                    "{role} GET {path} shows {private}: {text}"
                );
            }
        }
    }
    // Full names on the wall are the branch's choice.
    let admin = hub.login("admin").await;
    let branch = admin.get("/branches").await.body["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let full = admin
        .patch(
            &format!("/branches/{branch}"),
            json!({"monitor_full_names": true}),
        )
        .await;
    assert_eq!(full.status, 200, "{}", full.body);
    let wall = monitor.get("/timers").await.body.to_string();
    assert!(
        wall.contains("Sofía López") && !wall.contains("Alergia"),
        "{wall}"
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_hears_when_a_childs_time_is_nearly_up() {
    use axum::body::Bytes;
    use axum::http::HeaderMap;
    use tokio::sync::mpsc;

    // The owner's SMS gateway, played by a local server that keeps what it receives.
    let (tx, mut rx) = mpsc::unbounded_channel::<(HeaderMap, Bytes)>();
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let secret = "un-secreto-de-la-pasarela-sms";
    let set = admin
        .put(
            "/settings/notifications",
            json!({"webhook_url": format!("http://{addr}/sms"), "secret": secret}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.body["secret_set"], true);
    assert!(
        !set.body.to_string().contains(secret),
        "the secret is never shown"
    );
    let bad = admin
        .put("/settings/notifications", json!({"webhook_url": "ftp://x"}))
        .await;
    assert_eq!(bad.body["error"]["field"], "webhook_url");
    // Three minutes of play: inside the five-minute call at once.
    let short = admin
        .post(
            "/services",
            json!({"name": "Prueba corta", "duration_minutes": 3, "price_cents": 1000}),
        )
        .await;
    let sale = rec
        .post("/sales", json!({"guardian": {"name": "Ana López", "phone": "55 1234 5678"}, "items": [{"service_id": short.body["id"], "children": [{"name": "Leo Martínez"}]}], "payments": [{"method": "cash", "amount_cents": 1000}]}))
        .await;
    assert_eq!(sale.status, 201, "{}", sale.body);
    let (headers, body) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("the gateway is called")
        .expect("a message");
    let msg: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(msg["kind"], "timer.warning");
    assert_eq!(msg["phone"], "+525512345678");
    assert_eq!(msg["child_first_name"], "Leo");
    assert_eq!(msg["minutes_left"], 3);
    assert!(msg["message"].as_str().expect("text").contains("3 minutos"));
    let signature = headers["x-kidyboard-signature"].to_str().expect("header");
    assert_eq!(
        signature,
        format!(
            "sha256={}",
            kidyboard_hub::notify::sign(secret.as_bytes(), &body)
        )
    );
    hub.stop().await;
}
