-- 0001: the store's first schema. Catalogue, users and sessions, sales with items and payments,
-- the append-only stock ledger, play timers, day closings, idempotency keys and the event log.
-- Timestamps are INTEGER milliseconds since the Unix epoch (UTC by definition); business days are
-- 'YYYY-MM-DD' strings in the branch time zone; money is INTEGER centavos.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE branches (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    timezone             TEXT NOT NULL,
    address              TEXT NOT NULL DEFAULT '',
    allow_negative_stock INTEGER NOT NULL DEFAULT 0 CHECK (allow_negative_stock IN (0, 1)),
    capacity             INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('super_admin', 'admin_viewer', 'reception', 'kidibar', 'monitor', 'totem')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- Only a SHA-256 of each bearer token is kept, so a stolen database file holds no usable token.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE products (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    category            TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL DEFAULT '',
    price_cents         INTEGER NOT NULL CHECK (price_cents >= 0),
    cost_cents          INTEGER NOT NULL DEFAULT 0 CHECK (cost_cents >= 0),
    stock               INTEGER NOT NULL DEFAULT 0,
    low_stock_threshold INTEGER NOT NULL DEFAULT 0 CHECK (low_stock_threshold >= 0),
    barcode             TEXT,
    image_url           TEXT,
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX products_barcode ON products(barcode) WHERE barcode IS NOT NULL;

-- Append-only: the product's stock column is a cache of the sum of its movements.
CREATE TABLE stock_movements (
    id          TEXT PRIMARY KEY,
    product_id  TEXT NOT NULL REFERENCES products(id),
    delta       INTEGER NOT NULL,
    stock_after INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    sale_id     TEXT,
    user_id     TEXT,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_movements_product ON stock_movements(product_id, created_at);

CREATE TABLE services (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    price_cents      INTEGER NOT NULL CHECK (price_cents >= 0),
    capacity         INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE packages (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE package_items (
    package_id TEXT NOT NULL REFERENCES packages(id),
    position   INTEGER NOT NULL,
    product_id TEXT REFERENCES products(id),
    service_id TEXT REFERENCES services(id),
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (package_id, position),
    CHECK ((product_id IS NULL) <> (service_id IS NULL))
) STRICT;

CREATE TABLE sales (
    id           TEXT PRIMARY KEY,
    number       INTEGER NOT NULL UNIQUE,
    branch_id    TEXT NOT NULL REFERENCES branches(id),
    business_day TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id),
    device_id    TEXT NOT NULL,
    total_cents  INTEGER NOT NULL CHECK (total_cents >= 0),
    paid_cents   INTEGER NOT NULL CHECK (paid_cents >= 0),
    change_cents INTEGER NOT NULL CHECK (change_cents >= 0),
    note         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sales_day ON sales(branch_id, business_day);
CREATE INDEX sales_created ON sales(created_at);

CREATE TABLE sale_items (
    sale_id          TEXT NOT NULL REFERENCES sales(id),
    position         INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('product', 'service', 'package')),
    product_id       TEXT REFERENCES products(id),
    service_id       TEXT REFERENCES services(id),
    package_id       TEXT REFERENCES packages(id),
    name             TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    total_cents      INTEGER NOT NULL CHECK (total_cents >= 0),
    child_name       TEXT,
    guardian_name    TEXT,
    guardian_phone   TEXT,
    PRIMARY KEY (sale_id, position)
) STRICT;

CREATE TABLE sale_payments (
    sale_id      TEXT NOT NULL REFERENCES sales(id),
    position     INTEGER NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (sale_id, position)
) STRICT;

CREATE TABLE timers (
    id               TEXT PRIMARY KEY,
    sale_id          TEXT REFERENCES sales(id),
    branch_id        TEXT NOT NULL REFERENCES branches(id),
    service_id       TEXT REFERENCES services(id),
    service_name     TEXT NOT NULL,
    child_name       TEXT NOT NULL,
    guardian_name    TEXT NOT NULL DEFAULT '',
    guardian_phone   TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL CHECK (state IN ('scheduled', 'running', 'paused', 'expired', 'finished', 'cancelled')),
    starts_at        INTEGER NOT NULL,
    -- NULL while paused: the time left is then frozen in remaining_ms.
    ends_at          INTEGER,
    remaining_ms     INTEGER NOT NULL,
    duration_ms      INTEGER NOT NULL CHECK (duration_ms > 0),
    extended_minutes INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX timers_state ON timers(state, ends_at);
CREATE INDEX timers_scheduled ON timers(state, starts_at);

CREATE TABLE day_closings (
    id                   TEXT PRIMARY KEY,
    branch_id            TEXT NOT NULL REFERENCES branches(id),
    business_day         TEXT NOT NULL,
    expected_cash_cents  INTEGER NOT NULL,
    expected_card_cents  INTEGER NOT NULL,
    expected_transfer_cents INTEGER NOT NULL,
    counted_cash_cents   INTEGER NOT NULL,
    counted_card_cents   INTEGER NOT NULL,
    counted_transfer_cents INTEGER NOT NULL,
    difference_cents     INTEGER NOT NULL,
    sales_count          INTEGER NOT NULL,
    total_cents          INTEGER NOT NULL,
    denominations        TEXT NOT NULL DEFAULT '{}',
    note                 TEXT NOT NULL DEFAULT '',
    closed_by            TEXT NOT NULL REFERENCES users(id),
    closed_at            INTEGER NOT NULL,
    UNIQUE (branch_id, business_day)
) STRICT;

-- The answer to a sale request, kept under its Idempotency-Key so a retry returns it again.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    sale_id      TEXT NOT NULL REFERENCES sales(id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;

-- The immutable log of every change; seq orders it locally and is the sync cursor.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    branch_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    user_id    TEXT,
    type       TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX events_entity ON events(entity, entity_id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;
