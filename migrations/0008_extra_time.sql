-- 0008: play time past its end is sold, not given away.
-- A service prices extra time in blocks (for extensions and overtime alike) after a grace period;
-- 0 minutes in a block means the service sells no extra time.
ALTER TABLE services ADD COLUMN extra_block_minutes INTEGER NOT NULL DEFAULT 0
    CHECK (extra_block_minutes BETWEEN 0 AND 720);
ALTER TABLE services ADD COLUMN extra_block_price_cents INTEGER NOT NULL DEFAULT 0
    CHECK (extra_block_price_cents >= 0);
ALTER TABLE services ADD COLUMN grace_minutes INTEGER NOT NULL DEFAULT 0
    CHECK (grace_minutes BETWEEN 0 AND 120);

-- A timer keeps the extra-time prices of when it was sold, so a later price change does not
-- reprice a child already playing.
ALTER TABLE timers ADD COLUMN extra_block_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timers ADD COLUMN extra_block_price_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timers ADD COLUMN grace_minutes INTEGER NOT NULL DEFAULT 0;
UPDATE timers SET
    extra_block_minutes = COALESCE((SELECT s.extra_block_minutes FROM services s WHERE s.id = timers.service_id), 0),
    extra_block_price_cents = COALESCE((SELECT s.extra_block_price_cents FROM services s WHERE s.id = timers.service_id), 0),
    grace_minutes = COALESCE((SELECT s.grace_minutes FROM services s WHERE s.id = timers.service_id), 0);
-- Overtime played when the timer was stopped (ms), and how it was settled.
ALTER TABLE timers ADD COLUMN overtime_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timers ADD COLUMN overtime_settlement TEXT
    CHECK (overtime_settlement IN ('charged', 'waived'));

-- A line that sells extra time for a timer: `extension` (bought ahead) or `overtime` (played
-- past the end, charged when the timer is stopped). Its kind stays `service`.
ALTER TABLE sale_items ADD COLUMN timer_id TEXT REFERENCES timers(id);
ALTER TABLE sale_items ADD COLUMN extra TEXT CHECK (extra IN ('extension', 'overtime'));
ALTER TABLE sale_items ADD COLUMN extra_minutes INTEGER;
CREATE INDEX sale_items_timer ON sale_items(timer_id) WHERE timer_id IS NOT NULL;
