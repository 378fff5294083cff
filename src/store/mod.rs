//! Storage: partnerships, rounds, invitations and responses behind one [`Store`] trait.
//!
//! Handlers and the demo talk only to the trait. One implementation ([`SqlStore`]) serves SQLite
//! and PostgreSQL with the same SQL; each engine has its own migrations folder
//! (`migrations/<engine>/`, same numbering), so nothing engine-specific leaks out.
//! Every multi-step write runs in one transaction, and the one-submission-per-invitation rule is
//! a unique index, not a check in Rust that two racing requests could both pass.

mod copy;
mod sql;

use std::sync::Arc;

use async_trait::async_trait;
use rand::RngCore;

use crate::answers::Answers;
use crate::instrument::Instrument;
use crate::partners::Partner;

pub use copy::{CopyReport, TABLES, copy_database};
pub use sql::{Engine, SqlStore};

/// The default database: a SQLite file in the working directory, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://partnerscope.db";

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The invitation's response is already submitted; nothing was changed.
    #[error("the response was already submitted")]
    AlreadySubmitted,
    /// The round is closed; nothing was changed.
    #[error("the round is closed")]
    RoundClosed,
    /// The database URL names an engine partnerscope does not support.
    #[error("unsupported database URL `{0}` (expected sqlite://… or postgres://…)")]
    UnsupportedUrl(String),
    /// A facilitator with this e-mail address already exists; nothing was changed.
    #[error("a facilitator with this e-mail address already exists")]
    DuplicateEmail,
    /// No facilitator has this e-mail address.
    #[error("no facilitator has this e-mail address")]
    UnknownEmail,
    /// `migrate-data` only copies into an empty database.
    #[error("the target database is not empty (table `{0}` has rows); migrate into a new database")]
    TargetNotEmpty(String),
    /// The database failed.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the database at `url`, creating it and applying migrations as needed.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(SqlStore::open(url).await?))
}

/// A fresh URL-safe secret for links: 128 bits from a CSPRNG (the thread-local ChaCha generator
/// that rand seeds from the operating system), as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The current time as RFC 3339 UTC text, the format of every stored timestamp.
fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        // Formatting fails only for years outside 0..=9999, which the clock does not produce.
        .expect("the current time formats as RFC 3339")
}

/// Whether `token` has the shape of a [`new_token`], so junk never reaches a query.
pub fn is_token(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A group of organisations that assesses itself.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Partnership {
    /// Database id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// The facilitator who runs it; `None` for partnerships only an administrator sees.
    pub owner_id: Option<i64>,
}

/// A facilitator account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facilitator {
    /// Database id.
    pub id: i64,
    /// Sign-in e-mail address, lowercase.
    pub email: String,
    /// Administrators see every partnership.
    pub is_admin: bool,
}

impl Facilitator {
    /// Whether this facilitator may see and change `partnership`.
    pub fn may_see(&self, partnership: &Partnership) -> bool {
        self.is_admin || partnership.owner_id == Some(self.id)
    }
}

/// A signed-in facilitator's session, found by its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who is signed in.
    pub facilitator: Facilitator,
    /// The synchronizer token state-changing forms must carry.
    pub csrf_token: String,
}

/// One administration of an instrument to a partnership.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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
}

impl Round {
    /// Whether partners can still answer.
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
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
}

/// A personal link for one partner organisation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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

/// Everything partnerscope keeps, whatever the database engine.
#[async_trait]
pub trait Store: Send + Sync {
    /// Creates a partnership without an owner.
    async fn create_partnership(&self, name: &str) -> StoreResult<Partnership>;
    /// All partnerships, oldest first.
    async fn partnerships(&self) -> StoreResult<Vec<Partnership>>;
    /// Creates a round, storing the instrument's exact source.
    async fn create_round(&self, round: &NewRound<'_>) -> StoreResult<Round>;
    /// The rounds of a partnership, oldest first.
    async fn rounds(&self, partnership_id: i64) -> StoreResult<Vec<Round>>;
    /// The round whose open link has `token`.
    async fn round_by_open_token(&self, token: &str) -> StoreResult<Option<Round>>;
    /// Closes a round: no more drafts or submissions.
    async fn close_round(&self, round_id: i64) -> StoreResult<()>;
    /// Creates an invitation with a fresh token.
    async fn create_invitation(&self, invitation: &NewInvitation<'_>) -> StoreResult<Invitation>;
    /// The invitation with `token`, with its round.
    async fn invitation_by_token(&self, token: &str) -> StoreResult<Option<(Invitation, Round)>>;
    /// The invitations of a round with the state of their responses, oldest first.
    async fn invitation_progress(&self, round_id: i64) -> StoreResult<Vec<InvitationProgress>>;
    /// Submitted open-link responses of a round per sector chosen on the form (blank when none).
    async fn open_link_submissions(&self, round_id: i64) -> StoreResult<Vec<(String, i64)>>;
    /// The response to an invitation, draft or submitted.
    async fn invitation_response(&self, invitation_id: i64) -> StoreResult<Option<StoredResponse>>;
    /// Stores `answers` as the invitation's draft, replacing an earlier draft.
    /// Fails with [`StoreError::AlreadySubmitted`] or [`StoreError::RoundClosed`], changing nothing.
    async fn save_draft(&self, invitation_id: i64, answers: &Answers) -> StoreResult<()>;
    /// Submits `answers` for the invitation, exactly once.
    /// Fails with [`StoreError::AlreadySubmitted`] or [`StoreError::RoundClosed`], changing nothing.
    async fn submit(&self, invitation_id: i64, answers: &Answers) -> StoreResult<()>;
    /// Submits an open-link response once per `form_id`.
    /// Fails with [`StoreError::RoundClosed`], changing nothing.
    async fn submit_open(
        &self,
        round_id: i64,
        form_id: &str,
        answers: &Answers,
    ) -> StoreResult<OpenSubmission>;
    /// Every response of a round (drafts too), in the order they were started.
    async fn responses(&self, round_id: i64) -> StoreResult<Vec<StoredResponse>>;

    /// Up to `limit` submitted responses of a round with ids above `after`, in id order, for
    /// reading a round page by page in bounded memory. Their `answers.sector` is the group:
    /// the invitation's sector, or the one chosen on the open link.
    async fn submitted_page(
        &self,
        round_id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredResponse>>;

    /// Creates a facilitator; fails with [`StoreError::DuplicateEmail`] if the address is taken.
    async fn create_facilitator(
        &self,
        email: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> StoreResult<Facilitator>;
    /// Replaces a facilitator's password hash and ends their sessions; fails with
    /// [`StoreError::UnknownEmail`].
    async fn set_password(&self, email: &str, password_hash: &str) -> StoreResult<()>;
    /// The facilitator with `email` and their password hash.
    async fn facilitator_by_email(&self, email: &str)
    -> StoreResult<Option<(Facilitator, String)>>;
    /// Stores a new session.
    async fn create_session(
        &self,
        facilitator_id: i64,
        token_digest: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The unexpired session with `token_digest` at time `now` (Unix seconds).
    async fn session(&self, token_digest: &str, now: i64) -> StoreResult<Option<Session>>;
    /// Ends a session.
    async fn delete_session(&self, token_digest: &str) -> StoreResult<()>;
    /// Until when (Unix seconds) sign-ins for `email` must wait; 0 when they need not.
    async fn sign_in_locked_until(&self, email: &str) -> StoreResult<i64>;
    /// Counts a failed sign-in for `email` at `now` (Unix seconds) and makes the next ones wait
    /// `lockout(failures in a row)` seconds, in one transaction.
    async fn record_sign_in_failure(
        &self,
        email: &str,
        now: i64,
        lockout: fn(i64) -> i64,
    ) -> StoreResult<()>;
    /// Forgets the failures of `email` after a successful sign-in.
    async fn clear_sign_in_failures(&self, email: &str) -> StoreResult<()>;

    /// Creates a partnership owned by a facilitator.
    async fn create_owned_partnership(&self, name: &str, owner_id: i64)
    -> StoreResult<Partnership>;
    /// Gives a partnership to a facilitator.
    async fn set_owner(&self, partnership_id: i64, owner_id: i64) -> StoreResult<()>;
    /// The partnerships `facilitator` may see, oldest first.
    async fn partnerships_of(&self, facilitator: &Facilitator) -> StoreResult<Vec<Partnership>>;
    /// The partnership with `id`.
    async fn partnership(&self, id: i64) -> StoreResult<Option<Partnership>>;
    /// The round with `id`.
    async fn round(&self, id: i64) -> StoreResult<Option<Round>>;
    /// Reopens a closed round.
    async fn reopen_round(&self, round_id: i64) -> StoreResult<()>;
    /// Creates one invitation with a fresh token per partner, all or none, in one transaction.
    async fn add_partners(
        &self,
        round_id: i64,
        partners: &[Partner],
    ) -> StoreResult<Vec<Invitation>>;
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
}
