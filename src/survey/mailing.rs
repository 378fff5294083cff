//! The mail queue's domain (issue 15): what a queued invitation or reminder is, how a send
//! ended, what the partners page shows of it, and how fast and how often the sender tries. The
//! sender itself is `web::mail_queue`; the queue's rows are the store's.

use std::num::NonZeroU32;
use std::time::Duration;

/// Messages per minute when `--mail-rate` does not say: slow enough for the sending limits of
/// common mail providers.
pub const DEFAULT_MAIL_RATE: NonZeroU32 = NonZeroU32::new(60).expect("60 is not zero");

/// How many times a message is tried before a temporary failure counts as failed for good.
pub const MAX_ATTEMPTS: i64 = 6;

/// What a queued message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// The first message, with the personal link.
    Invitation,
    /// A later message to a partner who has not submitted.
    Reminder,
}

impl MailKind {
    /// The kind as the queue stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invitation => "invitation",
            MailKind::Reminder => "reminder",
        }
    }

    /// The kind the queue stored as `text`; a reminder for anything else.
    pub fn parse(text: &str) -> MailKind {
        if text == "invitation" {
            MailKind::Invitation
        } else {
            MailKind::Reminder
        }
    }
}

/// Where a message of the queue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    /// Waiting to be sent, or to be tried again.
    Queued,
    /// Taken by the SMTP server.
    Sent,
    /// Temporary failures until no attempt was left.
    Failed,
    /// Refused for good by the SMTP server (a 5xx reply) or not an address at all.
    Bounced,
}

impl MailStatus {
    /// The status the queue stored as `text`.
    pub fn parse(text: &str) -> MailStatus {
        match text {
            "sent" => MailStatus::Sent,
            "failed" => MailStatus::Failed,
            "bounced" => MailStatus::Bounced,
            _ => MailStatus::Queued,
        }
    }
}

/// A message the sender has claimed: no other server takes it while the lease lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMail {
    /// The queue row.
    pub id: i64,
    /// The invitation it goes to.
    pub invitation_id: i64,
    /// Invitation or reminder.
    pub kind: MailKind,
    /// Where the personal link points, such as `https://survey.example.org`.
    pub base_url: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// Whether the partner asked for no more reminders.
    pub reminders_stopped: bool,
}

/// How a claimed message ended this time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The SMTP server took it.
    Sent,
    /// A temporary failure: it is tried again from `at` (Unix seconds).
    Retry {
        /// When it is due again.
        at: i64,
        /// The SMTP server's reply, or why it could not be reached.
        error: String,
    },
    /// Temporary failures, and no attempt left.
    Failed {
        /// The last reply.
        error: String,
    },
    /// Refused for good.
    Bounced {
        /// The reply.
        error: String,
    },
    /// No longer to be sent (the partner submitted or stopped reminders, the round closed, the
    /// address was removed): it leaves the queue unsent.
    Dropped,
}

/// A round's mail job as the partners page shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailProgress {
    /// Messages waiting to be sent or tried again.
    pub queued: i64,
    /// Messages sent.
    pub sent: i64,
    /// Messages failed or bounced.
    pub failed: i64,
}

/// What the partners page shows of one invitation's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationMail {
    /// The invitation.
    pub invitation_id: i64,
    /// When the invitation message was sent (Unix seconds).
    pub invited_at: Option<i64>,
    /// How many reminders were sent.
    pub reminders: i64,
    /// The latest message's status and reply when it did not go through (yet).
    pub problem: Option<(MailStatus, String)>,
    /// Whether the partner asked for no more reminders.
    pub reminders_stopped: bool,
}

/// How fast the sender goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// At most this many messages a minute (`--mail-rate`).
    pub per_minute: NonZeroU32,
    /// The wait before the first retry of a temporary failure; each further retry waits twice
    /// as long as the one before.
    pub first_retry: Duration,
}

impl Pace {
    /// `per_minute` messages a minute, retrying after 5 minutes, then 10, 20…: greylisting
    /// servers ask for a few minutes.
    pub fn new(per_minute: NonZeroU32) -> Pace {
        Pace {
            per_minute,
            first_retry: Duration::from_secs(5 * 60),
        }
    }

    /// The wait between two messages.
    pub fn spacing(self) -> Duration {
        Duration::from_secs(60) / self.per_minute.get()
    }

    /// When a message that failed for the `attempts`-th time is due again, from `now`.
    pub fn retry_at(self, attempts: i64, now: i64) -> i64 {
        let doublings = u32::try_from(attempts.clamp(1, MAX_ATTEMPTS) - 1).unwrap_or(0);
        let wait = self.first_retry.as_secs().saturating_mul(1 << doublings);
        now.saturating_add(i64::try_from(wait).unwrap_or(i64::MAX))
    }
}
