-- Facilitator accounts, their sessions, the sign-in slowdown, and partner e-mail addresses
-- (design.md sections 1 and 2). Same tables and columns as migrations/postgres/0002.
-- Times that are compared (expiry, lockout) are Unix seconds; flags are 0/1 integers.

CREATE TABLE facilitators (
    id INTEGER PRIMARY KEY,
    -- Lowercased by the application, so the unique index is case-insensitive in effect.
    email TEXT NOT NULL UNIQUE,
    -- argon2id PHC string.
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    created_at TEXT NOT NULL
);

-- Sessions live in the database so any app server can check them.
CREATE TABLE sessions (
    -- BLAKE2b digest of the cookie's token: a copy of this table signs no one in.
    token_digest TEXT PRIMARY KEY,
    facilitator_id INTEGER NOT NULL REFERENCES facilitators (id) ON DELETE CASCADE,
    -- The synchronizer token every state-changing form of this session must carry.
    csrf_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_facilitator ON sessions (facilitator_id);

-- Failed sign-ins per e-mail address, shared by every app server.
CREATE TABLE sign_in_failures (
    email TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

ALTER TABLE invitations ADD COLUMN email TEXT;
CREATE INDEX partnerships_owner ON partnerships (owner_id);
