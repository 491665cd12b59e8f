//! What an admin sets up before parties can be booked: the areas (exclusive rooms, shared
//! zones), the party packages, and the branch's hours, closed days and booking rules.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::{Calendar, DayHours};
use crate::error::{CoreError, Result};
use crate::tax::IvaRate;
use crate::tx::Tx;
use crate::{branches, clock, ids, products, validate};

/// A party room (one party at a time) or a shared zone (parties side by side up to its
/// capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    Room,
    Zone,
}

impl AreaKind {
    fn as_str(self) -> &'static str {
        match self {
            AreaKind::Room => "room",
            AreaKind::Zone => "zone",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Area {
    pub id: String,
    pub name: String,
    pub kind: AreaKind,
    /// Children it holds (0 = no limit). A zone's capacity is shared by the parties in it.
    pub capacity: i64,
    /// `#rrggbb`, for the calendar's column.
    pub color: String,
    pub position: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct AreaInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<AreaKind>,
    #[serde(default)]
    pub capacity: Option<i64>,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub position: Option<i64>,
    #[serde(default)]
    pub active: Option<bool>,
}

const AREA_COLUMNS: &str = "id, name, kind, capacity, color, position, active";

fn area_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Area> {
    Ok(Area {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: if r.get::<_, String>(2)? == "zone" {
            AreaKind::Zone
        } else {
            AreaKind::Room
        },
        capacity: r.get(3)?,
        color: r.get(4)?,
        position: r.get(5)?,
        active: r.get(6)?,
    })
}

pub fn areas(conn: &Connection, branch_id: &str) -> Result<Vec<Area>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {AREA_COLUMNS} FROM areas WHERE branch_id = ?1 ORDER BY position, name"
    ))?;
    let rows = stmt.query_map([branch_id], area_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn area(conn: &Connection, id: &str) -> Result<Area> {
    conn.query_row(
        &format!("SELECT {AREA_COLUMNS} FROM areas WHERE id = ?1"),
        [id],
        area_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("área", id))
}

/// An active area for a booking, or a 422 naming `field`.
pub fn live_area(conn: &Connection, field: &str, id: &str) -> Result<Area> {
    match area(conn, id) {
        Ok(a) if a.active => Ok(a),
        _ => Err(CoreError::validation(
            field,
            "no existe esa área o no está activa",
        )),
    }
}

fn color(v: &str) -> Result<String> {
    let ok = v.len() == 7 && v.starts_with('#') && v[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !ok {
        return Err(CoreError::validation("color", "un color como #7c3aed"));
    }
    Ok(v.to_ascii_lowercase())
}

fn write_area(tx: &Tx<'_>, a: &Area, created: bool) -> Result<()> {
    let now = tx.now();
    tx.conn.execute(
        "INSERT INTO areas (id, branch_id, name, kind, capacity, color, position, active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (id) DO UPDATE SET name = ?3, kind = ?4, capacity = ?5, color = ?6,
             position = ?7, active = ?8, updated_at = ?9",
        params![
            a.id,
            tx.branch_id(),
            a.name,
            a.kind.as_str(),
            a.capacity,
            a.color,
            a.position,
            a.active,
            now
        ],
    )?;
    let kind = if created {
        "area.created"
    } else {
        "area.updated"
    };
    tx.event(kind, "area", &a.id, a)?;
    Ok(())
}

fn apply_area(conn: &Connection, branch_id: &str, a: &mut Area, input: &AreaInput) -> Result<()> {
    if let Some(n) = &input.name {
        a.name = validate::name("name", n)?;
        let taken: Option<String> = conn
            .query_row(
                "SELECT id FROM areas WHERE branch_id = ?1 AND name = ?2 COLLATE NOCASE AND id <> ?3",
                params![branch_id, a.name, a.id],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(CoreError::Conflict {
                code: "duplicate_name",
                message: format!("ya hay un área «{}»", a.name),
                field: Some("name".into()),
            });
        }
    }
    if let Some(k) = input.kind {
        a.kind = k;
    }
    if let Some(c) = input.capacity {
        a.capacity = validate::non_negative("capacity", c, 1000)?;
    }
    if let Some(c) = &input.color {
        a.color = color(c)?;
    }
    if let Some(p) = input.position {
        a.position = validate::non_negative("position", p, 1000)?;
    }
    if let Some(v) = input.active {
        a.active = v;
    }
    if a.kind == AreaKind::Zone && a.capacity == 0 {
        return Err(CoreError::validation(
            "capacity",
            "una zona compartida necesita su capacidad (niños a la vez)",
        ));
    }
    Ok(())
}

pub fn create_area(tx: &Tx<'_>, input: &AreaInput) -> Result<Area> {
    if input.name.is_none() {
        return Err(CoreError::validation("name", "el área necesita un nombre"));
    }
    let next: i64 = tx.conn.query_row(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM areas WHERE branch_id = ?1",
        [tx.branch_id()],
        |r| r.get(0),
    )?;
    let mut a = Area {
        id: ids::new_id(),
        name: String::new(),
        kind: AreaKind::Room,
        capacity: 0,
        color: "#7c3aed".into(),
        position: next,
        active: true,
    };
    apply_area(tx.conn, tx.branch_id(), &mut a, input)?;
    write_area(tx, &a, true)?;
    Ok(a)
}

pub fn update_area(tx: &Tx<'_>, id: &str, input: &AreaInput) -> Result<Area> {
    let mut a = area(tx.conn, id)?;
    apply_area(tx.conn, tx.branch_id(), &mut a, input)?;
    write_area(tx, &a, false)?;
    Ok(a)
}

/// A product a party includes (the cake, the pizzas), taken from stock once at check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IncludedProduct {
    pub product_id: String,
    pub quantity: i64,
    /// The product's name (read-only).
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PartyPackage {
    pub id: String,
    pub name: String,
    /// The area it is held in by default.
    pub area_id: Option<String>,
    pub duration_minutes: i64,
    /// Children the price covers; each one more pays `extra_child_price_cents`.
    pub children_included: i64,
    pub price_cents: i64,
    pub extra_child_price_cents: i64,
    /// Share of the total paid ahead to confirm the booking.
    pub deposit_percent: i64,
    /// Cleaning time the area needs after the party.
    pub buffer_minutes: i64,
    pub iva_rate: IvaRate,
    pub products: Vec<IncludedProduct>,
    pub active: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct IncludedProductInput {
    pub product_id: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PartyPackageInput {
    #[serde(default)]
    pub name: Option<String>,
    /// An area id, or `""` for none.
    #[serde(default)]
    pub area_id: Option<String>,
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    #[serde(default)]
    pub children_included: Option<i64>,
    #[serde(default)]
    pub price_cents: Option<i64>,
    #[serde(default)]
    pub extra_child_price_cents: Option<i64>,
    #[serde(default)]
    pub deposit_percent: Option<i64>,
    #[serde(default)]
    pub buffer_minutes: Option<i64>,
    #[serde(default)]
    pub iva_rate: Option<IvaRate>,
    #[serde(default)]
    pub products: Option<Vec<IncludedProductInput>>,
    #[serde(default)]
    pub active: Option<bool>,
}

const PACKAGE_COLUMNS: &str =
    "id, name, area_id, duration_minutes, children_included, price_cents, \
     extra_child_price_cents, deposit_percent, buffer_minutes, iva_rate, products, active";

fn package_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PartyPackage> {
    let products: Vec<IncludedProduct> =
        serde_json::from_str(&r.get::<_, String>(10)?).unwrap_or_default();
    Ok(PartyPackage {
        id: r.get(0)?,
        name: r.get(1)?,
        area_id: r.get(2)?,
        duration_minutes: r.get(3)?,
        children_included: r.get(4)?,
        price_cents: r.get(5)?,
        extra_child_price_cents: r.get(6)?,
        deposit_percent: r.get(7)?,
        buffer_minutes: r.get(8)?,
        iva_rate: IvaRate::from_db(&r.get::<_, String>(9)?),
        products,
        active: r.get(11)?,
    })
}

fn with_names(conn: &Connection, mut p: PartyPackage) -> Result<PartyPackage> {
    for it in &mut p.products {
        it.name = products::get(conn, &it.product_id)
            .map(|x| x.name)
            .unwrap_or_default();
    }
    Ok(p)
}

pub fn party_packages(conn: &Connection, branch_id: &str) -> Result<Vec<PartyPackage>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PACKAGE_COLUMNS} FROM party_packages WHERE branch_id = ?1 ORDER BY price_cents, name"
    ))?;
    let rows = stmt
        .query_map([branch_id], package_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(|p| with_names(conn, p)).collect()
}

pub fn party_package(conn: &Connection, id: &str) -> Result<PartyPackage> {
    let p = conn
        .query_row(
            &format!("SELECT {PACKAGE_COLUMNS} FROM party_packages WHERE id = ?1"),
            [id],
            package_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("paquete de fiesta", id))?;
    with_names(conn, p)
}

/// An active party package for a booking, or a 422 naming `field`.
pub fn live_package(conn: &Connection, field: &str, id: &str) -> Result<PartyPackage> {
    match party_package(conn, id) {
        Ok(p) if p.active => Ok(p),
        _ => Err(CoreError::validation(
            field,
            "no existe ese paquete de fiesta o no está activo",
        )),
    }
}

fn apply_package(conn: &Connection, p: &mut PartyPackage, input: &PartyPackageInput) -> Result<()> {
    if let Some(n) = &input.name {
        p.name = validate::name("name", n)?;
    }
    if let Some(a) = &input.area_id {
        p.area_id = if a.is_empty() {
            None
        } else {
            Some(live_area(conn, "area_id", a)?.id)
        };
    }
    if let Some(v) = input.duration_minutes {
        if !(15..=720).contains(&v) {
            return Err(CoreError::validation(
                "duration_minutes",
                "una fiesta dura de 15 minutos a 12 horas",
            ));
        }
        p.duration_minutes = v;
    }
    if let Some(v) = input.children_included {
        p.children_included = validate::non_negative("children_included", v, 500)?;
    }
    if let Some(v) = input.price_cents {
        p.price_cents = validate::amount("price_cents", v)?;
    }
    if let Some(v) = input.extra_child_price_cents {
        p.extra_child_price_cents = validate::amount("extra_child_price_cents", v)?;
    }
    if let Some(v) = input.deposit_percent {
        p.deposit_percent = validate::non_negative("deposit_percent", v, 100)?;
    }
    if let Some(v) = input.buffer_minutes {
        p.buffer_minutes = validate::non_negative("buffer_minutes", v, 240)?;
    }
    if let Some(v) = input.iva_rate {
        p.iva_rate = v;
    }
    if let Some(list) = &input.products {
        if list.len() > 20 {
            return Err(CoreError::validation(
                "products",
                "a lo más 20 productos incluidos",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        p.products = list
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let field = format!("products[{i}]");
                let prod = products::get(conn, &it.product_id).map_err(|_| {
                    CoreError::validation(format!("{field}.product_id"), "no existe ese producto")
                })?;
                if !seen.insert(prod.id.clone()) {
                    return Err(CoreError::validation(
                        format!("{field}.product_id"),
                        "el producto se repite",
                    ));
                }
                Ok(IncludedProduct {
                    product_id: prod.id,
                    quantity: validate::quantity(&format!("{field}.quantity"), it.quantity)?,
                    name: prod.name,
                })
            })
            .collect::<Result<Vec<_>>>()?;
    }
    if let Some(v) = input.active {
        p.active = v;
    }
    Ok(())
}

fn write_package(tx: &Tx<'_>, p: &PartyPackage, created: bool) -> Result<()> {
    let stored: Vec<IncludedProductInput> = p
        .products
        .iter()
        .map(|i| IncludedProductInput {
            product_id: i.product_id.clone(),
            quantity: i.quantity,
        })
        .collect();
    let products = serde_json::to_string(&stored)
        .map_err(|e| CoreError::Corrupt(format!("party package products: {e}")))?;
    tx.conn.execute(
        "INSERT INTO party_packages (id, branch_id, name, area_id, duration_minutes, children_included,
             price_cents, extra_child_price_cents, deposit_percent, buffer_minutes, iva_rate, products,
             active, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)
         ON CONFLICT (id) DO UPDATE SET name = ?3, area_id = ?4, duration_minutes = ?5,
             children_included = ?6, price_cents = ?7, extra_child_price_cents = ?8,
             deposit_percent = ?9, buffer_minutes = ?10, iva_rate = ?11, products = ?12,
             active = ?13, updated_at = ?14",
        params![
            p.id,
            tx.branch_id(),
            p.name,
            p.area_id,
            p.duration_minutes,
            p.children_included,
            p.price_cents,
            p.extra_child_price_cents,
            p.deposit_percent,
            p.buffer_minutes,
            p.iva_rate.as_str(),
            products,
            p.active,
            tx.now()
        ],
    )?;
    let kind = if created {
        "party_package.created"
    } else {
        "party_package.updated"
    };
    tx.event(kind, "party_package", &p.id, p)?;
    Ok(())
}

pub fn create_party_package(tx: &Tx<'_>, input: &PartyPackageInput) -> Result<PartyPackage> {
    for (field, missing) in [
        ("name", input.name.is_none()),
        ("duration_minutes", input.duration_minutes.is_none()),
        ("price_cents", input.price_cents.is_none()),
    ] {
        if missing {
            return Err(CoreError::validation(field, "falta este dato"));
        }
    }
    let mut p = PartyPackage {
        id: ids::new_id(),
        name: String::new(),
        area_id: None,
        duration_minutes: 180,
        children_included: 10,
        price_cents: 0,
        extra_child_price_cents: 0,
        deposit_percent: 30,
        buffer_minutes: 30,
        iva_rate: IvaRate::default(),
        products: Vec::new(),
        active: true,
    };
    apply_package(tx.conn, &mut p, input)?;
    write_package(tx, &p, true)?;
    Ok(p)
}

pub fn update_party_package(
    tx: &Tx<'_>,
    id: &str,
    input: &PartyPackageInput,
) -> Result<PartyPackage> {
    let mut p = party_package(tx.conn, id)?;
    apply_package(tx.conn, &mut p, input)?;
    write_package(tx, &p, false)?;
    Ok(p)
}

/// A day the branch does not open (a holiday), whatever its weekday says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClosedDay {
    /// `YYYY-MM-DD`.
    pub day: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BookingSettings {
    /// Monday first, all seven days.
    pub hours: Vec<DayHours>,
    pub closed_days: Vec<ClosedDay>,
    /// Hours a booking without its deposit holds its slot.
    pub hold_hours: i64,
    /// Cancelled at least this many days before the party, the deposit goes back; later, it is
    /// kept.
    pub refund_days: i64,
    /// The branch's time zone (read-only here): every hour above is local to it.
    pub timezone: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BookingSettingsInput {
    /// Any weekdays to change (the others keep theirs).
    #[serde(default)]
    pub hours: Option<Vec<DayHours>>,
    /// The whole list (replaces the old one).
    #[serde(default)]
    pub closed_days: Option<Vec<ClosedDay>>,
    #[serde(default)]
    pub hold_hours: Option<i64>,
    #[serde(default)]
    pub refund_days: Option<i64>,
}

/// The branch's opening hours, Monday first (each weekday's default until set).
pub fn week(conn: &Connection, branch_id: &str) -> Result<[DayHours; 7]> {
    let mut week: [DayHours; 7] = std::array::from_fn(|i| DayHours::default_for(i as u8 + 1));
    let mut stmt = conn.prepare_cached(
        "SELECT weekday, opens, closes, closed FROM business_hours WHERE branch_id = ?1",
    )?;
    let rows = stmt.query_map([branch_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, bool>(3)?,
        ))
    })?;
    for row in rows {
        let (wd, opens, closes, closed) = row?;
        let (Some(slot), Ok(o), Ok(c)) = (
            week.get_mut((wd - 1).clamp(0, 6) as usize),
            chrono::NaiveTime::parse_from_str(&opens, "%H:%M"),
            chrono::NaiveTime::parse_from_str(&closes, "%H:%M"),
        ) else {
            continue;
        };
        *slot = DayHours {
            weekday: wd as u8,
            opens: o,
            closes: c,
            closed,
        };
    }
    Ok(week)
}

pub fn calendar(conn: &Connection, branch_id: &str) -> Result<Calendar> {
    let tz = branches::timezone(conn, branch_id)?;
    let week = week(conn, branch_id)?;
    let mut closed_days = BTreeMap::new();
    let mut stmt =
        conn.prepare_cached("SELECT day, reason FROM closed_days WHERE branch_id = ?1")?;
    let rows = stmt.query_map([branch_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (day, reason) = row?;
        if let Ok(d) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
            closed_days.insert(d, reason);
        }
    }
    Ok(Calendar {
        tz,
        week,
        closed_days,
    })
}

/// `(hold hours, refund days)`.
pub fn rules(conn: &Connection, branch_id: &str) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT booking_hold_hours, booking_refund_days FROM branches WHERE id = ?1",
        [branch_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

pub fn settings(conn: &Connection, branch_id: &str) -> Result<BookingSettings> {
    let cal = calendar(conn, branch_id)?;
    let (hold_hours, refund_days) = rules(conn, branch_id)?;
    Ok(BookingSettings {
        hours: cal.week.to_vec(),
        closed_days: cal
            .closed_days
            .iter()
            .map(|(d, r)| ClosedDay {
                day: d.to_string(),
                reason: r.clone(),
            })
            .collect(),
        hold_hours,
        refund_days,
        timezone: cal.tz.name().to_string(),
    })
}

pub fn put_settings(tx: &Tx<'_>, input: &BookingSettingsInput) -> Result<BookingSettings> {
    let branch = tx.branch_id();
    if let Some(hours) = &input.hours {
        if hours.len() > 7 {
            return Err(CoreError::validation("hours", "a lo más los 7 días"));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, h) in hours.iter().enumerate() {
            if !(1..=7).contains(&h.weekday) || !seen.insert(h.weekday) {
                return Err(CoreError::validation(
                    format!("hours[{i}].weekday"),
                    "un día de 1 (lunes) a 7 (domingo), una vez cada uno",
                ));
            }
            if !h.closed && h.closes <= h.opens {
                return Err(CoreError::validation(
                    format!("hours[{i}].closes"),
                    "debe cerrar después de abrir",
                ));
            }
            tx.conn.execute(
                "INSERT INTO business_hours (branch_id, weekday, opens, closes, closed)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (branch_id, weekday) DO UPDATE SET opens = ?3, closes = ?4, closed = ?5",
                params![
                    branch,
                    h.weekday,
                    h.opens.format("%H:%M").to_string(),
                    h.closes.format("%H:%M").to_string(),
                    h.closed
                ],
            )?;
        }
    }
    if let Some(days) = &input.closed_days {
        if days.len() > 400 {
            return Err(CoreError::validation(
                "closed_days",
                "a lo más 400 días cerrados",
            ));
        }
        tx.conn
            .execute("DELETE FROM closed_days WHERE branch_id = ?1", [branch])?;
        let mut seen = std::collections::HashSet::new();
        for (i, d) in days.iter().enumerate() {
            let day = clock::parse_day(&format!("closed_days[{i}].day"), &d.day)?;
            if !seen.insert(day) {
                return Err(CoreError::validation(
                    format!("closed_days[{i}].day"),
                    format!("el {day} ya está en la lista"),
                ));
            }
            let reason = validate::text(&format!("closed_days[{i}].reason"), &d.reason)?;
            tx.conn.execute(
                "INSERT INTO closed_days (branch_id, day, reason) VALUES (?1, ?2, ?3)
                 ON CONFLICT (branch_id, day) DO UPDATE SET reason = ?3",
                params![branch, day.to_string(), reason],
            )?;
        }
    }
    if let Some(h) = input.hold_hours {
        if !(1..=720).contains(&h) {
            return Err(CoreError::validation("hold_hours", "de 1 a 720 horas"));
        }
        tx.conn.execute(
            "UPDATE branches SET booking_hold_hours = ?2 WHERE id = ?1",
            params![branch, h],
        )?;
    }
    if let Some(d) = input.refund_days {
        tx.conn.execute(
            "UPDATE branches SET booking_refund_days = ?2 WHERE id = ?1",
            params![branch, validate::non_negative("refund_days", d, 365)?],
        )?;
    }
    let s = settings(tx.conn, branch)?;
    tx.event("booking_settings.updated", "branch", branch, &s)?;
    Ok(s)
}
