//! Shifts (turnos) of a branch: named spans of the local day that visitor counts are grouped by.

use chrono::{NaiveTime, Timelike};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{CoreError, Result};
use crate::tx::Tx;
use crate::validate;

/// One shift, in the branch's local time. `end` may be `24:00` (the end of the day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Shift {
    pub name: String,
    /// `HH:MM`, inclusive.
    pub start: String,
    /// `HH:MM`, exclusive; `24:00` for the end of the day.
    pub end: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShiftList {
    pub items: Vec<Shift>,
}

/// A shift as minutes of the local day, `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftSpan {
    pub name: String,
    pub start_minute: u32,
    pub end_minute: u32,
}

impl ShiftSpan {
    pub fn contains(&self, minute_of_day: u32) -> bool {
        (self.start_minute..self.end_minute).contains(&minute_of_day)
    }

    pub fn to_shift(&self) -> Shift {
        Shift {
            name: self.name.clone(),
            start: hhmm(self.start_minute),
            end: hhmm(self.end_minute),
        }
    }
}

/// Most shifts a branch may define.
pub const MAX_SHIFTS: usize = 12;

/// Morning 09–14, afternoon 14–19, night 19 until the day ends: what a branch has until an admin
/// says otherwise.
pub fn default_spans() -> Vec<ShiftSpan> {
    [("mañana", 9, 14), ("tarde", 14, 19), ("noche", 19, 24)]
        .into_iter()
        .map(|(name, s, e)| ShiftSpan {
            name: name.to_string(),
            start_minute: s * 60,
            end_minute: e * 60,
        })
        .collect()
}

fn hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn parse_hhmm(field: &str, s: &str) -> Result<u32> {
    if s == "24:00" {
        return Ok(1440);
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .map(|t| t.hour() * 60 + t.minute())
        .map_err(|_| CoreError::validation(field, "hora inválida (se espera HH:MM)"))
}

/// Checks a list of shifts: names, times, no overlaps. Gaps are allowed (the store is closed).
pub fn validate_list(shifts: &[Shift]) -> Result<Vec<ShiftSpan>> {
    if shifts.is_empty() || shifts.len() > MAX_SHIFTS {
        return Err(CoreError::validation(
            "items",
            format!("se esperan entre 1 y {MAX_SHIFTS} turnos"),
        ));
    }
    let mut spans = Vec::with_capacity(shifts.len());
    for (i, s) in shifts.iter().enumerate() {
        let name = validate::name(&format!("items[{i}].name"), &s.name)?;
        let start_minute = parse_hhmm(&format!("items[{i}].start"), &s.start)?;
        let end_minute = parse_hhmm(&format!("items[{i}].end"), &s.end)?;
        if start_minute >= 1440 || end_minute <= start_minute {
            return Err(CoreError::validation(
                format!("items[{i}].end"),
                "el turno debe terminar después de empezar, el mismo día (divide en dos un turno que cruce la medianoche)",
            ));
        }
        spans.push(ShiftSpan {
            name,
            start_minute,
            end_minute,
        });
    }
    let mut sorted: Vec<(usize, &ShiftSpan)> = spans.iter().enumerate().collect();
    sorted.sort_by_key(|(_, s)| s.start_minute);
    for pair in sorted.windows(2) {
        if pair[1].1.start_minute < pair[0].1.end_minute {
            return Err(CoreError::validation(
                format!("items[{}].start", pair[1].0),
                format!("se empalma con el turno «{}»", pair[0].1.name),
            ));
        }
    }
    Ok(spans)
}

/// The branch's shifts, or the defaults when none were set.
pub fn spans(conn: &Connection, branch_id: &str) -> Result<Vec<ShiftSpan>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, start_minute, end_minute FROM vision_shifts WHERE branch_id = ?1 ORDER BY position",
    )?;
    let rows = stmt
        .query_map([branch_id], |r| {
            Ok(ShiftSpan {
                name: r.get(0)?,
                start_minute: r.get(1)?,
                end_minute: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(if rows.is_empty() {
        default_spans()
    } else {
        rows
    })
}

pub fn list(conn: &Connection, branch_id: &str) -> Result<Vec<Shift>> {
    Ok(spans(conn, branch_id)?
        .iter()
        .map(ShiftSpan::to_shift)
        .collect())
}

/// Replaces the branch's shifts (recorded as one event).
pub fn replace(tx: &Tx<'_>, shifts: &[Shift]) -> Result<Vec<Shift>> {
    let spans = validate_list(shifts)?;
    let branch = tx.branch_id().to_string();
    tx.conn
        .execute("DELETE FROM vision_shifts WHERE branch_id = ?1", [&branch])?;
    for (i, s) in spans.iter().enumerate() {
        tx.conn.execute(
            "INSERT INTO vision_shifts (branch_id, position, name, start_minute, end_minute) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![branch, i as i64, s.name, s.start_minute, s.end_minute],
        )?;
    }
    let out: Vec<Shift> = spans.iter().map(ShiftSpan::to_shift).collect();
    tx.event("vision.shifts_set", "branch", &branch, &out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(name: &str, start: &str, end: &str) -> Shift {
        Shift {
            name: name.into(),
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn defaults_cover_nine_to_midnight_without_gaps() {
        let d = default_spans();
        assert_eq!(d[0].start_minute, 540);
        assert_eq!(d[2].end_minute, 1440);
        assert!(d.windows(2).all(|p| p[0].end_minute == p[1].start_minute));
    }

    #[test]
    fn overlapping_or_inverted_shifts_are_refused_naming_the_field() {
        let err = validate_list(&[shift("a", "09:00", "14:00"), shift("b", "13:00", "15:00")])
            .expect_err("overlap");
        assert_eq!(err.field(), Some("items[1].start"));
        let err = validate_list(&[shift("a", "22:00", "02:00")]).expect_err("crosses midnight");
        assert_eq!(err.field(), Some("items[0].end"));
        let err = validate_list(&[shift("a", "9h", "10:00")]).expect_err("bad time");
        assert_eq!(err.field(), Some("items[0].start"));
        assert!(validate_list(&[]).is_err(), "an empty list is refused");
    }

    #[test]
    fn end_of_day_is_written_24_00() {
        let spans = validate_list(&[shift("noche", "19:00", "24:00")]).expect("valid");
        assert_eq!(spans[0].end_minute, 1440);
        assert_eq!(spans[0].to_shift().end, "24:00");
        assert!(spans[0].contains(1439) && !spans[0].contains(1140 - 1));
    }
}
