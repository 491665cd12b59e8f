//! Birthday parties and other bookings of an area: made, moved and confirmed at the desk, paid
//! through ordinary sales (deposit, then balance), checked in on the day with a timer per child,
//! and cancelled with the branch's refund rule. Two devices booking the same slot at once cannot
//! both win: the check and the write share one transaction of the store's single writer.

pub mod feed;
pub mod rules;
pub mod setup;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use self::rules::{BookingState, Span, MINUTE_MS};
use self::setup::{Area, AreaKind, PartyPackage};
use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::money;
use crate::refunds::{self, Authorization, RefundItemRequest, RefundRequest};
use crate::roles::Permission;
use crate::sales::{
    self, ChildRef, GuardianRef, PartyCheckIn, PaymentRequest, SaleOutcome, SaleRequest,
};
use crate::tx::Tx;
use crate::{branches, families, ids, validate};

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

fn age(v: Option<i64>) -> Result<Option<i64>> {
    match v {
        Some(a) if !(0..=17).contains(&a) => Err(CoreError::validation(
            "birthday_age",
            "la edad va de 0 a 17 años",
        )),
        other => Ok(other),
    }
}

fn notes(v: &str) -> Result<String> {
    let n = validate::text("notes", v)?;
    if n.chars().count() > 1000 {
        return Err(CoreError::validation(
            "notes",
            "las notas llevan a lo más 1000 caracteres",
        ));
    }
    Ok(n)
}

fn expected(v: i64) -> Result<i64> {
    if !(1..=MAX_CHILDREN).contains(&v) {
        return Err(CoreError::validation(
            "expected_children",
            format!("de 1 a {MAX_CHILDREN} niños"),
        ));
    }
    Ok(v)
}

/// The total for `children` on a package, and the deposit that confirms it.
fn price(package: Option<&PartyPackage>, children: i64) -> Result<(i64, i64)> {
    let Some(p) = package else {
        return Ok((0, 0));
    };
    let extra = validate::times(
        "expected_children",
        (children - p.children_included).max(0),
        p.extra_child_price_cents,
    )?;
    let total = validate::plus("expected_children", p.price_cents, extra)?;
    let deposit = (i128::from(total) * i128::from(p.deposit_percent) * 2 + 100) / 200;
    Ok((total, i64::try_from(deposit).unwrap_or(total)))
}

fn local_hm(tz: chrono_tz::Tz, ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// Whether `area` can take a party of `children` over `span` without a collision, within the
/// branch's hours, in the future. `exclude` is the booking being moved.
fn check_slot(
    tx: &Tx<'_>,
    exclude: Option<&str>,
    area: &Area,
    span: Span,
    children: i64,
) -> Result<()> {
    let now = tx.now();
    if span.start <= now {
        return Err(CoreError::validation(
            "starts_at",
            "esa hora ya pasó: elige una hora que venga",
        ));
    }
    if span.start > now + MAX_AHEAD_MS {
        return Err(CoreError::validation(
            "starts_at",
            "se puede reservar hasta con dos años de anticipación",
        ));
    }
    if span.end <= span.start || span.end - span.start > MAX_LENGTH_MS {
        return Err(CoreError::validation(
            "ends_at",
            "termina después de empezar, a lo más 12 horas después",
        ));
    }
    let cal = setup::calendar(tx.conn, tx.branch_id())?;
    cal.check(span.start, span.end)
        .map_err(|e| CoreError::validation(e.field, e.message))?;
    if area.kind == AreaKind::Room && area.capacity > 0 && children > area.capacity {
        return Err(CoreError::validation(
            "expected_children",
            format!(
                "«{}» es para {} niños como máximo",
                area.name, area.capacity
            ),
        ));
    }
    let mut stmt = tx.conn.prepare_cached(&format!(
        "SELECT {ROW_COLUMNS} FROM bookings
         WHERE area_id = ?1 AND state <> 'cancelled' AND starts_at < ?2 AND blocks_until > ?3
           AND id <> COALESCE(?4, '')
         ORDER BY starts_at"
    ))?;
    let others: Vec<Row> = stmt
        .query_map(
            params![area.id, span.blocks_until(), span.start, exclude],
            row,
        )?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|o| o.state.blocks(o.held_until, now) && o.span().collides(&span))
        .collect();
    let prefix = branches::get(tx.conn, tx.branch_id())?.folio_prefix;
    match area.kind {
        AreaKind::Room => {
            if let Some(o) = others.first() {
                let cleaning = if o.buffer_minutes > 0 {
                    format!(" y {} min de limpieza", o.buffer_minutes)
                } else {
                    String::new()
                };
                return Err(CoreError::Conflict {
                    code: "slot_taken",
                    message: format!(
                        "«{}» ya está reservada: fiesta de {} ({}) de {} a {}{cleaning}",
                        area.name,
                        o.birthday_child,
                        folio(&prefix, o.number),
                        local_hm(cal.tz, o.starts_at),
                        local_hm(cal.tz, o.ends_at),
                    ),
                    field: Some("starts_at".into()),
                });
            }
        }
        AreaKind::Zone => {
            let load: Vec<(Span, i64)> = others
                .iter()
                .map(|o| (o.span(), o.expected_children))
                .collect();
            let peak = rules::peak_load((span, children), &load);
            if area.capacity > 0 && peak > area.capacity {
                return Err(CoreError::Conflict {
                    code: "slot_taken",
                    message: format!(
                        "«{}» tendría {peak} niños a la vez con las otras fiestas; caben {}",
                        area.name, area.capacity
                    ),
                    field: Some("starts_at".into()),
                });
            }
        }
    }
    Ok(())
}

fn family_for(tx: &Tx<'_>, input: &BookingInput, child: &str) -> Result<String> {
    match (&input.family_id, &input.guardian) {
        (Some(id), _) => Ok(families::live(tx.conn, "family_id", id, tx.branch_id())?.id),
        (None, Some(g)) => {
            let f = families::create(
                tx,
                &families::FamilyInput {
                    guardians: Some(vec![families::Guardian {
                        name: g.name.clone(),
                        phone: g.phone.clone(),
                        email: String::new(),
                    }]),
                    children: Some(vec![families::ChildInput {
                        name: child.to_string(),
                        ..Default::default()
                    }]),
                    ..Default::default()
                },
            )
            .map_err(|e| match e {
                CoreError::Validation { field, message } => CoreError::Validation {
                    field: field.replace("guardians[0]", "guardian"),
                    message,
                },
                other => other,
            })?;
            Ok(f.id)
        }
        (None, None) => Err(CoreError::validation(
            "family_id",
            "indica la familia (family_id) o el adulto que reserva (guardian)",
        )),
    }
}

fn parse_time(field: &str, s: &str) -> Result<Millis> {
    clock::parse_rfc3339(field, s)
}

/// Books an area.
pub fn create(tx: &Tx<'_>, input: &BookingInput) -> Result<Booking> {
    tx.actor().role.require(Permission::WriteBookings)?;
    let now = tx.now();
    let child = validate::name("birthday_child", &input.birthday_child)?;
    let birthday_age = age(input.birthday_age)?;
    let package = match &input.package_id {
        Some(id) => Some(setup::live_package(tx.conn, "package_id", id)?),
        None => None,
    };
    let area_id = input
        .area_id
        .clone()
        .or_else(|| package.as_ref().and_then(|p| p.area_id.clone()))
        .ok_or_else(|| CoreError::validation("area_id", "elige el área de la fiesta"))?;
    let area = setup::live_area(tx.conn, "area_id", &area_id)?;
    let start = parse_time("starts_at", &input.starts_at)?;
    let end = match (&input.ends_at, &package) {
        (Some(e), _) => parse_time("ends_at", e)?,
        (None, Some(p)) => start + p.duration_minutes * MINUTE_MS,
        (None, None) => {
            return Err(CoreError::validation(
                "ends_at",
                "sin paquete, indica a qué hora termina",
            ))
        }
    };
    let children = expected(input.expected_children)?;
    let notes = notes(input.notes.as_deref().unwrap_or(""))?;
    let span = Span {
        start,
        end,
        buffer_ms: package.as_ref().map_or(0, |p| p.buffer_minutes) * MINUTE_MS,
    };
    check_slot(tx, None, &area, span, children)?;
    let (total, deposit) = price(package.as_ref(), children)?;
    let family_id = family_for(tx, input, &child)?;
    let (hold_hours, _) = setup::rules(tx.conn, tx.branch_id())?;
    let (state, held_until) = if deposit == 0 {
        (BookingState::Confirmed, None)
    } else {
        (
            BookingState::Tentative,
            Some(now + hold_hours * 60 * MINUTE_MS),
        )
    };
    let number: i64 = tx.conn.query_row(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM bookings",
        [],
        |r| r.get(0),
    )?;
    let id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO bookings (id, branch_id, number, family_id, birthday_child, birthday_age, area_id,
             package_id, starts_at, ends_at, buffer_minutes, blocks_until, expected_children, notes,
             state, held_until, total_cents, deposit_cents, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19)",
        params![
            id,
            tx.branch_id(),
            number,
            family_id,
            child,
            birthday_age,
            area.id,
            package.as_ref().map(|p| &p.id),
            start,
            end,
            span.buffer_ms / MINUTE_MS,
            span.blocks_until(),
            children,
            notes,
            state.as_str(),
            held_until,
            total,
            deposit,
            now
        ],
    )?;
    announce(tx, "booking.created", &id)
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

/// Moves, resizes or edits a booking, or marks it confirmed or completed.
pub fn update(tx: &Tx<'_>, id: &str, patch: &BookingPatch) -> Result<Booking> {
    tx.actor().role.require(Permission::WriteBookings)?;
    let before = load(tx.conn, id, tx.branch_id())?;
    if patch.version.is_some_and(|v| v != before.version) {
        return Err(CoreError::Conflict {
            code: "stale",
            message: "alguien más cambió esta reserva: se muestra como está ahora".into(),
            field: Some("version".into()),
        });
    }
    let mut b = before.clone();
    let moves = patch.starts_at.is_some()
        || patch.ends_at.is_some()
        || patch.area_id.is_some()
        || patch.package_id.is_some()
        || patch.expected_children.is_some();
    if moves && !before.state.movable() {
        return Err(CoreError::Conflict {
            code: "booking_locked",
            message: format!(
                "una reserva {} ya no cambia de hora, área ni niños",
                state_name(before.state)
            ),
            field: None,
        });
    }
    if let Some(c) = &patch.birthday_child {
        b.birthday_child = validate::name("birthday_child", c)?;
    }
    if patch.birthday_age.is_some() {
        b.birthday_age = age(patch.birthday_age)?;
    }
    if let Some(n) = &patch.notes {
        b.notes = notes(n)?;
    }
    let mut package = match &b.package_id {
        Some(pid) => setup::party_package(tx.conn, pid).ok(),
        None => None,
    };
    if let Some(pid) = &patch.package_id {
        let p = setup::live_package(tx.conn, "package_id", pid)?;
        b.package_id = Some(p.id.clone());
        b.buffer_minutes = p.buffer_minutes;
        package = Some(p);
    }
    if let Some(a) = &patch.area_id {
        b.area_id = setup::live_area(tx.conn, "area_id", a)?.id;
    }
    if let Some(n) = patch.expected_children {
        b.expected_children = expected(n)?;
    }
    if let Some(s) = &patch.starts_at {
        let start = parse_time("starts_at", s)?;
        b.ends_at = start + (before.ends_at - before.starts_at);
        b.starts_at = start;
    }
    if let Some(e) = &patch.ends_at {
        b.ends_at = parse_time("ends_at", e)?;
    } else if patch.package_id.is_some() && patch.starts_at.is_none() {
        if let Some(p) = &package {
            b.ends_at = b.starts_at + p.duration_minutes * MINUTE_MS;
        }
    }
    if moves {
        let area = setup::area(tx.conn, &b.area_id)?;
        check_slot(tx, Some(id), &area, b.span(), b.expected_children)?;
        let (total, deposit) = price(package.as_ref(), b.expected_children)?;
        let paid = paid(tx.conn, id)?;
        if paid > total {
            return Err(CoreError::validation(
                "expected_children",
                format!(
                    "ya se pagaron {}, más que el nuevo total ({})",
                    money::format_mxn(paid),
                    money::format_mxn(total)
                ),
            ));
        }
        b.total_cents = total;
        b.deposit_cents = deposit;
    }
    match patch.state {
        None => {}
        Some(BookingState::Confirmed) if before.state == BookingState::Tentative => {
            let paid = paid(tx.conn, id)?;
            if paid < b.deposit_cents && !tx.actor().role.can(Permission::AuthorizeDiscounts) {
                return Err(CoreError::Conflict {
                    code: "deposit_due",
                    message: format!(
                        "falta el anticipo: {} de {}",
                        money::format_mxn(paid),
                        money::format_mxn(b.deposit_cents)
                    ),
                    field: Some("state".into()),
                });
            }
            if before.held_until.is_some_and(|h| h <= tx.now()) {
                let area = setup::area(tx.conn, &b.area_id)?;
                check_slot(tx, Some(id), &area, b.span(), b.expected_children)?;
            }
            b.state = BookingState::Confirmed;
            b.held_until = None;
        }
        Some(BookingState::Completed) if before.state == BookingState::CheckedIn => {
            b.state = BookingState::Completed;
        }
        Some(s) if s == before.state => {}
        Some(s) => {
            return Err(CoreError::Conflict {
                code: "invalid_transition",
                message: format!(
                    "una reserva {} no pasa a {} (cancelar y registrar la llegada tienen sus propias acciones)",
                    state_name(before.state),
                    state_name(s)
                ),
                field: Some("state".into()),
            })
        }
    }
    tx.conn.execute(
        "UPDATE bookings SET birthday_child = ?2, birthday_age = ?3, area_id = ?4, package_id = ?5,
             starts_at = ?6, ends_at = ?7, buffer_minutes = ?8, blocks_until = ?9,
             expected_children = ?10, notes = ?11, state = ?12, held_until = ?13, total_cents = ?14,
             deposit_cents = ?15, version = version + 1, updated_at = ?16
         WHERE id = ?1",
        params![
            id,
            b.birthday_child,
            b.birthday_age,
            b.area_id,
            b.package_id,
            b.starts_at,
            b.ends_at,
            b.buffer_minutes,
            b.span().blocks_until(),
            b.expected_children,
            b.notes,
            b.state.as_str(),
            b.held_until,
            b.total_cents,
            b.deposit_cents,
            tx.now()
        ],
    )?;
    announce(tx, "booking.updated", id)
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

/// A sale line paying toward a booking: `(line name, amount)`. Without `amount`, the deposit
/// still due (or the balance once the deposit is in). Called while the sale is resolved.
pub(crate) fn payment_line(
    tx: &Tx<'_>,
    field: &str,
    booking_id: &str,
    amount: Option<i64>,
) -> Result<(String, i64, crate::tax::IvaRate)> {
    let b = load(tx.conn, booking_id, tx.branch_id()).map_err(|_| {
        CoreError::validation(format!("{field}.booking_id"), "no existe esa reserva")
    })?;
    if b.state == BookingState::Cancelled {
        return Err(CoreError::Conflict {
            code: "booking_cancelled",
            message: "esa reserva está cancelada".into(),
            field: Some(format!("{field}.booking_id")),
        });
    }
    let paid = paid(tx.conn, booking_id)?;
    let due = b.total_cents - paid;
    if due <= 0 {
        return Err(CoreError::Conflict {
            code: "booking_paid",
            message: "esa reserva ya está pagada".into(),
            field: Some(format!("{field}.booking_id")),
        });
    }
    let amount = match amount {
        Some(a) => {
            let a = validate::amount(&format!("{field}.amount_cents"), a)?;
            if a <= 0 || a > due {
                return Err(CoreError::validation(
                    format!("{field}.amount_cents"),
                    format!(
                        "el pago va de $0.01 al saldo de la reserva ({})",
                        money::format_mxn(due)
                    ),
                ));
            }
            a
        }
        None if paid < b.deposit_cents => b.deposit_cents - paid,
        None => due,
    };
    // A hold that lapsed: the slot is the payer's again only if nobody took it meanwhile.
    if b.state == BookingState::Tentative && b.held_until.is_some_and(|h| h <= tx.now()) {
        let area = setup::area(tx.conn, &b.area_id)?;
        check_slot_kept(tx, &b, &area)?;
    }
    let prefix = branches::get(tx.conn, tx.branch_id())?.folio_prefix;
    let what = if paid == 0 && amount < due {
        "Anticipo"
    } else if amount == due {
        "Liquidación"
    } else {
        "Abono"
    };
    let iva = match &b.package_id {
        Some(pid) => setup::party_package(tx.conn, pid)
            .map(|p| p.iva_rate)
            .unwrap_or_default(),
        None => crate::tax::IvaRate::default(),
    };
    Ok((
        format!(
            "{what} fiesta de {} ({})",
            b.birthday_child,
            folio(&prefix, b.number)
        ),
        amount,
        iva,
    ))
}

/// The collision check for a booking that keeps its time (a lapsed hold being paid).
fn check_slot_kept(tx: &Tx<'_>, b: &Row, area: &Area) -> Result<()> {
    let now = tx.now();
    let mut stmt = tx.conn.prepare_cached(&format!(
        "SELECT {ROW_COLUMNS} FROM bookings
         WHERE area_id = ?1 AND state <> 'cancelled' AND starts_at < ?2 AND blocks_until > ?3 AND id <> ?4"
    ))?;
    let taken = stmt
        .query_map(
            params![area.id, b.span().blocks_until(), b.starts_at, b.id],
            row,
        )?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .any(|o| {
            o.state.blocks(o.held_until, now)
                && o.span().collides(&b.span())
                && area.kind == AreaKind::Room
        });
    if taken {
        return Err(CoreError::Conflict {
            code: "slot_taken",
            message:
                "el apartado venció y otra fiesta tomó el horario: mueve la reserva antes de cobrar"
                    .into(),
            field: Some("booking_id".into()),
        });
    }
    Ok(())
}

/// After a sale paid toward `booking_id`: a tentative booking whose deposit is now in is
/// confirmed; either way the calendars hear the new amounts.
pub(crate) fn after_payment(tx: &Tx<'_>, booking_id: &str) -> Result<()> {
    let b = load(tx.conn, booking_id, tx.branch_id())?;
    if b.state == BookingState::Tentative && paid(tx.conn, booking_id)? >= b.deposit_cents {
        tx.conn.execute(
            "UPDATE bookings SET state = 'confirmed', held_until = NULL, version = version + 1,
                 updated_at = ?2 WHERE id = ?1",
            params![booking_id, tx.now()],
        )?;
    } else {
        tx.conn.execute(
            "UPDATE bookings SET version = version + 1, updated_at = ?2 WHERE id = ?1",
            params![booking_id, tx.now()],
        )?;
    }
    announce(tx, "booking.updated", booking_id)?;
    Ok(())
}

/// Cancels a booking. Cancelled at least the branch's refund days before the party, what was
/// paid goes back through refunds of its sale lines; later, the deposit is kept.
pub fn cancel(
    tx: &Tx<'_>,
    id: &str,
    input: &CancelInput,
    authorized_by: Option<&str>,
) -> Result<CancelOutcome> {
    tx.actor().role.require(Permission::WriteBookings)?;
    let b = load(tx.conn, id, tx.branch_id())?;
    if !b.state.may_become(BookingState::Cancelled) {
        return Err(CoreError::Conflict {
            code: "booking_locked",
            message: format!("una reserva {} ya no se cancela", state_name(b.state)),
            field: None,
        });
    }
    let reason = validate::reason("reason", &input.reason)?;
    let (_, refund_days) = setup::rules(tx.conn, tx.branch_id())?;
    let in_time = b.starts_at - tx.now() >= refund_days * 24 * 60 * MINUTE_MS;
    let mut done = Vec::new();
    if in_time {
        let mut stmt = tx.conn.prepare_cached(
            "SELECT si.sale_id, si.position, si.quantity
                  - COALESCE((SELECT SUM(ri.quantity) FROM refund_items ri
                              WHERE ri.sale_id = si.sale_id AND ri.sale_position = si.position), 0)
             FROM sale_items si WHERE si.booking_id = ?1 ORDER BY si.rowid",
        )?;
        let lines = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut by_sale: std::collections::BTreeMap<String, Vec<RefundItemRequest>> =
            Default::default();
        for (sale_id, position, left) in lines {
            if left > 0 {
                by_sale
                    .entry(sale_id.clone())
                    .or_default()
                    .push(RefundItemRequest {
                        item_id: sales::item_id(&sale_id, position),
                        quantity: left,
                        damaged: false,
                    });
            }
        }
        let single = by_sale.len() == 1;
        for (sale_id, items) in by_sale {
            done.push(refunds::create(
                tx,
                &sale_id,
                &RefundRequest {
                    items: Some(items),
                    reason: format!("Cancelación de la fiesta de {}: {reason}", b.birthday_child),
                    refund_payments: if single {
                        input.refund_payments.clone()
                    } else {
                        None
                    },
                    authorization: None,
                },
                authorized_by,
                None,
            )?);
        }
    }
    tx.conn.execute(
        "UPDATE bookings SET state = 'cancelled', cancel_reason = ?2, held_until = NULL,
             version = version + 1, updated_at = ?3 WHERE id = ?1",
        params![id, reason, tx.now()],
    )?;
    Ok(CancelOutcome {
        booking: announce(tx, "booking.cancelled", id)?,
        refunds: done,
    })
}

/// Checks the party in on its day: one timer per child until the party's end (grouped under
/// the party on the wall), the included products taken from stock once, extra children added
/// to the total, and the balance paid on the same ticket when `payments` come.
pub fn check_in(
    tx: &Tx<'_>,
    id: &str,
    input: &CheckInInput,
    authorized_by: Option<&str>,
) -> Result<CheckInOutcome> {
    tx.actor().role.require(Permission::WriteBookings)?;
    let b = load(tx.conn, id, tx.branch_id())?;
    match b.state {
        BookingState::Confirmed => {}
        BookingState::Cancelled => {
            return Err(CoreError::Conflict {
                code: "booking_cancelled",
                message: "esa reserva está cancelada: no se registra su llegada".into(),
                field: None,
            })
        }
        BookingState::Tentative => {
            return Err(CoreError::Conflict {
                code: "deposit_due",
                message: "la reserva no está confirmada: cobra el anticipo primero".into(),
                field: None,
            })
        }
        BookingState::CheckedIn | BookingState::Completed => {
            return Err(CoreError::Conflict {
                code: "already_checked_in",
                message: "la llegada de esta fiesta ya se registró".into(),
                field: None,
            })
        }
    }
    let now = tx.now();
    let tz = branches::timezone(tx.conn, tx.branch_id())?;
    if clock::local_day(b.starts_at, tz) != clock::local_day(now, tz) {
        return Err(CoreError::Conflict {
            code: "not_today",
            message: format!(
                "la fiesta es el {}: su llegada se registra ese día",
                clock::local_day(b.starts_at, tz)
            ),
            field: None,
        });
    }
    if now >= b.ends_at {
        return Err(CoreError::Conflict {
            code: "party_over",
            message: "la hora de la fiesta ya terminó".into(),
            field: None,
        });
    }
    let n = input.children.len() as i64;
    if n == 0 || n > sales::MAX_CHILDREN_PER_LINE as i64 {
        return Err(CoreError::validation(
            "children",
            format!(
                "la lista lleva de 1 a {} niños",
                sales::MAX_CHILDREN_PER_LINE
            ),
        ));
    }
    let area = setup::area(tx.conn, &b.area_id)?;
    if area.kind == AreaKind::Room && area.capacity > 0 && n > area.capacity {
        return Err(CoreError::validation(
            "children",
            format!(
                "«{}» es para {} niños como máximo",
                area.name, area.capacity
            ),
        ));
    }
    let package = match &b.package_id {
        Some(pid) => Some(setup::party_package(tx.conn, pid)?),
        None => None,
    };
    // Extra children pay for those who came beyond what the package includes.
    let (total, _) = price(package.as_ref(), n)?;
    let total = total.max(paid(tx.conn, id)?);
    tx.conn.execute(
        "UPDATE bookings SET state = 'checked_in', checked_in_children = ?2, total_cents = ?3,
             version = version + 1, updated_at = ?4 WHERE id = ?1",
        params![id, n, total, now],
    )?;
    let due = total - paid(tx.conn, id)?;
    let payments = input.payments.clone().unwrap_or_default();
    let items = if due > 0 && !payments.is_empty() {
        vec![sales::SaleItemRequest {
            booking_id: Some(id.to_string()),
            amount_cents: Some(due),
            ..Default::default()
        }]
    } else {
        Vec::new()
    };
    let group = format!("Fiesta de {}", first_name(&b.birthday_child));
    // The family that booked is called when the party ends; the guests are on the party's code.
    let organiser = families::get(tx.conn, &b.family_id, tx.branch_id())?;
    families::record_visit(tx, &b.family_id)?;
    let sale = sales::create_party(
        tx,
        &SaleRequest {
            items,
            payments: if due > 0 { payments } else { Vec::new() },
            guardian: organiser.guardians.first().map(|g| GuardianRef {
                name: g.name.clone(),
                phone: g.phone.clone(),
            }),
            capacity_override: input.capacity_override,
            note: Some(format!("Fiesta de {}", b.birthday_child)),
            ..Default::default()
        },
        authorized_by,
        &PartyCheckIn {
            booking_id: id.to_string(),
            name: format!("{group} · {}", area.name),
            group,
            children: input.children.clone(),
            ends_at: b.ends_at,
            products: package
                .as_ref()
                .map(|p| {
                    p.products
                        .iter()
                        .map(|i| (i.product_id.clone(), i.quantity))
                        .collect()
                })
                .unwrap_or_default(),
        },
    )?;
    tx.conn.execute(
        "UPDATE bookings SET sale_id = ?2 WHERE id = ?1",
        params![id, sale.sale.id],
    )?;
    Ok(CheckInOutcome {
        booking: announce(tx, "booking.checked_in", id)?,
        sale,
    })
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
