//! Making and changing a booking: the checks a slot must pass (the future, the branch's hours,
//! the room's size, no other party or its cleaning in the way, a zone's load), the price and
//! deposit, and the family it is for.

use rusqlite::params;

use super::rules::{self, BookingState, Span, MINUTE_MS};
use super::setup::{self, Area, AreaKind, PartyPackage};
use super::{
    announce, folio, load, paid, row, state_name, Booking, BookingInput, BookingPatch, Row,
    MAX_AHEAD_MS, MAX_CHILDREN, MAX_LENGTH_MS, ROW_COLUMNS,
};
use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::money;
use crate::roles::Permission;
use crate::tx::Tx;
use crate::{branches, families, ids, validate};

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
pub(super) fn price(package: Option<&PartyPackage>, children: i64) -> Result<(i64, i64)> {
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

pub(super) fn local_hm(tz: chrono_tz::Tz, ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// Whether `area` can take a party of `children` over `span` without a collision, within the
/// branch's hours, in the future. `exclude` is the booking being moved.
pub(super) fn check_slot(
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
    check_collisions(tx, exclude, area, span, children, cal.tz)
}

/// Whether another party holding `area` is in the way of `span` (in a room: any one, its
/// cleaning included; in a zone: more children at once than it holds). `exclude` is the booking
/// itself; `tz` writes the other party's hours in the message.
pub(super) fn check_collisions(
    tx: &Tx<'_>,
    exclude: Option<&str>,
    area: &Area,
    span: Span,
    children: i64,
    tz: chrono_tz::Tz,
) -> Result<()> {
    let now = tx.now();
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
                        local_hm(tz, o.starts_at),
                        local_hm(tz, o.ends_at),
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
