//! Saved menu designs: several per branch, one of them (at most) played by the totem.
//!
//! The layout is JSON owned by the renderer (`kidyboard-media`), which the core does not depend
//! on: callers check and normalise it with the renderer before calling [`create`] or [`update`]
//! (the hub and the CLI do). The core keeps what it can judge alone: names, sizes, picture
//! references and the "one totem design per branch" rule.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::error::{CoreError, Result};
use crate::ids;
use crate::tx::Tx;
use crate::validate;

/// Largest stored layout JSON. A full design is about 2 KB; pictures are references, not bytes.
pub const MAX_DESIGN_BYTES: usize = 32 * 1024;
/// Most sections a design may leave out.
pub const MAX_HIDDEN_SECTIONS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MenuDesignRecord {
    pub id: String,
    pub branch_id: String,
    pub name: String,
    pub title: String,
    /// The renderer's design JSON (normalised, every field present).
    pub design: serde_json::Value,
    /// Image-store hash of the logo, if any.
    pub logo_image: Option<String>,
    /// Image-store hash of the background photo, if any.
    pub background_image: Option<String>,
    /// Section titles left out of this menu.
    pub hidden_sections: Vec<String>,
    pub on_totem: bool,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Fields to create a design or change some of them (absent = unchanged; an empty
/// `logo_image` or `background_image` clears it).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MenuDesignInput {
    pub name: Option<String>,
    pub title: Option<String>,
    pub design: Option<serde_json::Value>,
    pub logo_image: Option<String>,
    pub background_image: Option<String>,
    pub hidden_sections: Option<Vec<String>>,
    pub on_totem: Option<bool>,
}

const COLUMNS: &str = "id, branch_id, name, title, design, logo_image, background_image, \
                       hidden_sections, on_totem, revision, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(MenuDesignRecord, String, String)> {
    Ok((
        MenuDesignRecord {
            id: r.get(0)?,
            branch_id: r.get(1)?,
            name: r.get(2)?,
            title: r.get(3)?,
            design: serde_json::Value::Null,
            logo_image: r.get(5)?,
            background_image: r.get(6)?,
            hidden_sections: Vec::new(),
            on_totem: r.get(8)?,
            revision: r.get(9)?,
            created_at: clock::to_rfc3339(r.get(10)?),
            updated_at: clock::to_rfc3339(r.get(11)?),
        },
        r.get(4)?,
        r.get(7)?,
    ))
}

fn decode(row: (MenuDesignRecord, String, String)) -> Result<MenuDesignRecord> {
    let (mut rec, design, hidden) = row;
    rec.design = serde_json::from_str(&design)
        .map_err(|e| CoreError::Corrupt(format!("menu design {}: {e}", rec.id)))?;
    rec.hidden_sections = serde_json::from_str(&hidden)
        .map_err(|e| CoreError::Corrupt(format!("menu design {} sections: {e}", rec.id)))?;
    Ok(rec)
}

pub fn get(conn: &Connection, id: &str) -> Result<MenuDesignRecord> {
    let row = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM menu_designs WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("diseño de menú", id))?;
    decode(row)
}

/// A design of `branch_id` by its exact name.
pub fn find_by_name(conn: &Connection, branch_id: &str, name: &str) -> Result<MenuDesignRecord> {
    let row = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM menu_designs WHERE branch_id = ?1 AND name = ?2"),
            [branch_id, name.trim()],
            from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("diseño de menú", name))?;
    decode(row)
}

pub fn list(conn: &Connection, branch_id: &str) -> Result<Vec<MenuDesignRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM menu_designs WHERE branch_id = ?1 ORDER BY name"
    ))?;
    let rows = stmt.query_map([branch_id], from_row)?;
    rows.map(|r| decode(r?)).collect()
}

/// The design the totem of `branch_id` plays, if one was chosen.
pub fn on_totem(conn: &Connection, branch_id: &str) -> Result<Option<MenuDesignRecord>> {
    let row = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM menu_designs WHERE branch_id = ?1 AND on_totem = 1"),
            [branch_id],
            from_row,
        )
        .optional()?;
    row.map(decode).transpose()
}

/// A picture reference: an image-store hash (64 lowercase hex digits), or empty to clear.
pub(crate) fn picture(field: &str, v: &str) -> Result<Option<String>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if crate::validate::is_sha256_hex(v) {
        Ok(Some(v.to_string()))
    } else {
        Err(CoreError::validation(
            field,
            "debe ser el hash de una imagen subida (64 caracteres hexadecimales)",
        ))
    }
}

fn design_json(v: &serde_json::Value) -> Result<String> {
    if !v.is_object() {
        return Err(CoreError::validation("design", "debe ser un objeto JSON"));
    }
    let s = v.to_string();
    if s.len() > MAX_DESIGN_BYTES {
        return Err(CoreError::validation(
            "design",
            format!("es demasiado grande (máximo {MAX_DESIGN_BYTES} bytes); las imágenes van como referencia"),
        ));
    }
    Ok(s)
}

fn hidden_json(sections: &[String]) -> Result<String> {
    if sections.len() > MAX_HIDDEN_SECTIONS {
        return Err(CoreError::validation(
            "hidden_sections",
            format!("a lo más {MAX_HIDDEN_SECTIONS} secciones"),
        ));
    }
    let mut clean = Vec::with_capacity(sections.len());
    for (i, s) in sections.iter().enumerate() {
        clean.push(validate::name(&format!("hidden_sections[{i}]"), s)?);
    }
    serde_json::to_string(&clean).map_err(|e| CoreError::Corrupt(e.to_string()))
}

fn name_taken(conn: &Connection, branch_id: &str, name: &str, except: &str) -> Result<()> {
    let clash: Option<String> = conn
        .query_row(
            "SELECT id FROM menu_designs WHERE branch_id = ?1 AND name = ?2 AND id <> ?3",
            [branch_id, name, except],
            |r| r.get(0),
        )
        .optional()?;
    match clash {
        Some(_) => Err(CoreError::Conflict {
            code: "name_taken",
            message: format!("ya existe un diseño llamado «{name}» en esta sucursal"),
            field: Some("name".into()),
        }),
        None => Ok(()),
    }
}

fn clear_totem(tx: &Tx<'_>, branch_id: &str, except: &str) -> Result<()> {
    tx.conn.execute(
        "UPDATE menu_designs SET on_totem = 0, revision = revision + 1, updated_at = ?3
         WHERE branch_id = ?1 AND on_totem = 1 AND id <> ?2",
        params![branch_id, except, tx.now()],
    )?;
    Ok(())
}

/// Creates a design in the writer's branch. `input.design` must already be normalised by the
/// renderer; `name` and `design` are required.
pub fn create(tx: &Tx<'_>, input: &MenuDesignInput) -> Result<MenuDesignRecord> {
    let name = validate::name("name", input.name.as_deref().unwrap_or(""))?;
    let title = validate::name("title", input.title.as_deref().unwrap_or("Menú"))?;
    let design = design_json(
        input
            .design
            .as_ref()
            .ok_or_else(|| CoreError::validation("design", "el diseño es obligatorio"))?,
    )?;
    let logo = picture("logo_image", input.logo_image.as_deref().unwrap_or(""))?;
    let background = picture(
        "background_image",
        input.background_image.as_deref().unwrap_or(""),
    )?;
    let hidden = hidden_json(input.hidden_sections.as_deref().unwrap_or(&[]))?;
    let branch = tx.branch_id().to_string();
    name_taken(tx.conn, &branch, &name, "")?;
    let id = ids::new_id();
    let on_totem = input.on_totem.unwrap_or(false);
    if on_totem {
        clear_totem(tx, &branch, &id)?;
    }
    tx.conn.execute(
        "INSERT INTO menu_designs (id, branch_id, name, title, design, logo_image, background_image,
                                   hidden_sections, on_totem, revision, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?10)",
        params![id, branch, name, title, design, logo, background, hidden, on_totem, tx.now()],
    )?;
    let created = get(tx.conn, &id)?;
    tx.event("menu_design.created", "menu_design", &id, &created)?;
    Ok(created)
}

pub fn update(tx: &Tx<'_>, id: &str, input: &MenuDesignInput) -> Result<MenuDesignRecord> {
    let before = get(tx.conn, id)?;
    let name = match &input.name {
        Some(n) => validate::name("name", n)?,
        None => before.name.clone(),
    };
    let title = match &input.title {
        Some(t) => validate::name("title", t)?,
        None => before.title.clone(),
    };
    let design = design_json(input.design.as_ref().unwrap_or(&before.design))?;
    let logo = match &input.logo_image {
        Some(v) => picture("logo_image", v)?,
        None => before.logo_image.clone(),
    };
    let background = match &input.background_image {
        Some(v) => picture("background_image", v)?,
        None => before.background_image.clone(),
    };
    let hidden = hidden_json(
        input
            .hidden_sections
            .as_ref()
            .unwrap_or(&before.hidden_sections),
    )?;
    let on_totem = input.on_totem.unwrap_or(before.on_totem);
    name_taken(tx.conn, &before.branch_id, &name, id)?;
    if on_totem && !before.on_totem {
        clear_totem(tx, &before.branch_id, id)?;
    }
    tx.conn.execute(
        "UPDATE menu_designs SET name = ?2, title = ?3, design = ?4, logo_image = ?5,
                background_image = ?6, hidden_sections = ?7, on_totem = ?8,
                revision = revision + 1, updated_at = ?9
         WHERE id = ?1",
        params![
            id,
            name,
            title,
            design,
            logo,
            background,
            hidden,
            on_totem,
            tx.now()
        ],
    )?;
    let after = get(tx.conn, id)?;
    tx.event("menu_design.updated", "menu_design", id, &after)?;
    Ok(after)
}

/// Deletes a design for good (nothing else refers to it; the event keeps its last state).
pub fn delete(tx: &Tx<'_>, id: &str) -> Result<MenuDesignRecord> {
    let before = get(tx.conn, id)?;
    tx.conn
        .execute("DELETE FROM menu_designs WHERE id = ?1", [id])?;
    tx.event("menu_design.deleted", "menu_design", id, &before)?;
    Ok(before)
}

/// The picture hashes a design's event names (logo, background): what another branch needs to
/// draw it.
pub fn pictures_of(payload: &serde_json::Value) -> Vec<String> {
    ["logo_image", "background_image"]
        .iter()
        .filter_map(|k| payload.get(*k).and_then(|v| v.as_str()))
        .filter_map(|v| picture("picture", v).ok().flatten())
        .collect()
}

#[derive(Deserialize)]
struct RemoteDesign {
    name: String,
    #[serde(default)]
    title: String,
    design: serde_json::Value,
    #[serde(default)]
    logo_image: Option<String>,
    #[serde(default)]
    background_image: Option<String>,
    #[serde(default)]
    hidden_sections: Vec<String>,
}

/// A design another branch made or changed (designs are the organisation's, like the
/// catalogue): written into this branch's designs, checked like a local one. Whether the totem
/// plays it stays this branch's choice; a name this branch already uses for another design gets
/// a number. `deleted` removes it here too.
pub(crate) fn apply_remote(
    conn: &Connection,
    id: &str,
    payload: &serde_json::Value,
    deleted: bool,
    at: clock::Millis,
) -> Result<()> {
    if deleted {
        conn.execute("DELETE FROM menu_designs WHERE id = ?1", [id])?;
        return Ok(());
    }
    let r: RemoteDesign = serde_json::from_value(payload.clone())
        .map_err(|e| CoreError::validation("payload", format!("diseño remoto inválido: {e}")))?;
    let branch = crate::store::get_meta(conn, "branch_id")?
        .ok_or_else(|| CoreError::Corrupt("this store has no branch".into()))?;
    let name = validate::name("name", &r.name)?;
    let title = validate::name(
        "title",
        if r.title.trim().is_empty() {
            "Menú"
        } else {
            &r.title
        },
    )?;
    let design = design_json(&r.design)?;
    let logo = picture("logo_image", r.logo_image.as_deref().unwrap_or(""))?;
    let background = picture(
        "background_image",
        r.background_image.as_deref().unwrap_or(""),
    )?;
    let hidden = hidden_json(&r.hidden_sections)?;
    let mut unique = name.clone();
    let mut n = 2;
    while name_taken(conn, &branch, &unique, id).is_err() {
        unique = format!("{name} ({n})");
        n += 1;
    }
    conn.execute(
        "INSERT INTO menu_designs (id, branch_id, name, title, design, logo_image, background_image,
                                   hidden_sections, on_totem, revision, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 1, ?9, ?9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, title = excluded.title,
            design = excluded.design, logo_image = excluded.logo_image,
            background_image = excluded.background_image, hidden_sections = excluded.hidden_sections,
            revision = menu_designs.revision + 1, updated_at = excluded.updated_at",
        params![id, branch, unique, title, design, logo, background, hidden, at],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, Store};
    use serde_json::json;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("k.sqlite")).expect("store opens");
        (dir, store)
    }

    fn input(name: &str) -> MenuDesignInput {
        MenuDesignInput {
            name: Some(name.into()),
            design: Some(json!({ "name": name, "columns": 2 })),
            ..Default::default()
        }
    }

    #[test]
    fn crud_records_events_and_keeps_one_totem_design() {
        let (_d, s) = store();
        let a = Actor::system();
        let first = s
            .change(&a, 1_000, |tx| {
                create(
                    tx,
                    &MenuDesignInput {
                        on_totem: Some(true),
                        ..input("Pared")
                    },
                )
            })
            .expect("create");
        assert!(first.on_totem);
        assert_eq!(first.title, "Menú", "title defaults to Menú");
        let second = s
            .change(&a, 2_000, |tx| {
                create(
                    tx,
                    &MenuDesignInput {
                        on_totem: Some(true),
                        hidden_sections: Some(vec!["Bebidas".into()]),
                        ..input("Tótem")
                    },
                )
            })
            .expect("create second");
        let branch = s.branch_id().to_string();
        let totem = s
            .read(|c| on_totem(c, &branch))
            .expect("read")
            .expect("a totem design");
        assert_eq!(
            totem.id, second.id,
            "choosing a new totem design replaces the old one"
        );
        let first_now = s.read(|c| get(c, &first.id)).expect("get");
        assert!(!first_now.on_totem);
        assert_eq!(first_now.revision, 2, "losing the totem is a change");

        let renamed = s
            .change(&a, 3_000, |tx| {
                update(
                    tx,
                    &first.id,
                    &MenuDesignInput {
                        name: Some("Impreso".into()),
                        ..Default::default()
                    },
                )
            })
            .expect("rename");
        assert_eq!(renamed.name, "Impreso");
        assert_eq!(renamed.design, first.design, "absent fields stay");
        s.change(&a, 4_000, |tx| delete(tx, &second.id))
            .expect("delete");
        let left = s.read(|c| list(c, &branch)).expect("list");
        assert_eq!(left.len(), 1);
        let kinds: Vec<String> = s
            .read(|c| {
                let mut st =
                    c.prepare("SELECT type FROM events WHERE entity = 'menu_design' ORDER BY seq")?;
                let rows = st.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
            })
            .expect("events");
        assert_eq!(
            kinds,
            [
                "menu_design.created",
                "menu_design.created",
                "menu_design.updated",
                "menu_design.deleted"
            ]
        );
    }

    #[test]
    fn bad_input_names_the_field_and_writes_nothing() {
        let (_d, s) = store();
        let a = Actor::system();
        s.change(&a, 1, |tx| create(tx, &input("Uno")))
            .expect("create");
        let cases = [
            (input(""), "name"),
            (
                MenuDesignInput {
                    design: Some(json!([1, 2])),
                    ..input("Dos")
                },
                "design",
            ),
            (
                MenuDesignInput {
                    design: Some(json!({ "name": "x".repeat(MAX_DESIGN_BYTES) })),
                    ..input("Dos")
                },
                "design",
            ),
            (
                MenuDesignInput {
                    logo_image: Some("../../etc/passwd".into()),
                    ..input("Dos")
                },
                "logo_image",
            ),
            (
                MenuDesignInput {
                    hidden_sections: Some(vec!["a\u{7}".into()]),
                    ..input("Dos")
                },
                "hidden_sections[0]",
            ),
            (input("Uno"), "name"),
        ];
        for (inp, field) in cases {
            let e = s
                .change(&a, 2, |tx| create(tx, &inp))
                .expect_err("must be refused");
            assert_eq!(e.field(), Some(field), "{e}");
        }
        let branch = s.branch_id().to_string();
        assert_eq!(s.read(|c| list(c, &branch)).expect("list").len(), 1);
    }
}
