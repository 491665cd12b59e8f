-- 0007: the till's corrections and who made them.
-- Staff PINs (4–6 digits) for a fast user switch and for a supervisor's authorization; only an
-- argon2 hash is kept, like passwords.
ALTER TABLE users ADD COLUMN pin_hash TEXT;

-- Human folios per branch: a sale is `A-000123`, a refund `A-D000007`.
ALTER TABLE branches ADD COLUMN folio_prefix TEXT NOT NULL DEFAULT 'A';
-- Refunds below this amount need no supervisor's authorization (0: every refund needs one).
ALTER TABLE branches ADD COLUMN refund_free_below_cents INTEGER NOT NULL DEFAULT 0
    CHECK (refund_free_below_cents >= 0);

-- Which line of its sale a timer was sold by, so refunding the line cancels that timer. Older
-- timers are matched to their line by child and name.
ALTER TABLE timers ADD COLUMN sale_position INTEGER;
UPDATE timers SET sale_position = (
    SELECT i.position FROM sale_items i
    WHERE i.sale_id = timers.sale_id AND i.child_name = timers.child_name AND i.name = timers.service_name
    ORDER BY i.position LIMIT 1)
WHERE sale_id IS NOT NULL;

-- A refund is its own record, never an edit of the sale: what was given back of which line, and
-- how the money went back. A refund without lines named by the clerk is a void of the whole sale.
CREATE TABLE refunds (
    id            TEXT PRIMARY KEY,
    number        INTEGER NOT NULL UNIQUE,
    sale_id       TEXT NOT NULL REFERENCES sales(id),
    branch_id     TEXT NOT NULL REFERENCES branches(id),
    business_day  TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    -- The supervisor who authorised it with their PIN; NULL when none was needed.
    authorized_by TEXT REFERENCES users(id),
    device_id     TEXT NOT NULL,
    folio         TEXT NOT NULL UNIQUE,
    reason        TEXT NOT NULL,
    -- Free items given back refund nothing but still come back to stock.
    total_cents   INTEGER NOT NULL CHECK (total_cents >= 0),
    is_void       INTEGER NOT NULL CHECK (is_void IN (0, 1))
) STRICT;
CREATE INDEX refunds_sale ON refunds(sale_id);
CREATE INDEX refunds_day ON refunds(branch_id, business_day);

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
CREATE INDEX refund_items_line ON refund_items(sale_id, sale_position);

CREATE TABLE refund_payments (
    refund_id    TEXT NOT NULL REFERENCES refunds(id),
    position     INTEGER NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (refund_id, position)
) STRICT;

-- Retried refunds answer the first one (the same rule as sales).
CREATE TABLE refund_keys (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    refund_id    TEXT NOT NULL REFERENCES refunds(id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;

-- The folio printed on a sale stays what it was, whatever the prefix becomes later.
ALTER TABLE sales ADD COLUMN folio TEXT;
UPDATE sales SET folio = (SELECT b.folio_prefix FROM branches b WHERE b.id = sales.branch_id)
    || '-' || printf('%06d', number);
CREATE UNIQUE INDEX sales_folio ON sales(folio);

-- Refunds in the report sums, on the day and hour the money went back: reports show gross sales,
-- refunds and net. Existing stores hold no refunds, so nothing needs summing again.
ALTER TABLE report_hourly ADD COLUMN refunds_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN refunds_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN refund_services_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN refund_products_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN refund_packages_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN refund_cash_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN refund_card_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN refund_transfer_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_items_daily ADD COLUMN refunded_quantity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_items_daily ADD COLUMN refunded_cents INTEGER NOT NULL DEFAULT 0;
