-- Sign-ins that cannot be turned against their owner (issue 12). Same tables and columns as
-- migrations/postgres/0005_sign_in_limits.sql.
--
-- Failed sign-ins are counted per e-mail address and per client address, and the counts decay
-- (src/accounts: `Failures`, `Throttle`). The old table counted per e-mail address only, with a
-- lock-out time instead of the last failure; its counts are dropped, which only forgives them.
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_failures (
    -- 'email': a normalised, well-formed address; 'client': an IPv4 address or an IPv6 /64;
    -- 'device': the id of a device cookie (accounts::DeviceCookies).
    kind TEXT NOT NULL CHECK (kind IN ('email', 'client', 'device')),
    -- Validated and bounded by the application before it is stored; the CHECK is a backstop.
    subject TEXT NOT NULL CHECK (length(subject) <= 254),
    -- Failures counted so far, already halved for every quiet quarter of an hour.
    failures INTEGER NOT NULL,
    -- Unix seconds; the wait runs from it, and the hourly purge forgets old counts by it.
    last_failure INTEGER NOT NULL,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failure);

-- The n-th session of its facilitator, so the oldest beyond the limit can be ended. Sessions
-- from before this migration count as the oldest.
ALTER TABLE sessions ADD COLUMN started INTEGER NOT NULL DEFAULT 0;
