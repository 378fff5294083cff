//! One invited partner's details (organisation, sector, e-mail address, form language), which
//! the facilitator can correct until the partner submits. Afterwards they stay as they were when
//! the response was made: in an identified round the response is listed under that name, and in
//! any round the sector it was counted in must not move.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{SignedInChrome, chrome, owned_invitation, see_other};
use crate::survey::partners::{self, PartnerError};
use crate::survey::{Invitation, Round};
use crate::web::errors::AppError;
use crate::web::language::interface;
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, html};

/// A partner's details and the form that changes them.
#[derive(Template)]
#[template(path = "facilitate/partner.html")]
struct PartnerPage<'a> {
    chrome: SignedInChrome<'a>,
    round: Round,
    invitation: Invitation,
    /// The instrument's sectors, when it has a profile question: the sector field is a choice.
    sectors: Vec<String>,
    problems: Vec<String>,
}

/// `GET /facilitator/partners/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (invitation, round) = owned_invitation(&state, &signed_in, id).await?;
    if invitation.submitted {
        return Err(AppError::Settled(interface().detail_partner_submitted));
    }
    page(StatusCode::OK, &signed_in, round, invitation, &[])
}

/// `POST /facilitator/partners/{id}/edit`: stores the partner's new details, back to the round's
/// partners; the form again with its problems, nothing changed, when a field is wrong.
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (invitation, round) = owned_invitation(&state, &form.signed_in, id).await?;
    let instrument = round.instrument()?;
    let checked = partners::check(
        &instrument,
        form.field("organisation"),
        form.field("sector"),
        form.field("email"),
        form.field("language"),
    );
    let partner = match checked {
        Ok(partner) => partner,
        Err(problems) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return page(status, &form.signed_in, round, invitation, &problems);
        }
    };
    if !state.store.update_partner(invitation.id, &partner).await? {
        return Err(AppError::Settled(interface().detail_partner_submitted));
    }
    Ok(see_other(&format!(
        "/facilitator/rounds/{}/partners#partner-{}",
        round.id, invitation.id
    )))
}

fn page(
    status: StatusCode,
    signed_in: &SignedIn,
    round: Round,
    invitation: Invitation,
    problems: &[PartnerError],
) -> Result<Response, AppError> {
    let sectors = round
        .instrument()?
        .profile
        .as_ref()
        .map(|p| p.options.clone())
        .unwrap_or_default();
    let title = interface()
        .edit_partner_heading
        .replace("{organisation}", &invitation.organisation);
    Ok(html(
        status,
        &PartnerPage {
            chrome: chrome(signed_in, &title),
            round,
            invitation,
            sectors,
            problems: problems
                .iter()
                .map(|p| super::partners::in_words(interface(), p))
                .collect(),
        },
    ))
}
