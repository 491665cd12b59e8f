//! The branch's parties as a read-only iCalendar feed (RFC 5545) that staff subscribe to from
//! their phone's calendar: local times with the branch's own VTIMEZONE (its real clock changes,
//! so Tijuana's parties stay at their hour across daylight saving), reached by a secret URL an
//! admin can renew.

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::{OffsetComponents, Tz};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::rules::BookingState;
use super::{list, Booking, BookingQuery};
use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::tx::Tx;

/// How far back and ahead the feed reaches.
const PAST_DAYS: i64 = 60;
const AHEAD_DAYS: i64 = 366;

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new secret for the branch's feed; the old URL stops working.
pub fn renew_token(tx: &Tx<'_>) -> Result<String> {
    let mut raw = [0u8; 24];
    getrandom::getrandom(&mut raw)
        .map_err(|e| CoreError::Corrupt(format!("no randomness: {e}")))?;
    let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    tx.conn.execute(
        "INSERT INTO booking_feed_tokens (branch_id, token_hash, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (branch_id) DO UPDATE SET token_hash = ?2, created_at = ?3",
        params![tx.branch_id(), hash(&token), tx.now()],
    )?;
    tx.event(
        "booking_feed.renewed",
        "branch",
        tx.branch_id(),
        &serde_json::json!({ "renewed": true }),
    )?;
    Ok(token)
}

/// When the branch's current feed address was made (none yet: `None`); the secret itself is
/// only shown once, when it is made.
pub fn token_created_at(conn: &Connection, branch_id: &str) -> Result<Option<Millis>> {
    Ok(conn
        .query_row(
            "SELECT created_at FROM booking_feed_tokens WHERE branch_id = ?1",
            [branch_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The branch a feed token opens, if any.
pub fn branch_of(conn: &Connection, token: &str) -> Result<Option<String>> {
    if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            "SELECT branch_id FROM booking_feed_tokens WHERE token_hash = ?1",
            [hash(token)],
            |r| r.get(0),
        )
        .optional()?)
}

/// Escapes a TEXT value.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a UTF-8 character.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn local_stamp(tz: Tz, ms: Millis) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&tz)
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

fn utc_stamp(ms: Millis) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn offset_secs(tz: Tz, ms: Millis) -> i32 {
    tz.offset_from_utc_datetime(
        &DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .naive_utc(),
    )
    .fix()
    .local_minus_utc()
}

fn is_dst(tz: Tz, ms: Millis) -> bool {
    !tz.offset_from_utc_datetime(
        &DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .naive_utc(),
    )
    .dst_offset()
    .is_zero()
}

fn abbreviation(tz: Tz, ms: Millis) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&tz)
        .format("%Z")
        .to_string()
}

fn utc_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// The instants in `[from, to)` where the zone's offset changes, to the second.
fn transitions(tz: Tz, from: Millis, to: Millis) -> Vec<Millis> {
    const HOUR: Millis = 3_600_000;
    let mut out = Vec::new();
    let mut t = from;
    while t < to {
        let next = (t + 6 * HOUR).min(to);
        if offset_secs(tz, t) != offset_secs(tz, next) {
            // Offsets change at most once in six hours: narrow it down to the second.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1000 {
                let mid = lo + (hi - lo) / 2;
                if offset_secs(tz, mid) == offset_secs(tz, t) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(hi);
        }
        t = next;
    }
    out
}

/// The VTIMEZONE for `tz` over `[from, to)`: the offset at its start, then each change.
fn vtimezone(out: &mut String, tz: Tz, from: Millis, to: Millis) {
    push_line(out, "BEGIN:VTIMEZONE");
    push_line(out, &format!("TZID:{}", tz.name()));
    let mut observe = |at: Millis, before: i32| {
        let after = offset_secs(tz, at);
        let kind = if is_dst(tz, at) {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        push_line(out, &format!("BEGIN:{kind}"));
        // An observance starts at the local time of the offset it replaces.
        let local = DateTime::from_timestamp_millis(at + i64::from(before) * 1000)
            .unwrap_or_default()
            .naive_utc()
            .format("%Y%m%dT%H%M%S");
        push_line(out, &format!("DTSTART:{local}"));
        push_line(out, &format!("TZOFFSETFROM:{}", utc_offset(before)));
        push_line(out, &format!("TZOFFSETTO:{}", utc_offset(after)));
        push_line(out, &format!("TZNAME:{}", text(&abbreviation(tz, at))));
        push_line(out, &format!("END:{kind}"));
    };
    observe(from, offset_secs(tz, from));
    for at in transitions(tz, from, to) {
        observe(at, offset_secs(tz, at - 1000));
    }
    push_line(out, "END:VTIMEZONE");
}

fn event(out: &mut String, tz: Tz, b: &Booking, branch_name: &str) -> Result<()> {
    let start = clock::parse_rfc3339("starts_at", &b.starts_at)?;
    let end = clock::parse_rfc3339("ends_at", &b.ends_at)?;
    let stamp = clock::parse_rfc3339("updated_at", &b.updated_at)?;
    let age = b
        .birthday_age
        .map(|a| format!(" ({a} años)"))
        .unwrap_or_default();
    push_line(out, "BEGIN:VEVENT");
    push_line(out, &format!("UID:{}@kidyboard", b.id));
    push_line(out, &format!("DTSTAMP:{}", utc_stamp(stamp)));
    push_line(out, &format!("SEQUENCE:{}", b.version));
    push_line(
        out,
        &format!("DTSTART;TZID={}:{}", tz.name(), local_stamp(tz, start)),
    );
    push_line(
        out,
        &format!("DTEND;TZID={}:{}", tz.name(), local_stamp(tz, end)),
    );
    push_line(
        out,
        &format!(
            "SUMMARY:{}",
            text(&format!(
                "Fiesta de {}{age} · {}",
                b.birthday_child, b.area_name
            ))
        ),
    );
    push_line(
        out,
        &format!(
            "LOCATION:{}",
            text(&format!("{branch_name}, {}", b.area_name))
        ),
    );
    let mut description = format!("{} · {} niños esperados", b.folio, b.expected_children);
    if !b.package_name.is_empty() {
        description.push_str(&format!(" · {}", b.package_name));
    }
    if !b.notes.is_empty() {
        description.push_str(&format!("\n{}", b.notes));
    }
    push_line(out, &format!("DESCRIPTION:{}", text(&description)));
    let status = if b.state == BookingState::Tentative {
        "TENTATIVE"
    } else {
        "CONFIRMED"
    };
    push_line(out, &format!("STATUS:{status}"));
    push_line(out, "END:VEVENT");
    Ok(())
}

/// The feed: the branch's parties from two months back to a year ahead, cancelled and lapsed
/// ones left out.
pub fn ics(conn: &Connection, branch_id: &str, now: Millis) -> Result<String> {
    let branch = crate::branches::get(conn, branch_id)?;
    let tz = clock::parse_tz("timezone", &branch.timezone)?;
    let today = clock::local_day(now, tz);
    let mut bookings = Vec::new();
    let mut day = today - chrono::Duration::days(PAST_DAYS);
    let last = today + chrono::Duration::days(AHEAD_DAYS);
    while day <= last {
        let to = (day + chrono::Duration::days(super::MAX_RANGE_DAYS)).min(last);
        bookings.extend(list(
            conn,
            branch_id,
            &BookingQuery {
                from: day,
                to,
                area_id: None,
                state: None,
            },
            now,
        )?);
        day = to + chrono::Duration::days(1);
    }
    bookings.retain(|b| b.state != BookingState::Cancelled && !b.expired);
    let mut out = String::new();
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(&mut out, "PRODID:-//Kidyboard//Fiestas//ES");
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(
        &mut out,
        &format!(
            "X-WR-CALNAME:{}",
            text(&format!("Fiestas · {}", branch.name))
        ),
    );
    push_line(&mut out, &format!("X-WR-TIMEZONE:{}", tz.name()));
    let from = clock::day_start_ms(today - chrono::Duration::days(PAST_DAYS + 1), tz);
    let to = clock::day_start_ms(last + chrono::Duration::days(2), tz);
    vtimezone(&mut out, tz, from, to);
    for b in &bookings {
        event(&mut out, tz, b, &branch.name)?;
    }
    push_line(&mut out, "END:VCALENDAR");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn tijuana_changes_its_clock_twice_a_year_and_mexico_city_never() {
        let ms = |y, m, d| {
            Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
                .single()
                .unwrap()
                .timestamp_millis()
        };
        let tj = transitions(chrono_tz::America::Tijuana, ms(2026, 1, 1), ms(2027, 1, 1));
        assert_eq!(tj.len(), 2, "Tijuana: spring and autumn");
        // 2026-03-08 02:00 PST = 10:00 UTC; 2026-11-01 02:00 PDT = 09:00 UTC.
        assert_eq!(utc_stamp(tj[0]), "20260308T100000Z");
        assert_eq!(utc_stamp(tj[1]), "20261101T090000Z");
        let mx = transitions(
            chrono_tz::America::Mexico_City,
            ms(2026, 1, 1),
            ms(2027, 1, 1),
        );
        assert!(
            mx.is_empty(),
            "Mexico City has no daylight saving since 2022"
        );
    }

    #[test]
    fn lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        push_line(&mut out, &format!("SUMMARY:{}", "ñ".repeat(80)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert_eq!(
            out.replace("\r\n ", "").trim_end(),
            format!("SUMMARY:{}", "ñ".repeat(80))
        );
        assert_eq!(text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }
}
