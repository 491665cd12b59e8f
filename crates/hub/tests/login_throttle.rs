//! Logins are slowed, never locked: a burst of concurrent guesses gets one password check, a
//! stranger's failures from another device never keep the real user out, and on the same device
//! the wait never exceeds a minute.

mod common;

use std::net::IpAddr;
use std::time::Duration;

use common::TestHub;
use serde_json::{json, Value};

/// A client whose requests come from `source` (loopback has a whole /8: each address is a device).
fn device(source: &str) -> reqwest::Client {
    let ip: IpAddr = source.parse().expect("ip");
    reqwest::Client::builder()
        .local_address(ip)
        .build()
        .expect("client")
}

async fn login(http: &reqwest::Client, hub: &TestHub, user: &str, pw: &str) -> (u16, Value, u64) {
    let res = http
        .post(hub.url("/api/v1/auth/login"))
        .json(&json!({"username": user, "password": pw}))
        .send()
        .await
        .expect("login answers");
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (status, res.json().await.unwrap_or(Value::Null), retry_after)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_guesses_gets_one_check_not_sixty() {
    let hub = TestHub::start().await;
    let http = device("127.0.0.1");
    let guesses = (0..60).map(|i| {
        let pw = if i == 30 { "demo1234" } else { "wrong-guess" };
        let http = http.clone();
        let hub = &hub;
        async move { login(&http, hub, "admin", pw).await.0 }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401 || **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        checked <= 3,
        "only the attempts that reserved a place are checked ({checked} checked): {statuses:?}"
    );
    assert_eq!(
        checked + refused,
        60,
        "every other guess is told to wait: {statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stranger_on_another_device_never_keeps_the_owner_out() {
    let hub = TestHub::start().await;
    let stranger = device("127.0.0.2");
    for _ in 0..25 {
        let (status, body, retry) = login(&stranger, &hub, "admin", "not-the-password").await;
        assert!(
            status == 401 || status == 429,
            "the stranger fails or waits: {status} {body}"
        );
        assert!(retry <= 60, "no wait is ever longer than a minute: {retry}");
    }
    let owner = device("127.0.0.1");
    let (status, body, _) = login(&owner, &hub, "admin", "demo1234").await;
    assert_eq!(status, 200, "the owner at the desk logs in at once: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_the_same_device_failures_slow_down_and_the_right_password_works_after_the_wait() {
    let hub = TestHub::start().await;
    let desk = device("127.0.0.5");
    for _ in 0..3 {
        let (status, _, _) = login(&desk, &hub, "recepcion", "wrong-password").await;
        assert_eq!(status, 401, "the first failures are answered");
    }
    let (status, body, retry) = login(&desk, &hub, "recepcion", "demo1234").await;
    assert_eq!(
        status, 429,
        "after three failures the next try waits: {body}"
    );
    assert_eq!(body["error"]["code"], "too_many_attempts");
    assert!(
        (1..=30).contains(&retry),
        "the wait is short and said in Retry-After: {retry}"
    );
    tokio::time::sleep(Duration::from_secs(retry)).await;
    let (status, body, _) = login(&desk, &hub, "recepcion", "demo1234").await;
    assert_eq!(
        status, 200,
        "after the wait the right password works: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_address_spraying_usernames_reaches_its_ceiling_for_at_most_a_minute() {
    let hub = TestHub::start().await;
    let sprayer = device("127.0.0.9");
    let mut last = (0, Value::Null, 0);
    for i in 0..25 {
        last = login(&sprayer, &hub, &format!("nadie{i}"), "whatever-12").await;
        if last.0 == 429 {
            break;
        }
    }
    assert_eq!(
        last.0, 429,
        "twenty failures from one address hit its ceiling"
    );
    assert!(
        (1..=60).contains(&last.2),
        "the ceiling holds for at most a minute: {}",
        last.2
    );
    let (status, _, _) = login(&device("127.0.0.1"), &hub, "kidibar", "demo1234").await;
    assert_eq!(status, 200, "other devices are not affected");
}
