//! The totem's visitor counter against a real hub on 127.0.0.1:0: the real runner (YuNet on ONNX
//! Runtime) reads a folder of frames made from real photos and reports to the hub; the visitors
//! report then has exact figures, a retried batch stores nothing twice, no picture is written in
//! the hub's data directory, and bad input and wrong roles get 4xx JSON.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Answer, Client, TestHub};
use kidyboard_core::{clock, demo};
use kidyboard_vision::hub::{forward, HubClient};
use kidyboard_vision::spool::Spool;
use kidyboard_vision::{
    ModelPaths, RunnerConfig, RunnerEvent, SourceOptions, SourceSpec, VisionHandle, VisionService,
};
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;

async fn put(c: &Client, path: &str, body: Value) -> Answer {
    let res = c
        .http
        .put(format!("{}/api/v1{path}", c.base))
        .bearer_auth(&c.token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        body,
        headers,
    }
}

fn photos() -> std::path::PathBuf {
    let dir = kidyboard_vision::runtime::default_dir().join("photos");
    assert!(
        dir.join("astronaut.png").is_file(),
        "run scripts/fetch-vision.sh first ({} is empty)",
        dir.display()
    );
    dir
}

/// Every file under `dir` whose name or first bytes say it is a picture.
fn pictures_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let head: Vec<u8> = std::fs::read(&p)
                .map(|b| b.into_iter().take(8).collect())
                .unwrap_or_default();
            let magic = head.starts_with(&[0xFF, 0xD8, 0xFF])
                || head.starts_with(b"\x89PNG")
                || head.starts_with(b"RIFF");
            let ext = p
                .extension()
                .and_then(|x| x.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if magic || ["png", "jpg", "jpeg", "webp", "avif", "bmp"].contains(&ext.as_str()) {
                found.push(p.display().to_string());
            }
        }
    }
    found
}

/// The demo frames (two visitors) in a folder, replayed at 2 fps from `start` as the counter
/// sees them; the folder lives as long as the answer's first part.
fn replay_demo(
    start: clock::Millis,
) -> (
    tempfile::TempDir,
    VisionHandle,
    UnboundedReceiver<RunnerEvent>,
) {
    let frames = tempfile::tempdir().expect("tmp");
    kidyboard_vision::demo::write_sequence(&photos(), frames.path()).expect("frames");
    let mut config = RunnerConfig::new(SourceSpec::Dir(frames.path().to_path_buf()));
    config.source_options = SourceOptions {
        fps: 2,
        replay_start: Some(start),
        ..SourceOptions::default()
    };
    let mut runner = VisionService::start(config);
    let events = runner.take_events().expect("events");
    (frames, runner, events)
}

/// The hub's business day and the day before, and 11:00 of that day in Mexico City (UTC−6): the
/// morning shift, and safely in the past.
async fn yesterday_morning(admin: &Client) -> (String, String, clock::Millis) {
    let today = admin.get("/day-closings/current").await.body["business_day"]
        .as_str()
        .expect("day")
        .to_string();
    let day = clock::parse_day("d", &today).expect("day");
    let yesterday = (day - chrono::Duration::days(1)).to_string();
    let start = clock::parse_rfc3339("t", &format!("{yesterday}T11:00:00-06:00")).expect("time");
    (today, yesterday, start)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_reports_visits_and_the_report_has_exact_figures() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let rec = hub.login("recepcion").await;
    let (today, yesterday, start) = yesterday_morning(&admin).await;
    let (frames, runner, events) = replay_demo(start);
    let totem = HubClient::login(&hub.base, "totem", demo::DEMO_PASSWORD)
        .await
        .expect("totem signs in");
    let delivered = tokio::time::timeout(
        Duration::from_secs(120),
        forward(events, totem, "totem-entrada".into(), None, None),
    )
    .await
    .expect("the folder is read within two minutes");
    assert_eq!((delivered.visits, delivered.undelivered), (2, 0));

    // A child checked in today: one check-in for two visitors.
    let hour = rec.id_of("services", "1 hora de juego").await;
    let sale = rec
        .post("/sales", json!({"items": [{"service_id": hour, "quantity": 1, "child": {"name": "Valentina"}}], "payments": [{"method": "cash", "amount_cents": 20000}]}))
        .await;
    assert_eq!(sale.status, 201, "{:?}", sale.body);

    let r = admin
        .get(&format!("/reports/visitors?from={yesterday}&to={today}"))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let f = &r.body["figures"];
    assert_eq!(f["visitors"], 2);
    // Frames every 500 ms: the astronaut in frames 0–19, Grace Hopper in 10–29 → 9.5 s each.
    assert_eq!(f["total_dwell_ms"], 19_000);
    assert_eq!(f["average_dwell_ms"], 9_500);
    assert_eq!(f["by_hour"][11]["visitors"], 2);
    assert_eq!(f["by_shift"][0]["name"], "mañana");
    assert_eq!(f["by_shift"][0]["visitors"], 2);
    assert_eq!(f["by_shift"][1]["visitors"], 0);
    assert_eq!(f["dwell"][0]["visitors"], 2, "both under 10 s");
    assert_eq!(r.body["check_ins"], 1);
    assert_eq!(r.body["sales_count"], 1);
    assert_eq!(r.body["conversion"], 0.5);
    assert_eq!(r.body["timezone"], "America/Mexico_City");
    let only_today = admin
        .get(&format!("/reports/visitors?from={today}&to={today}"))
        .await;
    assert_eq!(only_today.body["figures"]["visitors"], 0);
    assert!(
        only_today.body["conversion"].is_null(),
        "no conversion without visitors"
    );

    // The camera's status reached the hub.
    let s = admin.get("/vision/status").await;
    assert_eq!(s.status, 200);
    let cam = &s.body["items"][0];
    assert_eq!(cam["device_id"], "totem-entrada");
    assert_eq!(cam["state"], "finished");

    // Nothing picture-like in the hub's data directory; the frames folder is as it was.
    assert!(
        pictures_under(&hub.dir).is_empty(),
        "no pictures in the data dir: {:?}",
        pictures_under(&hub.dir)
    );
    assert_eq!(
        std::fs::read_dir(frames.path()).expect("frames").count(),
        36
    );

    // The same visits again (a retry after a lost reply) store nothing.
    let totem = hub.login("totem").await;
    let visits = stored_visits(&hub).await;
    let again = totem
        .post(
            "/vision/visits",
            json!({"device_id": "totem-entrada", "visits": visits}),
        )
        .await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(
        (
            again.body["recorded"].clone(),
            again.body["duplicates"].clone()
        ),
        (json!(0), json!(2))
    );
    let r2 = admin
        .get(&format!("/reports/visitors?from={yesterday}&to={today}"))
        .await;
    assert_eq!(
        r2.body["figures"]["visitors"], 2,
        "a retried batch adds nobody"
    );
    drop(runner);
    hub.stop().await;
}

/// The stored visits, read back from the event log (what sync pushes).
async fn stored_visits(hub: &TestHub) -> Vec<Value> {
    let admin = hub.login("admin").await;
    let events = admin.get("/events?after=0&limit=1000").await;
    let list = events.body["items"].as_array().cloned().unwrap_or_default();
    let recorded: Vec<Value> = list
        .iter()
        .filter(|e| e["type"] == "vision.visits_recorded")
        .flat_map(|e| e["payload"].as_array().cloned().unwrap_or_default())
        .map(|v| json!({"id": v["id"], "started_at": v["started_at"], "ended_at": v["ended_at"]}))
        .collect();
    assert_eq!(
        recorded.len(),
        2,
        "each stored visit is in the event log: {list:?}"
    );
    recorded
}

#[tokio::test]
async fn bad_visits_and_statuses_are_4xx_json_naming_the_field() {
    let hub = TestHub::start().await;
    let totem = hub.login("totem").await;
    let id = kidyboard_core::ids::new_id();
    let cases = [
        (json!({"device_id": "t", "visits": []}), "visits"),
        (
            json!({"device_id": "t", "visits": [{"id": "nope", "started_at": "2026-11-01T10:00:00Z", "ended_at": "2026-11-01T10:00:05Z"}]}),
            "visits[0].id",
        ),
        (
            json!({"device_id": "t", "visits": [{"id": id, "started_at": "2026-11-01T10:00:05Z", "ended_at": "2026-11-01T10:00:00Z"}]}),
            "visits[0].ended_at",
        ),
        (
            json!({"device_id": "t", "visits": [{"id": id, "started_at": "yesterday", "ended_at": "2026-11-01T10:00:00Z"}]}),
            "visits[0].started_at",
        ),
        (
            json!({"device_id": "t", "visits": [{"id": id, "started_at": "2099-01-01T10:00:00Z", "ended_at": "2099-01-01T10:00:01Z"}]}),
            "visits[0].ended_at",
        ),
        (
            json!({"device_id": "", "visits": [{"id": id, "started_at": "2026-11-01T10:00:00Z", "ended_at": "2026-11-01T10:00:01Z"}]}),
            "device_id",
        ),
    ];
    for (body, field) in cases {
        let a = totem.post("/vision/visits", body.clone()).await;
        assert_eq!(a.status, 422, "{body}: {:?}", a.body);
        assert_eq!(a.body["error"]["field"], field, "{body}");
    }
    let a = totem.post("/vision/visits", json!({"device_id": 5})).await;
    assert!(
        (400..500).contains(&a.status) && a.body["error"]["code"].is_string(),
        "{:?}",
        a.body
    );
    let a = put(
        &totem,
        "/vision/status",
        json!({"device_id": "t", "state": "exploded"}),
    )
    .await;
    assert!(
        (400..500).contains(&a.status) && a.body["error"]["code"].is_string(),
        "{:?}",
        a.body
    );
    let a = put(
        &totem,
        "/vision/status",
        json!({"device_id": "t", "state": "ok", "fps": -1}),
    )
    .await;
    assert_eq!(
        (a.status, a.body["error"]["field"].clone()),
        (422, json!("fps"))
    );
    let admin = hub.login("admin").await;
    let a = put(&admin, "/vision/shifts", json!({"items": [{"name": "a", "start": "09:00", "end": "14:00"}, {"name": "b", "start": "13:00", "end": "18:00"}]})).await;
    assert_eq!(
        (a.status, a.body["error"]["field"].clone()),
        (422, json!("items[1].start"))
    );
    let a = admin.get("/reports/visitors?from=2026-13-01").await;
    assert_eq!(
        (a.status, a.body["error"]["field"].clone()),
        (422, json!("from"))
    );
    hub.stop().await;
}

#[tokio::test]
async fn roles_decide_who_sends_and_who_reads() {
    let hub = TestHub::start().await;
    let batch = json!({"device_id": "t", "visits": [{"id": kidyboard_core::ids::new_id(), "started_at": "2026-11-01T10:00:00Z", "ended_at": "2026-11-01T10:00:01Z"}]});
    for user in ["recepcion", "kidibar", "monitor", "gerente"] {
        let c = hub.login(user).await;
        let a = c.post("/vision/visits", batch.clone()).await;
        assert_eq!(a.status, 403, "{user} may not send visits");
        assert_eq!(a.body["error"]["code"], "forbidden");
        assert_eq!(
            put(
                &c,
                "/vision/status",
                json!({"device_id": "t", "state": "ok"})
            )
            .await
            .status,
            403,
            "{user} status"
        );
    }
    for user in ["recepcion", "kidibar", "monitor", "totem"] {
        let c = hub.login(user).await;
        assert_eq!(
            c.get("/reports/visitors").await.status,
            403,
            "{user} may not read the report"
        );
    }
    for user in ["kidibar", "monitor", "recepcion"] {
        assert_eq!(
            hub.login(user).await.get("/vision/status").await.status,
            403,
            "{user} camera status"
        );
    }
    let shifts = json!({"items": [{"name": "día", "start": "10:00", "end": "20:00"}]});
    assert_eq!(
        put(
            &hub.login("gerente").await,
            "/vision/shifts",
            shifts.clone()
        )
        .await
        .status,
        403
    );
    assert_eq!(
        put(&hub.login("totem").await, "/vision/shifts", shifts.clone())
            .await
            .status,
        403
    );
    let admin = hub.login("admin").await;
    let a = put(&admin, "/vision/shifts", shifts).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(
        admin.get("/vision/shifts").await.body["items"][0]["name"],
        "día"
    );
    let r = admin.get("/reports/visitors").await;
    assert_eq!(
        r.body["figures"]["by_shift"].as_array().map(Vec::len),
        Some(1),
        "the report uses the new shifts"
    );
    assert_eq!(
        hub.login("gerente")
            .await
            .get("/reports/visitors")
            .await
            .status,
        200
    );
    assert_eq!(
        hub.login("totem").await.get("/vision/status").await.status,
        200
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_model_shows_as_model_error_in_the_hub() {
    let hub = TestHub::start().await;
    let mut config = RunnerConfig::new(SourceSpec::Dir(photos()));
    config.model = ModelPaths {
        model: hub.dir.join("no-model.onnx"),
        ..ModelPaths::from_env()
    };
    config.retry_min = Duration::from_millis(100);
    let mut runner = VisionService::start(config);
    let events = runner.take_events().expect("events");
    let totem = HubClient::login(&hub.base, "totem", demo::DEMO_PASSWORD)
        .await
        .expect("login");
    let delivery = tokio::spawn(forward(events, totem, "totem-caja".into(), None, None));
    let admin = hub.login("admin").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let cam = loop {
        let s = admin.get("/vision/status").await;
        let cam = s.body["items"][0].clone();
        if cam["state"] == "model_error" {
            break cam;
        }
        assert!(
            Instant::now() < deadline,
            "model_error never reached the hub: {:?}",
            s.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        cam["message"]
            .as_str()
            .is_some_and(|m| m.contains("fetch-vision.sh")),
        "{cam}"
    );
    tokio::task::spawn_blocking(move || runner.stop())
        .await
        .expect("stop");
    let delivered = delivery.await.expect("delivery ends when the runner stops");
    assert_eq!(delivered.visits, 0);
    assert_eq!(
        admin.get("/vision/status").await.body["items"][0]["state"],
        "stopped"
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_installer_preview_is_for_admins_only_and_kept_in_memory() {
    let hub = TestHub::start().await;
    let frames = tempfile::tempdir().expect("tmp");
    kidyboard_vision::demo::write_sequence(&photos(), frames.path()).expect("frames");
    let mut config = RunnerConfig::new(SourceSpec::Dir(frames.path().to_path_buf()));
    config.source_options = SourceOptions {
        fps: 2,
        replay_start: Some(1_000_000),
        ..SourceOptions::default()
    };
    config.preview = true;
    let runner = VisionService::start(config);
    let deadline = Instant::now() + Duration::from_secs(60);
    while runner.preview_jpeg().is_none() {
        assert!(
            Instant::now() < deadline,
            "a preview frame appears: {:?}",
            runner.status()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let handle = std::sync::Arc::new(std::sync::Mutex::new(Some(runner)));
    let app = kidyboard_hub::vision_cli::preview_router(handle.clone(), hub.base.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/preview.jpg",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let http = reqwest::Client::new();
    let anonymous = http.get(&url).send().await.expect("get");
    assert_eq!(anonymous.status(), 401, "no token, no picture");
    let body: Value = anonymous.json().await.expect("a JSON error");
    assert_eq!(body["error"]["code"], "unauthorized");
    for user in ["recepcion", "totem", "monitor"] {
        let token = hub.login(user).await.token;
        let res = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), 403, "{user} may not see the camera");
    }
    let bogus = http
        .get(format!("{url}?token=not-a-token"))
        .send()
        .await
        .expect("get");
    assert_eq!(bogus.status(), 403);
    let admin = hub.login("admin").await.token;
    let res = http
        .get(format!("{url}?token={admin}"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let bytes = res.bytes().await.expect("body");
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
    assert!(
        pictures_under(&hub.dir).is_empty(),
        "the preview is never written"
    );
    assert_eq!(
        std::fs::read_dir(frames.path()).expect("frames").count(),
        36
    );
    let runner = handle.lock().expect("lock").take();
    if let Some(r) = runner {
        tokio::task::spawn_blocking(move || r.stop())
            .await
            .expect("stop");
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visits_the_hub_refuses_are_dropped_instead_of_blocking_the_queue() {
    let hub = TestHub::start().await;
    // A totem whose clock runs a day ahead: its visits end in the hub's future.
    let (_frames, _runner, events) = replay_demo(clock::now_ms() + 86_400_000);
    let totem = HubClient::login(&hub.base, "totem", demo::DEMO_PASSWORD)
        .await
        .expect("login");
    let delivered = tokio::time::timeout(
        Duration::from_secs(120),
        forward(events, totem, "totem-reloj".into(), None, None),
    )
    .await
    .expect("delivery ends");
    assert_eq!(
        (delivered.visits, delivered.refused, delivered.undelivered),
        (0, 2, 0)
    );
    let admin = hub.login("admin").await;
    let status = admin.get("/vision/status").await;
    assert_eq!(
        status.body["items"][0]["state"], "finished",
        "statuses still arrive"
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visits_counted_while_the_hub_is_away_survive_a_restart_and_reach_it_later() {
    let hub = TestHub::start().await;
    let state = tempfile::tempdir().expect("tmp");
    let spool = Spool::for_device(state.path(), "totem-entrada");
    let admin = hub.login("admin").await;
    let (_, yesterday, start) = yesterday_morning(&admin).await;

    // First run: the hub cannot be reached (nothing listens on port 1) while two visitors pass.
    let (_frames, runner, events) = replay_demo(start);
    let away = HubClient::new("http://127.0.0.1:1", "a-token".into()).expect("client");
    let first = tokio::time::timeout(
        Duration::from_secs(120),
        forward(
            events,
            away,
            "totem-entrada".into(),
            Some(spool.clone()),
            None,
        ),
    )
    .await
    .expect("the folder is read within two minutes");
    assert_eq!((first.visits, first.undelivered), (0, 2));
    assert_eq!(spool.load().len(), 2, "both visits wait in the spool");
    tokio::task::spawn_blocking(move || runner.stop())
        .await
        .expect("stop");

    // The program restarts with the hub back: the spooled visits go first, then the file goes.
    let (_, no_more_events) = tokio::sync::mpsc::unbounded_channel();
    let totem = HubClient::login(&hub.base, "totem", demo::DEMO_PASSWORD)
        .await
        .expect("totem signs in");
    let second = forward(
        no_more_events,
        totem,
        "totem-entrada".into(),
        Some(spool.clone()),
        None,
    )
    .await;
    assert_eq!((second.visits, second.undelivered), (2, 0));
    assert!(!spool.path().exists(), "nothing left to keep");
    let r = admin
        .get(&format!(
            "/reports/visitors?from={yesterday}&to={yesterday}"
        ))
        .await;
    assert_eq!(r.body["figures"]["visitors"], 2, "{:?}", r.body);
    assert_eq!(r.body["figures"]["total_dwell_ms"], 19_000);
    hub.stop().await;
}

/// `GET /vision/preview/{device}` as raw bytes: (status, content type, body).
async fn look(c: &Client, device: &str) -> (u16, String, Vec<u8>) {
    let res = c
        .http
        .get(format!("{}/api/v1/vision/preview/{device}", c.base))
        .bearer_auth(&c.token)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let ty = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ty, res.bytes().await.expect("body").to_vec())
}

async fn offer(c: &Client, device: &str, body: Vec<u8>) -> Answer {
    let res = c
        .http
        .put(format!("{}/api/v1/vision/preview/{device}", c.base))
        .bearer_auth(&c.token)
        .header("content-type", "image/jpeg")
        .body(body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        body,
        headers,
    }
}

/// The live preview an admin opens from the Visitors page: the real runner draws frames only once
/// the hub says someone watches, the admin gets a real JPEG of the camera through the hub, and
/// nothing is written to disk on either side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_watches_the_camera_through_the_hub() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    // Looking first: nothing to show yet, and the camera is now asked for frames.
    let (status, _, body) = look(&admin, "totem-entrada").await;
    assert_eq!(status, 404);
    let err: Value = serde_json::from_slice(&body).expect("json error");
    assert_eq!(err["error"]["code"], "preview_not_ready");

    let frames = tempfile::tempdir().expect("tmp");
    kidyboard_vision::demo::write_sequence(&photos(), frames.path()).expect("frames");
    let mut config = RunnerConfig::new(SourceSpec::Dir(frames.path().to_path_buf()));
    // In real time at 2 fps, as a camera would: the sequence lasts long enough to watch.
    config.source_options = SourceOptions {
        fps: 2,
        realtime: true,
        ..SourceOptions::default()
    };
    let mut runner = VisionService::start(config);
    let events = runner.take_events().expect("events");
    let tap = runner.preview_tap();
    let totem = HubClient::login(&hub.base, "totem", demo::DEMO_PASSWORD)
        .await
        .expect("totem signs in");
    let delivery = tokio::spawn(forward(
        events,
        totem,
        "totem-entrada".into(),
        None,
        Some(tap),
    ));

    let deadline = Instant::now() + Duration::from_secs(60);
    let jpeg = loop {
        let (status, ty, body) = look(&admin, "totem-entrada").await;
        if status == 200 {
            assert_eq!(ty, "image/jpeg");
            break body;
        }
        assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));
        assert!(Instant::now() < deadline, "no preview within a minute");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let file = frames.path().join("seen.jpg");
    std::fs::write(&file, &jpeg).expect("write");
    let frame = kidyboard_vision::Frame::open(&file, 0).expect("a real JPEG");
    assert_eq!((frame.width, frame.height), (640, 480));
    std::fs::remove_file(&file).expect("rm");

    // The status the admin reads says the camera is being watched.
    let cams = admin.get("/vision/status").await;
    let cam = cams.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["device_id"] == "totem-entrada"))
        .cloned()
        .expect("camera listed");
    assert_eq!(cam["preview_wanted"], true, "{cam}");

    runner.stop();
    let delivered = delivery.await.expect("delivery");
    assert_eq!(delivered.undelivered, 0);
    assert!(
        pictures_under(&hub.dir).is_empty(),
        "no picture in the hub's data directory: {:?}",
        pictures_under(&hub.dir)
    );
}

/// The relay's edges: only admins watch, only the counter's account sends, a frame nobody asked
/// for is not kept, and what is not a JPEG (or too big, or badly named) is refused.
#[tokio::test]
async fn previews_are_for_admins_and_only_jpegs_are_relayed() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let viewer = hub.login("gerente").await;
    let rec = hub.login("recepcion").await;
    let totem = hub.login("totem").await;
    let jpeg = {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0];
        j.extend(std::iter::repeat_n(0u8, 64));
        j.extend([0xFF, 0xD9]);
        j
    };

    let r = offer(&totem, "caja", jpeg.clone()).await;
    assert_eq!((r.status, &r.body["preview_wanted"]), (200, &json!(false)));
    assert_eq!(
        look(&admin, "caja").await.0,
        404,
        "a frame nobody asked for is dropped"
    );

    for who in [&rec, &totem] {
        assert_eq!(look(who, "caja").await.0, 403);
    }
    assert_eq!(offer(&rec, "caja", jpeg.clone()).await.status, 403);

    assert_eq!(
        look(&viewer, "caja").await.0,
        404,
        "the read-only admin may watch"
    );
    let status = put(
        &totem,
        "/vision/status",
        json!({"device_id": "caja", "state": "ok", "message": "", "source": "camera", "in_view": 0, "fps": 5.0}),
    )
    .await;
    assert_eq!(status.status, 200, "{}", status.body);
    assert_eq!(
        status.body["preview_wanted"], true,
        "the counter is asked for frames"
    );
    let r = offer(&totem, "caja", jpeg.clone()).await;
    assert_eq!((r.status, &r.body["preview_wanted"]), (200, &json!(true)));
    let (code, ty, body) = look(&viewer, "caja").await;
    assert_eq!((code, ty.as_str(), body), (200, "image/jpeg", jpeg.clone()));

    for (body, why) in [
        (b"GIF89a not a jpeg".to_vec(), "not a JPEG"),
        (Vec::new(), "empty"),
        (jpeg[..20].to_vec(), "cut short"),
    ] {
        let r = offer(&totem, "caja", body).await;
        assert_eq!(r.status, 422, "{why}: {}", r.body);
        assert_eq!(r.body["error"]["field"], "body", "{why}");
    }
    let mut huge = jpeg.clone();
    huge.splice(4..4, std::iter::repeat_n(0u8, 600 * 1024));
    assert_eq!(offer(&totem, "caja", huge).await.status, 413);
    let long = "c".repeat(65);
    assert_eq!(offer(&totem, &long, jpeg.clone()).await.status, 422);
    assert_eq!(look(&admin, &long).await.0, 422);
    // Still the last good frame.
    assert_eq!(look(&admin, "caja").await.2, jpeg);
}
