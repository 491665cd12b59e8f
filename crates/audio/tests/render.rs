//! The engine rendered to WAV and listened to with real decoders: order, priority, gaps,
//! ducking depth, loudness (checked by ffmpeg's ebur128 too) and the voice inside an
//! announcement.

use kidyboard_audio::loudness::{self, TARGET_LUFS};
use kidyboard_audio::mixer::{render, Cue};
use kidyboard_audio::pcm::{decode, ms_to_samples, DecodeLimits};
use kidyboard_audio::speech::{speech_offset, Voice};
use kidyboard_audio::{wav, Item, MixerConfig, Pcm, Priority, RATE};
use kidyboard_testkit::sound::*;

fn clip(dir: &std::path::Path, name: &str, lavfi: &str, gain_db: i32) -> Pcm {
    let path = dir.join(name);
    let bytes = ffmpeg_make(lavfi, &["-af", &format!("volume={gain_db}dB")], &path);
    let pcm = decode(&bytes, DecodeLimits::default()).expect("our decoder reads ffmpeg's file");
    loudness::normalise(&pcm).expect("normalises").0
}

#[test]
fn jingles_and_announcements_play_by_priority_without_overlap_over_a_ducked_bed() {
    assert!(
        espeak_available(),
        "espeak-ng is installed (scripts/install-deps.sh)"
    );
    let dir = tempfile::tempdir().expect("tmp");
    // Different formats on purpose: each goes through its own decoder.
    let jingle_a = clip(dir.path(), "a.mp3", "sine=frequency=660:duration=1.5", -30);
    let jingle_b = clip(dir.path(), "b.ogg", "sine=frequency=880:duration=1.2", -5);
    let bed = clip(dir.path(), "bed.flac", "sine=frequency=110:duration=3", -12);
    let voice = Voice::new("es-419", &dir.path().join("speech"));
    let sofia = voice
        .announcement("Se terminó el tiempo de Sofía")
        .expect("speaks");

    let second = ms_to_samples(1000);
    let cue = |at, label: &str, priority, pcm: &Pcm| Cue {
        at,
        item: Item {
            label: label.into(),
            priority,
            pcm: pcm.clone(),
            gain: 1.0,
        },
    };
    let cues = vec![
        cue(second, "jingle A", Priority::Scheduled, &jingle_a),
        cue(second + 100, "jingle B", Priority::Scheduled, &jingle_b),
        // Arrives while A plays and after B was queued: it goes before B, not over A.
        cue(
            second + ms_to_samples(500),
            "Sofía",
            Priority::Announcement,
            &sofia,
        ),
    ];
    let cfg = MixerConfig::default();
    let (out, placed) = render(cfg, Some(bed.clone()), cues, 0);
    let path = dir.path().join("out.wav");
    wav::write_mono(&path, &out).expect("WAV written");
    let (heard, rate) = read_wav(&path);
    assert_eq!(rate, RATE);

    let order: Vec<&str> = placed.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        order,
        ["jingle A", "Sofía", "jingle B"],
        "announcement before the queued jingle"
    );
    let gap = ms_to_samples(cfg.gap_ms);
    for w in placed.windows(2) {
        assert!(
            w[1].start >= w[0].end + gap,
            "{} starts {} samples after {} ends; expected a gap of {gap}",
            w[1].label,
            w[1].start as i64 - w[0].end as i64,
            w[0].label
        );
    }
    assert!(
        placed[0].start >= second,
        "nothing plays before it is queued"
    );

    // What is left when each item is taken away is the bed: ducked while items play.
    let mut residual = heard.clone();
    for (p, pcm) in placed.iter().zip([&jingle_a, &sofia, &jingle_b]) {
        for (i, s) in pcm.samples().iter().enumerate() {
            residual[p.start as usize + i] -= s;
        }
    }
    let during: Vec<f32> = placed
        .iter()
        .flat_map(|p| residual[p.start as usize..p.end as usize].to_vec())
        .collect();
    let before = &heard[..second as usize];
    let tail_start = placed.last().expect("placed").end as usize
        + ms_to_samples(cfg.gap_ms + cfg.duck_ramp_ms + 50) as usize;
    let after = &heard[tail_start..];
    assert!(
        after.len() > 1000,
        "the render runs on until the bed is back up"
    );
    let depth = db(rms(&during) / rms(before));
    assert!(
        (depth - cfg.duck_db).abs() < 1.0,
        "bed ducked by {depth:.1} dB while items play (want {})",
        cfg.duck_db
    );
    let back = db(rms(after) / rms(before));
    assert!(
        back.abs() < 1.0,
        "bed back to its level afterwards ({back:.1} dB)"
    );
}

#[test]
fn clips_are_normalised_to_the_target_as_ffmpeg_measures_it() {
    let dir = tempfile::tempdir().expect("tmp");
    for (name, src, gain) in [
        ("quiet.mp3", "sine=frequency=300:duration=4", -35),
        (
            "loud.flac",
            "anoisesrc=duration=4:color=pink:amplitude=0.9",
            0,
        ),
        (
            "music.ogg",
            "aevalsrc=0.6*sin(2*PI*220*t)*sin(2*PI*0.5*t):d=5",
            0,
        ),
        ("stereo.wav", "sine=frequency=500:duration=3", -10),
    ] {
        let pcm = clip(dir.path(), name, src, gain);
        let out = dir.path().join(format!("{name}.norm.wav"));
        wav::write_mono(&out, pcm.samples()).expect("write");
        let ours = loudness::measure(&pcm).expect("measures").integrated_lufs;
        let theirs = ffmpeg_lufs(&out);
        assert!(
            (theirs - TARGET_LUFS).abs() <= 1.0,
            "{name}: ffmpeg measures {theirs} LUFS, want {TARGET_LUFS} ± 1"
        );
        assert!(
            (ours - theirs).abs() < 0.3,
            "{name}: our meter {ours} vs ffmpeg {theirs}"
        );
        let peak = pcm.samples().iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!(
            peak <= loudness::PEAK_CEILING + 1e-4,
            "{name}: peak {peak} under the ceiling"
        );
        let tp = ffmpeg_true_peak(&out);
        assert!(
            tp <= -1.0,
            "{name}: ffmpeg reads a true peak of {tp} dBTP, want ≤ −1"
        );
    }
}

#[test]
fn an_announcement_is_the_chime_then_exactly_espeaks_voice() {
    assert!(espeak_available(), "espeak-ng is installed");
    let dir = tempfile::tempdir().expect("tmp");
    let text = "Se terminó el tiempo de Mateo";
    let voice = Voice::new("es-419", &dir.path().join("cache"));
    let ann = voice.announcement(text).expect("speaks");
    // espeak-ng run directly, outside our code.
    let direct = dir.path().join("direct.wav");
    let ok = std::process::Command::new("espeak-ng")
        .args(["-v", "es-419", "-w"])
        .arg(&direct)
        .arg(text)
        .status()
        .expect("espeak-ng runs");
    assert!(ok.success());
    let (espeak, rate) = read_wav(&direct);
    assert_eq!(rate * 2, RATE, "espeak speaks at half the engine rate");
    let speech: Vec<f32> = ann.samples()[speech_offset()..]
        .iter()
        .step_by(2)
        .copied()
        .collect();
    let n = espeak.len().min(speech.len());
    assert!(n + 2 >= espeak.len(), "the whole phrase is there");
    // Same samples up to one gain, except where the limiter holds the loudest syllables down.
    let c = correlation(&speech[..n], &espeak[..n]);
    assert!(
        c > 0.98,
        "the voice is espeak's rendering of the phrase (correlation {c:.4})"
    );
    let shifted = correlation(&speech[3..n], &espeak[..n - 3]);
    assert!(
        shifted < c - 0.05,
        "aligned to the sample: {c:.4} at 0, {shifted:.4} when shifted"
    );
    let lufs = loudness::measure(&ann).expect("measures").integrated_lufs;
    assert!(
        (lufs - TARGET_LUFS).abs() < 1.0,
        "announcement at {lufs} LUFS"
    );
    // EBU R128's limits as another meter reads them: ffmpeg's, on the file.
    let file = dir.path().join("announcement.wav");
    wav::write_mono(&file, ann.samples()).expect("write");
    let (theirs, tp) = (ffmpeg_lufs(&file), ffmpeg_true_peak(&file));
    assert!((theirs - TARGET_LUFS).abs() <= 1.0, "ffmpeg: {theirs} LUFS");
    assert!(
        tp <= -1.0,
        "ffmpeg reads a true peak of {tp} dBTP, want ≤ −1"
    );
    let chime = kidyboard_audio::chime::chime();
    let c = correlation(&ann.samples()[..chime.len()], chime.samples());
    assert!(c > 0.995, "the chime comes first (correlation {c:.4})");
    // The second time comes from the cache: same sound, no new file.
    let files = std::fs::read_dir(dir.path().join("cache"))
        .expect("cache")
        .count();
    assert_eq!(
        voice.announcement(text).expect("again").samples(),
        ann.samples()
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("cache"))
            .expect("cache")
            .count(),
        files
    );
}

#[test]
fn corrupt_truncated_long_and_huge_files_are_refused_clearly() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("ok.flac");
    let good = ffmpeg_make(
        "sine=frequency=440:duration=3",
        &["-af", "volume=-10dB"],
        &path,
    );
    let limits = DecodeLimits {
        max_bytes: 1_000_000,
        max_seconds: 60,
    };
    assert!(decode(&good, limits).is_ok());

    let text = decode(b"<html>not a sound</html>", limits).expect_err("text refused");
    assert_eq!(text.code(), "not_audio");
    let mut garbage = b"fLaC".to_vec();
    garbage.extend((0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8));
    let g = decode(&garbage, limits).expect_err("garbage after a FLAC signature refused");
    assert!(matches!(g.code(), "not_audio" | "empty_audio"), "{g}");
    let cut = decode(&good[..60], limits).expect_err("a file cut after its header is refused");
    assert!(matches!(cut.code(), "not_audio" | "empty_audio"), "{cut}");
    let long = decode(
        &good,
        DecodeLimits {
            max_bytes: 1_000_000,
            max_seconds: 2,
        },
    )
    .expect_err("too long");
    assert_eq!(long.code(), "audio_too_long");
    let big = decode(
        &good,
        DecodeLimits {
            max_bytes: 1000,
            max_seconds: 60,
        },
    )
    .expect_err("too big");
    assert_eq!((big.code(), big.http_status()), ("payload_too_large", 413));
}
