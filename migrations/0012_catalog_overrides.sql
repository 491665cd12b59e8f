-- 0012: a branch's own price or availability for a catalogue record, set centrally in the cloud.
-- Only this store's branch's overrides are kept. The record's row holds what applies here (the
-- override); `base_*` keep the organisation's values, which this store's own catalogue events
-- carry so an override never leaks to the other branches.
CREATE TABLE catalog_overrides (
    entity           TEXT NOT NULL CHECK (entity IN ('product', 'service', 'package')),
    entity_id        TEXT NOT NULL,
    price_cents      INTEGER,
    active           INTEGER,
    base_price_cents INTEGER,
    base_active      INTEGER,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (entity, entity_id)
);
