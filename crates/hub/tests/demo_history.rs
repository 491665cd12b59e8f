//! `serve --demo` on a new data dir starts with weeks of past, so a newcomer's dashboards,
//! reports, closings, visitors and forecasts show something at once; the day being lived stays
//! empty, and a second start keeps the history it has.

mod common;

use common::{login, serve_demo_with_history};
use serde_json::Value;

async fn get(base: &str, token: &str, path: &str) -> Value {
    let res = reqwest::Client::new()
        .get(format!("{base}/api/v1{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.expect("json")
}

#[tokio::test]
async fn a_new_demo_store_shows_its_past_in_every_report() {
    let dir = tempfile::tempdir().expect("tmp");
    let (child, base) = serve_demo_with_history(dir.path(), "127.0.0.1:0", 42);
    let admin = login(&base, "admin", kidyboard_core::demo::DEMO_PASSWORD).await;
    let today = get(&base, &admin, "/day-closings/current").await["business_day"]
        .as_str()
        .expect("day")
        .to_string();
    let day = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").expect("day");
    let from = (day - chrono::Duration::days(28)).to_string();
    let yesterday = (day - chrono::Duration::days(1)).to_string();

    let summary = get(
        &base,
        &admin,
        &format!("/reports/summary?from={from}&to={yesterday}"),
    )
    .await;
    assert!(
        summary["revenue_cents"].as_i64().unwrap_or(0) > 0,
        "{summary}"
    );
    assert!(
        summary["sales_count"].as_i64().unwrap_or(0) > 28 * 8,
        "{summary}"
    );
    let now = get(
        &base,
        &admin,
        &format!("/reports/summary?from={today}&to={today}"),
    )
    .await;
    assert_eq!(now["sales_count"], 0, "today is still empty: {now}");

    let closings = get(
        &base,
        &admin,
        &format!("/day-closings?from={from}&to={yesterday}"),
    )
    .await;
    assert_eq!(
        closings["items"].as_array().map_or(0, Vec::len),
        28,
        "{closings}"
    );

    let visitors = get(
        &base,
        &admin,
        &format!("/reports/visitors?from={from}&to={yesterday}"),
    )
    .await;
    assert!(
        visitors["figures"]["visitors"].as_i64().unwrap_or(0) > 0,
        "{visitors}"
    );
    assert!(
        visitors["check_ins"].as_i64().unwrap_or(0) > 0,
        "{visitors}"
    );

    let forecast = get(&base, &admin, "/reports/forecast").await;
    for series in ["revenue", "visitors"] {
        assert_eq!(
            forecast[series]["status"], "ok",
            "{series}: {}",
            forecast[series]
        );
        assert!(forecast[series]["points"]
            .as_array()
            .is_some_and(|p| !p.is_empty()));
    }
    stop(child);

    // Started again: the demo store keeps its own past (nothing is added twice).
    let (child, base) = serve_demo_with_history(dir.path(), "127.0.0.1:0", 42);
    let admin = login(&base, "admin", kidyboard_core::demo::DEMO_PASSWORD).await;
    let again = get(
        &base,
        &admin,
        &format!("/reports/summary?from={from}&to={yesterday}"),
    )
    .await;
    assert_eq!(again["sales_count"], summary["sales_count"]);
    stop(child);
}

fn stop(mut child: std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}
