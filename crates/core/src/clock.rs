//! Time as the store keeps it: UTC milliseconds since the Unix epoch, and business days in the
//! branch's own time zone.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{CoreError, Result};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

pub fn now_ms() -> Millis {
    Utc::now().timestamp_millis()
}

/// RFC 3339 with milliseconds, always in UTC (`2026-11-22T18:00:00.000Z`).
pub fn to_rfc3339(ms: Millis) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => String::new(),
    }
}

pub fn parse_rfc3339(field: &str, s: &str) -> Result<Millis> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
        .map_err(|_| {
            CoreError::validation(
                field,
                "fecha y hora inválida (se espera RFC 3339, p. ej. 2026-11-22T18:00:00Z)",
            )
        })
}

pub fn parse_tz(field: &str, name: &str) -> Result<Tz> {
    name.parse::<Tz>()
        .map_err(|_| CoreError::validation(field, format!("zona horaria desconocida: {name}")))
}

/// The calendar day an instant falls on in the given zone.
pub fn local_day(ms: Millis, tz: Tz) -> NaiveDate {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.with_timezone(&tz).date_naive(),
        None => NaiveDate::MIN,
    }
}

pub fn parse_day(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| CoreError::validation(field, "fecha inválida (se espera AAAA-MM-DD)"))
}

/// The UTC instant at which a local day starts in the zone (handles DST gaps by taking the first
/// valid instant of the day).
pub fn day_start_ms(day: NaiveDate, tz: Tz) -> Millis {
    let mut t = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.with_timezone(&Utc).timestamp_millis();
        }
        t += chrono::Duration::hours(1);
    }
    Utc.from_utc_datetime(&t).timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_in_mexico_city_is_still_the_same_local_day() {
        let tz: Tz = "America/Mexico_City".parse().expect("zone");
        // 2026-11-23 04:30 UTC is 22:30 on the 22nd in Mexico City (UTC-6, no DST since 2022).
        let ms = parse_rfc3339("t", "2026-11-23T04:30:00Z").expect("time");
        assert_eq!(local_day(ms, tz).to_string(), "2026-11-22");
        assert_eq!(
            to_rfc3339(day_start_ms(local_day(ms, tz), tz)),
            "2026-11-22T06:00:00.000Z"
        );
    }

    #[test]
    fn rfc3339_round_trips_in_utc() {
        let ms = parse_rfc3339("t", "2026-11-22T12:00:00-06:00").expect("time");
        assert_eq!(to_rfc3339(ms), "2026-11-22T18:00:00.000Z");
    }
}
