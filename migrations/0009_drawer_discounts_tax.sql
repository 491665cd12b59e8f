-- 0009: the cash drawer (floats, drops and deposits, a recount before a large difference is
-- accepted, amendments of a closed day), discounts with per-role limits, and IVA per line.

-- Branch settings: the drawer's recount threshold, the discount each role may give without a
-- supervisor (percent of the ticket), and what the receipt prints.
ALTER TABLE branches ADD COLUMN recount_threshold_cents INTEGER NOT NULL DEFAULT 5000
    CHECK (recount_threshold_cents >= 0);
ALTER TABLE branches ADD COLUMN discount_limit_reception_percent INTEGER NOT NULL DEFAULT 10
    CHECK (discount_limit_reception_percent BETWEEN 0 AND 100);
ALTER TABLE branches ADD COLUMN discount_limit_kidibar_percent INTEGER NOT NULL DEFAULT 0
    CHECK (discount_limit_kidibar_percent BETWEEN 0 AND 100);
ALTER TABLE branches ADD COLUMN legal_name TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN rfc TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN receipt_footer TEXT NOT NULL DEFAULT '';

-- The money a drawer starts the day with, once per till and business day.
CREATE TABLE till_floats (
    id           TEXT PRIMARY KEY,
    branch_id    TEXT NOT NULL REFERENCES branches(id),
    business_day TEXT NOT NULL,
    till         TEXT NOT NULL,
    float_cents  INTEGER NOT NULL CHECK (float_cents >= 0),
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    UNIQUE (branch_id, business_day, till)
) STRICT;

-- Cash taken out of a drawer to the safe (drop) or put in (deposit), with the reason.
CREATE TABLE till_movements (
    id           TEXT PRIMARY KEY,
    branch_id    TEXT NOT NULL REFERENCES branches(id),
    business_day TEXT NOT NULL,
    till         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('drop', 'deposit')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    reason       TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX till_movements_day ON till_movements(branch_id, business_day);

-- A count too far from what was expected, which the clerk was asked to repeat.
CREATE TABLE cash_counts (
    id                 TEXT PRIMARY KEY,
    branch_id          TEXT NOT NULL REFERENCES branches(id),
    business_day       TEXT NOT NULL,
    counted_cash_cents INTEGER NOT NULL,
    difference_cents   INTEGER NOT NULL,
    user_id            TEXT NOT NULL REFERENCES users(id),
    created_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX cash_counts_day ON cash_counts(branch_id, business_day);

ALTER TABLE day_closings ADD COLUMN float_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE day_closings ADD COLUMN drops_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE day_closings ADD COLUMN deposits_cents INTEGER NOT NULL DEFAULT 0;
-- The first count, when a recount was asked for.
ALTER TABLE day_closings ADD COLUMN first_count_cash_cents INTEGER;

-- A closed day corrected later by a super_admin: a new record; the closing stays as it was.
CREATE TABLE day_closing_amendments (
    id                     TEXT PRIMARY KEY,
    closing_id             TEXT NOT NULL REFERENCES day_closings(id),
    branch_id              TEXT NOT NULL REFERENCES branches(id),
    business_day           TEXT NOT NULL,
    counted_cash_cents     INTEGER NOT NULL CHECK (counted_cash_cents >= 0),
    counted_card_cents     INTEGER NOT NULL CHECK (counted_card_cents >= 0),
    counted_transfer_cents INTEGER NOT NULL CHECK (counted_transfer_cents >= 0),
    difference_cents       INTEGER NOT NULL,
    reason                 TEXT NOT NULL,
    user_id                TEXT NOT NULL REFERENCES users(id),
    created_at             INTEGER NOT NULL
) STRICT;
CREATE INDEX day_closing_amendments_closing ON day_closing_amendments(closing_id);

-- Discounts: a line's own and its share of the ticket's, so each line's total is what was paid
-- for it (refunds give back at most that). gross = unit price × quantity.
ALTER TABLE sales ADD COLUMN gross_cents INTEGER;
ALTER TABLE sales ADD COLUMN discount_cents INTEGER NOT NULL DEFAULT 0 CHECK (discount_cents >= 0);
ALTER TABLE sales ADD COLUMN discount_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE sales ADD COLUMN discount_authorized_by TEXT REFERENCES users(id);
UPDATE sales SET gross_cents = total_cents;
ALTER TABLE sale_items ADD COLUMN gross_cents INTEGER;
ALTER TABLE sale_items ADD COLUMN discount_cents INTEGER NOT NULL DEFAULT 0 CHECK (discount_cents >= 0);
UPDATE sale_items SET gross_cents = total_cents;

-- IVA: prices include it; each line keeps its rate and the tax inside its total.
ALTER TABLE products ADD COLUMN iva_rate TEXT NOT NULL DEFAULT '16' CHECK (iva_rate IN ('16', '0', 'exento'));
ALTER TABLE services ADD COLUMN iva_rate TEXT NOT NULL DEFAULT '16' CHECK (iva_rate IN ('16', '0', 'exento'));
ALTER TABLE packages ADD COLUMN iva_rate TEXT NOT NULL DEFAULT '16' CHECK (iva_rate IN ('16', '0', 'exento'));
ALTER TABLE sale_items ADD COLUMN iva_rate TEXT NOT NULL DEFAULT '16' CHECK (iva_rate IN ('16', '0', 'exento'));
ALTER TABLE sale_items ADD COLUMN iva_cents INTEGER NOT NULL DEFAULT 0 CHECK (iva_cents >= 0);
UPDATE sale_items SET iva_cents = (total_cents * 16 + 58) / 116;

-- Reports: discounts given, by hour like the rest.
ALTER TABLE report_hourly ADD COLUMN gross_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE report_hourly ADD COLUMN discounts_cents INTEGER NOT NULL DEFAULT 0;
UPDATE report_hourly SET gross_cents = revenue_cents;
