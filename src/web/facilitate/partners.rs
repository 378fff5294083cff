//! A round's partners: the form to add them one by one or as a pasted list, the list of them
//! (each with a button to delete them), and their personal links as a CSV file for a mail merge.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{SignedInChrome, base_url, chrome, owned_round, round_instrument, see_other};
use crate::instrument::Instrument;
use crate::survey::links::{LinkRow, links_csv};
use crate::survey::partners::{self, PartnerError};
use crate::survey::{InvitationProgress, Round, Status};
use crate::web::errors::AppError;
use crate::web::messages::EN;
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, html};

/// Adding partners to a round.
#[derive(Template)]
#[template(path = "facilitate/partners.html")]
struct PartnersPage<'a> {
    chrome: SignedInChrome<'a>,
    round: Round,
    sectors: Vec<String>,
    list: String,
    problems: Vec<String>,
    /// The round's partners so far, each with a button to delete them.
    invited: Vec<InvitationProgress>,
}

async fn partners_page(
    state: &AppState,
    status: StatusCode,
    signed_in: &SignedIn,
    round: Round,
    instrument: &Instrument,
    list: String,
    problems: &[PartnerError],
) -> Result<Response, AppError> {
    let invited = state.store.invitation_progress(round.id).await?;
    Ok(html(
        status,
        &PartnersPage {
            chrome: chrome(signed_in, EN.partners_heading),
            round,
            sectors: instrument
                .profile
                .as_ref()
                .map(|p| p.options.clone())
                .unwrap_or_default(),
            list,
            problems: problems.iter().map(ToString::to_string).collect(),
            invited,
        },
    ))
}

/// `GET /facilitator/rounds/{id}/partners`.
pub async fn partners_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let instrument = round_instrument(&round)?;
    partners_page(
        &state,
        StatusCode::OK,
        &signed_in,
        round,
        &instrument,
        String::new(),
        &[],
    )
    .await
}

/// `POST /facilitator/rounds/{id}/partners`: one partner from the form fields, or a pasted CSV
/// list in `list`; all stored or, with any problem, none.
pub async fn add_partners(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &form.signed_in, id).await?;
    let instrument = round_instrument(&round)?;
    let list = form.field("list");
    let checked = if list.trim().is_empty() {
        partners::check(
            &instrument,
            form.field("organisation"),
            form.field("sector"),
            form.field("email"),
            form.field("language"),
        )
        .map(|p| vec![p])
    } else {
        partners::parse(list, &instrument)
    };
    match checked {
        Ok(partners) => {
            state.store.add_partners(round.id, &partners).await?;
            Ok(see_other(&format!("/facilitator/rounds/{id}")))
        }
        Err(problems) => {
            partners_page(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.signed_in,
                round,
                &instrument,
                list.to_string(),
                &problems,
            )
            .await
        }
    }
}

/// `GET /facilitator/rounds/{id}/links.csv`: the personal links for a mail merge.
pub async fn links(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let base = base_url(&state, &headers);
    let invitations = state.store.invitation_progress(round.id).await?;
    let links: Vec<String> = invitations
        .iter()
        .map(|p| format!("{base}/s/{}", p.invitation.token))
        .collect();
    let body = links_csv(invitations.iter().zip(&links).map(|(p, link)| LinkRow {
        organisation: &p.invitation.organisation,
        sector: p.invitation.sector.as_deref().unwrap_or_default(),
        email: p.invitation.email.as_deref().unwrap_or_default(),
        language: p.invitation.language.as_deref().unwrap_or_default(),
        link,
    }));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"partnerscope-round-{id}-links.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}
