//! The [`Store`] on SQL: one implementation for SQLite and PostgreSQL, through sqlx's `Any` driver.
//!
//! Every query is written once in SQL both engines accept: numbered `$N` parameters, `RETURNING`,
//! `ON CONFLICT … DO NOTHING`, text timestamps and 0/1 integers for flags (the `Any` driver maps
//! no SQLite BOOLEAN). What differs between the engines is only how a write transaction starts
//! and the migrations folder, both in [`Engine`].
//!
//! The queries live in one file per area of the [`Store`] trait; the trait's implementation here
//! only opens a tracing span per call (so a slow request shows which query took the time) and
//! hands over to them. Rows become domain values in `rows`.
//!
//! Durability on SQLite: WAL journal with `synchronous=FULL`, so a commit the server acknowledged
//! survives a killed process or a power cut. Writes start with `BEGIN IMMEDIATE`, taking the write
//! lock up front, so racing submissions queue on the busy timeout instead of failing mid-way. On
//! PostgreSQL the row lock of the invitation's flag (`UPDATE invitations … WHERE submitted = 0`)
//! and the unique indexes serialise racing submissions across any number of app servers.
//! Submissions are committed in batches by writer tasks (`commit`), each acknowledged only once
//! its batch is durable.

mod accounts;
mod co_facilitators;
mod commit;
mod deletion;
mod invitations;
mod mailing;
mod partnerships;
mod releases;
mod removals;
mod responses;

use std::sync::Once;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, ConnectOptions, Executor, Transaction};

use super::{
    Contents, ImportFeed, PageQuery, PartnerFeed, Purged, Store, StoreError, StoreResult, Target,
    Visible,
};
use crate::accounts::{Account, Facilitator, Failures, Session, ThrottleKey};
use crate::responses::ResponsesError;
use crate::survey::answers::Answers;
use crate::survey::closing::RoundDetails;
use crate::survey::mailing::{ClaimedMail, InvitationMail, MailProgress, Outcome};
use crate::survey::partners::{Partner, PartnerError};
use crate::survey::{
    Excluded, Invitation, InvitationProgress, ListedComment, NewInvitation, NewRound,
    OpenSubmission, Partnership, ReleaseBatch, ReleasedResponse, Removal, Respondent, Round,
    StoredRelease, StoredResponse,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

const PARTNERSHIP_COLUMNS: &str = "id, name, owner_id";
const ROUND_COLUMNS: &str = "id, partnership_id, instrument_id, instrument_version, \
     instrument_source, wave, min_group_size, open_token, created_at, closed_at, interim_releases, \
     identified_consent, open_cap, title, contact, closes_on, closes_at, share_token";
const INVITATION_COLUMNS: &str =
    "id, round_id, token, organisation, sector, language, email, submitted, opened";
const FACILITATOR_COLUMNS: &str = "id, email, is_admin";

/// The database engines partnerscope runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default: one file.
    Sqlite,
    /// For deployments with several app servers on one database.
    Postgres,
}

impl Engine {
    /// The engine a database URL names.
    pub fn of_url(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }

    fn migrations(self) -> &'static Migrator {
        match self {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// The `VALUES` list of a multi-row insert of `rows` rows of `columns` values each. SQLite
    /// gets anonymous `?` parameters: it reads `$1`… as named parameters, whose lookup makes a
    /// statement with many of them cost the square of their number to bind.
    fn values(self, rows: usize, columns: usize) -> String {
        let mut sql = String::with_capacity(rows * columns * 6);
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for column in 0..columns {
                if column > 0 {
                    sql.push_str(", ");
                }
                match self {
                    Engine::Sqlite => sql.push('?'),
                    Engine::Postgres => {
                        sql.push('$');
                        sql.push_str(&(row * columns + column + 1).to_string());
                    }
                }
            }
            sql.push(')');
        }
        sql
    }

    /// How a write transaction starts: SQLite takes its single write lock up front.
    fn begin_write(self) -> &'static str {
        match self {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres => "BEGIN",
        }
    }
}

/// A database on either engine.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    engine: Engine,
    /// Submissions go through it, to be committed in batches.
    writer: commit::Writer,
}

/// SQLite settings every connection needs (see the module documentation). `secure_delete`
/// overwrites deleted rows with zeros instead of leaving them in free space (docs/privacy.md,
/// "Deletion and retention").
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA secure_delete = ON;";

impl SqlStore {
    /// Opens (creating a SQLite file if missing) the database at `url` and applies the migrations.
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let engine = Engine::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.into()))?;
        let url = match engine {
            Engine::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options: AnyConnectOptions = url
            .parse::<AnyConnectOptions>()?
            .disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 8,
                Engine::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        engine.migrations().run(&pool).await?;
        let writer = commit::Writer::start(pool.clone(), engine);
        Ok(SqlStore {
            pool,
            engine,
            writer,
        })
    }

    /// The engine behind this store.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The connection pool, for whole-database work such as copying.
    pub(super) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    async fn begin_write(&self) -> StoreResult<Transaction<'static, Any>> {
        Ok(self.pool.begin_with(self.engine.begin_write()).await?)
    }
}

/// Locks the round's row until the transaction ends: what serialises releases, removals and
/// capped open-link submissions of one round on PostgreSQL, as `BEGIN IMMEDIATE` does on SQLite.
async fn lock_round(conn: &mut sqlx::AnyConnection, round_id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE rounds SET interim_releases = interim_releases WHERE id = $1")
        .bind(round_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[async_trait]
impl Store for SqlStore {
    // `#[instrument]` goes below `#[async_trait]` (here on the impl): async_trait turns each
    // method into one returning a boxed future, which instrument recognises and wraps, so the span
    // covers the query and not just the making of the future. `skip_all` keeps answers, e-mail
    // addresses, tokens and hashes out of the traces; only ids are recorded.

    // Partnerships and rounds.

    #[tracing::instrument(skip_all, fields(owner_id = owner_id))]
    async fn create_partnership(
        &self,
        name: &str,
        owner_id: Option<i64>,
    ) -> StoreResult<Partnership> {
        partnerships::create_partnership(self, name, owner_id).await
    }

    #[tracing::instrument(skip_all, fields(partnership_id = partnership_id, owner_id = owner_id))]
    async fn set_owner(&self, partnership_id: i64, owner_id: i64) -> StoreResult<()> {
        partnerships::set_owner(self, partnership_id, owner_id).await
    }

    #[tracing::instrument(skip_all, fields(partnership_id = id))]
    async fn partnership(&self, id: i64) -> StoreResult<Option<Partnership>> {
        partnerships::partnership(self, id).await
    }

    #[tracing::instrument(skip_all)]
    async fn partnerships(&self, visible: Visible<'_>) -> StoreResult<Vec<Partnership>> {
        partnerships::partnerships(self, visible).await
    }

    #[tracing::instrument(skip_all)]
    async fn partnerships_with_rounds(
        &self,
        visible: Visible<'_>,
    ) -> StoreResult<Vec<(Partnership, Vec<Round>)>> {
        partnerships::partnerships_with_rounds(self, visible).await
    }

    #[tracing::instrument(skip_all, fields(partnership_id = partnership_id))]
    async fn rounds(&self, partnership_id: i64) -> StoreResult<Vec<Round>> {
        partnerships::rounds(self, partnership_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = id))]
    async fn round(&self, id: i64) -> StoreResult<Option<Round>> {
        partnerships::round(self, id).await
    }

    #[tracing::instrument(skip_all)]
    async fn round_by_open_token(&self, token: &str) -> StoreResult<Option<Round>> {
        partnerships::round_by_open_token(self, token).await
    }

    #[tracing::instrument(skip_all, fields(partnership_id = round.partnership_id))]
    async fn create_round(&self, round: &NewRound<'_>) -> StoreResult<Round> {
        partnerships::create_round(self, round).await
    }

    #[tracing::instrument(skip_all, fields(partnership_id = round.partnership_id, from_round_id = from_round_id))]
    async fn start_next_round(
        &self,
        round: &NewRound<'_>,
        from_round_id: i64,
    ) -> StoreResult<Round> {
        partnerships::start_next_round(self, round, from_round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn close_round(&self, round_id: i64) -> StoreResult<()> {
        partnerships::close_round(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn reopen_round(&self, round_id: i64, now: i64) -> StoreResult<()> {
        partnerships::reopen_round(self, round_id, now).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn set_round_details(&self, round_id: i64, details: &RoundDetails) -> StoreResult<()> {
        partnerships::set_round_details(self, round_id, details).await
    }

    #[tracing::instrument(skip_all)]
    async fn close_due_rounds(&self, now: i64) -> StoreResult<u64> {
        partnerships::close_due_rounds(self, now).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn set_share_token(&self, round_id: i64, token: Option<&str>) -> StoreResult<()> {
        partnerships::set_share_token(self, round_id, token).await
    }

    #[tracing::instrument(skip_all)]
    async fn round_by_share_token(&self, token: &str) -> StoreResult<Option<Round>> {
        partnerships::round_by_share_token(self, token).await
    }

    // Invitations.

    #[tracing::instrument(skip_all, fields(round_id = invitation.round_id))]
    async fn create_invitation(&self, invitation: &NewInvitation<'_>) -> StoreResult<Invitation> {
        invitations::create_invitation(self, invitation).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id, partners = partners.len()))]
    async fn add_partners(
        &self,
        round_id: i64,
        partners: &[Partner],
    ) -> StoreResult<Vec<Invitation>> {
        invitations::add_partners(self, round_id, partners).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn add_partner_list(
        &self,
        round_id: i64,
        list: &mut PartnerFeed<'_>,
    ) -> StoreResult<Result<u64, Vec<PartnerError>>> {
        invitations::add_partner_list(self, round_id, list).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn import_responses(
        &self,
        round_id: i64,
        feed: &mut ImportFeed<'_>,
    ) -> StoreResult<Result<u64, ResponsesError>> {
        responses::import_responses(self, round_id, feed).await
    }

    #[tracing::instrument(skip_all)]
    async fn invitation_by_token(&self, token: &str) -> StoreResult<Option<(Invitation, Round)>> {
        invitations::invitation_by_token(self, token).await
    }

    #[tracing::instrument(skip_all, fields(invitation_id = id))]
    async fn mark_opened(&self, id: i64) -> StoreResult<()> {
        invitations::mark_opened(self, id).await
    }

    #[tracing::instrument(skip_all, fields(invitation_id = id))]
    async fn update_partner(&self, id: i64, partner: &Partner) -> StoreResult<bool> {
        invitations::update_partner(self, id, partner).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn invitation_progress(&self, round_id: i64) -> StoreResult<Vec<InvitationProgress>> {
        invitations::invitation_progress(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn invited_per_sector(&self, round_id: i64) -> StoreResult<Vec<(String, i64)>> {
        invitations::invited_per_sector(self, round_id).await
    }

    // Responses.

    #[tracing::instrument(skip_all, fields(invitation_id = invitation_id))]
    async fn invitation_response(&self, invitation_id: i64) -> StoreResult<Option<StoredResponse>> {
        responses::invitation_response(self, invitation_id).await
    }

    #[tracing::instrument(skip_all, fields(invitation_id = invitation_id))]
    async fn save_draft(
        &self,
        invitation_id: i64,
        answers: &Answers,
        resume_digest: &str,
    ) -> StoreResult<()> {
        responses::save_draft(self, invitation_id, answers, resume_digest).await
    }

    // No invitation id in the span: in an anonymous round the log must not link it to a time.
    #[tracing::instrument(skip_all)]
    async fn submit(
        &self,
        invitation_id: i64,
        answers: &Answers,
        receipt_digest: &str,
    ) -> StoreResult<()> {
        let via = responses::Via::Invitation { invitation_id };
        self.writer
            .submit(via, answers, receipt_digest)
            .await
            .map(|_| ())
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn submit_open(
        &self,
        round_id: i64,
        form_id: &str,
        answers: &Answers,
        receipt_digest: &str,
    ) -> StoreResult<OpenSubmission> {
        let via = responses::Via::OpenLink {
            round_id,
            form_id: form_id.to_string(),
        };
        self.writer.submit(via, answers, receipt_digest).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn set_open_cap(&self, round_id: i64, cap: Option<i64>) -> StoreResult<()> {
        removals::set_open_cap(self, round_id, cap).await
    }

    #[tracing::instrument(skip_all)]
    async fn receipt_round(&self, receipt_digest: &str) -> StoreResult<Option<i64>> {
        removals::receipt_round(self, receipt_digest).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn remove_response(
        &self,
        round_id: i64,
        who: Respondent<'_>,
        removal: Removal,
        erased: &[(String, i16)],
    ) -> StoreResult<bool> {
        removals::remove(self, round_id, who, removal, erased).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn include_response(
        &self,
        round_id: i64,
        pseudonym: &str,
        erased: &[(String, i16)],
    ) -> StoreResult<bool> {
        removals::include(self, round_id, pseudonym, erased).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn excluded(&self, round_id: i64) -> StoreResult<Vec<Excluded>> {
        removals::excluded(self, round_id).await
    }

    #[tracing::instrument(skip_all)]
    async fn secret(&self, name: &str, fresh: &str) -> StoreResult<String> {
        removals::secret(self, name, fresh).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn uninvited_submissions(
        &self,
        round_id: i64,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        responses::uninvited_submissions(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn responses(&self, round_id: i64) -> StoreResult<Vec<StoredResponse>> {
        responses::responses(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id, limit = limit))]
    async fn submitted_page(
        &self,
        round_id: i64,
        page: &PageQuery,
        limit: i64,
    ) -> StoreResult<Vec<ReleasedResponse>> {
        responses::submitted_page(self, round_id, page, limit).await
    }

    // Releases.

    #[tracing::instrument(skip_all, fields(round_id = round_id, on = on))]
    async fn set_interim_releases(&self, round_id: i64, on: bool) -> StoreResult<()> {
        releases::set_interim_releases(self, round_id, on).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn unreleased_count(&self, round_id: i64) -> StoreResult<u64> {
        releases::unreleased_count(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn begin_release(&self, round_id: i64) -> StoreResult<ReleaseBatch> {
        releases::begin_release(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id, number = batch.number))]
    async fn store_release(
        &self,
        round_id: i64,
        batch: &ReleaseBatch,
        body: &str,
    ) -> StoreResult<bool> {
        releases::store_release(self, round_id, batch, body).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id, number = batch.number))]
    async fn abandon_release(&self, round_id: i64, batch: &ReleaseBatch) -> StoreResult<()> {
        releases::abandon_release(self, round_id, batch).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn releases(&self, round_id: i64) -> StoreResult<Vec<StoredRelease>> {
        releases::releases(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn last_release(&self, round_id: i64) -> StoreResult<Option<StoredRelease>> {
        releases::last_release(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn last_release_key(&self, round_id: i64) -> StoreResult<Option<(i64, String)>> {
        releases::last_release_key(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id, through = through))]
    async fn listed_comments(
        &self,
        round_id: i64,
        through: i64,
    ) -> StoreResult<Vec<ListedComment>> {
        releases::listed_comments(self, round_id, through).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id, facilitator_id = facilitator_id))]
    async fn redact_comment(
        &self,
        round_id: i64,
        handle: &str,
        facilitator_id: i64,
    ) -> StoreResult<bool> {
        releases::redact_comment(self, round_id, handle, facilitator_id).await
    }

    // Accounts and sessions.

    #[tracing::instrument(skip_all)]
    async fn create_facilitator(
        &self,
        email: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> StoreResult<Facilitator> {
        accounts::create_facilitator(self, email, password_hash, is_admin).await
    }

    #[tracing::instrument(skip_all, fields(facilitator_id = facilitator_id))]
    async fn create_password_reset(
        &self,
        facilitator_id: i64,
        token_digest: &str,
        now: i64,
    ) -> StoreResult<bool> {
        accounts::create_password_reset(self, facilitator_id, token_digest, now).await
    }

    #[tracing::instrument(skip_all)]
    async fn password_reset_email(
        &self,
        token_digest: &str,
        now: i64,
    ) -> StoreResult<Option<String>> {
        accounts::password_reset_email(self, token_digest, now).await
    }

    #[tracing::instrument(skip_all)]
    async fn use_password_reset(
        &self,
        token_digest: &str,
        now: i64,
        password_hash: &str,
    ) -> StoreResult<bool> {
        accounts::use_password_reset(self, token_digest, now, password_hash).await
    }

    #[tracing::instrument(skip_all)]
    async fn set_password(&self, email: &str, password_hash: &str) -> StoreResult<()> {
        accounts::set_password(self, email, password_hash).await
    }

    #[tracing::instrument(skip_all)]
    async fn facilitator_by_email(
        &self,
        email: &str,
    ) -> StoreResult<Option<(Facilitator, String)>> {
        accounts::facilitator_by_email(self, email).await
    }

    #[tracing::instrument(skip_all, fields(facilitator_id = facilitator_id))]
    async fn create_session(
        &self,
        facilitator_id: i64,
        token_digest: &str,
        csrf_token: &str,
        expires_at: i64,
        replaces: Option<&str>,
    ) -> StoreResult<()> {
        accounts::create_session(
            self,
            facilitator_id,
            token_digest,
            csrf_token,
            expires_at,
            replaces,
        )
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn session(&self, token_digest: &str, now: i64) -> StoreResult<Option<Session>> {
        accounts::session(self, token_digest, now).await
    }

    #[tracing::instrument(skip_all)]
    async fn delete_session(&self, token_digest: &str) -> StoreResult<()> {
        accounts::delete_session(self, token_digest).await
    }

    #[tracing::instrument(skip_all, fields(facilitator_id = facilitator_id))]
    async fn delete_sessions(&self, facilitator_id: i64) -> StoreResult<u64> {
        accounts::delete_sessions(self, facilitator_id).await
    }

    #[tracing::instrument(skip_all)]
    async fn sign_in_failures(&self, keys: &[ThrottleKey]) -> StoreResult<Vec<Option<Failures>>> {
        accounts::sign_in_failures(self, keys).await
    }

    #[tracing::instrument(skip_all)]
    async fn record_sign_in_failure(&self, keys: &[ThrottleKey], now: i64) -> StoreResult<()> {
        accounts::record_sign_in_failure(self, keys, now).await
    }

    #[tracing::instrument(skip_all)]
    async fn clear_sign_in_failures(&self, keys: &[ThrottleKey]) -> StoreResult<()> {
        accounts::clear_sign_in_failures(self, keys).await
    }

    // Co-facilitators and accounts made on the web (issue 15).

    #[tracing::instrument(skip_all, fields(partnership_id = id))]
    async fn visible_partnership(
        &self,
        id: i64,
        visible: Visible<'_>,
    ) -> StoreResult<Option<Partnership>> {
        partnerships::visible_partnership(self, id, visible).await
    }

    #[tracing::instrument(skip_all, fields(partnership_id = partnership_id))]
    async fn partnership_facilitators(&self, partnership_id: i64) -> StoreResult<Vec<Facilitator>> {
        co_facilitators::partnership_facilitators(self, partnership_id).await
    }

    #[tracing::instrument(skip_all, fields(partnership_id = partnership_id, facilitator_id = facilitator_id))]
    async fn add_co_facilitator(
        &self,
        partnership_id: i64,
        facilitator_id: i64,
    ) -> StoreResult<bool> {
        co_facilitators::add_co_facilitator(self, partnership_id, facilitator_id).await
    }

    #[tracing::instrument(skip_all, fields(partnership_id = partnership_id, facilitator_id = facilitator_id))]
    async fn remove_co_facilitator(
        &self,
        partnership_id: i64,
        facilitator_id: i64,
    ) -> StoreResult<bool> {
        co_facilitators::remove_co_facilitator(self, partnership_id, facilitator_id).await
    }

    #[tracing::instrument(skip_all)]
    async fn accounts(&self) -> StoreResult<Vec<Account>> {
        accounts::accounts(self).await
    }

    // Deletion and retention.

    #[tracing::instrument(skip_all, fields(invitation_id = id))]
    async fn invitation(&self, id: i64) -> StoreResult<Option<Invitation>> {
        deletion::invitation(self, id).await
    }

    #[tracing::instrument(skip_all, fields(target = ?target))]
    async fn contents(&self, target: Target) -> StoreResult<Option<Contents>> {
        deletion::contents(self, target).await
    }

    #[tracing::instrument(skip_all, fields(target = ?target))]
    async fn delete(&self, target: Target) -> StoreResult<Option<Contents>> {
        deletion::delete(self, target).await
    }

    #[tracing::instrument(skip_all, fields(draft_retention_days = draft_retention_days))]
    async fn purge(&self, draft_retention_days: u32, now: i64) -> StoreResult<Purged> {
        deletion::purge(self, draft_retention_days, now).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn remove_partner_emails(&self, round_id: i64) -> StoreResult<u64> {
        deletion::remove_partner_emails(self, round_id).await
    }

    // Paper sheets and the sources of responses (issue 15).

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn submit_paper(
        &self,
        round_id: i64,
        sheet_id: &str,
        answers: &Answers,
    ) -> StoreResult<bool> {
        responses::submit_paper(self, round_id, sheet_id, answers).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn listed_sources(&self, round_id: i64, through: i64) -> StoreResult<Vec<(String, i64)>> {
        responses::listed_sources(self, round_id, through).await
    }

    // Invitations and reminders by e-mail (issue 15).

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn queue_invitations(&self, round_id: i64, base_url: &str, now: i64) -> StoreResult<u64> {
        mailing::queue_invitations(self, round_id, base_url, now).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn queue_reminders(&self, round_id: i64, base_url: &str, now: i64) -> StoreResult<u64> {
        mailing::queue_reminders(self, round_id, base_url, now).await
    }

    #[tracing::instrument(skip_all)]
    async fn claim_mail(&self, now: i64, lease_until: i64) -> StoreResult<Option<ClaimedMail>> {
        mailing::claim_mail(self, now, lease_until).await
    }

    #[tracing::instrument(skip_all, fields(message_id = id))]
    async fn record_mail(&self, id: i64, outcome: &Outcome, now: i64) -> StoreResult<()> {
        mailing::record_mail(self, id, outcome, now).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn mail_progress(&self, round_id: i64) -> StoreResult<MailProgress> {
        mailing::mail_progress(self, round_id).await
    }

    #[tracing::instrument(skip_all, fields(round_id = round_id))]
    async fn invitation_mail(&self, round_id: i64) -> StoreResult<Vec<InvitationMail>> {
        mailing::invitation_mail(self, round_id).await
    }

    #[tracing::instrument(skip_all)]
    async fn reminders_stopped(&self, token: &str) -> StoreResult<Option<bool>> {
        mailing::reminders_stopped(self, token).await
    }

    #[tracing::instrument(skip_all)]
    async fn stop_reminders(&self, token: &str) -> StoreResult<bool> {
        mailing::stop_reminders(self, token).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;
    use tracing_subscriber::fmt::format::FmtSpan;

    use super::*;

    /// Log output the test reads back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;

        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    #[tokio::test]
    async fn each_store_call_runs_in_a_span_named_after_it_with_its_ids() {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_span_events(FmtSpan::NEW)
            .with_ansi(false)
            .finish();
        // This thread only: the test runtime runs the store's futures here.
        let _guard = tracing::subscriber::set_default(subscriber);
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("spans.db").display());
        let store = SqlStore::open(&url).await.unwrap();
        let partnership = store.create_partnership("Spans", None).await.unwrap();
        store.close_round(42).await.unwrap();
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        // Logged when the span opens: its close can come after the call returned, because sqlx's
        // SQLite driver hands the span to its worker thread with each statement.
        assert!(log.contains(" create_partnership: "), "{log}");
        assert!(log.contains(" close_round{round_id=42}: "), "{log}");
        assert!(!log.contains("Spans"), "names stay out of the spans: {log}");
        assert_eq!(partnership.name, "Spans");
    }
}
