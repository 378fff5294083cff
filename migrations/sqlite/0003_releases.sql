-- Releases (design.md section 3): a round's figures published as numbered snapshots, never
-- recomputed per view. Each submitted response records the release that first included it (its
-- batch) and carries a random pseudonym, the only id its rows show.

ALTER TABLE rounds ADD COLUMN interim_releases INTEGER NOT NULL DEFAULT 0
    CHECK (interim_releases IN (0, 1));

-- An identified round stores the consent statement partners were shown, fixed at creation: their
-- answers are linked to their organisation. NULL: an anonymous round.
ALTER TABLE rounds ADD COLUMN identified_consent TEXT;

ALTER TABLE responses ADD COLUMN pseudonym TEXT;
-- NULL until a release includes the response.
ALTER TABLE responses ADD COLUMN released_in INTEGER;
UPDATE responses SET pseudonym = lower(hex(randomblob(8))) WHERE status = 'submitted';
CREATE UNIQUE INDEX responses_pseudonym ON responses (round_id, pseudonym);

-- Comments are listed without their response: a random handle names one for redaction, and a
-- redaction replaces its text and records who did it and when.
ALTER TABLE response_comments ADD COLUMN handle TEXT;
ALTER TABLE response_comments ADD COLUMN redacted_by INTEGER REFERENCES facilitators (id);
ALTER TABLE response_comments ADD COLUMN redacted_at TEXT;
UPDATE response_comments SET handle = lower(hex(randomblob(8)));
CREATE UNIQUE INDEX response_comments_handle ON response_comments (handle);

CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    -- The release as JSON: its figures, which release each published cell is about, and how
    -- far its rows are listed.
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (round_id, number)
);
