-- 0011: birthday parties and bookings: the areas a party takes (exclusive rooms or shared zones),
-- party packages, the branch's business hours and closed days, bookings with their deposit and
-- balance paid through ordinary sales, the party's timers grouped on the wall, and the secret of
-- the read-only calendar feed.

-- A party room (exclusive: one party at a time) or a shared zone (parties side by side up to its
-- capacity in children).
CREATE TABLE areas (
    id         TEXT PRIMARY KEY,
    branch_id  TEXT NOT NULL REFERENCES branches(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('room', 'zone')),
    capacity   INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    color      TEXT NOT NULL DEFAULT '#7c3aed',
    position   INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- What a party includes: its area, length, children, price per extra child, the products served
-- (JSON [{product_id, quantity}], taken from stock once at check-in), the deposit that confirms
-- it and the cleaning time the area needs after it.
CREATE TABLE party_packages (
    id                      TEXT PRIMARY KEY,
    branch_id               TEXT NOT NULL REFERENCES branches(id),
    name                    TEXT NOT NULL,
    area_id                 TEXT REFERENCES areas(id),
    duration_minutes        INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 720),
    children_included       INTEGER NOT NULL DEFAULT 10 CHECK (children_included >= 0),
    price_cents             INTEGER NOT NULL CHECK (price_cents >= 0),
    extra_child_price_cents INTEGER NOT NULL DEFAULT 0 CHECK (extra_child_price_cents >= 0),
    deposit_percent         INTEGER NOT NULL DEFAULT 30 CHECK (deposit_percent BETWEEN 0 AND 100),
    buffer_minutes          INTEGER NOT NULL DEFAULT 30 CHECK (buffer_minutes BETWEEN 0 AND 240),
    iva_rate                TEXT NOT NULL DEFAULT '16' CHECK (iva_rate IN ('16', '0', 'exento')),
    products                TEXT NOT NULL DEFAULT '[]',
    active                  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
) STRICT;

-- Opening hours per weekday (1 = Monday), local to the branch; a weekday without a row keeps the
-- default 09:00–21:00.
CREATE TABLE business_hours (
    branch_id TEXT NOT NULL REFERENCES branches(id),
    weekday   INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens     TEXT NOT NULL,
    closes    TEXT NOT NULL,
    closed    INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    PRIMARY KEY (branch_id, weekday)
) STRICT;

CREATE TABLE closed_days (
    branch_id TEXT NOT NULL REFERENCES branches(id),
    day       TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (branch_id, day)
) STRICT;

-- How long a booking without its deposit holds the slot, and how many days before the party a
-- cancellation still gets the deposit back.
ALTER TABLE branches ADD COLUMN booking_hold_hours INTEGER NOT NULL DEFAULT 48
    CHECK (booking_hold_hours BETWEEN 1 AND 720);
ALTER TABLE branches ADD COLUMN booking_refund_days INTEGER NOT NULL DEFAULT 7
    CHECK (booking_refund_days BETWEEN 0 AND 365);

-- A booking. Times are UTC; `blocks_until` is the end plus the cleaning buffer, what another
-- party may not overlap. The total is the package's price plus the extra children (expected until
-- check-in, then those who came); what was paid is read from the sale lines that name it.
CREATE TABLE bookings (
    id                TEXT PRIMARY KEY,
    branch_id         TEXT NOT NULL REFERENCES branches(id),
    number            INTEGER NOT NULL UNIQUE,
    family_id         TEXT NOT NULL,
    birthday_child    TEXT NOT NULL,
    birthday_age      INTEGER,
    area_id           TEXT NOT NULL REFERENCES areas(id),
    package_id        TEXT REFERENCES party_packages(id),
    starts_at         INTEGER NOT NULL,
    ends_at           INTEGER NOT NULL CHECK (ends_at > starts_at),
    buffer_minutes    INTEGER NOT NULL DEFAULT 0,
    blocks_until      INTEGER NOT NULL,
    expected_children INTEGER NOT NULL CHECK (expected_children > 0),
    notes             TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL CHECK (state IN ('tentative', 'confirmed', 'checked_in', 'completed', 'cancelled')),
    held_until        INTEGER,
    total_cents       INTEGER NOT NULL CHECK (total_cents >= 0),
    deposit_cents     INTEGER NOT NULL CHECK (deposit_cents >= 0),
    checked_in_children INTEGER NOT NULL DEFAULT 0,
    sale_id           TEXT REFERENCES sales(id),
    cancel_reason     TEXT NOT NULL DEFAULT '',
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX bookings_time ON bookings(branch_id, starts_at);
CREATE INDEX bookings_area ON bookings(area_id, starts_at, blocks_until);

-- The read-only calendar feed's secret (its SHA-256; a new one replaces the old).
CREATE TABLE booking_feed_tokens (
    branch_id  TEXT PRIMARY KEY REFERENCES branches(id),
    token_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Party timers: the booking they belong to and the group the wall shows them under.
ALTER TABLE timers ADD COLUMN booking_id TEXT;
ALTER TABLE timers ADD COLUMN group_name TEXT NOT NULL DEFAULT '';

-- Sale lines may pay for a booking (kind 'booking'): a CHECK cannot be altered in SQLite, so the
-- table is rebuilt. Its refund lines point at it, so they are set aside first and put back after,
-- all in this migration's transaction: no row is ever without the line it refunds.
CREATE TABLE refund_items_kept AS SELECT * FROM refund_items;
DROP TABLE refund_items;
CREATE TABLE sale_items_new (
    sale_id          TEXT NOT NULL REFERENCES sales(id),
    position         INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('product', 'service', 'package', 'booking')),
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
    timer_id         TEXT REFERENCES timers(id),
    extra            TEXT CHECK (extra IN ('extension', 'overtime')),
    extra_minutes    INTEGER,
    gross_cents      INTEGER,
    discount_cents   INTEGER NOT NULL DEFAULT 0 CHECK (discount_cents >= 0),
    iva_rate         TEXT NOT NULL DEFAULT '16' CHECK (iva_rate IN ('16', '0', 'exento')),
    iva_cents        INTEGER NOT NULL DEFAULT 0 CHECK (iva_cents >= 0),
    booking_id       TEXT REFERENCES bookings(id),
    PRIMARY KEY (sale_id, position)
) STRICT;
INSERT INTO sale_items_new (sale_id, position, kind, product_id, service_id, package_id, name,
    quantity, unit_price_cents, total_cents, child_name, guardian_name, guardian_phone, timer_id,
    extra, extra_minutes, gross_cents, discount_cents, iva_rate, iva_cents)
SELECT sale_id, position, kind, product_id, service_id, package_id, name, quantity,
    unit_price_cents, total_cents, child_name, guardian_name, guardian_phone, timer_id, extra,
    extra_minutes, gross_cents, discount_cents, iva_rate, iva_cents
FROM sale_items;
DROP TABLE sale_items;
ALTER TABLE sale_items_new RENAME TO sale_items;
CREATE INDEX sale_items_timer ON sale_items(timer_id);
CREATE INDEX sale_items_booking ON sale_items(booking_id);
CREATE TABLE refund_items (
    refund_id     TEXT NOT NULL REFERENCES refunds(id),
    position      INTEGER NOT NULL,
    sale_id       TEXT NOT NULL,
    sale_position INTEGER NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    total_cents   INTEGER NOT NULL CHECK (total_cents >= 0),
    -- The product came back unfit to sell: it is written off instead of restocked.
    damaged       INTEGER NOT NULL DEFAULT 0 CHECK (damaged IN (0, 1)),
    PRIMARY KEY (refund_id, position),
    FOREIGN KEY (sale_id, sale_position) REFERENCES sale_items(sale_id, position)
) STRICT;
INSERT INTO refund_items (refund_id, position, sale_id, sale_position, quantity, total_cents, damaged)
SELECT refund_id, position, sale_id, sale_position, quantity, total_cents, damaged FROM refund_items_kept;
DROP TABLE refund_items_kept;
CREATE INDEX refund_items_line ON refund_items(sale_id, sale_position);
