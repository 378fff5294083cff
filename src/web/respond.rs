//! The partner's pages: the survey form on a personal link (`/s/{token}`) or a round's open link
//! (`/o/{token}`), drafts, submission and the thank-you page.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::errors::AppError;
use super::form::{self, Action, FormFields, FormView, Link, Posted};
use super::messages::EN;
use super::{AppState, Chrome, html};
use crate::instrument::{Instrument, load_str};
use crate::survey::answers::Answers;
use crate::survey::{Invitation, Round, Status, is_token, new_token};

/// The form page.
#[derive(Template)]
#[template(path = "respond/form.html")]
struct FormPage<'a> {
    chrome: Chrome<'a>,
    form: FormView,
    /// Where the form posts to.
    action: String,
    /// The open link's one-time form id.
    form_id: Option<String>,
    /// Whether a draft was just saved.
    saved: bool,
    /// An instrument author's preview: shown as partners see it, but nothing can be sent.
    preview: bool,
    /// The round's minimum group size, which the form states (none in a preview).
    threshold: Option<u64>,
    /// An identified round's consent statement, stated above everything else.
    identified: Option<String>,
}

/// The thank-you page.
#[derive(Template)]
#[template(path = "respond/thanks.html")]
struct ThanksPage<'a> {
    chrome: Chrome<'a>,
}

/// The query string after a draft was stored. Read raw, so no query string can make the
/// form fail to open.
const SAVED: &str = "saved=1";

/// The invitation and open round behind a personal link.
async fn invitation(state: &AppState, token: &str) -> Result<(Invitation, Round), AppError> {
    if !is_token(token) {
        return Err(AppError::NotFound);
    }
    let (invitation, round) = state
        .store
        .invitation_by_token(token)
        .await?
        .ok_or(AppError::NotFound)?;
    if !round.is_open() {
        return Err(AppError::RoundClosed);
    }
    Ok((invitation, round))
}

/// The open round behind an open link.
async fn open_round(state: &AppState, token: &str) -> Result<Round, AppError> {
    if !is_token(token) {
        return Err(AppError::NotFound);
    }
    let round = state
        .store
        .round_by_open_token(token)
        .await?
        .ok_or(AppError::NotFound)?;
    if !round.is_open() {
        return Err(AppError::RoundClosed);
    }
    Ok(round)
}

/// The instrument exactly as the round stored it.
fn instrument(round: &Round) -> Result<Instrument, AppError> {
    Ok(load_str(
        &format!("round {}", round.id),
        &round.instrument_source,
    )?)
}

fn invitation_link(invitation: &Invitation, instrument: &Instrument) -> Link {
    Link {
        asks_sector: invitation.sector.is_none() && instrument.profile.is_some(),
        has_form_id: false,
    }
}

const OPEN_LINK: Link = Link {
    asks_sector: true,
    has_form_id: true,
};

/// Where a form posts to and what it carries besides the answers.
struct Target {
    action: String,
    form_id: Option<String>,
    saved: bool,
    preview: bool,
    threshold: Option<u64>,
    identified: Option<String>,
}

impl Target {
    fn invitation(token: &str, round: &Round, saved: bool) -> Target {
        Target {
            action: format!("/s/{token}"),
            form_id: None,
            saved,
            preview: false,
            threshold: Some(round.threshold()),
            identified: round.identified_consent.clone(),
        }
    }

    fn open(token: &str, round: &Round, form_id: String) -> Target {
        Target {
            action: format!("/o/{token}"),
            form_id: Some(form_id),
            saved: false,
            preview: false,
            threshold: Some(round.threshold()),
            identified: round.identified_consent.clone(),
        }
    }

    /// A preview posts nowhere.
    fn preview() -> Target {
        Target {
            action: String::new(),
            form_id: None,
            saved: false,
            preview: true,
            threshold: None,
            identified: None,
        }
    }
}

/// The form page with `status`.
fn form_page(
    status: StatusCode,
    instrument: &Instrument,
    link: Link,
    answers: &Answers,
    problems: Vec<form::Problem>,
    target: Target,
) -> Response {
    let form = FormView::new(instrument, link, answers, problems);
    let title = form.title.clone();
    html(
        status,
        &FormPage {
            chrome: Chrome::new(&title, ()),
            form,
            action: target.action,
            form_id: target.form_id,
            saved: target.saved,
            preview: target.preview,
            threshold: target.threshold,
            identified: target.identified,
        },
    )
}

/// The form again with its problems listed (422), when `answers` are not complete enough to
/// submit.
fn incomplete(
    instrument: &Instrument,
    link: Link,
    answers: &Answers,
    target: Target,
) -> Option<Response> {
    let problems = form::problems(instrument, link, &EN, answers);
    (!problems.is_empty()).then(|| {
        form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            instrument,
            link,
            answers,
            problems,
            target,
        )
    })
}

/// `GET /s/{token}`: the form, with the draft if there is one.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let (invitation, round) = invitation(&state, &token).await?;
    let instrument = instrument(&round)?;
    let response = state.store.invitation_response(invitation.id).await?;
    if response
        .as_ref()
        .is_some_and(|r| r.status == Status::Submitted)
    {
        return Ok(Redirect::to(&format!("/s/{token}/thanks")).into_response());
    }
    let answers = response.map(|r| r.answers).unwrap_or_default();
    Ok(form_page(
        StatusCode::OK,
        &instrument,
        invitation_link(&invitation, &instrument),
        &answers,
        Vec::new(),
        Target::invitation(&token, &round, query.as_deref() == Some(SAVED)),
    ))
}

/// `POST /s/{token}`: save a draft or submit.
pub async fn post(
    State(state): State<AppState>,
    Path(token): Path<String>,
    FormFields(fields): FormFields,
) -> Result<Response, AppError> {
    let (invitation, round) = invitation(&state, &token).await?;
    let instrument = instrument(&round)?;
    let link = invitation_link(&invitation, &instrument);
    let Posted {
        action,
        mut answers,
        ..
    } = form::read(&instrument, link, &EN, fields)?;
    answers.language = Some(invitation.language.unwrap_or(instrument.language.clone()));
    if action == Action::Save {
        state.store.save_draft(invitation.id, &answers).await?;
        return Ok(Redirect::to(&format!("/s/{token}?{SAVED}")).into_response());
    }
    let target = Target::invitation(&token, &round, false);
    if let Some(page) = incomplete(&instrument, link, &answers, target) {
        return Ok(page);
    }
    state.store.submit(invitation.id, &answers).await?;
    Ok(Redirect::to(&format!("/s/{token}/thanks")).into_response())
}

/// `GET /preview/{id}`: the form of a loaded instrument (shipped or `--instruments`) exactly as a
/// partner on an open link sees it, for its author; nothing can be submitted.
pub async fn preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let instrument = state.instruments.get(&id).ok_or(AppError::NotFound)?;
    Ok(form_page(
        StatusCode::OK,
        instrument,
        OPEN_LINK,
        &Answers::default(),
        Vec::new(),
        Target::preview(),
    ))
}

/// `GET /o/{token}`: a fresh open-link form with a new one-time id.
pub async fn show_open(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let round = open_round(&state, &token).await?;
    let instrument = instrument(&round)?;
    Ok(form_page(
        StatusCode::OK,
        &instrument,
        OPEN_LINK,
        &Answers::default(),
        Vec::new(),
        Target::open(&token, &round, new_token()),
    ))
}

/// `POST /o/{token}`: submit once per form id; a retried POST lands on the thank-you page.
pub async fn post_open(
    State(state): State<AppState>,
    Path(token): Path<String>,
    FormFields(fields): FormFields,
) -> Result<Response, AppError> {
    let round = open_round(&state, &token).await?;
    let instrument = instrument(&round)?;
    let Posted {
        mut answers,
        form_id,
        ..
    } = form::read(&instrument, OPEN_LINK, &EN, fields)?;
    // `read` guarantees a form id on the open link.
    let form_id = form_id.ok_or(AppError::BadForm(EN.detail_form_id))?;
    answers.language = Some(instrument.language.clone());
    let target = Target::open(&token, &round, form_id.clone());
    if let Some(page) = incomplete(&instrument, OPEN_LINK, &answers, target) {
        return Ok(page);
    }
    state
        .store
        .submit_open(round.id, &form_id, &answers)
        .await?;
    Ok(Redirect::to(&format!("/o/{token}/thanks")).into_response())
}

/// `GET /s/{token}/thanks`.
pub async fn thanks(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (_, round) = invitation(&state, &token).await?;
    thanks_page(&round)
}

/// `GET /o/{token}/thanks`.
pub async fn thanks_open(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let round = open_round(&state, &token).await?;
    thanks_page(&round)
}

fn thanks_page(round: &Round) -> Result<Response, AppError> {
    let instrument = instrument(round)?;
    Ok(html(
        StatusCode::OK,
        &ThanksPage {
            chrome: Chrome::new(instrument.title(), ()),
        },
    ))
}
