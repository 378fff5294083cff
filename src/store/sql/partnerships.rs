//! Partnerships and their rounds.

use sqlx::AnyConnection;

use super::{PARTNERSHIP_COLUMNS, ROUND_COLUMNS, SqlStore, invitations};
use crate::store::rows::{DbPartnership, DbPartnershipRound, DbRound};
use crate::store::{StoreResult, Visible, now};
use crate::survey::closing::RoundDetails;
use crate::survey::{IDENTIFIED_CONSENT, NewRound, Partnership, Round, new_token};

pub(super) async fn create_partnership(
    db: &SqlStore,
    name: &str,
    owner_id: Option<i64>,
) -> StoreResult<Partnership> {
    Ok(sqlx::query_as::<_, DbPartnership>(&format!(
        "INSERT INTO partnerships (name, owner_id, created_at) VALUES ($1, $2, $3) \
         RETURNING {PARTNERSHIP_COLUMNS}"
    ))
    .bind(name)
    .bind(owner_id)
    .bind(now())
    .fetch_one(&db.pool)
    .await?
    .0)
}

pub(super) async fn set_owner(
    db: &SqlStore,
    partnership_id: i64,
    owner_id: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE partnerships SET owner_id = $1 WHERE id = $2")
        .bind(owner_id)
        .bind(partnership_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn partnership(db: &SqlStore, id: i64) -> StoreResult<Option<Partnership>> {
    Ok(sqlx::query_as::<_, DbPartnership>(&format!(
        "SELECT {PARTNERSHIP_COLUMNS} FROM partnerships WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .map(|row| row.0))
}

/// Who sees a partnership `p`: the one access rule of every facilitator page and listing, as a
/// condition on `$1` and `$2` (see [`visibility`]). `$1 = 1` (an administrator, or
/// [`Visible::All`]) sees every partnership; anyone else, facilitator `$2`, those they own or
/// co-facilitate. A NULL owner matches nobody.
const VISIBLE: &str = "($1 = 1 OR p.owner_id = $2 OR EXISTS (SELECT 1 FROM \
     partnership_facilitators pf WHERE pf.partnership_id = p.id AND pf.facilitator_id = $2))";

/// The parameters `$1` and `$2` of [`VISIBLE`] for `visible`.
fn visibility(visible: Visible<'_>) -> (i64, Option<i64>) {
    match visible {
        Visible::All => (1, None),
        Visible::To(facilitator) => (i64::from(facilitator.is_admin), Some(facilitator.id)),
    }
}

pub(super) async fn visible_partnership(
    db: &SqlStore,
    id: i64,
    visible: Visible<'_>,
) -> StoreResult<Option<Partnership>> {
    let (all, facilitator_id) = visibility(visible);
    Ok(sqlx::query_as::<_, DbPartnership>(&format!(
        "SELECT {PARTNERSHIP_COLUMNS} FROM partnerships p WHERE {VISIBLE} AND p.id = $3"
    ))
    .bind(all)
    .bind(facilitator_id)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .map(|row| row.0))
}

pub(super) async fn partnerships(
    db: &SqlStore,
    visible: Visible<'_>,
) -> StoreResult<Vec<Partnership>> {
    let (all, facilitator_id) = visibility(visible);
    Ok(sqlx::query_as::<_, DbPartnership>(&format!(
        "SELECT {PARTNERSHIP_COLUMNS} FROM partnerships p WHERE {VISIBLE} ORDER BY id"
    ))
    .bind(all)
    .bind(facilitator_id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|row| row.0)
    .collect())
}

pub(super) async fn partnerships_with_rounds(
    db: &SqlStore,
    visible: Visible<'_>,
) -> StoreResult<Vec<(Partnership, Vec<Round>)>> {
    let (all, facilitator_id) = visibility(visible);
    // `p.id AS partnership_id` also stands for the round's partnership_id: equal when joined.
    let rows: Vec<DbPartnershipRound> = sqlx::query_as(&format!(
        "SELECT p.id AS partnership_id, p.name, p.owner_id, r.id, r.instrument_id, \
         r.instrument_version, r.instrument_source, r.wave, r.min_group_size, r.open_token, \
         r.created_at, r.closed_at, r.interim_releases, r.identified_consent, r.open_cap, \
         r.title, r.contact, r.closes_on, r.closes_at, r.share_token \
         FROM partnerships p LEFT JOIN rounds r ON r.partnership_id = p.id \
         WHERE {VISIBLE} ORDER BY p.id, r.id"
    ))
    .bind(all)
    .bind(facilitator_id)
    .fetch_all(&db.pool)
    .await?;
    let mut partnerships: Vec<(Partnership, Vec<Round>)> = Vec::new();
    for DbPartnershipRound(partnership, round) in rows {
        if partnerships
            .last()
            .is_none_or(|(last, _)| last.id != partnership.id)
        {
            partnerships.push((partnership, Vec::new()));
        }
        if let (Some(round), Some((_, rounds))) = (round, partnerships.last_mut()) {
            rounds.push(round);
        }
    }
    Ok(partnerships)
}

pub(super) async fn rounds(db: &SqlStore, partnership_id: i64) -> StoreResult<Vec<Round>> {
    Ok(sqlx::query_as::<_, DbRound>(&format!(
        "SELECT {ROUND_COLUMNS} FROM rounds WHERE partnership_id = $1 ORDER BY id"
    ))
    .bind(partnership_id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|row| row.0)
    .collect())
}

pub(super) async fn round(db: &SqlStore, id: i64) -> StoreResult<Option<Round>> {
    Ok(
        sqlx::query_as::<_, DbRound>(&format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1"))
            .bind(id)
            .fetch_optional(&db.pool)
            .await?
            .map(|row| row.0),
    )
}

pub(super) async fn round_by_open_token(db: &SqlStore, token: &str) -> StoreResult<Option<Round>> {
    round_by_token(db, "open_token", token).await
}

pub(super) async fn round_by_share_token(db: &SqlStore, token: &str) -> StoreResult<Option<Round>> {
    round_by_token(db, "share_token", token).await
}

/// The round whose token column `column` (a unique one) holds `token`.
async fn round_by_token(
    db: &SqlStore,
    column: &'static str,
    token: &str,
) -> StoreResult<Option<Round>> {
    Ok(sqlx::query_as::<_, DbRound>(&format!(
        "SELECT {ROUND_COLUMNS} FROM rounds WHERE {column} = $1"
    ))
    .bind(token)
    .fetch_optional(&db.pool)
    .await?
    .map(|row| row.0))
}

pub(super) async fn set_share_token(
    db: &SqlStore,
    round_id: i64,
    token: Option<&str>,
) -> StoreResult<()> {
    sqlx::query("UPDATE rounds SET share_token = $1 WHERE id = $2")
        .bind(token)
        .bind(round_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn create_round(db: &SqlStore, round: &NewRound<'_>) -> StoreResult<Round> {
    let mut conn = db.pool.acquire().await?;
    insert_round(&mut conn, round).await
}

pub(super) async fn start_next_round(
    db: &SqlStore,
    round: &NewRound<'_>,
    from_round_id: i64,
) -> StoreResult<Round> {
    let mut tx = db.begin_write().await?;
    let next = insert_round(&mut tx, round).await?;
    // The previous round must be of the same partnership: otherwise `RowNotFound` returns
    // early, and dropping the uncommitted transaction takes the new round back out.
    sqlx::query_scalar::<_, i64>("SELECT id FROM rounds WHERE id = $1 AND partnership_id = $2")
        .bind(from_round_id)
        .bind(round.partnership_id)
        .fetch_one(&mut *tx)
        .await?;
    let partners = invitations::partners_of(&mut tx, from_round_id).await?;
    invitations::insert_invitations(&mut tx, next.id, &partners).await?;
    tx.commit().await?;
    Ok(next)
}

/// Inserts a round, with a fresh open-link token if it has an open link.
async fn insert_round(conn: &mut AnyConnection, round: &NewRound<'_>) -> StoreResult<Round> {
    Ok(sqlx::query_as::<_, DbRound>(&format!(
        "INSERT INTO rounds (partnership_id, instrument_id, instrument_version, \
         instrument_source, wave, min_group_size, open_token, created_at, identified_consent, \
         title, contact, closes_on, closes_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {ROUND_COLUMNS}"
    ))
    .bind(round.partnership_id)
    .bind(&round.instrument.id)
    .bind(&round.instrument.version)
    .bind(&round.instrument.source)
    .bind(round.wave)
    .bind(round.min_group_size)
    .bind(round.open_link.then(new_token))
    .bind(now())
    .bind(round.identified.then_some(IDENTIFIED_CONSENT))
    .bind(&round.details.title)
    .bind(&round.details.contact)
    .bind(round.details.closes.map(|c| c.on.to_string()))
    .bind(round.details.closes.map(|c| c.at))
    .fetch_one(&mut *conn)
    .await?
    .0)
}

pub(super) async fn close_round(db: &SqlStore, round_id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE rounds SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
        .bind(now())
        .bind(round_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn reopen_round(db: &SqlStore, round_id: i64, now: i64) -> StoreResult<()> {
    // A closing date that is over would close the round again at once: reopening drops it.
    sqlx::query(
        "UPDATE rounds SET closed_at = NULL, \
         closes_on = CASE WHEN closes_at <= $1 THEN NULL ELSE closes_on END, \
         closes_at = CASE WHEN closes_at <= $1 THEN NULL ELSE closes_at END \
         WHERE id = $2",
    )
    .bind(now)
    .bind(round_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(super) async fn set_round_details(
    db: &SqlStore,
    round_id: i64,
    details: &RoundDetails,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE rounds SET title = $1, contact = $2, closes_on = $3, closes_at = $4 \
         WHERE id = $5 AND closed_at IS NULL",
    )
    .bind(&details.title)
    .bind(&details.contact)
    .bind(details.closes.map(|c| c.on.to_string()))
    .bind(details.closes.map(|c| c.at))
    .bind(round_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(super) async fn close_due_rounds(db: &SqlStore, at: i64) -> StoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE rounds SET closed_at = $1 \
         WHERE closed_at IS NULL AND closes_at IS NOT NULL AND closes_at <= $2",
    )
    .bind(now())
    .bind(at)
    .execute(&db.pool)
    .await?
    .rows_affected())
}
