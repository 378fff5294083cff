//! Deletion and retention: what a hard deletion takes away and what a retention purge removed,
//! as counts the store returns so that a confirmation page, the command line and the logs can
//! say exactly what goes.

/// Something a facilitator or operator can delete for good, with everything it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A partnership (by id) with all its rounds.
    Partnership(i64),
    /// A round (by id) with its invitations, its responses with their answers and comments, and
    /// its releases.
    Round(i64),
    /// A partner: an invitation (by id) with its draft response, if any. A submitted response
    /// still linked to the invitation blocks it (see [`super::StoreError::SubmittedResponseLinked`]);
    /// one no longer linked is not the partner's to take along.
    Partner(i64),
}

impl Target {
    /// The id of the partnership, round or invitation.
    pub fn id(self) -> i64 {
        match self {
            Target::Partnership(id) | Target::Round(id) | Target::Partner(id) => id,
        }
    }
}

/// How many rows of each kind a deletion takes away (or took away).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Contents {
    /// Rounds (only a partnership holds any).
    pub rounds: u64,
    /// Invitations, i.e. partners with their links.
    pub partners: u64,
    /// Submitted responses, with their answers.
    pub submitted: u64,
    /// Draft responses, with their answers.
    pub drafts: u64,
    /// Comments of those responses.
    pub comments: u64,
    /// Stored releases of the rounds' figures.
    pub releases: u64,
}

/// What one retention purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Drafts never submitted and last saved before the retention period, with their answers
    /// and comments.
    pub drafts: u64,
    /// Expired facilitator sessions.
    pub sessions: u64,
    /// Sign-in failure counts that had decayed to nothing.
    pub sign_in_failures: u64,
}

impl Purged {
    /// Whether the purge removed nothing.
    pub fn is_empty(&self) -> bool {
        *self == Purged::default()
    }
}
