//! The demo partnership of `partnerscope serve --demo`: two rounds of the
//! `collaboration-factors` instrument with realistic submitted responses, so a newcomer sees a
//! working survey and, later, a dashboard that tells a story.
//!
//! The story: trust rises from the autumn round to the spring round, governance stays a concern
//! for resident groups and community organisations, resources are tight for everyone. Answers
//! come from a seeded generator, so every demo database holds the same data.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::instrument::Instrument;
use crate::store::{Store, StoreError, StoreResult, Visible};
use crate::survey::answers::{Answer, Answers};
use crate::survey::closing::RoundDetails;
use crate::survey::secrets::Code;
use crate::survey::{NewInvitation, NewRound, Partnership, Status};

/// Name of the demo partnership; its presence means the demo was created.
pub const PARTNERSHIP: &str = "Riverside Community Health Partnership";
/// Whom the demo's partners contact with questions: a made-up coordinator.
const CONTACT: &str = "Dana Reyes, partnership coordinator, dana.reyes@example.org";
/// The instrument the demo rounds use.
pub const INSTRUMENT: &str = "collaboration-factors";
/// The language some demo partners are invited in, which the demo instrument has.
const SPANISH: &str = "es";
/// A resident group invited in Spanish in spring that has not answered yet: the demo's Spanish
/// link.
const SPANISH_NEWCOMER: &str = "Asociación de Vecinos del Río";

/// The partner organisations by sector (profile option codes of the instrument).
const PARTNERS: [(&str, [&str; 7]); 5] = [
    (
        "government",
        [
            "Riverside County Public Health",
            "City Housing Department",
            "Parks and Recreation Office",
            "County Social Services",
            "Riverside Police Community Unit",
            "Regional Transit Authority",
            "Mayor's Office of Neighbourhoods",
        ],
    ),
    (
        "nonprofit",
        [
            "Eastside Food Bank",
            "Families First Network",
            "Riverside Youth Alliance",
            "Harbour Refugee Welcome",
            "Open Door Shelter",
            "Seniors Together",
            "Green Streets Collective",
        ],
    ),
    (
        "health",
        [
            "St. Anne's Community Hospital",
            "Riverside Family Clinic",
            "Northgate Pharmacy Group",
            "Mental Health Outreach Team",
            "Community Dental Service",
            "Midwives of the Valley",
            "Riverside Ambulance Trust",
        ],
    ),
    (
        "residents",
        [
            "Millbrook Tenants' Association",
            "Old Quarter Residents' Group",
            "Parents of Riverside Schools",
            "Westbank Neighbourhood Watch",
            "Riverside Disability Forum",
            "Allotment Holders' Society",
            "Lakeside Tenants' Association",
        ],
    ),
    (
        "business",
        [
            "Riverside Chamber of Commerce",
            "Main Street Traders",
            "Valley Credit Union",
            "Northgate Supermarket",
            "Riverside Builders Ltd",
            "Harbour Café Cooperative",
            "Quayside Pharmacy",
        ],
    ),
];

/// The mean answer a sector gives a dimension in a round (before reverse keying).
fn expected(dimension: &str, sector: &str, spring: bool) -> f64 {
    let community = matches!(sector, "residents" | "nonprofit");
    match dimension {
        "trust" if spring => 4.1,
        "trust" => 3.1,
        "governance" if community => 2.3,
        "governance" => 3.6,
        "resources" => 2.7,
        "communication" if spring => 3.8,
        "communication" => 3.4,
        "engagement" if community => 3.2,
        "purpose" => 4.0,
        _ => 3.6,
    }
}

const COMMENTS_WELL: [&str; 4] = [
    "Monthly meetings where everyone gets a turn to speak.",
    "The shared referral list has made a real difference to families.",
    "People follow up on what they promise.",
    "The newsletter keeps us up to date.",
];
const COMMENTS_IMPROVE: [&str; 4] = [
    "Decisions seem to be made before the meeting. Residents need a real say.",
    "Hold some meetings in the evening so volunteers can come.",
    "We need clearer roles: who decides what?",
    "More funding for staff time; everyone is stretched.",
];

/// Creates the demo partnership once, and returns links of partners who have not answered yet.
pub async fn ensure(store: &dyn Store, instrument: &Instrument) -> StoreResult<Links> {
    let existing = store
        .partnerships(Visible::All)
        .await?
        .into_iter()
        .find(|p| p.name == PARTNERSHIP);
    let partnership = match existing {
        Some(partnership) => partnership,
        None => create(store, instrument).await?,
    };
    let rounds = store.rounds(partnership.id).await?;
    // Missing only if someone closed the demo's open round by hand.
    let open = rounds
        .iter()
        .rev()
        .find(|r| r.is_open())
        .ok_or(StoreError::Database(sqlx::Error::RowNotFound))?;
    Ok(Links {
        english: waiting(store, open.id, None).await?,
        spanish: waiting(store, open.id, Some(SPANISH)).await?,
    })
}

/// The links a demo hands out: partners of the open round who have not answered yet.
#[derive(Debug, Clone)]
pub struct Links {
    /// The token of a partner invited without a language (the form follows the browser).
    pub english: String,
    /// The token of a partner invited in Spanish.
    pub spanish: String,
}

/// The token of an invitation of round `round_id` in `language` not yet submitted; a new guest
/// partner's when every such link was answered.
async fn waiting(store: &dyn Store, round_id: i64, language: Option<&str>) -> StoreResult<String> {
    let waiting = store
        .invitation_progress(round_id)
        .await?
        .into_iter()
        .find(|p| {
            p.status != Some(Status::Submitted) && p.invitation.language.as_deref() == language
        });
    if let Some(progress) = waiting {
        return Ok(progress.invitation.token);
    }
    let invitation = store
        .create_invitation(&NewInvitation {
            round_id,
            organisation: "Guest partner",
            sector: None,
            language,
        })
        .await?;
    Ok(invitation.token)
}

async fn create(store: &dyn Store, instrument: &Instrument) -> StoreResult<Partnership> {
    let partnership = store.create_partnership(PARTNERSHIP, None).await?;
    // No closing date: the demo's open round must stay open however long the demo runs.
    let details = RoundDetails {
        title: PARTNERSHIP.to_string(),
        contact: CONTACT.to_string(),
        closes: None,
    };
    let mut rng = StdRng::seed_from_u64(2025);
    for (wave, spring) in [("2025 autumn", false), ("2026 spring", true)] {
        let round = store
            .create_round(&NewRound {
                partnership_id: partnership.id,
                instrument,
                wave,
                min_group_size: 3,
                open_link: true,
                identified: false,
                details: &details,
            })
            .await?;
        for (s, (sector, names)) in PARTNERS.iter().enumerate() {
            // Spring has more partners; the last resident group is left to the newcomer.
            let count = if spring { 7 } else { 5 + s % 2 };
            for (n, name) in names.iter().take(count).enumerate() {
                // In spring three resident groups are invited in Spanish, and answer in it.
                let language = (spring && *sector == "residents" && n < 3).then_some(SPANISH);
                let invitation = store
                    .create_invitation(&NewInvitation {
                        round_id: round.id,
                        organisation: name,
                        sector: Some(sector),
                        language,
                    })
                    .await?;
                if spring && *sector == "residents" && n == count - 1 {
                    continue;
                }
                let mut answers = respondent(&mut rng, instrument, sector, spring);
                if let Some(language) = language {
                    answers.language = Some(language.to_string());
                }
                store
                    .submit(invitation.id, &answers, &Code::new().digest())
                    .await?;
            }
        }
        if spring {
            store
                .create_invitation(&NewInvitation {
                    round_id: round.id,
                    organisation: SPANISH_NEWCOMER,
                    sector: Some("residents"),
                    language: Some(SPANISH),
                })
                .await?;
            // The open round shows its figures as they come in.
            store.set_interim_releases(round.id, true).await?;
        } else {
            store.close_round(round.id).await?;
        }
    }
    Ok(partnership)
}

/// One partner's plausible answers.
fn respondent(rng: &mut StdRng, instrument: &Instrument, sector: &str, spring: bool) -> Answers {
    // Some partners are more positive than others throughout.
    let temper = rng.random_range(-0.6..0.6);
    let mut answers = Answers {
        consent: true,
        language: Some(instrument.language().to_string()),
        ..Answers::default()
    };
    for (index, item) in instrument.items.iter().enumerate() {
        let scale = instrument.item_scale(index);
        let dimension = &instrument.dimensions[item.dimension].id;
        let noise: f64 = (0..3).map(|_| rng.random_range(-0.6..0.6)).sum();
        let wanted = expected(dimension, sector, spring) + temper + noise;
        let value = (wanted.round() as i16).clamp(scale.min, scale.max);
        // Negatively worded items are answered the other way round.
        let value = if item.reverse {
            scale.min + scale.max - value
        } else {
            value
        };
        let answer = match scale.missing.first() {
            Some(code) if rng.random_bool(0.04) => Answer::Code(code.clone()),
            _ => Answer::Value(value),
        };
        answers.items.insert(item.id.clone(), answer);
    }
    for (comment, texts) in instrument
        .comments
        .iter()
        .zip([&COMMENTS_WELL, &COMMENTS_IMPROVE])
    {
        if rng.random_bool(0.35) {
            let text = texts[rng.random_range(0..texts.len())];
            answers
                .comments
                .insert(comment.id.clone(), text.to_string());
        }
    }
    answers
}

/// E-mail address of the demo facilitator.
pub const FACILITATOR: &str = "demo@partnerscope.example";

/// Makes sure the demo facilitator exists and owns the demo partnership, with a fresh random
/// password each start (printed by `serve --demo`, so nothing guessable is ever shipped).
/// Returns the password.
pub async fn ensure_facilitator(store: &dyn Store) -> Result<String, DemoError> {
    let password = crate::survey::new_token();
    let hash = crate::accounts::hash_password(&password)?;
    match store.set_password(FACILITATOR, &hash).await {
        Err(StoreError::UnknownEmail) => {
            store.create_facilitator(FACILITATOR, &hash, false).await?;
        }
        other => other?,
    }
    let (facilitator, _) = store
        .facilitator_by_email(FACILITATOR)
        .await?
        .ok_or(StoreError::UnknownEmail)?;
    for partnership in store.partnerships(Visible::All).await? {
        if partnership.name == PARTNERSHIP {
            store.set_owner(partnership.id, facilitator.id).await?;
        }
    }
    Ok(password)
}

/// Why the demo facilitator could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The password could not be hashed.
    #[error(transparent)]
    Password(#[from] crate::accounts::PasswordError),
}
