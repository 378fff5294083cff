-- Co-facilitators (issue 15): facilitators besides the owner who run a partnership with the
-- owner's rights on it, except choosing its co-facilitators and deleting it. Same table and
-- index as migrations/sqlite/0009, in PostgreSQL's types.

CREATE TABLE partnership_facilitators (
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    facilitator_id BIGINT NOT NULL REFERENCES facilitators (id) ON DELETE CASCADE,
    -- RFC 3339 UTC text, as every stored time.
    added_at TEXT NOT NULL,
    -- Also what makes adding twice (a retried form) store nothing new.
    PRIMARY KEY (partnership_id, facilitator_id)
);
-- "The partnerships of this facilitator": their home page lists them.
CREATE INDEX partnership_facilitators_facilitator
    ON partnership_facilitators (facilitator_id, partnership_id);
