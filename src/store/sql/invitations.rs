//! Invitations: a partner's personal link to a round, and how far its response got.

use sqlx::AnyConnection;

use super::{INVITATION_COLUMNS, ROUND_COLUMNS, SqlStore};
use crate::store::rows::{DbInvitation, DbProgress, DbRound};
use crate::store::{PartnerFeed, StoreResult, now};
use crate::survey::partners::{Partner, PartnerError};
use crate::survey::{Invitation, InvitationProgress, NewInvitation, Round, new_token};

pub(super) async fn create_invitation(
    db: &SqlStore,
    invitation: &NewInvitation<'_>,
) -> StoreResult<Invitation> {
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
    .fetch_one(&db.pool)
    .await?
    .0)
}

pub(super) async fn add_partners(
    db: &SqlStore,
    round_id: i64,
    partners: &[Partner],
) -> StoreResult<Vec<Invitation>> {
    let mut tx = db.begin_write().await?;
    let invitations = insert_invitations(&mut tx, round_id, partners).await?;
    tx.commit().await?;
    Ok(invitations)
}

/// Partners inserted per batch of a list.
const LIST_BATCH: usize = 1000;

pub(super) async fn add_partner_list(
    db: &SqlStore,
    round_id: i64,
    list: &mut PartnerFeed<'_>,
) -> StoreResult<Result<u64, Vec<PartnerError>>> {
    let mut tx = db.begin_write().await?;
    let mut batch = Vec::with_capacity(LIST_BATCH);
    let mut problems = Vec::new();
    let mut added = 0;
    for read in list {
        match read {
            // After a problem nothing will be stored: the rest is only read for its problems.
            Ok(partner) if problems.is_empty() => batch.push(partner),
            Ok(_) => {}
            Err(problem) => problems.push(problem),
        }
        if batch.len() == LIST_BATCH {
            insert_invitations(&mut tx, round_id, &batch).await?;
            added += batch.len() as u64;
            batch.clear();
        }
    }
    if !problems.is_empty() {
        tx.rollback().await?;
        return Ok(Err(problems));
    }
    insert_invitations(&mut tx, round_id, &batch).await?;
    added += batch.len() as u64;
    tx.commit().await?;
    Ok(Ok(added))
}

/// Inserts one invitation with a fresh token per partner.
pub(super) async fn insert_invitations(
    conn: &mut AnyConnection,
    round_id: i64,
    partners: &[Partner],
) -> StoreResult<Vec<Invitation>> {
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
            .fetch_one(&mut *conn)
            .await?
            .0,
        );
    }
    Ok(invitations)
}

/// The partners a round invited, in the order they were invited. An invitation without a sector
/// becomes a partner with a blank one, as a partner list states it.
pub(super) async fn partners_of(
    conn: &mut AnyConnection,
    round_id: i64,
) -> StoreResult<Vec<Partner>> {
    let invitations: Vec<DbInvitation> = sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE round_id = $1 ORDER BY id"
    ))
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(invitations
        .into_iter()
        .map(|DbInvitation(invitation)| Partner {
            organisation: invitation.organisation,
            sector: invitation.sector.unwrap_or_default(),
            email: invitation.email,
            language: invitation.language,
        })
        .collect())
}

pub(super) async fn invitation_by_token(
    db: &SqlStore,
    token: &str,
) -> StoreResult<Option<(Invitation, Round)>> {
    let invitation: Option<DbInvitation> = sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token = $1"
    ))
    .bind(token)
    .fetch_optional(&db.pool)
    .await?;
    let Some(DbInvitation(invitation)) = invitation else {
        return Ok(None);
    };
    let DbRound(round) =
        sqlx::query_as(&format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = $1"))
            .bind(invitation.round_id)
            .fetch_one(&db.pool)
            .await?;
    Ok(Some((invitation, round)))
}

pub(super) async fn mark_opened(db: &SqlStore, id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE invitations SET opened = 1 WHERE id = $1 AND opened = 0")
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn update_partner(db: &SqlStore, id: i64, partner: &Partner) -> StoreResult<bool> {
    // `submitted = 0` in the same statement: a submission racing the change wins, and the
    // partner it was made as stays the partner it is counted as.
    let changed = sqlx::query(
        "UPDATE invitations SET organisation = $1, sector = $2, email = $3, language = $4 \
         WHERE id = $5 AND submitted = 0",
    )
    .bind(&partner.organisation)
    .bind(&partner.sector)
    .bind(&partner.email)
    .bind(&partner.language)
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

pub(super) async fn invitation_progress(
    db: &SqlStore,
    round_id: i64,
) -> StoreResult<Vec<InvitationProgress>> {
    Ok(sqlx::query_as::<_, DbProgress>(
        "SELECT i.id, i.round_id, i.token, i.organisation, i.sector, i.language, i.email, \
         i.submitted, i.opened, CASE WHEN i.submitted = 1 THEN 'submitted' ELSE r.status END AS status \
         FROM invitations i LEFT JOIN responses r ON r.invitation_id = i.id \
         WHERE i.round_id = $1 ORDER BY i.id",
    )
    .bind(round_id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|row| row.0)
    .collect())
}

pub(super) async fn invited_per_sector(
    db: &SqlStore,
    round_id: i64,
) -> StoreResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT COALESCE(sector, '') AS sector, COUNT(*) AS invited FROM invitations \
         WHERE round_id = $1 GROUP BY COALESCE(sector, '') ORDER BY 1",
    )
    .bind(round_id)
    .fetch_all(&db.pool)
    .await?)
}
