//! How database rows become domain values. The domain types in `survey` and `accounts` know
//! nothing of sqlx; each gets a wrapper here that reads it from a row of either engine (the
//! wrapper pattern of atuin's server crates).

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use crate::survey::{Invitation, Partnership, Round};

/// A [`Partnership`] read from `id, name, owner_id`.
pub struct DbPartnership(pub Partnership);

impl<'r> FromRow<'r, AnyRow> for DbPartnership {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(DbPartnership(Partnership {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            owner_id: row.try_get("owner_id")?,
        }))
    }
}

/// A [`Round`] read from `ROUND_COLUMNS`.
pub struct DbRound(pub Round);

impl<'r> FromRow<'r, AnyRow> for DbRound {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(DbRound(Round {
            id: row.try_get("id")?,
            partnership_id: row.try_get("partnership_id")?,
            instrument_id: row.try_get("instrument_id")?,
            instrument_version: row.try_get("instrument_version")?,
            instrument_source: row.try_get("instrument_source")?,
            wave: row.try_get("wave")?,
            min_group_size: row.try_get("min_group_size")?,
            open_token: row.try_get("open_token")?,
            created_at: row.try_get("created_at")?,
            closed_at: row.try_get("closed_at")?,
        }))
    }
}

/// An [`Invitation`] read from `INVITATION_COLUMNS`.
pub struct DbInvitation(pub Invitation);

impl<'r> FromRow<'r, AnyRow> for DbInvitation {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(DbInvitation(Invitation {
            id: row.try_get("id")?,
            round_id: row.try_get("round_id")?,
            token: row.try_get("token")?,
            organisation: row.try_get("organisation")?,
            sector: row.try_get("sector")?,
            language: row.try_get("language")?,
            email: row.try_get("email")?,
        }))
    }
}
