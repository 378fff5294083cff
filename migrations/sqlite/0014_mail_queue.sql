-- Invitations and reminders sent by e-mail (issue 15). Same tables as
-- migrations/postgres/0014_mail_queue.sql.
--
-- One row per message to send. Times are Unix seconds, as in password_resets: the sender's claim
-- compares them with the clock in SQL, which both engines do alike on integers. A message is
-- claimed by setting `claimed_until` (a lease): a server killed mid-send leaves a lease that
-- expires, and another server sends the message then. `last_error` holds the SMTP server's reply
-- with the recipient's address taken out. `base_url` is where the personal link points, as the
-- facilitator's request reached the site. The message text is made when it is sent, from the
-- invitation's data of that moment.
CREATE TABLE mail_queue (
    id INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES invitations (id),
    kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'bounced')),
    base_url TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER,
    last_error TEXT,
    queued_at INTEGER NOT NULL,
    sent_at INTEGER
);
-- At most one message of each kind waiting per invitation: a retried or double click queues
-- nothing twice, whichever server takes it.
CREATE UNIQUE INDEX mail_queue_one_queued ON mail_queue (invitation_id, kind) WHERE status = 'queued';
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at) WHERE status = 'queued';
CREATE INDEX mail_queue_invitation ON mail_queue (invitation_id);

-- The partner followed the link in a message that stops further reminders.
ALTER TABLE invitations ADD COLUMN reminders_stopped INTEGER NOT NULL DEFAULT 0
    CHECK (reminders_stopped IN (0, 1));
