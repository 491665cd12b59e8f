//! The clip library, schedules and settings through the real hub: uploads in every format
//! (normalised, measured by ffmpeg), refused files that leave nothing behind, validation, roles and
//! the event log.

mod audio_common;
mod common;

use audio_common::*;
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_in_every_format_are_normalised_and_bad_files_store_nothing() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let tmp = tempfile::tempdir().expect("tmp");
    for (name, lavfi, gain) in [
        ("promo.mp3", "sine=frequency=500:duration=3", "volume=-30dB"),
        (
            "cierre.ogg",
            "anoisesrc=duration=3:color=pink:amplitude=0.8",
            "volume=0dB",
        ),
        (
            "cumple.flac",
            "sine=frequency=700:duration=2",
            "volume=-3dB",
        ),
        ("aviso.wav", "sine=frequency=300:duration=2", "volume=-12dB"),
    ] {
        let bytes = ffmpeg_make(lavfi, &["-af", gain], &tmp.path().join(name));
        let a = upload(&admin, name, bytes).await;
        assert_eq!(a.status, 201, "{name}: {}", a.body);
        assert!(
            (a.body["loudness_lufs"].as_f64().expect("lufs") + 16.0).abs() < 1.0,
            "{name}: {}",
            a.body
        );
        assert_eq!(
            a.body["source_format"],
            name.rsplit('.').next().expect("ext")
        );
        // The stored sound, measured by ffmpeg.
        let id = a.body["id"].as_str().expect("id");
        let res = admin
            .http
            .get(format!("{}/api/v1/audio/clips/{id}/sound", admin.base))
            .bearer_auth(&admin.token)
            .send()
            .await
            .expect("sound");
        assert_eq!(res.headers()["content-type"], "audio/wav");
        let wav = tmp.path().join(format!("{name}.stored.wav"));
        std::fs::write(&wav, res.bytes().await.expect("bytes")).expect("write");
        let lufs = ffmpeg_lufs(&wav);
        assert!(
            (lufs + 16.0).abs() <= 1.0,
            "{name}: ffmpeg measures {lufs} LUFS, want -16 ± 1"
        );
    }
    let before = admin.get("/audio/clips").await.body["items"]
        .as_array()
        .map(Vec::len);
    assert_eq!(before, Some(4));
    let files = stored_files(&hub);

    let mut corrupt = ffmpeg_make(
        "sine=frequency=440:duration=2",
        &[],
        &tmp.path().join("x.flac"),
    );
    corrupt.truncate(80);
    let long = ffmpeg_make(
        "sine=frequency=440:duration=660",
        &["-ar", "8000", "-b:a", "8k"],
        &tmp.path().join("long.mp3"),
    );
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("texto", b"esto no es un sonido".to_vec(), 422, "not_audio"),
        ("cortado", corrupt, 422, "not_audio"),
        ("largo", long, 422, "audio_too_long"),
        ("vacio", Vec::new(), 422, "validation"),
    ];
    for (name, bytes, status, code) in cases {
        let a = upload(&admin, name, bytes).await;
        assert_eq!(a.status, status, "{name}: {}", a.body);
        let got = a.body["error"]["code"].as_str().unwrap_or_default();
        assert!(
            got == code || (code == "not_audio" && got == "empty_audio"),
            "{name}: code {got}, want {code}"
        );
        assert!(
            a.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{name}: a message for people"
        );
    }
    // An enormous file is refused on its declared size, before its bytes are read: a raw
    // client sends only the headers and reads the answer.
    let (status, body) = declared_upload(&hub, &admin.token, 31 * 1024 * 1024).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("payload_too_large"), "{body}");
    // The same name twice: 409, and the new file is not left behind.
    let again = ffmpeg_make(
        "sine=frequency=900:duration=2",
        &[],
        &tmp.path().join("dup.wav"),
    );
    let a = upload(&admin, "promo.mp3", again).await;
    assert_eq!(
        (a.status, a.body["error"]["code"].as_str()),
        (409, Some("duplicate_name"))
    );
    assert_eq!(
        admin.get("/audio/clips").await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(4),
        "nothing stored"
    );
    assert_eq!(
        stored_files(&hub),
        files,
        "no file left behind by refused uploads"
    );

    let rec = hub.login("recepcion").await;
    let a = upload(&rec, "nope", b"RIFF".to_vec()).await;
    assert_eq!(a.status, 403, "reception cannot upload");
    assert_eq!(
        rec.get("/audio/clips").await.status,
        200,
        "but its player may read the library"
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_and_settings_are_checked_and_recorded() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let tmp = tempfile::tempdir().expect("tmp");
    let bytes = ffmpeg_make(
        "sine=frequency=500:duration=2",
        &[],
        &tmp.path().join("j.ogg"),
    );
    let clip = upload(&admin, "Jingle", bytes).await.body["id"]
        .as_str()
        .expect("id")
        .to_string();
    let good = json!({ "name": "Promo tarde", "clip_id": clip, "days": [6, 7, 6], "times": ["12:00", "9:30"],
        "every_minutes": 30, "window_start": "16:00", "window_end": "18:00", "volume": 70 });
    let s = admin.post("/audio/schedules", good.clone()).await;
    assert_eq!(s.status, 201, "{}", s.body);
    assert_eq!(s.body["days"], json!([6, 7]));
    assert_eq!(s.body["times"], json!(["09:30", "12:00"]));
    for (patch, field) in [
        (json!({ "days": [8] }), "days"),
        (json!({ "times": ["25:00"] }), "times[0]"),
        (
            json!({ "clip_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV" }),
            "clip_id",
        ),
        (json!({ "window_end": null }), "window_start"),
        (json!({ "volume": 130 }), "volume"),
        (
            json!({ "start_date": "2026-12-01", "end_date": "2026-11-01" }),
            "end_date",
        ),
    ] {
        let mut body = good.clone();
        for (k, v) in patch.as_object().expect("obj") {
            body[k] = v.clone();
        }
        let a = admin.post("/audio/schedules", body).await;
        assert_eq!(
            (a.status, a.body["error"]["field"].as_str()),
            (422, Some(field)),
            "{patch}: {}",
            a.body
        );
    }
    let id = s.body["id"].as_str().expect("id");
    let mut edited = good.clone();
    edited["enabled"] = json!(false);
    let u = admin
        .http
        .put(format!("{}/api/v1/audio/schedules/{id}", admin.base))
        .bearer_auth(&admin.token)
        .json(&edited)
        .send()
        .await
        .expect("put");
    assert_eq!(u.status(), 200);
    let used = admin.delete(&format!("/audio/clips/{clip}")).await;
    assert_eq!(
        (used.status, used.body["error"]["code"].as_str()),
        (409, Some("clip_in_use"))
    );

    let settings = json!({ "language": "es", "template": "{name}, tu tiempo terminó", "quiet_start": "21:00", "quiet_end": "09:00",
        "day_parts": [{ "start": "14:00", "volume": 90 }, { "start": "09:00", "volume": 60 }] });
    let put = admin
        .http
        .put(format!("{}/api/v1/audio/settings", admin.base))
        .bearer_auth(&admin.token)
        .json(&settings)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    let got = admin.get("/audio/settings").await.body;
    assert_eq!(
        got["day_parts"][0]["start"], "09:00",
        "day parts kept in order"
    );
    let bad = admin
        .http
        .put(format!("{}/api/v1/audio/settings", admin.base))
        .bearer_auth(&admin.token)
        .json(&json!({ "template": "sin nombre" }))
        .send()
        .await
        .expect("put");
    assert_eq!(bad.status(), 422);
    let viewer = hub.login("gerente").await;
    assert_eq!(viewer.get("/audio/schedules").await.status, 200);
    assert_eq!(
        viewer.post("/audio/schedules", good).await.status,
        403,
        "the read-only admin reads only"
    );
    let events = admin.get("/events?limit=1000").await.body;
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .filter(|t| t.starts_with("audio"))
        .collect();
    assert_eq!(
        kinds,
        [
            "audio_clip.created",
            "audio_schedule.created",
            "audio_schedule.updated",
            "audio_settings.updated"
        ]
    );
    hub.stop().await;
}
