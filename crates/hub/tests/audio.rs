//! The store's sound through the real hub: clip uploads in every format (normalised, measured by
//! ffmpeg), refused files that leave nothing behind, schedules and settings, and a timer's
//! expiry heard end to end — hub timer expires → live feed → player → WAV with the chime and
//! espeak's voice saying the child's name.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use kidyboard_audio::hub_client::HubClient;
use kidyboard_audio::speech::speech_offset;
use kidyboard_audio::{OutputChoice, PlayerConfig, RATE};
use kidyboard_core::clock::now_ms;
use kidyboard_core::timers::{self, NewTimer};
use kidyboard_core::Actor;
use serde_json::json;

fn ffmpeg_make(lavfi: &str, extra: &[&str], path: &Path) -> Vec<u8> {
    let ok = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            lavfi,
        ])
        .args(extra)
        .arg(path)
        .status()
        .expect("ffmpeg runs");
    assert!(ok.success(), "ffmpeg made {}", path.display());
    std::fs::read(path).expect("read")
}

fn ffmpeg_lufs(path: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", "ebur128", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    text.split("Summary:")
        .nth(1)
        .and_then(|s| s.lines().find_map(|l| l.trim().strip_prefix("I:")))
        .and_then(|v| v.trim().trim_end_matches("LUFS").trim().parse().ok())
        .expect("integrated loudness")
}

async fn upload(c: &Client, name: &str, bytes: Vec<u8>) -> Answer {
    let res = c
        .http
        .post(format!("{}/api/v1/audio/clips?name={name}", c.base))
        .bearer_auth(&c.token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        headers: Default::default(),
    }
}

async fn declared_upload(hub: &TestHub, token: &str, len: usize) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = hub.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!("POST /api/v1/audio/clips?name=enorme HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\n\r\n");
    s.write_all(head.as_bytes()).await.expect("write");
    s.write_all(&[0u8; 4096]).await.expect("a first chunk");
    let mut buf = vec![0u8; 8192];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
        .await
        .expect("answer in time")
        .expect("read");
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn stored_files(hub: &TestHub) -> usize {
    std::fs::read_dir(hub.dir.join("audio"))
        .map(|d| d.count())
        .unwrap_or(0)
}

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

fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for i in 0..n {
        ab += a[i] as f64 * b[i] as f64;
        aa += (a[i] as f64).powi(2);
        bb += (b[i] as f64).powi(2);
    }
    ab / (aa.sqrt() * bb.sqrt()).max(1e-12)
}

fn read_wav(path: &Path) -> Vec<f32> {
    let r = hound::WavReader::open(path).expect("WAV opens");
    r.into_samples::<i16>()
        .map(|s| s.expect("sample") as f32 / 32767.0)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timer_that_runs_out_is_announced_with_chime_and_voice() {
    let hub = TestHub::start().await;
    let monitor = hub.login("monitor").await;
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("speakers.wav");
    let player = kidyboard_audio::player::start(PlayerConfig {
        hub: HubClient::new(&hub.base, &monitor.token),
        name: "Recepción PC".into(),
        output: OutputChoice::Wav(out.clone()),
        cache_dir: tmp.path().join("cache"),
        mixer: Default::default(),
        clock: None,
    });
    // Wait until the player follows the live feed.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !player.status().connected {
        assert!(
            tokio::time::Instant::now() < deadline,
            "player connects: {:?}",
            player.status()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A short timer straight into the store (services are sold in whole minutes); the scheduler,
    // the live feed and the player are the real ones.
    let store = hub.state.store.clone();
    tokio::task::spawn_blocking(move || {
        store.change(&Actor::system(), now_ms(), |tx| {
            timers::create(
                tx,
                &NewTimer {
                    sale_id: None,
                    service_id: None,
                    service_name: "Prueba",
                    child_name: "Sofía",
                    guardian_name: "",
                    guardian_phone: "",
                    duration_ms: 800,
                    start_at: None,
                },
            )
        })
    })
    .await
    .expect("task")
    .expect("timer");
    hub.state.timers_changed.notify_one();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    // Announced, placed on the output, and played to its end (nothing playing or waiting).
    loop {
        if !player.placements().is_empty() && player.status().queued == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "announcement played: {:?}",
            player.status()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(player.announced(), ["Se terminó el tiempo de Sofía"]);
    // The status reached the hub for the admin page.
    let admin = hub.login("admin").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let players = admin.get("/audio/players").await.body;
        if players["items"][0]["last_announcement"] == "Se terminó el tiempo de Sofía" {
            assert_eq!(players["items"][0]["name"], "Recepción PC");
            assert_eq!(players["items"][0]["state"], "ok");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "status reported: {players}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let placed = player.placements();
    player.stop().await.expect("WAV closed");

    let heard = read_wav(&out);
    let p = &placed[0];
    assert!(
        heard.len() as u64 >= p.end,
        "the WAV holds the whole announcement"
    );
    let start = p.start as usize;
    let chime = kidyboard_audio::chime::chime();
    let c = correlation(&heard[start..start + chime.len()], chime.samples());
    assert!(
        c > 0.99,
        "the chime opens the announcement (correlation {c:.4})"
    );
    let direct = tmp.path().join("espeak.wav");
    let ok = Command::new("espeak-ng")
        .args(["-v", "es-419", "-w"])
        .arg(&direct)
        .arg("Se terminó el tiempo de Sofía")
        .status()
        .expect("espeak-ng");
    assert!(ok.success());
    let espeak = read_wav(&direct);
    let voice: Vec<f32> = heard[start + speech_offset()..p.end as usize]
        .iter()
        .step_by(2)
        .copied()
        .collect();
    let n = espeak.len().min(voice.len());
    assert!(n + 2 >= espeak.len(), "the whole phrase was heard");
    let c = correlation(&voice[..n], &espeak[..n]);
    assert!(
        c > 0.98,
        "what was heard is espeak saying the phrase (correlation {c:.4})"
    );
    assert!(
        heard[..start].iter().all(|s| s.abs() < 1e-3),
        "silence before the expiry"
    );
    assert_eq!(RATE, 44_100);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_sound_device_is_a_status_not_a_crash() {
    let hub = TestHub::start().await;
    let rec = hub.login("recepcion").await;
    let tmp = tempfile::tempdir().expect("tmp");
    let player = kidyboard_audio::player::start(PlayerConfig {
        hub: HubClient::new(&hub.base, &rec.token),
        name: "Sin bocinas".into(),
        output: OutputChoice::Device(Some("Bocinas que no existen".into())),
        cache_dir: tmp.path().join("cache"),
        mixer: Default::default(),
        clock: None,
    });
    let status = player.status();
    assert_eq!(status.state, "no_device", "{status:?}");
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("dispositivo")),
        "{status:?}"
    );
    let admin = hub.login("admin").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let players = admin.get("/audio/players").await.body;
        if players["items"][0]["state"] == "no_device" && players["items"][0]["connected"] == true {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the hub hears about it: {players}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    player.stop().await.expect("stops cleanly");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_clip_plays_at_its_time_from_the_hubs_schedule() {
    use chrono::{Duration as Span, Timelike, Utc};
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let tmp = tempfile::tempdir().expect("tmp");
    let bytes = ffmpeg_make(
        "sine=frequency=750:duration=1.5",
        &["-af", "volume=-20dB"],
        &tmp.path().join("promo.flac"),
    );
    let clip = upload(&admin, "Promo", bytes).await.body;
    let branch: chrono_tz::Tz = hub
        .state
        .store
        .home_branch()
        .expect("branch")
        .timezone
        .parse()
        .expect("tz");
    // The player's clock starts 3 s before the next whole minute; the schedule fires then.
    let now = Utc::now();
    let minute = (now + Span::minutes(1))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("minute");
    let shift = minute - Span::seconds(3) - now;
    let at = minute.with_timezone(&branch).format("%H:%M").to_string();
    let s = admin.post("/audio/schedules", json!({ "name": "Promo de la tarde", "clip_id": clip["id"], "days": [1, 2, 3, 4, 5, 6, 7], "times": [at], "volume": 100 })).await;
    assert_eq!(s.status, 201, "{}", s.body);
    // The afternoon plays at half volume (one day part for the whole day).
    let put = admin
        .http
        .put(format!("{}/api/v1/audio/settings", admin.base))
        .bearer_auth(&admin.token)
        .json(&json!({ "day_parts": [{ "start": "00:00", "volume": 50 }] }))
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);

    let rec = hub.login("recepcion").await;
    let out = tmp.path().join("speakers.wav");
    let player = kidyboard_audio::player::start(PlayerConfig {
        hub: HubClient::new(&hub.base, &rec.token),
        name: "Bocinas".into(),
        output: OutputChoice::Wav(out.clone()),
        cache_dir: tmp.path().join("cache"),
        mixer: Default::default(),
        clock: Some(std::sync::Arc::new(move || Utc::now() + shift)),
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !(player.placements().len() == 1 && player.status().queued == 0) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the scheduled clip played: {:?} {:?}",
            player.placements(),
            player.status()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let placed = player.placements();
    assert_eq!(placed[0].label, "Promo de la tarde");
    // It started when the shifted clock crossed the minute (the player ticks each second).
    let started_ms = placed[0].start as i64 * 1000 / RATE as i64;
    assert!(
        (2_000..=5_000).contains(&started_ms),
        "played {started_ms} ms after the player started"
    );
    player.stop().await.expect("WAV closed");
    let heard = read_wav(&out);
    let stored = admin
        .http
        .get(format!(
            "{}{}",
            admin.base,
            clip["url"].as_str().expect("url")
        ))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("sound")
        .bytes()
        .await
        .expect("bytes");
    let sound_path = tmp.path().join("stored.wav");
    std::fs::write(&sound_path, &stored).expect("write");
    let sound = read_wav(&sound_path);
    let start = placed[0].start as usize;
    let played = &heard[start..start + sound.len()];
    let c = correlation(played, &sound);
    assert!(
        c > 0.999,
        "the hub's stored clip is what played (correlation {c:.4})"
    );
    let rms =
        |s: &[f32]| (s.iter().map(|x| (*x as f64).powi(2)).sum::<f64>() / s.len() as f64).sqrt();
    let level = 20.0 * (rms(played) / rms(&sound)).log10();
    assert!(
        (level + 6.02).abs() < 0.3,
        "played at the day part's 50 % ({level:.2} dB)"
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_silence_scheduled_clips() {
    use chrono::{Duration as Span, Timelike, Utc};
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let tmp = tempfile::tempdir().expect("tmp");
    let bytes = ffmpeg_make(
        "sine=frequency=750:duration=1",
        &[],
        &tmp.path().join("p.wav"),
    );
    let clip = upload(&admin, "Promo", bytes).await.body;
    let branch: chrono_tz::Tz = hub
        .state
        .store
        .home_branch()
        .expect("branch")
        .timezone
        .parse()
        .expect("tz");
    let now = Utc::now();
    let minute = (now + Span::minutes(1))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("minute");
    let shift = minute - Span::seconds(2) - now;
    let hhmm = |t: chrono::DateTime<Utc>| t.with_timezone(&branch).format("%H:%M").to_string();
    let s = admin.post("/audio/schedules", json!({ "name": "Promo", "clip_id": clip["id"], "days": [1, 2, 3, 4, 5, 6, 7], "times": [hhmm(minute)] })).await;
    assert_eq!(s.status, 201);
    let quiet = json!({ "quiet_start": hhmm(minute - Span::minutes(1)), "quiet_end": hhmm(minute + Span::minutes(2)) });
    let put = admin
        .http
        .put(format!("{}/api/v1/audio/settings", admin.base))
        .bearer_auth(&admin.token)
        .json(&quiet)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    let rec = hub.login("recepcion").await;
    let player = kidyboard_audio::player::start(PlayerConfig {
        hub: HubClient::new(&hub.base, &rec.token),
        name: "Bocinas".into(),
        output: OutputChoice::Wav(tmp.path().join("out.wav")),
        cache_dir: tmp.path().join("cache"),
        mixer: Default::default(),
        clock: Some(std::sync::Arc::new(move || Utc::now() + shift)),
    });
    // Past the scheduled time, with room for a slow tick.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(player.status().connected, "{:?}", player.status());
    assert!(
        player.placements().is_empty(),
        "nothing plays in quiet hours: {:?}",
        player.placements()
    );
    player.stop().await.expect("stops");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_music_ducks_under_an_announcement() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let tmp = tempfile::tempdir().expect("tmp");
    let bytes = ffmpeg_make(
        "sine=frequency=110:duration=4",
        &[],
        &tmp.path().join("bed.ogg"),
    );
    let bed = upload(&admin, "Música", bytes).await.body;
    let put = admin
        .http
        .put(format!("{}/api/v1/audio/settings", admin.base))
        .bearer_auth(&admin.token)
        .json(&json!({ "background_clip_id": bed["id"], "background_volume": 40 }))
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 200);
    let rec = hub.login("recepcion").await;
    let out = tmp.path().join("speakers.wav");
    let cache = tmp.path().join("cache");
    let player = kidyboard_audio::player::start(PlayerConfig {
        hub: HubClient::new(&hub.base, &rec.token),
        name: "Bocinas".into(),
        output: OutputChoice::Wav(out.clone()),
        cache_dir: cache.clone(),
        mixer: Default::default(),
        clock: None,
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !player.status().connected {
        assert!(tokio::time::Instant::now() < deadline, "connects");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Let the music run alone for a while, then a timer runs out.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let store = hub.state.store.clone();
    tokio::task::spawn_blocking(move || {
        store.change(&Actor::system(), now_ms(), |tx| {
            timers::create(
                tx,
                &NewTimer {
                    sale_id: None,
                    service_id: None,
                    service_name: "Prueba",
                    child_name: "Leo",
                    guardian_name: "",
                    guardian_phone: "",
                    duration_ms: 300,
                    start_at: None,
                },
            )
        })
    })
    .await
    .expect("task")
    .expect("timer");
    hub.state.timers_changed.notify_one();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !(player.placements().len() == 1 && player.status().queued == 0) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "announced: {:?}",
            player.status()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Some music after it, back at its level.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let p = player.placements()[0].clone();
    player.stop().await.expect("WAV closed");
    let heard = read_wav(&out);
    // The same announcement, rendered again from the player's own cache (deterministic).
    let voice = kidyboard_audio::speech::Voice::new("es-419", &cache.join("speech"));
    let ann = voice.announcement(&p.label).expect("announcement");
    let (start, end) = (p.start as usize, p.end as usize);
    let residual: Vec<f32> = heard[start..end]
        .iter()
        .zip(ann.samples())
        .map(|(h, a)| h - a)
        .collect();
    let rms =
        |s: &[f32]| (s.iter().map(|x| (*x as f64).powi(2)).sum::<f64>() / s.len() as f64).sqrt();
    let second = RATE as usize;
    let before = &heard[start - second..start - second / 2];
    let after = &heard[end + second..(end + second + second / 2).min(heard.len())];
    assert!(
        rms(before) > 0.01,
        "the music plays before the announcement"
    );
    let depth = 20.0 * (rms(&residual) / rms(before)).log10();
    assert!(
        (depth + 15.0).abs() < 1.0,
        "music ducked by {depth:.1} dB under the voice"
    );
    let back = 20.0 * (rms(after) / rms(before)).log10();
    assert!(back.abs() < 1.0, "music back afterwards ({back:.1} dB)");
    hub.stop().await;
}
