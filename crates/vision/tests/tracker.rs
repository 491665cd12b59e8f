//! The tracker on a generated sequence at 10 frames per second: people enter, linger (one of
//! them hidden for a second), leave; a one-frame false detection and a two-frame glimpse count
//! nobody; someone new at a spot just left is a new visitor. Exact counts and dwell times.

use kidyboard_vision::{Detection, FinishedVisit, Tracker, TrackerOptions};

fn face(x: f32, y: f32, w: f32, h: f32) -> Detection {
    Detection {
        x,
        y,
        w,
        h,
        score: 0.9,
        landmarks: [(0.0, 0.0); 5],
    }
}

/// Runs frames 0..n (100 ms apart); `at(i)` gives the detections of frame i.
fn run(
    n: usize,
    at: impl Fn(usize) -> Vec<Detection>,
    probe: impl Fn(usize, &Tracker),
) -> (Vec<FinishedVisit>, Tracker) {
    let mut t = Tracker::new(TrackerOptions::default());
    let mut visits = Vec::new();
    for i in 0..n {
        visits.extend(t.update(&at(i), i as i64 * 100));
        probe(i, &t);
    }
    visits.extend(t.finish());
    visits.sort_by_key(|v| v.started_at);
    (visits, t)
}

#[test]
fn people_entering_lingering_and_leaving_are_counted_once_each_with_exact_dwell() {
    let sequence = |i: usize| {
        let mut d = Vec::new();
        // A: frames 0–99, drifting right, hidden behind someone in frames 40–49.
        if i < 100 && !(40..50).contains(&i) {
            d.push(face(100.0 + i as f32, 100.0, 80.0, 100.0));
        }
        // B: frames 30–69, walking left.
        if (30..70).contains(&i) {
            d.push(face(500.0 - 2.0 * (i - 30) as f32, 120.0, 70.0, 90.0));
        }
        // A false detection for a single frame.
        if i == 20 {
            d.push(face(300.0, 330.0, 40.0, 40.0));
        }
        // A glimpse of two frames: below the three sightings a visitor needs.
        if i == 75 || i == 76 {
            d.push(face(520.0, 300.0, 60.0, 60.0));
        }
        // C: frames 120–129, where A stood before leaving.
        if (120..130).contains(&i) {
            d.push(face(199.0, 100.0, 80.0, 100.0));
        }
        d
    };
    let probe = |i: usize, t: &Tracker| match i {
        1 => assert_eq!(t.in_view(), 0, "A is not counted before three sightings"),
        2 => assert_eq!(t.in_view(), 1, "A is counted at the third sighting"),
        35 => assert_eq!(t.in_view(), 2, "A and B in view"),
        45 => assert_eq!(t.in_view(), 2, "A, hidden for half a second, has not left"),
        95 => assert_eq!(
            t.in_view(),
            1,
            "B left 2.6 s ago; the glimpse never counted"
        ),
        110 => assert_eq!(
            t.in_view(),
            1,
            "A left at 9.9 s but the 2 s grace has not passed"
        ),
        121 => assert_eq!(t.in_view(), 0, "A gone; C not yet confirmed"),
        125 => assert_eq!(t.in_view(), 1, "C in view"),
        _ => {}
    };
    let (visits, tracker) = run(140, sequence, probe);
    let spans: Vec<(i64, i64, i64)> = visits
        .iter()
        .map(|v| (v.started_at, v.ended_at, v.dwell_ms()))
        .collect();
    assert_eq!(
        spans,
        [
            (0, 9_900, 9_900),
            (3_000, 6_900, 3_900),
            (12_000, 12_900, 900)
        ],
        "A, B and C with their first and last sightings"
    );
    assert_eq!(tracker.visitors(), 3);
    let mut ids: Vec<&str> = visits.iter().map(|v| v.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each visit has its own id");
    assert!(ids.iter().all(|id| id.len() == 26), "ULIDs");
}

#[test]
fn a_gap_longer_than_the_grace_splits_one_person_into_two_visits() {
    // Seen 0–1 s, away 3 s, back 4–5 s at the same spot: two visits.
    let (visits, _) = run(
        51,
        |i| {
            if i <= 10 || i >= 40 {
                vec![face(50.0, 50.0, 80.0, 80.0)]
            } else {
                vec![]
            }
        },
        |_, _| {},
    );
    let spans: Vec<(i64, i64)> = visits.iter().map(|v| (v.started_at, v.ended_at)).collect();
    assert_eq!(spans, [(0, 1_000), (4_000, 5_000)]);
}

#[test]
fn two_people_crossing_keep_their_own_visits() {
    // P walks right and Q walks left on the same row; boxes never overlap by much per frame.
    let (visits, tracker) = run(
        30,
        |i| {
            let x = i as f32 * 15.0;
            vec![
                face(x, 100.0, 60.0, 60.0),
                face(600.0 - x, 260.0, 60.0, 60.0),
            ]
        },
        |_, _| {},
    );
    assert_eq!(tracker.visitors(), 2);
    assert_eq!(visits.len(), 2);
    assert!(visits.iter().all(|v| v.dwell_ms() == 2_900), "{visits:?}");
}
