-- The meeting report's share link (issue 15): a random token that shows a round's latest
-- release, read-only, to anyone who has the link, until the facilitator stops sharing (NULL).
-- Same column as migrations/sqlite/0010_share_links.sql.

ALTER TABLE rounds ADD COLUMN share_token TEXT;
CREATE UNIQUE INDEX rounds_share_token ON rounds (share_token);
