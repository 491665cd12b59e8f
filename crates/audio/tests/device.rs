//! The sound-card path on a machine without a sound card: ALSA's null device (set up by a
//! process-local `~/.asoundrc`, as a kiosk's could be) stands in for the speakers, so the real
//! rodio/cpal stream opens and pulls the mixer in real time. Its own test binary, because ALSA
//! reads the configuration once per process.
#![cfg(feature = "device")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kidyboard_audio::device::DeviceOutput;
use kidyboard_audio::{Item, Mixer, MixerConfig, Pcm, Priority};

#[test]
fn the_device_pulls_the_mixer_and_a_missing_device_is_an_error_not_a_panic() {
    let home = tempfile::tempdir().expect("tmp");
    std::fs::write(
        home.path().join(".asoundrc"),
        "pcm.!default { type null }\nctl.!default { type hw card 0 }\n",
    )
    .expect("asoundrc");
    std::env::set_var("HOME", home.path());

    let mixer = Arc::new(Mutex::new(Mixer::new(MixerConfig::default())));
    let missing = DeviceOutput::open(Some("Bocinas que no existen"), mixer.clone());
    assert_eq!(missing.err().map(|e| e.code()), Some("no_device"));

    let out =
        DeviceOutput::open(None, mixer.clone()).expect("ALSA's null device opens as the default");
    assert!(!out.describe().is_empty());
    mixer.lock().expect("mixer").enqueue(Item {
        label: "beep".into(),
        priority: Priority::Announcement,
        pcm: Pcm::new(vec![0.1; 4410]),
        gain: 1.0,
    });
    let started = Instant::now();
    loop {
        let done = {
            let m = mixer.lock().expect("mixer");
            m.placements().len() == 1 && m.is_idle()
        };
        if done {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the device consumed the queue"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        mixer.lock().expect("mixer").clock() > 4410,
        "the device pulled samples"
    );
}
