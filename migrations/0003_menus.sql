-- 0003: saved menu designs for the menu designer, its PDF/MP4 exports and the totem. Several
-- designs per branch; the layout itself is JSON checked by the renderer before it is stored.
-- Pictures (logo, background) are referenced by their image-store hash, never inlined, so a
-- design stays small in the event log that sync pushes. At most one design per branch is the one
-- the totem plays; the prices always come from the catalogue when the menu is drawn.
CREATE TABLE menu_designs (
    id               TEXT PRIMARY KEY,
    branch_id        TEXT NOT NULL REFERENCES branches(id),
    name             TEXT NOT NULL,
    -- The heading printed at the top of the menu ("Menú", "Nuestros precios"…).
    title            TEXT NOT NULL,
    design           TEXT NOT NULL CHECK (json_valid(design)),
    logo_image       TEXT,
    background_image TEXT,
    -- JSON array of section titles left out of this menu (e.g. '["Bebidas"]').
    hidden_sections  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(hidden_sections)),
    on_totem         INTEGER NOT NULL DEFAULT 0 CHECK (on_totem IN (0, 1)),
    -- Bumped on every change: with the catalogue's own version it names what a screen shows.
    revision         INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX menu_designs_name ON menu_designs(branch_id, name);
CREATE UNIQUE INDEX menu_designs_totem ON menu_designs(branch_id) WHERE on_totem = 1;
