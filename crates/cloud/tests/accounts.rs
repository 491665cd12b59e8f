//! People in the cloud: signing in with email and password, throttled guesses, sessions that can
//! be revoked, the TOTP second factor, invitations by link, and what owners, managers and viewers
//! may do on every route.

mod common;

use std::collections::BTreeSet;

use common::{call, Owner, TestCloud, TestStore, OPERATOR, PASSWORD};
use serde_json::{json, Value};

async fn login(base: &str, body: Value) -> (u16, Value, Option<String>) {
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .expect("login reaches the cloud");
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = res.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        retry,
    )
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_factor_secrets_are_kept_sealed_in_the_database() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("sealed").await;
    let cloud = TestCloud::start(&url);
    let db = common::cloud_db(&url).await;
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let me = owner.get("/api/v1/auth/me").await.1;
    let (email, user_id) = (
        me["email"].as_str().expect("email").to_string(),
        me["id"].as_str().expect("id").to_string(),
    );
    let stored = |column: &'static str| {
        let (db, user_id) = (&db, user_id.clone());
        async move {
            db.query_one(
                &format!("SELECT {column} FROM users WHERE id = $1"),
                &[&user_id],
            )
            .await
            .expect("user")
            .get::<_, Option<String>>(0)
            .unwrap_or_default()
        }
    };

    // What a copy of the database holds is not the secret the app was given.
    let (status, setup) = owner.post("/api/v1/auth/totp/setup", json!({})).await;
    assert_eq!(status, 200, "{setup}");
    let secret = setup["secret"].as_str().expect("secret").to_string();
    let pending = stored("totp_pending").await;
    assert!(
        pending.starts_with("v1:") && !pending.contains(&secret),
        "{pending}"
    );
    let now = now_secs();
    let (status, body) = owner
        .post(
            "/api/v1/auth/totp/enable",
            json!({"code": kidyboard_cloud::totp::code_at(&secret, now).expect("code")}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let sealed = stored("totp_secret").await;
    assert!(
        sealed.starts_with("v1:") && !sealed.contains(&secret),
        "{sealed}"
    );
    // Each sign-in below uses the next step's code; the step a code spent is forgotten first
    // (a code works once), so the test need not wait 30 s between them.
    let sign_in = |base: String| {
        let (db, user_id, email, secret) = (&db, user_id.clone(), email.clone(), secret.clone());
        async move {
            db.execute(
                "UPDATE users SET totp_last_step = 0 WHERE id = $1",
                &[&user_id],
            )
            .await
            .expect("step forgotten");
            let code = kidyboard_cloud::totp::code_at(&secret, now + 30).expect("code");
            let (status, body, _) = login(
                &base,
                json!({"email": email, "password": PASSWORD, "totp_code": code}),
            )
            .await;
            (status, code_of(&body))
        }
    };
    assert_eq!(sign_in(cloud.base.clone()).await, (200, String::new()));

    // A secret stored before sealing existed still signs in, and the next process to start
    // seals it.
    db.execute(
        "UPDATE users SET totp_secret = $2 WHERE id = $1",
        &[&user_id, &secret],
    )
    .await
    .expect("an old plain secret");
    assert_eq!(sign_in(cloud.base.clone()).await, (200, String::new()));
    // (It seals before it answers anything.)
    let again = TestCloud::start(&url);
    assert_eq!(sign_in(again.base.clone()).await, (200, String::new()));
    let resealed = stored("totp_secret").await;
    assert!(
        resealed.starts_with("v1:") && resealed != sealed,
        "{resealed}"
    );

    // A seal that does not open (another key, another account, altered bytes) is the
    // operator's to mend: 503, not a wrong code.
    db.execute(
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL WHERE id = $1",
        &[&user_id],
    )
    .await
    .expect("off");
    let (status, setup) = owner.post("/api/v1/auth/totp/setup", json!({})).await;
    assert_eq!(status, 200, "{setup}");
    db.execute(
        "UPDATE users SET totp_pending = $2 WHERE id = $1",
        &[&user_id, &resealed.replace("v1:", "v1:A")],
    )
    .await
    .expect("an altered seal");
    let (status, body) = owner
        .post(
            "/api/v1/auth/totp/enable",
            json!({"code": kidyboard_cloud::totp::code_at(&secret, now + 30).expect("code")}),
        )
        .await;
    assert_eq!(
        (status, code_of(&body)),
        (503, "unavailable".to_string()),
        "{body}"
    );

    // A cloud without a key turns nobody's second factor on, and says why.
    let keyless = TestCloud::start_with(&url, "127.0.0.1:0".parse().expect("addr"), |c| {
        c.secret_key = String::new();
    });
    let (status, body) = owner
        .with_base(&keyless.base)
        .post("/api/v1/auth/totp/setup", json!({}))
        .await;
    assert_eq!(
        (status, code_of(&body)),
        (409, "totp_unavailable".to_string()),
        "{body}"
    );
}

fn code_of(body: &Value) -> String {
    code(body).to_string()
}

/// A client with another bearer token (another session, a device's, none).
fn as_token(owner: &Owner, token: &str) -> Owner {
    owner.with_token(token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_throttle_sessions_password_and_second_factor() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("accounts").await;
    // Many sign-ins from one address in a few seconds: the per-address rate limit (tested on its
    // own below) is raised so the throttle's own answers show.
    let cloud = TestCloud::start_with(&url, "127.0.0.1:0".parse().expect("addr"), |c| {
        c.public_rate_burst = 1_000;
    });
    let db = common::cloud_db(&url).await;
    let owner = Owner::create(&cloud.base, "Brincolines").await;

    let (status, me) = owner.get("/api/v1/auth/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["role"], "owner");
    assert_eq!(me["organisation_name"], "Brincolines");
    assert_eq!(me["all_branches"], true);
    let email = me["email"].as_str().expect("email").to_string();

    // Email in any case and with spaces; the session works like the invitation's.
    let (status, body, _) = login(
        &cloud.base,
        json!({"email": format!("  {}  ", email.to_uppercase()), "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let laptop = as_token(&owner, body["token"].as_str().expect("token"));
    assert_eq!(laptop.get("/api/v1/auth/me").await.0, 200);

    // A wrong password and an unknown address are refused alike.
    let (status, wrong, _) = login(
        &cloud.base,
        json!({"email": email, "password": "no es la contraseña"}),
    )
    .await;
    let (status2, unknown, _) = login(
        &cloud.base,
        json!({"email": "nadie@example.mx", "password": PASSWORD}),
    )
    .await;
    assert_eq!((status, code(&wrong)), (401, "wrong_credentials"));
    assert_eq!((status2, code(&unknown)), (401, "wrong_credentials"));
    assert_eq!(wrong["error"]["message"], unknown["error"]["message"]);

    // Five failures are free (one is counted above); the next try has to wait, and then even the
    // right password waits: 429 with Retry-After, no account locked for good.
    for _ in 0..4 {
        let (status, body, _) = login(
            &cloud.base,
            json!({"email": email, "password": "otra cosa mala"}),
        )
        .await;
        assert_eq!(status, 401, "{body}");
    }
    let (status, _, _) = login(
        &cloud.base,
        json!({"email": email, "password": "y otra más"}),
    )
    .await;
    assert_eq!(status, 401, "the sixth is checked, and starts the delay");
    let (status, body, retry) =
        login(&cloud.base, json!({"email": email, "password": PASSWORD})).await;
    assert_eq!((status, code(&body)), (429, "too_many_attempts"), "{body}");
    let retry: i64 = retry.expect("Retry-After").parse().expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    // The wait passes (moved forward here rather than slept): the right password gets in and
    // the account's count is forgotten.
    db.execute("UPDATE login_failures SET not_before = now()", &[])
        .await
        .expect("wait over");
    let (status, body, _) = login(&cloud.base, json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(status, 200, "{body}");
    let phone = as_token(&owner, body["token"].as_str().expect("token"));
    assert_eq!(
        common::count(
            &db,
            &format!("SELECT count(*) FROM login_failures WHERE key = 'email:{email}'")
        )
        .await,
        0
    );

    // A burst of concurrent guesses at one account gets at most one check at a time: every
    // answer is a refusal, never a 5xx, and no more failures are counted than were checked.
    let guesses = (0..12).map(|i| {
        let base = cloud.base.clone();
        let email = email.clone();
        tokio::spawn(async move {
            login(
                &base,
                json!({"email": email, "password": format!("adivina {i}")}),
            )
            .await
        })
    });
    let mut checked = 0;
    for g in guesses {
        let (status, body, _) = g.await.expect("guess");
        assert!(status == 401 || status == 429, "{status} {body}");
        checked += i64::from(status == 401);
    }
    let counted = common::count(
        &db,
        &format!("SELECT COALESCE(max(failures), 0)::int8 FROM login_failures WHERE key = 'email:{email}'"),
    )
    .await;
    assert_eq!(counted, checked, "each checked guess counted once");
    db.execute("DELETE FROM login_failures", &[])
        .await
        .expect("reset");

    // Sessions: every device signed in is listed; signing one out ends it at once.
    let (status, list) = owner.get("/api/v1/auth/sessions").await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().expect("sessions");
    assert_eq!(items.len(), 3, "invitation, laptop, phone: {list}");
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let (_, laptop_me) = laptop.get("/api/v1/auth/sessions").await;
    let laptop_session = laptop_me["items"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["current"] == true))
        .and_then(|s| s["id"].as_str())
        .expect("laptop's session")
        .to_string();
    let (status, _) = owner
        .delete(&format!("/api/v1/auth/sessions/{laptop_session}"))
        .await;
    assert_eq!(status, 204);
    assert_eq!(laptop.get("/api/v1/auth/me").await.0, 401);
    assert_eq!(
        owner
            .delete(&format!("/api/v1/auth/sessions/{laptop_session}"))
            .await
            .0,
        404
    );

    // A new password: the old one stops working and other devices are signed out.
    let (status, body) = owner
        .post(
            "/api/v1/auth/password",
            json!({"current_password": "mal", "new_password": "otra contraseña larga"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("current_password"))
    );
    let (status, body) = owner
        .post(
            "/api/v1/auth/password",
            json!({"current_password": PASSWORD, "new_password": "corta"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("new_password"))
    );
    let new_password = "otra contraseña larga";
    let (status, body) = owner
        .post(
            "/api/v1/auth/password",
            json!({"current_password": PASSWORD, "new_password": new_password}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        owner.get("/api/v1/auth/me").await.0,
        200,
        "this device stays"
    );
    assert_eq!(
        phone.get("/api/v1/auth/me").await.0,
        401,
        "the phone is out"
    );
    assert_eq!(
        login(&cloud.base, json!({"email": email, "password": PASSWORD}))
            .await
            .0,
        401
    );
    assert_eq!(
        login(
            &cloud.base,
            json!({"email": email, "password": new_password})
        )
        .await
        .0,
        200
    );

    // The second factor: a secret for the app, confirmed with one of its codes.
    let (status, setup) = owner.post("/api/v1/auth/totp/setup", json!({})).await;
    assert_eq!(status, 200, "{setup}");
    let secret = setup["secret"].as_str().expect("secret").to_string();
    assert!(setup["otpauth_url"]
        .as_str()
        .is_some_and(|u| u.starts_with("otpauth://totp/Kidyboard:") && u.contains(&secret)));
    let (status, body) = owner
        .post("/api/v1/auth/totp/enable", json!({"code": "000000"}))
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("code"))
    );
    let now = now_secs();
    let first = kidyboard_cloud::totp::code_at(&secret, now).expect("code");
    let (status, body) = owner
        .post("/api/v1/auth/totp/enable", json!({"code": first}))
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(owner.get("/api/v1/auth/me").await.1["totp_enabled"], true);
    assert_eq!(
        owner.post("/api/v1/auth/totp/setup", json!({})).await.0,
        409,
        "already on"
    );

    let (status, body, _) = login(
        &cloud.base,
        json!({"email": email, "password": new_password}),
    )
    .await;
    assert_eq!((status, code(&body)), (401, "totp_required"));
    let (status, body, _) = login(
        &cloud.base,
        json!({"email": email, "password": new_password, "totp_code": "123456"}),
    )
    .await;
    assert_eq!((status, code(&body)), (401, "wrong_totp"));
    let (status, body, _) = login(
        &cloud.base,
        json!({"email": email, "password": new_password, "totp_code": first}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (401, "wrong_totp"),
        "the code that turned it on is spent"
    );
    let next = kidyboard_cloud::totp::code_at(&secret, now + 30).expect("next code");
    let (status, body, _) = login(
        &cloud.base,
        json!({"email": email, "password": new_password, "totp_code": next}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body, _) = login(
        &cloud.base,
        json!({"email": email, "password": new_password, "totp_code": next}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (401, "wrong_totp"),
        "a code works once"
    );

    let (status, body) = owner
        .post("/api/v1/auth/totp/disable", json!({"password": "mal"}))
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("password"))
    );
    let (status, _) = owner
        .post(
            "/api/v1/auth/totp/disable",
            json!({"password": new_password}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        login(
            &cloud.base,
            json!({"email": email, "password": new_password})
        )
        .await
        .0,
        200
    );

    // Signing out ends this session.
    assert_eq!(owner.post("/api/v1/auth/logout", json!({})).await.0, 204);
    assert_eq!(owner.get("/api/v1/auth/me").await.0, 401);
    // No password, hash or secret is ever answered.
    let stored: String = db
        .query_one(
            "SELECT password_hash FROM users WHERE email = $1",
            &[&email],
        )
        .await
        .expect("user")
        .get(0);
    assert!(stored.starts_with("$argon2id$"), "{stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_and_what_each_role_may_do_on_every_route() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("roles").await;
    // Every public route five times over from one address: above the per-address rate limit.
    let cloud = TestCloud::start_with(&url, "127.0.0.1:0".parse().expect("addr"), |c| {
        c.public_rate_burst = 1_000;
    });
    let db = common::cloud_db(&url).await;
    let http = reqwest::Client::new();
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let a = owner.branch("Centro").await;
    let b = owner.branch("Norte").await;

    // Invitations: bad input names the field; a link works once and not after it expires or is
    // withdrawn; an address has one account.
    let (status, body) = owner
        .post(
            "/api/v1/invitations",
            json!({"email": "no es correo", "role": "manager"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("email"))
    );
    let (status, body) = owner
        .post(
            "/api/v1/invitations",
            json!({"email": "x@example.mx", "role": "manager", "branch_ids": [a, "nope"]}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("branch_ids[1]"))
    );
    let (status, body) = owner
        .post(
            "/api/v1/invitations",
            json!({"email": "x@example.mx", "role": "jefe"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, inv) = owner
        .post(
            "/api/v1/invitations",
            json!({"email": "Gerente@Example.mx", "role": "manager", "branch_ids": [a]}),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    let token = inv["token"].as_str().expect("token").to_string();
    assert!(inv["url"]
        .as_str()
        .is_some_and(|u| u.starts_with(&cloud.base) && u.ends_with(&token)));
    let (status, preview) = call(
        &http,
        http.post(format!("{}/api/v1/invitations/preview", cloud.base))
            .json(&json!({"token": token})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            preview["email"].clone(),
            preview["organisation_name"].clone(),
            preview["role"].clone()
        ),
        (
            json!("gerente@example.mx"),
            json!("Brincolines"),
            json!("manager")
        )
    );
    let (status, body) = call(
        &http,
        http.post(format!("{}/api/v1/invitations/accept", cloud.base))
            .json(&json!({"token": token, "name": "Luis", "password": "corta"})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("password"))
    );
    let manager = Owner::accept(&cloud.base, &token, "Luis").await;
    let (status, body) = call(
        &http,
        http.post(format!("{}/api/v1/invitations/accept", cloud.base))
            .json(&json!({"token": token, "name": "Otro", "password": PASSWORD})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("token")),
        "once"
    );
    let (status, body) = owner
        .post(
            "/api/v1/invitations",
            json!({"email": "gerente@example.mx", "role": "viewer"}),
        )
        .await;
    assert_eq!((status, code(&body)), (409, "email_taken"));
    for how in [
        "expires_at = now() - interval '1 minute'",
        "revoked_at = now()",
    ] {
        let (_, inv) = owner
            .post(
                "/api/v1/invitations",
                json!({"email": format!("tarde-{}@example.mx", how.len()), "role": "viewer"}),
            )
            .await;
        db.execute(
            &format!("UPDATE invitations SET {how} WHERE id = $1"),
            &[&inv["invitation"]["id"].as_str().expect("id")],
        )
        .await
        .expect("expire");
        let (status, body) = call(
            &http,
            http.post(format!("{}/api/v1/invitations/accept", cloud.base))
                .json(&json!({"token": inv["token"], "name": "Tarde", "password": PASSWORD})),
        )
        .await;
        assert_eq!(
            (status, body["error"]["field"].clone()),
            (422, json!("token")),
            "{how}"
        );
    }
    let viewer = owner.invite("viewer", &[a.as_str()]).await;
    let (_, me) = manager.get("/api/v1/auth/me").await;
    assert_eq!(
        (me["role"].clone(), me["branch_ids"].clone()),
        (json!("manager"), json!([a]))
    );

    // A paired store, so device routes and device credentials are in the matrix too.
    let store = TestStore::new();
    let device_token = store.pair(&owner, &a).await;
    let device = as_token(&owner, &device_token);
    let anonymous = as_token(&owner, "");

    // Some data in both branches (as the projections hold it), to see who counts what.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::America::Mexico_City)
        .date_naive()
        .to_string();
    for (branch, cents) in [(&a, 10_000i64), (&b, 25_000)] {
        db.execute(
            "INSERT INTO sales_daily (branch_id, business_day, sales_count, revenue_cents, change_cents,
                services_cents, products_cents, packages_cents, cash_cents, card_cents, transfer_cents)
             VALUES ($1, $2, 1, $3, 0, $3, 0, 0, $3, 0, 0)",
            &[branch, &today, &cents],
        )
        .await
        .expect("a day's sales");
    }
    for (who, expected) in [(&owner, 35_000), (&manager, 10_000), (&viewer, 10_000)] {
        let (status, s) = who.get("/api/v1/reports/summary").await;
        assert_eq!(
            (status, s["revenue_cents"].clone()),
            (200, json!(expected)),
            "{s}"
        );
    }
    let (_, list) = manager.get("/api/v1/branches").await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|b| b["name"].as_str())
        .collect();
    assert_eq!(names, ["Centro"], "a manager sees only their branch");

    let (_, product) = owner
        .post(
            "/api/v1/catalog/products",
            json!({"name": "Jugo", "price_cents": 2500}),
        )
        .await;
    let product = product["id"].as_str().expect("product").to_string();
    let (_, service) = owner
        .post(
            "/api/v1/catalog/services",
            json!({"name": "30 minutos", "duration_minutes": 30, "price_cents": 9000}),
        )
        .await;
    let service = service["id"].as_str().expect("service").to_string();
    let viewer_id = viewer.get("/api/v1/auth/me").await.1["id"]
        .as_str()
        .expect("viewer id")
        .to_string();

    // Every route: (method, path as documented, path called, body, owner, manager of Centro,
    // viewer of Centro, a device, nobody). `0` = not the point of the row (a device on routes for
    // people is 401 like nobody).
    let x = json!({});
    #[rustfmt::skip]
    let rows: Vec<(&str, &str, String, Value, [u16; 5])> = vec![
        ("post", "/api/v1/organisations", "/api/v1/organisations".into(), json!({"name": "Z", "owner_email": "z@example.mx"}), [401, 401, 401, 401, 401]),
        ("post", "/api/v1/signup", "/api/v1/signup".into(), json!({"organisation_name": "Z", "name": "Z", "email": "z@example.mx", "password": PASSWORD}), [409, 409, 409, 409, 409]),
        ("post", "/api/v1/auth/login", "/api/v1/auth/login".into(), json!({"email": "z@example.mx", "password": "x"}), [401, 401, 401, 401, 401]),
        ("get", "/api/v1/auth/me", "/api/v1/auth/me".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/auth/sessions", "/api/v1/auth/sessions".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("delete", "/api/v1/auth/sessions/{id}", "/api/v1/auth/sessions/nope".into(), x.clone(), [404, 404, 404, 401, 401]),
        ("post", "/api/v1/auth/password", "/api/v1/auth/password".into(), json!({"current_password": "mal", "new_password": "otra contraseña larga"}), [422, 422, 422, 401, 401]),
        ("post", "/api/v1/auth/totp/setup", "/api/v1/auth/totp/setup".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("post", "/api/v1/auth/totp/enable", "/api/v1/auth/totp/enable".into(), json!({"code": "000000"}), [422, 422, 422, 401, 401]),
        ("post", "/api/v1/auth/totp/disable", "/api/v1/auth/totp/disable".into(), json!({"password": "mal"}), [422, 422, 422, 401, 401]),
        ("get", "/api/v1/invitations", "/api/v1/invitations".into(), x.clone(), [200, 403, 403, 401, 401]),
        ("post", "/api/v1/invitations", "/api/v1/invitations".into(), json!({"email": "nueva@example.mx", "role": "viewer"}), [201, 403, 403, 401, 401]),
        ("delete", "/api/v1/invitations/{id}", "/api/v1/invitations/nope".into(), x.clone(), [404, 403, 403, 401, 401]),
        ("post", "/api/v1/invitations/preview", "/api/v1/invitations/preview".into(), json!({"token": "nope"}), [422, 422, 422, 422, 422]),
        ("post", "/api/v1/invitations/accept", "/api/v1/invitations/accept".into(), json!({"token": "nope", "name": "X", "password": PASSWORD}), [422, 422, 422, 422, 422]),
        ("get", "/api/v1/users", "/api/v1/users".into(), x.clone(), [200, 403, 403, 401, 401]),
        ("patch", "/api/v1/users/{id}", format!("/api/v1/users/{viewer_id}"), json!({"name": "Vera"}), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/branches", "/api/v1/branches".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("post", "/api/v1/branches", "/api/v1/branches".into(), json!({"name": "Sur"}), [201, 403, 403, 401, 401]),
        ("patch", "/api/v1/branches/{id}", format!("/api/v1/branches/{a}"), json!({"name": "Centro"}), [200, 200, 403, 401, 401]),
        ("patch", "/api/v1/branches/{id}", format!("/api/v1/branches/{b}"), json!({"name": "Norte"}), [200, 403, 403, 401, 401]),
        ("delete", "/api/v1/branches/{id}/devices/{device_id}", format!("/api/v1/branches/{a}/devices/nope"), x.clone(), [404, 404, 403, 401, 401]),
        ("delete", "/api/v1/branches/{id}/devices/{device_id}", format!("/api/v1/branches/{b}/devices/nope"), x.clone(), [404, 403, 403, 401, 401]),
        ("post", "/api/v1/branches/{id}/pairing-codes", format!("/api/v1/branches/{a}/pairing-codes"), x.clone(), [201, 201, 403, 401, 401]),
        ("post", "/api/v1/branches/{id}/pairing-codes", format!("/api/v1/branches/{b}/pairing-codes"), x.clone(), [201, 403, 403, 401, 401]),
        ("post", "/api/v1/devices/pair", "/api/v1/devices/pair".into(), json!({"code": "AAAAA-AAAAA", "device_id": "01J00000000000000000000000"}), [422, 422, 422, 422, 422]),
        ("post", "/api/v1/sync/push", "/api/v1/sync/push".into(), json!({"events": []}), [401, 401, 401, 422, 401]),
        ("get", "/api/v1/sync/catalog", "/api/v1/sync/catalog".into(), x.clone(), [401, 401, 401, 200, 401]),
        ("put", "/api/v1/sync/pictures/{hash}", format!("/api/v1/sync/pictures/{}", "0".repeat(64)), x.clone(), [401, 401, 401, 422, 401]),
        ("get", "/api/v1/sync/pictures/{hash}", format!("/api/v1/sync/pictures/{}", "0".repeat(64)), x.clone(), [401, 401, 401, 404, 401]),
        ("get", "/api/v1/catalog/products", "/api/v1/catalog/products".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("post", "/api/v1/catalog/products", "/api/v1/catalog/products".into(), json!({"name": "Agua", "price_cents": 1500}), [201, 403, 403, 401, 401]),
        ("patch", "/api/v1/catalog/products/{id}", format!("/api/v1/catalog/products/{product}"), json!({"price_cents": 2600}), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/catalog/packages", "/api/v1/catalog/packages".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("post", "/api/v1/catalog/packages", "/api/v1/catalog/packages".into(), json!({"name": "Combo", "price_cents": 12000, "items": [{"service_id": service, "quantity": 1}, {"product_id": product, "quantity": 1}]}), [201, 403, 403, 401, 401]),
        ("patch", "/api/v1/catalog/packages/{id}", "/api/v1/catalog/packages/nope".into(), json!({"price_cents": 12500}), [404, 403, 403, 401, 401]),
        ("get", "/api/v1/catalog/menu-designs", "/api/v1/catalog/menu-designs".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/catalog/overrides", "/api/v1/catalog/overrides".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/catalog/overrides", format!("/api/v1/catalog/overrides?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("put", "/api/v1/catalog/overrides", "/api/v1/catalog/overrides".into(), json!({"branch_id": a, "entity": "product", "entity_id": product, "price_cents": 2700}), [200, 200, 403, 401, 401]),
        ("put", "/api/v1/catalog/overrides", "/api/v1/catalog/overrides".into(), json!({"branch_id": b, "entity": "product", "entity_id": product, "price_cents": 2700}), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/catalog/services", "/api/v1/catalog/services".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("post", "/api/v1/catalog/services", "/api/v1/catalog/services".into(), json!({"name": "15 minutos", "duration_minutes": 15, "price_cents": 5000}), [201, 403, 403, 401, 401]),
        ("patch", "/api/v1/catalog/services/{id}", format!("/api/v1/catalog/services/{service}"), json!({"price_cents": 9500}), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/reports/summary", "/api/v1/reports/summary".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/reports/summary", format!("/api/v1/reports/summary?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/stock-alerts", format!("/api/v1/stock-alerts?branch_id={a}"), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/stock-alerts", format!("/api/v1/stock-alerts?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/timers", format!("/api/v1/timers?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/bookings", format!("/api/v1/bookings?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/bookings", "/api/v1/bookings".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/alert-settings", "/api/v1/alert-settings".into(), x.clone(), [200, 403, 403, 401, 401]),
        ("put", "/api/v1/alert-settings", "/api/v1/alert-settings".into(), json!({"offline_minutes": 45}), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/alerts", "/api/v1/alerts".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/alerts", format!("/api/v1/alerts?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/reports/branches", "/api/v1/reports/branches".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/reports/heatmap", "/api/v1/reports/heatmap".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/reports/heatmap", format!("/api/v1/reports/heatmap?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/reports/top-products", "/api/v1/reports/top-products".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/reports/top-products", format!("/api/v1/reports/top-products?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/reports/branches", format!("/api/v1/reports/branches?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/reports/branches/file", "/api/v1/reports/branches/file?format=xlsx".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/reports/branches/file", format!("/api/v1/reports/branches/file?format=pdf&branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/api/v1/day-closings", "/api/v1/day-closings".into(), x.clone(), [200, 200, 200, 401, 401]),
        ("get", "/api/v1/day-closings", format!("/api/v1/day-closings?branch_id={b}"), x.clone(), [200, 403, 403, 401, 401]),
        ("get", "/metrics", "/metrics".into(), x.clone(), [401, 401, 401, 401, 401]),
        ("get", "/healthz", "/healthz".into(), x.clone(), [200, 200, 200, 200, 200]),
        ("get", "/readyz", "/readyz".into(), x.clone(), [200, 200, 200, 200, 200]),
    ];
    // The operator's token is for creating organisations and reading the metrics only.
    let operator = as_token(&owner, OPERATOR);
    assert_eq!(operator.get("/api/v1/branches").await.0, 401);

    let people = [&owner, &manager, &viewer, &device, &anonymous];
    let mut covered = BTreeSet::new();
    for (method, documented, path, body, expected) in &rows {
        covered.insert(format!("{method} {documented}"));
        for (who, want) in people.iter().zip(expected) {
            let (status, answer) = match *method {
                "get" => who.get(path).await,
                "post" => who.post(path, body.clone()).await,
                "patch" => who.patch(path, body.clone()).await,
                "put" => who.put(path, body.clone()).await,
                _ => who.delete(path).await,
            };
            assert_eq!(
                status,
                *want,
                "{method} {path} as #{} answered {answer}",
                people
                    .iter()
                    .position(|p| std::ptr::eq(*p, *who))
                    .unwrap_or(9)
            );
            if status >= 400 {
                assert!(
                    answer["error"]["code"].is_string(),
                    "{method} {path}: JSON error {answer}"
                );
            }
        }
    }
    // The metrics count requests by route pattern, never by raw path.
    let (status, metrics) = operator.get("/metrics").await;
    assert_eq!(status, 200);
    let metrics = metrics.as_str().unwrap_or_default().to_string();
    assert!(
        metrics.contains("kidyboard_cloud_http_requests_total{route=\"/api/v1/auth/login\",method=\"POST\",status=\"401\"}")
            && metrics.contains("route=\"/api/v1/branches/{id}/pairing-codes\"")
            && !metrics.contains(&a),
        "{metrics}"
    );

    // Logging out is last: it ends the session it is called with.
    covered.insert("post /api/v1/auth/logout".into());
    assert_eq!(
        anonymous.post("/api/v1/auth/logout", x.clone()).await.0,
        401
    );
    assert_eq!(device.post("/api/v1/auth/logout", x.clone()).await.0, 401);
    for who in [&viewer, &manager, &owner] {
        assert_eq!(who.post("/api/v1/auth/logout", x.clone()).await.0, 204);
        assert_eq!(who.get("/api/v1/auth/me").await.0, 401);
    }

    // The matrix has a row for every operation in the OpenAPI document.
    let (_, doc) = call(
        &http,
        http.get(format!("{}/api/v1/openapi.json", cloud.base)),
    )
    .await;
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flat_map(|ops| ops.keys())
                .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(move |m| format!("{m} {path}"))
        })
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(missing.is_empty(), "routes without a row: {missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_manages_people_and_keeps_one_owner() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("people").await;
    let cloud = TestCloud::start(&url);
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let a = owner.branch("Centro").await;
    let b = owner.branch("Norte").await;
    let manager = owner.invite("manager", &[a.as_str()]).await;
    let (_, me) = manager.get("/api/v1/auth/me").await;
    let id = me["id"].as_str().expect("id").to_string();

    // Given a second branch, the manager sees both; a branch of nobody's is refused by name.
    let (status, user) = owner
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({"branch_ids": [a, b]}),
        )
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(
        manager.get("/api/v1/branches").await.1["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let (status, body) = owner
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({"branch_ids": ["nope"]}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("branch_ids[0]"))
    );

    // Disabled: signed out at once and cannot sign in.
    let (status, _) = owner
        .patch(&format!("/api/v1/users/{id}"), json!({"disabled": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(manager.get("/api/v1/auth/me").await.0, 401);
    let (status, _, _) = login(
        &cloud.base,
        json!({"email": me["email"], "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, 401);

    // The only owner can neither step down nor be disabled.
    let (_, me) = owner.get("/api/v1/auth/me").await;
    let owner_id = me["id"].as_str().expect("owner id");
    for edit in [json!({"role": "viewer"}), json!({"disabled": true})] {
        let (status, body) = owner
            .patch(&format!("/api/v1/users/{owner_id}"), edit)
            .await;
        assert_eq!((status, code(&body)), (409, "last_owner"), "{body}");
    }
    assert_eq!(owner.get("/api/v1/auth/me").await.1["role"], "owner");
    // With a second owner, the first may become a viewer.
    let second = owner.invite("owner", &[]).await;
    let (status, _) = owner
        .patch(
            &format!("/api/v1/users/{owner_id}"),
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        owner
            .post("/api/v1/branches", json!({"name": "Sur"}))
            .await
            .0,
        403
    );
    assert_eq!(
        second.get("/api/v1/users").await.1["items"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_security_headers_cors_and_the_console_files() {
    let pg = common::pg::Postgres::start();
    let url = pg.create_database("edge").await;
    let console = tempfile::tempdir().expect("console dir");
    std::fs::write(
        console.path().join("index.html"),
        "<!doctype html><title>Consola</title>",
    )
    .expect("index");
    std::fs::create_dir(console.path().join("assets")).expect("assets");
    std::fs::write(console.path().join("assets/app-1234.js"), "console.log(1)").expect("asset");
    let dir = console.path().to_path_buf();
    let cloud = TestCloud::start_with(&url, "127.0.0.1:0".parse().expect("addr"), move |c| {
        c.public_rate_burst = 4;
        c.public_rate_per_sec = 0.01;
        c.sync_rate_burst = 2;
        c.sync_rate_per_sec = 0.01;
        c.console_dir = Some(dir);
        c.cors_origins = vec!["https://panel.example.mx".into()];
    });
    let http = reqwest::Client::new();

    // Sign-in, invitations and pairing from one address share a small budget: the owner's
    // invitation and the store's pairing take two, two wrong sign-ins the rest, and the next is
    // 429 `rate_limited` with Retry-After.
    let owner = Owner::create(&cloud.base, "Brincolines").await;
    let branch = owner.branch("Centro").await;
    let store = TestStore::new();
    let token = store.pair(&owner, &branch).await;
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(
            login(
                &cloud.base,
                json!({"email": "x@example.mx", "password": "no"}),
            )
            .await,
        );
    }
    assert!(
        answers[..2].iter().all(|(s, _, _)| *s == 401),
        "{answers:?}"
    );
    let (status, body, retry) = &answers[2];
    assert_eq!((*status, code(body)), (429, "rate_limited"), "{body}");
    assert!(retry
        .as_deref()
        .and_then(|r| r.parse::<u64>().ok())
        .is_some_and(|r| r >= 1));

    // Sync per store: a burst, then 429.
    let device = owner.with_token(&token);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(device.get("/api/v1/sync/catalog").await.0);
    }
    assert_eq!(statuses, [200, 200, 429]);

    // Every answer carries the security headers; the console's files are served with its
    // index for its own pages, while an unknown API path stays a JSON 404.
    let res = http
        .get(format!("{}/readyz", cloud.base))
        .send()
        .await
        .expect("readyz");
    for (h, v) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(
            res.headers().get(h).and_then(|x| x.to_str().ok()),
            Some(v),
            "{h}"
        );
    }
    assert!(res
        .headers()
        .get("content-security-policy")
        .and_then(|x| x.to_str().ok())
        .is_some_and(|c| c.contains("default-src 'self'") && c.contains("frame-ancestors 'none'")));
    for page in ["/", "/sucursales", "/#/invitacion/abc"] {
        let res = http
            .get(format!("{}{page}", cloud.base))
            .send()
            .await
            .expect("page");
        assert_eq!(res.status(), 200, "{page}");
        assert_eq!(
            res.headers()
                .get("cache-control")
                .and_then(|x| x.to_str().ok()),
            Some("no-cache")
        );
        assert!(res
            .text()
            .await
            .expect("html")
            .contains("<title>Consola</title>"));
    }
    let res = http
        .get(format!("{}/assets/app-1234.js", cloud.base))
        .send()
        .await
        .expect("asset");
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get("cache-control")
        .and_then(|x| x.to_str().ok())
        .is_some_and(|c| c.contains("immutable")));
    let (status, body) = call(&http, http.get(format!("{}/api/v1/nada", cloud.base))).await;
    assert_eq!((status, code(&body)), (404, "not_found"));
    let res = http
        .get(format!("{}/assets/missing.js", cloud.base))
        .send()
        .await
        .expect("missing asset");
    assert_ne!(
        res.text().await.unwrap_or_default(),
        "<!doctype html><title>Consola</title>",
        "a missing asset is not the index"
    );

    // CORS only for the configured origin.
    for (origin, allowed) in [
        ("https://panel.example.mx", true),
        ("https://otro.example", false),
    ] {
        let res = http
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/auth/login", cloud.base),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
            .await
            .expect("preflight");
        assert_eq!(
            res.headers().get("access-control-allow-origin").is_some(),
            allowed,
            "{origin}"
        );
    }
}
