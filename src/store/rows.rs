//! How database rows become domain values. The domain types in `survey` and `accounts` know
//! nothing of sqlx; each gets a wrapper here that reads it from a row of either engine (the
//! wrapper pattern of atuin's server crates), so the queries in `sql` only say what to select.
//!
//! Both engines store flags as 0/1 integers and timestamps as text (see `sql`), which is why the
//! flags are compared with zero here.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use crate::accounts::{Account, Facilitator, Session};
use crate::survey::answers::{Answer, Answers};
use crate::survey::closing::{self, Closing, RoundDetails};
use crate::survey::{
    Invitation, InvitationProgress, Partnership, ReleasedResponse, Round, Status, StoredResponse,
};

/// A [`Partnership`] read from `PARTNERSHIP_COLUMNS`.
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
            interim_releases: row.try_get::<i64, _>("interim_releases")? != 0,
            identified_consent: row.try_get("identified_consent")?,
            open_cap: row.try_get("open_cap")?,
            details: round_details(row)?,
            share_token: row.try_get("share_token")?,
        }))
    }
}

/// A round's [`RoundDetails`] from its `title, contact, closes_on, closes_at` columns.
fn round_details(row: &AnyRow) -> sqlx::Result<RoundDetails> {
    let on: Option<String> = row.try_get("closes_on")?;
    let at: Option<i64> = row.try_get("closes_at")?;
    let closes = match (on, at) {
        (Some(on), Some(at)) => Some(Closing {
            on: closing::stored_date(&on).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "closes_on".into(),
                source: format!("not a date: {on:?}").into(),
            })?,
            at,
        }),
        _ => None,
    };
    Ok(RoundDetails {
        title: row.try_get("title")?,
        contact: row.try_get("contact")?,
        closes,
    })
}

/// A partnership with one of its rounds, or with none: a row of `partnerships LEFT JOIN rounds`
/// read from `partnership_id, name, owner_id` and the other `ROUND_COLUMNS`. The round's
/// `partnership_id` is the partnership's id, so one column serves both.
pub struct DbPartnershipRound(pub Partnership, pub Option<Round>);

impl<'r> FromRow<'r, AnyRow> for DbPartnershipRound {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        let partnership = Partnership {
            id: row.try_get("partnership_id")?,
            name: row.try_get("name")?,
            owner_id: row.try_get("owner_id")?,
        };
        // The join's round columns are all NULL for a partnership without rounds.
        let round = match row.try_get::<Option<i64>, _>("id")? {
            Some(_) => Some(DbRound::from_row(row)?.0),
            None => None,
        };
        Ok(DbPartnershipRound(partnership, round))
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
            submitted: row.try_get::<i64, _>("submitted")? != 0,
            opened: row.try_get::<i64, _>("opened")? != 0,
        }))
    }
}

/// An [`InvitationProgress`] read from `INVITATION_COLUMNS` and the response's `status`, NULL
/// when nothing was saved yet.
pub struct DbProgress(pub InvitationProgress);

impl<'r> FromRow<'r, AnyRow> for DbProgress {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        let status: Option<String> = row.try_get("status")?;
        Ok(DbProgress(InvitationProgress {
            invitation: DbInvitation::from_row(row)?.0,
            status: status.as_deref().map(parse_status),
        }))
    }
}

/// A [`StoredResponse`] read from `id, invitation_id, round_id, consent, sector, language,
/// status, started_at, updated_at, submitted_at, pseudonym, organisation, released_in,
/// removed_in, resume_digest, answers`; its comments come from [`DbComment`] rows.
pub struct DbResponse(pub StoredResponse);

impl<'r> FromRow<'r, AnyRow> for DbResponse {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        let consent: i64 = row.try_get("consent")?;
        let status: String = row.try_get("status")?;
        Ok(DbResponse(StoredResponse {
            id: row.try_get("id")?,
            invitation_id: row.try_get("invitation_id")?,
            round_id: row.try_get("round_id")?,
            status: parse_status(&status),
            answers: Answers {
                items: decode_answers(&row.try_get::<String, _>("answers")?)?,
                consent: consent != 0,
                sector: row.try_get("sector")?,
                language: row.try_get("language")?,
                ..Answers::default()
            },
            started_at: row.try_get("started_at")?,
            updated_at: row.try_get("updated_at")?,
            submitted_at: row.try_get("submitted_at")?,
            pseudonym: row.try_get("pseudonym")?,
            organisation: row.try_get("organisation")?,
            released_in: row.try_get("released_in")?,
            removed_in: row.try_get("removed_in")?,
            resume_digest: row.try_get("resume_digest")?,
        }))
    }
}

/// A [`ReleasedResponse`] read from `pseudonym, organisation, sector, answers, submitted_at,
/// released_in, removed_in, source, language`.
pub struct DbReleasedResponse(pub ReleasedResponse);

impl<'r> FromRow<'r, AnyRow> for DbReleasedResponse {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(DbReleasedResponse(ReleasedResponse {
            pseudonym: row.try_get("pseudonym")?,
            organisation: row.try_get("organisation")?,
            sector: row.try_get("sector")?,
            items: decode_answers(row.try_get("answers")?)?,
            submitted_at: row.try_get("submitted_at")?,
            released_in: row.try_get("released_in")?,
            removed_in: row.try_get("removed_in")?,
            source: row.try_get("source")?,
            language: row.try_get("language")?,
        }))
    }
}

/// One item's answer as the `answers` column holds it, to write: a number or a code.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Stored<'a> {
    Value(i16),
    Code(&'a str),
}

/// The `answers` column of a response: a JSON object from item id to a value (a number) or a
/// code (a string); an unanswered item is absent.
pub fn encode_answers(items: &BTreeMap<String, Answer>) -> String {
    /// The items as stored, serialised straight from the map: an import encodes a million.
    struct AsStored<'a>(&'a BTreeMap<String, Answer>);
    impl serde::Serialize for AsStored<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.0.iter().map(|(item, answer)| {
                let stored = match answer {
                    Answer::Value(value) => Stored::Value(*value),
                    Answer::Code(code) => Stored::Code(code),
                };
                (item, stored)
            }))
        }
    }
    serde_json::to_string(&AsStored(items))
        .expect("a map of strings to numbers and strings encodes")
}

/// Reads an `answers` column back.
pub fn decode_answers(column: &str) -> sqlx::Result<BTreeMap<String, Answer>> {
    let items: Items =
        serde_json::from_str(column).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(items.0)
}

/// An `answers` column as read: each answer taken straight from the JSON, without the buffering
/// of an untagged enum or a second map. Reading a large round decodes tens of millions.
struct Items(BTreeMap<String, Answer>);

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Items;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of answers")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items, A::Error> {
                let mut items = BTreeMap::new();
                while let Some((item, StoredAnswer(answer))) = map.next_entry()? {
                    items.insert(item, answer);
                }
                Ok(Items(items))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// One answer of the column: a number on the item's scale, or a code.
struct StoredAnswer(Answer);

impl<'de> Deserialize<'de> for StoredAnswer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Value;
        impl Visitor<'_> for Value {
            type Value = StoredAnswer;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value on a scale or a code")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StoredAnswer, E> {
                i16::try_from(v)
                    .map(|v| StoredAnswer(Answer::Value(v)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StoredAnswer, E> {
                i16::try_from(v)
                    .map(|v| StoredAnswer(Answer::Value(v)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StoredAnswer, E> {
                Ok(StoredAnswer(Answer::Code(v.to_string())))
            }
        }
        deserializer.deserialize_any(Value)
    }
}

/// One comment of a response, read from `response_id, comment_id, body`.
#[derive(FromRow)]
pub struct DbComment {
    /// The response it belongs to.
    pub response_id: i64,
    /// The comment question answered.
    pub comment_id: String,
    /// What the respondent wrote.
    pub body: String,
}

/// A [`Facilitator`] read from `FACILITATOR_COLUMNS`.
pub struct DbFacilitator(pub Facilitator);

impl<'r> FromRow<'r, AnyRow> for DbFacilitator {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        let is_admin: i64 = row.try_get("is_admin")?;
        Ok(DbFacilitator(Facilitator {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            is_admin: is_admin != 0,
        }))
    }
}

/// An [`Account`] read from `FACILITATOR_COLUMNS, created_at`.
pub struct DbAccount(pub Account);

impl<'r> FromRow<'r, AnyRow> for DbAccount {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(DbAccount(Account {
            facilitator: DbFacilitator::from_row(row)?.0,
            created_at: row.try_get("created_at")?,
        }))
    }
}

/// A [`Facilitator`] with their password hash, read from `FACILITATOR_COLUMNS, password_hash`.
pub struct DbCredentials(pub Facilitator, pub String);

impl<'r> FromRow<'r, AnyRow> for DbCredentials {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(DbCredentials(
            DbFacilitator::from_row(row)?.0,
            row.try_get("password_hash")?,
        ))
    }
}

/// A [`Session`] read from the facilitator's `FACILITATOR_COLUMNS` and the session's
/// `csrf_token`.
pub struct DbSession(pub Session);

impl<'r> FromRow<'r, AnyRow> for DbSession {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(DbSession(Session {
            facilitator: DbFacilitator::from_row(row)?.0,
            csrf_token: row.try_get("csrf_token")?,
        }))
    }
}

/// Reads a stored status; the CHECK constraint allows only `draft` and `submitted`.
fn parse_status(text: &str) -> Status {
    if text == "submitted" {
        Status::Submitted
    } else {
        Status::Draft
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_through_their_column_with_codes_kept_apart_from_values() {
        let items: BTreeMap<String, Answer> = [
            ("t1", Answer::Value(4)),
            ("g1", Answer::Code("dk".into())),
            ("e\"2", Answer::Code("4".into())),
            ("x.1", Answer::Value(-2)),
        ]
        .into_iter()
        .map(|(item, answer)| (item.to_string(), answer))
        .collect();
        let column = encode_answers(&items);
        assert_eq!(column, r#"{"e\"2":"4","g1":"dk","t1":4,"x.1":-2}"#);
        assert_eq!(decode_answers(&column).unwrap(), items);
        assert!(decode_answers("{}").unwrap().is_empty());
        // What migration 0006 writes on PostgreSQL (`json_object_agg`) reads the same.
        let migrated = decode_answers(r#"{ "t1" : 4, "g1" : "dk" }"#).unwrap();
        assert_eq!(migrated["t1"], Answer::Value(4));
        assert_eq!(migrated["g1"], Answer::Code("dk".into()));
        assert!(decode_answers(r#"{"t1": 4.5}"#).is_err());
    }
}
