-- 0006: the stores' day closings (their cash differences, for the console and its alerts), the
-- children checked in per day, and
-- alerts: each organisation's rules, every alert raised once per occurrence, and a log of what
-- was sent where.

-- Children checked in per day (one per play timer a sale started), for the dashboard.
ALTER TABLE sales_daily ADD COLUMN children BIGINT NOT NULL DEFAULT 0;

CREATE TABLE day_closings (
    branch_id        TEXT NOT NULL,
    closing_id       TEXT NOT NULL,
    business_day     TEXT NOT NULL,
    expected_cents   BIGINT NOT NULL,
    counted_cents    BIGINT NOT NULL,
    -- Counted minus expected as the day stands now (the last amendment's, or the closing's).
    difference_cents BIGINT NOT NULL,
    amendments       INTEGER NOT NULL DEFAULT 0,
    closed_at        TEXT NOT NULL,
    closed_by_name   TEXT NOT NULL,
    PRIMARY KEY (branch_id, closing_id)
);
CREATE INDEX day_closings_day ON day_closings (branch_id, business_day);

-- One row per organisation once its owner changes a default.
CREATE TABLE alert_settings (
    org_id                TEXT PRIMARY KEY REFERENCES organisations(id),
    emails                TEXT[] NOT NULL DEFAULT '{}',
    webhook_url           TEXT NOT NULL DEFAULT '',
    webhook_secret        TEXT NOT NULL DEFAULT '',
    offline_enabled       BOOLEAN NOT NULL DEFAULT true,
    offline_minutes       INTEGER NOT NULL DEFAULT 30,
    -- Business hours in each branch's own zone: a store closed at night is not "offline".
    opens_at              TEXT NOT NULL DEFAULT '09:00',
    closes_at             TEXT NOT NULL DEFAULT '21:00',
    cash_enabled          BOOLEAN NOT NULL DEFAULT true,
    cash_difference_cents BIGINT NOT NULL DEFAULT 20000,
    stock_enabled         BOOLEAN NOT NULL DEFAULT true,
    refunds_enabled       BOOLEAN NOT NULL DEFAULT true,
    refund_share_percent  INTEGER NOT NULL DEFAULT 10,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE alerts (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    branch_id  TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('offline', 'cash_difference', 'low_stock', 'refunds')),
    -- The occurrence: a store (while it stays silent), a branch's day, a product (while low).
    subject    TEXT NOT NULL,
    title      TEXT NOT NULL,
    detail     TEXT NOT NULL,
    raised_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    cleared_at TIMESTAMPTZ
);
-- One open alert per occurrence, whichever cloud process sees it first: the insert that loses
-- the race does nothing, so nothing is sent twice.
CREATE UNIQUE INDEX alerts_open ON alerts (org_id, kind, subject) WHERE cleared_at IS NULL;
CREATE INDEX alerts_org_time ON alerts (org_id, raised_at DESC);

CREATE TABLE alert_deliveries (
    id       BIGSERIAL PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts(id),
    channel  TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target   TEXT NOT NULL,
    ok       BOOLEAN NOT NULL,
    error    TEXT NOT NULL DEFAULT '',
    sent_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id);
