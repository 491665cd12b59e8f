-- 0005: people instead of one owner token. An organisation's owners, managers and viewers sign in
-- with email and password (argon2id), optionally a TOTP second factor; each sign-in is a session
-- whose token is kept only as a hash and can be revoked. People join by invitation link. Failed
-- sign-ins are counted here, not in a process's memory, so every cloud process behind a load
-- balancer throttles the same guesses.

-- Owner tokens are no longer issued or accepted; the column stays for old rows.
ALTER TABLE organisations ALTER COLUMN owner_token_hash DROP NOT NULL;

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    -- Lower-cased; one account per address in the whole cloud (sign-in is by address alone).
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'viewer')),
    -- Owners always see every branch; managers and viewers see these or the ones in user_branches.
    all_branches   BOOLEAN NOT NULL DEFAULT false,
    password_hash  TEXT NOT NULL,
    -- Base32 TOTP secret once the second factor is on; `totp_pending` while it is being set up.
    totp_secret    TEXT,
    totp_pending   TEXT,
    -- The last time step a code was accepted for: a code is good once.
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    disabled_at    TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE user_branches (
    user_id   TEXT NOT NULL REFERENCES users(id),
    branch_id TEXT NOT NULL REFERENCES branches(id),
    PRIMARY KEY (user_id, branch_id)
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    user_agent   TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    token_hash   TEXT NOT NULL UNIQUE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'viewer')),
    all_branches BOOLEAN NOT NULL DEFAULT false,
    branch_ids   TEXT[] NOT NULL DEFAULT '{}',
    invited_by   TEXT REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    accepted_at  TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX invitations_org ON invitations(org_id);

-- Failed sign-ins by key: `email:<address>` (each account) and `ip:<address>` (each client).
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    not_before   TIMESTAMPTZ NOT NULL
);
