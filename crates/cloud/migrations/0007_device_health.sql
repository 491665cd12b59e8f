-- 0007: what each store says of itself when it pulls: its events still waiting to be pushed and
-- the version it runs, for the console's view of every store's health.
ALTER TABLE devices ADD COLUMN pending_events BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN app_version TEXT NOT NULL DEFAULT '';
