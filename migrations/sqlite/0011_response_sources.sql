-- Where a response came from (issue 15): NULL for a partner's own answers on the web form,
-- 'paper' for a paper sheet a facilitator keyed in, 'import' for a row of an imported responses
-- file. A paper response keeps the id printed on its sheet, once per round, so a sheet keyed in
-- twice (a double click, two facilitators) is refused by the database.
-- Same columns as migrations/postgres/0011_response_sources.sql.

ALTER TABLE responses ADD COLUMN source TEXT CHECK (source IN ('paper', 'import'));
ALTER TABLE responses ADD COLUMN sheet_id TEXT;
CREATE UNIQUE INDEX responses_sheet ON responses (round_id, sheet_id);
