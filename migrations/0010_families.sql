-- 0010: families and the children they bring, several children per ticket, pick-up codes and
-- checkout, the venue's capacity, consent texts and their signatures, and how long personal data
-- is kept.

-- Branch settings: months without a visit after which a family's personal data is erased; whether
-- the wall shows full names (otherwise first name and initial); minutes before the end when the
-- guardian is called ("quedan 5 minutos"; 0 = never).
ALTER TABLE branches ADD COLUMN retention_months INTEGER NOT NULL DEFAULT 24
    CHECK (retention_months BETWEEN 1 AND 120);
ALTER TABLE branches ADD COLUMN monitor_full_names INTEGER NOT NULL DEFAULT 0
    CHECK (monitor_full_names IN (0, 1));
ALTER TABLE branches ADD COLUMN warning_minutes INTEGER NOT NULL DEFAULT 5
    CHECK (warning_minutes BETWEEN 0 AND 60);

-- A family: its guardians and the other adults who may collect the children (JSON arrays, the
-- record is shared with the organisation's other branches whole), and what search matches:
-- folded names and the digits of every phone. `branch_id` is where it was first registered (no
-- foreign key: families arrive from other branches through sync).
CREATE TABLE families (
    id            TEXT PRIMARY KEY,
    branch_id     TEXT NOT NULL,
    guardians     TEXT NOT NULL DEFAULT '[]',
    pickup_adults TEXT NOT NULL DEFAULT '[]',
    notes         TEXT NOT NULL DEFAULT '',
    search_text   TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_visit_at INTEGER,
    erased_at     INTEGER
) STRICT;
CREATE INDEX families_last_visit ON families(COALESCE(last_visit_at, created_at));

CREATE TABLE family_children (
    id         TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL REFERENCES families(id),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    birth_date TEXT,
    -- Allergies and the like, shown at check-in and printed on the ticket and wristband.
    notes      TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;
CREATE INDEX family_children_family ON family_children(family_id, position);

-- The consent (carta responsiva) and privacy notice a branch asks guardians to accept; a new
-- text is a new version, the old ones stay as they were accepted.
CREATE TABLE consent_versions (
    branch_id      TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version > 0),
    consent_text   TEXT NOT NULL,
    privacy_notice TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    user_id        TEXT,
    PRIMARY KEY (branch_id, version)
) STRICT;

-- A guardian's acceptance: their name and drawn signature (strokes of points, never a photo).
CREATE TABLE consent_acceptances (
    id          TEXT PRIMARY KEY,
    family_id   TEXT NOT NULL REFERENCES families(id),
    branch_id   TEXT NOT NULL,
    version     INTEGER NOT NULL,
    signer_name TEXT NOT NULL,
    signature   TEXT NOT NULL,
    accepted_at INTEGER NOT NULL,
    user_id     TEXT,
    device_id   TEXT
) STRICT;
CREATE INDEX consent_acceptances_family ON consent_acceptances(family_id, branch_id, version);

-- A check-in ticket's pick-up code (on the sale and each of its timers), the family it was for,
-- and the supervisor who let it in over the venue's capacity.
ALTER TABLE sales ADD COLUMN pickup_code TEXT;
ALTER TABLE sales ADD COLUMN family_id TEXT;
ALTER TABLE sales ADD COLUMN capacity_override_by TEXT REFERENCES users(id);

ALTER TABLE timers ADD COLUMN pickup_code TEXT;
ALTER TABLE timers ADD COLUMN family_id TEXT;
ALTER TABLE timers ADD COLUMN child_id TEXT;
ALTER TABLE timers ADD COLUMN child_notes TEXT NOT NULL DEFAULT '';
-- What the wall and the speakers call the child (first name and initial unless the branch shows
-- full names).
ALTER TABLE timers ADD COLUMN public_name TEXT NOT NULL DEFAULT '';
-- The end time the guardian was last called for ("quedan 5 minutos"): an extension moves the end
-- and calls again.
ALTER TABLE timers ADD COLUMN warned_ends_at INTEGER;
CREATE INDEX timers_pickup ON timers(pickup_code, state);
UPDATE timers SET public_name = CASE
    WHEN instr(trim(child_name), ' ') > 0 THEN
        substr(trim(child_name), 1, instr(trim(child_name), ' ') - 1) || ' '
        || upper(substr(trim(child_name), instr(trim(child_name), ' ') + 1, 1)) || '.'
    ELSE trim(child_name) END;

-- A pick-up: who collected the children on a code, and who authorised it when that adult was
-- not on the family's list.
CREATE TABLE checkouts (
    id            TEXT PRIMARY KEY,
    branch_id     TEXT NOT NULL REFERENCES branches(id),
    pickup_code   TEXT NOT NULL,
    sale_id       TEXT REFERENCES sales(id),
    family_id     TEXT,
    collected_by  TEXT NOT NULL,
    authorized_by TEXT REFERENCES users(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX checkouts_code ON checkouts(pickup_code, created_at);

-- Where an optional SMS/WhatsApp gateway is called when a guardian must come (off when empty).
CREATE TABLE notify_settings (
    branch_id   TEXT PRIMARY KEY,
    webhook_url TEXT NOT NULL DEFAULT '',
    secret      TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL
) STRICT;

-- Family edits carry the store's clock like catalogue edits: families are shared by the branches
-- and their versions are ordered the same way.
DROP TRIGGER sync_stamp_local_catalogue;
CREATE TRIGGER sync_stamp_local_catalogue AFTER INSERT ON events
WHEN NEW.type IN ('product.created', 'product.updated', 'service.created', 'service.updated',
                  'package.created', 'package.updated',
                  'family.created', 'family.updated', 'family.erased')
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

-- The log stays immutable with one exception the law makes: personal data erased from an
-- event's payload (a family's erasure, the retention period), marked by when. Nothing else of an
-- event may change.
ALTER TABLE events ADD COLUMN erased_at INTEGER;
DROP TRIGGER events_no_update;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NEW.erased_at IS NULL
  OR NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id OR NEW.branch_id IS NOT OLD.branch_id
  OR NEW.device_id IS NOT OLD.device_id OR NEW.user_id IS NOT OLD.user_id
  OR NEW.type IS NOT OLD.type OR NEW.entity IS NOT OLD.entity
  OR NEW.entity_id IS NOT OLD.entity_id OR NEW.created_at IS NOT OLD.created_at
BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
