-- 0001: the cloud's first schema. Organisations own branches; a store (device) belongs to one
-- branch and authenticates with a token whose hash is kept here. Every event a store pushes is
-- stored once by its id; catalogue events also get a gap-free position in their organisation's
-- feed, which branches pull by cursor. Reporting reads small per-branch projections kept up to
-- date in the same transaction as the events.

CREATE TABLE organisations (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    owner_token_hash TEXT NOT NULL UNIQUE,
    -- Last position handed out in the catalogue feed; taken under this row's lock, so positions
    -- are committed in order and a reader's cursor never skips a late commit.
    catalog_seq      BIGINT NOT NULL DEFAULT 0,
    -- The cloud's hybrid logical clock for this organisation's catalogue edits.
    hlc_wall         BIGINT NOT NULL DEFAULT 0,
    hlc_counter      BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE branches (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    name       TEXT NOT NULL,
    timezone   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX branches_org ON branches(org_id);

CREATE TABLE pairing_codes (
    code_hash   TEXT PRIMARY KEY,
    branch_id   TEXT NOT NULL REFERENCES branches(id),
    expires_at  TIMESTAMPTZ NOT NULL,
    redeemed_at TIMESTAMPTZ,
    device_id   TEXT
);

CREATE TABLE devices (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    branch_id      TEXT NOT NULL REFERENCES branches(id),
    token_hash     TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    paired_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at   TIMESTAMPTZ,
    last_acked_seq BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE events (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL,
    branch_id        TEXT NOT NULL,
    device_id        TEXT NOT NULL,
    device_seq       BIGINT NOT NULL,
    store_branch_id  TEXT NOT NULL,
    user_id          TEXT,
    type             TEXT NOT NULL,
    entity           TEXT NOT NULL,
    entity_id        TEXT NOT NULL,
    payload          JSONB NOT NULL,
    created_at       BIGINT NOT NULL,
    hlc_wall         BIGINT,
    hlc_counter      BIGINT,
    received_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX events_branch_time ON events(branch_id, created_at);

CREATE TABLE catalog_feed (
    org_id   TEXT NOT NULL,
    seq      BIGINT NOT NULL,
    event_id TEXT NOT NULL UNIQUE REFERENCES events(id),
    PRIMARY KEY (org_id, seq)
);

-- The winning version of each catalogue record (last writer by HLC, ties by device id).
CREATE TABLE catalog_records (
    org_id      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    hlc_wall    BIGINT NOT NULL,
    hlc_counter BIGINT NOT NULL,
    device_id   TEXT NOT NULL,
    record      JSONB NOT NULL,
    PRIMARY KEY (org_id, entity, entity_id)
);

CREATE TABLE sales_daily (
    branch_id      TEXT NOT NULL,
    business_day   TEXT NOT NULL,
    sales_count    BIGINT NOT NULL,
    revenue_cents  BIGINT NOT NULL,
    change_cents   BIGINT NOT NULL,
    services_cents BIGINT NOT NULL,
    products_cents BIGINT NOT NULL,
    packages_cents BIGINT NOT NULL,
    cash_cents     BIGINT NOT NULL,
    card_cents     BIGINT NOT NULL,
    transfer_cents BIGINT NOT NULL,
    PRIMARY KEY (branch_id, business_day)
);

CREATE TABLE timers (
    branch_id    TEXT NOT NULL,
    timer_id     TEXT NOT NULL,
    child_name   TEXT NOT NULL,
    service_name TEXT NOT NULL,
    state        TEXT NOT NULL,
    ends_at      TEXT,
    device_seq   BIGINT NOT NULL,
    PRIMARY KEY (branch_id, timer_id)
);

CREATE TABLE stock_levels (
    branch_id  TEXT NOT NULL,
    product_id TEXT NOT NULL,
    stock      BIGINT NOT NULL,
    device_seq BIGINT NOT NULL,
    PRIMARY KEY (branch_id, product_id)
);
