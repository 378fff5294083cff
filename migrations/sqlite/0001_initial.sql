-- Partnerships, rounds, invitations and responses (design.md section 2).
-- Timestamps are RFC 3339 UTC text written by the application, so both engines store the same.

CREATE TABLE partnerships (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- The facilitator who owns the partnership; accounts arrive with the facilitator issue.
    owner_id INTEGER,
    created_at TEXT NOT NULL
);

CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    instrument_id TEXT NOT NULL,
    instrument_version TEXT NOT NULL,
    -- The exact TOML the round was created with: later edits of the file change nothing here.
    instrument_source TEXT NOT NULL,
    wave TEXT NOT NULL,
    min_group_size INTEGER NOT NULL DEFAULT 3 CHECK (min_group_size >= 1),
    open_token TEXT UNIQUE,
    created_at TEXT NOT NULL,
    -- NULL while the round is open.
    closed_at TEXT
);
CREATE INDEX rounds_partnership ON rounds (partnership_id);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    token TEXT NOT NULL UNIQUE,
    organisation TEXT NOT NULL,
    sector TEXT,
    language TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX invitations_round ON invitations (round_id);

CREATE TABLE responses (
    id INTEGER PRIMARY KEY,
    -- One row per invitation holds the draft and becomes the submission, so this index is what
    -- makes a second submission impossible. NULL for open-link responses.
    invitation_id INTEGER UNIQUE REFERENCES invitations (id),
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    -- The one-time id of an open-link form, so a retried POST is recognised.
    open_form_id TEXT UNIQUE,
    -- 0 or 1 (flags are integers on both engines).
    consent INTEGER NOT NULL CHECK (consent IN (0, 1)),
    sector TEXT,
    language TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    CHECK ((invitation_id IS NULL) <> (open_form_id IS NULL))
);
CREATE INDEX responses_round ON responses (round_id, status);

CREATE TABLE response_answers (
    response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    -- Exactly one of: a value on the item's scale, or a non-substantive code such as `dk`.
    value INTEGER,
    code TEXT,
    PRIMARY KEY (response_id, item_id),
    CHECK ((value IS NULL) <> (code IS NULL))
);

CREATE TABLE response_comments (
    response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    comment_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (response_id, comment_id)
);
