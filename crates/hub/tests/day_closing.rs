//! Day closing: expected vs counted by method, the difference, once per day; later sales go to
//! the next day.

mod common;

use common::TestHub;
use serde_json::json;

#[tokio::test]
async fn closing_with_a_wrong_count_shows_the_difference_and_cannot_be_repeated() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let water = rec.id_of("products", "Agua natural 600 ml").await;
    let hour = rec.id_of("services", "1 hora de juego").await;
    let cash = |n| json!([{"method": "cash", "amount_cents": n}]);
    // 150.00 paid with 200.00 cash (50.00 change); 2 waters by card; 1 water by transfer.
    assert_eq!(rec.post("/sales", json!({"items": [{"service_id": hour, "quantity": 1, "child": {"name": "Ana"}}], "payments": cash(20000)})).await.status, 201);
    assert_eq!(rec.post("/sales", json!({"items": [{"product_id": water, "quantity": 2}], "payments": [{"method": "card", "amount_cents": 4000}]})).await.status, 201);
    assert_eq!(rec.post("/sales", json!({"items": [{"product_id": water, "quantity": 1}], "payments": [{"method": "transfer", "amount_cents": 2000}]})).await.status, 201);

    // The desk counts blind: only the roles that read reports see what is expected.
    let blind = rec.get("/day-closings/current").await;
    assert!(blind.body["expected"].is_null(), "{}", blind.body);
    assert!(blind.body["total_cents"].is_null());
    assert_eq!(blind.body["sales_count"], 3);
    let current = hub
        .login("gerente")
        .await
        .get("/day-closings/current")
        .await;
    assert_eq!(
        current.body["expected"]["cash_cents"], 15_000,
        "cash expected is net of change"
    );
    assert_eq!(current.body["expected"]["card_cents"], 4_000);
    assert_eq!(current.body["expected"]["transfer_cents"], 2_000);
    assert_eq!(current.body["sales_count"], 3);
    assert_eq!(current.body["closed"], false);

    let bad = rec
        .post(
            "/day-closings",
            json!({"counted_cash_cents": 14_000, "denominations": {"10000": 1, "2000": 1}}),
        )
        .await;
    assert_eq!(
        bad.status, 422,
        "denominations that do not add up are refused"
    );
    assert_eq!(bad.body["error"]["field"], "denominations");
    // Counted 140.00 in the drawer: one 100 bill, one 20 bill, two 10 coins.
    let closed = rec
        .post("/day-closings", json!({"counted_cash_cents": 14_000, "denominations": {"10000": 1, "2000": 1, "1000": 2}, "note": "faltan 10"}))
        .await;
    assert_eq!(closed.status, 201, "{}", closed.body);
    assert_eq!(closed.body["difference_cents"], -1_000, "10.00 missing");
    assert_eq!(closed.body["differences"]["cash_cents"], -1_000);
    assert_eq!(
        closed.body["counted"]["card_cents"], 4_000,
        "card defaults to what was expected"
    );
    assert_eq!(closed.body["sales_count"], 3);
    assert_eq!(closed.body["total_cents"], 21_000);
    let day = closed.body["business_day"]
        .as_str()
        .expect("day")
        .to_string();

    let twice = rec
        .post("/day-closings", json!({"counted_cash_cents": 15_000}))
        .await;
    assert_eq!(twice.status, 409);
    assert_eq!(twice.body["error"]["code"], "day_already_closed");

    let late = rec
        .post(
            "/sales",
            json!({"items": [{"product_id": water, "quantity": 1}], "payments": cash(2000)}),
        )
        .await;
    assert_eq!(late.status, 201);
    assert_ne!(
        late.body["business_day"],
        day.as_str(),
        "a sale after closing belongs to the next day"
    );
    let listed = rec.get("/day-closings").await;
    assert_eq!(listed.body["items"][0]["business_day"], day.as_str());
    let status = rec.get("/day-closings/current").await;
    assert_eq!(status.body["closed"], true);
    let gerente = hub.login("gerente").await;
    assert_eq!(
        gerente
            .post("/day-closings", json!({"counted_cash_cents": 0}))
            .await
            .status,
        403,
        "read-only admins cannot close"
    );
    let future = rec
        .post(
            "/day-closings",
            json!({"counted_cash_cents": 0, "business_day": "2999-01-01"}),
        )
        .await;
    assert_eq!(future.status, 422);
}
