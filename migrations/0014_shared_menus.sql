-- 0014: menu designs are the organisation's, like the catalogue: their edits carry the store's
-- clock so every branch keeps the same winner whatever order it sees them in.
--
-- Which local edits are stamped is now a table the trigger reads, not a list written into it:
-- sharing one more kind of record is one row, not another copy of the trigger. It is core's
-- `sync::CATALOG_EVENT_TYPES` less `catalog_override.set`, which only the cloud makes (a test
-- keeps the two the same).
CREATE TABLE sync_stamped_types (
    type TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
INSERT INTO sync_stamped_types (type) VALUES
    ('product.created'), ('product.updated'), ('service.created'), ('service.updated'),
    ('package.created'), ('package.updated'),
    ('family.created'), ('family.updated'), ('family.erased'),
    ('menu_design.created'), ('menu_design.updated'), ('menu_design.deleted');

DROP TRIGGER sync_stamp_local_catalogue;
CREATE TRIGGER sync_stamp_local_catalogue AFTER INSERT ON events
WHEN NEW.type IN (SELECT type FROM sync_stamped_types)
 AND NEW.device_id = (SELECT value FROM meta WHERE key = 'device_id')
BEGIN
    UPDATE sync_hlc SET
        counter = CASE WHEN MAX(wall_ms, NEW.created_at) = wall_ms THEN counter + 1 ELSE 0 END,
        wall_ms = MAX(wall_ms, NEW.created_at)
    WHERE id = 1;
    INSERT INTO sync_event_clocks (event_id, wall_ms, counter)
        SELECT NEW.id, wall_ms, counter FROM sync_hlc WHERE id = 1;
    INSERT INTO sync_record_clocks (entity, entity_id, wall_ms, counter, device_id)
        SELECT NEW.entity, NEW.entity_id, wall_ms, counter, NEW.device_id FROM sync_hlc WHERE id = 1
        ON CONFLICT (entity, entity_id) DO UPDATE SET
            wall_ms = excluded.wall_ms, counter = excluded.counter, device_id = excluded.device_id;
END;
