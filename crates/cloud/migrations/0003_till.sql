-- 0003: the till from the stores. Sales' list prices and discounts by day (revenue stays net of
-- both and of refunds), and each day's cash drawer work: floats, drops and deposits.
ALTER TABLE sales_daily ADD COLUMN gross_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sales_daily ADD COLUMN discounts_cents BIGINT NOT NULL DEFAULT 0;
-- Before discounts existed, a day's list prices were its sales: revenue plus what was refunded.
UPDATE sales_daily SET gross_cents = revenue_cents + refunds_cents;

CREATE TABLE till_daily (
    branch_id      TEXT NOT NULL,
    business_day   TEXT NOT NULL,
    float_cents    BIGINT NOT NULL DEFAULT 0,
    drops_cents    BIGINT NOT NULL DEFAULT 0,
    deposits_cents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (branch_id, business_day)
);
