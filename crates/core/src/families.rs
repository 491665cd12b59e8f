//! Families: the guardians who bring children, the children themselves (with the notes the desk
//! must see, such as allergies), and the other adults who may collect them. A returning family is
//! found by phone or name as the clerk types. Families are shared with the organisation's other
//! branches through the catalogue feed (whole records, last writer wins).
//!
//! Personal data lives here and on the sales and timers made from it; [`erase`] removes it from
//! all of them (and from the event log), keeping the money: old sales then name only "Niño/a".

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::{self, Millis};
use crate::error::{CoreError, Result};
use crate::tx::Tx;
use crate::{ids, validate};

pub const MAX_GUARDIANS: usize = 4;
pub const MAX_CHILDREN: usize = 12;
pub const MAX_PICKUP_ADULTS: usize = 8;
pub const MAX_SEARCH_RESULTS: i64 = 20;
/// What old records call a child once its family's data is erased.
pub const ERASED_CHILD: &str = "Niño/a";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Guardian {
    pub name: String,
    /// Ten digits (a Mexican number: `3312345678`); `+52`, spaces and dashes are accepted on
    /// input and removed.
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// Someone else the guardians allow to collect their children (a grandparent, a nanny).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PickupAdult {
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// "Abuela", "Niñera"…
    #[serde(default)]
    pub relation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FamilyChild {
    pub id: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Allergies, medical notes: shown at check-in, printed on the ticket and wristband.
    pub notes: String,
    /// False once removed from the family (old tickets still point at it).
    pub active: bool,
}

/// Where the family stands with this branch's consent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConsentStatus {
    /// The branch's current version (null: the branch has published none).
    pub current_version: Option<i64>,
    /// The latest version the family accepted here.
    pub accepted_version: Option<i64>,
    pub accepted_at: Option<String>,
    pub signer_name: Option<String>,
    /// Whether the accepted version is the current one (true when there is nothing to accept).
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Family {
    pub id: String,
    /// Where it was first registered.
    pub branch_id: String,
    pub guardians: Vec<Guardian>,
    pub children: Vec<FamilyChild>,
    pub pickup_adults: Vec<PickupAdult>,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
    pub last_visit_at: Option<String>,
    /// Check-in tickets at this branch.
    #[serde(default)]
    pub visits: i64,
    #[serde(default)]
    pub consent: ConsentStatus,
    /// Set once the family's personal data was erased (retention or a request).
    #[serde(default)]
    pub erased_at: Option<String>,
}

impl Family {
    /// Everyone who may collect the children: the guardians, then the other adults.
    pub fn authorised_adults(&self) -> Vec<String> {
        self.guardians
            .iter()
            .map(|g| g.name.clone())
            .chain(self.pickup_adults.iter().map(|a| a.name.clone()))
            .collect()
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChildInput {
    /// An existing child of this family (absent: a new child).
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A new family, or the parts of one to change (absent = unchanged). `children` is the whole
/// list: children left out are kept on old tickets but no longer offered at check-in.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FamilyInput {
    #[serde(default)]
    pub guardians: Option<Vec<Guardian>>,
    #[serde(default)]
    pub children: Option<Vec<ChildInput>>,
    #[serde(default)]
    pub pickup_adults: Option<Vec<PickupAdult>>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Lower case without accents, so "Sofía" is found by "sofia" and "SOFIA".
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

/// A Mexican phone number as its ten digits: `+52 (33) 1234-5678`, `52 1 33 1234 5678` and
/// `33 1234 5678` are all `3312345678`.
pub fn phone(field: &str, raw: &str) -> Result<String> {
    let raw = raw.trim();
    let bad = || {
        CoreError::validation(
            field,
            "teléfono inválido: 10 dígitos (p. ej. 33 1234 5678), con o sin +52",
        )
    };
    if raw.len() > 25
        || !raw
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return Err(bad());
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        10 => digits.as_str(),
        12 if digits.starts_with("52") => &digits[2..],
        13 if digits.starts_with("521") => &digits[3..],
        _ => return Err(bad()),
    };
    if national.starts_with('0') || national.starts_with('1') {
        return Err(bad());
    }
    Ok(national.to_string())
}

/// `wa.me` link to a guardian's phone with a message ready to send.
pub fn whatsapp_link(national_phone: &str, message: &str) -> String {
    let mut text = String::new();
    for b in message.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                text.push(b as char)
            }
            _ => text.push_str(&format!("%{b:02X}")),
        }
    }
    format!("https://wa.me/52{national_phone}?text={text}")
}

fn email(field: &str, raw: &str) -> Result<String> {
    let e = validate::short(field, raw)?;
    if e.is_empty() {
        return Ok(e);
    }
    let ok = e.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !e.contains(' ');
    if !ok {
        return Err(CoreError::validation(field, "correo inválido"));
    }
    Ok(e.to_lowercase())
}

fn birth_date(field: &str, raw: Option<&str>, today: NaiveDate) -> Result<Option<String>> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let d = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| CoreError::validation(field, "fecha inválida (AAAA-MM-DD)"))?;
    let oldest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(today);
    if d > today || d < oldest {
        return Err(CoreError::validation(
            field,
            "la fecha de nacimiento no puede ser futura",
        ));
    }
    Ok(Some(d.to_string()))
}

fn list_len<T>(field: &str, v: &[T], max: usize) -> Result<()> {
    if v.len() > max {
        return Err(CoreError::validation(
            field,
            format!("a lo más {max} registros"),
        ));
    }
    Ok(())
}

fn clean_guardians(v: &[Guardian]) -> Result<Vec<Guardian>> {
    list_len("guardians", v, MAX_GUARDIANS)?;
    if v.is_empty() {
        return Err(CoreError::validation(
            "guardians",
            "una familia lleva al menos un tutor con nombre y teléfono",
        ));
    }
    v.iter()
        .enumerate()
        .map(|(i, g)| {
            Ok(Guardian {
                name: validate::name(&format!("guardians[{i}].name"), &g.name)?,
                phone: phone(&format!("guardians[{i}].phone"), &g.phone)?,
                email: email(&format!("guardians[{i}].email"), &g.email)?,
            })
        })
        .collect()
}

fn clean_adults(v: &[PickupAdult]) -> Result<Vec<PickupAdult>> {
    list_len("pickup_adults", v, MAX_PICKUP_ADULTS)?;
    v.iter()
        .enumerate()
        .map(|(i, a)| {
            let field = format!("pickup_adults[{i}].phone");
            Ok(PickupAdult {
                name: validate::name(&format!("pickup_adults[{i}].name"), &a.name)?,
                phone: if a.phone.trim().is_empty() {
                    String::new()
                } else {
                    phone(&field, &a.phone)?
                },
                relation: validate::short(&format!("pickup_adults[{i}].relation"), &a.relation)?,
            })
        })
        .collect()
}

fn search_text(guardians: &[Guardian], children: &[FamilyChild], adults: &[PickupAdult]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for g in guardians {
        parts.push(fold(&g.name));
        parts.push(g.phone.clone());
        parts.push(fold(&g.email));
    }
    for c in children.iter().filter(|c| c.active) {
        parts.push(fold(&c.name));
    }
    for a in adults {
        parts.push(fold(&a.name));
        parts.push(a.phone.clone());
    }
    parts.retain(|p| !p.is_empty());
    format!(" {} ", parts.join(" | "))
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| CoreError::Corrupt(e.to_string()))
}

const COLUMNS: &str = "id, branch_id, guardians, pickup_adults, notes, created_at, updated_at, \
                       last_visit_at, erased_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Family> {
    let guardians: String = r.get(2)?;
    let adults: String = r.get(3)?;
    Ok(Family {
        id: r.get(0)?,
        branch_id: r.get(1)?,
        guardians: serde_json::from_str(&guardians).unwrap_or_default(),
        children: Vec::new(),
        pickup_adults: serde_json::from_str(&adults).unwrap_or_default(),
        notes: r.get(4)?,
        created_at: clock::to_rfc3339(r.get(5)?),
        updated_at: clock::to_rfc3339(r.get(6)?),
        last_visit_at: r.get::<_, Option<Millis>>(7)?.map(clock::to_rfc3339),
        visits: 0,
        consent: ConsentStatus::default(),
        erased_at: r.get::<_, Option<Millis>>(8)?.map(clock::to_rfc3339),
    })
}

fn children_of(conn: &Connection, family_id: &str) -> Result<Vec<FamilyChild>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, birth_date, notes, active FROM family_children
         WHERE family_id = ?1 ORDER BY position, id",
    )?;
    let rows = stmt.query_map([family_id], |r| {
        Ok(FamilyChild {
            id: r.get(0)?,
            name: r.get(1)?,
            birth_date: r.get(2)?,
            notes: r.get(3)?,
            active: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The family with its children, visits and consent at `branch_id`.
pub fn get(conn: &Connection, id: &str, branch_id: &str) -> Result<Family> {
    let mut f = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM families WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("familia", id))?;
    complete(conn, &mut f, branch_id)?;
    Ok(f)
}

fn complete(conn: &Connection, f: &mut Family, branch_id: &str) -> Result<()> {
    f.children = children_of(conn, &f.id)?;
    f.visits = conn.query_row(
        "SELECT COUNT(*) FROM sales WHERE family_id = ?1",
        [&f.id],
        |r| r.get(0),
    )?;
    f.consent = consent_status(conn, &f.id, branch_id)?;
    Ok(())
}

/// A family that exists and whose data was not erased, for a sale or a consent.
pub fn live(conn: &Connection, field: &str, id: &str, branch_id: &str) -> Result<Family> {
    let f = get(conn, id, branch_id)
        .map_err(|_| CoreError::validation(field, "no existe esa familia"))?;
    if f.erased_at.is_some() {
        return Err(CoreError::validation(
            field,
            "los datos de esa familia se borraron",
        ));
    }
    Ok(f)
}

/// Families whose guardians' phones, or whose guardians', children's or adults' names, contain
/// what was typed (accents and case ignored); the most recent visitors first.
pub fn search(conn: &Connection, q: &str, branch_id: &str) -> Result<Vec<Family>> {
    let q = q.trim();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone_like = !digits.is_empty()
        && q.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let mut terms: Vec<String> = if phone_like {
        // Typed with the country code: look for the national number.
        let d = match digits.len() {
            12 if digits.starts_with("52") => digits[2..].to_string(),
            13 if digits.starts_with("521") => digits[3..].to_string(),
            _ => digits,
        };
        vec![d]
    } else {
        fold(q)
            .split_whitespace()
            .take(6)
            .map(str::to_string)
            .collect()
    };
    terms.retain(|t| !t.is_empty());
    if terms.is_empty() || (phone_like && terms[0].len() < 3) {
        return Ok(Vec::new());
    }
    let mut sql = format!("SELECT {COLUMNS} FROM families WHERE erased_at IS NULL");
    let mut values: Vec<String> = Vec::new();
    for t in &terms {
        let escaped = t
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        values.push(format!("%{escaped}%"));
        sql.push_str(&format!(
            " AND search_text LIKE ?{} ESCAPE '\\'",
            values.len()
        ));
    }
    sql.push_str(&format!(
        " ORDER BY COALESCE(last_visit_at, created_at) DESC, id LIMIT {MAX_SEARCH_RESULTS}"
    ));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values.iter()), from_row)?;
    let mut out = rows.collect::<Result<Vec<_>, _>>()?;
    for f in &mut out {
        complete(conn, f, branch_id)?;
    }
    Ok(out)
}

/// The most recent families (the list shown before anything is typed).
pub fn recent(conn: &Connection, branch_id: &str, limit: i64) -> Result<Vec<Family>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM families WHERE erased_at IS NULL
         ORDER BY COALESCE(last_visit_at, created_at) DESC, id LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit.clamp(1, 200)], from_row)?;
    let mut out = rows.collect::<Result<Vec<_>, _>>()?;
    for f in &mut out {
        complete(conn, f, branch_id)?;
    }
    Ok(out)
}

fn clean_children(
    conn: &Connection,
    family_id: Option<&str>,
    v: &[ChildInput],
    today: NaiveDate,
) -> Result<Vec<FamilyChild>> {
    list_len("children", v, MAX_CHILDREN)?;
    let existing = match family_id {
        Some(id) => children_of(conn, id)?,
        None => Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    v.iter()
        .enumerate()
        .map(|(i, c)| {
            let id = match &c.id {
                Some(id) => {
                    if !existing.iter().any(|e| &e.id == id) || !seen.insert(id.clone()) {
                        return Err(CoreError::validation(
                            format!("children[{i}].id"),
                            "ese niño o niña no es de esta familia",
                        ));
                    }
                    id.clone()
                }
                None => ids::new_id(),
            };
            let notes = validate::text(
                &format!("children[{i}].notes"),
                c.notes.as_deref().unwrap_or(""),
            )?;
            if notes.chars().count() > 300 {
                return Err(CoreError::validation(
                    format!("children[{i}].notes"),
                    "las notas llevan a lo más 300 caracteres",
                ));
            }
            Ok(FamilyChild {
                id,
                name: validate::name(&format!("children[{i}].name"), &c.name)?,
                birth_date: birth_date(
                    &format!("children[{i}].birth_date"),
                    c.birth_date.as_deref(),
                    today,
                )?,
                notes,
                active: true,
            })
        })
        .collect()
}

fn today(tx: &Tx<'_>) -> Result<NaiveDate> {
    let tz = crate::branches::timezone(tx.conn, tx.branch_id())?;
    Ok(clock::local_day(tx.now(), tz))
}

/// Writes a family's current state (its row and children) from a whole record.
fn write(conn: &Connection, f: &Family, created_at: Millis, updated_at: Millis) -> Result<()> {
    conn.execute(
        "INSERT INTO families (id, branch_id, guardians, pickup_adults, notes, search_text, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET guardians = ?3, pickup_adults = ?4, notes = ?5,
             search_text = ?6, updated_at = ?8",
        params![
            f.id,
            f.branch_id,
            json(&f.guardians)?,
            json(&f.pickup_adults)?,
            f.notes,
            search_text(&f.guardians, &f.children, &f.pickup_adults),
            created_at,
            updated_at
        ],
    )?;
    conn.execute(
        "UPDATE family_children SET active = 0 WHERE family_id = ?1",
        [&f.id],
    )?;
    for (pos, c) in f.children.iter().enumerate() {
        conn.execute(
            "INSERT INTO family_children (id, family_id, position, name, birth_date, notes, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET position = ?3, name = ?4, birth_date = ?5, notes = ?6,
                 active = ?7
             WHERE family_children.family_id = ?2",
            params![
                c.id,
                f.id,
                pos as i64,
                c.name,
                c.birth_date,
                c.notes,
                c.active
            ],
        )?;
    }
    Ok(())
}

pub fn create(tx: &Tx<'_>, input: &FamilyInput) -> Result<Family> {
    let guardians = clean_guardians(input.guardians.as_deref().unwrap_or(&[]))?;
    let children = clean_children(
        tx.conn,
        None,
        input.children.as_deref().unwrap_or(&[]),
        today(tx)?,
    )?;
    let pickup_adults = clean_adults(input.pickup_adults.as_deref().unwrap_or(&[]))?;
    let notes = validate::text("notes", input.notes.as_deref().unwrap_or(""))?;
    let now = tx.now();
    let f = Family {
        id: ids::new_id(),
        branch_id: tx.branch_id().to_string(),
        guardians,
        children,
        pickup_adults,
        notes,
        created_at: clock::to_rfc3339(now),
        updated_at: clock::to_rfc3339(now),
        last_visit_at: None,
        visits: 0,
        consent: ConsentStatus::default(),
        erased_at: None,
    };
    write(tx.conn, &f, now, now)?;
    let f = get(tx.conn, &f.id, tx.branch_id())?;
    tx.event("family.created", "family", &f.id, &synced(&f))?;
    Ok(f)
}

pub fn update(tx: &Tx<'_>, id: &str, input: &FamilyInput) -> Result<Family> {
    let before = get(tx.conn, id, tx.branch_id())?;
    if before.erased_at.is_some() {
        return Err(CoreError::conflict(
            "family_erased",
            "los datos de esa familia se borraron",
        ));
    }
    let mut f = before.clone();
    if let Some(g) = &input.guardians {
        f.guardians = clean_guardians(g)?;
    }
    if let Some(c) = &input.children {
        f.children = clean_children(tx.conn, Some(id), c, today(tx)?)?;
    } else {
        f.children.retain(|c| c.active);
    }
    if let Some(a) = &input.pickup_adults {
        f.pickup_adults = clean_adults(a)?;
    }
    if let Some(n) = &input.notes {
        f.notes = validate::text("notes", n)?;
    }
    let created = clock::parse_rfc3339("created_at", &before.created_at)?;
    write(tx.conn, &f, created, tx.now())?;
    let f = get(tx.conn, id, tx.branch_id())?;
    tx.event("family.updated", "family", id, &synced(&f))?;
    Ok(f)
}

/// The record other branches receive: who the family is, not this branch's visits or consent.
#[derive(Serialize, Deserialize)]
pub(crate) struct SyncedFamily {
    pub branch_id: String,
    pub guardians: Vec<Guardian>,
    pub children: Vec<FamilyChild>,
    pub pickup_adults: Vec<PickupAdult>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub created_at: Option<String>,
    /// The latest visit at any branch: the retention period counts from it everywhere.
    #[serde(default)]
    pub last_visit_at: Option<String>,
    #[serde(default)]
    pub erased: bool,
}

fn synced(f: &Family) -> SyncedFamily {
    SyncedFamily {
        branch_id: f.branch_id.clone(),
        guardians: f.guardians.clone(),
        children: f.children.iter().filter(|c| c.active).cloned().collect(),
        pickup_adults: f.pickup_adults.clone(),
        notes: f.notes.clone(),
        created_at: Some(f.created_at.clone()),
        last_visit_at: f.last_visit_at.clone(),
        erased: f.erased_at.is_some(),
    }
}

/// Applies a family record from another branch (checked like a local edit).
pub(crate) fn apply_remote(
    conn: &Connection,
    id: &str,
    payload: &serde_json::Value,
    at: Millis,
) -> Result<()> {
    let r: SyncedFamily = serde_json::from_value(payload.clone())
        .map_err(|e| CoreError::validation("payload", format!("familia remota inválida: {e}")))?;
    if r.erased {
        return erase_data(conn, id, at);
    }
    let guardians = clean_guardians(&r.guardians)?;
    let pickup_adults = clean_adults(&r.pickup_adults)?;
    list_len("children", &r.children, MAX_CHILDREN)?;
    let mut children = Vec::with_capacity(r.children.len());
    for (i, c) in r.children.iter().enumerate() {
        if !ids::is_valid(&c.id) {
            return Err(CoreError::validation(
                format!("children[{i}].id"),
                "id inválido",
            ));
        }
        children.push(FamilyChild {
            id: c.id.clone(),
            name: validate::name(&format!("children[{i}].name"), &c.name)?,
            birth_date: c.birth_date.clone(),
            notes: validate::text(&format!("children[{i}].notes"), &c.notes)?,
            active: true,
        });
    }
    let erased: Option<Millis> = conn
        .query_row("SELECT erased_at FROM families WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    if erased.is_some() {
        // Erased here: an older edit from elsewhere does not bring the data back.
        return Ok(());
    }
    let created = r
        .created_at
        .as_deref()
        .and_then(|s| clock::parse_rfc3339("created_at", s).ok())
        .unwrap_or(at);
    let f = Family {
        id: id.to_string(),
        branch_id: r.branch_id,
        guardians,
        children,
        pickup_adults,
        notes: validate::text("notes", &r.notes)?,
        created_at: String::new(),
        updated_at: String::new(),
        last_visit_at: None,
        visits: 0,
        consent: ConsentStatus::default(),
        erased_at: None,
    };
    write(conn, &f, created, at)?;
    if let Some(visit) = r
        .last_visit_at
        .as_deref()
        .and_then(|s| clock::parse_rfc3339("last_visit_at", s).ok())
    {
        conn.execute(
            "UPDATE families SET last_visit_at = MAX(COALESCE(last_visit_at, 0), ?2) WHERE id = ?1",
            params![id, visit],
        )?;
    }
    Ok(())
}

/// A family's child, for a sale line: `(family id, child)`.
pub fn child(conn: &Connection, field: &str, child_id: &str) -> Result<(String, FamilyChild)> {
    conn.query_row(
        "SELECT c.family_id, c.id, c.name, c.birth_date, c.notes, c.active
         FROM family_children c JOIN families f ON f.id = c.family_id
         WHERE c.id = ?1 AND f.erased_at IS NULL",
        [child_id],
        |r| {
            Ok((
                r.get(0)?,
                FamilyChild {
                    id: r.get(1)?,
                    name: r.get(2)?,
                    birth_date: r.get(3)?,
                    notes: r.get(4)?,
                    active: r.get(5)?,
                },
            ))
        },
    )
    .optional()?
    .ok_or_else(|| CoreError::validation(field, "no existe ese niño o niña"))
}

/// Marks a visit (a check-in ticket) of the family: the retention period counts from here, at
/// every branch (the record goes out with its new visit, so a family that only comes to another
/// branch is not erased where it was registered).
pub fn record_visit(tx: &Tx<'_>, family_id: &str) -> Result<()> {
    tx.conn.execute(
        "UPDATE families SET last_visit_at = MAX(COALESCE(last_visit_at, 0), ?2) WHERE id = ?1",
        params![family_id, tx.now()],
    )?;
    let f = get(tx.conn, family_id, tx.branch_id())?;
    tx.event("family.updated", "family", family_id, &synced(&f))?;
    Ok(())
}

// ----- Consent -------------------------------------------------------------------------------

/// A version of a branch's consent (carta responsiva) and privacy notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConsentVersion {
    pub version: i64,
    pub consent_text: String,
    pub privacy_notice: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ConsentInput {
    pub consent_text: String,
    pub privacy_notice: String,
}

/// A drawn signature: strokes of points in a box `width` × `height` (never a photo).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Signature {
    pub width: i64,
    pub height: i64,
    /// Each stroke a list of `[x, y]` points.
    pub strokes: Vec<Vec<[i64; 2]>>,
}

pub const MAX_SIGNATURE_POINTS: usize = 4_000;
pub const MAX_SIGNATURE_STROKES: usize = 60;

impl Signature {
    fn check(&self, field: &str) -> Result<()> {
        let bad = |m: &str| CoreError::validation(field, m.to_string());
        if !(50..=4000).contains(&self.width) || !(20..=4000).contains(&self.height) {
            return Err(bad("el recuadro de la firma mide de 50×20 a 4000×4000"));
        }
        if self.strokes.is_empty() || self.strokes.len() > MAX_SIGNATURE_STROKES {
            return Err(bad("falta la firma"));
        }
        let points: usize = self.strokes.iter().map(Vec::len).sum();
        if !(2..=MAX_SIGNATURE_POINTS).contains(&points) {
            return Err(bad("la firma lleva de 2 a 4000 puntos"));
        }
        let inside = self
            .strokes
            .iter()
            .flatten()
            .all(|[x, y]| (0..=self.width).contains(x) && (0..=self.height).contains(y));
        if !inside {
            return Err(bad("la firma sale de su recuadro"));
        }
        // A dot is not a signature: it must travel a little.
        let (xs, ys): (Vec<i64>, Vec<i64>) =
            self.strokes.iter().flatten().map(|p| (p[0], p[1])).unzip();
        let span = |v: &[i64]| v.iter().max().unwrap_or(&0) - v.iter().min().unwrap_or(&0);
        if span(&xs) + span(&ys) < 10 {
            return Err(bad("la firma es demasiado pequeña"));
        }
        Ok(())
    }

    /// The signature as an SVG drawing (for the family's data export and reprints).
    pub fn svg(&self) -> String {
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\">",
            self.width, self.height, self.width, self.height
        );
        for s in &self.strokes {
            let pts: Vec<String> = s.iter().map(|[x, y]| format!("{x},{y}")).collect();
            out.push_str(&format!(
                "<polyline fill=\"none\" stroke=\"#000\" stroke-width=\"3\" stroke-linecap=\"round\" stroke-linejoin=\"round\" points=\"{}\"/>",
                pts.join(" ")
            ));
        }
        out.push_str("</svg>");
        out
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AcceptanceInput {
    /// The consent version shown (must be this branch's current one).
    pub version: i64,
    pub signer_name: String,
    pub signature: Signature,
    /// The guardian read the privacy notice too (must be true).
    pub privacy_accepted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConsentAcceptance {
    pub id: String,
    pub family_id: String,
    pub version: i64,
    pub signer_name: String,
    pub accepted_at: String,
    pub signature: Signature,
}

pub fn consent_versions(conn: &Connection, branch_id: &str) -> Result<Vec<ConsentVersion>> {
    let mut stmt = conn.prepare_cached(
        "SELECT version, consent_text, privacy_notice, created_at FROM consent_versions
         WHERE branch_id = ?1 ORDER BY version DESC",
    )?;
    let rows = stmt.query_map([branch_id], |r| {
        Ok(ConsentVersion {
            version: r.get(0)?,
            consent_text: r.get(1)?,
            privacy_notice: r.get(2)?,
            created_at: clock::to_rfc3339(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn current_consent(conn: &Connection, branch_id: &str) -> Result<Option<ConsentVersion>> {
    Ok(consent_versions(conn, branch_id)?.into_iter().next())
}

pub fn publish_consent(tx: &Tx<'_>, input: &ConsentInput) -> Result<ConsentVersion> {
    let consent_text = validate::text("consent_text", &input.consent_text)?;
    let privacy_notice = validate::text("privacy_notice", &input.privacy_notice)?;
    if consent_text.len() < 20 {
        return Err(CoreError::validation(
            "consent_text",
            "escribe el texto de la carta responsiva",
        ));
    }
    if privacy_notice.len() < 20 {
        return Err(CoreError::validation(
            "privacy_notice",
            "escribe el aviso de privacidad",
        ));
    }
    let version: i64 = tx.conn.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM consent_versions WHERE branch_id = ?1",
        [tx.branch_id()],
        |r| r.get(0),
    )?;
    tx.conn.execute(
        "INSERT INTO consent_versions (branch_id, version, consent_text, privacy_notice, created_at, user_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            tx.branch_id(),
            version,
            consent_text,
            privacy_notice,
            tx.now(),
            tx.actor().user_id
        ],
    )?;
    let v = ConsentVersion {
        version,
        consent_text,
        privacy_notice,
        created_at: clock::to_rfc3339(tx.now()),
    };
    tx.event("consent.published", "consent", &version.to_string(), &v)?;
    Ok(v)
}

fn consent_status(conn: &Connection, family_id: &str, branch_id: &str) -> Result<ConsentStatus> {
    let current: Option<i64> = conn.query_row(
        "SELECT MAX(version) FROM consent_versions WHERE branch_id = ?1",
        [branch_id],
        |r| r.get(0),
    )?;
    let accepted: Option<(i64, Millis, String)> = conn
        .query_row(
            "SELECT version, accepted_at, signer_name FROM consent_acceptances
             WHERE family_id = ?1 AND branch_id = ?2 ORDER BY version DESC, accepted_at DESC LIMIT 1",
            params![family_id, branch_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(ConsentStatus {
        current_version: current,
        accepted_version: accepted.as_ref().map(|a| a.0),
        accepted_at: accepted.as_ref().map(|a| clock::to_rfc3339(a.1)),
        signer_name: accepted.as_ref().map(|a| a.2.clone()),
        current: match current {
            None => true,
            Some(c) => accepted.is_some_and(|a| a.0 >= c),
        },
    })
}

pub fn accept_consent(
    tx: &Tx<'_>,
    family_id: &str,
    input: &AcceptanceInput,
) -> Result<ConsentAcceptance> {
    let f = get(tx.conn, family_id, tx.branch_id())?;
    if f.erased_at.is_some() {
        return Err(CoreError::conflict(
            "family_erased",
            "los datos de esa familia se borraron",
        ));
    }
    let exists: bool = tx.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM consent_versions WHERE branch_id = ?1 AND version = ?2)",
        params![tx.branch_id(), input.version],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(CoreError::validation(
            "version",
            "no existe esa versión de la carta responsiva",
        ));
    }
    if f.consent.current_version != Some(input.version) {
        return Err(CoreError::validation(
            "version",
            "esa versión ya no es la vigente: muestra la actual",
        ));
    }
    if !input.privacy_accepted {
        return Err(CoreError::validation(
            "privacy_accepted",
            "el tutor debe aceptar el aviso de privacidad",
        ));
    }
    let signer_name = validate::name("signer_name", &input.signer_name)?;
    input.signature.check("signature")?;
    let a = ConsentAcceptance {
        id: ids::new_id(),
        family_id: family_id.to_string(),
        version: input.version,
        signer_name,
        accepted_at: clock::to_rfc3339(tx.now()),
        signature: input.signature.clone(),
    };
    tx.conn.execute(
        "INSERT INTO consent_acceptances (id, family_id, branch_id, version, signer_name, signature, accepted_at, user_id, device_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            a.id,
            family_id,
            tx.branch_id(),
            a.version,
            a.signer_name,
            json(&a.signature)?,
            tx.now(),
            tx.actor().user_id,
            tx.ctx.device_id
        ],
    )?;
    // The log says that it was signed, not the strokes.
    tx.event(
        "consent.accepted",
        "family",
        family_id,
        &serde_json::json!({"id": a.id, "version": a.version, "signer_name": a.signer_name}),
    )?;
    Ok(a)
}

fn acceptances(conn: &Connection, family_id: &str) -> Result<Vec<ConsentAcceptance>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, version, signer_name, accepted_at, signature FROM consent_acceptances
         WHERE family_id = ?1 ORDER BY accepted_at",
    )?;
    let rows = stmt.query_map([family_id], |r| {
        let sig: String = r.get(4)?;
        Ok(ConsentAcceptance {
            id: r.get(0)?,
            family_id: family_id.to_string(),
            version: r.get(1)?,
            signer_name: r.get(2)?,
            accepted_at: clock::to_rfc3339(r.get(3)?),
            signature: serde_json::from_str(&sig).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

// ----- Access requests and erasure ------------------------------------------------------------

/// One visit as the family's data export lists it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitRecord {
    pub sale_id: String,
    pub folio: String,
    pub created_at: String,
    pub total_cents: i64,
    pub children: Vec<String>,
    pub pickup_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PickupRecord {
    pub id: String,
    pub pickup_code: String,
    pub collected_by: String,
    pub created_at: String,
}

/// Everything the store holds about a family (an access request under the LFPDPPP).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FamilyExport {
    pub family: Family,
    pub consents: Vec<ConsentAcceptance>,
    pub visits: Vec<VisitRecord>,
    pub pickups: Vec<PickupRecord>,
    pub exported_at: String,
}

pub fn export(conn: &Connection, id: &str, branch_id: &str, now: Millis) -> Result<FamilyExport> {
    let family = get(conn, id, branch_id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, COALESCE(s.folio, ''), s.created_at, s.total_cents, s.pickup_code,
                (SELECT json_group_array(t.child_name) FROM timers t WHERE t.sale_id = s.id AND t.sale_position IS NOT NULL)
         FROM sales s WHERE s.family_id = ?1 ORDER BY s.created_at",
    )?;
    let visits = stmt
        .query_map([id], |r| {
            let names: String = r.get(5)?;
            Ok(VisitRecord {
                sale_id: r.get(0)?,
                folio: r.get(1)?,
                created_at: clock::to_rfc3339(r.get(2)?),
                total_cents: r.get(3)?,
                pickup_code: r.get(4)?,
                children: serde_json::from_str(&names).unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, pickup_code, collected_by, created_at FROM checkouts WHERE family_id = ?1 ORDER BY created_at",
    )?;
    let pickups = stmt
        .query_map([id], |r| {
            Ok(PickupRecord {
                id: r.get(0)?,
                pickup_code: r.get(1)?,
                collected_by: r.get(2)?,
                created_at: clock::to_rfc3339(r.get(3)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FamilyExport {
        consents: acceptances(conn, id)?,
        family,
        visits,
        pickups,
        exported_at: clock::to_rfc3339(now),
    })
}

/// Keys of an event payload that hold personal data, and what they become.
fn scrub(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                match k.as_str() {
                    "child_name" | "public_name" | "birthday_child" => *val = ERASED_CHILD.into(),
                    "whatsapp_reminder" => *val = "".into(),
                    "guardian_name" | "guardian_phone" | "child_notes" | "collected_by"
                    | "signer_name" | "notes" | "phone" | "email" => {
                        if !val.is_null() {
                            *val = "".into()
                        }
                    }
                    "guardians" | "pickup_adults" | "children" | "strokes" => {
                        *val = serde_json::Value::Array(Vec::new())
                    }
                    "child" if val.is_object() => {
                        *val = serde_json::json!({"name": ERASED_CHILD});
                    }
                    _ => scrub(val),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// Personal data out of the log's events about these records (the one change the log allows).
fn scrub_events(conn: &Connection, entity_ids: &[String], now: Millis) -> Result<()> {
    let ids = json(&entity_ids)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, payload FROM events WHERE entity_id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt
        .query_map([&ids], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (id, payload) in rows {
        let mut v: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
        scrub(&mut v);
        conn.execute(
            "UPDATE events SET payload = ?2, erased_at = ?3 WHERE id = ?1",
            params![id, v.to_string(), now],
        )?;
    }
    Ok(())
}

/// Anonymises the sales (`sale_ids`, a JSON array) and their timers and pick-ups: names become
/// "Niño/a", guardians' names and phones and children's notes go. Money stays as it was.
fn anonymise_sales(conn: &Connection, sale_ids: &str) -> Result<Vec<String>> {
    conn.execute(
        "UPDATE sale_items SET child_name = ?2, guardian_name = NULL, guardian_phone = NULL
         WHERE child_name IS NOT NULL AND sale_id IN (SELECT value FROM json_each(?1))",
        params![sale_ids, ERASED_CHILD],
    )?;
    let mut touched: Vec<String> = serde_json::from_str(sale_ids).unwrap_or_default();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM timers WHERE sale_id IN (SELECT value FROM json_each(?1))
         UNION SELECT timer_id FROM sale_items WHERE timer_id IS NOT NULL AND sale_id IN (SELECT value FROM json_each(?1))",
    )?;
    let timer_ids = stmt
        .query_map([sale_ids], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let tids = json(&timer_ids)?;
    conn.execute(
        "UPDATE timers SET child_name = ?2, public_name = ?2, guardian_name = '', guardian_phone = '',
                child_notes = ''
         WHERE id IN (SELECT value FROM json_each(?1))",
        params![tids, ERASED_CHILD],
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM checkouts WHERE sale_id IN (SELECT value FROM json_each(?1))",
    )?;
    let checkout_ids = stmt
        .query_map([sale_ids], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    conn.execute(
        "UPDATE checkouts SET collected_by = '' WHERE sale_id IN (SELECT value FROM json_each(?1))",
        [sale_ids],
    )?;
    touched.extend(timer_ids);
    touched.extend(checkout_ids);
    Ok(touched)
}

/// Erases the family's personal data everywhere at this store (without an event: see [`erase`]).
fn erase_data(conn: &Connection, id: &str, now: Millis) -> Result<()> {
    conn.execute(
        "INSERT INTO families (id, branch_id, created_at, updated_at) VALUES (?1, '', ?2, ?2)
         ON CONFLICT (id) DO NOTHING",
        params![id, now],
    )?;
    conn.execute(
        "UPDATE families SET guardians = '[]', pickup_adults = '[]', notes = '', search_text = '',
                erased_at = COALESCE(erased_at, ?2), updated_at = ?2
         WHERE id = ?1",
        params![id, now],
    )?;
    conn.execute(
        "UPDATE family_children SET name = ?2, birth_date = NULL, notes = '' WHERE family_id = ?1",
        params![id, ERASED_CHILD],
    )?;
    conn.execute(
        "UPDATE consent_acceptances SET signer_name = '', signature = '{}' WHERE family_id = ?1",
        [id],
    )?;
    let mut stmt = conn.prepare_cached("SELECT id FROM sales WHERE family_id = ?1")?;
    let sales = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut touched = anonymise_sales(conn, &json(&sales)?)?;
    // Timers of the family sold on someone else's ticket, and pick-ups by code.
    conn.execute(
        "UPDATE timers SET child_name = ?2, public_name = ?2, guardian_name = '', guardian_phone = '',
                child_notes = '' WHERE family_id = ?1",
        params![id, ERASED_CHILD],
    )?;
    conn.execute(
        "UPDATE checkouts SET collected_by = '' WHERE family_id = ?1",
        [id],
    )?;
    touched.extend(crate::bookings::erase_family(conn, id)?);
    touched.push(id.to_string());
    scrub_events(conn, &touched, now)
}

/// Erases a family's personal data on request (or at the end of the retention period): the
/// family keeps its id and its sales their money, nothing else.
pub fn erase(tx: &Tx<'_>, id: &str, reason: &str) -> Result<Family> {
    get(tx.conn, id, tx.branch_id())?;
    let reason = validate::reason("reason", reason)?;
    erase_data(tx.conn, id, tx.now())?;
    let f = get(tx.conn, id, tx.branch_id())?;
    tx.event(
        "family.erased",
        "family",
        id,
        &serde_json::json!({
            "branch_id": f.branch_id, "guardians": [], "children": [], "pickup_adults": [],
            "erased": true, "reason": reason
        }),
    )?;
    Ok(f)
}

/// What a retention run erased.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RetentionRun {
    pub families_erased: i64,
    /// Check-in tickets without a family whose names and phones were removed.
    pub sales_anonymised: i64,
    /// Personal data older than this was erased.
    pub cutoff: String,
}

/// Erases what the branch's retention period no longer allows to keep: families without a visit
/// for `retention_months`, and the names and phones on walk-in tickets as old.
pub fn apply_retention(tx: &Tx<'_>) -> Result<RetentionRun> {
    let months: i64 = tx.conn.query_row(
        "SELECT retention_months FROM branches WHERE id = ?1",
        [tx.branch_id()],
        |r| r.get(0),
    )?;
    let tz = crate::branches::timezone(tx.conn, tx.branch_id())?;
    let today = clock::local_day(tx.now(), tz);
    let cutoff_day = today
        .checked_sub_months(chrono::Months::new(months.clamp(1, 120) as u32))
        .unwrap_or(today);
    let cutoff = clock::day_start_ms(cutoff_day, tz);
    let mut stmt = tx.conn.prepare_cached(
        "SELECT id FROM families WHERE erased_at IS NULL AND COALESCE(last_visit_at, created_at) < ?1",
    )?;
    let old = stmt
        .query_map([cutoff], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    for id in &old {
        erase(tx, id, "periodo de conservación cumplido")?;
    }
    let mut stmt = tx.conn.prepare_cached(
        "SELECT DISTINCT s.id FROM sales s JOIN sale_items i ON i.sale_id = s.id
         WHERE s.family_id IS NULL AND s.created_at < ?1 AND i.child_name IS NOT NULL
           AND (i.child_name <> ?2 OR i.guardian_name IS NOT NULL OR i.guardian_phone IS NOT NULL)",
    )?;
    let walk_ins = stmt
        .query_map(params![cutoff, ERASED_CHILD], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    if !walk_ins.is_empty() {
        let touched = anonymise_sales(tx.conn, &json(&walk_ins)?)?;
        scrub_events(tx.conn, &touched, tx.now())?;
    }
    let run = RetentionRun {
        families_erased: old.len() as i64,
        sales_anonymised: walk_ins.len() as i64,
        cutoff: clock::to_rfc3339(cutoff),
    };
    if run.families_erased > 0 || run.sales_anonymised > 0 {
        tx.event("privacy.retention_applied", "branch", tx.branch_id(), &run)?;
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_ten_mexican_digits() {
        assert_eq!(phone("p", "33 1234 5678").unwrap(), "3312345678");
        assert_eq!(phone("p", "+52 (33) 1234-5678").unwrap(), "3312345678");
        assert_eq!(phone("p", "52 1 33 1234 5678").unwrap(), "3312345678");
        for bad in [
            "",
            "12345",
            "0312345678",
            "33 1234 567a",
            "+1 212 555 0100 9",
        ] {
            assert!(phone("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn folding_ignores_accents_and_case() {
        assert_eq!(fold("SOFÍA Muñoz"), "sofia munoz");
    }

    #[test]
    fn whatsapp_links_carry_the_country_code_and_the_message() {
        assert_eq!(
            whatsapp_link("3312345678", "Hola, Sofía"),
            "https://wa.me/523312345678?text=Hola%2C%20Sof%C3%ADa"
        );
    }

    #[test]
    fn scrubbing_removes_names_phones_and_notes_but_keeps_money() {
        let mut v = serde_json::json!({
            "total_cents": 25000,
            "items": [{"child": {"name": "Sofía", "guardian_phone": "3312345678"}, "total_cents": 25000}],
            "timers": [{"child_name": "Sofía", "public_name": "Sofía", "guardian_name": "Ana", "child_notes": "nueces"}]
        });
        scrub(&mut v);
        let s = v.to_string();
        assert!(
            !s.contains("Sof")
                && !s.contains("3312")
                && !s.contains("Ana")
                && !s.contains("nueces"),
            "{s}"
        );
        assert_eq!(v["total_cents"], 25000);
        assert_eq!(v["items"][0]["total_cents"], 25000);
    }

    #[test]
    fn a_signature_must_be_drawn() {
        let sig = |strokes: Vec<Vec<[i64; 2]>>| Signature {
            width: 600,
            height: 200,
            strokes,
        };
        assert!(sig(vec![]).check("s").is_err());
        assert!(sig(vec![vec![[10, 10], [11, 11]]]).check("s").is_err());
        assert!(sig(vec![vec![[10, 10], [900, 11]]]).check("s").is_err());
        assert!(sig(vec![vec![[10, 10], [80, 40], [120, 20]]])
            .check("s")
            .is_ok());
        assert!(sig(vec![vec![[10, 10], [80, 40]]])
            .svg()
            .contains("polyline"));
    }
}
