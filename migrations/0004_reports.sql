-- 0004: reports that stay fast on a year of a busy store. Sums per branch, business day and
-- local clock hour (report_hourly) and per item per day (report_items_daily) are written in the
-- same transaction as each sale, so the dashboard reads a few thousand rows instead of hundreds
-- of thousands of sales, items and payments. Stores that already hold sales are summed once at
-- start (meta 'report_rollup' = 'stale'). Timers get an index for check-in counts by branch.

CREATE TABLE report_hourly (
    branch_id       TEXT NOT NULL,
    business_day    TEXT NOT NULL,
    -- Hour of the sale on the branch's wall clock, 0-23.
    hour            INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    sales_count     INTEGER NOT NULL,
    revenue_cents   INTEGER NOT NULL,
    services_cents  INTEGER NOT NULL,
    products_cents  INTEGER NOT NULL,
    packages_cents  INTEGER NOT NULL,
    -- Payments received, before cash change is handed back.
    cash_cents      INTEGER NOT NULL,
    card_cents      INTEGER NOT NULL,
    transfer_cents  INTEGER NOT NULL,
    change_cents    INTEGER NOT NULL,
    PRIMARY KEY (branch_id, business_day, hour)
) STRICT, WITHOUT ROWID;

CREATE TABLE report_items_daily (
    branch_id     TEXT NOT NULL,
    business_day  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('product', 'service', 'package')),
    item_id       TEXT NOT NULL,
    -- The name on the latest ticket of that day.
    name          TEXT NOT NULL,
    quantity      INTEGER NOT NULL,
    revenue_cents INTEGER NOT NULL,
    PRIMARY KEY (branch_id, business_day, kind, item_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX timers_branch_start ON timers(branch_id, starts_at, state, service_id, duration_ms);

INSERT INTO meta (key, value) VALUES ('report_rollup', 'stale')
    ON CONFLICT (key) DO UPDATE SET value = 'stale';
