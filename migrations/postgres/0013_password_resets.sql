-- Links that reset a forgotten password, sent by e-mail (issue 15). Same table as
-- migrations/sqlite/0013_password_resets.sql. Only a digest of the link's token is stored, so a
-- copy of this table resets nobody's password; times are Unix seconds.

CREATE TABLE password_resets (
    token_digest TEXT PRIMARY KEY,
    facilitator_id BIGINT NOT NULL REFERENCES facilitators (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX password_resets_facilitator ON password_resets (facilitator_id);
