-- 0006: the totem's anonymous visitor counter. Only counts and durations are kept: one row per
-- visit (when a person was first and last seen in front of the camera), never an image, a crop
-- or a face descriptor. Visits arrive in batches from the vision runner and are stored once by
-- their id, so a retried batch adds nothing. Shifts and the runner's last status live here too.

CREATE TABLE vision_visits (
    id          TEXT PRIMARY KEY,
    branch_id   TEXT NOT NULL REFERENCES branches(id),
    -- The camera's device (totem) that saw the visit, as named by the runner.
    device_id   TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER NOT NULL,
    dwell_ms    INTEGER NOT NULL CHECK (dwell_ms >= 0),
    recorded_at INTEGER NOT NULL,
    CHECK (ended_at >= started_at)
) STRICT;
CREATE INDEX vision_visits_started ON vision_visits(branch_id, started_at);

-- Named shifts of a branch in local time ("morning" 09:00–14:00). end_minute may be 1440 (the
-- day's end); a shift never crosses midnight — split it in two instead.
CREATE TABLE vision_shifts (
    branch_id    TEXT NOT NULL REFERENCES branches(id),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    PRIMARY KEY (branch_id, position),
    CHECK (end_minute > start_minute)
) STRICT;

-- What each camera's runner last said: ok, starting, no_camera, model_error, unplugged, finished.
CREATE TABLE vision_status (
    device_id     TEXT PRIMARY KEY,
    branch_id     TEXT NOT NULL REFERENCES branches(id),
    state         TEXT NOT NULL,
    message       TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT '',
    in_view       INTEGER NOT NULL DEFAULT 0,
    fps           REAL NOT NULL DEFAULT 0,
    last_frame_at INTEGER,
    updated_at    INTEGER NOT NULL
) STRICT;
