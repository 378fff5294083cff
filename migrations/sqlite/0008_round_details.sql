-- What a round tells its partners (issue 15): who asks (the title, by default the partnership's
-- name), whom to contact, and the closing date, after which the round closes by itself. Same
-- columns as migrations/postgres/0008_round_details.sql.

ALTER TABLE rounds ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE rounds ADD COLUMN contact TEXT NOT NULL DEFAULT '';
-- The last day partners can answer, YYYY-MM-DD, as the facilitator set it.
ALTER TABLE rounds ADD COLUMN closes_on TEXT;
-- The end of that day in the server's time zone when it was set, Unix seconds.
ALTER TABLE rounds ADD COLUMN closes_at INTEGER;

-- Rounds created before titles existed are titled as new rounds are by default.
UPDATE rounds SET title = (SELECT name FROM partnerships p WHERE p.id = rounds.partnership_id);

-- The rounds the server closes because their day is over: only open rounds with a date.
CREATE INDEX rounds_due ON rounds (closes_at) WHERE closed_at IS NULL AND closes_at IS NOT NULL;
