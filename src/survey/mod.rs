//! The survey's domain: partnerships, rounds, invitations and responses, with the answers a
//! partner gives and the partner lists a facilitator pastes. Plain data: the store keeps it, the
//! web shows it, and nothing here knows how.

pub mod answers;
pub mod closing;
pub mod links;
pub mod mailing;
pub mod partners;
pub mod secrets;
pub mod text;

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::RngCore;

use crate::accounts::Facilitator;
use crate::instrument::{Instrument, LoadError, parsed};
use answers::Answers;
use closing::RoundDetails;

/// A fresh URL-safe secret for links: 128 bits from a CSPRNG (the thread-local ChaCha generator
/// that rand seeds from the operating system), as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    crate::accounts::hex(&bytes)
}

/// Whether `token` has the shape of a [`new_token`], so junk never reaches a query.
pub fn is_token(token: &str) -> bool {
    is_hex(token, 32)
}

/// A submitted response's pseudonym, or a comment's handle: 64 random bits as hex, so a round of
/// a million responses has a collision (which a unique index would refuse) with odds of about
/// one in 30 million.
pub fn new_pseudonym() -> String {
    new_token()[..16].to_string()
}

/// Whether `id` has the shape of a [`new_pseudonym`].
pub fn is_pseudonym(id: &str) -> bool {
    is_hex(id, 16)
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A group of organisations that assesses itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partnership {
    /// Database id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// The facilitator who runs it and chooses its co-facilitators; `None` for partnerships only
    /// administrators (and co-facilitators they chose) see.
    pub owner_id: Option<i64>,
}

/// One administration of an instrument to a partnership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Database id.
    pub id: i64,
    /// The partnership it belongs to.
    pub partnership_id: i64,
    /// Instrument id at creation.
    pub instrument_id: String,
    /// Instrument version at creation.
    pub instrument_version: String,
    /// The exact instrument TOML the round was created with.
    pub instrument_source: String,
    /// Wave label, e.g. `2026 spring`.
    pub wave: String,
    /// Smallest group reported on.
    pub min_group_size: i64,
    /// Token of the round's open link, if it has one.
    pub open_token: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was closed (RFC 3339); `None` while open.
    pub closed_at: Option<String>,
    /// Whether figures are also published while the round is open, not only when it closes.
    pub interim_releases: bool,
    /// In an identified round, the consent statement its partners are shown (fixed when the
    /// round was created); `None` in an anonymous round.
    pub identified_consent: Option<String>,
    /// The most responses the open link takes; `None`: no cap.
    pub open_cap: Option<i64>,
    /// What partners are told about the round: who asks, whom to contact, until when.
    pub details: RoundDetails,
    /// The token of the meeting report's share link, while the round is shared.
    pub share_token: Option<String>,
}

impl Partnership {
    /// Whether `facilitator` may choose this partnership's co-facilitators and delete it: its
    /// owner and administrators. Who may see and run it (they, and its co-facilitators) is the
    /// store's rule (its `Visible`).
    pub fn managed_by(&self, facilitator: &Facilitator) -> bool {
        facilitator.is_admin || self.owner_id == Some(facilitator.id)
    }
}

/// The smallest minimum group size of an anonymous round (design section 3): partners are
/// promised groups of "at least a few".
pub const MIN_GROUP_SIZE_FLOOR: i64 = 3;

/// What partners of an identified round are told, stored with the round when it is created.
pub const IDENTIFIED_CONSENT: &str = "This round is not anonymous. Your answers and comments are \
     stored with the name of your organisation, and the facilitators of this partnership see and \
     download them with that name. Results for small groups are not hidden.";

impl Round {
    /// The instrument exactly as the round stored it: later edits to its file change nothing.
    /// Parsed once per process for each stored text ([`parsed`]), not on every request.
    pub fn instrument(&self) -> Result<Arc<Instrument>, LoadError> {
        parsed(&format!("round {}", self.id), &self.instrument_source)
    }

    /// Whether partners can still answer.
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    /// Whether the round is open but past the end of its closing date at `now` (Unix seconds):
    /// it takes no more answers, and is closed as soon as this is seen.
    pub fn is_due(&self, now: i64) -> bool {
        self.is_open() && self.details.closes.is_some_and(|c| c.is_over(now))
    }

    /// Whether answers are linked to organisations, as partners were told.
    pub fn is_identified(&self) -> bool {
        self.identified_consent.is_some()
    }

    /// The threshold the round's figures are held to: its minimum group size, never below the
    /// floor in an anonymous round, also for rounds stored before the floor existed.
    pub fn threshold(&self) -> u64 {
        let floor = if self.is_identified() {
            1
        } else {
            MIN_GROUP_SIZE_FLOOR
        };
        self.min_group_size.max(floor).unsigned_abs()
    }
}

/// What a new round is made of.
#[derive(Debug, Clone)]
pub struct NewRound<'a> {
    /// The partnership it belongs to.
    pub partnership_id: i64,
    /// The instrument; its source is stored with the round.
    pub instrument: &'a Instrument,
    /// Wave label.
    pub wave: &'a str,
    /// Smallest group reported on.
    pub min_group_size: i64,
    /// Whether the round gets an open link.
    pub open_link: bool,
    /// Whether answers are linked to organisations (see [`IDENTIFIED_CONSENT`]).
    pub identified: bool,
    /// What partners are told about the round.
    pub details: &'a RoundDetails,
}

/// A personal link for one partner organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Database id.
    pub id: i64,
    /// The round it invites to.
    pub round_id: i64,
    /// The secret in the link.
    pub token: String,
    /// The partner organisation.
    pub organisation: String,
    /// The sector (group) of the partner, if the facilitator fixed it.
    pub sector: Option<String>,
    /// The language of the form, if fixed.
    pub language: Option<String>,
    /// Where the facilitator sends the link, if given.
    pub email: Option<String>,
    /// Whether its response was submitted: all an anonymous round keeps of which response.
    pub submitted: bool,
    /// Whether the partner has opened the link (a flag, never a time).
    pub opened: bool,
}

/// What a new invitation is made of.
#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    /// The round it invites to.
    pub round_id: i64,
    /// The partner organisation.
    pub organisation: &'a str,
    /// The partner's sector, if known.
    pub sector: Option<&'a str>,
    /// The language of the form, if fixed.
    pub language: Option<&'a str>,
}

/// Where a response is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Saved to finish later.
    Draft,
    /// Final; counted in reports.
    Submitted,
}

/// A stored response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// Database id.
    pub id: i64,
    /// The invitation it answers; `None` for the open link.
    pub invitation_id: Option<i64>,
    /// The round it belongs to.
    pub round_id: i64,
    /// Draft or submitted.
    pub status: Status,
    /// What was entered.
    pub answers: Answers,
    /// When it was first saved (RFC 3339).
    pub started_at: String,
    /// When it was last saved (RFC 3339).
    pub updated_at: String,
    /// When it was submitted (RFC 3339).
    pub submitted_at: Option<String>,
    /// The random id its rows show, once submitted.
    pub pseudonym: Option<String>,
    /// The organisation of its invitation, when read for an identified round's rows.
    pub organisation: Option<String>,
    /// The release that first included it, once one has.
    pub released_in: Option<i64>,
    /// The release that first left it out, once it was removed and a release followed.
    pub removed_in: Option<i64>,
    /// The digest of a draft's resume secret.
    pub resume_digest: Option<String>,
}

/// A submitted response as a round is read page by page (the store's `ReleasedPages`): what
/// scoring a release and listing its rows need, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasedResponse {
    /// The random id its rows show.
    pub pseudonym: String,
    /// The organisation of its invitation, if it keeps one (an identified round's).
    pub organisation: Option<String>,
    /// The group it is scored in: the sector chosen on the form, or its invitation's.
    pub sector: Option<String>,
    /// Its answers to the items (no comments: those are listed apart).
    pub items: BTreeMap<String, answers::Answer>,
    /// When it was submitted (RFC 3339).
    pub submitted_at: String,
    /// The release that first included it.
    pub released_in: Option<i64>,
    /// The release that first left it out, once it was removed and a release followed.
    pub removed_in: Option<i64>,
    /// Where it came from when not from its partner on the web form: `paper`, `import`.
    pub source: Option<String>,
    /// The language it was answered in (a language tag), if recorded.
    pub language: Option<String>,
}

/// How a submitted response leaves the figures: at the next release that qualifies, never at
/// once (design section 3, *Releases*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Its partner withdrew it with the receipt code: its answers are erased.
    Withdrawn,
    /// The facilitator with this id set it aside; it is kept and can be included again.
    Excluded(i64),
    /// Deleted by the facilitator with this id (`None`: an operator on the command line): its
    /// answers are erased.
    Deleted(Option<i64>),
}

/// An excluded response, as the round page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    /// Its pseudonym.
    pub pseudonym: String,
    /// When it was excluded (RFC 3339).
    pub at: String,
    /// Whether a release has left it out yet.
    pub left: bool,
}

/// Which submitted response of a round an operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Respondent<'a> {
    /// The pseudonym its rows show, as a facilitator names it.
    Pseudonym(&'a str),
    /// The digest of its receipt code, as its partner names it.
    Receipt(&'a str),
}

/// The answer each item keeps when a response that releases included is erased: the lowest
/// value of its scale. Which items were answered must stay, because it decides which published
/// cells the response counted in, and the audit of later releases needs that; what was answered
/// goes.
pub fn erased_values(instrument: &Instrument) -> Vec<(String, i16)> {
    instrument
        .items
        .iter()
        .map(|item| (item.id.clone(), instrument.scales[item.scale].min))
        .collect()
}

/// The responses a release is being made of: the batch of everything submitted since the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseBatch {
    /// The number the release will have.
    pub number: i64,
    /// Responses in the batch.
    pub responses: i64,
}

/// A stored release of a round's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRelease {
    /// 1, 2, … within the round.
    pub number: i64,
    /// The release as JSON.
    pub body: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// What a redacted comment says instead.
pub const REDACTED: &str = "[removed by the facilitator]";

/// A comment as a release lists it: without its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedComment {
    /// A random name for redacting it, unrelated to its response.
    pub handle: String,
    /// The comment question's id.
    pub question: String,
    /// The text, or [`REDACTED`].
    pub body: String,
    /// Whether a facilitator removed its text.
    pub redacted: bool,
}

/// How an open-link submission ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenSubmission {
    /// Stored now.
    Stored,
    /// This form id was stored before (a retried POST); nothing new was stored.
    AlreadyStored,
}

/// An invitation with the state of its response, for progress views.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationProgress {
    /// The invitation.
    pub invitation: Invitation,
    /// The state of its response; `None` when nothing was saved yet.
    pub status: Option<Status>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tokens_are_well_formed_and_differ() {
        let (a, b) = (new_token(), new_token());
        assert!(is_token(&a) && is_token(&b));
        assert_ne!(a, b);
        assert!(!is_token("0123456789abcdef0123456789abcdeg"));
        assert!(!is_token("0123"));
    }

    #[test]
    fn pseudonyms_are_well_formed_and_differ() {
        let (a, b) = (new_pseudonym(), new_pseudonym());
        assert!(is_pseudonym(&a) && is_pseudonym(&b) && !is_token(&a));
        assert_ne!(a, b);
        assert!(!is_pseudonym("0123456789abcdeg"));
        assert!(!is_pseudonym(&new_token()));
    }
}
