//! A facilitator's partnerships: the list, a new partnership, one partnership's page and a new
//! round of it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::facilitators::{self, FacilitatorsSection};
use super::{
    SignedInChrome, checked_text, chrome, owned_partnership, round_details, see_other,
    time_zone_name, wave,
};
use crate::store::Visible;
use crate::survey::closing::RoundDetails;
use crate::survey::text::Kind;
use crate::survey::{self, NewRound, Partnership, Round};
use crate::web::errors::AppError;
use crate::web::language::interface;
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, html};

/// The list of partnerships.
#[derive(Template)]
#[template(path = "facilitate/home.html")]
struct HomePage<'a> {
    chrome: SignedInChrome<'a>,
    partnerships: Vec<(Partnership, Vec<Round>)>,
}

/// One partnership and its rounds.
#[derive(Template)]
#[template(path = "facilitate/partnership.html")]
struct PartnershipPage<'a> {
    chrome: SignedInChrome<'a>,
    partnership: Partnership,
    rounds: Vec<Round>,
    instruments: Vec<(String, String)>,
    /// The server's time zone, which the closing date field names.
    time_zone: String,
    /// None: the round form is for a new round.
    details: Option<RoundDetails>,
    /// Its owner and co-facilitators, and the form that adds one.
    facilitators: FacilitatorsSection,
}

/// `GET /facilitator`: the facilitator's partnerships and their rounds.
pub async fn home(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    let partnerships = state
        .store
        .partnerships_with_rounds(Visible::To(signed_in.facilitator()))
        .await?;
    Ok(html(
        StatusCode::OK,
        &HomePage {
            chrome: chrome(&signed_in, interface().partnerships_heading),
            partnerships,
        },
    ))
}

/// `POST /facilitator/partnerships`.
pub async fn create_partnership(
    State(state): State<AppState>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let name = form.field("name").trim();
    if name.is_empty() {
        return Err(AppError::BadForm(interface().detail_name));
    }
    let name = checked_text("name", Kind::Name, name)?;
    let partnership = state
        .store
        .create_partnership(name, Some(form.signed_in.facilitator().id))
        .await?;
    Ok(see_other(&format!(
        "/facilitator/partnerships/{}",
        partnership.id
    )))
}

/// `GET /facilitator/partnerships/{id}`.
pub async fn partnership(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let partnership = owned_partnership(&state, &signed_in, id).await?;
    let facilitators = facilitators::section(&state, &signed_in, &partnership).await?;
    let rounds = state.store.rounds(id).await?;
    let instruments = state
        .instruments
        .iter()
        .map(|i| {
            (
                i.id.clone(),
                format!("{} ({})", i.texts().title(), i.version),
            )
        })
        .collect();
    Ok(html(
        StatusCode::OK,
        &PartnershipPage {
            chrome: chrome(&signed_in, &partnership.name.clone()),
            partnership,
            rounds,
            instruments,
            time_zone: time_zone_name(&state),
            details: None,
            facilitators,
        },
    ))
}

/// Reads the minimum group size field: in an anonymous round at least the floor of design
/// section 3, so "groups of at least a few partners" holds; in an identified one at least 1.
fn min_group_size(text: &str, identified: bool) -> Result<i64, AppError> {
    let (floor, detail) = if identified {
        (1, interface().detail_min_group_size_identified)
    } else {
        (
            survey::MIN_GROUP_SIZE_FLOOR,
            interface().detail_min_group_size,
        )
    };
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (floor..=1000).contains(n))
        .ok_or(AppError::BadForm(detail))
}

/// `POST /facilitator/partnerships/{id}/rounds`.
pub async fn create_round(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let partnership = owned_partnership(&state, &form.signed_in, id).await?;
    let instrument = state
        .instruments
        .get(form.field("instrument"))
        .ok_or(AppError::BadForm(interface().detail_instrument))?;
    let identified = form.field("identified") == "yes";
    let details = round_details(&state, &form, &partnership.name)?;
    let round = state
        .store
        .create_round(&NewRound {
            partnership_id: partnership.id,
            instrument,
            wave: wave(form.field("wave"))?,
            min_group_size: min_group_size(form.field("min_group_size"), identified)?,
            open_link: form.field("open_link") == "yes",
            identified,
            details: &details,
        })
        .await?;
    Ok(see_other(&format!("/facilitator/rounds/{}", round.id)))
}
