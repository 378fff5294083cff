//! The [`Store`] on SQL: one implementation for SQLite and PostgreSQL, through sqlx's `Any` driver.
//!
//! Every query is written once in SQL both engines accept: numbered `$N` parameters, `RETURNING`,
//! `ON CONFLICT … DO NOTHING`, text timestamps and 0/1 integers for flags (the `Any` driver maps
//! no SQLite BOOLEAN). What differs between the engines is only how a write transaction starts
//! and the migrations folder, both in [`Engine`].
//!
//! Durability on SQLite: WAL journal with `synchronous=FULL`, so a commit the server acknowledged
//! survives a killed process or a power cut. Writes start with `BEGIN IMMEDIATE`, taking the write
//! lock up front, so racing submissions queue on the busy timeout instead of failing mid-way. On
//! PostgreSQL the row locks of `UPDATE … WHERE status = 'draft'` and the unique indexes serialise
//! racing submissions across any number of app servers.

use std::collections::HashMap;
use std::sync::Once;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Executor, FromRow, Transaction};

use super::rows::{DbInvitation, DbPartnership, DbRound};
use super::{Store, StoreError, StoreResult, now};
use crate::accounts::{Facilitator, Session};
use crate::survey::answers::{Answer, Answers};
use crate::survey::partners::Partner;
use crate::survey::{
    Invitation, InvitationProgress, NewInvitation, NewRound, OpenSubmission, Partnership, Round,
    Status, StoredResponse, new_token,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

const ROUND_COLUMNS: &str = "id, partnership_id, instrument_id, instrument_version, \
     instrument_source, wave, min_group_size, open_token, created_at, closed_at";
const INVITATION_COLUMNS: &str = "id, round_id, token, organisation, sector, language, email";
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
}

/// SQLite settings every connection needs (see the module documentation).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;";

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
        Ok(SqlStore { pool, engine })
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

    /// Writes the invitation's response and its answers; `submit` makes it final.
    async fn write_invitation_response(
        &self,
        invitation_id: i64,
        answers: &Answers,
        submit: bool,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let round_id: i64 = sqlx::query_scalar("SELECT round_id FROM invitations WHERE id = $1")
            .bind(invitation_id)
            .fetch_one(&mut *tx)
            .await?;
        ensure_open(&mut tx, round_id).await?;
        let now = now();
        sqlx::query(
            "INSERT INTO responses (invitation_id, round_id, consent, status, started_at, \
             updated_at) VALUES ($1, $2, $3, 'draft', $4, $5) ON CONFLICT (invitation_id) DO NOTHING",
        )
        .bind(invitation_id)
        .bind(round_id)
        .bind(i64::from(answers.consent))
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        // Only a draft may change: a submitted row makes this match nothing, whoever got there
        // first, because the write lock serialises the transactions.
        let response_id: Option<i64> = sqlx::query_scalar(
            "UPDATE responses SET consent = $1, sector = $2, language = $3, updated_at = $4, \
             status = CASE WHEN $5 THEN 'submitted' ELSE 'draft' END, \
             submitted_at = CASE WHEN $6 THEN $7 ELSE NULL END \
             WHERE invitation_id = $8 AND status = 'draft' RETURNING id",
        )
        .bind(i64::from(answers.consent))
        .bind(&answers.sector)
        .bind(&answers.language)
        .bind(&now)
        .bind(submit)
        .bind(submit)
        .bind(&now)
        .bind(invitation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(response_id) = response_id else {
            return Err(StoreError::AlreadySubmitted);
        };
        replace_answers(&mut tx, response_id, answers).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Responses matching `condition` (a fixed SQL condition on `responses` with parameters
    /// `$1…` bound to `params`); with `group` their sector falls back to the invitation's.
    async fn responses_where(
        &self,
        condition: &str,
        params: &[i64],
        group: bool,
    ) -> StoreResult<Vec<StoredResponse>> {
        let mut conn = self.pool.acquire().await?;
        let sector = if group {
            "COALESCE(sector, (SELECT i.sector FROM invitations i \
             WHERE i.id = responses.invitation_id)) AS sector"
        } else {
            "sector"
        };
        let sql = format!(
            "SELECT id, invitation_id, round_id, consent, {sector}, language, status, started_at, \
             updated_at, submitted_at FROM responses WHERE {condition} ORDER BY id"
        );
        let mut query = sqlx::query_as(&sql);
        for param in params {
            query = query.bind(*param);
        }
        let rows: Vec<ResponseRow> = query.fetch_all(&mut *conn).await?;
        let sql = format!(
            "SELECT response_id, item_id, value, code FROM response_answers WHERE response_id IN \
             (SELECT id FROM responses WHERE {condition})"
        );
        let mut query = sqlx::query_as(&sql);
        for param in params {
            query = query.bind(*param);
        }
        let answers: Vec<AnswerRow> = query.fetch_all(&mut *conn).await?;
        let sql = format!(
            "SELECT response_id, comment_id, body FROM response_comments WHERE response_id IN \
             (SELECT id FROM responses WHERE {condition})"
        );
        let mut query = sqlx::query_as(&sql);
        for param in params {
            query = query.bind(*param);
        }
        let comments: Vec<CommentRow> = query.fetch_all(&mut *conn).await?;
        let mut responses: Vec<StoredResponse> =
            rows.into_iter().map(ResponseRow::into_response).collect();
        let position: HashMap<i64, usize> = responses
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id, i))
            .collect();
        for answer in answers {
            if let Some(response) = position
                .get(&answer.response_id)
                .map(|&i| &mut responses[i])
            {
                let value = match (answer.value, answer.code) {
                    (Some(value), _) => Answer::Value(value),
                    (None, code) => Answer::Code(code.unwrap_or_default()),
                };
                response.answers.items.insert(answer.item_id, value);
            }
        }
        for comment in comments {
            if let Some(response) = position
                .get(&comment.response_id)
                .map(|&i| &mut responses[i])
            {
                response
                    .answers
                    .comments
                    .insert(comment.comment_id, comment.body);
            }
        }
        Ok(responses)
    }
}

/// Fails with [`StoreError::RoundClosed`] unless the round is open.
async fn ensure_open(conn: &mut AnyConnection, round_id: i64) -> StoreResult<()> {
    let closed_at: Option<String> =
        sqlx::query_scalar("SELECT closed_at FROM rounds WHERE id = $1")
            .bind(round_id)
            .fetch_one(&mut *conn)
            .await?;
    match closed_at {
        Some(_) => Err(StoreError::RoundClosed),
        None => Ok(()),
    }
}

/// Replaces the answers and comments of a response with `answers`.
async fn replace_answers(
    conn: &mut AnyConnection,
    response_id: i64,
    answers: &Answers,
) -> StoreResult<()> {
    for table in ["response_answers", "response_comments"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE response_id = $1"))
            .bind(response_id)
            .execute(&mut *conn)
            .await?;
    }
    for (item_id, answer) in &answers.items {
        let (value, code) = match answer {
            Answer::Value(value) => (Some(*value), None),
            Answer::Code(code) => (None, Some(code.as_str())),
        };
        sqlx::query(
            "INSERT INTO response_answers (response_id, item_id, value, code) VALUES ($1, $2, $3, $4)",
        )
        .bind(response_id)
        .bind(item_id)
        .bind(value)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    }
    for (comment_id, body) in &answers.comments {
        sqlx::query(
            "INSERT INTO response_comments (response_id, comment_id, body) VALUES ($1, $2, $3)",
        )
        .bind(response_id)
        .bind(comment_id)
        .bind(body)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Reads a stored status; the CHECK constraint allows only `draft` and `submitted`.
fn parse_status(text: &str) -> Status {
    if text == "submitted" {
        Status::Submitted
    } else {
        Status::Draft
    }
}

#[derive(FromRow)]
struct ResponseRow {
    id: i64,
    invitation_id: Option<i64>,
    round_id: i64,
    /// 0 or 1: flags are integers on both engines.
    consent: i64,
    sector: Option<String>,
    language: Option<String>,
    status: String,
    started_at: String,
    updated_at: String,
    submitted_at: Option<String>,
}

impl ResponseRow {
    fn into_response(self) -> StoredResponse {
        StoredResponse {
            id: self.id,
            invitation_id: self.invitation_id,
            round_id: self.round_id,
            status: parse_status(&self.status),
            answers: Answers {
                consent: self.consent != 0,
                sector: self.sector,
                language: self.language,
                ..Answers::default()
            },
            started_at: self.started_at,
            updated_at: self.updated_at,
            submitted_at: self.submitted_at,
        }
    }
}

#[derive(FromRow)]
struct AnswerRow {
    response_id: i64,
    item_id: String,
    value: Option<i16>,
    code: Option<String>,
}

#[derive(FromRow)]
struct CommentRow {
    response_id: i64,
    comment_id: String,
    body: String,
}

#[derive(FromRow)]
struct ProgressRow {
    #[sqlx(flatten)]
    invitation: DbInvitation,
    status: Option<String>,
}

#[async_trait]
impl Store for SqlStore {
    async fn create_partnership(&self, name: &str) -> StoreResult<Partnership> {
        Ok(sqlx::query_as::<_, DbPartnership>(
            "INSERT INTO partnerships (name, created_at) VALUES ($1, $2) \
             RETURNING id, name, owner_id",
        )
        .bind(name)
        .bind(now())
        .fetch_one(&self.pool)
        .await?
        .0)
    }

    async fn partnerships(&self) -> StoreResult<Vec<Partnership>> {
        Ok(sqlx::query_as::<_, DbPartnership>(
            "SELECT id, name, owner_id FROM partnerships ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|row| row.0)
        .collect())
    }

    async fn create_round(&self, round: &NewRound<'_>) -> StoreResult<Round> {
        Ok(sqlx::query_as::<_, DbRound>(&format!(
            "INSERT INTO rounds (partnership_id, instrument_id, instrument_version, \
             instrument_source, wave, min_group_size, open_token, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ROUND_COLUMNS}"
        ))
        .bind(round.partnership_id)
        .bind(&round.instrument.id)
        .bind(&round.instrument.version)
        .bind(&round.instrument.source)
        .bind(round.wave)
        .bind(round.min_group_size)
        .bind(round.open_link.then(new_token))
        .bind(now())
        .fetch_one(&self.pool)
        .await?
        .0)
    }

    async fn rounds(&self, partnership_id: i64) -> StoreResult<Vec<Round>> {
        Ok(sqlx::query_as::<_, DbRound>(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE partnership_id = $1 ORDER BY id"
        ))
        .bind(partnership_id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|row| row.0)
        .collect())
    }

    async fn round_by_open_token(&self, token: &str) -> StoreResult<Option<Round>> {
        Ok(sqlx::query_as::<_, DbRound>(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE open_token = $1"
        ))
        .bind(token)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| row.0))
    }

    async fn close_round(&self, round_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE rounds SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
            .bind(now())
            .bind(round_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_invitation(&self, invitation: &NewInvitation<'_>) -> StoreResult<Invitation> {
        Ok(sqlx::query_as::<_, DbInvitation>(&format!(
            "INSERT INTO invitations (round_id, token, organisation, sector, language, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(invitation.round_id)
        .bind(new_token())
        .bind(invitation.organisation)
        .bind(invitation.sector)
        .bind(invitation.language)
        .bind(now())
        .fetch_one(&self.pool)
        .await?
        .0)
    }

    async fn invitation_by_token(&self, token: &str) -> StoreResult<Option<(Invitation, Round)>> {
        let invitation: Option<DbInvitation> = sqlx::query_as(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token = $1"
        ))
        .bind(token)
        .fetch_optional(&self.pool)
        .await?;
        let Some(DbInvitation(invitation)) = invitation else {
            return Ok(None);
        };
        let DbRound(round) =
            sqlx::query_as(&format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1"))
                .bind(invitation.round_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(Some((invitation, round)))
    }

    async fn invitation_progress(&self, round_id: i64) -> StoreResult<Vec<InvitationProgress>> {
        let rows: Vec<ProgressRow> = sqlx::query_as(
            "SELECT i.id, i.round_id, i.token, i.organisation, i.sector, i.language, i.email, \
             r.status \
             FROM invitations i LEFT JOIN responses r ON r.invitation_id = i.id \
             WHERE i.round_id = $1 ORDER BY i.id",
        )
        .bind(round_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| InvitationProgress {
                invitation: row.invitation.0,
                status: row.status.as_deref().map(parse_status),
            })
            .collect())
    }

    async fn open_link_submissions(&self, round_id: i64) -> StoreResult<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT COALESCE(sector, '') AS sector, COUNT(*) AS submitted FROM responses \
             WHERE round_id = $1 AND invitation_id IS NULL AND status = 'submitted' \
             GROUP BY COALESCE(sector, '') ORDER BY 1",
        )
        .bind(round_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn invitation_response(&self, invitation_id: i64) -> StoreResult<Option<StoredResponse>> {
        Ok(self
            .responses_where("invitation_id = $1", &[invitation_id], false)
            .await?
            .pop())
    }

    async fn save_draft(&self, invitation_id: i64, answers: &Answers) -> StoreResult<()> {
        self.write_invitation_response(invitation_id, answers, false)
            .await
    }

    async fn submit(&self, invitation_id: i64, answers: &Answers) -> StoreResult<()> {
        self.write_invitation_response(invitation_id, answers, true)
            .await
    }

    async fn submit_open(
        &self,
        round_id: i64,
        form_id: &str,
        answers: &Answers,
    ) -> StoreResult<OpenSubmission> {
        let mut tx = self.begin_write().await?;
        ensure_open(&mut tx, round_id).await?;
        let now = now();
        let response_id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO responses (round_id, open_form_id, consent, sector, language, status, \
             started_at, updated_at, submitted_at) VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8) \
             ON CONFLICT (open_form_id) DO NOTHING RETURNING id",
        )
        .bind(round_id)
        .bind(form_id)
        .bind(i64::from(answers.consent))
        .bind(&answers.sector)
        .bind(&answers.language)
        .bind(&now)
        .bind(&now)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(response_id) = response_id else {
            return Ok(OpenSubmission::AlreadyStored);
        };
        replace_answers(&mut tx, response_id, answers).await?;
        tx.commit().await?;
        Ok(OpenSubmission::Stored)
    }

    async fn responses(&self, round_id: i64) -> StoreResult<Vec<StoredResponse>> {
        self.responses_where("round_id = $1", &[round_id], false)
            .await
    }

    async fn submitted_page(
        &self,
        round_id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredResponse>> {
        // The page's last id first, so the three queries of `responses_where` see the same rows.
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(id) FROM (SELECT id FROM responses WHERE round_id = $1 \
             AND status = 'submitted' AND id > $2 ORDER BY id LIMIT $3) page",
        )
        .bind(round_id)
        .bind(after)
        .bind(limit)
        .fetch_one(&self.pool)
        .await?;
        let Some(last) = last else {
            return Ok(Vec::new());
        };
        self.responses_where(
            "round_id = $1 AND status = 'submitted' AND id > $2 AND id <= $3",
            &[round_id, after, last],
            true,
        )
        .await
    }

    async fn create_facilitator(
        &self,
        email: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> StoreResult<Facilitator> {
        let row: Option<FacilitatorRow> = sqlx::query_as(&format!(
            "INSERT INTO facilitators (email, password_hash, is_admin, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING {FACILITATOR_COLUMNS}"
        ))
        .bind(email)
        .bind(password_hash)
        .bind(i64::from(is_admin))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        row.map(FacilitatorRow::into_facilitator)
            .ok_or(StoreError::DuplicateEmail)
    }

    async fn set_password(&self, email: &str, password_hash: &str) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE facilitators SET password_hash = $1 WHERE email = $2 RETURNING id",
        )
        .bind(password_hash)
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
        let id = id.ok_or(StoreError::UnknownEmail)?;
        // A new password ends every session the old one opened.
        sqlx::query("DELETE FROM sessions WHERE facilitator_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn facilitator_by_email(
        &self,
        email: &str,
    ) -> StoreResult<Option<(Facilitator, String)>> {
        let row: Option<(i64, String, i64, String)> = sqlx::query_as(
            "SELECT id, email, is_admin, password_hash FROM facilitators WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, email, is_admin, hash)| {
            (
                FacilitatorRow {
                    id,
                    email,
                    is_admin,
                }
                .into_facilitator(),
                hash,
            )
        }))
    }

    async fn create_session(
        &self,
        facilitator_id: i64,
        token_digest: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_digest, facilitator_id, csrf_token, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_digest)
        .bind(facilitator_id)
        .bind(csrf_token)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, token_digest: &str, now: i64) -> StoreResult<Option<Session>> {
        let row: Option<(i64, String, i64, String)> = sqlx::query_as(
            "SELECT f.id, f.email, f.is_admin, s.csrf_token FROM sessions s \
             JOIN facilitators f ON f.id = s.facilitator_id \
             WHERE s.token_digest = $1 AND s.expires_at > $2",
        )
        .bind(token_digest)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, email, is_admin, csrf_token)| Session {
            facilitator: FacilitatorRow {
                id,
                email,
                is_admin,
            }
            .into_facilitator(),
            csrf_token,
        }))
    }

    async fn delete_session(&self, token_digest: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
            .bind(token_digest)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn sign_in_locked_until(&self, email: &str) -> StoreResult<i64> {
        let until: Option<i64> =
            sqlx::query_scalar("SELECT locked_until FROM sign_in_failures WHERE email = $1")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        Ok(until.unwrap_or(0))
    }

    async fn record_sign_in_failure(
        &self,
        email: &str,
        now: i64,
        lockout: fn(i64) -> i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO sign_in_failures (email, failures, locked_until) VALUES ($1, 1, 0) \
             ON CONFLICT (email) DO UPDATE SET failures = sign_in_failures.failures + 1 \
             RETURNING failures",
        )
        .bind(email)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE sign_in_failures SET locked_until = $1 WHERE email = $2")
            .bind(now + lockout(failures))
            .bind(email)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn clear_sign_in_failures(&self, email: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(email)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_owned_partnership(
        &self,
        name: &str,
        owner_id: i64,
    ) -> StoreResult<Partnership> {
        Ok(sqlx::query_as::<_, DbPartnership>(
            "INSERT INTO partnerships (name, owner_id, created_at) VALUES ($1, $2, $3) \
             RETURNING id, name, owner_id",
        )
        .bind(name)
        .bind(owner_id)
        .bind(now())
        .fetch_one(&self.pool)
        .await?
        .0)
    }

    async fn set_owner(&self, partnership_id: i64, owner_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE partnerships SET owner_id = $1 WHERE id = $2")
            .bind(owner_id)
            .bind(partnership_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn partnerships_of(&self, facilitator: &Facilitator) -> StoreResult<Vec<Partnership>> {
        Ok(sqlx::query_as::<_, DbPartnership>(
            "SELECT id, name, owner_id FROM partnerships WHERE $1 = 1 OR owner_id = $2 \
             ORDER BY id",
        )
        .bind(i64::from(facilitator.is_admin))
        .bind(facilitator.id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|row| row.0)
        .collect())
    }

    async fn partnership(&self, id: i64) -> StoreResult<Option<Partnership>> {
        Ok(sqlx::query_as::<_, DbPartnership>(
            "SELECT id, name, owner_id FROM partnerships WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| row.0))
    }

    async fn round(&self, id: i64) -> StoreResult<Option<Round>> {
        Ok(sqlx::query_as::<_, DbRound>(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| row.0))
    }

    async fn reopen_round(&self, round_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE rounds SET closed_at = NULL WHERE id = $1")
            .bind(round_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn add_partners(
        &self,
        round_id: i64,
        partners: &[Partner],
    ) -> StoreResult<Vec<Invitation>> {
        let mut tx = self.begin_write().await?;
        let now = now();
        let mut invitations = Vec::with_capacity(partners.len());
        for partner in partners {
            invitations.push(
                sqlx::query_as::<_, DbInvitation>(&format!(
                    "INSERT INTO invitations (round_id, token, organisation, sector, language, \
                     email, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     RETURNING {INVITATION_COLUMNS}"
                ))
                .bind(round_id)
                .bind(new_token())
                .bind(&partner.organisation)
                .bind(&partner.sector)
                .bind(&partner.language)
                .bind(&partner.email)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?
                .0,
            );
        }
        tx.commit().await?;
        Ok(invitations)
    }
}

#[derive(FromRow)]
struct FacilitatorRow {
    id: i64,
    email: String,
    /// 0 or 1.
    is_admin: i64,
}

impl FacilitatorRow {
    fn into_facilitator(self) -> Facilitator {
        Facilitator {
            id: self.id,
            email: self.email,
            is_admin: self.is_admin != 0,
        }
    }
}
