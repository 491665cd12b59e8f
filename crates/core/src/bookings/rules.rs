//! The rules a booking keeps, free of storage: when two parties collide (the cleaning buffer
//! included), the branch's hours and closed days, how full a shared zone gets, and which state
//! may follow which.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::Millis;

pub const MINUTE_MS: Millis = 60_000;

/// A party's time on its area: from its start to its end plus the cleaning the area needs after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: Millis,
    pub end: Millis,
    pub buffer_ms: Millis,
}

impl Span {
    /// Until when nobody else may use the area.
    pub fn blocks_until(&self) -> Millis {
        self.end + self.buffer_ms
    }

    /// Whether two parties need the area at the same time: each one's buffer keeps the next
    /// party out until the cleaning is done.
    pub fn collides(&self, other: &Span) -> bool {
        self.start < other.blocks_until() && other.start < self.blocks_until()
    }
}

/// The most children a shared zone holds at once while `new` is on, with the `others`
/// (parties and their expected children) already booked.
pub fn peak_load(new: (Span, i64), others: &[(Span, i64)]) -> i64 {
    let overlapping: Vec<&(Span, i64)> = others.iter().filter(|o| o.0.collides(&new.0)).collect();
    // The load only rises at a start, so the peak is at the new party's start or at the start of
    // one that begins during it.
    let mut points = vec![new.0.start];
    points.extend(
        overlapping
            .iter()
            .map(|o| o.0.start)
            .filter(|s| *s > new.0.start && *s < new.0.blocks_until()),
    );
    points
        .into_iter()
        .map(|t| {
            new.1
                + overlapping
                    .iter()
                    .filter(|o| o.0.start <= t && t < o.0.blocks_until())
                    .map(|o| o.1)
                    .sum::<i64>()
        })
        .max()
        .unwrap_or(new.1)
}

/// A weekday's opening hours, local to the branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DayHours {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// `HH:MM`.
    #[schema(value_type = String, example = "09:00")]
    #[serde(with = "hhmm")]
    pub opens: NaiveTime,
    #[schema(value_type = String, example = "21:00")]
    #[serde(with = "hhmm")]
    pub closes: NaiveTime,
    #[serde(default)]
    pub closed: bool,
}

impl DayHours {
    pub fn default_for(weekday: u8) -> DayHours {
        DayHours {
            weekday,
            opens: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            closes: NaiveTime::from_hms_opt(21, 0, 0).unwrap_or_default(),
            closed: false,
        }
    }
}

pub(crate) mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let s = String::deserialize(d)?;
        NaiveTime::parse_from_str(&s, "%H:%M")
            .map_err(|_| serde::de::Error::custom("una hora como 09:00"))
    }
}

/// The week's hours (index 0 = Monday) and the days the branch does not open.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub tz: Tz,
    pub week: [DayHours; 7],
    pub closed_days: BTreeMap<NaiveDate, String>,
}

/// Why a time does not fit the branch's calendar, and which end of the booking is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideHours {
    pub field: &'static str,
    pub message: String,
}

impl Calendar {
    pub fn hours_on(&self, day: NaiveDate) -> DayHours {
        self.week[day.weekday().num_days_from_monday() as usize]
    }

    /// The local instant `time` on `day` (the earlier one when a clock change repeats it, the
    /// next valid one when it skips it).
    pub fn at(&self, day: NaiveDate, time: NaiveTime) -> Millis {
        let local = day.and_time(time);
        match self.tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                t.timestamp_millis()
            }
            chrono::LocalResult::None => self
                .tz
                .from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
                .map(|t| t.timestamp_millis())
                .unwrap_or_default(),
        }
    }

    /// A party from `start` to `end` fits when its day is open and it lies within that day's
    /// hours.
    pub fn check(&self, start: Millis, end: Millis) -> Result<(), OutsideHours> {
        let day = crate::clock::local_day(start, self.tz);
        if let Some(reason) = self.closed_days.get(&day) {
            let why = if reason.is_empty() {
                String::new()
            } else {
                format!(" ({reason})")
            };
            return Err(OutsideHours {
                field: "starts_at",
                message: format!("el {day} el local está cerrado{why}"),
            });
        }
        let hours = self.hours_on(day);
        if hours.closed {
            return Err(OutsideHours {
                field: "starts_at",
                message: format!("el local no abre los {}", weekday_name(hours.weekday)),
            });
        }
        let (opens, closes) = (self.at(day, hours.opens), self.at(day, hours.closes));
        let span = format!(
            "{}–{}",
            hours.opens.format("%H:%M"),
            hours.closes.format("%H:%M")
        );
        if start < opens {
            return Err(OutsideHours {
                field: "starts_at",
                message: format!("empieza antes de abrir: el horario es {span}"),
            });
        }
        if end > closes {
            return Err(OutsideHours {
                field: "ends_at",
                message: format!("termina después de cerrar: el horario es {span}"),
            });
        }
        Ok(())
    }
}

pub fn weekday_name(weekday: u8) -> &'static str {
    match weekday {
        1 => "lunes",
        2 => "martes",
        3 => "miércoles",
        4 => "jueves",
        5 => "viernes",
        6 => "sábados",
        _ => "domingos",
    }
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingState {
    /// Held without its deposit for the branch's hold time.
    Tentative,
    /// The deposit is paid (or none was asked).
    Confirmed,
    /// The party is on: its children have timers.
    CheckedIn,
    Completed,
    Cancelled,
}

impl BookingState {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingState::Tentative => "tentative",
            BookingState::Confirmed => "confirmed",
            BookingState::CheckedIn => "checked_in",
            BookingState::Completed => "completed",
            BookingState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<BookingState> {
        [
            BookingState::Tentative,
            BookingState::Confirmed,
            BookingState::CheckedIn,
            BookingState::Completed,
            BookingState::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// The state machine: tentative → confirmed → checked in → completed, cancelled from the
    /// first two.
    pub fn may_become(self, next: BookingState) -> bool {
        use BookingState::*;
        matches!(
            (self, next),
            (Tentative, Confirmed)
                | (Tentative, Cancelled)
                | (Confirmed, CheckedIn)
                | (Confirmed, Cancelled)
                | (CheckedIn, Completed)
        )
    }

    /// Whether its time and area may still change.
    pub fn movable(self) -> bool {
        matches!(self, BookingState::Tentative | BookingState::Confirmed)
    }

    /// Whether it keeps others off its area at `now` (a tentative one until its hold runs out).
    pub fn blocks(self, held_until: Option<Millis>, now: Millis) -> bool {
        match self {
            BookingState::Tentative => held_until.is_none_or(|h| h > now),
            BookingState::Cancelled => false,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const H: Millis = 60 * MINUTE_MS;

    fn span(start_h: i64, end_h: i64, buffer_min: i64) -> Span {
        Span {
            start: start_h * H,
            end: end_h * H,
            buffer_ms: buffer_min * MINUTE_MS,
        }
    }

    #[test]
    fn collisions() {
        let cases = [
            ("apart", span(10, 12, 0), span(13, 15, 0), false),
            ("back to back", span(10, 12, 0), span(12, 14, 0), false),
            ("overlap", span(10, 12, 0), span(11, 13, 0), true),
            ("inside", span(10, 16, 0), span(11, 13, 0), true),
            (
                "the first one's buffer",
                span(10, 12, 30),
                span(12, 14, 0),
                true,
            ),
            (
                "a buffer does not reach back",
                span(12, 14, 30),
                span(10, 12, 0),
                false,
            ),
            ("after the buffer", span(10, 12, 60), span(13, 15, 0), false),
        ];
        for (why, a, b, expected) in cases {
            assert_eq!(a.collides(&b), expected, "{why}: {a:?} vs {b:?}");
            assert_eq!(b.collides(&a), expected, "{why}: collisions are symmetric");
        }
    }

    #[test]
    fn a_zone_counts_the_children_at_its_fullest_moment() {
        let others = [
            (span(10, 12, 0), 10),
            (span(11, 13, 0), 8),
            (span(14, 16, 0), 30),
        ];
        assert_eq!(peak_load((span(10, 13, 0), 5), &others), 23);
        assert_eq!(peak_load((span(12, 14, 0), 5), &others), 13);
        assert_eq!(peak_load((span(16, 18, 0), 5), &others), 5);
    }

    fn calendar(tz: Tz) -> Calendar {
        let mut week = [DayHours::default_for(1); 7];
        for (i, d) in week.iter_mut().enumerate() {
            *d = DayHours::default_for(i as u8 + 1);
        }
        week[0].closed = true;
        let mut closed_days = BTreeMap::new();
        closed_days.insert(
            NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
            "Navidad".to_string(),
        );
        Calendar {
            tz,
            week,
            closed_days,
        }
    }

    fn local(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> Millis {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn hours_and_closed_days_are_the_branchs_local_ones() {
        let tz = chrono_tz::America::Mexico_City;
        let c = calendar(tz);
        // Saturday 2026-12-05.
        assert!(c
            .check(local(tz, 2026, 12, 5, 9, 0), local(tz, 2026, 12, 5, 21, 0))
            .is_ok());
        let early = c
            .check(local(tz, 2026, 12, 5, 8, 45), local(tz, 2026, 12, 5, 11, 0))
            .unwrap_err();
        assert_eq!(early.field, "starts_at");
        let late = c
            .check(
                local(tz, 2026, 12, 5, 19, 0),
                local(tz, 2026, 12, 5, 21, 30),
            )
            .unwrap_err();
        assert_eq!(late.field, "ends_at");
        let monday = c
            .check(local(tz, 2026, 12, 7, 12, 0), local(tz, 2026, 12, 7, 14, 0))
            .unwrap_err();
        assert!(monday.message.contains("lunes"), "{monday:?}");
        let xmas = c
            .check(
                local(tz, 2026, 12, 25, 12, 0),
                local(tz, 2026, 12, 25, 14, 0),
            )
            .unwrap_err();
        assert!(xmas.message.contains("Navidad"), "{xmas:?}");
    }

    #[test]
    fn tijuana_keeps_its_hours_across_the_clock_change() {
        // Tijuana moves its clocks on 2026-03-08 and 2026-11-01 (Sundays); 09:00 local is 17:00
        // UTC before the spring change and 16:00 UTC after it.
        let tz = chrono_tz::America::Tijuana;
        let c = calendar(tz);
        for (y, m, d) in [(2026, 3, 8), (2026, 11, 1), (2026, 3, 7), (2026, 11, 2)] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            if c.hours_on(day).closed {
                continue;
            }
            let opens = local(tz, y, m, d, 9, 0);
            assert!(
                c.check(opens, opens + 2 * H).is_ok(),
                "09:00 local on {day} opens"
            );
            assert!(
                c.check(opens - MINUTE_MS, opens + H).is_err(),
                "08:59 local on {day} is before opening"
            );
        }
        assert_eq!(
            local(tz, 2026, 3, 8, 9, 0) - local(tz, 2026, 3, 7, 9, 0),
            23 * H,
            "the spring day is 23 hours long"
        );
        assert_eq!(
            local(tz, 2026, 11, 1, 9, 0) - local(tz, 2026, 10, 31, 9, 0),
            25 * H,
            "the autumn day is 25 hours long"
        );
    }

    #[test]
    fn the_state_machine_goes_forward_only() {
        use BookingState::*;
        let all = [Tentative, Confirmed, CheckedIn, Completed, Cancelled];
        let allowed: Vec<(BookingState, BookingState)> = all
            .iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.may_become(*b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Tentative, Confirmed),
                (Tentative, Cancelled),
                (Confirmed, CheckedIn),
                (Confirmed, Cancelled),
                (CheckedIn, Completed)
            ]
        );
        assert!(
            !Cancelled.may_become(CheckedIn),
            "a cancelled party is over"
        );
        assert!(Tentative.blocks(Some(10), 5));
        assert!(
            !Tentative.blocks(Some(10), 10),
            "a lapsed hold frees the slot"
        );
        assert!(!Cancelled.blocks(None, 0));
    }

    proptest! {
        #[test]
        fn collision_is_symmetric_and_matches_the_minutes(
            a in 0i64..200, al in 1i64..50, ab in 0i64..10,
            b in 0i64..200, bl in 1i64..50, bb in 0i64..10,
        ) {
            let sa = Span { start: a * MINUTE_MS, end: (a + al) * MINUTE_MS, buffer_ms: ab * MINUTE_MS };
            let sb = Span { start: b * MINUTE_MS, end: (b + bl) * MINUTE_MS, buffer_ms: bb * MINUTE_MS };
            // Minute by minute: both need the area in some minute.
            let brute = (0..300).any(|m| {
                let busy = |s: &Span| m * MINUTE_MS >= s.start && m * MINUTE_MS < s.blocks_until();
                busy(&sa) && busy(&sb)
            });
            prop_assert_eq!(sa.collides(&sb), brute);
            prop_assert_eq!(sa.collides(&sb), sb.collides(&sa));
        }

        #[test]
        fn the_peak_is_the_fullest_minute(
            new in (0i64..100, 1i64..40, 1i64..10),
            others in proptest::collection::vec((0i64..100, 1i64..40, 1i64..10), 0..8),
        ) {
            let mk = |(s, l, n): (i64, i64, i64)| (Span { start: s * MINUTE_MS, end: (s + l) * MINUTE_MS, buffer_ms: 0 }, n);
            let new = mk(new);
            let others: Vec<_> = others.into_iter().map(mk).collect();
            let brute = (0..200)
                .map(|m| m * MINUTE_MS)
                .filter(|t| *t >= new.0.start && *t < new.0.end)
                .map(|t| new.1 + others.iter().filter(|o| t >= o.0.start && t < o.0.end).map(|o| o.1).sum::<i64>())
                .max()
                .unwrap_or(new.1);
            prop_assert_eq!(peak_load(new, &others), brute);
        }
    }
}
