-- 0002: refunds from the stores. A refund counts on the business day the money went back: it is
-- taken off that day's revenue, types and payment methods (so every report is net), and its
-- total is kept apart in refunds_cents so the owner sees gross, refunds and net.
ALTER TABLE sales_daily ADD COLUMN refunds_cents BIGINT NOT NULL DEFAULT 0;
