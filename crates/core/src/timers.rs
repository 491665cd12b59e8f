//! Play timers, owned by the hub: `scheduled → running ⇄ paused → expired → finished`, or
//! `cancelled` before starting. Clients count down from `ends_at`; the hub fires expiries and
//! scheduled starts at their exact instant (see `next_deadline`).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::ids;
use crate::tx::Tx;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimerState {
    Scheduled,
    #[default]
    Running,
    Paused,
    Expired,
    Finished,
    Cancelled,
}

impl TimerState {
    pub const ALL: [TimerState; 6] = [
        TimerState::Scheduled,
        TimerState::Running,
        TimerState::Paused,
        TimerState::Expired,
        TimerState::Finished,
        TimerState::Cancelled,
    ];
    /// The states a reception or monitor screen shows.
    pub const ACTIVE: [TimerState; 4] = [
        TimerState::Scheduled,
        TimerState::Running,
        TimerState::Paused,
        TimerState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimerState::Scheduled => "scheduled",
            TimerState::Running => "running",
            TimerState::Paused => "paused",
            TimerState::Expired => "expired",
            TimerState::Finished => "finished",
            TimerState::Cancelled => "cancelled",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<TimerState> {
        TimerState::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| CoreError::validation(field, format!("estado desconocido: {s}")))
    }
}

/// A timer as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Timer {
    pub id: String,
    pub sale_id: Option<String>,
    pub service_id: Option<String>,
    pub service_name: String,
    pub child_name: String,
    pub guardian_name: String,
    pub guardian_phone: String,
    pub state: TimerState,
    pub starts_at: String,
    /// When it runs out; null while paused (the time left is then frozen in `remaining_ms`).
    pub ends_at: Option<String>,
    /// Total play time bought, extensions included.
    pub duration_ms: i64,
    /// Time left at the moment of the answer.
    pub remaining_ms: i64,
    pub extended_minutes: i64,
    pub updated_at: String,
    /// Extra time is sold in blocks of this many minutes (0: this timer's service sells none).
    pub extra_block_minutes: i64,
    pub extra_block_price_cents: i64,
    /// Overtime up to this many minutes is not charged.
    pub grace_minutes: i64,
    /// Whole minutes (each started one counts) played past the end: while the bell has rung, or
    /// as it stood when the timer was stopped.
    pub overtime_minutes: i64,
    /// What that overtime costs now, if it is not settled yet: nothing within the grace minutes,
    /// beyond them every started block.
    pub overtime_due_cents: i64,
    /// How the overtime was settled when the timer was stopped.
    pub overtime_settlement: Option<OvertimeSettlement>,
    /// The code the adult collecting the child gives at the desk (shared by the children of one
    /// check-in ticket).
    #[serde(default)]
    pub pickup_code: Option<String>,
    /// The family and the child's record in it, when the child was checked in from one.
    #[serde(default)]
    pub family_id: Option<String>,
    #[serde(default)]
    pub child_id: Option<String>,
    /// Allergies and the like, from the family's record at check-in.
    #[serde(default)]
    pub child_notes: String,
    /// What the wall and the speakers call the child: first name and initial, unless the branch
    /// shows full names.
    #[serde(default)]
    pub public_name: String,
    /// A party's timers: the booking, and what the wall groups its tiles under ("Fiesta de
    /// Sofía"; empty otherwise).
    #[serde(default)]
    pub booking_id: Option<String>,
    #[serde(default)]
    pub group: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OvertimeSettlement {
    /// A sale charged it.
    Charged,
    /// Forgiven at the stop, with a reason (see the courtesies report).
    Waived,
}

/// The prices of a timer's extra time, kept from its sale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtraTime {
    pub block_minutes: i64,
    pub block_price_cents: i64,
    pub grace_minutes: i64,
}

impl ExtraTime {
    pub fn sells(&self) -> bool {
        self.block_minutes > 0
    }

    /// Blocks that cover `minutes`.
    pub fn blocks_for(&self, minutes: i64) -> i64 {
        if self.block_minutes <= 0 || minutes <= 0 {
            return 0;
        }
        (minutes + self.block_minutes - 1) / self.block_minutes
    }

    /// What `minutes` of overtime cost: nothing within the grace minutes, beyond them every
    /// started block (the grace minutes included: a child 20 minutes late pays for 20).
    pub fn overtime_due(&self, minutes: i64) -> i64 {
        if !self.sells() || minutes <= self.grace_minutes {
            return 0;
        }
        self.blocks_for(minutes)
            .saturating_mul(self.block_price_cents)
    }
}

/// The stored form, in milliseconds, on which the state machine works.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimerRow {
    pub id: String,
    pub sale_id: Option<String>,
    pub service_id: Option<String>,
    pub service_name: String,
    pub child_name: String,
    pub guardian_name: String,
    pub guardian_phone: String,
    pub state: TimerState,
    pub starts_at: Millis,
    pub ends_at: Option<Millis>,
    /// Frozen time left; meaningful while scheduled, paused or stopped.
    pub remaining_ms: i64,
    pub duration_ms: i64,
    pub extended_minutes: i64,
    pub updated_at: Millis,
    pub extra: ExtraTime,
    /// Overtime played when the timer was stopped.
    pub overtime_ms: i64,
    pub overtime_settlement: Option<String>,
    pub pickup_code: Option<String>,
    pub family_id: Option<String>,
    pub child_id: Option<String>,
    pub child_notes: String,
    pub public_name: String,
    pub booking_id: Option<String>,
    pub group: String,
}

const MINUTE_MS: i64 = 60_000;

impl TimerRow {
    /// Time played past the end: while the bell has rung, counted up to `now`; once stopped,
    /// what it was then.
    pub fn overtime_ms_at(&self, now: Millis) -> i64 {
        match self.state {
            TimerState::Expired => self.ends_at.map(|e| (now - e).max(0)).unwrap_or(0),
            TimerState::Finished => self.overtime_ms,
            _ => 0,
        }
    }

    /// Overtime in whole minutes, each started minute counting.
    pub fn overtime_minutes_at(&self, now: Millis) -> i64 {
        let ms = self.overtime_ms_at(now);
        (ms + MINUTE_MS - 1) / MINUTE_MS
    }

    /// What the overtime costs at `now` while it is still to settle (only a rung bell has any).
    pub fn overtime_due_at(&self, now: Millis) -> i64 {
        if self.state != TimerState::Expired || self.overtime_settlement.is_some() {
            return 0;
        }
        self.extra.overtime_due(self.overtime_minutes_at(now))
    }

    pub fn remaining_at(&self, now: Millis) -> i64 {
        match self.state {
            TimerState::Running => self.ends_at.map(|e| (e - now).max(0)).unwrap_or(0),
            TimerState::Expired => 0,
            _ => self.remaining_ms,
        }
    }

    pub fn view(&self, now: Millis) -> Timer {
        Timer {
            id: self.id.clone(),
            sale_id: self.sale_id.clone(),
            service_id: self.service_id.clone(),
            service_name: self.service_name.clone(),
            child_name: self.child_name.clone(),
            guardian_name: self.guardian_name.clone(),
            guardian_phone: self.guardian_phone.clone(),
            state: self.state,
            starts_at: clock::to_rfc3339(self.starts_at),
            ends_at: self.ends_at.map(clock::to_rfc3339),
            duration_ms: self.duration_ms,
            remaining_ms: self.remaining_at(now),
            extended_minutes: self.extended_minutes,
            updated_at: clock::to_rfc3339(self.updated_at),
            extra_block_minutes: self.extra.block_minutes,
            extra_block_price_cents: self.extra.block_price_cents,
            grace_minutes: self.extra.grace_minutes,
            overtime_minutes: self.overtime_minutes_at(now),
            overtime_due_cents: self.overtime_due_at(now),
            overtime_settlement: match self.overtime_settlement.as_deref() {
                Some("charged") => Some(OvertimeSettlement::Charged),
                Some("waived") => Some(OvertimeSettlement::Waived),
                _ => None,
            },
            pickup_code: self.pickup_code.clone(),
            family_id: self.family_id.clone(),
            child_id: self.child_id.clone(),
            child_notes: self.child_notes.clone(),
            public_name: self.public_name.clone(),
            booking_id: self.booking_id.clone(),
            group: self.group.clone(),
        }
    }
}

/// An action a person takes on a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Pause,
    Resume,
    Extend { minutes: i64 },
    Stop,
    Cancel,
}

impl Action {
    fn verb(self) -> &'static str {
        match self {
            Action::Start => "iniciar",
            Action::Pause => "pausar",
            Action::Resume => "reanudar",
            Action::Extend { .. } => "extender",
            Action::Stop => "terminar",
            Action::Cancel => "cancelar",
        }
    }

    fn event(self) -> &'static str {
        match self {
            Action::Start => "timer.started",
            Action::Pause => "timer.paused",
            Action::Resume => "timer.resumed",
            Action::Extend { .. } => "timer.extended",
            Action::Stop => "timer.finished",
            Action::Cancel => "timer.cancelled",
        }
    }
}

pub const MAX_EXTEND_MINUTES: i64 = 12 * 60;

/// The state machine itself: what `action` at `now` makes of `t`, or why it cannot.
pub fn apply(t: &TimerRow, action: Action, now: Millis) -> Result<TimerRow> {
    use TimerState::*;
    let invalid = || CoreError::InvalidTransition {
        action: action.verb(),
        state: t.state.as_str().to_string(),
    };
    let mut next = t.clone();
    next.updated_at = now;
    match (t.state, action) {
        (Scheduled, Action::Start) => {
            next.state = Running;
            next.starts_at = now;
            next.ends_at = Some(now + t.remaining_ms);
        }
        (Running, Action::Pause) => {
            next.state = Paused;
            next.remaining_ms = t.remaining_at(now);
            next.ends_at = None;
        }
        (Paused, Action::Resume) => {
            next.state = Running;
            next.ends_at = Some(now + t.remaining_ms);
        }
        (Scheduled | Running | Paused | Expired, Action::Extend { minutes }) => {
            if !(1..=MAX_EXTEND_MINUTES).contains(&minutes) {
                return Err(CoreError::validation(
                    "minutes",
                    format!("se puede extender de 1 a {MAX_EXTEND_MINUTES} minutos"),
                ));
            }
            let extra = minutes * 60_000;
            next.duration_ms = t.duration_ms + extra;
            next.extended_minutes = t.extended_minutes + minutes;
            match t.state {
                Running => next.ends_at = t.ends_at.map(|e| e + extra),
                Expired => {
                    // Time bought after the bell counts from now, not from when it rang.
                    next.state = Running;
                    next.ends_at = Some(now + extra);
                }
                _ => next.remaining_ms = t.remaining_ms + extra,
            }
        }
        (Running | Paused | Expired, Action::Stop) => {
            next.state = Finished;
            next.remaining_ms = t.remaining_at(now);
            next.overtime_ms = t.overtime_ms_at(now);
            next.ends_at = Some(now);
        }
        (Scheduled, Action::Cancel) => {
            next.state = Cancelled;
        }
        _ => return Err(invalid()),
    }
    Ok(next)
}

const COLUMNS: &str =
    "id, sale_id, service_id, service_name, child_name, guardian_name, guardian_phone, \
     state, starts_at, ends_at, remaining_ms, duration_ms, extended_minutes, updated_at, \
     extra_block_minutes, extra_block_price_cents, grace_minutes, overtime_ms, overtime_settlement, \
     pickup_code, family_id, child_id, child_notes, public_name, booking_id, group_name";

fn from_row(r: &Row<'_>) -> rusqlite::Result<TimerRow> {
    let state: String = r.get(7)?;
    Ok(TimerRow {
        id: r.get(0)?,
        sale_id: r.get(1)?,
        service_id: r.get(2)?,
        service_name: r.get(3)?,
        child_name: r.get(4)?,
        guardian_name: r.get(5)?,
        guardian_phone: r.get(6)?,
        state: TimerState::parse("state", &state).unwrap_or(TimerState::Finished),
        starts_at: r.get(8)?,
        ends_at: r.get(9)?,
        remaining_ms: r.get(10)?,
        duration_ms: r.get(11)?,
        extended_minutes: r.get(12)?,
        updated_at: r.get(13)?,
        extra: ExtraTime {
            block_minutes: r.get(14)?,
            block_price_cents: r.get(15)?,
            grace_minutes: r.get(16)?,
        },
        overtime_ms: r.get(17)?,
        overtime_settlement: r.get(18)?,
        pickup_code: r.get(19)?,
        family_id: r.get(20)?,
        child_id: r.get(21)?,
        child_notes: r.get(22)?,
        public_name: r.get(23)?,
        booking_id: r.get(24)?,
        group: r.get(25)?,
    })
}

pub fn get(conn: &Connection, id: &str) -> Result<TimerRow> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM timers WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("temporizador", id))
}

/// Timers matching `condition` (SQL over the timers table, `?1` bound to `value`).
fn select(
    conn: &Connection,
    condition: &str,
    value: impl rusqlite::ToSql,
) -> Result<Vec<TimerRow>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM timers WHERE {condition}"))?;
    let rows = stmt.query_map([value], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The timers of the sales whose ids `sale_ids` holds (a JSON array), by id.
pub fn of_sales(conn: &Connection, sale_ids: &str) -> Result<Vec<TimerRow>> {
    select(
        conn,
        "sale_id IN (SELECT value FROM json_each(?1)) ORDER BY rowid",
        sale_ids,
    )
}

/// Timers in any of `states`, soonest to end first.
pub fn list(conn: &Connection, states: &[TimerState]) -> Result<Vec<TimerRow>> {
    let wanted: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
    let json = serde_json::to_string(&wanted).unwrap_or_else(|_| "[]".into());
    select(
        conn,
        "state IN (SELECT value FROM json_each(?1))
         ORDER BY CASE state WHEN 'expired' THEN 0 WHEN 'running' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END,
                  COALESCE(ends_at, starts_at + remaining_ms), id",
        json,
    )
}

fn save(tx: &Tx<'_>, t: &TimerRow) -> Result<()> {
    tx.conn.execute(
        "UPDATE timers SET state = ?2, starts_at = ?3, ends_at = ?4, remaining_ms = ?5, duration_ms = ?6,
                extended_minutes = ?7, updated_at = ?8, overtime_ms = ?9, overtime_settlement = ?10
         WHERE id = ?1",
        params![
            t.id,
            t.state.as_str(),
            t.starts_at,
            t.ends_at,
            t.remaining_ms,
            t.duration_ms,
            t.extended_minutes,
            t.updated_at,
            t.overtime_ms,
            t.overtime_settlement
        ],
    )?;
    Ok(())
}

/// What a new timer is for.
#[derive(Default)]
pub struct NewTimer<'a> {
    pub sale_id: Option<&'a str>,
    pub service_id: Option<&'a str>,
    pub service_name: &'a str,
    pub child_name: &'a str,
    pub guardian_name: &'a str,
    pub guardian_phone: &'a str,
    pub duration_ms: i64,
    /// `None` or a time not in the future starts it at once.
    pub start_at: Option<Millis>,
    /// The line of its sale that sold it (refunding the line cancels it).
    pub sale_position: Option<i64>,
    /// What its extra time costs (its service's prices at the sale).
    pub extra: ExtraTime,
    /// The check-in's pick-up code, and the family record the child came from.
    pub pickup_code: Option<&'a str>,
    pub family_id: Option<&'a str>,
    pub child_id: Option<&'a str>,
    pub child_notes: &'a str,
    /// Whether the wall shows full names (the branch's setting).
    pub full_public_name: bool,
    /// A party's timer: its booking and the wall's group.
    pub booking_id: Option<&'a str>,
    pub group_name: &'a str,
}

/// What the wall and the speakers call a child: the full name, or the first name and the
/// initial of the next ("Sofía Ramírez" → "Sofía R.").
pub fn public_name(name: &str, full: bool) -> String {
    let name = name.trim();
    if full {
        return name.to_string();
    }
    let mut words = name.split_whitespace();
    let first = words.next().unwrap_or_default();
    match words.next() {
        // "Invitado 10" is a guest's number, not a surname: kept whole.
        Some(w) if w.chars().all(|c| c.is_ascii_digit()) => format!("{first} {w}"),
        Some(w) => match w.chars().next() {
            Some(initial) => format!("{first} {}.", initial.to_uppercase()),
            None => first.to_string(),
        },
        None => first.to_string(),
    }
}

pub fn create(tx: &Tx<'_>, n: &NewTimer<'_>) -> Result<TimerRow> {
    let now = tx.now();
    let scheduled = n.start_at.is_some_and(|s| s > now);
    let starts_at = if scheduled {
        n.start_at.unwrap_or(now)
    } else {
        now
    };
    let t = TimerRow {
        id: ids::new_id(),
        sale_id: n.sale_id.map(str::to_string),
        service_id: n.service_id.map(str::to_string),
        service_name: n.service_name.to_string(),
        child_name: n.child_name.to_string(),
        guardian_name: n.guardian_name.to_string(),
        guardian_phone: n.guardian_phone.to_string(),
        state: if scheduled {
            TimerState::Scheduled
        } else {
            TimerState::Running
        },
        starts_at,
        ends_at: if scheduled {
            None
        } else {
            Some(now + n.duration_ms)
        },
        remaining_ms: n.duration_ms,
        duration_ms: n.duration_ms,
        extended_minutes: 0,
        updated_at: now,
        extra: n.extra,
        overtime_ms: 0,
        overtime_settlement: None,
        pickup_code: n.pickup_code.map(str::to_string),
        family_id: n.family_id.map(str::to_string),
        child_id: n.child_id.map(str::to_string),
        child_notes: n.child_notes.to_string(),
        public_name: public_name(n.child_name, n.full_public_name),
        booking_id: n.booking_id.map(str::to_string),
        group: n.group_name.to_string(),
    };
    tx.conn.execute(
        &format!(
            "INSERT INTO timers (branch_id, created_at, {COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)"
        ),
        params![
            tx.branch_id(),
            now,
            t.id,
            t.sale_id,
            t.service_id,
            t.service_name,
            t.child_name,
            t.guardian_name,
            t.guardian_phone,
            t.state.as_str(),
            t.starts_at,
            t.ends_at,
            t.remaining_ms,
            t.duration_ms,
            t.extended_minutes,
            t.updated_at,
            t.extra.block_minutes,
            t.extra.block_price_cents,
            t.extra.grace_minutes,
            t.overtime_ms,
            t.overtime_settlement,
            t.pickup_code,
            t.family_id,
            t.child_id,
            t.child_notes,
            t.public_name,
            t.booking_id,
            t.group
        ],
    )?;
    if let Some(position) = n.sale_position {
        tx.conn.execute(
            "UPDATE timers SET sale_position = ?2 WHERE id = ?1",
            params![t.id, position],
        )?;
    }
    let kind = if scheduled {
        "timer.scheduled"
    } else {
        "timer.started"
    };
    tx.event(kind, "timer", &t.id, &t.view(now))?;
    Ok(t)
}

/// Ends the timers a refunded line of `sale_id` sold, whatever their state (time given back is
/// not played): each becomes `cancelled`, recorded as `timer.cancelled` with the refund's id.
pub fn cancel_refunded(
    tx: &Tx<'_>,
    sale_id: &str,
    position: i64,
    refund_id: &str,
) -> Result<Vec<TimerRow>> {
    let now = tx.now();
    let mut stmt = tx.conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM timers WHERE sale_id = ?1 AND sale_position = ?2
           AND state IN ('scheduled', 'running', 'paused', 'expired')"
    ))?;
    let rows = stmt
        .query_map(params![sale_id, position], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        let mut next = t.clone();
        next.remaining_ms = t.remaining_at(now);
        next.state = TimerState::Cancelled;
        next.ends_at = Some(now);
        next.updated_at = now;
        save(tx, &next)?;
        let mut payload =
            serde_json::to_value(next.view(now)).map_err(|e| CoreError::Corrupt(e.to_string()))?;
        payload["refund_id"] = refund_id.into();
        tx.event("timer.cancelled", "timer", &next.id, &payload)?;
        out.push(next);
    }
    Ok(out)
}

/// A person's action on a timer, recorded as an event. Stopping a timer whose overtime is due
/// is refused here: see [`stop`]; extending goes through [`extend_free`] or a sale.
pub fn act(tx: &Tx<'_>, id: &str, action: Action) -> Result<TimerRow> {
    if action == Action::Stop {
        return stop(tx, id, None);
    }
    let current = get(tx.conn, id)?;
    let next = apply(&current, action, tx.now())?;
    save(tx, &next)?;
    let mut payload = payload_of(&next, tx.now())?;
    if let Action::Extend { minutes } = action {
        payload["added_minutes"] = minutes.into();
    }
    tx.event(action.event(), "timer", id, &payload)?;
    Ok(next)
}

fn payload_of(t: &TimerRow, now: Millis) -> Result<serde_json::Value> {
    serde_json::to_value(t.view(now)).map_err(|e| CoreError::Corrupt(e.to_string()))
}

fn reason_of(field: &str, reason: Option<&str>) -> Result<String> {
    crate::validate::reason(field, reason.unwrap_or(""))
}

/// Stops a timer. Overtime beyond the grace minutes must be settled: charged by a sale (a line
/// `{timer_id, overtime: true}`, which stops the timer itself) or waived here with a reason,
/// which the event records (`overtime_waived_cents`, `waive_reason`) for the reports.
pub fn stop(tx: &Tx<'_>, id: &str, waive_reason: Option<&str>) -> Result<TimerRow> {
    let now = tx.now();
    let current = get(tx.conn, id)?;
    let due = current.overtime_due_at(now);
    let reason = if due > 0 {
        match waive_reason {
            Some(r) => Some(reason_of("waive_reason", Some(r))?),
            None => {
                return Err(CoreError::Conflict {
                    code: "overtime_due",
                    message: format!(
                        "{} jugó {} min de más: cobra {} o perdónalo con un motivo",
                        current.child_name,
                        current.overtime_minutes_at(now),
                        crate::money::format_mxn(due)
                    ),
                    field: Some("waive_reason".into()),
                })
            }
        }
    } else {
        None
    };
    let mut next = apply(&current, Action::Stop, now)?;
    if reason.is_some() {
        next.overtime_settlement = Some("waived".into());
    }
    save(tx, &next)?;
    let mut payload = payload_of(&next, now)?;
    if let Some(r) = reason {
        payload["overtime_waived_cents"] = due.into();
        payload["waive_reason"] = r.into();
    }
    tx.event("timer.finished", "timer", id, &payload)?;
    Ok(next)
}

/// Settles the overtime a sale's line charged (priced by the sale at the same instant): the
/// timer stops, its overtime recorded as charged.
pub fn charge_overtime(tx: &Tx<'_>, id: &str, sale_id: &str) -> Result<TimerRow> {
    let now = tx.now();
    let current = get(tx.conn, id)?;
    let due = current.overtime_due_at(now);
    let mut next = apply(&current, Action::Stop, now)?;
    next.overtime_settlement = Some("charged".into());
    save(tx, &next)?;
    let mut payload = payload_of(&next, now)?;
    payload["overtime_charged_cents"] = due.into();
    payload["sale_id"] = sale_id.into();
    tx.event("timer.finished", "timer", id, &payload)?;
    Ok(next)
}

/// The blocks and price of a paid extension of `minutes` for timer `id` (checked, not applied).
pub fn price_extension(
    conn: &Connection,
    field: &str,
    id: &str,
    minutes: i64,
) -> Result<(TimerRow, i64, i64)> {
    let t = get(conn, id).map_err(|_| {
        CoreError::validation(format!("{field}.timer_id"), "no existe ese temporizador")
    })?;
    let minutes_field = format!("{field}.extend_minutes");
    if !t.extra.sells() {
        return Err(CoreError::validation(
            minutes_field,
            format!("«{}» no vende tiempo extra", t.service_name),
        ));
    }
    if !(1..=MAX_EXTEND_MINUTES).contains(&minutes) || minutes % t.extra.block_minutes != 0 {
        return Err(CoreError::validation(
            minutes_field,
            format!(
                "el tiempo extra se vende en bloques de {} minutos (hasta {MAX_EXTEND_MINUTES})",
                t.extra.block_minutes
            ),
        ));
    }
    if !matches!(
        t.state,
        TimerState::Scheduled | TimerState::Running | TimerState::Paused | TimerState::Expired
    ) {
        return Err(CoreError::InvalidTransition {
            action: "extender",
            state: t.state.as_str().to_string(),
        });
    }
    let blocks = minutes / t.extra.block_minutes;
    let price = crate::validate::times(&minutes_field, blocks, t.extra.block_price_cents)?;
    Ok((t, blocks, price))
}

/// Adds paid time to a timer (a sale's extension line). On a timer whose bell has rung, time
/// played beyond the grace minutes is part of what was bought: the new time counts from the old
/// end, so an extension cannot launder overtime; within the grace it counts from now.
pub fn extend_paid(tx: &Tx<'_>, id: &str, minutes: i64, sale_id: &str) -> Result<TimerRow> {
    let now = tx.now();
    let current = get(tx.conn, id)?;
    let mut next = apply(&current, Action::Extend { minutes }, now)?;
    if current.state == TimerState::Expired && current.overtime_due_at(now) > 0 {
        let end = current.ends_at.unwrap_or(now) + minutes * MINUTE_MS;
        if end > now {
            next.ends_at = Some(end);
        } else {
            // Still short of the time played: the bell stays rung, with less overtime.
            next.state = TimerState::Expired;
            next.ends_at = Some(end);
            next.remaining_ms = 0;
        }
    }
    save(tx, &next)?;
    let mut payload = payload_of(&next, now)?;
    payload["added_minutes"] = minutes.into();
    payload["sale_id"] = sale_id.into();
    tx.event("timer.extended", "timer", id, &payload)?;
    Ok(next)
}

/// Time given without a sale: a super_admin's, or authorised by one (`authorized_by`), always
/// with a reason; the event says so (`free: true`) for the reports.
pub fn extend_free(
    tx: &Tx<'_>,
    id: &str,
    minutes: i64,
    reason: Option<&str>,
    authorized_by: Option<&str>,
) -> Result<TimerRow> {
    let reason = reason_of("reason", reason)?;
    let actor = tx.actor().clone();
    let supervisor = match authorized_by {
        Some(uid) => Some(crate::users::supervisor(
            tx.conn,
            uid,
            crate::roles::Permission::GiveFreeTime,
        )?),
        None => None,
    };
    if supervisor.is_none() && !actor.role.can(crate::roles::Permission::GiveFreeTime) {
        return Err(CoreError::AuthorizationRequired(
            "el tiempo sin cobrar necesita la autorización de un administrador (usuario y PIN)"
                .into(),
        ));
    }
    let now = tx.now();
    let current = get(tx.conn, id)?;
    let waived = current.overtime_due_at(now);
    let next = apply(&current, Action::Extend { minutes }, now)?;
    save(tx, &next)?;
    let mut payload = payload_of(&next, now)?;
    payload["added_minutes"] = minutes.into();
    payload["free"] = true.into();
    payload["reason"] = reason.into();
    payload["authorized_by"] = supervisor.into();
    if waived > 0 {
        payload["overtime_waived_cents"] = waived.into();
    }
    tx.event("timer.extended", "timer", id, &payload)?;
    Ok(next)
}

/// Takes back the unplayed part of a refunded extension (`minutes` at most): time already
/// played stays played. A timer with nothing left ends now (the scheduler rings it).
pub fn take_back(tx: &Tx<'_>, id: &str, minutes: i64, refund_id: &str) -> Result<TimerRow> {
    let now = tx.now();
    let current = get(tx.conn, id)?;
    let mut next = current.clone();
    let left = current.remaining_at(now);
    let cut = (minutes * MINUTE_MS).min(left).max(0);
    match current.state {
        TimerState::Running => next.ends_at = current.ends_at.map(|e| (e - cut).max(now)),
        TimerState::Paused | TimerState::Scheduled => next.remaining_ms = left - cut,
        _ => return Ok(current),
    }
    if cut == 0 {
        return Ok(current);
    }
    next.duration_ms = (current.duration_ms - cut).max(1);
    next.extended_minutes = (current.extended_minutes - cut / MINUTE_MS).max(0);
    next.updated_at = now;
    save(tx, &next)?;
    let mut payload = payload_of(&next, now)?;
    payload["removed_ms"] = cut.into();
    payload["refund_id"] = refund_id.into();
    tx.event("timer.extended", "timer", id, &payload)?;
    Ok(next)
}

/// Fires everything due at `now`: scheduled timers start, running timers whose time is up
/// expire. Returns the timers that changed.
pub fn fire_due(tx: &Tx<'_>) -> Result<Vec<TimerRow>> {
    let now = tx.now();
    let mut changed = Vec::new();
    for t in select(tx.conn, "state = 'scheduled' AND starts_at <= ?1", now)? {
        let mut next = t.clone();
        next.state = TimerState::Running;
        // It starts at its scheduled instant even if the hub noticed late (e.g. after a restart).
        next.ends_at = Some(t.starts_at + t.remaining_ms);
        next.updated_at = now;
        save(tx, &next)?;
        tx.event("timer.started", "timer", &next.id, &next.view(now))?;
        changed.push(next);
    }
    let warn_ms = warning_ms(tx.conn, tx.branch_id())?;
    if warn_ms > 0 {
        let mut stmt = tx.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM timers WHERE state = 'running'
               AND ends_at - ?2 <= ?1 AND warned_ends_at IS NOT ends_at"
        ))?;
        let due = stmt
            .query_map(params![now, warn_ms], from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        for t in due {
            tx.conn.execute(
                "UPDATE timers SET warned_ends_at = ends_at WHERE id = ?1",
                [&t.id],
            )?;
            // Less than a minute left (a timer resumed at its very end): the bell comes next,
            // a call now would only precede it.
            let left = t.remaining_at(now);
            if left < MINUTE_MS {
                continue;
            }
            let mut payload = payload_of(&t, now)?;
            payload["minutes_left"] = ((left + MINUTE_MS - 1) / MINUTE_MS).into();
            tx.event("timer.warning", "timer", &t.id, &payload)?;
        }
    }
    for t in select(tx.conn, "state = 'running' AND ends_at <= ?1", now)? {
        let mut next = t.clone();
        next.state = TimerState::Expired;
        next.remaining_ms = 0;
        next.updated_at = now;
        save(tx, &next)?;
        let mut payload =
            serde_json::to_value(next.view(now)).map_err(|e| CoreError::Corrupt(e.to_string()))?;
        payload["late_ms"] = (now - t.ends_at.unwrap_or(now)).into();
        tx.event("timer.expired", "timer", &next.id, &payload)?;
        changed.retain(|c: &TimerRow| c.id != next.id);
        changed.push(next);
    }
    Ok(changed)
}

/// How long before its end a running timer calls its guardian (the branch's `warning_minutes`).
fn warning_ms(conn: &Connection, branch_id: &str) -> Result<i64> {
    let minutes: Option<i64> = conn
        .query_row(
            "SELECT warning_minutes FROM branches WHERE id = ?1",
            [branch_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(minutes.unwrap_or(0) * MINUTE_MS)
}

/// The next instant at which something must fire, if any: a start, an end, or the call before
/// an end.
pub fn next_deadline(conn: &Connection, branch_id: &str) -> Result<Option<Millis>> {
    let warn_ms = warning_ms(conn, branch_id)?;
    Ok(conn.query_row(
        "SELECT MIN(t) FROM (
            SELECT MIN(ends_at) AS t FROM timers WHERE state = 'running'
            UNION ALL
            SELECT MIN(starts_at) FROM timers WHERE state = 'scheduled'
            UNION ALL
            SELECT MIN(ends_at - ?1) FROM timers
             WHERE ?1 > 0 AND state = 'running' AND warned_ends_at IS NOT ends_at)",
        [warn_ms],
        |r| r.get(0),
    )?)
}

/// Names a child on a timer (a party guest listed as "Invitado 3" until named at the desk).
pub fn rename(tx: &Tx<'_>, id: &str, child_name: &str) -> Result<TimerRow> {
    let name = crate::validate::name("child_name", child_name)?;
    let mut t = get(tx.conn, id)?;
    if matches!(t.state, TimerState::Finished | TimerState::Cancelled) {
        return Err(CoreError::InvalidTransition {
            action: "renombrar",
            state: t.state.as_str().to_string(),
        });
    }
    let full: bool = tx
        .conn
        .query_row(
            "SELECT monitor_full_names FROM branches WHERE id = ?1",
            [tx.branch_id()],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    t.child_name = name;
    t.public_name = public_name(&t.child_name, full);
    t.updated_at = tx.now();
    tx.conn.execute(
        "UPDATE timers SET child_name = ?2, public_name = ?3, updated_at = ?4 WHERE id = ?1",
        params![t.id, t.child_name, t.public_name, t.updated_at],
    )?;
    tx.event("timer.renamed", "timer", id, &t.view(tx.now()))?;
    Ok(t)
}

/// Children inside the venue: timers running, paused or run out (not yet collected).
pub fn inside_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM timers WHERE state IN ('running', 'paused', 'expired')",
        [],
        |r| r.get(0),
    )?)
}

/// The children inside on a pick-up code.
pub fn inside_with_code(conn: &Connection, code: &str) -> Result<Vec<TimerRow>> {
    select(
        conn,
        "pickup_code = ?1 AND state IN ('running', 'paused', 'expired') ORDER BY sale_position, id",
        code,
    )
}

/// Running or paused timers of a service, for its capacity.
pub fn active_count_for_service(conn: &Connection, service_id: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM timers WHERE service_id = ?1 AND state IN ('running', 'paused')",
        [service_id],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(now: Millis, minutes: i64) -> TimerRow {
        TimerRow {
            id: "t".into(),
            sale_id: None,
            service_id: None,
            service_name: "1 hora de juego".into(),
            child_name: "Sofía".into(),
            guardian_name: String::new(),
            guardian_phone: String::new(),
            state: TimerState::Running,
            starts_at: now,
            ends_at: Some(now + minutes * 60_000),
            remaining_ms: minutes * 60_000,
            duration_ms: minutes * 60_000,
            extended_minutes: 0,
            updated_at: now,
            extra: ExtraTime::default(),
            overtime_ms: 0,
            overtime_settlement: None,
            ..Default::default()
        }
    }

    #[test]
    fn the_wall_calls_a_child_by_first_name_and_initial() {
        assert_eq!(public_name("  Sofía   ramírez López ", false), "Sofía R.");
        assert_eq!(public_name("Leo", false), "Leo");
        assert_eq!(public_name("Sofía Ramírez", true), "Sofía Ramírez");
        assert_eq!(public_name("Ana Ñúñez", false), "Ana Ñ.");
        assert_eq!(public_name("Invitado 10", false), "Invitado 10");
    }

    #[test]
    fn pause_freezes_the_time_left_and_resume_continues_it() {
        let t = running(0, 60);
        let paused = apply(&t, Action::Pause, 10 * 60_000).expect("pause");
        assert_eq!(paused.state, TimerState::Paused);
        assert_eq!(
            paused.remaining_at(50 * 60_000),
            50 * 60_000,
            "paused time does not run"
        );
        let resumed = apply(&paused, Action::Resume, 30 * 60_000).expect("resume");
        assert_eq!(
            resumed.ends_at,
            Some(80 * 60_000),
            "ends 50 minutes after resuming"
        );
    }

    #[test]
    fn extend_adds_time_in_place_and_revives_an_expired_timer() {
        let t = running(0, 60);
        let ext = apply(&t, Action::Extend { minutes: 15 }, 5).expect("extend");
        assert_eq!(ext.ends_at, Some(75 * 60_000));
        assert_eq!(ext.extended_minutes, 15);
        let mut expired = t.clone();
        expired.state = TimerState::Expired;
        let revived = apply(&expired, Action::Extend { minutes: 10 }, 70 * 60_000).expect("extend");
        assert_eq!(revived.state, TimerState::Running);
        assert_eq!(revived.ends_at, Some(80 * 60_000), "counts from now");
    }

    #[test]
    fn finished_timers_cannot_be_extended_or_resumed() {
        let t = running(0, 60);
        let done = apply(&t, Action::Stop, 30 * 60_000).expect("stop");
        for action in [
            Action::Extend { minutes: 5 },
            Action::Resume,
            Action::Pause,
            Action::Stop,
        ] {
            let err = apply(&done, action, 31 * 60_000).expect_err("finished is final");
            assert_eq!(err.code(), "invalid_transition");
        }
    }

    #[test]
    fn only_scheduled_timers_can_be_cancelled_or_started() {
        let t = running(0, 60);
        assert!(apply(&t, Action::Cancel, 1).is_err());
        assert!(apply(&t, Action::Start, 1).is_err());
        let mut s = t.clone();
        s.state = TimerState::Scheduled;
        s.ends_at = None;
        let started = apply(&s, Action::Start, 1_000).expect("start");
        assert_eq!(started.ends_at, Some(1_000 + 60 * 60_000));
        assert_eq!(
            apply(&s, Action::Cancel, 1).expect("cancel").state,
            TimerState::Cancelled
        );
    }

    #[test]
    fn extension_bounds_are_checked() {
        let t = running(0, 60);
        assert_eq!(
            apply(&t, Action::Extend { minutes: 0 }, 1)
                .expect_err("zero")
                .code(),
            "validation"
        );
        assert!(apply(&t, Action::Extend { minutes: -5 }, 1).is_err());
    }

    fn priced(t: TimerRow) -> TimerRow {
        TimerRow {
            extra: ExtraTime {
                block_minutes: 15,
                block_price_cents: 5_000,
                grace_minutes: 5,
            },
            ..t
        }
    }

    #[test]
    fn overtime_is_free_within_the_grace_then_every_started_block_counts() {
        let x = ExtraTime {
            block_minutes: 15,
            block_price_cents: 5_000,
            grace_minutes: 5,
        };
        assert_eq!(x.overtime_due(0), 0);
        assert_eq!(x.overtime_due(5), 0);
        assert_eq!(x.overtime_due(6), 5_000);
        assert_eq!(x.overtime_due(15), 5_000);
        assert_eq!(x.overtime_due(16), 10_000);
        assert_eq!(
            ExtraTime::default().overtime_due(600),
            0,
            "no blocks, no charge"
        );
        assert_eq!(x.blocks_for(30), 2);
        assert_eq!(x.blocks_for(31), 3);
    }

    #[test]
    fn overtime_accrues_from_the_end_to_the_millisecond_and_freezes_when_stopped() {
        let end = 60 * 60_000;
        let mut t = priced(running(0, 60));
        assert_eq!(t.overtime_ms_at(end + 10), 0, "not rung yet: no overtime");
        t.state = TimerState::Expired;
        let grace_end = end + 5 * 60_000;
        assert_eq!(t.overtime_minutes_at(grace_end), 5);
        assert_eq!(t.overtime_due_at(grace_end), 0);
        assert_eq!(t.overtime_minutes_at(grace_end + 1), 6);
        assert_eq!(t.overtime_due_at(grace_end + 1), 5_000);
        let stopped = apply(&t, Action::Stop, grace_end + 1).expect("stop");
        assert_eq!(
            stopped.overtime_minutes_at(end * 10),
            6,
            "frozen at the stop"
        );
        assert_eq!(
            stopped.overtime_due_at(end * 10),
            0,
            "a stopped timer owes nothing more"
        );
        let mut settled = t.clone();
        settled.overtime_settlement = Some("waived".into());
        assert_eq!(settled.overtime_due_at(grace_end + 1), 0);
    }
}
