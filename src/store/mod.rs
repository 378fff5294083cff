//! Storage: partnerships and rounds, invitations, responses, and facilitator accounts behind one
//! [`Store`] trait.
//!
//! Handlers and the demo talk only to the trait. One implementation ([`SqlStore`]) serves SQLite
//! and PostgreSQL with the same SQL; each engine has its own migrations folder
//! (`migrations/<engine>/`, same numbering), so nothing engine-specific leaks out.
//! Every multi-step write runs in one transaction, and the one-submission-per-invitation rule is
//! a unique index, not a check in Rust that two racing requests could both pass.

mod copy;
mod deletion;
mod pages;
mod rows;
mod sql;

use std::sync::Arc;

use crate::accounts::{Account, Facilitator, Failures, Session, ThrottleKey};
use crate::responses::{Imported, ResponsesError};
use crate::survey::answers::Answers;
use crate::survey::closing::RoundDetails;
use crate::survey::mailing::{ClaimedMail, InvitationMail, MailProgress, Outcome};
use crate::survey::partners::{Partner, PartnerError};
use crate::survey::{
    Excluded, Invitation, InvitationProgress, ListedComment, NewInvitation, NewRound,
    OpenSubmission, Partnership, ReleaseBatch, ReleasedResponse, Removal, Respondent, Round,
    StoredRelease, StoredResponse,
};
use async_trait::async_trait;

pub use copy::{CopyReport, TABLES, copy_database};
pub use deletion::{Contents, Purged, Target};
pub use pages::{BlockingPages, ReleasedPages};
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
    /// The round's open link has taken all the responses its cap allows; nothing was stored.
    #[error("the open link takes no more responses")]
    OpenCapReached,
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
    /// `migrate-data` met a text the target cannot store (PostgreSQL text cannot hold a NUL
    /// byte, which SQLite stores); nothing was copied.
    #[error(
        "table `{table}`, column `{column}`, {row}: the text contains a NUL byte, which \
         PostgreSQL cannot store; nothing was copied (correct or delete that row in the source \
         database, then migrate again)"
    )]
    UncopyableText {
        /// The table.
        table: &'static str,
        /// The column.
        column: String,
        /// Which row: its number as read, and its id or other `…_id` columns.
        row: String,
    },
    /// Every pseudonym drawn for a response was taken in its round (odds of about one in
    /// 10^30 in a round of a million): nothing was stored.
    #[error("no fresh pseudonym could be drawn for a response")]
    NoFreshPseudonym,
    /// The task that writes submissions stopped (it panicked, or the server is shutting down);
    /// the submission may not be stored.
    #[error("the submission writer stopped")]
    WriterStopped,
    /// The database failed.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The partner's submitted response is still linked to their invitation (an identified
    /// round), so deleting the partner would take it along; nothing was changed.
    #[error(
        "the round is identified and the partner's submitted response is stored with their name; \
         delete the response first (by its pseudonym), then the partner"
    )]
    SubmittedResponseLinked,
    /// The round is still open; nothing was changed.
    #[error("the round is still open; close it first")]
    RoundOpen,
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the database at `url`, creating it and applying migrations as needed.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(SqlStore::open(url).await?))
}

/// `url` as messages and logs may show it: a password in it (`postgres://user:secret@host/db`)
/// becomes `***`, so an error printed to a terminal or a log file does not hand it on.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info
                .split_once(':')
                .map_or(user_info, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        _ => url.to_string(),
    }
}

/// The current time as RFC 3339 UTC text, the format of every stored timestamp.
fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        // Formatting fails only for years outside 0..=9999, which the clock does not produce.
        .expect("the current time formats as RFC 3339")
}

/// Whose partnerships a listing shows.
#[derive(Debug, Clone, Copy)]
pub enum Visible<'a> {
    /// Every partnership: for the demo, the command line and tests.
    All,
    /// Those a facilitator may see: all for an administrator, else the ones they own or
    /// co-facilitate.
    To(&'a Facilitator),
}

/// Which submitted responses of a round a page reads, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    /// Only responses first included in releases up to this number.
    pub through: i64,
    /// The pseudonym after which the page starts (empty: from the start). Pages are in
    /// pseudonym order, which says nothing about when anyone answered, and which an index of
    /// both engines serves.
    pub after: String,
    /// Whether responses removed since (withdrawn, excluded, deleted) are read too.
    pub left: bool,
}

/// Partners, or problems, read from a list (see [`crate::survey::partners::PartnerList`]).
pub type PartnerFeed<'a> = dyn Iterator<Item = Result<Partner, PartnerError>> + Send + 'a;

/// Responses, or the problem that stops an import, read from a file (see
/// [`crate::responses::Importer`]).
pub type ImportFeed<'a> = dyn Iterator<Item = Result<Imported, ResponsesError>> + Send + 'a;

/// Everything partnerscope keeps, whatever the database engine.
#[async_trait]
pub trait Store: Send + Sync {
    // Partnerships and rounds.

    /// Creates a partnership, owned by the facilitator `owner_id` or, with `None`, by nobody
    /// (only administrators see it).
    async fn create_partnership(
        &self,
        name: &str,
        owner_id: Option<i64>,
    ) -> StoreResult<Partnership>;
    /// Gives a partnership to a facilitator.
    async fn set_owner(&self, partnership_id: i64, owner_id: i64) -> StoreResult<()>;
    /// The partnership with `id`.
    async fn partnership(&self, id: i64) -> StoreResult<Option<Partnership>>;
    /// The partnerships `visible` shows, oldest first.
    async fn partnerships(&self, visible: Visible<'_>) -> StoreResult<Vec<Partnership>>;
    /// The partnerships `visible` shows, oldest first, each with its rounds, oldest first, read
    /// in one query.
    async fn partnerships_with_rounds(
        &self,
        visible: Visible<'_>,
    ) -> StoreResult<Vec<(Partnership, Vec<Round>)>>;
    /// The rounds of a partnership, oldest first.
    async fn rounds(&self, partnership_id: i64) -> StoreResult<Vec<Round>>;
    /// The round with `id`.
    async fn round(&self, id: i64) -> StoreResult<Option<Round>>;
    /// The round whose open link has `token`.
    async fn round_by_open_token(&self, token: &str) -> StoreResult<Option<Round>>;
    /// Creates a round, storing the instrument's exact source.
    async fn create_round(&self, round: &NewRound<'_>) -> StoreResult<Round>;
    /// Creates `round` with the partners of the round `from_round_id` (of the same partnership)
    /// on fresh links, all or nothing, in one transaction.
    async fn start_next_round(
        &self,
        round: &NewRound<'_>,
        from_round_id: i64,
    ) -> StoreResult<Round>;
    /// Closes a round: no more drafts or submissions.
    async fn close_round(&self, round_id: i64) -> StoreResult<()>;
    /// Reopens a closed round, dropping its closing date if that is over at `now` (Unix
    /// seconds).
    async fn reopen_round(&self, round_id: i64, now: i64) -> StoreResult<()>;
    /// Changes what an open round tells its partners; a closed round is left as it is.
    async fn set_round_details(&self, round_id: i64, details: &RoundDetails) -> StoreResult<()>;
    /// Closes every open round whose closing date is over at `now` (Unix seconds); how many.
    async fn close_due_rounds(&self, now: i64) -> StoreResult<u64>;
    /// Sets the token of a round's share link (`None`: the round is not shared).
    async fn set_share_token(&self, round_id: i64, token: Option<&str>) -> StoreResult<()>;
    /// The round a share link's token shows.
    async fn round_by_share_token(&self, token: &str) -> StoreResult<Option<Round>>;

    // Invitations.

    /// Creates an invitation with a fresh token.
    async fn create_invitation(&self, invitation: &NewInvitation<'_>) -> StoreResult<Invitation>;
    /// Creates one invitation with a fresh token per partner, all or none, in one transaction.
    async fn add_partners(
        &self,
        round_id: i64,
        partners: &[Partner],
    ) -> StoreResult<Vec<Invitation>>;
    /// Creates one invitation with a fresh token per partner `list` yields, a batch at a time
    /// in one transaction, so a list of any size is read once in bounded memory. With any
    /// problem in the list nothing is stored and the problems are returned; otherwise the number
    /// of partners added.
    async fn add_partner_list(
        &self,
        round_id: i64,
        list: &mut PartnerFeed<'_>,
    ) -> StoreResult<Result<u64, Vec<PartnerError>>>;
    /// Stores the responses `feed` yields as submitted responses of an open round, a batch at a
    /// time in one transaction: all of them, or with the first problem none. In an identified
    /// round each gets an invitation of its organisation, marked submitted.
    /// Fails with [`StoreError::RoundClosed`], changing nothing.
    async fn import_responses(
        &self,
        round_id: i64,
        feed: &mut ImportFeed<'_>,
    ) -> StoreResult<Result<u64, ResponsesError>>;
    /// The invitation with `token`, with its round.
    async fn invitation_by_token(&self, token: &str) -> StoreResult<Option<(Invitation, Round)>>;
    /// Notes that the partner of invitation `id` opened their link.
    async fn mark_opened(&self, id: i64) -> StoreResult<()>;
    /// Changes the partner of invitation `id` to `partner`, unless it has submitted: whether it
    /// changed.
    async fn update_partner(&self, id: i64, partner: &Partner) -> StoreResult<bool>;
    /// The invitations of a round with the state of their responses, oldest first.
    async fn invitation_progress(&self, round_id: i64) -> StoreResult<Vec<InvitationProgress>>;
    /// How many partners a round invited per sector (blank when none), by sector.
    async fn invited_per_sector(&self, round_id: i64) -> StoreResult<Vec<(String, i64)>>;

    // Responses.

    /// The response to an invitation, draft or submitted.
    async fn invitation_response(&self, invitation_id: i64) -> StoreResult<Option<StoredResponse>>;
    /// Stores `answers` as the invitation's draft, which opens with the resume secret whose
    /// digest is `resume_digest`, replacing an earlier draft.
    /// Fails with [`StoreError::AlreadySubmitted`] or [`StoreError::RoundClosed`], changing nothing.
    async fn save_draft(
        &self,
        invitation_id: i64,
        answers: &Answers,
        resume_digest: &str,
    ) -> StoreResult<()>;
    /// Submits `answers` for the invitation, exactly once, with the receipt code whose digest is
    /// `receipt_digest`. In an anonymous round the invitation records only that it was submitted
    /// and the response names no invitation; the draft goes.
    /// Fails with [`StoreError::AlreadySubmitted`] or [`StoreError::RoundClosed`], changing nothing.
    async fn submit(
        &self,
        invitation_id: i64,
        answers: &Answers,
        receipt_digest: &str,
    ) -> StoreResult<()>;
    /// Submits an open-link response once per `form_id`, with the receipt code whose digest is
    /// `receipt_digest`.
    /// Fails with [`StoreError::RoundClosed`] or [`StoreError::OpenCapReached`], changing nothing.
    async fn submit_open(
        &self,
        round_id: i64,
        form_id: &str,
        answers: &Answers,
        receipt_digest: &str,
    ) -> StoreResult<OpenSubmission>;
    /// Sets how many responses the round's open link takes; `None`: no cap.
    async fn set_open_cap(&self, round_id: i64, cap: Option<i64>) -> StoreResult<()>;
    /// The round of the response with the receipt whose digest is `receipt_digest`, unless it
    /// was removed.
    async fn receipt_round(&self, receipt_digest: &str) -> StoreResult<Option<i64>>;
    /// Removes a submitted response of a round from the figures of the next release that
    /// qualifies (see [`Removal`]); withdrawing and deleting erase its answers at once, using
    /// `erased` ([`crate::survey::erased_values`]). `false` when the round has no such response
    /// to remove.
    async fn remove_response(
        &self,
        round_id: i64,
        who: Respondent<'_>,
        removal: Removal,
        erased: &[(String, i16)],
    ) -> StoreResult<bool>;
    /// Includes an excluded response again, from the next release that qualifies; `false` when
    /// the round has no excluded response with this pseudonym.
    async fn include_response(
        &self,
        round_id: i64,
        pseudonym: &str,
        erased: &[(String, i16)],
    ) -> StoreResult<bool>;
    /// The excluded responses of a round, by pseudonym.
    async fn excluded(&self, round_id: i64) -> StoreResult<Vec<Excluded>>;
    /// The shared secret `name`, storing `fresh` as it if there is none yet: every app server
    /// reads the same.
    async fn secret(&self, name: &str, fresh: &str) -> StoreResult<String>;
    /// Submitted responses of a round that no invitation asked for, per sector chosen on the form
    /// (blank when none) and source (blank for the open link, else `paper` or `import`).
    async fn uninvited_submissions(&self, round_id: i64)
    -> StoreResult<Vec<(String, String, i64)>>;
    /// Every response of a round (drafts too), in the order they were started.
    async fn responses(&self, round_id: i64) -> StoreResult<Vec<StoredResponse>>;
    /// Up to `limit` submitted responses of a round that `page` selects, after its pseudonym in
    /// pseudonym order, for reading a round page by page in bounded memory. Their `sector` is
    /// the group: the one chosen on the form, or the invitation's.
    async fn submitted_page(
        &self,
        round_id: i64,
        page: &PageQuery,
        limit: i64,
    ) -> StoreResult<Vec<ReleasedResponse>>;

    // Releases.

    /// Turns the interim releases of a round on or off.
    async fn set_interim_releases(&self, round_id: i64, on: bool) -> StoreResult<()>;
    /// Changes waiting for a release: submitted responses of a round that no release has
    /// included yet, and removed ones no release has left out yet.
    async fn unreleased_count(&self, round_id: i64) -> StoreResult<u64>;
    /// Marks every submitted response of a round that no release has included, and every
    /// removed one no release has left out, as the batch of the next release, and returns it.
    async fn begin_release(&self, round_id: i64) -> StoreResult<ReleaseBatch>;
    /// Stores the release of `batch` (its JSON `body`) if no release has its number yet and the
    /// batch still holds exactly its responses; `false`, storing nothing, otherwise.
    async fn store_release(
        &self,
        round_id: i64,
        batch: &ReleaseBatch,
        body: &str,
    ) -> StoreResult<bool>;
    /// Returns the responses of `batch` to the unreleased, unless its release was stored.
    async fn abandon_release(&self, round_id: i64, batch: &ReleaseBatch) -> StoreResult<()>;
    /// The releases of a round, oldest first.
    async fn releases(&self, round_id: i64) -> StoreResult<Vec<StoredRelease>>;
    /// The latest release of a round, if it has one.
    async fn last_release(&self, round_id: i64) -> StoreResult<Option<StoredRelease>>;
    /// The number and time of the latest release of a round, without its body: enough to tell
    /// whether a release read earlier is still the latest, as releases never change once stored.
    async fn last_release_key(&self, round_id: i64) -> StoreResult<Option<(i64, String)>>;
    /// The comments of the responses first included in releases up to `through`, in no
    /// particular order.
    async fn listed_comments(&self, round_id: i64, through: i64)
    -> StoreResult<Vec<ListedComment>>;
    /// Replaces the text of the comment `handle` of a round with [`crate::survey::REDACTED`],
    /// recording who did it and when; `false` when the round has no such comment not yet
    /// redacted.
    async fn redact_comment(
        &self,
        round_id: i64,
        handle: &str,
        facilitator_id: i64,
    ) -> StoreResult<bool>;

    // Accounts and sessions.

    /// Creates a facilitator; fails with [`StoreError::DuplicateEmail`] if the address is taken.
    async fn create_facilitator(
        &self,
        email: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> StoreResult<Facilitator>;
    /// Replaces a facilitator's password hash, ends their sessions and forgets the failed
    /// sign-ins counted against their address; fails with [`StoreError::UnknownEmail`].
    async fn set_password(&self, email: &str, password_hash: &str) -> StoreResult<()>;
    /// Stores a password reset link's token digest for facilitator `facilitator_id` at `now`,
    /// unless one was made for them within [`crate::accounts::RESET_RESEND_SECONDS`]: whether it
    /// was stored. Expired links are forgotten on the way.
    async fn create_password_reset(
        &self,
        facilitator_id: i64,
        token_digest: &str,
        now: i64,
    ) -> StoreResult<bool>;
    /// The address of the facilitator whose reset link has `token_digest`, while it works.
    async fn password_reset_email(
        &self,
        token_digest: &str,
        now: i64,
    ) -> StoreResult<Option<String>>;
    /// Sets a new password through the reset link with `token_digest`, once: whether the link
    /// worked. Ends the facilitator's sessions and other links, as [`Store::set_password`] does.
    async fn use_password_reset(
        &self,
        token_digest: &str,
        now: i64,
        password_hash: &str,
    ) -> StoreResult<bool>;
    /// The facilitator with `email` and their password hash.
    async fn facilitator_by_email(&self, email: &str)
    -> StoreResult<Option<(Facilitator, String)>>;
    /// Stores a new session of `facilitator_id`, in one transaction with ending the session
    /// whose digest is `replaces` (the one the signing-in browser still carried, if any) and the
    /// facilitator's oldest sessions beyond [`crate::accounts::MAX_SESSIONS`].
    async fn create_session(
        &self,
        facilitator_id: i64,
        token_digest: &str,
        csrf_token: &str,
        expires_at: i64,
        replaces: Option<&str>,
    ) -> StoreResult<()>;
    /// The unexpired session with `token_digest` at time `now` (Unix seconds).
    async fn session(&self, token_digest: &str, now: i64) -> StoreResult<Option<Session>>;
    /// Ends a session.
    async fn delete_session(&self, token_digest: &str) -> StoreResult<()>;
    /// Ends every session of a facilitator ("sign out everywhere"), returning how many there
    /// were.
    async fn delete_sessions(&self, facilitator_id: i64) -> StoreResult<u64>;
    /// The failed sign-ins counted against each of `keys`, in the same order.
    async fn sign_in_failures(&self, keys: &[ThrottleKey]) -> StoreResult<Vec<Option<Failures>>>;
    /// Counts a failed sign-in at `now` (Unix seconds) against each of `keys`, as
    /// [`Failures::after`] does, in one transaction (so racing failures on several servers
    /// all count). Rows are locked in the order of `keys`: callers put client keys last, so two
    /// transactions never wait for each other.
    async fn record_sign_in_failure(&self, keys: &[ThrottleKey], now: i64) -> StoreResult<()>;
    /// Forgets the failed sign-ins counted against `keys`.
    async fn clear_sign_in_failures(&self, keys: &[ThrottleKey]) -> StoreResult<()>;

    // Co-facilitators and accounts made on the web (issue 15).

    /// The partnership with `id` if `visible` shows it (the rule of [`Visible`], the same as the
    /// listings'); `None` when it does not exist or is not shown.
    async fn visible_partnership(
        &self,
        id: i64,
        visible: Visible<'_>,
    ) -> StoreResult<Option<Partnership>>;
    /// The facilitators of a partnership: its owner first (if it has one), then its
    /// co-facilitators in the order they were added.
    async fn partnership_facilitators(&self, partnership_id: i64) -> StoreResult<Vec<Facilitator>>;
    /// Makes a facilitator a co-facilitator of a partnership; `false`, changing nothing, when they
    /// already are one (so a retried request stores nothing twice).
    async fn add_co_facilitator(
        &self,
        partnership_id: i64,
        facilitator_id: i64,
    ) -> StoreResult<bool>;
    /// Ends a co-facilitator's access to a partnership at once; `false` when they were not one.
    async fn remove_co_facilitator(
        &self,
        partnership_id: i64,
        facilitator_id: i64,
    ) -> StoreResult<bool>;
    /// Every facilitator account, oldest first.
    async fn accounts(&self) -> StoreResult<Vec<Account>>;

    // Deletion and retention.

    /// The invitation with `id`.
    async fn invitation(&self, id: i64) -> StoreResult<Option<Invitation>>;
    /// What deleting `target` would take away; `None` when it does not exist. Fails with
    /// [`StoreError::SubmittedResponseLinked`] for a partner whose submitted response is still
    /// linked to their invitation, as [`Store::delete`] would.
    async fn contents(&self, target: Target) -> StoreResult<Option<Contents>>;
    /// Deletes `target` and everything it holds for good, all or nothing in one transaction,
    /// then has the engine overwrite or reclaim the freed space (see docs/privacy.md, "Deletion
    /// and retention"); returns what it took away, `None` when it does not exist. Fails with
    /// [`StoreError::SubmittedResponseLinked`], changing nothing, for a partner whose submitted
    /// response is still linked to their invitation.
    async fn delete(&self, target: Target) -> StoreResult<Option<Contents>>;
    /// Deletes drafts never submitted and last saved more than `draft_retention_days` days before
    /// `now` (Unix seconds), sessions expired at `now`, and sign-in failure counts last added to
    /// more than [`crate::accounts::FORGET_FAILURES_AFTER`] before `now` (decayed to nothing,
    /// their wait over). Harmless to run on several servers at once.
    async fn purge(&self, draft_retention_days: u32, now: i64) -> StoreResult<Purged>;
    /// Removes the partners' e-mail addresses of a closed round, returning how many there were.
    /// Fails with [`StoreError::RoundOpen`], changing nothing, while the round is open.
    async fn remove_partner_emails(&self, round_id: i64) -> StoreResult<u64>;

    // Paper sheets and the sources of responses (issue 15).

    /// Stores `answers`, keyed in by a facilitator from the paper sheet `sheet_id`, as a
    /// submitted response of the round marked `paper`, like an open-link response (no
    /// invitation, no receipt) but outside the open link's cap. `false`, storing nothing, when
    /// the round already has a response from this sheet. Fails with [`StoreError::RoundClosed`],
    /// changing nothing.
    async fn submit_paper(
        &self,
        round_id: i64,
        sheet_id: &str,
        answers: &Answers,
    ) -> StoreResult<bool>;
    /// How many of the responses a release lists (first included in releases up to `through`,
    /// not removed) came from each source: blank for partners' own answers, `paper`, `import`.
    async fn listed_sources(&self, round_id: i64, through: i64) -> StoreResult<Vec<(String, i64)>>;

    // Invitations and reminders by e-mail (issue 15).

    /// Queues an invitation message, its link pointing to `base_url`, for every invitation of
    /// a round with an e-mail address that has not submitted and has none queued or sent: how
    /// many were queued. A unique index keeps racing clicks from queueing one twice.
    async fn queue_invitations(&self, round_id: i64, base_url: &str, now: i64) -> StoreResult<u64>;
    /// Queues a reminder for every invitation of a round with an e-mail address that has not
    /// submitted, has not stopped reminders and has none queued: how many were queued.
    async fn queue_reminders(&self, round_id: i64, base_url: &str, now: i64) -> StoreResult<u64>;
    /// Claims the message due longest at `now` that no live lease holds, until `lease_until`
    /// (Unix seconds), counting an attempt; `None` when none is due (or another server just
    /// took it).
    async fn claim_mail(&self, now: i64, lease_until: i64) -> StoreResult<Option<ClaimedMail>>;
    /// Records how the claimed message `id` ended this time, at `now`, and ends its lease.
    async fn record_mail(&self, id: i64, outcome: &Outcome, now: i64) -> StoreResult<()>;
    /// How many of a round's messages wait, went and failed.
    async fn mail_progress(&self, round_id: i64) -> StoreResult<MailProgress>;
    /// What each invitation of a round got by e-mail, in invitation order.
    async fn invitation_mail(&self, round_id: i64) -> StoreResult<Vec<InvitationMail>>;
    /// Whether the invitation with `token` stopped reminders; `None` when no invitation has it.
    async fn reminders_stopped(&self, token: &str) -> StoreResult<Option<bool>>;
    /// Stops reminders to the invitation with `token`, dropping those already queued: whether it
    /// exists.
    async fn stop_reminders(&self, token: &str) -> StoreResult<bool>;
}

#[cfg(test)]
mod tests {
    use super::shown_url;

    #[test]
    fn a_password_in_a_database_url_is_never_shown() {
        assert_eq!(
            shown_url("postgres://ana:s3cr:et@db.example.org:5432/ps?sslmode=require"),
            "postgres://ana:***@db.example.org:5432/ps?sslmode=require"
        );
        assert_eq!(
            shown_url("postgres://ana@db.example.org/ps"),
            "postgres://ana@db.example.org/ps"
        );
        assert_eq!(
            shown_url("sqlite://partnerscope.db"),
            "sqlite://partnerscope.db"
        );
        assert_eq!(shown_url("partnerscope.db"), "partnerscope.db");
    }
}
