-- Responses nobody can trace, stuff or keep forever (design.md section 3; docs/privacy.md),
-- PostgreSQL. Same tables and columns as migrations/sqlite/0004_unlinked.sql.

-- An anonymous round records on the invitation only that it was submitted, never when or which
-- response: the response itself carries no reference to it.
ALTER TABLE invitations ADD COLUMN submitted INTEGER NOT NULL DEFAULT 0
    CHECK (submitted IN (0, 1));
UPDATE invitations SET submitted = 1
    WHERE id IN (SELECT invitation_id FROM responses WHERE status = 'submitted');

-- The draft's invitation, and an identified round's submission's; NULL for an anonymous
-- round's submissions and open-link responses.
ALTER TABLE responses DROP CONSTRAINT responses_check;
ALTER TABLE responses ADD CONSTRAINT responses_one_source
    CHECK (invitation_id IS NULL OR open_form_id IS NULL);

-- BLAKE2b digest of the draft's resume secret, which only the partner holds.
ALTER TABLE responses ADD COLUMN resume_digest TEXT;
-- BLAKE2b digest of the receipt code shown after submitting, with which a partner withdraws.
ALTER TABLE responses ADD COLUMN receipt_digest TEXT UNIQUE;
-- Why the response no longer counts: withdrawn by its partner, excluded or deleted by a
-- facilitator (`removed_by`). It leaves the figures in release `removed_in`.
ALTER TABLE responses ADD COLUMN removed TEXT
    CHECK (removed IN ('withdrawn', 'excluded', 'deleted'));
ALTER TABLE responses ADD COLUMN removed_by BIGINT REFERENCES facilitators (id);
ALTER TABLE responses ADD COLUMN removed_at TEXT;
ALTER TABLE responses ADD COLUMN removed_in BIGINT;

-- Anonymous rounds' submissions lose their invitation and take its sector and language; they
-- keep the day only, so no time matches the moment their invitation turned to submitted.
UPDATE responses r SET
    sector = COALESCE(r.sector, i.sector),
    language = COALESCE(r.language, i.language),
    invitation_id = CASE WHEN ro.identified_consent IS NULL THEN NULL ELSE r.invitation_id END
FROM invitations i, rounds ro
WHERE r.status = 'submitted' AND i.id = r.invitation_id AND ro.id = r.round_id;
UPDATE responses r SET
    started_at = substr(r.submitted_at, 1, 10) || 'T00:00:00Z',
    updated_at = substr(r.submitted_at, 1, 10) || 'T00:00:00Z',
    submitted_at = substr(r.submitted_at, 1, 10) || 'T00:00:00Z'
FROM rounds ro
WHERE r.status = 'submitted' AND ro.id = r.round_id AND ro.identified_consent IS NULL;

-- An open-link round can stop taking responses after this many (NULL: no cap).
ALTER TABLE rounds ADD COLUMN open_cap BIGINT CHECK (open_cap >= 1);

-- Keys the server makes once and every app server shares, such as the one signing open-link
-- form ids.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
