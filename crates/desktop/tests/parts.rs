//! The parts the shell hosts, against the real embedded hub on 127.0.0.1:0 (no window needed):
//! the speaker player announces a timer that runs out into a WAV file; the visitor counter runs
//! the real face model over a folder of frames made from real photos and the hub's visitors
//! report counts them; a refused account is a status and a retry, and stopping still works.

use std::path::Path;
use std::time::Duration;

use kidyboard_client::HubClient;
use kidyboard_core::demo;
use kidyboard_desktop::device::HubPlacement;
use kidyboard_desktop::hub::{embedded_config, prepare_store, EmbeddedHub};
use kidyboard_desktop::parts::{AudioTable, PartInfo, Parts, VisionTable};
use kidyboard_testkit::timers::short_timers;
use serde_json::Value;

async fn hosted_store(dir: &Path) -> EmbeddedHub {
    let placement = HubPlacement::Host {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: Some(dir.to_path_buf()),
    };
    let hub = EmbeddedHub::start(embedded_config(&placement).expect("config"))
        .await
        .expect("hub starts");
    let store = hub.store.clone();
    tokio::task::spawn_blocking(move || prepare_store(&store, "clave-de-tienda", true))
        .await
        .expect("task")
        .expect("demo store");
    hub
}

/// Polls the parts until `done` holds for the part `pick` chooses, or fails with the last state.
async fn wait_for(
    parts: &Parts,
    what: &str,
    secs: u64,
    pick: impl Fn(&kidyboard_desktop::parts::PartsInfo) -> Option<PartInfo>,
    done: impl Fn(&PartInfo) -> bool,
) -> PartInfo {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let info = pick(&parts.info());
        if let Some(i) = info.as_ref().filter(|i| done(i)) {
            return i.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: last state {info:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn admin_get(base: &str, path: &str) -> Value {
    let admin = HubClient::login(base, "admin", "clave-de-tienda")
        .await
        .expect("login");
    admin
        .get_json(&format!("/api/v1{path}"))
        .await
        .expect("get")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shell_announces_a_timer_that_runs_out() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut hub = hosted_store(dir.path()).await;
    let wav = dir.path().join("speakers.wav");
    let table = AudioTable {
        user: "monitor".into(),
        password: demo::DEMO_PASSWORD.into(),
        device: None,
        wav: Some(wav.clone()),
        name: Some("Recepción".into()),
    };
    let parts = Parts::start(
        &hub.base_url,
        Some(&table),
        None,
        &dir.path().join("cache"),
        &dir.path().join("data"),
    );
    let ready = wait_for(
        &parts,
        "the player follows the hub",
        15,
        |i| i.audio.clone(),
        |a| a.connected,
    )
    .await;
    assert_eq!(ready.state, "ok", "{ready:?}");
    assert!(ready.message.contains("speakers.wav"), "{ready:?}");

    // A short timer straight into the store (services are sold in whole minutes); the hub's
    // scheduler, live feed and the hosted player are the real ones.
    short_timers(hub.store.clone(), &[("Sofía", 500)]).await;
    hub.state.timers_changed.notify_one();
    let said = wait_for(
        &parts,
        "the expiry is announced",
        30,
        |i| i.audio.clone(),
        |a| a.detail.is_some(),
    )
    .await;
    assert_eq!(
        said.detail.as_deref(),
        Some("Se terminó el tiempo de Sofía")
    );
    // The admin's audio page sees the shell's player by its name.
    let players = admin_get(&hub.base_url, "/audio/players").await;
    assert_eq!(players["items"][0]["name"], "Recepción", "{players}");

    // Give the announcement time to be written, then stop: the WAV is complete and not silent.
    tokio::time::sleep(Duration::from_secs(4)).await;
    parts.stop().await;
    let (samples, _, _) = kidyboard_audio::wav::read_frames(&wav).expect("a complete WAV");
    let loud = samples.iter().filter(|s| s.abs() > 0.03).count();
    assert!(
        loud > 10_000,
        "the chime and the voice were heard ({loud} loud samples)"
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shell_counts_visitors_from_the_camera_part() {
    let photos = kidyboard_vision::runtime::default_dir().join("photos");
    assert!(
        photos.join("astronaut.png").is_file(),
        "run scripts/fetch-vision.sh first ({} is empty)",
        photos.display()
    );
    let dir = tempfile::tempdir().expect("tmp");
    let mut hub = hosted_store(dir.path()).await;
    let frames = dir.path().join("frames");
    kidyboard_vision::demo::write_sequence(&photos, &frames).expect("frames");
    let table = VisionTable {
        user: "totem".into(),
        password: demo::DEMO_PASSWORD.into(),
        source: format!("dir:{}", frames.display()),
        device_id: "totem-entrada".into(),
        width: None,
        height: None,
        fps: Some(2),
        model: None,
        ort_lib: None,
    };
    let parts = Parts::start(
        &hub.base_url,
        None,
        Some(&table),
        &dir.path().join("cache"),
        &dir.path().join("data"),
    );
    // A folder runs out; the part then shows what it delivered.
    let end = wait_for(
        &parts,
        "the folder is counted",
        120,
        |i| i.vision.clone(),
        |v| v.state == "stopped",
    )
    .await;
    assert_eq!(
        end.message, "Visitas entregadas: 2; rechazadas: 0; sin entregar: 0",
        "{end:?}"
    );
    let today = admin_get(&hub.base_url, "/day-closings/current").await["business_day"]
        .as_str()
        .expect("business day")
        .to_string();
    let report = admin_get(
        &hub.base_url,
        &format!("/reports/visitors?from={today}&to={today}"),
    )
    .await;
    assert_eq!(report["figures"]["visitors"], 2, "{report}");
    let cams = admin_get(&hub.base_url, "/vision/status").await;
    assert_eq!(cams["items"][0]["device_id"], "totem-entrada", "{cams}");
    parts.stop().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_account_is_a_status_and_stopping_still_works() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut hub = hosted_store(dir.path()).await;
    let audio = AudioTable {
        user: "monitor".into(),
        password: "no-es-esta".into(),
        device: None,
        wav: Some(dir.path().join("never.wav")),
        name: None,
    };
    let vision = VisionTable {
        user: "totem".into(),
        password: demo::DEMO_PASSWORD.into(),
        source: "tv:1".into(),
        device_id: "totem".into(),
        width: None,
        height: None,
        fps: None,
        model: None,
        ort_lib: None,
    };
    let parts = Parts::start(
        &hub.base_url,
        Some(&audio),
        Some(&vision),
        &dir.path().join("cache"),
        &dir.path().join("data"),
    );
    let refused = wait_for(
        &parts,
        "the refusal is shown",
        10,
        |i| i.audio.clone(),
        |a| a.message.starts_with("No se pudo iniciar sesión"),
    )
    .await;
    assert_eq!(refused.state, "signing_in");
    let bad = wait_for(
        &parts,
        "a bad camera setting is shown",
        10,
        |i| i.vision.clone(),
        |v| v.state == "stopped",
    )
    .await;
    assert!(bad.message.contains("tv:1"), "{bad:?}");
    let stopping = tokio::time::timeout(Duration::from_secs(5), parts.stop()).await;
    assert!(stopping.is_ok(), "a part waiting to sign in stops at once");
    assert!(
        !dir.path().join("never.wav").exists(),
        "no output is opened without a session"
    );
    hub.stop().await;
}
