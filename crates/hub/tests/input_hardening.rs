//! Hostile input through the real hub: numbers at the ends of i64, invisible and bidi characters
//! in names, arrays where the schema says object, weak passwords. Each answers 4xx JSON naming
//! the field, never a wrap-around, a 500 or a stored record.

mod common;

use common::{Answer, TestHub};
use serde_json::json;

fn assert_refused(a: &Answer, field: &str, what: &str) {
    assert_eq!(
        a.status, 422,
        "{what}: 422 expected, got {} {}",
        a.status, a.body
    );
    assert_eq!(
        a.body["error"]["field"], field,
        "{what}: the error names {field}: {}",
        a.body
    );
}

#[tokio::test]
async fn stock_adjustments_at_the_ends_of_i64_are_refused_naming_delta() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let water = admin.id_of("products", "Agua natural 600 ml").await;
    let before = admin.product(&water).await["stock"].clone();
    for delta in [i64::MIN, i64::MIN + 1, i64::MAX, -1_000_001, 1_000_001] {
        let a = admin
            .post(
                &format!("/products/{water}/stock"),
                json!({"delta": delta, "reason": "conteo físico"}),
            )
            .await;
        assert_refused(&a, "delta", &format!("delta {delta}"));
    }
    // Also where the branch allows stock below zero, which used to skip the lower bound.
    let branches = admin.get("/branches").await.body;
    let branch = branches["items"][0]["id"]
        .as_str()
        .expect("branch id")
        .to_string();
    let a = admin
        .patch(
            &format!("/branches/{branch}"),
            json!({"allow_negative_stock": true}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = admin
        .post(
            &format!("/products/{water}/stock"),
            json!({"delta": i64::MIN, "reason": "merma"}),
        )
        .await;
    assert_refused(&a, "delta", "i64::MIN with negative stock allowed");
    assert_eq!(
        admin.product(&water).await["stock"],
        before,
        "stock unchanged"
    );
}

