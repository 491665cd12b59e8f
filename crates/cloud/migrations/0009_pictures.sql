-- 0009: the pictures menu designs name (logo, background), relayed from the branch that made the
-- design to the others: kept once per organisation by content hash (sha256 of the bytes), in
-- the database like everything the cloud keeps.
CREATE TABLE pictures (
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    hash       TEXT NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    bytes      BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, hash)
);
