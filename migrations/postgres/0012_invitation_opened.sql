-- Whether a partner has opened their personal link (issue 15), for the partners page's status
-- and for reminders: a flag, not a time, so nothing records when a partner looked. Same column
-- as migrations/sqlite/0012_invitation_opened.sql.

ALTER TABLE invitations ADD COLUMN opened INTEGER NOT NULL DEFAULT 0 CHECK (opened IN (0, 1));
