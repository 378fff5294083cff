-- Indexes that keep the round page's live counts cheap however many responses a round holds
-- (issue 14). Each is partial, holding only the rows its query counts, and names the counted
-- columns so the query reads the index alone. Same indexes as migrations/sqlite/0007.

-- `unreleased_count`: the changes waiting for a release, usually few.
CREATE INDEX responses_waiting ON responses (round_id, status)
    WHERE status = 'submitted'
    AND ((released_in IS NULL AND removed IS NULL)
        OR (released_in IS NOT NULL AND removed IS NOT NULL AND removed_in IS NULL));

-- `open_link_submissions`: the open link's submissions per sector.
CREATE INDEX responses_open_link ON responses (round_id, status, sector, removed, open_form_id)
    WHERE open_form_id IS NOT NULL AND status = 'submitted' AND removed IS NULL;

-- `excluded`: the responses a facilitator set aside, listed on the round page.
CREATE INDEX responses_excluded ON responses (round_id, pseudonym) WHERE removed = 'excluded';
