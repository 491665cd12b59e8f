//! When scheduled clips are due and how loud things play: pure functions over the schedule and
//! the settings, shared by the hub (validation) and the player (which runs them every second).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::{AudioSchedule, AudioSettings};

/// "HH:MM" → time of day.
pub fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// Whether `t` is inside the window [start, end), which may wrap past midnight (22:00–07:00).
pub fn in_window(t: NaiveTime, start: NaiveTime, end: NaiveTime) -> bool {
    if start <= end {
        t >= start && t < end
    } else {
        t >= start || t < end
    }
}

/// The times of day a schedule fires on a day it is active.
fn times_of_day(s: &AudioSchedule) -> Vec<NaiveTime> {
    let mut out: Vec<NaiveTime> = s.times.iter().filter_map(|t| parse_hhmm(t)).collect();
    if let (Some(every), Some(start), Some(end)) = (
        s.every_minutes.filter(|m| *m > 0),
        s.window_start.as_deref().and_then(parse_hhmm),
        s.window_end.as_deref().and_then(parse_hhmm),
    ) {
        let start_min = start.num_seconds_from_midnight() / 60;
        let end_min = end.num_seconds_from_midnight() / 60;
        let mut m = start_min;
        while m <= end_min {
            if let Some(t) = NaiveTime::from_hms_opt(m / 60, m % 60, 0) {
                out.push(t);
            }
            m += every;
        }
    }
    out.sort();
    out.dedup();
    out
}

fn active_on(s: &AudioSchedule, day: NaiveDate) -> bool {
    let weekday = day.weekday().number_from_monday() as u8;
    s.enabled
        && s.days.contains(&weekday)
        && date(&s.start_date).is_none_or(|d| day >= d)
        && date(&s.end_date).is_none_or(|d| day <= d)
}

/// Local instants in (`after`, `until`] at which `s` fires. A player calls this with the span
/// since its last look, so a slow tick never skips or doubles a jingle.
pub fn occurrences(
    s: &AudioSchedule,
    after: NaiveDateTime,
    until: NaiveDateTime,
) -> Vec<NaiveDateTime> {
    let mut out = Vec::new();
    if until <= after {
        return out;
    }
    let times = times_of_day(s);
    let mut day = after.date();
    while day <= until.date() {
        if active_on(s, day) {
            for t in &times {
                let at = day.and_time(*t);
                if at > after && at <= until {
                    out.push(at);
                }
            }
        }
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    out
}

/// Whether scheduled clips are silenced at `t` (announcements still play).
pub fn is_quiet(settings: &AudioSettings, t: NaiveTime) -> bool {
    match (
        settings.quiet_start.as_deref().and_then(parse_hhmm),
        settings.quiet_end.as_deref().and_then(parse_hhmm),
    ) {
        (Some(a), Some(b)) if a != b => in_window(t, a, b),
        _ => false,
    }
}

/// The volume (0–100) at `t`: the last day part that started before it (wrapping to the day's
/// last part before the first one starts), or 100 with none.
pub fn day_part_volume(settings: &AudioSettings, t: NaiveTime) -> u8 {
    let mut parts: Vec<(NaiveTime, u8)> = settings
        .day_parts
        .iter()
        .filter_map(|p| parse_hhmm(&p.start).map(|s| (s, p.volume)))
        .collect();
    parts.sort();
    parts
        .iter()
        .rev()
        .find(|(s, _)| *s <= t)
        .or(parts.last())
        .map(|(_, v)| *v)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::super::DayPart;
    use super::*;

    fn sched() -> AudioSchedule {
        AudioSchedule {
            id: "s".into(),
            name: "Promo".into(),
            clip_id: "c".into(),
            days: vec![1, 2, 3, 4, 5],
            times: vec!["12:00".into()],
            every_minutes: Some(30),
            window_start: Some("16:00".into()),
            window_end: Some("17:00".into()),
            start_date: Some("2026-11-02".into()),
            end_date: None,
            volume: 80,
            enabled: true,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn fixed_times_and_repeats_fire_on_active_days_only() {
        // 2026-11-23 is a Monday; 2026-11-22 a Sunday.
        let monday = occurrences(&sched(), at("2026-11-23 00:00"), at("2026-11-24 00:00"));
        let got: Vec<String> = monday
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect();
        assert_eq!(got, ["12:00", "16:00", "16:30", "17:00"]);
        assert!(occurrences(&sched(), at("2026-11-22 00:00"), at("2026-11-23 00:00")).is_empty());
        // Before the start date nothing plays.
        assert!(occurrences(&sched(), at("2026-10-26 00:00"), at("2026-10-27 00:00")).is_empty());
    }

    #[test]
    fn consecutive_spans_neither_skip_nor_double() {
        let mut total = 0;
        let mut t = at("2026-11-23 11:59");
        for _ in 0..(6 * 60) {
            let next = t + chrono::Duration::minutes(1);
            total += occurrences(&sched(), t, next).len();
            t = next;
        }
        assert_eq!(total, 4);
    }

    #[test]
    fn quiet_hours_wrap_past_midnight_and_day_parts_pick_the_latest() {
        let s = AudioSettings {
            quiet_start: Some("21:00".into()),
            quiet_end: Some("09:00".into()),
            day_parts: vec![
                DayPart {
                    start: "09:00".into(),
                    volume: 60,
                },
                DayPart {
                    start: "14:00".into(),
                    volume: 90,
                },
                DayPart {
                    start: "19:00".into(),
                    volume: 40,
                },
            ],
            ..AudioSettings::default()
        };
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("time");
        assert!(is_quiet(&s, t(23, 0)) && is_quiet(&s, t(8, 59)) && !is_quiet(&s, t(9, 0)));
        assert_eq!(day_part_volume(&s, t(10, 0)), 60);
        assert_eq!(day_part_volume(&s, t(15, 0)), 90);
        assert_eq!(day_part_volume(&s, t(2, 0)), 40);
    }
}
