//! Parties on the real hub: twenty clients booking one slot at once give exactly one 201; a
//! party goes deposit → balance → check-in → ten timers → completed with its money in the day's
//! closing; bad bookings are refused naming the field and leave nothing behind; a cancellation
//! gives the deposit back or keeps it by the branch's rule; the calendar feed parses with
//! Python's icalendar at the right local hours in Mexico City and Tijuana (across Tijuana's clock
//! change); the live feed tells every calendar.

mod common;

use std::process::Command;
use std::time::Duration;

use chrono::{Datelike, TimeZone, Timelike, Utc};
use common::{python, Client, TestHub};
use kidyboard_core::demo::DEMO_PIN;
use serde_json::{json, Value};

/// A zone where it is late morning now, so a party can start in a few minutes and end the same
/// local day whatever time the test runs.
fn daytime_zone() -> String {
    let offset = (11 - Utc::now().hour() as i32 + 36) % 24 - 12;
    // `Etc/GMT-3` is three hours ahead of UTC (the sign is POSIX's).
    match offset {
        0 => "Etc/GMT".to_string(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

async fn branch_id(c: &Client) -> String {
    let b = c.get("/branches").await;
    b.body["items"][0]["id"]
        .as_str()
        .or_else(|| b.body[0]["id"].as_str())
        .expect("branch")
        .to_string()
}

/// Opens every day round the clock in `tz` (tests run at any hour).
async fn open_all_day(admin: &Client, tz: &str) {
    let id = branch_id(admin).await;
    let b = admin
        .patch(&format!("/branches/{id}"), json!({"timezone": tz}))
        .await;
    assert_eq!(b.status, 200, "{}", b.body);
    let hours: Vec<Value> = (1..=7)
        .map(|d| json!({"weekday": d, "opens": "00:00", "closes": "23:59"}))
        .collect();
    let s = admin
        .put("/booking-settings", json!({"hours": hours}))
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
}

async fn room(admin: &Client, name: &str, capacity: i64) -> String {
    let a = admin
        .post(
            "/areas",
            json!({"name": name, "kind": "room", "capacity": capacity}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body["id"].as_str().expect("id").to_string()
}

fn rfc(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .expect("time")
        .to_rfc3339()
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

const MIN: i64 = 60_000;

async fn bookings_count(hub: &TestHub) -> i64 {
    let store = hub.state.store.clone();
    tokio::task::spawn_blocking(move || {
        store.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM bookings", [], |r| r.get(0))?))
    })
    .await
    .expect("task")
    .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_clients_booking_one_slot_give_exactly_one_booking() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let area = room(&admin, "Salón Estrellas", 30).await;
    let start = (Utc::now() + chrono::Duration::days(4))
        .with_timezone(&chrono_tz::America::Mexico_City)
        .date_naive();
    let mut clients = Vec::new();
    for i in 0..20 {
        clients.push((
            i,
            hub.login(if i % 2 == 0 { "recepcion" } else { "admin" })
                .await,
        ));
    }
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|(i, c)| {
            let area = area.clone();
            tokio::spawn(async move {
                c.post("/bookings", json!({"guardian": {"name": format!("Tutor {i}"), "phone": "55 4444 0000"}, "birthday_child": format!("Niño {i}"), "area_id": area, "starts_at": format!("{start}T15:00:00-06:00"), "ends_at": format!("{start}T17:00:00-06:00"), "expected_children": 10}))
                    .await
            })
        })
        .collect();
    let mut created = 0;
    let mut taken = 0;
    for t in tasks {
        let a = t.await.expect("task");
        match a.status {
            201 => created += 1,
            409 => {
                assert_eq!(a.body["error"]["code"], "slot_taken", "{}", a.body);
                let msg = a.body["error"]["message"].as_str().unwrap_or("");
                assert!(
                    msg.contains("Salón Estrellas") && msg.contains("15:00"),
                    "the conflict names the area and the other party's hours: {msg}"
                );
                taken += 1;
            }
            other => panic!("unexpected {other}: {}", a.body),
        }
    }
    assert_eq!((created, taken), (1, 19), "exactly one booking wins");
    let listed = admin
        .get(&format!("/bookings?from={start}&to={start}&area_id={area}"))
        .await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_party_goes_from_deposit_to_ten_timers_and_its_money_is_in_the_day_closing() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    open_all_day(&admin, &daytime_zone()).await;
    let area = room(&admin, "Salón Luna", 30).await;
    let pizza = rec.id_of("products", "Agua natural 600 ml").await;
    let stock_before = rec.product(&pizza).await["stock"].as_i64().expect("stock");
    let package = admin
        .post("/party-packages", json!({"name": "Fiesta Luna", "area_id": area, "duration_minutes": 120, "children_included": 8, "price_cents": 300_000, "extra_child_price_cents": 20_000, "deposit_percent": 30, "buffer_minutes": 30, "products": [{"product_id": pizza, "quantity": 3}]}))
        .await;
    assert_eq!(package.status, 201, "{}", package.body);
    let package = package.body["id"].as_str().expect("id").to_string();
    let (ana, _) = (
        rec.get("/families?q=55%201234%205678").await.body["items"][0].clone(),
        (),
    );
    let start = now_ms() + 3 * MIN;
    let booked = rec
        .post("/bookings", json!({"family_id": ana["id"], "birthday_child": "Sofía López", "birthday_age": 6, "package_id": package, "starts_at": rfc(start), "expected_children": 9, "notes": "Pastel sin nuez"}))
        .await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    let b = booked.body.clone();
    let id = b["id"].as_str().expect("id").to_string();
    assert_eq!(b["state"], "tentative");
    assert_eq!(b["area_id"], area.as_str(), "the package's area");
    assert_eq!(b["total_cents"], 320_000, "8 included + 1 extra child");
    assert_eq!(b["deposit_cents"], 96_000, "30 %");
    assert_eq!(b["guardian_name"], "Ana López");
    assert!(b["whatsapp_reminder"]
        .as_str()
        .is_some_and(|l| l.starts_with("https://wa.me/525512345678?text=")));

    // A check-in before the deposit is refused.
    let early = rec
        .post(
            &format!("/bookings/{id}/check-in"),
            json!({"children": [{"name": "Sofía López"}]}),
        )
        .await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert_eq!(early.body["error"]["code"], "deposit_due");

    // The deposit through the till confirms it.
    let deposit = rec
        .post("/sales", json!({"items": [{"booking_id": id}], "payments": [{"method": "cash", "amount_cents": 100_000}]}))
        .await;
    assert_eq!(deposit.status, 201, "{}", deposit.body);
    assert_eq!(deposit.body["total_cents"], 96_000);
    assert_eq!(deposit.body["change_cents"], 4_000);
    assert_eq!(deposit.body["items"][0]["kind"], "booking");
    let b = rec.get(&format!("/bookings/{id}")).await.body;
    assert_eq!(b["state"], "confirmed");
    assert_eq!(
        (b["paid_cents"].as_i64(), b["due_cents"].as_i64()),
        (Some(96_000), Some(224_000))
    );

    // Over the balance: refused, nothing sold.
    let over = rec
        .post("/sales", json!({"items": [{"booking_id": id, "amount_cents": 224_001}], "payments": [{"method": "cash", "amount_cents": 300_000}]}))
        .await;
    assert_eq!(over.status, 422, "{}", over.body);
    assert_eq!(over.body["error"]["field"], "items[0].amount_cents");

    // Part of the balance by card before the day.
    let part = rec
        .post("/sales", json!({"items": [{"booking_id": id, "amount_cents": 100_000}], "payments": [{"method": "card", "amount_cents": 100_000}]}))
        .await;
    assert_eq!(part.status, 201, "{}", part.body);

    // The day: ten children come (two more than included), the rest is paid at the door.
    let names: Vec<Value> = (1..=10)
        .map(|i| json!({"name": format!("Invitada {i} Ruiz")}))
        .collect();
    let checked = rec
        .post(
            &format!("/bookings/{id}/check-in"),
            json!({"children": names, "payments": [{"method": "cash", "amount_cents": 200_000}]}),
        )
        .await;
    assert_eq!(checked.status, 201, "{}", checked.body);
    let booking = &checked.body["booking"];
    let sale = &checked.body["sale"];
    assert_eq!(booking["state"], "checked_in");
    assert_eq!(booking["checked_in_children"], 10);
    assert_eq!(booking["total_cents"], 340_000, "two extra children");
    assert_eq!(booking["due_cents"], 0, "paid in full at the door");
    assert_eq!(sale["total_cents"], 144_000, "340,000 − 96,000 − 100,000");
    assert!(sale["pickup_code"].as_str().is_some_and(|c| c.len() == 4));
    let timers = sale["timers"].as_array().expect("timers");
    assert_eq!(timers.len(), 10, "one timer per child");
    let ends = rfc(start + 120 * MIN);
    for t in timers {
        assert_eq!(t["group"], "Fiesta de Sofía");
        assert_eq!(t["booking_id"], id.as_str());
        assert_eq!(t["state"], "running");
        let end = chrono::DateTime::parse_from_rfc3339(t["ends_at"].as_str().expect("end"))
            .expect("rfc3339");
        let want = chrono::DateTime::parse_from_rfc3339(&ends).expect("rfc3339");
        assert_eq!(end, want, "every child's time ends with the party");
    }
    let running = rec.get("/timers?state=running").await;
    let party_timers = running.body["items"]
        .as_array()
        .or(running.body.as_array())
        .expect("timers")
        .iter()
        .filter(|t| t["booking_id"] == id.as_str())
        .count();
    assert_eq!(party_timers, 10);
    assert_eq!(
        rec.product(&pizza).await["stock"].as_i64(),
        Some(stock_before - 3),
        "the included products leave stock once"
    );
    let again = rec
        .post(
            &format!("/bookings/{id}/check-in"),
            json!({"children": [{"name": "Otra"}]}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.body["error"]["code"], "already_checked_in");

    // The party ends: completed.
    let done = rec
        .patch(&format!("/bookings/{id}"), json!({"state": "completed"}))
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["state"], "completed");

    // The money is in the day: cash 96,000 + 144,000, card 100,000, and the closing agrees.
    let status = rec.get("/day-closings/current").await;
    assert_eq!(status.status, 200, "{}", status.body);
    let closing = rec
        .post(
            "/day-closings",
            json!({"counted_cash_cents": 240_000, "counted_card_cents": 100_000}),
        )
        .await;
    assert_eq!(closing.status, 201, "{}", closing.body);
    assert_eq!(
        closing.body["expected"]["cash_cents"], 240_000,
        "{}",
        closing.body
    );
    assert_eq!(
        closing.body["expected"]["card_cents"], 100_000,
        "{}",
        closing.body
    );
    assert_eq!(closing.body["total_cents"], 340_000, "{}", closing.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bookings_are_refused_naming_the_field_and_leave_nothing_behind() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let area = room(&admin, "Salón Sol", 12).await;
    let package = admin
        .post("/party-packages", json!({"name": "Fiesta Sol", "area_id": area, "duration_minutes": 120, "price_cents": 200_000, "buffer_minutes": 60}))
        .await;
    assert_eq!(package.status, 201, "{}", package.body);
    let package = package.body["id"].as_str().expect("id").to_string();
    let closed = admin
        .put("/booking-settings", json!({"hours": [{"weekday": 1, "opens": "10:00", "closes": "20:00", "closed": true}], "closed_days": [{"day": "2027-01-06", "reason": "Día de Reyes"}]}))
        .await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    // A Saturday far enough ahead: 2027-01-09.
    let day = "2027-01-09";
    let ok = rec
        .post("/bookings", json!({"guardian": {"name": "Rosa Díaz", "phone": "33 1111 2222"}, "birthday_child": "Iker Díaz", "package_id": package, "starts_at": format!("{day}T12:00:00-06:00"), "expected_children": 10}))
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let before = bookings_count(&hub).await;
    let family = ok.body["family_id"].clone();
    let base = json!({"family_id": family, "birthday_child": "Otra Fiesta", "package_id": package, "expected_children": 5});
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    let cases = [
        (
            json!({"starts_at": format!("{day}T07:00:00-06:00")}),
            422,
            "starts_at",
            "before opening",
        ),
        (
            json!({"starts_at": format!("{day}T20:00:00-06:00")}),
            422,
            "ends_at",
            "after closing",
        ),
        (
            json!({"starts_at": "2027-01-06T12:00:00-06:00"}),
            422,
            "starts_at",
            "a holiday",
        ),
        (
            json!({"starts_at": "2027-01-11T12:00:00-06:00"}),
            422,
            "starts_at",
            "closed on Mondays",
        ),
        (
            json!({"starts_at": "2020-01-11T12:00:00-06:00"}),
            422,
            "starts_at",
            "in the past",
        ),
        (
            json!({"starts_at": format!("{day}T14:30:00-06:00")}),
            409,
            "starts_at",
            "inside the cleaning buffer",
        ),
        (
            json!({"starts_at": format!("{day}T10:30:00-06:00")}),
            409,
            "starts_at",
            "overlapping the party",
        ),
        (
            json!({"starts_at": format!("{day}T16:00:00-06:00"), "expected_children": 13}),
            422,
            "expected_children",
            "more than the room holds",
        ),
        (
            json!({"starts_at": format!("{day}T16:00:00-06:00"), "area_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}),
            422,
            "area_id",
            "an unknown area",
        ),
        (
            json!({"starts_at": format!("{day}T16:00:00-06:00"), "package_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}),
            422,
            "package_id",
            "an unknown package",
        ),
        (
            json!({"starts_at": "mañana"}),
            422,
            "starts_at",
            "no time at all",
        ),
        (
            json!({"starts_at": format!("{day}T16:00:00-06:00"), "birthday_age": 40}),
            422,
            "birthday_age",
            "an adult's age",
        ),
    ];
    for (extra, status, field, why) in cases {
        let a = rec.post("/bookings", with(extra)).await;
        assert_eq!(a.status, status, "{why}: {}", a.body);
        assert_eq!(a.body["error"]["field"], field, "{why}: {}", a.body);
        assert!(a.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // Right after the buffer is fine.
    let after = rec
        .post(
            "/bookings",
            with(json!({"starts_at": format!("{day}T15:00:00-06:00")})),
        )
        .await;
    assert_eq!(after.status, 201, "after the cleaning: {}", after.body);
    assert_eq!(
        bookings_count(&hub).await,
        before + 1,
        "nothing half-written"
    );

    // A cancelled booking is not checked in; a move onto the other party is refused.
    let other = after.body["id"].as_str().expect("id").to_string();
    let moved = rec
        .patch(
            &format!("/bookings/{other}"),
            json!({"starts_at": format!("{day}T13:00:00-06:00"), "version": after.body["version"]}),
        )
        .await;
    assert_eq!(moved.status, 409, "{}", moved.body);
    assert_eq!(moved.body["error"]["code"], "slot_taken");
    let stale = rec
        .patch(
            &format!("/bookings/{other}"),
            json!({"notes": "x", "version": 99}),
        )
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.body["error"]["code"], "stale");
    let cancelled = rec
        .post(
            &format!("/bookings/{other}/cancel"),
            json!({"reason": "Cambio de planes"}),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["booking"]["state"], "cancelled");
    let check_in = rec
        .post(
            &format!("/bookings/{other}/check-in"),
            json!({"children": [{"name": "Ana"}]}),
        )
        .await;
    assert_eq!(check_in.status, 409, "{}", check_in.body);
    assert_eq!(check_in.body["error"]["code"], "booking_cancelled");
    let pay = rec
        .post("/sales", json!({"items": [{"booking_id": other}], "payments": [{"method": "cash", "amount_cents": 1000}]}))
        .await;
    assert_eq!(pay.status, 409, "{}", pay.body);
    // The freed slot can be booked again.
    let again = rec
        .post(
            "/bookings",
            with(json!({"starts_at": format!("{day}T15:00:00-06:00")})),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_gives_the_deposit_back_in_time_and_keeps_it_late() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let area = room(&admin, "Salón Nube", 30).await;
    let set = admin
        .put("/booking-settings", json!({"refund_days": 7}))
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let tz = chrono_tz::America::Mexico_City;
    let mut ids = Vec::new();
    for (days, child) in [(20, "Lejana"), (3, "Cercana")] {
        let day = (Utc::now() + chrono::Duration::days(days))
            .with_timezone(&tz)
            .date_naive();
        let b = rec
            .post("/bookings", json!({"guardian": {"name": "Tutor Nube", "phone": "55 3333 4444"}, "birthday_child": child, "area_id": area, "starts_at": format!("{day}T12:00:00-06:00"), "ends_at": format!("{day}T14:00:00-06:00"), "expected_children": 5}))
            .await;
        assert_eq!(b.status, 201, "{}", b.body);
        ids.push(b.body["id"].as_str().expect("id").to_string());
    }
    // Without a package nothing is owed: confirmed at once. A super_admin's PIN is needed for
    // refunds by reception, so each booking gets a deposit through a small custom package.
    let package = admin
        .post("/party-packages", json!({"name": "Renta", "area_id": area, "duration_minutes": 120, "price_cents": 100_000, "deposit_percent": 50}))
        .await;
    assert_eq!(package.status, 201, "{}", package.body);
    for id in &ids {
        let p = rec
            .patch(
                &format!("/bookings/{id}"),
                json!({"package_id": package.body["id"]}),
            )
            .await;
        assert_eq!(p.status, 200, "{}", p.body);
        let paid = rec
            .post("/sales", json!({"items": [{"booking_id": id}], "payments": [{"method": "cash", "amount_cents": 50_000}]}))
            .await;
        assert_eq!(paid.status, 201, "{}", paid.body);
    }
    let auth = json!({"username": "admin", "pin": DEMO_PIN});
    let far = rec
        .post(
            &format!("/bookings/{}/cancel", ids[0]),
            json!({"reason": "Se mudan", "authorization": auth}),
        )
        .await;
    assert_eq!(far.status, 200, "{}", far.body);
    assert_eq!(far.body["refunds"].as_array().map(Vec::len), Some(1));
    assert_eq!(far.body["refunds"][0]["total_cents"], 50_000);
    assert_eq!(far.body["booking"]["paid_cents"], 0, "all of it went back");
    let near = rec
        .post(
            &format!("/bookings/{}/cancel", ids[1]),
            json!({"reason": "Se enfermó"}),
        )
        .await;
    assert_eq!(near.status, 200, "{}", near.body);
    assert_eq!(near.body["refunds"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        near.body["booking"]["paid_cents"], 50_000,
        "the deposit is kept"
    );
    let twice = rec
        .post(
            &format!("/bookings/{}/cancel", ids[1]),
            json!({"reason": "otra vez"}),
        )
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
}

/// Python's icalendar reads the feed: each party's start as a local time of its zone, and the
/// same instant as the hub stored.
fn parse_ics(ics: &str) -> Vec<Value> {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("fiestas.ics");
    std::fs::write(&path, ics).expect("write");
    let script = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = []
for ev in cal.walk('VEVENT'):
    s = ev.decoded('DTSTART'); e = ev.decoded('DTEND')
    out.append({"summary": str(ev.get('SUMMARY')), "local": s.strftime('%Y-%m-%d %H:%M'),
                "offset": s.utcoffset().total_seconds() / 3600, "utc": s.timestamp(),
                "end_utc": e.timestamp(), "status": str(ev.get('STATUS')), "uid": str(ev.get('UID'))})
print(json.dumps(out))
"#;
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "icalendar parses the feed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calendar_feed_has_local_times_in_mexico_city_and_tijuana() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let area = room(&admin, "Salón Feed", 30).await;
    let none = admin.get("/bookings/ics-token").await;
    assert_eq!(none.status, 200, "{}", none.body);
    assert!(none.body["created_at"].is_null(), "no address yet");
    let link = admin.post("/bookings/ics-token", json!({})).await;
    let made = admin.get("/bookings/ics-token").await;
    assert!(made.body["created_at"].is_string(), "{}", made.body);
    assert!(
        !made
            .body
            .to_string()
            .contains(link.body["token"].as_str().unwrap_or("-")),
        "the secret is shown only when it is made"
    );
    assert_eq!(link.status, 200, "{}", link.body);
    let url = link.body["url"].as_str().expect("url").to_string();
    let token = link.body["token"].as_str().expect("token").to_string();
    assert!(url.ends_with(&format!("/api/v1/bookings.ics?token={token}")));
    let fetch = |token: String| {
        let base = hub.base.clone();
        async move {
            reqwest::get(format!("{base}/api/v1/bookings.ics?token={token}"))
                .await
                .expect("feed")
        }
    };
    // Mexico City: no clock change; a party at 15:00 local is 21:00 UTC.
    let next_year = Utc::now().year() + 1;
    let mx = rec
        .post("/bookings", json!({"guardian": {"name": "Tutor CDMX", "phone": "55 1111 9999"}, "birthday_child": "Pablo; Coma, Barra\\", "area_id": area, "starts_at": format!("{next_year}-02-13T15:00:00-06:00"), "ends_at": format!("{next_year}-02-13T17:00:00-06:00"), "expected_children": 5, "notes": "Tema: piratas\nSin gluten"}))
        .await;
    assert_eq!(mx.status, 201, "{}", mx.body);
    let res = fetch(token.clone()).await;
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/calendar")));
    let events = parse_ics(&res.text().await.expect("text"));
    let pablo = events
        .iter()
        .find(|e| {
            e["summary"]
                .as_str()
                .is_some_and(|s| s.contains("Pablo; Coma, Barra\\"))
        })
        .expect("the party, its name unescaped intact");
    assert_eq!(pablo["local"], format!("{next_year}-02-13 15:00"));
    assert_eq!(pablo["offset"], -6.0);
    let want = chrono::DateTime::parse_from_rfc3339(&format!("{next_year}-02-13T21:00:00Z"))
        .expect("t")
        .timestamp() as f64;
    assert_eq!(pablo["utc"].as_f64(), Some(want));
    assert_eq!(pablo["status"], "CONFIRMED", "no package: nothing to pay");

    // Tijuana: the same 15:00 is 23:00 UTC in winter and 22:00 UTC after the spring change
    // (the second Sunday of March), and the feed says so.
    let id = branch_id(&admin).await;
    let tj = admin
        .patch(
            &format!("/branches/{id}"),
            json!({"timezone": "America/Tijuana"}),
        )
        .await;
    assert_eq!(tj.status, 200, "{}", tj.body);
    let march = (8..=14)
        .find(|d| {
            chrono::NaiveDate::from_ymd_opt(next_year, 3, *d)
                .is_some_and(|x| x.weekday() == chrono::Weekday::Sun)
        })
        .expect("second Sunday");
    for (day, offset, utc_hour) in [
        (format!("{next_year}-03-{:02}", march - 1), -8.0, 23),
        (format!("{next_year}-03-{march:02}"), -7.0, 22),
    ] {
        let local = chrono_tz::America::Tijuana
            .from_local_datetime(
                &chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .expect("day")
                    .and_hms_opt(15, 0, 0)
                    .expect("time"),
            )
            .single()
            .expect("unambiguous");
        let b = rec
            .post("/bookings", json!({"guardian": {"name": "Tutor Tijuana", "phone": "664 123 4567"}, "birthday_child": format!("Fiesta {day}"), "area_id": area, "starts_at": local.to_rfc3339(), "ends_at": (local + chrono::Duration::hours(2)).to_rfc3339(), "expected_children": 5}))
            .await;
        assert_eq!(b.status, 201, "{}", b.body);
        assert_eq!(b.body["day"], day.as_str(), "the local day");
        let events = parse_ics(&fetch(token.clone()).await.text().await.expect("text"));
        let e = events
            .iter()
            .find(|e| e["summary"].as_str().is_some_and(|s| s.contains(&day)))
            .expect("the party");
        assert_eq!(e["local"], format!("{day} 15:00"), "{e}");
        assert_eq!(e["offset"].as_f64(), Some(offset), "{e}");
        let utc = Utc
            .timestamp_opt(e["utc"].as_f64().expect("utc") as i64, 0)
            .single()
            .expect("t");
        assert_eq!(utc.hour(), utc_hour, "{e}");
        assert_eq!(
            e["end_utc"]
                .as_f64()
                .map(|x| x - e["utc"].as_f64().unwrap_or(0.0)),
            Some(7200.0)
        );
    }

    // A renewed link: the old one is 404, no login opens it, a wrong token neither.
    let renewed = admin.post("/bookings/ics-token", json!({})).await;
    assert_eq!(renewed.status, 200);
    assert_eq!(fetch(token).await.status(), 404);
    assert_eq!(fetch("nope".into()).await.status(), 404);
    let fresh = renewed.body["token"].as_str().expect("token").to_string();
    assert_eq!(fetch(fresh).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_open_calendar_hears_a_booking_and_the_wall_does_not() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let monitor = hub.login("monitor").await;
    let area = room(&admin, "Salón Eco", 30).await;
    let (mut desk, _) = common::live(&hub.base, &admin.token).await;
    let (mut wall, _) = common::live(&hub.base, &monitor.token).await;
    let day = (Utc::now() + chrono::Duration::days(6))
        .with_timezone(&chrono_tz::America::Mexico_City)
        .date_naive();
    let b = rec
        .post("/bookings", json!({"guardian": {"name": "Lucía Eco", "phone": "55 7777 8888"}, "birthday_child": "Eco Niño", "area_id": area, "starts_at": format!("{day}T11:00:00-06:00"), "ends_at": format!("{day}T13:00:00-06:00"), "expected_children": 5}))
        .await;
    assert_eq!(b.status, 201, "{}", b.body);
    let heard = common::wait_for(&mut desk, "booking.updated", Duration::from_secs(3), |m| {
        m["booking"]["id"] == b.body["id"]
    })
    .await
    .expect("the admin's calendar hears the booking");
    assert_eq!(heard["booking"]["guardian_name"], "Lucía Eco");
    let moved = rec
        .patch(
            &format!("/bookings/{}", b.body["id"].as_str().expect("id")),
            json!({"starts_at": format!("{day}T12:00:00-06:00"), "version": 1}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let heard = common::wait_for(&mut desk, "booking.updated", Duration::from_secs(3), |m| {
        m["booking"]["version"] == 2
    })
    .await
    .expect("the move too");
    assert!(heard["booking"]["starts_at"]
        .as_str()
        .is_some_and(|s| s.starts_with(&format!("{day}T18:00"))));
    while let Some(m) = common::next_json(&mut wall, Duration::from_millis(800)).await {
        assert_ne!(
            m["type"], "booking.updated",
            "the wall never hears bookings"
        );
        assert!(!m.to_string().contains("Lucía"), "{m}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_family_erases_its_parties_names_and_notes_and_keeps_their_money() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let area = room(&admin, "Salón Borrado", 30).await;
    let day = (Utc::now() + chrono::Duration::days(9))
        .with_timezone(&chrono_tz::America::Mexico_City)
        .date_naive();
    let b = rec
        .post("/bookings", json!({"guardian": {"name": "Marta Olvido", "phone": "55 6666 1212"}, "birthday_child": "Renata Olvido", "area_id": area, "starts_at": format!("{day}T12:00:00-06:00"), "ends_at": format!("{day}T14:00:00-06:00"), "expected_children": 5, "notes": "Alergia a la fresa"}))
        .await;
    assert_eq!(b.status, 201, "{}", b.body);
    let id = b.body["id"].as_str().expect("id").to_string();
    let family = b.body["family_id"].as_str().expect("family").to_string();
    let erased = admin
        .post(
            &format!("/families/{family}/erase"),
            json!({"reason": "solicitud del titular"}),
        )
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    let after = admin.get(&format!("/bookings/{id}")).await;
    assert_eq!(after.status, 200, "{}", after.body);
    assert_eq!(after.body["birthday_child"], "Niño/a");
    assert_eq!(after.body["notes"], "");
    assert_eq!(after.body["guardian_phone"], "");
    assert_eq!(after.body["whatsapp_reminder"], "");
    assert_eq!(
        after.body["state"], b.body["state"],
        "the booking itself stays"
    );
    let store = hub.state.store.clone();
    let left: i64 = tokio::task::spawn_blocking(move || {
        store.read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM events WHERE payload LIKE '%Renata%' OR payload LIKE '%fresa%' OR payload LIKE '%5566661212%'",
                [],
                |r| r.get(0),
            )?)
        })
    })
    .await
    .expect("task")
    .expect("count");
    assert_eq!(left, 0, "no event keeps the party's names, notes or phone");
}
