//! A partnership's facilitators besides its owner. Who may see a partnership is decided in
//! `partnerships` (its `VISIBLE` condition), which reads this table; here it is only listed and
//! changed.

use super::SqlStore;
use crate::accounts::Facilitator;
use crate::store::rows::DbFacilitator;
use crate::store::{StoreResult, now};

pub(super) async fn partnership_facilitators(
    db: &SqlStore,
    partnership_id: i64,
) -> StoreResult<Vec<Facilitator>> {
    // One row per account whichever way it facilitates; the owner (no `pf` row) sorts first.
    Ok(sqlx::query_as::<_, DbFacilitator>(
        "SELECT f.id, f.email, f.is_admin FROM facilitators f \
         LEFT JOIN partnership_facilitators pf \
         ON pf.facilitator_id = f.id AND pf.partnership_id = $1 \
         WHERE pf.partnership_id IS NOT NULL \
         OR f.id = (SELECT owner_id FROM partnerships WHERE id = $1) \
         ORDER BY pf.added_at IS NOT NULL, pf.added_at, f.id",
    )
    .bind(partnership_id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|row| row.0)
    .collect())
}

pub(super) async fn add_co_facilitator(
    db: &SqlStore,
    partnership_id: i64,
    facilitator_id: i64,
) -> StoreResult<bool> {
    let added = sqlx::query(
        "INSERT INTO partnership_facilitators (partnership_id, facilitator_id, added_at) \
         VALUES ($1, $2, $3) ON CONFLICT (partnership_id, facilitator_id) DO NOTHING",
    )
    .bind(partnership_id)
    .bind(facilitator_id)
    .bind(now())
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(added > 0)
}

pub(super) async fn remove_co_facilitator(
    db: &SqlStore,
    partnership_id: i64,
    facilitator_id: i64,
) -> StoreResult<bool> {
    let removed = sqlx::query(
        "DELETE FROM partnership_facilitators WHERE partnership_id = $1 AND facilitator_id = $2",
    )
    .bind(partnership_id)
    .bind(facilitator_id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(removed > 0)
}
