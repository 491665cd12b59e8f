-- 0005: the store's sound. Uploaded clips (stored normalised to -16 LUFS, by content hash, in the
-- data dir; these rows hold their metadata), the schedule that plays them by day and time, and
-- the per-branch settings for announcements, quiet hours and day-part volumes.

CREATE TABLE audio_clips (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- sha256 of the normalised WAV: its file name under <data-dir>/audio/.
    hash            TEXT NOT NULL,
    -- What was uploaded (wav, mp3, ogg, flac) and how loud it was before normalising.
    source_format   TEXT NOT NULL,
    source_lufs     REAL NOT NULL,
    duration_ms     INTEGER NOT NULL CHECK (duration_ms > 0),
    loudness_lufs   REAL NOT NULL,
    true_peak_dbtp  REAL NOT NULL,
    bytes           INTEGER NOT NULL CHECK (bytes > 0),
    created_at      INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX audio_clips_name ON audio_clips (name);

-- days: JSON array of ISO weekdays (1 = Monday … 7 = Sunday); times: JSON array of "HH:MM";
-- or every_minutes between window_start and window_end. Dates are business days (YYYY-MM-DD).
CREATE TABLE audio_schedules (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    clip_id        TEXT NOT NULL REFERENCES audio_clips (id),
    days           TEXT NOT NULL,
    times          TEXT NOT NULL,
    every_minutes  INTEGER CHECK (every_minutes IS NULL OR every_minutes BETWEEN 1 AND 1440),
    window_start   TEXT,
    window_end     TEXT,
    start_date     TEXT,
    end_date       TEXT,
    volume         INTEGER NOT NULL CHECK (volume BETWEEN 0 AND 100),
    enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX audio_schedules_clip ON audio_schedules (clip_id);

-- One JSON document per branch (language, template, quiet hours, day parts), validated by the
-- core before it is written.
CREATE TABLE audio_settings (
    branch_id   TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
