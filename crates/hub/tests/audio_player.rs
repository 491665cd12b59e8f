//! The speaker player against the real hub: a timer's expiry heard end to end (hub timer expires
//! → live feed → player → WAV with the chime and espeak's voice saying the child's name), a
//! scheduled clip at its time with the day part's volume, quiet hours, background music ducked
//! under the voice, and a missing sound device reported as a status.

mod audio_common;
mod common;

use std::process::Command;
use std::time::Duration;

use audio_common::*;
use common::*;
use kidyboard_audio::hub_client::HubClient;
use kidyboard_audio::speech::speech_offset;
use kidyboard_audio::{OutputChoice, PlayerConfig, RATE};
use kidyboard_testkit::timers::short_timers;
use serde_json::json;

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
    short_timers(hub.state.store.clone(), &[("Sofía", 800)]).await;
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

    let (heard, _) = read_wav(&out);
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
    let (espeak, _) = read_wav(&direct);
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
    let (heard, _) = read_wav(&out);
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
    let (sound, _) = read_wav(&sound_path);
    let start = placed[0].start as usize;
    let played = &heard[start..start + sound.len()];
    let c = correlation(played, &sound);
    assert!(
        c > 0.999,
        "the hub's stored clip is what played (correlation {c:.4})"
    );
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
    short_timers(hub.state.store.clone(), &[("Leo", 300)]).await;
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
    let (heard, _) = read_wav(&out);
    // The same announcement, rendered again from the player's own cache (deterministic).
    let voice = kidyboard_audio::speech::Voice::new("es-419", &cache.join("speech"));
    let ann = voice.announcement(&p.label).expect("announcement");
    let (start, end) = (p.start as usize, p.end as usize);
    let residual: Vec<f32> = heard[start..end]
        .iter()
        .zip(ann.samples())
        .map(|(h, a)| h - a)
        .collect();
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
