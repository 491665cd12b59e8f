//! Menu designs through the real hub: CRUD and validation, live previews that follow the
//! catalogue, PDF and MP4 export jobs checked with poppler and ffprobe, progress over the
//! WebSocket, roles, and the `kidyboard menu` command on the data dir.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{live, next_json, Client, TestHub};
use kidyboard_core::money::format_mxn;
use serde_json::{json, Value};

fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("`{program}` must be installed (apt-get install -y poppler-utils ffmpeg): {e}")
        });
    assert!(
        out.status.success(),
        "`{program} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

async fn create(c: &Client, body: Value) -> Value {
    let a = c.post("/menus/designs", body.clone()).await;
    assert_eq!(a.status, 201, "creating {body} should succeed: {}", a.body);
    a.body
}

/// Every active item of the catalogue as (name, price in centavos).
async fn catalogue(c: &Client) -> Vec<(String, i64)> {
    let mut all = Vec::new();
    for kind in ["services", "packages", "products"] {
        let list = c.get(&format!("/{kind}")).await;
        for i in list.body["items"].as_array().expect("items") {
            all.push((
                i["name"].as_str().expect("name").to_string(),
                i["price_cents"].as_i64().expect("price"),
            ));
        }
    }
    all
}

/// GETs raw bytes; answers status, bytes and headers.
async fn get_bytes(c: &Client, path: &str) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let res = c
        .http
        .get(format!("{}/api/v1{path}", c.base))
        .bearer_auth(&c.token)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.bytes().await.expect("body").to_vec(), headers)
}

/// Starts an export and follows it on the live feed until it is done; answers the messages.
async fn export_and_watch(
    c: &Client,
    hub: &TestHub,
    id: &str,
    format: &str,
) -> (Value, Vec<Value>) {
    let (mut ws, _) = live(&hub.base, &c.token).await;
    let started = c
        .post(
            &format!("/menus/designs/{id}/export"),
            json!({ "format": format }),
        )
        .await;
    assert_eq!(started.status, 202, "export starts: {}", started.body);
    let job_id = started.body["id"].as_str().expect("job id").to_string();
    let mut seen = Vec::new();
    loop {
        let msg = next_json(&mut ws, Duration::from_secs(120))
            .await
            .expect("job messages keep coming until the job ends");
        if msg["type"] != "job.progress" || msg["job"]["id"] != job_id.as_str() {
            continue;
        }
        let state = msg["job"]["state"].as_str().unwrap_or("").to_string();
        seen.push(msg["job"].clone());
        assert_ne!(state, "failed", "export failed: {}", msg["job"]);
        if state == "done" {
            break;
        }
    }
    let status = c.get(&format!("/jobs/{job_id}")).await;
    assert_eq!(status.status, 200);
    assert_eq!(status.body["state"], "done");
    (status.body, seen)
}

#[tokio::test]
async fn designs_crud_validation_and_roles() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let made = create(
        &admin,
        json!({ "name": "Pared", "design": { "columns": 3 } }),
    )
    .await;
    let id = made["id"].as_str().expect("id").to_string();
    assert_eq!(made["design"]["columns"], 3);
    assert_eq!(
        made["design"]["canvas"]["kind"], "paper",
        "defaults fill the rest"
    );
    assert_eq!(
        made["design"]["name"], "Pared",
        "the design carries the record's name"
    );
    assert_eq!(made["title"], "Menú");

    let changed = admin
        .patch(
            &format!("/menus/designs/{id}"),
            json!({ "name": "Pared grande", "design": { "canvas": { "kind": "screen", "size": "1080p" } }, "on_totem": true }),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["design"]["canvas"]["size"], "1080p");
    assert_eq!(changed.body["on_totem"], true);
    assert!(changed.body["revision"].as_i64() > made["revision"].as_i64());

    for (body, field) in [
        (
            json!({ "name": "x", "design": { "columns": 0 } }),
            "design.columns",
        ),
        (
            json!({ "name": "x", "design": { "colors": { "price": "#12345z" } } }),
            "design.colors.price",
        ),
        (
            json!({ "name": "x", "design": { "colums": 2 } }),
            "design.colums",
        ),
        (
            json!({ "name": "x", "design": { "background": { "image": "AAAA" } } }),
            "design.background.image",
        ),
        (
            json!({ "name": "x", "design": { "fonts": { "title": 99999 } } }),
            "design.fonts.title",
        ),
        (json!({ "name": "", "design": {} }), "name"),
        (json!({ "name": "x", "logo_image": "nope" }), "logo_image"),
        (json!({ "name": "x", "extra": 1 }), "extra"),
        (json!({ "name": "x".repeat(200) }), "name"),
    ] {
        let a = admin.post("/menus/designs", body.clone()).await;
        assert_eq!(a.status, 422, "{body} should be refused: {}", a.body);
        assert_eq!(a.body["error"]["field"], field, "{body}: {}", a.body);
    }
    let dup = admin
        .post("/menus/designs", json!({ "name": "Pared grande" }))
        .await;
    assert_eq!(dup.status, 409, "names are unique per branch: {}", dup.body);
    assert_eq!(dup.body["error"]["field"], "name");

    let gerente = hub.login("gerente").await;
    assert_eq!(
        gerente.get("/menus/designs").await.status,
        200,
        "admin_viewer reads"
    );
    let refused = gerente
        .post("/menus/designs", json!({ "name": "Mío" }))
        .await;
    assert_eq!(
        refused.status, 403,
        "admin_viewer does not write: {}",
        refused.body
    );
    assert_eq!(refused.body["error"]["code"], "forbidden");
    let totem = hub.login("totem").await;
    assert_eq!(totem.get("/menus/totem").await.status, 200);
    assert_eq!(
        totem.delete(&format!("/menus/designs/{id}")).await.status,
        403
    );
    for user in ["recepcion", "kidibar", "monitor"] {
        let c = hub.login(user).await;
        assert_eq!(
            c.get("/menus/designs").await.status,
            403,
            "{user} sees no menus"
        );
        let (status, _, _) = get_bytes(&c, &format!("/menus/designs/{id}/preview.png")).await;
        assert_eq!(status, 403, "{user} gets no previews");
    }

    let listed = admin.get("/menus/designs").await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        admin.delete(&format!("/menus/designs/{id}")).await.status,
        204
    );
    assert_eq!(admin.get(&format!("/menus/designs/{id}")).await.status, 404);
    let t = totem.get("/menus/totem").await;
    assert!(
        t.body["design"].is_null(),
        "no totem design after deleting it"
    );
    hub.stop().await;
}

#[tokio::test]
async fn previews_and_the_totem_follow_catalogue_prices() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let made = create(
        &admin,
        json!({ "name": "Tótem", "on_totem": true, "design": { "canvas": { "kind": "screen", "size": "1080p" } } }),
    )
    .await;
    let id = made["id"].as_str().expect("id");
    let totem = hub.login("totem").await;
    let (mut ws, _) = live(&hub.base, &totem.token).await;
    let before = totem.get("/menus/totem").await.body;
    assert!(before["slides"].as_u64() >= Some(1), "{before}");
    assert_eq!(
        (before["width"].as_u64(), before["height"].as_u64()),
        (Some(1920), Some(1080))
    );

    let (status, png, headers) =
        get_bytes(&totem, &format!("/menus/designs/{id}/preview.png?slide=0")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(
        headers["x-menu-version"].to_str().ok(),
        before["version"].as_str()
    );
    let pixels = kidyboard_images::decode(&png, &kidyboard_images::Limits::default())
        .expect("the preview is a real PNG");
    assert_eq!((pixels.width, pixels.height), (1920, 1080));
    let etag = headers["etag"].to_str().expect("etag").to_string();
    let again = totem
        .http
        .get(format!(
            "{}/api/v1/menus/designs/{id}/preview.png?slide=0",
            totem.base
        ))
        .bearer_auth(&totem.token)
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), 304, "an unchanged slide is not drawn again");

    // The first service is on the first slide: change its price.
    let service = admin.get("/services").await.body["items"][0].clone();
    let sid = service["id"].as_str().expect("service id");
    let new_price = service["price_cents"].as_i64().expect("price") + 1_234_500;
    let p = admin
        .patch(
            &format!("/services/{sid}"),
            json!({ "price_cents": new_price }),
        )
        .await;
    assert_eq!(p.status, 200);
    let announced =
        common::wait_for(&mut ws, "catalog.changed", Duration::from_secs(5), |_| true).await;
    assert!(
        announced.is_some(),
        "the totem hears about the price change"
    );
    let after = totem.get("/menus/totem").await.body;
    assert_ne!(
        after["version"], before["version"],
        "a price change makes a new menu version"
    );
    let (_, png2, _) = get_bytes(&totem, &format!("/menus/designs/{id}/preview.png?slide=0")).await;
    let pixels2 =
        kidyboard_images::decode(&png2, &kidyboard_images::Limits::default()).expect("png");
    assert_ne!(pixels.data, pixels2.data, "the slide shows the new price");

    let (status, _, _) =
        get_bytes(&totem, &format!("/menus/designs/{id}/preview.png?slide=99")).await;
    assert_eq!(status, 422, "a slide past the end is refused");
    let bad = admin
        .post(
            "/menus/preview",
            json!({ "design": { "columns": 9 }, "slide": 0 }),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["error"]["field"], "design.columns");
    let unsaved = admin
        .http
        .post(format!("{}/api/v1/menus/preview", admin.base))
        .bearer_auth(&admin.token)
        .json(&json!({ "design": { "canvas": { "kind": "paper", "size": "letter", "orientation": "landscape" } }, "w": 792 }))
        .send()
        .await
        .expect("request");
    assert_eq!(unsaved.status(), 200);
    let page = kidyboard_images::decode(&unsaved.bytes().await.expect("body"), &Default::default())
        .expect("png");
    assert_eq!(
        (page.width, page.height),
        (792, 612),
        "Letter landscape at 72 dpi"
    );
    hub.stop().await;
}

#[tokio::test]
async fn pdf_export_job_has_every_item_and_price_and_reports_progress() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let made = create(
        &admin,
        json!({ "name": "Impreso", "design": { "columns": 1 } }),
    )
    .await;
    let id = made["id"].as_str().expect("id");
    // A sold-out product is not on the menu (the demo branch does not sell below zero).
    let sold_out = admin.id_of("products", "Galletas de avena").await;
    let stock = admin.product(&sold_out).await["stock"]
        .as_i64()
        .expect("stock");
    let emptied = admin
        .post(
            &format!("/products/{sold_out}/stock"),
            json!({"delta": -stock, "reason": "agotado"}),
        )
        .await;
    assert_eq!(emptied.status, 200, "{}", emptied.body);
    let recepcion = hub.login("recepcion").await;
    let (mut bystander, _) = live(&hub.base, &recepcion.token).await;
    let (job, seen) = export_and_watch(&admin, &hub, id, "pdf").await;
    while let Some(m) = next_json(&mut bystander, Duration::from_millis(500)).await {
        assert_ne!(
            m["type"], "job.progress",
            "reception hears nothing of an admin's export"
        );
    }
    assert!(
        seen.len() >= 3,
        "queued, running and done at least: {seen:?}"
    );
    assert!(
        seen.iter()
            .any(|j| j["state"] == "running" && j["progress"].as_f64() > Some(0.0)),
        "progress while running: {seen:?}"
    );
    let (status, pdf, headers) = get_bytes(
        &admin,
        &format!("/jobs/{}/file", job["id"].as_str().expect("id")),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(headers["content-disposition"]
        .to_str()
        .expect("ascii")
        .contains("Impreso.pdf"));
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("menu.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let text = squash(&tool("pdftotext", &[path_str(&path), "-"]));
    assert!(
        !text.contains(&squash("Galletas de avena")),
        "a sold-out product is left off the menu"
    );
    for (name, price) in catalogue(&admin).await {
        if name == "Galletas de avena" {
            continue;
        }
        assert!(
            text.contains(&squash(&name)),
            "pdftotext should contain {name:?}"
        );
        assert!(
            text.contains(&format_mxn(price)),
            "pdftotext should contain {}",
            format_mxn(price)
        );
    }
    let fonts = tool("pdffonts", &[path_str(&path)]);
    let font_lines: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!font_lines.is_empty(), "{fonts}");
    for l in font_lines {
        let cols: Vec<&str> = l.split_whitespace().collect();
        assert!(
            cols.iter().rev().nth(4) == Some(&"yes"),
            "every font embedded: {l}"
        );
    }
    let info = tool("pdfinfo", &[path_str(&path)]);
    let pages: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("page count");
    assert_eq!(Some(pages), job["summary"]["pages"].as_u64());
    assert!(
        info.contains("595.276 x 841.89") || info.contains("595.28 x 841.89"),
        "A4: {info}"
    );

    // Another user's job is invisible.
    assert_eq!(
        recepcion
            .get(&format!("/jobs/{}", job["id"].as_str().expect("id")))
            .await
            .status,
        404
    );
    hub.stop().await;
}

#[tokio::test]
async fn mp4_export_job_is_h264_for_tvs() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let paper = create(&admin, json!({ "name": "Papel" })).await;
    let refused = admin
        .post(
            &format!(
                "/menus/designs/{}/export",
                paper["id"].as_str().expect("id")
            ),
            json!({ "format": "mp4" }),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["error"]["field"], "format");
    let made = create(
        &admin,
        json!({ "name": "Pantalla", "design": {
            "canvas": { "kind": "screen", "size": "1080p" },
            "slides": { "seconds_per_slide": 1.0, "transition_seconds": 0.25 } } }),
    )
    .await;
    let (job, _) = export_and_watch(&admin, &hub, made["id"].as_str().expect("id"), "mp4").await;
    let slides = job["summary"]["slides"].as_f64().expect("slides");
    let (status, mp4, headers) = get_bytes(
        &admin,
        &format!("/jobs/{}/file", job["id"].as_str().expect("id")),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "video/mp4");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("menu.mp4");
    std::fs::write(&path, &mp4).expect("write");
    let probe: Value = serde_json::from_str(&tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
            path_str(&path),
        ],
    ))
    .expect("ffprobe json");
    let v = &probe["streams"][0];
    assert_eq!(v["codec_name"], "h264");
    assert_eq!(v["pix_fmt"], "yuv420p");
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(1920), Some(1080))
    );
    assert_eq!(v["r_frame_rate"], "30/1");
    let duration: f64 = probe["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .expect("duration");
    assert!(
        (duration - slides).abs() < 0.1,
        "{slides} slides of 1 s, got {duration} s"
    );
    hub.stop().await;
}

#[tokio::test]
async fn cli_lists_and_exports_from_the_data_dir() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    create(
        &admin,
        json!({ "name": "Mostrador", "design": { "columns": 2 } }),
    )
    .await;
    let items = catalogue(&admin).await;
    let tmp = hub.stop().await.expect("temp dir");
    let bin = env!("CARGO_BIN_EXE_kidyboard");
    let data = path_str(tmp.path());
    let list = Command::new(bin)
        .args(["--data-dir", data, "menu", "list"])
        .output()
        .expect("runs");
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    assert!(String::from_utf8_lossy(&list.stdout).contains("Mostrador"));
    let pdf = tmp.path().join("out.pdf");
    let out = Command::new(bin)
        .args([
            "--data-dir",
            data,
            "menu",
            "export",
            "--design",
            "Mostrador",
            "--format",
            "pdf",
            "-o",
            path_str(&pdf),
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("100%"),
        "progress is printed"
    );
    let text = squash(&tool("pdftotext", &[path_str(&pdf), "-"]));
    for (name, price) in items {
        assert!(
            text.contains(&squash(&name)) && text.contains(&format_mxn(price)),
            "{name}"
        );
    }
    let png = tmp.path().join("out.png");
    let out = Command::new(bin)
        .args([
            "--data-dir",
            data,
            "menu",
            "export",
            "--design",
            "Mostrador",
            "--format",
            "png",
            "-o",
            path_str(&png),
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = kidyboard_images::decode(&std::fs::read(&png).expect("png"), &Default::default())
        .expect("decodes");
    assert_eq!(
        page.width,
        (595.276f32 * 150.0 / 72.0).round() as u32,
        "A4 at 150 dpi"
    );
    let bad = Command::new(bin)
        .args([
            "--data-dir",
            data,
            "menu",
            "export",
            "--design",
            "Nada",
            "--format",
            "pdf",
            "-o",
            path_str(&pdf),
        ])
        .output()
        .expect("runs");
    assert!(!bad.status.success(), "an unknown design fails");
}

#[tokio::test]
async fn a_long_video_export_can_be_cancelled() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let made = create(
        &admin,
        json!({ "name": "Larga", "design": {
            "canvas": { "kind": "screen", "size": "1080p" },
            "slides": { "seconds_per_slide": 600.0, "transition_seconds": 1.0 } } }),
    )
    .await;
    let (mut ws, _) = live(&hub.base, &admin.token).await;
    let started = admin
        .post(
            &format!("/menus/designs/{}/export", made["id"].as_str().expect("id")),
            json!({ "format": "mp4" }),
        )
        .await;
    let job_id = started.body["id"].as_str().expect("job id").to_string();
    let encoding = common::wait_for(&mut ws, "job.progress", Duration::from_secs(60), |m| {
        m["job"]["id"] == job_id.as_str() && m["job"]["stage"] == "frames"
    })
    .await;
    assert!(encoding.is_some(), "the export reaches the encoder");
    let other = hub.login("totem").await;
    assert_eq!(
        other.delete(&format!("/jobs/{job_id}")).await.status,
        404,
        "not the totem's job"
    );
    let asked = admin.delete(&format!("/jobs/{job_id}")).await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    let stopped = common::wait_for(&mut ws, "job.progress", Duration::from_secs(30), |m| {
        m["job"]["id"] == job_id.as_str() && m["job"]["state"] == "cancelled"
    })
    .await;
    assert!(stopped.is_some(), "the job reports it was cancelled");
    assert_eq!(
        admin.get(&format!("/jobs/{job_id}/file")).await.status,
        404,
        "nothing to download"
    );
    hub.stop().await;
}
