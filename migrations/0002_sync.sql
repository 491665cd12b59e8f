-- 0002: store ↔ cloud sync. The queue is the event log itself; these tables only remember how far
-- the cloud has acknowledged it (cursors), which events came from the cloud (so they are never
-- pushed back), the device credential from pairing, and the hybrid logical clocks (HLC) that
-- decide concurrent catalogue edits the same way on every branch and in the cloud.

-- Named positions: 'push' = the last event seq the cloud acknowledged; 'pull' = the last
-- catalogue-feed position applied here.
CREATE TABLE sync_cursors (
    name       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL CHECK (position >= 0),
    updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO sync_cursors (name, position, updated_at) VALUES ('push', 0, 0), ('pull', 0, 0);

-- The link to the cloud, written when the store is paired. The token is this store's own
-- credential (the cloud keeps only its hash); it is needed in clear to authenticate.
CREATE TABLE sync_link (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    cloud_url       TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    cloud_branch_id TEXT NOT NULL,
    device_token    TEXT NOT NULL,
    paired_at       INTEGER NOT NULL
) STRICT;

-- Events that arrived from the cloud: kept in the log like any other, never pushed back.
-- applied = 0 when the HLC rule kept the local version (or the clock was refused); note says why.
CREATE TABLE sync_remote_events (
    event_id   TEXT PRIMARY KEY,
    feed_seq   INTEGER NOT NULL,
    applied    INTEGER NOT NULL CHECK (applied IN (0, 1)),
    note       TEXT NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL
) STRICT;

-- This store's hybrid logical clock: wall milliseconds and a counter for ties within one ms.
CREATE TABLE sync_hlc (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    wall_ms INTEGER NOT NULL,
    counter INTEGER NOT NULL
) STRICT;
INSERT INTO sync_hlc (id, wall_ms, counter) VALUES (1, 0, 0);

-- The clock of each catalogue event written here (pushed with it).
CREATE TABLE sync_event_clocks (
    event_id TEXT PRIMARY KEY,
    wall_ms  INTEGER NOT NULL,
    counter  INTEGER NOT NULL
) STRICT;

-- The clock of the version of each catalogue record held in the current-state tables; a remote
-- edit replaces it only when its (wall_ms, counter, device_id) is greater.
CREATE TABLE sync_record_clocks (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    wall_ms   INTEGER NOT NULL,
    counter   INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
) STRICT;

-- Every catalogue edit made at this store is stamped in the same transaction that records it,
-- by the core code that already writes the event, without that code knowing about sync: the
-- clock moves past both the edit's time and any remote clock already seen.
CREATE TRIGGER sync_stamp_local_catalogue AFTER INSERT ON events
WHEN NEW.type IN ('product.created', 'product.updated', 'service.created', 'service.updated',
                  'package.created', 'package.updated')
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
