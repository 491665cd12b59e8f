//! Birthday parties and other bookings of an area: made, moved and confirmed at the desk, paid
//! through ordinary sales (deposit, then balance), checked in on the day with a timer per child,
//! and cancelled with the branch's refund rule. Two devices booking the same slot at once cannot
//! both win: the check and the write share one transaction of the store's single writer.

mod book;
pub mod feed;
mod party;
pub mod rules;
pub mod setup;

pub use book::{create, update};
pub(crate) use party::{after_payment, payment_line};
pub use party::{cancel, check_in};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use self::rules::{BookingState, Span, MINUTE_MS};
use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::money;
use crate::refunds::{self, Authorization};
use crate::sales::{ChildRef, GuardianRef, PaymentRequest, SaleOutcome};
use crate::tx::Tx;
use crate::{branches, families};

/// Children a party may expect.
pub const MAX_CHILDREN: i64 = 200;
/// The longest booking.
pub const MAX_LENGTH_MS: Millis = 12 * 60 * MINUTE_MS;
/// How far ahead a party can be booked.
pub const MAX_AHEAD_MS: Millis = 2 * 366 * 24 * 60 * MINUTE_MS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Booking {
    pub id: String,
    /// As printed and said on the phone: `A-F000012`.
    pub folio: String,
    pub state: BookingState,
    /// Tentative and past its hold: it no longer keeps the slot.
    pub expired: bool,
    pub family_id: String,
    pub guardian_name: String,
    pub guardian_phone: String,
    /// A WhatsApp link with the day-before reminder, for the desk to send (empty without a phone).
    pub whatsapp_reminder: String,
    pub birthday_child: String,
    pub birthday_age: Option<i64>,
    pub area_id: String,
    pub area_name: String,
    pub package_id: Option<String>,
    pub package_name: String,
    pub starts_at: String,
    pub ends_at: String,
    /// The branch-local date of the party.
    pub day: String,
    /// Cleaning time after it, when the area stays closed to other parties.
    pub buffer_minutes: i64,
    pub expected_children: i64,
    /// Allergies, theme, cake…
    pub notes: String,
    pub held_until: Option<String>,
    /// The package's price plus the extra children (expected ones until check-in).
    pub total_cents: i64,
    /// What confirms it.
    pub deposit_cents: i64,
    /// Paid through sales, net of refunds.
    pub paid_cents: i64,
    pub due_cents: i64,
    pub checked_in_children: i64,
    /// The check-in ticket (its timers and pick-up code).
    pub sale_id: Option<String>,
    pub pickup_code: Option<String>,
    pub cancel_reason: String,
    pub created_at: String,
    pub updated_at: String,
    /// Grows with every change: a move sent with an older one is refused (`stale`).
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BookingInput {
    /// The family booking; or `guardian` to register a new one with the birthday child.
    #[serde(default)]
    pub family_id: Option<String>,
    #[serde(default)]
    pub guardian: Option<GuardianRef>,
    pub birthday_child: String,
    #[serde(default)]
    pub birthday_age: Option<i64>,
    /// Default: the package's area.
    #[serde(default)]
    pub area_id: Option<String>,
    #[serde(default)]
    pub package_id: Option<String>,
    /// RFC 3339.
    pub starts_at: String,
    /// Default: the start plus the package's length.
    #[serde(default)]
    pub ends_at: Option<String>,
    pub expected_children: i64,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BookingPatch {
    /// A move keeps the party's length unless `ends_at` comes too.
    #[serde(default)]
    pub starts_at: Option<String>,
    #[serde(default)]
    pub ends_at: Option<String>,
    #[serde(default)]
    pub area_id: Option<String>,
    #[serde(default)]
    pub package_id: Option<String>,
    #[serde(default)]
    pub expected_children: Option<i64>,
    #[serde(default)]
    pub birthday_child: Option<String>,
    #[serde(default)]
    pub birthday_age: Option<i64>,
    #[serde(default)]
    pub notes: Option<String>,
    /// `confirmed` (without the deposit: a super_admin only) or `completed` (after check-in).
    #[serde(default)]
    pub state: Option<BookingState>,
    /// The version the client saw; a different current one answers 409 `stale`.
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CancelInput {
    pub reason: String,
    /// How the deposit goes back when the rule gives it back (default: as it was paid).
    #[serde(default)]
    pub refund_payments: Option<Vec<PaymentRequest>>,
    /// A supervisor's PIN when the refund needs one.
    #[serde(default)]
    pub authorization: Option<Authorization>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CheckInInput {
    /// The guests as they arrive (the birthday family's children may come by `child_id`).
    pub children: Vec<ChildRef>,
    /// Pays the balance (extra children included) on the same ticket.
    #[serde(default)]
    pub payments: Option<Vec<PaymentRequest>>,
    #[serde(default)]
    pub capacity_override: bool,
    #[serde(default)]
    pub authorization: Option<Authorization>,
}

/// What a check-in did: the booking, and the ticket with the children's timers.
pub struct CheckInOutcome {
    pub booking: Booking,
    pub sale: SaleOutcome,
}

/// What a cancellation did: the booking and the refunds of its deposit (none when kept).
pub struct CancelOutcome {
    pub booking: Booking,
    pub refunds: Vec<refunds::RefundOutcome>,
}

/// A booking as stored, before it is dressed for the API.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    number: i64,
    family_id: String,
    birthday_child: String,
    birthday_age: Option<i64>,
    area_id: String,
    package_id: Option<String>,
    starts_at: Millis,
    ends_at: Millis,
    buffer_minutes: i64,
    expected_children: i64,
    notes: String,
    state: BookingState,
    held_until: Option<Millis>,
    total_cents: i64,
    deposit_cents: i64,
    version: i64,
}

impl Row {
    fn span(&self) -> Span {
        Span {
            start: self.starts_at,
            end: self.ends_at,
            buffer_ms: self.buffer_minutes * MINUTE_MS,
        }
    }
}

const ROW_COLUMNS: &str =
    "id, number, family_id, birthday_child, birthday_age, area_id, package_id, \
     starts_at, ends_at, buffer_minutes, expected_children, notes, state, held_until, total_cents, \
     deposit_cents, version";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        number: r.get(1)?,
        family_id: r.get(2)?,
        birthday_child: r.get(3)?,
        birthday_age: r.get(4)?,
        area_id: r.get(5)?,
        package_id: r.get(6)?,
        starts_at: r.get(7)?,
        ends_at: r.get(8)?,
        buffer_minutes: r.get(9)?,
        expected_children: r.get(10)?,
        notes: r.get(11)?,
        state: BookingState::parse(&r.get::<_, String>(12)?).unwrap_or(BookingState::Cancelled),
        held_until: r.get(13)?,
        total_cents: r.get(14)?,
        deposit_cents: r.get(15)?,
        version: r.get(16)?,
    })
}

fn load(conn: &Connection, id: &str, branch_id: &str) -> Result<Row> {
    conn.query_row(
        &format!("SELECT {ROW_COLUMNS} FROM bookings WHERE id = ?1 AND branch_id = ?2"),
        params![id, branch_id],
        row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("reserva", id))
}

/// The folio of booking `number`: the branch's prefix, `-F` and six digits.
pub fn folio(prefix: &str, number: i64) -> String {
    format!("{prefix}-F{number:06}")
}

/// What the lists need once per call rather than per booking.
struct Dressing {
    tz: chrono_tz::Tz,
    prefix: String,
    branch_name: String,
    now: Millis,
}

impl Dressing {
    fn of(conn: &Connection, branch_id: &str, now: Millis) -> Result<Dressing> {
        let b = branches::get(conn, branch_id)?;
        Ok(Dressing {
            tz: clock::parse_tz("timezone", &b.timezone)?,
            prefix: b.folio_prefix,
            branch_name: b.name,
            now,
        })
    }
}

const LIST_SQL: &str = "SELECT b.id, b.number, b.state, b.held_until, b.family_id,
        COALESCE(json_extract(f.guardians, '$[0].name'), ''),
        COALESCE(json_extract(f.guardians, '$[0].phone'), ''),
        b.birthday_child, b.birthday_age, b.area_id, a.name, b.package_id, COALESCE(p.name, ''),
        b.starts_at, b.ends_at, b.buffer_minutes, b.expected_children, b.notes, b.total_cents,
        b.deposit_cents,
        (SELECT COALESCE(SUM(si.total_cents), 0) FROM sale_items si WHERE si.booking_id = b.id)
          - (SELECT COALESCE(SUM(ri.total_cents), 0) FROM sale_items si
               JOIN refund_items ri ON ri.sale_id = si.sale_id AND ri.sale_position = si.position
             WHERE si.booking_id = b.id),
        b.checked_in_children, b.sale_id, s.pickup_code, b.cancel_reason, b.created_at,
        b.updated_at, b.version
     FROM bookings b
     JOIN areas a ON a.id = b.area_id
     LEFT JOIN party_packages p ON p.id = b.package_id
     LEFT JOIN families f ON f.id = b.family_id
     LEFT JOIN sales s ON s.id = b.sale_id";

fn dressed(d: &Dressing) -> impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<Booking> + '_ {
    move |r| {
        let state = BookingState::parse(&r.get::<_, String>(2)?).unwrap_or(BookingState::Cancelled);
        let held_until: Option<Millis> = r.get(3)?;
        let starts_at: Millis = r.get(13)?;
        let total: i64 = r.get(18)?;
        let paid: i64 = r.get(20)?;
        let guardian_name: String = r.get(5)?;
        let guardian_phone: String = r.get(6)?;
        let birthday_child: String = r.get(7)?;
        let local = chrono::TimeZone::from_utc_datetime(
            &d.tz,
            &chrono::DateTime::from_timestamp_millis(starts_at)
                .unwrap_or_default()
                .naive_utc(),
        );
        let whatsapp_reminder = if guardian_phone.is_empty() {
            String::new()
        } else {
            let due = if total > paid {
                format!(" Saldo pendiente: {}.", money::format_mxn(total - paid))
            } else {
                String::new()
            };
            families::whatsapp_link(
                &guardian_phone,
                &format!(
                    "Hola {guardian_name}, le recordamos la fiesta de {birthday_child} el {} a las {} en {}.{due} ¡Los esperamos!",
                    local.format("%d/%m/%Y"),
                    local.format("%H:%M"),
                    d.branch_name
                ),
            )
        };
        Ok(Booking {
            id: r.get(0)?,
            folio: folio(&d.prefix, r.get(1)?),
            state,
            expired: state == BookingState::Tentative && !state.blocks(held_until, d.now),
            family_id: r.get(4)?,
            guardian_name,
            guardian_phone,
            whatsapp_reminder,
            birthday_child,
            birthday_age: r.get(8)?,
            area_id: r.get(9)?,
            area_name: r.get(10)?,
            package_id: r.get(11)?,
            package_name: r.get(12)?,
            starts_at: clock::to_rfc3339(starts_at),
            ends_at: clock::to_rfc3339(r.get(14)?),
            day: local.date_naive().to_string(),
            buffer_minutes: r.get(15)?,
            expected_children: r.get(16)?,
            notes: r.get(17)?,
            held_until: held_until.map(clock::to_rfc3339),
            total_cents: total,
            deposit_cents: r.get(19)?,
            paid_cents: paid,
            due_cents: total - paid,
            checked_in_children: r.get(21)?,
            sale_id: r.get(22)?,
            pickup_code: r.get(23)?,
            cancel_reason: r.get(24)?,
            created_at: clock::to_rfc3339(r.get(25)?),
            updated_at: clock::to_rfc3339(r.get(26)?),
            version: r.get(27)?,
        })
    }
}

pub fn get(conn: &Connection, id: &str, branch_id: &str, now: Millis) -> Result<Booking> {
    let d = Dressing::of(conn, branch_id, now)?;
    conn.query_row(
        &format!("{LIST_SQL} WHERE b.id = ?1 AND b.branch_id = ?2"),
        params![id, branch_id],
        dressed(&d),
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("reserva", id))
}

/// Which bookings a calendar shows: local days (inclusive), optionally one area or state.
#[derive(Debug, Clone, Default)]
pub struct BookingQuery {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub area_id: Option<String>,
    pub state: Option<BookingState>,
}

/// The longest range one list covers (a month view spans six weeks).
pub const MAX_RANGE_DAYS: i64 = 92;

pub fn list(
    conn: &Connection,
    branch_id: &str,
    q: &BookingQuery,
    now: Millis,
) -> Result<Vec<Booking>> {
    if q.to < q.from || (q.to - q.from).num_days() > MAX_RANGE_DAYS {
        return Err(CoreError::validation(
            "to",
            format!("un rango de 1 a {MAX_RANGE_DAYS} días, `to` no antes de `from`"),
        ));
    }
    let d = Dressing::of(conn, branch_id, now)?;
    let from = clock::day_start_ms(q.from, d.tz);
    let to = clock::day_start_ms(q.to.succ_opt().unwrap_or(q.to), d.tz);
    let mut stmt = conn.prepare_cached(&format!(
        "{LIST_SQL} WHERE b.branch_id = ?1 AND b.starts_at >= ?2 AND b.starts_at < ?3
           AND (?4 IS NULL OR b.area_id = ?4) AND (?5 IS NULL OR b.state = ?5)
         ORDER BY b.starts_at, a.position"
    ))?;
    let rows = stmt.query_map(
        params![
            branch_id,
            from,
            to,
            q.area_id,
            q.state.map(BookingState::as_str)
        ],
        dressed(&d),
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Records the booking's current state as an event (the live feed and the cloud read it).
fn announce(tx: &Tx<'_>, kind: &str, id: &str) -> Result<Booking> {
    let b = get(tx.conn, id, tx.branch_id(), tx.now())?;
    tx.event(kind, "booking", id, &b)?;
    Ok(b)
}

fn paid(conn: &Connection, id: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT (SELECT COALESCE(SUM(si.total_cents), 0) FROM sale_items si WHERE si.booking_id = ?1)
              - (SELECT COALESCE(SUM(ri.total_cents), 0) FROM sale_items si
                   JOIN refund_items ri ON ri.sale_id = si.sale_id AND ri.sale_position = si.position
                 WHERE si.booking_id = ?1)",
        [id],
        |r| r.get(0),
    )?)
}

fn state_name(s: BookingState) -> &'static str {
    match s {
        BookingState::Tentative => "apartada",
        BookingState::Confirmed => "confirmada",
        BookingState::CheckedIn => "en curso",
        BookingState::Completed => "terminada",
        BookingState::Cancelled => "cancelada",
    }
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

/// Erasing a family's data erases its parties' names and notes too; their money stays.
pub(crate) fn erase_family(conn: &Connection, family_id: &str) -> Result<Vec<String>> {
    conn.execute(
        "UPDATE bookings SET birthday_child = ?2, notes = '' WHERE family_id = ?1",
        params![family_id, families::ERASED_CHILD],
    )?;
    let mut stmt = conn.prepare_cached("SELECT id FROM bookings WHERE family_id = ?1")?;
    let ids = stmt
        .query_map([family_id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}
