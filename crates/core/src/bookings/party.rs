//! A booking's money and its day: payments toward it as sale lines (a deposit confirms it),
//! cancellation with the branch's refund rule through the till's refunds, and the party's
//! check-in with a timer per child.

use rusqlite::params;

use super::book::{check_collisions, price};
use super::rules::{BookingState, MINUTE_MS};
use super::setup::{self, AreaKind};
use super::{
    announce, first_name, folio, load, paid, state_name, CancelInput, CancelOutcome, CheckInInput,
    CheckInOutcome,
};
use crate::error::{CoreError, Result};
use crate::money;
use crate::refunds::{self, RefundItemRequest, RefundRequest};
use crate::roles::Permission;
use crate::sales::{self, GuardianRef, PartyCheckIn, SaleRequest};
use crate::tx::Tx;
use crate::{branches, clock, families, validate};

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
        let tz = branches::timezone(tx.conn, tx.branch_id())?;
        check_collisions(tx, Some(&b.id), &area, b.span(), b.expected_children, tz).map_err(
            |e| match e {
                CoreError::Conflict { code, message, .. } => CoreError::Conflict {
                    code,
                    message: format!(
                        "el apartado venció y otra fiesta tomó el horario (mueve la reserva antes de cobrar): {message}"
                    ),
                    field: Some("booking_id".into()),
                },
                other => other,
            },
        )?;
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
