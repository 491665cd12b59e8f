//! Branches (sucursales): name, time zone for business days, stock policy, capacity.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::bookings::rules::DayHours;
use crate::clock::{self, now_ms};
use crate::error::{CoreError, Result};
use crate::ids;
use crate::store::{get_meta, set_meta, Store};
use crate::tx::Tx;
use crate::validate;

pub const DEFAULT_TIMEZONE: &str = "America/Mexico_City";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Branch {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub address: String,
    pub allow_negative_stock: bool,
    pub capacity: i64,
    /// Starts every folio of this branch: `A` makes sales `A-000123` and refunds `A-D000007`.
    #[serde(default = "default_prefix")]
    pub folio_prefix: String,
    /// Refunds below this amount need no supervisor's PIN (0: every refund needs one).
    #[serde(default)]
    pub refund_free_below_cents: i64,
    /// A day's cash count further than this from what was expected is counted again once
    /// before it is accepted.
    #[serde(default)]
    pub recount_threshold_cents: i64,
    /// The discount (percent of a ticket) reception may give without a supervisor's PIN.
    #[serde(default)]
    pub discount_limit_reception_percent: i64,
    /// The same for the kid bar.
    #[serde(default)]
    pub discount_limit_kidibar_percent: i64,
    /// What the receipt prints: the business's legal name, RFC, phone and a closing line.
    #[serde(default)]
    pub legal_name: String,
    #[serde(default)]
    pub rfc: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub receipt_footer: String,
    /// Months without a visit after which a family's personal data is erased.
    #[serde(default)]
    pub retention_months: i64,
    /// Whether the wall shows children's full names (otherwise first name and initial).
    #[serde(default)]
    pub monitor_full_names: bool,
    /// Minutes before the end when the guardian is called ("quedan 5 minutos"; 0 = never).
    #[serde(default)]
    pub warning_minutes: i64,
    /// The totem's header logo (an uploaded image's hash; empty: the app's own mark).
    #[serde(default)]
    pub logo_image: String,
    /// The store's WhatsApp number (ten digits), offered on the totem as a QR code.
    #[serde(default)]
    pub whatsapp: String,
    /// The totem's call to action under the QR code ("¡Reserva tu fiesta!").
    #[serde(default)]
    pub totem_message: String,
    /// One promotion slide on the totem (shown when it has a title).
    #[serde(default)]
    pub promo_title: String,
    #[serde(default)]
    pub promo_text: String,
    #[serde(default)]
    pub promo_image: String,
    /// Whether the totem shows the opening hours.
    #[serde(default = "yes")]
    pub totem_show_hours: bool,
    /// The week's opening hours, Monday first (set with the booking settings); read-only here.
    #[serde(default)]
    pub opening_hours: Vec<DayHours>,
    pub created_at: String,
    pub updated_at: String,
}

/// Fields to create a branch, or to change some of them (absent = unchanged).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BranchInput {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub address: Option<String>,
    pub allow_negative_stock: Option<bool>,
    pub capacity: Option<i64>,
    pub folio_prefix: Option<String>,
    pub refund_free_below_cents: Option<i64>,
    pub recount_threshold_cents: Option<i64>,
    pub discount_limit_reception_percent: Option<i64>,
    pub discount_limit_kidibar_percent: Option<i64>,
    pub legal_name: Option<String>,
    pub rfc: Option<String>,
    pub phone: Option<String>,
    pub receipt_footer: Option<String>,
    pub retention_months: Option<i64>,
    pub monitor_full_names: Option<bool>,
    pub warning_minutes: Option<i64>,
    pub logo_image: Option<String>,
    pub whatsapp: Option<String>,
    pub totem_message: Option<String>,
    pub promo_title: Option<String>,
    pub promo_text: Option<String>,
    pub promo_image: Option<String>,
    pub totem_show_hours: Option<bool>,
}

fn default_prefix() -> String {
    "A".into()
}

fn yes() -> bool {
    true
}

const COLUMNS: &str = "id, name, timezone, address, allow_negative_stock, capacity, created_at, \
     updated_at, folio_prefix, refund_free_below_cents, recount_threshold_cents, \
     discount_limit_reception_percent, discount_limit_kidibar_percent, legal_name, rfc, phone, \
     receipt_footer, retention_months, monitor_full_names, warning_minutes, logo_image, whatsapp, \
     totem_message, promo_title, promo_text, promo_image, totem_show_hours";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Branch> {
    Ok(Branch {
        id: r.get(0)?,
        name: r.get(1)?,
        timezone: r.get(2)?,
        address: r.get(3)?,
        allow_negative_stock: r.get(4)?,
        capacity: r.get(5)?,
        created_at: clock::to_rfc3339(r.get(6)?),
        updated_at: clock::to_rfc3339(r.get(7)?),
        folio_prefix: r.get(8)?,
        refund_free_below_cents: r.get(9)?,
        recount_threshold_cents: r.get(10)?,
        discount_limit_reception_percent: r.get(11)?,
        discount_limit_kidibar_percent: r.get(12)?,
        legal_name: r.get(13)?,
        rfc: r.get(14)?,
        phone: r.get(15)?,
        receipt_footer: r.get(16)?,
        retention_months: r.get(17)?,
        monitor_full_names: r.get(18)?,
        warning_minutes: r.get(19)?,
        logo_image: r.get(20)?,
        whatsapp: r.get(21)?,
        totem_message: r.get(22)?,
        promo_title: r.get(23)?,
        promo_text: r.get(24)?,
        promo_image: r.get(25)?,
        totem_show_hours: r.get(26)?,
        opening_hours: Vec::new(),
    })
}

/// The branch this store runs; created on first start so a fresh install works at once.
pub(crate) fn ensure_home_branch(conn: &Connection) -> Result<String> {
    if let Some(id) = get_meta(conn, "branch_id")? {
        return Ok(id);
    }
    let id = ids::new_id();
    let now = now_ms();
    conn.execute(
        "INSERT INTO branches (id, name, timezone, address, allow_negative_stock, capacity, created_at, updated_at)
         VALUES (?1, 'Sucursal principal', ?2, '', 0, 0, ?3, ?3)",
        params![id, DEFAULT_TIMEZONE, now],
    )?;
    set_meta(conn, "branch_id", &id)?;
    Ok(id)
}

pub fn get(conn: &Connection, id: &str) -> Result<Branch> {
    let mut branch = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM branches WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("sucursal", id))?;
    branch.opening_hours = crate::bookings::setup::week(conn, id)?.to_vec();
    Ok(branch)
}

pub fn list(conn: &Connection) -> Result<Vec<Branch>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM branches ORDER BY name"))?;
    let rows = stmt.query_map([], from_row)?;
    let mut branches = rows.collect::<Result<Vec<_>, _>>()?;
    for b in &mut branches {
        b.opening_hours = crate::bookings::setup::week(conn, &b.id)?.to_vec();
    }
    Ok(branches)
}

/// The time zone business days are counted in for a branch.
pub fn timezone(conn: &Connection, id: &str) -> Result<chrono_tz::Tz> {
    let name: String = conn
        .query_row("SELECT timezone FROM branches WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| CoreError::not_found("sucursal", id))?;
    clock::parse_tz("timezone", &name)
}

fn check(input: &BranchInput) -> Result<()> {
    if let Some(n) = &input.name {
        validate::name("name", n)?;
    }
    if let Some(tz) = &input.timezone {
        clock::parse_tz("timezone", tz)?;
    }
    if let Some(a) = &input.address {
        validate::text("address", a)?;
    }
    if let Some(c) = input.capacity {
        validate::non_negative("capacity", c, 100_000)?;
    }
    if let Some(p) = &input.folio_prefix {
        let ok = (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_uppercase());
        if !ok {
            return Err(CoreError::validation(
                "folio_prefix",
                "el prefijo de folio lleva de 1 a 3 letras mayúsculas (A–Z)",
            ));
        }
    }
    if let Some(c) = input.refund_free_below_cents {
        validate::non_negative("refund_free_below_cents", c, 100_000_000)?;
    }
    if let Some(c) = input.recount_threshold_cents {
        validate::non_negative("recount_threshold_cents", c, 100_000_000)?;
    }
    if let Some(p) = input.discount_limit_reception_percent {
        validate::non_negative("discount_limit_reception_percent", p, 100)?;
    }
    if let Some(p) = input.discount_limit_kidibar_percent {
        validate::non_negative("discount_limit_kidibar_percent", p, 100)?;
    }
    if let Some(n) = &input.legal_name {
        validate::short("legal_name", n)?;
    }
    if let Some(r) = &input.rfc {
        check_rfc(r)?;
    }
    if let Some(p) = &input.phone {
        validate::short("phone", p)?;
    }
    if let Some(m) = input.retention_months {
        if !(1..=120).contains(&m) {
            return Err(CoreError::validation(
                "retention_months",
                "el periodo de conservación va de 1 a 120 meses",
            ));
        }
    }
    if let Some(m) = input.warning_minutes {
        validate::non_negative("warning_minutes", m, 60)?;
    }
    if let Some(w) = input.whatsapp.as_deref().filter(|w| !w.trim().is_empty()) {
        crate::families::phone("whatsapp", w)?;
    }
    for (field, value, most) in [
        ("totem_message", &input.totem_message, 80),
        ("promo_title", &input.promo_title, 60),
        ("promo_text", &input.promo_text, 240),
    ] {
        if let Some(v) = value {
            validate::text(field, v)?;
            if v.trim().chars().count() > most {
                return Err(CoreError::validation(
                    field,
                    format!("lleva a lo más {most} caracteres"),
                ));
            }
        }
    }
    for (field, value) in [
        ("logo_image", &input.logo_image),
        ("promo_image", &input.promo_image),
    ] {
        if let Some(v) = value {
            crate::menus::picture(field, v)?;
        }
    }
    if let Some(f) = &input.receipt_footer {
        validate::text("receipt_footer", f)?;
        if f.chars().count() > 300 {
            return Err(CoreError::validation(
                "receipt_footer",
                "el pie del ticket lleva a lo más 300 caracteres",
            ));
        }
    }
    Ok(())
}

/// An RFC as the SAT writes it: 3 (a company) or 4 (a person) letters (`&` and `Ñ` included), a
/// date `YYMMDD` and a 3-character homoclave; empty means not set.
fn check_rfc(rfc: &str) -> Result<()> {
    let r = rfc.trim().to_uppercase();
    if r.is_empty() {
        return Ok(());
    }
    let chars: Vec<char> = r.chars().collect();
    let letters = match chars.len() {
        12 => 3,
        13 => 4,
        _ => 0,
    };
    let ok = letters > 0
        && chars[..letters]
            .iter()
            .all(|c| c.is_ascii_uppercase() || *c == '&' || *c == 'Ñ')
        && chars[letters..letters + 6].iter().all(char::is_ascii_digit)
        && chars[letters + 6..].iter().all(char::is_ascii_alphanumeric);
    if !ok {
        return Err(CoreError::validation(
            "rfc",
            "RFC inválido: 3 o 4 letras, la fecha AAMMDD y la homoclave (p. ej. KID201231AB1)",
        ));
    }
    Ok(())
}

/// Writes the till, discount and receipt settings `input` names (the rest stay as `before`).
fn save_settings(
    tx: &Tx<'_>,
    id: &str,
    input: &BranchInput,
    before: Option<&Branch>,
) -> Result<()> {
    let text = |v: &Option<String>, old: Option<&str>| -> String {
        v.as_deref()
            .map(|s| s.trim().to_string())
            .or(old.map(str::to_string))
            .unwrap_or_default()
    };
    tx.conn.execute(
        "UPDATE branches SET folio_prefix = ?2, refund_free_below_cents = ?3, recount_threshold_cents = ?4,
                discount_limit_reception_percent = ?5, discount_limit_kidibar_percent = ?6,
                legal_name = ?7, rfc = ?8, phone = ?9, receipt_footer = ?10,
                retention_months = ?11, monitor_full_names = ?12, warning_minutes = ?13
         WHERE id = ?1",
        params![
            id,
            input
                .folio_prefix
                .as_deref()
                .or(before.map(|b| b.folio_prefix.as_str()))
                .unwrap_or("A"),
            input
                .refund_free_below_cents
                .or(before.map(|b| b.refund_free_below_cents))
                .unwrap_or(0),
            input
                .recount_threshold_cents
                .or(before.map(|b| b.recount_threshold_cents))
                .unwrap_or(5_000),
            input
                .discount_limit_reception_percent
                .or(before.map(|b| b.discount_limit_reception_percent))
                .unwrap_or(10),
            input
                .discount_limit_kidibar_percent
                .or(before.map(|b| b.discount_limit_kidibar_percent))
                .unwrap_or(0),
            text(&input.legal_name, before.map(|b| b.legal_name.as_str())),
            text(&input.rfc, before.map(|b| b.rfc.as_str())).to_uppercase(),
            text(&input.phone, before.map(|b| b.phone.as_str())),
            text(&input.receipt_footer, before.map(|b| b.receipt_footer.as_str())),
            input
                .retention_months
                .or(before.map(|b| b.retention_months))
                .unwrap_or(24),
            input
                .monitor_full_names
                .or(before.map(|b| b.monitor_full_names))
                .unwrap_or(false),
            input
                .warning_minutes
                .or(before.map(|b| b.warning_minutes))
                .unwrap_or(5),
        ],
    )?;
    let whatsapp = match input.whatsapp.as_deref().map(str::trim) {
        Some("") => String::new(),
        Some(w) => crate::families::phone("whatsapp", w)?,
        None => before.map(|b| b.whatsapp.clone()).unwrap_or_default(),
    };
    tx.conn.execute(
        "UPDATE branches SET logo_image = ?2, whatsapp = ?3, totem_message = ?4, promo_title = ?5,
                promo_text = ?6, promo_image = ?7, totem_show_hours = ?8
         WHERE id = ?1",
        params![
            id,
            text(&input.logo_image, before.map(|b| b.logo_image.as_str())),
            whatsapp,
            text(
                &input.totem_message,
                before.map(|b| b.totem_message.as_str())
            ),
            text(&input.promo_title, before.map(|b| b.promo_title.as_str())),
            text(&input.promo_text, before.map(|b| b.promo_text.as_str())),
            text(&input.promo_image, before.map(|b| b.promo_image.as_str())),
            input
                .totem_show_hours
                .or(before.map(|b| b.totem_show_hours))
                .unwrap_or(true),
        ],
    )?;
    // The wall's names of the children inside follow the setting at once.
    if before.is_some_and(|b| Some(b.monitor_full_names) != input.monitor_full_names)
        && input.monitor_full_names.is_some()
    {
        let full = input.monitor_full_names.unwrap_or(false);
        let mut stmt = tx.conn.prepare_cached(
            "SELECT id, child_name FROM timers WHERE state IN ('scheduled', 'running', 'paused', 'expired')",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        for (id, name) in rows {
            tx.conn.execute(
                "UPDATE timers SET public_name = ?2 WHERE id = ?1",
                params![id, crate::timers::public_name(&name, full)],
            )?;
        }
    }
    Ok(())
}

pub fn create(tx: &Tx<'_>, input: &BranchInput) -> Result<Branch> {
    check(input)?;
    let name = validate::name("name", input.name.as_deref().unwrap_or(""))?;
    let id = ids::new_id();
    tx.conn.execute(
        "INSERT INTO branches (id, name, timezone, address, allow_negative_stock, capacity, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            id,
            name,
            input.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE),
            input.address.as_deref().unwrap_or("").trim(),
            input.allow_negative_stock.unwrap_or(false),
            input.capacity.unwrap_or(0),
            tx.now()
        ],
    )?;
    save_settings(tx, &id, input, None)?;
    let branch = get(tx.conn, &id)?;
    tx.event("branch.created", "branch", &id, &branch)?;
    Ok(branch)
}

pub fn update(tx: &Tx<'_>, id: &str, input: &BranchInput) -> Result<Branch> {
    check(input)?;
    let before = get(tx.conn, id)?;
    tx.conn.execute(
        "UPDATE branches SET name = ?2, timezone = ?3, address = ?4, allow_negative_stock = ?5, capacity = ?6, updated_at = ?7
         WHERE id = ?1",
        params![
            id,
            input.name.as_deref().map(str::trim).unwrap_or(&before.name),
            input.timezone.as_deref().unwrap_or(&before.timezone),
            input.address.as_deref().map(str::trim).unwrap_or(&before.address),
            input.allow_negative_stock.unwrap_or(before.allow_negative_stock),
            input.capacity.unwrap_or(before.capacity),
            tx.now()
        ],
    )?;
    save_settings(tx, id, input, Some(&before))?;
    let after = get(tx.conn, id)?;
    tx.event("branch.updated", "branch", id, &after)?;
    Ok(after)
}

impl Store {
    pub fn home_branch(&self) -> Result<Branch> {
        self.read(|c| get(c, self.branch_id()))
    }
}
