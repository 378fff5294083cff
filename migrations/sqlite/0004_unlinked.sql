-- Responses nobody can trace, stuff or keep forever (design.md section 3; docs/privacy.md).
-- Same tables and columns as migrations/postgres/0004_unlinked.sql.
--
-- SQLite cannot drop a CHECK constraint, so `responses` is rebuilt. Dropping it would cascade to
-- every answer and comment that references it, and `PRAGMA foreign_keys` cannot change inside the
-- migration's transaction, so its two child tables are rebuilt with it: the copies reference the
-- new table, the old children go first, and renaming the new table renames their references.

-- An anonymous round records on the invitation only that it was submitted, never when or which
-- response: the response itself carries no reference to it.
ALTER TABLE invitations ADD COLUMN submitted INTEGER NOT NULL DEFAULT 0 CHECK (submitted IN (0, 1));
UPDATE invitations SET submitted = 1
    WHERE id IN (SELECT invitation_id FROM responses WHERE status = 'submitted');

CREATE TABLE responses_unlinked (
    id INTEGER PRIMARY KEY,
    -- The draft's invitation, and an identified round's submission's. NULL for an anonymous
    -- round's submissions and open-link responses.
    invitation_id INTEGER UNIQUE REFERENCES invitations (id),
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    -- The server-issued one-time id of an open-link form, so a retried POST is recognised.
    open_form_id TEXT UNIQUE,
    consent INTEGER NOT NULL CHECK (consent IN (0, 1)),
    -- The group the response is scored in, copied from the invitation when it is submitted.
    sector TEXT,
    language TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    -- An anonymous round's submission keeps the day only, so no time matches the moment its
    -- invitation turned to submitted.
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    pseudonym TEXT,
    released_in INTEGER,
    -- BLAKE2b digest of the draft's resume secret, which only the partner holds.
    resume_digest TEXT,
    -- BLAKE2b digest of the receipt code shown after submitting, with which a partner withdraws.
    receipt_digest TEXT UNIQUE,
    -- Why the response no longer counts: withdrawn by its partner, excluded or deleted by a
    -- facilitator (`removed_by`). It leaves the figures in release `removed_in`.
    removed TEXT CHECK (removed IN ('withdrawn', 'excluded', 'deleted')),
    removed_by INTEGER REFERENCES facilitators (id),
    removed_at TEXT,
    removed_in INTEGER,
    CHECK (invitation_id IS NULL OR open_form_id IS NULL)
);

-- Anonymous rounds' submissions lose their invitation and take its sector and language.
INSERT INTO responses_unlinked (id, invitation_id, round_id, open_form_id, consent, sector,
    language, status, started_at, updated_at, submitted_at, pseudonym, released_in)
SELECT r.id,
    CASE WHEN r.status = 'submitted' AND ro.identified_consent IS NULL THEN NULL
         ELSE r.invitation_id END,
    r.round_id, r.open_form_id, r.consent,
    CASE WHEN r.status = 'submitted' THEN COALESCE(r.sector, i.sector) ELSE r.sector END,
    CASE WHEN r.status = 'submitted' THEN COALESCE(r.language, i.language) ELSE r.language END,
    r.status,
    CASE WHEN r.status = 'submitted' AND ro.identified_consent IS NULL
         THEN substr(r.submitted_at, 1, 10) || 'T00:00:00Z' ELSE r.started_at END,
    CASE WHEN r.status = 'submitted' AND ro.identified_consent IS NULL
         THEN substr(r.submitted_at, 1, 10) || 'T00:00:00Z' ELSE r.updated_at END,
    CASE WHEN r.status = 'submitted' AND ro.identified_consent IS NULL
         THEN substr(r.submitted_at, 1, 10) || 'T00:00:00Z' ELSE r.submitted_at END,
    r.pseudonym, r.released_in
FROM responses r
JOIN rounds ro ON ro.id = r.round_id
LEFT JOIN invitations i ON i.id = r.invitation_id;

CREATE TABLE response_answers_unlinked (
    response_id INTEGER NOT NULL REFERENCES responses_unlinked (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    value INTEGER,
    code TEXT,
    PRIMARY KEY (response_id, item_id),
    CHECK ((value IS NULL) <> (code IS NULL))
);
INSERT INTO response_answers_unlinked (response_id, item_id, value, code)
    SELECT response_id, item_id, value, code FROM response_answers;

CREATE TABLE response_comments_unlinked (
    response_id INTEGER NOT NULL REFERENCES responses_unlinked (id) ON DELETE CASCADE,
    comment_id TEXT NOT NULL,
    body TEXT NOT NULL,
    handle TEXT,
    redacted_by INTEGER REFERENCES facilitators (id),
    redacted_at TEXT,
    PRIMARY KEY (response_id, comment_id)
);
INSERT INTO response_comments_unlinked
    (response_id, comment_id, body, handle, redacted_by, redacted_at)
    SELECT response_id, comment_id, body, handle, redacted_by, redacted_at FROM response_comments;

DROP TABLE response_answers;
DROP TABLE response_comments;
DROP TABLE responses;
ALTER TABLE responses_unlinked RENAME TO responses;
ALTER TABLE response_answers_unlinked RENAME TO response_answers;
ALTER TABLE response_comments_unlinked RENAME TO response_comments;
CREATE UNIQUE INDEX response_comments_handle ON response_comments (handle);
CREATE INDEX responses_round ON responses (round_id, status);
CREATE UNIQUE INDEX responses_pseudonym ON responses (round_id, pseudonym);

-- An open-link round can stop taking responses after this many (NULL: no cap).
ALTER TABLE rounds ADD COLUMN open_cap INTEGER CHECK (open_cap >= 1);

-- Keys the server makes once and every app server shares, such as the one signing open-link
-- form ids.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
